/*
 * receipt_check.h: receipts submitted by users (README "Receipts"):
 * parse a submitted body, check it against the facts of the model's
 * latest probe, and say what it claims.  Pure: no I/O, no clock, no
 * threads; the receipt service (monitor/receipt.h) looks the probe up,
 * store/entry.h builds the entry and the blob, store/writer.h appends.
 *
 * Three forms are accepted in the body of POST /api/v1/receipts (JSON,
 * parsed with JSON_REJECT_DUPLICATES, nesting at most MAX_JSON_DEPTH):
 *
 * (a) A completion signature: the answer of a signature endpoint
 *     plus the model it is for,
 *       {"model": "TEE/...", "text": "...", "signature": "0x...",
 *        "signing_address": "0x...", "signing_algo": "ecdsa"|"ed25519",
 *        "signature_kind": "...",                         (optional)
 *        "request_b64": "...", "response_b64": "...",     (optional)
 *        "archive_bytes": true|false}                     (optional)
 *     request_b64 / response_b64 carry the exact request body bytes sent
 *     and response bytes received (for a stream every SSE byte), in
 *     standard base64 (RFC 4648 section 4, padded): a JSON string cannot
 *     carry arbitrary bytes, and SSE streams must survive byte for byte
 *     because their SHA-256 is what the text signs.  They are a user's
 *     prompt and completion, and everything archived is public, so they
 *     are checked and then dropped unless archive_bytes is true (see
 *     "The blob" below).  model may instead be given as ?model= (both:
 *     they must be equal).  No other member is accepted (400 names it).
 *
 * (b) A NanoGPT Private Mode receipt.  NanoGPT's web app shows, after a
 *     Private Mode answer, a "verification receipt you can inspect, copy,
 *     and check independently" (nano-gpt.com blog, "Private Mode:
 *     Browser-Encrypted TEE Requests on NanoGPT"); Private Mode runs on
 *     Tinfoil enclaves and the browser verifies them with Tinfoil's
 *     verifier, whose result is the Tinfoil VerificationDocument
 *     (tinfoilsh/tinfoil-js packages/verifier/src/types.ts):
 *       {configRepo, enclaveHost, releaseTag?, releaseDigest,
 *        codeMeasurement {type, registers[]},
 *        enclaveMeasurement {measurement {type, registers[]},
 *                            tlsPublicKeyFingerprint?, hpkePublicKey?},
 *        tlsPublicKey, hpkePublicKey, hardwareMeasurement? {ID?, MRTD?,
 *        RTMR0?}, codeFingerprint, enclaveFingerprint,
 *        selectedRouterEndpoint, securityVerified, verifier? {name,
 *        version}, verifiedAt?, schemaVersion?,
 *        steps {fetchDigest, verifyCode, verifyEnclave,
 *               compareMeasurements, verifyCertificate?, otherError?:
 *               {status, error?}}}
 *     The exact wrapper NanoGPT puts around it when the receipt is copied
 *     could not be found in any public source, so this is the documented
 *     subset: the document is accepted at the top level, or as the value
 *     of one top-level member (the first object member that has both
 *     codeMeasurement and enclaveMeasurement, among the first
 *     MAX_RECEIPT_MEMBERS members).  An optional top-level "model" string
 *     (or ?model=) names the tmon model it is for.  Members other than
 *     the above are ignored (the raw body is kept as a blob anyway).
 *     Required: codeMeasurement, enclaveMeasurement.measurement,
 *     releaseDigest, securityVerified, steps with its four required
 *     steps; every other listed member is type-checked when present.
 *
 * (c) An ACI inference receipt ("api_version": "aci/1", aci_receipt.h),
 *     either the receipt itself at the top level (model from ?model=) or
 *       {"receipt": {...aci/1 receipt...},
 *        "workload_keyset": {...},                        (optional)
 *        "model": "TEE/..."}                              (optional)
 *     where workload_keyset is the keyset of the service's attestation
 *     report that resolves the receipt's signing key.  Other members of
 *     the wrapper are refused (400 names them).
 *
 * Checks (each a checklist item, README "Checks" semantics):
 *   (a) sig.completion, sig.request_hash, sig.response_hash from
 *       sig_check_completion() (sig.h), with the signing address of the
 *       model's latest probe entry as the attested key when the probe
 *       logged one with the same signing_algo; and
 *       receipt.attested_key  pass: the signer was compared with that
 *                             attested key (probe verdict pass);
 *                             warn: no probe of the model, the probe
 *                             logged no key or one of another algorithm,
 *                             or the latest probe's verdict is not pass
 *   (b) receipt.claimed       pass: securityVerified and the four steps
 *                             "success"; fail: the receipt itself records
 *                             a failed verification, or claims success
 *                             while a step did not succeed
 *       receipt.code_match    the code and enclave measurements agree
 *                             (Tinfoil's rule: same type, same registers;
 *                             snp-tdx-multiplatform/v1 vs sev-snp-guest/v2:
 *                             first register)
 *       receipt.code_fp, receipt.enclave_fp
 *                             codeFingerprint / enclaveFingerprint
 *                             recompute from their measurements (one
 *                             register: the register; else lower-case hex
 *                             SHA-256 of type || registers...); skip when
 *                             absent
 *       receipt.key_binding   hpkePublicKey and tlsPublicKey equal the
 *                             enclave measurement's; skip when absent
 *       receipt.signature     warn, always: the document carries no
 *                             signature, so its claims are the browser's
 *                             (anyone can write one from public data);
 *                             a Private Mode receipt is at most warn
 *       receipt.measurement   the receipt, field by field, against tmon's
 *                             latest probe of the model (the enclave tmon
 *                             itself attested):
 *                             compared when the probe logged them: the
 *                             TDX registers the receipt names (MRTD, RTMR0
 *                             of hardwareMeasurement; the registers of a
 *                             tdx-guest measurement as MRTD, RTMR0..3; of
 *                             snp-tdx-multiplatform/v1 as SNP, RTMR1,
 *                             RTMR2), the TLS key fingerprint
 *                             (enclaveMeasurement.tlsPublicKeyFingerprint
 *                             and tlsPublicKey) and the HPKE key
 *                             (enclaveMeasurement.hpkePublicKey and
 *                             hpkePublicKey) with the keys the probe's
 *                             REPORTDATA bound;
 *                             never compared, tmon cannot know them:
 *                             configRepo, releaseDigest, releaseTag,
 *                             codeMeasurement, codeFingerprint (the
 *                             release: receipt.provenance compares it
 *                             with the verified provenance,
 *                             rcpt_verify_provenance),
 *                             hardwareMeasurement.ID, the SNP register
 *                             (tmon logs no SEV-SNP measurement),
 *                             enclaveHost, selectedRouterEndpoint,
 *                             securityVerified, steps, verifier,
 *                             verifiedAt (the browser's own state).
 *                             The detail names the fields that matched
 *                             and those that differ.  fail when one
 *                             differs; pass when one matched and the
 *                             probe's verdict is pass; else warn (no
 *                             model, no probe, nothing to compare, or
 *                             the probe's verdict is not pass)
 *   (c) receipt.aci_events, receipt.aci_keyset, receipt.aci_signature
 *       (aci_receipt.h), and
 *       receipt.attested_key  warn, always: tmon does not attest ACI
 *                             services, so the keyset is the submitter's
 *                             word, not an attested one
 * The verdict is checklist_verdict() of these.
 *
 * What a receipt claims (rcpt_claims, the entry's "claims"): for a
 * signature receipt text, signature, signing_address, signing_algo,
 * signature_kind, text_model (the model the signed text names, or null),
 * request_sha256 / request_len and response_sha256 / response_len (null
 * without those bytes); for a Private Mode receipt document_key (the
 * member holding the document, null at the top level), the document's
 * members listed above, and of its objects only the listed members,
 * copied as submitted: anything else stays in the blob only; for an ACI
 * receipt receipt_id, chat_id, model (the receipt's: the model the user
 * asked the service for), workload_id, workload_keyset_digest, endpoint,
 * method, served_at, event_types (the types in order), signature {algo,
 * key_id} and keyset_given.
 */
