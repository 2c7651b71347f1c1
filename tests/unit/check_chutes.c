/*
 * check_chutes: the Chutes nonce rule (attest_chutes.h) on the relayed
 * shape (RedPill's Chutes answer, tests/data/replay/redpill-teep) and
 * the direct API (tests/data/chutes, see its PROVENANCE.md).
 *
 * Expected values come from the captures: the nonce each instance was
 * asked to bind (the relaying gateway's "nonce"; the direct capture's
 * recorded evidence URL), the HTTP Date of the answer, and the peer's
 * record that every instance binds SHA-256(nonce_hex || e2e_pubkey).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "attest.h"
#include "encode.h"
#include "gateway.h"
#include "tmon_limits.h"
#include "util.h"

#define REDPILL TMON_TEST_DATA "/replay/redpill-teep/" \
	"redpill_phala-deepseek-v3.2_2026-06-10_attestation_response.json"
/* the Chutes nonce RedPill chose (its top-level and instance "nonce") */
#define REDPILL_CHUTES_NONCE \
	"aa8aa7cb237cb07d054e2ba1c1660b6d6bf60a1501e4d33bec8115148543e501"
/* the client nonce of redpill_..._manifest.json */
#define REDPILL_CLIENT_NONCE \
	"732f6f1c1b4445d4ab4ad892728343f7fcb0f595ce79f91ecfdeaae657bb7c7e"
#define T_0610 1781056145
#define DIRECT TMON_TEST_DATA "/replay/chutes-2026-05-20/"
/* evidence_http_meta.json: the evidence URL's nonce= and its Date */
#define DIRECT_NONCE \
	"cda7576dbb7d1ea2852e4a70502723f8d1678fb1ecdb69d6b3224620ac368379"
#define T_0520 1779243485

static uint8_t *
load(const char *path, size_t *len)
{
	uint8_t *p = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, MAX_UPSTREAM_BODY, &p, len, &err) ==
	    TMON_OK, "%s", err.msg);
	return p;
}

static enum check_status
st(const struct attest_result *r, const char *id)
{
	const struct check *c = checklist_get(&r->checks, id);

	ck_assert_msg(c != NULL, "check %s missing", id);
	return c->status;
}

static const char *
detail(const struct attest_result *r, const char *id)
{
	return checklist_get(&r->checks, id)->detail;
}

static struct attest_result *
run_body(const uint8_t *body, size_t len, const char *nonce_hex, int64_t at,
    const struct attest_ctx *ctx)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	uint8_t nonce[32];

	ck_assert_ptr_nonnull(r);
	ck_assert(hex_decode_exact(nonce_hex, 64, nonce, 32, false));
	attest_verify_ctx(body, len, nonce, at, ctx, r);
	return r;
}

/* Relayed: every instance binds the nonce RedPill chose. */
START_TEST(test_relayed_bound)
{
	struct attest_result *r;
	uint8_t *body;
	size_t len;

	body = load(REDPILL, &len);
	r = run_body(body, len, REDPILL_CHUTES_NONCE, T_0610, NULL);
	ck_assert_int_eq(r->format, GW_FORMAT_CHUTES);
	ck_assert_int_eq(st(r, "tdx.quote.signature"), CHECK_PASS);
	ck_assert_msg(st(r, "tdx.reportdata") == CHECK_PASS, "%s",
	    detail(r, "tdx.reportdata"));
	ck_assert_msg(st(r, "gpu.nonce") == CHECK_PASS, "%s",
	    detail(r, "gpu.nonce"));
	ck_assert_ptr_nonnull(strstr(detail(r, "gpu.nonce"), "layout chutes"));
	ck_assert_str_eq(r->m.reportdata_layout, "chutes");
	free(r);

	/* the client's own nonce: the instances bind RedPill's */
	r = run_body(body, len, REDPILL_CLIENT_NONCE, T_0610, NULL);
	ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_FAIL);
	ck_assert_int_eq(st(r, "gpu.nonce"), CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(r, "gpu.nonce"),
	    "internally consistent only"));
	free(r);
	free(body);
}
END_TEST

/* A flipped character of one instance's e2e_pubkey breaks both binds. */
START_TEST(test_relayed_tampered_pubkey)
{
	struct attest_result *r;
	uint8_t *body, *p;
	size_t len;

	body = load(REDPILL, &len);
	p = (uint8_t *)strstr((char *)body, "\"e2e_pubkey\"");
	ck_assert_ptr_nonnull(p);
	p += strlen("\"e2e_pubkey\":");
	while (*p == ' ' || *p == '"')
		p++;
	*p = *p == 'A' ? 'B' : 'A';
	r = run_body(body, len, REDPILL_CHUTES_NONCE, T_0610, NULL);
	ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_FAIL);
	ck_assert_int_eq(st(r, "gpu.nonce"), CHECK_FAIL);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);
	free(body);
}
END_TEST

