/*
 * test_flow.c: probes/flow.c.  Synthetic TCP conversations through the
 * flow table: in order, out of order, retransmitted, overlapping, with
 * holes, across the 2^32 sequence wrap, both directions; eviction by the
 * table cap and by idle time; the per-direction byte cap.  The invariant
 * checked everywhere: what on_data delivers is exactly a prefix of the
 * stream that was sent, never more than the cap.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "probes/flow.h"

#define STREAM_MAX	(200 * 1024)

struct sink {
	uint8_t		 got[FLOW_DIR__MAX][STREAM_MAX];
	size_t		 len[FLOW_DIR__MAX];
	int		 closes;
	enum flow_end	 why;
	size_t		 closed_port[16];
	int		 user_freed;
	size_t		 done_after;	/* set done once C2S has this many */
};

struct conv {
	struct flow_table *t;
	struct sink	*s;
	uint32_t	 isn[FLOW_DIR__MAX];
	uint16_t	 cport;
	int64_t		 now;
};

static uint8_t stream[FLOW_DIR__MAX][STREAM_MAX];

static void
on_data(struct flow *f, enum flow_dir d, const uint8_t *p, size_t n,
    void *arg)
{
	struct sink *s = arg;

	assert_true(s->len[d] + n <= STREAM_MAX);
	memcpy(s->got[d] + s->len[d], p, n);
	s->len[d] += n;
	/* One sink may serve many flows: each flow's count is within. */
	assert_true(flow_delivered(f, d) <= s->len[d]);
	if (s->done_after > 0 && d == FLOW_C2S && s->len[d] >= s->done_after)
		flow_set_done(f);
}

static void
on_close(struct flow *f, enum flow_end why, void *arg)
{
	struct sink *s = arg;

	if (s->closes < 16)
		s->closed_port[s->closes] = flow_get_info(f)->client_port;
	s->closes++;
	s->why = why;
}

static void
free_user(void *p)
{
	struct sink *s = p;

	s->user_freed++;
}

static void
make_streams(void)
{
	size_t i;

	for (i = 0; i < STREAM_MAX; i++) {
		stream[FLOW_C2S][i] = (uint8_t)(i * 7 + i / 251);
		stream[FLOW_S2C][i] = (uint8_t)(i * 13 + 5 + i / 257);
	}
}

static void
conv_init(struct conv *c, const struct flow_limits *lim, uint32_t cisn,
    uint32_t sisn)
{
	struct flow_ops ops = {
		.on_data = on_data, .on_close = on_close,
	};

	memset(c, 0, sizeof(*c));
	c->s = calloc(1, sizeof(*c->s));
	assert_non_null(c->s);
	ops.arg = c->s;
	c->t = flow_table_new(lim, &ops);
	c->isn[FLOW_C2S] = cisn;
	c->isn[FLOW_S2C] = sisn;
	c->cport = 40000;
	c->now = 1000;
}

static void
conv_free(struct conv *c)
{
	flow_table_free(c->t);
	free(c->s);
}

/* A segment of direction d carrying stream bytes [off, off+len). */
static void
seg(struct conv *c, enum flow_dir d, size_t off, size_t len, uint8_t flags)
{
	struct pkt p = {
		.ts_sec = c->now,
		.src.family = AF_INET,
		.dst.family = AF_INET,
		.flags = flags,
		.payload = stream[d] + off,
		.len = len,
	};
	struct pkt_addr cl = { .family = AF_INET, .a = { 10, 0, 0, 1 } };
	struct pkt_addr sv = { .family = AF_INET, .a = { 10, 0, 0, 2 } };

	p.src = d == FLOW_C2S ? cl : sv;
	p.dst = d == FLOW_C2S ? sv : cl;
	p.sport = d == FLOW_C2S ? c->cport : 443;
	p.dport = d == FLOW_C2S ? 443 : c->cport;
	/* +1: the SYN took one sequence number. */
	p.seq = c->isn[d] + 1 + (uint32_t)off;
	/* Acknowledges only the peer's SYN: never data we did not send. */
	p.ack = c->isn[d ^ 1] + 1;
	if (!(flags & PKT_SYN) || d == FLOW_S2C)
		p.flags |= PKT_ACK;
	assert_int_equal(flow_table_packet(c->t, &p), 0);
}

