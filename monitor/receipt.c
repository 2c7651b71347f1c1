/*
 * receipt.c: receipts: parse, verify, build the entry, and the batching
 * writer (receipt.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "encode.h"
#include "entry.h"
#include "log.h"
#include "receipt.h"
#include "sig.h"
#include "util.h"
#include "verify_ctx.h"
#include "xmalloc.h"

_Static_assert(MAX_RECEIPT_BATCH <= MAX_APPEND_ENTRIES &&
    MAX_RECEIPT_BATCH <= MAX_APPEND_BLOBS,
    "a receipt batch must fit one store_append");
_Static_assert(MAX_RECEIPT_BODY <= MAX_BLOB_LEN,
    "a submitted body must fit a blob");

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
 * obj[key] as a string of at most max bytes: TMON_OK with *s (and *len)
 * set, TMON_E_NOTFOUND when absent (or null when null_ok), TMON_E_PARSE
 * for another type, TMON_E_LIMIT when too long.
 */
static enum tmon_rc
get_str(const json_t *obj, const char *key, size_t max, bool null_ok,
    const char **s, size_t *len)
{
	json_t *v = json_object_get(obj, key);

	*s = NULL;
	if (len != NULL)
		*len = 0;
	if (v == NULL || (null_ok && json_is_null(v)))
		return TMON_E_NOTFOUND;
	if (!json_is_string(v))
		return TMON_E_PARSE;
	if (json_string_length(v) > max)
		return TMON_E_LIMIT;
	*s = json_string_value(v);
	if (len != NULL)
		*len = json_string_length(v);
	return TMON_OK;
}

/* Map a get_str result to a 400 naming field; required: absent is bad. */
static enum tmon_rc
str_member(const json_t *obj, const char *key, size_t max, bool required,
    const char *field, const char **s, size_t *len, struct rcpt_reject *rej)
{
	switch (get_str(obj, key, max, !required, s, len)) {
	case TMON_OK:
		return TMON_OK;
	case TMON_E_NOTFOUND:
		if (!required)
			return TMON_OK;
		return reject(rej, 400, "missing required member", field);
	case TMON_E_LIMIT:
		return reject(rej, 400, "string too long", field);
	default:
		return reject(rej, 400, "must be a string", field);
	}
}

static enum tmon_rc
take_model(struct rcpt_parsed *p, const char *body_model, const char *arg,
    struct rcpt_reject *rej)
{
	if (body_model != NULL && !store_model_valid(body_model))
		return reject(rej, 400, "model must be 1 to 127 printable "
		    "characters without spaces", "model");
	if (body_model != NULL && arg != NULL &&
	    strcmp(body_model, arg) != 0)
		return reject(rej, 400, "model in the body differs from "
		    "?model=", "model");
	if (body_model == NULL)
		body_model = arg;
	if (body_model != NULL)
		snprintf(p->model, sizeof(p->model), "%s", body_model);
	return TMON_OK;
}

/* Decode an optional base64 member into *out. */
static enum tmon_rc
b64_member(const json_t *obj, const char *key, uint8_t **out, size_t *outlen,
    struct rcpt_reject *rej)
{
	const char *s;
	size_t len;
	enum tmon_rc rc;

	if ((rc = str_member(obj, key, MAX_RECEIPT_BODY, false, key, &s, &len,
	    rej)) != TMON_OK)
		return rc;
	if (s == NULL)
		return TMON_OK;
	if (len == 0) {
		/* Zero bytes: a valid (empty) body. */
		*out = xmalloc(1);
		*outlen = 0;
		return TMON_OK;
	}
	if ((*out = b64_decode_alloc(s, len, MAX_RECEIPT_BODY, outlen)) ==
	    NULL)
		return reject(rej, 400, "not standard padded base64", key);
	return TMON_OK;
}

static const char *const sig_members[] = { "model", "text", "signature",
    "signing_address", "signing_algo", "signature_kind", "request_b64",
    "response_b64", "archive_bytes" };

static enum tmon_rc
parse_signature(struct rcpt_parsed *p, const char *arg,
    struct rcpt_reject *rej)
{
	const char *key, *model = NULL;
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
			for (i = 0; key[i] != '\0' &&
			    i + 1 < sizeof(rej->name); i++)
				rej->name[i] = ((unsigned char)key[i] >= 0x20 &&
				    (unsigned char)key[i] < 0x7f) ? key[i] : '?';
			rej->name[i] = '\0';
			return reject(rej, 400, "unknown member in a "
			    "signature receipt", rej->name);
		}
	}
	if ((rc = str_member(p->root, "model", MAX_MODEL_ID, false, "model",
	    &model, NULL, rej)) != TMON_OK ||
	    (rc = take_model(p, model, arg, rej)) != TMON_OK)
		return rc;
	if (p->model[0] == '\0')
		return reject(rej, 400, "missing required member (or give "
		    "?model=)", "model");
	if ((rc = str_member(p->root, "text", MAX_SIG_TEXT, true, "text",
	    &p->text, &p->text_len, rej)) != TMON_OK ||
	    (rc = str_member(p->root, "signature", MAX_SIG_HEX, true,
	    "signature", &p->signature, NULL, rej)) != TMON_OK ||
	    (rc = str_member(p->root, "signing_address", MAX_SIG_ADDRESS,
	    true, "signing_address", &p->signing_address, NULL, rej)) !=
	    TMON_OK ||
	    (rc = str_member(p->root, "signing_algo", MAX_SIG_NAME, false,
	    "signing_algo", &p->signing_algo, NULL, rej)) != TMON_OK ||
	    (rc = str_member(p->root, "signature_kind", MAX_SIG_NAME, false,
	    "signature_kind", &p->signature_kind, NULL, rej)) != TMON_OK)
		return rc;
	if ((rc = b64_member(p->root, "request_b64", &p->request,
	    &p->request_len, rej)) != TMON_OK ||
	    (rc = b64_member(p->root, "response_b64", &p->response,
	    &p->response_len, rej)) != TMON_OK)
		return rc;
	v = json_object_get(p->root, "archive_bytes");
	if (v != NULL && !json_is_boolean(v))
		return reject(rej, 400, "must be true or false",
		    "archive_bytes");
	p->archive_bytes = json_is_true(v);
	p->fmt = RCPT_SIGNATURE;
	return TMON_OK;
}

