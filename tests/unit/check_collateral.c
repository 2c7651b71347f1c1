/*
 * Unit tests for monitor/verify/tdx_tcb.c and tdx_collateral.c:
 *
 *   - Intel's TCB rules (tdx_tcb_evaluate) on TCB Info / QE Identity
 *     texts written here, against a quote struct filled by hand.  Every
 *     expected status is derived from Intel's QVL sources named in
 *     tdx_tcb.h (TcbLevelCheck.cpp, TdxModuleCheck.cpp,
 *     TDRelaunchCheck.cpp, EnclaveReportVerifier.cpp), not from tmon.
 *   - Hostile collateral made at run time from the real gemma
 *     collateral (tests/data/dcap): duplicated JSON keys, a re-serialised
 *     tcbInfo, CRLs with a bad signature, a future issueDate, an FMSPC
 *     mismatch, truncations and limits.
 *   - A test PKI generated at run time (root, TCB Signing, PCK Platform
 *     CA, PCK leaf with an SGX extension) for what needs validly signed
 *     but wrong collateral: a revoked PCK leaf or CA, a CRL of another
 *     CA, a validly signed future issueDate, chains to another root.
 *
 * Runs in about a second.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "checklist.h"
#include "encode.h"
#include "tdx_collateral.h"
#include "tdx_quote.h"
#include "tdx_tcb.h"
#include "tdx_verify.h"
#include "tmon_limits.h"
#include "util.h"
#include "testverify.h"

#define DATA		TMON_TEST_DATA "/dcap/evidence/"
#define GEMMA_DIR	DATA "teep/nanogpt_tee_gemma-3-27b-it_20260610_014905/"
#define GEMMA_QUOTE	GEMMA_DIR "quotes/0001_9bb86ec10ac9.bin"
#define GEMMA_COLL	GEMMA_DIR "collateral_90c06f000000.json"
#define GEMMA_TCB_BODY	GEMMA_DIR "pcs/0002_api.trustedservices.intel.com_tdx_certification_v4_tcb.body"
#define GEMMA_TIME	1781056145

/* v4 offsets with 32 bytes of QE auth data (tdx_quote.h). */
#define V4_SIG_DATA_LEN	632
#define V4_CERT_SIZE	766
#define V4_QE_REPORT	770
#define V4_QE_SIG	1154
#define V4_PEM_SIZE	1254
#define V4_PEM		1258

/* The TD_QE identity values (Intel PCS v4 tdx/certification/v4/qe/identity). */
#define QE_MRSIGNER	"DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5"

static uint8_t *
load(const char *path, size_t *len)
{
	struct tmon_err err;
	uint8_t *b = NULL;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 4u << 20, &b, len, &err) == TMON_OK,
	    "read %s: %s", path, err.msg);
	return b;
}

static char * __attribute__((format(printf, 1, 2)))
xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&s, fmt, ap), 0);
	va_end(ap);
	return s;
}

static void
assert_check(const struct checklist *cl, const char *id,
    enum check_status st, const char *substr)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "check %s not set", id);
	ck_assert_msg(c->status == st, "%s: status %s, want %s (%s)", id,
	    check_status_str(c->status), check_status_str(st), c->detail);
	if (substr != NULL)
		ck_assert_msg(strstr(c->detail, substr) != NULL,
		    "%s: detail \"%s\" lacks \"%s\"", id, c->detail, substr);
}

/* ---- TCB Info / QE Identity texts ---- */

struct lv {
	const char	*sgx;		/* 16 SVNs as 32 hex digits */
	int		 pcesvn;
	const char	*tdx;		/* 16 SVNs as 32 hex digits */
	const char	*status;
	const char	*adv;		/* "\"A\",\"B\"" or NULL */
};

static char *
components(const char *hex32)
{
	uint8_t v[16];
	char *s, *t;
	size_t i;

	ck_assert(hex_decode_exact(hex32, 32, v, 16, false));
	s = xprintf("[");
	for (i = 0; i < 16; i++) {
		t = xprintf("%s%s{\"svn\":%u}", s, i ? "," : "", v[i]);
		free(s);
		s = t;
	}
	t = xprintf("%s]", s);
	free(s);
	return t;
}

/* The default TDX module part: TDX_01 with levels isvsvn 4 / 2. */
#define MODULES \
	"\"tdxModule\":{\"mrsigner\":\"" Z48 "\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"}," \
	"\"tdxModuleIdentities\":[{\"id\":\"TDX_01\",\"mrsigner\":\"" Z48 "\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"," \
	"\"tcbLevels\":[{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}," \
	"{\"tcb\":{\"isvsvn\":2},\"tcbDate\":\"2023-08-09T00:00:00Z\",\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"INTEL-SA-MOD\"]}]}]"
#define Z48 "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

static char *
tcb_text(const char *id, const char *fmspc, const char *modules,
    const char *issue, const struct lv *lv, size_t n)
{
	char *levels = xprintf("%s", ""), *t, *sgx, *tdx;
	size_t i;

	for (i = 0; i < n; i++) {
		sgx = components(lv[i].sgx);
		tdx = lv[i].tdx != NULL ? components(lv[i].tdx) : NULL;
		t = xprintf("%s%s{\"tcb\":{\"sgxtcbcomponents\":%s,"
		    "\"pcesvn\":%d%s%s},\"tcbDate\":\"2024-03-13T00:00:00Z\","
		    "\"tcbStatus\":\"%s\"%s%s%s}", levels, i ? "," : "", sgx,
		    lv[i].pcesvn, tdx != NULL ? ",\"tdxtcbcomponents\":" : "",
		    tdx != NULL ? tdx : "", lv[i].status,
		    lv[i].adv != NULL ? ",\"advisoryIDs\":[" : "",
		    lv[i].adv != NULL ? lv[i].adv : "",
		    lv[i].adv != NULL ? "]" : "");
		free(levels);
		free(sgx);
		free(tdx);
		levels = t;
	}
	t = xprintf("{\"id\":\"%s\",\"version\":3,\"issueDate\":\"%s\","
	    "\"nextUpdate\":\"2026-07-10T00:56:35Z\",\"fmspc\":\"%s\","
	    "\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":19,"
	    "%s%s\"tcbLevels\":[%s]}", id, issue, fmspc, modules,
	    modules[0] != '\0' ? "," : "", levels);
	free(levels);
	return t;
}

static char *
qe_text(const char *id, const char *mrsigner, const char *levels,
    const char *issue)
{
	return xprintf("{\"id\":\"%s\",\"version\":2,\"issueDate\":\"%s\","
	    "\"nextUpdate\":\"2026-07-10T00:36:28Z\","
	    "\"tcbEvaluationDataNumber\":19,\"miscselect\":\"00000000\","
	    "\"miscselectMask\":\"FFFFFFFF\",\"attributes\":"
	    "\"11000000000000000000000000000000\",\"attributesMask\":"
	    "\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"%s\","
	    "\"isvprodid\":2,\"tcbLevels\":%s}", id, issue, mrsigner, levels);
}

#define QE_LEVELS "[{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}," \
	"{\"tcb\":{\"isvsvn\":2},\"tcbDate\":\"2023-08-09T00:00:00Z\",\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"INTEL-SA-QE\"]}]"

/* A quote as tdx_check_quote would leave it, with the platform's values. */
static void
fake_quote(struct tdx_quote *q)
{
	static const uint8_t comp[16] = { 3, 3, 2, 2, 4, 1, 0, 3 };
	static const uint8_t svn[16] = { 4, 1, 7 };

	memset(q, 0, sizeof(*q));
	q->version = 4;
	q->body_type = TDX_BODY_TD10;
	q->pck_ok = true;
	memcpy(q->pck.fmspc, "\x90\xc0\x6f\x00\x00\x00", 6);
	memcpy(q->pck.tcb_comp_svn, comp, 16);
	q->pck.pcesvn = 13;
	memcpy(q->report.tee_tcb_svn, svn, 16);
	ck_assert(hex_decode_exact(QE_MRSIGNER, 64, q->qe.mrsigner, 32, false));
	q->qe.isvprodid = 2;
	q->qe.attributes[0] = 0x11;
	q->qe.isvsvn = 4;
}

struct tcb_case {
	const char		*name;
	struct lv		 lv[4];
	size_t			 n;
	enum tdx_tcb_verdict	 verdict;
	enum tdx_tcb_status	 status;
	const char		*adv;		/* joined ids, or why substr */
};

#define SGX_HI	"03030202040100030000000000000000"	/* = the PCK's */
#define SGX_MID	"02020202030100030000000000000000"
#define SGX_TOP	"04040202040100030000000000000000"	/* above the PCK */
#define TDX_OK	"05000700000000000000000000000000"	/* [0] 5 > 4 */
#define TDX_HI2	"00000800000000000000000000000000"	/* [2] 8 > 7 */
#define TDX_LO	"00000500000000000000000000000000"

/*
 * The PCK has SGX SVNs SGX_HI / PCESVN 13 and TEE_TCB_SVN 04 01 07 (TDX
 * module TDX_01 ISVSVN 4).  Expected results by Intel's rules.
 */
