/*
 * notify.c: webhook delivery of alerts; see notify.h.
 */
#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "entry.h"
#include "fetch.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "store.h"
#include "tjson.h"
#include "tz.h"
#include "util.h"
#include "xmalloc.h"

#define BACKOFF_FIRST_MS	1000
#define BACKOFF_MAX_MS		30000
#define SUMMARY_VALUE		24	/* characters of a value in a summary */

/* What one model's recent probes and alerts were (delivery thread). */
struct model_mem {
	char		 prev_verdict[8];	/* "" before the first probe */
	bool		 prev_healthy;
	char		 streak_before[8];	/* verdict before the streak */
	char		 last_bad[8];		/* last unhealthy verdict */
	uint64_t	 health_seq;		/* latest check_failed alert */
	json_t		*health_alert;		/* its body, or NULL */
	uint64_t	 recovered_seq;		/* latest recovered alert */
};

struct notify {
	const struct config	*cfg;
	const struct alerts_cfg	*a;
	struct store_writer	*w;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	bool			 stop;		/* under mu */
	struct notify_probe	*queue[MAX_NOTIFY_QUEUE];	/* under mu */
	size_t			 head, count;
	/* delivery thread only */
	struct notify_gate	*gates;		/* [webhook][model] */
	struct model_mem	*mem;		/* [model] */
	size_t			 n_models;
};

/* A delivery to make: what the body says. */
struct delivery {
	const char		*model;		/* NULL: none */
	const char		*reason;
	enum notify_send	 state;
	uint64_t		 alert_seq;	/* UINT64_MAX: none */
	uint64_t		 probe_seq;	/* UINT64_MAX: none */
	uint64_t		 event_seq;	/* UINT64_MAX: none */
	int64_t			 time;
	const json_t		*alert;		/* its body, or NULL */
	const char		*before;	/* NULL: none */
	const char		*after;
	const char		*failing;	/* "id=status,...", "" */
};

const char *
notify_send_str(enum notify_send s)
{
	switch (s) {
	case NOTIFY_TRIGGERED:
		return "triggered";
	case NOTIFY_REMINDER:
		return "reminder";
	case NOTIFY_RESOLVED:
		return "resolved";
	case NOTIFY_NONE:
		break;
	}
	return "";
}

/* tmon_alert_deliveries_total{webhook,outcome} += 1. */
static void
count_delivery(const char *webhook, const char *outcome)
{
	char l[MAX_METRIC_LABELS];

	if (metrics_label(l, sizeof(l), "webhook", webhook, "outcome",
	    outcome, NULL) > 0)
		metrics_counter_add("tmon_alert_deliveries_total", "Alert "
		    "deliveries to webhooks since tmond started, by webhook "
		    "and outcome (delivered, failed, muted, dropped).", l, 1);
}

/* ---- the health gate and maintenance windows (pure) ---- */

static enum notify_send
reminder_due(struct notify_gate *g, const struct webhook_cfg *w, int64_t now)
{
	if (!g->open || w->reminder_s == 0 ||
	    now - g->last_sent < (int64_t)w->reminder_s)
		return NOTIFY_NONE;
	g->last_sent = now;
	return NOTIFY_REMINDER;
}

enum notify_send
notify_gate_probe(struct notify_gate *g, const struct webhook_cfg *w,
    bool healthy, int64_t now)
{
	if (!healthy) {
		g->oks = 0;
		if (g->fails < UINT32_MAX)
			g->fails++;
		if (!g->open && g->fails >= w->failure_threshold) {
			g->open = true;
			g->last_sent = now;
			return NOTIFY_TRIGGERED;
		}
		return reminder_due(g, w, now);
	}
	g->fails = 0;
	if (g->oks < UINT32_MAX)
		g->oks++;
	if (g->open && g->oks >= w->success_threshold) {
		g->open = false;
		g->last_sent = now;
		return w->send_on_resolved ? NOTIFY_RESOLVED : NOTIFY_NONE;
	}
	return reminder_due(g, w, now);
}

enum notify_send
notify_gate_tick(struct notify_gate *g, const struct webhook_cfg *w,
    int64_t now)
{
	return reminder_due(g, w, now);
}

