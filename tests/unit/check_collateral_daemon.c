/*
 * check_collateral_daemon: Intel collateral fetching inside the real tmond,
 * over loopback.  tmon-replay serves recorded attestation answers and
 * synthetic Intel PCS answers (tests/data/replay/index.json, prefixes
 * /pcs-stall/, /pcs-empty/, /pcs-oversize/, /pcs-mislabelled/,
 * /pcs-badsig/) and a quote
 * with a forged PCK certificate; tmond runs until --max-probes and must
 * exit 0 on its own; every `collateral` entry of the SQLite file it wrote
 * is then read back: its FMSPC must be one that was asked for, and its
 * verdict must be what the PCS served.  While the
 * fetches overlap, the API is read (its threads read what the main thread
 * writes): the run is part of the ThreadSanitizer stage of contrib/test.sh.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <sqlite3.h>

#include "testutil.h"

/* The FMSPCs of the replayed quotes (their PCK certificates). */
#define FMSPC_GEMMA	"90c06f000000"	/* NanoGPT gemma, dstack */
#define FMSPC_NEAR	"b0c06f000000"	/* NEAR AI gateway (glm-5, qwen3) */

#define M_GEMMA \
	"{\"provider\":\"nanogpt\",\"model\":\"TEE/gemma-3-27b-it\"," \
	"\"base_url\":\"http://127.0.0.1:PORT\",\"interval_s\":1," \
	"\"jitter_s\":0,\"canary\":false}"
#define M_FORGED \
	"{\"provider\":\"nanogpt\",\"model\":\"TEE/tmon-synthetic-forged-pck\"," \
	"\"base_url\":\"http://127.0.0.1:PORT\",\"interval_s\":1," \
	"\"jitter_s\":0,\"canary\":false}"
#define M_TINFOIL_SNP \
	"{\"provider\":\"nanogpt\",\"model\":\"TEE/tmon-tinfoil-snp-v3\"," \
	"\"base_url\":\"http://127.0.0.1:PORT\",\"interval_s\":1," \
	"\"jitter_s\":0,\"canary\":false}"
#define M_GEMMA_0325 \
	"{\"provider\":\"nanogpt\",\"model\":\"TEE/gemma-3-27b-it\"," \
	"\"name\":\"TEE/gemma-3-27b-it@2026-03-25\"," \
	"\"base_url\":\"http://127.0.0.1:PORT/nanogpt-2026-03-25\"," \
	"\"interval_s\":1,\"jitter_s\":0,\"canary\":false}"
#define M_GLM \
	"{\"provider\":\"nanogpt\",\"model\":\"TEE/glm-5\"," \
	"\"base_url\":\"http://127.0.0.1:PORT/nanogpt-2026-03-25\"," \
	"\"interval_s\":1,\"jitter_s\":0,\"canary\":false}"
#define M_QWEN \
	"{\"provider\":\"nanogpt\"," \
	"\"model\":\"TEE/qwen3-30b-a3b-instruct-2507\"," \
	"\"base_url\":\"http://127.0.0.1:PORT/nanogpt-2026-03-25\"," \
	"\"interval_s\":1,\"jitter_s\":0,\"canary\":false}"

static char dir[256];
static pid_t replay_pid = -1, tmond_pid = -1;
static int replay_port, replay_fd = -1;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tmon-check-colld-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	replay_pid = tu_start_replay(&replay_port, &replay_fd);
	ck_assert_int_gt(replay_pid, 0);
}

static void
teardown(void)
{
	tu_stop(tmond_pid, SIGKILL);
	tu_stop(replay_pid, SIGTERM);
	tmond_pid = replay_pid = -1;
	if (replay_fd >= 0)
		close(replay_fd);
	replay_fd = -1;
}

/* Write s to f with every "PORT" replaced by the replay port. */
static void
put_config(FILE *f, const char *s)
{
	const char *p;

	while ((p = strstr(s, "PORT")) != NULL) {
		fwrite(s, 1, (size_t)(p - s), f);
		fprintf(f, "%d", replay_port);
		s = p + 4;
	}
	fputs(s, f);
}

