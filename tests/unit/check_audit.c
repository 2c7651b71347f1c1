/*
 * Unit tests for monitor/audit: re-deriving stored verdicts from stored
 * evidence, over REAL captures (tests/data/replay/PROVENANCE.md): the
 * NanoGPT gemma-3-27b-it attestation of 2026-06-10 with its recorded
 * nonce, the Intel PCS collateral recorded with it (bodies and response
 * headers, signed by Intel), and the NEAR AI signature sample A
 * (tests/data/receipts).  The entries are built as tmond builds them
 * (pcs_judge, probe_evaluate, rcpt_verify, store/entry.h) into a real
 * SQLite log, read back and re-derived: each follows; copies whose
 * verdict, check, nonce or probe reference were edited do not; entries
 * without what they need cannot be re-checked.  Code provenance: a
 * `provenance` entry built as tmond logs a look-up, from the REAL GitHub
 * answers recorded on 2026-06-29 (tests/data/replay/github-2026-06-29:
 * tinfoilsh/confidential-model-router v0.0.110, its tinfoil.hash and its
 * attestations), verified against the pinned public-good trusted root,
 * re-verified by the audit; a probe's provenance checks replayed from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "attest.h"
#include "audit.h"
#include "checklist.h"
#include "encode.h"
#include "entry.h"
#include "fetch.h"
#include "pcs_client.h"
#include "probe.h"
#include "provenance.h"
#include "provenance_client.h"
#include "receipt_check.h"
#include "sigstore.h"
#include "sigstore_root.h"
#include "store.h"
#include "tdx_collateral.h"
#include "tdx_quote.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "verify_ctx.h"

#define REPLAY TMON_TEST_DATA "/replay/"
#define GEMMA REPLAY "nanogpt-2026-06-10_gemma-3-27b-it/attestation_response.json"
#define GEMMA_NONCE "9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a"
#define PCS REPLAY "pcs-2026-06-10/"
#define SAMPLE_A TMON_TEST_DATA "/receipts/nearai-docs/A/"
#define T_0610 1781056145
#define MODEL "TEE/gemma-3-27b-it"
#define GH TMON_TEST_DATA "/replay/github-2026-06-29/"
#define PUBLIC_ROOT TMON_SOURCE_DIR "/trust/sigstore-trusted-root.json"
#define TEST_ROOT TMON_TEST_DATA "/sigstore-test/trusted_root.json"
#define T_0629 1782699168
#define CMR "tinfoilsh/confidential-model-router"

static char dir[64], dbpath[128];
static struct store *rw, *ro;
static struct verify_ctx *vc;
static struct audit_ctx *actx;
/* seqs of the real entries */
static uint64_t s_coll, s_probe, s_probe_nocoll, s_probe_nocoll2, s_rcpt,
    s_rcpt_none, s_alert;

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct tmon_err err;
	uint8_t *b = NULL;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, MAX_UPSTREAM_BODY, &b, len, &err) ==
	    TMON_OK, "%s", err.msg);
	return b;
}

/* A raw header block as fetch.h keeps it, from a recorded
 * {"status", "proto", "headers": {name: [values]}} file. */
static char *
header_block(const char *path, size_t *len)
{
	json_error_t je;
	json_t *m = json_load_file(path, 0, &je), *h, *vals, *v;
	const char *name;
	size_t i, n = 0, cap = 16384;
	char *out = malloc(cap);

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(out);
	n += (size_t)snprintf(out + n, cap - n, "%s %lld OK\r\n",
	    json_string_value(json_object_get(m, "proto")),
	    (long long)json_integer_value(json_object_get(m, "status")));
	h = json_object_get(m, "headers");
	json_object_foreach(h, name, vals)
		json_array_foreach(vals, i, v) {
			n += (size_t)snprintf(out + n, cap - n, "%s: %s\r\n",
			    name, json_string_value(v));
			ck_assert_uint_lt(n, cap);
		}
	n += (size_t)snprintf(out + n, cap - n, "\r\n");
	json_decref(m);
	*len = n;
	return out;
}

/* Append one entry (and its blobs); its seq. */
static uint64_t
append(const char *kind, int64_t t, const char *model, const uint8_t *body,
    size_t len, const struct store_blob_in *blobs, size_t nb)
{
	struct store_entry_in in;
	struct store_appended app;
	struct tmon_err err;
	json_t *o = store_body_parse(body, len);

	ck_assert_ptr_nonnull(o);
	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.time = t;
	in.model = model;
	in.verdict = json_string_value(json_object_get(o, "verdict"));
	in.body = body;
	in.body_len = len;
	tmon_err_clear(&err);
	ck_assert_msg(store_append(rw, blobs, nb, &in, 1, &app, &err) ==
	    TMON_OK, "%s", err.msg);
	json_decref(o);
	return app.seq;
}

