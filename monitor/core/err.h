/*
 * err.h: operational result codes and error detail.
 *
 * An enum tmon_rc says whether an operation worked; a struct tmon_err
 * carries the first failure's code, the input offset it happened at and a
 * message naming the spec field.  Findings about evidence (a bad
 * signature) are never an rc: they are check results (verify/check.h).
 */
#ifndef TMON_CORE_ERR_H
#define TMON_CORE_ERR_H

#include <stddef.h>

enum tmon_rc {
	TMON_OK = 0,
	TMON_E_IO,		/* file or socket I/O failed */
	TMON_E_NET,		/* network failure (connect, DNS, TLS) */
	TMON_E_HTTP,		/* unexpected HTTP status */
	TMON_E_TIMEOUT,		/* an operation ran out of time */
	TMON_E_DB,		/* SQLite failed */
	TMON_E_PARSE,		/* input is malformed */
	TMON_E_LIMIT,		/* input exceeds a MAX_* bound */
	TMON_E_UNSUPPORTED,	/* well-formed but not something we handle */
	TMON_E_CRYPTO_LIB,	/* OpenSSL/secp256k1 failed (not a bad sig) */
	TMON_E_CONFIG,		/* configuration is invalid */
	TMON_E_NOTFOUND,	/* the requested item does not exist */
	TMON_E_INTERNAL		/* a bug: an invariant did not hold */
};

struct tmon_err {
	enum tmon_rc	code;
	size_t		offset;
	char		msg[256];
};

/*
 * Record an error in err (which may be NULL) unless one is already
 * recorded: the first error wins.  fmt is a printf format.
 * Returns code, so callers can write "return tmon_err_set(...)".
 */
enum tmon_rc	tmon_err_set(struct tmon_err *err, enum tmon_rc code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* As tmon_err_set, also recording the input offset of the failure. */
enum tmon_rc	tmon_err_set_at(struct tmon_err *err, enum tmon_rc code,
		    size_t offset, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/* Clear err (may be NULL) so it can be reused. */
void		tmon_err_clear(struct tmon_err *err);

/* A static, lower-case name for code ("parse error"); never NULL. */
const char	*tmon_rc_str(enum tmon_rc code);

#endif /* TMON_CORE_ERR_H */
