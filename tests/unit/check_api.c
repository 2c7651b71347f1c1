/*
 * Unit tests for api/: a real server on 127.0.0.1 (a free port chosen by
 * the kernel) over a temporary log filled through store_append, queried
 * with libcurl.  Expected hashes are computed here with OpenSSL directly.
 */
#include <sys/stat.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "api.h"
#include "api_badge.h"
#include "api_request.h"
#include "attest.h"
#include "encode.h"
#include "entry.h"
#include "store.h"
#include "tmon_limits.h"
#include "util.h"
#include "testverify.h"

static char dir[64];
static char dbpath[128];
static struct store *writer;
static struct api *api;
static uint16_t port;

/* Entries of the fixture log, in seq order. */
enum {
	SEQ_GEMMA_PASS,		/* TEE/gemma-3-27b-it pass, t=1000 */
	SEQ_QWEN_ERROR,		/* TEE/qwen error, t=1500 */
	SEQ_RECEIPT,		/* a receipt, t=1600 */
	SEQ_OLD_PASS,		/* TEE/old (not configured) pass, t=1700 */
	SEQ_GEMMA_FAIL,		/* TEE/gemma-3-27b-it fail (nonce.echo), t=2000 */
	NSEQ
};

static char bodies[NSEQ][8192];
static uint8_t blob_bin[300];
static const char blob_json[] = "{\"attestation\":\"x\"}";

/*
 * Measurements are those of REAL captures (tests/data/replay), verified
 * as a probe verifies them; each probe gets its own nonce, so its
 * REPORTDATA differs as it does in life.
 */
#define REPLAY TMON_TEST_DATA "/replay/"
#define GEMMA REPLAY "nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json"
#define GEMMA_NONCE "9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a"
#define NEAR REPLAY "nearai-cloud/nearai_cloud_report_openai_gpt_oss_120b.json"
#define NEAR_NONCE "deadbeef00000000000000000000000000000000000000000000000000000001"
#define T_0610 1781056145

/* the MRTD of both captures (the same TDVF) */
static const char mrtd[] = "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5f"
    "ac33addf1c47e193da075b125b6c364115771390a5461e217";

static struct attest_result *cap_gemma, *cap_near;

/* The measurement of capture r probed with nonce byte n, as canonical
 * JSON text into out. */
static void
meas_text(const struct attest_result *r, int n, char *out, size_t outsz)
{
	struct attest_measurement *m = malloc(sizeof(*m));
	json_t *j;
	char *s;

	ck_assert_ptr_nonnull(m);
	*m = r->m;
	memset(m->report_data + 32, n, 32);
	j = entry_measurement_json(m);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_lt(strlen(s), outsz);
	snprintf(out, outsz, "%s", s);
	free(s);
	json_decref(j);
	free(m);
}

static void
probe_body(char *out, size_t outsz, const char *model, const char *provider,
    const char *verdict, const char *echo, int64_t t)
{
	char meas[6144];
	int n;

	meas_text(strcmp(provider, "near") == 0 ? cap_near : cap_gemma,
	    (int)(t / 100), meas, sizeof(meas));

	n = snprintf(out, outsz,
	    "{\"checks\":[{\"detail\":\"%s\",\"id\":\"nonce.echo\","
	    "\"status\":\"%s\"},{\"detail\":\"ok\",\"id\":\"tdx.quote.parse\","
	    "\"status\":\"pass\"},{\"detail\":\"n/a\",\"id\":\"tls.binding\","
	    "\"status\":\"skip\"},{\"detail\":\"unpinned\","
	    "\"id\":\"measurement.policy\",\"status\":\"warn\"}],"
	    "\"format\":\"dstack\",\"kind\":\"probe\","
	    "\"measurement\":%s,\"model\":\"%s\",\"nonce\":\"%064d\","
	    "\"provider\":\"%s\",\"request\":{\"body_len\":%zu,"
	    "\"body_sha256\":\"\",\"status\":200},\"time\":%lld,\"v\":2,"
	    "\"verdict\":\"%s\"}",
	    strcmp(echo, "pass") == 0 ? "nonce echoed" :
	    "response does not echo our nonce: replayed or cached attestation",
	    echo, meas, model, 7, provider, sizeof(blob_json) - 1,
	    (long long)t, verdict);
	ck_assert_int_lt(n, (int)outsz);
}

static void
fill_log(void)
{
	struct store_entry_in in[NSEQ];
	struct store_blob_in b[2];
	struct store_appended out[NSEQ];
	struct tmon_err err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(blob_bin); i++)
		blob_bin[i] = (uint8_t)(i * 7);		/* includes NUL bytes */
	b[0].data = blob_bin;
	b[0].len = sizeof(blob_bin);
	b[0].media_type = "application/octet-stream";
	b[1].data = (const uint8_t *)blob_json;
	b[1].len = sizeof(blob_json) - 1;
	b[1].media_type = "application/json";
	probe_body(bodies[SEQ_GEMMA_PASS], sizeof(bodies[0]),
	    "TEE/gemma-3-27b-it", "nanogpt", "pass", "pass", 1000);
	probe_body(bodies[SEQ_QWEN_ERROR], sizeof(bodies[0]), "TEE/qwen",
	    "near", "error", "error", 1500);
	snprintf(bodies[SEQ_RECEIPT], sizeof(bodies[0]),
	    "{\"kind\":\"receipt\",\"text\":\"caf\xc3\xa9 \\\"q\\\" <b>\","
	    "\"time\":1600,\"verdict\":\"fail\"}");
	probe_body(bodies[SEQ_OLD_PASS], sizeof(bodies[0]), "TEE/old",
	    "chutes", "pass", "pass", 1700);
	probe_body(bodies[SEQ_GEMMA_FAIL], sizeof(bodies[0]),
	    "TEE/gemma-3-27b-it", "nanogpt", "fail", "fail", 2000);
	memset(in, 0, sizeof(in));
	for (i = 0; i < NSEQ; i++) {
		in[i].kind = i == SEQ_RECEIPT ? "receipt" : "probe";
		in[i].body = (const uint8_t *)bodies[i];
		in[i].body_len = strlen(bodies[i]);
	}
	in[SEQ_GEMMA_PASS].time = 1000;
	in[SEQ_GEMMA_PASS].model = "TEE/gemma-3-27b-it";
	in[SEQ_GEMMA_PASS].verdict = "pass";
	in[SEQ_QWEN_ERROR].time = 1500;
	in[SEQ_QWEN_ERROR].model = "TEE/qwen";
	in[SEQ_QWEN_ERROR].verdict = "error";
	in[SEQ_RECEIPT].time = 1600;
	in[SEQ_RECEIPT].verdict = "fail";
	in[SEQ_OLD_PASS].time = 1700;
	in[SEQ_OLD_PASS].model = "TEE/old";
	in[SEQ_OLD_PASS].verdict = "pass";
	in[SEQ_GEMMA_FAIL].time = 2000;
	in[SEQ_GEMMA_FAIL].model = "TEE/gemma-3-27b-it";
	in[SEQ_GEMMA_FAIL].verdict = "fail";
	ck_assert_msg(store_append(writer, b, 2, in, NSEQ, out, &err) ==
	    TMON_OK, "%s", err.msg);
	ck_assert_uint_eq(out[NSEQ - 1].seq, NSEQ - 1);
}

static const struct api_model models[] = {
	{ "TEE/gemma-3-27b-it", "nanogpt" },
	{ "TEE/qwen", "near" },
	{ "TEE/never", "phala" },
};

static void
start_api(const char *dashboard)
{
	struct api_config cfg;
	struct tmon_err err = { 0 };

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen_host = "127.0.0.1";
	cfg.port = 0;
	cfg.db_path = dbpath;
	cfg.dashboard_dir = dashboard;
	cfg.models = models;
	cfg.n_models = sizeof(models) / sizeof(models[0]);
	ck_assert_msg(api_start(&cfg, &api, &err) == TMON_OK, "%s", err.msg);
	port = api_port(api);
	ck_assert_uint_ne(port, 0);
}

static void
setup(void)
{
	struct tmon_err err = { 0 };

	snprintf(dir, sizeof(dir), "/tmp/tmon-check-api-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/log.db", dir);
	ck_assert_int_eq(store_open(dbpath, STORE_RW, &writer, &err), TMON_OK);
	cap_gemma = tv_verify_capture(GEMMA, GEMMA_NONCE, T_0610, NULL);
	cap_near = tv_verify_capture(NEAR, NEAR_NONCE, T_0610, NULL);
	fill_log();
	start_api(TMON_SOURCE_DIR "/dashboards");
}

static void
teardown(void)
{
	char p[160];

	api_stop(api);
	api = NULL;
	store_close(writer);
	writer = NULL;
	free(cap_gemma);
	free(cap_near);
	cap_gemma = cap_near = NULL;
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	(void)unlink(p);
	(void)unlink(dbpath);
	(void)rmdir(dir);
}

struct resp {
	long	 status;
	char	*body;
	size_t	 len;
	char	 ctype[128];
	json_t	*json;
};

static size_t
write_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;

	ck_assert_uint_lt(r->len + sz * n, 64u * 1024 * 1024);
	r->body = realloc(r->body, r->len + sz * n + 1);
	ck_assert_ptr_nonnull(r->body);
	memcpy(r->body + r->len, p, sz * n);
	r->len += sz * n;
	r->body[r->len] = '\0';
	return sz * n;
}

/* Send method path (sent as is, no client-side normalisation). */
static void
http(const char *method, const char *path, struct resp *r)
{
	CURL *c;
	char url[1024];
	char *ct = NULL;
	json_error_t jerr;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port,
	    path);
	ck_assert_ptr_nonnull(c = curl_easy_init());
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{\"x\":1}");
	} else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	if (ct != NULL)
		snprintf(r->ctype, sizeof(r->ctype), "%s", ct);
	curl_easy_cleanup(c);
	if (r->body != NULL && strncmp(r->ctype, "application/json", 16) == 0)
		r->json = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES,
		    &jerr);
}

