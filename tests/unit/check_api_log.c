/*
 * Tests of the verifiable log's read side: the routes of /api/v1/log/
 * (api_request.h, api.h), the tiles (store/tiles.h) and tmonctl
 * export-tiles.
 *
 * The log is made here with store_append and store_checkpoint_add (its
 * checkpoint notes are placeholders: this tests serving, not signing).
 * A real tmond --read-only serves it over loopback; every answer is
 * checked against what the test computes on its own from the entry
 * bodies with OpenSSL's SHA-256 (RFC 9162 section 2.1: leaves, roots,
 * C2SP tlog-tiles tile hashes and entry bundles), and every proof with
 * tlog_verify_inclusion / tlog_verify_consistency against those roots.
 * tmonctl export-tiles must write the very bytes the API serves.  A log
 * of 70,100 entries has tiles up to level 2.  Takes about 20 s under
 * ASan (the large log is most of it).
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <inttypes.h>
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
#include "api_request.h"
#include "encode.h"
#include "store.h"
#include "tlog.h"
#include "tmon_limits.h"
#include "testutil.h"

/* The log: N_ENTRIES entries; checkpoints at the sizes of cp_sizes, the
 * latest CP_SIZE, so the last entries are in no checkpoint yet. */
#define N_ENTRIES	800
#define CP_SIZE		700
#define BIG_SEQ		300	/* its body is MAX_ENTRY_BODY bytes */
#define ORIGIN		"tmon.test/log"
/* The large log: tiles at level 2 (C2SP tlog-tiles: a tree of 70,000
 * has 273 full level 0 tiles, a partial one of width 112, a full level 1
 * tile, a partial one of width 17 and a partial level 2 tile). */
#define LARGE_N		70100
#define LARGE_CP	70000

static const uint64_t cp_sizes[] = { 1, 2, 3, 7, 255, 256, 257, 300, 511,
    512, 513, CP_SIZE };
#define N_CPS	(sizeof(cp_sizes) / sizeof(cp_sizes[0]))

static char dir[64];
static char dbpath[128];
/* The log made by make_log: n_log entries. */
static uint64_t n_log;
static uint8_t **bodies;
static size_t *body_len;
static uint8_t (*leaves)[32];
static uint16_t port;
static pid_t tmond_pid = -1;
static struct api *api;
static CURL *curl;

/* --- independent Merkle tree (RFC 9162 section 2.1) over leaves --- */

/* SHA-256(prefix || a || b) (blen may be 0). */
static void
sha(uint8_t prefix, const void *a, size_t alen, const void *b, size_t blen,
    uint8_t out[32])
{
	uint8_t *p;

	p = malloc(1 + alen + blen);
	ck_assert_ptr_nonnull(p);
	p[0] = prefix;
	memcpy(p + 1, a, alen);
	if (blen > 0)
		memcpy(p + 1 + alen, b, blen);
	SHA256(p, 1 + alen + blen, out);
	free(p);
}

/* The complete subtrees computed so far: memo[l][i] = MTH(D[i 2^l :
 * (i + 1) 2^l]), i < n_log >> l. */
#define MEMO_LEVELS	64
static uint8_t (*memo[MEMO_LEVELS])[32];
static bool *have_memo[MEMO_LEVELS];

/* MTH(D[lo:hi]), hi > lo (RFC 9162 section 2.1.1). */
static void
mth(uint64_t lo, uint64_t hi, uint8_t out[32])
{
	uint8_t lr[64];
	uint64_t k = 1;
	unsigned l = 0;
	bool complete;

	ck_assert_uint_le(hi, n_log);
	if (hi - lo == 1) {
		memcpy(out, leaves[lo], 32);
		return;
	}
	while (k * 2 < hi - lo) {
		k *= 2;
		l++;
	}
	/* a complete subtree of 2k leaves at level l + 1 */
	complete = hi - lo == 2 * k && lo % (2 * k) == 0;
	if (complete && have_memo[l + 1][lo / (2 * k)]) {
		memcpy(out, memo[l + 1][lo / (2 * k)], 32);
		return;
	}
	mth(lo, lo + k, lr);
	mth(lo + k, hi, lr + 32);
	sha(0x01, lr, 64, NULL, 0, out);
	if (complete) {
		memcpy(memo[l + 1][lo / (2 * k)], out, 32);
		have_memo[l + 1][lo / (2 * k)] = true;
	}
}

/* MTH(D[0:size]), remembered for sizes up to N_ENTRIES. */
static uint8_t roots[N_ENTRIES + 1][32];
static bool have_root[N_ENTRIES + 1];

static const uint8_t *
root_of(uint64_t size)
{
	static uint8_t large[32];

	if (size > N_ENTRIES) {
		mth(0, size, large);
		return large;
	}
	if (!have_root[size]) {
		mth(0, size, roots[size]);
		have_root[size] = true;
	}
	return roots[size];
}

/* The bytes of a tile of the tree (C2SP tlog-tiles), malloc'd. */
static uint8_t *
expect_tile(const struct tlog_tile *t, size_t *len)
{
	uint8_t *p;
	uint64_t i, first, span;
	size_t n = 0;
	unsigned level = t->level < 0 ? 0 : (unsigned)t->level;

	span = (uint64_t)1 << (8 * level);
	first = t->index * 256;
	if (t->level == TLOG_TILE_ENTRIES) {
		p = malloc((size_t)t->width * (2 + MAX_ENTRY_BODY));
		ck_assert_ptr_nonnull(p);
		for (i = first; i < first + t->width; i++) {
			ck_assert_uint_lt(i, n_log);
			p[n++] = (uint8_t)(body_len[i] / 256);
			p[n++] = (uint8_t)(body_len[i] % 256);
			memcpy(p + n, bodies[i], body_len[i]);
			n += body_len[i];
		}
	} else {
		p = malloc((size_t)t->width * 32);
		ck_assert_ptr_nonnull(p);
		for (i = first; i < first + t->width; i++) {
			mth(i * span, (i + 1) * span, p + n);
			n += 32;
		}
	}
	*len = n;
	return p;
}

/* --- the log --- */

static void
make_body(uint64_t i, size_t want, uint8_t **out, size_t *len)
{
	char head[64], *p;
	int h;
	size_t pad;
	static const char tail[] = "\",\"time\":1000}";

	h = snprintf(head, sizeof(head), "{\"i\":%" PRIu64 ",\"kind\":\"alert\""
	    ",\"pad\":\"", i);
	pad = want - (size_t)h - (sizeof(tail) - 1);
	p = malloc(want);
	ck_assert_ptr_nonnull(p);
	memcpy(p, head, (size_t)h);
	memset(p + h, 'a' + (int)(i % 26), pad);
	memcpy(p + h + pad, tail, sizeof(tail) - 1);
	*out = (uint8_t *)p;
	*len = want;
}

