/*
 * libFuzzer target: rekor_entry_parse() and rekor_entry_check()
 * (monitor/verify/rekor.h) on a bundle's tlog entry (the input: one JSON
 * object), under a root of the public-good Rekor logs (compiled in: the
 * two tlogs and the current Fulcio CA of trust/sigstore-trusted-root.json)
 * and a fixed signed content.
 * Invariants:
 *   - a parsed entry has a body, at most TLOG_MAX_PROOF hashes, indexes
 *     and sizes below TLOG_MAX_SIZE, a SET or none, a checkpoint only
 *     with a proof;
 *   - the check sets all four ids; a pass is vouched for (a verified SET
 *     or inclusion proof and checkpoint), and a verified time comes only
 *     with a SET that passed;
 *   - rekor_check_entry on the same object gives the same verdict.
 * Seeds: tests/fuzz/seeds/rekor/ (the entry of
 * tests/data/sigstore/tinfoil-cmr-attestations.json, without its SET,
 * without its inclusion proof).
 * About 52 thousand runs and "cov: 388" in 60 s from the seeds on this
 * machine (-max_len=16384), no findings.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "checklist.h"
#include "log.h"
#include "rekor.h"
#include "sigstore_root.h"
#include "tjson.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char root_json[] =
	"{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;vers"
	"ion=0.1\",\"tlogs\":[{\"baseUrl\":\"https://rekor.sigstore.dev\",\"hashA"
	"lgorithm\":\"SHA2_256\",\"publicKey\":{\"rawBytes\":\"MFkwEwYHKoZIzj0CAQ"
	"YIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yY"
	"Y0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==\",\"keyDetails\":\"PKIX_E"
	"CDSA_P256_SHA_256\",\"validFor\":{\"start\":\"2021-01-12T11:53:27Z\"}},"
	"\"logId\":{\"keyId\":\"wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=\"}"
	"},{\"baseUrl\":\"https://log2025-1.rekor.sigstore.dev\",\"hashAlgorit"
	"hm\":\"SHA2_256\",\"publicKey\":{\"rawBytes\":\"MCowBQYDK2VwAyEAt8rlp1kn"
	"GwjfbcXAYPYAkn0XiLz1x8O4t0YkEhie244=\",\"keyDetails\":\"PKIX_ED25519"
	"\",\"validFor\":{\"start\":\"2025-09-23T00:00:00Z\"}},\"logId\":{\"keyId\":"
	"\"zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A=\"}}],\"certificateAu"
	"thorities\":[{\"subject\":{\"organization\":\"sigstore.dev\",\"commonNam"
	"e\":\"sigstore\"},\"uri\":\"https://fulcio.sigstore.dev\",\"certChain\":{"
	"\"certificates\":[{\"rawBytes\":\"MIICGjCCAaGgAwIBAgIUALnViVfnU0brJas"
	"mRkHrn/UnfaQwCgYIKoZIzj0EAwMwKjEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MRE"
	"wDwYDVQQDEwhzaWdzdG9yZTAeFw0yMjA0MTMyMDA2MTVaFw0zMTEwMDUxMzU2NTh"
	"aMDcxFTATBgNVBAoTDHNpZ3N0b3JlLmRldjEeMBwGA1UEAxMVc2lnc3RvcmUtaW5"
	"0ZXJtZWRpYXRlMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE8RVS/ysH+NOvuDZyPIZ"
	"tilgUF9NlarYpAd9HP1vBBH1U5CV77LSS7s0ZiH4nE7Hv7ptS6LvvR/STk798LVg"
	"MzLlJ4HeIfF3tHSaexLcYpSASr1kS0N/RgBJz/9jWCiXno3sweTAOBgNVHQ8BAf8"
	"EBAMCAQYwEwYDVR0lBAwwCgYIKwYBBQUHAwMwEgYDVR0TAQH/BAgwBgEB/wIBADA"
	"dBgNVHQ4EFgQU39Ppz1YkEZb5qNjpKFWixi4YZD8wHwYDVR0jBBgwFoAUWMAeX5F"
	"FpWapesyQoZMi0CrFxfowCgYIKoZIzj0EAwMDZwAwZAIwPCsQK4DYiZYDPIaDi5H"
	"FKnfxXx6ASSVmERfsynYBiX2X6SJRnZU84/9DZdnFvvxmAjBOt6QpBlc4J/0Dxvk"
	"TCqpclvziL6BCCPnjdlIB3Pu3BxsPmygUY7Ii2zbdCdliiow=\"},{\"rawBytes\":"
	"\"MIIB9zCCAXygAwIBAgIUALZNAPFdxHPwjeDloDwyYChAO/4wCgYIKoZIzj0EAwM"
	"wKjEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MREwDwYDVQQDEwhzaWdzdG9yZTAeFw0"
	"yMTEwMDcxMzU2NTlaFw0zMTEwMDUxMzU2NThaMCoxFTATBgNVBAoTDHNpZ3N0b3J"
	"lLmRldjERMA8GA1UEAxMIc2lnc3RvcmUwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAAT"
	"7XeFT4rb3PQGwS4IajtLk3/OlnpgangaBclYpsYBr5i+4ynB07ceb3LP0OIOZdxe"
	"xX69c5iVuyJRQ+Hz05yi+UF3uBWAlHpiS5sh0+H2GHE7SXrk1EC5m1Tr19L9gg92"
	"jYzBhMA4GA1UdDwEB/wQEAwIBBjAPBgNVHRMBAf8EBTADAQH/MB0GA1UdDgQWBBR"
	"YwB5fkUWlZql6zJChkyLQKsXF+jAfBgNVHSMEGDAWgBRYwB5fkUWlZql6zJChkyL"
	"QKsXF+jAKBggqhkjOPQQDAwNpADBmAjEAj1nHeXZp+13NWBNa+EDsDP8G1WWg1tC"
	"MWP/WHPqpaVo0jhsweNFZgSs0eE7wYI4qAjEA2WB9ot98sIkoF3vZYdd3/VtWB5b"
	"9TNMea7Ix/stJ5TfcLLeABLE4BNJOsQ4vnBHJ\"}]},\"validFor\":{\"start\":\"2"
	"022-04-13T20:06:15Z\"}}]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sigstore_root *root;
	static const uint8_t payload[] = "{\"_type\":\"x\"}";
	static const uint8_t sig[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02,
	    0x01, 0x01 };
	struct rekor_signed sd;
	struct rekor_entry e;
	struct rekor_result res, res2;
	struct checklist cl, cl2;
	struct tjson_doc d;
	json_t *obj = NULL;
	enum verdict v;

	if (root == NULL) {
		tjson_init();
		TMON_ASSERT(sigstore_root_parse((const uint8_t *)root_json,
		    strlen(root_json), "fuzz root", &root, NULL) == TMON_OK);
	}
	memset(&sd, 0, sizeof(sd));
	sd.payload = payload;
	sd.payload_len = sizeof(payload) - 1;
	sd.payload_type = "application/vnd.in-toto+json";
	sd.sig = sig;
	sd.sig_len = sizeof(sig);
	sd.cert_der = sig;
	sd.cert_der_len = sizeof(sig);
	memset(&d, 0, sizeof(d));
	if (tjson_load(&d, data, size, 1 << 20, TJSON_OBJECT, &obj) !=
	    TMON_OK)
		return 0;
	if (rekor_entry_parse(obj, "entry", &e, NULL) == TMON_OK) {
		TMON_ASSERT(e.body != NULL && e.body_len > 0);
		TMON_ASSERT(e.nhashes <= TLOG_MAX_PROOF);
		TMON_ASSERT(e.log_index < TLOG_MAX_SIZE);
		TMON_ASSERT(e.set == NULL || e.set_len > 0);
		TMON_ASSERT(e.checkpoint == NULL || e.has_proof);
		checklist_init(&cl);
		v = rekor_entry_check(root, &e, &sd, &res, &cl);
		TMON_ASSERT(checklist_get(&cl, REKOR_CHECK_BODY) != NULL);
		TMON_ASSERT(checklist_get(&cl, REKOR_CHECK_INCLUSION) != NULL);
		TMON_ASSERT(checklist_get(&cl, REKOR_CHECK_CHECKPOINT) != NULL);
		TMON_ASSERT(checklist_get(&cl, REKOR_CHECK_SET) != NULL);
		if (v == VERDICT_PASS)
			TMON_ASSERT(res.time_verified || res.included);
		if (res.time_verified)
			TMON_ASSERT(checklist_get(&cl,
			    REKOR_CHECK_SET)->status == CHECK_PASS);
		checklist_init(&cl2);
		TMON_ASSERT(rekor_check_entry(root, obj, "entry", &sd, &res2,
		    &cl2) == v);
		rekor_entry_free(&e);
	} else {
		checklist_init(&cl2);
		TMON_ASSERT(rekor_check_entry(root, obj, "entry", &sd, &res2,
		    &cl2) == VERDICT_FAIL);
	}
	json_decref(obj);
	return 0;
}
