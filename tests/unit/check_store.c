/*
 * Unit tests for store/: the append-only hash-chained log.
 *
 * Expected hashes are computed here with OpenSSL's SHA256() directly
 * (README "The log"), never with the store's own helpers.  Tampering
 * goes through a raw sqlite3 connection, as an attacker with the file
 * would.
 */
#include <sys/stat.h>
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "store.h"
#include "tmon_limits.h"

static char dir[64];
static char dbpath[128];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tmon-check-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/log.db", dir);
}

static void
teardown(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[160];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]);
		(void)unlink(p);
	}
	(void)rmdir(dir);
}

/* Run sql on a raw connection (no defensive mode); returns the sqlite rc. */
static int
raw_exec(const char *sql)
{
	sqlite3 *db = NULL;
	int r;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	r = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return r;
}

/* The single integer that sql answers, on a raw connection. */
static int64_t
raw_int(const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* leaf = SHA-256(0x00 || body), independently of the store. */
static void
want_leaf(const char *body, uint8_t out[32])
{
	unsigned char buf[512];
	size_t n = strlen(body);

	ck_assert_uint_lt(n + 1, sizeof(buf));
	buf[0] = 0x00;
	memcpy(buf + 1, body, n);
	SHA256(buf, n + 1, out);
}

/* chain = SHA-256(prev || leaf). */
static void
want_chain(const uint8_t prev[32], const uint8_t leaf[32], uint8_t out[32])
{
	unsigned char buf[64];

	memcpy(buf, prev, 32);
	memcpy(buf + 32, leaf, 32);
	SHA256(buf, 64, out);
}

static struct store *
open_rw(void)
{
	struct store *s = NULL;
	struct tmon_err err = { 0 };

	ck_assert_msg(store_open(dbpath, STORE_RW, &s, &err) == TMON_OK,
	    "%s", err.msg);
	ck_assert_ptr_nonnull(s);
	return s;
}

static struct store *
open_ro(void)
{
	struct store *s = NULL;
	struct tmon_err err = { 0 };

	ck_assert_msg(store_open(dbpath, STORE_RO, &s, &err) == TMON_OK,
	    "%s", err.msg);
	ck_assert_ptr_nonnull(s);
	return s;
}

static const char *const bodies[] = {
	"{\"kind\":\"probe\",\"model\":\"TEE/a\",\"time\":1000,"
	    "\"verdict\":\"pass\"}",
	"{\"kind\":\"probe\",\"model\":\"TEE/b\",\"time\":1010,"
	    "\"verdict\":\"fail\"}",
	"{\"kind\":\"alert\",\"model\":\"TEE/b\",\"time\":1020}",
	"{\"kind\":\"probe\",\"model\":\"TEE/a\",\"time\":1030,"
	    "\"verdict\":\"error\"}",
	"{\"kind\":\"receipt\",\"time\":1040,\"verdict\":\"pass\"}",
	"{\"kind\":\"probe\",\"model\":\"TEE/b\",\"time\":1050,"
	    "\"verdict\":\"warn\"}",
};
static const char *const b_kind[] = { "probe", "probe", "alert", "probe",
    "receipt", "probe" };
static const char *const b_model[] = { "TEE/a", "TEE/b", "TEE/b", "TEE/a",
    NULL, "TEE/b" };
static const char *const b_verdict[] = { "pass", "fail", NULL, "error",
    "pass", "warn" };
#define NBODIES (sizeof(bodies) / sizeof(bodies[0]))

static void
fill_in(struct store_entry_in *in, size_t i)
{
	memset(in, 0, sizeof(*in));
	in->kind = b_kind[i];
	in->time = 1000 + (int64_t)i * 10;
	in->model = b_model[i];
	in->verdict = b_verdict[i];
	in->body = (const uint8_t *)bodies[i];
	in->body_len = strlen(bodies[i]);
}

/* Append bodies[from..to) one call at a time or in one call. */
static void
append_range(struct store *s, size_t from, size_t to, bool batch)
{
	struct store_entry_in in[NBODIES];
	struct store_appended out[NBODIES];
	struct tmon_err err = { 0 };
	size_t i;

	memset(in, 0, sizeof(in));
	for (i = from; i < to; i++)
		fill_in(&in[i - from], i);
	if (batch) {
		ck_assert_msg(store_append(s, NULL, 0, in, to - from, out,
		    &err) == TMON_OK, "%s", err.msg);
		for (i = from; i < to; i++)
			ck_assert_uint_eq(out[i - from].seq, i);
	} else {
		for (i = from; i < to; i++) {
			ck_assert_msg(store_append(s, NULL, 0, &in[i - from],
			    1, &out[0], &err) == TMON_OK, "%s", err.msg);
			ck_assert_uint_eq(out[0].seq, i);
		}
	}
}

START_TEST(test_append_read_back)
{
	struct store *s = open_rw();
	struct store_entry_in in[3];
	struct store_appended out[3];
	struct store_entry e;
	struct tmon_err err = { 0 };
	uint8_t prev[32] = { 0 }, leaf[32], chain[32], head[32];
	uint64_t size = 99;
	size_t i;

	for (i = 0; i < 3; i++)
		fill_in(&in[i], i);
	ck_assert_int_eq(store_append(s, NULL, 0, in, 3, out, &err), TMON_OK);
	append_range(s, 3, NBODIES, false);
	for (i = 0; i < NBODIES; i++) {
		want_leaf(bodies[i], leaf);
		want_chain(prev, leaf, chain);
		if (i < 3) {
			ck_assert_uint_eq(out[i].seq, i);
			ck_assert_mem_eq(out[i].leaf, leaf, 32);
			ck_assert_mem_eq(out[i].chain, chain, 32);
		}
		memset(&e, 0, sizeof(e));
		ck_assert_int_eq(store_entry_get(s, i, &e, &err), TMON_OK);
		ck_assert_uint_eq(e.seq, i);
		ck_assert_int_eq(e.time, 1000 + (int64_t)i * 10);
		ck_assert_str_eq(e.kind, b_kind[i]);
		if (b_model[i] == NULL)
			ck_assert_ptr_null(e.model);
		else
			ck_assert_str_eq(e.model, b_model[i]);
		if (b_verdict[i] == NULL)
			ck_assert_ptr_null(e.verdict);
		else
			ck_assert_str_eq(e.verdict, b_verdict[i]);
		ck_assert_uint_eq(e.body_len, strlen(bodies[i]));
		ck_assert_mem_eq(e.body, bodies[i], e.body_len);
		ck_assert_mem_eq(e.leaf, leaf, 32);
		ck_assert_mem_eq(e.chain, chain, 32);
		store_entry_free(&e);
		memcpy(prev, chain, 32);
	}
	ck_assert_int_eq(store_entry_get(s, NBODIES, &e, &err),
	    TMON_E_NOTFOUND);
	ck_assert_int_eq(store_entry_get(s, UINT64_MAX, &e, &err),
	    TMON_E_NOTFOUND);
	ck_assert_int_eq(store_verify_chain(s, &size, head, &err), TMON_OK);
	ck_assert_uint_eq(size, NBODIES);
	ck_assert_mem_eq(head, prev, 32);
	store_close(s);

	/* The same from a read-only handle, after a reopen. */
	s = open_ro();
	ck_assert_int_eq(store_verify_chain(s, &size, head, &err), TMON_OK);
	ck_assert_uint_eq(size, NBODIES);
	ck_assert_mem_eq(head, prev, 32);
	ck_assert_int_eq(store_append(s, NULL, 0, in, 1, out, &err),
	    TMON_E_UNSUPPORTED);
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), NBODIES);
}
END_TEST

