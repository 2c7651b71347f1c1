/*
 * witness.c: sending checkpoints to witnesses (witness.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "entry.h"
#include "fetch.h"
#include "log.h"
#include "note.h"
#include "tlog.h"
#include "tmon_limits.h"
#include "witness.h"
#include "xmalloc.h"

struct witness {
	const struct witness_cfg *cfg;
	struct note_verifier	 key;
	uint64_t		 old;		/* the size it last cosigned */
	uint64_t		 done;		/* the size it cosigned for us */
	bool			 alerted;	/* since it last cosigned */
	char			 url[MAX_URL];
};

struct witnesses {
	struct witness		*w;
	size_t			 n;
	struct store_writer	*writer;
	struct store_pool	*pool;
	pthread_t		 thr;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	bool			 thr_started;
	bool			 stopping;
	bool			 kicked;
	struct witness_stats	 stats;
	/* under mu: told of each witness_conflict alert logged */
	void			(*alert_cb)(void *, uint64_t, const uint8_t *,
				    size_t);
	void			*alert_arg;
};

/* Log an alert entry for witness wt (once per checkpoint size). */
static void
conflict(struct witnesses *ws, struct witness *wt, uint64_t size,
    const char *from, const char *to)
{
	struct entry_alert a;
	struct store_entry_in in;
	struct store_appended app;
	struct tmon_err err;
	uint8_t *body;
	size_t len;

	pthread_mutex_lock(&ws->mu);
	ws->stats.conflicts++;
	pthread_mutex_unlock(&ws->mu);
	if (wt->alerted)
		return;
	wt->alerted = true;
	log_warnx("ALERT: witness %s: %s; the log has %s", wt->cfg->name, from,
	    to);
	memset(&a, 0, sizeof(a));
	a.time = (int64_t)time(NULL);
	a.reason = "witness_conflict";
	a.from = from;
	a.to = to;
	a.witness = wt->cfg->name;
	a.checkpoint_size = size;
	body = entry_alert_body(&a, &len);
	memset(&in, 0, sizeof(in));
	in.kind = "alert";
	in.time = a.time;
	in.body = body;
	in.body_len = len;
	tmon_err_clear(&err);
	if (store_writer_append(ws->writer, NULL, 0, &in, 1, &app, &err) !=
	    TMON_OK)
		log_warnx("witness %s: the alert could not be logged: %s",
		    wt->cfg->name, err.msg);
	else {
		pthread_mutex_lock(&ws->mu);
		if (ws->alert_cb != NULL)
			ws->alert_cb(ws->alert_arg, app.seq, body, len);
		pthread_mutex_unlock(&ws->mu);
	}
	free(body);
}

static void
failure(struct witnesses *ws, struct witness *wt, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
failure(struct witnesses *ws, struct witness *wt, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&ws->mu);
	ws->stats.failures++;
	pthread_mutex_unlock(&ws->mu);
	log_warnx("witness %s: %s; trying again in %d s", wt->cfg->name, msg,
	    WITNESS_RETRY_S);
}

/*
 * One add-checkpoint request of c to wt from wt->old.  Returns true when
 * it is worth asking again at once (the witness told its size).
 */
