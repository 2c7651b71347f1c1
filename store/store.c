/*
 * store.c: the append-only, hash-chained log in SQLite (store.h,
 * design.md section 4).
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

/*
 * Prepared statements kept per handle, keyed by their SQL text, so the hot
 * paths (appends, lookups, list queries) do not parse SQL again on every
 * call.  A statement is lent to one caller at a time (busy); a nested use
 * of the same SQL gets a private statement that is finalized after use.
 */
#define STORE_STMT_CACHE	16

struct stmt_slot {
	char		*sql;
	sqlite3_stmt	*st;
	bool		 busy;
	uint64_t	 used;		/* for least-recently-used eviction */
};

struct store {
	sqlite3		*db;
	enum store_mode	 mode;
	int		 version;
	void		(*hook)(void *, uint64_t);
	void		*hook_arg;
	struct stmt_slot cache[STORE_STMT_CACHE];
	uint64_t	 tick;
	/* the file opened (store_check_file); have_id false: not known */
	bool		 have_id;
	dev_t		 dev;
	ino_t		 ino;
};

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
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
    STORE_SCHEMA_VERSION, "one migration step per schema version");

#define ENTRY_COLS \
	"seq, time, kind, model, verdict, body, leaf_hash, chain_hash"
#define ENTRY_COLS_E \
	"e.seq, e.time, e.kind, e.model, e.verdict, e.body, e.leaf_hash, " \
	"e.chain_hash"

static const char *const kinds[] = { "probe", "receipt", "collateral",
    "alert" };
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

static void
hash_fail(void)
{
	log_crypto_warnx("store: sha-256 failed");
	fatalx("store: cannot hash");
}

void
store_leaf_hash(const uint8_t *body, size_t len, uint8_t leaf[32])
{
	static const uint8_t zero = 0x00;
	EVP_MD_CTX *ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		hash_fail();
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, &zero, 1) != 1 ||
	    EVP_DigestUpdate(ctx, body, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, leaf, NULL) != 1)
		hash_fail();
	EVP_MD_CTX_free(ctx);
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
	return m != NULL && ascii_ok(m, MAX_MODEL_ID, 0x21);
}

bool
store_media_type_valid(const char *t)
{
	return t != NULL && ascii_ok(t, MAX_MEDIA_TYPE, 0x20);
}

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
	sqlite3_stmt *st = NULL;
	const unsigned char *jm;
	enum tmon_rc rc = TMON_E_INTERNAL;
	int flags, r, uv = 0, app = 0, on = 0;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return tmon_err_set(err, TMON_E_CONFIG, "store: no path");
	s = xcalloc(1, sizeof(*s));
	s->mode = mode;
	flags = SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE;
	if (mode == STORE_RW)
		flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	else
		flags |= SQLITE_OPEN_READONLY;
	r = sqlite3_open_v2(path, &s->db, flags, NULL);
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
		    "store: %s: application_id 0x%08x: not a tmon database",
		    path, (unsigned)app);
		goto out;
	}
	if (uv > STORE_SCHEMA_VERSION) {
		rc = tmon_err_set(err, TMON_E_UNSUPPORTED,
		    "store: %s: database schema version %d is newer than this "
		    "tmon understands (%d); upgrade tmon", path, uv,
		    STORE_SCHEMA_VERSION);
		goto out;
	}
	if (mode == STORE_RO) {
		if (uv != STORE_SCHEMA_VERSION) {
			rc = tmon_err_set(err, TMON_E_UNSUPPORTED,
			    "store: %s: database schema version %d, need %d; "
			    "open it read-write once to migrate", path, uv,
			    STORE_SCHEMA_VERSION);
			goto out;
		}
	} else {
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

void
store_set_append_hook(struct store *s, void (*hook)(void *, uint64_t),
    void *arg)
{
	s->hook = hook;
	s->hook_arg = arg;
}

static enum tmon_rc
check_inputs(const struct store_blob_in *blobs, size_t nblobs,
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

static enum tmon_rc
put_entries(struct store *s, const struct store_entry_in *entries, size_t n,
    struct store_appended *res, struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	const struct store_entry_in *e;
	uint8_t prev[32];
	uint64_t seq = 0;
	enum tmon_rc rc;
	size_t i;
	int r;

	if (n == 0)
		return TMON_OK;
	if ((rc = log_tail(s, &seq, prev, err)) != TMON_OK)
		return rc;
	if ((rc = stmt_get(s, "INSERT INTO entries (" ENTRY_COLS ") "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st, err)) != TMON_OK)
		return rc;
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
		    SQLITE_STATIC)) != SQLITE_OK) {
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
		if (s->hook != NULL)
			s->hook(s->hook_arg, seq);
	}
	rc = TMON_OK;
