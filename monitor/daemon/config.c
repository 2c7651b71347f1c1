#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "config.h"
#include "fetch.h"
#include "note.h"
#include "service.h"
#include "sigstore.h"
#include "store.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "tz.h"
#include "util.h"
#include "x509.h"
#include "xmalloc.h"

#define MAX_CONFIG_LEN	(1024 * 1024)
#define MAX_POLICY_VALUES	64
#define DEFAULT_PCS_BASE_URL	"https://api.trustedservices.intel.com"
#define DEFAULT_ROOT_CA_CRL_URL	\
	"https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"
/* AMD KDS, pub. 57230 chapter 4 */
#define DEFAULT_KDS_BASE_URL	"https://kdsintf.amd.com"
/* GitHub's REST API and release downloads (provenance_client.h) */
#define DEFAULT_GITHUB_API_URL	"https://api.github.com"
#define DEFAULT_GITHUB_DOWNLOAD_URL	"https://github.com"
#define DEFAULT_PROV_ASSET	"tinfoil.hash"
#define DEFAULT_PROV_RECHECK_S	900
#define DEFAULT_CANARY_PROMPT	"Reply with the single word: ok"

/*
 * Every error names the file, the line and column where the JSON path
 * is written (or its closest enclosing key or element, for a value the
 * file does not spell out: a default) and the path (tjson.h).
 */

/* A configured URL (fetch_url_check), or an error naming path. */
static enum tmon_rc
check_url(struct tjson_doc *v, const char *path, const char *url,
    enum fetch_url_kind kind)
{
	struct tmon_err uerr;

	tmon_err_clear(&uerr);
	if (fetch_url_check(url, kind, &uerr) == TMON_OK)
		return TMON_OK;
	return tjson_fail(v, TMON_E_CONFIG, path, "%s", uerr.msg);
}

static void
strip_slash(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
}

/* A non-empty string member, copied into *out (NULL when absent). */
static enum tmon_rc
get_str(struct tjson_doc *v, json_t *obj, const char *path, const char *key,
    bool required, char **out)
{
	const char *s = NULL;
	size_t len = 0;
	char sub[MAX_JSON_PATH];
	enum tmon_rc rc;

	*out = NULL;
	if ((rc = tjson_str(v, obj, path, key, MAX_URL, required ? 0 :
	    TJSON_OPTIONAL, &s, &len)) != TMON_OK || s == NULL)
		return rc;
	if (len == 0)
		return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub, sizeof(sub),
		    path, key), "must not be empty");
	*out = xstrdup(s);
	return TMON_OK;
}

/* A list of n-byte hex values ("policy": {"mrtd": [...]}) into mem. */
static enum tmon_rc
get_hexlist(struct tjson_doc *v, json_t *obj, const char *path,
    const char *key, size_t n, uint8_t **mem, size_t *used, size_t *count,
    size_t *off)
{
	json_t *arr = NULL;
	char sub[MAX_JSON_PATH], el[MAX_JSON_PATH];
	size_t i;
	enum tmon_rc rc;

	*count = 0;
	*off = *used;
	if ((rc = tjson_array(v, obj, path, key, 0, MAX_POLICY_VALUES,
	    TJSON_OPTIONAL, &arr)) != TMON_OK || arr == NULL)
		return rc;
	tjson_path(sub, sizeof(sub), path, key);
	*mem = xreallocarray(*mem, *used + json_array_size(arr) * n + 1, 1);
	for (i = 0; i < json_array_size(arr); i++) {
		if ((rc = tjson_hex(v, json_array_get(arr, i),
		    tjson_path_index(el, sizeof(el), sub, i), NULL, TJSON_0X,
		    *mem + *used, n)) != TMON_OK)
			return rc;
		*used += n;
	}
	*count = json_array_size(arr);
	return TMON_OK;
}

/* The six lists of a policy or a reference value set (obj) into *p,
 * their bytes in *mem (the caller checked obj's keys). */
static enum tmon_rc
parse_lists(struct tjson_doc *v, json_t *obj, const char *path,
    struct measurement_policy *p, uint8_t **mem)
{
	static const char *const keys[] = { "mrtd", "rtmr0", "rtmr1", "rtmr2",
	    "compose_hash", "os_image_hash" };
	static const size_t sizes[] = { 48, 48, 48, 48, 32, 32 };
	size_t count[6], off[6], used = 0, i;
	enum tmon_rc rc;

	for (i = 0; i < 6; i++)
		if ((rc = get_hexlist(v, obj, path, keys[i], sizes[i],
		    mem, &used, &count[i], &off[i])) != TMON_OK)
			return rc;
	/* Point the lists into the (now final) buffer. */
	p->mrtd.v = (const uint8_t (*)[48])(*mem + off[0]);
	p->mrtd.n = count[0];
	p->rtmr0.v = (const uint8_t (*)[48])(*mem + off[1]);
	p->rtmr0.n = count[1];
	p->rtmr1.v = (const uint8_t (*)[48])(*mem + off[2]);
	p->rtmr1.n = count[2];
	p->rtmr2.v = (const uint8_t (*)[48])(*mem + off[3]);
	p->rtmr2.n = count[3];
	p->compose_hash.v = (const uint8_t (*)[32])(*mem + off[4]);
	p->compose_hash.n = count[4];
	p->os_image_hash.v = (const uint8_t (*)[32])(*mem + off[5]);
	p->os_image_hash.n = count[5];
	return TMON_OK;
}

static enum tmon_rc
parse_policy(struct tjson_doc *v, json_t *obj, const char *path,
    struct model_cfg *m)
{
	static const char *const keys[] = { "mrtd", "rtmr0", "rtmr1", "rtmr2",
	    "compose_hash", "os_image_hash", NULL };
	enum tmon_rc rc;

	if ((rc = tjson_object(v, obj, path, NULL, 0, &obj)) != TMON_OK ||
	    (rc = tjson_keys(v, obj, path, keys)) != TMON_OK ||
	    (rc = parse_lists(v, obj, path, &m->policy, &m->policy_mem)) !=
	    TMON_OK)
		return rc;
	m->has_policy = true;
	return TMON_OK;
}

/*
 * "reference_values" (config.h): each set's name (unique), source,
 * models (names of the schedule) and lists; cfg->models are parsed.
 */
