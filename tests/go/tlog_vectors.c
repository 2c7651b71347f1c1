/*
 * tlog_vectors: tmon's Merkle tree code (tlog/tlog.h) as text, for the
 * independent checker tests/go/tlogcheck (golang.org/x/mod/sumdb/tlog) to
 * compare with (tests/integration/test_tlog_go.sh).  Trees are built with
 * struct tlog_frontier over deterministic entries (entry_of() below);
 * proofs and tiles are read through a tlog_read_fn over the nodes it
 * emitted, as a log reads its stored nodes.
 *
 *   tlog_vectors proofs MAX
 *       For every size 1..MAX, in order, print
 *           leaf I HEX(entry I or "-" when empty) HEX(leaf hash)  (I = size - 1)
 *           root SIZE HEX(MTH)                          RFC 9162 2.1.1
 *           incl INDEX SIZE N HASH...                   every index < SIZE,
 *                                                       RFC 9162 2.1.3.1
 *           cons OLD SIZE N HASH...                     every OLD 1..SIZE,
 *                                                       RFC 9162 2.1.4.1
 *       then "end MAX".  Every proof is also checked with
 *       tlog_verify_inclusion / tlog_verify_consistency first.
 *   tlog_vectors tiles DIR SIZE ORIGIN
 *       Write the C2SP tlog-tiles of the log of SIZE entries under DIR
 *       (DIR/tile/<L>/<N>[.p/<W>] and DIR/tile/entries/<N>[.p/<W>], paths
 *       from tlog_tiles_each + tlog_tile_path) and print the unsigned
 *       C2SP tlog-checkpoint body (ORIGIN, SIZE, base64 root) on stdout.
 *   tlog_vectors paths
 *       Print "path L N W PATH" for tiles of every level (-1 for entry
 *       bundles), widths 1, 17, 255 and 256 and indexes from 0 to the
 *       largest valid one (tlog_tile_path), each also parsed back
 *       (tlog_tile_parse); then "end COUNT".
 *   tlog_vectors verify
 *       Read verdicts from stdin, one a line,
 *           incl INDEX SIZE LEAF ROOT WANT N HASH...
 *           cons OLD NEW OLD_ROOT NEW_ROOT WANT N HASH...
 *       (hashes in hex, WANT 0 or 1: what the other implementation
 *       decided), run tlog_verify_inclusion / tlog_verify_consistency on
 *       each and stop at the first disagreement; then "end COUNT" must
 *       close the input.
 *
 * Exit status 0; 1 on a disagreement or a proof tmon's code rejects; 2 on
 * a usage or I/O error.
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "encode.h"
#include "tlog.h"
#include "util.h"
#include "xmalloc.h"

/* The largest log the tiles mode writes, and proofs mode checks. */
#define MAX_TILES_SIZE	(UINT64_C(1) << 24)
#define MAX_PROOFS_SIZE	4096
/* A verify line: two sizes, two hashes, a count and at most 80 hashes. */
#define MAX_VERIFY_HASHES 80
#define MAX_ENTRY	2048

/* The complete nodes of a tree, by level: lv[l][i] is node (l, i). */
struct mem_tree {
	uint64_t	size;
	uint64_t	max;
	uint8_t		(*lv[64])[32];
};

static void
usage(void)
{
	fprintf(stderr, "usage: tlog_vectors proofs MAX\n"
	    "       tlog_vectors tiles DIR SIZE ORIGIN\n"
	    "       tlog_vectors paths\n"
	    "       tlog_vectors verify\n");
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "tlog_vectors: %s\n", what);
	exit(2);
}

/*
 * Entry i of the test logs: mostly 0..60 bytes (entry 0 is empty), every
 * 997th from entry 5 on 1000..1049 bytes (a length prefix above 255 in
 * entry bundles).  Returns its length.
 */
static size_t
entry_of(uint64_t i, uint8_t out[MAX_ENTRY])
{
	size_t len, j;

	len = i % 997 == 5 ? 1000 + (size_t)(i % 50) : (size_t)(i * 7 % 61);
	for (j = 0; j < len; j++)
		out[j] = (uint8_t)(i * 31 + j * 17 + (i >> 8));
	return len;
}

static struct mem_tree *
mem_new(uint64_t max)
{
	struct mem_tree *t = xcalloc(1, sizeof(*t));
	unsigned l;

	t->max = max;
	for (l = 0; l < 64 && (max >> l) > 0; l++)
		t->lv[l] = xcalloc((size_t)(max >> l), 32);
	return t;
}

