/*
 * check_provenance: Tinfoil release predicates (provenance.h) read from
 * the recorded release look-up of tests/data/provenance, compared with
 * the enclaves of tests/data/tinfoil (see both PROVENANCE.md files).
 *
 * Receipts: a Private Mode receipt (receipt_check.h) naming that release,
 * written here with the capture's values, against the release.
 *
 * Expected register values are the hex strings of the captures as read
 * with Python (PROVENANCE.md), written out here, never computed by the
 * code under test.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "attest.h"
#include "encode.h"
#include "entry.h"
#include "provenance.h"
#include "receipt_check.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"

#define PROV TMON_TEST_DATA "/provenance/"
#define ATTESTATIONS PROV "router/attestations.body"
#define HARDWARE PROV "hardware-measurements.json"
#define SNP_BODY TMON_TEST_DATA "/tinfoil/snp-v3/" \
	"0001_inference.tinfoil.sh_.well-known_tinfoil-attestation.body"
#define TDX_BODY TMON_TEST_DATA "/tinfoil/tdx-v3/" \
	"0002_gemma4-31b-1.inf10.tinfoil.sh_.well-known_tinfoil-attestation.body"
#define SNP_NONCE \
	"229471a8453a3521eac3d6ada9f1d52e42c97a527c3a50d565e999401dfd3e9b"
#define TDX_NONCE \
	"a8c5455663ef4951c4a6fef8de2a079934c8e93c67626e7311bf385ba6724c9e"
#define T_SNP 1782699166
#define T_TDX 1782172454

/* the release's predicate (DSSE payload of attestations.body) */
#define REL_SNP "7adcb574b1e22ab579f3c883da3e5b6e632ef06775dd13fdb1685064" \
	"0135a5f63c7eb8741fe340c672edaf241bd1ed7c"
#define REL_RTMR1 "46658ae5655794d3ea0130e2d425aa002f224c7a47c1eb1792f656d7" \
	"9f808aac6006ce84d71ee24d97c3eea42c867e51"
#define REL_RTMR2 "daf6e3af4a25aa93e38bf07f0055f5bf7ff742f490c463c4cbe85822" \
	"317c76233ff6d3583c8c507ef9fd9ce6994e33ec"
#define REL_DIGEST "59239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bb" \
	"ce88a4e4c9"
/* the tdx-v3 quote's registers */
#define TDX_MRTD "7357a10d2e2724dffe68813e3cc4cfcde6814d749f2fb62e3953e54f" \
	"6e0b50a219786afe2cd478f684b52c61837e1114"
#define TDX_RTMR0 "67dddcfc052d86247f797ab11f58c6552f8073e8375121b777fb79f4" \
	"cdddae196381f8b76d40ea1343c99063a9366591"
#define TDX_RTMR2 "48c6559c034f1a127bfb9d38576e8efdb53b5237c1440adb926bdbd7" \
	"4d29932a67b6b03c0eb1bc68142d4395c022ce5b"
/* hw1's RTMR0 (hardware-measurements.json) */
#define HW1_RTMR0 "5c70e5e513f82d930e4740228a51a96fb981dd8e63a583aae5d71c84" \
	"caaa06c1241c4eaf46faab066d0120e44bf5a1e1"

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct tmon_err err;
	uint8_t *p = NULL;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 16u * 1024 * 1024, &p, len, &err) ==
	    TMON_OK, "%s: %s", path, err.msg);
	return p;
}

static void
hex48(const char *hex, uint8_t out[48])
{
	ck_assert(hex_decode_exact(hex, strlen(hex), out, 48, false));
}

/* The in-toto statement of the first bundle of attestations.body. */
static json_t *
statement(void)
{
	struct tjson_doc d = { 0 };
	json_t *root, *stmt, *payload;
	const char *b64;
	uint8_t *body, *p;
	size_t len, plen;

	body = slurp(ATTESTATIONS, &len);
	ck_assert(tjson_load(&d, body, len, len, TJSON_OBJECT, &root) ==
	    TMON_OK);
	payload = json_object_get(json_object_get(json_object_get(
	    json_array_get(json_object_get(root, "attestations"), 0),
	    "bundle"), "dsseEnvelope"), "payload");
	ck_assert(json_is_string(payload));
	b64 = json_string_value(payload);
	p = b64_decode_alloc(b64, strlen(b64), len, &plen);
	ck_assert(p != NULL);
	memset(&d, 0, sizeof(d));
	ck_assert(tjson_load(&d, p, plen, plen, TJSON_OBJECT, &stmt) ==
	    TMON_OK);
	free(p);
	free(body);
	json_decref(root);
	return stmt;
}