static void
handshake(struct conv *c)
{
	seg(c, FLOW_C2S, (size_t)-1, 0, PKT_SYN);
	seg(c, FLOW_S2C, (size_t)-1, 0, PKT_SYN);
}

static void
assert_prefix(const struct conv *c, enum flow_dir d, size_t want)
{
	assert_int_equal(c->s->len[d], want);
	assert_memory_equal(c->s->got[d], stream[d], want);
}

static void
test_in_order(void **state)
{
	struct conv c;
	struct flow_stats st;
	size_t off;

	(void)state;
	conv_init(&c, NULL, 1000, 5000);
	handshake(&c);
	for (off = 0; off < 3000; off += 300) {
		seg(&c, FLOW_C2S, off, 300, PKT_PSH);
		seg(&c, FLOW_S2C, off * 2, 600, PKT_PSH);
	}
	seg(&c, FLOW_C2S, 3000, 0, PKT_FIN);
	assert_int_equal(c.s->closes, 0);
	seg(&c, FLOW_S2C, 6000, 0, PKT_FIN);
	assert_int_equal(c.s->closes, 1);
	assert_int_equal(c.s->why, FLOW_END_FIN);
	assert_prefix(&c, FLOW_C2S, 3000);
	assert_prefix(&c, FLOW_S2C, 6000);
	/* The last ACK and a late retransmission start nothing new. */
	seg(&c, FLOW_C2S, 2700, 300, PKT_FIN);
	flow_table_stats(c.t, &st);
	assert_int_equal(st.flows_created, 1);
	assert_int_equal(st.flows_closed, 1);
	assert_int_equal(st.flows_active, 0);
	assert_int_equal(st.gaps, 0);
	conv_free(&c);
}

static void
test_out_of_order(void **state)
{
	static const size_t order[] = { 3, 1, 0, 5, 4, 2, 7, 6 };
	struct conv c;
	struct flow_stats st;
	size_t i;

	(void)state;
	conv_init(&c, NULL, 77, 99);
	handshake(&c);
	for (i = 0; i < 8; i++) {
		seg(&c, FLOW_S2C, order[i] * 1000, 1000, 0);
		if (order[i] == 0)
			assert_prefix(&c, FLOW_S2C, 2000);
	}
	assert_prefix(&c, FLOW_S2C, 8000);
	flow_table_stats(c.t, &st);
	assert_true(st.out_of_order >= 5);
	assert_int_equal(st.gaps, 0);
	conv_free(&c);
}

static void
test_retransmit_overlap(void **state)
{
	struct conv c;
	struct flow_stats st;

	(void)state;
	conv_init(&c, NULL, 4242, 1);
	handshake(&c);
	seg(&c, FLOW_C2S, 0, 100, 0);
	seg(&c, FLOW_C2S, 0, 100, 0);		/* exact duplicate */
	seg(&c, FLOW_C2S, 50, 100, 0);		/* overlaps the end */
	seg(&c, FLOW_C2S, 300, 100, 0);		/* future */
	seg(&c, FLOW_C2S, 300, 100, 0);		/* future, duplicate */
	seg(&c, FLOW_C2S, 250, 120, 0);		/* future, overlaps */
	seg(&c, FLOW_C2S, 120, 30, 0);		/* inside what we have */
	assert_prefix(&c, FLOW_C2S, 150);
	seg(&c, FLOW_C2S, 140, 120, 0);		/* fills the hole */
	assert_prefix(&c, FLOW_C2S, 400);
	seg(&c, FLOW_C2S, 0, 400, 0);		/* everything again */
	assert_prefix(&c, FLOW_C2S, 400);
	flow_table_stats(c.t, &st);
	assert_true(st.retransmits >= 3);
	conv_free(&c);
}

