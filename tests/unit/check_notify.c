/*
 * check_notify: alert delivery's pure parts (notify.h, tz.h, config.h
 * "alerts"): the Gatus-style threshold state machine, maintenance window
 * arithmetic on the system's real tz data (DST gaps and overlaps, days,
 * windows crossing midnight), the TZif reader against glibc, and the
 * strict "alerts" config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "config.h"
#include "notify.h"
#include "tz.h"
#include "util.h"

static int64_t
utc(int y, unsigned mo, unsigned d, int h, int mi)
{
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static char hook_name[] = "t";
static char model_a[] = "sim/a";

static struct webhook_cfg
hook(uint32_t fail, uint32_t ok, bool resolved, uint32_t remind)
{
	struct webhook_cfg w;

	memset(&w, 0, sizeof(w));
	w.name = hook_name;
	w.failure_threshold = fail;
	w.success_threshold = ok;
	w.send_on_resolved = resolved;
	w.reminder_s = remind;
	return w;
}

START_TEST(test_gate_thresholds)
{
	struct webhook_cfg w = hook(3, 2, true, 0);
	struct notify_gate g;
	int64_t t = 1000;

	memset(&g, 0, sizeof(g));
	/* one and two failures, a success between: nothing */
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, t++), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, t++), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_probe(&g, &w, true, t++), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, t++), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, t++), NOTIFY_NONE);
	/* the third in a row opens the incident, once */
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, t++),
	    NOTIFY_TRIGGERED);
	ck_assert(g.open);
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, t++), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_tick(&g, &w, t + 100000), NOTIFY_NONE);
	/* one success, a failure: still open, nothing */
	ck_assert_int_eq(notify_gate_probe(&g, &w, true, t++), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, t++), NOTIFY_NONE);
	/* two successes in a row resolve it, once */
	ck_assert_int_eq(notify_gate_probe(&g, &w, true, t++), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_probe(&g, &w, true, t++),
	    NOTIFY_RESOLVED);
	ck_assert(!g.open);
	ck_assert_int_eq(notify_gate_probe(&g, &w, true, t++), NOTIFY_NONE);
	ck_assert_str_eq(notify_send_str(NOTIFY_RESOLVED), "resolved");

	/* send_on_resolved false: the incident closes silently */
	w = hook(1, 1, false, 0);
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, t++),
	    NOTIFY_TRIGGERED);
	ck_assert_int_eq(notify_gate_probe(&g, &w, true, t++), NOTIFY_NONE);
	ck_assert(!g.open);
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, t++),
	    NOTIFY_TRIGGERED);
}
END_TEST

START_TEST(test_gate_reminders)
{
	struct webhook_cfg w = hook(2, 1, true, 60);
	struct notify_gate g;

	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(notify_gate_tick(&g, &w, 0), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, 0), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, 10),
	    NOTIFY_TRIGGERED);
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, 40), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_tick(&g, &w, 69), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_tick(&g, &w, 70), NOTIFY_REMINDER);
	ck_assert_int_eq(notify_gate_tick(&g, &w, 71), NOTIFY_NONE);
	ck_assert_int_eq(notify_gate_probe(&g, &w, false, 130),
	    NOTIFY_REMINDER);
	ck_assert_int_eq(notify_gate_probe(&g, &w, true, 135),
	    NOTIFY_RESOLVED);
	ck_assert_int_eq(notify_gate_tick(&g, &w, 1000), NOTIFY_NONE);
}
END_TEST

static struct tz *
zone(const char *name)
{
	struct tz *z = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(tz_load(name, &z, &err) == TMON_OK, "%s: %s", name,
	    err.msg);
	return z;
}

