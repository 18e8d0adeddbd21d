/*
 * test_fingerprint.c: probes/fingerprint.c.  JA3, JA3S and JA4 of
 *  - the three Arkime captures, hashed and raw ("ja3string",
 *    "ja3sstring", "ja4_r"), against Arkime's own session baselines
 *    (tests/data/expected/arkime/NAME.test.json), both from the hellos
 *    directly and through the passive pipeline (obs->ja3/ja3s/ja4);
 *  - a hand-written ClientHello with GREASE in the ciphers, extensions,
 *    groups and supported_versions, SNI, ALPN, signature algorithms,
 *    whose strings and digests were worked out by hand (digests with
 *    Python's hashlib), and a variant with a non-alphanumeric ALPN;
 *  - a hand-written ServerHello.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "probes/fingerprint.h"
#include "probes/flow.h"
#include "probes/passive.h"
#include "probes/tlswire.h"
#include "scanner/capture.h"
#include "scanner/record.h"

/* What the hellos of one connection gave. */
struct fp {
	char	 ja3[FINGERPRINT_JA3_LEN];
	char	 ja3s[FINGERPRINT_JA3_LEN];
	char	 ja4[FINGERPRINT_JA4_LEN];
	char	*ja3_raw;
	char	*ja3s_raw;
	char	*ja4_raw;
	int	 nch, nsh;
};

static void
fp_free(struct fp *f)
{
	free(f->ja3_raw);
	free(f->ja3s_raw);
	free(f->ja4_raw);
}

static void
on_ch(void *arg, const struct tlswire_client_hello *ch)
{
	struct fp *f = arg;

	f->nch++;
	assert_int_equal(fingerprint_ja3(ch, f->ja3), 0);
	assert_int_equal(fingerprint_ja4(ch, f->ja4), 0);
	free(f->ja3_raw);
	free(f->ja4_raw);
	f->ja3_raw = fingerprint_ja3_raw(ch);
	f->ja4_raw = fingerprint_ja4_raw(ch);
}

static void
on_sh(void *arg, const struct tlswire_server_hello *sh)
{
	struct fp *f = arg;

	f->nsh++;
	assert_int_equal(fingerprint_ja3s(sh, f->ja3s), 0);
	free(f->ja3s_raw);
	f->ja3s_raw = fingerprint_ja3s_raw(sh);
}

/* ---- captures: flow table -> one tlswire parser per direction ------- */

struct run {
	struct flow_table	*ft;
	struct tlswire_events	 ev[FLOW_DIR__MAX];
	struct tlswire_parser	 p[FLOW_DIR__MAX];
	struct fp		 fp;
};

static void
run_data(struct flow *f, enum flow_dir d, const uint8_t *p, size_t n,
    void *arg)
{
	struct run *r = arg;

	(void)f;
	(void)tlswire_feed(&r->p[d], p, n);
}

static void
run_pkt(const struct pkt *p, void *arg)
{
	struct run *r = arg;

	(void)flow_table_packet(r->ft, p);
}

struct path {
	char	 s[4096];
};

static const char *
data_path(struct path *p, const char *rel)
{
	const char *src = getenv("CERTSWEEP_SRC");

	snprintf(p->s, sizeof(p->s), "%s/tests/data/%s",
	    src != NULL ? src : ".", rel);
	return p->s;
}

static void
hellos_of(const char *pcap, struct run *r)
{
	struct flow_ops ops = { .on_data = run_data, .arg = r };
	struct path pp;
	const char *path = data_path(&pp, pcap);
	struct capture *cap;
	int d;

	memset(r, 0, sizeof(*r));
	for (d = 0; d < FLOW_DIR__MAX; d++) {
		r->ev[d] = (struct tlswire_events){ .arg = &r->fp,
		    .on_client_hello = on_ch, .on_server_hello = on_sh };
		tlswire_parser_init(&r->p[d], d == FLOW_C2S ?
		    TLSWIRE_DIR_CLIENT : TLSWIRE_DIR_SERVER, 0, &r->ev[d]);
	}
	r->ft = flow_table_new(NULL, &ops);
	cap = capture_open_offline(path, NULL);
	assert_non_null(cap);
	assert_int_equal(capture_loop(cap, run_pkt, r), 0);
	capture_close(cap);
	flow_table_free(r->ft);
	for (d = 0; d < FLOW_DIR__MAX; d++)
		tlswire_parser_free(&r->p[d]);
}

