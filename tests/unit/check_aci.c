/*
 * Unit tests for monitor/core/jcs.c (RFC 8785 canonical JSON) and
 * monitor/verify/aci_receipt.c (ACI "aci/1" receipts, through the
 * receipt parser of monitor/verify/receipt_check.c).
 *
 * Expected bytes are RFC 8785's own: the section 3.2.2/3.2.4 example,
 * the section 3.2.3 sorting example and the Appendix B number table.
 * The ACI receipt, keyset and their digests and signature are the
 * private AI gateway's test vectors (tests/data/receipts/aci/
 * PROVENANCE.md).  Nothing expected is computed by the code under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "buf.h"
#include "checklist.h"
#include "jcs.h"
#include "receipt_check.h"
#include "tjson.h"
#include "util.h"

#define ADATA		TMON_TEST_DATA "/receipts/aci"

/* docs/aci-test-vectors.md */
#define V_WORKLOAD_ID	"sha256:57c2c8fa98bcf11441f1eff9ef087db67a5560a" \
			"026082e96903e15365677b8c0"
#define V_KEYSET	"sha256:f2fba7e1b1451e0c0231df624f293407692ef93" \
			"9d3e0e55bca723131bea3f1ff"

static char *
jcs_of(const char *text)
{
	struct tmon_err err;
	uint8_t *out;
	size_t len;

	if (jcs_canonicalize(text, strlen(text), 1 << 16, &out, &len, &err) !=
	    TMON_OK)
		return NULL;
	ck_assert_uint_eq(strlen((char *)out), len);
	return (char *)out;
}

static void
expect_jcs(const char *in, const char *want)
{
	char *got = jcs_of(in);

	ck_assert_msg(got != NULL, "%s did not canonicalize", in);
	ck_assert_str_eq(got, want);
	free(got);
}

/* RFC 8785 sections 3.2.2 and 3.2.4. */
START_TEST(test_rfc_example)
{
	expect_jcs("{\n  \"numbers\": [333333333.33333329, 1E30, 4.50,\n"
	    "              2e-3, 0.000000000000000000000000001],\n"
	    "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c"
	    "\\\\\\\"\\/\",\n  \"literals\": [null, true, false]\n}",
	    "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,"
	    "1e+30,4.5,0.002,1e-27],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B"
	    "\\\"\\\\\\\\\\\"/\"}");
}
END_TEST

/* RFC 8785 section 3.2.3: names sorted as UTF-16 code units. */
START_TEST(test_rfc_sorting)
{
	expect_jcs("{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\","
	    " \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\","
	    " \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": "
	    "\"Control\", \"\\u00f6\": \"Latin Small Letter O With "
	    "Diaeresis\"}",
	    "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":"
	    "\"Control\",\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
	    "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: "
	    "Grinning Face\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet With "
	    "Dagesh\"}");
}
END_TEST

/* RFC 8785 Appendix B: IEEE 754 bits and their serialization. */
static const struct {
	unsigned long long	bits;
	char			want[32];
} appendix_b[] = {
	{ 0x0000000000000000ULL, "0" },
	{ 0x8000000000000000ULL, "0" },
	{ 0x0000000000000001ULL, "5e-324" },
	{ 0x8000000000000001ULL, "-5e-324" },
	{ 0x7fefffffffffffffULL, "1.7976931348623157e+308" },
	{ 0xffefffffffffffffULL, "-1.7976931348623157e+308" },
	{ 0x4340000000000000ULL, "9007199254740992" },
	{ 0xc340000000000000ULL, "-9007199254740992" },
	{ 0x4430000000000000ULL, "295147905179352830000" },
	{ 0x44b52d02c7e14af5ULL, "9.999999999999997e+22" },
	{ 0x44b52d02c7e14af6ULL, "1e+23" },
	{ 0x44b52d02c7e14af7ULL, "1.0000000000000001e+23" },
	{ 0x444b1ae4d6e2ef4eULL, "999999999999999700000" },
	{ 0x444b1ae4d6e2ef4fULL, "999999999999999900000" },
	{ 0x444b1ae4d6e2ef50ULL, "1e+21" },
	{ 0x3eb0c6f7a0b5ed8cULL, "9.999999999999997e-7" },
	{ 0x3eb0c6f7a0b5ed8dULL, "0.000001" },
	{ 0x41b3de4355555553ULL, "333333333.3333332" },
	{ 0x41b3de4355555554ULL, "333333333.33333325" },
	{ 0x41b3de4355555555ULL, "333333333.3333333" },
	{ 0x41b3de4355555556ULL, "333333333.3333334" },
	{ 0x41b3de4355555557ULL, "333333333.33333343" },
	{ 0xbecbf647612f3696ULL, "-0.0000033333333333333333" },
	{ 0x43143ff3c1cb0959ULL, "1424953923781206.2" },
};

