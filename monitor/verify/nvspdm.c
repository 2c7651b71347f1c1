/*
 * nvspdm.c: NVIDIA SPDM 1.1 GET_MEASUREMENTS evidence parser.
 * The layout is described in nvspdm.h.
 */
#include <stdio.h>
#include <string.h>

#include "nvspdm.h"

#define OPAQUE_SEEN_TYPES	256	/* duplicate check for types < 256 */

/* NumberOfBlocks is a u8: ev->blocks must hold any value of it. */
_Static_assert(MAX_SPDM_BLOCKS >= 255, "MAX_SPDM_BLOCKS < 255");

static enum tmon_rc
parse_request(struct cur *c, struct nvspdm_evidence *ev, struct tmon_err *err)
{
	uint8_t version, code;
	size_t off = cur_offset(c);

	if (!cur_get_u8(c, &version) || !cur_get_u8(c, &code) ||
	    !cur_get_u8(c, &ev->request_param1) ||
	    !cur_get_u8(c, &ev->request_param2) ||
	    !cur_copy(c, ev->request_nonce, sizeof(ev->request_nonce)) ||
	    !cur_get_u8(c, &ev->slot_id))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "spdm: GET_MEASUREMENTS request: short read (need %d bytes)",
		    NVSPDM_REQUEST_LEN);
	if (version != NVSPDM_VERSION_11)
		return tmon_err_set_at(err, TMON_E_UNSUPPORTED, off,
		    "spdm: request SPDMVersion 0x%02x, want 0x11", version);
	if (code != NVSPDM_GET_MEASUREMENTS)
		return tmon_err_set_at(err, TMON_E_PARSE, off + 1,
		    "spdm: request RequestResponseCode 0x%02x, want 0xe0", code);
	if ((ev->request_param1 & 0x01) == 0)
		return tmon_err_set_at(err, TMON_E_PARSE, off + 2,
		    "spdm: request Param1 0x%02x: signature not requested",
		    ev->request_param1);
	return TMON_OK;
}

static enum tmon_rc
parse_block(struct cur *rec, struct nvspdm_block *b, uint8_t seen[32],
    size_t base, struct tmon_err *err)
{
	struct cur meas;
	uint8_t spec;
	uint16_t msize;
	size_t off = base + cur_offset(rec);

	if (!cur_get_u8(rec, &b->index) || !cur_get_u8(rec, &spec) ||
	    !cur_get_u16le(rec, &msize))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "spdm: measurement block header: short read");
	if (b->index == 0)
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "spdm: measurement block Index 0 is reserved");
	if (seen[b->index / 8] & (1u << (b->index % 8)))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "spdm: measurement block Index %u repeated", b->index);
	seen[b->index / 8] |= (uint8_t)(1u << (b->index % 8));
	if (spec != 0x01)
		return tmon_err_set_at(err, TMON_E_PARSE, off + 1,
		    "spdm: block %u MeasurementSpecification 0x%02x, want 0x01 "
		    "(DMTF)", b->index, spec);
	if (!cur_get_bytes(rec, &meas, msize))
		return tmon_err_set_at(err, TMON_E_PARSE, off + 2,
		    "spdm: block %u MeasurementSize %u exceeds the record",
		    b->index, msize);
	if (!cur_get_u8(&meas, &b->value_type) ||
	    !cur_get_u16le(&meas, &b->value_size))
		return tmon_err_set_at(err, TMON_E_PARSE, off + 4,
		    "spdm: block %u DMTF header: MeasurementSize %u too small",
		    b->index, msize);
	if (cur_len(&meas) != b->value_size)
		return tmon_err_set_at(err, TMON_E_PARSE, off + 5,
		    "spdm: block %u DMTFSpecMeasurementValueSize %u does not "
		    "match MeasurementSize %u", b->index, b->value_size, msize);
	b->value = meas;
	return TMON_OK;
}

