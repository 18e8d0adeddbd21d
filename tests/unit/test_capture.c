/*
 * test_capture.c: scanner/capture.c.  Hand-built frames of every link type
 * and IP variant through capture_decode(); the corpus captures through
 * capture_open_offline() and the flow table (expected counts come from
 * Arkime's session baselines and an independent Python reader, see each
 * test); pcapng and unsupported link types via files written here; a
 * capture cut mid-frame keeps every earlier frame and names the frame.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "probes/flow.h"
#include "scanner/capture.h"

static const uint8_t PAYLOAD[] = "\x16\x03\x01\x00\x05hello";
#define PAYLOAD_LEN	(sizeof(PAYLOAD) - 1)

struct frame {
	uint8_t		 b[512];
	size_t		 len;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static void
append(struct frame *f, const void *p, size_t n)
{
	assert_true(f->len + n <= sizeof(f->b));
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

/* TCP header (20 bytes + 4 of options) and PAYLOAD. */
static void
append_tcp(struct frame *f)
{
	uint8_t t[24] = { 0 };

	put16(t, 51000);
	put16(t + 2, 443);
	put32(t + 4, 0x01020304);
	put32(t + 8, 0xa0b0c0d0);
	t[12] = 6 << 4;			/* 24 bytes: one word of NOPs */
	t[13] = PKT_ACK | PKT_PSH;
	t[20] = t[21] = t[22] = t[23] = 1;
	append(f, t, sizeof(t));
	append(f, PAYLOAD, PAYLOAD_LEN);
}

/* IPv4 with an options word when opts, total length set, then TCP. */
static void
append_ipv4(struct frame *f, bool opts, uint16_t frag)
{
	uint8_t ip[24] = { 0 };
	size_t hl = opts ? 24 : 20;

	ip[0] = 0x40 | (uint8_t)(hl / 4);
	put16(ip + 2, (uint16_t)(hl + 24 + PAYLOAD_LEN));
	put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, 0xc0000201);	/* 192.0.2.1 */
	put32(ip + 16, 0xc6336402);	/* 198.51.100.2 */
	append(f, ip, hl);
	append_tcp(f);
}

/* IPv6 with the given extension headers (each 8 bytes), then TCP. */
static void
append_ipv6(struct frame *f, const uint8_t *exts, size_t next_hdrs)
{
	uint8_t ip[40] = { 0 }, ext[8];
	size_t i;

	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)(next_hdrs * 8 + 24 + PAYLOAD_LEN));
	ip[6] = next_hdrs > 0 ? exts[0] : 6;
	ip[7] = 64;
	ip[8] = 0x20;
	ip[9] = 0x01;
	ip[10] = 0x0d;
	ip[11] = 0xb8;
	ip[23] = 1;
	memcpy(ip + 24, ip + 8, 16);
	ip[39] = 2;
	append(f, ip, sizeof(ip));
	for (i = 0; i < next_hdrs; i++) {
		memset(ext, 0, sizeof(ext));
		ext[0] = i + 1 < next_hdrs ? exts[i + 1] : 6;
		append(f, ext, sizeof(ext));
	}
	append_tcp(f);
}

static void
append_eth(struct frame *f, uint16_t type)
{
	uint8_t eth[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	put16(eth + 12, type);
	append(f, eth, sizeof(eth));
}

static void
expect_tcp(int linktype, const struct frame *f, int family)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(capture_decode(linktype, f->b, f->len, &p),
	    CAPTURE_TCP);
	assert_int_equal(p.src.family, family);
	assert_int_equal(p.dst.family, family);
	if (family == AF_INET) {
		assert_memory_equal(p.src.a, "\xc0\x00\x02\x01", 4);
		assert_memory_equal(p.dst.a, "\xc6\x33\x64\x02", 4);
	} else {
		assert_int_equal(p.src.a[0], 0x20);
		assert_int_equal(p.src.a[15], 1);
		assert_int_equal(p.dst.a[15], 2);
	}
	assert_int_equal(p.sport, 51000);
	assert_int_equal(p.dport, 443);
	assert_int_equal(p.seq, 0x01020304);
	assert_int_equal(p.ack, 0xa0b0c0d0);
	assert_int_equal(p.flags, PKT_ACK | PKT_PSH);
	assert_false(p.truncated);
	assert_int_equal(p.len, PAYLOAD_LEN);
	assert_memory_equal(p.payload, PAYLOAD, PAYLOAD_LEN);
}

