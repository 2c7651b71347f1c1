/*
 * Unit tests for monitor/receipt.c: receipt parsing and its 400/413
 * answers, the checks over real NEAR AI signature samples and over the
 * constructed Private Mode receipts, the canonical entry, and the receipt
 * service (batching writer) on a real SQLite log, including concurrent
 * appends from a second read-write handle.
 *
 * Expected hashes are computed with OpenSSL's SHA256() here or taken from
 * tests/data/receipts/PROVENANCE.md; Private Mode fingerprints come from
 * tests/data/receipts/private-mode/generate.py (Python hashlib).  No
 * timing is asserted anywhere.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "checklist.h"
#include "encode.h"
#include "entry.h"
#include "pool.h"
#include "provenance.h"
#include "receipt.h"
#include "store.h"
#include "tmon_limits.h"
#include "util.h"
#include "writer.h"

#define RDATA		TMON_TEST_DATA "/receipts"
/* The signer of sample A (tests/data/receipts/PROVENANCE.md). */
#define A_ADDR		"0xcaaa4842758658a85785ad15367a700c601ffea5"
#define A_REQ_SHA	"2ec65b4a042f68d7d4520e21a7135505a5154d52aa87dbd1" \
			"9e9d08021ffe5c4d"
#define OTHER_ADDR	"0x1111111111111111111111111111111111111111"
#define STORED_WO	"\"stored\":\"without_bytes\""

static char dir[64];
static char dbpath[128];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tmon-check-rcpt-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/log.db", dir);
}

static void
teardown(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[160];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]);
		(void)unlink(p);
	}
	(void)rmdir(dir);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct tmon_err err;
	uint8_t *p = NULL;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, MAX_RECEIPT_BODY, &p, len, &err) ==
	    TMON_OK, "%s: %s", path, err.msg);
	return p;
}

static char *
b64(const uint8_t *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	ck_assert_ptr_nonnull(out);
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/*
 * Sample A as a receipt body: the signature answer plus model and, when
 * bytes is true, the exact request and response bytes (the response with
 * byte flip_at flipped when flip_at >= 0).
 */
static char *
sample_a(bool bytes, long flip_at)
{
	json_error_t jerr;
	json_t *o;
	uint8_t *req, *resp;
	size_t rl, sl;
	char *s, *rb, *sb;

	o = json_load_file(RDATA "/nearai-docs/A/signature_response.json", 0,
	    &jerr);
	ck_assert_ptr_nonnull(o);
	json_object_set_new(o, "model", json_string("deepseek-v3.1"));
	if (bytes) {
		req = slurp(RDATA "/nearai-docs/A/request_body.json", &rl);
		resp = slurp(RDATA "/nearai-docs/A/response_body.sse", &sl);
		if (flip_at >= 0 && (size_t)flip_at < sl)
			resp[flip_at] ^= 0x01;
		rb = b64(req, rl);
		sb = b64(resp, sl);
		json_object_set_new(o, "request_b64", json_string(rb));
		json_object_set_new(o, "response_b64", json_string(sb));
		free(rb);
		free(sb);
		free(req);
		free(resp);
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	ck_assert_ptr_nonnull(s);
	return s;
}

static enum check_status
status_of(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "no check %s", id);
	return c->status;
}

/* Parse body (must succeed) and verify it against probe. */
static void
run(const char *body, const char *model, const struct rcpt_probe *probe,
    struct checklist *cl)
{
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	struct rcpt_probe none;

	memset(&none, 0, sizeof(none));
	ck_assert_msg(rcpt_parse((const uint8_t *)body, strlen(body), model,
	    &p, &rej) == TMON_OK, "parse: %s (%s)", rej.error,
	    rej.field != NULL ? rej.field : "-");
	checklist_init(cl);
	rcpt_verify(NULL, &p, probe != NULL ? probe : &none, cl);
	rcpt_parsed_free(&p);
}

static void
probe_with(struct rcpt_probe *pr, const char *addr, const char *algo,
    const char *verdict)
{
	memset(pr, 0, sizeof(*pr));
	pr->have = true;
	pr->seq = 7;
	pr->time = 1700000000;
	snprintf(pr->verdict, sizeof(pr->verdict), "%s", verdict);
	pr->has_meas = true;
	snprintf(pr->signing_address, sizeof(pr->signing_address), "%s",
	    addr);
	snprintf(pr->signing_algo, sizeof(pr->signing_algo), "%s", algo);
}

/* ---- signature receipts over the real samples ---- */

START_TEST(test_sig_sample_no_probe)
{
	struct checklist cl;
	char *body = sample_a(true, -1);

	run(body, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "sig.completion"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "sig.request_hash"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "sig.response_hash"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.attested_key"), CHECK_WARN);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_WARN);
	free(body);
}
END_TEST

START_TEST(test_sig_sample_attested)
{
	struct rcpt_probe pr;
	struct checklist cl;
	char *body = sample_a(true, -1);

	probe_with(&pr, A_ADDR, "ecdsa", "pass");
	run(body, NULL, &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "sig.completion"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.attested_key"), CHECK_PASS);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_PASS);
	/* An attested key that is not the signer: the receipt fails. */
	probe_with(&pr, OTHER_ADDR, "ecdsa", "pass");
	run(body, NULL, &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "sig.completion"), CHECK_FAIL);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_FAIL);
	/* A probe that failed: its key is used but not trusted. */
	probe_with(&pr, A_ADDR, "ecdsa", "fail");
	run(body, NULL, &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "sig.completion"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.attested_key"), CHECK_WARN);
	/* A probe of another algorithm: not compared. */
	probe_with(&pr, OTHER_ADDR, "ed25519", "pass");
	run(body, NULL, &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "sig.completion"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.attested_key"), CHECK_WARN);
	/* A probe that logged no key. */
	probe_with(&pr, "", "", "error");
	run(body, NULL, &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.attested_key"), CHECK_WARN);
	free(body);
}
END_TEST

START_TEST(test_sig_negative_sample)
{
	struct checklist cl;
	json_error_t jerr;
	json_t *o;
	char *body;

	o = json_load_file(RDATA "/nearai-docs/NEGATIVE/signature_response.json",
	    0, &jerr);
	ck_assert_ptr_nonnull(o);
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	run(body, "llama-3.3-70b", NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "sig.completion"), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "sig.request_hash"), CHECK_SKIP);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_FAIL);
	free(body);
}
END_TEST

START_TEST(test_sig_tampered_bytes)
{
	struct checklist cl;
	char *body;

	body = sample_a(true, 100);	/* one bit of the SSE stream */
	run(body, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "sig.completion"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "sig.request_hash"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "sig.response_hash"), CHECK_FAIL);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_FAIL);
	free(body);
	body = sample_a(false, -1);	/* no bytes: hashes not checked */
	run(body, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "sig.request_hash"), CHECK_SKIP);
	ck_assert_int_eq(status_of(&cl, "sig.response_hash"), CHECK_SKIP);
	ck_assert_int_eq(status_of(&cl, "sig.completion"), CHECK_PASS);
	free(body);
}
END_TEST

/* ---- refused bodies ---- */

