/*
 * Unit tests for monitor/daemon/alert: the class of each change and the
 * alerts a run of probes raises (README "What counts as a change"), on
 * measurements built field by field (a real roll-out is
 * tests/integration/test_history.sh, over tmon-sim).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "alert.h"
#include "checklist.h"
#include "config.h"
#include "entry.h"
#include "probe.h"
#include "provenance.h"
#include "provenance_client.h"
#include "tmon_limits.h"

/* A probe with a quote: mrtd byte mb, tee_tcb_svn byte sb, Intel's
 * status tcb, advisories adv (NULL: none), check "sig.completion" with
 * status sig. */
static void
probe(struct probe_outcome *po, uint8_t mb, uint8_t sb, const char *tcb,
    const char *adv, enum check_status sig)
{
	struct attest_measurement *m = &po->res.m;

	memset(po, 0, sizeof(*po));
	m->has_quote = true;
	memset(m->mrtd, mb, sizeof(m->mrtd));
	memset(m->rtmr, 0x22, sizeof(m->rtmr));
	m->tee_tcb_svn[0] = sb;
	snprintf(m->signing_address, sizeof(m->signing_address), "0xabc");
	snprintf(m->signing_algo, sizeof(m->signing_algo), "ecdsa");
	snprintf(m->tcb_status, sizeof(m->tcb_status), "%s", tcb);
	if (adv != NULL) {
		snprintf(m->advisories[0], sizeof(m->advisories[0]), "%s", adv);
		m->n_advisories = 1;
	}
	checklist_init(&po->res.checks);
	checklist_set(&po->res.checks, "tdx.quote.signature", CHECK_PASS,
	    "ok");
	checklist_set(&po->res.checks, "sig.completion", sig, "s");
	po->res.verdict = checklist_verdict(&po->res.checks);
}

/* One probe judged: its event classes and alert reasons, space-separated. */
static void
judge(struct alert_state *st, const struct model_cfg *m,
    const struct refval_cfg *rv, size_t nrv, const struct probe_outcome *po,
    uint64_t seq, char *ev, char *al)
{
	struct alert_out out;
	size_t i;

	memset(&out, 0, sizeof(out));
	alert_judge(st, m, rv, nrv, NULL, po, seq, 1000, &out);
	ev[0] = al[0] = '\0';
	for (i = 0; i < out.n_events; i++)
		snprintf(ev + strlen(ev), 128 - strlen(ev), "%s%s",
		    i > 0 ? " " : "", out.events[i].cls);
	for (i = 0; i < out.n_alerts; i++) {
		if (out.alerts[i].body == NULL)
			alert_finish(&out.alerts[i], m->name, true, 77);
		ck_assert_ptr_nonnull(out.alerts[i].body);
		snprintf(al + strlen(al), 128 - strlen(al), "%s%s",
		    i > 0 ? " " : "", out.alerts[i].reason);
	}
	alert_out_free(&out);
}