static enum tmon_rc
parse_refvals(struct tjson_doc *v, json_t *arr, struct config *cfg)
{
	static const char *const keys[] = { "name", "source", "models",
	    "mrtd", "rtmr0", "rtmr1", "rtmr2", "compose_hash",
	    "os_image_hash", NULL };
	struct refval_cfg *r;
	json_t *o, *ms;
	const char *s;
	char path[MAX_JSON_PATH], sub[MAX_JSON_PATH], el[MAX_JSON_PATH];
	enum tmon_rc rc;
	size_t i, j, k, len;

	if (arr == NULL)
		return TMON_OK;
	if ((rc = tjson_array(v, arr, "reference_values", NULL, 0,
	    MAX_REFERENCE_SETS, 0, &arr)) != TMON_OK)
		return rc;
	cfg->refvals = xcalloc(json_array_size(arr) + 1, sizeof(*r));
	for (i = 0; i < json_array_size(arr); i++) {
		r = &cfg->refvals[i];
		cfg->n_refvals++;
		snprintf(path, sizeof(path), "reference_values[%zu]", i);
		o = json_array_get(arr, i);
		ms = NULL;
		if ((rc = tjson_object(v, o, path, NULL, 0, &o)) != TMON_OK ||
		    (rc = tjson_keys(v, o, path, keys)) != TMON_OK ||
		    (rc = tjson_str(v, o, path, "name", MAX_REFERENCE_NAME,
		    0, &s, &len)) != TMON_OK)
			return rc;
		if (len == 0 || strlen(s) != len || !model_id_valid(s))
			return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub,
			    sizeof(sub), path, "name"), "must be 1..%d "
			    "printable ASCII characters without spaces",
			    MAX_REFERENCE_NAME - 1);
		r->name = xstrdup(s);
		for (j = 0; j < i; j++)
			if (strcmp(cfg->refvals[j].name, r->name) == 0)
				return tjson_fail(v, TMON_E_CONFIG, tjson_path(
				    sub, sizeof(sub), path, "name"), "a second "
				    "set of that name");
		if (strcmp(r->name, "policy") == 0)
			return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub,
			    sizeof(sub), path, "name"), "\"policy\" names "
			    "the models' allow-lists");
		if ((rc = get_str(v, o, path, "source", false,
		    &r->source)) != TMON_OK ||
		    (rc = tjson_array(v, o, path, "models", 1, MAX_MODELS,
		    TJSON_OPTIONAL, &ms)) != TMON_OK ||
		    (rc = parse_lists(v, o, path, &r->values, &r->mem)) !=
		    TMON_OK)
			return rc;
		if (r->source != NULL && (rc = check_url(v, tjson_path(sub,
		    sizeof(sub), path, "source"), r->source,
		    FETCH_URL_FULL)) != TMON_OK)
			return rc;
		r->models = xcalloc(json_array_size(ms) + 1,
		    sizeof(*r->models));
		for (j = 0; j < json_array_size(ms); j++) {
			tjson_path(el, sizeof(el), path, "models");
			tjson_path_index(sub, sizeof(sub), el, j);
			s = json_string_value(json_array_get(ms, j));
			for (k = 0; s != NULL && k < cfg->n_models; k++)
				if (strcmp(cfg->models[k].name, s) == 0)
					break;
			if (s == NULL || k == cfg->n_models)
				return tjson_fail(v, TMON_E_CONFIG, sub, "must "
				    "be the name of a model of the schedule");
			r->models[r->n_models++] = xstrdup(s);
		}
	}
	return TMON_OK;
}

static enum tmon_rc
parse_canary(struct tjson_doc *v, json_t *obj, const char *path,
    struct model_cfg *m)
{
	static const char *const keys[] = { "prompt", "max_tokens", "stream",
	    "signature_retries", "signature_backoff_ms", NULL };
	struct canary_cfg *c = &m->canary;
	json_t *st;
	enum tmon_rc rc;
	uint64_t u;
	char sub[MAX_JSON_PATH];

	c->enabled = true;
	c->stream = CANARY_STREAM_ALTERNATE;
	if (obj == NULL) {
		c->prompt = xstrdup(DEFAULT_CANARY_PROMPT);
		c->max_tokens = 8;
		c->signature_retries = 6;
		c->signature_backoff_ms = 500;
		return TMON_OK;
	}
	if (json_is_false(obj)) {
		c->enabled = false;
		return TMON_OK;
	}
	if (!json_is_object(obj))
		return tjson_fail(v, TMON_E_CONFIG, path, "must be an object or "
		    "false");
	if ((rc = tjson_keys(v, obj, path, keys)) != TMON_OK ||
	    (rc = get_str(v, obj, path, "prompt", false, &c->prompt)))
		return rc;
	if (c->prompt == NULL)
		c->prompt = xstrdup(DEFAULT_CANARY_PROMPT);
	u = 8;
	if ((rc = tjson_uint(v, obj, path, "max_tokens", 1, 4096,
	    TJSON_OPTIONAL, &u)))
		return rc;
	c->max_tokens = (uint32_t)u;
	u = 6;
	if ((rc = tjson_uint(v, obj, path, "signature_retries", 0, 20,
	    TJSON_OPTIONAL, &u)))
		return rc;
	c->signature_retries = (uint32_t)u;
	u = 500;
	if ((rc = tjson_uint(v, obj, path, "signature_backoff_ms", 10, 60000,
	    TJSON_OPTIONAL, &u)))
		return rc;
	c->signature_backoff_ms = (uint32_t)u;
	st = json_object_get(obj, "stream");
	tjson_path(sub, sizeof(sub), path, "stream");
	if (st == NULL)
		c->stream = CANARY_STREAM_ALTERNATE;
	else if (json_is_true(st))
		c->stream = CANARY_STREAM_YES;
	else if (json_is_false(st))
		c->stream = CANARY_STREAM_NO;
	else if (json_is_string(st) &&
	    strcmp(json_string_value(st), "alternate") == 0)
		c->stream = CANARY_STREAM_ALTERNATE;
	else
		return tjson_fail(v, TMON_E_CONFIG, sub, "must be true, false "
		    "or \"alternate\"");
	return TMON_OK;
}

/* Read a certificate file (PEM or DER) into DER bytes. */
static enum tmon_rc
load_root(struct tjson_doc *v, json_t *obj, const char *key, uint8_t **der,
    size_t *len)
{
	const char *file = NULL;
	char sub[MAX_JSON_PATH];
	uint8_t *text = NULL;
	struct tmon_err ferr;
	size_t tlen;
	enum tmon_rc rc;

	if ((rc = tjson_str(v, obj, "test_trust_anchors", key, PATH_MAX,
	    TJSON_OPTIONAL, &file, NULL)) != TMON_OK || file == NULL)
		return rc;
	tjson_path(sub, sizeof(sub), "test_trust_anchors", key);
	tmon_err_clear(&ferr);
	if (read_file(file, 64 * 1024, &text, &tlen, &ferr) != TMON_OK)
		return tjson_fail(v, TMON_E_CONFIG, sub, "cannot read: %s",
		    ferr.msg);
	tmon_err_clear(&ferr);
	rc = x509_anchor_decode(text, tlen, der, len, &ferr);
	free(text);
	if (rc != TMON_OK)
		return tjson_fail(v, TMON_E_CONFIG, sub, "not a PEM or DER "
		    "certificate (%s)", ferr.msg);
	return TMON_OK;
}

/*
 * A GitHub repository "OWNER/NAME": owner 1..39 of [A-Za-z0-9-], name
 * 1..100 of [A-Za-z0-9._-], not "." or "..", so it goes into a URL path
 * as it is.
 */
