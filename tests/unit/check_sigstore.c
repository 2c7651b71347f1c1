/*
 * check_sigstore.c: Sigstore bundles (monitor/verify/sigstore.h) on the
 * real bundles of tests/data/sigstore (PROVENANCE.md there): parsing of
 * bundles v0.1 and v0.3, DSSE PAE, in-toto statements, Fulcio
 * extensions, the identity policy.  Every expected value was read from
 * the files with openssl and base64, not with tmon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "encode.h"
#include "provenance.h"
#include "rekor.h"
#include "sigstore.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "util.h"

#define DATA	TMON_TEST_DATA "/sigstore/"

static const char cmr_digest_hex[] =
    "59239f442bcc5814c5981c1d424e25ab190784c6d3162b76fa90bbce88a4e4c9";
static const char cmr_signer[] = "https://github.com/tinfoilsh/"
    "confidential-model-router/.github/workflows/"
    "tinfoil-release-publish.yml@refs/tags/v0.0.110";

static uint8_t *
load(const char *name, size_t *len)
{
	char path[512];
	uint8_t *p = NULL;
	struct tmon_err err;

	snprintf(path, sizeof(path), DATA "%s", name);
	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 4u * 1024 * 1024, &p, len, &err) ==
	    TMON_OK, "%s: %s", path, err.msg);
	return p;
}

static json_t *
load_json(const char *name)
{
	json_error_t je;
	json_t *j;
	uint8_t *p;
	size_t len;

	p = load(name, &len);
	j = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, &je);
	ck_assert_msg(j != NULL, "%s: %s", name, je.text);
	free(p);
	return j;
}

/* The Tinfoil bundle, out of its API body (a new reference). */
static json_t *
cmr_bundle(void)
{
	json_t *body, *b;

	body = load_json("tinfoil-cmr-attestations.json");
	b = json_object_get(json_array_get(json_object_get(body,
	    "attestations"), 0), "bundle");
	ck_assert_ptr_nonnull(b);
	json_incref(b);
	json_decref(body);
	return b;
}

static enum tmon_rc
parse_edit(const json_t *b, struct sigstore_bundle *out, char *msg,
    size_t msgsz)
{
	struct tmon_err err;
	enum tmon_rc rc;

	tmon_err_clear(&err);
	rc = sigstore_bundle_parse_json(b, "", out, &err);
	snprintf(msg, msgsz, "%s", err.msg);
	return rc;
}

START_TEST(test_pae)
{
	/* DSSE protocol.md, "Test vectors" */
	static const char want[] =
	    "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
	uint8_t *p;
	size_t n;

	p = dsse_pae("http://example.com/HelloWorld", 29,
	    (const uint8_t *)"hello world", 11, &n);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert(memcmp(p, want, n) == 0);
	free(p);
	p = dsse_pae("", 0, NULL, 0, &n);
	ck_assert_uint_eq(n, 12);
	ck_assert(memcmp(p, "DSSEv1 0  0 ", 12) == 0);
	free(p);
}
END_TEST

START_TEST(test_parse_cmr)
{
	struct sigstore_bundle b;
	struct intoto_statement st;
	struct tmon_err err;
	uint8_t d[32];
	json_t *j = cmr_bundle();
	char msg[256];

	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)), TMON_OK);
	ck_assert_int_eq(b.version, 3);
	ck_assert_uint_eq(b.certs.n, 1);
	ck_assert_str_eq(b.payload_type, DSSE_INTOTO_TYPE);
	ck_assert_uint_eq(b.payload_len, 2214);
	ck_assert_uint_eq(b.sig_len, 72);
	ck_assert_uint_eq(json_array_size(b.tlog_entries), 1);
	ck_assert_uint_eq(b.n_tst, 0);

	tmon_err_clear(&err);
	ck_assert_int_eq(intoto_statement_parse(b.payload, b.payload_len, &st,
	    &err), TMON_OK);
	ck_assert_int_eq(st.version, 1);
	ck_assert_str_eq(st.predicate_type,
	    "https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1");
	ck_assert_ptr_nonnull(st.predicate);
	ck_assert(hex_decode_exact(cmr_digest_hex, 64, d, 32, false));
	ck_assert(intoto_has_sha256(&st, d));
	d[31] ^= 1;
	ck_assert(!intoto_has_sha256(&st, d));
	intoto_statement_free(&st);
	sigstore_bundle_free(&b);
	sigstore_bundle_free(&b);	/* zeroed: a no-op */
	json_decref(j);
}
END_TEST

START_TEST(test_parse_files)
{
	static const struct {
		const char	*file;
		int		 version;
		size_t		 certs;
	} t[] = {
		{ "cli-sigstore-js-2.1.0-bundle-v0.1.json", 1, 1 },
		{ "cli-sigstore-js-2.1.0-bundle.json", 3, 1 },
		{ "cli-reusable-workflow-attestation.sigstore.json", 3, 1 },
		{ "cli-custom-issuer.sigstore.json", 3, 1 },
	};
	struct sigstore_bundle b;
	struct tmon_err err;
	uint8_t *p;
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		p = load(t[i].file, &len);
		tmon_err_clear(&err);
		ck_assert_msg(sigstore_bundle_parse(p, len, &b, &err) ==
		    TMON_OK, "%s: %s", t[i].file, err.msg);
		ck_assert_int_eq(b.version, t[i].version);
		ck_assert_uint_eq(b.certs.n, t[i].certs);
		ck_assert_uint_eq(json_array_size(b.tlog_entries), 1);
		sigstore_bundle_free(&b);
		free(p);
	}
}
END_TEST

START_TEST(test_parse_rejects)
{
	struct sigstore_bundle b;
	json_t *j, *vm, *env, *sigs, *c;
	char msg[256];

	/* another mediaType: unsupported */
	j = cmr_bundle();
	json_object_set_new(j, "mediaType", json_string(
	    "application/vnd.dev.sigstore.bundle.v0.4+json"));
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)),
	    TMON_E_UNSUPPORTED);
	ck_assert_msg(strstr(msg, "mediaType") != NULL, "%s", msg);
	json_decref(j);

	/* v0.2: the same content (the mediaType is not signed) parses */
	j = cmr_bundle();
	json_object_set_new(j, "mediaType", json_string(SIGSTORE_MT_V02));
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)), TMON_OK);
	ck_assert_int_eq(b.version, 2);
	sigstore_bundle_free(&b);
	json_decref(j);

	/* v0.1 needs an inclusionPromise in every entry */
	j = cmr_bundle();
	json_object_set_new(j, "mediaType", json_string(SIGSTORE_MT_V01));
	json_object_del(json_array_get(json_object_get(json_object_get(j,
	    "verificationMaterial"), "tlogEntries"), 0), "inclusionPromise");
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)), TMON_E_PARSE);
	ck_assert_msg(strstr(msg, "inclusionPromise") != NULL, "%s", msg);
	json_decref(j);

	/* v0.3 needs an inclusionProof */
	j = cmr_bundle();
	json_object_del(json_array_get(json_object_get(json_object_get(j,
	    "verificationMaterial"), "tlogEntries"), 0), "inclusionProof");
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)), TMON_E_PARSE);
	ck_assert_msg(strstr(msg, "inclusionProof") != NULL, "%s", msg);
	json_decref(j);

	/* v0.3 takes a certificate, not a chain */
	j = cmr_bundle();
	vm = json_object_get(j, "verificationMaterial");
	c = json_object_get(vm, "certificate");
	json_object_set_new(vm, "x509CertificateChain", json_pack(
	    "{s:[O]}", "certificates", c));
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)), TMON_E_PARSE);
	ck_assert_msg(strstr(msg, "exactly one") != NULL, "%s", msg);
	json_object_del(vm, "certificate");
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)), TMON_E_PARSE);
	ck_assert_msg(strstr(msg, "v0.3") != NULL, "%s", msg);
	json_decref(j);

	/* a public key instead of a certificate: unsupported */
	j = cmr_bundle();
	vm = json_object_get(j, "verificationMaterial");
	json_object_set_new(vm, "publicKey", json_pack("{s:s}", "hint", "x"));
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)),
	    TMON_E_UNSUPPORTED);
	json_decref(j);

	/* a certificate that is not DER */
	j = cmr_bundle();
	vm = json_object_get(j, "verificationMaterial");
	json_object_set_new(json_object_get(vm, "certificate"), "rawBytes",
	    json_string("AAAA"));
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)), TMON_E_PARSE);
	ck_assert_msg(strstr(msg, "certificate") != NULL, "%s", msg);
	json_decref(j);

	/* two DSSE signatures: unsupported; none: malformed */
	j = cmr_bundle();
	env = json_object_get(j, "dsseEnvelope");
	sigs = json_object_get(env, "signatures");
	json_array_append(sigs, json_array_get(sigs, 0));
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)),
	    TMON_E_UNSUPPORTED);
	ck_assert_msg(strstr(msg, "2 signatures") != NULL, "%s", msg);
	json_array_clear(sigs);
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)), TMON_E_PARSE);
	json_decref(j);

	/* payload not base64 */
	j = cmr_bundle();
	env = json_object_get(j, "dsseEnvelope");
	json_object_set_new(env, "payload", json_string("not base64!"));
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)), TMON_E_PARSE);
	ck_assert_msg(strstr(msg, "dsseEnvelope.payload") != NULL, "%s", msg);
	json_decref(j);

	/* a message signature: unsupported */
	j = cmr_bundle();
	json_object_set_new(j, "messageSignature", json_object());
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)),
	    TMON_E_UNSUPPORTED);
	json_decref(j);
}
END_TEST

