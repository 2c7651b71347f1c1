/*
 * sim.h: internals of tmon-sim, the simulated TEE inference provider
 * (contrib/sim/tmon_sim.c has the program's description).
 *
 * Everything tmon-sim serves is SIMULATED and signed by a TEST PKI that
 * it generates at start-up: nothing here is evidence of a real TEE.
 *
 * Files:
 *   sim_der.c    a small DER writer (the Intel SGX and TCG DICE
 *                extensions), signing helpers, hex and URL encoding
 *   sim_pki.c    the TEST PKI: keys, certificates, CRLs, trust anchor
 *                files
 *   sim_tdx.c    TDX quotes, the dstack event log and info, the Intel
 *                PCS collateral (TCB info, QE identity)
 *   sim_gpu.c    NVIDIA SPDM evidence and the nvidia_payload
 *   sim_chat.c   chat completions, their EIP-191 signatures and the
 *                signature store
 *   sim_tinfoil.c  the Tinfoil-shaped attestation document (v3, TDX)
 *   sim_sigstore.c the TEST Sigstore (Fulcio CA, CT log, Rekor) and the
 *                Tinfoil-shaped releases it signs, GitHub's answers
 *   tmon_sim.c   main, the HTTP server and its routes
 *
 * After sim_pki_generate() the struct sim_pki is immutable and shared by
 * the connection threads; mutable state (attestation counters, the
 * completion store) lives in struct sim_state behind its mutex.
 */
#ifndef TMON_CONTRIB_SIM_H
#define TMON_CONTRIB_SIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <secp256k1.h>

#include "buf.h"

/* Bounds of this test tool; the request side is hostile. */
#define MAX_SIM_REQUEST_BODY	(64u * 1024)	/* chat completion body */
#define MAX_SIM_CHATS		1024		/* completions remembered */
#define MAX_SIM_SIG_MISSES	100		/* --sig-misses */
#define MAX_SIM_MAX_TOKENS	4096		/* max_tokens accepted */
#define MAX_SIM_CONNS		64		/* connections at once */
#define SIM_CONN_TIMEOUT_S	30		/* idle connection */
#define SIM_CONN_MEMORY		(32u * 1024)	/* request head */
#define MAX_SIM_BUILD		(4u * 1024 * 1024) /* one built body */
#define SIM_COLLATERAL_DAYS	30		/* nextUpdate - issueDate */

/* The marker every simulated response carries (header and JSON). */
#define SIM_NOTICE	"SIMULATED by tmon-sim with a TEST PKI generated " \
			"at start-up: not evidence of any real TEE"
#define SIM_HEADER	"X-Tmon-Sim"
#define SIM_HEADER_VALUE "SIMULATED provider, TEST PKI, not a real TEE"

/*
 * Misbehaviours, one per model id "sim/<mode>" (sim_mode_names); each
 * turns one group of checks to fail (README text in tmon_sim.c).
 */
enum sim_mode {
	SIM_GOOD = 0,
	SIM_WRONG_KEY,		/* completions signed by another key */
	SIM_STALE_NONCE,	/* evidence bound to a fixed old nonce */
	SIM_CHANGED_MEASUREMENT, /* MRTD changes after the first report */
	SIM_RESERIALISED,	/* response hash over a re-serialised copy */
	SIM_MISSING_SIGNATURE,	/* signature endpoint always 404 */
	SIM_REPLICAS,		/* two instances of one app, alternately */
	SIM_ROLLOUT,		/* a new compose after SIM_ROLLOUT_AFTER */
	SIM_FLAKY,		/* every SIM_FLAKY_EVERY-th signed wrongly */
	SIM_OUTAGE,		/* probes 2..1+SIM_OUTAGE_LEN signed wrongly */
	SIM_TINFOIL,		/* a Tinfoil v3 document (TDX), no dstack */
	SIM_TINFOIL_RELEASE,	/* sim/tinfoil, then a new attested release */
	SIM_TINFOIL_UNATTESTED,	/* sim/tinfoil, then an unreleased one */
	SIM_NMODES
};

/* sim/rollout: attestations served with the first compose. */
#define SIM_ROLLOUT_AFTER	3
/* sim/flaky: the completion after every 4th attestation is signed by the
 * wrong key; sim/outage: those after the 2nd, 3rd and 4th. */
