/*
 * libFuzzer target: a DER certificate through fulcio_identity_parse
 * (the Fulcio extensions 1.3.6.1.4.1.57264.1.* and the SubjectAltName
 * URI).  Input: the DER bytes; what d2i_X509 refuses is skipped.
 * Invariants: on TMON_OK every field is NUL-terminated within its
 * array and holds no control character; on an error the identity is
 * zeroed.
 * Seeds: tests/fuzz/seeds/fulcio_ext/ (the leaf certificates of the
 * bundles in tests/data/sigstore, DER).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "sigstore.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s)
{
	size_t i, n = strnlen(s, MAX_FULCIO_EXT + 1);

	if (n > MAX_FULCIO_EXT)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fulcio_identity id, zero;
	const unsigned char *p = data;
	struct tmon_err err;
	X509 *x;

	if (size > 64 * 1024 ||
	    (x = d2i_X509(NULL, &p, (long)size)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	tmon_err_clear(&err);
	if (fulcio_identity_parse(x, &id, &err) == TMON_OK) {
		check_text(id.issuer);
		check_text(id.signer_uri);
		check_text(id.repo_uri);
		check_text(id.repo_digest);
		check_text(id.repo_ref);
		check_text(id.build_config_uri);
		check_text(id.san_uri);
	} else if (memcmp(&id, &zero, sizeof(id)) != 0)
		abort();
	X509_free(x);
	ERR_clear_error();
	return 0;
}
