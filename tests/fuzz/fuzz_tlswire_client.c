/*
 * fuzz_tlswire_client.c: the tlswire parser on arbitrary bytes in the
 * client direction (ClientHello in TLS and SSLv2 form, client
 * Certificate), whole and split (tlswire_common.h).
 */
#include "tests/fuzz/tlswire_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tlswire(TLSWIRE_DIR_CLIENT, data, size);
}