/* Copy a NUL-padded printable ASCII field into out (outsz > field text). */
static bool
copy_ascii(struct cur *f, char *out, size_t outsz)
{
	const uint8_t *p = cur_data(f);
	size_t n = cur_len(f), i, text;

	for (text = 0; text < n && p[text] != 0; text++)
		if (p[text] < 0x20 || p[text] > 0x7e)
			return false;
	for (i = text; i < n; i++)
		if (p[i] != 0)
			return false;
	if (text >= outsz)
		return false;
	memcpy(out, p, text);
	out[text] = '\0';
	return true;
}

static enum tmon_rc
parse_opaque(struct cur *opq, struct nvspdm_evidence *ev, size_t base,
    struct tmon_err *err)
{
	uint8_t seen[OPAQUE_SEEN_TYPES / 8];
	struct cur f;
	uint16_t type, flen;
	size_t off;
	const uint8_t *v;

	memset(seen, 0, sizeof(seen));
	while (cur_len(opq) > 0) {
		off = base + cur_offset(opq);
		if (!cur_get_u16le(opq, &type) || !cur_get_u16le(opq, &flen))
			return tmon_err_set_at(err, TMON_E_PARSE, off,
			    "spdm: OpaqueData field header: short read");
		if (!cur_get_bytes(opq, &f, flen))
			return tmon_err_set_at(err, TMON_E_PARSE, off + 2,
			    "spdm: OpaqueData type %u length %u exceeds "
			    "OpaqueLength", type, flen);
		if (type < OPAQUE_SEEN_TYPES) {
			if (seen[type / 8] & (1u << (type % 8)))
				return tmon_err_set_at(err, TMON_E_PARSE, off,
				    "spdm: OpaqueData type %u repeated", type);
			seen[type / 8] |= (uint8_t)(1u << (type % 8));
		}
		switch (type) {
		case NVSPDM_OPAQUE_FWID:
			if (flen != NVSPDM_FWID_LEN)
				return tmon_err_set_at(err, TMON_E_PARSE, off,
				    "spdm: OpaqueData FWID length %u, want 48",
				    flen);
			memcpy(ev->fwid, cur_data(&f), NVSPDM_FWID_LEN);
			ev->has_fwid = true;
			break;
		case NVSPDM_OPAQUE_DRIVER_VERSION:
			if (!copy_ascii(&f, ev->driver_version,
			    sizeof(ev->driver_version)))
				return tmon_err_set_at(err, TMON_E_PARSE, off,
				    "spdm: OpaqueData DRIVER_VERSION is not "
				    "short NUL-padded ASCII");
			break;
		case NVSPDM_OPAQUE_VBIOS_VERSION:
			if (flen != sizeof(ev->vbios_raw))
				return tmon_err_set_at(err, TMON_E_PARSE, off,
				    "spdm: OpaqueData VBIOS_VERSION length %u, "
				    "want 8", flen);
			v = cur_data(&f);
			memcpy(ev->vbios_raw, v, sizeof(ev->vbios_raw));
			snprintf(ev->vbios_version, sizeof(ev->vbios_version),
			    "%02X.%02X.%02X.%02X.%02X", v[3], v[2], v[1], v[0],
			    v[4]);
			break;
		default:
			break;	/* not interpreted; kept in ev->opaque */
		}
	}
	return TMON_OK;
}