/* sessions3[0].body.tls.KEY[0] of an Arkime baseline. */
static const char *
arkime_tls(json_t *root, const char *key)
{
	json_t *s = json_array_get(json_object_get(root, "sessions3"), 0);
	json_t *tls = json_object_get(json_object_get(s, "body"), "tls");
	const char *v = json_string_value(json_array_get(
	    json_object_get(tls, key), 0));

	assert_non_null(v);
	return v;
}

struct obs_fp {
	int	 n;
	char	 ja3[sizeof(((struct observation *)0)->ja3)];
	char	 ja3s[sizeof(((struct observation *)0)->ja3s)];
	char	 ja4[sizeof(((struct observation *)0)->ja4)];
};

static void
obs_collect(struct observation *o, void *arg)
{
	struct obs_fp *f = arg;

	f->n++;
	snprintf(f->ja3, sizeof(f->ja3), "%s", o->ja3);
	snprintf(f->ja3s, sizeof(f->ja3s), "%s", o->ja3s);
	snprintf(f->ja4, sizeof(f->ja4), "%s", o->ja4);
}

static void
obs_pkt(const struct pkt *p, void *arg)
{
	(void)passive_packet(arg, p);
}

static void
passive_of(const char *pcap, struct obs_fp *f)
{
	struct path pp;
	struct passive *ps = passive_new(NULL, obs_collect, f);
	struct capture *cap = capture_open_offline(data_path(&pp, pcap),
	    NULL);

	memset(f, 0, sizeof(*f));
	assert_non_null(cap);
	assert_int_equal(capture_loop(cap, obs_pkt, ps), 0);
	capture_close(cap);
	passive_free(ps);
}

static void
test_arkime(void **state)
{
	static const char *const names[] = {
		"openssl-tls1", "openssl-tls1_2", "ssl-selfsign",
	};
	char pcap[128], exp[128];
	struct path pp;
	json_error_t jerr;
	struct run r;
	struct obs_fp of;
	json_t *root;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(pcap, sizeof(pcap), "pcaps/%s.pcap", names[i]);
		snprintf(exp, sizeof(exp), "expected/arkime/%s.test.json",
		    names[i]);
		root = json_load_file(data_path(&pp, exp), 0, &jerr);
		assert_non_null(root);
		hellos_of(pcap, &r);
		assert_int_equal(r.fp.nch, 1);
		assert_int_equal(r.fp.nsh, 1);
		assert_string_equal(r.fp.ja3_raw,
		    arkime_tls(root, "ja3string"));
		assert_string_equal(r.fp.ja3s_raw,
		    arkime_tls(root, "ja3sstring"));
		assert_string_equal(r.fp.ja4_raw, arkime_tls(root, "ja4_r"));
		assert_string_equal(r.fp.ja3, arkime_tls(root, "ja3"));
		assert_string_equal(r.fp.ja3s, arkime_tls(root, "ja3s"));
		assert_string_equal(r.fp.ja4, arkime_tls(root, "ja4"));
		/* and the same through the passive pipeline */
		passive_of(pcap, &of);
		assert_int_equal(of.n, 1);
		assert_string_equal(of.ja3, arkime_tls(root, "ja3"));
		assert_string_equal(of.ja3s, arkime_tls(root, "ja3s"));
		assert_string_equal(of.ja4, arkime_tls(root, "ja4"));
		fp_free(&r.fp);
		json_decref(root);
	}
}

/* ---- hand-written hellos -------------------------------------------- */

static const uint8_t ch_body_head[] = {
	0x03, 0x03,			/* legacy_version TLS 1.2 */
	/* random: 32 zero bytes follow in build_hello() */
};

static const uint8_t ch_body_tail[] = {
	0x00,				/* session id */
	0x00, 0x08, 0x0a, 0x0a, 0x13, 0x01, 0xc0, 0x2f, 0x00, 0x2f,
	0x01, 0x00,			/* compression: null */
	0x00, 0x51,			/* 81 bytes of extensions */
	0x0a, 0x0a, 0x00, 0x00,		/* GREASE, empty */
	0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b,
	'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
	0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x2a, 0x2a, 0x00, 0x1d, 0x00, 0x17,
	0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,
	0x00, 0x0d, 0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x08, 0x04,
	0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 'h', '2',
	0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',
	0x00, 0x2b, 0x00, 0x07, 0x06, 0x3a, 0x3a, 0x03, 0x04, 0x03, 0x03,
};

