/*
 * ctl_quote.c: tmonctl verify-quote and bench-quote (README "tmonctl").
 *
 *   tmonctl verify-quote QUOTE --collateral FILE [--at UNIX] [--json]
 *   tmonctl bench-quote QUOTE --collateral FILE --at UNIX [-n N] [--cold]
 *
 * QUOTE is a binary quote or a text file of hex (optional 0x, any
 * whitespace): TDX v4/v5, or SGX v3 (tdx_check_quote_any); FILE is
 * collateral in the dcap-qvl JSON shape
 * (tdx_collateral_from_qvl_json).  verify-quote runs tdx_check_quote and
 * tdx_check_collateral, the same code tmond uses, and prints the result
 * with the keys of the peer's verify result (npm @phala/dcap-qvl 0.3.9).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "checklist.h"
#include "ctl.h"
#include "encode.h"
#include "log.h"
#include "tdx_collateral.h"
#include "tdx_quote.h"
#include "tdx_tcb.h"
#include "tdx_verify.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/* The checks that make a DCAP verdict, in the order they are judged. */
static const char *const dcap_ids[] = {
	"tdx.quote.parse", "tdx.quote.signature", "tdx.pck_chain",
	"tdx.collateral", "tdx.tcb"
};
#define N_DCAP_IDS	(sizeof(dcap_ids) / sizeof(dcap_ids[0]))

static void
usage_verify(FILE *f)
{
	fprintf(f, "usage: tmonctl verify-quote QUOTE --collateral FILE "
	    "[--at UNIX] [--json]\n"
	    "  QUOTE  binary TDX (v4/v5) or SGX (v3) quote, or hex text "
	    "(optional 0x, whitespace)\n"
	    "  FILE   Intel collateral in the dcap-qvl JSON shape\n"
	    "  --at   verification time, unix seconds (default: now)\n"
	    "exit: 0 verified, 1 rejected, 2 usage or I/O error\n");
}

static void
usage_bench(FILE *f)
{
	fprintf(f, "usage: tmonctl bench-quote QUOTE --collateral FILE "
	    "--at UNIX [-n N] [--cold]\n"
	    "  warm (default): collateral parsed and verified once, then N "
	    "quote verifications\n"
	    "  --cold: collateral parsed and verified, and the PCK chain "
	    "cache emptied, every time\n"
	    "  the last line is \"verifications_per_sec <number>\" (one "
	    "thread, wall clock)\n");
}

/*
 * Read a quote file: binary, or hex text (whitespace and a leading 0x
 * allowed).  Caller frees *out.
 */
static int
read_quote(const char *path, uint8_t **out, size_t *outlen)
{
	struct tmon_err err;
	uint8_t *b = NULL, *q;
	size_t n, i, s, e;
	bool hex = true;

	tmon_err_clear(&err);
	if (read_file(path, 4 * (size_t)MAX_QUOTE_LEN, &b, &n, &err) !=
	    TMON_OK) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		return EXIT_USAGE;
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
		return EXIT_OK;
	}
	q = hex_decode_alloc((const char *)b + s, e - s, MAX_QUOTE_LEN, true,
	    outlen);
	free(b);
	if (q == NULL) {
		fprintf(stderr, "tmonctl: %s: hex text of odd length or over "
		    "%u bytes\n", path, MAX_QUOTE_LEN);
		return EXIT_USAGE;
	}
	*out = q;
	return EXIT_OK;
}

