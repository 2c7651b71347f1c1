/*
 * receipt_check.c: receipts submitted by users: parse, check, and what
 * they claim (receipt_check.h).  Pure: no I/O, no clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "encode.h"
#include "log.h"
#include "provenance.h"
#include "receipt_check.h"
#include "sig.h"
#include "tjson.h"
#include "util.h"
#include "xmalloc.h"

/* ---------------------------------------------------------------- */
/* Parsing                                                           */
/* ---------------------------------------------------------------- */

static enum tmon_rc
reject(struct rcpt_reject *rej, unsigned int status, const char *error,
    const char *field)
{
	rej->status = status;
	rej->error = error;
	rej->field = field;
	return TMON_E_PARSE;
}

/*
 * A 400 from the tjson error recorded in d (its message in rej->err):
 * field, or when NULL the path of the member d's error is about.
 */
static enum tmon_rc
reject_doc(struct rcpt_reject *rej, const struct tjson_doc *d,
    const char *field)
{
	if (field == NULL) {
		snprintf(rej->path, sizeof(rej->path), "%s", d->where);
		field = rej->path;
	}
	return reject(rej, 400, rej->err.msg, field);
}

/* An optional string member: absent or null leaves *s as it is. */
#define OPT	(TJSON_OPTIONAL | TJSON_NULL)

static enum tmon_rc
take_model(struct tjson_doc *d, struct rcpt_parsed *p, const char *body_model,
    const char *arg)
{
	if (body_model != NULL && !model_id_valid(body_model))
		return tjson_fail(d, TMON_E_PARSE, "model", "must be 1 to 127 "
		    "printable characters without spaces");
	if (body_model != NULL && arg != NULL &&
	    strcmp(body_model, arg) != 0)
		return tjson_fail(d, TMON_E_PARSE, "model", "differs from "
		    "?model=");
	if (body_model == NULL)
		body_model = arg;
	if (body_model != NULL)
		snprintf(p->model, sizeof(p->model), "%s", body_model);
	return TMON_OK;
}

/* Decode an optional base64 member into *out. */
static enum tmon_rc
b64_member(struct tjson_doc *d, const json_t *obj, const char *key,
    uint8_t **out, size_t *outlen)
{
	const char *s = NULL;
	size_t len = 0;
	enum tmon_rc rc;

	if ((rc = tjson_str(d, obj, "", key, MAX_RECEIPT_BODY, OPT, &s,
	    &len)) != TMON_OK || s == NULL)
		return rc;
	if (len == 0) {
		/* Zero bytes: a valid (empty) body. */
		*out = xmalloc(1);
		*outlen = 0;
		return TMON_OK;
	}
	if ((*out = b64_decode_alloc(s, len, MAX_RECEIPT_BODY, outlen)) ==
	    NULL)
		return tjson_fail(d, TMON_E_PARSE, key, "not standard padded "
		    "base64");
	return TMON_OK;
}

/* Member-name tables are char arrays (no pointers: read-only data). */
#define MEMBER_NAME_LEN		32

static const char sig_members[][MEMBER_NAME_LEN] = {
    "model", "text", "signature", "signing_address", "signing_algo",
    "signature_kind", "request_b64", "response_b64", "archive_bytes" };

static enum tmon_rc
parse_signature(struct tjson_doc *d, struct rcpt_parsed *p, const char *arg)
{
	const char *key, *model = NULL;
	char name[MAX_SIG_NAME];
	json_t *v;
	enum tmon_rc rc;
	size_t i;
	bool known;

	json_object_foreach(p->root, key, v) {
		known = false;
		for (i = 0; i < sizeof(sig_members) / sizeof(sig_members[0]);
		    i++)
			if (strcmp(key, sig_members[i]) == 0)
				known = true;
		if (!known) {
			/* named truncated, non-printables '?' */
			for (i = 0; key[i] != '\0' && i + 1 < sizeof(name);
			    i++)
				name[i] = ((unsigned char)key[i] >= 0x20 &&
				    (unsigned char)key[i] < 0x7f) ? key[i] : '?';
			name[i] = '\0';
			return tjson_fail(d, TMON_E_PARSE, name, "unknown "
			    "member in a signature receipt");
		}
	}
	if ((rc = tjson_str(d, p->root, "", "model", MAX_MODEL_ID, OPT,
	    &model, NULL)) != TMON_OK ||
	    (rc = take_model(d, p, model, arg)) != TMON_OK)
		return rc;
	if (p->model[0] == '\0')
		return tjson_fail(d, TMON_E_PARSE, "model", "missing required "
		    "member (or give ?model=)");
	if ((rc = tjson_str(d, p->root, "", "text", MAX_SIG_TEXT, 0,
	    &p->text, &p->text_len)) != TMON_OK ||
	    (rc = tjson_str(d, p->root, "", "signature", MAX_SIG_HEX, 0,
	    &p->signature, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, p->root, "", "signing_address",
	    MAX_SIG_ADDRESS, 0, &p->signing_address, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, p->root, "", "signing_algo", MAX_SIG_NAME,
	    OPT, &p->signing_algo, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, p->root, "", "signature_kind", MAX_SIG_NAME,
	    OPT, &p->signature_kind, NULL)) != TMON_OK)
		return rc;
	if ((rc = b64_member(d, p->root, "request_b64", &p->request,
	    &p->request_len)) != TMON_OK ||
	    (rc = b64_member(d, p->root, "response_b64", &p->response,
	    &p->response_len)) != TMON_OK ||
	    (rc = tjson_bool(d, p->root, "", "archive_bytes", TJSON_OPTIONAL,
	    &p->archive_bytes)) != TMON_OK)
		return rc;
	p->fmt = RCPT_SIGNATURE;
	return TMON_OK;
}

/*
 * The measurement obj.key {type, registers[]} (Tinfoil
 * AttestationMeasurement), obj being at path.
 */
