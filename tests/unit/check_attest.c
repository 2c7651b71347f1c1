/*
 * check_attest: the whole verification path (gateway decode + TDX + GPU +
 * nonce and REPORTDATA binding) over every recorded real response format
 * in tests/data/replay (see its PROVENANCE.md), plus hostile bodies.
 *
 * Expected values come from the captures themselves (the client nonce the
 * capturing tool recorded, the provider's own tcb_info.mrtd claim, the
 * documented behaviour of each provider, e.g. 13rac1/teep 929c7a0),
 * never from tmon's own output.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "attest.h"
#include "encode.h"
#include "gateway.h"
#include "tmon_limits.h"
#include "util.h"

#define REPLAY TMON_TEST_DATA "/replay/"
#define GEMMA_0610 REPLAY "nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json"
#define MULTI REPLAY "nanogpt-2026-03-25_multi/"
/* manifest.json of the 2026-06-10 capture: client nonce and time */
#define GEMMA_NONCE "9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a"
#define T_0610 1781056145
#define T_0325 1774479022

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

static void
load_nonce(const char *path, uint8_t nonce[32])
{
	size_t len;
	uint8_t *p = load(path, &len);

	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	ck_assert(hex_decode_exact((char *)p, len, nonce, 32, false));
	free(p);
}

static enum check_status
st(const struct attest_result *r, const char *id)
{
	const struct check *c = checklist_get(&r->checks, id);

	ck_assert_msg(c != NULL, "check %s missing", id);
	return c->status;
}

static const char *
detail(const struct attest_result *r, const char *id)
{
	return checklist_get(&r->checks, id)->detail;
}

static struct attest_result *
run(const char *path, const uint8_t nonce[32], int64_t at)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	uint8_t *body;
	size_t len;

	body = load(path, &len);
	attest_verify(body, len, nonce, at, r);
	free(body);
	return r;
}

START_TEST(test_gemma_recorded_nonce_passes)
{
	uint8_t nonce[32], mrtd[48];
	struct attest_result *r;
	static const char *const all[] = { "response.parse", "nonce.echo",
	    "tdx.quote.parse", "tdx.quote.signature", "tdx.pck_chain",
	    "tdx.reportdata", "gpu.evidence", "gpu.cert_chain", "gpu.nonce" };
	size_t i;

	ck_assert(hex_decode_exact(GEMMA_NONCE, 64, nonce, 32, false));
	r = run(GEMMA_0610, nonce, T_0610);
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		ck_assert_msg(st(r, all[i]) == CHECK_PASS, "%s: %s: %s",
		    all[i], check_status_str(st(r, all[i])),
		    detail(r, all[i]));
	/* the event log replays (teep reports RTMR3 as a mismatch
	 * on this very response), the compose file is bound, the TD policy
	 * holds; without collateral the TCB cannot be judged (error), and
	 * without an allow-list the measurement is unpinned (warn) */
	ck_assert_int_eq(st(r, "tdx.event_log"), CHECK_PASS);
	ck_assert_int_eq(st(r, "tdx.compose"), CHECK_PASS);
	ck_assert_int_eq(st(r, "tdx.td_attributes"), CHECK_PASS);
	ck_assert_int_eq(st(r, "tdx.tcb"), CHECK_ERROR);
	ck_assert_int_eq(st(r, "tdx.collateral"), CHECK_ERROR);
	ck_assert_int_eq(st(r, "measurement.policy"), CHECK_WARN);
	ck_assert_int_eq(r->verdict, CHECK_WARN);
	ck_assert_int_eq(r->format, GW_FORMAT_DSTACK);
	ck_assert_str_eq(r->m.reportdata_layout, "address+nonce");
	/* info.tcb_info.mrtd as served in the same response */
	ck_assert(hex_decode_exact("b24d3b24e9e3c16012376b52362ca09856c4adec"
	    "b709d5fac33addf1c47e193da075b125b6c364115771390a5461e217", 96,
	    mrtd, 48, false));
	ck_assert(memcmp(r->m.mrtd, mrtd, 48) == 0);
	ck_assert_str_eq(r->m.signing_address,
	    "0xa6df16ebBc510D97A32b99B4DFD33793acC90e2b");
	ck_assert_uint_eq(r->m.n_gpus, 1);
	free(r);
}
END_TEST

