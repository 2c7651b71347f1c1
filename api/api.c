/*
 * api.c: the read-only HTTP API and dashboard server (api.h).
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>

#include "api.h"
#include "api_badge.h"
#include "api_render.h"
#include "api_request.h"
#include "buf.h"
#include "encode.h"
#include "entry.h"
#include "log.h"
#include "metrics.h"
#include "note.h"
#include "pool.h"
#include "quota.h"
#include "store.h"
#include "tiles.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/*
 * One client connection (libmicrohttpd's socket context), from its
 * MHD_CONNECTION_NOTIFY_STARTED to its MHD_CONNECTION_NOTIFY_CLOSED, in
 * api->conns.  libmicrohttpd calls NOTIFY_CLOSED before it closes fd, so
 * fd is open while the entry is listed.  Fields under api->conn_mu.
 */
struct conn {
	TAILQ_ENTRY(conn)	 entry;
	MHD_socket		 fd;
	int64_t			 start_ms;	/* the current request began */
	bool			 receiving;	/* its headers or body are
						   still coming in */
	bool			 cut;		/* shut down at its deadline */
};

struct api {
	struct MHD_Daemon	*mhd;
	/* Read-only store handles: a request takes one and gives it back
	   (pool.h).  own_pool: opened by api_start, freed by api_free. */
	struct store_pool	*pool;
	bool			 own_pool;
	int			 dashfd;	/* -1: no dashboard */
	/* The configured models: written by api_set_models under the
	   write lock, read under the read lock (route_locked); models_gen
	   counts the replacements (a validator of an answer that lists
	   them must change with it, not only with the log). */
	pthread_rwlock_t	 models_lock;
	char			**model_ids;
	char			**providers;	/* entries may be NULL */
	size_t			 n_models;
	uint64_t		 models_gen;
	uint16_t		 port;
	struct sockaddr_storage	 addr;
	void			(*receipt_submit)(void *, const uint8_t *,
				    size_t, const char *, api_done_fn, void *);
	void			(*receipt_free)(void *);
	void			*receipt_arg;
	void			(*health)(void *, struct api_health *);
	void			*health_arg;
	char			*log_vkey;	/* NULL: none configured */
	/* POST /api/v1/receipts: who may submit (the SHA-256 of the
	   bearer token when has_token) and the quotas. */
	bool			 has_token;
	uint8_t			 token_sha256[32];
	struct quota		*quota;
	/* Submissions handed to receipt_submit whose done() has not
	   returned yet: api_stop waits for them before stopping MHD. */
	pthread_mutex_t		 pend_mu;
	pthread_cond_t		 pend_cv;
	size_t			 pending;
	bool			 stopping;	/* api_stop: no new ones */
	/* Slow clients (api.h): every open connection, and the sweeper
	   thread that shuts down those past their request deadline. */
	int64_t			 deadline_ms;
	pthread_mutex_t		 conn_mu;
	pthread_cond_t		 conn_cv;	/* CLOCK_MONOTONIC; stops the
						   sweeper */
	TAILQ_HEAD(, conn)	 conns;
	pthread_t		 sweeper;
	bool			 sweeper_running;
	bool			 sweeper_stop;
	/* The rate limit of log lines about client input (rl_log). */
	pthread_mutex_t		 rl_mu;
	int64_t			 rl_next_ms;	/* no line before this */
	unsigned long long	 rl_suppressed;	/* lines left out since */
	uint64_t		 time_scan;	/* api_config's, or the default */
	/* The render cache (api.h): first pages of the lists, by ETag. */
	pthread_mutex_t		 cache_mu;
	struct cache_slot {
		char		 etag[API_ETAG_LEN];	/* "" = empty */
		uint8_t		*body;
		size_t		 len;
		uint64_t	 used;			/* LRU clock */
	}			 cache[API_CACHE_SLOTS];
	uint64_t		 cache_clock;
};

/*
 * What the answer being built on this thread is validated by (api.h
 * "ETag"): route() sets it around a request's handler, and queue_answer
 * adds the ETag to a 200 answer and hands its body to the render cache.
 * libmicrohttpd runs each request's handler on one worker thread.
 */
struct answer_tag {
	struct api	*a;
	char		 etag[API_ETAG_LEN];
	bool		 cache;		/* a first page: keep its body */
};
static __thread struct answer_tag *cur_tag;

/* Marks a request that has its answer queued. */
static int answered;
/* Marks a request without a body, to be answered on the next call
 * (HTTP keep-alive, api.h). */
static int deferred;

/* A POST /api/v1/receipts: its body, then its answer. */
enum upload_state {
	UP_READING = 0,		/* the body is coming in */
	UP_WAITING,		/* suspended: the handler has the body */
	UP_DONE			/* the answer is in ans: resumed */
};

struct upload {
	enum upload_state	 state;
	struct api		*a;
	struct MHD_Connection	*c;
	struct api_answer	 ans;	/* UP_DONE */
	uint8_t		*body;
	size_t		 len;
	size_t		 cap;
	bool		 too_big;	/* over MAX_RECEIPT_BODY: dropping */
	size_t		 dropped;	/* bytes dropped since */
	bool		 has_model;
	char		 model[MAX_MODEL_ID];
	uint8_t		 qkey[QUOTA_KEY_LEN];	/* the client (quota.h) */
};

static const char json_ctype[] = "application/json; charset=utf-8";
static const char text_ctype[] = "text/plain; charset=utf-8";
static const char octet_ctype[] = "application/octet-stream";
static const char cache_immutable[] = "public, max-age=31536000, immutable";
static const char svg_ctype[] = "image/svg+xml; charset=utf-8";
static const char metrics_ctype[] = "text/plain; version=0.0.4; "
    "charset=utf-8";
static const char dash_csp[] = "default-src 'none'; script-src 'self'; "
    "style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/* The server's counters in the metrics registry (metrics.h). */
#define M_REJECTED	"tmon_http_requests_rejected_total"
#define M_REJECTED_HELP	"HTTP requests refused as malformed (by the HTTP " \
	"parser, or 400 from the API)."
#define M_DEADLINE	"tmon_http_connections_closed_deadline_total"
#define M_DEADLINE_HELP	"Connections closed because a request was not " \
	"complete by its deadline."
#define M_RECEIPTS	"tmon_receipts_total"
#define M_RECEIPTS_HELP	"Receipt submissions answered: accepted (logged), " \
	"rejected (4xx) or error (5xx, not logged)."
#define M_SUPPRESSED	"tmon_http_log_lines_suppressed_total"
#define M_SUPPRESSED_HELP "Log lines about rejected requests left out by " \
	"the log rate limit."

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- log lines about client input, rate-limited --- */

/*
 * Write a warning about something a client sent, unless one was written
 * less than API_LOG_INTERVAL_S ago: then only count it (GET /metrics);
 * the count goes out with the next line (or rl_flush).  Any thread.
 */
static void __attribute__((format(printf, 2, 3)))
rl_log(struct api *a, const char *fmt, ...)
{
	unsigned long long n;
	char line[256];
	int64_t now = mono_ms();
	va_list ap;

	pthread_mutex_lock(&a->rl_mu);
	if (now < a->rl_next_ms) {
		a->rl_suppressed++;
		pthread_mutex_unlock(&a->rl_mu);
		metrics_counter_add(M_SUPPRESSED, M_SUPPRESSED_HELP, NULL, 1);
		return;
	}
	n = a->rl_suppressed;
	a->rl_suppressed = 0;
	a->rl_next_ms = now + API_LOG_INTERVAL_S * 1000;
	pthread_mutex_unlock(&a->rl_mu);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		log_warnx("%s (and %llu similar lines suppressed before)",
		    line, n);
	else
		log_warnx("%s", line);
}

/*
 * Report the lines left out, once their interval is over (or whatever
 * the interval when force is set: the server is stopping).  Returns when
 * to call again (monotonic ms), INT64_MAX if nothing is left out.
 */
static int64_t
rl_flush(struct api *a, bool force)
{
	unsigned long long n = 0;
	int64_t now = mono_ms(), due = INT64_MAX;

	pthread_mutex_lock(&a->rl_mu);
	if (a->rl_suppressed > 0 && (force || now >= a->rl_next_ms)) {
		n = a->rl_suppressed;
		a->rl_suppressed = 0;
		a->rl_next_ms = now + API_LOG_INTERVAL_S * 1000;
	} else if (a->rl_suppressed > 0)
		due = a->rl_next_ms;
	pthread_mutex_unlock(&a->rl_mu);
	if (n > 0)
		log_warnx("api: %llu more lines about client requests "
		    "suppressed (see GET /metrics)", n);
	return due;
}

static void
add_header(struct MHD_Response *r, const char *h, const char *v)
{
	if (MHD_add_response_header(r, h, v) != MHD_YES)
		log_warnx("api: cannot add header %s", h);
}

/* --- ETag and the render cache (api.h) --- */

/* Keep a copy of a rendered first page under its ETag (any thread). */
static void
cache_put(struct api *a, const char *etag, const void *data, size_t len)
{
	struct cache_slot *slot = NULL;
	size_t i;

	if (len > MAX_API_CACHE_BODY)
		return;
	pthread_mutex_lock(&a->cache_mu);
	for (i = 0; i < API_CACHE_SLOTS; i++) {
		if (strcmp(a->cache[i].etag, etag) == 0) {
			/* rendered twice at once: keep the first */
			pthread_mutex_unlock(&a->cache_mu);
			return;
		}
		if (slot == NULL || a->cache[i].used < slot->used)
			slot = &a->cache[i];
	}
	free(slot->body);
	slot->body = xmalloc(len == 0 ? 1 : len);
	memcpy(slot->body, data, len);
	slot->len = len;
	snprintf(slot->etag, sizeof(slot->etag), "%s", etag);
	slot->used = ++a->cache_clock;
	pthread_mutex_unlock(&a->cache_mu);
}

/* A copy of the body cached under etag (caller frees), or NULL. */
static uint8_t *
cache_get(struct api *a, const char *etag, size_t *len)
{
	uint8_t *p = NULL;
	size_t i;

	pthread_mutex_lock(&a->cache_mu);
	for (i = 0; i < API_CACHE_SLOTS; i++)
		if (a->cache[i].etag[0] != '\0' &&
		    strcmp(a->cache[i].etag, etag) == 0) {
			*len = a->cache[i].len;
			p = xmalloc(*len == 0 ? 1 : *len);
			memcpy(p, a->cache[i].body, *len);
			a->cache[i].used = ++a->cache_clock;
			break;
		}
	pthread_mutex_unlock(&a->cache_mu);
	return p;
}

static void
cache_free(struct api *a)
{
	size_t i;

	for (i = 0; i < API_CACHE_SLOTS; i++)
		free(a->cache[i].body);
}

/*
 * True if the request's If-None-Match (RFC 9110 section 13.1.2) names
 * etag or is "*": the weak comparison, so W/ prefixes are ignored.
 */
static bool
etag_matches(struct MHD_Connection *c, const char *etag)
{
	const char *h, *p, *e;
	size_t n, want;

	if ((h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH)) == NULL)
		return false;
	if (strncmp(etag, "W/", 2) == 0)
		etag += 2;
	want = strlen(etag);
	for (p = h; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 1 && p[0] == '*')
			return true;
		if (n > 2 && strncmp(p, "W/", 2) == 0) {
			p += 2;
			n -= 2;
		}
		if (n == want && memcmp(p, etag, n) == 0)
			return true;
	}
	return false;
}

