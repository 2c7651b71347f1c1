/* Unit tests for monitor/core: cursor, buffer, hex/base64, integers. */
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>

#include "buf.h"
#include "cur.h"
#include "encode.h"
#include "util.h"
#include "checklist.h"

START_TEST(test_cur_le)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	    0x08 };
	struct cur c, sub;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	cur_init(&c, b, sizeof(b));
	ck_assert(cur_get_u16le(&c, &v16));
	ck_assert_uint_eq(v16, 0x0201);
	ck_assert(cur_get_u24le(&c, &v32));
	ck_assert_uint_eq(v32, 0x050403);
	ck_assert_uint_eq(cur_offset(&c), 5);
	ck_assert(!cur_get_u32le(&c, &v32));	/* 3 left */
	ck_assert_uint_eq(cur_len(&c), 3);	/* unchanged on failure */
	ck_assert(cur_get_bytes(&c, &sub, 2));
	ck_assert(!cur_get_bytes(&c, &sub, 2));
	cur_init(&c, b, sizeof(b));
	ck_assert(cur_get_u64le(&c, &v64));
	ck_assert(v64 == 0x0807060504030201ULL);
	cur_init(&c, b, sizeof(b));
	ck_assert(cur_get_u32be(&c, &v32));
	ck_assert_uint_eq(v32, 0x01020304);
}
END_TEST

START_TEST(test_cur_prefixed)
{
	static const uint8_t b[] = { 0x03, 0x00, 0xaa, 0xbb, 0xcc, 0xdd };
	static const uint8_t bad[] = { 0x09, 0x00, 0xaa };
	struct cur c, sub;

	cur_init(&c, b, sizeof(b));
	ck_assert(cur_get_u16le_prefixed(&c, &sub));
	ck_assert_uint_eq(cur_len(&sub), 3);
	ck_assert_uint_eq(cur_len(&c), 1);
	cur_init(&c, bad, sizeof(bad));
	ck_assert(!cur_get_u16le_prefixed(&c, &sub));
	ck_assert_uint_eq(cur_offset(&c), 0);	/* rewound */
}
END_TEST

START_TEST(test_buf_limit)
{
	struct buf b;

	buf_init(&b, 10);
	ck_assert(buf_append(&b, "hello", 5));
	ck_assert(buf_append(&b, "world", 5));
	ck_assert_str_eq((char *)b.data, "helloworld");
	ck_assert(!buf_append(&b, "!", 1));
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_null(b.data);
	buf_free(&b);
}
END_TEST

