/*
 * tlog.h: the Merkle tree of tmon's log, RFC 9162 section 2.1 (the tree of
 * RFC 6962, which C2SP tlog-checkpoint and tlog-tiles use), and the tile
 * coordinates of C2SP tlog-tiles (https://c2sp.org/tlog-tiles).
 *
 * Hashes are SHA-256, 32 bytes:
 *   leaf  MTH({d})  = SHA-256(0x00 || d)             (section 2.1.1)
 *   node  MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])),
 *                     k the largest power of two < n
 *   empty MTH({})   = SHA-256("")
 *
 * A node (level, index) is the root of the complete subtree over the
 * 2^level leaves [index * 2^level, (index + 1) * 2^level); level 0 nodes
 * are the leaf hashes.  Every hash of a tree of any size is made from
 * such complete nodes, which never change once the tree has grown past
 * them: that is what a log stores (struct tlog_frontier emits each one as
 * it completes) and what proofs are read from (tlog_read_fn), so an append
 * costs O(log n) hashes and a proof reads O(log n) stored nodes.
 *
 * Sizes and indexes are below TLOG_MAX_SIZE (2^63), so no level exceeds 62
 * and no proof has more than TLOG_MAX_PROOF hashes.
 */
#ifndef TMON_TLOG_TLOG_H
#define TMON_TLOG_TLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TLOG_HASH_LEN	32
/* Tree sizes and leaf indexes are < TLOG_MAX_SIZE. */
#define TLOG_MAX_SIZE	(UINT64_C(1) << 63)
/* The most hashes in an inclusion or consistency proof. */
#define TLOG_MAX_PROOF	64
/* C2SP tlog-tiles: a tile holds 2^8 = 256 hashes of one level. */
#define TLOG_TILE_HEIGHT 8
#define TLOG_TILE_WIDTH	256
/* A tile path as tlog_tile_path() writes it, with its NUL. */
#define TLOG_TILE_PATH_MAX 96

/* leaf hash SHA-256(0x00 || data[0..len)) (RFC 9162 section 2.1.1). */
void	tlog_leaf_hash(const void *data, size_t len, uint8_t out[32]);
/* interior hash SHA-256(0x01 || left || right); out may alias either. */
void	tlog_node_hash(const uint8_t left[32], const uint8_t right[32],
	    uint8_t out[32]);
/* the root of the empty tree, SHA-256 of no bytes. */
void	tlog_empty_root(uint8_t out[32]);

/* A complete node: the subtree of 2^level leaves from index * 2^level. */
struct tlog_node {
	unsigned	level;
	uint64_t	index;
};

/*
 * Read the hashes of n complete nodes (n <= 2 * TLOG_MAX_PROOF) into
 * out[0..n), in the order asked.  Every node asked for lies inside the
 * tree the caller named (tlog_root, tlog_prove_*), so a reader over a log
 * of at least that size has it.  Returns TMON_OK or an error with err
 * filled (a missing node is TMON_E_NOTFOUND; anything else is passed on
 * to the caller as it is).
 */
typedef enum tmon_rc (*tlog_read_fn)(void *arg, const struct tlog_node *nodes,
    size_t n, uint8_t (*out)[32], struct tmon_err *err);

/*
 * The complete nodes whose hashes make MTH(D[lo:hi)), 0 <= lo < hi <=
 * TLOG_MAX_SIZE, lo a multiple of the largest power of two <= hi - lo
 * (a subtree of RFC 9162: always true for [0, size) and for every range
 * a proof uses): the decomposition of hi - lo into powers of two, largest
 * first.  Writes at most 64 nodes to out and returns how many.
 */
size_t	tlog_range_nodes(uint64_t lo, uint64_t hi, struct tlog_node *out);

/*
 * The root MTH(D[0:size)) of the tree of size leaves (size <
 * TLOG_MAX_SIZE; 0 gives the empty root), from at most 63 complete nodes
 * read through rd.  Errors: TMON_E_PARSE (size out of range), or the
 * reader's.
 */
enum tmon_rc	tlog_root(uint64_t size, tlog_read_fn rd, void *arg,
		    uint8_t out[32], struct tmon_err *err);

/*
 * The inclusion proof PATH(index, D[0:size)) of RFC 9162 section
 * 2.1.3.1, index < size < TLOG_MAX_SIZE: *n (at most TLOG_MAX_PROOF)
 * hashes into proof, leaf sibling first.  Errors: TMON_E_PARSE (index or
 * size out of range), or the reader's.
 */
enum tmon_rc	tlog_prove_inclusion(uint64_t index, uint64_t size,
		    tlog_read_fn rd, void *arg, uint8_t proof[][32], size_t *n,
		    struct tmon_err *err);

/*
 * The consistency proof PROOF(old, D[0:new)) of RFC 9162 section
 * 2.1.4.1, 0 < old <= new < TLOG_MAX_SIZE (empty when old == new): *n
 * hashes into proof.  Errors: TMON_E_PARSE (sizes out of range), or the
 * reader's.
 */
enum tmon_rc	tlog_prove_consistency(uint64_t old, uint64_t new,
		    tlog_read_fn rd, void *arg, uint8_t proof[][32], size_t *n,
		    struct tmon_err *err);

