/*
 * api_request.c: routing and query validation for the read-only API
 * (api_request.h).  Pure: no I/O, no allocation.
 */
#include <string.h>
#include <strings.h>

#include "api_request.h"
#include "encode.h"
#include "entry.h"
#include "util.h"

#define XSTR(x)	STR(x)
#define STR(x)	#x

/* Query arguments, one bit each. */
#define ARG_MODEL	0x01u
#define ARG_VERDICT	0x02u
#define ARG_SINCE	0x04u
#define ARG_UNTIL	0x08u
#define ARG_BEFORE	0x10u
#define ARG_LIMIT	0x20u
#define ARG_AFTER	0x40u
#define ARG_SEQ		0x80u
#define ARG_SIZE	0x100u
#define ARG_OLD		0x200u
#define ARG_NEW		0x400u
#define ARG_CLASS	0x800u
#define ARGS_LIST	(ARG_MODEL | ARG_VERDICT | ARG_SINCE | ARG_UNTIL | \
			    ARG_BEFORE | ARG_LIMIT)
#define ARGS_HISTORY	(ARG_SINCE | ARG_UNTIL | ARG_AFTER | ARG_BEFORE | \
			    ARG_LIMIT)
#define ARGS_EVENTS	(ARG_MODEL | ARG_CLASS | ARG_SINCE | ARG_UNTIL | \
			    ARG_BEFORE | ARG_LIMIT)
#define ARGS_CHECKPOINTS (ARG_AFTER | ARG_LIMIT)
#define ARGS_INCLUSION	(ARG_SEQ | ARG_SIZE)
#define ARGS_CONSISTENCY (ARG_OLD | ARG_NEW)

static const struct {
	const char	*name;
	unsigned int	 bit;
} argnames[] = {
	{ "model", ARG_MODEL },
	{ "verdict", ARG_VERDICT },
	{ "since", ARG_SINCE },
	{ "until", ARG_UNTIL },
	{ "before", ARG_BEFORE },
	{ "limit", ARG_LIMIT },
	{ "after", ARG_AFTER },
	{ "seq", ARG_SEQ },
	{ "size", ARG_SIZE },
	{ "old", ARG_OLD },
	{ "new", ARG_NEW },
	{ "class", ARG_CLASS },
};

/* The verdict strings handed out in req->verdict (static storage). */
static const char *const verdict_names[] = { "pass", "warn", "fail",
    "error" };

static enum tmon_rc
reject(struct api_reject *rej, unsigned int status, const char *error,
    const char *field)
{
	rej->status = status;
	rej->error = error;
	rej->field = field;
	return TMON_E_PARSE;
}

/* A dashboard file name: [A-Za-z0-9_-][A-Za-z0-9._-]*, bounded. */
static bool
file_name_ok(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == '.')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (i + 1 >= MAX_DASHBOARD_NAME)
			return false;
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	}
	return true;
}

static bool
model_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= MAX_MODEL_ID)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* A path under /api/v1/log/ (rest is what follows that prefix). */
static enum tmon_rc
parse_log_path(const char *rest, struct api_request *req,
    struct api_reject *rej)
{
	static const char entries[] = "entries/";

	if (strcmp(rest, "key") == 0)
		req->route = API_ROUTE_LOG_KEY;
	else if (strcmp(rest, "checkpoint") == 0)
		req->route = API_ROUTE_LOG_CHECKPOINT;
	else if (strcmp(rest, "checkpoints") == 0)
		req->route = API_ROUTE_LOG_CHECKPOINTS;
	else if (strcmp(rest, "proof/inclusion") == 0)
		req->route = API_ROUTE_LOG_INCLUSION;
	else if (strcmp(rest, "proof/consistency") == 0)
		req->route = API_ROUTE_LOG_CONSISTENCY;
	else if (strncmp(rest, entries, sizeof(entries) - 1) == 0) {
		req->route = API_ROUTE_LOG_ENTRY;
		if (!parse_u64(rest + sizeof(entries) - 1, 0, INT64_MAX,
		    &req->seq))
			return reject(rej, 400, "seq must be a decimal "
			    "integer from 0 to 2^63-1", "seq");
	} else if (strncmp(rest, "tile/", 5) == 0) {
		/* As on a static mirror, a path that names no tile is not
		 * there (tlog_tile_parse takes only a tile's one path). */
		req->route = API_ROUTE_LOG_TILE;
		if (!tlog_tile_parse(rest, &req->tile))
			return reject(rej, 404, "no such tile (C2SP "
			    "tlog-tiles: tile/<L>/<N>[.p/<W>] or "
			    "tile/entries/<N>[.p/<W>])", NULL);
	} else
		return reject(rej, 404, "not found", NULL);
	return TMON_OK;
}

