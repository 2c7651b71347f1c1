/*
 * tdx_quote.c: TDX DCAP quote v4/v5 parser (layout in tdx_quote.h).
 */
#include <string.h>

#include "tdx_quote.h"
#include "tmon_limits.h"

/* dcap-qvl src/constants.rs INTEL_QE_VENDOR_ID. */
const uint8_t tdx_intel_qe_vendor_id[16] = {
	0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
	0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07
};

/* Offset of the next byte of c in the whole quote buffer. */
static size_t
qoff(const struct cur *c, const uint8_t *buf)
{
	return (size_t)(cur_data(c) - buf);
}

/*
 * What the bytes parsed so far are, for error messages: an SGX quote is
 * never called a TDX quote, and an unknown version is just a quote.
 */
static const char *
qkind(const struct tdx_quote *q)
{
	if (q->version == 3)
		return "sgx quote";
	if (q->version == 4 || q->version == 5)
		return "tdx quote";
	return "quote";
}

#define SHORT(c, field)							\
	tmon_err_set_at(err, TMON_E_PARSE, qoff((c), buf),		\
	    "%s: %s: short read at offset %zu", qkind(q), (field),	\
	    qoff((c), buf))

static enum tmon_rc
parse_header(struct cur *c, const uint8_t *buf, struct tdx_quote *q,
    bool allow_sgx, struct tmon_err *err)
{
	if (!cur_get_u16le(c, &q->version))
		return SHORT(c, "header.version");
	if (!cur_get_u16le(c, &q->att_key_type))
		return SHORT(c, "header.att_key_type");
	if (!cur_get_u32le(c, &q->tee_type))
		return SHORT(c, "header.tee_type");
	if (!cur_skip(c, 4))
		return SHORT(c, "header.reserved");
	if (!cur_copy(c, q->qe_vendor_id, sizeof(q->qe_vendor_id)))
		return SHORT(c, "header.qe_vendor_id");
	if (!cur_copy(c, q->user_data, sizeof(q->user_data)))
		return SHORT(c, "header.user_data");

	if (q->version == 3 && !allow_sgx)
		return tmon_err_set_at(err, TMON_E_UNSUPPORTED, 0,
		    "sgx quote: header.version: 3 is an SGX quote, not TDX");
	if (q->version == 3) {
		if (q->att_key_type != TDX_ATT_KEY_ECDSA_P256)
			return tmon_err_set_at(err, TMON_E_UNSUPPORTED, 2,
			    "sgx quote: header.att_key_type: %u not supported "
			    "(2 = ECDSA-256-with-P-256)", q->att_key_type);
		if (q->tee_type != TDX_TEE_TYPE_SGX)
			return tmon_err_set_at(err, TMON_E_UNSUPPORTED, 4,
			    "sgx quote: header.tee_type: 0x%x is not SGX (0)",
			    q->tee_type);
		if (memcmp(q->qe_vendor_id, tdx_intel_qe_vendor_id,
		    sizeof(q->qe_vendor_id)) != 0)
			return tmon_err_set_at(err, TMON_E_UNSUPPORTED, 12,
			    "sgx quote: header.qe_vendor_id: not the Intel QE");
		return TMON_OK;
	}
	if (q->version != 4 && q->version != 5)
		return tmon_err_set_at(err, TMON_E_UNSUPPORTED, 0,
		    "quote: header.version: %u not supported (%s)",
		    q->version, allow_sgx ? "3, 4 or 5" : "4 or 5");
	if (q->att_key_type != TDX_ATT_KEY_ECDSA_P256)
		return tmon_err_set_at(err, TMON_E_UNSUPPORTED, 2,
		    "tdx quote: header.att_key_type: %u not supported "
		    "(2 = ECDSA-256-with-P-256)", q->att_key_type);
	if (q->tee_type != TDX_TEE_TYPE_TDX)
		return tmon_err_set_at(err, TMON_E_UNSUPPORTED, 4,
		    "tdx quote: header.tee_type: 0x%x is not TDX (0x81)",
		    q->tee_type);
	if (memcmp(q->qe_vendor_id, tdx_intel_qe_vendor_id,
	    sizeof(q->qe_vendor_id)) != 0)
		return tmon_err_set_at(err, TMON_E_UNSUPPORTED, 12,
		    "tdx quote: header.qe_vendor_id: not the Intel QE");
	return TMON_OK;
}

