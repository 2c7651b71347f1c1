/*
 * Unit tests for monitor/verify/snp_report.c, snp_verify.c, trust_amd.c.
 *
 * Fixtures: tests/data/snp (see PROVENANCE.md there): a real SEV-SNP
 * report served by Tinfoil (Genoa), its VCEK and the Genoa cert_chain
 * from AMD KDS, all from one capture.  Expected values come from
 * elsewhere than the code under test: the VCEK request URL of the
 * capture (CHIP_ID as hex, blSPL=10 teeSPL=0 snpSPL=23 ucodeSPL=84),
 * `xxd` of the report (MEASUREMENT, POLICY, CPUID bytes), `openssl x509`
 * of the VCEK (validity), the Tinfoil answer's report_data fields
 * (REPORT_DATA = SHA-256(tls_key_fp || hpke_key || nonce) || 32 zero
 * bytes, computed here with OpenSSL), the HTTP Date header (verification
 * time) and the ARKs' SHA-256 listed in trust_amd.c (computed with
 * sha256sum over virtee/sev's ark.pem converted to DER), and the
 * expected verdicts of the differential cases in tests/data/snp-peer.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <jansson.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "checklist.h"
#include "encode.h"
#include "snp_report.h"
#include "snp_verify.h"
#include "util.h"

#define DATA		TMON_TEST_DATA "/snp/"
#define REPORT		DATA "tinfoil_genoa_report.bin"
#define VCEK		DATA "tinfoil_genoa_vcek.der"
#define CHAIN		DATA "genoa_cert_chain.pem"

#define NOW		1782699166	/* Date: Mon, 29 Jun 2026 02:12:46 GMT */
#define VCEK_NB		1782612767	/* notBefore 2026-06-28T02:12:47Z */
#define VCEK_NA		2003537567	/* notAfter 2033-06-28T02:12:47Z */

/* From the capture's VCEK URL (kdsintf.amd.com/vcek/v1/Genoa/<hwid>). */
#define CHIP_ID_HEX	"1af1aa6c1f56037a05849a59b8815cf909583f9ba9ef2f05" \
			"3218c437f33ba183e4e415b039b37f8205250ad15f8b88a0" \
			"a3add9f4c081c0779a48ed2214378e44"
#define MEASUREMENT_HEX	"7adcb574b1e22ab579f3c883da3e5b6e632ef06775dd13fd" \
			"b16850640135a5f63c7eb8741fe340c672edaf241bd1ed7c"
/* Tinfoil report_data.{tls_key_fp, hpke_key, nonce} of the capture. */
#define TLS_KEY_FP	"0b49e7c770bbecedf9b65da503c7781d7c7637ee5f19d7f9d1ecc4067449021a"
#define HPKE_KEY	"dc8e340f8246aa66d21a1a08538945b94f6adbd62bcad22d598b86ffbe96d450"
#define NONCE		"229471a8453a3521eac3d6ada9f1d52e42c97a527c3a50d565e999401dfd3e9b"

struct fixture {
	uint8_t	*report, *vcek, *chain;
	size_t	 report_len, vcek_len, chain_len;
};

static uint8_t *
load(const char *path, size_t *len)
{
	struct tmon_err err;
	uint8_t *b = NULL;

	tmon_err_clear(&err);
	ck_assert_msg(read_file(path, 1 << 20, &b, len, &err) == TMON_OK,
	    "%s: %s", path, err.msg);
	return b;
}

static void
fx_load(struct fixture *f)
{
	f->report = load(REPORT, &f->report_len);
	f->vcek = load(VCEK, &f->vcek_len);
	f->chain = load(CHAIN, &f->chain_len);
}

static void
fx_free(struct fixture *f)
{
	free(f->report);
	free(f->vcek);
	free(f->chain);
}

static enum check_status
st(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "no check %s", id);
	return c->status;
}

static const char *
detail(const struct checklist *cl, const char *id)
{
	const struct check *c = checklist_get(cl, id);

	ck_assert_msg(c != NULL, "no check %s", id);
	return c->detail;
}