/* 304 Not Modified with the validator and the cache policy. */
static enum MHD_Result
send_not_modified(struct MHD_Connection *c, const char *etag,
    const char *cache)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	add_header(r, MHD_HTTP_HEADER_ETAG, etag);
	add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	ret = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Queue len bytes of data (malloc'd; ownership passes to MHD) with the
 * headers every answer carries.  cors: JSON readable by any page
 * (Access-Control-Allow-Origin: *).  allow: the Allow header of a 405.
 * hname/hval: one more header, or NULL; a 503 without one gets
 * Retry-After: API_RETRY_AFTER_S.
 */
static enum MHD_Result
queue_answer(struct MHD_Connection *c, unsigned int status, void *data,
    size_t len, const char *ctype, const char *cache, bool cors,
    const char *allow, const char *hname, const char *hval)
{
	struct MHD_Response *r;
	struct answer_tag *t = status == MHD_HTTP_OK ? cur_tag : NULL;
	enum MHD_Result ret;
	char retry[16];

	if (t != NULL && t->cache)
		cache_put(t->a, t->etag, data, len);
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(data);
		return MHD_NO;
	}
	add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	/* validated answers may be stored, but only used once revalidated */
	add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, t != NULL &&
	    strcmp(cache, "no-store") == 0 ? "no-cache" : cache);
	if (t != NULL)
		add_header(r, MHD_HTTP_HEADER_ETAG, t->etag);
	add_header(r, "X-Content-Type-Options", "nosniff");
	add_header(r, "Referrer-Policy", "no-referrer");
	if (strncmp(ctype, "text/html", 9) == 0) {
		add_header(r, "Content-Security-Policy", dash_csp);
		add_header(r, "X-Frame-Options", "DENY");
	} else if (strcmp(ctype, json_ctype) == 0) {
		if (cors)
			add_header(r, "Access-Control-Allow-Origin", "*");
		add_header(r, "Content-Security-Policy",
		    "default-src 'none'; frame-ancestors 'none'");
	} else if (strcmp(ctype, svg_ctype) == 0)
		add_header(r, "Content-Security-Policy", "default-src 'none'");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		add_header(r, MHD_HTTP_HEADER_ALLOW, allow != NULL ? allow :
		    "GET, HEAD");
	if (hname != NULL)
		add_header(r, hname, hval);
	else if (status == MHD_HTTP_SERVICE_UNAVAILABLE) {
		snprintf(retry, sizeof(retry), "%d", API_RETRY_AFTER_S);
		add_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Queue a public answer (JSON readable by any page); see queue_answer. */
static enum MHD_Result
send_bytes(struct MHD_Connection *c, unsigned int status, void *data,
    size_t len, const char *ctype, const char *cache, const char *allow)
{
	return queue_answer(c, status, data, len, ctype, cache, true, allow,
	    NULL, NULL);
}

/* Serialise root (stolen) and queue it; allow: see send_bytes. */
static enum MHD_Result
send_json_allow(struct MHD_Connection *c, unsigned int status, json_t *root,
    const char *allow)
{
	char *s;

	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (s == NULL)
		fatalx("api: out of memory serialising json");
	return send_bytes(c, status, s, strlen(s), json_ctype, "no-store",
	    allow);
}

static enum MHD_Result
send_json(struct MHD_Connection *c, unsigned int status, json_t *root)
{
	return send_json_allow(c, status, root, NULL);
}

static enum MHD_Result
send_error(struct MHD_Connection *c, unsigned int status, const char *error,
    const char *field)
{
	return send_json(c, status, api_render_error(error, field));
}

/*
 * Queue len bytes of data (malloc'd; ownership passes to MHD) that any
 * page may read (Access-Control-Allow-Origin: *) but that never run as a
 * page of this origin: blobs (upstream bytes) and the log's keys,
 * checkpoints, entries and tiles.  etag: an ETag header, or NULL.
 */
static enum MHD_Result
send_public(struct MHD_Connection *c, unsigned int status, void *data,
    size_t len, const char *ctype, const char *cache, const char *etag)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(data);
		return MHD_NO;
	}
	add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	add_header(r, "Content-Security-Policy", "default-src 'none'; "
	    "sandbox");
	add_header(r, "X-Content-Type-Options", "nosniff");
	add_header(r, "Referrer-Policy", "no-referrer");
	add_header(r, "Access-Control-Allow-Origin", "*");
	add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	if (etag != NULL)
		add_header(r, MHD_HTTP_HEADER_ETAG, etag);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * A store error: 500.  TMON_E_PARSE is a damaged entry or blob (a leaf
 * hash, a column or a blob hash that does not match the stored bytes,
 * store.h): it is never served, and the answer names it.
 */
static enum MHD_Result
send_store_error(struct MHD_Connection *c, const struct tmon_err *err)
{
	char esc[128], msg[300];
	const char *m = err->msg;

	log_warnx("api: store: %s", log_esc(esc, sizeof(esc), err->msg,
	    strlen(err->msg)));
	if (err->code != TMON_E_PARSE)
		return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error reading the log", NULL);
	if (strncmp(m, "store: ", 7) == 0)
		m += 7;
	snprintf(msg, sizeof(msg), "the log is damaged: %s", m);
	return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, msg, NULL);
}

/* --- GET /api/v1/models --- */

struct model_ctx {
	json_t		*obj;		/* the rendered model, or NULL */
	const char	*model;
	const char	*provider;
	bool		 configured;
};

static int
model_cb(const struct store_entry *e, void *arg)
{
	struct model_ctx *m = arg;

	m->obj = api_render_model(m->model != NULL ? m->model : e->model,
	    m->provider, m->configured, e);
	return 1;
}

struct extra_ctx {
	struct api	*a;
	json_t		*arr;
	size_t		 bytes;
	bool		 cut;
};

static int
extra_cb(const struct store_entry *e, void *arg)
{
	struct extra_ctx *x = arg;
	struct model_ctx m;
	size_t i;

	if (e->model == NULL)
		return 0;
	for (i = 0; i < x->a->n_models; i++)
		if (strcmp(x->a->model_ids[i], e->model) == 0)
			return 0;
	if (json_array_size(x->arr) >= MAX_MODELS ||
	    x->bytes + e->body_len > MAX_API_PAGE_BYTES) {
		x->cut = true;
		return 1;
	}
	memset(&m, 0, sizeof(m));
	model_cb(e, &m);
	if (json_array_append_new(x->arr, m.obj) != 0)
		fatalx("api: out of memory building json");
	x->bytes += e->body_len;
	return 0;
}

/*
 * Add to the rendered model (after model_state) what its newest probe
 * was against the model's state before it.  With events, that is the
 * class of the newest event when it is about the newest probe ("none"
 * otherwise) and the instances it counted: two index reads.  A model
 * without events (a log written before them) is compared here, from at
 * most MAX_STATE_SCAN of its probes (entry_state_load).
 */
static enum tmon_rc
model_change(struct store *st, json_t *obj, struct tmon_err *err)
{
	struct entry_state known;
	struct entry_change chg;
	const json_t *seq, *meas, *ev, *cf, *n;
	const char *model;
	enum tmon_rc rc;
	json_t *c;

	seq = json_object_get(obj, "last_probe_seq");
	model = json_string_value(json_object_get(obj, "model"));
	if (!json_is_integer(seq) || json_integer_value(seq) < 0 ||
	    model == NULL) {
		api_render_model_change(obj, NULL, 0);	/* never probed */
		return TMON_OK;
	}
	ev = json_object_get(obj, "last_event");
	if (json_is_object(ev)) {
		c = json_object();
		if (c == NULL)
			fatalx("api: out of memory building json");
		cf = json_object_get(ev, "changed_fields");
		if (json_equal(json_object_get(ev, "probe_seq"), seq) &&
		    json_is_string(json_object_get(ev, "class"))) {
			json_object_set(c, "class",
			    json_object_get(ev, "class"));
			json_object_set_new(c, "changed_fields",
			    json_is_array(cf) ? json_deep_copy(cf) :
			    json_array());
		} else {
			json_object_set_new(c, "class", json_string("none"));
			json_object_set_new(c, "changed_fields",
			    json_array());
		}
		n = json_object_get(ev, "instances");
		if (json_object_set_new(obj, "change", c) != 0 ||
		    json_object_set_new(obj, "instances", json_is_integer(n) ?
		    json_integer(json_integer_value(n)) : json_null()) != 0)
			fatalx("api: out of memory building json");
		return TMON_OK;
	}
	entry_state_init(&known);
	rc = entry_state_load(st, model, (uint64_t)json_integer_value(seq),
	    0, &known, NULL, err);
	if (rc != TMON_OK)
		return rc;
	meas = json_object_get(obj, "measurement");
	if (!json_is_object(meas))
		meas = NULL;
	entry_measurement_diff(&known, meas, &chg);
	entry_state_update(&known, meas);
	api_render_model_change(obj, &chg, known.n);
	entry_state_free(&known);
	return TMON_OK;
}

static int
daily_cb(const struct store_day *d, void *arg)
{
	json_t *row;

	row = json_pack("[I, I, I, I, I]", (json_int_t)d->day,
	    (json_int_t)d->pass, (json_int_t)d->warn, (json_int_t)d->fail,
	    (json_int_t)d->error);
	if (row == NULL || json_array_append_new(arg, row) != 0)
		fatalx("api: out of memory building json");
	return 0;
}

/*
 * Add to a rendered model what the writer keeps for it (store.h models
 * and daily): "daily" [[day, pass, warn, fail, error], ...] for the UTC
 * days (unix time / 86400) of the last API_DAILY_DAYS days that have
 * probes, oldest first; "last_pass_time" (null: never); "last_event"
 * (the newest event, as /api/v1/events renders it, or null).  Index
 * reads only.
 */
static enum tmon_rc
model_state(struct store *st, json_t *obj, struct tmon_err *err)
{
	struct store_model sm;
	struct store_entry e;
	const char *model;
	json_t *daily, *last_event = NULL;
	int64_t last_pass = -1, today;
	enum tmon_rc rc;
	bool found = false;

	model = json_string_value(json_object_get(obj, "model"));
	if ((daily = json_array()) == NULL)
		fatalx("api: out of memory building json");
	if (model != NULL &&
	    (rc = store_model_get(st, model, &sm, &found, err)) != TMON_OK)
		goto fail;
	if (found && sm.last_pass_seq != STORE_NO_SEQ) {
		if ((rc = store_entry_get(st, sm.last_pass_seq, &e, err)) !=
		    TMON_OK)
			goto fail;
		last_pass = e.time;
		store_entry_free(&e);
	}
	if (found && sm.last_event_seq != STORE_NO_SEQ) {
		if ((rc = store_entry_get(st, sm.last_event_seq, &e, err)) !=
		    TMON_OK)
			goto fail;
		last_event = api_render_event(&e);
		store_entry_free(&e);
	}
	today = (int64_t)time(NULL) / 86400;
	if (found && (rc = store_daily(st, model, today - (API_DAILY_DAYS - 1),
	    daily_cb, daily, err)) != TMON_OK)
		goto fail;
	if (json_object_set_new(obj, "daily", daily) != 0 ||
	    json_object_set_new(obj, "last_pass_time", last_pass >= 0 ?
	    json_integer(last_pass) : json_null()) != 0 ||
	    json_object_set_new(obj, "last_event", last_event != NULL ?
	    last_event : json_null()) != 0)
		fatalx("api: out of memory building json");
	return TMON_OK;
fail:
	json_decref(daily);
	json_decref(last_event);
	return rc;
}

static enum MHD_Result
do_models(struct api *a, struct store *st, struct MHD_Connection *c)
{
	struct tmon_err err = { 0 };
	struct store_query q;
	struct model_ctx m;
	struct extra_ctx x;
	json_t *root, *arr, *item;
	size_t i;

	arr = json_array();
	root = json_object();
	if (arr == NULL || root == NULL ||
	    json_object_set_new(root, "models", arr) != 0)
		fatalx("api: out of memory building json");
	for (i = 0; i < a->n_models; i++) {
		memset(&m, 0, sizeof(m));
		m.model = a->model_ids[i];
		m.provider = a->providers[i];
		m.configured = true;
		store_query_init(&q);
		q.kind = "probe";
		q.model = a->model_ids[i];
		q.limit = 1;
		q.newest_first = true;
		if (store_query(st, &q, model_cb, &m, &err) != TMON_OK) {
			json_decref(m.obj);
			json_decref(root);
			return send_store_error(c, &err);
		}
		if (m.obj == NULL)
			m.obj = api_render_model(m.model, m.provider, true,
			    NULL);
		if (json_array_append_new(arr, m.obj) != 0)
			fatalx("api: out of memory building json");
	}
	/* Models that are in the log but no longer configured. */
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.arr = json_array();
	if (x.arr == NULL)
		fatalx("api: out of memory building json");
	if (store_latest_per_model(st, "probe", extra_cb, &x, &err) !=
	    TMON_OK) {
		json_decref(x.arr);
		json_decref(root);
		return send_store_error(c, &err);
	}
	if (json_array_extend(arr, x.arr) != 0)
		fatalx("api: out of memory building json");
	json_decref(x.arr);
	json_array_foreach(arr, i, item) {
		if (model_state(st, item, &err) != TMON_OK ||
		    model_change(st, item, &err) != TMON_OK) {
			json_decref(root);
			return send_store_error(c, &err);
		}
	}
	if (json_object_set_new(root, "truncated", json_boolean(x.cut)) != 0)
		fatalx("api: out of memory building json");
	return send_json(c, MHD_HTTP_OK, root);
}

/* --- GET /api/v1/probes, /api/v1/failures --- */

/*
 * One page of a list answer: at most limit items and, past the first,
 * MAX_API_PAGE_BYTES of the stored bytes they show.  The list is asked
 * for one item more than the limit, which only tells that a page follows
 * (more); last is the key of the last item taken (the next page's
 * before/after).
 */
struct page {
	json_t		*arr;
	size_t		 limit;
	size_t		 bytes;
	uint64_t	 last;
	bool		 more;
	bool		 failures;	/* /failures: render failures */
	bool		 events;	/* /events: render events */
};

static void
page_init(struct page *p, size_t limit)
{
	memset(p, 0, sizeof(*p));
	p->limit = limit;
	if ((p->arr = json_array()) == NULL)
		fatalx("api: out of memory building json");
}

/* True, and the page marked as followed by more, when an item of bytes
 * stored bytes does not fit. */
static bool
page_full(struct page *p, size_t bytes)
{
	if (json_array_size(p->arr) >= p->limit ||
	    (json_array_size(p->arr) > 0 &&
	    p->bytes + bytes > MAX_API_PAGE_BYTES)) {
		p->more = true;
		return true;
	}
	return false;
}

static void
page_add(struct page *p, json_t *item, size_t bytes, uint64_t key)
{
	if (json_array_append_new(p->arr, item) != 0)
		fatalx("api: out of memory building json");
	p->bytes += bytes;
	p->last = key;
}

/* The answer {"<name>": [...], "<next>": key or null}. */
static enum MHD_Result
page_send(struct MHD_Connection *c, struct page *p, const char *name,
    const char *next)
{
	json_t *root;

	root = json_pack("{s:o, s:o}", name, p->arr, next, p->more ?
	    json_integer((json_int_t)p->last) : json_null());
	if (root == NULL)
		fatalx("api: out of memory building json");
	return send_json(c, MHD_HTTP_OK, root);
}

