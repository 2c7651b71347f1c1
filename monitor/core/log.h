/*
 * log.h: one line per event on stderr, "LEVEL module: message key=value",
 * with the names OpenBSD daemons use.  Untrusted strings go through
 * log_esc() only, never as a format string.
 */
#ifndef TMON_CORE_LOG_H
#define TMON_CORE_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LVL_WARN = 0,
	LOG_LVL_INFO = 1,
	LOG_LVL_DEBUG = 2
};

/* Set the verbosity (0 warnings only, 1 info, 2 debug). */
void	log_init(int verbosity);
int	log_verbosity(void);

void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warnx, then drain and log the OpenSSL error queue. */
void	log_crypto_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* Log with strerror(errno) and exit(1). */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* Log and exit(1). */
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Escape len bytes of untrusted data into out (outsz bytes, NUL
 * terminated): printable ASCII is kept, everything else becomes \xNN, and
 * at most 64 input bytes are kept, followed by "...(+N)" when more were
 * cut.  Returns out.
 */
const char *log_esc(char *out, size_t outsz, const void *data, size_t len);

#define TMON_ASSERT(x) do {						\
	if (!(x))							\
		fatalx("assertion failed: %s at %s:%d", #x, __FILE__,	\
		    __LINE__);						\
} while (0)

#endif /* TMON_CORE_LOG_H */