/* Append a copy of entry seq whose body went through edit. */
static uint64_t
append_edited(uint64_t seq, void (*edit)(json_t *))
{
	struct store_entry e;
	struct tmon_err err;
	uint8_t *body;
	size_t len;
	json_t *o;
	uint64_t n;

	tmon_err_clear(&err);
	ck_assert_msg(store_entry_get(rw, seq, &e, &err) == TMON_OK, "%s",
	    err.msg);
	o = entry_parse(&e);
	ck_assert_ptr_nonnull(o);
	edit(o);
	body = entry_canonical(o, &len);
	n = append(e.kind, e.time, e.model, body, len, NULL, 0);
	free(body);
	json_decref(o);
	store_entry_free(&e);
	return n;
}

static const struct tdx_collateral *
one_collateral(void *arg, const uint8_t fmspc[6], int pck_ca)
{
	(void)fmspc;
	(void)pck_ca;
	return arg;
}

/* The recorded PCS documents judged and logged, as pcs_client.c logs a
 * fetch; the judgement into j. */
static uint64_t
log_collateral(struct pcs_judgement *j)
{
	static const char *const base[PCS_NDOCS] = { "tcb_90c06f000000",
	    "qe_identity", "pckcrl_platform", "root_ca_crl" };
	struct fetch_result res[PCS_NDOCS];
	struct entry_coll_doc docs[PCS_NDOCS];
	struct store_blob_in blobs[2 * PCS_NDOCS];
	struct entry_collateral ec;
	uint8_t fmspc[6], h[PCS_NDOCS][2][32], *body;
	char path[256], t1[32], t2[32];
	size_t i, len;
	uint64_t seq;

	ck_assert(hex_decode_exact("90c06f000000", 12, fmspc, 6, false));
	memset(res, 0, sizeof(res));
	memset(docs, 0, sizeof(docs));
	for (i = 0; i < PCS_NDOCS; i++) {
		snprintf(path, sizeof(path), PCS "%s.body", base[i]);
		res[i].body = slurp(path, &res[i].body_len);
		snprintf(path, sizeof(path), PCS "%s.json", base[i]);
		res[i].headers = header_block(path, &res[i].headers_len);
		res[i].status = 200;
		docs[i].name = pcs_doc_names[i];
		docs[i].url = "https://api.trustedservices.intel.com/";
		docs[i].status = 200;
		docs[i].has_body = true;
		docs[i].body_len = res[i].body_len;
		sha256(res[i].body, res[i].body_len, h[i][0]);
		sha256(res[i].headers, res[i].headers_len, h[i][1]);
		docs[i].body_sha256 = h[i][0];
		docs[i].headers_sha256 = h[i][1];
		blobs[2 * i].data = res[i].body;
		blobs[2 * i].len = res[i].body_len;
		blobs[2 * i].media_type = "application/octet-stream";
		blobs[2 * i + 1].data = (const uint8_t *)res[i].headers;
		blobs[2 * i + 1].len = res[i].headers_len;
		blobs[2 * i + 1].media_type = "message/http";
	}
	pcs_judge(res, fmspc, TDX_PCK_CA_PLATFORM, NULL, 0, j);
	ck_assert_msg(strcmp(j->verdict, "pass") == 0, "%s", j->err.msg);
	memset(&ec, 0, sizeof(ec));
	ec.time = T_0610 - 60;
	ec.fmspc = fmspc;
	ec.ca = "platform";
	ec.docs = docs;
	ec.n_docs = PCS_NDOCS;
	ec.verdict = j->verdict;
	ec.issue_date = fmt_time(tdx_collateral_issue_date(j->col), t1,
	    sizeof(t1));
	ec.next_update = fmt_time(tdx_collateral_next_update(j->col), t2,
	    sizeof(t2));
	body = entry_collateral_body(&ec, &len);
	seq = append("collateral", ec.time, NULL, body, len, blobs,
	    2 * PCS_NDOCS);
	free(body);
	for (i = 0; i < PCS_NDOCS; i++)
		fetch_result_free(&res[i]);
	return seq;
}

