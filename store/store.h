/*
 * store.h: the append-only, hash-chained log of tmon (README "The log"),
 * kept in one SQLite database in WAL mode.
 *
 * Tables (schema version STORE_SCHEMA_VERSION, kept in PRAGMA user_version
 * and upgraded by the migration steps in store.c):
 *
 *   entries(seq INTEGER PRIMARY KEY, time INTEGER, kind TEXT, model TEXT NULL,
 *           verdict TEXT NULL, class TEXT NULL, body BLOB, leaf_hash BLOB(32),
 *           chain_hash BLOB(32))
 *     seq is 0-based and contiguous.  body holds the exact canonical JSON
 *     bytes the caller handed over (a JSON object), kept and hashed as
 *     they are.  time, kind, model, verdict and class are an index of
 *     members of the body and must always equal them (store_body_check):
 *     the hashed body is the entry, the columns only find it.  class is
 *     NULL but for events.  Indexes (kind, seq), (kind, model, seq),
 *     (kind, verdict, seq), (kind, class, seq), (kind, model, verdict,
 *     seq), (verdict, seq) and (time) make every list store_query answers
 *     a walk of at most limit matching rows.
 *       leaf[i]  = SHA-256(0x00 || body[i])
 *       chain[i] = SHA-256(chain[i-1] || leaf[i]),  chain[-1] = 32 zero bytes
 *     (leaf hashing as RFC 9162 section 2.1.1, so the same leaves can feed
 *     the Merkle tree).  Triggers refuse every UPDATE and DELETE, and any
 *     INSERT whose seq is not the next one.
 *   tree(level INTEGER, idx INTEGER, hash BLOB(32), PRIMARY KEY(level, idx))
 *     the Merkle tree of the entries (RFC 9162 section 2.1, tlog.h): every
 *     complete node (level, idx), the hash over the leaves [idx * 2^level,
 *     (idx + 1) * 2^level); level 0 holds the leaf hashes.  store_append
 *     inserts the nodes each entry completes in the same transaction (at
 *     most 63 per entry, about two rows per entry in all), so the root of
 *     any size and every proof read O(log n) rows.  Append-only.
 *   checkpoints(size INTEGER PRIMARY KEY, time INTEGER, root BLOB(32),
 *           note BLOB)
 *     every signed checkpoint (C2SP tlog-checkpoint in a signed note, the
 *     exact bytes with the log's signature): one per size, never replaced,
 *     its root the tree's root at that size (store_checkpoint_add).
 *   cosignatures(size INTEGER, name TEXT, time INTEGER, line TEXT,
 *           PRIMARY KEY(size, name))
 *     the witness cosignature lines (C2SP tlog-cosignature) returned for
 *     the checkpoint of that size.  Append-only.
 *   blobs(sha256 BLOB PRIMARY KEY, media_type TEXT, len INTEGER, data BLOB)
 *     content-addressed raw bytes (upstream responses); the key is
 *     SHA-256(data), computed by the store.  Storing a blob that is already
 *     there is a no-op (the first media type stays).  Blobs cannot be
 *     updated.  Entry bodies name the blobs they keep by these keys, as 64
 *     lower-case hex digits (or null when there is none), at:
 *       probe       request.body_sha256, canary.request_sha256,
 *                   canary.response_sha256, canary.signature_sha256,
 *                   request.tls_chain_sha256, nras.body_sha256,
 *                   nras.jwks_sha256
 *       receipt     submitted.sha256
 *       collateral  documents.<name>.body_sha256,
 *                   documents.<name>.headers_sha256
 *       provenance  the same as collateral
 *     (the layouts store/entry.h builds; the store knows these paths
 *     only to check that the blobs an entry names are there).
 *   models(model TEXT PRIMARY KEY, first_seq, last_probe_seq, last_pass_seq,
 *           last_event_seq, probes)
 *     derived: one row per model named by a probe or event entry: the seq
 *     of its first probe or event, of its newest probe, newest probe with
 *     verdict pass, newest event (NULL: none), and its number of probes.
 *   daily(model, day, pass, warn, fail, error, PRIMARY KEY(model, day))
 *     derived: a model's probes of UTC day floor(time / 86400) by verdict.
 *   store_append keeps both in its transaction (only the one writer
 *   writes them), the migration to schema 3 builds them from the
 *   entries, and store_verify compares them with the entries: they are
 *   not hashed, so they are only trusted as far as it checks them.
 *
 * Handles: one STORE_RW handle (in tmond, owned by the writer thread of
 * writer.h, the only writer) and any number of STORE_RO handles (pool.h:
 * the API and the receipt path; tmonctl audit, tmond --read-only).  WAL mode gives every read
 * statement a consistent snapshot, and store_append writes in one
 * BEGIN IMMEDIATE ... COMMIT transaction, so a reader sees either none or
 * all of an append.  A struct store may be used by one thread at a time;
 * give each thread its own handle.
 *
 * Errors: every function that returns enum tmon_rc fills err (may be NULL)
 * on failure.  TMON_E_DB is an SQLite failure (the message carries
 * sqlite3_errmsg), TMON_E_IO one caused by the disk rather than the data
 * (SQLITE_FULL, SQLITE_IOERR*, SQLITE_READONLY*, SQLITE_CANTOPEN: full,
 * failing or read-only storage) or a database file deleted or replaced
 * while open (store_check_file), TMON_E_TIMEOUT means the database stayed
 * locked longer than STORE_BUSY_TIMEOUT_MS.
 */
