/*
 * check_tinfoil: Tinfoil attestation documents (gateway_tinfoil.h,
 * attest_tinfoil.h) through attest_verify_ctx, on the recorded captures
 * of tests/data/tinfoil (see its PROVENANCE.md): a v3 document from an
 * Intel TDX enclave with one H100, a v3 document from an AMD SEV-SNP
 * enclave, and a v2 tdx-guest document relayed by NanoGPT.
 *
 * Expected values come from the captures: the client nonce of each
 * manifest.json (nonce.txt for v2), the verification time from the
 * answer's HTTP Date header, the Intel PCS collateral and the NVIDIA NRAS
 * answer (TDX) or the AMD KDS VCEK and cert_chain (SEV-SNP) of the same
 * run, and the hex fields and report bytes as served.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <check.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "attest.h"
#include "encode.h"
#include "entry.h"
#include "gateway.h"
#include "gateway_tinfoil.h"
#include "tdx_collateral.h"
#include "tmon_limits.h"
#include "util.h"

#define TF TMON_TEST_DATA "/tinfoil/"
#define TDX_DIR TF "tdx-v3/"
#define TDX_BODY TDX_DIR \
	"0002_gemma4-31b-1.inf10.tinfoil.sh_.well-known_tinfoil-attestation.body"
#define PCS_TCB TDX_DIR \
	"0003_api.trustedservices.intel.com_tdx_certification_v4_tcb"
#define PCS_QE TDX_DIR \
	"0004_api.trustedservices.intel.com_tdx_certification_v4_qe_identity"
#define PCS_CRL TDX_DIR \
	"0005_api.trustedservices.intel.com_sgx_certification_v4_pckcrl"
#define PCS_ROOTCRL TDX_DIR \
	"0006_certificates.trustedservices.intel.com_intelsgxrootca.der"
#define NRAS_EAT TMON_TEST_DATA "/nras/tinfoil_gemma4_eat.json"
#define NRAS_JWKS TMON_TEST_DATA "/nras/tinfoil_gemma4_jwks.json"
#define SNP_BODY TF "snp-v3/" \
	"0001_inference.tinfoil.sh_.well-known_tinfoil-attestation.body"
#define SNP_CHAIN TF "snp-v3/0002_kdsintf.amd.com_vcek_v1_genoa_cert_chain.body"
#define SNP_VCEK TF "snp-v3/0003_kdsintf.amd.com_vcek_v1_genoa_" \
	"1af1aa6c1f56037a05849a59b8815cf909583f9ba9ef2f0532.body"
#define V2_BODY TF "v2-nanogpt/llama3-3-70b_attestation.json"

/* manifest.json nonce_hex */
#define TDX_NONCE \
	"a8c5455663ef4951c4a6fef8de2a079934c8e93c67626e7311bf385ba6724c9e"
#define SNP_NONCE \
	"229471a8453a3521eac3d6ada9f1d52e42c97a527c3a50d565e999401dfd3e9b"
/* llama3-3-70b_nonce.txt */
#define V2_NONCE \
	"2e9d4dfe19f2b8d66b690b02c24b7dc38cea5cd0df3b81a42f9c5395596af239"
/* another nonce: the TDX one with its last digit changed */
#define OTHER_NONCE \
	"a8c5455663ef4951c4a6fef8de2a079934c8e93c67626e7311bf385ba6724c9f"
/* Date: Mon, 22 Jun 2026 23:54:14 GMT */
#define T_TDX 1782172454
/* Date: Mon, 29 Jun 2026 02:12:46 GMT */
#define T_SNP 1782699166
/* Date: Wed, 25 Mar 2026 22:52:26 GMT */
#define T_V2 1774479146
/* report_data.tls_key_fp as served, and the SHA-256 of the served TLS
 * certificate's SPKI (peer_spki_der_base64 of the .json beside it) */
#define TDX_TLS_FP \
	"dd34cd14f50bc0e410886c75bb387a6a4afa3704a03ad22386ec8fb8fe5cef9a"
/* the v2 quote's REPORTDATA[0:32] */
#define V2_TLS_FP \
	"5b496c10a95278ae770a56dbb0a8281c1ac06a551aaad6d6191930187463d9ad"
/* the SEV-SNP capture's report_data.tls_key_fp */
#define SNP_TLS_FP \
	"0b49e7c770bbecedf9b65da503c7781d7c7637ee5f19d7f9d1ecc4067449021a"
