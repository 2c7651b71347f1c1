/*
 * sigstore_root.c: the Sigstore trusted root (contract in
 * sigstore_root.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "encode.h"
#include "sig.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "util.h"
#include "x509.h"
#include "xmalloc.h"

/* ---- members ---- */

/* A string member copied into out[outsz] (at most outsz - 1 bytes). */
static enum tmon_rc
str_into(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, unsigned flags, char *out, size_t outsz)
{
	const char *s = NULL;
	size_t n = 0;
	enum tmon_rc rc;

	rc = tjson_str(d, obj, path, key, outsz - 1, flags, &s, &n);
	if (rc == TMON_OK && s != NULL) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return rc;
}

/* validFor {start, end} of obj (optional), into *start and *end. */
static enum tmon_rc
valid_for(struct tjson_doc *d, const json_t *obj, const char *path,
    int64_t *start, int64_t *end)
{
	char p[MAX_JSON_PATH], q[MAX_JSON_PATH];
	json_t *vf = NULL;
	const char *s;
	size_t n;
	enum tmon_rc rc;

	*start = INT64_MIN;
	*end = INT64_MAX;
	rc = tjson_object(d, obj, path, "validFor", TJSON_OPTIONAL, &vf);
	if (rc != TMON_OK || vf == NULL)
		return rc;
	tjson_path(p, sizeof(p), path, "validFor");
	s = NULL;
	if ((rc = tjson_str(d, vf, p, "start", 64, TJSON_OPTIONAL, &s,
	    &n)) != TMON_OK)
		return rc;
	if (s != NULL && !rfc3339_utc_parse(s, n, true, start))
		return tjson_fail(d, TMON_E_PARSE, tjson_path(q, sizeof(q), p,
		    "start"), "must be an RFC 3339 UTC time");
	s = NULL;
	if ((rc = tjson_str(d, vf, p, "end", 64, TJSON_OPTIONAL, &s,
	    &n)) != TMON_OK)
		return rc;
	if (s != NULL && !rfc3339_utc_parse(s, n, false, end))
		return tjson_fail(d, TMON_E_PARSE, tjson_path(q, sizeof(q), p,
		    "end"), "must be an RFC 3339 UTC time");
	if (*start > *end)
		return tjson_fail(d, TMON_E_PARSE, p, "start is after end");
	return TMON_OK;
}

/* ---- keys ---- */

static enum sigstore_key_type
key_type(const char *details)
{
	if (strcmp(details, "PKIX_ECDSA_P256_SHA_256") == 0)
		return SIGSTORE_KEY_ECDSA_P256_SHA256;
	if (strcmp(details, "PKIX_ECDSA_P384_SHA_384") == 0)
		return SIGSTORE_KEY_ECDSA_P384_SHA384;
	if (strcmp(details, "PKIX_ED25519") == 0)
		return SIGSTORE_KEY_ED25519;
	return SIGSTORE_KEY_UNSUPPORTED;
}

const char *
sigstore_key_type_str(enum sigstore_key_type t)
{
	switch (t) {
	case SIGSTORE_KEY_ECDSA_P256_SHA256:
		return "PKIX_ECDSA_P256_SHA_256";
	case SIGSTORE_KEY_ECDSA_P384_SHA384:
		return "PKIX_ECDSA_P384_SHA_384";
	case SIGSTORE_KEY_ED25519:
		return "PKIX_ED25519";
	case SIGSTORE_KEY_UNSUPPORTED:
		break;
	}
	return "unsupported";
}

/*
 * Decode k->spki as exactly one SubjectPublicKeyInfo of k->type into
 * k->key.  TMON_E_PARSE (with why) when it is not; TMON_E_CRYPTO_LIB.
 */