#define SIM_FLAKY_EVERY		4
#define SIM_OUTAGE_LEN		3

extern const char *const sim_mode_names[SIM_NMODES];

/* The mode of a model id, or -1 if it is not "sim/<known mode>". */
int	sim_mode_of(const char *model);

/* Which upstream API a request came in through. */
enum sim_flavour {
	SIM_FLAVOUR_DIRECT,	/* /v1/...: NEAR/Phala vllm-proxy, Rust
				   proxy signature text with the model */
	SIM_FLAVOUR_NANOGPT	/* /api/v1/...: NanoGPT */
};

#define SIM_NV_CHAIN	5	/* leaf, BROM, provisioner, identity, root */

/* Completion signing keys. */
enum { SIM_KEY_A, SIM_KEY_WRONG, SIM_KEY_B, SIM_NKEYS };

/*
 * Deployments of the one dstack app: SIM_APP_A (every mode), SIM_APP_B
 * the second replica of sim/replicas (its own instance id, hence RTMR3,
 * and key; the same compose, MRTD and RTMR0-2), SIM_APP_ROLLED the same
 * instance as A after a new compose was rolled out (new compose hash,
 * MRCONFIGID and RTMR3).  Each is internally consistent: its event log
 * replays to its RTMR0-3.
 */
enum { SIM_APP_A, SIM_APP_B, SIM_APP_ROLLED, SIM_NAPPS };

/*
 * Deployments of the Tinfoil-shaped enclave (registers only: MRTD is
 * pki->mrtd[0], RTMR0 that of SIM_APP_A, RTMR3 and MRCONFIGID zero):
 * SIM_TF_V1 SIM_APP_A's RTMR1/RTMR2 (sim/tinfoil); SIM_TF_V2 and
 * SIM_TF_ROGUE new RTMR1/RTMR2 (another kernel and initrd), V2 attested
 * by release v0.2.0 of tmon-sim/tinfoil-release, ROGUE by no release.
 */
enum { SIM_TF_V1, SIM_TF_V2, SIM_TF_ROGUE, SIM_NTF };

/*
 * The releases the TEST Sigstore signs (sim_sigstore.c): repository
 * "tmon-sim/<name>" and tag.
 */
enum {
	SIM_REL_TINFOIL,	/* tmon-sim/tinfoil v0.1.0: SIM_TF_V1 */
	SIM_REL_HARDWARE,	/* tmon-sim/hardware-measurements v0.1.0:
				   MRTD and RTMR0 (hardware-measurements/v1) */
	SIM_REL_ROLL_V1,	/* tmon-sim/tinfoil-release v0.1.0: SIM_TF_V1 */
	SIM_REL_ROLL_V2,	/* tmon-sim/tinfoil-release v0.2.0: SIM_TF_V2 */
	SIM_REL_UNATT_V1,	/* tmon-sim/tinfoil-unattested v0.1.0: V1 */
	SIM_NRELEASES
};
#define SIM_SG_LOG_SIZE	(5 + SIM_NRELEASES + 2)	/* leaves of the test log */

/* One signed release: what GitHub's three routes answer for it. */
struct sim_release {
	int		 index;		/* SIM_REL_* */
	const char	*repo;		/* "tmon-sim/..." */
	const char	*tag;
	int64_t		 integrated_time; /* Rekor integratedTime, unix s */
	uint64_t	 log_index;
	uint8_t		 digest[32];	/* SHA-256 of the deployment doc */
	char		 hash_text[66];	/* tinfoil.hash: hex and "\n" */
	char		*payload_b64, *sig_b64, *cert_b64, *body_b64;
	char		*attestations;	/* GitHub attestations API body */
	char		*release_json;	/* releases/latest body */
};

/* The TEST Sigstore (keys from fixed seeds, deterministic signatures). */
struct sim_sigstore {
	EVP_PKEY	*root_key, *inter_key, *ct_key, *rekor_key;
	X509		*root, *inter;
	uint8_t		 ct_log_id[32], rekor_log_id[32];
	uint8_t		 leaf[SIM_SG_LOG_SIZE][32];	/* leaf hashes */
	uint8_t		 root_hash[32];
	char		*checkpoint;	/* signed note of the whole log */
	char		*trusted_root;	/* TrustedRoot JSON text */
	struct sim_release rel[SIM_NRELEASES];
};