/* The release of the capture, tag v0.0.110, parsed by the code. */
static void
release(struct prov_release *r)
{
	struct tmon_err err;
	json_t *st = statement();

	memset(r, 0, sizeof(*r));
	tmon_err_clear(&err);
	ck_assert_msg(prov_parse_predicate(json_string_value(json_object_get(
	    st, "predicateType")), json_object_get(st, "predicate"), &r->pred,
	    &err) == TMON_OK, "%s", err.msg);
	snprintf(r->tag, sizeof(r->tag), "v0.0.110");
	ck_assert(hex_decode_exact(REL_DIGEST, 64, r->digest, 32, false));
	r->time = 1782251465;
	json_decref(st);
}

static void
hardware(struct prov_predicate *hw)
{
	struct tjson_doc d = { 0 };
	struct tmon_err err;
	json_t *pred;
	uint8_t *p;
	size_t len;

	p = slurp(HARDWARE, &len);
	ck_assert(tjson_load(&d, p, len, len, TJSON_OBJECT, &pred) == TMON_OK);
	tmon_err_clear(&err);
	ck_assert_msg(prov_parse_predicate(PROV_PREDICATE_HARDWARE, pred, hw,
	    &err) == TMON_OK, "%s", err.msg);
	json_decref(pred);
	free(p);
}

/* The enclave of a capture, through attest_verify (no collateral: the
 * report is parsed, the registers are set). */
static void
enclave(const char *path, const char *nonce_hex, int64_t at,
    struct prov_enclave *enc, json_t **layers)
{
	struct attest_result *res;
	uint8_t nonce[32], *body;
	size_t len;

	ck_assert(hex_decode_exact(nonce_hex, 64, nonce, 32, false));
	body = slurp(path, &len);
	res = calloc(1, sizeof(*res));
	ck_assert(res != NULL);
	attest_verify(body, len, nonce, at, res);
	prov_enclave_of(&res->m, enc);
	if (layers != NULL)
		*layers = entry_measurement_json(&res->m);
	free(res);
	free(body);
}

START_TEST(test_parse_multiplatform)
{
	struct prov_release r;
	uint8_t want[48];

	release(&r);
	ck_assert_int_eq(r.pred.kind, PROV_KIND_MULTIPLATFORM);
	hex48(REL_SNP, want);
	ck_assert_mem_eq(r.pred.snp_measurement, want, 48);
	hex48(REL_RTMR1, want);
	ck_assert_mem_eq(r.pred.rtmr1, want, 48);
	hex48(REL_RTMR2, want);
	ck_assert_mem_eq(r.pred.rtmr2, want, 48);
	ck_assert_str_eq(r.pred.version, "v0.10.4");
}
END_TEST

START_TEST(test_parse_hardware)
{
	struct prov_predicate *hw = calloc(1, sizeof(*hw));
	uint8_t want[48];

	ck_assert(hw != NULL);
	hardware(hw);
	ck_assert_int_eq(hw->kind, PROV_KIND_HARDWARE);
	ck_assert_uint_eq(hw->n_platforms, 2);
	ck_assert_str_eq(hw->platforms[0].name, "hw1");
	ck_assert_str_eq(hw->platforms[1].name, "gemma-capture");
	hex48(TDX_MRTD, want);
	ck_assert_mem_eq(hw->platforms[0].mrtd, want, 48);
	hex48(HW1_RTMR0, want);
	ck_assert_mem_eq(hw->platforms[0].rtmr0, want, 48);
	hex48(TDX_RTMR0, want);
	ck_assert_mem_eq(hw->platforms[1].rtmr0, want, 48);
	free(hw);
}
END_TEST

