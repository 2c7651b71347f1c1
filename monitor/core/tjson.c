/*
 * tjson.c: loading, typed getters and the position scanner (tjson.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "log.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

void
tjson_init(void)
{
	json_set_alloc_funcs(xmalloc, free);
	json_object_seed(0);
}

json_t *
tjson_chk(json_t *j)
{
	if (j == NULL)
		fatalx("json: cannot build a value (out of memory, or text "
		    "that is not UTF-8)");
	return j;
}

void
tjson_set(json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new(obj, key, tjson_chk(v)) != 0)
		fatalx("json: cannot set member %s", key);
}

/* ---- errors ---- */

/* Cut the last step off path ("a.b[2]" -> "a.b" -> "a" -> ""). */
static void
path_parent(char *path)
{
	char *dot = strrchr(path, '.'), *brk = strrchr(path, '[');

	if (dot == NULL || (brk != NULL && brk > dot))
		dot = brk;
	if (dot == NULL)
		path[0] = '\0';
	else
		*dot = '\0';
}

static enum tmon_rc __attribute__((format(printf, 5, 0)))
vfail(struct tjson_doc *d, enum tmon_rc rc, size_t offset, const char *path,
    const char *fmt, va_list ap)
{
	char msg[200], at[MAX_JSON_PATH];
	const char *shown;
	struct tjson_span sp;
	int line, col;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(d->where, sizeof(d->where), "%s", path != NULL ? path : "");
	if (d->code != TMON_OK)
		rc = d->code;
	if (path == NULL)
		return d->name != NULL ? tmon_err_set_at(d->err, rc, offset,
		    "%s: %s", d->name, msg) : tmon_err_set_at(d->err, rc,
		    offset, "%s", msg);
	shown = path[0] != '\0' ? path : "(top)";
	if (d->lines && d->text != NULL) {
		snprintf(at, sizeof(at), "%s", path);
		for (;;) {
			if (tjson_locate(d->text, d->len, at, &sp)) {
				tjson_line_col(d->text, sp.at, &line, &col);
				return tmon_err_set_at(d->err, rc, sp.at,
				    "%s:%d:%d: %s: %s", d->name != NULL ?
				    d->name : "", line, col, shown, msg);
			}
			if (at[0] == '\0')
				break;
			path_parent(at);
		}
	}
	return d->name != NULL ? tmon_err_set_at(d->err, rc, offset,
	    "%s: %s: %s", d->name, shown, msg) : tmon_err_set_at(d->err, rc,
	    offset, "%s: %s", shown, msg);
}

enum tmon_rc
tjson_fail(struct tjson_doc *d, enum tmon_rc rc, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = vfail(d, rc, 0, path, fmt, ap);
	va_end(ap);
	return rc;
}

