/*
 * check_reload: what a reloaded schedule changes (reload.h): a model is
 * "changed" when any of its keys is (base_url, interval, policy,
 * canary...), and only when; the top-level keys that need a restart are
 * named, max_concurrent and the models are not among them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "config.h"
#include "reload.h"

#define MRTD_A	"b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fa" \
		"33addf39c64f8b8c4c64f0f2c1a1e6b0a5ba8d3dfb0c9ad3"
#define MRTD_B	"c24d3b24e9e3c16012376b52362ca09856c4adecb709d5fa" \
		"33addf39c64f8b8c4c64f0f2c1a1e6b0a5ba8d3dfb0c9ad3"

static struct config *
load(const char *fmt, ...)
{
	struct config *cfg = NULL;
	struct tmon_err err;
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	tmon_err_clear(&err);
	ck_assert_msg(config_parse(text, strlen(text), "t.json", &cfg, &err) ==
	    TMON_OK, "%s: %s", text, err.msg);
	return cfg;
}

/* One model "m" with extra keys (text after base_url). */
static struct config *
model(const char *extra)
{
	return load("{\"models\": [{\"provider\": \"phala\", \"model\": \"x\", "
	    "\"name\": \"m\", \"base_url\": \"http://127.0.0.1:1\"%s}]}", extra);
}

START_TEST(test_model_equal)
{
	static const char *const variants[] = {
		", \"interval_s\": 10",
		", \"jitter_s\": 3",
		", \"timeout_s\": 5",
		", \"api_key_env\": \"K\"",
		", \"policy\": {\"mrtd\": [\"" MRTD_A "\"]}",
		", \"policy\": {\"mrtd\": [\"" MRTD_B "\"]}",
		", \"policy\": {\"mrtd\": [\"" MRTD_A "\", \"" MRTD_B "\"]}",
		", \"canary\": false",
		", \"canary\": {\"stream\": true}",
		", \"canary\": {\"prompt\": \"hi\"}",
		", \"canary\": {\"signature_retries\": 1}",
	};
	struct config *a, *b, *c;
	size_t i, j;

	a = model("");
	b = model("");
	ck_assert(reload_model_equal(&a->models[0], &b->models[0]));
	config_free(b);
	b = load("{\"models\": [{\"provider\": \"phala\", \"model\": \"x\", "
	    "\"name\": \"m\", \"base_url\": \"http://127.0.0.1:2\"}]}");
	ck_assert(!reload_model_equal(&a->models[0], &b->models[0]));
	config_free(b);
	b = load("{\"models\": [{\"provider\": \"near\", \"model\": \"x\", "
	    "\"name\": \"m\", \"base_url\": \"http://127.0.0.1:1\"}]}");
	ck_assert(!reload_model_equal(&a->models[0], &b->models[0]));
	config_free(b);
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		b = model(variants[i]);
		ck_assert_msg(!reload_model_equal(&a->models[0],
		    &b->models[0]), "%s equal to none", variants[i]);
		for (j = 0; j < sizeof(variants) / sizeof(variants[0]); j++) {
			c = model(variants[j]);
			ck_assert_msg(reload_model_equal(&b->models[0],
			    &c->models[0]) == (i == j), "%s vs %s",
			    variants[i], variants[j]);
			config_free(c);
		}
		config_free(b);
	}
	config_free(a);
}
END_TEST

START_TEST(test_restart_keys)
{
	struct config *a, *b;
	char keys[128], small[8];

	a = load("{\"models\": []}");
	b = load("{\"models\": [{\"provider\": \"phala\", \"model\": \"x\", "
	    "\"base_url\": \"http://h\"}], \"max_concurrent\": 9}");
	ck_assert_uint_eq(reload_restart_keys(a, b, keys, sizeof(keys)), 0);
	ck_assert_str_eq(keys, "");
	config_free(b);
	b = load("{\"models\": [], \"http\": {\"max_connections\": 10}}");
	ck_assert_uint_eq(reload_restart_keys(a, b, keys, sizeof(keys)), 1);
	ck_assert_str_eq(keys, "http");
	config_free(b);
	b = load("{\"models\": [], \"max_body_bytes\": 4096, \"pcs\": false, "
	    "\"receipts\": {\"token_env\": \"T\"}, \"log\": "
	    "{\"checkpoint_interval_s\": 9}}");
	ck_assert_uint_eq(reload_restart_keys(a, b, keys, sizeof(keys)), 4);
	ck_assert_str_eq(keys, "max_body_bytes, pcs, receipts, log");
	ck_assert_uint_eq(reload_restart_keys(a, b, small, sizeof(small)), 4);
	ck_assert_str_eq(small, "max_bod");
	config_free(b);
	/* a webhook's threshold, then a maintenance window's zone */
	config_free(a);
	a = load("{\"models\": [], \"alerts\": {\"webhooks\": [{\"name\": "
	    "\"w\", \"url\": \"http://h/x\", \"failure_threshold\": 3}], "
	    "\"maintenance\": [{\"name\": \"m\", \"start\": \"02:00\", "
	    "\"duration_s\": 600, \"timezone\": \"UTC\"}]}}");
	b = load("{\"models\": [], \"alerts\": {\"webhooks\": [{\"name\": "
	    "\"w\", \"url\": \"http://h/x\", \"failure_threshold\": 3}], "
	    "\"maintenance\": [{\"name\": \"m\", \"start\": \"02:00\", "
	    "\"duration_s\": 600, \"timezone\": \"UTC\"}]}}");
	ck_assert_uint_eq(reload_restart_keys(a, b, keys, sizeof(keys)), 0);
	config_free(b);
	b = load("{\"models\": [], \"alerts\": {\"webhooks\": [{\"name\": "
	    "\"w\", \"url\": \"http://h/x\", \"failure_threshold\": 2}], "
	    "\"maintenance\": [{\"name\": \"m\", \"start\": \"02:00\", "
	    "\"duration_s\": 600, \"timezone\": \"UTC\"}]}}");
	ck_assert_uint_eq(reload_restart_keys(a, b, keys, sizeof(keys)), 1);
	ck_assert_str_eq(keys, "alerts");
	config_free(b);
	b = load("{\"models\": [], \"alerts\": {\"webhooks\": [{\"name\": "
	    "\"w\", \"url\": \"http://h/x\", \"failure_threshold\": 3}], "
	    "\"maintenance\": [{\"name\": \"m\", \"start\": \"02:00\", "
	    "\"duration_s\": 600, \"timezone\": \"Europe/Berlin\"}]}}");
	ck_assert_uint_eq(reload_restart_keys(a, b, keys, sizeof(keys)), 1);
	ck_assert_str_eq(keys, "alerts");
	config_free(b);
	config_free(a);
}
END_TEST

static Suite *
reload_suite(void)
{
	Suite *s = suite_create("reload");
	TCase *tc = tcase_create("reload");

	tcase_add_test(tc, test_model_equal);
	tcase_add_test(tc, test_restart_keys);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(reload_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
