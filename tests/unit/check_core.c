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

/* DER reading (X.690 section 10): tags, minimal lengths, integers. */
START_TEST(test_cur_der)
{
	/* SEQUENCE { INTEGER 5, OCTET STRING 01 02 }, then a byte */
	static const uint8_t seq[] = { 0x30, 0x07, 0x02, 0x01, 0x05, 0x04, 0x02,
	    0x01, 0x02, 0xff };
	static const uint8_t bad[][6] = {
		{ 0x04, 0x81, 0x05 },		/* long form for 5 */
		{ 0x04, 0x82, 0x00, 0x85 },	/* leading zero length octet */
		{ 0x04, 0x80 },			/* indefinite */
		{ 0x04, 0x85, 1, 0, 0, 0 },	/* 5 length octets */
		{ 0x1f, 0x21, 0x00 },		/* high tag number form */
		{ 0x04, 0x03, 0x01, 0x02 },	/* content past the end */
	};
	static const size_t badlen[] = { 3, 4, 2, 6, 3, 4 };
	uint8_t big[3 + 200], tag;
	struct cur c, v, in;
	uint64_t x;
	size_t i;

	cur_init(&c, seq, sizeof(seq));
	ck_assert(!cur_get_der(&c, 0x31, &v));		/* wrong tag */
	ck_assert_uint_eq(cur_len(&c), sizeof(seq));	/* unchanged */
	ck_assert(cur_get_der(&c, 0x30, &v));
	ck_assert_uint_eq(cur_len(&v), 7);
	ck_assert_uint_eq(cur_len(&c), 1);
	ck_assert(cur_get_der_uint(&v, 0x02, 255, &x));
	ck_assert(x == 5);
	ck_assert(cur_get_der_any(&v, &tag, &in));
	ck_assert_uint_eq(tag, 0x04);
	ck_assert_uint_eq(cur_len(&in), 2);
	ck_assert_uint_eq(cur_len(&v), 0);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cur_init(&c, bad[i], badlen[i]);
		ck_assert_msg(!cur_get_der_any(&c, &tag, &v), "bad %zu", i);
		ck_assert_uint_eq(cur_len(&c), badlen[i]);
	}

	/* the long form from 128 on: 0x81 0xc8 for 200 bytes */
	memset(big, 0, sizeof(big));
	big[0] = 0x04;
	big[1] = 0x81;
	big[2] = 200;
	cur_init(&c, big, sizeof(big));
	ck_assert(cur_get_der(&c, 0x04, &v));
	ck_assert_uint_eq(cur_len(&v), 200);

	/* integers: minimal, non-negative, bounded */
	{
		static const uint8_t i255[] = { 0x02, 0x02, 0x00, 0xff };
		static const uint8_t i256[] = { 0x02, 0x02, 0x01, 0x00 };
		static const uint8_t pad[] = { 0x02, 0x02, 0x00, 0x7f };
		static const uint8_t neg[] = { 0x02, 0x01, 0x80 };
		static const uint8_t empty[] = { 0x02, 0x00 };
		static const uint8_t en[] = { 0x0a, 0x01, 0x03 };
		static const uint8_t max64[] = { 0x02, 0x09, 0x00, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

		cur_init(&c, i255, sizeof(i255));
		ck_assert(cur_get_der_uint(&c, 0x02, 255, &x) && x == 255);
		cur_init(&c, i256, sizeof(i256));
		ck_assert(!cur_get_der_uint(&c, 0x02, 255, &x));
		ck_assert_uint_eq(cur_len(&c), sizeof(i256));
		ck_assert(cur_get_der_uint(&c, 0x02, 65535, &x) && x == 256);
		cur_init(&c, pad, sizeof(pad));
		ck_assert(!cur_get_der_uint(&c, 0x02, 255, &x));
		cur_init(&c, neg, sizeof(neg));
		ck_assert(!cur_get_der_uint(&c, 0x02, 255, &x));
		cur_init(&c, empty, sizeof(empty));
		ck_assert(!cur_get_der_uint(&c, 0x02, 255, &x));
		cur_init(&c, en, sizeof(en));
		ck_assert(!cur_get_der_uint(&c, 0x02, 255, &x));
		ck_assert(cur_get_der_uint(&c, 0x0a, 255, &x) && x == 3);
		cur_init(&c, max64, sizeof(max64));
		ck_assert(cur_get_der_uint(&c, 0x02, UINT64_MAX, &x));
		ck_assert(x == UINT64_MAX);
	}
}
END_TEST

/* The zero value of a step's verdict is "not checked", never a pass. */
START_TEST(test_verdict_zero)
{
	struct checklist cl;
	enum verdict v;

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(v, VERDICT_UNCHECKED);
	ck_assert_int_eq(verdict_check(v), CHECK_ERROR);
	ck_assert_int_eq(verdict_check(VERDICT_ERROR), CHECK_ERROR);
	ck_assert_int_eq(verdict_check(VERDICT_FAIL), CHECK_FAIL);
	ck_assert_int_eq(verdict_check(VERDICT_PASS), CHECK_PASS);
	ck_assert_int_eq(verdict_check((enum verdict)77), CHECK_ERROR);
	/* a check list entry nobody set reads as error, not pass */
	memset(&cl, 0, sizeof(cl));
	cl.n = 1;
	ck_assert_int_eq(cl.items[0].status, CHECK_ERROR);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_ERROR);
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
	tcase_add_test(tc, test_cur_der);
	tcase_add_test(tc, test_verdict_zero);
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