static void
resp_free(struct resp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* GET path, expect status and a JSON answer; returns the parsed root. */
static json_t *
get_json(const char *path, long status, struct resp *r)
{
	http("GET", path, r);
	ck_assert_msg(r->status == status, "%s: status %ld, want %ld: %s",
	    path, r->status, status, r->body != NULL ? r->body : "");
	ck_assert_msg(strncmp(r->ctype, "application/json", 16) == 0,
	    "%s: content type %s", path, r->ctype);
	ck_assert_msg(r->json != NULL, "%s: not json", path);
	return r->json;
}

/* Expect an error answer naming field (NULL: field is null). */
static void
expect_error(const char *method, const char *path, long status,
    const char *field)
{
	struct resp r;
	json_t *f;

	http(method, path, &r);
	ck_assert_msg(r.status == status, "%s %s: status %ld, want %ld", method,
	    path, r.status, status);
	ck_assert_msg(strncmp(r.ctype, "application/json", 16) == 0,
	    "%s: content type %s", path, r.ctype);
	ck_assert_ptr_nonnull(r.json);
	ck_assert(json_is_string(json_object_get(r.json, "error")));
	f = json_object_get(r.json, "field");
	if (field == NULL)
		ck_assert_msg(json_is_null(f), "%s: field not null", path);
	else
		ck_assert_msg(json_is_string(f) &&
		    strcmp(json_string_value(f), field) == 0,
		    "%s: field %s, want %s", path,
		    json_is_string(f) ? json_string_value(f) : "(none)", field);
	resp_free(&r);
}

static const char *
jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	ck_assert_msg(json_is_string(v), "%s is not a string", k);
	return json_string_value(v);
}

static json_int_t
jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", k);
	return json_integer_value(v);
}

static json_t *
check_by_id(json_t *checks, const char *id)
{
	json_t *c;
	size_t i;

	json_array_foreach(checks, i, c)
		if (strcmp(jstr(c, "id"), id) == 0)
			return c;
	return NULL;
}

START_TEST(test_models)
{
	struct resp r;
	json_t *root, *arr, *m, *c;

	root = get_json("/api/v1/models", 200, &r);
	arr = json_object_get(root, "models");
	ck_assert(json_is_array(arr));
	ck_assert_uint_eq(json_array_size(arr), 4);

	m = json_array_get(arr, 0);
	ck_assert_str_eq(jstr(m, "model"), "TEE/gemma-3-27b-it");
	ck_assert_str_eq(jstr(m, "provider"), "nanogpt");
	ck_assert_str_eq(jstr(m, "verdict"), "fail");
	ck_assert_int_eq(jint(m, "last_probe_time"), 2000);
	ck_assert_int_eq(jint(m, "last_probe_seq"), SEQ_GEMMA_FAIL);
	ck_assert(json_is_true(json_object_get(m, "configured")));
	/* in layers; the REPORTDATA of a new nonce is no change */
	ck_assert_str_eq(jstr(json_object_get(json_object_get(m,
	    "measurement"), "platform"), "mrtd"), mrtd);
	ck_assert_str_eq(jstr(json_object_get(m, "change"), "class"), "none");
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(m,
	    "change"), "changed_fields")), 0);
	ck_assert_int_eq(jint(m, "instances"), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(m, "checks")), 4);
	c = check_by_id(json_object_get(m, "checks"), "nonce.echo");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(jstr(c, "status"), "fail");
	ck_assert(strstr(jstr(c, "detail"), "replayed or cached") != NULL);

	m = json_array_get(arr, 1);
	ck_assert_str_eq(jstr(m, "model"), "TEE/qwen");
	ck_assert_str_eq(jstr(m, "provider"), "near");
	ck_assert_str_eq(jstr(m, "verdict"), "error");
	ck_assert_int_eq(jint(m, "last_probe_seq"), SEQ_QWEN_ERROR);

	m = json_array_get(arr, 2);	/* configured, never probed */
	ck_assert_str_eq(jstr(m, "model"), "TEE/never");
	ck_assert_str_eq(jstr(m, "provider"), "phala");
	ck_assert(json_is_null(json_object_get(m, "verdict")));
	ck_assert(json_is_null(json_object_get(m, "last_probe_time")));
	ck_assert(json_is_null(json_object_get(m, "last_probe_seq")));
	ck_assert(json_is_null(json_object_get(m, "measurement")));
	ck_assert(json_is_null(json_object_get(m, "change")));
	ck_assert_int_eq(jint(m, "instances"), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(m, "checks")), 0);

	m = json_array_get(arr, 3);	/* in the log, not configured */
	ck_assert_str_eq(jstr(m, "model"), "TEE/old");
	ck_assert_str_eq(jstr(m, "provider"), "chutes");
	ck_assert(json_is_false(json_object_get(m, "configured")));
	ck_assert_str_eq(jstr(m, "verdict"), "pass");
	resp_free(&r);

	/* /models takes no arguments. */
	expect_error("GET", "/api/v1/models?limit=1", 400, "limit");
}
END_TEST

static void
expect_seqs(json_t *arr, const int *seqs, size_t n)
{
	size_t i;

	ck_assert_msg(json_array_size(arr) == n, "%zu items, want %zu",
	    json_array_size(arr), n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(jint(json_array_get(arr, i), "seq"), seqs[i]);
}

START_TEST(test_probes)
{
	static const int all[] = { SEQ_GEMMA_FAIL, SEQ_OLD_PASS,
	    SEQ_QWEN_ERROR, SEQ_GEMMA_PASS };
	static const int gemma[] = { SEQ_GEMMA_FAIL, SEQ_GEMMA_PASS };
	struct resp r;
	json_t *root, *p;
	char path[128];
	json_int_t nb;

	root = get_json("/api/v1/probes", 200, &r);
	expect_seqs(json_object_get(root, "probes"), all, 4);
	ck_assert(json_is_null(json_object_get(root, "next_before")));
	p = json_array_get(json_object_get(root, "probes"), 0);
	ck_assert_str_eq(jstr(p, "model"), "TEE/gemma-3-27b-it");
	ck_assert_str_eq(jstr(p, "verdict"), "fail");
	ck_assert_int_eq(jint(p, "time"), 2000);
	ck_assert_uint_eq(strlen(jstr(p, "leaf_hash")), 64);
	ck_assert_str_eq(jstr(json_object_get(p, "entry"), "nonce"),
	    "0000000000000000000000000000000000000000000000000000000000000007");
	resp_free(&r);

	/* Paging: 2, then the rest from next_before. */
	root = get_json("/api/v1/probes?limit=2", 200, &r);
	expect_seqs(json_object_get(root, "probes"), all, 2);
	nb = jint(root, "next_before");
	ck_assert_int_eq(nb, SEQ_OLD_PASS);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/probes?limit=2&before=%lld",
	    (long long)nb);
	root = get_json(path, 200, &r);
	expect_seqs(json_object_get(root, "probes"), all + 2, 2);
	ck_assert(json_is_null(json_object_get(root, "next_before")));
	resp_free(&r);

	/* A model id with '/' percent-encoded, and sent plain. */
	root = get_json("/api/v1/probes?model=TEE%2Fgemma-3-27b-it", 200, &r);
	expect_seqs(json_object_get(root, "probes"), gemma, 2);
	resp_free(&r);
	root = get_json("/api/v1/probes?model=TEE/gemma-3-27b-it", 200, &r);
	expect_seqs(json_object_get(root, "probes"), gemma, 2);
	resp_free(&r);
	root = get_json("/api/v1/probes?model=TEE%2Fnever", 200, &r);
	expect_seqs(json_object_get(root, "probes"), NULL, 0);
	resp_free(&r);

	root = get_json("/api/v1/probes?verdict=fail", 200, &r);
	expect_seqs(json_object_get(root, "probes"), gemma, 1);
	resp_free(&r);
	root = get_json("/api/v1/probes?since=1500&until=1700", 200, &r);
	expect_seqs(json_object_get(root, "probes"), all + 1, 2);
	resp_free(&r);
	root = get_json("/api/v1/probes?since=1501", 200, &r);
	expect_seqs(json_object_get(root, "probes"), all, 2);
	resp_free(&r);
	root = get_json("/api/v1/probes?limit=500&before=0", 200, &r);
	expect_seqs(json_object_get(root, "probes"), NULL, 0);
	resp_free(&r);
}
END_TEST

/*
 * Time bounds walk at most time_scan seqs per answer (api.h): with a
 * window of 2 on the 5-entry log, /probes?until=1600 pages back through
 * windows (an empty first page with next_before 3, then seq 1, then seq
 * 0) and the pages together are what one unbounded answer gives.
 */
