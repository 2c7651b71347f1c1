/*
 * check_config: the schedule loader is strict (README "Configuration"):
 * unknown keys, wrong types and bad values are errors naming the line,
 * column and JSON path; defaults apply where keys are absent.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "config.h"
#include "provider.h"
#include "tmon_limits.h"
#include "util.h"

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
	ck_assert_ptr_eq(cfg->models[0].prov, provider_find("nanogpt"));
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
		  "t.json:1:51: models[0].base_url: must start with http" },
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
		 * goes made it loop in place (signed overflow); nesting
		 * beyond MAX_JSON_DEPTH is refused before parsing */
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		  "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
		  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		  "t.json: JSON nested deeper than 64" },
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
	    "{\"intel_root_ca\": \"" TMON_SOURCE_DIR "/CMakeLists.txt\"}}", &cfg,
	    &err), TMON_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a PEM or DER certificate"));

	/*
	 * One certificate and nothing else: the root's DER with a stray
	 * byte, or its PEM after "openssl x509 -text" output, is refused.
	 */
	{
		char dir[] = "/tmp/tmon-anchor-XXXXXX", path[64], js[256];
		uint8_t *der;
		size_t n;
		FILE *f;

		ck_assert_ptr_nonnull(mkdtemp(dir));
		snprintf(path, sizeof(path), "%s/root.der", dir);
		ck_assert_int_eq(read_file(TMON_TEST_DATA
		    "/tdx/Intel_SGX_Root_CA.der", 4096, &der, &n, &err),
		    TMON_OK);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		ck_assert_uint_eq(fwrite(der, 1, n, f), n);
		ck_assert_int_eq(fputc(0, f), 0);
		ck_assert_int_eq(fclose(f), 0);
		free(der);
		snprintf(js, sizeof(js), "{\"models\": [], "
		    "\"test_trust_anchors\": {\"intel_root_ca\": \"%s\"}}",
		    path);
		ck_assert_int_eq(parse(js, &cfg, &err), TMON_E_CONFIG);
		ck_assert_msg(strstr(err.msg, "not exactly one DER "
		    "certificate") != NULL, "%s", err.msg);
		unlink(path);

		snprintf(path, sizeof(path), "%s/root.pem", dir);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs("Certificate:\n    Data:\n        Version: 3\n", f);
		ck_assert_int_eq(fclose(f), 0);
		ck_assert_int_eq(read_file(TMON_TEST_DATA
		    "/gpu/nvtrust_verifier_device_root.pem", 4096, &der, &n,
		    &err), TMON_OK);
		ck_assert_ptr_nonnull(f = fopen(path, "a"));
		ck_assert_uint_eq(fwrite(der, 1, n, f), n);
		ck_assert_int_eq(fclose(f), 0);
		free(der);
		snprintf(js, sizeof(js), "{\"models\": [], "
		    "\"test_trust_anchors\": {\"nvidia_root_ca\": "
		    "\"%s\"}}", path);
		ck_assert_int_eq(parse(js, &cfg, &err), TMON_E_CONFIG);
		ck_assert_msg(strstr(err.msg, "text outside PEM blocks") !=
		    NULL, "%s", err.msg);
		unlink(path);
		rmdir(dir);
	}
}
END_TEST

/* One model whose base_url (JSON string text) is url. */
static enum tmon_rc
parse_url(const char *url, struct config **cfg, struct tmon_err *err)
{
	char text[4096];

	snprintf(text, sizeof(text), "{\"models\": [{\"provider\": "
	    "\"nanogpt\", \"model\": \"m\", \"base_url\": \"%s\"}]}", url);
	return parse(text, cfg, err);
}

/*
 * Every configured URL is checked in full at load time: scheme, host,
 * port, characters, no userinfo (a password in it would be logged and
 * archived with every probe), no fragment, no query on a base URL; the
 * error names file, line, column and JSON path.
 */