/*
 * Read the API of tmond on port (its threads read the log the main thread
 * writes) and submit a receipt it must refuse, ignoring the answers.
 */
static void
read_api(int port)
{
	static const char *const paths[] = { "/api/v1/models",
	    "/api/v1/probes?limit=5", "/api/v1/failures", "/api/v1/entries/0",
	    "/api/v1/models/TEE%2Fglm-5/history" };
	char url[256];
	struct tu_body b;
	CURL *c;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port,
		    paths[i]);
		tu_get(url, &b);
		free(b.data);
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/receipts",
	    port);
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{\"not\": \"a receipt\"}");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, tu_write);
	b.data = NULL;
	b.len = 0;
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	free(b.data);
}

/*
 * Run tmond with the PCS at pcs_prefix (e.g. "/pcs-stall") and the models
 * (a JSON array body; "PORT" is the replay port) until it has logged
 * max_probes probes, reading its API meanwhile if api is set.  Returns
 * the wait status; kills it after 120 s.
 */
static int
run_tmond(const char *pcs_prefix, const char *models, int max_probes,
    bool api)
{
	char cfg[300], db[300], listen[64], maxp[16], text[4096];
	const char *const argv[] = { TMON_BUILD_DIR "/tmond", "--init", "--config",
	    cfg, "--db", db, "--listen", listen, "--max-probes", maxp, NULL };
	time_t end = time(NULL) + 120;
	int status, fd, port;
	pid_t r;
	FILE *f;

	snprintf(cfg, sizeof(cfg), "%s/schedule.json", dir);
	snprintf(db, sizeof(db), "%s/tmon.db", dir);
	unlink(db);
	port = tu_free_port();
	ck_assert_int_gt(port, 0);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(maxp, sizeof(maxp), "%d", max_probes);
	snprintf(text, sizeof(text), "{\"pcs\": {\"base_url\": "
	    "\"http://127.0.0.1:PORT%s\", \"root_ca_crl_url\": "
	    "\"http://127.0.0.1:PORT%s/IntelSGXRootCA.der\"},\n"
	    "\"kds\": {\"base_url\": \"http://127.0.0.1:PORT\"},\n"
	    "\"models\": [%s]}\n", pcs_prefix, pcs_prefix, models);
	f = fopen(cfg, "w");
	ck_assert_ptr_nonnull(f);
	put_config(f, text);
	fclose(f);

	tmond_pid = tu_spawn(argv, &fd);
	ck_assert_int_gt(tmond_pid, 0);
	while ((r = waitpid(tmond_pid, &status, WNOHANG)) == 0 &&
	    time(NULL) < end) {
		if (api)
			read_api(port);
		usleep(100 * 1000);
	}
	close(fd);
	ck_assert_msg(r == tmond_pid, "tmond did not stop by itself");
	tmond_pid = -1;
	return status;
}

static void
assert_clean_exit(int status)
{
	ck_assert_msg(WIFEXITED(status), "tmond died of signal %d",
	    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}

/* Every `collateral` entry of the log as JSON, in seq order. */
static json_t *
collateral_entries(void)
{
	char path[300];
	json_t *all = json_array(), *j;
	json_error_t je;
	sqlite3 *db;
	sqlite3_stmt *st;
	const char *verdict;

	snprintf(path, sizeof(path), "%s/tmon.db", dir);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT body, verdict FROM "
	    "entries WHERE kind = 'collateral' ORDER BY seq", -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		j = json_loadb(sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), 0, &je);
		ck_assert_msg(j != NULL, "entry body: %s", je.text);
		/* the indexed verdict column says what the body says */
		verdict = (const char *)sqlite3_column_text(st, 1);
		ck_assert_ptr_nonnull(verdict);
		ck_assert_str_eq(verdict, json_string_value(json_object_get(j,
		    "verdict")));
		json_array_append_new(all, j);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return all;
}