/* the SEV-SNP report's MEASUREMENT (offset 0x90) and CHIP_ID's first 16
 * bytes (offset 0x1A0; the VCEK URL names it too) */
#define SNP_MEAS "7adcb574b1e22ab579f3c883da3e5b6e632ef06775dd13fdb168506" \
	"40135a5f63c7eb8741fe340c672edaf241bd1ed7c"
#define SNP_CHIP16 "1af1aa6c1f56037a05849a59b8815cf9"
/* the TDX quote's MRTD (its first 8 bytes) */
#define TDX_MRTD8 "7357a10d2e2724df"

static uint8_t *
load(const char *path, size_t *len)
{
	uint8_t *p = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, MAX_UPSTREAM_BODY, &p, len, &err) ==
	    TMON_OK, "%s", err.msg);
	return p;
}

static const struct check *
get(const struct attest_result *r, const char *id)
{
	const struct check *c = checklist_get(&r->checks, id);

	ck_assert_msg(c != NULL, "check %s missing", id);
	return c;
}

#define EXPECT(r, id, st) ck_assert_msg(get(r, id)->status == (st), \
	"%s: %s", id, get(r, id)->detail)

/* %XX decoding of a recorded header value. */
static char *
url_decode(const char *s)
{
	size_t i, n = strlen(s), o = 0;
	char *out = malloc(n + 1), h[3] = { 0, 0, 0 };

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n + 0 && s[i + 1] != '\0') {
			h[0] = s[i + 1];
			h[1] = s[i + 2];
			out[o++] = (char)strtol(h, NULL, 16);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/* The recorded header name (any case) of a .json beside a body. */
static char *
header(const char *meta, const char *name)
{
	json_t *j = json_load_file(meta, 0, NULL), *h, *v;
	const char *k;
	char *out = NULL;

	ck_assert_ptr_nonnull(j);
	json_object_foreach(json_object_get(j, "headers"), k, h)
		if (strcasecmp(k, name) == 0 &&
		    json_is_string(v = json_array_get(h, 0)))
			out = url_decode(json_string_value(v));
	ck_assert_msg(out != NULL, "%s: no header %s", meta, name);
	json_decref(j);
	return out;
}

/* The Intel PCS collateral of the TDX capture run (FMSPC 90c06f000000). */
static struct tdx_collateral *
pcs_collateral(void)
{
	struct tdx_collateral_src src;
	struct tdx_collateral *col = NULL;
	struct tmon_err err;
	uint8_t *tcb, *qe, *crl, *root;
	char *c1, *c2, *c3;

	memset(&src, 0, sizeof(src));
	src.tcb_info_body = tcb = load(PCS_TCB ".body",
	    &src.tcb_info_body_len);
	src.qe_identity_body = qe = load(PCS_QE ".body",
	    &src.qe_identity_body_len);
	src.pck_crl = crl = load(PCS_CRL ".body", &src.pck_crl_len);
	src.root_ca_crl = root = load(PCS_ROOTCRL ".body",
	    &src.root_ca_crl_len);
	src.tcb_info_issuer_chain = c1 = header(PCS_TCB ".json",
	    "TCB-Info-Issuer-Chain");
	src.qe_identity_issuer_chain = c2 = header(PCS_QE ".json",
	    "SGX-Enclave-Identity-Issuer-Chain");
	src.pck_crl_issuer_chain = c3 = header(PCS_CRL ".json",
	    "SGX-PCK-CRL-Issuer-Chain");
	tmon_err_clear(&err);
	ck_assert_msg(tdx_collateral_from_pcs(&src, &col, &err) == TMON_OK,
	    "%s", err.msg);
	free(tcb);
	free(qe);
	free(crl);
	free(root);
	free(c1);
	free(c2);
	free(c3);
	return col;
}

static const struct tdx_collateral *
one_coll(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	(void)fmspc;
	(void)pck_ca;
	return arg;
}

struct fixture {
	struct tdx_collateral	*col;
	uint8_t			*eat, *jwks;
	size_t			 eat_len, jwks_len;
};

static void
fx_load(struct fixture *f)
{
	f->col = pcs_collateral();
	f->eat = load(NRAS_EAT, &f->eat_len);
	f->jwks = load(NRAS_JWKS, &f->jwks_len);
}

static void
fx_free(struct fixture *f)
{
	tdx_collateral_free(f->col);
	free(f->eat);
	free(f->jwks);
}

static struct attest_result *
run(const uint8_t *body, size_t len, const char *nonce_hex, int64_t at,
    const struct fixture *f)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	struct attest_ctx ctx;
	uint8_t nonce[32];

	ck_assert_ptr_nonnull(r);
	ck_assert(hex_decode_exact(nonce_hex, 64, nonce, 32, false));
	memset(&ctx, 0, sizeof(ctx));
	if (f != NULL) {
		ctx.collateral = one_coll;
		ctx.collateral_arg = f->col;
		ctx.nras_eat = f->eat;
		ctx.nras_eat_len = f->eat_len;
		ctx.nras_jwks = f->jwks;
		ctx.nras_jwks_len = f->jwks_len;
	}
	attest_verify_ctx(body, len, nonce, at, &ctx, r);
	return r;
}