static void
note_for(uint64_t size, const uint8_t root[32], char *out, size_t outsz)
{
	char b64[B64_ENCODED_LEN(32) + 1];

	snprintf(out, outsz, ORIGIN "\n%" PRIu64 "\n%s\n\n\xe2\x80\x94 " ORIGIN
	    " AAAAAAAA\n", size, b64_encode(root, 32, b64));
}

static void
add_checkpoint(struct store *s, uint64_t size)
{
	struct store_checkpoint c;
	struct tmon_err err = { 0 };
	char note[256];

	memset(&c, 0, sizeof(c));
	c.size = size;
	c.time = 2000 + (int64_t)size;
	ck_assert_msg(store_tree_root(s, size, c.root, &err) == TMON_OK, "%s",
	    err.msg);
	note_for(size, c.root, note, sizeof(note));
	c.note = (uint8_t *)note;
	c.note_len = strlen(note);
	ck_assert_msg(store_checkpoint_add(s, &c, &err) == TMON_OK, "%s",
	    err.msg);
}

static void
add_cosig(struct store *s, uint64_t size, const char *name)
{
	struct store_cosignature c;
	struct tmon_err err = { 0 };
	char line[128];

	snprintf(line, sizeof(line), "\xe2\x80\x94 %s BBBB%s\n", name, name);
	c.size = size;
	c.name = name;
	c.time = 3000;
	c.line = line;
	ck_assert_msg(store_cosignature_add(s, &c, &err) == TMON_OK, "%s",
	    err.msg);
}

/* A log of n entries with a checkpoint at each of the ncp sizes. */
static void
make_log(uint64_t n, const uint64_t *sizes, size_t ncp)
{
	struct store_entry_in in[MAX_APPEND_ENTRIES];
	struct tmon_err err = { 0 };
	struct store *s = NULL;
	uint64_t i, j, k;
	size_t want;

	snprintf(dir, sizeof(dir), "/tmp/tmon-check-api-log-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/log.db", dir);
	n_log = n;
	bodies = calloc(n, sizeof(*bodies));
	body_len = calloc(n, sizeof(*body_len));
	leaves = calloc(n, sizeof(*leaves));
	ck_assert(bodies != NULL && body_len != NULL && leaves != NULL);
	for (i = 0; i < MEMO_LEVELS && (n >> i) > 0; i++) {
		memo[i] = calloc(n >> i, sizeof(*memo[i]));
		have_memo[i] = calloc(n >> i, sizeof(*have_memo[i]));
		ck_assert(memo[i] != NULL && have_memo[i] != NULL);
	}
	for (i = 0; i < n; i++) {
		want = i == BIG_SEQ ? MAX_ENTRY_BODY : 60 + (i * 37) % 300;
		make_body(i, want, &bodies[i], &body_len[i]);
		sha(0x00, bodies[i], body_len[i], NULL, 0, leaves[i]);
	}
	ck_assert_int_eq(store_open(dbpath, STORE_RW, &s, &err), TMON_OK);
	for (i = 0; i < n; i += k) {
		k = n - i < MAX_APPEND_ENTRIES ? n - i : MAX_APPEND_ENTRIES;
		memset(in, 0, sizeof(in));
		for (j = 0; j < k; j++) {
			in[j].kind = "alert";
			in[j].time = 1000;
			in[j].body = bodies[i + j];
			in[j].body_len = body_len[i + j];
		}
		ck_assert_msg(store_append(s, NULL, 0, in, k, NULL, &err) ==
		    TMON_OK, "%s", err.msg);
	}
	for (i = 0; i < ncp; i++)
		add_checkpoint(s, sizes[i]);
	if (ncp > 0) {
		add_cosig(s, sizes[ncp - 1], "w2.example");
		add_cosig(s, sizes[ncp - 1], "w1.example");
		if (ncp > 1)
			add_cosig(s, sizes[0], "w3.example");
	}
	store_close(s);
}

static void
rm_rf(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
}

static void
free_log(void)
{
	uint64_t i;

	for (i = 0; i < n_log; i++)
		free(bodies[i]);
	free(bodies);
	free(body_len);
	free(leaves);
	bodies = NULL;
	body_len = NULL;
	leaves = NULL;
	n_log = 0;
	for (i = 0; i < MEMO_LEVELS; i++) {
		free(memo[i]);
		free(have_memo[i]);
		memo[i] = NULL;
		have_memo[i] = NULL;
	}
	memset(have_root, 0, sizeof(have_root));
	rm_rf(dir);
}

/* --- HTTP --- */

struct resp {
	long	 status;
	uint8_t	*body;
	size_t	 len;
	char	 ctype[128];
	char	 cache[128];
	char	 retry[16];
	char	 acao[16];
	json_t	*json;
};

static size_t
write_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;

	r->body = realloc(r->body, r->len + sz * n + 1);
	ck_assert_ptr_nonnull(r->body);
	memcpy(r->body + r->len, p, sz * n);
	r->len += sz * n;
	r->body[r->len] = '\0';
	return sz * n;
}

static void
header_value(const char *line, size_t n, const char *name, char *out,
    size_t outsz)
{
	size_t k = strlen(name), m;

	if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	line += k + 1;
	n -= k + 1;
	while (n > 0 && *line == ' ') {
		line++;
		n--;
	}
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	m = n < outsz - 1 ? n : outsz - 1;
	memcpy(out, line, m);
	out[m] = '\0';
}

static size_t
header_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;

	header_value(p, sz * n, "Cache-Control", r->cache, sizeof(r->cache));
	header_value(p, sz * n, "Retry-After", r->retry, sizeof(r->retry));
	header_value(p, sz * n, "Access-Control-Allow-Origin", r->acao,
	    sizeof(r->acao));
	return sz * n;
}

/* GET (or HEAD) path on the server at port, over one kept-alive
 * connection. */
static void
http(const char *method, const char *path, struct resp *r)
{
	char url[512];
	char *ct = NULL;
	json_error_t jerr;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port,
	    path);
	if (curl == NULL)
		ck_assert_ptr_nonnull(curl = curl_easy_init());
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_PROXY, "");
	curl_easy_setopt(curl, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ?
	    1L : 0L);
	ck_assert_int_eq(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
	if (ct != NULL)
		snprintf(r->ctype, sizeof(r->ctype), "%s", ct);
	if (r->body != NULL && strncmp(r->ctype, "application/json", 16) == 0)
		r->json = json_loadb((const char *)r->body, r->len,
		    JSON_REJECT_DUPLICATES, &jerr);
}

