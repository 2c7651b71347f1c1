/*
 * quota.h: fixed-window quotas on submissions (POST /api/v1/receipts):
 * at most `count` submissions and `bytes` bytes per window of `window_s`
 * seconds, for each client and for all clients together.
 *
 * A window opens at a client's first submission after the previous one
 * closed and lasts window_s seconds; when a submission does not fit,
 * *retry_after is the number of seconds until the window that refused it
 * closes (at least 1).  Clients are told apart by a QUOTA_KEY_LEN-byte
 * key (quota_key): an IPv4 address, or the /64 prefix of an IPv6 address
 * (one subscriber usually holds a whole /64).  At most MAX_QUOTA_CLIENTS
 * clients are remembered; a new client then replaces the one whose
 * window is over, or else the one whose window opened first (it starts
 * afresh: the global quota still bounds everyone).  Behind a reverse
 * proxy every client has the proxy's address and shares one quota.
 *
 * Thread-safe: every call takes the table's mutex.  Memory is fixed at
 * quota_new().  Times are seconds of a monotonic clock, passed in.
 */
#ifndef TMON_CORE_QUOTA_H
#define TMON_CORE_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

#define QUOTA_KEY_LEN	16

/* One quota; window_s 0 means no quota at this level. */
struct quota_limit {
	uint64_t	count;		/* submissions per window */
	uint64_t	bytes;		/* bytes per window */
	uint32_t	window_s;	/* window length, seconds */
};

struct quota;

/*
 * A new quota table (caller frees with quota_free) with per_client and
 * global limits (copied; either may have window_s 0).  Aborts when out
 * of memory.
 */
struct quota	*quota_new(const struct quota_limit *per_client,
		    const struct quota_limit *global);

/* Free q; NULL is a no-op. */
void		 quota_free(struct quota *q);

/*
 * The key of the client at sa (AF_INET: the address; AF_INET6: its /64
 * prefix, or the IPv4 address of a v4-mapped one; anything else, or
 * NULL: all zero, one shared key).  Keys of IPv4 and IPv6 clients never
 * collide.
 */
void		 quota_key(const struct sockaddr *sa,
		    uint8_t key[QUOTA_KEY_LEN]);

/*
 * Would a submission of `bytes` bytes from key fit both quotas at time
 * now?  Charges nothing (for refusing early, before a body is read).
 * False: *retry_after is set.
 */
bool		 quota_allows(struct quota *q,
		    const uint8_t key[QUOTA_KEY_LEN], uint64_t bytes,
		    int64_t now, uint32_t *retry_after);

/*
 * Charge one submission of `bytes` bytes to key and to the global
 * quota, if it fits both; otherwise charge nothing, set *retry_after
 * and return false.
 */
bool		 quota_take(struct quota *q,
		    const uint8_t key[QUOTA_KEY_LEN], uint64_t bytes,
		    int64_t now, uint32_t *retry_after);

#endif /* TMON_CORE_QUOTA_H */
