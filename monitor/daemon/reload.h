/*
 * reload.h: what a reloaded schedule changes (README "Installing as a
 * service": SIGHUP).  tmond re-reads its schedule on SIGHUP and applies
 * the models (added, removed, changed), max_concurrent and
 * reference_values at once; the
 * other top-level settings are read at start only, and a reload that
 * changes one of them keeps the running value and names it.  Pure
 * comparisons of two loaded configs (config.h); nothing here allocates.
 */
#ifndef TMON_MONITOR_RELOAD_H
#define TMON_MONITOR_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/*
 * Whether a and b probe the same way: every key of models[] (provider,
 * model, name, base_url, api_key_env, interval_s, jitter_s, timeout_s,
 * policy, canary, provenance) is equal.
 */
bool		reload_model_equal(const struct model_cfg *a,
		    const struct model_cfg *b);

/*
 * The top-level keys that differ between the running config old and the
 * reloaded one new and need a restart of tmond: any of "max_body_bytes",
 * "pcs", "nras", "kds", "github", "provenance" (the trusted root and
 * the re-check interval), "test_trust_anchors", "http", "receipts",
 * "log", "alerts" (webhooks and maintenance windows: the delivery thread keeps the
 * ones it started with), written to
 * buf (len bytes, NUL-terminated, cut at len - 1 bytes) separated by
 * ", "; "" when none does.  Returns the number of such keys.
 */
size_t		reload_restart_keys(const struct config *old,
		    const struct config *new, char *buf, size_t len);

#endif /* TMON_MONITOR_RELOAD_H */