static enum tmon_rc
stmt(const char *text, struct intoto_statement *st)
{
	struct tmon_err err;

	tmon_err_clear(&err);
	return intoto_statement_parse((const uint8_t *)text, strlen(text), st,
	    &err);
}

START_TEST(test_statement)
{
	struct intoto_statement st;
	uint8_t d[32];

	memset(d, 0xab, sizeof(d));
	ck_assert_int_eq(stmt("{\"_type\":\"https://in-toto.io/Statement/"
	    "v0.1\",\"subject\":[{\"name\":\"a\",\"digest\":{\"sha512\":\"00\","
	    "\"sha256\":\"ABABABABABABABABABABABABABABABABABABABABABABABABABAB"
	    "ABABABABABAB\"}}],\"predicateType\":\"x\"}", &st), TMON_OK);
	ck_assert_int_eq(st.version, 0);
	ck_assert_ptr_null(st.predicate);
	ck_assert(intoto_has_sha256(&st, d));
	intoto_statement_free(&st);
	/* another _type */
	ck_assert_int_eq(stmt("{\"_type\":\"https://in-toto.io/Statement/v2\","
	    "\"subject\":[],\"predicateType\":\"x\"}", &st),
	    TMON_E_UNSUPPORTED);
	/* no subject, a short sha256, a predicate that is no object */
	ck_assert_int_eq(stmt("{\"_type\":\"https://in-toto.io/Statement/v1\","
	    "\"subject\":[],\"predicateType\":\"x\"}", &st), TMON_E_PARSE);
	ck_assert_int_eq(stmt("{\"_type\":\"https://in-toto.io/Statement/v1\","
	    "\"subject\":[{\"digest\":{\"sha256\":\"abcd\"}}],"
	    "\"predicateType\":\"x\"}", &st), TMON_E_PARSE);
	ck_assert_int_eq(stmt("{\"_type\":\"https://in-toto.io/Statement/v1\","
	    "\"subject\":[{\"digest\":{}}],\"predicateType\":\"x\","
	    "\"predicate\":[]}", &st), TMON_E_PARSE);
	ck_assert_int_eq(stmt("[1]", &st), TMON_E_PARSE);
}
END_TEST

/* The Fulcio identity of the leaf of bundle file (or the Tinfoil one). */
static void
identity(const char *file, struct fulcio_identity *id)
{
	struct sigstore_bundle b;
	struct tmon_err err;
	json_t *j;
	char msg[256];

	j = file == NULL ? cmr_bundle() : load_json(file);
	ck_assert_int_eq(parse_edit(j, &b, msg, sizeof(msg)), TMON_OK);
	tmon_err_clear(&err);
	ck_assert_msg(fulcio_identity_parse(b.certs.cert[0], id, &err) ==
	    TMON_OK, "%s", err.msg);
	sigstore_bundle_free(&b);
	json_decref(j);
}

START_TEST(test_fulcio_identity)
{
	struct fulcio_identity id;

	identity(NULL, &id);
	ck_assert_str_eq(id.issuer, SIGSTORE_GITHUB_ISSUER);
	ck_assert_str_eq(id.signer_uri, cmr_signer);
	ck_assert_str_eq(id.san_uri, cmr_signer);
	ck_assert_str_eq(id.build_config_uri, cmr_signer);
	ck_assert_str_eq(id.repo_uri,
	    "https://github.com/tinfoilsh/confidential-model-router");
	ck_assert_str_eq(id.repo_ref, "refs/tags/v0.0.110");
	ck_assert_str_eq(id.repo_digest,
	    "7813c278b2c46351948143ea4a2313c635654893");

	identity("cli-custom-issuer.sigstore.json", &id);
	ck_assert_str_eq(id.issuer,
	    "https://token.actions.githubusercontent.com/hammer-time");
	ck_assert_str_eq(id.repo_uri, "https://github.com/too-legit/attest");

	identity("cli-reusable-workflow-attestation.sigstore.json", &id);
	ck_assert_str_eq(id.signer_uri, "https://github.com/github/"
	    "artifact-attestations-workflows/.github/workflows/attest.yml@"
	    "09b495c3f12c7881b3cc17209a327792065c1a1d");
	ck_assert_str_eq(id.build_config_uri, "https://github.com/malancas/"
	    "attest-demo/.github/workflows/shared.yml@refs/heads/main");
}
END_TEST

static enum verdict
policy(const struct fulcio_identity *id, const char *repo, const char *wf,
    const char *ref, const char *issuer, char *why, size_t whysz)
{
	struct sigstore_policy p = { repo, wf, ref, issuer };

	return sigstore_policy_check(id, &p, why, whysz);
}

