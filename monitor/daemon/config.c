#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "config.h"
#include "encode.h"
#include "fetch.h"
#include "store.h"
#include "tmon_limits.h"
#include "util.h"
#include "x509.h"
#include "xmalloc.h"

#define MAX_CONFIG_LEN	(1024 * 1024)
#define MAX_POLICY_VALUES	64
#define DEFAULT_PCS_BASE_URL	"https://api.trustedservices.intel.com"
#define DEFAULT_ROOT_CA_CRL_URL	\
	"https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"
#define DEFAULT_CANARY_PROMPT	"Reply with the single word: ok"
#define MAX_POS		4096

/*
 * jansson reports line and column for syntax errors only.  To name the
 * position of a key or value that fails validation, the (already
 * syntax-checked) text is scanned once more, recording where each JSON
 * path starts.  The scanner only tracks positions; jansson's tree is what
 * gets validated.
 */
struct pos {
	char	path[96];
	int	line, col;
};

struct scan {
	const char	*p, *end;
	int		 line, col;
	struct pos	*pos;
	size_t		 npos;
	int		 depth;
	char		 cut[96];	/* innermost object or array the
					   text ends in ("" at the top) */
};

static void
adv(struct scan *s)
{
	if (s->p >= s->end)
		return;
	if (*s->p == '\n') {
		s->line++;
		s->col = 1;
	} else
		s->col++;
	s->p++;
}

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		adv(s);
}

static void
record(struct scan *s, const char *path)
{
	struct pos *p;

	if (s->npos >= MAX_POS)
		return;
	p = &s->pos[s->npos++];
	snprintf(p->path, sizeof(p->path), "%s", path);
	p->line = s->line;
	p->col = s->col;
}

/* Read a string token; its raw text (escapes kept) goes into out. */
static void
scan_string(struct scan *s, char *out, size_t outsz)
{
	size_t o = 0;

	adv(s);				/* opening quote */
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\') {
			if (o + 1 < outsz)
				out[o++] = *s->p;
			adv(s);
		}
		if (s->p < s->end && o + 1 < outsz)
			out[o++] = *s->p;
		adv(s);
	}
	adv(s);				/* closing quote */
	if (outsz > 0)
		out[o] = '\0';
}

static void	scan_value(struct scan *, const char *, bool);

/* True, noting path as the innermost container, if the text ends here. */
static bool
scan_end(struct scan *s, const char *path)
{
	if (s->p < s->end)
		return false;
	if (s->cut[0] == '\0')
		snprintf(s->cut, sizeof(s->cut), "%s", path);
	return true;
}

static void
scan_member(struct scan *s, const char *path, int line, int col)
{
	int l = s->line, c = s->col;

	s->line = line;
	s->col = col;
	record(s, path);
	s->line = l;
	s->col = c;
	scan_value(s, path, false);
}

static void
scan_value(struct scan *s, const char *path, bool rec)
{
	char key[64], sub[96];
	int key_line, key_col;
	size_t i;

	skip_ws(s);
	if (rec)
		record(s, path);
	if (s->p >= s->end)
		return;
	if (s->depth >= MAX_JSON_DEPTH) {
		/* deeper than any schedule key: positions there are never
		 * needed, so stop scanning (and never loop in place) */
		s->p = s->end;
		return;
	}
	s->depth++;
	if (*s->p == '{') {
		adv(s);
		for (;;) {
			skip_ws(s);
			if (scan_end(s, path) || *s->p == '}')
				break;
			if (*s->p == ',') {
				adv(s);
				continue;
			}
			/* a member's position is where its key starts */
			key_line = s->line;
			key_col = s->col;
			scan_string(s, key, sizeof(key));
			snprintf(sub, sizeof(sub), "%s%s%s", path,
			    path[0] != '\0' ? "." : "", key);
			skip_ws(s);
			adv(s);		/* ':' */
			scan_member(s, sub, key_line, key_col);
		}
		adv(s);
	} else if (*s->p == '[') {
		adv(s);
		for (i = 0;; i++) {
			skip_ws(s);
			if (scan_end(s, path) || *s->p == ']')
				break;
			if (*s->p == ',') {
				adv(s);
				i--;
				continue;
			}
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			scan_value(s, sub, true);
		}
		adv(s);
	} else if (*s->p == '"') {
		scan_string(s, key, 0);
	} else {
		/* a literal; always consume a byte, so that text jansson
		 * rejected ("[}") cannot stop the scan in place */
		do
			adv(s);
		while (s->p < s->end && *s->p != ',' && *s->p != '}' &&
		    *s->p != ']' && *s->p != ' ' && *s->p != '\n' &&
		    *s->p != '\t' && *s->p != '\r');
	}
	s->depth--;
}

