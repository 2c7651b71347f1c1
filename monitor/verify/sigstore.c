/*
 * sigstore.c: Sigstore bundles (see sigstore.h): parsing the bundle,
 * its DSSE envelope, the in-toto statement and the Fulcio extensions;
 * the identity policy; the verification of a bundle against the
 * trusted root.
 */
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ct.h>
#include <openssl/sha.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "cur.h"
#include "encode.h"
#include "log.h"
#include "rekor.h"
#include "sigstore.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "util.h"
#include "xmalloc.h"

/* A DER ECDSA signature of P-521 is at most 139 bytes. */
#define MAX_DSSE_SIG	512
/* A keyid as read (DSSE: optional, unauthenticated). */
#define MAX_DSSE_KEYID	256
/* DER tag of UTF8String (X.680 section 8.6). */
#define DER_UTF8STRING	0x0c

static const char github_prefix[] = "https://github.com/";

/* ---- parsing ---- */

/* One DER certificate {"rawBytes": base64} at path, appended to c. */
static enum tmon_rc
cert_member(struct tjson_doc *d, const json_t *obj, const char *path,
    struct x509_chain *c)
{
	struct tmon_err e;
	uint8_t *der = NULL;
	size_t len = 0;
	enum tmon_rc rc;

	rc = tjson_b64(d, obj, path, "rawBytes", MAX_SIGSTORE_CERT_DER, 0,
	    &der, &len);
	if (rc != TMON_OK)
		return rc;
	tmon_err_clear(&e);
	rc = x509_chain_add_der(c, der, len, &e);
	free(der);
	if (rc != TMON_OK)
		return tjson_fail(d, rc, path, "%s", rc == TMON_E_PARSE ?
		    "rawBytes is not one DER certificate" : e.msg);
	return TMON_OK;
}

static enum tmon_rc
parse_certs(struct tjson_doc *d, const json_t *vm, const char *vpath,
    struct sigstore_bundle *out)
{
	char p[MAX_JSON_PATH], q[MAX_JSON_PATH];
	json_t *cert = NULL, *chain = NULL, *certs;
	size_t i;
	enum tmon_rc rc;

	if (json_object_get(vm, "publicKey") != NULL)
		return tjson_fail(d, TMON_E_UNSUPPORTED, tjson_path(p,
		    sizeof(p), vpath, "publicKey"), "a public key instead of "
		    "a certificate is not supported");
	if ((rc = tjson_object(d, vm, vpath, "certificate", TJSON_OPTIONAL,
	    &cert)) != TMON_OK || (rc = tjson_object(d, vm, vpath,
	    "x509CertificateChain", TJSON_OPTIONAL, &chain)) != TMON_OK)
		return rc;
	if ((cert == NULL) == (chain == NULL))
		return tjson_fail(d, TMON_E_PARSE, vpath, "must have exactly "
		    "one of certificate and x509CertificateChain");
	if (cert != NULL)
		return cert_member(d, cert, tjson_path(p, sizeof(p), vpath,
		    "certificate"), &out->certs);
	tjson_path(p, sizeof(p), vpath, "x509CertificateChain");
	if (out->version == 3)
		return tjson_fail(d, TMON_E_PARSE, p, "not allowed in a v0.3 "
		    "bundle (protobuf-specs: certificate)");
	if ((rc = tjson_array(d, chain, p, "certificates", 1, MAX_X509_CHAIN,
	    0, &certs)) != TMON_OK)
		return rc;
	tjson_path(p, sizeof(p), p, "certificates");
	for (i = 0; i < json_array_size(certs); i++) {
		tjson_path_index(q, sizeof(q), p, i);
		if ((rc = cert_member(d, json_array_get(certs, i), q,
		    &out->certs)) != TMON_OK)
			return rc;
	}
	return TMON_OK;
}

static enum tmon_rc
parse_tlog(struct tjson_doc *d, const json_t *vm, const char *vpath,
    struct sigstore_bundle *out)
{
	char p[MAX_JSON_PATH], q[MAX_JSON_PATH];
	const char *need = out->version == 1 ? "inclusionPromise" :
	    "inclusionProof";
	json_t *arr = NULL, *e, *v;
	size_t i;
	enum tmon_rc rc;

	if ((rc = tjson_array(d, vm, vpath, "tlogEntries", 0,
	    MAX_SIGSTORE_TLOG, TJSON_OPTIONAL, &arr)) != TMON_OK)
		return rc;
	if (arr == NULL)
		arr = json_array();
	else
		json_incref(arr);
	out->tlog_entries = arr;
	tjson_path(p, sizeof(p), vpath, "tlogEntries");
	for (i = 0; i < json_array_size(arr); i++) {
		tjson_path_index(q, sizeof(q), p, i);
		e = json_array_get(arr, i);
		if ((rc = tjson_object(d, e, q, NULL, 0, &v)) != TMON_OK ||
		    (rc = tjson_object(d, e, q, need, 0, &v)) != TMON_OK)
			return rc;
	}
	return TMON_OK;
}

static enum tmon_rc
parse_timestamps(struct tjson_doc *d, const json_t *vm, const char *vpath,
    struct sigstore_bundle *out)
{
	char p[MAX_JSON_PATH], q[MAX_JSON_PATH];
	json_t *tvd = NULL, *arr = NULL;
	size_t i;
	enum tmon_rc rc;

	if ((rc = tjson_object(d, vm, vpath, "timestampVerificationData",
	    TJSON_OPTIONAL | TJSON_NULL, &tvd)) != TMON_OK || tvd == NULL)
		return rc;
	tjson_path(p, sizeof(p), vpath, "timestampVerificationData");
	if ((rc = tjson_array(d, tvd, p, "rfc3161Timestamps", 0,
	    MAX_SIGSTORE_TIMESTAMPS, TJSON_OPTIONAL | TJSON_NULL, &arr)) !=
	    TMON_OK || arr == NULL)
		return rc;
	tjson_path(p, sizeof(p), p, "rfc3161Timestamps");
	for (i = 0; i < json_array_size(arr); i++) {
		tjson_path_index(q, sizeof(q), p, i);
		if ((rc = tjson_b64(d, json_array_get(arr, i), q,
		    "signedTimestamp", MAX_SIGSTORE_TST_DER, 0, &out->tst[i],
		    &out->tst_len[i])) != TMON_OK)
			return rc;
		out->n_tst = i + 1;
	}
	return TMON_OK;
}

static enum tmon_rc
parse_dsse(struct tjson_doc *d, const json_t *env, const char *epath,
    struct sigstore_bundle *out)
{
	char p[MAX_JSON_PATH], q[MAX_JSON_PATH];
	const char *type, *keyid;
	size_t tlen, klen;
	json_t *sigs;
	enum tmon_rc rc;