struct sim_app {
	char		*app_compose;
	uint8_t		 compose_hash[32];
	uint8_t		 instance_id[20];
	uint8_t		 rtmr[4][48];
	uint8_t		 mr_config_id[48];
	/* the event log as JSON array text: digests filled, and as NanoGPT
	 * serves it (imr 3 digests empty) */
	char		*event_log_full;
	char		*event_log_nanogpt;
	int		 key;		/* SIM_KEY_*: the instance's key */
};

struct sim_pki {
	int64_t		 start;		/* unix time of generation */

	/* Intel side (P-256) */
	EVP_PKEY	*intel_root_key, *pck_ca_key, *pck_leaf_key, *tcb_key;
	EVP_PKEY	*attest_key;	/* the quote's attestation key */
	X509		*intel_root, *pck_ca, *pck_leaf, *tcb_cert;
	uint8_t		 attest_pub[64];	/* x || y */
	char		*pck_chain_pem;		/* leaf, CA, root */
	char		*tcb_chain_hdr;		/* URL-encoded: TCB, root */
	char		*pck_crl_chain_hdr;	/* URL-encoded: PCK CA, root */
	uint8_t		*pck_crl_der, *root_crl_der;
	size_t		 pck_crl_der_len, root_crl_der_len;
	char		*pck_crl_pem;
	uint8_t		*intel_root_der;
	size_t		 intel_root_der_len;

	/* platform, as in the PCK leaf's SGX extension */
	uint8_t		 fmspc[6];
	uint8_t		 pceid[2];
	uint8_t		 sgx_svn[16];
	uint16_t	 pcesvn;
	uint8_t		 tee_tcb_svn[16];
	uint8_t		 qe_mrsigner[32];
	uint16_t	 qe_isvprodid, qe_isvsvn;

	/* the fixed part of every quote after the attestation signature:
	 * attestation key, certification data (QE report, its signature,
	 * auth data, PCK chain) */
	uint8_t		*quote_tail;
	size_t		 quote_tail_len;

	/* NVIDIA side (P-384) */
	EVP_PKEY	*nv_key[SIM_NV_CHAIN];
	X509		*nv_cert[SIM_NV_CHAIN];
	char		*gpu_chain_b64;		/* base64 of the PEM chain */
	uint8_t		 fwid[48];
	uint8_t		*nvidia_root_der;
	size_t		 nvidia_root_der_len;

	/* completion signing keys (secp256k1): [SIM_KEY_A] attested (the
	 * instance of SIM_APP_A), [SIM_KEY_WRONG], [SIM_KEY_B] the second
	 * replica's */
	secp256k1_context *secp;
	uint8_t		 sk[SIM_NKEYS][32];
	uint8_t		 pub[SIM_NKEYS][64];
	char		 address[SIM_NKEYS][43];	/* EIP-55 "0x..." */

	/* the dstack app: its deployments, and what they share */
	struct sim_app	 app[SIM_NAPPS];
	uint8_t		 app_id[20];
	uint8_t		 os_image_hash[32], mr_kms[32];
	uint8_t		 mrtd[2][48];	/* [1]: after a changed measurement */
	uint8_t		 mrseam[48];
	uint8_t		 user_data[20];
	uint8_t		 stale_nonce[32];
	char		*key_provider_info;
	char		*vm_config;

	/* collateral bodies (signed JSON text, exact bytes served) */
	char		*tcb_info_body;
	char		*qe_identity_body;

	/* the Tinfoil-shaped enclave (sim/tinfoil): its TLS key (P-384)
	 * with a self-signed TEST certificate (PEM), SHA-256 of that key's
	 * SubjectPublicKeyInfo DER (tls_key_fp), its X25519 HPKE public
	 * key */
	EVP_PKEY	*tf_tls_key;
	char		*tf_cert_pem;
	uint8_t		 tf_tls_key_fp[32];
	uint8_t		 tf_hpke_key[32];
	struct sim_app	 tf_deploy[SIM_NTF];	/* registers only */

	/* the TEST Sigstore and its releases */
	struct sim_sigstore sg;
};

