/*
 * ocsp_live.c: live OCSP queries over HTTP with a per-run cache (see
 * ocsp_live.h for what is asked, where, and what it costs).
 */
#include "scanner/ocsp_live.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "scanner/cert.h"
#include "scanner/verify.h"
#include "scanner/xmem.h"

#define NBUCKETS	1024
#define MAX_ENTRIES	65536		/* beyond that, ask without caching */
#define MAX_RESPONSE	(64 * 1024)
#define URL_MAX		1024

/* One (issuer, serial): the OCSP CertID's DER is the key. */
struct entry {
	struct entry	*next;
	uint8_t		*key;
	size_t		 keylen;
	bool		 pending;	/* a thread is asking right now */
	uint8_t		*der;		/* the answer; NULL when it failed */
	size_t		 len;
	char		 err[160];
};

struct ocsp_live {
	pthread_mutex_t	 lock;
	pthread_cond_t	 answered;
	int		 timeout;
	size_t		 nentries;
	struct entry	*bucket[NBUCKETS];
};

struct ocsp_live *
ocsp_live_new(double timeout)
{
	struct ocsp_live *ol = xcalloc(1, sizeof(*ol));

	ol->timeout = timeout >= OCSP_LIVE_MAX_TIMEOUT ?
	    OCSP_LIVE_MAX_TIMEOUT : timeout >= 1 ? (int)timeout : 1;
	pthread_mutex_init(&ol->lock, NULL);
	pthread_cond_init(&ol->answered, NULL);
	return ol;
}

void
ocsp_live_free(struct ocsp_live *ol)
{
	struct entry *e, *next;

	if (ol == NULL)
		return;
	for (size_t i = 0; i < NBUCKETS; i++)
		for (e = ol->bucket[i]; e != NULL; e = next) {
			next = e->next;
			free(e->key);
			free(e->der);
			free(e);
		}
	pthread_mutex_destroy(&ol->lock);
	pthread_cond_destroy(&ol->answered);
	free(ol);
}

int
ocsp_live_pick_url(const char *urls, char *out, size_t outlen)
{
	const char *p = urls;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");

		/* an escaped byte (\xNN) means a URL we would not trust */
		if (n < outlen && n > 7 && strncasecmp(p, "http://", 7) == 0 &&
		    memchr(p, '\\', n) == NULL) {
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return -1;
}

static size_t
bucket_of(const uint8_t *key, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % NBUCKETS;
}

/* The last OpenSSL error in words, or what. */
static void
ossl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e, last = 0;

	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last != 0 && ERR_reason_error_string(last) != NULL)
		snprintf(err, errlen, "%s: %s", what,
		    ERR_reason_error_string(last));
	else
		snprintf(err, errlen, "%s", what);
}

/* POSTs req to url; the answer's DER into *der, its length *len. */
static int
http_post(const char *url, OCSP_REQUEST *req, int timeout, uint8_t **der,
    size_t *len, char *err, size_t errlen)
{
	char	*scheme = NULL, *user = NULL, *host = NULL, *port = NULL;
	char	*path = NULL, *query = NULL, *frag = NULL, *full = NULL;
	BIO	*body = NULL, *resp = NULL;
	char	*data;
	long	 n;
	int	 portnum, rc = -1;

	if (OSSL_parse_url(url, &scheme, &user, &host, &port, &portnum, &path,
	    &query, &frag) != 1 || strcasecmp(scheme, "http") != 0) {
		snprintf(err, errlen, "OCSP URL %s: not an http:// URL", url);
		goto out;
	}
	full = query[0] != '\0' ? xasprintf("%s?%s", path, query) :
	    xstrdup(path);
	if ((body = ASN1_item_i2d_mem_bio(ASN1_ITEM_rptr(OCSP_REQUEST),
	    (const ASN1_VALUE *)req)) == NULL) {
		ossl_err(err, errlen, "cannot encode the OCSP request");
		goto out;
	}
	/* proxy "": never one from the environment; no redirects */
	resp = OSSL_HTTP_transfer(NULL, host, port, full, 0, "", NULL, NULL,
	    NULL, NULL, NULL, 0, NULL, "application/ocsp-request", body,
	    "application/ocsp-response", 1, MAX_RESPONSE, timeout, 0);
	if (resp == NULL) {
		char what[URL_MAX + 32];

		snprintf(what, sizeof(what), "OCSP responder %s", url);
		ossl_err(err, errlen, what);
		goto out;
	}
	if ((n = BIO_get_mem_data(resp, &data)) <= 0 || n > MAX_RESPONSE) {
		snprintf(err, errlen, "OCSP responder %s: empty answer", url);
		goto out;
	}
	*der = xmemdup(data, (size_t)n);
	*len = (size_t)n;
	rc = 0;
out:
	OPENSSL_free(scheme);
	OPENSSL_free(user);
	OPENSSL_free(host);
	OPENSSL_free(port);
	OPENSSL_free(path);
	OPENSSL_free(query);
	OPENSSL_free(frag);
	free(full);
	BIO_free(body);
	BIO_free(resp);
	ERR_clear_error();
	return rc;
}

