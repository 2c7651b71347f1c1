/*
 * tmond: the tmon daemon.  Probes every model of the schedule, verifies
 * the evidence, appends the results to the log and serves the API and the
 * dashboard.  See README.md and tmond --help.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "tjson.h"
#include "util.h"

static void
usage(FILE *f, const char *config_path, const char *dashboard_dir)
{
	fprintf(f,
	    "usage: tmond [--config FILE] [--db PATH] [--init] "
	    "[--listen HOST:PORT]\n"
	    "             [--dashboard DIR] [--max-probes N] [-n] [-v]...\n"
	    "  -c, --config FILE     schedule (default %s)\n"
	    "  -d, --db PATH         SQLite log (default ./tmon.db)\n"
	    "      --init            create a new log if PATH has none\n"
	    "                        (without it: an error, exit 2)\n"
	    "  -l, --listen H:P      API and dashboard address "
	    "(default 127.0.0.1:8080)\n"
	    "      --dashboard DIR   static dashboard files (default %s)\n"
	    "      --max-probes N    stop after N probes are logged "
	    "(0 = run until SIGTERM)\n"
	    "  -n, --check-config    check the schedule and what tmond needs to "
	    "start\n"
	    "                        (receipt token, dashboard, log) and exit: "
	    "0 ok,\n"
	    "                        1 a problem (printed), 2 a usage error\n"
	    "      --read-only       serve the log as it is: no probes, no "
	    "receipts, no writes\n"
	    "  -v, --verbose         more logging (repeat for debug)\n"
	    "API keys and the receipt token are read from the environment "
	    "variables the\nschedule names (api_key_env, receipts.token_env); "
	    "they are never logged or stored.\n"
	    "SIGHUP re-reads the schedule and applies its models without a "
	    "restart.\n",
	    config_path, dashboard_dir);
}

/* Split "host:port"; host must be non-empty. */
static int
parse_listen(const char *s, char *host, size_t hostsz, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	uint64_t p;

	if (colon == NULL || colon == s || (size_t)(colon - s) >= hostsz)
		return -1;
	if (!parse_u64(colon + 1, 0, 65535, &p))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	*port = (uint16_t)p;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "dashboard", required_argument, NULL, 'D' },
		{ "max-probes", required_argument, NULL, 'M' },
		{ "init", no_argument, NULL, 'I' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "read-only", no_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon_opts o;
	struct config *cfg = NULL;
	struct tmon_err err;
	char cfgbuf[PATH_MAX], dashbuf[PATH_MAX], rootbuf[PATH_MAX];
	const char *config_path, *def_config;
	char host[256] = "127.0.0.1";
	uint64_t n;
	int ch, verbose = 1, check_only = 0;
	enum tmon_rc rc;

	tjson_init();
	memset(&o, 0, sizeof(o));
	o.db_path = "./tmon.db";
	o.listen_port = 8080;
	config_path = def_config = data_path(TMON_BIN_TO_DATA, TMON_DATADIR,
	    "schedules/default.json", TMON_DEFAULT_CONFIG, cfgbuf,
	    sizeof(cfgbuf));
	o.dashboard_dir = data_path(TMON_BIN_TO_DATA, TMON_DATADIR,
	    "dashboards", TMON_DASHBOARD_DIR, dashbuf, sizeof(dashbuf));
	o.sigstore_root_path = data_path(TMON_BIN_TO_DATA, TMON_DATADIR,
	    "trust/sigstore-trusted-root.json", TMON_SIGSTORE_ROOT, rootbuf,
	    sizeof(rootbuf));
	while ((ch = getopt_long(argc, argv, "c:d:l:nvh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'd':
			o.db_path = optarg;
			break;
		case 'l':
			if (parse_listen(optarg, host, sizeof(host),
			    &o.listen_port) != 0) {
				fprintf(stderr, "tmond: --listen: expected "
				    "HOST:PORT, got \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'D':
			o.dashboard_dir = optarg;
			break;
		case 'M':
			if (!parse_u64(optarg, 0, UINT64_MAX, &n)) {
				fprintf(stderr, "tmond: --max-probes: not a "
				    "number: \"%s\"\n", optarg);
				return 2;
			}
			o.max_probes = n;
			break;
		case 'I':
			o.init = true;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'R':
			o.read_only = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout, def_config, o.dashboard_dir);
			return 0;
		default:
			usage(stderr, def_config, o.dashboard_dir);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr, def_config, o.dashboard_dir);
		return 2;
	}
	log_init(verbose);
	tmon_err_clear(&err);
	if (config_load(config_path, &cfg, &err) != TMON_OK) {
		fprintf(stderr, "tmond: %s\n", err.msg);
		return 1;
	}
	o.cfg = cfg;
	o.config_path = config_path;
	o.listen_host = host;
	if (check_only) {
		rc = daemon_check(&o, &err);
		if (rc == TMON_OK)
			printf("tmond: %s: ok, %zu models\n", config_path,
			    cfg->n_models);
		else
			fprintf(stderr, "tmond: %s\n", err.msg);
		config_free(cfg);
		return rc == TMON_OK ? 0 : 1;
	}
	rc = daemon_run(&o, &err);
	config_free(cfg);
	if (rc != TMON_OK) {
		fprintf(stderr, "tmond: %s\n", err.msg);
		/* no log where one is expected: a usage error (--init) */
		return rc == TMON_E_NOTFOUND ? 2 : 1;
	}
	return 0;
}
