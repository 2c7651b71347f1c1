#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static enum tmon_rc verr_set(struct tmon_err *, enum tmon_rc, size_t,
    const char *, va_list) __attribute__((format(printf, 4, 0)));

static enum tmon_rc
verr_set(struct tmon_err *err, enum tmon_rc code, size_t offset,
    const char *fmt, va_list ap)
{
	if (err == NULL || err->code != TMON_OK)
		return code;
	err->code = code;
	err->offset = offset;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

enum tmon_rc
tmon_err_set(struct tmon_err *err, enum tmon_rc code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_set(err, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

enum tmon_rc
tmon_err_set_at(struct tmon_err *err, enum tmon_rc code, size_t offset,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_set(err, code, offset, fmt, ap);
	va_end(ap);
	return code;
}

void
tmon_err_clear(struct tmon_err *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

const char *
tmon_rc_str(enum tmon_rc code)
{
	switch (code) {
	case TMON_OK:
		return "ok";
	case TMON_E_IO:
		return "i/o error";
	case TMON_E_NET:
		return "network error";
	case TMON_E_HTTP:
		return "http error";
	case TMON_E_TIMEOUT:
		return "timeout";
	case TMON_E_DB:
		return "database error";
	case TMON_E_PARSE:
		return "parse error";
	case TMON_E_LIMIT:
		return "limit exceeded";
	case TMON_E_UNSUPPORTED:
		return "unsupported";
	case TMON_E_CRYPTO_LIB:
		return "crypto library error";
	case TMON_E_CONFIG:
		return "configuration error";
	case TMON_E_NOTFOUND:
		return "not found";
	case TMON_E_INTERNAL:
		return "internal error";
	}
	return "unknown error";
}
