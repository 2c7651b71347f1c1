/*
 * cmd_audit.c: tmonctl audit, the read-only check of a whole log: the
 * stored bytes (store_verify), then every probe, receipt and collateral
 * verdict re-derived from its stored evidence (audit.h), over -j
 * threads.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "audit_tiles.h"
#include "config.h"
#include "ctl.h"
#include "ctl_provenance.h"
#include "encode.h"
#include "note.h"
#include "sigstore_root.h"
#include "store.h"
#include "tmon_limits.h"
#include "util.h"
#include "verify_ctx.h"
#include "xmalloc.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

static int	audit(int, char *[]);

const struct ctl_cmd ctl_cmd_audit = {
	"audit",
	"DB-or-URL [--config FILE] [--trusted-root FILE] [-j N] "
	"[--no-rederive | --hashes-only] [--key VKEY] [--from-checkpoint FILE]",
	"Check a whole log, read-only: its stored bytes, and that every "
	"verdict follows from its evidence.",
	"Checks integrity_check, every leaf hash, the hash chain, the indexed "
	"columns\n"
	"(kind, model, verdict, time) against the bodies, and every blob "
	"hash.  Then\n"
	"re-runs the verification of every probe, receipt, collateral and "
	"provenance\n"
	"entry from its stored blobs (and the collateral and releases logged "
	"before\n"
	"it), at the entry's own time, with the code tmond uses, and reports "
	"every\n"
	"entry whose stored verdict or checks do not follow from its "
	"evidence.  A\n"
	"progress bar goes to stderr when it is a terminal; a summary ends "
	"the output.\n"
	"DB-or-URL may also be a log served as C2SP tlog-tiles: tmond's\n"
	"http://HOST:PORT/api/v1/log, a mirror's URL, or a directory "
	"export-tiles\n"
	"wrote (with its checkpoint file): then --key is required, every entry bundle is hashed into the "
	"tree\n"
	"(-j N fetches at a time), every hash tile and the checkpoint (and "
	"from\n"
	"tmond every listed checkpoint) must match it, and verdicts are not\n"
	"re-derived (tiles carry no evidence: exit 3 unless --no-rederive).\n\n"
	"  --config FILE    tmond's configuration when the entries were "
	"made: entries\n"
	"                   verified against a test PKI (tmon-sim) are re-run "
	"with its\n"
	"                   test_trust_anchors, and measurement.policy with "
	"the\n"
	"                   allow-lists of its models (without it, or for a "
	"model it\n"
	"                   does not list, measurement.policy is taken as "
	"recorded)\n"
	"  --trusted-root FILE\n"
	"                   the Sigstore trusted root provenance entries are "
	"re-verified\n"
	"                   against (default: the installed "
	CTL_SIGSTORE_ROOT_REL ";\n"
	"                   tmon-sim's is PKI_DIR/sigstore/trusted_root.json); "
	"an entry\n"
	"                   verified against another root is not re-checked\n"
	"  -j N             threads re-deriving (1 to "
	STR(MAX_AUDIT_THREADS) "; default: the online\n"
	"                   CPUs)\n"
	"  --no-rederive    check the stored bytes only\n"
	"  --hashes-only    check only what the hashes prove: every leaf "
	"from its body,\n"
	"                   the chain, the Merkle tree and the checkpoints "
	"(no columns,\n"
	"                   blobs, integrity_check or re-derivation)\n"
	"  --key VKEY       the log's verifier key (tmonctl log-key, GET "
	"/api/v1/log/key):\n"
	"                   every stored checkpoint must be a checkpoint of "
	"the log,\n"
	"                   signed by it, of the rebuilt tree's root at its "
	"size;\n"
	"                   without it, a log with checkpoints exits 3\n"
	"  --from-checkpoint FILE\n"
	"                   a checkpoint saved earlier (GET "
	"/api/v1/log/checkpoint),\n"
	"                   signed by --key: the log must still hold its "
	"tree\n"
	"                   (an earlier root changed, or a log rolled back "
	"past it,\n"
	"                   is exit 1)\n",
	"exit: 0 the log verifies and every verdict follows from its "
	"evidence\n"
	"      1 it is damaged, or a stored verdict or check does not follow "
	"from its\n"
	"        evidence (the first bad seq is named)\n"
	"      3 nothing is wrong, but an entry could not be re-checked (its "
	"evidence\n"
	"        is missing, a format this build does not read, a test PKI "
	"without\n"
	"        --config)\n"
	"      2 usage or I/O error, or DB is not a tmon log\n",
	audit
};

/* Entries one worker reads in one statement. */
#define AUDIT_CHUNK	64