/*
 * Time bounds.  since= and until= are checked on each entry a list walks
 * in seq order, and entry times need not follow seqs, so the walk is
 * bounded by seqs instead: one answer looks at the a->time_scan seqs
 * below its start (before=, else the log's end) and no further.  Sets
 * q's after_seq (newest-first q) and returns in *lo the lowest seq
 * looked at, 0 when the walk reaches the start of the log or another
 * bound of q stops it first.
 */
static enum tmon_rc
time_window(const struct api *a, struct store *st, struct store_query *q,
    uint64_t *lo, struct tmon_err *err)
{
	uint64_t hi;
	enum tmon_rc rc;

	*lo = 0;
	if (q->since == 0 && q->until == 0)
		return TMON_OK;
	if (q->before_seq != UINT64_MAX)
		hi = q->before_seq;
	else if ((rc = store_tree_size(st, &hi, err)) != TMON_OK)
		return rc;
	if (hi <= a->time_scan)
		return TMON_OK;
	if (q->after_seq != UINT64_MAX && q->after_seq + 1 >= hi -
	    a->time_scan)
		return TMON_OK;
	*lo = hi - a->time_scan;
	q->after_seq = *lo - 1;
	return TMON_OK;
}

/* After a walk bounded by time_window: a page that is not full still has
 * a next one when seqs below lo were not looked at. */
static void
page_window(struct page *p, uint64_t lo)
{
	if (!p->more && lo > 0) {
		p->more = true;
		p->last = lo;
	}
}

static int
page_cb(const struct store_entry *e, void *arg)
{
	struct page *p = arg;

	if (page_full(p, e->body_len))
		return 1;
	page_add(p, p->events ? api_render_event(e) : p->failures ?
	    api_render_failure(e) : api_render_probe(e), e->body_len, e->seq);
	return 0;
}

static enum MHD_Result
do_list(const struct api *a, struct store *st, struct MHD_Connection *c,
    const struct api_request *r)
{
	struct tmon_err err = { 0 };
	struct store_query q;
	struct page p;
	uint64_t lo;
	bool failures = r->route == API_ROUTE_FAILURES;

	page_init(&p, r->limit);
	p.failures = failures;
	store_query_init(&q);
	q.kind = "probe";
	q.model = r->has_model ? r->model : NULL;
	q.verdict = r->verdict;
	if (failures && r->verdict == NULL) {
		q.verdict = "fail";
		q.verdict_alt = "error";
	}
	q.since = r->since;
	q.until = r->until;
	q.before_seq = r->before;
	q.limit = r->limit + 1;		/* one more tells if a page follows */
	q.newest_first = true;
	if (time_window(a, st, &q, &lo, &err) != TMON_OK ||
	    store_query(st, &q, page_cb, &p, &err) != TMON_OK) {
		json_decref(p.arr);
		return send_store_error(c, &err);
	}
	page_window(&p, lo);
	return page_send(c, &p, failures ? "failures" : "probes",
	    "next_before");
}

/* --- GET /api/v1/events --- */

static enum MHD_Result
do_events(const struct api *a, struct store *st, struct MHD_Connection *c,
    const struct api_request *r)
{
	struct tmon_err err = { 0 };
	struct store_query q;
	struct page p;
	uint64_t lo;

	page_init(&p, r->limit);
	p.events = true;
	store_query_init(&q);
	q.kind = "event";
	q.model = r->has_model ? r->model : NULL;
	q.cls = r->cls;
	q.since = r->since;
	q.until = r->until;
	q.before_seq = r->before;
	q.limit = r->limit + 1;		/* one more tells if a page follows */
	q.newest_first = true;
	if (time_window(a, st, &q, &lo, &err) != TMON_OK ||
	    store_query(st, &q, page_cb, &p, &err) != TMON_OK) {
		json_decref(p.arr);
		return send_store_error(c, &err);
	}
	page_window(&p, lo);
	return page_send(c, &p, "events", "next_before");
}

/* --- GET /api/v1/models/{model}/history --- */

struct hist_ctx {
	json_t			*arr;
	size_t			 limit;
	size_t			 scanned;
	size_t			 bytes;
	bool			 have_prev;
	char			 prev_verdict[8];	/* "" if none */
	struct entry_state	 known;		/* the model's instances */
	uint64_t		 last_seq;
	uint64_t		 next_after;
	bool			 more;
};

static int
hist_cb(const struct store_entry *e, void *arg)
{
	struct hist_ctx *h = arg;
	struct entry_change chg;
	json_t *body, *meas;
	bool changed;

	if (h->scanned >= MAX_API_HISTORY_SCAN ||
	    (h->scanned > 0 && h->bytes + e->body_len > MAX_API_PAGE_BYTES)) {
		h->more = true;
		h->next_after = h->last_seq;
		return 1;
	}
	h->scanned++;
	h->bytes += e->body_len;
	h->last_seq = e->seq;
	body = entry_parse(e);
	meas = entry_measurement(body);
	entry_measurement_diff(&h->known, meas, &chg);
	entry_state_update(&h->known, meas);
	changed = !h->have_prev || chg.cls != ENTRY_CHANGE_NONE ||
	    strcmp(h->prev_verdict, e->verdict != NULL ? e->verdict : "") != 0;
	if (changed && json_array_append_new(h->arr, api_render_change(e, meas,
	    h->have_prev, h->prev_verdict, &chg)) != 0)
		fatalx("api: out of memory building json");
	snprintf(h->prev_verdict, sizeof(h->prev_verdict), "%s",
	    e->verdict != NULL ? e->verdict : "");
	h->have_prev = true;
	json_decref(meas);
	json_decref(body);
	if (changed && json_array_size(h->arr) >= h->limit) {
		h->more = true;
		h->next_after = e->seq;
		return 1;
	}
	return 0;
}

/* One page of a model's events, newest first, each with the members of
 * the old history; the probe's whole measurement is its entry's
 * (probe_seq), never read here. */
struct hev_ctx {
	struct page	 p;
};

static int
hev_cb(const struct store_entry *e, void *arg)
{
	struct hev_ctx *h = arg;
	json_t *ev;

	if (page_full(&h->p, e->body_len))
		return 1;
	ev = api_render_event(e);
	api_render_event_compat(ev);
	page_add(&h->p, ev, e->body_len, e->seq);
	return 0;
}

static enum MHD_Result
history_events(const struct api *a, struct store *st,
    struct MHD_Connection *c, const struct api_request *r)
{
	struct tmon_err err = { 0 };
	struct store_query q;
	struct hev_ctx h;
	json_t *root;
	uint64_t lo;

	memset(&h, 0, sizeof(h));
	page_init(&h.p, r->limit);
	store_query_init(&q);
	q.kind = "event";
	q.model = r->model;
	q.since = r->since;
	q.until = r->until;
	q.before_seq = r->before;
	q.after_seq = r->after;
	q.limit = r->limit + 1;
	q.newest_first = true;
	if (time_window(a, st, &q, &lo, &err) != TMON_OK ||
	    store_query(st, &q, hev_cb, &h, &err) != TMON_OK) {
		json_decref(h.p.arr);
		return send_store_error(c, &err);
	}
	page_window(&h.p, lo);
	root = json_pack("{s:s, s:o, s:o}", "model", r->model, "changes",
	    h.p.arr, "next_before", h.p.more ?
	    json_integer((json_int_t)h.p.last) : json_null());
	if (root == NULL)
		fatalx("api: out of memory building json");
	return send_json(c, MHD_HTTP_OK, root);
}

static int
exists_cb(const struct store_entry *e, void *arg)
{
	(void)e;
	*(bool *)arg = true;
	return 1;
}

static enum MHD_Result
do_history(struct api *a, struct store *st, struct MHD_Connection *c,
    const struct api_request *r)
{
	struct tmon_err err = { 0 };
	struct store_query q;
	struct hist_ctx h;
	struct entry_last last;
	struct store_model sm;
	json_t *root = NULL;
	bool known = false, found = false;
	size_t i;

	for (i = 0; i < a->n_models; i++)
		if (strcmp(a->model_ids[i], r->model) == 0)
			known = true;
	store_query_init(&q);
	q.kind = "probe";
	q.model = r->model;
	q.limit = 1;
	if (!known && store_query(st, &q, exists_cb, &known, &err) !=
	    TMON_OK)
		return send_store_error(c, &err);
	if (!known)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such model",
		    "model");

	if (store_model_get(st, r->model, &sm, &found, &err) != TMON_OK)
		return send_store_error(c, &err);
	if (found && sm.last_event_seq != STORE_NO_SEQ)
		return history_events(a, st, c, r);
	/* A log written before events: the changes from its probes. */
	memset(&h, 0, sizeof(h));
	h.limit = r->limit;
	if ((h.arr = json_array()) == NULL)
		fatalx("api: out of memory building json");
	/* Baseline: the model's state before the range, if it has one. */
	if (r->after != UINT64_MAX || r->since > 1) {
		if (entry_state_load(st, r->model, r->after != UINT64_MAX ?
		    r->after + 1 : UINT64_MAX, r->since > 1 ? r->since - 1 : 0,
		    &h.known, &last, &err) != TMON_OK)
			goto fail;
		h.have_prev = last.have;
		snprintf(h.prev_verdict, sizeof(h.prev_verdict), "%s",
		    last.verdict);
	}
	store_query_init(&q);
	q.kind = "probe";
	q.model = r->model;
	q.since = r->since;
	q.until = r->until;
	q.after_seq = r->after;
	if (store_query(st, &q, hist_cb, &h, &err) != TMON_OK)
		goto fail;
	root = json_pack("{s:s, s:o, s:o}", "model", r->model, "changes",
	    h.arr, "next_after", h.more ?
	    json_integer((json_int_t)h.next_after) : json_null());
	if (root == NULL)
		fatalx("api: out of memory building json");
	entry_state_free(&h.known);
	return send_json(c, MHD_HTTP_OK, root);
fail:
	entry_state_free(&h.known);
	json_decref(h.arr);
	return send_store_error(c, &err);
}

/* --- GET /api/v1/entries/{seq} --- */

static enum MHD_Result
do_entry(struct store *st, struct MHD_Connection *c, uint64_t seq)
{
	struct tmon_err err = { 0 };
	struct store_entry e, prev;
	uint8_t prev_chain[32];
	enum tmon_rc rc;
	json_t *root;

	memset(prev_chain, 0, sizeof(prev_chain));
	rc = store_entry_get(st, seq, &e, &err);
	if (rc == TMON_E_NOTFOUND)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such entry",
		    "seq");
	if (rc != TMON_OK)
		return send_store_error(c, &err);
	if (seq > 0) {
		if (store_entry_get(st, seq - 1, &prev, &err) != TMON_OK) {
			store_entry_free(&e);
			if (err.code == TMON_E_NOTFOUND)
				tmon_err_set(&err, TMON_E_PARSE, "store: entry "
				    "before %llu is missing",
				    (unsigned long long)seq);
			return send_store_error(c, &err);
		}
		memcpy(prev_chain, prev.chain, 32);
		store_entry_free(&prev);
	}
	root = api_render_entry(&e, prev_chain);
	store_entry_free(&e);
	return send_json(c, MHD_HTTP_OK, root);
}

/* --- GET /api/v1/blobs/{sha256} --- */

static enum MHD_Result
do_blob(struct store *st, struct MHD_Connection *c, const uint8_t key[32])
{
	struct tmon_err err = { 0 };
	enum MHD_Result ret;
	enum tmon_rc rc;
	uint8_t *data = NULL;
	char *mt = NULL, etag[67], hex[65];
	size_t len = 0;

	rc = store_blob_get(st, key, &data, &len, &mt, &err);
	if (rc == TMON_E_NOTFOUND)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such blob",
		    "sha256");
	if (rc != TMON_OK)
		return send_store_error(c, &err);
	snprintf(etag, sizeof(etag), "\"%s\"", hex_encode(key, 32, hex));
	/* Upstream bytes: never let them run as a page of this origin. */
	ret = send_public(c, MHD_HTTP_OK, data, len,
	    store_media_type_valid(mt) ? mt : octet_ctype, cache_immutable,
	    etag);
	free(mt);
	return ret;
}

/* --- GET /, /{file} --- */

static const char *
file_type(const char *name)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot != NULL)
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static enum MHD_Result
do_static(struct api *a, struct MHD_Connection *c, const char *name)
{
	struct tmon_err ferr;
	uint8_t *data = NULL;
	size_t len;

	if (a->dashfd == -1)
		return send_error(c, MHD_HTTP_NOT_FOUND, "not found", NULL);
	/* name matched [A-Za-z0-9_-][A-Za-z0-9._-]* (api_request.c); a
	 * symlink, directory, FIFO or oversize file is "not found". */
	tmon_err_clear(&ferr);
	if (read_file_at(a->dashfd, name, O_NOFOLLOW, MAX_DASHBOARD_FILE,
	    &data, &len, &ferr) != TMON_OK)
		return send_error(c, MHD_HTTP_NOT_FOUND, "not found", NULL);
	return send_bytes(c, MHD_HTTP_OK, data, len, file_type(name),
	    "no-cache", NULL);
}

/* --- query arguments --- */

