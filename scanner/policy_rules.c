/*
 * policy_rules.c: the cert.* rules that need no history, run over one
 * observation's chain at one instant.  Decisions that are not obvious:
 *  - dates (expired, not yet valid, expiring) are judged for every
 *    certificate sent except self-signed roots, which clients ignore in
 *    favour of their own anchors;
 *  - a signature is judged on every certificate except a self-signed CA
 *    sent at depth > 0 (nobody relies on a root's self-signature); a
 *    self-signed leaf, or a root inspected on its own, is judged;
 *  - cert.untrusted is about the path only: an expired certificate from a
 *    trusted CA is cert.expired alone; an incomplete chain (verify.h) is
 *    cert.incomplete_chain instead of cert.untrusted;
 *  - cert.long_validity: leaf, not a CA, notBefore on or after the
 *    policy's "since" (2020-09-01), inclusive period longer than max_days;
 *  - cert.not_server_auth: the leaf is a CA, or has an EKU without
 *    serverAuth/anyExtendedKeyUsage, or a key usage with none of
 *    digitalSignature, keyEncipherment, keyAgreement (static ECDH).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/cert.h"
#include "scanner/certlite.h"
#include "scanner/hostname.h"
#include "scanner/policy.h"
#include "scanner/policy_internal.h"
#include "scanner/verify.h"
#include "scanner/xmem.h"

#define DAY	86400

static void
fmt_date(int64_t t, char *out, size_t outlen)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%d", &tm) == 0)
		snprintf(out, outlen, "@%" PRId64, t);
}

static bool
is_root(const struct cert_record *c)
{
	return c->self_signed && c->is_ca;
}

static void
rule_dates(const struct policy *p, struct observation *obs, size_t i,
    int64_t now)
{
	const struct cert_record *c = &obs->chain[i];
	char	 d[32];
	int64_t	 left = c->not_after - now;

	if (i > 0 && is_root(c))
		return;
	if (now > c->not_after) {
		fmt_date(c->not_after, d, sizeof(d));
		policy_add(obs, p, RULE_CERT_EXPIRED,
		    p->severity[RULE_CERT_EXPIRED], (int)i,
		    "expired %" PRId64 " days ago (notAfter %s)",
		    (now - c->not_after) / DAY, d);
	} else if (left <= (int64_t)p->warn_days * DAY) {
		fmt_date(c->not_after, d, sizeof(d));
		policy_add(obs, p, RULE_CERT_EXPIRING,
		    left <= (int64_t)p->critical_days * DAY ?
		    p->critical_severity : p->severity[RULE_CERT_EXPIRING],
		    (int)i, "expires in %" PRId64 " days (notAfter %s)",
		    left / DAY, d);
	}
	if (now < c->not_before) {
		fmt_date(c->not_before, d, sizeof(d));
		policy_add(obs, p, RULE_CERT_NOT_YET_VALID,
		    p->severity[RULE_CERT_NOT_YET_VALID], (int)i,
		    "not valid before %s", d);
	}
}

void
policy_check_key(const struct policy *p, struct observation *obs, int depth,
    const char *t, int bits, const char *curve)
{
	enum severity sev = p->severity[RULE_CERT_WEAK_KEY];

	if (t == NULL)
		return;
	if ((strcmp(t, "RSA") == 0 || strcmp(t, "RSA-PSS") == 0) &&
	    bits > 0 && bits < p->min_rsa_bits)
		policy_add(obs, p, RULE_CERT_WEAK_KEY, sev, depth,
		    "%s key of %d bits (minimum %d)", t, bits,
		    p->min_rsa_bits);
	else if (strcmp(t, "EC") == 0 && bits > 0 && bits < p->min_ec_bits)
		policy_add(obs, p, RULE_CERT_WEAK_KEY, sev, depth,
		    "EC key on %s, %d bits (minimum %d)",
		    curve != NULL && curve[0] != '\0' ? curve : "?", bits,
		    p->min_ec_bits);
	else if (strcmp(t, "DSA") == 0 && p->dsa_weak)
		policy_add(obs, p, RULE_CERT_WEAK_KEY, sev, depth,
		    "DSA key (%d bits)", bits);
}

/* The signature's digest ("sha1", "md5"), from the DER; "" if unknown. */
static void
sig_digest(const struct cert_record *c, char *out, size_t outlen)
{
	X509	*x = NULL;
	int	 mdnid = NID_undef, pknid = NID_undef, nid = NID_undef;
	const char *sn = NULL;

	out[0] = '\0';
	/* A lite record: the algorithm from the DER, no d2i_X509 (~100 us,
	 * certlite.h), unless the hash hides in RSASSA-PSS parameters. */
	if (c->x509 == NULL && c->der != NULL)
		nid = certlite_rec_sig_nid(c);
	if (nid != NID_undef && nid != NID_rsassaPss &&
	    OBJ_find_sigid_algs(nid, &mdnid, &pknid) == 1 &&
	    mdnid != NID_undef && (sn = OBJ_nid2sn(mdnid)) != NULL) {
		snprintf(out, outlen, "%s", sn);
		return;
	}
	x = cert_record_x509(c);
	if (x != NULL && OBJ_find_sigid_algs(X509_get_signature_nid(x),
	    &mdnid, &pknid) == 1 && mdnid != NID_undef)
		sn = OBJ_nid2sn(mdnid);
	else if (x != NULL && X509_get_signature_info(x, &mdnid, NULL, NULL,
	    NULL) == 1 && mdnid != NID_undef)
		sn = OBJ_nid2sn(mdnid);	/* RSASSA-PSS: hash in parameters */
	if (sn != NULL)
		snprintf(out, outlen, "%s", sn);
	X509_free(x);
}

