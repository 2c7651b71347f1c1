/*
 * pool.h: a pool of STORE_RO handles on one log, shared by every thread
 * that reads it while tmond runs (the API's request threads and the
 * receipt path's probe lookups).  A struct store is used by one thread at
 * a time (store.h), so a reader takes a handle for the time of one read
 * and gives it back; a handle that is not in the pool is opened on
 * demand, and one given back beyond the pool's capacity is closed.
 *
 * Threads: every function may be called from any thread at once, except
 * store_pool_free, which no other call may run with or follow.
 */
#ifndef TMON_STORE_POOL_H
#define TMON_STORE_POOL_H

#include <stddef.h>

#include "err.h"

struct store;
struct store_pool;

/*
 * A new pool of at most max_idle (1..MAX_STORE_POOL) idle handles on the
 * log at path, which must exist (the daemon creates and migrates it).
 * One handle is opened now, so that a log that cannot be read fails here
 * rather than on the first request.  On success *out is the pool
 * (store_pool_free); on failure *out is NULL and the error is
 * TMON_E_CONFIG (max_idle out of range) or one of store_open(STORE_RO).
 */
enum tmon_rc	store_pool_new(const char *path, size_t max_idle,
		    struct store_pool **out, struct tmon_err *err);

/*
 * Take a handle for the calling thread: an idle one, else a new one
 * (store_open STORE_RO).  On success *out is the handle, which the caller
 * gives back with store_pool_put; on failure *out is NULL and the error
 * is one of store_open(STORE_RO).
 */
enum tmon_rc	store_pool_get(struct store_pool *p, struct store **out,
		    struct tmon_err *err);

/* Give back a handle store_pool_get returned (NULL is a no-op); closed
 * when the pool already holds max_idle. */
void		store_pool_put(struct store_pool *p, struct store *s);

/* Close every idle handle and free p (NULL is a no-op).  Every handle
 * taken must have been given back. */
void		store_pool_free(struct store_pool *p);

#endif /* TMON_STORE_POOL_H */