#ifndef TMON_STORE_STORE_H
#define TMON_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "tlog.h"

struct json_t;

/* The schema version this build creates and understands. */
#define STORE_SCHEMA_VERSION	4
/* PRAGMA application_id of a tmon database ("tmon" in ASCII). */
#define STORE_APPLICATION_ID	0x746d6f6e
/* How long a statement waits for a lock held by another connection. */
#define STORE_BUSY_TIMEOUT_MS	5000
/* The newest entries tmond verifies at start-up (store_verify tail). */
#define STORE_VERIFY_TAIL	1000
/* Problems one store_verify reports through its callback (it counts the
 * rest). */
#define STORE_VERIFY_MAX_REPORTS 100

struct store;

enum store_mode {
	STORE_RW,	/* read-write; creates the file and migrates it */
	STORE_RO	/* read-only: never writes the database (see store_open) */
};

/*
 * Open the database at path.
 *
 * STORE_RW creates the file if needed, switches it to WAL mode, and runs
 * every migration step from its user_version up to STORE_SCHEMA_VERSION in
 * one transaction.
 *
 * STORE_RO never writes the database: no migration, no PRAGMA that
 * writes, query_only=ON.  It first identifies path, before SQLite sees
 * it: a regular file, not empty, starting with the SQLite header
 * "SQLite format 3\0" (https://www.sqlite.org/fileformat.html 1.3.1).
 * It then opens the URI file:PATH?mode=ro, adding immutable=1 when the
 * file or its directory is not writable (no write permission bit, denied
 * by access(2), or a read-only file system) and PATH-wal is absent or
 * empty: SQLite cannot create PATH-shm there, and with no write-ahead log
 * there is nothing it would read from one (immutable ignores PATH-wal, so
 * it is never used while PATH-wal holds transactions).  A log served
 * read-only this way must not be written by anyone meanwhile.  The file
 * must hold a tmon log (an entries table, application_id 0 or
 * STORE_APPLICATION_ID) at exactly STORE_SCHEMA_VERSION.
 *
 * Both set SQLITE_DBCONFIG_DEFENSIVE, foreign_keys=ON, trusted_schema=OFF
 * and a busy timeout of STORE_BUSY_TIMEOUT_MS.
 *
 * On success *out is a new handle the caller frees with store_close().
 * On failure *out is NULL and the error is one of (the message says which
 * and, for STORE_RO, what the file is):
 *   TMON_E_IO           path exists but is not a regular file (a FIFO,
 *                       device, socket or directory is refused before
 *                       SQLite opens it, so it cannot block); (STORE_RO)
 *                       path cannot be examined or read;
 *   TMON_E_DB           the file cannot be opened or is not an SQLite
 *                       database, or an SQL statement failed;
 *   TMON_E_UNSUPPORTED  the database's user_version is newer than
 *                       STORE_SCHEMA_VERSION (made by a newer tmon), or
 *                       (STORE_RO) older;
 *   TMON_E_CONFIG       not a tmon log: (STORE_RO) not a regular file, an
 *                       empty file, not an SQLite database, no entries
 *                       table; an SQLite database of another program
 *                       (foreign application_id, or tables without a
 *                       tmon user_version);
 *   TMON_E_TIMEOUT      the database stayed locked.
 */