START_TEST(test_rejects_bad_urls)
{
	static const struct bad bad[] = {
		{ "http://user:pass@host/x", "must not hold a user name or "
		  "password" },
		{ "https://user@host", "must not hold a user name" },
		{ "http://:secret@host", "must not hold a user name" },
		{ "http://@host", "must not hold a user name" },
		{ "http://", "not a valid URL: No host part" },
		{ "http://host:99999", "not a valid URL: Port number" },
		{ "http://host:0", "port must be 1 to 65535" },
		{ "http:////////", "not a valid URL" },
		{ "http:/host", "must start with http:// or https://" },
		{ "HTTP://host", "must start with http:// or https://" },
		{ "http://ho st", "byte 0x20 at offset 9" },
		{ "http://host/a b", "byte 0x20 at offset 13" },
		{ "http://host/\\r\\nX-Injected: 1", "byte 0x0d at offset 12" },
		{ "http://host/\\n", "byte 0x0a at offset 12" },
		{ "http://host/\\t", "byte 0x09 at offset 12" },
		{ "http://host/\\u007f", "byte 0x7f at offset 12" },
		{ "http://host/\\u00e4", "byte 0xc3 at offset 12" },
		{ "http://host/\\\\x", "byte 0x5c at offset 12" },
		{ "http://host/p?x=1", "must not have a query" },
		{ "http://host/p#frag", "must not have a fragment" },
		{ "http://host/#", "must not have a fragment" },
	};
	struct config *cfg;
	struct tmon_err err;
	char want[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse_url(bad[i].text, &cfg, &err) ==
		    TMON_E_CONFIG, "case %zu (%s) accepted", i, bad[i].text);
		ck_assert_ptr_null(cfg);
		snprintf(want, sizeof(want), "t.json:1:51: models[0].base_url: "
		    "%s", bad[i].want);
		ck_assert_msg(strstr(err.msg, want) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, err.msg, want);
		/* the URL, which may hold a secret, is not repeated */
		ck_assert_msg(strstr(err.msg, "pass@") == NULL &&
		    strstr(err.msg, "secret") == NULL, "%s", err.msg);
	}

	/* valid: port bounds, IPv6 literal, path prefix, trailing '/' */
	ck_assert_int_eq(parse_url("http://host:1/", &cfg, &err), TMON_OK);
	config_free(cfg);
	ck_assert_int_eq(parse_url("https://[::1]:65535/api/", &cfg, &err),
	    TMON_OK);
	ck_assert_str_eq(cfg->models[0].base_url, "https://[::1]:65535/api");
	config_free(cfg);
	ck_assert_int_eq(parse_url("http://127.0.0.1:8080/p%20q", &cfg, &err),
	    TMON_OK);
	config_free(cfg);

	/* pcs URLs: the same rules; the CRL URL is fetched as it is and
	 * may have a query */
	ck_assert_int_eq(parse("{\"models\": [], \"pcs\": {\"base_url\": "
	    "\"https://u:p@pccs.local\"}}", &cfg, &err), TMON_E_CONFIG);
	ck_assert_msg(strstr(err.msg, "t.json:1:24: pcs.base_url: must not "
	    "hold a user name") != NULL, "%s", err.msg);
	ck_assert_int_eq(parse("{\"models\": [], \"pcs\": {\"base_url\": "
	    "\"https://pccs.local/sgx?x\"}}", &cfg, &err), TMON_E_CONFIG);
	ck_assert_msg(strstr(err.msg, "t.json:1:24: pcs.base_url: must not "
	    "have a query") != NULL, "%s", err.msg);
	ck_assert_int_eq(parse("{\"models\": [], \"pcs\": {\n"
	    "  \"root_ca_crl_url\": \"https://crl.local:70000/r.der\"}}", &cfg,
	    &err), TMON_E_CONFIG);
	ck_assert_msg(strstr(err.msg, "t.json:2:3: pcs.root_ca_crl_url: not "
	    "a valid URL") != NULL, "%s", err.msg);
	ck_assert_int_eq(parse("{\"models\": [], \"pcs\": {"
	    "\"root_ca_crl_url\": \"https://crl.local/r.der#x\"}}", &cfg,
	    &err), TMON_E_CONFIG);
	ck_assert_msg(strstr(err.msg, "pcs.root_ca_crl_url: must not have a "
	    "fragment") != NULL, "%s", err.msg);
	ck_assert_int_eq(parse("{\"models\": [], \"pcs\": {"
	    "\"root_ca_crl_url\": \"https://crl.local/r?ca=root&enc=der\"}}",
	    &cfg, &err), TMON_OK);
	ck_assert_str_eq(cfg->pcs_root_ca_crl_url,
	    "https://crl.local/r?ca=root&enc=der");
	config_free(cfg);
}
END_TEST

/*
 * Every error names file, line, column and JSON path: a value that
 * defaults from another key (name from model), max_body_bytes over what
 * the store keeps as one blob, and syntax errors.
 */