/* parse the predicate text pred of type type; the rc, err in *err */
static enum tmon_rc
parse_text(const char *type, const char *pred, struct tmon_err *err)
{
	struct tjson_doc d = { 0 };
	struct prov_predicate *out = calloc(1, sizeof(*out));
	enum tmon_rc rc;
	json_t *j;

	ck_assert(out != NULL);
	ck_assert(tjson_load(&d, pred, strlen(pred), 1u << 20, TJSON_ANY,
	    &j) == TMON_OK);
	tmon_err_clear(err);
	rc = prov_parse_predicate(type, j, out, err);
	if (rc != TMON_OK)
		ck_assert_int_eq(out->kind, PROV_KIND_NONE);
	json_decref(j);
	free(out);
	return rc;
}

START_TEST(test_parse_malformed)
{
	struct tmon_err err;
	char *big;
	size_t i, off;

	ck_assert_int_eq(parse_text("https://tinfoil.sh/predicate/"
	    "sev-snp-guest/v2", "{}", &err), TMON_E_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err.msg, "not supported"));
	ck_assert_int_eq(parse_text(PROV_PREDICATE_MULTIPLATFORM, "[]", &err),
	    TMON_E_PARSE);
	/* rtmr2 missing */
	ck_assert_int_eq(parse_text(PROV_PREDICATE_MULTIPLATFORM,
	    "{\"snp_measurement\":\"" REL_SNP "\",\"tdx_measurement\":"
	    "{\"rtmr1\":\"" REL_RTMR1 "\"}}", &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "in-toto statement: predicate."
	    "tdx_measurement: missing required key \"rtmr2\"");
	/* tdx_measurement missing */
	ck_assert_int_eq(parse_text(PROV_PREDICATE_MULTIPLATFORM,
	    "{\"snp_measurement\":\"" REL_SNP "\"}", &err), TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "tdx_measurement"));
	/* a short snp_measurement */
	ck_assert_int_eq(parse_text(PROV_PREDICATE_MULTIPLATFORM,
	    "{\"snp_measurement\":\"7adc\",\"tdx_measurement\":"
	    "{\"rtmr1\":\"" REL_RTMR1 "\",\"rtmr2\":\"" REL_RTMR2 "\"}}", &err),
	    TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "predicate.snp_measurement"));
	/* a version that is no string */
	ck_assert_int_eq(parse_text(PROV_PREDICATE_MULTIPLATFORM,
	    "{\"snp_measurement\":\"" REL_SNP "\",\"tdx_measurement\":"
	    "{\"rtmr1\":\"" REL_RTMR1 "\",\"rtmr2\":\"" REL_RTMR2 "\"},"
	    "\"hashes\":{\"version\":7}}", &err), TMON_E_PARSE);
	ck_assert_int_eq(parse_text(PROV_PREDICATE_HARDWARE, "{}", &err),
	    TMON_E_PARSE);
	ck_assert_int_eq(parse_text(PROV_PREDICATE_HARDWARE,
	    "{\"hw1\":\"x\"}", &err), TMON_E_PARSE);
	ck_assert_int_eq(parse_text(PROV_PREDICATE_HARDWARE,
	    "{\"hw1\":{\"mrtd\":\"" TDX_MRTD "\"}}", &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "in-toto statement: predicate.hw1: missing "
	    "required key \"rtmr0\"");
	/* MAX_PROV_PLATFORMS + 1 platforms */
	big = malloc(64 + (MAX_PROV_PLATFORMS + 1) * 16);
	ck_assert(big != NULL);
	off = 0;
	big[off++] = '{';
	for (i = 0; i <= MAX_PROV_PLATFORMS; i++)
		off += (size_t)snprintf(big + off, 16, "%s\"p%zu\":{}",
		    i ? "," : "", i);
	big[off++] = '}';
	big[off] = '\0';
	ck_assert_int_eq(parse_text(PROV_PREDICATE_HARDWARE, big, &err),
	    TMON_E_LIMIT);
	free(big);
}
END_TEST

