/*
 * rekor.c: one Rekor entry of a Sigstore bundle (contract in rekor.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "encode.h"
#include "jcs.h"
#include "note.h"
#include "rekor.h"
#include "tjson.h"
#include "util.h"
#include "x509.h"
#include "xmalloc.h"

/* ---- parsing ---- */

/* The path of member key of path, or path itself when key is NULL. */
static char *
mpath(char *buf, size_t bufsz, const char *path, const char *key)
{
	if (key == NULL) {
		snprintf(buf, bufsz, "%s", path);
		return buf;
	}
	return tjson_path(buf, bufsz, path, key);
}

/* A base64 member of exactly n bytes into out. */
static enum tmon_rc
b64_exact(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, uint8_t *out, size_t n)
{
	char p[MAX_JSON_PATH];
	uint8_t *b;
	size_t len;
	enum tmon_rc rc;

	if ((rc = tjson_b64(d, obj, path, key, 64, 0, &b, &len)) != TMON_OK)
		return rc;
	if (len != n) {
		free(b);
		return tjson_fail(d, TMON_E_PARSE, mpath(p, sizeof(p), path,
		    key), "must be %zu bytes, not %zu", n, len);
	}
	memcpy(out, b, n);
	free(b);
	return TMON_OK;
}

static enum tmon_rc
str_into(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, char *out, size_t outsz)
{
	const char *s;
	size_t n;
	enum tmon_rc rc;

	if ((rc = tjson_str(d, obj, path, key, outsz - 1, 0, &s, &n)) ==
	    TMON_OK) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return rc;
}

/*
 * A protobuf int64 in JSON: a decimal string or a number, in [0, max].
 * Absent is 0 (proto3 JSON leaves out a member at its default).
 */
static enum tmon_rc
int_member(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, uint64_t max, uint64_t *out)
{
	*out = 0;
	return tjson_uint(d, obj, path, key, 0, max,
	    TJSON_DECIMAL | TJSON_OPTIONAL, out);
}

static enum tmon_rc
parse_proof(struct tjson_doc *d, const json_t *ip, const char *p,
    struct rekor_entry *e)
{
	char q[MAX_JSON_PATH], h[MAX_JSON_PATH];
	json_t *arr = NULL, *cp = NULL, *v;
	const char *env;
	size_t i, n;
	enum tmon_rc rc;

	if ((rc = int_member(d, ip, p, "logIndex", TLOG_MAX_SIZE - 1,
	    &e->proof_index)) != TMON_OK ||
	    (rc = int_member(d, ip, p, "treeSize", TLOG_MAX_SIZE - 1,
	    &e->tree_size)) != TMON_OK ||
	    (rc = b64_exact(d, ip, p, "rootHash", e->root_hash,
	    TLOG_HASH_LEN)) != TMON_OK)
		return rc;
	/* an empty proof (a tree of one leaf) may be written as no member */
	if ((rc = tjson_array(d, ip, p, "hashes", 0, TLOG_MAX_PROOF,
	    TJSON_OPTIONAL, &arr)) != TMON_OK)
		return rc;
	tjson_path(q, sizeof(q), p, "hashes");
	json_array_foreach(arr, i, v) {
		tjson_path_index(h, sizeof(h), q, i);
		if ((rc = b64_exact(d, v, h, NULL, e->hashes[i],
		    TLOG_HASH_LEN)) != TMON_OK)
			return rc;
		e->nhashes = i + 1;
	}
	if ((rc = tjson_object(d, ip, p, "checkpoint", TJSON_OPTIONAL,
	    &cp)) != TMON_OK || cp == NULL)
		return rc;
	tjson_path(q, sizeof(q), p, "checkpoint");
	if ((rc = tjson_str(d, cp, q, "envelope", MAX_CHECKPOINT_NOTE, 0,
	    &env, &n)) != TMON_OK)
		return rc;
	e->checkpoint = xstrndup(env, n);
	e->checkpoint_len = n;
	e->has_proof = true;
	return TMON_OK;
}

