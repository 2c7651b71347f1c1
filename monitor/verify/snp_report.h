/*
 * snp_report.h: parse an AMD SEV-SNP attestation report into a struct.
 *
 * Layout: AMD "SEV Secure Nested Paging Firmware ABI Specification"
 * (publication 56860), table "ATTESTATION_REPORT Structure" (the
 * MSG_REPORT_RSP payload), and its table "ECDSA P-384 with SHA-384
 * Signature" for the signature.  0x4A0 (1184) bytes, every integer
 * little-endian:
 *
 *   0x000 u32 VERSION            0x0E0 48 ID_KEY_DIGEST
 *   0x004 u32 GUEST_SVN          0x110 48 AUTHOR_KEY_DIGEST
 *   0x008 u64 POLICY             0x140 32 REPORT_ID
 *   0x010 16  FAMILY_ID          0x160 32 REPORT_ID_MA
 *   0x020 16  IMAGE_ID           0x180 u64 REPORTED_TCB
 *   0x030 u32 VMPL               0x188 u8 CPUID_FAM_ID  (v3+; v2 reserved)
 *   0x034 u32 SIGNATURE_ALGO     0x189 u8 CPUID_MOD_ID  (v3+; v2 reserved)
 *   0x038 u64 CURRENT_TCB        0x18A u8 CPUID_STEP    (v3+; v2 reserved)
 *   0x040 u64 PLATFORM_INFO      0x18B .. 0x19F reserved
 *   0x048 u32 signer info:       0x1A0 64 CHIP_ID
 *         bit 0 AUTHOR_KEY_EN    0x1E0 u64 COMMITTED_TCB
 *         bit 1 MASK_CHIP_ID     0x1E8 u8 CURRENT_BUILD, _MINOR, _MAJOR
 *         bits 4:2 SIGNING_KEY   0x1EB reserved
 *         (0 VCEK, 1 VLEK,       0x1EC u8 COMMITTED_BUILD, _MINOR, _MAJOR
 *          7 none)               0x1EF reserved
 *   0x04C u32 reserved           0x1F0 u64 LAUNCH_TCB
 *   0x050 64  REPORT_DATA        0x1F8 u64 LAUNCH_MIT_VECTOR  (v5; else
 *   0x090 48  MEASUREMENT        0x200 u64 CURRENT_MIT_VECTOR  reserved)
 *   0x0C0 32  HOST_DATA          0x208 .. 0x29F reserved
 *                                0x2A0 512 SIGNATURE: R (72, LE), S (72,
 *                                      LE), reserved (368)
 *
 * The signature covers bytes 0x000 .. 0x29F.
 *
 * Versions: 2, 3 and 5 are accepted (version 3 added the CPUID fields,
 * version 5 the two mitigation vectors); anything else, 4 included, is
 * TMON_E_UNSUPPORTED.
 *
 * Reserved fields: every reserved byte must be zero (the specification
 * marks them reserved, and firmware writes zero); a report with a
 * non-zero reserved byte is malformed (TMON_E_PARSE).  That covers 0x04C,
 * 0x188 .. 0x19F for version 2 (0x18B .. 0x19F from version 3), 0x1EB,
 * 0x1EF, 0x1F8 .. 0x29F (0x208 .. 0x29F for version 5), bits 31:5 of the
 * signer info word, and the signature's reserved tail (0x330 .. 0x49F,
 * outside the signed bytes).  The high bytes of R and S (above the 48 of
 * a P-384 value) are not judged here: snp_verify fails the signature if
 * they are not zero.
 *
 * Parsing checks only structure: no signature, certificate or policy.
 * Verification is in snp_verify.h.
 */
#ifndef TMON_VERIFY_SNP_REPORT_H
#define TMON_VERIFY_SNP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SNP_REPORT_LEN		0x4A0	/* 1184 */
#define SNP_SIGNED_LEN		0x2A0	/* bytes 0x0 .. 0x29F are signed */
#define SNP_SIG_COMPONENT_LEN	72	/* R and S, little-endian, zero-padded */

#define SNP_SIG_ALGO_ECDSA_P384_SHA384	1

