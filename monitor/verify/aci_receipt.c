/*
 * aci_receipt.c: ACI "aci/1" inference receipts (aci_receipt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aci_receipt.h"
#include "buf.h"
#include "encode.h"
#include "jcs.h"
#include "sig.h"
#include "tmon_limits.h"

/* Event types the receipt must carry (section 8.3). */
#define EV_RECEIVED	"request.received"
#define EV_FORWARDED	"request.forwarded"
#define EV_RETURNED	"response.returned"
#define EV_REQ_MOD	"transparency.request_modified"

/* receipt_id is at most 512 bytes (the reference implementation's rule). */
#define ACI_RECEIPT_ID_MAX	512

/* Canonical bytes of a receipt or keyset are at most this long. */
#define ACI_JCS_MAX		(MAX_RECEIPT_BODY * 2)

bool
aci_receipt_is(const json_t *o)
{
	const char *v = json_string_value(json_object_get(o, "api_version"));

	return json_is_object(o) && v != NULL &&
	    strcmp(v, ACI_API_VERSION) == 0;
}

#define OPT_NULL	(TJSON_OPTIONAL | TJSON_NULL)

static enum tmon_rc
parse_keyset(struct tjson_doc *d, const json_t *ks, const char *kp)
{
	char p1[MAX_JSON_PATH], p2[MAX_JSON_PATH], p3[MAX_JSON_PATH];
	const char *s;
	json_t *wi, *pk, *ep, *keys, *k;
	uint64_t u;
	enum tmon_rc rc;
	size_t i;

	tjson_path(p1, sizeof(p1), kp, "workload_identity");
	tjson_path(p2, sizeof(p2), p1, "public_key");
	if ((rc = tjson_object(d, ks, kp, NULL, 0, &wi)) != TMON_OK ||
	    (rc = tjson_object(d, ks, kp, "workload_identity", 0, &wi)) !=
	    TMON_OK ||
	    (rc = tjson_object(d, wi, p1, "public_key", 0, &pk)) != TMON_OK ||
	    (rc = tjson_str(d, pk, p2, "algo", MAX_RECEIPT_FIELD, 0, &s,
	    NULL)) != TMON_OK ||
	    (rc = tjson_str(d, pk, p2, "public_key", MAX_RECEIPT_FIELD, 0, &s,
	    NULL)) != TMON_OK)
		return rc;
	tjson_path(p1, sizeof(p1), kp, "keyset_epoch");
	if ((rc = tjson_object(d, ks, kp, "keyset_epoch", 0, &ep)) !=
	    TMON_OK ||
	    (rc = tjson_uint(d, ep, p1, "version", 0, INT64_MAX, 0, &u)) !=
	    TMON_OK ||
	    (rc = tjson_uint(d, ep, p1, "not_after", 0, INT64_MAX, 0, &u)) !=
	    TMON_OK)
		return rc;
	tjson_path(p1, sizeof(p1), kp, "receipt_signing_keys");
	if ((rc = tjson_array(d, ks, kp, "receipt_signing_keys", 1,
	    MAX_ACI_KEYS, 0, &keys)) != TMON_OK)
		return rc;
	json_array_foreach(keys, i, k) {
		tjson_path_index(p3, sizeof(p3), p1, i);
		if ((rc = tjson_object(d, k, p3, NULL, 0, &pk)) != TMON_OK ||
		    (rc = tjson_str(d, k, p3, "key_id", MAX_RECEIPT_FIELD, 0,
		    &s, NULL)) != TMON_OK ||
		    (rc = tjson_str(d, k, p3, "algo", MAX_RECEIPT_FIELD, 0, &s,
		    NULL)) != TMON_OK ||
		    (rc = tjson_str(d, k, p3, "public_key", MAX_RECEIPT_FIELD,
		    0, &s, NULL)) != TMON_OK)
			return rc;
	}
	return TMON_OK;
}