START_TEST(test_empty_log)
{
	struct store *s = open_rw();
	struct tmon_err err = { 0 };
	uint8_t head[32], zero[32] = { 0 };
	uint64_t size = 7;

	memset(head, 0xaa, sizeof(head));
	ck_assert_int_eq(store_verify_chain(s, &size, head, &err), TMON_OK);
	ck_assert_uint_eq(size, 0);
	ck_assert_mem_eq(head, zero, 32);
	ck_assert_int_eq(store_append(s, NULL, 0, NULL, 0, NULL, &err),
	    TMON_OK);
	store_close(s);
	store_close(NULL);
}
END_TEST

static void
tamper_setup(void)
{
	struct store *s = open_rw();

	append_range(s, 0, NBODIES, true);
	store_close(s);
}

static void
expect_chain_fail(uint64_t seq, const char *what)
{
	struct store *s = open_ro();
	struct tmon_err err = { 0 };

	ck_assert_int_eq(store_verify_chain(s, NULL, NULL, &err),
	    TMON_E_PARSE);
	ck_assert_uint_eq(err.offset, seq);
	ck_assert_msg(strstr(err.msg, what) != NULL, "%s", err.msg);
	store_close(s);
}

START_TEST(test_tamper_body)
{
	tamper_setup();
	ck_assert_int_eq(raw_exec("DROP TRIGGER entries_no_update"),
	    SQLITE_OK);
	/* Five bytes changed: error -> ERROR. */
	ck_assert_int_eq(raw_exec("UPDATE entries SET body = CAST(replace("
	    "CAST(body AS TEXT), 'error', 'ERROR') AS BLOB) WHERE seq = 3"),
	    SQLITE_OK);
	expect_chain_fail(3, "leaf");
}
END_TEST

START_TEST(test_tamper_leaf_and_body)
{
	uint8_t leaf[32];
	char sql[256], hex[65];
	size_t i;

	tamper_setup();
	/* A consistent new body + leaf still breaks the chain at that seq. */
	want_leaf("{\"forged\":1}", leaf);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", leaf[i]);
	snprintf(sql, sizeof(sql), "DROP TRIGGER entries_no_update; "
	    "UPDATE entries SET body = CAST('{\"forged\":1}' AS BLOB), "
	    "leaf_hash = X'%s' WHERE seq = 1", hex);
	ck_assert_int_eq(raw_exec(sql), SQLITE_OK);
	expect_chain_fail(1, "chain");
}
END_TEST

START_TEST(test_tamper_gap)
{
	tamper_setup();
	ck_assert_int_eq(raw_exec("DROP TRIGGER entries_no_delete; "
	    "DELETE FROM entries WHERE seq = 4"), SQLITE_OK);
	expect_chain_fail(4, "missing");
}
END_TEST

START_TEST(test_tamper_truncated_hash)
{
	tamper_setup();
	/* The CHECK constraint refuses a short hash even without triggers. */
	ck_assert_int_ne(raw_exec("DROP TRIGGER entries_no_update; "
	    "UPDATE entries SET chain_hash = X'00' WHERE seq = 0"), SQLITE_OK);
	ck_assert_int_eq(raw_int("SELECT length(chain_hash) FROM entries "
	    "WHERE seq = 0"), 32);
}
END_TEST