START_TEST(test_policy)
{
	struct fulcio_identity id;
	char why[256];

	identity(NULL, &id);
	ck_assert_int_eq(policy(&id, "tinfoilsh/confidential-model-router",
	    ".github/workflows/tinfoil-release-publish.yml", "refs/tags/v*",
	    NULL, why, sizeof(why)), VERDICT_PASS);
	ck_assert_int_eq(policy(&id, "tinfoilsh/confidential-model-router",
	    ".github/workflows/*", NULL, SIGSTORE_GITHUB_ISSUER, why,
	    sizeof(why)), VERDICT_PASS);
	ck_assert_int_eq(policy(&id, "tinfoilsh/confidential-model-router",
	    NULL, NULL, NULL, why, sizeof(why)), VERDICT_PASS);

	/* another repository */
	ck_assert_int_eq(policy(&id, "tinfoilsh/confidential-model-route",
	    NULL, NULL, NULL, why, sizeof(why)), VERDICT_FAIL);
	ck_assert_str_eq(why, "Source Repository URI https://github.com/"
	    "tinfoilsh/confidential-model-router is not https://github.com/"
	    "tinfoilsh/confidential-model-route");
	/* a workflow outside the policy */
	ck_assert_int_eq(policy(&id, "tinfoilsh/confidential-model-router",
	    ".github/workflows/release.yml", NULL, NULL, why, sizeof(why)),
	    VERDICT_FAIL);
	ck_assert_str_eq(why, "Build Signer URI workflow .github/workflows/"
	    "tinfoil-release-publish.yml does not match .github/workflows/"
	    "release.yml");
	/* '*' does not cross '/' */
	ck_assert_int_eq(policy(&id, "tinfoilsh/confidential-model-router",
	    "*", NULL, NULL, why, sizeof(why)), VERDICT_FAIL);
	/* a branch where a tag is required */
	ck_assert_int_eq(policy(&id, "tinfoilsh/confidential-model-router",
	    NULL, "refs/heads/*", NULL, why, sizeof(why)), VERDICT_FAIL);
	ck_assert_str_eq(why, "Source Repository Ref refs/tags/v0.0.110 does "
	    "not match refs/heads/*");
	/* another issuer */
	ck_assert_int_eq(policy(&id, "tinfoilsh/confidential-model-router",
	    NULL, NULL, "https://accounts.google.com", why, sizeof(why)),
	    VERDICT_FAIL);
	ck_assert_msg(strstr(why, "Issuer https://token.actions.github"
	    "usercontent.com is not https://accounts.google.com") != NULL,
	    "%s", why);
	/* no policy */
	ck_assert_int_eq(policy(&id, NULL, NULL, NULL, NULL, why,
	    sizeof(why)), VERDICT_ERROR);

	/* a GitHub enterprise issuer is not the default one */
	identity("cli-custom-issuer.sigstore.json", &id);
	ck_assert_int_eq(policy(&id, "too-legit/attest", NULL, NULL, NULL,
	    why, sizeof(why)), VERDICT_FAIL);
	ck_assert_msg(strncmp(why, "Issuer ", 7) == 0, "%s", why);
	ck_assert_int_eq(policy(&id, "too-legit/attest", NULL, NULL,
	    "https://token.actions.githubusercontent.com/hammer-time", why,
	    sizeof(why)), VERDICT_PASS);

	/* a reusable workflow of another repository matches only by name */
	identity("cli-reusable-workflow-attestation.sigstore.json", &id);
	ck_assert_int_eq(policy(&id, "malancas/attest-demo",
	    ".github/workflows/*", NULL, NULL, why, sizeof(why)),
	    VERDICT_FAIL);
	ck_assert_str_eq(why, "Build Signer URI workflow github/artifact-"
	    "attestations-workflows/.github/workflows/attest.yml does not "
	    "match .github/workflows/*");
	ck_assert_int_eq(policy(&id, "malancas/attest-demo",
	    "github/artifact-attestations-workflows/.github/workflows/"
	    "attest.yml", "refs/heads/main", NULL, why, sizeof(why)),
	    VERDICT_PASS);
}
END_TEST


/* ---- verification ---- */

#define PEER	TMON_TEST_DATA "/sigstore-peer/"
#define TEST	TMON_TEST_DATA "/sigstore-test/"
#define PUBLIC_ROOT	TMON_SOURCE_DIR "/trust/sigstore-trusted-root.json"
#define TEST_ROOT	TEST "trusted_root.json"

/* The recorded time of the Tinfoil capture (PROVENANCE.md). */
#define CMR_NOW		1782699168
#define CMR_REPO	"tinfoilsh/confidential-model-router"
/* The integrated time of its Rekor entry (PROVENANCE.md). */
#define CMR_INTEGRATED	1782251465

static const char *const all_ids[] = {
	"sigstore.bundle.parse", "sigstore.dsse.signature",
	"sigstore.cert.chain", "sigstore.cert.identity", "sigstore.sct",
	"sigstore.subject", "sigstore.tlog.body", "sigstore.tlog.inclusion",
	"sigstore.tlog.checkpoint", "sigstore.tlog.set", "sigstore.timestamp",
};

static uint8_t *
load_path(const char *path, size_t *len)
{
	uint8_t *p = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 8u * 1024 * 1024, &p, len, &err) ==
	    TMON_OK, "%s: %s", path, err.msg);
	return p;
}

static json_t *
load_json_path(const char *path)
{
	json_error_t je;
	json_t *j;
	uint8_t *p;
	size_t len;

	p = load_path(path, &len);
	j = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, &je);
	ck_assert_msg(j != NULL, "%s: %s", path, je.text);
	free(p);
	return j;
}

static struct sigstore_root *
root_text(const uint8_t *text, size_t len)
{
	struct sigstore_root *r = NULL;
	struct tmon_err err;

	tmon_err_clear(&err);
	ck_assert_msg(sigstore_root_parse(text, len, NULL, &r, &err) ==
	    TMON_OK, "%s", err.msg);
	return r;
}

static struct sigstore_root *
root_load(const char *path)
{
	struct sigstore_root *r;
	uint8_t *p;
	size_t len;

	p = load_path(path, &len);
	r = root_text(p, len);
	free(p);
	return r;
}

/* The SHA-256 digest in the hex text file path (a .hash asset). */
static void
hash_file(const char *path, uint8_t d[32])
{
	uint8_t *p;
	size_t len;

	p = load_path(path, &len);
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r' ||
	    p[len - 1] == ' '))
		len--;
	ck_assert_msg(len >= 64 && hex_decode_exact((const char *)p, 64, d, 32,
	    false), "%s: not hex", path);
	free(p);
}

static void
hex32(const char *hex, uint8_t d[32])
{
	ck_assert(hex_decode_exact(hex, strlen(hex), d, 32, false));
}

static void
dump(const struct checklist *cl)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		fprintf(stderr, "  %-26s %-5s %s\n", cl->items[i].id,
		    check_status_str(cl->items[i].status),
		    cl->items[i].detail);
}

/* Check id of cl has status st (and its detail contains sub, if given). */
static void
expect(const struct checklist *cl, const char *id, enum check_status st,
    const char *sub)
{
	const struct check *c = checklist_get(cl, id);

	if (c == NULL || c->status != st || (sub != NULL &&
	    strstr(c->detail, sub) == NULL))
		dump(cl);
	ck_assert_msg(c != NULL, "%s not set", id);
	ck_assert_msg(c->status == st, "%s: %s, want %s: %s", id,
	    check_status_str(c->status), check_status_str(st), c->detail);
	if (sub != NULL)
		ck_assert_msg(strstr(c->detail, sub) != NULL, "%s: \"%s\" "
		    "lacks \"%s\"", id, c->detail, sub);
}

/* Every check of all_ids is PASS (or SKIP for the timestamp). */
static void
expect_all_pass(const struct checklist *cl)
{
	size_t i;

	for (i = 0; i < sizeof(all_ids) / sizeof(all_ids[0]); i++)
		expect(cl, all_ids[i], strcmp(all_ids[i],
		    "sigstore.timestamp") == 0 ? CHECK_SKIP : CHECK_PASS, NULL);
}

static const struct sigstore_policy tag_policy = {
	NULL, ".github/workflows/*", "refs/tags/*", NULL
};

/* sigstore_verify_attestations of body for repo with the tag policy. */
static enum verdict
verify_body(const struct sigstore_root *r, const json_t *body,
    const char *repo, const uint8_t d[32], int64_t now,
    struct sigstore_result *res, struct checklist *cl)
{
	struct sigstore_policy p = tag_policy;
	struct intoto_statement st;
	enum verdict v;

	p.repo = repo;
	checklist_init(cl);
	v = sigstore_verify_attestations(r, body, NULL, &p, d, now, &st, res,
	    cl);
	intoto_statement_free(&st);
	return v;
}

START_TEST(test_verify_cmr)
{
	struct sigstore_root *r = root_load(PUBLIC_ROOT);
	struct sigstore_result res;
	struct intoto_statement st;
	struct sigstore_policy p = tag_policy;
	struct checklist cl;
	json_t *body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	uint8_t d[32];
	enum verdict v;

	hash_file(DATA "tinfoil-cmr-tinfoil.hash", d);
	p.repo = CMR_REPO;
	checklist_init(&cl);
	v = sigstore_verify_attestations(r, body,
	    "https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1", &p, d,
	    CMR_NOW, &st, &res, &cl);
	if (v != VERDICT_PASS)
		dump(&cl);
	ck_assert_int_eq(v, VERDICT_PASS);
	expect_all_pass(&cl);
	ck_assert_int_eq(res.verified_time, CMR_INTEGRATED);
	ck_assert(res.has_tlog);
	ck_assert_uint_eq(res.log_index, 1932011338);
	ck_assert_str_eq(res.id.signer_uri, cmr_signer);
	ck_assert_str_eq(st.predicate_type,
	    "https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1");
	intoto_statement_free(&st);
	json_decref(body);
	sigstore_root_free(r);
}
END_TEST

