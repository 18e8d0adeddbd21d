/*
 * fuzz_line.c: probes/line.c's reader and helpers on arbitrary bytes.
 * Byte 0 picks options (control bytes allowed, lax replies); each line
 * goes through every helper, and the results are checked for the
 * guarantees line.h gives: lines without NUL and at most LINE_MAX_LEN
 * bytes, sanitised text printable and bounded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probes/line.h"
#include "tests/unit/fake_ctx.h"

struct fz {
	bool		 lax;
	struct line_reply reply;
};

static void
printable(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

static enum probe_rc
fz_line(struct probe_ctx *ctx, void *state, const char *line, size_t len)
{
	struct fz *fz = state;
	char text[PROBE_TEXT_MAX + 1], caps[64] = "";
	const char *p = line;

	(void)ctx;
	if (len > LINE_MAX_LEN || strlen(line) != len)
		abort();
	line_reply_add(&fz->reply, line, len, fz->lax);
	printable(fz->reply.text, PROBE_TEXT_MAX);
	line_clean(text, sizeof(text), line, len);
	printable(text, PROBE_TEXT_MAX);
	line_clean(text, 5, line, len);
	printable(text, 4);
	line_cap_add(caps, sizeof(caps), line, "STARTTLS");
	printable(caps, sizeof(caps) - 1);
	(void)line_has_token(line, "STARTTLS");
	(void)line_word(&p, "OK");
	if (p < line || p > line + len)
		abort();
	(void)line_guess((const uint8_t *)line, len);
	(void)line_is_safe_name(line);
	return PROBE_MORE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct probe_ctx ctx;
	static struct line_reader lr;
	struct line_proto proto = { .name = "FUZZ", .fn = fz_line };
	struct fz fz = { 0 };
	enum probe_rc rc = PROBE_MORE;
	size_t off = 1, used, n;

	if (size < 1)
		return 0;
	proto.allow_ctl = data[0] & 1;
	fz.lax = data[0] & 2;
	memset(&lr, 0, sizeof(lr));
	fake_ctx_init(&ctx, NULL);
	while (rc == PROBE_MORE && off < size) {
		n = 1 + (size_t)(data[off - 1] % 97);
		if (n > size - off)
			n = size - off;
		rc = line_input(&lr, &proto, &ctx, &fz, data + off, n, &used);
		if (used > n || (rc == PROBE_MORE && used != n))
			abort();
		if (rc == PROBE_FAIL)
			printable(ctx.reason, sizeof(ctx.reason) - 1);
		off += n;
	}
	return 0;
}