enum tmon_rc	store_open(const char *path, enum store_mode mode,
		    struct store **out, struct tmon_err *err);

/*
 * Check that the database file s opened is still the one its path names:
 * not unlinked, renamed away or replaced by another file (compared by
 * st_dev and st_ino, and SQLITE_FCNTL_HAS_MOVED).  SQLite in WAL mode goes
 * on writing into a deleted file, and everything written there is lost
 * with the last handle.  store_append runs this before and after each
 * transaction.  Errors: TMON_E_IO, with a message saying which.
 */
enum tmon_rc	store_check_file(struct store *s, struct tmon_err *err);

/* Close a handle (NULL is a no-op); it must not be in a callback. */
void		store_close(struct store *s);

/* The schema version of an open handle (STORE_SCHEMA_VERSION once open). */
int		store_schema_version(const struct store *s);

/* The mode s was opened in. */
enum store_mode	store_handle_mode(const struct store *s);

/* One blob to store: data/len bytes (len 1..MAX_BLOB_LEN) and a media type
 * (1..MAX_MEDIA_TYPE-1 bytes of printable ASCII, e.g. "application/json").
 * The key is SHA-256(data); callers compute it with sha256() (util.h) to
 * reference the blob from an entry body. */
struct store_blob_in {
	const uint8_t	*data;
	size_t		 len;
	const char	*media_type;
};

/*
 * One entry to append.
 *   kind     "probe", "receipt", "collateral", "alert", "event",
 *            "delivery" or "provenance" (store_kind_valid).
 *   time     unix seconds, >= 0.
 *   model    NULL, or 1..MAX_MODEL_ID-1 bytes of printable ASCII.
 *   verdict  NULL, or "pass", "warn", "fail" or "error" (README "Checks").
 *   cls      an event's class (store_class_valid), required for kind
 *            "event" and NULL for every other kind.
 *   body     body_len bytes (1..MAX_ENTRY_BODY), already canonical JSON; the
 *            store hashes and keeps them exactly.  kind, time, model,
 *            verdict and cls must be the body's members (store_body_check,
 *            cls as "class"): the
 *            store does not parse the body here (the receipt hot path),
 *            but readers refuse an entry whose columns are not its body's,
 *            and tmond refuses to start on one among the newest.
 */
struct store_entry_in {
	const char	*kind;
	int64_t		 time;
	const char	*model;
	const char	*verdict;
	const char	*cls;
	const uint8_t	*body;
	size_t		 body_len;
};

/* What store_append assigned to one entry. */
struct store_appended {
	uint64_t	seq;
	uint8_t		leaf[32];
	uint8_t		chain[32];
};

/*
 * Store nblobs blobs (0..MAX_APPEND_BLOBS) and append n entries
 * (0..MAX_APPEND_ENTRIES), in this order, in ONE transaction: either all of
 * it is committed or nothing is.  The entries get consecutive sequence
 * numbers after the current last one; out (n elements, may be NULL when n is
 * 0 or the caller does not need it) receives each entry's seq, leaf hash and
 * chain hash, and is written only on success.  blobs may be NULL when nblobs
 * is 0, entries when n is 0.  Needs a STORE_RW handle.
 *
 * Errors: TMON_E_PARSE (an input field is missing or malformed; the message
 * names it, err->offset holds its index), TMON_E_LIMIT (a count or a length
 * is over its MAX_*), TMON_E_UNSUPPORTED (a STORE_RO handle), TMON_E_DB,
 * TMON_E_TIMEOUT, TMON_E_IO (the disk is full or failing, or
 * store_check_file failed before the transaction or after its commit: an
 * append committed into a file that left its path is reported as failed,
 * since the log at the path does not have it).  Inputs are all checked
 * before the transaction starts.  TMON_E_PARSE and TMON_E_LIMIT come from
 * the inputs, so retrying the same append fails again; TMON_E_IO and
 * TMON_E_TIMEOUT come from the environment and a later retry may succeed.
 */
enum tmon_rc	store_append(struct store *s, const struct store_blob_in *blobs,
		    size_t nblobs, const struct store_entry_in *entries,
		    size_t n, struct store_appended *out, struct tmon_err *err);

