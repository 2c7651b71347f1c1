/*
 * daemon.h: tmond's main loop.
 *
 * One thread runs the scheduler and the libcurl multi loop; every append
 * (its probes, alerts and collateral, and the receipts) goes through the
 * one writer thread (store/writer.h), the loop waiting for the commit of
 * its own; libmicrohttpd's threads serve the API through the shared
 * read-only pool (store/pool.h).  For each model of the schedule the
 * loop, every interval_s plus a random jitter, draws a fresh 32-byte
 * nonce from OpenSSL RAND, requests the attestation report, and when the
 * answer is complete stores the raw body as a content-addressed blob and
 * appends the `probe` entry in the same transaction (probe.h).  A probe is logged
 * whole or not at all: on SIGTERM/SIGINT transfers still in flight are
 * abandoned without an entry, and an append in progress completes first.
 *
 * No single probe stops the daemon.  Upstream bodies are capped at
 * max_body_bytes, itself capped at MAX_BLOB_LEN (what the store keeps in
 * one blob), and an empty body is logged as an `error` probe without a
 * blob.  Should the store still refuse a probe's bytes (TMON_E_PARSE,
 * TMON_E_LIMIT), the probe is logged as an `error` without them.
 *
 * Degraded state: when an append fails for a reason of the environment
 * (store TMON_E_IO: disk full, I/O error; TMON_E_DB; TMON_E_TIMEOUT) or
 * the database file is no longer the one at db_path (store_check_file,
 * run by the writer around every append and while idle, read each loop
 * round: store_writer_check_file), tmond logs a warning (then
 * at most one a minute), starts no new probe, keeps each finished probe
 * (and its alerts) in memory, one per model, and retries the append with
 * a backoff of RETRY_MIN_MS doubling to RETRY_MAX_MS; GET /healthz
 * answers 503 {"status":"degraded","reason":...} and receipts 503
 * (rcpt_set_unwritable; their own appends would fail the same way).
 * Once an append succeeds again (space came back) everything resumes by
 * itself; a database file deleted or replaced under tmond stays refused
 * until the same file is back at its path or tmond is restarted.
 */
#ifndef TMON_MONITOR_DAEMON_H
#define TMON_MONITOR_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

struct daemon_opts {
	const struct config	*cfg;		/* borrowed */
	/* the schedule's file, re-read on SIGHUP (NULL: SIGHUP only warns) */
	const char		*config_path;
	const char		*db_path;
	const char		*listen_host;	/* API address */
	uint16_t		 listen_port;
	const char		*dashboard_dir;
	/* the Sigstore trusted root used when the schedule names none
	 * ("provenance": {"trusted_root"}); read at start only when a model
	 * has "provenance" */
	const char		*sigstore_root_path;
	/* stop after this many probes have been logged in all (0: run until
	 * a signal); for tests and one-shot runs */
	uint64_t		 max_probes;
	/* open the log read-only (STORE_RO) and only serve the API: no
	 * probes, no receipts (503), no writes */
	bool			 read_only;
	/* create a new log when db_path does not exist or is empty (else
	 * that is an error: --init) */
	bool			 init;
};

/*
 * Run until SIGTERM/SIGINT (or max_probes).  At start the newest
 * STORE_VERIFY_TAIL entries of the log and the blobs they name are
 * verified (store_verify), and each model's last verdict and known
 * instances are rebuilt from the log (entry_state_load), so a restart
 * neither misses a change nor alerts again.  After each probe the events
 * and alerts it raises (alert.h: classified changes, check_failed,
 * recovered, ...) are logged after it.  Returns TMON_OK on a stop by signal or
 * max_probes (probes still waiting for the log are then dropped, with a
 * warning); at start only: TMON_E_NOTFOUND when db_path does not exist or
 * is empty and o->init is false, TMON_E_PARSE if the start-up check finds
 * the log damaged (err->offset is the first bad seq; with read_only it
 * only warns), the errors of store_open() when the store cannot be
 * opened, TMON_E_NET if the API cannot listen, the errors of read_file
 * and sigstore_root_parse when a model has "provenance" and the Sigstore
 * trusted root cannot be read (README "Code provenance").
 */
enum tmon_rc	daemon_run(const struct daemon_opts *o, struct tmon_err *err);

/*
 * SIGHUP (daemon_run): o->config_path is re-read and its models and
 * max_concurrent applied without a restart, keeping the state of every
 * model still listed; a schedule that does not load is logged and the
 * running one kept (reload.h, README "Installing as a service").
 *
 * What tmond --check-config checks beyond the schedule (o->cfg, loaded):
 * what daemon_run would refuse at start.  Errors: TMON_E_CONFIG (the
 * receipt token variable receipts.token_env names is unset or not a
 * token, the dashboard directory has no readable index.html), TMON_E_IO
 * (db_path cannot be examined; with o->init and no log there, its
 * directory is not writable), the errors of read_file and
 * sigstore_root_parse for the Sigstore trusted root when a model has
 * "provenance" (tmond reads it at start), and the errors of store_open on an existing
 * log opened read-only (TMON_E_CONFIG not a tmon log, TMON_E_DB, ...).
 * Warnings (log_warnx), not errors: an api_key_env variable that is
 * unset, no log at db_path without o->init (daemon_run would then exit
 * with TMON_E_NOTFOUND), a log of another schema version (an older one is
 * migrated at start, a newer one refused).
 */
enum tmon_rc	daemon_check(const struct daemon_opts *o, struct tmon_err *err);

#endif /* TMON_MONITOR_DAEMON_H */
