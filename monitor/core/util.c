#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "tmon_limits.h"
#include "util.h"
#include "xmalloc.h"

bool
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (s == NULL || *s == '\0')
		return false;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	uint64_t v;
	bool neg = false;

	if (s != NULL && *s == '-') {
		neg = true;
		s++;
	}
	if (!parse_u64(s, 0, (uint64_t)INT64_MAX, &v))
		return false;
	if ((neg ? -(int64_t)v : (int64_t)v) < min ||
	    (neg ? -(int64_t)v : (int64_t)v) > max)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

enum tmon_rc
open_regular(int dirfd, const char *path, int oflags, size_t max, int *fd,
    size_t *size, struct tmon_err *err)
{
	struct stat sb;
	int f;

	f = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
	    oflags);
	if (f == -1)
		return tmon_err_set(err, TMON_E_IO, "%s: %s", path,
		    strerror(errno));
	if (fstat(f, &sb) == -1) {
		close(f);
		return tmon_err_set(err, TMON_E_IO, "%s: %s", path,
		    strerror(errno));
	}
	if (!S_ISREG(sb.st_mode)) {
		close(f);
		return tmon_err_set(err, TMON_E_IO, "%s: not a regular file "
		    "(%s)", path, S_ISFIFO(sb.st_mode) ? "a FIFO" :
		    S_ISDIR(sb.st_mode) ? "a directory" : S_ISSOCK(sb.st_mode) ?
		    "a socket" : "a device");
	}
	if (sb.st_size < 0 || (uint64_t)sb.st_size > max) {
		close(f);
		return tmon_err_set(err, TMON_E_LIMIT,
		    "%s: larger than %zu bytes", path, max);
	}
	*fd = f;
	*size = (size_t)sb.st_size;
	return TMON_OK;
}

