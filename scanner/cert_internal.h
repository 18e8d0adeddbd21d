/*
 * cert_internal.h: cert.c's formatting, shared with certlite.c so that the
 * full and the lite parser write byte-identical records.  Each function
 * takes the decoded piece of the certificate (a name, an extension) rather
 * than the X509, and never frees what it is given.
 */
#ifndef CERTSWEEP_CERT_INTERNAL_H
#define CERTSWEEP_CERT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/ct.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/record.h"

#define CERT_DER_MAX	(1024 * 1024)	/* [X509-HUGE] */

/* Bytes as a record string: control bytes escaped, capped. */
char	*cert_text(const void *bytes, size_t n);
/* Upper-case hex without leading zero bytes; "0"; "-" for negatives. */
char	*cert_serial_string(const ASN1_INTEGER *);
/* Unix seconds of a UTCTime or GeneralizedTime; 0 when unreadable. */
int64_t	 cert_time_unix(const ASN1_TIME *);
/* The long name of a signature algorithm other than RSASSA-PSS. */
char	*cert_sig_alg_plain(const ASN1_OBJECT *);
/* The facts of the extensions; each accepts NULL (extension absent). */
void	 cert_san_facts(struct cert_record *, const GENERAL_NAMES *);
char	*cert_eku_string(const EXTENDED_KEY_USAGE *);
void	 cert_aia_facts(struct cert_record *, const AUTHORITY_INFO_ACCESS *);
char	*cert_crl_string(const STACK_OF(DIST_POINT) *);
int	 cert_sct_count(const STACK_OF(SCT) *);
char	*cert_octets_hex(const ASN1_OCTET_STRING *);

#endif /* CERTSWEEP_CERT_INTERNAL_H */
