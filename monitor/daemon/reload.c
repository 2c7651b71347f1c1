#include <stdio.h>
#include <string.h>

#include "reload.h"

/* Equal strings, NULL only equal to NULL. */
static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
bytes_eq(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return false;
	return alen == 0 || memcmp(a, b, alen) == 0;
}

static bool
policy_eq(const struct measurement_policy *a,
    const struct measurement_policy *b)
{
	return bytes_eq(a->mrtd.v, a->mrtd.n * 48, b->mrtd.v, b->mrtd.n * 48) &&
	    bytes_eq(a->rtmr0.v, a->rtmr0.n * 48, b->rtmr0.v,
	    b->rtmr0.n * 48) &&
	    bytes_eq(a->rtmr1.v, a->rtmr1.n * 48, b->rtmr1.v,
	    b->rtmr1.n * 48) &&
	    bytes_eq(a->rtmr2.v, a->rtmr2.n * 48, b->rtmr2.v,
	    b->rtmr2.n * 48) &&
	    bytes_eq(a->compose_hash.v, a->compose_hash.n * 32,
	    b->compose_hash.v, b->compose_hash.n * 32) &&
	    bytes_eq(a->os_image_hash.v, a->os_image_hash.n * 32,
	    b->os_image_hash.v, b->os_image_hash.n * 32);
}

static bool
prov_eq(const struct provenance_cfg *a, const struct provenance_cfg *b)
{
	return a->enabled == b->enabled && str_eq(a->repo, b->repo) &&
	    str_eq(a->workflow, b->workflow) && str_eq(a->ref, b->ref) &&
	    str_eq(a->issuer, b->issuer) &&
	    str_eq(a->digest_asset, b->digest_asset) &&
	    str_eq(a->hardware_repo, b->hardware_repo);
}

bool
reload_model_equal(const struct model_cfg *a, const struct model_cfg *b)
{
	const struct canary_cfg *ca = &a->canary, *cb = &b->canary;

	return str_eq(a->provider, b->provider) &&
	    str_eq(a->model, b->model) && str_eq(a->name, b->name) &&
	    str_eq(a->base_url, b->base_url) &&
	    str_eq(a->api_key_env, b->api_key_env) &&
	    a->interval_s == b->interval_s && a->jitter_s == b->jitter_s &&
	    a->timeout_s == b->timeout_s && a->has_policy == b->has_policy &&
	    (!a->has_policy || policy_eq(&a->policy, &b->policy)) &&
	    ca->enabled == cb->enabled && str_eq(ca->prompt, cb->prompt) &&
	    ca->max_tokens == cb->max_tokens && ca->stream == cb->stream &&
	    ca->signature_retries == cb->signature_retries &&
	    ca->signature_backoff_ms == cb->signature_backoff_ms &&
	    prov_eq(&a->provenance, &b->provenance);
}

static bool
quota_eq(const struct quota_limit *a, const struct quota_limit *b)
{
	return a->count == b->count && a->bytes == b->bytes &&
	    a->window_s == b->window_s;
}

static bool
log_eq(const struct log_cfg *a, const struct log_cfg *b)
{
	size_t i;

	if (!str_eq(a->origin, b->origin) || !str_eq(a->key_file, b->key_file) ||
	    !str_eq(a->checkpoint_file, b->checkpoint_file) ||
	    a->checkpoint_interval_s != b->checkpoint_interval_s ||
	    a->n_witnesses != b->n_witnesses)
		return false;
	for (i = 0; i < a->n_witnesses; i++)
		if (!str_eq(a->witnesses[i].name, b->witnesses[i].name) ||
		    !str_eq(a->witnesses[i].url, b->witnesses[i].url) ||
		    !str_eq(a->witnesses[i].key, b->witnesses[i].key))
			return false;
	return true;
}

/* Append key to buf (", " between keys). */
static bool
strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

