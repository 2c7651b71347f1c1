/*
 * Unit tests for monitor/core: cursor, buffer, hex/base64, integers, and
 * the JSON layer (tjson) with every reader built on it.
 */
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
#include "config.h"
#include "gateway.h"
#include "gpu_verify.h"
#include "sig.h"
#include "store.h"
#include "tdx_collateral.h"
#include "tdx_eventlog.h"
#include "tdx_tcb.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "verify_ctx.h"
#include "xmalloc.h"

#define GEMMA_DIR	TMON_TEST_DATA "/dcap/evidence/teep/" \
	"nanogpt_tee_gemma-3-27b-it_20260610_014905/"
#define GEMMA_COLL	GEMMA_DIR "collateral_90c06f000000.json"
#define GEMMA_TCB_BODY	GEMMA_DIR "pcs/0002_api.trustedservices.intel.com_" \
	"tdx_certification_v4_tcb.body"
#define SCHEDULE	TMON_SOURCE_DIR "/schedules/default.json"

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


/* ---- tjson ---- */

static uint8_t *
slurp(const char *path, size_t *len)
{
	uint8_t *b = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 16u << 20, &b, len, &err) == TMON_OK,
	    "%s: %s", path, err.msg);
	return b;
}

/* n nested arrays around "x", as text (caller frees). */
static char *
nested(size_t n)
{
	char *s = xmalloc(2 * n + 4);

	memset(s, '[', n);
	memcpy(s + n, "\"x\"", 3);
	memset(s + n + 3, ']', n);
	s[2 * n + 3] = '\0';
	return s;
}

/* tjson_load() of the C string text into a doc named "t". */
static enum tmon_rc
load(const char *text, unsigned flags, json_t **out, struct tmon_err *err)
{
	struct tjson_doc d = { .name = "t", .err = err };

	tmon_err_clear(err);
	return tjson_load(&d, text, strlen(text), 1u << 20, flags, out);
}

START_TEST(test_tjson_init)
{
	json_malloc_t m = NULL;
	json_free_t f = NULL;
	json_t *j;

	tjson_init();
	json_get_alloc_funcs(&m, &f);
	/* out of memory aborts in xmalloc, as for every other allocation */
	ck_assert_ptr_eq((void *)m, (void *)xmalloc);
	ck_assert_ptr_eq((void *)f, (void *)free);
	j = json_pack("{s:[i]}", "a", 1);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
}
END_TEST

START_TEST(test_tjson_duplicates)
{
	static const char *const dups[] = {
		"{\"a\":1,\"a\":2}",
		"{\"a\":1,\"b\":{\"c\":[{\"d\":1,\"d\":1}]}}",
		"[{\"x\":null,\"x\":null}]",
		"{\"a\":1,\"\\u0061\":2}",		/* the same key, escaped */
		"{\"a\":{},\"a\":{}}",
	};
	struct tmon_err err;
	json_t *j;
	size_t i;

	for (i = 0; i < sizeof(dups) / sizeof(dups[0]); i++) {
		j = (json_t *)1;
		ck_assert_int_eq(load(dups[i], 0, &j, &err), TMON_E_PARSE);
		ck_assert_ptr_null(j);
		ck_assert_msg(strstr(err.msg, "t: not valid JSON: duplicate "
		    "object key") != NULL, "%zu: %s", i, err.msg);
	}
	ck_assert_int_eq(load("{\"a\":{\"a\":1},\"b\":{\"a\":1}}", 0, &j,
	    &err), TMON_OK);
	json_decref(j);
}
END_TEST

/*
 * Every reader of untrusted JSON goes through the one loader: a repeated
 * key is refused by each, and so is nesting past MAX_JSON_DEPTH (which
 * jansson alone allows to 2048).
 */
