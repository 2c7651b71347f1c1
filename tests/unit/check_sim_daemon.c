/*
 * check_sim_daemon: the whole pass path through tmond with fresh nonces.
 * Starts the real tmon-sim (a SIMULATED provider signing with a TEST PKI
 * it generates at start) and the real tmond configured with the sim's
 * trust anchors, its PCS routes and one model per misbehaviour, then reads
 * what tmond logged through the API and the database.  For each model the
 * set of checks that fail is exactly the one its misbehaviour must cause
 * (contrib/sim/tmon_sim.c lists them); sim/tinfoil (a Tinfoil v3
 * document, through both relay routes) passes every TDX check and the
 * REPORTDATA binding with the fresh nonce, marked test PKI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <sqlite3.h>

#include "testutil.h"

static char dir[256];
static pid_t sim_pid = -1, tmond_pid = -1;
static int api_port;

static pid_t
start_sim(int *port)
{
	char line[256];
	const char *p;
	pid_t pid;
	int fd;
	const char *const argv[] = { TMON_BUILD_DIR "/tmon-sim", "--listen",
	    "127.0.0.1:0", "--pki-dir", dir, NULL };

	pid = tu_spawn(argv, &fd);
	if (pid < 0 || tu_wait_line(fd, "listening on", line, sizeof(line),
	    60) != 0)
		return -1;
	p = strrchr(line, ':');
	*port = p != NULL ? atoi(p + 1) : 0;
	return *port > 0 ? pid : -1;
}

/* One model of the schedule; stream NULL: "canary": false. */
static void
model(FILE *f, const char *provider, const char *m, const char *name,
    int port, const char *stream, int last)
{
	fprintf(f, " {\"provider\":\"%s\",\"model\":\"%s\",\"name\":\"%s\","
	    "\"base_url\":\"http://127.0.0.1:%d\",\"interval_s\":1,"
	    "\"jitter_s\":0,\"canary\":", provider, m, name, port);
	if (stream == NULL)
		fprintf(f, "false");
	else
		fprintf(f, "{\"stream\":%s,\"signature_retries\":3,"
		    "\"signature_backoff_ms\":50}", stream);
	fprintf(f, "}%s\n", last ? "" : ",");
}

