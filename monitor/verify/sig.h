/*
 * sig.h: completion signatures.  A TEE inference server signs, for each
 * chat completion, a text binding the request and the response bytes, and
 * serves it from a signature endpoint; this module parses that answer and
 * checks the signature, the signer and the two hashes.
 *
 * Facts (nearai/private-ml-sdk
 * vllm-proxy/src/app/api/v1/openai.py, nearai/inference-proxy
 * src/signing.rs and src/types.rs SignatureResponse, nearai/cloud-api
 * crates/api/src/routes/attestation/signature.rs):
 *   - GET .../signature/{chat_id}?model=...&signing_algo=ecdsa|ed25519
 *     answers {text, signature, signing_address, signing_algo} and, from
 *     the NEAR gateway, an optional signature_kind ("provider_tee" or
 *     "gateway"); when the signature is not available it may answer 200
 *     {error_code, message}.
 *   - text is "<sha256hex(request)>:<sha256hex(response)>" (Python proxy,
 *     NEAR gateway) or "<model>:<sha256hex(request)>:<sha256hex(response)>"
 *     (Rust proxy).  Model names may contain ':', so the hashes are the
 *     LAST TWO colon-separated fields.  The request hash covers the exact
 *     request body bytes; the response hash covers every byte of the
 *     response as sent, for a stream every SSE byte up to and including
 *     the blank line after "data: [DONE]".
 *   - ecdsa: EIP-191 personal_sign (EIP-191, version 0x45):
 *     keccak256("\x19Ethereum Signed Message:\n" + decimal byte length of
 *     text + text), secp256k1, signature "0x" + r(32) || s(32) || v(1),
 *     v = 27/28 (0/1 accepted too); the signer is identified by its
 *     Ethereum address, the last 20 bytes of keccak256(x || y) of the
 *     uncompressed public key (Ethereum Yellow Paper, appendix F), served
 *     EIP-55 mixed case (Python) or lower case (Rust).
 *   - ed25519: plain Ed25519 (RFC 8032, section 5.1) over the UTF-8 text,
 *     signature 64 bytes as 128 hex characters, signing_address the
 *     32-byte public key as 64 hex characters; verified strictly (see
 *     sig_ed25519_verify).
 *
 * Decisions:
 *   - Addresses and keys are compared as decoded bytes (CRYPTO_memcmp), so
 *     case never matters.  A mixed-case ecdsa address whose EIP-55
 *     checksum is wrong is still compared by its bytes; the check detail
 *     says "bad EIP-55 checksum".  An all-lower or all-upper address
 *     carries no checksum.
 *   - High-S ECDSA signatures (s > n/2, the malleable twin of a low-S
 *     signature) are accepted: the signature still proves the key signed
 *     the text, and recovery does not depend on the form.  The detail
 *     says "high-S form".  Whoever keys anything by signature bytes must
 *     not assume one signature per completion.
 *   - v outside {0, 1, 27, 28} (EIP-155 chain-id forms, recovery ids 2/3)
 *     is malformed.
 *   - A text that is not "[model:]<64 hex>:<64 hex>" fails sig.completion
 *     even when the signature over it is valid: such a signature binds no
 *     completion.
 *
 * Thread safety: every function is safe to call from several threads at
 * once (secp256k1 runs on its read-only static context, self-tested once).
 */
#ifndef TMON_VERIFY_SIG_H
#define TMON_VERIFY_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "err.h"

struct verify_ctx;

/*
 * One completion signature and what we know around it.  All pointers are
 * borrowed for the duration of the call; strings are NUL-terminated.
 */
struct sig_input {
	/* the signed text exactly as served (decoded JSON string), not
	 * NUL-terminated necessarily; at most MAX_SIG_TEXT bytes */
	const char	*text;
	size_t		 text_len;
	/* hex as served: ecdsa "0x" optional + 130 hex (r||s||v), ed25519
	 * 128 hex ("0x" optional) */
	const char	*signature;
	/* as served: ecdsa "0x" + 40 hex (any case), ed25519 64 hex */
	const char	*signing_address;
	/* "ecdsa" | "ed25519"; NULL means ecdsa */
	const char	*signing_algo;
	/* exact request body bytes we sent; NULL if unknown */
	const uint8_t	*request;
	size_t		 request_len;
	/* exact response bytes we received (the whole SSE stream for a
	 * stream); NULL if unknown */
	const uint8_t	*response;
	size_t		 response_len;
	/* when request (response) is NULL: the SHA-256 (32 bytes) of those
	 * request_len (response_len) bytes, kept where the bytes were not
	 * (an archived receipt, store/entry.h "without_bytes"); NULL if
	 * unknown */
	const uint8_t	*request_sha256;
	const uint8_t	*response_sha256;
	/* the key bound in the attestation of the same probe (ecdsa:
	 * address "0x" + 40 hex; ed25519: 32-byte key as 64 hex); NULL if
	 * not known.  An empty string is malformed, not "unknown". */
	const char	*attested_address;
	/* the caller's context: its secp256k1 context is used (NULL: the
	 * library's static one, self-tested on each call; verify_ctx.h) */
	const struct verify_ctx *vc;
};