static void
test_gap(void **state)
{
	struct conv c;
	struct flow_stats st;

	(void)state;
	conv_init(&c, NULL, 10, 20);
	handshake(&c);
	seg(&c, FLOW_S2C, 0, 500, 0);
	seg(&c, FLOW_S2C, 1000, 500, 0);	/* [500,1000) never comes */
	seg(&c, FLOW_S2C, 1500, 500, PKT_FIN);
	seg(&c, FLOW_C2S, 0, 0, PKT_FIN);
	assert_prefix(&c, FLOW_S2C, 500);
	assert_int_equal(c.s->closes, 0);	/* the hole may still fill */
	conv_free(&c);

	/* The same, flushed by hand to look at the stats. */
	conv_init(&c, NULL, 10, 20);
	handshake(&c);
	seg(&c, FLOW_S2C, 0, 500, 0);
	seg(&c, FLOW_S2C, 1000, 500, 0);
	flow_table_flush(c.t);
	flow_table_stats(c.t, &st);
	assert_int_equal(st.gaps, 1);
	assert_prefix(&c, FLOW_S2C, 500);
	assert_int_equal(c.s->why, FLOW_END_FLUSH);
	conv_free(&c);
}

/* The client acknowledges server bytes the capture never had. */
static void
test_gap_by_ack(void **state)
{
	struct conv c;
	struct flow_stats st;
	struct pkt p = { .len = 0 };

	(void)state;
	conv_init(&c, NULL, 10, 20);
	handshake(&c);
	seg(&c, FLOW_S2C, 0, 500, 0);
	seg(&c, FLOW_S2C, 1000, 500, 0);
	p.ts_sec = c.now;
	p.src = (struct pkt_addr){ .family = AF_INET, .a = { 10, 0, 0, 1 } };
	p.dst = (struct pkt_addr){ .family = AF_INET, .a = { 10, 0, 0, 2 } };
	p.sport = c.cport;
	p.dport = 443;
	p.seq = c.isn[FLOW_C2S] + 1;
	p.ack = c.isn[FLOW_S2C] + 1 + 1500;
	p.flags = PKT_ACK;
	assert_int_equal(flow_table_packet(c.t, &p), 0);
	flow_table_stats(c.t, &st);
	assert_int_equal(st.gaps, 1);
	seg(&c, FLOW_S2C, 500, 500, 0);		/* too late: stopped */
	assert_prefix(&c, FLOW_S2C, 500);
	/* Both FINs now close the flow at once. */
	seg(&c, FLOW_S2C, 1500, 0, PKT_FIN);
	seg(&c, FLOW_C2S, 0, 0, PKT_FIN);
	assert_int_equal(c.s->closes, 1);
	assert_int_equal(c.s->why, FLOW_END_FIN);
	conv_free(&c);
}

static void
test_wraparound(void **state)
{
	struct conv c;
	size_t i;

	(void)state;
	conv_init(&c, NULL, 0xffffff00u, 0xfffffff0u);
	handshake(&c);
	for (i = 0; i < 10; i++)
		seg(&c, FLOW_C2S, i * 100, 100, 0);
	/* Out of order across the wrap in the other direction. */
	seg(&c, FLOW_S2C, 100, 100, 0);
	seg(&c, FLOW_S2C, 200, 100, 0);
	seg(&c, FLOW_S2C, 0, 100, 0);
	assert_prefix(&c, FLOW_C2S, 1000);
	assert_prefix(&c, FLOW_S2C, 300);
	conv_free(&c);
}

static void
test_cap(void **state)
{
	struct flow_limits lim = { .dir_bytes = 1000 };
	struct conv c;
	struct flow_stats st;

	(void)state;
	conv_init(&c, &lim, 1, 2);
	handshake(&c);
	seg(&c, FLOW_C2S, 1200, 300, 0);	/* future, past the cap */
	seg(&c, FLOW_C2S, 900, 300, 0);		/* future, straddles it */
	seg(&c, FLOW_C2S, 0, 600, 0);
	seg(&c, FLOW_C2S, 600, 300, 0);
	assert_prefix(&c, FLOW_C2S, 1000);
	seg(&c, FLOW_C2S, 1500, 500, 0);
	assert_prefix(&c, FLOW_C2S, 1000);
	flow_table_stats(c.t, &st);
	assert_int_equal(st.bytes_delivered, 1000);
	assert_true(st.bytes_dropped_cap >= 500 + 300);
	conv_free(&c);
}

