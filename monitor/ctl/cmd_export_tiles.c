/*
 * cmd_export_tiles.c: tmonctl export-tiles, the log as a static C2SP
 * tlog-tiles tree of files (https://c2sp.org/tlog-tiles) that any web
 * server, object store or CDN can serve: DIR/checkpoint and every tile
 * and entry bundle of that checkpoint's tree, the bytes tmond serves
 * under /api/v1/log/ (store/tiles.h builds both).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "store.h"
#include "tiles.h"
#include "tlog.h"

static int	export_tiles(int, char *[]);

const struct ctl_cmd ctl_cmd_export_tiles = {
	"export-tiles",
	"DB DIR",
	"Write the log's latest checkpoint and its tiles to DIR, as the API "
	"serves them.",
	"Opens DB read-only and writes DIR/checkpoint (the latest signed "
	"checkpoint with\n"
	"its cosignatures) and every tile of that checkpoint's tree "
	"(DIR/tile/<L>/<N>[.p/<W>],\n"
	"DIR/tile/entries/<N>[.p/<W>]), creating directories.  Each file is "
	"written to a\n"
	"temporary name and renamed; files that already hold the same bytes "
	"are left\n"
	"alone, so running it again updates a mirror.  The checkpoint is "
	"written last,\n"
	"after the tiles are on disk, so a mirror never names a tree it "
	"lacks.\n",
	"exit: 0 exported, 1 the log is damaged (a tile could not be built "
	"from it),\n"
	"      2 usage or I/O error, DB is not a tmon log, or it has no "
	"checkpoint\n",
	export_tiles
};

struct export {
	struct store	*s;
	int		 dirfd;
	const char	*dir;
	uint64_t	 tiles;		/* tiles of the tree */
	uint64_t	 written;	/* files written */
	uint64_t	 replaced;	/* of which had other bytes */
	uint64_t	 bytes;		/* bytes written */
	int		 rc;		/* CTL_EXIT_* of the first failure */
};

static int
fail_io(struct export *x, const char *path, const char *what)
{
	fprintf(stderr, "tmonctl: export-tiles: %s/%s: %s: %s\n", x->dir,
	    path, what, strerror(errno));
	x->rc = CTL_EXIT_USAGE;
	return x->rc;
}

/* Create every directory on the way to path (relative to dirfd). */
static int
make_parents(struct export *x, const char *path)
{
	char p[TLOG_TILE_PATH_MAX];
	size_t i;

	if (strlen(path) >= sizeof(p))
		return fail_io(x, path, "path too long");
	for (i = 0; path[i] != '\0'; i++) {
		if (path[i] != '/')
			continue;
		memcpy(p, path, i);
		p[i] = '\0';
		if (mkdirat(x->dirfd, p, 0755) != 0 && errno != EEXIST)
			return fail_io(x, p, "mkdir");
	}
	return CTL_EXIT_OK;
}

/* Whether path holds exactly data (len bytes): a regular file, read
 * without following a symbolic link. */
