/*
 * check_config: the schedule loader is strict (design.md section 9):
 * unknown keys, wrong types and bad values are errors naming the line,
 * column and JSON path; defaults apply where keys are absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "config.h"

static enum tmon_rc
parse(const char *text, struct config **cfg, struct tmon_err *err)
{
	tmon_err_clear(err);
	*cfg = NULL;
	return config_parse(text, strlen(text), "t.json", cfg, err);
}

START_TEST(test_minimal_and_defaults)
{
	struct config *cfg;
	struct tmon_err err;

	ck_assert_int_eq(parse("{\"models\": []}", &cfg, &err), TMON_OK);
	ck_assert_uint_eq(cfg->n_models, 0);
	ck_assert_uint_eq(cfg->max_concurrent, 4);
	ck_assert_uint_eq(cfg->max_body_bytes, 8u * 1024 * 1024);
	config_free(cfg);

	ck_assert_int_eq(parse("{\"models\": [{\"provider\": \"nanogpt\", "
	    "\"model\": \"TEE/gemma-3-27b-it\", \"base_url\": "
	    "\"https://nano-gpt.com/\", \"api_key_env\": \"NANOGPT_API_KEY\"}]}",
	    &cfg, &err), TMON_OK);
	ck_assert_uint_eq(cfg->n_models, 1);
	ck_assert_str_eq(cfg->models[0].base_url, "https://nano-gpt.com");
	ck_assert_str_eq(cfg->models[0].name, "TEE/gemma-3-27b-it");
	ck_assert_uint_eq(cfg->models[0].interval_s, 300);
	ck_assert_uint_eq(cfg->models[0].jitter_s, 30);
	ck_assert_uint_eq(cfg->models[0].timeout_s, 60);
	ck_assert_int_eq(cfg->models[0].route, ROUTE_NANOGPT);
	config_free(cfg);
}
END_TEST

struct bad {
	const char	*text;
	const char	*want;		/* substring of the error */
};

START_TEST(test_rejects_with_position)
{
	static const struct bad bad[] = {
		{ "{\"models\": [\n  {\"provider\": \"nanogpt\", \"model\": \"m\","
		  "\n   \"base_url\": \"http://x\", \"intervall\": 5}]}",
		  "t.json:3:28: models[0].intervall: unknown key" },
		{ "{\"models\": [{\"provider\": \"nanogpt\", \"model\": \"m\", "
		  "\"base_url\": \"http://x\", \"interval_s\": \"5\"}]}",
		  "models[0].interval_s: must be an integer" },
		{ "{\"models\": [{\"provider\": \"nanogpt\", \"model\": \"m\", "
		  "\"base_url\": \"http://x\", \"interval_s\": 0}]}",
		  "models[0].interval_s: must be between 1 and 86400" },
		{ "{\"models\": [{\"provider\": \"acme\", \"model\": \"m\", "
		  "\"base_url\": \"http://x\"}]}",
		  "models[0].provider: unknown provider" },
		{ "{\"models\": [{\"provider\": \"nanogpt\", \"model\": \"m\", "
		  "\"base_url\": \"ftp://x\"}]}",
		  "models[0].base_url: must start with http" },
		{ "{\"models\": [{\"provider\": \"nanogpt\", \"base_url\": "
		  "\"http://x\"}]}", "models[0]: missing required key \"model\"" },
		{ "{\"models\": {}}", "t.json:1:2: models: must be an array" },
		{ "{}", "missing required key \"models\"" },
		{ "{\"models\": [], \"models\": []}", "duplicate object key" },
		{ "{\"models\": [], \"extra\": 1}", "t.json:1:16: extra: unknown key" },
		{ "{\"models\": [", "t.json:1:" },
		{ "{\"models\": [{\"provider\": \"nanogpt\", \"model\": \"m\", "
		  "\"base_url\": \"http://x\"}, {\"provider\": \"nanogpt\", "
		  "\"model\": \"m\", \"base_url\": \"http://y\"}]}",
		  "models[1]: duplicate name" },
		{ "[]", "(top): must be an object" },
		/* fuzz finding: nesting deeper than the position scanner
		 * goes made it loop in place (signed overflow) */
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		  "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
		  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "(top): must be an object" },
		{ "{\"models\": [], \"max_concurrent\": 1000}",
		  "max_concurrent: must be between 1 and 64" },
	};
	struct config *cfg;
	struct tmon_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i].text, &cfg, &err) == TMON_E_CONFIG,
		    "case %zu accepted", i);
		ck_assert_ptr_null(cfg);
		ck_assert_msg(strstr(err.msg, bad[i].want) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, err.msg, bad[i].want);
	}
}
END_TEST