/* The gemma capture probed as tmond does, with col (NULL: none). */
static uint64_t
log_probe(const struct tdx_collateral *col)
{
	struct model_cfg m;
	struct attest_ctx ctx;
	struct probe_fetch pf;
	struct probe_outcome *po = calloc(1, sizeof(*po));
	struct store_blob_in blob;
	uint8_t nonce[32], *att;
	size_t len;
	uint64_t seq;

	ck_assert_ptr_nonnull(po);
	att = slurp(GEMMA, &len);
	ck_assert(hex_decode_exact(GEMMA_NONCE, 64, nonce, 32, false));
	memset(&m, 0, sizeof(m));
	m.name = m.model = (char *)(uintptr_t)MODEL;
	m.provider = (char *)(uintptr_t)"nanogpt";
	memset(&ctx, 0, sizeof(ctx));
	ctx.vc = vc;
	if (col != NULL) {
		ctx.collateral = one_collateral;
		ctx.collateral_arg = (void *)(uintptr_t)col;
	}
	memset(&pf, 0, sizeof(pf));
	pf.rc = TMON_OK;
	pf.status = 200;
	pf.body = att;
	pf.body_len = len;
	pf.duration_ms = 123;
	pf.error = "";
	probe_evaluate(&m, "https://nano-gpt.com/api/v1/tee/attestation",
	    nonce, T_0610 - 2, T_0610, &ctx, &pf, NULL, po);
	ck_assert(po->res.m.has_quote);
	memset(&blob, 0, sizeof(blob));
	blob.data = att;
	blob.len = len;
	blob.media_type = "application/json";
	seq = append("probe", T_0610 - 2, MODEL, po->entry, po->entry_len,
	    &blob, 1);
	probe_outcome_free(po);
	free(po);
	free(att);
	return seq;
}

/* Sample A with its bytes, for model, checked against the probe entry
 * probe_seq (UINT64_MAX: none) as the receipt path does. */
static uint64_t
log_receipt(const char *model, uint64_t probe_seq)
{
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	struct rcpt_probe pr;
	struct store_entry pe;
	struct checklist *cl = malloc(sizeof(*cl));
	struct store_blob_in blob;
	struct tmon_err err;
	uint8_t *sig, *req, *resp, *sub, *mem = NULL, *body, md[32];
	const uint8_t *b;
	size_t sl, ql, rl, len, bl;
	json_t *o;
	char *b64;
	uint64_t seq;

	ck_assert_ptr_nonnull(cl);
	sig = slurp(SAMPLE_A "signature_response.json", &sl);
	req = slurp(SAMPLE_A "request_body.json", &ql);
	resp = slurp(SAMPLE_A "response_body.sse", &rl);
	o = json_loadb((const char *)sig, sl, 0, NULL);
	ck_assert_ptr_nonnull(o);
	tjson_set(o, "model", json_string(model));
	b64 = malloc(4 * (ql > rl ? ql : rl) / 3 + 8);
	ck_assert_ptr_nonnull(b64);
	EVP_EncodeBlock((unsigned char *)b64, req, (int)ql);
	tjson_set(o, "request_b64", json_string(b64));
	EVP_EncodeBlock((unsigned char *)b64, resp, (int)rl);
	tjson_set(o, "response_b64", json_string(b64));
	sub = (uint8_t *)json_dumps(o, JSON_COMPACT);
	ck_assert_ptr_nonnull(sub);
	ck_assert_msg(rcpt_parse(sub, strlen((char *)sub), NULL, &p, &rej) ==
	    TMON_OK, "%s", rej.error);
	memset(&pr, 0, sizeof(pr));
	if (probe_seq != UINT64_MAX) {
		tmon_err_clear(&err);
		ck_assert(store_entry_get(rw, probe_seq, &pe, &err) == TMON_OK);
		entry_receipt_probe(&pe, &pr);
		store_entry_free(&pe);
	}
	checklist_init(cl);
	rcpt_verify(vc, &p, &pr, cl);
	b = entry_receipt_blob(&p, sub, strlen((char *)sub), &mem, &bl);
	sha256(b, bl, md);
	body = entry_receipt_checked_body(&p, &pr, cl, T_0610 + 5, md, bl,
	    &len);
	memset(&blob, 0, sizeof(blob));
	blob.data = b;
	blob.len = bl;
	blob.media_type = "application/json";
	seq = append("receipt", T_0610 + 5, model, body, len, &blob, 1);
	free(body);
	free(mem);
	rcpt_parsed_free(&p);
	free(sub);
	free(b64);
	json_decref(o);
	free(sig);
	free(req);
	free(resp);
	free(cl);
	return seq;
}

static void
setup(void)
{
	struct pcs_judgement j;
	struct entry_alert al;
	struct tmon_err err;
	uint8_t *body;
	size_t len;

	snprintf(dir, sizeof(dir), "/tmp/tmon-check-audit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/log.db", dir);
	tmon_err_clear(&err);
	ck_assert_msg(store_open(dbpath, STORE_RW, &rw, &err) == TMON_OK,
	    "%s", err.msg);
	vc = verify_ctx_new();
	s_probe_nocoll = log_probe(NULL);	/* before any collateral */
	s_coll = log_collateral(&j);
	s_probe = log_probe(j.col);
	/* tmond restarted, and Intel PCS did not answer: no collateral */
	s_probe_nocoll2 = log_probe(NULL);
	pcs_judgement_free(&j);
	s_rcpt = log_receipt(MODEL, s_probe);
	s_rcpt_none = log_receipt("deepseek-v3.1", UINT64_MAX);
	memset(&al, 0, sizeof(al));
	al.time = T_0610;
	al.model = MODEL;
	al.reason = "verdict_changed";
	al.from = "error";
	al.to = "warn";
	al.probe_seq = s_probe;
	body = entry_alert_body(&al, &len);
	s_alert = append("alert", T_0610, MODEL, body, len, NULL, 0);
	free(body);
	ck_assert_msg(store_open(dbpath, STORE_RO, &ro, &err) == TMON_OK,
	    "%s", err.msg);
	actx = audit_ctx_new(ro, vc, NULL);
}