static void
test_evict_cap(void **state)
{
	struct flow_limits lim = { .max_flows = 4 };
	struct conv c;
	struct flow_stats st;
	int i;

	(void)state;
	conv_init(&c, &lim, 1, 2);
	for (i = 0; i < 6; i++) {
		c.cport = (uint16_t)(40000 + i);
		handshake(&c);
		seg(&c, FLOW_C2S, 0, 10, 0);
	}
	c.cport = 40002;			/* touch: now the newest */
	seg(&c, FLOW_C2S, 10, 10, 0);
	c.cport = 40006;
	handshake(&c);
	flow_table_stats(c.t, &st);
	assert_int_equal(st.flows_created, 7);
	assert_int_equal(st.flows_evicted, 3);
	assert_int_equal(st.flows_active, 4);
	assert_int_equal(c.s->closes, 3);
	assert_int_equal(c.s->closed_port[0], 40000);
	assert_int_equal(c.s->closed_port[1], 40001);
	assert_int_equal(c.s->closed_port[2], 40003);
	assert_int_equal(c.s->why, FLOW_END_EVICTED);
	conv_free(&c);
}

static void
test_idle(void **state)
{
	struct flow_limits lim = { .idle_timeout = 10 };
	struct conv c;
	struct flow_stats st;

	(void)state;
	conv_init(&c, &lim, 1, 2);
	handshake(&c);				/* flow 40000 at t=1000 */
	c.cport = 40001;
	c.now = 1008;
	handshake(&c);
	c.now = 1011;				/* 40000 idle for 11 s */
	c.cport = 40001;
	seg(&c, FLOW_C2S, 0, 10, 0);
	assert_int_equal(c.s->closes, 1);
	assert_int_equal(c.s->closed_port[0], 40000);
	assert_int_equal(c.s->why, FLOW_END_IDLE);
	flow_table_expire(c.t, 1030);
	flow_table_stats(c.t, &st);
	assert_int_equal(st.flows_idle, 2);
	assert_int_equal(st.flows_active, 0);
	conv_free(&c);
}

/* No SYN seen: the lower port is the server, whoever speaks first. */
static void
test_direction(void **state)
{
	struct conv c;
	struct pkt p = { .len = 0 };

	(void)state;
	conv_init(&c, NULL, 1, 2);
	seg(&c, FLOW_S2C, 0, 100, 0);		/* server speaks first */
	seg(&c, FLOW_C2S, 0, 50, 0);
	assert_prefix(&c, FLOW_S2C, 100);
	assert_prefix(&c, FLOW_C2S, 50);
	flow_table_flush(c.t);
	assert_int_equal(c.s->closes, 1);
	assert_int_equal(c.s->closed_port[0], 40000);

	/* A SYN outranks the port heuristic: 443 dials 40000 here. */
	p.ts_sec = c.now;
	p.src = (struct pkt_addr){ .family = AF_INET6, .a = { 0xfe, 0x80 } };
	p.dst = (struct pkt_addr){ .family = AF_INET6, .a = { 0xfe, 0x81 } };
	p.sport = 443;
	p.dport = 40000;
	p.flags = PKT_SYN;
	assert_int_equal(flow_table_packet(c.t, &p), 0);
	flow_table_flush(c.t);
	assert_int_equal(c.s->closes, 2);
	assert_int_equal(c.s->closed_port[1], 443);
	conv_free(&c);
}

static void
test_done_and_user(void **state)
{
	struct conv c;
	struct flow_stats st;

	(void)state;
	conv_init(&c, NULL, 1, 2);
	c.s->done_after = 100;
	handshake(&c);
	seg(&c, FLOW_C2S, 0, 100, 0);
	seg(&c, FLOW_C2S, 100, 100, 0);
	seg(&c, FLOW_S2C, 0, 100, 0);
	assert_prefix(&c, FLOW_C2S, 100);
	assert_prefix(&c, FLOW_S2C, 0);
	flow_table_stats(c.t, &st);
	assert_int_equal(st.flows_created, 1);
	flow_table_free(c.t);
	c.t = NULL;
	assert_int_equal(c.s->closes, 1);
	free(c.s);
}

