/*
 * gateway_chutes.h: decode the Chutes direct API (GW_FORMAT_CHUTES_DIRECT,
 * gateway.h), two answers per probe, without verifying anything:
 *
 *   GET /chutes/{chute}/evidence?nonce=N   (the evidence, one per probe)
 *     {"evidence": [{"instance_id": ID, "quote": TDX quote (base64),
 *                    "gpu_evidence": [{certificate, evidence, arch}],
 *                    "certificate": ...}, ...],
 *      "failed_instance_ids": [...]}
 *   GET /e2e/instances/{chute}              (the instances)
 *     {"instances": [{"instance_id": ID, "e2e_pubkey": base64 text,
 *                     "nonces": [...]}, ...],
 *      "nonce_expires_in": ..., "nonce_expires_at": ...}
 *
 * (as served by api.chutes.ai and recorded in tests/data/chutes; the
 * same shapes are read by 13rac1/teep internal/provider/chutes.)  N is
 * our nonce as 64 lower-case hex digits; every instance binds it with its
 * e2e_pubkey (attest_chutes.h).  The evidence does not repeat the
 * e2e_pubkey: it is taken from the instances answer by instance_id.
 *
 * Both answers are untrusted and read with tjson (MAX_BLOB_LEN bytes,
 * MAX_JSON_DEPTH, repeated keys refused); quotes are bounded by
 * MAX_QUOTE_LEN, instance ids by CHUTES_MAX_ID, keys by CHUTES_MAX_KEY.
 */
#ifndef TMON_VERIFY_GATEWAY_CHUTES_H
#define TMON_VERIFY_GATEWAY_CHUTES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "gateway.h"
#include "tjson.h"

/* Longest instance_id accepted, in bytes (a UUID is 36). */
#define CHUTES_MAX_ID		64
/* Longest e2e_pubkey text accepted (ML-KEM-768: 1,184 bytes, 1,580 in
 * base64). */
#define CHUTES_MAX_KEY		8192

/*
 * The evidence answer whose root object is rep->root (format already
 * GW_FORMAT_CHUTES_DIRECT): one GW_ROLE_INSTANCE attestation per element
 * of "evidence", in order (a->quote decoded from "quote", a->gpu_evidence
 * borrowed, a->chutes_nonce NULL, a->chutes_e2e_pubkey NULL until
 * gw_chutes_attach_instances).  Errors, recorded in d:
 *   TMON_E_PARSE  "evidence" missing, empty or not an array of objects,
 *                 an element without a string instance_id (or one over
 *                 CHUTES_MAX_ID bytes), a quote that is not base64
 *   TMON_E_LIMIT  more than MAX_ATTESTATIONS instances, a quote over
 *                 MAX_QUOTE_LEN
 * On error the attestations added so far stay in rep (gw_report_free).
 */
enum tmon_rc	gw_chutes_decode_direct(struct tjson_doc *d,
		    struct gw_report *rep);

/*
 * Attach the e2e_pubkey of every instance of rep (a decoded
 * GW_FORMAT_CHUTES_DIRECT report; any other format is left alone and
 * TMON_OK returned) from the len bytes of the /e2e/instances answer:
 * a->chutes_e2e_pubkey then borrows from rep->root (the key is stored
 * in the attestation's object as "e2e_pubkey").  An instance the answer
 * does not list keeps NULL (its binding checks are errors).  body NULL
 * attaches nothing.  Errors (rep unchanged where the answer is refused
 * before any key is attached; the caller still owns rep):
 *   TMON_E_PARSE  not JSON, "instances" missing or not an array of
 *                 objects, an instance_id or e2e_pubkey missing, not a
 *                 string, longer than CHUTES_MAX_ID / CHUTES_MAX_KEY, an
 *                 instance listed twice, or an evidence element that
 *                 serves an e2e_pubkey of its own that differs
 *   TMON_E_LIMIT  over MAX_BLOB_LEN bytes or MAX_JSON_DEPTH, more than
 *                 MAX_ATTESTATIONS * 4 instances
 */
enum tmon_rc	gw_chutes_attach_instances(struct gw_report *rep,
		    const uint8_t *body, size_t len, struct tmon_err *err);

#endif /* TMON_VERIFY_GATEWAY_CHUTES_H */
