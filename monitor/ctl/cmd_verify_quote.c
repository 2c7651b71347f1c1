/*
 * cmd_verify_quote.c: tmonctl verify-quote, DCAP verification of one TDX
 * (v4/v5) or SGX (v3) quote with Intel collateral from a file
 * (ctl_dcap.h), printed with the keys of the peer's verify result (npm
 * @phala/dcap-qvl 0.3.9).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "checklist.h"
#include "ctl.h"
#include "ctl_dcap.h"
#include "encode.h"
#include "log.h"
#include "tdx_collateral.h"
#include "tdx_quote.h"
#include "tdx_tcb.h"
#include "util.h"
#include "verify_ctx.h"
#include "xmalloc.h"

static int	verify_quote(int, char *[]);

const struct ctl_cmd ctl_cmd_verify_quote = {
	"verify-quote",
	"QUOTE --collateral FILE [--at UNIX] [--json]",
	"DCAP-verify one TDX or SGX quote with Intel collateral from a file.",
	"Checks the quote's signatures, its PCK chain to the pinned Intel "
	"root, the\n"
	"collateral (signatures, validity at --at, revocation) and the TCB "
	"status.\n\n"
	"  QUOTE              binary TDX (v4/v5) or SGX (v3) quote, or hex "
	"text (optional\n"
	"                     0x, whitespace); other versions: error (exit "
	"3)\n"
	"  --collateral FILE  Intel collateral in the dcap-qvl JSON shape; "
	"expired or not\n"
	"                     yet valid at --at is error (exit 3)\n"
	"  --at UNIX          verification time, unix seconds (default: now)\n"
	"  --json             print the result as JSON (the peer's keys)\n",
	NULL,
	verify_quote
};

static json_t *
jhex(const uint8_t *p, size_t n)
{
	char buf[2 * 64 + 1];

	TMON_ASSERT(n <= 64);
	return json_string(hex_encode(p, n, buf));
}

static void
print_json(const struct ctl_dcap *v, const char *qpath, const char *cpath,
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
print_table(const struct ctl_dcap *v)
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
	(void)ctl_result(&v->cl, v->verdict, stdout);
}

static int
verify_quote(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "collateral", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const struct ctl_cmd *cmd = &ctl_cmd_verify_quote;
	struct tdx_collateral *col = NULL;
	struct ctl_dcap *v;
	struct verify_ctx *vc;
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
				return CTL_EXIT_USAGE;
			break;
		case 'j':
			json = 1;
			break;
		default:
			ctl_usage(cmd, stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || cpath == NULL) {
		ctl_usage(cmd, stderr);
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
	col = ctl_dcap_collateral(cj, cjlen, v);
	ctl_dcap_run(vc, quote, qlen, col, at, v);
	if (json)
		print_json(v, argv[optind], cpath, at);
	else
		print_table(v);
	rc = ctl_result(&v->cl, v->verdict, NULL);
	tdx_collateral_free(col);
	verify_ctx_free(vc);
	free(v);
	free(cj);
	free(quote);
	return rc;
}