	if ((rc = tjson_b64(d, env, epath, "payload", MAX_DSSE_PAYLOAD, 0,
	    &out->payload, &out->payload_len)) != TMON_OK ||
	    (rc = tjson_str(d, env, epath, "payloadType", MAX_MEDIA_TYPE - 1,
	    0, &type, &tlen)) != TMON_OK)
		return rc;
	memcpy(out->payload_type, type, tlen + 1);
	if ((rc = tjson_array(d, env, epath, "signatures", 1, SIZE_MAX, 0,
	    &sigs)) != TMON_OK)
		return rc;
	tjson_path(p, sizeof(p), epath, "signatures");
	if (json_array_size(sigs) != 1)
		return tjson_fail(d, TMON_E_UNSUPPORTED, p, "%zu signatures: "
		    "only one is supported", json_array_size(sigs));
	tjson_path_index(q, sizeof(q), p, 0);
	if ((rc = tjson_b64(d, json_array_get(sigs, 0), q, "sig",
	    MAX_DSSE_SIG, 0, &out->sig, &out->sig_len)) != TMON_OK)
		return rc;
	return tjson_str(d, json_array_get(sigs, 0), q, "keyid",
	    MAX_DSSE_KEYID, TJSON_OPTIONAL, &keyid, &klen);
}

enum tmon_rc
sigstore_bundle_parse_json(const json_t *b, const char *path,
    struct sigstore_bundle *out, struct tmon_err *err)
{
	struct tjson_doc d;
	char p[MAX_JSON_PATH], esc[96];
	const char *mt;
	size_t mtlen;
	json_t *vm, *env;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	d.name = "bundle";
	d.err = err;
	if (path == NULL)
		path = "";
	if (!json_is_object(b)) {
		rc = tjson_fail(&d, TMON_E_PARSE, path, "must be an object");
		goto out;
	}
	if ((rc = tjson_str(&d, b, path, "mediaType", MAX_MEDIA_TYPE - 1, 0,
	    &mt, &mtlen)) != TMON_OK)
		goto out;
	if (strcmp(mt, SIGSTORE_MT_V01) == 0)
		out->version = 1;
	else if (strcmp(mt, SIGSTORE_MT_V02) == 0)
		out->version = 2;
	else if (strcmp(mt, SIGSTORE_MT_V03) == 0)
		out->version = 3;
	else {
		rc = tjson_fail(&d, TMON_E_UNSUPPORTED, tjson_path(p,
		    sizeof(p), path, "mediaType"), "\"%s\" is not a bundle "
		    "v0.1, v0.2 or v0.3", log_esc(esc, sizeof(esc), mt,
		    mtlen));
		goto out;
	}
	out->json = json_incref((json_t *)(uintptr_t)b);
	if (json_object_get(b, "messageSignature") != NULL) {
		rc = tjson_fail(&d, TMON_E_UNSUPPORTED, tjson_path(p,
		    sizeof(p), path, "messageSignature"), "a message "
		    "signature is not supported (DSSE only)");
		goto out;
	}
	if ((rc = tjson_object(&d, b, path, "verificationMaterial", 0,
	    &vm)) != TMON_OK)
		goto out;
	tjson_path(p, sizeof(p), path, "verificationMaterial");
	if ((rc = parse_certs(&d, vm, p, out)) != TMON_OK ||
	    (rc = parse_tlog(&d, vm, p, out)) != TMON_OK ||
	    (rc = parse_timestamps(&d, vm, p, out)) != TMON_OK)
		goto out;
	if ((rc = tjson_object(&d, b, path, "dsseEnvelope", 0, &env)) !=
	    TMON_OK)
		goto out;
	rc = parse_dsse(&d, env, tjson_path(p, sizeof(p), path,
	    "dsseEnvelope"), out);
 out:
	if (rc != TMON_OK)
		sigstore_bundle_free(out);
	return rc;
}

enum tmon_rc
sigstore_bundle_parse(const uint8_t *text, size_t len,
    struct sigstore_bundle *out, struct tmon_err *err)
{
	struct tjson_doc d;
	json_t *b = NULL;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	d.name = "bundle";
	d.err = err;
	if ((rc = tjson_load(&d, text, len, MAX_SIGSTORE_BUNDLE, TJSON_OBJECT,
	    &b)) != TMON_OK)
		return rc;
	rc = sigstore_bundle_parse_json(b, "", out, err);
	json_decref(b);
	return rc;
}

void
sigstore_bundle_free(struct sigstore_bundle *b)
{
	size_t i;

	if (b == NULL)
		return;
	json_decref(b->json);
	json_decref(b->tlog_entries);
	free(b->payload);
	free(b->sig);
	x509_chain_free(&b->certs);
	for (i = 0; i < b->n_tst; i++)
		free(b->tst[i]);
	memset(b, 0, sizeof(*b));
}

uint8_t *
dsse_pae(const char *type, size_t tlen, const uint8_t *body, size_t blen,
    size_t *outlen)
{
	char a[32], b[32];
	int na, nb;
	uint8_t *out, *w;

	/* "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body */
	na = snprintf(a, sizeof(a), "%zu", tlen);
	nb = snprintf(b, sizeof(b), "%zu", blen);
	*outlen = 6 + 1 + (size_t)na + 1 + tlen + 1 + (size_t)nb + 1 + blen;
	w = out = xmalloc(*outlen);
	memcpy(w, "DSSEv1 ", 7);
	w += 7;
	memcpy(w, a, (size_t)na);
	w += na;
	*w++ = ' ';
	memcpy(w, type, tlen);
	w += tlen;
	*w++ = ' ';
	memcpy(w, b, (size_t)nb);
	w += nb;
	*w++ = ' ';
	if (blen > 0)
		memcpy(w, body, blen);
	return out;
}

/* ---- in-toto statement ---- */

enum tmon_rc
intoto_statement_parse(const uint8_t *p, size_t len,
    struct intoto_statement *out, struct tmon_err *err)
{
	struct tjson_doc d;
	char q[MAX_JSON_PATH], r[MAX_JSON_PATH], esc[96];
	const char *type, *key, *s;
	json_t *st = NULL, *subj, *dig, *v;
	size_t i, tlen, slen;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	d.name = "in-toto statement";
	d.err = err;
	if ((rc = tjson_load(&d, p, len, MAX_DSSE_PAYLOAD, TJSON_OBJECT,
	    &st)) != TMON_OK)
		return rc;
	out->json = st;
	if ((rc = tjson_str(&d, st, "", "_type", MAX_URL, 0, &type, &tlen)) !=
	    TMON_OK)
		goto out;
	if (strcmp(type, INTOTO_STATEMENT_V1) == 0)
		out->version = 1;
	else if (strcmp(type, INTOTO_STATEMENT_V01) == 0)
		out->version = 0;
	else {
		rc = tjson_fail(&d, TMON_E_UNSUPPORTED, "_type", "\"%s\" is "
		    "not an in-toto Statement v1 or v0.1", log_esc(esc,
		    sizeof(esc), type, tlen));
		goto out;
	}
	if ((rc = tjson_array(&d, st, "", "subject", 1, MAX_INTOTO_SUBJECTS,
	    0, &out->subjects)) != TMON_OK)
		goto out;
	for (i = 0; i < json_array_size(out->subjects); i++) {
		tjson_path_index(q, sizeof(q), "subject", i);
		subj = json_array_get(out->subjects, i);
		if ((rc = tjson_object(&d, subj, q, NULL, 0, &v)) != TMON_OK ||
		    (rc = tjson_str(&d, subj, q, "name", MAX_URL,
		    TJSON_OPTIONAL, &s, &slen)) != TMON_OK ||
		    (rc = tjson_object(&d, subj, q, "digest", 0, &dig)) !=
		    TMON_OK)
			goto out;
		tjson_path(q, sizeof(q), q, "digest");
		json_object_foreach(dig, key, v) {
			if ((rc = tjson_str(&d, dig, q, key, MAX_URL, 0, &s,
			    &slen)) != TMON_OK)
				goto out;
			if (strcmp(key, "sha256") == 0 && (slen != 64 ||
			    !is_hex_text(s, slen))) {
				rc = tjson_fail(&d, TMON_E_PARSE, tjson_path(r,
				    sizeof(r), q, key), "must be 64 hex "
				    "characters");
				goto out;
			}
		}
	}
	if ((rc = tjson_str(&d, st, "", "predicateType", MAX_URL - 1, 0,
	    &out->predicate_type, NULL)) != TMON_OK ||
	    (rc = tjson_object(&d, st, "", "predicate", TJSON_OPTIONAL,
	    &out->predicate)) != TMON_OK)
		goto out;
 out:
	if (rc != TMON_OK)
		intoto_statement_free(out);
	return rc;
}