static enum tmon_rc
decode_key(struct sigstore_log_key *k, char *why, size_t whysz)
{
	const unsigned char *p = k->spki;
	EVP_PKEY *pk;
	char curve[32];
	size_t clen = 0;
	const char *want = NULL;
	int base;

	pk = d2i_PUBKEY(NULL, &p, (long)k->spki_len);
	if (pk == NULL || p != k->spki + k->spki_len) {
		EVP_PKEY_free(pk);
		if (x509_drain_errors("sigstore: trusted root key"))
			return TMON_E_CRYPTO_LIB;
		snprintf(why, whysz, "is not one DER SubjectPublicKeyInfo");
		return TMON_E_PARSE;
	}
	base = EVP_PKEY_get_base_id(pk);
	switch (k->type) {
	case SIGSTORE_KEY_ECDSA_P256_SHA256:
		want = "prime256v1";
		break;
	case SIGSTORE_KEY_ECDSA_P384_SHA384:
		want = "secp384r1";
		break;
	case SIGSTORE_KEY_ED25519:
		if (base != EVP_PKEY_ED25519) {
			EVP_PKEY_free(pk);
			snprintf(why, whysz, "is not an Ed25519 key, as "
			    "keyDetails says");
			return TMON_E_PARSE;
		}
		k->key = pk;
		return TMON_OK;
	case SIGSTORE_KEY_UNSUPPORTED:
		EVP_PKEY_free(pk);
		return TMON_OK;
	}
	if (base != EVP_PKEY_EC || !EVP_PKEY_get_utf8_string_param(pk,
	    "group", curve, sizeof(curve), &clen) || strcmp(curve, want) !=
	    0) {
		EVP_PKEY_free(pk);
		(void)x509_drain_errors("sigstore: trusted root key");
		snprintf(why, whysz, "is not an EC key on %s, as keyDetails "
		    "says", want);
		return TMON_E_PARSE;
	}
	k->key = pk;
	return TMON_OK;
}

/*
 * Whether k->log_id is its key's: SHA-256 of the SPKI; for an Ed25519
 * transparency log also the C2SP signed-note key hash under the name of
 * its baseUrl.
 */
static bool
log_id_matches(const struct sigstore_log_key *k, bool tlog)
{
	uint8_t h[32], raw[32];
	const char *name = k->base_url;
	size_t rawlen = sizeof(raw);
	unsigned char t = 0x01;	/* signed-note signature type Ed25519 */
	EVP_MD_CTX *ctx;
	bool ok;

	sha256(k->spki, k->spki_len, h);
	if (CRYPTO_memcmp(h, k->log_id, 32) == 0)
		return true;
	if (!tlog || k->type != SIGSTORE_KEY_ED25519 ||
	    EVP_PKEY_get_raw_public_key(k->key, raw, &rawlen) != 1 ||
	    rawlen != 32) {
		(void)x509_drain_errors("sigstore: trusted root key");
		return false;
	}
	if (strncmp(name, "https://", 8) == 0)
		name += 8;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return false;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, name, strlen(name)) == 1 &&
	    EVP_DigestUpdate(ctx, "\n", 1) == 1 &&
	    EVP_DigestUpdate(ctx, &t, 1) == 1 &&
	    EVP_DigestUpdate(ctx, raw, 32) == 1 &&
	    EVP_DigestFinal_ex(ctx, h, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok && CRYPTO_memcmp(h, k->log_id, 32) == 0;
}

/* A logId-shaped member {keyId: base64 of 32 bytes} into out. */
static enum tmon_rc
key_id(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, unsigned flags, uint8_t out[32], bool *present)
{
	char p[MAX_JSON_PATH], q[MAX_JSON_PATH];
	json_t *o = NULL;
	uint8_t *b;
	size_t n;
	enum tmon_rc rc;

	*present = false;
	if ((rc = tjson_object(d, obj, path, key, flags, &o)) != TMON_OK ||
	    o == NULL)
		return rc;
	tjson_path(p, sizeof(p), path, key);
	if ((rc = tjson_b64(d, o, p, "keyId", 64, 0, &b, &n)) != TMON_OK)
		return rc;
	if (n != 32) {
		free(b);
		return tjson_fail(d, TMON_E_PARSE, tjson_path(q, sizeof(q), p,
		    "keyId"), "must be 32 bytes, not %zu", n);
	}
	memcpy(out, b, 32);
	free(b);
	*present = true;
	return TMON_OK;
}

