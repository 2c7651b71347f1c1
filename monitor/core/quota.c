/*
 * quota.c: fixed-window submission quotas per client and global
 * (quota.h).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "quota.h"
#include "tmon_limits.h"
#include "xmalloc.h"

/* One window: what was charged since start. */
struct qwin {
	bool		used;
	int64_t		start;
	uint64_t	count;
	uint64_t	bytes;
};

struct qclient {
	uint8_t		key[QUOTA_KEY_LEN];
	struct qwin	win;
};

struct quota {
	pthread_mutex_t		mu;
	struct quota_limit	client_lim;
	struct quota_limit	global_lim;
	struct qwin		global;
	struct qclient		clients[MAX_QUOTA_CLIENTS];
	size_t			nclients;
};

struct quota *
quota_new(const struct quota_limit *per_client,
    const struct quota_limit *global)
{
	struct quota *q = xcalloc(1, sizeof(*q));

	pthread_mutex_init(&q->mu, NULL);
	q->client_lim = *per_client;
	q->global_lim = *global;
	return q;
}

void
quota_free(struct quota *q)
{
	if (q == NULL)
		return;
	pthread_mutex_destroy(&q->mu);
	free(q);
}

void
quota_key(const struct sockaddr *sa, uint8_t key[QUOTA_KEY_LEN])
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	memset(key, 0, QUOTA_KEY_LEN);
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		/* As the v4-mapped IPv6 address ::ffff:a.b.c.d. */
		sin = (const struct sockaddr_in *)(const void *)sa;
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			memcpy(key, &sin6->sin6_addr, 16);
		else
			memcpy(key, &sin6->sin6_addr, 8);
		/* A /64 key has byte 10 zero: never an IPv4 key. */
	}
}

/* Is w's window over at now (or was it never opened)? */
static bool
expired(const struct qwin *w, const struct quota_limit *lim, int64_t now)
{
	return !w->used || now < w->start ||
	    now - w->start >= (int64_t)lim->window_s;
}

/* Does one more submission of bytes fit w?  If not, set *retry. */
static bool
fits(const struct qwin *w, const struct quota_limit *lim, uint64_t bytes,
    int64_t now, uint32_t *retry)
{
	uint64_t count = 0, used = 0;
	int64_t left;

	if (lim->window_s == 0)
		return true;
	if (!expired(w, lim, now)) {
		count = w->count;
		used = w->bytes;
	}
	if (count < lim->count && used <= lim->bytes &&
	    bytes <= lim->bytes - used)
		return true;
	left = expired(w, lim, now) ? (int64_t)lim->window_s :
	    w->start + (int64_t)lim->window_s - now;
	if (left < 1)
		left = 1;
	if ((uint64_t)left > *retry)
		*retry = (uint32_t)left;
	return false;
}

static void
charge(struct qwin *w, const struct quota_limit *lim, uint64_t bytes,
    int64_t now)
{
	if (lim->window_s == 0)
		return;
	if (expired(w, lim, now)) {
		w->used = true;
		w->start = now;
		w->count = 0;
		w->bytes = 0;
	}
	w->count++;
	w->bytes += bytes;
}

/* With q->mu held: the client with key, or NULL. */
static struct qclient *
find(struct quota *q, const uint8_t key[QUOTA_KEY_LEN])
{
	size_t i;

	for (i = 0; i < q->nclients; i++)
		if (memcmp(q->clients[i].key, key, QUOTA_KEY_LEN) == 0)
			return &q->clients[i];
	return NULL;
}

/*
 * With q->mu held: a slot for a new client: a free one, else one whose
 * window is over, else the one whose window opened first.
 */
static struct qclient *
slot(struct quota *q, const uint8_t key[QUOTA_KEY_LEN], int64_t now)
{
	struct qclient *c = NULL;
	size_t i;

	if (q->nclients < MAX_QUOTA_CLIENTS)
		c = &q->clients[q->nclients++];
	for (i = 0; c == NULL && i < q->nclients; i++)
		if (expired(&q->clients[i].win, &q->client_lim, now))
			c = &q->clients[i];
	if (c == NULL) {
		c = &q->clients[0];
		for (i = 1; i < q->nclients; i++)
			if (q->clients[i].win.start < c->win.start)
				c = &q->clients[i];
	}
	memset(c, 0, sizeof(*c));
	memcpy(c->key, key, QUOTA_KEY_LEN);
	return c;
}

static bool
check(struct quota *q, const uint8_t key[QUOTA_KEY_LEN], uint64_t bytes,
    int64_t now, bool take, uint32_t *retry_after)
{
	struct qclient *c = NULL;
	struct qwin fresh;
	bool ok;

	*retry_after = 0;
	memset(&fresh, 0, sizeof(fresh));
	pthread_mutex_lock(&q->mu);
	if (q->client_lim.window_s != 0)
		c = find(q, key);
	ok = fits(c != NULL ? &c->win : &fresh, &q->client_lim, bytes, now,
	    retry_after);
	ok = fits(&q->global, &q->global_lim, bytes, now, retry_after) && ok;
	if (ok && take) {
		if (q->client_lim.window_s != 0 && c == NULL)
			c = slot(q, key, now);
		if (c != NULL)
			charge(&c->win, &q->client_lim, bytes, now);
		charge(&q->global, &q->global_lim, bytes, now);
	}
	pthread_mutex_unlock(&q->mu);
	return ok;
}

bool
quota_allows(struct quota *q, const uint8_t key[QUOTA_KEY_LEN],
    uint64_t bytes, int64_t now, uint32_t *retry_after)
{
	return check(q, key, bytes, now, false, retry_after);
}

bool
quota_take(struct quota *q, const uint8_t key[QUOTA_KEY_LEN], uint64_t bytes,
    int64_t now, uint32_t *retry_after)
{
	return check(q, key, bytes, now, true, retry_after);
}
