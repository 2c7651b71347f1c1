/*
 * receipt.c: the receipt service: probe lookup, check, entry, and the
 * hand-over to the one writer (receipt.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "encode.h"
#include "entry.h"
#include "log.h"
#include "pool.h"
#include "provenance.h"
#include "receipt.h"
#include "store.h"
#include "tjson.h"
#include "util.h"
#include "verify_ctx.h"
#include "writer.h"
#include "xmalloc.h"

_Static_assert(MAX_RECEIPT_BODY <= MAX_BLOB_LEN,
    "a submitted body must fit a blob");

/* At most one warning about receipts the log refused per this long. */
#define RCPT_WARN_INTERVAL_S	10

struct rcpt {
	struct store_writer	*w;		/* borrowed */
	struct store_pool	*pool;		/* borrowed */
	/* the submitters' caches (verify_ctx.h: safe for several threads) */
	struct verify_ctx	*vc;
	pthread_mutex_t		 mu;		/* everything below */
	bool			 unwritable;	/* rcpt_set_unwritable */
	int64_t			 warned;	/* unix s of the last warning */
	uint64_t		 unwarned;	/* failures not warned about */
	/* the source of receipt.provenance (rcpt_set_provenance): read
	 * locked while a submission calls it, write locked to change it */
	pthread_rwlock_t	 prov_lk;
	rcpt_prov_fn		 prov_fn;
	void			*prov_arg;
};

/* One receipt handed to the writer: what it appends, and whom to answer. */
struct rcpt_job {
	struct rcpt		*r;
	struct store_entry_in	 in;
	struct store_blob_in	 blob;
	uint8_t			*blob_mem;	/* owned: blob.data, when it
						   is not the submitted body */
	uint8_t			*entry;		/* owned: in.body */
	char			*answer_tail;	/* owned: the 201 answer
						   after "seq" and
						   "leaf_hash" */
	char			 model[MAX_MODEL_ID];
	api_done_fn		 done;
	void			*done_arg;
};



static int
probe_cb(const struct store_entry *e, void *arg)
{
	entry_receipt_probe(e, arg);
	return 1;
}

/* The newest probe entry of model (probe->have false when none). */
static enum tmon_rc
latest_probe(struct rcpt *r, const char *model, struct rcpt_probe *probe,
    struct tmon_err *err)
{
	struct store_query q;
	struct store *st;
	enum tmon_rc rc;

	memset(probe, 0, sizeof(*probe));
	if (model == NULL || model[0] == '\0')
		return TMON_OK;
	if ((rc = store_pool_get(r->pool, &st, err)) != TMON_OK)
		return rc;
	store_query_init(&q);
	q.kind = "probe";
	q.model = model;
	q.limit = 1;
	q.newest_first = true;
	rc = store_query(st, &q, probe_cb, probe, err);
	store_pool_put(r->pool, st);
	return rc;
}

static void
answer_json(struct api_answer *ans, unsigned int status, json_t *root)
{
	char *s;

	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (s == NULL)
		fatalx("receipt: out of memory serialising json");
	ans->status = status;
	ans->json = s;
	ans->json_len = strlen(s);
}

static void
answer_error(struct api_answer *ans, unsigned int status, const char *error,
    const char *field)
{
	answer_json(ans, status, tjson_chk(json_pack("{s:s, s:o}", "error", error,
	    "field", field != NULL ? json_string(field) : json_null())));
}

/* Warn that the log refused a receipt, at most every
 * RCPT_WARN_INTERVAL_S (the rest are counted into the next warning). */
static void
warn_refused(struct rcpt *r, const char *why)
{
	int64_t now = (int64_t)time(NULL);
	uint64_t more = 0;
	bool say = false;

	pthread_mutex_lock(&r->mu);
	if (r->warned == 0 || now - r->warned >= RCPT_WARN_INTERVAL_S) {
		say = true;
		more = r->unwarned;
		r->unwarned = 0;
		r->warned = now;
	} else
		r->unwarned++;
	pthread_mutex_unlock(&r->mu);
	if (say)
		log_warnx("receipts: a receipt was not logged: %s (and %llu "
		    "more since the last warning)", why,
		    (unsigned long long)more);
}

/* Answer a committed (rc TMON_OK, app its entry) or failed job and free
 * it. */
