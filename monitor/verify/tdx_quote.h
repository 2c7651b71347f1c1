/*
 * tdx_quote.h: parse an Intel TDX DCAP quote (version 4 or 5) into a
 * struct that borrows the caller's buffer.
 *
 * Layout: Intel's "TDX DCAP Quote Generation Library and Quote
 * Verification Library API" (A.3 "Quote Format", ECDSA quote v4 and v5)
 * as implemented in go-tdx-guest abi/abi.go and dcap-qvl src/quote.rs.
 * Every integer is little-endian.
 *
 *   header (48) | [v5: u16 body_type, u32 body_size] | TD report body
 *   (584 TD10, 648 TD15) | u32 sig_data_len | sig_data
 *   sig_data = signature (64, r||s) | attest_key (64, x||y) |
 *              u16 cert_type (6) | u32 size | QE report (384) |
 *              QE report signature (64) | u16 auth_len | auth data |
 *              u16 cert_type (5) | u32 size | PEM chain
 *
 * Parsing checks only structure: no signature, no certificate, no
 * policy.  Verification is in tdx_verify.h.
 */
#ifndef TMON_VERIFY_TDX_QUOTE_H
#define TMON_VERIFY_TDX_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cur.h"
#include "err.h"
#include "tmon_limits.h"

#define TDX_MR_LEN		48
#define TDX_REPORTDATA_LEN	64

#define TDX_QUOTE_HEADER_LEN	48	/* version .. user_data */
#define TDX_V5_BODY_DESC_LEN	6	/* u16 body_type, u32 body_size */
#define TDX_TD10_BODY_LEN	584	/* TD report 1.0 */
#define TDX_TD15_BODY_LEN	648	/* TD report 1.5: TD10 + 64 */
#define TDX_QE_REPORT_LEN	384	/* SGX REPORT BODY */
#define TDX_ECDSA_SIG_LEN	64	/* raw r||s, P-256 */
#define TDX_ECDSA_KEY_LEN	64	/* raw x||y, P-256 */

#define TDX_ATT_KEY_ECDSA_P256	2	/* header att_key_type */
#define TDX_TEE_TYPE_TDX	0x81	/* header tee_type */
#define TDX_TEE_TYPE_SGX	0	/* header tee_type of an SGX v3 quote */
#define TDX_BODY_SGX		1	/* body is an SGX REPORT BODY (v3) */
#define TDX_BODY_TD10		2	/* v5 body_type: TD report 1.0 */
#define TDX_BODY_TD15		3	/* v5 body_type: TD report 1.5 */
#define TDX_CERT_QE_REPORT	6	/* outer cert data: QE report cert data */
#define TDX_CERT_PCK_CHAIN	5	/* inner cert data: PCK chain, PEM */

/* Intel's QE vendor ID (the only one accepted). */
extern const uint8_t tdx_intel_qe_vendor_id[16];

struct tdx_td_report {			/* TD10 fields + TD15 extension */
	uint8_t	tee_tcb_svn[16];
	uint8_t	mrseam[48];
	uint8_t	mrsignerseam[48];
	uint8_t	seam_attributes[8];
	uint8_t	td_attributes[8];
	uint8_t	xfam[8];
	uint8_t	mrtd[48];
	uint8_t	mr_config_id[48];
	uint8_t	mr_owner[48];
	uint8_t	mr_owner_config[48];
	uint8_t	rtmr[4][48];
	uint8_t	report_data[64];
	uint8_t	tee_tcb_svn2[16];	/* TD15 only; zero for TD10 */
	uint8_t	mr_servicetd[48];	/* TD15 only; zero for TD10 */
};

/*
 * The QE report (an SGX REPORT BODY, 384 bytes) as fields; offsets in
 * go-tdx-guest abi/abi.go and dcap-qvl EnclaveReport.  Reserved bytes
 * are not kept.
 */
struct tdx_qe_report {
	uint8_t		cpusvn[16];
	uint32_t	miscselect;
	uint8_t		attributes[16];
	uint8_t		mrenclave[32];
	uint8_t		mrsigner[32];
	uint16_t	isvprodid;
	uint16_t	isvsvn;
	uint8_t		report_data[64];
};

/*
 * What the Intel SGX extension (OID 1.2.840.113741.1.13.1) of a PCK leaf
 * certificate says about the platform (Intel "SGX PCK Certificate and
 * CRL Profile", dcap-qvl src/oids.rs).  Filled
 * by tdx_pck_info() (tdx_verify.h); the TCB logic matches these against
 * TCB Info.
 */
enum tdx_pck_ca {
	TDX_PCK_CA_UNKNOWN = 0,
	TDX_PCK_CA_PLATFORM,		/* issuer CN "Intel SGX PCK Platform CA" */
	TDX_PCK_CA_PROCESSOR		/* issuer CN "Intel SGX PCK Processor CA" */
};

struct tdx_pck_info {
	uint8_t		ppid[16];	/* .1 (all zero if absent) */
	uint8_t		tcb_comp_svn[16]; /* .2.1 .. .2.16 */
	uint16_t	pcesvn;		/* .2.17 */
	uint8_t		cpusvn[16];	/* .2.18 */
	uint8_t		pceid[2];	/* .3, as stored (big-endian bytes) */
	uint8_t		fmspc[6];	/* .4 */
	int		sgx_type;	/* .5; -1 if absent */
	enum tdx_pck_ca	ca;		/* from the leaf's issuer CN */
};

