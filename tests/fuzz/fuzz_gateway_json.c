/*
 * libFuzzer target: an attestation response body through the whole
 * verification path (attest_verify: gateway JSON decode, quote and GPU
 * evidence checks, REPORTDATA binding) at a fixed time.  Invariant: a
 * body that does not decode can never produce a pass.
 * Seeds: tests/fuzz/seeds/gateway_json/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "attest.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t nonce[32] = { 0x9a, 0x79, 0x67, 0x32 };
	struct attest_result *r = calloc(1, sizeof(*r));
	const struct check *c;

	TMON_ASSERT(r != NULL);
	attest_verify(data, size, nonce, 1781056145, r);
	c = checklist_get(&r->checks, "response.parse");
	TMON_ASSERT(c != NULL);
	if (c->status == CHECK_FAIL)
		TMON_ASSERT(r->verdict == CHECK_FAIL);
	free(r);
	return 0;
}
