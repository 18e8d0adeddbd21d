/*
 * certlite.h: the lite certificate parser's internals, shared with the
 * verification shortcut (verify.c) and the tests.  The public entry point,
 * cert_record_from_der_lite(), is declared in cert.h.
 *
 * Why: OpenSSL 3 decodes a certificate's public key eagerly through the
 * provider decoders, ~100-170 us per d2i_X509().  The scanner needs the
 * facts of the certificate, not a usable key, so the lite parser splits
 * the DER itself (der.h) and hands OpenSSL only the cheap pieces.
 */
#ifndef CERTSWEEP_CERTLITE_H
#define CERTSWEEP_CERTLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/der.h"

/* Views into one certificate's DER, as certlite_split() found them. */
struct certlite_parts {
	struct der	 tbs;
	struct der	 version;	/* tag 0 when absent (v1) */
	struct der	 serial;
	struct der	 tbs_sigalg;
	struct der	 issuer;
	struct der	 not_before, not_after;
	struct der	 subject;
	struct der	 spki;
	struct der	 spki_alg;
	struct der	 spki_key;	/* the BIT STRING */
	struct der	 exts;		/* SEQUENCE inside [3]; tag 0: none */
	struct der	 sigalg;
	struct der	 sig;
};

/*
 * Splits a DER certificate into its fields.  Strict: 0 only for DER
 * with the fields a v1 or v3 certificate has, in order, and nothing after
 * them (no unique identifiers, no v2); -1 otherwise, which means "ask
 * OpenSSL", not "invalid".
 */
int	certlite_split(const uint8_t *der, size_t len, struct certlite_parts *);

struct cert_record;
struct stack_st_GENERAL_NAME;
struct X509_name_st;

/* The extensions the lite parser reads. */
enum certlite_ext {
	CLX_BC, CLX_KU, CLX_EKU, CLX_SKI, CLX_AKI, CLX_SAN, CLX_CRLDP,
	CLX_NSCERT, CLX_NC, CLX_IPADDR, CLX_ASID, CLX_AIA, CLX_SCT,
	CLX_PROXY, CLX__MAX
};

/*
 * Walks Extensions as d2i_X509_EXTENSIONS would accept them and keeps the
 * value (OCTET STRING contents) of each kind above; -1 when unsure (not
 * strict DER, a duplicate of a kind above).
 */
int	certlite_exts_walk(const struct der *exts, struct der val[CLX__MAX]);
/* X509V3_EXT_d2i() of one value (tag 0: absent, NULL); free with
 * certlite_ext_free(). */
void	*certlite_ext_decode(int kind, const struct der *val);
void	 certlite_ext_free(int kind, void *);

/*
 * The extensions of one certificate, read for a record.  The common kinds
 * in their plain encodings are read from the DER here (own[kind]; the
 * facts below, or for SAN, EKU, AIA and CRLDP the value, checked, walked
 * again when shown); any other encoding, and the rare kinds, are decoded
 * by OpenSSL (x[kind]), as before.
 */
struct certlite_exts {
	struct der	 val[CLX__MAX];	/* OCTET STRING; tag 0: absent */
	void		*x[CLX__MAX];	/* OpenSSL's decoding, or NULL */
	bool		 own[CLX__MAX];	/* read here */
	bool		 ca;		/* BC */
	int		 path_len;	/* BC, -1 when absent */
	uint32_t	 ku;		/* KU: its first two octets */
	struct der	 ski;		/* SKI: the OCTET STRING */
	struct der	 keyid;		/* AKI: [0]; tag 0 when absent */
	size_t		 nsans;		/* SAN: GeneralNames */
	int		 sct_count;	/* SCT */
};

/*
 * Reads Extensions (exts tag 0: none) as x509v3_cache_extensions() would
 * find them valid: -1 when unsure (not strict DER, a duplicate, anything
 * OpenSSL would call invalid).  Clear with certlite_exts_clear() either
 * way.
 */
int	certlite_exts_read(const struct der *exts, struct certlite_exts *);
void	certlite_exts_clear(struct certlite_exts *);
/* The extension facts of the record: ext_facts() and san_facts() of
 * cert.c, but self_signed. */
void	certlite_exts_facts(struct cert_record *,
	    const struct certlite_exts *);
/* The authority key id names a key other than the subject key id (both
 * present): a self-issued certificate that is not self-signed. */
bool	certlite_exts_other_key(const struct certlite_exts *);

/*
 * The NID OBJ_obj2nid() gives an OID, for the common ones (algorithms,
 * curves, name attributes, extensions, key purposes); NID_undef when the
 * OID is not among them (then ask OpenSSL).
 */
