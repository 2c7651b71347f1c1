/*
 * Unit tests for monitor/core/metrics: the registry, label escaping, the
 * text format (Prometheus exposition format 0.0.4), bounds and threads.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "buf.h"
#include "metrics.h"
#include "tmon_limits.h"

/* The rendered registry, NUL-terminated; the caller frees it. */
static char *
render(void)
{
	struct buf b;

	buf_init(&b, MAX_METRICS_TEXT);
	metrics_render(&b);
	return (char *)buf_release(&b, NULL);
}

START_TEST(test_label_escaping)
{
	char l[MAX_METRIC_LABELS], small[16];
	size_t n;

	n = metrics_label(l, sizeof(l), "model", "a\"b\\c\nd", "check",
	    "sig.completion", NULL);
	ck_assert_str_eq(l, "model=\"a\\\"b\\\\c\\nd\",check=\"sig.completion\"");
	ck_assert_uint_eq(n, strlen(l));
	/* a NULL value is "" */
	metrics_label(l, sizeof(l), "webhook", NULL, NULL);
	ck_assert_str_eq(l, "webhook=\"\"");
	/* does not fit: 0 and "" */
	ck_assert_uint_eq(metrics_label(small, sizeof(small), "model",
	    "0123456789", NULL), 0);
	ck_assert_str_eq(small, "");
	/* exactly fits */
	ck_assert_uint_eq(metrics_label(small, sizeof(small), "m",
	    "0123456789", NULL), 14);
	ck_assert_str_eq(small, "m=\"0123456789\"");
	/* bad keys */
	ck_assert_uint_eq(metrics_label(l, sizeof(l), "__name__", "x", NULL),
	    0);
	ck_assert_uint_eq(metrics_label(l, sizeof(l), "a-b", "x", NULL), 0);
	ck_assert_uint_eq(metrics_label(l, sizeof(l), "1a", "x", NULL), 0);
	ck_assert_str_eq(l, "");
	/* two worst-case model ids and a short third label fit */
	{
		char v[MAX_MODEL_ID];

		memset(v, '"', sizeof(v) - 1);
		v[sizeof(v) - 1] = '\0';
		ck_assert_uint_gt(metrics_label(l, sizeof(l), "model", v,
		    "check", v, "status", "error", NULL), 0);
	}
}
END_TEST

START_TEST(test_render_counter_gauge)
{
	char l[MAX_METRIC_LABELS];
	char *t;

	metrics_reset();
	metrics_counter_add("tmon_x_total", "Xs seen.\nback\\slash", NULL, 0);
	metrics_label(l, sizeof(l), "reason", "a", NULL);
	metrics_counter_add("tmon_y_total", "Ys.", l, 2);
	metrics_counter_add("tmon_y_total", "Ys.", l, 3);
	metrics_label(l, sizeof(l), "reason", "b", NULL);
	metrics_counter_add("tmon_y_total", "Ys.", l, 1);
	metrics_gauge_set("tmon_g_seconds", "G.", NULL, 1.5);
	metrics_gauge_set("tmon_g_seconds", "G.", NULL, 2);
	metrics_gauge_set("tmon_nan", "N.", NULL, NAN);
	metrics_gauge_set("tmon_inf", "I.", NULL, -INFINITY);
	t = render();
	ck_assert_str_eq(t,
	    "# HELP tmon_x_total Xs seen.\\nback\\\\slash\n"
	    "# TYPE tmon_x_total counter\n"
	    "tmon_x_total 0\n"
	    "# HELP tmon_y_total Ys.\n"
	    "# TYPE tmon_y_total counter\n"
	    "tmon_y_total{reason=\"a\"} 5\n"
	    "tmon_y_total{reason=\"b\"} 1\n"
	    "# HELP tmon_g_seconds G.\n"
	    "# TYPE tmon_g_seconds gauge\n"
	    "tmon_g_seconds 2\n"
	    "# HELP tmon_nan N.\n"
	    "# TYPE tmon_nan gauge\n"
	    "tmon_nan NaN\n"
	    "# HELP tmon_inf I.\n"
	    "# TYPE tmon_inf gauge\n"
	    "tmon_inf -Inf\n");
	free(t);
}
END_TEST

