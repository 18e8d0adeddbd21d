/*
 * policy.c: the rule table (ids and default severities, in one place), the
 * default policy, the INI policy file (libinih: a well-kept parser, not a
 * hand-written one; opened with dlopen() when a file is read) and adding
 * findings.  The rules themselves are in policy_rules.c.
 */
#include "scanner/policy.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <ini.h>

#include "scanner/dynlib.h"
#include "scanner/policy_internal.h"
#include "scanner/xmem.h"

static const struct {
	const char	*name;
	enum severity	 severity;
} rules[] = {
	[RULE_CERT_EXPIRED] = { "cert.expired", SEV_CRITICAL },
	[RULE_CERT_EXPIRING] = { "cert.expiring", SEV_MEDIUM },
	[RULE_CERT_NOT_YET_VALID] = { "cert.not_yet_valid", SEV_HIGH },
	[RULE_CERT_SELF_SIGNED] = { "cert.self_signed", SEV_HIGH },
	[RULE_CERT_UNTRUSTED] = { "cert.untrusted", SEV_HIGH },
	[RULE_CERT_INCOMPLETE_CHAIN] = { "cert.incomplete_chain", SEV_MEDIUM },
	[RULE_CERT_HOSTNAME_MISMATCH] = { "cert.hostname_mismatch", SEV_HIGH },
	[RULE_CERT_WEAK_KEY] = { "cert.weak_key", SEV_HIGH },
	[RULE_CERT_WEAK_SIGNATURE] = { "cert.weak_signature", SEV_HIGH },
	[RULE_CERT_LONG_VALIDITY] = { "cert.long_validity", SEV_LOW },
	[RULE_CERT_REVOKED] = { "cert.revoked", SEV_CRITICAL },
	[RULE_CERT_UNAUTHORIZED_ISSUER] =
	    { "cert.unauthorized_issuer", SEV_HIGH },
	[RULE_CERT_CHANGED] = { "cert.changed", SEV_INFO },
	[RULE_CERT_SHARED_KEY] = { "cert.shared_key", SEV_LOW },
	[RULE_CERT_NOT_SERVER_AUTH] = { "cert.not_server_auth", SEV_MEDIUM },
	[RULE_CERT_KEY_MISMATCH] = { "cert.key_mismatch", SEV_HIGH },
	[RULE_CSR_NAMES] = { "csr.names", SEV_LOW },
	[RULE_TLS_SSLV2] = { "tls.sslv2", SEV_CRITICAL },
	[RULE_TLS_SSLV3] = { "tls.sslv3", SEV_HIGH },
	[RULE_TLS_TLS10] = { "tls.tls10", SEV_MEDIUM },
	[RULE_TLS_TLS11] = { "tls.tls11", SEV_MEDIUM },
	[RULE_TLS_WEAK_CIPHER] = { "tls.weak_cipher", SEV_HIGH },
	[RULE_TLS_NO_FORWARD_SECRECY] = { "tls.no_forward_secrecy", SEV_LOW },
	[RULE_TLS_WEAK_DH] = { "tls.weak_dh", SEV_MEDIUM },
	[RULE_TLS_NO_SECURE_RENEGOTIATION] =
	    { "tls.no_secure_renegotiation", SEV_MEDIUM },
	[RULE_TLS_COMPRESSION] = { "tls.compression", SEV_HIGH },
	[RULE_STARTTLS_INJECTION] = { "starttls.injection", SEV_HIGH },
};
_Static_assert(sizeof(rules) / sizeof(rules[0]) == RULE__MAX,
    "every rule has a name and a default severity");

/* 2020-09-01T00:00:00Z: the CA/B 398-day limit applies from here on. */
#define LONG_VALIDITY_SINCE	1598918400

const char *
rule_name(enum rule r)
{
	if ((unsigned)r >= RULE__MAX)
		return NULL;
	return rules[r].name;
}

int
rule_from_name(const char *name)
{
	for (int i = 0; i < RULE__MAX; i++)
		if (strcmp(rules[i].name, name) == 0)
			return i;
	return -1;
}

enum severity
rule_default_severity(enum rule r)
{
	if ((unsigned)r >= RULE__MAX)
		return SEV_INFO;
	return rules[r].severity;
}

struct policy *
policy_new_default(void)
{
	struct policy *p = xcalloc(1, sizeof(*p));

	p->warn_days = 30;
	p->critical_days = 7;
	p->critical_severity = SEV_CRITICAL;
	p->min_rsa_bits = 2048;
	p->min_ec_bits = 256;
	p->dsa_weak = true;
	snprintf(p->weak_hashes[0], sizeof(p->weak_hashes[0]), "md2");
	snprintf(p->weak_hashes[1], sizeof(p->weak_hashes[1]), "md4");
	snprintf(p->weak_hashes[2], sizeof(p->weak_hashes[2]), "md5");
	snprintf(p->weak_hashes[3], sizeof(p->weak_hashes[3]), "sha1");
	p->nweak_hashes = 4;
	p->max_validity_days = 398;
	p->long_validity_since = LONG_VALIDITY_SINCE;
	for (int i = 0; i < RULE__MAX; i++)
		p->severity[i] = rules[i].severity;
	return p;
}