static bool
listed(char *const *l, size_t n, const char *s)
{
	size_t i;

	if (l == NULL)
		return true;		/* no list: every one */
	if (s == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(l[i], s) == 0)
			return true;
	return false;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

bool
notify_maint_active(const struct maint_cfg *m, const char *model,
    int64_t now)
{
	int64_t day, d, start;
	int wd;

	if (!listed(m->models, m->n_models, model))
		return false;
	day = floor_div(now + tz_offset(m->tz, now), 86400);
	/* the starts that can cover now: on its local day or before */
	for (d = day - m->duration_s / 86400 - 1; d <= day + 1; d++) {
		wd = (int)(((d + 4) % 7 + 7) % 7);	/* 1970-01-01: Thu */
		if ((m->days & (1u << wd)) == 0)
			continue;
		start = tz_local_to_utc(m->tz, d * 86400 + m->start_s);
		if (start <= now && now - start < (int64_t)m->duration_s)
			return true;
	}
	return false;
}

/* ---- the daemon's side ---- */

void
notify_probe_clear(struct notify_probe *np)
{
	size_t i;

	for (i = 0; i < np->n_alerts; i++)
		free(np->alerts[i].body);
	memset(np, 0, sizeof(*np));
}

void
notify_probe_set(struct notify_probe *np, const char *model,
    const struct probe_outcome *po, uint64_t probe_seq)
{
	const struct check *c;
	size_t i, n;

	notify_probe_clear(np);
	snprintf(np->model, sizeof(np->model), "%s", model);
	np->probe_seq = probe_seq;
	np->time = (int64_t)time(NULL);
	snprintf(np->verdict, sizeof(np->verdict), "%s",
	    check_status_str(po->res.verdict));
	np->healthy = true;
	for (i = 0; i < po->res.checks.n; i++) {
		c = &po->res.checks.items[i];
		if (c->status != CHECK_FAIL && c->status != CHECK_ERROR)
			continue;
		np->healthy = false;
		n = strlen(np->failing);
		snprintf(np->failing + n, sizeof(np->failing) - n, "%s%s=%s",
		    n > 0 ? "," : "", c->id, check_status_str(c->status));
	}
}

void
notify_probe_alert(struct notify_probe *np, uint64_t seq,
    const uint8_t *body, size_t len)
{
	if (np->n_alerts >= NOTIFY_MAX_ALERTS)
		return;
	np->alerts[np->n_alerts].seq = seq;
	np->alerts[np->n_alerts].body = xmalloc(len + 1);
	memcpy(np->alerts[np->n_alerts].body, body, len);
	np->alerts[np->n_alerts].body[len] = '\0';
	np->alerts[np->n_alerts++].len = len;
}

void
notify_submit(struct notify *n, struct notify_probe *np)
{
	struct notify_probe *q;
	bool full;
	size_t i;

	if (n == NULL) {
		notify_probe_clear(np);
		return;
	}
	q = xmalloc(sizeof(*q));
	*q = *np;
	memset(np, 0, sizeof(*np));	/* the bodies moved to q */
	pthread_mutex_lock(&n->mu);
	full = n->count == MAX_NOTIFY_QUEUE;
	if (!full) {
		n->queue[(n->head + n->count) % MAX_NOTIFY_QUEUE] = q;
		n->count++;
		pthread_cond_signal(&n->cv);
	}
	pthread_mutex_unlock(&n->mu);
	if (full) {
		log_warnx("notify: queue full (%d probes waiting), probe "
		    "seq=%llu not considered for delivery model=%s",
		    MAX_NOTIFY_QUEUE, (unsigned long long)q->probe_seq,
		    q->model);
		for (i = 0; i < n->a->n_webhooks; i++)
			count_delivery(n->a->webhooks[i].name, "dropped");
		notify_probe_clear(q);
		free(q);
	}
}

void
notify_alert(void *arg, uint64_t seq, const uint8_t *body, size_t len)
{
	struct notify_probe np;

	if (arg == NULL)
		return;
	memset(&np, 0, sizeof(np));	/* model "": none */
	np.probe_seq = UINT64_MAX;
	np.time = (int64_t)time(NULL);
	np.healthy = true;
	notify_probe_alert(&np, seq, body, len);
	notify_submit(arg, &np);
}

/* ---- bodies ---- */

static bool
stopping(struct notify *n)
{
	bool s;

	pthread_mutex_lock(&n->mu);
	s = n->stop;
	pthread_mutex_unlock(&n->mu);
	return s;
}

static const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static uint64_t
jseq(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) >= 0 ?
	    (uint64_t)json_integer_value(v) : UINT64_MAX;
}

static json_t *
seq_json(uint64_t s)
{
	return s == UINT64_MAX ? json_null() : json_integer((json_int_t)s);
}

/* A value for a text summary: printable, cut to SUMMARY_VALUE. */
static const char *
short_value(char *out, size_t outsz, const char *v)
{
	char esc[SUMMARY_VALUE * 4 + 8];

	if (v == NULL)
		return "none";
	log_esc(esc, sizeof(esc), v, strlen(v) > SUMMARY_VALUE ?
	    SUMMARY_VALUE : strlen(v));
	snprintf(out, outsz, "%s%s", esc, strlen(v) > SUMMARY_VALUE ? "..." :
	    "");
	return out;
}