static enum tmon_rc __attribute__((format(printf, 5, 6)))
fail_at(struct tjson_doc *d, enum tmon_rc rc, size_t offset,
    const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = vfail(d, rc, offset, path, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- loading ---- */

enum tmon_rc
tjson_load(struct tjson_doc *d, const void *text, size_t len, size_t max,
    unsigned flags, json_t **out)
{
	json_error_t je;
	json_t *root;
	char esc[128], in[MAX_JSON_PATH];
	size_t off;

	*out = NULL;
	d->text = text;
	d->len = len;
	if (len > max)
		return tjson_fail(d, TMON_E_LIMIT, NULL, "%zu bytes of JSON "
		    "text, over the limit of %zu", len, max);
	if (!json_text_depth_ok(text, len, MAX_JSON_DEPTH))
		return tjson_fail(d, TMON_E_LIMIT, NULL, "JSON nested deeper "
		    "than %d", MAX_JSON_DEPTH);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES |
	    ((flags & TJSON_ANY) != 0 ? JSON_DECODE_ANY : 0), &je);
	if (root == NULL) {
		log_esc(esc, sizeof(esc), je.text, strnlen(je.text,
		    sizeof(je.text)));
		off = je.position > 0 && (size_t)je.position <= len ?
		    (size_t)je.position : len;
		if (!d->lines)
			return fail_at(d, TMON_E_PARSE, off, NULL, "not valid "
			    "JSON: %s at line %d column %d", esc, je.line,
			    je.column);
		/* named after the innermost object or array the token
		 * jansson stopped at is in: scan up to its last byte */
		tjson_enclosing(text, je.position > 0 && (size_t)je.position <=
		    len ? (size_t)je.position - 1 : len, in, sizeof(in));
		d->where[0] = '\0';
		return tmon_err_set_at(d->err, d->code != TMON_OK ? d->code :
		    TMON_E_PARSE, off, "%s:%d:%d: %s: %s", d->name != NULL ?
		    d->name : "", je.line, je.column, in[0] != '\0' ? in :
		    "(top)", esc);
	}
	if ((flags & TJSON_OBJECT) != 0 && !json_is_object(root)) {
		json_decref(root);
		return tjson_fail(d, TMON_E_PARSE, NULL, "not a JSON object");
	}
	*out = root;
	return TMON_OK;
}

enum tmon_rc
tjson_load_file(struct tjson_doc *d, const char *path, size_t max,
    unsigned flags, json_t **out)
{
	uint8_t *text = NULL;
	size_t len;
	enum tmon_rc rc;

	*out = NULL;
	d->text = NULL;
	d->len = 0;
	if ((rc = read_file(path, max, &text, &len, d->err)) != TMON_OK)
		return rc;
	rc = tjson_load(d, text, len, max, flags, out);
	free(text);
	d->text = NULL;
	d->len = 0;
	return rc;
}

/* ---- getters ---- */

char *
tjson_path(char *buf, size_t bufsz, const char *path, const char *key)
{
	snprintf(buf, bufsz, "%s%s%s", path, path[0] != '\0' ? "." : "", key);
	return buf;
}

char *
tjson_path_index(char *buf, size_t bufsz, const char *path, size_t i)
{
	snprintf(buf, bufsz, "%s[%zu]", path, i);
	return buf;
}

/*
 * The value the getters read: member key of obj, or obj itself; *vpath
 * names it.  Returns TMON_OK with *v set, TMON_E_NOTFOUND (no error
 * recorded) if it is absent and may be, or the error.
 */
static enum tmon_rc
member(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, unsigned flags, json_t **v, char *vpath, size_t vsz)
{
	json_t *m;
	enum tmon_rc rc;

	if (key == NULL) {
		snprintf(vpath, vsz, "%s", path);
		m = (json_t *)(uintptr_t)obj;
	} else {
		tjson_path(vpath, vsz, path, key);
		m = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	}
	if (m != NULL && json_is_null(m) && (flags & TJSON_NULL) != 0)
		m = NULL;
	if (m == NULL) {
		if ((flags & TJSON_OPTIONAL) != 0)
			return TMON_E_NOTFOUND;
		if (key == NULL)
			return tjson_fail(d, TMON_E_PARSE, path, "missing");
		rc = tjson_fail(d, TMON_E_PARSE, path, "missing required key "
		    "\"%s\"", key);
		snprintf(d->where, sizeof(d->where), "%s", vpath);
		return rc;
	}
	*v = m;
	return TMON_OK;
}

/* member(), with an absent optional member reading as TMON_OK, *v NULL. */
static enum tmon_rc
lookup(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, unsigned flags, json_t **v, char *vpath, size_t vsz)
{
	enum tmon_rc rc;

	*v = NULL;
	rc = member(d, obj, path, key, flags, v, vpath, vsz);
	return rc == TMON_E_NOTFOUND ? TMON_OK : rc;
}

enum tmon_rc
tjson_str(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, size_t max, unsigned flags, const char **out,
    size_t *len)
{
	char vp[MAX_JSON_PATH];
	json_t *v;
	enum tmon_rc rc;

	if ((rc = lookup(d, obj, path, key, flags, &v, vp, sizeof(vp))) !=
	    TMON_OK || v == NULL)
		return rc;
	if (!json_is_string(v))
		return tjson_fail(d, TMON_E_PARSE, vp, "must be a string");
	if (json_string_length(v) > max)
		return tjson_fail(d, TMON_E_LIMIT, vp, "must be at most %zu "
		    "bytes", max);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return tjson_fail(d, TMON_E_PARSE, vp, "must not contain NUL");
	*out = json_string_value(v);
	if (len != NULL)
		*len = json_string_length(v);
	return TMON_OK;
}

enum tmon_rc
tjson_uint(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, uint64_t min, uint64_t max, unsigned flags,
    uint64_t *out)
{
	char vp[MAX_JSON_PATH];
	json_t *v;
	json_int_t i;
	uint64_t u = 0;
	bool ok = false;
	enum tmon_rc rc;

	if ((rc = lookup(d, obj, path, key, flags, &v, vp, sizeof(vp))) !=
	    TMON_OK || v == NULL)
		return rc;
	if (json_is_integer(v)) {
		i = json_integer_value(v);
		ok = i >= 0;
		u = (uint64_t)i;
	} else if ((flags & TJSON_DECIMAL) != 0 && json_is_string(v) &&
	    strlen(json_string_value(v)) == json_string_length(v) &&
	    parse_u64(json_string_value(v), 0, UINT64_MAX, &u))
		ok = true;
	else
		return tjson_fail(d, TMON_E_PARSE, vp, "must be an integer%s",
		    (flags & TJSON_DECIMAL) != 0 ? " or a decimal string" : "");
	if (!ok || u < min || u > max)
		return tjson_fail(d, TMON_E_PARSE, vp, "must be between %llu "
		    "and %llu", (unsigned long long)min,
		    (unsigned long long)max);
	*out = u;
	return TMON_OK;
}

enum tmon_rc
tjson_bool(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, unsigned flags, bool *out)
{
	char vp[MAX_JSON_PATH];
	json_t *v;
	enum tmon_rc rc;

	if ((rc = lookup(d, obj, path, key, flags, &v, vp, sizeof(vp))) !=
	    TMON_OK || v == NULL)
		return rc;
	if (!json_is_boolean(v))
		return tjson_fail(d, TMON_E_PARSE, vp, "must be true or false");
	*out = json_is_true(v);
	return TMON_OK;
}

enum tmon_rc
tjson_hex(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, unsigned flags, uint8_t *out, size_t n)
{
	char vp[MAX_JSON_PATH];
	json_t *v;
	enum tmon_rc rc;

	if ((rc = lookup(d, obj, path, key, flags, &v, vp, sizeof(vp))) !=
	    TMON_OK || v == NULL)
		return rc;
	/* hex_decode_exact writes out only when the whole text is good */
	if (!json_is_string(v) || !hex_decode_exact(json_string_value(v),
	    json_string_length(v), out, n, (flags & TJSON_0X) != 0))
		return tjson_fail(d, TMON_E_PARSE, vp, "must be %zu hex "
		    "characters", 2 * n);
	return TMON_OK;
}

enum tmon_rc
tjson_b64(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, size_t max, unsigned flags, uint8_t **out,
    size_t *outlen)
{
	char vp[MAX_JSON_PATH];
	const char *s = NULL;
	size_t n = 0;
	enum tmon_rc rc;

	*out = NULL;
	*outlen = 0;
	rc = tjson_str(d, obj, path, key, B64_ENCODED_LEN(max), flags, &s,
	    &n);
	if (rc != TMON_OK || s == NULL)
		return rc;
	if (n == 0 || (*out = b64_decode_alloc(s, n, max, outlen)) == NULL ||
	    *outlen == 0) {
		free(*out);
		*out = NULL;
		*outlen = 0;
		return tjson_fail(d, TMON_E_PARSE, key != NULL ?
		    tjson_path(vp, sizeof(vp), path, key) : path,
		    "must be base64 of 1 to %zu bytes", max);
	}
	return TMON_OK;
}

enum tmon_rc
tjson_object(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, unsigned flags, json_t **out)
{
	char vp[MAX_JSON_PATH];
	json_t *v;
	enum tmon_rc rc;

	if ((rc = lookup(d, obj, path, key, flags, &v, vp, sizeof(vp))) !=
	    TMON_OK || v == NULL)
		return rc;
	if (!json_is_object(v))
		return tjson_fail(d, TMON_E_PARSE, vp, "must be an object");
	*out = v;
	return TMON_OK;
}

enum tmon_rc
tjson_array(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *key, size_t min, size_t max, unsigned flags, json_t **out)
{
	char vp[MAX_JSON_PATH];
	json_t *v;
	size_t n;
	enum tmon_rc rc;

	if ((rc = lookup(d, obj, path, key, flags, &v, vp, sizeof(vp))) !=
	    TMON_OK || v == NULL)
		return rc;
	if (!json_is_array(v))
		return tjson_fail(d, TMON_E_PARSE, vp, "must be an array");
	n = json_array_size(v);
	if (n < min && min == 1)
		return tjson_fail(d, TMON_E_PARSE, vp, "must not be empty");
	if (n < min)
		return tjson_fail(d, TMON_E_PARSE, vp, "must have at least %zu "
		    "elements", min);
	if (n > max)
		return tjson_fail(d, TMON_E_LIMIT, vp, "%zu elements, over the "
		    "limit of %zu", n, max);
	*out = v;
	return TMON_OK;
}

enum tmon_rc
tjson_keys(struct tjson_doc *d, const json_t *obj, const char *path,
    const char *const *keys)
{
	const char *const *k;
	const char *key;
	char vp[MAX_JSON_PATH];
	json_t *v;

	json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
		for (k = keys; *k != NULL; k++)
			if (strcmp(key, *k) == 0)
				break;
		if (*k == NULL)
			return tjson_fail(d, TMON_E_PARSE, tjson_path(vp,
			    sizeof(vp), path, key), "unknown key");
	}
	return TMON_OK;
}

