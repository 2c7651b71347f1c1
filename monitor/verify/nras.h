/*
 * nras.h: the gpu.nras check: an NVIDIA Remote Attestation Service
 * (NRAS) answer, verified offline against the JWKS archived with it.
 *
 * Facts (NVIDIA Attestation documentation: "GPU Claims", claims guide
 * version 3.0, docs.nvidia.com/attestation/advanced-documentation/
 * latest/claims-guide/gpu_claims.html; NVIDIA Attestation SDK C++,
 * nvat_verify_attestation_result; the answers of
 * nras.attestation.nvidia.com/v3/attest/gpu recorded in
 * tests/data/nras/):
 *   - POST /v3/attest/gpu with {"nonce": hex, "arch": "HOPPER",
 *     "evidence_list": [{"certificate", "evidence", "arch"}, ...]}
 *     answers a "detached EAT": the JSON array
 *       [["JWT", "<overall JWT>"], {"GPU-0": "<JWT>", "GPU-1": ...}]
 *     Each JWT is a JWS compact serialization (RFC 7515 section 7.1)
 *     whose header is {"kid": ..., "alg": "ES384"}.
 *   - The overall token's claims: iss, iat, nbf, exp (RFC 7519 section
 *     4.1), eat_nonce (RFC 9711 section 4.1: the nonce of the request,
 *     hex), x-nvidia-overall-att-result (true / false), and submods: per
 *     GPU name ["DIGEST", ["SHA-256", hex]], the SHA-256 of that GPU's
 *     JWT exactly as served (the detached claims-set).
 *   - A GPU token's claims: measres ("success" when the runtime
 *     measurements match the RIMs), boolean x-nvidia-gpu-* results
 *     (x-nvidia-gpu-attestation-report-nonce-match,
 *     -signature-verified, -cert-chain-validated, the RIM checks, ...),
 *     secboot, dbgstat, eat_nonce; or, when NRAS refused the evidence,
 *     x-nvidia-error-details {code, message, description}.
 *   - The keys are NRAS's JWKS (RFC 7517; /.well-known/jwks.json): EC
 *     P-384 keys (x, y base64url, RFC 7518 section 6.2.1) named by kid,
 *     each with an x5c (RFC 7517 section 4.7: base64 DER, the key's
 *     certificate first) of a short-lived signing certificate and
 *     "NVIDIA Attestation Service GPU Intermediate 004", which
 *     trust_nras.c pins.  Keys rotate every few hours, so a token is
 *     verified against the JWKS fetched with it, never a pinned key.
 *
 * Rules of gpu.nras (README "Checks"):
 *   pass   every token's ES384 signature verifies (RFC 7518 section 3.4,
 *          r || s of 48 bytes each) with the JWKS key its kid names,
 *          the key's x5c chains to the pinned intermediate at now and
 *          certifies that key; iat <= now + NRAS_LEEWAY, nbf <= now +
 *          NRAS_LEEWAY, now < exp; every eat_nonce is our nonce; the
 *          overall result is true; submods names exactly the GPU tokens
 *          served, each with the SHA-256 of its JWT; every GPU token has
 *          measres "success", the report-nonce-match claim true and no
 *          boolean claim false
 *   warn   as pass, but the JWK carries no x5c: the key is trusted only
 *          as fetched from the JWKS URL
 *   fail   malformed answer or token, a signature that does not verify,
 *          an x5c that does not chain to the pin or certifies another
 *          key, another nonce, a false result or failed claim, NRAS's
 *          error details, a token used outside [nbf, exp)
 *   error  no JWKS, a JWKS that is not one, a kid the JWKS does not hold,
 *          an alg other than ES384 or a key that is not EC P-384, a
 *          library failure: the token could not be checked
 *   skip   no NRAS answer
 *
 * Pure: no I/O, no clock, no state; safe from several threads at once.
 */
#ifndef TMON_VERIFY_NRAS_H
#define TMON_VERIFY_NRAS_H

#include <stddef.h>
#include <stdint.h>

#include "checklist.h"

/* Seconds a token's iat and nbf may lie ahead of now (clock skew
 * between NRAS and the verifier). */
#define NRAS_LEEWAY	60

/* The pinned issuer of NRAS signing certificates (trust_nras.c). */
extern const uint8_t	nras_intermediate_der[];
extern const size_t	nras_intermediate_der_len;

/*
 * Set gpu.nras in cl (rules above) for the eat_len bytes at eat, the
 * NRAS answer as served (at most MAX_NRAS_ANSWER bytes), against the
 * jwks_len bytes at jwks, NRAS's JWKS as served (at most MAX_NRAS_JWKS
 * bytes), the 32-byte nonce the answer must carry (the one posted to
 * NRAS, as 64 hex characters in eat_nonce) and the time now (unix
 * seconds).  eat NULL: skip ("no NRAS answer"); jwks NULL: error ("no
 * NRAS JWKS").  The detail names the key (kid), the number of GPUs and,
 * for anything other than a pass, the first problem found with the
 * token (overall or GPU name) it is in.  Returns the status set.
 */
enum check_status	nras_check(const uint8_t *eat, size_t eat_len,
			    const uint8_t *jwks, size_t jwks_len,
			    const uint8_t nonce[32], int64_t now,
			    struct checklist *cl);

#endif /* TMON_VERIFY_NRAS_H */