static void
issuers_free(struct issuer_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].dn);
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	issuers_free(p->allow, p->nallow);
	issuers_free(p->deny, p->ndeny);
	free(p);
}

void
policy_set_expiring_days(struct policy *p, int warn_days)
{
	p->warn_days = warn_days;
}

enum severity
policy_severity(const struct policy *p, enum rule r)
{
	return (unsigned)r < RULE__MAX ? p->severity[r] : SEV_INFO;
}

bool
policy_rule_enabled(const struct policy *p, enum rule r)
{
	return (unsigned)r < RULE__MAX && !p->disabled[r];
}

void
policy_add(struct observation *obs, const struct policy *p, enum rule r,
    enum severity sev, int depth, const char *fmt, ...)
{
	struct finding	*f;
	va_list		 ap;

	if (p->disabled[r])
		return;
	obs->findings = xreallocarray(obs->findings, obs->nfindings + 1,
	    sizeof(*obs->findings));
	f = &obs->findings[obs->nfindings++];
	*f = (struct finding){ .rule = rules[r].name, .severity = sev,
	    .depth = depth };
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

int
policy_finding_add(struct observation *obs, const struct policy *p,
    const char *rule, int depth, const char *fmt, ...)
{
	int		 r = rule_from_name(rule);
	va_list		 ap;
	char		 detail[sizeof(((struct finding *)0)->detail)];

	if (r < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	policy_add(obs, p, (enum rule)r, p->severity[r], depth, "%s", detail);
	return 0;
}

/* ---- the policy file ---------------------------------------------- */

struct load_state {
	struct policy	*p;
	char		 msg[160];	/* what was wrong on the failing line */
};

static int
parse_int(const char *v, int lo, int hi, int *out)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

static int
parse_bool(const char *v, bool *out)
{
	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
	    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
	    strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

static int
parse_date(const char *v, int64_t *out)
{
	struct tm	 tm = { .tm_sec = 0 };
	const char	*end = strptime(v, "%Y-%m-%d", &tm);

	if (end == NULL || *end != '\0')
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int
parse_hashes(struct policy *p, const char *v)
{
	char	 buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v);
	p->nweak_hashes = 0;
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (p->nweak_hashes == POLICY_MAX_HASHES ||
		    strlen(tok) >= sizeof(p->weak_hashes[0]))
			return -1;
		for (char *c = tok; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		snprintf(p->weak_hashes[p->nweak_hashes++],
		    sizeof(p->weak_hashes[0]), "%s", tok);
	}
	return 0;
}

/* "dn:CN=X,O=Y" or "spki:<64 hex digits>". */
static int
parse_issuer(struct issuer_entry *list, size_t *n, const char *v,
    char *msg, size_t msglen)
{
	struct issuer_entry *e;

	if (*n == POLICY_MAX_ISSUERS) {
		snprintf(msg, msglen, "more than %d issuers",
		    POLICY_MAX_ISSUERS);
		return -1;
	}
	e = &list[*n];
	*e = (struct issuer_entry){ .by_spki = false };
	if (strncasecmp(v, "dn:", 3) == 0 && v[3] != '\0') {
		e->dn = xstrdup(v + 3);
	} else if (strncasecmp(v, "spki:", 5) == 0 && strlen(v + 5) == 64) {
		for (size_t i = 0; i < 32; i++) {
			unsigned int byte;

			if (!isxdigit((unsigned char)v[5 + 2 * i]) ||
			    !isxdigit((unsigned char)v[6 + 2 * i]) ||
			    sscanf(v + 5 + 2 * i, "%2x", &byte) != 1)
				goto bad;
			e->spki[i] = (uint8_t)byte;
		}
		e->by_spki = true;
	} else
		goto bad;
	(*n)++;
	return 0;
bad:
	snprintf(msg, msglen, "issuer must be dn:DN or spki:64-hex-digits");
	return -1;
}

static int
set_expiry(struct load_state *s, const char *key, const char *v)
{
	struct policy	*p = s->p;
	int		 sev;

	if (strcmp(key, "warn_days") == 0)
		return parse_int(v, 0, 3650, &p->warn_days);
	if (strcmp(key, "critical_days") == 0)
		return parse_int(v, 0, 3650, &p->critical_days);
	if (strcmp(key, "critical_severity") == 0) {
		if ((sev = severity_from_name(v)) < 0)
			return -1;
		p->critical_severity = (enum severity)sev;
		return 0;
	}
	return -2;
}

static int
set_crypto(struct load_state *s, const char *sec, const char *key,
    const char *v)
{
	struct policy	*p = s->p;

	if (strcmp(sec, "keys") == 0) {
		if (strcmp(key, "min_rsa_bits") == 0)
			return parse_int(v, 0, 65536, &p->min_rsa_bits);
		if (strcmp(key, "min_ec_bits") == 0)
			return parse_int(v, 0, 1024, &p->min_ec_bits);
		if (strcmp(key, "dsa_weak") == 0)
			return parse_bool(v, &p->dsa_weak);
	} else if (strcmp(sec, "signatures") == 0) {
		if (strcmp(key, "weak_hashes") == 0)
			return parse_hashes(p, v);
		if (strcmp(key, "check_self_signed_ca") == 0)
			return parse_bool(v, &p->self_signed_ca_sigs);
	} else if (strcmp(sec, "validity") == 0) {
		if (strcmp(key, "max_days") == 0)
			return parse_int(v, 1, 100000, &p->max_validity_days);
		if (strcmp(key, "since") == 0)
			return parse_date(v, &p->long_validity_since);
	}
	return -2;
}

static int
set_rule(struct load_state *s, const char *sec, const char *key,
    const char *v)
{
	int	 r = rule_from_name(key), sev;
	bool	 on;

	if (r < 0) {
		snprintf(s->msg, sizeof(s->msg), "unknown rule '%s'", key);
		return -3;
	}
	if (strcmp(sec, "severity") == 0) {
		if ((sev = severity_from_name(v)) < 0)
			return -1;
		s->p->severity[r] = (enum severity)sev;
		return 0;
	}
	if (parse_bool(v, &on) == -1)
		return -1;
	s->p->disabled[r] = !on;
	return 0;
}

/* inih callback: 1 to go on, 0 stops and ini_parse() returns the line. */
static int
on_ini_value(void *user, const char *sec, const char *key, const char *v)
{
	struct load_state *s = user;
	int	 rc = -2;

	if (strcmp(sec, "expiry") == 0)
		rc = set_expiry(s, key, v);
	else if (strcmp(sec, "keys") == 0 || strcmp(sec, "signatures") == 0 ||
	    strcmp(sec, "validity") == 0)
		rc = set_crypto(s, sec, key, v);
	else if (strcmp(sec, "issuers") == 0 && strcmp(key, "allow") == 0)
		rc = parse_issuer(s->p->allow, &s->p->nallow, v, s->msg,
		    sizeof(s->msg)) == 0 ? 0 : -3;
	else if (strcmp(sec, "issuers") == 0 && strcmp(key, "deny") == 0)
		rc = parse_issuer(s->p->deny, &s->p->ndeny, v, s->msg,
		    sizeof(s->msg)) == 0 ? 0 : -3;
	else if (strcmp(sec, "severity") == 0 || strcmp(sec, "rules") == 0)
		rc = set_rule(s, sec, key, v);
	if (rc == -1)
		snprintf(s->msg, sizeof(s->msg), "bad value '%s' for %s.%s",
		    v, sec, key);
	else if (rc == -2)
		snprintf(s->msg, sizeof(s->msg), "unknown key '%s' in [%s]",
		    key, sec);
	return rc == 0;
}

/*
 * libinih is opened with dlopen() by the first policy_load() (only
 * --policy needs it) rather than loaded at every start.
 */
struct ini_api {
	__typeof__(ini_parse)	*parse;
};

static const struct dynlib_sym ini_syms[] = {
	DYNLIB_SYM(struct ini_api, "ini_", parse),
};
static const char *const ini_names[] = { "libinih.so.1" };

static struct ini_api ini;
static struct dynlib ini_lib = DYNLIB_INIT(ini_names, ini_syms, &ini);

int
policy_load(struct policy *p, const char *path, char *err, size_t errlen)
{
	struct load_state s = { .p = p };
	int	 line;

	if (dynlib_load(&ini_lib) == -1) {
		snprintf(err, errlen, "%s: reading it needs libinih (%s); "
		    "install the libinih1 package", path, ini_lib.err);
		return -1;
	}
	line = ini.parse(path, on_ini_value, &s);
	if (line == 0)
		return 0;
	if (line == -1)
		snprintf(err, errlen, "%s: cannot open", path);
	else if (line == -2)
		snprintf(err, errlen, "%s: out of memory", path);
	else if (s.msg[0] == '\0')
		snprintf(err, errlen, "%s:%d: not INI syntax", path, line);
	else
		snprintf(err, errlen, "%s:%d: %s", path, line, s.msg);
	return -1;
}