/*
 * The failing check each rejected case of sigstore-peer/cases.json must
 * show (from its "what": the byte it flips, the identity it asks for),
 * with a word of the reason.
 */
static const struct {
	const char		*id;
	const char		*check;
	enum check_status	 status;
	const char		*reason;
} case_fail[] = {
	{ "dev-dsse-signature", "sigstore.dsse.signature", CHECK_FAIL,
	  "does not verify" },
	{ "dev-dsse-signature", "sigstore.tlog.body", CHECK_FAIL, NULL },
	{ "dev-payload", "sigstore.dsse.signature", CHECK_FAIL,
	  "does not verify" },
	{ "dev-payload", "sigstore.tlog.body", CHECK_FAIL, "hash" },
	{ "dev-certificate", "sigstore.cert.chain", CHECK_FAIL,
	  "certificate signature failure" },
	{ "dev-inclusion-proof-hash", "sigstore.tlog.inclusion", CHECK_FAIL,
	  "inclusion proof" },
	{ "dev-checkpoint-signature", "sigstore.tlog.checkpoint", CHECK_FAIL,
	  NULL },
	{ "dev-set", "sigstore.tlog.set", CHECK_FAIL, "SET" },
	{ "dev-other-repo", "sigstore.cert.identity", CHECK_FAIL,
	  "Source Repository URI https://github.com/tinfoilsh/"
	  "confidential-model-router is not" },
	{ "dev-other-digest", "sigstore.subject", CHECK_FAIL,
	  "no subject has sha256 09239f44" },
	{ "dev-test-root", "sigstore.cert.chain", CHECK_FAIL,
	  "does not chain" },
	{ "cli-reusable-workflow-attestation", "sigstore.cert.identity",
	  CHECK_FAIL, "github/artifact-attestations-workflows/.github/"
	  "workflows/attest.yml does not match" },
	{ "cli-custom-issuer", "sigstore.cert.identity", CHECK_FAIL,
	  "Issuer https://token.actions.githubusercontent.com/hammer-time" },
	{ "cli-sigstore-js-2.1.0-bundle", "sigstore.subject", CHECK_FAIL,
	  "no subject has sha256" },
	{ "cli-sigstore-js-2.1.0-bundle-v0.1", "sigstore.subject", CHECK_FAIL,
	  "no subject has sha256" },
	{ "test-dsse-signature", "sigstore.dsse.signature", CHECK_FAIL,
	  "does not verify" },
	{ "test-payload", "sigstore.dsse.signature", CHECK_FAIL,
	  "does not verify" },
	{ "test-certificate", "sigstore.cert.chain", CHECK_FAIL,
	  "certificate signature failure" },
	{ "test-inclusion-proof-hash", "sigstore.tlog.inclusion", CHECK_FAIL,
	  "inclusion proof" },
	{ "test-checkpoint-signature", "sigstore.tlog.checkpoint", CHECK_FAIL,
	  NULL },
	{ "test-set", "sigstore.tlog.set", CHECK_FAIL, "SET" },
	{ "test-other-repo", "sigstore.cert.identity", CHECK_FAIL,
	  "Source Repository URI" },
	{ "test-public-root", "sigstore.cert.chain", CHECK_FAIL,
	  "does not chain" },
};

START_TEST(test_verify_cases)
{
	struct sigstore_root *r;
	struct sigstore_result res;
	struct checklist cl;
	json_t *cases, *c, *body;
	char path[1024];
	const char *id;
	uint8_t d[32];
	size_t i, k, nfail = 0, naccept = 0;
	enum verdict v;
	bool accept, named;

	cases = load_json_path(PEER "cases.json");
	ck_assert_uint_ge(json_array_size(cases), 27);
	json_array_foreach(cases, i, c) {
		id = json_string_value(json_object_get(c, "id"));
		snprintf(path, sizeof(path), PEER "%s", json_string_value(
		    json_object_get(c, "trusted_root")));
		r = root_load(path);
		snprintf(path, sizeof(path), PEER "%s", json_string_value(
		    json_object_get(c, "attestations")));
		body = load_json_path(path);
		hex32(json_string_value(json_object_get(c, "digest")), d);
		accept = strcmp(json_string_value(json_object_get(c,
		    "expect")), "accept") == 0;
		v = verify_body(r, body, json_string_value(json_object_get(c,
		    "repo")), d, json_integer_value(json_object_get(c, "at")),
		    &res, &cl);
		/* SIGSTORE_DUMP set: print every case's checks */
		if ((v == VERDICT_PASS) != accept || getenv("SIGSTORE_DUMP")) {
			fprintf(stderr, "case %s:\n", id);
			dump(&cl);
		}
		ck_assert_msg((v == VERDICT_PASS) == accept, "case %s: "
		    "verdict %d, want %s", id, v, accept ? "accept" : "reject");
		if (accept) {
			expect_all_pass(&cl);
			ck_assert_int_gt(res.verified_time, 0);
			naccept++;
		} else {
			/* wrong evidence is a failure, never an error */
			ck_assert_msg(v == VERDICT_FAIL, "case %s: verdict %d",
			    id, v);
			named = false;
			for (k = 0; k < sizeof(case_fail) /
			    sizeof(case_fail[0]); k++) {
				if (strcmp(case_fail[k].id, id) != 0)
					continue;
				expect(&cl, case_fail[k].check,
				    case_fail[k].status, case_fail[k].reason);
				named = true;
				nfail++;
			}
			ck_assert_msg(named, "case %s: no expected check", id);
		}
		json_decref(body);
		sigstore_root_free(r);
	}
	ck_assert_uint_eq(naccept, 6);
	ck_assert_uint_ge(nfail, 20);
	json_decref(cases);
}
END_TEST

/* The bundle of the Tinfoil answer body (borrowed). */
static json_t *
body_bundle(json_t *body)
{
	json_t *b = json_object_get(json_array_get(json_object_get(body,
	    "attestations"), 0), "bundle");

	ck_assert_ptr_nonnull(b);
	return b;
}

/* Flip mask into byte at of the base64 member key of obj (at < 0: from
 * the end). */
static void
flip_b64(json_t *obj, const char *key, long at, uint8_t mask)
{
	const char *s = json_string_value(json_object_get(obj, key));
	uint8_t *raw;
	char *enc;
	size_t n;

	ck_assert_ptr_nonnull(s);
	raw = b64_decode_alloc(s, strlen(s), 1u << 20, &n);
	ck_assert_ptr_nonnull(raw);
	if (at < 0)
		at += (long)n;
	ck_assert(at >= 0 && (size_t)at < n);
	raw[at] ^= mask;
	enc = malloc(B64_ENCODED_LEN(n) + 1);
	ck_assert_ptr_nonnull(enc);
	b64_encode(raw, n, enc);
	json_object_set_new(obj, key, json_string(enc));
	free(enc);
	free(raw);
}

/* The Tinfoil answer verified for its repository with workflow and ref
 * patterns at now against r. */
static enum verdict
cmr_verify(const struct sigstore_root *r, const json_t *body,
    const char *wf, const char *ref, int64_t now, struct checklist *cl)
{
	struct sigstore_policy p = { CMR_REPO, wf, ref, NULL };
	struct sigstore_result res;
	uint8_t d[32];

	hash_file(DATA "tinfoil-cmr-tinfoil.hash", d);
	checklist_init(cl);
	return sigstore_verify_attestations(r, body, NULL, &p, d, now, NULL,
	    &res, cl);
}