void
intoto_statement_free(struct intoto_statement *s)
{
	if (s == NULL)
		return;
	json_decref(s->json);
	memset(s, 0, sizeof(*s));
}

bool
intoto_has_sha256(const struct intoto_statement *s, const uint8_t sha256[32])
{
	const json_t *v;
	uint8_t got[32];
	size_t i;

	for (i = 0; i < json_array_size(s->subjects); i++) {
		v = json_object_get(json_object_get(json_array_get(
		    s->subjects, i), "digest"), "sha256");
		if (json_is_string(v) && hex_decode_exact(json_string_value(v),
		    json_string_length(v), got, sizeof(got), false) &&
		    CRYPTO_memcmp(got, sha256, 32) == 0)
			return true;
	}
	return false;
}

/* ---- Fulcio extensions ---- */

/* 1.3.6.1.4.1.57264.1.<n>: the content octets of its OID. */
#define FULCIO_OID(n)	{ 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, \
			  0x01, (n) }
#define FULCIO_OID_LEN	10

/* Text of len bytes for a field: no control characters, within bounds. */
static enum tmon_rc
copy_text(const uint8_t *p, size_t len, char out[MAX_FULCIO_EXT + 1],
    const char *what, struct tmon_err *err)
{
	size_t i;

	if (len > MAX_FULCIO_EXT)
		return tmon_err_set(err, TMON_E_LIMIT, "Fulcio extension %s: "
		    "%zu bytes, over the limit of %d", what, len,
		    MAX_FULCIO_EXT);
	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return tmon_err_set(err, TMON_E_PARSE, "Fulcio "
			    "extension %s: control character at byte %zu",
			    what, i);
	memcpy(out, p, len);
	out[len] = '\0';
	return TMON_OK;
}

/*
 * Extension 1.3.6.1.4.1.57264.1.<n> of x into out: a DER UTF8String
 * (der true) or the raw text.  Absent: out "" and TMON_OK.
 */
static enum tmon_rc
fulcio_ext(const X509 *x, uint8_t n, bool der, char out[MAX_FULCIO_EXT + 1],
    struct tmon_err *err)
{
	const uint8_t oid[FULCIO_OID_LEN] = FULCIO_OID(n);
	const uint8_t *val;
	struct cur c, s;
	char what[32];
	size_t len;
	enum tmon_rc rc;

	out[0] = '\0';
	snprintf(what, sizeof(what), "1.3.6.1.4.1.57264.1.%u", n);
	rc = x509_ext_value(x, oid, sizeof(oid), &val, &len);
	if (rc == TMON_E_NOTFOUND)
		return TMON_OK;
	if (rc != TMON_OK)
		return tmon_err_set(err, TMON_E_PARSE, "Fulcio extension %s: "
		    "present twice or empty", what);
	if (!der)
		return copy_text(val, len, out, what, err);
	cur_init(&c, val, len);
	if (!cur_get_der(&c, DER_UTF8STRING, &s) || cur_len(&c) != 0)
		return tmon_err_set(err, TMON_E_PARSE, "Fulcio extension %s: "
		    "not exactly one DER UTF8String", what);
	return copy_text(cur_data(&s), cur_len(&s), out, what, err);
}

/* The SubjectAltName URI of x into out ("" when none). */
static enum tmon_rc
san_uri(const X509 *x, char out[MAX_FULCIO_EXT + 1], struct tmon_err *err)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	const ASN1_STRING *u = NULL;
	int crit = -1, i;
	enum tmon_rc rc = TMON_OK;

	out[0] = '\0';
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL) {
		(void)x509_drain_errors("sigstore: SAN");
		if (crit == -1)
			return TMON_OK;
		return tmon_err_set(err, TMON_E_PARSE, "SubjectAltName: "
		    "present twice or malformed");
	}
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_URI)
			continue;
		if (u != NULL) {
			rc = tmon_err_set(err, TMON_E_PARSE, "SubjectAltName: "
			    "more than one URI");
			goto out;
		}
		u = g->d.uniformResourceIdentifier;
	}
	if (u != NULL && ASN1_STRING_length(u) >= 0)
		rc = copy_text(ASN1_STRING_get0_data(u),
		    (size_t)ASN1_STRING_length(u), out, "SubjectAltName URI",
		    err);
 out:
	GENERAL_NAMES_free(gens);
	return rc;
}