START_TEST(test_tjson_every_reader)
{
	static const char dup[] = "{\"text\":\"a\",\"text\":\"b\","
	    "\"intel_quote\":\"00\",\"tcbInfo\":{},\"signature\":\"00\"}";
	struct tdx_collateral_src src;
	struct tdx_collateral *col = NULL;
	struct tdx_tcb_info *ti = NULL;
	struct tdx_qe_identity *qi = NULL;
	struct tdx_event_log log;
	struct sig_response r;
	struct gw_report rep;
	struct config *cfg = NULL;
	struct verify_ctx *vc = verify_ctx_new();
	struct gpu_summary sum;
	struct checklist cl;
	struct tmon_err err;
	const struct check *c;
	const char *texts[2];
	char *deep = nested(MAX_JSON_DEPTH + 1), *deepobj;
	size_t i, n;

	/* the deep text as the member of an object, for object readers */
	n = strlen(deep);
	deepobj = xmalloc(n + 16);
	snprintf(deepobj, n + 16, "{\"text\":%s}", deep);
	texts[0] = dup;
	texts[1] = deepobj;
	for (i = 0; i < 2; i++) {
		const char *t = texts[i];
		const uint8_t *u = (const uint8_t *)t;
		enum tmon_rc want = i == 0 ? TMON_E_PARSE : TMON_E_LIMIT;
		const char *why = i == 0 ? "duplicate object key" :
		    "nested deeper than 64";

#define EXPECT(call, rc) do {						\
	tmon_err_clear(&err);						\
	ck_assert_int_eq((call), (rc));					\
	ck_assert_msg(strstr(err.msg, why) != NULL, "%s: %s", #call,	\
	    err.msg);							\
} while (0)
		EXPECT(config_parse(t, strlen(t), "t.json", &cfg, &err),
		    TMON_E_CONFIG);
		EXPECT(sig_response_parse(u, strlen(t), &r, &err), want);
		EXPECT(gw_report_decode(u, strlen(t), &rep, &err), want);
		EXPECT(tdx_collateral_from_qvl_json(u, strlen(t), &col, &err),
		    want);
		EXPECT(tdx_tcb_info_parse(u, strlen(t), &ti, &err), want);
		EXPECT(tdx_qe_identity_parse(u, strlen(t), &qi, &err), want);
		EXPECT(tdx_event_log_parse_text(t, strlen(t), &log, &err),
		    want);
		memset(&src, 0, sizeof(src));
		src.tcb_info_body = u;
		src.tcb_info_body_len = strlen(t);
		EXPECT(tdx_collateral_from_pcs(&src, &col, &err), want);
#undef EXPECT
		ck_assert_ptr_null(store_body_parse(u, strlen(t)));
		checklist_init(&cl);
		gpu_check_payload(vc, t, strlen(t), 1781056145, &cl, &sum);
		c = checklist_get(&cl, "gpu.evidence");
		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(c->status, CHECK_FAIL);
		ck_assert_msg(strstr(c->detail, why) != NULL, "%s",
		    c->detail);
	}
	free(deepobj);
	free(deep);
	verify_ctx_free(vc);
}
END_TEST

