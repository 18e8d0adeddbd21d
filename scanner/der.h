/*
 * der.h: a small, strict, bounded DER walker.  Pure: bytes in, views of
 * those bytes out, nothing allocated.  It accepts only DER proper (one-byte
 * tags, definite and minimal lengths) so that a caller which finds a
 * structure through it knows exactly which bytes OpenSSL's decoders will
 * see; anything looser is refused and the caller takes the slow, lenient
 * path instead.
 */
#ifndef CERTSWEEP_DER_H
#define CERTSWEEP_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Identifier octets used by the certificate walker. */
#define DER_BOOLEAN	0x01
#define DER_INTEGER	0x02
#define DER_BIT_STRING	0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL	0x05
#define DER_OID		0x06
#define DER_UTC_TIME	0x17
#define DER_GEN_TIME	0x18
#define DER_SEQUENCE	0x30
#define DER_SET		0x31
#define DER_CTX(n)	(0x80 | (n))	/* [n] IMPLICIT, primitive */
#define DER_CTX_CONS(n)	(0xa0 | (n))	/* [n] EXPLICIT or constructed */

/* One TLV: where it starts and where its contents are. */
struct der {
	uint8_t		 tag;
	const uint8_t	*tlv;		/* identifier octet */
	size_t		 tlv_len;	/* header and contents */
	const uint8_t	*val;		/* contents */
	size_t		 len;
};

/* A position inside a run of TLVs (the contents of a constructed one). */
struct der_cur {
	const uint8_t	*p;
	const uint8_t	*end;
};

/* A cursor over bytes (the whole input, or a TLV's contents). */
struct der_cur	der_cursor(const uint8_t *p, size_t len);
/* The next TLV; -1 on anything not strict DER or past the end. */
int	der_next(struct der_cur *, struct der *);
/* The next TLV, which must carry tag. */
int	der_expect(struct der_cur *, uint8_t tag, struct der *);
/* The next TLV if it carries tag; 0 and nothing consumed otherwise. */
bool	der_optional(struct der_cur *, uint8_t tag, struct der *);
bool	der_at_end(const struct der_cur *);
/* A cursor over a TLV's contents. */
struct der_cur	der_enter(const struct der *);
/*
 * An INTEGER's magnitude in bits when it is a minimal, positive DER
 * integer; -1 otherwise (negative, zero-length, padded).
 */
int	der_uint_bits(const struct der *);
/* An OBJECT IDENTIFIER OpenSSL would decode (c2i_ASN1_OBJECT's rules:
 * contents not empty, no 0x80 leading a sub-identifier, last octet
 * final). */
bool	der_oid_ok(const struct der *);

#endif /* CERTSWEEP_DER_H */
