/*
 * tlsjudge.c: what the --enum results mean (tlsjudge.h): the tls.*
 * findings, and the Mozilla server-side TLS profile (guidelines v5.7,
 * https://wiki.mozilla.org/Security/Server_Side_TLS) an endpoint meets.
 *
 * A profile is met when every version and suite the server accepts is
 * one the profile allows, its DH groups are large enough and its
 * certificate key fits.  Groups the server adds beyond the profile's
 * (OpenSSL's defaults add x448, P-521 and FFDHE) are not held against it;
 * suite order is not checked (it is advice, not a configuration limit).
 */
#include "scanner/tlsjudge.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probes/tlswire.h"
#include "scanner/tlsenum.h"

enum prof {
	PROF_MODERN,
	PROF_INTERMEDIATE,
	PROF_OLD,
	PROF__MAX
};

static const char *const prof_names[PROF__MAX + 1] = {
	[PROF_MODERN] = TLSENUM_PROFILE_MODERN,
	[PROF_INTERMEDIATE] = TLSENUM_PROFILE_INTERMEDIATE,
	[PROF_OLD] = TLSENUM_PROFILE_OLD,
	[PROF__MAX] = TLSENUM_PROFILE_NONE,
};
_Static_assert(sizeof(prof_names) / sizeof(prof_names[0]) == PROF__MAX + 1,
    "a name per profile, and none");

static const uint16_t tls13_ok[] = { 0x1301, 0x1302, 0x1303 };
/* intermediate: ECDHE/DHE with AES-GCM or ChaCha20 */
static const uint16_t inter12[] = {
	0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009e, 0x009f,
	0xccaa,
};
/* old adds: CBC with SHA-1/SHA-2, plain RSA, 3DES */
static const uint16_t old12[] = {
	0xc023, 0xc027, 0xc009, 0xc013, 0xc024, 0xc028, 0xc00a, 0xc014,
	0x0067, 0x006b, 0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035,
	0x000a,
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static bool
in(const uint16_t *l, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i] == id)
			return true;
	return false;
}