int	certlite_oid_nid(const struct der *oid);

/*
 * A named curve as OpenSSL makes it (NULL when it makes none), shared by
 * the threads, and whether an encoded point is one EC_POINT_oct2point()
 * accepts on it: true when certain, false when not (then ask OpenSSL).
 */
struct ec_group_st;
struct certlite_curve {
	const struct ec_group_st *group;
	const char	*name;		/* OSSL_EC_curve_nid2name */
	int		 order_bits;
};

const struct certlite_curve *certlite_curve(int nid);
bool	certlite_curve_point(const struct certlite_curve *,
	    const uint8_t *pt, size_t len);
/*
 * From a certificate's DER, without d2i_X509: the subjectAltName as
 * X509_get_ext_d2i() returns it (0, *out NULL when absent or undecodable;
 * -1 when unsure), the subject name (NULL when unsure), the NID of the
 * signature algorithm (X509_get_signature_nid; NID_undef when unsure).
 */
int	certlite_san(const uint8_t *der, size_t len,
	    struct stack_st_GENERAL_NAME **out);
/*
 * The same subjectAltName read here, without OpenSSL: *names its
 * GeneralNames SEQUENCE (tag 0 when there is none), each an rfc822Name,
 * dNSName, URI or iPAddress (primitive, the string's bytes as the
 * GENERAL_NAME would hold them).  -1 when unsure: ask certlite_san().
 */
int	certlite_san_names(const uint8_t *der, size_t len,
	    struct der *names);
/* The same of the extension's OCTET STRING v (tag 0: no SAN). */
int	certlite_san_names_of(const struct der *v, struct der *names);
/* The GEN_* type of one of those names. */
int	certlite_gn_type(const struct der *g);
struct X509_name_st *certlite_subject(const uint8_t *der, size_t len);
int	certlite_sig_nid(const uint8_t *der, size_t len);


/*
 * The lite parse alone: 0 with *rec filled (x509 NULL), or -1 when it is
 * not certain to match cert_record_from_der() (then *rec is zeroed and the
 * caller asks OpenSSL).  cert_record_from_der_lite() is this plus that.
 */
int	certlite_fill(struct cert_record *rec, const uint8_t *der, size_t len);

/*
 * A DER Name printed exactly as cert.c prints it (X509_NAME_print_ex,
 * RFC 2253 with UTF-8 kept): 0 with *out (heap, NUL-terminated, *outlen
 * bytes), or -1 when the name holds something the lite printer does not
 * handle or OpenSSL would refuse (the caller falls back).
 */
int	certlite_name_print(const struct der *name, char **out,
	    size_t *outlen);

/*
 * Compares two DER names as X509_NAME_cmp() does (canonical form:
 * UTF-8, case and spaces folded): 0 equal, 1 different, -1 unsure.
 */
int	certlite_name_cmp(const struct der *a, const struct der *b);

/*
 * What chain building looks at, for verify.c's shortcut: the names, the
 * signature algorithm of the tbsCertificate, the key identifiers.
 */
struct certlite_link {
	struct certlite_parts	 p;
	int			 tbs_sig_nid;
	struct der		 ski;	/* its octets; tag 0: absent */
	struct der		 keyid;	/* AKI's [0]; tag 0: absent */
	bool			 aki_names; /* AKI also names the issuer
					     * (name and serial) */
};

/* 0 with *k filled (pointing into der), -1 when unsure. */
int	certlite_link(const uint8_t *der, size_t len, struct certlite_link *k);

/*
 * What certlite_fill() read, kept with the record (rec->lite, pointing
 * into rec->der): certlite_link(), certlite_san_names() and
 * certlite_sig_nid() of rec->der, without walking it a third time.
 */
struct certlite_view {
	bool			 link_ok;	/* certlite_link() gives 0 */
	struct certlite_link	 link;
	bool			 san_ok;	/* certlite_san_names() gives 0 */
	struct der		 san_names;
	int			 sig_nid;
};
/* certlite_link(), certlite_san_names() and certlite_sig_nid() of
 * rec->der, from rec->lite when certlite_fill() kept it. */
int	certlite_rec_link(const struct cert_record *, struct certlite_link *);
int	certlite_rec_san_names(const struct cert_record *, struct der *);
int	certlite_rec_sig_nid(const struct cert_record *);
/*
 * The key identifiers of Extensions walked by certlite_exts_walk(), as
 * X509V3_EXT_d2i() would decode them: -1 when one is not read here.
 */
int	certlite_keyids(const struct der val[CLX__MAX], struct der *ski,
	    struct der *keyid, bool *aki_names);

#endif /* CERTSWEEP_CERTLITE_H */
