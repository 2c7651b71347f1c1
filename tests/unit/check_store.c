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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "pool.h"
#include "store.h"
#include "tmon_limits.h"
#include "writer.h"

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
	/* A consistent new body + leaf is not the tree's leaf (and breaks
	 * the chain) at that seq. */
	want_leaf("{\"forged\":1}", leaf);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", leaf[i]);
	snprintf(sql, sizeof(sql), "DROP TRIGGER entries_no_update; "
	    "UPDATE entries SET body = CAST('{\"forged\":1}' AS BLOB), "
	    "leaf_hash = X'%s' WHERE seq = 1", hex);
	ck_assert_int_eq(raw_exec(sql), SQLITE_OK);
	expect_chain_fail(1, "tree's leaf 1");
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
	    " NULL, NULL, NULL, X'7b7d', zeroblob(32), zeroblob(32))"),
	    SQLITE_CONSTRAINT);
	ck_assert_int_ne(raw_exec("INSERT OR REPLACE INTO entries VALUES (2, 1,"
	    " 'probe', NULL, NULL, NULL, X'7b7d', zeroblob(32), zeroblob(32))"),
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
	    "type = 'index' AND name LIKE 'entries_%'"), 7);
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

/* Alert entries with distinct bodies, i = 0, 1, ... */
static void
alert_body(size_t i, char *buf, size_t sz)
{
	snprintf(buf, sz, "{\"kind\":\"alert\",\"n\":%zu,\"time\":%zu}", i,
	    2000 + i);
}

static void
append_alerts(struct store *s, size_t from, size_t n)
{
	struct store_entry_in in[64];
	char body[64][64];
	struct tmon_err err = { 0 };
	size_t i;

	ck_assert_uint_le(n, 64);
	for (i = 0; i < n; i++) {
		alert_body(from + i, body[i], sizeof(body[i]));
		memset(&in[i], 0, sizeof(in[i]));
		in[i].kind = "alert";
		in[i].time = 2000 + (int64_t)(from + i);
		in[i].body = (const uint8_t *)body[i];
		in[i].body_len = strlen(body[i]);
	}
	ck_assert_msg(store_append(s, NULL, 0, in, n, NULL, &err) == TMON_OK,
	    "%s", err.msg);
}

/* MTH(D[lo:hi)) of the alert bodies, from RFC 9162 section 2.1.1 with
 * OpenSSL, not with the store's or tlog's code. */
static void
want_mth(size_t lo, size_t hi, uint8_t out[32])
{
	unsigned char buf[65];
	uint8_t l[32], r[32];
	char body[64];
	size_t k = 1;

	if (hi - lo == 1) {
		alert_body(lo, body, sizeof(body));
		want_leaf(body, out);
		return;
	}
	while (k * 2 < hi - lo)
		k *= 2;
	want_mth(lo, lo + k, l);
	want_mth(lo + k, hi, r);
	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	SHA256(buf, sizeof(buf), out);
}

/* The tree the store keeps is RFC 9162's, for every size, whatever the
 * batches; proofs read from it verify. */
START_TEST(test_tree_roots)
{
	struct store *s = open_rw(), *ro;
	struct tmon_err err = { 0 };
	uint8_t root[32], want[32], proof[TLOG_MAX_PROOF][32];
	uint64_t size;
	size_t i, n, batches[] = { 1, 2, 3, 64, 5, 60, 1, 1, 63 };

	for (i = 0, size = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		append_alerts(s, (size_t)size, batches[i]);
		size += batches[i];
	}
	ck_assert_int_eq(store_tree_size(s, &size, &err), TMON_OK);
	ck_assert_uint_eq(size, 200);
	store_close(s);
	ro = open_ro();
	for (size = 1; size <= 200; size++) {
		ck_assert_int_eq(store_tree_root(ro, size, root, &err),
		    TMON_OK);
		want_mth(0, (size_t)size, want);
		ck_assert_msg(memcmp(root, want, 32) == 0, "size %" PRIu64,
		    size);
		i = (size_t)(size * 7 % size);
		ck_assert_int_eq(tlog_prove_inclusion(i, size, store_tree_read,
		    ro, proof, &n, &err), TMON_OK);
		want_mth(i, i + 1, want);
		ck_assert(tlog_verify_inclusion(i, size, want,
		    (const uint8_t (*)[32])proof, n, root));
	}
	ck_assert_int_eq(store_tree_root(ro, 201, root, &err),
	    TMON_E_NOTFOUND);
	store_close(ro);
}
END_TEST

static char note_a[] = "test/log\n5\nroot\n\n— test/log sig\n";

START_TEST(test_checkpoints)
{
	struct store *s = open_rw();
	struct store_checkpoint c, got;
	struct store_cosignature cs;
	struct tmon_err err = { 0 };

	append_alerts(s, 0, 9);
	memset(&c, 0, sizeof(c));
	c.size = 5;
	c.time = 1234;
	want_mth(0, 5, c.root);
	c.note = (uint8_t *)note_a;
	c.note_len = strlen(note_a);
	ck_assert_int_eq(store_checkpoint_latest(s, &got, &err),
	    TMON_E_NOTFOUND);
	ck_assert_msg(store_checkpoint_add(s, &c, &err) == TMON_OK, "%s",
	    err.msg);
	/* the same again: a no-op; another note for size 5: refused */
	ck_assert_int_eq(store_checkpoint_add(s, &c, &err), TMON_OK);
	c.note_len--;
	tmon_err_clear(&err);
	ck_assert_int_eq(store_checkpoint_add(s, &c, &err), TMON_E_PARSE);
	ck_assert_msg(strstr(err.msg, "never two") != NULL, "%s", err.msg);
	/* a root that is not the tree's, a size past the tree */
	c.size = 6;
	tmon_err_clear(&err);
	ck_assert_int_eq(store_checkpoint_add(s, &c, &err), TMON_E_PARSE);
	ck_assert_msg(strstr(err.msg, "not the tree's") != NULL, "%s",
	    err.msg);
	c.size = 10;
	ck_assert_int_eq(store_checkpoint_add(s, &c, &err), TMON_E_PARSE);
	c.size = 9;
	want_mth(0, 9, c.root);
	ck_assert_int_eq(store_checkpoint_add(s, &c, &err), TMON_OK);
	ck_assert_int_eq(store_checkpoint_latest(s, &got, &err), TMON_OK);
	ck_assert_uint_eq(got.size, 9);
	ck_assert_mem_eq(got.root, c.root, 32);
	ck_assert_uint_eq(got.note_len, c.note_len);
	store_checkpoint_free(&got);
	ck_assert_int_eq(store_checkpoint_get(s, 5, &got, &err), TMON_OK);
	ck_assert_uint_eq(got.note_len, strlen(note_a));
	store_checkpoint_free(&got);
	/* cosignatures name a stored checkpoint */
	memset(&cs, 0, sizeof(cs));
	cs.size = 9;
	cs.name = "witness.example/w1";
	cs.time = 1300;
	cs.line = "— witness.example/w1 AAAA\n";
	ck_assert_int_eq(store_cosignature_add(s, &cs, &err), TMON_OK);
	cs.size = 7;
	ck_assert_int_eq(store_cosignature_add(s, &cs, &err), TMON_E_DB);
	store_close(s);
	/* nothing of it can be changed */
	ck_assert_int_ne(raw_exec("UPDATE checkpoints SET time = 1"),
	    SQLITE_OK);
	ck_assert_int_ne(raw_exec("DELETE FROM checkpoints"), SQLITE_OK);
	ck_assert_int_ne(raw_exec("UPDATE tree SET idx = idx"), SQLITE_OK);
	ck_assert_int_ne(raw_exec("DELETE FROM cosignatures"), SQLITE_OK);
}
END_TEST

/* store_verify of a log whose tree or checkpoints were changed. */
static void
expect_verify(const char *what, uint64_t bad_seq)
{
	struct store *s = open_ro();
	struct store_verify_opts o;
	struct store_verify_result res;
	struct tmon_err err = { 0 };

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(store_verify(s, &o, &res, &err), TMON_E_PARSE);
	ck_assert_msg(strstr(err.msg, what) != NULL, "%s", err.msg);
	ck_assert_uint_eq(res.first_bad_seq, bad_seq);
	store_close(s);
}

static void
tree_setup(void)
{
	struct store *s = open_rw();
	struct store_checkpoint c;
	struct store_verify_opts o;
	struct store_verify_result res;
	struct tmon_err err = { 0 };

	append_alerts(s, 0, 40);
	memset(&c, 0, sizeof(c));
	c.size = 40;
	want_mth(0, 40, c.root);
	c.note = (uint8_t *)note_a;
	c.note_len = strlen(note_a);
	ck_assert_int_eq(store_checkpoint_add(s, &c, &err), TMON_OK);
	memset(&o, 0, sizeof(o));
	ck_assert_msg(store_verify(s, &o, &res, &err) == TMON_OK, "%s",
	    err.msg);
	ck_assert_uint_eq(res.tree_leaves, 40);
	ck_assert_uint_eq(res.checkpoints, 1);
	store_close(s);
}