static int
read_collateral(const char *path, uint8_t **out, size_t *len)
{
	struct tmon_err err;

	tmon_err_clear(&err);
	if (read_file(path, MAX_COLLATERAL_JSON, out, len, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: %s\n", err.msg);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* One verification; the DCAP verdict is returned, details in the rest. */
struct vq {
	struct checklist	cl;
	struct tdx_quote	q;
	bool			parsed;
	struct tdx_tcb_result	tcb;
	bool			verified;
	const char		*error_id;	/* first check that is not ok */
	char			error[MAX_CHECK_DETAIL + MAX_CHECK_ID + 8];
	char			coll_err[320];
};

/*
 * Verified: the quote parses, its signatures and PCK chain hold, the
 * collateral verifies and is valid at the time, and the TCB is judged
 * (pass or warn).  Anything else is rejected, with the first check
 * that is not so as the error.
 */
static void
verdict(struct vq *v)
{
	const struct check *c;
	size_t i;

	v->verified = true;
	for (i = 0; i < N_DCAP_IDS; i++) {
		c = checklist_get(&v->cl, dcap_ids[i]);
		if (c != NULL && (c->status == CHECK_PASS ||
		    (c->status == CHECK_WARN && strcmp(dcap_ids[i],
		    "tdx.tcb") == 0)))
			continue;
		v->verified = false;
		v->error_id = dcap_ids[i];
		snprintf(v->error, sizeof(v->error), "%s: %s", dcap_ids[i],
		    c != NULL ? c->detail : "not checked");
		return;
	}
}

static void
run_once(const uint8_t *quote, size_t qlen, const struct tdx_collateral *col,
    int64_t at, struct vq *v)
{
	checklist_init(&v->cl);
	v->parsed = tdx_check_quote_any(quote, qlen, at, &v->q, &v->cl);
	if (v->parsed)
		tdx_check_collateral(&v->q, col, at, &v->cl, &v->tcb);
	else {
		memset(&v->tcb, 0, sizeof(v->tcb));
		checklist_set(&v->cl, "tdx.collateral", CHECK_SKIP,
		    "not checked: quote did not parse");
		checklist_set(&v->cl, "tdx.tcb", CHECK_SKIP,
		    "not checked: quote did not parse");
	}
}

static json_t *
jhex(const uint8_t *p, size_t n)
{
	char buf[2 * 64 + 1];

	TMON_ASSERT(n <= 64);
	return json_string(hex_encode(p, n, buf));
}

static void
print_json(const struct vq *v, const char *qpath, const char *cpath,
    int64_t at)
{
	const struct tdx_td_report *r = &v->q.report;
	const struct check *c;
	json_t *o, *checks, *adv, *tcb;
	char when[32];
	size_t i;
	char *s;

	o = json_object();
	json_object_set_new(o, "quote", json_string(qpath));
	json_object_set_new(o, "collateral", json_string(cpath));
	json_object_set_new(o, "now", json_integer((json_int_t)at));
	json_object_set_new(o, "now_iso", json_string(fmt_time(at, when,
	    sizeof(when))));
	json_object_set_new(o, "verifier", json_string("tmon"));
	if (v->parsed && v->q.version == 3) {
		/* an SGX quote: the enclave's report, as the peer prints it */
		json_object_set_new(o, "quote_version", json_integer(3));
		json_object_set_new(o, "tee_type", json_string("0x0"));
		json_object_set_new(o, "body_type", json_string("sgx"));
		json_object_set_new(o, "mr_enclave", jhex(v->q.sgx.mrenclave,
		    32));
		json_object_set_new(o, "mr_signer", jhex(v->q.sgx.mrsigner, 32));
		json_object_set_new(o, "isv_prod_id",
		    json_integer(v->q.sgx.isvprodid));
		json_object_set_new(o, "isv_svn", json_integer(v->q.sgx.isvsvn));
		json_object_set_new(o, "report_data", jhex(v->q.sgx.report_data,
		    64));
		if (v->q.pck_ok)
			json_object_set_new(o, "fmspc", jhex(v->q.pck.fmspc, 6));
	} else if (v->parsed) {
		json_object_set_new(o, "quote_version",
		    json_integer(v->q.version));
		json_object_set_new(o, "tee_type", json_string("0x81"));
		json_object_set_new(o, "body_type", json_string(
		    v->q.body_type == TDX_BODY_TD15 ? "td15" : "td10"));
		json_object_set_new(o, "tee_tcb_svn", jhex(r->tee_tcb_svn, 16));
		json_object_set_new(o, "mr_seam", jhex(r->mrseam, 48));
		json_object_set_new(o, "td_attributes",
		    jhex(r->td_attributes, 8));
		json_object_set_new(o, "xfam", jhex(r->xfam, 8));
		json_object_set_new(o, "mrtd", jhex(r->mrtd, 48));
		json_object_set_new(o, "mr_config_id", jhex(r->mr_config_id,
		    48));
		json_object_set_new(o, "rtmr0", jhex(r->rtmr[0], 48));
		json_object_set_new(o, "rtmr1", jhex(r->rtmr[1], 48));
		json_object_set_new(o, "rtmr2", jhex(r->rtmr[2], 48));
		json_object_set_new(o, "rtmr3", jhex(r->rtmr[3], 48));
		json_object_set_new(o, "report_data", jhex(r->report_data, 64));
		if (v->q.body_type == TDX_BODY_TD15) {
			json_object_set_new(o, "tee_tcb_svn2",
			    jhex(r->tee_tcb_svn2, 16));
			json_object_set_new(o, "mr_service_td",
			    jhex(r->mr_servicetd, 48));
		}
		if (v->q.pck_ok)
			json_object_set_new(o, "fmspc", jhex(v->q.pck.fmspc, 6));
	}
	/*
	 * status and advisory_ids as the peer prints them: the TCB status
	 * of a verified quote, null when rejected (a rejected quote's TCB
	 * status, if one was reached, is in "tcb").
	 */
	if (v->verified) {
		json_object_set_new(o, "status",
		    json_string(tdx_tcb_status_str(v->tcb.status)));
		adv = json_array();
		for (i = 0; i < v->tcb.n_advisory; i++)
			json_array_append_new(adv,
			    json_string(v->tcb.advisory[i].id));
		json_object_set_new(o, "advisory_ids", adv);
	} else {
		json_object_set_new(o, "status", json_null());
		json_object_set_new(o, "advisory_ids", json_null());
	}
	json_object_set_new(o, "verified", json_boolean(v->verified));
	json_object_set_new(o, "error", v->verified ? json_null() :
	    json_string(v->error));
	if (v->tcb.status != TDX_TCB_UNKNOWN || v->tcb.sgx_level >= 0) {
		tcb = json_object();
		json_object_set_new(tcb, "status", v->tcb.status !=
		    TDX_TCB_UNKNOWN ? json_string(tdx_tcb_status_str(
		    v->tcb.status)) : json_null());
		json_object_set_new(tcb, "tcb_evaluation_data_number",
		    json_integer(v->tcb.tcb_eval_num));
		json_object_set_new(tcb, "sgx_level_status", json_string(
		    tdx_tcb_status_str(v->tcb.sgx_status)));
		if (v->tcb.tdx_level >= 0) {
			json_object_set_new(tcb, "tdx_level_status", json_string(
			    tdx_tcb_status_str(v->tcb.tdx_status)));
			json_object_set_new(tcb, "tdx_level_tcb_date",
			    json_string(fmt_time(v->tcb.tcb_date, when,
			    sizeof(when))));
		}
		json_object_set_new(tcb, "tdx_module", json_string(
		    v->tcb.module_id));
		json_object_set_new(tcb, "tdx_module_status", json_string(
		    tdx_tcb_status_str(v->tcb.module_status)));
		json_object_set_new(tcb, "qe_isvsvn",
		    json_integer(v->tcb.qe_isvsvn));
		json_object_set_new(tcb, "qe_status", json_string(
		    tdx_tcb_status_str(v->tcb.qe_status)));
		json_object_set_new(o, "tcb", tcb);
	}
	checks = json_object();
	for (i = 0; i < v->cl.n; i++) {
		c = &v->cl.items[i];
		json_object_set_new(checks, c->id, json_pack("{s:s,s:s}",
		    "status", check_status_str(c->status), "detail",
		    c->detail));
	}
	json_object_set_new(o, "checks", checks);
	if (v->coll_err[0] != '\0')
		json_object_set_new(o, "collateral_error",
		    json_string(v->coll_err));
	s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	printf("%s\n", s != NULL ? s : "{}");
	free(s);
	json_decref(o);
}

static void
print_table(const struct vq *v)
{
	size_t i;

	ctl_print_checks(&v->cl);
	printf("\nstatus: %s\n", v->verified ?
	    tdx_tcb_status_str(v->tcb.status) : "-");
	if (v->verified && v->tcb.n_advisory > 0) {
		printf("advisory_ids:");
		for (i = 0; i < v->tcb.n_advisory; i++)
			printf(" %s", v->tcb.advisory[i].id);
		printf("\n");
	}
	printf("verified: %s\n", v->verified ? "yes" : "no");
	if (!v->verified)
		printf("error: %s\n", v->error);
}

/*
 * Build the collateral; a file that does not parse is a rejection
 * (hostile content), reported as tdx.collateral fail.
 */
static struct tdx_collateral *
collateral_build(const uint8_t *cj, size_t cjlen, struct vq *v)
{
	struct tdx_collateral *col = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	v->coll_err[0] = '\0';
	if (tdx_collateral_from_qvl_json(cj, cjlen, &col, &err) != TMON_OK) {
		snprintf(v->coll_err, sizeof(v->coll_err), "%s: %s",
		    tmon_rc_str(err.code), err.msg);
		return NULL;
	}
	return col;
}

int
ctl_verify_quote(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "collateral", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tdx_collateral *col = NULL;
	struct vq *v;
	uint8_t *quote = NULL, *cj = NULL;
	size_t qlen, cjlen;
	const char *cpath = NULL;
	int64_t at = (int64_t)time(NULL);
	int ch, json = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cpath = optarg;
			break;
		case 'a':
			if (!ctl_parse_at(optarg, &at))
				return EXIT_USAGE;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage_verify(stdout);
			return EXIT_OK;
		default:
			usage_verify(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || cpath == NULL) {
		usage_verify(stderr);
		return EXIT_USAGE;
	}
	if ((rc = read_quote(argv[optind], &quote, &qlen)) != EXIT_OK)
		return rc;
	if ((rc = read_collateral(cpath, &cj, &cjlen)) != EXIT_OK) {
		free(quote);
		return rc;
	}
	v = xcalloc(1, sizeof(*v));
	col = collateral_build(cj, cjlen, v);
	run_once(quote, qlen, col, at, v);
	if (col == NULL && v->parsed)
		checklist_set(&v->cl, "tdx.collateral", CHECK_FAIL,
		    "collateral file rejected: %s", v->coll_err);
	verdict(v);
	if (json)
		print_json(v, argv[optind], cpath, at);
	else
		print_table(v);
	rc = v->verified ? EXIT_OK : EXIT_FAILED;
	tdx_collateral_free(col);
	free(v);
	free(cj);
	free(quote);
	return rc;
}

static double
seconds(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
ctl_bench_quote(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "collateral", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, 'a' },
		{ "cold", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tdx_collateral *col = NULL;
	struct vq *v;
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
				return EXIT_USAGE;
			break;
		case 'n':
			if (!parse_u64(optarg, 1, 100000000, &n)) {
				fprintf(stderr, "tmonctl: -n: not a count "
				    "1..100000000: \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'C':
			cold = 1;
			break;
		case 'h':
			usage_bench(stdout);
			return EXIT_OK;
		default:
			usage_bench(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || cpath == NULL || at < 0) {
		usage_bench(stderr);
		return EXIT_USAGE;
	}
	if ((rc = read_quote(argv[optind], &quote, &qlen)) != EXIT_OK)
		return rc;
	if ((rc = read_collateral(cpath, &cj, &cjlen)) != EXIT_OK) {
		free(quote);
		return rc;
	}
	v = xcalloc(1, sizeof(*v));

	/* One verification first: say what is being timed. */
	col = collateral_build(cj, cjlen, v);
	run_once(quote, qlen, col, at, v);
	verdict(v);
	printf("quote %s: %s%s%s\n", argv[optind], v->verified ?
	    "verified, " : "rejected: ", v->verified ?
	    tdx_tcb_status_str(v->tcb.status) : v->error, "");
	if (cold) {
		tdx_collateral_free(col);
		col = NULL;
	}
	tdx_pck_cache_stats(&hits0, &miss0);

	w0 = seconds(CLOCK_MONOTONIC);
	c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		if (cold) {
			tdx_pck_cache_flush();
			col = collateral_build(cj, cjlen, v);
		}
		run_once(quote, qlen, col, at, v);
		if (cold) {
			tdx_collateral_free(col);
			col = NULL;
		}
	}
	wall = seconds(CLOCK_MONOTONIC) - w0;
	cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
	tdx_pck_cache_stats(&hits, &miss);
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
	free(v);
	free(cj);
	free(quote);
	return EXIT_OK;
}
