/*
 * ctl_dcap.c: one DCAP verification for tmonctl verify-quote and
 * bench-quote (ctl_dcap.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_dcap.h"
#include "encode.h"
#include "tdx_collateral.h"
#include "tdx_verify.h"
#include "util.h"

/* The checks that make a DCAP verdict, in the order they are judged. */
static const char *const dcap_ids[] = {
	"tdx.quote.parse", "tdx.quote.signature", "tdx.pck_chain",
	"tdx.collateral", "tdx.tcb"
};
#define N_DCAP_IDS	(sizeof(dcap_ids) / sizeof(dcap_ids[0]))

int
ctl_dcap_read_quote(const char *path, uint8_t **out, size_t *outlen)
{
	struct tmon_err err;
	uint8_t *b = NULL, *q;
	size_t n, i, s, e;
	bool hex = true;

	tmon_err_clear(&err);
	if (read_file(path, 4 * (size_t)MAX_QUOTE_LEN, &b, &n, &err) !=
	    TMON_OK) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		return CTL_EXIT_USAGE;
	}
	for (s = 0; s < n && strchr(" \t\r\n", b[s]) != NULL; s++)
		;
	for (e = n; e > s && strchr(" \t\r\n", b[e - 1]) != NULL; e--)
		;
	if (e - s >= 2 && b[s] == '0' && (b[s + 1] == 'x' || b[s + 1] == 'X'))
		s += 2;
	if (e == s)
		hex = false;
	for (i = s; i < e && hex; i++)
		if (!is_hex_text((const char *)b + i, 1) &&
		    strchr(" \t\r\n", b[i]) == NULL)
			hex = false;
	if (!hex) {
		*out = b;
		*outlen = n;
		return CTL_EXIT_OK;
	}
	q = hex_decode_alloc((const char *)b + s, e - s, MAX_QUOTE_LEN, true,
	    outlen);
	free(b);
	if (q == NULL) {
		fprintf(stderr, "tmonctl: %s: hex text of odd length or over "
		    "%u bytes\n", path, MAX_QUOTE_LEN);
		return CTL_EXIT_USAGE;
	}
	*out = q;
	return CTL_EXIT_OK;
}

int
ctl_dcap_read_collateral(const char *path, uint8_t **out, size_t *len)
{
	struct tmon_err err;

	tmon_err_clear(&err);
	if (read_file(path, MAX_COLLATERAL_JSON, out, len, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		return CTL_EXIT_USAGE;
	}
	return CTL_EXIT_OK;
}

struct tdx_collateral *
ctl_dcap_collateral(const uint8_t *cj, size_t cjlen, struct ctl_dcap *v)
{
	struct tdx_collateral *col = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	v->coll_err[0] = '\0';
	v->coll_unsupported = false;
	if (tdx_collateral_from_qvl_json(cj, cjlen, &col, &err) != TMON_OK) {
		snprintf(v->coll_err, sizeof(v->coll_err), "%s: %s",
		    tmon_rc_str(err.code), err.msg);
		v->coll_unsupported = err.code == TMON_E_UNSUPPORTED;
		return NULL;
	}
	return col;
}

/*
 * Verified: the quote parses, its signatures and PCK chain hold, the
 * collateral verifies and is valid at the time, and the TCB is judged
 * (pass or warn).  A DCAP check that failed makes it wrong (the first
 * such check is the error); otherwise the first check that is not so
 * could not be checked.
 */
static void
verdict(struct ctl_dcap *v)
{
	const struct check *c, *bad = NULL, *failed = NULL;
	const char *bad_id = NULL;
	size_t i;

	v->verdict = CHECK_PASS;
	for (i = 0; i < N_DCAP_IDS; i++) {
		c = checklist_get(&v->cl, dcap_ids[i]);
		if (c != NULL && c->status == CHECK_PASS)
			continue;
		if (c != NULL && c->status == CHECK_WARN &&
		    strcmp(dcap_ids[i], "tdx.tcb") == 0) {
			v->verdict = CHECK_WARN;
			continue;
		}
		if (bad_id == NULL) {
			bad_id = dcap_ids[i];
			bad = c;
		}
		if (c != NULL && c->status == CHECK_FAIL && failed == NULL)
			failed = c;
	}
	v->verified = bad_id == NULL;
	v->error[0] = '\0';
	if (failed != NULL) {
		v->verdict = CHECK_FAIL;
		snprintf(v->error, sizeof(v->error), "%s: %s", failed->id,
		    failed->detail);
	} else if (bad_id != NULL) {
		v->verdict = CHECK_ERROR;
		snprintf(v->error, sizeof(v->error), "%s: %s", bad_id,
		    bad != NULL ? bad->detail : "not checked");
	}
}

void
ctl_dcap_run(struct verify_ctx *vc, const uint8_t *quote, size_t qlen,
    const struct tdx_collateral *col, int64_t at, struct ctl_dcap *v)
{
	struct tdx_check_opts o;

	/* an SGX quote too; the collateral's CRLs judge the PCK chain */
	memset(&o, 0, sizeof(o));
	o.allow_sgx = true;
	o.col = col;
	checklist_init(&v->cl);
	v->parsed = tdx_check_quote(vc, quote, qlen, at, &o, &v->q, &v->cl);
	if (v->parsed) {
		if (col == NULL && v->coll_err[0] != '\0')
			checklist_set(&v->cl, "tdx.collateral",
			    v->coll_unsupported ? CHECK_ERROR : CHECK_FAIL,
			    "collateral file rejected: %s", v->coll_err);
		tdx_check_collateral(&v->q, col, at, &v->cl, &v->tcb);
	} else {
		memset(&v->tcb, 0, sizeof(v->tcb));
		checklist_set(&v->cl, "tdx.collateral", CHECK_SKIP,
		    "not checked: quote did not parse");
		checklist_set(&v->cl, "tdx.tcb", CHECK_SKIP,
		    "not checked: quote did not parse");
	}
	verdict(v);
}
