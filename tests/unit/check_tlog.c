/*
 * Unit tests for tlog/tlog.c: RFC 9162 Merkle tree hashes and proofs, and
 * C2SP tlog-tiles coordinates.
 *
 * Expected values come from outside the code under test: the RFC 6962
 * reference tree of Certificate Transparency's test data (eight leaves,
 * the root of every size and two inclusion proofs), a naive recursive
 * MTH written here from the RFC's definition with OpenSSL's SHA256(),
 * and the examples of C2SP tlog-tiles.  tests/go/ checks the same code
 * against Go's golang.org/x/mod/sumdb/tlog.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/sha.h>

#include "encode.h"
#include "tlog.h"

/* RFC 6962 reference leaves and roots (google/certificate-transparency
 * test data, also in RFC 9162 implementations' test suites). */
static const char *const ct_leaves[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f"
};
static const char *const ct_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* The nodes of a test tree, by level, filled by tlog_frontier_append. */
#define T_MAX	1200
struct mem_tree {
	uint64_t	size;
	uint8_t		(*lv[12])[32];
	unsigned	reads;
};

static void
mem_emit(void *arg, const struct tlog_node *n, const uint8_t h[32])
{
	struct mem_tree *t = arg;

	ck_assert_uint_lt(n->level, 12);
	ck_assert_uint_lt(n->index, T_MAX);
	memcpy(t->lv[n->level][n->index], h, 32);
}

static enum tmon_rc
mem_read(void *arg, const struct tlog_node *nodes, size_t n,
    uint8_t (*out)[32], struct tmon_err *err)
{
	struct mem_tree *t = arg;
	size_t i;

	(void)err;
	ck_assert_uint_le(n, 2 * TLOG_MAX_PROOF);
	for (i = 0; i < n; i++) {
		/* a reader is only asked for complete nodes of the tree */
		ck_assert_uint_le((nodes[i].index + 1) << nodes[i].level,
		    t->size);
		memcpy(out[i], t->lv[nodes[i].level][nodes[i].index], 32);
		t->reads++;
	}
	return TMON_OK;
}

static void
leaf_of(uint64_t i, uint8_t out[32])
{
	uint8_t d[9];

	d[0] = 0x00;
	memcpy(d + 1, &i, 8);
	SHA256(d, sizeof(d), out);
}

/* MTH(D[lo:hi)) straight from RFC 9162 section 2.1.1, over leaf_of(). */
static void
naive_mth(uint64_t lo, uint64_t hi, uint8_t out[32])
{
	uint8_t buf[65], l[32], r[32];
	uint64_t k = 1;

	if (hi - lo == 1) {
		leaf_of(lo, out);
		return;
	}
	while (k * 2 < hi - lo)
		k *= 2;
	naive_mth(lo, lo + k, l);
	naive_mth(lo + k, hi, r);
	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	SHA256(buf, sizeof(buf), out);
}

static struct mem_tree *
mem_build(uint64_t size, struct tlog_frontier *f)
{
	struct mem_tree *t = calloc(1, sizeof(*t));
	uint8_t leaf[32];
	uint64_t i;
	unsigned l;

	ck_assert_ptr_nonnull(t);
	for (l = 0; l < 12; l++)
		ck_assert_ptr_nonnull(t->lv[l] = calloc(T_MAX, 32));
	tlog_frontier_init(f);
	for (i = 0; i < size; i++) {
		leaf_of(i, leaf);
		ck_assert(tlog_frontier_append(f, leaf, mem_emit, t));
	}
	t->size = size;
	return t;
}

static void
mem_free(struct mem_tree *t)
{
	unsigned l;

	for (l = 0; l < 12; l++)
		free(t->lv[l]);
	free(t);
}

static void
hex32(const char *h, uint8_t out[32])
{
	ck_assert(hex_decode_exact(h, 64, out, 32, false));
}

START_TEST(ct_reference_roots)
{
	struct tlog_frontier f;
	uint8_t leaf[32], want[32], got[32], data[16];
	size_t i, len;

	tlog_frontier_init(&f);
	tlog_frontier_root(&f, got);
	hex32(ct_roots[0], want);
	ck_assert_mem_eq(got, want, 32);
	for (i = 0; i < 8; i++) {
		len = strlen(ct_leaves[i]) / 2;
		ck_assert(len == 0 || hex_decode_exact(ct_leaves[i], len * 2,
		    data, len, false));
		tlog_leaf_hash(data, len, leaf);
		ck_assert(tlog_frontier_append(&f, leaf, NULL, NULL));
		tlog_frontier_root(&f, got);
		hex32(ct_roots[i + 1], want);
		ck_assert_msg(memcmp(got, want, 32) == 0, "size %zu", i + 1);
	}
}
END_TEST