static void
grab_flow(struct flow *f, enum flow_dir d, const uint8_t *p, size_t n,
    void *arg)
{
	struct sink *s = arg;

	(void)d;
	(void)p;
	(void)n;
	if (flow_user(f) == NULL)
		flow_set_user(f, s, free_user);
}

static void
test_user_state(void **state)
{
	struct flow_ops ops = { .on_data = grab_flow };
	struct sink *s = calloc(1, sizeof(*s));
	struct conv c;

	(void)state;
	assert_non_null(s);
	conv_init(&c, NULL, 1, 2);
	free(c.s);
	flow_table_free(c.t);
	ops.arg = s;
	c.s = s;
	c.t = flow_table_new(NULL, &ops);
	handshake(&c);
	seg(&c, FLOW_C2S, 0, 10, 0);
	seg(&c, FLOW_C2S, 10, 10, PKT_RST);
	assert_int_equal(s->user_freed, 1);	/* freed once, at the RST */
	flow_table_free(c.t);
	assert_int_equal(s->user_freed, 1);
	free(s);
}

/* Random segmentation, shuffling and duplication, no loss. */
static void
test_random(void **state)
{
	struct flow_limits lim = { .ooo_segs = 64 };
	struct conv c;
	size_t offs[200], lens[200], n, i, j, total, off;
	uint32_t rnd = 12345;
	int round;

	(void)state;
	for (round = 0; round < 40; round++) {
		conv_init(&c, &lim, rnd * 2654435761u, rnd ^ 0xdeadbeef);
		handshake(&c);
		for (n = 0, off = 0; n < 200 && off < 90000; n++) {
			rnd = rnd * 1103515245 + 12345;
			lens[n] = 1 + (rnd >> 16) % 1460;
			offs[n] = off;
			off += lens[n];
		}
		total = off;
		for (i = 0; i < n; i++) {	/* local shuffles */
			rnd = rnd * 1103515245 + 12345;
			j = i + (rnd >> 16) % 4;
			if (j < n) {
				size_t t1 = offs[i], t2 = lens[i];

				offs[i] = offs[j];
				lens[i] = lens[j];
				offs[j] = t1;
				lens[j] = t2;
			}
		}
		for (i = 0; i < n; i++) {
			seg(&c, FLOW_S2C, offs[i], lens[i], 0);
			rnd = rnd * 1103515245 + 12345;
			if ((rnd >> 16) % 5 == 0)
				seg(&c, FLOW_S2C, offs[i], lens[i], 0);
			assert_true(c.s->len[FLOW_S2C] <=
			    FLOW_DEFAULT_DIR_BYTES);
			assert_memory_equal(c.s->got[FLOW_S2C],
			    stream[FLOW_S2C], c.s->len[FLOW_S2C]);
		}
		assert_prefix(&c, FLOW_S2C, total < FLOW_DEFAULT_DIR_BYTES ?
		    total : FLOW_DEFAULT_DIR_BYTES);
		conv_free(&c);
	}
}

static void
test_bad_packet(void **state)
{
	struct flow_table *t = flow_table_new(NULL, NULL);
	struct pkt p = { .sport = 1, .dport = 2 };

	(void)state;
	assert_int_equal(flow_table_packet(t, &p), -1);	/* no family */
	p.src.family = p.dst.family = AF_INET;
	p.sport = 0;
	assert_int_equal(flow_table_packet(t, &p), -1);
	assert_string_equal(flow_end_name(FLOW_END_IDLE), "idle");
	assert_null(flow_end_name(FLOW_END__MAX));
	flow_table_free(t);
	flow_table_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_retransmit_overlap),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_gap_by_ack),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_evict_cap),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_done_and_user),
		cmocka_unit_test(test_user_state),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_bad_packet),
	};

	make_streams();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