START_TEST(test_snp_match)
{
	struct prov_release r;
	struct prov_enclave enc;
	struct prov_match m;
	struct checklist cl;
	const struct check *c;

	release(&r);
	enclave(SNP_BODY, SNP_NONCE, T_SNP, &enc, NULL);
	ck_assert_int_eq(enc.platform, PROV_ENCLAVE_SNP);
	checklist_init(&cl);
	prov_check_measurement(&r, 1, NULL, &enc, &cl, &m);
	c = checklist_get(&cl, "provenance.measurement");
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(c->status == CHECK_PASS, "%s", c->detail);
	ck_assert_str_eq(c->detail, "MEASUREMENT matches release v0.0.110");
	ck_assert_uint_eq(m.release, 0);
	ck_assert_uint_eq(m.platform, SIZE_MAX);
}
END_TEST

/* A newer release with another measurement: the enclave runs the older. */
START_TEST(test_snp_older_release)
{
	struct prov_release r[2];
	struct prov_enclave enc;
	struct prov_match m;
	struct checklist cl;
	const struct check *c;

	release(&r[1]);
	r[0] = r[1];
	snprintf(r[0].tag, sizeof(r[0].tag), "v0.0.111");
	r[0].pred.snp_measurement[47] ^= 1;
	enclave(SNP_BODY, SNP_NONCE, T_SNP, &enc, NULL);
	checklist_init(&cl);
	prov_check_measurement(r, 2, NULL, &enc, &cl, &m);
	c = checklist_get(&cl, "provenance.measurement");
	ck_assert_msg(c->status == CHECK_WARN, "%s", c->detail);
	ck_assert_str_eq(c->detail, "the enclave runs release v0.0.110, "
	    "older than the latest verified release v0.0.111");
	ck_assert_uint_eq(m.release, 1);
	/* only the newer one: the enclave matches nothing */
	checklist_init(&cl);
	prov_check_measurement(r, 1, NULL, &enc, &cl, &m);
	c = checklist_get(&cl, "provenance.measurement");
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_str_eq(c->detail, "MEASUREMENT " REL_SNP " != "
	    "7adcb574b1e22ab579f3c883da3e5b6e632ef06775dd13fdb16850640135a5f6"
	    "3c7eb8741fe340c672edaf241bd1ed7d of release v0.0.111");
	ck_assert_uint_eq(m.release, SIZE_MAX);
}
END_TEST

/* The router's release against the gemma TDX enclave: RTMR2 differs. */
START_TEST(test_tdx_other_enclave)
{
	struct prov_predicate *hw = calloc(1, sizeof(*hw));
	struct prov_release r;
	struct prov_enclave enc;
	struct checklist cl;
	const struct check *c;

	ck_assert(hw != NULL);
	release(&r);
	hardware(hw);
	enclave(TDX_BODY, TDX_NONCE, T_TDX, &enc, NULL);
	ck_assert_int_eq(enc.platform, PROV_ENCLAVE_TDX);
	checklist_init(&cl);
	prov_check_measurement(&r, 1, hw, &enc, &cl, NULL);
	c = checklist_get(&cl, "provenance.measurement");
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_str_eq(c->detail, "RTMR2 " TDX_RTMR2 " != " REL_RTMR2
	    " of release v0.0.110");
	free(hw);
}
END_TEST

/* A release whose code registers are the gemma enclave's (RTMR2 set to
 * its value): the hardware registers decide. */