static bool
repo_ok(const char *s)
{
	const char *slash = strchr(s, '/'), *p;
	size_t no, nn;

	if (slash == NULL)
		return false;
	no = (size_t)(slash - s);
	nn = strlen(slash + 1);
	if (no < 1 || no > 39 || nn < 1 || nn > 100 ||
	    strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0)
		return false;
	for (p = s; p < slash; p++)
		if (!(*p == '-' || (*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return false;
	for (p = slash + 1; *p != '\0'; p++)
		if (!(*p == '-' || *p == '.' || *p == '_' ||
		    (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

/* A pattern, issuer or asset name: 1..MAX_PROV_PATTERN-1 printable ASCII
 * bytes (and for an asset name no '/', '?', '#' or '%': it is a URL path
 * segment). */
static enum tmon_rc
get_prov_text(struct tjson_doc *v, json_t *obj, const char *path,
    const char *key, const char *def, bool segment, char **out)
{
	char sub[MAX_JSON_PATH];
	const unsigned char *p;
	enum tmon_rc rc;

	if ((rc = get_str(v, obj, path, key, false, out)) != TMON_OK)
		return rc;
	if (*out == NULL) {
		if (def != NULL)
			*out = xstrdup(def);
		return TMON_OK;
	}
	tjson_path(sub, sizeof(sub), path, key);
	if (strlen(*out) >= MAX_PROV_PATTERN)
		return tjson_fail(v, TMON_E_CONFIG, sub, "longer than %d bytes",
		    MAX_PROV_PATTERN - 1);
	for (p = (const unsigned char *)*out; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e || (segment && (*p == '/' ||
		    *p == '?' || *p == '#' || *p == '%')))
			return tjson_fail(v, TMON_E_CONFIG, sub, segment ?
			    "must be printable ASCII without spaces, '/', "
			    "'?', '#' or '%%'" : "must be printable ASCII "
			    "without spaces");
	return TMON_OK;
}

static enum tmon_rc
parse_provenance(struct tjson_doc *v, json_t *obj, const char *path,
    struct provenance_cfg *p)
{
	static const char *const keys[] = { "repo", "workflow", "ref",
	    "issuer", "digest_asset", "hardware_repo", NULL };
	char sub[MAX_JSON_PATH];
	enum tmon_rc rc;

	if (obj == NULL)
		return TMON_OK;
	if ((rc = tjson_object(v, obj, path, NULL, 0, &obj)) != TMON_OK ||
	    (rc = tjson_keys(v, obj, path, keys)) != TMON_OK ||
	    (rc = get_str(v, obj, path, "repo", true, &p->repo)) != TMON_OK)
		return rc;
	if (!repo_ok(p->repo))
		return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub, sizeof(sub),
		    path, "repo"), "must be a GitHub repository \"OWNER/NAME\"");
	if ((rc = get_prov_text(v, obj, path, "workflow", NULL, false,
	    &p->workflow)) != TMON_OK ||
	    (rc = get_prov_text(v, obj, path, "ref", SIGSTORE_DEFAULT_REF,
	    false, &p->ref)) != TMON_OK ||
	    (rc = get_prov_text(v, obj, path, "issuer",
	    SIGSTORE_GITHUB_ISSUER, false, &p->issuer)) != TMON_OK ||
	    (rc = get_prov_text(v, obj, path, "digest_asset",
	    DEFAULT_PROV_ASSET, true, &p->digest_asset)) != TMON_OK ||
	    (rc = get_str(v, obj, path, "hardware_repo", false,
	    &p->hardware_repo)) != TMON_OK)
		return rc;
	if (p->hardware_repo != NULL && !repo_ok(p->hardware_repo))
		return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub, sizeof(sub),
		    path, "hardware_repo"), "must be a GitHub repository "
		    "\"OWNER/NAME\"");
	p->enabled = true;
	return TMON_OK;
}

static enum tmon_rc
parse_model(struct tjson_doc *v, json_t *obj, const char *path,
    struct model_cfg *m)
{
	static const char *const keys[] = { "provider", "model", "name",
	    "base_url", "api_key_env", "interval_s", "jitter_s", "timeout_s",
	    "policy", "canary", "provenance", NULL };
	enum tmon_rc rc;
	uint64_t u;
	size_t n;
	char sub[MAX_JSON_PATH], names[128];

	if ((rc = tjson_object(v, obj, path, NULL, 0, &obj)) != TMON_OK ||
	    (rc = tjson_keys(v, obj, path, keys)) != TMON_OK ||
	    (rc = get_str(v, obj, path, "provider", true, &m->provider)) ||
	    (rc = get_str(v, obj, path, "model", true, &m->model)) ||
	    (rc = get_str(v, obj, path, "name", false, &m->name)) ||
	    (rc = get_str(v, obj, path, "base_url", true, &m->base_url)) ||
	    (rc = get_str(v, obj, path, "api_key_env", false,
	    &m->api_key_env)))
		return rc;
	snprintf(sub, sizeof(sub), "%s.provider", path);
	if ((m->prov = provider_find(m->provider)) == NULL) {
		provider_names(names, sizeof(names));
		return tjson_fail(v, TMON_E_CONFIG, sub,
		    "unknown provider (%s)", names);
	}
	if (m->name == NULL)
		m->name = xstrdup(m->model);
	snprintf(sub, sizeof(sub), "%s.model", path);
	if (strlen(m->model) >= MAX_MODEL_ID)
		return tjson_fail(v, TMON_E_CONFIG, sub, "model id too long");
	/* the name defaults to the model id: blame the key that set it */
	snprintf(sub, sizeof(sub), "%s.%s", path,
	    json_object_get(obj, "name") != NULL ? "name" : "model");
	if (strlen(m->name) >= MAX_MODEL_ID)
		return tjson_fail(v, TMON_E_CONFIG, sub, "name too long");
	if (!store_model_valid(m->name))
		return tjson_fail(v, TMON_E_CONFIG, sub, "must be printable "
		    "ASCII without spaces (or set \"name\")");
	snprintf(sub, sizeof(sub), "%s.base_url", path);
	if ((rc = check_url(v, sub, m->base_url, FETCH_URL_BASE)) != TMON_OK)
		return rc;
	n = strlen(m->base_url);
	while (n > 0 && m->base_url[n - 1] == '/')
		m->base_url[--n] = '\0';
	u = 300;
	if ((rc = tjson_uint(v, obj, path, "interval_s", 1, 86400,
	    TJSON_OPTIONAL, &u)))
		return rc;
	m->interval_s = (uint32_t)u;
	u = m->interval_s / 10;
	if ((rc = tjson_uint(v, obj, path, "jitter_s", 0, 86400,
	    TJSON_OPTIONAL, &u)))
		return rc;
	m->jitter_s = (uint32_t)u;
	u = 60;
	if ((rc = tjson_uint(v, obj, path, "timeout_s", 1, 600,
	    TJSON_OPTIONAL, &u)))
		return rc;
	m->timeout_s = (uint32_t)u;
	if (json_object_get(obj, "policy") != NULL) {
		snprintf(sub, sizeof(sub), "%s.policy", path);
		if ((rc = parse_policy(v, json_object_get(obj, "policy"), sub,
		    m)) != TMON_OK)
			return rc;
	}
	snprintf(sub, sizeof(sub), "%s.canary", path);
	if ((rc = parse_canary(v, json_object_get(obj, "canary"), sub, m)) !=
	    TMON_OK)
		return rc;
	snprintf(sub, sizeof(sub), "%s.provenance", path);
	if ((rc = parse_provenance(v, json_object_get(obj, "provenance"), sub,
	    &m->provenance)) != TMON_OK)
		return rc;
	/* a provider without a completion route has no canary */
	if (m->prov->completion_path == NULL && m->canary.enabled) {
		if (json_object_get(obj, "canary") != NULL)
			return tjson_fail(v, TMON_E_CONFIG, sub, "provider %s "
			    "has no canary route: must be false",
			    m->provider);
		m->canary.enabled = false;
	}
	return TMON_OK;
}

static void	free_alerts(struct alerts_cfg *);

void
config_free(struct config *cfg)
{
	size_t i, j;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_models; i++) {
		free(cfg->models[i].provider);
		free(cfg->models[i].model);
		free(cfg->models[i].name);
		free(cfg->models[i].base_url);
		free(cfg->models[i].api_key_env);
		free(cfg->models[i].policy_mem);
		free(cfg->models[i].canary.prompt);
		free(cfg->models[i].provenance.repo);
		free(cfg->models[i].provenance.workflow);
		free(cfg->models[i].provenance.ref);
		free(cfg->models[i].provenance.issuer);
		free(cfg->models[i].provenance.digest_asset);
		free(cfg->models[i].provenance.hardware_repo);
	}
	free(cfg->pcs_base_url);
	free(cfg->nras_base_url);
	free(cfg->pcs_root_ca_crl_url);
	free(cfg->kds_base_url);
	free(cfg->github_api_url);
	free(cfg->github_download_url);
	free(cfg->provenance_trusted_root);
	free(cfg->test_intel_root_der);
	free(cfg->test_nvidia_root_der);
	free(cfg->receipts_token_env);
	free(cfg->log.origin);
	free(cfg->log.key_file);
	free(cfg->log.checkpoint_file);
	for (i = 0; i < cfg->log.n_witnesses; i++) {
		free(cfg->log.witnesses[i].name);
		free(cfg->log.witnesses[i].url);
		free(cfg->log.witnesses[i].key);
	}
	free(cfg->log.witnesses);
	for (i = 0; i < cfg->n_refvals; i++) {
		free(cfg->refvals[i].name);
		free(cfg->refvals[i].source);
		free(cfg->refvals[i].mem);
		for (j = 0; j < cfg->refvals[i].n_models; j++)
			free(cfg->refvals[i].models[j]);
		free(cfg->refvals[i].models);
	}
	free(cfg->refvals);
	free_alerts(&cfg->alerts);
	free(cfg->models);
	free(cfg);
}

static enum tmon_rc	parse_http(struct tjson_doc *, json_t *,
			    struct http_cfg *);
static enum tmon_rc	parse_receipts(struct tjson_doc *, json_t *,
			    struct config *);
static enum tmon_rc	parse_log(struct tjson_doc *, json_t *,
			    struct log_cfg *);
static enum tmon_rc	parse_alerts(struct tjson_doc *, json_t *,
			    struct config *);

/* "github" and "provenance" (top level). */
static enum tmon_rc
parse_github(struct tjson_doc *v, json_t *root, struct config *cfg)
{
	static const char *const gkeys[] = { "api_url", "download_url",
	    NULL };
	static const char *const pkeys[] = { "trusted_root", "recheck_s",
	    NULL };
	json_t *gh = NULL, *pv = NULL;
	const char *file = NULL;
	enum tmon_rc rc;
	uint64_t u;

	if ((rc = tjson_object(v, root, "", "github", TJSON_OPTIONAL,
	    &gh)) != TMON_OK)
		return rc;
	if (gh != NULL && ((rc = tjson_keys(v, gh, "github", gkeys)) ||
	    (rc = get_str(v, gh, "github", "api_url", false,
	    &cfg->github_api_url)) ||
	    (rc = get_str(v, gh, "github", "download_url", false,
	    &cfg->github_download_url))))
		return rc;
	if (cfg->github_api_url == NULL)
		cfg->github_api_url = xstrdup(DEFAULT_GITHUB_API_URL);
	if (cfg->github_download_url == NULL)
		cfg->github_download_url = xstrdup(DEFAULT_GITHUB_DOWNLOAD_URL);
	if ((rc = check_url(v, "github.api_url", cfg->github_api_url,
	    FETCH_URL_BASE)) != TMON_OK ||
	    (rc = check_url(v, "github.download_url",
	    cfg->github_download_url, FETCH_URL_BASE)) != TMON_OK)
		return rc;
	strip_slash(cfg->github_api_url);
	strip_slash(cfg->github_download_url);
	if ((rc = tjson_object(v, root, "", "provenance", TJSON_OPTIONAL,
	    &pv)) != TMON_OK)
		return rc;
	u = DEFAULT_PROV_RECHECK_S;
	if (pv != NULL && ((rc = tjson_keys(v, pv, "provenance", pkeys)) ||
	    (rc = tjson_str(v, pv, "provenance", "trusted_root", PATH_MAX,
	    TJSON_OPTIONAL, &file, NULL)) ||
	    (rc = tjson_uint(v, pv, "provenance", "recheck_s", 60, 86400,
	    TJSON_OPTIONAL, &u))))
		return rc;
	if (file != NULL) {
		if (file[0] == '\0')
			return tjson_fail(v, TMON_E_CONFIG,
			    "provenance.trusted_root", "must not be empty");
		cfg->provenance_trusted_root = xstrdup(file);
	}
	cfg->provenance_recheck_s = (uint32_t)u;
	return TMON_OK;
}

enum tmon_rc
config_parse(const char *text, size_t len, const char *name,
    struct config **out, struct tmon_err *err)
{
	static const char *const keys[] = { "models", "max_concurrent",
	    "max_body_bytes", "test_trust_anchors", "pcs", "kds", "http",
	    "receipts", "log", "reference_values", "alerts", "nras", "github",
	    "provenance", NULL };
	static const char *const kkeys[] = { "base_url", NULL };
	json_t *kds;
	static const char *const pkeys[] = { "base_url", "root_ca_crl_url",
	    NULL };
	json_t *pcs, *nras = NULL;
	static const char *const nkeys[] = { "base_url", NULL };
	static const char *const tkeys[] = { "intel_root_ca",
	    "nvidia_root_ca", NULL };
	json_t *ta = NULL;
	struct config *cfg = NULL;
	struct tjson_doc v;
	json_t *root = NULL, *models = NULL;
	enum tmon_rc rc = TMON_E_CONFIG;
	uint64_t u;
	size_t i, j;
	char path[32];

	memset(&v, 0, sizeof(v));
	v.name = name;
	v.err = err;
	v.code = TMON_E_CONFIG;
	v.lines = true;
	if (len > MAX_CONFIG_LEN)
		return tmon_err_set(err, TMON_E_LIMIT, "%s: larger than %d "
		    "bytes", name, MAX_CONFIG_LEN);
	if ((rc = tjson_load(&v, text, len, MAX_CONFIG_LEN, 0, &root)) !=
	    TMON_OK)
		goto out;
	cfg = xcalloc(1, sizeof(*cfg));
	if ((rc = tjson_object(&v, root, "", NULL, 0, &root)) != TMON_OK ||
	    (rc = tjson_keys(&v, root, "", keys)) != TMON_OK ||
	    (rc = tjson_array(&v, root, "", "models", 0, MAX_MODELS, 0,
	    &models)) != TMON_OK)
		goto out;
	u = 4;
	if ((rc = tjson_uint(&v, root, "", "max_concurrent", 1, 64,
	    TJSON_OPTIONAL, &u)))
		goto out;
	cfg->max_concurrent = (uint32_t)u;
	/* every upstream body is archived as one store blob */
	u = MAX_UPSTREAM_BODY;
	if ((rc = tjson_uint(&v, root, "", "max_body_bytes", 1024,
	    MAX_BLOB_LEN, TJSON_OPTIONAL, &u)))
		goto out;
	cfg->max_body_bytes = (size_t)u;
	pcs = json_object_get(root, "pcs");
	if (pcs == NULL || json_is_object(pcs)) {
		if (pcs != NULL && ((rc = tjson_keys(&v, pcs, "pcs", pkeys)) ||
		    (rc = get_str(&v, pcs, "pcs", "base_url", false,
		    &cfg->pcs_base_url)) ||
		    (rc = get_str(&v, pcs, "pcs", "root_ca_crl_url", false,
		    &cfg->pcs_root_ca_crl_url))))
			goto out;
		if (cfg->pcs_base_url == NULL)
			cfg->pcs_base_url = xstrdup(DEFAULT_PCS_BASE_URL);
		if (cfg->pcs_root_ca_crl_url == NULL)
			cfg->pcs_root_ca_crl_url =
			    xstrdup(DEFAULT_ROOT_CA_CRL_URL);
		if ((rc = check_url(&v, "pcs.base_url", cfg->pcs_base_url,
		    FETCH_URL_BASE)) != TMON_OK ||
		    (rc = check_url(&v, "pcs.root_ca_crl_url",
		    cfg->pcs_root_ca_crl_url, FETCH_URL_FULL)) != TMON_OK)
			goto out;
		strip_slash(cfg->pcs_base_url);
	} else if (!json_is_false(pcs)) {
		rc = tjson_fail(&v, TMON_E_CONFIG, "pcs", "must be an object or "
		    "false");
		goto out;
	}
	/* NVIDIA NRAS for gpu.nras: none unless configured */
	if ((rc = tjson_object(&v, root, "", "nras", TJSON_OPTIONAL,
	    &nras)) != TMON_OK)
		goto out;
	if (nras != NULL) {
		if ((rc = tjson_keys(&v, nras, "nras", nkeys)) ||
		    (rc = get_str(&v, nras, "nras", "base_url", true,
		    &cfg->nras_base_url)) ||
		    (rc = check_url(&v, "nras.base_url", cfg->nras_base_url,
		    FETCH_URL_BASE)) != TMON_OK)
			goto out;
		strip_slash(cfg->nras_base_url);
	}
	kds = json_object_get(root, "kds");
	if (kds == NULL || json_is_object(kds)) {
		if (kds != NULL && ((rc = tjson_keys(&v, kds, "kds", kkeys)) ||
		    (rc = get_str(&v, kds, "kds", "base_url", false,
		    &cfg->kds_base_url))))
			goto out;
		if (cfg->kds_base_url == NULL)
			cfg->kds_base_url = xstrdup(DEFAULT_KDS_BASE_URL);
		if ((rc = check_url(&v, "kds.base_url", cfg->kds_base_url,
		    FETCH_URL_BASE)) != TMON_OK)
			goto out;
		strip_slash(cfg->kds_base_url);
	} else if (!json_is_false(kds)) {
		rc = tjson_fail(&v, TMON_E_CONFIG, "kds", "must be an object or "
		    "false");
		goto out;
	}
	if ((rc = parse_github(&v, root, cfg)) != TMON_OK)
		goto out;
	if ((rc = tjson_object(&v, root, "", "test_trust_anchors",
	    TJSON_OPTIONAL, &ta)) != TMON_OK)
		goto out;
	if (ta != NULL) {
		if ((rc = tjson_keys(&v, ta, "test_trust_anchors", tkeys)) ||
		    (rc = load_root(&v, ta, "intel_root_ca",
		    &cfg->test_intel_root_der, &cfg->test_intel_root_der_len)) ||
		    (rc = load_root(&v, ta, "nvidia_root_ca",
		    &cfg->test_nvidia_root_der,
		    &cfg->test_nvidia_root_der_len)))
			goto out;
	}
	if ((rc = parse_http(&v, json_object_get(root, "http"),
	    &cfg->http)) != TMON_OK ||
	    (rc = parse_receipts(&v, json_object_get(root, "receipts"),
	    cfg)) != TMON_OK ||
	    (rc = parse_log(&v, json_object_get(root, "log"), &cfg->log)) !=
	    TMON_OK)
		goto out;
	cfg->models = xcalloc(json_array_size(models) + 1,
	    sizeof(struct model_cfg));
	for (i = 0; i < json_array_size(models); i++) {
		snprintf(path, sizeof(path), "models[%zu]", i);
		cfg->n_models++;
		if ((rc = parse_model(&v, json_array_get(models, i), path,
		    &cfg->models[i])) != TMON_OK)
			goto out;
		for (j = 0; j < i; j++) {
			if (strcmp(cfg->models[j].name,
			    cfg->models[i].name) == 0) {
				snprintf(path, sizeof(path), "models[%zu]", i);
				rc = tjson_fail(&v, TMON_E_CONFIG, path,
				    "duplicate name (set \"name\" to tell "
				    "them apart)");
				goto out;
			}
		}
	}
	if ((rc = parse_refvals(&v, json_object_get(root, "reference_values"),
	    cfg)) != TMON_OK)
		goto out;
	if ((rc = parse_alerts(&v, json_object_get(root, "alerts"), cfg)) !=
	    TMON_OK)
		goto out;
	*out = cfg;
	cfg = NULL;
	rc = TMON_OK;
out:
	config_free(cfg);
	json_decref(root);
	return rc;
}

enum tmon_rc
config_load(const char *path, struct config **out, struct tmon_err *err)
{
	uint8_t *text = NULL;
	size_t len;
	enum tmon_rc rc;

	if ((rc = read_file(path, MAX_CONFIG_LEN, &text, &len, err)) !=
	    TMON_OK)
		return rc;
	rc = config_parse((const char *)text, len, path, out, err);
	free(text);
	return rc;
}

/*
 * "http" (obj; NULL when absent: jansson's getters and iterators take
 * NULL as an empty object, so every key gets its default): the API
 * server's connection limits and timeouts, in the ranges api_start()
 * takes.
 */
static enum tmon_rc
parse_http(struct tjson_doc *v, json_t *obj, struct http_cfg *h)
{
	static const char *const keys[] = { "max_connections",
	    "max_connections_per_address", "request_deadline_s",
	    "idle_timeout_s", NULL };
	enum tmon_rc rc;
	uint64_t u;

	if (obj != NULL && (rc = tjson_object(v, obj, "http", NULL, 0,
	    &obj)) != TMON_OK)
		return rc;
	u = API_DEFAULT_MAX_CONNECTIONS;
	if ((rc = tjson_keys(v, obj, "http", keys)) != TMON_OK ||
	    (rc = tjson_uint(v, obj, "http", "max_connections", 1,
	    MAX_API_CONNECTIONS, TJSON_OPTIONAL, &u)))
		return rc;
	h->max_connections = (uint32_t)u;
	u = h->max_connections < API_DEFAULT_MAX_PER_ADDRESS ?
	    h->max_connections : API_DEFAULT_MAX_PER_ADDRESS;
	if ((rc = tjson_uint(v, obj, "http", "max_connections_per_address", 1,
	    h->max_connections, TJSON_OPTIONAL, &u)))
		return rc;
	h->max_per_address = (uint32_t)u;
	u = API_DEFAULT_REQUEST_DEADLINE_S;
	if ((rc = tjson_uint(v, obj, "http", "request_deadline_s", 1,
	    API_MAX_TIMEOUT_S, TJSON_OPTIONAL, &u)))
		return rc;
	h->request_deadline_s = (uint32_t)u;
	u = API_DEFAULT_IDLE_TIMEOUT_S;
	if ((rc = tjson_uint(v, obj, "http", "idle_timeout_s", 1,
	    API_MAX_TIMEOUT_S, TJSON_OPTIONAL, &u)))
		return rc;
	h->idle_timeout_s = (uint32_t)u;
	return TMON_OK;
}

/*
 * "receipts": {"token_env", "per_client": QUOTA, "global": QUOTA}
 * (config.h); absent: no token and the default quotas.  Defaults: per
 * client 60 receipts and 8 MiB a minute (a person or script submitting a
 * receipt per completion, several behind one NAT); global 600 and
 * 64 MiB a minute (at most ~90 GiB a day of disk in the worst case, with
 * every submitter asking to keep request and response bytes).
 */
static enum tmon_rc
parse_receipts(struct tjson_doc *v, json_t *obj, struct config *cfg)
{
	static const char *const keys[] = { "token_env", "per_client",
	    "global", NULL };
	static const char *const qkeys[] = { "count", "bytes", "window_s",
	    NULL };
	static const char *const qname[] = { "per_client", "global" };
	static const uint64_t defcount[] = { 60, 600 };
	static const uint64_t defbytes[] = { 8u * 1024 * 1024,
	    64u * 1024 * 1024 };
	struct quota_limit *lim[2];
	json_t *q;
	enum tmon_rc rc;
	uint64_t u;
	size_t i;
	char path[MAX_JSON_PATH];
	const char *s;

	lim[0] = &cfg->receipts_per_client;
	lim[1] = &cfg->receipts_global;
	for (i = 0; i < 2; i++) {
		lim[i]->count = defcount[i];
		lim[i]->bytes = defbytes[i];
		lim[i]->window_s = 60;
	}
	if (obj == NULL)
		return TMON_OK;
	if ((rc = tjson_object(v, obj, "receipts", NULL, 0, &obj)) !=
	    TMON_OK || (rc = tjson_keys(v, obj, "receipts", keys)) != TMON_OK ||
	    (rc = get_str(v, obj, "receipts", "token_env", false,
	    &cfg->receipts_token_env)) != TMON_OK)
		return rc;
	for (s = cfg->receipts_token_env; s != NULL && *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    *s == '_' || (s != cfg->receipts_token_env &&
		    *s >= '0' && *s <= '9')))
			return tjson_fail(v, TMON_E_CONFIG,
			    "receipts.token_env", "must be an environment "
			    "variable name ([A-Za-z_][A-Za-z0-9_]*)");
	for (i = 0; i < 2; i++) {
		q = NULL;
		if ((rc = tjson_object(v, obj, "receipts", qname[i],
		    TJSON_OPTIONAL, &q)) != TMON_OK)
			return rc;
		if (q == NULL)
			continue;
		tjson_path(path, sizeof(path), "receipts", qname[i]);
		u = 60;
		if ((rc = tjson_keys(v, q, path, qkeys)) != TMON_OK ||
		    (rc = tjson_uint(v, q, path, "count", 1, 1000000000,
		    TJSON_OPTIONAL, &lim[i]->count)) != TMON_OK ||
		    (rc = tjson_uint(v, q, path, "bytes", MAX_RECEIPT_BODY,
		    (uint64_t)1 << 40, TJSON_OPTIONAL, &lim[i]->bytes)) !=
		    TMON_OK ||
		    (rc = tjson_uint(v, q, path, "window_s", 1, 86400,
		    TJSON_OPTIONAL, &u)) != TMON_OK)
			return rc;
		lim[i]->window_s = (uint32_t)u;
	}
	return TMON_OK;
}

/*
 * "log" (config.h); absent: every default.  Key names and keys are
 * checked as C2SP signed-note defines them (note.h).
 */
static enum tmon_rc
parse_log(struct tjson_doc *v, json_t *obj, struct log_cfg *lc)
{
	static const char *const keys[] = { "origin", "key_file",
	    "checkpoint_file", "checkpoint_interval_s", "witnesses", NULL };
	static const char *const wkeys[] = { "name", "url", "key", NULL };
	struct note_verifier nv;
	struct tmon_err kerr;
	json_t *ws = NULL, *w;
	struct witness_cfg *wc;
	enum tmon_rc rc;
	uint64_t u = 2;
	size_t i, j;
	char path[MAX_JSON_PATH];

	lc->checkpoint_interval_s = 2;
	if (obj == NULL)
		return TMON_OK;
	if ((rc = tjson_object(v, obj, "log", NULL, 0, &obj)) != TMON_OK ||
	    (rc = tjson_keys(v, obj, "log", keys)) != TMON_OK ||
	    (rc = get_str(v, obj, "log", "origin", false, &lc->origin)) !=
	    TMON_OK ||
	    (rc = get_str(v, obj, "log", "key_file", false,
	    &lc->key_file)) != TMON_OK ||
	    (rc = get_str(v, obj, "log", "checkpoint_file", false,
	    &lc->checkpoint_file)) != TMON_OK ||
	    (rc = tjson_uint(v, obj, "log", "checkpoint_interval_s", 1, 3600,
	    TJSON_OPTIONAL, &u)) != TMON_OK ||
	    (rc = tjson_array(v, obj, "log", "witnesses", 0, MAX_WITNESSES,
	    TJSON_OPTIONAL, &ws)) != TMON_OK)
		return rc;
	lc->checkpoint_interval_s = (uint32_t)u;
	if (lc->origin != NULL && (strlen(lc->origin) > MAX_NOTE_NAME ||
	    !note_name_valid(lc->origin, strlen(lc->origin))))
		return tjson_fail(v, TMON_E_CONFIG, "log.origin", "must be a "
		    "key name: 1..%d bytes of UTF-8 without spaces or '+'",
		    MAX_NOTE_NAME);
	lc->witnesses = xcalloc(json_array_size(ws) + 1, sizeof(*wc));
	for (i = 0; i < json_array_size(ws); i++) {
		w = json_array_get(ws, i);
		wc = &lc->witnesses[i];
		lc->n_witnesses++;
		snprintf(path, sizeof(path), "log.witnesses[%zu]", i);
		if ((rc = tjson_object(v, w, path, NULL, 0, &w)) != TMON_OK ||
		    (rc = tjson_keys(v, w, path, wkeys)) != TMON_OK ||
		    (rc = get_str(v, w, path, "name", true, &wc->name)) !=
		    TMON_OK ||
		    (rc = get_str(v, w, path, "url", true, &wc->url)) !=
		    TMON_OK ||
		    (rc = get_str(v, w, path, "key", true, &wc->key)) !=
		    TMON_OK)
			return rc;
		tjson_path(path, sizeof(path), path, "url");
		if ((rc = check_url(v, path, wc->url, FETCH_URL_BASE)) !=
		    TMON_OK)
			return rc;
		strip_slash(wc->url);
		snprintf(path, sizeof(path), "log.witnesses[%zu].key", i);
		tmon_err_clear(&kerr);
		if (note_verifier_parse(wc->key, strlen(wc->key), &nv, &kerr) !=
		    TMON_OK)
			return tjson_fail(v, TMON_E_CONFIG, path, "%s",
			    kerr.msg);
		if (strcmp(nv.name, wc->name) != 0)
			return tjson_fail(v, TMON_E_CONFIG, path, "is a key of "
			    "\"%s\", not of the witness's name", nv.name);
		for (j = 0; j < i; j++)
			if (strcmp(lc->witnesses[j].name, wc->name) == 0)
				return tjson_fail(v, TMON_E_CONFIG, path,
				    "a second witness of that name");
	}
	return TMON_OK;
}

static void
free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void
free_alerts(struct alerts_cfg *a)
{
	size_t i;

	free(a->dashboard_url);
	for (i = 0; i < a->n_webhooks; i++) {
		free(a->webhooks[i].name);
		free(a->webhooks[i].url);
		free_list(a->webhooks[i].headers, a->webhooks[i].n_headers);
		free(a->webhooks[i].token_env);
		free_list(a->webhooks[i].models, a->webhooks[i].n_models);
		free_list(a->webhooks[i].reasons, a->webhooks[i].n_reasons);
	}
	free(a->webhooks);
	for (i = 0; i < a->n_maint; i++) {
		free(a->maint[i].name);
		free(a->maint[i].timezone);
		tz_free(a->maint[i].tz);
		free_list(a->maint[i].models, a->maint[i].n_models);
	}
	free(a->maint);
}

/* A webhook's or window's name: a metrics label and a log field. */
static bool
alert_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' ||
		    *s == '-'))
			return false;
	return true;
}