/* The dashboard link of a delivery into out, or "" without a base. */
static void
dashboard_link(const struct notify *n, const struct delivery *dl, char *out,
    size_t outsz)
{
	const char *m;
	size_t k;

	out[0] = '\0';
	if (n->a->dashboard_url == NULL)
		return;
	k = (size_t)snprintf(out, outsz, "%s/", n->a->dashboard_url);
	if (dl->model == NULL || k >= outsz)
		return;
	k += (size_t)snprintf(out + k, outsz - k, "#/model/");
	/* percent-encode all but RFC 3986 unreserved characters */
	for (m = dl->model; *m != '\0' && k + 4 < outsz; m++) {
		if ((*m >= 'A' && *m <= 'Z') || (*m >= 'a' && *m <= 'z') ||
		    (*m >= '0' && *m <= '9') || strchr("-._~", *m) != NULL)
			out[k++] = *m;
		else
			k += (size_t)snprintf(out + k, outsz - k, "%%%02X",
			    (unsigned char)*m);
	}
	out[k < outsz ? k : outsz - 1] = '\0';
}

/* One line saying what happened. */
static void
summary(const struct delivery *dl, char *out, size_t outsz)
{
	char a[SUMMARY_VALUE * 4 + 16], b[SUMMARY_VALUE * 4 + 16];
	const json_t *f;
	const char *field = NULL, *model = dl->model != NULL ? dl->model :
	    "(log)";

	f = dl->alert != NULL ? json_object_get(dl->alert, "changed_fields") :
	    NULL;
	if (json_is_array(f) && json_is_string(json_array_get(f, 0)))
		field = json_string_value(json_array_get(f, 0));
	switch (dl->state) {
	case NOTIFY_RESOLVED:
		snprintf(out, outsz, "[tmon] RESOLVED %s: healthy again "
		    "(verdict %s)", model, short_value(b, sizeof(b),
		    dl->after));
		return;
	case NOTIFY_REMINDER:
	case NOTIFY_TRIGGERED:
		break;
	case NOTIFY_NONE:
		out[0] = '\0';
		return;
	}
	if (strcmp(dl->reason, "check_failed") == 0 ||
	    strcmp(dl->reason, "verdict_changed") == 0)
		snprintf(out, outsz, "[tmon] %s%s: failing checks %s "
		    "(verdict %s -> %s)", dl->state == NOTIFY_REMINDER ?
		    "STILL FAILING " : "FAILING ", model,
		    dl->failing[0] != '\0' ? dl->failing : "none",
		    short_value(a, sizeof(a), dl->before),
		    short_value(b, sizeof(b), dl->after));
	else
		snprintf(out, outsz, "[tmon] %s %s%s%s: %s -> %s", dl->reason,
		    model, field != NULL ? " " : "", field != NULL ? field : "",
		    short_value(a, sizeof(a), dl->before),
		    short_value(b, sizeof(b), dl->after));
}

static json_t *
generic_json(const struct notify *n, const struct delivery *dl,
    const char *text)
{
	json_t *o = tjson_chk(json_object()), *f, *checks;
	char link[MAX_URL + MAX_MODEL_ID * 3 + 16], *s, *tok, *next, *eq;
	const json_t *ac;

	dashboard_link(n, dl, link, sizeof(link));
	tjson_set(o, "source", json_string("tmon"));
	tjson_set(o, "model", dl->model != NULL ? json_string(dl->model) :
	    json_null());
	tjson_set(o, "reason", json_string(dl->reason));
	tjson_set(o, "class", json_string(dl->reason));
	tjson_set(o, "state", json_string(notify_send_str(dl->state)));
	tjson_set(o, "summary", json_string(text));
	f = dl->alert != NULL ? json_object_get(dl->alert, "changed_fields") :
	    NULL;
	tjson_set(o, "changed_fields", json_is_array(f) ? json_deep_copy(f) :
	    json_array());
	tjson_set(o, "before", dl->before != NULL ? json_string(dl->before) :
	    json_null());
	tjson_set(o, "after", dl->after != NULL ? json_string(dl->after) :
	    json_null());
	ac = dl->alert != NULL ? json_object_get(dl->alert, "checks") : NULL;
	if (json_is_array(ac) && dl->state != NOTIFY_RESOLVED)
		checks = json_deep_copy(ac);
	else {
		/* the failing checks of the probe: [{"id","after"}] */
		checks = tjson_chk(json_array());
		s = xstrdup(dl->failing);
		for (tok = s; tok != NULL && *tok != '\0'; tok = next) {
			if ((next = strchr(tok, ',')) != NULL)
				*next++ = '\0';
			if ((eq = strchr(tok, '=')) == NULL)
				continue;
			*eq = '\0';
			if (json_array_append_new(checks, tjson_chk(json_pack(
			    "{s:s,s:s}", "id", tok, "after", eq + 1))) != 0)
				fatalx("notify: out of memory");
		}
		free(s);
	}
	tjson_set(o, "checks", tjson_chk(checks));
	tjson_set(o, "alert_seq", seq_json(dl->alert_seq));
	tjson_set(o, "probe_seq", seq_json(dl->probe_seq));
	tjson_set(o, "event_seq", seq_json(dl->event_seq));
	tjson_set(o, "time", json_integer((json_int_t)dl->time));
	tjson_set(o, "dashboard", link[0] != '\0' ? json_string(link) :
	    json_null());
	return o;
}

