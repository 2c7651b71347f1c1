/*
 * tmon-replay: a loopback HTTP server that answers the upstream
 * attestation routes with recorded real responses, byte for byte, whatever
 * nonce is asked for (README "Quick start").
 *
 *	tmon-replay --dir DIR --listen 127.0.0.1:PORT [--index FILE]
 *	    [--stall-ms MS] [-v]
 *
 * DIR holds index.json (tests/data/replay/index.json is the reference and
 * documents the routes in its "readme" member) and the files it names.
 * Every index entry binds (path prefix, route, model) to a reply:
 *
 *   recorded   a captured body and its captured response headers
 *   truncated  a captured body cut after truncate_at bytes (synthetic)
 *   oversize   size bytes generated on the fly, chunked, no
 *              Content-Length (synthetic)
 *   fixed      a status and an inline body (synthetic, e.g. a 500)
 *   stall      nothing at all for stall_ms, then a captured body
 *              (synthetic; --stall-ms overrides every entry's value)
 *   echo       a JSON description of the request: method, whether an
 *              Authorization header came and its SHA-256, Content-Type,
 *              body length and SHA-256 (synthetic; for client tests)
 *
 * Routes (struct route_type below; the table is meant to grow, e.g. with
 * the Intel PCS routes):
 *
 *   GET {prefix}api/v1/tee/attestation?model=<m>&nonce=<64 hex>    NanoGPT
 *   GET {prefix}v1/attestation/report?model=<m>&nonce=<64 hex>
 *       [&signing_algo=ecdsa]              NEAR AI / Phala / RedPill direct
 *   GET {prefix}e2e/instances/<chute>                 Chutes instances
 *   GET {prefix}chutes/<chute>/evidence?nonce=<64 hex>  Chutes evidence
 *   GET|POST {prefix}tmon-test/echo                         echo (synthetic)
 *   GET {prefix}tdx/..., sgx/..., IntelSGXRootCA.der         Intel PCS v4
 *   GET {prefix}vcek/v1/<product>/<hwid>?...SPL=..           AMD KDS VCEK
 *   GET {prefix}vcek/v1/<product>/cert_chain            AMD KDS cert_chain
 *   GET {prefix}repos/<owner>/<name>/releases/latest    GitHub latest release
 *   GET {prefix}<owner>/<name>/releases/download/<tag>/<asset>
 *                                                       a release asset
 *   GET {prefix}repos/<owner>/<name>/attestations/sha256:<hex>
 *                                                       GitHub attestations
 *
 * Answers that are not recordings: an unknown model gets 404, a missing,
 * repeated or malformed nonce (not 64 hex digits) 400, a wrong method 405
 * with an Allow header, an unknown path 404; all with a JSON error body in
 * the OpenAI-style envelope {"error":{"message","type","param","code"}}
 * (tests/data/replay/PROVENANCE.md says where the shape comes from).
 *
 * Recorded response headers are replayed with their recorded names and
 * values, except the ones libmicrohttpd must compute or that are
 * hop-by-hop (RFC 9110 section 7.6.1): Content-Length, Transfer-Encoding,
 * Content-Encoding, Connection, Keep-Alive, Proxy-Connection, TE, Trailer
 * and Upgrade are dropped.  The recorded Date header is kept; libmicrohttpd
 * then adds no Date of its own.
 *
 * Robustness: libmicrohttpd runs one thread per connection (so a stalled
 * reply holds only its own connection) with a connection limit, an idle
 * timeout and a per-connection memory limit that bounds request lines and
 * headers; upload bodies (echo only) are capped.  The server only binds
 * loopback addresses.  SIGTERM and SIGINT stop it cleanly: stalled replies
 * give up, the daemon is stopped and everything is freed.
 *
 * Once listening it prints "tmon-replay: listening on http://ADDR:PORT" on
 * stdout (tests wait for this line); with port 0 the kernel picks a free
 * port and the line names it.  Exit status: 0 after a signal, 1 on a bad
 * index or a failure to start, 2 on a usage error.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "buf.h"
#include "encode.h"
#include "log.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/*
 * Bounds of this test tool.  The index and data files come from the
 * repository, but are bounded all the same; the request side is hostile.
 */
#define MAX_REPLAY_INDEX	(1024u * 1024)		/* index.json */
#define MAX_REPLAY_ENTRIES	256			/* entries in the index */
#define MAX_REPLAY_BODY		(16u * 1024 * 1024)	/* one body file */
#define MAX_REPLAY_HDRFILE	(64u * 1024)		/* one headers file */
#define MAX_REPLAY_HEADERS	64			/* headers per reply */
#define MAX_REPLAY_HDR_VALUE	(8u * 1024)		/* one header value */
#define MAX_REPLAY_OVERSIZE	(256ull * 1024 * 1024)	/* oversize body */
#define MAX_REPLAY_STALL_MS	600000			/* 10 minutes */
#define MAX_REPLAY_PATH		256			/* prefix, file path */
#define MAX_REPLAY_UPLOAD	(64u * 1024)		/* echo POST body */
#define MAX_REPLAY_CONNS	64			/* connections at once */
#define REPLAY_CONN_TIMEOUT_S	30			/* idle connection */
#define REPLAY_CONN_MEMORY	(32u * 1024)		/* request head */
#define NONCE_HEX_LEN		64
/* a selecting value: a model id, or an AMD KDS "<product>/<128 hex>" */
#define MAX_REPLAY_KEY		192

enum method_bits {
	M_GET = 1 << 0,		/* also HEAD */
	M_POST = 1 << 1
};