static enum tmon_rc
check_measurement(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key)
{
	char mp[MAX_JSON_PATH], rp[MAX_JSON_PATH], ep[MAX_JSON_PATH];
	const char *s;
	json_t *m, *regs, *r;
	enum tmon_rc rc;
	size_t i;

	tjson_path(mp, sizeof(mp), path, key);
	tjson_path(rp, sizeof(rp), mp, "registers");
	if ((rc = tjson_object(d, obj, path, key, 0, &m)) != TMON_OK ||
	    (rc = tjson_str(d, m, mp, "type", MAX_RECEIPT_FIELD, 0, &s,
	    NULL)) != TMON_OK ||
	    (rc = tjson_array(d, m, mp, "registers", 0,
	    MAX_RECEIPT_REGISTERS, 0, &regs)) != TMON_OK)
		return rc;
	json_array_foreach(regs, i, r)
		if ((rc = tjson_str(d, r, tjson_path_index(ep, sizeof(ep), rp,
		    i), NULL, MAX_RECEIPT_FIELD, 0, &s, NULL)) != TMON_OK)
			return rc;
	return TMON_OK;
}

static const char pm_strings[][MEMBER_NAME_LEN] = { "configRepo", "enclaveHost",
    "releaseTag", "tlsPublicKey", "hpkePublicKey", "codeFingerprint",
    "enclaveFingerprint", "selectedRouterEndpoint", "verifiedAt" };
static const char pm_steps_required[][MEMBER_NAME_LEN] = { "fetchDigest",
    "verifyCode", "verifyEnclave", "compareMeasurements" };
static const char pm_steps_optional[][MEMBER_NAME_LEN] = { "verifyCertificate",
    "otherError" };

static enum tmon_rc
check_step(struct tjson_doc *d, const json_t *steps, const char *name,
    bool required)
{
	char sp[MAX_JSON_PATH];
	const char *s;
	json_t *st = NULL;
	enum tmon_rc rc;

	if ((rc = tjson_object(d, steps, "steps", name, required ? 0 :
	    TJSON_OPTIONAL, &st)) != TMON_OK || st == NULL)
		return rc;
	tjson_path(sp, sizeof(sp), "steps", name);
	if ((rc = tjson_str(d, st, sp, "status", MAX_SIG_NAME, 0, &s,
	    NULL)) != TMON_OK ||
	    (rc = tjson_str(d, st, sp, "error", MAX_RECEIPT_FIELD, OPT, &s,
	    NULL)) != TMON_OK)
		return rc;
	return TMON_OK;
}

/* Validate a Tinfoil VerificationDocument (receipt_check.h). */
static enum tmon_rc
check_document(struct tjson_doc *d, const json_t *doc)
{
	const char *s;
	json_t *v, *em, *steps;
	enum tmon_rc rc;
	size_t i;
	bool b;

	if ((rc = check_measurement(d, doc, "", "codeMeasurement")) !=
	    TMON_OK ||
	    (rc = tjson_object(d, doc, "", "enclaveMeasurement", 0, &em)) !=
	    TMON_OK ||
	    (rc = check_measurement(d, em, "enclaveMeasurement",
	    "measurement")) != TMON_OK ||
	    (rc = tjson_str(d, em, "enclaveMeasurement",
	    "tlsPublicKeyFingerprint", MAX_RECEIPT_FIELD, OPT, &s, NULL)) !=
	    TMON_OK ||
	    (rc = tjson_str(d, em, "enclaveMeasurement", "hpkePublicKey",
	    MAX_RECEIPT_FIELD, OPT, &s, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, doc, "", "releaseDigest", MAX_RECEIPT_FIELD, 0,
	    &s, NULL)) != TMON_OK)
		return rc;
	for (i = 0; i < sizeof(pm_strings) / sizeof(pm_strings[0]); i++)
		if ((rc = tjson_str(d, doc, "", pm_strings[i],
		    MAX_RECEIPT_FIELD, OPT, &s, NULL)) != TMON_OK)
			return rc;
	if ((rc = tjson_bool(d, doc, "", "securityVerified", 0, &b)) !=
	    TMON_OK)
		return rc;
	/* any integer: tjson_uint() would refuse a negative one */
	v = json_object_get(doc, "schemaVersion");
	if (v != NULL && !json_is_integer(v))
		return tjson_fail(d, TMON_E_PARSE, "schemaVersion", "must be "
		    "an integer");
	v = NULL;
	if ((rc = tjson_object(d, doc, "", "hardwareMeasurement", OPT,
	    &v)) != TMON_OK)
		return rc;
	if (v != NULL && ((rc = tjson_str(d, v, "hardwareMeasurement", "ID",
	    MAX_RECEIPT_FIELD, OPT, &s, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, v, "hardwareMeasurement", "MRTD",
	    MAX_RECEIPT_FIELD, OPT, &s, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, v, "hardwareMeasurement", "RTMR0",
	    MAX_RECEIPT_FIELD, OPT, &s, NULL)) != TMON_OK))
		return rc;
	v = NULL;
	if ((rc = tjson_object(d, doc, "", "verifier", OPT, &v)) != TMON_OK)
		return rc;
	if (v != NULL && ((rc = tjson_str(d, v, "verifier", "name",
	    MAX_RECEIPT_FIELD, OPT, &s, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, v, "verifier", "version", MAX_RECEIPT_FIELD,
	    OPT, &s, NULL)) != TMON_OK))
		return rc;
	if ((rc = tjson_object(d, doc, "", "steps", 0, &steps)) != TMON_OK)
		return rc;
	for (i = 0; i < sizeof(pm_steps_required) /
	    sizeof(pm_steps_required[0]); i++)
		if ((rc = check_step(d, steps, pm_steps_required[i],
		    true)) != TMON_OK)
			return rc;
	for (i = 0; i < sizeof(pm_steps_optional) /
	    sizeof(pm_steps_optional[0]); i++)
		if ((rc = check_step(d, steps, pm_steps_optional[i],
		    false)) != TMON_OK)
			return rc;
	return TMON_OK;
}

static bool
looks_like_document(const json_t *o)
{
	return json_is_object(o) &&
	    json_object_get(o, "codeMeasurement") != NULL &&
	    json_object_get(o, "enclaveMeasurement") != NULL;
}

