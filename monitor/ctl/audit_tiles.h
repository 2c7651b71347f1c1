/*
 * audit_tiles.h: tmonctl audit of a log served as C2SP tlog-tiles
 * (https://c2sp.org/tlog-tiles).
 */
#ifndef TMON_CTL_AUDIT_TILES_H
#define TMON_CTL_AUDIT_TILES_H

#include <stdbool.h>

/*
 * Audit the log whose tiles are at where: an http(s) URL of the tiles'
 * prefix (tmond's http://HOST:PORT/api/v1/log, or a mirror), or a
 * directory tmonctl export-tiles wrote.  vkey (required) is the log's
 * verifier key: the checkpoint must be signed by it.  Every entry bundle
 * of the checkpoint's tree is fetched (nthreads at a time) and its
 * entries hashed (RFC 9162 section 2.1.1) into the tree; each entry's
 * leaf must be its level-0 hash tile's, every hash tile of levels 1..7
 * the rebuilt tree's nodes, and the root the checkpoint's.  Where the
 * source lists every checkpoint (tmond's GET /api/v1/log/checkpoints),
 * each must be signed by vkey and be the root of the tree at its size.
 * from_cp (may be NULL): a checkpoint saved earlier, signed by vkey,
 * whose root the log must still have at its size.  Tiles carry no
 * evidence blobs, so verdicts are not re-derived: with rederive the
 * result is at best "not verified" (3).  Prints one "damaged:" line per
 * problem and a summary.  Returns the exit code: 0 everything holds,
 * 1 a problem, 3 not re-derived, 2 usage or I/O error.
 */
int	audit_tiles(const char *where, const char *vkey, const char *from_cp,
	    unsigned nthreads, bool rederive);

#endif /* TMON_CTL_AUDIT_TILES_H */
