/*
 * tls.c: SSL_CTX policy, per-connection SSL objects, handshake error
 * classification and the facts collected after a handshake.
 *
 * The context runs at security level 0 with TLS 1.0 and up allowed, so that
 * weak servers (RSA-1024 leaves, SHA-1 chains, TLS 1.0-only) still hand us
 * their certificates: judging them is the policy's job, not the handshake's.
 * OpenSSL verifies the server chain even under SSL_VERIFY_NONE; our
 * cert_verify_callback skips that step: the chain is judged once, after
 * the handshake, by the analysis (scanner/verify.c, policy.c), the same
 * way for every source of observations.
 */
#include "scanner/tls.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "probes/tlswire.h"
#include "scanner/cert.h"
#include "scanner/xmem.h"

/*
 * The largest Certificate message we take: the raw grab's cap
 * (probes/tlswire.h), so that both grabs agree.  OpenSSL's own default
 * (100 KiB) refuses real, valid certificates: a leaf with 10,000 SANs is
 * ~165 KiB.  OpenSSL holds the whole message while it reads it, so this
 * bounds the memory a hostile server can make one connection use; larger
 * chains end as tls-error with this limit in the reason.
 */
#define TLS_MAX_CERT_LIST	TLSWIRE_CERT_DEFAULT

/* No verification inside the handshake: the analysis does it. */
static int
cert_verify_cb(X509_STORE_CTX *xctx, void *arg)
{
	(void)xctx;
	(void)arg;
	return 1;
}

/* "h2,http/1.1" -> wire format; -1 when a name is empty or too long. */
static int
alpn_wire(const char *list, unsigned char *out, size_t outlen, size_t *n)
{
	size_t o = 0;

	while (*list != '\0') {
		size_t len = strcspn(list, ",");

		if (len == 0 || len > 255 || o + 1 + len > outlen)
			return -1;
		out[o++] = (unsigned char)len;
		memcpy(out + o, list, len);
		o += len;
		list += len;
		if (*list == ',')
			list++;
	}
	*n = o;
	return o > 0 ? 0 : -1;
}

int
tls_ctx_check(const struct config *cfg, char *err, size_t errlen)
{
	unsigned char alpn[256];
	size_t alpnlen;

	if (cfg->alpn != NULL && alpn_wire(cfg->alpn, alpn, sizeof(alpn),
	    &alpnlen) == -1) {
		snprintf(err, errlen, "--alpn \"%s\": expected names "
		    "separated by commas, e.g. h2,http/1.1", cfg->alpn);
		return -1;
	}
	return 0;
}

SSL_CTX *
tls_ctx_new(const struct config *cfg, char *err, size_t errlen)
{
	SSL_CTX *ctx;
	unsigned char alpn[256];
	size_t alpnlen;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "cannot create a TLS context: %s",
		    ERR_reason_error_string(ERR_get_error()));
		return NULL;
	}
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_cipher_list(ctx, "ALL:!aNULL:!eNULL:@SECLEVEL=0");
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT |
	    SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_max_cert_list(ctx, TLS_MAX_CERT_LIST);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, cert_verify_cb, NULL);
	if (cfg->alpn != NULL) {
		if (alpn_wire(cfg->alpn, alpn, sizeof(alpn), &alpnlen) == -1 ||
		    SSL_CTX_set_alpn_protos(ctx, alpn,
		    (unsigned)alpnlen) != 0) {
			snprintf(err, errlen, "--alpn \"%s\": expected names "
			    "separated by commas, e.g. h2,http/1.1", cfg->alpn);
			goto fail;
		}
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL *
tls_new(SSL_CTX *ctx, int fd, const char *sni)
{
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1)
		goto fail;
	/* the SSL_set_tlsext_host_name() macro casts away const */
	if (sni != NULL && *sni != '\0' &&
	    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME,
	    TLSEXT_NAMETYPE_host_name, (void *)(uintptr_t)sni) != 1)
		goto fail;
	/* ask for a stapled OCSP response: the analysis judges it with
	 * the chain (no status callback: the handshake never fails on it) */
	if (SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp) != 1)
		goto fail;
	SSL_set_connect_state(ssl);
	return ssl;
fail:
	SSL_free(ssl);
	ERR_clear_error();
	return NULL;
}