START_TEST(test_verify_policy)
{
	struct sigstore_root *r = root_load(PUBLIC_ROOT);
	json_t *body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	struct checklist cl;

	/* the signer's workflow exactly, a tag */
	ck_assert_int_eq(cmr_verify(r, body, ".github/workflows/"
	    "tinfoil-release-publish.yml", "refs/tags/v0.0.*", CMR_NOW, &cl),
	    VERDICT_PASS);
	expect_all_pass(&cl);
	/* a workflow pattern the signer's workflow does not match */
	ck_assert_int_eq(cmr_verify(r, body, ".github/workflows/release.yml",
	    NULL, CMR_NOW, &cl), VERDICT_FAIL);
	expect(&cl, "sigstore.cert.identity", CHECK_FAIL, "Build Signer URI "
	    "workflow .github/workflows/tinfoil-release-publish.yml does not "
	    "match .github/workflows/release.yml");
	expect(&cl, "sigstore.cert.chain", CHECK_PASS, NULL);
	/* a branch where the policy wants a tag */
	ck_assert_int_eq(cmr_verify(r, body, NULL, "refs/heads/*", CMR_NOW,
	    &cl), VERDICT_FAIL);
	expect(&cl, "sigstore.cert.identity", CHECK_FAIL, "Source Repository "
	    "Ref refs/tags/v0.0.110 does not match refs/heads/*");
	json_decref(body);
	sigstore_root_free(r);
}
END_TEST

START_TEST(test_verify_now)
{
	struct sigstore_root *r = root_load(PUBLIC_ROOT);
	json_t *body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	struct checklist cl;

	/* an integrated time up to 300 s after now is clock skew */
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_INTEGRATED - 300,
	    &cl), VERDICT_PASS);
	/* later: the log's time is not believed */
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_INTEGRATED - 301,
	    &cl), VERDICT_FAIL);
	expect(&cl, "sigstore.tlog.set", CHECK_FAIL, "integrated time "
	    "2026-06-23T21:51:05Z is later than now");
	expect(&cl, "sigstore.cert.chain", CHECK_ERROR, "no verified time");
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, 1700000000, &cl),
	    VERDICT_FAIL);
	expect(&cl, "sigstore.tlog.set", CHECK_FAIL, "later than now");
	json_decref(body);
	sigstore_root_free(r);
}
END_TEST

/* The public-good root with every Fulcio CA's validFor set to (start,
 * end). */
static struct sigstore_root *
root_ca_valid(const char *start, const char *end)
{
	struct sigstore_root *r;
	json_t *j, *ca;
	char *text;
	size_t i;

	j = load_json_path(PUBLIC_ROOT);
	json_array_foreach(json_object_get(j, "certificateAuthorities"), i,
	    ca)
		json_object_set_new(ca, "validFor", json_pack("{s:s, s:s}",
		    "start", start, "end", end));
	text = json_dumps(j, JSON_COMPACT);
	ck_assert_ptr_nonnull(text);
	r = root_text((const uint8_t *)text, strlen(text));
	free(text);
	json_decref(j);
	return r;
}

START_TEST(test_verify_ca_validity)
{
	struct sigstore_root *r;
	json_t *body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	struct checklist cl;

	/* the verified time before the CAs' validity */
	r = root_ca_valid("2026-06-24T00:00:00Z", "2030-01-01T00:00:00Z");
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_NOW, &cl),
	    VERDICT_FAIL);
	expect(&cl, "sigstore.cert.chain", CHECK_FAIL, "no Fulcio CA of the "
	    "trusted root is valid at 2026-06-23T21:51:05Z");
	sigstore_root_free(r);
	/* after it */
	r = root_ca_valid("2022-01-01T00:00:00Z", "2026-06-23T21:51:04Z");
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_NOW, &cl),
	    VERDICT_FAIL);
	expect(&cl, "sigstore.cert.chain", CHECK_FAIL, "no Fulcio CA");
	sigstore_root_free(r);
	/* both ends inclusive */
	r = root_ca_valid("2026-06-23T21:51:05Z", "2026-06-23T21:51:05Z");
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_NOW, &cl),
	    VERDICT_PASS);
	sigstore_root_free(r);
	json_decref(body);
}
END_TEST

/* Offset of the end of the SCT list extension's value in the DER leaf:
 * the last byte of the last SCT's signature. */
static size_t
sct_end(const uint8_t *der, size_t n)
{
	/* OID 1.3.6.1.4.1.11129.2.4.2 (RFC 6962 section 3.3) */
	static const uint8_t oid[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
	    0x01, 0xd6, 0x79, 0x02, 0x04, 0x02 };
	size_t i, len, hl;

	for (i = 0; i + sizeof(oid) + 4 < n; i++)
		if (memcmp(der + i, oid, sizeof(oid)) == 0)
			break;
	ck_assert(i + sizeof(oid) + 4 < n);
	i += sizeof(oid);
	ck_assert_uint_eq(der[i], 0x04);	/* extnValue OCTET STRING */
	if (der[i + 1] < 0x80) {
		len = der[i + 1];
		hl = 2;
	} else if (der[i + 1] == 0x81) {
		len = der[i + 2];
		hl = 3;
	} else {
		ck_assert_uint_eq(der[i + 1], 0x82);
		len = (size_t)der[i + 2] << 8 | der[i + 3];
		hl = 4;
	}
	ck_assert(i + hl + len <= n);
	return i + hl + len - 1;
}

START_TEST(test_verify_sct)
{
	struct sigstore_root *r = root_load(PUBLIC_ROOT);
	json_t *body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	json_t *cert = json_object_get(json_object_get(body_bundle(body),
	    "verificationMaterial"), "certificate");
	const char *s = json_string_value(json_object_get(cert, "rawBytes"));
	struct checklist cl;
	uint8_t *der;
	size_t n, at;

	der = b64_decode_alloc(s, strlen(s), 1u << 16, &n);
	ck_assert_ptr_nonnull(der);
	at = sct_end(der, n);
	free(der);
	/* one byte of the SCT's signature: the SCT and the leaf's own
	 * signature (over the same TBSCertificate) fail */
	flip_b64(cert, "rawBytes", (long)at, 0x01);
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_NOW, &cl),
	    VERDICT_FAIL);
	expect(&cl, "sigstore.sct", CHECK_FAIL, "SCT by ctfe.sigstore.dev "
	    "does not verify");
	expect(&cl, "sigstore.cert.chain", CHECK_FAIL, "signature failure");
	json_decref(body);
	sigstore_root_free(r);
}
END_TEST

START_TEST(test_verify_flips)
{
	struct sigstore_root *r = root_load(PUBLIC_ROOT);
	struct checklist cl;
	json_t *body, *b, *e;

	/* the DSSE signature's first byte after its DER header */
	body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	flip_b64(json_array_get(json_object_get(json_object_get(
	    body_bundle(body), "dsseEnvelope"), "signatures"), 0), "sig", 10,
	    0x40);
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_NOW, &cl),
	    VERDICT_FAIL);
	expect(&cl, "sigstore.dsse.signature", CHECK_FAIL, "does not verify");
	json_decref(body);

	/* the payload's first byte */
	body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	flip_b64(json_object_get(body_bundle(body), "dsseEnvelope"),
	    "payload", 0, 0x01);
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_NOW, &cl),
	    VERDICT_FAIL);
	expect(&cl, "sigstore.dsse.signature", CHECK_FAIL, NULL);
	expect(&cl, "sigstore.tlog.body", CHECK_FAIL, "payload hash");
	json_decref(body);

	/* the inclusion proof's root hash */
	body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	e = json_array_get(json_object_get(json_object_get(body_bundle(body),
	    "verificationMaterial"), "tlogEntries"), 0);
	b = json_object_get(e, "inclusionProof");
	flip_b64(b, "rootHash", 31, 0x80);
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_NOW, &cl),
	    VERDICT_FAIL);
	expect(&cl, "sigstore.tlog.inclusion", CHECK_FAIL, NULL);
	json_decref(body);

	/* no tlog entry at all */
	body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	json_object_set_new(json_object_get(body_bundle(body),
	    "verificationMaterial"), "tlogEntries", json_array());
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_NOW, &cl),
	    VERDICT_FAIL);
	expect(&cl, "sigstore.tlog.body", CHECK_FAIL, "no tlog entry");
	expect(&cl, "sigstore.cert.chain", CHECK_ERROR, "no verified time");
	json_decref(body);

	/* no SET: the proof vouches for the entry, not for its time */
	body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	e = json_array_get(json_object_get(json_object_get(body_bundle(body),
	    "verificationMaterial"), "tlogEntries"), 0);
	json_object_del(e, "inclusionPromise");
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_NOW, &cl),
	    VERDICT_ERROR);
	expect(&cl, "sigstore.tlog.set", CHECK_SKIP, NULL);
	expect(&cl, "sigstore.tlog.inclusion", CHECK_PASS, NULL);
	expect(&cl, "sigstore.cert.chain", CHECK_ERROR, "no verified time");
	json_decref(body);

	/* a timestamp that is not a TimeStampResponse */
	body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	json_object_set_new(json_object_get(body_bundle(body),
	    "verificationMaterial"), "timestampVerificationData", json_pack(
	    "{s:[{s:s}]}", "rfc3161Timestamps", "signedTimestamp", "MAMCAQA="));
	ck_assert_int_eq(cmr_verify(r, body, NULL, NULL, CMR_NOW, &cl),
	    VERDICT_FAIL);
	expect(&cl, "sigstore.timestamp", CHECK_FAIL, "timestamp 0 is not one "
	    "DER TimeStampResponse");
	expect(&cl, "sigstore.cert.chain", CHECK_PASS, NULL);
	json_decref(body);

	sigstore_root_free(r);
}
END_TEST

