/*
 * writer.c: the one writer thread of the log (writer.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "log.h"
#include "metrics.h"
#include "tmon_limits.h"
#include "writer.h"
#include "xmalloc.h"

/* One queued request.  The arrays it names belong to its submitter. */
struct wreq {
	const struct store_blob_in	*blobs;
	size_t				 nblobs;
	const struct store_entry_in	*entries;
	size_t				 n;
	size_t				 bytes;		/* of blobs and bodies */
	/* asynchronous: done(arg, ...) on the writer thread, then freed */
	store_writer_done_fn		 done;
	void				*arg;
	/* synchronous (store_writer_append): the caller waits on done_cv
	 * until finished, then reads rc and err; out (n elements, may be
	 * NULL) receives the results */
	bool				 sync;
	bool				 finished;
	struct store_appended		*out;
	/* the outcome, on the writer thread */
	enum tmon_rc			 rc;
	struct tmon_err			 err;
	size_t				 off;		/* its results in app */
	/* a cosignature to keep (store_writer_cosign), alone in its
	 * transaction; then blobs and entries are empty */
	const struct store_cosignature	*cosig;
	struct wreq			*next;
};

struct store_writer {
	struct store		*s;		/* STORE_RW: the writer thread's */
	pthread_t		 thr;
	bool			 started;
	pthread_mutex_t		 mu;		/* everything below but the
						   batch scratch */
	pthread_cond_t		 work;		/* the thread waits on it */
	pthread_cond_t		 done_cv;	/* store_writer_append waits */
	struct wreq		*head;
	struct wreq		**tailp;
	size_t			 queued;	/* requests in the queue */
	size_t			 queued_async;
	size_t			 queued_entries;
	size_t			 queued_blobs;
	size_t			 announced;
	bool			 stopping;
	enum tmon_rc		 file_rc;	/* the last store_check_file */
	char			 file_msg[sizeof(((struct tmon_err *)0)->msg)];
	struct store_writer_stats stats;
	/* checkpoints (store_writer_set_signer); the rest of them on the
	 * writer thread only */
	struct store_writer_signer signer;
	bool			 have_signer;
	bool			 cp_due;	/* entries since the last one */
	int64_t			 cp_next_us;	/* not before then */
	/* the batch being appended (writer thread only) */
	struct wreq		*batch[MAX_APPEND_ENTRIES];
	struct store_blob_in	 blobs[MAX_APPEND_BLOBS];
	struct store_entry_in	 ents[MAX_APPEND_ENTRIES];
	struct store_appended	 app[MAX_APPEND_ENTRIES];
};

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct timespec
mono_at(int64_t us)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	return ts;
}

/* True for the errors that come from a request's own inputs. */
static bool
input_error(enum tmon_rc rc)
{
	return rc == TMON_E_PARSE || rc == TMON_E_LIMIT ||
	    rc == TMON_E_UNSUPPORTED;
}

/* Run store_check_file and publish the result (writer thread). */
static void
check_file(struct store_writer *w)
{
	struct tmon_err err;
	enum tmon_rc rc;

	tmon_err_clear(&err);
	rc = store_check_file(w->s, &err);
	pthread_mutex_lock(&w->mu);
	w->file_rc = rc;
	snprintf(w->file_msg, sizeof(w->file_msg), "%s",
	    rc == TMON_OK ? "" : err.msg);
	pthread_mutex_unlock(&w->mu);
}

/*
 * With w->mu held: wait while requests are announced and the queue is
 * not yet a full transaction, at most STORE_WRITER_GATHER_US.
 */
static void
gather(struct store_writer *w)
{
	struct timespec until;

	if (w->announced == 0 || w->stopping)
		return;
	until = mono_at(mono_us() + STORE_WRITER_GATHER_US);
	while (w->announced > 0 && !w->stopping &&
	    w->queued_entries < MAX_APPEND_ENTRIES &&
	    w->queued_blobs < MAX_APPEND_BLOBS)
		if (pthread_cond_timedwait(&w->work, &w->mu, &until) ==
		    ETIMEDOUT)
			break;
}

/* With w->mu held: move the requests of the next transaction to
 * w->batch; returns how many. */