void
policy_check_signature(const struct policy *p, struct observation *obs,
    int depth, const char *sig_alg, const char *md)
{
	for (size_t k = 0; k < p->nweak_hashes && md[0] != '\0'; k++)
		if (strcasecmp(md, p->weak_hashes[k]) == 0) {
			policy_add(obs, p, RULE_CERT_WEAK_SIGNATURE,
			    p->severity[RULE_CERT_WEAK_SIGNATURE], depth,
			    "signed with %s (%s)", sig_alg != NULL ?
			    sig_alg : "?", p->weak_hashes[k]);
			return;
		}
}

static void
rule_weak_signature(const struct policy *p, struct observation *obs,
    size_t i)
{
	const struct cert_record *c = &obs->chain[i];
	char	 md[32];

	if (i > 0 && c->self_signed && !p->self_signed_ca_sigs)
		return;
	sig_digest(c, md, sizeof(md));
	policy_check_signature(p, obs, (int)i, c->sig_alg, md);
}

static void
rule_long_validity(const struct policy *p, struct observation *obs)
{
	const struct cert_record *c = &obs->chain[0];
	int64_t	 period = c->not_after - c->not_before + 1;

	if (c->is_ca || c->not_before < p->long_validity_since)
		return;
	if (period > (int64_t)p->max_validity_days * DAY)
		policy_add(obs, p, RULE_CERT_LONG_VALIDITY,
		    p->severity[RULE_CERT_LONG_VALIDITY], 0,
		    "valid for %" PRId64 " days (maximum %d)",
		    period / DAY, p->max_validity_days);
}

static bool
has_eku(const char *list, const char *want)
{
	size_t	 n = strlen(want);

	for (const char *s = list; s != NULL && *s != '\0';) {
		if (strncmp(s, want, n) == 0 && (s[n] == ',' || s[n] == '\0'))
			return true;
		s = strchr(s, ',');
		if (s != NULL)
			s++;
	}
	return false;
}