static void
test_ethernet(void **state)
{
	struct frame f = { .len = 0 };
	uint8_t pad[18] = { 0 };

	(void)state;
	append_eth(&f, 0x0800);
	append_ipv4(&f, false, 0x4000);	/* DF set: not a fragment */
	append(&f, pad, sizeof(pad));	/* link padding must not be data */
	expect_tcp(CAPTURE_DLT_EN10MB, &f, AF_INET);

	f.len = 0;
	append_eth(&f, 0x0800);
	append_ipv4(&f, true, 0);	/* IPv4 options */
	expect_tcp(CAPTURE_DLT_EN10MB, &f, AF_INET);

	f.len = 0;
	append_eth(&f, 0x86dd);
	append_ipv6(&f, NULL, 0);
	expect_tcp(CAPTURE_DLT_EN10MB, &f, AF_INET6);
}

static void
test_vlan(void **state)
{
	static const uint16_t outer[] = { 0x8100, 0x88a8, 0x9100 };
	struct frame f;
	uint8_t tag[4];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(outer) / sizeof(outer[0]); i++) {
		f.len = 0;		/* single tag, then QinQ */
		append_eth(&f, outer[i]);
		put16(tag, 42);
		put16(tag + 2, 0x0800);
		append(&f, tag, 4);
		append_ipv4(&f, false, 0);
		expect_tcp(CAPTURE_DLT_EN10MB, &f, AF_INET);

		f.len = 0;
		append_eth(&f, outer[i]);
		put16(tag, 100);
		put16(tag + 2, 0x8100);
		append(&f, tag, 4);
		put16(tag, 200);
		put16(tag + 2, 0x86dd);
		append(&f, tag, 4);
		append_ipv6(&f, NULL, 0);
		expect_tcp(CAPTURE_DLT_EN10MB, &f, AF_INET6);
	}
	/* Endless tags are bounded and refused. */
	f.len = 0;
	append_eth(&f, 0x8100);
	for (i = 0; i < 10; i++) {
		put16(tag, 1);
		put16(tag + 2, 0x8100);
		append(&f, tag, 4);
	}
	assert_int_equal(capture_decode(CAPTURE_DLT_EN10MB, f.b, f.len, &(struct
	    pkt){ .len = 0 }), CAPTURE_MALFORMED);
}

static void
test_sll(void **state)
{
	struct frame f = { .len = 0 };
	uint8_t sll[16] = { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1 };
	uint8_t sll2[20] = { 0 };

	(void)state;
	put16(sll + 14, 0x0800);
	append(&f, sll, sizeof(sll));
	append_ipv4(&f, false, 0);
	expect_tcp(CAPTURE_DLT_LINUX_SLL, &f, AF_INET);

	f.len = 0;
	put16(sll2, 0x86dd);
	put32(sll2 + 4, 3);		/* interface index */
	put16(sll2 + 8, 1);		/* ARPHRD_ETHER */
	sll2[11] = 6;
	append(&f, sll2, sizeof(sll2));
	append_ipv6(&f, NULL, 0);
	expect_tcp(CAPTURE_DLT_LINUX_SLL2, &f, AF_INET6);
}

static void
test_raw(void **state)
{
	struct frame f = { .len = 0 };

	(void)state;
	append_ipv4(&f, false, 0);
	expect_tcp(CAPTURE_DLT_RAW, &f, AF_INET);
	expect_tcp(CAPTURE_LINKTYPE_RAW, &f, AF_INET);
	expect_tcp(CAPTURE_LINKTYPE_IPV4, &f, AF_INET);
	assert_int_equal(capture_decode(CAPTURE_LINKTYPE_IPV6, f.b, f.len,
	    &(struct pkt){ .len = 0 }), CAPTURE_MALFORMED);
	f.len = 0;
	append_ipv6(&f, NULL, 0);
	expect_tcp(CAPTURE_DLT_RAW, &f, AF_INET6);
	expect_tcp(CAPTURE_LINKTYPE_IPV6, &f, AF_INET6);
}