static const struct tcb_case tcb_cases[] = {
	/* TcbLevelCheck: [1] = 1 > 0 so TDX bytes 0-1 are skipped: the
	 * first level matches although TDX [0] 5 > 4 (the peer: no). */
	{ "skip bytes 0-1", { { SGX_HI, 13, TDX_OK, "UpToDate", NULL } }, 1,
	    TDX_TCB_OK, TDX_TCB_UP_TO_DATE, "" },
	/* the first level's SGX SVNs are above the PCK: the second */
	{ "second level", { { SGX_TOP, 13, TDX_LO, "UpToDate", NULL },
	    { SGX_MID, 13, TDX_LO, "OutOfDate", "\"INTEL-SA-1\",\"INTEL-SA-2\"" } },
	    2, TDX_TCB_OK, TDX_TCB_OUT_OF_DATE, "INTEL-SA-1,INTEL-SA-2" },
	/* PCESVN 14 > 13 at the first level */
	{ "pcesvn", { { SGX_HI, 14, TDX_LO, "UpToDate", NULL },
	    { SGX_HI, 12, TDX_LO, "SWHardeningNeeded", "\"INTEL-SA-3\"" } }, 2,
	    TDX_TCB_OK, TDX_TCB_SW_HARDENING_NEEDED, "INTEL-SA-3" },
	/* SGX level is the first, TDX level the second (byte 2: 8 > 7) */
	{ "tdx level after sgx level", { { SGX_HI, 13, TDX_HI2, "UpToDate",
	    NULL }, { SGX_HI, 12, TDX_LO, "ConfigurationNeeded",
	    "\"INTEL-SA-4\"" } }, 2, TDX_TCB_OK, TDX_TCB_CONFIGURATION_NEEDED,
	    "INTEL-SA-4" },
	{ "no sgx level", { { SGX_TOP, 13, TDX_LO, "UpToDate", NULL } }, 1,
	    TDX_TCB_BAD, TDX_TCB_NOT_SUPPORTED, "SGX TCB" },
	{ "no tdx level", { { SGX_HI, 13, TDX_HI2, "UpToDate", NULL } }, 1,
	    TDX_TCB_BAD, TDX_TCB_NOT_SUPPORTED, "TEE_TCB_SVN" },
	{ "revoked", { { SGX_HI, 13, TDX_LO, "Revoked", "\"INTEL-SA-5\"" } },
	    1, TDX_TCB_BAD, TDX_TCB_REVOKED, "Revoked" },
	{ "config and swh", { { SGX_HI, 13, TDX_LO,
	    "ConfigurationAndSWHardeningNeeded", "\"INTEL-SA-6\"" } }, 1,
	    TDX_TCB_OK, TDX_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	    "INTEL-SA-6" },
	/* served out of order: Intel's ordered set puts SGX_HI first */
	{ "sorted", { { SGX_MID, 13, TDX_LO, "OutOfDate", NULL },
	    { SGX_HI, 13, TDX_LO, "UpToDate", NULL } }, 2,
	    TDX_TCB_OK, TDX_TCB_UP_TO_DATE, "" },
};
#define N_TCB_CASES	(sizeof(tcb_cases) / sizeof(tcb_cases[0]))

static void
joined(const struct tdx_tcb_result *r, char *out, size_t outsz)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < r->n_advisory; i++)
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", i ? "," : "",
		    r->advisory[i].id);
}

static void
evaluate(const struct tdx_quote *q, const char *tcb, const char *qe,
    struct tdx_tcb_result *r)
{
	struct tdx_tcb_info *ti = NULL;
	struct tdx_qe_identity *qi = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(tdx_tcb_info_parse((const uint8_t *)tcb, strlen(tcb),
	    &ti, &err) == TMON_OK, "tcb: %s", err.msg);
	ck_assert_msg(tdx_qe_identity_parse((const uint8_t *)qe, strlen(qe),
	    &qi, &err) == TMON_OK, "qe: %s", err.msg);
	tdx_tcb_evaluate(q, ti, qi, r);
	tdx_tcb_info_free(ti);
	tdx_qe_identity_free(qi);
}

START_TEST(test_tcb_levels)
{
	const struct tcb_case *c = &tcb_cases[_i];
	struct tdx_quote q;
	struct tdx_tcb_result r;
	char *tcb, *qe, adv[512];

	fake_quote(&q);
	tcb = tcb_text("TDX", "90c06f000000", MODULES, "2026-06-10T00:56:35Z",
	    c->lv, c->n);
	qe = qe_text("TD_QE", QE_MRSIGNER, QE_LEVELS, "2026-06-10T00:36:28Z");
	evaluate(&q, tcb, qe, &r);
	ck_assert_msg(r.verdict == c->verdict, "%s: verdict %d (%s)",
	    c->name, r.verdict, r.why);
	ck_assert_msg(r.status == c->status, "%s: status %s", c->name,
	    tdx_tcb_status_str(r.status));
	if (r.verdict == TDX_TCB_OK) {
		joined(&r, adv, sizeof(adv));
		ck_assert_msg(strcmp(adv, c->adv) == 0, "%s: advisories %s",
		    c->name, adv);
	} else
		ck_assert_msg(strstr(r.why, c->adv) != NULL, "%s: why %s",
		    c->name, r.why);
	free(tcb);
	free(qe);
}
END_TEST