static size_t
take_batch(struct store_writer *w)
{
	struct wreq *r;
	size_t k = 0, ne = 0, nb = 0, bytes = 0;

	if ((r = w->head) != NULL && r->cosig != NULL) {
		w->head = r->next;
		if (w->head == NULL)
			w->tailp = &w->head;
		w->queued--;
		w->batch[k++] = r;
		return k;
	}
	while ((r = w->head) != NULL && r->cosig == NULL &&
	    k < MAX_APPEND_ENTRIES &&
	    ne + r->n <= MAX_APPEND_ENTRIES &&
	    nb + r->nblobs <= MAX_APPEND_BLOBS &&
	    (k == 0 || bytes + r->bytes <= MAX_WRITER_BATCH_BYTES)) {
		w->head = r->next;
		if (w->head == NULL)
			w->tailp = &w->head;
		w->queued--;
		if (!r->sync)
			w->queued_async--;
		w->queued_entries -= r->n;
		w->queued_blobs -= r->nblobs;
		ne += r->n;
		nb += r->nblobs;
		bytes += r->bytes;
		w->batch[k++] = r;
	}
	return k;
}

/*
 * GET /metrics: count the committed entries that are events (by class)
 * and alerts (by their body's reason) in the process's registry.
 */
static void
count_entries(const struct store_entry_in *e, size_t n)
{
	char l[MAX_METRIC_LABELS];
	const char *r;
	json_t *b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(e[i].kind, "event") == 0 && e[i].cls != NULL &&
		    metrics_label(l, sizeof(l), "class", e[i].cls, NULL) > 0)
			metrics_counter_add("tmon_events_total", "Event "
			    "entries logged since tmond started, by class.", l,
			    1);
		if (strcmp(e[i].kind, "alert") != 0)
			continue;
		b = json_loadb((const char *)e[i].body, e[i].body_len, 0,
		    NULL);
		r = json_string_value(json_object_get(b, "reason"));
		if (r != NULL && metrics_label(l, sizeof(l), "reason", r,
		    NULL) > 0)
			metrics_counter_add("tmon_alerts_total", "Alert "
			    "entries logged since tmond started, by reason.",
			    l, 1);
		json_decref(b);
	}
}

/* Append w->batch[0..k) in one transaction and record each outcome. */
static void
run_batch(struct store_writer *w, size_t k)
{
	struct tmon_err err;
	struct wreq *r;
	enum tmon_rc rc;
	size_t i, ne = 0, nb = 0, tx = 0, committed = 0;

	for (i = 0; i < k; i++) {
		r = w->batch[i];
		if (r->nblobs > 0)
			memcpy(&w->blobs[nb], r->blobs,
			    r->nblobs * sizeof(w->blobs[0]));
		if (r->n > 0)
			memcpy(&w->ents[ne], r->entries,
			    r->n * sizeof(w->ents[0]));
		r->off = ne;
		nb += r->nblobs;
		ne += r->n;
	}
	if (k == 1 && w->batch[0]->cosig != NULL) {
		r = w->batch[0];
		tmon_err_clear(&r->err);
		r->rc = store_cosignature_add(w->s, r->cosig, &r->err);
		return;
	}
	tmon_err_clear(&err);
	rc = store_append(w->s, w->blobs, nb, w->ents, ne, w->app, &err);
	if (rc != TMON_OK && input_error(rc) && k > 1) {
		/* Not one request's fault alone (each was checked): give
		 * each its own outcome. */
		log_warnx("store: writer: a batch of %zu failed (%s), "
		    "appending its requests one by one", k, err.msg);
		for (i = 0; i < k; i++) {
			r = w->batch[i];
			tmon_err_clear(&r->err);
			r->rc = store_append(w->s, r->blobs, r->nblobs,
			    r->entries, r->n, &w->app[r->off], &r->err);
			if (r->rc == TMON_OK) {
				tx++;
				committed += r->n;
				count_entries(r->entries, r->n);
			}
		}
	} else
		for (i = 0; i < k; i++) {
			r = w->batch[i];
			r->rc = rc;
			r->err = err;
		}
	if (rc == TMON_OK) {
		tx = 1;
		committed = ne;
		count_entries(w->ents, ne);
	}
	pthread_mutex_lock(&w->mu);
	if (rc == TMON_OK || committed > 0)
		w->cp_due = true;
	if (rc == TMON_OK) {
		/* store_append checked the file after the commit */
		w->file_rc = TMON_OK;
		w->file_msg[0] = '\0';
		if (k > w->stats.max_batch)
			w->stats.max_batch = k;
	}
	w->stats.batches += tx;
	w->stats.entries += committed;
	pthread_mutex_unlock(&w->mu);
	if (rc != TMON_OK)
		check_file(w);
}