/* The n decimal digits at p as a seq (0..2^63-1; parse_u64's rules). */
static bool
parse_u64_n(const char *p, size_t n, uint64_t *out)
{
	char digits[20];

	if (n >= sizeof(digits))
		return false;
	memcpy(digits, p, n);
	digits[n] = '\0';
	return parse_u64(digits, 0, INT64_MAX, out);
}

static enum tmon_rc
parse_path(const char *path, struct api_request *req, struct api_reject *rej)
{
	static const char logp[] = "/api/v1/log/";
	static const char entries[] = "/api/v1/entries/";
	static const char blobs[] = "/api/v1/blobs/";
	static const char models[] = "/api/v1/models/";
	static const char history[] = "/history";
	static const char receipts[] = "/api/v1/receipts/";
	static const char proof[] = "/proof";
	static const char badge[] = "/badge/";
	static const char svg[] = ".svg";
	const char *p;
	size_t n;

	if (strcmp(path, "/api/v1/models") == 0)
		req->route = API_ROUTE_MODELS;
	else if (strcmp(path, "/api/v1/probes") == 0)
		req->route = API_ROUTE_PROBES;
	else if (strcmp(path, "/api/v1/failures") == 0)
		req->route = API_ROUTE_FAILURES;
	else if (strcmp(path, "/api/v1/events") == 0)
		req->route = API_ROUTE_EVENTS;
	else if (strcmp(path, "/api/v1/receipts") == 0)
		req->route = API_ROUTE_RECEIPTS;
	else if (strcmp(path, "/healthz") == 0)
		req->route = API_ROUTE_HEALTHZ;
	else if (strcmp(path, "/readyz") == 0)
		req->route = API_ROUTE_READYZ;
	else if (strcmp(path, "/badge.svg") == 0)
		req->route = API_ROUTE_BADGE_ALL;
	else if (strncmp(path, badge, sizeof(badge) - 1) == 0) {
		/* The model id may itself hold '/' (sent as %2F). */
		req->route = API_ROUTE_BADGE;
		p = path + sizeof(badge) - 1;
		n = strlen(p);
		if (n < sizeof(svg) - 1 ||
		    strcmp(p + n - (sizeof(svg) - 1), svg) != 0)
			return reject(rej, 404, "not found", NULL);
		n -= sizeof(svg) - 1;
		if (!model_ok(p, n))
			return reject(rej, 400, "model must be 1 to "
			    XSTR(MAX_MODEL_ID) " printable characters",
			    "model");
		memcpy(req->model, p, n);
		req->model[n] = '\0';
		req->has_model = true;
	}
	else if (strncmp(path, logp, sizeof(logp) - 1) == 0)
		return parse_log_path(path + sizeof(logp) - 1, req, rej);
	else if (strncmp(path, receipts, sizeof(receipts) - 1) == 0) {
		req->route = API_ROUTE_RECEIPT;
		p = path + sizeof(receipts) - 1;
		n = strlen(p);
		if (n > sizeof(proof) - 1 &&
		    strcmp(p + n - (sizeof(proof) - 1), proof) == 0) {
			req->route = API_ROUTE_RECEIPT_PROOF;
			n -= sizeof(proof) - 1;
		}
		if (n == 0 || n > 19 || strspn(p, "0123456789") != n ||
		    !parse_u64_n(p, n, &req->seq))
			return reject(rej, 400, "seq must be a decimal "
			    "integer from 0 to 2^63-1", "seq");
	}
	else if (strncmp(path, entries, sizeof(entries) - 1) == 0) {
		req->route = API_ROUTE_ENTRY;
		p = path + sizeof(entries) - 1;
		if (!parse_u64(p, 0, INT64_MAX, &req->seq))
			return reject(rej, 400, "seq must be a decimal "
			    "integer from 0 to 2^63-1", "seq");
	} else if (strncmp(path, blobs, sizeof(blobs) - 1) == 0) {
		req->route = API_ROUTE_BLOB;
		p = path + sizeof(blobs) - 1;
		n = strlen(p);
		if (n != 64 || !hex_decode_exact(p, n, req->sha256, 32, false))
			return reject(rej, 400, "sha256 must be 64 hex digits",
			    "sha256");
	} else if (strncmp(path, models, sizeof(models) - 1) == 0 &&
	    (n = strlen(path)) > sizeof(models) - 1 + sizeof(history) - 1 &&
	    strcmp(path + n - (sizeof(history) - 1), history) == 0) {
		/* The model id may itself hold '/' (sent as %2F). */
		req->route = API_ROUTE_HISTORY;
		p = path + sizeof(models) - 1;
		n -= sizeof(models) - 1 + sizeof(history) - 1;
		if (!model_ok(p, n))
			return reject(rej, 400, "model must be 1 to "
			    XSTR(MAX_MODEL_ID) " printable characters",
			    "model");
		memcpy(req->model, p, n);
		req->model[n] = '\0';
		req->has_model = true;
	} else if (strcmp(path, "/metrics") == 0)
		req->route = API_ROUTE_METRICS;
	else if (strcmp(path, "/") == 0) {
		req->route = API_ROUTE_STATIC;
		memcpy(req->file, "index.html", sizeof("index.html"));
	} else if (path[0] == '/' && strncmp(path, "/api/", 5) != 0 &&
	    file_name_ok(path + 1)) {
		req->route = API_ROUTE_STATIC;
		n = strlen(path + 1);
		memcpy(req->file, path + 1, n + 1);
	} else
		return reject(rej, 404, "not found", NULL);
	return TMON_OK;
}