/* Slack mrkdwn: &, < and > are escaped (api.slack.com, "Formatting"). */
static void
mrkdwn(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '&')
			(void)buf_append_str(b, "&amp;");
		else if (*s == '<')
			(void)buf_append_str(b, "&lt;");
		else if (*s == '>')
			(void)buf_append_str(b, "&gt;");
		else
			(void)buf_append(b, s, 1);
	}
}

static json_t *
slack_json(const struct notify *n, const struct delivery *dl,
    const char *text)
{
	struct buf main, ctx;
	char link[MAX_URL + MAX_MODEL_ID * 3 + 16], num[64];
	json_t *o;

	buf_init(&main, MAX_NOTIFY_BODY);
	buf_init(&ctx, MAX_NOTIFY_BODY);
	mrkdwn(&main, text);
	if (dl->before != NULL || dl->after != NULL) {
		(void)buf_append_str(&main, "\n*before:* `");
		mrkdwn(&main, dl->before != NULL ? dl->before : "none");
		(void)buf_append_str(&main, "`\n*after:* `");
		mrkdwn(&main, dl->after != NULL ? dl->after : "none");
		(void)buf_append_str(&main, "`");
	}
	snprintf(num, sizeof(num), "alert #%llu",
	    (unsigned long long)dl->alert_seq);
	mrkdwn(&ctx, dl->alert_seq != UINT64_MAX ? num : "no alert entry");
	if (dl->probe_seq != UINT64_MAX) {
		snprintf(num, sizeof(num), " | probe #%llu",
		    (unsigned long long)dl->probe_seq);
		mrkdwn(&ctx, num);
	}
	dashboard_link(n, dl, link, sizeof(link));
	if (link[0] != '\0') {
		(void)buf_append_str(&ctx, " | <");
		(void)buf_append_str(&ctx, link);	/* RFC 3986 chars only */
		(void)buf_append_str(&ctx, "|dashboard>");
	}
	if (!buf_append(&main, "", 1) || !buf_append(&ctx, "", 1))
		fatalx("notify: slack body too large");
	o = tjson_chk(json_pack("{s:s,s:[{s:s,s:{s:s,s:s}},{s:s,s:[{s:s,s:s}]}]}",
	    "text", text, "blocks", "type", "section", "text", "type",
	    "mrkdwn", "text", (const char *)main.data, "type", "context",
	    "elements", "type", "mrkdwn", "text", (const char *)ctx.data));
	buf_free(&main);
	buf_free(&ctx);
	return o;
}

/*
 * The body, its Content-Type and extra header lines (ntfy) of a
 * delivery to w; *body is owned by the caller, hdr[] are owned.
 */