enum tmon_rc
rekor_entry_parse(const json_t *obj, const char *path,
    struct rekor_entry *out, struct tmon_err *err)
{
	struct tjson_doc d;
	char p[MAX_JSON_PATH];
	json_t *o = NULL;
	uint64_t t;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	d.err = err;
	if (path == NULL)
		path = "";
	if (!json_is_object(obj)) {
		rc = tjson_fail(&d, TMON_E_PARSE, path, "must be an object");
		goto out;
	}
	if ((rc = int_member(&d, obj, path, "logIndex", TLOG_MAX_SIZE - 1,
	    &out->log_index)) != TMON_OK ||
	    (rc = tjson_object(&d, obj, path, "logId", 0, &o)) != TMON_OK ||
	    (rc = b64_exact(&d, o, tjson_path(p, sizeof(p), path, "logId"),
	    "keyId", out->log_id, 32)) != TMON_OK ||
	    (rc = tjson_object(&d, obj, path, "kindVersion", 0, &o)) !=
	    TMON_OK)
		goto out;
	tjson_path(p, sizeof(p), path, "kindVersion");
	if ((rc = str_into(&d, o, p, "kind", out->kind,
	    sizeof(out->kind))) != TMON_OK ||
	    (rc = str_into(&d, o, p, "version", out->version,
	    sizeof(out->version))) != TMON_OK)
		goto out;
	if ((rc = int_member(&d, obj, path, "integratedTime", INT64_MAX,
	    &t)) != TMON_OK)
		goto out;
	out->integrated_time = (int64_t)t;
	if ((rc = tjson_b64(&d, obj, path, "canonicalizedBody",
	    MAX_REKOR_BODY, 0, &out->body, &out->body_len)) != TMON_OK)
		goto out;
	o = NULL;
	if ((rc = tjson_object(&d, obj, path, "inclusionPromise",
	    TJSON_OPTIONAL, &o)) != TMON_OK)
		goto out;
	if (o != NULL && (rc = tjson_b64(&d, o, tjson_path(p, sizeof(p),
	    path, "inclusionPromise"), "signedEntryTimestamp", 1024, 0,
	    &out->set, &out->set_len)) != TMON_OK)
		goto out;
	o = NULL;
	if ((rc = tjson_object(&d, obj, path, "inclusionProof",
	    TJSON_OPTIONAL, &o)) != TMON_OK)
		goto out;
	if (o != NULL && (rc = parse_proof(&d, o, tjson_path(p, sizeof(p),
	    path, "inclusionProof"), out)) != TMON_OK)
		goto out;
	rc = TMON_OK;
out:
	if (rc != TMON_OK)
		rekor_entry_free(out);
	return rc;
}

void
rekor_entry_free(struct rekor_entry *e)
{
	if (e == NULL)
		return;
	free(e->body);
	free(e->set);
	free(e->checkpoint);
	memset(e, 0, sizeof(*e));
}

/* ---- the body ---- */

/*
 * Compare a body's record of the signed content with sd: payload hash
 * (hash object {algorithm, value}), one signature (sig_b64: the base64
 * of the signature bytes) and the verifier (pem_b64: base64 of the PEM
 * certificate).  Returns a check status with why.
 */