struct vctx {
	const char	*name;
	struct scan	 scan;
	struct tmon_err	*err;
};

/*
 * The error names path with the position of path in the file or, for a
 * value the file does not spell out (a default), of the closest
 * enclosing key or element that it does ("" is always recorded).
 */
static enum tmon_rc
verr(struct vctx *v, const char *path, const char *what)
{
	char at[96];
	char *dot, *brk;
	size_t i;

	snprintf(at, sizeof(at), "%s", path);
	for (;;) {
		for (i = 0; i < v->scan.npos; i++)
			if (strcmp(v->scan.pos[i].path, at) == 0)
				return tmon_err_set(v->err, TMON_E_CONFIG,
				    "%s:%d:%d: %s: %s", v->name,
				    v->scan.pos[i].line, v->scan.pos[i].col,
				    path[0] ? path : "(top)", what);
		if (at[0] == '\0')
			break;
		dot = strrchr(at, '.');
		brk = strrchr(at, '[');
		if (dot == NULL || (brk != NULL && brk > dot))
			dot = brk;
		if (dot == NULL)
			at[0] = '\0';
		else
			*dot = '\0';
	}
	return tmon_err_set(v->err, TMON_E_CONFIG, "%s: %s: %s", v->name,
	    path[0] ? path : "(top)", what);
}

static bool
allowed(const char *key, const char *const *keys)
{
	for (; *keys != NULL; keys++)
		if (strcmp(key, *keys) == 0)
			return true;
	return false;
}

/* A configured URL (fetch_url_check), or an error naming path. */
static enum tmon_rc
check_url(struct vctx *v, const char *path, const char *url,
    enum fetch_url_kind kind)
{
	struct tmon_err uerr;

	tmon_err_clear(&uerr);
	if (fetch_url_check(url, kind, &uerr) == TMON_OK)
		return TMON_OK;
	return verr(v, path, uerr.msg);
}

static void
strip_slash(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
}

static enum tmon_rc
check_keys(struct vctx *v, json_t *obj, const char *path,
    const char *const *keys)
{
	const char *k;
	json_t *val;
	char sub[96];

	json_object_foreach(obj, k, val) {
		(void)val;
		if (!allowed(k, keys)) {
			snprintf(sub, sizeof(sub), "%s%s%s", path,
			    path[0] ? "." : "", k);
			return verr(v, sub, "unknown key");
		}
	}
	return TMON_OK;
}

static enum tmon_rc
get_uint(struct vctx *v, json_t *obj, const char *path, const char *key,
    uint64_t min, uint64_t max, uint64_t def, uint64_t *out)
{
	json_t *val = json_object_get(obj, key);
	char sub[96], msg[96];

	snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", key);
	if (val == NULL) {
		*out = def;
		return TMON_OK;
	}
	if (!json_is_integer(val))
		return verr(v, sub, "must be an integer");
	if (json_integer_value(val) < 0 ||
	    (uint64_t)json_integer_value(val) < min ||
	    (uint64_t)json_integer_value(val) > max) {
		snprintf(msg, sizeof(msg), "must be between %llu and %llu",
		    (unsigned long long)min, (unsigned long long)max);
		return verr(v, sub, msg);
	}
	*out = (uint64_t)json_integer_value(val);
	return TMON_OK;
}

