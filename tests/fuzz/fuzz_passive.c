/*
 * fuzz_passive.c: the passive pipeline after capture (flow table, TLS
 * detector, STARTTLS watcher, tlswire, certificate facts) on one synthetic
 * TCP connection whose bytes come from the input.  The first byte picks
 * the server port (and so the STARTTLS watcher); then each chunk is a
 * header byte (bit 7: server to client; bits 0-6: length - 1) and that
 * many bytes, sent in order.  Every emitted observation must be sane.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probes/flow.h"
#include "probes/passive.h"
#include "scanner/record.h"

static const uint16_t ports[] = { 443, 25, 143, 110, 21, 5222, 389, 8080 };

static void
check(struct observation *o, void *arg)
{
	(void)arg;
	if (o->source != OBS_PASSIVE || o->chain_len > CHAIN_MAX ||
	    strnlen(o->sni, sizeof(o->sni)) == sizeof(o->sni) ||
	    strnlen(o->version, sizeof(o->version)) == sizeof(o->version) ||
	    strnlen(o->cipher, sizeof(o->cipher)) == sizeof(o->cipher) ||
	    strnlen(o->banner, sizeof(o->banner)) == sizeof(o->banner) ||
	    o->protocol == NULL || (unsigned)o->status >= SCAN__MAX)
		abort();
	for (size_t i = 0; i < o->chain_len; i++)
		if (o->chain[i].der == NULL || o->chain[i].subject == NULL)
			abort();
}

static void
send_seg(struct passive *ps, int d, uint32_t *seq, uint8_t flags,
    const uint8_t *p, size_t n, uint16_t sport)
{
	struct pkt k = {
		.ts_sec = 1700000000,
		.src.family = AF_INET, .dst.family = AF_INET,
		.flags = flags,
		.payload = p, .len = n,
	};

	k.src.a[3] = d ? 2 : 1;
	k.dst.a[3] = d ? 1 : 2;
	k.sport = d ? sport : 50000;
	k.dport = d ? 50000 : sport;
	k.seq = seq[d];
	seq[d] += (uint32_t)n + ((flags & PKT_SYN) ? 1 : 0);
	passive_packet(ps, &k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct passive_opts opts = { .flow.max_flows = 4 };
	struct passive *ps;
	uint32_t seq[2] = { 1000, 900000 };
	uint16_t port;
	size_t i, n;

	if (size < 1)
		return 0;
	port = ports[data[0] % (sizeof(ports) / sizeof(ports[0]))];
	ps = passive_new(&opts, check, NULL);
	send_seg(ps, 0, seq, PKT_SYN, NULL, 0, port);
	send_seg(ps, 1, seq, PKT_SYN | PKT_ACK, NULL, 0, port);
	for (i = 1; i < size; i += n) {
		int d = data[i] >> 7;

		n = (size_t)(data[i] & 0x7f) + 1;
		i++;
		if (n > size - i)
			n = size - i;
		if (n == 0)
			break;
		send_seg(ps, d, seq, PKT_ACK, data + i, n, port);
	}
	passive_free(ps);
	return 0;
}