static void
teardown(void)
{
	char p[160];

	audit_ctx_free(actx);
	store_close(ro);
	store_close(rw);
	verify_ctx_free(vc);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	(void)unlink(p);
	(void)unlink(dbpath);
	(void)rmdir(dir);
}

/* Re-derive entry seq; its result into *r. */
static void
rederive(uint64_t seq, struct audit_result *r)
{
	struct store_entry e;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(store_entry_get(ro, seq, &e, &err) == TMON_OK, "%s",
	    err.msg);
	ck_assert_msg(audit_entry(actx, &e, r, &err) == TMON_OK, "%s",
	    err.msg);
	store_entry_free(&e);
}

static void
want(uint64_t seq, enum audit_outcome o, const char *msg)
{
	struct audit_result r;

	rederive(seq, &r);
	ck_assert_msg(r.outcome == o, "entry %llu: %s, want %s: %s",
	    (unsigned long long)seq, audit_outcome_str(r.outcome),
	    audit_outcome_str(o), r.msg);
	if (msg != NULL)
		ck_assert_msg(strstr(r.msg, msg) != NULL, "\"%s\" not in %s",
		    msg, r.msg);
}

static const char *
verdict_of(uint64_t seq)
{
	static char v[8];
	struct store_entry e;

	ck_assert(store_entry_get(ro, seq, &e, NULL) == TMON_OK);
	snprintf(v, sizeof(v), "%s", e.verdict);
	store_entry_free(&e);
	return v;
}

/* The status of check id in entry seq (a static buffer). */
static const char *
status_of(uint64_t seq, const char *id)
{
	static char st[8];
	struct store_entry e;
	json_t *o, *c;
	size_t i;

	ck_assert(store_entry_get(ro, seq, &e, NULL) == TMON_OK);
	o = entry_parse(&e);
	st[0] = '\0';
	json_array_foreach(json_object_get(o, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "id")), id) ==
		    0)
			snprintf(st, sizeof(st), "%s",
			    json_string_value(json_object_get(c, "status")));
	json_decref(o);
	store_entry_free(&e);
	return st;
}

/* The real entries follow from their evidence. */
START_TEST(test_real_entries_follow)
{
	/* with Intel's collateral the gemma quote verifies (pass or warn:
	 * its TCB level), without it tdx.collateral is error */
	ck_assert(strcmp(verdict_of(s_probe), "pass") == 0 ||
	    strcmp(verdict_of(s_probe), "warn") == 0);
	want(s_coll, AUDIT_FOLLOWS, NULL);
	want(s_probe, AUDIT_FOLLOWS, NULL);
	want(s_probe_nocoll, AUDIT_FOLLOWS, NULL);
	ck_assert_str_eq(status_of(s_probe, "tdx.collateral"), "pass");
	ck_assert_str_eq(status_of(s_probe_nocoll2, "tdx.collateral"),
	    "error");
	want(s_probe_nocoll2, AUDIT_FOLLOWS, NULL);
	/* the attested key of the gemma probe is not sample A's signer */
	ck_assert_str_eq(verdict_of(s_rcpt), "fail");
	want(s_rcpt, AUDIT_FOLLOWS, NULL);
	/* a model nobody probes: its hashes were checked, then the bytes
	 * dropped */
	ck_assert_str_eq(verdict_of(s_rcpt_none), "warn");
	want(s_rcpt_none, AUDIT_FOLLOWS, NULL);
	want(s_alert, AUDIT_NOTHING, NULL);
}
END_TEST

static void
to_pass(json_t *o)
{
	tjson_set(o, "verdict", json_string("pass"));
}

static void
all_pass(json_t *o)
{
	json_t *c;
	size_t i;

	to_pass(o);
	/* every check that ran; one skipped (gpu.nras without NRAS) stays */
	json_array_foreach(json_object_get(o, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "status")),
		    "skip") != 0)
			tjson_set(c, "status", json_string("pass"));
}

static void
to_fail(json_t *o)
{
	tjson_set(o, "verdict", json_string("fail"));
}

static void
other_nonce(json_t *o)
{
	tjson_set(o, "nonce", json_string("00000000000000000000000000000000"
	    "00000000000000000000000000000001"));
}