/*
 * Check one completion signature and append three checks to cl:
 *
 *   sig.completion
 *     pass   the signature is valid for text, the signer equals
 *            signing_address and, when attested_address is given, equals
 *            it too (the detail says whether it was compared with an
 *            attested key, and notes "v=0/1 form", "high-S form" or "bad
 *            EIP-55 checksum" when they apply)
 *     fail   malformed input (text not "[model:]<64 hex>:<64 hex>", text
 *            longer than MAX_SIG_TEXT, bad hex, wrong lengths, v not in
 *            {0,1,27,28}, missing field); a
 *            signature that recovers to no key or does not verify; a
 *            signer that differs from signing_address or from
 *            attested_address (the detail names the recovered address)
 *     error  a signing_algo other than ecdsa and ed25519 (not
 *            checked), or a library failure (libsodium could not
 *            initialise)
 *   sig.request_hash, sig.response_hash
 *     pass   the hash in text equals SHA-256 of the bytes (CRYPTO_memcmp),
 *            or the SHA-256 given for them when the bytes are NULL
 *     fail   it differs (both hashes, first 16 hex characters, in the
 *            detail), or text carries no hashes.  When sig.completion
 *            passed, the detail starts "signature genuine but the bytes we
 *            received hash to ...: re-serialised by a gateway?" (or "we
 *            sent" for the request)
 *     skip   the bytes and their SHA-256 are NULL
 *
 * Never allocates; never aborts on input.  in and cl must not be NULL.
 */
void	sig_check_completion(const struct sig_input *in, struct checklist *cl);

/*
 * A signature endpoint answer, parsed.  Every string is owned, NUL
 * terminated and free of embedded NULs (jansson rejects \u0000).
 */
struct sig_response {
	char	*text;
	size_t	 text_len;		/* bytes, without the NUL */
	char	*signature;
	char	*signing_address;
	char	*signing_algo;		/* NULL if the answer has none */
	char	*signature_kind;	/* NULL if the answer has none */
};

/*
 * Parse len bytes of a signature endpoint answer (JSON, parsed with
 * JSON_REJECT_DUPLICATES) into *out.  Required members: text, signature,
 * signing_address (strings); optional: signing_algo, signature_kind
 * (strings).  Other members are ignored.  Nothing is decoded or checked
 * here beyond types and lengths: sig_check_completion judges the values.
 * On success the caller owns *out and releases it with sig_response_free;
 * on failure *out is zeroed and needs no free.
 * Errors:
 *   TMON_E_PARSE     not JSON, duplicate keys, not an object, a required
 *                    member missing or any member of the wrong type (err
 *                    names the member)
 *   TMON_E_LIMIT     len > MAX_SIG_RESPONSE, nesting deeper than
 *                    MAX_JSON_DEPTH, text > MAX_SIG_TEXT bytes,
 *                    signature > MAX_SIG_HEX, signing_address >
 *                    MAX_SIG_ADDRESS, signing_algo or signature_kind >
 *                    MAX_SIG_NAME (err names the member)
 *   TMON_E_NOTFOUND  the answer is the NEAR gateway's "not available"
 *                    form {error_code, message} without a text (err
 *                    carries both, escaped): retry later, not a failure
 */
enum tmon_rc	sig_response_parse(const uint8_t *json, size_t len,
		    struct sig_response *out, struct tmon_err *err);

/* Free the members of r and zero it; r may be NULL or zeroed. */
void		sig_response_free(struct sig_response *r);