static void
finish(struct rcpt_job *j, enum tmon_rc rc, const struct store_appended *app)
{
	struct api_answer ans;
	char hex[65];
	int n;

	memset(&ans, 0, sizeof(ans));
	if (rc == TMON_E_LIMIT)
		answer_error(&ans, 503, "receipts are not accepted right now "
		    "(stopping or overloaded); retry later", NULL);
	else if (rc != TMON_OK)
		answer_error(&ans, 503, "the receipt could not be logged; "
		    "nothing was written, retry later", NULL);
	else {
		/* {"seq":N,"leaf_hash":"..."} + the rest, built beforehand */
		hex_encode(app->leaf, 32, hex);
		n = snprintf(NULL, 0, "{\"seq\":%llu,\"leaf_hash\":\"%s\",%s",
		    (unsigned long long)app->seq, hex, j->answer_tail + 1);
		TMON_ASSERT(n > 0);
		ans.json = xmalloc((size_t)n + 1);
		snprintf(ans.json, (size_t)n + 1, "{\"seq\":%llu,"
		    "\"leaf_hash\":\"%s\",%s", (unsigned long long)app->seq,
		    hex, j->answer_tail + 1);
		ans.json_len = (size_t)n;
		ans.status = 201;
	}
	free(j->entry);
	free(j->blob_mem);
	free(j->answer_tail);
	j->done(j->done_arg, &ans);
	free(j);
}

/* store_writer_done_fn: the writer committed the job's entry, or not. */
static void
job_done(void *arg, enum tmon_rc rc, const struct store_appended *out,
    size_t n, const struct tmon_err *err)
{
	struct rcpt_job *j = arg;

	if (rc != TMON_OK)
		warn_refused(j->r, err->msg);
	else
		TMON_ASSERT(n == 1);
	finish(j, rc, out);
}

void
rcpt_set_provenance(struct rcpt *r, rcpt_prov_fn fn, void *arg)
{
	pthread_rwlock_wrlock(&r->prov_lk);
	r->prov_fn = fn;
	r->prov_arg = arg;
	pthread_rwlock_unlock(&r->prov_lk);
}

/* receipt.provenance of a Private Mode receipt p into cl, against the
 * releases the source holds for p's model. */
static void
check_provenance(struct rcpt *r, const struct rcpt_parsed *p,
    struct checklist *cl)
{
	struct prov_release *rels;
	size_t n = 0;

	if (p->fmt != RCPT_PRIVATE_MODE)
		return;
	rels = xcalloc(MAX_PROV_RELEASES, sizeof(*rels));
	pthread_rwlock_rdlock(&r->prov_lk);
	if (r->prov_fn != NULL && p->model[0] != '\0')
		n = r->prov_fn(r->prov_arg, p->model, rels, MAX_PROV_RELEASES);
	pthread_rwlock_unlock(&r->prov_lk);
	rcpt_verify_provenance(p, rels, n, cl);
	free(rels);
}

void
rcpt_set_unwritable(struct rcpt *r, bool unwritable)
{
	pthread_mutex_lock(&r->mu);
	r->unwritable = unwritable;
	pthread_mutex_unlock(&r->mu);
}

/* While the log is not writable, answer 503 at once; true if so. */
static bool
refuse_unwritable(struct rcpt *r, api_done_fn done, void *done_arg)
{
	struct api_answer ans;
	bool refuse;

	pthread_mutex_lock(&r->mu);
	refuse = r->unwritable;
	pthread_mutex_unlock(&r->mu);
	if (!refuse)
		return false;
	memset(&ans, 0, sizeof(ans));
	answer_error(&ans, 503, "the log is not writable right now (see "
	    "/healthz); nothing was written, retry later", NULL);
	done(done_arg, &ans);
	return true;
}

/* The job of a parsed and checked receipt: its entry, blob and the tail
 * of its 201 answer. */
static struct rcpt_job *
build_job(struct rcpt *r, const struct rcpt_parsed *p,
    const struct rcpt_probe *probe, const struct checklist *cl,
    const uint8_t *body, size_t len)
{
	struct rcpt_job *job;
	const uint8_t *blob;
	uint8_t md[32];
	json_t *tail;
	char hex[65];
	size_t blen;
	int64_t now = (int64_t)time(NULL);

	job = xcalloc(1, sizeof(*job));
	job->r = r;
	blob = entry_receipt_blob(p, body, len, &job->blob_mem, &blen);
	sha256(blob, blen, md);
	job->entry = entry_receipt_checked_body(p, probe, cl, now, md, blen,
	    &job->in.body_len);
	job->in.body = job->entry;
	job->in.kind = "receipt";
	job->in.time = now;
	job->in.verdict = check_status_str(checklist_verdict(cl));
	if (p->model[0] != '\0') {
		/* p is freed before the append: the job keeps the model. */
		snprintf(job->model, sizeof(job->model), "%s", p->model);
		job->in.model = job->model;
	}
	job->blob.data = blen > 0 ? blob : (const uint8_t *)"";
	job->blob.len = blen;
	job->blob.media_type = "application/json";
	tail = tjson_chk(json_object());
	tjson_set(tail, "verdict", json_string(job->in.verdict));
	tjson_set(tail, "checks", entry_checks_json(cl));
	tjson_set(tail, "submitted_sha256", json_string(hex_encode(md, 32, hex)));
	tjson_set(tail, "stored", json_string(rcpt_keeps_whole(p) ? "whole" :
	    "without_bytes"));
	job->answer_tail = json_dumps(tail, JSON_COMPACT);
	json_decref(tail);
	if (job->answer_tail == NULL || job->answer_tail[0] != '{')
		fatalx("receipt: out of memory serialising json");
	return job;
}