START_TEST(test_error_positions)
{
	static const struct bad bad[] = {
		{ "{\"models\": [{\"provider\": \"nanogpt\", \"model\": "
		  "\"bad model\", \"base_url\": \"http://x\"}]}",
		  "t.json:1:37: models[0].model: must be printable ASCII" },
		{ "{\"models\": [{\"provider\": \"nanogpt\", \"model\": "
		  "\"m\", \"name\": \"a\\tb\", \"base_url\": \"http://x\"}]}",
		  "t.json:1:51: models[0].name: must be printable ASCII" },
		{ "{\"models\": [],\n \"max_body_bytes\": 16777217}",
		  "t.json:2:2: max_body_bytes: must be between 1024 and "
		  "16777216" },
		{ "{\"models\": [\n {\"provider\": \"x\" \"model\": 1}]}",
		  "t.json:2:25: models[0]: '}' expected" },
		{ "{\"models\": [{\"policy\": {\"mrtd\": [1, 2,]}}]}",
		  "t.json:1:39: models[0].policy.mrtd: unexpected token" },
		{ "{\"models\": [}", "t.json:1:13: models: unexpected token" },
		{ "{\"models\": []} x", "t.json:1:16: (top): end of file "
		  "expected" },
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
	/* the cap is the store's blob limit, one constant */
	ck_assert_uint_eq(MAX_BLOB_LEN, 16777216);
	ck_assert_int_eq(parse("{\"models\": [], \"max_body_bytes\": "
	    "16777216}", &cfg, &err), TMON_OK);
	ck_assert_uint_eq(cfg->max_body_bytes, MAX_BLOB_LEN);
	config_free(cfg);
}
END_TEST

/*
 * The schedule and the trust anchors are opened only if they are regular
 * files: a FIFO (or a directory) fails at once instead of blocking the
 * open or the read forever.  alarm() turns a hang into a failure.
 */
START_TEST(test_only_regular_files)
{
	char dir[] = "/tmp/check_config.XXXXXX", fifo[64], text[256];
	struct config *cfg = NULL;
	struct tmon_err err;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	alarm(10);

	tmon_err_clear(&err);
	ck_assert_int_eq(config_load(fifo, &cfg, &err), TMON_E_IO);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err.msg, "not a regular file (a FIFO)") != NULL,
	    "%s", err.msg);
	tmon_err_clear(&err);
	ck_assert_int_eq(config_load(dir, &cfg, &err), TMON_E_IO);
	ck_assert_msg(strstr(err.msg, "not a regular file (a directory)") !=
	    NULL, "%s", err.msg);

	snprintf(text, sizeof(text), "{\"models\": [], \"test_trust_anchors\": "
	    "{\"nvidia_root_ca\": \"%s\"}}", fifo);
	ck_assert_int_eq(parse(text, &cfg, &err), TMON_E_CONFIG);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err.msg, "t.json:1:39: test_trust_anchors."
	    "nvidia_root_ca: cannot read: ") != NULL && strstr(err.msg,
	    "not a regular file (a FIFO)") != NULL, "%s", err.msg);

	alarm(0);
	unlink(fifo);
	rmdir(dir);
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

/* "reference_values": strict like the rest; names of the schedule. */
START_TEST(test_reference_values)
{
#define M1 "{\"provider\": \"phala\", \"model\": \"a\", \"base_url\": " \
	"\"http://x\"}"
#define H32 "\"" \
	"b5604c128cb6c05fe08dd135385b036c9f9e71e7260d25af7347748768683f4e\""
	static const struct bad bad[] = {
		{ "{\"models\": [], \"reference_values\": {}}",
		  "reference_values: must be an array" },
		{ "{\"models\": [], \"reference_values\": [{}]}",
		  "reference_values[0]: missing required key \"name\"" },
		{ "{\"models\": [], \"reference_values\": [{\"name\": \"a b\"}]}",
		  "reference_values[0].name: must be 1..63 printable" },
		{ "{\"models\": [], \"reference_values\": [{\"name\": "
		  "\"policy\"}]}", "reference_values[0].name: \"policy\"" },
		{ "{\"models\": [], \"reference_values\": [{\"name\": \"r\"}, "
		  "{\"name\": \"r\"}]}",
		  "reference_values[1].name: a second set of that name" },
		{ "{\"models\": [], \"reference_values\": [{\"name\": \"r\", "
		  "\"compose\": []}]}", "reference_values[0].compose: unknown "
		  "key" },
		{ "{\"models\": [], \"reference_values\": [{\"name\": \"r\", "
		  "\"compose_hash\": [\"ab\"]}]}",
		  "reference_values[0].compose_hash[0]: must be 64 hex" },
		{ "{\"models\": [" M1 "], \"reference_values\": [{\"name\": "
		  "\"r\", \"models\": [\"a\", \"b\"]}]}",
		  "reference_values[0].models[1]: must be the name of a model" },
		{ "{\"models\": [], \"reference_values\": [{\"name\": \"r\", "
		  "\"source\": \"ftp://x\"}]}", "reference_values[0].source" },
	};
	struct config *cfg;
	struct tmon_err err;
	size_t i;

	ck_assert_int_eq(parse("{\"models\": [" M1 "], \"reference_values\": "
	    "[{\"name\": \"dstack-0.5.3\", \"source\": "
	    "\"https://example.com/r\", \"models\": [\"a\"], \"compose_hash\": "
	    "[" H32 "]}, {\"name\": \"all\"}]}", &cfg, &err), TMON_OK);
	ck_assert_uint_eq(cfg->n_refvals, 2);
	ck_assert_str_eq(cfg->refvals[0].name, "dstack-0.5.3");
	ck_assert_str_eq(cfg->refvals[0].source, "https://example.com/r");
	ck_assert_uint_eq(cfg->refvals[0].n_models, 1);
	ck_assert_str_eq(cfg->refvals[0].models[0], "a");
	ck_assert_uint_eq(cfg->refvals[0].values.compose_hash.n, 1);
	ck_assert_uint_eq(cfg->refvals[0].values.compose_hash.v[0][0], 0xb5);
	ck_assert_uint_eq(cfg->refvals[0].values.mrtd.n, 0);
	ck_assert_uint_eq(cfg->refvals[1].n_models, 0);
	ck_assert_ptr_null(cfg->refvals[1].source);
	config_free(cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i].text, &cfg, &err),
		    TMON_E_CONFIG);
		ck_assert_ptr_null(cfg);
		ck_assert_msg(strstr(err.msg, bad[i].want) != NULL,
		    "%s: got \"%s\", want \"%s\"", bad[i].text, err.msg,
		    bad[i].want);
	}