static enum check_status
same_content(struct tjson_doc *d, const json_t *hash, const char *hpath,
    const char *sig_b64, size_t sig_b64_len, const char *pem_b64,
    size_t pem_b64_len, const struct rekor_signed *sd, char *why,
    size_t whysz)
{
	struct tmon_err *err = d->err;
	struct x509_chain chain;
	const char *alg, *val;
	uint8_t want[32], got[32], *sig = NULL, *pem = NULL;
	size_t siglen, pemlen, n;
	enum check_status st = CHECK_FAIL;

	memset(&chain, 0, sizeof(chain));
	if (tjson_str(d, hash, hpath, "algorithm", 16, 0, &alg, &n) !=
	    TMON_OK || tjson_str(d, hash, hpath, "value", 64, 0, &val, &n) !=
	    TMON_OK) {
		fmt_trunc(why, whysz, "body: %s", err->msg);
		goto out;
	}
	if (strcmp(alg, "sha256") != 0) {
		snprintf(why, whysz, "body: payload hash algorithm is not "
		    "sha256");
		st = CHECK_ERROR;
		goto out;
	}
	if (!hex_decode_exact(val, n, got, 32, false)) {
		snprintf(why, whysz, "body: payload hash is not 64 hex "
		    "characters");
		goto out;
	}
	sha256(sd->payload, sd->payload_len, want);
	if (CRYPTO_memcmp(want, got, 32) != 0) {
		snprintf(why, whysz, "body's payload hash is not the SHA-256 "
		    "of the bundle's DSSE payload");
		goto out;
	}
	if ((sig = b64_decode_alloc(sig_b64, sig_b64_len, 1024, &siglen)) ==
	    NULL) {
		snprintf(why, whysz, "body: signature is not base64");
		goto out;
	}
	if (siglen != sd->sig_len || CRYPTO_memcmp(sig, sd->sig, siglen) !=
	    0) {
		snprintf(why, whysz, "body's signature is not the bundle's "
		    "DSSE signature");
		goto out;
	}
	if ((pem = b64_decode_alloc(pem_b64, pem_b64_len, MAX_PEM_CHAIN_LEN,
	    &pemlen)) == NULL) {
		snprintf(why, whysz, "body: verifier is not base64");
		goto out;
	}
	tmon_err_clear(err);
	if (x509_chain_parse("body's verifier", pem, pemlen, 1, 1, 0, &chain,
	    err) != TMON_OK) {
		snprintf(why, whysz, "%s", err->msg);
		st = err->code == TMON_E_CRYPTO_LIB ? CHECK_ERROR : CHECK_FAIL;
		goto out;
	}
	if (chain.der_len[0] != sd->cert_der_len ||
	    memcmp(chain.der[0], sd->cert_der, sd->cert_der_len) != 0) {
		snprintf(why, whysz, "body's verifier is not the bundle's "
		    "certificate");
		goto out;
	}
	st = CHECK_PASS;
out:
	x509_chain_free(&chain);
	free(sig);
	free(pem);
	return st;
}

/* Rekor types/dsse v0.0.1: spec {payloadHash, signatures[1]}. */
static enum check_status
body_dsse(struct tjson_doc *d, const json_t *spec,
    const struct rekor_signed *sd, char *why, size_t whysz)
{
	json_t *hash = NULL, *sigs = NULL, *s0;
	const char *sig, *ver;
	size_t siglen, verlen;

	if (tjson_object(d, spec, "spec", "payloadHash", 0, &hash) !=
	    TMON_OK || tjson_array(d, spec, "spec", "signatures", 1, 64, 0,
	    &sigs) != TMON_OK)
		goto bad;
	if (json_array_size(sigs) != 1) {
		snprintf(why, whysz, "body has %zu signatures, the bundle one",
		    json_array_size(sigs));
		return CHECK_FAIL;
	}
	s0 = json_array_get(sigs, 0);
	if (tjson_str(d, s0, "spec.signatures[0]", "signature", 1024, 0,
	    &sig, &siglen) != TMON_OK || tjson_str(d, s0,
	    "spec.signatures[0]", "verifier", 2 * MAX_PEM_CHAIN_LEN, 0, &ver,
	    &verlen) != TMON_OK)
		goto bad;
	return same_content(d, hash, "spec.payloadHash", sig, siglen, ver,
	    verlen, sd, why, whysz);
bad:
	fmt_trunc(why, whysz, "body: %s", d->err->msg);
	return CHECK_FAIL;
}

/*
 * Rekor types/intoto v0.0.2: spec.content {payloadHash, envelope
 * {payloadType, signatures[1] {sig: base64(base64(sig)), publicKey}}}.
 */