START_TEST(test_tjson_depth)
{
	struct tmon_err err;
	json_t *j;
	char *s;

	s = nested(MAX_JSON_DEPTH);
	ck_assert_int_eq(load(s, 0, &j, &err), TMON_OK);
	json_decref(j);
	free(s);
	s = nested(MAX_JSON_DEPTH + 1);
	ck_assert_int_eq(load(s, 0, &j, &err), TMON_E_LIMIT);
	ck_assert_str_eq(err.msg, "t: JSON nested deeper than 64");
	ck_assert_ptr_null(j);
	free(s);
	/* jansson's own limit is far above ours; refused before parsing */
	s = nested(100000);
	ck_assert_int_eq(load(s, 0, &j, &err), TMON_E_LIMIT);
	free(s);
	/* brackets inside strings do not count */
	ck_assert_int_eq(load("[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"{{{{\"]", 0, &j, &err),
	    TMON_OK);
	json_decref(j);
}
END_TEST

START_TEST(test_tjson_hostile)
{
	static const char *const bad[] = {
		"",
		"   ",
		"{\"a\":",
		"{\"a\":\"b",
		"\"top\"",			/* a scalar at the top */
		"{\"a\":1} x",
		"{\"a\":\"x\\u0000y\"}",	/* NUL in a string */
		"{\"a\":18446744073709551616}",	/* 2^64 */
		"{\"a\":-9223372036854775809}",
		"{\"a\":1e999}",
		"{\"a\":\"\\ud800\"}",		/* a lone surrogate */
		"{\"a\":\"\xff\"}",		/* not UTF-8 */
		"[1,]",
		"{\"a\" 1}",
	};
	static const char nul[] = "{\"a\":\"x\0y\"}";
	static const char good[] = "{\"a\":[1,{\"b\":\"c\"}],\"d\":true}";
	struct tjson_doc d = { .name = "t" };
	struct tjson_span sp;
	struct tmon_err err;
	char in[MAX_JSON_PATH];
	json_t *j;
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = (json_t *)1;
		ck_assert_msg(load(bad[i], 0, &j, &err) == TMON_E_PARSE,
		    "case %zu accepted", i);
		ck_assert_ptr_null(j);
		ck_assert_msg(strstr(err.msg, "t: not valid JSON: ") ==
		    err.msg && strstr(err.msg, " at line 1 column ") != NULL,
		    "case %zu: %s", i, err.msg);
	}
	/* a raw NUL byte inside the text */
	d.err = &err;
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_load(&d, nul, sizeof(nul) - 1, 100, 0, &j),
	    TMON_E_PARSE);
	/* untrusted bytes in jansson's message are escaped */
	ck_assert_int_eq(load("[\"\x01\x02\", \x7f]", 0, &j, &err),
	    TMON_E_PARSE);
	for (i = 0; err.msg[i] != '\0'; i++)
		ck_assert((unsigned char)err.msg[i] >= 0x20 &&
		    (unsigned char)err.msg[i] < 0x7f);
	/* too large, and not an object where one is needed */
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_load(&d, good, sizeof(good) - 1, 10, 0, &j),
	    TMON_E_LIMIT);
	ck_assert_str_eq(err.msg, "t: 28 bytes of JSON text, over the limit "
	    "of 10");
	ck_assert_int_eq(load("[]", TJSON_OBJECT, &j, &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "t: not a JSON object");
	ck_assert_int_eq(load("7", TJSON_ANY, &j, &err), TMON_OK);
	ck_assert(json_is_integer(j));
	json_decref(j);
	/* every prefix of a good text: refused, never located */
	for (n = 0; n < sizeof(good) - 1; n++) {
		tmon_err_clear(&err);
		ck_assert_int_ne(tjson_load(&d, good, n, 100, 0, &j), TMON_OK);
		ck_assert(!tjson_locate(good, n, "", &sp));
		ck_assert(!tjson_locate(good, n, "a[1].b", &sp));
		tjson_enclosing(good, n, in, sizeof(in));
	}
	ck_assert(tjson_locate(good, sizeof(good) - 1, "a[1].b", &sp));
	/* the scanner stops at MAX_JSON_DEPTH and never at the top */
	{
		char *s = nested(MAX_JSON_DEPTH + 1);

		ck_assert(!tjson_locate(s, strlen(s), "", &sp));
		tjson_enclosing(s, strlen(s), in, sizeof(in));
		/* "[0][0]...", cut to the path buffer */
		ck_assert_uint_eq(strlen(in), MAX_JSON_PATH - 1);
		ck_assert_mem_eq(in, "[0][0][0]", 9);
		free(s);
		s = nested(MAX_JSON_DEPTH);
		ck_assert(tjson_locate(s, strlen(s), "", &sp));
		ck_assert(tjson_locate(s, strlen(s), "[0][0][0][0][0]", &sp));
		free(s);
	}
}
END_TEST

/* Getters: every error names the JSON path of the value. */
START_TEST(test_tjson_getters)
{
	static const char text[] = "{\"models\":[{\"policy\":{\"mrtd\":"
	    "[\"00\",\"0x01\",\"zz\"]},\"n\":-1,\"s\":\"\",\"b\":1,"
	    "\"z\":null,\"keys\":{\"k\":1,\"x\":2}}],\"big\":"
	    "9223372036854775807}";
	static const char *const keys[] = { "k", NULL };
	struct tjson_doc d;
	struct tmon_err err;
	json_t *root, *m = NULL, *mrtd = NULL, *o = NULL;
	const char *s = "default";
	uint64_t u = 42;
	uint8_t b[1] = { 0x77 };
	bool f = true;

	memset(&d, 0, sizeof(d));
	d.name = "doc";
	d.err = &err;
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_load(&d, text, sizeof(text) - 1, 1000,
	    TJSON_OBJECT, &root), TMON_OK);
	ck_assert_int_eq(tjson_array(&d, root, "", "models", 1, 1, 0, &m),
	    TMON_OK);
	m = json_array_get(m, 0);
	ck_assert_int_eq(tjson_object(&d, m, "models[0]", "policy", 0, &o),
	    TMON_OK);
	ck_assert_int_eq(tjson_array(&d, o, "models[0].policy", "mrtd", 0, 3,
	    0, &mrtd), TMON_OK);
	ck_assert_int_eq(tjson_hex(&d, json_array_get(mrtd, 1),
	    "models[0].policy.mrtd[1]", NULL, TJSON_0X, b, 1), TMON_OK);
	ck_assert_uint_eq(b[0], 1);
	ck_assert_int_eq(tjson_hex(&d, json_array_get(mrtd, 1),
	    "models[0].policy.mrtd[1]", NULL, 0, b, 1), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: models[0].policy.mrtd[1]: must be 2 "
	    "hex characters");
	ck_assert_uint_eq(b[0], 1);		/* unchanged on error */
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_hex(&d, json_array_get(mrtd, 2),
	    "models[0].policy.mrtd[2]", NULL, 0, b, 1), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: models[0].policy.mrtd[2]: must be 2 "
	    "hex characters");
	ck_assert_str_eq(d.where, "models[0].policy.mrtd[2]");
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_array(&d, o, "models[0].policy", "mrtd", 0, 2,
	    0, &mrtd), TMON_E_LIMIT);
	ck_assert_str_eq(err.msg, "doc: models[0].policy.mrtd: 3 elements, "
	    "over the limit of 2");
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_uint(&d, m, "models[0]", "n", 0, 10, 0, &u),
	    TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: models[0].n: must be between 0 and "
	    "10");
	ck_assert_uint_eq(u, 42);
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_uint(&d, m, "models[0]", "s", 0, 10, 0, &u),
	    TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: models[0].s: must be an integer");
	ck_assert_int_eq(tjson_uint(&d, root, "", "big", 0, INT64_MAX, 0, &u),
	    TMON_OK);
	ck_assert(u == INT64_MAX);
	/* TJSON_DECIMAL: a decimal string too, up to UINT64_MAX */
	o = json_string("18446744073709551615");
	ck_assert_int_eq(tjson_uint(&d, o, "s", NULL, 0, UINT64_MAX,
	    TJSON_DECIMAL, &u), TMON_OK);
	ck_assert(u == UINT64_MAX);
	json_decref(o);
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_uint(&d, m, "models[0]", "s", 0, 10,
	    TJSON_DECIMAL, &u), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: models[0].s: must be an integer or a "
	    "decimal string");
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_str(&d, m, "models[0]", "missing", 10, 0, &s,
	    NULL), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: models[0]: missing required key "
	    "\"missing\"");
	/* the failing member apart from the message: the absent one */
	ck_assert_str_eq(d.where, "models[0].missing");
	ck_assert_int_eq(tjson_str(&d, m, "models[0]", "missing", 10,
	    TJSON_OPTIONAL, &s, NULL), TMON_OK);
	ck_assert_str_eq(s, "default");
	ck_assert_int_eq(tjson_str(&d, m, "models[0]", "z", 10,
	    TJSON_OPTIONAL | TJSON_NULL, &s, NULL), TMON_OK);
	ck_assert_str_eq(s, "default");
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_str(&d, m, "models[0]", "z", 10,
	    TJSON_OPTIONAL, &s, NULL), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: models[0].z: must be a string");
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_str(&d, root, "", "big", 10, 0, &s, NULL),
	    TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: big: must be a string");
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_bool(&d, m, "models[0]", "b", 0, &f),
	    TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: models[0].b: must be true or false");
	ck_assert(f);
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_keys(&d, json_object_get(m, "keys"),
	    "models[0].keys", keys), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: models[0].keys.x: unknown key");
	ck_assert_str_eq(d.where, "models[0].keys.x");
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_object(&d, root, "", "models", 0, &o),
	    TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "doc: models: must be an object");
	/* a document code replaces every rc; the top is "(top)" */
	d.code = TMON_E_CONFIG;
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_array(&d, root, "", NULL, 0, 1, 0, &o),
	    TMON_E_CONFIG);
	ck_assert_str_eq(err.msg, "doc: (top): must be an array");
	ck_assert_str_eq(d.where, "");
	/* lines: NAME:LINE:COLUMN of the path, or of its closest parent */
	d.lines = true;
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_fail(&d, TMON_E_PARSE,
	    "models[0].policy.mrtd[2]", "bad"), TMON_E_CONFIG);
	ck_assert_str_eq(err.msg, "doc:1:43: models[0].policy.mrtd[2]: bad");
	tmon_err_clear(&err);
	tjson_fail(&d, TMON_E_PARSE, "models[0].policy.rtmr0", "default");
	ck_assert_str_eq(err.msg, "doc:1:13: models[0].policy.rtmr0: "
	    "default");
	json_decref(root);
}
END_TEST