static bool
submit(struct witnesses *ws, struct store *s, struct witness *wt,
    const struct store_checkpoint *c)
{
	uint8_t proof[TLOG_MAX_PROOF][32];
	struct fetch_req req;
	struct fetch_result res;
	struct store_cosignature cs;
	struct note parsed;
	struct note_sig line;
	struct tmon_err err;
	struct buf body;
	enum note_verdict nv;
	uint64_t their, t = 0;
	size_t n = 0;
	bool again = false;
	char from[128], to[128], esc[128], *sl;

	memset(&res, 0, sizeof(res));
	buf_init(&body, MAX_FETCH_REQUEST_BODY);
	tmon_err_clear(&err);
	if (wt->old > c->size) {
		snprintf(from, sizeof(from), "it cosigned a tree of %" PRIu64
		    " entries", wt->old);
		snprintf(to, sizeof(to), "%" PRIu64 " entries", c->size);
		conflict(ws, wt, c->size, from, to);
		goto out;
	}
	if (wt->old > 0 && wt->old < c->size &&
	    tlog_prove_consistency(wt->old, c->size, store_tree_read, s,
	    proof, &n, &err) != TMON_OK) {
		failure(ws, wt, "no consistency proof from %" PRIu64 ": %s",
		    wt->old, err.msg);
		goto out;
	}
	if (note_witness_request(wt->old, (const uint8_t (*)[32])proof, n,
	    c->note, c->note_len, &body, &err) != TMON_OK) {
		failure(ws, wt, "request: %s", err.msg);
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.url = wt->url;
	req.method = "POST";
	req.body = body.data;
	req.body_len = body.len;
	req.content_type = "text/plain; charset=utf-8";
	req.timeout_ms = WITNESS_TIMEOUT_S * 1000;
	req.max_body = MAX_WITNESS_RESPONSE;
	pthread_mutex_lock(&ws->mu);
	ws->stats.requests++;
	pthread_mutex_unlock(&ws->mu);
	if (fetch_sync(&req, &res, NULL) != TMON_OK) {
		failure(ws, wt, "%s", res.error);
		goto out;
	}
	switch (res.status) {
	case 200:
		if (note_parse(c->note, c->note_len, &parsed, &err) != TMON_OK) {
			failure(ws, wt, "our own checkpoint: %s", err.msg);
			break;
		}
		nv = note_witness_cosignature(&wt->key, parsed.text,
		    parsed.text_len, res.body, res.body_len, &line, &t, &err);
		if (nv != NOTE_PASS) {
			failure(ws, wt, "answered 200 without a valid "
			    "cosignature of its key (%s: %s)",
			    note_verdict_str(nv), err.msg);
			break;
		}
		sl = xstrndup((const char *)line.line, line.line_len);
		memset(&cs, 0, sizeof(cs));
		cs.size = c->size;
		cs.name = wt->cfg->name;
		cs.time = t > INT64_MAX ? INT64_MAX : (int64_t)t;
		cs.line = sl;
		tmon_err_clear(&err);
		if (store_writer_cosign(ws->writer, &cs, &err) != TMON_OK)
			failure(ws, wt, "cosignature of %" PRIu64 " not stored: "
			    "%s", c->size, err.msg);
		else {
			wt->old = wt->done = c->size;
			wt->alerted = false;
			pthread_mutex_lock(&ws->mu);
			ws->stats.cosigned++;
			pthread_mutex_unlock(&ws->mu);
			log_info("witness %s cosigned checkpoint %" PRIu64,
			    wt->cfg->name, c->size);
		}
		free(sl);
		break;
	case 409:
		if (note_witness_conflict_parse(res.body, res.body_len, &their,
		    &err) != TMON_OK) {
			failure(ws, wt, "409 without a tree size: %s", err.msg);
			break;
		}
		if (their > c->size) {
			snprintf(from, sizeof(from), "it cosigned a tree of %"
			    PRIu64 " entries", their);
			snprintf(to, sizeof(to), "%" PRIu64 " entries",
			    c->size);
			conflict(ws, wt, c->size, from, to);
		} else if (their == wt->old) {
			failure(ws, wt, "409 naming the size sent, %" PRIu64,
			    their);
		} else {
			wt->old = their;
			again = true;
		}
		break;
	case 422:
		snprintf(from, sizeof(from), "it refused the consistency proof "
		    "from size %" PRIu64 " (HTTP 422): it saw another tree",
		    wt->old);
		snprintf(to, sizeof(to), "checkpoint %" PRIu64, c->size);
		conflict(ws, wt, c->size, from, to);
		break;
	default:
		failure(ws, wt, "HTTP %ld: %s", res.status, log_esc(esc,
		    sizeof(esc), res.body, res.body_len > 80 ? 80 :
		    res.body_len));
		break;
	}
out:
	fetch_result_free(&res);
	buf_free(&body);
	return again;
}

/* Send the latest checkpoint to every witness that lacks it. */
static void
round_once(struct witnesses *ws)
{
	struct store_checkpoint c;
	struct store *s = NULL;
	struct tmon_err err;
	size_t i, tries;

	memset(&c, 0, sizeof(c));
	tmon_err_clear(&err);
	if (store_pool_get(ws->pool, &s, &err) != TMON_OK) {
		log_warnx("witnesses: %s", err.msg);
		return;
	}
	if (store_checkpoint_latest(s, &c, &err) != TMON_OK)
		goto out;
	for (i = 0; i < ws->n; i++) {
		if (ws->w[i].done >= c.size)
			continue;
		for (tries = 0; tries < 3 && submit(ws, s, &ws->w[i], &c);
		    tries++)
			;
	}
out:
	store_checkpoint_free(&c);
	store_pool_put(ws->pool, s);
}

static void *
witness_main(void *arg)
{
	struct witnesses *ws = arg;
	struct timespec until;

	(void)pthread_setname_np(pthread_self(), "tmond-witness");
	pthread_mutex_lock(&ws->mu);
	while (!ws->stopping) {
		ws->kicked = false;
		pthread_mutex_unlock(&ws->mu);
		round_once(ws);
		pthread_mutex_lock(&ws->mu);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += WITNESS_RETRY_S;
		while (!ws->stopping && !ws->kicked)
			if (pthread_cond_timedwait(&ws->cv, &ws->mu, &until) ==
			    ETIMEDOUT)
				break;
	}
	pthread_mutex_unlock(&ws->mu);
	return NULL;
}

enum tmon_rc
witnesses_start(const struct log_cfg *lc, struct store_writer *w,
    struct store_pool *pool, struct witnesses **out, struct tmon_err *err)
{
	struct witnesses *ws;
	pthread_condattr_t ca;
	sigset_t all, old;
	size_t i;
	int e;

	*out = NULL;
	if (lc->n_witnesses == 0)
		return TMON_OK;
	ws = xcalloc(1, sizeof(*ws));
	ws->w = xcalloc(lc->n_witnesses, sizeof(*ws->w));
	ws->n = lc->n_witnesses;
	ws->writer = w;
	ws->pool = pool;
	pthread_mutex_init(&ws->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ws->cv, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; i < ws->n; i++) {
		ws->w[i].cfg = &lc->witnesses[i];
		if (note_verifier_parse(lc->witnesses[i].key,
		    strlen(lc->witnesses[i].key), &ws->w[i].key, err) !=
		    TMON_OK || (size_t)snprintf(ws->w[i].url,
		    sizeof(ws->w[i].url), "%s/add-checkpoint",
		    lc->witnesses[i].url) >= sizeof(ws->w[i].url)) {
			witnesses_free(ws);
			return tmon_err_set(err, TMON_E_CONFIG, "log.witnesses"
			    "[%zu]: bad key or URL", i);
		}
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&ws->thr, NULL, witness_main, ws);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		witnesses_free(ws);
		return tmon_err_set(err, TMON_E_INTERNAL, "witnesses: cannot "
		    "start a thread: %s", strerror(e));
	}
	ws->thr_started = true;
	*out = ws;
	return TMON_OK;
}