START_TEST(test_tz_offsets)
{
	struct tz *b = zone("Europe/Berlin"), *u = zone("UTC"),
	    *s = zone("Australia/Sydney");

	/* 2026: summer time from 01:00 UTC on 29 March to 01:00 UTC on
	 * 25 October */
	ck_assert_int_eq(tz_offset(b, utc(2026, 3, 29, 1, 0) - 1), 3600);
	ck_assert_int_eq(tz_offset(b, utc(2026, 3, 29, 1, 0)), 7200);
	ck_assert_int_eq(tz_offset(b, utc(2026, 10, 25, 1, 0) - 1), 7200);
	ck_assert_int_eq(tz_offset(b, utc(2026, 10, 25, 1, 0)), 3600);
	/* past the file's transitions: the footer's rule */
	ck_assert_int_eq(tz_offset(b, utc(2040, 7, 1, 12, 0)), 7200);
	ck_assert_int_eq(tz_offset(b, utc(2040, 1, 1, 12, 0)), 3600);
	ck_assert_int_eq(tz_offset(b, utc(2100, 3, 28, 1, 0)), 7200);
	ck_assert_int_eq(tz_offset(b, utc(2100, 3, 28, 1, 0) - 1), 3600);
	/* southern hemisphere: summer time over the new year */
	ck_assert_int_eq(tz_offset(s, utc(2040, 1, 15, 0, 0)), 39600);
	ck_assert_int_eq(tz_offset(s, utc(2040, 7, 15, 0, 0)), 36000);
	ck_assert_int_eq(tz_offset(u, utc(2026, 7, 1, 0, 0)), 0);

	/* a wall time skipped (02:30 on 29 March 2026) is after the skip;
	 * one that happens twice (02:30 on 25 October) is the first */
	ck_assert_int_eq(tz_local_to_utc(b, utc(2026, 3, 29, 2, 30)),
	    utc(2026, 3, 29, 1, 30));
	ck_assert_int_eq(tz_local_to_utc(b, utc(2026, 10, 25, 2, 30)),
	    utc(2026, 10, 25, 0, 30));
	ck_assert_int_eq(tz_local_to_utc(b, utc(2026, 7, 1, 12, 0)),
	    utc(2026, 7, 1, 10, 0));
	tz_free(b);
	tz_free(u);
	tz_free(s);
}
END_TEST

/* Every hour of 2000..2060 as glibc's localtime_r sees it (TZ is set
 * here, in a test with one thread). */
START_TEST(test_tz_matches_glibc)
{
	static const char *const zones[] = { "Europe/Berlin",
	    "America/New_York", "Australia/Sydney", "Asia/Kolkata",
	    "America/Santiago", "Europe/London", "Pacific/Chatham" };
	struct tz *z;
	struct tm tm;
	time_t tt;
	int64_t t;
	size_t i;
	unsigned bad;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		z = zone(zones[i]);
		setenv("TZ", zones[i], 1);
		tzset();
		bad = 0;
		for (t = utc(2000, 1, 1, 0, 0); t < utc(2060, 1, 1, 0, 0);
		    t += 3600) {
			tt = (time_t)t;
			localtime_r(&tt, &tm);
			if (tm.tm_gmtoff != tz_offset(z, t) && bad++ < 3)
				fprintf(stderr, "%s at %lld: glibc %ld, tz %d\n",
				    zones[i], (long long)t, tm.tm_gmtoff,
				    tz_offset(z, t));
		}
		ck_assert_msg(bad == 0, "%s: %u hours differ", zones[i], bad);
		tz_free(z);
	}
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(test_tz_rejects)
{
	static const uint8_t junk[] = "TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
	struct tz *z = NULL;
	struct tmon_err err;
	uint8_t *data = NULL;
	size_t len, cut;

	tmon_err_clear(&err);
	ck_assert_int_eq(tz_load("../../etc/passwd", &z, &err),
	    TMON_E_CONFIG);
	ck_assert_int_eq(tz_load("/etc/localtime", &z, &err), TMON_E_CONFIG);
	ck_assert_int_eq(tz_load("Europe//Berlin", &z, &err), TMON_E_CONFIG);
	ck_assert_int_eq(tz_load("Mars/Olympus_Mons", &z, &err), TMON_E_IO);
	ck_assert_int_eq(tz_parse(junk, sizeof(junk), &z, &err),
	    TMON_E_PARSE);
	ck_assert_int_eq(tz_parse((const uint8_t *)"hello", 5, &z, &err),
	    TMON_E_PARSE);
	ck_assert_ptr_null(z);
	/* every cut of a real file is refused, none crashes */
	ck_assert_int_eq(read_file(TZ_DIR "/Europe/Berlin", MAX_TZIF_LEN,
	    &data, &len, &err), TMON_OK);
	for (cut = 0; cut + 1 < len; cut++) {
		ck_assert_int_eq(tz_parse(data, cut, &z, &err), TMON_E_PARSE);
		ck_assert_ptr_null(z);
	}
	ck_assert_int_eq(tz_parse(data, len, &z, &err), TMON_OK);
	tz_free(z);
	free(data);
}
END_TEST