static void
expect_reject(const char *body, size_t len, const char *model,
    unsigned int status, const char *field)
{
	struct rcpt_parsed p;
	struct rcpt_reject rej;

	ck_assert_msg(rcpt_parse((const uint8_t *)body, len, model, &p,
	    &rej) == TMON_E_PARSE, "accepted: %.80s", body);
	ck_assert_uint_eq(rej.status, status);
	ck_assert_ptr_nonnull(rej.error);
	if (field == NULL)
		ck_assert_msg(rej.field == NULL, "field %s for %.80s",
		    rej.field, body);
	else {
		ck_assert_msg(rej.field != NULL, "no field for %.80s", body);
		ck_assert_str_eq(rej.field, field);
	}
	ck_assert_ptr_null(p.root);
}

#define SIGOK	"\"text\":\"x\",\"signature\":\"y\",\"signing_address\":\"z\""

START_TEST(test_reject_table)
{
	static const struct {
		const char	*body;
		const char	*model;
		const char	*field;
	} t[] = {
		{ "", NULL, "body" },
		{ "[1]", NULL, "body" },
		{ "\"text\"", NULL, "body" },
		{ "null", NULL, "body" },
		{ "{\"model\":\"m\"," SIGOK ",\"archive_bytes\":1}", NULL,
		    "archive_bytes" },
		{ "{\"model\":\"m\"," SIGOK ",\"archive_bytes\":\"yes\"}",
		    NULL, "archive_bytes" },
		{ "{\"text\":1}", NULL, "model" },
		{ "{" SIGOK "}", NULL, "model" },
		{ "{\"model\":\"m\"," SIGOK ",\"model\":\"n\"}", NULL, "body" },
		{ "{\"model\":1," SIGOK "}", NULL, "model" },
		{ "{\"model\":\"a b\"," SIGOK "}", NULL, "model" },
		{ "{\"model\":\"m\"," SIGOK "}", "n", "model" },
		{ "{\"model\":\"m\",\"text\":\"x\",\"signature\":\"y\"}", NULL,
		    "signing_address" },
		{ "{\"model\":\"m\",\"text\":5,\"signature\":\"y\","
		    "\"signing_address\":\"z\"}", NULL, "text" },
		{ "{\"model\":\"m\",\"text\":\"x\",\"signature\":[],"
		    "\"signing_address\":\"z\"}", NULL, "signature" },
		{ "{\"model\":\"m\"," SIGOK ",\"signing_algo\":7}", NULL,
		    "signing_algo" },
		{ "{\"model\":\"m\"," SIGOK ",\"request_b64\":\"!!!!\"}", NULL,
		    "request_b64" },
		{ "{\"model\":\"m\"," SIGOK ",\"response_b64\":\"YQ\"}", NULL,
		    "response_b64" },
		{ "{\"model\":\"m\"," SIGOK ",\"response_b64\":1}", NULL,
		    "response_b64" },
		{ "{\"model\":\"m\"," SIGOK ",\"evil\":1}", NULL, "evil" },
		{ "{\"a\":1}", NULL, NULL },
		{ "{\"codeMeasurement\":{}}", NULL, NULL },
		{ "{\"model\":\"m\",\"text\":\"\\u0000\",\"signature\":\"y\","
		    "\"signing_address\":\"z\"}", NULL, "body" },
		{ "{\"model\":\"m\"," SIGOK "", NULL, "body" },
		{ "{\"model\":\"m\",\"text\":\"\xff\",\"signature\":\"y\","
		    "\"signing_address\":\"z\"}", NULL, "body" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		expect_reject(t[i].body, strlen(t[i].body), t[i].model, 400,
		    t[i].field);
	/* A ?model= that is not a model id. */
	expect_reject("{\"model\":\"m\"," SIGOK "}", strlen("{\"model\":\"m\","
	    SIGOK "}"), "bad model", 400, "model");
}
END_TEST

/* Valid JSON that is not an object is named as such, not "not JSON". */
START_TEST(test_reject_not_object)
{
	static const char *const t[] = { "null", " null ", "[]", "[1,2]",
	    "\"x\"", "1", "-2.5e3", "true", "false" };
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		expect_reject(t[i], strlen(t[i]), NULL, 400, "body");
		(void)rcpt_parse((const uint8_t *)t[i], strlen(t[i]), NULL,
		    &p, &rej);
		ck_assert_msg(strncmp(rej.error, "expected a JSON object",
		    22) == 0, "%s: %s", t[i], rej.error);
	}
	/* Not JSON at all is still said so. */
	(void)rcpt_parse((const uint8_t *)"nul", 3, NULL, &p, &rej);
	ck_assert_ptr_nonnull(strstr(rej.error, "not valid JSON"));
	(void)rcpt_parse((const uint8_t *)"{} {}", 5, NULL, &p, &rej);
	ck_assert_ptr_nonnull(strstr(rej.error, "not valid JSON"));
}
END_TEST

START_TEST(test_reject_lengths)
{
	char *body, *big;
	size_t n;

	/* text one byte over MAX_SIG_TEXT */
	big = malloc(MAX_SIG_TEXT + 2);
	memset(big, 'a', MAX_SIG_TEXT + 1);
	big[MAX_SIG_TEXT + 1] = '\0';
	n = strlen(big) + 128;
	body = malloc(n);
	snprintf(body, n, "{\"model\":\"m\",\"text\":\"%s\",\"signature\":"
	    "\"y\",\"signing_address\":\"z\"}", big);
	expect_reject(body, strlen(body), NULL, 400, "text");
	/* exactly MAX_SIG_TEXT is accepted */
	big[MAX_SIG_TEXT] = '\0';
	snprintf(body, n, "{\"model\":\"m\",\"text\":\"%s\",\"signature\":"
	    "\"y\",\"signing_address\":\"z\"}", big);
	{
		struct rcpt_parsed p;
		struct rcpt_reject rej;

		ck_assert_int_eq(rcpt_parse((const uint8_t *)body,
		    strlen(body), NULL, &p, &rej), TMON_OK);
		rcpt_parsed_free(&p);
	}
	free(body);
	free(big);
	/* one byte over MAX_RECEIPT_BODY: 413 before anything is parsed */
	big = malloc(MAX_RECEIPT_BODY + 1);
	memset(big, ' ', MAX_RECEIPT_BODY + 1);
	expect_reject(big, MAX_RECEIPT_BODY + 1, NULL, 413, "body");
	free(big);
}
END_TEST

START_TEST(test_reject_depth)
{
	char body[512];
	size_t n = 0;
	int i, depth;

	for (depth = MAX_JSON_DEPTH - 1; depth <= MAX_JSON_DEPTH; depth++) {
		/* {"model":"m",...,"x":[[...]]}: depth+1 levels in all */
		n = (size_t)snprintf(body, sizeof(body), "{\"model\":\"m\","
		    SIGOK ",\"x\":");
		for (i = 0; i < depth; i++)
			body[n++] = '[';
		for (i = 0; i < depth; i++)
			body[n++] = ']';
		body[n++] = '}';
		body[n] = '\0';
		/* Within the limit the unknown member is what is refused;
		   over it, the nesting. */
		expect_reject(body, n, NULL, 400, depth + 1 > MAX_JSON_DEPTH ?
		    "body" : "x");
	}
}
END_TEST

START_TEST(test_truncations)
{
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	char *body = sample_a(true, -1);
	size_t len = strlen(body), i;

	/* Every proper prefix of the object is refused, without a crash. */
	for (i = 0; i < len; i++) {
		ck_assert_int_eq(rcpt_parse((const uint8_t *)body, i, NULL, &p,
		    &rej), TMON_E_PARSE);
		ck_assert_uint_eq(rej.status, 400);
	}
	ck_assert_int_eq(rcpt_parse((const uint8_t *)body, len, NULL, &p,
	    &rej), TMON_OK);
	rcpt_parsed_free(&p);
	free(body);
}
END_TEST

/* ---- Private Mode receipts (constructed; see PROVENANCE.md) ---- */

static json_t *
load(const char *name)
{
	char path[256];
	json_error_t jerr;
	json_t *o;

	snprintf(path, sizeof(path), RDATA "/private-mode/%s", name);
	o = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	ck_assert_msg(o != NULL, "%s: %s", path, jerr.text);
	return o;
}

static char *
dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	ck_assert_ptr_nonnull(s);
	return s;
}