static enum check_status
body_intoto(struct tjson_doc *d, const json_t *spec,
    const struct rekor_signed *sd, char *why, size_t whysz)
{
	json_t *content = NULL, *hash = NULL, *env = NULL, *sigs = NULL, *s0;
	const char *sig, *pk, *pt = NULL;
	uint8_t *inner = NULL;
	size_t siglen, pklen, ptlen = 0, innerlen;
	enum check_status st;

	if (tjson_object(d, spec, "spec", "content", 0, &content) !=
	    TMON_OK || tjson_object(d, content, "spec.content",
	    "payloadHash", 0, &hash) != TMON_OK || tjson_object(d, content,
	    "spec.content", "envelope", 0, &env) != TMON_OK ||
	    tjson_str(d, env, "spec.content.envelope", "payloadType", 256,
	    TJSON_OPTIONAL, &pt, &ptlen) != TMON_OK ||
	    tjson_array(d, env, "spec.content.envelope", "signatures", 1, 64,
	    0, &sigs) != TMON_OK)
		goto bad;
	if (pt != NULL && (sd->payload_type == NULL ||
	    strcmp(pt, sd->payload_type) != 0)) {
		snprintf(why, whysz, "body's payloadType is not the bundle's");
		return CHECK_FAIL;
	}
	if (json_array_size(sigs) != 1) {
		snprintf(why, whysz, "body has %zu signatures, the bundle one",
		    json_array_size(sigs));
		return CHECK_FAIL;
	}
	s0 = json_array_get(sigs, 0);
	if (tjson_str(d, s0, "spec.content.envelope.signatures[0]", "sig",
	    2048, 0, &sig, &siglen) != TMON_OK || tjson_str(d, s0,
	    "spec.content.envelope.signatures[0]", "publicKey",
	    2 * MAX_PEM_CHAIN_LEN, 0, &pk, &pklen) != TMON_OK)
		goto bad;
	/* sig is base64 of the base64 text of the signature */
	if ((inner = b64_decode_alloc(sig, siglen, 1024, &innerlen)) ==
	    NULL) {
		snprintf(why, whysz, "body: signature is not base64");
		return CHECK_FAIL;
	}
	st = same_content(d, hash, "spec.content.payloadHash",
	    (const char *)inner, innerlen, pk, pklen, sd, why, whysz);
	free(inner);
	return st;
bad:
	fmt_trunc(why, whysz, "body: %s", d->err->msg);
	return CHECK_FAIL;
}

static enum check_status
check_body(const struct rekor_entry *e, const struct rekor_signed *sd,
    char *why, size_t whysz)
{
	struct tjson_doc d;
	struct tmon_err err;
	json_t *b = NULL, *spec = NULL;
	const char *kind, *ver;
	size_t n;
	enum check_status st = CHECK_FAIL;

	memset(&d, 0, sizeof(d));
	tmon_err_clear(&err);
	d.name = "canonicalizedBody";
	d.err = &err;
	if (tjson_load(&d, e->body, e->body_len, MAX_REKOR_BODY,
	    TJSON_OBJECT, &b) != TMON_OK ||
	    tjson_str(&d, b, "", "kind", MAX_REKOR_KIND - 1, 0, &kind, &n) !=
	    TMON_OK ||
	    tjson_str(&d, b, "", "apiVersion", MAX_REKOR_KIND - 1, 0, &ver,
	    &n) != TMON_OK ||
	    tjson_object(&d, b, "", "spec", 0, &spec) != TMON_OK) {
		snprintf(why, whysz, "%s", err.msg);
		goto out;
	}
	if (strcmp(kind, e->kind) != 0 || strcmp(ver, e->version) != 0) {
		snprintf(why, whysz, "body is %.31s %.31s, kindVersion says "
		    "%s %s", kind, ver, e->kind, e->version);
		goto out;
	}
	if (strcmp(kind, "dsse") == 0 && strcmp(ver, "0.0.1") == 0)
		st = body_dsse(&d, spec, sd, why, whysz);
	else if (strcmp(kind, "intoto") == 0 && strcmp(ver, "0.0.2") == 0)
		st = body_intoto(&d, spec, sd, why, whysz);
	else {
		snprintf(why, whysz, "unsupported entry kind %s %s on a DSSE "
		    "bundle (dsse 0.0.1 and intoto 0.0.2 are)", e->kind,
		    e->version);
		st = CHECK_ERROR;
	}
out:
	json_decref(b);
	return st;
}