START_TEST(test_shipped_schedules_load)
{
	struct config *cfg;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(config_load(TMON_SOURCE_DIR "/schedules/default.json",
	    &cfg, &err) == TMON_OK, "%s", err.msg);
	ck_assert_uint_gt(cfg->n_models, 0);
	config_free(cfg);
	ck_assert_msg(config_load(TMON_SOURCE_DIR "/schedules/replay.json",
	    &cfg, &err) == TMON_OK, "%s", err.msg);
	ck_assert_uint_gt(cfg->n_models, 5);
	config_free(cfg);
	ck_assert_int_eq(config_load("/nonexistent/x.json", &cfg, &err),
	    TMON_E_IO);
}
END_TEST

START_TEST(test_policy_canary_anchors)
{
	struct config *cfg;
	struct tmon_err err;
	const char *mrtd = "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac"
	    "33addf1c47e193da075b125b6c364115771390a5461e217";
	char text[2048];

	snprintf(text, sizeof(text), "{\"models\": [{\"provider\": "
	    "\"nanogpt\", \"model\": \"m\", \"base_url\": \"http://x\", "
	    "\"policy\": {\"mrtd\": [\"%s\"], \"compose_hash\": []}, "
	    "\"canary\": {\"stream\": true, \"max_tokens\": 4}}]}", mrtd);
	ck_assert_msg(parse(text, &cfg, &err) == TMON_OK, "%s", err.msg);
	ck_assert(cfg->models[0].has_policy);
	ck_assert_uint_eq(cfg->models[0].policy.mrtd.n, 1);
	ck_assert_uint_eq(cfg->models[0].policy.compose_hash.n, 0);
	ck_assert_uint_eq(cfg->models[0].policy.mrtd.v[0][0], 0xb2);
	ck_assert_uint_eq(cfg->models[0].policy.mrtd.v[0][47], 0x17);
	ck_assert(cfg->models[0].canary.enabled);
	ck_assert_int_eq(cfg->models[0].canary.stream, CANARY_STREAM_YES);
	ck_assert_uint_eq(cfg->models[0].canary.max_tokens, 4);
	ck_assert_str_eq(cfg->models[0].canary.prompt,
	    "Reply with the single word: ok");
	ck_assert_ptr_null(cfg->test_intel_root_der);
	config_free(cfg);

	ck_assert_int_eq(parse("{\"models\": [{\"provider\": \"nanogpt\", "
	    "\"model\": \"m\", \"base_url\": \"http://x\", \"canary\": "
	    "false}]}", &cfg, &err), TMON_OK);
	ck_assert(!cfg->models[0].canary.enabled);
	config_free(cfg);

	ck_assert_int_eq(parse("{\"models\": [{\"provider\": \"nanogpt\", "
	    "\"model\": \"m\", \"base_url\": \"http://x\", \"policy\": "
	    "{\"mrtd\": [\"abcd\"]}}]}", &cfg, &err), TMON_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg,
	    "models[0].policy.mrtd[0]: must be 96 hex characters"));
	ck_assert_int_eq(parse("{\"models\": [{\"provider\": \"nanogpt\", "
	    "\"model\": \"m\", \"base_url\": \"http://x\", \"canary\": "
	    "{\"stream\": \"sometimes\"}}]}", &cfg, &err), TMON_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "models[0].canary.stream"));

	ck_assert_int_eq(parse("{\"models\": [], \"test_trust_anchors\": "
	    "{\"intel_root_ca\": \"" TMON_TEST_DATA
	    "/tdx/Intel_SGX_Root_CA.der\"}}", &cfg, &err), TMON_OK);
	ck_assert_ptr_nonnull(cfg->test_intel_root_der);
	ck_assert_uint_gt(cfg->test_intel_root_der_len, 500);
	config_free(cfg);
	ck_assert_int_eq(parse("{\"models\": [], \"test_trust_anchors\": "
	    "{\"intel_root_ca\": \"" TMON_SOURCE_DIR "/README.md\"}}", &cfg,
	    &err), TMON_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a PEM or DER certificate"));
}
END_TEST