static void
log_release(struct sigstore_log_key *k)
{
	EVP_PKEY_free(k->key);
	free(k->spki);
	memset(k, 0, sizeof(*k));
}

/* One TransparencyLogInstance at path into *k (zeroed on error). */
static enum tmon_rc
parse_log(struct tjson_doc *d, const json_t *obj, const char *path,
    bool tlog, struct sigstore_log_key *k)
{
	char p[MAX_JSON_PATH], q[MAX_JSON_PATH], why[96];
	char alg[32] = "";
	json_t *pk = NULL;
	bool present;
	enum tmon_rc rc;

	memset(k, 0, sizeof(*k));
	if ((rc = str_into(d, obj, path, "baseUrl", 0, k->base_url,
	    sizeof(k->base_url))) != TMON_OK ||
	    (rc = str_into(d, obj, path, "hashAlgorithm", 0, alg,
	    sizeof(alg))) != TMON_OK)
		goto out;
	if (strcmp(alg, "SHA2_256") != 0) {
		rc = tjson_fail(d, TMON_E_PARSE, tjson_path(p, sizeof(p), path,
		    "hashAlgorithm"), "must be SHA2_256");
		goto out;
	}
	if ((rc = tjson_object(d, obj, path, "publicKey", 0, &pk)) !=
	    TMON_OK)
		goto out;
	tjson_path(p, sizeof(p), path, "publicKey");
	if ((rc = str_into(d, pk, p, "keyDetails", 0, k->key_details,
	    sizeof(k->key_details))) != TMON_OK ||
	    (rc = tjson_b64(d, pk, p, "rawBytes", MAX_SIGSTORE_KEY_LEN, 0,
	    &k->spki, &k->spki_len)) != TMON_OK ||
	    (rc = valid_for(d, pk, p, &k->start, &k->end)) != TMON_OK)
		goto out;
	k->type = key_type(k->key_details);
	if ((rc = decode_key(k, why, sizeof(why))) != TMON_OK) {
		if (rc == TMON_E_PARSE)
			rc = tjson_fail(d, rc, tjson_path(q, sizeof(q), p,
			    "rawBytes"), "%s", why);
		else
			rc = tjson_fail(d, rc, q, "OpenSSL failed decoding "
			    "the key");
		goto out;
	}
	if ((rc = key_id(d, obj, path, "logId", 0, k->log_id, &present)) !=
	    TMON_OK)
		goto out;
	if (k->type != SIGSTORE_KEY_UNSUPPORTED && !log_id_matches(k, tlog)) {
		rc = tjson_fail(d, TMON_E_PARSE, tjson_path(q, sizeof(q),
		    tjson_path(p, sizeof(p), path, "logId"), "keyId"),
		    tlog && k->type == SIGSTORE_KEY_ED25519 ?
		    "is neither the SHA-256 of the key nor its signed-note "
		    "key hash" : "is not the SHA-256 of the key's "
		    "SubjectPublicKeyInfo (RFC 6962 section 3.2)");
		goto out;
	}
	memcpy(k->checkpoint_key_id, k->log_id, 32);
	if ((rc = key_id(d, obj, path, "checkpointKeyId", TJSON_OPTIONAL,
	    k->checkpoint_key_id, &present)) != TMON_OK)
		goto out;
	rc = TMON_OK;
out:
	if (rc != TMON_OK)
		log_release(k);
	return rc;
}

static void
ca_release(struct sigstore_ca *ca)
{
	size_t i;

	for (i = 0; i < ca->n; i++)
		free(ca->der[i]);
	memset(ca, 0, sizeof(*ca));
}