static void
test_null_loop(void **state)
{
	static const uint8_t fams[][4] = {
		{ 2, 0, 0, 0 },		/* AF_INET, little-endian host */
		{ 0, 0, 0, 2 },		/* AF_INET, big-endian host / LOOP */
	};
	static const uint8_t fams6[][4] = {
		{ 30, 0, 0, 0 }, { 0, 0, 0, 24 }, { 28, 0, 0, 0 },
		{ 0, 0, 0, 10 },
	};
	struct frame f;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		f.len = 0;
		append(&f, fams[i], 4);
		append_ipv4(&f, false, 0);
		expect_tcp(CAPTURE_DLT_NULL, &f, AF_INET);
		expect_tcp(CAPTURE_DLT_LOOP, &f, AF_INET);
	}
	for (i = 0; i < sizeof(fams6) / sizeof(fams6[0]); i++) {
		f.len = 0;
		append(&f, fams6[i], 4);
		append_ipv6(&f, NULL, 0);
		expect_tcp(CAPTURE_DLT_NULL, &f, AF_INET6);
		expect_tcp(CAPTURE_DLT_LOOP, &f, AF_INET6);
	}
}

static void
test_pppoe(void **state)
{
	struct frame f = { .len = 0 };
	uint8_t hdr[8] = { 0x11, 0x00, 0x12, 0x34 };
	size_t start;

	(void)state;
	append_eth(&f, 0x8864);
	start = f.len;
	put16(hdr + 6, 0x0021);
	append(&f, hdr, sizeof(hdr));
	append_ipv4(&f, false, 0);
	put16(f.b + start + 4, (uint16_t)(f.len - start - 6));
	expect_tcp(CAPTURE_DLT_EN10MB, &f, AF_INET);

	f.len = 0;
	append_eth(&f, 0x8864);
	put16(hdr + 6, 0x0057);
	append(&f, hdr, sizeof(hdr));
	append_ipv6(&f, NULL, 0);
	put16(f.b + start + 4, (uint16_t)(f.len - start - 6));
	expect_tcp(CAPTURE_DLT_EN10MB, &f, AF_INET6);

	put16(f.b + start + 6, 0xc021);	/* LCP: not IP */
	assert_int_equal(capture_decode(CAPTURE_DLT_EN10MB, f.b, f.len,
	    &(struct pkt){ .len = 0 }), CAPTURE_NOT_TCP);
}

static void
test_ipv6_ext(void **state)
{
	static const uint8_t chain[] = { 0, 60, 43, 44, 60 };
	uint8_t many[12];
	struct frame f = { .len = 0 };
	struct pkt p;
	size_t fragoff;

	(void)state;
	append_ipv6(&f, chain, sizeof(chain));	/* atomic fragment inside */
	expect_tcp(CAPTURE_DLT_RAW, &f, AF_INET6);

	fragoff = 40 + 3 * 8;			/* the fragment header */
	put16(f.b + fragoff + 2, 1);		/* M: more fragments */
	assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, f.len, &p),
	    CAPTURE_FRAGMENT);
	put16(f.b + fragoff + 2, 185 << 3);	/* a later fragment */
	assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, f.len, &p),
	    CAPTURE_FRAGMENT);

	memset(many, 60, sizeof(many));		/* more than we walk */
	f.len = 0;
	append_ipv6(&f, many, sizeof(many));
	assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, f.len, &p),
	    CAPTURE_MALFORMED);

	f.len = 0;
	append_ipv6(&f, (const uint8_t *)"\x3b", 1);	/* no next header */
	assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, f.len, &p),
	    CAPTURE_NOT_TCP);
	f.len = 0;
	append_ipv6(&f, chain, 2);
	f.b[40 + 8 + 1] = 200;		/* dest-opts length past the end */
	assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, f.len, &p),
	    CAPTURE_MALFORMED);
}

