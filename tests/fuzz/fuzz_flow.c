/*
 * fuzz_flow.c: the flow table driven by synthetic segments decoded from
 * the input, 8 bytes each: flow and direction, TCP flags, a sequence
 * offset near a base close to the 2^32 wrap, a length, a time step and an
 * acknowledgement offset.  Every payload byte equals the low byte of its
 * sequence number, so delivered bytes must count up by one, without a
 * break, in every direction; and no direction may get more than the cap.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probes/flow.h"

#define NFLOWS	4
#define CAP	4096

struct track {
	size_t		 got[NFLOWS][FLOW_DIR__MAX];
	uint8_t		 last[NFLOWS][FLOW_DIR__MAX];
};

static uint8_t payload_buf[4096 + 256];

/* The flow's index from its non-443 port: a bare SYN from port 443 makes
 * 443 the client, which is legitimate. */
static size_t
flow_index(const struct flow *f)
{
	const struct flow_info *in = flow_get_info(f);

	return (size_t)(in->client_port == 443 ? in->server_port :
	    in->client_port) - 40000u;
}

static void
on_data(struct flow *f, enum flow_dir d, const uint8_t *p, size_t n,
    void *arg)
{
	struct track *t = arg;
	size_t i, fi = flow_index(f);

	if (fi >= NFLOWS || n == 0)
		abort();
	for (i = 0; i < n; i++) {
		if (t->got[fi][d] + i > 0 &&
		    p[i] != (uint8_t)(t->last[fi][d] + 1))
			abort();	/* a byte out of sequence */
		t->last[fi][d] = p[i];
	}
	t->got[fi][d] += n;
	if (flow_delivered(f, d) > CAP)
		abort();
}

static void
on_close(struct flow *f, enum flow_end why, void *arg)
{
	struct track *t = arg;
	size_t fi = flow_index(f);

	(void)why;
	if (fi < NFLOWS) {		/* a new flow may reuse the ports */
		t->got[fi][0] = t->got[fi][1] = 0;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flow_limits lim = {
		.max_flows = 3, .idle_timeout = 20, .dir_bytes = CAP,
		.ooo_segs = 4, .ooo_total = 8192, .hash_seed = 7,
	};
	struct track t;
	struct flow_ops ops = { .on_data = on_data, .on_close = on_close,
	    .arg = &t };
	struct flow_table *ft;
	struct flow_stats st;
	int64_t now = 1000;
	size_t i;

	memset(&t, 0, sizeof(t));
	ft = flow_table_new(&lim, &ops);
	for (i = 0; i + 8 <= size; i += 8) {
		const uint8_t *r = data + i;
		unsigned fi = r[0] & 3, d = (r[0] >> 2) & 1;
		uint32_t base = 0xfffff000u + fi * 0x101u + d * 0x10000u;
		uint32_t seq = base + (uint32_t)(int16_t)(r[2] | r[3] << 8);
		size_t len = (size_t)(r[4] | r[5] << 8) % 1500;
		struct pkt p = {
			.src.family = AF_INET, .dst.family = AF_INET,
			.flags = r[1] & 0x1f,
			.truncated = (r[0] & 0x80) != 0,
			.seq = seq,
			.len = len,
		};
		uint32_t pbase = d ? 0xfffff000u + fi * 0x101u :
		    0xfffff000u + fi * 0x101u + 0x10000u;
		size_t j;

		now += r[6] & 0x0f;
		p.ts_sec = now;
		p.ack = pbase + (uint32_t)(int16_t)(r[7] << 4);
		p.src.a[3] = d ? 2 : 1;
		p.dst.a[3] = d ? 1 : 2;
		p.sport = d ? 443 : (uint16_t)(40000 + fi);
		p.dport = d ? (uint16_t)(40000 + fi) : 443;
		/* Payload byte k has the low byte of its sequence number;
		 * a SYN's data starts one number later. */
		for (j = 0; j < len; j++)
			payload_buf[j] = (uint8_t)(seq + j +
			    ((p.flags & PKT_SYN) ? 1 : 0));
		p.payload = payload_buf;
		flow_table_packet(ft, &p);
	}
	flow_table_stats(ft, &st);
	if (st.flows_active > lim.max_flows)
		abort();
	flow_table_free(ft);
	return 0;
}