static void
build_body(const struct notify *n, const struct webhook_cfg *w,
    const struct delivery *dl, char **body, size_t *len, const char **ctype,
    char **hdr, size_t *nhdr)
{
	char text[1024], link[MAX_URL + MAX_MODEL_ID * 3 + 16];
	struct buf b;
	json_t *o;
	size_t hl;

	summary(dl, text, sizeof(text));
	*nhdr = 0;
	if (w->format != WEBHOOK_NTFY) {
		o = w->format == WEBHOOK_SLACK ? slack_json(n, dl, text) :
		    generic_json(n, dl, text);
		if ((*body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) ==
		    NULL)
			fatalx("notify: out of memory");
		json_decref(o);
		*len = strlen(*body);
		*ctype = "application/json";
		return;
	}
	buf_init(&b, MAX_NOTIFY_BODY);
	(void)buf_printf(&b, "%s\n", text);
	if (dl->before != NULL || dl->after != NULL)
		(void)buf_printf(&b, "before: %s\nafter: %s\n",
		    dl->before != NULL ? dl->before : "none",
		    dl->after != NULL ? dl->after : "none");
	if (dl->alert_seq != UINT64_MAX)
		(void)buf_printf(&b, "alert: #%llu\n",
		    (unsigned long long)dl->alert_seq);
	if (dl->probe_seq != UINT64_MAX)
		(void)buf_printf(&b, "probe: #%llu\n",
		    (unsigned long long)dl->probe_seq);
	if (!buf_append(&b, "", 1))
		fatalx("notify: ntfy body too large");
	*body = (char *)buf_release(&b, len);
	(*len)--;
	*ctype = "text/plain; charset=utf-8";
	hl = 256 + MAX_MODEL_ID;
	hdr[*nhdr] = xmalloc(hl);
	snprintf(hdr[(*nhdr)++], hl, "Title: tmon %s: %s", notify_send_str(
	    dl->state), dl->model != NULL ? dl->model : dl->reason);
	hdr[*nhdr] = xstrdup(dl->state == NOTIFY_TRIGGERED ? "Priority: 4" :
	    "Priority: 3");
	(*nhdr)++;
	hdr[*nhdr] = xstrdup(dl->state == NOTIFY_RESOLVED ?
	    "Tags: white_check_mark,tmon" : "Tags: warning,tmon");
	(*nhdr)++;
	dashboard_link(n, dl, link, sizeof(link));
	if (link[0] != '\0') {
		hl = strlen(link) + 8;
		hdr[*nhdr] = xmalloc(hl);
		snprintf(hdr[(*nhdr)++], hl, "Click: %s", link);
	}
}

/* ---- delivery ---- */

struct attempt {
	bool			 done;
	struct fetch_result	 res;
};

static void
attempt_done(struct fetch_result *res, void *arg)
{
	struct attempt *at = arg;

	fetch_result_move(&at->res, res);
	at->done = true;
}

/*
 * Wait ms (CLOCK_MONOTONIC), less when stopping and, with any, when
 * signalled (a probe queued); false when stopping.
 */
static bool
nap(struct notify *n, int64_t ms, bool any)
{
	struct timespec ts;
	bool s;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&n->mu);
	while (!n->stop && !(any && n->count > 0) &&
	    pthread_cond_timedwait(&n->cv, &n->mu, &ts) == 0)
		;
	s = n->stop;
	pthread_mutex_unlock(&n->mu);
	return !s;
}

/* Log the delivery entry and line, count it. */
static void
log_delivery(struct notify *n, const struct webhook_cfg *w,
    const struct delivery *dl, const char *outcome, unsigned attempts,
    long status, const char *error, const char *window)
{
	struct store_entry_in in;
	struct store_appended app;
	struct entry_delivery ed;
	struct tmon_err err;
	uint8_t *body;
	size_t len;
	int64_t now = (int64_t)time(NULL);
	char esc[256], aseq[24], dseq[24];

	memset(&ed, 0, sizeof(ed));
	ed.time = now;
	ed.model = dl->model;
	ed.webhook = w->name;
	ed.alert_seq = dl->alert_seq;
	ed.state = notify_send_str(dl->state);
	ed.outcome = outcome;
	ed.attempts = attempts;
	ed.http_status = status;
	ed.error = error;
	ed.window = window;
	body = entry_delivery_body(&ed, &len);
	memset(&in, 0, sizeof(in));
	in.kind = "delivery";
	in.time = now;
	in.model = dl->model;
	in.body = body;
	in.body_len = len;
	tmon_err_clear(&err);
	if (store_writer_append(n->w, NULL, 0, &in, 1, &app, &err) != TMON_OK) {
		log_warnx("store: delivery not logged: %s webhook=%s", err.msg,
		    w->name);
		app.seq = UINT64_MAX;
	}
	free(body);
	log_esc(esc, sizeof(esc), error != NULL ? error : "",
	    error != NULL ? strlen(error) : 0);
	if (dl->alert_seq != UINT64_MAX)
		snprintf(aseq, sizeof(aseq), "%llu",
		    (unsigned long long)dl->alert_seq);
	else
		snprintf(aseq, sizeof(aseq), "none");
	if (app.seq != UINT64_MAX)
		snprintf(dseq, sizeof(dseq), "%llu",
		    (unsigned long long)app.seq);
	else
		snprintf(dseq, sizeof(dseq), "none");
	(strcmp(outcome, "failed") == 0 ? log_warnx : log_info)("notify: %s "
	    "%s webhook=%s model=%s reason=%s alert_seq=%s attempts=%u "
	    "status=%ld seq=%s%s%s%s%s", notify_send_str(dl->state), outcome,
	    w->name, dl->model != NULL ? dl->model : "-", dl->reason, aseq,
	    attempts, status, dseq, error != NULL ? " error=" : "", esc,
	    window != NULL ? " window=" : "", window != NULL ? window : "");
	count_delivery(w->name, outcome);
}

