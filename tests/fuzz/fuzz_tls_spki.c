/*
 * libFuzzer target: a TLS key file through tls_spki_sha256_of (tmonctl
 * verify-attestation --tls-spki): DER SubjectPublicKeyInfo, DER
 * certificates, PEM public key or certificate, or anything else.
 * Invariant: the result is TMON_OK or TMON_E_PARSE (libFuzzer inputs
 * are far below MAX_BLOB_LEN, so never TMON_E_LIMIT).
 * Seeds: tests/fuzz/seeds/tls_spki/ (tests/data/near peer_spki.der,
 * peer_spki.pem, tls_certificate.pem).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tls_binding.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmon_err err;
	uint8_t out[32];
	enum tmon_rc rc;

	tmon_err_clear(&err);
	rc = tls_spki_sha256_of(data, size, out, &err);
	if (rc != TMON_OK && rc != TMON_E_PARSE)
		abort();
	return 0;
}