static enum tmon_rc
parse_response(struct cur *c, struct nvspdm_evidence *ev, struct tmon_err *err)
{
	struct cur rec, opq;
	uint8_t version, code, seen[32];
	size_t off = cur_offset(c), base;
	unsigned int i;
	enum tmon_rc rc;

	if (!cur_get_u8(c, &version) || !cur_get_u8(c, &code) ||
	    !cur_get_u8(c, &ev->response_param1) ||
	    !cur_get_u8(c, &ev->response_param2) ||
	    !cur_get_u8(c, &ev->n_blocks) ||
	    !cur_get_u24le(c, &ev->record_len))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "spdm: MEASUREMENTS response header: short read");
	if (version != NVSPDM_VERSION_11)
		return tmon_err_set_at(err, TMON_E_UNSUPPORTED, off,
		    "spdm: response SPDMVersion 0x%02x, want 0x11", version);
	if (code != NVSPDM_MEASUREMENTS)
		return tmon_err_set_at(err, TMON_E_PARSE, off + 1,
		    "spdm: response RequestResponseCode 0x%02x, want 0x60", code);

	/* MeasurementRecord: exactly NumberOfBlocks blocks. */
	base = cur_offset(c);
	if (!cur_get_bytes(c, &rec, ev->record_len))
		return tmon_err_set_at(err, TMON_E_PARSE, off + 5,
		    "spdm: MeasurementRecordLength %u exceeds the report",
		    (unsigned int)ev->record_len);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < ev->n_blocks; i++) {
		rc = parse_block(&rec, &ev->blocks[i], seen, base, err);
		if (rc != TMON_OK)
			return rc;
	}
	if (cur_len(&rec) != 0)
		return tmon_err_set_at(err, TMON_E_PARSE, base + cur_offset(&rec),
		    "spdm: MeasurementRecord: %zu bytes after NumberOfBlocks "
		    "(%u) blocks", cur_len(&rec), ev->n_blocks);

	off = cur_offset(c);
	if (!cur_copy(c, ev->responder_nonce, sizeof(ev->responder_nonce)))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "spdm: response Nonce: short read");
	off = cur_offset(c);
	if (!cur_get_u16le(c, &ev->opaque_len))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "spdm: OpaqueLength: short read");
	if (ev->opaque_len > MAX_SPDM_OPAQUE_LEN)
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "spdm: OpaqueLength %u > %u", ev->opaque_len,
		    MAX_SPDM_OPAQUE_LEN);
	base = cur_offset(c);
	if (!cur_get_bytes(c, &opq, ev->opaque_len))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "spdm: OpaqueLength %u exceeds the report", ev->opaque_len);
	ev->opaque = opq;
	rc = parse_opaque(&opq, ev, base, err);
	if (rc != TMON_OK)
		return rc;

	off = cur_offset(c);
	if (!cur_copy(c, ev->signature, sizeof(ev->signature)))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "spdm: Signature: %zu bytes left, want 96", cur_len(c));
	if (cur_len(c) != 0)
		return tmon_err_set_at(err, TMON_E_PARSE, cur_offset(c),
		    "spdm: %zu trailing bytes after Signature", cur_len(c));
	return TMON_OK;
}

enum tmon_rc
nvspdm_parse(const uint8_t *buf, size_t len, struct nvspdm_evidence *ev,
    struct tmon_err *err)
{
	struct cur c;
	enum tmon_rc rc;

	memset(ev, 0, sizeof(*ev));
	if (len > MAX_SPDM_LEN)
		return tmon_err_set(err, TMON_E_LIMIT,
		    "spdm: report of %zu bytes > %u", len, MAX_SPDM_LEN);
	if (len < NVSPDM_REQUEST_LEN + NVSPDM_SIG_LEN)
		return tmon_err_set_at(err, TMON_E_PARSE, len,
		    "spdm: report of %zu bytes is too short", len);
	cur_init(&c, buf, len);
	rc = parse_request(&c, ev, err);
	if (rc == TMON_OK)
		rc = parse_response(&c, ev, err);
	if (rc != TMON_OK) {
		memset(ev, 0, sizeof(*ev));
		return rc;
	}
	cur_init(&ev->signed_region, buf, len - NVSPDM_SIG_LEN);
	return TMON_OK;
}

bool
nvspdm_opaque_find(const struct nvspdm_evidence *ev, uint16_t type,
    struct cur *data)
{
	struct cur c = ev->opaque, f;
	uint16_t t;

	while (cur_len(&c) > 0) {
		if (!cur_get_u16le(&c, &t) || !cur_get_u16le_prefixed(&c, &f))
			return false;
		if (t == type) {
			*data = f;
			return true;
		}
	}
	return false;
}
