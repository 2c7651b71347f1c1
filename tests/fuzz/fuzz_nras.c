/*
 * libFuzzer target: an NRAS answer and a JWKS through nras_check
 * (gpu.nras).  Input: the answer's bytes, optionally followed by a 0x00
 * byte and the JWKS bytes (a raw 0x00 is never valid JSON, so the split
 * is unambiguous); without the JWKS part the check runs with no JWKS.
 * The nonce and time are those of the tinfoil_gemma4 capture, so its
 * seed passes.
 * Invariants: gpu.nras is always set and is the status returned; it is
 * never a skip (an answer was given); without a JWKS it is an error.
 * Seeds: tests/fuzz/seeds/nras/ (tests/data/nras answers, each with the
 * one JWKS key its tokens name).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "encode.h"
#include "nras.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW	((int64_t)1782172448)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hex[] =
	    "a8c5455663ef4951c4a6fef8de2a079934c8e93c67626e7311bf385ba6724c9e";
	static uint8_t nonce[32];
	static int init;
	struct checklist cl;
	const struct check *c;
	const uint8_t *z, *jwks = NULL;
	size_t eat_len = size, jwks_len = 0;
	enum check_status st;

	if (!init) {
		if (!hex_decode_exact(hex, 64, nonce, 32, false))
			abort();
		init = 1;
	}
	if ((z = memchr(data, 0, size)) != NULL) {
		eat_len = (size_t)(z - data);
		jwks = z + 1;
		jwks_len = size - eat_len - 1;
	}
	checklist_init(&cl);
	st = nras_check(data, eat_len, jwks, jwks_len, nonce, NOW, &cl);
	if ((c = checklist_get(&cl, "gpu.nras")) == NULL || c->status != st)
		abort();
	if (st == CHECK_SKIP || (jwks == NULL && st != CHECK_ERROR))
		abort();
	return 0;
}
