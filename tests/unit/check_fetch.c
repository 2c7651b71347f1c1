/*
 * Unit tests for monitor/fetch against tmon-replay (contrib/replay),
 * started once as a child process on a free loopback port with the
 * recorded responses in tests/data/replay.  Expected bodies are the
 * recorded files themselves, read here, never produced by fetch.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "encode.h"
#include "fetch.h"
#include "tmon_limits.h"
#include "util.h"

#define REPLAY_DIR	TMON_TEST_DATA "/replay"
#define NONCE		"0123456789abcdef0123456789abcdef" \
			"0123456789abcdef0123456789abcdef"
#define NONCE2		"ffeeddccbbaa99887766554433221100" \
			"ffeeddccbbaa99887766554433221100"
#define TOKEN		"tmon-test-secret-7f3a9c"
#define GEMMA_0610	"nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json"

static pid_t replay_pid = -1;
static unsigned replay_port;

/* ---- the replay server ---------------------------------------------- */

static void
replay_start(void)
{
	int fds[2];
	char line[256];
	FILE *fp;
	unsigned port;

	if (pipe(fds) != 0) {
		perror("pipe");
		exit(1);
	}
	replay_pid = fork();
	if (replay_pid < 0) {
		perror("fork");
		exit(1);
	}
	if (replay_pid == 0) {
		/* Do not outlive the test runner. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		close(fds[1]);
		/* The stall route sends nothing for 30 s: far past any
		   timeout used here. */
		execl(TMON_BUILD_DIR "/tmon-replay", "tmon-replay", "--dir",
		    REPLAY_DIR, "--listen", "127.0.0.1:0", "--stall-ms",
		    "30000", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if ((fp = fdopen(fds[0], "r")) == NULL) {
		perror("fdopen");
		exit(1);
	}
	if (fgets(line, sizeof(line), fp) == NULL ||
	    sscanf(line, "tmon-replay: listening on http://127.0.0.1:%u",
	    &port) != 1 || port == 0 || port > 65535) {
		fprintf(stderr, "tmon-replay did not start\n");
		kill(replay_pid, SIGTERM);
		exit(1);
	}
	fclose(fp);
	replay_port = port;
}

static void
replay_stop(void)
{
	int status;

	if (replay_pid > 0) {
		kill(replay_pid, SIGTERM);
		waitpid(replay_pid, &status, 0);
		replay_pid = -1;
	}
}

static void
url_for(char *out, size_t n, const char *path)
{
	snprintf(out, n, "http://127.0.0.1:%u%s", replay_port, path);
}

static void
nanogpt_url(char *out, size_t n, const char *prefix, const char *model,
    const char *nonce)
{
	snprintf(out, n, "http://127.0.0.1:%u%sapi/v1/tee/attestation?"
	    "model=%s&nonce=%s", replay_port, prefix, model, nonce);
}

static uint8_t *
data_file(const char *rel, size_t *len)
{
	char path[1024];
	uint8_t *p = NULL;

	snprintf(path, sizeof(path), "%s/%s", REPLAY_DIR, rel);
	ck_assert_int_eq(read_file(path, 32u * 1024 * 1024, &p, len, NULL),
	    TMON_OK);
	return p;
}

static void
get(const char *url, const char *token, size_t max_body, long timeout_ms,
    struct fetch_result *res)
{
	struct fetch_req req;

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.method = "GET";
	req.bearer_token = token;
	req.max_body = max_body;
	req.timeout_ms = timeout_ms;
	fetch_sync(&req, res, NULL);
}

static void
assert_body_is_file(const struct fetch_result *res, const char *rel)
{
	uint8_t *want;
	size_t wlen;

	want = data_file(rel, &wlen);
	ck_assert_int_eq(res->rc, TMON_OK);
	ck_assert_int_eq(res->status, 200);
	ck_assert_ptr_nonnull(res->body);
	ck_assert_uint_eq(res->body_len, wlen);
	ck_assert(memcmp(res->body, want, wlen) == 0);
	ck_assert_int_eq(res->body[res->body_len], '\0');
	free(want);
}

/* ---- tests -------------------------------------------------------------- */

struct recorded {
	const char	*path;		/* up to "nonce=" */
	const char	*tail;		/* after the nonce */
	const char	*file;
};

static const struct recorded recorded[] = {
	{ "/api/v1/tee/attestation?model=TEE%2Fgemma-3-27b-it&nonce=", "",
	  GEMMA_0610 },
	{ "/nanogpt-2026-03-25/api/v1/tee/attestation?"
	  "model=TEE/gemma-3-27b-it&nonce=", "",
	  "nanogpt-2026-03-25_multi/gemma-3-27b-it_attestation.json" },
	{ "/nanogpt-2026-03-25/api/v1/tee/attestation?"
	  "model=TEE/kimi-k2.5&nonce=", "",
	  "nanogpt-2026-03-25_multi/kimi-k2.5_attestation.json" },
	{ "/nanogpt-2026-03-25/api/v1/tee/attestation?"
	  "model=TEE/llama3-3-70b&nonce=", "",
	  "nanogpt-2026-03-25_multi/llama3-3-70b_attestation.json" },
	{ "/v1/attestation/report?model=phala/deepseek-v3.2&nonce=",
	  "&signing_algo=ecdsa",
	  "redpill-teep/redpill_phala-deepseek-v3.2_2026-06-10_"
	  "attestation_response.json" },
	{ "/nearai-cloud/v1/attestation/report?model=openai/gpt-oss-120b"
	  "&nonce=", "&signing_algo=ecdsa",
	  "nearai-cloud/nearai_cloud_report_openai_gpt_oss_120b.json" },
};

START_TEST(test_recorded_identical)
{
	struct fetch_result res;
	char url[512];

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s%s%s", replay_port,
	    recorded[_i].path, NONCE, recorded[_i].tail);
	get(url, NULL, 0, 0, &res);
	assert_body_is_file(&res, recorded[_i].file);
	ck_assert_str_eq(res.content_type, "application/json");
	ck_assert_str_eq(res.error, "");
	ck_assert(res.duration_ms >= 0);
	fetch_result_free(&res);
	ck_assert_ptr_null(res.body);
	ck_assert_uint_eq(res.body_len, 0);
}
END_TEST

/* Response headers are kept; values as recorded in the capture's
 * attestation_http_meta.json. */
START_TEST(test_headers_kept)
{
	struct fetch_result res;
	char url[512], *v;

	nanogpt_url(url, sizeof(url), "/", "TEE/gemma-3-27b-it", NONCE2);
	get(url, NULL, 0, 0, &res);
	ck_assert_int_eq(res.rc, TMON_OK);
	ck_assert_ptr_nonnull(res.headers);
	v = fetch_header_dup(&res, "x-vercel-cache");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v, "BYPASS");
	free(v);
	v = fetch_header_dup(&res, "X-Matched-Path");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v, "/api/v1/tee/attestation");
	free(v);
	ck_assert_ptr_null(fetch_header_dup(&res, "X-Not-There"));
	ck_assert_ptr_null(fetch_header_dup(&res, "X-Matched"));
	fetch_result_free(&res);
	ck_assert_ptr_null(res.headers);
}
END_TEST

