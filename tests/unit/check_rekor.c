/*
 * Unit tests for monitor/verify/rekor.c: the Rekor entries of the real
 * Sigstore bundles of tests/data/sigstore (see its PROVENANCE.md: the
 * Tinfoil release's dsse 0.0.1 entry, GitHub CLI's dsse 0.0.1 and
 * intoto 0.0.2 entries) under the repository's trusted root
 * (trust/sigstore-trusted-root.json), and tampered copies of the
 * Tinfoil one.
 *
 * Expected values come from the capture itself (logIndex 1932011338,
 * integratedTime 1782251465, the proof's tree size 1810107081, read off
 * the JSON), not from the code under test.  Each tampering flips one
 * byte of one decoded member and re-encodes it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "encode.h"
#include "rekor.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "util.h"

#define ROOT_FILE	TMON_SOURCE_DIR "/trust/sigstore-trusted-root.json"
#define BUNDLE_FILE	TMON_TEST_DATA "/sigstore/tinfoil-cmr-attestations.json"
#define EPATH		"verificationMaterial.tlogEntries[0]"

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct tmon_err err;
	uint8_t *p = NULL;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 4 << 20, &p, len, &err) == TMON_OK,
	    "%s: %s", path, err.msg);
	return p;
}

/* The fixture: the root, the bundle's entry and what the bundle signed. */
struct fix {
	struct sigstore_root	*root;
	json_t			*doc;
	json_t			*entry;	/* a deep copy, to tamper with */
	struct rekor_signed	 sd;
	uint8_t			*payload, *sig, *cert;
	char			 payload_type[64];
};

static uint8_t *
b64_of(json_t *o, const char *key, size_t *len)
{
	const char *s = json_string_value(json_object_get(o, key));
	uint8_t *b;

	ck_assert_msg(s != NULL, "no %s", key);
	b = b64_decode_alloc(s, strlen(s), 1 << 20, len);
	ck_assert_ptr_nonnull(b);
	return b;
}

static struct sigstore_root *
load_root(const char *from, const char *to)
{
	struct sigstore_root *r;
	struct tmon_err err;
	uint8_t *text;
	char *at, *ed;
	size_t len, off;

	text = slurp(ROOT_FILE, &len);
	if (from != NULL) {
		ed = calloc(1, len + strlen(to) + 1);
		ck_assert_ptr_nonnull(ed);
		memcpy(ed, text, len);
		at = strstr(ed, from);
		ck_assert_ptr_nonnull(at);
		off = (size_t)(at - ed);
		memcpy(ed + off, to, strlen(to));	/* same length */
		ck_assert_uint_eq(strlen(from), strlen(to));
		memcpy(text, ed, len);
		free(ed);
	}
	tmon_err_clear(&err);
	ck_assert_msg(sigstore_root_parse(text, len, NULL, &r, &err) ==
	    TMON_OK, "%s", err.msg);
	free(text);
	return r;
}

static void
fix_init(struct fix *f)
{
	struct tjson_doc d;
	struct tmon_err err;
	json_t *bundle, *env, *vm;
	uint8_t *text;
	size_t len;
	const char *pt;

	tjson_init();
	memset(f, 0, sizeof(*f));
	f->root = load_root(NULL, NULL);
	text = slurp(BUNDLE_FILE, &len);
	memset(&d, 0, sizeof(d));
	tmon_err_clear(&err);
	d.err = &err;
	ck_assert_msg(tjson_load(&d, text, len, 4 << 20, TJSON_OBJECT,
	    &f->doc) == TMON_OK, "%s", err.msg);
	free(text);
	bundle = json_object_get(json_array_get(json_object_get(f->doc,
	    "attestations"), 0), "bundle");
	env = json_object_get(bundle, "dsseEnvelope");
	vm = json_object_get(bundle, "verificationMaterial");
	f->payload = b64_of(env, "payload", &f->sd.payload_len);
	f->sd.payload = f->payload;
	pt = json_string_value(json_object_get(env, "payloadType"));
	ck_assert_ptr_nonnull(pt);
	snprintf(f->payload_type, sizeof(f->payload_type), "%s", pt);
	f->sd.payload_type = f->payload_type;
	f->sig = b64_of(json_array_get(json_object_get(env, "signatures"), 0),
	    "sig", &f->sd.sig_len);
	f->sd.sig = f->sig;
	f->cert = b64_of(json_object_get(vm, "certificate"), "rawBytes",
	    &f->sd.cert_der_len);
	f->sd.cert_der = f->cert;
	f->entry = json_deep_copy(json_array_get(json_object_get(vm,
	    "tlogEntries"), 0));
	ck_assert_ptr_nonnull(f->entry);
}

