/*
 * cmd_bench_quote.c: tmonctl bench-quote, DCAP verifications per second
 * of one quote (ctl_dcap.h), warm (collateral parsed and verified once,
 * PCK chain cached) or cold (both redone every time).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ctl.h"
#include "ctl_dcap.h"
#include "tdx_collateral.h"
#include "tdx_verify.h"
#include "util.h"
#include "verify_ctx.h"
#include "xmalloc.h"

static int	bench_quote(int, char *[]);

const struct ctl_cmd ctl_cmd_bench_quote = {
	"bench-quote",
	"QUOTE --collateral FILE --at UNIX [-n N] [--cold]",
	"Time DCAP verifications of one quote (one thread, wall clock).",
	"The last line is \"verifications_per_sec <number>\".\n\n"
	"  QUOTE, --collateral FILE, --at UNIX   as for verify-quote (--at "
	"required)\n"
	"  -n N               verifications to time, 1..100000000 (default "
	"10000)\n"
	"  --cold             collateral parsed and verified, and the PCK "
	"chain cache\n"
	"                     emptied, every time (default: warm: "
	"collateral verified\n"
	"                     once, PCK chain cached)\n",
	"exit: 0 timed (whatever the verdict, printed first), 2 usage or I/O "
	"error\n",
	bench_quote
};

static int
bench_quote(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "collateral", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, 'a' },
		{ "cold", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	struct tdx_collateral *col = NULL;
	struct ctl_dcap *v;
	struct verify_ctx *vc;
	uint8_t *quote = NULL, *cj = NULL;
	size_t qlen, cjlen;
	const char *cpath = NULL;
	int64_t at = -1;
	uint64_t n = 10000, i, hits0, miss0, hits, miss;
	double w0, c0, wall, cpu;
	int ch, cold = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cpath = optarg;
			break;
		case 'a':
			if (!ctl_parse_at(optarg, &at))
				return CTL_EXIT_USAGE;
			break;
		case 'n':
			if (!parse_u64(optarg, 1, 100000000, &n)) {
				fprintf(stderr, "tmonctl: -n: not a count "
				    "1..100000000: \"%s\"\n", optarg);
				return CTL_EXIT_USAGE;
			}
			break;
		case 'C':
			cold = 1;
			break;
		default:
			ctl_usage(&ctl_cmd_bench_quote, stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || cpath == NULL || at < 0) {
		ctl_usage(&ctl_cmd_bench_quote, stderr);
		return CTL_EXIT_USAGE;
	}
	if ((rc = ctl_dcap_read_quote(argv[optind], &quote, &qlen)) !=
	    CTL_EXIT_OK)
		return rc;
	if ((rc = ctl_dcap_read_collateral(cpath, &cj, &cjlen)) !=
	    CTL_EXIT_OK) {
		free(quote);
		return rc;
	}
	v = xcalloc(1, sizeof(*v));
	vc = verify_ctx_new();

	/* One verification first: say what is being timed. */
	col = ctl_dcap_collateral(cj, cjlen, v);
	ctl_dcap_run(vc, quote, qlen, col, at, v);
	printf("quote %s: %s%s\n", argv[optind], v->verified ? "verified, " :
	    v->verdict == CHECK_FAIL ? "rejected: " : "not verified: ",
	    v->verified ? tdx_tcb_status_str(v->tcb.status) : v->error);
	if (cold) {
		tdx_collateral_free(col);
		col = NULL;
	}
	verify_ctx_stats(vc, &hits0, &miss0);

	w0 = ctl_clock_s(CLOCK_MONOTONIC);
	c0 = ctl_clock_s(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		if (cold) {
			verify_ctx_flush(vc);
			col = ctl_dcap_collateral(cj, cjlen, v);
		}
		ctl_dcap_run(vc, quote, qlen, col, at, v);
		if (cold) {
			tdx_collateral_free(col);
			col = NULL;
		}
	}
	wall = ctl_clock_s(CLOCK_MONOTONIC) - w0;
	cpu = ctl_clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	verify_ctx_stats(vc, &hits, &miss);
	if (wall <= 0)
		wall = 1e-9;
	if (cpu <= 0)
		cpu = 1e-9;

	printf("mode %s (%s)\n", cold ? "cold" : "warm", cold ?
	    "collateral parsed and verified, PCK chain cache emptied, every "
	    "time" : "collateral verified once, PCK chain cached");
	printf("runs %llu\n", (unsigned long long)n);
	printf("pck_cache_hits %llu misses %llu\n",
	    (unsigned long long)(hits - hits0),
	    (unsigned long long)(miss - miss0));
	printf("seconds %.4f (cpu %.4f)\n", wall, cpu);
	printf("us_per_verification %.2f\n", wall * 1e6 / (double)n);
	printf("cpu_verifications_per_sec %.1f\n", (double)n / cpu);
	printf("verifications_per_sec %.1f\n", (double)n / wall);
	tdx_collateral_free(col);
	verify_ctx_free(vc);
	free(v);
	free(cj);
	free(quote);
	return CTL_EXIT_OK;
}
