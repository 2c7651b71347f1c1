/*
 * tiles.h: the log as C2SP tlog-tiles resources (https://c2sp.org/tlog-tiles),
 * built from a store handle: the checkpoint text, hash tiles and entry
 * bundles.  The one builder of these bytes: tmond's API serves them under
 * /api/v1/log/ and tmonctl export-tiles writes them to files, so a mirror
 * holds exactly what the API answers.
 *
 * Every resource belongs to the tree of a signed checkpoint: the caller
 * reads the latest checkpoint (tiles_checkpoint) and serves or writes
 * only tiles that tiles_servable() allows for its size.  The tree and the
 * entries are append-only, so a tile read after the checkpoint (in
 * another read statement) is the tile of that tree.
 */
#ifndef TMON_STORE_TILES_H
#define TMON_STORE_TILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "tlog.h"

/* The largest tile: a full entry bundle of bodies of MAX_ENTRY_BODY
 * bytes, each with its 2-byte length (a full hash tile is 8,192 bytes). */
#define TILES_MAX_BYTES		(TLOG_TILE_WIDTH * (2 + MAX_ENTRY_BODY))
/* Cosignature lines appended to a checkpoint (one per witness). */
#define TILES_MAX_COSIGNATURES	32
/* The largest checkpoint text: the note and its cosignature lines. */
#define TILES_MAX_CHECKPOINT	(MAX_CHECKPOINT_NOTE + \
				    TILES_MAX_COSIGNATURES * MAX_NOTE_SIG_LINE)

/*
 * The latest stored checkpoint (store_checkpoint_latest) into *cp (the
 * caller releases it with store_checkpoint_free) and the text served as
 * <prefix>/checkpoint: its signed note bytes, then each cosignature line
 * stored for its size (store_cosignature_list, by witness name; at most
 * TILES_MAX_COSIGNATURES, lines that do not end in '\n' or whose note
 * does not are left out, so every line stays a signature line of the
 * note).  *text (*len bytes, NUL-terminated, the NUL not counted) is
 * malloc'd; the caller frees it.  Nothing is returned on failure.
 * Errors: TMON_E_NOTFOUND (no checkpoint yet), TMON_E_PARSE (a corrupt
 * row), TMON_E_DB.
 */
enum tmon_rc	tiles_checkpoint(struct store *s, struct store_checkpoint *cp,
		    uint8_t **text, size_t *len, struct tmon_err *err);

/*
 * Whether t may be served for a log whose latest checkpoint has size
 * leaves: a tile of that tree (tlog_tile_in_tree), or a partial tile of
 * an earlier tree size, which readers of an earlier checkpoint ask for
 * (C2SP tlog-tiles "Partial Tiles": logs must serve the partial tiles of
 * every size they signed; the ones of any smaller size are served too,
 * since every one of their hashes is in the signed tree).  False for
 * anything past size.
 */
bool		tiles_servable(const struct tlog_tile *t, uint64_t size);

/*
 * The bytes of tile t: for a hash tile (level >= 0) the width hashes of
 * store_tree_tile, 32 bytes each; for an entry bundle (level -1) the
 * bodies of the entries [index * 256, index * 256 + width), each as a
 * big-endian uint16 length and the body bytes (entries are read through
 * store_query, which checks each body against its leaf hash).  *out
 * (*len bytes, at most TILES_MAX_BYTES) is malloc'd; the caller frees
 * it; nothing is returned on failure.  The caller checks that t belongs
 * to the tree it serves (tiles_servable).
 * Errors: TMON_E_PARSE (t is not a valid tile, a damaged entry, a body
 * longer than MAX_ENTRY_BODY), TMON_E_NOTFOUND (a node or an entry of
 * the tile is missing), TMON_E_DB.
 */
enum tmon_rc	tiles_read(struct store *s, const struct tlog_tile *t,
		    uint8_t **out, size_t *len, struct tmon_err *err);

#endif /* TMON_STORE_TILES_H */