/*
 * obj[key], when present: an array of 1..max distinct strings, each one
 * of allowed (NULL-terminated) or, with allowed NULL, the name of a model
 * of cfg; copied into *out (NULL when absent).
 */
static enum tmon_rc
get_names(struct tjson_doc *v, json_t *obj, const char *path,
    const char *key, size_t max, const char *const *allowed,
    const struct config *cfg, char ***out, size_t *n)
{
	json_t *arr = NULL;
	const char *s;
	char sub[MAX_JSON_PATH], el[MAX_JSON_PATH];
	size_t i, j;
	bool found;
	enum tmon_rc rc;

	*out = NULL;
	*n = 0;
	if ((rc = tjson_array(v, obj, path, key, 1, max, TJSON_OPTIONAL,
	    &arr)) != TMON_OK || arr == NULL)
		return rc;
	tjson_path(sub, sizeof(sub), path, key);
	*out = xcalloc(json_array_size(arr) + 1, sizeof(char *));
	for (i = 0; i < json_array_size(arr); i++) {
		tjson_path_index(el, sizeof(el), sub, i);
		if ((rc = tjson_str(v, json_array_get(arr, i), el, NULL,
		    MAX_MODEL_ID, 0, &s, NULL)) != TMON_OK)
			return rc;
		found = false;
		for (j = 0; allowed != NULL && allowed[j] != NULL; j++)
			found = found || strcmp(allowed[j], s) == 0;
		for (j = 0; allowed == NULL && j < cfg->n_models; j++)
			found = found || strcmp(cfg->models[j].name, s) == 0;
		if (!found)
			return tjson_fail(v, TMON_E_CONFIG, el, allowed == NULL ?
			    "names no model of \"models\"" : "unknown value");
		for (j = 0; j < *n; j++)
			if (strcmp((*out)[j], s) == 0)
				return tjson_fail(v, TMON_E_CONFIG, el,
				    "listed twice");
		(*out)[(*n)++] = xstrdup(s);
	}
	return TMON_OK;
}

