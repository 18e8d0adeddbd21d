/*
 * flow.c: bounded passive TCP flow table with per-direction reassembly of
 * the first bytes of each stream.
 *
 * Flows live in a chained hash table keyed by the unordered 4-tuple (both
 * directions hash alike) and on an LRU list ordered by last packet; the
 * list head is the first to go when the table is full or idle.  Each
 * direction ("half") tracks the next expected sequence number and delivers
 * bytes exactly once, in order, up to a cap.  Segments from the future wait
 * in a small sorted list until the hole before them fills; a hole that
 * never fills stops that direction (we never invent bytes).  Signs that a
 * hole will never fill: the receiver acknowledges bytes we did not see
 * (capture loss), the held list overflows, or the flow ends.
 *
 * Hazard tags: [SEQ-WRAP] sequence arithmetic is modulo 2^32 through signed
 * 32-bit differences; [OOO-BOUND] held data is bounded per direction and
 * per table; [CAP-TRIM] nothing past the per-direction cap is stored.
 */
#include "probes/flow.h"

#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "scanner/xmem.h"

struct ooo_seg {
	struct ooo_seg	*next;		/* sorted by sequence number */
	uint32_t	 seq;
	size_t		 len;
	uint8_t		 data[];
};

struct flow_half {
	bool		 started;	/* next is known */
	bool		 stopped;	/* deliver nothing more */
	bool		 capped;	/* stopped by the byte cap */
	bool		 fin;		/* FIN seen, at fin_seq */
	bool		 finished;	/* everything up to the FIN is in */
	uint32_t	 next;		/* next expected sequence number */
	uint32_t	 fin_seq;
	size_t		 delivered;
	struct ooo_seg	*ooo;
	size_t		 nooo;
	size_t		 ooo_bytes;
};

struct flow {
	struct flow		*hnext;
	struct flow		*lru_prev;
	struct flow		*lru_next;
	struct flow_table	*table;
	uint64_t		 hash;
	struct flow_info	 info;
	struct flow_half	 half[FLOW_DIR__MAX];
	bool			 done;
	bool			 closed;	/* on the closed list */
	void			*user;
	void			(*user_free)(void *);
};

struct flow_list {
	struct flow		*head;
	struct flow		*tail;
};

struct flow_table {
	struct flow_limits	 lim;
	struct flow_ops		 ops;
	struct flow		**buckets;
	size_t			 nbuckets;	/* a power of two */
	struct flow_list	 open;		/* head: least recently used */
	struct flow_list	 closed;	/* head: closed first */
	size_t			 nflows;	/* on either list */
	size_t			 ooo_bytes;	/* held by all flows */
	struct flow_stats	 st;
};

static const char *const flow_end_names[] = {
	[FLOW_END_FIN] = "fin",
	[FLOW_END_RST] = "rst",
	[FLOW_END_IDLE] = "idle",
	[FLOW_END_EVICTED] = "evicted",
	[FLOW_END_FLUSH] = "flush",
};
_Static_assert(sizeof(flow_end_names) / sizeof(flow_end_names[0]) ==
    FLOW_END__MAX, "flow_end_names out of step with enum flow_end");

const char *
flow_end_name(enum flow_end e)
{
	if ((unsigned)e >= FLOW_END__MAX)
		return NULL;
	return flow_end_names[e];
}

/* [SEQ-WRAP] a - b as a signed distance on the 2^32 circle. */
static int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Address and port as 18 comparable bytes. */
static void
endpoint_bytes(const struct pkt_addr *a, uint16_t port, uint8_t out[18])
{
	memcpy(out, a->a, 16);
	out[16] = port >> 8;
	out[17] = port & 0xff;
}