START_TEST(test_time_window)
{
	static const struct {
		const char	*path;
		int		 seqs[2];
		size_t		 n;
		long long	 next;		/* -1: null */
	} pages[] = {
		{ "/api/v1/probes?until=1600", { 0 }, 0, 3 },
		{ "/api/v1/probes?until=1600&before=3", { SEQ_QWEN_ERROR }, 1,
		  1 },
		{ "/api/v1/probes?until=1600&before=1", { SEQ_GEMMA_PASS }, 1,
		  -1 },
		/* a page the window does not cut: next_before from the
		 * limit, as without a time bound */
		{ "/api/v1/probes?since=1600&limit=1", { SEQ_GEMMA_FAIL }, 1,
		  SEQ_GEMMA_FAIL },
		{ "/api/v1/events?since=1&before=3", { 0 }, 0, 1 },
	};
	static const int whole[] = { SEQ_QWEN_ERROR, SEQ_GEMMA_PASS };
	struct api_config cfg;
	struct api *b = NULL;
	struct tmon_err err = { 0 };
	struct resp r;
	json_t *root, *list, *next;
	uint16_t fixture = port;
	size_t i;

	root = get_json("/api/v1/probes?until=1600", 200, &r);
	expect_seqs(json_object_get(root, "probes"), whole, 2);
	ck_assert(json_is_null(json_object_get(root, "next_before")));
	resp_free(&r);

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen_host = "127.0.0.1";
	cfg.db_path = dbpath;
	cfg.time_scan = 2;
	ck_assert_msg(api_start(&cfg, &b, &err) == TMON_OK, "%s", err.msg);
	port = api_port(b);
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		root = get_json(pages[i].path, 200, &r);
		list = json_object_get(root, strstr(pages[i].path, "events") ?
		    "events" : "probes");
		expect_seqs(list, pages[i].seqs, pages[i].n);
		next = json_object_get(root, "next_before");
		if (pages[i].next < 0)
			ck_assert_msg(json_is_null(next), "%s", pages[i].path);
		else
			ck_assert_msg(json_integer_value(next) ==
			    pages[i].next, "%s: next_before %lld",
			    pages[i].path, (long long)json_integer_value(next));
		resp_free(&r);
	}
	port = fixture;
	api_stop(b);
}
END_TEST

START_TEST(test_bad_queries)
{
	expect_error("GET", "/api/v1/probes?limit=0", 400, "limit");
	expect_error("GET", "/api/v1/probes?limit=501", 400, "limit");
	expect_error("GET", "/api/v1/probes?limit=abc", 400, "limit");
	expect_error("GET", "/api/v1/probes?limit=-1", 400, "limit");
	expect_error("GET", "/api/v1/probes?limit=", 400, "limit");
	expect_error("GET", "/api/v1/probes?limit", 400, "limit");
	expect_error("GET", "/api/v1/probes?limit=5&limit=6", 400, "limit");
	expect_error("GET", "/api/v1/probes?since=yesterday", 400, "since");
	expect_error("GET", "/api/v1/probes?since=-5", 400, "since");
	expect_error("GET", "/api/v1/probes?until=1e3", 400, "until");
	expect_error("GET", "/api/v1/probes?since=10&until=5", 400, "until");
	expect_error("GET", "/api/v1/probes?before=x", 400, "before");
	expect_error("GET", "/api/v1/probes?before=18446744073709551615", 400,
	    "before");
	expect_error("GET", "/api/v1/probes?verdict=bad", 400, "verdict");
	expect_error("GET", "/api/v1/probes?verdict=PASS", 400, "verdict");
	expect_error("GET", "/api/v1/failures?verdict=pass", 400, "verdict");
	expect_error("GET", "/api/v1/probes?model=a%00b", 400, "model");
	expect_error("GET", "/api/v1/probes?model=a%20b", 400, "model");
	expect_error("GET", "/api/v1/probes?model=", 400, "model");
	expect_error("GET", "/api/v1/probes?colour=red", 400, "colour");
	expect_error("GET", "/api/v1/probes?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&"
	    "i=9&j=10&k=11&l=12&m=13&n=14&o=15&p=16&q=17", 400, NULL);
}
END_TEST

START_TEST(test_failures)
{
	static const int want[] = { SEQ_GEMMA_FAIL, SEQ_QWEN_ERROR };
	struct resp r;
	json_t *root, *f, *checks;
	size_t i;

	root = get_json("/api/v1/failures", 200, &r);
	expect_seqs(json_object_get(root, "failures"), want, 2);
	ck_assert(json_is_null(json_object_get(root, "next_before")));
	f = json_array_get(json_object_get(root, "failures"), 0);
	ck_assert_str_eq(jstr(f, "provider"), "nanogpt");
	checks = json_object_get(f, "checks");
	ck_assert_uint_eq(json_array_size(checks), 2);	/* fail + warn */
	for (i = 0; i < json_array_size(checks); i++) {
		ck_assert_str_ne(jstr(json_array_get(checks, i), "status"),
		    "pass");
		ck_assert_str_ne(jstr(json_array_get(checks, i), "status"),
		    "skip");
	}
	ck_assert_str_eq(jstr(check_by_id(checks, "nonce.echo"), "status"),
	    "fail");
	ck_assert_ptr_null(check_by_id(checks, "tdx.quote.parse"));
	resp_free(&r);
	root = get_json("/api/v1/failures?verdict=error&model=TEE%2Fqwen", 200,
	    &r);
	expect_seqs(json_object_get(root, "failures"), want + 1, 1);
	resp_free(&r);
	root = get_json("/api/v1/failures?limit=1", 200, &r);
	expect_seqs(json_object_get(root, "failures"), want, 1);
	ck_assert_int_eq(jint(root, "next_before"), SEQ_GEMMA_FAIL);
	resp_free(&r);
}
END_TEST

static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

START_TEST(test_entries)
{
	struct resp r;
	json_t *root;
	uint8_t leaf[32], chain[32] = { 0 }, buf[sizeof(bodies[0]) + 1], both[64];
	char hx[65];
	size_t i, n;

	/* Recompute leaf and chain for every entry from the answers alone. */
	for (i = 0; i < NSEQ; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/api/v1/entries/%zu", i);
		root = get_json(path, 200, &r);
		ck_assert_int_eq(jint(root, "seq"), (json_int_t)i);
		n = json_string_length(json_object_get(root, "body"));
		ck_assert_uint_eq(n, strlen(bodies[i]));
		ck_assert_mem_eq(jstr(root, "body"), bodies[i], n);
		hex(chain, 32, hx);
		ck_assert_str_eq(jstr(root, "prev_chain_hash"), hx);
		buf[0] = 0;
		memcpy(buf + 1, bodies[i], n);
		SHA256(buf, n + 1, leaf);
		hex(leaf, 32, hx);
		ck_assert_str_eq(jstr(root, "leaf_hash"), hx);
		memcpy(both, chain, 32);
		memcpy(both + 32, leaf, 32);
		SHA256(both, 64, chain);
		hex(chain, 32, hx);
		ck_assert_str_eq(jstr(root, "chain_hash"), hx);
		ck_assert_str_eq(jstr(root, "kind"), i == SEQ_RECEIPT ?
		    "receipt" : "probe");
		if (i == SEQ_RECEIPT)
			ck_assert(json_is_null(json_object_get(root, "model")));
		resp_free(&r);
	}
	expect_error("GET", "/api/v1/entries/5", 404, "seq");
	expect_error("GET", "/api/v1/entries/9223372036854775807", 404, "seq");
	expect_error("GET", "/api/v1/entries/9223372036854775808", 400, "seq");
	expect_error("GET", "/api/v1/entries/abc", 400, "seq");
	expect_error("GET", "/api/v1/entries/-1", 400, "seq");
	expect_error("GET", "/api/v1/entries/1x", 400, "seq");
	expect_error("GET", "/api/v1/entries/", 400, "seq");
	expect_error("GET", "/api/v1/entries/1/2", 400, "seq");
	expect_error("GET", "/api/v1/entries/0?x=1", 400, "x");
}
END_TEST

START_TEST(test_blobs)
{
	struct resp r;
	uint8_t key[32];
	char path[128], hx[65];

	SHA256(blob_bin, sizeof(blob_bin), key);
	hex(key, 32, hx);
	snprintf(path, sizeof(path), "/api/v1/blobs/%s", hx);
	http("GET", path, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "application/octet-stream");
	ck_assert_uint_eq(r.len, sizeof(blob_bin));
	ck_assert_mem_eq(r.body, blob_bin, sizeof(blob_bin));
	resp_free(&r);
	/* Upper-case hex names the same blob. */
	for (size_t i = 0; hx[i] != '\0'; i++)
		if (hx[i] >= 'a' && hx[i] <= 'f')
			hx[i] = (char)(hx[i] - 'a' + 'A');
	snprintf(path, sizeof(path), "/api/v1/blobs/%s", hx);
	http("GET", path, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.len, sizeof(blob_bin));
	resp_free(&r);

	SHA256((const uint8_t *)blob_json, sizeof(blob_json) - 1, key);
	hex(key, 32, hx);
	snprintf(path, sizeof(path), "/api/v1/blobs/%s", hx);
	http("GET", path, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "application/json");
	ck_assert_uint_eq(r.len, sizeof(blob_json) - 1);
	ck_assert_mem_eq(r.body, blob_json, r.len);
	resp_free(&r);

	key[31] ^= 1;
	hex(key, 32, hx);
	snprintf(path, sizeof(path), "/api/v1/blobs/%s", hx);
	expect_error("GET", path, 404, "sha256");
	hx[63] = '\0';
	snprintf(path, sizeof(path), "/api/v1/blobs/%s", hx);
	expect_error("GET", path, 400, "sha256");
	snprintf(path, sizeof(path), "/api/v1/blobs/%s0a", hx);
	expect_error("GET", path, 400, "sha256");
	hx[0] = 'g';
	snprintf(path, sizeof(path), "/api/v1/blobs/%s0", hx);
	expect_error("GET", path, 400, "sha256");
	expect_error("GET", "/api/v1/blobs/", 400, "sha256");
}
END_TEST

START_TEST(test_methods_and_unknown)
{
	struct resp r;

	expect_error("POST", "/api/v1/models", 405, NULL);
	expect_error("PUT", "/api/v1/probes", 405, NULL);
	expect_error("DELETE", "/api/v1/entries/0", 405, NULL);
	expect_error("POST", "/", 405, NULL);
	expect_error("GET", "/api/v1/nothing", 404, NULL);
	expect_error("GET", "/api/v2/models", 404, NULL);
	expect_error("GET", "/api/v1/models/", 404, NULL);
	expect_error("POST", "/api/v1/nothing", 404, NULL);
	expect_error("GET", "/api", 404, NULL);
	expect_error("GET", "/nosuchfile.html", 404, NULL);
	/* HEAD answers like GET, without a body. */
	http("HEAD", "/api/v1/models", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.len, 0);
	resp_free(&r);
}
END_TEST