/* Complete w->batch[0..k): the counters, the callbacks, then the
 * waiting callers. */
static void
complete_batch(struct store_writer *w, size_t k)
{
	struct wreq *r;
	size_t i, failed = 0;

	for (i = 0; i < k; i++)
		if (w->batch[i]->rc != TMON_OK)
			failed++;
	pthread_mutex_lock(&w->mu);
	w->stats.requests += k;
	w->stats.failed += failed;
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < k; i++) {
		r = w->batch[i];
		if (r->sync)
			continue;
		r->done(r->arg, r->rc, r->rc == TMON_OK && r->n > 0 ?
		    &w->app[r->off] : NULL, r->rc == TMON_OK ? r->n : 0,
		    &r->err);
		free(r);
		w->batch[i] = NULL;
	}
	pthread_mutex_lock(&w->mu);
	for (i = 0; i < k; i++) {
		if ((r = w->batch[i]) == NULL)
			continue;
		if (r->rc == TMON_OK && r->out != NULL && r->n > 0)
			memcpy(r->out, &w->app[r->off],
			    r->n * sizeof(*r->out));
		r->finished = true;
	}
	pthread_cond_broadcast(&w->done_cv);
	pthread_mutex_unlock(&w->mu);
}

/*
 * Sign and store a checkpoint of the tree as committed, when one is due
 * (writer thread).  A failure is logged and tried again an interval
 * later; the entries stay in the log either way.
 */
static void
checkpoint(struct store_writer *w)
{
	struct store_writer_signer sg;
	struct store_checkpoint c, last;
	struct tmon_err err;
	enum tmon_rc rc;
	int64_t now_us = mono_us();
	bool due;

	memset(&sg, 0, sizeof(sg));
	pthread_mutex_lock(&w->mu);
	due = w->have_signer && w->cp_due && now_us >= w->cp_next_us;
	if (due) {
		w->cp_next_us = now_us + (int64_t)w->signer.interval_ms * 1000;
		sg = w->signer;
	}
	pthread_mutex_unlock(&w->mu);
	if (!due)
		return;
	memset(&c, 0, sizeof(c));
	tmon_err_clear(&err);
	if ((rc = store_tree_size(w->s, &c.size, &err)) != TMON_OK ||
	    c.size == 0)
		goto out;
	rc = store_checkpoint_latest(w->s, &last, &err);
	if (rc == TMON_OK) {
		bool same = last.size == c.size;

		store_checkpoint_free(&last);
		if (same) {
			pthread_mutex_lock(&w->mu);
			w->cp_due = false;
			pthread_mutex_unlock(&w->mu);
			return;
		}
	} else if (rc != TMON_E_NOTFOUND)
		goto out;
	tmon_err_clear(&err);
	c.time = (int64_t)time(NULL);
	if ((rc = store_tree_root(w->s, c.size, c.root, &err)) != TMON_OK ||
	    (rc = sg.sign(sg.arg, c.size, c.root, &c.note,
	    &c.note_len, &err)) != TMON_OK ||
	    (rc = store_checkpoint_add(w->s, &c, &err)) != TMON_OK)
		goto out;
	pthread_mutex_lock(&w->mu);
	w->cp_due = false;
	w->stats.checkpoints++;
	w->stats.checkpoint_size = c.size;
	pthread_mutex_unlock(&w->mu);
	if (sg.signed_cb != NULL)
		sg.signed_cb(sg.arg, &c);
out:
	if (rc != TMON_OK) {
		log_warnx("store: writer: no checkpoint for %" PRIu64 " entries "
		    "(%s); trying again in %u ms", c.size, err.msg,
		    sg.interval_ms);
		pthread_mutex_lock(&w->mu);
		w->stats.checkpoint_failures++;
		pthread_mutex_unlock(&w->mu);
	}
	free(c.note);
}

