/*
 * attest_tinfoil.h: the REPORTDATA binding of a Tinfoil attestation
 * document (gateway_tinfoil.h), judged as tdx.reportdata (Intel TDX) or
 * snp.reportdata (AMD SEV-SNP).
 *
 * v3 (layout TINFOIL_V3_LAYOUT): the hardware's 64-byte REPORTDATA must
 * be SHA-256 (FIPS 180-4) of tls_key_fp || hpke_key || nonce
 * [|| gpu_evidence_hash] [|| nvswitch_evidence_hash], the served hex
 * fields as raw bytes, followed by 32 zero bytes; each evidence hash
 * must be SHA-256 of its member's bytes as served (so the GPU evidence
 * that gpu.* verifies is the evidence the CPU report binds); and the
 * nonce must be ours.  (tinfoilsh/confidential-cvmimage attestation.go
 * ComputeReportData; holds on the recorded captures, tests/data/tinfoil.)
 * v2 (layout TINFOIL_V2_LAYOUT): REPORTDATA is tls_key_fp || hpke_key
 * and binds no nonce (tinfoilsh/verifier attestation.go
 * newVerificationV2): the evidence cannot show it was made for our
 * request.
 */
#ifndef TMON_VERIFY_ATTEST_TINFOIL_H
#define TMON_VERIFY_ATTEST_TINFOIL_H

#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "gateway_tinfoil.h"

#define TINFOIL_V3_LAYOUT	"tinfoil-v3"
#define TINFOIL_V2_LAYOUT	"tinfoil-v2"

/*
 * Set check id ("tdx.reportdata" or "snp.reportdata") in cl for the
 * document t whose hardware REPORTDATA is rd (64 bytes), against our
 * 32-byte nonce.  v3: PASS when REPORTDATA is the layout above over the
 * served fields, every served evidence hash matches its evidence, and
 * the served nonce is ours; FAIL when REPORTDATA is anything else, an
 * evidence hash is missing, unmatched or served without its evidence,
 * or the nonce it binds is not ours ("internally consistent only"); ERROR
 * when SHA-256 fails.  v2: FAIL, naming the layout (it binds no nonce).
 * Sets layout (layoutsz bytes) to the layout name when REPORTDATA has
 * it, else "".
 */
void	tinfoil_check_reportdata(const struct gw_tinfoil *t,
	    const uint8_t rd[64], const uint8_t nonce[32], const char *id,
	    struct checklist *cl, char *layout, size_t layoutsz);

/*
 * tinfoil.signature of the v3 document t, served as the len bytes at
 * body: the document's "certificate" (one PEM certificate, the enclave's
 * TLS leaf) has a SubjectPublicKeyInfo whose SHA-256 is
 * report_data.tls_key_fp, and its EC key's "signature" (base64 of a DER
 * ECDSA signature) verifies over SHA-256 of the document as signed: the
 * served bytes without the trailing newline and with the signature's
 * value emptied ("signature":"", the document's last member)
 * (tinfoilsh/confidential-cvmimage attestation.go signAttestation).  The
 * certificate's own chain is not judged: what makes the key the
 * enclave's is REPORTDATA binding its fingerprint (tdx.reportdata /
 * snp.reportdata).  PASS; FAIL when either is missing, malformed, the
 * key is another or the signature does not verify; ERROR when the served
 * document does not end with its signature (the signed bytes cannot be
 * rebuilt) or OpenSSL fails.  v2 documents are not signed: SKIP.
 */
void	tinfoil_check_signature(const struct gw_tinfoil *t,
	    const uint8_t *body, size_t len, struct checklist *cl);

#endif /* TMON_VERIFY_ATTEST_TINFOIL_H */