static void
mem_free(struct mem_tree *t)
{
	unsigned l;

	for (l = 0; l < 64; l++)
		free(t->lv[l]);
	free(t);
}

static void
mem_emit(void *arg, const struct tlog_node *n, const uint8_t h[32])
{
	struct mem_tree *t = arg;

	if (n->level >= 64 || t->lv[n->level] == NULL ||
	    n->index >= (t->max >> n->level))
		die("node outside the tree");
	memcpy(t->lv[n->level][n->index], h, 32);
}

/* tlog_read_fn: only complete nodes of the tree built so far exist. */
static enum tmon_rc
mem_read(void *arg, const struct tlog_node *nodes, size_t n,
    uint8_t (*out)[32], struct tmon_err *err)
{
	struct mem_tree *t = arg;
	size_t i;

	for (i = 0; i < n; i++) {
		if (nodes[i].level >= 64 ||
		    (nodes[i].index + 1) > (t->size >> nodes[i].level))
			return tmon_err_set(err, TMON_E_NOTFOUND,
			    "no node (%u, %" PRIu64 ") in a tree of %" PRIu64,
			    nodes[i].level, nodes[i].index, t->size);
		memcpy(out[i], t->lv[nodes[i].level][nodes[i].index], 32);
	}
	return TMON_OK;
}

static void
append_entry(struct mem_tree *t, struct tlog_frontier *f, uint64_t i,
    uint8_t *data, size_t *len, uint8_t leaf[32])
{
	*len = entry_of(i, data);
	tlog_leaf_hash(data, *len, leaf);
	if (!tlog_frontier_append(f, leaf, mem_emit, t))
		die("tree full");
	t->size = f->size;
}

static void
print_hashes(const uint8_t (*h)[32], size_t n)
{
	char hex[65];
	size_t i;

	printf(" %zu", n);
	for (i = 0; i < n; i++)
		printf(" %s", hex_encode(h[i], 32, hex));
	putchar('\n');
}

static int
cmd_proofs(uint64_t max)
{
	struct tlog_frontier f;
	struct mem_tree *t = mem_new(max);
	struct tmon_err err = { 0 };
	uint8_t data[MAX_ENTRY], leaf[32], root[32], (*roots)[32];
	uint8_t (*leaves)[32], proof[TLOG_MAX_PROOF][32];
	char hex[2 * MAX_ENTRY + 1];
	uint64_t size, i;
	size_t len, n;

	roots = xcalloc((size_t)max + 1, 32);
	leaves = xcalloc((size_t)max, 32);
	tlog_frontier_init(&f);
	for (size = 1; size <= max; size++) {
		append_entry(t, &f, size - 1, data, &len, leaf);
		memcpy(leaves[size - 1], leaf, 32);
		printf("leaf %" PRIu64 " %s", size - 1,
		    len == 0 ? "-" : hex_encode(data, len, hex));
		printf(" %s\n", hex_encode(leaf, 32, hex));
		if (tlog_root(size, mem_read, t, root, &err) != TMON_OK)
			die(err.msg);
		tlog_frontier_root(&f, roots[size]);
		if (memcmp(root, roots[size], 32) != 0) {
			fprintf(stderr, "tlog_vectors: size %" PRIu64
			    ": tlog_root and tlog_frontier_root differ\n",
			    size);
			return 1;
		}
		printf("root %" PRIu64 " %s\n", size, hex_encode(root, 32,
		    hex));
		for (i = 0; i < size; i++) {
			if (tlog_prove_inclusion(i, size, mem_read, t, proof,
			    &n, &err) != TMON_OK)
				die(err.msg);
			if (!tlog_verify_inclusion(i, size, leaves[i],
			    (const uint8_t (*)[32])proof, n, root)) {
				fprintf(stderr, "tlog_vectors: inclusion %"
				    PRIu64 " in %" PRIu64 ": own proof "
				    "rejected\n", i, size);
				return 1;
			}
			printf("incl %" PRIu64 " %" PRIu64, i, size);
			print_hashes((const uint8_t (*)[32])proof, n);
		}
		for (i = 1; i <= size; i++) {
			if (tlog_prove_consistency(i, size, mem_read, t, proof,
			    &n, &err) != TMON_OK)
				die(err.msg);
			if (!tlog_verify_consistency(i, size, roots[i], root,
			    (const uint8_t (*)[32])proof, n)) {
				fprintf(stderr, "tlog_vectors: consistency %"
				    PRIu64 " -> %" PRIu64 ": own proof "
				    "rejected\n", i, size);
				return 1;
			}
			printf("cons %" PRIu64 " %" PRIu64, i, size);
			print_hashes((const uint8_t (*)[32])proof, n);
		}
	}
	printf("end %" PRIu64 "\n", max);
	free(roots);
	free(leaves);
	mem_free(t);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("write error on stdout");
	return 0;
}

