#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "attest_tinfoil.h"
#include "encode.h"

/* SHA-256 of the v3 REPORTDATA preimage; false on a library failure. */
static bool
v3_digest(const struct gw_tinfoil *t, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;
	bool ok;

	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, t->tls_key_fp, 32) == 1 &&
	    EVP_DigestUpdate(md, t->hpke_key, 32) == 1 &&
	    EVP_DigestUpdate(md, t->nonce, 32) == 1 &&
	    (!t->has_gpu_hash ||
	    EVP_DigestUpdate(md, t->gpu_hash, 32) == 1) &&
	    (!t->has_nvswitch_hash ||
	    EVP_DigestUpdate(md, t->nvswitch_hash, 32) == 1) &&
	    EVP_DigestFinal_ex(md, out, &n) == 1 && n == 32;
	EVP_MD_CTX_free(md);
	return ok;
}

/* An evidence hash and the evidence it names; false (and id failed)
 * when they do not go together. */
static bool
evidence_bound(const char *what, bool has_hash, const uint8_t hash[32],
    bool has, bool raw, const uint8_t sha[32], const char *id,
    struct checklist *cl)
{
	if (!has && !has_hash)
		return true;
	if (!has)
		checklist_set(cl, id, CHECK_FAIL, "report_data.%s_evidence_hash "
		    "is served without \"%s\" evidence", what, what);
	else if (!has_hash)
		checklist_set(cl, id, CHECK_FAIL, "\"%s\" evidence is served "
		    "but report_data has no %s_evidence_hash: the CPU report "
		    "does not bind it", what, what);
	else if (!raw)
		checklist_set(cl, id, CHECK_FAIL, "the bytes of \"%s\" cannot "
		    "be located in the document to hash", what);
	else if (CRYPTO_memcmp(hash, sha, 32) != 0)
		checklist_set(cl, id, CHECK_FAIL, "report_data.%s_evidence_hash "
		    "is not SHA-256 of the served \"%s\" evidence", what, what);
	else
		return true;
	return false;
}

void
tinfoil_check_reportdata(const struct gw_tinfoil *t, const uint8_t rd[64],
    const uint8_t nonce[32], const char *id, struct checklist *cl,
    char *layout, size_t layoutsz)
{
	static const uint8_t zero[32];
	uint8_t h[32];
	char theirs[17], ours[17];

	layout[0] = '\0';
	if (t->version == 2) {
		snprintf(layout, layoutsz, "%s", TINFOIL_V2_LAYOUT);
		checklist_set(cl, id, CHECK_FAIL, "REPORTDATA is the TLS key "
		    "fingerprint and HPKE key (layout %s): the v2 document "
		    "binds no nonce, so it cannot show it was made for our "
		    "request", TINFOIL_V2_LAYOUT);
		return;
	}
	if (!v3_digest(t, h)) {
		checklist_set(cl, id, CHECK_ERROR, "sha-256 failed (library "
		    "error)");
		return;
	}
	if (CRYPTO_memcmp(rd, h, 32) != 0 ||
	    CRYPTO_memcmp(rd + 32, zero, 32) != 0) {
		checklist_set(cl, id, CHECK_FAIL, "REPORTDATA is not SHA-256("
		    "tls_key_fp || hpke_key || nonce%s%s) || 0^32 of the "
		    "served report_data (layout %s)", t->has_gpu_hash ?
		    " || gpu_evidence_hash" : "", t->has_nvswitch_hash ?
		    " || nvswitch_evidence_hash" : "", TINFOIL_V3_LAYOUT);
		return;
	}
	snprintf(layout, layoutsz, "%s", TINFOIL_V3_LAYOUT);
	if (!evidence_bound("gpu", t->has_gpu_hash, t->gpu_hash, t->has_gpu,
	    t->gpu_raw, t->gpu_sha256, id, cl) ||
	    !evidence_bound("nvswitch", t->has_nvswitch_hash,
	    t->nvswitch_hash, t->has_nvswitch, t->nvswitch_raw,
	    t->nvswitch_sha256, id, cl))
		return;
	hex_encode(nonce, 8, ours);
	if (CRYPTO_memcmp(t->nonce, nonce, 32) != 0) {
		hex_encode(t->nonce, 8, theirs);
		checklist_set(cl, id, CHECK_FAIL, "REPORTDATA binds the "
		    "document's own nonce %s..., not ours %s... (layout %s, "
		    "internally consistent only)", theirs, ours,
		    TINFOIL_V3_LAYOUT);
		return;
	}
	checklist_set(cl, id, CHECK_PASS, "REPORTDATA binds the TLS key "
	    "fingerprint, HPKE key%s and our nonce %s... (layout %s)",
	    t->has_gpu_hash ? ", GPU evidence" : "", ours, TINFOIL_V3_LAYOUT);
}