/*
 * The checks store_append runs on its inputs before the transaction, on
 * their own: the same errors (TMON_E_PARSE with err->offset the index of
 * the blob or entry at fault, TMON_E_LIMIT), TMON_OK when store_append
 * would take them.  For callers that queue appends (writer.h).
 */
enum tmon_rc	store_append_check(const struct store_blob_in *blobs,
		    size_t nblobs, const struct store_entry_in *entries,
		    size_t n, struct tmon_err *err);

/* One entry read back.  model, verdict and cls are NULL when the column
 * is NULL.  model, verdict, cls and body are owned (store_entry_free);
 * body is not NUL-terminated. */
struct store_entry {
	uint64_t	 seq;
	int64_t		 time;
	char		 kind[16];
	char		*model;
	char		*verdict;
	char		*cls;
	uint8_t		*body;
	size_t		 body_len;
	uint8_t		 leaf[32];
	uint8_t		 chain[32];
};

/* Free the members of e (not e itself) and zero it; NULL is a no-op. */
void		store_entry_free(struct store_entry *e);

/*
 * Read the entry with sequence number seq into *out (which the caller
 * releases with store_entry_free on success; untouched on failure).
 * Every entry read back (here, store_query, store_latest_per_model) is
 * checked first: its leaf hash must be SHA-256(0x00 || body) and its
 * columns the body's members (store_body_check), so no reader ever sees a
 * column that disagrees with the hashed body.  (A handle remembers the
 * last rows it checked, by seq, leaf hash and columns, and does not parse
 * the same body again.)
 * Errors: TMON_E_NOTFOUND (no such seq), TMON_E_PARSE (the row is corrupt
 * or damaged: a hash is not 32 bytes, an unknown kind, a leaf hash or a
 * column that does not match the body; err->offset is the seq and the
 * message "store: entry SEQ: ..." says what), TMON_E_DB.
 */
enum tmon_rc	store_entry_get(struct store *s, uint64_t seq,
		    struct store_entry *out, struct tmon_err *err);

/*
 * A filter for store_query.  Every condition given must hold:
 *   kind, model, cls   equal (NULL = any; cls is the class column);
 *   verdict            equal to verdict or, when verdict_alt is not NULL,
 *                      to verdict_alt (verdict NULL = any);
 *   since, until       since <= time <= until (0 = unbounded on that side);
 *   before_seq         seq < before_seq (UINT64_MAX = none);
 *   after_seq          seq > after_seq (UINT64_MAX = none);
 *   limit              at most limit entries (0 = no limit: callers that
 *                      answer the network always pass a bound);
 *   newest_first       descending seq order, else ascending.
 * With a kind, the rows are read from the index of the most specific of
 * kind+model+verdict, kind+model, kind+class, kind+verdict, kind (in
 * seq order, never sorted), so a query reads about limit rows plus
 * those the other conditions (time, a class within a model) skip; a
 * verdict_alt runs one index walk per verdict and merges them.
 */
struct store_query {
	const char	*kind;
	const char	*model;
	const char	*cls;
	const char	*verdict;
	const char	*verdict_alt;
	int64_t		 since;
	int64_t		 until;
	uint64_t	 before_seq;
	uint64_t	 after_seq;
	size_t		 limit;
	bool		 newest_first;
};

/* A store_query that matches everything, oldest first, without a limit. */
void		store_query_init(struct store_query *q);

/*
 * Call cb for each entry matching q, in seq order, inside one read
 * statement (so on a consistent snapshot).  The entry passed to cb is
 * borrowed: it is freed when cb returns.  cb returns 0 to go on and
 * non-zero to stop (store_query then returns TMON_OK).
 * Errors: TMON_E_PARSE (a corrupt row), TMON_E_DB.
 */
enum tmon_rc	store_query(struct store *s, const struct store_query *q,
		    int (*cb)(const struct store_entry *e, void *arg), void *arg,
		    struct tmon_err *err);

/*
 * Test seam: what the last store_query or store_latest_per_model on s
 * cost, summed over its statements (sqlite3_stmt_status): VM steps,
 * steps of full scans, and sorts.  A list answered from an index has no
 * sort and no full scan.
 */
struct store_query_stats {
	uint64_t	vm_steps;
	uint64_t	fullscan_steps;
	uint64_t	sorts;
};
void		store_query_stats(const struct store *s,
		    struct store_query_stats *out);