/* True if the blob named by the hex SHA-256 hex is in the log. */
static bool
has_blob(const char *hex)
{
	char path[300], sql[200];
	sqlite3 *db;
	sqlite3_stmt *st;
	bool found;

	snprintf(path, sizeof(path), "%s/tmon.db", dir);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "SELECT len FROM blobs WHERE "
	    "hex(sha256) = upper('%.64s') AND len > 0", hex);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return found;
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "(none)";
}

/* Every blob an entry names exists and is not empty. */
static void
assert_blobs(json_t *e)
{
	json_t *d;
	const char *name, *h;

	json_object_foreach(json_object_get(e, "documents"), name, d) {
		if ((h = json_string_value(json_object_get(d,
		    "body_sha256"))) != NULL)
			ck_assert_msg(has_blob(h), "%s body blob missing",
			    name);
		if ((h = json_string_value(json_object_get(d,
		    "headers_sha256"))) != NULL)
			ck_assert_msg(has_blob(h), "%s headers blob missing",
			    name);
	}
}

/* The one collateral entry for fmspc (each run fetches a pair once). */
static json_t *
entry_for(json_t *all, const char *fmspc)
{
	json_t *e, *found = NULL;
	size_t i;

	json_array_foreach(all, i, e) {
		ck_assert_str_eq(jstr(e, "ca"), "platform");
		assert_blobs(e);
		if (strcmp(jstr(e, "fmspc"), fmspc) != 0)
			continue;
		ck_assert_msg(found == NULL, "two entries for %s", fmspc);
		found = e;
	}
	ck_assert_msg(found != NULL, "no collateral entry for %s", fmspc);
	return found;
}

/*
 * A slow PCS and quotes of two FMSPCs arriving while the first fetch is
 * in flight: the cache grows under the pending fetch, which must still
 * log its own FMSPC with the verdict of its own documents.
 */
START_TEST(test_overlapping_fetches)
{
	json_t *all, *e;
	size_t i, n_gemma = 0, n_near = 0;

	assert_clean_exit(run_tmond("/pcs-stall", M_GEMMA "," M_GLM ","
	    M_QWEN "," M_GEMMA_0325, 8, true));
	all = collateral_entries();
	json_array_foreach(all, i, e) {
		ck_assert_str_eq(jstr(e, "ca"), "platform");
		assert_blobs(e);
		if (strcmp(jstr(e, "fmspc"), FMSPC_GEMMA) == 0) {
			/* the recorded, signed collateral was served */
			ck_assert_str_eq(jstr(e, "verdict"), "pass");
			ck_assert(json_is_null(json_object_get(e, "error")));
			n_gemma++;
		} else if (strcmp(jstr(e, "fmspc"), FMSPC_NEAR) == 0) {
			/* no TCB info is recorded for it: 404 */
			ck_assert_str_eq(jstr(e, "verdict"), "error");
			ck_assert_str_eq(jstr(e, "error"),
			    "tcb_info: HTTP 404");
			n_near++;
		} else
			ck_abort_msg("collateral entry for fmspc %s, which "
			    "no quote has", jstr(e, "fmspc"));
	}
	ck_assert_uint_ge(n_gemma, 1);
	ck_assert_uint_ge(n_near, 1);
	json_decref(all);
}
END_TEST