START_TEST(test_verify_tree_tampered)
{
	struct store_verify_opts o;
	struct store_verify_result res;
	struct store *s;
	struct tmon_err err = { 0 };

	/* a node of level 3 (entries 16..23) */
	tree_setup();
	ck_assert_int_eq(raw_exec("DROP TRIGGER tree_no_update; UPDATE tree "
	    "SET hash = zeroblob(32) WHERE level = 3 AND idx = 2"), SQLITE_OK);
	expect_verify("tree node (3, 2) does not match", STORE_NO_SEQ);
	/* a leaf of the tree that is not its entry's */
	teardown();
	setup();
	tree_setup();
	ck_assert_int_eq(raw_exec("DROP TRIGGER tree_no_update; UPDATE tree "
	    "SET hash = zeroblob(32) WHERE level = 0 AND idx = 7"), SQLITE_OK);
	expect_verify("entry 7: its leaf hash is not the tree's", 7);
	/* a removed node */
	teardown();
	setup();
	tree_setup();
	ck_assert_int_eq(raw_exec("DROP TRIGGER tree_no_delete; DELETE FROM "
	    "tree WHERE level = 1 AND idx = 19"), SQLITE_OK);
	expect_verify("tree node (1, 19) is missing", STORE_NO_SEQ);
	/* a body, its leaf hash, the chain after it and the tree rebuilt:
	 * only the signed checkpoint's root shows it */
	teardown();
	setup();
	tree_setup();
	ck_assert_int_eq(raw_exec("DROP TRIGGER checkpoints_no_delete; "
	    "DELETE FROM checkpoints"), SQLITE_OK);
	s = open_ro();
	memset(&o, 0, sizeof(o));
	o.has_pin = true;
	o.pin_size = 40;
	want_mth(0, 40, o.pin_root);
	ck_assert_int_eq(store_verify(s, &o, &res, &err), TMON_OK);
	o.pin_root[0] ^= 1;
	tmon_err_clear(&err);
	ck_assert_int_eq(store_verify(s, &o, &res, &err), TMON_E_PARSE);
	ck_assert_msg(strstr(err.msg, "saved checkpoint of size 40 does not "
	    "match") != NULL, "%s", err.msg);
	o.pin_size = 41;
	tmon_err_clear(&err);
	ck_assert_int_eq(store_verify(s, &o, &res, &err), TMON_E_PARSE);
	ck_assert_msg(strstr(err.msg, "rolled back") != NULL, "%s", err.msg);
	store_close(s);
}
END_TEST

