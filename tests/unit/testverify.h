/*
 * testverify.h: what the unit tests of the verification code share
 * (tests that link tmon_verify; testutil.h is for the process tests).
 */
#ifndef TMON_TESTS_TESTVERIFY_H
#define TMON_TESTS_TESTVERIFY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "attest.h"
#include "checklist.h"
#include "encode.h"
#include "err.h"
#include "tdx_quote.h"
#include "tdx_verify.h"
#include "tmon_limits.h"
#include "util.h"

/*
 * The capture at path verified with the 64-hex nonce_hex at time at
 * (unix s), as a new allocation the caller frees; the decoded nonce into
 * nonce (32 bytes) when it is not NULL.  The capture must hold a quote.
 */
static __attribute__((unused)) struct attest_result *
tv_verify_capture(const char *path, const char *nonce_hex, int64_t at,
    uint8_t *nonce)
{
	struct attest_result *r = calloc(1, sizeof(*r));
	struct tmon_err err;
	uint8_t *body = NULL, n[32];
	size_t len;

	ck_assert_ptr_nonnull(r);
	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, MAX_UPSTREAM_BODY, &body, &len, &err) ==
	    TMON_OK, "%s", err.msg);
	ck_assert(hex_decode_exact(nonce_hex, 64, n, 32, false));
	attest_verify(body, len, n, at, r);
	free(body);
	ck_assert(r->m.has_quote);
	if (nonce != NULL)
		memcpy(nonce, n, 32);
	return r;
}

/*
 * tdx_check_quote without caches, with root_der (root_der_len bytes; NULL:
 * the pinned Intel root) as the trusted root and col's CRLs (col may be
 * NULL).
 */
static bool __attribute__((unused))
tv_quote_check(const uint8_t *b, size_t n, int64_t at,
    const uint8_t *root_der, size_t root_der_len,
    const struct tdx_collateral *col, struct tdx_quote *q,
    struct checklist *cl)
{
	struct tdx_check_opts o;

	memset(&o, 0, sizeof(o));
	o.root_der = root_der;
	o.root_der_len = root_der_len;
	o.col = col;
	return tdx_check_quote(NULL, b, n, at, &o, q, cl);
}

#endif /* TMON_TESTS_TESTVERIFY_H */