/* Same value for both directions: hash the smaller endpoint first. */
static uint64_t
flow_hash(uint64_t seed, const struct pkt *p)
{
	uint8_t e1[18], e2[18];
	const uint8_t *lo, *hi;
	uint64_t h = seed ^ (uint64_t)p->src.family;
	size_t i;

	endpoint_bytes(&p->src, p->sport, e1);
	endpoint_bytes(&p->dst, p->dport, e2);
	lo = memcmp(e1, e2, sizeof(e1)) <= 0 ? e1 : e2;
	hi = lo == e1 ? e2 : e1;
	for (i = 0; i < 18; i++)
		h = (h ^ lo[i]) * 0x100000001b3ULL;
	for (i = 0; i < 18; i++)
		h = (h ^ hi[i]) * 0x100000001b3ULL;
	return mix64(h);
}

static bool
addr_eq(const struct pkt_addr *a, const struct pkt_addr *b)
{
	return a->family == b->family && memcmp(a->a, b->a, 16) == 0;
}

/* Direction of p within f, or -1 when p is not of this flow. */
static int
flow_match(const struct flow *f, const struct pkt *p)
{
	const struct flow_info *in = &f->info;

	if (p->sport == in->client_port && p->dport == in->server_port &&
	    addr_eq(&p->src, &in->client) && addr_eq(&p->dst, &in->server))
		return FLOW_C2S;
	if (p->sport == in->server_port && p->dport == in->client_port &&
	    addr_eq(&p->src, &in->server) && addr_eq(&p->dst, &in->client))
		return FLOW_S2C;
	return -1;
}

struct flow_table *
flow_table_new(const struct flow_limits *lim, const struct flow_ops *ops)
{
	struct flow_table *t = xcalloc(1, sizeof(*t));

	if (lim != NULL)
		t->lim = *lim;
	if (t->lim.max_flows == 0)
		t->lim.max_flows = FLOW_DEFAULT_MAX_FLOWS;
	if (t->lim.idle_timeout <= 0)
		t->lim.idle_timeout = FLOW_DEFAULT_IDLE;
	if (t->lim.dir_bytes == 0)
		t->lim.dir_bytes = FLOW_DEFAULT_DIR_BYTES;
	if (t->lim.linger <= 0 || t->lim.linger > t->lim.idle_timeout)
		t->lim.linger = t->lim.idle_timeout < FLOW_DEFAULT_LINGER ?
		    t->lim.idle_timeout : FLOW_DEFAULT_LINGER;
	if (t->lim.ooo_segs == 0)
		t->lim.ooo_segs = FLOW_DEFAULT_OOO_SEGS;
	if (t->lim.ooo_total == 0)
		t->lim.ooo_total = FLOW_DEFAULT_OOO_TOTAL;
	if (ops != NULL)
		t->ops = *ops;
	t->nbuckets = 16;
	while (t->nbuckets < t->lim.max_flows && t->nbuckets < (1u << 24))
		t->nbuckets <<= 1;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	return t;
}

static void
half_drop_ooo(struct flow_table *t, struct flow_half *h)
{
	struct ooo_seg *s;

	while ((s = h->ooo) != NULL) {
		h->ooo = s->next;
		t->ooo_bytes -= s->len;
		free(s);
	}
	h->nooo = 0;
	h->ooo_bytes = 0;
}

static void
half_stop(struct flow_table *t, struct flow_half *h)
{
	h->stopped = true;
	half_drop_ooo(t, h);
}

/* The hole before the held data will not fill: stop, count a gap. */
static void
half_gap(struct flow_table *t, struct flow_half *h)
{
	if (h->stopped)
		return;
	t->st.gaps++;
	half_stop(t, h);
}

static void
list_unlink(struct flow_list *l, struct flow *f)
{
	if (f->lru_prev != NULL)
		f->lru_prev->lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next != NULL)
		f->lru_next->lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void
list_append(struct flow_list *l, struct flow *f)
{
	f->lru_prev = l->tail;
	f->lru_next = NULL;
	if (l->tail != NULL)
		l->tail->lru_next = f;
	else
		l->head = f;
	l->tail = f;
}

/* Unhashes, unlists and frees a flow; no callbacks. */
static void
flow_destroy(struct flow_table *t, struct flow *f)
{
	struct flow **pp;

	pp = &t->buckets[f->hash & (t->nbuckets - 1)];
	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	list_unlink(f->closed ? &t->closed : &t->open, f);
	t->nflows--;
	free(f);
}

