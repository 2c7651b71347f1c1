/*
 * libFuzzer target: a Sigstore bundle's JSON text through
 * sigstore_bundle_parse (bundle, certificates, tlog entry shapes, RFC
 * 3161 timestamps, DSSE envelope), then its payload through
 * intoto_statement_parse and dsse_pae.
 * Invariants: a parsed bundle has a version 1 to 3, at least one
 * certificate, a non-empty payload and signature; a parsed statement
 * has at least one subject and a predicateType; the PAE is as long as
 * its parts say.
 * Then sigstore_verify_bundle of the parsed bundle against the
 * public-good trusted root (TMON_SIGSTORE_ROOT, read once; skipped when
 * it cannot be read) for a digest of zeros, which no signed statement
 * names: the verdict is never a pass, every check id is set and the
 * subject check never passes.
 * Seeds: tests/fuzz/seeds/sigstore_bundle/ (the bundles of
 * tests/data/sigstore, the Tinfoil one taken out of its API body).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigstore.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ids[] = {
	"sigstore.dsse.signature", "sigstore.cert.chain",
	"sigstore.cert.identity", "sigstore.sct", "sigstore.subject",
	"sigstore.tlog.body", "sigstore.tlog.inclusion",
	"sigstore.tlog.checkpoint", "sigstore.tlog.set",
	"sigstore.timestamp",
};

/* The public-good root, or NULL when the file cannot be read. */
static struct sigstore_root *
load_root(void)
{
#ifdef TMON_SIGSTORE_ROOT
	struct sigstore_root *r = NULL;
	struct tmon_err err;
	uint8_t *p = NULL;
	size_t len;

	tmon_err_clear(&err);
	if (read_file(TMON_SIGSTORE_ROOT, MAX_SIGSTORE_ROOT_LEN, &p, &len,
	    &err) != TMON_OK)
		return NULL;
	if (sigstore_root_parse(p, len, NULL, &r, &err) != TMON_OK)
		r = NULL;
	free(p);
	return r;
#else
	return NULL;
#endif
}

/* Verify b: never a pass for a digest no statement names. */
static void
verify(const struct sigstore_root *root, const struct sigstore_bundle *b)
{
	static const struct sigstore_policy p = {
		"tinfoilsh/confidential-model-router", ".github/workflows/*",
		"refs/tags/*", NULL
	};
	static struct checklist cl;
	struct intoto_statement st;
	struct sigstore_result res;
	const struct check *c;
	uint8_t d[32];
	size_t i;

	memset(d, 0, sizeof(d));
	checklist_init(&cl);
	if (sigstore_verify_bundle(root, b, &p, d, 1782699168, &st, &res,
	    &cl) == VERDICT_PASS)
		abort();
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (checklist_get(&cl, ids[i]) == NULL)
			abort();
	c = checklist_get(&cl, "sigstore.subject");
	if (c->status == CHECK_PASS)
		abort();
	intoto_statement_free(&st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	static struct sigstore_root *root;
	struct sigstore_bundle b;
	struct intoto_statement st;
	struct tmon_err err;
	uint8_t *pae, d[32];
	size_t n, tlen;

	if (!init) {
		tjson_init();
		root = load_root();
		init = 1;
	}
	tmon_err_clear(&err);
	if (sigstore_bundle_parse(data, size, &b, &err) != TMON_OK)
		return 0;
	if (b.version < 1 || b.version > 3 || b.certs.n < 1 ||
	    b.certs.cert[0] == NULL || b.payload == NULL ||
	    b.payload_len == 0 || b.sig == NULL || b.sig_len == 0 ||
	    !json_is_array(b.tlog_entries))
		abort();
	tlen = strlen(b.payload_type);
	pae = dsse_pae(b.payload_type, tlen, b.payload, b.payload_len, &n);
	if (n < 6 + 4 + tlen + b.payload_len || memcmp(pae, "DSSEv1 ", 7) != 0 ||
	    memcmp(pae + n - b.payload_len, b.payload, b.payload_len) != 0)
		abort();
	free(pae);
	tmon_err_clear(&err);
	if (intoto_statement_parse(b.payload, b.payload_len, &st, &err) ==
	    TMON_OK) {
		if (json_array_size(st.subjects) < 1 ||
		    st.predicate_type == NULL)
			abort();
		memset(d, 0, sizeof(d));
		(void)intoto_has_sha256(&st, d);
		intoto_statement_free(&st);
	}
	if (root != NULL)
		verify(root, &b);
	sigstore_bundle_free(&b);
	return 0;
}