#undef M1
#undef H32
}
END_TEST

/* The providers of the table (provider.h), and no other. */
START_TEST(test_providers)
{
	static const char *const ok[] = { "nanogpt", "near", "phala",
	    "redpill", "chutes" };
	static const char *const bad[] = { "acme", "NanoGPT", "near ",
	    "Chutes", "tinfoil" };
	struct config *cfg;
	struct tmon_err err;
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "{\"models\": [{\"provider\": "
		    "\"%s\", \"model\": \"m\", \"base_url\": \"http://x\"}]}",
		    ok[i]);
		ck_assert_int_eq(parse(text, &cfg, &err), TMON_OK);
		ck_assert_ptr_nonnull(cfg->models[0].prov);
		ck_assert_str_eq(cfg->models[0].prov->name, ok[i]);
		ck_assert_ptr_eq(cfg->models[0].prov, provider_find(ok[i]));
		config_free(cfg);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "{\"models\": [{\"provider\": "
		    "\"%s\", \"model\": \"m\", \"base_url\": \"http://x\"}]}",
		    bad[i]);
		ck_assert_int_eq(parse(text, &cfg, &err), TMON_E_CONFIG);
		ck_assert_ptr_null(cfg);
		ck_assert_str_eq(err.msg, "t.json:1:14: models[0].provider: "
		    "unknown provider (nanogpt, near, phala, redpill, "
		    "chutes)");
	}
	/* chutes has no canary route: off by default, refused when asked */
	ck_assert_int_eq(parse("{\"models\": [{\"provider\": \"chutes\", "
	    "\"model\": \"m\", \"base_url\": \"http://x\"}]}", &cfg, &err),
	    TMON_OK);
	ck_assert(!cfg->models[0].canary.enabled);
	config_free(cfg);
	ck_assert_int_eq(parse("{\"models\": [{\"provider\": \"chutes\", "
	    "\"model\": \"m\", \"base_url\": \"http://x\", \"canary\": "
	    "{}}]}", &cfg, &err), TMON_E_CONFIG);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err.msg, "no canary route") != NULL, "%s",
	    err.msg);
}
END_TEST