out:
	stmt_put(s, st);
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
	if ((rc = check_inputs(blobs, nblobs, entries, n, err)) != TMON_OK)
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

/* Fill e from a row whose columns are ENTRY_COLS. */
static enum tmon_rc
row_entry(sqlite3_stmt *st, struct store_entry *e, struct tmon_err *err)
{
	const unsigned char *kind;
	const void *body, *leaf, *chain;
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
	e->body = xmemdup(body, (size_t)bodylen);
	e->body_len = (size_t)bodylen;
	memcpy(e->leaf, leaf, 32);
	memcpy(e->chain, chain, 32);
	return TMON_OK;
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
	if ((rc = row_entry(st, &e, err)) != TMON_OK)
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
		if ((rc = row_entry(st, &e, err)) != TMON_OK)
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

enum tmon_rc
store_query(struct store *s, const struct store_query *q,
    int (*cb)(const struct store_entry *, void *), void *arg,
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	char sql[512] = "SELECT " ENTRY_COLS " FROM entries WHERE 1";
	enum tmon_rc rc;
	int r = SQLITE_OK;

	/* Bounds that no seq can satisfy. */
	if (q->before_seq == 0 ||
	    (q->after_seq != UINT64_MAX && q->after_seq >= INT64_MAX))
		return TMON_OK;
	/* Only fixed fragments go into the SQL text; values are bound. */
	if (q->kind != NULL)
		sql_add(sql, sizeof(sql), " AND kind = ?1");
	if (q->model != NULL)
		sql_add(sql, sizeof(sql), " AND model = ?2");
	if (q->verdict != NULL && q->verdict_alt != NULL)
		sql_add(sql, sizeof(sql), " AND verdict IN (?3, ?4)");
	else if (q->verdict != NULL)
		sql_add(sql, sizeof(sql), " AND verdict = ?3");
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
	if ((rc = stmt_get(s, sql, &st, err)) != TMON_OK)
		return rc;
	if (q->kind != NULL)
		r = sqlite3_bind_text(st, 1, q->kind, -1, SQLITE_STATIC);
	if (r == SQLITE_OK && q->model != NULL)
		r = sqlite3_bind_text(st, 2, q->model, -1, SQLITE_STATIC);
	if (r == SQLITE_OK && q->verdict != NULL)
		r = sqlite3_bind_text(st, 3, q->verdict, -1, SQLITE_STATIC);
	if (r == SQLITE_OK && q->verdict != NULL && q->verdict_alt != NULL)
		r = sqlite3_bind_text(st, 4, q->verdict_alt, -1,
		    SQLITE_STATIC);
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
		rc = db_err(s, r, "bind query", err);
		goto out;
	}
	rc = run_rows(s, st, cb, arg, err);
out:
	stmt_put(s, st);
	return rc;
}

