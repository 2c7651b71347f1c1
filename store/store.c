/*
 * store.c: the append-only, hash-chained log in SQLite (store.h,
 * README "The log").
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "encode.h"
#include "log.h"
#include "store.h"
#include "tlog.h"
#include "tjson.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/*
 * Prepared statements kept per handle, keyed by their SQL text, so the hot
 * paths (appends, lookups, list queries) do not parse SQL again on every
 * call.  A statement is lent to one caller at a time (busy); a nested use
 * of the same SQL gets a private statement that is finalized after use.
 */
#define STORE_STMT_CACHE	32

struct stmt_slot {
	char		*sql;
	sqlite3_stmt	*st;
	bool		 busy;
	uint64_t	 used;		/* for least-recently-used eviction */
};

/*
 * Rows this handle has checked against their bodies (row_entry), slot
 * seq % STORE_CHECKED_CACHE: a row read again with the same leaf hash
 * (recomputed from the body bytes each time) and the same columns is not
 * parsed again.  The newest probe of a model is read for every receipt.
 */
#define STORE_CHECKED_CACHE	64

struct checked_row {
	bool		 used;
	uint64_t	 seq;
	uint8_t		 leaf[32];
	int64_t		 time;
	char		 kind[16];
	char		 model[MAX_MODEL_ID];	/* "" for NULL */
	char		 verdict[8];		/* "" for NULL */
	char		 cls[24];		/* "" for NULL */
};

struct store {
	sqlite3		*db;
	enum store_mode	 mode;
	int		 version;
	void		(*hook)(void *, uint64_t);
	void		*hook_arg;
	struct stmt_slot cache[STORE_STMT_CACHE];
	uint64_t	 tick;
	struct checked_row checked[STORE_CHECKED_CACHE];
	/* the file opened (store_check_file); have_id false: not known */
	bool		 have_id;
	dev_t		 dev;
	ino_t		 ino;
	/* STORE_RW: the tree of the committed entries (tree_load), and the
	 * one an append transaction builds, adopted when it commits */
	bool		 tree_loaded;
	struct tlog_frontier tree;
	struct tlog_frontier pending;
	struct store_query_stats qstats;	/* the last store_query */
	char		 model_buf[MAX_MODEL_ID];	/* store_model_get */
};

/*
 * The derived tables (store.h) recomputed from the entries' columns: the
 * migration to schema 3 fills them so, and store_verify compares them
 * with these.  time >= 0, so time / 86400 is the UTC day.
 */
#define DERIVE_MODELS_SELECT \
	"SELECT model, min(seq), " \
	"max(CASE WHEN kind = 'probe' THEN seq END), " \
	"max(CASE WHEN kind = 'probe' AND verdict = 'pass' THEN seq END), " \
	"max(CASE WHEN kind = 'event' THEN seq END), " \
	"sum(kind = 'probe') FROM entries " \
	"WHERE kind IN ('probe', 'event') AND model IS NOT NULL GROUP BY model"
#define DERIVE_DAILY_SELECT \
	"SELECT model, time / 86400, sum(verdict = 'pass'), " \
	"sum(verdict = 'warn'), sum(verdict = 'fail'), " \
	"sum(verdict = 'error') FROM entries " \
	"WHERE kind = 'probe' AND model IS NOT NULL " \
	"GROUP BY model, time / 86400"
#define MODELS_COLS \
	"model, first_seq, last_probe_seq, last_pass_seq, last_event_seq, " \
	"probes"
#define DAILY_COLS	"model, day, pass, warn, fail, error"

/*
 * The indexes and append-only triggers of entries as rebuilt by the
 * steps 2 -> 3 and 3 -> 4 (each step's text is fixed: this expands to
 * the same bytes in both).
 */
#define ENTRIES_REBUILT_INDEXES \
	"CREATE INDEX entries_kind_seq ON entries (kind, seq);" \
	"CREATE INDEX entries_kind_model ON entries (kind, model, seq);" \
	"CREATE INDEX entries_kind_verdict ON entries (kind, verdict, seq);" \
	"CREATE INDEX entries_kind_class ON entries (kind, class, seq);" \
	"CREATE INDEX entries_kind_model_verdict" \
	" ON entries (kind, model, verdict, seq);" \
	"CREATE INDEX entries_verdict ON entries (verdict, seq);" \
	"CREATE INDEX entries_time ON entries (time);" \
	"CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries" \
	" BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;" \
	"CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries" \
	" BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;" \
	"CREATE TRIGGER entries_seq_next BEFORE INSERT ON entries" \
	" WHEN NEW.seq IS NOT" \
	"  coalesce((SELECT max(seq) FROM entries) + 1, 0)" \
	" BEGIN SELECT RAISE(ABORT, 'entries: seq must follow the last" \
	" entry'); END;"

/*
 * Migration steps: migrations[v] takes a database from user_version v to
 * v + 1.  Steps are only ever appended; a released step never changes.
 */
static const char *const migrations[] = {
	/* 0 -> 1: entries, blobs, indexes, append-only triggers. */
	"CREATE TABLE entries ("
	" seq INTEGER PRIMARY KEY CHECK (seq >= 0),"
	" time INTEGER NOT NULL CHECK (time >= 0),"
	" kind TEXT NOT NULL"
	"  CHECK (kind IN ('probe', 'receipt', 'collateral', 'alert')),"
	" model TEXT,"
	" verdict TEXT"
	"  CHECK (verdict IS NULL OR"
	"   verdict IN ('pass', 'warn', 'fail', 'error')),"
	" body BLOB NOT NULL CHECK (length(body) > 0),"
	" leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),"
	" chain_hash BLOB NOT NULL CHECK (length(chain_hash) = 32)"
	") STRICT;"
	"CREATE INDEX entries_kind_model ON entries (kind, model, seq);"
	"CREATE INDEX entries_verdict ON entries (verdict, seq);"
	"CREATE INDEX entries_time ON entries (time);"
	"CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries"
	" BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;"
	"CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries"
	" BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;"
	"CREATE TRIGGER entries_seq_next BEFORE INSERT ON entries"
	" WHEN NEW.seq IS NOT"
	"  coalesce((SELECT max(seq) FROM entries) + 1, 0)"
	" BEGIN SELECT RAISE(ABORT, 'entries: seq must follow the last entry');"
	" END;"
	"CREATE TABLE blobs ("
	" sha256 BLOB PRIMARY KEY CHECK (length(sha256) = 32),"
	" media_type TEXT NOT NULL,"
	" len INTEGER NOT NULL CHECK (len >= 0),"
	" data BLOB NOT NULL CHECK (length(data) = len)"
	") STRICT;"
	"CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs"
	" BEGIN SELECT RAISE(ABORT, 'blobs are immutable'); END;",
	/* 1 -> 2: the Merkle tree, checkpoints, cosignatures (filled for
	 * the entries already there by tree_backfill). */
	"CREATE TABLE tree ("
	" level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 62),"
	" idx INTEGER NOT NULL CHECK (idx >= 0),"
	" hash BLOB NOT NULL CHECK (length(hash) = 32),"
	" PRIMARY KEY (level, idx)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TRIGGER tree_no_update BEFORE UPDATE ON tree"
	" BEGIN SELECT RAISE(ABORT, 'tree nodes are append-only'); END;"
	"CREATE TRIGGER tree_no_delete BEFORE DELETE ON tree"
	" BEGIN SELECT RAISE(ABORT, 'tree nodes are append-only'); END;"
	"CREATE TABLE checkpoints ("
	" size INTEGER PRIMARY KEY CHECK (size > 0),"
	" time INTEGER NOT NULL CHECK (time >= 0),"
	" root BLOB NOT NULL CHECK (length(root) = 32),"
	" note BLOB NOT NULL CHECK (length(note) > 0)"
	") STRICT;"
	"CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints"
	" BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	"CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints"
	" BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	"CREATE TABLE cosignatures ("
	" size INTEGER NOT NULL REFERENCES checkpoints (size),"
	" name TEXT NOT NULL,"
	" time INTEGER NOT NULL CHECK (time >= 0),"
	" line TEXT NOT NULL,"
	" PRIMARY KEY (size, name)"
	") STRICT;"
	"CREATE TRIGGER cosignatures_no_update BEFORE UPDATE ON cosignatures"
	" BEGIN SELECT RAISE(ABORT, 'cosignatures are append-only'); END;"
	"CREATE TRIGGER cosignatures_no_delete BEFORE DELETE ON cosignatures"
	" BEGIN SELECT RAISE(ABORT, 'cosignatures are append-only'); END;",
	/* 2 -> 3: the kinds event and delivery and the class column (the
	 * table is rebuilt: SQLite cannot change a CHECK constraint,
	 * https://www.sqlite.org/lang_altertable.html section 7), an index
	 * per list, and the derived tables models and daily, filled from
	 * the entries. */
	"CREATE TABLE entries3 ("
	" seq INTEGER PRIMARY KEY CHECK (seq >= 0),"
	" time INTEGER NOT NULL CHECK (time >= 0),"
	" kind TEXT NOT NULL"
	"  CHECK (kind IN ('probe', 'receipt', 'collateral', 'alert',"
	"   'event', 'delivery')),"
	" model TEXT,"
	" verdict TEXT"
	"  CHECK (verdict IS NULL OR"
	"   verdict IN ('pass', 'warn', 'fail', 'error')),"
	" class TEXT CHECK ((class IS NOT NULL) = (kind = 'event')),"
	" body BLOB NOT NULL CHECK (length(body) > 0),"
	" leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),"
	" chain_hash BLOB NOT NULL CHECK (length(chain_hash) = 32)"
	") STRICT;"
	"INSERT INTO entries3 (seq, time, kind, model, verdict, class, body,"
	" leaf_hash, chain_hash) SELECT seq, time, kind, model, verdict, NULL,"
	" body, leaf_hash, chain_hash FROM entries ORDER BY seq;"
	"DROP TABLE entries;"
	"ALTER TABLE entries3 RENAME TO entries;"
	ENTRIES_REBUILT_INDEXES
	"CREATE TABLE models ("
	" model TEXT PRIMARY KEY,"
	" first_seq INTEGER NOT NULL CHECK (first_seq >= 0),"
	" last_probe_seq INTEGER,"
	" last_pass_seq INTEGER,"
	" last_event_seq INTEGER,"
	" probes INTEGER NOT NULL CHECK (probes >= 0)"
	") STRICT;"
	"CREATE TABLE daily ("
	" model TEXT NOT NULL,"
	" day INTEGER NOT NULL,"
	" pass INTEGER NOT NULL, warn INTEGER NOT NULL,"
	" fail INTEGER NOT NULL, error INTEGER NOT NULL,"
	" PRIMARY KEY (model, day)"
	") STRICT, WITHOUT ROWID;"
	"INSERT INTO models (" MODELS_COLS ") " DERIVE_MODELS_SELECT ";"
	"INSERT INTO daily (" DAILY_COLS ") " DERIVE_DAILY_SELECT ";",
	/* 3 -> 4: the kind provenance (the table is rebuilt as in 2 -> 3;
	 * the derived tables do not change). */
	"CREATE TABLE entries4 ("
	" seq INTEGER PRIMARY KEY CHECK (seq >= 0),"
	" time INTEGER NOT NULL CHECK (time >= 0),"
	" kind TEXT NOT NULL"
	"  CHECK (kind IN ('probe', 'receipt', 'collateral', 'alert',"
	"   'event', 'delivery', 'provenance')),"
	" model TEXT,"
	" verdict TEXT"
	"  CHECK (verdict IS NULL OR"
	"   verdict IN ('pass', 'warn', 'fail', 'error')),"
	" class TEXT CHECK ((class IS NOT NULL) = (kind = 'event')),"
	" body BLOB NOT NULL CHECK (length(body) > 0),"
	" leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),"
	" chain_hash BLOB NOT NULL CHECK (length(chain_hash) = 32)"
	") STRICT;"
	"INSERT INTO entries4 (seq, time, kind, model, verdict, class, body,"
	" leaf_hash, chain_hash) SELECT seq, time, kind, model, verdict, class,"
	" body, leaf_hash, chain_hash FROM entries ORDER BY seq;"
	"DROP TABLE entries;"
	"ALTER TABLE entries4 RENAME TO entries;"
	ENTRIES_REBUILT_INDEXES,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
    STORE_SCHEMA_VERSION, "one migration step per schema version");

#define ENTRY_COLS \
	"seq, time, kind, model, verdict, body, leaf_hash, chain_hash, class"
#define ENTRY_COLS_E \
	"e.seq, e.time, e.kind, e.model, e.verdict, e.body, e.leaf_hash, " \
	"e.chain_hash, e.class"

static const char *const kinds[] = { "probe", "receipt", "collateral",
    "alert", "event", "delivery", "provenance" };
static const char *const classes[] = { "first", "instance_added",
    "allowlisted", "upgrade_endorsed", "tcb_changed", "verdict_changed",
    "unexplained" };
static const char *const verdicts[] = { "pass", "warn", "fail", "error" };

static enum tmon_rc
sql_rc(int r)
{
	switch (r & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return TMON_E_TIMEOUT;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
		/* the disk, not the data: full, failing, read-only */
		return TMON_E_IO;
	default:
		return TMON_E_DB;
	}
}

/* Record the connection's last SQLite error, naming what failed. */
static enum tmon_rc
db_err(struct store *s, int r, const char *what, struct tmon_err *err)
{
	return tmon_err_set(err, sql_rc(r), "store: %s: %s", what,
	    s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(r));
}

static enum tmon_rc
db_exec(struct store *s, const char *sql, const char *what,
    struct tmon_err *err)
{
	char *msg = NULL;
	enum tmon_rc rc;
	int r;

	r = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (r == SQLITE_OK)
		return TMON_OK;
	rc = tmon_err_set(err, sql_rc(r), "store: %s: %s", what,
	    msg != NULL ? msg : sqlite3_errstr(r));
	sqlite3_free(msg);
	return rc;
}

static enum tmon_rc
db_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
    struct tmon_err *err)
{
	int r;

	*st = NULL;
	r = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	if (r != SQLITE_OK)
		return db_err(s, r, "prepare", err);
	return TMON_OK;
}

/* A prepared statement for sql from the handle's cache (stmt_put it). */
static enum tmon_rc
stmt_get(struct store *s, const char *sql, sqlite3_stmt **st,
    struct tmon_err *err)
{
	struct stmt_slot *slot = NULL, *c;
	size_t i;
	int r;

	*st = NULL;
	for (i = 0; i < STORE_STMT_CACHE; i++) {
		c = &s->cache[i];
		if (c->sql != NULL && !c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = true;
			c->used = ++s->tick;
			*st = c->st;
			return TMON_OK;
		}
	}
	r = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL);
	if (r != SQLITE_OK)
		return db_err(s, r, "prepare", err);
	/* Keep it: in a free slot, else in place of the least used idle one. */
	for (i = 0; i < STORE_STMT_CACHE; i++) {
		c = &s->cache[i];
		if (c->sql == NULL) {
			slot = c;
			break;
		}
		if (!c->busy && (slot == NULL || c->used < slot->used))
			slot = c;
	}
	if (slot != NULL) {
		if (slot->sql != NULL) {
			sqlite3_finalize(slot->st);
			free(slot->sql);
		}
		slot->sql = xstrdup(sql);
		slot->st = *st;
		slot->busy = true;
		slot->used = ++s->tick;
	}
	return TMON_OK;
}

/* Give back a statement from stmt_get (reset it); NULL is a no-op. */
static void
stmt_put(struct store *s, sqlite3_stmt *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < STORE_STMT_CACHE; i++)
		if (s->cache[i].st == st && s->cache[i].busy) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			s->cache[i].busy = false;
			return;
		}
	sqlite3_finalize(st);
}

/* Read a PRAGMA that answers one integer. */
static enum tmon_rc
pragma_int(struct store *s, const char *name, int *out, struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	char sql[64];
	enum tmon_rc rc;
	int r;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if ((rc = db_prepare(s, sql, &st, err)) != TMON_OK)
		return rc;
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		rc = db_err(s, r, name, err);
		goto out;
	}
	*out = sqlite3_column_int(st, 0);
	rc = TMON_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