enum tmon_rc
aci_receipt_parse(struct tjson_doc *d, json_t *receipt,
    const char *path, json_t *keyset, const char *kpath,
    struct aci_receipt *out)
{
	char p1[MAX_JSON_PATH], p2[MAX_JSON_PATH];
	const char *s = NULL;
	json_t *ev, *e, *sig, *tmp;
	uint64_t u;
	enum tmon_rc rc;
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((rc = tjson_object(d, receipt, path, NULL, 0, &tmp)) != TMON_OK ||
	    (rc = tjson_str(d, receipt, path, "api_version", MAX_SIG_NAME, 0,
	    &s, NULL)) != TMON_OK)
		return rc;
	if (strcmp(s, ACI_API_VERSION) != 0)
		return tjson_fail(d, TMON_E_PARSE, tjson_path(p1, sizeof(p1),
		    path, "api_version"), "must be \"%s\"", ACI_API_VERSION);
	if ((rc = tjson_str(d, receipt, path, "receipt_id",
	    ACI_RECEIPT_ID_MAX, 0, &out->receipt_id, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, receipt, path, "chat_id", MAX_RECEIPT_FIELD,
	    OPT_NULL, &s, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, receipt, path, "model", MAX_RECEIPT_FIELD,
	    OPT_NULL, &out->model, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, receipt, path, "workload_id",
	    MAX_RECEIPT_FIELD, 0, &out->workload_id, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, receipt, path, "workload_keyset_digest",
	    MAX_RECEIPT_FIELD, 0, &out->keyset_digest, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, receipt, path, "endpoint", MAX_RECEIPT_FIELD,
	    0, &s, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, receipt, path, "method", MAX_RECEIPT_FIELD, 0,
	    &s, NULL)) != TMON_OK ||
	    (rc = tjson_uint(d, receipt, path, "served_at", 0, INT64_MAX, 0,
	    &u)) != TMON_OK)
		return rc;
	/* chat_id and model are required, but may be null */
	if (json_object_get(receipt, "chat_id") == NULL ||
	    json_object_get(receipt, "model") == NULL)
		return tjson_fail(d, TMON_E_PARSE, tjson_path(p1, sizeof(p1),
		    path, json_object_get(receipt, "chat_id") == NULL ?
		    "chat_id" : "model"), "missing required member (null "
		    "when there is none)");
	out->served_at = (int64_t)u;
	tjson_path(p1, sizeof(p1), path, "event_log");
	if ((rc = tjson_array(d, receipt, path, "event_log", 1,
	    MAX_ACI_EVENTS, 0, &ev)) != TMON_OK)
		return rc;
	json_array_foreach(ev, i, e) {
		tjson_path_index(p2, sizeof(p2), p1, i);
		if ((rc = tjson_object(d, e, p2, NULL, 0, &tmp)) != TMON_OK ||
		    (rc = tjson_uint(d, e, p2, "seq", 0, INT64_MAX, 0, &u)) !=
		    TMON_OK ||
		    (rc = tjson_str(d, e, p2, "type", MAX_RECEIPT_FIELD, 0, &s,
		    NULL)) != TMON_OK)
			return rc;
	}
	tjson_path(p1, sizeof(p1), path, "signature");
	if ((rc = tjson_object(d, receipt, path, "signature", 0, &sig)) !=
	    TMON_OK ||
	    (rc = tjson_str(d, sig, p1, "algo", MAX_SIG_NAME, 0,
	    &out->sig_algo, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, sig, p1, "key_id", MAX_RECEIPT_FIELD, 0,
	    &out->sig_key_id, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, sig, p1, "value", MAX_SIG_HEX, 0,
	    &out->sig_value, NULL)) != TMON_OK)
		return rc;
	if (keyset != NULL && (rc = parse_keyset(d, keyset, kpath)) !=
	    TMON_OK)
		return rc;
	out->receipt = receipt;
	out->keyset = keyset;
	return TMON_OK;
}

/* ---- checks ---- */