START_TEST(test_classes)
{
	static const uint8_t mrtd2[48] = { 0x12, 0x12, 0x12, 0x12, 0x12,
	    0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12,
	    0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12,
	    0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12,
	    0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12 };
	static char name[] = "TEE/m", set[] = "release-3", other[] = "TEE/other";
	static char *others[] = { other };
	struct model_cfg m;
	struct refval_cfg rv;
	struct alert_state st;
	struct probe_outcome po;
	char ev[128], al[128];
	uint8_t m3[48];

	memset(&m, 0, sizeof(m));
	m.name = name;
	m.has_policy = true;
	m.policy.mrtd.v = &mrtd2;
	m.policy.mrtd.n = 1;
	memset(&rv, 0, sizeof(rv));
	rv.name = set;
	memset(m3, 0x13, sizeof(m3));
	rv.values.mrtd.v = (const uint8_t (*)[48])m3;
	rv.values.mrtd.n = 1;
	memset(&st, 0, sizeof(st));

	probe(&po, 0x11, 1, "UpToDate", NULL, CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 0, ev, al);
	ck_assert_str_eq(ev, "first");
	ck_assert_str_eq(al, "");
	/* the same again: nothing */
	judge(&st, &m, &rv, 1, &po, 1, ev, al);
	ck_assert_str_eq(ev, "");
	ck_assert_str_eq(al, "");
	/* the MRTD of the policy */
	probe(&po, 0x12, 1, "UpToDate", NULL, CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 2, ev, al);
	ck_assert_str_eq(ev, "allowlisted");
	ck_assert_str_eq(al, "");
	/* the MRTD of a reference value set */
	probe(&po, 0x13, 1, "UpToDate", NULL, CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 3, ev, al);
	ck_assert_str_eq(ev, "upgrade_endorsed");
	ck_assert_str_eq(al, "");
	/* a value in no list; then the set's, but the set is another
	 * model's */
	probe(&po, 0x11, 1, "UpToDate", NULL, CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 4, ev, al);
	ck_assert_str_eq(ev, "unexplained");
	ck_assert_str_eq(al, "unexplained");
	rv.models = others;
	rv.n_models = 1;
	probe(&po, 0x13, 1, "UpToDate", NULL, CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 5, ev, al);
	ck_assert_str_eq(ev, "unexplained");
	ck_assert_str_eq(al, "unexplained");
	probe(&po, 0x14, 1, "UpToDate", NULL, CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 5, ev, al);
	ck_assert_str_eq(ev, "unexplained");
	/* TCB: worse status alerts, better does not, a new advisory does */
	probe(&po, 0x14, 1, "OutOfDate", NULL, CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 6, ev, al);
	ck_assert_str_eq(ev, "tcb_changed");
	ck_assert_str_eq(al, "tcb_worse");
	probe(&po, 0x14, 1, "UpToDate", NULL, CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 7, ev, al);
	ck_assert_str_eq(ev, "tcb_changed");
	ck_assert_str_eq(al, "");
	probe(&po, 0x14, 1, "UpToDate", "INTEL-SA-00001", CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 8, ev, al);
	ck_assert_str_eq(ev, "tcb_changed");
	ck_assert_str_eq(al, "tcb_worse");
	/* another TDX module (tee_tcb_svn): no list covers it */
	probe(&po, 0x14, 2, "UpToDate", "INTEL-SA-00001", CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 9, ev, al);
	ck_assert_str_eq(ev, "unexplained");
	ck_assert_str_eq(al, "unexplained");
	/* a check fails: verdict_changed and ONE check_failed; then
	 * recovered once */
	probe(&po, 0x14, 2, "UpToDate", "INTEL-SA-00001", CHECK_FAIL);
	judge(&st, &m, &rv, 1, &po, 10, ev, al);
	ck_assert_str_eq(ev, "verdict_changed");
	ck_assert_str_eq(al, "check_failed");
	judge(&st, &m, &rv, 1, &po, 11, ev, al);
	ck_assert_str_eq(ev, "");
	ck_assert_str_eq(al, "");
	probe(&po, 0x14, 2, "UpToDate", "INTEL-SA-00001", CHECK_ERROR);
	judge(&st, &m, &rv, 1, &po, 12, ev, al);
	ck_assert_str_eq(al, "");	/* still failing: fail -> error */
	probe(&po, 0x14, 2, "UpToDate", "INTEL-SA-00001", CHECK_PASS);
	judge(&st, &m, &rv, 1, &po, 13, ev, al);
	ck_assert_str_eq(ev, "verdict_changed");
	ck_assert_str_eq(al, "recovered");
	judge(&st, &m, &rv, 1, &po, 14, ev, al);
	ck_assert_str_eq(al, "");
	alert_state_free(&st);
}
END_TEST

/* An SEV-SNP probe whose MEASUREMENT is 48 bytes of b. */
static void
snp_probe(struct probe_outcome *po, uint8_t b)
{
	memset(po, 0, sizeof(*po));
	po->res.m.has_snp_report = true;
	memset(po->res.m.snp_measurement, b, 48);
	checklist_init(&po->res.checks);
	checklist_set(&po->res.checks, "snp.report.signature", CHECK_PASS,
	    "ok");
	po->res.verdict = CHECK_PASS;
}

/* One SEV-SNP probe judged with pv: its first event's class and
 * endorsed_by ("-" for null) into ev, its alerts' reasons into al. */