struct args_ctx {
	struct api_arg	args[MAX_API_QUERY_ARGS];
	size_t		n;
	bool		overflow;
};

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct args_ctx *x = cls;

	(void)kind;
	if (x->n >= MAX_API_QUERY_ARGS) {
		x->overflow = true;
		return MHD_NO;
	}
	x->args[x->n].key = key;
	x->args[x->n].key_len = key_size;
	x->args[x->n].value = value;
	x->args[x->n].value_len = value != NULL ? value_size : 0;
	x->n++;
	return MHD_YES;
}

/* --- GET /api/v1/receipts/{seq} --- */

static enum MHD_Result
do_receipt(struct store *st, struct MHD_Connection *c, uint64_t seq)
{
	struct tmon_err err = { 0 };
	struct store_entry e;
	enum tmon_rc rc;
	json_t *root;

	rc = store_entry_get(st, seq, &e, &err);
	if (rc == TMON_E_NOTFOUND)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such receipt",
		    "seq");
	if (rc != TMON_OK)
		return send_store_error(c, &err);
	if (strcmp(e.kind, "receipt") != 0) {
		store_entry_free(&e);
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such receipt "
		    "(that entry is not a receipt)", "seq");
	}
	root = api_render_receipt(&e);
	store_entry_free(&e);
	return send_json(c, MHD_HTTP_OK, root);
}

static enum MHD_Result	send_tree_damaged(struct MHD_Connection *,
			    const char *);
static bool		prove_checked(struct store *, struct MHD_Connection *,
			    uint64_t, uint64_t, const struct store_checkpoint *,
			    const uint8_t [32], uint8_t [32], uint8_t [][32],
			    size_t *, enum MHD_Result *);

/*
 * GET /api/v1/receipts/{seq}/proof: a C2SP tlog-proof (c2sp.org/
 * tlog-proof@v1) of the receipt in the latest checkpoint, with its
 * cosignatures, for the submitter to keep and check offline (tmonctl
 * verify-proof).  The proof is checked against the checkpoint's root
 * before it is sent.
 */
static enum MHD_Result
do_receipt_proof(struct store *st, struct MHD_Connection *c, uint64_t seq)
{
	struct tmon_err err = { 0 };
	struct store_entry e;
	struct store_checkpoint cp;
	struct buf out;
	enum MHD_Result ret;
	uint8_t proof[TLOG_MAX_PROOF][32], root[32], *note = NULL, *text;
	size_t n = 0, note_len, len;
	enum tmon_rc rc;
	bool ok;

	memset(&cp, 0, sizeof(cp));
	rc = store_entry_get(st, seq, &e, &err);
	if (rc == TMON_E_NOTFOUND)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such receipt",
		    "seq");
	if (rc != TMON_OK)
		return send_store_error(c, &err);
	rc = strcmp(e.kind, "receipt") == 0 ? TMON_OK : TMON_E_NOTFOUND;
	if (rc != TMON_OK) {
		store_entry_free(&e);
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such receipt "
		    "(that entry is not a receipt)", "seq");
	}
	rc = tiles_checkpoint(st, &cp, &note, &note_len, &err);
	if (rc == TMON_OK && cp.size <= seq)
		rc = TMON_E_NOTFOUND;
	if (rc == TMON_E_NOTFOUND) {
		store_entry_free(&e);
		store_checkpoint_free(&cp);
		free(note);
		return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no signed "
		    "checkpoint covers this receipt yet: retry after "
		    "Retry-After seconds", "seq");
	}
	if (rc != TMON_OK) {
		store_entry_free(&e);
		store_checkpoint_free(&cp);
		free(note);
		return send_store_error(c, &err);
	}
	/* the entry's own leaf (checked against its bytes on read) */
	ok = prove_checked(st, c, seq, cp.size, &cp, e.leaf, root, proof, &n,
	    &ret);
	store_entry_free(&e);
	store_checkpoint_free(&cp);
	if (!ok) {
		free(note);
		return ret;
	}
	buf_init(&out, MAX_TLOG_PROOF_LEN);
	rc = note_proof_format(NULL, 0, seq, (const uint8_t (*)[32])proof,
	    n, note, note_len, &out, &err);
	free(note);
	if (rc != TMON_OK) {
		buf_free(&out);
		return send_tree_damaged(c, err.msg);
	}
	text = buf_release(&out, &len);
	return send_public(c, MHD_HTTP_OK, text, len, text_ctype,
	    "no-cache", NULL);
}

/* --- POST /api/v1/receipts --- */

/*
 * Queue an answer of POST /api/v1/receipts (json malloc'd; ownership
 * passes to MHD) with one optional extra header.  Like send_bytes for
 * JSON but without Access-Control-Allow-Origin: no page of another
 * origin gets to read what a submission was answered.
 */
static enum MHD_Result
send_upload(struct MHD_Connection *c, unsigned int status, char *json,
    size_t len, const char *hname, const char *hval)
{
	metrics_counter_add(M_RECEIPTS, M_RECEIPTS_HELP, status < 300 ?
	    "result=\"accepted\"" : status < 500 ? "result=\"rejected\"" :
	    "result=\"error\"", 1);
	return queue_answer(c, status, json, len, json_ctype, "no-store",
	    false, NULL, hname, hval);
}

/* {"error": error, "field": field} through send_upload. */
static enum MHD_Result
upload_error(struct MHD_Connection *c, unsigned int status,
    const char *error, const char *field, const char *hname,
    const char *hval)
{
	json_t *root;
	char *s;

	root = api_render_error(error, field);
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (s == NULL)
		fatalx("api: out of memory serialising json");
	return send_upload(c, status, s, strlen(s), hname, hval);
}

static int64_t
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/*
 * Does the request carry "Authorization: Bearer <the token>" (RFC 6750
 * section 2.1; the scheme name is case-insensitive, RFC 9110 section
 * 11.1)?  The SHA-256 of what it carries is compared with the token's in
 * constant time.
 */
static bool
bearer_ok(const struct api *a, struct MHD_Connection *c)
{
	const char *h;
	uint8_t md[32];
	size_t n;

	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	for (h += 7; *h == ' '; h++)
		;
	n = strnlen(h, MAX_BEARER_TOKEN + 1);
	if (n == 0 || n > MAX_BEARER_TOKEN)
		return false;
	sha256(h, n, md);
	return CRYPTO_memcmp(md, a->token_sha256, sizeof(md)) == 0;
}

/* 429 with Retry-After: retry_after seconds. */
static enum MHD_Result
send_quota_spent(struct MHD_Connection *c, uint32_t retry_after)
{
	char ra[16];

	snprintf(ra, sizeof(ra), "%u", (unsigned)retry_after);
	return upload_error(c, MHD_HTTP_TOO_MANY_REQUESTS, "too many "
	    "receipts from this address, or from everyone: retry after the "
	    "number of seconds in Retry-After", NULL,
	    MHD_HTTP_HEADER_RETRY_AFTER, ra);
}

/*
 * The receipt handler's answer (any thread, exactly once per submission,
 * possibly before receipt_submit returns): keep it and resume the
 * connection, whose worker then queues it (answer_upload).  u may be
 * freed by that worker as soon as the connection is resumed.
 */
static void
submit_done(void *arg, struct api_answer *ans)
{
	struct upload *u = arg;
	struct api *a = u->a;

	u->ans = *ans;
	u->state = UP_DONE;
	MHD_resume_connection(u->c);
	pthread_mutex_lock(&a->pend_mu);
	if (--a->pending == 0)
		pthread_cond_broadcast(&a->pend_cv);
	pthread_mutex_unlock(&a->pend_mu);
}

/*
 * The whole body is in: charge it to the quotas (429 when it does not
 * fit), suspend the connection (its worker thread goes on serving other
 * connections) and hand the body to the receipt handler, which answers
 * through submit_done once the receipt is durably logged.  The body
 * stays ours and alive until then.
 */
static enum MHD_Result
submit(struct api *a, struct MHD_Connection *c, struct upload *u,
    void **con_cls)
{
	uint32_t retry;
	bool stopping;

	if (!quota_take(a->quota, u->qkey, u->len, mono_s(), &retry)) {
		*con_cls = &answered;
		free(u->body);
		free(u);
		return send_quota_spent(c, retry);
	}
	pthread_mutex_lock(&a->pend_mu);
	stopping = a->stopping;
	if (!stopping)
		a->pending++;
	pthread_mutex_unlock(&a->pend_mu);
	if (stopping) {
		*con_cls = &answered;
		free(u->body);
		free(u);
		return upload_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "the server is stopping; retry later", NULL, NULL, NULL);
	}
	u->a = a;
	u->c = c;
	u->state = UP_WAITING;
	MHD_suspend_connection(c);
	a->receipt_submit(a->receipt_arg, u->body != NULL ? u->body :
	    (const uint8_t *)"", u->len, u->has_model ? u->model : NULL,
	    submit_done, u);
	return MHD_YES;
}

/* Resumed with the answer: queue it. */
static enum MHD_Result
answer_upload(struct MHD_Connection *c, struct upload *u)
{
	struct api_answer *ans = &u->ans;

	if (ans->json == NULL) {
		log_warnx("api: receipt handler gave no answer");
		return upload_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "internal error", NULL, NULL, NULL);
	}
	if (ans->status < 200 || ans->status > 599)
		ans->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	/* send_upload takes the json. */
	return send_upload(c, ans->status, ans->json, ans->json_len, NULL,
	    NULL);
}

/*
 * The first call of a POST /api/v1/receipts: decide from the headers
 * whether to read the body (api.h): 415 unless the body is declared
 * application/json, 401 without the configured bearer token, 413 for a
 * Content-Length over MAX_RECEIPT_BODY, 429 when the client's or the
 * global quota has no room for it; all before a byte of the body is
 * read.  A body without a length (chunked) is cut off in upload() as
 * soon as it grows past the limit.
 */
static enum MHD_Result
start_upload(struct api *a, struct MHD_Connection *c,
    const struct api_request *req, void **con_cls)
{
	const union MHD_ConnectionInfo *ci;
	struct upload *u;
	const char *cl;
	uint64_t n = 0;
	uint32_t retry;
	uint8_t key[QUOTA_KEY_LEN];

	*con_cls = &answered;
	if (a->receipt_submit == NULL)
		return upload_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "this server does not accept receipts", NULL, NULL, NULL);
	if (!api_media_type_json(MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
		return upload_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		    "a receipt must be sent as Content-Type: application/json",
		    "Content-Type", NULL, NULL);
	if (a->has_token && !bearer_ok(a, c))
		return upload_error(c, MHD_HTTP_UNAUTHORIZED, "this server "
		    "takes receipts only with Authorization: Bearer <token>",
		    "Authorization", MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"tmon receipts\"");
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && (!parse_u64(cl, 0, UINT64_MAX, &n) ||
	    n > MAX_RECEIPT_BODY))
		return upload_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
		    "receipt body too large", "body", NULL, NULL);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	quota_key(ci != NULL ? ci->client_addr : NULL, key);
	if (!quota_allows(a->quota, key, n, mono_s(), &retry))
		return send_quota_spent(c, retry);
	u = xcalloc(1, sizeof(*u));
	memcpy(u->qkey, key, sizeof(key));
	if (req->has_model) {
		u->has_model = true;
		memcpy(u->model, req->model, sizeof(u->model));
	}
	*con_cls = u;
	return MHD_YES;
}

/*
 * Take n more bytes of the body.  libmicrohttpd only lets a response be
 * queued once the whole request is in, so a body that grows past
 * MAX_RECEIPT_BODY is no longer kept: the rest is read and dropped and
 * the final call answers 413.  A client that sends yet another
 * MAX_RECEIPT_BODY bytes after that loses its connection.
 */
static enum MHD_Result
upload(struct upload *u, const char *data, size_t *n)
{
	size_t cap;

	if (u->too_big || *n > MAX_RECEIPT_BODY - u->len) {
		if (!u->too_big) {
			u->too_big = true;
			free(u->body);
			u->body = NULL;
			u->cap = 0;
		}
		if (*n > MAX_RECEIPT_BODY - u->dropped)
			return MHD_NO;
		u->dropped += *n;
		*n = 0;
		return MHD_YES;
	}
	if (u->len + *n > u->cap) {
		cap = u->cap == 0 ? 4096 : u->cap;
		while (cap < u->len + *n)
			cap *= 2;
		if (cap > MAX_RECEIPT_BODY)
			cap = MAX_RECEIPT_BODY;
		u->body = xreallocarray(u->body, cap, 1);
		u->cap = cap;
	}
	memcpy(u->body + u->len, data, *n);
	u->len += *n;
	*n = 0;
	return MHD_YES;
}

/* --- GET /metrics --- */

struct model_now;
static enum tmon_rc	model_now(struct store *, const char *, bool,
			    struct model_now *, struct tmon_err *);
static bool		metrics_models(struct api *, struct store *,
			    struct buf *);

static int
count_cosig(const struct store_cosignature *cs, void *arg)
{
	(void)cs;
	(*(uint64_t *)arg)++;
	return 0;
}

/*
 * The log's gauges, read from the store at scrape time, after the
 * registry's families.  Returns false when out is full.
 */
