/*
 * ctl.h: tmonctl, the offline tool: its subcommands and what they share.
 *
 * Each subcommand lives in its own file (cmd_NAME.c) and exports one
 * struct ctl_cmd; tmonctl.c holds the one table of them, main() and the
 * help command.  A command's run function takes the subcommand's own
 * argv (argv[0] is the command name, options follow; it resets optind = 1
 * before getopt) and returns the process exit code, one of CTL_EXIT_*.
 *
 * Exit codes of every verify command (README "tmonctl", CTL_EXIT_RULE):
 *   CTL_EXIT_OK         0  verified: every check passed, warned or did
 *                          not apply (skip); warn is not a failure
 *   CTL_EXIT_FAILED     1  a check failed: the evidence is wrong
 *   CTL_EXIT_USAGE      2  usage or I/O error: nothing was verified
 *   CTL_EXIT_UNCHECKED  3  nothing failed, but something could not be
 *                          checked (a check is error: expired or missing
 *                          collateral, a format or algorithm not
 *                          supported, a library failure)
 * audit and bench-quote say what their codes mean in their help.
 */
#ifndef TMON_MONITOR_CTL_H
#define TMON_MONITOR_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "checklist.h"

#define CTL_EXIT_OK		0
#define CTL_EXIT_FAILED		1
#define CTL_EXIT_USAGE		2
#define CTL_EXIT_UNCHECKED	3

/* The exit rule of the verify commands, as tmonctl help prints it. */
#define CTL_EXIT_RULE							\
	"exit: 0 verified: no check failed or is error (warn and skip "	\
	"are not failures)\n"						\
	"      1 a check failed: the evidence is wrong\n"		\
	"      3 nothing failed, but something could not be checked "	\
	"(a check is error)\n"						\
	"      2 usage or I/O error\n"

/* One subcommand: its name, help text and entry point. */
struct ctl_cmd {
	const char	*name;		/* "verify-quote" */
	const char	*args;		/* synopsis after the name */
	const char	*summary;	/* what it does, one line, no '\n' */
	const char	*options;	/* "  --opt ARG  what\n" lines, or "" */
	const char	*exits;		/* exit codes; NULL: CTL_EXIT_RULE */
	int		(*run)(int argc, char *argv[]);
};

/* The subcommands (cmd_*.c); tmonctl.c lists them in its table. */
extern const struct ctl_cmd ctl_cmd_verify_attestation;
extern const struct ctl_cmd ctl_cmd_verify_quote;
extern const struct ctl_cmd ctl_cmd_verify_snp;
extern const struct ctl_cmd ctl_cmd_verify_signature;
extern const struct ctl_cmd ctl_cmd_verify_provenance;
extern const struct ctl_cmd ctl_cmd_bench_quote;
extern const struct ctl_cmd ctl_cmd_bench_provenance;
extern const struct ctl_cmd ctl_cmd_audit;
extern const struct ctl_cmd ctl_cmd_export_tiles;
extern const struct ctl_cmd ctl_cmd_log_key;
extern const struct ctl_cmd ctl_cmd_verify_proof;

/*
 * Print c's usage line ("usage: tmonctl NAME ARGS") and the pointer to
 * "tmonctl help NAME" to f: what a command prints on a usage error.
 */
void	ctl_usage(const struct ctl_cmd *c, FILE *f);

/* Print c's full help to f: usage line, summary, options, exit codes. */
void	ctl_help(const struct ctl_cmd *c, FILE *f);

/* Print cl as the table every verify command shows: CHECK STATUS DETAIL,
 * one line per check, on stdout. */
void	ctl_print_checks(const struct checklist *cl);

/*
 * The exit code of a verification whose checks are cl and whose overall
 * verdict is verdict: CTL_EXIT_FAILED if verdict is CHECK_FAIL or a check
 * in cl failed; else CTL_EXIT_UNCHECKED if verdict is CHECK_ERROR or
 * CHECK_SKIP (nothing could be checked) or a check in cl is CHECK_ERROR;
 * else CTL_EXIT_OK (pass, warn and skip are not failures).  If f is not
 * NULL, also prints one line to f: "result: verified", "result: failed:
 * ID" or "result: not verified: ID could not be checked" (the first such
 * check in cl).
 */
int	ctl_result(const struct checklist *cl, enum check_status verdict,
	    FILE *f);

/*
 * Parse a --at value (unix seconds, 0..INT64_MAX/2) into *at.  On a bad
 * value prints "tmonctl: --at: not a unix time" to stderr and returns
 * false (the caller exits CTL_EXIT_USAGE).
 */
bool	ctl_parse_at(const char *s, int64_t *at);

/* A new JSON string of s for --json output, or of "(not UTF-8)" when s
 * is not UTF-8 (text from a certificate or a path). */
json_t	*ctl_text_json(const char *s);

/* Seconds on clock c (CLOCK_MONOTONIC for wall time,
 * CLOCK_PROCESS_CPUTIME_ID or CLOCK_THREAD_CPUTIME_ID for CPU time):
 * what the bench commands and audit time with. */
double	ctl_clock_s(clockid_t c);

#endif /* TMON_MONITOR_CTL_H */
