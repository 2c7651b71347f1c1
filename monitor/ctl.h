/*
 * ctl.h: tmonctl subcommands that live outside tmonctl.c.
 *
 * Each command function takes the subcommand's own argv (argv[0] is the
 * command name, options follow; reset optind = 1 before getopt) and
 * returns the process exit code: CTL_EXIT_OK (verified / nothing failed),
 * CTL_EXIT_FAILED (rejected / a check failed), CTL_EXIT_USAGE (usage or
 * I/O error).  To add a command, declare it here and add it to
 * CTL_EXTRA_COMMANDS.
 */
#ifndef TMON_MONITOR_CTL_H
#define TMON_MONITOR_CTL_H

#include <stdbool.h>
#include <stdint.h>

struct checklist;

/* Print cl as the table every verify command shows: CHECK STATUS DETAIL,
 * one line per check, on stdout. */
void	ctl_print_checks(const struct checklist *cl);

/*
 * Parse a --at value (unix seconds, 0..INT64_MAX/2) into *at.  On a bad
 * value prints "tmonctl: --at: not a unix time" to stderr and returns
 * false (the caller exits CTL_EXIT_USAGE).
 */
bool	ctl_parse_at(const char *s, int64_t *at);

#define CTL_EXIT_OK	0
#define CTL_EXIT_FAILED	1
#define CTL_EXIT_USAGE	2

#define EXIT_OK		CTL_EXIT_OK
#define EXIT_FAILED	CTL_EXIT_FAILED
#define EXIT_USAGE	CTL_EXIT_USAGE

/* tmonctl verify-signature (ctl_sig.c): a completion signature. */
int	ctl_verify_signature(int argc, char *argv[]);

/* tmonctl verify-quote / bench-quote (ctl_quote.c): DCAP-verify a TDX
 * quote with collateral from a file; time it. */
int	ctl_verify_quote(int argc, char *argv[]);
int	ctl_bench_quote(int argc, char *argv[]);

/* { "name", function }, entries for tmonctl's command table. */
#define CTL_EXTRA_COMMANDS \
	{ "verify-signature", ctl_verify_signature }, \
	{ "verify-quote", ctl_verify_quote }, \
	{ "bench-quote", ctl_bench_quote },

#endif /* TMON_MONITOR_CTL_H */