START_TEST(test_update_delete_refused)
{
	struct store *s;
	struct tmon_err err = { 0 };
	uint64_t size;

	tamper_setup();
	ck_assert_int_eq(raw_exec("UPDATE entries SET verdict = 'pass' "
	    "WHERE seq = 1"), SQLITE_CONSTRAINT);
	ck_assert_int_eq(raw_exec("UPDATE entries SET time = 0"),
	    SQLITE_CONSTRAINT);
	ck_assert_int_eq(raw_exec("DELETE FROM entries WHERE seq = 5"),
	    SQLITE_CONSTRAINT);
	ck_assert_int_eq(raw_exec("DELETE FROM entries"), SQLITE_CONSTRAINT);
	/* An insert that skips a seq, or rewrites one, is refused too. */
	ck_assert_int_eq(raw_exec("INSERT INTO entries VALUES (9, 1, 'probe',"
	    " NULL, NULL, X'7b7d', zeroblob(32), zeroblob(32))"),
	    SQLITE_CONSTRAINT);
	ck_assert_int_ne(raw_exec("INSERT OR REPLACE INTO entries VALUES (2, 1,"
	    " 'probe', NULL, NULL, X'7b7d', zeroblob(32), zeroblob(32))"),
	    SQLITE_OK);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), NBODIES);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries WHERE "
	    "verdict = 'fail'"), 1);
	s = open_ro();
	ck_assert_int_eq(store_verify_chain(s, &size, NULL, &err), TMON_OK);
	ck_assert_uint_eq(size, NBODIES);
	store_close(s);
}
END_TEST

static const uint8_t blob_a[] = "raw attestation response bytes \x00\x01\xff";

START_TEST(test_append_bad_input_leaves_nothing)
{
	struct store *s = open_rw();
	struct store_entry_in in[3];
	struct store_blob_in b = { blob_a, sizeof(blob_a), "application/json" };
	struct store_appended out[3];
	struct tmon_err err = { 0 };
	size_t i;

	append_range(s, 0, 2, true);
	for (i = 0; i < 3; i++)
		fill_in(&in[i], 2 + i);
	in[1].body = NULL;
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, &err),
	    TMON_E_PARSE);
	ck_assert_uint_eq(err.offset, 1);
	in[1].body = (const uint8_t *)bodies[3];
	in[1].body_len = 0;
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, NULL),
	    TMON_E_PARSE);
	in[1].body_len = MAX_ENTRY_BODY + 1;
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, NULL),
	    TMON_E_LIMIT);
	fill_in(&in[1], 3);
	in[2].kind = "probes";
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, NULL),
	    TMON_E_PARSE);
	in[2].kind = "probe";
	in[2].verdict = "ok";
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, NULL),
	    TMON_E_PARSE);
	in[2].verdict = NULL;
	in[2].model = "TEE/with space";
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, NULL),
	    TMON_E_PARSE);
	in[2].model = "";
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, NULL),
	    TMON_E_PARSE);
	in[2].model = NULL;
	in[2].time = -1;
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, NULL),
	    TMON_E_PARSE);
	in[2].time = 5;
	b.media_type = "text/html\r\nX-Injected: 1";
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, NULL),
	    TMON_E_PARSE);
	b.media_type = NULL;
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, NULL),
	    TMON_E_PARSE);
	b.media_type = "application/json";
	b.len = MAX_BLOB_LEN + 1;
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, NULL),
	    TMON_E_LIMIT);
	b.len = sizeof(blob_a);
	ck_assert_int_eq(store_append(s, &b, 1, in, MAX_APPEND_ENTRIES + 1,
	    out, NULL), TMON_E_LIMIT);
	ck_assert_int_eq(store_append(s, &b, MAX_APPEND_BLOBS + 1, in, 3,
	    out, NULL), TMON_E_LIMIT);
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), 2);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM blobs"), 0);
}
END_TEST

START_TEST(test_append_fails_part_way)
{
	struct store *s = open_rw();
	struct store_entry_in in[3];
	struct store_blob_in b = { blob_a, sizeof(blob_a), "application/json" };
	struct store_appended out[3];
	struct tmon_err err = { 0 };
	uint8_t head[32], head2[32];
	uint64_t size;
	size_t i;

	append_range(s, 0, 3, true);
	ck_assert_int_eq(store_verify_chain(s, &size, head, &err), TMON_OK);
	/* The second insert of the batch fails inside the transaction. */
	ck_assert_int_eq(raw_exec("CREATE TRIGGER inject BEFORE INSERT ON "
	    "entries WHEN NEW.seq = 4 BEGIN SELECT RAISE(ABORT, 'injected');"
	    " END"), SQLITE_OK);
	for (i = 0; i < 3; i++)
		fill_in(&in[i], 3 + i);
	memset(out, 0x5a, sizeof(out));
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, &err), TMON_E_DB);
	ck_assert_msg(strstr(err.msg, "injected") != NULL, "%s", err.msg);
	ck_assert_uint_eq(err.offset, 1);
	ck_assert_uint_eq(out[0].seq, 0x5a5a5a5a5a5a5a5aULL);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), 3);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM blobs"), 0);
	ck_assert_int_eq(store_verify_chain(s, &size, head2, NULL), TMON_OK);
	ck_assert_uint_eq(size, 3);
	ck_assert_mem_eq(head, head2, 32);
	/* Once the fault is gone the same batch lands at seq 3, 4, 5. */
	ck_assert_int_eq(raw_exec("DROP TRIGGER inject"), SQLITE_OK);
	ck_assert_int_eq(store_append(s, &b, 1, in, 3, out, &err), TMON_OK);
	ck_assert_uint_eq(out[0].seq, 3);
	ck_assert_uint_eq(out[2].seq, 5);
	ck_assert_int_eq(store_verify_chain(s, &size, NULL, NULL), TMON_OK);
	ck_assert_uint_eq(size, 6);
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM blobs"), 1);
}
END_TEST