#define ck_status(cl, id, want)						\
	ck_assert_msg(st((cl), (id)) == (want), "%s: %s, want %s: %s",	\
	    (id), check_status_str(st((cl), (id))),			\
	    check_status_str(want), detail((cl), (id)))

/* snp_verify over (report, f's VCEK and chain) at now. */
static bool
verify(const struct fixture *f, const uint8_t *report, size_t len,
    int64_t now, struct checklist *cl, struct snp_report *r)
{
	checklist_init(cl);
	return snp_verify(report, len, f->vcek, f->vcek_len, f->chain,
	    f->chain_len, NULL, 0, now, cl, r);
}

static void
hex(const char *h, uint8_t *out, size_t n)
{
	ck_assert(hex_decode_exact(h, strlen(h), out, n, false));
}

START_TEST(test_real_report_passes)
{
	struct fixture f;
	struct checklist cl;
	struct snp_report r;
	uint8_t want[64], in[96];

	fx_load(&f);
	ck_assert_uint_eq(f.report_len, SNP_REPORT_LEN);
	ck_assert(verify(&f, f.report, f.report_len, NOW, &cl, &r));
	ck_status(&cl, "snp.report.parse", CHECK_PASS);
	ck_status(&cl, "snp.report.signature", CHECK_PASS);
	ck_status(&cl, "snp.vcek_chain", CHECK_PASS);
	ck_status(&cl, "snp.tcb", CHECK_PASS);
	ck_status(&cl, "snp.policy", CHECK_PASS);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_PASS);

	ck_assert_uint_eq(r.version, 3);
	ck_assert_str_eq(snp_product(&r), "Genoa");
	ck_assert_uint_eq(r.cpuid_fam_id, 0x19);
	ck_assert_uint_eq(r.cpuid_mod_id, 0x11);
	ck_assert_uint_eq(r.policy, 0x30000);
	ck_assert_uint_eq(r.vmpl, 0);
	ck_assert_uint_eq(r.signature_algo, 1);
	ck_assert_uint_eq(r.signing_key, SNP_SIGNING_KEY_VCEK);
	hex(CHIP_ID_HEX, want, 64);
	ck_assert(memcmp(r.chip_id, want, 64) == 0);
	hex(MEASUREMENT_HEX, want, 48);
	ck_assert(memcmp(r.measurement, want, 48) == 0);
	hex(TLS_KEY_FP, in, 32);
	hex(HPKE_KEY, in + 32, 32);
	hex(NONCE, in + 64, 32);
	memset(want, 0, sizeof(want));
	SHA256(in, sizeof(in), want);
	ck_assert(memcmp(r.report_data, want, 64) == 0);

	/* The VCEK URL's SPLs: blSPL=10 teeSPL=0 snpSPL=23 ucodeSPL=84. */
	{
		struct snp_tcb t;

		ck_assert(snp_tcb_split("Genoa", r.reported_tcb, &t));
		ck_assert_uint_eq(t.bootloader, 10);
		ck_assert_uint_eq(t.tee, 0);
		ck_assert_uint_eq(t.snp, 23);
		ck_assert_uint_eq(t.microcode, 84);
	}
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.tcb"),
	    "reported bl 10 tee 0 snp 23 ucode 84"));
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.policy"),
	    "SMT allowed yes, MIGRATE_MA no"));
	fx_free(&f);
}
END_TEST

/* The VCEK as PEM is accepted too. */
START_TEST(test_vcek_pem)
{
	struct fixture f;
	struct checklist cl;
	const uint8_t *p;
	X509 *x;
	BIO *b;
	BUF_MEM *m;

	fx_load(&f);
	p = f.vcek;
	x = d2i_X509(NULL, &p, (long)f.vcek_len);
	ck_assert_ptr_nonnull(x);
	b = BIO_new(BIO_s_mem());
	ck_assert(PEM_write_bio_X509(b, x) == 1);
	BIO_get_mem_ptr(b, &m);
	checklist_init(&cl);
	ck_assert(snp_verify(f.report, f.report_len, (const uint8_t *)m->data,
	    m->length, f.chain, f.chain_len, NULL, 0, NOW, &cl, NULL));
	ck_status(&cl, "snp.report.signature", CHECK_PASS);
	ck_status(&cl, "snp.vcek_chain", CHECK_PASS);
	BIO_free(b);
	X509_free(x);
	fx_free(&f);
}
END_TEST