/* One CertificateAuthority at path into *ca (zeroed on error). */
static enum tmon_rc
parse_ca(struct tjson_doc *d, const json_t *obj, const char *path,
    struct sigstore_ca *ca)
{
	char p[MAX_JSON_PATH], q[MAX_JSON_PATH], e[MAX_JSON_PATH];
	json_t *subj = NULL, *chain = NULL, *certs = NULL, *c;
	const unsigned char *dp;
	X509 *x;
	size_t i;
	enum tmon_rc rc;

	memset(ca, 0, sizeof(*ca));
	if ((rc = str_into(d, obj, path, "uri", 0, ca->uri,
	    sizeof(ca->uri))) != TMON_OK ||
	    (rc = tjson_object(d, obj, path, "subject", TJSON_OPTIONAL,
	    &subj)) != TMON_OK)
		goto out;
	if (subj != NULL) {
		tjson_path(p, sizeof(p), path, "subject");
		if ((rc = str_into(d, subj, p, "commonName", TJSON_OPTIONAL,
		    ca->cn, sizeof(ca->cn))) != TMON_OK ||
		    (rc = str_into(d, subj, p, "organization", TJSON_OPTIONAL,
		    ca->org, sizeof(ca->org))) != TMON_OK)
			goto out;
	}
	if ((rc = tjson_object(d, obj, path, "certChain", 0, &chain)) !=
	    TMON_OK)
		goto out;
	tjson_path(p, sizeof(p), path, "certChain");
	if ((rc = tjson_array(d, chain, p, "certificates", 1, MAX_X509_CHAIN,
	    0, &certs)) != TMON_OK)
		goto out;
	tjson_path(q, sizeof(q), p, "certificates");
	json_array_foreach(certs, i, c) {
		tjson_path_index(e, sizeof(e), q, i);
		if ((rc = tjson_b64(d, c, e, "rawBytes",
		    MAX_SIGSTORE_CERT_LEN, 0, &ca->der[i], &ca->der_len[i])) !=
		    TMON_OK)
			goto out;
		ca->n = i + 1;
		dp = ca->der[i];
		x = d2i_X509(NULL, &dp, (long)ca->der_len[i]);
		if (x == NULL || dp != ca->der[i] + ca->der_len[i]) {
			X509_free(x);
			if (x509_drain_errors("sigstore: trusted root "
			    "certificate")) {
				rc = tjson_fail(d, TMON_E_CRYPTO_LIB, e,
				    "OpenSSL failed decoding the certificate");
				goto out;
			}
			rc = tjson_fail(d, TMON_E_PARSE, tjson_path(p,
			    sizeof(p), e, "rawBytes"), "is not exactly one "
			    "DER certificate");
			goto out;
		}
		X509_free(x);
	}
	rc = valid_for(d, obj, path, &ca->start, &ca->end);
out:
	if (rc != TMON_OK)
		ca_release(ca);
	return rc;
}

/* ---- the root ---- */

static enum tmon_rc
parse_logs(struct tjson_doc *d, const json_t *top, const char *key,
    size_t min, bool tlog, struct sigstore_log_key **out, size_t *nout)
{
	char p[MAX_JSON_PATH];
	json_t *arr = NULL, *v;
	struct sigstore_log_key *k;
	size_t i, j;
	enum tmon_rc rc;

	*out = NULL;
	*nout = 0;
	if ((rc = tjson_array(d, top, "", key, min, MAX_SIGSTORE_LOGS,
	    min == 0 ? TJSON_OPTIONAL : 0, &arr)) != TMON_OK || arr == NULL)
		return rc;
	if (json_array_size(arr) == 0)
		return TMON_OK;
	k = xcalloc(json_array_size(arr), sizeof(*k));
	*out = k;
	json_array_foreach(arr, i, v) {
		tjson_path_index(p, sizeof(p), key, i);
		if (!json_is_object(v))
			return tjson_fail(d, TMON_E_PARSE, p, "must be an "
			    "object");
		if ((rc = parse_log(d, v, p, tlog, &k[i])) != TMON_OK)
			return rc;
		*nout = i + 1;
		for (j = 0; j < i; j++)
			if (memcmp(k[j].log_id, k[i].log_id, 32) == 0)
				return tjson_fail(d, TMON_E_PARSE, p, "has the "
				    "log id of %s[%zu]", key, j);
	}
	return TMON_OK;
}