/* No check of r failed or is in error. */
static void
assert_no_fail(const struct attest_result *r)
{
	size_t i;

	for (i = 0; i < r->checks.n; i++)
		ck_assert_msg(r->checks.items[i].status != CHECK_FAIL &&
		    r->checks.items[i].status != CHECK_ERROR, "%s: %s",
		    r->checks.items[i].id, r->checks.items[i].detail);
}

/* The TDX v3 capture with its nonce, time, collateral and NRAS answer:
 * every check that applies passes. */
START_TEST(test_tdx_v3_pass)
{
	struct attest_result *r;
	struct fixture f;
	uint8_t *body;
	size_t len;
	char hex[97];

	fx_load(&f);
	body = load(TDX_BODY, &len);
	r = run(body, len, TDX_NONCE, T_TDX, &f);
	ck_assert_int_eq(r->format, GW_FORMAT_TINFOIL);
	assert_no_fail(r);
	EXPECT(r, "response.parse", CHECK_PASS);
	EXPECT(r, "nonce.echo", CHECK_PASS);
	EXPECT(r, "tdx.quote.parse", CHECK_PASS);
	EXPECT(r, "tdx.quote.signature", CHECK_PASS);
	EXPECT(r, "tdx.pck_chain", CHECK_PASS);
	EXPECT(r, "tdx.reportdata", CHECK_PASS);
	EXPECT(r, "tdx.collateral", CHECK_PASS);
	EXPECT(r, "tdx.tcb", CHECK_PASS);
	EXPECT(r, "gpu.evidence", CHECK_PASS);
	EXPECT(r, "gpu.cert_chain", CHECK_PASS);
	EXPECT(r, "gpu.nonce", CHECK_PASS);
	EXPECT(r, "gpu.nras", CHECK_PASS);
	EXPECT(r, "tinfoil.signature", CHECK_PASS);
	ck_assert_ptr_nonnull(strstr(get(r, "tdx.reportdata")->detail,
	    "tinfoil-v3"));
	/* no allow-list configured: the one warning */
	EXPECT(r, "measurement.policy", CHECK_WARN);
	ck_assert_int_eq(r->verdict, CHECK_WARN);
	/* the measurement, like any TDX quote's */
	ck_assert(r->m.has_quote);
	ck_assert_str_eq(hex_encode(r->m.mrtd, 8, hex), TDX_MRTD8);
	ck_assert_str_eq(r->m.reportdata_layout, "tinfoil-v3");
	ck_assert_uint_eq(r->m.n_gpus, 1);
	ck_assert_str_eq(r->m.gpu[0].arch, "HOPPER");
	ck_assert_str_eq(r->m.tcb_status, "UpToDate");
	ck_assert(r->m.has_tls_fingerprint);
	ck_assert_str_eq(hex_encode(r->m.tls_fingerprint, 32, hex),
	    TDX_TLS_FP);
	free(r);
	free(body);
	fx_free(&f);
}
END_TEST

/* Any other nonce: nonce.echo, tdx.reportdata and gpu.nonce fail. */
START_TEST(test_tdx_v3_other_nonce)
{
	struct attest_result *r;
	struct fixture f;
	uint8_t *body;
	size_t len;

	fx_load(&f);
	body = load(TDX_BODY, &len);
	r = run(body, len, OTHER_NONCE, T_TDX, &f);
	EXPECT(r, "nonce.echo", CHECK_FAIL);
	EXPECT(r, "tdx.reportdata", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(get(r, "tdx.reportdata")->detail,
	    "internally consistent only"));
	EXPECT(r, "gpu.nonce", CHECK_FAIL);
	EXPECT(r, "tdx.quote.signature", CHECK_PASS);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);
	free(body);
	fx_free(&f);
}
END_TEST