/*
 * What the CRL checks of the collateral (tdx_collateral.h) need to know
 * about a quote's PCK chain: serial numbers as the magnitude bytes of the
 * DER INTEGER (no sign, no leading zeros) and SHA-256 of the issuers'
 * Name DER.  Filled by tdx_check_quote() once the chain has decoded.
 */
struct tdx_pck_ids {
	uint8_t		leaf_serial[MAX_X509_SERIAL_LEN];
	size_t		leaf_serial_len;
	uint8_t		ca_serial[MAX_X509_SERIAL_LEN];
	size_t		ca_serial_len;
	uint8_t		leaf_issuer[32];	/* = the CA's subject */
	uint8_t		ca_issuer[32];		/* = the root's subject */
	char		leaf_issuer_cn[64];	/* for messages */
};

struct tdx_quote {
	uint16_t	version;	/* 4 or 5 */
	uint16_t	att_key_type;	/* 2 */
	uint32_t	tee_type;	/* 0x81 */
	uint8_t		qe_vendor_id[16];
	uint8_t		user_data[20];
	uint16_t	body_type;	/* 2 = TD10, 3 = TD15 (v4 is always 2);
					   1 = SGX (v3, tdx_quote_parse_any) */
	uint32_t	body_size;	/* 584 or 648 (384 for SGX) */
	struct tdx_td_report report;	/* SGX: only report_data is set */
	struct tdx_qe_report sgx;	/* SGX: the enclave's REPORT BODY */
	struct cur	signed_region;	/* borrowed: header + body, signed by
					   the attestation key */
	uint32_t	sig_data_len;
	uint8_t		signature[64];	/* r||s */
	uint8_t		attest_key[64];	/* x||y */
	uint16_t	cert_data_type;	/* outer: 6 */
	struct cur	qe_report;	/* 384 bytes, borrowed */
	struct tdx_qe_report qe;	/* qe_report as fields */
	uint8_t		qe_report_sig[64];
	struct cur	qe_auth_data;	/* borrowed, may be empty */
	uint16_t	pck_cert_type;	/* 5 = PEM chain */
	struct cur	pck_chain;	/* borrowed PEM text (may end with NULs) */
	size_t		quote_len;	/* bytes used by the quote */
	size_t		trailing_len;	/* bytes after it in the buffer */
	bool		trailing_nonzero; /* any of them non-zero */

	/* Filled by tdx_check_quote() once the PCK leaf has been read. */
	bool		pck_ok;		/* pck is valid */
	struct tdx_pck_info pck;
	bool		pck_ids_ok;	/* pck_ids is valid */
	struct tdx_pck_ids pck_ids;
};

/*
 * Parse the quote in the len bytes at buf into *q.  The quote may be
 * followed by other bytes in the buffer (dstack pads to 5006 bytes, GCP
 * to 8000): they are counted in q->trailing_len and flagged in
 * q->trailing_nonzero, never read as part of the quote.
 *
 * Structure checked: every length field fits inside the enclosing block
 * and each block is consumed exactly (sig_data_len = 128 + 6 + outer
 * size; outer size = 384 + 64 + 2 + auth_len + 6 + PEM size); a v5 body
 * size matches its body type.
 *
 * q borrows buf: the struct cur members point into it, so buf must
 * outlive q.  On failure *q is zeroed (nothing to free either way).
 *
 * Returns TMON_OK, or:
 *   TMON_E_PARSE        malformed (short read, length field out of range,
 *                       block not consumed exactly, v5 body size not the
 *                       one for its type, unknown v5 body type); err
 *                       gives the offset and the field name
 *   TMON_E_UNSUPPORTED  well-formed but not a TDX ECDSA-P256 quote we
 *                       handle: version other than 4/5 (3 = SGX), tee_type
 *                       not 0x81, att_key_type not 2, QE vendor not
 *                       Intel, v5 body type 1 (SGX), outer cert data type
 *                       not 6, inner cert data type not 5
 *   TMON_E_LIMIT        len > MAX_QUOTE_LEN, or the PEM chain is longer
 *                       than MAX_PEM_CHAIN_LEN
 */
enum tmon_rc	tdx_quote_parse(const uint8_t *buf, size_t len,
		    struct tdx_quote *q, struct tmon_err *err);

/*
 * As tdx_quote_parse, but an SGX ECDSA quote v3 (tee_type 0, Intel QE,
 * att_key_type 2) is accepted too: q->version 3, q->body_type
 * TDX_BODY_SGX, the 384-byte enclave REPORT BODY in q->sgx (and its
 * report_data also in q->report.report_data), the signed region header
 * + report (432 bytes), and the signature data of dcap-qvl AuthDataV3:
 * signature, attestation key, QE report, QE report signature, QE auth
 * data, certification data type 5 (no type-6 wrapper; cert_data_type
 * is 0).  Used by tmonctl verify-quote; tmond's probes use
 * tdx_quote_parse (providers serve TDX quotes).
 */
enum tmon_rc	tdx_quote_parse_any(const uint8_t *buf, size_t len,
		    struct tdx_quote *q, struct tmon_err *err);

#endif /* TMON_VERIFY_TDX_QUOTE_H */