/* mkdir -p for the directories of path (not path itself). */
static void
make_parents(char *path)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			die(path);
		*p = '/';
	}
}

struct tiles_ctx {
	const char		*dir;
	struct mem_tree		*t;
	int			 failed;
};

/* Write one tile (tlog_tiles_each callback). */
static bool
write_tile(void *arg, const struct tlog_tile *tile)
{
	struct tiles_ctx *c = arg;
	char rel[TLOG_TILE_PATH_MAX], path[4096];
	uint8_t data[MAX_ENTRY], lenb[2];
	uint64_t first, i;
	unsigned level;
	size_t len;
	FILE *fp;
	int k;

	if (!tlog_tile_path(tile, rel, sizeof(rel)) ||
	    !tlog_tile_in_tree(tile, c->t->size)) {
		c->failed = 1;
		return false;
	}
	k = snprintf(path, sizeof(path), "%s/%s", c->dir, rel);
	if (k < 0 || (size_t)k >= sizeof(path))
		die("path too long");
	make_parents(path);
	if ((fp = fopen(path, "wb")) == NULL)
		die(path);
	first = tile->index * TLOG_TILE_WIDTH;
	for (i = first; i < first + tile->width; i++) {
		if (tile->level == TLOG_TILE_ENTRIES) {
			/* C2SP tlog-tiles "Log entries": uint16 BE length */
			len = entry_of(i, data);
			lenb[0] = (uint8_t)(len >> 8);
			lenb[1] = (uint8_t)len;
			fwrite(lenb, 1, 2, fp);
			fwrite(data, 1, len, fp);
		} else {
			level = TLOG_TILE_HEIGHT * (unsigned)tile->level;
			fwrite(c->t->lv[level][i], 1, 32, fp);
		}
	}
	if (fclose(fp) != 0)
		die(path);
	return true;
}

static int
cmd_tiles(const char *dir, uint64_t size, const char *origin)
{
	struct tlog_frontier f;
	struct mem_tree *t = mem_new(size);
	struct tiles_ctx c;
	uint8_t data[MAX_ENTRY], leaf[32], root[32];
	char b64[45];
	uint64_t i;
	size_t len;

	tlog_frontier_init(&f);
	for (i = 0; i < size; i++)
		append_entry(t, &f, i, data, &len, leaf);
	tlog_frontier_root(&f, root);
	c.dir = dir;
	c.t = t;
	c.failed = 0;
	if (!tlog_tiles_each(size, write_tile, &c) || c.failed) {
		fprintf(stderr, "tlog_vectors: a tile of tlog_tiles_each is "
		    "invalid or not in the tree\n");
		return 1;
	}
	EVP_EncodeBlock((unsigned char *)b64, root, 32);
	/* C2SP tlog-checkpoint note text */
	printf("%s\n%" PRIu64 "\n%s\n", origin, size, b64);
	mem_free(t);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("write error on stdout");
	return 0;
}

static int
cmd_paths(void)
{
	static const uint64_t idx[] = { 0, 1, 9, 10, 99, 100, 999, 1000, 1001,
	    1234, 999999, 1000000, 1234067, UINT64_C(1000000000000),
	    UINT64_C(123456789012345678) / 1000, (TLOG_MAX_SIZE >> 8) - 1 };
	static const unsigned widths[] = { 1, 17, 255, 256 };
	struct tlog_tile t, back;
	char path[TLOG_TILE_PATH_MAX];
	size_t i, w, count = 0;
	int level;

	for (level = TLOG_TILE_ENTRIES; level <= 7; level++)
		for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++)
			for (w = 0; w < sizeof(widths) / sizeof(widths[0]);
			    w++) {
				t.level = level;
				t.index = idx[i];
				t.width = widths[w];
				if (!tlog_tile_path(&t, path, sizeof(path)) ||
				    !tlog_tile_parse(path, &back) ||
				    back.level != t.level ||
				    back.index != t.index ||
				    back.width != t.width) {
					fprintf(stderr, "tlog_vectors: tile %d %"
					    PRIu64 " %u: no path or no round "
					    "trip\n", level, t.index, t.width);
					return 1;
				}
				printf("path %d %" PRIu64 " %u %s\n", level,
				    t.index, t.width, path);
				count++;
			}
	printf("end %zu\n", count);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("write error on stdout");
	return 0;
}