/* A measurement {type, registers[]} (Tinfoil AttestationMeasurement). */
static enum tmon_rc
check_measurement(const json_t *m, const char *field,
    const char *type_field, const char *regs_field, struct rcpt_reject *rej)
{
	const char *s;
	json_t *regs, *r;
	enum tmon_rc rc;
	size_t i;

	if (!json_is_object(m))
		return reject(rej, 400, "must be an object", field);
	if ((rc = str_member(m, "type", MAX_RECEIPT_FIELD, true, type_field,
	    &s, NULL, rej)) != TMON_OK)
		return rc;
	regs = json_object_get(m, "registers");
	if (!json_is_array(regs))
		return reject(rej, 400, "must be an array of strings",
		    regs_field);
	if (json_array_size(regs) > MAX_RECEIPT_REGISTERS)
		return reject(rej, 400, "too many registers", regs_field);
	json_array_foreach(regs, i, r) {
		if (!json_is_string(r))
			return reject(rej, 400, "must be an array of strings",
			    regs_field);
		if (json_string_length(r) > MAX_RECEIPT_FIELD)
			return reject(rej, 400, "string too long", regs_field);
	}
	return TMON_OK;
}

static const char *const pm_strings[] = { "configRepo", "enclaveHost",
    "releaseTag", "tlsPublicKey", "hpkePublicKey", "codeFingerprint",
    "enclaveFingerprint", "selectedRouterEndpoint", "verifiedAt" };
static const char *const pm_steps_required[] = { "fetchDigest",
    "verifyCode", "verifyEnclave", "compareMeasurements" };
static const char *const pm_steps_optional[] = { "verifyCertificate",
    "otherError" };

static enum tmon_rc
check_step(const json_t *steps, const char *name, bool required,
    struct rcpt_reject *rej)
{
	const char *s;
	json_t *st;
	enum tmon_rc rc;

	st = json_object_get(steps, name);
	if (st == NULL) {
		if (required)
			return reject(rej, 400, "missing required step",
			    "steps");
		return TMON_OK;
	}
	if (!json_is_object(st))
		return reject(rej, 400, "a step must be an object", "steps");
	if ((rc = str_member(st, "status", MAX_SIG_NAME, true, "steps",
	    &s, NULL, rej)) != TMON_OK ||
	    (rc = str_member(st, "error", MAX_RECEIPT_FIELD, false, "steps",
	    &s, NULL, rej)) != TMON_OK)
		return rc;
	return TMON_OK;
}