START_TEST(test_gemma_other_nonce_fails_binding)
{
	uint8_t nonce[32];
	struct attest_result *r;

	ck_assert(hex_decode_exact(GEMMA_NONCE, 64, nonce, 32, false));
	nonce[31] ^= 1;
	r = run(GEMMA_0610, nonce, T_0610);
	ck_assert_int_eq(st(r, "nonce.echo"), CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(r, "nonce.echo"),
	    "replayed or cached"));
	ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(r, "tdx.reportdata"),
	    "internally consistent only"));
	ck_assert_int_eq(st(r, "gpu.nonce"), CHECK_FAIL);
	/* the evidence itself is still genuine */
	ck_assert_int_eq(st(r, "tdx.quote.signature"), CHECK_PASS);
	ck_assert_int_eq(st(r, "tdx.pck_chain"), CHECK_PASS);
	ck_assert_int_eq(st(r, "gpu.evidence"), CHECK_PASS);
	ck_assert_int_eq(st(r, "gpu.cert_chain"), CHECK_PASS);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);
}
END_TEST

/*
 * NanoGPT 2026-03-25, dstack format: NanoGPT echoed the client nonce in a
 * top-level "nonce" but the backend attested another request_nonce
 * (13rac1/teep commit 929c7a0 documents it).
 */
START_TEST(test_multi_dstack_internally_consistent_only)
{
	static const char *const models[] = { "gemma-3-27b-it",
	    "gpt-oss-120b" };
	char path[512];
	uint8_t nonce[32];
	struct attest_result *r;
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), MULTI "%s_nonce.txt", models[i]);
		load_nonce(path, nonce);
		snprintf(path, sizeof(path), MULTI "%s_attestation.json",
		    models[i]);
		r = run(path, nonce, T_0325);
		ck_assert_int_eq(r->format, GW_FORMAT_DSTACK);
		ck_assert_int_eq(st(r, "nonce.echo"), CHECK_FAIL);
		ck_assert_ptr_nonnull(strstr(detail(r, "nonce.echo"),
		    "gateway echoed our nonce"));
		ck_assert_int_eq(st(r, "tdx.quote.signature"), CHECK_PASS);
		ck_assert_int_eq(st(r, "tdx.pck_chain"), CHECK_PASS);
		ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_FAIL);
		ck_assert_ptr_nonnull(strstr(detail(r, "tdx.reportdata"),
		    "internally consistent only"));
		ck_assert_int_eq(st(r, "gpu.evidence"), CHECK_PASS);
		ck_assert_int_eq(st(r, "gpu.cert_chain"), CHECK_PASS);
		ck_assert_int_eq(st(r, "gpu.nonce"), CHECK_FAIL);
		free(r);
	}
}
END_TEST

/* NEAR AI gateway format behind NanoGPT: gateway TEE (ed25519) plus model
 * TEEs with 8 H100 each. */
START_TEST(test_multi_near_gateway)
{
	static const char *const models[] = { "glm-5",
	    "qwen3-30b-a3b-instruct-2507" };
	static const size_t natt[] = { 4, 2 };
	char path[512];
	uint8_t nonce[32];
	struct attest_result *r;
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), MULTI "%s_nonce.txt", models[i]);
		load_nonce(path, nonce);
		snprintf(path, sizeof(path), MULTI "%s_attestation.json",
		    models[i]);
		r = run(path, nonce, T_0325);
		ck_assert_int_eq(r->format, GW_FORMAT_NEAR_GATEWAY);
		ck_assert_uint_eq(r->m.n_attestations, natt[i]);
		ck_assert_uint_eq(r->m.n_gpus, 8);
		ck_assert_int_eq(st(r, "tdx.event_log"), CHECK_PASS);
		ck_assert_int_eq(st(r, "tdx.compose"), CHECK_PASS);
		ck_assert_int_eq(st(r, "tdx.quote.signature"), CHECK_PASS);
		ck_assert_int_eq(st(r, "tdx.pck_chain"), CHECK_PASS);
		ck_assert_int_eq(st(r, "gpu.evidence"), CHECK_PASS);
		ck_assert_int_eq(st(r, "gpu.cert_chain"), CHECK_PASS);
		/* request_nonce != client nonce in this capture set */
		ck_assert_int_eq(st(r, "nonce.echo"), CHECK_FAIL);
		ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_FAIL);
		ck_assert_ptr_nonnull(strstr(detail(r, "tdx.reportdata"),
		    "internally consistent only"));
		free(r);
	}
}
END_TEST

