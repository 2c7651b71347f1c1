/*
 * sim_tinfoil.c: the Tinfoil-shaped attestation document tmon-sim serves
 * for sim/tinfoil (SIMULATED, TEST PKI): Tinfoil's v3 format
 * ("https://tinfoil.sh/predicate/attestation/v3", as served at
 * /.well-known/tinfoil-attestation) from an Intel TDX enclave without
 * GPUs:
 *
 *   {"format": "https://tinfoil.sh/predicate/attestation/v3",
 *    "report_data": {"tls_key_fp": hex, "hpke_key": hex, "nonce": hex},
 *    "cpu": {"platform": "tdx", "report": base64 of the raw TDX quote},
 *    "tmon_sim": SIM_NOTICE,
 *    "certificate": PEM of the enclave's TLS certificate,
 *    "signature": base64 of the DER ECDSA signature by that certificate's
 *                 key over SHA-256 of the document with "signature":""}
 *
 * The quote's REPORTDATA is SHA-256(tls_key_fp || hpke_key || nonce)
 * followed by 32 zero bytes, over the raw bytes of the three fields; the
 * quote carries the registers of one deployment (pki->tf_deploy: MRTD
 * and RTMR0-2 of SIM_APP_A, RTMR3 and MRCONFIGID zero, as Tinfoil's
 * images extend nothing there), signed by the TEST PKI's attestation key
 * like every other sim quote.  The deployments after SIM_TF_V1 stand for
 * a new kernel and initrd: their RTMR1 and RTMR2 are extended once more
 * with the SHA-384 of a fixed text naming them.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "log.h"
#include "sim.h"
#include "util.h"
#include "xmalloc.h"

#define JFLAGS	(JSON_COMPACT | JSON_PRESERVE_ORDER)
#define TINFOIL_V3_FORMAT "https://tinfoil.sh/predicate/attestation/v3"

static json_t *
jhex(const uint8_t *p, size_t n)
{
	char *h = sim_hex(p, n);
	json_t *j = json_string(h);

	free(h);
	return j;
}

static char *
dump(const json_t *j)
{
	char *s = json_dumps(j, JFLAGS);

	if (s == NULL)
		fatalx("tmon-sim: json_dumps failed");
	return s;
}

void
sim_tinfoil_init(struct sim_pki *pki)
{
	static const char *const names[SIM_NTF] = { NULL,
	    "tmon TEST Tinfoil kernel and initrd v0.2.0",
	    "tmon TEST Tinfoil kernel and initrd never released" };
	struct sim_app *d;
	uint8_t ev[48];
	int i, r;

	for (i = 0; i < SIM_NTF; i++) {
		d = &pki->tf_deploy[i];
		memset(d, 0, sizeof(*d));
		/* RTMR0-2 as SIM_APP_A's firmware and boot; nothing is
		 * extended into RTMR3 and MRCONFIGID is zero, as on
		 * Tinfoil's images */
		memcpy(d->rtmr, pki->app[SIM_APP_A].rtmr, 3 * 48);
		d->key = SIM_KEY_A;
		if (names[i] == NULL)
			continue;
		sim_sha384(names[i], strlen(names[i]), NULL, 0, NULL, 0, ev);
		for (r = 1; r <= 2; r++)
			sim_sha384(d->rtmr[r], 48, ev, 48, NULL, 0, d->rtmr[r]);
	}
}

char *
sim_tinfoil_report(const struct sim_pki *pki, const uint8_t nonce[32],
    int deploy)
{
	uint8_t cat[96], rd[64], *quote;
	unsigned char sig[160];
	size_t qlen, slen = sizeof(sig);
	char *qb64, *sb64, *unsigned_doc, *out;
	EVP_MD_CTX *ctx;
	json_t *root;

	memcpy(cat, pki->tf_tls_key_fp, 32);
	memcpy(cat + 32, pki->tf_hpke_key, 32);
	memcpy(cat + 64, nonce, 32);
	memset(rd, 0, sizeof(rd));
	sha256(cat, sizeof(cat), rd);
	quote = sim_tdx_quote_app(pki, rd, 0, &pki->tf_deploy[deploy], &qlen);
	qb64 = sim_b64(quote, qlen);
	free(quote);

	root = json_pack("{s:s,s:{s:o,s:o,s:o},s:{s:s,s:s},s:s,s:s,s:s}",
	    "format", TINFOIL_V3_FORMAT,
	    "report_data", "tls_key_fp", jhex(pki->tf_tls_key_fp, 32),
	    "hpke_key", jhex(pki->tf_hpke_key, 32), "nonce", jhex(nonce, 32),
	    "cpu", "platform", "tdx", "report", qb64,
	    "tmon_sim", SIM_NOTICE,
	    "certificate", pki->tf_cert_pem,
	    "signature", "");
	free(qb64);
	if (root == NULL)
		fatalx("tmon-sim: Tinfoil document");
	unsigned_doc = dump(root);
	ctx = EVP_MD_CTX_new();
	sim_ossl_check(ctx != NULL &&
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    pki->tf_tls_key) == 1 && EVP_DigestSign(ctx, sig, &slen,
	    (const unsigned char *)unsigned_doc, strlen(unsigned_doc)) == 1,
	    "Tinfoil document signature");
	EVP_MD_CTX_free(ctx);
	free(unsigned_doc);
	sb64 = sim_b64(sig, slen);
	if (json_object_set_new(root, "signature", json_string(sb64)) != 0)
		fatalx("tmon-sim: Tinfoil document");
	free(sb64);
	out = dump(root);
	json_decref(root);
	return out;
}