static void
start_all(void)
{
	char cfg[300], db[300], listen[64], path[300];
	int port, fd;
	FILE *f;
	const char *const argv[] = { TMON_BUILD_DIR "/tmond", "--config",
	    cfg, "--db", db, "--init", "--listen", listen, NULL };

	snprintf(dir, sizeof(dir), "/tmp/tmon-check-sim-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	sim_pid = start_sim(&port);
	ck_assert_int_gt(sim_pid, 0);
	snprintf(cfg, sizeof(cfg), "%s/schedule.json", dir);
	f = fopen(cfg, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"test_trust_anchors\": {\"intel_root_ca\": "
	    "\"%s/intel_root.pem\", \"nvidia_root_ca\": \"%s/nvidia_root.pem\"},\n"
	    "\"pcs\": {\"base_url\": \"http://127.0.0.1:%d\", "
	    "\"root_ca_crl_url\": \"http://127.0.0.1:%d/IntelSGXRootCA.der\"},\n"
	    "\"models\": [\n", dir, dir, port, port);
	model(f, "phala", "sim/good", "sim/good", port, "\"alternate\"", 0);
	model(f, "nanogpt", "sim/good", "sim/good@nanogpt", port, "true", 0);
	model(f, "phala", "sim/wrong-key", "sim/wrong-key", port, "false", 0);
	model(f, "phala", "sim/stale-nonce", "sim/stale-nonce", port, "false",
	    0);
	model(f, "phala", "sim/changed-measurement", "sim/changed-measurement",
	    port, "false", 0);
	model(f, "phala", "sim/reserialised-stream", "sim/reserialised-stream",
	    port, "true", 0);
	model(f, "phala", "sim/missing-signature", "sim/missing-signature",
	    port, "false", 0);
	/* Tinfoil's completions are end-to-end encrypted: no canary */
	model(f, "phala", "sim/tinfoil", "sim/tinfoil", port, NULL, 0);
	model(f, "nanogpt", "sim/tinfoil", "sim/tinfoil@nanogpt", port, NULL,
	    1);
	fprintf(f, "]}\n");
	fclose(f);
	snprintf(db, sizeof(db), "%s/tmon.db", dir);
	api_port = tu_free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", api_port);
	tmond_pid = tu_spawn(argv, &fd);
	ck_assert_int_gt(tmond_pid, 0);
	(void)path;
}

static json_t *
api_json(const char *path)
{
	char url[512];
	struct tu_body b;
	json_error_t je;
	json_t *j;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", api_port, path);
	if (tu_get(url, &b) != 200 || b.data == NULL) {
		free(b.data);
		return NULL;
	}
	j = json_loads(b.data, 0, &je);
	free(b.data);
	return j;
}

/* Probes logged for name (at most 50 counted). */
static size_t
nprobes(const char *name)
{
	char path[256], enc[128];
	size_t i, o = 0, n;
	json_t *j;

	for (i = 0; name[i] != '\0' && o + 4 < sizeof(enc); i++) {
		if (name[i] == '/') {
			memcpy(enc + o, "%2F", 3);
			o += 3;
		} else if (name[i] == '@') {
			memcpy(enc + o, "%40", 3);
			o += 3;
		} else
			enc[o++] = name[i];
	}
	enc[o] = '\0';
	snprintf(path, sizeof(path), "/api/v1/probes?model=%s", enc);
	if ((j = api_json(path)) == NULL)
		return 0;
	n = json_array_size(json_object_get(j, "probes"));
	json_decref(j);
	return n;
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

/*
 * The latest probe of name: every check is pass except those listed in
 * fails (status "fail") and errs (status "error"), and measurement.policy,
 * which is "warn" (no allow-list configured).  Every tdx./gpu. detail says
 * "test PKI".
 */
static void
expect(json_t *models, const char *name, const char *const *fails,
    const char *const *errs)
{
	json_t *m = find_model(models, name), *c;
	const char *id, *status, *detail, *want;
	size_t i, k;

	ck_assert_msg(m != NULL, "%s missing", name);
	ck_assert_uint_ge(json_array_size(json_object_get(m, "checks")), 15);
	json_array_foreach(json_object_get(m, "checks"), i, c) {
		id = json_string_value(json_object_get(c, "id"));
		status = json_string_value(json_object_get(c, "status"));
		detail = json_string_value(json_object_get(c, "detail"));
		want = "pass";
		if (strcmp(id, "measurement.policy") == 0)
			want = "warn";
		/* the simulator's schedule configures no NRAS */
		if (strcmp(id, "gpu.nras") == 0)
			want = "skip";
		/* nor does it bind a TLS key (and it serves http) */
		if (strcmp(id, "tls.binding") == 0)
			want = "skip";
		/* nor code provenance */
		if (strncmp(id, "provenance.", 11) == 0)
			want = "skip";
		for (k = 0; fails != NULL && fails[k] != NULL; k++)
			if (strcmp(id, fails[k]) == 0)
				want = "fail";
		for (k = 0; errs != NULL && errs[k] != NULL; k++)
			if (strcmp(id, errs[k]) == 0)
				want = "error";
		ck_assert_msg(strcmp(status, want) == 0, "%s: %s is %s (%s), "
		    "want %s", name, id, status, detail, want);
		if (strncmp(id, "tdx.", 4) == 0 || strncmp(id, "gpu.", 4) == 0)
			ck_assert_msg(strstr(detail, "test PKI") != NULL,
			    "%s: %s does not say test PKI: %s", name, id,
			    detail);
	}
}

/*
 * The latest probe of name, a sim/tinfoil model: our nonce echoed and
 * bound (tdx.reportdata, Tinfoil's v3 layout) and the quote verified
 * (every TDX check that applies passes) with the test PKI; nothing fails
 * or is error; what a Tinfoil document does not carry (event log,
 * compose, GPU evidence) is skip; every tdx./gpu. detail says "test PKI".
 */
static void
expect_tinfoil(json_t *models, const char *name)
{
	static const char *const pass[] = { "response.parse", "nonce.echo",
	    "tdx.quote.parse", "tdx.quote.signature", "tdx.pck_chain",
	    "tdx.collateral", "tdx.tcb", "tdx.td_attributes",
	    "tdx.reportdata" };
	json_t *m = find_model(models, name), *c;
	const char *id, *status, *detail;
	size_t i, k, seen = 0;

	ck_assert_msg(m != NULL, "%s missing", name);
	json_array_foreach(json_object_get(m, "checks"), i, c) {
		id = json_string_value(json_object_get(c, "id"));
		status = json_string_value(json_object_get(c, "status"));
		detail = json_string_value(json_object_get(c, "detail"));
		ck_assert_msg(strcmp(status, "fail") != 0 &&
		    strcmp(status, "error") != 0, "%s: %s is %s (%s)", name,
		    id, status, detail);
		for (k = 0; k < sizeof(pass) / sizeof(pass[0]); k++)
			if (strcmp(id, pass[k]) == 0) {
				ck_assert_msg(strcmp(status, "pass") == 0,
				    "%s: %s is %s (%s)", name, id, status,
				    detail);
				seen++;
			}
		if (strcmp(id, "tdx.reportdata") == 0)
			ck_assert_msg(strstr(detail, "tinfoil-v3") != NULL,
			    "%s: %s", name, detail);
		if (strcmp(id, "tdx.event_log") == 0 ||
		    strcmp(id, "tdx.compose") == 0 ||
		    strncmp(id, "gpu.", 4) == 0)
			ck_assert_msg(strcmp(status, "skip") == 0,
			    "%s: %s is %s (%s)", name, id, status, detail);
		if (strncmp(id, "tdx.", 4) == 0 || strncmp(id, "gpu.", 4) == 0)
			ck_assert_msg(strstr(detail, "test PKI") != NULL,
			    "%s: %s does not say test PKI: %s", name, id,
			    detail);
	}
	ck_assert_uint_eq(seen, sizeof(pass) / sizeof(pass[0]));
}

static int
count_alerts(const char *model_name)
{
	char db[300];
	sqlite3 *h;
	sqlite3_stmt *st;
	int n = -1;

	snprintf(db, sizeof(db), "%s/tmon.db", dir);
	ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT count(*) FROM entries "
	    "WHERE kind = 'alert' AND model = ? AND CAST(body AS TEXT) LIKE "
	    "'%\"reason\":\"unexplained\"%'", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, model_name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

START_TEST(test_sim_through_tmond)
{
	static const char *const names[] = { "sim/good", "sim/good@nanogpt",
	    "sim/wrong-key", "sim/stale-nonce", "sim/changed-measurement",
	    "sim/reserialised-stream", "sim/missing-signature", "sim/tinfoil",
	    "sim/tinfoil@nanogpt" };
	static const char *const wrong_key[] = { "sig.completion", NULL };
	static const char *const stale[] = { "nonce.echo", "tdx.reportdata",
	    "gpu.nonce", NULL };
	static const char *const reser[] = { "sig.response_hash", NULL };
	static const char *const missing[] = { "sig.completion", NULL };
	json_t *models = NULL;
	size_t i;
	int tries, ok, wstatus;

	start_all();
	for (tries = 0; tries < 240; tries++) {
		usleep(250 * 1000);
		ok = 1;
		for (i = 0; i < sizeof(names) / sizeof(names[0]) && ok; i++)
			if (nprobes(names[i]) < 2)
				ok = 0;
		if (ok)
			break;
	}
	ck_assert_msg(ok, "probes did not arrive in time");
	models = api_json("/api/v1/models");
	ck_assert_ptr_nonnull(models);

	expect(models, "sim/good", NULL, NULL);
	expect(models, "sim/good@nanogpt", NULL, NULL);
	expect(models, "sim/wrong-key", wrong_key, NULL);
	expect(models, "sim/stale-nonce", stale, NULL);
	expect(models, "sim/changed-measurement", NULL, NULL);
	expect(models, "sim/reserialised-stream", reser, NULL);
	/* a signature that never arrives is "could not check" */
	expect(models, "sim/missing-signature", NULL, missing);
	expect_tinfoil(models, "sim/tinfoil");
	expect_tinfoil(models, "sim/tinfoil@nanogpt");
	json_decref(models);

	kill(tmond_pid, SIGTERM);
	ck_assert_int_eq(waitpid(tmond_pid, &wstatus, 0), tmond_pid);
	ck_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
	tmond_pid = -1;
	/* the measurement change raised an alert, and only there */
	ck_assert_int_ge(count_alerts("sim/changed-measurement"), 1);
	ck_assert_int_eq(count_alerts("sim/good"), 0);
}
END_TEST

/*
 * A measurement change across a restart of tmond still raises an alert:
 * the first tmond logs one probe of sim/changed-measurement and exits
 * (--max-probes 1); the second sees the sim's changed MRTD.
 */
START_TEST(test_alert_survives_restart)
{
	char cfg[300], db[300], listen[64];
	int port, fd, wstatus, tries;
	FILE *f;
	const char *const argv1[] = { TMON_BUILD_DIR "/tmond", "--config",
	    cfg, "--db", db, "--init", "--listen", listen, "--max-probes", "1",
	    NULL };
	const char *const argv2[] = { TMON_BUILD_DIR "/tmond", "--config",
	    cfg, "--db", db, "--listen", listen, NULL };

	snprintf(dir, sizeof(dir), "/tmp/tmon-check-sim-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	sim_pid = start_sim(&port);
	ck_assert_int_gt(sim_pid, 0);
	snprintf(cfg, sizeof(cfg), "%s/schedule.json", dir);
	f = fopen(cfg, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"test_trust_anchors\": {\"intel_root_ca\": "
	    "\"%s/intel_root.pem\", \"nvidia_root_ca\": \"%s/nvidia_root.pem\"},\n"
	    "\"pcs\": false, \"models\": [\n", dir, dir);
	model(f, "phala", "sim/changed-measurement", "sim/changed-measurement",
	    port, "false", 1);
	fprintf(f, "]}\n");
	fclose(f);
	snprintf(db, sizeof(db), "%s/tmon.db", dir);
	api_port = tu_free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", api_port);
	tmond_pid = tu_spawn(argv1, &fd);
	ck_assert_int_eq(waitpid(tmond_pid, &wstatus, 0), tmond_pid);
	ck_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
	tmond_pid = -1;
	ck_assert_int_eq(count_alerts("sim/changed-measurement"), 0);

	tmond_pid = tu_spawn(argv2, &fd);
	for (tries = 0; tries < 120 && nprobes("sim/changed-measurement") < 2;
	    tries++)
		usleep(250 * 1000);
	ck_assert_uint_ge(nprobes("sim/changed-measurement"), 2);
	kill(tmond_pid, SIGTERM);
	ck_assert_int_eq(waitpid(tmond_pid, &wstatus, 0), tmond_pid);
	tmond_pid = -1;
	ck_assert_int_eq(count_alerts("sim/changed-measurement"), 1);
}
END_TEST

static void
teardown(void)
{
	tu_stop(tmond_pid, SIGKILL);
	tu_stop(sim_pid, SIGTERM);
}

static Suite *
sim_suite(void)
{
	Suite *s = suite_create("sim_daemon");
	TCase *tc = tcase_create("loopback");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_sim_through_tmond);
	tcase_add_test(tc, test_alert_survives_restart);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