/* One remembered completion (the signature endpoint's store). */
struct sim_chat {
	bool		 used;
	char		 id[48];
	char		 model[128];
	char		*text;			/* owned */
	char		 signature[136];	/* "0x" + 130 hex */
	char		 address[43];
	unsigned	 misses;		/* 404s answered so far */
};

struct sim_state {
	pthread_mutex_t	 lock;
	unsigned	 attestations[SIM_NMODES];	/* served per mode */
	int		 last_app[SIM_NMODES];	/* SIM_APP_* last served */
	uint64_t	 next_chat;
	struct sim_chat	 chats[MAX_SIM_CHATS];		/* ring */
	unsigned	 sig_misses;			/* --sig-misses */
	bool		 release_seen;	/* tinfoil-release v0.2.0 answered as
					   the latest release */
};

struct sim {
	struct sim_pki	 pki;
	struct sim_state st;
};

/* ---- sim_der.c ---- */

/* DER TLV with a definite minimal length; fatal if b overflows. */
void	der_put(struct buf *b, uint8_t tag, const void *p, size_t n);
/* A non-negative INTEGER (tag 0x02) or ENUMERATED (0x0a), minimal. */
void	der_put_uint(struct buf *b, uint8_t tag, unsigned long v);
/* An OBJECT IDENTIFIER from dotted text. */
void	der_put_oid(struct buf *b, const char *dotted);
/* Wrap the contents of inner as one TLV with tag into b; frees inner. */
void	der_wrap(struct buf *b, uint8_t tag, struct buf *inner);

/*
 * ECDSA over md(data) with key; the signature as raw r || s, each half
 * half bytes, into out (2 * half bytes).  Fatal on a library failure.
 */
void	sim_sign_raw(EVP_PKEY *key, const EVP_MD *md, const void *data,
	    size_t len, uint8_t *out, size_t half);

/* Lower-case hex of n bytes into a new string. */
char	*sim_hex(const uint8_t *p, size_t n);
/* Percent-encode everything but ALPHA DIGIT - _ . ~ (RFC 3986). */
char	*sim_urlencode(const char *s);
/* Base64 (no line breaks) of n bytes into a new string. */
char	*sim_b64(const uint8_t *p, size_t n);
/* "YYYY-MM-DDTHH:MM:SSZ" of t into out (>= 21 bytes). */
void	sim_rfc3339(int64_t t, char *out, size_t outsz);
/* SHA-384 of the concatenation of up to three pieces (b, c may be NULL). */
void	sim_sha384(const void *a, size_t alen, const void *b, size_t blen,
	    const void *c, size_t clen, uint8_t out[48]);
/* Fatal with the OpenSSL error queue when ok is false. */
void	sim_ossl_check(bool ok, const char *what);

/* ---- sim_pki.c ---- */

/* Generate the whole TEST PKI and the simulated platform into *pki. */
void	sim_pki_generate(struct sim_pki *pki);
/* Write intel_root.pem, nvidia_root.pem and README into dir. */
bool	sim_pki_write(const struct sim_pki *pki, const char *dir);
void	sim_pki_free(struct sim_pki *pki);

/* ---- sim_tdx.c ---- */

/* The dstack app and its measurements (called by sim_pki_generate). */
void	sim_tdx_app_init(struct sim_pki *pki);
/* The quote's fixed tail: QE report etc. (needs the PCK chain). */
void	sim_tdx_quote_tail_init(struct sim_pki *pki);
/* The collateral bodies (called by sim_pki_generate, keys ready). */
void	sim_tdx_collateral_init(struct sim_pki *pki);
/*
 * A quote of deployment pki->app[app_idx] whose REPORTDATA is its key's
 * address(20) || 12 zero bytes || nonce and whose MRTD is
 * pki->mrtd[mrtd_idx].  Returns a new buffer of *len bytes.
 */
uint8_t	*sim_tdx_quote(const struct sim_pki *pki, const uint8_t nonce[32],
	    int mrtd_idx, int app_idx, size_t *len);
/* The same with the 64 bytes of REPORTDATA given. */
uint8_t	*sim_tdx_quote_rd(const struct sim_pki *pki,
	    const uint8_t report_data[64], int mrtd_idx, int app_idx,
	    size_t *len);