/* Pinned ARKs: the recorded hashes, self-signed, Genoa = the capture's. */
START_TEST(test_pinned_arks)
{
	static const struct {
		const char	*product;
		const char	*sha256;
	} want[] = {
		{ "Milan", "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd" },
		{ "Genoa", "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1" },
		{ "Turin", "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a" },
	};
	struct fixture f;
	uint8_t h[32], w[32];
	const uint8_t *der, *p;
	size_t len, i;
	X509 *x, *ark;
	BIO *b;
	char cn[64];

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert(snp_pinned_ark(want[i].product, &der, &len));
		SHA256(der, len, h);
		hex(want[i].sha256, w, 32);
		ck_assert_msg(memcmp(h, w, 32) == 0, "%s", want[i].product);
		p = der;
		x = d2i_X509(NULL, &p, (long)len);
		ck_assert_ptr_nonnull(x);
		ck_assert(p == der + len);
		ck_assert_int_eq(X509_verify(x, X509_get0_pubkey(x)), 1);
		ck_assert_int_eq(X509_get_signature_nid(x), NID_rsassaPss);
		ck_assert(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
		    NID_commonName, cn, sizeof(cn)) > 0);
		ck_assert_str_eq(cn + 4, want[i].product);
		X509_free(x);
	}
	ck_assert(!snp_pinned_ark("Rome", &der, &len));
	ck_assert(!snp_pinned_ark("", &der, &len));

	/* The Genoa pin is the ARK KDS served in the capture. */
	fx_load(&f);
	b = BIO_new_mem_buf(f.chain, (int)f.chain_len);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	ark = PEM_read_bio_X509(b, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(ark);
	ck_assert(snp_pinned_ark("Genoa", &der, &len));
	{
		unsigned char *d = NULL;
		int n = i2d_X509(ark, &d);

		ck_assert_int_eq(n, (int)len);
		ck_assert(memcmp(d, der, len) == 0);
		OPENSSL_free(d);
	}
	X509_free(x);
	X509_free(ark);
	BIO_free(b);
	fx_free(&f);
}
END_TEST

/* One flipped byte in the signed bytes or the signature. */
START_TEST(test_flip_signed)
{
	static const size_t offs[] = {
		0x2A0,		/* SIGNATURE.R, lowest byte */
		0x2E8 + 10,	/* SIGNATURE.S */
		0x90 + 5,	/* MEASUREMENT */
		0x50,		/* REPORT_DATA */
		0x50 + 63,	/* REPORT_DATA, last (zero) byte */
		0x140,		/* REPORT_ID */
	};
	struct fixture f;
	struct checklist cl;
	uint8_t *b;
	size_t i;

	fx_load(&f);
	b = malloc(f.report_len);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		memcpy(b, f.report, f.report_len);
		b[offs[i]] ^= 0x01;
		ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
		ck_status(&cl, "snp.report.parse", CHECK_PASS);
		ck_status(&cl, "snp.report.signature", CHECK_FAIL);
		ck_status(&cl, "snp.vcek_chain", CHECK_PASS);
		ck_assert_int_eq(checklist_verdict(&cl), CHECK_FAIL);
	}
	/* A non-zero byte above R's 48 value bytes. */
	memcpy(b, f.report, f.report_len);
	b[0x2A0 + 48] = 1;
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.report.signature", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.report.signature"),
	    "exceeds 48 bytes"));
	free(b);
	fx_free(&f);
}
END_TEST

/* Offset of the last occurrence of needle in the DER, or 0. */
static size_t
find(const uint8_t *b, size_t n, const uint8_t *needle, size_t nn)
{
	size_t i, at = 0;

	for (i = 0; i + nn <= n; i++)
		if (memcmp(b + i, needle, nn) == 0)
			at = i;
	return at;
}