/* Whatever nonce is asked, the recording comes back unchanged. */
START_TEST(test_any_nonce)
{
	struct fetch_result res;
	char url[512];

	nanogpt_url(url, sizeof(url), "/", "TEE/gemma-3-27b-it", NONCE2);
	get(url, NULL, 0, 0, &res);
	assert_body_is_file(&res, GEMMA_0610);
	fetch_result_free(&res);
}
END_TEST

START_TEST(test_oversize_chunked)
{
	struct fetch_result res;
	char url[512];

	nanogpt_url(url, sizeof(url), "/", "TEE/tmon-synthetic-oversize",
	    NONCE);
	/* 9 MiB chunked against a 1 MiB cap, then the default cap. */
	get(url, NULL, 1024 * 1024, 0, &res);
	ck_assert_int_eq(res.rc, TMON_E_LIMIT);
	ck_assert_int_eq(res.status, 200);
	ck_assert_ptr_null(res.body);
	ck_assert_uint_eq(res.body_len, 0);
	ck_assert_ptr_nonnull(strstr(res.error, "larger than 1048576"));
	fetch_result_free(&res);

	get(url, NULL, 0, 0, &res);
	ck_assert_int_eq(res.rc, TMON_E_LIMIT);
	ck_assert_ptr_null(res.body);
	ck_assert_uint_eq(res.body_len, 0);
	fetch_result_free(&res);
}
END_TEST