static bool
is_not_tls(int reason)
{
	switch (reason) {
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
	case SSL_R_HTTP_REQUEST:
	case SSL_R_HTTPS_PROXY_REQUEST:
	case SSL_R_RECORD_LENGTH_MISMATCH:
	case SSL_R_UNKNOWN_PROTOCOL:
		return true;
	default:
		return false;
	}
}

enum scan_status
tls_classify(SSL *ssl, int ret, int saved_errno, char *reason, size_t len)
{
	int err = SSL_get_error(ssl, ret);
	unsigned long e = ERR_peek_error();
	const char *what = e ? ERR_reason_error_string(e) : NULL;
	enum scan_status st;

	if (what == NULL)
		what = "unknown error";
	if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN ||
	    (e != 0 && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
		if (e == 0 && saved_errno != 0 && saved_errno != ECONNRESET) {
			snprintf(reason, len, "socket error during the TLS "
			    "handshake: %s", strerror(saved_errno));
			st = SCAN_INTERNAL_ERROR;
		} else {
			snprintf(reason, len, "the server %s the connection "
			    "during the TLS handshake",
			    saved_errno == ECONNRESET ? "reset" : "closed");
			st = SCAN_CLOSED;
		}
	} else if (e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    is_not_tls(ERR_GET_REASON(e))) {
		snprintf(reason, len, "the server did not answer with TLS (%s);"
		    " is this a plain-text or STARTTLS port?", what);
		st = SCAN_PROTOCOL_ERROR;
	} else if (e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    ERR_GET_REASON(e) == SSL_R_EXCESSIVE_MESSAGE_SIZE) {
		snprintf(reason, len, "TLS handshake failed: the server sent a "
		    "handshake message larger than this scanner accepts (a "
		    "certificate chain over %d KiB?)",
		    TLS_MAX_CERT_LIST / 1024);
		st = SCAN_TLS_ERROR;
	} else {
		snprintf(reason, len, "TLS handshake failed: %s", what);
		st = SCAN_TLS_ERROR;
	}
	ERR_clear_error();
	return st;
}

static void
collect_chain(SSL *ssl, struct observation *obs)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	int n = chain != NULL ? sk_X509_num(chain) : 0;

	if (n > CHAIN_MAX)
		n = CHAIN_MAX;
	if (n <= 0)
		return;
	obs->chain = xcalloc((size_t)n, sizeof(*obs->chain));
	for (int i = 0; i < n; i++)
		if (cert_record_from_x509(&obs->chain[obs->chain_len],
		    sk_X509_value(chain, i)) == 0)
			obs->chain_len++;
}

/* The stapled OCSP response, if the server sent one (bounded by the
 * record layer: at most one handshake message). */
static void
collect_staple(SSL *ssl, struct observation *obs)
{
	unsigned char *resp = NULL;
	long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);

	if (resp == NULL || len <= 0 || obs->ocsp_staple != NULL)
		return;
	obs->ocsp_staple = xmemdup(resp, (size_t)len);
	obs->ocsp_staple_len = (size_t)len;
}

void
tls_collect(SSL *ssl, struct observation *obs)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	const unsigned char *alpn = NULL;
	unsigned alpnlen = 0;
	const char *g;
	int nid;

	snprintf(obs->version, sizeof(obs->version), "%s",
	    SSL_get_version(ssl));
	if (c != NULL)
		snprintf(obs->cipher, sizeof(obs->cipher), "%s",
		    SSL_CIPHER_standard_name(c) ? SSL_CIPHER_standard_name(c) :
		    SSL_CIPHER_get_name(c));
	nid = SSL_get_negotiated_group(ssl);
	if (nid != 0 && (g = SSL_group_to_name(ssl, nid)) != NULL)
		snprintf(obs->group, sizeof(obs->group), "%s", g);
	SSL_get0_alpn_selected(ssl, &alpn, &alpnlen);
	if (alpnlen > 0)
		snprintf(obs->alpn, sizeof(obs->alpn), "%.*s", (int)alpnlen,
		    (const char *)alpn);
	obs->verify_code = X509_V_ERR_UNSPECIFIED;	/* until judged */
	snprintf(obs->verify_reason, sizeof(obs->verify_reason),
	    "not verified");
	obs->name_match = -1;
	collect_chain(ssl, obs);
	collect_staple(ssl, obs);
}