/* Which error envelope a route answers with (see PROVENANCE.md). */
enum err_style {
	ERR_NANOGPT,	/* {"error":{"message","type","code","param"}} */
	ERR_NEAR	/* {"error":{"message","type","param","code"}} */
};

struct route_type {
	const char	*name;		/* the index's "route" value */
	/* under the prefix, no leading '/'; a '*' stands for the selecting
	 * value (key_param names its index member), at least one byte */
	const char	*path;
	const char	*allow;		/* Allow header for a 405 */
	unsigned	 methods;	/* enum method_bits */
	const char	*key_param;	/* query parameter (and index member)
					   selecting the entry; NULL: none */
	bool		 nonce;		/* requires nonce=<64 hex> */
	bool		 signing_algo;	/* accepts signing_algo= */
	enum err_style	 errors;
};

static const struct route_type route_types[] = {
	{ "nanogpt_tee_attestation", "api/v1/tee/attestation", "GET, HEAD",
	    M_GET, "model", true, false, ERR_NANOGPT },
	{ "attestation_report", "v1/attestation/report", "GET, HEAD",
	    M_GET, "model", true, true, ERR_NEAR },
	/* the Chutes API, the chute id in the path (api.chutes.ai) */
	{ "chutes_e2e_instances", "e2e/instances/*", "GET, HEAD",
	    M_GET, "chute", false, false, ERR_NEAR },
	{ "chutes_evidence", "chutes/*/evidence", "GET, HEAD",
	    M_GET, "chute", true, false, ERR_NEAR },
	{ "tmon_echo", "tmon-test/echo", "GET, HEAD, POST",
	    M_GET | M_POST, NULL, false, false, ERR_NEAR },
	/* Intel PCS v4 (and PCCS) collateral, Intel "SGX and TDX PCS API" */
	{ "pcs_tdx_tcb", "tdx/certification/v4/tcb", "GET, HEAD",
	    M_GET, "fmspc", false, false, ERR_NEAR },
	{ "pcs_tdx_qe_identity", "tdx/certification/v4/qe/identity",
	    "GET, HEAD", M_GET, NULL, false, false, ERR_NEAR },
	{ "pcs_pckcrl", "sgx/certification/v4/pckcrl", "GET, HEAD",
	    M_GET, "ca", false, false, ERR_NEAR },
	{ "intel_root_ca_crl", "IntelSGXRootCA.der", "GET, HEAD",
	    M_GET, NULL, false, false, ERR_NEAR },
	/* NVIDIA NRAS v3 (nras.attestation.nvidia.com): the recorded
	 * answer whatever evidence is posted, and the JWKS */
	{ "nras_attest_gpu", "v3/attest/gpu", "POST", M_POST, NULL, false,
	    false, ERR_NEAR },
	{ "nras_jwks", ".well-known/jwks.json", "GET, HEAD", M_GET, NULL,
	    false, false, ERR_NEAR },
	/* AMD KDS, pub. 57230 chapter 4: the VCEK selected by
	 * "<product>/<hwid hex>" (its SPL query parameters are not matched),
	 * the cert_chain by product; the later entry wins for
	 * vcek/v1/<product>/cert_chain */
	{ "amd_kds_vcek", "vcek/v1/*", "GET, HEAD", M_GET, "vcek", false,
	    false, ERR_NEAR },
	{ "amd_kds_cert_chain", "vcek/v1/*/cert_chain", "GET, HEAD", M_GET,
	    "product", false, false, ERR_NEAR },
	/* GitHub (REST API 2022-11-28 and release downloads), as tmond's
	 * provenance look-ups ask (provenance_client.h): the latest
	 * release selected by "OWNER/NAME"; a release asset by
	 * "OWNER/NAME/releases/download/TAG/ASSET"; the attestations of a
	 * digest by "OWNER/NAME/attestations/sha256:HEX" */
	{ "github_release_latest", "repos/*/releases/latest", "GET, HEAD",
	    M_GET, "repo", false, false, ERR_NEAR },
	{ "github_release_asset", "*/releases/download/*", "GET, HEAD",
	    M_GET, "asset", false, false, ERR_NEAR },
	{ "github_attestations", "repos/*/attestations/*", "GET, HEAD",
	    M_GET, "attestations", false, false, ERR_NEAR },
};
#define NROUTE_TYPES (sizeof(route_types) / sizeof(route_types[0]))

enum reply_kind {
	REPLY_RECORDED,
	REPLY_TRUNCATED,
	REPLY_OVERSIZE,
	REPLY_FIXED,
	REPLY_STALL,
	REPLY_ECHO
};

static const char *const reply_names[] = {
	"recorded", "truncated", "oversize", "fixed", "stall", "echo"
};

struct hdr {
	char	*name;
	char	*value;
};

struct entry {
	char			*id;
	char			*prefix;	/* "/" or "/x/.../" */
	const struct route_type	*route;
	char			*key;		/* e.g. the model; NULL if none */
	enum reply_kind		 kind;
	bool			 synthetic;
	unsigned		 status;
	uint8_t			*body;		/* owned; persistent */
	size_t			 body_len;
	struct hdr		*hdrs;
	size_t			 nhdrs;
	uint64_t		 size;		/* REPLY_OVERSIZE */
	uint64_t		 stall_ms;	/* REPLY_STALL */
};

struct replay {
	struct entry	*entries;
	size_t		 nentries;
	int64_t		 stall_override;	/* -1: use the index */
};

/* Per-connection state, only for an echo POST that carries a body. */
struct conn_state {
	const struct entry	*entry;
	struct buf		 upload;
	bool			 too_big;
};

static atomic_bool stopping;