static enum tmon_rc
parse_private_mode(struct tjson_doc *d, struct rcpt_parsed *p,
    const char *arg, struct rcpt_reject *rej)
{
	const char *key, *model = NULL;
	json_t *v;
	enum tmon_rc rc;
	size_t n = 0;

	if (looks_like_document(p->root)) {
		p->doc = p->root;
		p->doc_key = NULL;
	} else {
		json_object_foreach(p->root, key, v) {
			if (++n > MAX_RECEIPT_MEMBERS)
				break;
			if (looks_like_document(v)) {
				p->doc = v;
				p->doc_key = key;
				break;
			}
		}
	}
	if (p->doc == NULL)
		return reject(rej, 400, "not a receipt: expected a completion "
		    "signature {model, text, signature, signing_address, "
		    "signing_algo} or a NanoGPT Private Mode receipt (a "
		    "verification document with codeMeasurement and "
		    "enclaveMeasurement)", NULL);
	if ((rc = tjson_str(d, p->root, "", "model", MAX_MODEL_ID, OPT,
	    &model, NULL)) != TMON_OK ||
	    (rc = take_model(d, p, model, arg)) != TMON_OK ||
	    (rc = check_document(d, p->doc)) != TMON_OK)
		return reject_doc(rej, d, NULL);
	p->fmt = RCPT_PRIVATE_MODE;
	return TMON_OK;
}

static const char aci_members[][MEMBER_NAME_LEN] = { "receipt",
    "workload_keyset", "model" };

/* Form (c): an ACI receipt, alone or wrapped with its keyset. */
static enum tmon_rc
parse_aci(struct tjson_doc *d, struct rcpt_parsed *p, const char *arg)
{
	const char *key, *model = NULL;
	json_t *v, *rc_obj, *ks = NULL;
	char name[MAX_SIG_NAME];
	enum tmon_rc rc;
	size_t i;
	bool known;

	if (aci_receipt_is(p->root)) {
		if ((rc = take_model(d, p, NULL, arg)) != TMON_OK)
			return rc;
		rc = aci_receipt_parse(d, p->root, "", NULL, NULL, &p->aci);
	} else {
		json_object_foreach(p->root, key, v) {
			known = false;
			for (i = 0; i < sizeof(aci_members) /
			    sizeof(aci_members[0]); i++)
				if (strcmp(key, aci_members[i]) == 0)
					known = true;
			if (!known) {
				for (i = 0; key[i] != '\0' && i + 1 <
				    sizeof(name); i++)
					name[i] = ((unsigned char)key[i] >=
					    0x20 && (unsigned char)key[i] <
					    0x7f) ? key[i] : '?';
				name[i] = '\0';
				return tjson_fail(d, TMON_E_PARSE, name,
				    "unknown member: an ACI receipt is "
				    "wrapped only with workload_keyset and "
				    "model");
			}
		}
		rc_obj = json_object_get(p->root, "receipt");
		if ((rc = tjson_str(d, p->root, "", "model", MAX_MODEL_ID,
		    OPT, &model, NULL)) != TMON_OK ||
		    (rc = take_model(d, p, model, arg)) != TMON_OK ||
		    (rc = tjson_object(d, p->root, "", "workload_keyset",
		    OPT, &ks)) != TMON_OK)
			return rc;
		rc = aci_receipt_parse(d, rc_obj, "receipt", ks,
		    "workload_keyset", &p->aci);
	}
	if (rc != TMON_OK)
		return rc;
	p->fmt = RCPT_ACI;
	return TMON_OK;
}

/* Why a valid JSON value that is not an object is refused. */
static const char *
not_object(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_ARRAY:
		return "expected a JSON object, got an array";
	case JSON_STRING:
		return "expected a JSON object, got a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "expected a JSON object, got a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "expected a JSON object, got true or false";
	case JSON_NULL:
		return "expected a JSON object, got null";
	default:
		return "expected a JSON object";
	}
}

enum tmon_rc
rcpt_parse(const uint8_t *body, size_t len, const char *model,
    struct rcpt_parsed *out, struct rcpt_reject *rej)
{
	struct tjson_doc d;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	memset(rej, 0, sizeof(*rej));
	memset(&d, 0, sizeof(d));
	d.err = &rej->err;
	if (len > MAX_RECEIPT_BODY)
		return reject(rej, 413, "receipt body too large", "body");
	if (model != NULL && !model_id_valid(model))
		return reject(rej, 400, "model must be 1 to 127 printable "
		    "characters without spaces", "model");
	/* Any value, so that a valid non-object is named as such. */
	if (tjson_load(&d, body, len, MAX_RECEIPT_BODY, TJSON_ANY,
	    &out->root) != TMON_OK) {
		rc = reject_doc(rej, &d, "body");
		goto fail;
	}
	if (!json_is_object(out->root)) {
		rc = reject(rej, 400, not_object(out->root), "body");
		goto fail;
	}
	if (aci_receipt_is(out->root) || aci_receipt_is(json_object_get(
	    out->root, "receipt")))
		rc = parse_aci(&d, out, model) != TMON_OK ?
		    reject_doc(rej, &d, NULL) : TMON_OK;
	else if (json_object_get(out->root, "text") != NULL ||
	    json_object_get(out->root, "signature") != NULL)
		rc = parse_signature(&d, out, model) != TMON_OK ?
		    reject_doc(rej, &d, NULL) : TMON_OK;
	else
		rc = parse_private_mode(&d, out, model, rej);
	if (rc != TMON_OK)
		goto fail;
	return TMON_OK;
fail:
	rcpt_parsed_free(out);
	return rc;
}

void
rcpt_parsed_free(struct rcpt_parsed *p)
{
	if (p == NULL)
		return;
	json_decref(p->root);
	free(p->request);
	free(p->response);
	memset(p, 0, sizeof(*p));
}

/* ---------------------------------------------------------------- */
/* Checks                                                            */
/* ---------------------------------------------------------------- */

static const char *
algo_or_ecdsa(const char *a)
{
	return a != NULL && a[0] != '\0' ? a : "ecdsa";
}

