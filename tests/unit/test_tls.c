/*
 * test_tls.c: scanner/tls.c against an in-process server over a socketpair
 * (the libevent regress_ssl idea): a handshake with a self-signed
 * certificate made at run time, a server that speaks HTTP instead of TLS,
 * and one that hangs up.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/config.h"
#include "scanner/tls.h"

enum server_kind { SERVER_TLS, SERVER_HTTP, SERVER_HANGUP };

struct server {
	int		 fd;
	char		 sni[64];	/* what the client sent */
	enum server_kind kind;
	EVP_PKEY	*key;
	X509		*cert;
};

static void
make_identity(EVP_PKEY **key, X509 **cert)
{
	X509_NAME *name;

	*key = EVP_EC_gen("P-256");
	assert_non_null(*key);
	*cert = X509_new();
	assert_non_null(*cert);
	ASN1_INTEGER_set(X509_get_serialNumber(*cert), 4242);
	X509_gmtime_adj(X509_getm_notBefore(*cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(*cert), 86400);
	X509_set_pubkey(*cert, *key);
	name = X509_get_subject_name(*cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"unit.test", -1, -1, 0);
	X509_set_issuer_name(*cert, name);
	assert_true(X509_sign(*cert, *key, EVP_sha256()) > 0);
}

static void *
server_main(void *arg)
{
	struct server *s = arg;
	SSL_CTX *ctx;
	SSL *ssl;
	char buf[512];

	if (s->kind == SERVER_HANGUP) {
		if (read(s->fd, buf, sizeof(buf)) < 0)
			perror("server read");
		close(s->fd);
		return NULL;
	}
	if (s->kind == SERVER_HTTP) {
		static const char resp[] = "HTTP/1.1 400 Bad Request\r\n"
		    "Content-Length: 0\r\n\r\n";

		if (read(s->fd, buf, sizeof(buf)) < 0 ||
		    write(s->fd, resp, sizeof(resp) - 1) < 0)
			perror("server");
		close(s->fd);
		return NULL;
	}
	ctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_use_certificate(ctx, s->cert);
	SSL_CTX_use_PrivateKey(ctx, s->key);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, s->fd);
	if (SSL_accept(ssl) == 1) {
		const char *name = SSL_get_servername(ssl,
		    TLSEXT_NAMETYPE_host_name);

		snprintf(s->sni, sizeof(s->sni), "%s", name ? name : "");
		(void)SSL_read(ssl, buf, sizeof(buf));	/* until close */
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(s->fd);
	return NULL;
}

struct run {
	struct observation	obs;
	char			sni[64];	/* as the server saw it */
	enum scan_status	status;
	char			reason[256];
};

/* The server's certificate as a CA file, so that it verifies. */
/* Runs one client handshake against a server of the given kind. */
static void
run_client(enum server_kind kind, const char *sni, struct run *r)
{
	struct config cfg = { .timeout = 5 };
	struct server s = { .kind = kind };
	pthread_t th;
	char err[256];
	SSL_CTX *ctx;
	SSL *ssl;
	int sv[2], ret;

	memset(r, 0, sizeof(*r));
	make_identity(&s.key, &s.cert);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s.fd = sv[1];
	assert_int_equal(pthread_create(&th, NULL, server_main, &s), 0);
	ctx = tls_ctx_new(&cfg, err, sizeof(err));
	assert_non_null(ctx);
	ssl = tls_new(ctx, sv[0], sni);
	assert_non_null(ssl);
	ret = SSL_do_handshake(ssl);
	if (ret == 1) {
		r->status = SCAN_OK;
		tls_collect(ssl, &r->obs);
		SSL_shutdown(ssl);
	} else {
		r->status = tls_classify(ssl, ret, 0, r->reason,
		    sizeof(r->reason));
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(sv[0]);
	pthread_join(th, NULL);
	memcpy(r->sni, s.sni, sizeof(r->sni));
	X509_free(s.cert);
	EVP_PKEY_free(s.key);
}

static void
test_handshake_collects_chain(void **state)
{
	struct run r;

	(void)state;
	run_client(SERVER_TLS, "unit.test", &r);
	assert_int_equal(r.status, SCAN_OK);
	assert_string_equal(r.obs.version, "TLSv1.3");
	assert_true(strncmp(r.obs.cipher, "TLS_", 4) == 0);
	assert_true(r.obs.group[0] != '\0');
	assert_int_equal(r.obs.chain_len, 1);
	assert_string_equal(r.obs.chain[0].subject, "CN=unit.test");
	assert_true(r.obs.chain[0].self_signed);
	/* judging the chain is the analysis' job (test_policy) */
	assert_int_equal(r.obs.verify_code, X509_V_ERR_UNSPECIFIED);
	assert_int_equal(r.obs.name_match, -1);
	assert_string_equal(r.sni, "unit.test");
	observation_clear(&r.obs);
}

static void
test_plain_http_is_protocol_error(void **state)
{
	struct run r;

	(void)state;
	run_client(SERVER_HTTP, NULL, &r);
	assert_int_equal(r.status, SCAN_PROTOCOL_ERROR);
	assert_non_null(strstr(r.reason, "did not answer with TLS"));
}

static void
test_hangup_is_closed(void **state)
{
	struct run r;

	(void)state;
	run_client(SERVER_HANGUP, NULL, &r);
	assert_int_equal(r.status, SCAN_CLOSED);
	assert_non_null(strstr(r.reason, "closed"));
}

static void
test_bad_alpn_is_an_error(void **state)
{
	struct config cfg = { .timeout = 5, .alpn = "h2,,x" };
	char err[512];

	(void)state;
	assert_null(tls_ctx_new(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "--alpn"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_collects_chain),
		cmocka_unit_test(test_plain_http_is_protocol_error),
		cmocka_unit_test(test_hangup_is_closed),
		cmocka_unit_test(test_bad_alpn_is_an_error),
	};

	/* the server thread may write to a client that has hung up */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("tls", tests, NULL, NULL);
}