/* The TDX module identity, QE identity and their convergence. */
START_TEST(test_tcb_module_and_qe)
{
	static const struct lv up = { SGX_HI, 13, TDX_LO, "UpToDate",
	    "\"INTEL-SA-P\"" };
	static const struct lv conf = { SGX_HI, 13, TDX_LO,
	    "ConfigurationNeeded", "\"INTEL-SA-P\"" };
	struct tdx_quote q;
	struct tdx_tcb_result r;
	char *tcb, *qe, *t, adv[256];

	qe = qe_text("TD_QE", QE_MRSIGNER, QE_LEVELS, "2026-06-10T00:36:28Z");
	tcb = tcb_text("TDX", "90c06f000000", MODULES, "2026-06-10T00:56:35Z",
	    &up, 1);

	/* module ISVSVN 3: second module level, OutOfDate: converges. */
	fake_quote(&q);
	q.report.tee_tcb_svn[0] = 3;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_OK);
	ck_assert_int_eq(r.status, TDX_TCB_OUT_OF_DATE);
	ck_assert_int_eq(r.module_status, TDX_TCB_OUT_OF_DATE);
	ck_assert_str_eq(r.module_id, "TDX_01");
	joined(&r, adv, sizeof(adv));
	ck_assert_str_eq(adv, "INTEL-SA-P,INTEL-SA-MOD");
	/* module ISVSVN 1: below every module level */
	q.report.tee_tcb_svn[0] = 1;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
	ck_assert_ptr_nonnull(strstr(r.why, "below every level"));
	/* module version 3: no TDX_03 identity */
	fake_quote(&q);
	q.report.tee_tcb_svn[1] = 3;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
	ck_assert_ptr_nonnull(strstr(r.why, "TDX_03"));
	/* module version 0: bytes 0-1 compared too, base tdxModule signer */
	fake_quote(&q);
	q.report.tee_tcb_svn[1] = 0;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_OK);
	ck_assert_str_eq(r.module_id, "");
	q.report.tee_tcb_svn[1] = 0;
	q.report.tee_tcb_svn[0] = 0;
	free(tcb);
	{
		static const struct lv five = { SGX_HI, 13, TDX_OK, "UpToDate",
		    NULL };

		tcb = tcb_text("TDX", "90c06f000000", MODULES,
		    "2026-06-10T00:56:35Z", &five, 1);
		evaluate(&q, tcb, qe, &r);
		ck_assert_int_eq(r.verdict, TDX_TCB_BAD);	/* 0 < 5 */
		free(tcb);
	}
	tcb = tcb_text("TDX", "90c06f000000", MODULES, "2026-06-10T00:56:35Z",
	    &up, 1);
	/* MRSIGNERSEAM and SEAMATTRIBUTES */
	fake_quote(&q);
	q.report.mrsignerseam[47] = 1;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
	ck_assert_ptr_nonnull(strstr(r.why, "MRSIGNERSEAM"));
	fake_quote(&q);
	q.report.seam_attributes[0] = 1;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
	ck_assert_ptr_nonnull(strstr(r.why, "SEAMATTRIBUTES"));

	/* QE identity policy */
	fake_quote(&q);
	q.qe.mrsigner[0] ^= 1;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
	ck_assert_ptr_nonnull(strstr(r.why, "MRSIGNER"));
	fake_quote(&q);
	q.qe.isvprodid = 1;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
	ck_assert_ptr_nonnull(strstr(r.why, "ISVPRODID"));
	fake_quote(&q);
	q.qe.attributes[0] |= 0x02;	/* DEBUG */
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
	fake_quote(&q);
	q.qe.attributes[0] |= 0x04;	/* masked out by FB */
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_OK);
	fake_quote(&q);
	q.qe.miscselect = 1;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
	ck_assert_ptr_nonnull(strstr(r.why, "MISCSELECT"));
	/* QE ISVSVN 3: QE OutOfDate turns UpToDate into OutOfDate */
	fake_quote(&q);
	q.qe.isvsvn = 3;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_OK);
	ck_assert_int_eq(r.status, TDX_TCB_OUT_OF_DATE);
	ck_assert_int_eq(r.qe_status, TDX_TCB_OUT_OF_DATE);
	joined(&r, adv, sizeof(adv));
	ck_assert_str_eq(adv, "INTEL-SA-P,INTEL-SA-QE");
	/* QE ISVSVN 1: below every QE level: not supported */
	q.qe.isvsvn = 1;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
	ck_assert_int_eq(r.status, TDX_TCB_NOT_SUPPORTED);
	free(tcb);

	/*
	 * Intel, not the peer: QE OutOfDate with a ConfigurationNeeded
	 * platform is OutOfDateConfigurationNeeded (TcbLevelCheck.cpp
	 * convergeTcbStatusWithQeTcbStatus); the peer's "worst" would say
	 * OutOfDate.
	 */
	tcb = tcb_text("TDX", "90c06f000000", MODULES, "2026-06-10T00:56:35Z",
	    &conf, 1);
	fake_quote(&q);
	q.qe.isvsvn = 3;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.status, TDX_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
	/* module OutOfDate with ConfigurationNeeded: the same convergence */
	fake_quote(&q);
	q.report.tee_tcb_svn[0] = 3;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.status, TDX_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);

	/* A revoked QE level: Revoked */
	free(qe);
	qe = qe_text("TD_QE", QE_MRSIGNER, "[{\"tcb\":{\"isvsvn\":4},"
	    "\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"Revoked\"}]",
	    "2026-06-10T00:36:28Z");
	fake_quote(&q);
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
	ck_assert_int_eq(r.status, TDX_TCB_REVOKED);

	/* Collateral that cannot judge this quote: CANNOT, not BAD. */
	free(qe);
	qe = qe_text("QE", QE_MRSIGNER, QE_LEVELS, "2026-06-10T00:36:28Z");
	fake_quote(&q);
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_CANNOT);
	ck_assert_ptr_nonnull(strstr(r.why, "TD_QE"));
	free(qe);
	qe = qe_text("TD_QE", QE_MRSIGNER, QE_LEVELS, "2026-06-10T00:36:28Z");
	free(tcb);
	tcb = tcb_text("TDX", "b0c06f000000", MODULES, "2026-06-10T00:56:35Z",
	    &up, 1);
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_CANNOT);
	ck_assert_ptr_nonnull(strstr(r.why, "FMSPC mismatch: the PCK "
	    "certificate says 90c06f000000, the TCB Info is for b0c06f000000"));
	q.pck.pceid[1] = 1;
	free(tcb);
	tcb = tcb_text("TDX", "90C06F000000", MODULES, "2026-06-10T00:56:35Z",
	    &up, 1);
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_CANNOT);
	ck_assert_ptr_nonnull(strstr(r.why, "PCE-ID mismatch"));
	free(tcb);
	{
		static const struct lv sgx = { SGX_HI, 13, NULL, "UpToDate",
		    NULL };

		tcb = tcb_text("SGX", "90c06f000000", "",
		    "2026-06-10T00:56:35Z", &sgx, 1);
		fake_quote(&q);
		evaluate(&q, tcb, qe, &r);
		ck_assert_int_eq(r.verdict, TDX_TCB_CANNOT);
		ck_assert_ptr_nonnull(strstr(r.why, "SGX"));
		free(tcb);
	}
	/* No tdxModuleIdentities for a module version > 0: cannot */
	tcb = tcb_text("TDX", "90c06f000000", "\"tdxModule\":{\"mrsigner\":\""
	    Z48 "\",\"attributes\":\"0000000000000000\",\"attributesMask\":"
	    "\"FFFFFFFFFFFFFFFF\"}", "2026-06-10T00:56:35Z", &up, 1);
	fake_quote(&q);
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_CANNOT);
	free(tcb);

	/* PCK leaf unread: cannot */
	tcb = tcb_text("TDX", "90c06f000000", MODULES, "2026-06-10T00:56:35Z",
	    &up, 1);
	fake_quote(&q);
	q.pck_ok = false;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_CANNOT);

	/*
	 * TD 1.5 relaunch (TDRelaunchCheck.cpp): platform and module out of
	 * date, QE up to date, TEE_TCB_SVN2 meeting the latest level (module
	 * TDX_01 ISVSVN 4, TDX byte 2 >= 7): TDRelaunchAdvised.
	 */
	free(tcb);
	{
		static const struct lv two[] = {
			{ SGX_HI, 13, "00000800000000000000000000000000",
			    "UpToDate", NULL },
			{ SGX_HI, 13, TDX_LO, "OutOfDate", "\"INTEL-SA-R\"" },
		};

		tcb = tcb_text("TDX", "90c06f000000", MODULES,
		    "2026-06-10T00:56:35Z", two, 2);
		fake_quote(&q);
		q.body_type = TDX_BODY_TD15;
		q.report.tee_tcb_svn[0] = 3;	/* module OutOfDate */
		t = NULL;
		evaluate(&q, tcb, qe, &r);
		ck_assert_int_eq(r.status, TDX_TCB_OUT_OF_DATE);
		ck_assert(r.relaunch_checked);
		q.report.tee_tcb_svn2[0] = 4;
		q.report.tee_tcb_svn2[1] = 1;
		q.report.tee_tcb_svn2[2] = 8;
		evaluate(&q, tcb, qe, &r);
		ck_assert_int_eq(r.verdict, TDX_TCB_OK);
		ck_assert_int_eq(r.status, TDX_TCB_TD_RELAUNCH_ADVISED);
		/* svn2 names a module TCB Info does not list */
		q.report.tee_tcb_svn2[1] = 7;
		evaluate(&q, tcb, qe, &r);
		ck_assert_int_eq(r.verdict, TDX_TCB_BAD);
		ck_assert_ptr_nonnull(strstr(r.why, "TDX_07"));
		free(t);
	}
	free(tcb);
	free(qe);
}
END_TEST

/*
 * An SGX v3 quote (TcbLevelCheck.cpp checkTcbLevel, !isTdx): SGX TCB
 * Info and the QE identity; the first SGX level, converged with the QE.
 */
START_TEST(test_tcb_sgx)
{
	static const struct lv lv[] = {
		{ SGX_TOP, 13, NULL, "UpToDate", NULL },
		{ SGX_MID, 13, NULL, "SWHardeningNeeded", "\"INTEL-SA-S\"" },
	};
	struct tdx_quote q;
	struct tdx_tcb_result r;
	char *tcb, *qe, *tdxqe, adv[128];

	tcb = tcb_text("SGX", "90c06f000000", "", "2026-06-10T00:56:35Z", lv,
	    2);
	qe = qe_text("QE", QE_MRSIGNER, QE_LEVELS, "2026-06-10T00:36:28Z");
	tdxqe = qe_text("TD_QE", QE_MRSIGNER, QE_LEVELS,
	    "2026-06-10T00:36:28Z");
	fake_quote(&q);
	q.version = 3;
	q.body_type = TDX_BODY_SGX;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_OK);
	ck_assert_int_eq(r.status, TDX_TCB_SW_HARDENING_NEEDED);
	ck_assert(r.sgx);
	joined(&r, adv, sizeof(adv));
	ck_assert_str_eq(adv, "INTEL-SA-S");
	/* QE OutOfDate: SWHardeningNeeded becomes OutOfDate */
	q.qe.isvsvn = 3;
	evaluate(&q, tcb, qe, &r);
	ck_assert_int_eq(r.status, TDX_TCB_OUT_OF_DATE);
	joined(&r, adv, sizeof(adv));
	ck_assert_str_eq(adv, "INTEL-SA-S,INTEL-SA-QE");
	/* the TD_QE identity cannot judge an SGX quote */
	evaluate(&q, tcb, tdxqe, &r);
	ck_assert_int_eq(r.verdict, TDX_TCB_CANNOT);
	free(tcb);
	/* nor a TDX TCB Info */
	{
		static const struct lv up = { SGX_HI, 13, TDX_LO, "UpToDate",
		    NULL };

		tcb = tcb_text("TDX", "90c06f000000", MODULES,
		    "2026-06-10T00:56:35Z", &up, 1);
		evaluate(&q, tcb, qe, &r);
		ck_assert_int_eq(r.verdict, TDX_TCB_CANNOT);
		ck_assert_ptr_nonnull(strstr(r.why, "SGX quote"));
	}
	free(tcb);
	free(qe);
	free(tdxqe);
}
END_TEST

