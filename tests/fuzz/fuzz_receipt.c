/*
 * libFuzzer target: a POST /api/v1/receipts body through rcpt_parse and,
 * when it parses, entry_receipt_blob, rcpt_verify (without a probe, and
 * against a probe with a signing key and TDX registers) and
 * entry_receipt_checked_body.
 * Invariants: a refusal is 400 or 413 with an error text and leaves
 * nothing allocated; an accepted body has one of the three forms; the entry
 * is canonical JSON (parsing it and writing it back with sorted keys gives
 * the same bytes) whose verdict is the check list's.
 * Seeds: tests/fuzz/seeds/receipt/ (sample A with its bytes, the
 * NEGATIVE sample, the constructed Private Mode receipts, the ACI
 * specification's receipt bare and wrapped with its keyset).
 *
 *   CC=clang cmake -S . -B build-fuzz -DTMON_FUZZ=ON -DTMON_TESTS=OFF
 *   build-fuzz/fuzz/fuzz_receipt -max_total_time=60 -max_len=8192 corpus/
 *
 * About 780,000 runs and "cov: 447" in 60 s from the seeds on this
 * machine, no findings.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checklist.h"
#include "entry.h"
#include "log.h"
#include "receipt_check.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
entry_invariants(const struct rcpt_parsed *p, const struct rcpt_probe *pr,
    const struct checklist *cl)
{
	static const uint8_t md[32];
	json_error_t jerr;
	json_t *e;
	uint8_t *entry;
	char *again;
	size_t len;

	entry = entry_receipt_checked_body(p, pr, cl, 1700000000, md, 10,
	    &len);
	e = json_loadb((const char *)entry, len, JSON_REJECT_DUPLICATES,
	    &jerr);
	TMON_ASSERT(e != NULL);
	again = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	TMON_ASSERT(again != NULL && strlen(again) == len &&
	    memcmp(again, entry, len) == 0);
	TMON_ASSERT(strcmp(json_string_value(json_object_get(e, "verdict")),
	    check_status_str(checklist_verdict(cl))) == 0);
	free(again);
	json_decref(e);
	free(entry);
}

/* The blob is the body, or an object without the request and response
   bytes that parses as a receipt of the same form. */
static void
blob_invariants(const struct rcpt_parsed *p, const uint8_t *data,
    size_t size)
{
	struct rcpt_parsed q;
	struct rcpt_reject rej;
	const uint8_t *blob;
	uint8_t *mem;
	size_t blen;

	blob = entry_receipt_blob(p, data, size, &mem, &blen);
	if (rcpt_keeps_whole(p)) {
		TMON_ASSERT(blob == data && blen == size && mem == NULL);
		return;
	}
	TMON_ASSERT(blob == mem && mem != NULL);
	TMON_ASSERT(rcpt_parse(blob, blen, NULL, &q, &rej) == TMON_OK);
	TMON_ASSERT(q.fmt == RCPT_SIGNATURE && q.request == NULL &&
	    q.response == NULL && rcpt_keeps_whole(&q));
	rcpt_parsed_free(&q);
	free(mem);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct checklist cl;
	struct rcpt_parsed p;
	struct rcpt_reject rej;
	struct rcpt_probe pr;

	if (rcpt_parse(data, size, NULL, &p, &rej) != TMON_OK) {
		TMON_ASSERT(rej.status == 400 || rej.status == 413);
		TMON_ASSERT(rej.error != NULL && p.root == NULL);
		return 0;
	}
	TMON_ASSERT(p.fmt == RCPT_SIGNATURE || p.fmt == RCPT_PRIVATE_MODE ||
	    p.fmt == RCPT_ACI);
	blob_invariants(&p, data, size);
	memset(&pr, 0, sizeof(pr));
	checklist_init(&cl);
	rcpt_verify(NULL, &p, &pr, &cl);
	entry_invariants(&p, &pr, &cl);

	pr.have = true;
	pr.seq = 1;
	memcpy(pr.verdict, "pass", 5);
	pr.has_meas = true;
	memcpy(pr.signing_address,
	    "0xcaaa4842758658a85785ad15367a700c601ffea5", 43);
	memset(pr.mrtd, 'a', 96);
	memset(pr.rtmr[1], 'b', 96);
	if (p.model[0] == '\0')
		memcpy(p.model, "TEE/fuzz", 9);
	checklist_init(&cl);
	rcpt_verify(NULL, &p, &pr, &cl);
	entry_invariants(&p, &pr, &cl);
	rcpt_parsed_free(&p);
	return 0;
}