#ifndef TMON_VERIFY_RECEIPT_CHECK_H
#define TMON_VERIFY_RECEIPT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "aci_receipt.h"
#include "checklist.h"
#include "err.h"
#include "tmon_limits.h"

struct prov_release;
struct verify_ctx;

/* What the checks need from the model's latest probe entry. */
struct rcpt_probe {
	bool		 have;		/* a probe entry of the model exists */
	uint64_t	 seq;
	int64_t		 time;
	char		 verdict[8];	/* "" if the entry has none */
	bool		 has_meas;	/* it logged a measurement */
	char		 signing_address[MAX_SIG_ADDRESS]; /* "" if none */
	char		 signing_algo[MAX_SIG_NAME];	/* "" if none */
	char		 mrtd[97];	/* lower-case hex, "" if none */
	char		 rtmr[4][97];
	/* the keys REPORTDATA bound (Tinfoil), hex, "" if none */
	char		 tls_fingerprint[65];	/* SHA-256 of the TLS SPKI */
	char		 hpke_key[65];		/* X25519 HPKE public key */
};

enum rcpt_format {
	RCPT_SIGNATURE = 1,
	RCPT_PRIVATE_MODE,
	RCPT_ACI
};

/* A parsed receipt.  Strings are borrowed from root. */
struct rcpt_parsed {
	enum rcpt_format	 fmt;
	json_t			*root;		/* owned */
	char			 model[MAX_MODEL_ID];	/* "" if none */
	/* (a) */
	const char		*text;
	size_t			 text_len;
	const char		*signature;
	const char		*signing_address;
	const char		*signing_algo;		/* NULL if absent */
	const char		*signature_kind;	/* NULL if absent */
	uint8_t			*request;	/* owned; NULL if absent */
	size_t			 request_len;
	uint8_t			*response;	/* owned; NULL if absent */
	size_t			 response_len;
	bool			 archive_bytes;	/* keep them in the blob */
	/* request (response) NULL: the SHA-256 of its request_len
	 * (response_len) bytes, when they were hashed and dropped (the
	 * "without_bytes" blob of store/entry.h); set by whoever re-checks
	 * an archived receipt from its claims, never by rcpt_parse */
	bool			 has_request_sha256;
	uint8_t			 request_sha256[32];
	bool			 has_response_sha256;
	uint8_t			 response_sha256[32];
	/* (b) */
	json_t			*doc;		/* borrowed from root */
	const char		*doc_key;	/* NULL: doc is root */
	/* (c) */
	struct aci_receipt	 aci;		/* borrowed from root */
};