/* Structure errors of TCB Info / QE Identity texts. */
START_TEST(test_tcb_parse_errors)
{
	static const struct lv up = { SGX_HI, 13, TDX_LO, "UpToDate", NULL };
	static const struct {
		const char	*from, *to;
		enum tmon_rc	 rc;
		const char	*msg;
	} edits[] = {
		{ "\"version\":3", "\"version\":2", TMON_E_UNSUPPORTED,
		    "version 2" },
		{ "\"id\":\"TDX\"", "\"id\":\"XYZ\"", TMON_E_UNSUPPORTED, "id" },
		{ "\"tcbType\":0", "\"tcbType\":1", TMON_E_UNSUPPORTED,
		    "tcbType" },
		{ "\"tcbType\":0", "\"tcbType\":0,\"tcbType\":0", TMON_E_PARSE,
		    "duplicate" },
		{ "\"fmspc\":\"90c06f000000\"", "\"fmspc\":\"90c06f0000\"",
		    TMON_E_PARSE, "fmspc" },
		{ "\"issueDate\":\"2026-06-10T00:56:35Z\"",
		    "\"issueDate\":\"2026-06-10 00:56:35\"", TMON_E_PARSE,
		    "issueDate" },
		{ "\"issueDate\":\"2026-06-10T00:56:35Z\"",
		    "\"issueDate\":\"2026-02-30T00:56:35Z\"", TMON_E_PARSE,
		    "issueDate" },
		{ "\"tcbStatus\":\"UpToDate\"}]}", "\"tcbStatus\":\"Fine\"}]}",
		    TMON_E_PARSE, "tcbStatus" },
		{ "{\"svn\":3}", "{\"svn\":256}", TMON_E_PARSE, "svn" },
		{ "{\"svn\":3}", "{\"svn\":\"3\"}", TMON_E_PARSE, "svn" },
		{ "\"pcesvn\":13", "\"pcesvn\":-1", TMON_E_PARSE, "pcesvn" },
		{ "\"id\":\"TDX_01\"", "\"id\":\"TDX_1\"", TMON_E_PARSE,
		    "TDX_xx" },
		{ "\"tcbLevels\":[{\"tcb\":{\"sgx",
		    "\"tcbLevels\":[],\"x\":[{\"tcb\":{\"sgx", TMON_E_PARSE,
		    "empty" },
		{ "\"advisoryIDs\":[\"INTEL-SA-MOD\"]",
		    "\"advisoryIDs\":[\"INTEL SA\"]", TMON_E_PARSE,
		    "advisory" },
	};
	struct tdx_tcb_info *ti;
	struct tdx_qe_identity *qi;
	struct tmon_err err;
	char *base, *t, *p, *big;
	size_t i, n;

	base = tcb_text("TDX", "90c06f000000", MODULES,
	    "2026-06-10T00:56:35Z", &up, 1);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		p = strstr(base, edits[i].from);
		ck_assert_msg(p != NULL, "edit %zu: no \"%s\"", i,
		    edits[i].from);
		t = xprintf("%.*s%s%s", (int)(p - base), base, edits[i].to,
		    p + strlen(edits[i].from));
		tmon_err_clear(&err);
		ti = (struct tdx_tcb_info *)1;
		ck_assert_int_eq(tdx_tcb_info_parse((const uint8_t *)t,
		    strlen(t), &ti, &err), edits[i].rc);
		ck_assert_ptr_null(ti);
		ck_assert_msg(strstr(err.msg, edits[i].msg) != NULL,
		    "edit %zu: \"%s\" lacks \"%s\"", i, err.msg, edits[i].msg);
		free(t);
	}
	/* Truncated at every offset: an error, never a crash. */
	for (n = 0; n < strlen(base); n++) {
		ck_assert_int_ne(tdx_tcb_info_parse((const uint8_t *)base, n,
		    &ti, NULL), TMON_OK);
		ck_assert_ptr_null(ti);
	}
	/* Duplicate TCB levels (equal under Intel's order). */
	{
		static const struct lv dup[] = {
			{ SGX_HI, 13, TDX_LO, "UpToDate", NULL },
			{ SGX_HI, 13, TDX_LO, "OutOfDate", NULL },
		};

		t = tcb_text("TDX", "90c06f000000", MODULES,
		    "2026-06-10T00:56:35Z", dup, 2);
		tmon_err_clear(&err);
		ck_assert_int_eq(tdx_tcb_info_parse((const uint8_t *)t,
		    strlen(t), &ti, &err), TMON_E_PARSE);
		ck_assert_ptr_nonnull(strstr(err.msg, "same TCB level"));
		free(t);
	}
	/* More levels than MAX_TCB_LEVELS: a limit. */
	{
		struct lv many[MAX_TCB_LEVELS + 1];
		char hexes[MAX_TCB_LEVELS + 1][33];

		for (i = 0; i <= MAX_TCB_LEVELS; i++) {
			snprintf(hexes[i], sizeof(hexes[i]),
			    "%02x%030x", (unsigned)(i % 256), 0);
			many[i] = (struct lv){ hexes[i], (int)i, TDX_LO,
			    "OutOfDate", NULL };
		}
		t = tcb_text("TDX", "90c06f000000", MODULES,
		    "2026-06-10T00:56:35Z", many, MAX_TCB_LEVELS + 1);
		tmon_err_clear(&err);
		ck_assert_int_eq(tdx_tcb_info_parse((const uint8_t *)t,
		    strlen(t), &ti, &err), TMON_E_LIMIT);
		free(t);
	}
	/* Nesting beyond MAX_JSON_DEPTH: a limit before jansson. */
	big = malloc(2 * 1000 + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, '[', 1000);
	memset(big + 1000, ']', 1000);
	big[2000] = '\0';
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_tcb_info_parse((const uint8_t *)big, 2000, &ti,
	    &err), TMON_E_LIMIT);
	free(big);
	/* QE identity: wrong version, bad hex, duplicate key. */
	t = qe_text("TD_QE", QE_MRSIGNER, QE_LEVELS, "2026-06-10T00:36:28Z");
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_qe_identity_parse((const uint8_t *)t, strlen(t),
	    &qi, &err), TMON_OK);
	ck_assert_uint_eq(qi->isvprodid, 2);
	ck_assert_uint_eq(qi->miscselect_mask, 0xffffffffu);
	ck_assert_uint_eq(qi->n_levels, 2);
	tdx_qe_identity_free(qi);
	p = strstr(t, "\"version\":2");
	p[10] = '1';
	ck_assert_int_eq(tdx_qe_identity_parse((const uint8_t *)t, strlen(t),
	    &qi, &err), TMON_E_UNSUPPORTED);
	free(t);
	t = qe_text("TD_QE", "DC9E", QE_LEVELS, "2026-06-10T00:36:28Z");
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_qe_identity_parse((const uint8_t *)t, strlen(t),
	    &qi, &err), TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "mrsigner"));
	free(t);
	free(base);
}
END_TEST

START_TEST(test_parse_time)
{
	int64_t t;

	/* date -u -d 2026-06-10T00:56:35Z +%s */
	ck_assert(tdx_parse_time("2026-06-10T00:56:35Z", &t));
	ck_assert_int_eq(t, 1781052995);
	ck_assert(tdx_parse_time("1970-01-01T00:00:00Z", &t));
	ck_assert_int_eq(t, 0);
	ck_assert(tdx_parse_time("2024-02-29T23:59:59Z", &t));
	ck_assert_int_eq(t, 1709251199);
	ck_assert(!tdx_parse_time("2025-02-29T00:00:00Z", &t));
	ck_assert(!tdx_parse_time("2026-06-10T24:00:00Z", &t));
	ck_assert(!tdx_parse_time("2026-06-10T00:56:35", &t));
	ck_assert(!tdx_parse_time("2026-06-10T00:56:35.000Z", &t));
	ck_assert(!tdx_parse_time("1969-12-31T23:59:59Z", &t));
	ck_assert(!tdx_parse_time("2026-6-10T00:56:35Z ", &t));
	ck_assert(!tdx_parse_time("+026-06-10T00:56:35Z", &t));
}
END_TEST

/* ---- hostile collateral from the real gemma files ---- */

static json_t *
gemma_qvl(void)
{
	json_error_t je;
	json_t *j = json_load_file(GEMMA_COLL, JSON_REJECT_DUPLICATES, &je);

	ck_assert_msg(j != NULL, "%s", je.text);
	return j;
}

/* Build from a JSON object (dumped compactly). */
static enum tmon_rc
from_json(json_t *j, struct tdx_collateral **col, struct tmon_err *err)
{
	char *s = json_dumps(j, JSON_COMPACT);
	enum tmon_rc rc;

	ck_assert_ptr_nonnull(s);
	tmon_err_clear(err);
	rc = tdx_collateral_from_qvl_json((const uint8_t *)s, strlen(s), col,
	    err);
	free(s);
	return rc;
}

/* The gemma quote with col at the recorded time, into cl. */
static void
check_gemma(const struct tdx_collateral *col, int64_t at,
    struct checklist *cl)
{
	struct tdx_quote q;
	uint8_t *b;
	size_t n;

	b = load(GEMMA_QUOTE, &n);
	checklist_init(cl);
	ck_assert(tv_quote_check(b, n, at, NULL, 0, col, &q, cl));
	tdx_check_collateral(&q, col, at, cl, NULL);
	free(b);
}

START_TEST(test_hostile_duplicate_keys)
{
	struct tdx_collateral *col = NULL;
	struct tmon_err err;
	json_t *j;
	uint8_t *b, *body;
	char *s, *t, *p;
	size_t n;

	/* At the top of the dcap-qvl file. */
	b = load(GEMMA_COLL, &n);
	s = xprintf("{\"tcb_info_signature\":\"00\",%s", (char *)b + 1);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_collateral_from_qvl_json((uint8_t *)s, strlen(s),
	    &col, &err), TMON_E_PARSE);
	ck_assert_ptr_null(col);
	ck_assert_ptr_nonnull(strstr(err.msg, "duplicate object key"));
	free(s);
	free(b);

	/* Inside the signed tcbInfo text. */
	j = gemma_qvl();
	p = strstr(json_string_value(json_object_get(j, "tcb_info")),
	    "\"tcbType\":0");
	ck_assert_ptr_nonnull(p);
	t = xprintf("%.*s\"tcbType\":0,%s",
	    (int)(p - json_string_value(json_object_get(j, "tcb_info"))),
	    json_string_value(json_object_get(j, "tcb_info")), p);
	json_object_set_new(j, "tcb_info", json_string(t));
	ck_assert_int_eq(from_json(j, &col, &err), TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "tcbInfo"));
	ck_assert_ptr_nonnull(strstr(err.msg, "duplicate object key"));
	free(t);
	json_decref(j);

	/* In a PCS body. */
	body = load(GEMMA_TCB_BODY, &n);
	ck_assert(body[n - 1] == '}');
	s = xprintf("%.*s,\"signature\":\"00\"}", (int)(n - 1), (char *)body);
	{
		struct tdx_collateral_src src;

		memset(&src, 0, sizeof(src));
		src.tcb_info_body = (uint8_t *)s;
		src.tcb_info_body_len = strlen(s);
		tmon_err_clear(&err);
		ck_assert_int_eq(tdx_collateral_from_pcs(&src, &col, &err),
		    TMON_E_PARSE);
		ck_assert_ptr_nonnull(strstr(err.msg, "TCB Info body"));
		ck_assert_ptr_nonnull(strstr(err.msg, "duplicate object key"));
	}
	free(s);
	free(body);
}
END_TEST