START_TEST(test_rfc_numbers)
{
	struct tmon_err err;
	struct buf b;
	json_t *v;
	double d;
	unsigned long long bits = appendix_b[_i].bits;

	memcpy(&d, &bits, sizeof(d));
	v = json_real(d);
	ck_assert_ptr_nonnull(v);
	buf_init(&b, 64);
	ck_assert_int_eq(jcs_append(&b, v, &err), TMON_OK);
	ck_assert_str_eq((char *)b.data, appendix_b[_i].want);
	buf_free(&b);
	json_decref(v);
}
END_TEST

START_TEST(test_integers_and_errors)
{
	struct tmon_err err;
	uint8_t *out;
	size_t len;

	expect_jcs("[0,-0,1,-1,9007199254740993,-9007199254740993,"
	    "1.0,100e-2,1e21,5e20]", "[0,0,1,-1,9007199254740992,"
	    "-9007199254740992,1,1,1e+21,500000000000000000000]");
	expect_jcs(" \"a\\u001fb\\u007f\\t\" ", "\"a\\u001fb\x7f\\t\"");
	expect_jcs("{\"b\":[],\"a\":{}}", "{\"a\":{},\"b\":[]}");
	/* a duplicate name, an integer beyond 64 bits, not JSON */
	ck_assert_int_eq(jcs_canonicalize("{\"a\":1,\"a\":2}", 13, 64, &out,
	    &len, &err), TMON_E_PARSE);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(jcs_canonicalize("123456789012345678901234567890",
	    30, 64, &out, &len, &err), TMON_E_PARSE);
	ck_assert_int_eq(jcs_canonicalize("{", 1, 64, &out, &len, &err),
	    TMON_E_PARSE);
	ck_assert_int_eq(jcs_canonicalize("[1]", 3, 2, &out, &len, &err),
	    TMON_E_LIMIT);
}
END_TEST

/* ---- ACI receipts ---- */

static char *
slurp(const char *name)
{
	char path[512];
	struct tmon_err err;
	uint8_t *data;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", ADATA, name);
	ck_assert_int_eq(read_file(path, 1 << 20, &data, &len, &err),
	    TMON_OK);
	return (char *)data;
}

/* The vector's receipt and keyset, as JSON values. */
static json_t *
vector(const char *name)
{
	char *text = slurp(name);
	json_t *v = json_loads(text, 0, NULL);

	free(text);
	ck_assert_ptr_nonnull(v);
	return v;
}

/* Sections 1 and 2 of the test vectors: workload_id, keyset digest, and
 * section 6: the canonical signing bytes. */
START_TEST(test_aci_vector_digests)
{
	struct tmon_err err;
	struct buf b;
	json_t *ks = vector("keyset.json"), *r = vector("receipt.json");
	char dig[72];
	char *canon = slurp("canonical.txt");

	ck_assert_int_eq(jcs_digest(ks, 1 << 16, dig, &err), TMON_OK);
	ck_assert_str_eq(dig, V_KEYSET);
	ck_assert_int_eq(jcs_digest(json_object_get(json_object_get(ks,
	    "workload_identity"), "public_key"), 1 << 16, dig, &err), TMON_OK);
	ck_assert_str_eq(dig, V_WORKLOAD_ID);
	json_object_del(json_object_get(r, "signature"), "value");
	buf_init(&b, 1 << 16);
	ck_assert_int_eq(jcs_append(&b, r, &err), TMON_OK);
	ck_assert_str_eq((char *)b.data, canon);
	buf_free(&b);
	free(canon);
	json_decref(ks);
	json_decref(r);
}
END_TEST

/* body: receipt (with changes) wrapped with the keyset (when given). */
static char *
wrap(json_t *r, json_t *ks, const char *model)
{
	json_t *o = json_object();
	char *s;

	json_object_set(o, "receipt", r);
	if (ks != NULL)
		json_object_set(o, "workload_keyset", ks);
	if (model != NULL)
		json_object_set_new(o, "model", json_string(model));
	s = json_dumps(o, JSON_INDENT(1));
	json_decref(o);
	return s;
}

static enum check_status
run(const char *body, const char *model, struct checklist *cl,
    struct rcpt_parsed *p)
{
	struct rcpt_reject rej;
	struct rcpt_probe pr;

