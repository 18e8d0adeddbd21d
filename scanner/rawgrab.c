/*
 * rawgrab.c: the certificate grab without cryptography (rawgrab.h says
 * why).  A thin layer over probes/tlswire: build the hello, collect what
 * the parser reports, decide when the flight is complete.
 */
#include "scanner/rawgrab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "probes/tlswire.h"
#include "scanner/cert.h"
#include "scanner/xmem.h"

#define RAW_HELLO_MAX	2048
#define RAW_ALPN_MAX	8

struct rawgrab {
	struct tlswire_parser	 p;
	struct tlswire_events	 ev;
	uint8_t			*hello;		/* hello_len bytes */
	size_t			 hello_len;
	uint16_t		 version, cipher;
	char			 group[32];
	char			 alpn[32];
	struct cert_record	*chain;
	size_t			 chain_len;
	size_t			 chain_cap;
	size_t			 dropped;	/* certificates past CHAIN_MAX */
	uint8_t			*staple;
	size_t			 staple_len;
	int			 alert;		/* description, -1 none */
	size_t			 fed;		/* bytes seen */
};

static void
on_server_hello(void *arg, const struct tlswire_server_hello *sh)
{
	struct rawgrab *g = arg;

	g->version = sh->version;
	g->cipher = sh->cipher;
	if (sh->alpn.len > 0 && sh->alpn.len < sizeof(g->alpn)) {
		memcpy(g->alpn, sh->alpn.data, sh->alpn.len);
		g->alpn[sh->alpn.len] = '\0';
	}
}

static void
add_cert(struct rawgrab *g, const uint8_t *der, size_t len)
{
	if (g->chain_len == CHAIN_MAX) {
		g->dropped++;
		return;
	}
	/* Room for 4 first (1 KiB, which malloc keeps per thread), not for
	 * CHAIN_MAX: most chains are one to three certificates. */
	if (g->chain_len == g->chain_cap) {
		size_t cap = g->chain_cap == 0 ? 4 : g->chain_cap * 2;

		if (cap > CHAIN_MAX)
			cap = CHAIN_MAX;
		g->chain = xreallocarray(g->chain, cap, sizeof(*g->chain));
		memset(&g->chain[g->chain_len], 0,
		    (cap - g->chain_len) * sizeof(*g->chain));
		g->chain_cap = cap;
	}
	/* a certificate OpenSSL cannot read is left out, as in tls.c */
	if (cert_record_from_der_lite(&g->chain[g->chain_len], der, len) == 0)
		g->chain_len++;
}

static void
on_certificate(void *arg, size_t index, const uint8_t *der, size_t len)
{
	(void)index;
	add_cert(arg, der, len);
}

static void
on_server_kx(void *arg, const struct tlswire_server_kx *kx)
{
	struct rawgrab *g = arg;
	const char *name;

	if (kx->kind == TLSWIRE_SKE_ECDHE &&
	    (name = tlswire_group_name(kx->named_curve)) != NULL)
		str_copy(g->group, sizeof(g->group), name);
	else if (kx->kind == TLSWIRE_SKE_DHE)
		snprintf(g->group, sizeof(g->group), "dh%u", kx->dh_prime_bits);
}

static void
on_status(void *arg, const uint8_t *ocsp, size_t len)
{
	struct rawgrab *g = arg;

	if (g->staple == NULL && len > 0) {
		g->staple = xmemdup(ocsp, len);
		g->staple_len = len;
	}
}

static void
on_alert(void *arg, uint8_t level, uint8_t desc)
{
	struct rawgrab *g = arg;

	if (level == TLSWIRE_ALERT_FATAL || g->alert == -1)
		g->alert = desc;
}

static void
on_sslv2_hello(void *arg, const struct tlswire_sslv2_server_hello *sh)
{
	struct rawgrab *g = arg;

	g->version = TLSWIRE_SSL2;
	if (sh->cert.len > 0)
		add_cert(g, sh->cert.data, sh->cert.len);
}