START_TEST(test_dashboard_files)
{
	struct resp r;

	http("GET", "/", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(r.body, "app.js"));
	resp_free(&r);
	http("GET", "/index.html", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	http("GET", "/app.js", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "text/javascript; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(r.body, "textContent"));
	resp_free(&r);
	http("GET", "/style.css", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "text/css; charset=utf-8");
	resp_free(&r);
}
END_TEST

START_TEST(test_path_traversal)
{
	static const char *const bad[] = {
		"/../CMakeLists.txt",
		"/%2e%2e/CMakeLists.txt",
		"/%2E%2E/CMakeLists.txt",
		"/..%2fCMakeLists.txt",
		"/%2e%2e%2fCMakeLists.txt",
		"/..%5cCMakeLists.txt",
		"/./index.html",
		"/dashboards/../CMakeLists.txt",
		"/api/../CMakeLists.txt",
		"/api/v1/../../CMakeLists.txt",
		"//etc/passwd",
		"/%2fetc%2fpasswd",
		"/..",
		"/%2e%2e",
		"/.",
		"/.git",
		"/index.html%00.txt",
		"/index.html/",
		"/../../../../../../etc/passwd",
	};
	struct resp r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http("GET", bad[i], &r);
		ck_assert_msg(r.status == 404 || r.status == 400,
		    "%s: status %ld", bad[i], r.status);
		ck_assert_msg(r.body == NULL ||
		    (strstr(r.body, "cmake_minimum_required") == NULL &&
		    strstr(r.body, "root:") == NULL &&
		    strstr(r.body, "<html") == NULL), "%s: leaked", bad[i]);
		resp_free(&r);
	}
}
END_TEST

START_TEST(test_dashboard_symlink_and_dirs)
{
	char dash[128], p[160];
	struct resp r;
	FILE *f;

	api_stop(api);
	api = NULL;
	snprintf(dash, sizeof(dash), "%s/dash", dir);
	ck_assert_int_eq(mkdir(dash, 0700), 0);
	snprintf(p, sizeof(p), "%s/ok.txt", dash);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs("fine\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/link.txt", dash);
	ck_assert_int_eq(symlink(TMON_SOURCE_DIR "/CMakeLists.txt", p), 0);
	snprintf(p, sizeof(p), "%s/sub", dash);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	start_api(dash);

	http("GET", "/ok.txt", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "fine\n");
	resp_free(&r);
	expect_error("GET", "/link.txt", 404, NULL);
	expect_error("GET", "/sub", 404, NULL);
	expect_error("GET", "/", 404, NULL);	/* no index.html here */

	snprintf(p, sizeof(p), "%s/link.txt", dash);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s/ok.txt", dash);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s/sub", dash);
	(void)rmdir(p);
	(void)rmdir(dash);
}
END_TEST

START_TEST(test_start_errors)
{
	struct api_config cfg;
	struct api *b = NULL;
	struct tmon_err err = { 0 };
	char p[160];
	struct api_model bad = { "TEE/with space", "x" };

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen_host = "127.0.0.1";
	cfg.port = port;		/* taken by the fixture's server */
	cfg.db_path = dbpath;
	ck_assert_int_eq(api_start(&cfg, &b, &err), TMON_E_NET);
	ck_assert_ptr_null(b);
	cfg.port = 0;
	cfg.listen_host = "no-such-host.invalid";
	ck_assert_int_eq(api_start(&cfg, &b, &err), TMON_E_CONFIG);
	cfg.listen_host = "127.0.0.1";
	snprintf(p, sizeof(p), "%s/missing.db", dir);
	cfg.db_path = p;
	ck_assert_int_eq(api_start(&cfg, &b, &err), TMON_E_IO);
	cfg.db_path = dbpath;
	cfg.dashboard_dir = "/nonexistent/dashboards";
	ck_assert_int_eq(api_start(&cfg, &b, &err), TMON_E_CONFIG);
	cfg.dashboard_dir = NULL;
	cfg.models = &bad;
	cfg.n_models = 1;
	ck_assert_int_eq(api_start(&cfg, &b, &err), TMON_E_CONFIG);
	ck_assert_ptr_null(b);
	cfg.models = NULL;
	cfg.n_models = 0;
	cfg.max_connections = 10;
	cfg.max_per_address = 11;
	ck_assert_int_eq(api_start(&cfg, &b, &err), TMON_E_CONFIG);
	cfg.max_per_address = 0;
	cfg.request_deadline_s = API_MAX_TIMEOUT_S + 1;
	ck_assert_int_eq(api_start(&cfg, &b, &err), TMON_E_CONFIG);
	ck_assert_ptr_null(b);
	api_stop(NULL);
}
END_TEST

/* GET /metrics: Prometheus text; 400s from the API are counted. */
START_TEST(test_metrics)
{
	struct resp r;

	expect_error("GET", "/api/v1/probes?limit=0", 400, "limit");
	expect_error("GET", "/api/v1/entries/x", 400, "seq");
	expect_error("GET", "/api/v1/nothing", 404, NULL);
	http("GET", "/metrics", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "text/plain; version=0.0.4; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(r.body, "# TYPE "
	    "tmon_http_requests_rejected_total counter\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_http_requests_rejected_"
	    "total{reason=\"bad_request\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_http_requests_rejected_"
	    "total{reason=\"malformed\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_http_connections_closed_"
	    "deadline_total 0\n"));
	/* each model's newest probe, from the log */
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_probe_verdict{model="
	    "\"TEE/gemma-3-27b-it\",verdict=\"fail\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_probe_verdict{model="
	    "\"TEE/gemma-3-27b-it\",verdict=\"pass\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_probe_verdict{model="
	    "\"TEE/old\",verdict=\"pass\"} 1\n"));
	ck_assert_ptr_null(strstr(r.body, "model=\"TEE/never\""));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_check_status{model="
	    "\"TEE/gemma-3-27b-it\",check=\"nonce.echo\",status=\"fail\"} "
	    "1\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_check_status{model="
	    "\"TEE/qwen\",check=\"nonce.echo\",status=\"error\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_check_status{model="
	    "\"TEE/qwen\",check=\"tls.binding\",status=\"skip\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_model_last_probe_"
	    "timestamp_seconds{model=\"TEE/gemma-3-27b-it\"} 2000\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_model_last_success_"
	    "timestamp_seconds{model=\"TEE/gemma-3-27b-it\"} 1000\n"));
	ck_assert_ptr_null(strstr(r.body, "\ntmon_model_last_success_"
	    "timestamp_seconds{model=\"TEE/qwen\"}"));
	ck_assert_ptr_nonnull(strstr(r.body, "\ntmon_log_entries 5\n"));
	resp_free(&r);
	expect_error("POST", "/metrics", 405, NULL);
	expect_error("GET", "/metrics?x=1", 400, "x");
}
END_TEST

/* GET path with one more request header (or none); the answer's ETag
 * and Cache-Control into etag and cc (each 128 bytes, "" if absent). */
struct hdrs {
	char	etag[128];
	char	cc[128];
};

static size_t
hdr_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct hdrs *h = arg;
	size_t len = sz * n, k;

	for (k = len; k > 0 && (p[k - 1] == '\r' || p[k - 1] == '\n'); k--)
		;
	if (k > 6 && strncasecmp(p, "ETag: ", 6) == 0)
		snprintf(h->etag, sizeof(h->etag), "%.*s", (int)(k - 6), p + 6);
	if (k > 15 && strncasecmp(p, "Cache-Control: ", 15) == 0)
		snprintf(h->cc, sizeof(h->cc), "%.*s", (int)(k - 15), p + 15);
	return len;
}

static void
get_h(const char *path, const char *header, struct resp *r, struct hdrs *h)
{
	struct curl_slist *sl = NULL;
	char url[1024];
	char *ct = NULL;
	CURL *c;

	memset(r, 0, sizeof(*r));
	memset(h, 0, sizeof(*h));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port,
	    path);
	ck_assert_ptr_nonnull(c = curl_easy_init());
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hdr_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	if (header != NULL) {
		sl = curl_slist_append(NULL, header);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, sl);
	}
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	if (ct != NULL)
		snprintf(r->ctype, sizeof(r->ctype), "%s", ct);
	curl_easy_cleanup(c);
	curl_slist_free_all(sl);
}

/* W/"<size>-<32 hex>" */
static bool
etag_of_size(const char *etag, unsigned size)
{
	char want[32];
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), "W/\"%u-", size);
	return strncmp(etag, want, n) == 0 && strlen(etag) == n + 33 &&
	    strspn(etag + n, "0123456789abcdef") == 32 && etag[n + 32] == '"';
}

/* Append one more probe of TEE/qwen (a pass at t=2100): seq NSEQ. */
static void
append_probe(void)
{
	static char body[8192];
	struct store_entry_in in;
	struct store_appended out;
	struct tmon_err err = { 0 };

	probe_body(body, sizeof(body), "TEE/qwen", "near", "pass", "pass",
	    2100);
	memset(&in, 0, sizeof(in));
	in.kind = "probe";
	in.time = 2100;
	in.model = "TEE/qwen";
	in.verdict = "pass";
	in.body = (const uint8_t *)body;
	in.body_len = strlen(body);
	ck_assert_msg(store_append(writer, NULL, 0, &in, 1, &out, &err) ==
	    TMON_OK, "%s", err.msg);
	ck_assert_uint_eq(out.seq, NSEQ);
}

