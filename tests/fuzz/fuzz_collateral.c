/*
 * libFuzzer target: the Intel collateral parsers (tdx_collateral.c,
 * tdx_tcb.c).  The first byte picks what the rest is:
 *
 *   0  a dcap-qvl collateral JSON file -> tdx_collateral_from_qvl_json;
 *      what builds is then used by tdx_check_collateral on a fixed quote
 *   1  two PCS bodies, TCB Info then QE Identity, split at the first NUL
 *      byte -> tdx_collateral_from_pcs (the raw member scanner, the
 *      signed-text location; no chains, so it stops after the bodies)
 *   2  a tcbInfo text, and 3  an enclaveIdentity text, each parsed; a
 *      TCB Info that parses is evaluated (tdx_tcb_evaluate) with the
 *      real TD_QE identity against a fixed quote
 *   4  a quote through tdx_check_quote, SGX allowed (the v3 layout that
 *      tmonctl verify-quote also accepts; fuzz_tdx_quote covers v4/v5)
 *
 * Seeds: tests/fuzz/seeds/collateral/ (tests/data/dcap, see README.md
 * there).
 *
 *   CC=clang CFLAGS=-fsanitize=fuzzer-no-link,address,undefined \
 *       cmake -S . -B build-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF
 *   build-fuzz/fuzz/fuzz_collateral -max_total_time=60 corpus/ \
 *       tests/fuzz/seeds/collateral
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "checklist.h"
#include "log.h"
#include "tdx_collateral.h"
#include "tdx_quote.h"
#include "tdx_tcb.h"
#include "tdx_verify.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The real TD_QE identity of 2026-06-10 (served by Intel PCS). */
static const char qe_identity[] =
    "{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"2026-06-10T00:36:28Z\","
    "\"nextUpdate\":\"2026-07-10T00:36:28Z\",\"tcbEvaluationDataNumber\":19,"
    "\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\","
    "\"attributes\":\"11000000000000000000000000000000\","
    "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\","
    "\"mrsigner\":\"DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5\","
    "\"isvprodid\":2,\"tcbLevels\":[{\"tcb\":{\"isvsvn\":4},"
    "\"tcbDate\":\"2025-05-14T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}]}";

