/*
 * fuzz_fingerprint.c: JA3, JA3S and JA4 (probes/fingerprint.c) of every
 * hello tlswire can parse from arbitrary bytes, read as a client's stream
 * and as a server's.  The digests must have their documented form, the
 * raw strings must exist for TLS hellos, and nothing may read out of
 * bounds or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probes/fingerprint.h"
#include "probes/tlswire.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_hex(const char *s, size_t n)
{
	if (strlen(s) != n || strspn(s, "0123456789abcdef") != n)
		abort();
}

/* t13d1516h2_8daaf6152771_b186095e22b6 */
static void
check_ja4(const char *s)
{
	if (strlen(s) != FINGERPRINT_JA4_LEN - 1 || s[0] != 't' ||
	    s[10] != '_' || s[23] != '_')
		abort();
	check_hex(s + 24, 12);
}

static void
on_ch(void *arg, const struct tlswire_client_hello *ch)
{
	char ja3[FINGERPRINT_JA3_LEN], ja4[FINGERPRINT_JA4_LEN];
	char *r3 = fingerprint_ja3_raw(ch), *r4 = fingerprint_ja4_raw(ch);

	(void)arg;
	if (fingerprint_ja3(ch, ja3) == 0)
		check_hex(ja3, 32);
	else if (!ch->is_sslv2)
		abort();
	if (fingerprint_ja4(ch, ja4) == 0)
		check_ja4(ja4);
	else if (!ch->is_sslv2)
		abort();
	if ((r3 == NULL || r4 == NULL) != ch->is_sslv2)
		abort();
	free(r3);
	free(r4);
}

static void
on_sh(void *arg, const struct tlswire_server_hello *sh)
{
	char ja3s[FINGERPRINT_JA3_LEN];
	char *r = fingerprint_ja3s_raw(sh);

	(void)arg;
	if (fingerprint_ja3s(sh, ja3s) != 0 || r == NULL)
		abort();
	check_hex(ja3s, 32);
	free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlswire_events ev = {
		.on_client_hello = on_ch, .on_server_hello = on_sh,
	};
	struct tlswire_parser p;
	int d;

	for (d = 0; d < TLSWIRE_DIR__MAX; d++) {
		tlswire_parser_init(&p, (enum tlswire_dir)d, 0, &ev);
		(void)tlswire_feed(&p, data, size);
		tlswire_parser_free(&p);
		/* and as bare handshake messages (no record layer) */
		tlswire_parser_init(&p, (enum tlswire_dir)d, 0, &ev);
		(void)tlswire_feed_handshake(&p, data, size);
		tlswire_parser_free(&p);
	}
	return 0;
}