/*
 * ETag W/"<log size>-<hash>" on the lists: If-None-Match answers 304 with
 * no body; a new entry changes the tag and the (cached) first page.
 */
START_TEST(test_etag)
{
	static const char *const paths[] = { "/api/v1/models",
	    "/api/v1/probes", "/api/v1/failures", "/api/v1/probes?before=3",
	    "/api/v1/models/TEE%2Fqwen/history", "/api/v1/entries/1",
	    "/api/v1/receipts/2" };
	struct resp r, r2;
	struct hdrs h, h2;
	char inm[200], first_probes[128] = "", first_hist[128] = "";
	char want[32];
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		get_h(paths[i], NULL, &r, &h);
		ck_assert_msg(r.status == 200, "%s: %ld", paths[i], r.status);
		ck_assert_msg(etag_of_size(h.etag, NSEQ), "%s: ETag %s",
		    paths[i], h.etag);
		ck_assert_str_eq(h.cc, "no-cache");
		if (i == 1)
			snprintf(first_probes, sizeof(first_probes), "%s",
			    h.etag);
		if (i == 4)
			snprintf(first_hist, sizeof(first_hist), "%s",
			    h.etag);
		/* the same answer again (from the render cache for first
		 * pages): same tag, same bytes */
		get_h(paths[i], NULL, &r2, &h2);
		ck_assert_str_eq(h2.etag, h.etag);
		ck_assert_uint_eq(r2.len, r.len);
		ck_assert(memcmp(r2.body, r.body, r.len) == 0);
		resp_free(&r2);
		snprintf(inm, sizeof(inm), "If-None-Match: %s", h.etag);
		get_h(paths[i], inm, &r2, &h2);
		ck_assert_msg(r2.status == 304, "%s: %ld", paths[i],
		    r2.status);
		ck_assert_uint_eq(r2.len, 0);
		ck_assert_str_eq(h2.etag, h.etag);
		resp_free(&r2);
		/* in a list, and without W/ (weak comparison) */
		snprintf(inm, sizeof(inm), "If-None-Match: \"x\" , %s",
		    h.etag + 2);
		get_h(paths[i], inm, &r2, &h2);
		ck_assert_int_eq(r2.status, 304);
		resp_free(&r2);
		resp_free(&r);
	}
	/* another query is another tag */
	get_h("/api/v1/probes?limit=2", NULL, &r, &h);
	ck_assert_str_ne(h.etag, first_probes);
	resp_free(&r);
	get_h("/api/v1/probes", "If-None-Match: W/\"5-0\"", &r, &h);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	get_h("/api/v1/probes", "If-None-Match: *", &r, &h);
	ck_assert_int_eq(r.status, 304);
	resp_free(&r);
	/* answers that do not follow the log carry none */
	get_h("/healthz", NULL, &r, &h);
	ck_assert_str_eq(h.etag, "");
	resp_free(&r);
	get_h("/metrics", NULL, &r, &h);
	ck_assert_str_eq(h.etag, "");
	resp_free(&r);

	/* a new entry: the old tag no longer matches, the first page (was
	 * cached) shows the new probe */
	append_probe();
	snprintf(inm, sizeof(inm), "If-None-Match: %s", first_probes);
	get_h("/api/v1/probes", inm, &r, &h);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(etag_of_size(h.etag, NSEQ + 1), "ETag %s", h.etag);
	ck_assert_ptr_nonnull(strstr(r.body, "\"seq\":5,"));
	resp_free(&r);
	get_h("/api/v1/models", NULL, &r, &h);
	ck_assert_msg(etag_of_size(h.etag, NSEQ + 1), "ETag %s", h.etag);
	ck_assert_ptr_nonnull(strstr(r.body, "\"last_probe_seq\":5"));
	resp_free(&r);
	/* the history's first page (was cached) shows the pass after the
	 * error */
	snprintf(inm, sizeof(inm), "If-None-Match: %s", first_hist);
	get_h("/api/v1/models/TEE%2Fqwen/history", inm, &r, &h);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(etag_of_size(h.etag, NSEQ + 1), "ETag %s", h.etag);
	snprintf(want, sizeof(want), "\"seq\":%d,", NSEQ);
	ck_assert_msg(strstr(r.body, want) != NULL, "%s", r.body);
	resp_free(&r);
}
END_TEST

/* GET /readyz: 200 ready; 503 not_ready with the reason. */
static struct api_health fake_ready;

static void
fake_ready_cb(void *arg, struct api_health *out)
{
	ck_assert_ptr_eq(arg, &fake_ready);
	*out = fake_ready;
}

START_TEST(test_readyz)
{
	struct api_config cfg;
	struct tmon_err err = { 0 };
	struct resp r;
	json_t *j;

	j = get_json("/readyz", 200, &r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")),
	    "ready");
	resp_free(&r);
	expect_error("GET", "/readyz?x=1", 400, "x");
	expect_error("POST", "/readyz", 405, NULL);
	api_stop(api);
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen_host = "127.0.0.1";
	cfg.db_path = dbpath;
	cfg.health = fake_ready_cb;
	cfg.health_arg = &fake_ready;
	ck_assert_msg(api_start(&cfg, &api, &err) == TMON_OK, "%s", err.msg);
	port = api_port(api);
	memset(&fake_ready, 0, sizeof(fake_ready));
	fake_ready.degraded = true;
	snprintf(fake_ready.reason, sizeof(fake_ready.reason),
	    "disk full\x01");
	j = get_json("/readyz", 503, &r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")),
	    "not_ready");
	ck_assert_str_eq(json_string_value(json_object_get(j, "reason")),
	    "disk full?");
	resp_free(&r);
	fake_ready.degraded = false;
	j = get_json("/readyz", 200, &r);
	resp_free(&r);
}
END_TEST

/* GET /badge/{model}.svg and /badge.svg: SVG, cached 60 s, ETag. */
START_TEST(test_badges)
{
	struct resp r, r2;
	struct hdrs h, h2;
	char inm[200], *svg;
	size_t len;

	get_h("/badge/TEE%2Fgemma-3-27b-it.svg", NULL, &r, &h);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "image/svg+xml; charset=utf-8");
	ck_assert_str_eq(h.cc, "max-age=60");
	ck_assert_ptr_nonnull(strstr(r.body, "<svg xmlns="));
	/* newest fail at t=2000, last pass at t=1000: years ago */
	ck_assert_ptr_nonnull(strstr(r.body, ">TEE/gemma-3-27b-it</text>"));
	ck_assert_ptr_nonnull(strstr(r.body, ">fail, last ok "));
	ck_assert_ptr_nonnull(strstr(r.body, "fill=\"#e05d44\""));
	ck_assert_uint_eq(strlen(h.etag), 34);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", h.etag);
	get_h("/badge/TEE%2Fgemma-3-27b-it.svg", inm, &r2, &h2);
	ck_assert_int_eq(r2.status, 304);
	resp_free(&r2);
	resp_free(&r);
	get_h("/badge/TEE%2Fqwen.svg", NULL, &r, &h);
	ck_assert_ptr_nonnull(strstr(r.body, ">error, never ok<"));
	resp_free(&r);
	get_h("/badge/TEE%2Fnever.svg", NULL, &r, &h);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, ">no probes yet<"));
	resp_free(&r);
	/* not configured, but in the log */
	get_h("/badge/TEE%2Fold.svg", NULL, &r, &h);
	ck_assert_ptr_nonnull(strstr(r.body, ">pass "));
	ck_assert_ptr_nonnull(strstr(r.body, "fill=\"#44cc11\""));
	resp_free(&r);
	expect_error("GET", "/badge/TEE%2Fnope.svg", 404, "model");
	expect_error("GET", "/badge/.svg", 400, "model");
	expect_error("GET", "/badge/x", 404, NULL);
	expect_error("GET", "/badge/x.svg?y=1", 400, "y");
	/* the deployment: 0 of 3 configured models ok, one fails */
	get_h("/badge.svg", NULL, &r, &h);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, ">tmon</text>"));
	ck_assert_ptr_nonnull(strstr(r.body, ">0/3 ok</text>"));
	ck_assert_ptr_nonnull(strstr(r.body, "fill=\"#e05d44\""));
	resp_free(&r);

	/* text is escaped; widths come from the table */
	svg = api_badge_svg("a&<b>\"'\x01", "x", "#44cc11", &len);
	ck_assert_uint_eq(strlen(svg), len);
	ck_assert_ptr_nonnull(strstr(svg, ">a&amp;&lt;b&gt;&quot;&#39;?<"));
	ck_assert_ptr_null(strstr(svg, "<b>"));
	free(svg);
	ck_assert_uint_eq(api_badge_text_width("0"), 70);
	ck_assert_uint_eq(api_badge_text_width("pass"), 69 + 66 + 57 + 57);
	svg = api_badge_svg("00", "0", "#44cc11", &len);
	/* 14 + 12 and 7 + 12 px */
	ck_assert_ptr_nonnull(strstr(svg, "width=\"45\" height=\"20\" "
	    "role"));
	ck_assert_ptr_nonnull(strstr(svg, "<rect x=\"26\" width=\"19\""));
	free(svg);
}
END_TEST