/* Check o (stolen) against probe; checks into cl. */
static void
run_doc(json_t *o, const char *model, const struct rcpt_probe *probe,
    struct checklist *cl)
{
	char *s = dump(o);

	json_decref(o);
	run(s, model, probe, cl);
	free(s);
}

/* A probe entry's view of the enclave of tdx.json (registers.json). */
static void
probe_regs(struct rcpt_probe *pr)
{
	json_t *r = load("registers.json");
	char key[8];
	int i;

	memset(pr, 0, sizeof(*pr));
	pr->have = true;
	pr->seq = 3;
	snprintf(pr->verdict, sizeof(pr->verdict), "pass");
	pr->has_meas = true;
	snprintf(pr->mrtd, sizeof(pr->mrtd), "%s",
	    json_string_value(json_object_get(r, "mrtd")));
	for (i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "rtmr%d", i);
		snprintf(pr->rtmr[i], sizeof(pr->rtmr[i]), "%s",
		    json_string_value(json_object_get(r, key)));
	}
	json_decref(r);
}

START_TEST(test_pm_tdx)
{
	struct rcpt_probe pr;
	struct checklist cl;

	run_doc(load("tdx.json"), NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.claimed"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.code_match"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.code_fp"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.enclave_fp"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.key_binding"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.signature"), CHECK_WARN);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_WARN);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_WARN);

	/* Named model, tmon's probe (verdict pass) logged the same
	   registers: the measurement matches, but an unsigned document is
	   at most warn. */
	probe_regs(&pr);
	run_doc(load("tdx.json"), "TEE/synthetic", &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.signature"), CHECK_WARN);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_WARN);

	/* tmon logged another RTMR2 for that model. */
	pr.rtmr[2][0] = pr.rtmr[2][0] == '0' ? '1' : '0';
	run_doc(load("tdx.json"), "TEE/synthetic", &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_FAIL);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_FAIL);

	/* Upper-case hex in the receipt still compares equal. */
	probe_regs(&pr);
	{
		json_t *o = load("tdx.json");
		json_t *hw = json_object_get(o, "hardwareMeasurement");
		char up[97];
		size_t i;

		snprintf(up, sizeof(up), "%s", json_string_value(
		    json_object_get(hw, "MRTD")));
		for (i = 0; up[i] != '\0'; i++)
			if (up[i] >= 'a' && up[i] <= 'f')
				up[i] = (char)(up[i] - 'a' + 'A');
		json_object_set_new(hw, "MRTD", json_string(up));
		run_doc(o, "TEE/synthetic", &pr, &cl);
		ck_assert_int_eq(status_of(&cl, "receipt.measurement"),
		    CHECK_PASS);
	}

	/* No probe of the model / a probe without a measurement. */
	memset(&pr, 0, sizeof(pr));
	run_doc(load("tdx.json"), "TEE/synthetic", &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_WARN);
	pr.have = true;
	run_doc(load("tdx.json"), "TEE/synthetic", &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_WARN);
}
END_TEST

/*
 * A document anyone can write from what GET /api/v1/models shows (the
 * registers of tmon's latest probe), with no enclave involved: never a
 * pass, and a match with a probe that was not pass is not a pass either.
 */
/* The receipt's keys against the keys tmon's probe saw bound in
   REPORTDATA (TLS key fingerprint, HPKE key), field by field. */
#define PM_TLS_FP	"4f0366b1d383c0ba213d72cb02e5c13a726bb51cf533836f" \
			"479b9085af920d78"
#define PM_HPKE		"d7136aff3deb5367f7057d92ac183dd2ab346d1d566653" \
			"2895683e6da254e668"

START_TEST(test_pm_probe_keys)
{
	struct rcpt_probe pr;
	struct checklist cl;
	const char *d;

	/* values copied from tests/data/receipts/private-mode/tdx.json */
	probe_regs(&pr);
	snprintf(pr.tls_fingerprint, sizeof(pr.tls_fingerprint), "%s",
	    PM_TLS_FP);
	snprintf(pr.hpke_key, sizeof(pr.hpke_key), "%s", PM_HPKE);
	run_doc(load("tdx.json"), "TEE/synthetic", &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_PASS);
	d = checklist_get(&cl, "receipt.measurement")->detail;
	ck_assert_ptr_nonnull(strstr(d, "tls_fp"));
	ck_assert_ptr_nonnull(strstr(d, "hpkePublicKey"));
	ck_assert_ptr_nonnull(strstr(d, "RTMR3"));
	ck_assert_ptr_nonnull(strstr(d, "cannot know"));

	/* another HPKE key in the enclave tmon probed: both fields differ */
	pr.hpke_key[0] = pr.hpke_key[0] == 'd' ? 'e' : 'd';
	run_doc(load("tdx.json"), "TEE/synthetic", &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_FAIL);
	d = checklist_get(&cl, "receipt.measurement")->detail;
	ck_assert_ptr_nonnull(strstr(d, "differ from tmon's probe seq 3 of "
	    "TEE/synthetic: hpke,hpkePublicKey;"));
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_FAIL);

	/* a probe that logged keys only (no registers): keys still compare */
	memset(&pr, 0, sizeof(pr));
	pr.have = true;
	pr.seq = 4;
	snprintf(pr.verdict, sizeof(pr.verdict), "pass");
	pr.has_meas = true;
	snprintf(pr.tls_fingerprint, sizeof(pr.tls_fingerprint), "%s",
	    PM_TLS_FP);
	run_doc(load("tdx.json"), "TEE/synthetic", &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_PASS);
	ck_assert_ptr_nonnull(strstr(checklist_get(&cl,
	    "receipt.measurement")->detail, "tls_fp,tlsPublicKey;"));
}
END_TEST

