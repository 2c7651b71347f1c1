/*
 * check_nras_request: the NRAS v3 request body built for the GPU
 * evidence of a recorded attestation response (nras_request.h): the
 * NanoGPT gemma answer of 2026-06-10 (dstack nvidia_payload) and the
 * Chutes direct evidence of 2026-05-20 (gpu_evidence), both in
 * tests/data/replay (PROVENANCE.md).  The expected evidence is read from
 * the same files with jansson, never produced by the code under test;
 * the request shape is the recorded one of tests/data/nras
 * (tinfoil_gemma4_request.json).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "encode.h"
#include "nras_request.h"
#include "tmon_limits.h"
#include "util.h"

#define REPLAY TMON_TEST_DATA "/replay/"
#define GEMMA REPLAY "nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json"
#define CHUTES REPLAY "chutes-2026-05-20/evidence.body"
#define RECORDED TMON_TEST_DATA "/nras/tinfoil_gemma4_request.json"
#define OURS "00112233445566778899aabbccddeeff" \
	"00112233445566778899aabbccddeeff"

static uint8_t *
load(const char *path, size_t *len)
{
	uint8_t *p = NULL;

	ck_assert_int_eq(read_file(path, MAX_UPSTREAM_BODY, &p, len, NULL),
	    TMON_OK);
	return p;
}

static json_t *
build(const uint8_t *body, size_t len, enum tmon_rc want)
{
	struct tmon_err err;
	uint8_t nonce[32], *out = NULL;
	size_t out_len = 0;
	json_t *j;

	ck_assert(hex_decode_exact(OURS, 64, nonce, 32, false));
	tmon_err_clear(&err);
	ck_assert_msg(nras_request_body(body, len, nonce, &out, &out_len,
	    &err) == want, "%s", err.msg);
	if (want != TMON_OK) {
		ck_assert_ptr_null(out);
		return NULL;
	}
	j = json_loadb((const char *)out, out_len, JSON_REJECT_DUPLICATES,
	    NULL);
	ck_assert_ptr_nonnull(j);
	free(out);
	return j;
}

/* The keys of the recorded request, and no others. */
static void
same_keys_as_recorded(json_t *req)
{
	size_t len;
	uint8_t *t = load(RECORDED, &len);
	json_t *rec = json_loadb((const char *)t, len, 0, NULL);
	const char *k;
	json_t *v;

	ck_assert_ptr_nonnull(rec);
	ck_assert_uint_eq(json_object_size(req), json_object_size(rec));
	json_object_foreach(rec, k, v)
		ck_assert_msg(json_object_get(req, k) != NULL, "no %s", k);
	json_decref(rec);
	free(t);
}

START_TEST(test_dstack_payload)
{
	json_t *resp, *payload, *req;
	uint8_t *body;
	size_t len;

	body = load(GEMMA, &len);
	req = build(body, len, TMON_OK);
	same_keys_as_recorded(req);
	ck_assert_str_eq(json_string_value(json_object_get(req, "nonce")),
	    OURS);
	ck_assert_str_eq(json_string_value(json_object_get(req, "arch")),
	    "HOPPER");
	resp = json_loadb((const char *)body, len, 0, NULL);
	payload = json_loads(json_string_value(json_object_get(resp,
	    "nvidia_payload")), 0, NULL);
	ck_assert_ptr_nonnull(payload);
	/* the provider's nonce is replaced by ours, the evidence kept */
	ck_assert_str_ne(json_string_value(json_object_get(payload, "nonce")),
	    OURS);
	ck_assert(json_equal(json_object_get(req, "evidence_list"),
	    json_object_get(payload, "evidence_list")));
	json_decref(payload);
	json_decref(resp);
	json_decref(req);
	free(body);
}
END_TEST

START_TEST(test_chutes_gpu_evidence)
{
	json_t *resp, *req, *want;
	uint8_t *body;
	size_t len;

	body = load(CHUTES, &len);
	req = build(body, len, TMON_OK);
	same_keys_as_recorded(req);
	resp = json_loadb((const char *)body, len, 0, NULL);
	want = json_object_get(json_array_get(json_object_get(resp,
	    "evidence"), 0), "gpu_evidence");
	ck_assert_uint_eq(json_array_size(json_object_get(req,
	    "evidence_list")), 8);
	ck_assert(json_equal(json_object_get(req, "evidence_list"), want));
	json_decref(resp);
	json_decref(req);
	free(body);
}
END_TEST

/* A payload whose evidence item lacks its certificate, or holds no
 * evidence: malformed; no GPU evidence: not found. */
START_TEST(test_malformed)
{
	json_t *resp, *payload;
	uint8_t *body;
	size_t len;
	char *t, *p;

	body = load(GEMMA, &len);
	resp = json_loadb((const char *)body, len, 0, NULL);
	payload = json_loads(json_string_value(json_object_get(resp,
	    "nvidia_payload")), 0, NULL);
	json_object_del(json_array_get(json_object_get(payload,
	    "evidence_list"), 0), "certificate");
	p = json_dumps(payload, JSON_COMPACT);
	json_object_set_new(resp, "nvidia_payload", json_string(p));
	free(p);
	t = json_dumps(resp, JSON_COMPACT);
	(void)build((const uint8_t *)t, strlen(t), TMON_E_PARSE);
	free(t);

	json_array_clear(json_object_get(payload, "evidence_list"));
	p = json_dumps(payload, JSON_COMPACT);
	json_object_set_new(resp, "nvidia_payload", json_string(p));
	free(p);
	t = json_dumps(resp, JSON_COMPACT);
	(void)build((const uint8_t *)t, strlen(t), TMON_E_PARSE);
	free(t);

	json_object_del(resp, "nvidia_payload");
	json_object_del(resp, "all_attestations");
	t = json_dumps(resp, JSON_COMPACT);
	(void)build((const uint8_t *)t, strlen(t), TMON_E_NOTFOUND);
	free(t);
	(void)build((const uint8_t *)"{}", 2, TMON_E_UNSUPPORTED);
	json_decref(payload);
	json_decref(resp);
	free(body);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("nras_request");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_dstack_payload);
	tcase_add_test(tc, test_chutes_gpu_evidence);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