	memset(&pr, 0, sizeof(pr));
	ck_assert_msg(rcpt_parse((const uint8_t *)body, strlen(body), model,
	    p, &rej) == TMON_OK, "refused: %s (%s)", rej.error,
	    rej.field != NULL ? rej.field : "-");
	ck_assert_int_eq(p->fmt, RCPT_ACI);
	checklist_init(cl);
	rcpt_verify(NULL, p, &pr, cl);
	return checklist_verdict(cl);
}

static enum check_status
status_of(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "no check %s", id);
	return c->status;
}

START_TEST(test_aci_vector_verifies)
{
	static struct checklist cl;
	struct rcpt_parsed p;
	json_t *ks = vector("keyset.json"), *r = vector("receipt.json"), *c;
	char *body = wrap(r, ks, "TEE/demo");

	/* warn: receipt.attested_key (tmon did not attest the keyset) */
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_WARN);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_events"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_keyset"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_signature"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.attested_key"), CHECK_WARN);
	ck_assert_str_eq(p.model, "TEE/demo");
	ck_assert_str_eq(rcpt_format_str(p.fmt), "aci");
	c = rcpt_claims(&p);
	ck_assert_str_eq(json_string_value(json_object_get(c, "receipt_id")),
	    "rcpt-0001");
	ck_assert_int_eq(json_array_size(json_object_get(c, "event_types")),
	    4);
	ck_assert(json_is_true(json_object_get(c, "keyset_given")));
	ck_assert_ptr_null(json_object_get(json_object_get(c, "signature"),
	    "value"));
	json_decref(c);
	rcpt_parsed_free(&p);
	free(body);

	/* the bare receipt: nothing resolves its key (errors among passes
	 * make the verdict warn, checklist.h) */
	body = json_dumps(r, 0);
	ck_assert_int_eq(run(body, "TEE/demo", &cl, &p), CHECK_WARN);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_events"), CHECK_PASS);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_keyset"), CHECK_ERROR);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_signature"),
	    CHECK_ERROR);
	rcpt_parsed_free(&p);
	free(body);
	json_decref(ks);
	json_decref(r);
}
END_TEST

/* One byte of a signed field changed: the signature check fails. */
START_TEST(test_aci_tampered)
{
	static struct checklist cl;
	struct rcpt_parsed p;
	json_t *ks = vector("keyset.json"), *r = vector("receipt.json"), *e;
	char *body;

	json_object_set_new(r, "served_at", json_integer(1750000001));
	body = wrap(r, ks, NULL);
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_signature"), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_keyset"), CHECK_PASS);
	rcpt_parsed_free(&p);
	free(body);
	json_decref(r);

	/* a flipped bit in the signature */
	r = vector("receipt.json");
	json_object_set_new(json_object_get(r, "signature"), "value",
	    json_string("94568f9eed0981d275407e3ea9b03d7f6c9a428923ac99c45b9e"
	    "f94aa8bada6a39b5a63410fb48eb8057a6d4f8d2fb5a2ba28bc8f94d3c707e7f"
	    "b7f360f39d00"));
	body = wrap(r, ks, NULL);
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_signature"), CHECK_FAIL);
	rcpt_parsed_free(&p);
	free(body);
	json_decref(r);

	/* an unknown event field is signed too */
	r = vector("receipt.json");
	e = json_array_get(json_object_get(r, "event_log"), 3);
	json_object_set_new(e, "extra", json_string("x"));
	body = wrap(r, ks, NULL);
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_signature"), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_events"), CHECK_PASS);
	rcpt_parsed_free(&p);
	free(body);
	json_decref(r);

	/* another keyset (its epoch changed): digest differs */
	r = vector("receipt.json");
	json_object_set_new(json_object_get(ks, "keyset_epoch"), "version",
	    json_integer(2));
	body = wrap(r, ks, NULL);
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_keyset"), CHECK_FAIL);
	rcpt_parsed_free(&p);
	free(body);
	json_decref(r);
	json_decref(ks);
}
END_TEST

