#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "encode.h"
#include "gateway.h"
#include "jcs.h"
#include "nras_request.h"
#include "tjson.h"
#include "tmon_limits.h"

/* One evidence item, checked and copied: {"arch", "certificate",
 * "evidence"} ("arch" only when served). */
static enum tmon_rc
item_copy(struct tjson_doc *d, const json_t *it, const char *path,
    json_t *list, const char **arch)
{
	const char *cert, *ev, *a = NULL;
	enum tmon_rc rc;
	json_t *o;

	if (!json_is_object(it))
		return tjson_fail(d, TMON_E_PARSE, path, "must be an object");
	if ((rc = tjson_str(d, it, path, "certificate", MAX_BLOB_LEN, 0,
	    &cert, NULL)) != TMON_OK ||
	    (rc = tjson_str(d, it, path, "evidence", MAX_BLOB_LEN, 0, &ev,
	    NULL)) != TMON_OK ||
	    (rc = tjson_str(d, it, path, "arch", 64, TJSON_OPTIONAL, &a,
	    NULL)) != TMON_OK)
		return rc;
	o = tjson_chk(json_object());
	tjson_set(o, "certificate", tjson_chk(json_string(cert)));
	tjson_set(o, "evidence", tjson_chk(json_string(ev)));
	if (a != NULL) {
		tjson_set(o, "arch", tjson_chk(json_string(a)));
		if (*arch == NULL)
			*arch = a;
	}
	if (json_array_append_new(list, o) != 0)
		return tjson_fail(d, TMON_E_LIMIT, path, "cannot be kept");
	return TMON_OK;
}

/* The evidence items of arr into list. */
static enum tmon_rc
list_copy(struct tjson_doc *d, const json_t *arr, const char *path,
    json_t *list, const char **arch)
{
	const json_t *it;
	char p[MAX_JSON_PATH];
	enum tmon_rc rc;
	size_t i;

	if (!json_is_array(arr))
		return tjson_fail(d, TMON_E_PARSE, path, "must be an array");
	if (json_array_size(arr) == 0)
		return tjson_fail(d, TMON_E_PARSE, path, "holds no evidence");
	if (json_array_size(arr) > MAX_GPUS)
		return tjson_fail(d, TMON_E_LIMIT, path, "more than %d GPUs",
		    MAX_GPUS);
	json_array_foreach(arr, i, it) {
		tjson_path_index(p, sizeof(p), path, i);
		if ((rc = item_copy(d, it, p, list, arch)) != TMON_OK)
			return rc;
	}
	return TMON_OK;
}

enum tmon_rc
nras_request_body(const uint8_t *body, size_t len, const uint8_t nonce[32],
    uint8_t **out, size_t *out_len, struct tmon_err *err)
{
	const struct gw_attestation *a;
	struct tjson_doc d;
	struct gw_report rep;
	struct buf b;
	json_t *payload = NULL, *req = NULL, *list;
	const char *arch = NULL, *parch = NULL;
	char nhex[65];
	enum tmon_rc rc;

	*out = NULL;
	*out_len = 0;
	if ((rc = gw_report_decode(body, len, &rep, err)) != TMON_OK)
		return rc;
	memset(&d, 0, sizeof(d));
	d.err = err;
	list = tjson_chk(json_array());
	if (rep.n_att == 0 || rep.primary >= rep.n_att) {
		rc = tmon_err_set(err, TMON_E_NOTFOUND, "no TEE attestation");
		goto out;
	}
	a = &rep.att[rep.primary];
	if (a->nvidia_payload != NULL) {
		d.name = "nvidia_payload";
		if ((rc = tjson_load(&d, a->nvidia_payload,
		    a->nvidia_payload_len, MAX_BLOB_LEN, TJSON_OBJECT,
		    &payload)) != TMON_OK ||
		    (rc = tjson_str(&d, payload, "", "arch", 64,
		    TJSON_OPTIONAL, &parch, NULL)) != TMON_OK ||
		    (rc = list_copy(&d, json_object_get(payload,
		    "evidence_list"), "evidence_list", list, &arch)) !=
		    TMON_OK)
			goto out;
	} else if (a->gpu_evidence != NULL) {
		d.name = "gpu_evidence";
		if ((rc = list_copy(&d, a->gpu_evidence, "", list, &arch)) !=
		    TMON_OK)
			goto out;
	} else {
		rc = tmon_err_set(err, TMON_E_NOTFOUND, "no GPU evidence");
		goto out;
	}
	req = tjson_chk(json_object());
	tjson_set(req, "arch", tjson_chk(json_string(parch != NULL ? parch :
	    arch != NULL ? arch : "HOPPER")));
	tjson_set(req, "nonce", tjson_chk(json_string(hex_encode(nonce, 32,
	    nhex))));
	json_incref(list);
	tjson_set(req, "evidence_list", list);
	buf_init(&b, MAX_FETCH_REQUEST_BODY);
	if ((rc = jcs_append(&b, req, err)) != TMON_OK) {
		buf_free(&b);
		goto out;
	}
	*out = buf_release(&b, out_len);
out:
	json_decref(req);
	json_decref(list);
	json_decref(payload);
	gw_report_free(&rep);
	return rc;
}