START_TEST(test_maintenance)
{
	struct maint_cfg m;
	char *only[] = { model_a };

	memset(&m, 0, sizeof(m));
	m.tz = zone("Europe/Berlin");
	/* Saturdays 23:00 for two hours: into Sunday */
	m.start_s = 23 * 3600;
	m.duration_s = 7200;
	m.days = 1u << 6;
	/* Saturday 28 March 2026, 22:59 and 23:00 CET */
	ck_assert(!notify_maint_active(&m, "x", utc(2026, 3, 28, 21, 59)));
	ck_assert(notify_maint_active(&m, "x", utc(2026, 3, 28, 22, 0)));
	/* Sunday 00:30 CET: the window that began on Saturday */
	ck_assert(notify_maint_active(&m, "x", utc(2026, 3, 28, 23, 30)));
	/* Sunday 01:00 CET: over (the clock skips at 02:00, after it) */
	ck_assert(!notify_maint_active(&m, "x", utc(2026, 3, 29, 0, 0)));
	/* Sunday 23:30 CEST: not a Saturday */
	ck_assert(!notify_maint_active(&m, "x", utc(2026, 3, 29, 21, 30)));
	/* the next Saturday, in summer time: 23:00 CEST is 21:00 UTC */
	ck_assert(!notify_maint_active(&m, "x", utc(2026, 4, 4, 20, 59)));
	ck_assert(notify_maint_active(&m, "x", utc(2026, 4, 4, 21, 0)));
	ck_assert(notify_maint_active(&m, NULL, utc(2026, 4, 4, 21, 0)));

	/* every day at 02:30 for 30 minutes: on 29 March 2026 that wall
	 * time is skipped, the window runs 03:30-04:00 CEST */
	m.start_s = 2 * 3600 + 1800;
	m.duration_s = 1800;
	m.days = 0x7f;
	ck_assert(!notify_maint_active(&m, "x", utc(2026, 3, 29, 1, 29)));
	ck_assert(notify_maint_active(&m, "x", utc(2026, 3, 29, 1, 30)));
	ck_assert(!notify_maint_active(&m, "x", utc(2026, 3, 29, 2, 0)));
	/* on 25 October 02:30 happens twice: the first (CEST) counts */
	ck_assert(notify_maint_active(&m, "x", utc(2026, 10, 25, 0, 30)));
	ck_assert(!notify_maint_active(&m, "x", utc(2026, 10, 25, 1, 0)));
	/* a summer day: 00:30-01:00 UTC */
	ck_assert(notify_maint_active(&m, "x", utc(2026, 7, 1, 0, 45)));
	ck_assert(!notify_maint_active(&m, "x", utc(2026, 7, 1, 1, 0)));

	/* per model: only that model; a model-less alert is not covered */
	m.models = only;
	m.n_models = 1;
	ck_assert(notify_maint_active(&m, "sim/a", utc(2026, 7, 1, 0, 45)));
	ck_assert(!notify_maint_active(&m, "sim/b", utc(2026, 7, 1, 0, 45)));
	ck_assert(!notify_maint_active(&m, NULL, utc(2026, 7, 1, 0, 45)));

	/* six days from Monday 00:00 UTC: to Sunday 00:00 */
	tz_free(m.tz);
	m.tz = zone("UTC");
	m.models = NULL;
	m.n_models = 0;
	m.start_s = 0;
	m.duration_s = 6 * 86400;
	m.days = 1u << 1;
	ck_assert(notify_maint_active(&m, "x", utc(2026, 7, 6, 0, 0)));
	ck_assert(notify_maint_active(&m, "x", utc(2026, 7, 11, 23, 59)));
	ck_assert(!notify_maint_active(&m, "x", utc(2026, 7, 12, 0, 0)));
	ck_assert(!notify_maint_active(&m, "x", utc(2026, 7, 5, 23, 59)));
	ck_assert(notify_maint_active(&m, "x", utc(2026, 7, 13, 0, 0)));
	tz_free(m.tz);
}
END_TEST