/* Validate a Tinfoil VerificationDocument (receipt.h). */
static enum tmon_rc
check_document(const json_t *d, struct rcpt_reject *rej)
{
	const char *s;
	json_t *v, *em, *steps;
	enum tmon_rc rc;
	size_t i;

	if ((rc = check_measurement(json_object_get(d, "codeMeasurement"),
	    "codeMeasurement", "codeMeasurement.type",
	    "codeMeasurement.registers", rej)) != TMON_OK)
		return rc;
	em = json_object_get(d, "enclaveMeasurement");
	if (!json_is_object(em))
		return reject(rej, 400, "must be an object",
		    "enclaveMeasurement");
	if ((rc = check_measurement(json_object_get(em, "measurement"),
	    "enclaveMeasurement.measurement",
	    "enclaveMeasurement.measurement.type",
	    "enclaveMeasurement.measurement.registers", rej)) != TMON_OK ||
	    (rc = str_member(em, "tlsPublicKeyFingerprint",
	    MAX_RECEIPT_FIELD, false,
	    "enclaveMeasurement.tlsPublicKeyFingerprint", &s, NULL, rej)) !=
	    TMON_OK ||
	    (rc = str_member(em, "hpkePublicKey", MAX_RECEIPT_FIELD, false,
	    "enclaveMeasurement.hpkePublicKey", &s, NULL, rej)) != TMON_OK)
		return rc;
	if ((rc = str_member(d, "releaseDigest", MAX_RECEIPT_FIELD, true,
	    "releaseDigest", &s, NULL, rej)) != TMON_OK)
		return rc;
	for (i = 0; i < sizeof(pm_strings) / sizeof(pm_strings[0]); i++)
		if ((rc = str_member(d, pm_strings[i], MAX_RECEIPT_FIELD,
		    false, pm_strings[i], &s, NULL, rej)) != TMON_OK)
			return rc;
	if (!json_is_boolean(json_object_get(d, "securityVerified")))
		return reject(rej, 400, json_object_get(d,
		    "securityVerified") == NULL ? "missing required member" :
		    "must be true or false", "securityVerified");
	v = json_object_get(d, "schemaVersion");
	if (v != NULL && !json_is_integer(v))
		return reject(rej, 400, "must be an integer", "schemaVersion");
	v = json_object_get(d, "hardwareMeasurement");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_object(v))
			return reject(rej, 400, "must be an object",
			    "hardwareMeasurement");
		if ((rc = str_member(v, "ID", MAX_RECEIPT_FIELD, false,
		    "hardwareMeasurement.ID", &s, NULL, rej)) != TMON_OK ||
		    (rc = str_member(v, "MRTD", MAX_RECEIPT_FIELD, false,
		    "hardwareMeasurement.MRTD", &s, NULL, rej)) != TMON_OK ||
		    (rc = str_member(v, "RTMR0", MAX_RECEIPT_FIELD, false,
		    "hardwareMeasurement.RTMR0", &s, NULL, rej)) != TMON_OK)
			return rc;
	}
	v = json_object_get(d, "verifier");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_object(v))
			return reject(rej, 400, "must be an object",
			    "verifier");
		if ((rc = str_member(v, "name", MAX_RECEIPT_FIELD, false,
		    "verifier.name", &s, NULL, rej)) != TMON_OK ||
		    (rc = str_member(v, "version", MAX_RECEIPT_FIELD, false,
		    "verifier.version", &s, NULL, rej)) != TMON_OK)
			return rc;
	}
	steps = json_object_get(d, "steps");
	if (!json_is_object(steps))
		return reject(rej, 400, steps == NULL ?
		    "missing required member" : "must be an object", "steps");
	for (i = 0; i < sizeof(pm_steps_required) /
	    sizeof(pm_steps_required[0]); i++)
		if ((rc = check_step(steps, pm_steps_required[i], true,
		    rej)) != TMON_OK)
			return rc;
	for (i = 0; i < sizeof(pm_steps_optional) /
	    sizeof(pm_steps_optional[0]); i++)
		if ((rc = check_step(steps, pm_steps_optional[i], false,
		    rej)) != TMON_OK)
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
parse_private_mode(struct rcpt_parsed *p, const char *arg,
    struct rcpt_reject *rej)
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
	if ((rc = str_member(p->root, "model", MAX_MODEL_ID, false, "model",
	    &model, NULL, rej)) != TMON_OK ||
	    (rc = take_model(p, model, arg, rej)) != TMON_OK)
		return rc;
	if ((rc = check_document(p->doc, rej)) != TMON_OK)
		return rc;
	p->fmt = RCPT_PRIVATE_MODE;
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
	json_error_t jerr;
	enum tmon_rc rc;

	memset(out, 0, sizeof(*out));
	memset(rej, 0, sizeof(*rej));
	if (len > MAX_RECEIPT_BODY)
		return reject(rej, 413, "receipt body too large", "body");
	if (model != NULL && !store_model_valid(model))
		return reject(rej, 400, "model must be 1 to 127 printable "
		    "characters without spaces", "model");
	if (!json_text_depth_ok(body, len, MAX_JSON_DEPTH))
		return reject(rej, 400, "JSON nested too deep", "body");
	/* Any value, so that a valid non-object is named as such. */
	out->root = json_loadb((const char *)body, len,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (out->root == NULL) {
		rc = reject(rej, 400, "body is not valid JSON (UTF-8, no "
		    "duplicate keys)", "body");
		goto fail;
	}
	if (!json_is_object(out->root)) {
		rc = reject(rej, 400, not_object(out->root), "body");
		goto fail;
	}
	if (json_object_get(out->root, "text") != NULL ||
	    json_object_get(out->root, "signature") != NULL)
		rc = parse_signature(out, model, rej);
	else
		rc = parse_private_mode(out, model, rej);
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
/* Probe entries                                                     */
/* ---------------------------------------------------------------- */

/* Copy s into out (outsz) if it is a string that fits, else "". */
static void
copy_str(const char *s, char *out, size_t outsz)
{
	out[0] = '\0';
	if (s != NULL && strlen(s) < outsz)
		memcpy(out, s, strlen(s) + 1);
}

/* A 96-hex-digit register, lower-cased, or "". */
static void
copy_reg(const char *s, char out[97])
{
	size_t i;

	copy_str(s, out, 97);
	if (strlen(out) != 96 || !is_hex_text(out, 96)) {
		out[0] = '\0';
		return;
	}
	for (i = 0; i < 96; i++)
		if (out[i] >= 'A' && out[i] <= 'F')
			out[i] = (char)(out[i] - 'A' + 'a');
}

void
rcpt_probe_from_entry(const struct store_entry *e, struct rcpt_probe *out)
{
	static const char *const rtmr_layer[4] = { "platform", "platform",
	    "platform", "instance" };
	json_t *body, *m;
	char key[8];
	int i;

	memset(out, 0, sizeof(*out));
	out->have = true;
	out->seq = e->seq;
	out->time = e->time;
	if (e->verdict != NULL)
		snprintf(out->verdict, sizeof(out->verdict), "%s", e->verdict);
	body = entry_parse(e);
	m = entry_measurement(body);
	if (m != NULL) {
		out->has_meas = true;
		copy_str(entry_meas_str(m, "instance", "signing_address"),
		    out->signing_address, sizeof(out->signing_address));
		copy_str(entry_meas_str(m, "instance", "signing_algo"),
		    out->signing_algo, sizeof(out->signing_algo));
		copy_reg(entry_meas_str(m, "platform", "mrtd"), out->mrtd);
		for (i = 0; i < 4; i++) {
			snprintf(key, sizeof(key), "rtmr%d", i);
			copy_reg(entry_meas_str(m, rtmr_layer[i], key),
			    out->rtmr[i]);
		}
	}
	json_decref(m);
	json_decref(body);
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

/* Tinfoil's compareMeasurements rule (receipt.h). */
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

/* One register pair to compare with tmon's log. */
struct reg_pair {
	const char	*name;
	const char	*claimed;	/* from the receipt */
	const char	*logged;	/* from the probe, "" if none */
};

static void
check_measurement_log(struct checklist *cl, const struct rcpt_parsed *p,
    const struct rcpt_probe *pr)
{
	const json_t *doc = p->doc, *hw, *m;
	struct reg_pair pairs[8];
	const char *type;
	size_t i, n = 0, compared = 0;

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
	if (!pr->has_meas || pr->mrtd[0] == '\0') {
		checklist_set(cl, "receipt.measurement", CHECK_WARN, "the "
		    "latest probe of %s (seq %llu) logged no TDX measurement",
		    p->model, (unsigned long long)pr->seq);
		return;
	}
	hw = json_object_get(doc, "hardwareMeasurement");
	if (str_of(hw, "MRTD") != NULL)
		pairs[n++] = (struct reg_pair){ "MRTD", str_of(hw, "MRTD"),
		    pr->mrtd };
	if (str_of(hw, "RTMR0") != NULL)
		pairs[n++] = (struct reg_pair){ "RTMR0", str_of(hw, "RTMR0"),
		    pr->rtmr[0] };
	m = json_object_get(json_object_get(doc, "enclaveMeasurement"),
	    "measurement");
	type = str_of(m, "type");
	if (type != NULL && strstr(type, "/tdx-guest/") != NULL) {
		/* docs.tinfoil.sh/verification/predicate: MRTD, RTMR0.. */
		static const char *const names[] = { "MRTD", "RTMR0",
		    "RTMR1", "RTMR2", "RTMR3" };
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
	for (i = 0; i < n; i++) {
		if (pairs[i].logged[0] == '\0')
			continue;
		if (!same_text(pairs[i].claimed, pairs[i].logged)) {
			checklist_set(cl, "receipt.measurement", CHECK_FAIL,
			    "%s %.16s... differs from tmon's probe seq %llu of "
			    "%s (%.16s...)", pairs[i].name, pairs[i].claimed,
			    (unsigned long long)pr->seq, p->model,
			    pairs[i].logged);
			return;
		}
		compared++;
	}
	if (compared == 0)
		checklist_set(cl, "receipt.measurement", CHECK_WARN, "the "
		    "receipt names no TDX register tmon logged for %s",
		    p->model);
	else if (strcmp(pr->verdict, "pass") != 0)
		checklist_set(cl, "receipt.measurement", CHECK_WARN, "%zu TDX "
		    "register(s) equal tmon's probe seq %llu of %s, but that "
		    "probe's verdict is %s: not a trusted measurement",
		    compared, (unsigned long long)pr->seq, p->model,
		    pr->verdict[0] != '\0' ? pr->verdict : "none");
	else
		checklist_set(cl, "receipt.measurement", CHECK_PASS, "%zu TDX "
		    "register(s) equal tmon's probe seq %llu of %s (verdict "
		    "pass)", compared, (unsigned long long)pr->seq, p->model);
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

void
rcpt_verify(struct verify_ctx *vc, const struct rcpt_parsed *p,
    const struct rcpt_probe *probe, struct checklist *cl)
{
	if (p->fmt == RCPT_SIGNATURE)
		verify_signature(vc, p, probe, cl);
	else
		verify_private_mode(p, probe, cl);
}

/* ---------------------------------------------------------------- */
/* The entry                                                         */
/* ---------------------------------------------------------------- */

static json_t *
jchk(json_t *j)
{
	if (j == NULL)
		fatalx("receipt: out of memory building json");
	return j;
}

static void
jset(json_t *o, const char *key, json_t *v)
{
	if (json_object_set_new(o, key, jchk(v)) != 0)
		fatalx("receipt: out of memory building json");
}

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
	json_t *c = jchk(json_object());

	jset(c, "text", jchk(json_stringn(p->text, p->text_len)));
	jset(c, "signature", jstr_or_null(p->signature));
	jset(c, "signing_address", jstr_or_null(p->signing_address));
	jset(c, "signing_algo", jstr_or_null(p->signing_algo));
	jset(c, "signature_kind", jstr_or_null(p->signature_kind));
	if (sig_text_parse(p->text, p->text_len, &st, NULL) == TMON_OK &&
	    st.model != NULL)
		jset(c, "text_model", jchk(json_stringn(st.model,
		    st.model_len)));
	else
		jset(c, "text_model", json_null());
	jset(c, "request_sha256", jhash_or_null(p->request, p->request_len));
	jset(c, "request_len", p->request != NULL ?
	    json_integer((json_int_t)p->request_len) : json_null());
	jset(c, "response_sha256", jhash_or_null(p->response,
	    p->response_len));
	jset(c, "response_len", p->response != NULL ?
	    json_integer((json_int_t)p->response_len) : json_null());
	return c;
}

/*
 * What is recorded of a verification document: only the members
 * check_document() validated, and of its objects only the validated
 * members, so the entry holds checked data and stays small whatever else
 * the submitted document carries (that is in the blob).
 */
static const char *const pm_scalars[] = { "schemaVersion", "configRepo",
    "enclaveHost", "releaseTag", "releaseDigest", "tlsPublicKey",
    "hpkePublicKey", "codeFingerprint", "enclaveFingerprint",
    "selectedRouterEndpoint", "securityVerified", "verifiedAt" };

/* A copy of the members keys[0..n) of obj that exist (obj may be NULL). */
static json_t *
pick(const json_t *obj, const char *const *keys, size_t n)
{
	json_t *o = jchk(json_object()), *v;
	size_t i;

	for (i = 0; i < n; i++)
		if ((v = json_object_get(obj, keys[i])) != NULL)
			jset(o, keys[i], json_deep_copy(v));
	return o;
}

static json_t *
pick_measurement(const json_t *m)
{
	static const char *const keys[] = { "type", "registers" };

	return pick(m, keys, 2);
}

static json_t *
claims_private_mode(const struct rcpt_parsed *p)
{
	static const char *const em_keys[] = { "tlsPublicKeyFingerprint",
	    "hpkePublicKey" };
	static const char *const hw_keys[] = { "ID", "MRTD", "RTMR0" };
	static const char *const vf_keys[] = { "name", "version" };
	static const char *const st_keys[] = { "status", "error" };
	const json_t *doc = p->doc, *em, *v, *steps;
	json_t *c = jchk(json_object()), *o, *so;
	size_t i;

	jset(c, "document_key", jstr_or_null(p->doc_key));
	for (i = 0; i < sizeof(pm_scalars) / sizeof(pm_scalars[0]); i++)
		if ((v = json_object_get(doc, pm_scalars[i])) != NULL)
			jset(c, pm_scalars[i], json_deep_copy(v));
	jset(c, "codeMeasurement", pick_measurement(json_object_get(doc,
	    "codeMeasurement")));
	em = json_object_get(doc, "enclaveMeasurement");
	o = pick(em, em_keys, 2);
	jset(o, "measurement", pick_measurement(json_object_get(em,
	    "measurement")));
	jset(c, "enclaveMeasurement", o);
	if (json_is_object(v = json_object_get(doc, "hardwareMeasurement")))
		jset(c, "hardwareMeasurement", pick(v, hw_keys, 3));
	if (json_is_object(v = json_object_get(doc, "verifier")))
		jset(c, "verifier", pick(v, vf_keys, 2));
	steps = json_object_get(doc, "steps");
	so = jchk(json_object());
	for (i = 0; i < sizeof(pm_steps_required) /
	    sizeof(pm_steps_required[0]); i++)
		jset(so, pm_steps_required[i], pick(json_object_get(steps,
		    pm_steps_required[i]), st_keys, 2));
	for (i = 0; i < sizeof(pm_steps_optional) /
	    sizeof(pm_steps_optional[0]); i++)
		if ((v = json_object_get(steps, pm_steps_optional[i])) != NULL)
			jset(so, pm_steps_optional[i], pick(v, st_keys, 2));
	jset(c, "steps", so);
	return c;
}

bool
rcpt_keeps_whole(const struct rcpt_parsed *p)
{
	return p->fmt != RCPT_SIGNATURE || p->archive_bytes ||
	    (p->request == NULL && p->response == NULL);
}

const uint8_t *
rcpt_blob(const struct rcpt_parsed *p, const uint8_t *body, size_t len,
    uint8_t **mem, size_t *blob_len)
{
	json_t *o;

	*mem = NULL;
	if (rcpt_keeps_whole(p)) {
		*blob_len = len;
		return body;
	}
	/* A shallow copy: the members are shared, not changed. */
	o = jchk(json_copy(p->root));
	(void)json_object_del(o, "request_b64");
	(void)json_object_del(o, "response_b64");
	*mem = entry_canonical(o, blob_len);
	json_decref(o);
	return *mem;
}

uint8_t *
rcpt_entry_body(const struct rcpt_parsed *p, const struct rcpt_probe *probe,
    const struct checklist *cl, int64_t time, const uint8_t body_sha256[32],
    size_t body_len, size_t *len)
{
	struct entry_receipt er;
	uint8_t *out;

	memset(&er, 0, sizeof(er));
	er.time = time;
	er.format = p->fmt == RCPT_SIGNATURE ? "signature" :
	    "nanogpt_private_mode";
	er.model = p->model;
	er.submitted_sha256 = body_sha256;
	er.submitted_len = body_len;
	er.media_type = "application/json";
	er.stored = rcpt_keeps_whole(p) ? "whole" : "without_bytes";
	er.claims = p->fmt == RCPT_SIGNATURE ? claims_signature(p) :
	    claims_private_mode(p);
	er.checks = cl;
	er.verdict = check_status_str(checklist_verdict(cl));
	er.has_probe = probe->have;
	er.probe_seq = probe->seq;
	er.probe_time = probe->time;
	er.probe_verdict = probe->verdict;
	out = entry_receipt_body(&er, len);
	json_decref(er.claims);
	return out;
}

/* ---------------------------------------------------------------- */
/* The service: probe lookups and the batching writer                */
/* ---------------------------------------------------------------- */

/* One receipt waiting for the writer. */
struct rcpt_job {
	struct store_entry_in	 in;
	struct store_blob_in	 blob;
	uint8_t			*blob_mem;	/* owned: blob.data, when it
						   is not the submitted body */
	uint8_t			*entry;		/* owned: in.body */
	char			*answer_tail;	/* owned: the 201 answer
						   after "seq" and
						   "leaf_hash" */
	char			 model[MAX_MODEL_ID];
	api_done_fn		 done;
	void			*done_arg;
	struct rcpt_job		*next;
};

struct rcpt {
	char			*db_path;
	struct store		*w;		/* the writer thread's handle */
	pthread_t		 thr;
	pthread_mutex_t		 mu;		/* the queue and counters */
	pthread_cond_t		 work;		/* the writer waits on it */
	struct rcpt_job		*head;
	struct rcpt_job		**tailp;
	size_t			 queued;
	size_t			 active;	/* submitters verifying now */
	bool			 stopping;
	bool			 unwritable;	/* rcpt_set_unwritable */
	uint64_t		 batches;
	uint64_t		 appended;
	size_t			 max_batch;
	/* the submitters' caches (verify_ctx.h: safe for several threads) */
	struct verify_ctx	*vc;
	/* read-only handles for probe lookups, one thread each at a time */
	pthread_mutex_t		 pool_mu;
	struct store		*pool[MAX_API_CONNECTIONS];
	size_t			 npool;
};

/* Tries of one batch when the database stays locked (TMON_E_TIMEOUT). */
#define RCPT_APPEND_TRIES	3
/*
 * Group commit: once woken, the writer waits at most this long for
 * submitters that are still verifying (r->active) to queue their receipt,
 * so that one commit (one fsync) serves as many receipts as possible.  A
 * lone receipt never waits: nobody else is active.
 */
#define RCPT_GATHER_US		2000

static enum tmon_rc
ro_get(struct rcpt *r, struct store **out, struct tmon_err *err)
{
	*out = NULL;
	pthread_mutex_lock(&r->pool_mu);
	if (r->npool > 0)
		*out = r->pool[--r->npool];
	pthread_mutex_unlock(&r->pool_mu);
	if (*out != NULL)
		return TMON_OK;
	return store_open(r->db_path, STORE_RO, out, err);
}

static void
ro_put(struct rcpt *r, struct store *st)
{
	pthread_mutex_lock(&r->pool_mu);
	if (r->npool < sizeof(r->pool) / sizeof(r->pool[0])) {
		r->pool[r->npool++] = st;
		st = NULL;
	}
	pthread_mutex_unlock(&r->pool_mu);
	store_close(st);
}

static int
probe_cb(const struct store_entry *e, void *arg)
{
	rcpt_probe_from_entry(e, arg);
	return 1;
}

/* The newest probe entry of model (probe->have false when none). */
static enum tmon_rc
latest_probe(struct rcpt *r, const char *model, struct rcpt_probe *probe,
    struct tmon_err *err)
{
	struct store_query q;
	struct store *st;
	enum tmon_rc rc;

	memset(probe, 0, sizeof(*probe));
	if (model == NULL || model[0] == '\0')
		return TMON_OK;
	if ((rc = ro_get(r, &st, err)) != TMON_OK)
		return rc;
	store_query_init(&q);
	q.kind = "probe";
	q.model = model;
	q.limit = 1;
	q.newest_first = true;
	rc = store_query(st, &q, probe_cb, probe, err);
	ro_put(r, st);
	return rc;
}

static void
answer_json(struct api_answer *ans, unsigned int status, json_t *root)
{
	char *s;

	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (s == NULL)
		fatalx("receipt: out of memory serialising json");
	ans->status = status;
	ans->json = s;
	ans->json_len = strlen(s);
}

static void
answer_error(struct api_answer *ans, unsigned int status, const char *error,
    const char *field)
{
	answer_json(ans, status, jchk(json_pack("{s:s, s:o}", "error", error,
	    "field", field != NULL ? json_string(field) : json_null())));
}

/* Answer a committed (rc TMON_OK) or failed job and free it. */
static void
finish(struct rcpt_job *j, enum tmon_rc rc, const struct store_appended *app)
{
	struct api_answer ans;
	char hex[65];
	int n;

	memset(&ans, 0, sizeof(ans));
	if (rc == TMON_E_LIMIT)
		answer_error(&ans, 503, "receipts are not accepted right now "
		    "(stopping or overloaded); retry later", NULL);
	else if (rc != TMON_OK)
		answer_error(&ans, 503, "the receipt could not be logged; "
		    "nothing was written, retry later", NULL);
	else {
		/* {"seq":N,"leaf_hash":"..."} + the rest, built beforehand */
		hex_encode(app->leaf, 32, hex);
		n = snprintf(NULL, 0, "{\"seq\":%llu,\"leaf_hash\":\"%s\",%s",
		    (unsigned long long)app->seq, hex, j->answer_tail + 1);
		TMON_ASSERT(n > 0);
		ans.json = xmalloc((size_t)n + 1);
		snprintf(ans.json, (size_t)n + 1, "{\"seq\":%llu,"
		    "\"leaf_hash\":\"%s\",%s", (unsigned long long)app->seq,
		    hex, j->answer_tail + 1);
		ans.json_len = (size_t)n;
		ans.status = 201;
	}
	free(j->entry);
	free(j->blob_mem);
	free(j->answer_tail);
	j->done(j->done_arg, &ans);
	free(j);
}

/* Append one batch; retried while the database stays locked. */
static enum tmon_rc
append_batch(struct rcpt *r, struct rcpt_job **jobs, size_t n,
    struct store_appended *apps)
{
	struct store_entry_in ins[MAX_RECEIPT_BATCH];
	struct store_blob_in blobs[MAX_RECEIPT_BATCH];
	struct tmon_err err;
	enum tmon_rc rc = TMON_E_INTERNAL;
	size_t i;
	int t;

	for (i = 0; i < n; i++) {
		ins[i] = jobs[i]->in;
		blobs[i] = jobs[i]->blob;
	}
	for (t = 0; t < RCPT_APPEND_TRIES; t++) {
		tmon_err_clear(&err);
		rc = store_append(r->w, blobs, n, ins, n, apps, &err);
		if (rc != TMON_E_TIMEOUT)
			break;
		log_warnx("receipts: log locked, retrying a batch of %zu", n);
	}
	if (rc != TMON_OK)
		log_warnx("receipts: %zu receipts not logged: %s", n,
		    err.msg);
	return rc;
}

/* With r->mu held: let the receipts being verified now join the batch. */
static void
gather(struct rcpt *r)
{
	struct timespec until;

	if (r->active == 0 || r->stopping)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += RCPT_GATHER_US * 1000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (r->active > 0 && r->queued < MAX_RECEIPT_BATCH &&
	    !r->stopping)
		if (pthread_cond_timedwait(&r->work, &r->mu, &until) ==
		    ETIMEDOUT)
			break;
}

static void *
writer_main(void *arg)
{
	struct rcpt *r = arg;
	struct rcpt_job *jobs[MAX_RECEIPT_BATCH], *j;
	struct store_appended apps[MAX_RECEIPT_BATCH];
	enum tmon_rc rc;
	size_t n, bytes, i;

	(void)pthread_setname_np(pthread_self(), "tmond-receipts");
	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (r->head == NULL && !r->stopping)
			pthread_cond_wait(&r->work, &r->mu);
		if (r->head == NULL)
			break;
		gather(r);
		/* Everything waiting now, up to one transaction's worth. */
		n = 0;
		bytes = 0;
		while ((j = r->head) != NULL && n < MAX_RECEIPT_BATCH &&
		    (n == 0 || bytes + j->in.body_len + j->blob.len <=
		    MAX_RECEIPT_BATCH_BYTES)) {
			r->head = j->next;
			if (r->head == NULL)
				r->tailp = &r->head;
			r->queued--;
			bytes += j->in.body_len + j->blob.len;
			jobs[n++] = j;
		}
		pthread_mutex_unlock(&r->mu);
		rc = append_batch(r, jobs, n, apps);
		/* Durable (or failed as a whole): answer the batch. */
		for (i = 0; i < n; i++)
			finish(jobs[i], rc, &apps[i]);
		pthread_mutex_lock(&r->mu);
		if (rc == TMON_OK) {
			r->batches++;
			r->appended += n;
			if (n > r->max_batch)
				r->max_batch = n;
		}
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Count the caller as verifying (the writer waits for it to queue). */
static void
enter(struct rcpt *r)
{
	pthread_mutex_lock(&r->mu);
	r->active++;
	pthread_mutex_unlock(&r->mu);
}

/*
 * Stop counting the caller as verifying and queue job (NULL: none) for
 * the writer.  Returns false when the service does not take it (stopping,
 * or MAX_RECEIPT_QUEUE receipts waiting): the caller answers it.
 */
static bool
leave(struct rcpt *r, struct rcpt_job *job)
{
	bool ok = true;

	pthread_mutex_lock(&r->mu);
	r->active--;
	if (job != NULL && (r->stopping || r->queued >= MAX_RECEIPT_QUEUE))
		ok = false;
	else if (job != NULL) {
		job->next = NULL;
		*r->tailp = job;
		r->tailp = &job->next;
		r->queued++;
	}
	pthread_cond_signal(&r->work);
	pthread_mutex_unlock(&r->mu);
	return ok;
}

void
rcpt_set_unwritable(struct rcpt *r, bool unwritable)
{
	pthread_mutex_lock(&r->mu);
	r->unwritable = unwritable;
	pthread_mutex_unlock(&r->mu);
}

/* While the log is not writable, answer 503 at once; true if so. */
static bool
refuse_unwritable(struct rcpt *r, api_done_fn done, void *done_arg)
{
	struct api_answer ans;
	bool refuse;

	pthread_mutex_lock(&r->mu);
	refuse = r->unwritable;
	pthread_mutex_unlock(&r->mu);
	if (!refuse)
		return false;
	memset(&ans, 0, sizeof(ans));
	answer_error(&ans, 503, "the log is not writable right now (see "
	    "/healthz); nothing was written, retry later", NULL);
	done(done_arg, &ans);
	return true;
}

void
rcpt_submit(struct rcpt *r, const uint8_t *body, size_t len,
    const char *model, api_done_fn done, void *done_arg)
{
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	struct rcpt_probe probe;
	struct checklist *cl;
	struct rcpt_job *job;
	struct api_answer ans;
	struct tmon_err err;
	const uint8_t *blob;
	uint8_t md[32];
	json_t *tail;
	char hex[65];
	size_t blen;
	int64_t now;

	if (refuse_unwritable(r, done, done_arg))
		return;
	memset(&ans, 0, sizeof(ans));
	if (rcpt_parse(body, len, model, &p, &rej) != TMON_OK) {
		answer_error(&ans, rej.status, rej.error, rej.field);
		done(done_arg, &ans);
		return;
	}
	enter(r);
	tmon_err_clear(&err);
	if (latest_probe(r, p.model, &probe, &err) != TMON_OK) {
		log_warnx("receipts: probe lookup: %s", err.msg);
		(void)leave(r, NULL);
		rcpt_parsed_free(&p);
		answer_error(&ans, 500, "internal error reading the log", NULL);
		done(done_arg, &ans);
		return;
	}
	cl = xmalloc(sizeof(*cl));
	checklist_init(cl);
	rcpt_verify(r->vc, &p, &probe, cl);
	now = (int64_t)time(NULL);

	job = xcalloc(1, sizeof(*job));
	job->done = done;
	job->done_arg = done_arg;
	blob = rcpt_blob(&p, body, len, &job->blob_mem, &blen);
	sha256(blob, blen, md);
	job->entry = rcpt_entry_body(&p, &probe, cl, now, md, blen,
	    &job->in.body_len);
	job->in.body = job->entry;
	job->in.kind = "receipt";
	job->in.time = now;
	/* p is freed below: the model must outlive it (in the entry). */
	job->in.model = NULL;
	job->in.verdict = check_status_str(checklist_verdict(cl));
	job->blob.data = blen > 0 ? blob : (const uint8_t *)"";
	job->blob.len = blen;
	job->blob.media_type = "application/json";
	tail = jchk(json_object());
	jset(tail, "verdict", json_string(job->in.verdict));
	jset(tail, "checks", entry_checks_json(cl));
	jset(tail, "submitted_sha256", json_string(hex_encode(md, 32, hex)));
	jset(tail, "stored", json_string(rcpt_keeps_whole(&p) ? "whole" :
	    "without_bytes"));
	job->answer_tail = json_dumps(tail, JSON_COMPACT);
	json_decref(tail);
	if (job->answer_tail == NULL || job->answer_tail[0] != '{')
		fatalx("receipt: out of memory serialising json");
	if (p.model[0] != '\0') {
		snprintf(job->model, sizeof(job->model), "%s", p.model);
		job->in.model = job->model;
	}
	free(cl);
	rcpt_parsed_free(&p);
	if (!leave(r, job))
		finish(job, TMON_E_LIMIT, NULL);
}

/* For rcpt_submit_wait: the answer and a flag, under a mutex. */
struct waiter {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	bool			 done;
	struct api_answer	*ans;
};

static void
wait_done(void *arg, struct api_answer *ans)
{
	struct waiter *w = arg;

	pthread_mutex_lock(&w->mu);
	*w->ans = *ans;
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void
rcpt_submit_wait(struct rcpt *r, const uint8_t *body, size_t len,
    const char *model, struct api_answer *ans)
{
	struct waiter w;

	memset(ans, 0, sizeof(*ans));
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	w.ans = ans;
	rcpt_submit(r, body, len, model, wait_done, &w);
	pthread_mutex_lock(&w.mu);
	while (!w.done)
		pthread_cond_wait(&w.cv, &w.mu);
	pthread_mutex_unlock(&w.mu);
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
}

static void
rcpt_free(struct rcpt *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->npool; i++)
		store_close(r->pool[i]);
	store_close(r->w);
	pthread_mutex_destroy(&r->pool_mu);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->work);
	verify_ctx_free(r->vc);
	free(r->db_path);
	free(r);
}

enum tmon_rc
rcpt_start(const char *db_path, struct rcpt **out, struct tmon_err *err)
{
	struct rcpt *r;
	sigset_t all, old;
	enum tmon_rc rc;
	int e;

	*out = NULL;
	if (db_path == NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "receipts: no db_path");
	r = xcalloc(1, sizeof(*r));
	r->db_path = xstrdup(db_path);
	r->tailp = &r->head;
	r->vc = verify_ctx_new();
	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_init(&r->pool_mu, NULL);
	pthread_cond_init(&r->work, NULL);
	if ((rc = store_open(db_path, STORE_RW, &r->w, err)) != TMON_OK) {
		rcpt_free(r);
		return rc;
	}
	/* Signals are for tmond's main thread, not for the writer. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&r->thr, NULL, writer_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		rcpt_free(r);
		return tmon_err_set(err, TMON_E_INTERNAL, "receipts: cannot "
		    "start the writer thread: %s", strerror(e));
	}
	*out = r;
	return TMON_OK;
}

void
rcpt_stop(struct rcpt *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stopping = true;
	pthread_cond_signal(&r->work);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thr, NULL);
	if (r->appended > 0)
		log_info("receipts: %llu logged in %llu batches (largest %zu)",
		    (unsigned long long)r->appended,
		    (unsigned long long)r->batches, r->max_batch);
	rcpt_free(r);
}

static void
api_submit(void *arg, const uint8_t *body, size_t len, const char *model,
    api_done_fn done, void *done_arg)
{
	rcpt_submit(arg, body, len, model, done, done_arg);
}

static void
api_free_cb(void *arg)
{
	rcpt_stop(arg);
}

enum tmon_rc
rcpt_attach(const char *db_path, struct api_config *ac, struct tmon_err *err)
{
	struct rcpt *r;
	enum tmon_rc rc;

	if ((rc = rcpt_start(db_path, &r, err)) != TMON_OK)
		return rc;
	ac->receipt_submit = api_submit;
	ac->receipt_free = api_free_cb;
	ac->receipt_arg = r;
	return TMON_OK;
}
