/*
 * capture.c: libpcap live and offline capture, and the pure frame decoder
 * that turns a captured frame into a TCP segment (struct pkt).  libpcap is
 * loaded with dlopen() by the first capture_open_*(), not linked.
 *
 * The decoder walks link layer -> IP -> TCP with explicit bounds at every
 * step and keeps no state, so it is fuzzed on its own (fuzz_capture).  It
 * does not verify checksums: with offloading they are often wrong in
 * captures taken on the sending host.  It does not reassemble IP
 * fragments: TLS over TCP almost never fragments, and reassembly would be
 * a second, unbounded state machine.
 *
 * Hazard tags: [IP-TOTLEN] the IP length, not the frame length, bounds the
 * payload (Ethernet pads short frames); [SNAPLEN] a frame cut by the
 * snapshot length is flagged, never padded; [VLAN-DEPTH] and
 * [IP6-EXT-DEPTH] stacked headers are walked a bounded number of times.
 */
#include "scanner/capture.h"

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "scanner/dynlib.h"
#include "scanner/log.h"
#include "scanner/xmem.h"

#define VLAN_MAX	4	/* [VLAN-DEPTH] tags walked per frame */
#define IP6_EXT_MAX	8	/* [IP6-EXT-DEPTH] extension headers walked */

static const char *const capture_rc_names[] = {
	[CAPTURE_TCP] = "tcp",
	[CAPTURE_NOT_TCP] = "not-tcp",
	[CAPTURE_FRAGMENT] = "fragment",
	[CAPTURE_MALFORMED] = "malformed",
	[CAPTURE_LINKTYPE] = "linktype",
};
_Static_assert(sizeof(capture_rc_names) / sizeof(capture_rc_names[0]) ==
    CAPTURE_RC__MAX, "capture_rc_names out of step with enum capture_rc");