static bool
alerts_eq(const struct alerts_cfg *a, const struct alerts_cfg *b)
{
	const struct webhook_cfg *wa, *wb;
	const struct maint_cfg *ma, *mb;
	size_t i;

	if (!str_eq(a->dashboard_url, b->dashboard_url) ||
	    a->n_webhooks != b->n_webhooks || a->n_maint != b->n_maint)
		return false;
	for (i = 0; i < a->n_webhooks; i++) {
		wa = &a->webhooks[i];
		wb = &b->webhooks[i];
		if (!str_eq(wa->name, wb->name) || !str_eq(wa->url, wb->url) ||
		    wa->format != wb->format ||
		    !strv_eq(wa->headers, wa->n_headers, wb->headers,
		    wb->n_headers) || !str_eq(wa->token_env, wb->token_env) ||
		    wa->failure_threshold != wb->failure_threshold ||
		    wa->success_threshold != wb->success_threshold ||
		    wa->send_on_resolved != wb->send_on_resolved ||
		    wa->reminder_s != wb->reminder_s ||
		    !strv_eq(wa->models, wa->n_models, wb->models,
		    wb->n_models) ||
		    !strv_eq(wa->reasons, wa->n_reasons, wb->reasons,
		    wb->n_reasons) || wa->retries != wb->retries ||
		    wa->timeout_s != wb->timeout_s)
			return false;
	}
	for (i = 0; i < a->n_maint; i++) {
		ma = &a->maint[i];
		mb = &b->maint[i];
		if (!str_eq(ma->name, mb->name) || ma->start_s != mb->start_s ||
		    ma->duration_s != mb->duration_s || ma->days != mb->days ||
		    !str_eq(ma->timezone, mb->timezone) ||
		    !strv_eq(ma->models, ma->n_models, mb->models, mb->n_models))
			return false;
	}
	return true;
}

static void
add_key(char *buf, size_t len, size_t *n, const char *key)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, "%s%s", *n > 0 ? ", " : "",
		    key);
	(*n)++;
}

size_t
reload_restart_keys(const struct config *old, const struct config *new,
    char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (old->max_body_bytes != new->max_body_bytes)
		add_key(buf, len, &n, "max_body_bytes");
	if (!str_eq(old->pcs_base_url, new->pcs_base_url) ||
	    !str_eq(old->pcs_root_ca_crl_url, new->pcs_root_ca_crl_url))
		add_key(buf, len, &n, "pcs");
	if (!str_eq(old->nras_base_url, new->nras_base_url))
		add_key(buf, len, &n, "nras");
	if (!str_eq(old->kds_base_url, new->kds_base_url))
		add_key(buf, len, &n, "kds");
	if (!str_eq(old->github_api_url, new->github_api_url) ||
	    !str_eq(old->github_download_url, new->github_download_url))
		add_key(buf, len, &n, "github");
	if (!str_eq(old->provenance_trusted_root,
	    new->provenance_trusted_root) ||
	    old->provenance_recheck_s != new->provenance_recheck_s)
		add_key(buf, len, &n, "provenance");
	if (!bytes_eq(old->test_intel_root_der, old->test_intel_root_der_len,
	    new->test_intel_root_der, new->test_intel_root_der_len) ||
	    !bytes_eq(old->test_nvidia_root_der,
	    old->test_nvidia_root_der_len, new->test_nvidia_root_der,
	    new->test_nvidia_root_der_len))
		add_key(buf, len, &n, "test_trust_anchors");
	if (old->http.max_connections != new->http.max_connections ||
	    old->http.max_per_address != new->http.max_per_address ||
	    old->http.request_deadline_s != new->http.request_deadline_s ||
	    old->http.idle_timeout_s != new->http.idle_timeout_s)
		add_key(buf, len, &n, "http");
	if (!str_eq(old->receipts_token_env, new->receipts_token_env) ||
	    !quota_eq(&old->receipts_per_client, &new->receipts_per_client) ||
	    !quota_eq(&old->receipts_global, &new->receipts_global))
		add_key(buf, len, &n, "receipts");
	if (!log_eq(&old->log, &new->log))
		add_key(buf, len, &n, "log");
	if (!alerts_eq(&old->alerts, &new->alerts))
		add_key(buf, len, &n, "alerts");
	return n;
}