/* A log of schema version 1 gets its tree when opened for writing. */
START_TEST(test_migrate_tree)
{
	struct store *s = open_rw();
	struct tmon_err err = { 0 };
	uint8_t root[32], want[32];

	append_alerts(s, 0, 21);
	store_close(s);
	ck_assert_int_eq(raw_exec("DROP TABLE cosignatures; DROP TABLE "
	    "checkpoints; DROP TABLE tree; DROP TABLE models; DROP TABLE "
	    "daily; PRAGMA user_version = 1"), SQLITE_OK);
	s = open_rw();
	ck_assert_int_eq(raw_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	append_alerts(s, 21, 2);
	ck_assert_int_eq(store_tree_root(s, 23, root, &err), TMON_OK);
	want_mth(0, 23, want);
	ck_assert_mem_eq(root, want, 32);
	store_close(s);
}
END_TEST

/* A signer for the writer tests: the note is the size and the root in
 * hex (signing itself is note.c's, tested in check_note). */
struct test_signer {
	unsigned	signed_n;
	uint64_t	last;
	bool		fail;
};

static enum tmon_rc
test_sign(void *arg, uint64_t size, const uint8_t root[32], uint8_t **note,
    size_t *len, struct tmon_err *err)
{
	struct test_signer *t = arg;
	char *p;
	size_t i;

	if (t->fail)
		return tmon_err_set(err, TMON_E_IO, "test signer fails");
	p = malloc(100);
	ck_assert_ptr_nonnull(p);
	i = (size_t)snprintf(p, 100, "test\n%" PRIu64 "\n", size);
	for (size_t j = 0; j < 32; j++)
		i += (size_t)snprintf(p + i, 100 - i, "%02x", root[j]);
	*note = (uint8_t *)p;
	*len = i;
	return TMON_OK;
}

static void
test_signed(void *arg, const struct store_checkpoint *c)
{
	struct test_signer *t = arg;

	ck_assert_uint_gt(c->size, __atomic_load_n(&t->last, __ATOMIC_SEQ_CST));
	__atomic_store_n(&t->last, c->size, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&t->signed_n, 1, __ATOMIC_SEQ_CST);
}

/* The writer signs a checkpoint of what it committed, at most one per
 * interval, and one when it stops; cosignatures go through it. */
START_TEST(test_writer_checkpoints)
{
	struct store_writer_signer sg;
	struct test_signer ts;
	struct store_writer *w;
	struct store_checkpoint c;
	struct store_cosignature cs;
	struct store_entry_in in;
	struct tmon_err err = { 0 };
	struct store *s = open_rw(), *ro;
	char body[64];
	uint8_t want[32];
	size_t i;

	append_alerts(s, 0, 3);
	ck_assert_int_eq(store_writer_start(s, &w, &err), TMON_OK);
	memset(&ts, 0, sizeof(ts));
	memset(&sg, 0, sizeof(sg));
	sg.sign = test_sign;
	sg.signed_cb = test_signed;
	sg.arg = &ts;
	sg.interval_ms = 200;
	/* the 3 entries appended before get theirs at once */
	store_writer_set_signer(w, &sg);
	for (i = 0; i < 200 &&
	    __atomic_load_n(&ts.signed_n, __ATOMIC_SEQ_CST) == 0; i++)
		usleep(10 * 1000);
	ck_assert_uint_eq(__atomic_load_n(&ts.last, __ATOMIC_SEQ_CST), 3);
	/* 60 appends over about 600 ms: a handful of checkpoints */
	for (i = 3; i < 63; i++) {
		alert_body(i, body, sizeof(body));
		memset(&in, 0, sizeof(in));
		in.kind = "alert";
		in.time = 2000 + (int64_t)i;
		in.body = (const uint8_t *)body;
		in.body_len = strlen(body);
		ck_assert_int_eq(store_writer_append(w, NULL, 0, &in, 1, NULL,
		    &err), TMON_OK);
		usleep(10 * 1000);
	}
	ck_assert_uint_le(__atomic_load_n(&ts.signed_n, __ATOMIC_SEQ_CST),
	    1 + 2000 / 200);
	memset(&cs, 0, sizeof(cs));
	cs.size = 3;
	cs.name = "w.example/1";
	cs.time = 5;
	cs.line = "— w.example/1 AAAA\n";
	ck_assert_int_eq(store_writer_cosign(w, &cs, &err), TMON_OK);
	store_writer_stop(w);
	ck_assert_uint_eq(ts.last, 63);
	ro = open_ro();
	ck_assert_int_eq(store_checkpoint_latest(ro, &c, &err), TMON_OK);
	ck_assert_uint_eq(c.size, 63);
	want_mth(0, 63, want);
	ck_assert_mem_eq(c.root, want, 32);
	store_checkpoint_free(&c);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM cosignatures"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM checkpoints"),
	    ts.signed_n);
	store_close(ro);
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
	ck_assert_int_eq(raw_exec("PRAGMA user_version = 5"), SQLITE_OK);
	ck_assert_int_eq(store_open(dbpath, STORE_RW, &s, &err),
	    TMON_E_UNSUPPORTED);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err.msg, "newer") != NULL, "%s", err.msg);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(store_open(dbpath, STORE_RO, &s, &err),
	    TMON_E_UNSUPPORTED);
	ck_assert_ptr_null(s);
	/* Untouched: still version 5 with its entry. */
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 5);
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

	ck_assert(store_body_check("probe", 1010, "TEE/b", "fail", NULL, b1,
	    strlen(bodies[1]), why, sizeof(why)));
	ck_assert(!store_body_check("probe", 1010, "TEE/b", "pass", NULL, b1,
	    strlen(bodies[1]), why, sizeof(why)));
	ck_assert_str_eq(why, "column verdict is \"pass\", the body's is "
	    "\"fail\"");
	ck_assert(!store_body_check("probe", 1011, "TEE/b", "fail", NULL, b1,
	    strlen(bodies[1]), why, sizeof(why)));
	ck_assert_str_eq(why, "column time is 1011, the body's is 1010");
	ck_assert(!store_body_check("probe", 1010, NULL, "fail", NULL, b1,
	    strlen(bodies[1]), why, sizeof(why)));
	ck_assert_str_eq(why, "column model is NULL, the body's is \"TEE/b\"");
	ck_assert(!store_body_check("alert", 1010, "TEE/b", "fail", NULL, b1,
	    strlen(bodies[1]), why, sizeof(why)));
	ck_assert(!store_body_check("alert", 1020, "TEE/b", "warn", NULL,
	    (const uint8_t *)bodies[2], strlen(bodies[2]), why, sizeof(why)));
	ck_assert_str_eq(why, "column verdict is \"warn\", the body's is "
	    "missing");
	ck_assert(!store_body_check("probe", 1, NULL, NULL, NULL,
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
	/* the entry, and the models and daily rows its column now
	 * contradicts (they were derived from the verdict appended) */
	ck_assert_uint_eq(res.problems, 3);
	ck_assert_uint_eq(res.entries, NBODIES);
	/* The columns are not hashed: the chain alone still holds. */
	ck_assert_int_eq(store_verify_chain(s, NULL, NULL, NULL), TMON_OK);
	/* A tail of the last 4 (2..5) does not reach it (without the
	 * derived tables, which the edited column contradicts); of 5 it
	 * does. */
	o.tail = NBODIES - 2;
	o.flags = STORE_VERIFY_NO_TREE;
	ck_assert_int_eq(store_verify(s, &o, &res, NULL), TMON_OK);
	ck_assert_uint_eq(res.first, 2);
	ck_assert_uint_eq(res.entries, NBODIES - 2);
	o.tail = NBODIES - 1;
	ck_assert_int_eq(store_verify(s, &o, &res, NULL), TMON_E_PARSE);
	ck_assert_uint_eq(res.first_bad_seq, 1);
	o.flags = 0;
	o.tail = NBODIES - 2;
	ck_assert_int_eq(store_verify(s, &o, &res, NULL), TMON_E_PARSE);
	ck_assert_uint_eq(res.first_bad_seq, STORE_NO_SEQ);
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

/*
 * A log of probes and events over NMOD models and several days, appended
 * in batches of various sizes; the models and daily rows the test
 * expects are counted here from what it appended.
 */
#define DMOD	4
#define DN	600

struct dexpect {
	uint64_t	first[DMOD], last_probe[DMOD], last_pass[DMOD];
	uint64_t	last_event[DMOD], probes[DMOD];
	uint64_t	day[DMOD][8][4];	/* days 0..7, by verdict */
};

static const char *const dverdicts[] = { "pass", "warn", "fail", "error" };

/* Entry i of the derived-tables log: kind, model, verdict, class, time. */
static void
dentry(size_t i, char *body, size_t sz, struct store_entry_in *in,
    char model[16], struct dexpect *x)
{
	unsigned m = (unsigned)((i * 7) % DMOD), v = (unsigned)((i / 3) % 4);
	int64_t t = 86400 * (int64_t)(i * 8 / DN) + (int64_t)(i % 50);

	memset(in, 0, sizeof(*in));
	snprintf(model, 16, "TEE/m%u", m);
	in->time = t;
	in->model = model;
	if (i % 11 == 5) {
		/* an event */
		in->kind = "event";
		in->cls = i % 2 ? "unexplained" : "instance_added";
		snprintf(body, sz, "{\"class\":\"%s\",\"kind\":\"event\","
		    "\"model\":\"%s\",\"time\":%lld}", in->cls, model,
		    (long long)t);
		if (x->first[m] == STORE_NO_SEQ)
			x->first[m] = i;
		x->last_event[m] = i;
	} else if (i % 13 == 7) {
		/* a receipt naming the model: no row */
		in->kind = "receipt";
		snprintf(body, sz, "{\"kind\":\"receipt\",\"model\":\"%s\","
		    "\"time\":%lld}", model, (long long)t);
	} else {
		in->kind = "probe";
		in->verdict = dverdicts[v];
		snprintf(body, sz, "{\"kind\":\"probe\",\"model\":\"%s\","
		    "\"time\":%lld,\"verdict\":\"%s\"}", model, (long long)t,
		    in->verdict);
		if (x->first[m] == STORE_NO_SEQ)
			x->first[m] = i;
		x->last_probe[m] = i;
		if (v == 0)
			x->last_pass[m] = i;
		x->probes[m]++;
		x->day[m][t / 86400][v]++;
	}
	in->body = (const uint8_t *)body;
	in->body_len = strlen(body);
}

static void
dlog(struct store *s, struct dexpect *x)
{
	static char body[MAX_APPEND_ENTRIES][160];
	static char model[MAX_APPEND_ENTRIES][16];
	struct store_entry_in in[MAX_APPEND_ENTRIES];
	struct tmon_err err = { 0 };
	size_t i = 0, n, k, batch = 1;

	memset(x, 0, sizeof(*x));
	for (k = 0; k < DMOD; k++)
		x->first[k] = x->last_probe[k] = x->last_pass[k] =
		    x->last_event[k] = STORE_NO_SEQ;
	while (i < DN) {
		n = batch;
		if (n > DN - i)
			n = DN - i;
		if (n > MAX_APPEND_ENTRIES)
			n = MAX_APPEND_ENTRIES;
		for (k = 0; k < n; k++)
			dentry(i + k, body[k], sizeof(body[k]), &in[k],
			    model[k], x);
		ck_assert_msg(store_append(s, NULL, 0, in, n, NULL, &err) ==
		    TMON_OK, "%s", err.msg);
		i += n;
		batch = batch % 17 + 3;
	}
}

struct dseen {
	const struct dexpect *x;
	unsigned models, days;
};

static int
dmodel_cb(const struct store_model *m, void *arg)
{
	struct dseen *d = arg;
	unsigned k;

	ck_assert_int_eq(sscanf(m->model, "TEE/m%u", &k), 1);
	ck_assert_uint_lt(k, DMOD);
	ck_assert_uint_eq(k, d->models);	/* in model order */
	ck_assert_uint_eq(m->first_seq, d->x->first[k]);
	ck_assert_uint_eq(m->last_probe_seq, d->x->last_probe[k]);
	ck_assert_uint_eq(m->last_pass_seq, d->x->last_pass[k]);
	ck_assert_uint_eq(m->last_event_seq, d->x->last_event[k]);
	ck_assert_uint_eq(m->probes, d->x->probes[k]);
	d->models++;
	return 0;
}

static int
dday_cb(const struct store_day *dy, void *arg)
{
	struct dseen *d = arg;
	unsigned k;

	ck_assert_int_eq(sscanf(dy->model, "TEE/m%u", &k), 1);
	ck_assert_uint_lt(k, DMOD);
	ck_assert_int_ge(dy->day, 0);
	ck_assert_int_lt(dy->day, 8);
	ck_assert_uint_eq(dy->pass, d->x->day[k][dy->day][0]);
	ck_assert_uint_eq(dy->warn, d->x->day[k][dy->day][1]);
	ck_assert_uint_eq(dy->fail, d->x->day[k][dy->day][2]);
	ck_assert_uint_eq(dy->error, d->x->day[k][dy->day][3]);
	d->days++;
	return 0;
}

static unsigned
dexpected_days(const struct dexpect *x, int64_t from)
{
	unsigned k, n = 0;
	int64_t d;

	for (k = 0; k < DMOD; k++)
		for (d = from; d < 8; d++)
			n += x->day[k][d][0] + x->day[k][d][1] +
			    x->day[k][d][2] + x->day[k][d][3] > 0;
	return n;
}

/* Check the models and daily tables of s against x. */
static void
dcheck(struct store *s, const struct dexpect *x)
{
	struct store_model m;
	struct dseen d;
	struct tmon_err err = { 0 };
	bool found;

	memset(&d, 0, sizeof(d));
	d.x = x;
	ck_assert_int_eq(store_models(s, dmodel_cb, &d, &err), TMON_OK);
	ck_assert_uint_eq(d.models, DMOD);
	ck_assert_int_eq(store_daily(s, NULL, 0, dday_cb, &d, &err), TMON_OK);
	ck_assert_uint_eq(d.days, dexpected_days(x, 0));
	d.days = 0;
	ck_assert_int_eq(store_daily(s, "TEE/m2", 5, dday_cb, &d, &err),
	    TMON_OK);
	ck_assert_uint_eq(d.days, 3);
	ck_assert_int_eq(store_model_get(s, "TEE/m3", &m, &found, &err),
	    TMON_OK);
	ck_assert(found);
	ck_assert_str_eq(m.model, "TEE/m3");
	ck_assert_uint_eq(m.probes, x->probes[3]);
	ck_assert_int_eq(store_model_get(s, "TEE/none", &m, &found, &err),
	    TMON_OK);
	ck_assert(!found);
}

/* Verify s whole (tail 0) or a tail; returns the problems found. */
static uint64_t
dverify(struct store *s, uint64_t tail)
{
	struct store_verify_opts o;
	struct store_verify_result res;
	struct tmon_err err = { 0 };
	enum tmon_rc rc;

	memset(&o, 0, sizeof(o));
	o.tail = tail;
	rc = store_verify(s, &o, &res, &err);
	ck_assert_msg(rc == TMON_OK || rc == TMON_E_PARSE, "%s", err.msg);
	ck_assert((rc == TMON_OK) == (res.problems == 0));
	return res.problems;
}

/* store_append keeps models and daily, in every batch; store_verify
 * finds a derived row that was edited, added or removed. */
START_TEST(test_derived_tables)
{
	static const char *const tamper[] = {
		"UPDATE models SET probes = probes + 1 WHERE model = 'TEE/m1'",
		"UPDATE models SET last_pass_seq = 3 WHERE model = 'TEE/m2'",
		"UPDATE models SET last_event_seq = NULL WHERE model = 'TEE/m0'",
		"DELETE FROM models WHERE model = 'TEE/m3'",
		"INSERT INTO models VALUES ('TEE/ghost', 0, 0, 0, NULL, 1)",
		/* a pass moved to fail on the newest day */
		"UPDATE daily SET pass = pass - 1, fail = fail + 1 WHERE "
		    "model = 'TEE/m1' AND day = 7",
		"UPDATE daily SET error = error + 1 WHERE model = 'TEE/m0' "
		    "AND day = 7",
		"DELETE FROM daily WHERE model = 'TEE/m2' AND day = 7",
	};
	struct dexpect x;
	struct store *s = open_rw();
	size_t i;

	dlog(s, &x);
	dcheck(s, &x);
	ck_assert_uint_eq(dverify(s, 0), 0);
	ck_assert_uint_eq(dverify(s, 50), 0);
	store_close(s);
	/* A read-only handle reads them too. */
	s = open_ro();
	dcheck(s, &x);
	store_close(s);
	ck_assert_int_eq(raw_exec("CREATE TABLE keep_m AS SELECT * FROM "
	    "models; CREATE TABLE keep_d AS SELECT * FROM daily"), SQLITE_OK);
	for (i = 0; i < sizeof(tamper) / sizeof(tamper[0]); i++) {
		ck_assert_int_eq(raw_exec(tamper[i]), SQLITE_OK);
		s = open_ro();
		ck_assert_msg(dverify(s, 0) > 0, "not found whole: %s",
		    tamper[i]);
		/* the tail of the newest 50 entries lies on day 7 */
		ck_assert_msg(dverify(s, 50) > 0, "not found in a tail: %s",
		    tamper[i]);
		store_close(s);
		ck_assert_int_eq(raw_exec("DELETE FROM models; INSERT INTO "
		    "models SELECT * FROM keep_m; DELETE FROM daily; INSERT "
		    "INTO daily SELECT * FROM keep_d"), SQLITE_OK);
	}
	ck_assert_int_eq(raw_exec("DROP TABLE keep_m; DROP TABLE keep_d"),
	    SQLITE_OK);
	s = open_ro();
	ck_assert_uint_eq(dverify(s, 0), 0);
	store_close(s);
}
END_TEST

/* Unpack the schema-2 log tests/data/store/v2-sim.db.gz to dbpath. */
static void
unpack_v2(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "gzip -dc '%s/store/v2-sim.db.gz' > '%s'",
	    TMON_TEST_DATA, dbpath);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 2);
}