/* Append an event of model about its probe probe_seq: seq NSEQ + k. */
static void
append_event(const char *model, enum entry_event_class cls, int64_t t,
    uint64_t probe_seq, uint64_t prev, const char *vb, const char *va,
    uint64_t want_seq)
{
	struct store_entry_in in;
	struct store_appended out;
	struct entry_event ev;
	struct tmon_err err = { 0 };
	uint8_t *body;
	size_t len;

	memset(&ev, 0, sizeof(ev));
	ev.time = t;
	ev.model = model;
	ev.cls = cls;
	ev.probe_seq = probe_seq;
	ev.prev_probe_seq = prev;
	ev.verdict_before = vb;
	ev.verdict_after = va;
	ev.worse = -1;
	ev.instances = 1;
	body = entry_event_body(&ev, &len);
	memset(&in, 0, sizeof(in));
	in.kind = "event";
	in.time = t;
	in.model = model;
	in.cls = entry_event_class_str(cls);
	in.body = body;
	in.body_len = len;
	ck_assert_msg(store_append(writer, NULL, 0, &in, 1, &out, &err) ==
	    TMON_OK, "%s", err.msg);
	ck_assert_uint_eq(out.seq, want_seq);
	free(body);
}

static json_int_t
seq_at(json_t *arr, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(arr, i),
	    "seq"));
}

/*
 * GET /api/v1/events: newest first, filters, paging, 400 on an unknown
 * class; the history of a model with events is its events; /models
 * carries daily counts, the last pass and the last event.
 */
START_TEST(test_events)
{
	struct resp r;
	json_t *j, *arr, *ev, *m;
	json_int_t nb;
	int64_t now = (int64_t)time(NULL);
	size_t i;

	append_event("TEE/gemma-3-27b-it", ENTRY_EVENT_FIRST, 1000, 0,
	    UINT64_MAX, NULL, "pass", NSEQ);
	append_event("TEE/qwen", ENTRY_EVENT_FIRST, 1500, 1, UINT64_MAX, NULL,
	    "error", NSEQ + 1);
	append_event("TEE/gemma-3-27b-it", ENTRY_EVENT_VERDICT_CHANGED, 2000,
	    4, 0, "pass", "fail", NSEQ + 2);

	j = get_json("/api/v1/events", 200, &r);
	arr = json_object_get(j, "events");
	ck_assert_uint_eq(json_array_size(arr), 3);
	ck_assert_int_eq(seq_at(arr, 0), NSEQ + 2);
	ck_assert_int_eq(seq_at(arr, 2), NSEQ);
	ck_assert(json_is_null(json_object_get(j, "next_before")));
	ev = json_array_get(arr, 0);
	ck_assert_str_eq(jstr(ev, "kind"), "event");
	ck_assert_str_eq(jstr(ev, "class"), "verdict_changed");
	ck_assert_str_eq(jstr(ev, "model"), "TEE/gemma-3-27b-it");
	ck_assert_str_eq(jstr(ev, "verdict_before"), "pass");
	ck_assert_str_eq(jstr(ev, "verdict_after"), "fail");
	ck_assert_int_eq(jint(ev, "probe_seq"), 4);
	ck_assert_int_eq(jint(ev, "time"), 2000);
	resp_free(&r);

	j = get_json("/api/v1/events?class=first", 200, &r);
	arr = json_object_get(j, "events");
	ck_assert_uint_eq(json_array_size(arr), 2);
	for (i = 0; i < 2; i++)
		ck_assert_str_eq(jstr(json_array_get(arr, i), "class"),
		    "first");
	resp_free(&r);
	j = get_json("/api/v1/events?model=TEE%2Fqwen", 200, &r);
	arr = json_object_get(j, "events");
	ck_assert_uint_eq(json_array_size(arr), 1);
	ck_assert_int_eq(seq_at(arr, 0), NSEQ + 1);
	resp_free(&r);
	j = get_json("/api/v1/events?since=1500&until=1999", 200, &r);
	arr = json_object_get(j, "events");
	ck_assert_uint_eq(json_array_size(arr), 1);
	ck_assert_int_eq(seq_at(arr, 0), NSEQ + 1);
	resp_free(&r);
	j = get_json("/api/v1/events?class=unexplained", 200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "events")), 0);
	resp_free(&r);
	/* paging: limit 2, then the rest from next_before */
	j = get_json("/api/v1/events?limit=2", 200, &r);
	arr = json_object_get(j, "events");
	ck_assert_uint_eq(json_array_size(arr), 2);
	nb = jint(j, "next_before");
	ck_assert_int_eq(nb, NSEQ + 1);
	resp_free(&r);
	{
		char path[64];

		snprintf(path, sizeof(path), "/api/v1/events?limit=2&before=%lld",
		    (long long)nb);
		j = get_json(path, 200, &r);
		arr = json_object_get(j, "events");
		ck_assert_uint_eq(json_array_size(arr), 1);
		ck_assert_int_eq(seq_at(arr, 0), NSEQ);
		ck_assert(json_is_null(json_object_get(j, "next_before")));
		resp_free(&r);
	}
	expect_error("GET", "/api/v1/events?class=changed", 400, "class");
	expect_error("GET", "/api/v1/events?class=", 400, "class");
	expect_error("GET", "/api/v1/events?verdict=pass", 400, "verdict");
	expect_error("GET", "/api/v1/events?limit=501", 400, "limit");
	expect_error("POST", "/api/v1/events", 405, NULL);

	/* the history of a model with events: its events, newest first,
	 * with the members of the old history */
	j = get_json("/api/v1/models/TEE%2Fgemma-3-27b-it/history", 200, &r);
	ck_assert_str_eq(jstr(j, "model"), "TEE/gemma-3-27b-it");
	arr = json_object_get(j, "changes");
	ck_assert_uint_eq(json_array_size(arr), 2);
	ev = json_array_get(arr, 0);
	ck_assert_int_eq(seq_at(arr, 0), NSEQ + 2);
	ck_assert_str_eq(jstr(ev, "change"), "verdict_changed");
	ck_assert_str_eq(jstr(ev, "verdict"), "fail");
	ck_assert_str_eq(jstr(ev, "previous_verdict"), "pass");
	ck_assert(json_is_true(json_object_get(ev, "verdict_changed")));
	ck_assert(json_is_false(json_object_get(ev, "measurement_changed")));
	/* the measurement is the probe's entry's, not read for a history */
	ck_assert_ptr_null(json_object_get(ev, "measurement"));
	ev = json_array_get(arr, 1);
	ck_assert_str_eq(jstr(ev, "change"), "first");
	ck_assert(json_is_null(json_object_get(ev, "previous_verdict")));
	ck_assert(json_is_true(json_object_get(ev, "measurement_changed")));
	ck_assert(json_is_null(json_object_get(j, "next_before")));
	resp_free(&r);
	j = get_json("/api/v1/models/TEE%2Fgemma-3-27b-it/history?limit=1",
	    200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "changes")), 1);
	ck_assert_int_eq(jint(j, "next_before"), NSEQ + 2);
	resp_free(&r);
	j = get_json("/api/v1/models/TEE%2Fgemma-3-27b-it/history?before=7",
	    200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "changes")), 1);
	ck_assert_int_eq(seq_at(json_object_get(j, "changes"), 0), NSEQ);
	resp_free(&r);

	/* /models: the last event, the last pass, daily counts (a probe of
	 * today for TEE/qwen; the fixture's are of 1970, out of range) */
	{
		static char body[8192];
		struct store_entry_in in;
		struct store_appended out;
		struct tmon_err err = { 0 };

		probe_body(body, sizeof(body), "TEE/qwen", "near", "pass",
		    "pass", now);
		memset(&in, 0, sizeof(in));
		in.kind = "probe";
		in.time = now;
		in.model = "TEE/qwen";
		in.verdict = "pass";
		in.body = (const uint8_t *)body;
		in.body_len = strlen(body);
		ck_assert_msg(store_append(writer, NULL, 0, &in, 1, &out,
		    &err) == TMON_OK, "%s", err.msg);
	}
	j = get_json("/api/v1/models", 200, &r);
	arr = json_object_get(j, "models");
	m = json_array_get(arr, 0);
	ck_assert_str_eq(jstr(m, "model"), "TEE/gemma-3-27b-it");
	ck_assert_int_eq(jint(m, "last_pass_time"), 1000);
	ck_assert_str_eq(jstr(json_object_get(m, "last_event"), "class"),
	    "verdict_changed");
	ck_assert_int_eq(jint(json_object_get(m, "last_event"), "seq"),
	    NSEQ + 2);
	ck_assert_uint_eq(json_array_size(json_object_get(m, "daily")), 0);
	m = json_array_get(arr, 1);
	ck_assert_str_eq(jstr(m, "model"), "TEE/qwen");
	ck_assert_int_eq(jint(m, "last_pass_time"), now);
	ck_assert_uint_eq(json_array_size(json_object_get(m, "daily")), 1);
	ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(
	    json_object_get(m, "daily"), 0), 0)), now / 86400);
	ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(
	    json_object_get(m, "daily"), 0), 1)), 1);
	m = json_array_get(arr, 2);
	ck_assert_str_eq(jstr(m, "model"), "TEE/never");
	ck_assert(json_is_null(json_object_get(m, "last_event")));
	ck_assert(json_is_null(json_object_get(m, "last_pass_time")));
	ck_assert_uint_eq(json_array_size(json_object_get(m, "daily")), 0);
	resp_free(&r);
}
END_TEST

/* A client thread of test_cache_threads: first pages while the log
 * grows; every answer must show the log at least as of its ETag. */
static void *
cache_client(void *arg)
{
	struct resp r;
	struct hdrs h;
	json_t *arr;
	unsigned long size;
	long long first;
	int i, *bad = arg;

	for (i = 0; i < 40; i++) {
		get_h(i % 2 == 0 ? "/api/v1/probes?limit=5" : "/api/v1/models",
		    NULL, &r, &h);
		if (r.status != 200 || sscanf(h.etag, "W/\"%lu-", &size) != 1) {
			(*bad)++;
			resp_free(&r);
			continue;
		}
		r.json = json_loadb(r.body, r.len, 0, NULL);
		arr = json_object_get(r.json, i % 2 == 0 ? "probes" : "models");
		first = i % 2 == 0 ? (long long)json_integer_value(
		    json_object_get(json_array_get(arr, 0), "seq")) :
		    (long long)json_integer_value(json_object_get(
		    json_array_get(arr, 1), "last_probe_seq"));
		/* every entry appended here is a probe of TEE/qwen */
		if (size > NSEQ && first < (long long)size - 1)
			(*bad)++;
		resp_free(&r);
	}
	return NULL;
}

