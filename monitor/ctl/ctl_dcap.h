/*
 * ctl_dcap.h: what tmonctl verify-quote and bench-quote share: reading a
 * quote and collateral file, one DCAP verification (tdx_check_quote
 * and tdx_check_collateral, the code tmond uses) and its verdict.
 */
#ifndef TMON_MONITOR_CTL_DCAP_H
#define TMON_MONITOR_CTL_DCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "tdx_quote.h"
#include "tdx_tcb.h"
#include "tmon_limits.h"

struct tdx_collateral;
struct verify_ctx;

/* One verification: the checks, what was parsed, and the verdict. */
struct ctl_dcap {
	struct checklist	cl;
	struct tdx_quote	q;
	bool			parsed;
	struct tdx_tcb_result	tcb;
	/*
	 * ctl_dcap_verdict: CHECK_PASS or CHECK_WARN (the TCB warns):
	 * verified; CHECK_FAIL: a DCAP check failed; CHECK_ERROR: none
	 * failed but one is not pass (error, skip or missing).
	 */
	enum check_status	verdict;
	bool			verified;	/* verdict pass or warn */
	char			error[MAX_CHECK_DETAIL + MAX_CHECK_ID + 8];
	char			coll_err[320];	/* why the file was rejected */
	bool			coll_unsupported; /* TMON_E_UNSUPPORTED */
};

/*
 * Read a quote file (at most 4 * MAX_QUOTE_LEN bytes): binary, or hex text
 * (whitespace and a leading 0x allowed, at most MAX_QUOTE_LEN bytes
 * decoded).  Returns CTL_EXIT_OK with the bytes in *out (caller frees),
 * or prints why not to stderr and returns CTL_EXIT_USAGE.
 */
int	ctl_dcap_read_quote(const char *path, uint8_t **out, size_t *outlen);

/* Read a collateral file of at most MAX_COLLATERAL_JSON bytes; as
 * ctl_dcap_read_quote. */
int	ctl_dcap_read_collateral(const char *path, uint8_t **out, size_t *len);

/*
 * Build the collateral from the cjlen bytes of dcap-qvl JSON at cj
 * (tdx_collateral_from_qvl_json), or NULL with the reason in v->coll_err
 * (v->coll_unsupported if it is well-formed but not supported).  Caller
 * frees with tdx_collateral_free.
 */
struct tdx_collateral *ctl_dcap_collateral(const uint8_t *cj, size_t cjlen,
	    struct ctl_dcap *v);

/*
 * Verify the qlen-byte quote (TDX v4/v5 or SGX v3) at time at (unix
 * seconds), with the caches of vc (NULL: none), and col (NULL:
 * none; then a collateral file that was rejected, v->coll_err, makes
 * tdx.collateral fail, or error when it was unsupported) into v, and
 * judge it (v->verdict, v->verified, v->error: the first DCAP check that
 * failed, else the first that is not pass).
 */
void	ctl_dcap_run(struct verify_ctx *vc, const uint8_t *quote,
	    size_t qlen, const struct tdx_collateral *col, int64_t at,
	    struct ctl_dcap *v);

#endif /* TMON_MONITOR_CTL_DCAP_H */