START_TEST(test_aci_events_and_keys)
{
	static struct checklist cl;
	struct rcpt_parsed p;
	json_t *ks = vector("keyset.json"), *r, *log;
	char *body;

	/* seq out of order */
	r = vector("receipt.json");
	log = json_object_get(r, "event_log");
	json_object_set_new(json_array_get(log, 2), "seq", json_integer(1));
	body = wrap(r, ks, NULL);
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_events"), CHECK_FAIL);
	rcpt_parsed_free(&p);
	free(body);
	json_decref(r);

	/* forwarded body differs without a transparency event */
	r = vector("receipt.json");
	log = json_object_get(r, "event_log");
	json_object_set_new(json_array_get(log, 1), "body_hash",
	    json_string("sha256:0000000000000000000000000000000000000000000"
	    "000000000000000000000"));
	body = wrap(r, ks, NULL);
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_events"), CHECK_FAIL);
	rcpt_parsed_free(&p);
	free(body);
	json_decref(r);

	/* no response.returned */
	r = vector("receipt.json");
	json_array_remove(json_object_get(r, "event_log"), 3);
	body = wrap(r, ks, NULL);
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_events"), CHECK_FAIL);
	rcpt_parsed_free(&p);
	free(body);
	json_decref(r);

	/* a key id the keyset does not have; an algorithm it does not say */
	r = vector("receipt.json");
	json_object_set_new(json_object_get(r, "signature"), "key_id",
	    json_string("receipt-2"));
	body = wrap(r, ks, NULL);
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_signature"), CHECK_FAIL);
	rcpt_parsed_free(&p);
	free(body);
	json_object_set_new(json_object_get(r, "signature"), "key_id",
	    json_string("receipt-1"));
	json_object_set_new(json_object_get(r, "signature"), "algo",
	    json_string("ecdsa-secp256k1"));
	body = wrap(r, ks, NULL);
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_signature"), CHECK_FAIL);
	rcpt_parsed_free(&p);
	free(body);
	json_decref(r);

	/* served after the keyset's not_after */
	r = vector("receipt.json");
	json_object_set_new(json_object_get(ks, "keyset_epoch"), "not_after",
	    json_integer(1700000000));
	body = wrap(r, ks, NULL);
	ck_assert_int_eq(run(body, NULL, &cl, &p), CHECK_FAIL);
	ck_assert_int_eq(status_of(&cl, "receipt.aci_keyset"), CHECK_FAIL);
	rcpt_parsed_free(&p);
	free(body);
	json_decref(r);
	json_decref(ks);
}
END_TEST

static void
expect_refused(const char *body, const char *field)
{
	struct rcpt_parsed p;
	struct rcpt_reject rej;

	ck_assert_int_eq(rcpt_parse((const uint8_t *)body, strlen(body), NULL,
	    &p, &rej), TMON_E_PARSE);
	ck_assert_uint_eq(rej.status, 400);
	ck_assert_msg(rej.field != NULL && strcmp(rej.field, field) == 0,
	    "field %s, want %s (%s)", rej.field != NULL ? rej.field : "-",
	    field, rej.error);
}

START_TEST(test_aci_refused)
{
	json_t *ks = vector("keyset.json"), *r = vector("receipt.json"), *o;
	char *body;

	json_object_del(json_object_get(r, "signature"), "value");
	body = wrap(r, ks, NULL);
	expect_refused(body, "receipt.signature.value");
	free(body);
	json_decref(r);

	r = vector("receipt.json");
	json_object_set_new(r, "served_at", json_string("1750000000"));
	body = wrap(r, NULL, NULL);
	expect_refused(body, "receipt.served_at");
	free(body);
	json_decref(r);

	r = vector("receipt.json");
	json_object_del(r, "chat_id");
	body = json_dumps(r, 0);
	expect_refused(body, "chat_id");
	free(body);
	json_decref(r);

	r = vector("receipt.json");
	o = json_object_get(ks, "receipt_signing_keys");
	json_array_clear(o);
	body = wrap(r, ks, NULL);
	expect_refused(body, "workload_keyset.receipt_signing_keys");
	free(body);

	o = json_object();
	json_object_set(o, "receipt", r);
	json_object_set_new(o, "note", json_string("x"));
	body = json_dumps(o, 0);
	expect_refused(body, "note");
	free(body);
	json_decref(o);
	json_decref(r);
	json_decref(ks);
}
END_TEST

static Suite *
aci_suite(void)
{
	Suite *su = suite_create("aci");
	TCase *tj = tcase_create("jcs");
	TCase *ta = tcase_create("receipt");

	tcase_add_test(tj, test_rfc_example);
	tcase_add_test(tj, test_rfc_sorting);
	tcase_add_loop_test(tj, test_rfc_numbers, 0,
	    (int)(sizeof(appendix_b) / sizeof(appendix_b[0])));
	tcase_add_test(tj, test_integers_and_errors);
	suite_add_tcase(su, tj);
	tcase_add_test(ta, test_aci_vector_digests);
	tcase_add_test(ta, test_aci_vector_verifies);
	tcase_add_test(ta, test_aci_tampered);
	tcase_add_test(ta, test_aci_events_and_keys);
	tcase_add_test(ta, test_aci_refused);
	suite_add_tcase(su, ta);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(aci_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
