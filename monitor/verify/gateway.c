#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "gateway.h"
#include "gateway_chutes.h"
#include "gateway_near.h"
#include "gateway_tinfoil.h"
#include "tjson.h"
#include "tmon_limits.h"
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
	case GW_FORMAT_CHUTES_DIRECT:
		return "chutes-direct";
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
	case GW_ROLE_COMPOSE_MANAGER:
		return "compose-manager";
	}
	return "model";
}

/* Any string member: the body as a whole is bounded. */
#define ANY_LEN		MAX_BLOB_LEN

/*
 * The string member key of the attestation at path, NULL if absent or
 * JSON null (the getters' TJSON_OPTIONAL | TJSON_NULL).
 */
static enum tmon_rc
opt_str(struct tjson_doc *d, json_t *obj, const char *path, const char *key,
    const char **out, size_t *len)
{
	*out = NULL;
	return tjson_str(d, obj, path, key, ANY_LEN, TJSON_OPTIONAL |
	    TJSON_NULL, out, len);
}

/* Exactly 32 bytes of hex (optional 0x) from member key, if present. */
static enum tmon_rc
opt_hex32(struct tjson_doc *d, json_t *obj, const char *path,
    const char *key, bool *has, uint8_t out[32])
{
	json_t *v = json_object_get(obj, key);

	*has = v != NULL && !json_is_null(v);
	if (!*has)
		return TMON_OK;
	return tjson_hex(d, obj, path, key, TJSON_0X, out, 32);
}

static enum tmon_rc
decode_quote(struct tjson_doc *d, struct gw_attestation *a, const char *path,
    bool base64_first)
{
	const char *s = NULL;
	size_t len = 0;
	char p[MAX_JSON_PATH];
	enum tmon_rc rc;

	if ((rc = opt_str(d, a->obj, path, "intel_quote", &s, &len)) !=
	    TMON_OK || s == NULL)
		return rc;		/* absent: the caller decides */
	tjson_path(p, sizeof(p), path, "intel_quote");
	if (len > 2 * (size_t)MAX_QUOTE_LEN + 2)
		return tjson_fail(d, TMON_E_LIMIT, p, "%zu characters, over "
		    "the %u-byte limit", len, MAX_QUOTE_LEN);
	if (!base64_first || is_hex_text(s, len))
		a->quote = hex_decode_alloc(s, len, MAX_QUOTE_LEN, false,
		    &a->quote_len);
	if (a->quote == NULL)
		a->quote = b64_decode_alloc(s, len, MAX_QUOTE_LEN,
		    &a->quote_len);
	if (a->quote == NULL)
		return tjson_fail(d, TMON_E_PARSE, p, "neither hex nor base64");
	return TMON_OK;
}

static enum tmon_rc
decode_signing_key(struct tjson_doc *d, struct gw_attestation *a,
    const char *path)
{
	const char *algo = NULL, *addr = NULL, *pub = NULL;
	size_t alen = 0, klen = 0;
	char p[MAX_JSON_PATH];
	enum tmon_rc rc;

	if ((rc = opt_str(d, a->obj, path, "signing_algo", &algo, NULL)) !=
	    TMON_OK ||
	    (rc = opt_str(d, a->obj, path, "signing_address", &addr,
	    &alen)) != TMON_OK ||
	    (rc = opt_str(d, a->obj, path, "signing_public_key", &pub,
	    &klen)) != TMON_OK)
		return rc;
	tjson_path(p, sizeof(p), path, "signing_address");
	if (addr != NULL) {
		if (alen >= sizeof(a->signing_address))
			return tjson_fail(d, TMON_E_PARSE, p, "too long");
		memcpy(a->signing_address, addr, alen + 1);
	}
	if (algo == NULL && addr == NULL)
		return TMON_OK;
	if (algo == NULL || strcmp(algo, "ecdsa") == 0) {
		a->algo = GW_ALGO_ECDSA;
		if (addr == NULL)
			return TMON_OK;
		if (!hex_decode_exact(addr, alen, a->signing_key, 20, true))
			return tjson_fail(d, TMON_E_PARSE, p, "not a 20-byte hex "
			    "address");
		a->signing_key_len = 20;
	} else if (strcmp(algo, "ed25519") == 0) {
		a->algo = GW_ALGO_ED25519;
		if (addr == NULL) {
			addr = pub;
			alen = klen;
			tjson_path(p, sizeof(p), path, "signing_public_key");
		}
		if (addr == NULL)
			return TMON_OK;
		if (!hex_decode_exact(addr, alen, a->signing_key, 32, true))
			return tjson_fail(d, TMON_E_PARSE, p, "not a 32-byte hex "
			    "key");
		a->signing_key_len = 32;
	} else
		return tjson_fail(d, TMON_E_PARSE, tjson_path(p, sizeof(p), path,
		    "signing_algo"), "unknown algorithm");
	return TMON_OK;
}

