/*
 * snp_verify.h: verify an AMD SEV-SNP attestation report (snp_report.h)
 * with its VCEK and the AMD KDS certificate chain.
 *
 * Sources: AMD "SEV Secure Nested Paging Firmware ABI Specification"
 * (pub. 56860): tables "ATTESTATION_REPORT Structure", "TCB_VERSION
 * Structure", "Guest Policy Structure", "ECDSA P-384 with SHA-384
 * Signature"; AMD "Versioned Chip Endorsement Key (VCEK) Certificate and
 * KDS Interface Specification" (pub. 57230): the chain ARK -> ASK ->
 * VCEK, RSASSA-PSS with SHA-384, and the VCEK's extensions
 *   1.3.6.1.4.1.3704.1.2      productName (IA5String, "Genoa")
 *   1.3.6.1.4.1.3704.1.3.1    blSPL     (INTEGER)
 *   1.3.6.1.4.1.3704.1.3.2    teeSPL    (INTEGER)
 *   1.3.6.1.4.1.3704.1.3.3    snpSPL    (INTEGER)
 *   1.3.6.1.4.1.3704.1.3.8    ucodeSPL  (INTEGER)
 *   1.3.6.1.4.1.3704.1.3.9    fmcSPL    (INTEGER, Turin)
 *   1.3.6.1.4.1.3704.1.4      hwID      (the raw CHIP_ID: 64 bytes;
 *                                        Turin: its first 8 bytes)
 *
 * Pure: no I/O, no clock (now is a parameter), thread-safe.
 */
#ifndef TMON_VERIFY_SNP_VERIFY_H
#define TMON_VERIFY_SNP_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "snp_report.h"

/* The pinned ARKs (trust_amd.c): DER, self-signed, see there. */
extern const uint8_t	snp_ark_milan_der[];
extern const size_t	snp_ark_milan_der_len;
extern const uint8_t	snp_ark_genoa_der[];
extern const size_t	snp_ark_genoa_der_len;
extern const uint8_t	snp_ark_turin_der[];
extern const size_t	snp_ark_turin_der_len;

/*
 * The components of a TCB_VERSION (56860 table "TCB_VERSION Structure"),
 * whose byte layout depends on the product:
 *   Milan, Genoa: byte 0 BOOT_LOADER, 1 TEE, 2-5 reserved, 6 SNP,
 *                 7 MICROCODE
 *   Turin:        byte 0 FMC, 1 BOOT_LOADER, 2 TEE, 3 SNP, 4-6 reserved,
 *                 7 MICROCODE
 */
struct snp_tcb {
	uint8_t	fmc;		/* Turin only; 0 for the others */
	uint8_t	bootloader;
	uint8_t	tee;
	uint8_t	snp;
	uint8_t	microcode;
};

/*
 * Split tcb (a TCB_VERSION as the report's little-endian u64) for
 * product ("Milan", "Genoa", "Turin") into *out.  False (and *out
 * zeroed) for any other product.  Reserved bytes are ignored.
 */
bool	snp_tcb_split(const char *product, uint64_t tcb, struct snp_tcb *out);

/*
 * The pinned ARK of product ("Milan", "Genoa", "Turin") in *der and
 * *len; false (NULL, 0) for any other product.
 */
bool	snp_pinned_ark(const char *product, const uint8_t **der, size_t *len);

