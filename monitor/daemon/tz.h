/*
 * tz.h: local time in a named time zone without touching the process's
 * TZ (no setenv, no tzset): the zone's TZif file (RFC 8536) is read from
 * the system time zone database once, when the schedule is loaded, and
 * kept in memory; every lookup after that is a pure function of the
 * loaded data, so any thread may call it.
 *
 * A zone is "UTC" (no file needed) or an IANA name ("Europe/Berlin")
 * resolved under TZ_DIR.  Versions 1 to 4 of TZif are read: the 64-bit
 * data block when the version is 2 or later, and its footer, a POSIX TZ
 * string (POSIX.1-2017 section 8.3, with RFC 8536 section 3.3.1's
 * extension: hours of a rule's time from -167 to 167), which gives the
 * offset after the last transition (a "slim" file lists no transitions
 * past the current rules).  Files with leap-second records ("right/"
 * zones) are refused: tmon keeps POSIX time.
 */
#ifndef TMON_MONITOR_TZ_H
#define TMON_MONITOR_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TZ_DIR		"/usr/share/zoneinfo"
#define MAX_TZ_NAME	64		/* bytes of a zone name */
#define MAX_TZIF_LEN	(64u * 1024)	/* bytes of a TZif file */

struct tz;

/*
 * Load the zone name: "UTC", or 1..MAX_TZ_NAME bytes of '/'-separated
 * components of [A-Za-z0-9_+-.] none of which is empty or starts with
 * '.', read from TZ_DIR/name (a regular file, at most MAX_TZIF_LEN
 * bytes).  *out is owned by the caller (tz_free).
 * Errors: TMON_E_CONFIG (a bad name), TMON_E_IO (no such zone, or
 * unreadable), TMON_E_LIMIT (too large), TMON_E_PARSE (not
 * TZif, or a footer that is not a POSIX TZ string).
 */
enum tmon_rc	tz_load(const char *name, struct tz **out,
		    struct tmon_err *err);

/* As tz_load, from the len bytes of a TZif file (RFC 8536). */
enum tmon_rc	tz_parse(const uint8_t *data, size_t len, struct tz **out,
		    struct tmon_err *err);

/*
 * The zone's offset from UTC, in seconds east, at the POSIX time t
 * (seconds since the epoch, UTC).
 */
int32_t		tz_offset(const struct tz *z, int64_t t);

/*
 * The POSIX time at which the zone's wall clock shows local (seconds
 * since the epoch as if local were UTC).  A wall time that happens twice
 * (the hour a clock is set back) is its first occurrence; one that never
 * happens (the hour a clock skips) is read with the offset before the
 * skip, so it falls after the skip by its length (02:30 on a spring
 * forward to summer time by one hour is 03:30 summer time).
 */
int64_t		tz_local_to_utc(const struct tz *z, int64_t local);

/* Free z; NULL is a no-op. */
void		tz_free(struct tz *z);

#endif /* TMON_MONITOR_TZ_H */
