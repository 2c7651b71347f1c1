/*
 * gateway_near.h: the NEAR AI compose manager's attestation, a further
 * TEE in NEAR AI reports (GW_ROLE_COMPOSE_MANAGER, gateway.h), decoded
 * without verifying anything.
 *
 * A NEAR AI inference-proxy report (flat, or each of a cloud-api
 * gateway's model_attestations[]) may carry
 *     "compose_manager_attestation": {"quote": TDX quote (hex),
 *         "nonce": 64 hex, "nonce_source", "actions": [...],
 *         "actions_hash": 64 hex, "report_data": 128 hex,
 *         "event_log": JSON text, "vm_config": JSON text}
 * (nearai/inference-proxy src/types.rs AttestationResponse
 * compose_manager_attestation; the recorded captures in tests/data/near).
 * The compose manager runs in the model's TD and quotes
 * REPORTDATA = actions_hash || nonce, actions_hash being SHA-256 of the
 * action log's canonical JSON (attest_near.h).
 *
 * Input is untrusted: the members are read with tjson getters, the
 * quote bounded by MAX_QUOTE_LEN.
 */
#ifndef TMON_VERIFY_GATEWAY_NEAR_H
#define TMON_VERIFY_GATEWAY_NEAR_H

#include "err.h"
#include "gateway.h"
#include "tjson.h"

/*
 * For every GW_ROLE_MODEL attestation of rep (GW_FORMAT_DSTACK or
 * GW_FORMAT_NEAR_GATEWAY; other formats are left alone) whose object
 * has a compose_manager_attestation object, append a
 * GW_ROLE_COMPOSE_MANAGER attestation (index: its model's index; obj:
 * the compose manager's object; quote decoded from "quote"; request
 * nonce from "nonce"; actions_hash and actions when served).  One whose
 * quote text repeats an earlier compose manager's is not added again.
 * Errors, recorded in d:
 *   TMON_E_PARSE  compose_manager_attestation not an object, a quote
 *                 that is not hex, a nonce or actions_hash that is not
 *                 64 hex digits, actions not an array
 *   TMON_E_LIMIT  more than MAX_ATTESTATIONS attestations in all, a
 *                 quote over MAX_QUOTE_LEN
 * On error the attestations added so far stay in rep (gw_report_free).
 */
enum tmon_rc	gw_near_add_compose_managers(struct tjson_doc *d,
		    struct gw_report *rep);

#endif /* TMON_VERIFY_GATEWAY_NEAR_H */