START_TEST(test_hostile_reserialised)
{
	struct tdx_collateral *col = NULL;
	struct tmon_err err;
	struct checklist cl;
	json_t *j, *ti;
	char why[256], *s;

	/* Same JSON meaning, other bytes (sorted keys, spaces). */
	j = gemma_qvl();
	ti = json_loads(json_string_value(json_object_get(j, "tcb_info")), 0,
	    NULL);
	ck_assert_ptr_nonnull(ti);
	s = json_dumps(ti, JSON_SORT_KEYS | JSON_INDENT(1));
	json_object_set_new(j, "tcb_info", json_string(s));
	ck_assert_int_eq(from_json(j, &col, &err), TMON_OK);
	ck_assert(!tdx_collateral_verified(col, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "TCB Info signature does not verify "
	    "over the served text"));
	check_gemma(col, GEMMA_TIME, &cl);
	assert_check(&cl, "tdx.collateral", CHECK_FAIL, "TCB Info signature");
	assert_check(&cl, "tdx.tcb", CHECK_ERROR, "not judged");
	tdx_collateral_free(col);
	free(s);
	json_decref(ti);
	json_decref(j);

	/* The same for the QE identity. */
	j = gemma_qvl();
	ti = json_loads(json_string_value(json_object_get(j, "qe_identity")),
	    0, NULL);
	s = json_dumps(ti, JSON_INDENT(2));
	json_object_set_new(j, "qe_identity", json_string(s));
	ck_assert_int_eq(from_json(j, &col, &err), TMON_OK);
	ck_assert(!tdx_collateral_verified(col, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "QE Identity signature does not "
	    "verify"));
	tdx_collateral_free(col);
	free(s);
	json_decref(ti);
	json_decref(j);

	/* A whole PCS body re-serialised: the slice is found, fails. */
	{
		struct tdx_collateral_src src;
		json_t *body;
		uint8_t *raw, *qe, *crl, *root;
		size_t n;
		char *tchain, *qchain, *cchain;

		j = gemma_qvl();
		raw = load(GEMMA_TCB_BODY, &n);
		body = json_loadb((char *)raw, n, 0, NULL);
		s = json_dumps(body, JSON_INDENT(3));
		memset(&src, 0, sizeof(src));
		src.tcb_info_body = (uint8_t *)s;
		src.tcb_info_body_len = strlen(s);
		tchain = strdup(json_string_value(json_object_get(j,
		    "tcb_info_issuer_chain")));
		qchain = strdup(json_string_value(json_object_get(j,
		    "qe_identity_issuer_chain")));
		cchain = strdup(json_string_value(json_object_get(j,
		    "pck_crl_issuer_chain")));
		qe = load(GEMMA_DIR "pcs/0003_api.trustedservices.intel.com_"
		    "tdx_certification_v4_qe_identity.body",
		    &src.qe_identity_body_len);
		crl = load(GEMMA_DIR "pcs/0004_api.trustedservices.intel.com_"
		    "sgx_certification_v4_pckcrl.body", &src.pck_crl_len);
		root = load(GEMMA_DIR "pcs/0005_certificates.trustedservices."
		    "intel.com_intelsgxrootca.der.body", &src.root_ca_crl_len);
		src.qe_identity_body = qe;
		src.pck_crl = crl;
		src.root_ca_crl = root;
		src.tcb_info_issuer_chain = tchain;
		src.qe_identity_issuer_chain = qchain;
		src.pck_crl_issuer_chain = cchain;
		tmon_err_clear(&err);
		ck_assert_int_eq(tdx_collateral_from_pcs(&src, &col, &err),
		    TMON_OK);
		ck_assert(!tdx_collateral_verified(col, why, sizeof(why)));
		ck_assert_ptr_nonnull(strstr(why, "TCB Info signature"));
		tdx_collateral_free(col);
		/* ... and the original body verifies. */
		src.tcb_info_body = raw;
		src.tcb_info_body_len = n;
		ck_assert_int_eq(tdx_collateral_from_pcs(&src, &col, &err),
		    TMON_OK);
		ck_assert(tdx_collateral_verified(col, NULL, 0));
		tdx_collateral_free(col);
		/* every truncation of the bodies is refused */
		for (n = 0; n < src.tcb_info_body_len; n += 7) {
			src.tcb_info_body_len = n;
			ck_assert_int_ne(tdx_collateral_from_pcs(&src, &col,
			    NULL), TMON_OK);
			ck_assert_ptr_null(col);
			src.tcb_info_body_len = strlen((char *)raw);
		}
		free(tchain);
		free(qchain);
		free(cchain);
		free(qe);
		free(crl);
		free(root);
		free(raw);
		free(s);
		json_decref(body);
		json_decref(j);
	}
}
END_TEST

/* Flip the last byte of a hex DER CRL (inside its signature). */
static void
flip_crl(json_t *j, const char *key)
{
	char *h = strdup(json_string_value(json_object_get(j, key)));
	size_t n = strlen(h);

	h[n - 1] = h[n - 1] == '0' ? '1' : '0';
	json_object_set_new(j, key, json_string(h));
	free(h);
}

/*
 * tdx.pck_chain is written once, by its owner tdx_check_quote, with the
 * CRL result of the collateral it was given as an input:
 * tdx_check_collateral never edits it.
 */
START_TEST(test_chain_detail_once)
{
	struct tdx_collateral *col = NULL;
	struct tmon_err err;
	struct checklist cl;
	struct tdx_quote q;
	char before[MAX_CHECK_DETAIL];
	uint8_t *b;
	size_t n;
	json_t *j;

	j = gemma_qvl();
	ck_assert_int_eq(from_json(j, &col, &err), TMON_OK);
	b = load(GEMMA_QUOTE, &n);

	/* checked without the collateral: its CRLs are not claimed later */
	checklist_init(&cl);
	ck_assert(tv_quote_check(b, n, GEMMA_TIME, NULL, 0, NULL, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, "; CRLs not checked");
	snprintf(before, sizeof(before), "%s",
	    checklist_get(&cl, "tdx.pck_chain")->detail);
	tdx_check_collateral(&q, col, GEMMA_TIME, &cl, NULL);
	assert_check(&cl, "tdx.collateral", CHECK_PASS, NULL);
	assert_check(&cl, "tdx.tcb", CHECK_PASS, NULL);
	ck_assert_str_eq(checklist_get(&cl, "tdx.pck_chain")->detail, before);

	/* with it, the chain check itself says what the CRLs said */
	checklist_init(&cl);
	ck_assert(tv_quote_check(b, n, GEMMA_TIME, NULL, 0, col, &q, &cl));
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, "valid at "
	    "2026-06-10T01:49:05Z; not revoked (PCK CRL of ");
	tdx_check_collateral(&q, col, GEMMA_TIME, &cl, NULL);
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, "not revoked");

	free(b);
	tdx_collateral_free(col);
	json_decref(j);
}
END_TEST

START_TEST(test_hostile_crl_signature)
{
	struct tdx_collateral *col = NULL;
	struct tmon_err err;
	struct checklist cl;
	json_t *j;
	char why[256];

	j = gemma_qvl();
	flip_crl(j, "pck_crl");
	ck_assert_int_eq(from_json(j, &col, &err), TMON_OK);
	ck_assert(!tdx_collateral_verified(col, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "PCK CRL signature does not verify"));
	check_gemma(col, GEMMA_TIME, &cl);
	assert_check(&cl, "tdx.collateral", CHECK_FAIL, "PCK CRL signature");
	/* revocation is not claimed from a CRL that did not verify */
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, "CRLs not checked");
	tdx_collateral_free(col);
	json_decref(j);

	j = gemma_qvl();
	flip_crl(j, "root_ca_crl");
	ck_assert_int_eq(from_json(j, &col, &err), TMON_OK);
	ck_assert(!tdx_collateral_verified(col, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "Root CA CRL signature does not "
	    "verify"));
	tdx_collateral_free(col);
	json_decref(j);

	/* Not a CRL at all: refused. */
	j = gemma_qvl();
	json_object_set_new(j, "pck_crl", json_string("3003020100"));
	ck_assert_int_eq(from_json(j, &col, &err), TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "PCK CRL"));
	json_object_set_new(j, "pck_crl", json_string("30zz"));
	ck_assert_int_eq(from_json(j, &col, &err), TMON_E_PARSE);
	json_decref(j);
}
END_TEST

