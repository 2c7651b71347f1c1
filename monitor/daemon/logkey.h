/*
 * logkey.h: tmond's log key and checkpoints (README "The log").
 *
 * The log signs C2SP tlog-checkpoint notes (origin, size, root) with one
 * Ed25519 key (C2SP signed-note, type 0x01) named by its origin.  The
 * key lives in a file of its own (mode 0600, note_keyfile_load_or_create)
 * and never in the database or a message; its verifier key
 * ("<origin>+<8 hex>+<base64>") is what auditors need.  The latest signed
 * checkpoint is also kept in a file outside the database, so a database
 * rolled back to an earlier copy is noticed at start-up.
 */
#ifndef TMON_MONITOR_LOGKEY_H
#define TMON_MONITOR_LOGKEY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "store.h"
#include "tmon_limits.h"
#include "writer.h"

struct logkey;

/* Where the log's files are and what it is called. */
struct logkey_paths {
	char	origin[MAX_NOTE_NAME + 1];
	bool	origin_fixed;		/* configured: the key must match */
	char	key_file[4096];
	char	checkpoint_file[4096];
};

/*
 * Fill p from the "log" configuration and the database path: the origin
 * (lc->origin; else the name of the existing key, or for a new key
 * "<listen_host>:<listen_port>/tmon", with origin_fixed false), the key file
 * (lc->key_file, else db_path + ".key") and the checkpoint file
 * (lc->checkpoint_file, else db_path + ".checkpoint").  Errors:
 * TMON_E_CONFIG (a path too long, a default origin that is not a key
 * name).
 */
enum tmon_rc	logkey_paths(const struct log_cfg *lc, const char *db_path,
		    const char *listen_host, uint16_t listen_port,
		    struct logkey_paths *p, struct tmon_err *err);

/*
 * Open the log's key and check the log against it (tmond start-up, on
 * the handle s before the writer owns it):
 *   - the key file is loaded; when it does not exist, a new key is made
 *     only if create is true and the log has no checkpoint (a log with
 *     checkpoints was signed by a key that must not be replaced);
 *   - the latest stored checkpoint must be a checkpoint note of this
 *     origin, signed by this key, of its row's size and root;
 *   - the checkpoint file, when there is one, must be signed by this key
 *     and be a checkpoint of the stored tree: a larger size than the log
 *     means the database was rolled back, another root that it changed.
 * Errors: TMON_E_CONFIG (the key file: permissions, name, missing while
 * the log has checkpoints), TMON_E_PARSE (the log does not match its
 * checkpoints: the message says which and how), TMON_E_IO, TMON_E_DB,
 * TMON_E_CRYPTO_LIB.  On success *out is the key (logkey_free).
 */
enum tmon_rc	logkey_open(const struct logkey_paths *p, bool create,
		    struct store *s, struct logkey **out,
		    struct tmon_err *err);

/*
 * Check the stored checkpoints against the key without the key file
 * (tmond --read-only): as logkey_open with the verifier key vkey.  Same
 * errors.
 */
enum tmon_rc	logkey_check(const char *vkey, const char *origin,
		    const char *checkpoint_file, struct store *s,
		    struct tmon_err *err);

/* The verifier key text, NUL-terminated, owned by k. */
const char	*logkey_vkey(const struct logkey *k);
/* The origin, owned by k. */
const char	*logkey_origin(const struct logkey *k);

/*
 * The writer's signer (writer.h) over k: it signs the checkpoint note of
 * (origin, size, root), and after each stored checkpoint writes the
 * checkpoint file and calls notify(arg, c) (may be NULL: for the
 * witnesses).  k must outlive the writer.
 */
void		logkey_writer_signer(struct logkey *k, unsigned interval_ms,
		    void (*notify)(void *arg, const struct store_checkpoint *c),
		    void *arg, struct store_writer_signer *out);

/* Wipe and free k (NULL is a no-op). */
void		logkey_free(struct logkey *k);

#endif /* TMON_MONITOR_LOGKEY_H */