START_TEST(test_tdx_hardware)
{
	struct prov_predicate *hw = calloc(1, sizeof(*hw));
	struct prov_release r;
	struct prov_enclave enc;
	struct prov_match m;
	struct checklist cl;
	const struct check *c;

	ck_assert(hw != NULL);
	release(&r);
	hex48(TDX_RTMR2, r.pred.rtmr2);
	hardware(hw);
	enclave(TDX_BODY, TDX_NONCE, T_TDX, &enc, NULL);
	/* no hardware predicate: MRTD, RTMR0 unchecked */
	checklist_init(&cl);
	prov_check_measurement(&r, 1, NULL, &enc, &cl, &m);
	c = checklist_get(&cl, "provenance.measurement");
	ck_assert_int_eq(c->status, CHECK_ERROR);
	ck_assert_ptr_nonnull(strstr(c->detail, "MRTD and RTMR0 not checked"));
	ck_assert_uint_eq(m.release, SIZE_MAX);
	/* both platforms: gemma-capture matches */
	checklist_init(&cl);
	prov_check_measurement(&r, 1, hw, &enc, &cl, &m);
	c = checklist_get(&cl, "provenance.measurement");
	ck_assert_msg(c->status == CHECK_PASS, "%s", c->detail);
	ck_assert_str_eq(c->detail, "MRTD, RTMR0..3 match release v0.0.110, "
	    "platform gemma-capture");
	ck_assert_uint_eq(m.release, 0);
	ck_assert_uint_eq(m.platform, 1);
	/* hw1 only: its MRTD, not its RTMR0 */
	hw->n_platforms = 1;
	checklist_init(&cl);
	prov_check_measurement(&r, 1, hw, &enc, &cl, &m);
	c = checklist_get(&cl, "provenance.measurement");
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_str_eq(c->detail, "RTMR0 " TDX_RTMR0 " != " HW1_RTMR0
	    " of platform hw1 (hardware-measurements)");
	/* no platform has the MRTD */
	hw->platforms[0].mrtd[0] ^= 1;
	checklist_init(&cl);
	prov_check_measurement(&r, 1, hw, &enc, &cl, &m);
	c = checklist_get(&cl, "provenance.measurement");
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_str_eq(c->detail, "MRTD " TDX_MRTD " is none of the 1 "
	    "platforms' of hardware-measurements");
	/* RTMR3 not zero */
	enc.rtmr[3][0] = 1;
	checklist_init(&cl);
	prov_check_measurement(&r, 1, hw, &enc, &cl, &m);
	c = checklist_get(&cl, "provenance.measurement");
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(c->detail, "RTMR3 01000000"));
	free(hw);
}
END_TEST

START_TEST(test_nothing_to_compare)
{
	struct prov_release r;
	struct prov_enclave enc;
	struct checklist cl;

	release(&r);
	memset(&enc, 0, sizeof(enc));
	checklist_init(&cl);
	prov_check_measurement(&r, 1, NULL, &enc, &cl, NULL);
	ck_assert_int_eq(checklist_get(&cl, "provenance.measurement")->status,
	    CHECK_ERROR);
	enclave(SNP_BODY, SNP_NONCE, T_SNP, &enc, NULL);
	checklist_init(&cl);
	prov_check_measurement(&r, 0, NULL, &enc, &cl, NULL);
	ck_assert_int_eq(checklist_get(&cl, "provenance.measurement")->status,
	    CHECK_ERROR);
	/* a release list holding a hardware predicate */
	r.pred.kind = PROV_KIND_HARDWARE;
	checklist_init(&cl);
	prov_check_measurement(&r, 1, NULL, &enc, &cl, NULL);
	ck_assert_int_eq(checklist_get(&cl, "provenance.measurement")->status,
	    CHECK_FAIL);
}
END_TEST

/* The registers read back from a probe body's measurement layers. */
START_TEST(test_layers)
{
	struct prov_enclave a, b;
	struct tmon_err err;
	json_t *layers, *bad;

	enclave(SNP_BODY, SNP_NONCE, T_SNP, &a, &layers);
	ck_assert(prov_enclave_of_layers(layers, &b, &err) == TMON_OK);
	ck_assert_int_eq(b.platform, PROV_ENCLAVE_SNP);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	json_decref(layers);
	enclave(TDX_BODY, TDX_NONCE, T_TDX, &a, &layers);
	ck_assert(prov_enclave_of_layers(layers, &b, &err) == TMON_OK);
	ck_assert_int_eq(b.platform, PROV_ENCLAVE_TDX);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	/* rtmr3 gone: malformed */
	bad = json_deep_copy(layers);
	json_object_del(json_object_get(bad, "instance"), "rtmr3");
	tmon_err_clear(&err);
	ck_assert(prov_enclave_of_layers(bad, &b, &err) == TMON_E_PARSE);
	ck_assert_int_eq(b.platform, PROV_ENCLAVE_NONE);
	json_decref(bad);
	json_decref(layers);
	ck_assert(prov_enclave_of_layers(json_null(), &b, &err) == TMON_OK);
	ck_assert_int_eq(b.platform, PROV_ENCLAVE_NONE);
}
END_TEST