/* A body with a Content-Length: the cap holds to the byte. */
START_TEST(test_limit_boundary)
{
	struct fetch_result res;
	char url[512];
	size_t len;
	uint8_t *want;

	want = data_file(GEMMA_0610, &len);
	free(want);
	nanogpt_url(url, sizeof(url), "/", "TEE/gemma-3-27b-it", NONCE);
	get(url, NULL, len, 0, &res);
	assert_body_is_file(&res, GEMMA_0610);
	fetch_result_free(&res);

	get(url, NULL, len - 1, 0, &res);
	ck_assert_int_eq(res.rc, TMON_E_LIMIT);
	ck_assert_ptr_null(res.body);
	fetch_result_free(&res);

	get(url, NULL, 1000, 0, &res);
	ck_assert_int_eq(res.rc, TMON_E_LIMIT);
	ck_assert_ptr_null(res.body);
	fetch_result_free(&res);
}
END_TEST

START_TEST(test_stall_timeout)
{
	struct fetch_result res;
	char url[512];

	nanogpt_url(url, sizeof(url), "/", "TEE/tmon-synthetic-stall", NONCE);
	get(url, NULL, 0, 300, &res);
	ck_assert_int_eq(res.rc, TMON_E_TIMEOUT);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_null(res.body);
	ck_assert(res.error[0] != '\0');
	fetch_result_free(&res);
}
END_TEST

/* HTTP status is data: a 500 is a completed transfer. */
START_TEST(test_status_500)
{
	static const char want[] = "{\"error\":{\"message\":\"tmon-replay "
	    "synthetic upstream failure\",\"type\":\"server_error\","
	    "\"code\":null,\"param\":null}}";
	struct fetch_result res;
	char url[512];

	nanogpt_url(url, sizeof(url), "/", "TEE/tmon-synthetic-500", NONCE);
	get(url, NULL, 0, 0, &res);
	ck_assert_int_eq(res.rc, TMON_OK);
	ck_assert_int_eq(res.status, 500);
	ck_assert_uint_eq(res.body_len, sizeof(want) - 1);
	ck_assert_str_eq((const char *)res.body, want);
	fetch_result_free(&res);
}
END_TEST

START_TEST(test_truncated)
{
	struct fetch_result res;
	json_error_t jerr;
	char url[512];
	uint8_t *full;
	size_t flen;

	full = data_file(GEMMA_0610, &flen);
	nanogpt_url(url, sizeof(url), "/", "TEE/tmon-synthetic-truncated",
	    NONCE);
	get(url, NULL, 0, 0, &res);
	ck_assert_int_eq(res.rc, TMON_OK);
	ck_assert_int_eq(res.status, 200);
	ck_assert_uint_eq(res.body_len, 91290);
	ck_assert(memcmp(res.body, full, res.body_len) == 0);
	ck_assert_ptr_null(json_loadb((const char *)res.body, res.body_len,
	    JSON_REJECT_DUPLICATES, &jerr));
	fetch_result_free(&res);
	free(full);
}
END_TEST

static const char *
error_type(const struct fetch_result *res)
{
	static char type[64];
	json_t *j, *e, *t;

	type[0] = '\0';
	j = json_loadb((const char *)res->body, res->body_len,
	    JSON_REJECT_DUPLICATES, NULL);
	ck_assert_ptr_nonnull(j);
	e = json_object_get(j, "error");
	ck_assert(json_is_object(e));
	t = json_object_get(e, "type");
	ck_assert(json_is_string(t));
	snprintf(type, sizeof(type), "%s", json_string_value(t));
	json_decref(j);
	return type;
}