static void
rule_server_auth(const struct policy *p, struct observation *obs)
{
	const struct cert_record *c = &obs->chain[0];
	enum severity sev = p->severity[RULE_CERT_NOT_SERVER_AUTH];

	if (c->is_ca)
		policy_add(obs, p, RULE_CERT_NOT_SERVER_AUTH, sev, 0,
		    "leaf is a CA certificate (basicConstraints CA:TRUE)");
	else if (c->eku != NULL && c->eku[0] != '\0' &&
	    !has_eku(c->eku, "serverAuth") &&
	    !has_eku(c->eku, "anyExtendedKeyUsage"))
		policy_add(obs, p, RULE_CERT_NOT_SERVER_AUTH, sev, 0,
		    "extended key usage %s lacks serverAuth", c->eku);
	else if (c->key_usage != UINT32_MAX && (c->key_usage &
	    (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT |
	    KU_KEY_AGREEMENT)) == 0)
		policy_add(obs, p, RULE_CERT_NOT_SERVER_AUTH, sev, 0,
		    "key usage allows neither digitalSignature nor "
		    "keyEncipherment");
}

static bool
is_listed(const struct issuer_entry *list, size_t n, const char *dn,
    const uint8_t *spki)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i].by_spki) {
			if (spki != NULL && memcmp(list[i].spki, spki, 32) == 0)
				return true;
		} else if (dn != NULL && strcasecmp(list[i].dn, dn) == 0)
			return true;
	}
	return false;
}

/* SPKI hash of chain[i]'s issuer when we hold that certificate. */
static const uint8_t *
issuer_spki(const struct observation *obs, size_t i,
    const struct verify_result *vr)
{
	const struct cert_record *c = &obs->chain[i];

	if (c->self_signed)
		return c->spki_sha256;
	if (i + 1 < obs->chain_len && obs->chain[i + 1].subject != NULL &&
	    c->issuer != NULL && strcmp(obs->chain[i + 1].subject,
	    c->issuer) == 0)
		return obs->chain[i + 1].spki_sha256;
	if (i == 0 && vr != NULL && vr->has_issuer_spki)
		return vr->issuer_spki_sha256;
	return NULL;
}

static void
rule_issuer(const struct policy *p, struct observation *obs,
    const struct verify_result *vr)
{
	const struct cert_record *leaf = &obs->chain[0];
	enum severity sev = p->severity[RULE_CERT_UNAUTHORIZED_ISSUER];

	for (size_t i = 0; i < obs->chain_len; i++)
		if (is_listed(p->deny, p->ndeny, obs->chain[i].issuer,
		    issuer_spki(obs, i, vr))) {
			policy_add(obs, p, RULE_CERT_UNAUTHORIZED_ISSUER, sev,
			    (int)i, "issuer %s is on the deny list",
			    obs->chain[i].issuer);
			return;
		}
	if (vr != NULL && vr->anchor[0] != '\0' &&
	    is_listed(p->deny, p->ndeny, vr->anchor, NULL)) {
		policy_add(obs, p, RULE_CERT_UNAUTHORIZED_ISSUER, sev,
		    (int)obs->chain_len - 1, "trust anchor %s is on the deny "
		    "list", vr->anchor);
		return;
	}
	if (p->nallow > 0 && !is_listed(p->allow, p->nallow, leaf->issuer,
	    issuer_spki(obs, 0, vr)))
		policy_add(obs, p, RULE_CERT_UNAUTHORIZED_ISSUER, sev, 0,
		    "issuer %s is not an approved issuer", leaf->issuer);
}

static void
rule_trust(const struct policy *p, struct observation *obs,
    const struct verify_result *vr)
{
	if (vr->incomplete_chain)
		policy_add(obs, p, RULE_CERT_INCOMPLETE_CHAIN,
		    p->severity[RULE_CERT_INCOMPLETE_CHAIN], 0,
		    "as sent: %s; verifies with the missing intermediate "
		    "(%zu certificates sent)",
		    X509_verify_cert_error_string(vr->trust_code),
		    obs->chain_len);
	else if (vr->trust_code != X509_V_OK)
		policy_add(obs, p, RULE_CERT_UNTRUSTED,
		    p->severity[RULE_CERT_UNTRUSTED], vr->trust_depth,
		    "%s (at depth %d)",
		    X509_verify_cert_error_string(vr->trust_code),
		    vr->trust_depth);
	if (vr->revoked)
		policy_add(obs, p, RULE_CERT_REVOKED,
		    p->severity[RULE_CERT_REVOKED], vr->revoked_depth,
		    "certificate at depth %d is listed in a CRL",
		    vr->revoked_depth);
}