START_TEST(test_release_rollup)
{
	struct checklist sig, cl;
	const struct check *c;

	checklist_init(&sig);
	checklist_init(&cl);
	prov_check_release(&sig, "x", &cl);
	ck_assert_int_eq(checklist_get(&cl, "provenance.release")->status,
	    CHECK_ERROR);
	checklist_set(&sig, "sigstore.bundle.parse", CHECK_PASS, "ok");
	checklist_set(&sig, "sigstore.sct", CHECK_SKIP, "none");
	checklist_set(&sig, "tdx.quote.parse", CHECK_FAIL, "not ours");
	checklist_init(&cl);
	prov_check_release(&sig, "repo v1", &cl);
	c = checklist_get(&cl, "provenance.release");
	ck_assert_int_eq(c->status, CHECK_PASS);
	ck_assert_str_eq(c->detail, "repo v1");
	checklist_set(&sig, "sigstore.tlog.set", CHECK_ERROR, "no key");
	checklist_set(&sig, "sigstore.cert.identity", CHECK_FAIL,
	    "repository a/b is not c/d");
	checklist_set(&sig, "sigstore.subject", CHECK_FAIL, "digest differs");
	checklist_init(&cl);
	prov_check_release(&sig, "repo v1", &cl);
	c = checklist_get(&cl, "provenance.release");
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_str_eq(c->detail, "sigstore.cert.identity: repository a/b "
	    "is not c/d");
}
END_TEST

/*
 * A Private Mode receipt (receipt_check.h form (b)) naming the release of
 * the capture: the Tinfoil VerificationDocument members the check reads,
 * with the capture's values; digest, tag, repo and RTMR2 as given.
 */
static void
receipt(struct rcpt_parsed *p, const char *digest, const char *tag,
    const char *repo, const char *rtmr2)
{
	struct rcpt_reject rej;
	char body[4096];
	int n;

	n = snprintf(body, sizeof(body), "{\"configRepo\":\"%s\","
	    "\"releaseTag\":\"%s\",\"releaseDigest\":\"%s\","
	    "\"codeMeasurement\":{\"type\":\"" PROV_PREDICATE_MULTIPLATFORM
	    "\",\"registers\":[\"" REL_SNP "\",\"" REL_RTMR1 "\",\"%s\"]},"
	    "\"enclaveMeasurement\":{\"measurement\":{\"type\":"
	    "\"https://tinfoil.sh/predicate/sev-snp-guest/v2\",\"registers\":"
	    "[\"" REL_SNP "\"]}},\"securityVerified\":true,\"steps\":{"
	    "\"fetchDigest\":{\"status\":\"success\"},\"verifyCode\":"
	    "{\"status\":\"success\"},\"verifyEnclave\":{\"status\":"
	    "\"success\"},\"compareMeasurements\":{\"status\":\"success\"}}}",
	    repo, tag, digest, rtmr2);
	ck_assert(n > 0 && (size_t)n < sizeof(body));
	ck_assert_msg(rcpt_parse((const uint8_t *)body, (size_t)n,
	    "TEE/llama3-3-70b", p, &rej) == TMON_OK, "%s", rej.error);
	ck_assert_int_eq(p->fmt, RCPT_PRIVATE_MODE);
}

static const struct check *
receipt_check(const char *digest, const char *tag, const char *repo,
    const char *rtmr2, const struct prov_release *rels, size_t n,
    struct checklist *cl)
{
	struct rcpt_parsed p;

	receipt(&p, digest, tag, repo, rtmr2);
	checklist_init(cl);
	rcpt_verify_provenance(&p, rels, n, cl);
	rcpt_parsed_free(&p);
	return checklist_get(cl, "receipt.provenance");
}

#define REPO "tinfoilsh/confidential-model-router"