/* Headers libmicrohttpd computes itself, or that are hop-by-hop. */
static const char *const dropped_headers[] = {
	"Content-Length", "Transfer-Encoding", "Content-Encoding",
	"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
	"Upgrade"
};

static void
usage(void)
{
	fprintf(stderr, "usage: tmon-replay --dir DIR --listen "
	    "127.0.0.1:PORT [--index FILE] [--stall-ms MS] [-v]\n");
	exit(2);
}

/* ---- loading the index ------------------------------------------------ */

static bool
is_tchar(unsigned char c)
{
	/* RFC 9110 section 5.6.2 token characters. */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool
valid_header(const char *name, const char *value)
{
	const unsigned char *p;

	if (*name == '\0')
		return false;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (!is_tchar(*p))
			return false;
	if (strlen(value) > MAX_REPLAY_HDR_VALUE)
		return false;
	for (p = (const unsigned char *)value; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
	return true;
}

static bool
is_dropped_header(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(dropped_headers) / sizeof(dropped_headers[0]);
	    i++)
		if (strcasecmp(name, dropped_headers[i]) == 0)
			return true;
	return false;
}

/* A relative path below the data directory: no "..", no leading '/'. */
static bool
valid_rel_path(const char *p)
{
	const char *c;

	if (*p == '\0' || *p == '/' || strlen(p) > MAX_REPLAY_PATH)
		return false;
	for (c = p; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("._-/", *c) != NULL))
			return false;
	if (strcmp(p, "..") == 0 || strncmp(p, "../", 3) == 0 ||
	    strstr(p, "/../") != NULL ||
	    (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0) ||
	    strstr(p, "//") != NULL)
		return false;
	return true;
}

/* A path prefix: starts and ends with '/', no "..", no "//". */
static bool
valid_prefix(const char *p)
{
	size_t n = strlen(p);
	const char *c;

	if (n == 0 || n > MAX_REPLAY_PATH || p[0] != '/' || p[n - 1] != '/')
		return false;
	if (n == 1)
		return true;
	for (c = p; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("._-/", *c) != NULL))
			return false;
	return strstr(p, "//") == NULL && strstr(p, "/../") == NULL &&
	    strstr(p, "/./") == NULL;
}

static enum tmon_rc
load_file(const char *dir, const char *rel, size_t max, uint8_t **out,
    size_t *len, struct tmon_err *err)
{
	char path[4096];
	int n;

	if (!valid_rel_path(rel))
		return tmon_err_set(err, TMON_E_CONFIG,
		    "file name \"%s\" is not a plain relative path", rel);
	n = snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return tmon_err_set(err, TMON_E_CONFIG, "path too long: %s",
		    rel);
	return read_file(path, max, out, len, err);
}

static void
add_hdr(struct entry *e, const char *name, const char *value)
{
	e->hdrs = xreallocarray(e->hdrs, e->nhdrs + 1, sizeof(*e->hdrs));
	e->hdrs[e->nhdrs].name = xstrdup(name);
	e->hdrs[e->nhdrs].value = xstrdup(value);
	e->nhdrs++;
}

/*
 * Load recorded response headers.  Two shapes are accepted, both as teep
 * wrote them: {"Name": ["value", ...], ...} (the *_headers.json files) and
 * {"status": N, "headers": {"Name": ["value", ...]}, ...} (the
 * *_http_meta.json files; their status must equal the entry's).
 */
static enum tmon_rc
load_headers(const char *dir, const char *rel, struct entry *e,
    struct tmon_err *err)
{
	uint8_t *data = NULL;
	size_t len, i;
	json_t *root = NULL, *map, *st, *vals, *v;
	struct tjson_doc d = { .name = rel, .err = err, .code = TMON_E_CONFIG,
	    .lines = true };
	const char *name;
	enum tmon_rc rc;

	rc = load_file(dir, rel, MAX_REPLAY_HDRFILE, &data, &len, err);
	if (rc != TMON_OK)
		goto out;
	if ((rc = tjson_load(&d, data, len, MAX_REPLAY_HDRFILE, TJSON_OBJECT,
	    &root)) != TMON_OK)
		goto out;
	rc = TMON_E_CONFIG;
	map = root;
	if ((v = json_object_get(root, "headers")) != NULL) {
		if (!json_is_object(v)) {
			tmon_err_set(err, rc, "%s: headers: not an object",
			    rel);
			goto out;
		}
		map = v;
		st = json_object_get(root, "status");
		if (st != NULL && (!json_is_integer(st) ||
		    json_integer_value(st) != (json_int_t)e->status)) {
			tmon_err_set(err, rc, "%s: recorded status differs "
			    "from the index entry's %u", rel, e->status);
			goto out;
		}
	}
	json_object_foreach(map, name, vals) {
		if (json_is_string(vals)) {
			v = vals;
			vals = NULL;
		}
		for (i = 0; vals == NULL ? i < 1 : i < json_array_size(vals);
		    i++) {
			if (vals != NULL)
				v = json_array_get(vals, i);
			if (!json_is_string(v) ||
			    !valid_header(name, json_string_value(v))) {
				tmon_err_set(err, rc, "%s: header \"%s\": "
				    "bad name or value", rel, name);
				goto out;
			}
			if (is_dropped_header(name))
				continue;
			if (e->nhdrs >= MAX_REPLAY_HEADERS) {
				tmon_err_set(err, TMON_E_LIMIT, "%s: more "
				    "than %d headers", rel,
				    MAX_REPLAY_HEADERS);
				goto out;
			}
			add_hdr(e, name, json_string_value(v));
		}
		if (vals != NULL && !json_is_array(vals)) {
			tmon_err_set(err, rc, "%s: header \"%s\": not a "
			    "string or array", rel, name);
			goto out;
		}
	}
	rc = TMON_OK;
out:
	json_decref(root);
	free(data);
	return rc;
}

