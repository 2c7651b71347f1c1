/*
 * buf.h: a growable byte buffer with a mandatory maximum size (curl's
 * dynbuf idea).  Used for HTTP bodies and rendered output.  The contents
 * are always followed by a NUL byte that is not counted in len, so text
 * can be passed to string functions.
 */
#ifndef TMON_CORE_BUF_H
#define TMON_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t	*data;		/* owned; NULL until the first append */
	size_t	 len;		/* bytes in use */
	size_t	 cap;		/* bytes allocated */
	size_t	 max;		/* hard limit on len */
};

/* Initialise an empty buffer that may grow to max bytes. */
void	buf_init(struct buf *b, size_t max);
/*
 * Append n bytes.  Returns false, and frees the contents (the buffer is
 * left empty), if len would exceed max.
 */
bool	buf_append(struct buf *b, const void *p, size_t n);
/* Append a NUL-terminated string; as buf_append. */
bool	buf_append_str(struct buf *b, const char *s);
/* Append printf-formatted text; as buf_append. */
bool	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Append the NUL-terminated s percent-encoded (RFC 3986 section 2.1: every
 * byte outside the unreserved set A-Z a-z 0-9 - . _ ~ becomes %XX); as
 * buf_append.
 */
bool	buf_append_pct(struct buf *b, const char *s);
/* Empty the buffer, keeping its memory and max. */
void	buf_reset(struct buf *b);
/* Free the contents; the buffer may be reused after buf_init. */
void	buf_free(struct buf *b);
/*
 * Hand the contents to the caller (who frees them with free()), storing
 * the length in *len if len is not NULL.  Never returns NULL: an empty
 * buffer gives a 1-byte allocation holding NUL.  The buffer is left empty.
 */
uint8_t	*buf_release(struct buf *b, size_t *len);

#endif /* TMON_CORE_BUF_H */