enum tmon_rc
fulcio_identity_parse(const X509 *x, struct fulcio_identity *out,
    struct tmon_err *err)
{
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = fulcio_ext(x, 8, true, out->issuer, err)) != TMON_OK)
		goto out;
	if (out->issuer[0] == '\0' &&
	    (rc = fulcio_ext(x, 1, false, out->issuer, err)) != TMON_OK)
		goto out;
	if ((rc = fulcio_ext(x, 9, true, out->signer_uri, err)) != TMON_OK ||
	    (rc = fulcio_ext(x, 12, true, out->repo_uri, err)) != TMON_OK ||
	    (rc = fulcio_ext(x, 13, true, out->repo_digest, err)) !=
	    TMON_OK ||
	    (rc = fulcio_ext(x, 14, true, out->repo_ref, err)) != TMON_OK ||
	    (rc = fulcio_ext(x, 18, true, out->build_config_uri, err)) !=
	    TMON_OK)
		goto out;
	rc = san_uri(x, out->san_uri, err);
 out:
	if (rc != TMON_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- the identity policy ---- */

/*
 * The workflow path of the Build Signer URI u for repo ("OWNER/NAME"):
 * "https://github.com/OWNER/NAME/PATH@REF" -> PATH when OWNER/NAME is
 * repo, else "OWNER/NAME/PATH".  False when u is not of that form.
 */
static bool
workflow_path(const char *u, const char *repo, char *out, size_t outsz)
{
	size_t plen = sizeof(github_prefix) - 1, rlen = strlen(repo), n;
	const char *rest, *at;

	if (strncmp(u, github_prefix, plen) != 0)
		return false;
	rest = u + plen;
	if ((at = strchr(rest, '@')) == NULL || at == rest)
		return false;
	if (strncmp(rest, repo, rlen) == 0 && rest[rlen] == '/' &&
	    rest + rlen + 1 < at)
		rest += rlen + 1;
	n = (size_t)(at - rest);
	if (n + 1 > outsz)
		return false;
	memcpy(out, rest, n);
	out[n] = '\0';
	return true;
}

enum verdict
sigstore_policy_check(const struct fulcio_identity *id,
    const struct sigstore_policy *p, char *why, size_t whysz)
{
	const char *issuer;
	char want[MAX_URL], wf[MAX_FULCIO_EXT + 1];

	if (p == NULL || p->repo == NULL || p->repo[0] == '\0') {
		snprintf(why, whysz, "no identity policy (repository)");
		return VERDICT_ERROR;
	}
	issuer = p->issuer != NULL ? p->issuer : SIGSTORE_GITHUB_ISSUER;
	if (strcmp(id->issuer, issuer) != 0) {
		snprintf(why, whysz, "Issuer %s is not %s", id->issuer[0] ?
		    id->issuer : "(absent)", issuer);
		return VERDICT_FAIL;
	}
	snprintf(want, sizeof(want), "%s%s", github_prefix, p->repo);
	if (strcmp(id->repo_uri, want) != 0) {
		snprintf(why, whysz, "Source Repository URI %s is not %s",
		    id->repo_uri[0] ? id->repo_uri : "(absent)", want);
		return VERDICT_FAIL;
	}
	if (p->workflow != NULL) {
		if (!workflow_path(id->signer_uri, p->repo, wf, sizeof(wf))) {
			snprintf(why, whysz, "Build Signer URI %s is not "
			    "%sOWNER/NAME/PATH@REF", id->signer_uri[0] ?
			    id->signer_uri : "(absent)", github_prefix);
			return VERDICT_FAIL;
		}
		if (fnmatch(p->workflow, wf, FNM_PATHNAME) != 0) {
			snprintf(why, whysz, "Build Signer URI workflow %s "
			    "does not match %s", wf, p->workflow);
			return VERDICT_FAIL;
		}
	}
	if (p->ref != NULL && fnmatch(p->ref, id->repo_ref, FNM_PATHNAME) !=
	    0) {
		snprintf(why, whysz, "Source Repository Ref %s does not match "
		    "%s", id->repo_ref[0] ? id->repo_ref : "(absent)", p->ref);
		return VERDICT_FAIL;
	}
	snprintf(why, whysz, "%s at %s (%.12s), workflow %s, issuer %s",
	    id->repo_uri, id->repo_ref, id->repo_digest, id->signer_uri,
	    id->issuer);
	return VERDICT_PASS;
}

/* ---- verification ---- */

/* How far a verified time may lie after now (clock skew), seconds. */
#define SIGSTORE_MAX_SKEW	300

#define CHECK_DSSE	"sigstore.dsse.signature"
#define CHECK_CHAIN	"sigstore.cert.chain"
#define CHECK_IDENTITY	"sigstore.cert.identity"
#define CHECK_SCT	"sigstore.sct"
#define CHECK_SUBJECT	"sigstore.subject"
#define CHECK_TIMESTAMP	"sigstore.timestamp"
#define CHECK_PARSE	"sigstore.bundle.parse"

/* The verdict v joined with a check's status st: FAIL, then ERROR. */
static enum verdict
join(enum verdict v, enum check_status st)
{
	if (st == CHECK_FAIL || v == VERDICT_FAIL)
		return VERDICT_FAIL;
	if (st == CHECK_ERROR || st == CHECK_WARN || v == VERDICT_ERROR)
		return VERDICT_ERROR;
	return v;
}

/* The worse of two verdicts: FAIL, then ERROR, then PASS. */
static enum verdict
join_verdict(enum verdict a, enum verdict b)
{
	if (a == VERDICT_FAIL || b == VERDICT_FAIL)
		return VERDICT_FAIL;
	if (a != VERDICT_PASS || b != VERDICT_PASS)
		return VERDICT_ERROR;
	return VERDICT_PASS;
}

/* Every check of from set in to (checklist_set: the worst stands). */
static void
merge(struct checklist *to, const struct checklist *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		checklist_set(to, from->items[i].id, from->items[i].status,
		    "%s", from->items[i].detail);
}

/* The DSSE signature by the leaf's key over PAE(payloadType, payload). */
static enum check_status
check_dsse(const struct sigstore_bundle *b, char *why, size_t whysz)
{
	uint8_t *pae;
	size_t len;
	enum verdict v;

	pae = dsse_pae(b->payload_type, strlen(b->payload_type), b->payload,
	    b->payload_len, &len);
	v = x509_ecdsa_verify_der(b->certs.cert[0], b->sig, b->sig_len, pae,
	    len, "sigstore: DSSE signature");
	free(pae);
	switch (v) {
	case VERDICT_PASS:
		snprintf(why, whysz, "DSSE signature over %zu bytes of %s "
		    "verifies with the leaf certificate's key", b->payload_len,
		    b->payload_type);
		return CHECK_PASS;
	case VERDICT_FAIL:
		snprintf(why, whysz, "DSSE signature does not verify with the "
		    "leaf certificate's key over the PAE of the payload");
		return CHECK_FAIL;
	default:
		snprintf(why, whysz, "DSSE signature not checked: the leaf "
		    "certificate's key is not ECDSA P-256, P-384 or P-521, or "
		    "OpenSSL failed");
		return CHECK_ERROR;
	}
}

/*
 * The tlog entries: each checked with rekor_check_entry into a list of
 * its own; the first that verifies is the one reported (else the first
 * entry).  *t is its integrated time when the SET verified it and it is
 * not after now + SIGSTORE_MAX_SKEW, else 0.
 */
static enum verdict
check_tlog(const struct sigstore_root *root, const struct sigstore_bundle *b,
    int64_t now, int64_t *t, struct sigstore_result *res,
    struct checklist *cl)
{
	struct rekor_signed sd;
	struct rekor_result rr, pick_rr;
	struct checklist *one, *pick = NULL;
	char path[MAX_JSON_PATH], w1[32], w2[32];
	size_t i, n = json_array_size(b->tlog_entries);
	enum verdict v, pick_v = VERDICT_UNCHECKED;

	*t = 0;
	if (n == 0) {
		checklist_set(cl, REKOR_CHECK_BODY, CHECK_FAIL, "bundle has no "
		    "tlog entry");
		checklist_set(cl, REKOR_CHECK_INCLUSION, CHECK_FAIL, "bundle "
		    "has no tlog entry");
		checklist_set(cl, REKOR_CHECK_CHECKPOINT, CHECK_FAIL, "bundle "
		    "has no tlog entry");
		checklist_set(cl, REKOR_CHECK_SET, CHECK_FAIL, "bundle has no "
		    "tlog entry");
		return VERDICT_FAIL;
	}
	memset(&sd, 0, sizeof(sd));
	sd.payload = b->payload;
	sd.payload_len = b->payload_len;
	sd.payload_type = b->payload_type;
	sd.sig = b->sig;
	sd.sig_len = b->sig_len;
	sd.cert_der = b->certs.der[0];
	sd.cert_der_len = b->certs.der_len[0];
	memset(&pick_rr, 0, sizeof(pick_rr));
	one = xmalloc(sizeof(*one));
	for (i = 0; i < n; i++) {
		checklist_init(one);
		snprintf(path, sizeof(path),
		    "verificationMaterial.tlogEntries[%zu]", i);
		v = rekor_check_entry(root, json_array_get(b->tlog_entries, i),
		    path, &sd, &rr, one);
		if (pick == NULL || (pick_v != VERDICT_PASS &&
		    v == VERDICT_PASS)) {
			if (pick == NULL)
				pick = xmalloc(sizeof(*pick));
			memcpy(pick, one, sizeof(*pick));
			pick_v = v;
			pick_rr = rr;
		}
		if (v == VERDICT_PASS)
			break;
	}
	free(one);
	merge(cl, pick);
	free(pick);
	if (pick_v != VERDICT_PASS)
		return pick_v;
	res->has_tlog = true;
	res->log_index = pick_rr.log_index;
	if (pick_rr.time_verified) {
		if (pick_rr.integrated_time > now + SIGSTORE_MAX_SKEW) {
			checklist_set(cl, REKOR_CHECK_SET, CHECK_FAIL,
			    "integrated time %s is later than now (%s)",
			    fmt_time(pick_rr.integrated_time, w1, sizeof(w1)),
			    fmt_time(now, w2, sizeof(w2)));
			return VERDICT_FAIL;
		}
		*t = pick_rr.integrated_time;
		res->integrated_time = pick_rr.integrated_time;
	}
	return VERDICT_PASS;
}

/*
 * Verify the RFC 3161 TimeStampResponse der (len bytes) over the DSSE
 * signature with the timestamp authority tsa, valid at genTime *gen.
 */
static enum verdict
tst_verify_tsa(const struct sigstore_ca *tsa, TS_RESP *resp,
    const struct sigstore_bundle *b, int64_t gen)
{
	TS_VERIFY_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	STACK_OF(X509) *certs = NULL;
	X509 *x;
	BIO *data = NULL;
	const unsigned char *p;
	size_t i;
	enum verdict v = VERDICT_ERROR;
	int r;

	if ((ctx = TS_VERIFY_CTX_new()) == NULL ||
	    (store = X509_STORE_new()) == NULL ||
	    (certs = sk_X509_new_null()) == NULL)
		goto out;
	for (i = 0; i < tsa->n; i++) {
		p = tsa->der[i];
		if ((x = d2i_X509(NULL, &p, (long)tsa->der_len[i])) == NULL)
			goto out;
		/* the last is the anchor; every one may be the signer,
		 * which a token need not carry (RFC 3161 section 2.4.1,
		 * certReq) */
		if (i + 1 == tsa->n && X509_STORE_add_cert(store, x) != 1) {
			X509_free(x);
			goto out;
		}
		if (sk_X509_push(certs, x) <= 0) {
			X509_free(x);
			goto out;
		}
	}
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), (time_t)gen);
	if ((data = BIO_new_mem_buf(b->sig, (int)b->sig_len)) == NULL)
		goto out;
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE |
	    TS_VFY_DATA);
	TS_VERIFY_CTX_set_data(ctx, data);
	data = NULL;
	TS_VERIFY_CTX_set_store(ctx, store);
	store = NULL;
	TS_VERIFY_CTX_set_certs(ctx, certs);
	certs = NULL;
	r = TS_RESP_verify_response(ctx, resp);
	v = r == 1 ? VERDICT_PASS : VERDICT_FAIL;
 out:
	if (x509_drain_errors("sigstore: RFC 3161 timestamp"))
		v = VERDICT_ERROR;
	BIO_free(data);
	X509_STORE_free(store);
	sk_X509_pop_free(certs, X509_free);
	TS_VERIFY_CTX_free(ctx);
	return v;
}

