/*
 * tiles.c: C2SP tlog-tiles resources from a store handle (tiles.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tiles.h"
#include "tmon_limits.h"
#include "xmalloc.h"

struct cosig_ctx {
	struct buf	*b;
	size_t		 n;
	bool		 full;
};

static int
cosig_cb(const struct store_cosignature *c, void *arg)
{
	struct cosig_ctx *x = arg;
	size_t len = strlen(c->line);

	if (x->n >= TILES_MAX_COSIGNATURES) {
		x->full = true;
		return 1;
	}
	/* one whole signature line, or nothing */
	if (len == 0 || len > MAX_NOTE_SIG_LINE || c->line[len - 1] != '\n' ||
	    memchr(c->line, '\n', len) != c->line + len - 1)
		return 0;
	if (!buf_append(x->b, c->line, len)) {
		x->full = true;
		return 1;
	}
	x->n++;
	return 0;
}

enum tmon_rc
tiles_checkpoint(struct store *s, struct store_checkpoint *cp, uint8_t **text,
    size_t *len, struct tmon_err *err)
{
	struct store_checkpoint c;
	struct cosig_ctx x;
	struct buf b;
	enum tmon_rc rc;

	memset(&c, 0, sizeof(c));
	if ((rc = store_checkpoint_latest(s, &c, err)) != TMON_OK)
		return rc;
	buf_init(&b, TILES_MAX_CHECKPOINT);
	if (c.note_len > MAX_CHECKPOINT_NOTE || !buf_append(&b, c.note,
	    c.note_len)) {
		store_checkpoint_free(&c);
		buf_free(&b);
		return tmon_err_set(err, TMON_E_PARSE, "store: checkpoint %"
		    PRIu64 ": note of %zu bytes", c.size, c.note_len);
	}
	memset(&x, 0, sizeof(x));
	x.b = &b;
	/* Signature lines follow the note's own, which end in '\n'. */
	if (c.note_len > 0 && c.note[c.note_len - 1] == '\n' &&
	    (rc = store_cosignature_list(s, c.size, cosig_cb, &x, err)) !=
	    TMON_OK) {
		store_checkpoint_free(&c);
		buf_free(&b);
		return rc;
	}
	*text = buf_release(&b, len);
	*cp = c;
	return TMON_OK;
}

bool
tiles_servable(const struct tlog_tile *t, uint64_t size)
{
	uint64_t hashes;
	unsigned level;

	/* levels whose nodes fit a 64-bit size (tlog_tile_parse: 0..7) */
	if (t->level < TLOG_TILE_ENTRIES || t->level >= 64 / TLOG_TILE_HEIGHT ||
	    t->width == 0 ||
	    t->width > TLOG_TILE_WIDTH || size >= TLOG_MAX_SIZE)
		return false;
	level = t->level == TLOG_TILE_ENTRIES ? 0 : (unsigned)t->level;
	/* the complete nodes of level 8 L in the tree of size leaves */
	hashes = size >> (TLOG_TILE_HEIGHT * level);
	if (t->index > hashes / TLOG_TILE_WIDTH)
		return false;
	/* A full tile of that tree, or a partial one of the tree of
	 * (index * 256 + width) * 256^L <= size leaves. */
	return t->index * TLOG_TILE_WIDTH + t->width <= hashes;
}

struct bundle_ctx {
	struct buf	*b;
	uint64_t	 next;		/* the seq expected next */
	uint64_t	 end;
	struct tmon_err	*err;
	enum tmon_rc	 rc;
};

static int
bundle_cb(const struct store_entry *e, void *arg)
{
	struct bundle_ctx *x = arg;
	uint8_t be[2];

	if (e->seq != x->next) {
		x->rc = tmon_err_set(x->err, TMON_E_NOTFOUND, "store: entry %"
		    PRIu64 " is missing", x->next);
		return 1;
	}
	if (e->body_len > MAX_ENTRY_BODY) {
		x->rc = tmon_err_set_at(x->err, TMON_E_PARSE, e->seq,
		    "store: entry %" PRIu64 ": body of %zu bytes does not fit "
		    "an entry bundle", e->seq, e->body_len);
		return 1;
	}
	be[0] = (uint8_t)(e->body_len >> 8);
	be[1] = (uint8_t)(e->body_len & 0xff);
	/* cannot fail: TILES_MAX_BYTES holds 256 of the largest */
	if (!buf_append(x->b, be, 2) || !buf_append(x->b, e->body,
	    e->body_len)) {
		x->rc = tmon_err_set(x->err, TMON_E_INTERNAL, "store: entry "
		    "bundle over %zu bytes", (size_t)TILES_MAX_BYTES);
		return 1;
	}
	x->next++;
	return x->next == x->end ? 1 : 0;
}

enum tmon_rc
tiles_read(struct store *s, const struct tlog_tile *t, uint8_t **out,
    size_t *len, struct tmon_err *err)
{
	struct bundle_ctx x;
	struct store_query q;
	struct buf b;
	uint8_t *p;
	enum tmon_rc rc;

	if (t->level < TLOG_TILE_ENTRIES || t->width == 0 ||
	    t->width > TLOG_TILE_WIDTH ||
	    t->index >= (TLOG_MAX_SIZE >> TLOG_TILE_HEIGHT))
		return tmon_err_set(err, TMON_E_PARSE, "store: not a tile");
	if (t->level >= 0) {
		p = xreallocarray(NULL, t->width, 32);
		if ((rc = store_tree_tile(s, t, p, err)) != TMON_OK) {
			free(p);
			return rc;
		}
		*out = p;
		*len = (size_t)t->width * 32;
		return TMON_OK;
	}
	buf_init(&b, TILES_MAX_BYTES);
	memset(&x, 0, sizeof(x));
	x.b = &b;
	x.next = t->index * TLOG_TILE_WIDTH;
	x.end = x.next + t->width;
	x.err = err;
	x.rc = TMON_OK;
	store_query_init(&q);
	q.after_seq = x.next == 0 ? UINT64_MAX : x.next - 1;
	q.limit = t->width;
	if ((rc = store_query(s, &q, bundle_cb, &x, err)) == TMON_OK &&
	    (rc = x.rc) == TMON_OK && x.next != x.end)
		rc = tmon_err_set(err, TMON_E_NOTFOUND, "store: entry %" PRIu64
		    " is missing", x.next);
	if (rc != TMON_OK) {
		buf_free(&b);
		return rc;
	}
	*out = buf_release(&b, len);
	return TMON_OK;
}
