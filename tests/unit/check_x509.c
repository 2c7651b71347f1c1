/*
 * Unit tests for monitor/verify/x509.c, the certificate layer, over real
 * certificates: the Intel PCK chain of the NanoGPT gemma quote, the
 * issuer chains and CRLs of its Intel collateral, NVIDIA GPU device
 * chains (tests/data/dcap, tests/data/gpu; PROVENANCE.md there), and
 * tampered copies of them (a flipped byte, the wrong order, an extra
 * certificate, trailing text, an expired time, a revoked serial).
 * Expected times come from `openssl x509 -dates` of the certificates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "encode.h"
#include "gpu_verify.h"
#include "tdx_quote.h"
#include "tdx_verify.h"
#include "util.h"
#include "verify_ctx.h"
#include "x509.h"

#define DCAP		TMON_TEST_DATA "/dcap/evidence/"
#define GEMMA_DIR	DCAP "teep/nanogpt_tee_gemma-3-27b-it_20260610_014905/"
#define GEMMA_QUOTE	GEMMA_DIR "quotes/0001_9bb86ec10ac9.bin"
#define GEMMA_COLL	GEMMA_DIR "collateral_90c06f000000.json"
#define GEMMA_TIME	1781056145	/* captured_at */
#define GEMMA_PCK_NB	1777519188	/* leaf notBefore 2026-04-30T03:19:48Z */
#define GEMMA_PCK_NA	1998443988	/* leaf notAfter 2033-04-30T03:19:48Z */
#define GPU		TMON_TEST_DATA "/gpu/"
#define GPU_NOW		((int64_t)1781000000)
#define GPU_CHAIN	GPU "sdk_hopper_580.159.03_CertChain.pem.txt"

static uint8_t *
load(const char *path, size_t *len)
{
	struct tmon_err err;
	uint8_t *b = NULL;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 4u << 20, &b, len, &err) == TMON_OK,
	    "read %s: %s", path, err.msg);
	return b;
}

/* A string member of the gemma collateral file, as a new string. */
static char *
coll_str(const char *key)
{
	json_error_t je;
	json_t *j = json_load_file(GEMMA_COLL, JSON_REJECT_DUPLICATES, &je);
	char *s;

	ck_assert_msg(j != NULL, "%s", je.text);
	ck_assert(json_is_string(json_object_get(j, key)));
	s = strdup(json_string_value(json_object_get(j, key)));
	ck_assert_ptr_nonnull(s);
	json_decref(j);
	return s;
}

/* The PEM text of the gemma quote's PCK chain (without its NUL). */
static char *
gemma_pck_pem(void)
{
	struct tdx_quote q;
	struct tmon_err err;
	uint8_t *b;
	size_t n;
	char *pem;

	b = load(GEMMA_QUOTE, &n);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_quote_parse(b, n, &q, &err), TMON_OK);
	pem = strndup((const char *)cur_data(&q.pck_chain),
	    cur_len(&q.pck_chain));
	ck_assert_ptr_nonnull(pem);
	free(b);
	return pem;
}

/* PEM of the len DER bytes at der, as a new string. */
static char *
pem_of(const uint8_t *der, size_t len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	ck_assert_ptr_nonnull(bio);
	ck_assert_int_gt(PEM_write_bio(bio, "CERTIFICATE", "", der, (long)len),
	    0);
	n = BIO_get_mem_data(bio, &p);
	out = strndup(p, (size_t)n);
	BIO_free(bio);
	return out;
}

/* The concatenation of up to six strings (NULL ends), as a new string. */
static char *
cat(const char *a, const char *b, const char *c, const char *d,
    const char *e, const char *f)
{
	const char *v[6] = { a, b, c, d, e, f };
	size_t i, n = 1;
	char *out;

	for (i = 0; i < 6 && v[i] != NULL; i++)
		n += strlen(v[i]);
	out = calloc(1, n);
	ck_assert_ptr_nonnull(out);
	for (i = 0; i < 6 && v[i] != NULL; i++)
		memcpy(out + strlen(out), v[i], strlen(v[i]) + 1);
	return out;
}