START_TEST(test_hostile_future_and_fmspc)
{
	struct tdx_collateral *col = NULL;
	struct tmon_err err;
	struct checklist cl;
	struct tdx_quote q;
	json_t *j;
	uint8_t *b;
	size_t n;
	char *t, *p;

	/* Signed issueDate after now: could not judge, names the field. */
	b = load(GEMMA_COLL, &n);
	ck_assert_int_eq(tdx_collateral_from_qvl_json(b, n, &col, &err),
	    TMON_OK);
	check_gemma(col, 1781052995 - 1, &cl);	/* TCB Info issueDate - 1 */
	assert_check(&cl, "tdx.collateral", CHECK_ERROR, "(TCB Info issueDate "
	    "2026-06-10T00:56:35Z is in the future");
	assert_check(&cl, "tdx.tcb", CHECK_ERROR, "not judged");
	ck_assert_int_ne(checklist_verdict(&cl), CHECK_FAIL);
	tdx_collateral_free(col);
	free(b);

	/* An edited issueDate: the signature names the change. */
	j = gemma_qvl();
	t = strdup(json_string_value(json_object_get(j, "tcb_info")));
	p = strstr(t, "2026-06-10T00:56:35Z");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "2027", 4);
	json_object_set_new(j, "tcb_info", json_string(t));
	ck_assert_int_eq(from_json(j, &col, &err), TMON_OK);
	check_gemma(col, GEMMA_TIME, &cl);
	assert_check(&cl, "tdx.collateral", CHECK_FAIL, "TCB Info signature "
	    "does not verify");
	tdx_collateral_free(col);
	free(t);
	json_decref(j);

	/* FMSPC mismatch: the phala B0C06F quote with the 20A06F TCB Info. */
	b = load(DATA "phala-dcap-qvl/near-gas-test_quote_collateral.json",
	    &n);
	ck_assert_int_eq(tdx_collateral_from_qvl_json(b, n, &col, &err),
	    TMON_OK);
	free(b);
	b = load(DATA "phala-dcap-qvl/tdx_quote.bin", &n);
	checklist_init(&cl);
	ck_assert(tv_quote_check(b, n, 1759000000, NULL, 0, col, &q, &cl));
	tdx_check_collateral(&q, col, 1759000000, &cl, NULL);
	assert_check(&cl, "tdx.collateral", CHECK_PASS, NULL);
	assert_check(&cl, "tdx.tcb", CHECK_ERROR, "FMSPC mismatch: the PCK "
	    "certificate says b0c06f000000, the TCB Info is for 20a06f000000");
	tdx_collateral_free(col);

	/* No collateral at all: error, never a pass. */
	checklist_init(&cl);
	ck_assert(tv_quote_check(b, n, 1759000000, NULL, 0, NULL, &q, &cl));
	tdx_check_collateral(&q, NULL, 1759000000, &cl, NULL);
	assert_check(&cl, "tdx.collateral", CHECK_ERROR, "no collateral for FMSPC b0c06f000000");
	assert_check(&cl, "tdx.tcb", CHECK_ERROR, "no collateral for FMSPC b0c06f000000");
	free(b);
}
END_TEST

START_TEST(test_qvl_structure)
{
	static const char *const keys[] = { "tcb_info", "tcb_info_signature",
	    "tcb_info_issuer_chain", "qe_identity", "qe_identity_signature",
	    "qe_identity_issuer_chain", "pck_crl", "pck_crl_issuer_chain",
	    "root_ca_crl" };
	struct tdx_collateral *col = NULL;
	struct tmon_err err;
	json_t *j;
	uint8_t *b, *big;
	size_t i, n;
	char *s;

	/* each key missing, then of the wrong type: named */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		j = gemma_qvl();
		json_object_del(j, keys[i]);
		ck_assert_int_eq(from_json(j, &col, &err), TMON_E_PARSE);
		ck_assert_msg(strstr(err.msg, keys[i]) != NULL, "%s: %s",
		    keys[i], err.msg);
		json_object_set_new(j, keys[i], json_integer(1));
		ck_assert_int_eq(from_json(j, &col, &err), TMON_E_PARSE);
		ck_assert_ptr_null(col);
		json_decref(j);
	}
	/* extra keys (near/mpc's pck_certificate_chain) are ignored */
	j = gemma_qvl();
	json_object_set_new(j, "pck_certificate_chain", json_string("junk"));
	ck_assert_int_eq(from_json(j, &col, &err), TMON_OK);
	ck_assert(tdx_collateral_verified(col, NULL, 0));
	tdx_collateral_free(col);
	/* an issuer chain of one certificate, or a chain to another root */
	s = strdup(json_string_value(json_object_get(j,
	    "tcb_info_issuer_chain")));
	*strstr(s + 1, "-----BEGIN") = '\0';
	json_object_set_new(j, "tcb_info_issuer_chain", json_string(s));
	ck_assert_int_eq(from_json(j, &col, &err), TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "expected 2"));
	free(s);
	json_decref(j);

	/* truncations of the file at every 13th offset */
	b = load(GEMMA_COLL, &n);
	for (i = 0; i < n; i += 13) {
		ck_assert_int_ne(tdx_collateral_from_qvl_json(b, i, &col, NULL),
		    TMON_OK);
		ck_assert_ptr_null(col);
	}
	/* too large */
	big = calloc(1, MAX_COLLATERAL_JSON + 1);
	memcpy(big, b, n);
	memset(big + n, ' ', MAX_COLLATERAL_JSON + 1 - n);
	tmon_err_clear(&err);
	ck_assert_int_eq(tdx_collateral_from_qvl_json(big,
	    MAX_COLLATERAL_JSON + 1, &col, &err), TMON_E_LIMIT);
	ck_assert_int_eq(tdx_collateral_from_qvl_json(big,
	    MAX_COLLATERAL_JSON, &col, &err), TMON_OK);
	tdx_collateral_free(col);
	free(big);
	free(b);
}
END_TEST

/* ---- a test PKI ---- */

struct pki {
	EVP_PKEY	*rk, *tk, *ck, *lk, *xk;
	X509		*root, *tcb, *ca, *leaf, *xca;
	uint8_t		*root_der;
	size_t		 root_der_len;
};

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(ext);
	ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* DER TLV with a short or one/two-byte long length. */
static size_t
tlv(uint8_t *out, uint8_t tag, const uint8_t *v, size_t n)
{
	size_t h = 0;

	out[h++] = tag;
	if (n < 0x80)
		out[h++] = (uint8_t)n;
	else if (n < 0x100) {
		out[h++] = 0x81;
		out[h++] = (uint8_t)n;
	} else {
		out[h++] = 0x82;
		out[h++] = (uint8_t)(n >> 8);
		out[h++] = (uint8_t)n;
	}
	memmove(out + h, v, n);
	return h + n;
}

static const uint8_t sgx_oid[] = { 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d,
	0x01, 0x0d, 0x01 };

/* SEQUENCE { OID sgx.a[.b], value } */
static size_t
sgx_item(uint8_t *out, int a, int b, const uint8_t *val, size_t vlen)
{
	uint8_t oid[16], inner[1200], tmp[1300];
	size_t n = sizeof(sgx_oid), k;

	memcpy(oid, sgx_oid, n);
	oid[n++] = (uint8_t)a;
	if (b > 0)
		oid[n++] = (uint8_t)b;
	k = tlv(inner, 0x06, oid, n);
	memcpy(inner + k, val, vlen);
	k += vlen;
	n = tlv(tmp, 0x30, inner, k);
	memcpy(out, tmp, n);
	return n;
}

static size_t
der_int(uint8_t *out, unsigned v)
{
	uint8_t b[3];
	size_t n = 0;

	if (v > 0xff)
		b[n++] = (uint8_t)(v >> 8);
	b[n++] = (uint8_t)v;
	if (b[0] & 0x80) {
		memmove(b + 1, b, n);
		b[0] = 0;
		n++;
	}
	return tlv(out, 0x02, b, n);
}

/* The SGX extension: PPID, TCB (16 SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC. */
static X509_EXTENSION *
sgx_extension(const uint8_t comp[16], unsigned pcesvn, const uint8_t fmspc[6])
{
	uint8_t tcb[1024], all[2048], v[64], seq[2300];
	static const uint8_t zero16[16], pceid[2];
	ASN1_OBJECT *obj;
	ASN1_OCTET_STRING *os;
	X509_EXTENSION *ext;
	size_t t = 0, a = 0, n;
	int i;

	for (i = 1; i <= 16; i++) {
		n = der_int(v, comp[i - 1]);
		t += sgx_item(tcb + t, 2, i, v, n);
	}
	n = der_int(v, pcesvn);
	t += sgx_item(tcb + t, 2, 17, v, n);
	n = tlv(v, 0x04, zero16, 16);
	t += sgx_item(tcb + t, 2, 18, v, n);
	n = tlv(v, 0x04, zero16, 16);
	a += sgx_item(all + a, 1, 0, v, n);
	n = tlv(seq, 0x30, tcb, t);
	a += sgx_item(all + a, 2, 0, seq, n);
	n = tlv(v, 0x04, pceid, 2);
	a += sgx_item(all + a, 3, 0, v, n);
	n = tlv(v, 0x04, fmspc, 6);
	a += sgx_item(all + a, 4, 0, v, n);
	v[0] = 0x0a;
	v[1] = 1;
	v[2] = 0;
	a += sgx_item(all + a, 5, 0, v, 3);
	n = tlv(seq, 0x30, all, a);
	ck_assert_ptr_nonnull(obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1));
	ck_assert_ptr_nonnull(os = ASN1_OCTET_STRING_new());
	ck_assert_int_eq(ASN1_OCTET_STRING_set(os, seq, (int)n), 1);
	ck_assert_ptr_nonnull(ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0,
	    os));
	ASN1_OBJECT_free(obj);
	ASN1_OCTET_STRING_free(os);
	return ext;
}