/* An environment variable's name: [A-Za-z_][A-Za-z0-9_]*. */
static bool
env_name_ok(const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    *p == '_' || (p != s && *p >= '0' && *p <= '9')))
			return false;
	return p != s;
}

/* "headers": {NAME: VALUE}: RFC 9110 token names, printable values. */
static enum tmon_rc
parse_headers(struct tjson_doc *v, json_t *obj, const char *path,
    struct webhook_cfg *w)
{
	static const char *const refused[] = { "content-type",
	    "content-length", "host", "transfer-encoding", "expect",
	    "authorization", NULL };
	const char *k, *val, *p;
	json_t *h = NULL, *jv;
	char sub[MAX_JSON_PATH], el[MAX_JSON_PATH];
	size_t i, n;
	enum tmon_rc rc;

	if ((rc = tjson_object(v, obj, path, "headers", TJSON_OPTIONAL,
	    &h)) != TMON_OK || h == NULL)
		return rc;
	tjson_path(sub, sizeof(sub), path, "headers");
	if (json_object_size(h) > MAX_WEBHOOK_HEADERS)
		return tjson_fail(v, TMON_E_CONFIG, sub, "more than %d headers",
		    MAX_WEBHOOK_HEADERS);
	w->headers = xcalloc(json_object_size(h) + 1, sizeof(char *));
	json_object_foreach(h, k, jv) {
		tjson_path(el, sizeof(el), sub, k);
		if (strlen(k) == 0 || strlen(k) > 64)
			return tjson_fail(v, TMON_E_CONFIG, el, "header name "
			    "must be 1 to 64 bytes");
		for (p = k; *p != '\0'; p++)
			if (!((*p >= 'A' && *p <= 'Z') ||
			    (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') ||
			    strchr("!#$%&'*+-.^_`|~", *p) != NULL))
				return tjson_fail(v, TMON_E_CONFIG, el,
				    "header name must be an RFC 9110 token");
		for (i = 0; refused[i] != NULL; i++)
			if (strcasecmp(k, refused[i]) == 0)
				return tjson_fail(v, TMON_E_CONFIG, el, "set by "
				    "tmon (use token_env for Authorization)");
		if ((rc = tjson_str(v, jv, el, NULL, 1024, 0, &val, &n)) !=
		    TMON_OK)
			return rc;
		for (p = val; *p != '\0'; p++)
			if (*p < 0x20 || *p >= 0x7f)
				return tjson_fail(v, TMON_E_CONFIG, el, "header "
				    "value must be printable ASCII");
		n += strlen(k) + 3;
		w->headers[w->n_headers] = xmalloc(n);
		snprintf(w->headers[w->n_headers++], n, "%s: %s", k, val);
	}
	return TMON_OK;
}

static enum tmon_rc
parse_webhook(struct tjson_doc *v, json_t *obj, const char *path,
    const struct config *cfg, struct webhook_cfg *w)
{
	static const char *const keys[] = { "name", "url", "format",
	    "headers", "token_env", "failure_threshold", "success_threshold",
	    "send_on_resolved", "minimum_reminder_interval_s", "models",
	    "reasons", "retries", "timeout_s", NULL };
	static const char *const reasons[] = { "unexplained", "check_failed",
	    "recovered", "tcb_worse", "witness_conflict", "verdict_changed",
	    "measurement_changed", NULL };
	const char *fmt = "json";
	char sub[MAX_JSON_PATH];
	uint64_t u;
	enum tmon_rc rc;

	if ((rc = tjson_object(v, obj, path, NULL, 0, &obj)) != TMON_OK ||
	    (rc = tjson_keys(v, obj, path, keys)) != TMON_OK ||
	    (rc = get_str(v, obj, path, "name", true, &w->name)) != TMON_OK ||
	    (rc = get_str(v, obj, path, "url", true, &w->url)) != TMON_OK ||
	    (rc = tjson_str(v, obj, path, "format", 16, TJSON_OPTIONAL, &fmt,
	    NULL)) != TMON_OK ||
	    (rc = get_str(v, obj, path, "token_env", false, &w->token_env)) !=
	    TMON_OK)
		return rc;
	if (!alert_name_ok(w->name))
		return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub, sizeof(sub),
		    path, "name"), "must be 1 to 64 of A-Z a-z 0-9 _ . -");
	if ((rc = check_url(v, tjson_path(sub, sizeof(sub), path, "url"),
	    w->url, FETCH_URL_FULL)) != TMON_OK)
		return rc;
	if (strcmp(fmt, "json") == 0)
		w->format = WEBHOOK_JSON;
	else if (strcmp(fmt, "slack") == 0)
		w->format = WEBHOOK_SLACK;
	else if (strcmp(fmt, "ntfy") == 0)
		w->format = WEBHOOK_NTFY;
	else
		return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub, sizeof(sub),
		    path, "format"), "must be \"json\", \"slack\" or \"ntfy\"");
	if (w->token_env != NULL && !env_name_ok(w->token_env))
		return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub, sizeof(sub),
		    path, "token_env"), "must be an environment variable name "
		    "([A-Za-z_][A-Za-z0-9_]*)");
	if ((rc = parse_headers(v, obj, path, w)) != TMON_OK)
		return rc;
	u = 3;
	if ((rc = tjson_uint(v, obj, path, "failure_threshold", 1, 100,
	    TJSON_OPTIONAL, &u)) != TMON_OK)
		return rc;
	w->failure_threshold = (uint32_t)u;
	u = 2;
	if ((rc = tjson_uint(v, obj, path, "success_threshold", 1, 100,
	    TJSON_OPTIONAL, &u)) != TMON_OK)
		return rc;
	w->success_threshold = (uint32_t)u;
	w->send_on_resolved = true;
	if ((rc = tjson_bool(v, obj, path, "send_on_resolved", TJSON_OPTIONAL,
	    &w->send_on_resolved)) != TMON_OK)
		return rc;
	u = 0;
	if ((rc = tjson_uint(v, obj, path, "minimum_reminder_interval_s", 0,
	    604800, TJSON_OPTIONAL, &u)) != TMON_OK)
		return rc;
	w->reminder_s = (uint32_t)u;
	u = 3;
	if ((rc = tjson_uint(v, obj, path, "retries", 0, 10, TJSON_OPTIONAL,
	    &u)) != TMON_OK)
		return rc;
	w->retries = (uint32_t)u;
	u = 10;
	if ((rc = tjson_uint(v, obj, path, "timeout_s", 1, 60, TJSON_OPTIONAL,
	    &u)) != TMON_OK)
		return rc;
	w->timeout_s = (uint32_t)u;
	if ((rc = get_names(v, obj, path, "models", MAX_MODELS, NULL, cfg,
	    &w->models, &w->n_models)) != TMON_OK)
		return rc;
	return get_names(v, obj, path, "reasons", 16, reasons, cfg,
	    &w->reasons, &w->n_reasons);
}