/* The scanner over a real PCS body: the exact bytes Intel signed. */
START_TEST(test_tjson_span_collateral)
{
	struct tjson_doc d = { .name = "t" };
	struct tjson_span sp;
	json_t *root, *slice;
	uint8_t *body;
	size_t n;

	body = slurp(GEMMA_TCB_BODY, &n);
	ck_assert_int_eq(tjson_load(&d, body, n, MAX_COLLATERAL_JSON,
	    TJSON_OBJECT, &root), TMON_OK);
	ck_assert(tjson_locate(body, n, "tcbInfo", &sp));
	ck_assert_mem_eq(body + sp.at, "\"tcbInfo\":", 10);
	ck_assert_uint_eq(sp.start, sp.at + 10);
	ck_assert_uint_eq(body[sp.start], '{');
	ck_assert_uint_eq(body[sp.end - 1], '}');
	/* the span is the member jansson read, byte for byte */
	ck_assert_int_eq(tjson_load(&d, body + sp.start, sp.end - sp.start,
	    MAX_COLLATERAL_JSON, TJSON_OBJECT, &slice), TMON_OK);
	ck_assert(json_equal(slice, json_object_get(root, "tcbInfo")));
	json_decref(slice);
	/* the signature: a string of 128 hex digits and its quotes */
	ck_assert(tjson_locate(body, n, "signature", &sp));
	ck_assert_uint_eq(sp.end - sp.start, 130);
	ck_assert_mem_eq(body + sp.start + 1, json_string_value(
	    json_object_get(root, "signature")), 128);
	ck_assert_uint_eq(sp.end, n - 1);	/* then the closing brace */
	/* deeper paths, and what is not there */
	ck_assert(tjson_locate(body, n, "tcbInfo.tcbLevels[0].tcb.pcesvn",
	    &sp));
	ck_assert_mem_eq(body + sp.at, "\"pcesvn\"", 8);
	ck_assert(!tjson_locate(body, n, "tcbInfo.tcbLevels[999]", &sp));
	ck_assert(!tjson_locate(body, n, "nothing", &sp));
	/* the dcap-qvl form: the signed text is a JSON string member */
	free(body);
	json_decref(root);
	body = slurp(GEMMA_COLL, &n);
	ck_assert(tjson_locate(body, n, "tcb_info", &sp));
	ck_assert_uint_eq(body[sp.start], '"');
	ck_assert_uint_eq(body[sp.end - 1], '"');
	free(body);
}
END_TEST