/* The render cache under concurrent requests while entries arrive. */
START_TEST(test_cache_threads)
{
	static char body[8192];
	struct store_entry_in in;
	struct store_appended out;
	struct tmon_err err = { 0 };
	pthread_t th[4];
	int bad[4] = { 0 }, i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, cache_client,
		    &bad[i]), 0);
	for (i = 0; i < 30; i++) {
		probe_body(body, sizeof(body), "TEE/qwen", "near", "pass",
		    "pass", 3000 + i);
		memset(&in, 0, sizeof(in));
		in.kind = "probe";
		in.time = 3000 + i;
		in.model = "TEE/qwen";
		in.verdict = "pass";
		in.body = (const uint8_t *)body;
		in.body_len = strlen(body);
		ck_assert_msg(store_append(writer, NULL, 0, &in, 1, &out,
		    &err) == TMON_OK, "%s", err.msg);
		usleep(2000);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(bad[i], 0);
	}
}
END_TEST

START_TEST(test_badge_age)
{
	char b[24];

	api_badge_age(-5, b, sizeof(b));
	ck_assert_str_eq(b, "0s");
	api_badge_age(59, b, sizeof(b));
	ck_assert_str_eq(b, "59s");
	api_badge_age(60, b, sizeof(b));
	ck_assert_str_eq(b, "1m");
	api_badge_age(3599, b, sizeof(b));
	ck_assert_str_eq(b, "59m");
	api_badge_age(7200, b, sizeof(b));
	ck_assert_str_eq(b, "2h");
	api_badge_age(86400 * 3 + 5, b, sizeof(b));
	ck_assert_str_eq(b, "3d");
}
END_TEST

START_TEST(test_reader_after_writer_closed)
{
	struct resp r;
	json_t *root;

	/* The daemon's handle gone (WAL checkpointed): still served. */
	api_stop(api);
	api = NULL;
	store_close(writer);
	writer = NULL;
	start_api(NULL);
	root = get_json("/api/v1/probes?limit=1", 200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "probes")), 1);
	resp_free(&r);
	expect_error("GET", "/", 404, NULL);
}
END_TEST

/*
 * The verdict column of the newest gemma probe edited behind the store's
 * back ("fail" -> "pass", its hashed body untouched, as with the file in
 * hand): no answer shows the forged pass; every one that would use that
 * row is 500 naming the entry and the column.
 */
START_TEST(test_forged_column)
{
	static const char *const paths[] = { "/api/v1/probes",
	    "/api/v1/probes?verdict=pass", "/api/v1/models",
	    "/api/v1/entries/4", "/api/v1/models/TEE%2Fgemma-3-27b-it/history",
	    "/api/v1/probes?model=TEE%2Fgemma-3-27b-it&limit=1" };
	struct resp r;
	sqlite3 *db = NULL;
	size_t i;

	ck_assert_int_eq(SEQ_GEMMA_FAIL, 4);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TRIGGER entries_no_update; "
	    "UPDATE entries SET verdict = 'pass' WHERE seq = 4", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		http("GET", paths[i], &r);
		ck_assert_msg(r.status == 500 && r.body != NULL &&
		    strstr(r.body, "damaged: entry 4: column verdict is") !=
		    NULL, "%s: %ld %s", paths[i], r.status,
		    r.body != NULL ? r.body : "");
		resp_free(&r);
	}
	/* Entries before it are still served. */
	get_json("/api/v1/entries/3", 200, &r);
	resp_free(&r);
}
END_TEST

static json_t *
change_at(json_t *root, size_t i)
{
	json_t *c = json_array_get(json_object_get(root, "changes"), i);

	ck_assert_ptr_nonnull(c);
	return c;
}

/* Every name in change's changed_fields is an identity field
 * ("platform.", "app.", "instance."), never a "probe." one; want (may be
 * NULL) must be among them. */
static void
expect_fields(json_t *change, const char *want, size_t min)
{
	json_t *f = json_object_get(change, "changed_fields");
	const char *n;
	bool found = want == NULL;
	size_t i;

	ck_assert_uint_ge(json_array_size(f), min);
	for (i = 0; i < json_array_size(f); i++) {
		n = json_string_value(json_array_get(f, i));
		ck_assert_ptr_nonnull(n);
		ck_assert_msg(strncmp(n, "platform.", 9) == 0 ||
		    strncmp(n, "app.", 4) == 0 ||
		    strncmp(n, "instance.", 9) == 0, "field %s", n);
		if (want != NULL && strcmp(n, want) == 0)
			found = true;
	}
	ck_assert_msg(found, "%s not among the changed fields", want);
}

START_TEST(test_history)
{
	struct store_entry_in in[3];
	struct tmon_err err = { 0 };
	struct resp r;
	json_t *root, *c;
	char b[3][8192];
	size_t i;

	/* Two gemma probes, each with its own nonce and so REPORTDATA: the
	 * first, then pass -> fail, and no measurement change. */
	root = get_json("/api/v1/models/TEE%2Fgemma-3-27b-it/history", 200,
	    &r);
	ck_assert_str_eq(jstr(root, "model"), "TEE/gemma-3-27b-it");
	ck_assert_uint_eq(json_array_size(json_object_get(root, "changes")),
	    2);
	ck_assert(json_is_null(json_object_get(root, "next_after")));
	c = change_at(root, 0);			/* the first probe */
	ck_assert_int_eq(jint(c, "seq"), SEQ_GEMMA_PASS);
	ck_assert(json_is_null(json_object_get(c, "previous_verdict")));
	ck_assert(json_is_true(json_object_get(c, "measurement_changed")));
	ck_assert_str_eq(jstr(c, "change"), "first");
	expect_fields(c, "platform.mrtd", 10);
	c = change_at(root, 1);			/* pass -> fail */
	ck_assert_int_eq(jint(c, "seq"), SEQ_GEMMA_FAIL);
	ck_assert_str_eq(jstr(c, "previous_verdict"), "pass");
	ck_assert_str_eq(jstr(c, "verdict"), "fail");
	ck_assert(json_is_true(json_object_get(c, "verdict_changed")));
	ck_assert(json_is_false(json_object_get(c, "measurement_changed")));
	ck_assert_str_eq(jstr(c, "change"), "none");
	ck_assert_uint_eq(json_array_size(json_object_get(c,
	    "changed_fields")), 0);
	resp_free(&r);

	/* seq 5: the NEAR capture's TEE (another boot chain, 8 GPUs);
	 * seq 6: the gemma TEE again, new nonce, a member more in the body;
	 * seq 7: the gemma TEE as a version 1 entry (one flat measurement,
	 * as the first tmon wrote it). */
	probe_body(b[0], sizeof(b[0]), "TEE/gemma-3-27b-it", "near", "fail",
	    "fail", 3000);
	probe_body(b[1], sizeof(b[1]), "TEE/gemma-3-27b-it", "nanogpt",
	    "fail", "fail", 3100);
	b[1][strlen(b[1]) - 1] = '\0';
	ck_assert_uint_lt(strlen(b[1]) + 8, sizeof(b[1]));
	memcpy(b[1] + strlen(b[1]), ",\"x\":1}", 8);	/* and the NUL */
	{
		char h[5][97], rd[129];

		hex_encode(cap_gemma->m.mrtd, 48, h[0]);
		for (i = 0; i < 4; i++)
			hex_encode(cap_gemma->m.rtmr[i], 48, h[1 + i]);
		hex_encode(cap_gemma->m.report_data, 64, rd);
		snprintf(b[2], sizeof(b[2]), "{\"kind\":\"probe\","
		    "\"measurement\":{\"gpus\":1,\"mrtd\":\"%s\","
		    "\"report_data\":\"%s\",\"rtmr0\":\"%s\","
		    "\"rtmr1\":\"%s\",\"rtmr2\":\"%s\",\"rtmr3\":\"%s\","
		    "\"signing_address\":\"%s\",\"signing_algo\":\"ecdsa\"},"
		    "\"model\":\"TEE/gemma-3-27b-it\",\"time\":3200,\"v\":1,"
		    "\"verdict\":\"fail\"}", h[0], rd, h[1], h[2], h[3], h[4],
		    cap_gemma->m.signing_address);
	}
	memset(in, 0, sizeof(in));
	for (i = 0; i < 3; i++) {
		in[i].kind = "probe";
		in[i].model = "TEE/gemma-3-27b-it";
		in[i].verdict = "fail";
		in[i].time = 3000 + 100 * (int64_t)i;
		in[i].body = (const uint8_t *)b[i];
		in[i].body_len = strlen(b[i]);
	}
	ck_assert_msg(store_append(writer, NULL, 0, in, 3, NULL, &err) ==
	    TMON_OK, "%s", err.msg);
	root = get_json("/api/v1/models/TEE%2Fgemma-3-27b-it/history", 200,
	    &r);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "changes")),
	    3);
	c = change_at(root, 2);
	ck_assert_int_eq(jint(c, "seq"), 5);
	ck_assert(json_is_false(json_object_get(c, "verdict_changed")));
	ck_assert(json_is_true(json_object_get(c, "measurement_changed")));
	ck_assert_str_eq(jstr(c, "change"), "changed");
	expect_fields(c, "platform.rtmr0", 1);
	ck_assert_str_eq(jstr(json_object_get(json_object_get(c,
	    "measurement"), "platform"), "mrtd"), mrtd);
	resp_free(&r);
	/* the models page: the gemma TEE again after NEAR's is no change */
	root = get_json("/api/v1/models", 200, &r);
	c = json_array_get(json_object_get(root, "models"), 0);
	ck_assert_int_eq(jint(c, "last_probe_seq"), 7);
	ck_assert_str_eq(jstr(json_object_get(c, "change"), "class"), "none");
	ck_assert_int_eq(jint(c, "instances"), 2);
	resp_free(&r);

	/* Paging: one change per page, each against the probe before it. */
	root = get_json("/api/v1/models/TEE%2Fgemma-3-27b-it/history?limit=1",
	    200, &r);
	ck_assert_int_eq(jint(change_at(root, 0), "seq"), 0);
	ck_assert_int_eq(jint(root, "next_after"), 0);
	resp_free(&r);
	root = get_json("/api/v1/models/TEE%2Fgemma-3-27b-it/history?limit=1&"
	    "after=0", 200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "changes")),
	    1);
	c = change_at(root, 0);
	ck_assert_int_eq(jint(c, "seq"), SEQ_GEMMA_FAIL);
	ck_assert_str_eq(jstr(c, "previous_verdict"), "pass");
	ck_assert_int_eq(jint(root, "next_after"), SEQ_GEMMA_FAIL);
	resp_free(&r);
	root = get_json("/api/v1/models/TEE%2Fgemma-3-27b-it/history?after=5",
	    200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "changes")),
	    0);		/* seq 6 and 7 are known: the state before is seeded */
	ck_assert(json_is_null(json_object_get(root, "next_after")));
	resp_free(&r);
	/* since: the probe before the range is the baseline. */
	root = get_json("/api/v1/models/TEE%2Fgemma-3-27b-it/history?"
	    "since=1500&until=2500", 200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "changes")),
	    1);
	ck_assert_str_eq(jstr(change_at(root, 0), "previous_verdict"),
	    "pass");
	resp_free(&r);

	root = get_json("/api/v1/models/TEE%2Fnever/history", 200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "changes")),
	    0);
	resp_free(&r);
	expect_error("GET", "/api/v1/models/TEE%2Fnope/history", 404, "model");
	expect_error("GET", "/api/v1/models/a%20b/history", 400, "model");
	expect_error("GET", "/api/v1/models//history", 404, NULL);
	/* before= pages a history of events (test_events) */
	expect_error("GET", "/api/v1/models/TEE%2Fqwen/history?verdict=pass",
	    400, "verdict");
	expect_error("GET", "/api/v1/models/TEE%2Fqwen/history?after=x", 400,
	    "after");
	expect_error("POST", "/api/v1/models/TEE%2Fqwen/history", 405, NULL);
}
END_TEST