/*
 * For each distinct non-NULL model with an entry of kind, call cb with the
 * newest such entry (highest seq), in ascending model order.  The entry is
 * borrowed as in store_query, and cb returns non-zero to stop.  For
 * "probe" and "event" it reads the models table (one row per model), for
 * other kinds the (kind, model, seq) index.
 * Errors: as store_query.
 */
enum tmon_rc	store_latest_per_model(struct store *s, const char *kind,
		    int (*cb)(const struct store_entry *e, void *arg), void *arg,
		    struct tmon_err *err);

/*
 * A row of the derived models table (see above).  Seqs that do not exist
 * are STORE_NO_SEQ.  model is borrowed: valid during the callback (for
 * store_models) or until the next call on the handle (store_model_get).
 */
struct store_model {
	const char	*model;
	uint64_t	 first_seq;
	uint64_t	 last_probe_seq;
	uint64_t	 last_pass_seq;
	uint64_t	 last_event_seq;
	uint64_t	 probes;
};

/*
 * Call cb for each row of the models table, in ascending model order;
 * cb returns non-zero to stop.  Errors: TMON_E_PARSE (a corrupt row),
 * TMON_E_DB.
 */
enum tmon_rc	store_models(struct store *s,
		    int (*cb)(const struct store_model *m, void *arg),
		    void *arg, struct tmon_err *err);

/*
 * The models row of model into *out (out->model borrowed until the next
 * call on s); *found false (and *out untouched) when there is none.
 * Errors: TMON_E_PARSE (a corrupt row), TMON_E_DB.
 */
enum tmon_rc	store_model_get(struct store *s, const char *model,
		    struct store_model *out, bool *found, struct tmon_err *err);

/* A row of the derived daily table: a model's probes of one UTC day
 * (unix time / 86400) by verdict.  model is borrowed for the callback. */
struct store_day {
	const char	*model;
	int64_t		 day;
	uint64_t	 pass;
	uint64_t	 warn;
	uint64_t	 fail;
	uint64_t	 error;
};

/*
 * Call cb for each daily row of model (NULL: every model) with day >=
 * from_day, by model then day ascending; cb returns non-zero to stop.
 * Errors: TMON_E_PARSE, TMON_E_DB.
 */
enum tmon_rc	store_daily(struct store *s, const char *model,
		    int64_t from_day,
		    int (*cb)(const struct store_day *d, void *arg), void *arg,
		    struct tmon_err *err);

/*
 * Read the blob whose SHA-256 is sha256[32].  On success *data (*len bytes,
 * NUL-terminated for convenience, the NUL not counted) and *media_type are
 * new allocations the caller frees with free(); on failure they are
 * untouched.  The bytes are re-hashed and must match the key.
 * Errors: TMON_E_NOTFOUND, TMON_E_PARSE (the stored bytes do not hash to
 * their key or do not have the recorded length: a corrupt database),
 * TMON_E_DB.
 */
enum tmon_rc	store_blob_get(struct store *s, const uint8_t sha256[32],
		    uint8_t **data, size_t *len, char **media_type,
		    struct tmon_err *err);

/*
 * Recompute every leaf hash from the stored body and the whole chain from
 * chain[-1] = 0, in one read snapshot, comparing with the stored columns and
 * checking that seq runs 0, 1, 2, ... without a gap.  On TMON_OK, *size
 * (may be NULL) is the number of entries and head (may be NULL) receives the
 * last chain hash (32 zero bytes for an empty log).
 * Errors: TMON_E_PARSE with err->offset = the first bad seq and a message
 * saying what did not match (leaf, chain, gap); TMON_E_DB.
 */
enum tmon_rc	store_verify_chain(struct store *s, uint64_t *size,
		    uint8_t head[32], struct tmon_err *err);

/*
 * The Merkle tree of the log (tlog.h): a tlog_read_fn over a handle (arg
 * is the struct store *), reading complete nodes from the tree table.
 * Errors: TMON_E_NOTFOUND (no such node: past the end of the tree),
 * TMON_E_PARSE (a stored hash is not 32 bytes), TMON_E_DB.
 */
enum tmon_rc	store_tree_read(void *arg, const struct tlog_node *nodes,
		    size_t n, uint8_t (*out)[32], struct tmon_err *err);

/* The number of leaves in the tree table (0 for an empty log).  Errors:
 * TMON_E_PARSE (corrupt), TMON_E_DB. */