/* Fill one dstack-style attestation (flat, model_attestations[i],
 * gateway_attestation) at path. */
static enum tmon_rc
decode_dstack_att(struct tjson_doc *d, struct gw_attestation *a,
    const char *path)
{
	enum tmon_rc rc;
	json_t *info;
	char p[MAX_JSON_PATH];

	if ((rc = decode_quote(d, a, path, false)) != TMON_OK ||
	    (rc = decode_signing_key(d, a, path)) != TMON_OK ||
	    (rc = opt_hex32(d, a->obj, path, "request_nonce",
	    &a->has_request_nonce, a->request_nonce)) != TMON_OK ||
	    (rc = opt_hex32(d, a->obj, path, "tls_cert_fingerprint",
	    &a->has_tls_fingerprint, a->tls_fingerprint)) != TMON_OK ||
	    (rc = opt_str(d, a->obj, path, "nvidia_payload",
	    &a->nvidia_payload, &a->nvidia_payload_len)) != TMON_OK)
		return rc;
	info = json_object_get(a->obj, "info");
	if (info != NULL && json_is_object(info))
		return opt_str(d, info, tjson_path(p, sizeof(p), path, "info"),
		    "compose_hash", &a->compose_hash, NULL);
	return TMON_OK;
}

static enum tmon_rc
decode_chutes_att(struct tjson_doc *d, struct gw_attestation *a,
    const char *path)
{
	enum tmon_rc rc;
	json_t *ev = NULL;

	if ((rc = decode_quote(d, a, path, true)) != TMON_OK ||
	    (rc = opt_str(d, a->obj, path, "nonce", &a->chutes_nonce,
	    NULL)) != TMON_OK ||
	    (rc = opt_str(d, a->obj, path, "e2e_pubkey",
	    &a->chutes_e2e_pubkey, NULL)) != TMON_OK)
		return rc;
	if (a->chutes_nonce != NULL && hex_decode_exact(a->chutes_nonce,
	    strlen(a->chutes_nonce), a->request_nonce, 32, false))
		a->has_request_nonce = true;
	if ((rc = tjson_array(d, a->obj, path, "gpu_evidence", 0, SIZE_MAX,
	    TJSON_OPTIONAL | TJSON_NULL, &ev)) != TMON_OK)
		return rc;
	a->gpu_evidence = ev;
	return TMON_OK;
}

/* The attestation obj at path. */
static enum tmon_rc
add_att(struct tjson_doc *d, struct gw_report *rep, json_t *obj,
    enum gw_role role, size_t index, const char *path)
{
	struct gw_attestation *a;
	enum tmon_rc rc;

	if ((rc = tjson_object(d, obj, path, NULL, 0, &obj)) != TMON_OK)
		return rc;
	if (rep->n_att >= MAX_ATTESTATIONS)
		return tjson_fail(d, TMON_E_LIMIT, NULL, "more than %d "
		    "attestations", MAX_ATTESTATIONS);
	a = &rep->att[rep->n_att++];
	memset(a, 0, sizeof(*a));
	a->role = role;
	a->index = index;
	a->obj = obj;
	if (rep->format == GW_FORMAT_CHUTES)
		return decode_chutes_att(d, a, path);
	return decode_dstack_att(d, a, path);
}

/* The top-level array of attestations key (absent or null: none). */
static enum tmon_rc
add_array(struct tjson_doc *d, struct gw_report *rep, const char *key,
    enum gw_role role)
{
	json_t *arr = NULL;
	char p[MAX_JSON_PATH];
	size_t i;
	enum tmon_rc rc;