START_TEST(test_error_statuses)
{
	struct fetch_result res;
	struct fetch_req req;
	char url[512];

	nanogpt_url(url, sizeof(url), "/", "TEE/no-such-model", NONCE);
	get(url, NULL, 0, 0, &res);
	ck_assert_int_eq(res.rc, TMON_OK);
	ck_assert_int_eq(res.status, 404);
	ck_assert_str_eq(error_type(&res), "invalid_request_error");
	fetch_result_free(&res);

	/* A NanoGPT model id on the NEAR route: unknown there. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/attestation/"
	    "report?model=TEE/gemma-3-27b-it&nonce=%s", replay_port, NONCE);
	get(url, NULL, 0, 0, &res);
	ck_assert_int_eq(res.status, 404);
	ck_assert_str_eq(error_type(&res), "not_found_error");
	fetch_result_free(&res);

	nanogpt_url(url, sizeof(url), "/", "TEE/gemma-3-27b-it", "abc");
	get(url, NULL, 0, 0, &res);
	ck_assert_int_eq(res.rc, TMON_OK);
	ck_assert_int_eq(res.status, 400);
	fetch_result_free(&res);

	/* 63 hex digits and a 'g' */
	nanogpt_url(url, sizeof(url), "/", "TEE/gemma-3-27b-it",
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg");
	get(url, NULL, 0, 0, &res);
	ck_assert_int_eq(res.status, 400);
	fetch_result_free(&res);

	nanogpt_url(url, sizeof(url), "/", "TEE/gemma-3-27b-it", NONCE);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.method = "POST";
	fetch_sync(&req, &res, NULL);
	ck_assert_int_eq(res.rc, TMON_OK);
	ck_assert_int_eq(res.status, 405);
	fetch_result_free(&res);
}
END_TEST

START_TEST(test_refused)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct fetch_result res;
	char url[128];
	int s;

	/* A bound socket that does not listen refuses connections. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &slen), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/tee/"
	    "attestation", (unsigned)ntohs(sin.sin_port));
	get(url, TOKEN, 0, 5000, &res);
	ck_assert_int_eq(res.rc, TMON_E_NET);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_null(res.body);
	ck_assert(res.error[0] != '\0');
	ck_assert_ptr_null(strstr(res.error, TOKEN));
	fetch_result_free(&res);
	close(s);
}
END_TEST

struct slot {
	int			 calls;
	struct fetch_result	 res;	/* body stolen into it */
};

static void
slot_done(struct fetch_result *res, void *arg)
{
	struct slot *s = arg;

	s->calls++;
	fetch_result_move(&s->res, res);
}

START_TEST(test_concurrent)
{
	static const struct {
		const char	*prefix, *model, *file;
		long		 status;
	} want[] = {
		{ "/", "TEE/gemma-3-27b-it", GEMMA_0610, 200 },
		{ "/nanogpt-2026-03-25/", "TEE/gemma-3-27b-it",
		  "nanogpt-2026-03-25_multi/gemma-3-27b-it_attestation.json",
		  200 },
		{ "/nanogpt-2026-03-25/", "TEE/gpt-oss-120b",
		  "nanogpt-2026-03-25_multi/gpt-oss-120b_attestation.json",
		  200 },
		{ "/nanogpt-2026-03-25/", "TEE/glm-5",
		  "nanogpt-2026-03-25_multi/glm-5_attestation.json", 200 },
		{ "/nanogpt-2026-03-25/", "TEE/qwen3-30b-a3b-instruct-2507",
		  "nanogpt-2026-03-25_multi/qwen3-30b-a3b-instruct-2507_"
		  "attestation.json", 200 },
		{ "/nanogpt-2026-03-25/", "TEE/kimi-k2.5",
		  "nanogpt-2026-03-25_multi/kimi-k2.5_attestation.json", 200 },
		{ "/", "TEE/tmon-synthetic-500", NULL, 500 },
		{ "/", "TEE/nope", NULL, 404 },
	};
	enum { N = sizeof(want) / sizeof(want[0]) };
	struct slot slots[N];
	struct fetch_req req;
	struct fetch *f;
	char url[512];
	uint8_t *exp;
	size_t i, elen;
	int rounds;

	memset(slots, 0, sizeof(slots));
	f = fetch_new();
	ck_assert_uint_eq(fetch_running(f), 0);
	for (i = 0; i < N; i++) {
		nanogpt_url(url, sizeof(url), want[i].prefix, want[i].model,
		    NONCE);
		memset(&req, 0, sizeof(req));
		req.url = url;
		ck_assert_int_eq(fetch_start(f, &req, slot_done, &slots[i],
		    NULL), TMON_OK);
	}
	ck_assert_uint_eq(fetch_running(f), N);
	/* Bounded: 600 rounds of at most 100 ms. */
	for (rounds = 0; fetch_running(f) > 0 && rounds < 600; rounds++)
		fetch_poll(f, 100);
	ck_assert_uint_eq(fetch_running(f), 0);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(slots[i].calls, 1);
		ck_assert_int_eq(slots[i].res.rc, TMON_OK);
		ck_assert_int_eq(slots[i].res.status, want[i].status);
		if (want[i].file != NULL) {
			exp = data_file(want[i].file, &elen);
			ck_assert_uint_eq(slots[i].res.body_len, elen);
			ck_assert(memcmp(slots[i].res.body, exp, elen) == 0);
			free(exp);
		}
		fetch_result_free(&slots[i].res);
	}
	/* Nothing in flight: the poll just waits and returns 0. */
	ck_assert_int_eq(fetch_poll(f, 1), 0);
	fetch_free(f);
}
END_TEST

