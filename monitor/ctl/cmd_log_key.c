/*
 * cmd_log_key.c: tmonctl log-key, the verifier key of tmond's log.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ctl.h"
#include "note.h"

static int	log_key(int, char *[]);

const struct ctl_cmd ctl_cmd_log_key = {
	"log-key",
	"[--config FILE] [--db PATH] [--key-file FILE]",
	"Print the verifier key of the log's checkpoints (C2SP signed-note).",
	"  --config FILE    the schedule: its log.key_file names the key\n"
	"  --db PATH        the log (default ./tmon.db): the key is PATH.key\n"
	"  --key-file FILE  the key file itself\n"
	"Prints <origin>+<key id>+<public key>, what auditors pass as --key.\n"
	"The signing key itself is never printed.\n",
	"exit: 0 printed, 2 usage error or no readable key file\n",
	log_key
};

static int
log_key(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "key-file", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct config *cfg = NULL;
	struct note_signer sk;
	struct note_verifier vk;
	struct tmon_err err;
	const char *cfgpath = NULL, *db = "./tmon.db", *keyfile = NULL;
	char path[4096], vkey[NOTE_VKEY_MAX];
	int c, rc = CTL_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		default:
			ctl_usage(&ctl_cmd_log_key, stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		ctl_usage(&ctl_cmd_log_key, stderr);
		return CTL_EXIT_USAGE;
	}
	tmon_err_clear(&err);
	if (keyfile == NULL && cfgpath != NULL) {
		if (config_load(cfgpath, &cfg, &err) != TMON_OK) {
			fprintf(stderr, "tmonctl log-key: %s\n", err.msg);
			return CTL_EXIT_USAGE;
		}
		keyfile = cfg->log.key_file;
	}
	if (keyfile != NULL)
		snprintf(path, sizeof(path), "%s", keyfile);
	else if ((size_t)snprintf(path, sizeof(path), "%s.key", db) >=
	    sizeof(path)) {
		fprintf(stderr, "tmonctl log-key: path too long\n");
		goto out;
	}
	if (note_keyfile_load_or_create(path, NULL, false, &sk, &err) !=
	    TMON_OK) {
		fprintf(stderr, "tmonctl log-key: %s\n", err.msg);
		goto out;
	}
	note_signer_verifier(&sk, &vk);
	note_signer_clear(&sk);
	if (!note_verifier_format(&vk, vkey, sizeof(vkey))) {
		fprintf(stderr, "tmonctl log-key: verifier key too long\n");
		goto out;
	}
	printf("%s\n", vkey);
	rc = CTL_EXIT_OK;
out:
	config_free(cfg);
	return rc;
}
