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
#include <openssl/x509v3.h>

#include "cur.h"
#include "encode.h"
#include "log.h"
#include "sigstore.h"
#include "tjson.h"
#include "xmalloc.h"

/* A DER ECDSA signature of P-521 is at most 139 bytes. */
#define MAX_DSSE_SIG	512
/* A keyid as read (DSSE: optional, unauthenticated). */
#define MAX_DSSE_KEYID	256
/* DER tag of UTF8String (X.680 section 8.6). */
#define DER_UTF8STRING	0x0c

static const char github_prefix[] = "https://github.com/";

/* ---- parsing ---- */

/*
 * The standard base64 (padded, RFC 4648 section 4) string member key of
 * obj at path, decoded into a new buffer of 1 to max bytes.
 */
static enum tmon_rc
b64_member(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, size_t max, uint8_t **out, size_t *outlen)
{
	char p[MAX_JSON_PATH];
	const char *s;
	size_t len;
	enum tmon_rc rc;

	rc = tjson_str(d, obj, path, key, B64_ENCODED_LEN(max), 0, &s, &len);
	if (rc != TMON_OK)
		return rc;
	if (len == 0 || (*out = b64_decode_alloc(s, len, max, outlen)) ==
	    NULL)
		return tjson_fail(d, TMON_E_PARSE, tjson_path(p, sizeof(p),
		    path, key), "must be base64 of 1 to %zu bytes", max);
	return TMON_OK;
}

/* One DER certificate {"rawBytes": base64} at path, appended to c. */
static enum tmon_rc
cert_member(struct tjson_doc *d, const json_t *obj, const char *path,
    struct x509_chain *c)
{
	struct tmon_err e;
	uint8_t *der = NULL;
	size_t len = 0;
	enum tmon_rc rc;

	rc = b64_member(d, obj, path, "rawBytes", MAX_SIGSTORE_CERT_DER, &der,
	    &len);
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
		if ((rc = b64_member(d, json_array_get(arr, i), q,
		    "signedTimestamp", MAX_SIGSTORE_TST_DER, &out->tst[i],
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

	if ((rc = b64_member(d, env, epath, "payload", MAX_DSSE_PAYLOAD,
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
	if ((rc = b64_member(d, json_array_get(sigs, 0), q, "sig",
	    MAX_DSSE_SIG, &out->sig, &out->sig_len)) != TMON_OK)
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