static bool
metrics_log(struct api *a, struct buf *out)
{
	struct store_checkpoint cp;
	struct tmon_err err = { 0 };
	struct store *st = NULL;
	uint64_t n, cosigs = 0;
	bool ok = true;

	if (store_pool_get(a->pool, &st, &err) != TMON_OK)
		return true;
	if (store_tree_size(st, &n, &err) == TMON_OK)
		ok = metrics_render_family(out, "tmon_log_entries", "Entries "
		    "in the log (leaves of its Merkle tree).", "gauge") &&
		    metrics_render_sample(out, "tmon_log_entries", NULL,
		    (double)n);
	ok = ok && metrics_models(a, st, out);
	if (ok && store_checkpoint_latest(st, &cp, &err) == TMON_OK) {
		(void)store_cosignature_list(st, cp.size, count_cosig,
		    &cosigs, &err);
		ok = metrics_render_family(out, "tmon_log_checkpoint_entries",
		    "Tree size of the latest signed checkpoint.", "gauge") &&
		    metrics_render_sample(out, "tmon_log_checkpoint_entries",
		    NULL, (double)cp.size) &&
		    metrics_render_family(out,
		    "tmon_log_checkpoint_age_seconds", "Seconds since the "
		    "latest checkpoint was signed.", "gauge") &&
		    metrics_render_sample(out,
		    "tmon_log_checkpoint_age_seconds", NULL,
		    (double)((long long)time(NULL) - cp.time)) &&
		    metrics_render_family(out,
		    "tmon_log_checkpoint_cosignatures", "Witness "
		    "cosignatures of the latest checkpoint.", "gauge") &&
		    metrics_render_sample(out,
		    "tmon_log_checkpoint_cosignatures", NULL, (double)cosigs);
		store_checkpoint_free(&cp);
	}
	store_pool_put(a->pool, st);
	return ok;
}

static enum MHD_Result
do_metrics(struct api *a, struct MHD_Connection *c)
{
	struct buf b;
	uint8_t *text;
	size_t len;

	buf_init(&b, MAX_METRICS_TEXT);
	metrics_render(&b);
	if (!metrics_log(a, &b) || b.len == 0) {
		buf_free(&b);
		log_warnx("api: metrics text over %u bytes", MAX_METRICS_TEXT);
		return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "metrics text too long", NULL);
	}
	text = buf_release(&b, &len);
	return send_bytes(c, MHD_HTTP_OK, (char *)text, len, metrics_ctype,
	    "no-store", NULL);
}

/* --- slow clients: the request deadline --- */

/*
 * libmicrohttpd's idle timeout (MHD_OPTION_CONNECTION_TIMEOUT) restarts
 * with every byte received, and it has no limit on how long a request
 * may take to arrive.  So every connection is listed from its start
 * (MHD_OPTION_NOTIFY_CONNECTION) with the time its current request
 * began, and a sweeper thread shuts down (shutdown(2), SHUT_RDWR) the
 * socket of any connection whose request is still coming in
 * request_deadline_s later.  The worker that owns the connection then
 * reads end-of-file and closes it the usual way; the sweeper never
 * closes a socket itself, and an entry leaves the list (under conn_mu)
 * before libmicrohttpd closes its socket, so the descriptor shut down is
 * always the connection's own.
 */
static void
conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct api *a = cls;
	const union MHD_ConnectionInfo *info;
	struct conn *k;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (info == NULL)
			return;		/* not listed: idle timeout only */
		k = xcalloc(1, sizeof(*k));
		k->fd = info->connect_fd;
		k->start_ms = mono_ms();
		k->receiving = true;
		pthread_mutex_lock(&a->conn_mu);
		TAILQ_INSERT_TAIL(&a->conns, k, entry);
		pthread_mutex_unlock(&a->conn_mu);
		*socket_context = k;
		return;
	}
	if ((k = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&a->conn_mu);
	TAILQ_REMOVE(&a->conns, k, entry);
	pthread_mutex_unlock(&a->conn_mu);
	free(k);
	*socket_context = NULL;
}

/*
 * The request on c is all in (receiving false: its deadline no longer
 * applies), or a new one may begin on the kept-alive connection
 * (receiving true: its deadline runs from now).
 */
static void
conn_mark(struct api *a, struct MHD_Connection *c, bool receiving)
{
	const union MHD_ConnectionInfo *info;
	struct conn *k;

	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (info == NULL || (k = info->socket_context) == NULL)
		return;
	pthread_mutex_lock(&a->conn_mu);
	if (receiving)
		k->start_ms = mono_ms();
	k->receiving = receiving;
	pthread_mutex_unlock(&a->conn_mu);
}

/*
 * The sweeper: shut down every connection past its deadline, then sleep
 * until the next deadline.  A connection that starts while it sleeps has
 * its deadline a whole request_deadline_s later, so sleeping at most
 * that long never misses one.  Also reports suppressed log lines.
 */
static void *
sweeper(void *arg)
{
	struct api *a = arg;
	struct timespec ts;
	struct conn *k;
	int64_t now, wake, due;
	unsigned long long n;

	pthread_mutex_lock(&a->conn_mu);
	while (!a->sweeper_stop) {
		now = mono_ms();
		/* and at least once per log interval, for rl_flush */
		wake = now + (a->deadline_ms < API_LOG_INTERVAL_S * 1000 ?
		    a->deadline_ms : API_LOG_INTERVAL_S * 1000);
		n = 0;
		TAILQ_FOREACH(k, &a->conns, entry) {
			if (!k->receiving || k->cut)
				continue;
			if (now - k->start_ms >= a->deadline_ms) {
				(void)shutdown(k->fd, SHUT_RDWR);
				k->cut = true;
				n++;
			} else if (k->start_ms + a->deadline_ms < wake)
				wake = k->start_ms + a->deadline_ms;
		}
		pthread_mutex_unlock(&a->conn_mu);
		if (n > 0) {
			metrics_counter_add(M_DEADLINE, M_DEADLINE_HELP, NULL, n);
			rl_log(a, "api: request deadline (%lld s) passed: "
			    "closed %llu connection(s)",
			    (long long)(a->deadline_ms / 1000), n);
		}
		if ((due = rl_flush(a, false)) < wake)
			wake = due;
		ts.tv_sec = (time_t)(wake / 1000);
		ts.tv_nsec = (long)(wake % 1000) * 1000000;
		pthread_mutex_lock(&a->conn_mu);
		if (!a->sweeper_stop)
			(void)pthread_cond_timedwait(&a->conn_cv, &a->conn_mu,
			    &ts);
	}
	pthread_mutex_unlock(&a->conn_mu);
	return NULL;
}

/* --- GET /api/v1/log/... (the verifiable log, api.h) --- */

static enum MHD_Result
do_log_key(struct api *a, struct MHD_Connection *c)
{
	char *s;
	size_t n;

	if (a->log_vkey == NULL)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no log key "
		    "configured", NULL);
	n = strlen(a->log_vkey);
	s = xmalloc(n + 2);
	memcpy(s, a->log_vkey, n);
	s[n] = '\n';
	s[n + 1] = '\0';
	return send_public(c, MHD_HTTP_OK, s, n + 1, text_ctype, "no-cache",
	    NULL);
}

/*
 * The latest checkpoint into *cp (store_checkpoint_free), or an answer
 * already queued into *ret: 404 when there is none yet, 500 on a store
 * error.  Returns true when *cp holds one.
 */
static bool
latest_checkpoint(struct store *st, struct MHD_Connection *c,
    struct store_checkpoint *cp, enum MHD_Result *ret)
{
	struct tmon_err err = { 0 };
	enum tmon_rc rc;

	memset(cp, 0, sizeof(*cp));
	if ((rc = store_checkpoint_latest(st, cp, &err)) == TMON_OK)
		return true;
	if (rc == TMON_E_NOTFOUND)
		*ret = send_error(c, MHD_HTTP_NOT_FOUND, "no checkpoint yet",
		    NULL);
	else
		*ret = send_store_error(c, &err);
	return false;
}

static enum MHD_Result
do_log_checkpoint(struct store *st, struct MHD_Connection *c)
{
	struct tmon_err err = { 0 };
	struct store_checkpoint cp;
	enum tmon_rc rc;
	uint8_t *text;
	size_t len;

	rc = tiles_checkpoint(st, &cp, &text, &len, &err);
	if (rc == TMON_E_NOTFOUND)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no checkpoint yet",
		    NULL);
	if (rc != TMON_OK)
		return send_store_error(c, &err);
	store_checkpoint_free(&cp);
	/* C2SP tlog-tiles: mutable, not to be cached. */
	return send_public(c, MHD_HTTP_OK, text, len, text_ctype, "no-cache",
	    NULL);
}

static int
cps_cb(const struct store_checkpoint *cp, void *arg)
{
	struct page *p = arg;

	if (page_full(p, cp->note_len))
		return 1;
	page_add(p, api_render_checkpoint(cp), cp->note_len, cp->size);
	return 0;
}

static enum MHD_Result
do_log_checkpoints(struct store *st, struct MHD_Connection *c,
    const struct api_request *r)
{
	struct tmon_err err = { 0 };
	struct page p;

	page_init(&p, r->limit);
	/* one more tells if a page follows */
	if (store_checkpoint_list(st, r->after != UINT64_MAX ? r->after : 0,
	    r->limit + 1, cps_cb, &p, &err) != TMON_OK) {
		json_decref(p.arr);
		return send_store_error(c, &err);
	}
	return page_send(c, &p, "checkpoints", "next_after");
}

/* 400: a tree size past the latest checkpoint's (field: "size", "new"). */
static enum MHD_Result
send_unsigned_size(struct MHD_Connection *c, const char *field,
    uint64_t signed_size)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "proofs are only for signed tree sizes: "
	    "%s must be at most %llu, the size of the latest checkpoint",
	    field, (unsigned long long)signed_size);
	return send_error(c, MHD_HTTP_BAD_REQUEST, msg, field);
}

/* 500: the stored tree contradicts itself or its checkpoint. */
static enum MHD_Result
send_tree_damaged(struct MHD_Connection *c, const char *what)
{
	char msg[200];

	log_warnx("api: the stored tree is damaged: %s", what);
	snprintf(msg, sizeof(msg), "the log is damaged: %s", what);
	return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, msg, NULL);
}

/*
 * The inclusion proof of leaf (entry seq) in the stored tree of size
 * (at most cp's), checked before it is sent: the tree's root of that size
 * (into root) must be cp's when size is cp's, and the proof (*n hashes
 * into proof) must give it.  On false *ret is the answer: the store's
 * error, or 500 when the stored tree disagrees with itself or cp.
 */
static bool
prove_checked(struct store *st, struct MHD_Connection *c, uint64_t seq,
    uint64_t size, const struct store_checkpoint *cp, const uint8_t leaf[32],
    uint8_t root[32], uint8_t proof[][32], size_t *n, enum MHD_Result *ret)
{
	struct tmon_err err = { 0 };

	if (tlog_prove_inclusion(seq, size, store_tree_read, st, proof, n,
	    &err) != TMON_OK ||
	    store_tree_root(st, size, root, &err) != TMON_OK) {
		*ret = send_store_error(c, &err);
		return false;
	}
	if (size == cp->size && memcmp(root, cp->root, 32) != 0) {
		*ret = send_tree_damaged(c, "the tree's root is not the latest "
		    "checkpoint's");
		return false;
	}
	if (!tlog_verify_inclusion(seq, size, leaf,
	    (const uint8_t (*)[32])proof, *n, root)) {
		*ret = send_tree_damaged(c, "an inclusion proof from the "
		    "stored tree does not verify");
		return false;
	}
	return true;
}

static enum MHD_Result
do_log_inclusion(struct store *st, struct MHD_Connection *c,
    const struct api_request *r)
{
	struct tmon_err err = { 0 };
	struct store_checkpoint cp;
	struct tlog_node node;
	enum MHD_Result ret;
	uint8_t proof[TLOG_MAX_PROOF][32], leaf[1][32], root[32];
	uint64_t size, tree = 0;
	size_t n = 0;
	bool ok;

	if (!latest_checkpoint(st, c, &cp, &ret))
		return ret;
	size = r->size != 0 ? r->size : cp.size;
	if (size > cp.size) {
		store_checkpoint_free(&cp);
		return send_unsigned_size(c, "size", cp.size);
	}
	if (r->seq >= size) {
		/* size is the latest checkpoint's (api_request_parse
		 * refused seq >= a given size) */
		store_checkpoint_free(&cp);
		if (store_tree_size(st, &tree, &err) != TMON_OK)
			return send_store_error(c, &err);
		if (r->seq < tree)
			return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "no signed checkpoint covers this entry yet: "
			    "retry after Retry-After seconds", "seq");
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such entry",
		    "seq");
	}
	node.level = 0;
	node.index = r->seq;
	if (store_tree_read(st, &node, 1, leaf, &err) != TMON_OK) {
		store_checkpoint_free(&cp);
		return send_store_error(c, &err);
	}
	ok = prove_checked(st, c, r->seq, size, &cp, leaf[0], root, proof,
	    &n, &ret);
	store_checkpoint_free(&cp);
	if (!ok)
		return ret;
	return send_json(c, MHD_HTTP_OK, api_render_inclusion(r->seq, size,
	    leaf[0], root, (const uint8_t (*)[32])proof, n));
}

