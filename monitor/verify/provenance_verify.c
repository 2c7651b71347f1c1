/*
 * provenance_verify.c: one release's Sigstore attestation verified and
 * its predicate read, and the summary of a release that verified
 * (prov_verify_release, prov_release_summary, provenance.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checklist.h"
#include "encode.h"
#include "provenance.h"
#include "sigstore.h"
#include "util.h"
#include "xmalloc.h"

enum verdict
prov_verify_release(const struct sigstore_root *root, const json_t *body,
    const char *want, const struct sigstore_policy *p, const char *repo,
    const char *tag, const uint8_t digest[32], int64_t now,
    struct prov_release *out, struct sigstore_result *res,
    struct checklist *sig)
{
	struct intoto_statement st;
	struct sigstore_result *r;
	struct tmon_err err;
	enum verdict v;

	/* large (the certificate's identity): never on the stack */
	r = res != NULL ? res : xcalloc(1, sizeof(*r));
	memset(out, 0, sizeof(*out));
	snprintf(out->repo, sizeof(out->repo), "%s", repo != NULL ? repo : "");
	snprintf(out->tag, sizeof(out->tag), "%s", tag != NULL ? tag : "");
	memcpy(out->digest, digest, sizeof(out->digest));
	v = sigstore_verify_attestations(root, body, want, p, digest, now, &st,
	    r, sig);
	out->time = r->verified_time;
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
	if (r != res)
		free(r);
	return v;
}

/* Append to the string in buf (len bytes), cut to fit. */
static void
cat(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

void
prov_release_summary(const struct prov_release *rel,
    const struct sigstore_result *res, const char *digest_source, char *buf,
    size_t len)
{
	char hex[65], t[32];

	if (len == 0)
		return;
	buf[0] = '\0';
	cat(buf, len, "release %s%s%s, digest sha256:%s", rel->repo,
	    rel->tag[0] != '\0' ? "@" : "", rel->tag,
	    hex_encode(rel->digest, 32, hex));
	if (digest_source != NULL)
		cat(buf, len, " (from %s)", digest_source);
	if (res != NULL && res->has_tlog)
		cat(buf, len, ", attestation verified: Rekor log index %llu",
		    (unsigned long long)res->log_index);
	else
		cat(buf, len, ", attestation verified: Rekor log index "
		    "unknown");
	if (res != NULL && res->integrated_time != 0)
		cat(buf, len, ", integrated time %s",
		    fmt_time(res->integrated_time, t, sizeof(t)));
	else if (rel->time != 0)
		cat(buf, len, ", verified time %s", fmt_time(rel->time, t,
		    sizeof(t)));
	if (rel->pred.version[0] != '\0')
		cat(buf, len, ", image %s", rel->pred.version);
}