static enum tmon_rc
get_str(struct vctx *v, json_t *obj, const char *path, const char *key,
    bool required, char **out)
{
	json_t *val = json_object_get(obj, key);
	char sub[96], msg[64];

	snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", key);
	*out = NULL;
	if (val == NULL) {
		snprintf(msg, sizeof(msg), "missing required key \"%s\"", key);
		if (required)
			return verr(v, path, msg);
		return TMON_OK;
	}
	if (!json_is_string(val))
		return verr(v, sub, "must be a string");
	if (json_string_length(val) == 0 || json_string_length(val) >
	    MAX_URL || strlen(json_string_value(val)) !=
	    json_string_length(val))
		return verr(v, sub, "must be a non-empty string without NUL");
	*out = xstrdup(json_string_value(val));
	return TMON_OK;
}

/* A list of n-byte hex values ("policy": {"mrtd": [...]}) into mem. */
static enum tmon_rc
get_hexlist(struct vctx *v, json_t *obj, const char *path, const char *key,
    size_t n, uint8_t **mem, size_t *used, size_t *count, size_t *off)
{
	json_t *arr = json_object_get(obj, key), *e;
	char sub[192], msg[64];
	size_t i;

	*count = 0;
	*off = *used;
	if (arr == NULL)
		return TMON_OK;
	snprintf(sub, sizeof(sub), "%s.%s", path, key);
	if (!json_is_array(arr) || json_array_size(arr) > MAX_POLICY_VALUES)
		return verr(v, sub, "must be an array of at most 64 hex values");
	*mem = xreallocarray(*mem, *used + json_array_size(arr) * n + 1, 1);
	json_array_foreach(arr, i, e) {
		snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, key, i);
		snprintf(msg, sizeof(msg), "must be %zu hex characters", 2 * n);
		if (!json_is_string(e) || !hex_decode_exact(json_string_value(e),
		    json_string_length(e), *mem + *used, n, true))
			return verr(v, sub, msg);
		*used += n;
	}
	*count = json_array_size(arr);
	return TMON_OK;
}

static enum tmon_rc
parse_policy(struct vctx *v, json_t *obj, const char *path,
    struct model_cfg *m)
{
	static const char *const keys[] = { "mrtd", "rtmr0", "rtmr1", "rtmr2",
	    "compose_hash", "os_image_hash", NULL };
	static const size_t sizes[] = { 48, 48, 48, 48, 32, 32 };
	size_t count[6], off[6], used = 0, i;
	enum tmon_rc rc;

	if (!json_is_object(obj))
		return verr(v, path, "must be an object");
	if ((rc = check_keys(v, obj, path, keys)) != TMON_OK)
		return rc;
	for (i = 0; i < 6; i++)
		if ((rc = get_hexlist(v, obj, path, keys[i], sizes[i],
		    &m->policy_mem, &used, &count[i], &off[i])) != TMON_OK)
			return rc;
	/* Point the lists into the (now final) buffer. */
	m->policy.mrtd.v = (const uint8_t (*)[48])(m->policy_mem + off[0]);
	m->policy.mrtd.n = count[0];
	m->policy.rtmr0.v = (const uint8_t (*)[48])(m->policy_mem + off[1]);
	m->policy.rtmr0.n = count[1];
	m->policy.rtmr1.v = (const uint8_t (*)[48])(m->policy_mem + off[2]);
	m->policy.rtmr1.n = count[2];
	m->policy.rtmr2.v = (const uint8_t (*)[48])(m->policy_mem + off[3]);
	m->policy.rtmr2.n = count[3];
	m->policy.compose_hash.v =
	    (const uint8_t (*)[32])(m->policy_mem + off[4]);
	m->policy.compose_hash.n = count[4];
	m->policy.os_image_hash.v =
	    (const uint8_t (*)[32])(m->policy_mem + off[5]);
	m->policy.os_image_hash.n = count[5];
	m->has_policy = true;
	return TMON_OK;
}

