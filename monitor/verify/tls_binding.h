/*
 * tls_binding.h: check tls.binding (README "Checks"): the TLS key that an
 * attestation's REPORTDATA binds is the key of the certificate the
 * probe's own TLS connection was served.
 *
 * The fingerprint every supported provider binds is SHA-256 of the DER
 * SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7) of the TLS leaf
 * certificate, as raw 32 bytes; on the recorded captures
 * (tests/data/near, the Tinfoil v3 captures) it equals SHA-256 of the
 * served certificate's peer_spki_der_base64:
 *   NEAR AI (nearai/nearai-cloud-verifier py/tls_verifier.py,
 *           py/gateway_tls_verifier.py): tls_cert_fingerprint, bound as
 *           REPORTDATA[0:32] = SHA-256(signing key || fingerprint)
 *           (layout "tls-fingerprint+nonce", attest.h tdx.reportdata);
 *           in a cloud-api answer the connection ends in the gateway,
 *           so the gateway's fingerprint is the one compared (each
 *           model's is the gateway-to-model connection's)
 *   Tinfoil (tinfoilsh/verifier README, "TLS pinning"):
 *           report_data.tls_key_fp, the first field of its REPORTDATA
 *           (res->m.has_tls_fingerprint; the REPORTDATA layout itself is
 *           the platform's reportdata check)
 *
 * Pure: no I/O; the served key is attest_ctx.tls_spki_sha256.
 */
#ifndef TMON_VERIFY_TLS_BINDING_H
#define TMON_VERIFY_TLS_BINDING_H

#include <stdbool.h>
#include <stdint.h>

#include "checklist.h"
#include "err.h"
#include "gateway.h"

struct attest_ctx;
struct attest_measurement;

/*
 * The TLS key fingerprint (32 bytes) that rep's REPORTDATA binds for the
 * TEE our connection ends in, into fp, and that TEE's name ("gateway",
 * "model", "tinfoil") into *who (static).  m is the measurement
 * attest_verify_ctx filled from rep (the Tinfoil fingerprint).  Returns
 * false when nothing is bound: no fingerprint served, a quote that does
 * not parse, or a fingerprint served but not in REPORTDATA.
 */
bool	tls_binding_bound(const struct gw_report *rep,
	    const struct attest_measurement *m, uint8_t fp[32],
	    const char **who);

/*
 * Set tls.binding in cl:
 *   pass   REPORTDATA binds a TLS key and it equals ctx->tls_spki_sha256
 *   fail   REPORTDATA binds a TLS key and the probe was served another
 *   skip   nothing bound (tls_binding_bound false), or the probe saw no
 *          certificate of the attested service (ctx->has_tls_spki
 *          false: not over TLS, or through a relay)
 * ctx may not be NULL.
 */
void	tls_binding_check(const struct gw_report *rep,
	    const struct attest_measurement *m, const struct attest_ctx *ctx,
	    struct checklist *cl);

/*
 * SHA-256 of the DER SubjectPublicKeyInfo in the len bytes of buf, into
 * out: a DER SubjectPublicKeyInfo (hashed as given), DER certificates
 * (the first one's key: a chain stored leaf first, as tmond keeps it),
 * or PEM "PUBLIC KEY" or "CERTIFICATE" (the first block).  Parsed with
 * OpenSSL.  Errors: TMON_E_PARSE (none of these), TMON_E_LIMIT (len over
 * MAX_BLOB_LEN).
 */
enum tmon_rc	tls_spki_sha256_of(const uint8_t *buf, size_t len,
		    uint8_t out[32], struct tmon_err *err);

#endif /* TMON_VERIFY_TLS_BINDING_H */
