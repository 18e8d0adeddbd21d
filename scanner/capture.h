/*
 * capture.h: packets from libpcap, live or from a file, decoded to TCP
 * segments (struct pkt, probes/flow.h) for the passive path.
 *
 * capture_decode() is pure and fuzzed; the rest wraps libpcap: open a
 * device (then drop root) or a pcap/pcapng file, apply a BPF filter, loop
 * until the end of the file, a signal, a duration or an error.
 */
#ifndef CERTSWEEP_CAPTURE_H
#define CERTSWEEP_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/flow.h"

/* Link-layer type numbers (DLT_* as libpcap reports them; files store
 * LINKTYPE_* values, which libpcap maps to these). */
#define CAPTURE_DLT_NULL	0
#define CAPTURE_DLT_EN10MB	1
#define CAPTURE_DLT_RAW		12	/* 14 on OpenBSD; LINKTYPE_RAW 101 */
#define CAPTURE_DLT_RAW_BSD	14
#define CAPTURE_DLT_LOOP	108
#define CAPTURE_DLT_LINUX_SLL	113
#define CAPTURE_LINKTYPE_RAW	101
#define CAPTURE_LINKTYPE_IPV4	228
#define CAPTURE_LINKTYPE_IPV6	229
#define CAPTURE_DLT_LINUX_SLL2	276

/* What capture_decode() made of a frame; names from capture_rc_name(). */
enum capture_rc {
	CAPTURE_TCP,		/* *out holds a TCP segment */
	CAPTURE_NOT_TCP,	/* ARP, UDP, ICMP, other ethertypes: skipped */
	CAPTURE_FRAGMENT,	/* an IP fragment: skipped (no IP reassembly) */
	CAPTURE_MALFORMED,	/* headers cut short or inconsistent */
	CAPTURE_LINKTYPE,	/* link type not supported */
	CAPTURE_RC__MAX
};

const char	*capture_rc_name(enum capture_rc);
/* Whether capture_decode() understands this link type. */
bool		 capture_linktype_supported(int linktype);

/*
 * Decodes one captured frame down to TCP.  Pure and bounded: reads only
 * frame[0..caplen), keeps no state; out->payload points into frame.
 * Ethernet (802.1Q/802.1ad/QinQ VLAN tags, PPPoE sessions), Linux cooked
 * v1/v2, raw IP, BSD NULL/LOOP in either byte order; IPv4 with options,
 * IPv6 with extension headers.  out->ts_* are left as they were.
 */
enum capture_rc	 capture_decode(int linktype, const uint8_t *frame,
		    size_t caplen, struct pkt *out);

/* Zero/NULL fields take the defaults. */
struct capture_opts {
	const char	*bpf;		/* filter expression; NULL: none */
	int		 snaplen;	/* live: 262144 */
	int		 timeout_ms;	/* live: read timeout, 250 */
	int64_t		 duration;	/* live: stop after this many seconds
					   of wall time; 0: no limit */
	const char	*user;		/* live, as root: drop to this user
					   after opening; "nobody" */
	bool		 promisc;	/* live: promiscuous mode; off */
};

struct capture_stats {
	uint64_t	 frames;	/* read from the source */
	uint64_t	 bytes;		/* captured bytes of those frames */
	uint64_t	 rc[CAPTURE_RC__MAX];	/* per decode outcome */
	uint64_t	 kernel_drop;	/* live: pcap_stats ps_drop */
	uint64_t	 if_drop;	/* live: ps_ifdrop */
};

struct capture;

/*
 * Opens a pcap or pcapng file and applies opts->bpf.  Logs the reason
 * (naming the file) and returns NULL on failure, also for a link type
 * capture_decode() does not support.
 */
struct capture	*capture_open_offline(const char *path,
		    const struct capture_opts *);
/*
 * Opens a live device (no promiscuous mode unless asked, immediate mode,
 * read timeout), applies opts->bpf, and then, when running as root,
 * permanently drops to opts->user (setgroups, setgid, setuid; verified).
 * Open everything that needs privileges (database, outputs) before.
 * Logs and returns NULL on failure; a failed privilege drop is a failure.
 */
struct capture	*capture_open_live(const char *iface,
		    const struct capture_opts *);

typedef void	(*capture_pkt_fn)(const struct pkt *, void *arg);

/*
 * Reads frames until the end of the file, capture_stop(), SIGINT/SIGTERM
 * (handlers installed for the duration of the call), or the duration
 * limit, and calls fn for every TCP segment.  Returns 0 at a normal end.
 * On a read error (a truncated or corrupt file) logs the file name, the
 * frame number and libpcap's words, and returns -1: every earlier frame
 * has already been passed to fn.
 */
int		 capture_loop(struct capture *, capture_pkt_fn fn, void *arg);
/* Makes capture_loop() return after the current frame; call it from fn
 * (signals have their own path). */
void		 capture_stop(struct capture *);
/* Whether the last capture_loop() ended because of a signal. */
bool		 capture_interrupted(const struct capture *);
void		 capture_get_stats(struct capture *, struct capture_stats *);
int		 capture_linktype(const struct capture *);
/* The file name or the interface name. */
const char	*capture_source(const struct capture *);
/* NULL is a no-op. */
void		 capture_close(struct capture *);

/*
 * Drops root for good: supplementary groups, group and user of user;
 * then checks that root cannot be regained.  Does nothing (returns 0)
 * when not running as root.  Logs and returns -1 on failure.
 */
int		 capture_drop_privileges(const char *user);

#endif /* CERTSWEEP_CAPTURE_H */