static json_t *
echo(const char *method, const char *token, const uint8_t *body,
    size_t len, const char *ctype)
{
	struct fetch_req req;
	struct fetch_result res;
	char url[256];
	json_t *j;

	url_for(url, sizeof(url), "/tmon-test/echo");
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.method = method;
	req.bearer_token = token;
	req.body = body;
	req.body_len = len;
	req.content_type = ctype;
	ck_assert_int_eq(fetch_sync(&req, &res, NULL), TMON_OK);
	ck_assert_int_eq(res.status, 200);
	ck_assert_ptr_null(strstr((const char *)res.body, TOKEN));
	j = json_loadb((const char *)res.body, res.body_len,
	    JSON_REJECT_DUPLICATES, NULL);
	ck_assert_ptr_nonnull(j);
	fetch_result_free(&res);
	return j;
}

static const char *
jstr(json_t *j, const char *k)
{
	json_t *v = json_object_get(j, k);

	ck_assert_msg(json_is_string(v), "%s is not a string", k);
	return json_string_value(v);
}

START_TEST(test_bearer_sent)
{
	static const char line[] = "Bearer " TOKEN;
	uint8_t md[32];
	char hex[65];
	json_t *j;

	j = echo("GET", TOKEN, NULL, 0, NULL);
	ck_assert_str_eq(jstr(j, "method"), "GET");
	ck_assert_str_eq(jstr(j, "authorization"), "bearer");
	sha256(line, sizeof(line) - 1, md);
	ck_assert_str_eq(jstr(j, "authorization_sha256"),
	    hex_encode(md, sizeof(md), hex));
	ck_assert_str_eq(jstr(j, "user_agent"), "tmon/0.1");
	json_decref(j);

	j = echo(NULL, NULL, NULL, 0, NULL);
	ck_assert_str_eq(jstr(j, "authorization"), "absent");
	ck_assert(json_is_null(json_object_get(j, "authorization_sha256")));
	json_decref(j);
}
END_TEST

START_TEST(test_post_body)
{
	static const uint8_t body[] = "{\"model\":\"x\",\"messages\":[]}\0tail";
	uint8_t md[32];
	char hex[65];
	json_t *j;

	j = echo("POST", TOKEN, body, sizeof(body), "application/json");
	ck_assert_str_eq(jstr(j, "method"), "POST");
	ck_assert_str_eq(jstr(j, "content_type"), "application/json");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "body_len")),
	    sizeof(body));
	sha256(body, sizeof(body), md);
	ck_assert_str_eq(jstr(j, "body_sha256"),
	    hex_encode(md, sizeof(md), hex));
	json_decref(j);

	/* Empty POST, no content type: libcurl's form default is removed. */
	j = echo("POST", NULL, NULL, 0, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "body_len")),
	    0);
	ck_assert(json_is_null(json_object_get(j, "content_type")) ||
	    strcmp(jstr(j, "content_type"), "") == 0);
	json_decref(j);
}
END_TEST