/* Why a body was refused (nothing is logged): an HTTP status and the
 * strings for {"error": ..., "field": ...}, valid while *rej lives. */
struct rcpt_reject {
	unsigned int	 status;	/* 400 or 413 */
	const char	*error;		/* static or pointing at err.msg */
	const char	*field;		/* the member at fault (static or
					   pointing at path), or NULL */
	struct tmon_err	 err;		/* a tjson error's message */
	char		 path[MAX_JSON_PATH]; /* its member's JSON path (an
					   unknown member's name truncated,
					   non-printables '?') */
};

/*
 * Parse len bytes of a submitted body; model is the ?model= argument (a
 * model id model_id_valid() accepts) or NULL.  On TMON_OK the caller
 * owns *out and frees it with rcpt_parsed_free().  On TMON_E_PARSE
 * (*out zeroed) *rej says why, with status
 *   413  len > MAX_RECEIPT_BODY (field "body");
 *   400  not JSON / not UTF-8 / duplicate keys / nesting deeper than
 *        MAX_JSON_DEPTH / a JSON value that is not an object ("expected
 *        a JSON object, got null", ...) (field "body"); neither form
 *        (field NULL); archive_bytes not true or false;
 *        a required member missing, a member of the wrong type, a string
 *        over its limit (text > MAX_SIG_TEXT, signature > MAX_SIG_HEX,
 *        signing_address > MAX_SIG_ADDRESS, signing_algo and
 *        signature_kind > MAX_SIG_NAME, Private Mode strings >
 *        MAX_RECEIPT_FIELD, more than MAX_RECEIPT_REGISTERS registers),
 *        bad base64, an unknown member of form (a), a model that is not
 *        a valid model id or that differs from ?model= (error is tjson's
 *        "PATH: what" (tjson.h); field names the member by its JSON
 *        path, within the verification document for form (b): "model",
 *        "text", "request_b64", "enclaveMeasurement.measurement.registers",
 *        "codeMeasurement.registers[2]", "steps.verifyCode.status", ...).
 * Nothing here checks a signature or a hash.
 */
