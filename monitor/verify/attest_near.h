/*
 * attest_near.h: tdx.reportdata of a NEAR AI compose manager
 * (GW_ROLE_COMPOSE_MANAGER, gateway_near.h).
 *
 * The compose manager quotes REPORTDATA = actions_hash || nonce (32 + 32
 * bytes), where actions_hash = SHA-256 (FIPS 180-4) of its action log's
 * canonical JSON: the "actions" array with every object's keys sorted,
 * no whitespace, non-ASCII escaped as \uXXXX (what
 * json.dumps(actions, sort_keys=True, separators=(",", ":")) writes).
 * (nearai/inference-proxy src/types.rs compose_manager_attestation;
 * holds on every recorded NEAR AI capture, tests/data/near.)  The layout
 * is named "actions_hash+nonce" in details and reportdata_layout.
 */
#ifndef TMON_VERIFY_ATTEST_NEAR_H
#define TMON_VERIFY_ATTEST_NEAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "checklist.h"
#include "gateway.h"

#define NEAR_CM_LAYOUT	"actions_hash+nonce"

/*
 * SHA-256 of the canonical JSON of actions (a JSON array) into out.
 * Returns false when it cannot be serialised or OpenSSL fails.
 */
bool	near_actions_hash(const json_t *actions, uint8_t out[32]);

/*
 * tdx.reportdata of the compose manager a, whose REPORTDATA is rd (64
 * bytes), against our nonce: PASS when rd[0:32] is the served
 * actions_hash, the served actions (when present) hash to it, and
 * rd[32:64] is our nonce; WARN when all that holds but the served
 * actions do not hash to actions_hash (compose managers of early 2026
 * hashed their log in a way not documented: the log shown cannot be
 * tied to the quote); FAIL when actions_hash is missing or differs, or
 * rd[32:64] is the compose manager's own served nonce ("internally
 * consistent only") or anything else; ERROR when hashing fails.  Sets layout (layoutsz bytes) to
 * NEAR_CM_LAYOUT when rd[0:32] is the actions_hash, else "".
 */
void	near_check_cm_reportdata(const struct gw_attestation *a,
	    const uint8_t rd[64], const uint8_t nonce[32], struct checklist *cl,
	    char *layout, size_t layoutsz);

#endif /* TMON_VERIFY_ATTEST_NEAR_H */
