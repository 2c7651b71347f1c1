/*
 * libFuzzer target: a Sigstore bundle's JSON text through
 * sigstore_bundle_parse (bundle, certificates, tlog entry shapes, RFC
 * 3161 timestamps, DSSE envelope), then its payload through
 * intoto_statement_parse and dsse_pae.
 * Invariants: a parsed bundle has a version 1 to 3, at least one
 * certificate, a non-empty payload and signature; a parsed statement
 * has at least one subject and a predicateType; the PAE is as long as
 * its parts say.
 * Seeds: tests/fuzz/seeds/sigstore_bundle/ (the bundles of
 * tests/data/sigstore, the Tinfoil one taken out of its API body).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigstore.h"
#include "tjson.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct sigstore_bundle b;
	struct intoto_statement st;
	struct tmon_err err;
	uint8_t *pae, d[32];
	size_t n, tlen;

	if (!init) {
		tjson_init();
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
	sigstore_bundle_free(&b);
	return 0;
}
