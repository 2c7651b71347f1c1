/*
 * Unit tests for monitor/verify/nras.c (gpu.nras) and the base64url
 * decoder of monitor/core/encode.c.  Positives are real NRAS answers
 * verified against the JWKS recorded with them at their recorded time;
 * nonces and times come from the captures (tests/data/nras/
 * PROVENANCE.md), never from the code under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "attest.h"
#include "checklist.h"
#include "encode.h"
#include "nras.h"
#include "util.h"
#include "xmalloc.h"

#define DATA	TMON_TEST_DATA "/nras/"

/* tinfoil_gemma4: HTTP Date, the tokens' iat and nbf, and exp */
#define T_NOW	((int64_t)1782172448)
#define T_EXP	((int64_t)1782176048)
static const char t_nonce_hex[] =
    "a8c5455663ef4951c4a6fef8de2a079934c8e93c67626e7311bf385ba6724c9e";
/* chutes_glm5 */
#define C_NOW	((int64_t)1779243493)
static const char c_nonce_hex[] =
    "cda7576dbb7d1ea2852e4a70502723f8d1678fb1ecdb69d6b3224620ac368379";

struct fx {
	uint8_t	*eat, *jwks;
	size_t	 eat_len, jwks_len;
	uint8_t	 nonce[32];
};

static uint8_t *
load(const char *name, size_t *len)
{
	char path[512];
	uint8_t *p = NULL;
	struct tmon_err err;

	snprintf(path, sizeof(path), DATA "%s", name);
	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 4u * 1024 * 1024, &p, len, &err) ==
	    TMON_OK, "%s: %s", path, err.msg);
	return p;
}

static void
fx_load(struct fx *f, const char *eat, const char *jwks, const char *hex)
{
	f->eat = load(eat, &f->eat_len);
	f->jwks = load(jwks, &f->jwks_len);
	ck_assert(hex_decode_exact(hex, 64, f->nonce, 32, false));
}

static void
fx_free(struct fx *f)
{
	free(f->eat);
	free(f->jwks);
}

/* Run gpu.nras; returns its status, the detail into det. */
static enum check_status
run(const uint8_t *eat, size_t eat_len, const uint8_t *jwks, size_t jwks_len,
    const uint8_t nonce[32], int64_t now, char *det, size_t detsz)
{
	struct checklist cl;
	const struct check *c;
	enum check_status st;

	checklist_init(&cl);
	st = nras_check(eat, eat_len, jwks, jwks_len, nonce, now, &cl);
	c = checklist_get(&cl, "gpu.nras");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->status, st);
	snprintf(det, detsz, "%s", c->detail);
	return st;
}

static void
expect(const struct fx *f, const uint8_t *eat, size_t eat_len,
    const uint8_t *jwks, size_t jwks_len, int64_t now, enum check_status want,
    const char *needle)
{
	char det[MAX_CHECK_DETAIL];
	enum check_status st;

	st = run(eat, eat_len, jwks, jwks_len, f->nonce, now, det, sizeof(det));
	ck_assert_msg(st == want, "status %s, want %s: %s",
	    check_status_str(st), check_status_str(want), det);
	ck_assert_msg(strstr(det, needle) != NULL, "detail \"%s\" lacks "
	    "\"%s\"", det, needle);
}

/* The answer as JSON, to edit. */
static json_t *
eat_json(const struct fx *f)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)f->eat, f->eat_len, 0, &je);

	ck_assert_ptr_nonnull(j);
	return j;
}

static char *
dump(const json_t *j, size_t *len)
{
	char *s = json_dumps(j, JSON_COMPACT);

	ck_assert_ptr_nonnull(s);
	*len = strlen(s);
	return s;
}

/* The overall JWT of an answer, for editing in place. */
static char *
overall_jwt(json_t *a)
{
	return xstrdup(json_string_value(json_array_get(json_array_get(a, 0),
	    1)));
}

static void
set_overall(json_t *a, const char *jwt)
{
	ck_assert_int_eq(json_array_set_new(json_array_get(a, 0), 1,
	    json_string(jwt)), 0);
}

/* Replace character i of part p (0 header, 1 claims, 2 signature) of
 * jwt by another base64url character that keeps zero pad bits. */
