/*
 * test_passive.c: probes/passive.c.  The TLS/SSLv2 detector on records of
 * every version and on near misses; the STARTTLS watcher on scripted
 * dialogues of SMTP, IMAP, POP3, FTP, XMPP and LDAP (go-ahead, refusal,
 * continuation lines, untagged lines), each fed whole, in 3-byte pieces
 * and byte by byte, which must agree on where TLS starts; and the SMTP
 * STARTTLS capture from Zeek's corpus through the flow table; and the
 * whole passive pipeline (capture -> flows -> tlswire -> observations) on
 * the corpus captures, checked against Zeek's ssl.log/x509.log and
 * Arkime's session baselines.
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

#include "probes/flow.h"
#include "probes/passive.h"
#include "scanner/capture.h"
#include "scanner/cert.h"
#include "scanner/record.h"

#define CH	"\x16\x03\x01\x00\x30\x01"	/* ClientHello record start */
#define SH	"\x16\x03\x03\x00\x30\x02"	/* ServerHello record start */

struct step {
	enum flow_dir	 d;
	const char	*bytes;
	size_t		 len;		/* 0: strlen(bytes) */
};

#define C(s)	{ FLOW_C2S, s, sizeof(s) - 1 }
#define S(s)	{ FLOW_S2C, s, sizeof(s) - 1 }

struct result {
	long		 tls_at[FLOW_DIR__MAX];	/* stream offset, -1: never */
	enum passive_proto proto;
	bool		 granted;
	bool		 gave_up;
	char		 banner[256];
};

static void
run(enum passive_proto proto, const struct step *steps, size_t n,
    size_t chunk, struct result *r)
{
	struct passive_stls st;
	size_t pos[FLOW_DIR__MAX] = { 0, 0 }, i, off, k, used;
	enum passive_stls_rc rc;
	enum flow_dir d;

	passive_stls_init(&st, proto);
	r->tls_at[0] = r->tls_at[1] = -1;
	r->gave_up = false;
	for (i = 0; i < n; i++) {
		d = steps[i].d;
		for (off = 0; off < steps[i].len; off += k) {
			k = steps[i].len - off < chunk ?
			    steps[i].len - off : chunk;
			if (r->tls_at[d] >= 0 || r->gave_up)
				break;
			rc = passive_stls_feed(&st, d,
			    (const uint8_t *)steps[i].bytes + off, k, &used);
			assert_true(used <= k);
			if (rc == PASSIVE_STLS_TLS)
				r->tls_at[d] = (long)(pos[d] + used);
			else {
				assert_int_equal(used, k);
				if (rc == PASSIVE_STLS_GIVEUP)
					r->gave_up = true;
			}
			pos[d] += k;
		}
	}
	r->proto = st.proto;
	r->granted = passive_stls_granted(&st);
	memcpy(r->banner, st.banner, sizeof(r->banner));
}

/* Where the first record header (16 03) sits in one direction of the script. */
static long
marker(const struct step *steps, size_t n, enum flow_dir d)
{
	size_t i, pos = 0;
	const char *m;

	for (i = 0; i < n; i++) {
		if (steps[i].d != d)
			continue;
		m = memmem(steps[i].bytes, steps[i].len, "\x16\x03", 2);
		if (m != NULL)
			return (long)(pos + (size_t)(m - steps[i].bytes));
		pos += steps[i].len;
	}
	return -1;
}

/* Runs a script three ways; all must agree with the markers. */
static void
check(enum passive_proto proto, const struct step *steps, size_t n,
    bool want_tls, enum passive_proto want_proto, struct result *r)
{
	static const size_t chunks[] = { 100000, 3, 1 };
	size_t i;

	for (i = 0; i < 3; i++) {
		run(proto, steps, n, chunks[i], r);
		assert_int_equal(r->granted, want_tls);
		assert_int_equal(r->proto, want_proto);
		if (want_tls) {
			assert_int_equal(r->tls_at[FLOW_S2C],
			    marker(steps, n, FLOW_S2C));
			assert_int_equal(r->tls_at[FLOW_C2S],
			    marker(steps, n, FLOW_C2S));
		} else {
			assert_int_equal(r->tls_at[FLOW_S2C], -1);
			assert_int_equal(r->tls_at[FLOW_C2S], -1);
		}
	}
}

