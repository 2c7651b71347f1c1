#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest_tinfoil.h"
#include "encode.h"
#include "util.h"
#include "x509.h"
#include "xmalloc.h"

#define SIG_ID	"tinfoil.signature"
/* what ends a signed document: ,"signature":"<base64>"} */
#define SIG_KEY	"\"signature\":\""

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

/* The DER ECDSA signature der as r || s of n bytes each into rs; false
 * when it is not one. */
static bool
der_to_raw(const uint8_t *der, size_t len, uint8_t *rs, size_t n)
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	bool ok;

	if (len > LONG_MAX || (sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) ==
	    NULL)
		return false;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = p == der + len && BN_bn2binpad(r, rs, (int)n) == (int)n &&
	    BN_bn2binpad(s, rs + n, (int)n) == (int)n;
	ECDSA_SIG_free(sig);
	return ok;
}

/*
 * The document as signed, into a new buffer of *outlen bytes: body
 * without one trailing newline, its last member "signature" emptied.
 * NULL when the body does not end with that member holding sig.
 */
static uint8_t *
signed_bytes(const uint8_t *body, size_t len, const char *sig,
    size_t siglen, size_t *outlen)
{
	size_t klen = strlen(SIG_KEY), tail;
	uint8_t *out;

	if (len > 0 && body[len - 1] == '\n')
		len--;
	/* "signature":"<sig>"} */
	tail = klen + siglen + 2;
	if (len < tail || memcmp(body + len - tail, SIG_KEY, klen) != 0 ||
	    memcmp(body + len - tail + klen, sig, siglen) != 0 ||
	    memcmp(body + len - 2, "\"}", 2) != 0)
		return NULL;
	*outlen = len - siglen;
	out = xmalloc(*outlen);
	memcpy(out, body, len - siglen - 2);
	memcpy(out + len - siglen - 2, "\"}", 2);
	return out;
}

void
tinfoil_check_signature(const struct gw_tinfoil *t, const uint8_t *body,
    size_t len, struct checklist *cl)
{
	struct x509_chain ch;
	struct tmon_err err;
	unsigned char *spki = NULL;
	uint8_t h[32], rs[2 * 66], *der = NULL, *msg = NULL;
	size_t derlen = 0, msglen = 0, n;
	EVP_PKEY *pk;
	int bits, dl;
	enum verdict v;

	if (t->version != 3) {
		checklist_set(cl, SIG_ID, CHECK_SKIP, "a v%d document is not "
		    "signed", t->version);
		return;
	}
	if (t->certificate == NULL || t->signature == NULL) {
		checklist_set(cl, SIG_ID, CHECK_FAIL, "the document has no "
		    "%s", t->certificate == NULL ? "certificate" : "signature");
		return;
	}
	memset(&ch, 0, sizeof(ch));
	tmon_err_clear(&err);
	if (x509_chain_parse("certificate", (const uint8_t *)t->certificate,
	    t->certificate_len, 1, 1, 0, &ch, &err) != TMON_OK) {
		checklist_set(cl, SIG_ID, err.code == TMON_E_CRYPTO_LIB ?
		    CHECK_ERROR : CHECK_FAIL, "%s", err.msg);
		return;
	}
	pk = X509_get0_pubkey(ch.cert[0]);
	if (pk == NULL || EVP_PKEY_base_id(pk) != EVP_PKEY_EC ||
	    (dl = i2d_PUBKEY(pk, &spki)) <= 0) {
		checklist_set(cl, SIG_ID, CHECK_FAIL, "the certificate's key "
		    "is not an EC key");
		goto out;
	}
	sha256(spki, (size_t)dl, h);
	if (CRYPTO_memcmp(h, t->tls_key_fp, 32) != 0) {
		checklist_set(cl, SIG_ID, CHECK_FAIL, "the certificate's key "
		    "is not the one report_data.tls_key_fp names");
		goto out;
	}
	der = b64_decode_alloc(t->signature, t->signature_len, 256, &derlen);
	bits = EVP_PKEY_get_bits(pk);
	n = bits > 0 ? ((size_t)bits + 7) / 8 : 0;
	if (der == NULL || n == 0 || 2 * n > sizeof(rs) ||
	    !der_to_raw(der, derlen, rs, n)) {
		checklist_set(cl, SIG_ID, CHECK_FAIL, "the signature is not "
		    "base64 of a DER ECDSA signature for a %d-bit key", bits);
		goto out;
	}
	if ((msg = signed_bytes(body, len, t->signature, t->signature_len,
	    &msglen)) == NULL) {
		checklist_set(cl, SIG_ID, CHECK_ERROR, "the document does not "
		    "end with its signature: the signed bytes cannot be "
		    "rebuilt");
		goto out;
	}
	v = x509_ecdsa_verify_raw(pk, EVP_sha256(), rs, 2 * n, msg, msglen,
	    "tinfoil signature");
	if (v == VERDICT_PASS)
		checklist_set(cl, SIG_ID, CHECK_PASS, "signed by the key of "
		    "the served certificate, whose fingerprint REPORTDATA "
		    "binds (ECDSA, SHA-256; the certificate's chain is not "
		    "judged)");
	else if (v == VERDICT_FAIL)
		checklist_set(cl, SIG_ID, CHECK_FAIL, "the signature does not "
		    "verify over the document with the certificate's key");
	else
		checklist_set(cl, SIG_ID, CHECK_ERROR, "ECDSA verification "
		    "failed (library error)");
out:
	free(msg);
	free(der);
	OPENSSL_free(spki);
	x509_chain_free(&ch);
}