static void
other_nonce_all_pass(json_t *o)
{
	other_nonce(o);
	all_pass(o);
}

static void
later_verified_at(json_t *o)
{
	/* years later: the collateral has expired by then */
	tjson_set(o, "verified_at", json_integer(T_0610 + 3 * 365 * 86400));
}

static void
tcb_skip(json_t *o)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(o, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "id")),
		    "tdx.tcb") == 0)
			tjson_set(c, "status", json_string("skip"));
}

static void
probe_ahead(json_t *o)
{
	json_t *p = json_object_get(o, "probe");

	tjson_set(p, "seq", json_integer(1000000));
}

static void
probe_verdict(json_t *o)
{
	json_t *p = json_object_get(o, "probe");

	tjson_set(p, "verdict", json_string("pass"));
}

static void
newer_version(json_t *o)
{
	tjson_set(o, "v", json_integer(ENTRY_VERSION + 1));
}

/* Remove the check id from the stored checks. */
static void
drop_check(json_t *o, const char *id)
{
	json_t *cs = json_object_get(o, "checks");
	size_t i;

	for (i = 0; i < json_array_size(cs); i++)
		if (strcmp(json_string_value(json_object_get(
		    json_array_get(cs, i), "id")), id) == 0) {
			json_array_remove(cs, i);
			return;
		}
	ck_abort_msg("no stored check %s", id);
}

/* As written before gpu.nras and tls.binding existed. */
static void
drop_new_checks(json_t *o)
{
	drop_check(o, "gpu.nras");
	drop_check(o, "tls.binding");
}

static void
drop_nonce_echo(json_t *o)
{
	drop_check(o, "nonce.echo");
}

/* A stored snp.report.signature pass (an SEV-SNP report judged with
 * AMD collateral). */
static void
add_snp_pass(json_t *o)
{
	json_t *c = json_object();

	tjson_set(c, "id", json_string("snp.report.signature"));
	tjson_set(c, "status", json_string("pass"));
	tjson_set(c, "detail", json_string("signed by the VCEK"));
	json_array_append_new(json_object_get(o, "checks"), c);
}

static void
drop_request(json_t *o)
{
	json_object_del(json_object_get(o, "request"), "url");
}

/* Edited copies do not follow: the verdict, one check, the nonce, the
 * time, a receipt's probe, a collateral's verdict. */
START_TEST(test_edited_entries_differ)
{
	uint64_t seq;

	/* the nonce of another probe: nonce.echo and tdx.reportdata fail */
	seq = append_edited(s_probe, other_nonce_all_pass);
	want(seq, AUDIT_DIFFERS, "stored verdict pass does not follow from "
	    "its evidence, which gives fail: nonce.echo is fail, stored "
	    "pass");
	/* what the collateral would have given, but for its measurement */
	seq = append_edited(s_probe_nocoll, all_pass);
	want(seq, AUDIT_DIFFERS, "does not follow from its evidence");
	seq = append_edited(s_probe, to_fail);
	want(seq, AUDIT_DIFFERS, "stored verdict fail does not follow");
	seq = append_edited(s_probe, tcb_skip);
	want(seq, AUDIT_DIFFERS, "stored checks do not follow from its "
	    "evidence: tdx.tcb is ");
	seq = append_edited(s_probe, other_nonce);
	want(seq, AUDIT_DIFFERS, "nonce.echo is fail, stored pass");
	seq = append_edited(s_probe, later_verified_at);
	want(seq, AUDIT_DIFFERS, "tdx.collateral is error, stored pass");
	seq = append_edited(s_rcpt, all_pass);
	want(seq, AUDIT_DIFFERS, "stored verdict pass does not follow from "
	    "its evidence, which gives fail: sig.completion is fail, stored "
	    "pass");
	seq = append_edited(s_rcpt, probe_ahead);
	want(seq, AUDIT_DIFFERS, "which is not before it");
	seq = append_edited(s_rcpt, probe_verdict);
	want(seq, AUDIT_DIFFERS, "its probe {seq");
	seq = append_edited(s_coll, to_fail);
	want(seq, AUDIT_DIFFERS, "stored verdict fail does not follow from "
	    "its evidence, which gives pass");
}
END_TEST

static void
mark_test_pki(json_t *o)
{
	json_t *c;
	size_t i;
	char d[MAX_CHECK_DETAIL + 16];

	json_array_foreach(json_object_get(o, "checks"), i, c)
		if (strncmp(json_string_value(json_object_get(c, "id")),
		    "tdx.", 4) == 0) {
			snprintf(d, sizeof(d), "%s%s", json_string_value(
			    json_object_get(c, "detail")), ATTEST_TEST_PKI_MARK);
			tjson_set(c, "detail", json_string(d));
		}
}