/* One POST; true when it ended (any outcome), false when stopping. */
static bool
post_once(struct notify *n, const struct fetch_req *req, struct attempt *at)
{
	struct fetch *f;
	struct tmon_err err;
	bool ok = true;

	memset(at, 0, sizeof(*at));
	f = fetch_new();
	tmon_err_clear(&err);
	if (fetch_start(f, req, attempt_done, at, &err) != TMON_OK) {
		at->res.rc = err.code != TMON_OK ? err.code : TMON_E_INTERNAL;
		snprintf(at->res.error, sizeof(at->res.error), "%s", err.msg);
		at->done = true;
	}
	while (!at->done) {
		if (stopping(n)) {
			ok = false;
			break;
		}
		fetch_poll(f, NOTIFY_STOP_MS);
	}
	fetch_free(f);		/* aborts an attempt left running */
	return ok;
}

static void
deliver(struct notify *n, const struct webhook_cfg *w,
    const struct delivery *dl)
{
	struct fetch_req req;
	struct attempt at;
	const char *ctype, *tok = NULL, *hl[MAX_WEBHOOK_HEADERS + 4];
	char *body = NULL, *extra[4], err[300];
	size_t len = 0, nextra = 0, i;
	unsigned tries;
	int64_t backoff = BACKOFF_FIRST_MS;
	long status = 0;
	bool ok = false;

	for (i = 0; i < n->a->n_maint; i++)
		if (notify_maint_active(&n->a->maint[i], dl->model,
		    (int64_t)time(NULL))) {
			log_delivery(n, w, dl, "muted", 0, 0, NULL,
			    n->a->maint[i].name);
			return;
		}
	build_body(n, w, dl, &body, &len, &ctype, extra, &nextra);
	for (i = 0; i < w->n_headers; i++)
		hl[i] = w->headers[i];
	for (i = 0; i < nextra; i++)
		hl[w->n_headers + i] = extra[i];
	if (w->token_env != NULL && (tok = getenv(w->token_env)) != NULL &&
	    tok[0] == '\0')
		tok = NULL;
	memset(&req, 0, sizeof(req));
	req.url = w->url;
	req.method = "POST";
	req.bearer_token = tok;
	req.body = (const uint8_t *)body;
	req.body_len = len;
	req.content_type = ctype;
	req.headers = hl;
	req.n_headers = w->n_headers + nextra;
	req.connect_timeout_ms = (long)w->timeout_s * 1000;
	req.timeout_ms = (long)w->timeout_s * 1000;
	req.max_body = 64 * 1024;
	err[0] = '\0';
	for (tries = 1;; tries++) {
		if (!post_once(n, &req, &at)) {
			snprintf(err, sizeof(err), "tmond stopping");
			break;
		}
		status = at.res.status;
		if (at.res.rc == TMON_OK && status >= 200 && status < 300)
			ok = true;
		else if (at.res.rc == TMON_OK)
			snprintf(err, sizeof(err), "HTTP status %ld", status);
		else
			snprintf(err, sizeof(err), "%s", at.res.error);
		fetch_result_free(&at.res);
		if (ok || tries > w->retries)
			break;
		log_debug("notify: attempt %u failed (%s), retry in %lld ms "
		    "webhook=%s", tries, err, (long long)backoff, w->name);
		if (!nap(n, backoff, false)) {
			snprintf(err, sizeof(err), "tmond stopping");
			break;
		}
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
		    backoff * 2;
	}
	log_delivery(n, w, dl, ok ? "delivered" : "failed", tries, status,
	    ok ? NULL : err, NULL);
	for (i = 0; i < nextra; i++)
		free(extra[i]);
	free(body);
}

static ssize_t
model_index(const struct notify *n, const char *model)
{
	size_t i;

	for (i = 0; i < n->n_models; i++)
		if (strcmp(n->cfg->models[i].name, model) == 0)
			return (ssize_t)i;
	return -1;
}

static bool
is_health(const char *r)
{
	return strcmp(r, "check_failed") == 0 ||
	    strcmp(r, "verdict_changed") == 0;
}

static bool
is_one_shot(const char *r)
{
	return strcmp(r, "unexplained") == 0 || strcmp(r, "tcb_worse") == 0 ||
	    strcmp(r, "witness_conflict") == 0 ||
	    strcmp(r, "measurement_changed") == 0;
}

