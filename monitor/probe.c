#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "encode.h"
#include "log.h"
#include "probe.h"
#include "sig.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

uint8_t *
entry_canonical(const json_t *v, size_t *len)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

	TMON_ASSERT(s != NULL);
	*len = strlen(s);
	return (uint8_t *)s;
}

json_t *
entry_checks_json(const struct checklist *cl)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < cl->n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}",
		    "id", cl->items[i].id,
		    "status", check_status_str(cl->items[i].status),
		    "detail", cl->items[i].detail));
	return arr;
}

static json_t *
hexval(const uint8_t *p, size_t n)
{
	char out[2 * 64 + 1];

	TMON_ASSERT(n <= 64);
	return json_string(hex_encode(p, n, out));
}

json_t *
entry_measurement_json(const struct attest_measurement *m)
{
	json_t *o;

	if (!m->has_quote)
		return json_null();
	o = json_object();
	json_object_set_new(o, "mrtd", hexval(m->mrtd, 48));
	json_object_set_new(o, "rtmr0", hexval(m->rtmr[0], 48));
	json_object_set_new(o, "rtmr1", hexval(m->rtmr[1], 48));
	json_object_set_new(o, "rtmr2", hexval(m->rtmr[2], 48));
	json_object_set_new(o, "rtmr3", hexval(m->rtmr[3], 48));
	json_object_set_new(o, "report_data", hexval(m->report_data, 64));
	json_object_set_new(o, "mr_config_id", hexval(m->mr_config_id, 48));
	json_object_set_new(o, "signing_address",
	    json_string(m->signing_address));
	json_object_set_new(o, "signing_algo", json_string(m->signing_algo));
	json_object_set_new(o, "compose_hash",
	    m->compose_hash[0] != '\0' ? json_string(m->compose_hash) :
	    json_null());
	json_object_set_new(o, "reportdata_layout",
	    m->reportdata_layout[0] != '\0' ?
	    json_string(m->reportdata_layout) : json_null());
	json_object_set_new(o, "gpus", json_integer((json_int_t)m->n_gpus));
	json_object_set_new(o, "attestations",
	    json_integer((json_int_t)m->n_attestations));
	return o;
}


char *
probe_url(const struct model_cfg *m, const uint8_t nonce[32])
{
	struct buf b;
	char nhex[65];
	bool ok;

	hex_encode(nonce, 32, nhex);
	buf_init(&b, MAX_URL);
	ok = buf_append_str(&b, m->base_url) &&
	    buf_append_str(&b, m->route == ROUTE_NANOGPT ?
	    "/api/v1/tee/attestation?model=" :
	    "/v1/attestation/report?model=") &&
	    buf_append_pct(&b, m->model) &&
	    buf_append_str(&b, "&nonce=") && buf_append_str(&b, nhex) &&
	    (m->route == ROUTE_NANOGPT ||
	    buf_append_str(&b, "&signing_algo=ecdsa"));
	if (!ok)
		return NULL;
	return (char *)buf_release(&b, NULL);
}

static void
short_err(char *out, size_t outsz, const struct probe_fetch *f)
{
	if (f->rc != TMON_OK)
		snprintf(out, outsz, "%s (%s)", tmon_rc_str(f->rc), f->error);
	else
		snprintf(out, outsz, "HTTP %ld%s", f->status,
		    f->body == NULL || f->body_len == 0 ?
		    " with an empty body" : "");
}