static void
flip_part(char *jwt, int p, size_t i)
{
	char *s = jwt;
	int k;

	for (k = 0; k < p; k++)
		s = strchr(s, '.') + 1;
	/* 'A' <-> 'Q' differ in a high bit only: pad bits stay zero */
	s[i] = s[i] == 'A' ? 'Q' : s[i] == 'Q' ? 'A' : (s[i] == 'B' ? 'C' :
	    'B');
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(test_b64url)
{
	uint8_t *p;
	size_t n;

	/* RFC 4648 section 10 vectors, in the URL alphabet without '=' */
	p = b64url_decode_alloc("Zm9vYmFy", 8, 16, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 6);
	ck_assert_mem_eq(p, "foobar", 6);
	free(p);
	p = b64url_decode_alloc("Zm9vYg", 6, 16, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(p, "foob", 4);
	free(p);
	p = b64url_decode_alloc("Zm9vYmE", 7, 16, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 5);
	free(p);
	p = b64url_decode_alloc("", 0, 16, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 0);
	free(p);
	/* 0xfb 0xff: "-_8" in base64url, "+/8" in base64 */
	p = b64url_decode_alloc("-_8", 3, 16, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(p[0], 0xfb);
	ck_assert_uint_eq(p[1], 0xff);
	free(p);
	ck_assert_ptr_null(b64url_decode_alloc("+/8", 3, 16, &n));
	ck_assert_ptr_null(b64url_decode_alloc("Zm9vYg==", 8, 16, &n));
	ck_assert_ptr_null(b64url_decode_alloc("Zm9vY", 5, 16, &n));
	/* non-zero pad bits */
	ck_assert_ptr_null(b64url_decode_alloc("Zm9vYh", 6, 16, &n));
	ck_assert_ptr_null(b64url_decode_alloc("Zm9v Yg", 7, 16, &n));
	/* over max */
	ck_assert_ptr_null(b64url_decode_alloc("Zm9vYmFy", 8, 5, &n));
}
END_TEST

START_TEST(test_pinned_intermediate)
{
	static const char want[] =
	    "2df8907cf4d6c277b855d407ec178a649930a8e73f7294e8fce66e6ee27c5175";
	uint8_t h[32];
	char hex[65];

	sha256(nras_intermediate_der, nras_intermediate_der_len, h);
	ck_assert_str_eq(hex_encode(h, 32, hex), want);
}
END_TEST

START_TEST(test_tinfoil_pass)
{
	struct fx f;

	fx_load(&f, "tinfoil_gemma4_eat.json", "tinfoil_gemma4_jwks.json",
	    t_nonce_hex);
	expect(&f, f.eat, f.eat_len, f.jwks, f.jwks_len, T_NOW, CHECK_PASS,
	    "1 GPU");
	/* the last second of the token */
	expect(&f, f.eat, f.eat_len, f.jwks, f.jwks_len, T_EXP - 1,
	    CHECK_PASS, "certified by NVIDIA");
	fx_free(&f);
}
END_TEST

START_TEST(test_chutes_real_negative)
{
	struct fx f;

	/* NRAS itself said no: overall false, every GPU NONCE_NOT_MATCHING;
	 * the detail gives the GPU's reason */
	fx_load(&f, "chutes_glm5_eat.json", "chutes_glm5_jwks.json",
	    c_nonce_hex);
	expect(&f, f.eat, f.eat_len, f.jwks, f.jwks_len, C_NOW, CHECK_FAIL,
	    "token: NRAS refused the evidence: NONCE_NOT_MATCHING");
	fx_free(&f);
}
END_TEST

START_TEST(test_wrong_nonce)
{
	struct fx f;

	fx_load(&f, "tinfoil_gemma4_eat.json", "tinfoil_gemma4_jwks.json",
	    t_nonce_hex);
	f.nonce[31] ^= 1;
	expect(&f, f.eat, f.eat_len, f.jwks, f.jwks_len, T_NOW, CHECK_FAIL,
	    "eat_nonce a8c5455663ef4951... is not our nonce");
	/* the chutes answer against tinfoil's nonce */
	fx_free(&f);
	fx_load(&f, "chutes_glm5_eat.json", "chutes_glm5_jwks.json",
	    t_nonce_hex);
	expect(&f, f.eat, f.eat_len, f.jwks, f.jwks_len, C_NOW, CHECK_FAIL,
	    "is not our nonce");
	fx_free(&f);
}
END_TEST

START_TEST(test_times)
{
	struct fx f;

	fx_load(&f, "tinfoil_gemma4_eat.json", "tinfoil_gemma4_jwks.json",
	    t_nonce_hex);
	expect(&f, f.eat, f.eat_len, f.jwks, f.jwks_len, T_EXP, CHECK_FAIL,
	    "expired at");
	expect(&f, f.eat, f.eat_len, f.jwks, f.jwks_len,
	    T_NOW - NRAS_LEEWAY - 1, CHECK_FAIL, "not valid before");
	expect(&f, f.eat, f.eat_len, f.jwks, f.jwks_len, T_NOW - NRAS_LEEWAY,
	    CHECK_PASS, "1 GPU");
	/* a week later: the signing certificate has expired first */
	expect(&f, f.eat, f.eat_len, f.jwks, f.jwks_len, T_NOW + 7 * 86400,
	    CHECK_FAIL, "x5c: chain does not verify");
	fx_free(&f);
}
END_TEST

START_TEST(test_flipped_bytes)
{
	struct fx f;
	json_t *a;
	char *jwt, *s;
	size_t n;
	int part;

	fx_load(&f, "tinfoil_gemma4_eat.json", "tinfoil_gemma4_jwks.json",
	    t_nonce_hex);
	/* signature and claims of the overall token */
	for (part = 1; part <= 2; part++) {
		a = eat_json(&f);
		jwt = overall_jwt(a);
		flip_part(jwt, part, 10);
		set_overall(a, jwt);
		s = dump(a, &n);
		expect(&f, (uint8_t *)s, n, f.jwks, f.jwks_len, T_NOW,
		    CHECK_FAIL, "ES384 signature does not verify");
		free(s);
		free(jwt);
		json_decref(a);
	}
	/* the GPU token's claims: signature and the submods digest */
	a = eat_json(&f);
	jwt = xstrdup(json_string_value(json_object_get(json_array_get(a, 1),
	    "GPU-0")));
	flip_part(jwt, 1, 40);
	json_object_set_new(json_array_get(a, 1), "GPU-0", json_string(jwt));
	s = dump(a, &n);
	expect(&f, (uint8_t *)s, n, f.jwks, f.jwks_len, T_NOW, CHECK_FAIL,
	    "NRAS GPU-0 token");
	free(s);
	free(jwt);
	json_decref(a);
	/* a GPU token renamed: not the one the overall token names */
	a = eat_json(&f);
	json_object_set(json_array_get(a, 1), "GPU-1",
	    json_object_get(json_array_get(a, 1), "GPU-0"));
	json_object_del(json_array_get(a, 1), "GPU-0");
	s = dump(a, &n);
	expect(&f, (uint8_t *)s, n, f.jwks, f.jwks_len, T_NOW, CHECK_FAIL,
	    "not in the overall token's submods");
	free(s);
	json_decref(a);
	fx_free(&f);
}
END_TEST

START_TEST(test_jwks_errors)
{
	struct fx f;
	static const char empty[] = "{\"keys\":[]}";

	fx_load(&f, "tinfoil_gemma4_eat.json", "tinfoil_gemma4_jwks.json",
	    t_nonce_hex);
	expect(&f, f.eat, f.eat_len, (const uint8_t *)empty, strlen(empty),
	    T_NOW, CHECK_ERROR, "is not in the JWKS");
	expect(&f, f.eat, f.eat_len, NULL, 0, T_NOW, CHECK_ERROR,
	    "no NRAS JWKS");
	expect(&f, f.eat, f.eat_len, (const uint8_t *)"[1]", 3, T_NOW,
	    CHECK_ERROR, "NRAS JWKS");
	/* another day's JWKS does not hold the key */
	fx_free(&f);
	fx_load(&f, "tinfoil_gemma4_eat.json", "chutes_glm5_jwks.json",
	    t_nonce_hex);
	expect(&f, f.eat, f.eat_len, f.jwks, f.jwks_len, T_NOW, CHECK_ERROR,
	    "is not in the JWKS");
	fx_free(&f);
}
END_TEST

/* The JWKS with the key the tinfoil tokens name edited by fn. */
static char *
edit_jwks(const struct fx *f, void (*fn)(json_t *keys, json_t *k),
    size_t *len)
{
	json_error_t je;
	json_t *j, *keys, *k;
	const char *kid = "nv-eat-kid-prod-20260622212946838-"
	    "bb611c91-40b4-4365-8784-832903b5b92c";
	char *s;
	size_t i;

	j = json_loadb((const char *)f->jwks, f->jwks_len, 0, &je);
	ck_assert_ptr_nonnull(j);
	keys = json_object_get(j, "keys");
	for (i = 0; i < json_array_size(keys); i++) {
		k = json_array_get(keys, i);
		if (strcmp(json_string_value(json_object_get(k, "kid")),
		    kid) == 0) {
			fn(keys, k);
			break;
		}
	}
	ck_assert_uint_lt(i, json_array_size(keys));
	s = dump(j, len);
	json_decref(j);
	return s;
}

static void
drop_x5c(json_t *keys, json_t *k)
{
	(void)keys;
	json_object_del(k, "x5c");
}

static void
other_x5c(json_t *keys, json_t *k)
{
	json_t *o = json_array_get(keys, 0);

	if (o == k)
		o = json_array_get(keys, 1);
	json_object_set(k, "x5c", json_object_get(o, "x5c"));
}

static void
leaf_only(json_t *keys, json_t *k)
{
	(void)keys;
	json_array_remove(json_object_get(k, "x5c"), 1);
}

static void
rsa_key(json_t *keys, json_t *k)
{
	(void)keys;
	json_object_set_new(k, "kty", json_string("RSA"));
}

START_TEST(test_jwk_edits)
{
	struct fx f;
	char *s;
	size_t n;

	fx_load(&f, "tinfoil_gemma4_eat.json", "tinfoil_gemma4_jwks.json",
	    t_nonce_hex);
	s = edit_jwks(&f, drop_x5c, &n);
	expect(&f, f.eat, f.eat_len, (uint8_t *)s, n, T_NOW, CHECK_WARN,
	    "has no x5c");
	free(s);
	s = edit_jwks(&f, other_x5c, &n);
	expect(&f, f.eat, f.eat_len, (uint8_t *)s, n, T_NOW, CHECK_FAIL,
	    "x5c certifies another key");
	free(s);
	s = edit_jwks(&f, leaf_only, &n);
	expect(&f, f.eat, f.eat_len, (uint8_t *)s, n, T_NOW, CHECK_FAIL,
	    "is not the pinned NVIDIA Attestation Service GPU Intermediate");
	free(s);
	s = edit_jwks(&f, rsa_key, &n);
	expect(&f, f.eat, f.eat_len, (uint8_t *)s, n, T_NOW, CHECK_ERROR,
	    "is not an EC P-384 JWK");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(test_alg)
{
	struct fx f;
	json_t *a;
	char *jwt, *s, *dot, hdr[256];
	/* {"kid":"nv-eat-kid-prod-...","alg":"HS384"} in base64url */
	static const char hs384[] = "eyJraWQiOiJudi1lYXQta2lkLXByb2QtMjAyNjA2"
	    "MjIyMTI5NDY4MzgtYmI2MTFjOTEtNDBiNC00MzY1LTg3ODQtODMyOTAzYjViOTJj"
	    "IiwiYWxnIjoiSFMzODQifQ";
	size_t n;

	fx_load(&f, "tinfoil_gemma4_eat.json", "tinfoil_gemma4_jwks.json",
	    t_nonce_hex);
	a = eat_json(&f);
	jwt = overall_jwt(a);
	dot = strchr(jwt, '.');
	snprintf(hdr, sizeof(hdr), "%s", hs384);
	s = xmalloc(strlen(hdr) + strlen(dot) + 1);
	memcpy(s, hdr, strlen(hdr));
	memcpy(s + strlen(hdr), dot, strlen(dot) + 1);
	set_overall(a, s);
	free(s);
	s = dump(a, &n);
	expect(&f, (uint8_t *)s, n, f.jwks, f.jwks_len, T_NOW, CHECK_ERROR,
	    "alg HS384 is not ES384");
	free(s);
	free(jwt);
	json_decref(a);
	fx_free(&f);
}
END_TEST

START_TEST(test_shapes)
{
	static const char *const bad[] = {
		"[]", "{}", "[[\"JWT\",\"a.b.c\"]]", "[[\"JWT\",1],{}]",
		"[[\"JWT\",\"a.b.c\"],{}]", "[[\"JWT\",\"a.b\"],{\"G\":\"x\"}]",
		"[[\"JWT\",\"a.b.c\"],{\"G\":1}]", "[[\"JWT\",\"a.b.c\"",
		"[[\"JWT\",\"a.b.c.d\"],{\"G\":\"x\"}]",
	};
	static const char jwe[] = "[[\"JWE\",\"x\"],{\"G\":\"x\"}]";
	struct fx f;
	size_t i;

	fx_load(&f, "tinfoil_gemma4_eat.json", "tinfoil_gemma4_jwks.json",
	    t_nonce_hex);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect(&f, (const uint8_t *)bad[i], strlen(bad[i]), f.jwks,
		    f.jwks_len, T_NOW, CHECK_FAIL, "NRAS");
	expect(&f, (const uint8_t *)jwe, strlen(jwe), f.jwks, f.jwks_len,
	    T_NOW, CHECK_ERROR, "not JWT");
	expect(&f, NULL, 0, f.jwks, f.jwks_len, T_NOW, CHECK_SKIP,
	    "no NRAS answer");
	/* every truncation of a real answer is refused, never a pass */
	for (i = 0; i < f.eat_len; i += 37) {
		char det[MAX_CHECK_DETAIL];
		enum check_status st;

		st = run(f.eat, i, f.jwks, f.jwks_len, f.nonce, T_NOW, det,
		    sizeof(det));
		ck_assert_msg(st == CHECK_FAIL || st == CHECK_ERROR,
		    "truncated at %zu: %s", i, det);
	}
	fx_free(&f);
}
END_TEST

/* attest_verify_ctx carries the answer of its context into gpu.nras. */
START_TEST(test_attest_wiring)
{
	static const char gemma_nonce[] = "9a796732359e9324a45576a730e5a9c4"
	    "7bff518b8ee8bcb882d00b5b1ff6f39a";
	struct attest_result *res = xmalloc(sizeof(*res));
	struct attest_ctx ctx;
	const struct check *c;
	struct fx f;
	uint8_t *body, gn[32];
	size_t len;

	fx_load(&f, "tinfoil_gemma4_eat.json", "tinfoil_gemma4_jwks.json",
	    t_nonce_hex);
	ck_assert(hex_decode_exact(gemma_nonce, 64, gn, 32, false));
	{
		char path[512];
		struct tmon_err err;

		snprintf(path, sizeof(path), "%s", TMON_TEST_DATA "/replay/"
		    "nanogpt-2026-06-10_gemma-3-27b-it/"
		    "attestation_response.json");
		tmon_err_clear(&err);
		ck_assert(read_file(path, 4u * 1024 * 1024, &body, &len,
		    &err) == TMON_OK);
	}
	memset(&ctx, 0, sizeof(ctx));
	/* no NRAS configured */
	attest_verify_ctx(body, len, gn, T_NOW, &ctx, res);
	c = checklist_get(&res->checks, "gpu.nras");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->status, CHECK_SKIP);
	/* an answer for another nonce than the probe's */
	ctx.nras_eat = f.eat;
	ctx.nras_eat_len = f.eat_len;
	ctx.nras_jwks = f.jwks;
	ctx.nras_jwks_len = f.jwks_len;
	attest_verify_ctx(body, len, gn, T_NOW, &ctx, res);
	c = checklist_get(&res->checks, "gpu.nras");
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(c->detail, "is not our nonce"));
	/* the nonce posted to NRAS: passes */
	attest_verify_ctx(body, len, f.nonce, T_NOW, &ctx, res);
	c = checklist_get(&res->checks, "gpu.nras");
	ck_assert_int_eq(c->status, CHECK_PASS);
	/* no JWKS */
	ctx.nras_jwks = NULL;
	attest_verify_ctx(body, len, f.nonce, T_NOW, &ctx, res);
	c = checklist_get(&res->checks, "gpu.nras");
	ck_assert_int_eq(c->status, CHECK_ERROR);
	/* a body that does not decode still reports gpu.nras */
	ctx.nras_jwks = f.jwks;
	attest_verify_ctx((const uint8_t *)"{}", 2, f.nonce, T_NOW, &ctx, res);
	c = checklist_get(&res->checks, "gpu.nras");
	ck_assert_ptr_nonnull(c);
	free(body);
	free(res);
	fx_free(&f);
}
END_TEST

static Suite *
nras_suite(void)
{
	Suite *s = suite_create("nras");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_b64url);
	tcase_add_test(tc, test_pinned_intermediate);
	tcase_add_test(tc, test_tinfoil_pass);
	tcase_add_test(tc, test_chutes_real_negative);
	tcase_add_test(tc, test_wrong_nonce);
	tcase_add_test(tc, test_times);
	tcase_add_test(tc, test_flipped_bytes);
	tcase_add_test(tc, test_jwks_errors);
	tcase_add_test(tc, test_jwk_edits);
	tcase_add_test(tc, test_alg);
	tcase_add_test(tc, test_shapes);
	tcase_add_test(tc, test_attest_wiring);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(nras_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
