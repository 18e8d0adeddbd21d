/*
 * flow.h: a bounded passive TCP flow table with per-direction reassembly
 * of the first bytes of each stream (DESIGN.md §2, passive path).
 *
 * struct pkt is the decoded form of one captured TCP segment.  It lives
 * here, not in scanner/capture.h, so that probes/ can use it without
 * breaking the layer rule: scanner/capture.c includes this header.
 *
 * The table is pure: no I/O, no clock.  Time is the packet timestamp, so
 * replaying a capture file gives the same result at any speed.
 */
#ifndef CERTSWEEP_FLOW_H
#define CERTSWEEP_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCP flag bits as on the wire (byte 13 of the TCP header). */
#define PKT_FIN	0x01
#define PKT_SYN	0x02
#define PKT_RST	0x04
#define PKT_PSH	0x08
#define PKT_ACK	0x10

/* An IPv4 address uses the first 4 bytes of a; the rest are zero. */
struct pkt_addr {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 a[16];
};

/*
 * One decoded TCP segment.  payload points into the captured frame and is
 * borrowed for the length of the call that receives the struct.
 */
struct pkt {
	int64_t		 ts_sec;	/* capture time */
	int32_t		 ts_usec;
	struct pkt_addr	 src;
	struct pkt_addr	 dst;
	uint16_t	 sport;
	uint16_t	 dport;
	uint32_t	 seq;
	uint32_t	 ack;
	uint8_t		 flags;		/* PKT_* */
	bool		 truncated;	/* the capture cut this segment short:
					   payload holds only its first bytes */
	const uint8_t	*payload;
	size_t		 len;
};

enum flow_dir {
	FLOW_C2S,		/* client to server */
	FLOW_S2C,		/* server to client */
	FLOW_DIR__MAX
};

/* Why a flow left the table; names from flow_end_name(). */
enum flow_end {
	FLOW_END_FIN,		/* both sides sent FIN */
	FLOW_END_RST,
	FLOW_END_IDLE,		/* idle timeout (packet time) */
	FLOW_END_EVICTED,	/* table full: the least recently used went */
	FLOW_END_FLUSH,		/* end of capture / table freed */
	FLOW_END__MAX
};

const char	*flow_end_name(enum flow_end);

/* Zero fields take the defaults below. */
struct flow_limits {
	size_t		 max_flows;	/* 65536, open and lingering */
	int64_t		 idle_timeout;	/* seconds of packet time; 300 */
	int64_t		 linger;	/* seconds a flow closed by FIN/RST
					   stays to absorb its stragglers;
					   30 (at most idle_timeout) */
	size_t		 dir_bytes;	/* delivered per direction; 64 KiB */
	size_t		 ooo_segs;	/* out-of-order segments held per
					   direction; 32 */
	size_t		 ooo_total;	/* out-of-order bytes held by the whole
					   table; 64 MiB */
	uint64_t	 hash_seed;	/* keys the flow hash against collision
					   floods; pass a random value */
};

#define FLOW_DEFAULT_MAX_FLOWS	65536
#define FLOW_DEFAULT_IDLE	300
#define FLOW_DEFAULT_LINGER	30
#define FLOW_DEFAULT_DIR_BYTES	(64 * 1024)
#define FLOW_DEFAULT_OOO_SEGS	32
#define FLOW_DEFAULT_OOO_TOTAL	(64 * 1024 * 1024)

struct flow_stats {
	uint64_t	 packets;
	uint64_t	 flows_created;
	uint64_t	 flows_closed;		/* FIN or RST */
	uint64_t	 flows_evicted;		/* table full */
	uint64_t	 flows_idle;		/* idle timeout */
	uint64_t	 bytes_delivered;
	uint64_t	 bytes_dropped_cap;	/* beyond dir_bytes */
	uint64_t	 gaps;			/* directions stopped by missing
						   data that never came */
	uint64_t	 out_of_order;		/* segments held for later */
	uint64_t	 retransmits;		/* segments with no new bytes */
	size_t		 flows_active;		/* open now */
};

struct flow;
struct flow_table;

/*
 * Callbacks.  on_data gets newly contiguous bytes of one direction, in
 * stream order, each byte once, at most dir_bytes in all; data is borrowed
 * for the call.  on_close is called exactly once per flow, when it leaves
 * the table; the user state is freed right after it.  Callbacks may call
 * flow_set_done(), flow_stop() and flow_set_user() on the flow they got,
 * and nothing else of the table.
 */
struct flow_ops {
	void	(*on_data)(struct flow *, enum flow_dir, const uint8_t *data,
		    size_t len, void *arg);
	void	(*on_close)(struct flow *, enum flow_end, void *arg);
	void	*arg;
};

/* Endpoints of a flow as decided at creation (SYN, else port heuristic). */
struct flow_info {
	struct pkt_addr	 client;
	struct pkt_addr	 server;
	uint16_t	 client_port;
	uint16_t	 server_port;
	bool		 saw_syn;	/* direction known from the handshake */
	int64_t		 first_sec;	/* time of the first packet */
	int32_t		 first_usec;
	int64_t		 last_sec;	/* time of the latest packet */
	int32_t		 last_usec;
};

/* limits may be NULL (all defaults); ops is copied. */
struct flow_table *flow_table_new(const struct flow_limits *,
		    const struct flow_ops *);
/* Flushes (on_close with FLOW_END_FLUSH for every flow), then frees.
 * NULL is a no-op. */
void		 flow_table_free(struct flow_table *);
/*
 * Feeds one segment: creates, updates or closes its flow and delivers new
 * bytes through on_data.  Expires flows idle for longer than the timeout
 * first.  Returns 0, or -1 for a packet that is not usable (a zero port,
 * an unknown address family); such a packet changes nothing.
 */
int		 flow_table_packet(struct flow_table *, const struct pkt *);
/* Closes every flow idle since before now_sec - idle_timeout. */
void		 flow_table_expire(struct flow_table *, int64_t now_sec);
/* Closes every flow (FLOW_END_FLUSH): the end of a capture. */
void		 flow_table_flush(struct flow_table *);
void		 flow_table_stats(const struct flow_table *,
		    struct flow_stats *);

const struct flow_info *flow_get_info(const struct flow *);
/* Stop delivering one direction (its held segments are dropped). */
void		 flow_stop(struct flow *, enum flow_dir);
/* Stop delivering both directions; the flow stays in the table until it
 * closes or idles out, so that its later packets cost almost nothing. */
void		 flow_set_done(struct flow *);
bool		 flow_is_done(const struct flow *);
/* Per-flow state of the layer above; free_fn (may be NULL) runs after
 * on_close, or when the state is replaced. */
void		 flow_set_user(struct flow *, void *user,
		    void (*free_fn)(void *));
void		*flow_user(const struct flow *);
/* Bytes delivered so far in one direction. */
size_t		 flow_delivered(const struct flow *, enum flow_dir);

#endif /* CERTSWEEP_FLOW_H */