/* The scanner over the shipped schedule: where each path is written. */
START_TEST(test_tjson_lines_schedule)
{
	struct tjson_span sp;
	struct tjson_doc d = { .name = "schedule" };
	struct tmon_err err;
	uint8_t *text;
	json_t *j;
	size_t n;
	int line, col;
	char in[MAX_JSON_PATH];

	text = slurp(SCHEDULE, &n);
	ck_assert(tjson_locate(text, n, "", &sp));
	tjson_line_col(text, sp.at, &line, &col);
	ck_assert_int_eq(line, 1);
	ck_assert_int_eq(col, 1);
	ck_assert(tjson_locate(text, n, "models", &sp));
	tjson_line_col(text, sp.at, &line, &col);
	ck_assert_int_eq(line, 2);
	ck_assert_int_eq(col, 3);
	ck_assert(tjson_locate(text, n, "models[1]", &sp));
	tjson_line_col(text, sp.at, &line, &col);
	ck_assert_int_eq(line, 6);
	ck_assert_int_eq(col, 5);
	ck_assert(tjson_locate(text, n, "models[1].base_url", &sp));
	tjson_line_col(text, sp.at, &line, &col);
	ck_assert_int_eq(line, 7);
	ck_assert_int_eq(col, 6);
	ck_assert_mem_eq(text + sp.start, "\"https://nano-gpt.com\"", 22);
	ck_assert(!tjson_locate(text, n, "models[1].policy", &sp));
	/* cut inside models[1]: the innermost open container */
	tjson_enclosing(text, sp.end, in, sizeof(in));
	ck_assert_str_eq(in, "models[1]");
	tjson_enclosing(text, n, in, sizeof(in));
	ck_assert_str_eq(in, "");
	free(text);
	/* the same file through the loader, and files it refuses */
	d.err = &err;
	tmon_err_clear(&err);
	ck_assert_int_eq(tjson_load_file(&d, SCHEDULE, 1u << 20, TJSON_OBJECT,
	    &j), TMON_OK);
	ck_assert_ptr_null(d.text);
	ck_assert(json_is_array(json_object_get(j, "models")));
	json_decref(j);
	ck_assert_int_eq(tjson_load_file(&d, SCHEDULE, 10, 0, &j),
	    TMON_E_LIMIT);
	ck_assert_int_eq(tjson_load_file(&d, TMON_SOURCE_DIR, 1u << 20, 0,
	    &j), TMON_E_IO);
	ck_assert_ptr_null(j);
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
	tcase_add_test(tc, test_tjson_init);
	tcase_add_test(tc, test_tjson_duplicates);
	tcase_add_test(tc, test_tjson_every_reader);
	tcase_add_test(tc, test_tjson_depth);
	tcase_add_test(tc, test_tjson_hostile);
	tcase_add_test(tc, test_tjson_getters);
	tcase_add_test(tc, test_tjson_span_collateral);
	tcase_add_test(tc, test_tjson_lines_schedule);
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
