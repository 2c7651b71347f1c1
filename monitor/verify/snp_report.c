/*
 * snp_report.c: SEV-SNP ATTESTATION_REPORT parser (layout in
 * snp_report.h).
 */
#include <string.h>

#include "cur.h"
#include "snp_report.h"

#define SHORT(c, field)							\
	tmon_err_set_at(err, TMON_E_PARSE, cur_offset(c),		\
	    "snp report: %s: short read at offset %zu", (field),	\
	    cur_offset(c))

/* Take n reserved bytes, which must all be zero. */
static enum tmon_rc
reserved(struct cur *c, size_t n, const char *field, struct tmon_err *err)
{
	struct cur sub;
	size_t off = cur_offset(c);

	if (!cur_get_bytes(c, &sub, n))
		return SHORT(c, field);
	if (!cur_is_zero(&sub))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "snp report: reserved bytes at offset 0x%zx (%zu bytes, "
		    "%s) are not zero", off, n, field);
	return TMON_OK;
}

static enum tmon_rc
parse_body(struct cur *c, struct snp_report *r, struct tmon_err *err)
{
	uint32_t signer;
	size_t off;
	enum tmon_rc rc;

	if (!cur_get_u32le(c, &r->guest_svn))
		return SHORT(c, "GUEST_SVN");
	if (!cur_get_u64le(c, &r->policy))
		return SHORT(c, "POLICY");
	if (!cur_copy(c, r->family_id, sizeof(r->family_id)))
		return SHORT(c, "FAMILY_ID");
	if (!cur_copy(c, r->image_id, sizeof(r->image_id)))
		return SHORT(c, "IMAGE_ID");
	if (!cur_get_u32le(c, &r->vmpl))
		return SHORT(c, "VMPL");
	if (!cur_get_u32le(c, &r->signature_algo))
		return SHORT(c, "SIGNATURE_ALGO");
	if (!cur_get_u64le(c, &r->current_tcb))
		return SHORT(c, "CURRENT_TCB");
	if (!cur_get_u64le(c, &r->platform_info))
		return SHORT(c, "PLATFORM_INFO");
	off = cur_offset(c);
	if (!cur_get_u32le(c, &signer))
		return SHORT(c, "signer info");
	if ((signer & ~0x1fu) != 0)
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "snp report: signer info 0x%08x: reserved bits 31:5 are "
		    "not zero", signer);
	r->author_key_en = (signer & 1u) != 0;
	r->mask_chip_id = (signer & 2u) != 0;
	r->signing_key = (uint8_t)((signer >> 2) & 7u);
	if ((rc = reserved(c, 4, "after signer info", err)) != TMON_OK)
		return rc;
	if (!cur_copy(c, r->report_data, sizeof(r->report_data)))
		return SHORT(c, "REPORT_DATA");
	if (!cur_copy(c, r->measurement, sizeof(r->measurement)))
		return SHORT(c, "MEASUREMENT");
	if (!cur_copy(c, r->host_data, sizeof(r->host_data)))
		return SHORT(c, "HOST_DATA");
	if (!cur_copy(c, r->id_key_digest, sizeof(r->id_key_digest)))
		return SHORT(c, "ID_KEY_DIGEST");
	if (!cur_copy(c, r->author_key_digest, sizeof(r->author_key_digest)))
		return SHORT(c, "AUTHOR_KEY_DIGEST");
	if (!cur_copy(c, r->report_id, sizeof(r->report_id)))
		return SHORT(c, "REPORT_ID");
	if (!cur_copy(c, r->report_id_ma, sizeof(r->report_id_ma)))
		return SHORT(c, "REPORT_ID_MA");
	if (!cur_get_u64le(c, &r->reported_tcb))
		return SHORT(c, "REPORTED_TCB");
	if (r->version >= 3) {
		r->has_cpuid = true;
		if (!cur_get_u8(c, &r->cpuid_fam_id))
			return SHORT(c, "CPUID_FAM_ID");
		if (!cur_get_u8(c, &r->cpuid_mod_id))
			return SHORT(c, "CPUID_MOD_ID");
		if (!cur_get_u8(c, &r->cpuid_step))
			return SHORT(c, "CPUID_STEP");
		rc = reserved(c, 0x1A0 - 0x18B, "after CPUID_STEP", err);
	} else
		rc = reserved(c, 0x1A0 - 0x188, "after REPORTED_TCB", err);
	if (rc != TMON_OK)
		return rc;
	if (!cur_copy(c, r->chip_id, sizeof(r->chip_id)))
		return SHORT(c, "CHIP_ID");
	if (!cur_get_u64le(c, &r->committed_tcb))
		return SHORT(c, "COMMITTED_TCB");
	if (!cur_get_u8(c, &r->current_build) ||
	    !cur_get_u8(c, &r->current_minor) ||
	    !cur_get_u8(c, &r->current_major))
		return SHORT(c, "CURRENT_BUILD/MINOR/MAJOR");
	if ((rc = reserved(c, 1, "after CURRENT_MAJOR", err)) != TMON_OK)
		return rc;
	if (!cur_get_u8(c, &r->committed_build) ||
	    !cur_get_u8(c, &r->committed_minor) ||
	    !cur_get_u8(c, &r->committed_major))
		return SHORT(c, "COMMITTED_BUILD/MINOR/MAJOR");
	if ((rc = reserved(c, 1, "after COMMITTED_MAJOR", err)) != TMON_OK)
		return rc;
	if (!cur_get_u64le(c, &r->launch_tcb))
		return SHORT(c, "LAUNCH_TCB");
	if (r->version >= 5) {
		r->has_mit_vector = true;
		if (!cur_get_u64le(c, &r->launch_mit_vector))
			return SHORT(c, "LAUNCH_MIT_VECTOR");
		if (!cur_get_u64le(c, &r->current_mit_vector))
			return SHORT(c, "CURRENT_MIT_VECTOR");
		return reserved(c, SNP_SIGNED_LEN - 0x208,
		    "after CURRENT_MIT_VECTOR", err);
	}
	return reserved(c, SNP_SIGNED_LEN - 0x1F8, "after LAUNCH_TCB", err);
}