/* The delivery of a health incident's state change for model mi. */
static void
health_delivery(const struct notify *n, const struct notify_probe *np,
    size_t mi, enum notify_send st, struct delivery *dl)
{
	const struct model_mem *mm = &n->mem[mi];

	memset(dl, 0, sizeof(*dl));
	dl->model = np->model;
	dl->state = st;
	dl->probe_seq = np->probe_seq;
	dl->time = np->time;
	dl->failing = np->failing;
	dl->alert = mm->health_alert;
	dl->reason = mm->health_alert != NULL &&
	    jstr(mm->health_alert, "reason") != NULL ?
	    jstr(mm->health_alert, "reason") : "check_failed";
	dl->alert_seq = mm->health_seq;
	dl->event_seq = mm->health_alert != NULL ?
	    jseq(mm->health_alert, "event_seq") : UINT64_MAX;
	if (st == NOTIFY_RESOLVED) {
		if (mm->recovered_seq != UINT64_MAX)
			dl->alert_seq = mm->recovered_seq;
		dl->before = mm->last_bad[0] != '\0' ? mm->last_bad : NULL;
		dl->after = np->verdict;
	} else {
		dl->before = mm->streak_before[0] != '\0' ?
		    mm->streak_before : NULL;
		dl->after = np->verdict;
	}
}

/* Everything one logged probe (and its alerts) makes us send. */
static void
handle_probe(struct notify *n, const struct notify_probe *np)
{
	const struct webhook_cfg *w;
	struct model_mem *mm;
	struct delivery dl;
	json_t *al[NOTIFY_MAX_ALERTS];
	const char *r, *model;
	enum notify_send st;
	ssize_t mi;
	size_t i, k;
	int64_t now = (int64_t)time(NULL);

	model = np->model[0] != '\0' ? np->model : NULL;
	mi = model != NULL ? model_index(n, model) : -1;
	for (k = 0; k < np->n_alerts; k++)
		al[k] = json_loadb((const char *)np->alerts[k].body,
		    np->alerts[k].len, JSON_REJECT_DUPLICATES, NULL);
	mm = mi >= 0 ? &n->mem[mi] : NULL;
	if (mm != NULL) {
		if (!np->healthy && (mm->prev_verdict[0] == '\0' ||
		    mm->prev_healthy)) {
			/* a new unhealthy streak: forget the last one's */
			snprintf(mm->streak_before, sizeof(mm->streak_before),
			    "%s", mm->prev_verdict);
			json_decref(mm->health_alert);
			mm->health_alert = NULL;
			mm->health_seq = UINT64_MAX;
			mm->recovered_seq = UINT64_MAX;
		}
		for (k = 0; k < np->n_alerts; k++) {
			if (al[k] == NULL || (r = jstr(al[k], "reason")) ==
			    NULL)
				continue;
			if (is_health(r)) {
				json_decref(mm->health_alert);
				mm->health_alert = json_incref(al[k]);
				mm->health_seq = np->alerts[k].seq;
			} else if (strcmp(r, "recovered") == 0)
				mm->recovered_seq = np->alerts[k].seq;
		}
	}
	for (i = 0; i < n->a->n_webhooks && !stopping(n); i++) {
		w = &n->a->webhooks[i];
		if (!listed(w->models, w->n_models, model))
			continue;
		for (k = 0; k < np->n_alerts; k++) {
			if (al[k] == NULL || (r = jstr(al[k], "reason")) ==
			    NULL || !is_one_shot(r) ||
			    !listed(w->reasons, w->n_reasons, r))
				continue;
			memset(&dl, 0, sizeof(dl));
			dl.model = model;
			dl.reason = r;
			dl.state = NOTIFY_TRIGGERED;
			dl.alert_seq = np->alerts[k].seq;
			dl.probe_seq = jseq(al[k], "probe_seq");
			dl.event_seq = jseq(al[k], "event_seq");
			dl.time = np->time;
			dl.alert = al[k];
			dl.before = jstr(al[k], "from");
			dl.after = jstr(al[k], "to");
			dl.failing = "";
			deliver(n, w, &dl);
		}
		if (mi < 0 || (!listed(w->reasons, w->n_reasons,
		    "check_failed") && !listed(w->reasons, w->n_reasons,
		    "verdict_changed")))
			continue;
		st = notify_gate_probe(&n->gates[i * n->n_models + (size_t)mi],
		    w, np->healthy, now);
		if (st == NOTIFY_NONE)
			continue;
		health_delivery(n, np, (size_t)mi, st, &dl);
		deliver(n, w, &dl);
	}
	if (mm != NULL) {
		if (!np->healthy)
			snprintf(mm->last_bad, sizeof(mm->last_bad), "%s",
			    np->verdict);
		snprintf(mm->prev_verdict, sizeof(mm->prev_verdict), "%s",
		    np->verdict);
		mm->prev_healthy = np->healthy;
	}
	for (k = 0; k < np->n_alerts; k++)
		json_decref(al[k]);
}

