/*
 * fake_ctx.c: the probe services of probes/probe.h for tests and fuzzers
 * (see fake_ctx.h).  Self-contained: no cmocka, no allocation, so every
 * unit test and the probe fuzzers can link it.
 */
#include "tests/unit/fake_ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
fake_ctx_init(struct probe_ctx *ctx, const char *server_name)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->server_name = server_name;
}

const char *
fake_ctx_note(const struct probe_ctx *ctx, const char *key)
{
	for (size_t i = 0; i < ctx->nnotes; i++)
		if (strcmp(ctx->notes[i].key, key) == 0)
			return ctx->notes[i].val;
	return NULL;
}

int
probe_send(struct probe_ctx *ctx, const void *buf, size_t len)
{
	if (len > sizeof(ctx->sent) - ctx->sent_len) {
		ctx->sent_overflow = true;
		return -1;
	}
	memcpy(ctx->sent + ctx->sent_len, buf, len);
	ctx->sent_len += len;
	return 0;
}

int
probe_sendf(struct probe_ctx *ctx, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		ctx->sent_overflow = true;
		return -1;
	}
	return probe_send(ctx, buf, (size_t)n);
}

enum probe_rc
probe_fail(struct probe_ctx *ctx, enum scan_status status, const char *fmt,
    ...)
{
	va_list ap;

	if (ctx->nfail++ == 0) {
		ctx->status = status;
		va_start(ap, fmt);
		vsnprintf(ctx->reason, sizeof(ctx->reason), fmt, ap);
		va_end(ap);
	}
	return PROBE_FAIL;
}

const char *
probe_server_name(const struct probe_ctx *ctx)
{
	return ctx->server_name;
}

/* Checks the contract of probe.h: printable ASCII, bounded, once per key. */
void
probe_note(struct probe_ctx *ctx, const char *key, const char *val)
{
	size_t n = strlen(val);

	if (strlen(key) >= sizeof(ctx->notes[0].key) || n > PROBE_TEXT_MAX ||
	    fake_ctx_note(ctx, key) != NULL)
		ctx->bad_note = true;
	for (size_t i = 0; i < n; i++)
		if (val[i] < 0x20 || val[i] > 0x7e)
			ctx->bad_note = true;
	if (ctx->nnotes == FAKE_NOTES_MAX) {
		ctx->notes_overflow = true;
		return;
	}
	snprintf(ctx->notes[ctx->nnotes].key, sizeof(ctx->notes[0].key), "%s",
	    key);
	snprintf(ctx->notes[ctx->nnotes].val, sizeof(ctx->notes[0].val), "%s",
	    val);
	ctx->nnotes++;
}