START_TEST(test_flip_vcek)
{
	/* secp384r1 point prefix of the VCEK key: 03 62 00 04 */
	static const uint8_t spki[] = { 0x03, 0x62, 0x00, 0x04 };
	struct fixture f;
	struct checklist cl;
	uint8_t *orig;
	size_t at;

	fx_load(&f);
	orig = malloc(f.vcek_len);
	memcpy(orig, f.vcek, f.vcek_len);

	/* The VCEK's own signature (last byte): the ASK did not sign it. */
	f.vcek[f.vcek_len - 1] ^= 0x01;
	ck_assert(verify(&f, f.report, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.report.signature", CHECK_PASS);
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.vcek_chain"),
	    "does not verify"));

	/* Its public key: neither the report nor the chain verifies. */
	memcpy(f.vcek, orig, f.vcek_len);
	at = find(f.vcek, f.vcek_len, spki, sizeof(spki));
	ck_assert_uint_gt(at, 0);
	f.vcek[at + sizeof(spki) + 20] ^= 0x01;
	ck_assert(verify(&f, f.report, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.report.signature", CHECK_FAIL);
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);

	/* Its hwID (last extension): the ASK's signature breaks. */
	memcpy(f.vcek, orig, f.vcek_len);
	{
		uint8_t id[64];

		hex(CHIP_ID_HEX, id, 64);
		at = find(f.vcek, f.vcek_len, id, 64);
		ck_assert_uint_gt(at, 0);
		f.vcek[at] ^= 0x01;
	}
	ck_assert(verify(&f, f.report, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.report.signature", CHECK_PASS);
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);

	/* Not a certificate at all. */
	memcpy(f.vcek, orig, f.vcek_len);
	f.vcek[0] = 0x31;
	ck_assert(verify(&f, f.report, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.report.signature", CHECK_ERROR);
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
	free(orig);
	fx_free(&f);
}
END_TEST

/*
 * The KDS chain re-encoded as PEM with one byte of certificate idx
 * (0 ASK, 1 ARK) flipped at its offset from the end (1: the last byte,
 * inside the signature).
 */
static uint8_t *
chain_flipped(const struct fixture *f, int idx, size_t from_end,
    size_t *len)
{
	BIO *in, *out;
	X509 *x;
	unsigned char *der = NULL;
	uint8_t *res;
	BUF_MEM *m;
	int i, n;

	in = BIO_new_mem_buf(f->chain, (int)f->chain_len);
	out = BIO_new(BIO_s_mem());
	for (i = 0; i < 2; i++) {
		x = PEM_read_bio_X509(in, NULL, NULL, NULL);
		ck_assert_ptr_nonnull(x);
		der = NULL;
		n = i2d_X509(x, &der);
		ck_assert_int_gt(n, 0);
		if (i == idx)
			der[(size_t)n - from_end] ^= 0x01;
		ck_assert(PEM_write_bio(out, "CERTIFICATE", "", der, n) > 0);
		OPENSSL_free(der);
		X509_free(x);
	}
	BIO_get_mem_ptr(out, &m);
	res = malloc(m->length);
	memcpy(res, m->data, m->length);
	*len = m->length;
	BIO_free(in);
	BIO_free(out);
	return res;
}

START_TEST(test_flip_chain)
{
	struct fixture f;
	struct checklist cl;
	uint8_t *c, *saved;
	size_t n, saved_len;

	fx_load(&f);
	saved = f.chain;
	saved_len = f.chain_len;

	/* Re-encoding unchanged still passes (the helper is sound). */
	c = chain_flipped(&f, -1, 1, &n);
	f.chain = c;
	f.chain_len = n;
	ck_assert(verify(&f, f.report, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_PASS);
	free(c);

	/* ASK signature byte: the ARK did not sign it. */
	f.chain = saved;
	c = chain_flipped(&f, 0, 1, &n);
	f.chain = c;
	f.chain_len = n;
	ck_assert(verify(&f, f.report, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.report.signature", CHECK_PASS);
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
	free(c);

	/* ARK byte: not the pinned ARK. */
	f.chain = saved;
	c = chain_flipped(&f, 1, 1, &n);
	f.chain = c;
	f.chain_len = n;
	ck_assert(verify(&f, f.report, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.vcek_chain"),
	    "not the pinned AMD ARK"));
	free(c);

	/* Only the ASK served. */
	f.chain = saved;
	f.chain_len = (size_t)(strstr((char *)saved, "-----END CERTIFICATE-----")
	    - (char *)saved) + strlen("-----END CERTIFICATE-----");
	ck_assert(verify(&f, f.report, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
	f.chain_len = saved_len;

	/* Another product's ARK trusted instead (test-PKI override). */
	{
		const uint8_t *der;
		size_t len;

		ck_assert(snp_pinned_ark("Milan", &der, &len));
		checklist_init(&cl);
		ck_assert(snp_verify(f.report, f.report_len, f.vcek,
		    f.vcek_len, f.chain, f.chain_len, der, len, NOW, &cl,
		    NULL));
		ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
		ck_assert(snp_pinned_ark("Genoa", &der, &len));
		checklist_init(&cl);
		ck_assert(snp_verify(f.report, f.report_len, f.vcek,
		    f.vcek_len, f.chain, f.chain_len, der, len, NOW, &cl,
		    NULL));
		ck_status(&cl, "snp.vcek_chain", CHECK_PASS);
	}
	fx_free(&f);
}
END_TEST

/* CHIP_ID and REPORTED_TCB changed: the chain check names the field. */
START_TEST(test_chip_and_tcb_mismatch)
{
	struct fixture f;
	struct checklist cl;
	uint8_t *b;

	fx_load(&f);
	b = malloc(f.report_len);
	memcpy(b, f.report, f.report_len);
	b[0x1A0 + 7] ^= 0x80;				/* CHIP_ID */
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.vcek_chain"), "hwID"));
	ck_status(&cl, "snp.report.signature", CHECK_FAIL);

	memcpy(b, f.report, f.report_len);
	b[0x180 + 6] = 22;				/* REPORTED_TCB.SNP */
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.vcek_chain"),
	    "snpSPL 23 differs from REPORTED_TCB's 22"));
	ck_status(&cl, "snp.tcb", CHECK_PASS);

	memcpy(b, f.report, f.report_len);
	b[0x180 + 7] = 85;				/* REPORTED_TCB.UCODE */
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.vcek_chain"),
	    "ucodeSPL"));
	ck_status(&cl, "snp.tcb", CHECK_FAIL);	/* above CURRENT_TCB */

	/* MASK_CHIP_ID with a zeroed CHIP_ID: hwID not compared. */
	memcpy(b, f.report, f.report_len);
	b[0x48] |= 0x02;
	memset(b + 0x1A0, 0, 64);
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_WARN);
	free(b);
	fx_free(&f);
}
END_TEST

START_TEST(test_truncated)
{
	struct fixture f;
	struct checklist cl;
	struct snp_report r;
	struct tmon_err err;
	uint8_t *b;
	size_t n;

	fx_load(&f);
	for (n = 0; n < f.report_len; n++) {
		/* a copy of exactly n bytes, so ASan sees any over-read */
		b = malloc(n > 0 ? n : 1);
		memcpy(b, f.report, n);
		tmon_err_clear(&err);
		ck_assert_int_eq(snp_report_parse(b, n, &r, &err),
		    TMON_E_PARSE);
		ck_assert(!verify(&f, b, n, NOW, &cl, &r));
		ck_status(&cl, "snp.report.parse", CHECK_FAIL);
		ck_status(&cl, "snp.report.signature", CHECK_SKIP);
		ck_assert_uint_eq(r.version, 0);
		free(b);
	}
	/* one byte more */
	b = malloc(f.report_len + 1);
	memcpy(b, f.report, f.report_len);
	b[f.report_len] = 0;
	ck_assert(!verify(&f, b, f.report_len + 1, NOW, &cl, NULL));
	ck_status(&cl, "snp.report.parse", CHECK_FAIL);
	free(b);
	checklist_init(&cl);
	ck_assert(!snp_verify(NULL, 0, NULL, 0, NULL, 0, NULL, 0, NOW, &cl,
	    NULL));
	ck_status(&cl, "snp.report.parse", CHECK_FAIL);
	fx_free(&f);
}
END_TEST

START_TEST(test_versions)
{
	static const uint32_t bad[] = { 0, 1, 4, 6, 0x03000000u };
	struct fixture f;
	struct checklist cl;
	struct snp_report r;
	uint8_t *b;
	size_t i;

	fx_load(&f);
	b = malloc(f.report_len);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(b, f.report, f.report_len);
		b[0] = (uint8_t)bad[i];
		b[3] = (uint8_t)(bad[i] >> 24);
		ck_assert(!verify(&f, b, f.report_len, NOW, &cl, &r));
		ck_status(&cl, "snp.report.parse", CHECK_ERROR);
		ck_status(&cl, "snp.vcek_chain", CHECK_SKIP);
		ck_assert_int_eq(checklist_verdict(&cl), CHECK_ERROR);
		/* also when cut short */
		ck_assert(!verify(&f, b, 100, NOW, &cl, &r));
		ck_status(&cl, "snp.report.parse", CHECK_ERROR);
	}

	/* Version 2: no CPUID, the product from the VCEK's productName. */
	memcpy(b, f.report, f.report_len);
	b[0] = 2;
	memset(b + 0x188, 0, 3);
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, &r));
	ck_status(&cl, "snp.report.parse", CHECK_PASS);
	ck_assert(!r.has_cpuid);
	ck_assert_str_eq(snp_product(&r), "");
	ck_status(&cl, "snp.vcek_chain", CHECK_PASS);
	ck_status(&cl, "snp.tcb", CHECK_PASS);
	ck_status(&cl, "snp.report.signature", CHECK_FAIL);
	/* ... whose CPUID bytes are reserved */
	b[0x188] = 0x19;
	ck_assert(!verify(&f, b, f.report_len, NOW, &cl, &r));
	ck_status(&cl, "snp.report.parse", CHECK_FAIL);

	/* Version 5: the two mitigation vectors. */
	memcpy(b, f.report, f.report_len);
	b[0] = 5;
	b[0x1F8] = 0x05;
	b[0x200 + 7] = 0x80;
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, &r));
	ck_assert(r.has_mit_vector);
	ck_assert_uint_eq(r.launch_mit_vector, 5);
	ck_assert_uint_eq(r.current_mit_vector, 0x8000000000000000ull);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.tcb"),
	    "launch 0x5 current 0x8000000000000000"));
	/* ... which are reserved in version 3 */
	b[0] = 3;
	ck_assert(!verify(&f, b, f.report_len, NOW, &cl, &r));
	ck_status(&cl, "snp.report.parse", CHECK_FAIL);
	free(b);
	fx_free(&f);
}
END_TEST