static void
resp_free(struct resp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

static void
get_status(const char *path, long status, struct resp *r)
{
	http("GET", path, r);
	ck_assert_msg(r->status == status, "%s: status %ld, want %ld: %s",
	    path, r->status, status, r->body != NULL ? (char *)r->body : "");
}

/* Expect a JSON error answer with status naming field (NULL: null). */
static void
expect_error(const char *path, long status, const char *field)
{
	struct resp r;
	json_t *f;

	get_status(path, status, &r);
	ck_assert_msg(r.json != NULL, "%s: not json", path);
	f = json_object_get(r.json, "field");
	if (field == NULL)
		ck_assert_msg(json_is_null(f), "%s: field not null", path);
	else
		ck_assert_msg(json_is_string(f) &&
		    strcmp(json_string_value(f), field) == 0, "%s: field %s, "
		    "want %s", path, json_is_string(f) ? json_string_value(f) :
		    "(none)", field);
	resp_free(&r);
}

static uint64_t
jint(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	ck_assert_msg(json_is_integer(v) && json_integer_value(v) >= 0,
	    "%s is not a count", k);
	return (uint64_t)json_integer_value(v);
}

/* A base64 hash member (RFC 4648 section 4) into out. */
static void
jhash(const json_t *o, const char *k, uint8_t out[32])
{
	const json_t *v = json_object_get(o, k);
	uint8_t *p;
	size_t n = 0;

	ck_assert_msg(json_is_string(v), "%s is not a string", k);
	p = b64_decode_alloc(json_string_value(v), json_string_length(v), 32,
	    &n);
	ck_assert_msg(p != NULL && n == 32, "%s: not a base64 hash", k);
	memcpy(out, p, 32);
	free(p);
}

static size_t
jproof(const json_t *o, uint8_t proof[TLOG_MAX_PROOF][32])
{
	const json_t *a = json_object_get(o, "proof"), *v;
	json_t *wrap;
	size_t i;

	ck_assert(json_is_array(a));
	ck_assert_uint_le(json_array_size(a), TLOG_MAX_PROOF);
	json_array_foreach(a, i, v) {
		wrap = json_pack("{s:O}", "h", v);
		jhash(wrap, "h", proof[i]);
		json_decref(wrap);
	}
	return json_array_size(a);
}

/* --- the servers --- */

/* The status of GET path on port, or 0 without an answer. */
static long
probe_status(const char *path)
{
	char url[128];
	long code = 0;
	CURL *c;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port,
	    path);
	ck_assert_ptr_nonnull(c = curl_easy_init());
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	return code;
}

/* tmond --read-only on the log, on a free loopback port (a few tries,
 * in case another process takes the port first); up to 30 s each. */
static void
start_tmond(void)
{
	char cfg[160], logf[160], listen[32];
	int fd, i, tries, st;
	FILE *f;

	snprintf(cfg, sizeof(cfg), "%s/schedule.json", dir);
	ck_assert_ptr_nonnull(f = fopen(cfg, "w"));
	fputs("{\"models\": []}\n", f);
	fclose(f);
	snprintf(logf, sizeof(logf), "%s/tmond.log", dir);
	for (tries = 0; tries < 3 && tmond_pid == -1; tries++) {
		port = (uint16_t)tu_free_port();
		snprintf(listen, sizeof(listen), "127.0.0.1:%u",
		    (unsigned)port);
		tmond_pid = fork();
		ck_assert_int_ne(tmond_pid, -1);
		if (tmond_pid == 0) {
			fd = open(logf, O_WRONLY | O_CREAT | O_APPEND, 0644);
			dup2(fd, 1);
			dup2(fd, 2);
			execl(TMON_BUILD_DIR "/tmond", "tmond", "--read-only",
			    "--config", cfg, "--db", dbpath, "--listen", listen,
			    (char *)NULL);
			_exit(127);
		}
		for (i = 0; i < 300; i++) {
			if (probe_status("/healthz") == 200)
				break;
			if (waitpid(tmond_pid, &st, WNOHANG) == tmond_pid) {
				tmond_pid = -1;
				break;
			}
			usleep(100 * 1000);
		}
		ck_assert_msg(i < 300, "tmond did not answer /healthz");
	}
	ck_assert_msg(tmond_pid != -1, "tmond did not start (see %s)", logf);
}

static void
stop_tmond(void)
{
	int st;

	if (tmond_pid <= 0)
		return;
	kill(tmond_pid, SIGTERM);
	ck_assert_int_eq(waitpid(tmond_pid, &st, 0), tmond_pid);
	tmond_pid = -1;
	/* a clean stop (and, under ASan, no leak) */
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tmond: status "
	    "%d (see %s/tmond.log)", st, dir);
}

static void
start_api(const char *vkey)
{
	struct api_config cfg;
	struct tmon_err err = { 0 };

	memset(&cfg, 0, sizeof(cfg));
	cfg.listen_host = "127.0.0.1";
	cfg.db_path = dbpath;
	cfg.log_vkey = vkey;
	ck_assert_msg(api_start(&cfg, &api, &err) == TMON_OK, "%s", err.msg);
	port = api_port(api);
}

static void
proc_setup(void)
{
	make_log(N_ENTRIES, cp_sizes, N_CPS);
	start_tmond();
}

static void
teardown(void)
{
	stop_tmond();
	api_stop(api);
	api = NULL;
	if (curl != NULL)
		curl_easy_cleanup(curl);
	curl = NULL;
	free_log();
}

