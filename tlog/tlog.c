/*
 * tlog.c: RFC 9162 section 2.1 Merkle tree hashes and proofs over stored
 * complete nodes, and C2SP tlog-tiles coordinates (tlog.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "tlog.h"
#include "log.h"
#include "util.h"

/* Nodes read for one proof: one range of at most 63 nodes that reaches
 * the right edge of the tree, and at most 63 complete siblings. */
#define MAX_PROOF_NODES	(2 * TLOG_MAX_PROOF)

void
tlog_leaf_hash(const void *data, size_t len, uint8_t out[32])
{
	static const uint8_t zero = 0x00;

	if (!sha256_2(&zero, 1, data, len, out))
		TMON_ASSERT(0);
}

void
tlog_node_hash(const uint8_t left[32], const uint8_t right[32],
    uint8_t out[32])
{
	uint8_t buf[65];

	buf[0] = 0x01;
	memcpy(buf + 1, left, 32);
	memcpy(buf + 33, right, 32);
	sha256(buf, sizeof(buf), out);
}

void
tlog_empty_root(uint8_t out[32])
{
	sha256("", 0, out);
}

/* floor(log2(x)), x > 0 */
static unsigned
log2_floor(uint64_t x)
{
	return 63u - (unsigned)__builtin_clzll(x);
}

/* The largest power of two < n, n > 1 (RFC 9162 section 2.1.1's k). */
static uint64_t
split_point(uint64_t n)
{
	return UINT64_C(1) << log2_floor(n - 1);
}

size_t
tlog_range_nodes(uint64_t lo, uint64_t hi, struct tlog_node *out)
{
	size_t n = 0;
	unsigned level;

	while (lo < hi) {
		level = log2_floor(hi - lo);
		/* lo is aligned to every power of two <= hi - lo it meets */
		TMON_ASSERT((lo & ((UINT64_C(1) << level) - 1)) == 0);
		out[n].level = level;
		out[n].index = lo >> level;
		n++;
		lo += UINT64_C(1) << level;
	}
	return n;
}

/* Fold the hashes of a range's nodes (largest first) into its MTH. */
static void
fold(uint8_t (*h)[32], size_t n, uint8_t out[32])
{
	uint8_t r[32];
	size_t i;

	TMON_ASSERT(n > 0);
	memcpy(r, h[n - 1], 32);
	for (i = n - 1; i > 0; i--)
		tlog_node_hash(h[i - 1], r, r);
	memcpy(out, r, 32);
}

/* The ranges whose MTH make a proof, in proof order. */
struct ranges {
	size_t		n;
	uint64_t	lo[TLOG_MAX_PROOF];
	uint64_t	hi[TLOG_MAX_PROOF];
};

static void
ranges_add(struct ranges *r, uint64_t lo, uint64_t hi)
{
	TMON_ASSERT(r->n < TLOG_MAX_PROOF);
	r->lo[r->n] = lo;
	r->hi[r->n] = hi;
	r->n++;
}

/*
 * Read every range's nodes in one call and write the MTH of each range,
 * in order, to proof.
 */
static enum tmon_rc
ranges_hash(const struct ranges *r, tlog_read_fn rd, void *arg,
    uint8_t proof[][32], struct tmon_err *err)
{
	struct tlog_node nodes[MAX_PROOF_NODES];
	uint8_t hashes[MAX_PROOF_NODES][32];
	size_t count[TLOG_MAX_PROOF];
	size_t i, n = 0, at = 0;
	enum tmon_rc rc;

	for (i = 0; i < r->n; i++) {
		struct tlog_node tmp[64];
		size_t k = tlog_range_nodes(r->lo[i], r->hi[i], tmp);

		TMON_ASSERT(n + k <= MAX_PROOF_NODES);
		memcpy(nodes + n, tmp, k * sizeof(tmp[0]));
		count[i] = k;
		n += k;
	}
	if (n > 0 && (rc = rd(arg, nodes, n, hashes, err)) != TMON_OK)
		return rc;
	for (i = 0; i < r->n; i++) {
		fold(hashes + at, count[i], proof[i]);
		at += count[i];
	}
	return TMON_OK;
}

/* The MTH of top's ranges, last first (top lists them from the root
 * down; a proof goes from the leaf up): *n hashes into proof. */