START_TEST(test_pm_forged_from_probe)
{
	static const char *const verdicts[] = { "warn", "error", "fail",
	    "pass" };
	struct rcpt_probe pr;
	struct checklist cl;
	const struct check *c;
	json_t *o, *m, *regs;
	size_t i;
	int k;

	probe_regs(&pr);
	regs = json_array();
	json_array_append_new(regs, json_string(pr.mrtd));
	for (k = 0; k < 4; k++)
		json_array_append_new(regs, json_string(pr.rtmr[k]));
	m = json_pack("{s:s, s:o}", "type",
	    "https://tinfoil.sh/predicate/tdx-guest/v2", "registers", regs);
	o = json_pack("{s:O, s:{s:O}, s:s, s:b, s:{s:{s:s}, s:{s:s}, "
	    "s:{s:s}, s:{s:s}}}", "codeMeasurement", m, "enclaveMeasurement",
	    "measurement", m, "releaseDigest", "00", "securityVerified", 1,
	    "steps", "fetchDigest", "status", "success", "verifyCode",
	    "status", "success", "verifyEnclave", "status", "success",
	    "compareMeasurements", "status", "success");
	json_decref(m);
	ck_assert_ptr_nonnull(o);
	for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		snprintf(pr.verdict, sizeof(pr.verdict), "%s", verdicts[i]);
		run_doc(json_deep_copy(o), "TEE/synthetic", &pr, &cl);
		ck_assert_int_eq(status_of(&cl, "receipt.claimed"),
		    CHECK_PASS);
		ck_assert_int_eq(status_of(&cl, "receipt.code_match"),
		    CHECK_PASS);
		ck_assert_int_eq(status_of(&cl, "receipt.measurement"),
		    strcmp(verdicts[i], "pass") == 0 ? CHECK_PASS :
		    CHECK_WARN);
		ck_assert_int_eq(status_of(&cl, "receipt.signature"),
		    CHECK_WARN);
		c = checklist_get(&cl, "receipt.signature");
		ck_assert_ptr_nonnull(strstr(c->detail, "browser"));
		ck_assert_ptr_nonnull(strstr(c->detail, "unsigned"));
		if (strcmp(verdicts[i], "pass") != 0)
			ck_assert_ptr_nonnull(strstr(checklist_get(&cl,
			    "receipt.measurement")->detail, verdicts[i]));
		ck_assert_int_eq(checklist_verdict(&cl), CHECK_WARN);
	}
	json_decref(o);
}
END_TEST

START_TEST(test_pm_tampered)
{
	struct checklist cl;
	json_t *o, *regs;

	/* The receipt itself records a failed verification. */
	o = load("tdx.json");
	json_object_set_new(o, "securityVerified", json_false());
	json_object_set_new(json_object_get(json_object_get(o, "steps"),
	    "verifyEnclave"), "status", json_string("failed"));
	run_doc(o, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.claimed"), CHECK_FAIL);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_FAIL);

	/* Claims success while a step did not succeed. */
	o = load("tdx.json");
	json_object_set_new(json_object_get(json_object_get(o, "steps"),
	    "compareMeasurements"), "status", json_string("skipped"));
	run_doc(o, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.claimed"), CHECK_FAIL);

	/* The enclave runs other code than the release. */
	o = load("tdx.json");
	regs = json_object_get(json_object_get(json_object_get(o,
	    "enclaveMeasurement"), "measurement"), "registers");
	json_array_set_new(regs, 3, json_string("00"));
	run_doc(o, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.code_match"), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.enclave_fp"), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.code_fp"), CHECK_PASS);

	/* A fingerprint that does not recompute. */
	o = load("tdx.json");
	json_object_set_new(o, "codeFingerprint", json_string("00ff"));
	run_doc(o, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.code_fp"), CHECK_FAIL);

	/* An HPKE key that is not the attested one. */
	o = load("tdx.json");
	json_object_set_new(o, "hpkePublicKey", json_string("abcd"));
	run_doc(o, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.key_binding"), CHECK_FAIL);

	/* No fingerprints, no keys: skipped, not passed. */
	o = load("tdx.json");
	json_object_del(o, "codeFingerprint");
	json_object_del(o, "hpkePublicKey");
	json_object_del(o, "tlsPublicKey");
	run_doc(o, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.code_fp"), CHECK_SKIP);
	ck_assert_int_eq(status_of(&cl, "receipt.key_binding"), CHECK_SKIP);

	/* Measurement types that cannot be compared. */
	o = load("tdx.json");
	json_object_set_new(json_object_get(o, "codeMeasurement"), "type",
	    json_string("https://tinfoil.sh/predicate/sev-snp-guest/v2"));
	run_doc(o, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.code_match"), CHECK_FAIL);
}
END_TEST

START_TEST(test_pm_multiplatform)
{
	struct rcpt_probe pr;
	struct checklist cl;
	json_t *o, *m;

	/* Release [SNP, RTMR1, RTMR2] against an SEV-SNP enclave [SNP]. */
	run_doc(load("multiplatform.json"), NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.code_match"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.code_fp"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.enclave_fp"), CHECK_PASS);
	/* The enclave that ran is SEV-SNP: no TDX register to compare. */
	probe_regs(&pr);
	run_doc(load("multiplatform.json"), "TEE/synthetic", &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_WARN);
	/* An enclave reporting the multiplatform measurement itself: its
	   RTMR1 and RTMR2 are compared with tmon's probe. */
	o = load("multiplatform.json");
	m = json_deep_copy(json_object_get(o, "codeMeasurement"));
	json_object_set_new(json_object_get(o, "enclaveMeasurement"),
	    "measurement", m);
	json_object_del(o, "enclaveFingerprint");
	run_doc(json_deep_copy(o), "TEE/synthetic", &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.code_match"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_PASS);
	pr.rtmr[1][5] = pr.rtmr[1][5] == 'a' ? 'b' : 'a';
	run_doc(o, "TEE/synthetic", &pr, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.measurement"), CHECK_FAIL);
	/* Another SNP measurement in the enclave than in the release. */
	o = load("multiplatform.json");
	json_array_set_new(json_object_get(json_object_get(json_object_get(o,
	    "enclaveMeasurement"), "measurement"), "registers"), 0,
	    json_string("ff"));
	run_doc(o, NULL, NULL, &cl);
	ck_assert_int_eq(status_of(&cl, "receipt.code_match"), CHECK_FAIL);
}
END_TEST

START_TEST(test_pm_wrapped_and_errors)
{
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	json_t *o;
	char *s;

	o = load("wrapped.json");
	s = dump(o);
	json_decref(o);
	ck_assert_int_eq(rcpt_parse((const uint8_t *)s, strlen(s), NULL, &p,
	    &rej), TMON_OK);
	ck_assert_int_eq(p.fmt, RCPT_PRIVATE_MODE);
	ck_assert_str_eq(p.doc_key, "verification");
	ck_assert_str_eq(p.model, "TEE/synthetic-private");
	rcpt_parsed_free(&p);
	/* ?model= must agree with the body's model */
	expect_reject(s, strlen(s), "TEE/other", 400, "model");
	free(s);

	o = load("tdx.json");
	json_object_set_new(json_object_get(o, "codeMeasurement"),
	    "registers", json_string("x"));
	s = dump(o);
	json_decref(o);
	expect_reject(s, strlen(s), NULL, 400, "codeMeasurement.registers");
	free(s);

	o = load("tdx.json");
	json_object_del(o, "steps");
	s = dump(o);
	json_decref(o);
	expect_reject(s, strlen(s), NULL, 400, "steps");
	free(s);

	/* a nested member is named by its JSON path, in field and error */
	o = load("tdx.json");
	json_object_del(json_object_get(json_object_get(o, "steps"),
	    "verifyCode"), "status");
	s = dump(o);
	json_decref(o);
	expect_reject(s, strlen(s), NULL, 400, "steps.verifyCode.status");
	free(s);

	o = load("tdx.json");
	{
		struct rcpt_parsed p2;
		struct rcpt_reject rj;
		json_t *regs = json_object_get(json_object_get(o,
		    "codeMeasurement"), "registers");
		char want[64];

		snprintf(want, sizeof(want), "codeMeasurement.registers[%zu]",
		    json_array_size(regs));
		json_array_append_new(regs, json_integer(1));
		s = dump(o);
		json_decref(o);
		ck_assert_int_eq(rcpt_parse((const uint8_t *)s, strlen(s),
		    NULL, &p2, &rj), TMON_E_PARSE);
		ck_assert_str_eq(rj.field, want);
		ck_assert_ptr_nonnull(strstr(rj.error, "must be a string"));
		ck_assert_ptr_nonnull(strstr(rj.error, want));
	}
	free(s);

	o = load("tdx.json");
	json_object_set_new(o, "securityVerified", json_string("yes"));
	s = dump(o);
	json_decref(o);
	expect_reject(s, strlen(s), NULL, 400, "securityVerified");
	free(s);

	o = load("tdx.json");
	json_object_set_new(json_object_get(json_object_get(o,
	    "enclaveMeasurement"), "measurement"), "type", json_integer(1));
	s = dump(o);
	json_decref(o);
	expect_reject(s, strlen(s), NULL, 400,
	    "enclaveMeasurement.measurement.type");
	free(s);

	o = load("tdx.json");
	{
		json_t *regs = json_array();
		int i;

		for (i = 0; i <= MAX_RECEIPT_REGISTERS; i++)
			json_array_append_new(regs, json_string("00"));
		json_object_set_new(json_object_get(o, "codeMeasurement"),
		    "registers", regs);
	}
	s = dump(o);
	json_decref(o);
	expect_reject(s, strlen(s), NULL, 400, "codeMeasurement.registers");
	free(s);
}
END_TEST

/* ---- the entry ---- */

START_TEST(test_entry_canonical)
{
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	struct rcpt_probe pr;
	struct checklist cl;
	json_error_t jerr;
	json_t *e, *c;
	uint8_t md[32], *entry;
	char hex[65], *again, *body = sample_a(true, -1);
	size_t len, blen = strlen(body);

	ck_assert_int_eq(rcpt_parse((const uint8_t *)body, blen, NULL, &p,
	    &rej), TMON_OK);
	probe_with(&pr, A_ADDR, "ecdsa", "pass");
	checklist_init(&cl);
	rcpt_verify(NULL, &p, &pr, &cl);
	SHA256((const unsigned char *)body, blen, md);
	entry = entry_receipt_checked_body(&p, &pr, &cl, 1700000123, md, blen, &len);
	/* Canonical: sorted keys, compact, exactly what jansson would
	   write for the parsed value. */
	e = json_loadb((const char *)entry, len, JSON_REJECT_DUPLICATES,
	    &jerr);
	ck_assert_ptr_nonnull(e);
	again = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_uint_eq(strlen(again), len);
	ck_assert(memcmp(again, entry, len) == 0);
	ck_assert_ptr_null(memchr(entry, '\n', len));
	ck_assert_str_eq(json_string_value(json_object_get(e, "kind")),
	    "receipt");
	ck_assert_str_eq(json_string_value(json_object_get(e, "format")),
	    "signature");
	ck_assert_str_eq(json_string_value(json_object_get(e, "model")),
	    "deepseek-v3.1");
	ck_assert_str_eq(json_string_value(json_object_get(e, "verdict")),
	    "pass");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "time")),
	    1700000123);
	c = json_object_get(e, "submitted");
	ck_assert_str_eq(json_string_value(json_object_get(c, "sha256")),
	    hex_encode(md, 32, hex));
	ck_assert_int_eq(json_integer_value(json_object_get(c, "len")),
	    (json_int_t)blen);
	ck_assert_str_eq(json_string_value(json_object_get(c, "stored")),
	    "without_bytes");
	c = json_object_get(e, "claims");
	ck_assert_str_eq(json_string_value(json_object_get(c,
	    "request_sha256")), A_REQ_SHA);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "request_len")),
	    151);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(e,
	    "probe"), "seq")), 7);
	ck_assert_uint_eq(json_array_size(json_object_get(e, "checks")), 4);
	free(again);
	free(entry);
	json_decref(e);
	rcpt_parsed_free(&p);
	free(body);
}
END_TEST

