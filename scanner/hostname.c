/*
 * hostname.c: RFC 6125 name matching for cert.hostname_mismatch.  The
 * rules are listed in hostname.h; names come from the DER itself (SAN and
 * CN as counted ASN.1 strings), so an embedded NUL is seen, not cut off.
 */
#include "scanner/hostname.h"

#include "scanner/cert.h"
#include "scanner/certlite.h"
#include "scanner/der.h"
#include "scanner/xmem.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Names listed in an explanation before "...". */
#define WHY_NAMES	4

static bool
has_alabel_prefix(const char *s, size_t len)
{
	return len >= 4 && strncasecmp(s, "xn--", 4) == 0;
}

/* Drops one trailing dot: "a.example." names the same host as "a.example". */
static size_t
strip_dot(const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '.')
		return len - 1;
	return len;
}

/*
 * The part of the pattern after the wildcard label (".zeek.org") must have
 * at least two non-empty labels.
 */
static bool
is_valid_wildcard_rest(const char *rest, size_t len)
{
	size_t	 labels = 0, cur = 0;

	if (len < 2 || rest[0] != '.')
		return false;
	for (size_t i = 1; i <= len; i++) {
		if (i == len || rest[i] == '.') {
			if (cur == 0)
				return false;
			labels++;
			cur = 0;
		} else if (rest[i] == '*')
			return false;
		else
			cur++;
	}
	return labels >= 2;
}

static bool
wildcard_match(const char *pat, size_t patlen, const char *host,
    size_t hostlen)
{
	const char	*star, *pdot, *hdot;
	size_t		 plabel, hlabel, pre, suf;

	star = memchr(pat, '*', patlen);
	pdot = memchr(pat, '.', patlen);
	if (pdot == NULL || star > pdot)
		return false;	/* '*' only in the left-most label */
	plabel = pdot - pat;
	if (!is_valid_wildcard_rest(pdot, patlen - plabel))
		return false;
	if (has_alabel_prefix(pat, plabel))
		return false;
	hdot = memchr(host, '.', hostlen);
	if (hdot == NULL)
		return false;
	hlabel = hdot - host;
	if (hostlen - hlabel != patlen - plabel ||
	    strncasecmp(hdot, pdot, hostlen - hlabel) != 0)
		return false;
	pre = star - pat;
	suf = plabel - pre - 1;
	if (hlabel < pre + suf + 1)
		return false;	/* '*' stands for at least one character */
	if ((pre > 0 || suf > 0) && has_alabel_prefix(host, hlabel))
		return false;
	return strncasecmp(host, pat, pre) == 0 &&
	    strncasecmp(host + hlabel - suf, star + 1, suf) == 0;
}

bool
hostname_match(const char *pattern, size_t patlen, const char *host,
    size_t hostlen)
{
	if (memchr(pattern, '\0', patlen) != NULL ||
	    memchr(host, '\0', hostlen) != NULL)
		return false;
	if (memchr(host, '*', hostlen) != NULL)
		return false;
	patlen = strip_dot(pattern, patlen);
	hostlen = strip_dot(host, hostlen);
	if (memchr(pattern, '*', patlen) == NULL)
		return patlen == hostlen &&
		    strncasecmp(pattern, host, patlen) == 0;
	return wildcard_match(pattern, patlen, host, hostlen);
}

bool
hostname_is_ip(const char *s, unsigned char *out, size_t *len)
{
	unsigned char	 buf[16];

	if (out == NULL)
		out = buf;
	if (inet_pton(AF_INET, s, out) == 1) {
		if (len != NULL)
			*len = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		if (len != NULL)
			*len = 16;
		return true;
	}
	return false;
}

/* Accumulates "a, b, c" of the names tried, up to WHY_NAMES of them. */
struct tried {
	char	 list[200];
	size_t	 n;
};

static void
tried_add(struct tried *t, const char *name, size_t len)
{
	size_t	 used = strlen(t->list);

	if (t->n++ >= WHY_NAMES || used >= sizeof(t->list) - 1)
		return;
	/* %.*s stops at an embedded NUL: fine for an explanation. */
	snprintf(t->list + used, sizeof(t->list) - used, "%s%.*s",
	    used > 0 ? ", " : "", (int)len, name);
}

static const char *
tried_more(const struct tried *t)
{
	return t->n > WHY_NAMES ? ", ..." : "";
}

/* The DNS and IP SANs of a certificate, as its DER holds them. */
struct san {
	int			 type;	/* GEN_DNS, GEN_IPADD */
	const unsigned char	*p;
	size_t			 len;
};

struct sans {
	struct san	*v;
	size_t		 n, cap;
};

static void
sans_add(struct sans *s, int type, const unsigned char *p, size_t len)
{
	if (type != GEN_DNS && type != GEN_IPADD)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 8 : 2 * s->cap;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = (struct san){ .type = type, .p = p, .len = len };
}

/* From the DER itself (names: certlite_san_names()). */
static void
sans_from_der(struct sans *s, const struct der *names)
{
	struct der_cur	 c = der_enter(names);
	struct der	 g;

	if (names->tag == 0)
		return;
	while (!der_at_end(&c) && der_next(&c, &g) == 0)
		sans_add(s, certlite_gn_type(&g), g.val, g.len);
}

/* From OpenSSL's decoding; s points into gens. */
static void
sans_from_gens(struct sans *s, const GENERAL_NAMES *gens)
{
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *str = g->type == GEN_DNS ? g->d.dNSName :
		    g->type == GEN_IPADD ? g->d.iPAddress : NULL;

		if (str != NULL)
			sans_add(s, g->type, ASN1_STRING_get0_data(str),
			    (size_t)ASN1_STRING_length(str));
	}
}