/* What cannot be re-derived is said so, never a pass. */
START_TEST(test_unchecked)
{
	uint64_t seq;

	seq = append_edited(s_probe, newer_version);
	want(seq, AUDIT_UNCHECKED, "could not re-check: body version");
	seq = append_edited(s_probe, drop_request);
	want(seq, AUDIT_UNCHECKED, "not a probe body this tmonctl reads");
	seq = append_edited(s_probe, mark_test_pki);
	want(seq, AUDIT_UNCHECKED, "verified against a test PKI");
	seq = append_edited(s_probe, add_snp_pass);
	want(seq, AUDIT_UNCHECKED, "judged with AMD KDS collateral");
}
END_TEST

/* An entry from before a check existed follows when that check could not
 * have run on it (skip); a check that did run cannot be dropped. */
START_TEST(test_checks_added_later)
{
	uint64_t seq;

	ck_assert_str_eq(status_of(s_probe, "gpu.nras"), "skip");
	ck_assert_str_eq(status_of(s_probe, "tls.binding"), "skip");
	seq = append_edited(s_probe, drop_new_checks);
	want(seq, AUDIT_FOLLOWS, NULL);
	seq = append_edited(s_probe, drop_nonce_echo);
	want(seq, AUDIT_DIFFERS, "the stored checks have no nonce.echo");
}
END_TEST

/* audit_config.policy: MODEL pins an MRTD of zeros when arg is not
 * NULL, has no allow-list otherwise; other models are unknown. */
static const struct measurement_policy *
policy_of(void *arg, const char *model, bool *known)
{
	static const uint8_t zero[1][48];
	static const struct measurement_policy pin = { { zero, 1 },
	    { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };

	*known = strcmp(model, MODEL) == 0;
	return *known && arg != NULL ? &pin : NULL;
}

static void
policy_pass(json_t *o)
{
	json_t *c;
	size_t i;

	to_pass(o);
	json_array_foreach(json_object_get(o, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "id")),
		    "measurement.policy") == 0)
			tjson_set(c, "status", json_string("pass"));
}

/* measurement.policy: taken as recorded without the allow-lists, judged
 * with them. */
/* ---- code provenance ---- */

static struct sigstore_root *
root_load(const char *path)
{
	struct sigstore_root *r = NULL;
	struct tmon_err err;
	uint8_t *text;
	size_t len;

	text = slurp(path, &len);
	tmon_err_clear(&err);
	ck_assert_msg(sigstore_root_parse(text, len, NULL, &r, &err) ==
	    TMON_OK, "%s", err.msg);
	free(text);
	return r;
}

/* The registers member tmond writes for a multiplatform predicate. */
static json_t *
registers_of(const struct prov_predicate *p)
{
	json_t *o = json_object(), *tdx = json_object();
	char hex[2 * PROV_REG_LEN + 1];

	ck_assert_int_eq(p->kind, PROV_KIND_MULTIPLATFORM);
	tjson_set(o, "snp_measurement", json_string(hex_encode(
	    p->snp_measurement, PROV_REG_LEN, hex)));
	tjson_set(tdx, "rtmr1", json_string(hex_encode(p->rtmr1,
	    PROV_REG_LEN, hex)));
	tjson_set(tdx, "rtmr2", json_string(hex_encode(p->rtmr2,
	    PROV_REG_LEN, hex)));
	tjson_set(o, "tdx_measurement", tdx);
	if (p->version[0] != '\0')
		tjson_set(o, "version", json_string(p->version));
	return o;
}

/*
 * A `provenance` entry of MODEL as tmond logs a look-up of CMR at
 * T_0629 (provenance_client.c): the recorded release, digest asset and
 * attestations, verified with root; with release_status other than 200
 * the release answered that (a look-up not completed).  Its seq.
 */
