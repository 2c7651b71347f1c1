/*
 * xmalloc.h: allocation wrappers.  Running out of memory is fatal: these
 * log and abort() instead of returning NULL, so untrusted input must never
 * choose an allocation size without a MAX_* check first (limits.h).
 */
#ifndef TMON_CORE_XMALLOC_H
#define TMON_CORE_XMALLOC_H

#include <stddef.h>

/* malloc(n); n == 0 allocates one byte.  Never returns NULL. */
void	*xmalloc(size_t n);
/* calloc(nmemb, size), aborting on overflow.  Never returns NULL. */
void	*xcalloc(size_t nmemb, size_t size);
/* reallocarray(p, nmemb, size), aborting on overflow.  Never NULL. */
void	*xreallocarray(void *p, size_t nmemb, size_t size);
/* strdup(s).  Never returns NULL. */
char	*xstrdup(const char *s);
/* A NUL-terminated copy of the n bytes at s.  Never returns NULL. */
char	*xstrndup(const char *s, size_t n);
/* A copy of the n bytes at p (n may be 0).  Never returns NULL. */
void	*xmemdup(const void *p, size_t n);

#endif /* TMON_CORE_XMALLOC_H */