static enum tmon_rc
parse(const char *pem, size_t min, size_t max, unsigned flags,
    struct x509_chain *ch, struct tmon_err *err)
{
	tmon_err_clear(err);
	return x509_chain_parse("chain", (const uint8_t *)pem, strlen(pem),
	    min, max, flags, ch, err);
}

#define ck_assert_has(s, needle) \
	ck_assert_msg(strstr((s), (needle)) != NULL, "\"%s\" lacks \"%s\"", \
	    (s), (needle))

/* The gemma PCK chain as served, and the three blocks of it. */
struct pck {
	char		*pem;
	char		*blk[3];
	struct x509_anchor intel;
};

static void
pck_load(struct pck *p)
{
	struct x509_chain ch;
	struct tmon_err err;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->pem = gemma_pck_pem();
	ck_assert_int_eq(parse(p->pem, 3, 3, 0, &ch, &err), TMON_OK);
	for (i = 0; i < 3; i++)
		p->blk[i] = pem_of(ch.der[i], ch.der_len[i]);
	x509_chain_free(&ch);
	ck_assert_int_eq(x509_anchor_init(&p->intel, tdx_intel_root_ca_der,
	    tdx_intel_root_ca_der_len, "Intel SGX Root CA", NULL), TMON_OK);
}

static void
pck_free(struct pck *p)
{
	size_t i;

	free(p->pem);
	for (i = 0; i < 3; i++)
		free(p->blk[i]);
	x509_anchor_release(&p->intel);
}

/* Parse pem (exactly three) and verify it to Intel's root at now. */
static enum verdict
pck_verify(const struct pck *p, const char *pem, int64_t now, char *why,
    size_t whysz)
{
	struct x509_chain ch;
	struct tmon_err err;
	enum verdict v;

	ck_assert_int_eq(parse(pem, 3, 3, TMON_X509_ROOT_DER, &ch, &err),
	    TMON_OK);
	ck_assert_ptr_null(ch.cert[2]);		/* the root: bytes only */
	v = x509_chain_verify(&ch, 3, &p->intel, now, 0, why, whysz);
	x509_chain_free(&ch);
	return v;
}

START_TEST(test_pck_chain_real)
{
	struct pck p;
	char why[256];

	pck_load(&p);
	ck_assert_int_eq(pck_verify(&p, p.pem, GEMMA_TIME, why, sizeof(why)),
	    VERDICT_PASS);
	ck_assert_str_eq(why, "");
	/* the leaf's validity, to the second */
	ck_assert_int_eq(pck_verify(&p, p.pem, GEMMA_PCK_NB, why,
	    sizeof(why)), VERDICT_PASS);
	ck_assert_int_eq(pck_verify(&p, p.pem, GEMMA_PCK_NB - 1, why,
	    sizeof(why)), VERDICT_FAIL);
	ck_assert_has(why, "chain does not verify at 2026-04-30T03:19:47Z: "
	    "certificate is not yet valid (certificate 0)");
	ck_assert_int_eq(pck_verify(&p, p.pem, GEMMA_PCK_NA - 1, why,
	    sizeof(why)), VERDICT_PASS);
	ck_assert_int_eq(pck_verify(&p, p.pem, GEMMA_PCK_NA, why,
	    sizeof(why)), VERDICT_FAIL);
	ck_assert_has(why, "certificate has expired (certificate 0)");
	pck_free(&p);
}
END_TEST