/*
 * Ends a flow for the layer above: held data is a gap, on_close, user
 * state freed.  A flow that ended by FIN or RST stays a while on the
 * closed list so that its stragglers (retransmitted data after both FINs,
 * the last ACK) do not start a new flow.
 */
static void
flow_close(struct flow_table *t, struct flow *f, enum flow_end why)
{
	int d;

	for (d = 0; d < FLOW_DIR__MAX; d++) {
		if (f->half[d].nooo > 0)
			half_gap(t, &f->half[d]);
		half_stop(t, &f->half[d]);
	}
	if (t->ops.on_close != NULL)
		t->ops.on_close(f, why, t->ops.arg);
	if (f->user_free != NULL)
		f->user_free(f->user);
	f->user = NULL;
	f->user_free = NULL;
	t->st.flows_active--;
	switch (why) {
	case FLOW_END_FIN:
	case FLOW_END_RST:
		t->st.flows_closed++;
		break;
	case FLOW_END_IDLE:
		t->st.flows_idle++;
		break;
	case FLOW_END_EVICTED:
		t->st.flows_evicted++;
		break;
	case FLOW_END_FLUSH:
	case FLOW_END__MAX:
		break;
	}
	if (why == FLOW_END_FIN || why == FLOW_END_RST) {
		list_unlink(&t->open, f);
		f->closed = true;
		list_append(&t->closed, f);
	} else
		flow_destroy(t, f);
}

void
flow_table_expire(struct flow_table *t, int64_t now_sec)
{
	while (t->closed.head != NULL &&
	    now_sec - t->closed.head->info.last_sec > t->lim.linger)
		flow_destroy(t, t->closed.head);
	while (t->open.head != NULL &&
	    now_sec - t->open.head->info.last_sec > t->lim.idle_timeout)
		flow_close(t, t->open.head, FLOW_END_IDLE);
}

void
flow_table_flush(struct flow_table *t)
{
	while (t->open.head != NULL)
		flow_close(t, t->open.head, FLOW_END_FLUSH);
	while (t->closed.head != NULL)
		flow_destroy(t, t->closed.head);
}

void
flow_table_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	flow_table_flush(t);
	free(t->buckets);
	free(t);
}

void
flow_table_stats(const struct flow_table *t, struct flow_stats *out)
{
	*out = t->st;
}

/*
 * Who is the client: the sender of a bare SYN, the receiver of a SYN-ACK,
 * else the higher port (servers sit on low, well-known ports), else the
 * first sender.
 */
static bool
src_is_client(const struct pkt *p)
{
	if (p->flags & PKT_SYN)
		return !(p->flags & PKT_ACK);
	return p->sport >= p->dport;
}

static struct flow *
flow_create(struct flow_table *t, const struct pkt *p, uint64_t hash)
{
	struct flow *f;
	struct flow_info *in;
	size_t b;

	if (t->nflows >= t->lim.max_flows) {
		if (t->closed.head != NULL)
			flow_destroy(t, t->closed.head);
		else
			flow_close(t, t->open.head, FLOW_END_EVICTED);
	}
	f = xcalloc(1, sizeof(*f));
	f->table = t;
	f->hash = hash;
	in = &f->info;
	if (src_is_client(p)) {
		in->client = p->src;
		in->client_port = p->sport;
		in->server = p->dst;
		in->server_port = p->dport;
	} else {
		in->client = p->dst;
		in->client_port = p->dport;
		in->server = p->src;
		in->server_port = p->sport;
	}
	in->saw_syn = (p->flags & PKT_SYN) != 0;
	in->first_sec = p->ts_sec;
	in->first_usec = p->ts_usec;
	b = hash & (t->nbuckets - 1);
	f->hnext = t->buckets[b];
	t->buckets[b] = f;
	list_append(&t->open, f);
	t->nflows++;
	t->st.flows_created++;
	t->st.flows_active++;
	return f;
}