static enum tmon_rc
parse_canary(struct vctx *v, json_t *obj, const char *path,
    struct model_cfg *m)
{
	static const char *const keys[] = { "prompt", "max_tokens", "stream",
	    "signature_retries", "signature_backoff_ms", NULL };
	struct canary_cfg *c = &m->canary;
	json_t *st;
	enum tmon_rc rc;
	uint64_t u;
	char sub[192];

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
		return verr(v, path, "must be an object or false");
	if ((rc = check_keys(v, obj, path, keys)) != TMON_OK ||
	    (rc = get_str(v, obj, path, "prompt", false, &c->prompt)))
		return rc;
	if (c->prompt == NULL)
		c->prompt = xstrdup(DEFAULT_CANARY_PROMPT);
	if ((rc = get_uint(v, obj, path, "max_tokens", 1, 4096, 8, &u)))
		return rc;
	c->max_tokens = (uint32_t)u;
	if ((rc = get_uint(v, obj, path, "signature_retries", 0, 20, 6, &u)))
		return rc;
	c->signature_retries = (uint32_t)u;
	if ((rc = get_uint(v, obj, path, "signature_backoff_ms", 10, 60000,
	    500, &u)))
		return rc;
	c->signature_backoff_ms = (uint32_t)u;
	st = json_object_get(obj, "stream");
	snprintf(sub, sizeof(sub), "%s.stream", path);
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
		return verr(v, sub, "must be true, false or \"alternate\"");
	return TMON_OK;
}

/* Read a certificate file (PEM or DER) into DER bytes. */
static enum tmon_rc
load_root(struct vctx *v, json_t *obj, const char *key, uint8_t **der,
    size_t *len)
{
	json_t *val = json_object_get(obj, key);
	char sub[192], msg[300];
	uint8_t *text = NULL;
	struct tmon_err ferr;
	size_t tlen;
	enum tmon_rc rc;

	snprintf(sub, sizeof(sub), "test_trust_anchors.%s", key);
	if (val == NULL)
		return TMON_OK;
	if (!json_is_string(val))
		return verr(v, sub, "must be a file name");
	tmon_err_clear(&ferr);
	if (read_file(json_string_value(val), 64 * 1024, &text, &tlen, &ferr)
	    != TMON_OK) {
		snprintf(msg, sizeof(msg), "cannot read: %s", ferr.msg);
		return verr(v, sub, msg);
	}
	tmon_err_clear(&ferr);
	rc = x509_anchor_decode(text, tlen, der, len, &ferr);
	free(text);
	if (rc != TMON_OK) {
		snprintf(msg, sizeof(msg), "not a PEM or DER certificate (%s)",
		    ferr.msg);
		return verr(v, sub, msg);
	}
	return TMON_OK;
}

static enum tmon_rc
parse_model(struct vctx *v, json_t *obj, const char *path,
    struct model_cfg *m)
{
	static const char *const keys[] = { "provider", "model", "name",
	    "base_url", "api_key_env", "interval_s", "jitter_s", "timeout_s",
	    "policy", "canary", NULL };
	enum tmon_rc rc;
	uint64_t u;
	size_t n;
	char sub[96], names[128], msg[160];

	if (!json_is_object(obj))
		return verr(v, path, "must be an object");
	if ((rc = check_keys(v, obj, path, keys)) != TMON_OK ||
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
		snprintf(msg, sizeof(msg), "unknown provider (%s)", names);
		return verr(v, sub, msg);
	}
	if (m->name == NULL)
		m->name = xstrdup(m->model);
	snprintf(sub, sizeof(sub), "%s.model", path);
	if (strlen(m->model) >= MAX_MODEL_ID)
		return verr(v, sub, "model id too long");
	/* the name defaults to the model id: blame the key that set it */
	snprintf(sub, sizeof(sub), "%s.%s", path,
	    json_object_get(obj, "name") != NULL ? "name" : "model");
	if (strlen(m->name) >= MAX_MODEL_ID)
		return verr(v, sub, "name too long");
	if (!store_model_valid(m->name))
		return verr(v, sub, "must be printable ASCII without spaces "
		    "(or set \"name\")");
	snprintf(sub, sizeof(sub), "%s.base_url", path);
	if ((rc = check_url(v, sub, m->base_url, FETCH_URL_BASE)) != TMON_OK)
		return rc;
	n = strlen(m->base_url);
	while (n > 0 && m->base_url[n - 1] == '/')
		m->base_url[--n] = '\0';
	if ((rc = get_uint(v, obj, path, "interval_s", 1, 86400, 300, &u)))
		return rc;
	m->interval_s = (uint32_t)u;
	if ((rc = get_uint(v, obj, path, "jitter_s", 0, 86400,
	    m->interval_s / 10, &u)))
		return rc;
	m->jitter_s = (uint32_t)u;
	if ((rc = get_uint(v, obj, path, "timeout_s", 1, 600, 60, &u)))
		return rc;
	m->timeout_s = (uint32_t)u;
	if (json_object_get(obj, "policy") != NULL) {
		snprintf(sub, sizeof(sub), "%s.policy", path);
		if ((rc = parse_policy(v, json_object_get(obj, "policy"), sub,
		    m)) != TMON_OK)
			return rc;
	}
	snprintf(sub, sizeof(sub), "%s.canary", path);
	return parse_canary(v, json_object_get(obj, "canary"), sub, m);
}