static const char *
str_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "sha256:" and 64 lower-case hex digits (section 3). */
static bool
digest_form(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 71 || strncmp(s, "sha256:", 7) != 0)
		return false;
	for (i = 7; i < 71; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The first event of type t, or NULL. */
static const json_t *
event(const json_t *log, const char *t)
{
	const json_t *e;
	const char *et;
	size_t i;

	for (i = 0; i < json_array_size(log); i++) {
		e = json_array_get(log, i);
		et = str_of(e, "type");
		if (et != NULL && strcmp(et, t) == 0)
			return e;
	}
	return NULL;
}

static void
check_events(const struct aci_receipt *r, struct checklist *cl)
{
	static const char required[][24] = { EV_RECEIVED, EV_FORWARDED,
	    EV_RETURNED };
	const json_t *log = json_object_get(r->receipt, "event_log"), *e;
	const char *in, *fw;
	json_int_t seq, prev = -1;
	size_t i;

	for (i = 0; i < json_array_size(log); i++) {
		seq = json_integer_value(json_object_get(json_array_get(log, i),
		    "seq"));
		if ((i == 0 && seq != 0) || (i > 0 && seq <= prev)) {
			checklist_set(cl, "receipt.aci_events", CHECK_FAIL,
			    "event %zu has seq %lld after %lld: seq must rise "
			    "strictly from 0", i, (long long)seq,
			    (long long)prev);
			return;
		}
		prev = seq;
	}
	if (strcmp(str_of(json_array_get(log, 0), "type"), EV_RECEIVED) != 0) {
		checklist_set(cl, "receipt.aci_events", CHECK_FAIL, "the first "
		    "event is %.60s, not " EV_RECEIVED,
		    str_of(json_array_get(log, 0), "type"));
		return;
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (event(log, required[i]) == NULL) {
			checklist_set(cl, "receipt.aci_events", CHECK_FAIL,
			    "no %s event", required[i]);
			return;
		}
	in = str_of(event(log, EV_RECEIVED), "body_hash");
	fw = str_of(event(log, EV_FORWARDED), "body_hash");
	e = event(log, EV_RETURNED);
	if (!digest_form(in) || !digest_form(fw) ||
	    !digest_form(str_of(e, "cleartext_hash")) ||
	    !digest_form(str_of(e, "wire_hash"))) {
		checklist_set(cl, "receipt.aci_events", CHECK_FAIL, "a body "
		    "hash of the required events is missing or not "
		    "\"sha256:\" and 64 lower-case hex digits");
		return;
	}
	if (strcmp(in, fw) != 0 && event(log, EV_REQ_MOD) == NULL) {
		checklist_set(cl, "receipt.aci_events", CHECK_FAIL, "the "
		    "forwarded request differs from the received one but no "
		    EV_REQ_MOD " event says so");
		return;
	}
	checklist_set(cl, "receipt.aci_events", CHECK_PASS, "%zu events, "
	    "the request %s", json_array_size(log), strcmp(in, fw) == 0 ?
	    "forwarded as received" : "rewritten (and declared so)");
}

/* Returns true when the keyset is the one the receipt names. */
static bool
check_keyset(const struct aci_receipt *r, struct checklist *cl)
{
	char dig[72], wid[72];
	struct tmon_err err;
	json_t *pk;
	json_int_t not_after;

	if (r->keyset == NULL) {
		checklist_set(cl, "receipt.aci_keyset", CHECK_ERROR, "no "
		    "workload keyset given (the service's attestation "
		    "report, attestation.workload_keyset): the receipt's "
		    "key cannot be resolved");
		return false;
	}
	pk = json_object_get(json_object_get(r->keyset, "workload_identity"),
	    "public_key");
	if (jcs_digest(r->keyset, ACI_JCS_MAX, dig, &err) != TMON_OK ||
	    jcs_digest(pk, ACI_JCS_MAX, wid, &err) != TMON_OK) {
		checklist_set(cl, "receipt.aci_keyset", CHECK_ERROR, "the "
		    "keyset has no canonical form: %s", err.msg);
		return false;
	}
	if (strcmp(dig, r->keyset_digest) != 0) {
		checklist_set(cl, "receipt.aci_keyset", CHECK_FAIL, "the "
		    "keyset given has digest %.23s..., the receipt names "
		    "%.23s...", dig, r->keyset_digest);
		return false;
	}
	if (strcmp(wid, r->workload_id) != 0) {
		checklist_set(cl, "receipt.aci_keyset", CHECK_FAIL, "the "
		    "keyset's identity key has workload_id %.23s..., the "
		    "receipt names %.23s...", wid, r->workload_id);
		return false;
	}
	not_after = json_integer_value(json_object_get(json_object_get(
	    r->keyset, "keyset_epoch"), "not_after"));
	if (r->served_at > not_after) {
		checklist_set(cl, "receipt.aci_keyset", CHECK_FAIL, "served at "
		    "%lld, after the keyset's not_after %lld",
		    (long long)r->served_at, (long long)not_after);
		return false;
	}
	checklist_set(cl, "receipt.aci_keyset", CHECK_PASS, "keyset %.23s... "
	    "of workload %.23s... recomputes, valid until %lld", dig, wid,
	    (long long)not_after);
	return true;
}

/* The receipt signing key key_id of the keyset, or NULL. */
static const json_t *
signing_key(const json_t *keyset, const char *key_id)
{
	const json_t *keys = json_object_get(keyset, "receipt_signing_keys"),
	    *k;
	size_t i;

	for (i = 0; i < json_array_size(keys); i++) {
		k = json_array_get(keys, i);
		if (strcmp(str_of(k, "key_id"), key_id) == 0)
			return k;
	}
	return NULL;
}

static void
check_signature(const struct aci_receipt *r, bool keyset_ok,
    struct checklist *cl)
{
	uint8_t pub[32], sig[64];
	struct tmon_err err;
	struct buf b;
	const json_t *k;
	json_t *copy, *s;
	const char *ka;
	enum verdict v;

	if (r->keyset == NULL) {
		checklist_set(cl, "receipt.aci_signature", CHECK_ERROR, "no "
		    "workload keyset given: key %.60s cannot be resolved",
		    r->sig_key_id);
		return;
	}
	if ((k = signing_key(r->keyset, r->sig_key_id)) == NULL) {
		checklist_set(cl, "receipt.aci_signature", CHECK_FAIL, "key "
		    "%.60s is not a receipt signing key of the keyset",
		    r->sig_key_id);
		return;
	}
	ka = str_of(k, "algo");
	if (strcmp(ka, r->sig_algo) != 0) {
		checklist_set(cl, "receipt.aci_signature", CHECK_FAIL, "the "
		    "receipt says %.30s, key %.60s is %.30s (the keyset "
		    "decides)", r->sig_algo, r->sig_key_id, ka);
		return;
	}
	if (strcmp(ka, "ed25519") != 0) {
		checklist_set(cl, "receipt.aci_signature", CHECK_ERROR, "%.30s "
		    "receipt signatures are not supported (ed25519 is)", ka);
		return;
	}
	if (!hex_decode_exact(str_of(k, "public_key"),
	    strlen(str_of(k, "public_key")), pub, sizeof(pub), false)) {
		checklist_set(cl, "receipt.aci_signature", CHECK_FAIL, "key "
		    "%.60s is not 64 hex digits", r->sig_key_id);
		return;
	}
	if (!hex_decode_exact(r->sig_value, strlen(r->sig_value), sig,
	    sizeof(sig), false)) {
		checklist_set(cl, "receipt.aci_signature", CHECK_FAIL, "the "
		    "signature is not 128 hex digits");
		return;
	}
	/* the receipt without signature.value (section 8.5) */
	copy = json_deep_copy(r->receipt);
	s = json_object_get(copy, "signature");
	json_object_del(s, "value");
	buf_init(&b, ACI_JCS_MAX);
	if (jcs_append(&b, copy, &err) != TMON_OK) {
		json_decref(copy);
		checklist_set(cl, "receipt.aci_signature", CHECK_ERROR, "the "
		    "receipt has no canonical form: %s", err.msg);
		return;
	}
	json_decref(copy);
	v = sig_ed25519_verify(pub, sig, b.data, b.len);
	buf_free(&b);
	if (v == VERDICT_ERROR)
		checklist_set(cl, "receipt.aci_signature", CHECK_ERROR,
		    "libsodium could not be initialised");
	else if (v != VERDICT_PASS)
		checklist_set(cl, "receipt.aci_signature", CHECK_FAIL, "the "
		    "Ed25519 signature does not verify under key %.60s",
		    r->sig_key_id);
	else
		checklist_set(cl, "receipt.aci_signature", CHECK_PASS,
		    "Ed25519 signature by key %.60s%s", r->sig_key_id,
		    keyset_ok ? " of the receipt's keyset" : ", but the "
		    "keyset is not the receipt's (receipt.aci_keyset)");
}

void
aci_receipt_verify(const struct aci_receipt *r, struct checklist *cl)
{
	bool ok;

	check_events(r, cl);
	ok = check_keyset(r, cl);
	check_signature(r, ok, cl);
}
