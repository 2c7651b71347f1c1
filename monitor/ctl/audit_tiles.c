/*
 * audit_tiles.c: tmonctl audit over C2SP tlog-tiles (https://c2sp.org/
 * tlog-tiles), from tmond's /api/v1/log or any mirror of it (an
 * http(s) URL, or a directory tmonctl export-tiles wrote): the signed
 * checkpoint, every entry bundle rebuilt into the RFC 9162 tree whose
 * root must be the checkpoint's, every hash tile compared with that tree,
 * and (from tmond) every stored checkpoint.
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <jansson.h>

#include "audit_tiles.h"
#include "encode.h"
#include "fetch.h"
#include "note.h"
#include "tjson.h"
#include "tlog.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/* The largest entry bundle: 256 entries of 2 + 65,535 bytes. */
#define MAX_BUNDLE	(TLOG_TILE_WIDTH * (2 + MAX_ENTRY_BODY))
/* A page of GET /api/v1/log/checkpoints, and the notes kept from it. */
#define MAX_CP_PAGE	(8u * 1024 * 1024)
/* Hash tiles kept to compare: levels 1..7. */
#define TREE_TILE_LEVELS 8

struct src {
	const char	*base;		/* without a trailing '/' */
	bool		 dir;
};

/* GET base/path (or read the file): a new buffer. */
static enum tmon_rc
src_get(const struct src *s, const char *path, size_t max, uint8_t **out,
    size_t *len, struct tmon_err *err)
{
	struct fetch_req req;
	struct fetch_result res;
	char url[MAX_URL + TLOG_TILE_PATH_MAX + 64];
	enum tmon_rc rc;

	if ((size_t)snprintf(url, sizeof(url), "%s/%s", s->base, path) >=
	    sizeof(url))
		return tmon_err_set(err, TMON_E_LIMIT, "%s: path too long",
		    path);
	if (s->dir)
		return read_file(url, max, out, len, err);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.timeout_ms = 60000;
	req.max_body = max;
	memset(&res, 0, sizeof(res));
	if ((rc = fetch_sync(&req, &res, err)) != TMON_OK) {
		fetch_result_free(&res);
		return rc;
	}
	if (res.status != 200) {
		rc = tmon_err_set(err, res.status == 404 ? TMON_E_NOTFOUND :
		    TMON_E_IO, "%s: HTTP %ld", url, res.status);
		fetch_result_free(&res);
		return rc;
	}
	*out = res.body != NULL ? res.body : xcalloc(1, 1);
	*len = res.body_len;
	res.body = NULL;
	fetch_result_free(&res);
	return TMON_OK;
}

/* One bundle fetched by a worker. */
struct job {
	const struct src *s;
	struct tlog_tile t;
	uint8_t		*bundle, *tile;	/* entries, level-0 hashes */
	size_t		 blen, tlen;
	enum tmon_rc	 rc;
	struct tmon_err	 err;
	pthread_t	 thr;
	bool		 started;
};

static void *
job_main(void *arg)
{
	struct job *j = arg;
	struct tlog_tile h = j->t;
	char p[TLOG_TILE_PATH_MAX];

	tmon_err_clear(&j->err);
	h.level = 0;
	if (!tlog_tile_path(&j->t, p, sizeof(p)))
		j->rc = tmon_err_set(&j->err, TMON_E_INTERNAL, "tile path");
	else if ((j->rc = src_get(j->s, p, MAX_BUNDLE, &j->bundle, &j->blen,
	    &j->err)) == TMON_OK && tlog_tile_path(&h, p, sizeof(p)))
		j->rc = src_get(j->s, p, TLOG_TILE_WIDTH * 32, &j->tile,
		    &j->tlen, &j->err);
	return NULL;
}

/* Every checkpoint tmond lists (GET .../checkpoints), when it does. */
struct cps {
	size_t		 n;
	uint64_t	*size;
	uint8_t		(*root)[32];
};

/* What the pass over the entries keeps. */
struct pass {
	struct tlog_frontier f;
	struct cps	 cps;		/* sorted by size */
	size_t		 next_cp;
	bool		 has_pin;
	uint64_t	 pin_size;
	uint8_t		 pin_root[32];
	uint64_t	 checked_cps;
	uint8_t		(*nodes[TREE_TILE_LEVELS])[32];	/* level 8 L */
	size_t		 nnodes[TREE_TILE_LEVELS];
	uint64_t	 problems;
	uint64_t	 first_bad;
};

static void
pass_emit(void *arg, const struct tlog_node *n, const uint8_t h[32])
{
	struct pass *p = arg;
	unsigned l;

	if (n->level == 0 || n->level % TLOG_TILE_HEIGHT != 0)
		return;
	l = n->level / TLOG_TILE_HEIGHT;
	if (l >= TREE_TILE_LEVELS)
		return;
	p->nodes[l] = xreallocarray(p->nodes[l], p->nnodes[l] + 1, 32);
	memcpy(p->nodes[l][p->nnodes[l]++], h, 32);
}

