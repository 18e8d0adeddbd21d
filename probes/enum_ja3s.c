/*
 * enum_ja3s.c: JA3S, the fingerprint of a ServerHello (Salesforce's
 * definition): MD5 over "SSLVersion,Cipher,SSLExtension" where each field
 * is decimal and the extension types are joined by '-' in the order the
 * server sent them.  The version is the ServerHello's legacy_version
 * (771 for TLS 1.2 and 1.3), as the passive tools compute it.
 */
#include "probes/enum.h"

#include <stdio.h>

#include <openssl/evp.h>

void
enum_ja3s(uint16_t version, uint16_t cipher, const uint16_t *exts,
    size_t nexts, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	char text[64 * 6 + 32];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t off, i;
	int n;

	n = snprintf(text, sizeof(text), "%u,%u,", version, cipher);
	off = n > 0 ? (size_t)n : 0;
	for (i = 0; i < nexts && i < 64; i++) {
		n = snprintf(text + off, sizeof(text) - off, "%s%u",
		    i > 0 ? "-" : "", exts[i]);
		if (n < 0 || (size_t)n >= sizeof(text) - off)
			break;
		off += (size_t)n;
	}
	out[0] = '\0';
	if (EVP_Digest(text, off, md, &mdlen, EVP_md5(), NULL) != 1 ||
	    mdlen != 16)
		return;
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[32] = '\0';
}