static void
test_ipv4_edges(void **state)
{
	struct frame f = { .len = 0 };
	struct pkt p;
	size_t i;

	(void)state;
	append_ipv4(&f, false, 0x2000);		/* first fragment, MF */
	assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, f.len, &p),
	    CAPTURE_FRAGMENT);
	f.len = 0;
	append_ipv4(&f, false, 100);		/* a later fragment */
	assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, f.len, &p),
	    CAPTURE_FRAGMENT);

	f.len = 0;
	append_ipv4(&f, false, 0);
	f.b[9] = 17;				/* UDP */
	assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, f.len, &p),
	    CAPTURE_NOT_TCP);
	f.b[9] = 6;

	/* Snapshot length cut the segment: flagged, only what is there. */
	assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, f.len - 4, &p),
	    CAPTURE_TCP);
	assert_true(p.truncated);
	assert_int_equal(p.len, PAYLOAD_LEN - 4);

	/* Every shorter prefix that cuts a header is refused, never read
	 * past (ASan watches). */
	for (i = 0; i < 20 + 24; i++)
		assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, i, &p),
		    CAPTURE_MALFORMED);
	f.b[32] = 4 << 4;			/* TCP data offset below 20 */
	assert_int_equal(capture_decode(CAPTURE_DLT_RAW, f.b, f.len, &p),
	    CAPTURE_MALFORMED);
	assert_int_equal(capture_decode(147, f.b, f.len, &p),
	    CAPTURE_LINKTYPE);
	assert_false(capture_linktype_supported(147));
	assert_true(capture_linktype_supported(CAPTURE_DLT_LINUX_SLL2));
}

/* ---- files ------------------------------------------------------------ */

struct count {
	struct flow_table *ft;
	uint64_t	 segs;
	size_t		 flows;
	size_t		 c2s[8];
	size_t		 s2c[8];
	uint16_t	 server_port[8];
};

static void
count_close(struct flow *f, enum flow_end why, void *arg)
{
	struct count *c = arg;

	(void)why;
	if (c->flows < 8) {
		c->c2s[c->flows] = flow_delivered(f, FLOW_C2S);
		c->s2c[c->flows] = flow_delivered(f, FLOW_S2C);
		c->server_port[c->flows] = flow_get_info(f)->server_port;
	}
	c->flows++;
}

static void
count_pkt(const struct pkt *p, void *arg)
{
	struct count *c = arg;

	c->segs++;
	assert_int_equal(flow_table_packet(c->ft, p), 0);
}

static char *
data_path(const char *name)
{
	const char *src = getenv("CERTSWEEP_SRC");
	static char path[4096];

	snprintf(path, sizeof(path), "%s/tests/data/pcaps/%s",
	    src != NULL ? src : ".", name);
	return path;
}

/* Reads a capture through the flow table; returns capture_loop()'s rc. */
static int
read_capture(const char *path, struct count *c, struct capture_stats *st)
{
	struct flow_ops ops = { .on_close = count_close, .arg = c };
	struct flow_limits lim = { .dir_bytes = 1 << 20 };
	struct capture *cap;
	int rc;

	memset(c, 0, sizeof(*c));
	cap = capture_open_offline(path, NULL);
	assert_non_null(cap);
	c->ft = flow_table_new(&lim, &ops);
	rc = capture_loop(cap, count_pkt, c);
	flow_table_free(c->ft);
	capture_get_stats(cap, st);
	capture_close(cap);
	return rc;
}

/*
 * Expected values: client/server bytes from Arkime's session baselines
 * (expected/arkime/NAME.test.json, "client.bytes"/"server.bytes"); frame
 * counts and the Zeek captures' per-direction payload from an independent
 * Python pcap reader counting distinct sequence numbers.
 */
