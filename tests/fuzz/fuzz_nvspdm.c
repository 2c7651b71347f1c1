/*
 * libFuzzer target for NVIDIA GPU evidence:
 *   - every input goes through nvspdm_parse() (raw SPDM report bytes) and
 *     gpu_dice_fwid_parse() (a DICE extension value), with invariants
 *     checked on success;
 *   - an input starting with '{' also goes through gpu_check_payload()
 *     as nvidia_payload text (JSON, base64, PEM, X.509, ECDSA), at a fixed
 *     time, checking that both GPU checks are always set, gpu.nonce never
 *     is, and no GPU counts as signature-verified without a parse.
 * Seeds: tests/fuzz/seeds/nvspdm/, all made from tests/data/gpu/ (see its
 * PROVENANCE.md): spdm_*.bin are the hex reports as bytes; dice_*.der the
 * leaf DICE extension values (openssl asn1parse); payload_nanogpt_* is the
 * NanoGPT nvidia_payload text; payload_blackwell_* wraps the GB100 report
 * and chain in the nvidia_payload shape.
 *
 *   CC=clang CFLAGS=-fsanitize=fuzzer-no-link,address,undefined \
 *       cmake -S . -B build-gpu-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF
 *   build-gpu-fuzz/fuzz/fuzz_nvspdm -max_total_time=60 corpus/ \
 *       tests/fuzz/seeds/nvspdm
 *
 * (CFLAGS gives libFuzzer coverage, and ASan, of the library code too;
 * without it only this file is instrumented: "cov: 27" instead of ~450
 * on the seeds.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "gpu_verify.h"
#include "log.h"
#include "nvspdm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-06-10T01:49:05Z */
#define FUZZ_NOW	((int64_t)1781056145)

static struct nvspdm_evidence ev;

static void
spdm_invariants(const uint8_t *data, size_t size)
{
	struct cur f;
	size_t i, total = 0;

	TMON_ASSERT(size >= NVSPDM_REQUEST_LEN + NVSPDM_SIG_LEN);
	TMON_ASSERT(cur_data(&ev.signed_region) == data);
	TMON_ASSERT(cur_len(&ev.signed_region) == size - NVSPDM_SIG_LEN);
	TMON_ASSERT(memcmp(ev.signature, data + size - NVSPDM_SIG_LEN,
	    NVSPDM_SIG_LEN) == 0);
	TMON_ASSERT(memcmp(ev.request_nonce, data + 4, NVSPDM_NONCE_LEN) == 0);
	for (i = 0; i < ev.n_blocks; i++) {
		TMON_ASSERT(ev.blocks[i].index != 0);
		TMON_ASSERT(cur_len(&ev.blocks[i].value) ==
		    ev.blocks[i].value_size);
		total += 7 + ev.blocks[i].value_size;
	}
	TMON_ASSERT(total == ev.record_len);
	TMON_ASSERT(cur_len(&ev.opaque) == ev.opaque_len);
	TMON_ASSERT(ev.opaque_len <= MAX_SPDM_OPAQUE_LEN);
	TMON_ASSERT(strlen(ev.driver_version) < sizeof(ev.driver_version));
	TMON_ASSERT(strlen(ev.vbios_version) < sizeof(ev.vbios_version));
	TMON_ASSERT(ev.has_fwid == nvspdm_opaque_find(&ev, NVSPDM_OPAQUE_FWID,
	    &f));
	if (ev.has_fwid)
		TMON_ASSERT(cur_mem_equal_ct(&f, ev.fwid, NVSPDM_FWID_LEN));
	TMON_ASSERT(NVSPDM_REQUEST_LEN + 8 + ev.record_len + 32 + 2 +
	    ev.opaque_len + NVSPDM_SIG_LEN == size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checklist cl;
	struct gpu_summary sum;
	struct tmon_err err;
	uint8_t fwid[48];
	char *text;
	size_t i;

	log_init(0);
	tmon_err_clear(&err);
	if (nvspdm_parse(data, size, &ev, &err) == TMON_OK)
		spdm_invariants(data, size);
	else
		TMON_ASSERT(err.code != TMON_OK && err.msg[0] != '\0');

	(void)gpu_dice_fwid_parse(data, size, fwid, NULL);

	if (size == 0 || data[0] != '{')
		return 0;
	/* a copy of exactly size bytes, so ASan sees any over-read */
	text = malloc(size);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	checklist_init(&cl);
	gpu_check_payload(NULL, text, size, FUZZ_NOW, &cl, &sum);
	TMON_ASSERT(checklist_get(&cl, "gpu.evidence") != NULL);
	TMON_ASSERT(checklist_get(&cl, "gpu.cert_chain") != NULL);
	TMON_ASSERT(checklist_get(&cl, "gpu.nonce") == NULL);
	TMON_ASSERT(sum.n_gpus <= MAX_GPUS);
	for (i = 0; i < sum.n_gpus; i++)
		TMON_ASSERT(!sum.gpu[i].signature_ok || sum.gpu[i].parsed);
	free(text);
	return 0;
}