static enum tmon_rc
parse_cas(struct tjson_doc *d, const json_t *top, const char *key,
    size_t min, struct sigstore_ca **out, size_t *nout)
{
	char p[MAX_JSON_PATH];
	json_t *arr = NULL, *v;
	size_t i;
	enum tmon_rc rc;

	*out = NULL;
	*nout = 0;
	if ((rc = tjson_array(d, top, "", key, min, MAX_SIGSTORE_CAS,
	    min == 0 ? TJSON_OPTIONAL : 0, &arr)) != TMON_OK || arr == NULL)
		return rc;
	if (json_array_size(arr) == 0)
		return TMON_OK;
	*out = xcalloc(json_array_size(arr), sizeof(**out));
	json_array_foreach(arr, i, v) {
		tjson_path_index(p, sizeof(p), key, i);
		if (!json_is_object(v))
			return tjson_fail(d, TMON_E_PARSE, p, "must be an "
			    "object");
		if ((rc = parse_ca(d, v, p, &(*out)[i])) != TMON_OK)
			return rc;
		*nout = i + 1;
	}
	return TMON_OK;
}

enum tmon_rc
sigstore_root_parse(const uint8_t *text, size_t len, const char *what,
    struct sigstore_root **out, struct tmon_err *err)
{
	struct tjson_doc d;
	struct sigstore_root *r;
	json_t *top = NULL;
	const char *mt;
	size_t mtlen;
	enum tmon_rc rc;

	*out = NULL;
	memset(&d, 0, sizeof(d));
	d.name = what != NULL ? what : "trusted root";
	d.err = err;
	r = xcalloc(1, sizeof(*r));
	if (text == NULL) {
		rc = tjson_fail(&d, TMON_E_PARSE, NULL, "no text");
		goto out;
	}
	sha256(text, len, r->sha256);
	if ((rc = tjson_load(&d, text, len, MAX_SIGSTORE_ROOT_LEN,
	    TJSON_OBJECT, &top)) != TMON_OK)
		goto out;
	if ((rc = tjson_str(&d, top, "", "mediaType", MAX_SIGSTORE_NAME, 0,
	    &mt, &mtlen)) != TMON_OK)
		goto out;
	if (strcmp(mt, "application/vnd.dev.sigstore.trustedroot+json;"
	    "version=0.1") != 0 &&
	    strcmp(mt, "application/vnd.dev.sigstore.trustedroot.v0.1+json") !=
	    0 &&
	    strcmp(mt, "application/vnd.dev.sigstore.trustedroot.v0.2+json") !=
	    0) {
		rc = tjson_fail(&d, TMON_E_PARSE, "mediaType", "is not a "
		    "trusted root media type this code reads (version 0.1 "
		    "or 0.2)");
		goto out;
	}
	if ((rc = parse_logs(&d, top, "tlogs", 1, true, &r->tlogs,
	    &r->n_tlogs)) != TMON_OK ||
	    (rc = parse_logs(&d, top, "ctlogs", 0, false, &r->ctlogs,
	    &r->n_ctlogs)) != TMON_OK ||
	    (rc = parse_cas(&d, top, "certificateAuthorities", 1, &r->cas,
	    &r->n_cas)) != TMON_OK ||
	    (rc = parse_cas(&d, top, "timestampAuthorities", 0, &r->tsas,
	    &r->n_tsas)) != TMON_OK)
		goto out;
	*out = r;
	r = NULL;
	rc = TMON_OK;
out:
	json_decref(top);
	sigstore_root_free(r);
	return rc;
}

