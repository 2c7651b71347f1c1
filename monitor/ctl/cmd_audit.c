/*
 * cmd_audit.c: tmonctl audit, the read-only check of a whole log
 * (store_verify).
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "encode.h"
#include "store.h"

static int	audit(int, char *[]);

const struct ctl_cmd ctl_cmd_audit = {
	"audit",
	"DB",
	"Check a whole log, read-only, from the stored bytes.",
	"Checks integrity_check, every leaf hash, the hash chain, the indexed "
	"columns\n"
	"(kind, model, verdict, time) against the bodies, and every blob "
	"hash.\n",
	"exit: 0 the log verifies, 1 it is damaged (the first bad seq is "
	"named),\n"
	"      2 usage or I/O error, or DB is not a tmon log\n",
	audit
};

/* What the audit summary names: the first problem, and the first one
 * about an entry (entries are checked in seq order). */
struct audit_first {
	char	any[256];
	char	entry[256];
};

/* store_verify report: one line per problem. */
static void
audit_report(void *arg, uint64_t seq, const char *msg)
{
	struct audit_first *f = arg;

	if (f->any[0] == '\0')
		snprintf(f->any, sizeof(f->any), "%s", msg);
	if (seq != STORE_NO_SEQ && f->entry[0] == '\0')
		snprintf(f->entry, sizeof(f->entry), "%s", msg);
	printf("damaged: %s\n", msg);
}

static int
audit(int argc, char *argv[])
{
	struct store_verify_opts o;
	struct store_verify_result res;
	struct store *s = NULL;
	struct tmon_err err;
	struct audit_first first;
	char hhex[65];
	enum tmon_rc rc;

	if (argc != 2) {
		ctl_usage(&ctl_cmd_audit, stderr);
		return CTL_EXIT_USAGE;
	}
	tmon_err_clear(&err);
	/* Read-only: never writes, never migrates (store_open STORE_RO). */
	if (store_open(argv[1], STORE_RO, &s, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: audit: %s\n", err.msg);
		return CTL_EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.flags = STORE_VERIFY_BLOBS | STORE_VERIFY_INTEGRITY;
	o.report = audit_report;
	o.arg = &first;
	memset(&first, 0, sizeof(first));
	rc = store_verify(s, &o, &res, &err);
	store_close(s);
	if (rc == TMON_E_PARSE) {
		if (res.first_bad_seq != STORE_NO_SEQ)
			printf("audit: FAILED: %llu problem%s, first bad seq "
			    "%llu: %s\n", (unsigned long long)res.problems,
			    res.problems == 1 ? "" : "s",
			    (unsigned long long)res.first_bad_seq, first.entry);
		else
			printf("audit: FAILED: %llu problem%s: %s\n",
			    (unsigned long long)res.problems,
			    res.problems == 1 ? "" : "s", first.any);
		return CTL_EXIT_FAILED;
	}
	if (rc != TMON_OK) {
		fprintf(stderr, "tmonctl: audit: %s\n", err.msg);
		return CTL_EXIT_USAGE;
	}
	printf("audit: ok: %llu entries, %llu blobs: every leaf hash, the "
	    "hash chain, the indexed columns and every blob hash recompute "
	    "from the stored bytes; integrity_check ok\nhead: %s\n",
	    (unsigned long long)res.entries, (unsigned long long)res.blobs,
	    hex_encode(res.head, 32, hhex));
	return CTL_EXIT_OK;
}
