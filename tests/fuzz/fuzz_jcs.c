/*
 * libFuzzer target: JSON text through jcs_canonicalize (RFC 8785).
 * Invariants: a refusal leaves nothing allocated; an accepted text's
 * canonical form is valid JSON that canonicalizes to itself (read back
 * with every number as a double, which is what JCS numbers are), and has
 * no byte below 0x20 (controls are escaped).
 * Seeds: tests/fuzz/seeds/jcs/ (RFC 8785's examples, the ACI keyset).
 *
 *   CC=clang cmake -S . -B build-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF
 *   build-fuzz/fuzz/fuzz_jcs -max_total_time=60 -max_len=4096 corpus/
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "jcs.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmon_err err;
	struct buf b;
	json_error_t jerr;
	json_t *again;
	uint8_t *out;
	size_t len, i;

	if (jcs_canonicalize(data, size, 1 << 16, &out, &len, &err) !=
	    TMON_OK) {
		TMON_ASSERT(out == NULL);
		return 0;
	}
	for (i = 0; i < len; i++)
		TMON_ASSERT(out[i] >= 0x20);
	again = json_loadb((const char *)out, len, JSON_DECODE_ANY |
	    JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES, &jerr);
	TMON_ASSERT(again != NULL);
	buf_init(&b, 8 * len + 64);
	TMON_ASSERT(jcs_append(&b, again, &err) == TMON_OK);
	TMON_ASSERT(b.len == len && memcmp(b.data, out, len) == 0);
	buf_free(&b);
	json_decref(again);
	free(out);
	return 0;
}