static void
rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}


void
store_leaf_hash(const uint8_t *body, size_t len, uint8_t leaf[32])
{
	tlog_leaf_hash(body, len, leaf);
}

void
store_chain_hash(const uint8_t prev[32], const uint8_t leaf[32],
    uint8_t chain[32])
{
	uint8_t both[64];

	memcpy(both, prev, 32);
	memcpy(both + 32, leaf, 32);
	sha256(both, sizeof(both), chain);
}

static bool
in_set(const char *v, const char *const *set, size_t n)
{
	size_t i;

	if (v == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(v, set[i]) == 0)
			return true;
	return false;
}

bool
store_verdict_valid(const char *v)
{
	return in_set(v, verdicts, sizeof(verdicts) / sizeof(verdicts[0]));
}

bool
store_kind_valid(const char *k)
{
	return in_set(k, kinds, sizeof(kinds) / sizeof(kinds[0]));
}

bool
store_class_valid(const char *c)
{
	return in_set(c, classes, sizeof(classes) / sizeof(classes[0]));
}

/* True if s is 1..max-1 bytes in [lo, 0x7e]. */
static bool
ascii_ok(const char *s, size_t max, unsigned char lo)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i + 1 >= max)
			return false;
		if ((unsigned char)s[i] < lo || (unsigned char)s[i] > 0x7e)
			return false;
	}
	return i > 0;
}

bool
store_model_valid(const char *m)
{
	return model_id_valid(m);
}

bool
store_media_type_valid(const char *t)
{
	return t != NULL && ascii_ok(t, MAX_MEDIA_TYPE, 0x20);
}

json_t *
store_body_parse(const uint8_t *body, size_t len)
{
	struct tjson_doc d = { .name = "entry body" };
	json_t *root = NULL;

	if (body == NULL)
		return NULL;
	(void)tjson_load(&d, body, len, MAX_ENTRY_BODY, TJSON_OBJECT, &root);
	return root;
}

/* How a body member reads in a message: "missing", "null", "\"warn\"",
 * 1000, or its JSON type. */
static const char *
member_desc(const json_t *v, char *out, size_t outsz)
{
	char esc[128];

	if (v == NULL)
		snprintf(out, outsz, "missing");
	else if (json_is_null(v))
		snprintf(out, outsz, "null");
	else if (json_is_string(v))
		snprintf(out, outsz, "\"%s\"", log_esc(esc, sizeof(esc),
		    json_string_value(v), json_string_length(v)));
	else if (json_is_integer(v))
		snprintf(out, outsz, "%lld", (long long)json_integer_value(v));
	else
		snprintf(out, outsz, "%s", json_is_object(v) ? "an object" :
		    json_is_array(v) ? "an array" : json_is_real(v) ?
		    "a real number" : "a boolean");
	return out;
}

/* True if the string column col (NULL: SQL NULL) is the body member v
 * (NULL when absent). */
static bool
str_member_is(const json_t *v, const char *col)
{
	if (col == NULL)
		return v == NULL || json_is_null(v);
	return json_is_string(v) && json_string_length(v) == strlen(col) &&
	    memcmp(json_string_value(v), col, strlen(col)) == 0;
}

/* store_body_check on a parsed body (o may be NULL: not an object). */
static bool
columns_match(const json_t *o, const char *kind, int64_t time,
    const char *model, const char *verdict, const char *cls, char *why,
    size_t whysz)
{
	static const char *const names[] = { "kind", "model", "verdict",
	    "class" };
	const char *cols[4];
	char esc[128], desc[160];
	const json_t *v;
	size_t i;

	if (o == NULL) {
		snprintf(why, whysz, "the body is not a JSON object");
		return false;
	}
	cols[0] = kind;
	cols[1] = model;
	cols[2] = verdict;
	cols[3] = cls;
	for (i = 0; i < 4; i++) {
		v = json_object_get(o, names[i]);
		if ((i == 0 && kind == NULL) || !str_member_is(v, cols[i])) {
			if (cols[i] == NULL)
				snprintf(esc, sizeof(esc), "NULL");
			else
				log_esc(esc, sizeof(esc), cols[i],
				    strlen(cols[i]));
			snprintf(why, whysz, "column %s is %s%s%s, the body's is "
			    "%s", names[i], cols[i] != NULL ? "\"" : "", esc,
			    cols[i] != NULL ? "\"" : "",
			    member_desc(v, desc, sizeof(desc)));
			return false;
		}
	}
	v = json_object_get(o, "time");
	if (!json_is_integer(v) || json_integer_value(v) != time) {
		snprintf(why, whysz, "column time is %lld, the body's is %s",
		    (long long)time, member_desc(v, desc, sizeof(desc)));
		return false;
	}
	return true;
}

bool
store_body_check(const char *kind, int64_t time, const char *model,
    const char *verdict, const char *cls, const uint8_t *body, size_t len,
    char *why, size_t whysz)
{
	json_t *o;
	bool ok;

	o = store_body_parse(body, len);
	ok = columns_match(o, kind, time, model, verdict, cls, why, whysz);
	json_decref(o);
	return ok;
}

/*
 * The stored bytes p/n of the blob keyed key, recorded as reclen bytes:
 * true if they have the recorded length and hash to the key; else the
 * reason in why.
 */
static bool
blob_ok(const uint8_t key[32], const void *p, int n, sqlite3_int64 reclen,
    char *why, size_t whysz)
{
	uint8_t got[32];

	if (p == NULL && n == 0)
		p = "";
	if (p == NULL || n < 0 || (sqlite3_int64)n != reclen ||
	    (size_t)n > MAX_BLOB_LEN) {
		snprintf(why, whysz, "blob length does not match its record");
		return false;
	}
	sha256(p, (size_t)n, got);
	if (CRYPTO_memcmp(got, key, 32) != 0) {
		snprintf(why, whysz, "blob bytes do not hash to their key");
		return false;
	}
	return true;
}

static enum tmon_rc	tree_backfill(struct store *, struct tmon_err *);

/* The migration transaction: create or upgrade the schema. */
static enum tmon_rc
migrate(struct store *s, struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	char sql[64];
	int uv, app, ntables = 0, r, v;

	if ((rc = db_exec(s, "BEGIN IMMEDIATE", "begin migration", err)) !=
	    TMON_OK)
		return rc;
	if ((rc = pragma_int(s, "user_version", &uv, err)) != TMON_OK ||
	    (rc = pragma_int(s, "application_id", &app, err)) != TMON_OK)
		goto out;
	if (uv > STORE_SCHEMA_VERSION) {
		rc = tmon_err_set(err, TMON_E_UNSUPPORTED,
		    "store: database schema version %d is newer than this "
		    "tmon understands (%d)", uv, STORE_SCHEMA_VERSION);
		goto out;
	}
	if (uv < 0) {
		rc = tmon_err_set(err, TMON_E_CONFIG,
		    "store: database schema version %d is not a tmon one", uv);
		goto out;
	}
	if (uv == 0) {
		if ((rc = db_prepare(s, "SELECT count(*) FROM sqlite_schema",
		    &st, err)) != TMON_OK)
			goto out;
		if ((r = sqlite3_step(st)) != SQLITE_ROW) {
			rc = db_err(s, r, "count schema", err);
			goto out;
		}
		ntables = sqlite3_column_int(st, 0);
		/* no statement may stay open: a migration drops tables */
		sqlite3_finalize(st);
		st = NULL;
		if (ntables != 0) {
			rc = tmon_err_set(err, TMON_E_CONFIG,
			    "store: database has tables but no tmon schema "
			    "version: not a tmon database");
			goto out;
		}
	}
	if (app == 0) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
		    STORE_APPLICATION_ID);
		if ((rc = db_exec(s, sql, "set application_id", err)) !=
		    TMON_OK)
			goto out;
	}
	for (v = uv; v < STORE_SCHEMA_VERSION; v++) {
		if ((rc = db_exec(s, migrations[v], "migration", err)) !=
		    TMON_OK)
			goto out;
		if (v == 1 && (rc = tree_backfill(s, err)) != TMON_OK)
			goto out;
		log_info("store: migrated schema from version %d to %d", v,
		    v + 1);
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STORE_SCHEMA_VERSION);
	if ((rc = db_exec(s, sql, "set user_version", err)) != TMON_OK)
		goto out;
	rc = db_exec(s, "COMMIT", "commit migration", err);
out:
	sqlite3_finalize(st);
	if (rc != TMON_OK)
		rollback(s);
	return rc;
}

/* True if path has a write permission bit, access(2) allows writing it
 * and its file system is not mounted read-only. */
static bool
writable(const char *path)
{
	struct stat sb;
	struct statvfs vfs;

	if (stat(path, &sb) == -1 || (sb.st_mode & 0222) == 0 ||
	    access(path, W_OK) == -1)
		return false;
	return statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY) == 0;
}

/* The size of path + sfx, 0 when it does not exist. */
static off_t
aux_size(const char *path, const char *sfx)
{
	struct stat sb;
	char *p;
	size_t n;
	int r;

	n = strlen(path) + strlen(sfx) + 1;
	p = xmalloc(n);
	snprintf(p, n, "%s%s", path, sfx);
	r = stat(p, &sb);
	free(p);
	return r == 0 ? sb.st_size : 0;
}

static const char *
file_type(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a file";
}

/*
 * STORE_RO: say what path is before SQLite sees it (store.h), and
 * whether to open it immutable.
 */
static enum tmon_rc
ro_identify(const char *path, bool *immutable, struct tmon_err *err)
{
	static const char magic[16] = "SQLite format 3";	/* and a NUL */
	struct stat sb;
	char hdr[16], *dir, *slash;
	enum tmon_rc rc;
	ssize_t n;
	size_t got = 0;
	bool w;
	int fd;

	*immutable = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return tmon_err_set(err, TMON_E_IO, "store: %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &sb) == -1) {
		rc = tmon_err_set(err, TMON_E_IO, "store: %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "store: %s: not a "
		    "regular file (%s), not a tmon log", path,
		    file_type(sb.st_mode));
		goto out;
	}
	if (sb.st_size == 0) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "store: %s: empty file, "
		    "not a tmon log", path);
		goto out;
	}
	while (got < sizeof(hdr)) {
		n = read(fd, hdr + got, sizeof(hdr) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = tmon_err_set(err, TMON_E_IO, "store: %s: %s",
			    path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(hdr) || memcmp(hdr, magic, sizeof(magic)) != 0) {
		rc = tmon_err_set(err, TMON_E_CONFIG, "store: %s: not an SQLite "
		    "database (no \"SQLite format 3\" header), not a tmon log",
		    path);
		goto out;
	}
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else
		slash[slash == dir ? 1 : 0] = '\0';
	w = writable(path) && writable(dir);
	free(dir);
	if (!w && aux_size(path, "-wal") > 0 && aux_size(path, "-shm") == 0) {
		rc = tmon_err_set(err, TMON_E_IO, "store: %s: its -wal file "
		    "holds transactions that cannot be read without a -shm "
		    "file, which cannot be made here (not writable): copy the "
		    "log with its -wal file to a writable directory", path);
		goto out;
	}
	*immutable = !w && aux_size(path, "-wal") == 0;
	rc = TMON_OK;
out:
	close(fd);
	return rc;
}

/* file:PATH?mode=ro[&immutable=1] with PATH percent-encoded (RFC 3986
 * section 2.1), as https://www.sqlite.org/uri.html reads it.  Caller
 * frees. */
static char *
ro_uri(const char *path, bool immutable)
{
	static const char hexd[] = "0123456789abcdef";
	size_t n = strlen(path), i, o;
	unsigned char c;
	char *u;

	u = xmalloc(n * 3 + 48);
	memcpy(u, "file:", 5);
	o = 5;
	if (path[0] == '/') {
		memcpy(u + o, "//", 2);		/* an empty authority */
		o += 2;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)path[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '/' || c == '.' ||
		    c == '_' || c == '-' || c == '~')
			u[o++] = (char)c;
		else {
			u[o++] = '%';
			u[o++] = hexd[c >> 4];
			u[o++] = hexd[c & 15];
		}
	}
	snprintf(u + o, 48, "?mode=ro%s", immutable ? "&immutable=1" : "");
	return u;
}