/* ---- log signatures ---- */

/*
 * The checkpoint: signed by log, its size and root those of the proof.
 * Inclusion is checked by the caller against the proof's root.
 */
static enum check_status
check_checkpoint(const struct rekor_entry *e,
    const struct sigstore_log_key *log, const char *name, char *why,
    size_t whysz)
{
	struct tmon_err err;
	struct note *n;
	struct note_checkpoint cp;
	uint32_t hint;
	uint8_t *sig = NULL;
	size_t i, siglen;
	enum verdict v;
	enum check_status st = CHECK_FAIL;

	n = xcalloc(1, sizeof(*n));
	tmon_err_clear(&err);
	if (note_parse((const uint8_t *)e->checkpoint, e->checkpoint_len, n,
	    &err) != TMON_OK) {
		fmt_trunc(why, whysz, "checkpoint is not a signed note: %s",
		    err.msg);
		goto out;
	}
	if (note_checkpoint_parse(n->text, n->text_len, &cp, &err) !=
	    TMON_OK) {
		fmt_trunc(why, whysz, "checkpoint text: %s", err.msg);
		goto out;
	}
	hint = (uint32_t)log->checkpoint_key_id[0] << 24 |
	    (uint32_t)log->checkpoint_key_id[1] << 16 |
	    (uint32_t)log->checkpoint_key_id[2] << 8 |
	    (uint32_t)log->checkpoint_key_id[3];
	for (i = 0; i < n->nsigs; i++)
		if (n->sigs[i].id == hint)
			break;
	if (i == n->nsigs) {
		snprintf(why, whysz, "checkpoint has no signature by %s (key "
		    "id %08" PRIx32 ")", name, hint);
		goto out;
	}
	if ((sig = b64_decode_alloc(n->sigs[i].b64, n->sigs[i].b64_len, 1024,
	    &siglen)) == NULL || siglen < 5) {
		snprintf(why, whysz, "checkpoint signature line is not "
		    "base64");
		goto out;
	}
	v = sigstore_key_verify(log, sig + 4, siglen - 4, n->text,
	    n->text_len, "rekor: checkpoint");
	if (v != VERDICT_PASS) {
		snprintf(why, whysz, v == VERDICT_FAIL ? "checkpoint "
		    "signature does not verify by %s" : "checkpoint signature "
		    "by %s could not be checked", name);
		st = verdict_check(v);
		goto out;
	}
	if (cp.size != e->tree_size ||
	    memcmp(cp.root, e->root_hash, TLOG_HASH_LEN) != 0) {
		snprintf(why, whysz, "checkpoint's tree (size %" PRIu64 ") is "
		    "not the inclusion proof's (size %" PRIu64 ")", cp.size,
		    e->tree_size);
		goto out;
	}
	snprintf(why, whysz, "checkpoint of %s at size %" PRIu64 " signed by "
	    "%s", name, cp.size, name);
	st = CHECK_PASS;
out:
	free(sig);
	free(n);
	return st;
}

/*
 * The SET: the log's signature over the canonical JSON of {body,
 * integratedTime, logID, logIndex}.
 */