static const char *arg_name(unsigned int);

static enum tmon_rc
parse_arg(const struct api_arg *a, unsigned int bit, struct api_request *req,
    struct api_reject *rej)
{
	enum entry_event_class cls;
	uint64_t v;
	size_t i;

	switch (bit) {
	case ARG_MODEL:
		if (!model_ok(a->value, a->value_len))
			return reject(rej, 400, "model must be 1 to "
			    XSTR(MAX_MODEL_ID) " printable characters",
			    "model");
		memcpy(req->model, a->value, a->value_len);
		req->model[a->value_len] = '\0';
		req->has_model = true;
		break;
	case ARG_VERDICT:
		for (i = 0; i < sizeof(verdict_names) /
		    sizeof(verdict_names[0]); i++)
			if (strcmp(a->value, verdict_names[i]) == 0)
				req->verdict = verdict_names[i];
		if (req->verdict == NULL)
			return reject(rej, 400, "verdict must be pass, warn, "
			    "fail or error", "verdict");
		if (req->route == API_ROUTE_FAILURES &&
		    strcmp(req->verdict, "fail") != 0 &&
		    strcmp(req->verdict, "error") != 0)
			return reject(rej, 400, "failures: verdict must be "
			    "fail or error", "verdict");
		break;
	case ARG_CLASS:
		if (!entry_event_class_parse(a->value, &cls))
			return reject(rej, 400, "class must be first, "
			    "instance_added, allowlisted, upgrade_endorsed, "
			    "tcb_changed, verdict_changed or unexplained",
			    "class");
		req->cls = entry_event_class_str(cls);
		break;
	case ARG_SINCE:
	case ARG_UNTIL:
		if (!parse_u64(a->value, 0, INT64_MAX, &v))
			return reject(rej, 400, "must be a unix time in "
			    "seconds (decimal)", bit == ARG_SINCE ? "since" :
			    "until");
		if (bit == ARG_SINCE)
			req->since = (int64_t)v;
		else
			req->until = (int64_t)v;
		break;
	case ARG_BEFORE:
		if (!parse_u64(a->value, 0, INT64_MAX, &req->before))
			return reject(rej, 400, "before must be a sequence "
			    "number (decimal)", "before");
		break;
	case ARG_AFTER:
		if (!parse_u64(a->value, 0, INT64_MAX - 1, &req->after))
			return reject(rej, 400, "after must be a sequence "
			    "number (decimal)", "after");
		break;
	case ARG_SEQ:
		if (!parse_u64(a->value, 0, INT64_MAX - 1, &req->seq))
			return reject(rej, 400, "seq must be a decimal "
			    "integer from 0 to 2^63-2", "seq");
		break;
	case ARG_SIZE:
	case ARG_OLD:
	case ARG_NEW:
		if (!parse_u64(a->value, 1, INT64_MAX, &v))
			return reject(rej, 400, "a tree size must be a "
			    "decimal integer from 1 to 2^63-1",
			    arg_name(bit));
		if (bit == ARG_SIZE)
			req->size = v;
		else if (bit == ARG_OLD)
			req->old_size = v;
		else
			req->new_size = v;
		break;
	case ARG_LIMIT:
		if (!parse_u64(a->value, 1, MAX_API_PAGE, &v))
			return reject(rej, 400, "limit must be an integer "
			    "from 1 to " XSTR(MAX_API_PAGE), "limit");
		req->limit = (size_t)v;
		break;
	default:
		return reject(rej, 400, "unknown query argument", NULL);
	}
	return TMON_OK;
}

static const char *
arg_name(unsigned int bit)
{
	size_t j;

	for (j = 0; j < sizeof(argnames) / sizeof(argnames[0]); j++)
		if (argnames[j].bit == bit)
			return argnames[j].name;
	return NULL;
}