void
config_free(struct config *cfg)
{
	size_t i;

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
	}
	free(cfg->pcs_base_url);
	free(cfg->pcs_root_ca_crl_url);
	free(cfg->test_intel_root_der);
	free(cfg->test_nvidia_root_der);
	free(cfg->receipts_token_env);
	free(cfg->models);
	free(cfg);
}

static enum tmon_rc	parse_http(struct vctx *, json_t *, struct http_cfg *);
static enum tmon_rc	parse_receipts(struct vctx *, json_t *,
			    struct config *);

enum tmon_rc
config_parse(const char *text, size_t len, const char *name,
    struct config **out, struct tmon_err *err)
{
	static const char *const keys[] = { "models", "max_concurrent",
	    "max_body_bytes", "test_trust_anchors", "pcs", "http", "receipts",
	    NULL };
	static const char *const pkeys[] = { "base_url", "root_ca_crl_url",
	    NULL };
	json_t *pcs;
	static const char *const tkeys[] = { "intel_root_ca",
	    "nvidia_root_ca", NULL };
	json_t *ta;
	struct config *cfg = NULL;
	struct vctx v;
	json_error_t je;
	json_t *root = NULL, *models;
	enum tmon_rc rc = TMON_E_CONFIG;
	uint64_t u;
	size_t i, j;
	char path[32];

	memset(&v, 0, sizeof(v));
	v.name = name;
	v.err = err;
	if (len > MAX_CONFIG_LEN)
		return tmon_err_set(err, TMON_E_LIMIT, "%s: larger than %d "
		    "bytes", name, MAX_CONFIG_LEN);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	v.scan.p = text;
	v.scan.end = text + len;
	v.scan.line = v.scan.col = 1;
	v.scan.pos = xcalloc(MAX_POS, sizeof(struct pos));
	if (root == NULL) {
		/* a syntax error is named after the innermost object or
		 * array it is in: scan the text up to the last byte of the
		 * token jansson stopped at */
		if (je.position > 0 && (size_t)je.position <= len)
			v.scan.end = text + je.position - 1;
		scan_value(&v.scan, "", true);
		rc = tmon_err_set(err, TMON_E_CONFIG, "%s:%d:%d: %s: %s", name,
		    je.line, je.column, v.scan.cut[0] != '\0' ? v.scan.cut :
		    "(top)", je.text);
		goto out;
	}
	scan_value(&v.scan, "", true);