static void
fix_free(struct fix *f)
{
	sigstore_root_free(f->root);
	json_decref(f->doc);
	json_decref(f->entry);
	free(f->payload);
	free(f->sig);
	free(f->cert);
}

static enum verdict
run(struct fix *f, struct rekor_result *res, struct checklist *cl)
{
	checklist_init(cl);
	return rekor_check_entry(f->root, f->entry, EPATH, &f->sd, res, cl);
}

/* The check id has status st and its detail contains what. */
static void
expect(const struct checklist *cl, const char *id, enum check_status st,
    const char *what)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "%s not set", id);
	ck_assert_msg(c->status == st, "%s: %s, want %s (%s)", id,
	    check_status_str(c->status), check_status_str(st), c->detail);
	ck_assert_msg(strstr(c->detail, what) != NULL, "%s: \"%s\" lacks "
	    "\"%s\"", id, c->detail, what);
}

/* Flip bit 0 of byte i (from the end when negative) of base64 member
 * key of o. */
static void
flip_b64(json_t *o, const char *key, long i)
{
	uint8_t *b;
	size_t n;
	char *s;

	b = b64_of(o, key, &n);
	b[i < 0 ? (size_t)((long)n + i) : (size_t)i] ^= 1;
	s = malloc(B64_ENCODED_LEN(n) + 1);
	b64_encode(b, n, s);
	json_object_set_new(o, key, json_string(s));
	free(s);
	free(b);
}

START_TEST(real_entry)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;

	fix_init(&f);
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_PASS);
	expect(&cl, REKOR_CHECK_BODY, CHECK_PASS, "dsse 0.0.1 entry at log "
	    "index 1932011338");
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_PASS, "index 1810107076 of "
	    "a tree of 1810107081");
	expect(&cl, REKOR_CHECK_CHECKPOINT, CHECK_PASS, "rekor.sigstore.dev");
	expect(&cl, REKOR_CHECK_SET, CHECK_PASS, "integrated at 1782251465");
	ck_assert(res.time_verified);
	ck_assert(res.included);
	ck_assert_int_eq(res.integrated_time, 1782251465);
	ck_assert_uint_eq(res.log_index, 1932011338);
	ck_assert_ptr_eq(res.log, &f.root->tlogs[0]);
	fix_free(&f);
}
END_TEST

START_TEST(flip_proof_hash)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;
	json_t *hashes;
	char *s;

	fix_init(&f);
	hashes = json_object_get(json_object_get(f.entry, "inclusionProof"),
	    "hashes");
	/* flip a byte of hashes[3], by way of a one-member object */
	{
		json_t *tmp = json_object();

		json_object_set(tmp, "h", json_array_get(hashes, 3));
		flip_b64(tmp, "h", 7);
		s = strdup(json_string_value(json_object_get(tmp, "h")));
		json_array_set_new(hashes, 3, json_string(s));
		free(s);
		json_decref(tmp);
	}
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_FAIL, "inclusion proof does "
	    "not lead to the checkpoint's root");
	expect(&cl, REKOR_CHECK_BODY, CHECK_PASS, "");
	expect(&cl, REKOR_CHECK_CHECKPOINT, CHECK_PASS, "");
	expect(&cl, REKOR_CHECK_SET, CHECK_PASS, "");
	ck_assert(!res.included);
	fix_free(&f);
}
END_TEST