/* The models row of model in a raw connection, as text ("" none). */
static void
raw_models_row(const char *model, char *out, size_t sz)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT first_seq || ',' || "
	    "coalesce(last_probe_seq, '-') || ',' || coalesce(last_pass_seq, "
	    "'-') || ',' || coalesce(last_event_seq, '-') || ',' || probes "
	    "FROM models WHERE model = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	out[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, sz, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/*
 * A real log of schema 2 (and the same made schema 1) migrates: same
 * entries and hashes, verified whole with its blobs, and the derived
 * tables what its entries give; appends go on keeping them.
 */
START_TEST(test_migrate_v2_log)
{
	static const char *const models[] = { "sim/good", "sim/rollout",
	    "sim/wrong-key" };
	struct store_verify_opts o;
	struct store_verify_result res;
	struct store_entry_in in;
	struct tmon_err err = { 0 };
	struct store *s;
	char row[128], want[128], body[160];
	int64_t n, first, last, t;
	size_t i, round;

	for (round = 0; round < 2; round++) {
		unpack_v2();
		if (round == 1)
			ck_assert_int_eq(raw_exec("DROP TABLE cosignatures; "
			    "DROP TABLE checkpoints; DROP TABLE tree; "
			    "PRAGMA user_version = 1"), SQLITE_OK);
		n = raw_int("SELECT count(*) FROM entries");
		ck_assert_int_ge(n, 17);
		s = open_rw();
		store_close(s);
		ck_assert_int_eq(raw_int("PRAGMA user_version"),
		    STORE_SCHEMA_VERSION);
		ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), n);
		ck_assert_int_eq(raw_int("SELECT count(*) FROM entries WHERE "
		    "class IS NOT NULL"), 0);
		ck_assert_int_eq(raw_int("SELECT count(*) FROM models"), 3);
		for (i = 0; i < 3; i++) {
			/* what the probes give, read here from the raw rows */
			snprintf(body, sizeof(body), "SELECT min(seq) FROM "
			    "entries WHERE kind = 'probe' AND model = '%s'",
			    models[i]);
			first = raw_int(body);
			snprintf(body, sizeof(body), "SELECT max(seq) FROM "
			    "entries WHERE kind = 'probe' AND model = '%s'",
			    models[i]);
			last = raw_int(body);
			snprintf(body, sizeof(body), "SELECT count(*) FROM "
			    "entries WHERE kind = 'probe' AND model = '%s'",
			    models[i]);
			snprintf(want, sizeof(want), "%lld,%lld,-,-,%lld",
			    (long long)first, (long long)last,
			    (long long)raw_int(body));
			raw_models_row(models[i], row, sizeof(row));
			ck_assert_str_eq(row, want);
		}
		/* every probe warns (unpinned): all counted as warn */
		ck_assert_int_eq(raw_int("SELECT sum(warn) FROM daily"), 15);
		ck_assert_int_eq(raw_int("SELECT sum(pass + fail + error) FROM "
		    "daily"), 0);
		s = open_ro();
		memset(&o, 0, sizeof(o));
		o.flags = STORE_VERIFY_BLOBS | STORE_VERIFY_INTEGRITY;
		ck_assert_msg(store_verify(s, &o, &res, &err) == TMON_OK, "%s",
		    err.msg);
		ck_assert_uint_eq(res.entries, (uint64_t)n);
		o.tail = 5;
		ck_assert_msg(store_verify(s, &o, &res, &err) == TMON_OK, "%s",
		    err.msg);
		store_close(s);
		/* a passing probe and an event of sim/good, appended */
		s = open_rw();
		t = raw_int("SELECT max(time) FROM entries");
		snprintf(body, sizeof(body), "{\"kind\":\"probe\",\"model\":"
		    "\"sim/good\",\"time\":%lld,\"verdict\":\"pass\"}",
		    (long long)t);
		memset(&in, 0, sizeof(in));
		in.kind = "probe";
		in.time = t;
		in.model = "sim/good";
		in.verdict = "pass";
		in.body = (const uint8_t *)body;
		in.body_len = strlen(body);
		ck_assert_msg(store_append(s, NULL, 0, &in, 1, NULL, &err) ==
		    TMON_OK, "%s", err.msg);
		snprintf(body, sizeof(body), "{\"class\":\"verdict_changed\","
		    "\"kind\":\"event\",\"model\":\"sim/good\",\"time\":%lld}",
		    (long long)t);
		in.kind = "event";
		in.verdict = NULL;
		in.cls = "verdict_changed";
		in.body_len = strlen(body);
		ck_assert_msg(store_append(s, NULL, 0, &in, 1, NULL, &err) ==
		    TMON_OK, "%s", err.msg);
		store_close(s);
		first = raw_int("SELECT min(seq) FROM entries WHERE kind = "
		    "'probe' AND model = 'sim/good'");
		snprintf(want, sizeof(want), "%lld,%lld,%lld,%lld,6",
		    (long long)first, (long long)n, (long long)n,
		    (long long)n + 1);
		raw_models_row("sim/good", row, sizeof(row));
		ck_assert_str_eq(row, want);
		s = open_ro();
		o.tail = 0;
		ck_assert_msg(store_verify(s, &o, &res, &err) == TMON_OK, "%s",
		    err.msg);
		store_close(s);
		teardown();
		setup();
	}
}
END_TEST

