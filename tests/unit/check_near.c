/*
 * check_near: the NEAR AI compose manager (gateway_near.h,
 * attest_near.h) on the recorded NEAR AI cloud and direct reports of
 * 2026-06-29 (tests/data/near, see its PROVENANCE.md): a third TEE,
 * judged with the collateral of its own FMSPC like the others.
 *
 * Expected values come from the captures: the client nonce in each
 * manifest.json, the verification time from the HTTP Date, and the
 * collateral of the same capture run (tests/data/dcap); the canonical
 * action-log hash vector is the public example of NEAR AI's verifier
 * tests ('[{"action":"compose_up","tag":"v1","timestamp":...}]').
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "attest.h"
#include "attest_near.h"
#include "encode.h"
#include "gateway.h"
#include "tdx_collateral.h"
#include "tmon_limits.h"
#include "util.h"

#define NEAR TMON_TEST_DATA "/near/"
#define CLOUD NEAR "nearcloud-2026-06-29/attestation_report.body"
#define DIRECT NEAR "neardirect-2026-06-29/attestation_report.body"
#define COLL TMON_TEST_DATA "/dcap/evidence/teep/" \
	"nearcloud_qwen_qwen3.5-122b-a10b_20260629_020657/"
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

static const struct check *
get(const struct attest_result *r, const char *id)
{
	const struct check *c = checklist_get(&r->checks, id);

	ck_assert_msg(c != NULL, "check %s missing", id);
	return c;
}

/* Collateral by FMSPC: the two of the cloud capture run. */
struct colls {
	struct tdx_collateral	*c[2];
	int			 asked[2];
};

static const struct tdx_collateral *
by_fmspc(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	struct colls *cs = arg;
	uint8_t f[6];
	int i;

	(void)pck_ca;
	for (i = 0; i < 2; i++) {
		tdx_collateral_fmspc(cs->c[i], f);
		if (memcmp(f, fmspc, 6) == 0) {
			cs->asked[i]++;
			return cs->c[i];
		}
	}
	return NULL;
}

static void
colls_load(struct colls *cs)
{
	static const char *const f[2] = { COLL "collateral_90c06f000000.json",
	    COLL "collateral_b0c06f000000.json" };
	struct tmon_err err;
	uint8_t *t;
	size_t len;
	int i;

	memset(cs, 0, sizeof(*cs));
	for (i = 0; i < 2; i++) {
		t = load(f[i], &len);
		tmon_err_clear(&err);
		ck_assert_msg(tdx_collateral_from_qvl_json(t, len, &cs->c[i],
		    &err) == TMON_OK, "%s", err.msg);
		free(t);
	}
}

static struct attest_result *
run(const uint8_t *body, size_t len, const char *nonce_hex,
    struct colls *cs)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	struct attest_ctx ctx;
	uint8_t nonce[32];

	ck_assert_ptr_nonnull(r);
	ck_assert(hex_decode_exact(nonce_hex, 64, nonce, 32, false));
	memset(&ctx, 0, sizeof(ctx));
	if (cs != NULL) {
		ctx.collateral = by_fmspc;
		ctx.collateral_arg = cs;
	}
	attest_verify_ctx(body, len, nonce, T_0629, &ctx, r);
	return r;
}