static void
rule_hostname(const struct policy *p, struct observation *obs)
{
	const char *host = obs->sni[0] != '\0' ? obs->sni :
	    obs->hostname[0] != '\0' ? obs->hostname : obs->ip;
	char	 why[200];

	int	 r;

	/* Passive: the SNI is the only name known to be asked for; without
	 * one the client's expectation is unknown (as Zeek's
	 * sni_matches_cert), so the address is no stand-in. */
	if (host[0] == '\0' || (obs->source == OBS_PASSIVE &&
	    obs->sni[0] == '\0'))
		return;
	r = hostname_check_cert(&obs->chain[0], host, why, sizeof(why));
	obs->name_match = r == 1 ? 1 : r == 0 ? 0 : -1;
	if (r == 0)
		policy_add(obs, p, RULE_CERT_HOSTNAME_MISMATCH,
		    p->severity[RULE_CERT_HOSTNAME_MISMATCH], 0, "%s", why);
}

int
policy_evaluate(const struct policy *p, const struct verify_ctx *vctx,
    struct observation *obs, int64_t now)
{
	struct verify_result vr;
	bool	 verified = false;

	if (obs->chain_len == 0)
		return 0;
	if (now == 0)
		now = (int64_t)time(NULL);
	if (vctx != NULL) {
		if (verify_chain(vctx, obs->chain, obs->chain_len, NULL, now,
		    &vr) == -1)
			return -1;
		verified = true;
		obs->verify_code = vr.code;
		str_copy(obs->verify_reason, sizeof(obs->verify_reason),
		    vr.reason);
	}
	for (size_t i = 0; i < obs->chain_len; i++)
		rule_dates(p, obs, i, now);
	if (obs->chain[0].self_signed)
		policy_add(obs, p, RULE_CERT_SELF_SIGNED,
		    p->severity[RULE_CERT_SELF_SIGNED], 0,
		    "self-signed: %s", obs->chain[0].subject);
	if (verified)
		rule_trust(p, obs, &vr);
	rule_hostname(p, obs);
	for (size_t i = 0; i < obs->chain_len; i++) {
		policy_check_key(p, obs, (int)i, obs->chain[i].key_type,
		    obs->chain[i].key_bits, obs->chain[i].curve);
		rule_weak_signature(p, obs, i);
	}
	rule_long_validity(p, obs);
	rule_issuer(p, obs, verified ? &vr : NULL);
	rule_server_auth(p, obs);
	return 0;
}

/* Is there already a cert.revoked finding about the leaf (a CRL said so)? */
static bool
has_leaf_revoked(const struct observation *obs)
{
	for (size_t i = 0; i < obs->nfindings; i++)
		if (obs->findings[i].depth == 0 &&
		    strcmp(obs->findings[i].rule,
		    rule_name(RULE_CERT_REVOKED)) == 0)
			return true;
	return false;
}

int
policy_evaluate_ocsp(const struct policy *p, const struct verify_ctx *vctx,
    struct observation *obs, const uint8_t *der, size_t len, int64_t now)
{
	struct ocsp_result res;
	char	 d[32];
	int	 r;

	if (obs->chain_len == 0)
		return 0;
	if (now == 0)
		now = (int64_t)time(NULL);
	r = verify_ocsp_response(vctx, der, len, obs->chain, obs->chain_len,
	    now, &res);
	snprintf(obs->ocsp_status, sizeof(obs->ocsp_status), "%s",
	    ocsp_status_name(res.status));
	obs->ocsp_this_update = res.this_update;
	obs->ocsp_next_update = res.next_update;
	if (r == -1)
		return -1;
	if (res.status == OCSP_REVOKED && res.fresh && !has_leaf_revoked(obs)) {
		fmt_date(res.revoked_at, d, sizeof(d));
		policy_add(obs, p, RULE_CERT_REVOKED,
		    p->severity[RULE_CERT_REVOKED], 0,
		    "%s OCSP response: revoked on %s",
		    obs->ocsp_live ? "the responder's" : "stapled", d);
	}
	return 0;
}