static void
count_done(struct fetch_result *res, void *arg)
{
	(void)res;
	(*(int *)arg)++;
}

START_TEST(test_bad_requests)
{
	static uint8_t big[MAX_FETCH_REQUEST_BODY + 1];
	struct fetch_req req;
	struct fetch_result res;
	struct tmon_err err;
	struct fetch *f;
	char url[256];
	int called = 0;

	url_for(url, sizeof(url), "/tmon-test/echo");
	f = fetch_new();
	memset(&req, 0, sizeof(req));
	req.url = "ftp://127.0.0.1/x";
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_E_UNSUPPORTED);
	req.url = "file:///etc/passwd";
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_E_UNSUPPORTED);
	req.url = "http://127.0.0.1/a b";
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_E_CONFIG);
	req.url = url;
	req.method = "PUT";
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_E_UNSUPPORTED);
	req.method = "GET";
	req.body = big;
	req.body_len = 1;
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_E_CONFIG);
	req.method = "POST";
	req.body_len = sizeof(big);
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_E_LIMIT);
	req.body_len = 0;
	req.content_type = "text/plain\r\nX-Injected: 1";
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_E_CONFIG);
	req.content_type = NULL;
	req.timeout_ms = -1;
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_E_CONFIG);
	req.timeout_ms = 0;
	/* Extra header lines: a name token, ':', no CR or LF. */
	{
		const char *const inj[] = { "X-A: 1\r\nX-Injected: 1" };
		const char *const noname[] = { ": 1" };
		const char *const nocolon[] = { "X-A 1" };

		req.n_headers = 1;
		req.headers = inj;
		ck_assert_int_eq(fetch_start(f, &req, count_done, &called,
		    NULL), TMON_E_CONFIG);
		req.headers = noname;
		ck_assert_int_eq(fetch_start(f, &req, count_done, &called,
		    NULL), TMON_E_CONFIG);
		req.headers = nocolon;
		ck_assert_int_eq(fetch_start(f, &req, count_done, &called,
		    NULL), TMON_E_CONFIG);
		req.headers = NULL;
		req.n_headers = 0;
	}
	/* A token that would inject a header; the message omits it. */
	req.bearer_token = TOKEN "\r\nX-Injected: 1";
	tmon_err_clear(&err);
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, &err),
	    TMON_E_CONFIG);
	ck_assert_ptr_null(strstr(err.msg, TOKEN));
	ck_assert_uint_eq(fetch_running(f), 0);
	fetch_free(f);
	ck_assert_int_eq(called, 0);

	/* fetch_sync reports a refused start in the result. */
	req.bearer_token = NULL;
	req.url = "gopher://127.0.0.1/";
	ck_assert_int_eq(fetch_sync(&req, &res, NULL), TMON_E_UNSUPPORTED);
	ck_assert_int_eq(res.rc, TMON_E_UNSUPPORTED);
	ck_assert(res.error[0] != '\0');
	ck_assert_ptr_null(res.body);
	fetch_result_free(&res);
}
END_TEST

/* fetch_free aborts transfers in flight without calling back. */
START_TEST(test_free_in_flight)
{
	struct fetch_req req;
	struct fetch *f;
	char url[512], url2[512];
	int called = 0;

	nanogpt_url(url, sizeof(url), "/", "TEE/tmon-synthetic-stall", NONCE);
	nanogpt_url(url2, sizeof(url2), "/", "TEE/tmon-synthetic-oversize",
	    NONCE);
	f = fetch_new();
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.bearer_token = TOKEN;
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_OK);
	req.url = url2;
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_OK);
	ck_assert_int_eq(fetch_poll(f, 50), 2);
	fetch_free(f);
	ck_assert_int_eq(called, 0);

	/* Freed before any poll at all. */
	f = fetch_new();
	ck_assert_int_eq(fetch_start(f, &req, count_done, &called, NULL),
	    TMON_OK);
	fetch_free(f);
	ck_assert_int_eq(called, 0);
	fetch_free(NULL);
}
END_TEST