/* The direct API with its instances answer and the recorded nonce. */
static struct attest_result *
run_direct(const uint8_t *ev, size_t evlen, const uint8_t *inst,
    size_t instlen, const char *nonce_hex)
{
	struct attest_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.chutes_instances = inst;
	ctx.chutes_instances_len = instlen;
	return run_body(ev, evlen, nonce_hex, T_0520, &ctx);
}

START_TEST(test_direct_bound)
{
	struct attest_result *r;
	uint8_t *ev, *inst;
	size_t evlen, instlen;

	ev = load(DIRECT "evidence.body", &evlen);
	inst = load(DIRECT "e2e_instances.body", &instlen);
	r = run_direct(ev, evlen, inst, instlen, DIRECT_NONCE);
	ck_assert_int_eq(r->format, GW_FORMAT_CHUTES_DIRECT);
	ck_assert_uint_eq(r->m.n_attestations, 4);
	ck_assert_int_eq(st(r, "response.parse"), CHECK_PASS);
	ck_assert_int_eq(st(r, "nonce.echo"), CHECK_SKIP);
	ck_assert_int_eq(st(r, "tdx.quote.signature"), CHECK_PASS);
	ck_assert_int_eq(st(r, "tdx.pck_chain"), CHECK_PASS);
	ck_assert_msg(st(r, "tdx.reportdata") == CHECK_PASS, "%s",
	    detail(r, "tdx.reportdata"));
	ck_assert_int_eq(st(r, "gpu.evidence"), CHECK_PASS);
	ck_assert_int_eq(st(r, "gpu.cert_chain"), CHECK_PASS);
	ck_assert_msg(st(r, "gpu.nonce") == CHECK_PASS, "%s",
	    detail(r, "gpu.nonce"));
	ck_assert_uint_eq(r->m.n_gpus, 8);
	ck_assert_str_eq(r->m.reportdata_layout, "chutes");
	free(r);

	/* one bit of our nonce different: both bindings fail */
	r = run_direct(ev, evlen, inst, instlen, "cda7576dbb7d1ea2852e4a705"
	    "02723f8d1678fb1ecdb69d6b3224620ac368378");
	ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_FAIL);
	ck_assert_int_eq(st(r, "gpu.nonce"), CHECK_FAIL);
	ck_assert_int_eq(st(r, "tdx.quote.signature"), CHECK_PASS);
	ck_assert_int_eq(r->verdict, CHECK_FAIL);
	free(r);

	/* no instances answer: the bindings cannot be checked */
	r = run_direct(ev, evlen, NULL, 0, DIRECT_NONCE);
	ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_ERROR);
	ck_assert_int_eq(st(r, "gpu.nonce"), CHECK_ERROR);
	ck_assert_int_ne(r->verdict, CHECK_PASS);
	free(r);
	free(inst);
	free(ev);
}
END_TEST

/* Another instance's key, or a flipped byte of one: the bind fails. */
START_TEST(test_direct_tampered)
{
	struct attest_result *r;
	uint8_t *ev, *inst, *p;
	size_t evlen, instlen;
	char *a, *b;

	ev = load(DIRECT "evidence.body", &evlen);
	inst = load(DIRECT "e2e_instances.body", &instlen);
	/* a flipped character in the first listed key */
	p = (uint8_t *)strstr((char *)inst, "\"e2e_pubkey\":\"");
	ck_assert_ptr_nonnull(p);
	p += strlen("\"e2e_pubkey\":\"") + 10;
	*p = *p == 'A' ? 'B' : 'A';
	r = run_direct(ev, evlen, inst, instlen, DIRECT_NONCE);
	ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_FAIL);
	ck_assert_int_eq(st(r, "gpu.nonce"), CHECK_FAIL);
	free(r);
	*p = *p == 'A' ? 'B' : 'A';

	/* the first two instance ids swapped: each gets the other's key */
	a = strstr((char *)inst, "9034c7a4-1d18-4628-8ccf-2ce3fd289768");
	b = strstr((char *)inst, "1da9c33a-2eea-40c3-a304-a9a0ddf384e0");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	memcpy(a, "1da9c33a-2eea-40c3-a304-a9a0ddf384e0", 36);
	memcpy(b, "9034c7a4-1d18-4628-8ccf-2ce3fd289768", 36);
	r = run_direct(ev, evlen, inst, instlen, DIRECT_NONCE);
	ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_FAIL);
	ck_assert_int_eq(st(r, "gpu.nonce"), CHECK_FAIL);
	free(r);
	free(inst);
	free(ev);
}
END_TEST

