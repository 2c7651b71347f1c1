/*
 * cmd_verify_proof.c: tmonctl verify-proof, the offline check of a
 * receipt's C2SP tlog-proof (https://c2sp.org/tlog-proof).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "encode.h"
#include "note.h"
#include "tlog.h"
#include "tmon_limits.h"
#include "util.h"

static int	verify_proof(int, char *[]);

const struct ctl_cmd ctl_cmd_verify_proof = {
	"verify-proof",
	"PROOF ENTRY --key VKEY [--witness VKEY]... [--quorum N]",
	"Check offline that ENTRY is in the log the proof's checkpoint signs.",
	"  PROOF            a tlog-proof (GET /api/v1/receipts/{seq}/proof)\n"
	"  ENTRY            the entry's exact bytes (GET /api/v1/log/entries/"
	"{seq})\n"
	"  --key VKEY       the log's verifier key (tmonctl log-key, GET "
	"/api/v1/log/key)\n"
	"  --witness VKEY   a witness's verifier key (repeatable, at most "
	"16)\n"
	"  --quorum N       cosignatures required among the witnesses "
	"(default: all)\n"
	"Checks, in order: the checkpoint's signature by the log's key and "
	"origin,\nthe witnesses' cosignatures, then the RFC 9162 inclusion "
	"proof of\nSHA-256(0x00 || ENTRY) at the proof's index in the "
	"checkpoint's tree.\n",
	"exit: 0 the entry is in the signed tree, 1 the proof is wrong (bad\n"
	"      signature or cosignature, wrong origin, missing quorum, index "
	"outside\n"
	"      the tree, inclusion proof or entry does not match), 3 it could"
	" not be\n"
	"      checked (a key type not supported), 2 usage or I/O error\n",
	verify_proof
};

static int
verify_proof(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "witness", required_argument, NULL, 'w' },
		{ "quorum", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct note_verifier log, wit[MAX_WITNESSES];
	struct note_keyresult wres[MAX_WITNESSES];
	struct note_policy pol;
	struct note_proof pf;
	struct note_checkpoint cp;
	struct tmon_err err;
	enum note_verdict nv;
	const char *key = NULL;
	uint8_t *proof = NULL, *entry = NULL, leaf[32];
	size_t plen, elen, nw = 0, i;
	uint64_t quorum = UINT64_MAX;
	char hex[65];
	int c, rc = CTL_EXIT_USAGE;

	optind = 1;
	tmon_err_clear(&err);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 'w':
			if (nw == MAX_WITNESSES) {
				fprintf(stderr, "tmonctl verify-proof: at most "
				    "%d witnesses\n", MAX_WITNESSES);
				return CTL_EXIT_USAGE;
			}
			if (note_verifier_parse(optarg, strlen(optarg),
			    &wit[nw], &err) != TMON_OK) {
				fprintf(stderr, "tmonctl verify-proof: "
				    "--witness: %s\n", err.msg);
				return err.code == TMON_E_UNSUPPORTED ?
				    CTL_EXIT_UNCHECKED : CTL_EXIT_USAGE;
			}
			nw++;
			break;
		case 'q':
			if (!parse_u64(optarg, 0, MAX_WITNESSES, &quorum)) {
				fprintf(stderr, "tmonctl verify-proof: --quorum: "
				    "0..%d\n", MAX_WITNESSES);
				return CTL_EXIT_USAGE;
			}
			break;
		default:
			ctl_usage(&ctl_cmd_verify_proof, stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (argc - optind != 2 || key == NULL) {
		ctl_usage(&ctl_cmd_verify_proof, stderr);
		return CTL_EXIT_USAGE;
	}
	if (quorum == UINT64_MAX)
		quorum = nw;
	if (quorum > nw) {
		fprintf(stderr, "tmonctl verify-proof: --quorum %" PRIu64 " of "
		    "%zu witnesses\n", quorum, nw);
		return CTL_EXIT_USAGE;
	}
	if (note_verifier_parse(key, strlen(key), &log, &err) != TMON_OK) {
		fprintf(stderr, "tmonctl verify-proof: --key: %s\n", err.msg);
		return err.code == TMON_E_UNSUPPORTED ? CTL_EXIT_UNCHECKED :
		    CTL_EXIT_USAGE;
	}
	if (read_file(argv[optind], MAX_TLOG_PROOF_LEN, &proof, &plen,
	    &err) != TMON_OK ||
	    read_file(argv[optind + 1], MAX_ENTRY_BODY, &entry, &elen,
	    &err) != TMON_OK) {
		fprintf(stderr, "tmonctl verify-proof: %s\n", err.msg);
		goto out;
	}
	memset(&pol, 0, sizeof(pol));
	pol.log = &log;
	pol.witnesses = nw > 0 ? wit : NULL;
	pol.nwitnesses = nw;
	pol.quorum = (size_t)quorum;
	memset(wres, 0, sizeof(wres));
	tmon_err_clear(&err);
	nv = note_proof_verify(proof, plen, entry, elen, &pol, &pf, &cp,
	    nw > 0 ? wres : NULL, &err);
	tlog_leaf_hash(entry, elen, leaf);
	hex_encode(leaf, 32, hex);
	printf("leaf      %s\n", hex);
	if (nv != NOTE_MALFORMED) {
		printf("index     %" PRIu64 "\n", pf.index);
		printf("tree      %" PRIu64 " entries, origin %.*s\n", cp.size,
		    (int)cp.origin_len, cp.origin);
	}
	for (i = 0; i < nw; i++)
		printf("witness   %s: %s\n", wit[i].name, wres[i].verified ?
		    "cosigned" : wres[i].present ? "bad cosignature" :
		    "no cosignature");
	if (nv == NOTE_PASS) {
		printf("result: verified: entry %" PRIu64 " is in the log's "
		    "signed tree of %" PRIu64 " entries\n", pf.index, cp.size);
		rc = CTL_EXIT_OK;
	} else if (nv == NOTE_UNCHECKED) {
		printf("result: not verified: could not check: %s\n", err.msg);
		rc = CTL_EXIT_UNCHECKED;
	} else {
		printf("result: failed: %s: %s\n", note_verdict_str(nv),
		    err.msg);
		rc = CTL_EXIT_FAILED;
	}
out:
	free(proof);
	free(entry);
	return rc;
}