static enum check_status
check_set(const struct rekor_entry *e, const struct sigstore_log_key *log,
    const char *name, char *why, size_t whysz)
{
	struct tmon_err err;
	struct buf b;
	json_t *o;
	char *body64, idhex[65];
	enum verdict v;
	enum check_status st = CHECK_ERROR;

	body64 = xmalloc(B64_ENCODED_LEN(e->body_len) + 1);
	b64_encode(e->body, e->body_len, body64);
	hex_encode(e->log_id, 32, idhex);
	o = tjson_chk(json_object());
	tjson_set(o, "body", tjson_chk(json_string(body64)));
	tjson_set(o, "integratedTime",
	    tjson_chk(json_integer(e->integrated_time)));
	tjson_set(o, "logID", tjson_chk(json_string(idhex)));
	tjson_set(o, "logIndex",
	    tjson_chk(json_integer((json_int_t)e->log_index)));
	buf_init(&b, 2 * MAX_REKOR_BODY);
	tmon_err_clear(&err);
	if (jcs_append(&b, o, &err) != TMON_OK) {
		fmt_trunc(why, whysz, "SET payload: %s", err.msg);
		goto out;
	}
	v = sigstore_key_verify(log, e->set, e->set_len, b.data, b.len,
	    "rekor: SET");
	if (v != VERDICT_PASS) {
		snprintf(why, whysz, v == VERDICT_FAIL ? "SET signature does "
		    "not verify by %s" : "SET signature by %s could not be "
		    "checked", name);
		st = verdict_check(v);
		goto out;
	}
	if (!sigstore_log_valid_at(log, e->integrated_time)) {
		snprintf(why, whysz, "%s's key is not valid at the integrated "
		    "time %" PRId64, name, e->integrated_time);
		st = CHECK_FAIL;
		goto out;
	}
	snprintf(why, whysz, "SET by %s: integrated at %" PRId64 ", log "
	    "index %" PRIu64, name, e->integrated_time, e->log_index);
	st = CHECK_PASS;
out:
	buf_free(&b);
	json_decref(o);
	free(body64);
	return st;
}

/* ---- the entry ---- */

static enum verdict
worst(enum verdict v, enum check_status st)
{
	if (st == CHECK_FAIL || v == VERDICT_FAIL)
		return VERDICT_FAIL;
	if (st == CHECK_ERROR)
		return VERDICT_ERROR;
	return v;
}

enum verdict
rekor_entry_check(const struct sigstore_root *root,
    const struct rekor_entry *e, const struct rekor_signed *sd,
    struct rekor_result *res, struct checklist *cl)
{
	const struct sigstore_log_key *log;
	char why[MAX_CHECK_DETAIL], name[64], idhex[65];
	uint8_t leaf[TLOG_HASH_LEN];
	enum check_status body, inc = CHECK_SKIP, cpt = CHECK_SKIP,
	    set = CHECK_SKIP;
	enum verdict v = VERDICT_PASS;

	memset(res, 0, sizeof(*res));
	res->log_index = e->log_index;
	res->integrated_time = e->integrated_time;

	/* what the bundle signed */
	why[0] = '\0';
	body = check_body(e, sd, why, sizeof(why));
	if (body == CHECK_PASS)
		snprintf(why, sizeof(why), "%s %s entry at log index %" PRIu64
		    " records the bundle's payload, signature and "
		    "certificate", e->kind, e->version, e->log_index);
	checklist_set(cl, REKOR_CHECK_BODY, body, "%s", why);
	v = worst(v, body);

	/* the log */
	log = sigstore_root_tlog(root, e->log_id);
	if (log == NULL || log->key == NULL) {
		hex_encode(e->log_id, 32, idhex);
		if (log == NULL)
			snprintf(why, sizeof(why), "log %.16s... is not in the "
			    "trusted root (no key)", idhex);
		else
			snprintf(why, sizeof(why), "log %s has a key of type "
			    "%.64s, which this code does not verify",
			    sigstore_log_name(log, name, sizeof(name)),
			    log->key_details);
		checklist_set(cl, REKOR_CHECK_INCLUSION, CHECK_ERROR, "%s",
		    why);
		checklist_set(cl, REKOR_CHECK_CHECKPOINT, CHECK_ERROR, "%s",
		    why);
		checklist_set(cl, REKOR_CHECK_SET, CHECK_ERROR, "%s", why);
		return worst(v, CHECK_ERROR);
	}
	res->log = log;
	sigstore_log_name(log, name, sizeof(name));