START_TEST(flip_checkpoint_sig)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;
	json_t *cp, *tmp;
	const char *env, *dash, *sp;
	char *ne;
	size_t pre;

	fix_init(&f);
	cp = json_object_get(json_object_get(f.entry, "inclusionProof"),
	    "checkpoint");
	env = json_string_value(json_object_get(cp, "envelope"));
	/* "— rekor.sigstore.dev <base64>\n": flip a byte of the signature */
	dash = strstr(env, "\xe2\x80\x94 rekor.sigstore.dev ");
	ck_assert_ptr_nonnull(dash);
	sp = dash + strlen("\xe2\x80\x94 rekor.sigstore.dev ");
	pre = (size_t)(sp - env);
	tmp = json_object();
	json_object_set_new(tmp, "s", json_stringn(sp, strlen(sp) - 1));
	flip_b64(tmp, "s", -3);		/* inside s of the DER signature */
	ne = malloc(strlen(env) + 8);
	memcpy(ne, env, pre);
	snprintf(ne + pre, strlen(env) + 8 - pre, "%s\n",
	    json_string_value(json_object_get(tmp, "s")));
	json_object_set_new(cp, "envelope", json_string(ne));
	free(ne);
	json_decref(tmp);
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_CHECKPOINT, CHECK_FAIL, "checkpoint signature "
	    "does not verify by rekor.sigstore.dev");
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_PASS, "");
	expect(&cl, REKOR_CHECK_SET, CHECK_PASS, "");
	fix_free(&f);
}
END_TEST

START_TEST(flip_set)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;

	fix_init(&f);
	flip_b64(json_object_get(f.entry, "inclusionPromise"),
	    "signedEntryTimestamp", -2);
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_SET, CHECK_FAIL, "SET signature does not "
	    "verify by rekor.sigstore.dev");
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_PASS, "");
	expect(&cl, REKOR_CHECK_CHECKPOINT, CHECK_PASS, "");
	ck_assert(!res.time_verified);
	fix_free(&f);
}
END_TEST

/* Another integratedTime or logIndex breaks the SET. */
START_TEST(set_fields)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;

	fix_init(&f);
	json_object_set_new(f.entry, "integratedTime",
	    json_string("1782251466"));
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_SET, CHECK_FAIL, "SET signature does not "
	    "verify");
	json_object_set_new(f.entry, "integratedTime",
	    json_string("1782251465"));
	json_object_set_new(f.entry, "logIndex", json_string("1932011339"));
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_SET, CHECK_FAIL, "SET signature does not "
	    "verify");
	fix_free(&f);
}
END_TEST

START_TEST(flip_body)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;
	uint8_t *b;
	size_t n;
	char *at, *s;

	fix_init(&f);
	/* one hex digit of the payload hash: the body stays JSON */
	b = b64_of(f.entry, "canonicalizedBody", &n);
	b = realloc(b, n + 1);
	b[n] = '\0';
	at = strstr((char *)b, "177d99ad61e6");
	ck_assert_ptr_nonnull(at);
	at[0] = '2';
	s = malloc(B64_ENCODED_LEN(n) + 1);
	b64_encode(b, n, s);
	json_object_set_new(f.entry, "canonicalizedBody", json_string(s));
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_BODY, CHECK_FAIL, "body's payload hash is not "
	    "the SHA-256 of the bundle's DSSE payload");
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_FAIL, "inclusion proof does "
	    "not lead");
	expect(&cl, REKOR_CHECK_SET, CHECK_FAIL, "SET signature does not "
	    "verify");
	free(s);
	free(b);
	/* any byte: the body is no longer JSON */
	fix_free(&f);
	fix_init(&f);
	flip_b64(f.entry, "canonicalizedBody", 0);
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_BODY, CHECK_FAIL, "canonicalizedBody");
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_FAIL, "");
	expect(&cl, REKOR_CHECK_SET, CHECK_FAIL, "");
	fix_free(&f);
}
END_TEST

START_TEST(other_content)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;

	fix_init(&f);
	f.payload[10] ^= 1;
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_BODY, CHECK_FAIL, "body's payload hash is not "
	    "the SHA-256 of the bundle's DSSE payload");
	/* the log's checks still pass: the entry itself is fine */
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_PASS, "");
	expect(&cl, REKOR_CHECK_SET, CHECK_PASS, "");
	f.payload[10] ^= 1;
	f.sig[f.sd.sig_len - 1] ^= 1;
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_BODY, CHECK_FAIL, "body's signature is not "
	    "the bundle's DSSE signature");
	f.sig[f.sd.sig_len - 1] ^= 1;
	f.cert[f.sd.cert_der_len - 1] ^= 1;
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_BODY, CHECK_FAIL, "body's verifier is not "
	    "the bundle's certificate");
	f.cert[f.sd.cert_der_len - 1] ^= 1;
	f.sd.sig_len--;
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_BODY, CHECK_FAIL, "signature");
	fix_free(&f);
}
END_TEST