enum tmon_rc	store_tree_size(struct store *s, uint64_t *size,
		    struct tmon_err *err);

/* The root MTH(D[0:size)) from the stored nodes (tlog_root).  Errors: as
 * store_tree_read; TMON_E_NOTFOUND when size is past the tree. */
enum tmon_rc	store_tree_root(struct store *s, uint64_t size,
		    uint8_t root[32], struct tmon_err *err);

/*
 * The hashes of a C2SP tlog-tiles hash tile (t->level >= 0): the nodes
 * (8 * level, index * 256 + i), i < width, into out (width * 32 bytes).
 * The caller checks that the tile belongs to the tree it serves
 * (tlog_tile_in_tree).  Errors: TMON_E_PARSE (an entry bundle or an
 * invalid tile), TMON_E_NOTFOUND (a node is missing), TMON_E_DB.
 */
enum tmon_rc	store_tree_tile(struct store *s, const struct tlog_tile *t,
		    uint8_t *out, struct tmon_err *err);

/* One signed checkpoint.  note (note_len bytes, NUL-terminated for
 * convenience, the NUL not counted) is owned when read back
 * (store_checkpoint_free). */
struct store_checkpoint {
	uint64_t	 size;
	int64_t		 time;		/* unix seconds, when signed */
	uint8_t		 root[32];
	uint8_t		*note;
	size_t		 note_len;
};

void		store_checkpoint_free(struct store_checkpoint *c);

/*
 * Store a signed checkpoint (STORE_RW; tmond's writer thread), in its own
 * transaction.  c->size is 1..tree size, c->root must be the stored
 * tree's root at c->size, note 1..MAX_CHECKPOINT_NOTE bytes (the store
 * does not parse it: the signer made it from size and root).  Storing
 * the very same checkpoint again is a no-op; another one for a size that
 * has one is refused, so the log never keeps two roots for one size.
 * Errors: TMON_E_PARSE (fields out of range, a root that is not the
 * tree's, another checkpoint of that size), TMON_E_UNSUPPORTED (a
 * STORE_RO handle), TMON_E_NOTFOUND (the tree is damaged), TMON_E_DB,
 * TMON_E_IO, TMON_E_TIMEOUT.
 */
enum tmon_rc	store_checkpoint_add(struct store *s,
		    const struct store_checkpoint *c, struct tmon_err *err);

/* The checkpoint of the largest size, or of exactly size (> 0), into
 * *out (store_checkpoint_free).  Errors: TMON_E_NOTFOUND (none),
 * TMON_E_PARSE (a corrupt row), TMON_E_DB. */
enum tmon_rc	store_checkpoint_latest(struct store *s,
		    struct store_checkpoint *out, struct tmon_err *err);
enum tmon_rc	store_checkpoint_get(struct store *s, uint64_t size,
		    struct store_checkpoint *out, struct tmon_err *err);

/* Call cb for each checkpoint of size > after, by size, at most limit (0:
 * no limit); the checkpoint is borrowed for the call; cb returns non-zero
 * to stop.  Errors: TMON_E_PARSE, TMON_E_DB. */
enum tmon_rc	store_checkpoint_list(struct store *s, uint64_t after,
		    size_t limit,
		    int (*cb)(const struct store_checkpoint *c, void *arg),
		    void *arg, struct tmon_err *err);

/* A witness cosignature of the checkpoint of size: the witness's key
 * name (1..MAX_NOTE_NAME bytes of 0x21..0x7e), the time it signed
 * (unix seconds) and its signature line as returned ("— name base64\n",
 * at most MAX_NOTE_SIG_LINE bytes). */
struct store_cosignature {
	uint64_t	 size;
	const char	*name;
	int64_t		 time;
	const char	*line;
};

/*
 * Keep a cosignature (STORE_RW; through the writer, see writer.h).  The
 * checkpoint must be stored; a second cosignature from the same witness
 * for the same size is ignored (the first stays).  The caller verified
 * it (note.h).  Errors: TMON_E_PARSE (fields out of range),
 * TMON_E_UNSUPPORTED, TMON_E_DB (no such checkpoint: a foreign key),
 * TMON_E_IO, TMON_E_TIMEOUT.
 */
enum tmon_rc	store_cosignature_add(struct store *s,
		    const struct store_cosignature *c, struct tmon_err *err);