void
witnesses_notify(void *arg, const struct store_checkpoint *c)
{
	struct witnesses *ws = arg;

	(void)c;
	if (ws == NULL)
		return;
	pthread_mutex_lock(&ws->mu);
	ws->kicked = true;
	pthread_cond_signal(&ws->cv);
	pthread_mutex_unlock(&ws->mu);
}

void
witnesses_set_alert_cb(struct witnesses *ws,
    void (*cb)(void *, uint64_t, const uint8_t *, size_t), void *arg)
{
	if (ws == NULL)
		return;
	pthread_mutex_lock(&ws->mu);
	ws->alert_cb = cb;
	ws->alert_arg = arg;
	pthread_mutex_unlock(&ws->mu);
}

void
witnesses_stats(struct witnesses *ws, struct witness_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (ws == NULL)
		return;
	pthread_mutex_lock(&ws->mu);
	*out = ws->stats;
	pthread_mutex_unlock(&ws->mu);
}

void
witnesses_stop(struct witnesses *ws)
{
	if (ws == NULL)
		return;
	pthread_mutex_lock(&ws->mu);
	ws->stopping = true;
	pthread_cond_signal(&ws->cv);
	pthread_mutex_unlock(&ws->mu);
	if (ws->thr_started)
		pthread_join(ws->thr, NULL);
	ws->thr_started = false;
}

void
witnesses_free(struct witnesses *ws)
{
	if (ws == NULL)
		return;
	witnesses_stop(ws);
	pthread_cond_destroy(&ws->cv);
	pthread_mutex_destroy(&ws->mu);
	free(ws->w);
	free(ws);
}