static void
test_corpus(void **state)
{
	static const struct {
		const char	*file;
		uint64_t	 frames;
		size_t		 flows;
		uint16_t	 port;
		size_t		 c2s, s2c;	/* of the first flow closed */
	} cases[] = {
		{ "openssl-tls1.pcap", 20, 1, 443, 318, 4472 },
		{ "openssl-tls1_2.pcap", 20, 1, 443, 420, 4478 },
		{ "ssl-selfsign.pcap", 20, 1, 4443, 1189, 5526 }, /* NULL */
		{ "ecdhe.pcap", 28, 1, 443, 420, 4673 },
		{ "smtp-starttls.pcap", 37, 1, 25, 823, 4804 },
		{ "tls1_1.pcap", 23, 1, 443, 403, 4812 },
		{ "tls-expired-cert.pcap", 49, 2, 443, 719, 3726 },
		{ "tls13-ech.pcap", 69, 3, 443, 0, 0 },
	};
	struct capture_stats st;
	struct count c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(read_capture(data_path(cases[i].file), &c,
		    &st), 0);
		assert_int_equal(st.frames, cases[i].frames);
		assert_int_equal(c.flows, cases[i].flows);
		assert_int_equal(c.segs, st.rc[CAPTURE_TCP]);
		assert_int_equal(st.rc[CAPTURE_MALFORMED], 0);
		assert_int_equal(c.server_port[0], cases[i].port);
		if (cases[i].c2s == 0)
			continue;
		assert_int_equal(c.c2s[0], cases[i].c2s);
		assert_int_equal(c.s2c[0], cases[i].s2c);
	}
}

static void
wr32le(FILE *fp, uint32_t v)
{
	uint8_t b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    v >> 24 };

	assert_int_equal(fwrite(b, 1, 4, fp), 4);
}

static void
wr16le(FILE *fp, uint16_t v)
{
	uint8_t b[2] = { v & 0xff, v >> 8 };

	assert_int_equal(fwrite(b, 1, 2, fp), 2);
}

/* A pcapng file: section header, one interface, n copies of the frame. */
static void
write_pcapng(const char *path, uint16_t linktype, const struct frame *f,
    int n)
{
	FILE *fp = fopen(path, "wb");
	size_t padded = (f->len + 3) & ~(size_t)3;
	int i;

	assert_non_null(fp);
	wr32le(fp, 0x0a0d0d0a);
	wr32le(fp, 28);
	wr32le(fp, 0x1a2b3c4d);
	wr16le(fp, 1);
	wr16le(fp, 0);
	wr32le(fp, 0xffffffff);
	wr32le(fp, 0xffffffff);
	wr32le(fp, 28);
	wr32le(fp, 1);			/* interface description block */
	wr32le(fp, 20);
	wr16le(fp, linktype);
	wr16le(fp, 0);
	wr32le(fp, 262144);
	wr32le(fp, 20);
	for (i = 0; i < n; i++) {	/* enhanced packet blocks */
		wr32le(fp, 6);
		wr32le(fp, (uint32_t)(32 + padded));
		wr32le(fp, 0);
		wr32le(fp, 0);
		wr32le(fp, (uint32_t)i);
		wr32le(fp, (uint32_t)f->len);
		wr32le(fp, (uint32_t)f->len);
		assert_int_equal(fwrite(f->b, 1, f->len, fp), f->len);
		assert_int_equal(fwrite("\0\0\0", 1, padded - f->len, fp),
		    padded - f->len);
		wr32le(fp, (uint32_t)(32 + padded));
	}
	assert_int_equal(fclose(fp), 0);
}

static void
test_pcapng(void **state)
{
	char path[] = "/tmp/certsweep-test-XXXXXX";
	struct capture_stats st;
	struct capture *cap;
	struct frame f = { .len = 0 };
	uint8_t sll2[20] = { 0x86, 0xdd };
	struct count c;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	append(&f, sll2, sizeof(sll2));
	append_ipv6(&f, NULL, 0);
	write_pcapng(path, CAPTURE_DLT_LINUX_SLL2, &f, 3);
	assert_int_equal(read_capture(path, &c, &st), 0);
	assert_int_equal(st.frames, 3);
	assert_int_equal(st.rc[CAPTURE_TCP], 3);
	assert_int_equal(c.flows, 1);

	write_pcapng(path, 147, &f, 1);		/* LINKTYPE_USER0 */
	cap = capture_open_offline(path, NULL);
	assert_null(cap);
	cap = capture_open_offline("/nonexistent/x.pcap", NULL);
	assert_null(cap);
	unlink(path);
}