static enum MHD_Result
do_log_consistency(struct store *st, struct MHD_Connection *c,
    const struct api_request *r)
{
	struct tmon_err err = { 0 };
	struct store_checkpoint cp;
	enum MHD_Result ret;
	uint8_t proof[TLOG_MAX_PROOF][32], old_root[32], new_root[32];
	uint64_t new_size;
	size_t n = 0;

	if (!latest_checkpoint(st, c, &cp, &ret))
		return ret;
	new_size = r->new_size != 0 ? r->new_size : cp.size;
	if (new_size > cp.size) {
		store_checkpoint_free(&cp);
		return send_unsigned_size(c, "new", cp.size);
	}
	if (r->old_size > new_size) {
		store_checkpoint_free(&cp);
		return send_unsigned_size(c, "old", cp.size);
	}
	if (tlog_prove_consistency(r->old_size, new_size, store_tree_read,
	    st, proof, &n, &err) != TMON_OK ||
	    store_tree_root(st, r->old_size, old_root, &err) != TMON_OK ||
	    store_tree_root(st, new_size, new_root, &err) != TMON_OK) {
		store_checkpoint_free(&cp);
		return send_store_error(c, &err);
	}
	if (new_size == cp.size && memcmp(new_root, cp.root, 32) != 0) {
		store_checkpoint_free(&cp);
		return send_tree_damaged(c, "the tree's root is not the "
		    "latest checkpoint's");
	}
	store_checkpoint_free(&cp);
	if (!tlog_verify_consistency(r->old_size, new_size, old_root,
	    new_root, (const uint8_t (*)[32])proof, n))
		return send_tree_damaged(c, "a consistency proof from the "
		    "stored tree does not verify");
	return send_json(c, MHD_HTTP_OK, api_render_consistency(r->old_size,
	    new_size, old_root, new_root, (const uint8_t (*)[32])proof, n));
}

static enum MHD_Result
do_log_entry(struct store *st, struct MHD_Connection *c, uint64_t seq)
{
	struct tmon_err err = { 0 };
	struct store_entry e;
	enum tmon_rc rc;
	uint8_t *body;
	size_t len;

	/* store_entry_get checks the body against its leaf hash. */
	rc = store_entry_get(st, seq, &e, &err);
	if (rc == TMON_E_NOTFOUND)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such entry",
		    "seq");
	if (rc != TMON_OK)
		return send_store_error(c, &err);
	body = e.body;
	len = e.body_len;
	e.body = NULL;
	store_entry_free(&e);
	return send_public(c, MHD_HTTP_OK, body, len, octet_ctype,
	    cache_immutable, NULL);
}

static enum MHD_Result
do_log_tile(struct store *st, struct MHD_Connection *c,
    const struct tlog_tile *t)
{
	struct tmon_err err = { 0 };
	struct store_checkpoint cp;
	enum MHD_Result ret;
	uint8_t *data;
	size_t len;
	bool servable;

	if (!latest_checkpoint(st, c, &cp, &ret))
		return ret;
	servable = tiles_servable(t, cp.size);
	store_checkpoint_free(&cp);
	if (!servable)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such tile in the "
		    "tree of the latest checkpoint", NULL);
	if (tiles_read(st, t, &data, &len, &err) != TMON_OK)
		return send_store_error(c, &err);
	/* A partial tile is left out once its full tile is there. */
	return send_public(c, MHD_HTTP_OK, data, len, octet_ctype,
	    t->width == TLOG_TILE_WIDTH ? cache_immutable :
	    "public, max-age=60", NULL);
}

/* --- GET /healthz --- */

/* The daemon's health into h, its reason made printable ASCII. */
static void
read_health(struct api *a, struct api_health *h)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	if (a->health != NULL)
		a->health(a->health_arg, h);
	/* The reason may quote a path or an SQLite message: keep it ASCII
	 * so that it is always a valid JSON string. */
	h->reason[sizeof(h->reason) - 1] = '\0';
	for (i = 0; h->reason[i] != '\0'; i++)
		if ((unsigned char)h->reason[i] < 0x20 ||
		    (unsigned char)h->reason[i] > 0x7e)
			h->reason[i] = '?';
}

static enum MHD_Result
do_healthz(struct api *a, struct MHD_Connection *c)
{
	struct api_health h;

	read_health(a, &h);
	if (!h.degraded)
		return send_json(c, MHD_HTTP_OK, json_pack("{s:s, s:I}",
		    "status", "ok", "pending_probes", (json_int_t)h.pending));
	return send_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, json_pack(
	    "{s:s, s:s, s:I, s:I}", "status", "degraded", "reason",
	    h.reason[0] != '\0' ? h.reason : "the log is not writable",
	    "since", (json_int_t)h.since,
	    "pending_probes", (json_int_t)h.pending));
}

/* --- GET /readyz --- */

static enum MHD_Result
do_readyz(struct api *a, struct MHD_Connection *c)
{
	struct api_health h;

	read_health(a, &h);
	if (!h.degraded)
		return send_json(c, MHD_HTTP_OK, json_pack("{s:s}", "status",
		    "ready"));
	return send_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, json_pack(
	    "{s:s, s:s}", "status", "not_ready", "reason",
	    h.reason[0] != '\0' ? h.reason : "the log is not writable"));
}

/* --- a model's state now: badges and /metrics --- */

/* The newest probe of a model and its newest success (pass or warn:
 * README "exit status" 0, verified). */
struct model_now {
	bool		 has_probe;
	char		 verdict[8];
	int64_t		 time;
	json_t		*checks;	/* with_checks: its "checks", or NULL */
	bool		 with_checks;
	bool		 has_pass;
	int64_t		 pass_time;
};

static int
now_cb(const struct store_entry *e, void *arg)
{
	struct model_now *m = arg;
	json_t *body;

	m->has_probe = true;
	snprintf(m->verdict, sizeof(m->verdict), "%s",
	    e->verdict != NULL ? e->verdict : "");
	m->time = e->time;
	if (m->with_checks && (body = entry_parse(e)) != NULL) {
		m->checks = json_incref(json_object_get(body, "checks"));
		json_decref(body);
	}
	return 1;
}

static int
pass_cb(const struct store_entry *e, void *arg)
{
	struct model_now *m = arg;

	m->has_pass = true;
	m->pass_time = e->time;
	return 1;
}

/* Fill *m (zeroed here) for model; release m->checks after.  Index
 * reads: each is the newest entry of one (kind, model[, verdict]). */
static enum tmon_rc
model_now(struct store *st, const char *model, bool with_checks,
    struct model_now *m, struct tmon_err *err)
{
	struct store_query q;
	enum tmon_rc rc;

	memset(m, 0, sizeof(*m));
	m->with_checks = with_checks;
	store_query_init(&q);
	q.kind = "probe";
	q.model = model;
	q.limit = 1;
	q.newest_first = true;
	if ((rc = store_query(st, &q, now_cb, m, err)) != TMON_OK)
		return rc;
	if (m->has_probe && (strcmp(m->verdict, "pass") == 0 ||
	    strcmp(m->verdict, "warn") == 0)) {
		m->has_pass = true;
		m->pass_time = m->time;
		return TMON_OK;
	}
	q.verdict = "pass";
	q.verdict_alt = "warn";
	return store_query(st, &q, pass_cb, m, err);
}

/* --- GET /metrics: each model's state, from the log --- */

static const char *const probe_states[] = { "pass", "warn", "fail",
    "error" };
static const char *const check_states[] = { "pass", "warn", "fail",
    "error", "skip" };

#define M_VERDICT	"tmon_probe_verdict"
#define M_CHECK		"tmon_check_status"
#define M_LAST_PROBE	"tmon_model_last_probe_timestamp_seconds"
#define M_LAST_PASS	"tmon_model_last_success_timestamp_seconds"

/* The models /metrics reports: configured ones, then any other in the
 * log, at most MAX_MODELS in all. */
struct mmodels {
	char		**names;
	size_t		 n;
};

static int
mmodels_cb(const struct store_entry *e, void *arg)
{
	struct mmodels *mm = arg;
	size_t i;

	if (e->model == NULL)
		return 0;
	for (i = 0; i < mm->n; i++)
		if (strcmp(mm->names[i], e->model) == 0)
			return 0;
	if (mm->n >= MAX_MODELS)
		return 1;
	mm->names[mm->n++] = xstrdup(e->model);
	return 0;
}

/* One series per (model[, check], state): 1 for the current state. */
static bool
stateset(struct buf *out, const char *name, const char *model,
    const char *check, const char *const *states, size_t n, const char *cur)
{
	char l[MAX_METRIC_LABELS];
	size_t i;
	bool ok = true;

	for (i = 0; ok && i < n; i++) {
		if ((check != NULL ? metrics_label(l, sizeof(l), "model", model,
		    "check", check, "status", states[i], NULL) :
		    metrics_label(l, sizeof(l), "model", model, "verdict",
		    states[i], NULL)) == 0)
			continue;
		ok = metrics_render_sample(out, name, l,
		    strcmp(cur, states[i]) == 0 ? 1 : 0);
	}
	return ok;
}

/*
 * Per model, from its newest probe and newest pass (two index reads
 * each): the verdict and every check's status as statesets, and the
 * times of the last probe and the last success.
 */
static bool
metrics_models(struct api *a, struct store *st, struct buf *out)
{
	struct tmon_err err = { 0 };
	struct mmodels mm;
	struct model_now *now;
	char l[MAX_METRIC_LABELS];
	const char *id, *status;
	json_t *ck;
	size_t i, j, k;
	bool ok = true;

	mm.names = xcalloc(MAX_MODELS + a->n_models, sizeof(*mm.names));
	mm.n = 0;
	for (i = 0; i < a->n_models; i++)
		mm.names[mm.n++] = xstrdup(a->model_ids[i]);
	(void)store_latest_per_model(st, "probe", mmodels_cb, &mm, &err);
	now = xcalloc(mm.n + 1, sizeof(*now));
	for (i = 0; i < mm.n; i++)
		if (model_now(st, mm.names[i], true, &now[i], &err) !=
		    TMON_OK) {
			json_decref(now[i].checks);
			memset(&now[i], 0, sizeof(now[i]));
		}
	ok = metrics_render_family(out, M_VERDICT, "The verdict of the "
	    "model's newest probe (1 for the current one).", "gauge");
	for (i = 0; ok && i < mm.n; i++)
		if (now[i].has_probe)
			ok = stateset(out, M_VERDICT, mm.names[i], NULL,
			    probe_states, 4, now[i].verdict);
	ok = ok && metrics_render_family(out, M_CHECK, "The status of each "
	    "check in the model's newest probe (1 for the current one).",
	    "gauge");
	for (i = 0; ok && i < mm.n; i++)
		json_array_foreach(now[i].checks, j, ck) {
			id = json_string_value(json_object_get(ck, "id"));
			status = json_string_value(json_object_get(ck,
			    "status"));
			if (id == NULL || status == NULL)
				continue;
			for (k = 0; k < 5; k++)
				if (strcmp(status, check_states[k]) == 0)
					break;
			if (k < 5 && !(ok = stateset(out, M_CHECK, mm.names[i],
			    id, check_states, 5, status)))
				break;
		}
	ok = ok && metrics_render_family(out, M_LAST_PROBE, "Unix time of "
	    "the model's newest probe.", "gauge");
	for (i = 0; ok && i < mm.n; i++)
		if (now[i].has_probe && metrics_label(l, sizeof(l), "model",
		    mm.names[i], NULL) > 0)
			ok = metrics_render_sample(out, M_LAST_PROBE, l,
			    (double)now[i].time);
	ok = ok && metrics_render_family(out, M_LAST_PASS, "Unix time of "
	    "the model's newest successful probe (verdict pass or warn).",
	    "gauge");
	for (i = 0; ok && i < mm.n; i++)
		if (now[i].has_pass && metrics_label(l, sizeof(l), "model",
		    mm.names[i], NULL) > 0)
			ok = metrics_render_sample(out, M_LAST_PASS, l,
			    (double)now[i].pass_time);
	for (i = 0; i < mm.n; i++) {
		json_decref(now[i].checks);
		free(mm.names[i]);
	}
	free(now);
	free(mm.names);
	return ok;
}

/* --- GET /badge/{model}.svg, GET /badge.svg --- */

/* Queue a badge with a strong ETag of its bytes (or 304). */
static enum MHD_Result
send_badge(struct MHD_Connection *c, const char *label, const char *value,
    const char *color)
{
	char etag[48], hexd[33];
	uint8_t md[32];
	char *svg;
	size_t len;

	svg = api_badge_svg(label, value, color, &len);
	sha256(svg, len, md);
	snprintf(etag, sizeof(etag), "\"%s\"", hex_encode(md, 16, hexd));
	if (etag_matches(c, etag)) {
		free(svg);
		return send_not_modified(c, etag, API_BADGE_CACHE);
	}
	return queue_answer(c, MHD_HTTP_OK, svg, len, svg_ctype,
	    API_BADGE_CACHE, true, NULL, MHD_HTTP_HEADER_ETAG, etag);
}

static enum MHD_Result
do_badge(struct api *a, struct store *st, struct MHD_Connection *c,
    const char *model)
{
	struct tmon_err err = { 0 };
	struct model_now m;
	char value[API_BADGE_TEXT], age[24];
	int64_t now = (int64_t)time(NULL);
	bool known = false;
	size_t i;

	for (i = 0; i < a->n_models; i++)
		if (strcmp(a->model_ids[i], model) == 0)
			known = true;
	if (model_now(st, model, false, &m, &err) != TMON_OK)
		return send_store_error(c, &err);
	if (!known && !m.has_probe)
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such model",
		    "model");
	if (!m.has_probe)
		snprintf(value, sizeof(value), "no probes yet");
	else if (strcmp(m.verdict, "pass") == 0 ||
	    strcmp(m.verdict, "warn") == 0) {
		api_badge_age(now - m.time, age, sizeof(age));
		snprintf(value, sizeof(value), "%s %s", m.verdict, age);
	} else if (m.has_pass) {
		api_badge_age(now - m.pass_time, age, sizeof(age));
		snprintf(value, sizeof(value), "%s, last ok %s", m.verdict,
		    age);
	} else
		snprintf(value, sizeof(value), "%s, never ok", m.verdict);
	return send_badge(c, model, value, api_badge_color(m.has_probe ?
	    m.verdict : NULL));
}