static void __attribute__((format(printf, 3, 4)))
bad(struct pass *p, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	if (p->problems++ < 100) {
		printf("damaged: ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	if (seq < p->first_bad)
		p->first_bad = seq;
}

/* The tree has grown to a size a checkpoint or the pin names. */
static void
at_size(struct pass *p)
{
	uint8_t root[32];
	bool rooted = false;

	while (p->next_cp < p->cps.n &&
	    p->cps.size[p->next_cp] <= p->f.size) {
		if (p->cps.size[p->next_cp] == p->f.size) {
			if (!rooted)
				tlog_frontier_root(&p->f, root);
			rooted = true;
			p->checked_cps++;
			if (CRYPTO_memcmp(root, p->cps.root[p->next_cp], 32) != 0)
				bad(p, UINT64_MAX, "checkpoint %" PRIu64 ": its "
				    "root is not the root of the first %" PRIu64
				    " entries", p->f.size, p->f.size);
		}
		p->next_cp++;
	}
	if (p->has_pin && p->pin_size == p->f.size) {
		if (!rooted)
			tlog_frontier_root(&p->f, root);
		if (CRYPTO_memcmp(root, p->pin_root, 32) != 0)
			bad(p, UINT64_MAX, "the saved checkpoint of size %" PRIu64
			    " does not match the log: its first %" PRIu64
			    " entries changed since", p->f.size, p->f.size);
	}
}

/* The entries of a bundle job into the tree, checked against its tile. */
static void
take_bundle(struct pass *p, const struct job *j)
{
	const uint8_t *e;
	uint64_t seq = j->t.index * TLOG_TILE_WIDTH;
	size_t off = 0, len, i;
	uint8_t leaf[32];

	for (i = 0; i < j->t.width; i++, seq++) {
		if (!tlog_bundle_next(j->bundle, j->blen, &off, &e, &len)) {
			bad(p, seq, "entry bundle %" PRIu64 ": entry %" PRIu64
			    " is missing, empty or cut short", j->t.index, seq);
			return;
		}
		tlog_leaf_hash(e, len, leaf);
		if (j->tlen != (size_t)j->t.width * 32 ||
		    CRYPTO_memcmp(j->tile + i * 32, leaf, 32) != 0)
			bad(p, seq, "entry %" PRIu64 ": its leaf hash is not the "
			    "one in hash tile 0/%" PRIu64, seq, j->t.index);
		(void)tlog_frontier_append(&p->f, leaf, pass_emit, p);
		at_size(p);
	}
	if (off != j->blen)
		bad(p, seq, "entry bundle %" PRIu64 ": %zu bytes after its %u "
		    "entries", j->t.index, j->blen - off, j->t.width);
}

/* A checkpoint note signed by v: its size and root. */
static bool
open_cp(const struct note_verifier *v, const uint8_t *note, size_t len,
    struct note_checkpoint *cp, const char *what)
{
	struct note_policy pol;
	struct tmon_err err;
	enum note_verdict nv;

	memset(&pol, 0, sizeof(pol));
	pol.log = v;
	tmon_err_clear(&err);
	nv = note_checkpoint_open(note, len, &pol, cp, NULL, &err);
	if (nv == NOTE_PASS)
		return true;
	printf("damaged: %s: not a checkpoint signed by --key: %s: %s\n", what,
	    note_verdict_str(nv), err.msg);
	return false;
}

static void
load_cps(const struct src *s, const struct note_verifier *v, struct cps *c,
    struct pass *p)
{
	struct note_checkpoint cp;
	struct tjson_doc d;
	struct tmon_err err;
	json_t *root, *arr, *it;
	uint8_t *body;
	uint64_t after = 0;
	size_t len, i;
	char path[64];
	const char *note;

	for (;;) {
		snprintf(path, sizeof(path), "checkpoints?after=%" PRIu64
		    "&limit=%d", after, MAX_API_PAGE);
		tmon_err_clear(&err);
		if (s->dir || src_get(s, path, MAX_CP_PAGE, &body, &len,
		    &err) != TMON_OK) {
			printf("note: no checkpoint list at %s/checkpoints (a "
			    "static mirror): only the latest checkpoint is "
			    "checked\n", s->base);
			return;
		}
		memset(&d, 0, sizeof(d));
		d.name = "checkpoints";
		d.err = &err;
		root = NULL;
		if (tjson_load(&d, body, len, MAX_CP_PAGE, TJSON_OBJECT,
		    &root) != TMON_OK || !json_is_array(arr =
		    json_object_get(root, "checkpoints"))) {
			bad(p, UINT64_MAX, "checkpoints list: %s", err.msg);
			free(body);
			json_decref(root);
			return;
		}
		json_array_foreach(arr, i, it) {
			note = json_string_value(json_object_get(it, "note"));
			if (note == NULL) {
				bad(p, UINT64_MAX, "checkpoints list: an item "
				    "without a note");
				continue;
			}
			if (!open_cp(v, (const uint8_t *)note, strlen(note), &cp,
			    "a listed checkpoint")) {
				bad(p, UINT64_MAX, "a listed checkpoint is not "
				    "signed by --key");
				continue;
			}
			c->size = xreallocarray(c->size, c->n + 1, 8);
			c->root = xreallocarray(c->root, c->n + 1, 32);
			c->size[c->n] = cp.size;
			memcpy(c->root[c->n], cp.root, 32);
			c->n++;
		}
		it = json_object_get(root, "next_after");
		after = json_is_integer(it) && json_integer_value(it) > 0 ?
		    (uint64_t)json_integer_value(it) : 0;
		json_decref(root);
		free(body);
		if (after == 0)
			return;
	}
}

int
audit_tiles(const char *where, const char *vkey, const char *from_cp,
    unsigned nthreads, bool rederive)
{
	struct note_verifier v;
	struct note_checkpoint cp, pin;
	struct src s;
	struct pass p;
	struct job *jobs = NULL;
	struct tlog_tile t;
	struct tmon_err err;
	struct stat sb;
	uint8_t *cpnote = NULL, *pinnote = NULL, root[32], *tile;
	size_t cplen, pinlen, tlen, k, nj;
	uint64_t nb, idx;
	unsigned l;
	char base[MAX_URL], path[TLOG_TILE_PATH_MAX];
	bool have_pin = false;
	int rc = 2;

	memset(&p, 0, sizeof(p));
	p.first_bad = UINT64_MAX;
	tmon_err_clear(&err);
	if (vkey == NULL) {
		fprintf(stderr, "tmonctl: audit: tiles need --key VKEY (the "
		    "log's verifier key)\n");
		return 2;
	}
	if (note_verifier_parse(vkey, strlen(vkey), &v, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: audit: --key: %s\n", err.msg);
		return 2;
	}
	snprintf(base, sizeof(base), "%s", where);
	while (strlen(base) > 1 && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
	s.base = base;
	s.dir = stat(where, &sb) == 0 && S_ISDIR(sb.st_mode);
	if (src_get(&s, "checkpoint", MAX_NOTE_LEN, &cpnote, &cplen, &err) !=
	    TMON_OK) {
		fprintf(stderr, "tmonctl: audit: %s/checkpoint: %s\n", base,
		    err.msg);
		return 2;
	}
	if (!open_cp(&v, cpnote, cplen, &cp, "the checkpoint")) {
		printf("audit: FAILED: the checkpoint is not signed by --key\n");
		rc = 1;
		goto out;
	}
	printf("checkpoint: %.*s, %" PRIu64 " entries, signed by --key\n",
	    (int)cp.origin_len, cp.origin, cp.size);
	if (from_cp != NULL) {
		if (read_file(from_cp, MAX_NOTE_LEN, &pinnote, &pinlen, &err) !=
		    TMON_OK) {
			fprintf(stderr, "tmonctl: audit: --from-checkpoint: %s\n",
			    err.msg);
			goto out;
		}
		if (!open_cp(&v, pinnote, pinlen, &pin, from_cp)) {
			rc = 2;
			goto out;
		}
		have_pin = true;
		p.has_pin = true;
		p.pin_size = pin.size;
		memcpy(p.pin_root, pin.root, 32);
		if (pin.size > cp.size)
			bad(&p, UINT64_MAX, "the saved checkpoint of size %" PRIu64
			    " is larger than the log's (%" PRIu64 " entries): "
			    "the log was rolled back", pin.size, cp.size);
	}
	load_cps(&s, &v, &p.cps, &p);
	tlog_frontier_init(&p.f);
	/* The entry bundles, nthreads at a time, taken in order. */
	nb = cp.size / TLOG_TILE_WIDTH + (cp.size % TLOG_TILE_WIDTH != 0);
	jobs = xcalloc(nthreads, sizeof(*jobs));
	for (idx = 0; idx < nb; idx += nj) {
		nj = nb - idx < nthreads ? (size_t)(nb - idx) : nthreads;
		for (k = 0; k < nj; k++) {
			memset(&jobs[k], 0, sizeof(jobs[k]));
			jobs[k].s = &s;
			jobs[k].t.level = TLOG_TILE_ENTRIES;
			jobs[k].t.index = idx + k;
			jobs[k].t.width = idx + k + 1 < nb ||
			    cp.size % TLOG_TILE_WIDTH == 0 ? TLOG_TILE_WIDTH :
			    (unsigned)(cp.size % TLOG_TILE_WIDTH);
			jobs[k].started = nj > 1 && pthread_create(&jobs[k].thr,
			    NULL, job_main, &jobs[k]) == 0;
			if (!jobs[k].started)
				job_main(&jobs[k]);
		}
		for (k = 0; k < nj; k++) {
			if (jobs[k].started)
				pthread_join(jobs[k].thr, NULL);
			if (jobs[k].rc != TMON_OK) {
				fprintf(stderr, "tmonctl: audit: %s\n",
				    jobs[k].err.msg);
				bad(&p, jobs[k].t.index * TLOG_TILE_WIDTH, "entry "
				    "bundle %" PRIu64 ": %s", jobs[k].t.index,
				    jobs[k].err.msg);
				for (; k < nj; k++) {
					if (k > 0 && jobs[k].started)
						pthread_join(jobs[k].thr, NULL);
					free(jobs[k].bundle);
					free(jobs[k].tile);
				}
				rc = 1;
				goto summary;
			}
			take_bundle(&p, &jobs[k]);
			free(jobs[k].bundle);
			free(jobs[k].tile);
		}
	}
summary:
	/* Every listed checkpoint, and the pinned one, against the tree. */
	if (p.f.size == cp.size) {
		tlog_frontier_root(&p.f, root);
		if (CRYPTO_memcmp(root, cp.root, 32) != 0)
			bad(&p, UINT64_MAX, "the %" PRIu64 " entries do not hash "
			    "to the checkpoint's root", cp.size);
	}
	/* Hash tiles of levels 1.. against the rebuilt nodes. */
	for (l = 1; l < TREE_TILE_LEVELS && p.f.size == cp.size; l++) {
		uint64_t hashes = cp.size >> (TLOG_TILE_HEIGHT * l);

		for (idx = 0; idx * TLOG_TILE_WIDTH < hashes; idx++) {
			t.level = (int)l;
			t.index = idx;
			t.width = (idx + 1) * TLOG_TILE_WIDTH <= hashes ?
			    TLOG_TILE_WIDTH :
			    (unsigned)(hashes % TLOG_TILE_WIDTH);
			if (!tlog_tile_path(&t, path, sizeof(path)))
				continue;
			tmon_err_clear(&err);
			if (src_get(&s, path, TLOG_TILE_WIDTH * 32, &tile, &tlen,
			    &err) != TMON_OK) {
				bad(&p, UINT64_MAX, "hash tile %s: %s", path,
				    err.msg);
				continue;
			}
			if (tlen != (size_t)t.width * 32 ||
			    p.nnodes[l] < idx * TLOG_TILE_WIDTH + t.width ||
			    CRYPTO_memcmp(tile, p.nodes[l][idx * TLOG_TILE_WIDTH],
			    tlen) != 0)
				bad(&p, UINT64_MAX, "hash tile %s is not the "
				    "tree of the entries", path);
			free(tile);
		}
	}
	if (p.next_cp < p.cps.n && p.f.size == cp.size)
		bad(&p, UINT64_MAX, "checkpoint %" PRIu64 " is larger than the "
		    "log's latest (%" PRIu64 "): entries were removed",
		    p.cps.size[p.next_cp], cp.size);
	printf("tree: %" PRIu64 " entries rebuilt from %" PRIu64 " entry "
	    "bundles; %" PRIu64 " listed checkpoints signed by --key and of "
	    "the rebuilt tree\n", p.f.size, nb, p.checked_cps);
	if (p.problems > 0) {
		if (p.first_bad != UINT64_MAX)
			printf("audit: FAILED: %" PRIu64 " problem%s, first bad "
			    "seq %" PRIu64 "\n", p.problems, p.problems == 1 ?
			    "" : "s", p.first_bad);
		else
			printf("audit: FAILED: %" PRIu64 " problem%s\n",
			    p.problems, p.problems == 1 ? "" : "s");
		rc = 1;
	} else if (rederive) {
		printf("audit: NOT VERIFIED: the tree holds, but verdicts are "
		    "re-derived from a database (tiles carry no evidence "
		    "blobs): audit a copy of it, or pass --no-rederive\n");
		rc = 3;
	} else {
		printf("audit: ok: %" PRIu64 " entries: every leaf from its "
		    "bytes, the Merkle tree, every hash tile and the signed "
		    "checkpoint%s hold\n", p.f.size, have_pin ?
		    " and the saved one" : "");
		rc = 0;
	}
out:
	for (l = 0; l < TREE_TILE_LEVELS; l++)
		free(p.nodes[l]);
	free(p.cps.size);
	free(p.cps.root);
	free(jobs);
	free(cpnote);
	free(pinnote);
	return rc;
}