/* Call cb for each cosignature of the checkpoint of size, by witness
 * name; borrowed for the call; cb returns non-zero to stop.  Errors:
 * TMON_E_DB. */
enum tmon_rc	store_cosignature_list(struct store *s, uint64_t size,
		    int (*cb)(const struct store_cosignature *c, void *arg),
		    void *arg, struct tmon_err *err);

/*
 * What store_verify checks besides the entries (flags):
 *   STORE_VERIFY_BLOBS      re-hash every blob of the blobs table (without
 *                           it, only the blobs the checked entries name);
 *   STORE_VERIFY_INTEGRITY  PRAGMA integrity_check (the b-tree structure,
 *                           https://www.sqlite.org/pragma.html).
 */
#define STORE_VERIFY_BLOBS	0x01
#define STORE_VERIFY_INTEGRITY	0x02
/* Only the hashes: every leaf from its body, the chain, the tree and the
 * checkpoints; no columns, no blobs, no integrity_check (the other flags
 * are ignored). */
#define STORE_VERIFY_HASHES	0x04
/* For checks split over threads (each with its own handle, the union of
 * their results is one store_verify): skip the tree and checkpoints, or
 * skip the entries (then only blobs, tree, checkpoints and
 * integrity_check, as flagged). */
#define STORE_VERIFY_NO_TREE	0x08
#define STORE_VERIFY_NO_ENTRIES	0x10

/* No entry (a problem that is not about one entry). */
#define STORE_NO_SEQ		UINT64_MAX

struct store_verify_opts {
	unsigned	 flags;		/* STORE_VERIFY_* */
	uint64_t	 tail;		/* 0: every entry; else the newest tail */
	/* end != 0: the entries [first, end) only (tail is ignored), the
	 * chain continuing from the stored chain hash of entry first - 1 */
	uint64_t	 first;
	uint64_t	 end;
	/* Called for each of the first STORE_VERIFY_MAX_REPORTS problems,
	 * in the order found; seq is the entry or STORE_NO_SEQ, msg a
	 * printable ASCII line ("entry 3: column verdict is ...").  NULL:
	 * only count them. */
	void		(*report)(void *arg, uint64_t seq, const char *msg);
	void		*arg;
	/* Called for each stored checkpoint whose root is the recomputed
	 * tree's, to check its note (signature, origin, size and root in
	 * the text): false and a printable reason in why (whysz bytes) make
	 * a problem.  NULL: notes are not checked. */
	bool		(*checkpoint)(void *arg,
			    const struct store_checkpoint *c, char *why,
			    size_t whysz);
	/* A checkpoint saved earlier (e.g. by an auditor): the log must
	 * hold pin_size entries whose root is pin_root. */
	bool		 has_pin;
	uint64_t	 pin_size;
	uint8_t		 pin_root[32];
};

struct store_verify_result {
	uint64_t	size;		/* entries in the log (last seq + 1) */
	uint64_t	first;		/* the first entry checked */
	uint64_t	entries;	/* entries checked */
	uint64_t	blobs;		/* blobs re-hashed */
	uint64_t	problems;	/* problems found */
	uint64_t	first_bad_seq;	/* lowest bad entry, or STORE_NO_SEQ */
	uint8_t		head[32];	/* the last stored chain hash */
	uint64_t	tree_leaves;	/* leaves of the rebuilt tree */
	uint64_t	checkpoints;	/* checkpoints checked */
	uint64_t	last_checkpoint; /* the largest one's size, or 0 */
};