static enum MHD_Result
do_badge_all(struct api *a, struct store *st, struct MHD_Connection *c)
{
	struct tmon_err err = { 0 };
	struct model_now m;
	char value[API_BADGE_TEXT];
	size_t i, pass = 0, warn = 0, fail = 0;
	const char *color;

	for (i = 0; i < a->n_models; i++) {
		if (model_now(st, a->model_ids[i], false, &m, &err) != TMON_OK)
			return send_store_error(c, &err);
		if (m.has_probe && strcmp(m.verdict, "pass") == 0)
			pass++;
		else if (m.has_probe && strcmp(m.verdict, "warn") == 0)
			warn++;
		else if (m.has_probe && strcmp(m.verdict, "fail") == 0)
			fail++;
	}
	if (a->n_models == 0) {
		snprintf(value, sizeof(value), "no models");
		color = api_badge_color(NULL);
	} else {
		snprintf(value, sizeof(value), "%zu/%zu ok", pass + warn,
		    a->n_models);
		color = api_badge_color(pass == a->n_models ? "pass" :
		    fail > 0 ? "fail" : pass + warn == a->n_models ? "warn" :
		    "error");
	}
	return send_badge(c, "tmon", value, color);
}

/* --- dispatch --- */

/*
 * Whether the answer of req is a function of the log's entries alone
 * (validated by an ETag of the log size), and whether it is a first page
 * kept in the render cache.
 */
static bool
tagged(const struct api_request *req, bool *cache)
{
	switch (req->route) {
	case API_ROUTE_MODELS:
		*cache = true;
		return true;
	case API_ROUTE_PROBES:
	case API_ROUTE_FAILURES:
	case API_ROUTE_EVENTS:
	case API_ROUTE_HISTORY:
		*cache = req->before == UINT64_MAX;
		return true;
	case API_ROUTE_ENTRY:
	case API_ROUTE_RECEIPT:
		*cache = false;
		return true;
	default:
		return false;
	}
}

/*
 * key: SHA-256 of the request's path and query arguments (first_call).
 * A tagged answer gets ETag W/"<log size>-<hex of key's first 16 bytes>",
 * the size read before the answer is, so a tag never names an older log
 * than the body it validates.
 */
static enum MHD_Result
route(struct api *a, struct MHD_Connection *c, const struct api_request *req,
    const uint8_t key[32])
{
	struct tmon_err err = { 0 };
	struct store *st = NULL;
	struct answer_tag tag;
	enum MHD_Result ret;
	uint8_t *body;
	uint64_t size;
	size_t len;
	char hexk[33];
	bool cache = false;

	if (req->route == API_ROUTE_STATIC)
		return do_static(a, c, req->file);
	if (req->route == API_ROUTE_METRICS)
		return do_metrics(a, c);
	if (req->route == API_ROUTE_HEALTHZ)
		return do_healthz(a, c);
	if (req->route == API_ROUTE_READYZ)
		return do_readyz(a, c);
	if (req->route == API_ROUTE_LOG_KEY)
		return do_log_key(a, c);
	if (store_pool_get(a->pool, &st, &err) != TMON_OK)
		return send_store_error(c, &err);
	if (tagged(req, &cache)) {
		if (store_tree_size(st, &size, &err) != TMON_OK) {
			store_pool_put(a->pool, st);
			return send_store_error(c, &err);
		}
		memset(&tag, 0, sizeof(tag));
		tag.a = a;
		tag.cache = cache;
		snprintf(tag.etag, sizeof(tag.etag), "W/\"%llu-%s\"",
		    (unsigned long long)size, hex_encode(key, 16, hexk));
		if (etag_matches(c, tag.etag)) {
			store_pool_put(a->pool, st);
			return send_not_modified(c, tag.etag, "no-cache");
		}
		if (cache && (body = cache_get(a, tag.etag, &len)) != NULL) {
			store_pool_put(a->pool, st);
			cur_tag = &tag;
			tag.cache = false;
			ret = send_bytes(c, MHD_HTTP_OK, body, len, json_ctype,
			    "no-store", NULL);
			cur_tag = NULL;
			return ret;
		}
		cur_tag = &tag;
	}
	switch (req->route) {
	case API_ROUTE_MODELS:
		ret = do_models(a, st, c);
		break;
	case API_ROUTE_HISTORY:
		ret = do_history(a, st, c, req);
		break;
	case API_ROUTE_PROBES:
	case API_ROUTE_FAILURES:
		ret = do_list(a, st, c, req);
		break;
	case API_ROUTE_EVENTS:
		ret = do_events(a, st, c, req);
		break;
	case API_ROUTE_ENTRY:
		ret = do_entry(st, c, req->seq);
		break;
	case API_ROUTE_BLOB:
		ret = do_blob(st, c, req->sha256);
		break;
	case API_ROUTE_RECEIPT:
		ret = do_receipt(st, c, req->seq);
		break;
	case API_ROUTE_RECEIPT_PROOF:
		ret = do_receipt_proof(st, c, req->seq);
		break;
	case API_ROUTE_LOG_CHECKPOINT:
		ret = do_log_checkpoint(st, c);
		break;
	case API_ROUTE_LOG_CHECKPOINTS:
		ret = do_log_checkpoints(st, c, req);
		break;
	case API_ROUTE_LOG_INCLUSION:
		ret = do_log_inclusion(st, c, req);
		break;
	case API_ROUTE_LOG_CONSISTENCY:
		ret = do_log_consistency(st, c, req);
		break;
	case API_ROUTE_LOG_ENTRY:
		ret = do_log_entry(st, c, req->seq);
		break;
	case API_ROUTE_LOG_TILE:
		ret = do_log_tile(st, c, &req->tile);
		break;
	case API_ROUTE_BADGE:
		ret = do_badge(a, st, c, req->model);
		break;
	case API_ROUTE_BADGE_ALL:
		ret = do_badge_all(a, st, c);
		break;
	default:
		ret = send_error(c, MHD_HTTP_NOT_FOUND, "not found", NULL);
		break;
	}
	cur_tag = NULL;
	store_pool_put(a->pool, st);
	return ret;
}

/*
 * route() with the configured models held still (api_set_models).  After
 * a replacement of the models, key becomes SHA-256(key || models_gen as 8
 * bytes big-endian): ETags and cached first pages of answers that list
 * the models change with the list, not only with the log.
 */
static enum MHD_Result
route_locked(struct api *a, struct MHD_Connection *c,
    const struct api_request *req, const uint8_t key[32])
{
	enum MHD_Result ret;
	uint8_t buf[40], gkey[32];
	int i;

	pthread_rwlock_rdlock(&a->models_lock);
	if (a->models_gen != 0) {
		memcpy(buf, key, 32);
		for (i = 0; i < 8; i++)
			buf[32 + i] = (uint8_t)(a->models_gen >> (56 - 8 * i));
		sha256(buf, sizeof(buf), gkey);
		key = gkey;
	}
	ret = route(a, c, req, key);
	pthread_rwlock_unlock(&a->models_lock);
	return ret;
}

/* Count and (rate-limited) log a request answered 400. */
static void
bad_request(struct api *a, const char *method, const char *url,
    const char *why)
{
	char em[32], eu[128];

	metrics_counter_add(M_REJECTED, M_REJECTED_HELP,
	    "reason=\"bad_request\"", 1);
	rl_log(a, "api: 400 %s %s: %s", log_esc(em, sizeof(em), method,
	    strlen(method)), log_esc(eu, sizeof(eu), url, strlen(url)), why);
}

/*
 * The SHA-256 of a request's decoded path and query arguments, each
 * length-prefixed (so no two requests share the input).
 */
static void
request_key(const char *url, const struct args_ctx *x, uint8_t key[32])
{
	struct buf b;
	size_t i;
	bool ok;

	buf_init(&b, MAX_API_CONN_MEMORY * 2 + 1024);
	ok = buf_printf(&b, "%zu:%s", strlen(url), url);
	for (i = 0; ok && i < x->n; i++)
		ok = buf_printf(&b, "%zu:", x->args[i].key_len) &&
		    buf_append(&b, x->args[i].key, x->args[i].key_len) &&
		    buf_printf(&b, "%zu:", x->args[i].value_len) &&
		    (x->args[i].value == NULL ||
		    buf_append(&b, x->args[i].value, x->args[i].value_len));
	if (!ok)
		fatalx("api: request key over its bound");
	sha256(b.data != NULL ? b.data : (const uint8_t *)"", b.len, key);
	buf_free(&b);
}

/* The first call of a request: its line and headers are in. */
static enum MHD_Result
first_call(struct api *a, struct MHD_Connection *c, const char *url,
    const char *method, void **con_cls)
{
	struct args_ctx x;
	struct api_request req;
	struct api_reject rej;
	uint8_t key[32];

	memset(&x, 0, sizeof(x));
	(void)MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND,
	    collect_arg, &x);
	if (x.overflow) {
		*con_cls = &answered;
		bad_request(a, method, url, "too many query arguments");
		return send_error(c, MHD_HTTP_BAD_REQUEST,
		    "too many query arguments", NULL);
	}
	if (api_request_parse(method, url, x.args, x.n, &req, &rej) !=
	    TMON_OK) {
		*con_cls = &answered;
		if (rej.status == MHD_HTTP_BAD_REQUEST)
			bad_request(a, method, url, rej.error);
		return send_json_allow(c, rej.status,
		    api_render_error(rej.error, rej.field), rej.allow);
	}
	if (req.route == API_ROUTE_RECEIPTS)
		return start_upload(a, c, &req, con_cls);
	*con_cls = &answered;
	request_key(url, &x, key);
	return route_locked(a, c, &req, key);
}

/*
 * True for a request that announces no body (no Transfer-Encoding, no
 * Content-Length or 0) and is not a POST: answering it once it is
 * complete keeps the connection open for the next request.
 */
static bool
no_body(struct MHD_Connection *c, const char *method)
{
	const char *cl;

	if (strcmp(method, "POST") == 0 ||
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
		return false;
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	return cl == NULL || strcmp(cl, "0") == 0;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct api *a = cls;
	struct upload *u;
	enum MHD_Result ret;
	char esc[128];

	(void)version;
	if (*con_cls == &answered) {
		/* Answered already: drop any request body unread. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*con_cls == NULL || *con_cls == &deferred) {
		if (*con_cls == NULL && log_verbosity() >= LOG_LVL_DEBUG)
			log_debug("api: %s %s", method, log_esc(esc,
			    sizeof(esc), url, strlen(url)));
		if (*con_cls == NULL && no_body(c, method)) {
			/* Answered on the next call, once libmicrohttpd has
			   the whole (empty) request: a response queued
			   before that closes the connection after it. */
			*con_cls = &deferred;
			return MHD_YES;
		}
		ret = first_call(a, c, url, method, con_cls);
		/* Answered: the request is over (libmicrohttpd drops a
		   body still coming and then closes the connection). */
		if (*con_cls == &answered)
			conn_mark(a, c, false);
		return ret;
	}
	u = *con_cls;
	if (u->state == UP_DONE) {
		*con_cls = &answered;
		ret = answer_upload(c, u);
		free(u->body);
		free(u);
		return ret;
	}
	if (u->state == UP_WAITING) {
		/* Not resumed yet (cannot happen while suspended). */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0)
		return upload(u, upload_data, upload_data_size);
	/* The whole body is in. */
	conn_mark(a, c, false);
	if (!u->too_big)
		return submit(a, c, u, con_cls);
	*con_cls = &answered;
	ret = upload_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
	    "receipt body too large", "body", NULL, NULL);
	free(u->body);
	free(u);
	return ret;
}

/*
 * Free the state of a request that ended before it was answered (the
 * client went away while its body was coming in, or after its answer was
 * handed over).  A submission still with the handler (UP_WAITING) is
 * never freed here: api_stop waits for every one before stopping MHD.
 * The next request on the connection has its deadline from now.
 */
static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct upload *u;

	(void)toe;
	conn_mark(cls, c, true);
	if (con_cls == NULL || *con_cls == NULL || *con_cls == &answered ||
	    *con_cls == &deferred)
		return;
	u = *con_cls;
	if (u->state == UP_WAITING) {
		log_warnx("api: a receipt submission ended while pending");
		return;
	}
	if (u->state == UP_DONE)
		free(u->ans.json);
	free(u->body);
	free(u);
	*con_cls = NULL;
}

/*
 * Percent-decode the path and every query argument with libmicrohttpd's
 * own decoder, then turn any decoded NUL (%00) into DEL, which no route,
 * file name, model id or number accepts: the path reaches the handler as a
 * C string and must not be cut short ("/index.html%00.txt").
 */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s)
{
	size_t n, i;

	(void)cls;
	(void)c;
	n = MHD_http_unescape(s);
	for (i = 0; i < n; i++)
		if (s[i] == '\0')
			s[i] = 0x7f;
	return n;
}

/*
 * libmicrohttpd's messages are mostly about what clients send, so they
 * are rate-limited (rl_log).  "Error processing request (HTTP response
 * code is N ...)" is its one message per request it refuses and answers
 * itself: counted as malformed.
 */