#define MODEL	"{\"models\": [{\"provider\": \"phala\", \"model\": \"m1\", " \
		"\"base_url\": \"http://127.0.0.1:1\"}], \"alerts\": "

static enum tmon_rc
parse(const char *alerts, struct config **cfg, struct tmon_err *err)
{
	char text[4096];

	snprintf(text, sizeof(text), MODEL "%s}", alerts);
	tmon_err_clear(err);
	*cfg = NULL;
	return config_parse(text, strlen(text), "t.json", cfg, err);
}

START_TEST(test_config_alerts)
{
	static const struct {
		const char	*alerts;
		const char	*want;
	} bad[] = {
		{ "{\"webhook\": []}", "alerts.webhook: unknown key" },
		{ "{\"webhooks\": [{\"name\": \"a\"}]}", "missing" },
		{ "{\"webhooks\": [{\"name\": \"a b\", \"url\": "
		  "\"http://h/\"}]}", "name" },
		{ "{\"webhooks\": [{\"name\": \"a\", \"url\": "
		  "\"http://u:p@h/\"}]}", "user name or password" },
		{ "{\"webhooks\": [{\"name\": \"a\", \"url\": \"ftp://h/\"}]}",
		  "http" },
		{ "{\"webhooks\": [{\"name\": \"a\", \"url\": \"http://h/\", "
		  "\"format\": \"xml\"}]}", "format" },
		{ "{\"webhooks\": [{\"name\": \"a\", \"url\": \"http://h/\", "
		  "\"failure_threshold\": 0}]}", "failure_threshold" },
		{ "{\"webhooks\": [{\"name\": \"a\", \"url\": \"http://h/\", "
		  "\"models\": [\"m2\"]}]}", "names no model" },
		{ "{\"webhooks\": [{\"name\": \"a\", \"url\": \"http://h/\", "
		  "\"reasons\": [\"bored\"]}]}", "unknown value" },
		{ "{\"webhooks\": [{\"name\": \"a\", \"url\": \"http://h/\", "
		  "\"headers\": {\"Content-Type\": \"x\"}}]}", "set by tmon" },
		{ "{\"webhooks\": [{\"name\": \"a\", \"url\": \"http://h/\", "
		  "\"headers\": {\"X-A\": \"a\\nb\"}}]}", "printable" },
		{ "{\"webhooks\": [{\"name\": \"a\", \"url\": \"http://h/\"}, "
		  "{\"name\": \"a\", \"url\": \"http://h/\"}]}", "second webhook" },
		{ "{\"webhooks\": [{\"name\": \"a\", \"url\": \"http://h/\", "
		  "\"token_env\": \"1X\"}]}", "environment variable" },
		{ "{\"maintenance\": [{\"name\": \"w\", \"start\": \"24:00\", "
		  "\"duration_s\": 600}]}", "HH:MM" },
		{ "{\"maintenance\": [{\"name\": \"w\", \"start\": \"2:00\", "
		  "\"duration_s\": 600}]}", "HH:MM" },
		{ "{\"maintenance\": [{\"name\": \"w\", \"start\": \"02:00\", "
		  "\"duration_s\": 10}]}", "duration_s" },
		{ "{\"maintenance\": [{\"name\": \"w\", \"start\": \"02:00\", "
		  "\"duration_s\": 600, \"timezone\": \"Mars/Base\"}]}",
		  "timezone: tz: no such time zone" },
		{ "{\"maintenance\": [{\"name\": \"w\", \"start\": \"02:00\", "
		  "\"duration_s\": 600, \"timezone\": \"../../etc/passwd\"}]}",
		  "not a time zone name" },
		{ "{\"maintenance\": [{\"name\": \"w\", \"start\": \"02:00\", "
		  "\"duration_s\": 600, \"days\": [\"mon\", \"mon\"]}]}",
		  "twice" },
		{ "{\"maintenance\": [{\"name\": \"w\", \"start\": \"02:00\", "
		  "\"duration_s\": 600, \"days\": [\"monday\"]}]}",
		  "unknown value" },
		{ "{\"dashboard_url\": \"https://x/?q=1\"}", "query" },
	};
	struct config *cfg;
	struct tmon_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i].alerts, &cfg, &err) ==
		    TMON_E_CONFIG, "%zu accepted", i);
		ck_assert_msg(strstr(err.msg, bad[i].want) != NULL,
		    "%zu: %s", i, err.msg);
		ck_assert_msg(strstr(err.msg, "t.json:") == err.msg, "%s",
		    err.msg);
	}
	ck_assert_int_eq(parse("{\"dashboard_url\": \"https://s.example/x/\", "
	    "\"webhooks\": [{\"name\": \"a\", \"url\": \"http://h/x?k=1\", "
	    "\"headers\": {\"X-A\": \"1\"}, \"models\": [\"m1\"]}], "
	    "\"maintenance\": [{\"name\": \"w\", \"start\": \"23:30\", "
	    "\"duration_s\": 3600, \"days\": [\"sat\", \"sun\"], "
	    "\"timezone\": \"Europe/Berlin\"}]}", &cfg, &err), TMON_OK);
	ck_assert_str_eq(cfg->alerts.dashboard_url, "https://s.example/x");
	ck_assert_uint_eq(cfg->alerts.n_webhooks, 1);
	ck_assert_uint_eq(cfg->alerts.webhooks[0].failure_threshold, 3);
	ck_assert_uint_eq(cfg->alerts.webhooks[0].success_threshold, 2);
	ck_assert(cfg->alerts.webhooks[0].send_on_resolved);
	ck_assert_uint_eq(cfg->alerts.webhooks[0].retries, 3);
	ck_assert_uint_eq(cfg->alerts.webhooks[0].timeout_s, 10);
	ck_assert_int_eq(cfg->alerts.webhooks[0].format, WEBHOOK_JSON);
	ck_assert_str_eq(cfg->alerts.webhooks[0].headers[0], "X-A: 1");
	ck_assert_ptr_null(cfg->alerts.webhooks[0].reasons);
	ck_assert_uint_eq(cfg->alerts.n_maint, 1);
	ck_assert_uint_eq(cfg->alerts.maint[0].start_s, 23 * 3600 + 1800);
	ck_assert_uint_eq(cfg->alerts.maint[0].days, (1u << 6) | 1u);
	config_free(cfg);
	ck_assert_int_eq(parse("{\"maintenance\": [{\"name\": \"w\", "
	    "\"start\": \"00:00\", \"duration_s\": 60}]}", &cfg, &err),
	    TMON_OK);
	ck_assert_str_eq(cfg->alerts.maint[0].timezone, "UTC");
	ck_assert_uint_eq(cfg->alerts.maint[0].days, 0x7f);
	config_free(cfg);
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_gate_thresholds);
	tcase_add_test(tc, test_gate_reminders);
	tcase_add_test(tc, test_tz_offsets);
	tcase_add_test(tc, test_tz_matches_glibc);
	tcase_add_test(tc, test_tz_rejects);
	tcase_add_test(tc, test_maintenance);
	tcase_add_test(tc, test_config_alerts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(notify_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
