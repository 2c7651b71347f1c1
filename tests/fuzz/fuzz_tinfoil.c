/*
 * libFuzzer target: Tinfoil attestation documents (gateway_tinfoil.h)
 * through the whole verification path, with the nonce and time of the
 * recorded TDX v3 capture (tests/data/tinfoil/tdx-v3), and the same bytes
 * through the bounded gzip reader.  Invariants: a body that does not
 * decode can never produce a pass; tdx.reportdata and snp.reportdata
 * never pass for a v2 document or unless nonce.echo passed; gzip output
 * never exceeds its bound.
 * Seeds: tests/fuzz/seeds/tinfoil/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "gateway_tinfoil.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
binding_needs_echo(const struct attest_result *r, const char *id)
{
	const struct check *c = checklist_get(&r->checks, id), *e;

	if (c == NULL || c->status != CHECK_PASS)
		return;
	e = checklist_get(&r->checks, "nonce.echo");
	TMON_ASSERT(e != NULL && e->status == CHECK_PASS);
	TMON_ASSERT(strstr(c->detail, "tinfoil-v2") == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t nonce[32] = { 0xa8, 0xc5, 0x45, 0x56, 0x63, 0xef,
	    0x49, 0x51, 0xc4, 0xa6, 0xfe, 0xf8, 0xde, 0x2a, 0x07, 0x99, 0x34,
	    0xc8, 0xe9, 0x3c, 0x67, 0x62, 0x6e, 0x73, 0x11, 0xbf, 0x38, 0x5b,
	    0xa6, 0x72, 0x4c, 0x9e };
	struct attest_result *r = calloc(1, sizeof(*r));
	const struct check *c;
	struct tmon_err err;
	uint8_t *out = NULL;
	size_t n = 0;

	TMON_ASSERT(r != NULL);
	tmon_err_clear(&err);
	if (tinfoil_gunzip(data, size, 4096, &out, &n, &err) == TMON_OK)
		TMON_ASSERT(out != NULL && n <= 4096);
	else
		TMON_ASSERT(out == NULL);
	free(out);

	attest_verify(data, size, nonce, 1782172454, r);
	c = checklist_get(&r->checks, "response.parse");
	TMON_ASSERT(c != NULL);
	if (c->status == CHECK_FAIL)
		TMON_ASSERT(r->verdict == CHECK_FAIL);
	if (r->format == GW_FORMAT_TINFOIL) {
		binding_needs_echo(r, "tdx.reportdata");
		binding_needs_echo(r, "snp.reportdata");
	}
	free(r);
	return 0;
}
