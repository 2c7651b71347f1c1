/*
 * nvspdm.h: parser for one NVIDIA GPU attestation report ("evidence"):
 * an SPDM 1.1 GET_MEASUREMENTS request followed by the MEASUREMENTS
 * response that answers it, signature included.
 *
 * Layout (all integers little-endian; DMTF DSP0274 1.1.0, sections
 * "GET_MEASUREMENTS request and MEASUREMENTS response messages" and
 * "Measurement block"; NVIDIA's framing and opaque-data types from
 * NVIDIA/nvtrust local_gpu_verifier verifier/attestation/
 * spdm_msrt_req_msg.py and spdm_msrt_resp_msg.py):
 *
 *   request (37 bytes)
 *     0  SPDMVersion 0x11   1  RequestResponseCode 0xE0 (GET_MEASUREMENTS)
 *     2  Param1 (bit 0: signature requested, must be set)
 *     3  Param2 (measurement operation; 0xFF = all)
 *     4  Nonce[32]          36 SlotIDParam
 *   response (from offset 37)
 *     0  SPDMVersion 0x11   1  RequestResponseCode 0x60 (MEASUREMENTS)
 *     2  Param1             3  Param2
 *     4  NumberOfBlocks u8  5  MeasurementRecordLength u24 (L1)
 *     8  MeasurementRecord[L1]: NumberOfBlocks measurement blocks
 *          Index u8 (1-based, unique), MeasurementSpecification u8 (1 = DMTF),
 *          MeasurementSize u16, then DMTF: ValueType u8, ValueSize u16,
 *          Value[ValueSize] with MeasurementSize == 3 + ValueSize
 *     8+L1  Nonce[32] (chosen by the responder)
 *     40+L1 OpaqueLength u16 (L2 <= MAX_SPDM_OPAQUE_LEN)
 *     42+L1 OpaqueData[L2]: NVIDIA TLVs, type u16 | length u16 | data
 *     ...   Signature[96]: ECDSA P-384 r || s, big-endian, over every byte
 *           of the report before it (request and response)
 *
 * Nothing may follow the signature.
 */
#ifndef TMON_VERIFY_NVSPDM_H
#define TMON_VERIFY_NVSPDM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cur.h"
#include "err.h"
#include "tmon_limits.h"

#define NVSPDM_REQUEST_LEN	37
#define NVSPDM_NONCE_LEN	32
#define NVSPDM_SIG_LEN		96
#define NVSPDM_FWID_LEN		48
#define NVSPDM_VERSION_11	0x11
#define NVSPDM_GET_MEASUREMENTS	0xE0
#define NVSPDM_MEASUREMENTS	0x60

/*
 * NVIDIA opaque-data field types (NVIDIA/nvtrust spdm_msrt_resp_msg.py,
 * OpaqueData field ids).  Only those the parser interprets are named.
 */
#define NVSPDM_OPAQUE_DRIVER_VERSION	3
#define NVSPDM_OPAQUE_VBIOS_VERSION	6
#define NVSPDM_OPAQUE_NVDEC0_STATUS	11
#define NVSPDM_OPAQUE_CHIP_SKU		15
#define NVSPDM_OPAQUE_PROJECT		17
#define NVSPDM_OPAQUE_PROJECT_SKU	18
#define NVSPDM_OPAQUE_FWID		20
#define NVSPDM_OPAQUE_PROTECTED_PCIE	21
#define NVSPDM_OPAQUE_CHIP_INFO		35
#define NVSPDM_OPAQUE_FEATURE_FLAG	36

struct nvspdm_block {
	uint8_t		index;		/* SPDM measurement index, 1-based */
	uint8_t		value_type;	/* DMTFSpecMeasurementValueType */
	uint16_t	value_size;	/* DMTFSpecMeasurementValueSize */
	struct cur	value;		/* borrowed: the value bytes */
};

struct nvspdm_evidence {
	/* request */
	uint8_t		request_param1;
	uint8_t		request_param2;
	uint8_t		request_nonce[NVSPDM_NONCE_LEN];  /* bytes 4..35 */
	uint8_t		slot_id;
	/* response */
	uint8_t		response_param1;
	uint8_t		response_param2;
	uint8_t		n_blocks;	/* NumberOfBlocks */
	uint32_t	record_len;	/* MeasurementRecordLength */
	struct nvspdm_block blocks[MAX_SPDM_BLOCKS];	/* n_blocks used */
	uint8_t		responder_nonce[NVSPDM_NONCE_LEN];
	uint16_t	opaque_len;	/* OpaqueLength */
	struct cur	opaque;		/* borrowed: the OpaqueData bytes */
	struct cur	signed_region;	/* borrowed: all but the last 96 bytes */
	uint8_t		signature[NVSPDM_SIG_LEN];	/* r || s, P-384 */
	/* interpreted opaque fields */
	bool		has_fwid;
	uint8_t		fwid[NVSPDM_FWID_LEN];		/* type 20 */
	char		driver_version[32];	/* type 3, "" if absent */
	char		vbios_version[32];	/* type 6 as NVIDIA prints it */
	uint8_t		vbios_raw[8];		/* type 6 bytes, if present */
};

/*
 * Parse the len bytes at buf as one NVIDIA SPDM 1.1 evidence blob (layout
 * above) into *ev.  ev borrows buf: the struct cur members point into it,
 * so buf must outlive every use of ev.  ev is fully overwritten.
 *
 * Checks: exact framing (every length field is checked against the bytes
 * left, the measurement record must hold exactly NumberOfBlocks blocks,
 * the opaque data exactly whole TLVs, and exactly 96 bytes must follow
 * it); versions 0x11 and codes 0xE0/0x60; Param1 bit 0 (signature
 * requested) set; block indices non-zero and unique; every block a DMTF
 * block whose sizes agree; opaque types 3, 6 and 20 at most once each,
 * with FWID exactly 48 bytes, VBIOS exactly 8 bytes, and the driver
 * version printable ASCII shorter than 32 bytes, optionally followed by
 * NULs only.  Unknown opaque types are skipped.  The VBIOS version is
 * formatted as NVIDIA's verifier does: with bytes b0..b7, the upper-case
 * hex of b3.b2.b1.b0.b4 (NVIDIA/nvtrust verifier/utils
 * format_vbios_version), e.g. "96.00.74.00.20".
 *
 * The signature is NOT verified here (gpu_verify.c does that).
 *
 * Returns TMON_OK, or with err set (offset = byte offset in buf, message
 * naming the SPDM field):
 *   TMON_E_LIMIT        len > MAX_SPDM_LEN
 *   TMON_E_UNSUPPORTED  an SPDMVersion other than 1.1
 *   TMON_E_PARSE        any other malformation, truncation or trailing byte
 */
enum tmon_rc	nvspdm_parse(const uint8_t *buf, size_t len,
		    struct nvspdm_evidence *ev, struct tmon_err *err);

/*
 * Find the first opaque field of the given type in a parsed ev and point
 * *data at its bytes (borrowed from the buffer ev was parsed from).
 * Returns false if ev has no such field.
 */
bool		nvspdm_opaque_find(const struct nvspdm_evidence *ev,
		    uint16_t type, struct cur *data);

#endif /* TMON_VERIFY_NVSPDM_H */