static bool
has_header(const struct entry *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nhdrs; i++)
		if (strcasecmp(e->hdrs[i].name, name) == 0)
			return true;
	return false;
}

static const struct route_type *
find_route_type(const char *name)
{
	size_t i;

	for (i = 0; i < NROUTE_TYPES; i++)
		if (strcmp(route_types[i].name, name) == 0)
			return &route_types[i];
	return NULL;
}

static bool
get_uint(json_t *o, const char *k, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(o, k);

	if (v == NULL)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

static const char *
get_str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static enum tmon_rc
load_entry(const char *dir, json_t *o, size_t idx, struct entry *e,
    struct tmon_err *err)
{
	static const char *const common[] = { "id", "prefix", "route",
	    "reply", "origin", "status", "body", "headers", "body_text",
	    "content_type", "truncate_at", "size", "stall_ms", "note" };
	const char *k, *s, *body, *headers, *text, *ctype, *origin;
	json_t *v;
	uint64_t u;
	size_t i;
	bool known;
	enum tmon_rc rc;

	memset(e, 0, sizeof(*e));
	if (!json_is_object(o))
		return tmon_err_set(err, TMON_E_CONFIG, "entries[%zu]: not "
		    "an object", idx);
	if ((s = get_str(o, "route")) == NULL ||
	    (e->route = find_route_type(s)) == NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "entries[%zu]: route "
		    "missing or unknown", idx);
	json_object_foreach(o, k, v) {
		known = e->route->key_param != NULL &&
		    strcmp(k, e->route->key_param) == 0;
		for (i = 0; !known && i < sizeof(common) / sizeof(common[0]);
		    i++)
			known = strcmp(k, common[i]) == 0;
		if (!known)
			return tmon_err_set(err, TMON_E_CONFIG,
			    "entries[%zu]: unknown member \"%s\"", idx, k);
		if (strcmp(k, "status") != 0 && strcmp(k, "truncate_at") != 0 &&
		    strcmp(k, "size") != 0 && strcmp(k, "stall_ms") != 0 &&
		    !json_is_string(v))
			return tmon_err_set(err, TMON_E_CONFIG,
			    "entries[%zu]: %s: not a string", idx, k);
	}
	if ((s = get_str(o, "id")) == NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "entries[%zu]: id "
		    "missing", idx);
	e->id = xstrdup(s);
	if ((s = get_str(o, "prefix")) == NULL || !valid_prefix(s))
		return tmon_err_set(err, TMON_E_CONFIG, "%s: prefix missing or "
		    "not of the form /a/b/", e->id);
	e->prefix = xstrdup(s);
	if (e->route->key_param != NULL) {
		s = get_str(o, e->route->key_param);
		if (s == NULL || *s == '\0' || strlen(s) > MAX_REPLAY_KEY)
			return tmon_err_set(err, TMON_E_CONFIG, "%s: %s "
			    "missing or too long", e->id, e->route->key_param);
		e->key = xstrdup(s);
	}
	if ((s = get_str(o, "reply")) == NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "%s: reply missing",
		    e->id);
	for (i = 0; i < sizeof(reply_names) / sizeof(reply_names[0]); i++)
		if (strcmp(s, reply_names[i]) == 0)
			break;
	if (i == sizeof(reply_names) / sizeof(reply_names[0]))
		return tmon_err_set(err, TMON_E_CONFIG, "%s: unknown reply "
		    "\"%s\"", e->id, s);
	e->kind = (enum reply_kind)i;
	origin = get_str(o, "origin");
	if (origin == NULL || (strcmp(origin, "recorded") != 0 &&
	    strcmp(origin, "synthetic") != 0))
		return tmon_err_set(err, TMON_E_CONFIG, "%s: origin must be "
		    "\"recorded\" or \"synthetic\"", e->id);
	e->synthetic = strcmp(origin, "synthetic") == 0;
	if (e->synthetic == (e->kind == REPLY_RECORDED))
		return tmon_err_set(err, TMON_E_CONFIG, "%s: reply \"recorded\""
		    " and only it has origin \"recorded\"", e->id);
	u = 200;
	if (!get_uint(o, "status", 599, &u) || u < 100)
		return tmon_err_set(err, TMON_E_CONFIG, "%s: bad status",
		    e->id);
	e->status = (unsigned)u;
	if (e->kind == REPLY_ECHO && e->route->key_param != NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "%s: echo replies "
		    "belong to routes without a %s", e->id,
		    "selecting parameter");

	body = get_str(o, "body");
	headers = get_str(o, "headers");
	text = get_str(o, "body_text");
	ctype = get_str(o, "content_type");
	if (body != NULL && text != NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "%s: body and "
		    "body_text are exclusive", e->id);
	switch (e->kind) {
	case REPLY_RECORDED:
	case REPLY_TRUNCATED:
	case REPLY_STALL:
		if (body == NULL)
			return tmon_err_set(err, TMON_E_CONFIG, "%s: body "
			    "file missing", e->id);
		break;
	case REPLY_FIXED:
		if (body == NULL && text == NULL)
			return tmon_err_set(err, TMON_E_CONFIG, "%s: body or "
			    "body_text missing", e->id);
		break;
	case REPLY_OVERSIZE:
	case REPLY_ECHO:
		if (body != NULL || text != NULL || headers != NULL)
			return tmon_err_set(err, TMON_E_CONFIG, "%s: this "
			    "reply takes no body or headers", e->id);
		break;
	}
	if (body != NULL) {
		rc = load_file(dir, body, MAX_REPLAY_BODY, &e->body,
		    &e->body_len, err);
		if (rc != TMON_OK)
			return rc;
	} else if (text != NULL) {
		e->body = (uint8_t *)xstrdup(text);
		e->body_len = strlen(text);
	}
	if (headers != NULL) {
		rc = load_headers(dir, headers, e, err);
		if (rc != TMON_OK)
			return rc;
	}
	if (ctype != NULL) {
		if (has_header(e, "Content-Type") ||
		    !valid_header("Content-Type", ctype))
			return tmon_err_set(err, TMON_E_CONFIG, "%s: "
			    "content_type bad or already recorded", e->id);
		add_hdr(e, "Content-Type", ctype);
	}
	if (e->kind != REPLY_ECHO && !has_header(e, "Content-Type"))
		return tmon_err_set(err, TMON_E_CONFIG, "%s: no Content-Type: "
		    "record one or set content_type", e->id);

	if (e->kind == REPLY_TRUNCATED) {
		u = 0;
		if (!get_uint(o, "truncate_at", SIZE_MAX, &u) || u == 0 ||
		    u >= e->body_len)
			return tmon_err_set(err, TMON_E_CONFIG, "%s: "
			    "truncate_at must be inside the body", e->id);
		e->body_len = (size_t)u;
	} else if (json_object_get(o, "truncate_at") != NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "%s: truncate_at is "
		    "for truncated replies", e->id);
	if (e->kind == REPLY_OVERSIZE) {
		if (!get_uint(o, "size", MAX_REPLAY_OVERSIZE, &e->size) ||
		    e->size == 0)
			return tmon_err_set(err, TMON_E_CONFIG, "%s: size "
			    "missing or above %llu", e->id,
			    (unsigned long long)MAX_REPLAY_OVERSIZE);
	} else if (json_object_get(o, "size") != NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "%s: size is for "
		    "oversize replies", e->id);
	if (e->kind == REPLY_STALL) {
		if (!get_uint(o, "stall_ms", MAX_REPLAY_STALL_MS,
		    &e->stall_ms) || json_object_get(o, "stall_ms") == NULL)
			return tmon_err_set(err, TMON_E_CONFIG, "%s: stall_ms "
			    "missing or above %d", e->id, MAX_REPLAY_STALL_MS);
	} else if (json_object_get(o, "stall_ms") != NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "%s: stall_ms is for "
		    "stall replies", e->id);
	return TMON_OK;
}

static void
free_entry(struct entry *e)
{
	size_t i;

	free(e->id);
	free(e->prefix);
	free(e->key);
	free(e->body);
	for (i = 0; i < e->nhdrs; i++) {
		free(e->hdrs[i].name);
		free(e->hdrs[i].value);
	}
	free(e->hdrs);
}

static void
replay_free(struct replay *r)
{
	size_t i;

	for (i = 0; i < r->nentries; i++)
		free_entry(&r->entries[i]);
	free(r->entries);
	r->entries = NULL;
	r->nentries = 0;
}

static enum tmon_rc
replay_load(struct replay *r, const char *dir, const char *index,
    struct tmon_err *err)
{
	uint8_t *data = NULL;
	size_t len, i, j, n;
	json_t *root = NULL, *entries, *v;
	struct tjson_doc d = { .name = index, .err = err,
	    .code = TMON_E_CONFIG, .lines = true };
	const char *k;
	struct entry *a, *b;
	enum tmon_rc rc;

	rc = read_file(index, MAX_REPLAY_INDEX, &data, &len, err);
	if (rc != TMON_OK)
		goto out;
	if ((rc = tjson_load(&d, data, len, MAX_REPLAY_INDEX, TJSON_OBJECT,
	    &root)) != TMON_OK)
		goto out;
	rc = TMON_E_CONFIG;
	json_object_foreach(root, k, v) {
		if (strcmp(k, "readme") != 0 && strcmp(k, "version") != 0 &&
		    strcmp(k, "entries") != 0) {
			tmon_err_set(err, rc, "%s: unknown member \"%s\"",
			    index, k);
			goto out;
		}
	}
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		tmon_err_set(err, rc, "%s: version must be 1", index);
		goto out;
	}
	entries = json_object_get(root, "entries");
	if (!json_is_array(entries) || json_array_size(entries) == 0 ||
	    json_array_size(entries) > MAX_REPLAY_ENTRIES) {
		tmon_err_set(err, rc, "%s: entries: 1 to %d entries expected",
		    index, MAX_REPLAY_ENTRIES);
		goto out;
	}
	n = json_array_size(entries);
	r->entries = xcalloc(n, sizeof(*r->entries));
	for (i = 0; i < n; i++) {
		r->nentries = i + 1;
		rc = load_entry(dir, json_array_get(entries, i), i,
		    &r->entries[i], err);
		if (rc != TMON_OK)
			goto out;
	}
	rc = TMON_E_CONFIG;
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			a = &r->entries[i];
			b = &r->entries[j];
			if (strcmp(a->id, b->id) == 0 ||
			    (strcmp(a->prefix, b->prefix) == 0 &&
			    a->route == b->route &&
			    (a->key == NULL ? b->key == NULL :
			    b->key != NULL && strcmp(a->key, b->key) == 0))) {
				tmon_err_set(err, rc, "%s: entries %s and %s "
				    "collide", index, a->id, b->id);
				goto out;
			}
		}
	}
	rc = TMON_OK;