/* Run tmonctl ARGS...; its stdout into out (outsz bytes); exit code. */
static int
tmonctl(char *out, size_t outsz, const char *a1, const char *a2,
    const char *a3)
{
	char logf[160];
	int fd, st;
	ssize_t n;
	pid_t pid;

	snprintf(logf, sizeof(logf), "%s/tmonctl.out", dir);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(TMON_BUILD_DIR "/tmonctl", "tmonctl", a1, a2, a3,
		    (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	fd = open(logf, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, out, outsz - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The whole file at dir/rel (malloc'd) or NULL. */
static uint8_t *
slurp(const char *base, const char *rel, size_t *len)
{
	char path[512];
	struct stat st;
	uint8_t *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	if (stat(path, &st) != 0)
		return NULL;
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	p = malloc((size_t)st.st_size + 1);
	ck_assert_uint_eq(fread(p, 1, (size_t)st.st_size, f),
	    (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return p;
}

/* --- the checkpoint --- */

static void
expect_checkpoint_text(const struct resp *r)
{
	char want[512], note[256];
	uint8_t root[32];

	memcpy(root, root_of(CP_SIZE), 32);
	note_for(CP_SIZE, root, note, sizeof(note));
	/* the note, then the cosignatures of its size by witness name */
	snprintf(want, sizeof(want), "%s\xe2\x80\x94 w1.example BBBBw1.example"
	    "\n\xe2\x80\x94 w2.example BBBBw2.example\n", note);
	ck_assert_uint_eq(r->len, strlen(want));
	ck_assert_msg(memcmp(r->body, want, r->len) == 0, "checkpoint:\n%s",
	    (char *)r->body);
}

START_TEST(test_checkpoint)
{
	struct resp r;
	json_t *cps, *c;
	uint8_t root[32], h[32];
	char path[128], note[256];
	uint64_t after = 0;
	size_t i, seen = 0;

	get_status("/api/v1/log/checkpoint", 200, &r);
	ck_assert_str_eq(r.ctype, "text/plain; charset=utf-8");
	ck_assert_str_eq(r.cache, "no-cache");
	ck_assert_str_eq(r.acao, "*");
	expect_checkpoint_text(&r);
	resp_free(&r);
	http("HEAD", "/api/v1/log/checkpoint", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);

	/* every checkpoint, two at a time, oldest first */
	for (;;) {
		snprintf(path, sizeof(path), "/api/v1/log/checkpoints?after="
		    "%" PRIu64 "&limit=2", after);
		get_status(path, 200, &r);
		ck_assert_ptr_nonnull(r.json);
		cps = json_object_get(r.json, "checkpoints");
		ck_assert(json_is_array(cps));
		json_array_foreach(cps, i, c) {
			ck_assert_uint_lt(seen, N_CPS);
			ck_assert_uint_eq(jint(c, "size"), cp_sizes[seen]);
			ck_assert_uint_eq(jint(c, "time"), 2000 +
			    cp_sizes[seen]);
			memcpy(root, root_of(cp_sizes[seen]), 32);
			jhash(c, "root_hash", h);
			ck_assert(memcmp(h, root, 32) == 0);
			note_for(cp_sizes[seen], root, note, sizeof(note));
			ck_assert_str_eq(json_string_value(json_object_get(c,
			    "note")), note);
			seen++;
		}
		if (json_is_null(json_object_get(r.json, "next_after"))) {
			resp_free(&r);
			break;
		}
		after = jint(r.json, "next_after");
		ck_assert_uint_eq(after, cp_sizes[seen - 1]);
		resp_free(&r);
	}
	ck_assert_uint_eq(seen, N_CPS);
	get_status("/api/v1/log/checkpoints", 200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "checkpoints")), N_CPS);
	ck_assert(json_is_null(json_object_get(r.json, "next_after")));
	resp_free(&r);
	get_status("/api/v1/log/checkpoints?after=700", 200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "checkpoints")), 0);
	resp_free(&r);
	expect_error("/api/v1/log/checkpoints?limit=0", 400, "limit");
	expect_error("/api/v1/log/checkpoints?size=1", 400, "size");
	/* without a key configured */
	expect_error("/api/v1/log/key", 404, NULL);
}
END_TEST

/* --- proofs --- */

static void
check_inclusion(uint64_t seq, uint64_t size, bool give_size)
{
	struct resp r;
	uint8_t proof[TLOG_MAX_PROOF][32], leaf[32], root[32], want[32];
	char path[128];
	size_t n;

	if (give_size)
		snprintf(path, sizeof(path), "/api/v1/log/proof/inclusion?"
		    "seq=%" PRIu64 "&size=%" PRIu64, seq, size);
	else
		snprintf(path, sizeof(path), "/api/v1/log/proof/inclusion?"
		    "seq=%" PRIu64, seq);
	get_status(path, 200, &r);
	ck_assert_msg(r.json != NULL, "%s: not json", path);
	ck_assert_uint_eq(jint(r.json, "seq"), seq);
	ck_assert_uint_eq(jint(r.json, "size"), size);
	jhash(r.json, "leaf_hash", leaf);
	jhash(r.json, "root_hash", root);
	ck_assert_msg(memcmp(leaf, leaves[seq], 32) == 0, "%s: leaf", path);
	memcpy(want, root_of(size), 32);
	ck_assert_msg(memcmp(root, want, 32) == 0, "%s: root", path);
	n = jproof(r.json, proof);
	ck_assert_msg(tlog_verify_inclusion(seq, size, leaves[seq],
	    (const uint8_t (*)[32])proof, n, want), "%s: proof does not "
	    "verify", path);
	resp_free(&r);
}

static void
check_consistency(uint64_t old, uint64_t new_size, bool give_new)
{
	struct resp r;
	uint8_t proof[TLOG_MAX_PROOF][32], h[32], ro[32], rn[32];
	char path[128];
	size_t n;

	if (give_new)
		snprintf(path, sizeof(path), "/api/v1/log/proof/consistency?"
		    "old=%" PRIu64 "&new=%" PRIu64, old, new_size);
	else
		snprintf(path, sizeof(path), "/api/v1/log/proof/consistency?"
		    "old=%" PRIu64, old);
	get_status(path, 200, &r);
	ck_assert_msg(r.json != NULL, "%s: not json", path);
	ck_assert_uint_eq(jint(r.json, "old"), old);
	ck_assert_uint_eq(jint(r.json, "new"), new_size);
	memcpy(ro, root_of(old), 32);
	memcpy(rn, root_of(new_size), 32);
	jhash(r.json, "old_root", h);
	ck_assert_msg(memcmp(h, ro, 32) == 0, "%s: old root", path);
	jhash(r.json, "new_root", h);
	ck_assert_msg(memcmp(h, rn, 32) == 0, "%s: new root", path);
	n = jproof(r.json, proof);
	ck_assert_msg(tlog_verify_consistency(old, new_size, ro, rn,
	    (const uint8_t (*)[32])proof, n), "%s: proof does not verify",
	    path);
	resp_free(&r);
}

START_TEST(test_proofs)
{
	struct resp r;
	uint64_t size, seq;

	/* every entry of the small trees, some of each larger one */
	for (size = 1; size <= 20; size++)
		for (seq = 0; seq < size; seq++)
			check_inclusion(seq, size, true);
	for (size = 21; size <= CP_SIZE; size++) {
		check_inclusion(size - 1, size, true);
		check_inclusion((size * 7919) % size, size, true);
		check_consistency(size / 2 + 1, size, true);
		check_consistency(size, CP_SIZE, size % 2 == 0);
	}
	for (size = 1; size <= 20; size++)
		for (seq = size; seq <= 20; seq++)
			check_consistency(size, seq, true);
	/* size defaults to the latest checkpoint's */
	check_inclusion(0, CP_SIZE, false);
	check_inclusion(BIG_SEQ, CP_SIZE, false);
	check_inclusion(CP_SIZE - 1, CP_SIZE, false);

	/* only signed tree sizes */
	expect_error("/api/v1/log/proof/inclusion?seq=0&size=701", 400, "size");
	expect_error("/api/v1/log/proof/consistency?old=1&new=701", 400, "new");
	expect_error("/api/v1/log/proof/consistency?old=701", 400, "old");
	/* an entry that no checkpoint covers yet, and no entry at all */
	get_status("/api/v1/log/proof/inclusion?seq=700", 503, &r);
	ck_assert_str_eq(r.retry, "10");
	resp_free(&r);
	expect_error("/api/v1/log/proof/inclusion?seq=799", 503, "seq");
	expect_error("/api/v1/log/proof/inclusion?seq=800", 404, "seq");
	/* malformed */
	expect_error("/api/v1/log/proof/inclusion?seq=5&size=5", 400, "seq");
	expect_error("/api/v1/log/proof/inclusion?size=5", 400, "seq");
	expect_error("/api/v1/log/proof/inclusion?seq=-1", 400, "seq");
	expect_error("/api/v1/log/proof/inclusion?seq=1&size=0", 400, "size");
	expect_error("/api/v1/log/proof/consistency?old=0&new=5", 400, "old");
	expect_error("/api/v1/log/proof/consistency?old=6&new=5", 400, "old");
	expect_error("/api/v1/log/proof/consistency?new=5", 400, "old");
	expect_error("/api/v1/log/proof/consistency?old=1&seq=2", 400, "seq");
}
END_TEST

/* --- entries and tiles --- */

START_TEST(test_entries)
{
	static const uint64_t seqs[] = { 0, 1, 255, 256, BIG_SEQ, 699, 700,
	    799 };
	struct resp r;
	char path[64];
	size_t i;

	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/log/entries/%" PRIu64,
		    seqs[i]);
		get_status(path, 200, &r);
		ck_assert_str_eq(r.ctype, "application/octet-stream");
		ck_assert_uint_eq(r.len, body_len[seqs[i]]);
		ck_assert(memcmp(r.body, bodies[seqs[i]], r.len) == 0);
		resp_free(&r);
	}
	expect_error("/api/v1/log/entries/800", 404, "seq");
	expect_error("/api/v1/log/entries/x", 400, "seq");
	expect_error("/api/v1/log/entries/01x", 400, "seq");
}
END_TEST

struct tiles_seen {
	size_t		 n;
	size_t		 full;
	size_t		 partial;
	int		 max_level;
};

static bool
check_tile_cb(void *arg, const struct tlog_tile *t)
{
	struct tiles_seen *s = arg;
	char path[160], rel[TLOG_TILE_PATH_MAX];
	struct resp r;
	uint8_t *want;
	size_t len;

	ck_assert(tlog_tile_path(t, rel, sizeof(rel)));
	snprintf(path, sizeof(path), "/api/v1/log/%s", rel);
	get_status(path, 200, &r);
	ck_assert_str_eq(r.ctype, "application/octet-stream");
	ck_assert_str_eq(r.acao, "*");
	if (t->width == TLOG_TILE_WIDTH) {
		ck_assert_str_eq(r.cache, "public, max-age=31536000, immutable");
		s->full++;
	} else {
		ck_assert_msg(strstr(r.cache, "immutable") == NULL, "%s: %s",
		    path, r.cache);
		s->partial++;
	}
	want = expect_tile(t, &len);
	ck_assert_msg(r.len == len && memcmp(r.body, want, len) == 0,
	    "%s: %zu bytes, want %zu", path, r.len, len);
	free(want);
	resp_free(&r);
	s->n++;
	if (t->level > s->max_level)
		s->max_level = t->level;
	return true;
}

/* The tile at rel is served (200) with the bytes it must hold. */
static void
expect_tile_served(const char *rel)
{
	struct tiles_seen s;
	struct tlog_tile t;

	ck_assert_msg(tlog_tile_parse(rel, &t), "%s", rel);
	memset(&s, 0, sizeof(s));
	check_tile_cb(&s, &t);
}

START_TEST(test_tiles)
{
	static const char *const absent[] = {
		/* past the tree of the latest checkpoint (700 entries:
		 * level 0 tiles 000 001 002.p/188, level 1 000.p/2) */
		"tile/0/002", "tile/0/002.p/189", "tile/0/003.p/1",
		"tile/entries/002", "tile/entries/002.p/189",
		"tile/entries/003.p/32", "tile/1/000.p/3", "tile/1/000",
		"tile/2/000.p/1", "tile/0/x001/000",
		/* not tile paths */
		"tile/0/2", "tile/0/0002", "tile/00/000", "tile/8/000",
		"tile/-1/000", "tile/0/000.p/0", "tile/0/000.p/256",
		"tile/0/000.p/010", "tile/0/x000/001", "tile/entries/000/",
		"tile/entries", "tile/0/000.p/", "tile/0/000.q/1", "tile",
		"tile/", "tiles/0/000", "tile/0/000/", "tile/0/X001/000",
	};
	struct tiles_seen s;
	char path[160];
	size_t i;

	memset(&s, 0, sizeof(s));
	s.max_level = -2;
	ck_assert(tlog_tiles_each(CP_SIZE, check_tile_cb, &s));
	/* entries 000 001 002.p/188, level 0 the same, level 1 000.p/2 */
	ck_assert_uint_eq(s.n, 7);
	ck_assert_uint_eq(s.full, 4);
	ck_assert_uint_eq(s.partial, 3);
	ck_assert_int_eq(s.max_level, 1);
	/* partial tiles of smaller, earlier signed sizes (C2SP
	 * tlog-tiles: logs serve those of every checkpoint) */
	expect_tile_served("tile/0/001.p/44");		/* size 300 */
	expect_tile_served("tile/entries/001.p/44");
	expect_tile_served("tile/0/000.p/7");		/* size 7 */
	expect_tile_served("tile/entries/000.p/1");	/* size 1 */
	expect_tile_served("tile/1/000.p/1");		/* size 256..511 */
	expect_tile_served("tile/0/002.p/1");		/* size 513 */
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/log/%s", absent[i]);
		expect_error(path, 404, NULL);
	}
}
END_TEST