/* The body with the first occurrence of what replaced by with (same
 * length), as a new allocation. */
static uint8_t *
edited(const uint8_t *body, size_t len, const char *what, const char *with)
{
	uint8_t *b = malloc(len + 1);
	char *p;

	ck_assert_ptr_nonnull(b);
	memcpy(b, body, len);
	b[len] = '\0';
	ck_assert_uint_eq(strlen(what), strlen(with));
	p = strstr((char *)b, what);
	ck_assert_msg(p != NULL, "%s not in the body", what);
	memcpy(p, with, strlen(with));
	return b;
}

/* A served field changed: REPORTDATA no longer binds the document. */
START_TEST(test_tdx_v3_tampered)
{
	static const char *const edits[][2] = {
		/* tls_key_fp, last digit */
		{ "5cef9a\",\"hpke_key\"", "5cef9b\",\"hpke_key\"" },
		/* hpke_key, first digit */
		{ "\"hpke_key\":\"03", "\"hpke_key\":\"13" },
		/* gpu_evidence_hash */
		{ "\"gpu_evidence_hash\":\"f1", "\"gpu_evidence_hash\":\"f2" },
		/* the GPU evidence itself (its arch string) */
		{ "\"arch\":\"HOPPER\"", "\"arch\":\"HOPPEr\"" },
		/* the served nonce, with the nonce asked the same */
		{ "\"nonce\":\"a8c5", "\"nonce\":\"a8c6" },
	};
	struct attest_result *r;
	struct fixture f;
	uint8_t *body, *b;
	size_t len, i;

	fx_load(&f);
	body = load(TDX_BODY, &len);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		b = edited(body, len, edits[i][0], edits[i][1]);
		r = run(b, len, TDX_NONCE, T_TDX, &f);
		ck_assert_msg(get(r, "tdx.reportdata")->status == CHECK_FAIL,
		    "edit %zu: %s", i, get(r, "tdx.reportdata")->detail);
		/* the document is no longer the one signed */
		ck_assert_msg(get(r, "tinfoil.signature")->status ==
		    CHECK_FAIL, "edit %zu: %s", i,
		    get(r, "tinfoil.signature")->detail);
		EXPECT(r, "tdx.quote.signature", CHECK_PASS);
		ck_assert_int_eq(r->verdict, CHECK_FAIL);
		free(r);
		free(b);
	}
	/* the served nonce edited and the same nonce asked: the quote
	 * still binds the original */
	b = edited(body, len, "\"nonce\":\"a8c5", "\"nonce\":\"a8c6");
	r = run(b, len, "a8c6455663ef4951c4a6fef8de2a079934c8e93c67626e7311bf3"
	    "85ba6724c9e", T_TDX, &f);
	EXPECT(r, "nonce.echo", CHECK_PASS);
	EXPECT(r, "tdx.reportdata", CHECK_FAIL);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);
	free(b);
	free(body);
	fx_free(&f);
}
END_TEST

/* tinfoil.signature: the TLS key's ECDSA signature over the document. */
START_TEST(test_tdx_v3_signature)
{
	struct attest_result *r;
	uint8_t *body, *b;
	size_t len;

	body = load(TDX_BODY, &len);
	ck_assert(body[len - 1] == '\n');
	/* without the trailing newline: the same signed bytes */
	r = run(body, len - 1, TDX_NONCE, T_TDX, NULL);
	EXPECT(r, "tinfoil.signature", CHECK_PASS);
	free(r);
	/* a changed signature byte */
	b = edited(body, len, "\"signature\":\"MGQCMHy",
	    "\"signature\":\"MGQCMHz");
	r = run(b, len, TDX_NONCE, T_TDX, NULL);
	EXPECT(r, "tinfoil.signature", CHECK_FAIL);
	EXPECT(r, "tdx.reportdata", CHECK_PASS);
	free(r);
	free(b);
	/* another member after the signature: the signed bytes cannot be
	 * rebuilt (error, not fail) */
	b = malloc(len + 16);
	ck_assert_ptr_nonnull(b);
	memcpy(b, body, len - 2);
	memcpy(b + len - 2, ",\"x\":1}\n", 8);
	r = run(b, len + 6, TDX_NONCE, T_TDX, NULL);
	EXPECT(r, "tinfoil.signature", CHECK_ERROR);
	free(r);
	free(b);
	free(body);
}
END_TEST