/* A quote as tdx_check_quote leaves it for a 90C06F platform. */
static void
fake_quote(struct tdx_quote *q, struct checklist *cl)
{
	static const uint8_t comp[16] = { 3, 3, 2, 2, 4, 1, 0, 3 };
	static const uint8_t svn[16] = { 11, 1, 4 };
	static const uint8_t mrsigner[32] = { 0xdc, 0x9e, 0x2a, 0x7c, 0x6f,
	    0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34, 0xa7, 0xfc, 0x43, 0xed, 0x03,
	    0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba, 0xbd, 0xdf, 0x63, 0x40, 0xc8,
	    0x2e, 0x0e, 0x54, 0xa8, 0xc5 };

	memset(q, 0, sizeof(*q));
	q->version = 4;
	q->body_type = TDX_BODY_TD15;
	q->pck_ok = true;
	memcpy(q->pck.fmspc, "\x90\xc0\x6f\x00\x00\x00", 6);
	memcpy(q->pck.tcb_comp_svn, comp, 16);
	q->pck.pcesvn = 13;
	memcpy(q->report.tee_tcb_svn, svn, 16);
	memcpy(q->report.tee_tcb_svn2, svn, 16);
	memcpy(q->qe.mrsigner, mrsigner, 32);
	q->qe.isvprodid = 2;
	q->qe.attributes[0] = 0x11;
	q->qe.isvsvn = 6;
	q->pck_ids_ok = true;
	q->pck_ids.leaf_serial[0] = 0x6f;
	q->pck_ids.leaf_serial_len = 1;
	q->pck_ids.ca_serial[0] = 1;
	q->pck_ids.ca_serial_len = 1;
	checklist_init(cl);
	checklist_set(cl, "tdx.pck_chain", CHECK_PASS, "fuzz; CRLs not checked");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdx_collateral_src src;
	struct tdx_collateral *col = NULL;
	struct tdx_tcb_info *ti = NULL;
	struct tdx_qe_identity *qi = NULL;
	struct tdx_tcb_result r;
	struct tdx_check_opts o;
	struct tdx_quote q;
	struct checklist cl;
	const uint8_t *nul;
	uint8_t fm[6];

	if (size < 1)
		return 0;
	switch (data[0]) {
	case 0:
		if (tdx_collateral_from_qvl_json(data + 1, size - 1, &col,
		    NULL) != TMON_OK) {
			TMON_ASSERT(col == NULL);
			break;
		}
		(void)tdx_collateral_verified(col, NULL, 0);
		(void)tdx_collateral_next_update(col);
		tdx_collateral_fmspc(col, fm);
		fake_quote(&q, &cl);
		tdx_check_collateral(&q, col, 1781056145, &cl, &r);
		TMON_ASSERT(checklist_get(&cl, "tdx.collateral") != NULL);
		TMON_ASSERT(checklist_get(&cl, "tdx.tcb") != NULL);
		tdx_collateral_free(col);
		break;
	case 1:
		memset(&src, 0, sizeof(src));
		nul = memchr(data + 1, 0, size - 1);
		src.tcb_info_body = data + 1;
		src.tcb_info_body_len = nul != NULL ?
		    (size_t)(nul - (data + 1)) : size - 1;
		src.qe_identity_body = nul != NULL ? nul + 1 : NULL;
		src.qe_identity_body_len = nul != NULL ?
		    size - (size_t)(nul + 1 - data) : 0;
		TMON_ASSERT(tdx_collateral_from_pcs(&src, &col, NULL) !=
		    TMON_OK);
		TMON_ASSERT(col == NULL);
		break;
	case 2:
		if (tdx_tcb_info_parse(data + 1, size - 1, &ti, NULL) !=
		    TMON_OK) {
			TMON_ASSERT(ti == NULL);
			break;
		}
		TMON_ASSERT(ti->n_levels > 0 && ti->n_levels <= MAX_TCB_LEVELS);
		TMON_ASSERT(tdx_qe_identity_parse((const uint8_t *)qe_identity,
		    sizeof(qe_identity) - 1, &qi, NULL) == TMON_OK);
		fake_quote(&q, &cl);
		memcpy(q.pck.fmspc, ti->fmspc, 6);
		memcpy(q.pck.pceid, ti->pceid, 2);
		tdx_tcb_evaluate(&q, ti, qi, &r);
		TMON_ASSERT(r.n_advisory <= MAX_TCB_RESULT_ADVISORIES);
		TMON_ASSERT(r.verdict != TDX_TCB_OK ||
		    (r.status != TDX_TCB_REVOKED &&
		    r.status != TDX_TCB_NOT_SUPPORTED &&
		    r.status != TDX_TCB_UNKNOWN));
		tdx_tcb_info_free(ti);
		tdx_qe_identity_free(qi);
		break;
	case 3:
		if (tdx_qe_identity_parse(data + 1, size - 1, &qi, NULL) ==
		    TMON_OK) {
			TMON_ASSERT(qi->n_levels > 0);
			tdx_qe_identity_free(qi);
		} else
			TMON_ASSERT(qi == NULL);
		break;
	case 4:
		checklist_init(&cl);
		memset(&o, 0, sizeof(o));
		o.allow_sgx = true;
		if (tdx_check_quote(NULL, data + 1, size - 1, 1751624924, &o,
		    &q, &cl))
			TMON_ASSERT(q.quote_len + q.trailing_len == size - 1);
		TMON_ASSERT(checklist_get(&cl, "tdx.quote.parse") != NULL);
		break;
	default:
		break;
	}
	return 0;
}