START_TEST(unknown_log)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;

	fix_init(&f);
	flip_b64(json_object_get(f.entry, "logId"), "keyId", 0);
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_ERROR);
	expect(&cl, REKOR_CHECK_BODY, CHECK_PASS, "");
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_ERROR, "is not in the "
	    "trusted root (no key)");
	expect(&cl, REKOR_CHECK_CHECKPOINT, CHECK_ERROR, "no key");
	expect(&cl, REKOR_CHECK_SET, CHECK_ERROR, "no key");
	ck_assert_ptr_null(res.log);
	ck_assert(!res.time_verified);
	fix_free(&f);
}
END_TEST

START_TEST(unsupported_kind)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;
	json_t *kv;
	const char *body = "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\","
	    "\"spec\":{}}";
	char s[128];

	fix_init(&f);
	kv = json_object_get(f.entry, "kindVersion");
	json_object_set_new(kv, "kind", json_string("hashedrekord"));
	b64_encode((const uint8_t *)body, strlen(body), s);
	json_object_set_new(f.entry, "canonicalizedBody", json_string(s));
	run(&f, &res, &cl);
	expect(&cl, REKOR_CHECK_BODY, CHECK_ERROR, "unsupported entry kind "
	    "hashedrekord 0.0.1");
	/* the kind the body names must be kindVersion's */
	json_object_set_new(kv, "kind", json_string("intoto"));
	run(&f, &res, &cl);
	expect(&cl, REKOR_CHECK_BODY, CHECK_FAIL, "body is hashedrekord "
	    "0.0.1, kindVersion says intoto 0.0.1");
	fix_free(&f);
}
END_TEST

/* Bundle v0.3 may omit the SET: then the time is unverified. */
START_TEST(no_set)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;

	fix_init(&f);
	json_object_del(f.entry, "inclusionPromise");
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_PASS);
	expect(&cl, REKOR_CHECK_SET, CHECK_SKIP, "the integrated time is not "
	    "verified");
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_PASS, "");
	expect(&cl, REKOR_CHECK_CHECKPOINT, CHECK_PASS, "");
	ck_assert(!res.time_verified);
	ck_assert(res.included);
	/* and without an inclusion proof either, nothing vouches */
	json_object_del(f.entry, "inclusionProof");
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_FAIL, "neither an inclusion "
	    "proof nor a SET");
	fix_free(&f);
}
END_TEST

/* A bundle v0.1-style entry: the SET alone. */
START_TEST(set_only)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;

	fix_init(&f);
	json_object_del(f.entry, "inclusionProof");
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_PASS);
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_SKIP, "no inclusion proof");
	expect(&cl, REKOR_CHECK_CHECKPOINT, CHECK_SKIP, "");
	expect(&cl, REKOR_CHECK_SET, CHECK_PASS, "");
	ck_assert(res.time_verified);
	ck_assert(!res.included);
	fix_free(&f);
}
END_TEST

/* The log's key must be valid at the integrated time. */
START_TEST(key_not_yet_valid)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;

	fix_init(&f);
	sigstore_root_free(f.root);
	f.root = load_root("2021-01-12T11:53:27Z", "2027-01-12T11:53:27Z");
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_SET, CHECK_FAIL, "rekor.sigstore.dev's key is "
	    "not valid at the integrated time 1782251465");
	ck_assert(!res.time_verified);
	fix_free(&f);
}
END_TEST

START_TEST(malformed)
{
	struct fix f;
	struct rekor_result res;
	struct checklist cl;

	fix_init(&f);
	json_object_set_new(f.entry, "logIndex", json_string("-1"));
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_BODY, CHECK_FAIL, "malformed tlog entry: "
	    EPATH ".logIndex");
	expect(&cl, REKOR_CHECK_SET, CHECK_FAIL, "malformed");
	json_object_set_new(f.entry, "logIndex", json_string("1932011338"));
	json_object_set_new(json_object_get(f.entry, "inclusionProof"),
	    "rootHash", json_string("AAAA"));
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_INCLUSION, CHECK_FAIL, "inclusionProof."
	    "rootHash: must be 32 bytes, not 3");
	fix_free(&f);
	fix_init(&f);
	json_object_set_new(json_object_get(json_object_get(f.entry,
	    "inclusionProof"), "checkpoint"), "envelope", json_string("x"));
	ck_assert_int_eq(run(&f, &res, &cl), VERDICT_FAIL);
	expect(&cl, REKOR_CHECK_CHECKPOINT, CHECK_FAIL, "checkpoint is not a "
	    "signed note");
	fix_free(&f);
}
END_TEST