static enum tmon_rc
ranges_prove(const struct ranges *top, tlog_read_fn rd, void *arg,
    uint8_t proof[][32], size_t *n, struct tmon_err *err)
{
	struct ranges r;
	enum tmon_rc rc;
	size_t i;

	r.n = top->n;
	for (i = 0; i < top->n; i++) {
		r.lo[i] = top->lo[top->n - 1 - i];
		r.hi[i] = top->hi[top->n - 1 - i];
	}
	if ((rc = ranges_hash(&r, rd, arg, proof, err)) != TMON_OK)
		return rc;
	*n = r.n;
	return TMON_OK;
}

enum tmon_rc
tlog_root(uint64_t size, tlog_read_fn rd, void *arg, uint8_t out[32],
    struct tmon_err *err)
{
	struct tlog_node nodes[64];
	uint8_t hashes[64][32];
	size_t n;
	enum tmon_rc rc;

	if (size >= TLOG_MAX_SIZE)
		return tmon_err_set(err, TMON_E_PARSE,
		    "tlog: tree size %" PRIu64 " is out of range", size);
	if (size == 0) {
		tlog_empty_root(out);
		return TMON_OK;
	}
	n = tlog_range_nodes(0, size, nodes);
	if ((rc = rd(arg, nodes, n, hashes, err)) != TMON_OK)
		return rc;
	fold(hashes, n, out);
	return TMON_OK;
}

enum tmon_rc
tlog_prove_inclusion(uint64_t index, uint64_t size, tlog_read_fn rd,
    void *arg, uint8_t proof[][32], size_t *n, struct tmon_err *err)
{
	struct ranges top;
	uint64_t lo = 0, hi = size, k;

	if (size >= TLOG_MAX_SIZE || index >= size)
		return tmon_err_set(err, TMON_E_PARSE,
		    "tlog: no leaf %" PRIu64 " in a tree of size %" PRIu64,
		    index, size);
	/* PATH(m, D[lo:hi)) from the root down: the sibling at each step. */
	top.n = 0;
	while (hi - lo > 1) {
		k = split_point(hi - lo);
		if (index < lo + k) {
			ranges_add(&top, lo + k, hi);
			hi = lo + k;
		} else {
			ranges_add(&top, lo, lo + k);
			lo += k;
		}
	}
	/* The proof lists them from the leaf up. */
	return ranges_prove(&top, rd, arg, proof, n, err);
}

enum tmon_rc
tlog_prove_consistency(uint64_t old, uint64_t new, tlog_read_fn rd,
    void *arg, uint8_t proof[][32], size_t *n, struct tmon_err *err)
{
	struct ranges top;
	uint64_t lo = 0, hi = new, m = old, k;
	bool b = true;

	if (new >= TLOG_MAX_SIZE || old == 0 || old > new)
		return tmon_err_set(err, TMON_E_PARSE,
		    "tlog: no consistency proof from size %" PRIu64
		    " to size %" PRIu64, old, new);
	/* SUBPROOF(m, D[lo:hi), b) of RFC 9162 section 2.1.4.1, top down. */
	top.n = 0;
	for (;;) {
		if (m == hi - lo) {
			if (!b)
				ranges_add(&top, lo, hi);
			break;
		}
		k = split_point(hi - lo);
		if (m <= k) {
			ranges_add(&top, lo + k, hi);
			hi = lo + k;
		} else {
			ranges_add(&top, lo, lo + k);
			m -= k;
			lo += k;
			b = false;
		}
	}
	/* Each step appends its sibling after the subproof: reverse. */
	return ranges_prove(&top, rd, arg, proof, n, err);
}