/* State for the reader-during-write hook. */
struct mid {
	struct store	*early;		/* opened before the write */
	uint64_t	 size_before;
	uint8_t		 head_before[32];
	int		 calls;
	int		 checked;
};

static int
count_cb(const struct store_entry *e, void *arg)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

static void
mid_hook(void *arg, uint64_t seq)
{
	struct mid *m = arg;
	struct store *late;
	struct store_query q;
	struct store_entry e;
	struct tmon_err err = { 0 };
	uint8_t head[32];
	uint64_t size;
	int n;

	m->calls++;
	if (seq != m->size_before + 1)
		return;
	/* One entry of the batch is in, the next not yet: look now. */
	late = open_ro();
	store_query_init(&q);
	n = 0;
	ck_assert_int_eq(store_query(m->early, &q, count_cb, &n, &err),
	    TMON_OK);
	ck_assert_int_eq(n, (int)m->size_before);
	n = 0;
	ck_assert_int_eq(store_query(late, &q, count_cb, &n, &err), TMON_OK);
	ck_assert_int_eq(n, (int)m->size_before);
	ck_assert_int_eq(store_entry_get(late, m->size_before, &e, &err),
	    TMON_E_NOTFOUND);
	ck_assert_int_eq(store_verify_chain(late, &size, head, &err),
	    TMON_OK);
	ck_assert_uint_eq(size, m->size_before);
	ck_assert_mem_eq(head, m->head_before, 32);
	ck_assert_int_eq(store_verify_chain(m->early, &size, head, &err),
	    TMON_OK);
	ck_assert_uint_eq(size, m->size_before);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"),
	    (int64_t)m->size_before);
	store_close(late);
	m->checked = 1;
}

START_TEST(test_reader_never_sees_partial)
{
	struct store *s = open_rw();
	struct store_entry_in in[3];
	struct store_appended out[3];
	struct tmon_err err = { 0 };
	struct mid m;
	uint64_t size;
	size_t i;

	memset(&m, 0, sizeof(m));
	append_range(s, 0, 2, true);
	m.early = open_ro();
	ck_assert_int_eq(store_verify_chain(m.early, &m.size_before,
	    m.head_before, &err), TMON_OK);
	store_set_append_hook(s, mid_hook, &m);
	for (i = 0; i < 3; i++)
		fill_in(&in[i], 2 + i);
	ck_assert_int_eq(store_append(s, NULL, 0, in, 3, out, &err), TMON_OK);
	ck_assert_int_eq(m.calls, 3);
	ck_assert_int_eq(m.checked, 1);
	/* After COMMIT the same early reader sees all of it. */
	ck_assert_int_eq(store_verify_chain(m.early, &size, NULL, &err),
	    TMON_OK);
	ck_assert_uint_eq(size, 5);
	store_close(m.early);
	store_close(s);
}
END_TEST

START_TEST(test_migrate_empty_file)
{
	struct store *s = NULL;
	struct tmon_err err = { 0 };
	FILE *f;

	/* A zero-byte file is an empty SQLite database. */
	ck_assert_ptr_nonnull(f = fopen(dbpath, "w"));
	fclose(f);
	/* Read-only says what it is, and never migrates it. */
	ck_assert_int_eq(store_open(dbpath, STORE_RO, &s, &err),
	    TMON_E_CONFIG);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err.msg, "empty file") != NULL, "%s", err.msg);
	s = open_rw();
	ck_assert_int_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
	store_close(s);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(raw_int("PRAGMA application_id"), 0x746d6f6e);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_schema WHERE "
	    "type = 'trigger' AND tbl_name = 'entries'"), 3);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_schema WHERE "
	    "type = 'index' AND name LIKE 'entries_%'"), 3);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM pragma_journal_mode "
	    "WHERE journal_mode = 'wal'"), 1);
	/* Reopening is idempotent, and read-only works now. */
	s = open_rw();
	append_range(s, 0, 1, true);
	store_close(s);
	s = open_ro();
	store_close(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), 1);
}
END_TEST

START_TEST(test_refuse_future_version)
{
	struct store *s = NULL;
	struct tmon_err err = { 0 };

	s = open_rw();
	append_range(s, 0, 1, true);
	store_close(s);
	s = NULL;
	ck_assert_int_eq(raw_exec("PRAGMA user_version = 2"), SQLITE_OK);
	ck_assert_int_eq(store_open(dbpath, STORE_RW, &s, &err),
	    TMON_E_UNSUPPORTED);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err.msg, "newer") != NULL, "%s", err.msg);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(store_open(dbpath, STORE_RO, &s, &err),
	    TMON_E_UNSUPPORTED);
	ck_assert_ptr_null(s);
	/* Untouched: still version 2 with its entry. */
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 2);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), 1);
}
END_TEST

START_TEST(test_refuse_foreign_db)
{
	struct store *s = NULL;
	struct tmon_err err = { 0 };
	FILE *f;

	ck_assert_int_eq(raw_exec("CREATE TABLE other (x)"), SQLITE_OK);
	ck_assert_int_eq(store_open(dbpath, STORE_RW, &s, &err),
	    TMON_E_CONFIG);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_schema"), 1);
	ck_assert_int_eq(raw_exec("PRAGMA application_id = 1234; "
	    "PRAGMA user_version = 1"), SQLITE_OK);
	ck_assert_int_eq(store_open(dbpath, STORE_RO, &s, &err),
	    TMON_E_CONFIG);
	teardown();
	setup();
	ck_assert_ptr_nonnull(f = fopen(dbpath, "w"));
	fputs("this is not an sqlite database, not at all, really.....\n", f);
	fputs("padding padding padding padding padding padding padding\n", f);
	fclose(f);
	ck_assert_int_eq(store_open(dbpath, STORE_RW, &s, &err), TMON_E_DB);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(store_open("/nonexistent/dir/x.db", STORE_RW, &s,
	    &err), TMON_E_DB);
	ck_assert_int_eq(store_open("", STORE_RW, &s, &err), TMON_E_CONFIG);
}
END_TEST

