#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "encode.h"
#include "entry.h"
#include "log.h"
#include "probe.h"
#include "provider.h"
#include "sig.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

char *
probe_url(const struct model_cfg *m, const uint8_t nonce[32])
{
	struct buf b;
	char nhex[65];
	bool ok;

	hex_encode(nonce, 32, nhex);
	buf_init(&b, MAX_URL);
	ok = buf_append_str(&b, m->base_url) &&
	    buf_append_str(&b, m->prov->attestation_path);
	if (m->prov->attestation_suffix != NULL)
		ok = ok && buf_append_pct(&b, m->model) &&
		    buf_append_str(&b, m->prov->attestation_suffix) &&
		    buf_append_str(&b, "?nonce=") &&
		    buf_append_str(&b, nhex);
	else
		ok = ok && buf_append_str(&b, "?model=") &&
		    buf_append_pct(&b, m->model) &&
		    buf_append_str(&b, "&nonce=") &&
		    buf_append_str(&b, nhex) &&
		    (!m->prov->attestation_ecdsa ||
		    buf_append_str(&b, "&signing_algo=ecdsa"));
	if (!ok) {
		buf_free(&b);
		return NULL;
	}
	return (char *)buf_release(&b, NULL);
}

char *
probe_instances_url(const struct model_cfg *m)
{
	struct buf b;

	if (m->prov->instances_path == NULL)
		return NULL;
	buf_init(&b, MAX_URL);
	if (!buf_append_str(&b, m->base_url) ||
	    !buf_append_str(&b, m->prov->instances_path) ||
	    !buf_append_pct(&b, m->model)) {
		buf_free(&b);
		return NULL;
	}
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

/* The canary's blobs into out, and its part of the entry into ec. */
static void
canary_entry(const struct probe_canary *cn, struct probe_outcome *out,
    struct entry_canary *ec)
{
	memset(ec, 0, sizeof(*ec));
	ec->stream = cn->stream;
	ec->url = cn->url;
	ec->status = cn->completion.status;
	ec->duration_ms = cn->completion.duration_ms;
	sha256(cn->request, cn->request_len, out->canary_req_sha256);
	ec->request_sha256 = out->canary_req_sha256;
	/* An empty body is no blob (the store keeps 1 byte or more). */
	if (cn->completion.body != NULL && cn->completion.body_len > 0) {
		sha256(cn->completion.body, cn->completion.body_len,
		    out->canary_resp_sha256);
		out->has_canary_resp = true;
		ec->response_sha256 = out->canary_resp_sha256;
	}
	ec->error = cn->completion.error;
	ec->completion_id = cn->completion_id;
	ec->signature_requests = cn->sig_tries;
	ec->signature_status = cn->signature.status;
	if (cn->sig_attempted && cn->signature.body != NULL &&
	    cn->signature.body_len > 0) {
		sha256(cn->signature.body, cn->signature.body_len,
		    out->canary_sig_sha256);
		out->has_canary_sig = true;
		ec->signature_sha256 = out->canary_sig_sha256;
	}
}

void
probe_evaluate(const struct model_cfg *m, const char *url,
    const uint8_t nonce[32], int64_t time, int64_t now,
    const struct attest_ctx *ctx, const struct probe_fetch *f,
    const struct probe_canary *cn, struct probe_outcome *out)
{
	static const struct attest_ctx none;
	struct checklist *cl, tmp;
	struct entry_probe ep;
	struct entry_canary ec;
	struct entry_request er;
	struct attest_ctx actx;
	const struct probe_fetch *inst = f->instances;
	const struct provider *prov;
	const struct probe_fetch *nf = NULL;
	struct entry_request nr;
	char why[300];
	size_t i;

	memset(out, 0, sizeof(*out));
	/* the request made before the attestation, and its answer */
	actx = ctx != NULL ? *ctx : none;
	memset(&er, 0, sizeof(er));
	if (inst != NULL) {
		if (inst->body != NULL && inst->body_len > 0) {
			sha256(inst->body, inst->body_len,
			    out->instances_sha256);
			out->has_instances = true;
			er.body_sha256 = out->instances_sha256;
		}
		if (inst->rc == TMON_OK && inst->status == 200 &&
		    out->has_instances) {
			actx.chutes_instances = inst->body;
			actx.chutes_instances_len = inst->body_len;
		}
		er.url = f->instances_url;
		er.status = inst->status;
		er.duration_ms = inst->duration_ms;
		er.body_len = inst->body != NULL ? inst->body_len : 0;
		er.error = inst->error;
		ctx = &actx;
	}
	/* the served certificate, unless a relay served it */
	prov = provider_find(m->provider);
	if (f->has_tls_spki && prov != NULL && !prov->relays) {
		if (ctx != &actx) {
			actx = ctx != NULL ? *ctx : none;
			ctx = &actx;
		}
		actx.has_tls_spki = true;
		memcpy(actx.tls_spki_sha256, f->tls_spki_sha256, 32);
	}
	/* NVIDIA's answer for the GPU evidence, and the JWKS */
	memset(&nr, 0, sizeof(nr));
	if (f->nras != NULL) {
		nf = f->nras;
		if (nf->body != NULL && nf->body_len > 0) {
			sha256(nf->body, nf->body_len, out->nras_sha256);
			out->has_nras = true;
			nr.body_sha256 = out->nras_sha256;
		}
		if (f->nras_jwks != NULL && f->nras_jwks_len > 0) {
			sha256(f->nras_jwks, f->nras_jwks_len,
			    out->nras_jwks_sha256);
			out->has_nras_jwks = true;
		}
		if (ctx != &actx) {
			actx = ctx != NULL ? *ctx : none;
			ctx = &actx;
		}
		if (nf->rc == TMON_OK && nf->status == 200 && out->has_nras) {
			actx.nras_eat = nf->body;
			actx.nras_eat_len = nf->body_len;
			actx.nras_jwks = f->nras_jwks;
			actx.nras_jwks_len = f->nras_jwks_len;
		}
		nr.url = f->nras_url;
		nr.status = nf->status;
		nr.duration_ms = nf->duration_ms;
		nr.body_len = nf->body != NULL ? nf->body_len : 0;
		nr.error = nf->error;
	}
	if (f->tls_chain != NULL && f->tls_chain_len > 0) {
		sha256(f->tls_chain, f->tls_chain_len, out->tls_chain_sha256);
		out->has_tls_chain = true;
	}
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
	/* asked, and NRAS gave no answer to judge: we could not check */
	if (nf != NULL && checklist_get(cl, "gpu.nras") != NULL &&
	    (nf->rc != TMON_OK || nf->status != 200 || !out->has_nras)) {
		short_err(why, sizeof(why), nf);
		checklist_set(cl, "gpu.nras", CHECK_ERROR, "NRAS gave no "
		    "answer: %s", why);
	}
	if (cn != NULL && cn->attempted)
		check_canary(ctx != NULL ? ctx->vc : NULL, cn,
		    out->res.m.signing_address, cl);
	if (f->provenance != NULL && cl->n + 2 <= MAX_CHECKS)
		f->provenance(f->provenance_arg, &out->res.m, cl);
	else if (f->provenance != NULL)
		log_warnx("probe: no room for the provenance checks model=%s",
		    m->name);
	if (f->rc != TMON_OK || f->status != 200 || f->body == NULL ||
	    f->body_len == 0 || (cn != NULL && cn->attempted) || nf != NULL ||
	    f->provenance != NULL) {
		enum check_status v = checklist_verdict(cl);

		/* keep attest_verify's "nothing evidential was checked" rule */
		if (out->res.verdict == CHECK_ERROR && v != CHECK_FAIL)
			v = CHECK_ERROR;
		out->res.verdict = v;
	}

	memset(&ep, 0, sizeof(ep));
	ep.time = time;
	ep.verified_at = now;
	ep.model = m->name;
	ep.upstream_model = m->model;
	ep.provider = m->provider;
	ep.nonce = nonce;
	ep.format = gw_format_str(out->res.format);
	ep.url = url;
	ep.status = f->status;
	ep.duration_ms = f->duration_ms;
	ep.body_len = f->body != NULL ? f->body_len : 0;
	ep.error = f->error;
	ep.body_sha256 = out->has_body ? out->body_sha256 : NULL;
	ep.tls_spki_sha256 = f->has_tls_spki ? f->tls_spki_sha256 : NULL;
	ep.tls_chain_sha256 = out->has_tls_chain ? out->tls_chain_sha256 :
	    NULL;
	ep.checks = cl;
	ep.verdict = check_status_str(out->res.verdict);
	ep.measurement = &out->res.m;
	if (cn != NULL && cn->attempted) {
		canary_entry(cn, out, &ec);
		ep.canary = &ec;
	}
	if (inst != NULL)
		ep.instances = &er;
	if (nf != NULL) {
		ep.nras = &nr;
		ep.nras_jwks_sha256 = out->has_nras_jwks ?
		    out->nras_jwks_sha256 : NULL;
	}
	out->entry = entry_probe_body(&ep, &out->entry_len);
}

void
probe_outcome_free(struct probe_outcome *out)
{
	if (out == NULL)
		return;
	free(out->entry);
	out->entry = NULL;
}