static enum tmon_rc
parse_body(struct cur *c, const uint8_t *buf, struct tdx_quote *q,
    struct tmon_err *err)
{
	struct tdx_td_report *r = &q->report;
	size_t off, i;

	q->body_type = TDX_BODY_TD10;
	q->body_size = TDX_TD10_BODY_LEN;
	if (q->version == 5) {
		off = qoff(c, buf);
		if (!cur_get_u16le(c, &q->body_type))
			return SHORT(c, "body_descriptor.type");
		if (!cur_get_u32le(c, &q->body_size))
			return SHORT(c, "body_descriptor.size");
		switch (q->body_type) {
		case TDX_BODY_TD10:
			if (q->body_size != TDX_TD10_BODY_LEN)
				goto badsize;
			break;
		case TDX_BODY_TD15:
			if (q->body_size != TDX_TD15_BODY_LEN)
				goto badsize;
			break;
		case 1:
			return tmon_err_set_at(err, TMON_E_UNSUPPORTED, off,
			    "tdx quote: body_descriptor.type: 1 is an SGX "
			    "enclave report, not a TD report");
		default:
			return tmon_err_set_at(err, TMON_E_PARSE, off,
			    "tdx quote: body_descriptor.type: unknown type %u",
			    q->body_type);
		}
	}

	if (!cur_copy(c, r->tee_tcb_svn, sizeof(r->tee_tcb_svn)))
		return SHORT(c, "body.tee_tcb_svn");
	if (!cur_copy(c, r->mrseam, sizeof(r->mrseam)))
		return SHORT(c, "body.mrseam");
	if (!cur_copy(c, r->mrsignerseam, sizeof(r->mrsignerseam)))
		return SHORT(c, "body.mrsignerseam");
	if (!cur_copy(c, r->seam_attributes, sizeof(r->seam_attributes)))
		return SHORT(c, "body.seam_attributes");
	if (!cur_copy(c, r->td_attributes, sizeof(r->td_attributes)))
		return SHORT(c, "body.td_attributes");
	if (!cur_copy(c, r->xfam, sizeof(r->xfam)))
		return SHORT(c, "body.xfam");
	if (!cur_copy(c, r->mrtd, sizeof(r->mrtd)))
		return SHORT(c, "body.mrtd");
	if (!cur_copy(c, r->mr_config_id, sizeof(r->mr_config_id)))
		return SHORT(c, "body.mr_config_id");
	if (!cur_copy(c, r->mr_owner, sizeof(r->mr_owner)))
		return SHORT(c, "body.mr_owner");
	if (!cur_copy(c, r->mr_owner_config, sizeof(r->mr_owner_config)))
		return SHORT(c, "body.mr_owner_config");
	for (i = 0; i < 4; i++)
		if (!cur_copy(c, r->rtmr[i], sizeof(r->rtmr[i])))
			return SHORT(c, "body.rtmr");
	if (!cur_copy(c, r->report_data, sizeof(r->report_data)))
		return SHORT(c, "body.report_data");
	if (q->body_type == TDX_BODY_TD15) {
		if (!cur_copy(c, r->tee_tcb_svn2, sizeof(r->tee_tcb_svn2)))
			return SHORT(c, "body.tee_tcb_svn2");
		if (!cur_copy(c, r->mr_servicetd, sizeof(r->mr_servicetd)))
			return SHORT(c, "body.mr_servicetd");
	}
	return TMON_OK;

 badsize:
	return tmon_err_set_at(err, TMON_E_PARSE, off + 2,
	    "tdx quote: body_descriptor.size: %u does not match body type %u",
	    q->body_size, q->body_type);
}

/* The SGX REPORT BODY of the quoting enclave (dcap-qvl EnclaveReport). */
static enum tmon_rc
parse_qe_report(struct cur *c, const uint8_t *buf, const struct tdx_quote *q,
    struct tdx_qe_report *e, struct tmon_err *err)
{
	if (!cur_copy(c, e->cpusvn, sizeof(e->cpusvn)) ||
	    !cur_get_u32le(c, &e->miscselect) ||
	    !cur_skip(c, 28) ||
	    !cur_copy(c, e->attributes, sizeof(e->attributes)) ||
	    !cur_copy(c, e->mrenclave, sizeof(e->mrenclave)) ||
	    !cur_skip(c, 32) ||
	    !cur_copy(c, e->mrsigner, sizeof(e->mrsigner)) ||
	    !cur_skip(c, 96) ||
	    !cur_get_u16le(c, &e->isvprodid) ||
	    !cur_get_u16le(c, &e->isvsvn) ||
	    !cur_skip(c, 60) ||
	    !cur_copy(c, e->report_data, sizeof(e->report_data)))
		return SHORT(c, "qe_report");
	return TMON_OK;
}