/* --- tmonctl export-tiles --- */

struct export_ctx {
	const char	*out;
	size_t		 n;
	bool		 computed;	/* compare with the tile computed
					   here, not with the API's */
};

static bool
compare_file_cb(void *arg, const struct tlog_tile *t)
{
	struct export_ctx *x = arg;
	char rel[TLOG_TILE_PATH_MAX], path[160];
	struct resp r;
	uint8_t *file, *want;
	size_t len = 0, wlen;

	ck_assert(tlog_tile_path(t, rel, sizeof(rel)));
	file = slurp(x->out, rel, &len);
	ck_assert_msg(file != NULL, "%s/%s is missing", x->out, rel);
	if (x->computed) {
		want = expect_tile(t, &wlen);
		ck_assert_msg(len == wlen && memcmp(file, want, len) == 0,
		    "%s: the file is not the tile", rel);
		free(want);
	} else {
		snprintf(path, sizeof(path), "/api/v1/log/%s", rel);
		get_status(path, 200, &r);
		ck_assert_msg(len == r.len && memcmp(file, r.body, len) == 0,
		    "%s: the file is not what the API serves", rel);
		resp_free(&r);
	}
	free(file);
	x->n++;
	return true;
}

START_TEST(test_export_tiles)
{
	struct export_ctx x;
	struct resp r;
	char out[4096], mirror[160], path[200];
	uint8_t *file;
	size_t len = 0;
	FILE *f;

	snprintf(mirror, sizeof(mirror), "%s/mirror", dir);
	ck_assert_msg(tmonctl(out, sizeof(out), "export-tiles", dbpath,
	    mirror) == 0, "%s", out);
	ck_assert_msg(strstr(out, "checkpoint of size 700: 7 tiles; 8 files "
	    "written") != NULL, "%s", out);
	memset(&x, 0, sizeof(x));
	x.out = mirror;
	ck_assert(tlog_tiles_each(CP_SIZE, compare_file_cb, &x));
	ck_assert_uint_eq(x.n, 7);
	file = slurp(mirror, "checkpoint", &len);
	ck_assert_ptr_nonnull(file);
	get_status("/api/v1/log/checkpoint", 200, &r);
	ck_assert(len == r.len && memcmp(file, r.body, len) == 0);
	resp_free(&r);
	free(file);
	/* nothing past the tree, no temporary files */
	ck_assert_ptr_null(slurp(mirror, "tile/0/002.p/189", &len));
	ck_assert_ptr_null(slurp(mirror, "tile/entries/002.p/188.tmp", &len));
	ck_assert_ptr_null(slurp(mirror, "checkpoint.tmp", &len));

	/* Again: every file is there already. */
	ck_assert_msg(tmonctl(out, sizeof(out), "export-tiles", dbpath,
	    mirror) == 0, "%s", out);
	ck_assert_msg(strstr(out, "7 tiles; 0 files written (0 bytes, 0 "
	    "replaced), 8 unchanged") != NULL, "%s", out);
	/* A damaged copy of a full tile is put right. */
	snprintf(path, sizeof(path), "%s/tile/0/001", mirror);
	ck_assert_ptr_nonnull(f = fopen(path, "r+b"));
	fputc('X', f);
	fclose(f);
	ck_assert_msg(tmonctl(out, sizeof(out), "export-tiles", dbpath,
	    mirror) == 0, "%s", out);
	ck_assert_msg(strstr(out, "1 files written (8192 bytes, 1 replaced)")
	    != NULL, "%s", out);
	x.n = 0;
	ck_assert(tlog_tiles_each(CP_SIZE, compare_file_cb, &x));

	/* usage and I/O errors */
	ck_assert_int_eq(tmonctl(out, sizeof(out), "export-tiles", dbpath,
	    NULL), 2);
	ck_assert_int_eq(tmonctl(out, sizeof(out), "export-tiles",
	    "/nonexistent/db", mirror), 2);
	ck_assert_int_eq(tmonctl(out, sizeof(out), "export-tiles", dbpath,
	    "/proc/self/no/such/dir"), 2);
}
END_TEST

