/*
 * checklist.h: the result of verifying evidence, as a list of checks.
 *
 * Every check has a stable id (README "Checks": "tdx.quote.signature",
 * "gpu.nonce", ...), a status and a one-line detail for humans.  The
 * status values keep "wrong" apart from "couldn't check":
 *   CHECK_FAIL   the evidence is wrong (bad signature, nonce mismatch,
 *                unparsable quote)
 *   CHECK_ERROR  we could not check (library failure, missing collateral)
 *   CHECK_SKIP   not applicable to this provider format
 * CHECK_ERROR is 0 so that zeroed memory never reads as a pass: a check
 * nobody set is "not checked", which is an error, never a pass.
 *
 * Inside the TDX, GPU and signature modules each step of a check (a
 * signature, a certificate chain, a key, a CRL lookup) has an enum
 * verdict; the module turns the steps into one check_status.
 */
#ifndef TMON_VERIFY_CHECKLIST_H
#define TMON_VERIFY_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "tmon_limits.h"

enum check_status {
	CHECK_ERROR = 0,
	CHECK_FAIL,
	CHECK_WARN,
	CHECK_SKIP,
	CHECK_PASS
};

/*
 * The result of one step of a check.  VERDICT_UNCHECKED is 0, so a step
 * whose result nobody set never reads as verified.  A library failure
 * (allocation, OpenSSL internal error) is VERDICT_ERROR, never
 * VERDICT_FAIL: that would blame the evidence.
 */
enum verdict {
	VERDICT_UNCHECKED = 0,	/* not checked (yet) */
	VERDICT_FAIL,		/* the evidence is wrong */
	VERDICT_ERROR,		/* could not be checked */
	VERDICT_PASS		/* verified */
};

struct check {
	char			id[MAX_CHECK_ID];
	enum check_status	status;
	char			detail[MAX_CHECK_DETAIL];
};

struct checklist {
	struct check	items[MAX_CHECKS];
	size_t		n;
};

/* Empty cl. */
void	checklist_init(struct checklist *cl);

/*
 * Set the check id in cl to status with a printf-formatted detail.  If id
 * is already in the list, the entry is replaced only when the new status
 * is worse (FAIL < ERROR < WARN < PASS < SKIP, see check_severity), so
 * several sub-checks (one per GPU, say) can report under one id and the
 * worst wins; the first detail of the worst status is kept.  SKIP ranks
 * last: "not applicable here" never hides a result from elsewhere.  A list that
 * is full (MAX_CHECKS) aborts: the set of ids is fixed at compile time.
 */
void	checklist_set(struct checklist *cl, const char *id,
	    enum check_status status, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* The check with this id, or NULL. */
const struct check *checklist_get(const struct checklist *cl, const char *id);

/*
 * The overall verdict (README "Checks"): FAIL if any check failed,
 * else WARN if any warned, else PASS if any passed; ERROR if nothing
 * passed, warned or failed (everything errored or was skipped).  An
 * ERROR check among passes makes the verdict WARN: something could not
 * be checked, so the result is not a clean pass.
 */
enum check_status checklist_verdict(const struct checklist *cl);

/* "pass", "fail", "warn", "skip", "error". */
const char *check_status_str(enum check_status s);

/* The status whose check_status_str is s into *out; false (and *out
 * CHECK_ERROR) when s is none of them (or NULL). */
bool	check_status_parse(const char *s, enum check_status *out);

/* Rank for "worse": FAIL 0, ERROR 1, WARN 2, PASS 3, SKIP 4. */
int	check_severity(enum check_status s);

/*
 * The check status of a step's verdict: PASS and FAIL as they are,
 * ERROR and UNCHECKED (and any value out of range) CHECK_ERROR.
 */
enum check_status verdict_check(enum verdict v);

#endif /* TMON_VERIFY_CHECKLIST_H */