/* Timestamp i of b: *gen its genTime when it verified. */
static enum check_status
check_one_tst(const struct sigstore_root *root,
    const struct sigstore_bundle *b, size_t i, int64_t now, int64_t *gen,
    char *why, size_t whysz)
{
	const unsigned char *p = b->tst[i];
	TS_RESP *resp;
	TS_TST_INFO *info;
	char w1[32], w2[32];
	size_t k, valid = 0;
	enum verdict v;
	enum check_status st = CHECK_FAIL;

	*gen = 0;
	resp = d2i_TS_RESP(NULL, &p, (long)b->tst_len[i]);
	if (resp == NULL || p != b->tst[i] + b->tst_len[i]) {
		(void)x509_drain_errors("sigstore: RFC 3161 timestamp");
		snprintf(why, whysz, "timestamp %zu is not one DER "
		    "TimeStampResponse", i);
		goto out;
	}
	if ((info = TS_RESP_get_tst_info(resp)) == NULL ||
	    !x509_time_unix(TS_TST_INFO_get_time(info), gen)) {
		snprintf(why, whysz, "timestamp %zu has no token or no valid "
		    "genTime", i);
		goto out;
	}
	if (*gen > now + SIGSTORE_MAX_SKEW) {
		snprintf(why, whysz, "timestamp %zu: genTime %s is later than "
		    "now (%s)", i, fmt_time(*gen, w1, sizeof(w1)),
		    fmt_time(now, w2, sizeof(w2)));
		goto out;
	}
	st = CHECK_ERROR;
	for (k = 0; k < root->n_tsas; k++) {
		if (!sigstore_ca_valid_at(&root->tsas[k], *gen))
			continue;
		valid++;
		v = tst_verify_tsa(&root->tsas[k], resp, b, *gen);
		if (v == VERDICT_PASS) {
			fmt_trunc(why, whysz, "timestamp %zu by %s at %s", i,
			    root->tsas[k].cn[0] ? root->tsas[k].cn :
			    root->tsas[k].uri, fmt_time(*gen, w1, sizeof(w1)));
			st = CHECK_PASS;
			goto out;
		}
		if (v == VERDICT_FAIL)
			st = CHECK_FAIL;
	}
	if (valid == 0) {
		st = CHECK_FAIL;
		snprintf(why, whysz, "timestamp %zu: no timestamp authority of "
		    "the trusted root is valid at its genTime %s", i,
		    fmt_time(*gen, w1, sizeof(w1)));
	} else if (st == CHECK_FAIL)
		snprintf(why, whysz, "timestamp %zu does not verify over the "
		    "DSSE signature by a timestamp authority of the trusted "
		    "root at %s", i, fmt_time(*gen, w1, sizeof(w1)));
	else
		snprintf(why, whysz, "timestamp %zu: OpenSSL failed verifying "
		    "it", i);
 out:
	if (st != CHECK_PASS)
		*gen = 0;
	TS_RESP_free(resp);
	return st;
}