/* --- a log with tiles at level 2 --- */

START_TEST(test_large)
{
	static const uint64_t sizes[] = { 256, 65536, LARGE_CP };
	struct export_ctx x;
	struct tiles_seen s;
	struct resp r;
	char out[4096], mirror[160];
	uint8_t *file;
	size_t len = 0;

	make_log(LARGE_N, sizes, 3);
	start_tmond();
	/* 273 full entry bundles and level 0 tiles and their partial
	 * ones (width 112), level 1: 000 and 001.p/17, level 2: 000.p/1 */
	memset(&s, 0, sizeof(s));
	s.max_level = -2;
	ck_assert(tlog_tiles_each(LARGE_CP, check_tile_cb, &s));
	ck_assert_uint_eq(s.n, 551);
	ck_assert_uint_eq(s.full, 547);
	ck_assert_int_eq(s.max_level, 2);
	expect_tile_served("tile/2/000.p/1");
	expect_error("/api/v1/log/tile/2/000.p/2", 404, NULL);
	expect_error("/api/v1/log/tile/1/001.p/18", 404, NULL);
	expect_error("/api/v1/log/tile/0/x001/018", 404, NULL);

	check_inclusion(0, LARGE_CP, false);
	check_inclusion(65535, 65536, true);
	check_inclusion(65536, LARGE_CP, false);
	check_inclusion(LARGE_CP - 1, LARGE_CP, false);
	check_consistency(65536, LARGE_CP, false);
	check_consistency(1000, 65537, true);
	check_consistency(256, 65536, true);
	expect_error("/api/v1/log/proof/inclusion?seq=70000", 503, "seq");

	snprintf(mirror, sizeof(mirror), "%s/mirror", dir);
	ck_assert_msg(tmonctl(out, sizeof(out), "export-tiles", dbpath,
	    mirror) == 0, "%s", out);
	ck_assert_msg(strstr(out, "checkpoint of size 70000: 551 tiles; 552 "
	    "files written") != NULL, "%s", out);
	/* every tile was checked against the API's above */
	memset(&x, 0, sizeof(x));
	x.out = mirror;
	x.computed = true;
	ck_assert(tlog_tiles_each(LARGE_CP, compare_file_cb, &x));
	ck_assert_uint_eq(x.n, 551);
	file = slurp(mirror, "checkpoint", &len);
	ck_assert_ptr_nonnull(file);
	get_status("/api/v1/log/checkpoint", 200, &r);
	ck_assert(len == r.len && memcmp(file, r.body, len) == 0);
	resp_free(&r);
	free(file);
}
END_TEST

/* --- in-process: the key, a log without checkpoints, damage --- */

static const char vkey[] = ORIGIN "+01234567+AWzbS5QPgKYQ0O2wxFi0lUtNYR3ID3"
    "0dr/vwQpVhm2KD";

START_TEST(test_key_and_no_checkpoint)
{
	struct api *bad = NULL;
	struct api_config cfg;
	struct tmon_err err = { 0 };
	struct resp r;
	char out[1024], mirror[160], want[128];
	size_t len;

	make_log(20, NULL, 0);
	start_api(vkey);
	get_status("/api/v1/log/key", 200, &r);
	ck_assert_str_eq(r.ctype, "text/plain; charset=utf-8");
	snprintf(want, sizeof(want), "%s\n", vkey);
	ck_assert_str_eq((char *)r.body, want);
	resp_free(&r);
	/* no checkpoint yet: nothing of the tree is served */
	expect_error("/api/v1/log/checkpoint", 404, NULL);
	expect_error("/api/v1/log/tile/0/000.p/1", 404, NULL);
	expect_error("/api/v1/log/tile/entries/000.p/20", 404, NULL);
	expect_error("/api/v1/log/proof/inclusion?seq=0", 404, NULL);
	expect_error("/api/v1/log/proof/consistency?old=1", 404, NULL);
	get_status("/api/v1/log/checkpoints", 200, &r);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "checkpoints")), 0);
	resp_free(&r);
	get_status("/api/v1/log/entries/19", 200, &r);
	resp_free(&r);
	snprintf(mirror, sizeof(mirror), "%s/mirror", dir);
	ck_assert_int_eq(tmonctl(out, sizeof(out), "export-tiles", dbpath,
	    mirror), 2);
	ck_assert_msg(strstr(out, "no checkpoint") != NULL, "%s", out);
	ck_assert_ptr_null(slurp(mirror, "checkpoint", &len));

	/* keys api_start refuses */
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen_host = "127.0.0.1";
	cfg.db_path = dbpath;
	cfg.log_vkey = "a key";
	ck_assert_int_eq(api_start(&cfg, &bad, &err), TMON_E_CONFIG);
	cfg.log_vkey = "";
	ck_assert_int_eq(api_start(&cfg, &bad, &err), TMON_E_CONFIG);
	cfg.log_vkey = "k\n";
	ck_assert_int_eq(api_start(&cfg, &bad, &err), TMON_E_CONFIG);
	ck_assert_ptr_null(bad);
}
END_TEST

