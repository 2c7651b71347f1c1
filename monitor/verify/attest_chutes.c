#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "attest_chutes.h"
#include "encode.h"
#include "util.h"

bool
chutes_binding(const char *nonce_hex, size_t nonce_len,
    const char *e2e_pubkey, uint8_t out[32])
{
	return sha256_2(nonce_hex, nonce_len, e2e_pubkey, strlen(e2e_pubkey),
	    out);
}

/*
 * D of our nonce into ours and, when the instance serves a nonce of its
 * own, D of that into theirs (*has_theirs).  false: the check is set to
 * ERROR in cl.
 */
static bool
expected(const struct gw_attestation *a, const uint8_t nonce[32],
    const char *id, struct checklist *cl, uint8_t ours[32],
    uint8_t theirs[32], bool *has_theirs)
{
	char hex[65];

	*has_theirs = false;
	if (a->chutes_e2e_pubkey == NULL) {
		checklist_set(cl, id, CHECK_ERROR, "no e2e_pubkey for this "
		    "instance (the /e2e/instances answer does not list it): "
		    "the %s binding cannot be checked", CHUTES_LAYOUT);
		return false;
	}
	hex_encode(nonce, 32, hex);
	if (!chutes_binding(hex, 64, a->chutes_e2e_pubkey, ours)) {
		checklist_set(cl, id, CHECK_ERROR, "sha-256 failed (library "
		    "error)");
		return false;
	}
	if (a->chutes_nonce != NULL && chutes_binding(a->chutes_nonce,
	    strlen(a->chutes_nonce), a->chutes_e2e_pubkey, theirs))
		*has_theirs = true;
	return true;
}

void
chutes_check_reportdata(const struct gw_attestation *a, const uint8_t rd[64],
    const uint8_t nonce[32], struct checklist *cl, char *layout,
    size_t layoutsz)
{
	uint8_t ours[32], theirs[32];
	bool has_theirs;

	layout[0] = '\0';
	if (!expected(a, nonce, "tdx.reportdata", cl, ours, theirs,
	    &has_theirs))
		return;
	if (CRYPTO_memcmp(rd, ours, 32) == 0) {
		snprintf(layout, layoutsz, "%s", CHUTES_LAYOUT);
		checklist_set(cl, "tdx.reportdata", CHECK_PASS,
		    "REPORTDATA[0:32] = SHA-256(our nonce hex || e2e_pubkey) "
		    "(layout %s)", CHUTES_LAYOUT);
	} else if (has_theirs && CRYPTO_memcmp(rd, theirs, 32) == 0) {
		snprintf(layout, layoutsz, "%s", CHUTES_LAYOUT);
		checklist_set(cl, "tdx.reportdata", CHECK_FAIL,
		    "REPORTDATA binds e2e_pubkey and the instance's served "
		    "nonce, not our nonce (layout %s, internally consistent "
		    "only)", CHUTES_LAYOUT);
	} else
		checklist_set(cl, "tdx.reportdata", CHECK_FAIL,
		    "REPORTDATA[0:32] is not SHA-256(our nonce hex || "
		    "e2e_pubkey) (layout %s): not bound to our nonce",
		    CHUTES_LAYOUT);
}

void
chutes_check_gpu_nonce(const struct gw_attestation *a,
    const struct gpu_summary *sum, const uint8_t nonce[32],
    struct checklist *cl)
{
	uint8_t ours[32], theirs[32];
	char got[17];
	bool has_theirs;
	size_t i;

	if (!expected(a, nonce, "gpu.nonce", cl, ours, theirs, &has_theirs))
		return;
	for (i = 0; i < sum->n_gpus; i++) {
		if (!sum->gpu[i].parsed) {
			checklist_set(cl, "gpu.nonce", CHECK_FAIL,
			    "GPU %zu: evidence did not parse", i);
			continue;
		}
		if (CRYPTO_memcmp(sum->gpu[i].request_nonce, ours, 32) == 0)
			continue;
		hex_encode(sum->gpu[i].request_nonce, 8, got);
		if (has_theirs && CRYPTO_memcmp(sum->gpu[i].request_nonce,
		    theirs, 32) == 0)
			checklist_set(cl, "gpu.nonce", CHECK_FAIL,
			    "GPU %zu: SPDM nonce %s... binds the instance's "
			    "served nonce, not ours (layout %s, internally "
			    "consistent only)", i, got, CHUTES_LAYOUT);
		else
			checklist_set(cl, "gpu.nonce", CHECK_FAIL,
			    "GPU %zu: SPDM nonce %s... is not SHA-256(our "
			    "nonce hex || e2e_pubkey) (layout %s)", i, got,
			    CHUTES_LAYOUT);
	}
	if (sum->n_gpus == 0)
		checklist_set(cl, "gpu.nonce", CHECK_FAIL,
		    "no GPU evidence to bind");
	else
		checklist_set(cl, "gpu.nonce", CHECK_PASS,
		    "%zu GPU%s: SPDM nonce = SHA-256(our nonce hex || "
		    "e2e_pubkey) (layout %s)", sum->n_gpus,
		    sum->n_gpus == 1 ? "" : "s", CHUTES_LAYOUT);
}