/* Hands up to the cap of data to the layer above; advances next by len. */
static void
half_deliver(struct flow_table *t, struct flow *f, enum flow_dir d,
    const uint8_t *data, size_t len)
{
	struct flow_half *h = &f->half[d];
	size_t room = t->lim.dir_bytes - h->delivered;
	size_t n = len < room ? len : room;

	h->next += (uint32_t)len;
	if (n < len)
		t->st.bytes_dropped_cap += len - n;
	if (n > 0) {
		h->delivered += n;
		t->st.bytes_delivered += n;
		if (t->ops.on_data != NULL)
			t->ops.on_data(f, d, data, n, t->ops.arg);
	}
	if (h->delivered >= t->lim.dir_bytes && !h->stopped) {
		h->capped = true;
		half_stop(t, h);
	}
}

/* Applies held segments that the stream has now reached. */
static void
half_drain(struct flow_table *t, struct flow *f, enum flow_dir d)
{
	struct flow_half *h = &f->half[d];
	struct ooo_seg *s;
	int32_t off;
	size_t skip;

	while (!h->stopped && (s = h->ooo) != NULL) {
		off = seq_diff(s->seq, h->next);
		if (off > 0)
			break;
		h->ooo = s->next;
		h->nooo--;
		h->ooo_bytes -= s->len;
		t->ooo_bytes -= s->len;
		skip = (size_t)-(int64_t)off;
		if (skip < s->len)
			half_deliver(t, f, d, s->data + skip, s->len - skip);
		free(s);
	}
}

/* [OOO-BOUND] Holds a segment from the future, sorted, bounded. */
static void
half_hold(struct flow_table *t, struct flow_half *h, uint32_t seq,
    const uint8_t *data, size_t len, size_t off)
{
	size_t room = t->lim.dir_bytes - h->delivered;
	struct ooo_seg **pp, *s;

	if (off >= room) {	/* [CAP-TRIM] wholly past the cap */
		t->st.bytes_dropped_cap += len;
		return;
	}
	if (len > room - off) {
		t->st.bytes_dropped_cap += len - (room - off);
		len = room - off;
	}
	for (pp = &h->ooo; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->seq == seq && (*pp)->len >= len) {
			t->st.retransmits++;
			return;
		}
		if (seq_diff((*pp)->seq, seq) > 0)
			break;
	}
	if (h->nooo >= t->lim.ooo_segs ||
	    len > t->lim.ooo_total - t->ooo_bytes) {
		half_gap(t, h);
		return;
	}
	s = xmalloc(sizeof(*s) + len);
	s->seq = seq;
	s->len = len;
	memcpy(s->data, data, len);
	s->next = *pp;
	*pp = s;
	h->nooo++;
	h->ooo_bytes += len;
	t->ooo_bytes += len;
	t->st.out_of_order++;
}

static void
half_data(struct flow_table *t, struct flow *f, enum flow_dir d,
    uint32_t seq, const struct pkt *p)
{
	struct flow_half *h = &f->half[d];
	int32_t off;
	size_t skip;

	if (h->stopped) {
		if (h->capped)
			t->st.bytes_dropped_cap += p->len;
		return;
	}
	if (!h->started) {
		h->started = true;
		h->next = seq;
	}
	off = seq_diff(seq, h->next);
	if (off > 0) {
		if (p->truncated)
			half_gap(t, h);
		else
			half_hold(t, h, seq, p->payload, p->len, (size_t)off);
		return;
	}
	if ((int64_t)off + (int64_t)p->len <= 0) {
		t->st.retransmits++;
		return;
	}
	skip = (size_t)-(int64_t)off;
	half_deliver(t, f, d, p->payload + skip, p->len - skip);
	if (p->truncated)	/* the rest of this segment is lost to us */
		half_gap(t, h);
	half_drain(t, f, d);
}