/*
 * Verify the report in the len bytes at report and append five checks
 * to cl:
 *
 *   snp.report.parse
 *     pass   snp_report_parse accepted it; the detail gives the version,
 *            the product and CPUID, VMPL
 *     fail   malformed (TMON_E_PARSE: wrong length, a reserved byte not
 *            zero; err's message)
 *     error  TMON_E_UNSUPPORTED (a version other than 2, 3, 5)
 *   When it does not pass, the four checks below are CHECK_SKIP.
 *
 *   snp.report.signature  (56860 "ECDSA P-384 with SHA-384 Signature")
 *     pass   R || S (little-endian, converted) verifies as ECDSA P-384
 *            over SHA-384 of bytes 0x000 .. 0x29F with the VCEK's key
 *     fail   it does not; R or S has a non-zero byte above the 48 of a
 *            P-384 value; the VCEK's key is not EC P-384; SIGNING_KEY
 *            says the report is unsigned (7)
 *     error  no VCEK ("no collateral"); the VCEK does not decode (the
 *            chain check fails it); SIGNATURE_ALGO other than 1 or
 *            SIGNING_KEY VLEK (1) or another value (not supported);
 *            OpenSSL failed
 *
 *   snp.vcek_chain  (57230)
 *     pass   VCEK <- ASK <- ARK verifies (RSASSA-PSS SHA-384, OpenSSL's
 *            path validation without X509_V_FLAG_X509_STRICT, see
 *            TMON_X509_NO_STRICT, validity of all three at now), the ARK
 *            served is byte for byte the pinned ARK of the product (or
 *            ark_der), the VCEK's hwID equals CHIP_ID (Turin: its first
 *            8 bytes) and its blSPL, teeSPL, snpSPL, ucodeSPL (Turin:
 *            and fmcSPL) equal the components of REPORTED_TCB
 *     warn   all that, except that the report masks CHIP_ID (signer
 *            info MASK_CHIP_ID): hwID is not compared
 *     fail   the VCEK or the chain does not decode, or any of the above
 *            does not hold (the detail names which)
 *     error  no VCEK or no cert_chain ("no collateral"); the product is
 *            unknown (neither the report's CPUID nor the VCEK's
 *            productName names Milan, Genoa or Turin); OpenSSL failed
 *
 *   snp.tcb  (the TCB_VERSION fields of the report)
 *     pass   no component of REPORTED_TCB is above CURRENT_TCB's and
 *            COMMITTED_TCB = CURRENT_TCB; the detail names each
 *            component of the reported TCB and how current, committed
 *            and launch TCB compare, and the firmware versions (v5: the
 *            mitigation vectors)
 *     warn   COMMITTED_TCB differs from CURRENT_TCB (the running
 *            firmware is not committed: it can be rolled back)
 *     fail   a component of REPORTED_TCB is above CURRENT_TCB's: the
 *            firmware cannot derive a VCEK for a TCB it does not run
 *     error  the product is unknown (the layout depends on it)
 *   There is no minimum TCB here: which SPLs are acceptable is AMD's
 *   security bulletins' call, not encoded in tmon.
 *
 *   snp.policy  (56860 "Guest Policy Structure")
 *     pass   POLICY.DEBUG (bit 19) is 0 and bit 17 is 1; the detail
 *            reports SMT, MIGRATE_MA and SINGLE_SOCKET as the policy
 *            says, PLATFORM_INFO's SMT_EN and TSME_EN, and VMPL
 *     fail   DEBUG is 1 (the host can read and write guest memory) or
 *            bit 17 is 0 (firmware refuses such a policy at launch)
 *
 * vcek: vcek_len bytes, DER or PEM (one CERTIFICATE); NULL: none.
 * cert_chain: chain_len bytes of PEM, the ASK then the ARK, as KDS
 * serves /vcek/v1/{product}/cert_chain; NULL: none.
 * ark_der: a test PKI's ARK (DER) to trust instead of the pinned ARKs;
 * NULL: the pinned ARK of the product.
 * now: unix seconds (UTC) at which validity is judged.
 * out: filled with the parsed report when the function returns true
 * (zeroed otherwise); may be NULL.
 * Returns true when the report parsed.  cl must not be NULL.
 */
bool	snp_verify(const uint8_t *report, size_t len,
	    const uint8_t *vcek, size_t vcek_len,
	    const uint8_t *cert_chain, size_t chain_len,
	    const uint8_t *ark_der, size_t ark_der_len,
	    int64_t now, struct checklist *cl, struct snp_report *out);

#endif /* TMON_VERIFY_SNP_VERIFY_H */
