/*
 * fuzz_tlswire_server.c: the tlswire parser on arbitrary bytes in the
 * server direction (ServerHello .. ServerHelloDone, alerts, SSLv2),
 * whole and split (tlswire_common.h).
 */
#include "tests/fuzz/tlswire_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tlswire(TLSWIRE_DIR_SERVER, data, size);
}
