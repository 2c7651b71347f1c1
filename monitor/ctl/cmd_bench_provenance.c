/*
 * cmd_bench_provenance.c: tmonctl bench-provenance, Sigstore bundle
 * verifications per second of one GitHub attestations answer
 * (sigstore_verify_attestations, the code verify-provenance and tmond
 * run), with the trusted root and the answer's JSON parsed once.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "checklist.h"
#include "ctl.h"
#include "ctl_provenance.h"
#include "err.h"
#include "sigstore.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

static int	bench_provenance(int, char *[]);

const struct ctl_cmd ctl_cmd_bench_provenance = {
	"bench-provenance",
	"ATTESTATIONS.json --digest HEX --repo OWNER/NAME --at UNIX "
	"[--trusted-root FILE] [--workflow PATTERN] [--ref PATTERN] [-n N]",
	"Time Sigstore verifications of one attestations answer (one thread, "
	"wall clock).",
	"The last line is \"verifications_per_sec <number>\".  Each "
	"verification is\nsigstore_verify_attestations over the parsed "
	"answer: every bundle's DSSE\nsignature, Fulcio chain, identity "
	"policy, SCT, subject and Rekor entry, as\nverify-provenance checks "
	"them; the trusted root and the answer's JSON are\nparsed once.\n\n"
	"  ATTESTATIONS.json, --digest HEX, --repo OWNER/NAME, "
	"--trusted-root FILE,\n"
	"  --workflow PATTERN, --ref PATTERN   as for verify-provenance\n"
	"  --at UNIX          the time of the check, unix seconds (required)\n"
	"  -n N               verifications to time, 1..100000000 (default "
	"1000)\n",
	"exit: 0 timed (whatever the verdict, printed first), 2 usage or I/O "
	"error\n",
	bench_provenance
};

static enum verdict
run_once(const struct sigstore_root *root, const json_t *body,
    const struct sigstore_policy *pol, const uint8_t digest[32], int64_t at,
    struct checklist *cl)
{
	struct intoto_statement st;
	struct sigstore_result res;
	enum verdict v;

	checklist_init(cl);
	memset(&st, 0, sizeof(st));
	v = sigstore_verify_attestations(root, body, NULL, pol, digest, at,
	    &st, &res, cl);
	intoto_statement_free(&st);
	return v;
}

static int
bench_provenance(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "digest", required_argument, NULL, 'd' },
		{ "repo", required_argument, NULL, 'r' },
		{ "trusted-root", required_argument, NULL, 't' },
		{ "at", required_argument, NULL, 'a' },
		{ "workflow", required_argument, NULL, 'w' },
		{ "ref", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	const struct ctl_cmd *cmd = &ctl_cmd_bench_provenance;
	const char *digest_hex = NULL, *root_arg = NULL, *root_path;
	struct sigstore_root *root = NULL;
	struct sigstore_policy pol;
	struct checklist *cl;
	struct tjson_doc d;
	struct tmon_err err;
	char rootbuf[PATH_MAX];
	uint8_t digest[32], *text = NULL;
	json_t *body = NULL;
	size_t len = 0;
	int64_t at = -1;
	uint64_t n = 1000, i;
	double w0, c0, wall, cpu;
	enum verdict v;
	int ch, rc = CTL_EXIT_USAGE;

	memset(&pol, 0, sizeof(pol));
	pol.ref = SIGSTORE_DEFAULT_REF;
	cl = xcalloc(1, sizeof(*cl));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			digest_hex = optarg;
			break;
		case 'r':
			pol.repo = optarg;
			break;
		case 't':
			root_arg = optarg;
			break;
		case 'a':
			if (!ctl_parse_at(optarg, &at))
				goto out;
			break;
		case 'w':
			pol.workflow = optarg[0] != '\0' ? optarg : NULL;
			break;
		case 'f':
			pol.ref = optarg[0] != '\0' ? optarg : NULL;
			break;
		case 'n':
			if (!parse_u64(optarg, 1, 100000000, &n)) {
				fprintf(stderr, "tmonctl: -n: not a count "
				    "1..100000000: \"%s\"\n", optarg);
				goto out;
			}
			break;
		default:
			ctl_usage(cmd, stderr);
			goto out;
		}
	}
	if (optind + 1 != argc || digest_hex == NULL || pol.repo == NULL ||
	    at < 0) {
		ctl_usage(cmd, stderr);
		goto out;
	}
	if (!ctl_prov_read_answer(argv[optind], digest_hex, digest, &text,
	    &len))
		goto out;
	tmon_err_clear(&err);
	memset(&d, 0, sizeof(d));
	d.name = "attestations";
	d.err = &err;
	if (tjson_load(&d, text, len, MAX_SIGSTORE_API_BODY, TJSON_ANY,
	    &body) != TMON_OK) {
		fprintf(stderr, "tmonctl: %s: %s\n", argv[optind], err.msg);
		goto out;
	}
	root_path = ctl_sigstore_root_path(root_arg, rootbuf, sizeof(rootbuf));
	if ((root = ctl_sigstore_root_load(root_path, &err)) == NULL) {
		fprintf(stderr, "tmonctl: trusted root: %s\n", err.msg);
		goto out;
	}

	/* One verification first: say what is being timed. */
	v = run_once(root, body, &pol, digest, at, cl);
	printf("attestations %s: %s\n", argv[optind],
	    v == VERDICT_PASS ? "verified" : v == VERDICT_FAIL ? "rejected" :
	    "not verified");

	w0 = ctl_clock_s(CLOCK_MONOTONIC);
	c0 = ctl_clock_s(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++)
		(void)run_once(root, body, &pol, digest, at, cl);
	wall = ctl_clock_s(CLOCK_MONOTONIC) - w0;
	cpu = ctl_clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	if (wall <= 0)
		wall = 1e-9;
	if (cpu <= 0)
		cpu = 1e-9;

	printf("runs %llu\n", (unsigned long long)n);
	printf("seconds %.4f (cpu %.4f)\n", wall, cpu);
	printf("us_per_verification %.2f\n", wall * 1e6 / (double)n);
	printf("cpu_verifications_per_sec %.1f\n", (double)n / cpu);
	printf("verifications_per_sec %.1f\n", (double)n / wall);
	rc = CTL_EXIT_OK;
out:
	sigstore_root_free(root);
	json_decref(body);
	free(text);
	free(cl);
	return rc;
}