static void __attribute__((format(printf, 2, 0)))
mhd_log(void *cls, const char *fm, va_list ap)
{
	static const char refused[] = "Error processing request";
	static const char code[] = "code is ";
	struct api *a = cls;
	char msg[256], esc[128];
	const char *p;
	uint64_t status = 0;
	size_t n;

	vsnprintf(msg, sizeof(msg), fm, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (strncmp(msg, refused, sizeof(refused) - 1) != 0) {
		rl_log(a, "api: httpd: %s", log_esc(esc, sizeof(esc), msg, n));
		return;
	}
	metrics_counter_add(M_REJECTED, M_REJECTED_HELP,
	    "reason=\"malformed\"", 1);
	if ((p = strstr(msg, code)) != NULL)
		for (p += sizeof(code) - 1; *p >= '0' && *p <= '9' &&
		    status < 1000; p++)
			status = status * 10 + (uint64_t)(*p - '0');
	rl_log(a, "api: httpd: refused a malformed request with status %llu",
	    (unsigned long long)status);
}

static void
api_free(struct api *a)
{
	size_t i;

	if (a == NULL)
		return;
	/* No request runs any more: the last submit has returned. */
	if (a->receipt_free != NULL)
		a->receipt_free(a->receipt_arg);
	if (a->sweeper_running) {
		pthread_mutex_lock(&a->conn_mu);
		a->sweeper_stop = true;
		pthread_cond_signal(&a->conn_cv);
		pthread_mutex_unlock(&a->conn_mu);
		pthread_join(a->sweeper, NULL);
	}
	(void)rl_flush(a, true);
	if (a->own_pool)
		store_pool_free(a->pool);
	quota_free(a->quota);
	explicit_bzero(a->token_sha256, sizeof(a->token_sha256));
	pthread_mutex_destroy(&a->pend_mu);
	pthread_cond_destroy(&a->pend_cv);
	pthread_mutex_destroy(&a->conn_mu);
	pthread_cond_destroy(&a->conn_cv);
	pthread_mutex_destroy(&a->rl_mu);
	pthread_rwlock_destroy(&a->models_lock);
	cache_free(a);
	pthread_mutex_destroy(&a->cache_mu);
	if (a->dashfd != -1)
		close(a->dashfd);
	for (i = 0; i < a->n_models; i++) {
		free(a->model_ids[i]);
		free(a->providers[i]);
	}
	free(a->model_ids);
	free(a->providers);
	free(a->log_vkey);
	free(a);
}

/* A verifier key as api_config.log_vkey must be. */
static bool
vkey_ok(const char *k)
{
	size_t i;

	for (i = 0; k[i] != '\0'; i++)
		if (i >= API_MAX_LOG_VKEY || (unsigned char)k[i] < 0x21 ||
		    (unsigned char)k[i] > 0x7e)
			return false;
	return i > 0;
}

enum tmon_rc
api_start(const struct api_config *cfg, struct api **out,
    struct tmon_err *err)
{
	struct api *a;
	struct addrinfo hints, *res = NULL;
	const union MHD_DaemonInfo *info;
	pthread_condattr_t ca;
	const char *host;
	char portstr[8];
	pthread_rwlockattr_t rwa;
	enum tmon_rc rc = TMON_E_INTERNAL;
	unsigned int flags, maxc, perip, deadline, idle;
	size_t i;
	int r;

	*out = NULL;
	a = xcalloc(1, sizeof(*a));
	a->dashfd = -1;
	pthread_mutex_init(&a->pend_mu, NULL);
	pthread_cond_init(&a->pend_cv, NULL);
	pthread_mutex_init(&a->conn_mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->conn_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&a->rl_mu, NULL);
	pthread_rwlockattr_init(&rwa);
	/* a reload is not starved by a steady stream of requests */
	pthread_rwlockattr_setkind_np(&rwa,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&a->models_lock, &rwa);
	pthread_rwlockattr_destroy(&rwa);
	pthread_mutex_init(&a->cache_mu, NULL);
	TAILQ_INIT(&a->conns);
	/* The counters show 0 before their first event. */
	metrics_counter_add(M_REJECTED, M_REJECTED_HELP,
	    "reason=\"malformed\"", 0);
	metrics_counter_add(M_REJECTED, M_REJECTED_HELP,
	    "reason=\"bad_request\"", 0);
	metrics_counter_add(M_DEADLINE, M_DEADLINE_HELP, NULL, 0);
	metrics_counter_add(M_SUPPRESSED, M_SUPPRESSED_HELP, NULL, 0);
	metrics_counter_add(M_RECEIPTS, M_RECEIPTS_HELP,
	    "result=\"accepted\"", 0);
	metrics_counter_add(M_RECEIPTS, M_RECEIPTS_HELP,
	    "result=\"rejected\"", 0);
	metrics_counter_add(M_RECEIPTS, M_RECEIPTS_HELP,
	    "result=\"error\"", 0);
	/* From here on a owns the receipt handler (api_free releases it). */
	a->receipt_submit = cfg->receipt_submit;
	a->receipt_free = cfg->receipt_free;
	a->receipt_arg = cfg->receipt_arg;
	a->health = cfg->health;
	a->health_arg = cfg->health_arg;
	if (cfg->log_vkey != NULL) {
		if (!vkey_ok(cfg->log_vkey)) {
			rc = tmon_err_set(err, TMON_E_CONFIG, "api: the log's "
			    "verifier key must be 1..%u printable bytes "
			    "without spaces", API_MAX_LOG_VKEY);
			goto out;
		}
		a->log_vkey = xstrdup(cfg->log_vkey);
	}
	a->quota = quota_new(&cfg->receipt_per_client, &cfg->receipt_global);
	if (cfg->receipt_token != NULL) {
		if (cfg->receipt_token[0] == '\0' ||
		    strlen(cfg->receipt_token) > MAX_BEARER_TOKEN) {
			rc = tmon_err_set(err, TMON_E_CONFIG, "api: the receipt "
			    "token must be 1..%u bytes", MAX_BEARER_TOKEN);
			goto out;
		}
		sha256(cfg->receipt_token, strlen(cfg->receipt_token),
		    a->token_sha256);
		a->has_token = true;
	}
	if (cfg->db_path == NULL && cfg->pool == NULL) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "api: no db_path");
		goto out;
	}
	if (cfg->n_models > MAX_MODELS ||
	    (cfg->n_models > 0 && cfg->models == NULL)) {
		rc = tmon_err_set(err, TMON_E_CONFIG,
		    "api: %zu models (max %u)", cfg->n_models, MAX_MODELS);
		goto out;
	}
	for (i = 0; i < cfg->n_models; i++)
		if (!store_model_valid(cfg->models[i].model)) {
			rc = tmon_err_set_at(err, TMON_E_CONFIG, i,
			    "api: model %zu: bad model id", i);
			goto out;
		}
	maxc = cfg->max_connections != 0 ? cfg->max_connections :
	    API_DEFAULT_MAX_CONNECTIONS;
	perip = cfg->max_per_address != 0 ? cfg->max_per_address :
	    (maxc < API_DEFAULT_MAX_PER_ADDRESS ? maxc :
	    API_DEFAULT_MAX_PER_ADDRESS);
	deadline = cfg->request_deadline_s != 0 ? cfg->request_deadline_s :
	    API_DEFAULT_REQUEST_DEADLINE_S;
	idle = cfg->idle_timeout_s != 0 ? cfg->idle_timeout_s :
	    API_DEFAULT_IDLE_TIMEOUT_S;
	if (maxc > MAX_API_CONNECTIONS || perip > maxc ||
	    deadline > API_MAX_TIMEOUT_S || idle > API_MAX_TIMEOUT_S) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "api: connection limits "
		    "%u (per address %u) or timeouts %u s, %u s out of range",
		    maxc, perip, deadline, idle);
		goto out;
	}
	a->deadline_ms = (int64_t)deadline * 1000;
	a->time_scan = cfg->time_scan != 0 ? cfg->time_scan :
	    MAX_API_TIME_SCAN;
	a->model_ids = xcalloc(cfg->n_models + 1, sizeof(char *));
	a->providers = xcalloc(cfg->n_models + 1, sizeof(char *));
	for (i = 0; i < cfg->n_models; i++) {
		a->model_ids[i] = xstrdup(cfg->models[i].model);
		if (cfg->models[i].provider != NULL)
			a->providers[i] = xstrdup(cfg->models[i].provider);
	}
	a->n_models = cfg->n_models;
	if (cfg->dashboard_dir != NULL) {
		a->dashfd = open(cfg->dashboard_dir, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
		if (a->dashfd == -1) {
			rc = tmon_err_set(err, TMON_E_CONFIG,
			    "api: dashboard %s: %s", cfg->dashboard_dir,
			    strerror(errno));
			goto out;
		}
	}
	/* A pool of its own opens one handle now: fails early on a
	   database we cannot read. */
	a->pool = cfg->pool;
	if (a->pool == NULL) {
		if ((rc = store_pool_new(cfg->db_path, MAX_API_CONNECTIONS,
		    &a->pool, err)) != TMON_OK)
			goto out;
		a->own_pool = true;
	}

	host = cfg->listen_host != NULL ? cfg->listen_host : "127.0.0.1";
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%u", (unsigned)cfg->port);
	if ((r = getaddrinfo(host, portstr, &hints, &res)) != 0 ||
	    res == NULL || res->ai_addrlen > sizeof(a->addr)) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "api: listen address "
		    "%s: %s", host, r != 0 ? gai_strerror(r) : "unusable");
		goto out;
	}
	memcpy(&a->addr, res->ai_addr, res->ai_addrlen);
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (res->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (pthread_create(&a->sweeper, NULL, sweeper, a) != 0) {
		rc = tmon_err_set(err, TMON_E_NET, "api: cannot start the "
		    "sweeper thread");
		goto out;
	}
	a->sweeper_running = true;
	/* A pool of API_THREADS workers, each polling (epoll) all its
	   connections: a slow client never holds a thread. */
	a->mhd = MHD_start_daemon(flags, cfg->port, NULL, NULL, handle, a,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)a,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a->addr,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, (void *)NULL,
	    MHD_OPTION_CONNECTION_LIMIT, maxc,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, perip,
	    MHD_OPTION_CONNECTION_TIMEOUT, idle,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MAX_API_CONN_MEMORY,
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, (void *)a,
	    MHD_OPTION_NOTIFY_CONNECTION, conn_notify, (void *)a,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)API_THREADS,
	    MHD_OPTION_END);
	if (a->mhd == NULL) {
		rc = tmon_err_set(err, TMON_E_NET, "api: cannot listen on "
		    "%s port %u", host, (unsigned)cfg->port);
		goto out;
	}
	info = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_BIND_PORT);
	a->port = info != NULL ? info->port : cfg->port;
	log_info("api: connection limits max_connections=%u per_address=%u "
	    "request_deadline_s=%u idle_timeout_s=%u", maxc, perip, deadline,
	    idle);
	log_info("api: listening on %s port %u", host, (unsigned)a->port);
	*out = a;
	a = NULL;
	rc = TMON_OK;
out:
	if (res != NULL)
		freeaddrinfo(res);
	api_free(a);
	return rc;
}

enum tmon_rc
api_set_models(struct api *a, const struct api_model *models, size_t n,
    struct tmon_err *err)
{
	char **ids, **provs, **old_ids, **old_provs;
	size_t i, old_n;

	if (n > MAX_MODELS || (n > 0 && models == NULL))
		return tmon_err_set(err, TMON_E_CONFIG, "api: %zu models "
		    "(max %u)", n, MAX_MODELS);
	for (i = 0; i < n; i++)
		if (!store_model_valid(models[i].model))
			return tmon_err_set_at(err, TMON_E_CONFIG, i,
			    "api: model %zu: bad model id", i);
	ids = xcalloc(n + 1, sizeof(char *));
	provs = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		ids[i] = xstrdup(models[i].model);
		if (models[i].provider != NULL)
			provs[i] = xstrdup(models[i].provider);
	}
	pthread_rwlock_wrlock(&a->models_lock);
	old_ids = a->model_ids;
	old_provs = a->providers;
	old_n = a->n_models;
	a->model_ids = ids;
	a->providers = provs;
	a->n_models = n;
	a->models_gen++;
	pthread_rwlock_unlock(&a->models_lock);
	for (i = 0; i < old_n; i++) {
		free(old_ids[i]);
		free(old_provs[i]);
	}
	free(old_ids);
	free(old_provs);
	return TMON_OK;
}

uint16_t
api_port(const struct api *a)
{
	return a->port;
}

void
api_stop(struct api *a)
{
	MHD_socket lfd;

	if (a == NULL)
		return;
	if (a->mhd != NULL) {
		/* No new connections; let every pending receipt be answered
		   (its connection resumed) before MHD goes away. */
		lfd = MHD_quiesce_daemon(a->mhd);
		pthread_mutex_lock(&a->pend_mu);
		a->stopping = true;
		while (a->pending > 0)
			pthread_cond_wait(&a->pend_cv, &a->pend_mu);
		pthread_mutex_unlock(&a->pend_mu);
		MHD_stop_daemon(a->mhd);
		/* The listening socket is ours once quiesced (microhttpd.h). */
		if (lfd != MHD_INVALID_SOCKET)
			close(lfd);
	}
	a->mhd = NULL;
	api_free(a);
}