static uint64_t
log_provenance(const struct sigstore_root *root, long release_status)
{
	static const char *const names[3] = { "release", "digest_asset",
	    "attestations" };
	static const char *const files[3] = { GH "release_latest.body",
	    GH "tinfoil_hash.body", GH "attestations.body" };
	struct fetch_result res[3];
	struct entry_coll_doc docs[3];
	struct store_blob_in blobs[6];
	struct entry_provenance ep;
	struct github_release rel;
	struct sigstore_policy pol;
	struct prov_release pr;
	struct checklist sig;
	struct tmon_err err;
	uint8_t dh[3][2][32], digest[32], *body;
	json_t *att, *regs = NULL;
	size_t i, n, nb = 0, len;
	enum verdict v = VERDICT_ERROR;
	uint64_t seq;

	memset(res, 0, sizeof(res));
	memset(blobs, 0, sizeof(blobs));
	n = release_status == 200 ? 3 : 1;
	for (i = 0; i < n; i++) {
		res[i].status = i == 0 ? release_status : 200;
		if (res[i].status == 200)
			res[i].body = slurp(files[i], &res[i].body_len);
		else
			res[i].body = (uint8_t *)strdup("unavailable");
		if (res[i].status != 200)
			res[i].body_len = strlen((char *)res[i].body);
		snprintf(res[i].content_type, sizeof(res[i].content_type),
		    "application/json");
		collateral_doc_entry(&res[i], names[i], "https://api.github.com/",
		    &docs[i], dh[i], blobs, &nb);
	}
	memset(&ep, 0, sizeof(ep));
	ep.time = T_0629;
	ep.model = MODEL;
	ep.repo = CMR;
	ep.docs = docs;
	ep.n_docs = n;
	ep.policy_ref = "refs/tags/*";
	ep.trusted_root_sha256 = root->sha256;
	ep.predicate_type = PROV_PREDICATE_MULTIPLATFORM;
	if (n == 3) {
		tmon_err_clear(&err);
		ck_assert(github_release_parse(res[0].body, res[0].body_len,
		    &rel, &err) == TMON_OK);
		ck_assert(github_digest_parse(res[1].body, res[1].body_len,
		    digest, &err) == TMON_OK);
		att = json_loadb((const char *)res[2].body, res[2].body_len, 0,
		    NULL);
		ck_assert_ptr_nonnull(att);
		memset(&pol, 0, sizeof(pol));
		pol.repo = CMR;
		pol.ref = "refs/tags/*";
		checklist_init(&sig);
		v = prov_verify_release(root, att, PROV_PREDICATE_MULTIPLATFORM,
		    &pol, CMR, rel.tag, digest, T_0629, &pr, NULL,
		    &sig);
		json_decref(att);
		ck_assert_int_eq(v, VERDICT_PASS);
		ep.tag = rel.tag;
		ep.digest = digest;
		ep.digest_source = "asset";
		ep.checks = &sig;
		regs = registers_of(&pr.pred);
		ep.registers = regs;
		ep.verdict = "pass";
		/* the certificate's identity and the Rekor entry, as read
		 * with openssl x509 -text and from its tlogEntries */
		ep.id_issuer = "https://token.actions.githubusercontent.com";
		ep.id_repo = "https://github.com/tinfoilsh/"
		    "confidential-model-router";
		ep.id_ref = "refs/tags/v0.0.110";
		ep.id_sha = "7813c278b2c46351948143ea4a2313c635654893";
		ep.id_workflow = "https://github.com/tinfoilsh/"
		    "confidential-model-router/.github/workflows/"
		    "tinfoil-release-publish.yml@refs/tags/v0.0.110";
		ep.has_tlog = true;
		ep.integrated_time = 1782251465;
		ep.log_index = 1932011338;
	} else {
		ep.verdict = "error";
		ep.error = "release: HTTP 503";
	}
	body = entry_provenance_body(&ep, &len);
	seq = append("provenance", T_0629, MODEL, body, len, blobs, nb);
	free(body);
	json_decref(regs);
	for (i = 0; i < n; i++)
		free(res[i].body);
	return seq;
}

static void
prov_tag(json_t *o)
{
	tjson_set(o, "tag", json_string("v0.0.999"));
}

static void
prov_registers(json_t *o)
{
	tjson_set(json_object_get(o, "registers"), "snp_measurement",
	    json_string("00"));
}

static void
prov_log_index(json_t *o)
{
	tjson_set(o, "log_index", json_integer(1));
}

static void
prov_no_asset(json_t *o)
{
	json_object_del(json_object_get(o, "documents"), "digest_asset");
}

static void
prov_type(json_t *o)
{
	tjson_set(o, "predicate_type", json_string("https://example.com/p"));
}

static void
prov_no_repo(json_t *o)
{
	json_object_del(o, "repo");
}

/* The probe's provenance checks as tmond sets them: release and
 * measurement status, and the verdict they make. */
static void
with_provenance(json_t *o, const char *rel, const char *meas,
    const char *verdict)
{
	json_t *checks = json_object_get(o, "checks"), *c;

	c = json_object();
	tjson_set(c, "id", json_string("provenance.release"));
	tjson_set(c, "status", json_string(rel));
	tjson_set(c, "detail", json_string(""));
	json_array_append_new(checks, c);
	c = json_object();
	tjson_set(c, "id", json_string("provenance.measurement"));
	tjson_set(c, "status", json_string(meas));
	tjson_set(c, "detail", json_string(""));
	json_array_append_new(checks, c);
	tjson_set(o, "verdict", json_string(verdict));
}

/* the gemma TDX enclave runs no release of CMR: fail */
static void
prov_fail(json_t *o)
{
	with_provenance(o, "pass", "fail", "fail");
}