/* probe_check_canary, with the caller's verify_ctx (may be NULL). */
static void
check_canary(struct verify_ctx *vc, const struct probe_canary *cn,
    const char *attested, struct checklist *cl)
{
	struct sig_response sr;
	struct sig_input in;
	struct tmon_err err;
	char why[300];

	if (cn->completion.rc == TMON_E_LIMIT) {
		checklist_set(cl, "sig.completion", CHECK_FAIL,
		    "canary completion exceeds the size cap");
		return;
	}
	if (cn->completion.rc != TMON_OK || cn->completion.status != 200 ||
	    cn->completion.body == NULL || cn->completion.body_len == 0) {
		short_err(why, sizeof(why), &cn->completion);
		checklist_set(cl, "sig.completion", CHECK_ERROR,
		    "canary completion failed: %s", why);
		return;
	}
	if (cn->completion_id == NULL || cn->completion_id[0] == '\0') {
		checklist_set(cl, "sig.completion", CHECK_FAIL,
		    "canary completion carries no usable id: its signature "
		    "cannot be looked up");
		return;
	}
	if (!cn->sig_attempted || cn->signature.rc != TMON_OK ||
	    cn->signature.status != 200 || cn->signature.body == NULL ||
	    cn->signature.body_len == 0) {
		short_err(why, sizeof(why), &cn->signature);
		checklist_set(cl, "sig.completion", CHECK_ERROR,
		    "signature for %s not available after %u request%s "
		    "(last: %s)", cn->completion_id, cn->sig_tries,
		    cn->sig_tries == 1 ? "" : "s", why);
		return;
	}
	tmon_err_clear(&err);
	switch (sig_response_parse(cn->signature.body, cn->signature.body_len,
	    &sr, &err)) {
	case TMON_OK:
		break;
	case TMON_E_NOTFOUND:
		checklist_set(cl, "sig.completion", CHECK_ERROR,
		    "signature for %s not available: %s", cn->completion_id,
		    err.msg);
		return;
	default:
		checklist_set(cl, "sig.completion", CHECK_FAIL,
		    "malformed signature answer: %s", err.msg);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.text = sr.text;
	in.text_len = sr.text_len;
	in.signature = sr.signature;
	in.signing_address = sr.signing_address;
	in.signing_algo = sr.signing_algo;
	in.request = cn->request;
	in.request_len = cn->request_len;
	in.response = cn->completion.body;
	in.response_len = cn->completion.body_len;
	in.attested_address = attested != NULL && attested[0] != '\0' ?
	    attested : NULL;
	in.vc = vc;
	sig_check_completion(&in, cl);
	sig_response_free(&sr);
}

void
probe_check_canary(const struct probe_canary *cn, const char *attested,
    struct checklist *cl)
{
	check_canary(NULL, cn, attested, cl);
}

static json_t *
canary_json(const struct probe_canary *cn, struct probe_outcome *out)
{
	char h[65];
	json_t *o;

	o = json_pack("{s:b, s:s, s:I, s:I}", "stream", cn->stream,
	    "url", cn->url != NULL ? cn->url : "",
	    "status", (json_int_t)cn->completion.status,
	    "duration_ms", (json_int_t)cn->completion.duration_ms);
	sha256(cn->request, cn->request_len, out->canary_req_sha256);
	json_object_set_new(o, "request_sha256",
	    json_string(hex_encode(out->canary_req_sha256, 32, h)));
	/* An empty body is no blob (the store keeps 1 byte or more). */
	if (cn->completion.body != NULL && cn->completion.body_len > 0) {
		sha256(cn->completion.body, cn->completion.body_len,
		    out->canary_resp_sha256);
		out->has_canary_resp = true;
		json_object_set_new(o, "response_sha256",
		    json_string(hex_encode(out->canary_resp_sha256, 32, h)));
	} else
		json_object_set_new(o, "response_sha256", json_null());
	json_object_set_new(o, "error", cn->completion.error != NULL &&
	    cn->completion.error[0] != '\0' ?
	    json_string(cn->completion.error) : json_null());
	json_object_set_new(o, "completion_id", cn->completion_id != NULL &&
	    cn->completion_id[0] != '\0' ? json_string(cn->completion_id) :
	    json_null());
	json_object_set_new(o, "signature_requests",
	    json_integer((json_int_t)cn->sig_tries));
	json_object_set_new(o, "signature_status",
	    json_integer((json_int_t)cn->signature.status));
	if (cn->sig_attempted && cn->signature.body != NULL &&
	    cn->signature.body_len > 0) {
		sha256(cn->signature.body, cn->signature.body_len,
		    out->canary_sig_sha256);
		out->has_canary_sig = true;
		json_object_set_new(o, "signature_sha256",
		    json_string(hex_encode(out->canary_sig_sha256, 32, h)));
	} else
		json_object_set_new(o, "signature_sha256", json_null());
	return o;
}

void
probe_evaluate(const struct model_cfg *m, const char *url,
    const uint8_t nonce[32], int64_t time, int64_t now,
    const struct attest_ctx *ctx, const struct probe_fetch *f,
    const struct probe_canary *cn, struct probe_outcome *out)
{
	struct checklist *cl, tmp;
	json_t *o, *req;
	size_t i;
	char nhex[65], shex[65];

	memset(out, 0, sizeof(*out));
	cl = &out->res.checks;
	checklist_init(cl);
	/* An empty body is no blob (the store keeps 1 byte or more). */
	if (f->body != NULL && f->body_len > 0) {
		sha256(f->body, f->body_len, out->body_sha256);
		out->has_body = true;
	}
	if (f->rc == TMON_E_LIMIT)
		checklist_set(cl, "http.fetch", CHECK_FAIL,
		    "response body exceeds the size cap: dropped (%s)",
		    f->error);
	else if (f->rc != TMON_OK)
		checklist_set(cl, "http.fetch", CHECK_ERROR,
		    "no answer from upstream: %s (%s)", tmon_rc_str(f->rc),
		    f->error);
	else if (f->status != 200)
		checklist_set(cl, "http.fetch", CHECK_ERROR,
		    "upstream answered HTTP %ld%s: nothing to verify",
		    f->status, f->body == NULL || f->body_len == 0 ?
		    " with an empty body" : "");
	else if (f->body == NULL || f->body_len == 0)
		checklist_set(cl, "http.fetch", CHECK_ERROR,
		    "upstream answered HTTP 200 with an empty body: nothing "
		    "to verify");
	else {
		attest_verify_ctx(f->body, f->body_len, nonce, now, ctx,
		    &out->res);
		/* Show the transport first, then the evidence checks. */
		checklist_init(&tmp);
		checklist_set(&tmp, "http.fetch", CHECK_PASS,
		    "HTTP 200, %zu bytes in %lld ms", f->body_len,
		    (long long)f->duration_ms);
		for (i = 0; i < cl->n; i++)
			checklist_set(&tmp, cl->items[i].id,
			    cl->items[i].status, "%s", cl->items[i].detail);
		*cl = tmp;
	}
	if (cn != NULL && cn->attempted)
		check_canary(ctx != NULL ? ctx->vc : NULL, cn,
		    out->res.m.signing_address, cl);
	if (f->rc != TMON_OK || f->status != 200 || f->body == NULL ||
	    f->body_len == 0 || (cn != NULL && cn->attempted)) {
		enum check_status v = checklist_verdict(cl);

		/* keep attest_verify's "nothing evidential was checked" rule */
		if (out->res.verdict == CHECK_ERROR && v != CHECK_FAIL)
			v = CHECK_ERROR;
		out->res.verdict = v;
	}

	req = json_pack("{s:s, s:I, s:I, s:I}",
	    "url", url, "status", (json_int_t)f->status,
	    "duration_ms", (json_int_t)f->duration_ms,
	    "body_len", (json_int_t)(f->body != NULL ? f->body_len : 0));
	json_object_set_new(req, "error", f->error != NULL &&
	    f->error[0] != '\0' ? json_string(f->error) : json_null());
	json_object_set_new(req, "body_sha256", out->has_body ?
	    json_string(hex_encode(out->body_sha256, 32, shex)) : json_null());
	o = json_object();
	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "kind", json_string("probe"));
	json_object_set_new(o, "time", json_integer((json_int_t)time));
	json_object_set_new(o, "verified_at", json_integer((json_int_t)now));
	json_object_set_new(o, "model", json_string(m->name));
	json_object_set_new(o, "upstream_model", json_string(m->model));
	json_object_set_new(o, "provider", json_string(m->provider));
	json_object_set_new(o, "nonce",
	    json_string(hex_encode(nonce, 32, nhex)));
	json_object_set_new(o, "format",
	    json_string(gw_format_str(out->res.format)));
	json_object_set_new(o, "request", req);
	json_object_set_new(o, "checks", entry_checks_json(cl));
	json_object_set_new(o, "verdict",
	    json_string(check_status_str(out->res.verdict)));
	json_object_set_new(o, "measurement",
	    entry_measurement_json(&out->res.m));
	json_object_set_new(o, "canary", cn != NULL && cn->attempted ?
	    canary_json(cn, out) : json_null());
	out->entry = entry_canonical(o, &out->entry_len);
	json_decref(o);
}

void
probe_outcome_free(struct probe_outcome *out)
{
	if (out == NULL)
		return;
	free(out->entry);
	out->entry = NULL;
}