/* A format or platform tmon does not verify is an error, never a fail. */
START_TEST(test_unsupported)
{
	struct attest_result *r;
	uint8_t *body, *b;
	size_t len;

	body = load(TDX_BODY, &len);
	b = edited(body, len, "predicate/attestation/v3",
	    "predicate/attestation/v4");
	r = run(b, len, TDX_NONCE, T_TDX, NULL);
	EXPECT(r, "response.parse", CHECK_ERROR);
	ck_assert_ptr_nonnull(strstr(get(r, "response.parse")->detail,
	    "not supported"));
	ck_assert_int_eq(r->verdict, CHECK_ERROR);
	free(r);
	free(b);
	b = edited(body, len, "\"platform\":\"tdx\"", "\"platform\":\"sgx\"");
	r = run(b, len, TDX_NONCE, T_TDX, NULL);
	EXPECT(r, "response.parse", CHECK_ERROR);
	ck_assert_int_eq(r->verdict, CHECK_ERROR);
	free(r);
	free(b);
	free(body);

	/* Tinfoil's later v3 layout: not checked, not wrong */
	{
		static const char later[] = "{\"format\":\"https://tinfoil.sh/"
		    "predicate/attestation/v3\",\"challenge\":{}}";

		r = run((const uint8_t *)later, strlen(later), TDX_NONCE,
		    T_TDX, NULL);
		EXPECT(r, "response.parse", CHECK_ERROR);
		free(r);
	}
	/* a malformed v3 document is a fail */
	{
		static const char bad[] = "{\"format\":\"https://tinfoil.sh/"
		    "predicate/attestation/v3\",\"report_data\":{}}";

		r = run((const uint8_t *)bad, strlen(bad), TDX_NONCE, T_TDX,
		    NULL);
	}
	EXPECT(r, "response.parse", CHECK_FAIL);
	free(r);
}
END_TEST

/* v2 tdx-guest, relayed by NanoGPT: the gzip'd quote decodes and
 * verifies; REPORTDATA binds the TLS key, not a nonce. */
START_TEST(test_v2_tdx)
{
	struct attest_result *r;
	uint8_t *body;
	size_t len;
	char hex[65];

	body = load(V2_BODY, &len);
	r = run(body, len, V2_NONCE, T_V2, NULL);
	ck_assert_int_eq(r->format, GW_FORMAT_TINFOIL);
	EXPECT(r, "response.parse", CHECK_PASS);
	EXPECT(r, "tdx.quote.parse", CHECK_PASS);
	EXPECT(r, "tdx.quote.signature", CHECK_PASS);
	EXPECT(r, "nonce.echo", CHECK_SKIP);
	EXPECT(r, "tinfoil.signature", CHECK_SKIP);
	EXPECT(r, "tdx.reportdata", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(get(r, "tdx.reportdata")->detail,
	    "binds no nonce"));
	ck_assert(r->m.has_quote);
	ck_assert_str_eq(r->m.reportdata_layout, "tinfoil-v2");
	ck_assert(r->m.has_tls_fingerprint);
	ck_assert_str_eq(hex_encode(r->m.tls_fingerprint, 32, hex),
	    V2_TLS_FP);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);

	/* the relay echoing another nonce: nonce.echo fails */
	r = run(body, len, OTHER_NONCE, T_V2, NULL);
	EXPECT(r, "nonce.echo", CHECK_FAIL);
	free(r);
	free(body);
}
END_TEST

/* The KDS answers of the SEV-SNP capture run. */
struct amd_fx {
	uint8_t	*vcek, *chain;
	size_t	 vcek_len, chain_len;
	char	 product[16];
	int	 asked;
};

static bool
amd_coll(void *arg, const char *product, const uint8_t chip_id[64],
    uint64_t reported_tcb, const uint8_t **vcek, size_t *vcek_len,
    const uint8_t **chain, size_t *chain_len)
{
	struct amd_fx *a = arg;

	(void)chip_id;
	(void)reported_tcb;
	snprintf(a->product, sizeof(a->product), "%s", product);
	a->asked++;
	*vcek = a->vcek;
	*vcek_len = a->vcek_len;
	*chain = a->chain;
	*chain_len = a->chain_len;
	return true;
}