/* "provenance" per model, "github" and "provenance" at the top level. */
START_TEST(test_provenance)
{
#define MP(p) "{\"models\": [{\"provider\": \"nanogpt\", \"model\": " \
	"\"m\", \"base_url\": \"http://x\", \"provenance\": " p "}]}"
	static const struct bad bad[] = {
		{ MP("{}"), "models[0].provenance: missing required key "
		  "\"repo\"" },
		{ MP("{\"repo\": \"tinfoilsh\"}"), "models[0].provenance.repo: "
		  "must be a GitHub repository" },
		{ MP("{\"repo\": \"a/b/c\"}"), "models[0].provenance.repo" },
		{ MP("{\"repo\": \"o/..\"}"), "models[0].provenance.repo" },
		{ MP("{\"repo\": \"o_x/n\"}"), "models[0].provenance.repo" },
		{ MP("{\"repo\": \"o/n\", \"workflow\": \"a b\"}"),
		  "models[0].provenance.workflow: must be printable ASCII" },
		{ MP("{\"repo\": \"o/n\", \"digest_asset\": \"../x\"}"),
		  "models[0].provenance.digest_asset" },
		{ MP("{\"repo\": \"o/n\", \"refs\": \"x\"}"),
		  "models[0].provenance.refs: unknown key" },
		{ MP("{\"repo\": \"o/n\", \"hardware_repo\": \"o\"}"),
		  "models[0].provenance.hardware_repo: must be a GitHub "
		  "repository" },
		{ MP("{\"repo\": \"o/n\", \"hardware_repo\": 1}"),
		  "models[0].provenance.hardware_repo" },
		{ "{\"models\": [], \"github\": {\"api_url\": \"ftp://x\"}}",
		  "github.api_url" },
		{ "{\"models\": [], \"github\": {\"url\": \"http://x\"}}",
		  "github.url: unknown key" },
		{ "{\"models\": [], \"provenance\": {\"recheck_s\": 5}}",
		  "provenance.recheck_s" },
		{ "{\"models\": [], \"provenance\": {\"trusted_root\": "
		  "\"\"}}", "provenance.trusted_root: must not be empty" },
	};
	struct config *cfg;
	struct tmon_err err;
	const struct provenance_cfg *p;
	size_t i;

	ck_assert_int_eq(parse(MP("{\"repo\": "
	    "\"tinfoilsh/confidential-model-router\"}"), &cfg, &err), TMON_OK);
	p = &cfg->models[0].provenance;
	ck_assert(p->enabled);
	ck_assert_str_eq(p->repo, "tinfoilsh/confidential-model-router");
	ck_assert_ptr_null(p->workflow);
	ck_assert_str_eq(p->ref, "refs/tags/*");
	ck_assert_str_eq(p->issuer,
	    "https://token.actions.githubusercontent.com");
	ck_assert_str_eq(p->digest_asset, "tinfoil.hash");
	ck_assert_ptr_null(p->hardware_repo);
	ck_assert_str_eq(cfg->github_api_url, "https://api.github.com");
	ck_assert_str_eq(cfg->github_download_url, "https://github.com");
	ck_assert_ptr_null(cfg->provenance_trusted_root);
	ck_assert_uint_eq(cfg->provenance_recheck_s, 900);
	config_free(cfg);
	ck_assert_int_eq(parse("{\"models\": [], \"github\": {\"api_url\": "
	    "\"http://127.0.0.1:9/gh/\", \"download_url\": "
	    "\"http://127.0.0.1:9\"}, \"provenance\": {\"trusted_root\": "
	    "\"root.json\", \"recheck_s\": 60}}", &cfg, &err), TMON_OK);
	ck_assert_str_eq(cfg->github_api_url, "http://127.0.0.1:9/gh");
	ck_assert_str_eq(cfg->provenance_trusted_root, "root.json");
	ck_assert_uint_eq(cfg->provenance_recheck_s, 60);
	config_free(cfg);
	ck_assert_int_eq(parse(MP("{\"repo\": \"o/n.x\", \"workflow\": "
	    "\".github/workflows/*.yml\", \"ref\": \"refs/tags/v*\", "
	    "\"digest_asset\": \"x.hash\", \"hardware_repo\": "
	    "\"tinfoilsh/hardware-measurements\"}"), &cfg, &err), TMON_OK);
	p = &cfg->models[0].provenance;
	ck_assert_str_eq(p->hardware_repo, "tinfoilsh/hardware-measurements");
	ck_assert_str_eq(p->workflow, ".github/workflows/*.yml");
	ck_assert_str_eq(p->ref, "refs/tags/v*");
	ck_assert_str_eq(p->digest_asset, "x.hash");
	config_free(cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i].text, &cfg, &err),
		    TMON_E_CONFIG);
		ck_assert_ptr_null(cfg);
		ck_assert_msg(strstr(err.msg, bad[i].want) != NULL,
		    "%s: got \"%s\", want \"%s\"", bad[i].text, err.msg,
		    bad[i].want);
	}
#undef MP
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
	tcase_add_test(tc, test_rejects_bad_urls);
	tcase_add_test(tc, test_error_positions);
	tcase_add_test(tc, test_only_regular_files);
	tcase_add_test(tc, test_http_limits);
	tcase_add_test(tc, test_receipts);
	tcase_add_test(tc, test_providers);
	tcase_add_test(tc, test_reference_values);
	tcase_add_test(tc, test_provenance);
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