/* What the options ask for. */
struct audit_opts {
	const char	*db;
	const char	*config;
	const char	*key;		/* the log's verifier key */
	const char	*from_checkpoint;
	const char	*trusted_root;	/* --trusted-root, or NULL */
	struct note_verifier vkey;
	unsigned	 threads;
	bool		 rederive;
	bool		 hashes_only;
};

/* The problems kept to print: the AUDIT_MAX_REPORTS lowest seqs. */
struct problems {
	uint64_t	 count;
	size_t		 n;
	struct {
		uint64_t	seq;
		char		msg[AUDIT_MSG];
	}		 p[STORE_VERIFY_MAX_REPORTS];
};

enum { K_PROBE, K_RECEIPT, K_COLLATERAL, K_PROVENANCE, K_ALERT, NKINDS };
static const char *const kind_names[NKINDS] = { "probe", "receipt",
    "collateral", "provenance", "alert" };

/* What the workers share (under mu). */
struct shared {
	const struct audit_opts	*o;
	struct verify_ctx	*vc;
	struct audit_config	 acfg;
	uint64_t		 size;
	pthread_mutex_t		 mu;
	uint64_t		 next;		/* the next chunk's first seq */
	uint64_t		 done;		/* entries done */
	unsigned		 running;	/* workers not finished */
	uint64_t		 count[NKINDS][AUDIT_FOLLOWS + 1];
	double			 cpu[NKINDS];	/* thread CPU seconds */
	uint64_t		 unreadable;	/* damaged: store_verify says */
	struct problems		 differs;
	struct problems		 unchecked;
	enum tmon_rc		 rc;		/* the first store failure */
	char			 why[256];
};

/* store_verify's problems: the first one, and the first about an entry
 * (entries are checked in seq order). */
struct audit_first {
	char	any[256];
	char	entry[256];
	uint64_t entry_seq;			/* entry's, or STORE_NO_SEQ */
	const struct note_verifier *vkey;	/* --key, or NULL */
	uint64_t checkpoints;			/* notes checked */
	pthread_mutex_t mu;			/* parts on threads */
};

/* store_verify report: one line per problem. */
static void
audit_report(void *arg, uint64_t seq, const char *msg)
{
	struct audit_first *f = arg;

	pthread_mutex_lock(&f->mu);
	if (f->any[0] == '\0')
		snprintf(f->any, sizeof(f->any), "%s", msg);
	if (seq != STORE_NO_SEQ && seq < f->entry_seq) {
		snprintf(f->entry, sizeof(f->entry), "%s", msg);
		f->entry_seq = seq;
	}
	printf("damaged: %s\n", msg);
	pthread_mutex_unlock(&f->mu);
}

static void
problem_add(struct problems *ps, uint64_t seq, const char *msg)
{
	size_t i, worst = 0;

	ps->count++;
	if (ps->n < STORE_VERIFY_MAX_REPORTS)
		worst = ps->n++;
	else {
		for (i = 1; i < ps->n; i++)
			if (ps->p[i].seq > ps->p[worst].seq)
				worst = i;
		if (ps->p[worst].seq < seq)
			return;
	}
	ps->p[worst].seq = seq;
	snprintf(ps->p[worst].msg, sizeof(ps->p[worst].msg), "%s", msg);
}

static int
problem_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
now_s(void)
{
	return ctl_clock_s(CLOCK_MONOTONIC);
}

/* ---- the workers ------------------------------------------------------ */

struct chunk {
	struct store_entry	e[AUDIT_CHUNK];
	size_t			n;
};

/* store_query callback: a copy of each entry into the chunk. */
static int
chunk_cb(const struct store_entry *e, void *arg)
{
	struct chunk *c = arg;
	struct store_entry *d = &c->e[c->n++];

	*d = *e;
	d->model = e->model != NULL ? xstrdup(e->model) : NULL;
	d->verdict = e->verdict != NULL ? xstrdup(e->verdict) : NULL;
	d->cls = e->cls != NULL ? xstrdup(e->cls) : NULL;
	d->body = xmemdup(e->body, e->body_len);
	return c->n == AUDIT_CHUNK;
}

static void
chunk_free(struct chunk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		store_entry_free(&c->e[i]);
	c->n = 0;
}