/* ---- the scanner ---- */

/*
 * A walk over JSON text that knows the path of the value it is at.
 * Paths are built from keys as written; a key written with an escape,
 * or a path longer than the buffer, makes the path "lost": nothing under
 * it matches.
 */
struct walk {
	const uint8_t		*p;
	size_t			 n, i;
	int			 depth;
	char			 path[MAX_JSON_PATH];
	size_t			 plen;
	bool			 lost;
	const char		*want;		/* tjson_locate(): the path */
	size_t			 want_len;
	unsigned		 hits;
	struct tjson_span	 span;
	bool			 cut_set;	/* tjson_enclosing() */
	char			 cut[MAX_JSON_PATH];
};

static void
walk_ws(struct walk *w)
{
	while (w->i < w->n && (w->p[w->i] == ' ' || w->p[w->i] == '\t' ||
	    w->p[w->i] == '\n' || w->p[w->i] == '\r'))
		w->i++;
}

/* A string at w->i: its raw contents are [*start, *end). */
static bool
walk_string(struct walk *w, size_t *start, size_t *end, bool *escaped)
{
	if (w->i >= w->n || w->p[w->i] != '"')
		return false;
	*start = ++w->i;
	*escaped = false;
	while (w->i < w->n) {
		if (w->p[w->i] == '"') {
			*end = w->i++;
			return true;
		}
		if (w->p[w->i] == '\\') {
			*escaped = true;
			if (w->n - w->i < 2)
				return false;
			w->i += 2;
			continue;
		}
		if (w->p[w->i] < 0x20)
			return false;
		w->i++;
	}
	return false;
}