	cfg = xcalloc(1, sizeof(*cfg));
	if (!json_is_object(root)) {
		rc = verr(&v, "", "must be an object");
		goto out;
	}
	if ((rc = check_keys(&v, root, "", keys)) != TMON_OK)
		goto out;
	models = json_object_get(root, "models");
	if (models == NULL) {
		rc = verr(&v, "", "missing required key \"models\"");
		goto out;
	}
	if (!json_is_array(models)) {
		rc = verr(&v, "models", "must be an array");
		goto out;
	}
	if (json_array_size(models) > MAX_MODELS) {
		rc = verr(&v, "models", "too many models");
		goto out;
	}
	if ((rc = get_uint(&v, root, "", "max_concurrent", 1, 64, 4, &u)))
		goto out;
	cfg->max_concurrent = (uint32_t)u;
	/* every upstream body is archived as one store blob */
	if ((rc = get_uint(&v, root, "", "max_body_bytes", 1024,
	    MAX_BLOB_LEN, MAX_UPSTREAM_BODY, &u)))
		goto out;
	cfg->max_body_bytes = (size_t)u;
	pcs = json_object_get(root, "pcs");
	if (pcs == NULL || json_is_object(pcs)) {
		if (pcs != NULL && ((rc = check_keys(&v, pcs, "pcs", pkeys)) ||
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
		rc = verr(&v, "pcs", "must be an object or false");
		goto out;
	}
	if ((ta = json_object_get(root, "test_trust_anchors")) != NULL) {
		if (!json_is_object(ta)) {
			rc = verr(&v, "test_trust_anchors", "must be an object");
			goto out;
		}
		if ((rc = check_keys(&v, ta, "test_trust_anchors", tkeys)) ||
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
	    cfg)) != TMON_OK)
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
				rc = verr(&v, path, "duplicate name (set "
				    "\"name\" to tell them apart)");
				goto out;
			}
		}
	}
	*out = cfg;
	cfg = NULL;
	rc = TMON_OK;
out:
	config_free(cfg);
	free(v.scan.pos);
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
parse_http(struct vctx *v, json_t *obj, struct http_cfg *h)
{
	static const char *const keys[] = { "max_connections",
	    "max_connections_per_address", "request_deadline_s",
	    "idle_timeout_s", NULL };
	enum tmon_rc rc;
	uint64_t u;

	if (obj != NULL && !json_is_object(obj))
		return verr(v, "http", "must be an object");
	if ((rc = check_keys(v, obj, "http", keys)) != TMON_OK ||
	    (rc = get_uint(v, obj, "http", "max_connections", 1,
	    MAX_API_CONNECTIONS, API_DEFAULT_MAX_CONNECTIONS, &u)))
		return rc;
	h->max_connections = (uint32_t)u;
	if ((rc = get_uint(v, obj, "http", "max_connections_per_address", 1,
	    h->max_connections, h->max_connections <
	    API_DEFAULT_MAX_PER_ADDRESS ? h->max_connections :
	    API_DEFAULT_MAX_PER_ADDRESS, &u)))
		return rc;
	h->max_per_address = (uint32_t)u;
	if ((rc = get_uint(v, obj, "http", "request_deadline_s", 1,
	    API_MAX_TIMEOUT_S, API_DEFAULT_REQUEST_DEADLINE_S, &u)))
		return rc;
	h->request_deadline_s = (uint32_t)u;
	if ((rc = get_uint(v, obj, "http", "idle_timeout_s", 1,
	    API_MAX_TIMEOUT_S, API_DEFAULT_IDLE_TIMEOUT_S, &u)))
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
parse_receipts(struct vctx *v, json_t *obj, struct config *cfg)
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
	char path[32];
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
	if (!json_is_object(obj))
		return verr(v, "receipts", "must be an object");
	if ((rc = check_keys(v, obj, "receipts", keys)) != TMON_OK ||
	    (rc = get_str(v, obj, "receipts", "token_env", false,
	    &cfg->receipts_token_env)) != TMON_OK)
		return rc;
	for (s = cfg->receipts_token_env; s != NULL && *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    *s == '_' || (s != cfg->receipts_token_env &&
		    *s >= '0' && *s <= '9')))
			return verr(v, "receipts.token_env", "must be an "
			    "environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "receipts.%s", qname[i]);
		if ((q = json_object_get(obj, qname[i])) == NULL)
			continue;
		if (!json_is_object(q))
			return verr(v, path, "must be an object");
		if ((rc = check_keys(v, q, path, qkeys)) != TMON_OK ||
		    (rc = get_uint(v, q, path, "count", 1, 1000000000,
		    defcount[i], &lim[i]->count)) != TMON_OK ||
		    (rc = get_uint(v, q, path, "bytes", MAX_RECEIPT_BODY,
		    (uint64_t)1 << 40, defbytes[i], &lim[i]->bytes)) !=
		    TMON_OK ||
		    (rc = get_uint(v, q, path, "window_s", 1, 86400, 60, &u)) !=
		    TMON_OK)
			return rc;
		lim[i]->window_s = (uint32_t)u;
	}
	return TMON_OK;
}