/* STORE_RO: the database holds a tmon log this build reads (store.h). */
static enum tmon_rc
ro_check(struct store *s, const char *path, int uv, struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	int r, n;

	if ((rc = db_prepare(s, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name = 'entries'", &st, err)) !=
	    TMON_OK)
		return rc;
	if ((r = sqlite3_step(st)) != SQLITE_ROW) {
		rc = db_err(s, r, "read schema", err);
		goto out;
	}
	n = sqlite3_column_int(st, 0);
	if (n == 0)
		rc = tmon_err_set(err, TMON_E_CONFIG, "store: %s: an SQLite "
		    "database, but not a tmon log (no entries table)", path);
	else if (uv <= 0)
		rc = tmon_err_set(err, TMON_E_CONFIG, "store: %s: an SQLite "
		    "database with an entries table but no tmon schema "
		    "version, not a tmon log", path);
	else if (uv > STORE_SCHEMA_VERSION)
		rc = tmon_err_set(err, TMON_E_UNSUPPORTED, "store: %s: a tmon "
		    "log of schema version %d, newer than this tmon reads "
		    "(%d): use a newer tmon", path, uv, STORE_SCHEMA_VERSION);
	else if (uv < STORE_SCHEMA_VERSION)
		rc = tmon_err_set(err, TMON_E_UNSUPPORTED, "store: %s: a tmon "
		    "log of schema version %d, older than this tmon reads "
		    "(%d): read it with the tmon release that wrote it", path,
		    uv, STORE_SCHEMA_VERSION);
	else
		rc = TMON_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

/* The database file's path as SQLite resolved it ("" for none). */
static const char *
db_file(struct store *s)
{
	const char *f = sqlite3_db_filename(s->db, "main");

	return f != NULL ? f : "";
}

/* Note which file the handle opened, for store_check_file. */
static enum tmon_rc
remember_file(struct store *s, const char *path, struct tmon_err *err)
{
	struct stat sb;
	const char *f = db_file(s);

	if (*f == '\0')
		return TMON_OK;
	if (stat(f, &sb) != 0)
		return tmon_err_set(err, TMON_E_IO, "store: %s: %s", path,
		    strerror(errno));
	s->dev = sb.st_dev;
	s->ino = sb.st_ino;
	s->have_id = true;
	return store_check_file(s, err);
}

enum tmon_rc
store_check_file(struct store *s, struct tmon_err *err)
{
	struct stat sb;
	const char *f;
	int moved = 0;

	if (!s->have_id)
		return TMON_OK;
	f = db_file(s);
	if (stat(f, &sb) != 0)
		return tmon_err_set(err, TMON_E_IO, "store: %s: the database "
		    "file was deleted or renamed while open (%s)", f,
		    strerror(errno));
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED,
	    &moved) != SQLITE_OK)
		moved = 0;
	if (moved || sb.st_dev != s->dev || sb.st_ino != s->ino)
		return tmon_err_set(err, TMON_E_IO, "store: %s: the path now "
		    "names another file: the database was replaced while open",
		    f);
	return TMON_OK;
}

enum tmon_rc
store_open(const char *path, enum store_mode mode, struct store **out,
    struct tmon_err *err)
{
	struct store *s;
	struct stat sb;
	sqlite3_stmt *st = NULL;
	const unsigned char *jm;
	enum tmon_rc rc = TMON_E_INTERNAL;
	char *uri = NULL;
	bool immutable;
	int flags, r, uv = 0, app = 0, on = 0;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return tmon_err_set(err, TMON_E_CONFIG, "store: no path");
	/* SQLite opens path itself; look first, without opening it
	 * (ro_identify does that and more for STORE_RO). */
	if (mode == STORE_RW && stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return tmon_err_set(err, TMON_E_IO, "store: %s: not a regular "
		    "file", path);
	if (mode == STORE_RO) {
		if ((rc = ro_identify(path, &immutable, err)) != TMON_OK)
			return rc;
		uri = ro_uri(path, immutable);
	}
	s = xcalloc(1, sizeof(*s));
	s->mode = mode;
	flags = SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE;
	if (mode == STORE_RW)
		flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	else
		flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
	r = sqlite3_open_v2(uri != NULL ? uri : path, &s->db, flags, NULL);
	if (r != SQLITE_OK) {
		rc = tmon_err_set(err, TMON_E_DB, "store: open %s: %s", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(r));
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	if ((r = sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    &on)) != SQLITE_OK || on != 1) {
		rc = db_err(s, r, "defensive mode", err);
		goto out;
	}
	if ((r = sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    NULL)) != SQLITE_OK ||
	    (r = sqlite3_db_config(s->db,
	    SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL)) != SQLITE_OK) {
		rc = db_err(s, r, "db config", err);
		goto out;
	}
	if ((rc = db_exec(s, "PRAGMA foreign_keys = ON", "foreign_keys",
	    err)) != TMON_OK)
		goto out;

	if (mode == STORE_RO && (rc = db_exec(s, "PRAGMA query_only = ON",
	    "query_only", err)) != TMON_OK)
		goto out;
	/* Look before changing anything: never touch a foreign database. */
	if ((rc = pragma_int(s, "user_version", &uv, err)) != TMON_OK ||
	    (rc = pragma_int(s, "application_id", &app, err)) != TMON_OK)
		goto out;
	if (app != 0 && app != STORE_APPLICATION_ID) {
		rc = tmon_err_set(err, TMON_E_CONFIG,
		    "store: %s: an SQLite database of another program "
		    "(application_id 0x%08x), not a tmon log", path,
		    (unsigned)app);
		goto out;
	}
	if (mode == STORE_RO && (rc = ro_check(s, path, uv, err)) != TMON_OK)
		goto out;
	if (uv > STORE_SCHEMA_VERSION) {
		rc = tmon_err_set(err, TMON_E_UNSUPPORTED,
		    "store: %s: database schema version %d is newer than this "
		    "tmon understands (%d); upgrade tmon", path, uv,
		    STORE_SCHEMA_VERSION);
		goto out;
	}
	if (mode == STORE_RW) {
		if ((rc = db_prepare(s, "PRAGMA journal_mode = WAL", &st,
		    err)) != TMON_OK)
			goto out;
		if ((r = sqlite3_step(st)) != SQLITE_ROW) {
			rc = db_err(s, r, "journal_mode", err);
			goto out;
		}
		jm = sqlite3_column_text(st, 0);
		if (jm == NULL || strcmp((const char *)jm, "wal") != 0) {
			rc = tmon_err_set(err, TMON_E_DB,
			    "store: %s: cannot switch to WAL mode", path);
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
		if ((rc = db_exec(s, "PRAGMA synchronous = FULL",
		    "synchronous", err)) != TMON_OK)
			goto out;
		if ((rc = migrate(s, err)) != TMON_OK)
			goto out;
	}
	if ((rc = remember_file(s, path, err)) != TMON_OK)
		goto out;
	s->version = STORE_SCHEMA_VERSION;
	*out = s;
	s = NULL;
	rc = TMON_OK;
out:
	sqlite3_finalize(st);
	store_close(s);
	free(uri);
	return rc;
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < STORE_STMT_CACHE; i++) {
		sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	/* sqlite3_close_v2 defers the close if a statement is still open. */
	sqlite3_close_v2(s->db);
	free(s);
}

int
store_schema_version(const struct store *s)
{
	return s->version;
}

enum store_mode
store_handle_mode(const struct store *s)
{
	return s->mode;
}

void
store_set_append_hook(struct store *s, void (*hook)(void *, uint64_t),
    void *arg)
{
	s->hook = hook;
	s->hook_arg = arg;
}

enum tmon_rc
store_append_check(const struct store_blob_in *blobs, size_t nblobs,
    const struct store_entry_in *entries, size_t n, struct tmon_err *err)
{
	const struct store_blob_in *b;
	const struct store_entry_in *e;
	size_t i;

	if (nblobs > MAX_APPEND_BLOBS)
		return tmon_err_set(err, TMON_E_LIMIT,
		    "store: %zu blobs in one append (max %u)", nblobs,
		    MAX_APPEND_BLOBS);
	if (n > MAX_APPEND_ENTRIES)
		return tmon_err_set(err, TMON_E_LIMIT,
		    "store: %zu entries in one append (max %u)", n,
		    MAX_APPEND_ENTRIES);
	if ((nblobs > 0 && blobs == NULL) || (n > 0 && entries == NULL))
		return tmon_err_set(err, TMON_E_PARSE,
		    "store: NULL blob or entry array");
	for (i = 0; i < nblobs; i++) {
		b = &blobs[i];
		if (b->data == NULL || b->len == 0)
			return tmon_err_set_at(err, TMON_E_PARSE, i,
			    "store: blob %zu: no data", i);
		if (b->len > MAX_BLOB_LEN)
			return tmon_err_set_at(err, TMON_E_LIMIT, i,
			    "store: blob %zu: %zu bytes (max %u)", i, b->len,
			    MAX_BLOB_LEN);
		if (!store_media_type_valid(b->media_type))
			return tmon_err_set_at(err, TMON_E_PARSE, i,
			    "store: blob %zu: bad media_type", i);
	}
	for (i = 0; i < n; i++) {
		e = &entries[i];
		if (!store_kind_valid(e->kind))
			return tmon_err_set_at(err, TMON_E_PARSE, i,
			    "store: entry %zu: bad kind", i);
		if (e->time < 0)
			return tmon_err_set_at(err, TMON_E_PARSE, i,
			    "store: entry %zu: negative time", i);
		if (e->model != NULL && !store_model_valid(e->model))
			return tmon_err_set_at(err, TMON_E_PARSE, i,
			    "store: entry %zu: bad model id", i);
		if (e->verdict != NULL && !store_verdict_valid(e->verdict))
			return tmon_err_set_at(err, TMON_E_PARSE, i,
			    "store: entry %zu: bad verdict", i);
		if (strcmp(e->kind, "event") == 0 ?
		    !store_class_valid(e->cls) : e->cls != NULL)
			return tmon_err_set_at(err, TMON_E_PARSE, i,
			    "store: entry %zu: bad class (an event needs "
			    "one of the classes, other kinds none)", i);
		if (e->body == NULL || e->body_len == 0)
			return tmon_err_set_at(err, TMON_E_PARSE, i,
			    "store: entry %zu: no body", i);
		if (e->body_len > MAX_ENTRY_BODY)
			return tmon_err_set_at(err, TMON_E_LIMIT, i,
			    "store: entry %zu: body of %zu bytes (max %u)", i,
			    e->body_len, MAX_ENTRY_BODY);
	}
	return TMON_OK;
}

static enum tmon_rc
put_blobs(struct store *s, const struct store_blob_in *blobs, size_t nblobs,
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	uint8_t key[32];
	enum tmon_rc rc;
	size_t i;
	int r;

	if (nblobs == 0)
		return TMON_OK;
	if ((rc = stmt_get(s, "INSERT INTO blobs (sha256, media_type, len, "
	    "data) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sha256) DO NOTHING",
	    &st, err)) != TMON_OK)
		return rc;
	for (i = 0; i < nblobs; i++) {
		sha256(blobs[i].data, blobs[i].len, key);
		if ((r = sqlite3_bind_blob(st, 1, key, sizeof(key),
		    SQLITE_TRANSIENT)) != SQLITE_OK ||
		    (r = sqlite3_bind_text(st, 2, blobs[i].media_type, -1,
		    SQLITE_STATIC)) != SQLITE_OK ||
		    (r = sqlite3_bind_int64(st, 3,
		    (sqlite3_int64)blobs[i].len)) != SQLITE_OK ||
		    (r = sqlite3_bind_blob64(st, 4, blobs[i].data,
		    blobs[i].len, SQLITE_STATIC)) != SQLITE_OK) {
			rc = db_err(s, r, "bind blob", err);
			goto out;
		}
		if ((r = sqlite3_step(st)) != SQLITE_DONE) {
			rc = db_err(s, r, "insert blob", err);
			goto out;
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	rc = TMON_OK;
out:
	stmt_put(s, st);
	return rc;
}

/* The next seq and the chain hash before it, inside the transaction. */
static enum tmon_rc
log_tail(struct store *s, uint64_t *next, uint8_t prev[32],
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	const void *p;
	sqlite3_int64 last;
	enum tmon_rc rc;
	int r;

	if ((rc = stmt_get(s, "SELECT seq, chain_hash FROM entries "
	    "ORDER BY seq DESC LIMIT 1", &st, err)) != TMON_OK)
		return rc;
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		*next = 0;
		memset(prev, 0, 32);
		rc = TMON_OK;
		goto out;
	}
	if (r != SQLITE_ROW) {
		rc = db_err(s, r, "read log tail", err);
		goto out;
	}
	last = sqlite3_column_int64(st, 0);
	p = sqlite3_column_blob(st, 1);
	if (last < 0 || last == INT64_MAX || p == NULL ||
	    sqlite3_column_bytes(st, 1) != 32) {
		rc = tmon_err_set(err, TMON_E_PARSE,
		    "store: last entry is corrupt");
		goto out;
	}
	*next = (uint64_t)last + 1;
	memcpy(prev, p, 32);
	rc = TMON_OK;
out:
	stmt_put(s, st);
	return rc;
}

/* --- the Merkle tree (the tree table, tlog.h) --- */

enum tmon_rc
store_tree_read(void *arg, const struct tlog_node *nodes, size_t n,
    uint8_t (*out)[32], struct tmon_err *err)
{
	struct store *s = arg;
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	size_t i;
	int r;

	if ((rc = stmt_get(s, "SELECT hash FROM tree WHERE level = ?1 AND "
	    "idx = ?2", &st, err)) != TMON_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (nodes[i].index > INT64_MAX) {
			rc = tmon_err_set(err, TMON_E_NOTFOUND, "store: no "
			    "tree node (%u, %" PRIu64 ")", nodes[i].level,
			    nodes[i].index);
			goto out;
		}
		if ((r = sqlite3_bind_int(st, 1, (int)nodes[i].level)) !=
		    SQLITE_OK || (r = sqlite3_bind_int64(st, 2,
		    (sqlite3_int64)nodes[i].index)) != SQLITE_OK) {
			rc = db_err(s, r, "bind tree node", err);
			goto out;
		}
		r = sqlite3_step(st);
		if (r == SQLITE_DONE) {
			rc = tmon_err_set(err, TMON_E_NOTFOUND, "store: tree "
			    "node (%u, %" PRIu64 ") is missing", nodes[i].level,
			    nodes[i].index);
			goto out;
		}
		if (r != SQLITE_ROW) {
			rc = db_err(s, r, "read tree node", err);
			goto out;
		}
		if (sqlite3_column_bytes(st, 0) != 32) {
			rc = tmon_err_set(err, TMON_E_PARSE, "store: tree node "
			    "(%u, %" PRIu64 ") is not 32 bytes", nodes[i].level,
			    nodes[i].index);
			goto out;
		}
		memcpy(out[i], sqlite3_column_blob(st, 0), 32);
		sqlite3_reset(st);
	}
	rc = TMON_OK;
out:
	stmt_put(s, st);
	return rc;
}

/* Inserting the nodes an append completes (tlog_emit_fn). */
struct tree_put {
	struct store	*s;
	sqlite3_stmt	*st;
	enum tmon_rc	 rc;
	struct tmon_err	*err;
};

static void
tree_emit(void *arg, const struct tlog_node *node, const uint8_t hash[32])
{
	struct tree_put *p = arg;
	int r;

	if (p->rc != TMON_OK)
		return;
	if ((r = sqlite3_bind_int(p->st, 1, (int)node->level)) != SQLITE_OK ||
	    (r = sqlite3_bind_int64(p->st, 2, (sqlite3_int64)node->index)) !=
	    SQLITE_OK ||
	    (r = sqlite3_bind_blob(p->st, 3, hash, 32, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		p->rc = db_err(p->s, r, "bind tree node", p->err);
		return;
	}
	if ((r = sqlite3_step(p->st)) != SQLITE_DONE)
		p->rc = tmon_err_set(p->err, sql_rc(r), "store: insert tree "
		    "node (%u, %" PRIu64 "): %s", node->level, node->index,
		    sqlite3_errmsg(p->s->db));
	sqlite3_reset(p->st);
}

static enum tmon_rc
tree_put_begin(struct store *s, struct tree_put *p, struct tmon_err *err)
{
	p->s = s;
	p->rc = TMON_OK;
	p->err = err;
	return stmt_get(s, "INSERT INTO tree (level, idx, hash) "
	    "VALUES (?1, ?2, ?3)", &p->st, err);
}

/* Add leaf to f, inserting every node it completes. */
static enum tmon_rc
tree_put_leaf(struct tree_put *p, struct tlog_frontier *f,
    const uint8_t leaf[32])
{
	if (!tlog_frontier_append(f, leaf, tree_emit, p))
		return tmon_err_set(p->err, TMON_E_LIMIT, "store: log full");
	return p->rc;
}

/*
 * Load the frontier of the committed tree; it must cover exactly the
 * size entries (a tree that does not is a damaged log).
 */
static enum tmon_rc
tree_load(struct store *s, uint64_t size, struct tmon_err *err)
{
	struct tmon_err e;
	enum tmon_rc rc;

	s->tree_loaded = false;
	tmon_err_clear(&e);
	rc = tlog_frontier_load(&s->tree, size, store_tree_read, s, &e);
	if (rc == TMON_E_NOTFOUND)
		return tmon_err_set(err, TMON_E_PARSE, "store: the Merkle tree "
		    "does not cover the %" PRIu64 " entries of the log (%s)",
		    size, e.msg);
	if (rc != TMON_OK)
		return tmon_err_set(err, rc, "%s", e.msg);
	s->tree_loaded = true;
	return TMON_OK;
}

/* Migration 1 -> 2: the tree of the entries already there, from their
 * stored leaf hashes (store_verify compares them with the bodies). */
static enum tmon_rc
tree_backfill(struct store *s, struct tmon_err *err)
{
	struct tlog_frontier f;
	struct tree_put p;
	sqlite3_stmt *st = NULL;
	uint64_t expect = 0;
	enum tmon_rc rc;
	int r;

	tlog_frontier_init(&f);
	if ((rc = tree_put_begin(s, &p, err)) != TMON_OK)
		return rc;
	if ((rc = db_prepare(s, "SELECT seq, leaf_hash FROM entries "
	    "ORDER BY seq", &st, err)) != TMON_OK)
		goto out;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != (sqlite3_int64)expect ||
		    sqlite3_column_bytes(st, 1) != 32) {
			rc = tmon_err_set_at(err, TMON_E_PARSE, (size_t)expect,
			    "store: entry %" PRIu64 " is missing or damaged: "
			    "cannot build the Merkle tree", expect);
			goto out;
		}
		if ((rc = tree_put_leaf(&p, &f, sqlite3_column_blob(st, 1))) !=
		    TMON_OK)
			goto out;
		expect++;
	}
	if (r != SQLITE_DONE) {
		rc = db_err(s, r, "read entries", err);
		goto out;
	}
	if (expect > 0)
		log_info("store: built the Merkle tree of %" PRIu64 " entries",
		    expect);
	rc = TMON_OK;
out:
	sqlite3_finalize(st);
	stmt_put(s, p.st);
	return rc;
}

/*
 * Keep the derived tables (store.h) for entry e, just inserted as seq,
 * inside the append transaction: what DERIVE_MODELS_SELECT and
 * DERIVE_DAILY_SELECT give once it is in.
 */
static enum tmon_rc
derive_put(struct store *s, const struct store_entry_in *e, uint64_t seq,
    struct tmon_err *err)
{
	static const char *const vs[] = { "pass", "warn", "fail", "error" };
	sqlite3_stmt *st = NULL;
	bool probe;
	enum tmon_rc rc;
	int r, i;

	probe = strcmp(e->kind, "probe") == 0;
	if (e->model == NULL || (!probe && strcmp(e->kind, "event") != 0))
		return TMON_OK;
	if ((rc = stmt_get(s, "INSERT INTO models (" MODELS_COLS ") VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (model) DO UPDATE SET "
	    "last_probe_seq = coalesce(excluded.last_probe_seq, "
	    "last_probe_seq), last_pass_seq = coalesce(excluded.last_pass_seq, "
	    "last_pass_seq), last_event_seq = coalesce("
	    "excluded.last_event_seq, last_event_seq), "
	    "probes = probes + excluded.probes", &st, err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_bind_text(st, 1, e->model, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (r = sqlite3_bind_int64(st, 2, (sqlite3_int64)seq)) != SQLITE_OK ||
	    (r = probe ? sqlite3_bind_int64(st, 3, (sqlite3_int64)seq) :
	    sqlite3_bind_null(st, 3)) != SQLITE_OK ||
	    (r = probe && e->verdict != NULL &&
	    strcmp(e->verdict, "pass") == 0 ? sqlite3_bind_int64(st, 4,
	    (sqlite3_int64)seq) : sqlite3_bind_null(st, 4)) != SQLITE_OK ||
	    (r = !probe ? sqlite3_bind_int64(st, 5, (sqlite3_int64)seq) :
	    sqlite3_bind_null(st, 5)) != SQLITE_OK ||
	    (r = sqlite3_bind_int(st, 6, probe ? 1 : 0)) != SQLITE_OK) {
		rc = db_err(s, r, "bind models", err);
		goto out;
	}
	if ((r = sqlite3_step(st)) != SQLITE_DONE) {
		rc = db_err(s, r, "update models", err);
		goto out;
	}
	stmt_put(s, st);
	st = NULL;
	if (!probe)
		return TMON_OK;
	if ((rc = stmt_get(s, "INSERT INTO daily (" DAILY_COLS ") VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (model, day) DO UPDATE SET "
	    "pass = pass + excluded.pass, warn = warn + excluded.warn, "
	    "fail = fail + excluded.fail, error = error + excluded.error",
	    &st, err)) != TMON_OK)
		return rc;
	r = sqlite3_bind_text(st, 1, e->model, -1, SQLITE_STATIC);
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 2, e->time / 86400);
	for (i = 0; i < 4 && r == SQLITE_OK; i++)
		r = sqlite3_bind_int(st, 3 + i, e->verdict != NULL &&
		    strcmp(e->verdict, vs[i]) == 0);
	if (r != SQLITE_OK) {
		rc = db_err(s, r, "bind daily", err);
		goto out;
	}
	if ((r = sqlite3_step(st)) != SQLITE_DONE) {
		rc = db_err(s, r, "update daily", err);
		goto out;
	}
	rc = TMON_OK;
out:
	stmt_put(s, st);
	return rc;
}

static enum tmon_rc
put_entries(struct store *s, const struct store_entry_in *entries, size_t n,
    struct store_appended *res, struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	const struct store_entry_in *e;
	struct tree_put tp;
	uint8_t prev[32];
	uint64_t seq = 0;
	enum tmon_rc rc;
	size_t i;
	int r;

	if (n == 0)
		return TMON_OK;
	if ((rc = log_tail(s, &seq, prev, err)) != TMON_OK)
		return rc;
	/* The tree as committed: loaded again if the log moved on. */
	if ((!s->tree_loaded || s->tree.size != seq) &&
	    (rc = tree_load(s, seq, err)) != TMON_OK)
		return rc;
	s->pending = s->tree;
	tp.st = NULL;
	if ((rc = tree_put_begin(s, &tp, err)) != TMON_OK)
		return rc;
	if ((rc = stmt_get(s, "INSERT INTO entries (" ENTRY_COLS ") "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &st, err)) !=
	    TMON_OK)
		goto out;
	for (i = 0; i < n; i++, seq++) {
		e = &entries[i];
		if (seq > INT64_MAX) {
			rc = tmon_err_set(err, TMON_E_LIMIT, "store: log full");
			goto out;
		}
		res[i].seq = seq;
		store_leaf_hash(e->body, e->body_len, res[i].leaf);
		store_chain_hash(prev, res[i].leaf, res[i].chain);
		memcpy(prev, res[i].chain, 32);
		if ((r = sqlite3_bind_int64(st, 1, (sqlite3_int64)seq)) !=
		    SQLITE_OK ||
		    (r = sqlite3_bind_int64(st, 2, e->time)) != SQLITE_OK ||
		    (r = sqlite3_bind_text(st, 3, e->kind, -1,
		    SQLITE_STATIC)) != SQLITE_OK ||
		    (r = e->model != NULL ? sqlite3_bind_text(st, 4, e->model,
		    -1, SQLITE_STATIC) : sqlite3_bind_null(st, 4)) !=
		    SQLITE_OK ||
		    (r = e->verdict != NULL ? sqlite3_bind_text(st, 5,
		    e->verdict, -1, SQLITE_STATIC) : sqlite3_bind_null(st, 5)) !=
		    SQLITE_OK ||
		    (r = sqlite3_bind_blob64(st, 6, e->body, e->body_len,
		    SQLITE_STATIC)) != SQLITE_OK ||
		    (r = sqlite3_bind_blob(st, 7, res[i].leaf, 32,
		    SQLITE_STATIC)) != SQLITE_OK ||
		    (r = sqlite3_bind_blob(st, 8, res[i].chain, 32,
		    SQLITE_STATIC)) != SQLITE_OK ||
		    (r = e->cls != NULL ? sqlite3_bind_text(st, 9, e->cls, -1,
		    SQLITE_STATIC) : sqlite3_bind_null(st, 9)) != SQLITE_OK) {
			rc = db_err(s, r, "bind entry", err);
			goto out;
		}
		if ((r = sqlite3_step(st)) != SQLITE_DONE) {
			rc = tmon_err_set_at(err, sql_rc(r), i,
			    "store: insert entry %zu: %s", i,
			    sqlite3_errmsg(s->db));
			goto out;
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if ((rc = derive_put(s, e, seq, err)) != TMON_OK)
			goto out;
		if ((rc = tree_put_leaf(&tp, &s->pending, res[i].leaf)) !=
		    TMON_OK)
			goto out;
		if (s->hook != NULL)
			s->hook(s->hook_arg, seq);
	}
	rc = TMON_OK;
out:
	stmt_put(s, st);
	stmt_put(s, tp.st);
	return rc;
}

enum tmon_rc
store_append(struct store *s, const struct store_blob_in *blobs,
    size_t nblobs, const struct store_entry_in *entries, size_t n,
    struct store_appended *out, struct tmon_err *err)
{
	struct store_appended *res = NULL;
	enum tmon_rc rc;

	if (s->mode != STORE_RW)
		return tmon_err_set(err, TMON_E_UNSUPPORTED,
		    "store: append on a read-only handle");
	if ((rc = store_append_check(blobs, nblobs, entries, n, err)) !=
	    TMON_OK)
		return rc;
	if (nblobs == 0 && n == 0)
		return TMON_OK;
	if ((rc = store_check_file(s, err)) != TMON_OK)
		return rc;
	res = xcalloc(n > 0 ? n : 1, sizeof(*res));
	if ((rc = db_exec(s, "BEGIN IMMEDIATE", "begin append", err)) !=
	    TMON_OK)
		goto out;
	if ((rc = put_blobs(s, blobs, nblobs, err)) != TMON_OK ||
	    (rc = put_entries(s, entries, n, res, err)) != TMON_OK)
		goto out;
	if ((rc = db_exec(s, "COMMIT", "commit append", err)) != TMON_OK)
		goto out;
	if (n > 0)
		s->tree = s->pending;
	/* Committed, but into a file that may have left the path meanwhile:
	 * then it is not in the log, and the caller must not say it is. */
	if ((rc = store_check_file(s, err)) != TMON_OK)
		goto out;
	if (out != NULL && n > 0)
		memcpy(out, res, n * sizeof(*res));
	rc = TMON_OK;
out:
	if (rc != TMON_OK)
		rollback(s);
	free(res);
	return rc;
}

void
store_entry_free(struct store_entry *e)
{
	if (e == NULL)
		return;
	free(e->model);
	free(e->verdict);
	free(e->cls);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

/* Copy an optional TEXT column. */
static char *
col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *p;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	p = sqlite3_column_text(st, col);
	if (p == NULL)
		return xstrdup("");
	return xstrndup((const char *)p, (size_t)sqlite3_column_bytes(st, col));
}

/* Copy src (NULL: "") into dst[sz]; false if it does not fit. */
static bool
col_copy(char *dst, size_t sz, const char *src)
{
	if (src == NULL)
		src = "";
	if (strlen(src) >= sz)
		return false;
	memcpy(dst, src, strlen(src) + 1);
	return true;
}

/* True if e, whose leaf hash matches its body, was checked before. */
static bool
checked_before(const struct store *s, const struct store_entry *e)
{
	const struct checked_row *c = &s->checked[e->seq % STORE_CHECKED_CACHE];

	return c->used && c->seq == e->seq && c->time == e->time &&
	    memcmp(c->leaf, e->leaf, 32) == 0 && strcmp(c->kind, e->kind) == 0 &&
	    strcmp(c->model, e->model != NULL ? e->model : "") == 0 &&
	    (e->model == NULL || e->model[0] != '\0') &&
	    strcmp(c->verdict, e->verdict != NULL ? e->verdict : "") == 0 &&
	    (e->verdict == NULL || e->verdict[0] != '\0') &&
	    strcmp(c->cls, e->cls != NULL ? e->cls : "") == 0 &&
	    (e->cls == NULL || e->cls[0] != '\0');
}

static void
remember_checked(struct store *s, const struct store_entry *e)
{
	struct checked_row *c = &s->checked[e->seq % STORE_CHECKED_CACHE];

	c->used = col_copy(c->kind, sizeof(c->kind), e->kind) &&
	    col_copy(c->model, sizeof(c->model), e->model) &&
	    col_copy(c->verdict, sizeof(c->verdict), e->verdict) &&
	    col_copy(c->cls, sizeof(c->cls), e->cls);
	c->seq = e->seq;
	c->time = e->time;
	memcpy(c->leaf, e->leaf, 32);
}

/* Fill e from a row whose columns are ENTRY_COLS. */
static enum tmon_rc
row_entry(struct store *s, sqlite3_stmt *st, struct store_entry *e,
    struct tmon_err *err)
{
	const unsigned char *kind;
	const void *body, *leaf, *chain;
	uint8_t want[32];
	char why[256];
	sqlite3_int64 seq;
	int kindlen, bodylen;

	memset(e, 0, sizeof(*e));
	seq = sqlite3_column_int64(st, 0);
	kind = sqlite3_column_text(st, 2);
	kindlen = sqlite3_column_bytes(st, 2);
	body = sqlite3_column_blob(st, 5);
	bodylen = sqlite3_column_bytes(st, 5);
	leaf = sqlite3_column_blob(st, 6);
	if (sqlite3_column_bytes(st, 6) != 32)
		leaf = NULL;
	chain = sqlite3_column_blob(st, 7);
	if (sqlite3_column_bytes(st, 7) != 32)
		chain = NULL;
	if (seq < 0 || kind == NULL || kindlen <= 0 ||
	    (size_t)kindlen >= sizeof(e->kind) || body == NULL ||
	    bodylen <= 0 || (size_t)bodylen > MAX_ENTRY_BODY ||
	    leaf == NULL || chain == NULL)
		return tmon_err_set_at(err, TMON_E_PARSE,
		    seq < 0 ? 0 : (size_t)seq,
		    "store: entry %lld is corrupt", (long long)seq);
	e->seq = (uint64_t)seq;
	e->time = sqlite3_column_int64(st, 1);
	memcpy(e->kind, kind, (size_t)kindlen);
	e->model = col_text(st, 3);
	e->verdict = col_text(st, 4);
	e->cls = col_text(st, 8);
	e->body = xmemdup(body, (size_t)bodylen);
	e->body_len = (size_t)bodylen;
	memcpy(e->leaf, leaf, 32);
	memcpy(e->chain, chain, 32);
	/* Never hand out a row whose hash or columns are not its body's. */
	store_leaf_hash(e->body, e->body_len, want);
	if (CRYPTO_memcmp(want, e->leaf, 32) != 0)
		snprintf(why, sizeof(why), "leaf hash does not match the body");
	else if (checked_before(s, e))
		return TMON_OK;
	else if (store_body_check(e->kind, e->time, e->model, e->verdict,
	    e->cls, e->body, e->body_len, why, sizeof(why))) {
		remember_checked(s, e);
		return TMON_OK;
	}
	store_entry_free(e);
	return tmon_err_set_at(err, TMON_E_PARSE, (size_t)seq,
	    "store: entry %lld: %s", (long long)seq, why);
}

enum tmon_rc
store_entry_get(struct store *s, uint64_t seq, struct store_entry *out,
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	struct store_entry e;
	enum tmon_rc rc;
	int r;

	if (seq > INT64_MAX)
		return tmon_err_set(err, TMON_E_NOTFOUND,
		    "store: no entry %" PRIu64, seq);
	if ((rc = stmt_get(s, "SELECT " ENTRY_COLS " FROM entries "
	    "WHERE seq = ?1", &st, err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_bind_int64(st, 1, (sqlite3_int64)seq)) != SQLITE_OK) {
		rc = db_err(s, r, "bind", err);
		goto out;
	}
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		rc = tmon_err_set(err, TMON_E_NOTFOUND,
		    "store: no entry %" PRIu64, seq);
		goto out;
	}
	if (r != SQLITE_ROW) {
		rc = db_err(s, r, "read entry", err);
		goto out;
	}
	if ((rc = row_entry(s, st, &e, err)) != TMON_OK)
		goto out;
	*out = e;
	rc = TMON_OK;
out:
	stmt_put(s, st);
	return rc;
}

void
store_query_init(struct store_query *q)
{
	memset(q, 0, sizeof(*q));
	q->before_seq = UINT64_MAX;
	q->after_seq = UINT64_MAX;
}

/* Step st to the end, handing each row to cb. */
static enum tmon_rc
run_rows(struct store *s, sqlite3_stmt *st,
    int (*cb)(const struct store_entry *, void *), void *arg,
    struct tmon_err *err)
{
	struct store_entry e;
	enum tmon_rc rc;
	int r, stop;

	for (;;) {
		r = sqlite3_step(st);
		if (r == SQLITE_DONE)
			return TMON_OK;
		if (r != SQLITE_ROW)
			return db_err(s, r, "query", err);
		if ((rc = row_entry(s, st, &e, err)) != TMON_OK)
			return rc;
		stop = cb(&e, arg);
		store_entry_free(&e);
		if (stop != 0)
			return TMON_OK;
	}
}

static void
sql_add(char *sql, size_t sz, const char *frag)
{
	size_t len = strlen(sql);

	TMON_ASSERT(len + strlen(frag) < sz);
	memcpy(sql + len, frag, strlen(frag) + 1);
}

/* The index store_query walks for q (store.h), or NULL: by seq. */
static const char *
query_index(const struct store_query *q)
{
	if (q->kind == NULL)
		return q->verdict != NULL && q->model == NULL &&
		    q->cls == NULL ? "entries_verdict" : NULL;
	if (q->model != NULL && q->verdict != NULL)
		return "entries_kind_model_verdict";
	if (q->model != NULL)
		return "entries_kind_model";
	if (q->cls != NULL)
		return "entries_kind_class";
	if (q->verdict != NULL)
		return "entries_kind_verdict";
	return "entries_kind_seq";
}

/* Count st's work from zero (store_query_stats). */
static void
query_count_reset(sqlite3_stmt *st)
{
	(void)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
	(void)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
	(void)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_SORT, 1);
}

/* Prepare (from the cache) and bind the statement of q for verdict v;
 * alt makes its SQL text another cache key. */
static enum tmon_rc
query_stmt(struct store *s, const struct store_query *q, const char *v,
    bool alt, sqlite3_stmt **out, struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	char sql[640] = "SELECT " ENTRY_COLS " FROM entries";
	const char *idx;
	enum tmon_rc rc;
	int r = SQLITE_OK;

	*out = NULL;
	/* Only fixed fragments go into the SQL text; values are bound. */
	if ((idx = query_index(q)) != NULL) {
		sql_add(sql, sizeof(sql), " INDEXED BY ");
		sql_add(sql, sizeof(sql), idx);
	}
	sql_add(sql, sizeof(sql), " WHERE 1");
	if (q->kind != NULL)
		sql_add(sql, sizeof(sql), " AND kind = ?1");
	if (q->model != NULL)
		sql_add(sql, sizeof(sql), " AND model = ?2");
	if (v != NULL)
		sql_add(sql, sizeof(sql), " AND verdict = ?3");
	if (q->cls != NULL)
		sql_add(sql, sizeof(sql), " AND class = ?4");
	if (q->since != 0)
		sql_add(sql, sizeof(sql), " AND time >= ?5");
	if (q->until != 0)
		sql_add(sql, sizeof(sql), " AND time <= ?6");
	if (q->before_seq != UINT64_MAX && q->before_seq <= INT64_MAX)
		sql_add(sql, sizeof(sql), " AND seq < ?7");
	if (q->after_seq != UINT64_MAX)
		sql_add(sql, sizeof(sql), " AND seq > ?8");
	sql_add(sql, sizeof(sql), q->newest_first ? " ORDER BY seq DESC" :
	    " ORDER BY seq ASC");
	if (q->limit != 0)
		sql_add(sql, sizeof(sql), " LIMIT ?9");
	if (alt)
		sql_add(sql, sizeof(sql), " -- alt");
	if ((rc = stmt_get(s, sql, &st, err)) != TMON_OK)
		return rc;
	if (q->kind != NULL)
		r = sqlite3_bind_text(st, 1, q->kind, -1, SQLITE_STATIC);
	if (r == SQLITE_OK && q->model != NULL)
		r = sqlite3_bind_text(st, 2, q->model, -1, SQLITE_STATIC);
	if (r == SQLITE_OK && v != NULL)
		r = sqlite3_bind_text(st, 3, v, -1, SQLITE_STATIC);
	if (r == SQLITE_OK && q->cls != NULL)
		r = sqlite3_bind_text(st, 4, q->cls, -1, SQLITE_STATIC);
	if (r == SQLITE_OK && q->since != 0)
		r = sqlite3_bind_int64(st, 5, q->since);
	if (r == SQLITE_OK && q->until != 0)
		r = sqlite3_bind_int64(st, 6, q->until);
	if (r == SQLITE_OK && q->before_seq != UINT64_MAX &&
	    q->before_seq <= INT64_MAX)
		r = sqlite3_bind_int64(st, 7, (sqlite3_int64)q->before_seq);
	if (r == SQLITE_OK && q->after_seq != UINT64_MAX)
		r = sqlite3_bind_int64(st, 8, (sqlite3_int64)q->after_seq);
	if (r == SQLITE_OK && q->limit != 0)
		r = sqlite3_bind_int64(st, 9, q->limit > INT64_MAX ?
		    INT64_MAX : (sqlite3_int64)q->limit);
	if (r != SQLITE_OK) {
		stmt_put(s, st);
		return db_err(s, r, "bind query", err);
	}
	query_count_reset(st);
	*out = st;
	return TMON_OK;
}

static void
query_count(struct store *s, sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	s->qstats.vm_steps += (uint64_t)sqlite3_stmt_status(st,
	    SQLITE_STMTSTATUS_VM_STEP, 0);
	s->qstats.fullscan_steps += (uint64_t)sqlite3_stmt_status(st,
	    SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
	s->qstats.sorts += (uint64_t)sqlite3_stmt_status(st,
	    SQLITE_STMTSTATUS_SORT, 0);
}

/*
 * Two index walks in the same seq order merged into one, at most limit
 * rows (0: no limit): the rows of verdict and of verdict_alt.
 */
static enum tmon_rc
run_merge(struct store *s, sqlite3_stmt *a, sqlite3_stmt *b, bool desc,
    size_t limit, int (*cb)(const struct store_entry *, void *), void *arg,
    struct tmon_err *err)
{
	struct store_entry e;
	sqlite3_stmt *take;
	enum tmon_rc rc;
	size_t n = 0;
	int ra, rb, *rt, stop;
	sqlite3_int64 sa, sb;

	ra = sqlite3_step(a);
	rb = sqlite3_step(b);
	for (;;) {
		if (ra != SQLITE_ROW && ra != SQLITE_DONE)
			return db_err(s, ra, "query", err);
		if (rb != SQLITE_ROW && rb != SQLITE_DONE)
			return db_err(s, rb, "query", err);
		if ((ra == SQLITE_DONE && rb == SQLITE_DONE) ||
		    (limit != 0 && n >= limit))
			return TMON_OK;
		sa = ra == SQLITE_ROW ? sqlite3_column_int64(a, 0) : 0;
		sb = rb == SQLITE_ROW ? sqlite3_column_int64(b, 0) : 0;
		if (rb == SQLITE_DONE ||
		    (ra == SQLITE_ROW && (desc ? sa > sb : sa < sb))) {
			take = a;
			rt = &ra;
		} else {
			take = b;
			rt = &rb;
		}
		if ((rc = row_entry(s, take, &e, err)) != TMON_OK)
			return rc;
		stop = cb(&e, arg);
		store_entry_free(&e);
		if (stop != 0)
			return TMON_OK;
		n++;
		*rt = sqlite3_step(take);
	}
}

enum tmon_rc
store_query(struct store *s, const struct store_query *q,
    int (*cb)(const struct store_entry *, void *), void *arg,
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL, *st2 = NULL;
	enum tmon_rc rc;

	memset(&s->qstats, 0, sizeof(s->qstats));
	/* Bounds that no seq can satisfy. */
	if (q->before_seq == 0 ||
	    (q->after_seq != UINT64_MAX && q->after_seq >= INT64_MAX))
		return TMON_OK;
	if ((rc = query_stmt(s, q, q->verdict, false, &st, err)) != TMON_OK)
		return rc;
	if (q->verdict != NULL && q->verdict_alt != NULL &&
	    strcmp(q->verdict, q->verdict_alt) != 0) {
		if ((rc = query_stmt(s, q, q->verdict_alt, true, &st2, err)) !=
		    TMON_OK)
			goto out;
		rc = run_merge(s, st, st2, q->newest_first, q->limit, cb, arg,
		    err);
	} else
		rc = run_rows(s, st, cb, arg, err);
out:
	query_count(s, st);
	query_count(s, st2);
	stmt_put(s, st);
	stmt_put(s, st2);
	return rc;
}

void
store_query_stats(const struct store *s, struct store_query_stats *out)
{
	*out = s->qstats;
}

enum tmon_rc
store_latest_per_model(struct store *s, const char *kind,
    int (*cb)(const struct store_entry *, void *), void *arg,
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	const char *sql;
	enum tmon_rc rc;
	int r = SQLITE_OK;

	memset(&s->qstats, 0, sizeof(s->qstats));
	if (kind == NULL)
		return tmon_err_set(err, TMON_E_PARSE, "store: no kind");
	/*
	 * Probes and events from the models table, one row per model, each
	 * entry read by its seq.  CROSS JOIN keeps models the outer loop
	 * (SQLite "The Query Optimizer Overview", section "Manual Control Of
	 * Query Plans Using CROSS JOIN"): without statistics the planner
	 * would walk every probe of entries_kind_model and look up its model.
	 */
	if (strcmp(kind, "probe") == 0)
		sql = "SELECT " ENTRY_COLS_E " FROM models AS m "
		    "CROSS JOIN entries AS e ON e.seq = m.last_probe_seq AND "
		    "e.model = m.model AND e.kind = 'probe' ORDER BY m.model";
	else if (strcmp(kind, "event") == 0)
		sql = "SELECT " ENTRY_COLS_E " FROM models AS m "
		    "CROSS JOIN entries AS e ON e.seq = m.last_event_seq AND "
		    "e.model = m.model AND e.kind = 'event' ORDER BY m.model";
	else
		sql = "SELECT " ENTRY_COLS_E " FROM entries AS e "
		    "JOIN (SELECT max(seq) AS ms FROM entries "
		    "WHERE kind = ?1 AND model IS NOT NULL GROUP BY model) AS l "
		    "ON e.seq = l.ms ORDER BY e.model";
	if ((rc = stmt_get(s, sql, &st, err)) != TMON_OK)
		return rc;
	if (sqlite3_bind_parameter_count(st) > 0)
		r = sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (r != SQLITE_OK) {
		rc = db_err(s, r, "bind", err);
		goto out;
	}
	query_count_reset(st);
	rc = run_rows(s, st, cb, arg, err);
	query_count(s, st);
out:
	stmt_put(s, st);
	return rc;
}

/* A seq column of models: STORE_NO_SEQ for NULL; false if negative. */
static bool
col_seq(sqlite3_stmt *st, int col, uint64_t *out)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		*out = STORE_NO_SEQ;
		return true;
	}
	if (sqlite3_column_type(st, col) != SQLITE_INTEGER ||
	    sqlite3_column_int64(st, col) < 0)
		return false;
	*out = (uint64_t)sqlite3_column_int64(st, col);
	return true;
}

/* A models row (MODELS_COLS) into m (model borrowed from st). */
static enum tmon_rc
row_model(sqlite3_stmt *st, struct store_model *m, struct tmon_err *err)
{
	memset(m, 0, sizeof(*m));
	m->model = (const char *)sqlite3_column_text(st, 0);
	if (m->model == NULL || !col_seq(st, 1, &m->first_seq) ||
	    m->first_seq == STORE_NO_SEQ ||
	    !col_seq(st, 2, &m->last_probe_seq) ||
	    !col_seq(st, 3, &m->last_pass_seq) ||
	    !col_seq(st, 4, &m->last_event_seq) ||
	    !col_seq(st, 5, &m->probes) || m->probes == STORE_NO_SEQ)
		return tmon_err_set(err, TMON_E_PARSE, "store: a models row "
		    "is corrupt");
	return TMON_OK;
}

enum tmon_rc
store_models(struct store *s, int (*cb)(const struct store_model *, void *),
    void *arg, struct tmon_err *err)
{
	struct store_model m;
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	int r;

	if ((rc = stmt_get(s, "SELECT " MODELS_COLS " FROM models "
	    "ORDER BY model", &st, err)) != TMON_OK)
		return rc;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = row_model(st, &m, err)) != TMON_OK)
			goto out;
		if (cb(&m, arg) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	rc = r == SQLITE_DONE ? TMON_OK : db_err(s, r, "read models", err);
out:
	stmt_put(s, st);
	return rc;
}

enum tmon_rc
store_model_get(struct store *s, const char *model, struct store_model *out,
    bool *found, struct tmon_err *err)
{
	struct store_model m;
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	int r;

	*found = false;
	if (model == NULL || strlen(model) >= sizeof(s->model_buf))
		return TMON_OK;
	if ((rc = stmt_get(s, "SELECT " MODELS_COLS " FROM models "
	    "WHERE model = ?1", &st, err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		rc = db_err(s, r, "bind", err);
		goto out;
	}
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		rc = TMON_OK;
		goto out;
	}
	if (r != SQLITE_ROW) {
		rc = db_err(s, r, "read models", err);
		goto out;
	}
	if ((rc = row_model(st, &m, err)) != TMON_OK)
		goto out;
	memcpy(s->model_buf, model, strlen(model) + 1);
	m.model = s->model_buf;
	*out = m;
	*found = true;
out:
	stmt_put(s, st);
	return rc;
}

enum tmon_rc
store_daily(struct store *s, const char *model, int64_t from_day,
    int (*cb)(const struct store_day *, void *), void *arg,
    struct tmon_err *err)
{
	struct store_day d;
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	int r, i;
	bool bad;

	if ((rc = stmt_get(s, model != NULL ?
	    "SELECT " DAILY_COLS " FROM daily WHERE model = ?1 AND day >= ?2 "
	    "ORDER BY model, day" :
	    "SELECT " DAILY_COLS " FROM daily WHERE day >= ?2 "
	    "ORDER BY model, day", &st, err)) != TMON_OK)
		return rc;
	r = model != NULL ? sqlite3_bind_text(st, 1, model, -1,
	    SQLITE_STATIC) : SQLITE_OK;
	if (r == SQLITE_OK)
		r = sqlite3_bind_int64(st, 2, from_day);
	if (r != SQLITE_OK) {
		rc = db_err(s, r, "bind", err);
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		d.model = (const char *)sqlite3_column_text(st, 0);
		d.day = sqlite3_column_int64(st, 1);
		bad = d.model == NULL;
		for (i = 2; i < 6; i++)
			bad = bad || sqlite3_column_int64(st, i) < 0;
		if (bad) {
			rc = tmon_err_set(err, TMON_E_PARSE, "store: a daily "
			    "row is corrupt");
			goto out;
		}
		d.pass = (uint64_t)sqlite3_column_int64(st, 2);
		d.warn = (uint64_t)sqlite3_column_int64(st, 3);
		d.fail = (uint64_t)sqlite3_column_int64(st, 4);
		d.error = (uint64_t)sqlite3_column_int64(st, 5);
		if (cb(&d, arg) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	rc = r == SQLITE_DONE ? TMON_OK : db_err(s, r, "read daily", err);
out:
	stmt_put(s, st);
	return rc;
}

enum tmon_rc
store_blob_get(struct store *s, const uint8_t key[32], uint8_t **data,
    size_t *len, char **media_type, struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	const void *p;
	char *mt = NULL, why[64], hex[65];
	sqlite3_int64 reclen;
	enum tmon_rc rc;
	int r, n;

	if ((rc = stmt_get(s, "SELECT media_type, len, data FROM blobs "
	    "WHERE sha256 = ?1", &st, err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		rc = db_err(s, r, "bind", err);
		goto out;
	}
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		rc = tmon_err_set(err, TMON_E_NOTFOUND, "store: no such blob");
		goto out;
	}
	if (r != SQLITE_ROW) {
		rc = db_err(s, r, "read blob", err);
		goto out;
	}
	reclen = sqlite3_column_int64(st, 1);
	p = sqlite3_column_blob(st, 2);
	n = sqlite3_column_bytes(st, 2);
	if (!blob_ok(key, p, n, reclen, why, sizeof(why))) {
		rc = tmon_err_set(err, TMON_E_PARSE, "store: blob %s: %s",
		    hex_encode(key, 32, hex), why);
		goto out;
	}
	if (p == NULL)
		p = "";
	mt = col_text(st, 0);
	if (mt == NULL)
		mt = xstrdup("application/octet-stream");
	*data = xmalloc((size_t)n + 1);
	memcpy(*data, p, (size_t)n);
	(*data)[n] = '\0';
	*len = (size_t)n;
	*media_type = mt;
	mt = NULL;
	rc = TMON_OK;
out:
	free(mt);
	stmt_put(s, st);
	return rc;
}

/* --- checkpoints and cosignatures --- */

enum tmon_rc
store_tree_size(struct store *s, uint64_t *size, struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	int r;

	if ((rc = stmt_get(s, "SELECT max(idx) FROM tree WHERE level = 0",
	    &st, err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_step(st)) != SQLITE_ROW)
		rc = db_err(s, r, "read tree size", err);
	else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		*size = 0;
	else if (sqlite3_column_int64(st, 0) < 0)
		rc = tmon_err_set(err, TMON_E_PARSE, "store: tree is corrupt");
	else
		*size = (uint64_t)sqlite3_column_int64(st, 0) + 1;
	stmt_put(s, st);
	return rc;
}

enum tmon_rc
store_tree_root(struct store *s, uint64_t size, uint8_t root[32],
    struct tmon_err *err)
{
	return tlog_root(size, store_tree_read, s, root, err);
}

enum tmon_rc
store_tree_tile(struct store *s, const struct tlog_tile *t, uint8_t *out,
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	uint64_t first, i = 0;
	unsigned level;
	enum tmon_rc rc;
	int r;

	if (t->level < 0 || t->width == 0 || t->width > TLOG_TILE_WIDTH ||
	    t->index > (uint64_t)INT64_MAX / TLOG_TILE_WIDTH)
		return tmon_err_set(err, TMON_E_PARSE, "store: not a hash "
		    "tile");
	level = (unsigned)t->level * TLOG_TILE_HEIGHT;
	first = t->index * TLOG_TILE_WIDTH;
	if ((rc = stmt_get(s, "SELECT idx, hash FROM tree WHERE level = ?1 "
	    "AND idx >= ?2 AND idx < ?3 ORDER BY idx", &st, err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_bind_int(st, 1, (int)level)) != SQLITE_OK ||
	    (r = sqlite3_bind_int64(st, 2, (sqlite3_int64)first)) !=
	    SQLITE_OK || (r = sqlite3_bind_int64(st, 3,
	    (sqlite3_int64)(first + t->width))) != SQLITE_OK) {
		rc = db_err(s, r, "bind tile", err);
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != (sqlite3_int64)(first + i) ||
		    sqlite3_column_bytes(st, 1) != 32)
			break;
		memcpy(out + i * 32, sqlite3_column_blob(st, 1), 32);
		i++;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		rc = db_err(s, r, "read tile", err);
		goto out;
	}
	if (i != t->width) {
		rc = tmon_err_set(err, TMON_E_NOTFOUND, "store: tree nodes "
		    "(%u, %" PRIu64 "..%" PRIu64 ") are not all there", level,
		    first, first + t->width - 1);
		goto out;
	}
	rc = TMON_OK;
out:
	stmt_put(s, st);
	return rc;
}

void
store_checkpoint_free(struct store_checkpoint *c)
{
	if (c == NULL)
		return;
	free(c->note);
	memset(c, 0, sizeof(*c));
}

/* One checkpoints row (size, time, root, note) into c. */
static enum tmon_rc
row_checkpoint(sqlite3_stmt *st, struct store_checkpoint *c,
    struct tmon_err *err)
{
	sqlite3_int64 size = sqlite3_column_int64(st, 0);
	int len = sqlite3_column_bytes(st, 3);

	if (size <= 0 || sqlite3_column_bytes(st, 2) != 32 || len <= 0 ||
	    (size_t)len > MAX_CHECKPOINT_NOTE)
		return tmon_err_set(err, TMON_E_PARSE, "store: checkpoint "
		    "%lld is corrupt", (long long)size);
	memset(c, 0, sizeof(*c));
	c->size = (uint64_t)size;
	c->time = sqlite3_column_int64(st, 1);
	memcpy(c->root, sqlite3_column_blob(st, 2), 32);
	c->note = xmalloc((size_t)len + 1);
	memcpy(c->note, sqlite3_column_blob(st, 3), (size_t)len);
	c->note[len] = '\0';
	c->note_len = (size_t)len;
	return TMON_OK;
}

#define CP_COLS	"size, time, root, note"

/* The checkpoint of exactly size (size > 0), or the latest (size 0). */
static enum tmon_rc
checkpoint_get(struct store *s, uint64_t size, struct store_checkpoint *out,
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	int r;

	if (size > INT64_MAX)
		return tmon_err_set(err, TMON_E_NOTFOUND, "store: no "
		    "checkpoint of size %" PRIu64, size);
	if ((rc = stmt_get(s, size == 0 ?
	    "SELECT " CP_COLS " FROM checkpoints ORDER BY size DESC LIMIT 1" :
	    "SELECT " CP_COLS " FROM checkpoints WHERE size = ?1", &st,
	    err)) != TMON_OK)
		return rc;
	if (size != 0 && (r = sqlite3_bind_int64(st, 1,
	    (sqlite3_int64)size)) != SQLITE_OK) {
		rc = db_err(s, r, "bind", err);
		goto out;
	}
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		rc = size == 0 ? tmon_err_set(err, TMON_E_NOTFOUND, "store: "
		    "no checkpoint yet") : tmon_err_set(err, TMON_E_NOTFOUND,
		    "store: no checkpoint of size %" PRIu64, size);
	else if (r != SQLITE_ROW)
		rc = db_err(s, r, "read checkpoint", err);
	else
		rc = row_checkpoint(st, out, err);
out:
	stmt_put(s, st);
	return rc;
}

enum tmon_rc
store_checkpoint_latest(struct store *s, struct store_checkpoint *out,
    struct tmon_err *err)
{
	return checkpoint_get(s, 0, out, err);
}

enum tmon_rc
store_checkpoint_get(struct store *s, uint64_t size,
    struct store_checkpoint *out, struct tmon_err *err)
{
	if (size == 0)
		return tmon_err_set(err, TMON_E_NOTFOUND, "store: no "
		    "checkpoint of size 0");
	return checkpoint_get(s, size, out, err);
}

enum tmon_rc
store_checkpoint_list(struct store *s, uint64_t after, size_t limit,
    int (*cb)(const struct store_checkpoint *c, void *arg), void *arg,
    struct tmon_err *err)
{
	struct store_checkpoint c;
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	int r, stop;

	if (after > INT64_MAX)
		return TMON_OK;
	if ((rc = stmt_get(s, "SELECT " CP_COLS " FROM checkpoints WHERE "
	    "size > ?1 ORDER BY size LIMIT ?2", &st, err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_bind_int64(st, 1, (sqlite3_int64)after)) !=
	    SQLITE_OK || (r = sqlite3_bind_int64(st, 2, limit == 0 ? -1 :
	    (sqlite3_int64)limit)) != SQLITE_OK) {
		rc = db_err(s, r, "bind", err);
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = row_checkpoint(st, &c, err)) != TMON_OK)
			goto out;
		stop = cb(&c, arg);
		store_checkpoint_free(&c);
		if (stop != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	rc = r == SQLITE_DONE ? TMON_OK : db_err(s, r, "read checkpoints",
	    err);
out:
	stmt_put(s, st);
	return rc;
}

enum tmon_rc
store_checkpoint_add(struct store *s, const struct store_checkpoint *c,
    struct tmon_err *err)
{
	struct store_checkpoint old;
	struct tmon_err e;
	sqlite3_stmt *st = NULL;
	uint8_t root[32];
	uint64_t size;
	enum tmon_rc rc;
	int r;

	if (s->mode != STORE_RW)
		return tmon_err_set(err, TMON_E_UNSUPPORTED, "store: "
		    "checkpoint on a read-only handle");
	if (c->size == 0 || c->size > INT64_MAX || c->time < 0 ||
	    c->note == NULL || c->note_len == 0 ||
	    c->note_len > MAX_CHECKPOINT_NOTE)
		return tmon_err_set(err, TMON_E_PARSE, "store: checkpoint "
		    "fields out of range");
	if ((rc = db_exec(s, "BEGIN IMMEDIATE", "begin checkpoint", err)) !=
	    TMON_OK)
		return rc;
	/* One checkpoint per size, and only of the tree as stored. */
	tmon_err_clear(&e);
	rc = checkpoint_get(s, c->size, &old, &e);
	if (rc == TMON_OK) {
		r = old.note_len == c->note_len && memcmp(old.note, c->note,
		    c->note_len) == 0 && memcmp(old.root, c->root, 32) == 0;
		store_checkpoint_free(&old);
		rc = r ? TMON_OK : tmon_err_set(err, TMON_E_PARSE, "store: "
		    "another checkpoint of size %" PRIu64 " is stored: never "
		    "two for one size", c->size);
		goto out;
	}
	if (rc != TMON_E_NOTFOUND) {
		(void)tmon_err_set(err, rc, "%s", e.msg);
		goto out;
	}
	if ((rc = store_tree_size(s, &size, err)) != TMON_OK)
		goto out;
	if (c->size > size) {
		rc = tmon_err_set(err, TMON_E_PARSE, "store: checkpoint of "
		    "size %" PRIu64 " for a tree of %" PRIu64, c->size, size);
		goto out;
	}
	if ((rc = store_tree_root(s, c->size, root, err)) != TMON_OK)
		goto out;
	if (CRYPTO_memcmp(root, c->root, 32) != 0) {
		rc = tmon_err_set(err, TMON_E_PARSE, "store: checkpoint root "
		    "for size %" PRIu64 " is not the tree's", c->size);
		goto out;
	}
	if ((rc = stmt_get(s, "INSERT INTO checkpoints (" CP_COLS ") VALUES "
	    "(?1, ?2, ?3, ?4)", &st, err)) != TMON_OK)
		goto out;
	if ((r = sqlite3_bind_int64(st, 1, (sqlite3_int64)c->size)) !=
	    SQLITE_OK || (r = sqlite3_bind_int64(st, 2, c->time)) !=
	    SQLITE_OK || (r = sqlite3_bind_blob(st, 3, c->root, 32,
	    SQLITE_STATIC)) != SQLITE_OK || (r = sqlite3_bind_blob64(st, 4,
	    c->note, c->note_len, SQLITE_STATIC)) != SQLITE_OK) {
		rc = db_err(s, r, "bind checkpoint", err);
		goto out;
	}
	if ((r = sqlite3_step(st)) != SQLITE_DONE) {
		rc = db_err(s, r, "insert checkpoint", err);
		goto out;
	}
	stmt_put(s, st);
	st = NULL;
	if ((rc = db_exec(s, "COMMIT", "commit checkpoint", err)) != TMON_OK)
		goto out;
	return store_check_file(s, err);
out:
	stmt_put(s, st);
	rollback(s);
	return rc;
}

/* A witness name as the cosignatures table keeps it. */
static bool
cosigner_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= MAX_NOTE_NAME && ascii_ok(name, MAX_NOTE_NAME + 1,
	    0x21);
}

enum tmon_rc
store_cosignature_add(struct store *s, const struct store_cosignature *c,
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	int r;

	if (s->mode != STORE_RW)
		return tmon_err_set(err, TMON_E_UNSUPPORTED, "store: "
		    "cosignature on a read-only handle");
	if (c->size == 0 || c->size > INT64_MAX || c->time < 0 ||
	    !cosigner_name_ok(c->name) || c->line == NULL ||
	    strlen(c->line) == 0 || strlen(c->line) > MAX_NOTE_SIG_LINE)
		return tmon_err_set(err, TMON_E_PARSE, "store: cosignature "
		    "fields out of range");
	if ((rc = stmt_get(s, "INSERT OR IGNORE INTO cosignatures (size, "
	    "name, time, line) VALUES (?1, ?2, ?3, ?4)", &st, err)) !=
	    TMON_OK)
		return rc;
	if ((r = sqlite3_bind_int64(st, 1, (sqlite3_int64)c->size)) !=
	    SQLITE_OK || (r = sqlite3_bind_text(st, 2, c->name, -1,
	    SQLITE_STATIC)) != SQLITE_OK || (r = sqlite3_bind_int64(st, 3,
	    c->time)) != SQLITE_OK || (r = sqlite3_bind_text(st, 4, c->line,
	    -1, SQLITE_STATIC)) != SQLITE_OK) {
		rc = db_err(s, r, "bind cosignature", err);
		goto out;
	}
	if ((r = sqlite3_step(st)) != SQLITE_DONE)
		rc = db_err(s, r, "insert cosignature", err);
	else
		rc = TMON_OK;
out:
	stmt_put(s, st);
	return rc;
}

enum tmon_rc
store_cosignature_list(struct store *s, uint64_t size,
    int (*cb)(const struct store_cosignature *c, void *arg), void *arg,
    struct tmon_err *err)
{
	struct store_cosignature c;
	sqlite3_stmt *st = NULL;
	const unsigned char *name, *line;
	enum tmon_rc rc;
	int r;

	if (size > INT64_MAX)
		return TMON_OK;
	if ((rc = stmt_get(s, "SELECT name, time, line FROM cosignatures "
	    "WHERE size = ?1 ORDER BY name", &st, err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_bind_int64(st, 1, (sqlite3_int64)size)) !=
	    SQLITE_OK) {
		rc = db_err(s, r, "bind", err);
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		name = sqlite3_column_text(st, 0);
		line = sqlite3_column_text(st, 2);
		if (name == NULL || line == NULL)
			continue;
		memset(&c, 0, sizeof(c));
		c.size = size;
		c.name = (const char *)name;
		c.time = sqlite3_column_int64(st, 1);
		c.line = (const char *)line;
		if (cb(&c, arg) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	rc = r == SQLITE_DONE ? TMON_OK : db_err(s, r, "read cosignatures",
	    err);
out:
	stmt_put(s, st);
	return rc;
}

/* --- verification (store_verify) --- */

struct verify {
	struct store			*s;
	const struct store_verify_opts	*o;
	struct store_verify_result	*res;
	struct tmon_err			*err;
	bool				 full;	/* columns and blobs too */
	sqlite3_stmt			*blob_st;
	sqlite3_stmt			*leaf_st;
	bool				 size_known;
	/* STORE_VERIFY_BLOBS: keys of the damaged blobs (sorted), so the
	 * entries naming them are reported too */
	uint8_t				(*bad)[32];
	size_t				 nbad;
};

/* Damaged blob keys kept for verify_ref (more are only counted). */
#define VERIFY_MAX_BAD_KEYS	4096

static int
key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* Count a problem, keep the first in err, report the first few. */
static void __attribute__((format(printf, 3, 4)))
problem(struct verify *v, uint64_t seq, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (v->res->problems++ == 0)
		tmon_err_set_at(v->err, TMON_E_PARSE, (size_t)seq, "store: %s",
		    msg);
	if (seq != STORE_NO_SEQ && (v->res->first_bad_seq == STORE_NO_SEQ ||
	    seq < v->res->first_bad_seq))
		v->res->first_bad_seq = seq;
	if (v->o->report != NULL &&
	    v->res->problems <= STORE_VERIFY_MAX_REPORTS)
		v->o->report(v->o->arg, seq, msg);
}

/* True for the SQLite errors that mean a damaged file, not a failure to
 * read it. */
static bool
sql_damaged(int r)
{
	return (r & 0xff) == SQLITE_CORRUPT || (r & 0xff) == SQLITE_NOTADB;
}

/*
 * The blob named hex by entry seq at member path: there, and (unless
 * every blob is re-hashed anyway) of the recorded length and hashing to
 * its key.
 */
static enum tmon_rc
verify_ref(struct verify *v, uint64_t seq, const char *path, const json_t *j)
{
	uint8_t key[32];
	const char *hex;
	char why[64], esc[128];
	enum tmon_rc rc = TMON_OK;
	int r;

	if (j == NULL || json_is_null(j))
		return TMON_OK;
	hex = json_string_value(j);
	if (hex == NULL || json_string_length(j) != 64 ||
	    !hex_decode_exact(hex, 64, key, 32, false)) {
		problem(v, seq, "entry %" PRIu64 ": %s is not a SHA-256", seq,
		    path);
		return TMON_OK;
	}
	if (v->blob_st == NULL && (rc = db_prepare(v->s, "SELECT len, data "
	    "FROM blobs WHERE sha256 = ?1", &v->blob_st, v->err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_bind_blob(v->blob_st, 1, key, 32, SQLITE_STATIC)) !=
	    SQLITE_OK)
		return db_err(v->s, r, "bind", v->err);
	r = sqlite3_step(v->blob_st);
	if (r == SQLITE_DONE)
		problem(v, seq, "entry %" PRIu64 ": %s: blob %s is missing",
		    seq, path, log_esc(esc, sizeof(esc), hex, 64));
	else if (r == SQLITE_ROW && (v->o->flags & STORE_VERIFY_BLOBS) != 0) {
		/* Every blob was re-hashed before the entries. */
		if (v->nbad > 0 && bsearch(key, v->bad, v->nbad, 32,
		    key_cmp) != NULL)
			problem(v, seq, "entry %" PRIu64 ": %s: blob %.64s is "
			    "damaged", seq, path, hex);
	} else if (r == SQLITE_ROW) {
		if (!blob_ok(key, sqlite3_column_blob(v->blob_st, 1),
		    sqlite3_column_bytes(v->blob_st, 1),
		    sqlite3_column_int64(v->blob_st, 0), why, sizeof(why)))
			problem(v, seq, "entry %" PRIu64 ": %s: blob %.64s: %s",
			    seq, path, hex, why);
		v->res->blobs++;
	} else if (r != SQLITE_ROW && sql_damaged(r))
		problem(v, seq, "entry %" PRIu64 ": %s: blob %.64s: %s", seq,
		    path, hex, sqlite3_errmsg(v->s->db));
	else if (r != SQLITE_ROW)
		rc = db_err(v->s, r, "read blob", v->err);
	sqlite3_reset(v->blob_st);
	return rc;
}

/* The blobs an entry body names (store.h, the blobs table). */
static enum tmon_rc
verify_refs(struct verify *v, uint64_t seq, const char *kind,
    const json_t *o)
{
	static const char *const probe_refs[][2] = {
		{ "request", "body_sha256" },
		{ "canary", "request_sha256" },
		{ "canary", "response_sha256" },
		{ "canary", "signature_sha256" },
		{ "request", "tls_chain_sha256" },
		{ "nras", "body_sha256" },
		{ "nras", "jwks_sha256" },
	};
	static const char *const doc_refs[] = { "body_sha256",
	    "headers_sha256" };
	json_t *docs, *d;
	const char *name;
	char path[128];
	enum tmon_rc rc = TMON_OK;
	size_t i;

	if (strcmp(kind, "probe") == 0) {
		for (i = 0; i < sizeof(probe_refs) / sizeof(probe_refs[0]) &&
		    rc == TMON_OK; i++) {
			snprintf(path, sizeof(path), "%s.%s", probe_refs[i][0],
			    probe_refs[i][1]);
			rc = verify_ref(v, seq, path, json_object_get(
			    json_object_get(o, probe_refs[i][0]),
			    probe_refs[i][1]));
		}
	} else if (strcmp(kind, "receipt") == 0) {
		rc = verify_ref(v, seq, "submitted.sha256", json_object_get(
		    json_object_get(o, "submitted"), "sha256"));
	} else if (strcmp(kind, "collateral") == 0 ||
	    strcmp(kind, "provenance") == 0) {
		docs = json_object_get(o, "documents");
		json_object_foreach(docs, name, d) {
			for (i = 0; i < 2 && rc == TMON_OK; i++) {
				snprintf(path, sizeof(path), "documents.%.64s.%s",
				    name, doc_refs[i]);
				rc = verify_ref(v, seq, path,
				    json_object_get(d, doc_refs[i]));
			}
			if (rc != TMON_OK)
				break;
		}
	}
	return rc;
}

/* The stored leaf hash of entry seq is the tree's leaf seq. */
static enum tmon_rc
verify_tree_leaf(struct verify *v, uint64_t seq, const uint8_t leaf[32])
{
	int r;

	if (v->leaf_st == NULL) {
		enum tmon_rc rc = db_prepare(v->s, "SELECT hash FROM tree "
		    "WHERE level = 0 AND idx = ?1", &v->leaf_st, v->err);

		if (rc != TMON_OK)
			return rc;
	}
	if ((r = sqlite3_bind_int64(v->leaf_st, 1, (sqlite3_int64)seq)) !=
	    SQLITE_OK)
		return db_err(v->s, r, "bind", v->err);
	r = sqlite3_step(v->leaf_st);
	if (r == SQLITE_ROW && (sqlite3_column_bytes(v->leaf_st, 0) != 32 ||
	    CRYPTO_memcmp(sqlite3_column_blob(v->leaf_st, 0), leaf, 32) != 0))
		problem(v, seq, "entry %" PRIu64 ": its leaf hash is not the "
		    "tree's leaf %" PRIu64, seq, seq);
	else if (r == SQLITE_DONE)
		problem(v, seq, "entry %" PRIu64 ": no leaf in the tree", seq);
	else if (r != SQLITE_ROW) {
		sqlite3_reset(v->leaf_st);
		return db_err(v->s, r, "read tree leaf", v->err);
	}
	sqlite3_reset(v->leaf_st);
	return TMON_OK;
}

/* One entry row (seq, time, kind, model, verdict, body, leaf_hash,
 * chain_hash): its leaf, its chain link from prev (when known), its
 * columns and blobs (v->full).  Leaves prev at its stored chain hash. */
static enum tmon_rc
verify_row(struct verify *v, sqlite3_stmt *st, uint64_t seq,
    uint8_t prev[32], bool *prev_known)
{
	const void *body, *leaf, *chain;
	const char *kind, *model, *verdict, *cls;
	uint8_t want[32];
	char why[256];
	json_t *o;
	enum tmon_rc rc = TMON_OK;
	int bodylen;

	body = sqlite3_column_blob(st, 5);
	bodylen = sqlite3_column_bytes(st, 5);
	if (body == NULL || bodylen < 0)
		bodylen = 0;
	if (body == NULL)
		body = "";
	leaf = sqlite3_column_bytes(st, 6) == 32 ?
	    sqlite3_column_blob(st, 6) : NULL;
	chain = sqlite3_column_bytes(st, 7) == 32 ?
	    sqlite3_column_blob(st, 7) : NULL;
	store_leaf_hash(body, (size_t)bodylen, want);
	if (leaf == NULL || CRYPTO_memcmp(leaf, want, 32) != 0)
		problem(v, seq, "entry %" PRIu64 ": leaf hash does not match "
		    "the body", seq);
	if (leaf != NULL)
		memcpy(want, leaf, 32);
	if ((rc = verify_tree_leaf(v, seq, want)) != TMON_OK)
		return rc;
	if (chain == NULL)
		problem(v, seq, "entry %" PRIu64 ": chain hash is not 32 bytes",
		    seq);
	else if (*prev_known) {
		store_chain_hash(prev, want, want);
		if (CRYPTO_memcmp(chain, want, 32) != 0)
			problem(v, seq, "entry %" PRIu64 ": chain hash does not "
			    "match the chain hash before it and the leaf", seq);
	}
	*prev_known = chain != NULL;
	if (chain != NULL)
		memcpy(prev, chain, 32);
	if (!v->full)
		return TMON_OK;
	kind = (const char *)sqlite3_column_text(st, 2);
	model = (const char *)sqlite3_column_text(st, 3);
	verdict = (const char *)sqlite3_column_text(st, 4);
	cls = (const char *)sqlite3_column_text(st, 8);
	o = store_body_parse(body, (size_t)bodylen);
	if (!columns_match(o, kind, sqlite3_column_int64(st, 1), model,
	    verdict, cls, why, sizeof(why)))
		problem(v, seq, "entry %" PRIu64 ": %s", seq, why);
	else
		rc = verify_refs(v, seq, kind, o);
	json_decref(o);
	return rc;
}

/* The entries from the first one to check to the last. */
static enum tmon_rc
verify_entries(struct verify *v, uint64_t tail)
{
	sqlite3_stmt *st = NULL;
	uint8_t prev[32];
	uint64_t expect, seq, last = 0;
	bool prev_known = true, any;
	enum tmon_rc rc;
	int r;

	memset(prev, 0, sizeof(prev));
	if (v->size_known)
		goto sized;
	if ((rc = db_prepare(v->s, "SELECT max(seq) FROM entries", &st,
	    v->err)) != TMON_OK)
		return rc;
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		if (!sql_damaged(r)) {
			rc = db_err(v->s, r, "read entries", v->err);
			goto out;
		}
		problem(v, STORE_NO_SEQ, "entries: %s",
		    sqlite3_errmsg(v->s->db));
		rc = TMON_OK;
		goto out;
	}
	any = sqlite3_column_type(st, 0) != SQLITE_NULL;
	if (any && sqlite3_column_int64(st, 0) >= 0)
		last = (uint64_t)sqlite3_column_int64(st, 0);
	v->res->size = any ? last + 1 : 0;
	v->size_known = true;
	sqlite3_finalize(st);
	st = NULL;
	if ((v->o->flags & STORE_VERIFY_NO_ENTRIES) != 0)
		return TMON_OK;
sized:
	expect = tail != 0 && v->res->size > tail ? v->res->size - tail : 0;
	if (v->o->end != 0)
		expect = v->o->first;
	v->res->first = expect;
	if (expect > 0) {
		/* The chain hash the tail continues, taken as stored. */
		if ((rc = db_prepare(v->s, "SELECT chain_hash FROM entries "
		    "WHERE seq = ?1", &st, v->err)) != TMON_OK)
			return rc;
		if ((r = sqlite3_bind_int64(st, 1, (sqlite3_int64)expect - 1))
		    != SQLITE_OK) {
			rc = db_err(v->s, r, "bind", v->err);
			goto out;
		}
		r = sqlite3_step(st);
		if (r == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
			memcpy(prev, sqlite3_column_blob(st, 0), 32);
		else
			prev_known = false;
		sqlite3_finalize(st);
		st = NULL;
	}
	if ((rc = db_prepare(v->s, "SELECT " ENTRY_COLS " FROM entries "
	    "WHERE seq >= ?1 AND seq < ?2 ORDER BY seq ASC", &st, v->err)) !=
	    TMON_OK)
		return rc;
	if ((r = sqlite3_bind_int64(st, 1, (sqlite3_int64)expect)) !=
	    SQLITE_OK || (r = sqlite3_bind_int64(st, 2, v->o->end != 0 &&
	    v->o->end <= INT64_MAX ? (sqlite3_int64)v->o->end : INT64_MAX)) !=
	    SQLITE_OK) {
		rc = db_err(v->s, r, "bind", v->err);
		goto out;
	}
	for (;;) {
		r = sqlite3_step(st);
		if (r == SQLITE_DONE)
			break;
		if (r != SQLITE_ROW && sql_damaged(r)) {
			problem(v, expect, "entries from %" PRIu64 " on cannot be "
			    "read: %s", expect, sqlite3_errmsg(v->s->db));
			break;
		}
		if (r != SQLITE_ROW) {
			rc = db_err(v->s, r, "read entries", v->err);
			goto out;
		}
		seq = (uint64_t)sqlite3_column_int64(st, 0);
		if (seq != expect) {
			problem(v, expect, "entry %" PRIu64 " is missing (the next "
			    "one is %" PRIu64 ")", expect, seq);
			prev_known = false;
		}
		if ((rc = verify_row(v, st, seq, prev, &prev_known)) !=
		    TMON_OK)
			goto out;
		v->res->entries++;
		expect = seq + 1;
	}
	memcpy(v->res->head, prev, 32);
	rc = TMON_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Every blob of the table. */
static enum tmon_rc
verify_blobs(struct verify *v)
{
	sqlite3_stmt *st = NULL;
	const void *key;
	char why[64], hex[65], mesc[128];
	const char *mt;
	enum tmon_rc rc;
	int r;

	if ((rc = db_prepare(v->s, "SELECT sha256, media_type, len, data "
	    "FROM blobs", &st, v->err)) != TMON_OK)
		return rc;
	for (;;) {
		r = sqlite3_step(st);
		if (r == SQLITE_DONE)
			break;
		if (r != SQLITE_ROW && sql_damaged(r)) {
			problem(v, STORE_NO_SEQ, "blobs: %s",
			    sqlite3_errmsg(v->s->db));
			break;
		}
		if (r != SQLITE_ROW) {
			rc = db_err(v->s, r, "read blobs", v->err);
			goto out;
		}
		v->res->blobs++;
		key = sqlite3_column_blob(st, 0);
		if (key == NULL || sqlite3_column_bytes(st, 0) != 32) {
			problem(v, STORE_NO_SEQ, "blob with a %d-byte key",
			    sqlite3_column_bytes(st, 0));
			continue;
		}
		hex_encode(key, 32, hex);
		mt = (const char *)sqlite3_column_text(st, 1);
		if (!blob_ok(key, sqlite3_column_blob(st, 3),
		    sqlite3_column_bytes(st, 3), sqlite3_column_int64(st, 2),
		    why, sizeof(why)))
			problem(v, STORE_NO_SEQ, "blob %s: %s", hex, why);
		else if (!store_media_type_valid(mt))
			problem(v, STORE_NO_SEQ, "blob %s: media type %s is not "
			    "valid", hex, mt == NULL ? "NULL" : log_esc(mesc,
			    sizeof(mesc), mt, strlen(mt)));
		else
			continue;
		if (v->nbad < VERIFY_MAX_BAD_KEYS) {
			v->bad = xreallocarray(v->bad, v->nbad + 1, 32);
			memcpy(v->bad[v->nbad++], key, 32);
		}
	}
	if (v->nbad > 1)
		qsort(v->bad, v->nbad, 32, key_cmp);
	rc = TMON_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Each line of an integrity_check answer but "ok" and the "*** in
 * database main ***" headings, made printable. */
static void
integrity_lines(struct verify *v, const char *text)
{
	char line[200];
	size_t n;

	while (*text != '\0') {
		n = 0;
		for (; *text != '\0' && *text != '\n'; text++)
			if (n + 1 < sizeof(line))
				line[n++] = *text >= 0x20 && *text < 0x7f ?
				    *text : '?';
		line[n] = '\0';
		if (*text == '\n')
			text++;
		if (n > 0 && strcmp(line, "ok") != 0 &&
		    strncmp(line, "*** ", 4) != 0)
			problem(v, STORE_NO_SEQ, "integrity_check: %s", line);
	}
}

/* PRAGMA integrity_check: every line but "ok" is a problem. */
static enum tmon_rc
verify_integrity(struct verify *v)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *text;
	char sql[64];
	enum tmon_rc rc = TMON_OK;
	int r;

	snprintf(sql, sizeof(sql), "PRAGMA integrity_check(%d)",
	    STORE_VERIFY_MAX_REPORTS);
	if ((r = sqlite3_prepare_v2(v->s->db, sql, -1, &st, NULL)) ==
	    SQLITE_OK)
		r = SQLITE_ROW;
	while (r == SQLITE_ROW && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((text = sqlite3_column_text(st, 0)) != NULL)
			integrity_lines(v, (const char *)text);
	}
	if (r != SQLITE_DONE && sql_damaged(r))
		problem(v, STORE_NO_SEQ, "integrity_check: %s",
		    sqlite3_errmsg(v->s->db));
	else if (r != SQLITE_DONE)
		rc = db_err(v->s, r, "integrity_check", v->err);
	sqlite3_finalize(st);
	return rc;
}

/* --- the tree and the checkpoints (store_verify) --- */

/* The deepest level a node of a tree below 2^63 leaves has. */
#define TREE_LEVELS	63

struct vtree {
	struct verify	*v;
	sqlite3_stmt	*cur[TREE_LEVELS];	/* tree rows by level, idx */
	enum tmon_rc	 rc;
	uint64_t	 bad_levels;		/* levels reported damaged */
};

/* The next stored node of a level, in idx order: 1 a row, 0 none left,
 * -1 an error (vt->rc set, or a problem recorded). */
static int
vtree_next(struct vtree *vt, unsigned level, uint64_t *idx, uint8_t h[32])
{
	struct verify *v = vt->v;
	sqlite3_stmt **st = &vt->cur[level];
	int r;

	if (*st == NULL) {
		if ((vt->rc = db_prepare(v->s, "SELECT idx, hash FROM tree "
		    "WHERE level = ?1 ORDER BY idx", st, v->err)) != TMON_OK)
			return -1;
		if ((r = sqlite3_bind_int(*st, 1, (int)level)) != SQLITE_OK) {
			vt->rc = db_err(v->s, r, "bind", v->err);
			return -1;
		}
	}
	r = sqlite3_step(*st);
	if (r == SQLITE_DONE)
		return 0;
	if (r != SQLITE_ROW) {
		if (sql_damaged(r))
			problem(v, STORE_NO_SEQ, "tree level %u cannot be read: "
			    "%s", level, sqlite3_errmsg(v->s->db));
		else
			vt->rc = db_err(v->s, r, "read tree", v->err);
		return -1;
	}
	if (sqlite3_column_int64(*st, 0) < 0 ||
	    sqlite3_column_bytes(*st, 1) != 32) {
		*idx = (uint64_t)sqlite3_column_int64(*st, 0);
		memset(h, 0, 32);
		return 1;
	}
	*idx = (uint64_t)sqlite3_column_int64(*st, 0);
	memcpy(h, sqlite3_column_blob(*st, 1), 32);
	return 1;
}

/* A node the recomputed tree completes (levels >= 1): the stored one must
 * be the next row of its level, with the same hash. */
static void
vtree_emit(void *arg, const struct tlog_node *node, const uint8_t hash[32])
{
	struct vtree *vt = arg;
	uint64_t idx, bit;
	uint8_t h[32];
	int r;

	if (node->level == 0 || vt->rc != TMON_OK)
		return;
	bit = UINT64_C(1) << node->level;
	if ((vt->bad_levels & bit) != 0)
		return;
	r = vtree_next(vt, node->level, &idx, h);
	if (r < 0)
		return;
	if (r == 0 || idx != node->index || CRYPTO_memcmp(h, hash, 32) != 0) {
		/* one report per level: the rows after it are out of step */
		vt->bad_levels |= bit;
		problem(vt->v, STORE_NO_SEQ, "tree node (%u, %"
		    PRIu64 ") %s the entries %" PRIu64 "..%" PRIu64 " under it",
		    node->level, node->index, r == 0 || idx != node->index ?
		    "is missing for" : "does not match",
		    node->index << node->level,
		    ((node->index + 1) << node->level) - 1);
	}
}

/* The next stored checkpoint, by size: 1, 0 none left, -1 error. */
static int
vtree_checkpoint(struct vtree *vt, sqlite3_stmt *st,
    struct store_checkpoint *c)
{
	struct verify *v = vt->v;
	int r = sqlite3_step(st);

	if (r == SQLITE_DONE)
		return 0;
	if (r != SQLITE_ROW) {
		vt->rc = db_err(v->s, r, "read checkpoints", v->err);
		return -1;
	}
	if (row_checkpoint(st, c, NULL) != TMON_OK) {
		problem(v, STORE_NO_SEQ, "checkpoint %lld is corrupt",
		    (long long)sqlite3_column_int64(st, 0));
		return vtree_checkpoint(vt, st, c);
	}
	return 1;
}

/* A stored checkpoint against the recomputed root of its size. */
static void
vtree_check_cp(struct vtree *vt, const struct store_checkpoint *c,
    const uint8_t root[32])
{
	struct verify *v = vt->v;
	char why[256];

	v->res->checkpoints++;
	v->res->last_checkpoint = c->size;
	if (CRYPTO_memcmp(root, c->root, 32) != 0) {
		problem(v, STORE_NO_SEQ, "checkpoint %" PRIu64 ": its root is "
		    "not the root of the first %" PRIu64 " entries (the log "
		    "changed after it was signed)", c->size, c->size);
		return;
	}
	why[0] = '\0';
	if (v->o->checkpoint != NULL &&
	    !v->o->checkpoint(v->o->arg, c, why, sizeof(why)))
		problem(v, STORE_NO_SEQ, "checkpoint %" PRIu64 ": %s", c->size,
		    why);
}

/*
 * Rebuild the tree from the stored leaf hashes (tree level 0, which
 * verify_entries compares with the bodies), compare every stored node
 * and every checkpoint's root, and the pinned checkpoint.
 */
static enum tmon_rc
verify_tree(struct verify *v)
{
	struct tlog_frontier f;
	struct store_checkpoint c;
	struct vtree vt;
	sqlite3_stmt *cps = NULL;
	uint8_t leaf[32], root[32];
	uint64_t idx, expect = 0;
	bool have_cp = false, pin_done = false;
	unsigned l;
	int r;

	memset(&vt, 0, sizeof(vt));
	memset(&c, 0, sizeof(c));
	vt.v = v;
	vt.rc = TMON_OK;
	tlog_frontier_init(&f);
	if ((vt.rc = db_prepare(v->s, "SELECT " CP_COLS " FROM checkpoints "
	    "ORDER BY size", &cps, v->err)) != TMON_OK)
		goto out;
	if ((r = vtree_checkpoint(&vt, cps, &c)) < 0)
		goto out;
	have_cp = r == 1;
	while ((r = vtree_next(&vt, 0, &idx, leaf)) == 1) {
		if (idx != expect) {
			problem(v, expect, "tree: leaf %" PRIu64 " is %s",
			    expect, idx > expect ? "missing" : "out of order");
			break;
		}
		if (!tlog_frontier_append(&f, leaf, vtree_emit, &vt))
			break;
		if (vt.rc != TMON_OK)
			goto out;
		expect++;
		v->res->tree_leaves = expect;
		while (have_cp && c.size <= expect) {
			if (c.size == expect) {
				tlog_frontier_root(&f, root);
				vtree_check_cp(&vt, &c, root);
			}
			store_checkpoint_free(&c);
			if ((r = vtree_checkpoint(&vt, cps, &c)) < 0)
				goto out;
			have_cp = r == 1;
		}
		if (v->o->has_pin && !pin_done && v->o->pin_size == expect) {
			pin_done = true;
			tlog_frontier_root(&f, root);
			if (CRYPTO_memcmp(root, v->o->pin_root, 32) != 0)
				problem(v, STORE_NO_SEQ, "the saved checkpoint "
				    "of size %" PRIu64 " does not match the log: "
				    "its first %" PRIu64 " entries changed since",
				    expect, expect);
		}
	}
	if (r < 0)
		goto out;
	if (expect != v->res->size)
		problem(v, expect < v->res->size ? expect : STORE_NO_SEQ,
		    "tree: %" PRIu64 " leaves for %" PRIu64 " entries", expect,
		    v->res->size);
	for (; have_cp; have_cp = vtree_checkpoint(&vt, cps, &c) == 1) {
		problem(v, STORE_NO_SEQ, "checkpoint %" PRIu64 " is larger "
		    "than the log (%" PRIu64 " entries): entries were removed",
		    c.size, expect);
		store_checkpoint_free(&c);
	}
	if (vt.rc != TMON_OK)
		goto out;
	if (v->o->has_pin && !pin_done)
		problem(v, STORE_NO_SEQ, "the saved checkpoint of size %" PRIu64
		    " is larger than the log (%" PRIu64 " entries): the log "
		    "was rolled back", v->o->pin_size, expect);
	/* Rows no leaf accounts for. */
	for (l = 1; l < TREE_LEVELS; l++) {
		if ((vt.bad_levels & (UINT64_C(1) << l)) != 0)
			continue;
		if ((r = vtree_next(&vt, l, &idx, root)) < 0)
			goto out;
		if (r == 1)
			problem(v, STORE_NO_SEQ, "tree node (%u, %" PRIu64 ") is "
			    "not part of the tree of %" PRIu64 " entries", l,
			    idx, expect);
	}
out:
	store_checkpoint_free(&c);
	sqlite3_finalize(cps);
	for (l = 0; l < TREE_LEVELS; l++)
		sqlite3_finalize(vt.cur[l]);
	return vt.rc;
}

/* --- the derived tables (store_verify) --- */

/*
 * Report each row sql answers as a problem: its first column is the
 * table ("models", "daily"), the second what is wrong, the third the
 * model, the fourth the day (daily) or NULL.
 */
static enum tmon_rc
verify_rows(struct verify *v, const char *sql, int64_t bind)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *t, *what, *model;
	char esc[MAX_MODEL_ID * 4];
	enum tmon_rc rc;
	int r;

	if ((rc = db_prepare(v->s, sql, &st, v->err)) != TMON_OK)
		return rc;
	if (sqlite3_bind_parameter_count(st) > 0 &&
	    (r = sqlite3_bind_int64(st, 1, bind)) != SQLITE_OK) {
		rc = db_err(v->s, r, "bind", v->err);
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		t = sqlite3_column_text(st, 0);
		what = sqlite3_column_text(st, 1);
		model = sqlite3_column_text(st, 2);
		if (model == NULL)
			snprintf(esc, sizeof(esc), "NULL");
		else
			log_esc(esc, sizeof(esc), (const char *)model,
			    (size_t)sqlite3_column_bytes(st, 2));
		if (sqlite3_column_type(st, 3) == SQLITE_NULL)
			problem(v, STORE_NO_SEQ, "%s: the row of model "
			    "\"%s\" %s", t != NULL ? (const char *)t : "?", esc,
			    what != NULL ? (const char *)what : "?");
		else
			problem(v, STORE_NO_SEQ, "%s: the row of model \"%s\", "
			    "day %lld %s", t != NULL ? (const char *)t : "?",
			    esc, (long long)sqlite3_column_int64(st, 3),
			    what != NULL ? (const char *)what : "?");
	}
	if (r != SQLITE_DONE && sql_damaged(r))
		problem(v, STORE_NO_SEQ, "derived tables: %s",
		    sqlite3_errmsg(v->s->db));
	else if (r != SQLITE_DONE) {
		rc = db_err(v->s, r, "read derived tables", v->err);
		goto out;
	}
	rc = TMON_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

/* The daily rows of one day (?1) recomputed from the probes of that day
 * (the time index), both ways. */
#define DAILY_DAY_CHECK \
	"WITH r AS (SELECT model AS model, time / 86400 AS day, " \
	"sum(verdict = 'pass') AS pass, sum(verdict = 'warn') AS warn, " \
	"sum(verdict = 'fail') AS fail, sum(verdict = 'error') AS error " \
	"FROM entries INDEXED BY entries_time WHERE time >= ?1 * 86400 " \
	"AND time < (?1 + 1) * 86400 AND kind = 'probe' AND " \
	"model IS NOT NULL GROUP BY model), " \
	"d AS (SELECT " DAILY_COLS " FROM daily WHERE day = ?1) " \
	"SELECT 'daily', 'is not what the probes of that day give', " \
	"model, day FROM (SELECT * FROM d EXCEPT SELECT * FROM r) " \
	"UNION ALL SELECT 'daily', 'is missing', model, day FROM " \
	"(SELECT model, day FROM r EXCEPT SELECT model, day FROM d)"

/*
 * The models and daily tables against the entries (store.h,
 * store_verify): recomputed in full, or, for a tail, looked up in the
 * indexes (models) and recomputed for the days the tail's probes fall
 * on (daily).
 */
static enum tmon_rc
verify_derived(struct verify *v, uint64_t first)
{
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	int r;

	if (first == 0) {
		if ((rc = verify_rows(v, "WITH r (" MODELS_COLS ") AS ("
		    DERIVE_MODELS_SELECT
		    "), m AS (SELECT " MODELS_COLS " FROM models) "
		    "SELECT 'models', 'is not what the entries give', model, "
		    "NULL FROM (SELECT * FROM m EXCEPT SELECT * FROM r) "
		    "UNION ALL SELECT 'models', 'is missing', model, NULL "
		    "FROM (SELECT model FROM r EXCEPT SELECT model FROM m)",
		    0)) != TMON_OK)
			return rc;
		return verify_rows(v, "WITH r (" DAILY_COLS ") AS ("
		    DERIVE_DAILY_SELECT
		    "), d AS (SELECT " DAILY_COLS " FROM daily) "
		    "SELECT 'daily', 'is not what the probes give', model, day "
		    "FROM (SELECT * FROM d EXCEPT SELECT * FROM r) "
		    "UNION ALL SELECT 'daily', 'is missing', model, day FROM "
		    "(SELECT model, day FROM r EXCEPT SELECT model, day FROM "
		    "d)", 0);
	}
	/* Each models row from the indexes: O(models * log n). */
	if ((rc = verify_rows(v, "SELECT 'models', 'is not what the "
	    "entries give', model, NULL FROM models AS m WHERE "
	    "first_seq IS NOT min("
	    " coalesce((SELECT min(seq) FROM entries WHERE kind = 'probe' AND"
	    "  model = m.model), 9223372036854775807),"
	    " coalesce((SELECT min(seq) FROM entries WHERE kind = 'event' AND"
	    "  model = m.model), 9223372036854775807)) "
	    "OR last_probe_seq IS NOT (SELECT max(seq) FROM entries WHERE "
	    " kind = 'probe' AND model = m.model) "
	    "OR last_pass_seq IS NOT (SELECT max(seq) FROM entries WHERE "
	    " kind = 'probe' AND model = m.model AND verdict = 'pass') "
	    "OR last_event_seq IS NOT (SELECT max(seq) FROM entries WHERE "
	    " kind = 'event' AND model = m.model) "
	    "OR probes IS NOT (SELECT coalesce(sum(pass + warn + fail + "
	    " error), 0) FROM daily WHERE model = m.model) + (SELECT count(*) "
	    " FROM entries WHERE kind = 'probe' AND model = m.model AND "
	    " verdict IS NULL) "
	    "UNION ALL SELECT 'daily', 'has no models row', model, NULL FROM "
	    "(SELECT DISTINCT model FROM daily EXCEPT SELECT model FROM "
	    "models)", 0)) != TMON_OK)
		return rc;
	/* The days the tail's probes fall on, recomputed. */
	if ((rc = db_prepare(v->s, "SELECT DISTINCT time / 86400 FROM entries "
	    "WHERE seq >= ?1 AND kind = 'probe' AND model IS NOT NULL", &st,
	    v->err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_bind_int64(st, 1, (sqlite3_int64)first)) !=
	    SQLITE_OK) {
		rc = db_err(v->s, r, "bind", v->err);
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = verify_rows(v, DAILY_DAY_CHECK,
		    sqlite3_column_int64(st, 0))) != TMON_OK)
			goto out;
	if (r != SQLITE_DONE && sql_damaged(r))
		problem(v, STORE_NO_SEQ, "entries: %s",
		    sqlite3_errmsg(v->s->db));
	else if (r != SQLITE_DONE) {
		rc = db_err(v->s, r, "read entries", v->err);
		goto out;
	}
	rc = TMON_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Run the checks in one read transaction. */
static enum tmon_rc
verify_run(struct verify *v, uint64_t tail)
{
	struct store_verify_result *res = v->res;
	enum tmon_rc rc;

	memset(res, 0, sizeof(*res));
	res->first_bad_seq = STORE_NO_SEQ;
	if ((rc = db_exec(v->s, "BEGIN", "begin verify", v->err)) != TMON_OK)
		return rc;
	if (v->full && (v->o->flags & STORE_VERIFY_BLOBS))
		rc = verify_blobs(v);
	if (rc == TMON_OK)
		rc = verify_entries(v, tail);
	if (rc == TMON_OK && (v->o->flags & STORE_VERIFY_NO_TREE) == 0)
		rc = verify_tree(v);
	if (rc == TMON_OK && v->full &&
	    (v->o->flags & STORE_VERIFY_NO_TREE) == 0)
		rc = verify_derived(v, v->o->end == 0 && tail != 0 &&
		    res->size > tail ? res->size - tail : 0);
	if (rc == TMON_OK && v->full &&
	    (v->o->flags & STORE_VERIFY_INTEGRITY))
		rc = verify_integrity(v);
	sqlite3_finalize(v->blob_st);
	v->blob_st = NULL;
	sqlite3_finalize(v->leaf_st);
	v->leaf_st = NULL;
	free(v->bad);
	v->bad = NULL;
	v->nbad = 0;
	rollback(v->s);
	if (rc == TMON_OK && res->problems > 0)
		rc = TMON_E_PARSE;
	return rc;
}

enum tmon_rc
store_verify(struct store *s, const struct store_verify_opts *o,
    struct store_verify_result *res, struct tmon_err *err)
{
	struct store_verify_result r;
	struct verify v;

	memset(&v, 0, sizeof(v));
	v.s = s;
	v.o = o;
	v.res = res != NULL ? res : &r;
	v.err = err;
	v.full = (o->flags & STORE_VERIFY_HASHES) == 0;
	return verify_run(&v, o->tail);
}

enum tmon_rc
store_verify_chain(struct store *s, uint64_t *size, uint8_t head[32],
    struct tmon_err *err)
{
	struct store_verify_opts o;
	struct store_verify_result r;
	struct verify v;
	enum tmon_rc rc;

	memset(&o, 0, sizeof(o));
	memset(&v, 0, sizeof(v));
	v.s = s;
	v.o = &o;
	v.res = &r;
	v.err = err;
	if ((rc = verify_run(&v, 0)) != TMON_OK)
		return rc;
	if (size != NULL)
		*size = r.size;
	if (head != NULL)
		memcpy(head, r.head, 32);
	return TMON_OK;
}