static void
prov_pass(json_t *o)
{
	with_provenance(o, "pass", "pass", "pass");
}

static void
prov_skip(json_t *o)
{
	with_provenance(o, "skip", "skip", json_string_value(
	    json_object_get(o, "verdict")));
}

/* A `provenance` entry re-verified from its stored documents; a probe's
 * provenance checks replayed from the entries before it. */
START_TEST(test_provenance)
{
	struct sigstore_root *pub = root_load(PUBLIC_ROOT);
	struct sigstore_root *test = root_load(TEST_ROOT);
	struct audit_config cfg;
	uint64_t p, e, seq;

	memset(&cfg, 0, sizeof(cfg));
	cfg.sigstore_root = pub;
	audit_ctx_free(actx);
	actx = audit_ctx_new(ro, vc, &cfg);
	p = log_provenance(pub, 200);
	e = log_provenance(pub, 503);
	ck_assert_str_eq(verdict_of(p), "pass");
	want(p, AUDIT_FOLLOWS, NULL);
	want(e, AUDIT_FOLLOWS, NULL);
	/* the probes after them: the release verified, the gemma enclave's
	 * RTMR1 is not the release's */
	seq = append_edited(s_probe, prov_fail);
	want(seq, AUDIT_FOLLOWS, NULL);
	seq = append_edited(s_probe, prov_pass);
	want(seq, AUDIT_DIFFERS, "provenance.measurement is fail, stored "
	    "pass");
	seq = append_edited(s_probe, prov_skip);
	want(seq, AUDIT_FOLLOWS, NULL);		/* as recorded */
	/* edited entries */
	want(append_edited(p, to_fail), AUDIT_DIFFERS, "stored verdict fail "
	    "does not follow from its evidence, which gives pass");
	want(append_edited(e, to_pass), AUDIT_DIFFERS, "stored verdict pass "
	    "does not follow from its evidence, which gives error");
	want(append_edited(p, prov_tag), AUDIT_DIFFERS, "stored tag v0.0.999 "
	    "does not follow from its evidence, which gives v0.0.110");
	want(append_edited(p, prov_registers), AUDIT_DIFFERS, "stored "
	    "registers do not follow");
	want(append_edited(p, prov_log_index), AUDIT_DIFFERS, "stored "
	    "log_index does not follow");
	want(append_edited(p, prov_no_asset), AUDIT_DIFFERS, NULL);
	want(append_edited(p, prov_type), AUDIT_UNCHECKED, "predicate_type");
	want(append_edited(p, prov_no_repo), AUDIT_UNCHECKED, "not a "
	    "provenance body");
	/* a probe after entries that do not re-derive */
	seq = append_edited(s_probe, prov_fail);
	want(seq, AUDIT_UNCHECKED, "does not re-derive");
	/* another root, or none */
	cfg.sigstore_root = test;
	audit_ctx_free(actx);
	actx = audit_ctx_new(ro, vc, &cfg);
	want(p, AUDIT_UNCHECKED, "not the one given");
	want(e, AUDIT_FOLLOWS, NULL);		/* nothing to verify */
	cfg.sigstore_root = NULL;
	cfg.sigstore_root_error = "no such file";
	audit_ctx_free(actx);
	actx = audit_ctx_new(ro, vc, &cfg);
	want(p, AUDIT_UNCHECKED, "none could be loaded: no such file");
	audit_ctx_free(actx);
	actx = audit_ctx_new(ro, vc, NULL);
	sigstore_root_free(pub);
	sigstore_root_free(test);
}
END_TEST

START_TEST(test_policy)
{
	struct audit_config cfg;
	uint64_t seq;

	ck_assert_str_eq(status_of(s_probe, "measurement.policy"), "warn");
	seq = append_edited(s_probe, policy_pass);
	want(seq, AUDIT_FOLLOWS, NULL);		/* as recorded */
	memset(&cfg, 0, sizeof(cfg));
	cfg.policy = policy_of;
	audit_ctx_free(actx);
	actx = audit_ctx_new(ro, vc, &cfg);
	want(s_probe, AUDIT_FOLLOWS, NULL);	/* unpinned: warn */
	want(seq, AUDIT_DIFFERS, "measurement.policy is warn, stored pass");
	cfg.policy_arg = &cfg;
	audit_ctx_free(actx);
	actx = audit_ctx_new(ro, vc, &cfg);
	want(s_probe, AUDIT_DIFFERS, "measurement.policy is fail, stored "
	    "warn");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("rederive");
	SRunner *sr;
	int nf;

	tjson_init();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_real_entries_follow);
	tcase_add_test(tc, test_edited_entries_differ);
	tcase_add_test(tc, test_checks_added_later);
	tcase_add_test(tc, test_unchecked);
	tcase_add_test(tc, test_policy);
	tcase_add_test(tc, test_provenance);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