/* NEAR AI cloud report: client nonce passed through end to end. */
START_TEST(test_nearai_cloud_bound)
{
	uint8_t nonce[32];
	struct attest_result *r;

	/* request_nonce in the body; see tests/data/replay/PROVENANCE.md */
	ck_assert(hex_decode_exact("deadbeef00000000000000000000000000000000"
	    "000000000000000000000001", 64, nonce, 32, false));
	r = run(REPLAY "nearai-cloud/nearai_cloud_report_openai_gpt_oss_120b"
	    ".json", nonce, T_0610);
	ck_assert_int_eq(r->format, GW_FORMAT_NEAR_GATEWAY);
	/* model, gateway and the model's compose manager, whose action log
	 * of March 2026 is not hashed the documented way (a warning) */
	ck_assert_uint_eq(r->m.n_attestations, 3);
	ck_assert_int_eq(st(r, "nonce.echo"), CHECK_PASS);
	ck_assert_msg(st(r, "tdx.reportdata") == CHECK_WARN, "%s",
	    detail(r, "tdx.reportdata"));
	ck_assert_ptr_nonnull(strstr(detail(r, "tdx.reportdata"),
	    "compose-manager[0]: REPORTDATA binds actions_hash and our nonce"));
	ck_assert_int_eq(st(r, "tdx.quote.signature"), CHECK_PASS);
	ck_assert_int_eq(st(r, "gpu.evidence"), CHECK_PASS);
	ck_assert_int_eq(st(r, "gpu.nonce"), CHECK_PASS);
	ck_assert_str_eq(r->m.signing_address,
	    "0x56d070df1c6be444b007839ef9cf67cec7c12b8b");
	free(r);
}
END_TEST

/* Chutes through NanoGPT: the gateway echoes our nonce, the instances
 * attest nonces the gateway chose. */
START_TEST(test_multi_chutes)
{
	uint8_t nonce[32];
	struct attest_result *r;

	load_nonce(MULTI "kimi-k2.5_nonce.txt", nonce);
	r = run(MULTI "kimi-k2.5_attestation.json", nonce, T_0325);
	ck_assert_int_eq(r->format, GW_FORMAT_CHUTES);
	ck_assert_uint_eq(r->m.n_attestations, 5);
	/* Chutes serves no event log or compose file */
	ck_assert_int_eq(st(r, "tdx.event_log"), CHECK_SKIP);
	ck_assert_int_eq(st(r, "tdx.compose"), CHECK_SKIP);
	ck_assert_int_eq(st(r, "tdx.td_attributes"), CHECK_PASS);
	ck_assert_int_eq(st(r, "nonce.echo"), CHECK_PASS);
	ck_assert_int_eq(st(r, "tdx.quote.signature"), CHECK_PASS);
	ck_assert_int_eq(st(r, "tdx.pck_chain"), CHECK_PASS);
	ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(r, "tdx.reportdata"),
	    "layout chutes"));
	ck_assert_int_eq(st(r, "gpu.evidence"), CHECK_PASS);
	ck_assert_int_eq(st(r, "gpu.cert_chain"), CHECK_PASS);
	ck_assert_int_eq(st(r, "gpu.nonce"), CHECK_FAIL);
	free(r);
}
END_TEST

/* RedPill phala/deepseek-v3.2, served by Chutes: its nonce is not ours. */
START_TEST(test_redpill_chutes)
{
	uint8_t nonce[32];
	struct attest_result *r;

	/* redpill_..._manifest.json nonce_hex */
	ck_assert(hex_decode_exact("732f6f1c1b4445d4ab4ad892728343f7fcb0f595"
	    "ce79f91ecfdeaae657bb7c7e", 64, nonce, 32, false));
	r = run(REPLAY "redpill-teep/redpill_phala-deepseek-v3.2_2026-06-10_"
	    "attestation_response.json", nonce, T_0610);
	ck_assert_int_eq(r->format, GW_FORMAT_CHUTES);
	ck_assert_int_eq(st(r, "nonce.echo"), CHECK_FAIL);
	ck_assert_int_eq(st(r, "tdx.quote.signature"), CHECK_PASS);
	ck_assert_int_eq(st(r, "gpu.evidence"), CHECK_PASS);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);
}
END_TEST