START_TEST(test_reserved_nonzero)
{
	static const size_t offs[] = { 0x4C, 0x4F, 0x18B, 0x19F, 0x1EB,
	    0x1EF, 0x208, 0x29F, 0x330, 0x49F };
	struct fixture f;
	struct checklist cl;
	struct snp_report r;
	struct tmon_err err;
	uint8_t *b;
	size_t i;

	fx_load(&f);
	b = malloc(f.report_len);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		memcpy(b, f.report, f.report_len);
		b[offs[i]] = 0x01;
		tmon_err_clear(&err);
		ck_assert_int_eq(snp_report_parse(b, f.report_len, &r, &err),
		    TMON_E_PARSE);
		ck_assert_uint_eq(err.offset, offs[i] < 0x4C + 4 ? 0x4C :
		    offs[i] < 0x1A0 ? 0x18B : offs[i] == 0x1EB ? 0x1EB :
		    offs[i] == 0x1EF ? 0x1EF : offs[i] < 0x2A0 ? 0x1F8 :
		    0x330);
	}
	/* signer info bits 31:5 */
	memcpy(b, f.report, f.report_len);
	b[0x48] = 0x20;
	ck_assert(!verify(&f, b, f.report_len, NOW, &cl, &r));
	ck_status(&cl, "snp.report.parse", CHECK_FAIL);
	free(b);
	fx_free(&f);
}
END_TEST