/* "h2,http/1.1" -> names (pointers into buf). */
static size_t
split_alpn(const char *list, char *buf, size_t buflen, const char **names)
{
	size_t n = 0;
	char *s, *save = NULL;

	snprintf(buf, buflen, "%s", list);
	for (s = strtok_r(buf, ",", &save); s != NULL && n < RAW_ALPN_MAX;
	    s = strtok_r(NULL, ",", &save))
		names[n++] = s;
	return n;
}

/*
 * The hello of the last (name, ALPN) this thread built.  The next hello for
 * the same pair differs only in its random, so it is copied and the random
 * put in (4 k instructions an endpoint less).  An empty len: none yet, or
 * the pair could not be kept.
 */
#define RANDOM_AT	11	/* record header 5, handshake header 4, version 2 */
static _Thread_local struct {
	char		 sni[256];
	char		 alpn[256];
	uint8_t		 hello[RAW_HELLO_MAX];
	size_t		 len;
} last;

static size_t
hello_build(const char *sni, const char *alpn, const uint8_t random[32],
    uint8_t *out, size_t outlen)
{
	struct tlswire_hello h;
	const char *names[RAW_ALPN_MAX];
	char abuf[256];
	size_t len;

	tlswire_recipe_grab12(&h);
	memcpy(h.random, random, sizeof(h.random));
	h.sni = *sni != '\0' ? sni : NULL;
	if (*alpn != '\0') {
		h.alpn = names;
		h.nalpn = split_alpn(alpn, abuf, sizeof(abuf), names);
	}
	if (tlswire_build_client_hello(&h, out, outlen, &len) == -1)
		return 0;	/* an impossible SNI: OpenSSL says why */
	return len;
}

static size_t
hello_make(const char *sni, const char *alpn, const uint8_t random[32],
    uint8_t *out, size_t outlen)
{
	size_t len;

	if (last.len > 0 && last.len <= outlen &&
	    strcmp(last.sni, sni) == 0 && strcmp(last.alpn, alpn) == 0) {
		memcpy(out, last.hello, last.len);
		memcpy(out + RANDOM_AT, random, 32);
		return last.len;
	}
	if ((len = hello_build(sni, alpn, random, out, outlen)) == 0)
		return 0;
	last.len = 0;
	if (strlen(sni) < sizeof(last.sni) && strlen(alpn) <
	    sizeof(last.alpn) && len <= sizeof(last.hello)) {
		snprintf(last.sni, sizeof(last.sni), "%s", sni);
		snprintf(last.alpn, sizeof(last.alpn), "%s", alpn);
		memcpy(last.hello, out, len);
		last.len = len;
	}
	return len;
}

struct rawgrab *
rawgrab_new(const char *sni, const char *alpn, uint64_t seed)
{
	struct rawgrab *g = xcalloc(1, sizeof(*g));
	uint8_t random[32], buf[RAW_HELLO_MAX];
	size_t len;

	g->alert = -1;
	g->ev = (struct tlswire_events){
		.arg = g,
		.on_server_hello = on_server_hello,
		.on_certificate = on_certificate,
		.on_server_key_exchange = on_server_kx,
		.on_certificate_status = on_status,
		.on_alert = on_alert,
		.on_sslv2_server_hello = on_sslv2_hello,
	};
	tlswire_parser_init(&g->p, TLSWIRE_DIR_SERVER, 0, &g->ev);
	for (size_t i = 0; i < sizeof(random); i += 8) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		memcpy(random + i, &seed, 8);
	}
	/* Built on the stack, kept at its size (a few hundred bytes): with
	 * the buffer inside, the struct was 2.5 KiB, past malloc's
	 * per-thread caches. */
	len = hello_make(sni != NULL ? sni : "", alpn != NULL ? alpn : "",
	    random, buf, sizeof(buf));
	if (len > 0) {
		g->hello = xmalloc(len);
		memcpy(g->hello, buf, len);
		g->hello_len = len;
	}
	return g;
}