/*
 * The RFC 3161 timestamps: each must verify; *t is the genTime of the
 * first (0 when none).
 */
static enum check_status
check_timestamps(const struct sigstore_root *root,
    const struct sigstore_bundle *b, int64_t now, int64_t *t,
    struct checklist *cl)
{
	char why[MAX_CHECK_DETAIL];
	enum check_status st, worst = CHECK_PASS;
	int64_t gen;
	size_t i;

	*t = 0;
	if (b->n_tst == 0) {
		checklist_set(cl, CHECK_TIMESTAMP, CHECK_SKIP, "bundle has no "
		    "RFC 3161 timestamp");
		return CHECK_SKIP;
	}
	for (i = 0; i < b->n_tst; i++) {
		st = check_one_tst(root, b, i, now, &gen, why, sizeof(why));
		checklist_set(cl, CHECK_TIMESTAMP, st, "%s", why);
		if (st == CHECK_PASS && *t == 0)
			*t = gen;
		if (check_severity(st) < check_severity(worst))
			worst = st;
	}
	if (worst != CHECK_PASS)
		*t = 0;
	return worst;
}

/* Whether the leaf x allows code signing (RFC 5280 section 4.2.1.12). */
static bool
code_signing(X509 *x)
{
	return (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) != 0 &&
	    (X509_get_extended_key_usage(x) & XKU_CODE_SIGN) != 0;
}

/*
 * The leaf of b under the certChain of CA c at time t (validity not
 * checked when t is 0), with a code signing EKU.  why gets the reason
 * when it is not VERDICT_PASS.
 */
static enum verdict
chain_to_ca(const struct sigstore_ca *c, const struct sigstore_bundle *b,
    int64_t t, char *why, size_t whysz)
{
	struct x509_chain ch;
	struct x509_anchor a;
	struct tmon_err e;
	size_t k;
	enum verdict v;

	memset(&ch, 0, sizeof(ch));
	tmon_err_clear(&e);
	if (c->n == 0 || x509_chain_add_der(&ch, b->certs.der[0],
	    b->certs.der_len[0], &e) != TMON_OK) {
		x509_chain_free(&ch);
		fmt_trunc(why, whysz, "leaf certificate: %s", e.msg);
		return VERDICT_ERROR;
	}
	for (k = 0; k < c->n; k++)
		if (x509_chain_add_der(&ch, c->der[k], c->der_len[k], &e) !=
		    TMON_OK)
			break;
	if (k < c->n || x509_anchor_init(&a, c->der[c->n - 1],
	    c->der_len[c->n - 1], "Fulcio root", &e) != TMON_OK) {
		x509_chain_free(&ch);
		fmt_trunc(why, whysz, "Fulcio CA %s: %s", c->uri, e.msg);
		return VERDICT_ERROR;
	}
	v = x509_chain_verify(&ch, ch.n, &a, t, t == 0 ? TMON_X509_NO_TIME :
	    0, why, whysz);
	x509_anchor_release(&a);
	if (v == VERDICT_PASS && !code_signing(ch.cert[0])) {
		snprintf(why, whysz, "leaf certificate has no code signing "
		    "extended key usage");
		v = VERDICT_FAIL;
	}
	x509_chain_free(&ch);
	return v;
}

/*
 * The Fulcio chain: the leaf under the certChain of a CA of the root
 * whose validFor holds at t, at time t.  Without a verified time (t 0)
 * the chain is still built, without validity: a leaf that chains to no
 * CA fails, one that does is an error (no verified time).
 */
static enum check_status
check_chain(const struct sigstore_root *root, const struct sigstore_bundle *b,
    int64_t t, char *why, size_t whysz)
{
	const struct sigstore_ca *c;
	char w[32], one[MAX_CHECK_DETAIL];
	size_t i, valid = 0;
	enum verdict v;
	enum check_status st = CHECK_FAIL;

	if (t != 0)
		fmt_time(t, w, sizeof(w));
	else
		snprintf(w, sizeof(w), "(no verified time)");
	one[0] = '\0';
	for (i = 0; i < root->n_cas; i++) {
		c = &root->cas[i];
		if (t != 0 && !sigstore_ca_valid_at(c, t))
			continue;
		valid++;
		v = chain_to_ca(c, b, t, one, sizeof(one));
		if (v == VERDICT_PASS && t == 0) {
			fmt_trunc(why, whysz, "no verified time (no verified "
			    "SET, no verified RFC 3161 timestamp): the leaf "
			    "chains to Fulcio CA %s, validity not checked",
			    c->uri);
			return CHECK_ERROR;
		}
		if (v == VERDICT_PASS) {
			fmt_trunc(why, whysz, "leaf certificate chains to Fulcio "
			    "CA %s%s%s, valid at %s, code signing", c->uri,
			    c->cn[0] ? " " : "", c->cn, w);
			return CHECK_PASS;
		}
		if (v == VERDICT_ERROR) {
			st = CHECK_ERROR;
			snprintf(why, whysz, "%s", one);
		} else if (st != CHECK_ERROR)
			fmt_trunc(why, whysz, "leaf certificate does not chain "
			    "to Fulcio CA %s: %s", c->uri, one);
	}
	if (valid == 0)
		snprintf(why, whysz, "no Fulcio CA of the trusted root is valid "
		    "at %s", w);
	return valid == 0 ? CHECK_FAIL : st;
}

/* The first certificate of a CA of root that issued leaf, or NULL. */
static X509 *
find_issuer(const struct sigstore_root *root, X509 *leaf)
{
	const unsigned char *p;
	X509 *x;
	size_t i;

	for (i = 0; i < root->n_cas; i++) {
		if (root->cas[i].n == 0)
			continue;
		p = root->cas[i].der[0];
		if ((x = d2i_X509(NULL, &p, (long)root->cas[i].der_len[0])) ==
		    NULL)
			continue;
		if (X509_check_issued(x, leaf) == X509_V_OK)
			return x;
		X509_free(x);
	}
	(void)x509_drain_errors("sigstore: issuer");
	return NULL;
}

/*
 * RFC 6962 section 3.2: the signed data of an SCT over a precertificate,
 * given the leaf's TBSCertificate without the SCT list (tbs) and the
 * SHA-256 of the issuer's SubjectPublicKeyInfo (ikh).
 */
