#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

#define MAX_CONFIG_LEN	(1024 * 1024)
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
	if (s->p >= s->end || ++s->depth > MAX_JSON_DEPTH)
		return;
	if (*s->p == '{') {
		adv(s);
		for (;;) {
			skip_ws(s);
			if (s->p >= s->end || *s->p == '}')
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
			if (s->p >= s->end || *s->p == ']')
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
		while (s->p < s->end && *s->p != ',' && *s->p != '}' &&
		    *s->p != ']' && *s->p != ' ' && *s->p != '\n' &&
		    *s->p != '\t' && *s->p != '\r')
			adv(s);
	}
	s->depth--;
}

struct vctx {
	const char	*name;
	struct scan	 scan;
	struct tmon_err	*err;
};

static enum tmon_rc
verr(struct vctx *v, const char *path, const char *what)
{
	size_t i;

	for (i = 0; i < v->scan.npos; i++)
		if (strcmp(v->scan.pos[i].path, path) == 0)
			return tmon_err_set(v->err, TMON_E_CONFIG,
			    "%s:%d:%d: %s: %s", v->name, v->scan.pos[i].line,
			    v->scan.pos[i].col, path[0] ? path : "(top)", what);
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

static enum tmon_rc
parse_model(struct vctx *v, json_t *obj, const char *path,
    struct model_cfg *m)
{
	static const char *const keys[] = { "provider", "model", "name", "base_url",
	    "api_key_env", "interval_s", "jitter_s", "timeout_s", NULL };
	enum tmon_rc rc;
	uint64_t u;
	size_t n;
	char sub[96];

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
	if (strcmp(m->provider, "nanogpt") == 0)
		m->route = ROUTE_NANOGPT;
	else if (strcmp(m->provider, "near") == 0 ||
	    strcmp(m->provider, "phala") == 0 ||
	    strcmp(m->provider, "redpill") == 0)
		m->route = ROUTE_ATTESTATION_REPORT;
	else
		return verr(v, sub,
		    "unknown provider (nanogpt, near, phala, redpill)");
	if (m->name == NULL)
		m->name = xstrdup(m->model);
	snprintf(sub, sizeof(sub), "%s.model", path);
	if (strlen(m->model) >= MAX_MODEL_ID || strlen(m->name) >=
	    MAX_MODEL_ID)
		return verr(v, sub, "model id or name too long");
	snprintf(sub, sizeof(sub), "%s.base_url", path);
	if (strncmp(m->base_url, "http://", 7) != 0 &&
	    strncmp(m->base_url, "https://", 8) != 0)
		return verr(v, sub, "must start with http:// or https://");
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
	return TMON_OK;
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
	}
	free(cfg->models);
	free(cfg);
}

enum tmon_rc
config_parse(const char *text, size_t len, const char *name,
    struct config **out, struct tmon_err *err)
{
	static const char *const keys[] = { "models", "max_concurrent",
	    "max_body_bytes", NULL };
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
	if (root == NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "%s:%d:%d: %s", name,
		    je.line, je.column, je.text);
	v.scan.p = text;
	v.scan.end = text + len;
	v.scan.line = v.scan.col = 1;
	v.scan.pos = xcalloc(MAX_POS, sizeof(struct pos));
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
	if ((rc = get_uint(&v, root, "", "max_body_bytes", 1024,
	    64u * 1024 * 1024, MAX_UPSTREAM_BODY, &u)))
		goto out;
	cfg->max_body_bytes = (size_t)u;
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