enum tmon_rc
store_latest_per_model(struct store *s, const char *kind,
    int (*cb)(const struct store_entry *, void *), void *arg,
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	enum tmon_rc rc;
	int r;

	if (kind == NULL)
		return tmon_err_set(err, TMON_E_PARSE, "store: no kind");
	if ((rc = stmt_get(s, "SELECT " ENTRY_COLS_E " FROM entries AS e "
	    "JOIN (SELECT max(seq) AS ms FROM entries "
	    "WHERE kind = ?1 AND model IS NOT NULL GROUP BY model) AS l "
	    "ON e.seq = l.ms ORDER BY e.model", &st, err)) != TMON_OK)
		return rc;
	if ((r = sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		rc = db_err(s, r, "bind", err);
		goto out;
	}
	rc = run_rows(s, st, cb, arg, err);
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
	uint8_t got[32];
	char *mt = NULL;
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
	if (p == NULL && n == 0)
		p = "";
	if (p == NULL || n < 0 || (sqlite3_int64)n != reclen ||
	    (size_t)n > MAX_BLOB_LEN) {
		rc = tmon_err_set(err, TMON_E_PARSE,
		    "store: blob length does not match its record");
		goto out;
	}
	sha256(p, (size_t)n, got);
	if (CRYPTO_memcmp(got, key, 32) != 0) {
		rc = tmon_err_set(err, TMON_E_PARSE,
		    "store: blob bytes do not hash to their key");
		goto out;
	}
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

enum tmon_rc
store_verify_chain(struct store *s, uint64_t *size, uint8_t head[32],
    struct tmon_err *err)
{
	sqlite3_stmt *st = NULL;
	const void *body, *leaf, *chain;
	uint8_t prev[32], want_leaf[32], want_chain[32];
	uint64_t expect = 0;
	sqlite3_int64 seq;
	enum tmon_rc rc;
	int r, bodylen;

	memset(prev, 0, sizeof(prev));
	if ((rc = db_prepare(s, "SELECT seq, body, leaf_hash, chain_hash "
	    "FROM entries ORDER BY seq ASC", &st, err)) != TMON_OK)
		return rc;
	for (;;) {
		r = sqlite3_step(st);
		if (r == SQLITE_DONE)
			break;
		if (r != SQLITE_ROW) {
			rc = db_err(s, r, "read entries", err);
			goto out;
		}
		seq = sqlite3_column_int64(st, 0);
		if (seq < 0 || (uint64_t)seq != expect) {
			rc = tmon_err_set_at(err, TMON_E_PARSE, expect,
			    "store: chain: entry %" PRIu64 " missing "
			    "(next seq is %lld)", expect, (long long)seq);
			goto out;
		}
		body = sqlite3_column_blob(st, 1);
		bodylen = sqlite3_column_bytes(st, 1);
		leaf = sqlite3_column_blob(st, 2);
		if (sqlite3_column_bytes(st, 2) != 32)
			leaf = NULL;
		chain = sqlite3_column_blob(st, 3);
		if (sqlite3_column_bytes(st, 3) != 32)
			chain = NULL;
		if (body == NULL)
			body = "";
		store_leaf_hash(body, (size_t)(bodylen > 0 ? bodylen : 0),
		    want_leaf);
		if (leaf == NULL || CRYPTO_memcmp(leaf, want_leaf, 32) != 0) {
			rc = tmon_err_set_at(err, TMON_E_PARSE, expect,
			    "store: chain: entry %" PRIu64 ": leaf hash does "
			    "not match the body", expect);
			goto out;
		}
		store_chain_hash(prev, want_leaf, want_chain);
		if (chain == NULL ||
		    CRYPTO_memcmp(chain, want_chain, 32) != 0) {
			rc = tmon_err_set_at(err, TMON_E_PARSE, expect,
			    "store: chain: entry %" PRIu64 ": chain hash does "
			    "not match", expect);
			goto out;
		}
		memcpy(prev, want_chain, 32);
		expect++;
	}
	if (size != NULL)
		*size = expect;
	if (head != NULL)
		memcpy(head, prev, 32);
	rc = TMON_OK;
out:
	sqlite3_finalize(st);
	return rc;
}