static uint8_t *
sct_signed_data(const SCT *sct, const uint8_t ikh[32], const uint8_t *tbs,
    size_t tbslen, size_t *outlen)
{
	unsigned char *ext = NULL;
	size_t extlen, n, i;
	uint64_t ts;
	uint8_t *out, *w;

	extlen = SCT_get0_extensions(sct, &ext);
	ts = SCT_get_timestamp(sct);
	n = 1 + 1 + 8 + 2 + 32 + 3 + tbslen + 2 + extlen;
	w = out = xmalloc(n);
	*w++ = 0;				/* version v1 */
	*w++ = 0;				/* certificate_timestamp */
	for (i = 0; i < 8; i++)
		*w++ = (uint8_t)(ts >> (56 - 8 * i));
	*w++ = 0;				/* precert_entry (1) */
	*w++ = 1;
	memcpy(w, ikh, 32);
	w += 32;
	*w++ = (uint8_t)(tbslen >> 16);
	*w++ = (uint8_t)(tbslen >> 8);
	*w++ = (uint8_t)tbslen;
	memcpy(w, tbs, tbslen);
	w += tbslen;
	*w++ = (uint8_t)(extlen >> 8);
	*w++ = (uint8_t)extlen;
	if (extlen > 0)
		memcpy(w, ext, extlen);
	*outlen = n;
	return out;
}

/* The embedded SCTs of the leaf: one must verify with a CT log of root. */
static enum check_status
check_sct(const struct sigstore_root *root, const struct sigstore_bundle *b,
    char *why, size_t whysz)
{
	X509 *leaf = b->certs.cert[0], *issuer = NULL, *pre = NULL;
	STACK_OF(SCT) *scts = NULL;
	const struct sigstore_log_key *log;
	const SCT *sct;
	unsigned char *tbs = NULL, *spki = NULL, *id;
	uint8_t ikh[32], *msg;
	char name[64], w[32];
	size_t idlen, mlen;
	int64_t ts;
	int crit = -1, i, idx, tbslen, spkilen;
	enum verdict v;
	enum check_status st = CHECK_FAIL;

	scts = X509_get_ext_d2i(leaf, NID_ct_precert_scts, &crit, NULL);
	if (scts == NULL) {
		(void)x509_drain_errors("sigstore: SCT");
		snprintf(why, whysz, crit == -1 ? "leaf certificate has no "
		    "embedded SCT" : "leaf certificate's SCT list is "
		    "malformed or present twice");
		return CHECK_FAIL;
	}
	if (sk_SCT_num(scts) == 0) {
		snprintf(why, whysz, "leaf certificate's SCT list is empty");
		goto out;
	}
	if ((issuer = find_issuer(root, leaf)) == NULL) {
		snprintf(why, whysz, "no Fulcio CA of the trusted root issued "
		    "the leaf certificate (SCT not checked)");
		goto out;
	}
	/* the precertificate's TBSCertificate: the leaf's without the SCTs */
	if ((pre = X509_dup(leaf)) == NULL ||
	    (idx = X509_get_ext_by_NID(pre, NID_ct_precert_scts, -1)) < 0)
		goto liberr;
	X509_EXTENSION_free(X509_delete_ext(pre, idx));
	if ((tbslen = i2d_re_X509_tbs(pre, &tbs)) <= 0 || tbslen >= 1 << 24 ||
	    (spkilen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer),
	    &spki)) <= 0)
		goto liberr;
	SHA256(spki, (size_t)spkilen, ikh);
	snprintf(why, whysz, "no embedded SCT is by a CT log of the trusted "
	    "root");
	st = CHECK_ERROR;
	for (i = 0; i < sk_SCT_num(scts); i++) {
		sct = sk_SCT_value(scts, i);
		if (SCT_get_version(sct) != SCT_VERSION_V1)
			continue;
		id = NULL;
		idlen = SCT_get0_log_id(sct, &id);
		if (idlen != 32 || (log = sigstore_root_ctlog(root, id)) ==
		    NULL)
			continue;
		sigstore_log_name(log, name, sizeof(name));
		ts = (int64_t)(SCT_get_timestamp(sct) / 1000);
		if (!sigstore_log_valid_at(log, ts)) {
			st = CHECK_FAIL;
			snprintf(why, whysz, "SCT by %s at %s: the log's key is "
			    "not valid then", name, fmt_time(ts, w, sizeof(w)));
			continue;
		}
		msg = sct_signed_data(sct, ikh, tbs, (size_t)tbslen, &mlen);
		id = NULL;
		idlen = SCT_get0_signature(sct, &id);
		v = sigstore_key_verify(log, id, idlen, msg, mlen,
		    "sigstore: SCT");
		free(msg);
		if (v == VERDICT_PASS) {
			snprintf(why, whysz, "SCT by %s at %s verifies", name,
			    fmt_time(ts, w, sizeof(w)));
			st = CHECK_PASS;
			goto out;
		}
		if (v == VERDICT_FAIL) {
			st = CHECK_FAIL;
			snprintf(why, whysz, "SCT by %s does not verify over "
			    "the precertificate", name);
		} else if (st != CHECK_FAIL)
			snprintf(why, whysz, "SCT by %s not checked: key type "
			    "%s not supported or OpenSSL failed", name,
			    log->key_details);
	}
	goto out;
 liberr:
	(void)x509_drain_errors("sigstore: SCT");
	snprintf(why, whysz, "OpenSSL failed preparing the SCT check");
	st = CHECK_ERROR;
 out:
	OPENSSL_free(tbs);
	OPENSSL_free(spki);
	X509_free(pre);
	X509_free(issuer);
	SCT_LIST_free(scts);
	return st;
}

/* The statement of the payload, and the subject digest. */
static enum check_status
check_subject(const struct sigstore_bundle *b, const uint8_t digest[32],
    struct intoto_statement *st, char *why, size_t whysz)
{
	struct tmon_err e;
	char hex[65], esc[96];
	enum tmon_rc rc;

	memset(st, 0, sizeof(*st));
	hex_encode(digest, 32, hex);
	if (strcmp(b->payload_type, DSSE_INTOTO_TYPE) != 0) {
		snprintf(why, whysz, "DSSE payloadType \"%s\" is not %s",
		    log_esc(esc, sizeof(esc), b->payload_type,
		    strlen(b->payload_type)), DSSE_INTOTO_TYPE);
		return CHECK_ERROR;
	}
	tmon_err_clear(&e);
	if ((rc = intoto_statement_parse(b->payload, b->payload_len, st,
	    &e)) != TMON_OK) {
		snprintf(why, whysz, "%s", e.msg);
		return rc == TMON_E_UNSUPPORTED ? CHECK_ERROR : CHECK_FAIL;
	}
	if (!intoto_has_sha256(st, digest)) {
		snprintf(why, whysz, "no subject has sha256 %s", hex);
		return CHECK_FAIL;
	}
	snprintf(why, whysz, "subject sha256 %s, predicate %s", hex,
	    st->predicate_type);
	return CHECK_PASS;
}

enum verdict
sigstore_verify_bundle(const struct sigstore_root *root,
    const struct sigstore_bundle *b, const struct sigstore_policy *p,
    const uint8_t digest[32], int64_t now, struct intoto_statement *st,
    struct sigstore_result *res, struct checklist *cl)
{
	struct sigstore_result *r;
	struct intoto_statement stmt;
	struct tmon_err e;
	char *why;
	enum check_status s, ts_st;
	enum verdict v = VERDICT_PASS;
	int64_t tlog_t, tst_t, t;