/* GET /healthz: the daemon's write health, 503 with Retry-After. */
static struct api_health fake_health;

static void
fake_health_cb(void *arg, struct api_health *out)
{
	ck_assert_ptr_eq(arg, &fake_health);
	*out = fake_health;
}

static size_t
retry_after_cb(char *p, size_t sz, size_t n, void *arg)
{
	if (sz * n > 13 && strncasecmp(p, "Retry-After: ", 13) == 0)
		snprintf(arg, 16, "%.*s", (int)strcspn(p + 13, "\r\n"),
		    p + 13);
	return sz * n;
}

START_TEST(test_healthz)
{
	struct api_config cfg;
	struct tmon_err err = { 0 };
	struct resp r;
	char ra[16] = "";
	CURL *c;
	char url[128];
	long status;
	json_t *j;

	/* without a health callback: ok */
	j = get_json("/healthz", 200, &r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")),
	    "ok");
	resp_free(&r);
	expect_error("POST", "/healthz", 405, NULL);
	expect_error("GET", "/healthz?x=1", 400, "x");

	api_stop(api);
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen_host = "127.0.0.1";
	cfg.db_path = dbpath;
	cfg.health = fake_health_cb;
	cfg.health_arg = &fake_health;
	ck_assert_msg(api_start(&cfg, &api, &err) == TMON_OK, "%s", err.msg);
	port = api_port(api);
	memset(&fake_health, 0, sizeof(fake_health));
	fake_health.pending = 2;
	j = get_json("/healthz", 200, &r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")),
	    "ok");
	ck_assert_int_eq(json_integer_value(json_object_get(j,
	    "pending_probes")), 2);
	resp_free(&r);

	fake_health.degraded = true;
	fake_health.since = 1700000000;
	/* a reason quoting a path that is not UTF-8 stays valid JSON */
	snprintf(fake_health.reason, sizeof(fake_health.reason),
	    "store: /tmp/\xff\xfe/t.db: the database file was deleted");
	j = get_json("/healthz", 503, &r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")),
	    "degraded");
	ck_assert_str_eq(json_string_value(json_object_get(j, "reason")),
	    "store: /tmp/?" "?/t.db: the database file was deleted");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "since")),
	    1700000000);
	resp_free(&r);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/healthz",
	    (unsigned)port);
	ck_assert_ptr_nonnull(c = curl_easy_init());
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, retry_after_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, ra);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	ck_assert_int_eq(status, 503);
	ck_assert_str_eq(ra, "10");
}
END_TEST

/* api_request_parse directly: cases HTTP clients cannot easily send. */
START_TEST(test_request_parse)
{
	struct api_request req;
	struct api_reject rej;
	struct api_arg a[2];

	ck_assert_int_eq(api_request_parse("GET", "/api/v1/probes", NULL, 0,
	    &req, &rej), TMON_OK);
	ck_assert_int_eq(req.route, API_ROUTE_PROBES);
	ck_assert_uint_eq(req.limit, API_DEFAULT_LIMIT);
	ck_assert(req.before == UINT64_MAX);
	a[0].key = "model";
	a[0].key_len = 5;
	a[0].value = "TEE/x\0y";
	a[0].value_len = 7;
	ck_assert_int_eq(api_request_parse("GET", "/api/v1/probes", a, 1,
	    &req, &rej), TMON_E_PARSE);
	ck_assert_uint_eq(rej.status, 400);
	ck_assert_str_eq(rej.field, "model");
	a[0].value_len = 5;
	a[1].key = "limit";
	a[1].key_len = 5;
	a[1].value = NULL;
	a[1].value_len = 0;
	ck_assert_int_eq(api_request_parse("GET", "/api/v1/probes", a, 2,
	    &req, &rej), TMON_E_PARSE);
	ck_assert_str_eq(rej.field, "limit");
	ck_assert_int_eq(api_request_parse("GET", "/api/v1/probes", a, 1,
	    &req, &rej), TMON_OK);
	ck_assert_str_eq(req.model, "TEE/x");
	ck_assert_int_eq(api_request_parse("GET", "/..", NULL, 0, &req, &rej),
	    TMON_E_PARSE);
	ck_assert_uint_eq(rej.status, 404);
	ck_assert_int_eq(api_request_parse("GET", "relative", NULL, 0, &req,
	    &rej), TMON_E_PARSE);
	ck_assert_uint_eq(rej.status, 404);
	ck_assert_int_eq(api_request_parse("GET", "/a-b_c.9.js", NULL, 0, &req,
	    &rej), TMON_OK);
	ck_assert_str_eq(req.file, "a-b_c.9.js");
	ck_assert_int_eq(api_request_parse("GET", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.js", NULL, 0,
	    &req, &rej), TMON_E_PARSE);
	ck_assert_int_eq(api_request_parse(NULL, "/", NULL, 0, &req, &rej),
	    TMON_E_PARSE);
	ck_assert_int_eq(api_request_parse("HEAD", "/healthz", NULL, 0, &req,
	    &rej), TMON_OK);
	ck_assert_int_eq(req.route, API_ROUTE_HEALTHZ);
}
END_TEST

/* The Content-Type a receipt must be sent with. */
START_TEST(test_media_type_json)
{
	static const char *const yes[] = { "application/json",
	    "Application/JSON", "application/json; charset=utf-8",
	    "application/json;charset=UTF-8", " application/json ",
	    "application/json\t; x=y" };
	static const char *const no[] = { "", "text/plain",
	    "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
	    "multipart/form-data; boundary=x", "application/jsonx",
	    "application/json-patch+json", "application/javascript",
	    "application/ json", "application", "json" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(api_media_type_json(yes[i]), "%s", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!api_media_type_json(no[i]), "%s", no[i]);
	ck_assert(!api_media_type_json(NULL));
}
END_TEST

static Suite *
api_suite(void)
{
	Suite *su = suite_create("api");
	TCase *tc = tcase_create("api");
	TCase *tp = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_models);
	tcase_add_test(tc, test_probes);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_bad_queries);
	tcase_add_test(tc, test_failures);
	tcase_add_test(tc, test_entries);
	tcase_add_test(tc, test_blobs);
	tcase_add_test(tc, test_methods_and_unknown);
	tcase_add_test(tc, test_dashboard_files);
	tcase_add_test(tc, test_path_traversal);
	tcase_add_test(tc, test_dashboard_symlink_and_dirs);
	tcase_add_test(tc, test_start_errors);
	tcase_add_test(tc, test_metrics);
	tcase_add_test(tc, test_reader_after_writer_closed);
	tcase_add_test(tc, test_forged_column);
	tcase_add_test(tc, test_healthz);
	tcase_add_test(tc, test_etag);
	tcase_add_test(tc, test_time_window);
	tcase_add_test(tc, test_readyz);
	tcase_add_test(tc, test_badges);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_cache_threads);
	suite_add_tcase(su, tc);
	tcase_add_test(tp, test_request_parse);
	tcase_add_test(tp, test_media_type_json);
	tcase_add_test(tp, test_badge_age);
	suite_add_tcase(su, tp);
	return su;
}

int
main(void)
{
	SRunner *sr;
	int nfail;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	sr = srunner_create(api_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