static X509 *
make_cert(EVP_PKEY *key, EVP_PKEY *issuer_key, X509 *issuer, const char *cn,
    bool ca, long serial, X509_EXTENSION *extra)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(X509_set_version(x, 2), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"tmon test PKI", -1, -1, 0), 1);
	ck_assert_int_eq(X509_set_subject_name(x, name), 1);
	ck_assert_int_eq(X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name), 1);
	/* 2020-01-01 .. 2040-01-01 */
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(x),
	    1577836800));
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x),
	    2208988800));
	ck_assert_int_eq(X509_set_pubkey(x, key), 1);
	add_ext(x, issuer != NULL ? issuer : x, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	add_ext(x, issuer != NULL ? issuer : x, NID_key_usage,
	    ca ? "critical,keyCertSign,cRLSign" :
	    "critical,digitalSignature,nonRepudiation");
	add_ext(x, issuer != NULL ? issuer : x, NID_subject_key_identifier,
	    "hash");
	add_ext(x, issuer != NULL ? issuer : x, NID_authority_key_identifier,
	    "keyid:always");
	if (extra != NULL) {
		/* added as a copy; extra is consumed */
		ck_assert_int_eq(X509_add_ext(x, extra, -1), 1);
		X509_EXTENSION_free(extra);
	}
	ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
	X509_NAME_free(name);
	return x;
}

static char *
pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	ck_assert_int_eq(PEM_write_bio_X509(bio, x), 1);
	n = BIO_get_mem_data(bio, &p);
	out = strndup(p, (size_t)n);
	BIO_free(bio);
	return out;
}

/* A DER CRL by issuer (key ik) revoking serial (0: none), hex. */
static char *
crl_hex(X509 *issuer, EVP_PKEY *ik, long serial, int64_t this_update,
    int64_t next_update)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t;
	unsigned char *der = NULL;
	char *hex;
	int n;

	ck_assert_int_eq(X509_CRL_set_version(crl, 1), 1);
	ck_assert_int_eq(X509_CRL_set_issuer_name(crl,
	    X509_get_subject_name(issuer)), 1);
	t = ASN1_TIME_set(NULL, (time_t)this_update);
	ck_assert_int_eq(X509_CRL_set1_lastUpdate(crl, t), 1);
	ASN1_TIME_free(t);
	t = ASN1_TIME_set(NULL, (time_t)next_update);
	ck_assert_int_eq(X509_CRL_set1_nextUpdate(crl, t), 1);
	ASN1_TIME_free(t);
	if (serial != 0) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *sn = ASN1_INTEGER_new();

		ASN1_INTEGER_set(sn, serial);
		X509_REVOKED_set_serialNumber(r, sn);
		t = ASN1_TIME_set(NULL, (time_t)this_update);
		X509_REVOKED_set_revocationDate(r, t);
		ASN1_TIME_free(t);
		ck_assert_int_eq(X509_CRL_add0_revoked(crl, r), 1);
		ASN1_INTEGER_free(sn);
	}
	ck_assert_int_gt(X509_CRL_sign(crl, ik, EVP_sha256()), 0);
	n = i2d_X509_CRL(crl, &der);
	ck_assert_int_gt(n, 0);
	hex = malloc(2 * (size_t)n + 1);
	hex_encode(der, (size_t)n, hex);
	OPENSSL_free(der);
	X509_CRL_free(crl);
	return hex;
}

/* ECDSA-P256/SHA-256 of text by key, as 128 hex (r||s). */
static char *
sign_hex(EVP_PKEY *key, const char *text)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[80];
	const unsigned char *p = der;
	size_t derlen = sizeof(der);
	uint8_t rs[64];
	ECDSA_SIG *sig;
	const BIGNUM *r, *s;
	char *hex = malloc(129);

	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    key), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, der, &derlen,
	    (const unsigned char *)text, strlen(text)), 1);
	ck_assert_ptr_nonnull(sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen));
	ECDSA_SIG_get0(sig, &r, &s);
	BN_bn2binpad(r, rs, 32);
	BN_bn2binpad(s, rs + 32, 32);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return hex_encode(rs, 64, hex);
}

static void
pki_new(struct pki *p)
{
	static const uint8_t comp[16] = { 3, 3, 2, 2, 4, 1, 0, 3 };
	unsigned char *d = NULL;
	int n;

	memset(p, 0, sizeof(*p));
	p->rk = EVP_EC_gen("P-256");
	p->tk = EVP_EC_gen("P-256");
	p->ck = EVP_EC_gen("P-256");
	p->lk = EVP_EC_gen("P-256");
	p->xk = EVP_EC_gen("P-256");
	p->root = make_cert(p->rk, p->rk, NULL, "tmon test root", true, 1,
	    NULL);
	p->tcb = make_cert(p->tk, p->rk, p->root, "Intel SGX TCB Signing",
	    false, 2, NULL);
	p->ca = make_cert(p->ck, p->rk, p->root, "Intel SGX PCK Platform CA",
	    true, 3, NULL);
	p->leaf = make_cert(p->lk, p->ck, p->ca, "Intel SGX PCK Certificate",
	    false, 4, sgx_extension(comp, 13,
	    (const uint8_t *)"\x90\xc0\x6f\x00\x00\x00"));
	p->xca = make_cert(p->xk, p->rk, p->root, "Intel SGX PCK Processor CA",
	    true, 5, NULL);
	n = i2d_X509(p->root, &d);
	ck_assert_int_gt(n, 0);
	p->root_der = d;
	p->root_der_len = (size_t)n;
}

static void
pki_free(struct pki *p)
{
	X509_free(p->root);
	X509_free(p->tcb);
	X509_free(p->ca);
	X509_free(p->leaf);
	X509_free(p->xca);
	EVP_PKEY_free(p->rk);
	EVP_PKEY_free(p->tk);
	EVP_PKEY_free(p->ck);
	EVP_PKEY_free(p->lk);
	EVP_PKEY_free(p->xk);
	OPENSSL_free(p->root_der);
}

/*
 * The gemma quote re-chained to the test PKI (leaf, CA, root) with its
 * QE report re-signed by the test leaf key.  Caller frees.
 */
static uint8_t *
test_quote(const struct pki *p, size_t *len)
{
	char *a = pem(p->leaf), *b = pem(p->ca), *c = pem(p->root), *chain;
	uint8_t *orig, *q;
	size_t on, n, pl;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[80];
	const unsigned char *dp = der;
	size_t derlen = sizeof(der);
	ECDSA_SIG *sig;
	const BIGNUM *r, *s;

	orig = load(GEMMA_QUOTE, &on);
	chain = xprintf("%s%s%s", a, b, c);
	pl = strlen(chain) + 1;
	n = V4_PEM + pl;
	q = malloc(n);
	memcpy(q, orig, V4_PEM);
	memcpy(q + V4_PEM, chain, pl);
	q[V4_PEM_SIZE] = (uint8_t)pl;
	q[V4_PEM_SIZE + 1] = (uint8_t)(pl >> 8);
	q[V4_PEM_SIZE + 2] = q[V4_PEM_SIZE + 3] = 0;
	q[V4_CERT_SIZE] = (uint8_t)(n - V4_CERT_SIZE - 4);
	q[V4_CERT_SIZE + 1] = (uint8_t)((n - V4_CERT_SIZE - 4) >> 8);
	q[V4_CERT_SIZE + 2] = q[V4_CERT_SIZE + 3] = 0;
	q[V4_SIG_DATA_LEN] = (uint8_t)(n - V4_SIG_DATA_LEN - 4);
	q[V4_SIG_DATA_LEN + 1] = (uint8_t)((n - V4_SIG_DATA_LEN - 4) >> 8);
	q[V4_SIG_DATA_LEN + 2] = q[V4_SIG_DATA_LEN + 3] = 0;
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    p->lk), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, der, &derlen, q + V4_QE_REPORT,
	    384), 1);
	sig = d2i_ECDSA_SIG(NULL, &dp, (long)derlen);
	ECDSA_SIG_get0(sig, &r, &s);
	BN_bn2binpad(r, q + V4_QE_SIG, 32);
	BN_bn2binpad(s, q + V4_QE_SIG + 32, 32);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	free(a);
	free(b);
	free(c);
	free(chain);
	free(orig);
	*len = n;
	return q;
}

struct coll_opts {
	const char	*tcb_issue;	/* TCB Info issueDate */
	long		 pck_revoke;	/* serial in the PCK CRL */
	long		 root_revoke;	/* serial in the Root CA CRL */
	bool		 processor_crl;	/* PCK CRL by the Processor CA */
	bool		 intel_chain;	/* TCB chain to the Intel root */
	const char	*tcb_cn_override;
};