static void
verify_signature(struct verify_ctx *vc, const struct rcpt_parsed *p,
    const struct rcpt_probe *pr, struct checklist *cl)
{
	struct sig_input in;
	bool use_attested;

	use_attested = pr->have && pr->signing_address[0] != '\0' &&
	    strcasecmp(algo_or_ecdsa(pr->signing_algo),
	    algo_or_ecdsa(p->signing_algo)) == 0;
	memset(&in, 0, sizeof(in));
	in.text = p->text;
	in.text_len = p->text_len;
	in.signature = p->signature;
	in.signing_address = p->signing_address;
	in.signing_algo = p->signing_algo;
	in.request = p->request;
	in.request_len = p->request_len;
	in.response = p->response;
	in.response_len = p->response_len;
	in.request_sha256 = p->has_request_sha256 ? p->request_sha256 : NULL;
	in.response_sha256 = p->has_response_sha256 ? p->response_sha256 :
	    NULL;
	in.attested_address = use_attested ? pr->signing_address : NULL;
	in.vc = vc;
	sig_check_completion(&in, cl);

	if (!pr->have)
		checklist_set(cl, "receipt.attested_key", CHECK_WARN,
		    "tmon has no probe of %s: the signer was not compared "
		    "with an attested key", p->model);
	else if (pr->signing_address[0] == '\0')
		checklist_set(cl, "receipt.attested_key", CHECK_WARN,
		    "the latest probe of %s (seq %llu, verdict %s) logged no "
		    "signing key: the signer was not compared with an "
		    "attested key", p->model, (unsigned long long)pr->seq,
		    pr->verdict[0] != '\0' ? pr->verdict : "none");
	else if (!use_attested)
		checklist_set(cl, "receipt.attested_key", CHECK_WARN,
		    "the latest probe of %s (seq %llu) attests an %s key, "
		    "this receipt is %s: the signer was not compared",
		    p->model, (unsigned long long)pr->seq,
		    algo_or_ecdsa(pr->signing_algo),
		    algo_or_ecdsa(p->signing_algo));
	else if (strcmp(pr->verdict, "pass") != 0)
		checklist_set(cl, "receipt.attested_key", CHECK_WARN,
		    "signer compared with %s from the latest probe of %s "
		    "(seq %llu), but that probe's verdict is %s: not a "
		    "trusted attestation", pr->signing_address, p->model,
		    (unsigned long long)pr->seq,
		    pr->verdict[0] != '\0' ? pr->verdict : "none");
	else
		checklist_set(cl, "receipt.attested_key", CHECK_PASS,
		    "signer compared with %s, attested by probe seq %llu of "
		    "%s (verdict pass)", pr->signing_address,
		    (unsigned long long)pr->seq, p->model);
}

