/*
 * cmd_verify_snp.c: tmonctl verify-snp, one AMD SEV-SNP attestation
 * report verified with the VCEK and cert_chain AMD KDS serves
 * (snp_verify.h), as tmond verifies the report inside a Tinfoil
 * document: for checking a bare report by hand and for the differential
 * test against a peer (tests/integration/test_snp_peer.sh).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "checklist.h"
#include "collateral_kind.h"
#include "ctl.h"
#include "err.h"
#include "snp_report.h"
#include "snp_verify.h"
#include "tmon_limits.h"
#include "util.h"

static int	verify_snp(int, char *[]);

const struct ctl_cmd ctl_cmd_verify_snp = {
	"verify-snp",
	"REPORT [--collateral FILE]... [--at UNIX]",
	"Verify one AMD SEV-SNP attestation report with its VCEK and "
	"cert_chain.",
	"Checks the report's layout, its signature by the VCEK, the chain "
	"VCEK <- ASK <-\n"
	"ARK to the pinned ARK of the product with the VCEK's chip id and "
	"TCB, the TCB\n"
	"and the guest policy (snp.* in README \"Checks\").\n\n"
	"  REPORT             the raw ATTESTATION_REPORT (binary, as the "
	"firmware writes it)\n"
	"  --collateral FILE  the VCEK (DER or PEM) or the cert_chain (PEM: "
	"ASK, ARK) as AMD\n"
	"                     KDS serves them, told from the bytes; each at "
	"most once;\n"
	"                     without them the signature and chain checks are "
	"error (exit 3)\n"
	"  --at UNIX          verification time, unix seconds (default: now)\n",
	NULL,
	verify_snp
};

/* Read path as collateral into *vcek or *chain by its kind. */
static int
read_collateral(const char *path, uint8_t **vcek, size_t *vcek_len,
    uint8_t **chain, size_t *chain_len)
{
	struct collateral_kind_info k;
	struct tmon_err err;
	uint8_t *b = NULL;
	size_t len = 0;

	tmon_err_clear(&err);
	if (read_file(path, MAX_COLLATERAL_FILE, &b, &len, &err) != TMON_OK ||
	    collateral_kind_detect(b, len, &k, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: %s: %s\n", path, err.msg);
		free(b);
		return CTL_EXIT_USAGE;
	}
	if (k.kind != COLL_KIND_AMD_VCEK && k.kind != COLL_KIND_AMD_CHAIN) {
		fprintf(stderr, "tmonctl: %s: %s, not an AMD VCEK or "
		    "cert_chain\n", path, collateral_kind_str(k.kind));
		free(b);
		return CTL_EXIT_USAGE;
	}
	if ((k.kind == COLL_KIND_AMD_VCEK ? *vcek : *chain) != NULL) {
		fprintf(stderr, "tmonctl: %s: a second %s\n", path,
		    collateral_kind_str(k.kind));
		free(b);
		return CTL_EXIT_USAGE;
	}
	if (k.kind == COLL_KIND_AMD_VCEK) {
		*vcek = b;
		*vcek_len = len;
	} else {
		*chain = b;
		*chain_len = len;
	}
	return CTL_EXIT_OK;
}

static int
verify_snp(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "collateral", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	const struct ctl_cmd *cmd = &ctl_cmd_verify_snp;
	struct checklist cl;
	struct snp_report r;
	struct tmon_err err;
	uint8_t *report = NULL, *vcek = NULL, *chain = NULL;
	size_t len = 0, vcek_len = 0, chain_len = 0;
	int64_t at = (int64_t)time(NULL);
	int ch, rc = CTL_EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (rc == CTL_EXIT_OK)
				rc = read_collateral(optarg, &vcek, &vcek_len,
				    &chain, &chain_len);
			break;
		case 'a':
			if (!ctl_parse_at(optarg, &at))
				rc = CTL_EXIT_USAGE;
			break;
		default:
			ctl_usage(cmd, stderr);
			rc = CTL_EXIT_USAGE;
		}
	}
	if (rc == CTL_EXIT_OK && optind + 1 != argc) {
		ctl_usage(cmd, stderr);
		rc = CTL_EXIT_USAGE;
	}
	tmon_err_clear(&err);
	if (rc == CTL_EXIT_OK && read_file(argv[optind], MAX_QUOTE_LEN,
	    &report, &len, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl: %s: %s\n", argv[optind], err.msg);
		rc = CTL_EXIT_USAGE;
	}
	if (rc == CTL_EXIT_OK) {
		checklist_init(&cl);
		(void)snp_verify(report, len, vcek, vcek_len, chain, chain_len,
		    NULL, 0, at, &cl, &r);
		ctl_print_checks(&cl);
		rc = ctl_result(&cl, checklist_verdict(&cl), stdout);
	}
	free(report);
	free(vcek);
	free(chain);
	return rc;
}