/* Events need a class, every other kind none; the column is the body's. */
START_TEST(test_event_class_column)
{
	static const char ev[] = "{\"class\":\"allowlisted\",\"kind\":\"event\","
	    "\"model\":\"TEE/a\",\"time\":5}";
	struct store *s = open_rw();
	struct store_entry_in in;
	struct store_entry e;
	struct store_query q;
	struct collect c;
	struct tmon_err err = { 0 };

	memset(&in, 0, sizeof(in));
	in.kind = "event";
	in.time = 5;
	in.model = "TEE/a";
	in.body = (const uint8_t *)ev;
	in.body_len = strlen(ev);
	ck_assert_int_eq(store_append(s, NULL, 0, &in, 1, NULL, &err),
	    TMON_E_PARSE);
	in.cls = "nonsense";
	ck_assert_int_eq(store_append(s, NULL, 0, &in, 1, NULL, &err),
	    TMON_E_PARSE);
	in.cls = "allowlisted";
	ck_assert_msg(store_append(s, NULL, 0, &in, 1, NULL, &err) == TMON_OK,
	    "%s", err.msg);
	fill_in(&in, 0);
	in.cls = "allowlisted";
	ck_assert_int_eq(store_append(s, NULL, 0, &in, 1, NULL, &err),
	    TMON_E_PARSE);
	ck_assert_int_eq(store_entry_get(s, 0, &e, &err), TMON_OK);
	ck_assert_str_eq(e.kind, "event");
	ck_assert_str_eq(e.cls, "allowlisted");
	store_entry_free(&e);
	memset(&c, 0, sizeof(c));
	store_query_init(&q);
	q.kind = "event";
	q.cls = "allowlisted";
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 1);
	q.cls = "unexplained";
	run_q(s, &q, &c);
	ck_assert_int_eq(c.n, 0);
	store_close(s);
	/* A class column that is not the body's is refused on reading. */
	ck_assert_int_eq(raw_exec("DROP TRIGGER entries_no_update; "
	    "UPDATE entries SET class = 'upgrade_endorsed' WHERE seq = 0"),
	    SQLITE_OK);
	s = open_ro();
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(store_entry_get(s, 0, &e, &err), TMON_E_PARSE);
	ck_assert_msg(strstr(err.msg, "column class is \"upgrade_endorsed\"")
	    != NULL, "%s", err.msg);
	ck_assert_uint_gt(dverify(s, 0), 0);
	store_close(s);
}
END_TEST

/*
 * Every list store_query answers walks an index in seq order: no sort,
 * no full scan, and a number of VM steps bounded by the limit, on a log
 * where the rows asked for are the OLDEST of thousands (a walk of the
 * wrong index, or a sort, would visit them all).
 */
#define QN	3000

static int
count_only(const struct store_entry *e, void *arg)
{
	(void)e;
	(*(size_t *)arg)++;
	return 0;
}