static enum tmon_rc
parse_maint(struct tjson_doc *v, json_t *obj, const char *path,
    const struct config *cfg, struct maint_cfg *m)
{
	static const char *const keys[] = { "name", "start", "duration_s",
	    "days", "timezone", "models", NULL };
	static const char *const days[] = { "sun", "mon", "tue", "wed", "thu",
	    "fri", "sat", NULL };
	struct tmon_err zerr;
	const char *start = NULL;
	char **dl = NULL, sub[MAX_JSON_PATH];
	size_t nd = 0, i, j;
	uint64_t u = 0;
	enum tmon_rc rc;

	if ((rc = tjson_object(v, obj, path, NULL, 0, &obj)) != TMON_OK ||
	    (rc = tjson_keys(v, obj, path, keys)) != TMON_OK ||
	    (rc = get_str(v, obj, path, "name", true, &m->name)) != TMON_OK ||
	    (rc = tjson_str(v, obj, path, "start", 5, 0, &start, NULL)) !=
	    TMON_OK ||
	    (rc = tjson_uint(v, obj, path, "duration_s", 60, 604800, 0,
	    &u)) != TMON_OK ||
	    (rc = get_str(v, obj, path, "timezone", false, &m->timezone)) !=
	    TMON_OK)
		return rc;
	m->duration_s = (uint32_t)u;
	if (!alert_name_ok(m->name))
		return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub, sizeof(sub),
		    path, "name"), "must be 1 to 64 of A-Z a-z 0-9 _ . -");
	/* exactly "HH:MM", 00:00 to 23:59 */
	if (strlen(start) != 5 || start[2] != ':' ||
	    start[0] < '0' || start[0] > '2' || start[1] < '0' ||
	    start[1] > '9' || start[3] < '0' || start[3] > '5' ||
	    start[4] < '0' || start[4] > '9' ||
	    (start[0] - '0') * 10 + (start[1] - '0') > 23)
		return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub, sizeof(sub),
		    path, "start"), "must be \"HH:MM\" (00:00 to 23:59)");
	m->start_s = (uint32_t)(((start[0] - '0') * 10 + (start[1] - '0')) *
	    3600 + ((start[3] - '0') * 10 + (start[4] - '0')) * 60);
	if (m->timezone == NULL)
		m->timezone = xstrdup("UTC");
	tmon_err_clear(&zerr);
	if (tz_load(m->timezone, &m->tz, &zerr) != TMON_OK)
		return tjson_fail(v, TMON_E_CONFIG, tjson_path(sub, sizeof(sub),
		    path, json_object_get(obj, "timezone") != NULL ?
		    "timezone" : "name"), "%s", zerr.msg);
	m->days = 0x7f;
	if ((rc = get_names(v, obj, path, "days", 7, days, cfg, &dl, &nd)) !=
	    TMON_OK) {
		free_list(dl, nd);
		return rc;
	}
	if (dl != NULL) {
		m->days = 0;
		for (i = 0; i < nd; i++)
			for (j = 0; days[j] != NULL; j++)
				if (strcmp(dl[i], days[j]) == 0)
					m->days |= (uint8_t)(1u << j);
	}
	free_list(dl, nd);
	return get_names(v, obj, path, "models", MAX_MODELS, NULL, cfg,
	    &m->models, &m->n_models);
}