static void
test_detect(void **state)
{
	static const struct {
		const char	*b;
		size_t		 len;
		enum passive_detect want;
	} cases[] = {
		{ "\x16\x03\x01\x02\x00\x01", 6, PASSIVE_TLS },
		{ "\x16\x03\x00\x00\x40\x02", 6, PASSIVE_TLS },	/* SSL 3.0 */
		{ "\x16\x03\x04\x00\x40", 5, PASSIVE_TLS },
		{ "\x16\x03\x03\x00\x40\x0b", 6, PASSIVE_NOT_TLS }, /* cert */
		{ "\x16\x03\x05\x00\x40", 5, PASSIVE_NOT_TLS },
		{ "\x16\x02\x01", 3, PASSIVE_NOT_TLS },
		{ "\x16\x03\x01\x00\x00", 5, PASSIVE_NOT_TLS },	/* empty */
		{ "\x16\x03\x01\xff\xff", 5, PASSIVE_NOT_TLS },	/* too long */
		{ "\x16\x03", 2, PASSIVE_MORE },
		{ "", 0, PASSIVE_MORE },
		{ "\x17\x03\x03\x00\x20", 5, PASSIVE_NOT_TLS },
		{ "GET / HTTP/1.1\r\n", 16, PASSIVE_NOT_TLS },
		{ "220 mx ESMTP\r\n", 14, PASSIVE_NOT_TLS },
		/* SSLv2 CLIENT-HELLO offering SSL 2 and SSL 3.0 / TLS 1.0. */
		{ "\x80\x2e\x01\x00\x02", 5, PASSIVE_SSLV2 },
		{ "\x80\x2e\x01\x03\x01", 5, PASSIVE_SSLV2 },
		{ "\x80\x2e\x01\x07\x01", 5, PASSIVE_NOT_TLS },
		{ "\x80\x05\x01\x00\x02", 5, PASSIVE_NOT_TLS },	/* short */
		{ "\x80\x2e\x01", 3, PASSIVE_MORE },
		/* SSLv2 SERVER-HELLO: no session hit, X.509, version 2. */
		{ "\x83\x00\x04\x00\x01\x00\x02", 7, PASSIVE_SSLV2 },
		{ "\x83\x00\x04\x00\x02\x00\x02", 7, PASSIVE_NOT_TLS },
		{ "\x83\x00\x09\x00\x01\x00\x02", 7, PASSIVE_NOT_TLS },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (passive_detect((const uint8_t *)cases[i].b, cases[i].len) !=
		    cases[i].want)
			fail_msg("case %zu: got %s", i, passive_detect_name(
			    passive_detect((const uint8_t *)cases[i].b,
			    cases[i].len)));
	}
	assert_null(passive_detect_name(PASSIVE_DETECT__MAX));
	assert_string_equal(passive_proto_name(PASSIVE_PROTO_LDAP), "ldap");
}

static void
test_smtp(void **state)
{
	static const struct step ok[] = {
		S("220 mx.example.net ESMTP ready\r\n"),
		C("EHLO client.example\r\n"),
		S("250-mx.example.net\r\n250-PIPELINING\r\n"
		    "250 STARTTLS\r\n"),
		C("STARTTLS\r\n"),
		S("220 2.0.0 Ready to start TLS\r\n"),
		C(CH "rest of the client hello"),
		S(SH "server hello and certificate"),
	};
	static const struct step refused_then_ok[] = {
		S("220 mx ESMTP\r\n"),
		C("ehlo x\r\n"),
		S("250 mx\r\n"),
		C("starttls\r\n"),
		S("454-4.7.0 TLS not available\r\n454 4.7.0 try later\r\n"),
		C("STARTTLS\r\n"),
		S("220-continued\r\n220 go ahead\r\n"),
		C(CH),
		S(SH),
	};
	static const struct step refused[] = {
		S("220 mx ESMTP\r\n"),
		C("STARTTLS\r\n"),
		S("502 5.5.1 not implemented\r\n"),
		C("QUIT\r\n"),
		S("221 bye\r\n"),
	};
	struct result r;

	(void)state;
	check(PASSIVE_PROTO_TEXT, ok, 7, true, PASSIVE_PROTO_SMTP, &r);
	assert_string_equal(r.banner, "220 mx.example.net ESMTP ready");
	check(PASSIVE_PROTO_TEXT, refused_then_ok, 9, true,
	    PASSIVE_PROTO_SMTP, &r);
	check(PASSIVE_PROTO_TEXT, refused, 5, false, PASSIVE_PROTO_SMTP, &r);
}

