/*
 * tmonctl: the offline tool.  Verifies saved evidence with the same code
 * tmond uses, and audits a log.  This file holds main(), the one table
 * of subcommands and the help command; each subcommand is its own file
 * (ctl.h).  Exit codes: ctl.h and README "tmonctl".
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "tjson.h"

static int	help(int, char *[]);

static const struct ctl_cmd ctl_cmd_help = {
	"help",
	"[COMMAND]",
	"List the commands, or print one command's options and exit codes.",
	"",
	"exit: 0, or 2 for an unknown COMMAND\n",
	help
};

/* Every subcommand, in the order tmonctl --help lists them. */
static const struct ctl_cmd *const cmds[] = {
	&ctl_cmd_verify_attestation,
	&ctl_cmd_verify_quote,
	&ctl_cmd_verify_snp,
	&ctl_cmd_verify_signature,
	&ctl_cmd_verify_provenance,
	&ctl_cmd_bench_quote,
	&ctl_cmd_bench_provenance,
	&ctl_cmd_audit,
	&ctl_cmd_export_tiles,
	&ctl_cmd_log_key,
	&ctl_cmd_verify_proof,
	&ctl_cmd_help
};
#define N_CMDS	(sizeof(cmds) / sizeof(cmds[0]))

static const struct ctl_cmd *
find(const char *name)
{
	size_t i;

	for (i = 0; i < N_CMDS; i++)
		if (strcmp(name, cmds[i]->name) == 0)
			return cmds[i];
	return NULL;
}

/* tmonctl --help: every command with its synopsis and summary. */
static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: tmonctl COMMAND [ARGS]\n\n");
	for (i = 0; i < N_CMDS; i++)
		fprintf(f, "tmonctl %s %s\n    %s\n", cmds[i]->name,
		    cmds[i]->args, cmds[i]->summary);
	fprintf(f, "\ntmonctl help COMMAND (or tmonctl COMMAND --help) "
	    "prints its options.\n\n"
	    "The verify commands (verify-*):\n" CTL_EXIT_RULE
	    "audit: 0 the log verifies and every verdict follows from its "
	    "evidence, 1 it is\ndamaged or a verdict does not follow, 3 an "
	    "entry could not be re-checked,\n2 usage or I/O error; "
	    "bench-quote, bench-provenance: 0 or 2.\n"
	    "export-tiles: 0 exported, 1 the log is damaged, 2 usage or I/O "
	    "error.\n");
}

static int
help(int argc, char *argv[])
{
	const struct ctl_cmd *c;

	if (argc == 1) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	if (argc != 2) {
		ctl_usage(&ctl_cmd_help, stderr);
		return CTL_EXIT_USAGE;
	}
	if ((c = find(argv[1])) == NULL) {
		fprintf(stderr, "tmonctl: help: unknown command \"%s\"\n",
		    argv[1]);
		return CTL_EXIT_USAGE;
	}
	ctl_help(c, stdout);
	return CTL_EXIT_OK;
}

/* True if argv (a command's own, argv[0] its name) asks for its help:
 * -h or --help before any "--". */
static bool
wants_help(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

int
main(int argc, char *argv[])
{
	const struct ctl_cmd *c;

	log_init(0);
	tjson_init();
	if (argc < 2) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	if ((c = find(argv[1])) == NULL) {
		fprintf(stderr, "tmonctl: unknown command \"%s\" (tmonctl "
		    "--help lists them)\n", argv[1]);
		return CTL_EXIT_USAGE;
	}
	if (c != &ctl_cmd_help && wants_help(argc - 1, argv + 1)) {
		ctl_help(c, stdout);
		return CTL_EXIT_OK;
	}
	return c->run(argc - 1, argv + 1);
}