void
rawgrab_free(struct rawgrab *g)
{
	if (g == NULL)
		return;
	tlswire_parser_free(&g->p);
	for (size_t i = 0; i < g->chain_len; i++)
		cert_record_clear(&g->chain[i]);
	free(g->chain);
	free(g->staple);
	free(g->hello);
	free(g);
}

const uint8_t *
rawgrab_hello(const struct rawgrab *g, size_t *len)
{
	*len = g->hello_len;
	return g->hello;
}

static enum raw_rc
raw_state(struct rawgrab *g)
{
	switch (tlswire_state(&g->p)) {
	case TLSWIRE_ST_DONE:
		/* ServerHelloDone (or an SSLv2 hello); HRR has no chain */
		return g->chain_len > 0 ? RAW_DONE : RAW_FALLBACK;
	case TLSWIRE_ST_ENCRYPTED:
		/* TLS 1.3 despite our hello, or an abbreviated handshake */
		return g->chain_len > 0 ? RAW_DONE : RAW_FALLBACK;
	case TLSWIRE_ST_ALERT:
		return RAW_FALLBACK;
	case TLSWIRE_ST_ERROR:
		return RAW_FAIL;
	default:
		return RAW_MORE;
	}
}

enum raw_rc
rawgrab_input(struct rawgrab *g, const uint8_t *buf, size_t len)
{
	g->fed += len;
	(void)tlswire_feed(&g->p, buf, len);
	return raw_state(g);
}

enum raw_rc
rawgrab_eof(struct rawgrab *g)
{
	enum raw_rc rc = raw_state(g);

	/* a server that hangs up on our hello may still talk to OpenSSL */
	return rc == RAW_MORE ? RAW_FALLBACK : rc;
}

void
rawgrab_result(struct rawgrab *g, struct observation *obs)
{
	const char *v = tlswire_version_name(g->version);
	const char *c = tlswire_cipher_name(g->cipher);

	str_copy(obs->version, sizeof(obs->version), v ? v : "");
	if (g->version != TLSWIRE_SSL2)
		str_copy(obs->cipher, sizeof(obs->cipher), c ? c :
		    "unknown");
	str_copy(obs->group, sizeof(obs->group), g->group);
	str_copy(obs->alpn, sizeof(obs->alpn), g->alpn);
	obs->chain = g->chain;
	obs->chain_len = g->chain_len;
	g->chain = NULL;
	g->chain_len = g->chain_cap = 0;
	obs->ocsp_staple = g->staple;
	obs->ocsp_staple_len = g->staple_len;
	g->staple = NULL;
	obs->verify_code = X509_V_ERR_UNSPECIFIED;	/* until judged */
	str_copy(obs->verify_reason, sizeof(obs->verify_reason),
	    "not verified");
	obs->name_match = -1;
	obs->raw = true;
}

enum scan_status
rawgrab_failure(const struct rawgrab *g, char *reason, size_t len)
{
	const char *a;

	if (tlswire_state(&g->p) == TLSWIRE_ST_ERROR) {
		snprintf(reason, len, "%s%s",
		    tlswire_error(&g->p) == TLSWIRE_ERR_NOT_TLS ?
		    "the server did not answer with TLS: " :
		    "broken TLS from the server: ", tlswire_reason(&g->p));
		return SCAN_PROTOCOL_ERROR;
	}
	if (g->alert >= 0) {
		a = tlswire_alert_name((uint8_t)g->alert);
		snprintf(reason, len, "the server refused our TLS 1.2 hello "
		    "with alert %s (%d)", a ? a : "unknown", g->alert);
		return SCAN_TLS_ERROR;
	}
	if (g->fed == 0) {
		snprintf(reason, len, "the server closed the connection "
		    "without answering our TLS hello");
		return SCAN_CLOSED;
	}
	snprintf(reason, len, "the server did not send its certificate to "
	    "a TLS 1.2 hello (TLS 1.3 only?)");
	return SCAN_TLS_ERROR;
}