/* The next space-separated field of *p: its start, its length in *len. */
static const char *
field(const char **p, size_t *len)
{
	const char *s = *p, *e;

	while (*s == ' ')
		s++;
	for (e = s; *e != ' ' && *e != '\n' && *e != '\0'; e++)
		;
	*len = (size_t)(e - s);
	*p = e;
	return s;
}

static bool
field_u64(const char **p, uint64_t *v)
{
	char num[24];
	const char *s;
	size_t len;

	s = field(p, &len);
	if (len == 0 || len >= sizeof(num))
		return false;
	memcpy(num, s, len);
	num[len] = '\0';
	return parse_u64(num, 0, UINT64_MAX, v);
}

static bool
field_hash(const char **p, uint8_t out[32])
{
	const char *s;
	size_t len;

	s = field(p, &len);
	return hex_decode_exact(s, len, out, 32, false);
}

static int
cmd_verify(void)
{
	uint8_t a[32], b[32], proof[MAX_VERIFY_HASHES][32];
	uint64_t x, y, want, n, i, lineno = 0, incl = 0, cons = 0, end;
	char *line = NULL;
	const char *p, *kw;
	size_t cap = 0, len;
	bool got;

	while (getline(&line, &cap, stdin) > 0) {
		lineno++;
		p = line;
		kw = field(&p, &len);
		if (len == 3 && memcmp(kw, "end", 3) == 0) {
			if (!field_u64(&p, &end) || end != incl + cons) {
				fprintf(stderr, "tlog_vectors: verify: end "
				    "line does not match %" PRIu64 " lines\n",
				    incl + cons);
				return 1;
			}
			free(line);
			printf("tlog_vectors: verify: %" PRIu64 " inclusion "
			    "and %" PRIu64 " consistency verdicts agree\n",
			    incl, cons);
			return 0;
		}
		if (!(len == 4 && (memcmp(kw, "incl", 4) == 0 ||
		    memcmp(kw, "cons", 4) == 0)) || !field_u64(&p, &x) ||
		    !field_u64(&p, &y) || !field_hash(&p, a) ||
		    !field_hash(&p, b) || !field_u64(&p, &want) || want > 1 ||
		    !field_u64(&p, &n) || n > MAX_VERIFY_HASHES) {
			fprintf(stderr, "tlog_vectors: verify: line %" PRIu64
			    ": malformed\n", lineno);
			return 2;
		}
		for (i = 0; i < n; i++)
			if (!field_hash(&p, proof[i])) {
				fprintf(stderr, "tlog_vectors: verify: line %"
				    PRIu64 ": bad hash %" PRIu64 "\n", lineno,
				    i);
				return 2;
			}
		if (kw[0] == 'i') {
			got = tlog_verify_inclusion(x, y, a,
			    (const uint8_t (*)[32])proof, (size_t)n, b);
			incl++;
		} else {
			got = tlog_verify_consistency(x, y, a, b,
			    (const uint8_t (*)[32])proof, (size_t)n);
			cons++;
		}
		if (got != (want == 1)) {
			fprintf(stderr, "tlog_vectors: verify: line %" PRIu64
			    ": tmon says %s, the other implementation %s: %s",
			    lineno, got ? "valid" : "invalid",
			    want ? "valid" : "invalid", line);
			free(line);
			return 1;
		}
	}
	free(line);
	fprintf(stderr, "tlog_vectors: verify: input ends without its end "
	    "line after %" PRIu64 " lines\n", lineno);
	return 1;
}

int
main(int argc, char **argv)
{
	uint64_t n;

	if (argc == 3 && strcmp(argv[1], "proofs") == 0) {
		if (!parse_u64(argv[2], 1, MAX_PROOFS_SIZE, &n))
			usage();
		return cmd_proofs(n);
	}
	if (argc == 5 && strcmp(argv[1], "tiles") == 0) {
		if (!parse_u64(argv[3], 1, MAX_TILES_SIZE, &n) ||
		    argv[4][0] == '\0' || strchr(argv[4], '\n') != NULL)
			usage();
		return cmd_tiles(argv[2], n, argv[4]);
	}
	if (argc == 2 && strcmp(argv[1], "paths") == 0)
		return cmd_paths();
	if (argc == 2 && strcmp(argv[1], "verify") == 0)
		return cmd_verify();
	usage();
	return 2;
}
