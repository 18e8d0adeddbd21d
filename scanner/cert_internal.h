/*
 * cert_internal.h: cert.c's formatting, shared with certlite.c so that the
 * full and the lite parser write byte-identical records.  Each function
 * takes the decoded piece of the certificate (a name, an extension) rather
 * than the X509, and never frees what it is given.
 */
#ifndef CERTSWEEP_CERT_INTERNAL_H
#define CERTSWEEP_CERT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/ct.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/record.h"

#define CERT_DER_MAX	(1024 * 1024)	/* [X509-HUGE] */
#define CERT_SANS_MAX	100000		/* SANs kept */
#define CERT_STR_MAX	(64 * 1024)	/* any one string field */

/* Bytes as a record string: control bytes escaped, capped. */
char	*cert_text(const void *bytes, size_t n);
/* cert_text(s, n) for a heap string s, which it takes (frees or returns). */
char	*cert_text_take(char *s, size_t n);
/* Lower-case hex of bytes, capped as cert_octets_hex() caps it. */
char	*cert_hex_text(const void *bytes, size_t n);
/* Upper-case hex without leading zero bytes; "0"; "-" for negatives. */
char	*cert_serial_string(const ASN1_INTEGER *);
/* The same from the magnitude of a positive serial (no leading 00). */
char	*cert_serial_mag(const uint8_t *mag, size_t n);
/* Unix seconds of a UTCTime or GeneralizedTime; 0 when unreadable. */
int64_t	 cert_time_unix(const ASN1_TIME *);
/* Unix seconds of a broken-down UTC time (as ASN1_TIME_to_tm fills it). */
int64_t	 cert_tm_unix(const struct tm *);
/* An object's short name, or its dotted form: what the lists show. */
void	 cert_obj_name(const ASN1_OBJECT *, char *out, size_t outlen);
/* The long name of a signature algorithm other than RSASSA-PSS. */
char	*cert_sig_alg_plain(const ASN1_OBJECT *);
/* The facts of the extensions; each accepts NULL (extension absent). */
void	 cert_san_facts(struct cert_record *, const GENERAL_NAMES *);
char	*cert_eku_string(const EXTENDED_KEY_USAGE *);
void	 cert_aia_facts(struct cert_record *, const AUTHORITY_INFO_ACCESS *);
char	*cert_crl_string(const STACK_OF(DIST_POINT) *);
int	 cert_sct_count(const STACK_OF(SCT) *);
char	*cert_octets_hex(const ASN1_OCTET_STRING *);

/*
 * The same facts from bytes, for a caller that decoded the DER itself.
 * cert_san_text(): one SAN entry of type GEN_DNS, GEN_EMAIL, GEN_URI or
 * GEN_IPADD from its contents (NULL for another type).  The lists (EKU
 * names, URLs) are built in a struct cert_sb, zeroed to start, by the
 * rules cert.c uses, and taken as a string (never NULL) at the end.
 */
char	*cert_san_text(int type, const void *bytes, size_t n);

/* A growable string with a hard maximum; past it, "..." and stop. */
struct cert_sb {
	char	*p;
	size_t	 len;
	size_t	 cap;
	bool	 full;
};

void	 cert_sb_item(struct cert_sb *, const char *name);
void	 cert_sb_uri(struct cert_sb *, const void *bytes, size_t n);
char	*cert_sb_take(struct cert_sb *);

#endif /* CERTSWEEP_CERT_INTERNAL_H */