static bool
same_bytes(struct export *x, const char *path, const uint8_t *data,
    size_t len, bool *exists)
{
	struct stat st;
	uint8_t buf[8192];
	size_t off = 0, n;
	ssize_t r;
	bool same = true;
	int fd;

	*exists = fstatat(x->dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!*exists || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
		return false;
	fd = openat(x->dirfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return false;
	while (same && off < len) {
		n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		r = read(fd, buf, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || memcmp(buf, data + off, (size_t)r) != 0)
			same = false;
		else
			off += (size_t)r;
	}
	close(fd);
	return same;
}

/*
 * Put data (len bytes) at path under DIR, unless it is there already:
 * written to path.tmp and renamed over path (with fsync first when
 * durable).  Returns CTL_EXIT_OK or CTL_EXIT_USAGE (the error printed).
 */
static int
put_file(struct export *x, const char *path, const uint8_t *data,
    size_t len, bool durable)
{
	char tmp[TLOG_TILE_PATH_MAX + 8];
	size_t off = 0;
	ssize_t r;
	bool exists;
	int fd;

	if (same_bytes(x, path, data, len, &exists))
		return CTL_EXIT_OK;
	if (make_parents(x, path) != CTL_EXIT_OK)
		return x->rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* a temporary file left by an interrupted run */
	(void)unlinkat(x->dirfd, tmp, 0);
	fd = openat(x->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1)
		return fail_io(x, tmp, "create");
	while (off < len) {
		r = write(fd, data + off, len - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			(void)fail_io(x, tmp, "write");
			close(fd);
			(void)unlinkat(x->dirfd, tmp, 0);
			return x->rc;
		}
		off += (size_t)r;
	}
	if ((durable && fsync(fd) != 0) || close(fd) != 0) {
		(void)fail_io(x, tmp, "write");
		(void)unlinkat(x->dirfd, tmp, 0);
		return x->rc;
	}
	if (renameat(x->dirfd, tmp, x->dirfd, path) != 0) {
		(void)fail_io(x, path, "rename");
		(void)unlinkat(x->dirfd, tmp, 0);
		return x->rc;
	}
	if (exists) {
		/* Tiles never change: another log's, or a damaged copy. */
		fprintf(stderr, "tmonctl: export-tiles: %s/%s: replaced a "
		    "file with other bytes\n", x->dir, path);
		x->replaced++;
	}
	x->written++;
	x->bytes += len;
	return CTL_EXIT_OK;
}

static bool
tile_cb(void *arg, const struct tlog_tile *t)
{
	struct export *x = arg;
	struct tmon_err err;
	char path[TLOG_TILE_PATH_MAX];
	uint8_t *data;
	size_t len;

	tmon_err_clear(&err);
	if (!tlog_tile_path(t, path, sizeof(path))) {
		fprintf(stderr, "tmonctl: export-tiles: no path for tile "
		    "(%d, %" PRIu64 ", %u)\n", t->level, t->index, t->width);
		x->rc = CTL_EXIT_USAGE;
		return false;
	}
	if (tiles_read(x->s, t, &data, &len, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: export-tiles: %s: %s\n", path,
		    err.msg);
		x->rc = err.code == TMON_E_PARSE ||
		    err.code == TMON_E_NOTFOUND ? CTL_EXIT_FAILED :
		    CTL_EXIT_USAGE;
		return false;
	}
	x->tiles++;
	(void)put_file(x, path, data, len, false);
	free(data);
	return x->rc == CTL_EXIT_OK;
}

static int
export_tiles(int argc, char *argv[])
{
	struct store_checkpoint cp;
	struct export x;
	struct tmon_err err;
	uint8_t *text = NULL;
	size_t len = 0;
	double t0 = ctl_clock_s(CLOCK_MONOTONIC);
	enum tmon_rc rc;

	if (argc != 3) {
		ctl_usage(&ctl_cmd_export_tiles, stderr);
		return CTL_EXIT_USAGE;
	}
	memset(&x, 0, sizeof(x));
	x.dir = argv[2];
	x.dirfd = -1;
	tmon_err_clear(&err);
	if (store_open(argv[1], STORE_RO, &x.s, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: export-tiles: %s\n", err.msg);
		return CTL_EXIT_USAGE;
	}
	if ((rc = tiles_checkpoint(x.s, &cp, &text, &len, &err)) != TMON_OK) {
		if (rc == TMON_E_NOTFOUND)
			fprintf(stderr, "tmonctl: export-tiles: %s has no "
			    "checkpoint yet: nothing to export\n", argv[1]);
		else
			fprintf(stderr, "tmonctl: export-tiles: %s\n",
			    err.msg);
		store_close(x.s);
		return rc == TMON_E_PARSE ? CTL_EXIT_FAILED : CTL_EXIT_USAGE;
	}
	if ((mkdir(x.dir, 0755) != 0 && errno != EEXIST) ||
	    (x.dirfd = open(x.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		fprintf(stderr, "tmonctl: export-tiles: %s: %s\n", x.dir,
		    strerror(errno));
		x.rc = CTL_EXIT_USAGE;
		goto out;
	}
	/* The tiles first, on disk before the checkpoint that names
	 * their tree. */
	if (!tlog_tiles_each(cp.size, tile_cb, &x))
		goto out;
	if (syncfs(x.dirfd) != 0) {
		(void)fail_io(&x, ".", "syncfs");
		goto out;
	}
	if (put_file(&x, "checkpoint", text, len, true) != CTL_EXIT_OK)
		goto out;
	if (fsync(x.dirfd) != 0) {
		(void)fail_io(&x, ".", "fsync");
		goto out;
	}
	printf("export-tiles: checkpoint of size %" PRIu64 ": %" PRIu64
	    " tiles; %" PRIu64 " files written (%" PRIu64 " bytes, %" PRIu64
	    " replaced), %" PRIu64 " unchanged; %.2f s\n", cp.size, x.tiles,
	    x.written, x.bytes, x.replaced, x.tiles + 1 - x.written,
	    ctl_clock_s(CLOCK_MONOTONIC) - t0);
out:
	if (x.dirfd != -1)
		close(x.dirfd);
	free(text);
	store_checkpoint_free(&cp);
	store_close(x.s);
	return x.rc;
}