enum tmon_rc
read_file_at(int dirfd, const char *path, int oflags, size_t max,
    uint8_t **out, size_t *len, struct tmon_err *err)
{
	uint8_t *p = NULL, extra;
	size_t size, n = 0;
	ssize_t r;
	enum tmon_rc rc;
	int fd;

	if ((rc = open_regular(dirfd, path, oflags, max, &fd, &size, err)) !=
	    TMON_OK)
		return rc;
	p = xmalloc(size + 1);
	while (n < size) {
		r = read(fd, p + n, size - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = tmon_err_set(err, TMON_E_IO, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	/* One more byte, or EOF: a file that grew or shrank is refused. */
	while ((r = read(fd, &extra, 1)) == -1 && errno == EINTR)
		;
	if (n != size || r != 0) {
		rc = tmon_err_set(err, TMON_E_IO, "%s: %s", path, r == -1 ?
		    strerror(errno) : "changed size while being read");
		goto out;
	}
	p[n] = '\0';
	*out = p;
	*len = n;
	p = NULL;
	rc = TMON_OK;
out:
	free(p);
	close(fd);
	return rc;
}

enum tmon_rc
read_file(const char *path, size_t max, uint8_t **out, size_t *len,
    struct tmon_err *err)
{
	return read_file_at(AT_FDCWD, path, 0, max, out, len, err);
}

/* fsync the directory holding path. */
static enum tmon_rc
sync_dir(const char *path, struct tmon_err *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return tmon_err_set(err, TMON_E_IO, "%s: path too long", path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return tmon_err_set(err, TMON_E_IO, "%s: %s", dir,
		    strerror(errno));
	r = fsync(fd);
	close(fd);
	if (r == -1)
		return tmon_err_set(err, TMON_E_IO, "fsync %s: %s", dir,
		    strerror(errno));
	return TMON_OK;
}

enum tmon_rc
write_file_atomic(const char *path, const void *data, size_t len,
    mode_t mode, struct tmon_err *err)
{
	char tmp[PATH_MAX];
	const uint8_t *p = data;
	size_t off = 0;
	ssize_t w;
	unsigned i;
	int fd = -1;

	for (i = 0; i < 100 && fd == -1; i++) {
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%u.%ld", path, i,
		    (long)getpid()) >= sizeof(tmp))
			return tmon_err_set(err, TMON_E_IO, "%s: path too long",
			    path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, mode);
		if (fd == -1 && errno != EEXIST)
			return tmon_err_set(err, TMON_E_IO, "create %s: %s", tmp,
			    strerror(errno));
	}
	if (fd == -1)
		return tmon_err_set(err, TMON_E_IO, "%s: no temporary file name "
		    "left", path);
	while (off < len) {
		w = write(fd, p + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	return sync_dir(path, err);
fail:
	(void)tmon_err_set(err, TMON_E_IO, "write %s: %s", path,
	    strerror(errno));
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	return TMON_E_IO;
}

void
sha256(const void *p, size_t n, uint8_t out[32])
{
	SHA256(p, n, out);
}

bool
sha256_2(const void *a, size_t alen, const void *b, size_t blen,
    uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	if (ctx == NULL)
		return false;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, alen) == 1 &&
	    EVP_DigestUpdate(ctx, b, blen) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

bool
json_text_depth_ok(const void *text, size_t n, int max)
{
	const char *s = text;
	size_t i;
	int depth = 0;
	bool in_str = false;

	for (i = 0; i < n; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = false;
			continue;
		}
		switch (s[i]) {
		case '"':
			in_str = true;
			break;
		case '[':
		case '{':
			if (++depth > max)
				return false;
			break;
		case ']':
		case '}':
			depth--;
			break;
		default:
			break;
		}
	}
	return true;
}

bool
parse_loopback_listen(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon;
	uint64_t port;

	if ((colon = strrchr(s, ':')) == NULL ||
	    (size_t)(colon - s) >= sizeof(host))
		return false;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return false;
	if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
		return false;
	if (!parse_u64(colon + 1, 0, 65535, &port))
		return false;
	sin->sin_port = htons((uint16_t)port);
	return true;
}

int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * ((int64_t)m + (m > 2 ? -3 : 9)) + 2) / 5 + (int64_t)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

char *
fmt_trunc(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(out, outsz, fmt, ap);
	va_end(ap);
	return out;
}

char *
fmt_time(int64_t t, char *out, size_t outsz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, outsz, "%lld", (long long)t);
	return out;
}

bool
model_id_valid(const char *m)
{
	size_t i;

	if (m == NULL || m[0] == '\0')
		return false;
	for (i = 0; m[i] != '\0'; i++)
		if (i + 1 >= MAX_MODEL_ID || (unsigned char)m[i] < 0x21 ||
		    (unsigned char)m[i] > 0x7e)
			return false;
	return true;
}

const char *
data_path(const char *bin_to_data, const char *datadir, const char *rel,
    const char *checkout, char *buf, size_t len)
{
	char exe[PATH_MAX], *slash;
	ssize_t n;
	struct stat sb;
	int r;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		r = snprintf(buf, len, "%s/%s/tmon/%s", exe, bin_to_data, rel);
		if (r > 0 && (size_t)r < len && stat(buf, &sb) == 0)
			return buf;
	}
	if (stat(checkout, &sb) == 0)
		return checkout;
	snprintf(buf, len, "%s/tmon/%s", datadir, rel);
	return buf;
}

/* ---- RFC 3339 times ---- */

/* The n decimal digits at s into *out; false on any other byte. */
static bool
dec_digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

bool
rfc3339_utc_parse(const char *s, size_t len, bool round_up, int64_t *out)
{
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31,
	    31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, se, f;
	size_t nf;
	bool leap, frac = false;

	/* YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z */
	if (len < 20 || len > 30 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len - 1] != 'Z')
		return false;
	if (!dec_digits(s, 4, &y) || !dec_digits(s + 5, 2, &mo) ||
	    !dec_digits(s + 8, 2, &d) || !dec_digits(s + 11, 2, &h) ||
	    !dec_digits(s + 14, 2, &mi) || !dec_digits(s + 17, 2, &se))
		return false;
	if (len > 20) {
		nf = len - 21;
		if (s[19] != '.' || nf < 1 || nf > 9 ||
		    !dec_digits(s + 20, nf, &f))
			return false;
		frac = f != 0;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || se > 59)
		return false;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se +
	    (frac && round_up ? 1 : 0);
	return true;
}