enum tmon_rc	rcpt_parse(const uint8_t *body, size_t len, const char *model,
		    struct rcpt_parsed *out, struct rcpt_reject *rej);

/* Free the members of p and zero it; NULL or zeroed is a no-op. */
void		rcpt_parsed_free(struct rcpt_parsed *p);

/*
 * Run the checks listed at the top of this file over p, with probe the
 * model's latest probe (probe->have false when there is none), appending
 * them to cl, with the caches of vc (NULL: none; verify_ctx.h, which
 * also says which threads may share one).  Pure: no I/O, no clock.
 */
void		rcpt_verify(struct verify_ctx *vc, const struct rcpt_parsed *p,
		    const struct rcpt_probe *probe, struct checklist *cl);

/*
 * Set receipt.provenance in cl: a Private Mode receipt (p->fmt
 * RCPT_PRIVATE_MODE) against the verified provenance tmon holds for the
 * receipt's model: rels[0..n), the model's verified releases newest first
 * (provenance.h; the daemon supplies what it stored).  Compared:
 *   releaseDigest    (64 hex, either case) equals the digest of one of
 *                    rels: the release the receipt names;
 *   codeMeasurement  of type snp-tdx-multiplatform/v1 with the registers
 *                    [SNP MEASUREMENT, RTMR1, RTMR2] (tinfoil-js verifier:
 *                    the predicate as registers), each equal to that
 *                    release's predicate register;
 *   releaseTag, configRepo  when both the receipt and the release have
 *                    them: equal (the repository without case, as GitHub
 *                    names it).
 * PASS: the receipt names the latest release and every compared member
 * equals it; WARN: the same for an older verified release ("the receipt
 * names release X, older than the latest verified Y"); FAIL: the digest
 * is none of rels', is not 64 hex, or a compared member differs (the
 * detail names it with both values); ERROR: n is 0 (no verified
 * provenance held for the model); SKIP: p is no Private Mode receipt.
 * Pure: no I/O, no clock.
 */
void		rcpt_verify_provenance(const struct rcpt_parsed *p,
		    const struct prov_release *rels, size_t n,
		    struct checklist *cl);

/*
 * True when p's submitted body is kept whole as its blob ("stored":
 * "whole", store/entry.h): p is not a signature receipt, carries neither
 * request nor response bytes, or asks for them to be kept
 * (archive_bytes).
 */
bool		rcpt_keeps_whole(const struct rcpt_parsed *p);

/*
 * What p claims (see the top of this file), as a new JSON object (new
 * reference).  Only members rcpt_parse validated are copied.
 */
json_t		*rcpt_claims(const struct rcpt_parsed *p);

/* The entry's "format": "signature", "nanogpt_private_mode" or "aci". */
const char	*rcpt_format_str(enum rcpt_format fmt);

#endif /* TMON_VERIFY_RECEIPT_CHECK_H */
