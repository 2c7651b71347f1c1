#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "attest_near.h"
#include "encode.h"
#include "util.h"

bool
near_actions_hash(const json_t *actions, uint8_t out[32])
{
	char *s;

	if (!json_is_array(actions) || (s = json_dumps(actions, JSON_COMPACT |
	    JSON_SORT_KEYS | JSON_ENSURE_ASCII)) == NULL)
		return false;
	sha256(s, strlen(s), out);
	free(s);
	return true;
}

void
near_check_cm_reportdata(const struct gw_attestation *a, const uint8_t rd[64],
    const uint8_t nonce[32], struct checklist *cl, char *layout,
    size_t layoutsz)
{
	uint8_t h[32];
	char theirs[17];

	layout[0] = '\0';
	if (!a->has_actions_hash) {
		checklist_set(cl, "tdx.reportdata", CHECK_FAIL,
		    "compose manager serves no actions_hash to bind");
		return;
	}
	if (CRYPTO_memcmp(rd, a->actions_hash, 32) != 0) {
		checklist_set(cl, "tdx.reportdata", CHECK_FAIL,
		    "REPORTDATA[0:32] is not the served actions_hash (layout "
		    "%s)", NEAR_CM_LAYOUT);
		return;
	}
	snprintf(layout, layoutsz, "%s", NEAR_CM_LAYOUT);
	if (a->actions != NULL && !near_actions_hash(a->actions, h)) {
		checklist_set(cl, "tdx.reportdata", CHECK_ERROR,
		    "the action log cannot be hashed");
		return;
	}
	if (CRYPTO_memcmp(rd + 32, nonce, 32) == 0) {
		/* earlier compose managers hashed their log some other
		 * way: a log that does not hash is not shown as attested,
		 * but the quote still binds actions_hash and our nonce */
		if (a->actions != NULL && CRYPTO_memcmp(h, a->actions_hash,
		    32) != 0)
			checklist_set(cl, "tdx.reportdata", CHECK_WARN,
			    "REPORTDATA binds actions_hash and our nonce "
			    "(layout %s), but the served action log does not "
			    "hash to actions_hash as sorted compact JSON: the "
			    "log shown is not the attested one",
			    NEAR_CM_LAYOUT);
		else if (a->actions != NULL)
			checklist_set(cl, "tdx.reportdata", CHECK_PASS,
			    "REPORTDATA binds the action log (%zu actions) "
			    "and our nonce (layout %s)",
			    json_array_size(a->actions), NEAR_CM_LAYOUT);
		else
			checklist_set(cl, "tdx.reportdata", CHECK_PASS,
			    "REPORTDATA binds actions_hash and our nonce "
			    "(layout %s; the action log is not served)",
			    NEAR_CM_LAYOUT);
		return;
	}
	hex_encode(rd + 32, 8, theirs);
	if (a->has_request_nonce && CRYPTO_memcmp(rd + 32, a->request_nonce,
	    32) == 0)
		checklist_set(cl, "tdx.reportdata", CHECK_FAIL,
		    "REPORTDATA binds the compose manager's own nonce %s..., "
		    "not ours (layout %s, internally consistent only)",
		    theirs, NEAR_CM_LAYOUT);
	else
		checklist_set(cl, "tdx.reportdata", CHECK_FAIL,
		    "REPORTDATA[32:64] %s... is not our nonce (layout %s)",
		    theirs, NEAR_CM_LAYOUT);
}