/* A callback that starts the next transfer from inside fetch_poll. */
struct chain {
	struct fetch	*f;
	char		 url[512];
	int		 done;
	long		 status[2];
};

static void
chain_done(struct fetch_result *res, void *arg)
{
	struct chain *c = arg;
	struct fetch_req req;

	c->status[c->done++] = res->status;
	if (c->done == 1) {
		memset(&req, 0, sizeof(req));
		req.url = c->url;
		ck_assert_int_eq(fetch_start(c->f, &req, chain_done, c, NULL),
		    TMON_OK);
	}
}

START_TEST(test_start_from_callback)
{
	struct chain c;
	struct fetch_req req;
	int rounds;

	memset(&c, 0, sizeof(c));
	c.f = fetch_new();
	nanogpt_url(c.url, sizeof(c.url), "/", "TEE/tmon-synthetic-500",
	    NONCE);
	memset(&req, 0, sizeof(req));
	req.url = c.url;
	ck_assert_int_eq(fetch_start(c.f, &req, chain_done, &c, NULL),
	    TMON_OK);
	for (rounds = 0; fetch_running(c.f) > 0 && rounds < 600; rounds++)
		fetch_poll(c.f, 100);
	ck_assert_int_eq(c.done, 2);
	ck_assert_int_eq(c.status[0], 500);
	ck_assert_int_eq(c.status[1], 500);
	fetch_free(c.f);
}
END_TEST

/* ---- TLS: a loopback `openssl s_server` with a throwaway CA ---------- */

/*
 * The certificate and key are made by the openssl command, and the
 * expected values (the leaf's DER, SHA-256 of its SubjectPublicKeyInfo)
 * are written by it too, never by the code under test.
 */
static char tls_dir[256];
static pid_t tls_pid = -1;
static unsigned tls_port;

static void
sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(1);
	}
}

static unsigned
free_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	unsigned port;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		perror("free_port");
		exit(1);
	}
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static bool
port_open(unsigned port)
{
	struct sockaddr_in a;
	int fd, r;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	r = fd >= 0 ? connect(fd, (struct sockaddr *)&a, sizeof(a)) : -1;
	if (fd >= 0)
		close(fd);
	return r == 0;
}