/* Tinfoil v2 (check_tinfoil has the rest): the quote verifies, but the
 * document binds no nonce, so it is never a pass. */
START_TEST(test_multi_tinfoil_v2)
{
	uint8_t nonce[32];
	struct attest_result *r;

	load_nonce(MULTI "llama3-3-70b_nonce.txt", nonce);
	r = run(MULTI "llama3-3-70b_attestation.json", nonce, T_0325);
	ck_assert_int_eq(r->format, GW_FORMAT_TINFOIL);
	ck_assert_int_eq(st(r, "tdx.quote.signature"), CHECK_PASS);
	ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_FAIL);
	ck_assert_int_eq(st(r, "gpu.evidence"), CHECK_SKIP);
	ck_assert_ptr_nonnull(strstr(detail(r, "tdx.reportdata"),
	    "binds no nonce"));
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);
}
END_TEST

static struct attest_result *
run_mem(const char *s, size_t len)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	uint8_t nonce[32] = { 0 };

	attest_verify((const uint8_t *)s, len, nonce, T_0610, r);
	return r;
}

START_TEST(test_hostile_bodies)
{
	static const char *const bad[] = {
		"",
		"not json",
		"[1,2,3]",
		"{\"intel_quote\":\"00\",\"intel_quote\":\"01\"}",
		"{\"request_nonce\":\"zz\",\"intel_quote\":\"00\"}",
		"{\"intel_quote\":123}",
		"{\"attestation_type\":\"chutes\",\"all_attestations\":7}",
		"{\"model_attestations\":{}}",
	};
	struct attest_result *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run_mem(bad[i], strlen(bad[i]));
		ck_assert_msg(st(r, "response.parse") == CHECK_FAIL,
		    "case %zu", i);
		ck_assert_int_eq(r->verdict, CHECK_FAIL);
		free(r);
	}
	/* well-formed JSON of no known format: not checked, not wrong */
	r = run_mem("{\"something\":\"else\"}",
	    strlen("{\"something\":\"else\"}"));
	ck_assert_int_eq(st(r, "response.parse"), CHECK_ERROR);
	ck_assert_int_eq(r->verdict, CHECK_ERROR);
	free(r);
	/* a quote that decodes but is garbage: parse fail, no crash */
	r = run_mem("{\"intel_quote\":\"0400020081\",\"signing_address\":"
	    "\"0x00\"}", 51);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);
}
END_TEST

/* The real gemma body cut at many lengths: never a crash, never a pass. */
START_TEST(test_truncated_body)
{
	uint8_t nonce[32], *body;
	struct attest_result *r = calloc(1, sizeof(*r));
	size_t len, cut;

	ck_assert(hex_decode_exact(GEMMA_NONCE, 64, nonce, 32, false));
	body = load(GEMMA_0610, &len);
	for (cut = 0; cut < len; cut += (cut < 4096 ? 61 : 4093)) {
		attest_verify(body, cut, nonce, T_0610, r);
		ck_assert_int_eq(st(r, "response.parse"), CHECK_FAIL);
		ck_assert_int_ne(r->verdict, CHECK_PASS);
	}
	free(body);
	free(r);
}
END_TEST

static Suite *
attest_suite(void)
{
	Suite *s = suite_create("attest");
	TCase *tc = tcase_create("formats");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_gemma_recorded_nonce_passes);
	tcase_add_test(tc, test_gemma_other_nonce_fails_binding);
	tcase_add_test(tc, test_multi_dstack_internally_consistent_only);
	tcase_add_test(tc, test_multi_near_gateway);
	tcase_add_test(tc, test_nearai_cloud_bound);
	tcase_add_test(tc, test_multi_chutes);
	tcase_add_test(tc, test_redpill_chutes);
	tcase_add_test(tc, test_multi_tinfoil_v2);
	tcase_add_test(tc, test_hostile_bodies);
	tcase_add_test(tc, test_truncated_body);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(attest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