enum tmon_rc
snp_report_parse(const uint8_t *buf, size_t len, struct snp_report *r,
    struct tmon_err *err)
{
	struct cur c;
	enum tmon_rc rc;

	memset(r, 0, sizeof(*r));
	cur_init(&c, buf, buf != NULL ? len : 0);
	if (!cur_get_u32le(&c, &r->version)) {
		rc = SHORT(&c, "VERSION");
		goto fail;
	}
	if (r->version != 2 && r->version != 3 && r->version != 5) {
		rc = tmon_err_set_at(err, TMON_E_UNSUPPORTED, 0,
		    "snp report: VERSION %u not supported (2, 3 or 5)",
		    r->version);
		goto fail;
	}
	if ((rc = parse_body(&c, r, err)) != TMON_OK)
		goto fail;
	if (!cur_copy(&c, r->sig_r, sizeof(r->sig_r))) {
		rc = SHORT(&c, "SIGNATURE.R");
		goto fail;
	}
	if (!cur_copy(&c, r->sig_s, sizeof(r->sig_s))) {
		rc = SHORT(&c, "SIGNATURE.S");
		goto fail;
	}
	if ((rc = reserved(&c, SNP_REPORT_LEN - 0x330, "SIGNATURE reserved",
	    err)) != TMON_OK)
		goto fail;
	if (cur_len(&c) != 0) {
		rc = tmon_err_set_at(err, TMON_E_PARSE, SNP_REPORT_LEN,
		    "snp report: %zu bytes after the 0x4A0-byte report",
		    cur_len(&c));
		goto fail;
	}
	return TMON_OK;
 fail:
	memset(r, 0, sizeof(*r));
	return rc;
}

const char *
snp_product(const struct snp_report *r)
{
	if (!r->has_cpuid)
		return "";
	if (r->cpuid_fam_id == 0x19) {
		if (r->cpuid_mod_id <= 0x0f)
			return "Milan";
		if ((r->cpuid_mod_id >= 0x10 && r->cpuid_mod_id <= 0x1f) ||
		    (r->cpuid_mod_id >= 0xa0 && r->cpuid_mod_id <= 0xaf))
			return "Genoa";
		return "";
	}
	if (r->cpuid_fam_id == 0x1a && r->cpuid_mod_id <= 0x1f)
		return "Turin";
	return "";
}