	r = xcalloc(1, sizeof(*r));
	why = xmalloc(MAX_CHECK_DETAIL);
	if (st != NULL)
		memset(st, 0, sizeof(*st));

	/* the DSSE signature */
	s = check_dsse(b, why, MAX_CHECK_DETAIL);
	checklist_set(cl, CHECK_DSSE, s, "%s", why);
	v = join(v, s);

	/* the transparency log and the timestamps: the verified time */
	v = join_verdict(v, check_tlog(root, b, now, &tlog_t, r, cl));
	ts_st = check_timestamps(root, b, now, &tst_t, cl);
	v = join(v, ts_st);
	t = tlog_t != 0 ? tlog_t : tst_t;
	r->verified_time = t;

	/* the certificate */
	s = check_chain(root, b, t, why, MAX_CHECK_DETAIL);
	checklist_set(cl, CHECK_CHAIN, s, "%s", why);
	v = join(v, s);
	tmon_err_clear(&e);
	if (fulcio_identity_parse(b->certs.cert[0], &r->id, &e) != TMON_OK) {
		s = CHECK_FAIL;
		snprintf(why, MAX_CHECK_DETAIL, "%s", e.msg);
	} else
		s = verdict_check(sigstore_policy_check(&r->id, p, why,
		    MAX_CHECK_DETAIL));
	checklist_set(cl, CHECK_IDENTITY, s, "%s", why);
	v = join(v, s);
	s = check_sct(root, b, why, MAX_CHECK_DETAIL);
	checklist_set(cl, CHECK_SCT, s, "%s", why);
	v = join(v, s);

	/* what was signed */
	s = check_subject(b, digest, &stmt, why, MAX_CHECK_DETAIL);
	checklist_set(cl, CHECK_SUBJECT, s, "%s", why);
	v = join(v, s);
	if (st != NULL)
		*st = stmt;
	else
		intoto_statement_free(&stmt);
	if (res != NULL)
		memcpy(res, r, sizeof(*res));
	free(r);
	free(why);
	return v;
}

/* A candidate bundle's outcome. */
struct candidate {
	struct checklist	cl;
	struct intoto_statement	st;
	struct sigstore_result	res;
	enum verdict		v;
};

/*
 * Attestation i of arr: parsed and, when its statement's predicateType
 * is predicate_type (or that is NULL, or the statement does not parse),
 * verified into *c.  False when it is not a candidate.
 */
static bool
try_attestation(const struct sigstore_root *root, const json_t *arr,
    size_t i, const char *predicate_type, const struct sigstore_policy *p,
    const uint8_t digest[32], int64_t now, struct candidate *c)
{
	struct sigstore_bundle b;
	struct intoto_statement st;
	struct tmon_err e;
	const json_t *att;
	char path[MAX_JSON_PATH];
	enum tmon_rc rc;
	enum check_status s;

	memset(c, 0, sizeof(*c));
	checklist_init(&c->cl);
	snprintf(path, sizeof(path), "attestations[%zu].bundle", i);
	att = json_array_get(arr, i);
	tmon_err_clear(&e);
	if (!json_is_object(att)) {
		rc = tmon_err_set(&e, TMON_E_PARSE, "attestations[%zu]: must be "
		    "an object", i);
	} else if (!json_is_object(json_object_get(att, "bundle"))) {
		rc = tmon_err_set(&e, TMON_E_PARSE, "%s: must be an object",
		    path);
	} else
		rc = sigstore_bundle_parse_json(json_object_get(att, "bundle"),
		    path, &b, &e);
	if (rc != TMON_OK) {
		s = rc == TMON_E_PARSE || rc == TMON_E_LIMIT ? CHECK_FAIL :
		    CHECK_ERROR;
		checklist_set(&c->cl, CHECK_PARSE, s, "%s", e.msg);
		c->v = s == CHECK_FAIL ? VERDICT_FAIL :
		    VERDICT_ERROR;
		return true;
	}
	if (predicate_type != NULL &&
	    strcmp(b.payload_type, DSSE_INTOTO_TYPE) == 0) {
		tmon_err_clear(&e);
		if (intoto_statement_parse(b.payload, b.payload_len, &st, &e) ==
		    TMON_OK) {
			rc = strcmp(st.predicate_type, predicate_type) == 0 ?
			    TMON_OK : TMON_E_NOTFOUND;
			intoto_statement_free(&st);
			if (rc != TMON_OK) {
				sigstore_bundle_free(&b);
				return false;
			}
		}
	}
	checklist_set(&c->cl, CHECK_PARSE, CHECK_PASS, "%s: bundle v0.%d, "
	    "DSSE envelope of %s", path, b.version, b.payload_type);
	c->v = sigstore_verify_bundle(root, &b, p, digest, now, &c->st,
	    &c->res, &c->cl);
	sigstore_bundle_free(&b);
	return true;
}

enum verdict
sigstore_verify_attestations(const struct sigstore_root *root,
    const json_t *body, const char *predicate_type,
    const struct sigstore_policy *p, const uint8_t digest[32], int64_t now,
    struct intoto_statement *st, struct sigstore_result *res,
    struct checklist *cl)
{
	struct candidate *c, *first = NULL, *pick = NULL;
	const json_t *arr;
	size_t i, n;
	enum verdict v;

	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if (res != NULL)
		memset(res, 0, sizeof(*res));
	arr = json_object_get(body, "attestations");
	if (!json_is_object(body) || !json_is_array(arr)) {
		checklist_set(cl, CHECK_PARSE, CHECK_FAIL, "attestations "
		    "answer: not an object with an attestations array");
		return VERDICT_FAIL;
	}
	n = json_array_size(arr);
	if (n == 0 || n > MAX_SIGSTORE_ATTESTATIONS) {
		checklist_set(cl, CHECK_PARSE, CHECK_FAIL, "attestations "
		    "answer: %zu attestations, not 1 to %d", n,
		    MAX_SIGSTORE_ATTESTATIONS);
		return VERDICT_FAIL;
	}
	c = xmalloc(sizeof(*c));
	for (i = 0; i < n; i++) {
		if (!try_attestation(root, arr, i, predicate_type, p, digest,
		    now, c))
			continue;
		if (c->v == VERDICT_PASS) {
			pick = c;
			break;
		}
		if (first == NULL) {
			first = c;
			c = xmalloc(sizeof(*c));
		} else
			intoto_statement_free(&c->st);
	}
	if (pick == NULL) {
		free(c);
		pick = first;
	} else if (first != NULL) {
		intoto_statement_free(&first->st);
		free(first);
	}
	if (pick == NULL) {
		checklist_set(cl, CHECK_SUBJECT, CHECK_FAIL, "no attestation "
		    "with predicate type %s", predicate_type != NULL ?
		    predicate_type : "(any)");
		return VERDICT_FAIL;
	}
	merge(cl, &pick->cl);
	v = pick->v;
	if (st != NULL)
		*st = pick->st;
	else
		intoto_statement_free(&pick->st);
	if (res != NULL)
		memcpy(res, &pick->res, sizeof(*res));
	free(pick);
	return v;
}