static void
tls_start(void)
{
	char cmd[2048], acc[64], cert[300], key[300];
	int i;

	snprintf(tls_dir, sizeof(tls_dir), "%s/fetch-tls-XXXXXX",
	    TMON_BUILD_DIR);
	if (mkdtemp(tls_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(cmd, sizeof(cmd), "cd '%s' && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -days 2 -subj /CN=tmon-test -addext "
	    "subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem "
	    "2>/dev/null && "
	    "openssl x509 -in cert.pem -outform DER -out cert.der && "
	    "openssl x509 -in cert.pem -pubkey -noout | "
	    "openssl pkey -pubin -outform DER | "
	    "openssl dgst -sha256 -binary > spki.sha256", tls_dir);
	sh(cmd);
	tls_port = free_port();
	snprintf(acc, sizeof(acc), "127.0.0.1:%u", tls_port);
	snprintf(cert, sizeof(cert), "%s/cert.pem", tls_dir);
	snprintf(key, sizeof(key), "%s/key.pem", tls_dir);
	tls_pid = fork();
	if (tls_pid < 0) {
		perror("fork");
		exit(1);
	}
	if (tls_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execlp("openssl", "openssl", "s_server", "-accept", acc,
		    "-cert", cert, "-key", key, "-www", "-quiet",
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && !port_open(tls_port); i++)
		usleep(50000);
	if (!port_open(tls_port)) {
		fprintf(stderr, "openssl s_server did not start\n");
		exit(1);
	}
}

static void
tls_stop(void)
{
	char cmd[512];
	int status;

	if (tls_pid > 0) {
		kill(tls_pid, SIGTERM);
		waitpid(tls_pid, &status, 0);
		tls_pid = -1;
	}
	if (tls_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tls_dir);
		(void)system(cmd);
	}
}

static uint8_t *
tls_file(const char *name, size_t *len)
{
	char path[512];
	uint8_t *p = NULL;

	snprintf(path, sizeof(path), "%s/%s", tls_dir, name);
	ck_assert_int_eq(read_file(path, 1u << 20, &p, len, NULL), TMON_OK);
	return p;
}

static void
tls_get(const char *ca, struct fetch_result *res)
{
	struct fetch_req req;
	char url[128], cafile[300];

	snprintf(url, sizeof(url), "https://127.0.0.1:%u/", tls_port);
	snprintf(cafile, sizeof(cafile), "%s/%s", tls_dir, ca);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.timeout_ms = 20000;
	req.ca_file = ca != NULL ? cafile : NULL;
	fetch_sync(&req, res, NULL);
}

/* The served leaf's SPKI hash and DER, as openssl wrote them. */
START_TEST(test_tls_spki)
{
	struct fetch_result res;
	uint8_t *want_spki, *want_der;
	size_t slen, dlen;

	want_spki = tls_file("spki.sha256", &slen);
	want_der = tls_file("cert.der", &dlen);
	ck_assert_uint_eq(slen, 32);
	tls_get("cert.pem", &res);
	ck_assert_msg(res.rc == TMON_OK, "%s", res.error);
	ck_assert_int_eq(res.status, 200);
	ck_assert(res.has_tls_spki);
	ck_assert_mem_eq(res.tls_spki_sha256, want_spki, 32);
	/* a self-signed server serves its leaf only */
	ck_assert_uint_eq(res.tls_chain_len, dlen);
	ck_assert_mem_eq(res.tls_chain, want_der, dlen);
	fetch_result_free(&res);
	ck_assert_ptr_null(res.tls_chain);
	free(want_spki);
	free(want_der);
}
END_TEST

/* The system store does not trust the test CA: no answer, no key. */
START_TEST(test_tls_untrusted)
{
	struct fetch_result res;

	tls_get(NULL, &res);
	ck_assert_int_eq(res.rc, TMON_E_NET);
	ck_assert(!res.has_tls_spki);
	ck_assert_ptr_null(res.tls_chain);
	fetch_result_free(&res);
}
END_TEST

/* Over http there is no certificate. */
START_TEST(test_http_no_tls)
{
	struct fetch_result res;
	char url[512];

	nanogpt_url(url, sizeof(url), "/", "TEE/gemma-3-27b-it", NONCE);
	get(url, NULL, 0, 10000, &res);
	ck_assert_int_eq(res.rc, TMON_OK);
	ck_assert(!res.has_tls_spki);
	ck_assert_ptr_null(res.tls_chain);
	ck_assert_uint_eq(res.tls_chain_len, 0);
	fetch_result_free(&res);
}
END_TEST

static Suite *
fetch_suite(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("replay");

	tcase_add_unchecked_fixture(tc, replay_start, replay_stop);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_recorded_identical, 0,
	    sizeof(recorded) / sizeof(recorded[0]));
	tcase_add_test(tc, test_any_nonce);
	tcase_add_test(tc, test_headers_kept);
	tcase_add_test(tc, test_oversize_chunked);
	tcase_add_test(tc, test_limit_boundary);
	tcase_add_test(tc, test_stall_timeout);
	tcase_add_test(tc, test_status_500);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_error_statuses);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_concurrent);
	tcase_add_test(tc, test_bearer_sent);
	tcase_add_test(tc, test_post_body);
	tcase_add_test(tc, test_bad_requests);
	tcase_add_test(tc, test_free_in_flight);
	tcase_add_test(tc, test_start_from_callback);
	tcase_add_test(tc, test_http_no_tls);
	suite_add_tcase(s, tc);
	tc = tcase_create("tls");
	tcase_add_unchecked_fixture(tc, tls_start, tls_stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_tls_spki);
	tcase_add_test(tc, test_tls_untrusted);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fetch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