static void
test_imap_pop3_ftp(void **state)
{
	static const struct step imap[] = {
		S("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"),
		C("a1 CAPABILITY\r\n"),
		S("* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n"),
		C("a2 STARTTLS\r\n"),
		S("* BYE not really\r\na1 OK wrong tag\r\n"
		    "a2 OK Begin TLS negotiation now\r\n"),
		C(CH), S(SH),
	};
	static const struct step imap_no[] = {
		S("* OK ready\r\n"),
		C("x STARTTLS\r\n"),
		S("x NO not now\r\n"),
		C("x LOGOUT\r\n"),
	};
	static const struct step pop3[] = {
		S("+OK POP3 ready\r\n"),
		C("CAPA\r\n"),
		S("+OK\r\nSTLS\r\n.\r\n"),
		C("STLS\r\n"),
		S("+OK Begin TLS\r\n"),
		C(CH), S(SH),
	};
	static const struct step ftp[] = {
		S("220 FTP server ready\r\n"),
		C("AUTH TLS\r\n"),
		S("234 AUTH TLS successful\r\n"),
		C(CH), S(SH),
	};
	struct result r;

	(void)state;
	check(PASSIVE_PROTO_TEXT, imap, 7, true, PASSIVE_PROTO_IMAP, &r);
	check(PASSIVE_PROTO_TEXT, imap_no, 4, false, PASSIVE_PROTO_IMAP, &r);
	check(PASSIVE_PROTO_TEXT, pop3, 7, true, PASSIVE_PROTO_POP3, &r);
	check(PASSIVE_PROTO_TEXT, ftp, 5, true, PASSIVE_PROTO_FTP, &r);
}