static void *
writer_main(void *arg)
{
	struct store_writer *w = arg;
	struct timespec until;
	int64_t next_check = mono_us() + STORE_WRITER_CHECK_MS * 1000, wake;
	size_t k;

	(void)pthread_setname_np(pthread_self(), "tmond-writer");
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->head == NULL && !w->stopping) {
			wake = next_check;
			if (w->have_signer && w->cp_due) {
				if (mono_us() >= w->cp_next_us) {
					pthread_mutex_unlock(&w->mu);
					checkpoint(w);
					pthread_mutex_lock(&w->mu);
					continue;
				}
				if (w->cp_next_us < wake)
					wake = w->cp_next_us;
			}
			if (mono_us() >= next_check) {
				pthread_mutex_unlock(&w->mu);
				check_file(w);
				pthread_mutex_lock(&w->mu);
				next_check = mono_us() +
				    STORE_WRITER_CHECK_MS * 1000;
				continue;
			}
			until = mono_at(wake);
			(void)pthread_cond_timedwait(&w->work, &w->mu, &until);
		}
		if (w->head == NULL) {
			/* the last entries get their checkpoint */
			if (w->have_signer && w->cp_due) {
				w->cp_next_us = 0;
				pthread_mutex_unlock(&w->mu);
				checkpoint(w);
				pthread_mutex_lock(&w->mu);
			}
			break;
		}
		gather(w);
		k = take_batch(w);
		pthread_mutex_unlock(&w->mu);
		run_batch(w, k);
		complete_batch(w, k);
		checkpoint(w);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void
writer_free(struct store_writer *w)
{
	store_close(w->s);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done_cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

enum tmon_rc
store_writer_start(struct store *s, struct store_writer **out,
    struct tmon_err *err)
{
	struct store_writer *w;
	pthread_condattr_t ca;
	sigset_t all, old;
	enum tmon_rc rc;
	int e;

	*out = NULL;
	w = xcalloc(1, sizeof(*w));
	w->s = s;
	w->tailp = &w->head;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->work, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&w->done_cv, NULL);
	if (s == NULL || store_handle_mode(s) != STORE_RW) {
		writer_free(w);
		return tmon_err_set(err, TMON_E_UNSUPPORTED, "store: the "
		    "writer needs a read-write handle");
	}
	if ((rc = store_check_file(s, err)) != TMON_OK) {
		writer_free(w);
		return rc;
	}
	/* Signals are for the main thread, not for the writer. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&w->thr, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		writer_free(w);
		return tmon_err_set(err, TMON_E_INTERNAL, "store: cannot start "
		    "the writer thread: %s", strerror(e));
	}
	w->started = true;
	*out = w;
	return TMON_OK;
}

/* Fill r for a request and check its inputs. */
static enum tmon_rc
req_init(struct wreq *r, const struct store_blob_in *blobs, size_t nblobs,
    const struct store_entry_in *entries, size_t n, struct tmon_err *err)
{
	enum tmon_rc rc;
	size_t i;

	memset(r, 0, sizeof(*r));
	if ((rc = store_append_check(blobs, nblobs, entries, n, err)) !=
	    TMON_OK)
		return rc;
	r->blobs = blobs;
	r->nblobs = nblobs;
	r->entries = entries;
	r->n = n;
	/* Bounded: MAX_APPEND_BLOBS * MAX_BLOB_LEN + MAX_APPEND_ENTRIES *
	 * MAX_ENTRY_BODY fits a size_t. */
	for (i = 0; i < nblobs; i++)
		r->bytes += blobs[i].len;
	for (i = 0; i < n; i++)
		r->bytes += entries[i].body_len;
	return TMON_OK;
}

/* With w->mu held: queue r and wake the thread. */
static void
enqueue(struct store_writer *w, struct wreq *r)
{
	r->next = NULL;
	*w->tailp = r;
	w->tailp = &r->next;
	w->queued++;
	if (!r->sync)
		w->queued_async++;
	w->queued_entries += r->n;
	w->queued_blobs += r->nblobs;
	pthread_cond_signal(&w->work);
}

/* With w->mu held: end one announcement. */
static void
end_announcement(struct store_writer *w)
{
	TMON_ASSERT(w->announced > 0);
	w->announced--;
	pthread_cond_signal(&w->work);
}

enum tmon_rc
store_writer_submit(struct store_writer *w, const struct store_blob_in *blobs,
    size_t nblobs, const struct store_entry_in *entries, size_t n,
    bool announced, store_writer_done_fn done, void *arg,
    struct tmon_err *err)
{
	struct wreq *r;
	enum tmon_rc rc;

	r = xmalloc(sizeof(*r));
	rc = req_init(r, blobs, nblobs, entries, n, err);
	r->done = done;
	r->arg = arg;
	pthread_mutex_lock(&w->mu);
	if (announced)
		end_announcement(w);
	if (rc == TMON_OK && w->stopping)
		rc = tmon_err_set(err, TMON_E_LIMIT, "store: the writer is "
		    "stopping");
	else if (rc == TMON_OK && w->queued_async >= MAX_WRITER_QUEUE)
		rc = tmon_err_set(err, TMON_E_LIMIT, "store: %u requests are "
		    "waiting for the writer already", MAX_WRITER_QUEUE);
	if (rc == TMON_OK)
		enqueue(w, r);
	pthread_mutex_unlock(&w->mu);
	if (rc != TMON_OK)
		free(r);
	return rc;
}

/* Queue r and wait until it is done (not on the writer thread). */
static enum tmon_rc
run_sync(struct store_writer *w, struct wreq *r, struct tmon_err *err)
{
	TMON_ASSERT(!pthread_equal(pthread_self(), w->thr));
	r->sync = true;
	pthread_mutex_lock(&w->mu);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mu);
		return tmon_err_set(err, TMON_E_LIMIT, "store: the writer is "
		    "stopping");
	}
	enqueue(w, r);
	while (!r->finished)
		pthread_cond_wait(&w->done_cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	if (r->rc != TMON_OK && err != NULL)
		*err = r->err;
	return r->rc;
}

