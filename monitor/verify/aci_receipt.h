/*
 * aci_receipt.h: inference receipts of the Attested Confidential Inference
 * protocol, version "aci/1" (the private AI gateway's "ACI
 * Specification", docs/aci-spec.md section 8, and its test vectors,
 * docs/aci-test-vectors.md section 6, github.com/Dstack-TEE/
 * private-ai-gateway, formerly Phala-Network/private-ai-gateway).
 *
 * A receipt (section 8.2):
 *   {"api_version": "aci/1", "receipt_id", "chat_id": string|null,
 *    "model": string|null, "workload_id": "sha256:<hex>",
 *    "workload_keyset_digest": "sha256:<hex>", "endpoint", "method",
 *    "served_at": unix seconds,
 *    "event_log": [{"seq", "type", ...type-specific fields}, ...],
 *    "signature": {"algo": "ed25519"|"ecdsa-secp256k1", "key_id",
 *                  "value": hex}}
 * signed over JCS (RFC 8785, jcs.h) of the receipt without
 * signature.value (section 8.5).  The key is the keyset's
 * receipt_signing_keys entry named by key_id; the keyset (section 4.2)
 * {"workload_identity": {"public_key": {"algo", "public_key"},
 * "subject"}, "keyset_epoch": {"version", "not_after"},
 * "receipt_signing_keys": [{"key_id", "algo", "public_key"}], ...} is
 * published in the service's attestation report
 * (attestation.workload_keyset), not in the receipt, so it is given
 * beside it.
 *
 * Checks (checklist ids):
 *   receipt.aci_events    event_log: seq strictly increasing from 0, the
 *                         first event request.received, request.forwarded
 *                         and response.returned present, their hashes
 *                         "sha256:" + 64 lower-case hex digits,
 *                         transparency.request_modified present when the
 *                         forwarded body_hash differs from the received
 *                         one (section 8.3); fail otherwise
 *   receipt.aci_keyset    workload_keyset_digest is the digest of the
 *                         keyset given, workload_id the digest of its
 *                         identity public key (sections 4.1, 4.2), and
 *                         served_at is not after keyset_epoch.not_after
 *                         (section 4.2); fail when one differs; error
 *                         when no keyset was given (nothing to check
 *                         against)
 *   receipt.aci_signature the key_id names a receipt signing key of the
 *                         keyset whose algo is signature.algo, and the
 *                         Ed25519 signature verifies (sig_ed25519_verify);
 *                         fail when it does not or the key is not there;
 *                         error without a keyset, for ecdsa-secp256k1
 *                         (not supported) or when libsodium fails
 * Unknown events and event fields are kept in the signed bytes and
 * otherwise ignored (section 3.2).
 */
#ifndef TMON_VERIFY_ACI_RECEIPT_H
#define TMON_VERIFY_ACI_RECEIPT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "checklist.h"
#include "err.h"
#include "tjson.h"

/* The api_version of a receipt (section 8.2). */
#define ACI_API_VERSION		"aci/1"

/* A parsed receipt: pointers borrowed from the JSON it was parsed from. */
struct aci_receipt {
	json_t		*receipt;
	json_t		*keyset;	/* NULL: none given */
	const char	*receipt_id;
	const char	*workload_id;
	const char	*keyset_digest;
	const char	*model;		/* NULL: null in the receipt */
	const char	*sig_algo;
	const char	*sig_key_id;
	const char	*sig_value;
	int64_t		 served_at;
};

/* True when o is an object whose api_version is "aci/1". */
bool		aci_receipt_is(const json_t *o);

/*
 * Check the shape of receipt (at JSON path path, "" for the top) and of
 * keyset (at kpath; NULL: none) and fill *out.  Every member of section
 * 8.2 is required with its type (chat_id and model may be null),
 * api_version must be "aci/1", receipt_id at most 512 bytes, served_at a
 * non-negative integer, event_log 1 to MAX_ACI_EVENTS objects each with
 * an integer seq and a string type, strings at most MAX_RECEIPT_FIELD
 * bytes; the keyset needs workload_identity.public_key {algo,
 * public_key}, keyset_epoch {version, not_after} and 1 to
 * MAX_ACI_KEYS receipt_signing_keys {key_id, algo, public_key}.
 * Returns TMON_OK or TMON_E_PARSE with d's error naming the member
 * ("signature.value: missing required member", ...).
 */
enum tmon_rc	aci_receipt_parse(struct tjson_doc *d, json_t *receipt,
		    const char *path, json_t *keyset, const char *kpath,
		    struct aci_receipt *out);

/* Run the checks listed above over r (parsed), appending them to cl. */
void		aci_receipt_verify(const struct aci_receipt *r,
		    struct checklist *cl);

#endif /* TMON_VERIFY_ACI_RECEIPT_H */