const char *
capture_rc_name(enum capture_rc rc)
{
	if ((unsigned)rc >= CAPTURE_RC__MAX)
		return NULL;
	return capture_rc_names[rc];
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static enum capture_rc
decode_tcp(const uint8_t *p, size_t len, bool truncated, struct pkt *out)
{
	size_t hl;

	if (len < 20)
		return CAPTURE_MALFORMED;
	hl = (size_t)(p[12] >> 4) * 4;
	if (hl < 20 || hl > len)
		return CAPTURE_MALFORMED;
	out->sport = rd16(p);
	out->dport = rd16(p + 2);
	out->seq = rd32(p + 4);
	out->ack = rd32(p + 8);
	out->flags = p[13];
	out->truncated = truncated;
	out->payload = p + hl;
	out->len = len - hl;
	return CAPTURE_TCP;
}

static enum capture_rc
decode_ipv4(const uint8_t *p, size_t len, struct pkt *out)
{
	size_t hl, total;
	uint16_t frag;
	bool truncated = false;

	if (len < 20 || p[0] >> 4 != 4)
		return CAPTURE_MALFORMED;
	hl = (size_t)(p[0] & 0x0f) * 4;
	total = rd16(p + 2);
	if (hl < 20 || hl > len || total < hl)
		return CAPTURE_MALFORMED;
	if (total > len)		/* [SNAPLEN] */
		truncated = true;
	else
		len = total;		/* [IP-TOTLEN] drop link padding */
	frag = rd16(p + 6);
	if ((frag & 0x1fff) != 0 || (frag & 0x2000) != 0)
		return CAPTURE_FRAGMENT;
	if (p[9] != 6)
		return CAPTURE_NOT_TCP;
	memset(&out->src, 0, sizeof(out->src));
	memset(&out->dst, 0, sizeof(out->dst));
	out->src.family = out->dst.family = AF_INET;
	memcpy(out->src.a, p + 12, 4);
	memcpy(out->dst.a, p + 16, 4);
	return decode_tcp(p + hl, len - hl, truncated, out);
}

static enum capture_rc
decode_ipv6(const uint8_t *p, size_t len, struct pkt *out)
{
	size_t end, off = 40, hl;
	uint8_t nh;
	bool truncated = false;
	int i;

	if (len < 40 || p[0] >> 4 != 6)
		return CAPTURE_MALFORMED;
	end = 40 + (size_t)rd16(p + 4);
	if (end == 40)			/* jumbogram or nothing: not ours */
		return CAPTURE_NOT_TCP;
	if (end > len)			/* [SNAPLEN] */
		truncated = true, end = len;
	nh = p[6];
	for (i = 0; i < IP6_EXT_MAX; i++) {	/* [IP6-EXT-DEPTH] */
		switch (nh) {
		case 6:
			memset(&out->src, 0, sizeof(out->src));
			memset(&out->dst, 0, sizeof(out->dst));
			out->src.family = out->dst.family = AF_INET6;
			memcpy(out->src.a, p + 8, 16);
			memcpy(out->dst.a, p + 24, 16);
			return decode_tcp(p + off, end - off, truncated, out);
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (end - off < 8)
				return CAPTURE_MALFORMED;
			hl = ((size_t)p[off + 1] + 1) * 8;
			break;
		case 44:	/* fragment: only an atomic one is whole */
			if (end - off < 8)
				return CAPTURE_MALFORMED;
			if ((rd16(p + off + 2) & 0xfff9) != 0)
				return CAPTURE_FRAGMENT;
			hl = 8;
			break;
		case 51:	/* authentication header */
			if (end - off < 8)
				return CAPTURE_MALFORMED;
			hl = ((size_t)p[off + 1] + 2) * 4;
			break;
		default:	/* 59 no next header, UDP, ICMPv6, ESP, ... */
			return CAPTURE_NOT_TCP;
		}
		if (hl > end - off)
			return CAPTURE_MALFORMED;
		nh = p[off];
		off += hl;
	}
	return CAPTURE_MALFORMED;
}

/* Raw IP: the version nibble says which. */
static enum capture_rc
decode_ip(const uint8_t *p, size_t len, struct pkt *out)
{
	if (len < 1)
		return CAPTURE_MALFORMED;
	switch (p[0] >> 4) {
	case 4:
		return decode_ipv4(p, len, out);
	case 6:
		return decode_ipv6(p, len, out);
	default:
		return CAPTURE_NOT_TCP;
	}
}

/* PPPoE session header (RFC 2516), then the PPP protocol number. */
static enum capture_rc
decode_pppoe(const uint8_t *p, size_t len, struct pkt *out)
{
	size_t plen;

	if (len < 8 || p[0] != 0x11 || p[1] != 0x00)
		return CAPTURE_MALFORMED;
	plen = rd16(p + 4);
	if (plen < 2)
		return CAPTURE_MALFORMED;
	if (plen < len - 6)
		len = plen + 6;
	switch (rd16(p + 6)) {
	case 0x0021:
		return decode_ipv4(p + 8, len - 8, out);
	case 0x0057:
		return decode_ipv6(p + 8, len - 8, out);
	default:
		return CAPTURE_NOT_TCP;
	}
}

static enum capture_rc
decode_ethertype(uint16_t type, const uint8_t *p, size_t len,
    struct pkt *out)
{
	int i;

	for (i = 0; i < VLAN_MAX; i++) {	/* [VLAN-DEPTH] */
		if (type != 0x8100 && type != 0x88a8 && type != 0x9100)
			break;
		if (len < 4)
			return CAPTURE_MALFORMED;
		type = rd16(p + 2);
		p += 4;
		len -= 4;
	}
	switch (type) {
	case 0x0800:
		return decode_ipv4(p, len, out);
	case 0x86dd:
		return decode_ipv6(p, len, out);
	case 0x8864:
		return decode_pppoe(p, len, out);
	case 0x8100:
	case 0x88a8:
	case 0x9100:
		return CAPTURE_MALFORMED;	/* more tags than we walk */
	default:
		return CAPTURE_NOT_TCP;
	}
}

/* BSD loopback: an address family in host order of the capturing host
 * (DLT_NULL) or network order (DLT_LOOP); files travel, so try both. */
static enum capture_rc
decode_null(const uint8_t *p, size_t len, struct pkt *out)
{
	uint32_t fam;

	if (len < 4)
		return CAPTURE_MALFORMED;
	fam = rd32(p);
	if (fam > 0xffff)
		fam = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
		    (uint32_t)p[1] << 8 | p[0];
	switch (fam) {
	case 2:				/* AF_INET everywhere */
		return decode_ipv4(p + 4, len - 4, out);
	case 10: case 24: case 28: case 30:	/* AF_INET6: Linux, BSDs */
		return decode_ipv6(p + 4, len - 4, out);
	default:
		return CAPTURE_NOT_TCP;
	}
}

bool
capture_linktype_supported(int linktype)
{
	switch (linktype) {
	case CAPTURE_DLT_NULL:
	case CAPTURE_DLT_EN10MB:
	case CAPTURE_DLT_RAW:
	case CAPTURE_DLT_RAW_BSD:
	case CAPTURE_DLT_LOOP:
	case CAPTURE_DLT_LINUX_SLL:
	case CAPTURE_LINKTYPE_RAW:
	case CAPTURE_LINKTYPE_IPV4:
	case CAPTURE_LINKTYPE_IPV6:
	case CAPTURE_DLT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

enum capture_rc
capture_decode(int linktype, const uint8_t *f, size_t len, struct pkt *out)
{
	switch (linktype) {
	case CAPTURE_DLT_EN10MB:
		if (len < 14)
			return CAPTURE_MALFORMED;
		if (rd16(f + 12) <= 1500)	/* 802.3 length: LLC */
			return CAPTURE_NOT_TCP;
		return decode_ethertype(rd16(f + 12), f + 14, len - 14, out);
	case CAPTURE_DLT_LINUX_SLL:
		if (len < 16)
			return CAPTURE_MALFORMED;
		return decode_ethertype(rd16(f + 14), f + 16, len - 16, out);
	case CAPTURE_DLT_LINUX_SLL2:
		if (len < 20)
			return CAPTURE_MALFORMED;
		return decode_ethertype(rd16(f), f + 20, len - 20, out);
	case CAPTURE_DLT_RAW:
	case CAPTURE_DLT_RAW_BSD:
	case CAPTURE_LINKTYPE_RAW:
		return decode_ip(f, len, out);
	case CAPTURE_LINKTYPE_IPV4:
		return decode_ipv4(f, len, out);
	case CAPTURE_LINKTYPE_IPV6:
		return decode_ipv6(f, len, out);
	case CAPTURE_DLT_NULL:
	case CAPTURE_DLT_LOOP:
		return decode_null(f, len, out);
	default:
		return CAPTURE_LINKTYPE;
	}
}

/* ---- libpcap ---------------------------------------------------------- */

/*
 * libpcap is opened with dlopen() by the first capture_open_*(), not
 * linked: its dependencies (dbus, systemd, gcrypt, lzma, zstd, lz4, ...)
 * cost every certsweep process ~3.4 ms, and only sniff uses them.
 */
#define LP_FN(f)	__typeof__(pcap_##f)	*f
struct lp_api {
	LP_FN(activate);
	LP_FN(breakloop);
	LP_FN(close);
	LP_FN(compile);
	LP_FN(create);
	LP_FN(datalink);
	LP_FN(datalink_val_to_name);
	LP_FN(freecode);
	LP_FN(get_selectable_fd);
	LP_FN(geterr);
	LP_FN(next_ex);
	LP_FN(open_offline);
	LP_FN(set_immediate_mode);
	LP_FN(set_promisc);
	LP_FN(set_snaplen);
	LP_FN(set_timeout);
	LP_FN(setfilter);
	LP_FN(setnonblock);
	LP_FN(stats);
	LP_FN(statustostr);
};
#undef LP_FN

#define LP_SYM(f)	DYNLIB_SYM(struct lp_api, "pcap_", f)
static const struct dynlib_sym lp_syms[] = {
	LP_SYM(activate), LP_SYM(breakloop), LP_SYM(close), LP_SYM(compile),
	LP_SYM(create), LP_SYM(datalink), LP_SYM(datalink_val_to_name),
	LP_SYM(freecode), LP_SYM(get_selectable_fd), LP_SYM(geterr),
	LP_SYM(next_ex), LP_SYM(open_offline), LP_SYM(set_immediate_mode),
	LP_SYM(set_promisc), LP_SYM(set_snaplen), LP_SYM(set_timeout),
	LP_SYM(setfilter), LP_SYM(setnonblock), LP_SYM(stats),
	LP_SYM(statustostr),
};
#undef LP_SYM
_Static_assert(sizeof(lp_syms) / sizeof(lp_syms[0]) ==
    sizeof(struct lp_api) / sizeof(void (*)(void)),
    "lp_syms out of step with struct lp_api");

/* Debian's libpcap0.8 keeps its historical soname; elsewhere it is .so.1. */
static const char *const lp_names[] = { "libpcap.so.0.8", "libpcap.so.1" };

static struct lp_api lp;
static struct dynlib lp_lib = DYNLIB_INIT(lp_names, lp_syms, &lp);

/* Loads libpcap once per process; logs and returns -1 when it cannot. */
static int
lp_load(const char *source)
{
	if (dynlib_load(&lp_lib) == 0)
		return 0;
	log_error("%s: sniff needs libpcap (%s); install the libpcap0.8 "
	    "package", source, lp_lib.err);
	return -1;
}

struct capture {
	pcap_t		*p;
	char		*source;
	bool		 live;
	int		 fd;		/* live: pcap's selectable fd */
	int		 timeout_ms;	/* live: longest wait in poll() */
	int		 linktype;
	int64_t		 duration;
	bool		 stop;
	bool		 interrupted;
	struct capture_stats st;
};

/*
 * The only process-wide state of this file, and only because a signal
 * handler cannot be given an argument: the capture being looped and the
 * signal flag.  Both are set and cleared by capture_loop().
 */
static pcap_t *volatile capture_sig_pcap;
static volatile sig_atomic_t capture_sig_seen;

static void
capture_on_signal(int sig)
{
	(void)sig;
	capture_sig_seen = 1;
	if (capture_sig_pcap != NULL)
		lp.breakloop(capture_sig_pcap);
}

static int
capture_set_filter(struct capture *c, const char *bpf)
{
	struct bpf_program prog;

	if (bpf == NULL || *bpf == '\0')
		return 0;
	if (lp.compile(c->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		log_error("%s: bad BPF filter \"%s\": %s", c->source, bpf,
		    lp.geterr(c->p));
		return -1;
	}
	if (lp.setfilter(c->p, &prog) == -1) {
		log_error("%s: cannot set BPF filter: %s", c->source,
		    lp.geterr(c->p));
		lp.freecode(&prog);
		return -1;
	}
	lp.freecode(&prog);
	return 0;
}

static int
capture_check_linktype(struct capture *c)
{
	const char *name;

	c->linktype = lp.datalink(c->p);
	if (capture_linktype_supported(c->linktype))
		return 0;
	name = lp.datalink_val_to_name(c->linktype);
	log_error("%s: unsupported link type %d (%s); supported: Ethernet, "
	    "Linux cooked (SLL, SLL2), raw IP, BSD loopback", c->source,
	    c->linktype, name != NULL ? name : "unknown");
	return -1;
}

struct capture *
capture_open_offline(const char *path, const struct capture_opts *opts)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;

	if (lp_load(path) == -1)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->source = xstrdup(path);
	c->p = lp.open_offline(path, errbuf);
	if (c->p == NULL) {
		log_error("%s: cannot read capture: %s", path, errbuf);
		goto fail;
	}
	if (capture_check_linktype(c) == -1 ||
	    capture_set_filter(c, opts != NULL ? opts->bpf : NULL) == -1)
		goto fail;
	return c;
fail:
	capture_close(c);
	return NULL;
}

static int
capture_activate(struct capture *c, const struct capture_opts *o)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	int rc;

	if (lp.set_snaplen(c->p, o->snaplen > 0 ? o->snaplen : 262144) ||
	    lp.set_promisc(c->p, o->promisc ? 1 : 0) ||
	    lp.set_immediate_mode(c->p, 1) ||
	    lp.set_timeout(c->p, o->timeout_ms > 0 ? o->timeout_ms : 250)) {
		log_error("%s: cannot configure capture", c->source);
		return -1;
	}
	rc = lp.activate(c->p);
	if (rc < 0) {
		log_error("%s: cannot capture: %s (%s)", c->source,
		    lp.statustostr(rc), lp.geterr(c->p));
		return -1;
	}
	if (rc > 0)
		log_warn("%s: %s (%s)", c->source, lp.statustostr(rc),
		    lp.geterr(c->p));
	/*
	 * Non-blocking reads and our own poll(): on Linux, libpcap's own
	 * wait can block until a packet comes whatever the read timeout (an
	 * idle interface would never reach --duration).
	 */
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 250;
	if (lp.setnonblock(c->p, 1, errbuf) == -1 ||
	    (c->fd = lp.get_selectable_fd(c->p)) < 0) {
		log_error("%s: cannot poll the capture: %s", c->source,
		    errbuf);
		return -1;
	}
	return 0;
}

struct capture *
capture_open_live(const char *iface, const struct capture_opts *opts)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture_opts none = { 0 };
	const struct capture_opts *o = opts != NULL ? opts : &none;
	struct capture *c;

	if (lp_load(iface) == -1)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->source = xstrdup(iface);
	c->live = true;
	c->duration = o->duration;
	c->p = lp.create(iface, errbuf);
	if (c->p == NULL) {
		log_error("%s: cannot open device: %s", iface, errbuf);
		goto fail;
	}
	if (capture_activate(c, o) == -1 || capture_check_linktype(c) == -1 ||
	    capture_set_filter(c, o->bpf) == -1)
		goto fail;
	if (capture_drop_privileges(o->user != NULL && *o->user != '\0' ?
	    o->user : "nobody") == -1)
		goto fail;
	return c;
fail:
	capture_close(c);
	return NULL;
}

int
capture_drop_privileges(const char *user)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_error("cannot drop privileges: no user \"%s\"%s%s", user,
		    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		log_warn("--user %s is root: keeping root privileges", user);
		return 0;
	}
	if (setgroups(1, &gid) == -1 || setgid(gid) == -1 ||
	    setuid(uid) == -1) {
		log_error("cannot drop privileges to %s: %s", user,
		    strerror(errno));
		return -1;
	}
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid || setuid(0) != -1) {
		log_error("privilege drop to %s did not hold", user);
		return -1;
	}
	log_info("dropped privileges to %s (uid %ld)", user, (long)uid);
	return 0;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One frame: count it, decode it, hand a TCP segment on. */
