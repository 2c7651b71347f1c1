#include <string.h>

#include "encode.h"
#include "gateway_near.h"
#include "tmon_limits.h"

/* Path of the attestation a of rep, as gateway.c names it. */
static void
att_path(const struct gw_report *rep, const struct gw_attestation *a,
    char *p, size_t psz)
{
	if (a->obj == rep->root)
		p[0] = '\0';
	else
		tjson_path_index(p, psz, rep->format ==
		    GW_FORMAT_NEAR_GATEWAY ? "model_attestations" :
		    "all_attestations", a->index);
}

static enum tmon_rc
decode_cm(struct tjson_doc *d, struct gw_attestation *a, const char *path)
{
	const char *s = NULL;
	size_t len = 0;
	char p[MAX_JSON_PATH];
	json_t *v;
	enum tmon_rc rc;

	if ((rc = tjson_str(d, a->obj, path, "quote", 2 * MAX_QUOTE_LEN + 2,
	    TJSON_OPTIONAL | TJSON_NULL, &s, &len)) != TMON_OK)
		return rc;
	if (s != NULL && (a->quote = hex_decode_alloc(s, len, MAX_QUOTE_LEN,
	    false, &a->quote_len)) == NULL)
		return tjson_fail(d, TMON_E_PARSE, tjson_path(p, sizeof(p),
		    path, "quote"), "not hex of at most %u bytes",
		    MAX_QUOTE_LEN);
	v = json_object_get(a->obj, "nonce");
	if (v != NULL && !json_is_null(v)) {
		if ((rc = tjson_hex(d, a->obj, path, "nonce", TJSON_0X,
		    a->request_nonce, 32)) != TMON_OK)
			return rc;
		a->has_request_nonce = true;
	}
	v = json_object_get(a->obj, "actions_hash");
	if (v != NULL && !json_is_null(v)) {
		if ((rc = tjson_hex(d, a->obj, path, "actions_hash", TJSON_0X,
		    a->actions_hash, 32)) != TMON_OK)
			return rc;
		a->has_actions_hash = true;
	}
	return tjson_array(d, a->obj, path, "actions", 0, SIZE_MAX,
	    TJSON_OPTIONAL | TJSON_NULL, &a->actions);
}

/* Whether an earlier compose manager of rep serves the quote text q. */
static bool
seen_quote(const struct gw_report *rep, size_t n, const char *q)
{
	const char *o;
	size_t i;

	for (i = 0; i < n; i++) {
		if (rep->att[i].role != GW_ROLE_COMPOSE_MANAGER)
			continue;
		o = json_string_value(json_object_get(rep->att[i].obj,
		    "quote"));
		if (o != NULL && q != NULL && strcmp(o, q) == 0)
			return true;
	}
	return false;
}

enum tmon_rc
gw_near_add_compose_managers(struct tjson_doc *d, struct gw_report *rep)
{
	struct gw_attestation *a;
	char parent[MAX_JSON_PATH], p[MAX_JSON_PATH];
	size_t i, n = rep->n_att;
	json_t *cm;
	enum tmon_rc rc;

	if (rep->format != GW_FORMAT_DSTACK &&
	    rep->format != GW_FORMAT_NEAR_GATEWAY)
		return TMON_OK;
	for (i = 0; i < n; i++) {
		if (rep->att[i].role != GW_ROLE_MODEL)
			continue;
		att_path(rep, &rep->att[i], parent, sizeof(parent));
		cm = NULL;
		if ((rc = tjson_object(d, rep->att[i].obj, parent,
		    "compose_manager_attestation", TJSON_OPTIONAL | TJSON_NULL,
		    &cm)) != TMON_OK)
			return rc;
		if (cm == NULL || seen_quote(rep, rep->n_att,
		    json_string_value(json_object_get(cm, "quote"))))
			continue;
		if (rep->n_att >= MAX_ATTESTATIONS)
			return tjson_fail(d, TMON_E_LIMIT, NULL, "more than %d "
			    "attestations", MAX_ATTESTATIONS);
		a = &rep->att[rep->n_att++];
		memset(a, 0, sizeof(*a));
		a->role = GW_ROLE_COMPOSE_MANAGER;
		a->index = rep->att[i].index;
		a->obj = cm;
		tjson_path(p, sizeof(p), parent, "compose_manager_attestation");
		if ((rc = decode_cm(d, a, p)) != TMON_OK)
			return rc;
	}
	return TMON_OK;
}
