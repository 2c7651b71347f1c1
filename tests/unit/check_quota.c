/*
 * Unit tests for monitor/core/quota.c: fixed windows per client and
 * global, counts and bytes, Retry-After values, the bounded client table
 * and its eviction, client keys from socket addresses, and exact
 * accounting under concurrent takers.  Times are passed in: nothing here
 * depends on the clock.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "quota.h"
#include "tmon_limits.h"

static const struct quota_limit none = { 0, 0, 0 };

static void
key4(const char *ip, uint8_t key[QUOTA_KEY_LEN])
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	quota_key((const struct sockaddr *)&sin, key);
}

static void
key6(const char *ip, uint8_t key[QUOTA_KEY_LEN])
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1);
	quota_key((const struct sockaddr *)&sin6, key);
}

START_TEST(test_count_window)
{
	struct quota_limit pc = { 3, 1000000, 60 };
	struct quota *q = quota_new(&pc, &none);
	uint8_t a[QUOTA_KEY_LEN];
	uint32_t retry;
	int i;

	key4("192.0.2.1", a);
	for (i = 0; i < 3; i++)
		ck_assert(quota_take(q, a, 10, 100, &retry));
	ck_assert(!quota_take(q, a, 10, 100, &retry));
	ck_assert_uint_eq(retry, 60);
	ck_assert(!quota_allows(q, a, 0, 130, &retry));
	ck_assert_uint_eq(retry, 30);
	ck_assert(!quota_take(q, a, 10, 159, &retry));
	ck_assert_uint_eq(retry, 1);
	/* The window closes at 160: a new one opens. */
	ck_assert(quota_allows(q, a, 10, 160, &retry));
	ck_assert(quota_take(q, a, 10, 160, &retry));
	ck_assert(quota_take(q, a, 10, 161, &retry));
	ck_assert(quota_take(q, a, 10, 219, &retry));
	ck_assert(!quota_take(q, a, 10, 219, &retry));
	ck_assert_uint_eq(retry, 1);
	/* A clock that went back opens a new window, never a negative
	   Retry-After. */
	ck_assert(quota_take(q, a, 10, 50, &retry));
	quota_free(q);
	quota_free(NULL);
}
END_TEST

START_TEST(test_bytes)
{
	struct quota_limit pc = { 1000, 100, 10 };
	struct quota *q = quota_new(&pc, &none);
	uint8_t a[QUOTA_KEY_LEN];
	uint32_t retry;

	key4("192.0.2.1", a);
	ck_assert(quota_take(q, a, 60, 0, &retry));
	ck_assert(!quota_take(q, a, 50, 3, &retry));
	ck_assert_uint_eq(retry, 7);
	ck_assert(quota_take(q, a, 40, 3, &retry));
	ck_assert(!quota_allows(q, a, 1, 3, &retry));
	ck_assert(quota_allows(q, a, 0, 3, &retry));
	/* More than a whole window's bytes never fits. */
	ck_assert(!quota_take(q, a, 101, 20, &retry));
	ck_assert_uint_eq(retry, 10);
	ck_assert(quota_take(q, a, 100, 20, &retry));
	quota_free(q);
}
END_TEST

START_TEST(test_global)
{
	struct quota_limit pc = { 3, 1000, 60 }, gl = { 5, 1000, 30 };
	struct quota *q = quota_new(&pc, &gl);
	uint8_t a[QUOTA_KEY_LEN], b[QUOTA_KEY_LEN], c[QUOTA_KEY_LEN];
	uint32_t retry;
	int i;

	key4("192.0.2.1", a);
	key4("192.0.2.2", b);
	key4("192.0.2.3", c);
	for (i = 0; i < 3; i++)
		ck_assert(quota_take(q, a, 1, 0, &retry));
	ck_assert(!quota_take(q, a, 1, 0, &retry));
	ck_assert_uint_eq(retry, 60);
	ck_assert(quota_take(q, b, 1, 1, &retry));
	ck_assert(quota_take(q, b, 1, 1, &retry));
	/* Everyone's quota is spent: b and a newcomer are refused until
	   the global window closes at 30. */
	ck_assert(!quota_take(q, b, 1, 2, &retry));
	ck_assert_uint_eq(retry, 28);
	ck_assert(!quota_allows(q, c, 1, 2, &retry));
	ck_assert_uint_eq(retry, 28);
	/* A refusal charged nothing: c fits once the window closes. */
	ck_assert(quota_take(q, c, 1, 30, &retry));
	/* a still waits for its own window; the longer wait is given. */
	ck_assert(!quota_take(q, a, 1, 30, &retry));
	ck_assert_uint_eq(retry, 30);
	quota_free(q);
}
END_TEST