/* Asks the responder about id (consumed). */
static int
ask(const char *url, OCSP_CERTID *id, int timeout, uint8_t **der,
    size_t *len, char *err, size_t errlen)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	int rc = -1;

	if (req == NULL || OCSP_request_add0_id(req, id) == NULL) {
		OCSP_CERTID_free(id);
		snprintf(err, errlen, "cannot build an OCSP request");
		goto out;
	}
	rc = http_post(url, req, timeout, der, len, err, errlen);
out:
	OCSP_REQUEST_free(req);
	return rc;
}

/* The cached outcome of e into the caller's buffers. */
static int
answer(const struct entry *e, uint8_t **der, size_t *len, char *err,
    size_t errlen)
{
	if (e->der == NULL) {
		snprintf(err, errlen, "%s", e->err);
		return -1;
	}
	*der = xmemdup(e->der, e->len);
	*len = e->len;
	return 0;
}

/*
 * Finds key, waiting while another thread asks; or adds a pending entry
 * this thread fills (*mine).  NULL when the cache is full: ask uncached.
 */
static struct entry *
lookup(struct ocsp_live *ol, const uint8_t *key, size_t keylen, bool *mine)
{
	size_t b = bucket_of(key, keylen);
	struct entry *e;

	*mine = false;
	for (e = ol->bucket[b]; e != NULL; e = e->next)
		if (e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
			break;
	if (e != NULL) {
		while (e->pending)
			pthread_cond_wait(&ol->answered, &ol->lock);
		return e;
	}
	if (ol->nentries >= MAX_ENTRIES)
		return NULL;
	e = xcalloc(1, sizeof(*e));
	e->key = xmemdup(key, keylen);
	e->keylen = keylen;
	e->pending = true;
	e->next = ol->bucket[b];
	ol->bucket[b] = e;
	ol->nentries++;
	*mine = true;
	return e;
}

/* The CertID of the leaf (SHA-1, what responders expect) and its DER. */
static OCSP_CERTID *
cert_id(const struct verify_ctx *vctx, const struct cert_record *chain,
    size_t n, uint8_t **key, size_t *keylen, char *err, size_t errlen)
{
	X509		*leaf = cert_record_x509(&chain[0]);
	X509		*issuer = verify_leaf_issuer(vctx, chain, n);
	OCSP_CERTID	*id = NULL;
	unsigned char	*p = NULL;
	int		 l;

	*key = NULL;
	if (leaf == NULL || issuer == NULL) {
		snprintf(err, errlen, "the issuer of the certificate is not "
		    "at hand (not sent, not in --ca-file/--intermediates)");
		goto out;
	}
	if ((id = OCSP_cert_to_id(EVP_sha1(), leaf, issuer)) == NULL ||
	    (l = i2d_OCSP_CERTID(id, &p)) <= 0) {
		OCSP_CERTID_free(id);
		id = NULL;
		snprintf(err, errlen, "cannot build an OCSP certificate id");
		goto out;
	}
	*key = xmemdup(p, (size_t)l);
	*keylen = (size_t)l;
out:
	OPENSSL_free(p);
	X509_free(leaf);
	X509_free(issuer);
	ERR_clear_error();
	return id;
}

int
ocsp_live_query(struct ocsp_live *ol, const struct verify_ctx *vctx,
    const struct cert_record *chain, size_t n, uint8_t **der, size_t *len,
    char *err, size_t errlen)
{
	char		 url[URL_MAX];
	OCSP_CERTID	*id;
	struct entry	*e;
	uint8_t		*key = NULL;
	size_t		 keylen = 0;
	bool		 mine;
	int		 rc;

	*der = NULL;
	*len = 0;
	if (n == 0 || ocsp_live_pick_url(chain[0].ocsp_urls, url,
	    sizeof(url)) == -1) {
		snprintf(err, errlen, "no http:// OCSP URL in the certificate");
		return -1;
	}
	if ((id = cert_id(vctx, chain, n, &key, &keylen, err, errlen)) == NULL)
		return -1;
	pthread_mutex_lock(&ol->lock);
	e = lookup(ol, key, keylen, &mine);
	if (e != NULL && !mine) {
		rc = answer(e, der, len, err, errlen);
		pthread_mutex_unlock(&ol->lock);
		OCSP_CERTID_free(id);
		free(key);
		return rc;
	}
	pthread_mutex_unlock(&ol->lock);
	rc = ask(url, id, ol->timeout, der, len, err, errlen);
	if (e != NULL) {
		pthread_mutex_lock(&ol->lock);
		if (rc == 0)
			e->der = xmemdup(*der, *len);
		else
			snprintf(e->err, sizeof(e->err), "%s", err);
		e->len = *len;
		e->pending = false;
		pthread_cond_broadcast(&ol->answered);
		pthread_mutex_unlock(&ol->lock);
	}
	free(key);
	return rc;
}
