/*
 * daemon.h: tmond's main loop.
 *
 * One thread runs the scheduler, the libcurl multi loop and every SQLite
 * write; libmicrohttpd's own thread serves the read-only API
 * (notes/c-style.md 2.7).  For each model of the schedule the loop, every
 * interval_s plus a random jitter, draws a fresh 32-byte nonce from
 * OpenSSL RAND, requests the attestation report, and when the answer is
 * complete stores the raw body as a content-addressed blob and appends
 * the `probe` entry in the same transaction (probe.h).  A probe is logged
 * whole or not at all: on SIGTERM/SIGINT transfers still in flight are
 * abandoned without an entry, and an append in progress completes first.
 */
#ifndef TMON_MONITOR_DAEMON_H
#define TMON_MONITOR_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

struct daemon_opts {
	const struct config	*cfg;		/* borrowed */
	const char		*db_path;
	const char		*listen_host;	/* API address */
	uint16_t		 listen_port;
	const char		*dashboard_dir;
	/* stop after this many probes have been logged in all (0: run until
	 * a signal); for tests and one-shot runs */
	uint64_t		 max_probes;
	/* open the log read-only (STORE_RO) and only serve the API: no
	 * probes, no receipts (503), no writes */
	bool			 read_only;
};

/*
 * Run until SIGTERM/SIGINT (or max_probes).  At start the newest
 * STORE_VERIFY_TAIL entries of the log and the blobs they name are
 * verified (store_verify).  Returns TMON_OK on a clean stop; TMON_E_PARSE
 * if that check finds the log damaged (err->offset is the first bad seq;
 * with read_only it only warns); TMON_E_DB if the store cannot be opened
 * or written (a probe that cannot be logged stops the daemon rather than
 * being lost silently), TMON_E_NET if the API cannot listen.
 */
enum tmon_rc	daemon_run(const struct daemon_opts *o, struct tmon_err *err);

#endif /* TMON_MONITOR_DAEMON_H */