START_TEST(test_verify_answer_shape)
{
	struct sigstore_root *r = root_load(PUBLIC_ROOT);
	struct sigstore_policy p = { CMR_REPO, NULL, NULL, NULL };
	struct sigstore_result res;
	struct intoto_statement st;
	struct checklist cl;
	json_t *body, *arr, *junk;
	uint8_t d[32];

	hash_file(DATA "tinfoil-cmr-tinfoil.hash", d);

	/* not the shape of an answer */
	body = json_pack("{s:{}}", "attestations");
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(r, body, NULL, &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_FAIL);
	expect(&cl, "sigstore.bundle.parse", CHECK_FAIL, "attestations");
	ck_assert_ptr_null(st.json);
	json_decref(body);
	body = json_pack("{s:[]}", "attestations");
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(r, body, NULL, &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_FAIL);
	expect(&cl, "sigstore.bundle.parse", CHECK_FAIL, "0 attestations");
	json_decref(body);

	/* a bundle that does not parse, then the real one: the real one */
	body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	arr = json_object_get(body, "attestations");
	junk = json_pack("{s:{s:s}}", "bundle", "mediaType", SIGSTORE_MT_V03);
	json_array_insert_new(arr, 0, junk);
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(r, body, NULL, &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_PASS);
	expect_all_pass(&cl);
	ck_assert_ptr_nonnull(st.json);
	intoto_statement_free(&st);
	/* only the junk: its parse failure is the answer */
	json_array_remove(arr, 1);
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(r, body, NULL, &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_FAIL);
	expect(&cl, "sigstore.bundle.parse", CHECK_FAIL,
	    "attestations[0].bundle");
	intoto_statement_free(&st);
	json_decref(body);

	/* no attestation of the predicate type asked for */
	body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(r, body,
	    "https://tinfoil.sh/predicate/hardware-measurements/v1", &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_FAIL);
	expect(&cl, "sigstore.subject", CHECK_FAIL, "no attestation with "
	    "predicate type https://tinfoil.sh/predicate/"
	    "hardware-measurements/v1");
	intoto_statement_free(&st);
	json_decref(body);
	sigstore_root_free(r);
}
END_TEST

START_TEST(test_verify_bundle_direct)
{
	struct sigstore_root *r = root_load(TEST_ROOT);
	struct sigstore_policy p = { "tmon-sim/tinfoil", NULL, "refs/tags/*",
	    NULL };
	struct sigstore_bundle b;
	struct tmon_err err;
	struct checklist cl;
	json_t *body;
	uint8_t d[32];

	/* the TEST release tinfoil v0.1.0 (tests/data/sigstore-test) */
	hash_file(TEST "tinfoil_v0.1.0.hash", d);
	body = load_json_path(TEST "tinfoil_v0.1.0.attestations.json");
	tmon_err_clear(&err);
	ck_assert_int_eq(sigstore_bundle_parse_json(body_bundle(body), "", &b,
	    &err), TMON_OK);
	checklist_init(&cl);
	/* no statement, no result wanted */
	ck_assert_int_eq(sigstore_verify_bundle(r, &b, &p, d, 1780864000,
	    NULL, NULL, &cl), VERDICT_PASS);
	ck_assert_ptr_null(checklist_get(&cl, "sigstore.bundle.parse"));
	expect(&cl, "sigstore.cert.chain", CHECK_PASS, "fulcio.test-pki."
	    "invalid");
	sigstore_bundle_free(&b);
	json_decref(body);
	sigstore_root_free(r);
}
END_TEST

/*
 * The logIndex and integratedTime of the capture's Rekor entry, read from
 * its JSON (attestations[0].bundle.verificationMaterial.tlogEntries[0]:
 * protobuf JSON int64, decimal strings).
 */
static void
cmr_tlog(uint64_t *index, int64_t *itime)
{
	json_t *body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	json_t *e;
	const char *li, *it;
	char *end;

	e = json_array_get(json_object_get(json_object_get(json_object_get(
	    json_array_get(json_object_get(body, "attestations"), 0),
	    "bundle"), "verificationMaterial"), "tlogEntries"), 0);
	li = json_string_value(json_object_get(e, "logIndex"));
	it = json_string_value(json_object_get(e, "integratedTime"));
	ck_assert(li != NULL && it != NULL);
	*index = strtoull(li, &end, 10);
	ck_assert(*end == '\0' && end != li);
	*itime = strtoll(it, &end, 10);
	ck_assert(*end == '\0' && end != it);
	json_decref(body);
}

/* RFC 3339 UTC of t, with gmtime and strftime. */
static const char *
utc(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
	ck_assert_uint_gt(strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm), 0);
	return buf;
}

/* The release predicate of the capture (check_provenance.c: REL_RTMR1). */
#define CMR_RTMR1 "46658ae5655794d3ea0130e2d425aa002f224c7a47c1eb1792f656d7" \
	"9f808aac6006ce84d71ee24d97c3eea42c867e51"