static void
db_exec(const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
	    "%s", msg != NULL ? msg : "");
	sqlite3_close(db);
}

START_TEST(test_damaged)
{
	static const uint64_t sizes[] = { 300, 600 };
	struct resp r;
	char out[1024], mirror[160];

	make_log(600, sizes, 2);
	start_api(NULL);
	/* A tree node changed under the checkpoint: no proof through it
	 * is served. */
	db_exec("DROP TRIGGER tree_no_update; UPDATE tree SET hash = "
	    "zeroblob(32) WHERE level = 1 AND idx = 3");
	get_status("/api/v1/log/proof/inclusion?seq=4", 500, &r);
	ck_assert_msg(strstr((char *)r.body, "the log is damaged") != NULL,
	    "%s", (char *)r.body);
	resp_free(&r);
	get_status("/api/v1/log/proof/consistency?old=6&new=300", 500, &r);
	resp_free(&r);
	/* proofs that do not go through it are still served */
	get_status("/api/v1/log/proof/inclusion?seq=6", 200, &r);
	resp_free(&r);
	/* A body changed: its entry bundle is not served or exported. */
	db_exec("DROP TRIGGER entries_no_update; UPDATE entries SET body = "
	    "CAST(replace(CAST(body AS TEXT), 'alert', 'alerT') AS BLOB) "
	    "WHERE seq = 260");
	get_status("/api/v1/log/tile/entries/001", 500, &r);
	ck_assert_msg(strstr((char *)r.body, "damaged: entry 260") != NULL,
	    "%s", (char *)r.body);
	resp_free(&r);
	get_status("/api/v1/log/tile/entries/000", 200, &r);
	resp_free(&r);
	get_status("/api/v1/log/entries/260", 500, &r);
	resp_free(&r);
	snprintf(mirror, sizeof(mirror), "%s/mirror", dir);
	ck_assert_int_eq(tmonctl(out, sizeof(out), "export-tiles", dbpath,
	    mirror), 1);
	ck_assert_msg(strstr(out, "entry 260") != NULL, "%s", out);
	/* the tiles before it were written, the checkpoint was not */
	ck_assert_ptr_nonnull(strstr(out, "tile/entries/001"));
	{
		size_t len;
		uint8_t *p = slurp(mirror, "tile/entries/000", &len);

		ck_assert_ptr_nonnull(p);
		free(p);
		ck_assert_ptr_null(slurp(mirror, "checkpoint", &len));
	}
}
END_TEST

/* --- the request parser (api_request_parse) --- */

static enum tmon_rc
parse(const char *path, const char *query, struct api_request *req,
    struct api_reject *rej)
{
	struct api_arg a[8];
	char buf[256], *p, *amp, *eq;
	size_t n = 0;

	if (query != NULL) {
		snprintf(buf, sizeof(buf), "%s", query);
		for (p = buf; p != NULL && n < 8; p = amp) {
			if ((amp = strchr(p, '&')) != NULL)
				*amp++ = '\0';
			if ((eq = strchr(p, '=')) != NULL)
				*eq++ = '\0';
			a[n].key = p;
			a[n].key_len = strlen(p);
			a[n].value = eq;
			a[n].value_len = eq != NULL ? strlen(eq) : 0;
			n++;
		}
	}
	return api_request_parse("GET", path, a, n, req, rej);
}

static void
parse_ok(const char *path, const char *query, enum api_route route,
    struct api_request *req)
{
	struct api_reject rej;

	ck_assert_msg(parse(path, query, req, &rej) == TMON_OK, "%s?%s: %u %s",
	    path, query != NULL ? query : "", rej.status, rej.error);
	ck_assert_int_eq(req->route, route);
}

static void
parse_bad(const char *path, const char *query, unsigned status,
    const char *field)
{
	struct api_request req;
	struct api_reject rej;

	ck_assert_msg(parse(path, query, &req, &rej) == TMON_E_PARSE,
	    "%s?%s accepted", path, query != NULL ? query : "");
	ck_assert_msg(rej.status == status, "%s?%s: %u, want %u", path,
	    query != NULL ? query : "", rej.status, status);
	if (field == NULL)
		ck_assert_ptr_null(rej.field);
	else
		ck_assert_msg(rej.field != NULL && strcmp(rej.field, field) ==
		    0, "%s?%s: field %s, want %s", path, query != NULL ?
		    query : "", rej.field != NULL ? rej.field : "(null)",
		    field);
}