/*
 * "alerts" (config.h); absent: no webhook, no window.  Runs after
 * "models", whose names the webhooks and windows may list.
 */
static enum tmon_rc
parse_alerts(struct tjson_doc *v, json_t *obj, struct config *cfg)
{
	static const char *const keys[] = { "dashboard_url", "webhooks",
	    "maintenance", NULL };
	struct alerts_cfg *a = &cfg->alerts;
	json_t *ws = NULL, *ms = NULL;
	char path[MAX_JSON_PATH], sub[MAX_JSON_PATH];
	size_t i, j;
	enum tmon_rc rc;

	if (obj == NULL)
		return TMON_OK;
	if ((rc = tjson_object(v, obj, "alerts", NULL, 0, &obj)) != TMON_OK ||
	    (rc = tjson_keys(v, obj, "alerts", keys)) != TMON_OK ||
	    (rc = get_str(v, obj, "alerts", "dashboard_url", false,
	    &a->dashboard_url)) != TMON_OK ||
	    (rc = tjson_array(v, obj, "alerts", "webhooks", 0, MAX_WEBHOOKS,
	    TJSON_OPTIONAL, &ws)) != TMON_OK ||
	    (rc = tjson_array(v, obj, "alerts", "maintenance", 0,
	    MAX_MAINTENANCE, TJSON_OPTIONAL, &ms)) != TMON_OK)
		return rc;
	if (a->dashboard_url != NULL) {
		if ((rc = check_url(v, "alerts.dashboard_url",
		    a->dashboard_url, FETCH_URL_BASE)) != TMON_OK)
			return rc;
		strip_slash(a->dashboard_url);
	}
	a->webhooks = xcalloc(json_array_size(ws) + 1, sizeof(*a->webhooks));
	for (i = 0; i < json_array_size(ws); i++) {
		snprintf(path, sizeof(path), "alerts.webhooks[%zu]", i);
		a->n_webhooks++;
		if ((rc = parse_webhook(v, json_array_get(ws, i), path, cfg,
		    &a->webhooks[i])) != TMON_OK)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(a->webhooks[j].name, a->webhooks[i].name) ==
			    0)
				return tjson_fail(v, TMON_E_CONFIG,
				    tjson_path(sub, sizeof(sub), path,
				    "name"), "a second webhook of that name");
	}
	a->maint = xcalloc(json_array_size(ms) + 1, sizeof(*a->maint));
	for (i = 0; i < json_array_size(ms); i++) {
		snprintf(path, sizeof(path), "alerts.maintenance[%zu]", i);
		a->n_maint++;
		if ((rc = parse_maint(v, json_array_get(ms, i), path, cfg,
		    &a->maint[i])) != TMON_OK)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(a->maint[j].name, a->maint[i].name) == 0)
				return tjson_fail(v, TMON_E_CONFIG,
				    tjson_path(sub, sizeof(sub), path,
				    "name"), "a second window of that name");
	}
	return TMON_OK;
}