/* The same with the registers (MRCONFIGID, RTMR0-3) of app. */
uint8_t	*sim_tdx_quote_app(const struct sim_pki *pki,
	    const uint8_t report_data[64], int mrtd_idx,
	    const struct sim_app *app, size_t *len);
/*
 * The attestation report body (dstack flat format, the shape of the
 * flavour) of deployment pki->app[app_idx] for nonce: a new
 * NUL-terminated string.
 */
char	*sim_tdx_report(const struct sim_pki *pki, enum sim_flavour fl,
	    const uint8_t nonce[32], int mrtd_idx, int app_idx);

/* ---- sim_gpu.c ---- */

/* The GPU's measurements and FWID (called by sim_pki_generate). */
void	sim_gpu_init(struct sim_pki *pki);
/* The nvidia_payload JSON text for nonce (new string). */
char	*sim_gpu_payload(const struct sim_pki *pki, const uint8_t nonce[32]);

/* ---- sim_tinfoil.c ---- */

/*
 * The Tinfoil attestation document, format
 * "https://tinfoil.sh/predicate/attestation/v3", cpu.platform "tdx", for
 * nonce: report_data {tls_key_fp, hpke_key, nonce} (hex), cpu.report the
 * base64 of a TDX quote of deployment pki->tf_deploy[deploy] whose
 * REPORTDATA is
 * SHA-256(tls_key_fp || hpke_key || nonce) || 32 zero bytes, a tmon_sim
 * notice, the TEST TLS certificate (PEM) and its key's signature (base64
 * DER ECDSA over SHA-256 of the document with "signature":"").  A new
 * NUL-terminated string.
 */
char	*sim_tinfoil_report(const struct sim_pki *pki,
	    const uint8_t nonce[32], int deploy);
/* The deployments' registers (called by sim_pki_generate). */
void	sim_tinfoil_init(struct sim_pki *pki);

/* ---- sim_sigstore.c ---- */

/* Build the TEST Sigstore and sign every release (pki's registers set). */
void	sim_sigstore_init(struct sim_sigstore *sg, const struct sim_pki *pki);
/* The release of repo with tag (NULL: the first of repo), or NULL. */
const struct sim_release *sim_sigstore_find(const struct sim_sigstore *sg,
	    const char *repo, const char *tag);
/*
 * Write trusted_root.json and, per release, <name>_<tag>.attestations.json
 * and <name>_<tag>.hash into dir (tests/data/sigstore-test/ holds them).
 */
bool	sim_sigstore_write(const struct sim_sigstore *sg, const char *dir);
void	sim_sigstore_free(struct sim_sigstore *sg);

/* ---- sim_chat.c ---- */

/*
 * Address (EIP-55, "0x" + 40 hex) of a 64-byte secp256k1 x || y into
 * out[43].
 */
void	sim_eth_address(const uint8_t pub[64], char out[43]);
/*
 * EIP-191 personal_sign of text with secret key sk: "0x" + r || s || v
 * (v = 27 or 28) in out[136].
 */
void	sim_eip191_sign(const struct sim_pki *pki, const uint8_t sk[32],
	    const char *text, char out[136]);

/*
 * Answer a chat completion request (the reqlen bytes of its body, as
 * received) that came in through flavour fl: on success (200) out holds
 * the exact bytes to send, *stream says whether they are an SSE stream,
 * and the signature is stored for the completion's id.  Otherwise the
 * HTTP status (400, 404) with why and the offending field (or NULL).
 */
int	sim_chat_complete(struct sim *sim, enum sim_flavour fl,
	    const uint8_t *req, size_t reqlen, struct buf *out, bool *stream,
	    char *why, size_t whysz, const char **field);
/*
 * The signature response for completion id (model: the query's model or
 * NULL): 200 with {"text","signature","signing_address","signing_algo"},
 * or 404 {"error":"Chat id not found or expired"} for an unknown id, a
 * model mismatch, the first --sig-misses requests of an id, and always
 * for sim/missing-signature.  *body is a new string.
 */
int	sim_chat_signature(struct sim *sim, const char *id, const char *model,
	    char **body);
void	sim_chat_free(struct sim *sim);

#endif /* TMON_CONTRIB_SIM_H */