/* The public example: canonical JSON and its SHA-256. */
START_TEST(test_actions_hash_vector)
{
	json_t *a;
	uint8_t h[32];
	char hex[65];

	a = json_loads("[{\"timestamp\":\"2026-01-01T00:00:00+00:00\","
	    "\"action\":\"compose_up\",\"tag\":\"v1\"}]", 0, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert(near_actions_hash(a, h));
	ck_assert_str_eq(hex_encode(h, 32, hex), "381eb48dc299dafbbcd49c1a0099"
	    "98240f641865f35e435d2f07385c6e6b2a23");
	json_decref(a);
	ck_assert(!near_actions_hash(NULL, h));
}
END_TEST

/* Cloud: model, gateway and compose manager, each with its own FMSPC's
 * collateral; every check passes but the unpinned policy. */
START_TEST(test_cloud_three_tees)
{
	struct attest_result *r;
	struct colls cs;
	uint8_t *body;
	size_t len;

	colls_load(&cs);
	body = load(CLOUD, &len);
	r = run(body, len, CLOUD_NONCE, &cs);
	ck_assert_int_eq(r->format, GW_FORMAT_NEAR_GATEWAY);
	ck_assert_uint_eq(r->m.n_attestations, 3);
	ck_assert_msg(get(r, "tdx.reportdata")->status == CHECK_PASS, "%s",
	    get(r, "tdx.reportdata")->detail);
	ck_assert_msg(get(r, "tdx.tcb")->status == CHECK_PASS, "%s",
	    get(r, "tdx.tcb")->detail);
	ck_assert_msg(get(r, "tdx.collateral")->status == CHECK_PASS, "%s",
	    get(r, "tdx.collateral")->detail);
	ck_assert_int_eq(get(r, "tdx.quote.signature")->status, CHECK_PASS);
	ck_assert_int_eq(get(r, "tdx.event_log")->status, CHECK_PASS);
	ck_assert_int_eq(get(r, "nonce.echo")->status, CHECK_PASS);
	/* both FMSPCs were asked for */
	ck_assert_int_gt(cs.asked[0], 0);
	ck_assert_int_gt(cs.asked[1], 0);
	ck_assert_int_ne(r->verdict, CHECK_FAIL);
	free(r);
	free(body);
	tdx_collateral_free(cs.c[0]);
	tdx_collateral_free(cs.c[1]);
}
END_TEST

/* Another nonce, a flipped actions_hash: fail; an edited action: warn. */
START_TEST(test_cloud_other_nonce)
{
	struct attest_result *r;
	uint8_t *body, *p;
	size_t len;
	char *q;

	body = load(CLOUD, &len);
	q = strstr((char *)body, "\"compose_manager_attestation\"");
	ck_assert_ptr_nonnull(q);
	r = run(body, len, "e79c2ec87ccfa76f3aef88deec0687facbd85d1689d82b0cc2"
	    "de1353f7a62608", NULL);
	ck_assert_int_eq(get(r, "tdx.reportdata")->status, CHECK_FAIL);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);

	/* a flipped byte of the served actions_hash: REPORTDATA no longer
	 * binds it */
	q = strstr(q, "\"actions_hash\":\"");
	ck_assert_ptr_nonnull(q);
	p = (uint8_t *)q + strlen("\"actions_hash\":\"");
	*p = *p == '0' ? '1' : '0';
	r = run(body, len, CLOUD_NONCE, NULL);
	ck_assert_int_eq(get(r, "tdx.reportdata")->status, CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(get(r, "tdx.reportdata")->detail,
	    "compose-manager[0]: REPORTDATA[0:32] is not the served "
	    "actions_hash"));
	free(r);
	*p = *p == '0' ? '1' : '0';

	/* an edited action: the log shown is not the attested one */
	q = strstr((char *)body, "\"action\":\"compose_up\"");
	ck_assert_ptr_nonnull(q);
	q[10] = 'X';
	r = run(body, len, CLOUD_NONCE, NULL);
	ck_assert_int_eq(get(r, "tdx.reportdata")->status, CHECK_WARN);
	ck_assert_ptr_nonnull(strstr(get(r, "tdx.reportdata")->detail,
	    "does not hash to actions_hash"));
	free(r);
	free(body);
}
END_TEST

/* Direct (flat) report: the model and its compose manager. */
START_TEST(test_direct_two_tees)
{
	struct attest_result *r;
	struct colls cs;
	uint8_t *body;
	size_t len;

	colls_load(&cs);
	body = load(DIRECT, &len);
	r = run(body, len, DIRECT_NONCE, &cs);
	ck_assert_int_eq(r->format, GW_FORMAT_DSTACK);
	ck_assert_uint_eq(r->m.n_attestations, 2);
	ck_assert_msg(get(r, "tdx.reportdata")->status == CHECK_PASS, "%s",
	    get(r, "tdx.reportdata")->detail);
	ck_assert_msg(get(r, "tdx.tcb")->status == CHECK_PASS, "%s",
	    get(r, "tdx.tcb")->detail);
	ck_assert_int_eq(get(r, "nonce.echo")->status, CHECK_PASS);
	free(r);
	free(body);
	tdx_collateral_free(cs.c[0]);
	tdx_collateral_free(cs.c[1]);
}
END_TEST

/* Hostile compose manager members. */
START_TEST(test_hostile_cm)
{
	static const char *const bad[] = {
		"{\"intel_quote\":\"00\",\"compose_manager_attestation\":7}",
		"{\"intel_quote\":\"00\",\"compose_manager_attestation\":"
		    "{\"quote\":\"zz\"}}",
		"{\"intel_quote\":\"00\",\"compose_manager_attestation\":"
		    "{\"nonce\":\"12\"}}",
		"{\"intel_quote\":\"00\",\"compose_manager_attestation\":"
		    "{\"actions_hash\":7}}",
		"{\"intel_quote\":\"00\",\"compose_manager_attestation\":"
		    "{\"actions\":{}}}",
	};
	struct attest_result *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run((const uint8_t *)bad[i], strlen(bad[i]), CLOUD_NONCE,
		    NULL);
		ck_assert_msg(get(r, "response.parse")->status == CHECK_FAIL,
		    "case %zu", i);
		ck_assert_int_eq(r->verdict, CHECK_FAIL);
		free(r);
	}
}
END_TEST

static Suite *
near_suite(void)
{
	Suite *s = suite_create("near");
	TCase *tc = tcase_create("near");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_actions_hash_vector);
	tcase_add_test(tc, test_cloud_three_tees);
	tcase_add_test(tc, test_cloud_other_nonce);
	tcase_add_test(tc, test_direct_two_tees);
	tcase_add_test(tc, test_hostile_cm);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(near_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