START_TEST(test_histogram)
{
	char l[MAX_METRIC_LABELS];
	char *t;

	metrics_reset();
	metrics_label(l, sizeof(l), "model", "m", NULL);
	metrics_observe("tmon_d_seconds", "D.", l, 0.05);	/* le 0.05 */
	metrics_observe("tmon_d_seconds", "D.", l, 0.3);	/* le 0.5 */
	metrics_observe("tmon_d_seconds", "D.", l, 500);	/* +Inf only */
	metrics_observe("tmon_d_seconds", "D.", l, NAN);	/* dropped */
	t = render();
	ck_assert_str_eq(t,
	    "# HELP tmon_d_seconds D.\n"
	    "# TYPE tmon_d_seconds histogram\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"0.05\"} 1\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"0.1\"} 1\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"0.25\"} 1\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"0.5\"} 2\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"1\"} 2\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"2.5\"} 2\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"5\"} 2\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"10\"} 2\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"30\"} 2\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"60\"} 2\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"120\"} 2\n"
	    "tmon_d_seconds_bucket{model=\"m\",le=\"+Inf\"} 3\n"
	    "tmon_d_seconds_sum{model=\"m\"} 500.35000000000002\n"
	    "tmon_d_seconds_count{model=\"m\"} 3\n");
	free(t);
}
END_TEST

/* Bad names, type clashes and too many series are dropped and counted;
 * nothing crashes. */
START_TEST(test_bounds)
{
	char l[MAX_METRIC_LABELS];
	char *t;
	int i;

	metrics_reset();
	metrics_counter_add("tmon_a_total", "A.", NULL, 1);
	metrics_gauge_set("tmon_a_total", "A.", NULL, 1);	/* type */
	metrics_counter_add("tmonBad", "B.", NULL, 1);		/* name */
	metrics_counter_add("tmon_Bad_total", "B.", NULL, 1);
	metrics_counter_add("other_total", "B.", NULL, 1);
	metrics_counter_add(NULL, "B.", NULL, 1);
	for (i = 0; i < MAX_METRIC_SERIES + 10; i++) {
		char v[16];

		snprintf(v, sizeof(v), "%d", i);
		metrics_label(l, sizeof(l), "n", v, NULL);
		metrics_counter_add("tmon_many_total", "M.", l, 1);
	}
	t = render();
	ck_assert_ptr_nonnull(strstr(t, "\ntmon_metrics_dropped_total 16\n"));
	ck_assert_ptr_null(strstr(t, "Bad"));
	ck_assert_ptr_null(strstr(t, "other"));
	ck_assert_ptr_nonnull(strstr(t, "\ntmon_a_total 1\n"));
	free(t);
	metrics_reset();
	t = render();
	ck_assert_str_eq(t, "");
	free(t);
}
END_TEST

/* A buffer too small for the text is left empty. */
START_TEST(test_render_overflow)
{
	struct buf b;

	metrics_reset();
	metrics_counter_add("tmon_a_total", "A long help text.", NULL, 1);
	buf_init(&b, 16);
	metrics_render(&b);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
	buf_init(&b, 32);
	ck_assert(!metrics_render_family(&b, "tmon_b", "B.", "gauge") ||
	    !metrics_render_sample(&b, "tmon_b", "x=\"y\"", 1));
	buf_free(&b);
}
END_TEST

static void *
adder(void *arg)
{
	char l[MAX_METRIC_LABELS];
	int i;

	(void)arg;
	metrics_label(l, sizeof(l), "model", "m", NULL);
	for (i = 0; i < 10000; i++) {
		metrics_counter_add("tmon_t_total", "T.", NULL, 1);
		metrics_observe("tmon_t_seconds", "T.", l, 0.2);
	}
	return NULL;
}

/* Updates from several threads while rendering lose nothing. */
START_TEST(test_threads)
{
	pthread_t th[4];
	char *t;
	int i;

	metrics_reset();
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, adder, NULL), 0);
	for (i = 0; i < 20; i++)
		free(render());
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	t = render();
	ck_assert_ptr_nonnull(strstr(t, "\ntmon_t_total 40000\n"));
	ck_assert_ptr_nonnull(strstr(t,
	    "\ntmon_t_seconds_count{model=\"m\"} 40000\n"));
	ck_assert_ptr_nonnull(strstr(t,
	    "\ntmon_t_seconds_bucket{model=\"m\",le=\"0.1\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t,
	    "\ntmon_t_seconds_bucket{model=\"m\",le=\"0.25\"} 40000\n"));
	free(t);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_test(tc, test_label_escaping);
	tcase_add_test(tc, test_render_counter_gauge);
	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_render_overflow);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