/* Section 2.1.3 proofs of the reference tree, as the CT test data lists
 * them. */
START_TEST(ct_reference_inclusion)
{
	static const struct {
		uint64_t	index;
		const char	*p[3];
	} v[] = {
		{ 0, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
		{ 5, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	};
	struct mem_tree t;
	struct tlog_frontier f;
	uint8_t proof[TLOG_MAX_PROOF][32], want[3][32], leaf[32], root[32];
	uint8_t data[16];
	size_t i, j, n, len;
	unsigned l;

	memset(&t, 0, sizeof(t));
	for (l = 0; l < 12; l++)
		ck_assert_ptr_nonnull(t.lv[l] = calloc(T_MAX, 32));
	tlog_frontier_init(&f);
	for (i = 0; i < 8; i++) {
		len = strlen(ct_leaves[i]) / 2;
		ck_assert(len == 0 || hex_decode_exact(ct_leaves[i], len * 2,
		    data, len, false));
		tlog_leaf_hash(data, len, leaf);
		tlog_frontier_append(&f, leaf, mem_emit, &t);
	}
	t.size = 8;
	hex32(ct_roots[8], root);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(tlog_prove_inclusion(v[i].index, 8, mem_read,
		    &t, proof, &n, NULL), TMON_OK);
		ck_assert_uint_eq(n, 3);
		for (j = 0; j < 3; j++) {
			hex32(v[i].p[j], want[j]);
			ck_assert_mem_eq(proof[j], want[j], 32);
		}
		ck_assert(tlog_verify_inclusion(v[i].index, 8,
		    t.lv[0][v[i].index], (const uint8_t (*)[32])want, 3,
		    root));
	}
	for (l = 0; l < 12; l++)
		free(t.lv[l]);
}
END_TEST

/* Every size to 130: the frontier, tlog_root and the naive MTH agree;
 * every inclusion proof verifies and every tampered one does not. */
START_TEST(inclusion_every_size)
{
	struct tlog_frontier f, g;
	struct mem_tree *t;
	uint8_t proof[TLOG_MAX_PROOF][32], root[32], want[32], bad[32];
	uint64_t size, i;
	size_t n;

	t = mem_build(130, &f);
	for (size = 1; size <= 130; size++) {
		t->size = size;
		naive_mth(0, size, want);
		ck_assert_int_eq(tlog_root(size, mem_read, t, root, NULL),
		    TMON_OK);
		ck_assert_msg(memcmp(root, want, 32) == 0, "size %" PRIu64,
		    size);
		ck_assert_int_eq(tlog_frontier_load(&g, size, mem_read, t,
		    NULL), TMON_OK);
		tlog_frontier_root(&g, bad);
		ck_assert_mem_eq(bad, want, 32);
		for (i = 0; i < size; i++) {
			ck_assert_int_eq(tlog_prove_inclusion(i, size,
			    mem_read, t, proof, &n, NULL), TMON_OK);
			ck_assert(tlog_verify_inclusion(i, size, t->lv[0][i],
			    (const uint8_t (*)[32])proof, n, root));
			/* another leaf, index, size or root: refused */
			ck_assert(!tlog_verify_inclusion(i, size,
			    t->lv[0][(i + 1) % 130],
			    (const uint8_t (*)[32])proof, n, root));
			if (size > 1)
				ck_assert(!tlog_verify_inclusion((i + 1) % size,
				    size, t->lv[0][i],
				    (const uint8_t (*)[32])proof, n, root));
			ck_assert(!tlog_verify_inclusion(i, size + 1,
			    t->lv[0][i], (const uint8_t (*)[32])proof, n,
			    root) || n != 0);
			if (n > 0) {
				proof[n - 1][7] ^= 1;
				ck_assert(!tlog_verify_inclusion(i, size,
				    t->lv[0][i],
				    (const uint8_t (*)[32])proof, n, root));
				/* a proof one hash short */
				ck_assert(!tlog_verify_inclusion(i, size,
				    t->lv[0][i],
				    (const uint8_t (*)[32])proof, n - 1,
				    root));
			}
		}
		ck_assert(!tlog_verify_inclusion(size, size, t->lv[0][0],
		    (const uint8_t (*)[32])proof, 0, root));
	}
	ck_assert_int_ne(tlog_prove_inclusion(5, 5, mem_read, t, proof, &n,
	    NULL), TMON_OK);
	mem_free(t);
}
END_TEST

START_TEST(consistency_every_pair)
{
	struct tlog_frontier f;
	struct mem_tree *t;
	uint8_t proof[TLOG_MAX_PROOF][32], r1[32], r2[32];
	uint64_t m, k;
	size_t n;

	t = mem_build(100, &f);
	for (k = 1; k <= 100; k++) {
		t->size = k;
		naive_mth(0, k, r2);
		for (m = 1; m <= k; m++) {
			naive_mth(0, m, r1);
			ck_assert_int_eq(tlog_prove_consistency(m, k, mem_read,
			    t, proof, &n, NULL), TMON_OK);
			ck_assert_msg(tlog_verify_consistency(m, k, r1, r2,
			    (const uint8_t (*)[32])proof, n),
			    "%" PRIu64 " -> %" PRIu64, m, k);
			/* swapped roots, wrong sizes, a flipped bit */
			if (m != k) {
				ck_assert(!tlog_verify_consistency(m, k, r2,
				    r1, (const uint8_t (*)[32])proof, n));
				ck_assert(!tlog_verify_consistency(m, k, r1,
				    r1, (const uint8_t (*)[32])proof, n));
				proof[0][0] ^= 0x80;
				ck_assert(!tlog_verify_consistency(m, k, r1,
				    r2, (const uint8_t (*)[32])proof, n));
				proof[0][0] ^= 0x80;
				ck_assert(!tlog_verify_consistency(m, k, r1,
				    r2, (const uint8_t (*)[32])proof, 0));
			} else
				ck_assert_uint_eq(n, 0);
		}
		ck_assert(!tlog_verify_consistency(0, k, r1, r2,
		    (const uint8_t (*)[32])proof, 0));
	}
	mem_free(t);
}
END_TEST

/* A reader error reaches the caller unchanged. */
static enum tmon_rc
fail_read(void *arg, const struct tlog_node *nodes, size_t n,
    uint8_t (*out)[32], struct tmon_err *err)
{
	(void)arg;
	(void)nodes;
	(void)n;
	(void)out;
	return tmon_err_set(err, TMON_E_NOTFOUND, "no node");
}

START_TEST(reader_errors)
{
	uint8_t proof[TLOG_MAX_PROOF][32], root[32];
	struct tlog_frontier f;
	struct tmon_err err;
	size_t n;

	ck_assert_int_eq(tlog_root(9, fail_read, NULL, root, &err),
	    TMON_E_NOTFOUND);
	ck_assert_int_eq(tlog_prove_inclusion(3, 9, fail_read, NULL, proof,
	    &n, &err), TMON_E_NOTFOUND);
	ck_assert_int_eq(tlog_prove_consistency(3, 9, fail_read, NULL, proof,
	    &n, &err), TMON_E_NOTFOUND);
	ck_assert_int_eq(tlog_frontier_load(&f, 9, fail_read, NULL, &err),
	    TMON_E_NOTFOUND);
	ck_assert_int_eq(tlog_root(TLOG_MAX_SIZE, fail_read, NULL, root,
	    &err), TMON_E_PARSE);
	ck_assert_int_eq(tlog_prove_consistency(0, 9, fail_read, NULL, proof,
	    &n, &err), TMON_E_PARSE);
	ck_assert_int_eq(tlog_prove_consistency(10, 9, fail_read, NULL, proof,
	    &n, &err), TMON_E_PARSE);
}
END_TEST

START_TEST(tile_paths)
{
	static const struct {
		struct tlog_tile t;
		const char *path;
	} v[] = {
		/* the example of C2SP tlog-tiles */
		{ { 0, 1234067, 256 }, "tile/0/x001/x234/067" },
		{ { 0, 0, 256 }, "tile/0/000" },
		{ { 1, 5, 17 }, "tile/1/005.p/17" },
		{ { TLOG_TILE_ENTRIES, 273, 112 }, "tile/entries/273.p/112" },
		{ { 2, 1000, 1 }, "tile/2/x001/000.p/1" },
	};
	static const char *const bad[] = {
		"tile/0/1", "tile/0/0001", "tile/0/x001", "tile/0/001/",
		"tile/0/x1/000", "tile/8/000", "tile/00/000", "tile/-1/000",
		"tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/012",
		"tile/0/000.p/", "tile/0/000.x/1", "tile/entries/000.p/1a",
		"tile/0/x999/x999/x999/x999/x999/x999/x999/000", "tile/0/00a",
		"tiles/0/000", "tile/entries000", "tile/0/000?x", "",
		"tile/0/x009/x223/x372/x036/x854/x775/807", "tile/0/x000/001",
		"tile/entries/x000/x001/000",
	};
	char buf[TLOG_TILE_PATH_MAX];
	struct tlog_tile t;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert(tlog_tile_path(&v[i].t, buf, sizeof(buf)));
		ck_assert_str_eq(buf, v[i].path);
		ck_assert(tlog_tile_parse(v[i].path, &t));
		ck_assert_int_eq(t.level, v[i].t.level);
		ck_assert_uint_eq(t.index, v[i].t.index);
		ck_assert_uint_eq(t.width, v[i].t.width);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!tlog_tile_parse(bad[i], &t), "%s", bad[i]);
	ck_assert(!tlog_tile_path(&v[0].t, buf, 10));
}
END_TEST

