/*
 * check_daemon: end to end over loopback.  Starts the real tmon-replay
 * (recorded NanoGPT responses and synthetic hostile ones) and the real
 * tmond on free ports, waits for probes, reads the API with libcurl, stops
 * tmond with SIGTERM and recomputes the hash chain of the database it
 * wrote, independently of the store code.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "encode.h"
#include "testutil.h"
#include "tmon_limits.h"
#include "util.h"

#define GEMMA_BODY TMON_TEST_DATA \
	"/replay/nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json"
#define SECRET "sk-tmon-test-secret-5f1c2a"

static char dir[256];
static pid_t replay_pid = -1, tmond_pid = -1;
static int api_port;

static void
write_config(int replay_port)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/schedule.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"pcs\": {\"base_url\": \"http://127.0.0.1:%d\", "
	    "\"root_ca_crl_url\": \"http://127.0.0.1:%d/IntelSGXRootCA.der\"},\n"
	    "\"models\": [\n"
	    " {\"provider\":\"nanogpt\",\"model\":\"TEE/gemma-3-27b-it\","
	    "\"base_url\":\"http://127.0.0.1:%d\",\"interval_s\":1,"
	    "\"jitter_s\":0,\"api_key_env\":\"TMON_TEST_KEY\"},\n"
	    " {\"provider\":\"nanogpt\",\"model\":\"TEE/tmon-synthetic-truncated\","
	    "\"base_url\":\"http://127.0.0.1:%d\",\"interval_s\":1,\"jitter_s\":0},\n"
	    " {\"provider\":\"nanogpt\",\"model\":\"TEE/tmon-synthetic-oversize\","
	    "\"base_url\":\"http://127.0.0.1:%d\",\"interval_s\":1,\"jitter_s\":0},\n"
	    " {\"provider\":\"nanogpt\",\"model\":\"TEE/tmon-synthetic-500\","
	    "\"base_url\":\"http://127.0.0.1:%d\",\"interval_s\":1,\"jitter_s\":0}\n"
	    "]}\n", replay_port, replay_port, replay_port, replay_port,
	    replay_port, replay_port);
	fclose(f);
}

static void
start_all(void)
{
	char cfg[300], db[300], listen[64], line[512];
	int replay_port, fd, tfd;
	const char *const argv[] = { TMON_BUILD_DIR "/tmond", "--config",
	    cfg, "--db", db, "--init", "--listen", listen, NULL };

	snprintf(dir, sizeof(dir), "/tmp/tmon-check-daemon-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	replay_pid = tu_start_replay(&replay_port, &fd);
	ck_assert_int_gt(replay_pid, 0);
	write_config(replay_port);
	snprintf(cfg, sizeof(cfg), "%s/schedule.json", dir);
	snprintf(db, sizeof(db), "%s/tmon.db", dir);
	api_port = tu_free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", api_port);
	setenv("TMON_TEST_KEY", SECRET, 1);
	tmond_pid = tu_spawn(argv, &tfd);
	ck_assert_int_gt(tmond_pid, 0);
	(void)line;
}

static json_t *
api_json(const char *path, long *status)
{
	char url[512];
	struct tu_body b;
	json_error_t je;
	json_t *j;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", api_port, path);
	*status = tu_get(url, &b);
	if (b.data == NULL)
		return NULL;
	ck_assert_msg(strstr(b.data, SECRET) == NULL, "API leaks the key");
	j = json_loads(b.data, 0, &je);
	free(b.data);
	return j;
}

static json_t *
find_model(json_t *models, const char *name)
{
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(models, "models"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "model")),
		    name) == 0)
			return m;
	return NULL;
}

static const char *
check_status(json_t *model, const char *id, const char **detail)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(model, "checks"), i, c) {
		if (strcmp(json_string_value(json_object_get(c, "id")), id) ==
		    0) {
			if (detail != NULL)
				*detail = json_string_value(json_object_get(c,
				    "detail"));
			return json_string_value(json_object_get(c, "status"));
		}
	}
	return "missing";
}

/* Wait until every model has a verdict and gemma has >= min probes. */
static json_t *
wait_probes(int min_gemma)
{
	static const char *const names[] = { "TEE/gemma-3-27b-it",
	    "TEE/tmon-synthetic-truncated", "TEE/tmon-synthetic-oversize",
	    "TEE/tmon-synthetic-500" };
	json_t *models, *probes, *m;
	long status;
	size_t i;
	int tries, ok;

	for (tries = 0; tries < 120; tries++) {
		usleep(500 * 1000);
		models = api_json("/api/v1/models", &status);
		if (models == NULL || status != 200) {
			json_decref(models);
			continue;
		}
		ok = 1;
		for (i = 0; i < 4; i++) {
			m = find_model(models, names[i]);
			if (m == NULL || !json_is_string(json_object_get(m,
			    "verdict")))
				ok = 0;
		}
		probes = api_json("/api/v1/probes?model=TEE%2Fgemma-3-27b-it",
		    &status);
		if (probes == NULL || (int)json_array_size(json_object_get(
		    probes, "probes")) < min_gemma)
			ok = 0;
		json_decref(probes);
		if (ok)
			return models;
		json_decref(models);
	}
	ck_abort_msg("probes did not arrive in time");
	return NULL;
}