/*
 * The indexed columns are the body's members: a column edited in the file
 * (the hashed body untouched) is never read back, not even by a handle
 * that read the row before, and store_verify names its seq, in the whole
 * log and in a tail that reaches it.
 */
START_TEST(test_columns_match_body)
{
	struct store *s = open_rw();
	struct store_entry e;
	struct store_verify_opts o;
	struct store_verify_result res;
	struct tmon_err err = { 0 };
	const uint8_t *b1 = (const uint8_t *)bodies[1];
	char why[256];

	ck_assert(store_body_check("probe", 1010, "TEE/b", "fail", b1,
	    strlen(bodies[1]), why, sizeof(why)));
	ck_assert(!store_body_check("probe", 1010, "TEE/b", "pass", b1,
	    strlen(bodies[1]), why, sizeof(why)));
	ck_assert_str_eq(why, "column verdict is \"pass\", the body's is "
	    "\"fail\"");
	ck_assert(!store_body_check("probe", 1011, "TEE/b", "fail", b1,
	    strlen(bodies[1]), why, sizeof(why)));
	ck_assert_str_eq(why, "column time is 1011, the body's is 1010");
	ck_assert(!store_body_check("probe", 1010, NULL, "fail", b1,
	    strlen(bodies[1]), why, sizeof(why)));
	ck_assert_str_eq(why, "column model is NULL, the body's is \"TEE/b\"");
	ck_assert(!store_body_check("alert", 1010, "TEE/b", "fail", b1,
	    strlen(bodies[1]), why, sizeof(why)));
	ck_assert(!store_body_check("alert", 1020, "TEE/b", "warn",
	    (const uint8_t *)bodies[2], strlen(bodies[2]), why, sizeof(why)));
	ck_assert_str_eq(why, "column verdict is \"warn\", the body's is "
	    "missing");
	ck_assert(!store_body_check("probe", 1, NULL, NULL,
	    (const uint8_t *)"[1]", 3, why, sizeof(why)));
	ck_assert_str_eq(why, "the body is not a JSON object");

	append_range(s, 0, NBODIES, true);
	/* Read (and so remembered as checked) before the edit. */
	ck_assert_int_eq(store_entry_get(s, 1, &e, &err), TMON_OK);
	store_entry_free(&e);
	ck_assert_int_eq(store_entry_get(s, 1, &e, &err), TMON_OK);
	store_entry_free(&e);
	ck_assert_int_eq(raw_exec("DROP TRIGGER entries_no_update; "
	    "UPDATE entries SET verdict = 'pass' WHERE seq = 1"), SQLITE_OK);
	ck_assert_int_eq(store_entry_get(s, 1, &e, &err), TMON_E_PARSE);
	store_close(s);

	s = open_ro();
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(store_entry_get(s, 1, &e, &err), TMON_E_PARSE);
	ck_assert_uint_eq(err.offset, 1);
	ck_assert_str_eq(err.msg, "store: entry 1: column verdict is \"pass\", "
	    "the body's is \"fail\"");
	ck_assert_int_eq(store_entry_get(s, 2, &e, &err), TMON_OK);
	store_entry_free(&e);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(store_verify(s, &o, &res, &err), TMON_E_PARSE);
	ck_assert_uint_eq(res.first_bad_seq, 1);
	ck_assert_uint_eq(res.problems, 1);
	ck_assert_uint_eq(res.entries, NBODIES);
	/* The columns are not hashed: the chain alone still holds. */
	ck_assert_int_eq(store_verify_chain(s, NULL, NULL, NULL), TMON_OK);
	/* A tail of the last 4 (2..5) does not reach it; of 5 it does. */
	o.tail = NBODIES - 2;
	ck_assert_int_eq(store_verify(s, &o, &res, NULL), TMON_OK);
	ck_assert_uint_eq(res.first, 2);
	ck_assert_uint_eq(res.entries, NBODIES - 2);
	o.tail = NBODIES - 1;
	ck_assert_int_eq(store_verify(s, &o, &res, NULL), TMON_E_PARSE);
	ck_assert_uint_eq(res.first_bad_seq, 1);
	store_close(s);
}
END_TEST

static void
count_report(void *arg, uint64_t seq, const char *msg)
{
	(void)seq;
	(void)msg;
	(*(int *)arg)++;
}

/* Blobs named by an entry: re-hashed in a tail, looked up in the whole
 * log (where every blob is re-hashed); damaged or missing ones name the
 * entry. */
