/*
 * tmonctl: the offline tool.  Verifies saved evidence with the same code
 * tmond uses, and audits a log.  Exit codes: 0 verified / nothing failed,
 * 1 a check failed (or the audit found a problem), 2 usage or I/O error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "attest.h"
#include "ctl.h"
#include "encode.h"
#include "log.h"
#include "probe.h"
#include "store.h"
#include "tdx_collateral.h"
#include "tdx_quote.h"
#include "tmon_limits.h"
#include "util.h"
#include "verify_ctx.h"


static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tmonctl verify-attestation RESPONSE.json --nonce HEX "
	    "[--collateral FILE] [--at UNIX] [--json]\n"
	    "       tmonctl audit DB\n"
	    "\n"
	    "verify-attestation  run every check the response allows against "
	    "our nonce\n"
	    "                    (64 hex characters) at time --at (unix "
	    "seconds, default now),\n"
	    "                    with Intel collateral from FILE (dcap-qvl "
	    "JSON shape) if given\n"
	    "audit               check a log, read-only: integrity_check, "
	    "every leaf hash,\n"
	    "                    the hash chain, the indexed columns (kind, "
	    "model, verdict,\n"
	    "                    time) against the bodies, every blob hash; "
	    "exit 1 names the\n"
	    "                    first bad seq, exit 2 when DB is not a tmon "
	    "log\n"
	    "exit: 0 nothing failed, 1 a check failed, 2 usage or I/O error\n");
}

static void
print_table(const struct attest_result *r)
{
	ctl_print_checks(&r->checks);
	printf("\nformat: %s\nverdict: %s\n", gw_format_str(r->format),
	    check_status_str(r->verdict));
}

static void
print_json(const struct attest_result *r, const uint8_t nonce[32], int64_t at)
{
	char nhex[65];
	json_t *o;
	char *s;

	o = json_object();
	json_object_set_new(o, "format", json_string(gw_format_str(r->format)));
	json_object_set_new(o, "verdict",
	    json_string(check_status_str(r->verdict)));
	json_object_set_new(o, "nonce", json_string(hex_encode(nonce, 32,
	    nhex)));
	json_object_set_new(o, "at", json_integer((json_int_t)at));
	json_object_set_new(o, "checks", entry_checks_json(&r->checks));
	json_object_set_new(o, "measurement",
	    entry_measurement_json(&r->m));
	s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("%s\n", s);
	free(s);
	json_decref(o);
}

/* attest_ctx collateral lookup: the one collateral given, if it is for
 * this FMSPC (the check reports a mismatch otherwise). */
static const struct tdx_collateral *
file_collateral(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	(void)fmspc;
	(void)pck_ca;
	return arg;
}

static int
cmd_verify_attestation(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "nonce", required_argument, NULL, 'n' },
		{ "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "collateral", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct tdx_collateral *col = NULL;
	struct attest_ctx ctx;
	const char *coll_path = NULL;
	uint8_t *ctext;
	size_t clen;
	struct attest_result *r;
	struct tmon_err err;
	uint8_t nonce[32], *body = NULL;
	const char *nonce_hex = NULL;
	int64_t at = (int64_t)time(NULL);
	size_t len;
	int ch, json = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			nonce_hex = optarg;
			break;
		case 'a':
			if (!ctl_parse_at(optarg, &at))
				return EXIT_USAGE;
			break;
		case 'j':
			json = 1;
			break;
		case 'c':
			coll_path = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || nonce_hex == NULL) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!hex_decode_exact(nonce_hex, strlen(nonce_hex), nonce, 32, true)) {
		fprintf(stderr, "tmonctl: --nonce: expected 64 hex characters\n");
		return EXIT_USAGE;
	}
	tmon_err_clear(&err);
	if (read_file(argv[optind], MAX_UPSTREAM_BODY, &body, &len, &err) !=
	    TMON_OK) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		return EXIT_USAGE;
	}
	memset(&ctx, 0, sizeof(ctx));
	if (coll_path != NULL) {
		if (read_file(coll_path, MAX_UPSTREAM_BODY, &ctext, &clen, &err)
		    != TMON_OK) {
			fprintf(stderr, "tmonctl: %s\n", err.msg);
			free(body);
			return EXIT_USAGE;
		}
		if (tdx_collateral_from_qvl_json(ctext, clen, &col, &err) !=
		    TMON_OK) {
			fprintf(stderr, "tmonctl: %s: %s\n", coll_path, err.msg);
			free(ctext);
			free(body);
			return EXIT_USAGE;
		}
		free(ctext);
		ctx.collateral = file_collateral;
		ctx.collateral_arg = col;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		tdx_collateral_free(col);
		free(body);
		return EXIT_USAGE;
	}
	ctx.vc = verify_ctx_new();
	attest_verify_ctx(body, len, nonce, at, &ctx, r);
	verify_ctx_free(ctx.vc);
	if (json)
		print_json(r, nonce, at);
	else
		print_table(r);
	rc = r->verdict == CHECK_FAIL ? EXIT_FAILED : EXIT_OK;
	tdx_collateral_free(col);
	free(r);
	free(body);
	return rc;
}

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
cmd_audit(int argc, char *argv[])
{
	struct store_verify_opts o;
	struct store_verify_result res;
	struct store *s = NULL;
	struct tmon_err err;
	struct audit_first first;
	char hhex[65];
	enum tmon_rc rc;

	if (argc != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	tmon_err_clear(&err);
	/* Read-only: never writes, never migrates (store_open STORE_RO). */
	if (store_open(argv[1], STORE_RO, &s, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: audit: %s\n", err.msg);
		return EXIT_USAGE;
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
		return EXIT_FAILED;
	}
	if (rc != TMON_OK) {
		fprintf(stderr, "tmonctl: audit: %s\n", err.msg);
		return EXIT_USAGE;
	}
	printf("audit: ok: %llu entries, %llu blobs: every leaf hash, the "
	    "hash chain, the indexed columns and every blob hash recompute "
	    "from the stored bytes; integrity_check ok\nhead: %s\n",
	    (unsigned long long)res.entries, (unsigned long long)res.blobs,
	    hex_encode(res.head, 32, hhex));
	return EXIT_OK;
}

/*
 * Subcommands.  Each takes its own argv (argv[0] is the command name) and
 * returns the process exit code.  Commands implemented in other files are
 * declared in ctl.h.
 */
static const struct ctl_cmd {
	const char	*name;
	int		(*fn)(int, char *[]);
} cmds[] = {
	{ "verify-attestation", cmd_verify_attestation },
	{ "audit", cmd_audit },
	CTL_EXTRA_COMMANDS
	{ NULL, NULL }
};

int
main(int argc, char *argv[])
{
	const struct ctl_cmd *c;

	log_init(0);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	for (c = cmds; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "tmonctl: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
