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

static Suite *
chutes_suite(void)
{
	Suite *s = suite_create("chutes");
	TCase *tc = tcase_create("chutes");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_relayed_bound);
	tcase_add_test(tc, test_relayed_tampered_pubkey);
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