/* Offset of the last frame record of a little-endian pcap file. */
static long
last_record(const uint8_t *d, size_t len, int *nframes)
{
	size_t off = 24, last = 24;
	uint32_t cl;

	*nframes = 0;
	while (off + 16 <= len) {
		cl = (uint32_t)d[off + 8] | (uint32_t)d[off + 9] << 8 |
		    (uint32_t)d[off + 10] << 16 | (uint32_t)d[off + 11] << 24;
		last = off;
		off += 16 + cl;
		(*nframes)++;
	}
	assert_int_equal(off, len);
	return (long)last;
}

static void
test_truncated_file(void **state)
{
	char path[] = "/tmp/certsweep-test-XXXXXX";
	char errpath[] = "/tmp/certsweep-err-XXXXXX";
	char msg[1024] = "";
	uint8_t d[16384];
	struct capture_stats st;
	struct count c;
	FILE *fp;
	size_t len;
	long last;
	int n, fd, efd, saved;

	(void)state;
	fp = fopen(data_path("tls-expired-cert.pcap"), "rb");
	assert_non_null(fp);
	len = fread(d, 1, sizeof(d), fp);
	fclose(fp);
	last = last_record(d, len, &n);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	/* Cut inside the last frame's data. */
	assert_int_equal(write(fd, d, (size_t)last + 16 + 10),
	    last + 16 + 10);
	close(fd);

	efd = mkstemp(errpath);
	assert_true(efd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(efd, 2);
	assert_int_equal(read_capture(path, &c, &st), -1);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_true(pread(efd, msg, sizeof(msg) - 1, 0) > 0);
	close(efd);
	unlink(errpath);
	unlink(path);

	/* Every frame before the cut was read and reached the flows. */
	assert_int_equal(st.frames, (uint64_t)n - 1);
	assert_int_equal(c.flows, 2);
	assert_non_null(strstr(msg, path));
	snprintf(path, sizeof(path), "frame %d", n);
	assert_non_null(strstr(msg, path));
}

/*
 * Live capture on the loopback device, in a child process because the
 * privilege drop cannot be undone: as root, the child opens "lo", must
 * end up as nobody with no way back, and must stop on SIGTERM with the
 * loop reporting the interruption.  Skipped when not root or when the
 * device cannot be opened here.
 */
static void
test_live(void **state)
{
	struct capture_opts opts = {
		.bpf = "tcp port 9", .duration = 60, .user = "nobody",
	};
	struct capture_opts bad = { .bpf = "tcp port", .user = "nobody" };
	struct passwd *pw;
	struct capture *cap;
	int status, pipefd[2], i = -2;
	char c;
	pid_t pid;

	(void)state;
	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL)
		skip();
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		if (capture_open_live("lo", &bad) != NULL)
			_exit(10);	/* a bad filter must fail */
		if ((cap = capture_open_live("lo", &opts)) == NULL)
			_exit(77);	/* no capture device here */
		if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
		    getgid() != pw->pw_gid || setuid(0) != -1)
			_exit(11);
		/* Until capture_loop() has its handler, SIGTERM is ignored
		 * (the parent repeats it), so the race cannot kill us. */
		signal(SIGTERM, SIG_IGN);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(12);
		if (capture_loop(cap, NULL, NULL) != 0)
			_exit(13);
		if (!capture_interrupted(cap))
			_exit(14);
		capture_close(cap);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) == 1) {
		for (i = 0; i < 600; i++) {
			kill(pid, SIGTERM);
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			usleep(50 * 1000);
		}
	}
	close(pipefd[0]);
	if (i == 600) {
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		fail_msg("the capture loop did not stop on SIGTERM");
	}
	if (i == -2)		/* the child gave up before it was ready */
		assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_null_loop),
		cmocka_unit_test(test_pppoe),
		cmocka_unit_test(test_ipv6_ext),
		cmocka_unit_test(test_ipv4_edges),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_pcapng),
		cmocka_unit_test(test_truncated_file),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