START_TEST(test_parse)
{
	struct api_request req;
	struct api_reject rej;

	parse_ok("/api/v1/log/key", NULL, API_ROUTE_LOG_KEY, &req);
	parse_ok("/api/v1/log/checkpoint", NULL, API_ROUTE_LOG_CHECKPOINT,
	    &req);
	parse_ok("/api/v1/log/checkpoints", NULL, API_ROUTE_LOG_CHECKPOINTS,
	    &req);
	ck_assert(req.after == UINT64_MAX);
	ck_assert_uint_eq(req.limit, API_DEFAULT_LIMIT);
	parse_ok("/api/v1/log/checkpoints", "after=12&limit=3",
	    API_ROUTE_LOG_CHECKPOINTS, &req);
	ck_assert_uint_eq(req.after, 12);
	ck_assert_uint_eq(req.limit, 3);
	parse_ok("/api/v1/log/proof/inclusion", "seq=4", API_ROUTE_LOG_INCLUSION,
	    &req);
	ck_assert_uint_eq(req.seq, 4);
	ck_assert_uint_eq(req.size, 0);
	parse_ok("/api/v1/log/proof/inclusion", "size=9&seq=8",
	    API_ROUTE_LOG_INCLUSION, &req);
	ck_assert_uint_eq(req.seq, 8);
	ck_assert_uint_eq(req.size, 9);
	parse_ok("/api/v1/log/proof/inclusion",
	    "seq=9223372036854775806&size=9223372036854775807",
	    API_ROUTE_LOG_INCLUSION, &req);
	parse_ok("/api/v1/log/proof/consistency", "old=3",
	    API_ROUTE_LOG_CONSISTENCY, &req);
	ck_assert_uint_eq(req.old_size, 3);
	ck_assert_uint_eq(req.new_size, 0);
	parse_ok("/api/v1/log/proof/consistency", "old=3&new=3",
	    API_ROUTE_LOG_CONSISTENCY, &req);
	ck_assert_uint_eq(req.new_size, 3);
	parse_ok("/api/v1/log/entries/0", NULL, API_ROUTE_LOG_ENTRY, &req);
	parse_ok("/api/v1/log/entries/9223372036854775807", NULL,
	    API_ROUTE_LOG_ENTRY, &req);
	ck_assert_uint_eq(req.seq, INT64_MAX);
	parse_ok("/api/v1/log/tile/0/x001/x234/067.p/12", NULL,
	    API_ROUTE_LOG_TILE, &req);
	ck_assert_int_eq(req.tile.level, 0);
	ck_assert_uint_eq(req.tile.index, 1234067);
	ck_assert_uint_eq(req.tile.width, 12);
	parse_ok("/api/v1/log/tile/entries/000", NULL, API_ROUTE_LOG_TILE,
	    &req);
	ck_assert_int_eq(req.tile.level, TLOG_TILE_ENTRIES);
	ck_assert_uint_eq(req.tile.width, 256);
	parse_ok("/api/v1/log/tile/7/255", NULL, API_ROUTE_LOG_TILE, &req);

	/* bad sizes and seq out of range */
	parse_bad("/api/v1/log/proof/inclusion", NULL, 400, "seq");
	parse_bad("/api/v1/log/proof/inclusion", "size=3", 400, "seq");
	parse_bad("/api/v1/log/proof/inclusion", "seq=3&size=3", 400, "seq");
	parse_bad("/api/v1/log/proof/inclusion", "seq=4&size=3", 400, "seq");
	parse_bad("/api/v1/log/proof/inclusion", "seq=9223372036854775807",
	    400, "seq");
	parse_bad("/api/v1/log/proof/inclusion", "seq=0&size=0", 400, "size");
	parse_bad("/api/v1/log/proof/inclusion",
	    "seq=0&size=9223372036854775808", 400, "size");
	parse_bad("/api/v1/log/proof/inclusion", "seq=0x1", 400, "seq");
	parse_bad("/api/v1/log/proof/inclusion", "seq=+1", 400, "seq");
	parse_bad("/api/v1/log/proof/inclusion", "seq=", 400, "seq");
	parse_bad("/api/v1/log/proof/inclusion", "seq", 400, "seq");
	parse_bad("/api/v1/log/proof/inclusion", "seq=1&seq=1", 400, "seq");
	parse_bad("/api/v1/log/proof/inclusion", "seq=1&old=1", 400, "old");
	parse_bad("/api/v1/log/proof/consistency", NULL, 400, "old");
	parse_bad("/api/v1/log/proof/consistency", "new=3", 400, "old");
	parse_bad("/api/v1/log/proof/consistency", "old=0", 400, "old");
	parse_bad("/api/v1/log/proof/consistency", "old=4&new=3", 400, "old");
	parse_bad("/api/v1/log/proof/consistency", "old=1&new=0", 400, "new");
	parse_bad("/api/v1/log/proof/consistency", "old=1&size=2", 400,
	    "size");
	parse_bad("/api/v1/log/checkpoints", "limit=501", 400, "limit");
	parse_bad("/api/v1/log/checkpoints", "after=-1", 400, "after");
	parse_bad("/api/v1/log/checkpoints", "seq=1", 400, "seq");
	parse_bad("/api/v1/log/checkpoint", "x=1", 400, "x");
	parse_bad("/api/v1/log/key", "limit=1", 400, "limit");
	parse_bad("/api/v1/log/tile/0/000", "limit=1", 400, "limit");
	parse_bad("/api/v1/log/entries/9223372036854775808", NULL, 400, "seq");
	parse_bad("/api/v1/log/entries/", NULL, 400, "seq");
	parse_bad("/api/v1/log/entries/1/", NULL, 400, "seq");
	/* bad tile paths: not found, as on a static mirror */
	parse_bad("/api/v1/log/tile/0/1", NULL, 404, NULL);
	parse_bad("/api/v1/log/tile/8/000", NULL, 404, NULL);
	parse_bad("/api/v1/log/tile/0/000.p/256", NULL, 404, NULL);
	parse_bad("/api/v1/log/tile/0/000.p/0", NULL, 404, NULL);
	parse_bad("/api/v1/log/tile/0/000.p/01", NULL, 404, NULL);
	parse_bad("/api/v1/log/tile/0/x000/001", NULL, 404, NULL);
	parse_bad("/api/v1/log/tile/0/x1/001", NULL, 404, NULL);
	parse_bad("/api/v1/log/tile/entries/x/000", NULL, 404, NULL);
	parse_bad("/api/v1/log/tile/0/x010/x000/x000/x000/x000/x000/x000/000",
	    NULL, 404, NULL);
	parse_bad("/api/v1/log/tile/0/../000", NULL, 404, NULL);
	parse_bad("/api/v1/log/tile", NULL, 404, NULL);
	parse_bad("/api/v1/log/", NULL, 404, NULL);
	parse_bad("/api/v1/log", NULL, 404, NULL);
	parse_bad("/api/v1/log/checkpoint/", NULL, 404, NULL);
	parse_bad("/api/v1/log/proof", NULL, 404, NULL);
	parse_bad("/api/v1/log/proof/inclusion/", NULL, 404, NULL);
	/* methods */
	ck_assert_int_eq(api_request_parse("POST", "/api/v1/log/checkpoint",
	    NULL, 0, &req, &rej), TMON_E_PARSE);
	ck_assert_uint_eq(rej.status, 405);
	ck_assert_str_eq(rej.allow, "GET, HEAD");
	ck_assert_int_eq(api_request_parse("HEAD", "/api/v1/log/tile/0/000",
	    NULL, 0, &req, &rej), TMON_OK);
	ck_assert_int_eq(api_request_parse("PUT", "/api/v1/log/tile/0/000",
	    NULL, 0, &req, &rej), TMON_E_PARSE);
	ck_assert_uint_eq(rej.status, 405);
}
END_TEST

static Suite *
api_log_suite(void)
{
	Suite *su = suite_create("api_log");
	TCase *tp = tcase_create("parse");
	TCase *tc = tcase_create("tmond");
	TCase *ti = tcase_create("inprocess");
	TCase *tl = tcase_create("large");

	tcase_add_test(tp, test_parse);
	suite_add_tcase(su, tp);
	tcase_add_checked_fixture(tc, proc_setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_checkpoint);
	tcase_add_test(tc, test_proofs);
	tcase_add_test(tc, test_entries);
	tcase_add_test(tc, test_tiles);
	tcase_add_test(tc, test_export_tiles);
	suite_add_tcase(su, tc);
	tcase_add_checked_fixture(tl, NULL, teardown);
	tcase_set_timeout(tl, 300);
	tcase_add_test(tl, test_large);
	suite_add_tcase(su, tl);
	tcase_add_checked_fixture(ti, NULL, teardown);
	tcase_set_timeout(ti, 60);
	tcase_add_test(ti, test_key_and_no_checkpoint);
	tcase_add_test(ti, test_damaged);
	suite_add_tcase(su, ti);
	return su;
}

int
main(void)
{
	SRunner *sr;
	int nfail;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	sr = srunner_create(api_log_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
