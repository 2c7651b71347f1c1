/*
 * check_scheduler: when tmond's loop probes a model and what it runs next
 * (monitor/daemon/scheduler.h): due times with and without jitter, the
 * signature backoff, and the choice between a signature lookup, a probe
 * and waiting, under the concurrency, probe-limit and degraded rules.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "scheduler.h"

static struct model_cfg
model(uint32_t interval_s, uint32_t jitter_s)
{
	struct model_cfg m;

	memset(&m, 0, sizeof(m));
	m.interval_s = interval_s;
	m.jitter_s = jitter_s;
	return m;
}

START_TEST(test_due)
{
	struct model_cfg m = model(300, 0), j = model(60, 2);
	int64_t t;
	int i;

	ck_assert_int_eq(sched_first_due(&m, 1000), 1000);
	ck_assert_int_eq(sched_next_due(&m, 1000), 301000);
	ck_assert_int_eq(sched_retry_due(&m, 1000), 301000);
	ck_assert_int_eq(sched_jitter_ms(0), 0);
	for (i = 0; i < 200; i++) {
		t = sched_first_due(&j, 5000);
		ck_assert(t >= 5000 && t <= 7000);
		t = sched_next_due(&j, 5000);
		ck_assert(t >= 65000 && t <= 67000);
		/* no jitter after a probe that could not start */
		ck_assert_int_eq(sched_retry_due(&j, 5000), 65000);
	}
}
END_TEST

START_TEST(test_sig_backoff)
{
	struct canary_cfg c;

	memset(&c, 0, sizeof(c));
	c.signature_backoff_ms = 1000;
	ck_assert_uint_eq(sched_sig_backoff_ms(&c, 1), 1000);
	ck_assert_uint_eq(sched_sig_backoff_ms(&c, 2), 2000);
	ck_assert_uint_eq(sched_sig_backoff_ms(&c, 6), 32000);
	ck_assert_uint_eq(sched_sig_backoff_ms(&c, 7),
	    SCHED_SIG_BACKOFF_MAX_MS);
	c.signature_backoff_ms = 10;
	/* the doubling stops at 2^10 */
	ck_assert_uint_eq(sched_sig_backoff_ms(&c, 11), 10240);
	ck_assert_uint_eq(sched_sig_backoff_ms(&c, 40), 10240);
	c.signature_backoff_ms = UINT32_MAX;
	ck_assert_uint_eq(sched_sig_backoff_ms(&c, 11),
	    SCHED_SIG_BACKOFF_MAX_MS);
}
END_TEST

START_TEST(test_pick)
{
	struct sched_slot s;
	struct sched_room r;
	int64_t wait;

	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	r.max_concurrent = 2;

	/* not due: the wait shrinks to the time left, never grows */
	s.next_due = 1200;
	wait = SCHED_POLL_MS;
	ck_assert_int_eq(sched_pick(&s, &r, 1000, &wait), SCHED_RUN_NONE);
	ck_assert_int_eq(wait, 200);
	s.next_due = 5000;
	ck_assert_int_eq(sched_pick(&s, &r, 1000, &wait), SCHED_RUN_NONE);
	ck_assert_int_eq(wait, 200);

	/* due */
	s.next_due = 1000;
	wait = SCHED_POLL_MS;
	ck_assert_int_eq(sched_pick(&s, &r, 1000, &wait), SCHED_RUN_PROBE);
	ck_assert_int_eq(wait, SCHED_POLL_MS);

	/* due, but no room, busy or held: nothing, the wait unchanged */
	r.running = 2;
	ck_assert_int_eq(sched_pick(&s, &r, 1000, &wait), SCHED_RUN_NONE);
	r.running = 1;
	r.max_probes = 3;
	r.logged = 2;
	ck_assert_int_eq(sched_pick(&s, &r, 1000, &wait), SCHED_RUN_NONE);
	r.logged = 1;
	ck_assert_int_eq(sched_pick(&s, &r, 1000, &wait), SCHED_RUN_PROBE);
	r.hold = true;
	ck_assert_int_eq(sched_pick(&s, &r, 1000, &wait), SCHED_RUN_NONE);
	r.hold = false;
	s.busy = true;
	s.next_due = 1100;
	ck_assert_int_eq(sched_pick(&s, &r, 1000, &wait), SCHED_RUN_NONE);
	ck_assert_int_eq(wait, SCHED_POLL_MS);

	/* a waiting signature lookup runs when due, whatever the room */
	s.sig_wait = true;
	s.sig_due = 1300;
	r.hold = true;
	r.running = 2;
	ck_assert_int_eq(sched_pick(&s, &r, 1000, &wait), SCHED_RUN_NONE);
	ck_assert_int_eq(wait, 300);
	ck_assert_int_eq(sched_pick(&s, &r, 1300, &wait),
	    SCHED_RUN_SIGNATURE);
}
END_TEST

static Suite *
sched_suite(void)
{
	Suite *s = suite_create("scheduler");
	TCase *tc = tcase_create("scheduler");

	tcase_add_test(tc, test_due);
	tcase_add_test(tc, test_sig_backoff);
	tcase_add_test(tc, test_pick);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sched_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