struct tally {
	unsigned	full[9], partial[9];
	unsigned	pwidth[9];
};

static bool
count_tile(void *arg, const struct tlog_tile *t)
{
	struct tally *c = arg;
	unsigned l = (unsigned)(t->level + 1);

	if (t->width == TLOG_TILE_WIDTH)
		c->full[l]++;
	else {
		c->partial[l]++;
		c->pwidth[l] = t->width;
	}
	ck_assert(tlog_tile_in_tree(t, 70000));
	return true;
}

/* C2SP tlog-tiles: "a tree of size 70,000 will be represented by 273 full
 * level 0 tiles, one partial level 0 tile of width 112, one full level 1
 * tile, one partial level 1 tile of width 17, and one partial level 2
 * tile of width 1". */
START_TEST(tiles_of_70000)
{
	struct tally c;
	struct tlog_tile t;

	memset(&c, 0, sizeof(c));
	ck_assert(tlog_tiles_each(70000, count_tile, &c));
	ck_assert_uint_eq(c.full[1], 273);
	ck_assert_uint_eq(c.partial[1], 1);
	ck_assert_uint_eq(c.pwidth[1], 112);
	ck_assert_uint_eq(c.full[0], 273);	/* entry bundles as level 0 */
	ck_assert_uint_eq(c.pwidth[0], 112);
	ck_assert_uint_eq(c.full[2], 1);
	ck_assert_uint_eq(c.pwidth[2], 17);
	ck_assert_uint_eq(c.full[3], 0);
	ck_assert_uint_eq(c.partial[3], 1);
	ck_assert_uint_eq(c.pwidth[3], 1);
	ck_assert_uint_eq(c.partial[4], 0);
	/* not in the tree: other widths, tiles past the end */
	t.level = 0;
	t.index = 273;
	t.width = 111;
	ck_assert(!tlog_tile_in_tree(&t, 70000));
	t.width = 256;
	ck_assert(!tlog_tile_in_tree(&t, 70000));
	t.index = 272;
	ck_assert(tlog_tile_in_tree(&t, 70000));
	t.level = 3;
	t.index = 0;
	t.width = 1;
	ck_assert(!tlog_tile_in_tree(&t, 70000));
	/* a tree of size 256: one full level 0 tile, level 1 width 1 */
	memset(&c, 0, sizeof(c));
	t.level = 1;
	t.width = 1;
	ck_assert(tlog_tile_in_tree(&t, 256));
	t.level = 0;
	t.width = 256;
	ck_assert(tlog_tile_in_tree(&t, 256));
}
END_TEST

static Suite *
tlog_suite(void)
{
	Suite *s = suite_create("tlog");
	TCase *tc = tcase_create("tlog");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ct_reference_roots);
	tcase_add_test(tc, ct_reference_inclusion);
	tcase_add_test(tc, inclusion_every_size);
	tcase_add_test(tc, consistency_every_pair);
	tcase_add_test(tc, reader_errors);
	tcase_add_test(tc, tile_paths);
	tcase_add_test(tc, tiles_of_70000);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tlog_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
