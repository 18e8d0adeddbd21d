/*
 * tlswire_internal.h: what the parser's two files share: tlswire.c (state,
 * record and handshake layers) and tlswire_msg.c (message parsers).
 */
#ifndef CERTSWEEP_TLSWIRE_INTERNAL_H
#define CERTSWEEP_TLSWIRE_INTERNAL_H

#include "probes/tlswire.h"

enum {
	HT_HELLO_REQUEST = 0, HT_CLIENT_HELLO = 1, HT_SERVER_HELLO = 2,
	HT_CERTIFICATE = 11, HT_SERVER_KEY_EXCHANGE = 12,
	HT_SERVER_HELLO_DONE = 14, HT_CERTIFICATE_STATUS = 22,
};

/* Set the sticky error and its reason; returns -1. */
int	tlswire_fail(struct tlswire_parser *, enum tlswire_err, const char *,
	    ...) __attribute__((format(printf, 3, 4)));
/* One whole handshake message body of the given type. */
int	tlswire_parse_message(struct tlswire_parser *, uint8_t type,
	    const uint8_t *, size_t);
/* The first SSLv2 message (the whole record payload). */
int	tlswire_parse_sslv2(struct tlswire_parser *, const uint8_t *, size_t);

#endif /* CERTSWEEP_TLSWIRE_INTERNAL_H */