START_TEST(test_receipts)
{
	static const struct bad bad[] = {
		{ "{\"models\": [], \"receipts\": {\n \"per_client\": "
		  "{\"count\": 5, \"cout\": 1}}}",
		  "t.json:2:29: receipts.per_client.cout: unknown key" },
		{ "{\"models\": [], \"receipts\": {\"tokenenv\": \"X\"}}",
		  "receipts.tokenenv: unknown key" },
		{ "{\"models\": [], \"receipts\": []}",
		  "receipts: must be an object" },
		{ "{\"models\": [], \"receipts\": {\"global\": 5}}",
		  "receipts.global: must be an object" },
		{ "{\"models\": [], \"receipts\": {\"global\": "
		  "{\"count\": 0}}}",
		  "receipts.global.count: must be between 1 and 1000000000" },
		{ "{\"models\": [], \"receipts\": {\"per_client\": "
		  "{\"bytes\": 1024}}}",
		  "receipts.per_client.bytes: must be between 2097152 and" },
		{ "{\"models\": [], \"receipts\": {\"per_client\": "
		  "{\"window_s\": 86401}}}",
		  "receipts.per_client.window_s: must be between 1 and 86400" },
		{ "{\"models\": [], \"receipts\": {\"token_env\": 1}}",
		  "receipts.token_env: must be a string" },
		{ "{\"models\": [], \"receipts\": {\"token_env\": "
		  "\"1TOKEN\"}}", "receipts.token_env: must be an environment "
		  "variable name" },
		{ "{\"models\": [], \"receipts\": {\"token_env\": "
		  "\"A B\"}}", "receipts.token_env: must be an environment" },
	};
	struct config *cfg;
	struct tmon_err err;
	size_t i;

	/* Defaults: 60 receipts and 8 MiB a minute per client, 600 and
	   64 MiB a minute in all, no token. */
	ck_assert_int_eq(parse("{\"models\": []}", &cfg, &err), TMON_OK);
	ck_assert_ptr_null(cfg->receipts_token_env);
	ck_assert_uint_eq(cfg->receipts_per_client.count, 60);
	ck_assert_uint_eq(cfg->receipts_per_client.bytes, 8u << 20);
	ck_assert_uint_eq(cfg->receipts_per_client.window_s, 60);
	ck_assert_uint_eq(cfg->receipts_global.count, 600);
	ck_assert_uint_eq(cfg->receipts_global.bytes, 64u << 20);
	ck_assert_uint_eq(cfg->receipts_global.window_s, 60);
	config_free(cfg);
	/* Partial objects keep the other defaults. */
	ck_assert_int_eq(parse("{\"models\": [], \"receipts\": "
	    "{\"token_env\": \"TMON_RECEIPT_TOKEN\", \"per_client\": "
	    "{\"count\": 5}, \"global\": {\"bytes\": 1099511627776, "
	    "\"window_s\": 86400}}}", &cfg, &err), TMON_OK);
	ck_assert_str_eq(cfg->receipts_token_env, "TMON_RECEIPT_TOKEN");
	ck_assert_uint_eq(cfg->receipts_per_client.count, 5);
	ck_assert_uint_eq(cfg->receipts_per_client.bytes, 8u << 20);
	ck_assert_uint_eq(cfg->receipts_global.count, 600);
	ck_assert_uint_eq(cfg->receipts_global.bytes, 1ull << 40);
	ck_assert_uint_eq(cfg->receipts_global.window_s, 86400);
	config_free(cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i].text, &cfg, &err),
		    TMON_E_CONFIG);
		ck_assert_ptr_null(cfg);
		ck_assert_msg(strstr(err.msg, bad[i].want) != NULL,
		    "%s: got \"%s\", want \"%s\"", bad[i].text, err.msg,
		    bad[i].want);
	}
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_minimal_and_defaults);
	tcase_add_test(tc, test_rejects_with_position);
	tcase_add_test(tc, test_shipped_schedules_load);
	tcase_add_test(tc, test_policy_canary_anchors);
	tcase_add_test(tc, test_receipts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