static void
test_xmpp(void **state)
{
	static const struct step ok[] = {
		C("<?xml version='1.0'?><stream:stream to='example.com' "
		    "xmlns='jabber:client' version='1.0'>"),
		S("<?xml version='1.0'?><stream:stream from='example.com' "
		    "id='x' version='1.0'><stream:features><starttls xmlns="
		    "'urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
		    "</stream:features>"),
		C("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
		S("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
		C(CH), S(SH),
	};
	static const struct step long_form[] = {
		C("<stream:stream>"),
		S("<stream:stream><stream:features/>"),
		C("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
		    "</starttls>"),
		S("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
		    "</proceed>"),
		C(CH), S(SH),
	};
	static const struct step failure[] = {
		C("<stream:stream>"),
		C("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
		S("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
		    "</stream:stream>"),
	};
	struct result r;

	(void)state;
	check(PASSIVE_PROTO_XMPP, ok, 6, true, PASSIVE_PROTO_XMPP, &r);
	check(PASSIVE_PROTO_XMPP, long_form, 6, true, PASSIVE_PROTO_XMPP,
	    &r);
	check(PASSIVE_PROTO_XMPP, failure, 3, false, PASSIVE_PROTO_XMPP, &r);
}

/* LDAPMessage { 1, ExtendedRequest { requestName StartTLS OID } } */
#define LDAP_REQ "\x30\x1d\x02\x01\x01\x77\x18\x80\x16" \
	"1.3.6.1.4.1.1466.20037"
/* LDAPMessage { 1, ExtendedResponse { success, "", "" } } */
#define LDAP_OK "\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00"
#define LDAP_NO "\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x02\x04\x00\x04\x00"
/* A bind request with a long-form length, to be passed over. */
#define LDAP_BIND "\x30\x81\x0c\x02\x01\x02\x60\x07\x02\x01\x03\x04\x00" \
	"\x80\x00"

static void
test_ldap(void **state)
{
	static const struct step ok[] = {
		C(LDAP_BIND), C(LDAP_REQ), S(LDAP_OK), C(CH), S(SH),
	};
	static const struct step no[] = {
		C(LDAP_REQ), S(LDAP_NO), C(LDAP_BIND),
	};
	struct result r;
	char big[2100];
	struct step huge[3];

	(void)state;
	check(PASSIVE_PROTO_LDAP, ok, 5, true, PASSIVE_PROTO_LDAP, &r);
	check(PASSIVE_PROTO_LDAP, no, 3, false, PASSIVE_PROTO_LDAP, &r);

	/* A message bigger than the buffer is skipped by count. */
	memset(big, 'x', sizeof(big));
	big[0] = 0x30;
	big[1] = (char)0x82;
	big[2] = (char)((sizeof(big) - 4) >> 8);
	big[3] = (char)((sizeof(big) - 4) & 0xff);
	huge[0] = (struct step){ FLOW_C2S, big, sizeof(big) };
	huge[1] = (struct step){ FLOW_C2S, LDAP_REQ, sizeof(LDAP_REQ) - 1 };
	huge[2] = (struct step){ FLOW_S2C, LDAP_OK, sizeof(LDAP_OK) - 1 };
	run(PASSIVE_PROTO_LDAP, huge, 3, 7, &r);
	assert_true(r.granted);
	assert_int_equal(r.tls_at[FLOW_S2C], sizeof(LDAP_OK) - 1);

	/* Not BER at all: give up at once. */
	huge[0] = (struct step){ FLOW_C2S, "\x31\x80\x00", 3 };
	run(PASSIVE_PROTO_LDAP, huge, 1, 100, &r);
	assert_true(r.gave_up);
}

static void
test_bounds(void **state)
{
	static char line[3 * PASSIVE_LINE_MAX];
	struct step s[3];
	struct result r;
	struct passive_stls st;
	size_t used, i;
	enum passive_stls_rc rc = PASSIVE_STLS_MORE;

	(void)state;
	/* An overlong line that ends in "STARTTLS" is not a command. */
	memset(line, 'A', sizeof(line));
	memcpy(line + sizeof(line) - 10, "STARTTLS\r\n", 10);
	s[0] = (struct step){ FLOW_S2C, "220 x\r\n", 7 };
	s[1] = (struct step){ FLOW_C2S, line, sizeof(line) };
	s[2] = (struct step){ FLOW_S2C, "220 go\r\n", 8 };
	run(PASSIVE_PROTO_TEXT, s, 3, 100000, &r);
	assert_false(r.granted);

	/* Endless chatter: give up after the cap. */
	passive_stls_init(&st, PASSIVE_PROTO_TEXT);
	for (i = 0; i < 100 && rc == PASSIVE_STLS_MORE; i++)
		rc = passive_stls_feed(&st, FLOW_S2C, (const uint8_t *)line,
		    sizeof(line), &used);
	assert_int_equal(rc, PASSIVE_STLS_GIVEUP);
	assert_true(i * sizeof(line) <= PASSIVE_PLAIN_MAX + sizeof(line));

	passive_stls_init(&st, PASSIVE_PROTO_NONE);
	assert_int_equal(passive_stls_feed(&st, FLOW_C2S,
	    (const uint8_t *)"x", 1, &used), PASSIVE_STLS_GIVEUP);
}

static void
test_guess(void **state)
{
	(void)state;
	assert_int_equal(passive_guess_proto(25, FLOW_C2S, NULL, 0),
	    PASSIVE_PROTO_TEXT);
	assert_int_equal(passive_guess_proto(389, FLOW_S2C, NULL, 0),
	    PASSIVE_PROTO_LDAP);
	assert_int_equal(passive_guess_proto(5222, FLOW_C2S, NULL, 0),
	    PASSIVE_PROTO_XMPP);
	assert_int_equal(passive_guess_proto(2025, FLOW_S2C,
	    (const uint8_t *)"220 mail ESMTP", 14), PASSIVE_PROTO_TEXT);
	assert_int_equal(passive_guess_proto(1143, FLOW_S2C,
	    (const uint8_t *)"* OK IMAP", 9), PASSIVE_PROTO_TEXT);
	assert_int_equal(passive_guess_proto(8080, FLOW_S2C,
	    (const uint8_t *)"HTTP/1.1 200 OK", 15), PASSIVE_PROTO_NONE);
	assert_int_equal(passive_guess_proto(8080, FLOW_C2S,
	    (const uint8_t *)"GET / HTTP/1.1", 14), PASSIVE_PROTO_NONE);
	assert_int_equal(passive_guess_proto(15222, FLOW_C2S,
	    (const uint8_t *)"<?xml version", 13), PASSIVE_PROTO_XMPP);
	assert_int_equal(passive_guess_proto(10389, FLOW_C2S,
	    (const uint8_t *)LDAP_REQ, sizeof(LDAP_REQ) - 1),
	    PASSIVE_PROTO_LDAP);
	assert_int_equal(passive_guess_proto(10389, FLOW_C2S,
	    (const uint8_t *)"\x30\x84\x00", 3), PASSIVE_PROTO_NONE);
}

/* ---- the Zeek SMTP STARTTLS capture through flow + watcher ---------- */

struct pcap_run {
	struct flow_table *ft;
	struct passive_stls st;
	bool		 started;
	long		 pos[FLOW_DIR__MAX];
	long		 tls_at[FLOW_DIR__MAX];
	uint8_t		 first[FLOW_DIR__MAX][6];
	size_t		 nfirst[FLOW_DIR__MAX];
};

static void
pcap_data(struct flow *f, enum flow_dir d, const uint8_t *p, size_t n,
    void *arg)
{
	struct pcap_run *r = arg;
	size_t used, k;

	if (!r->started) {
		passive_stls_init(&r->st, passive_guess_proto(
		    flow_get_info(f)->server_port, d, p, n));
		r->started = true;
	}
	used = 0;
	if (r->tls_at[d] < 0) {
		if (passive_stls_feed(&r->st, d, p, n, &used) !=
		    PASSIVE_STLS_TLS)
			used = n;
		else
			r->tls_at[d] = r->pos[d] + (long)used;
	}
	/* The first TLS bytes may come in this delivery or the next. */
	for (k = used; k < n && r->nfirst[d] < 6; k++)
		r->first[d][r->nfirst[d]++] = p[k];
	r->pos[d] += (long)n;
}

static void
pcap_pkt(const struct pkt *p, void *arg)
{
	struct pcap_run *r = arg;

	flow_table_packet(r->ft, p);
}

static void
test_smtp_capture(void **state)
{
	struct flow_ops ops = { .on_data = pcap_data };
	struct pcap_run r = { .tls_at = { -1, -1 } };
	const char *src = getenv("CERTSWEEP_SRC");
	char path[4096];
	struct capture *cap;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/pcaps/smtp-starttls.pcap",
	    src != NULL ? src : ".");
	ops.arg = &r;
	r.ft = flow_table_new(NULL, &ops);
	cap = capture_open_offline(path, NULL);
	assert_non_null(cap);
	assert_int_equal(capture_loop(cap, pcap_pkt, &r), 0);
	capture_close(cap);
	flow_table_free(r.ft);
	assert_true(passive_stls_granted(&r.st));
	assert_int_equal(r.st.proto, PASSIVE_PROTO_SMTP);
	assert_true(strncmp(r.st.banner, "220 ", 4) == 0);
	/* Both directions switch right onto a hello record. */
	assert_true(r.tls_at[FLOW_C2S] > 0);
	assert_true(r.tls_at[FLOW_S2C] > 0);
	assert_int_equal(passive_detect(r.first[FLOW_C2S], 6), PASSIVE_TLS);
	assert_int_equal(r.first[FLOW_C2S][5], 1);	/* ClientHello */
	assert_int_equal(passive_detect(r.first[FLOW_S2C], 6), PASSIVE_TLS);
	assert_int_equal(r.first[FLOW_S2C][5], 2);	/* ServerHello */
}

/* ---- observations from the corpus captures -------------------------- */

struct obs_copy {
	char		 ip[46];
	uint16_t	 port;
	char		 sni[256];
	char		 protocol[16];
	int64_t		 time;
	enum scan_status status;
	char		 version[16];
	char		 cipher[64];
	char		 group[32];
	char		 banner[256];
	size_t		 chain_len;
	char		 leaf_subject[256];
	char		 leaf_sha256[65];
	char		 last_issuer[256];
};

struct obs_list {
	struct obs_copy	 o[8];
	size_t		 n;
};

static void
collect(struct observation *o, void *arg)
{
	struct obs_list *l = arg;
	struct obs_copy *c;

	assert_true(l->n < 8);
	c = &l->o[l->n++];
	assert_int_equal(o->source, OBS_PASSIVE);
	snprintf(c->ip, sizeof(c->ip), "%s", o->ip);
	c->port = o->port;
	snprintf(c->sni, sizeof(c->sni), "%s", o->sni);
	snprintf(c->protocol, sizeof(c->protocol), "%s", o->protocol);
	c->time = o->time;
	c->status = o->status;
	snprintf(c->version, sizeof(c->version), "%s", o->version);
	snprintf(c->cipher, sizeof(c->cipher), "%s", o->cipher);
	snprintf(c->group, sizeof(c->group), "%s", o->group);
	snprintf(c->banner, sizeof(c->banner), "%s", o->banner);
	c->chain_len = o->chain_len;
	if (o->chain_len > 0) {
		snprintf(c->leaf_subject, sizeof(c->leaf_subject), "%s",
		    o->chain[0].subject);
		cert_hex(o->chain[0].sha256, CERT_SHA256_LEN, c->leaf_sha256);
		snprintf(c->last_issuer, sizeof(c->last_issuer), "%s",
		    o->chain[o->chain_len - 1].issuer);
	}
}

static void
obs_pkt(const struct pkt *p, void *arg)
{
	assert_int_equal(passive_packet(arg, p), 0);
}

static void
sniff_file(const char *name, struct obs_list *l, struct passive_stats *st)
{
	const char *src = getenv("CERTSWEEP_SRC");
	char path[4096];
	struct capture *cap;
	struct passive *ps;

	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "%s/tests/data/pcaps/%s",
	    src != NULL ? src : ".", name);
	ps = passive_new(NULL, collect, l);
	cap = capture_open_offline(path, NULL);
	assert_non_null(cap);
	assert_int_equal(capture_loop(cap, obs_pkt, ps), 0);
	capture_close(cap);
	passive_flush(ps);
	passive_get_stats(ps, st);
	passive_free(ps);
}

/* 00:00 UTC of the capture's first-packet day (corpus MANIFEST) and the
 * next midnight: the ServerHello time must fall inside. */
static void
assert_day(int64_t t, int64_t day)
{
	assert_true(t >= day && t < day + 86400);
}

/*
 * Expected values: zeek expected/<test>/ssl.log (version, cipher, curve,
 * server_name, resp_h/p) and x509.log (fingerprint = SHA-256 of the DER,
 * subject, issuer); Arkime expected/arkime/ssl-selfsign.test.json.
 */
static void
test_observations(void **state)
{
	struct passive_stats st;
	struct obs_list l;
	size_t i;

	(void)state;
	sniff_file("ecdhe.pcap", &l, &st);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.o[0].ip, "74.125.239.97");
	assert_int_equal(l.o[0].port, 443);
	assert_int_equal(l.o[0].status, SCAN_OK);
	assert_string_equal(l.o[0].protocol, "tls");
	assert_string_equal(l.o[0].version, "TLSv1.2");
	assert_string_equal(l.o[0].cipher,
	    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
	assert_string_equal(l.o[0].group, "secp256r1");
	assert_string_equal(l.o[0].sni, "");
	assert_int_equal(l.o[0].chain_len, 3);
	assert_string_equal(l.o[0].leaf_sha256, "a97a22b691caf62c1623d14abf8a"
	    "31ac915f14d87f77d8a37c47eb4785b484ad");
	assert_string_equal(l.o[0].last_issuer,
	    "OU=Equifax Secure Certificate Authority,O=Equifax,C=US");
	assert_day(l.o[0].time, 1398470400);		/* 2014-04-26 */
	assert_int_equal(st.observations, 1);

	sniff_file("tls1_1.pcap", &l, &st);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.o[0].ip, "216.58.192.14");
	assert_string_equal(l.o[0].version, "TLSv1.1");
	assert_string_equal(l.o[0].cipher,
	    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
	assert_int_equal(l.o[0].chain_len, 3);
	assert_string_equal(l.o[0].leaf_sha256, "22a920a5ec03c819b569ed0fa8b7"
	    "df258e3e7ea11fdd15b83b6fa45f3e863036");

	sniff_file("smtp-starttls.pcap", &l, &st);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.o[0].ip, "74.125.142.26");
	assert_int_equal(l.o[0].port, 25);
	assert_string_equal(l.o[0].protocol, "smtp");
	assert_string_equal(l.o[0].version, "TLSv1.2");
	assert_string_equal(l.o[0].cipher,
	    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_int_equal(l.o[0].chain_len, 3);
	assert_string_equal(l.o[0].leaf_subject,
	    "CN=mx.google.com,O=Google Inc,L=Mountain View,ST=California,C=US");
	assert_string_equal(l.o[0].leaf_sha256, "4f0a1ac1c6e873c8805fe2fc56c7"
	    "aac77025f1dcbbbf907e768f1ec88c3485db");
	assert_true(strncmp(l.o[0].banner, "220 mx.google.com ESMTP", 23)
	    == 0);
	assert_int_equal(st.starttls_flows, 1);
	assert_day(l.o[0].time, 1400112000);		/* 2014-05-15 */

	/* TLS 1.3: parameters in clear, certificates encrypted. */
	sniff_file("tls13-ech.pcap", &l, &st);
	assert_int_equal(l.n, 2);
	for (i = 0; i < 2; i++) {
		assert_string_equal(l.o[i].ip, "162.159.138.85");
		assert_string_equal(l.o[i].version, "TLSv1.3");
		assert_string_equal(l.o[i].cipher, "TLS_AES_128_GCM_SHA256");
		assert_string_equal(l.o[i].group, "x25519");
		assert_string_equal(l.o[i].sni, "cloudflare-ech.com");
		assert_int_equal(l.o[i].chain_len, 0);
		assert_int_equal(l.o[i].status, SCAN_OK);
	}

	/* SSL 3.0 on port 4443 over BSD loopback (Arkime). */
	sniff_file("ssl-selfsign.pcap", &l, &st);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.o[0].port, 4443);
	assert_string_equal(l.o[0].version, "SSLv3");
	assert_string_equal(l.o[0].cipher, "TLS_RSA_WITH_AES_256_CBC_SHA");
	assert_int_equal(l.o[0].chain_len, 1);
	assert_string_equal(l.o[0].leaf_subject, "CN=molochftw");

	sniff_file("tls-expired-cert.pcap", &l, &st);
	assert_int_equal(l.n, 2);
	assert_int_equal(st.tls_flows, 2);
	assert_int_equal(st.parse_errors, 0);
	assert_int_equal(st.bad_certs, 0);
	assert_non_null(strstr(l.o[0].leaf_subject, "CN=www.spidh.org"));
	assert_non_null(strstr(l.o[1].leaf_subject, "CN=www.tobu-estate.com"));
}