	/* inclusion proof and checkpoint */
	if (e->has_proof) {
		tlog_leaf_hash(e->body, e->body_len, leaf);
		if (e->proof_index >= e->tree_size) {
			inc = CHECK_FAIL;
			snprintf(why, sizeof(why), "inclusion proof index %"
			    PRIu64 " is not in its tree of size %" PRIu64,
			    e->proof_index, e->tree_size);
		} else if (!tlog_verify_inclusion(e->proof_index, e->tree_size,
		    leaf, (const uint8_t (*)[TLOG_HASH_LEN])e->hashes,
		    e->nhashes, e->root_hash)) {
			inc = CHECK_FAIL;
			snprintf(why, sizeof(why), "inclusion proof does not "
			    "lead to the checkpoint's root");
		} else {
			inc = CHECK_PASS;
			snprintf(why, sizeof(why), "entry included at index %"
			    PRIu64 " of a tree of %" PRIu64 " (%s)",
			    e->proof_index, e->tree_size, name);
		}
		checklist_set(cl, REKOR_CHECK_INCLUSION, inc, "%s", why);
		if (e->checkpoint == NULL) {
			cpt = CHECK_FAIL;
			snprintf(why, sizeof(why), "inclusion proof has no "
			    "checkpoint");
		} else
			cpt = check_checkpoint(e, log, name, why, sizeof(why));
		checklist_set(cl, REKOR_CHECK_CHECKPOINT, cpt, "%s", why);
		v = worst(worst(v, inc), cpt);
	} else {
		checklist_set(cl, REKOR_CHECK_INCLUSION, e->set == NULL ?
		    CHECK_FAIL : CHECK_SKIP, "%s", e->set == NULL ? "entry "
		    "has neither an inclusion proof nor a SET" : "no "
		    "inclusion proof (the SET alone vouches for the entry)");
		checklist_set(cl, REKOR_CHECK_CHECKPOINT, CHECK_SKIP,
		    "no inclusion proof, no checkpoint");
		if (e->set == NULL)
			v = VERDICT_FAIL;
	}
	res->included = inc == CHECK_PASS && cpt == CHECK_PASS;

	/* the SET */
	if (e->set != NULL) {
		set = check_set(e, log, name, why, sizeof(why));
		checklist_set(cl, REKOR_CHECK_SET, set, "%s", why);
		v = worst(v, set);
		res->time_verified = set == CHECK_PASS;
	} else
		checklist_set(cl, REKOR_CHECK_SET, CHECK_SKIP, "no SET: the "
		    "integrated time is not verified (an RFC 3161 timestamp "
		    "must vouch for the time)");
	if (v == VERDICT_PASS && !res->time_verified && !res->included)
		v = VERDICT_FAIL;
	return v;
}

enum verdict
rekor_check_entry(const struct sigstore_root *root, const json_t *obj,
    const char *path, const struct rekor_signed *sd,
    struct rekor_result *res, struct checklist *cl)
{
	struct rekor_entry *e;
	struct tmon_err err;
	enum verdict v;

	memset(res, 0, sizeof(*res));
	e = xmalloc(sizeof(*e));
	tmon_err_clear(&err);
	if (rekor_entry_parse(obj, path, e, &err) != TMON_OK) {
		checklist_set(cl, REKOR_CHECK_BODY, CHECK_FAIL, "malformed "
		    "tlog entry: %s", err.msg);
		checklist_set(cl, REKOR_CHECK_INCLUSION, CHECK_FAIL, "malformed "
		    "tlog entry: %s", err.msg);
		checklist_set(cl, REKOR_CHECK_CHECKPOINT, CHECK_FAIL,
		    "malformed tlog entry: %s", err.msg);
		checklist_set(cl, REKOR_CHECK_SET, CHECK_FAIL, "malformed "
		    "tlog entry: %s", err.msg);
		free(e);
		return VERDICT_FAIL;
	}
	v = rekor_entry_check(root, e, sd, res, cl);
	rekor_entry_free(e);
	free(e);
	return v;
}
