#include <string.h>

#include "encode.h"
#include "gateway_chutes.h"
#include "tmon_limits.h"

/* Instances an /e2e/instances answer may list. */
#define MAX_CHUTES_INSTANCES	(MAX_ATTESTATIONS * 4)

static enum tmon_rc
decode_instance(struct tjson_doc *d, struct gw_attestation *a,
    const char *path)
{
	const char *s = NULL;
	size_t len = 0;
	char p[MAX_JSON_PATH];
	json_t *ev = NULL;
	enum tmon_rc rc;

	if ((rc = tjson_str(d, a->obj, path, "instance_id", CHUTES_MAX_ID, 0,
	    &s, NULL)) != TMON_OK)
		return rc;
	if ((rc = tjson_str(d, a->obj, path, "quote", 2 * MAX_QUOTE_LEN,
	    TJSON_OPTIONAL | TJSON_NULL, &s, &len)) != TMON_OK)
		return rc;
	if (s != NULL) {
		a->quote = b64_decode_alloc(s, len, MAX_QUOTE_LEN,
		    &a->quote_len);
		if (a->quote == NULL)
			return tjson_fail(d, TMON_E_PARSE, tjson_path(p,
			    sizeof(p), path, "quote"), "not base64 of at most "
			    "%u bytes", MAX_QUOTE_LEN);
	}
	if ((rc = tjson_array(d, a->obj, path, "gpu_evidence", 0, MAX_GPUS,
	    TJSON_OPTIONAL | TJSON_NULL, &ev)) != TMON_OK)
		return rc;
	a->gpu_evidence = ev;
	return TMON_OK;
}

enum tmon_rc
gw_chutes_decode_direct(struct tjson_doc *d, struct gw_report *rep)
{
	struct gw_attestation *a;
	json_t *arr = NULL, *obj;
	char p[MAX_JSON_PATH];
	size_t i;
	enum tmon_rc rc;

	if ((rc = tjson_array(d, rep->root, "", "evidence", 1,
	    MAX_ATTESTATIONS, 0, &arr)) != TMON_OK)
		return rc;
	for (i = 0; i < json_array_size(arr); i++) {
		tjson_path_index(p, sizeof(p), "evidence", i);
		if ((rc = tjson_object(d, json_array_get(arr, i), p, NULL, 0,
		    &obj)) != TMON_OK)
			return rc;
		a = &rep->att[rep->n_att++];
		memset(a, 0, sizeof(*a));
		a->role = GW_ROLE_INSTANCE;
		a->index = i;
		a->obj = obj;
		if ((rc = decode_instance(d, a, p)) != TMON_OK)
			return rc;
	}
	rep->primary = 0;
	return TMON_OK;
}

/* The attestation of rep whose instance_id is id, or NULL. */
static struct gw_attestation *
find_instance(struct gw_report *rep, const char *id)
{
	const char *s;
	size_t i;

	for (i = 0; i < rep->n_att; i++) {
		s = json_string_value(json_object_get(rep->att[i].obj,
		    "instance_id"));
		if (s != NULL && strcmp(s, id) == 0)
			return &rep->att[i];
	}
	return NULL;
}

/* Check every element of arr (at "instances") before attaching any. */
static enum tmon_rc
check_instances(struct tjson_doc *d, json_t *arr)
{
	const char *id, *key, *other;
	char p[MAX_JSON_PATH];
	json_t *obj;
	size_t i, j;
	enum tmon_rc rc;

	for (i = 0; i < json_array_size(arr); i++) {
		tjson_path_index(p, sizeof(p), "instances", i);
		if ((rc = tjson_object(d, json_array_get(arr, i), p, NULL, 0,
		    &obj)) != TMON_OK ||
		    (rc = tjson_str(d, obj, p, "instance_id", CHUTES_MAX_ID, 0,
		    &id, NULL)) != TMON_OK ||
		    (rc = tjson_str(d, obj, p, "e2e_pubkey", CHUTES_MAX_KEY, 0,
		    &key, NULL)) != TMON_OK)
			return rc;
		for (j = 0; j < i; j++) {
			other = json_string_value(json_object_get(
			    json_array_get(arr, j), "instance_id"));
			if (other != NULL && strcmp(other, id) == 0)
				return tjson_fail(d, TMON_E_PARSE, p,
				    "instance listed twice");
		}
	}
	return TMON_OK;
}

enum tmon_rc
gw_chutes_attach_instances(struct gw_report *rep, const uint8_t *body,
    size_t len, struct tmon_err *err)
{
	struct tjson_doc d = { .name = "instances", .err = err };
	struct gw_attestation *a;
	json_t *root = NULL, *arr = NULL, *obj, *key, *own;
	char p[MAX_JSON_PATH];
	size_t i;
	enum tmon_rc rc;

	if (rep->format != GW_FORMAT_CHUTES_DIRECT || body == NULL)
		return TMON_OK;
	if ((rc = tjson_load(&d, body, len, MAX_BLOB_LEN, TJSON_OBJECT,
	    &root)) != TMON_OK)
		return rc;
	if ((rc = tjson_array(&d, root, "", "instances", 0,
	    MAX_CHUTES_INSTANCES, 0, &arr)) != TMON_OK ||
	    (rc = check_instances(&d, arr)) != TMON_OK)
		goto out;
	/* an element that serves its own key must agree with the list */
	for (i = 0; i < json_array_size(arr); i++) {
		obj = json_array_get(arr, i);
		a = find_instance(rep, json_string_value(json_object_get(obj,
		    "instance_id")));
		if (a == NULL)
			continue;
		key = json_object_get(obj, "e2e_pubkey");
		own = json_object_get(a->obj, "e2e_pubkey");
		if (own != NULL && !json_equal(own, key)) {
			tjson_path_index(p, sizeof(p), "evidence", a->index);
			rc = tmon_err_set(err, TMON_E_PARSE, "%s.e2e_pubkey "
			    "differs from the /e2e/instances answer", p);
			goto out;
		}
	}
	for (i = 0; i < json_array_size(arr); i++) {
		obj = json_array_get(arr, i);
		a = find_instance(rep, json_string_value(json_object_get(obj,
		    "instance_id")));
		if (a == NULL)
			continue;
		key = json_object_get(obj, "e2e_pubkey");
		tjson_set(a->obj, "e2e_pubkey", json_incref(key));
		a->chutes_e2e_pubkey = json_string_value(json_object_get(
		    a->obj, "e2e_pubkey"));
	}
	rc = TMON_OK;
out:
	json_decref(root);
	return rc;
}