START_TEST(test_prov_verify_release)
{
	struct sigstore_root *r = root_load(PUBLIC_ROOT);
	struct sigstore_policy p = tag_policy;
	struct sigstore_result *res = calloc(1, sizeof(*res));
	struct prov_release rel;
	struct checklist cl;
	json_t *body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	uint8_t d[32], rtmr1[PROV_REG_LEN];
	uint64_t log_index;
	int64_t itime;

	ck_assert_ptr_nonnull(res);
	cmr_tlog(&log_index, &itime);
	hash_file(DATA "tinfoil-cmr-tinfoil.hash", d);
	ck_assert(hex_decode_exact(CMR_RTMR1, strlen(CMR_RTMR1), rtmr1,
	    sizeof(rtmr1), false));
	p.repo = CMR_REPO;
	checklist_init(&cl);
	ck_assert_int_eq(prov_verify_release(r, body,
	    PROV_PREDICATE_MULTIPLATFORM, &p, CMR_REPO, "v0.0.110", d, CMR_NOW,
	    &rel, res, &cl), VERDICT_PASS);
	expect_all_pass(&cl);
	ck_assert_int_eq(rel.pred.kind, PROV_KIND_MULTIPLATFORM);
	ck_assert(memcmp(rel.pred.rtmr1, rtmr1, sizeof(rtmr1)) == 0);
	ck_assert_str_eq(rel.repo, CMR_REPO);
	ck_assert_str_eq(rel.tag, "v0.0.110");
	ck_assert(memcmp(rel.digest, d, 32) == 0);
	ck_assert_int_eq(rel.time, itime);
	/* what the bundle's verification established: the Rekor entry of
	 * the JSON, the leaf's extensions (openssl x509 -text) */
	ck_assert(res->has_tlog);
	ck_assert_uint_eq(res->log_index, log_index);
	ck_assert_int_eq(res->integrated_time, itime);
	ck_assert_int_eq(res->verified_time, itime);
	ck_assert_str_eq(res->id.issuer, SIGSTORE_GITHUB_ISSUER);
	ck_assert_str_eq(res->id.repo_uri,
	    "https://github.com/tinfoilsh/confidential-model-router");
	ck_assert_str_eq(res->id.signer_uri, cmr_signer);
	ck_assert_str_eq(res->id.repo_ref, "refs/tags/v0.0.110");
	ck_assert_str_eq(res->id.repo_digest,
	    "7813c278b2c46351948143ea4a2313c635654893");

	/* res may be NULL */
	checklist_init(&cl);
	ck_assert_int_eq(prov_verify_release(r, body,
	    PROV_PREDICATE_MULTIPLATFORM, &p, CMR_REPO, "v0.0.110", d, CMR_NOW,
	    &rel, NULL, &cl), VERDICT_PASS);
	ck_assert_int_eq(rel.time, itime);

	/* the hardware predicate is not in this answer: nothing verified */
	checklist_init(&cl);
	ck_assert_int_eq(prov_verify_release(r, body, PROV_PREDICATE_HARDWARE,
	    &p, CMR_REPO, NULL, d, CMR_NOW, &rel, res, &cl), VERDICT_FAIL);
	expect(&cl, "sigstore.subject", CHECK_FAIL, "no attestation");
	ck_assert_str_eq(rel.tag, "");
	ck_assert(!res->has_tlog);
	ck_assert_int_eq(res->verified_time, 0);
	ck_assert_str_eq(res->id.repo_uri, "");

	/* another repository: fails, the certificate's identity is still
	 * what was checked */
	p.repo = "tinfoilsh/confidential-inference-proxy";
	checklist_init(&cl);
	ck_assert_int_eq(prov_verify_release(r, body,
	    PROV_PREDICATE_MULTIPLATFORM, &p, p.repo, "v0.0.110", d, CMR_NOW,
	    &rel, res, &cl), VERDICT_FAIL);
	expect(&cl, "sigstore.cert.identity", CHECK_FAIL, "Source Repository");
	ck_assert_str_eq(res->id.repo_uri,
	    "https://github.com/tinfoilsh/confidential-model-router");
	free(res);
	json_decref(body);
	sigstore_root_free(r);
}
END_TEST

START_TEST(test_prov_release_summary)
{
	struct sigstore_root *r = root_load(PUBLIC_ROOT);
	struct sigstore_policy p = tag_policy;
	struct sigstore_result *res = calloc(1, sizeof(*res));
	struct prov_release rel;
	struct checklist cl;
	json_t *body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	char buf[MAX_CHECK_DETAIL], want[512], t[32], small[40];
	uint8_t d[32];
	uint64_t log_index;
	int64_t itime;

	ck_assert_ptr_nonnull(res);
	cmr_tlog(&log_index, &itime);
	hash_file(DATA "tinfoil-cmr-tinfoil.hash", d);
	p.repo = CMR_REPO;
	checklist_init(&cl);
	ck_assert_int_eq(prov_verify_release(r, body,
	    PROV_PREDICATE_MULTIPLATFORM, &p, CMR_REPO, "v0.0.110", d, CMR_NOW,
	    &rel, res, &cl), VERDICT_PASS);

	/* repository, tag, digest, the Rekor log index and time, the image
	 * version of the predicate (hashes.version, empty in this one) */
	prov_release_summary(&rel, res, "asset", buf, sizeof(buf));
	snprintf(want, sizeof(want), "release %s@v0.0.110, digest sha256:%s "
	    "(from asset), attestation verified: Rekor log index %llu, "
	    "integrated time %s%s%s", CMR_REPO, cmr_digest_hex,
	    (unsigned long long)log_index, utc(itime, t, sizeof(t)),
	    rel.pred.version[0] != '\0' ? ", image " : "", rel.pred.version);
	ck_assert_str_eq(buf, want);

	/* no tag, no source; a version */
	rel.tag[0] = '\0';
	snprintf(rel.pred.version, sizeof(rel.pred.version), "v9");
	prov_release_summary(&rel, res, NULL, buf, sizeof(buf));
	snprintf(want, sizeof(want), "release %s, digest sha256:%s, "
	    "attestation verified: Rekor log index %llu, integrated time %s, "
	    "image v9", CMR_REPO, cmr_digest_hex,
	    (unsigned long long)log_index, utc(itime, t, sizeof(t)));
	ck_assert_str_eq(buf, want);

	/* without res: the log index unknown, the release's verified time */
	prov_release_summary(&rel, NULL, NULL, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "Rekor log index unknown, verified time ")
	    != NULL, "%s", buf);

	/* cut to fit */
	prov_release_summary(&rel, res, NULL, small, sizeof(small));
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert(strncmp(small, "release " CMR_REPO, sizeof(small) - 1) ==
	    0);
	free(res);
	json_decref(body);
	sigstore_root_free(r);
}
END_TEST

/* ---- RFC 3161 timestamps, from a timestamp authority made here ---- */

struct test_tsa {
	EVP_PKEY	*key;
	X509		*cert;
	char		*der_b64;	/* the certificate */
};

/* A self-signed TSA certificate (RFC 3161 section 2.3: critical EKU
 * timeStamping only), valid 2026 to 2030. */
static void
tsa_make(struct test_tsa *t)
{
	X509_NAME *name;
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	unsigned char *der = NULL;
	int n;

	memset(t, 0, sizeof(*t));
	ck_assert_ptr_nonnull(t->key = EVP_EC_gen("P-256"));
	ck_assert_ptr_nonnull(t->cert = X509_new());
	ck_assert_int_eq(X509_set_version(t->cert, X509_VERSION_3), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(t->cert), 7);
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(t->cert),
	    1767225600));	/* 2026-01-01 */
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(t->cert),
	    1893456000));	/* 2030-01-01 */
	name = X509_get_subject_name(t->cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"tmon test TSA (TEST PKI)", -1, -1, 0);
	X509_set_issuer_name(t->cert, name);
	X509_set_pubkey(t->cert, t->key);
	X509V3_set_ctx(&v3, t->cert, t->cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_ext_key_usage,
	    "critical,timeStamping");
	ck_assert_ptr_nonnull(ext);
	X509_add_ext(t->cert, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
	    "critical,digitalSignature");
	X509_add_ext(t->cert, ext, -1);
	X509_EXTENSION_free(ext);
	ck_assert_int_gt(X509_sign(t->cert, t->key, EVP_sha256()), 0);
	n = i2d_X509(t->cert, &der);
	ck_assert_int_gt(n, 0);
	t->der_b64 = malloc(B64_ENCODED_LEN((size_t)n) + 1);
	b64_encode(der, (size_t)n, t->der_b64);
	OPENSSL_free(der);
}

static void
tsa_free(struct test_tsa *t)
{
	EVP_PKEY_free(t->key);
	X509_free(t->cert);
	free(t->der_b64);
}

static int
tsa_time(struct TS_resp_ctx *ctx, void *arg, long *sec, long *usec)
{
	(void)ctx;
	*sec = (long)*(const int64_t *)arg;
	*usec = 0;
	return 1;
}

/*
 * A TimeStampResponse by t at gen over SHA-256 of the len bytes at msg,
 * as base64 (the caller frees it).
 */