/* The string member key of obj, or NULL. */
static const char *
str_of(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Hex (or any) strings compared without case. */
static bool
same_text(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

/*
 * Tinfoil's measurement fingerprint (tinfoil-js verifier types.ts,
 * measurementFingerprint): the register itself when there is one, else
 * the lower-case hex SHA-256 of the type followed by every register, as
 * text.  Returns false when m has no register.
 */
static bool
fingerprint(const json_t *m, char out[MAX_RECEIPT_FIELD + 1])
{
	const json_t *regs = json_object_get(m, "registers");
	const char *type = str_of(m, "type"), *r;
	uint8_t md[32];
	char *cat;
	size_t i, len, n = json_array_size(regs);

	if (n == 0 || type == NULL)
		return false;
	if (n == 1) {
		snprintf(out, MAX_RECEIPT_FIELD + 1, "%s",
		    json_string_value(json_array_get(regs, 0)));
		return true;
	}
	/* Bounded: 1 + MAX_RECEIPT_REGISTERS strings of MAX_RECEIPT_FIELD. */
	len = strlen(type);
	for (i = 0; i < n; i++)
		len += strlen(json_string_value(json_array_get(regs, i)));
	cat = xmalloc(len + 1);
	len = strlen(type);
	memcpy(cat, type, len);
	for (i = 0; i < n; i++) {
		r = json_string_value(json_array_get(regs, i));
		memcpy(cat + len, r, strlen(r));
		len += strlen(r);
	}
	sha256(cat, len, md);
	free(cat);
	hex_encode(md, 32, out);
	return true;
}

static void
check_fingerprint(struct checklist *cl, const char *id, const json_t *doc,
    const char *key, const json_t *m)
{
	char want[MAX_RECEIPT_FIELD + 1];
	const char *claimed = str_of(doc, key);

	if (claimed == NULL)
		checklist_set(cl, id, CHECK_SKIP, "no %s in the receipt", key);
	else if (!fingerprint(m, want))
		checklist_set(cl, id, CHECK_FAIL, "%s given but its "
		    "measurement has no register", key);
	else if (!same_text(claimed, want))
		checklist_set(cl, id, CHECK_FAIL, "%s %.16s... does not "
		    "recompute from its measurement (%.16s...)", key, claimed,
		    want);
	else
		checklist_set(cl, id, CHECK_PASS, "%s %.16s... recomputes "
		    "from its measurement", key, claimed);
}

/* Tinfoil predicate types (tinfoil-js verifier types.ts PredicateType). */
#define PT_SEV_V2	"https://tinfoil.sh/predicate/sev-snp-guest/v2"
#define PT_MULTI_V1	"https://tinfoil.sh/predicate/snp-tdx-multiplatform/v1"

static const char *
reg(const json_t *m, size_t i)
{
	return json_string_value(json_array_get(json_object_get(m,
	    "registers"), i));
}

/* Tinfoil's compareMeasurements rule (receipt_check.h). */
static void
check_code_match(struct checklist *cl, const json_t *code,
    const json_t *encl)
{
	const char *ct = str_of(code, "type"), *et = str_of(encl, "type");
	size_t i, nc, ne;

	nc = json_array_size(json_object_get(code, "registers"));
	ne = json_array_size(json_object_get(encl, "registers"));
	if (strcmp(ct, et) == 0) {
		if (nc != ne || nc == 0) {
			checklist_set(cl, "receipt.code_match", CHECK_FAIL,
			    "code measurement has %zu registers, the enclave "
			    "%zu", nc, ne);
			return;
		}
		for (i = 0; i < nc; i++)
			if (!same_text(reg(code, i), reg(encl, i))) {
				checklist_set(cl, "receipt.code_match",
				    CHECK_FAIL, "register %zu: the enclave "
				    "runs %.16s..., the release says %.16s...",
				    i, reg(encl, i), reg(code, i));
				return;
			}
		checklist_set(cl, "receipt.code_match", CHECK_PASS,
		    "enclave measurement equals the release's (%zu "
		    "registers)", nc);
		return;
	}
	if ((strcmp(ct, PT_MULTI_V1) == 0 && strcmp(et, PT_SEV_V2) == 0) ||
	    (strcmp(ct, PT_SEV_V2) == 0 && strcmp(et, PT_MULTI_V1) == 0)) {
		if (nc == 0 || ne == 0 || !same_text(reg(code, 0),
		    reg(encl, 0)))
			checklist_set(cl, "receipt.code_match", CHECK_FAIL,
			    "SNP measurement of the enclave differs from the "
			    "release's");
		else
			checklist_set(cl, "receipt.code_match", CHECK_PASS,
			    "SNP measurement of the enclave equals the "
			    "release's");
		return;
	}
	checklist_set(cl, "receipt.code_match", CHECK_FAIL, "measurement "
	    "types cannot be compared: %.60s vs %.60s", ct, et);
}

static void
check_key_binding(struct checklist *cl, const json_t *doc, const json_t *em)
{
	const char *pairs[2][3] = {
		{ "hpkePublicKey", "hpkePublicKey", "HPKE key" },
		{ "tlsPublicKey", "tlsPublicKeyFingerprint", "TLS key" },
	};
	const char *a, *b;
	size_t i, compared = 0;

	for (i = 0; i < 2; i++) {
		a = str_of(doc, pairs[i][0]);
		b = str_of(em, pairs[i][1]);
		if (a == NULL || b == NULL)
			continue;
		if (!same_text(a, b)) {
			checklist_set(cl, "receipt.key_binding", CHECK_FAIL,
			    "%s %.16s... is not the attested one (%.16s...)",
			    pairs[i][2], a, b);
			return;
		}
		compared++;
	}
	if (compared == 0)
		checklist_set(cl, "receipt.key_binding", CHECK_SKIP,
		    "no key given both at the top and in the enclave "
		    "measurement");
	else
		checklist_set(cl, "receipt.key_binding", CHECK_PASS,
		    "%zu key(s) equal the attested ones", compared);
}

static void
check_claimed(struct checklist *cl, const json_t *doc)
{
	const json_t *steps = json_object_get(doc, "steps");
	const char *st, *bad = NULL, *bad_st = NULL, *bad_err = NULL;
	bool verified = json_is_true(json_object_get(doc, "securityVerified"));
	size_t i;

	for (i = 0; i < sizeof(pm_steps_required) /
	    sizeof(pm_steps_required[0]) && bad == NULL; i++) {
		st = str_of(json_object_get(steps, pm_steps_required[i]),
		    "status");
		if (st == NULL || strcmp(st, "success") != 0) {
			bad = pm_steps_required[i];
			bad_st = st != NULL ? st : "?";
			bad_err = str_of(json_object_get(steps, bad), "error");
		}
	}
	if (verified && bad == NULL)
		checklist_set(cl, "receipt.claimed", CHECK_PASS, "the "
		    "receipt records a successful verification of %.60s "
		    "(release %.40s)", str_of(doc, "enclaveHost") != NULL ?
		    str_of(doc, "enclaveHost") : "the enclave",
		    str_of(doc, "releaseTag") != NULL ?
		    str_of(doc, "releaseTag") : str_of(doc, "releaseDigest"));
	else if (verified)
		checklist_set(cl, "receipt.claimed", CHECK_FAIL, "inconsistent: "
		    "securityVerified is true but step %s is %.20s", bad,
		    bad_st);
	else if (bad != NULL)
		checklist_set(cl, "receipt.claimed", CHECK_FAIL, "the receipt "
		    "records a failed verification: step %s is %.20s%s%.80s",
		    bad, bad_st, bad_err != NULL ? ": " : "",
		    bad_err != NULL ? bad_err : "");
	else
		checklist_set(cl, "receipt.claimed", CHECK_FAIL, "the receipt "
		    "records a failed verification (securityVerified false)");
}

/* One field to compare with tmon's log. */
struct reg_pair {
	const char	*name;
	const char	*claimed;	/* from the receipt */
	const char	*logged;	/* from the probe, "" if none */
};

/* Append name to the comma-separated list l (bounded, truncated). */
static void
list_add(char *l, size_t lsz, const char *name)
{
	size_t n = strlen(l);

	snprintf(l + n, lsz - n, "%s%s", n > 0 ? "," : "", name);
}

/* The fields of the receipt to compare, into pairs (at most 11). */
static size_t
receipt_fields(const json_t *doc, const struct rcpt_probe *pr,
    struct reg_pair pairs[12])
{
	/* docs.tinfoil.sh/verification/predicate: MRTD, RTMR0.. */
	static const char names[][MEMBER_NAME_LEN] = { "MRTD", "RTMR0",
	    "RTMR1", "RTMR2", "RTMR3" };
	const json_t *hw, *em, *m;
	const char *type;
	size_t i, n = 0;

	hw = json_object_get(doc, "hardwareMeasurement");
	if (str_of(hw, "MRTD") != NULL)
		pairs[n++] = (struct reg_pair){ "hw.MRTD", str_of(hw, "MRTD"),
		    pr->mrtd };
	if (str_of(hw, "RTMR0") != NULL)
		pairs[n++] = (struct reg_pair){ "hw.RTMR0", str_of(hw,
		    "RTMR0"), pr->rtmr[0] };
	em = json_object_get(doc, "enclaveMeasurement");
	m = json_object_get(em, "measurement");
	type = str_of(m, "type");
	if (type != NULL && strstr(type, "/tdx-guest/") != NULL) {
		for (i = 0; i < 5 && reg(m, i) != NULL; i++)
			pairs[n++] = (struct reg_pair){ names[i], reg(m, i),
			    i == 0 ? pr->mrtd : pr->rtmr[i - 1] };
	} else if (type != NULL && strcmp(type, PT_MULTI_V1) == 0) {
		/* registers [snp, rtmr1, rtmr2] (tinfoil-js types.ts) */
		if (reg(m, 1) != NULL)
			pairs[n++] = (struct reg_pair){ "RTMR1", reg(m, 1),
			    pr->rtmr[1] };
		if (reg(m, 2) != NULL)
			pairs[n++] = (struct reg_pair){ "RTMR2", reg(m, 2),
			    pr->rtmr[2] };
	}
	if (str_of(em, "tlsPublicKeyFingerprint") != NULL)
		pairs[n++] = (struct reg_pair){ "tls_fp", str_of(em,
		    "tlsPublicKeyFingerprint"), pr->tls_fingerprint };
	if (str_of(doc, "tlsPublicKey") != NULL &&
	    str_of(doc, "tlsPublicKey")[0] != '\0')
		pairs[n++] = (struct reg_pair){ "tlsPublicKey", str_of(doc,
		    "tlsPublicKey"), pr->tls_fingerprint };
	if (str_of(em, "hpkePublicKey") != NULL)
		pairs[n++] = (struct reg_pair){ "hpke", str_of(em,
		    "hpkePublicKey"), pr->hpke_key };
	if (str_of(doc, "hpkePublicKey") != NULL &&
	    str_of(doc, "hpkePublicKey")[0] != '\0')
		pairs[n++] = (struct reg_pair){ "hpkePublicKey", str_of(doc,
		    "hpkePublicKey"), pr->hpke_key };
	return n;
}

/* What tmon cannot know of a verification document (receipt_check.h). */
#define RCPT_UNKNOWABLE	"release (configRepo, releaseDigest, " \
			"codeMeasurement), hw.ID, SNP, the browser's steps"

static void
check_measurement_log(struct checklist *cl, const struct rcpt_parsed *p,
    const struct rcpt_probe *pr)
{
	struct reg_pair pairs[12];
	char same[96] = "", diff[96] = "";
	size_t i, n, compared = 0, differ = 0;

	if (p->model[0] == '\0') {
		checklist_set(cl, "receipt.measurement", CHECK_WARN, "the "
		    "receipt names no model (add ?model=): its measurement "
		    "was not compared with tmon's log");
		return;
	}
	if (!pr->have) {
		checklist_set(cl, "receipt.measurement", CHECK_WARN, "tmon has "
		    "no probe of %s: the measurement was not compared",
		    p->model);
		return;
	}
	if (!pr->has_meas) {
		checklist_set(cl, "receipt.measurement", CHECK_WARN, "the "
		    "latest probe of %s (seq %llu) logged no measurement",
		    p->model, (unsigned long long)pr->seq);
		return;
	}
	n = receipt_fields(p->doc, pr, pairs);
	for (i = 0; i < n; i++) {
		if (pairs[i].logged[0] == '\0')
			continue;
		compared++;
		if (same_text(pairs[i].claimed, pairs[i].logged))
			list_add(same, sizeof(same), pairs[i].name);
		else {
			list_add(diff, sizeof(diff), pairs[i].name);
			differ++;
		}
	}
	if (differ > 0)
		checklist_set(cl, "receipt.measurement", CHECK_FAIL, "differ "
		    "from tmon's probe seq %llu of %s: %s; matched: %s; "
		    "tmon cannot know: " RCPT_UNKNOWABLE,
		    (unsigned long long)pr->seq, p->model, diff,
		    same[0] != '\0' ? same : "none");
	else if (compared == 0)
		checklist_set(cl, "receipt.measurement", CHECK_WARN, "the "
		    "receipt names no register or key tmon logged for %s "
		    "(probe seq %llu); tmon cannot know: " RCPT_UNKNOWABLE,
		    p->model, (unsigned long long)pr->seq);
	else if (strcmp(pr->verdict, "pass") != 0)
		checklist_set(cl, "receipt.measurement", CHECK_WARN, "matched "
		    "tmon's probe seq %llu of %s: %s, but that probe's verdict "
		    "is %s: not a trusted measurement", (unsigned long long)
		    pr->seq, p->model, same, pr->verdict[0] != '\0' ?
		    pr->verdict : "none");
	else
		checklist_set(cl, "receipt.measurement", CHECK_PASS, "matched "
		    "tmon's probe seq %llu of %s (verdict pass): %s; tmon "
		    "cannot know: " RCPT_UNKNOWABLE, (unsigned long long)
		    pr->seq, p->model, same);
}

static void
verify_private_mode(const struct rcpt_parsed *p, const struct rcpt_probe *pr,
    struct checklist *cl)
{
	const json_t *doc = p->doc, *code, *em, *encl;

	code = json_object_get(doc, "codeMeasurement");
	em = json_object_get(doc, "enclaveMeasurement");
	encl = json_object_get(em, "measurement");
	check_claimed(cl, doc);
	check_code_match(cl, code, encl);
	check_fingerprint(cl, "receipt.code_fp", doc, "codeFingerprint", code);
	check_fingerprint(cl, "receipt.enclave_fp", doc, "enclaveFingerprint",
	    encl);
	check_key_binding(cl, doc, em);
	checklist_set(cl, "receipt.signature", CHECK_WARN, "unsigned: a "
	    "Private Mode receipt carries no signature, so every claim in it "
	    "is the browser's, not the enclave's (anyone can write one): at "
	    "most warn");
	check_measurement_log(cl, p, pr);
}

/* "release v0.0.110", or the digest's first hex digits without a tag. */
static void
prov_name(const struct prov_release *r, char *buf, size_t bufsz)
{
	char hex[65];

	if (r->tag[0] != '\0')
		snprintf(buf, bufsz, "release %s", r->tag);
	else
		snprintf(buf, bufsz, "release %.16s...",
		    hex_encode(r->digest, 32, hex));
}

/* The codeMeasurement of doc against rel's predicate; false (and cl set
 * to FAIL) when it differs. */
static bool
code_is_release(const json_t *doc, const struct prov_release *rel,
    const char *name, struct checklist *cl)
{
	static const char names[3][12] = { "SNP", "RTMR1", "RTMR2" };
	const uint8_t *want[3];
	const json_t *code = json_object_get(doc, "codeMeasurement");
	const char *type = str_of(code, "type"), *r;
	uint8_t have[PROV_REG_LEN];
	char w[2 * PROV_REG_LEN + 1];
	size_t i, n;

	want[0] = rel->pred.snp_measurement;
	want[1] = rel->pred.rtmr1;
	want[2] = rel->pred.rtmr2;
	n = json_array_size(json_object_get(code, "registers"));
	if (type == NULL || strcmp(type, PROV_PREDICATE_MULTIPLATFORM) != 0 ||
	    n != 3) {
		checklist_set(cl, "receipt.provenance", CHECK_FAIL,
		    "codeMeasurement is %.60s with %zu registers, %s's is %s "
		    "with 3", type != NULL ? type : "(no type)", n, name,
		    PROV_PREDICATE_MULTIPLATFORM);
		return false;
	}
	for (i = 0; i < 3; i++) {
		r = reg(code, i);
		if (r == NULL || !hex_decode_exact(r, strlen(r), have,
		    PROV_REG_LEN, false) || memcmp(have, want[i],
		    PROV_REG_LEN) != 0) {
			checklist_set(cl, "receipt.provenance", CHECK_FAIL,
			    "codeMeasurement %s %.96s != %s of %s", names[i],
			    r != NULL ? r : "(none)", hex_encode(want[i],
			    PROV_REG_LEN, w), name);
			return false;
		}
	}
	return true;
}

void
rcpt_verify_provenance(const struct rcpt_parsed *p,
    const struct prov_release *rels, size_t n, struct checklist *cl)
{
	const char *id = "receipt.provenance", *dg, *tag, *repo;
	char name[MAX_PROV_NAME + 16], latest[MAX_PROV_NAME + 16];
	uint8_t digest[32];
	size_t i;

	if (p->fmt != RCPT_PRIVATE_MODE) {
		checklist_set(cl, id, CHECK_SKIP, "not a Private Mode receipt");
		return;
	}
	if (n == 0) {
		checklist_set(cl, id, CHECK_ERROR, "tmon holds no verified "
		    "release for model %s", p->model[0] != '\0' ? p->model :
		    "(none named)");
		return;
	}
	dg = str_of(p->doc, "releaseDigest");
	if (dg == NULL || !hex_decode_exact(dg, strlen(dg), digest, 32,
	    false)) {
		checklist_set(cl, id, CHECK_FAIL, "releaseDigest %.80s is not "
		    "64 hex characters", dg != NULL ? dg : "(none)");
		return;
	}
	for (i = 0; i < n; i++)
		if (memcmp(rels[i].digest, digest, 32) == 0)
			break;
	prov_name(&rels[0], latest, sizeof(latest));
	if (i == n) {
		checklist_set(cl, id, CHECK_FAIL, "releaseDigest %.64s is none "
		    "of the %zu verified releases tmon holds (latest: %s)", dg,
		    n, latest);
		return;
	}
	prov_name(&rels[i], name, sizeof(name));
	tag = str_of(p->doc, "releaseTag");
	if (tag != NULL && rels[i].tag[0] != '\0' &&
	    strcmp(tag, rels[i].tag) != 0) {
		checklist_set(cl, id, CHECK_FAIL, "releaseTag %.64s, but the "
		    "digest is that of %s", tag, name);
		return;
	}
	repo = str_of(p->doc, "configRepo");
	if (repo != NULL && rels[i].repo[0] != '\0' &&
	    strcasecmp(repo, rels[i].repo) != 0) {
		checklist_set(cl, id, CHECK_FAIL, "configRepo %.80s, but tmon "
		    "verified %s for %s", repo, name, rels[i].repo);
		return;
	}
	if (!code_is_release(p->doc, &rels[i], name, cl))
		return;
	if (i == 0)
		checklist_set(cl, id, CHECK_PASS, "releaseDigest and "
		    "codeMeasurement (SNP, RTMR1, RTMR2) are those of the "
		    "latest verified %s", name);
	else
		checklist_set(cl, id, CHECK_WARN, "the receipt names %s, "
		    "older than the latest verified %s; its codeMeasurement "
		    "is that release's", name, latest);
}

void
rcpt_verify(struct verify_ctx *vc, const struct rcpt_parsed *p,
    const struct rcpt_probe *probe, struct checklist *cl)
{
	if (p->fmt == RCPT_SIGNATURE)
		verify_signature(vc, p, probe, cl);
	else if (p->fmt == RCPT_ACI) {
		aci_receipt_verify(&p->aci, cl);
		checklist_set(cl, "receipt.attested_key", CHECK_WARN, "tmon "
		    "does not attest ACI services: the workload keyset is the "
		    "submitter's, not one tmon saw bound to a TEE quote");
	} else
		verify_private_mode(p, probe, cl);
}

/* ---------------------------------------------------------------- */
/* What the receipt claims                                           */
/* ---------------------------------------------------------------- */



static json_t *
jstr_or_null(const char *s)
{
	json_t *j;

	if (s == NULL)
		return json_null();
	/* Strings come from parsed JSON, so they are UTF-8. */
	return (j = json_string(s)) != NULL ? j : json_null();
}

static json_t *
jhash_or_null(const uint8_t *bytes, size_t len)
{
	uint8_t md[32];
	char hex[65];

	if (bytes == NULL)
		return json_null();
	sha256(bytes, len, md);
	return json_string(hex_encode(md, 32, hex));
}

static json_t *
claims_signature(const struct rcpt_parsed *p)
{
	struct sig_text st;
	json_t *c = tjson_chk(json_object());

	tjson_set(c, "text", tjson_chk(json_stringn(p->text, p->text_len)));
	tjson_set(c, "signature", jstr_or_null(p->signature));
	tjson_set(c, "signing_address", jstr_or_null(p->signing_address));
	tjson_set(c, "signing_algo", jstr_or_null(p->signing_algo));
	tjson_set(c, "signature_kind", jstr_or_null(p->signature_kind));
	if (sig_text_parse(p->text, p->text_len, &st, NULL) == TMON_OK &&
	    st.model != NULL)
		tjson_set(c, "text_model", tjson_chk(json_stringn(st.model,
		    st.model_len)));
	else
		tjson_set(c, "text_model", json_null());
	tjson_set(c, "request_sha256", jhash_or_null(p->request, p->request_len));
	tjson_set(c, "request_len", p->request != NULL ?
	    json_integer((json_int_t)p->request_len) : json_null());
	tjson_set(c, "response_sha256", jhash_or_null(p->response,
	    p->response_len));
	tjson_set(c, "response_len", p->response != NULL ?
	    json_integer((json_int_t)p->response_len) : json_null());
	return c;
}

/*
 * What is recorded of a verification document: only the members
 * check_document() validated, and of its objects only the validated
 * members, so the entry holds checked data and stays small whatever else
 * the submitted document carries (that is in the blob).
 */
static const char pm_scalars[][MEMBER_NAME_LEN] = {
    "schemaVersion", "configRepo", "enclaveHost", "releaseTag",
    "releaseDigest", "tlsPublicKey", "hpkePublicKey", "codeFingerprint",
    "enclaveFingerprint", "selectedRouterEndpoint", "securityVerified",
    "verifiedAt" };

/* A copy of the members keys[0..n) of obj that exist (obj may be NULL). */
static json_t *
pick(const json_t *obj, const char (*keys)[MEMBER_NAME_LEN], size_t n)
{
	json_t *o = tjson_chk(json_object()), *v;
	size_t i;

	for (i = 0; i < n; i++)
		if ((v = json_object_get(obj, keys[i])) != NULL)
			tjson_set(o, keys[i], json_deep_copy(v));
	return o;
}

static json_t *
pick_measurement(const json_t *m)
{
	static const char keys[][MEMBER_NAME_LEN] = { "type", "registers" };

	return pick(m, keys, 2);
}

static json_t *
claims_private_mode(const struct rcpt_parsed *p)
{
	static const char em_keys[][MEMBER_NAME_LEN] = {
	    "tlsPublicKeyFingerprint", "hpkePublicKey" };
	static const char hw_keys[][MEMBER_NAME_LEN] = {
	    "ID", "MRTD", "RTMR0" };
	static const char vf_keys[][MEMBER_NAME_LEN] = { "name", "version" };
	static const char st_keys[][MEMBER_NAME_LEN] = { "status", "error" };
	const json_t *doc = p->doc, *em, *v, *steps;
	json_t *c = tjson_chk(json_object()), *o, *so;
	size_t i;

	tjson_set(c, "document_key", jstr_or_null(p->doc_key));
	for (i = 0; i < sizeof(pm_scalars) / sizeof(pm_scalars[0]); i++)
		if ((v = json_object_get(doc, pm_scalars[i])) != NULL)
			tjson_set(c, pm_scalars[i], json_deep_copy(v));
	tjson_set(c, "codeMeasurement", pick_measurement(json_object_get(doc,
	    "codeMeasurement")));
	em = json_object_get(doc, "enclaveMeasurement");
	o = pick(em, em_keys, 2);
	tjson_set(o, "measurement", pick_measurement(json_object_get(em,
	    "measurement")));
	tjson_set(c, "enclaveMeasurement", o);
	if (json_is_object(v = json_object_get(doc, "hardwareMeasurement")))
		tjson_set(c, "hardwareMeasurement", pick(v, hw_keys, 3));
	if (json_is_object(v = json_object_get(doc, "verifier")))
		tjson_set(c, "verifier", pick(v, vf_keys, 2));
	steps = json_object_get(doc, "steps");
	so = tjson_chk(json_object());
	for (i = 0; i < sizeof(pm_steps_required) /
	    sizeof(pm_steps_required[0]); i++)
		tjson_set(so, pm_steps_required[i], pick(json_object_get(steps,
		    pm_steps_required[i]), st_keys, 2));
	for (i = 0; i < sizeof(pm_steps_optional) /
	    sizeof(pm_steps_optional[0]); i++)
		if ((v = json_object_get(steps, pm_steps_optional[i])) != NULL)
			tjson_set(so, pm_steps_optional[i], pick(v, st_keys, 2));
	tjson_set(c, "steps", so);
	return c;
}

static json_t *
claims_aci(const struct rcpt_parsed *p)
{
	static const char keys[][MEMBER_NAME_LEN] = { "receipt_id",
	    "chat_id", "model", "workload_id", "workload_keyset_digest",
	    "endpoint", "method", "served_at" };
	static const char sig_keys[][MEMBER_NAME_LEN] = { "algo", "key_id" };
	const json_t *r = p->aci.receipt, *log;
	json_t *c, *types;
	size_t i;

	c = pick(r, keys, sizeof(keys) / sizeof(keys[0]));
	log = json_object_get(r, "event_log");
	types = tjson_chk(json_array());
	for (i = 0; i < json_array_size(log); i++)
		json_array_append(types, json_object_get(json_array_get(log,
		    i), "type"));
	tjson_set(c, "event_types", types);
	tjson_set(c, "signature", pick(json_object_get(r, "signature"),
	    sig_keys, 2));
	tjson_set(c, "keyset_given", json_boolean(p->aci.keyset != NULL));
	return c;
}

json_t *
rcpt_claims(const struct rcpt_parsed *p)
{
	if (p->fmt == RCPT_ACI)
		return claims_aci(p);
	return p->fmt == RCPT_SIGNATURE ? claims_signature(p) :
	    claims_private_mode(p);
}

const char *
rcpt_format_str(enum rcpt_format fmt)
{
	switch (fmt) {
	case RCPT_SIGNATURE:
		return "signature";
	case RCPT_ACI:
		return "aci";
	default:
		return "nanogpt_private_mode";
	}
}

bool
rcpt_keeps_whole(const struct rcpt_parsed *p)
{
	return p->fmt != RCPT_SIGNATURE || p->archive_bytes ||
	    (p->request == NULL && p->response == NULL);
}