START_TEST(test_verify_blobs)
{
	static const char raw[] = "raw upstream bytes";
	struct store *s = open_rw();
	struct store_blob_in b = { (const uint8_t *)raw, sizeof(raw) - 1,
	    "application/json" };
	struct store_entry_in in;
	struct store_verify_opts o;
	struct store_verify_result res;
	struct tmon_err err = { 0 };
	uint8_t key[32];
	char body[256], hex[65];
	int reports = 0;
	size_t i;

	SHA256(b.data, b.len, key);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	snprintf(body, sizeof(body), "{\"kind\":\"receipt\",\"submitted\":"
	    "{\"sha256\":\"%s\"},\"time\":5,\"verdict\":\"pass\"}", hex);
	memset(&in, 0, sizeof(in));
	in.kind = "receipt";
	in.time = 5;
	in.verdict = "pass";
	in.body = (const uint8_t *)body;
	in.body_len = strlen(body);
	ck_assert_msg(store_append(s, &b, 1, &in, 1, NULL, &err) == TMON_OK,
	    "%s", err.msg);
	append_range(s, 1, NBODIES, false);
	memset(&o, 0, sizeof(o));
	o.flags = STORE_VERIFY_BLOBS | STORE_VERIFY_INTEGRITY;
	ck_assert_int_eq(store_verify(s, &o, &res, &err), TMON_OK);
	ck_assert_uint_eq(res.blobs, 1);
	ck_assert_uint_eq(res.entries, NBODIES);
	o.flags = 0;
	o.tail = NBODIES;
	ck_assert_int_eq(store_verify(s, &o, &res, &err), TMON_OK);
	ck_assert_uint_eq(res.blobs, 1);
	store_close(s);

	ck_assert_int_eq(raw_exec("DROP TRIGGER blobs_no_update; UPDATE blobs "
	    "SET data = CAST('raw upstream byteS' AS BLOB)"), SQLITE_OK);
	s = open_ro();
	o.report = count_report;
	o.arg = &reports;
	ck_assert_int_eq(store_verify(s, &o, &res, &err), TMON_E_PARSE);
	ck_assert_uint_eq(res.first_bad_seq, 0);
	ck_assert_msg(strstr(err.msg, "entry 0: submitted.sha256: blob") !=
	    NULL && strstr(err.msg, "do not hash") != NULL, "%s", err.msg);
	ck_assert_int_eq(reports, 1);
	o.flags = STORE_VERIFY_BLOBS;
	o.tail = 0;
	ck_assert_int_eq(store_verify(s, &o, &res, NULL), TMON_E_PARSE);
	ck_assert_uint_eq(res.problems, 2);	/* the blob, the entry */
	ck_assert_uint_eq(res.first_bad_seq, 0);
	ck_assert_int_eq(reports, 3);
	store_close(s);

	ck_assert_int_eq(raw_exec("DELETE FROM blobs"), SQLITE_OK);
	s = open_ro();
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(store_verify(s, &o, &res, &err), TMON_E_PARSE);
	ck_assert_msg(strstr(err.msg, "is missing") != NULL, "%s", err.msg);
	store_close(s);
}
END_TEST

/* A read-only open says what a file that is no tmon log is, and opens a
 * read-only log (0444 in a 0555 directory) without creating anything
 * next to it, even as root. */
START_TEST(test_ro_identify)
{
	static const struct {
		const char	*path;
		const char	*what;
	} cases[] = {
		{ "/dev/null", "not a regular file (a character device)" },
		{ "/tmp", "not a regular file (a directory)" },
		{ NULL, "empty file" },
	};
	struct store *s = NULL;
	struct tmon_err err;
	struct stat sb;
	char p[160];
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].path == NULL)
			fclose(fopen(dbpath, "w"));
		memset(&err, 0, sizeof(err));
		ck_assert_int_eq(store_open(cases[i].path != NULL ?
		    cases[i].path : dbpath, STORE_RO, &s, &err),
		    TMON_E_CONFIG);
		ck_assert_msg(strstr(err.msg, cases[i].what) != NULL, "%s",
		    err.msg);
	}
	ck_assert_ptr_nonnull(f = fopen(dbpath, "w"));
	fputs("SQLite format 2\n and then some more bytes\n", f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(store_open(dbpath, STORE_RO, &s, &err),
	    TMON_E_CONFIG);
	ck_assert_msg(strstr(err.msg, "not an SQLite database") != NULL, "%s",
	    err.msg);
	(void)unlink(dbpath);
	ck_assert_int_eq(raw_exec("PRAGMA user_version = 1; CREATE TABLE t "
	    "(x)"), SQLITE_OK);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(store_open(dbpath, STORE_RO, &s, &err),
	    TMON_E_CONFIG);
	ck_assert_msg(strstr(err.msg, "no entries table") != NULL, "%s",
	    err.msg);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM t"), 0);
	teardown();
	setup();

	tamper_setup();
	ck_assert_int_eq(chmod(dbpath, 0444), 0);
	ck_assert_int_eq(chmod(dir, 0555), 0);
	s = open_ro();
	ck_assert_int_eq(store_verify_chain(s, NULL, NULL, NULL), TMON_OK);
	store_close(s);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	ck_assert_int_ne(stat(p, &sb), 0);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	ck_assert_int_ne(stat(p, &sb), 0);
	ck_assert_int_eq(chmod(dir, 0700), 0);
}
END_TEST