/* HTTP 200 with an empty TCB info: an error entry, no empty blob. */
START_TEST(test_empty_body)
{
	json_t *all, *e, *tcb;

	assert_clean_exit(run_tmond("/pcs-empty", M_GEMMA, 1, false));
	all = collateral_entries();
	ck_assert_int_eq(json_array_size(all), 1);
	e = entry_for(all, FMSPC_GEMMA);
	ck_assert_str_eq(jstr(e, "verdict"), "error");
	ck_assert_str_eq(jstr(e, "error"), "tcb_info: HTTP 200 with an empty "
	    "body");
	tcb = json_object_get(json_object_get(e, "documents"), "tcb_info");
	ck_assert_int_eq(json_integer_value(json_object_get(tcb, "status")),
	    200);
	ck_assert_int_eq(json_integer_value(json_object_get(tcb, "body_len")),
	    0);
	ck_assert(json_is_integer(json_object_get(tcb, "body_len")));
	ck_assert_ptr_null(json_object_get(tcb, "body_sha256"));
	ck_assert_ptr_nonnull(json_object_get(tcb, "headers_sha256"));
	/* the documents that did arrive are kept */
	ck_assert_ptr_nonnull(json_object_get(json_object_get(json_object_get(
	    e, "documents"), "qe_identity"), "body_sha256"));
	json_decref(all);
}
END_TEST

/* A TCB info above max_body_bytes: an error entry naming it, no blob. */
START_TEST(test_oversize_body)
{
	json_t *all, *e, *tcb;

	assert_clean_exit(run_tmond("/pcs-oversize", M_GEMMA, 1, false));
	all = collateral_entries();
	ck_assert_int_eq(json_array_size(all), 1);
	e = entry_for(all, FMSPC_GEMMA);
	ck_assert_str_eq(jstr(e, "verdict"), "error");
	ck_assert_msg(strncmp(jstr(e, "error"), "tcb_info: ", 10) == 0, "%s",
	    jstr(e, "error"));
	tcb = json_object_get(json_object_get(e, "documents"), "tcb_info");
	ck_assert(json_is_string(json_object_get(tcb, "error")));
	ck_assert_ptr_null(json_object_get(tcb, "body_sha256"));
	ck_assert_ptr_null(json_object_get(tcb, "body_len"));
	json_decref(all);
}
END_TEST

/*
 * Genuine, signed collateral of another FMSPC served for the one asked:
 * never a pass for the FMSPC asked for.
 */
START_TEST(test_mislabelled_tcb_info)
{
	json_t *all, *e;

	assert_clean_exit(run_tmond("/pcs-mislabelled", M_GLM, 1, false));
	all = collateral_entries();
	e = entry_for(all, FMSPC_NEAR);
	ck_assert_str_eq(jstr(e, "verdict"), "fail");
	ck_assert_str_eq(jstr(e, "error"), "tcb_info: TCB Info for fmspc "
	    FMSPC_GEMMA ", asked for " FMSPC_NEAR);
	/* the glm-5 answer also carries a quote of the gemma platform,
	 * whose TCB info this PCS does not have */
	ck_assert_int_eq(json_array_size(all), 2);
	e = entry_for(all, FMSPC_GEMMA);
	ck_assert_str_eq(jstr(e, "verdict"), "error");
	ck_assert_str_eq(jstr(e, "error"), "tcb_info: HTTP 404");
	json_decref(all);
}
END_TEST

/* The status and detail of check id in the first probe entry of model. */
static const char *
probe_check(const char *model, const char *id, char *detail, size_t dsz)
{
	static char status[16];
	char path[300];
	json_t *j, *c;
	json_error_t je;
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t i;

	snprintf(path, sizeof(path), "%s/tmon.db", dir);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT body FROM entries "
	    "WHERE kind = 'probe' AND model = ? ORDER BY seq LIMIT 1", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	j = json_loadb(sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0), 0, &je);
	sqlite3_finalize(st);
	sqlite3_close(db);
	ck_assert_ptr_nonnull(j);
	snprintf(status, sizeof(status), "missing");
	json_array_foreach(json_object_get(j, "checks"), i, c)
		if (strcmp(jstr(c, "id"), id) == 0) {
			snprintf(status, sizeof(status), "%s", jstr(c,
			    "status"));
			snprintf(detail, dsz, "%s", jstr(c, "detail"));
		}
	json_decref(j);
	return status;
}