static int
check_ip(const struct sans *s, const char *host, char *why, size_t whylen)
{
	unsigned char	 want[16];
	size_t		 wlen = 0;
	struct tried	 t = { .n = 0 };
	char		 txt[INET6_ADDRSTRLEN];

	(void)hostname_is_ip(host, want, &wlen);
	for (size_t i = 0; i < s->n; i++) {
		const unsigned char *ip = s->v[i].p;
		size_t	 len = s->v[i].len;

		if (s->v[i].type != GEN_IPADD)
			continue;
		if (len == wlen && memcmp(ip, want, wlen) == 0) {
			if (why != NULL)
				snprintf(why, whylen, "IP SAN %s", host);
			return 1;
		}
		if ((len == 4 || len == 16) && inet_ntop(len == 4 ? AF_INET :
		    AF_INET6, ip, txt, sizeof(txt)) != NULL)
			tried_add(&t, txt, strlen(txt));
	}
	if (why != NULL)
		snprintf(why, whylen, "%s is not among the %zu IP SANs (%s%s)",
		    host, t.n, t.list, tried_more(&t));
	return 0;
}

static int
check_dns_sans(const struct sans *s, const char *host, char *why,
    size_t whylen)
{
	struct tried	 t = { .n = 0 };

	for (size_t i = 0; i < s->n; i++) {
		const char *name = (const char *)s->v[i].p;
		size_t	 len = s->v[i].len;

		if (s->v[i].type != GEN_DNS)
			continue;
		if (hostname_match(name, len, host, strlen(host))) {
			if (why != NULL)
				snprintf(why, whylen, "DNS SAN %.*s",
				    (int)len, name);
			return 1;
		}
		tried_add(&t, name, len);
	}
	if (why != NULL)
		snprintf(why, whylen, "%s matches none of the %zu DNS SANs "
		    "(%s%s)", host, t.n, t.list, tried_more(&t));
	return 0;
}

static int
check_cn(const X509_NAME *subj, const char *host, char *why,
    size_t whylen)
{
	struct tried	 t = { .n = 0 };
	int		 i = -1;

	while ((i = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >=
	    0) {
		const ASN1_STRING *s = X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(subj, i));
		unsigned char *utf8 = NULL;
		int	 len = ASN1_STRING_to_UTF8(&utf8, s);
		bool	 ok;

		if (len < 0)
			continue;
		ok = hostname_match((char *)utf8, (size_t)len, host,
		    strlen(host));
		if (ok && why != NULL)
			snprintf(why, whylen, "subject CN %.*s (no DNS SAN)",
			    len, (char *)utf8);
		if (!ok)
			tried_add(&t, (char *)utf8, (size_t)len);
		OPENSSL_free(utf8);
		if (ok)
			return 1;
	}
	if (t.n == 0) {
		if (why != NULL)
			snprintf(why, whylen, "certificate has neither a DNS "
			    "SAN nor a subject CN");
		return 0;
	}
	if (why != NULL)
		snprintf(why, whylen, "%s does not match the subject CN (%s%s; "
		    "no DNS SAN)", host, t.list, tried_more(&t));
	return 0;
}

static bool
has_dns_san(const struct sans *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].type == GEN_DNS)
			return true;
	return false;
}

int
hostname_check_cert(const struct cert_record *rec, const char *host,
    char *why, size_t whylen)
{
	X509		*x = NULL;
	X509_NAME	*subj = NULL;
	GENERAL_NAMES	*gens = NULL;
	struct der	 names;
	struct sans	 sans = { .v = NULL, .n = 0, .cap = 0 };
	bool		 lite = rec->x509 == NULL && rec->der != NULL;
	int		 rc = -1;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (host == NULL || host[0] == '\0') {
		if (why != NULL)
			snprintf(why, whylen, "no host name to check");
		goto out;
	}
	/* A lite record (no X509): the SAN and the subject straight from
	 * the DER, d2i_X509 costs ~100 us (certlite.h); read here when
	 * certlite can, else decoded by OpenSSL as X509_get_ext_d2i()
	 * would; else as OpenSSL parsed the certificate. */
	if (lite && certlite_rec_san_names(rec, &names) == 0)
		sans_from_der(&sans, &names);
	else if (lite && certlite_san(rec->der, rec->der_len, &gens) == 0)
		sans_from_gens(&sans, gens);
	else {
		if ((x = cert_record_x509(rec)) == NULL) {
			if (why != NULL)
				snprintf(why, whylen,
				    "certificate does not parse");
			goto out;
		}
		gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
		sans_from_gens(&sans, gens);
	}
	if (hostname_is_ip(host, NULL, NULL))
		rc = check_ip(&sans, host, why, whylen);
	else if (has_dns_san(&sans))
		rc = check_dns_sans(&sans, host, why, whylen);
	else {
		if (x == NULL && (subj = certlite_subject(rec->der,
		    rec->der_len)) == NULL)
			x = cert_record_x509(rec);
		if (subj != NULL || x != NULL)
			rc = check_cn(subj != NULL ? subj :
			    X509_get_subject_name(x), host, why, whylen);
		else if (why != NULL)
			snprintf(why, whylen, "certificate does not parse");
	}
out:
	free(sans.v);
	GENERAL_NAMES_free(gens);
	X509_NAME_free(subj);
	X509_free(x);
	return rc;
}
