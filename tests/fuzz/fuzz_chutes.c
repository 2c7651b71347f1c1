/*
 * libFuzzer target: the Chutes direct API's two answers (gateway_chutes.h)
 * through the whole verification path at a fixed time.  The input is the
 * /chutes/{chute}/evidence body, a newline, then the /e2e/instances body
 * (no newline: no instances answer).  Invariants: a body that does not
 * decode can never produce a pass, and an instance's tdx.reportdata or
 * gpu.nonce never passes without an e2e_pubkey to bind.
 * Seeds: tests/fuzz/seeds/chutes/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t nonce[32] = { 0xcd, 0xa7, 0x57, 0x6d };
	struct attest_result *r = calloc(1, sizeof(*r));
	struct attest_ctx ctx;
	const struct check *c;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t elen = nl != NULL ? (size_t)(nl - data) : size;

	TMON_ASSERT(r != NULL);
	memset(&ctx, 0, sizeof(ctx));
	if (nl != NULL) {
		ctx.chutes_instances = nl + 1;
		ctx.chutes_instances_len = size - elen - 1;
	}
	attest_verify_ctx(data, elen, nonce, 1779243485, &ctx, r);
	c = checklist_get(&r->checks, "response.parse");
	TMON_ASSERT(c != NULL);
	if (c->status == CHECK_FAIL)
		TMON_ASSERT(r->verdict == CHECK_FAIL);
	if (nl == NULL && r->format == GW_FORMAT_CHUTES_DIRECT) {
		c = checklist_get(&r->checks, "tdx.reportdata");
		TMON_ASSERT(c == NULL || c->status != CHECK_PASS);
		c = checklist_get(&r->checks, "gpu.nonce");
		TMON_ASSERT(c == NULL || c->status != CHECK_PASS);
	}
	free(r);
	return 0;
}