/*
 * The QE report certification data (type 6), held in cd: QE report, its
 * signature, QE auth data, then the inner certification data (type 5).
 */
static enum tmon_rc
parse_qe_cert_data(struct cur *cd, const uint8_t *buf, struct tdx_quote *q,
    struct tmon_err *err)
{
	struct cur rep;
	size_t off;
	uint32_t pem_len;
	enum tmon_rc rc;

	if (!cur_get_bytes(cd, &q->qe_report, TDX_QE_REPORT_LEN))
		return SHORT(cd, "qe_report");
	rep = q->qe_report;
	if ((rc = parse_qe_report(&rep, buf, q, &q->qe, err)) != TMON_OK)
		return rc;
	if (!cur_copy(cd, q->qe_report_sig, sizeof(q->qe_report_sig)))
		return SHORT(cd, "qe_report_signature");
	off = qoff(cd, buf);
	if (!cur_get_u16le_prefixed(cd, &q->qe_auth_data))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "%s: qe_auth_data: length at offset %zu exceeds the "
		    "certification data", qkind(q), off);

	off = qoff(cd, buf);
	if (!cur_get_u16le(cd, &q->pck_cert_type))
		return SHORT(cd, "pck_cert_data.type");
	if (q->pck_cert_type != TDX_CERT_PCK_CHAIN)
		return tmon_err_set_at(err, TMON_E_UNSUPPORTED, off,
		    "%s: pck_cert_data.type: %u not supported (5 = PCK "
		    "certificate chain)", qkind(q), q->pck_cert_type);
	off = qoff(cd, buf);
	if (!cur_get_u32le(cd, &pem_len))
		return SHORT(cd, "pck_cert_data.size");
	if (pem_len > cur_len(cd))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "%s: pck_cert_data.size: %u at offset %zu exceeds the %zu "
		    "bytes left", qkind(q), pem_len, off, cur_len(cd));
	if (pem_len > MAX_PEM_CHAIN_LEN)
		return tmon_err_set_at(err, TMON_E_LIMIT, off,
		    "%s: pck_cert_data.size: %u exceeds %u", qkind(q),
		    pem_len, MAX_PEM_CHAIN_LEN);
	if (!cur_get_bytes(cd, &q->pck_chain, pem_len))
		return SHORT(cd, "pck_cert_data");
	if (cur_len(cd) != 0)
		return tmon_err_set_at(err, TMON_E_PARSE, qoff(cd, buf),
		    "%s: cert_data: %zu bytes left after the PCK chain",
		    qkind(q), cur_len(cd));
	return TMON_OK;
}

static enum tmon_rc
parse_sig_data(struct cur *c, const uint8_t *buf, struct tdx_quote *q,
    struct tmon_err *err)
{
	struct cur sd, cd;
	uint32_t cd_len;
	size_t off;
	enum tmon_rc rc;

	off = qoff(c, buf);
	if (!cur_get_u32le(c, &q->sig_data_len))
		return SHORT(c, "sig_data_len");
	if (q->sig_data_len > cur_len(c))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "tdx quote: sig_data_len: %u at offset %zu exceeds the %zu "
		    "bytes left", q->sig_data_len, off, cur_len(c));
	if (!cur_get_bytes(c, &sd, q->sig_data_len))
		return SHORT(c, "sig_data");

	if (!cur_copy(&sd, q->signature, sizeof(q->signature)))
		return SHORT(&sd, "sig_data.signature");
	if (!cur_copy(&sd, q->attest_key, sizeof(q->attest_key)))
		return SHORT(&sd, "sig_data.attest_key");
	off = qoff(&sd, buf);
	if (!cur_get_u16le(&sd, &q->cert_data_type))
		return SHORT(&sd, "cert_data.type");
	if (q->cert_data_type != TDX_CERT_QE_REPORT)
		return tmon_err_set_at(err, TMON_E_UNSUPPORTED, off,
		    "tdx quote: cert_data.type: %u not supported "
		    "(6 = QE report certification data)", q->cert_data_type);
	off = qoff(&sd, buf);
	if (!cur_get_u32le(&sd, &cd_len))
		return SHORT(&sd, "cert_data.size");
	if (cd_len != cur_len(&sd))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "tdx quote: cert_data.size: %u at offset %zu but %zu "
		    "bytes are left in sig_data", cd_len, off, cur_len(&sd));
	if (!cur_get_bytes(&sd, &cd, cd_len))
		return SHORT(&sd, "cert_data");
	if ((rc = parse_qe_cert_data(&cd, buf, q, err)) != TMON_OK)
		return rc;
	return TMON_OK;
}