static void
judge_prov(struct alert_state *st, const struct model_cfg *m,
    const struct prov_view *pv, uint8_t b, uint64_t seq, char *ev, char *al)
{
	struct probe_outcome po;
	struct alert_out out;
	json_t *j;
	const char *by;
	size_t i;

	snp_probe(&po, b);
	memset(&out, 0, sizeof(out));
	alert_judge(st, m, NULL, 0, pv, &po, seq, 1000, &out);
	ev[0] = al[0] = '\0';
	if (out.n_events > 0) {
		j = json_loadb((const char *)out.events[0].body,
		    out.events[0].len, 0, NULL);
		ck_assert_ptr_nonnull(j);
		by = json_string_value(json_object_get(j, "endorsed_by"));
		snprintf(ev, 128, "%s %s", out.events[0].cls, by != NULL ? by :
		    "-");
		json_decref(j);
	}
	for (i = 0; i < out.n_alerts; i++)
		snprintf(al + strlen(al), 128 - strlen(al), "%s%s",
		    i > 0 ? " " : "", out.alerts[i].reason);
	alert_out_free(&out);
}

/*
 * Code provenance decides upgrade_endorsed: registers of the latest
 * verified release, or of one newer than the release before, are an
 * endorsed upgrade named OWNER/NAME@TAG; a roll-back to an older release
 * and registers no release has are unexplained and alert.
 */
START_TEST(test_provenance_classes)
{
	static char name[] = "TEE/tinfoil";
	static const char *const tags[] = { "v3", "v2", "v1" };
	struct prov_release rels[3];
	struct prov_view pv;
	struct model_cfg m;
	struct alert_state st;
	char ev[128], al[128];
	size_t i;

	memset(&m, 0, sizeof(m));
	m.name = name;
	memset(rels, 0, sizeof(rels));
	for (i = 0; i < 3; i++) {
		snprintf(rels[i].repo, sizeof(rels[i].repo), "tinfoilsh/router");
		snprintf(rels[i].tag, sizeof(rels[i].tag), "%s", tags[i]);
		rels[i].pred.kind = PROV_KIND_MULTIPLATFORM;
		/* v3 0x33, v2 0x22, v1 0x11 */
		memset(rels[i].pred.snp_measurement, 0x33 - 0x11 * (int)i, 48);
	}
	memset(&pv, 0, sizeof(pv));
	pv.rels = rels;
	pv.n = 3;

	memset(&st, 0, sizeof(st));
	judge_prov(&st, &m, &pv, 0x11, 0, ev, al);
	ck_assert_str_eq(ev, "first -");
	/* v1 to v2: newer than the release before, not the latest */
	judge_prov(&st, &m, &pv, 0x22, 1, ev, al);
	ck_assert_str_eq(ev, "upgrade_endorsed tinfoilsh/router@v2");
	ck_assert_str_eq(al, "");
	/* to the latest */
	judge_prov(&st, &m, &pv, 0x33, 2, ev, al);
	ck_assert_str_eq(ev, "upgrade_endorsed tinfoilsh/router@v3");
	ck_assert_str_eq(al, "");
	/* registers no release has */
	judge_prov(&st, &m, &pv, 0x44, 3, ev, al);
	ck_assert_str_eq(ev, "unexplained -");
	ck_assert_str_eq(al, "unexplained");
	alert_state_free(&st);

	/* a roll-back from v2 to v1 */
	memset(&st, 0, sizeof(st));
	judge_prov(&st, &m, &pv, 0x22, 0, ev, al);
	judge_prov(&st, &m, &pv, 0x11, 1, ev, al);
	ck_assert_str_eq(ev, "unexplained -");
	ck_assert_str_eq(al, "unexplained");
	alert_state_free(&st);

	/* no verified release: the latest's registers are unexplained */
	memset(&st, 0, sizeof(st));
	judge_prov(&st, &m, NULL, 0x22, 0, ev, al);
	judge_prov(&st, &m, NULL, 0x33, 1, ev, al);
	ck_assert_str_eq(ev, "unexplained -");
	ck_assert_str_eq(al, "unexplained");
	alert_state_free(&st);
}
END_TEST

static Suite *
alert_suite(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("classes");

	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_provenance_classes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(alert_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