START_TEST(test_entry_private_mode_claims)
{
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	struct rcpt_probe pr;
	struct checklist cl;
	json_error_t jerr;
	json_t *o, *e, *c;
	uint8_t md[32] = { 0 }, *entry;
	size_t len;
	char *s;

	o = load("tdx.json");
	json_object_set_new(o, "extra", json_string("not recorded"));
	json_object_set_new(json_object_get(o, "steps"), "otherStep",
	    json_string("not recorded"));
	json_object_set_new(json_object_get(json_object_get(o, "steps"),
	    "verifyCode"), "extra", json_string("not recorded"));
	s = dump(o);
	json_decref(o);
	ck_assert_int_eq(rcpt_parse((const uint8_t *)s, strlen(s), NULL, &p,
	    &rej), TMON_OK);
	memset(&pr, 0, sizeof(pr));
	checklist_init(&cl);
	rcpt_verify(NULL, &p, &pr, &cl);
	entry = entry_receipt_checked_body(&p, &pr, &cl, 1, md, strlen(s),
	    &len);
	ck_assert_ptr_null(memmem(entry, len, "not recorded", 12));
	e = json_loadb((const char *)entry, len, 0, &jerr);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "format")),
	    "nanogpt_private_mode");
	ck_assert(json_is_null(json_object_get(e, "model")));
	c = json_object_get(e, "claims");
	ck_assert(json_is_null(json_object_get(c, "document_key")));
	ck_assert_str_eq(json_string_value(json_object_get(c,
	    "enclaveHost")), "router.synthetic.tinfoil.example");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(c, "steps"), "verifyCode"), "status")), "success");
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(
	    json_object_get(c, "enclaveMeasurement"), "measurement"),
	    "registers")), 5);
	ck_assert(json_is_true(json_object_get(c, "securityVerified")));
	json_decref(e);
	free(entry);
	rcpt_parsed_free(&p);
	free(s);
}
END_TEST

/* ---- the service on a real log ---- */

/* The answer of a submission, parsed; ans->json is freed. */
static json_t *
answer(struct api_answer *ans, unsigned int status)
{
	json_error_t jerr;
	json_t *o;

	ck_assert_ptr_nonnull(ans->json);
	ck_assert_msg(ans->status == status, "status %u: %s", ans->status,
	    ans->json);
	o = json_loadb(ans->json, ans->json_len, 0, &jerr);
	ck_assert_ptr_nonnull(o);
	free(ans->json);
	ans->json = NULL;
	return o;
}

static struct store *
open_rw(void)
{
	struct store *s = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(store_open(dbpath, STORE_RW, &s, &err) == TMON_OK, "%s",
	    err.msg);
	return s;
}

/* The receipt service as tmond runs it: the one writer (its own
   read-write handle), the read-only pool, the service on both. */