START_TEST(test_query_plans)
{
	static char body[MAX_APPEND_ENTRIES][192];
	struct store_entry_in in[MAX_APPEND_ENTRIES];
	struct store_query q;
	struct store_query_stats st;
	struct store_query qs[7];
	struct tmon_err err = { 0 };
	struct store *s = open_rw();
	size_t i = 0, k, n, got;
	bool old;

	while (i < QN) {
		n = QN - i < MAX_APPEND_ENTRIES ? QN - i : MAX_APPEND_ENTRIES;
		for (k = 0; k < n; k++) {
			/* the first 40: fail/error probes of TEE/x and
			 * events of class unexplained; then thousands of
			 * passing probes of TEE/y and receipts */
			old = i + k < 40;
			memset(&in[k], 0, sizeof(in[k]));
			in[k].time = (int64_t)(i + k);
			if ((i + k) % 4 == 3) {
				in[k].kind = "event";
				in[k].model = "TEE/x";
				in[k].cls = old ? "unexplained" : "first";
				snprintf(body[k], sizeof(body[k]), "{\"class\":"
				    "\"%s\",\"kind\":\"event\",\"model\":"
				    "\"TEE/x\",\"time\":%zu}", in[k].cls, i + k);
			} else if (!old && (i + k) % 4 == 2) {
				in[k].kind = "receipt";
				snprintf(body[k], sizeof(body[k]), "{\"kind\":"
				    "\"receipt\",\"time\":%zu}", i + k);
			} else {
				in[k].kind = "probe";
				in[k].model = old ? "TEE/x" : "TEE/y";
				in[k].verdict = !old ? "pass" : (i + k) % 2 ?
				    "fail" : "error";
				snprintf(body[k], sizeof(body[k]), "{\"kind\":"
				    "\"probe\",\"model\":\"%s\",\"time\":%zu,"
				    "\"verdict\":\"%s\"}", in[k].model, i + k,
				    in[k].verdict);
			}
			in[k].body = (const uint8_t *)body[k];
			in[k].body_len = strlen(body[k]);
		}
		ck_assert_msg(store_append(s, NULL, 0, in, n, NULL, &err) ==
		    TMON_OK, "%s", err.msg);
		i += n;
	}
	for (k = 0; k < 7; k++) {
		store_query_init(&qs[k]);
		qs[k].kind = k == 4 ? "event" : "probe";
		qs[k].newest_first = true;
		qs[k].limit = 10;
	}
	qs[0].kind = "receipt";			/* kind only */
	qs[1].model = "TEE/x";			/* kind + model */
	qs[2].verdict = "fail";			/* kind + verdict */
	qs[3].verdict = "fail";			/* failures: fail or error */
	qs[3].verdict_alt = "error";
	qs[4].cls = "unexplained";		/* kind + class */
	qs[5].model = "TEE/x";			/* kind + model + verdict */
	qs[5].verdict = "error";
	qs[6].verdict = "error";		/* older than a cursor */
	qs[6].verdict_alt = "fail";
	qs[6].before_seq = 20;
	for (k = 0; k < 7; k++) {
		got = 0;
		ck_assert_msg(store_query(s, &qs[k], count_only, &got, &err) ==
		    TMON_OK, "%s", err.msg);
		store_query_stats(s, &st);
		ck_assert_msg(got > 0 && got <= 10, "query %zu: %zu rows", k,
		    got);
		ck_assert_msg(st.sorts == 0 && st.fullscan_steps == 0,
		    "query %zu: %" PRIu64 " sorts, %" PRIu64 " full scan steps",
		    k, st.sorts, st.fullscan_steps);
		/* about 30 VM steps a row read; a scan would take > 3000 */
		ck_assert_msg(st.vm_steps < 1500, "query %zu: %" PRIu64 " VM "
		    "steps for %zu rows", k, st.vm_steps, got);
	}
	/* The latest probe and event of each model (/api/v1/models): one
	 * models row and one entry read by seq per model, never a walk of
	 * the model's entries (here 2 models, about 2,200 probes). */
	for (k = 0; k < 2; k++) {
		got = 0;
		ck_assert_msg(store_latest_per_model(s, k == 0 ? "probe" :
		    "event", count_only, &got, &err) == TMON_OK, "%s", err.msg);
		store_query_stats(s, &st);
		ck_assert_uint_eq(got, k == 0 ? 2 : 1);
		ck_assert_msg(st.sorts == 0 && st.fullscan_steps < 10 &&
		    st.vm_steps < 200, "latest %s: %" PRIu64 " VM steps, %"
		    PRIu64 " full scan steps, %" PRIu64 " sorts", k == 0 ?
		    "probe" : "event", st.vm_steps, st.fullscan_steps,
		    st.sorts);
	}
	/* The merge keeps seq order and the limit. */
	store_query_init(&q);
	q.kind = "probe";
	q.verdict = "fail";
	q.verdict_alt = "error";
	q.newest_first = true;
	q.limit = 5;
	{
		struct collect c;

		memset(&c, 0, sizeof(c));
		run_q(s, &q, &c);
		ck_assert_int_eq(c.n, 5);
		for (k = 1; k < 5; k++)
			ck_assert_uint_lt(c.seqs[k], c.seqs[k - 1]);
		q.newest_first = false;
		run_q(s, &q, &c);
		ck_assert_int_eq(c.n, 5);
		ck_assert_uint_eq(c.seqs[0], 0);
		for (k = 1; k < 5; k++)
			ck_assert_uint_gt(c.seqs[k], c.seqs[k - 1]);
	}
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

/* ---- the one writer (writer.h) and the read-only pool (pool.h) ---- */

/* One entry per request, its body naming the thread and the index. */
#define WBODY	96

static void
w_fill(struct store_entry_in *in, char body[WBODY], int who, int i)
{
	snprintf(body, WBODY, "{\"i\":%d,\"kind\":\"alert\",\"time\":%d,"
	    "\"who\":%d}", i, 1000 + i, who);
	memset(in, 0, sizeof(*in));
	in->kind = "alert";
	in->time = 1000 + i;
	in->body = (const uint8_t *)body;
	in->body_len = strlen(body);
}

static struct store_writer *
w_start(struct store *s)
{
	struct store_writer *w = NULL;
	struct tmon_err err = { 0 };

	ck_assert_msg(store_writer_start(s, &w, &err) == TMON_OK, "%s",
	    err.msg);
	return w;
}

/* Everything the log holds recomputes, gap-free, from seq 0. */
static uint64_t
w_verify(void)
{
	struct store *ro = open_ro();
	struct tmon_err err = { 0 };
	uint64_t size = 0;

	ck_assert_msg(store_verify_chain(ro, &size, NULL, &err) == TMON_OK,
	    "%s", err.msg);
	store_close(ro);
	return size;
}

/* The body stored at seq has the leaf the writer reported. */
static void
w_check_entry(uint64_t seq, const uint8_t leaf[32], const char *body)
{
	struct store *ro = open_ro();
	struct store_entry e;
	struct tmon_err err = { 0 };
	uint8_t want[32];

	ck_assert_int_eq(store_entry_get(ro, seq, &e, &err), TMON_OK);
	ck_assert_uint_eq(e.body_len, strlen(body));
	ck_assert_mem_eq(e.body, body, e.body_len);
	want_leaf(body, want);
	ck_assert_mem_eq(e.leaf, want, 32);
	ck_assert_mem_eq(leaf, want, 32);
	store_entry_free(&e);
	store_close(ro);
}

/* An asynchronous request and what its completion said. */
#define WREQS	24

struct wjobs;

struct wjob {
	struct wjobs		*all;
	struct store_entry_in	 in;
	struct store_blob_in	 blob;
	char			 body[WBODY];
	bool			 done;
	enum tmon_rc		 rc;
	uint64_t		 seq;
	uint8_t			 leaf[32];
	size_t			 n;
	int			 order;		/* completion order */
};

struct wjobs {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 completed;
	struct wjob		 j[WREQS];
};

static void
wjob_done(void *arg, enum tmon_rc rc, const struct store_appended *out,
    size_t n, const struct tmon_err *err)
{
	struct wjob *j = arg;
	struct wjobs *all = j->all;

	(void)err;
	pthread_mutex_lock(&all->mu);
	j->rc = rc;
	j->n = n;
	if (rc == TMON_OK && n == 1) {
		j->seq = out[0].seq;
		memcpy(j->leaf, out[0].leaf, 32);
	}
	j->order = all->completed++;
	j->done = true;
	pthread_cond_broadcast(&all->cv);
	pthread_mutex_unlock(&all->mu);
}

static void
wjobs_init(struct wjobs *all)
{
	int i;

	memset(all, 0, sizeof(*all));
	pthread_mutex_init(&all->mu, NULL);
	pthread_cond_init(&all->cv, NULL);
	for (i = 0; i < WREQS; i++) {
		all->j[i].all = all;
		w_fill(&all->j[i].in, all->j[i].body, 0, i);
	}
}

static void
wjobs_wait(struct wjobs *all, int n)
{
	pthread_mutex_lock(&all->mu);
	while (all->completed < n)
		pthread_cond_wait(&all->cv, &all->mu);
	pthread_mutex_unlock(&all->mu);
}

static void
wjobs_free(struct wjobs *all)
{
	pthread_mutex_destroy(&all->mu);
	pthread_cond_destroy(&all->cv);
}

/*
 * A gate in the append hook: the writer thread stops inside its first
 * transaction until the test opens the gate, so that requests queued
 * meanwhile wait for the next one.
 */
struct gate {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	bool		 inside;	/* the writer reached the hook */
	bool		 open;
};

static void
gate_hook(void *arg, uint64_t seq)
{
	struct gate *g = arg;

	(void)seq;
	pthread_mutex_lock(&g->mu);
	g->inside = true;
	pthread_cond_broadcast(&g->cv);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

static void
gate_init(struct gate *g)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
}

static void
gate_wait_inside(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	while (!g->inside)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

static void
gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->open = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void
gate_free(struct gate *g)
{
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
}

/*
 * Order and batching: while the writer is held inside the transaction of
 * request 0, requests 1..WREQS-1 queue up; once it is let go they are
 * committed in ONE transaction, in the order they were submitted, and
 * completed in that order with their own seq and leaf hash.
 */
START_TEST(test_writer_batches_in_order)
{
	struct store *s = open_rw();
	struct store_writer *w;
	struct store_writer_stats st;
	struct tmon_err err = { 0 };
	struct wjobs all;
	struct gate g;
	int i;

	append_range(s, 0, 2, false);
	gate_init(&g);
	store_set_append_hook(s, gate_hook, &g);
	w = w_start(s);
	wjobs_init(&all);
	ck_assert_int_eq(store_writer_submit(w, NULL, 0, &all.j[0].in, 1,
	    false, wjob_done, &all.j[0], &err), TMON_OK);
	gate_wait_inside(&g);
	for (i = 1; i < WREQS; i++)
		ck_assert_msg(store_writer_submit(w, NULL, 0, &all.j[i].in, 1,
		    false, wjob_done, &all.j[i], &err) == TMON_OK, "%s",
		    err.msg);
	gate_open(&g);
	wjobs_wait(&all, WREQS);
	store_writer_stats(w, &st);
	ck_assert_uint_eq(st.batches, 2);
	ck_assert_uint_eq(st.max_batch, WREQS - 1);
	ck_assert_uint_eq(st.entries, WREQS);
	ck_assert_uint_eq(st.requests, WREQS);
	ck_assert_uint_eq(st.failed, 0);
	for (i = 0; i < WREQS; i++) {
		ck_assert_int_eq(all.j[i].rc, TMON_OK);
		ck_assert_uint_eq(all.j[i].n, 1);
		ck_assert_uint_eq(all.j[i].seq, 2 + (uint64_t)i);
		ck_assert_int_eq(all.j[i].order, i);
		w_check_entry(all.j[i].seq, all.j[i].leaf, all.j[i].body);
	}
	store_writer_stop(w);
	ck_assert_uint_eq(w_verify(), 2 + WREQS);
	wjobs_free(&all);
	gate_free(&g);
}
END_TEST

/*
 * A request that is wrong in itself is refused to its caller when it is
 * submitted, and the requests around it are committed as usual.
 */
START_TEST(test_writer_refuses_bad_request)
{
	struct store_writer *w = w_start(open_rw());
	struct store_entry_in in[3], bad;
	struct store_appended out[3];
	struct store_blob_in b;
	struct tmon_err err = { 0 };
	char body[3][WBODY];
	int i;

	for (i = 0; i < 3; i++)
		w_fill(&in[i], body[i], 1, i);
	bad = in[1];
	bad.kind = "nonsense";
	ck_assert_int_eq(store_writer_append(w, NULL, 0, &bad, 1, out, &err),
	    TMON_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad kind"));
	memset(&b, 0, sizeof(b));
	b.data = (const uint8_t *)"x";
	b.len = 1;
	b.media_type = "bad\ntype";
	tmon_err_clear(&err);
	ck_assert_int_eq(store_writer_submit(w, &b, 1, in, 1, false,
	    wjob_done, NULL, &err), TMON_E_PARSE);
	tmon_err_clear(&err);
	ck_assert_int_eq(store_writer_append(w, NULL, 0,
	    in, MAX_APPEND_ENTRIES + 1, out, &err), TMON_E_LIMIT);
	tmon_err_clear(&err);
	ck_assert_msg(store_writer_append(w, NULL, 0, in, 3, out, &err) ==
	    TMON_OK, "%s", err.msg);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(out[i].seq, (uint64_t)i);
	store_writer_stop(w);
	ck_assert_uint_eq(w_verify(), 3);
}
END_TEST

/*
 * A transaction that fails on the log itself (here its last seq is
 * INT64_MAX, a log_tail the store refuses), not on any request: each
 * request of the batch is tried alone, each gets the error, nothing is
 * appended, and the writer keeps serving.
 */
START_TEST(test_writer_batch_fails_alone)
{
	struct store *s = open_rw();
	struct store_writer *w;
	struct store_writer_stats st;
	struct store_entry_in in;
	struct tmon_err err = { 0 };
	struct wjobs all;
	char body[WBODY];
	int i;

	append_range(s, 0, 2, false);
	ck_assert_int_eq(raw_exec("DROP TRIGGER entries_no_update; "
	    "UPDATE entries SET seq = 9223372036854775807 WHERE seq = 1"),
	    SQLITE_OK);
	w = w_start(s);
	wjobs_init(&all);
	/* announced: the writer waits for the rest to join the batch */
	store_writer_announce(w);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(store_writer_submit(w, NULL, 0, &all.j[i].in,
		    1, false, wjob_done, &all.j[i], &err), TMON_OK);
	store_writer_withdraw(w);
	wjobs_wait(&all, 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(all.j[i].rc, TMON_E_PARSE);
	w_fill(&in, body, 5, 0);
	ck_assert_int_eq(store_writer_append(w, NULL, 0, &in, 1, NULL, &err),
	    TMON_E_PARSE);
	ck_assert_msg(strstr(err.msg, "corrupt") != NULL, "%s", err.msg);
	store_writer_stats(w, &st);
	ck_assert_uint_eq(st.failed, 4);
	ck_assert_uint_eq(st.entries, 0);
	store_writer_stop(w);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), 2);
	wjobs_free(&all);
}
END_TEST

/*
 * The disk refuses the writes (RLIMIT_FSIZE, EFBIG, as a full disk gives
 * ENOSPC): every request of the failed transaction, queued
 * asynchronously or waited for, gets TMON_E_IO; nothing of them is in
 * the log; once the disk takes writes again the same writer appends and
 * the chain goes on without a gap.
 */
struct wsync {
	struct store_writer	*w;
	struct store_entry_in	 in;
	struct store_blob_in	 blob;
	char			 body[WBODY];
	enum tmon_rc		 rc;
	char			 msg[256];
};

static void *
wsync_main(void *arg)
{
	struct wsync *x = arg;
	struct tmon_err err = { 0 };

	x->rc = store_writer_append(x->w, &x->blob, 1, &x->in, 1, NULL, &err);
	snprintf(x->msg, sizeof(x->msg), "%s", err.msg);
	return NULL;
}

static uint8_t wbig[256 * 1024];

START_TEST(test_writer_full_disk_fails_every_caller)
{
	struct store *s = open_rw();
	struct store_writer *w;
	struct store_writer_stats st;
	struct tmon_err err = { 0 };
	struct store_appended out;
	struct wjobs all;
	struct wsync x;
	struct gate g;
	struct rlimit rl, old;
	struct timespec ms = { 0, 1000000 };
	pthread_t th;
	int i, lifted;

	append_range(s, 0, 2, false);
	gate_init(&g);
	store_set_append_hook(s, gate_hook, &g);
	w = w_start(s);
	wjobs_init(&all);
	memset(wbig, 'x', sizeof(wbig));
	for (i = 0; i < WREQS; i++) {
		all.j[i].blob.data = wbig;
		all.j[i].blob.len = sizeof(wbig) - (size_t)i; /* distinct */
		all.j[i].blob.media_type = "application/octet-stream";
	}
	memset(&x, 0, sizeof(x));
	x.w = w;
	w_fill(&x.in, x.body, 2, 0);
	x.blob = all.j[0].blob;
	x.blob.len = sizeof(wbig) - WREQS;
	/* Hold the writer in request 0's transaction, queue the rest and a
	   caller that waits, then make the disk refuse every write. */
	ck_assert_int_eq(store_writer_submit(w, &all.j[0].blob, 1,
	    &all.j[0].in, 1, false, wjob_done, &all.j[0], &err), TMON_OK);
	gate_wait_inside(&g);
	for (i = 1; i < WREQS; i++)
		ck_assert_int_eq(store_writer_submit(w, &all.j[i].blob, 1,
		    &all.j[i].in, 1, false, wjob_done, &all.j[i], &err),
		    TMON_OK);
	ck_assert_int_eq(pthread_create(&th, NULL, wsync_main, &x), 0);
	/* wait (bounded) until the waiting caller is queued too */
	for (i = 0; i < 10000; i++) {
		store_writer_stats(w, &st);
		if (st.queued == WREQS)
			break;
		nanosleep(&ms, NULL);
	}
	ck_assert_uint_eq(st.queued, WREQS);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	rl = old;
	rl.rlim_cur = 1;
	/* no assertion until the limit is lifted: Check reports through a
	 * file */
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		abort();
	gate_open(&g);
	wjobs_wait(&all, WREQS);
	pthread_join(th, NULL);
	lifted = setrlimit(RLIMIT_FSIZE, &old);
	ck_assert_int_eq(lifted, 0);
	for (i = 0; i < WREQS; i++)
		ck_assert_msg(all.j[i].rc == TMON_E_IO, "request %d: rc %d", i,
		    all.j[i].rc);
	ck_assert_msg(x.rc == TMON_E_IO, "waiting caller: rc %d: %s", x.rc,
	    x.msg);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM entries"), 2);
	/* the disk takes writes again: the next append is seq 2 */
	tmon_err_clear(&err);
	ck_assert_msg(store_writer_append(w, &x.blob, 1, &x.in, 1, &out,
	    &err) == TMON_OK, "%s", err.msg);
	ck_assert_uint_eq(out.seq, 2);
	store_writer_stats(w, &st);
	ck_assert_uint_eq(st.failed, WREQS + 1);
	store_writer_stop(w);
	ck_assert_uint_eq(w_verify(), 3);
	wjobs_free(&all);
	gate_free(&g);
}
END_TEST

/*
 * Several threads append at once, each waiting for some appends and
 * queueing others, while readers go through the pool: every entry gets
 * one seq, each thread's entries are in the order it submitted them,
 * the chain recomputes without a gap, and no reader sees a broken log.
 */
#define WTHREADS	4
#define WPER		40

struct wthread {
	struct store_writer	*w;
	int			 who;
	struct wjobs		 jobs;		/* the queued ones */
	char			 sbody[WPER][WBODY];
	struct store_entry_in	 sin[WPER];
	uint64_t		 seq[WPER];
	uint8_t			 leaf[WPER][32];
	int			 bad;
};

static void *
wthread_main(void *arg)
{
	struct wthread *t = arg;
	struct store_appended out;
	struct tmon_err err;
	int i, q = 0;

	for (i = 0; i < WPER; i++) {
		tmon_err_clear(&err);
		if (i % 2 == 0 && q < WREQS) {
			/* queued: completion comes later */
			w_fill(&t->jobs.j[q].in, t->jobs.j[q].body, t->who, i);
			if (store_writer_submit(t->w, NULL, 0,
			    &t->jobs.j[q].in, 1, false, wjob_done,
			    &t->jobs.j[q], &err) != TMON_OK)
				t->bad++;
			t->seq[i] = UINT64_MAX - (uint64_t)q;	/* later */
			q++;
			continue;
		}
		w_fill(&t->sin[i], t->sbody[i], t->who, i);
		if (store_writer_append(t->w, NULL, 0, &t->sin[i], 1, &out,
		    &err) != TMON_OK) {
			t->bad++;
			continue;
		}
		t->seq[i] = out.seq;
		memcpy(t->leaf[i], out.leaf, 32);
	}
	wjobs_wait(&t->jobs, q);
	return NULL;
}

struct wreader {
	struct store_pool	*pool;
	int			*stop;
	int			 reads;
	int			 bad;
	pthread_mutex_t		*mu;
};

static void *
wreader_main(void *arg)
{
	struct wreader *r = arg;
	struct store *st;
	struct tmon_err err;
	uint64_t size;
	int stop;

	for (;;) {
		pthread_mutex_lock(r->mu);
		stop = *r->stop;
		pthread_mutex_unlock(r->mu);
		if (stop)
			break;
		tmon_err_clear(&err);
		if (store_pool_get(r->pool, &st, &err) != TMON_OK) {
			r->bad++;
			continue;
		}
		if (store_verify_chain(st, &size, NULL, &err) != TMON_OK)
			r->bad++;
		store_pool_put(r->pool, st);
		r->reads++;
	}
	return NULL;
}

static int
cmp_seq(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

START_TEST(test_writer_concurrent)
{
	static struct wthread t[WTHREADS];
	static uint64_t all[WTHREADS * WPER];
	struct store_writer *w = w_start(open_rw());
	struct store_writer_stats st;
	struct store_pool *pool = NULL;
	struct wreader rd[2];
	struct tmon_err err = { 0 };
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_t th[WTHREADS], rth[2];
	int stop = 0;
	size_t n = 0;
	uint64_t last;
	int i, j, q;

	ck_assert_msg(store_pool_new(dbpath, 2, &pool, &err) == TMON_OK, "%s",
	    err.msg);
	for (i = 0; i < 2; i++) {
		memset(&rd[i], 0, sizeof(rd[i]));
		rd[i].pool = pool;
		rd[i].stop = &stop;
		rd[i].mu = &mu;
		ck_assert_int_eq(pthread_create(&rth[i], NULL, wreader_main,
		    &rd[i]), 0);
	}
	for (i = 0; i < WTHREADS; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		wjobs_init(&t[i].jobs);
		t[i].w = w;
		t[i].who = i;
		ck_assert_int_eq(pthread_create(&th[i], NULL, wthread_main,
		    &t[i]), 0);
	}
	for (i = 0; i < WTHREADS; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&mu);
	stop = 1;
	pthread_mutex_unlock(&mu);
	for (i = 0; i < 2; i++)
		pthread_join(rth[i], NULL);
	store_writer_stats(w, &st);
	store_writer_stop(w);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(rd[i].bad, 0);
	ck_assert_uint_eq(st.entries, WTHREADS * WPER);
	ck_assert_uint_eq(st.failed, 0);
	for (i = 0; i < WTHREADS; i++) {
		ck_assert_int_eq(t[i].bad, 0);
		/* fill in the queued ones, then check the thread's order */
		for (j = 0, q = 0; j < WPER; j++) {
			if (j % 2 != 0 || q >= WREQS)
				continue;
			ck_assert_int_eq(t[i].jobs.j[q].rc, TMON_OK);
			t[i].seq[j] = t[i].jobs.j[q].seq;
			memcpy(t[i].leaf[j], t[i].jobs.j[q].leaf, 32);
			w_check_entry(t[i].seq[j], t[i].leaf[j],
			    t[i].jobs.j[q].body);
			q++;
		}
		for (j = 0, last = 0; j < WPER; j++) {
			if (j > 0)
				ck_assert_uint_gt(t[i].seq[j], last);
			last = t[i].seq[j];
			if (j % 2 != 0)
				w_check_entry(t[i].seq[j], t[i].leaf[j],
				    t[i].sbody[j]);
			all[n++] = t[i].seq[j];
		}
		wjobs_free(&t[i].jobs);
	}
	qsort(all, n, sizeof(all[0]), cmp_seq);
	for (i = 0; i < (int)n; i++)
		ck_assert_uint_eq(all[i], (uint64_t)i);
	ck_assert_uint_eq(w_verify(), WTHREADS * WPER);
	store_pool_free(pool);
}
END_TEST

/*
 * The database file renamed away under the writer: the writer's file
 * check says so (within a few of its STORE_WRITER_CHECK_MS rounds),
 * appends fail with TMON_E_IO and write nothing; with the file back at
 * its path both recover and the chain goes on.
 */
static enum tmon_rc
w_file_state(struct store_writer *w, enum tmon_rc want, struct tmon_err *err)
{
	struct timespec ms = { 0, 10 * 1000000 };
	enum tmon_rc rc = TMON_OK;
	int i;

	/* bounded: 1000 x 10 ms, 40 times the check interval */
	for (i = 0; i < 1000; i++) {
		tmon_err_clear(err);
		if ((rc = store_writer_check_file(w, err)) == want)
			break;
		nanosleep(&ms, NULL);
	}
	return rc;
}

START_TEST(test_writer_file_moved)
{
	struct store *s = open_rw();
	struct store_writer *w;
	struct store_entry_in in;
	struct store_appended out;
	struct tmon_err err = { 0 };
	char body[WBODY], moved[160];

	append_range(s, 0, 2, false);
	w = w_start(s);
	ck_assert_int_eq(store_writer_check_file(w, &err), TMON_OK);
	snprintf(moved, sizeof(moved), "%s.old", dbpath);
	ck_assert_int_eq(rename(dbpath, moved), 0);
	ck_assert_int_eq(w_file_state(w, TMON_E_IO, &err), TMON_E_IO);
	ck_assert_msg(strstr(err.msg, "deleted or renamed") != NULL, "%s",
	    err.msg);
	w_fill(&in, body, 3, 2);
	tmon_err_clear(&err);
	ck_assert_int_eq(store_writer_append(w, NULL, 0, &in, 1, &out, &err),
	    TMON_E_IO);
	ck_assert_int_eq(rename(moved, dbpath), 0);
	ck_assert_int_eq(w_file_state(w, TMON_OK, &err), TMON_OK);
	tmon_err_clear(&err);
	ck_assert_msg(store_writer_append(w, NULL, 0, &in, 1, &out, &err) ==
	    TMON_OK, "%s", err.msg);
	ck_assert_uint_eq(out.seq, 2);
	store_writer_stop(w);
	ck_assert_uint_eq(w_verify(), 3);
}
END_TEST

/*
 * Stopping commits and completes what is queued; announcements make a
 * batch wait for the announced request, never for ever; a writer needs
 * a read-write handle.
 */
START_TEST(test_writer_stop_and_announce)
{
	struct store_writer *w = w_start(open_rw());
	struct store_writer_stats st;
	struct store_entry_in in;
	struct store_appended out;
	struct tmon_err err = { 0 };
	struct wjobs all;
	char body[WBODY];
	int i;

	wjobs_init(&all);
	/* an announced request that comes, one that never does */
	store_writer_announce(w);
	store_writer_announce(w);
	w_fill(&in, body, 4, 100);
	ck_assert_int_eq(store_writer_append(w, NULL, 0, &in, 1, &out, &err),
	    TMON_OK);
	ck_assert_uint_eq(out.seq, 0);
	ck_assert_int_eq(store_writer_submit(w, NULL, 0, &all.j[0].in, 1,
	    true, wjob_done, &all.j[0], &err), TMON_OK);
	store_writer_withdraw(w);
	for (i = 1; i < WREQS; i++)
		ck_assert_int_eq(store_writer_submit(w, NULL, 0, &all.j[i].in,
		    1, false, wjob_done, &all.j[i], &err), TMON_OK);
	store_writer_stats(w, &st);
	store_writer_stop(w);
	/* every callback ran before store_writer_stop returned */
	ck_assert_int_eq(all.completed, WREQS);
	for (i = 0; i < WREQS; i++) {
		ck_assert_int_eq(all.j[i].rc, TMON_OK);
		ck_assert_uint_eq(all.j[i].seq, 1 + (uint64_t)i);
	}
	ck_assert_uint_eq(w_verify(), 1 + WREQS);
	wjobs_free(&all);
	/* a read-only handle is refused (and closed) */
	w = NULL;
	ck_assert_int_eq(store_writer_start(open_ro(), &w, &err),
	    TMON_E_UNSUPPORTED);
	ck_assert_ptr_null(w);
}
END_TEST

/* The pool: bounded, refuses what is no log, hands out working handles. */
START_TEST(test_pool)
{
	struct store_pool *p = NULL;
	struct store *h[3];
	struct tmon_err err = { 0 };
	uint64_t size;
	int i;

	ck_assert_int_eq(store_pool_new(dbpath, 0, &p, &err), TMON_E_CONFIG);
	ck_assert_int_eq(store_pool_new(dbpath, MAX_STORE_POOL + 1, &p, &err),
	    TMON_E_CONFIG);
	/* no log at the path yet */
	ck_assert_int_ne(store_pool_new(dbpath, 2, &p, &err), TMON_OK);
	ck_assert_ptr_null(p);
	store_close(open_rw());
	ck_assert_msg(store_pool_new(dbpath, 2, &p, &err) == TMON_OK, "%s",
	    err.msg);
	/* more handles at once than it keeps */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(store_pool_get(p, &h[i], &err), TMON_OK);
		ck_assert_int_eq(store_verify_chain(h[i], &size, NULL, &err),
		    TMON_OK);
		ck_assert_uint_eq(size, 0);
		ck_assert_int_eq(store_handle_mode(h[i]), STORE_RO);
	}
	for (i = 0; i < 3; i++)
		store_pool_put(p, h[i]);
	store_pool_put(p, NULL);
	store_pool_free(p);
	store_pool_free(NULL);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *su = suite_create("store");
	TCase *tc = tcase_create("store");
	TCase *tw = tcase_create("writer");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* test_query_plans appends 3,000 entries: slow under TSan */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_append_read_back);
	tcase_add_test(tc, test_empty_log);
	tcase_add_test(tc, test_tamper_body);
	tcase_add_test(tc, test_tamper_leaf_and_body);
	tcase_add_test(tc, test_tree_roots);
	tcase_add_test(tc, test_checkpoints);
	tcase_add_test(tc, test_verify_tree_tampered);
	tcase_add_test(tc, test_migrate_tree);
	tcase_add_test(tc, test_writer_checkpoints);
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
	tcase_add_test(tc, test_derived_tables);
	tcase_add_test(tc, test_migrate_v2_log);
	tcase_add_test(tc, test_event_class_column);
	tcase_add_test(tc, test_query_plans);
	tcase_add_test(tc, test_predicates);
	tcase_add_test(tc, test_file_deleted_or_replaced);
	tcase_add_test(tc, test_write_refused_by_disk);
	suite_add_tcase(su, tc);
	tcase_add_checked_fixture(tw, setup, teardown);
	tcase_set_timeout(tw, 120);
	tcase_add_test(tw, test_writer_batches_in_order);
	tcase_add_test(tw, test_writer_refuses_bad_request);
	tcase_add_test(tw, test_writer_batch_fails_alone);
	tcase_add_test(tw, test_writer_full_disk_fails_every_caller);
	tcase_add_test(tw, test_writer_concurrent);
	tcase_add_test(tw, test_writer_file_moved);
	tcase_add_test(tw, test_writer_stop_and_announce);
	tcase_add_test(tw, test_pool);
	suite_add_tcase(su, tw);
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
