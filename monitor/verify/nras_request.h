/*
 * nras_request.h: the body tmond posts to NVIDIA's Remote Attestation
 * Service for the GPU evidence of an attestation response (gpu.nras,
 * nras.h).
 *
 * NRAS v3 (POST /v3/attest/gpu; the request recorded in
 * tests/data/nras/tinfoil_gemma4_request.json, nras.h) takes
 *   {"arch": "HOPPER", "nonce": "<64 hex>",
 *    "evidence_list": [{"arch", "certificate", "evidence"}, ...]}
 * The dstack nvidia_payload is that object with the provider's nonce
 * (nearai/private-ml-sdk vllm-proxy); a Chutes instance's gpu_evidence
 * is its evidence_list (gateway.h).  The body built here carries OUR
 * nonce, so NRAS judges whether the evidence answers it.
 *
 * Pure: no I/O.
 */
#ifndef TMON_VERIFY_NRAS_REQUEST_H
#define TMON_VERIFY_NRAS_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * The NRAS v3 request body for the GPU evidence of the model's TEE
 * (gw_report primary) of the len bytes of an attestation response, with
 * our 32-byte nonce, in a new buffer of *out_len bytes (compact JSON,
 * keys sorted) that the caller frees.  Every evidence item must be an
 * object with string "certificate" and "evidence" (copied as served)
 * and, if present, a string "arch"; "arch" of the body is the
 * payload's, else the first item's, else "HOPPER".
 * Errors (*out NULL): TMON_E_NOTFOUND the response has no GPU evidence
 * (or decodes to no TEE); TMON_E_PARSE a response, payload or evidence
 * item that is malformed (err names it); TMON_E_UNSUPPORTED a format
 * gw_report_decode does not know; TMON_E_LIMIT more than MAX_GPUS items
 * or a body over MAX_FETCH_REQUEST_BODY bytes (what fetch posts).
 */
enum tmon_rc	nras_request_body(const uint8_t *body, size_t len,
		    const uint8_t nonce[32], uint8_t **out, size_t *out_len,
		    struct tmon_err *err);

#endif /* TMON_VERIFY_NRAS_REQUEST_H */