/*
 * Verify an inclusion proof (RFC 9162 section 2.1.3.2): true if the
 * leaf hash at index, with proof[0..n), makes root for a tree of size.
 * False for index >= size, size >= TLOG_MAX_SIZE, or n of the wrong
 * length.
 */
bool	tlog_verify_inclusion(uint64_t index, uint64_t size,
	    const uint8_t leaf[32], const uint8_t proof[][32], size_t n,
	    const uint8_t root[32]);

/*
 * Verify a consistency proof (RFC 9162 section 2.1.4.2): true if the tree
 * of size old with old_root is a prefix of the tree of size new with
 * new_root.  0 < old <= new < TLOG_MAX_SIZE; for old == new the proof
 * must be empty and the roots equal.  (old == 0 is consistent with
 * everything; callers handle it, as a witness does, before asking.)
 */
bool	tlog_verify_consistency(uint64_t old, uint64_t new,
	    const uint8_t old_root[32], const uint8_t new_root[32],
	    const uint8_t proof[][32], size_t n);

/*
 * The compact range of a tree: the roots of the complete subtrees its
 * size decomposes into (one per set bit of size, largest first), enough
 * to append leaves and compute the root without reading anything else.
 */
struct tlog_frontier {
	uint64_t	size;
	unsigned	n;		/* popcount(size) */
	uint8_t		h[64][32];	/* h[0] covers the lowest leaves */
};

/* Called for each node completed by an append, lowest level first (the
 * leaf itself, level 0, included). */
typedef void	(*tlog_emit_fn)(void *arg, const struct tlog_node *node,
		    const uint8_t hash[32]);

/* An empty tree. */
void		tlog_frontier_init(struct tlog_frontier *f);

/*
 * Load the frontier of the tree of size leaves from its complete nodes
 * (tlog_range_nodes(0, size)).  Errors: TMON_E_PARSE (size out of range),
 * or the reader's.
 */
enum tmon_rc	tlog_frontier_load(struct tlog_frontier *f, uint64_t size,
		    tlog_read_fn rd, void *arg, struct tmon_err *err);

/*
 * Append one leaf hash: emit (may be NULL) gets the leaf (level 0) and
 * every node it completes.  Returns false, changing nothing, when the
 * tree is full (TLOG_MAX_SIZE - 1 leaves).
 */
bool		tlog_frontier_append(struct tlog_frontier *f,
		    const uint8_t leaf[32], tlog_emit_fn emit, void *arg);

/* The root of the frontier's tree (the empty root for size 0). */
void		tlog_frontier_root(const struct tlog_frontier *f,
		    uint8_t out[32]);

/*
 * A tile (C2SP tlog-tiles): level -1 is the entry bundle of the 256
 * entries [index * 256, index * 256 + width); level L >= 0 holds the
 * hashes of the nodes (8 L, index * 256 + i), i < width.  width is 1..256
 * (256: a full tile, no ".p/" suffix).
 */
struct tlog_tile {
	int		level;
	uint64_t	index;
	unsigned	width;
};

#define TLOG_TILE_ENTRIES	(-1)

/*
 * Write the path of t relative to the log's prefix, e.g. "tile/0/x001/
 * x234/067.p/12" or "tile/entries/000", NUL-terminated, into buf (size
 * bytes; TLOG_TILE_PATH_MAX always suffices).  Returns false if t is not a
 * valid tile (level < -1 or > 7, width 0 or > 256, index too large) or the
 * path does not fit.
 */
bool	tlog_tile_path(const struct tlog_tile *t, char *buf, size_t size);

/*
 * Parse a path relative to the prefix ("tile/...") exactly as
 * tlog_tile_path writes it: levels 0..7 or "entries" (level 7 already
 * covers 2^64 leaves), 3-digit groups with "x" on all but the last and
 * no leading "x000/" group, no leading zeroes in <L> and <W>, width
 * 1..255 after ".p/".  So each tile has one path.  Returns false for
 * anything else.
 */
bool	tlog_tile_parse(const char *path, struct tlog_tile *out);

/*
 * Whether t is a tile of the tree of size leaves (C2SP tlog-tiles
 * "Partial Tiles"; entry bundles as level 0): a full tile the tree
 * covers whole, or the rightmost partial tile of its level, whose width
 * is floor(size / 256^L) mod 256.
 */
bool	tlog_tile_in_tree(const struct tlog_tile *t, uint64_t size);

/*
 * The tiles of a tree of size leaves, for exporters: calls cb with every
 * full tile and the partial tile of each level (entry bundles included),
 * level by level from -1 upwards and index by index; stops when cb
 * returns false (and returns false then).
 */
bool	tlog_tiles_each(uint64_t size,
	    bool (*cb)(void *arg, const struct tlog_tile *t), void *arg);

/*
 * The next entry of a C2SP tlog-tiles entry bundle (each entry a
 * big-endian uint16 length and that many bytes) in b[*off..len): *entry
 * and *elen (1..65535) point into b and *off moves past it.  Returns
 * false, moving nothing, when the bytes left are not a whole non-empty
 * entry (none left included: check *off == len to tell the end).
 */
bool	tlog_bundle_next(const uint8_t *b, size_t len, size_t *off,
	    const uint8_t **entry, size_t *elen);

#endif /* TMON_TLOG_TLOG_H */