struct svc {
	struct store_writer	*w;
	struct store_pool	*pool;
	struct rcpt		*r;
};

static void
svc_start(struct svc *v)
{
	struct tmon_err err;

	memset(v, 0, sizeof(*v));
	tmon_err_clear(&err);
	ck_assert_msg(store_writer_start(open_rw(), &v->w, &err) == TMON_OK,
	    "%s", err.msg);
	ck_assert_msg(store_pool_new(dbpath, 4, &v->pool, &err) == TMON_OK,
	    "%s", err.msg);
	ck_assert_int_eq(rcpt_start(v->w, v->pool, &v->r, &err), TMON_OK);
}

static void
svc_stop(struct svc *v)
{
	rcpt_stop(v->r);
	store_writer_stop(v->w);
	store_pool_free(v->pool);
	memset(v, 0, sizeof(*v));
}

static uint64_t
log_size(struct store *s)
{
	struct tmon_err err;
	uint64_t n = 0;

	tmon_err_clear(&err);
	ck_assert_msg(store_verify_chain(s, &n, NULL, &err) == TMON_OK, "%s",
	    err.msg);
	return n;
}

/* Append a probe entry of model whose measurement names addr. */
static void
add_probe(struct store *s, const char *model, const char *addr,
    const char *verdict)
{
	struct store_entry_in in;
	struct tmon_err err;
	char body[512];

	snprintf(body, sizeof(body), "{\"kind\":\"probe\",\"measurement\":"
	    "{\"signing_address\":\"%s\",\"signing_algo\":\"ecdsa\"},"
	    "\"model\":\"%s\",\"time\":1700000000,\"v\":1,"
	    "\"verdict\":\"%s\"}", addr, model, verdict);
	memset(&in, 0, sizeof(in));
	in.kind = "probe";
	in.time = 1700000000;
	in.model = model;
	in.verdict = verdict;
	in.body = (const uint8_t *)body;
	in.body_len = strlen(body);
	tmon_err_clear(&err);
	ck_assert_msg(store_append(s, NULL, 0, &in, 1, NULL, &err) == TMON_OK,
	    "%s", err.msg);
}

START_TEST(test_service_roundtrip)
{
	struct store *s = open_rw();
	struct svc v;
	struct rcpt *r;
	struct api_answer ans;
	struct store_entry e;
	struct tmon_err err;
	uint8_t want[32], key[32], *blob, zero = 0;
	char hex[65], *mt, *want_blob, *kept, *body = sample_a(true, -1);
	size_t bl;
	json_t *o, *stripped;
	EVP_MD_CTX *ctx;

	tmon_err_clear(&err);
	svc_start(&v);
	r = v.r;
	rcpt_submit_wait(r, (const uint8_t *)body, strlen(body), NULL, &ans);
	o = answer(&ans, 201);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "seq")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "verdict")),
	    "warn");
	ck_assert_uint_eq(json_array_size(json_object_get(o, "checks")), 4);
	/* The leaf hash is SHA-256(0x00 || the stored entry body). */
	ck_assert_int_eq(store_entry_get(s, 0, &e, &err), TMON_OK);
	ck_assert_str_eq(e.kind, "receipt");
	ck_assert_str_eq(e.model, "deepseek-v3.1");
	ck_assert_str_eq(e.verdict, "warn");
	ctx = EVP_MD_CTX_new();
	ck_assert(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, &zero, 1) == 1 &&
	    EVP_DigestUpdate(ctx, e.body, e.body_len) == 1 &&
	    EVP_DigestFinal_ex(ctx, want, NULL) == 1);
	EVP_MD_CTX_free(ctx);
	ck_assert_str_eq(json_string_value(json_object_get(o, "leaf_hash")),
	    hex_encode(want, 32, hex));
	/* Request and response bytes were checked (the hashes pass), then
	   dropped: neither the entry nor the blob holds them. */
	ck_assert_ptr_nonnull(memmem(e.body, e.body_len, A_REQ_SHA, 64));
	ck_assert_ptr_null(memmem(e.body, e.body_len, "request_b64", 11));
	ck_assert_ptr_null(memmem(e.body, e.body_len, "two words", 9));
	ck_assert_ptr_nonnull(memmem(e.body, e.body_len, STORED_WO,
	    strlen(STORED_WO)));
	store_entry_free(&e);
	ck_assert_str_eq(json_string_value(json_object_get(o, "stored")),
	    "without_bytes");
	/* The blob is the submitted object without them, canonical. */
	stripped = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(stripped);
	ck_assert_int_eq(json_object_del(stripped, "request_b64"), 0);
	ck_assert_int_eq(json_object_del(stripped, "response_b64"), 0);
	want_blob = json_dumps(stripped, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(stripped);
	SHA256((const unsigned char *)want_blob, strlen(want_blob), key);
	ck_assert_str_eq(json_string_value(json_object_get(o,
	    "submitted_sha256")), hex_encode(key, 32, hex));
	ck_assert_int_eq(store_blob_get(s, key, &blob, &bl, &mt, &err),
	    TMON_OK);
	ck_assert_uint_eq(bl, strlen(want_blob));
	ck_assert(memcmp(blob, want_blob, bl) == 0);
	ck_assert_str_eq(mt, "application/json");
	free(blob);
	free(mt);
	free(want_blob);
	json_decref(o);
	/* The whole body is not stored anywhere under its own hash. */
	SHA256((const unsigned char *)body, strlen(body), key);
	ck_assert_int_eq(store_blob_get(s, key, &blob, &bl, &mt, &err),
	    TMON_E_NOTFOUND);

	/* "archive_bytes": true keeps the submitted bytes whole. */
	stripped = json_loads(body, 0, NULL);
	json_object_set_new(stripped, "archive_bytes", json_true());
	kept = json_dumps(stripped, JSON_COMPACT);
	json_decref(stripped);
	rcpt_submit_wait(r, (const uint8_t *)kept, strlen(kept), NULL, &ans);
	o = answer(&ans, 201);
	ck_assert_str_eq(json_string_value(json_object_get(o, "stored")),
	    "whole");
	ck_assert_str_eq(json_string_value(json_object_get(o, "verdict")),
	    "warn");
	SHA256((const unsigned char *)kept, strlen(kept), key);
	ck_assert_str_eq(json_string_value(json_object_get(o,
	    "submitted_sha256")), hex_encode(key, 32, hex));
	ck_assert_int_eq(store_blob_get(s, key, &blob, &bl, &mt, &err),
	    TMON_OK);
	ck_assert_uint_eq(bl, strlen(kept));
	ck_assert(memcmp(blob, kept, bl) == 0);
	free(blob);
	free(mt);
	free(kept);
	json_decref(o);

	/* A refused body writes nothing. */
	rcpt_submit_wait(r, (const uint8_t *)"{\"x\":", 5, NULL, &ans);
	json_decref(answer(&ans, 400));
	ck_assert_uint_eq(log_size(s), 2);
	svc_stop(&v);
	store_close(s);
	free(body);
}
END_TEST

/* A source of verified releases for the service (rcpt_prov_fn): one
 * release, for the model TEE/tinfoil, whose digest and registers are
 * those of private-mode/multiplatform.json; the calls are counted. */