/*
 * Read the entries [first, end) into c.  An entry that cannot be read
 * back (damaged: store_verify reports it) is left out and counted in
 * *unreadable.  Errors: those of the store (TMON_E_DB, TMON_E_TIMEOUT).
 */
static enum tmon_rc
chunk_read(struct store *s, uint64_t first, uint64_t end, struct chunk *c,
    uint64_t *unreadable, struct tmon_err *err)
{
	struct store_query q;
	struct tmon_err e;
	enum tmon_rc rc;
	uint64_t seq;

	c->n = 0;
	*unreadable = 0;
	store_query_init(&q);
	q.after_seq = first > 0 ? first - 1 : UINT64_MAX;
	q.before_seq = end;
	tmon_err_clear(&e);
	if ((rc = store_query(s, &q, chunk_cb, c, &e)) == TMON_OK &&
	    c->n == end - first)
		return TMON_OK;
	if (rc != TMON_OK && rc != TMON_E_PARSE)
		return tmon_err_set(err, rc, "%s", e.msg);
	/* a damaged row (or a gap) stops the query: one by one */
	chunk_free(c);
	for (seq = first; seq < end; seq++) {
		tmon_err_clear(&e);
		rc = store_entry_get(s, seq, &c->e[c->n], &e);
		if (rc == TMON_OK)
			c->n++;
		else if (rc == TMON_E_PARSE || rc == TMON_E_NOTFOUND)
			(*unreadable)++;
		else {
			chunk_free(c);
			return tmon_err_set(err, rc, "%s", e.msg);
		}
	}
	return TMON_OK;
}

static int
kind_index(const char *k)
{
	int i;

	for (i = 0; i < NKINDS; i++)
		if (strcmp(k, kind_names[i]) == 0)
			return i;
	return K_ALERT;
}

static void *
worker(void *arg)
{
	struct shared *sh = arg;
	struct audit_ctx *a = NULL;
	struct audit_result *res = xmalloc(sizeof(*res));
	struct chunk *c = xcalloc(1, sizeof(*c));
	struct store *s = NULL;
	struct tmon_err err;
	uint64_t first, end, unreadable;
	enum tmon_rc rc;
	double cpu;
	size_t i;
	int k;

	tmon_err_clear(&err);
	/* one handle per thread (store.h) */
	if ((rc = store_open(sh->o->db, STORE_RO, &s, &err)) != TMON_OK)
		goto out;
	a = audit_ctx_new(s, sh->vc, &sh->acfg);
	for (;;) {
		pthread_mutex_lock(&sh->mu);
		first = sh->next;
		end = sh->size - first > AUDIT_CHUNK ? first + AUDIT_CHUNK :
		    sh->size;
		sh->next = end;
		rc = sh->rc;
		pthread_mutex_unlock(&sh->mu);
		if (first >= end || rc != TMON_OK)
			break;
		if ((rc = chunk_read(s, first, end, c, &unreadable, &err)) !=
		    TMON_OK)
			goto out;
		for (i = 0; i < c->n; i++) {
			k = kind_index(c->e[i].kind);
			cpu = ctl_clock_s(CLOCK_THREAD_CPUTIME_ID);
			if ((rc = audit_entry(a, &c->e[i], res, &err)) !=
			    TMON_OK)
				goto out;
			cpu = ctl_clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu;
			pthread_mutex_lock(&sh->mu);
			sh->count[k][res->outcome]++;
			sh->cpu[k] += cpu;
			if (res->outcome == AUDIT_DIFFERS)
				problem_add(&sh->differs, c->e[i].seq,
				    res->msg);
			else if (res->outcome == AUDIT_UNCHECKED)
				problem_add(&sh->unchecked, c->e[i].seq,
				    res->msg);
			pthread_mutex_unlock(&sh->mu);
		}
		pthread_mutex_lock(&sh->mu);
		sh->done += end - first;
		sh->unreadable += unreadable;
		pthread_mutex_unlock(&sh->mu);
		chunk_free(c);
	}
	rc = TMON_OK;
out:
	pthread_mutex_lock(&sh->mu);
	if (rc != TMON_OK && sh->rc == TMON_OK) {
		sh->rc = rc;
		snprintf(sh->why, sizeof(sh->why), "%s", err.msg);
	}
	sh->running--;
	pthread_mutex_unlock(&sh->mu);
	chunk_free(c);
	free(c);
	free(res);
	audit_ctx_free(a);
	store_close(s);
	return NULL;
}

