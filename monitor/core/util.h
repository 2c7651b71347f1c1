/*
 * util.h: small helpers shared by every module.
 */
#ifndef TMON_CORE_UTIL_H
#define TMON_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct sockaddr_in;

/*
 * Parse a decimal unsigned integer in [min, max] (no sign, no spaces, no
 * trailing characters).  Returns false on anything else.  Never atoi().
 */
bool	parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* As parse_u64 for signed values in [min, max]. */
bool	parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/*
 * Open path for reading if it names a regular file, and nothing else.
 * The open is non-blocking (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
 * plus oflags, e.g. O_NOFOLLOW), so a FIFO or a device named by mistake
 * neither blocks nor becomes a controlling terminal; fstat() then checks
 * the type and the size.  A relative path is taken from the directory
 * open as dirfd (AT_FDCWD: the working directory).  On success *fd is
 * the open descriptor (the caller closes it) and *size the file size in
 * bytes; on failure nothing is left open.
 * Errors: TMON_E_IO (open or fstat failed; a FIFO, socket, device or
 * directory: "not a regular file"), TMON_E_LIMIT (larger than max bytes).
 */
enum tmon_rc	open_regular(int dirfd, const char *path, int oflags,
		    size_t max, int *fd, size_t *size, struct tmon_err *err);

/*
 * Read a whole regular file of at most max bytes, opened as by
 * open_regular(), into a new NUL-terminated buffer (caller frees) and
 * store its length (without the NUL) in *len.  Every program reads files
 * named by a user (schedule, trust anchors, tmonctl arguments, dashboard
 * files) through this, so none can be made to hang on a FIFO.
 * Errors: as open_regular(), and TMON_E_IO if a read fails or the file
 * changes size while being read.  On failure *out and *len are unchanged.
 */
enum tmon_rc	read_file_at(int dirfd, const char *path, int oflags,
		    size_t max, uint8_t **out, size_t *len,
		    struct tmon_err *err);

/* read_file_at(AT_FDCWD, path, 0, max, out, len, err). */
enum tmon_rc	read_file(const char *path, size_t max, uint8_t **out,
		    size_t *len, struct tmon_err *err);

/*
 * Replace the file at path with len bytes of data, atomically: they are
 * written to a new temporary file in the same directory (O_CREAT |
 * O_EXCL, mode mode), fsync'd and renamed over path, and the directory
 * is fsync'd, so after a crash path holds either the old or the new
 * bytes, never a part.  Errors: TMON_E_IO (naming the step and path).
 */
enum tmon_rc	write_file_atomic(const char *path, const void *data,
		    size_t len, mode_t mode, struct tmon_err *err);

/* SHA-256 of n bytes into out[32] (OpenSSL one-shot). */
void	sha256(const void *p, size_t n, uint8_t out[32]);

/*
 * SHA-256 of the concatenation a || b into out[32].  Returns false only if
 * the OpenSSL digest failed (a library failure, not a mismatch).
 */
bool	sha256_2(const void *a, size_t alen, const void *b, size_t blen,
	    uint8_t out[32]);

/*
 * True if the JSON text s (n bytes) nests objects and arrays at most max
 * deep (brackets inside strings are not counted).  A cheap bound run on
 * untrusted text before jansson parses it (jansson allows 2048 levels).
 * The text need not be valid JSON: the parser judges that.
 */
bool	json_text_depth_ok(const void *s, size_t n, int max);

/*
 * True if m is a model id: 1..MAX_MODEL_ID-1 bytes of printable ASCII
 * without spaces (0x21..0x7e).  The one definition: the store checks
 * entry columns with it (store_model_valid), the receipt parser the
 * model a receipt names.
 */
bool	model_id_valid(const char *m);

/*
 * Parse "A.B.C.D:PORT" (PORT 0..65535, 0 = let the kernel pick) into
 * *sin, accepting only loopback addresses (127.0.0.0/8): for the test
 * servers (tmon-replay, tmon-sim), which hand out canned or simulated
 * evidence and must never listen beyond the machine.  Returns false on
 * anything else.
 */
bool	parse_loopback_listen(const char *s, struct sockaddr_in *sin);

/*
 * snprintf(out, outsz, fmt, ...) where cutting the text short is meant:
 * a message that embeds other bounded messages (a tmon_err's msg in a
 * check detail) is cut at outsz - 1 bytes and always NUL-terminated
 * (outsz > 0).  Returns out.
 */
char	*fmt_trunc(char *out, size_t outsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Format a unix time as RFC 3339 UTC ("2026-06-10T01:49:05Z") into out,
 * which must hold at least 21 bytes.  Returns out.
 */
char	*fmt_time(int64_t t, char *out, size_t outsz);

/*
 * Days from 1970-01-01 to the date y-m-d (m 1-12, d 1-31) of the
 * proleptic Gregorian calendar, negative before 1970 (H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", days_from_civil).
 * The date is not validated.
 */
int64_t	days_from_civil(int64_t y, unsigned m, unsigned d);

/*
 * An RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SS[.F]Z" (the len bytes at s,
 * F 1 to 9 digits, years 1970 to 9999) as unix seconds in *out, a
 * non-zero fraction rounded up when round_up is set, else dropped.
 * False for anything else (a local offset, a leap second, an invalid
 * date); *out is then unchanged.
 */
bool	rfc3339_utc_parse(const char *s, size_t len, bool round_up,
	    int64_t *out);

/*
 * Where tmon's installed data is (README "Installing as a service"): rel
 * ("dashboards", "schedules/default.json", "trust/sigstore-trusted-
 * root.json") in the first of
 *   1. <directory of the executable>/bin_to_data/tmon/rel: an installed
 *      tree, under any prefix or DESTDIR (bin_to_data: the data directory
 *      relative to the program directory, "../share");
 *   2. checkout, the file or directory in the source checkout the
 *      program was built from;
 *   3. datadir/tmon/rel, the data directory of the configured prefix
 * that exists; the last one when none does (the error then names it).
 * The path is written into buf (len bytes) unless it is checkout.
 */
const char	*data_path(const char *bin_to_data, const char *datadir,
		    const char *rel, const char *checkout, char *buf,
		    size_t len);

#endif /* TMON_CORE_UTIL_H */
