/*
 * libFuzzer target: Tinfoil release predicates (provenance.h) read from
 * the input as JSON under both predicate types (prov_parse_predicate),
 * the same JSON as a probe's measurement layers (prov_enclave_of_layers),
 * and what parsed compared with the enclave registers the input gave
 * (prov_check_measurement); the same bytes as a provenance file
 * (prov_file_parse).
 * Invariants: a predicate that parsed has its kind, at most
 * MAX_PROV_PLATFORMS platforms with NUL-terminated names; a failed parse
 * leaves the output zeroed; provenance.measurement passes or warns only
 * when the enclave's registers are byte for byte the release's (and, on
 * TDX, a platform's); a provenance file that parsed has 1 to
 * MAX_PROV_RELEASES releases, each with an attestations object and a
 * repository "OWNER/NAME".
 * Seeds: tests/fuzz/seeds/provenance/ (the predicate of the recorded
 * release, tests/data/provenance, the hardware-measurements predicate,
 * and the measurement layers of the tests/data/tinfoil enclaves).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "provenance.h"
#include "tjson.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t zero_reg[PROV_REG_LEN];

static void
check_parsed(const struct prov_predicate *p, enum tmon_rc rc,
    enum prov_kind kind)
{
	size_t i;

	if (rc != TMON_OK) {
		TMON_ASSERT(p->kind == PROV_KIND_NONE && p->n_platforms == 0);
		return;
	}
	TMON_ASSERT(p->kind == kind);
	TMON_ASSERT(memchr(p->version, '\0', sizeof(p->version)) != NULL);
	TMON_ASSERT(p->n_platforms <= MAX_PROV_PLATFORMS);
	TMON_ASSERT(kind == PROV_KIND_HARDWARE || p->n_platforms == 0);
	for (i = 0; i < p->n_platforms; i++)
		TMON_ASSERT(memchr(p->platforms[i].name, '\0',
		    sizeof(p->platforms[i].name)) != NULL);
}

/* The verdict on enc against rel and hw follows from the registers. */
static void
check_compare(const struct prov_release *rel, const struct prov_predicate *hw,
    const struct prov_enclave *enc)
{
	const struct check *c;
	struct checklist cl;
	struct prov_match m;
	size_t i;
	bool hw_ok = false;

	checklist_init(&cl);
	prov_check_measurement(rel, 1, hw, enc, &cl, &m);
	c = checklist_get(&cl, "provenance.measurement");
	TMON_ASSERT(c != NULL && c->status != CHECK_WARN);
	if (c->status != CHECK_PASS) {
		TMON_ASSERT(m.release == SIZE_MAX);
		return;
	}
	TMON_ASSERT(m.release == 0);
	if (enc->platform == PROV_ENCLAVE_SNP) {
		TMON_ASSERT(memcmp(enc->snp_measurement,
		    rel->pred.snp_measurement, PROV_REG_LEN) == 0);
		return;
	}
	TMON_ASSERT(enc->platform == PROV_ENCLAVE_TDX && hw != NULL);
	TMON_ASSERT(memcmp(enc->rtmr[1], rel->pred.rtmr1, PROV_REG_LEN) == 0);
	TMON_ASSERT(memcmp(enc->rtmr[2], rel->pred.rtmr2, PROV_REG_LEN) == 0);
	TMON_ASSERT(memcmp(enc->rtmr[3], zero_reg, PROV_REG_LEN) == 0);
	for (i = 0; i < hw->n_platforms; i++)
		if (memcmp(enc->mrtd, hw->platforms[i].mrtd, PROV_REG_LEN) ==
		    0 && memcmp(enc->rtmr[0], hw->platforms[i].rtmr0,
		    PROV_REG_LEN) == 0)
			hw_ok = true;
	TMON_ASSERT(hw_ok && m.platform < hw->n_platforms);
}

static void
check_file(const uint8_t *data, size_t size)
{
	struct prov_file *f = calloc(1, sizeof(*f));
	struct tmon_err err;
	size_t i;

	TMON_ASSERT(f != NULL);
	tmon_err_clear(&err);
	if (prov_file_parse(data, size, f, &err) == TMON_OK) {
		TMON_ASSERT(f->n >= 1 && f->n <= MAX_PROV_RELEASES);
		for (i = 0; i < f->n; i++) {
			TMON_ASSERT(json_is_object(f->rel[i].attestations));
			TMON_ASSERT(strchr(f->rel[i].repo, '/') != NULL);
		}
		TMON_ASSERT(!f->has_hw || json_is_object(f->hw.attestations));
	} else
		TMON_ASSERT(err.msg[0] != '\0');
	prov_file_free(f);
	free(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct prov_release *rel = calloc(1, sizeof(*rel));
	struct prov_predicate *hw = calloc(1, sizeof(*hw));
	struct tjson_doc d = { 0 };
	struct prov_enclave enc;
	struct tmon_err err;
	enum tmon_rc rc_mp, rc_hw, rc;
	json_t *j = NULL;

	if (!inited) {
		tjson_init();
		inited = 1;
	}
	check_file(data, size);
	TMON_ASSERT(rel != NULL && hw != NULL);
	if (tjson_load(&d, data, size, 64u * 1024, TJSON_ANY, &j) != TMON_OK)
		goto out;
	tmon_err_clear(&err);
	rc_mp = prov_parse_predicate(PROV_PREDICATE_MULTIPLATFORM, j,
	    &rel->pred, &err);
	check_parsed(&rel->pred, rc_mp, PROV_KIND_MULTIPLATFORM);
	tmon_err_clear(&err);
	rc_hw = prov_parse_predicate(PROV_PREDICATE_HARDWARE, j, hw, &err);
	check_parsed(hw, rc_hw, PROV_KIND_HARDWARE);
	tmon_err_clear(&err);
	TMON_ASSERT(prov_parse_predicate("https://example.com/other", j,
	    hw, &err) == TMON_E_UNSUPPORTED);
	tmon_err_clear(&err);
	rc = prov_enclave_of_layers(j, &enc, &err);
	TMON_ASSERT(rc == TMON_OK || enc.platform == PROV_ENCLAVE_NONE);
	if (rc_mp == TMON_OK) {
		/* the layers' enclave, and the release's own SNP and TDX
		 * registers against it */
		check_compare(rel, rc_hw == TMON_OK ? hw : NULL, &enc);
		memset(&enc, 0, sizeof(enc));
		enc.platform = PROV_ENCLAVE_SNP;
		memcpy(enc.snp_measurement, rel->pred.snp_measurement,
		    PROV_REG_LEN);
		check_compare(rel, NULL, &enc);
	}
out:
	json_decref(j);
	free(hw);
	free(rel);
	return 0;
}