out:
	if (rc != TMON_OK)
		replay_free(r);
	json_decref(root);
	free(data);
	return rc;
}

/* ---- answering requests ------------------------------------------------ */

static enum MHD_Result
queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (resp == NULL)
		return MHD_NO;
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Answer with a JSON body made here (an error or an echo). */
static enum MHD_Result
send_json(struct MHD_Connection *conn, unsigned status, json_t *j,
    const char *allow)
{
	struct MHD_Response *resp;
	char *s;
	enum MHD_Result ret;

	s = j == NULL ? NULL : json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(s), s,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(s);
		return MHD_NO;
	}
	if (MHD_add_response_header(resp, "Content-Type",
	    "application/json") != MHD_YES ||
	    (allow != NULL && MHD_add_response_header(resp,
	    MHD_HTTP_HEADER_ALLOW, allow) != MHD_YES)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * An error in the envelope the route's upstream uses.  The texts are our
 * own; only the shape follows the upstream (PROVENANCE.md).  param and
 * code may be NULL (JSON null).
 */
static enum MHD_Result
send_error(struct MHD_Connection *conn, const struct route_type *rt,
    unsigned status, const char *message, const char *type,
    const char *param, const char *code, const char *allow)
{
	json_t *j;

	if (rt != NULL && rt->errors == ERR_NANOGPT)
		j = json_pack("{s:{s:s,s:s,s:s?,s:s?}}", "error", "message",
		    message, "type", type, "code", code, "param", param);
	else
		j = json_pack("{s:{s:s,s:s,s:s?,s:s?}}", "error", "message",
		    message, "type", type, "param", param, "code", code);
	return send_json(conn, status, j, allow);
}

static bool
add_headers(struct MHD_Response *resp, const struct entry *e)
{
	size_t i;

	for (i = 0; i < e->nhdrs; i++)
		if (MHD_add_response_header(resp, e->hdrs[i].name,
		    e->hdrs[i].value) != MHD_YES)
			return false;
	return true;
}

static ssize_t
oversize_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	static const char head[] = "{\"tmon_replay_synthetic_oversize\":\"";
	const struct entry *e = cls;
	size_t n, i;

	if (pos >= e->size)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = e->size - pos < max ? (size_t)(e->size - pos) : max;
	for (i = 0; i < n; i++)
		out[i] = pos + i < sizeof(head) - 1 ? head[pos + i] :
		    (char)('a' + (pos + i) % 26);
	return (ssize_t)n;
}

