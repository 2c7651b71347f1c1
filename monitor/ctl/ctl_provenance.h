/*
 * ctl_provenance.h: code provenance in tmonctl (README "tmonctl"): the
 * Sigstore trusted root both commands verify against, and the provenance
 * checks verify-attestation adds with --provenance FILE (a
 * tmon-provenance/1 file, provenance.h).
 */
#ifndef TMON_MONITOR_CTL_PROVENANCE_H
#define TMON_MONITOR_CTL_PROVENANCE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "checklist.h"
#include "err.h"
#include "provenance.h"
#include "sigstore.h"

struct attest_measurement;
struct sigstore_root;

/* The trusted root under the data directory (util.h data_path). */
#define CTL_SIGSTORE_ROOT_REL	"trust/sigstore-trusted-root.json"

/*
 * The trusted root to use: path when not NULL, else the installed
 * share/tmon/CTL_SIGSTORE_ROOT_REL, else the source checkout's trust/
 * copy (data_path; the path is written into buf, len bytes, when it is
 * not the checkout's).  Returns the path.
 */
const char	*ctl_sigstore_root_path(const char *path, char *buf,
		    size_t len);

/*
 * Read (at most MAX_SIGSTORE_ROOT_LEN bytes) and parse the trusted root
 * at path (sigstore_root_parse).  Returns the root (free it with
 * sigstore_root_free), or NULL with err set ("PATH: why": TMON_E_IO,
 * TMON_E_LIMIT, TMON_E_PARSE, TMON_E_CRYPTO_LIB).
 */
struct sigstore_root *ctl_sigstore_root_load(const char *path,
		    struct tmon_err *err);

/*
 * The inputs of verify-provenance and bench-provenance: digest_arg (64
 * hex, a "sha256:" prefix allowed) decoded into digest[32], and the
 * attestations answer at path read (at most MAX_SIGSTORE_API_BODY bytes)
 * into a new NUL-terminated *text of *len bytes (the caller frees it).
 * Returns true, or prints "tmonctl: why" to stderr and returns false
 * (the caller exits CTL_EXIT_USAGE).
 */
bool	ctl_prov_read_answer(const char *path, const char *digest_arg,
	    uint8_t digest[32], uint8_t **text, size_t *len);

/* One release of a provenance file, as verified. */
struct ctl_prov_release {
	const struct prov_file_release	*in;	/* borrowed from the file */
	enum verdict			 v;	/* prov_verify_release's */
	struct checklist		 sig;	/* its sigstore.* checks */
	struct prov_release		 out;	/* usable when v is PASS */
	struct sigstore_result		 res;	/* usable when v is PASS */
};

/*
 * A provenance file and what verifying it gave.  Large (each release
 * holds a checklist and a predicate): allocate it.
 */
struct ctl_prov {
	struct prov_file	file;
	struct ctl_prov_release	rel[MAX_PROV_RELEASES];	/* file.n */
	struct ctl_prov_release	hw;		/* when file.has_hw */
	bool			verified;	/* ctl_prov_verify ran with a
						   root */
	char			root_error[256];	/* why not, or "" */
};

/*
 * Read and parse the provenance file at path into p (zeroed first).
 * Returns true, or prints "tmonctl: --provenance: why" to stderr and
 * returns false (unreadable, over MAX_PROV_FILE, not a tmon-provenance/1
 * file: prov_file_parse's message); free p with ctl_prov_free either
 * way.
 */
bool	ctl_prov_load(struct ctl_prov *p, const char *path);

/*
 * Verify every release of p (PROV_PREDICATE_MULTIPLATFORM) and its
 * hardware release (PROV_PREDICATE_HARDWARE) with prov_verify_release
 * against root at unix time now, each with the file's policy (workflow
 * and ref patterns, "" any; the GitHub Actions issuer) and its own
 * repository, then set in cl:
 *   provenance.release      prov_check_release over the latest
 *                           release's sigstore.* checks, its PASS
 *                           detail prov_release_summary's; a hardware
 *                           release that does not verify makes it as
 *                           bad, its detail prefixed "hardware release:"
 *   provenance.measurement  prov_check_measurement of m's registers
 *                           (prov_enclave_of) against the releases that
 *                           verified, newest first, and the hardware
 *                           predicate when it verified; error, registers
 *                           not compared, when the latest release did not
 *                           verify
 * root NULL (it could not be loaded, root_error says why): both checks
 * are error naming it.
 */
void	ctl_prov_verify(struct ctl_prov *p, const struct sigstore_root *root,
	    const char *root_error, int64_t now,
	    const struct attest_measurement *m, struct checklist *cl);

/*
 * Print each release and the hardware release of p to stdout after the
 * check table: "provenance: release 0 REPO TAG sha256:HEX: VERDICT", and
 * for a release that did not verify its first sigstore.* check that
 * failed or erred.
 */
void	ctl_prov_print(const struct ctl_prov *p);

/*
 * p as JSON: {"releases": [RELEASE...], "hardware": RELEASE (when the
 * file has one)}, RELEASE = {"repo", "tag", "digest", "verdict",
 * "checks": [its sigstore.* checks, entry_checks_json], and for a release
 * that verified "log_index" and "integrated_time" (unix s) of its Rekor
 * entry (each when known)}.  A new reference.
 */
json_t	*ctl_prov_json(const struct ctl_prov *p);

/* Free what p holds (the file); p itself is the caller's. */
void	ctl_prov_free(struct ctl_prov *p);

#endif /* TMON_MONITOR_CTL_PROVENANCE_H */