/*
 * The Tinfoil v3 SEV-SNP document of 2026-06-29, probed twice: tmond
 * fetches the chip's VCEK and the Genoa cert_chain from (replayed) AMD
 * KDS once, logs them as blobs with one `collateral` entry, and the
 * probes verify the report with them (snp.report.signature and
 * snp.vcek_chain pass; the replayed document binds the capture's nonce,
 * not tmond's, so snp.reportdata fails).
 */
START_TEST(test_kds_snp_probe)
{
	char detail[512] = "";
	json_t *all, *e;

	assert_clean_exit(run_tmond("", M_TINFOIL_SNP, 2, false));
	all = collateral_entries();
	ck_assert_int_eq(json_array_size(all), 1);
	e = json_array_get(all, 0);
	ck_assert_str_eq(jstr(e, "tee"), "sev-snp");
	ck_assert_str_eq(jstr(e, "product"), "Genoa");
	ck_assert_str_eq(jstr(e, "verdict"), "pass");
	ck_assert_str_eq(jstr(e, "reported_tcb"), "541700000000000a");
	ck_assert_ptr_nonnull(json_object_get(json_object_get(e,
	    "documents"), "cert_chain"));
	json_decref(all);
	ck_assert_str_eq(probe_check("TEE/tmon-tinfoil-snp-v3",
	    "snp.report.signature", detail, sizeof(detail)), "pass");
	ck_assert_msg(strcmp(probe_check("TEE/tmon-tinfoil-snp-v3",
	    "snp.vcek_chain", detail, sizeof(detail)), "pass") == 0, "%s",
	    detail);
	ck_assert_str_eq(probe_check("TEE/tmon-tinfoil-snp-v3",
	    "snp.reportdata", detail, sizeof(detail)), "fail");
}
END_TEST

/*
 * Collateral whose TCB Info signature does not verify is built but is no
 * pass, and is not used: the probe has no collateral to judge with.
 */
START_TEST(test_unverified_tcb_info)
{
	char detail[512] = "";
	json_t *all, *e;

	assert_clean_exit(run_tmond("/pcs-badsig", M_GEMMA, 1, false));
	all = collateral_entries();
	ck_assert_int_eq(json_array_size(all), 1);
	e = entry_for(all, FMSPC_GEMMA);
	ck_assert_str_eq(jstr(e, "verdict"), "fail");
	ck_assert_msg(strstr(jstr(e, "error"), "TCB Info signature does not "
	    "verify") != NULL, "%s", jstr(e, "error"));
	json_decref(all);
	ck_assert_str_eq(probe_check("TEE/gemma-3-27b-it", "tdx.collateral",
	    detail, sizeof(detail)), "error");
	ck_assert_str_eq(detail, "no collateral for FMSPC " FMSPC_GEMMA);
}
END_TEST

/*
 * A quote whose PCK certificate does not verify names an FMSPC of the
 * upstream's choosing (deadbeef0000): nothing is fetched for it, so it
 * gets no entry and no cache slot.  The genuine gemma quote next to it
 * still gets its collateral.
 */
START_TEST(test_forged_pck_certificate)
{
	json_t *all, *e;

	assert_clean_exit(run_tmond("", M_FORGED "," M_GEMMA, 2, false));
	all = collateral_entries();
	ck_assert_int_eq(json_array_size(all), 1);
	e = entry_for(all, FMSPC_GEMMA);
	ck_assert_str_eq(jstr(e, "verdict"), "pass");
	json_decref(all);
}
END_TEST

static Suite *
collateral_daemon_suite(void)
{
	Suite *s = suite_create("collateral_daemon");
	TCase *tc = tcase_create("loopback");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_overlapping_fetches);
	tcase_add_test(tc, test_empty_body);
	tcase_add_test(tc, test_oversize_body);
	tcase_add_test(tc, test_mislabelled_tcb_info);
	tcase_add_test(tc, test_unverified_tcb_info);
	tcase_add_test(tc, test_forged_pck_certificate);
	tcase_add_test(tc, test_kds_snp_probe);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(collateral_daemon_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