static const uint8_t sh_body_tail[] = {
	0x00,				/* session id */
	0xc0, 0x2f, 0x00,		/* cipher, compression */
	0x00, 0x0b,
	0xff, 0x01, 0x00, 0x01, 0x00,	/* renegotiation_info */
	0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,
};

/* A record holding one handshake message: head, 32 zero bytes, tail. */
static size_t
build_hello(uint8_t type, const uint8_t *tail, size_t tlen, uint8_t *out)
{
	size_t body = sizeof(ch_body_head) + 32 + tlen, n = 0;

	out[n++] = 0x16;
	out[n++] = 0x03;
	out[n++] = 0x01;
	out[n++] = (uint8_t)((body + 4) >> 8);
	out[n++] = (uint8_t)(body + 4);
	out[n++] = type;
	out[n++] = 0;
	out[n++] = (uint8_t)(body >> 8);
	out[n++] = (uint8_t)body;
	memcpy(out + n, ch_body_head, sizeof(ch_body_head));
	n += sizeof(ch_body_head);
	memset(out + n, 0, 32);
	n += 32;
	memcpy(out + n, tail, tlen);
	return n + tlen;
}

static void
feed(enum tlswire_dir d, const uint8_t *p, size_t n, struct fp *f)
{
	struct tlswire_events ev = { .arg = f, .on_client_hello = on_ch,
	    .on_server_hello = on_sh };
	struct tlswire_parser ps;

	tlswire_parser_init(&ps, d, 0, &ev);
	assert_int_equal(tlswire_feed(&ps, p, n), 0);
	tlswire_parser_free(&ps);
}

static void
test_hand(void **state)
{
	uint8_t rec[512], tail[sizeof(ch_body_tail)];
	struct fp f = { 0 };
	size_t n, i;

	(void)state;
	n = build_hello(1, ch_body_tail, sizeof(ch_body_tail), rec);
	feed(TLSWIRE_DIR_CLIENT, rec, n, &f);
	assert_int_equal(f.nch, 1);
	assert_string_equal(f.ja3_raw,
	    "771,4865-49199-47,0-10-11-13-16-43,29-23,0");
	assert_string_equal(f.ja3, "6bfe35123df20afcf42aa008b0081ebf");
	assert_string_equal(f.ja4_raw, "t13d0306h2_002f,1301,c02f_"
	    "000a,000b,000d,002b_0403,0804");
	assert_string_equal(f.ja4, "t13d0306h2_54093f43ad55_fb71836bce29");

	/* ALPN "0\xab": not alphanumeric at the end: hex "30ab" -> "3b" */
	memcpy(tail, ch_body_tail, sizeof(tail));
	for (i = 0; i + 1 < sizeof(tail); i++)
		if (tail[i] == 'h' && tail[i + 1] == '2') {
			tail[i] = '0';
			tail[i + 1] = 0xab;
			break;
		}
	n = build_hello(1, tail, sizeof(tail), rec);
	feed(TLSWIRE_DIR_CLIENT, rec, n, &f);
	assert_string_equal(f.ja4, "t13d03063b_54093f43ad55_fb71836bce29");

	n = build_hello(2, sh_body_tail, sizeof(sh_body_tail), rec);
	feed(TLSWIRE_DIR_SERVER, rec, n, &f);
	assert_int_equal(f.nsh, 1);
	assert_string_equal(f.ja3s_raw, "771,49199,65281-11");
	assert_string_equal(f.ja3s, "303951d4c50efb2e991652225a6f02b1");
	fp_free(&f);
}

static void
test_grease(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 0x10000; v++) {
		bool g = (v >> 8) == (v & 0xff) && (v & 0x0f) == 0x0a;

		assert_int_equal(fingerprint_is_grease((uint16_t)v), g);
	}
	assert_true(fingerprint_is_grease(0x0a0a));
	assert_true(fingerprint_is_grease(0xfafa));
	assert_false(fingerprint_is_grease(0x0a1a));
	assert_false(fingerprint_is_grease(0x1301));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grease),
		cmocka_unit_test(test_hand),
		cmocka_unit_test(test_arkime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