START_TEST(test_daemon_end_to_end)
{
	json_t *models, *m, *e, *meas;
	const char *detail = NULL, *body, *lh;
	char path[512], dbpath[300], hex[65];
	uint8_t leaf[32], *gemma;
	long status;
	size_t glen;
	struct tu_body b;
	int wstatus;

	start_all();
	models = wait_probes(2);

	/* the replayed gemma: evidence genuine, nonce not ours */
	m = find_model(models, "TEE/gemma-3-27b-it");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(check_status(m, "tdx.quote.signature", NULL), "pass");
	ck_assert_str_eq(check_status(m, "tdx.pck_chain", NULL), "pass");
	ck_assert_str_eq(check_status(m, "gpu.evidence", NULL), "pass");
	ck_assert_str_eq(check_status(m, "gpu.cert_chain", NULL), "pass");
	ck_assert_str_eq(check_status(m, "nonce.echo", &detail), "fail");
	ck_assert_ptr_nonnull(strstr(detail, "response does not echo our "
	    "nonce: replayed or cached attestation"));
	ck_assert_str_eq(json_string_value(json_object_get(m, "verdict")),
	    "fail");
	/* the collateral recorded on 2026-06-10 was fetched from the replayed
	 * PCS and verified, but today it is past its nextUpdate: tmon cannot
	 * judge the TCB now (error), which is not the quote being bad */
	ck_assert_str_eq(check_status(m, "tdx.collateral", &detail), "error");
	ck_assert_msg(strstr(detail, "expired") != NULL, "%s", detail);
	fprintf(stderr, "tdx.tcb: %s: ", check_status(m, "tdx.tcb", &detail));
	fprintf(stderr, "%s\n", detail);
	ck_assert_str_ne(check_status(m, "tdx.tcb", NULL), "pass");
	meas = json_object_get(json_object_get(m, "measurement"), "platform");
	ck_assert_str_eq(json_string_value(json_object_get(meas, "mrtd")),
	    "b24d3b24e9e3c16012376b52362ca09856c4adecb709d5fac33addf1c47e193d"
	    "a075b125b6c364115771390a5461e217");

	/* hostile upstreams: logged as failed probes, daemon keeps going */
	m = find_model(models, "TEE/tmon-synthetic-truncated");
	ck_assert_str_eq(check_status(m, "response.parse", NULL), "fail");
	ck_assert_str_eq(json_string_value(json_object_get(m, "verdict")),
	    "fail");
	m = find_model(models, "TEE/tmon-synthetic-oversize");
	ck_assert_str_eq(check_status(m, "http.fetch", NULL), "fail");
	ck_assert_str_eq(json_string_value(json_object_get(m, "verdict")),
	    "fail");
	m = find_model(models, "TEE/tmon-synthetic-500");
	ck_assert_str_eq(check_status(m, "http.fetch", NULL), "error");
	ck_assert_str_eq(json_string_value(json_object_get(m, "verdict")),
	    "error");
	json_decref(models);

	/* entry 0: leaf hash recomputed here from the exact body bytes */
	e = api_json("/api/v1/entries/0", &status);
	ck_assert_int_eq(status, 200);
	body = json_string_value(json_object_get(e, "body"));
	lh = json_string_value(json_object_get(e, "leaf_hash"));
	ck_assert_ptr_nonnull(body);
	ck_assert_ptr_nonnull(lh);
	{
		size_t n = strlen(body);
		uint8_t *pre = malloc(n + 1);

		pre[0] = 0x00;
		memcpy(pre + 1, body, n);
		SHA256(pre, n + 1, leaf);
		free(pre);
	}
	ck_assert_str_eq(hex_encode(leaf, 32, hex), lh);
	json_decref(e);

	/* the gemma blob is the replayed file, byte for byte */
	{
		struct tmon_err err;

		tmon_err_clear(&err);
		ck_assert(read_file(GEMMA_BODY, MAX_UPSTREAM_BODY, &gemma,
		    &glen, &err) == TMON_OK);
	}
	sha256(gemma, glen, leaf);
	snprintf(path, sizeof(path), "http://127.0.0.1:%d/api/v1/blobs/%s",
	    api_port, hex_encode(leaf, 32, hex));
	ck_assert_int_eq(tu_get(path, &b), 200);
	ck_assert_uint_eq(b.len, glen);
	ck_assert(memcmp(b.data, gemma, glen) == 0);
	free(b.data);
	free(gemma);

	/* clean stop */
	kill(tmond_pid, SIGTERM);
	ck_assert_int_eq(waitpid(tmond_pid, &wstatus, 0), tmond_pid);
	ck_assert(WIFEXITED(wstatus));
	ck_assert_int_eq(WEXITSTATUS(wstatus), 0);
	tmond_pid = -1;
	tu_stop(replay_pid, SIGTERM);
	replay_pid = -1;

	/* recompute the chain from the stored bodies with SQL + OpenSSL */
	snprintf(dbpath, sizeof(dbpath), "%s/tmon.db", dir);
	{
		sqlite3 *db;
		sqlite3_stmt *st;
		uint8_t chain[32] = { 0 }, buf[64], *pre;
		const void *bd;
		int n, rows = 0;
		int64_t seq;

		ck_assert_int_eq(sqlite3_open_v2(dbpath, &db,
		    SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT seq, body, "
		    "leaf_hash, chain_hash FROM entries ORDER BY seq", -1, &st,
		    NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			seq = sqlite3_column_int64(st, 0);
			ck_assert_int_eq(seq, rows);
			bd = sqlite3_column_blob(st, 1);
			n = sqlite3_column_bytes(st, 1);
			pre = malloc((size_t)n + 1);
			pre[0] = 0;
			memcpy(pre + 1, bd, (size_t)n);
			SHA256(pre, (size_t)n + 1, leaf);
			free(pre);
			ck_assert_int_eq(sqlite3_column_bytes(st, 2), 32);
			ck_assert(memcmp(sqlite3_column_blob(st, 2), leaf, 32)
			    == 0);
			memcpy(buf, chain, 32);
			memcpy(buf + 32, leaf, 32);
			SHA256(buf, 64, chain);
			ck_assert(memcmp(sqlite3_column_blob(st, 3), chain, 32)
			    == 0);
			/* no entry may contain the API key */
			ck_assert(memmem(bd, (size_t)n, SECRET,
			    strlen(SECRET)) == NULL);
			rows++;
		}
		sqlite3_finalize(st);
		sqlite3_close(db);
		ck_assert_int_ge(rows, 5);
	}
}
END_TEST

static void
teardown(void)
{
	tu_stop(tmond_pid, SIGKILL);
	tu_stop(replay_pid, SIGKILL);
}

static Suite *
daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("loopback");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_daemon_end_to_end);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(daemon_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