/* The progress line on stderr (a terminal): done / total, rate. */
static void
progress(uint64_t done, uint64_t total, double t0)
{
	double dt = now_s() - t0, f = total > 0 ? (double)done /
	    (double)total : 1.0;
	char bar[25];
	size_t i, n = (size_t)(f * (double)(sizeof(bar) - 1));

	for (i = 0; i + 1 < sizeof(bar); i++)
		bar[i] = i < n ? '#' : '.';
	bar[sizeof(bar) - 1] = '\0';
	fprintf(stderr, "\r\033[Kaudit: [%s] %llu/%llu entries (%.0f%%), "
	    "%.0f entries/s", bar, (unsigned long long)done,
	    (unsigned long long)total, 100.0 * f, dt > 0 ? (double)done / dt :
	    0.0);
	fflush(stderr);
}

/*
 * Re-derive every entry below sh->size over sh->o->threads threads.
 * Returns TMON_OK, or the first store failure (sh->why).
 */
static enum tmon_rc
rederive(struct shared *sh, double *secs)
{
	pthread_t *th;
	unsigned i, started = 0;
	bool tty = isatty(STDERR_FILENO) == 1;
	double t0 = now_s();
	uint64_t done;
	unsigned running;
	struct timespec nap = { 0, 200 * 1000 * 1000 };

	th = xcalloc(sh->o->threads, sizeof(*th));
	sh->running = sh->o->threads;
	for (i = 0; i < sh->o->threads; i++) {
		if (pthread_create(&th[i], NULL, worker, sh) != 0)
			break;
		started++;
	}
	pthread_mutex_lock(&sh->mu);
	sh->running -= sh->o->threads - started;
	if (started == 0) {
		sh->rc = TMON_E_INTERNAL;
		snprintf(sh->why, sizeof(sh->why), "no thread could start");
	}
	pthread_mutex_unlock(&sh->mu);
	for (;;) {
		pthread_mutex_lock(&sh->mu);
		done = sh->done;
		running = sh->running;
		pthread_mutex_unlock(&sh->mu);
		if (tty)
			progress(done, sh->size, t0);
		if (running == 0)
			break;
		nanosleep(&nap, NULL);
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	if (tty)
		fprintf(stderr, "\r\033[K");
	*secs = now_s() - t0;
	return sh->rc;
}

/* ---- the command ------------------------------------------------------ */

/* audit_config.policy: the allow-lists of the model called model. */
static const struct measurement_policy *
config_policy(void *arg, const char *model, bool *known)
{
	const struct config *cfg = arg;
	size_t i;

	for (i = 0; i < cfg->n_models; i++)
		if (strcmp(cfg->models[i].name, model) == 0) {
			*known = true;
			return cfg->models[i].has_policy ?
			    &cfg->models[i].policy : NULL;
		}
	*known = false;
	return NULL;
}

static void
print_problems(const char *what, struct problems *ps)
{
	size_t i;

	qsort(ps->p, ps->n, sizeof(ps->p[0]), problem_cmp);
	for (i = 0; i < ps->n; i++)
		printf("%s: %s\n", what, ps->p[i].msg);
	if (ps->count > ps->n)
		printf("%s: ... and %llu more\n", what,
		    (unsigned long long)(ps->count - ps->n));
}

/* The summary of the re-derivation. */
static void
print_summary(const struct shared *sh, double secs)
{
	uint64_t n = 0, f = 0, d = 0, u = 0, z = 0, k;
	int i;

	printf("re-derived:");
	for (i = 0; i < NKINDS; i++) {
		k = sh->count[i][AUDIT_FOLLOWS] + sh->count[i][AUDIT_DIFFERS] +
		    sh->count[i][AUDIT_UNCHECKED] + sh->count[i][AUDIT_NOTHING];
		n += k;
		f += sh->count[i][AUDIT_FOLLOWS];
		d += sh->count[i][AUDIT_DIFFERS];
		u += sh->count[i][AUDIT_UNCHECKED];
		z += sh->count[i][AUDIT_NOTHING];
		printf(" %llu %s%s", (unsigned long long)k, kind_names[i],
		    i + 1 < NKINDS ? "," : "");
	}
	printf(" (%llu entries)\n", (unsigned long long)n);
	printf("  %llu follow from their evidence, %llu do not, %llu could "
	    "not be re-checked, %llu have nothing to re-derive (alerts)",
	    (unsigned long long)f, (unsigned long long)d,
	    (unsigned long long)u, (unsigned long long)z);
	if (sh->unreadable > 0)
		printf(", %llu unreadable (damaged)",
		    (unsigned long long)sh->unreadable);
	printf("\n  %.2f s, %.0f entries/s on %u thread%s (%.0f per "
	    "thread)\n", secs, secs > 0 ? (double)n / secs : 0.0,
	    sh->o->threads, sh->o->threads == 1 ? "" : "s", secs > 0 ?
	    (double)n / secs / sh->o->threads : 0.0);
	printf("  per second of CPU:");
	for (i = 0; i < NKINDS; i++) {
		k = sh->count[i][AUDIT_FOLLOWS] + sh->count[i][AUDIT_DIFFERS] +
		    sh->count[i][AUDIT_UNCHECKED] + sh->count[i][AUDIT_NOTHING];
		if (k > 0 && sh->cpu[i] > 0)
			printf(" %s %.0f", kind_names[i], (double)k /
			    sh->cpu[i]);
	}
	printf("\n");
}

/* store_verify's checkpoint check: a checkpoint note of the log, signed
 * by --key, naming the stored size and root. */
static bool
check_checkpoint(void *arg, const struct store_checkpoint *c, char *why,
    size_t whysz)
{
	struct audit_first *f = arg;
	struct note_policy pol;
	struct note_checkpoint cp;
	struct tmon_err err;
	enum note_verdict nv;

	pthread_mutex_lock(&f->mu);
	f->checkpoints++;
	pthread_mutex_unlock(&f->mu);
	memset(&pol, 0, sizeof(pol));
	pol.log = f->vkey;
	tmon_err_clear(&err);
	nv = note_checkpoint_open(c->note, c->note_len, &pol, &cp, NULL, &err);
	if (nv != NOTE_PASS) {
		snprintf(why, whysz, "its note is not a checkpoint signed by "
		    "--key: %s: %s", note_verdict_str(nv), err.msg);
		return false;
	}
	if (cp.size != c->size || memcmp(cp.root, c->root, 32) != 0) {
		snprintf(why, whysz, "its note names size %" PRIu64 " and "
		    "another root than its row", cp.size);
		return false;
	}
	return true;
}

/* --from-checkpoint: a checkpoint signed by --key, pinned in vo. */
static bool
load_pin(const struct audit_opts *o, struct store_verify_opts *vo)
{
	struct note_policy pol;
	struct note_checkpoint cp;
	struct tmon_err err;
	enum note_verdict nv;
	uint8_t *text = NULL;
	size_t len;

	tmon_err_clear(&err);
	if (read_file(o->from_checkpoint, MAX_NOTE_LEN, &text, &len, &err) !=
	    TMON_OK) {
		fprintf(stderr, "tmonctl: audit: --from-checkpoint: %s\n",
		    err.msg);
		return false;
	}
	memset(&pol, 0, sizeof(pol));
	pol.log = &o->vkey;
	nv = note_checkpoint_open(text, len, &pol, &cp, NULL, &err);
	free(text);
	if (nv != NOTE_PASS) {
		fprintf(stderr, "tmonctl: audit: --from-checkpoint %s: not a "
		    "checkpoint signed by --key: %s: %s\n", o->from_checkpoint,
		    note_verdict_str(nv), err.msg);
		return false;
	}
	vo->has_pin = true;
	vo->pin_size = cp.size;
	memcpy(vo->pin_root, cp.root, 32);
	return true;
}

/* One part of the stored-bytes check on its own read-only handle. */
struct vpart {
	const char		*db;
	struct store_verify_opts vo;
	struct store_verify_result res;
	struct tmon_err		 err;
	enum tmon_rc		 rc;
	pthread_t		 thr;
	bool			 started;
};

static void *
vpart_main(void *arg)
{
	struct vpart *p = arg;
	struct store *s = NULL;

	tmon_err_clear(&p->err);
	memset(&p->res, 0, sizeof(p->res));
	p->res.first_bad_seq = STORE_NO_SEQ;
	if ((p->rc = store_open(p->db, STORE_RO, &s, &p->err)) == TMON_OK)
		p->rc = store_verify(s, &p->vo, &p->res, &p->err);
	store_close(s);
	return NULL;
}

/*
 * store_verify over nthreads threads: the entries split into ranges
 * (each continuing the chain from the stored hash before it), and the
 * tree, checkpoints, blobs and integrity_check on one more; their
 * results merged as one store_verify gives them.
 */
static enum tmon_rc
verify_parallel(const char *db, const struct store_verify_opts *base,
    unsigned nthreads, struct store_verify_result *res, struct tmon_err *err)
{
	struct vpart *p;
	struct store *s = NULL;
	uint64_t size = 0, per;
	enum tmon_rc rc = TMON_OK;
	unsigned i, n = nthreads + 1, bad = n;

	if ((rc = store_open(db, STORE_RO, &s, err)) != TMON_OK)
		return rc;
	rc = store_tree_size(s, &size, err);
	store_close(s);
	if (rc != TMON_OK)
		size = 0;
	per = size / nthreads + 1;
	p = xcalloc(n, sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].db = db;
		p[i].vo = *base;
		if (i == 0)
			p[i].vo.flags |= STORE_VERIFY_NO_ENTRIES;
		else {
			/* blobs are re-hashed once, by part 0 */
			p[i].vo.flags = (base->flags & STORE_VERIFY_HASHES) |
			    STORE_VERIFY_BLOBS | STORE_VERIFY_NO_TREE;
			p[i].vo.first = (i - 1) * per;
			p[i].vo.end = i == nthreads ? (uint64_t)INT64_MAX :
			    i * per;
		}
		if (pthread_create(&p[i].thr, NULL, vpart_main, &p[i]) == 0)
			p[i].started = true;
		else
			vpart_main(&p[i]);
	}
	memset(res, 0, sizeof(*res));
	res->first_bad_seq = STORE_NO_SEQ;
	rc = TMON_OK;
	for (i = 0; i < n; i++) {
		if (p[i].started)
			pthread_join(p[i].thr, NULL);
		if (p[i].rc != TMON_OK && p[i].rc != TMON_E_PARSE &&
		    rc == TMON_OK) {
			rc = p[i].rc;
			*err = p[i].err;
		}
		if (p[i].res.size > res->size)
			res->size = p[i].res.size;
		res->entries += p[i].res.entries;
		res->blobs += p[i].res.blobs;
		res->problems += p[i].res.problems;
		if (p[i].res.problems > 0 && (bad == n ||
		    p[i].res.first_bad_seq < p[bad].res.first_bad_seq))
			bad = i;
		if (p[i].res.first_bad_seq < res->first_bad_seq)
			res->first_bad_seq = p[i].res.first_bad_seq;
		if (i == 0) {
			res->tree_leaves = p[i].res.tree_leaves;
			res->checkpoints = p[i].res.checkpoints;
			res->last_checkpoint = p[i].res.last_checkpoint;
		} else if (p[i].res.entries > 0)
			memcpy(res->head, p[i].res.head, 32);
	}
	if (rc == TMON_OK && res->problems > 0) {
		rc = TMON_E_PARSE;
		*err = p[bad].err;
	}
	free(p);
	return rc;
}