/* Reminders due for open incidents (no probe needed). */
static void
tick(struct notify *n)
{
	const struct webhook_cfg *w;
	struct notify_probe np;
	struct delivery dl;
	size_t i, m;
	int64_t now = (int64_t)time(NULL);

	for (i = 0; i < n->a->n_webhooks; i++) {
		w = &n->a->webhooks[i];
		for (m = 0; m < n->n_models && !stopping(n); m++) {
			if (notify_gate_tick(&n->gates[i * n->n_models + m], w,
			    now) == NOTIFY_NONE)
				continue;
			memset(&np, 0, sizeof(np));
			snprintf(np.model, sizeof(np.model), "%s",
			    n->cfg->models[m].name);
			snprintf(np.verdict, sizeof(np.verdict), "%s",
			    n->mem[m].last_bad);
			np.probe_seq = UINT64_MAX;
			np.time = now;
			health_delivery(n, &np, m, NOTIFY_REMINDER, &dl);
			deliver(n, w, &dl);
		}
	}
}

static void *
run(void *arg)
{
	struct notify *n = arg;
	struct notify_probe *np;
	size_t dropped;

	for (;;) {
		np = NULL;
		pthread_mutex_lock(&n->mu);
		if (n->count == 0 && !n->stop) {
			pthread_mutex_unlock(&n->mu);
			(void)nap(n, 1000, true);
			pthread_mutex_lock(&n->mu);
		}
		if (n->stop) {
			pthread_mutex_unlock(&n->mu);
			break;
		}
		if (n->count > 0) {
			np = n->queue[n->head];
			n->head = (n->head + 1) % MAX_NOTIFY_QUEUE;
			n->count--;
		}
		pthread_mutex_unlock(&n->mu);
		if (np != NULL) {
			handle_probe(n, np);
			notify_probe_clear(np);
			free(np);
		}
		tick(n);
	}
	pthread_mutex_lock(&n->mu);
	dropped = n->count;
	while (n->count > 0) {
		np = n->queue[n->head];
		n->head = (n->head + 1) % MAX_NOTIFY_QUEUE;
		n->count--;
		notify_probe_clear(np);
		free(np);
	}
	pthread_mutex_unlock(&n->mu);
	if (dropped > 0)
		log_warnx("notify: stopping: %zu probes not considered for "
		    "delivery", dropped);
	return NULL;
}

enum tmon_rc
notify_start(const struct config *cfg, struct store_writer *w,
    struct notify **out, struct tmon_err *err)
{
	struct notify *n;
	pthread_condattr_t ca;
	size_t i;

	*out = NULL;
	if (cfg->alerts.n_webhooks == 0)
		return TMON_OK;
	n = xcalloc(1, sizeof(*n));
	n->cfg = cfg;
	n->a = &cfg->alerts;
	n->w = w;
	n->n_models = cfg->n_models;
	n->gates = xcalloc(cfg->alerts.n_webhooks * (cfg->n_models + 1),
	    sizeof(*n->gates));
	n->mem = xcalloc(cfg->n_models + 1, sizeof(*n->mem));
	for (i = 0; i < cfg->n_models; i++) {
		n->mem[i].health_seq = UINT64_MAX;
		n->mem[i].recovered_seq = UINT64_MAX;
	}
	pthread_mutex_init(&n->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&n->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((errno = pthread_create(&n->thread, NULL, run, n)) != 0) {
		tmon_err_set(err, TMON_E_INTERNAL, "notify: cannot start the "
		    "delivery thread: %s", strerror(errno));
		pthread_mutex_destroy(&n->mu);
		pthread_cond_destroy(&n->cv);
		free(n->gates);
		free(n->mem);
		free(n);
		return TMON_E_INTERNAL;
	}
	log_info("notify: %zu webhooks, %zu maintenance windows",
	    cfg->alerts.n_webhooks, cfg->alerts.n_maint);
	*out = n;
	return TMON_OK;
}

void
notify_stop(struct notify *n)
{
	size_t i;

	if (n == NULL)
		return;
	pthread_mutex_lock(&n->mu);
	n->stop = true;
	pthread_cond_broadcast(&n->cv);
	pthread_mutex_unlock(&n->mu);
	pthread_join(n->thread, NULL);
	for (i = 0; i < n->n_models; i++)
		json_decref(n->mem[i].health_alert);
	pthread_mutex_destroy(&n->mu);
	pthread_cond_destroy(&n->cv);
	free(n->gates);
	free(n->mem);
	free(n);
}