/* Sleep ms milliseconds in small steps; false if the server is stopping. */
static bool
stall(uint64_t ms)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	uint64_t done;

	for (done = 0; done < ms; done += 50) {
		if (atomic_load(&stopping))
			return false;
		nanosleep(&ts, NULL);
	}
	return !atomic_load(&stopping);
}

static enum MHD_Result
send_entry(struct MHD_Connection *conn, const struct replay *r,
    const struct entry *e)
{
	struct MHD_Response *resp;
	uint64_t ms;

	if (e->kind == REPLY_STALL) {
		ms = r->stall_override >= 0 ? (uint64_t)r->stall_override :
		    e->stall_ms;
		if (!stall(ms))
			return MHD_NO;	/* shutting down: close */
	}
	switch (e->kind) {
	case REPLY_STALL:
	case REPLY_RECORDED:
	case REPLY_TRUNCATED:
	case REPLY_FIXED:
		resp = MHD_create_response_from_buffer(e->body_len, e->body,
		    MHD_RESPMEM_PERSISTENT);
		break;
	case REPLY_OVERSIZE:
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
		    64 * 1024, oversize_reader, (void *)(uintptr_t)e, NULL);
		break;
	case REPLY_ECHO:
	default:
		return MHD_NO;
	}
	if (resp == NULL)
		return MHD_NO;
	if (!add_headers(resp, e)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	return queue(conn, e->status, resp);
}

static json_t *
hex_sha256(const void *p, size_t n)
{
	uint8_t md[32];
	char hex[65];

	sha256(p, n, md);
	return json_string(hex_encode(md, sizeof(md), hex));
}

/* A client string, or JSON null if absent or not valid UTF-8. */
static json_t *
client_string(const char *s)
{
	return s == NULL ? json_null() : json_string(s);
}

static enum MHD_Result
send_echo(struct MHD_Connection *conn, const char *method,
    const uint8_t *body, size_t len)
{
	const char *auth, *ctype, *ua;
	const char *scheme = "absent";
	json_t *j, *ah;

	auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Authorization");
	ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Content-Type");
	ua = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
	if (auth != NULL)
		scheme = strncmp(auth, "Bearer ", 7) == 0 ? "bearer" : "other";
	/* Never echo the credential itself: only its hash. */
	ah = auth == NULL ? json_null() : hex_sha256(auth, strlen(auth));
	j = json_pack("{s:b,s:s,s:s,s:o,s:o,s:o,s:I,s:o}",
	    "tmon_replay_synthetic_echo", 1,
	    "method", method,
	    "authorization", scheme,
	    "authorization_sha256", ah,
	    "content_type", client_string(ctype),
	    "user_agent", client_string(ua),
	    "body_len", (json_int_t)len,
	    "body_sha256", hex_sha256(body == NULL ? "" : (const void *)body,
	    len));
	return send_json(conn, 200, j, NULL);
}

struct query {
	const char	*key_param;
	const char	*key;
	size_t		 nkey;
	const char	*nonce;
	size_t		 nnonce;
	const char	*algo;
	size_t		 nalgo;
	bool		 bad;		/* a value held a NUL byte */
};