START_TEST(test_no_collateral)
{
	struct fixture f;
	struct checklist cl;

	fx_load(&f);
	checklist_init(&cl);
	ck_assert(snp_verify(f.report, f.report_len, NULL, 0, NULL, 0, NULL,
	    0, NOW, &cl, NULL));
	ck_status(&cl, "snp.report.parse", CHECK_PASS);
	ck_status(&cl, "snp.report.signature", CHECK_ERROR);
	ck_status(&cl, "snp.vcek_chain", CHECK_ERROR);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.report.signature"),
	    "no collateral"));
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.vcek_chain"),
	    "no collateral"));
	ck_status(&cl, "snp.tcb", CHECK_PASS);
	ck_status(&cl, "snp.policy", CHECK_PASS);
	ck_assert_int_ne(checklist_verdict(&cl), CHECK_PASS);

	/* VCEK but no cert_chain: the signature is checked. */
	checklist_init(&cl);
	ck_assert(snp_verify(f.report, f.report_len, f.vcek, f.vcek_len, NULL,
	    0, NULL, 0, NOW, &cl, NULL));
	ck_status(&cl, "snp.report.signature", CHECK_PASS);
	ck_status(&cl, "snp.vcek_chain", CHECK_ERROR);
	ck_assert_int_eq(checklist_verdict(&cl), CHECK_WARN);
	fx_free(&f);
}
END_TEST