/* The peer acknowledges bytes of h we never saw: capture loss. */
static void
half_check_ack(struct flow_table *t, struct flow_half *h, uint32_t ack)
{
	uint32_t end;

	if (!h->started || h->stopped)
		return;
	end = h->next;
	if (h->fin && h->next == h->fin_seq)
		end++;			/* the FIN takes one number */
	if (seq_diff(ack, end) > 0)
		half_gap(t, h);
}

static void
half_update_finished(struct flow_half *h)
{
	if (h->fin && (h->stopped || h->next == h->fin_seq))
		h->finished = true;
}

static void
flow_segment(struct flow_table *t, struct flow *f, enum flow_dir d,
    const struct pkt *p)
{
	struct flow_half *h = &f->half[d];
	uint32_t seq = p->seq;

	if (p->flags & PKT_SYN) {
		seq++;			/* the SYN takes one number */
		if (!h->started) {
			h->started = true;
			h->next = seq;
		}
	}
	if (p->flags & PKT_ACK)
		half_check_ack(t, &f->half[d ^ 1], p->ack);
	if (p->len > 0)
		half_data(t, f, d, seq, p);
	if (p->flags & PKT_FIN) {
		if (!h->started) {
			h->started = true;
			h->next = seq + (uint32_t)p->len;
		}
		h->fin = true;
		h->fin_seq = seq + (uint32_t)p->len;
	}
	half_update_finished(h);
	half_update_finished(&f->half[d ^ 1]);
}

int
flow_table_packet(struct flow_table *t, const struct pkt *p)
{
	struct flow *f;
	uint64_t hash;
	int d = -1;

	if ((p->src.family != AF_INET && p->src.family != AF_INET6) ||
	    p->dst.family != p->src.family || p->sport == 0 ||
	    p->dport == 0 || (p->len > 0 && p->payload == NULL))
		return -1;
	t->st.packets++;
	flow_table_expire(t, p->ts_sec);
	hash = flow_hash(t->lim.hash_seed, p);
	for (f = t->buckets[hash & (t->nbuckets - 1)]; f != NULL; f = f->hnext)
		if (f->hash == hash && (d = flow_match(f, p)) >= 0)
			break;
	if (f == NULL) {
		/* Stragglers of a closed flow (last ACK, RST) start nothing. */
		if (!(p->flags & PKT_SYN) && p->len == 0)
			return 0;
		if (p->flags & PKT_RST)
			return 0;
		f = flow_create(t, p, hash);
		d = flow_match(f, p);
	}
	if (f->closed)
		return 0;	/* a straggler; the linger is not renewed */
	f->info.last_sec = p->ts_sec;
	f->info.last_usec = p->ts_usec;
	list_unlink(&t->open, f);
	list_append(&t->open, f);
	if (p->flags & PKT_RST) {
		flow_close(t, f, FLOW_END_RST);
		return 0;
	}
	flow_segment(t, f, (enum flow_dir)d, p);
	if (f->half[FLOW_C2S].finished && f->half[FLOW_S2C].finished)
		flow_close(t, f, FLOW_END_FIN);
	return 0;
}

const struct flow_info *
flow_get_info(const struct flow *f)
{
	return &f->info;
}

void
flow_stop(struct flow *f, enum flow_dir d)
{
	if ((unsigned)d < FLOW_DIR__MAX)
		half_stop(f->table, &f->half[d]);
}

void
flow_set_done(struct flow *f)
{
	f->done = true;
	half_stop(f->table, &f->half[FLOW_C2S]);
	half_stop(f->table, &f->half[FLOW_S2C]);
}

bool
flow_is_done(const struct flow *f)
{
	return f->done;
}

void
flow_set_user(struct flow *f, void *user, void (*free_fn)(void *))
{
	if (f->user_free != NULL && f->user != user)
		f->user_free(f->user);
	f->user = user;
	f->user_free = free_fn;
}

void *
flow_user(const struct flow *f)
{
	return f->user;
}

size_t
flow_delivered(const struct flow *f, enum flow_dir d)
{
	if ((unsigned)d >= FLOW_DIR__MAX)
		return 0;
	return f->half[d].delivered;
}
