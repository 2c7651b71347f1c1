#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "gateway.h"
#include "xmalloc.h"

const char *
gw_format_str(enum gw_format f)
{
	switch (f) {
	case GW_FORMAT_DSTACK:
		return "dstack";
	case GW_FORMAT_NEAR_GATEWAY:
		return "near-gateway";
	case GW_FORMAT_CHUTES:
		return "chutes";
	case GW_FORMAT_TINFOIL:
		return "tinfoil";
	case GW_FORMAT_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *
gw_role_str(enum gw_role r)
{
	switch (r) {
	case GW_ROLE_MODEL:
		return "model";
	case GW_ROLE_GATEWAY:
		return "gateway";
	case GW_ROLE_INSTANCE:
		return "instance";
	}
	return "model";
}

/*
 * The string member key of obj, NULL if absent or JSON null.  A member of
 * another type is an error: *bad is set.
 */
static const char *
opt_str(json_t *obj, const char *key, size_t *len, bool *bad)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	if (len != NULL)
		*len = json_string_length(v);
	return json_string_value(v);
}

/* Decode exactly 32 bytes of hex (optional 0x) from member key. */
static enum tmon_rc
opt_hex32(json_t *obj, const char *what, const char *key, bool *has,
    uint8_t out[32], struct tmon_err *err)
{
	bool bad = false;
	size_t len = 0;
	const char *s = opt_str(obj, key, &len, &bad);

	*has = false;
	if (bad)
		return tmon_err_set(err, TMON_E_PARSE, "%s.%s: not a string",
		    what, key);
	if (s == NULL)
		return TMON_OK;
	if (!hex_decode_exact(s, len, out, 32, true))
		return tmon_err_set(err, TMON_E_PARSE,
		    "%s.%s: not 32 bytes of hex", what, key);
	*has = true;
	return TMON_OK;
}

static enum tmon_rc
decode_quote(struct gw_attestation *a, const char *what, bool base64_first,
    struct tmon_err *err)
{
	bool bad = false;
	size_t len = 0;
	const char *s = opt_str(a->obj, "intel_quote", &len, &bad);

	if (bad)
		return tmon_err_set(err, TMON_E_PARSE,
		    "%s.intel_quote: not a string", what);
	if (s == NULL)
		return TMON_OK;		/* the caller decides if it matters */
	if (len > 2 * (size_t)MAX_QUOTE_LEN + 2)
		return tmon_err_set(err, TMON_E_LIMIT,
		    "%s.intel_quote: %zu characters, over the %u-byte limit",
		    what, len, MAX_QUOTE_LEN);
	if (!base64_first || is_hex_text(s, len))
		a->quote = hex_decode_alloc(s, len, MAX_QUOTE_LEN, false,
		    &a->quote_len);
	if (a->quote == NULL)
		a->quote = b64_decode_alloc(s, len, MAX_QUOTE_LEN,
		    &a->quote_len);
	if (a->quote == NULL)
		return tmon_err_set(err, TMON_E_PARSE,
		    "%s.intel_quote: neither hex nor base64", what);
	return TMON_OK;
}

static enum tmon_rc
decode_signing_key(struct gw_attestation *a, const char *what,
    struct tmon_err *err)
{
	bool bad = false;
	size_t alen = 0, klen = 0;
	const char *algo = opt_str(a->obj, "signing_algo", NULL, &bad);
	const char *addr = opt_str(a->obj, "signing_address", &alen, &bad);
	const char *pub = opt_str(a->obj, "signing_public_key", &klen, &bad);

	if (bad)
		return tmon_err_set(err, TMON_E_PARSE,
		    "%s: signing_algo/signing_address/signing_public_key: "
		    "not a string", what);
	if (addr != NULL) {
		if (alen >= sizeof(a->signing_address))
			return tmon_err_set(err, TMON_E_PARSE,
			    "%s.signing_address: too long", what);
		memcpy(a->signing_address, addr, alen + 1);
	}
	if (algo == NULL && addr == NULL)
		return TMON_OK;
	if (algo == NULL || strcmp(algo, "ecdsa") == 0) {
		a->algo = GW_ALGO_ECDSA;
		if (addr == NULL)
			return TMON_OK;
		if (!hex_decode_exact(addr, alen, a->signing_key, 20, true))
			return tmon_err_set(err, TMON_E_PARSE,
			    "%s.signing_address: not a 20-byte hex address",
			    what);
		a->signing_key_len = 20;
	} else if (strcmp(algo, "ed25519") == 0) {
		a->algo = GW_ALGO_ED25519;
		if (addr == NULL) {
			addr = pub;
			alen = klen;
		}
		if (addr == NULL)
			return TMON_OK;
		if (!hex_decode_exact(addr, alen, a->signing_key, 32, true))
			return tmon_err_set(err, TMON_E_PARSE,
			    "%s.signing_address: not a 32-byte hex key", what);
		a->signing_key_len = 32;
	} else
		return tmon_err_set(err, TMON_E_PARSE,
		    "%s.signing_algo: unknown algorithm", what);
	return TMON_OK;
}

/* Fill one dstack-style attestation (flat, model_attestations[i],
 * gateway_attestation). */
static enum tmon_rc
decode_dstack_att(struct gw_attestation *a, const char *what,
    struct tmon_err *err)
{
	enum tmon_rc rc;
	bool bad = false;
	json_t *info;

	if ((rc = decode_quote(a, what, false, err)) != TMON_OK ||
	    (rc = decode_signing_key(a, what, err)) != TMON_OK ||
	    (rc = opt_hex32(a->obj, what, "request_nonce",
	    &a->has_request_nonce, a->request_nonce, err)) != TMON_OK ||
	    (rc = opt_hex32(a->obj, what, "tls_cert_fingerprint",
	    &a->has_tls_fingerprint, a->tls_fingerprint, err)) != TMON_OK)
		return rc;
	a->nvidia_payload = opt_str(a->obj, "nvidia_payload",
	    &a->nvidia_payload_len, &bad);
	if (bad)
		return tmon_err_set(err, TMON_E_PARSE,
		    "%s.nvidia_payload: not a string", what);
	info = json_object_get(a->obj, "info");
	if (info != NULL && json_is_object(info)) {
		a->compose_hash = opt_str(info, "compose_hash", NULL, &bad);
		if (bad)
			return tmon_err_set(err, TMON_E_PARSE,
			    "%s.info.compose_hash: not a string", what);
	}
	return TMON_OK;
}

static enum tmon_rc
decode_chutes_att(struct gw_attestation *a, const char *what,
    struct tmon_err *err)
{
	enum tmon_rc rc;
	bool bad = false;
	json_t *ev;

	if ((rc = decode_quote(a, what, true, err)) != TMON_OK)
		return rc;
	a->chutes_nonce = opt_str(a->obj, "nonce", NULL, &bad);
	a->chutes_e2e_pubkey = opt_str(a->obj, "e2e_pubkey", NULL, &bad);
	if (bad)
		return tmon_err_set(err, TMON_E_PARSE,
		    "%s: nonce/e2e_pubkey: not a string", what);
	if (a->chutes_nonce != NULL && hex_decode_exact(a->chutes_nonce,
	    strlen(a->chutes_nonce), a->request_nonce, 32, false))
		a->has_request_nonce = true;
	ev = json_object_get(a->obj, "gpu_evidence");
	if (ev != NULL && !json_is_null(ev)) {
		if (!json_is_array(ev))
			return tmon_err_set(err, TMON_E_PARSE,
			    "%s.gpu_evidence: not an array", what);
		a->gpu_evidence = ev;
	}
	return TMON_OK;
}

static enum tmon_rc
add_att(struct gw_report *rep, json_t *obj, enum gw_role role, size_t index,
    const char *what, struct tmon_err *err)
{
	struct gw_attestation *a;

	if (!json_is_object(obj))
		return tmon_err_set(err, TMON_E_PARSE, "%s: not an object",
		    what);
	if (rep->n_att >= MAX_ATTESTATIONS)
		return tmon_err_set(err, TMON_E_LIMIT,
		    "more than %d attestations", MAX_ATTESTATIONS);
	a = &rep->att[rep->n_att++];
	memset(a, 0, sizeof(*a));
	a->role = role;
	a->index = index;
	a->obj = obj;
	if (rep->format == GW_FORMAT_CHUTES)
		return decode_chutes_att(a, what, err);
	return decode_dstack_att(a, what, err);
}

static enum tmon_rc
add_array(struct gw_report *rep, json_t *arr, enum gw_role role,
    const char *name, struct tmon_err *err)
{
	enum tmon_rc rc;
	char what[64];
	size_t i;

	if (!json_is_array(arr))
		return tmon_err_set(err, TMON_E_PARSE, "%s: not an array",
		    name);
	if (json_array_size(arr) > MAX_ATTESTATIONS)
		return tmon_err_set(err, TMON_E_LIMIT,
		    "%s: %zu entries, over the limit of %d", name,
		    json_array_size(arr), MAX_ATTESTATIONS);
	for (i = 0; i < json_array_size(arr); i++) {
		snprintf(what, sizeof(what), "%s[%zu]", name, i);
		rc = add_att(rep, json_array_get(arr, i), role, i, what, err);
		if (rc != TMON_OK)
			return rc;
	}
	return TMON_OK;
}

/* dstack: the flat object, plus any all_attestations entry whose quote
 * differs from it (the first usually repeats the flat report). */
static enum tmon_rc
decode_dstack(struct gw_report *rep, struct tmon_err *err)
{
	struct gw_attestation *flat;
	json_t *all, *q;
	enum tmon_rc rc;
	const char *fq;
	char what[64];
	size_t i;

	if ((rc = add_att(rep, rep->root, GW_ROLE_MODEL, 0, "report",
	    err)) != TMON_OK)
		return rc;
	flat = &rep->att[0];
	fq = json_string_value(json_object_get(rep->root, "intel_quote"));
	all = json_object_get(rep->root, "all_attestations");
	if (all == NULL || json_is_null(all))
		return TMON_OK;
	if (!json_is_array(all) || json_array_size(all) > MAX_ATTESTATIONS)
		return tmon_err_set(err, TMON_E_PARSE,
		    "all_attestations: not an array of at most %d",
		    MAX_ATTESTATIONS);
	for (i = 0; i < json_array_size(all); i++) {
		q = json_object_get(json_array_get(all, i), "intel_quote");
		if (fq != NULL && json_is_string(q) &&
		    strcmp(json_string_value(q), fq) == 0)
			continue;
		snprintf(what, sizeof(what), "all_attestations[%zu]", i);
		if ((rc = add_att(rep, json_array_get(all, i), GW_ROLE_MODEL,
		    i, what, err)) != TMON_OK)
			return rc;
	}
	(void)flat;
	return TMON_OK;
}

static enum tmon_rc
decode_near(struct gw_report *rep, struct tmon_err *err)
{
	json_t *models = json_object_get(rep->root, "model_attestations");
	json_t *gw = json_object_get(rep->root, "gateway_attestation");
	enum tmon_rc rc;

	if (models != NULL && !json_is_null(models)) {
		if ((rc = add_array(rep, models, GW_ROLE_MODEL,
		    "model_attestations", err)) != TMON_OK)
			return rc;
	}
	rep->primary = 0;
	if (gw != NULL && !json_is_null(gw)) {
		if ((rc = add_att(rep, gw, GW_ROLE_GATEWAY, 0,
		    "gateway_attestation", err)) != TMON_OK)
			return rc;
	}
	if (rep->n_att == 0)
		return tmon_err_set(err, TMON_E_PARSE,
		    "near gateway report without attestations");
	return TMON_OK;
}

static enum gw_format
detect(json_t *root)
{
	const char *s;

	if ((s = json_string_value(json_object_get(root,
	    "attestation_type"))) != NULL && strcmp(s, "chutes") == 0)
		return GW_FORMAT_CHUTES;
	if (json_object_get(root, "model_attestations") != NULL ||
	    json_object_get(root, "gateway_attestation") != NULL)
		return GW_FORMAT_NEAR_GATEWAY;
	if ((s = json_string_value(json_object_get(root, "format"))) != NULL &&
	    strncmp(s, "https://tinfoil.sh/", 19) == 0)
		return GW_FORMAT_TINFOIL;
	if (json_object_get(root, "intel_quote") != NULL ||
	    json_object_get(root, "quote") != NULL)
		return GW_FORMAT_DSTACK;
	return GW_FORMAT_UNKNOWN;
}

enum tmon_rc
gw_report_decode(const uint8_t *body, size_t len, struct gw_report *rep,
    struct tmon_err *err)
{
	json_error_t je;
	enum tmon_rc rc = TMON_E_INTERNAL;
	const char *echo;

	memset(rep, 0, sizeof(*rep));
	rep->root = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES,
	    &je);
	if (rep->root == NULL)
		return tmon_err_set_at(err, TMON_E_PARSE, (size_t)je.position,
		    "response is not valid JSON: %s at line %d column %d",
		    je.text, je.line, je.column);
	if (!json_is_object(rep->root)) {
		rc = tmon_err_set(err, TMON_E_PARSE,
		    "response is not a JSON object");
		goto out;
	}
	rep->format = detect(rep->root);
	rep->format_name = gw_format_str(rep->format);
	/* The top-level echo is informational: a value that is not 32 bytes
	 * of hex is treated as "no echo", not as a malformed report. */
	echo = json_string_value(json_object_get(rep->root, "nonce"));
	if (echo != NULL && hex_decode_exact(echo, strlen(echo),
	    rep->echo_nonce, 32, true))
		rep->has_echo_nonce = true;
	switch (rep->format) {
	case GW_FORMAT_DSTACK:
		rc = decode_dstack(rep, err);
		break;
	case GW_FORMAT_NEAR_GATEWAY:
		rc = decode_near(rep, err);
		break;
	case GW_FORMAT_CHUTES:
		rc = add_array(rep, json_object_get(rep->root,
		    "all_attestations"), GW_ROLE_INSTANCE, "all_attestations",
		    err);
		if (rc == TMON_OK && rep->n_att == 0)
			rc = tmon_err_set(err, TMON_E_PARSE,
			    "chutes report without attestations");
		break;
	case GW_FORMAT_TINFOIL:
		rc = TMON_OK;
		break;
	case GW_FORMAT_UNKNOWN:
		rc = tmon_err_set(err, TMON_E_UNSUPPORTED,
		    "response matches no known attestation format");
		break;
	}
out:
	if (rc != TMON_OK)
		gw_report_free(rep);
	return rc;
}

void
gw_report_free(struct gw_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->n_att; i++)
		free(rep->att[i].quote);
	json_decref(rep->root);
	memset(rep, 0, sizeof(*rep));
}