START_TEST(test_no_limit)
{
	struct quota *q = quota_new(&none, &none);
	uint8_t a[QUOTA_KEY_LEN];
	uint32_t retry;
	int i;

	key4("192.0.2.1", a);
	for (i = 0; i < 10000; i++)
		ck_assert(quota_take(q, a, 1u << 30, 0, &retry));
	quota_free(q);
}
END_TEST

START_TEST(test_eviction)
{
	struct quota_limit pc = { 1, 1000, 60 };
	struct quota *q = quota_new(&pc, &none);
	uint8_t k[QUOTA_KEY_LEN], first[QUOTA_KEY_LEN];
	uint32_t retry;
	char ip[32];
	int i;

	/* MAX_QUOTA_CLIENTS clients, one a second: the table is full. */
	for (i = 0; i < MAX_QUOTA_CLIENTS; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 256, i % 256);
		key4(ip, k);
		ck_assert(quota_take(q, k, 1, i / 32, &retry));
		ck_assert(!quota_take(q, k, 1, i / 32, &retry));
	}
	key4("10.0.0.0", first);
	ck_assert(!quota_allows(q, first, 1, 40, &retry));
	/* One more replaces the oldest: 10.0.0.0 is forgotten. */
	key4("10.9.9.9", k);
	ck_assert(quota_take(q, k, 1, 40, &retry));
	ck_assert(quota_allows(q, first, 1, 40, &retry));
	/* Newer clients are still remembered. */
	key4("10.0.3.255", k);
	ck_assert(!quota_allows(q, k, 1, 40, &retry));
	/* Once windows are over, their slots are reused first. */
	key4("10.9.9.8", k);
	ck_assert(quota_take(q, k, 1, 61, &retry));
	key4("10.0.3.254", k);
	ck_assert(!quota_allows(q, k, 1, 61, &retry));
	quota_free(q);
}
END_TEST

START_TEST(test_keys)
{
	uint8_t a[QUOTA_KEY_LEN], b[QUOTA_KEY_LEN], z[QUOTA_KEY_LEN] = { 0 };

	key4("192.0.2.1", a);
	key6("::ffff:192.0.2.1", b);
	ck_assert(memcmp(a, b, QUOTA_KEY_LEN) == 0);
	key4("192.0.2.2", b);
	ck_assert(memcmp(a, b, QUOTA_KEY_LEN) != 0);
	/* One IPv6 /64 is one client. */
	key6("2001:db8:1:2::1", a);
	key6("2001:db8:1:2:ffff:ffff:ffff:ffff", b);
	ck_assert(memcmp(a, b, QUOTA_KEY_LEN) == 0);
	key6("2001:db8:1:3::1", b);
	ck_assert(memcmp(a, b, QUOTA_KEY_LEN) != 0);
	/* An IPv6 /64 that looks like ::ffff:0:0/96 is not an IPv4
	   client: ::/64 versus the mapped 0.0.0.0. */
	key6("::", a);
	key4("0.0.0.0", b);
	ck_assert(memcmp(a, b, QUOTA_KEY_LEN) != 0);
	quota_key(NULL, a);
	ck_assert(memcmp(a, z, QUOTA_KEY_LEN) == 0);
}
END_TEST

struct taker {
	struct quota	*q;
	int		 n;
	int		 ok;
};

static void *
take_main(void *arg)
{
	struct taker *t = arg;
	uint8_t k[QUOTA_KEY_LEN];
	uint32_t retry;
	char ip[32];
	int i;

	for (i = 0; i < 400; i++) {
		snprintf(ip, sizeof(ip), "10.1.%d.%d", t->n, i % 7);
		key4(ip, k);
		if (quota_take(t->q, k, 3, 5, &retry))
			t->ok++;
	}
	return NULL;
}

START_TEST(test_concurrent)
{
	struct quota_limit pc = { 1000, 1000000, 60 }, gl = { 1000, 2400, 60 };
	struct taker t[8];
	pthread_t th[8];
	int i, total = 0;

	memset(t, 0, sizeof(t));
	t[0].q = quota_new(&pc, &gl);
	for (i = 0; i < 8; i++) {
		t[i].q = t[0].q;
		t[i].n = i;
		ck_assert_int_eq(pthread_create(&th[i], NULL, take_main, &t[i]),
		    0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		total += t[i].ok;
	}
	/* 3200 tries of 3 bytes against 1000 and 2400 bytes: 800. */
	ck_assert_int_eq(total, 800);
	quota_free(t[0].q);
}
END_TEST

static Suite *
quota_suite(void)
{
	Suite *s = suite_create("quota");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_count_window);
	tcase_add_test(tc, test_bytes);
	tcase_add_test(tc, test_global);
	tcase_add_test(tc, test_no_limit);
	tcase_add_test(tc, test_eviction);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_concurrent);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(quota_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
