/*
 * libFuzzer target: an attestation response through nras_request_body
 * (the NRAS v3 request tmond posts for its GPU evidence).
 * Invariants: TMON_OK exactly when a body is returned; a body is valid
 * JSON whose "nonce" is our nonce as 64 hex characters.
 * Seeds: tests/fuzz/seeds/nras_request/ (copies of the gateway_json
 * seeds with GPU evidence: dstack nvidia_payload, Chutes gpu_evidence).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "nras_request.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t nonce[32] = { 0xab, 0xcd };
	struct tmon_err err;
	uint8_t *out = NULL;
	size_t out_len = 0;
	enum tmon_rc rc;
	const char *n;
	json_t *j;

	tmon_err_clear(&err);
	rc = nras_request_body(data, size, nonce, &out, &out_len, &err);
	if ((rc == TMON_OK) != (out != NULL))
		abort();
	if (out == NULL)
		return 0;
	j = json_loadb((const char *)out, out_len, 0, NULL);
	n = j != NULL ? json_string_value(json_object_get(j, "nonce")) : NULL;
	if (n == NULL || strcmp(n, "abcd00000000000000000000000000000000"
	    "0000000000000000000000000000") != 0)
		abort();
	json_decref(j);
	free(out);
	return 0;
}