static struct attest_result *
run_snp(const uint8_t *body, size_t len, const char *nonce_hex,
    struct amd_fx *a)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	struct attest_ctx ctx;
	uint8_t nonce[32];

	ck_assert_ptr_nonnull(r);
	ck_assert(hex_decode_exact(nonce_hex, 64, nonce, 32, false));
	memset(&ctx, 0, sizeof(ctx));
	if (a != NULL) {
		ctx.amd_collateral = amd_coll;
		ctx.amd_collateral_arg = a;
	}
	attest_verify_ctx(body, len, nonce, T_SNP, &ctx, r);
	return r;
}

/* The SEV-SNP v3 capture: snp.reportdata binds its nonce and no other;
 * with the recorded KDS VCEK and chain every snp.* check passes. */
START_TEST(test_snp_v3)
{
	struct attest_result *r;
	struct amd_fx a;
	uint8_t *body, *b;
	size_t len;
	char hex[65];

	memset(&a, 0, sizeof(a));
	a.vcek = load(SNP_VCEK, &a.vcek_len);
	a.chain = load(SNP_CHAIN, &a.chain_len);
	body = load(SNP_BODY, &len);
	r = run_snp(body, len, SNP_NONCE, &a);
	ck_assert_int_eq(r->format, GW_FORMAT_TINFOIL);
	assert_no_fail(r);
	EXPECT(r, "response.parse", CHECK_PASS);
	EXPECT(r, "nonce.echo", CHECK_PASS);
	EXPECT(r, "snp.report.parse", CHECK_PASS);
	EXPECT(r, "snp.report.signature", CHECK_PASS);
	EXPECT(r, "snp.vcek_chain", CHECK_PASS);
	EXPECT(r, "snp.policy", CHECK_PASS);
	EXPECT(r, "snp.reportdata", CHECK_PASS);
	EXPECT(r, "tinfoil.signature", CHECK_PASS);
	EXPECT(r, "tdx.quote.parse", CHECK_SKIP);
	EXPECT(r, "gpu.evidence", CHECK_SKIP);
	ck_assert_str_eq(a.product, "Genoa");
	ck_assert_int_eq(a.asked, 1);
	ck_assert(r->verdict == CHECK_PASS || r->verdict == CHECK_WARN);
	ck_assert(!r->m.has_quote);
	ck_assert(r->m.has_snp_report);
	ck_assert_str_eq(r->m.reportdata_layout, "tinfoil-v3");
	ck_assert(r->m.has_tls_fingerprint);
	ck_assert_str_eq(hex_encode(r->m.tls_fingerprint, 32, hex),
	    SNP_TLS_FP);
	/* the entry carries the SEV-SNP measurement in its layers */
	{
		json_t *m = entry_measurement_json(&r->m);
		const char *v;

		v = json_string_value(json_object_get(json_object_get(m,
		    "platform"), "snp_measurement"));
		ck_assert_ptr_nonnull(v);
		ck_assert_str_eq(v, SNP_MEAS);
		v = json_string_value(json_object_get(json_object_get(m,
		    "instance"), "snp_chip_id"));
		ck_assert_ptr_nonnull(v);
		ck_assert(strncmp(v, SNP_CHIP16, 32) == 0);
		v = json_string_value(json_object_get(json_object_get(m,
		    "instance"), "tls_fingerprint"));
		ck_assert_ptr_nonnull(v);
		ck_assert_str_eq(v, SNP_TLS_FP);
		ck_assert_ptr_null(json_object_get(json_object_get(m,
		    "platform"), "mrtd"));
		json_decref(m);
	}
	free(r);

	/* another nonce: nonce.echo and snp.reportdata fail */
	r = run_snp(body, len, OTHER_NONCE, &a);
	EXPECT(r, "nonce.echo", CHECK_FAIL);
	EXPECT(r, "snp.reportdata", CHECK_FAIL);
	EXPECT(r, "snp.report.signature", CHECK_PASS);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);

	/* a tampered hpke_key: the binding fails */
	b = edited(body, len, "\"hpke_key\":\"dc", "\"hpke_key\":\"dd");
	r = run_snp(b, len, SNP_NONCE, &a);
	EXPECT(r, "snp.reportdata", CHECK_FAIL);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);
	free(b);

	/* no AMD collateral: the binding still judged, the signature an
	 * error, never a pass */
	r = run_snp(body, len, SNP_NONCE, NULL);
	EXPECT(r, "snp.reportdata", CHECK_PASS);
	EXPECT(r, "snp.report.signature", CHECK_ERROR);
	ck_assert_int_ne(r->verdict, CHECK_PASS);
	free(r);
	free(body);
	free(a.vcek);
	free(a.chain);
}
END_TEST