/*
 * Strict Ed25519 verification (RFC 8032 section 5.1.7, cofactorless
 * equation [S]B = R + [k]A) of the 64-byte signature sig (R || S) over
 * len bytes of msg under the 32-byte public key key, by libsodium's
 * crypto_sign_verify_detached(), which on top of RFC 8032 rejects:
 *   - S >= L (a non-canonical scalar, RFC 8032 section 5.1.7 step 1),
 *   - a public key A or an R that is not canonically encoded (y >= p)
 *     or is of small order (the eight points of order 1, 2, 4 or 8):
 *     with A of small order, e.g. the identity 01 00..00, or R the
 *     identity and S = 0, a "signature" verifies for any text.
 * This is the "strict" column of Chalkias, Garillot, Nikolaenko, "Taming
 * the many EdDSAs" (SSR 2020): of its 12 vectors only vector 3 (mixed-
 * order A and R, valid under both equations) verifies.
 * Returns VERDICT_PASS, VERDICT_FAIL, or VERDICT_ERROR when libsodium
 * cannot initialise.  Pure, thread-safe, never allocates.
 */
enum verdict	sig_ed25519_verify(const uint8_t key[32], const uint8_t sig[64],
		    const uint8_t *msg, size_t len);

/*
 * The EIP-191 (version 0x45, personal_sign) digest of len bytes of text:
 * keccak256("\x19Ethereum Signed Message:\n" || decimal(len) || text) into
 * out[32].  For signers (the simulated provider) and for tests.
 */
void		sig_eip191_digest(const char *text, size_t len,
		    uint8_t out[32]);

/*
 * Recover the EIP-191 signer of len bytes of text from sig_hex ("0x"
 * optional + 130 hex, r || s || v, v in {0, 1, 27, 28}) and write its
 * address ("0x" + 40 lowercase hex, NUL-terminated) into addr_out.
 * Returns TMON_OK when the signature recovers to a key: that may be a
 * different key than the caller expects (a signature over another text
 * recovers to an unrelated address), so the caller must compare.  Uses
 * the library's static secp256k1 context, self-tested on each call.
 * Errors (addr_out is then ""):
 *   TMON_E_PARSE  malformed signature (length, hex, v), r or s not in
 *                 [1, n-1], or no public key recovers from it
 */
enum tmon_rc	sig_eip191_recover(const char *text, size_t len,
		    const char *sig_hex, char addr_out[43],
		    struct tmon_err *err);

/*
 * The Ethereum address of a 64-byte uncompressed secp256k1 public key
 * x || y (big-endian coordinates, no 0x04 prefix): keccak256(x||y)[12..32]
 * as "0x" + 40 lowercase hex, NUL-terminated, in addr_out.  Pure: does not
 * check that the point is on the curve.  For checking an attestation's
 * signing_public_key against its signing_address.
 */
void		sig_eth_address(const uint8_t pub[64], char addr_out[43]);

/*
 * The parts of a signed text "[model:]<req hex>:<resp hex>".
 * model points into the parsed text (borrowed); model_len is 0 and model
 * NULL when the text has only the two hashes.
 */
struct sig_text {
	const char	*model;
	size_t		 model_len;
	uint8_t		 request_sha256[32];
	uint8_t		 response_sha256[32];
};

/*
 * Split len bytes of a signed text into *out: the last two ':'-separated
 * fields must be 64 hex characters each (either case); anything before
 * them (which may itself contain ':') is the model name and must not be
 * empty when present.  Pure; for receipts as well as for
 * sig_check_completion.
 * Errors (*out is zeroed):
 *   TMON_E_PARSE  fewer than two ':', a hash field that is not 64 hex
 *                 characters, an empty model before the hashes
 *   TMON_E_LIMIT  len > MAX_SIG_TEXT
 */
enum tmon_rc	sig_text_parse(const char *text, size_t len,
		    struct sig_text *out, struct tmon_err *err);

/*
 * Parse an Ethereum address "0x" + 40 hex (the prefix is optional, any
 * case) into addr[20].  Returns TMON_OK; *eip55 (if not NULL) is set to 1
 * when the hex is mixed case and its EIP-55 checksum is right, -1 when
 * mixed case and wrong, 0 when it is all lower or all upper case (no
 * checksum to check).  A bad checksum is not an error: the bytes are
 * still the address.
 * Errors: TMON_E_PARSE  wrong length or a non-hex character.
 */
enum tmon_rc	sig_address_parse(const char *s, uint8_t addr[20],
		    int *eip55, struct tmon_err *err);

#endif /* TMON_VERIFY_SIG_H */