enum tmon_rc
store_writer_append(struct store_writer *w, const struct store_blob_in *blobs,
    size_t nblobs, const struct store_entry_in *entries, size_t n,
    struct store_appended *out, struct tmon_err *err)
{
	struct wreq r;
	enum tmon_rc rc;

	if ((rc = req_init(&r, blobs, nblobs, entries, n, err)) != TMON_OK)
		return rc;
	r.out = out;
	return run_sync(w, &r, err);
}

void
store_writer_set_signer(struct store_writer *w,
    const struct store_writer_signer *signer)
{
	pthread_mutex_lock(&w->mu);
	w->signer = *signer;
	if (w->signer.interval_ms == 0)
		w->signer.interval_ms = 1;
	w->have_signer = true;
	/* a log that grew while nobody signed gets its checkpoint now */
	w->cp_due = true;
	w->cp_next_us = 0;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
}

enum tmon_rc
store_writer_cosign(struct store_writer *w, const struct store_cosignature *c,
    struct tmon_err *err)
{
	struct wreq r;

	memset(&r, 0, sizeof(r));
	r.cosig = c;
	return run_sync(w, &r, err);
}

void
store_writer_announce(struct store_writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->announced++;
	pthread_mutex_unlock(&w->mu);
}

void
store_writer_withdraw(struct store_writer *w)
{
	pthread_mutex_lock(&w->mu);
	end_announcement(w);
	pthread_mutex_unlock(&w->mu);
}

enum tmon_rc
store_writer_check_file(struct store_writer *w, struct tmon_err *err)
{
	enum tmon_rc rc;

	pthread_mutex_lock(&w->mu);
	rc = w->file_rc;
	if (rc != TMON_OK)
		(void)tmon_err_set(err, rc, "%s", w->file_msg);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

void
store_writer_stats(struct store_writer *w, struct store_writer_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->stats;
	out->queued = w->queued;
	pthread_mutex_unlock(&w->mu);
}

void
store_writer_stop(struct store_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	if (w->started)
		pthread_join(w->thr, NULL);
	if (w->stats.entries > 0)
		log_info("store: writer: %llu entries in %llu transactions "
		    "(largest %zu requests), %llu requests failed",
		    (unsigned long long)w->stats.entries,
		    (unsigned long long)w->stats.batches, w->stats.max_batch,
		    (unsigned long long)w->stats.failed);
	writer_free(w);
}