START_TEST(test_validity_time)
{
	struct fixture f;
	struct checklist cl;

	fx_load(&f);
	ck_assert(verify(&f, f.report, f.report_len, VCEK_NB, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_PASS);
	ck_assert(verify(&f, f.report, f.report_len, VCEK_NB - 1, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.vcek_chain"),
	    "not yet valid"));
	ck_status(&cl, "snp.report.signature", CHECK_PASS);
	/* OpenSSL counts notAfter itself as expired (X509_cmp_time). */
	ck_assert(verify(&f, f.report, f.report_len, VCEK_NA - 1, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_PASS);
	ck_assert(verify(&f, f.report, f.report_len, VCEK_NA + 1, &cl, NULL));
	ck_status(&cl, "snp.vcek_chain", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.vcek_chain"),
	    "expired"));
	fx_free(&f);
}
END_TEST

START_TEST(test_policy_and_tcb)
{
	struct fixture f;
	struct checklist cl;
	uint8_t *b;

	fx_load(&f);
	b = malloc(f.report_len);
	memcpy(b, f.report, f.report_len);
	b[0x08 + 2] |= 0x08;				/* POLICY.DEBUG */
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.policy", CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.policy"), "DEBUG"));

	memcpy(b, f.report, f.report_len);
	b[0x08 + 2] &= (uint8_t)~0x02;			/* bit 17 */
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.policy", CHECK_FAIL);

	memcpy(b, f.report, f.report_len);
	b[0x08 + 2] = 0x06;				/* MIGRATE_MA, no SMT */
	b[0x40] = 0x00;					/* PLATFORM_INFO */
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.policy", CHECK_PASS);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.policy"),
	    "SMT allowed no, MIGRATE_MA yes"));

	memcpy(b, f.report, f.report_len);
	b[0x1E0 + 7] = 83;				/* COMMITTED_TCB */
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.tcb", CHECK_WARN);

	memcpy(b, f.report, f.report_len);
	b[0x38 + 6] = 24;				/* CURRENT_TCB.SNP */
	b[0x1E0 + 6] = 24;				/* COMMITTED_TCB.SNP */
	ck_assert(verify(&f, b, f.report_len, NOW, &cl, NULL));
	ck_status(&cl, "snp.tcb", CHECK_PASS);
	ck_assert_ptr_nonnull(strstr(detail(&cl, "snp.tcb"),
	    "current bl 10 tee 0 snp 24 ucode 84 (above reported)"));
	free(b);
	fx_free(&f);
}
END_TEST