/*
 * Verify the stored log, in one read snapshot, reporting every problem:
 *   entries   from the first checked one (seq 0, or size - tail) to the
 *             last: seq runs on without a gap, leaf = SHA-256(0x00 ||
 *             body), chain = SHA-256(chain of the entry before || leaf)
 *             (for a tail, the stored chain hash of the entry before it
 *             is taken as given), and kind, time, model, verdict, class
 *             are the body's members (store_body_check);
 *   blobs     every blob those entries name (see the blobs table above)
 *             is there, has its recorded length and hashes to its key;
 *             with STORE_VERIFY_BLOBS every blob of the table is checked
 *             so (and its media type too) before the entries, which are
 *             then reported for naming a damaged one;
 *   tree      each checked entry's leaf hash is the tree's leaf of its
 *             seq; then, for the whole log whatever the tail, the tree
 *             is rebuilt from its stored leaves (RFC 9162 section 2.1):
 *             every stored node must be the one rebuilt (a problem names
 *             the first entry under the bad node), no node may be left
 *             over, there must be one leaf per entry, every checkpoint's
 *             root must be the rebuilt root of its size (then o->checkpoint
 *             checks its note), no checkpoint may be larger than the log,
 *             and a pinned checkpoint must match;
 *   derived   (unless STORE_VERIFY_HASHES or STORE_VERIFY_NO_TREE) the
 *             models and daily tables: without a tail, both are
 *             recomputed from the entries' columns and must be equal
 *             row for row; with a tail, every models row's seqs are
 *             looked up in the indexes, its probes must be the sum of
 *             its daily counts, the daily rows of every day a probe of
 *             the tail falls on are recomputed, and every model in daily
 *             has a models row;
 *   SQLite    with STORE_VERIFY_INTEGRITY, each line of PRAGMA
 *             integrity_check(STORE_VERIFY_MAX_REPORTS) that is not "ok".
 * A page SQLite reports as corrupt while reading is a problem too.
 * res (may be NULL) is filled in either case.
 * Returns TMON_OK when everything holds; TMON_E_PARSE when a problem was
 * found (err has the first one, err->offset its seq or STORE_NO_SEQ);
 * TMON_E_DB, TMON_E_TIMEOUT when the checks could not run.
 */
enum tmon_rc	store_verify(struct store *s,
		    const struct store_verify_opts *o,
		    struct store_verify_result *res, struct tmon_err *err);

/*
 * Check that the indexed columns of an entry are its body's members: the
 * body is a JSON object (store_body_parse) whose "kind" is the string
 * kind, "time" the integer time, "model" the string model (absent or
 * null when model is NULL), "verdict" the string verdict and "class" the
 * string cls (each absent or null when the column is NULL).  Returns
 * false and a printable reason in why (whysz bytes), e.g. "column
 * verdict is \"pass\", the body's is \"warn\"".
 */
bool		store_body_check(const char *kind, int64_t time,
		    const char *model, const char *verdict, const char *cls,
		    const uint8_t *body, size_t len, char *why, size_t whysz);

/*
 * An entry body parsed as a JSON object (tjson_load(): at most
 * MAX_ENTRY_BODY bytes, nesting at most MAX_JSON_DEPTH, duplicate keys
 * rejected), a new reference the caller releases with json_decref; NULL
 * if it is not such an object.  The one parser of bodies:
 * the store checks the columns with it, store/entry.h reads through it.
 */
struct json_t	*store_body_parse(const uint8_t *body, size_t len);

/*
 * Compute the leaf hash SHA-256(0x00 || body) and the chain step
 * SHA-256(prev || leaf) exactly as the store does (exposed for tmonctl audit
 * and the API; tests use OpenSSL directly instead).
 */
void		store_leaf_hash(const uint8_t *body, size_t len,
		    uint8_t leaf[32]);
void		store_chain_hash(const uint8_t prev[32], const uint8_t leaf[32],
		    uint8_t chain[32]);

/* True if v is a verdict the store accepts ("pass", "warn", "fail",
 * "error"). */
bool		store_verdict_valid(const char *v);
/* True if k is an entry kind the store accepts. */
bool		store_kind_valid(const char *k);
/* True if c is an event class the store accepts: "first",
 * "instance_added", "allowlisted", "upgrade_endorsed", "tcb_changed",
 * "verdict_changed", "unexplained" (README "What counts as a change"). */
bool		store_class_valid(const char *c);
/* True if m is a model id the store accepts: 1..MAX_MODEL_ID-1 bytes of
 * printable ASCII without spaces (0x21..0x7e).  Callers that take model
 * ids from configuration check them with this before store_append. */
bool		store_model_valid(const char *m);
/* True if t is a media type the store accepts: 1..MAX_MEDIA_TYPE-1 bytes
 * of printable ASCII (0x20..0x7e), so it is safe in a Content-Type
 * header. */
bool		store_media_type_valid(const char *t);

/*
 * Test seam: call hook(arg, seq) right after the entry seq is inserted,
 * inside the still open append transaction (NULL removes it).  Lets a test
 * look at the database from another handle while a write is half done.
 */
void		store_set_append_hook(struct store *s,
		    void (*hook)(void *arg, uint64_t seq), void *arg);

#endif /* TMON_STORE_STORE_H */
