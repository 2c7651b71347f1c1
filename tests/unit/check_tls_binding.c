/*
 * check_tls_binding: tls.binding (tls_binding.h) on the recorded NEAR AI
 * cloud and direct reports of 2026-06-29 (tests/data/near, see its
 * PROVENANCE.md).  The served key is the capture's own record of the
 * TLS connection: peer_spki_der_base64 of attestation_http_meta.json
 * (decoded into peer_spki.der), and the certificate chain the cloud
 * answer serves in its tls_certificate member (tls_certificate.pem).
 * And on the Tinfoil v3 captures (tests/data/tinfoil, PROVENANCE.md): an
 * SEV-SNP and a TDX document, with the peer_spki_der_base64 and
 * nonce_hex their own .json and manifest.json record.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "attest.h"
#include "encode.h"
#include "tls_binding.h"
#include "tmon_limits.h"
#include "util.h"

#define NEAR TMON_TEST_DATA "/near/"
#define CLOUD NEAR "nearcloud-2026-06-29/"
#define DIRECT NEAR "neardirect-2026-06-29/"
/* manifest.json nonce_hex of each capture */
#define CLOUD_NONCE \
	"e79c2ec87ccfa76f3aef88deec0687facbd85d1689d82b0cc2de1353f7a62609"
#define DIRECT_NONCE \
	"541b6523f9446dcd170e67ac8171eb9226bee5e3f192de4900b74f0ef293500b"
/* the cloud answer's Date: Mon, 29 Jun 2026 02:06:50 GMT */
#define T_0629 1782698810

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

/* SHA-256 of the recorded SPKI of capture dir. */
static void
recorded_spki(const char *dir, uint8_t out[32])
{
	char path[512];
	uint8_t *der;
	size_t len;

	snprintf(path, sizeof(path), "%speer_spki.der", dir);
	der = load(path, &len);
	sha256(der, len, out);
	free(der);
}

/* tls.binding of the capture in dir with spki (NULL: not over TLS). */
static const struct check *
binding(const char *dir, const char *nonce_hex, const uint8_t *spki,
    struct attest_result *r)
{
	struct attest_ctx ctx;
	uint8_t nonce[32], *body;
	char path[512];
	size_t len;
	const struct check *c;

	snprintf(path, sizeof(path), "%sattestation_report.body", dir);
	body = load(path, &len);
	ck_assert(hex_decode_exact(nonce_hex, 64, nonce, 32, false));
	memset(&ctx, 0, sizeof(ctx));
	if (spki != NULL) {
		ctx.has_tls_spki = true;
		memcpy(ctx.tls_spki_sha256, spki, 32);
	}
	attest_verify_ctx(body, len, nonce, T_0629, &ctx, r);
	free(body);
	c = checklist_get(&r->checks, "tls.binding");
	ck_assert_ptr_nonnull(c);
	return c;
}

/* Direct: the model's own endpoint; its recorded key passes, a flipped
 * byte fails, no TLS skips. */
START_TEST(test_direct)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	const struct check *c;
	uint8_t spki[32];

	ck_assert_ptr_nonnull(r);
	recorded_spki(DIRECT, spki);
	c = binding(DIRECT, DIRECT_NONCE, spki, r);
	ck_assert_msg(c->status == CHECK_PASS, "%s", c->detail);
	ck_assert_ptr_nonnull(strstr(c->detail, "model"));
	ck_assert_msg(checklist_get(&r->checks, "tdx.reportdata")->status ==
	    CHECK_PASS, "%s", checklist_get(&r->checks,
	    "tdx.reportdata")->detail);

	spki[31] ^= 0x01;
	c = binding(DIRECT, DIRECT_NONCE, spki, r);
	ck_assert_msg(c->status == CHECK_FAIL, "%s", c->detail);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);

	c = binding(DIRECT, DIRECT_NONCE, NULL, r);
	ck_assert_msg(c->status == CHECK_SKIP, "%s", c->detail);
	ck_assert_ptr_nonnull(strstr(c->detail, "not over TLS"));
	free(r);
}
END_TEST

/* Cloud: the connection ends in the gateway, whose fingerprint is
 * compared; the model's own key (the direct capture's) is not it. */
START_TEST(test_cloud_gateway)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	const struct check *c;
	uint8_t spki[32];

	ck_assert_ptr_nonnull(r);
	recorded_spki(CLOUD, spki);
	c = binding(CLOUD, CLOUD_NONCE, spki, r);
	ck_assert_msg(c->status == CHECK_PASS, "%s", c->detail);
	ck_assert_ptr_nonnull(strstr(c->detail, "gateway"));

	recorded_spki(DIRECT, spki);
	c = binding(CLOUD, CLOUD_NONCE, spki, r);
	ck_assert_msg(c->status == CHECK_FAIL, "%s", c->detail);

	recorded_spki(CLOUD, spki);
	spki[0] ^= 0x80;
	c = binding(CLOUD, CLOUD_NONCE, spki, r);
	ck_assert_msg(c->status == CHECK_FAIL, "%s", c->detail);
	free(r);
}
END_TEST