/* Keep a printable copy of an unknown argument's name for the answer. */
static enum tmon_rc
reject_unknown(struct api_reject *rej, const struct api_arg *a)
{
	size_t i, n = 0;

	for (i = 0; a->key != NULL && i < a->key_len &&
	    n + 1 < sizeof(rej->name); i++)
		rej->name[n++] = ((unsigned char)a->key[i] >= 0x20 &&
		    (unsigned char)a->key[i] < 0x7f) ? a->key[i] : '?';
	rej->name[n] = '\0';
	return reject(rej, 400, "unknown query argument", rej->name);
}

static enum tmon_rc
parse_args(const struct api_arg *args, size_t nargs, unsigned int allowed,
    struct api_request *req, struct api_reject *rej)
{
	const struct api_arg *a;
	unsigned int seen = 0, bit;
	enum tmon_rc rc;
	size_t i, j;

	if (nargs > MAX_API_QUERY_ARGS)
		return reject(rej, 400, "too many query arguments", NULL);
	for (i = 0; i < nargs; i++) {
		a = &args[i];
		bit = 0;
		for (j = 0; j < sizeof(argnames) / sizeof(argnames[0]); j++) {
			if (a->key != NULL &&
			    a->key_len == strlen(argnames[j].name) &&
			    memcmp(a->key, argnames[j].name, a->key_len) == 0)
				bit = argnames[j].bit;
		}
		if (bit == 0 || (bit & allowed) == 0)
			return reject_unknown(rej, a);
		if (seen & bit)
			return reject(rej, 400, "query argument repeated",
			    arg_name(bit));
		seen |= bit;
		if (a->value == NULL || a->value_len == 0 ||
		    memchr(a->value, '\0', a->value_len) != NULL ||
		    a->value[a->value_len] != '\0')
			return reject(rej, 400, "empty or malformed value",
			    arg_name(bit));
		if ((rc = parse_arg(a, bit, req, rej)) != TMON_OK)
			return rc;
	}
	if (req->since != 0 && req->until != 0 && req->until < req->since)
		return reject(rej, 400, "until is before since", "until");
	if ((allowed & ARG_SEQ) && !(seen & ARG_SEQ))
		return reject(rej, 400, "seq is required", "seq");
	if ((allowed & ARG_OLD) && !(seen & ARG_OLD))
		return reject(rej, 400, "old is required", "old");
	if (req->size != 0 && req->seq >= req->size)
		return reject(rej, 400, "seq must be below the tree size",
		    "seq");
	if (req->new_size != 0 && req->old_size > req->new_size)
		return reject(rej, 400, "old must be at most new", "old");
	return TMON_OK;
}

enum tmon_rc
api_request_parse(const char *method, const char *path,
    const struct api_arg *args, size_t nargs, struct api_request *req,
    struct api_reject *rej)
{
	enum tmon_rc rc;
	unsigned int allowed = 0;

	memset(req, 0, sizeof(*req));
	memset(rej, 0, sizeof(*rej));
	req->before = UINT64_MAX;
	req->after = UINT64_MAX;
	req->limit = API_DEFAULT_LIMIT;
	if (method == NULL || path == NULL)
		return reject(rej, 400, "bad request", NULL);
	if ((rc = parse_path(path, req, rej)) != TMON_OK)
		return rc;
	if (req->route == API_ROUTE_RECEIPTS) {
		if (strcmp(method, "POST") != 0) {
			rej->allow = "POST";
			return reject(rej, 405, "method not allowed", NULL);
		}
		return parse_args(args, nargs, ARG_MODEL, req, rej);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		rej->allow = "GET, HEAD";
		return reject(rej, 405, "method not allowed", NULL);
	}
	switch (req->route) {
	case API_ROUTE_PROBES:
	case API_ROUTE_FAILURES:
		allowed = ARGS_LIST;
		break;
	case API_ROUTE_HISTORY:
		allowed = ARGS_HISTORY;
		break;
	case API_ROUTE_EVENTS:
		allowed = ARGS_EVENTS;
		break;
	case API_ROUTE_LOG_CHECKPOINTS:
		allowed = ARGS_CHECKPOINTS;
		break;
	case API_ROUTE_LOG_INCLUSION:
		allowed = ARGS_INCLUSION;
		break;
	case API_ROUTE_LOG_CONSISTENCY:
		allowed = ARGS_CONSISTENCY;
		break;
	case API_ROUTE_STATIC:
		return TMON_OK;
	default:
		break;
	}
	return parse_args(args, nargs, allowed, req, rej);
}

bool
api_media_type_json(const char *ct)
{
	static const char want[] = "application/json";

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, sizeof(want) - 1) != 0)
		return false;
	ct += sizeof(want) - 1;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}
