/*
 * pool.c: the shared pool of read-only store handles (pool.h).
 */
#include <pthread.h>
#include <stdlib.h>

#include "pool.h"
#include "store.h"
#include "tmon_limits.h"
#include "xmalloc.h"

struct store_pool {
	char		*path;
	pthread_mutex_t	 mu;		/* idle, nidle */
	struct store	**idle;		/* max_idle slots */
	size_t		 nidle;
	size_t		 max_idle;
};

enum tmon_rc
store_pool_new(const char *path, size_t max_idle, struct store_pool **out,
    struct tmon_err *err)
{
	struct store_pool *p;
	enum tmon_rc rc;

	*out = NULL;
	if (path == NULL || max_idle == 0 || max_idle > MAX_STORE_POOL)
		return tmon_err_set(err, TMON_E_CONFIG, "store: pool of %zu "
		    "handles (1..%u) on %s", max_idle, MAX_STORE_POOL,
		    path != NULL ? path : "no path");
	p = xcalloc(1, sizeof(*p));
	p->path = xstrdup(path);
	p->idle = xcalloc(max_idle, sizeof(*p->idle));
	p->max_idle = max_idle;
	pthread_mutex_init(&p->mu, NULL);
	if ((rc = store_open(path, STORE_RO, &p->idle[0], err)) != TMON_OK) {
		store_pool_free(p);
		return rc;
	}
	p->nidle = 1;
	*out = p;
	return TMON_OK;
}

enum tmon_rc
store_pool_get(struct store_pool *p, struct store **out, struct tmon_err *err)
{
	*out = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->nidle > 0)
		*out = p->idle[--p->nidle];
	pthread_mutex_unlock(&p->mu);
	if (*out != NULL)
		return TMON_OK;
	return store_open(p->path, STORE_RO, out, err);
}

void
store_pool_put(struct store_pool *p, struct store *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->nidle < p->max_idle) {
		p->idle[p->nidle++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	store_close(s);
}

void
store_pool_free(struct store_pool *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nidle; i++)
		store_close(p->idle[i]);
	pthread_mutex_destroy(&p->mu);
	free(p->idle);
	free(p->path);
	free(p);
}