START_TEST(test_blobs_dedupe)
{
	struct store *s = open_rw();
	static const uint8_t other[] = "another body";
	struct store_blob_in b[3] = {
		{ blob_a, sizeof(blob_a), "application/json" },
		{ blob_a, sizeof(blob_a), "text/plain" },
		{ other, sizeof(other) - 1, "text/plain; charset=utf-8" },
	};
	struct tmon_err err = { 0 };
	uint8_t key[32], *data = NULL;
	size_t len = 0;
	char *mt = NULL;

	ck_assert_int_eq(store_append(s, b, 2, NULL, 0, NULL, &err), TMON_OK);
	ck_assert_int_eq(store_append(s, b, 3, NULL, 0, NULL, &err), TMON_OK);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM blobs"), 2);
	SHA256(blob_a, sizeof(blob_a), key);
	ck_assert_int_eq(store_blob_get(s, key, &data, &len, &mt, &err),
	    TMON_OK);
	ck_assert_uint_eq(len, sizeof(blob_a));
	ck_assert_mem_eq(data, blob_a, len);
	ck_assert_str_eq(mt, "application/json");	/* the first wins */
	free(data);
	free(mt);
	SHA256(other, sizeof(other) - 1, key);
	ck_assert_int_eq(store_blob_get(s, key, &data, &len, &mt, &err),
	    TMON_OK);
	ck_assert_uint_eq(len, sizeof(other) - 1);
	ck_assert_mem_eq(data, other, len);
	ck_assert_str_eq(mt, "text/plain; charset=utf-8");
	free(data);
	free(mt);
	key[0] ^= 1;
	data = NULL;
	ck_assert_int_eq(store_blob_get(s, key, &data, &len, &mt, &err),
	    TMON_E_NOTFOUND);
	ck_assert_ptr_null(data);
	/* Blobs cannot be updated, and a tampered one is refused on read. */
	ck_assert_int_eq(raw_exec("UPDATE blobs SET media_type = 'x'"),
	    SQLITE_CONSTRAINT);
	ck_assert_int_eq(raw_exec("DROP TRIGGER blobs_no_update; UPDATE blobs "
	    "SET data = CAST('another bodY' AS BLOB) WHERE len = 12"),
	    SQLITE_OK);
	key[0] ^= 1;
	ck_assert_int_eq(store_blob_get(s, key, &data, &len, &mt, &err),
	    TMON_E_PARSE);
	ck_assert_ptr_null(data);
	store_close(s);
}
END_TEST

struct collect {
	uint64_t	seqs[16];
	int		n;
	int		stop_at;
};

static int
collect_cb(const struct store_entry *e, void *arg)
{
	struct collect *c = arg;

	ck_assert_int_lt(c->n, 16);
	c->seqs[c->n++] = e->seq;
	return c->stop_at != 0 && c->n >= c->stop_at;
}

static void
run_q(struct store *s, const struct store_query *q, struct collect *c)
{
	struct tmon_err err = { 0 };

	c->n = 0;
	ck_assert_msg(store_query(s, q, collect_cb, c, &err) == TMON_OK, "%s",
	    err.msg);
}

START_TEST(test_query_filters)
{
	struct store *s;
	struct store_query q;
	struct collect c;
	struct tmon_err err = { 0 };

	tamper_setup();		/* fills bodies[] at times 1000..1050 */
	s = open_ro();
	memset(&c, 0, sizeof(c));
	store_query_init(&q);
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 6);
	ck_assert_uint_eq(c.seqs[0], 0);
	ck_assert_uint_eq(c.seqs[5], 5);
	q.newest_first = true;
	q.limit = 2;
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(c.seqs[0], 5);
	ck_assert_uint_eq(c.seqs[1], 4);
	q.before_seq = 4;
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(c.seqs[0], 3);
	q.before_seq = 0;
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 0);
	store_query_init(&q);
	q.after_seq = 3;
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(c.seqs[0], 4);
	q.after_seq = (uint64_t)INT64_MAX;
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 0);
	store_query_init(&q);
	q.kind = "probe";
	q.model = "TEE/b";
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(c.seqs[0], 1);
	ck_assert_uint_eq(c.seqs[1], 5);
	store_query_init(&q);
	q.verdict = "fail";
	q.verdict_alt = "error";
	q.newest_first = true;
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(c.seqs[0], 3);
	ck_assert_uint_eq(c.seqs[1], 1);
	q.verdict_alt = NULL;
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 1);
	store_query_init(&q);
	q.since = 1010;
	q.until = 1030;
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 3);
	ck_assert_uint_eq(c.seqs[0], 1);
	ck_assert_uint_eq(c.seqs[2], 3);
	/* A model id is data, never SQL. */
	store_query_init(&q);
	q.model = "x' OR '1'='1";
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 0);
	/* The callback can stop early. */
	store_query_init(&q);
	c.stop_at = 2;
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 2);
	c.stop_at = 0;
	/* Newest probe per model, in model order. */
	c.n = 0;
	ck_assert_int_eq(store_latest_per_model(s, "probe", collect_cb, &c,
	    &err), TMON_OK);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(c.seqs[0], 3);	/* TEE/a */
	ck_assert_uint_eq(c.seqs[1], 5);	/* TEE/b */
	c.n = 0;
	ck_assert_int_eq(store_latest_per_model(s, "alert", collect_cb, &c,
	    &err), TMON_OK);
	ck_assert_int_eq(c.n, 1);
	ck_assert_uint_eq(c.seqs[0], 2);
	store_close(s);
}
END_TEST

START_TEST(test_predicates)
{
	char id[MAX_MODEL_ID + 1];

	memset(id, 'a', sizeof(id));
	id[MAX_MODEL_ID - 1] = '\0';		/* 127 bytes: the longest */
	ck_assert(store_model_valid(id));
	id[MAX_MODEL_ID - 1] = 'a';
	id[MAX_MODEL_ID] = '\0';		/* 128 bytes */
	ck_assert(!store_model_valid(id));
	ck_assert(store_model_valid("TEE/gemma-3-27b-it"));
	ck_assert(!store_model_valid(""));
	ck_assert(!store_model_valid(NULL));
	ck_assert(!store_model_valid("TEE/a b"));
	ck_assert(!store_model_valid("TEE/mod\xc3\xa8le"));
	ck_assert(!store_model_valid("TEE/\x7f"));
	ck_assert(store_media_type_valid("application/json; charset=utf-8"));
	ck_assert(!store_media_type_valid("text/html\r\nSet-Cookie: x"));
	ck_assert(!store_media_type_valid(""));
	ck_assert(store_verdict_valid("error"));
	ck_assert(!store_verdict_valid("skip"));
	ck_assert(!store_verdict_valid(NULL));
	ck_assert(store_kind_valid("collateral"));
	ck_assert(!store_kind_valid("Probe"));
}
END_TEST