/* Append s (n bytes) to the path; too long: the path is lost. */
static void
walk_push(struct walk *w, const void *s, size_t n)
{
	if (w->lost || n >= sizeof(w->path) - w->plen) {
		w->lost = true;
		return;
	}
	memcpy(w->path + w->plen, s, n);
	w->plen += n;
	w->path[w->plen] = '\0';
}

static void
walk_pop(struct walk *w, size_t plen, bool lost)
{
	w->plen = plen;
	w->path[plen] = '\0';
	w->lost = lost;
}

static bool	walk_value(struct walk *, size_t);

/* An object or array at w->i. */
static bool
walk_container(struct walk *w)
{
	bool obj = w->p[w->i] == '{', lost = w->lost, esc;
	uint8_t close = obj ? '}' : ']';
	size_t plen = w->plen, ka, kb, at, idx = 0;
	char ix[32];
	int n;

	if (w->depth >= MAX_JSON_DEPTH)
		goto bad;
	w->depth++;
	w->i++;
	walk_ws(w);
	if (w->i < w->n && w->p[w->i] == close) {
		w->i++;
		w->depth--;
		return true;
	}
	for (;;) {
		walk_ws(w);
		at = w->i;
		if (obj) {
			if (!walk_string(w, &ka, &kb, &esc))
				break;
			walk_ws(w);
			if (w->i >= w->n || w->p[w->i] != ':')
				break;
			w->i++;
			if (plen > 0)
				walk_push(w, ".", 1);
			walk_push(w, w->p + ka, kb - ka);
			if (esc)
				w->lost = true;
		} else {
			n = snprintf(ix, sizeof(ix), "[%zu]", idx++);
			walk_push(w, ix, (size_t)n);
		}
		if (!walk_value(w, at))
			break;
		walk_pop(w, plen, lost);
		walk_ws(w);
		if (w->i >= w->n)
			break;
		if (w->p[w->i] == ',') {
			w->i++;
			continue;
		}
		if (w->p[w->i] != close)
			break;
		w->i++;
		w->depth--;
		return true;
	}
	walk_pop(w, plen, lost);
 bad:
	/* the innermost container records itself first */
	if (!w->cut_set) {
		snprintf(w->cut, sizeof(w->cut), "%s", w->path);
		w->cut_set = true;
	}
	return false;
}