/* Instances answers of the wrong shape: the response is malformed. */
START_TEST(test_direct_hostile_instances)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{}",
		"{\"instances\":7}",
		"{\"instances\":[7]}",
		"{\"instances\":[{\"instance_id\":\"x\"}]}",
		"{\"instances\":[{\"e2e_pubkey\":\"x\"}]}",
		"{\"instances\":[{\"instance_id\":1,\"e2e_pubkey\":\"x\"}]}",
		"{\"instances\":[{\"instance_id\":\"a\",\"e2e_pubkey\":\"x\"},"
		    "{\"instance_id\":\"a\",\"e2e_pubkey\":\"y\"}]}",
		"{\"instances\":[],\"instances\":[]}",
	};
	struct attest_result *r;
	uint8_t *ev;
	size_t evlen, i;

	ev = load(DIRECT "evidence.body", &evlen);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run_direct(ev, evlen, (const uint8_t *)bad[i],
		    strlen(bad[i]), DIRECT_NONCE);
		ck_assert_msg(st(r, "response.parse") == CHECK_FAIL,
		    "case %zu", i);
		ck_assert_int_eq(r->verdict, CHECK_FAIL);
		free(r);
	}
	/* an empty list: well formed, nothing to bind */
	r = run_direct(ev, evlen, (const uint8_t *)"{\"instances\":[]}", 16,
	    DIRECT_NONCE);
	ck_assert_int_eq(st(r, "response.parse"), CHECK_PASS);
	ck_assert_int_eq(st(r, "tdx.reportdata"), CHECK_ERROR);
	free(r);
	free(ev);
}
END_TEST

/* Evidence bodies of the wrong shape. */
START_TEST(test_direct_hostile_evidence)
{
	static const char *const bad[] = {
		"{\"evidence\":[]}",
		"{\"evidence\":[7]}",
		"{\"evidence\":[{}]}",
		"{\"evidence\":[{\"instance_id\":\"a\",\"quote\":\"%%%%\"}]}",
		"{\"evidence\":[{\"instance_id\":\"a\",\"quote\":7}]}",
		"{\"evidence\":[{\"instance_id\":\"a\",\"gpu_evidence\":{}}]}",
	};
	static const char garbage[] = "{\"evidence\":[{\"instance_id\":"
	    "\"a\",\"quote\":\"AAAA\"}]}";
	struct attest_result *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run_body((const uint8_t *)bad[i], strlen(bad[i]),
		    DIRECT_NONCE, T_0520, NULL);
		ck_assert_msg(st(r, "response.parse") == CHECK_FAIL,
		    "case %zu: %s", i, detail(r, "response.parse"));
		ck_assert_int_eq(r->verdict, CHECK_FAIL);
		free(r);
	}
	/* a quote that decodes but is garbage: a failed parse, no crash */
	r = run_body((const uint8_t *)garbage, sizeof(garbage) - 1,
	    DIRECT_NONCE, T_0520, NULL);
	ck_assert_int_eq(st(r, "tdx.quote.parse"), CHECK_FAIL);
	free(r);
}
END_TEST

/* The evidence cut at many lengths, with its instances: never a pass. */
START_TEST(test_direct_truncated)
{
	struct attest_result *r;
	uint8_t *ev, *inst;
	size_t evlen, instlen, n;

	ev = load(DIRECT "evidence.body", &evlen);
	inst = load(DIRECT "e2e_instances.body", &instlen);
	for (n = 0; n < evlen; n += 4099) {
		r = run_direct(ev, n, inst, instlen, DIRECT_NONCE);
		ck_assert_int_eq(r->verdict, CHECK_FAIL);
		free(r);
	}
	for (n = 0; n < instlen; n += 97) {
		r = run_direct(ev, evlen, inst, n, DIRECT_NONCE);
		ck_assert_int_ne(r->verdict, CHECK_PASS);
		free(r);
	}
	free(inst);
	free(ev);
}
END_TEST

static Suite *
chutes_suite(void)
{
	Suite *s = suite_create("chutes");
	TCase *tc = tcase_create("chutes");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_relayed_bound);
	tcase_add_test(tc, test_relayed_tampered_pubkey);
	tcase_add_test(tc, test_direct_bound);
	tcase_add_test(tc, test_direct_tampered);
	tcase_add_test(tc, test_direct_hostile_instances);
	tcase_add_test(tc, test_direct_hostile_evidence);
	tcase_add_test(tc, test_direct_truncated);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(chutes_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
