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

/* "http": the API server's limits; defaults, values, strictness. */
START_TEST(test_http_limits)
{
	static const struct bad bad[] = {
		{ "{\"models\": [], \"http\": [1]}",
		  "t.json:1:16: http: must be an object" },
		{ "{\"models\": [],\n \"http\": {\"max_conections\": 10}}",
		  "t.json:2:11: http.max_conections: unknown key" },
		{ "{\"models\": [], \"http\": {\"max_connections\": 0}}",
		  "http.max_connections: must be between 1 and 4096" },
		{ "{\"models\": [], \"http\": {\"max_connections\": 4097}}",
		  "http.max_connections: must be between 1 and 4096" },
		{ "{\"models\": [], \"http\": {\"max_connections\": 10, "
		  "\"max_connections_per_address\": 11}}",
		  "http.max_connections_per_address: must be between 1 and 10" },
		{ "{\"models\": [], \"http\": {\"request_deadline_s\": 0}}",
		  "http.request_deadline_s: must be between 1 and 3600" },
		{ "{\"models\": [], \"http\": {\"idle_timeout_s\": \"15\"}}",
		  "http.idle_timeout_s: must be an integer" },
	};
	struct config *cfg;
	struct tmon_err err;
	size_t i;

	ck_assert_int_eq(parse("{\"models\": []}", &cfg, &err), TMON_OK);
	ck_assert_uint_eq(cfg->http.max_connections, 256);
	ck_assert_uint_eq(cfg->http.max_per_address, 128);
	ck_assert_uint_eq(cfg->http.request_deadline_s, 30);
	ck_assert_uint_eq(cfg->http.idle_timeout_s, 15);
	config_free(cfg);
	ck_assert_int_eq(parse("{\"models\": [], \"http\": {}}", &cfg, &err),
	    TMON_OK);
	ck_assert_uint_eq(cfg->http.max_per_address, 128);
	config_free(cfg);
	/* the per-address default never exceeds the total */
	ck_assert_int_eq(parse("{\"models\": [], \"http\": "
	    "{\"max_connections\": 64}}", &cfg, &err), TMON_OK);
	ck_assert_uint_eq(cfg->http.max_connections, 64);
	ck_assert_uint_eq(cfg->http.max_per_address, 64);
	config_free(cfg);
	ck_assert_int_eq(parse("{\"models\": [], \"http\": "
	    "{\"max_connections\": 1000, \"max_connections_per_address\": "
	    "1000, \"request_deadline_s\": 5, \"idle_timeout_s\": 60}}", &cfg,
	    &err), TMON_OK);
	ck_assert_uint_eq(cfg->http.max_connections, 1000);
	ck_assert_uint_eq(cfg->http.max_per_address, 1000);
	ck_assert_uint_eq(cfg->http.request_deadline_s, 5);
	ck_assert_uint_eq(cfg->http.idle_timeout_s, 60);
	config_free(cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i].text, &cfg, &err), TMON_E_CONFIG);
		ck_assert_msg(strstr(err.msg, bad[i].want) != NULL,
		    "case %zu: got \"%s\", want \"%s\"", i, err.msg,
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
	tcase_add_test(tc, test_http_limits);
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