/* gzip of n bytes of zeros, as a new allocation of *outlen bytes. */
static uint8_t *
gzip_zeros(size_t n, size_t *outlen)
{
	z_stream zs;
	uint8_t *in = calloc(1, n), *out;
	size_t cap = n / 100 + 1024;

	out = malloc(cap);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9,
	    Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	free(in);
	return out;
}

/* gunzip: bounded; a bomb, trailing bytes, a cut stream are errors. */
START_TEST(test_gunzip)
{
	struct tmon_err err;
	uint8_t *gz, *out = NULL, *g2;
	size_t gzlen, n = 0;

	gz = gzip_zeros(MAX_QUOTE_LEN, &gzlen);
	tmon_err_clear(&err);
	ck_assert_int_eq(tinfoil_gunzip(gz, gzlen, MAX_QUOTE_LEN, &out, &n,
	    &err), TMON_OK);
	ck_assert_uint_eq(n, MAX_QUOTE_LEN);
	free(out);
	/* one byte over */
	ck_assert_int_eq(tinfoil_gunzip(gz, gzlen, MAX_QUOTE_LEN - 1, &out,
	    &n, &err), TMON_E_LIMIT);
	ck_assert_ptr_null(out);
	/* cut */
	ck_assert_int_eq(tinfoil_gunzip(gz, gzlen - 4, MAX_QUOTE_LEN, &out,
	    &n, &err), TMON_E_PARSE);
	ck_assert_ptr_null(out);
	/* a byte after the stream */
	g2 = malloc(gzlen + 1);
	ck_assert_ptr_nonnull(g2);
	memcpy(g2, gz, gzlen);
	g2[gzlen] = 0;
	ck_assert_int_eq(tinfoil_gunzip(g2, gzlen + 1, MAX_QUOTE_LEN, &out,
	    &n, &err), TMON_E_PARSE);
	free(g2);
	free(gz);
	/* not gzip */
	ck_assert_int_eq(tinfoil_gunzip((const uint8_t *)"hello", 5,
	    MAX_QUOTE_LEN, &out, &n, &err), TMON_E_PARSE);

	/* a 16 MiB bomb in a v2 document: response.parse fails, bounded */
	gz = gzip_zeros(16u * 1024 * 1024, &gzlen);
	{
		struct attest_result *r;
		char *b64 = malloc(4 * (gzlen / 3 + 1) + 1), *doc;
		size_t dlen;

		ck_assert_ptr_nonnull(b64);
		ck_assert_int_gt(EVP_EncodeBlock((unsigned char *)b64, gz,
		    (int)gzlen), 0);
		dlen = strlen(b64) + 128;
		doc = malloc(dlen);
		ck_assert_ptr_nonnull(doc);
		snprintf(doc, dlen, "{\"format\":\"%s\",\"body\":\"%s\"}",
		    TINFOIL_TDX_V2, b64);
		r = run((uint8_t *)doc, strlen(doc), V2_NONCE, T_V2, NULL);
		EXPECT(r, "response.parse", CHECK_FAIL);
		ck_assert_ptr_nonnull(strstr(get(r, "response.parse")->detail,
		    "inflates to more than"));
		free(r);
		free(doc);
		free(b64);
	}
	free(gz);
}
END_TEST

static Suite *
tinfoil_suite(void)
{
	Suite *s = suite_create("tinfoil");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tdx_v3_pass);
	tcase_add_test(tc, test_tdx_v3_other_nonce);
	tcase_add_test(tc, test_tdx_v3_tampered);
	tcase_add_test(tc, test_tdx_v3_signature);
	tcase_add_test(tc, test_unsupported);
	tcase_add_test(tc, test_v2_tdx);
	tcase_add_test(tc, test_snp_v3);
	tcase_add_test(tc, test_gunzip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tinfoil_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
