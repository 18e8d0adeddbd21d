/*
 * tlswire_common.h: shared body of the tlswire fuzz targets.  The input is
 * parsed twice, once whole and once in chunks whose sizes come from the
 * first bytes, and the digests of the two event sequences must match:
 * besides memory errors (ASan/UBSan), this finds any split dependence.
 * The callbacks walk every parsed view and name lookup they get.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "probes/tlswire.h"

struct digest {
	uint64_t	 h;
};

static void
mix(struct digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n-- > 0)
		d->h = (d->h ^ *b++) * 1099511628211ULL;
}

static void
mix_u(struct digest *d, uint64_t v)
{
	mix(d, &v, sizeof(v));
}

static void
walk_exts(struct digest *d, const struct tlswire_exts *e)
{
	struct tlswire_ext x;
	size_t off = 0, n = 0;

	while (tlswire_ext_next(e, &off, &x)) {
		mix_u(d, x.type);
		mix(d, x.data, x.len);
		(void)tlswire_ext_name(x.type);
		n++;
	}
	if (n != e->count)
		abort();
}

static void
walk_list(struct digest *d, const struct tlswire_list16 *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		mix_u(d, tlswire_list16_get(l, i));
}

static void
f_ch(void *arg, const struct tlswire_client_hello *ch)
{
	struct digest *d = arg;
	struct tlswire_bytes name;
	struct tlswire_cipher_info ci;
	size_t off = 0, i;

	mix_u(d, 1);
	mix_u(d, ch->legacy_version);
	if (ch->random != NULL)
		mix(d, ch->random, 32);
	mix(d, ch->session_id.data, ch->session_id.len);
	walk_list(d, &ch->ciphers);
	for (i = 0; i < ch->ciphers.count; i++)
		(void)tlswire_cipher_info(tlswire_list16_get(&ch->ciphers, i),
		    &ci);
	walk_exts(d, &ch->extensions);
	mix(d, ch->sni.data, ch->sni.len);
	while (tlswire_alpn_next(&ch->alpn, &off, &name))
		mix(d, name.data, name.len);
	walk_list(d, &ch->supported_versions);
	walk_list(d, &ch->groups);
	walk_list(d, &ch->sig_algs);
	mix(d, ch->ec_point_formats.data, ch->ec_point_formats.len);
	mix(d, ch->sslv2_specs.data, ch->sslv2_specs.len);
	mix(d, ch->sslv2_challenge.data, ch->sslv2_challenge.len);
}

static void
f_sh(void *arg, const struct tlswire_server_hello *sh)
{
	struct digest *d = arg;
	struct tlswire_cipher_info ci;

	mix_u(d, 2);
	mix_u(d, sh->version);
	mix_u(d, sh->cipher);
	mix(d, sh->random, 32);
	walk_exts(d, &sh->extensions);
	mix(d, sh->alpn.data, sh->alpn.len);
	mix_u(d, sh->key_share_group);
	mix_u(d, sh->is_hello_retry_request);
	(void)tlswire_cipher_info(sh->cipher, &ci);
	(void)tlswire_version_name(sh->version);
	(void)tlswire_group_name(sh->key_share_group);
}

static void
f_cert(void *arg, size_t idx, const uint8_t *der, size_t len)
{
	struct digest *d = arg;

	mix_u(d, 3);
	mix_u(d, idx);
	mix(d, der, len);
}

static void
f_kx(void *arg, const struct tlswire_server_kx *kx)
{
	struct digest *d = arg;

	mix_u(d, 4);
	mix(d, kx->body.data, kx->body.len);
	mix_u(d, kx->kind);
	mix_u(d, kx->named_curve);
	mix_u(d, kx->dh_prime_bits);
	mix_u(d, kx->rsa_bits);
	mix_u(d, kx->sig_alg);
}

static void
f_status(void *arg, const uint8_t *p, size_t n)
{
	struct digest *d = arg;

	mix_u(d, 5);
	mix(d, p, n);
}

static void
f_shd(void *arg)
{
	mix_u(arg, 6);
}

static void
f_alert(void *arg, uint8_t level, uint8_t desc)
{
	mix_u(arg, 7);
	mix_u(arg, level);
	mix_u(arg, desc);
	(void)tlswire_alert_name(desc);
}

static void
f_v2(void *arg, const struct tlswire_sslv2_server_hello *sh)
{
	struct digest *d = arg;

	mix_u(d, 8);
	mix(d, sh->cert.data, sh->cert.len);
	mix(d, sh->specs.data, sh->specs.len);
	mix(d, sh->connection_id.data, sh->connection_id.len);
}

static void
f_v2err(void *arg, uint16_t code)
{
	mix_u(arg, 9);
	mix_u(arg, code);
}

static uint64_t
run(enum tlswire_dir dir, const uint8_t *data, size_t size, uint32_t seed)
{
	struct digest d = { .h = 14695981039346656037ULL };
	struct tlswire_events ev = {
		.arg = &d,
		.on_client_hello = f_ch, .on_server_hello = f_sh,
		.on_certificate = f_cert, .on_server_key_exchange = f_kx,
		.on_certificate_status = f_status,
		.on_server_hello_done = f_shd, .on_alert = f_alert,
		.on_sslv2_server_hello = f_v2, .on_sslv2_error = f_v2err,
	};
	struct tlswire_parser p;
	size_t k;
	int rc = 0;

	/* a small certificate bound, so the limit path is reached too */
	tlswire_parser_init(&p, dir, seed & 1 ? 4096 : 0, &ev);
	while (size > 0 && rc == 0) {
		if (seed == 0)
			k = size;
		else {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 67;
			if (k > size)
				k = size;
		}
		rc = tlswire_feed(&p, data, k);
		data += k;
		size -= k;
	}
	mix_u(&d, (uint64_t)tlswire_state(&p));
	mix_u(&d, (uint64_t)tlswire_error(&p));
	mix(&d, tlswire_reason(&p), 8);
	(void)tlswire_done(&p);
	tlswire_parser_free(&p);
	return d.h;
}

static int
fuzz_tlswire(enum tlswire_dir dir, const uint8_t *data, size_t size)
{
	uint32_t seed = 2166136261u;
	size_t i;

	for (i = 0; i < size && i < 8; i++)
		seed = (seed ^ data[i]) * 16777619u;
	seed |= 2;	/* never 0 (whole), and the cert bound alternates */
	if (run(dir, data, size, seed & ~1u) != run(dir, data, size, 0))
		abort();	/* events depend on how input was split */
	(void)run(dir, data, size, seed | 1);
	return 0;
}