/* The test collateral in the dcap-qvl shape; caller frees. */
static char *
test_collateral(const struct pki *p, const struct coll_opts *o)
{
	static const struct lv up = { SGX_HI, 13,
	    "00000000000000000000000000000000", "UpToDate", NULL };
	char *tcb, *qe, *tsig, *qsig, *proot, *ptcb, *pca, *tchain, *cchain;
	char *pcrl, *rcrl, *out;
	json_t *j;
	X509 *tcbcert = p->tcb;
	EVP_PKEY *tk = p->tk;

	tcb = tcb_text("TDX", "90c06f000000", MODULES, o->tcb_issue != NULL ?
	    o->tcb_issue : "2026-06-10T00:56:35Z", &up, 1);
	qe = qe_text("TD_QE", QE_MRSIGNER, QE_LEVELS, "2026-06-10T00:36:28Z");
	if (o->tcb_cn_override != NULL) {
		tk = EVP_EC_gen("P-256");
		tcbcert = make_cert(tk, p->rk, p->root, o->tcb_cn_override,
		    false, 9, NULL);
	}
	tsig = sign_hex(tk, tcb);
	qsig = sign_hex(tk, qe);
	proot = pem(p->root);
	ptcb = pem(tcbcert);
	pca = pem(o->processor_crl ? p->xca : p->ca);
	tchain = xprintf("%s%s", ptcb, proot);
	if (o->intel_chain) {
		BIO *bio = BIO_new(BIO_s_mem());
		char *ip;
		long n;

		PEM_write_bio(bio, "CERTIFICATE", "", tdx_intel_root_ca_der,
		    (long)tdx_intel_root_ca_der_len);
		n = BIO_get_mem_data(bio, &ip);
		free(tchain);
		tchain = xprintf("%s%.*s", ptcb, (int)n, ip);
		BIO_free(bio);
	}
	cchain = xprintf("%s%s", pca, proot);
	pcrl = crl_hex(o->processor_crl ? p->xca : p->ca, o->processor_crl ?
	    p->xk : p->ck, o->pck_revoke, 1781054653, 1783646653);
	rcrl = crl_hex(p->root, p->rk, o->root_revoke, 1772111040, 1803647040);
	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
	    "tcb_info", tcb, "tcb_info_signature", tsig,
	    "tcb_info_issuer_chain", tchain, "qe_identity", qe,
	    "qe_identity_signature", qsig, "qe_identity_issuer_chain", tchain,
	    "pck_crl", pcrl, "pck_crl_issuer_chain", cchain, "root_ca_crl",
	    rcrl);
	ck_assert_ptr_nonnull(j);
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (o->tcb_cn_override != NULL) {
		X509_free(tcbcert);
		EVP_PKEY_free(tk);
	}
	free(tcb);
	free(qe);
	free(tsig);
	free(qsig);
	free(proot);
	free(ptcb);
	free(pca);
	free(tchain);
	free(cchain);
	free(pcrl);
	free(rcrl);
	return out;
}

/* Check the test quote with collateral made with o, at the gemma time. */
static void
run_test_pki(const struct pki *p, const struct coll_opts *o,
    struct checklist *cl, char *why, size_t whysz)
{
	struct tdx_collateral *col = NULL;
	struct tmon_err err;
	struct tdx_quote q;
	uint8_t *quote;
	size_t n;
	char *cj = test_collateral(p, o);

	tmon_err_clear(&err);
	ck_assert_msg(tdx_collateral_from_qvl_json_root((uint8_t *)cj,
	    strlen(cj), p->root_der, p->root_der_len, &col, &err) == TMON_OK,
	    "%s", err.msg);
	(void)tdx_collateral_verified(col, why, whysz);
	quote = test_quote(p, &n);
	checklist_init(cl);
	ck_assert(tv_quote_check(quote, n, GEMMA_TIME, p->root_der,
	    p->root_der_len, col, &q, cl));
	ck_assert(q.pck_ok);
	tdx_check_collateral(&q, col, GEMMA_TIME, cl, NULL);
	tdx_collateral_free(col);
	free(quote);
	free(cj);
}

START_TEST(test_pki_collateral)
{
	struct pki p;
	struct coll_opts o;
	struct checklist cl;
	char why[256];

	pki_new(&p);

	/* Everything right: passes, and says "test root". */
	memset(&o, 0, sizeof(o));
	run_test_pki(&p, &o, &cl, why, sizeof(why));
	ck_assert_str_eq(why, "");
	assert_check(&cl, "tdx.collateral", CHECK_PASS, "test root");
	assert_check(&cl, "tdx.tcb", CHECK_PASS, "UpToDate");
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, "not revoked");
	assert_check(&cl, "tdx.quote.signature", CHECK_PASS, NULL);

	/* The PCK leaf (serial 4) revoked by its CA's CRL: fail. */
	o.pck_revoke = 4;
	run_test_pki(&p, &o, &cl, why, sizeof(why));
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, "PCK leaf (serial 04) "
	    "is revoked by the Intel SGX PCK Platform CA CRL");
	assert_check(&cl, "tdx.collateral", CHECK_PASS, NULL);
	/* Another serial listed: not revoked. */
	o.pck_revoke = 77;
	run_test_pki(&p, &o, &cl, why, sizeof(why));
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, "not revoked");

	/* The PCK CA (serial 3) revoked by the Root CA CRL. */
	memset(&o, 0, sizeof(o));
	o.root_revoke = 3;
	run_test_pki(&p, &o, &cl, why, sizeof(why));
	assert_check(&cl, "tdx.collateral", CHECK_FAIL, "revoked by the Root "
	    "CA CRL");
	assert_check(&cl, "tdx.pck_chain", CHECK_FAIL, "PCK CA (serial 03) is "
	    "revoked by the Root CA CRL");
	/* The TCB Signing certificate (serial 2) revoked. */
	o.root_revoke = 2;
	run_test_pki(&p, &o, &cl, why, sizeof(why));
	assert_check(&cl, "tdx.collateral", CHECK_FAIL, "TCB Info issuer "
	    "chain: the signing certificate is revoked");
	assert_check(&cl, "tdx.pck_chain", CHECK_PASS, "not revoked");

	/* A PCK CRL of the Processor CA for a Platform CA leaf. */
	memset(&o, 0, sizeof(o));
	o.processor_crl = true;
	run_test_pki(&p, &o, &cl, why, sizeof(why));
	assert_check(&cl, "tdx.pck_chain", CHECK_ERROR, "revocation not "
	    "checked");
	assert_check(&cl, "tdx.collateral", CHECK_PASS, "PCK Processor CA");

	/* A validly signed future issueDate: error naming it. */
	memset(&o, 0, sizeof(o));
	o.tcb_issue = "2026-06-11T00:00:00Z";
	run_test_pki(&p, &o, &cl, why, sizeof(why));
	ck_assert_str_eq(why, "");
	assert_check(&cl, "tdx.collateral", CHECK_ERROR, "collateral not "
	    "valid before 2026-06-11T00:00:00Z (TCB Info issueDate "
	    "2026-06-11T00:00:00Z is in the future");
	assert_check(&cl, "tdx.tcb", CHECK_ERROR, NULL);

	/* The TCB chain ends at the Intel root, not the trusted test root. */
	memset(&o, 0, sizeof(o));
	o.intel_chain = true;
	run_test_pki(&p, &o, &cl, why, sizeof(why));
	assert_check(&cl, "tdx.collateral", CHECK_FAIL, "TCB Info issuer "
	    "chain: chain's last certificate is not the pinned test root");

	/* The signer is not a TCB Signing certificate. */
	memset(&o, 0, sizeof(o));
	o.tcb_cn_override = "Intel SGX PCK Platform CA";
	run_test_pki(&p, &o, &cl, why, sizeof(why));
	assert_check(&cl, "tdx.collateral", CHECK_FAIL, "not \"Intel SGX TCB "
	    "Signing\"");

	/* Test collateral is never Intel collateral. */
	{
		struct tdx_collateral *col = NULL;
		struct tmon_err err;
		char *cj;

		memset(&o, 0, sizeof(o));
		cj = test_collateral(&p, &o);
		ck_assert_int_eq(tdx_collateral_from_qvl_json((uint8_t *)cj,
		    strlen(cj), &col, &err), TMON_OK);
		ck_assert(!tdx_collateral_verified(col, why, sizeof(why)));
		/* the first thing that fails: the root's own CRL */
		ck_assert_ptr_nonnull(strstr(why, "Root CA CRL: issued by "
		    "\"tmon test root\""));
		tdx_collateral_free(col);
		free(cj);
	}
	pki_free(&p);
}
END_TEST

static Suite *
collateral_suite(void)
{
	Suite *s = suite_create("collateral");
	TCase *tc = tcase_create("collateral");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_tcb_levels, 0, N_TCB_CASES);
	tcase_add_test(tc, test_tcb_module_and_qe);
	tcase_add_test(tc, test_tcb_sgx);
	tcase_add_test(tc, test_tcb_parse_errors);
	tcase_add_test(tc, test_parse_time);
	tcase_add_test(tc, test_hostile_duplicate_keys);
	tcase_add_test(tc, test_hostile_reserialised);
	tcase_add_test(tc, test_hostile_crl_signature);
	tcase_add_test(tc, test_chain_detail_once);
	tcase_add_test(tc, test_hostile_future_and_fmspc);
	tcase_add_test(tc, test_qvl_structure);
	tcase_add_test(tc, test_pki_collateral);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(collateral_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