/*
 * SGX quote v3 signature data (dcap-qvl src/quote.rs AuthDataV3):
 * signature, attestation key, then directly the QE
 * report, its signature, QE auth data and certification data (type 5).
 */
static enum tmon_rc
parse_sig_data_v3(struct cur *c, const uint8_t *buf, struct tdx_quote *q,
    struct tmon_err *err)
{
	struct cur sd;
	size_t off;

	off = qoff(c, buf);
	if (!cur_get_u32le(c, &q->sig_data_len))
		return SHORT(c, "sig_data_len");
	if (q->sig_data_len > cur_len(c))
		return tmon_err_set_at(err, TMON_E_PARSE, off,
		    "sgx quote: sig_data_len: %u at offset %zu exceeds the %zu "
		    "bytes left", q->sig_data_len, off, cur_len(c));
	if (!cur_get_bytes(c, &sd, q->sig_data_len))
		return SHORT(c, "sig_data");
	if (!cur_copy(&sd, q->signature, sizeof(q->signature)))
		return SHORT(&sd, "sig_data.signature");
	if (!cur_copy(&sd, q->attest_key, sizeof(q->attest_key)))
		return SHORT(&sd, "sig_data.attest_key");
	q->cert_data_type = 0;		/* no QE report certification data */
	return parse_qe_cert_data(&sd, buf, q, err);
}

static enum tmon_rc
quote_parse(const uint8_t *buf, size_t len, bool allow_sgx,
    struct tdx_quote *q, struct tmon_err *err)
{
	struct cur c, rest, rep;
	size_t signed_len;
	enum tmon_rc rc;

	memset(q, 0, sizeof(*q));
	if (len > MAX_QUOTE_LEN)
		return tmon_err_set(err, TMON_E_LIMIT,
		    "quote: %zu bytes exceeds %u", len, MAX_QUOTE_LEN);
	cur_init(&c, buf, len);
	if ((rc = parse_header(&c, buf, q, allow_sgx, err)) != TMON_OK)
		goto fail;
	if (q->version == 3) {
		/* SGX: the body is the enclave's REPORT BODY. */
		q->body_type = TDX_BODY_SGX;
		q->body_size = TDX_QE_REPORT_LEN;
		if (!cur_get_bytes(&c, &rep, TDX_QE_REPORT_LEN)) {
			rc = SHORT(&c, "body.sgx_report");
			goto fail;
		}
		if ((rc = parse_qe_report(&rep, buf, q, &q->sgx, err)) != TMON_OK)
			goto fail;
		memcpy(q->report.report_data, q->sgx.report_data, 64);
	} else if ((rc = parse_body(&c, buf, q, err)) != TMON_OK)
		goto fail;
	signed_len = cur_offset(&c);
	cur_init(&q->signed_region, buf, signed_len);
	if ((rc = q->version == 3 ? parse_sig_data_v3(&c, buf, q, err) :
	    parse_sig_data(&c, buf, q, err)) != TMON_OK)
		goto fail;

	q->quote_len = cur_offset(&c);
	q->trailing_len = cur_len(&c);
	rest = c;
	q->trailing_nonzero = !cur_is_zero(&rest);
	return TMON_OK;

 fail:
	memset(q, 0, sizeof(*q));
	return rc;
}

enum tmon_rc
tdx_quote_parse(const uint8_t *buf, size_t len, struct tdx_quote *q,
    struct tmon_err *err)
{
	return quote_parse(buf, len, false, q, err);
}

enum tmon_rc
tdx_quote_parse_any(const uint8_t *buf, size_t len, struct tdx_quote *q,
    struct tmon_err *err)
{
	return quote_parse(buf, len, true, q, err);
}