/*
 * Every real bundle of tests/data/sigstore: the entry of each (dsse
 * 0.0.1 in bundle v0.3, intoto 0.0.2 in bundles v0.1 and v0.3) passes
 * with the bundle's own payload, signature and leaf certificate.
 */
START_TEST(real_bundles)
{
	static const char *const files[] = {
		"cli-custom-issuer.sigstore.json",
		"cli-reusable-workflow-attestation.sigstore.json",
		"cli-sigstore-js-2.1.0-bundle-v0.1.json",
		"cli-sigstore-js-2.1.0-bundle.json",
	};
	struct sigstore_root *root;
	struct rekor_signed sd;
	struct rekor_result res;
	struct checklist cl;
	struct tjson_doc d;
	struct tmon_err err;
	json_t *b, *env, *vm, *cert;
	uint8_t *text, *payload, *sig, *der;
	char path[512];
	const char *pt;
	size_t i, len;
	enum verdict v;

	tjson_init();
	root = load_root(NULL, NULL);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), TMON_TEST_DATA "/sigstore/%s",
		    files[i]);
		text = slurp(path, &len);
		memset(&d, 0, sizeof(d));
		tmon_err_clear(&err);
		d.err = &err;
		ck_assert_msg(tjson_load(&d, text, len, 4 << 20, TJSON_OBJECT,
		    &b) == TMON_OK, "%s: %s", files[i], err.msg);
		free(text);
		env = json_object_get(b, "dsseEnvelope");
		vm = json_object_get(b, "verificationMaterial");
		memset(&sd, 0, sizeof(sd));
		payload = b64_of(env, "payload", &sd.payload_len);
		sd.payload = payload;
		pt = json_string_value(json_object_get(env, "payloadType"));
		sd.payload_type = pt;
		sig = b64_of(json_array_get(json_object_get(env, "signatures"),
		    0), "sig", &sd.sig_len);
		sd.sig = sig;
		cert = json_object_get(vm, "certificate");
		if (cert == NULL)
			cert = json_array_get(json_object_get(json_object_get(vm,
			    "x509CertificateChain"), "certificates"), 0);
		der = b64_of(cert, "rawBytes", &sd.cert_der_len);
		sd.cert_der = der;
		checklist_init(&cl);
		v = rekor_check_entry(root, json_array_get(json_object_get(vm,
		    "tlogEntries"), 0), EPATH, &sd, &res, &cl);
		ck_assert_msg(v == VERDICT_PASS, "%s: %s / %s / %s / %s",
		    files[i],
		    checklist_get(&cl, REKOR_CHECK_BODY)->detail,
		    checklist_get(&cl, REKOR_CHECK_INCLUSION)->detail,
		    checklist_get(&cl, REKOR_CHECK_CHECKPOINT)->detail,
		    checklist_get(&cl, REKOR_CHECK_SET)->detail);
		ck_assert(res.time_verified && res.included);
		free(payload);
		free(sig);
		free(der);
		json_decref(b);
	}
	sigstore_root_free(root);
}
END_TEST

static Suite *
rekor_suite(void)
{
	Suite *s = suite_create("rekor");
	TCase *tc = tcase_create("rekor");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, real_entry);
	tcase_add_test(tc, real_bundles);
	tcase_add_test(tc, flip_proof_hash);
	tcase_add_test(tc, flip_checkpoint_sig);
	tcase_add_test(tc, flip_set);
	tcase_add_test(tc, set_fields);
	tcase_add_test(tc, flip_body);
	tcase_add_test(tc, other_content);
	tcase_add_test(tc, unknown_log);
	tcase_add_test(tc, unsupported_kind);
	tcase_add_test(tc, no_set);
	tcase_add_test(tc, set_only);
	tcase_add_test(tc, key_not_yet_valid);
	tcase_add_test(tc, malformed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rekor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