/* Tampered copies of the real PCK chain: each fails, saying why. */
START_TEST(test_pck_chain_tampered)
{
	struct x509_chain ch;
	struct tmon_err err;
	struct pck p;
	struct x509_anchor nv;
	uint8_t *der;
	size_t dlen;
	char why[256], *t, *flip;

	pck_load(&p);

	/* a flipped byte in the CA's signature value (its last byte) */
	ck_assert_int_eq(parse(p.blk[1], 1, 1, 0, &ch, &err), TMON_OK);
	dlen = ch.der_len[0];
	der = malloc(dlen);
	ck_assert_ptr_nonnull(der);
	memcpy(der, ch.der[0], dlen);
	der[dlen - 1] ^= 0x01;
	x509_chain_free(&ch);
	flip = pem_of(der, dlen);
	t = cat(p.blk[0], flip, p.blk[2], NULL, NULL, NULL);
	ck_assert_int_eq(pck_verify(&p, t, GEMMA_TIME, why, sizeof(why)),
	    VERDICT_FAIL);
	ck_assert_has(why, "certificate signature failure (certificate 1)");
	free(t);
	free(flip);
	free(der);

	/* a flipped byte in the served root: not the pinned root */
	t = strdup(p.pem);
	ck_assert_ptr_nonnull(t);
	flip = strstr(strstr(strstr(t, "BEGIN") + 1, "BEGIN") + 1, "BEGIN");
	flip[100] = flip[100] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(pck_verify(&p, t, GEMMA_TIME, why, sizeof(why)),
	    VERDICT_FAIL);
	ck_assert_str_eq(why, "chain's last certificate is not the pinned "
	    "Intel SGX Root CA");
	free(t);

	/* a byte of base64 that is not base64: the block is refused */
	t = strdup(p.pem);
	ck_assert_ptr_nonnull(t);
	strstr(t, "MII")[40] = '*';
	ck_assert_int_eq(parse(t, 3, 3, 0, &ch, &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "chain: certificate 1: malformed PEM block");
	free(t);

	/*
	 * The wrong order: CA, leaf, root.  The CA alone chains to the
	 * root, so the path OpenSSL builds is not the served one.
	 */
	t = cat(p.blk[1], p.blk[0], p.blk[2], NULL, NULL, NULL);
	ck_assert_int_eq(pck_verify(&p, t, GEMMA_TIME, why, sizeof(why)),
	    VERDICT_FAIL);
	ck_assert_str_eq(why, "chain's verified path is not the served order");
	free(t);
	/* leaf, root, CA: the root is not last */
	t = cat(p.blk[0], p.blk[2], p.blk[1], NULL, NULL, NULL);
	ck_assert_int_eq(pck_verify(&p, t, GEMMA_TIME, why, sizeof(why)),
	    VERDICT_FAIL);
	ck_assert_str_eq(why, "chain's last certificate is not the pinned "
	    "Intel SGX Root CA");
	free(t);

	/* an extra certificate: refused by the count, or by the check */
	t = cat(p.blk[0], p.blk[1], p.blk[1], p.blk[2], NULL, NULL);
	ck_assert_int_eq(parse(t, 3, 3, 0, &ch, &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "chain: more than 3 certificates");
	ck_assert_int_eq(parse(t, 1, 4, 0, &ch, &err), TMON_OK);
	ck_assert_int_eq(x509_chain_verify(&ch, 3, &p.intel, GEMMA_TIME, 0,
	    why, sizeof(why)), VERDICT_FAIL);
	ck_assert_str_eq(why, "chain has 4 certificates, want 3");
	x509_chain_free(&ch);
	free(t);

	/* a missing certificate */
	t = cat(p.blk[0], p.blk[2], NULL, NULL, NULL, NULL);
	ck_assert_int_eq(parse(t, 3, 3, 0, &ch, &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "chain: 2 certificate(s), expected 3");
	free(t);

	/* trailing text, text between blocks, text before the first */
	t = cat(p.pem, "trailing garbage\n", NULL, NULL, NULL, NULL);
	ck_assert_int_eq(parse(t, 3, 3, 0, &ch, &err), TMON_E_PARSE);
	ck_assert_has(err.msg, "chain: text outside PEM blocks at offset ");
	free(t);
	t = cat(p.blk[0], "x\n", p.blk[1], p.blk[2], NULL, NULL);
	ck_assert_int_eq(parse(t, 3, 3, 0, &ch, &err), TMON_E_PARSE);
	ck_assert_has(err.msg, "text outside PEM blocks");
	free(t);
	t = cat("Subject: CN=Intel SGX PCK Certificate\n", p.pem, NULL, NULL,
	    NULL, NULL);
	ck_assert_int_eq(parse(t, 3, 3, 0, &ch, &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "chain: text outside PEM blocks at offset 0");
	free(t);

	/* whitespace around the blocks and NULs at the very end are fine */
	t = cat("\r\n \t", p.blk[0], "\n\n", p.blk[1], p.blk[2], "  \n");
	ck_assert_int_eq(parse(t, 3, 3, 0, &ch, &err), TMON_OK);
	x509_chain_free(&ch);
	free(t);
	t = strdup(p.pem);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(x509_chain_parse("chain", (const uint8_t *)t,
	    strlen(t) + 1, 3, 3, 0, &ch, &err), TMON_OK);
	x509_chain_free(&ch);
	/* ... but a NUL inside is not */
	t[200] = '\0';
	tmon_err_clear(&err);
	ck_assert_int_eq(x509_chain_parse("chain", (const uint8_t *)t,
	    strlen(p.pem), 3, 3, 0, &ch, &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "chain is not PEM text (NUL byte at offset "
	    "200)");
	free(t);

	/* another label, and encapsulated headers */
	t = cat("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n",
	    NULL, NULL, NULL, NULL, NULL);
	ck_assert_int_eq(parse(t, 1, 1, 0, &ch, &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "chain: PEM block 1 is not a plain "
	    "CERTIFICATE");
	free(t);
	t = strdup(p.blk[0]);
	ck_assert_ptr_nonnull(t);
	flip = cat("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n",
	    strchr(t, '\n') + 1, NULL, NULL, NULL, NULL);
	ck_assert_int_eq(parse(flip, 1, 1, 0, &ch, &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "chain: PEM block 1 is not a plain "
	    "CERTIFICATE");
	free(flip);
	free(t);

	/* more than MAX_PEM_CHAIN_LEN bytes */
	t = calloc(1, MAX_PEM_CHAIN_LEN + 2);
	ck_assert_ptr_nonnull(t);
	memset(t, '\n', MAX_PEM_CHAIN_LEN + 1);
	ck_assert_int_eq(parse(t, 1, 1, 0, &ch, &err), TMON_E_LIMIT);
	free(t);
	ck_assert_int_eq(parse("\n \n", 1, 1, 0, &ch, &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "chain is empty");

	/* the real chain against another pinned root */
	ck_assert_int_eq(gpu_nvidia_anchor_init(&nv, NULL), TMON_OK);
	ck_assert_int_eq(parse(p.pem, 3, 3, 0, &ch, &err), TMON_OK);
	ck_assert_int_eq(x509_chain_verify(&ch, 3, &nv, GEMMA_TIME, 0, why,
	    sizeof(why)), VERDICT_FAIL);
	ck_assert_str_eq(why, "chain's last certificate is not the pinned "
	    "NVIDIA Device Identity CA");
	/* no anchor at all: could not check */
	ck_assert_int_eq(x509_chain_verify(&ch, 3, NULL, GEMMA_TIME, 0, why,
	    sizeof(why)), VERDICT_ERROR);
	x509_chain_free(&ch);
	x509_anchor_release(&nv);
	pck_free(&p);
}
END_TEST

/* NVIDIA GPU device chains: 5 certificates to the pinned root. */
START_TEST(test_gpu_chain)
{
	static const char *const files[] = {
	    GPU "sdk_hopper_580.159.03_CertChain.pem.txt",
	    GPU "nvtrust_hopperCertChain.txt",
	    GPU "sdk_blackwell_GB100_CertChain.pem.txt" };
	struct x509_anchor nv;
	struct x509_chain ch;
	struct tmon_err err;
	char why[256], *blk[5], *t;
	uint8_t *pem;
	size_t i, n;

	ck_assert_int_eq(gpu_nvidia_anchor_init(&nv, NULL), TMON_OK);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		pem = load(files[i], &n);
		tmon_err_clear(&err);
		ck_assert_int_eq(x509_chain_parse("GPU chain", pem, n, 1,
		    MAX_GPU_CERTS, 0, &ch, &err), TMON_OK);
		ck_assert_uint_eq(ch.n, 5);
		ck_assert_msg(x509_chain_verify(&ch, 5, &nv, GPU_NOW, 0, why,
		    sizeof(why)) == VERDICT_PASS, "%s: %s", files[i], why);
		x509_chain_free(&ch);
		free(pem);
	}

	pem = load(GPU_CHAIN, &n);
	t = strndup((const char *)pem, n);
	ck_assert_int_eq(parse(t, 5, 5, 0, &ch, &err), TMON_OK);
	for (i = 0; i < 5; i++)
		blk[i] = pem_of(ch.der[i], ch.der_len[i]);
	x509_chain_free(&ch);
	free(t);

	/* before the leaf's notBefore (2020-10-17) */
	t = cat(blk[0], blk[1], blk[2], blk[3], blk[4], NULL);
	ck_assert_int_eq(parse(t, 5, 5, 0, &ch, &err), TMON_OK);
	ck_assert_int_eq(x509_chain_verify(&ch, 5, &nv, 1600000000, 0, why,
	    sizeof(why)), VERDICT_FAIL);
	ck_assert_has(why, "certificate is not yet valid");
	x509_chain_free(&ch);
	free(t);

	/* two intermediates swapped */
	t = cat(blk[0], blk[2], blk[1], blk[3], blk[4], NULL);
	ck_assert_int_eq(parse(t, 5, 5, 0, &ch, &err), TMON_OK);
	ck_assert_int_eq(x509_chain_verify(&ch, 5, &nv, GPU_NOW, 0, why,
	    sizeof(why)), VERDICT_FAIL);
	x509_chain_free(&ch);
	free(t);

	/* one left out, and one more: the count */
	t = cat(blk[0], blk[2], blk[3], blk[4], NULL, NULL);
	ck_assert_int_eq(parse(t, 1, MAX_GPU_CERTS, 0, &ch, &err), TMON_OK);
	ck_assert_int_eq(x509_chain_verify(&ch, 5, &nv, GPU_NOW, 0, why,
	    sizeof(why)), VERDICT_FAIL);
	ck_assert_str_eq(why, "chain has 4 certificates, want 5");
	x509_chain_free(&ch);
	free(t);
	t = cat(blk[0], blk[1], blk[2], blk[3], blk[4], blk[4]);
	ck_assert_int_eq(parse(t, 1, MAX_GPU_CERTS, 0, &ch, &err), TMON_OK);
	ck_assert_int_eq(x509_chain_verify(&ch, 5, &nv, GPU_NOW, 0, why,
	    sizeof(why)), VERDICT_FAIL);
	ck_assert_str_eq(why, "chain has 6 certificates, want 5");
	x509_chain_free(&ch);
	free(t);

	/* trailing text after the real file */
	t = cat((const char *)pem, "-----END CERTIFICATE-----\n", NULL, NULL,
	    NULL, NULL);
	ck_assert_int_eq(parse(t, 1, MAX_GPU_CERTS, 0, &ch, &err),
	    TMON_E_PARSE);
	ck_assert_has(err.msg, "text outside PEM blocks");
	free(t);

	for (i = 0; i < 5; i++)
		free(blk[i]);
	free(pem);
	x509_anchor_release(&nv);
}
END_TEST

/* The collateral's issuer chains: signer and root, verified without time. */
START_TEST(test_collateral_chains)
{
	static const char *const keys[] = { "tcb_info_issuer_chain",
	    "qe_identity_issuer_chain", "pck_crl_issuer_chain" };
	struct x509_anchor intel;
	struct x509_chain ch;
	struct tmon_err err;
	char why[256], *pem;
	size_t i;

	ck_assert_int_eq(x509_anchor_init(&intel, tdx_intel_root_ca_der,
	    tdx_intel_root_ca_der_len, "Intel SGX Root CA", NULL), TMON_OK);
	for (i = 0; i < 3; i++) {
		pem = coll_str(keys[i]);
		ck_assert_int_eq(parse(pem, 2, 2, TMON_X509_ROOT_DER, &ch,
		    &err), TMON_OK);
		ck_assert_int_eq(x509_chain_verify(&ch, 2, &intel, 0,
		    TMON_X509_NO_TIME, why, sizeof(why)), VERDICT_PASS);
		/* in 2100 the signer has expired; without time: no matter */
		ck_assert_int_eq(x509_chain_verify(&ch, 2, &intel, 4102444800,
		    0, why, sizeof(why)), VERDICT_FAIL);
		ck_assert_has(why, "certificate has expired");
		x509_chain_free(&ch);
		free(pem);
	}
	x509_anchor_release(&intel);
}
END_TEST

/* A CRL listing serial sn, issued in name by issuer, signed by key. */
static uint8_t *
forged_crl(const X509 *issuer, EVP_PKEY *key, const uint8_t *sn,
    size_t snlen, size_t *len)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_INTEGER *ai = ASN1_INTEGER_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, GEMMA_TIME - 86400);
	ASN1_TIME *t2 = ASN1_TIME_set(NULL, GEMMA_TIME + 86400);
	unsigned char *der = NULL;
	int n;

	ck_assert(crl && r && ai && t && t2);
	ck_assert_int_eq(X509_CRL_set_version(crl, 1), 1);
	ck_assert_int_eq(X509_CRL_set_issuer_name(crl,
	    X509_get_subject_name(issuer)), 1);
	ck_assert_int_eq(X509_CRL_set1_lastUpdate(crl, t), 1);
	ck_assert_int_eq(X509_CRL_set1_nextUpdate(crl, t2), 1);
	ck_assert_int_eq(ASN1_STRING_set(ai, sn, (int)snlen), 1);
	ck_assert_int_eq(X509_REVOKED_set_serialNumber(r, ai), 1);
	ck_assert_int_eq(X509_REVOKED_set_revocationDate(r, t), 1);
	ck_assert_int_eq(X509_CRL_add0_revoked(crl, r), 1);
	ck_assert_int_gt(X509_CRL_sign(crl, key, EVP_sha256()), 0);
	n = i2d_X509_CRL(crl, &der);
	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	ASN1_INTEGER_free(ai);
	ASN1_TIME_free(t);
	ASN1_TIME_free(t2);
	X509_CRL_free(crl);
	return der;
}

/* The real PCK and Root CA CRLs, and forged and tampered ones. */
START_TEST(test_crls)
{
	struct x509_chain pck, issuer;
	struct x509_crl crl, root;
	struct x509_anchor intel;
	struct tmon_err err;
	EVP_PKEY *k;
	uint8_t sn[MAX_X509_SERIAL_LEN], *der, *fake;
	size_t dlen, flen, snlen;
	char *hex, *pem;

	ck_assert_int_eq(x509_anchor_init(&intel, tdx_intel_root_ca_der,
	    tdx_intel_root_ca_der_len, "Intel SGX Root CA", NULL), TMON_OK);
	pem = gemma_pck_pem();
	ck_assert_int_eq(parse(pem, 3, 3, 0, &pck, &err), TMON_OK);
	free(pem);
	pem = coll_str("pck_crl_issuer_chain");
	ck_assert_int_eq(parse(pem, 2, 2, 0, &issuer, &err), TMON_OK);
	free(pem);

	/* the PCK CRL as hex text (a PCCS) and as DER */
	hex = coll_str("pck_crl");
	tmon_err_clear(&err);
	ck_assert_int_eq(x509_crl_parse("PCK CRL", (const uint8_t *)hex,
	    strlen(hex), &crl, &err), TMON_OK);
	ck_assert_str_eq(crl.issuer_cn, "Intel SGX PCK Platform CA");
	ck_assert(crl.n_revoked > 0);
	ck_assert(crl.this_update < GEMMA_TIME && GEMMA_TIME < crl.next_update);
	ck_assert(x509_crl_issued_by(&crl, issuer.cert[0]));
	ck_assert(x509_crl_issued_by(&crl, pck.cert[1]));
	ck_assert(!x509_crl_issued_by(&crl, pck.cert[0]));
	ck_assert_int_eq(x509_crl_verify_sig(&crl, issuer.cert[0]),
	    VERDICT_PASS);
	ck_assert_int_eq(x509_crl_verify_sig(&crl, intel.cert), VERDICT_FAIL);
	/* the gemma leaf is not revoked; a listed serial is */
	ck_assert(!x509_crl_lists_cert(&crl, pck.cert[0]));
	ck_assert(x509_crl_lists(&crl, crl.revoked[0].b, crl.revoked[0].len));
	x509_crl_free(&crl);

	der = hex_decode_alloc(hex, strlen(hex), MAX_CRL_LEN, false, &dlen);
	ck_assert_ptr_nonnull(der);
	ck_assert_int_eq(x509_crl_parse("PCK CRL", der, dlen, &crl, &err),
	    TMON_OK);
	x509_crl_free(&crl);
	/* a flipped byte in its signature: it no longer verifies */
	der[dlen - 3] ^= 0x01;
	ck_assert_int_eq(x509_crl_parse("PCK CRL", der, dlen, &crl, &err),
	    TMON_OK);
	ck_assert_int_eq(x509_crl_verify_sig(&crl, issuer.cert[0]),
	    VERDICT_FAIL);
	x509_crl_free(&crl);
	/* trailing bytes after the DER */
	der[dlen - 3] ^= 0x01;
	fake = malloc(dlen + 1);
	ck_assert_ptr_nonnull(fake);
	memcpy(fake, der, dlen);
	fake[dlen] = 0;
	ck_assert_int_eq(x509_crl_parse("PCK CRL", fake, dlen + 1, &crl, &err),
	    TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "PCK CRL: not a DER CRL");
	free(fake);
	free(der);
	free(hex);

	/* the Root CA CRL: signed by the pinned root, not listing the CA */
	hex = coll_str("root_ca_crl");
	ck_assert_int_eq(x509_crl_parse("Root CA CRL", (const uint8_t *)hex,
	    strlen(hex), &root, &err), TMON_OK);
	ck_assert(x509_crl_issued_by(&root, intel.cert));
	ck_assert_int_eq(x509_crl_verify_sig(&root, intel.cert), VERDICT_PASS);
	ck_assert(!x509_crl_lists_cert(&root, pck.cert[1]));
	x509_crl_free(&root);
	free(hex);

	/*
	 * A forged CRL naming the real CA and listing the real leaf: it
	 * lists it, but its signature is not the CA's.
	 */
	k = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(k);
	ck_assert(x509_serial(pck.cert[0], sn, &snlen));
	fake = forged_crl(pck.cert[1], k, sn, snlen, &flen);
	ck_assert_int_eq(x509_crl_parse("forged CRL", fake, flen, &crl, &err),
	    TMON_OK);
	ck_assert(x509_crl_lists_cert(&crl, pck.cert[0]));
	ck_assert(x509_crl_issued_by(&crl, pck.cert[1]));
	ck_assert_int_eq(x509_crl_verify_sig(&crl, pck.cert[1]), VERDICT_FAIL);
	x509_crl_free(&crl);
	OPENSSL_free(fake);
	EVP_PKEY_free(k);

	/* not a CRL at all */
	ck_assert_int_eq(x509_crl_parse("CRL", (const uint8_t *)"hello", 5,
	    &crl, &err), TMON_E_PARSE);
	ck_assert_int_eq(x509_crl_parse("CRL", NULL, 0, &crl, &err),
	    TMON_E_PARSE);

	x509_chain_free(&pck);
	x509_chain_free(&issuer);
	x509_anchor_release(&intel);
}
END_TEST

/* Trust anchor files: one certificate, PEM or DER, nothing else. */
START_TEST(test_anchor_decode)
{
	struct tmon_err err;
	uint8_t *text, *der, *t2;
	size_t n, dlen;
	char *s;

	text = load(GPU "nvtrust_verifier_device_root.pem", &n);
	tmon_err_clear(&err);
	ck_assert_int_eq(x509_anchor_decode(text, n, &der, &dlen, &err),
	    TMON_OK);
	ck_assert_uint_eq(dlen, gpu_nvidia_root_der_len);
	ck_assert(memcmp(der, gpu_nvidia_root_der, dlen) == 0);
	free(der);
	/* text before the block, as "openssl x509 -text" writes it */
	s = cat("Certificate:\n    Data:\n", (const char *)text, NULL, NULL,
	    NULL, NULL);
	tmon_err_clear(&err);
	ck_assert_int_eq(x509_anchor_decode((const uint8_t *)s, strlen(s),
	    &der, &dlen, &err), TMON_E_PARSE);
	ck_assert_ptr_null(der);
	free(s);
	/* two certificates are not one anchor */
	tmon_err_clear(&err);
	s = cat((const char *)text, (const char *)text, NULL, NULL, NULL,
	    NULL);
	ck_assert_int_eq(x509_anchor_decode((const uint8_t *)s, strlen(s),
	    &der, &dlen, &err), TMON_E_PARSE);
	free(s);
	free(text);

	text = load(TMON_TEST_DATA "/tdx/Intel_SGX_Root_CA.der", &n);
	tmon_err_clear(&err);
	ck_assert_int_eq(x509_anchor_decode(text, n, &der, &dlen, &err),
	    TMON_OK);
	ck_assert_uint_eq(dlen, tdx_intel_root_ca_der_len);
	ck_assert(memcmp(der, tdx_intel_root_ca_der, dlen) == 0);
	free(der);
	/* a stray byte after the DER */
	t2 = malloc(n + 1);
	ck_assert_ptr_nonnull(t2);
	memcpy(t2, text, n);
	t2[n] = '\n';
	tmon_err_clear(&err);
	ck_assert_int_eq(x509_anchor_decode(t2, n + 1, &der, &dlen, &err),
	    TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "certificate file: not exactly one DER "
	    "certificate");
	free(t2);
	free(text);
}
END_TEST

/* ASN.1 times: UTCTime and GeneralizedTime, to the second. */
START_TEST(test_asn1_time)
{
	struct x509_anchor intel, nv;
	ASN1_TIME *t;
	int64_t v;

	ck_assert_int_eq(x509_anchor_init(&intel, tdx_intel_root_ca_der,
	    tdx_intel_root_ca_der_len, "Intel SGX Root CA", NULL), TMON_OK);
	ck_assert_int_eq(gpu_nvidia_anchor_init(&nv, NULL), TMON_OK);
	/* Intel SGX Root CA: 2018-05-21T10:45:10Z .. 2049-12-31T23:59:59Z */
	ck_assert(x509_time_unix(X509_get0_notBefore(intel.cert), &v));
	ck_assert(v == 1526899510);
	ck_assert(x509_time_unix(X509_get0_notAfter(intel.cert), &v));
	ck_assert(v == 2524607999);
	/* NVIDIA Device Identity CA: .. 9999-12-31T23:59:59Z */
	ck_assert(x509_time_unix(X509_get0_notAfter(nv.cert), &v));
	ck_assert(v == 253402300799);
	t = ASN1_TIME_set(NULL, 0);
	ck_assert(x509_time_unix(t, &v) && v == 0);
	ASN1_TIME_free(t);
	ck_assert(!x509_time_unix(NULL, &v));
	x509_anchor_release(&intel);
	x509_anchor_release(&nv);
}
END_TEST

/* The OpenSSL error queue is emptied; a library failure is told apart. */
START_TEST(test_drain_errors)
{
	ERR_raise(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE);
	ck_assert(!x509_drain_errors("test"));
	ck_assert_uint_eq(ERR_peek_error(), 0);
	ERR_raise(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE);
	ERR_raise(ERR_LIB_EVP, ERR_R_MALLOC_FAILURE);
	ck_assert(x509_drain_errors("test"));
	ck_assert_uint_eq(ERR_peek_error(), 0);
	ck_assert(!x509_drain_errors("test"));
}
END_TEST

static Suite *
x509_suite(void)
{
	Suite *s = suite_create("x509");
	TCase *tc = tcase_create("x509");

	tcase_add_test(tc, test_pck_chain_real);
	tcase_add_test(tc, test_pck_chain_tampered);
	tcase_add_test(tc, test_gpu_chain);
	tcase_add_test(tc, test_collateral_chains);
	tcase_add_test(tc, test_crls);
	tcase_add_test(tc, test_anchor_decode);
	tcase_add_test(tc, test_asn1_time);
	tcase_add_test(tc, test_drain_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(x509_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