static char *
tsa_stamp(const struct test_tsa *t, const uint8_t *msg, size_t len,
    int64_t gen)
{
	TS_REQ *req;
	TS_MSG_IMPRINT *mi;
	X509_ALGOR *alg;
	TS_RESP_CTX *ctx;
	TS_RESP *resp;
	ASN1_OBJECT *pol;
	BIO *rb;
	unsigned char h[32], *der = NULL;
	char *b64;
	int n;

	SHA256(msg, len, h);
	ck_assert_ptr_nonnull(req = TS_REQ_new());
	TS_REQ_set_version(req, 1);
	mi = TS_MSG_IMPRINT_new();
	alg = X509_ALGOR_new();
	X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL);
	TS_MSG_IMPRINT_set_algo(mi, alg);
	TS_MSG_IMPRINT_set_msg(mi, h, sizeof(h));
	TS_REQ_set_msg_imprint(req, mi);
	TS_REQ_set_cert_req(req, 1);
	rb = BIO_new(BIO_s_mem());
	ck_assert_int_eq(i2d_TS_REQ_bio(rb, req), 1);
	ck_assert_ptr_nonnull(ctx = TS_RESP_CTX_new());
	ck_assert_int_eq(TS_RESP_CTX_set_signer_cert(ctx, t->cert), 1);
	ck_assert_int_eq(TS_RESP_CTX_set_signer_key(ctx, t->key), 1);
	pol = OBJ_txt2obj("1.3.6.1.4.1.4146.2.3", 1);
	ck_assert_int_eq(TS_RESP_CTX_set_def_policy(ctx, pol), 1);
	ck_assert_int_eq(TS_RESP_CTX_add_md(ctx, EVP_sha256()), 1);
	TS_RESP_CTX_set_time_cb(ctx, tsa_time, &gen);
	resp = TS_RESP_create_response(ctx, rb);
	ck_assert_ptr_nonnull(resp);
	ck_assert_int_eq(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
	    TS_RESP_get_status_info(resp))), TS_STATUS_GRANTED);
	n = i2d_TS_RESP(resp, &der);
	ck_assert_int_gt(n, 0);
	b64 = malloc(B64_ENCODED_LEN((size_t)n) + 1);
	b64_encode(der, (size_t)n, b64);
	OPENSSL_free(der);
	TS_RESP_free(resp);
	TS_RESP_CTX_free(ctx);
	ASN1_OBJECT_free(pol);
	BIO_free(rb);
	TS_MSG_IMPRINT_free(mi);
	X509_ALGOR_free(alg);
	TS_REQ_free(req);
	return b64;
}

/* The public-good root with t as its one timestamp authority. */
static struct sigstore_root *
root_with_tsa(const struct test_tsa *t)
{
	struct sigstore_root *r;
	json_t *j;
	char *text;

	j = load_json_path(PUBLIC_ROOT);
	json_object_set_new(j, "timestampAuthorities", json_pack("[{s:{s:s, "
	    "s:s}, s:s, s:{s:[{s:s}]}, s:{s:s}}]", "subject", "organization",
	    "tmon test", "commonName", "tmon test TSA", "uri",
	    "https://tsa.test-pki.invalid", "certChain", "certificates",
	    "rawBytes", t->der_b64, "validFor", "start",
	    "2026-01-01T00:00:00Z"));
	text = json_dumps(j, JSON_COMPACT);
	r = root_text((const uint8_t *)text, strlen(text));
	free(text);
	json_decref(j);
	return r;
}

/*
 * The Tinfoil answer with a timestamp by t at gen over the DSSE
 * signature (over other bytes when wrong), without its SET when no_set.
 */
static json_t *
cmr_stamped(const struct test_tsa *t, int64_t gen, bool wrong, bool no_set)
{
	json_t *body, *b, *vm;
	const char *s;
	uint8_t *sig;
	size_t n;
	char *stamp;

	body = load_json_path(DATA "tinfoil-cmr-attestations.json");
	b = body_bundle(body);
	vm = json_object_get(b, "verificationMaterial");
	s = json_string_value(json_object_get(json_array_get(json_object_get(
	    json_object_get(b, "dsseEnvelope"), "signatures"), 0), "sig"));
	sig = b64_decode_alloc(s, strlen(s), 4096, &n);
	ck_assert_ptr_nonnull(sig);
	if (wrong)
		sig[0] ^= 1;
	stamp = tsa_stamp(t, sig, n, gen);
	json_object_set_new(vm, "timestampVerificationData", json_pack(
	    "{s:[{s:s}]}", "rfc3161Timestamps", "signedTimestamp", stamp));
	if (no_set)
		json_object_del(json_array_get(json_object_get(vm,
		    "tlogEntries"), 0), "inclusionPromise");
	free(stamp);
	free(sig);
	return body;
}

START_TEST(test_verify_timestamp)
{
	struct sigstore_root *r, *pub;
	struct sigstore_policy p = { CMR_REPO, NULL, NULL, NULL };
	struct sigstore_result res;
	struct intoto_statement st;
	struct test_tsa t;
	struct checklist cl;
	json_t *body;
	uint8_t d[32];

	hash_file(DATA "tinfoil-cmr-tinfoil.hash", d);
	tsa_make(&t);
	r = root_with_tsa(&t);
	pub = root_load(PUBLIC_ROOT);

	/* with the SET: both verify, the integrated time is the time */
	body = cmr_stamped(&t, CMR_INTEGRATED + 5, false, false);
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(r, body, NULL, &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_PASS);
	intoto_statement_free(&st);
	expect(&cl, "sigstore.timestamp", CHECK_PASS, "timestamp 0 by tmon "
	    "test TSA at 2026-06-23T21:51:10Z");
	ck_assert_int_eq(res.verified_time, CMR_INTEGRATED);
	/* the same against a root without that authority */
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(pub, body, NULL, &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_FAIL);
	intoto_statement_free(&st);
	expect(&cl, "sigstore.timestamp", CHECK_FAIL, "does not verify");
	json_decref(body);

	/* without the SET: the timestamp's genTime is the time */
	body = cmr_stamped(&t, CMR_INTEGRATED + 5, false, true);
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(r, body, NULL, &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_PASS);
	intoto_statement_free(&st);
	expect(&cl, "sigstore.tlog.set", CHECK_SKIP, NULL);
	expect(&cl, "sigstore.cert.chain", CHECK_PASS, "valid at "
	    "2026-06-23T21:51:10Z");
	ck_assert_int_eq(res.verified_time, CMR_INTEGRATED + 5);
	json_decref(body);

	/* a genTime after the leaf expired (valid to 22:01:05) */
	body = cmr_stamped(&t, CMR_INTEGRATED + 3600, false, true);
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(r, body, NULL, &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_FAIL);
	intoto_statement_free(&st);
	expect(&cl, "sigstore.cert.chain", CHECK_FAIL, "expired");
	json_decref(body);

	/* a genTime later than now */
	body = cmr_stamped(&t, CMR_NOW + 301, false, true);
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(r, body, NULL, &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_FAIL);
	intoto_statement_free(&st);
	expect(&cl, "sigstore.timestamp", CHECK_FAIL, "later than now");
	expect(&cl, "sigstore.cert.chain", CHECK_ERROR, "no verified time");
	json_decref(body);

	/* a timestamp over other bytes than the DSSE signature */
	body = cmr_stamped(&t, CMR_INTEGRATED + 5, true, true);
	checklist_init(&cl);
	ck_assert_int_eq(sigstore_verify_attestations(r, body, NULL, &p, d,
	    CMR_NOW, &st, &res, &cl), VERDICT_FAIL);
	intoto_statement_free(&st);
	expect(&cl, "sigstore.timestamp", CHECK_FAIL, "does not verify over "
	    "the DSSE signature");
	json_decref(body);

	sigstore_root_free(pub);
	sigstore_root_free(r);
	tsa_free(&t);
}
END_TEST

static Suite *
sigstore_suite(void)
{
	Suite *s = suite_create("sigstore");
	TCase *tc = tcase_create("parse");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_pae);
	tcase_add_test(tc, test_parse_cmr);
	tcase_add_test(tc, test_parse_files);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_statement);
	tcase_add_test(tc, test_fulcio_identity);
	tcase_add_test(tc, test_policy);
	suite_add_tcase(s, tc);
	tc = tcase_create("verify");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_verify_cmr);
	tcase_add_test(tc, test_verify_cases);
	tcase_add_test(tc, test_verify_policy);
	tcase_add_test(tc, test_verify_now);
	tcase_add_test(tc, test_verify_ca_validity);
	tcase_add_test(tc, test_verify_sct);
	tcase_add_test(tc, test_verify_flips);
	tcase_add_test(tc, test_verify_answer_shape);
	tcase_add_test(tc, test_verify_bundle_direct);
	tcase_add_test(tc, test_prov_verify_release);
	tcase_add_test(tc, test_prov_release_summary);
	tcase_add_test(tc, test_verify_timestamp);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sigstore_suite());
	int failed;

	tjson_init();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
