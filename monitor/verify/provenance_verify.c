/*
 * provenance_verify.c: one release's Sigstore attestation verified and
 * its predicate read (prov_verify_release, provenance.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "checklist.h"
#include "provenance.h"
#include "sigstore.h"

enum verdict
prov_verify_release(const struct sigstore_root *root, const json_t *body,
    const char *want, const struct sigstore_policy *p, const char *repo,
    const char *tag, const uint8_t digest[32], int64_t now,
    struct prov_release *out, struct checklist *sig)
{
	struct intoto_statement st;
	struct sigstore_result res;
	struct tmon_err err;
	enum verdict v;

	memset(out, 0, sizeof(*out));
	snprintf(out->repo, sizeof(out->repo), "%s", repo != NULL ? repo : "");
	snprintf(out->tag, sizeof(out->tag), "%s", tag != NULL ? tag : "");
	memcpy(out->digest, digest, sizeof(out->digest));
	v = sigstore_verify_attestations(root, body, want, p, digest, now, &st,
	    &res, sig);
	out->time = res.verified_time;
	if (v == VERDICT_PASS) {
		tmon_err_clear(&err);
		if (st.predicate_type == NULL ||
		    prov_parse_predicate(st.predicate_type, st.predicate,
		    &out->pred, &err) != TMON_OK) {
			checklist_set(sig, "sigstore.subject", CHECK_FAIL,
			    "predicate of %s: %s", st.predicate_type != NULL ?
			    st.predicate_type : "(none)", st.predicate_type !=
			    NULL ? err.msg : "no statement");
			memset(&out->pred, 0, sizeof(out->pred));
			v = VERDICT_FAIL;
		}
	}
	intoto_statement_free(&st);
	return v;
}