	if ((rc = tjson_array(d, rep->root, "", key, 0, MAX_ATTESTATIONS,
	    TJSON_OPTIONAL | TJSON_NULL, &arr)) != TMON_OK || arr == NULL)
		return rc;
	for (i = 0; i < json_array_size(arr); i++) {
		tjson_path_index(p, sizeof(p), key, i);
		if ((rc = add_att(d, rep, json_array_get(arr, i), role, i, p)) !=
		    TMON_OK)
			return rc;
	}
	return TMON_OK;
}

/* dstack: the flat object, plus any all_attestations entry whose quote
 * differs from it (the first usually repeats the flat report). */
static enum tmon_rc
decode_dstack(struct tjson_doc *d, struct gw_report *rep)
{
	json_t *all = NULL, *q;
	enum tmon_rc rc;
	const char *fq;
	char p[MAX_JSON_PATH];
	size_t i;

	if ((rc = add_att(d, rep, rep->root, GW_ROLE_MODEL, 0, "")) !=
	    TMON_OK)
		return rc;
	fq = json_string_value(json_object_get(rep->root, "intel_quote"));
	if ((rc = tjson_array(d, rep->root, "", "all_attestations", 0,
	    MAX_ATTESTATIONS, TJSON_OPTIONAL | TJSON_NULL, &all)) != TMON_OK ||
	    all == NULL)
		return rc;
	for (i = 0; i < json_array_size(all); i++) {
		q = json_object_get(json_array_get(all, i), "intel_quote");
		if (fq != NULL && json_is_string(q) &&
		    strcmp(json_string_value(q), fq) == 0)
			continue;
		tjson_path_index(p, sizeof(p), "all_attestations", i);
		if ((rc = add_att(d, rep, json_array_get(all, i),
		    GW_ROLE_MODEL, i, p)) != TMON_OK)
			return rc;
	}
	return TMON_OK;
}

static enum tmon_rc
decode_near(struct tjson_doc *d, struct gw_report *rep)
{
	json_t *gw = json_object_get(rep->root, "gateway_attestation");
	enum tmon_rc rc;

	if ((rc = add_array(d, rep, "model_attestations", GW_ROLE_MODEL)) !=
	    TMON_OK)
		return rc;
	rep->primary = 0;
	if (gw != NULL && !json_is_null(gw)) {
		if ((rc = add_att(d, rep, gw, GW_ROLE_GATEWAY, 0,
		    "gateway_attestation")) != TMON_OK)
			return rc;
	}
	if (rep->n_att == 0)
		return tjson_fail(d, TMON_E_PARSE, NULL, "near gateway report "
		    "without attestations");
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
	if (json_is_array(json_object_get(root, "evidence")))
		return GW_FORMAT_CHUTES_DIRECT;
	if (json_object_get(root, "intel_quote") != NULL ||
	    json_object_get(root, "quote") != NULL)
		return GW_FORMAT_DSTACK;
	return GW_FORMAT_UNKNOWN;
}

enum tmon_rc
gw_report_decode(const uint8_t *body, size_t len, struct gw_report *rep,
    struct tmon_err *err)
{
	struct tjson_doc d = { .name = "response", .err = err };
	enum tmon_rc rc = TMON_E_INTERNAL;
	const char *echo;

	memset(rep, 0, sizeof(*rep));
	if ((rc = tjson_load(&d, body, len, MAX_BLOB_LEN, TJSON_OBJECT,
	    &rep->root)) != TMON_OK)
		return rc;
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
		rc = decode_dstack(&d, rep);
		break;
	case GW_FORMAT_NEAR_GATEWAY:
		rc = decode_near(&d, rep);
		break;
	case GW_FORMAT_CHUTES:
		rc = add_array(&d, rep, "all_attestations", GW_ROLE_INSTANCE);
		if (rc == TMON_OK && rep->n_att == 0)
			rc = tjson_fail(&d, TMON_E_PARSE, NULL, "chutes report "
			    "without attestations");
		break;
	case GW_FORMAT_TINFOIL:
		rc = gw_tinfoil_decode(&d, rep, body, len);
		break;
	case GW_FORMAT_CHUTES_DIRECT:
		rc = gw_chutes_decode_direct(&d, rep);
		break;
	case GW_FORMAT_UNKNOWN:
		rc = tmon_err_set(err, TMON_E_UNSUPPORTED, "response matches "
		    "no known attestation format");
		break;
	}
	if (rc == TMON_OK)
		rc = gw_near_add_compose_managers(&d, rep);
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