/* A served fingerprint that REPORTDATA does not bind binds nothing. */
START_TEST(test_unbound_fingerprint)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	struct attest_ctx ctx;
	const struct check *c;
	uint8_t nonce[32], *body, *p;
	char *q;
	size_t len;

	ck_assert_ptr_nonnull(r);
	body = load(DIRECT "attestation_report.body", &len);
	q = strstr((char *)body, "\"tls_cert_fingerprint\":\"");
	ck_assert_ptr_nonnull(q);
	p = (uint8_t *)q + strlen("\"tls_cert_fingerprint\":\"");
	*p = *p == '0' ? '1' : '0';
	ck_assert(hex_decode_exact(DIRECT_NONCE, 64, nonce, 32, false));
	memset(&ctx, 0, sizeof(ctx));
	ctx.has_tls_spki = true;
	recorded_spki(DIRECT, ctx.tls_spki_sha256);
	attest_verify_ctx(body, len, nonce, T_0629, &ctx, r);
	c = checklist_get(&r->checks, "tls.binding");
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(c->status == CHECK_SKIP, "%s", c->detail);
	ck_assert_int_eq(checklist_get(&r->checks, "tdx.reportdata")->status,
	    CHECK_FAIL);
	free(body);
	free(r);
}
END_TEST

/* The SPKI from each file form equals the recorded one. */
START_TEST(test_spki_files)
{
	static const char *const f[] = { DIRECT "peer_spki.der",
	    DIRECT "peer_spki.pem" };
	struct tmon_err err;
	uint8_t want[32], got[32], *b;
	size_t len, i;

	recorded_spki(DIRECT, want);
	for (i = 0; i < 2; i++) {
		b = load(f[i], &len);
		tmon_err_clear(&err);
		ck_assert_msg(tls_spki_sha256_of(b, len, got, &err) == TMON_OK,
		    "%s: %s", f[i], err.msg);
		ck_assert_mem_eq(got, want, 32);
		free(b);
	}
	/* the chain the cloud answer serves: its leaf is the gateway's */
	recorded_spki(CLOUD, want);
	b = load(CLOUD "tls_certificate.pem", &len);
	ck_assert_int_eq(tls_spki_sha256_of(b, len, got, &err), TMON_OK);
	ck_assert_mem_eq(got, want, 32);
	free(b);
	/* a flipped byte of the DER key is no key; text is no key */
	b = load(DIRECT "peer_spki.der", &len);
	b[1] ^= 0x40;
	ck_assert_int_eq(tls_spki_sha256_of(b, len, got, &err), TMON_E_PARSE);
	ck_assert_int_eq(tls_spki_sha256_of((const uint8_t *)"hello", 5, got,
	    &err), TMON_E_PARSE);
	ck_assert_int_eq(tls_spki_sha256_of(b, 0, got, &err), TMON_E_PARSE);
	free(b);
}
END_TEST

#define TINFOIL TMON_TEST_DATA "/tinfoil/"

/* The recorded served key's hash and the client nonce of a Tinfoil
 * capture: meta is its attestation .json, dir its folder. */
static void
tinfoil_recorded(const char *dir, const char *meta, uint8_t spki[32],
    uint8_t nonce[32])
{
	char path[512];
	json_t *m, *man;
	const char *b64, *n;
	uint8_t *der;
	size_t len;

	snprintf(path, sizeof(path), "%s%s", dir, meta);
	m = json_load_file(path, 0, NULL);
	ck_assert_ptr_nonnull(m);
	b64 = json_string_value(json_object_get(m, "peer_spki_der_base64"));
	ck_assert_ptr_nonnull(b64);
	der = b64_decode_alloc(b64, strlen(b64), 4096, &len);
	ck_assert_ptr_nonnull(der);
	sha256(der, len, spki);
	free(der);
	json_decref(m);
	snprintf(path, sizeof(path), "%smanifest.json", dir);
	man = json_load_file(path, 0, NULL);
	ck_assert_ptr_nonnull(man);
	n = json_string_value(json_object_get(man, "nonce_hex"));
	ck_assert_ptr_nonnull(n);
	ck_assert(hex_decode_exact(n, strlen(n), nonce, 32, false));
	json_decref(man);
}

/* Tinfoil v3 (SEV-SNP and TDX): report_data.tls_key_fp is SHA-256 of
 * the served SPKI: pass; a flipped byte: fail. */
START_TEST(test_tinfoil_v3)
{
	static const char *const cap[][2] = {
		{ TINFOIL "snp-v3/", "0001_inference.tinfoil.sh_.well-known_"
		  "tinfoil-attestation" },
		{ TINFOIL "tdx-v3/", "0002_gemma4-31b-1.inf10.tinfoil.sh_."
		  "well-known_tinfoil-attestation" },
	};
	struct attest_result *r = calloc(1, sizeof(*r));
	struct attest_ctx ctx;
	const struct check *c;
	uint8_t nonce[32], *body;
	char path[512], meta[256];
	size_t len;

	ck_assert_ptr_nonnull(r);
	snprintf(meta, sizeof(meta), "%s.json", cap[_i][1]);
	memset(&ctx, 0, sizeof(ctx));
	ctx.has_tls_spki = true;
	tinfoil_recorded(cap[_i][0], meta, ctx.tls_spki_sha256, nonce);
	snprintf(path, sizeof(path), "%s%s.body", cap[_i][0], cap[_i][1]);
	body = load(path, &len);
	attest_verify_ctx(body, len, nonce, T_0629, &ctx, r);
	c = checklist_get(&r->checks, "tls.binding");
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(c->status == CHECK_PASS, "%s", c->detail);
	ck_assert_ptr_nonnull(strstr(c->detail, "tinfoil"));

	ctx.tls_spki_sha256[5] ^= 0x04;
	attest_verify_ctx(body, len, nonce, T_0629, &ctx, r);
	c = checklist_get(&r->checks, "tls.binding");
	ck_assert_msg(c->status == CHECK_FAIL, "%s", c->detail);
	free(body);
	free(r);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("tls_binding");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_direct);
	tcase_add_test(tc, test_cloud_gateway);
	tcase_add_test(tc, test_unbound_fingerprint);
	tcase_add_test(tc, test_spki_files);
	tcase_add_loop_test(tc, test_tinfoil_v3, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