/* SIGNING_KEY (signer info bits 4:2). */
#define SNP_SIGNING_KEY_VCEK	0
#define SNP_SIGNING_KEY_VLEK	1
#define SNP_SIGNING_KEY_NONE	7

/* Guest POLICY bits (56860 table "Guest Policy Structure"). */
#define SNP_POLICY_SMT		(1ull << 16)
#define SNP_POLICY_RESERVED1	(1ull << 17)	/* must be one */
#define SNP_POLICY_MIGRATE_MA	(1ull << 18)
#define SNP_POLICY_DEBUG	(1ull << 19)
#define SNP_POLICY_SINGLE_SOCKET (1ull << 20)

/* PLATFORM_INFO bits (ATTESTATION_REPORT table). */
#define SNP_PLATFORM_SMT_EN	(1ull << 0)
#define SNP_PLATFORM_TSME_EN	(1ull << 1)

/*
 * A report, its fields copied out (nothing borrowed).  The u64 TCB
 * fields are TCB_VERSION values (56860 table "TCB_VERSION Structure");
 * snp_tcb_split()
 * (snp_verify.h) splits one into components for a product.
 */
struct snp_report {
	uint32_t	version;		/* 2, 3 or 5 */
	uint32_t	guest_svn;
	uint64_t	policy;
	uint8_t		family_id[16];
	uint8_t		image_id[16];
	uint32_t	vmpl;
	uint32_t	signature_algo;		/* 1 = ECDSA P-384 SHA-384 */
	uint64_t	current_tcb;
	uint64_t	platform_info;
	bool		author_key_en;		/* signer info bit 0 */
	bool		mask_chip_id;		/* signer info bit 1 */
	uint8_t		signing_key;		/* signer info bits 4:2 */
	uint8_t		report_data[64];
	uint8_t		measurement[48];
	uint8_t		host_data[32];
	uint8_t		id_key_digest[48];
	uint8_t		author_key_digest[48];
	uint8_t		report_id[32];
	uint8_t		report_id_ma[32];
	uint64_t	reported_tcb;
	bool		has_cpuid;		/* version >= 3 */
	uint8_t		cpuid_fam_id;		/* 0 when !has_cpuid */
	uint8_t		cpuid_mod_id;
	uint8_t		cpuid_step;
	uint8_t		chip_id[64];
	uint64_t	committed_tcb;
	uint8_t		current_build, current_minor, current_major;
	uint8_t		committed_build, committed_minor, committed_major;
	uint64_t	launch_tcb;
	bool		has_mit_vector;		/* version >= 5 */
	uint64_t	launch_mit_vector;	/* 0 when !has_mit_vector */
	uint64_t	current_mit_vector;
	uint8_t		sig_r[SNP_SIG_COMPONENT_LEN];	/* little-endian */
	uint8_t		sig_s[SNP_SIG_COMPONENT_LEN];	/* little-endian */
};

/*
 * Parse the len bytes at buf, exactly one report (len must be
 * SNP_REPORT_LEN), into *r, read through the bounded cursor (cur.h).
 * On failure *r is zeroed.  Returns TMON_OK, or:
 *   TMON_E_PARSE        len is not 0x4A0 (a short buffer fails at the
 *                       field it cuts, err->offset says where), or a
 *                       reserved byte is not zero (err names the field
 *                       and offset)
 *   TMON_E_UNSUPPORTED  VERSION is not 2, 3 or 5
 * The version is checked first: a short report of an unknown version is
 * TMON_E_UNSUPPORTED when its first four bytes are there.
 */
enum tmon_rc	snp_report_parse(const uint8_t *buf, size_t len,
		    struct snp_report *r, struct tmon_err *err);

/*
 * The product (AMD KDS spelling) of the CPU that made r, from its CPUID
 * fields (version 3 and later): family 0x19 models 0x00-0x0F "Milan",
 * models 0x10-0x1F and 0xA0-0xAF "Genoa" (Genoa, Bergamo, Siena share
 * Genoa's ARK and ASK); family 0x1A models 0x00-0x1F "Turin".  "" when
 * the report carries no CPUID (version 2) or another family or model.
 * Never NULL; a static string.
 */
const char	*snp_product(const struct snp_report *r);

#endif /* TMON_VERIFY_SNP_REPORT_H */