static void why(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends "; what" to a reasons buffer (bounded, cut quietly). */
static void
why(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	char one[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(one, sizeof(one), fmt, ap);
	va_end(ap);
	snprintf(buf + off, len - off, "%s%s", off > 0 ? "; " : "", one);
}

static bool
suite_allowed(enum prof p, int ver, uint32_t id)
{
	if (ver == TLSENUM_TLS13)
		return in(tls13_ok, NELEM(tls13_ok), id);
	if (p == PROF_MODERN)
		return false;
	if (in(inter12, NELEM(inter12), id))
		return true;
	return p == PROF_OLD && in(old12, NELEM(old12), id);
}

static bool
version_allowed(enum prof p, int ver)
{
	switch (p) {
	case PROF_MODERN:
		return ver == TLSENUM_TLS13;
	case PROF_INTERMEDIATE:
		return ver >= TLSENUM_TLS12;
	default:
		return ver >= TLSENUM_TLS10;
	}
}

/* Returns whether obs meets p; the reasons it does not go to buf. */
static bool
meets(const struct observation *obs, enum prof p, char *buf, size_t len)
{
	const struct tls_enum *e = obs->tlsenum;
	const struct cert_record *leaf = obs->chain_len > 0 ? &obs->chain[0] :
	    NULL;
	size_t i, off;
	int v;

	buf[0] = '\0';
	for (v = 0; v < TLSENUM_VER__MAX; v++) {
		if (e->v[v].supported != 1)
			continue;
		if (!version_allowed(p, v)) {
			why(buf, len, "%s enabled", e->v[v].name);
			continue;
		}
		for (i = 0; i < e->v[v].nciphers; i++)
			if (!suite_allowed(p, v, e->v[v].ciphers[i].id)) {
				why(buf, len, "suite %s",
				    e->v[v].ciphers[i].name);
				break;
			}
	}
	if (e->dh_bits > 0 && e->dh_bits < (p == PROF_OLD ? 1024u : 2048u))
		why(buf, len, "DH parameters under %s bits", p == PROF_OLD ?
		    "1024" : "2048");
	if (leaf != NULL && p == PROF_MODERN && strcmp(leaf->key_type,
	    "EC") != 0)
		why(buf, len, "certificate key is %s, not ECDSA",
		    leaf->key_type);
	if (leaf != NULL && strcmp(leaf->key_type, "RSA") == 0 &&
	    leaf->key_bits < 2048)
		why(buf, len, "%s key under 2048 bits", "RSA");
	off = strlen(buf);
	return off == 0;
}

static void
profile(struct observation *obs)
{
	struct tls_enum *e = obs->tlsenum;
	char miss[PROF__MAX][512];
	int p;

	for (p = 0; p < PROF__MAX; p++)
		if (meets(obs, (enum prof)p, miss[p], sizeof(miss[p])))
			break;
	snprintf(e->profile, sizeof(e->profile), "%s", prof_names[p]);
	e->profile_reasons[0] = '\0';
	if (p > 0)
		snprintf(e->profile_reasons, sizeof(e->profile_reasons),
		    "not %s: %s", prof_names[p - 1], miss[p - 1]);
}

/* Why a suite is weak (tls.weak_cipher), or NULL. */
static const char *
weakness(uint32_t id)
{
	struct tlswire_cipher_info ci;

	if (id > 0xffff || tlswire_cipher_info((uint16_t)id, &ci) == -1)
		return NULL;
	if (ci.is_export)
		return "EXPORT";
	if (ci.enc == TLSWIRE_ENC_NULL)
		return "NULL";
	if (ci.auth == TLSWIRE_AUTH_NONE && ci.kx != TLSWIRE_KX_TLS13)
		return "anon";
	if (ci.enc == TLSWIRE_ENC_RC4)
		return "RC4";
	if (ci.enc == TLSWIRE_ENC_DES)
		return "DES";
	if (ci.enc == TLSWIRE_ENC_3DES)
		return "3DES";
	return NULL;
}

/* One finding per rule, listing the suites (cut to the detail's size). */
static void
suites_findings(const struct policy *pol, struct observation *obs)
{
	const struct tls_enum *e = obs->tlsenum;
	char weak[200] = "", nofs[200] = "";
	unsigned nweak = 0, nnofs = 0;
	size_t i;
	int v;

	for (v = TLSENUM_SSL3; v < TLSENUM_VER__MAX; v++) {
		for (i = 0; i < e->v[v].nciphers; i++) {
			const struct tls_enum_cipher *c = &e->v[v].ciphers[i];
			const char *w = weakness(c->id);

			if (w != NULL && nweak++ < 4)
				why(weak, sizeof(weak), "%s", c->name);
			if (!c->fs && nnofs++ < 3)
				why(nofs, sizeof(nofs), "%s", c->name);
		}
	}
	if (nweak > 0)
		policy_finding_add(obs, pol, "tls.weak_cipher", -1,
		    "%u weak suite%s accepted: %s%s", nweak, nweak > 1 ? "s" :
		    "", weak, nweak > 4 ? "; ..." : "");
	if (nnofs > 0)
		policy_finding_add(obs, pol, "tls.no_forward_secrecy", -1,
		    "%u suite%s without forward secrecy: %s%s", nnofs,
		    nnofs > 1 ? "s" : "", nofs, nnofs > 3 ? "; ..." : "");
}

void
tlsjudge_evaluate(const struct policy *pol, struct observation *obs)
{
	static const char *const rules[TLSENUM_TLS12] = {
		[TLSENUM_SSL2] = "tls.sslv2",
		[TLSENUM_SSL3] = "tls.sslv3",
		[TLSENUM_TLS10] = "tls.tls10",
		[TLSENUM_TLS11] = "tls.tls11",
	};
	const struct tls_enum *e = obs->tlsenum;
	bool any = false;
	int v;

	if (e == NULL)
		return;
	for (v = 0; v < TLSENUM_VER__MAX; v++)
		any = any || e->v[v].supported == 1;
	if (!any)
		return;
	for (v = TLSENUM_SSL2; v < TLSENUM_TLS12; v++)
		if (e->v[v].supported == 1)
			policy_finding_add(obs, pol, rules[v], -1,
			    "%s accepted (%zu cipher suite%s)", e->v[v].name,
			    e->v[v].nciphers, e->v[v].nciphers == 1 ? "" : "s");
	suites_findings(pol, obs);
	if (e->dh_bits > 0 && e->dh_bits < 2048)
		policy_finding_add(obs, pol, "tls.weak_dh", -1,
		    "DHE with a %u-bit group", e->dh_bits);
	if (e->secure_reneg == 0)
		policy_finding_add(obs, pol, "tls.no_secure_renegotiation", -1,
		    "no renegotiation_info in the ServerHello (RFC 5746)");
	if (e->compression == 1)
		policy_finding_add(obs, pol, "tls.compression", -1,
		    "the server chose DEFLATE compression (CRIME)");
	profile(obs);
}