START_TEST(test_receipt_provenance)
{
	struct prov_release r[2];
	struct checklist cl;
	const struct check *c;
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	static const char sig[] = "{\"model\":\"TEE/x\",\"text\":\"a\","
	    "\"signature\":\"0x00\",\"signing_address\":\"0x00\"}";
	char upper[65];
	size_t i;

	release(&r[0]);
	snprintf(r[0].repo, sizeof(r[0].repo), REPO);
	c = receipt_check(REL_DIGEST, "v0.0.110", REPO, REL_RTMR2, r, 1, &cl);
	ck_assert_msg(c->status == CHECK_PASS, "%s", c->detail);
	ck_assert_str_eq(c->detail, "releaseDigest and codeMeasurement (SNP, "
	    "RTMR1, RTMR2) are those of the latest verified release "
	    "v0.0.110");
	/* hex in upper case, the repository in another case */
	for (i = 0; i < 64; i++)
		upper[i] = (char)(REL_DIGEST[i] >= 'a' ? REL_DIGEST[i] - 32 :
		    REL_DIGEST[i]);
	upper[64] = '\0';
	c = receipt_check(upper, "v0.0.110", "TinfoilSH/Confidential-Model-"
	    "Router", REL_RTMR2, r, 1, &cl);
	ck_assert_msg(c->status == CHECK_PASS, "%s", c->detail);
	/* RTMR2 of another enclave */
	c = receipt_check(REL_DIGEST, "v0.0.110", REPO, TDX_RTMR2, r, 1, &cl);
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_str_eq(c->detail, "codeMeasurement RTMR2 " TDX_RTMR2 " != "
	    REL_RTMR2 " of release v0.0.110");
	/* another digest */
	c = receipt_check(REL_RTMR2 + 32, "v0.0.110", REPO, REL_RTMR2, r, 1,
	    &cl);
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(c->detail, "is none of the 1 verified "
	    "releases tmon holds (latest: release v0.0.110)"));
	c = receipt_check("59239f44", "v0.0.110", REPO, REL_RTMR2, r, 1, &cl);
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(c->detail, "not 64 hex"));
	/* the tag or the repository of something else */
	c = receipt_check(REL_DIGEST, "v0.0.111", REPO, REL_RTMR2, r, 1, &cl);
	ck_assert_int_eq(c->status, CHECK_FAIL);
	ck_assert_str_eq(c->detail, "releaseTag v0.0.111, but the digest is "
	    "that of release v0.0.110");
	c = receipt_check(REL_DIGEST, "v0.0.110", "tinfoilsh/other",
	    REL_RTMR2, r, 1, &cl);
	ck_assert_int_eq(c->status, CHECK_FAIL);
	/* a newer release verified since: the receipt names the older */
	r[1] = r[0];
	snprintf(r[0].tag, sizeof(r[0].tag), "v0.0.111");
	r[0].digest[0] ^= 1;
	c = receipt_check(REL_DIGEST, "v0.0.110", REPO, REL_RTMR2, r, 2, &cl);
	ck_assert_int_eq(c->status, CHECK_WARN);
	ck_assert_str_eq(c->detail, "the receipt names release v0.0.110, "
	    "older than the latest verified release v0.0.111; its "
	    "codeMeasurement is that release's");
	/* nothing held */
	c = receipt_check(REL_DIGEST, "v0.0.110", REPO, REL_RTMR2, r, 0, &cl);
	ck_assert_int_eq(c->status, CHECK_ERROR);
	/* not a Private Mode receipt */
	ck_assert(rcpt_parse((const uint8_t *)sig, sizeof(sig) - 1, NULL, &p,
	    &rej) == TMON_OK);
	checklist_init(&cl);
	rcpt_verify_provenance(&p, r, 2, &cl);
	ck_assert_int_eq(checklist_get(&cl, "receipt.provenance")->status,
	    CHECK_SKIP);
	rcpt_parsed_free(&p);
}
END_TEST

#define PROV_FILE PROV "router.provenance.json"

/* prov_file_parse of text; the rc, err in *err. */
static enum tmon_rc
file_text(const char *text, struct tmon_err *err)
{
	struct prov_file *f = calloc(1, sizeof(*f));
	enum tmon_rc rc;

	ck_assert(f != NULL);
	tmon_err_clear(err);
	rc = prov_file_parse((const uint8_t *)text, strlen(text), f, err);
	prov_file_free(f);
	free(f);
	return rc;
}

#define REL_OBJ(repo) "{\"repo\":\"" repo "\",\"digest\":\"" REL_DIGEST \
	"\",\"attestations\":{\"attestations\":[]}}"

