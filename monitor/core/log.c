#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "log.h"

static int verbosity = LOG_LVL_INFO;

void
log_init(int v)
{
	verbosity = v;
}

int
log_verbosity(void)
{
	return verbosity;
}

static void vlog(const char *, const char *, va_list, const char *)
    __attribute__((format(printf, 2, 0)));

static void
vlog(const char *level, const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];
	char ts[32];
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	vsnprintf(line, sizeof(line), fmt, ap);
	if (suffix != NULL)
		fprintf(stderr, "%s %s %s: %s\n", ts, level, line, suffix);
	else
		fprintf(stderr, "%s %s %s\n", ts, level, line);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog("WARN", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("WARN", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < LOG_LVL_INFO)
		return;
	va_start(ap, fmt);
	vlog("INFO", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < LOG_LVL_DEBUG)
		return;
	va_start(ap, fmt);
	vlog("DEBUG", fmt, ap, NULL);
	va_end(ap);
}

void
log_crypto_warnx(const char *fmt, ...)
{
	char ebuf[256];
	unsigned long e;
	va_list ap;

	va_start(ap, fmt);
	vlog("WARN", fmt, ap, NULL);
	va_end(ap);
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, ebuf, sizeof(ebuf));
		fprintf(stderr, "    openssl: %s\n", ebuf);
	}
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog("FATAL", fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("FATAL", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

const char *
log_esc(char *out, size_t outsz, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i, o = 0, keep = len > 64 ? 64 : len;

	if (outsz == 0)
		return out;
	for (i = 0; i < keep; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			if (o + 2 > outsz)
				break;
			out[o++] = (char)p[i];
		} else {
			if (o + 5 > outsz)
				break;
			snprintf(out + o, outsz - o, "\\x%02x", p[i]);
			o += 4;
		}
	}
	out[o] = '\0';
	if (i < len)
		snprintf(out + o, outsz - o, "...(+%zu)", len - i);
	return out;
}