static enum MHD_Result
query_iter(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct query *q = cls;

	(void)kind;
	if (strlen(key) != key_size ||
	    (value != NULL && strlen(value) != value_size)) {
		q->bad = true;
		return MHD_YES;
	}
	if (q->key_param != NULL && strcmp(key, q->key_param) == 0) {
		q->key = value;
		q->nkey++;
	} else if (strcmp(key, "nonce") == 0) {
		q->nonce = value;
		q->nnonce++;
	} else if (strcmp(key, "signing_algo") == 0) {
		q->algo = value;
		q->nalgo++;
	}
	return MHD_YES;
}

/*
 * Whether path s is pattern pat: each of at most two '*' in pat matches
 * one or more bytes, *key and *klen then say which part of s the stars
 * span (from the first star's bytes to the last's, the text between two
 * stars included).
 */
static bool
path_match(const char *pat, const char *s, const char **key, size_t *klen)
{
	const char *star = strchr(pat, '*'), *last, *m, *end;
	size_t h, t, mlen, n = strlen(s);

	if (star == NULL)
		return strcmp(pat, s) == 0;
	last = strchr(star + 1, '*');
	if (last == NULL)
		last = star;
	h = (size_t)(star - pat);
	t = strlen(last + 1);
	if (n < h + t + (last != star ? 2 : 1) || strncmp(s, pat, h) != 0 ||
	    strcmp(s + n - t, last + 1) != 0)
		return false;
	if (last != star) {
		/* the text between the stars, a byte on either side */
		mlen = (size_t)(last - star - 1);
		end = s + n - t;
		for (m = s + h + 1; m + mlen < end; m++)
			if (memcmp(m, star + 1, mlen) == 0)
				break;
		if (m + mlen >= end)
			return false;
	}
	*key = s + h;
	*klen = n - h - t;
	return true;
}

/*
 * Find the route for a request path: the entry prefix that matches
 * longest, followed by exactly a route type's path (*key, *klen: the
 * part of a '*' route's path that selects the entry; NULL otherwise).
 */
static const struct route_type *
match_route(const struct replay *r, const char *url, const char **prefix,
    const char **key, size_t *klen)
{
	const struct route_type *best = NULL;
	const char *k;
	size_t i, j, plen, bestlen = 0, kl;

	for (i = 0; i < r->nentries; i++) {
		plen = strlen(r->entries[i].prefix);
		if (plen <= bestlen && best != NULL)
			continue;
		if (strncmp(url, r->entries[i].prefix, plen) != 0)
			continue;
		for (j = 0; j < NROUTE_TYPES; j++) {
			k = NULL;
			kl = 0;
			if (path_match(route_types[j].path, url + plen, &k,
			    &kl)) {
				best = &route_types[j];
				bestlen = plen;
				*prefix = r->entries[i].prefix;
				*key = k;
				*klen = kl;
			}
		}
	}
	return best;
}