struct fake_prov {
	struct prov_release	rel;
	unsigned		calls;
	char			model[MAX_MODEL_ID];
};

static size_t
fake_releases(void *arg, const char *model, struct prov_release *out,
    size_t max)
{
	struct fake_prov *f = arg;

	f->calls++;
	snprintf(f->model, sizeof(f->model), "%s", model);
	if (max < 1 || strcmp(model, "TEE/tinfoil") != 0)
		return 0;
	out[0] = f->rel;
	return 1;
}

static void
fake_prov_init(struct fake_prov *f)
{
	json_t *d = load("multiplatform.json");
	json_t *regs = json_object_get(json_object_get(d, "codeMeasurement"),
	    "registers");
	uint8_t *dst[3];
	const char *h;
	size_t i;

	memset(f, 0, sizeof(*f));
	snprintf(f->rel.repo, sizeof(f->rel.repo), "%s", json_string_value(
	    json_object_get(d, "configRepo")));
	snprintf(f->rel.tag, sizeof(f->rel.tag), "%s", json_string_value(
	    json_object_get(d, "releaseTag")));
	h = json_string_value(json_object_get(d, "releaseDigest"));
	ck_assert(hex_decode_exact(h, strlen(h), f->rel.digest, 32, false));
	f->rel.pred.kind = PROV_KIND_MULTIPLATFORM;
	dst[0] = f->rel.pred.snp_measurement;
	dst[1] = f->rel.pred.rtmr1;
	dst[2] = f->rel.pred.rtmr2;
	for (i = 0; i < 3; i++) {
		h = json_string_value(json_array_get(regs, i));
		ck_assert(hex_decode_exact(h, strlen(h), dst[i], PROV_REG_LEN,
		    false));
	}
	json_decref(d);
}

/* Submit body for model; the status of check id in the 201 answer
 * ("" when the answer lists no such check) into st. */
static void
submit_status(struct rcpt *r, const char *body, const char *model,
    const char *id, char st[8])
{
	struct api_answer ans;
	const json_t *c;
	json_t *o;
	size_t i;

	rcpt_submit_wait(r, (const uint8_t *)body, strlen(body), model, &ans);
	o = answer(&ans, 201);
	st[0] = '\0';
	json_array_foreach(json_object_get(o, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
			snprintf(st, 8, "%s", json_string_value(
			    json_object_get(c, "status")));
	json_decref(o);
}

/* receipt.provenance: a Private Mode receipt against the releases of
 * the source rcpt_set_provenance gives, for the receipt's model. */
START_TEST(test_service_provenance)
{
	struct fake_prov f;
	struct svc v;
	json_t *d = load("multiplatform.json");
	char st[8], *pm = dump(d), *sig = sample_a(true, -1);

	json_decref(d);
	fake_prov_init(&f);
	svc_start(&v);
	/* no source: tmon holds no verified release */
	submit_status(v.r, pm, "TEE/tinfoil", "receipt.provenance", st);
	ck_assert_str_eq(st, "error");
	rcpt_set_provenance(v.r, fake_releases, &f);
	submit_status(v.r, pm, "TEE/tinfoil", "receipt.provenance", st);
	ck_assert_str_eq(st, "pass");
	ck_assert_uint_eq(f.calls, 1);
	ck_assert_str_eq(f.model, "TEE/tinfoil");
	/* another model: none held for it */
	submit_status(v.r, pm, "TEE/other", "receipt.provenance", st);
	ck_assert_str_eq(st, "error");
	ck_assert_str_eq(f.model, "TEE/other");
	/* no model named: the source is not asked */
	submit_status(v.r, pm, NULL, "receipt.provenance", st);
	ck_assert_str_eq(st, "error");
	ck_assert_uint_eq(f.calls, 2);
	/* a signature receipt has no release: no receipt.provenance */
	submit_status(v.r, sig, NULL, "receipt.provenance", st);
	ck_assert_str_eq(st, "");
	ck_assert_uint_eq(f.calls, 2);
	rcpt_set_provenance(v.r, NULL, NULL);
	submit_status(v.r, pm, "TEE/tinfoil", "receipt.provenance", st);
	ck_assert_str_eq(st, "error");
	ck_assert_uint_eq(f.calls, 2);
	svc_stop(&v);
	free(pm);
	free(sig);
}
END_TEST

START_TEST(test_service_probe_lookup)
{
	struct store *s = open_rw();
	struct svc v;
	struct rcpt *r;
	struct api_answer ans;
	char *body = sample_a(true, -1);
	json_t *o;

	svc_start(&v);
	r = v.r;
	add_probe(s, "other-model", OTHER_ADDR, "pass");
	add_probe(s, "deepseek-v3.1", A_ADDR, "pass");
	rcpt_submit_wait(r, (const uint8_t *)body, strlen(body), NULL, &ans);
	o = answer(&ans, 201);
	ck_assert_str_eq(json_string_value(json_object_get(o, "verdict")),
	    "pass");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "seq")), 2);
	json_decref(o);
	/* The model's newest probe now attests another key. */
	add_probe(s, "deepseek-v3.1", OTHER_ADDR, "pass");
	rcpt_submit_wait(r, (const uint8_t *)body, strlen(body), NULL, &ans);
	o = answer(&ans, 201);
	ck_assert_str_eq(json_string_value(json_object_get(o, "verdict")),
	    "fail");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "seq")), 4);
	json_decref(o);
	ck_assert_uint_eq(log_size(s), 5);
	svc_stop(&v);
	store_close(s);
	free(body);
}
END_TEST

#define SUBMITTERS	8
#define PER_SUBMITTER	40
#define PROBES		120

struct submitter {
	struct rcpt	*r;
	const char	*body;
	uint64_t	 seqs[PER_SUBMITTER];
	char		 leaves[PER_SUBMITTER][65];
	int		 bad;
};

static void *
submit_main(void *arg)
{
	struct submitter *sb = arg;
	struct api_answer ans;
	json_error_t jerr;
	json_t *o;
	int i;

	for (i = 0; i < PER_SUBMITTER; i++) {
		rcpt_submit_wait(sb->r, (const uint8_t *)sb->body,
		    strlen(sb->body), NULL, &ans);
		o = ans.status == 201 ? json_loadb(ans.json, ans.json_len, 0,
		    &jerr) : NULL;
		if (o == NULL ||
		    !json_is_integer(json_object_get(o, "seq")) ||
		    json_string_length(json_object_get(o, "leaf_hash")) !=
		    64) {
			sb->bad++;
			sb->seqs[i] = UINT64_MAX;
		} else {
			sb->seqs[i] = (uint64_t)json_integer_value(
			    json_object_get(o, "seq"));
			memcpy(sb->leaves[i], json_string_value(
			    json_object_get(o, "leaf_hash")), 65);
		}
		json_decref(o);
		free(ans.json);
	}
	return NULL;
}

struct prober {
	struct store_writer	*w;
	int			 bad;
};

/* The probes: appended through the same writer, as tmond's main thread
   does, each waiting for its commit. */