/* opts.dedupe: the same connections again are counted, not emitted;
 * without it they are emitted again. */
static void
test_dedupe(void **state)
{
	const char *src = getenv("CERTSWEEP_SRC");
	char path[4096];
	struct passive_opts po = { .dedupe = true };
	struct passive_stats st;
	struct obs_list l;
	struct capture *cap;
	struct passive *ps;
	int pass, mode;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/pcaps/%s",
	    src != NULL ? src : ".", "tls-expired-cert.pcap");
	for (mode = 0; mode < 2; mode++) {
		po.dedupe = mode == 0;
		memset(&l, 0, sizeof(l));
		ps = passive_new(&po, collect, &l);
		for (pass = 0; pass < 2; pass++) {
			cap = capture_open_offline(path, NULL);
			assert_non_null(cap);
			assert_int_equal(capture_loop(cap, obs_pkt, ps), 0);
			capture_close(cap);
			passive_flush(ps);
		}
		passive_get_stats(ps, &st);
		passive_free(ps);
		assert_int_equal(l.n, mode == 0 ? 2 : 4);
		assert_int_equal(st.observations, l.n);
		assert_int_equal(st.duplicates, mode == 0 ? 2 : 0);
		assert_int_equal(l.o[0].chain_len, 2);
		assert_int_equal(l.o[1].chain_len, 3);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_smtp),
		cmocka_unit_test(test_imap_pop3_ftp),
		cmocka_unit_test(test_xmpp),
		cmocka_unit_test(test_ldap),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_guess),
		cmocka_unit_test(test_smtp_capture),
		cmocka_unit_test(test_observations),
		cmocka_unit_test(test_dedupe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
