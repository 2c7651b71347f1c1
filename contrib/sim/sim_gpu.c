/*
 * sim_gpu.c: tmon-sim's simulated NVIDIA GPU: one SPDM 1.1
 * GET_MEASUREMENTS request carrying the nonce asked and the MEASUREMENTS
 * response to it, signed P-384 by the TEST GPU leaf key, wrapped in an
 * nvidia_payload.
 *
 * Layout: monitor/verify/nvspdm.h (request 37 bytes; response with
 * DMTF measurement blocks of 48-byte digests, responder nonce, opaque
 * TLVs, raw r || s signature over everything before it) and gpu_verify.h
 * for the payload {"nonce", "arch", "evidence_list": [{"certificate",
 * "evidence", "arch"}]}.  The opaque FWID (type 20) equals the FWID in
 * the leaf certificate's DICE extension (sim_pki.c).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "sim.h"
#include "xmalloc.h"

#define GPU_BLOCKS	8

static void
put(struct buf *b, const void *p, size_t n)
{
	if (!buf_append(b, p, n))
		fatalx("tmon-sim: buffer over %zu bytes", b->max);
}

static void
put_le16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put(b, x, 2);
}

static void
put_tlv(struct buf *b, uint16_t type, const void *p, size_t n)
{
	put_le16(b, type);
	put_le16(b, (uint16_t)n);
	put(b, p, n);
}

void
sim_gpu_init(struct sim_pki *pki)
{
	sim_sha384("tmon TEST GPU firmware", 22, NULL, 0, NULL, 0, pki->fwid);
}

/* The SPDM evidence for nonce; a new buffer of *len bytes. */
static uint8_t *
evidence(const struct sim_pki *pki, const uint8_t nonce[32], size_t *len)
{
	static const char driver[] = "570.00.00-TEST";
	static const uint8_t vbios[8] = { 0x00, 0x00, 0x00, 0x96, 0x54 };
	static const uint8_t nvdec = 0x55;
	struct buf b, rec, op;
	uint8_t m[48], rn[32], sig[96], hdr[8];
	char label[48];
	int i;

	buf_init(&rec, MAX_SIM_BUILD);
	for (i = 1; i <= GPU_BLOCKS; i++) {
		snprintf(label, sizeof(label), "tmon TEST GPU measurement %d",
		    i);
		sim_sha384(label, strlen(label), NULL, 0, NULL, 0, m);
		hdr[0] = (uint8_t)i;		/* index */
		hdr[1] = 0x01;			/* DMTF */
		hdr[2] = 3 + 48;		/* MeasurementSize, LE */
		hdr[3] = 0;
		hdr[4] = 0x01;			/* DMTF value type */
		hdr[5] = 48;			/* value size, LE */
		hdr[6] = 0;
		put(&rec, hdr, 7);
		put(&rec, m, 48);
	}
	buf_init(&op, MAX_SIM_BUILD);
	put_tlv(&op, 3, driver, sizeof(driver));	/* with its NUL */
	put_tlv(&op, 6, vbios, sizeof(vbios));
	put_tlv(&op, 11, &nvdec, 1);
	put_tlv(&op, 20, pki->fwid, sizeof(pki->fwid));

	buf_init(&b, MAX_SIM_BUILD);
	/* GET_MEASUREMENTS: 1.1, signature requested, all, our nonce */
	hdr[0] = 0x11;
	hdr[1] = 0xe0;
	hdr[2] = 0x01;
	hdr[3] = 0xff;
	put(&b, hdr, 4);
	put(&b, nonce, 32);
	put(&b, "", 1);					/* SlotIDParam 0 */
	/* MEASUREMENTS */
	hdr[0] = 0x11;
	hdr[1] = 0x60;
	hdr[2] = 0;
	hdr[3] = 0;
	hdr[4] = GPU_BLOCKS;
	hdr[5] = (uint8_t)rec.len;
	hdr[6] = (uint8_t)(rec.len >> 8);
	hdr[7] = (uint8_t)(rec.len >> 16);
	put(&b, hdr, 8);
	put(&b, rec.data, rec.len);
	sim_ossl_check(RAND_bytes(rn, sizeof(rn)) == 1, "RAND_bytes");
	put(&b, rn, sizeof(rn));
	put_le16(&b, (uint16_t)op.len);
	put(&b, op.data, op.len);
	sim_sign_raw(pki->nv_key[0], EVP_sha384(), b.data, b.len, sig, 48);
	put(&b, sig, sizeof(sig));
	buf_free(&rec);
	buf_free(&op);
	return buf_release(&b, len);
}

char *
sim_gpu_payload(const struct sim_pki *pki, const uint8_t nonce[32])
{
	uint8_t *ev;
	char *evb64, *nhex, *out;
	size_t n;
	json_t *j;

	ev = evidence(pki, nonce, &n);
	evb64 = sim_b64(ev, n);
	nhex = sim_hex(nonce, 32);
	j = json_pack("{s:s,s:s,s:[{s:s,s:s,s:s}]}", "nonce", nhex, "arch",
	    "HOPPER", "evidence_list", "certificate", pki->gpu_chain_b64,
	    "evidence", evb64, "arch", "HOPPER");
	if (j == NULL || (out = json_dumps(j, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL)
		fatalx("tmon-sim: nvidia_payload");
	json_decref(j);
	free(ev);
	free(evb64);
	free(nhex);
	return out;
}