static void *
probe_main(void *arg)
{
	struct prober *p = arg;
	struct store_entry_in in;
	struct tmon_err err;
	char body[128];
	int i;

	for (i = 0; i < PROBES; i++) {
		snprintf(body, sizeof(body), "{\"kind\":\"probe\","
		    "\"model\":\"probe-model\",\"n\":%d,\"time\":%d,"
		    "\"verdict\":\"pass\"}", i, 1700000000 + i);
		memset(&in, 0, sizeof(in));
		in.kind = "probe";
		in.time = 1700000000 + i;
		in.model = "probe-model";
		in.verdict = "pass";
		in.body = (const uint8_t *)body;
		in.body_len = strlen(body);
		tmon_err_clear(&err);
		if (store_writer_append(p->w, NULL, 0, &in, 1, NULL, &err) !=
		    TMON_OK)
			p->bad++;
	}
	return NULL;
}

static int
count_cb(const struct store_entry *e, void *arg)
{
	(void)e;
	(*(size_t *)arg)++;
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

START_TEST(test_service_concurrent_with_probes)
{
	struct submitter sb[SUBMITTERS];
	struct prober pb;
	pthread_t th[SUBMITTERS], pt;
	struct store *s = open_rw();
	struct svc v;
	struct store_writer_stats ws;
	struct rcpt *r;
	struct store_entry e;
	struct store_query q;
	struct tmon_err err;
	uint64_t all[SUBMITTERS * PER_SUBMITTER];
	uint8_t leaf[32];
	size_t n = 0, i, j;
	char *body = sample_a(true, -1);

	tmon_err_clear(&err);
	svc_start(&v);
	r = v.r;
	memset(&pb, 0, sizeof(pb));
	pb.w = v.w;
	ck_assert_int_eq(pthread_create(&pt, NULL, probe_main, &pb), 0);
	for (i = 0; i < SUBMITTERS; i++) {
		memset(&sb[i], 0, sizeof(sb[i]));
		sb[i].r = r;
		sb[i].body = body;
		ck_assert_int_eq(pthread_create(&th[i], NULL, submit_main,
		    &sb[i]), 0);
	}
	for (i = 0; i < SUBMITTERS; i++)
		pthread_join(th[i], NULL);
	pthread_join(pt, NULL);
	store_writer_stats(v.w, &ws);
	svc_stop(&v);
	ck_assert_int_eq(pb.bad, 0);
	/* Every append went through the one writer, none failed. */
	ck_assert_uint_eq(ws.entries, SUBMITTERS * PER_SUBMITTER + PROBES);
	ck_assert_uint_eq(ws.requests, SUBMITTERS * PER_SUBMITTER + PROBES);
	ck_assert_uint_eq(ws.failed, 0);
	/* Every answered receipt is at its seq, with its leaf hash. */
	for (i = 0; i < SUBMITTERS; i++) {
		ck_assert_int_eq(sb[i].bad, 0);
		for (j = 0; j < PER_SUBMITTER; j++) {
			ck_assert_int_eq(store_entry_get(s, sb[i].seqs[j], &e,
			    &err), TMON_OK);
			ck_assert_str_eq(e.kind, "receipt");
			ck_assert(hex_decode_exact(sb[i].leaves[j], 64, leaf,
			    32, false));
			ck_assert(memcmp(e.leaf, leaf, 32) == 0);
			store_entry_free(&e);
			all[n++] = sb[i].seqs[j];
		}
	}
	/* No seq was answered twice; nothing lost, nothing extra; the
	   chain recomputes over receipts and probes. */
	qsort(all, n, sizeof(all[0]), cmp_u64);
	for (i = 1; i < n; i++)
		ck_assert(all[i] != all[i - 1]);
	ck_assert_uint_eq(log_size(s), SUBMITTERS * PER_SUBMITTER + PROBES);
	/* ... and all of the probes are there too. */
	store_query_init(&q);
	q.kind = "probe";
	n = 0;
	ck_assert_int_eq(store_query(s, &q, count_cb, &n, &err), TMON_OK);
	ck_assert_uint_eq(n, PROBES);
	store_close(s);
	free(body);
}
END_TEST

/* Two read-write handles appending at once (store level). */
struct appender {
	const char	*tag;
	int		 bad;
};

static void *
append_main(void *arg)
{
	struct appender *a = arg;
	struct store *s = NULL;
	struct store_entry_in in[3];
	struct tmon_err err;
	char body[3][64];
	int i, k;

	tmon_err_clear(&err);
	if (store_open(dbpath, STORE_RW, &s, &err) != TMON_OK) {
		a->bad++;
		return NULL;
	}
	for (i = 0; i < 150; i++) {
		for (k = 0; k < 3; k++) {
			snprintf(body[k], sizeof(body[k]),
			    "{\"by\":\"%s\",\"i\":%d,\"k\":%d,"
			    "\"kind\":\"alert\",\"time\":1}", a->tag, i, k);
			memset(&in[k], 0, sizeof(in[k]));
			in[k].kind = "alert";
			in[k].time = 1;
			in[k].body = (const uint8_t *)body[k];
			in[k].body_len = strlen(body[k]);
		}
		tmon_err_clear(&err);
		if (store_append(s, NULL, 0, in, 1 + (size_t)(i % 3), NULL,
		    &err) != TMON_OK)
			a->bad++;
	}
	store_close(s);
	return NULL;
}

START_TEST(test_store_two_handles)
{
	struct appender a[2] = { { "one", 0 }, { "two", 0 } };
	pthread_t th[2];
	struct store *s = open_rw();
	int i;

	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, append_main,
		    &a[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(a[0].bad, 0);
	ck_assert_int_eq(a[1].bad, 0);
	/* 150 appends of 1, 2, 3, 1, 2, 3, ... entries by each handle */
	ck_assert_uint_eq(log_size(s), 2 * 300);
	store_close(s);
}
END_TEST

static Suite *
receipts_suite(void)
{
	Suite *su = suite_create("receipts");
	TCase *tp = tcase_create("parse-verify");
	TCase *ts = tcase_create("service");

	tcase_add_test(tp, test_sig_sample_no_probe);
	tcase_add_test(tp, test_sig_sample_attested);
	tcase_add_test(tp, test_sig_negative_sample);
	tcase_add_test(tp, test_sig_tampered_bytes);
	tcase_add_test(tp, test_reject_table);
	tcase_add_test(tp, test_reject_not_object);
	tcase_add_test(tp, test_reject_lengths);
	tcase_add_test(tp, test_reject_depth);
	tcase_add_test(tp, test_truncations);
	tcase_add_test(tp, test_pm_tdx);
	tcase_add_test(tp, test_pm_probe_keys);
	tcase_add_test(tp, test_pm_forged_from_probe);
	tcase_add_test(tp, test_pm_tampered);
	tcase_add_test(tp, test_pm_multiplatform);
	tcase_add_test(tp, test_pm_wrapped_and_errors);
	tcase_add_test(tp, test_entry_canonical);
	tcase_add_test(tp, test_entry_private_mode_claims);
	suite_add_tcase(su, tp);
	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_set_timeout(ts, 120);
	tcase_add_test(ts, test_service_roundtrip);
	tcase_add_test(ts, test_service_probe_lookup);
	tcase_add_test(ts, test_service_provenance);
	tcase_add_test(ts, test_service_concurrent_with_probes);
	tcase_add_test(ts, test_store_two_handles);
	suite_add_tcase(su, ts);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(receipts_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