/*
 * A database deleted (or replaced) under an open handle: SQLite in WAL
 * mode would go on committing into the unlinked file.  store_check_file
 * and store_append say TMON_E_IO, and nothing reaches the orphan.
 */
START_TEST(test_file_deleted_or_replaced)
{
	struct store *s = open_rw(), *s2;
	struct store_entry_in in;
	struct store_appended out;
	struct tmon_err err = { 0 };
	char moved[160];

	append_range(s, 0, 2, false);
	ck_assert_int_eq(store_check_file(s, &err), TMON_OK);
	/* renamed away: the path names nothing */
	snprintf(moved, sizeof(moved), "%s.old", dbpath);
	ck_assert_int_eq(rename(dbpath, moved), 0);
	ck_assert_int_eq(store_check_file(s, &err), TMON_E_IO);
	ck_assert_msg(strstr(err.msg, "deleted or renamed") != NULL, "%s",
	    err.msg);
	fill_in(&in, 2);
	tmon_err_clear(&err);
	ck_assert_int_eq(store_append(s, NULL, 0, &in, 1, &out, &err),
	    TMON_E_IO);
	/* back in place: writable again */
	ck_assert_int_eq(rename(moved, dbpath), 0);
	tmon_err_clear(&err);
	ck_assert_int_eq(store_check_file(s, &err), TMON_OK);
	append_range(s, 2, 3, false);
	/* replaced by another database at the same path */
	ck_assert_int_eq(rename(dbpath, moved), 0);
	s2 = open_rw();
	tmon_err_clear(&err);
	ck_assert_int_eq(store_append(s, NULL, 0, &in, 1, &out, &err),
	    TMON_E_IO);
	ck_assert_msg(strstr(err.msg, "another file") != NULL, "%s", err.msg);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), 0);
	/* deleted */
	ck_assert_int_eq(unlink(dbpath), 0);
	tmon_err_clear(&err);
	ck_assert_int_eq(store_check_file(s2, &err), TMON_E_IO);
	store_close(s2);
	store_close(s);
	(void)unlink(moved);
}
END_TEST

/*
 * A write the disk refuses (here: past a file size limit, EFBIG, as a
 * full disk gives ENOSPC) is TMON_E_IO, appends nothing, and once the
 * disk takes writes again the same handle appends and the chain holds.
 */
START_TEST(test_write_refused_by_disk)
{
	struct store *s = open_rw();
	struct store_blob_in b;
	struct store_entry_in in;
	struct store_appended out;
	struct tmon_err err = { 0 };
	struct rlimit rl, old;
	static uint8_t big[256 * 1024];
	uint64_t size;
	enum tmon_rc rc;
	int lifted;

	append_range(s, 0, 2, false);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	rl = old;
	rl.rlim_cur = 1;
	memset(big, 'x', sizeof(big));
	b.data = big;
	b.len = sizeof(big);
	b.media_type = "application/octet-stream";
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	fill_in(&in, 2);
	/* no assertion until the limit is lifted: Check reports through a
	 * file */
	rc = store_append(s, &b, 1, &in, 1, &out, &err);
	lifted = setrlimit(RLIMIT_FSIZE, &old);
	ck_assert_int_eq(lifted, 0);
	ck_assert_msg(rc == TMON_E_IO, "rc %d: %s", rc, err.msg);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), 2);
	tmon_err_clear(&err);
	ck_assert_msg(store_append(s, &b, 1, &in, 1, &out, &err) == TMON_OK,
	    "%s", err.msg);
	ck_assert_uint_eq(out.seq, 2);
	tmon_err_clear(&err);
	ck_assert_int_eq(store_verify_chain(s, &size, NULL, &err), TMON_OK);
	ck_assert_uint_eq(size, 3);
	store_close(s);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *su = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_append_read_back);
	tcase_add_test(tc, test_empty_log);
	tcase_add_test(tc, test_tamper_body);
	tcase_add_test(tc, test_tamper_leaf_and_body);
	tcase_add_test(tc, test_tamper_gap);
	tcase_add_test(tc, test_tamper_truncated_hash);
	tcase_add_test(tc, test_update_delete_refused);
	tcase_add_test(tc, test_append_bad_input_leaves_nothing);
	tcase_add_test(tc, test_append_fails_part_way);
	tcase_add_test(tc, test_reader_never_sees_partial);
	tcase_add_test(tc, test_migrate_empty_file);
	tcase_add_test(tc, test_refuse_future_version);
	tcase_add_test(tc, test_refuse_foreign_db);
	tcase_add_test(tc, test_blobs_dedupe);
	tcase_add_test(tc, test_columns_match_body);
	tcase_add_test(tc, test_verify_blobs);
	tcase_add_test(tc, test_ro_identify);
	tcase_add_test(tc, test_query_filters);
	tcase_add_test(tc, test_predicates);
	tcase_add_test(tc, test_file_deleted_or_replaced);
	tcase_add_test(tc, test_write_refused_by_disk);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
