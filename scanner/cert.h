/*
 * cert.h: X.509 facts.  Turns DER into a struct cert_record with OpenSSL;
 * pure (no I/O, no logging), so it is unit-tested and fuzzed directly.
 */
#ifndef CERTSWEEP_CERT_H
#define CERTSWEEP_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/record.h"

/*
 * Parses one DER certificate into *rec (which it zeroes first) and keeps a
 * copy of the DER.  Returns 0, or -1 when the bytes are not a certificate;
 * then *rec holds nothing to free.
 */
int	cert_record_from_der(struct cert_record *rec, const uint8_t *der,
	    size_t len);
/*
 * The same record without d2i_X509() (OpenSSL 3 decodes the public key
 * there, ~100 us): equal to cert_record_from_der()'s in every field, but
 * rec->x509 stays NULL (cert_record_x509() decodes on demand).  Falls back
 * to cert_record_from_der() for anything uncommon (then x509 is set), so
 * it accepts and rejects exactly what that accepts and rejects.
 */
int	cert_record_from_der_lite(struct cert_record *rec, const uint8_t *der,
	    size_t len);
/*
 * The same from a certificate OpenSSL has already parsed (the handshake's
 * peer chain): no second decoding.  Takes its own reference to x.
 */
int	cert_record_from_x509(struct cert_record *rec, struct x509_st *x);
/* The parsed certificate, a new reference (X509_free it): rec's own when
 * kept, else decoded from the DER.  NULL when it does not parse. */
struct x509_st *cert_record_x509(const struct cert_record *rec);
/* Frees what *rec owns; zeroes it.  A zeroed record is a no-op. */
void	cert_record_clear(struct cert_record *rec);
/* Lower-case hex of a SHA-256 into out (65 bytes with the NUL). */
void	cert_hex(const uint8_t *bytes, size_t len, char *out);
/* inet_ntop(AF_INET) without its sprintf: "192.0.2.7" (out: 16 bytes). */
void	cert_ipv4_text(const unsigned char *p, char *out);

#endif /* CERTSWEEP_CERT_H */