static const struct entry *
find_entry(const struct replay *r, const char *prefix,
    const struct route_type *rt, const char *key)
{
	size_t i;
	const struct entry *e;

	for (i = 0; i < r->nentries; i++) {
		e = &r->entries[i];
		if (e->route != rt || strcmp(e->prefix, prefix) != 0)
			continue;
		if (key == NULL ? e->key == NULL :
		    e->key != NULL && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

static enum MHD_Result
handle_get(struct MHD_Connection *conn, const struct replay *r,
    const char *method, const char *prefix, const struct route_type *rt,
    const char *pkey, size_t pklen)
{
	struct query q;
	const struct entry *e;
	char esc[128], kbuf[MAX_MODEL_ID * 3];

	memset(&q, 0, sizeof(q));
	q.key_param = pkey != NULL ? NULL : rt->key_param;
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, query_iter,
	    &q);
	if (q.bad)
		return send_error(conn, rt, 400, "query parameter with a NUL "
		    "byte", "invalid_request_error", NULL, NULL, NULL);
	if (rt->nonce) {
		if (q.nnonce != 1 || q.nonce == NULL ||
		    strlen(q.nonce) != NONCE_HEX_LEN ||
		    !is_hex_text(q.nonce, NONCE_HEX_LEN))
			return send_error(conn, rt, 400, "nonce must be given "
			    "once, as 64 hex digits (32 bytes)",
			    "invalid_request_error", "nonce", "invalid_nonce",
			    NULL);
	}
	if (rt->signing_algo && q.nalgo > 0 && (q.nalgo != 1 ||
	    q.algo == NULL || strcmp(q.algo, "ecdsa") != 0))
		return send_error(conn, rt, 400, "signing_algo: only ecdsa "
		    "responses are recorded", "invalid_request_error",
		    "signing_algo", NULL, NULL);
	if (pkey != NULL) {
		/* the selecting value is in the path */
		if (pklen >= sizeof(kbuf))
			return send_error(conn, rt, 404, "no such route",
			    "not_found_error", NULL, NULL, NULL);
		memcpy(kbuf, pkey, pklen);
		kbuf[pklen] = '\0';
		q.key = kbuf;
		q.nkey = 1;
	}
	if (rt->key_param != NULL && (q.nkey != 1 || q.key == NULL ||
	    *q.key == '\0'))
		return send_error(conn, rt, 400, strcmp(rt->key_param,
		    "model") == 0 ? "model must be given once" :
		    "the selecting query parameter must be given once",
		    "invalid_request_error", rt->key_param,
		    "missing_required_parameter", NULL);
	e = find_entry(r, prefix, rt, rt->key_param != NULL ? q.key : NULL);
	if (e == NULL && q.key == NULL)
		return send_error(conn, rt, 404, "no such route",
		    "not_found_error", NULL, NULL, NULL);
	if (e == NULL) {
		if (log_verbosity() > 0)
			log_info("no recording for %s",
			    log_esc(esc, sizeof(esc), q.key, strlen(q.key)));
		return send_error(conn, rt, 404, strcmp(rt->key_param,
		    "model") == 0 ? "model not found: tmon-replay holds no "
		    "recording for it" : "not found: tmon-replay holds no "
		    "recording for it",
		    rt->errors == ERR_NANOGPT ? "invalid_request_error" :
		    "not_found_error", rt->key_param, "model_not_found",
		    NULL);
	}
	if (e->kind == REPLY_ECHO)
		return send_echo(conn, method, NULL, 0);
	return send_entry(conn, r, e);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	const struct replay *r = cls;
	struct conn_state *st = *con_cls;
	const struct route_type *rt;
	const struct entry *e;
	const char *prefix = NULL, *pkey = NULL;
	size_t pklen = 0;
	char esc[128];
	bool get, post;

	(void)version;
	if (st != NULL) {
		/* A recorded POST answer: read the body, answer as recorded */
		if (st->entry->route->methods == M_POST) {
			if (*upload_size > 0) {
				*upload_size = 0;
				return MHD_YES;
			}
			return send_entry(conn, r, st->entry);
		}
		/* An echo POST: collect the body, then answer. */
		if (*upload_size > 0) {
			if (!st->too_big && !buf_append(&st->upload, upload,
			    *upload_size))
				st->too_big = true;
			*upload_size = 0;
			return MHD_YES;
		}
		if (st->too_big)
			return send_error(conn, st->entry->route, 413,
			    "request body too large", "invalid_request_error",
			    NULL, NULL, NULL);
		return send_echo(conn, "POST", st->upload.data,
		    st->upload.len);
	}
	if (log_verbosity() > 0)
		log_info("%s %s", method, log_esc(esc, sizeof(esc), url,
		    strlen(url)));
	rt = match_route(r, url, &prefix, &pkey, &pklen);
	if (rt == NULL)
		return send_error(conn, NULL, 404, "no such route",
		    "not_found_error", NULL, NULL, NULL);
	get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	if (!((get && (rt->methods & M_GET)) ||
	    (post && (rt->methods & M_POST))))
		return send_error(conn, rt, 405, "method not allowed",
		    "invalid_request_error", NULL, NULL, rt->allow);
	if (get)
		return handle_get(conn, r, method, prefix, rt, pkey, pklen);
	/* POST: echo routes, and recorded answers of POST-only routes */
	if ((e = find_entry(r, prefix, rt, NULL)) == NULL)
		return send_error(conn, rt, 404, "no such route",
		    "not_found_error", NULL, NULL, NULL);
	st = xcalloc(1, sizeof(*st));
	st->entry = e;
	buf_init(&st->upload, MAX_REPLAY_UPLOAD);
	*con_cls = st;
	return MHD_YES;
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn_state *st = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (st != NULL) {
		buf_free(&st->upload);
		free(st);
		*con_cls = NULL;
	}
}

/* ---- main ---------------------------------------------------------------- */

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "index", required_argument, NULL, 'i' },
		{ "listen", required_argument, NULL, 'l' },
		{ "stall-ms", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replay r;
	struct tmon_err err;
	struct sockaddr_in sin;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	const char *dir = NULL, *listen_s = NULL, *index = NULL;
	char index_buf[4096], addr[INET_ADDRSTRLEN];
	sigset_t set;
	uint64_t u;
	int ch, sig, verbose = 0, status = 1;

	tjson_init();
	memset(&r, 0, sizeof(r));
	r.stall_override = -1;
	tmon_err_clear(&err);
	while ((ch = getopt_long(argc, argv, "d:i:l:s:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'i':
			index = optarg;
			break;
		case 'l':
			listen_s = optarg;
			break;
		case 's':
			if (!parse_u64(optarg, 0, MAX_REPLAY_STALL_MS, &u))
				usage();
			r.stall_override = (int64_t)u;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || dir == NULL || listen_s == NULL)
		usage();
	if (!parse_loopback_listen(listen_s, &sin)) {
		fprintf(stderr, "tmon-replay: --listen wants "
		    "127.x.y.z:PORT\n");
		return 2;
	}
	log_init(verbose);
	if (index == NULL) {
		if ((size_t)snprintf(index_buf, sizeof(index_buf),
		    "%s/index.json", dir) >= sizeof(index_buf))
			usage();
		index = index_buf;
	}
	if (replay_load(&r, dir, index, &err) != TMON_OK) {
		log_warnx("tmon-replay: index: %s", err.msg);
		goto out;
	}

	/* Block the stop signals everywhere; main waits for them below. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		fatalx("pthread_sigmask failed");
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    (verbose > 1 ? MHD_USE_ERROR_LOG : 0), 0, NULL, NULL, access_cb, &r,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_REPLAY_CONNS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)REPLAY_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REPLAY_CONN_MEMORY,
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		log_warnx("tmon-replay: cannot listen on %s", listen_s);
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0) {
		log_warnx("tmon-replay: cannot learn the bound port");
		goto out;
	}
	inet_ntop(AF_INET, &sin.sin_addr, addr, sizeof(addr));
	printf("tmon-replay: listening on http://%s:%u\n", addr,
	    (unsigned)info->port);
	fflush(stdout);
	log_info("tmon-replay: %zu entries from %s", r.nentries, index);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			fatalx("sigwait failed");
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	log_info("tmon-replay: signal %d, stopping", sig);
	status = 0;
out:
	atomic_store(&stopping, true);
	if (d != NULL)
		MHD_stop_daemon(d);
	replay_free(&r);
	return status;
}