static void
capture_frame(struct capture *c, const struct pcap_pkthdr *h,
    const uint8_t *data, capture_pkt_fn fn, void *arg)
{
	struct pkt pkt = {
		.ts_sec = (int64_t)h->ts.tv_sec,
		.ts_usec = (int32_t)h->ts.tv_usec,
	};
	enum capture_rc rc;

	c->st.frames++;
	c->st.bytes += h->caplen;
	rc = capture_decode(c->linktype, data, h->caplen, &pkt);
	c->st.rc[rc]++;
	if (rc == CAPTURE_TCP && fn != NULL)
		fn(&pkt, arg);
}

/* Live: waits for the fd at most timeout_ms, and not past the deadline;
 * a signal cuts it short (EINTR). */
static void
capture_wait(struct capture *c, int64_t deadline)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	int ms = c->timeout_ms;
	int64_t left = deadline - mono_ms();

	if (deadline != 0 && left < ms)
		ms = left > 0 ? (int)left : 0;
	(void)poll(&pfd, 1, ms);
}

static int
capture_read(struct capture *c, capture_pkt_fn fn, void *arg)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int64_t deadline = c->duration > 0 ? mono_ms() + c->duration * 1000 :
	    0;
	int rc;

	while (!c->stop) {
		if (capture_sig_seen) {
			c->interrupted = true;
			break;
		}
		if (deadline != 0 && mono_ms() >= deadline)
			break;
		rc = lp.next_ex(c->p, &h, &data);
		if (rc == 1)
			capture_frame(c, h, data, fn, arg);
		else if (rc == 0)
			capture_wait(c, deadline);	/* live: nothing yet */
		else if (rc == PCAP_ERROR_BREAK) {
			c->interrupted = capture_sig_seen != 0;
			break;
		} else {
			log_error("%s: frame %llu: %s", c->source,
			    (unsigned long long)c->st.frames + 1,
			    lp.geterr(c->p));
			return -1;
		}
	}
	return 0;
}

int
capture_loop(struct capture *c, capture_pkt_fn fn, void *arg)
{
	struct sigaction sa = { .sa_handler = capture_on_signal };
	struct sigaction old_int, old_term;
	int rc;

	c->stop = false;
	c->interrupted = false;
	capture_sig_seen = 0;
	capture_sig_pcap = c->p;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = capture_read(c, fn, arg);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	capture_sig_pcap = NULL;
	return rc;
}

void
capture_stop(struct capture *c)
{
	c->stop = true;
	lp.breakloop(c->p);
}

bool
capture_interrupted(const struct capture *c)
{
	return c->interrupted;
}

void
capture_get_stats(struct capture *c, struct capture_stats *out)
{
	struct pcap_stat ps;

	if (c->live && lp.stats(c->p, &ps) == 0) {
		c->st.kernel_drop = ps.ps_drop;
		c->st.if_drop = ps.ps_ifdrop;
	}
	*out = c->st;
}

int
capture_linktype(const struct capture *c)
{
	return c->linktype;
}

const char *
capture_source(const struct capture *c)
{
	return c->source;
}

void
capture_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->p != NULL)
		lp.close(c->p);
	free(c->source);
	free(c);
}