void
rcpt_submit(struct rcpt *r, const uint8_t *body, size_t len,
    const char *model, api_done_fn done, void *done_arg)
{
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	struct rcpt_probe probe;
	struct checklist *cl;
	struct rcpt_job *job;
	struct api_answer ans;
	struct tmon_err err;
	enum tmon_rc rc;

	if (refuse_unwritable(r, done, done_arg))
		return;
	memset(&ans, 0, sizeof(ans));
	if (rcpt_parse(body, len, model, &p, &rej) != TMON_OK) {
		answer_error(&ans, rej.status, rej.error, rej.field);
		done(done_arg, &ans);
		return;
	}
	/* From here on this receipt is coming: the writer may wait for it
	 * to share a commit with others. */
	store_writer_announce(r->w);
	tmon_err_clear(&err);
	if (latest_probe(r, p.model, &probe, &err) != TMON_OK) {
		log_warnx("receipts: probe lookup: %s", err.msg);
		store_writer_withdraw(r->w);
		rcpt_parsed_free(&p);
		answer_error(&ans, 500, "internal error reading the log", NULL);
		done(done_arg, &ans);
		return;
	}
	cl = xmalloc(sizeof(*cl));
	checklist_init(cl);
	rcpt_verify(r->vc, &p, &probe, cl);
	check_provenance(r, &p, cl);
	job = build_job(r, &p, &probe, cl, body, len);
	job->done = done;
	job->done_arg = done_arg;
	free(cl);
	rcpt_parsed_free(&p);
	tmon_err_clear(&err);
	if ((rc = store_writer_submit(r->w, &job->blob, 1, &job->in, 1, true,
	    job_done, job, &err)) != TMON_OK) {
		if (rc != TMON_E_LIMIT)
			warn_refused(r, err.msg);
		finish(job, rc, NULL);
	}
}

/* For rcpt_submit_wait: the answer and a flag, under a mutex. */
struct waiter {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	bool			 done;
	struct api_answer	*ans;
};

static void
wait_done(void *arg, struct api_answer *ans)
{
	struct waiter *w = arg;

	pthread_mutex_lock(&w->mu);
	*w->ans = *ans;
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void
rcpt_submit_wait(struct rcpt *r, const uint8_t *body, size_t len,
    const char *model, struct api_answer *ans)
{
	struct waiter w;

	memset(ans, 0, sizeof(*ans));
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	w.ans = ans;
	rcpt_submit(r, body, len, model, wait_done, &w);
	pthread_mutex_lock(&w.mu);
	while (!w.done)
		pthread_cond_wait(&w.cv, &w.mu);
	pthread_mutex_unlock(&w.mu);
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
}

enum tmon_rc
rcpt_start(struct store_writer *w, struct store_pool *pool, struct rcpt **out,
    struct tmon_err *err)
{
	struct rcpt *r;

	*out = NULL;
	if (w == NULL || pool == NULL)
		return tmon_err_set(err, TMON_E_CONFIG, "receipts: no writer "
		    "or no read-only pool");
	r = xcalloc(1, sizeof(*r));
	r->w = w;
	r->pool = pool;
	r->vc = verify_ctx_new();
	pthread_mutex_init(&r->mu, NULL);
	pthread_rwlock_init(&r->prov_lk, NULL);
	*out = r;
	return TMON_OK;
}

void
rcpt_stop(struct rcpt *r)
{
	if (r == NULL)
		return;
	if (r->unwarned > 0)
		log_warnx("receipts: %llu more receipts were not logged",
		    (unsigned long long)r->unwarned);
	pthread_mutex_destroy(&r->mu);
	pthread_rwlock_destroy(&r->prov_lk);
	verify_ctx_free(r->vc);
	free(r);
}

static void
api_submit(void *arg, const uint8_t *body, size_t len, const char *model,
    api_done_fn done, void *done_arg)
{
	rcpt_submit(arg, body, len, model, done, done_arg);
}

static void
api_free_cb(void *arg)
{
	rcpt_stop(arg);
}

enum tmon_rc
rcpt_attach(struct store_writer *w, struct store_pool *pool,
    struct api_config *ac, struct tmon_err *err)
{
	struct rcpt *r;
	enum tmon_rc rc;

	if ((rc = rcpt_start(w, pool, &r, err)) != TMON_OK)
		return rc;
	ac->receipt_submit = api_submit;
	ac->receipt_free = api_free_cb;
	ac->receipt_arg = r;
	return TMON_OK;
}