void
sigstore_root_free(struct sigstore_root *r)
{
	size_t i;

	if (r == NULL)
		return;
	/* in a half-built array the elements past the count hold nothing */
	for (i = 0; i < r->n_tlogs; i++)
		log_release(&r->tlogs[i]);
	free(r->tlogs);
	for (i = 0; i < r->n_ctlogs; i++)
		log_release(&r->ctlogs[i]);
	free(r->ctlogs);
	for (i = 0; i < r->n_cas; i++)
		ca_release(&r->cas[i]);
	free(r->cas);
	for (i = 0; i < r->n_tsas; i++)
		ca_release(&r->tsas[i]);
	free(r->tsas);
	free(r);
}

static const struct sigstore_log_key *
find_log(const struct sigstore_log_key *k, size_t n, const uint8_t id[32])
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(k[i].log_id, id, 32) == 0)
			return &k[i];
	return NULL;
}

const struct sigstore_log_key *
sigstore_root_tlog(const struct sigstore_root *r, const uint8_t log_id[32])
{
	return r == NULL ? NULL : find_log(r->tlogs, r->n_tlogs, log_id);
}

const struct sigstore_log_key *
sigstore_root_ctlog(const struct sigstore_root *r, const uint8_t log_id[32])
{
	return r == NULL ? NULL : find_log(r->ctlogs, r->n_ctlogs, log_id);
}

bool
sigstore_log_valid_at(const struct sigstore_log_key *k, int64_t t)
{
	return t >= k->start && t <= k->end;
}

bool
sigstore_ca_valid_at(const struct sigstore_ca *ca, int64_t t)
{
	return t >= ca->start && t <= ca->end;
}

enum verdict
sigstore_key_verify(const struct sigstore_log_key *k, const uint8_t *sig,
    size_t siglen, const uint8_t *msg, size_t len, const char *what)
{
	const EVP_MD *md;
	EVP_MD_CTX *mctx;
	uint8_t raw[32];
	size_t rawlen = sizeof(raw);
	enum verdict v = VERDICT_ERROR;
	int ok;

	if (k == NULL || k->key == NULL)
		return VERDICT_ERROR;
	switch (k->type) {
	case SIGSTORE_KEY_ED25519:
		if (siglen != 64)
			return VERDICT_FAIL;
		if (EVP_PKEY_get_raw_public_key(k->key, raw, &rawlen) != 1 ||
		    rawlen != 32) {
			(void)x509_drain_errors(what);
			return VERDICT_ERROR;
		}
		return sig_ed25519_verify(raw, sig, msg, len);
	case SIGSTORE_KEY_ECDSA_P256_SHA256:
		md = EVP_sha256();
		break;
	case SIGSTORE_KEY_ECDSA_P384_SHA384:
		md = EVP_sha384();
		break;
	case SIGSTORE_KEY_UNSUPPORTED:
	default:
		return VERDICT_ERROR;
	}
	if (siglen == 0 || siglen > 2 * 72)
		return VERDICT_FAIL;
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(mctx, NULL, md, NULL, k->key) != 1)
		goto out;
	/* 0: does not verify; -1: not DER (a library failure is told
	 * apart below, by the error queue) */
	ok = EVP_DigestVerify(mctx, sig, siglen, msg, len);
	v = ok == 1 ? VERDICT_PASS : VERDICT_FAIL;
out:
	/* a bad signature queues decoding errors; only fatal ones count */
	if (x509_drain_errors(what))
		v = VERDICT_ERROR;
	EVP_MD_CTX_free(mctx);
	return v;
}

char *
sigstore_log_name(const struct sigstore_log_key *k, char *out, size_t outsz)
{
	const char *s = k->base_url;
	size_t n;

	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	n = strcspn(s, "/");
	snprintf(out, outsz, "%.*s", (int)(n < 256 ? n : 256), s);
	return out;
}