/* The value at w->i (after whitespace), named at byte at. */
static bool
walk_value(struct walk *w, size_t at)
{
	size_t a, b, start;
	bool esc, ok, mine = false;

	walk_ws(w);
	if (w->i >= w->n)
		return false;
	if (w->want != NULL && !w->lost && w->plen == w->want_len &&
	    memcmp(w->path, w->want, w->plen) == 0 && w->hits++ == 0) {
		mine = true;
		w->span.at = at;
		w->span.start = w->i;
	}
	start = w->i;
	if (w->p[w->i] == '{' || w->p[w->i] == '[')
		ok = walk_container(w);
	else if (w->p[w->i] == '"')
		ok = walk_string(w, &a, &b, &esc);
	else {
		/* a number or literal: its spelling is jansson's to judge */
		while (w->i < w->n && ((w->p[w->i] >= '0' &&
		    w->p[w->i] <= '9') || (w->p[w->i] >= 'a' &&
		    w->p[w->i] <= 'z') || (w->p[w->i] >= 'A' &&
		    w->p[w->i] <= 'Z') || w->p[w->i] == '+' ||
		    w->p[w->i] == '-' || w->p[w->i] == '.'))
			w->i++;
		ok = w->i > start;
	}
	if (ok && mine)
		w->span.end = w->i;
	return ok;
}

/* Walk the whole text: true if it is one value and whitespace. */
static bool
walk_text(struct walk *w, const void *text, size_t len)
{
	w->p = text;
	w->n = len;
	walk_ws(w);
	if (!walk_value(w, w->i))
		return false;
	walk_ws(w);
	return w->i == w->n;
}

bool
tjson_locate(const void *text, size_t len, const char *path,
    struct tjson_span *out)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.want = path;
	w.want_len = strlen(path);
	if (!walk_text(&w, text, len) || w.hits != 1)
		return false;
	*out = w.span;
	return true;
}

void
tjson_enclosing(const void *text, size_t len, char *buf, size_t bufsz)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	(void)walk_text(&w, text, len);
	snprintf(buf, bufsz, "%s", w.cut_set ? w.cut : "");
}

void
tjson_line_col(const void *text, size_t off, int *line, int *col)
{
	const uint8_t *p = text;
	size_t i;
	int l = 1, c = 1;

	for (i = 0; i < off; i++) {
		if (p[i] == '\n') {
			l++;
			c = 1;
		} else
			c++;
	}
	*line = l;
	*col = c;
}
