/*
 * text.c: the "text" writer, a block per observation for people (inspect's
 * default output).  Strings from certificates are attacker data: control
 * bytes are shown as '?', never written to the terminal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report/report_internal.h"
#include "scanner/cert.h"

/* s with control bytes replaced, at most len - 1 bytes of it. */
static const char *
safe(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i + 1 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	buf[i] = '\0';
	return buf;
}

static const char *
day(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, len, "%" PRId64, t);
	return buf;
}

static void
text_names(FILE *f, const struct cert_record *c)
{
	char b[512];
	size_t shown = c->nsans < 8 ? c->nsans : 8;

	if (c->nsans == 0)
		return;
	fprintf(f, "      names    ");
	for (size_t i = 0; i < shown; i++)
		fprintf(f, "%s%s", i ? ", " : "", safe(c->sans[i], b,
		    sizeof(b)));
	if (c->nsans > shown)
		fprintf(f, " (+%zu more)", c->nsans - shown);
	fputc('\n', f);
}

static void
text_cert(FILE *f, const struct cert_record *c, size_t depth, int64_t now)
{
	char b[1024], d1[32], d2[32], hex[65];
	double days = (double)(c->not_after - now) / 86400.0;

	fprintf(f, "  [%zu] %s\n", depth, safe(c->subject, b, sizeof(b)));
	fprintf(f, "      issuer   %s\n", safe(c->issuer, b, sizeof(b)));
	fprintf(f, "      serial   %s\n", safe(c->serial, b, sizeof(b)));
	fprintf(f, "      valid    %s .. %s UTC (%s %.0f days)\n",
	    day(c->not_before, d1, sizeof(d1)),
	    day(c->not_after, d2, sizeof(d2)),
	    days < 0 ? "expired" : "expires in", days < 0 ? -days : days);
	fprintf(f, "      key      %s %d%s%s, %s%s%s\n", c->key_type,
	    c->key_bits, c->curve[0] ? " " : "", c->curve, c->sig_alg,
	    c->is_ca ? ", CA" : "", c->self_signed ? ", self-signed" : "");
	text_names(f, c);
	cert_hex(c->sha256, CERT_SHA256_LEN, hex);
	fprintf(f, "      sha256   %s\n", hex);
}

static int
text_observation(struct report *r, const struct observation *obs)
{
	FILE *f = r->out;
	char b[512];

	if (obs->origin != NULL)
		fprintf(f, "%s\n", safe(obs->origin, b, sizeof(b)));
	else
		fprintf(f, "%s:%u%s%s (%s): %s%s%s\n", obs->ip, obs->port,
		    obs->sni[0] ? " sni " : "", safe(obs->sni, b, sizeof(b)),
		    obs->protocol, scan_status_name(obs->status),
		    obs->reason[0] ? ": " : "", obs->reason);
	for (size_t i = 0; i < obs->chain_len; i++)
		text_cert(f, &obs->chain[i], i, obs->time);
	if (obs->chain_len > 0)
		fprintf(f, "  chain    %s%s\n", obs->verify_code == 0 ?
		    "verifies" : "does not verify: ", obs->verify_code == 0 ?
		    "" : obs->verify_reason);
	if (obs->nfindings == 0)
		fprintf(f, "  findings none\n");
	for (size_t i = 0; i < obs->nfindings; i++)
		fprintf(f, "  %-8s %-26s %s\n",
		    severity_name(obs->findings[i].severity),
		    obs->findings[i].rule,
		    safe(obs->findings[i].detail, b, sizeof(b)));
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

const struct report_ops report_text_ops = {
	.name = "text",
	.observation = text_observation,
};