bool
tlog_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32],
    const uint8_t proof[][32], size_t n, const uint8_t root[32])
{
	uint64_t fn, sn;
	uint8_t r[32];
	size_t i;

	if (size >= TLOG_MAX_SIZE || index >= size || n > TLOG_MAX_PROOF)
		return false;
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, 32);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) != 0 || fn == sn) {
			tlog_node_hash(proof[i], r, r);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			tlog_node_hash(r, proof[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && CRYPTO_memcmp(r, root, 32) == 0;
}

bool
tlog_verify_consistency(uint64_t old, uint64_t new,
    const uint8_t old_root[32], const uint8_t new_root[32],
    const uint8_t proof[][32], size_t n)
{
	uint64_t fn, sn;
	uint8_t fr[32], sr[32];
	size_t i = 0;

	if (new >= TLOG_MAX_SIZE || old == 0 || old > new ||
	    n > TLOG_MAX_PROOF)
		return false;
	if (old == new)
		return n == 0 && CRYPTO_memcmp(old_root, new_root, 32) == 0;
	if (n == 0)
		return false;
	fn = old - 1;
	sn = new - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	/* old a power of two: the old root is the first value */
	if ((old & (old - 1)) == 0) {
		memcpy(fr, old_root, 32);
	} else {
		memcpy(fr, proof[0], 32);
		i = 1;
	}
	memcpy(sr, fr, 32);
	for (; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) != 0 || fn == sn) {
			tlog_node_hash(proof[i], fr, fr);
			tlog_node_hash(proof[i], sr, sr);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			tlog_node_hash(sr, proof[i], sr);
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && CRYPTO_memcmp(fr, old_root, 32) == 0 &&
	    CRYPTO_memcmp(sr, new_root, 32) == 0;
}

void
tlog_frontier_init(struct tlog_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

enum tmon_rc
tlog_frontier_load(struct tlog_frontier *f, uint64_t size, tlog_read_fn rd,
    void *arg, struct tmon_err *err)
{
	struct tlog_node nodes[64];
	size_t n;
	enum tmon_rc rc;

	if (size >= TLOG_MAX_SIZE)
		return tmon_err_set(err, TMON_E_PARSE,
		    "tlog: tree size %" PRIu64 " is out of range", size);
	tlog_frontier_init(f);
	n = tlog_range_nodes(0, size, nodes);
	if (n > 0 && (rc = rd(arg, nodes, n, f->h, err)) != TMON_OK) {
		tlog_frontier_init(f);
		return rc;
	}
	f->size = size;
	f->n = (unsigned)n;
	return TMON_OK;
}

bool
tlog_frontier_append(struct tlog_frontier *f, const uint8_t leaf[32],
    tlog_emit_fn emit, void *arg)
{
	struct tlog_node node;
	uint8_t carry[32];

	if (f->size >= TLOG_MAX_SIZE - 1)
		return false;
	memcpy(carry, leaf, 32);
	node.level = 0;
	node.index = f->size;
	if (emit != NULL)
		emit(arg, &node, carry);
	/* Each trailing one bit of the old size is a subtree the new leaf
	 * completes. */
	while (((f->size >> node.level) & 1) != 0) {
		TMON_ASSERT(f->n > 0);
		tlog_node_hash(f->h[f->n - 1], carry, carry);
		f->n--;
		node.level++;
		node.index = f->size >> node.level;
		if (emit != NULL)
			emit(arg, &node, carry);
	}
	memcpy(f->h[f->n], carry, 32);
	f->n++;
	f->size++;
	return true;
}

void
tlog_frontier_root(const struct tlog_frontier *f, uint8_t out[32])
{
	uint8_t r[32];
	unsigned i;

	if (f->n == 0) {
		tlog_empty_root(out);
		return;
	}
	memcpy(r, f->h[f->n - 1], 32);
	for (i = f->n - 1; i > 0; i--)
		tlog_node_hash(f->h[i - 1], r, r);
	memcpy(out, r, 32);
}

/* The highest tile level: 8 * 7 = 56 <= 62, the deepest node level. */
#define MAX_TILE_LEVEL	7

static bool
tile_valid(const struct tlog_tile *t)
{
	if (t->level < TLOG_TILE_ENTRIES || t->level > MAX_TILE_LEVEL)
		return false;
	if (t->width == 0 || t->width > TLOG_TILE_WIDTH)
		return false;
	/* the tile's first hash index, index * 256, stays below 2^63 */
	return t->index < (TLOG_MAX_SIZE >> TLOG_TILE_HEIGHT);
}

bool
tlog_tile_path(const struct tlog_tile *t, char *buf, size_t size)
{
	char groups[8][4];
	uint64_t x;
	size_t ng = 0, at, i;
	int k;

	if (!tile_valid(t) || size == 0)
		return false;
	x = t->index;
	do {
		snprintf(groups[ng++], sizeof(groups[0]), "%03u",
		    (unsigned)(x % 1000));
		x /= 1000;
	} while (x > 0);
	if (t->level == TLOG_TILE_ENTRIES)
		k = snprintf(buf, size, "tile/entries/");
	else
		k = snprintf(buf, size, "tile/%d/", t->level);
	if (k < 0 || (size_t)k >= size)
		return false;
	at = (size_t)k;
	for (i = ng; i > 0; i--) {
		k = snprintf(buf + at, size - at, "%s%s%s", i > 1 ? "x" : "",
		    groups[i - 1], i > 1 ? "/" : "");
		if (k < 0 || (size_t)k >= size - at)
			return false;
		at += (size_t)k;
	}
	if (t->width < TLOG_TILE_WIDTH) {
		k = snprintf(buf + at, size - at, ".p/%u", t->width);
		if (k < 0 || (size_t)k >= size - at)
			return false;
	}
	return true;
}

/* Three decimal digits at s into *v. */
static bool
digits3(const char *s, unsigned *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9')
		return false;
	*v = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
	    (unsigned)(s[2] - '0');
	return true;
}

bool
tlog_tile_parse(const char *path, struct tlog_tile *out)
{
	struct tlog_tile t;
	const char *p;
	unsigned g, w;
	int ngroups = 0;

	if (strncmp(path, "tile/", 5) != 0)
		return false;
	p = path + 5;
	if (strncmp(p, "entries/", 8) == 0) {
		t.level = TLOG_TILE_ENTRIES;
		p += 8;
	} else if (p[0] >= '0' && p[0] <= '0' + MAX_TILE_LEVEL &&
	    p[1] == '/') {
		t.level = p[0] - '0';
		p += 2;
	} else
		return false;
	t.index = 0;
	for (;;) {
		bool more = p[0] == 'x';

		if (more)
			p++;
		if (!digits3(p, &g))
			return false;
		/* the first of several groups is not 000 (one path a tile) */
		if (more && ngroups == 0 && g == 0)
			return false;
		/* seven groups reach 10^21 > 2^63: no more are valid */
		if (++ngroups > 7 || t.index > (UINT64_MAX - g) / 1000)
			return false;
		t.index = t.index * 1000 + g;
		p += 3;
		if (!more)
			break;
		if (*p++ != '/')
			return false;
	}
	t.width = TLOG_TILE_WIDTH;
	if (p[0] == '.') {
		if (strncmp(p, ".p/", 3) != 0)
			return false;
		p += 3;
		if (p[0] < '1' || p[0] > '9')
			return false;
		for (w = 0; *p >= '0' && *p <= '9' && w < TLOG_TILE_WIDTH; p++)
			w = w * 10 + (unsigned)(*p - '0');
		if (w >= TLOG_TILE_WIDTH)
			return false;
		t.width = w;
	}
	if (*p != '\0' || !tile_valid(&t))
		return false;
	*out = t;
	return true;
}

bool
tlog_tile_in_tree(const struct tlog_tile *t, uint64_t size)
{
	unsigned level;
	uint64_t hashes;

	if (!tile_valid(t) || size >= TLOG_MAX_SIZE)
		return false;
	level = t->level == TLOG_TILE_ENTRIES ? 0 : (unsigned)t->level;
	/* the complete nodes of level 8 L in the tree */
	hashes = size >> (TLOG_TILE_HEIGHT * level);
	if (t->width == TLOG_TILE_WIDTH)
		return t->index < hashes / TLOG_TILE_WIDTH;
	return t->index == hashes / TLOG_TILE_WIDTH &&
	    t->width == hashes % TLOG_TILE_WIDTH;
}

bool
tlog_tiles_each(uint64_t size,
    bool (*cb)(void *arg, const struct tlog_tile *t), void *arg)
{
	struct tlog_tile t;
	uint64_t hashes, i;
	int level;

	if (size >= TLOG_MAX_SIZE)
		return false;
	for (level = TLOG_TILE_ENTRIES; level <= MAX_TILE_LEVEL; level++) {
		hashes = size >> (TLOG_TILE_HEIGHT *
		    (unsigned)(level < 0 ? 0 : level));
		if (hashes == 0)
			break;
		t.level = level;
		t.width = TLOG_TILE_WIDTH;
		for (i = 0; i < hashes / TLOG_TILE_WIDTH; i++) {
			t.index = i;
			if (!cb(arg, &t))
				return false;
		}
		if (hashes % TLOG_TILE_WIDTH != 0) {
			t.index = hashes / TLOG_TILE_WIDTH;
			t.width = (unsigned)(hashes % TLOG_TILE_WIDTH);
			if (!cb(arg, &t))
				return false;
		}
	}
	return true;
}

bool
tlog_bundle_next(const uint8_t *b, size_t len, size_t *off,
    const uint8_t **entry, size_t *elen)
{
	size_t n;

	if (*off > len || len - *off < 2)
		return false;
	n = (size_t)b[*off] << 8 | b[*off + 1];
	if (n == 0 || len - *off - 2 < n)
		return false;
	*entry = b + *off + 2;
	*elen = n;
	*off += 2 + n;
	return true;
}