static bool
parse_opts(int argc, char *argv[], struct audit_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "from-checkpoint", required_argument, NULL, 'f' },
		{ "trusted-root", required_argument, NULL, 't' },
		{ "no-rederive", no_argument, NULL, 'n' },
		{ "hashes-only", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t j;
	long cpus;
	int ch;

	memset(o, 0, sizeof(*o));
	o->rederive = true;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	o->threads = cpus < 1 ? 1 : cpus > MAX_AUDIT_THREADS ?
	    MAX_AUDIT_THREADS : (unsigned)cpus;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "j:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'f':
			o->from_checkpoint = optarg;
			break;
		case 't':
			o->trusted_root = optarg;
			break;
		case 'n':
			o->rederive = false;
			break;
		case 'H':
			o->rederive = false;
			o->hashes_only = true;
			break;
		case 'j':
			if (!parse_u64(optarg, 1, MAX_AUDIT_THREADS, &j)) {
				fprintf(stderr, "tmonctl: audit: -j: a number of "
				    "threads from 1 to %d\n", MAX_AUDIT_THREADS);
				return false;
			}
			o->threads = (unsigned)j;
			break;
		default:
			return false;
		}
	}
	if (optind + 1 != argc)
		return false;
	o->db = argv[optind];
	if (o->from_checkpoint != NULL && o->key == NULL) {
		fprintf(stderr, "tmonctl: audit: --from-checkpoint needs --key "
		    "to check its signature\n");
		return false;
	}
	if (o->key != NULL) {
		struct tmon_err err;

		tmon_err_clear(&err);
		if (note_verifier_parse(o->key, strlen(o->key), &o->vkey,
		    &err) != TMON_OK) {
			fprintf(stderr, "tmonctl: audit: --key: %s\n", err.msg);
			return false;
		}
	}
	return true;
}