START_TEST(test_file)
{
	struct prov_file *f = calloc(1, sizeof(*f));
	struct tmon_err err;
	uint8_t *text, digest[32];
	char *big;
	size_t len, i, off;

	ck_assert(f != NULL);
	text = slurp(PROV_FILE, &len);
	tmon_err_clear(&err);
	ck_assert_msg(prov_file_parse(text, len, f, &err) == TMON_OK, "%s",
	    err.msg);
	ck_assert_uint_eq(f->n, 1);
	ck_assert_str_eq(f->rel[0].repo, "tinfoilsh/confidential-model-router");
	ck_assert_str_eq(f->rel[0].tag, "v0.0.110");
	ck_assert(hex_decode_exact(REL_DIGEST, 64, digest, 32, false));
	ck_assert_mem_eq(f->rel[0].digest, digest, 32);
	ck_assert_uint_eq(json_array_size(json_object_get(
	    f->rel[0].attestations, "attestations")), 1);
	ck_assert(!f->has_hw);
	ck_assert_str_eq(f->workflow, "");
	prov_file_free(f);
	free(f);
	free(text);

	ck_assert_int_eq(file_text("{\"format\":\"tmon-provenance/1\","
	    "\"releases\":[" REL_OBJ("a/b") "],\"hardware\":" REL_OBJ("c/d")
	    ",\"policy\":{\"ref\":\"refs/tags/v*\"}}", &err), TMON_OK);
	ck_assert_int_eq(file_text("{\"format\":\"tmon-provenance/2\","
	    "\"releases\":[" REL_OBJ("a/b") "]}", &err), TMON_E_PARSE);
	ck_assert_int_eq(file_text("{\"format\":\"tmon-provenance/1\","
	    "\"releases\":[]}", &err), TMON_E_PARSE);
	ck_assert_int_eq(file_text("{\"format\":\"tmon-provenance/1\","
	    "\"releases\":[" REL_OBJ("a/b") "],\"hardwar\":{}}", &err),
	    TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "hardwar"));
	ck_assert_int_eq(file_text("{\"format\":\"tmon-provenance/1\","
	    "\"releases\":[" REL_OBJ("a/b/c") "]}", &err), TMON_E_PARSE);
	ck_assert_str_eq(err.msg, "provenance file: releases[0].repo: must "
	    "be OWNER/NAME");
	ck_assert_int_eq(file_text("{\"format\":\"tmon-provenance/1\","
	    "\"releases\":[" REL_OBJ("a b/c") "]}", &err), TMON_E_PARSE);
	ck_assert_int_eq(file_text("{\"format\":\"tmon-provenance/1\","
	    "\"releases\":[{\"repo\":\"a/b\",\"digest\":\"59239f\","
	    "\"attestations\":{}}]}", &err), TMON_E_PARSE);
	ck_assert_int_eq(file_text("{\"format\":\"tmon-provenance/1\","
	    "\"releases\":[" REL_OBJ("a/b") "],\"policy\":{\"issuer\":\"x\"}}",
	    &err), TMON_E_PARSE);
	/* MAX_PROV_RELEASES + 1 releases */
	len = sizeof(REL_OBJ("a/b")) + 1;
	big = malloc(64 + (MAX_PROV_RELEASES + 1) * len);
	ck_assert(big != NULL);
	off = (size_t)snprintf(big, 64, "{\"format\":\"tmon-provenance/1\","
	    "\"releases\":[");
	for (i = 0; i <= MAX_PROV_RELEASES; i++)
		off += (size_t)snprintf(big + off, len + 1, "%s%s", i ? "," :
		    "", REL_OBJ("a/b"));
	memcpy(big + off, "]}", 3);
	ck_assert_int_eq(file_text(big, &err), TMON_E_LIMIT);
	free(big);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("provenance");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_multiplatform);
	tcase_add_test(tc, test_parse_hardware);
	tcase_add_test(tc, test_parse_malformed);
	tcase_add_test(tc, test_snp_match);
	tcase_add_test(tc, test_snp_older_release);
	tcase_add_test(tc, test_tdx_other_enclave);
	tcase_add_test(tc, test_tdx_hardware);
	tcase_add_test(tc, test_nothing_to_compare);
	tcase_add_test(tc, test_layers);
	tcase_add_test(tc, test_release_rollup);
	tcase_add_test(tc, test_receipt_provenance);
	tcase_add_test(tc, test_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	tjson_init();
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