START_TEST(test_hex)
{
	uint8_t out[4], *p;
	size_t n;
	char txt[9];

	ck_assert(hex_decode_exact("deadBEEF", 8, out, 4, false));
	ck_assert_str_eq(hex_encode(out, 4, txt), "deadbeef");
	ck_assert(!hex_decode_exact("0xdeadbeef", 10, out, 4, false));
	ck_assert(hex_decode_exact("0xdeadbeef", 10, out, 4, true));
	ck_assert(!hex_decode_exact("deadbeeg", 8, out, 4, false));
	ck_assert(!hex_decode_exact("deadbe", 6, out, 4, false));
	p = hex_decode_alloc("0x de ad\nbe ef", 14, 16, true, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(memcmp(p, out, 4), 0);
	free(p);
	ck_assert_ptr_null(hex_decode_alloc("abc", 3, 16, false, &n));
	ck_assert_ptr_null(hex_decode_alloc("aabbcc", 6, 2, false, &n));
}
END_TEST

START_TEST(test_b64)
{
	uint8_t *p;
	size_t n;

	p = b64_decode_alloc("aGVsbG8=", 8, 100, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(memcmp(p, "hello", 5), 0);
	free(p);
	p = b64_decode_alloc("aGVsbA==", 8, 100, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 4);
	free(p);
	ck_assert_ptr_null(b64_decode_alloc("aGVsbG8", 7, 100, &n));
	ck_assert_ptr_null(b64_decode_alloc("aGV*bG8=", 8, 100, &n));
	ck_assert_ptr_null(b64_decode_alloc("aGVsbG8=", 8, 4, &n));
}
END_TEST

START_TEST(test_pct_and_depth)
{
	struct buf b;

	buf_init(&b, 64);
	ck_assert(buf_append_pct(&b, "TEE/gemma 3~x_y.z-\xc3\xa9"));
	ck_assert_str_eq((char *)b.data, "TEE%2Fgemma%203~x_y.z-%C3%A9");
	buf_free(&b);
	ck_assert(json_text_depth_ok("[[1]]", 5, 2));
	ck_assert(!json_text_depth_ok("[[[1]]]", 7, 2));
	/* brackets inside strings, with escaped quotes, do not count */
	ck_assert(json_text_depth_ok("[\"[[[\\\"[[\"]", 11, 1));
}
END_TEST

START_TEST(test_loopback_listen)
{
	struct sockaddr_in sin;

	ck_assert(parse_loopback_listen("127.0.0.1:8480", &sin));
	ck_assert_uint_eq(ntohs(sin.sin_port), 8480);
	ck_assert_uint_eq(ntohl(sin.sin_addr.s_addr), 0x7f000001);
	ck_assert(parse_loopback_listen("127.3.2.1:0", &sin));
	ck_assert(!parse_loopback_listen("0.0.0.0:8480", &sin));
	ck_assert(!parse_loopback_listen("10.0.0.1:8480", &sin));
	ck_assert(!parse_loopback_listen("127.0.0.1:65536", &sin));
	ck_assert(!parse_loopback_listen("127.0.0.1", &sin));
	ck_assert(!parse_loopback_listen("localhost:80", &sin));
}
END_TEST

START_TEST(test_parse_u64)
{
	uint64_t v;
	int64_t s;

	ck_assert(parse_u64("8080", 1, 65535, &v));
	ck_assert(v == 8080);
	ck_assert(!parse_u64("65536", 1, 65535, &v));
	ck_assert(!parse_u64("12a", 0, 100, &v));
	ck_assert(!parse_u64("", 0, 100, &v));
	ck_assert(!parse_u64("-1", 0, 100, &v));
	ck_assert(!parse_u64("18446744073709551616", 0, UINT64_MAX, &v));
	ck_assert(parse_i64("-5", -10, 10, &s));
	ck_assert(s == -5);
}
END_TEST

START_TEST(test_checklist_worst_wins)
{
	struct checklist cl;

	checklist_init(&cl);
	checklist_set(&cl, "gpu.nonce", CHECK_PASS, "gpu 0 ok");
	checklist_set(&cl, "gpu.nonce", CHECK_FAIL, "gpu 1 bad");
	checklist_set(&cl, "gpu.nonce", CHECK_PASS, "gpu 2 ok");
	ck_assert_uint_eq(cl.n, 1);
	ck_assert_int_eq(checklist_get(&cl, "gpu.nonce")->status, CHECK_FAIL);
	ck_assert_str_eq(checklist_get(&cl, "gpu.nonce")->detail, "gpu 1 bad");
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_FAIL);
	checklist_init(&cl);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_ERROR);
	checklist_set(&cl, "a", CHECK_SKIP, "n/a");
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_ERROR);
	checklist_set(&cl, "b", CHECK_PASS, "ok");
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_PASS);
	checklist_set(&cl, "c", CHECK_ERROR, "no collateral");
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_WARN);
}
END_TEST

static Suite *
core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cur_le);
	tcase_add_test(tc, test_cur_prefixed);
	tcase_add_test(tc, test_buf_limit);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_b64);
	tcase_add_test(tc, test_parse_u64);
	tcase_add_test(tc, test_loopback_listen);
	tcase_add_test(tc, test_pct_and_depth);
	tcase_add_test(tc, test_checklist_worst_wins);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