static int
audit(int argc, char *argv[])
{
	struct audit_opts o;
	struct store_verify_opts vo;
	struct store_verify_result res;
	struct store *s = NULL;
	struct config *cfg = NULL;
	struct sigstore_root *sgroot = NULL;
	struct shared *sh = NULL;
	struct tmon_err err;
	struct audit_first first;
	char hhex[65];
	const char *bad_msg = NULL;
	uint64_t bad_seq = STORE_NO_SEQ, problems;
	double secs = 0;
	enum tmon_rc rc;
	int exit_code = CTL_EXIT_USAGE;
	bool tty = isatty(STDERR_FILENO) == 1, unsigned_cps = false;
	struct stat sb;
	char cpath[4096], rootbuf[4096], root_error[320];
	const char *root_path;

	if (!parse_opts(argc, argv, &o)) {
		ctl_usage(&ctl_cmd_audit, stderr);
		return CTL_EXIT_USAGE;
	}
	/* A log served as tiles: a URL, or a directory export-tiles wrote
	 * (it has a checkpoint file; any other directory is no log). */
	if ((size_t)snprintf(cpath, sizeof(cpath), "%s/checkpoint", o.db) >=
	    sizeof(cpath))
		cpath[0] = '\0';
	if (strncmp(o.db, "http://", 7) == 0 ||
	    strncmp(o.db, "https://", 8) == 0 ||
	    (stat(o.db, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    stat(cpath, &sb) == 0 && S_ISREG(sb.st_mode)))
		return audit_tiles(o.db, o.key, o.from_checkpoint, o.threads,
		    o.rederive);
	memset(&first, 0, sizeof(first));
	first.entry_seq = STORE_NO_SEQ;
	pthread_mutex_init(&first.mu, NULL);
	tmon_err_clear(&err);
	if (o.config != NULL && config_load(o.config, &cfg, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: audit: --config: %s\n", err.msg);
		return CTL_EXIT_USAGE;
	}
	/* The Sigstore trusted root: one given must load; the default one
	 * missing only leaves provenance entries unchecked. */
	root_error[0] = '\0';
	if (o.rederive) {
		root_path = ctl_sigstore_root_path(o.trusted_root, rootbuf,
		    sizeof(rootbuf));
		if ((sgroot = ctl_sigstore_root_load(root_path, &err)) ==
		    NULL) {
			if (o.trusted_root != NULL) {
				fprintf(stderr, "tmonctl: audit: "
				    "--trusted-root: %s\n", err.msg);
				goto out;
			}
			snprintf(root_error, sizeof(root_error), "%s",
			    err.msg);
			tmon_err_clear(&err);
		}
	}
	/* Read-only: never writes, never migrates (store_open STORE_RO). */
	if (store_open(o.db, STORE_RO, &s, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: audit: %s\n", err.msg);
		goto out;
	}
	memset(&vo, 0, sizeof(vo));
	vo.flags = o.hashes_only ? STORE_VERIFY_HASHES :
	    STORE_VERIFY_BLOBS | STORE_VERIFY_INTEGRITY;
	vo.report = audit_report;
	vo.arg = &first;
	if (o.key != NULL) {
		first.vkey = &o.vkey;
		vo.checkpoint = check_checkpoint;
	}
	if (o.from_checkpoint != NULL && !load_pin(&o, &vo))
		goto out;
	if (tty)
		fprintf(stderr, "audit: checking the stored bytes...");
	if (o.threads > 1) {
		store_close(s);
		s = NULL;
		rc = verify_parallel(o.db, &vo, o.threads, &res, &err);
	} else
		rc = store_verify(s, &vo, &res, &err);
	if (tty)
		fprintf(stderr, "\r\033[K");
	store_close(s);
	s = NULL;
	if (rc != TMON_OK && rc != TMON_E_PARSE) {
		fprintf(stderr, "tmonctl: audit: %s\n", err.msg);
		goto out;
	}
	sh = xcalloc(1, sizeof(*sh));
	sh->o = &o;
	pthread_mutex_init(&sh->mu, NULL);
	if (o.rederive) {
		if (cfg != NULL) {
			sh->acfg.intel_root_der = cfg->test_intel_root_der;
			sh->acfg.intel_root_der_len =
			    cfg->test_intel_root_der_len;
			sh->acfg.nvidia_root_der = cfg->test_nvidia_root_der;
			sh->acfg.nvidia_root_der_len =
			    cfg->test_nvidia_root_der_len;
			sh->acfg.policy = config_policy;
			sh->acfg.policy_arg = cfg;
		}
		sh->acfg.sigstore_root = sgroot;
		sh->acfg.sigstore_root_error = root_error;
		sh->vc = verify_ctx_new();
		sh->size = res.size;
		if (rederive(sh, &secs) != TMON_OK) {
			fprintf(stderr, "tmonctl: audit: re-derivation stopped: "
			    "%s\n", sh->why);
			/* the damage found stands: exit 1, not 2 */
			if (rc != TMON_E_PARSE)
				goto out;
		}
		print_problems("does not follow", &sh->differs);
		print_problems("not re-checked", &sh->unchecked);
		print_summary(sh, secs);
	}
	printf("tree: %" PRIu64 " leaves rebuilt, %" PRIu64 " checkpoints "
	    "(latest of size %" PRIu64 ") match it; signatures %s%s\n",
	    res.tree_leaves, res.checkpoints, res.last_checkpoint,
	    o.key != NULL ? "verified with " : "not checked (no --key)",
	    o.key != NULL ? o.key : "");
	if (o.from_checkpoint != NULL)
		printf("saved checkpoint of size %" PRIu64 ": %s\n",
		    vo.pin_size, rc == TMON_OK ? "the log still holds its tree" :
		    "see the problems above");
	if (o.key == NULL && res.checkpoints > 0)
		unsigned_cps = true;
	printf("head: %s\n", hex_encode(res.head, 32, hhex));

	problems = res.problems + sh->differs.count;
	if (rc == TMON_E_PARSE) {
		bad_seq = res.first_bad_seq;
		bad_msg = bad_seq != STORE_NO_SEQ ? first.entry : first.any;
	}
	if (sh->differs.n > 0 && sh->differs.p[0].seq < bad_seq) {
		bad_seq = sh->differs.p[0].seq;
		bad_msg = sh->differs.p[0].msg;
	}
	if (problems > 0) {
		if (bad_seq != STORE_NO_SEQ)
			printf("audit: FAILED: %llu problem%s, first bad seq "
			    "%llu: %s\n", (unsigned long long)problems,
			    problems == 1 ? "" : "s",
			    (unsigned long long)bad_seq, bad_msg);
		else
			printf("audit: FAILED: %llu problem%s: %s\n",
			    (unsigned long long)problems,
			    problems == 1 ? "" : "s", bad_msg);
		exit_code = CTL_EXIT_FAILED;
	} else if (sh->unchecked.count > 0 || unsigned_cps) {
		if (sh->unchecked.n > 0)
			printf("audit: NOT VERIFIED: %llu entr%s could not be "
			    "re-checked, first seq %llu: %s\n",
			    (unsigned long long)sh->unchecked.count,
			    sh->unchecked.count == 1 ? "y" : "ies",
			    (unsigned long long)sh->unchecked.p[0].seq,
			    sh->unchecked.p[0].msg);
		else
			printf("audit: NOT VERIFIED: the checkpoints' signatures "
			    "were not checked: pass --key VKEY (tmonctl "
			    "log-key)\n");
		exit_code = CTL_EXIT_UNCHECKED;
	} else {
		if (o.hashes_only)
			printf("audit: ok: %llu entries: every leaf hash, the "
			    "hash chain, the Merkle tree and the checkpoints "
			    "recompute from the stored bodies (--hashes-only: "
			    "columns, blobs, integrity_check and verdicts not "
			    "checked)\n", (unsigned long long)res.entries);
		else
			printf("audit: ok: %llu entries, %llu blobs: every leaf "
			    "hash, the hash chain, the Merkle tree, the indexed "
			    "columns and every blob hash recompute from the "
			    "stored bytes; integrity_check ok%s\n",
			    (unsigned long long)res.entries,
			    (unsigned long long)res.blobs, o.rederive ?
			    "; every verdict follows from its stored evidence" :
			    " (verdicts not re-derived: --no-rederive)");
		exit_code = CTL_EXIT_OK;
	}
out:
	if (sh != NULL) {
		verify_ctx_free(sh->vc);
		pthread_mutex_destroy(&sh->mu);
		free(sh);
	}
	pthread_mutex_destroy(&first.mu);
	store_close(s);
	config_free(cfg);
	sigstore_root_free(sgroot);
	return exit_code;
}