START_TEST(test_tcb_split_and_product)
{
	struct snp_tcb t;
	struct snp_report r;

	/* Turin: FMC, BL, TEE, SNP in bytes 0-3, microcode in byte 7. */
	ck_assert(snp_tcb_split("Turin", 0x4800000003020104ull, &t));
	ck_assert_uint_eq(t.fmc, 4);
	ck_assert_uint_eq(t.bootloader, 1);
	ck_assert_uint_eq(t.tee, 2);
	ck_assert_uint_eq(t.snp, 3);
	ck_assert_uint_eq(t.microcode, 0x48);
	ck_assert(snp_tcb_split("Milan", 0xd115000000000304ull, &t));
	ck_assert_uint_eq(t.fmc, 0);
	ck_assert_uint_eq(t.bootloader, 4);
	ck_assert_uint_eq(t.tee, 3);
	ck_assert_uint_eq(t.snp, 0x15);
	ck_assert_uint_eq(t.microcode, 0xd1);
	ck_assert(!snp_tcb_split("", 1, &t));

	memset(&r, 0, sizeof(r));
	ck_assert_str_eq(snp_product(&r), "");
	r.has_cpuid = true;
	r.cpuid_fam_id = 0x19;
	r.cpuid_mod_id = 0x01;
	ck_assert_str_eq(snp_product(&r), "Milan");
	r.cpuid_mod_id = 0xa0;
	ck_assert_str_eq(snp_product(&r), "Genoa");
	r.cpuid_mod_id = 0x30;
	ck_assert_str_eq(snp_product(&r), "");
	r.cpuid_fam_id = 0x1a;
	r.cpuid_mod_id = 0x02;
	ck_assert_str_eq(snp_product(&r), "Turin");
	r.cpuid_fam_id = 0x17;
	ck_assert_str_eq(snp_product(&r), "");
}
END_TEST

/*
 * The differential cases of tests/data/snp-peer/cases.json, whose
 * "expect" the peer verifier (npm @tinfoilsh/verifier, test_snp_peer)
 * gives too: accept is an overall pass, reject anything else.
 */
START_TEST(test_peer_cases)
{
	const char *dir = TMON_TEST_DATA "/snp-peer/";
	char path[512];
	json_t *root, *c;
	json_error_t je;
	struct checklist cl;
	uint8_t *rep, *vcek, *chain;
	size_t rep_len, vcek_len, chain_len, i;
	bool accept;

	snprintf(path, sizeof(path), "%scases.json", dir);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	ck_assert_msg(root != NULL, "%s: %s", path, je.text);
	ck_assert_uint_ge(json_array_size(root), 7);
	json_array_foreach(root, i, c) {
		snprintf(path, sizeof(path), "%s%s", dir,
		    json_string_value(json_object_get(c, "report")));
		rep = load(path, &rep_len);
		snprintf(path, sizeof(path), "%s%s", dir,
		    json_string_value(json_object_get(c, "vcek")));
		vcek = load(path, &vcek_len);
		snprintf(path, sizeof(path), "%s%s", dir,
		    json_string_value(json_object_get(c, "cert_chain")));
		chain = load(path, &chain_len);
		checklist_init(&cl);
		(void)snp_verify(rep, rep_len, vcek, vcek_len, chain,
		    chain_len, NULL, 0,
		    json_integer_value(json_object_get(c, "time")), &cl, NULL);
		accept = checklist_verdict(&cl) == CHECK_PASS;
		ck_assert_msg(accept == (strcmp(json_string_value(
		    json_object_get(c, "expect")), "accept") == 0),
		    "case %s: tmon %s", json_string_value(json_object_get(c,
		    "id")), accept ? "accepts" : "rejects");
		free(rep);
		free(vcek);
		free(chain);
	}
	json_decref(root);
}
END_TEST

static Suite *
snp_suite(void)
{
	Suite *s = suite_create("snp");
	TCase *tc = tcase_create("report");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_real_report_passes);
	tcase_add_test(tc, test_vcek_pem);
	tcase_add_test(tc, test_pinned_arks);
	tcase_add_test(tc, test_flip_signed);
	tcase_add_test(tc, test_flip_vcek);
	tcase_add_test(tc, test_flip_chain);
	tcase_add_test(tc, test_chip_and_tcb_mismatch);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_versions);
	tcase_add_test(tc, test_reserved_nonzero);
	tcase_add_test(tc, test_no_collateral);
	tcase_add_test(tc, test_validity_time);
	tcase_add_test(tc, test_policy_and_tcb);
	tcase_add_test(tc, test_tcb_split_and_product);
	tcase_add_test(tc, test_peer_cases);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(snp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
