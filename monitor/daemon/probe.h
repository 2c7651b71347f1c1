/*
 * probe.h: turn one finished upstream request into a `probe` log entry.
 *
 * Pure apart from memory: the caller supplies the fetch outcome, the raw
 * body bytes, our nonce and the time; probe_evaluate runs the one
 * verification path (attest_verify) and builds the body of the entry
 * (entry_probe_body, store/entry.h).
 */
#ifndef TMON_MONITOR_PROBE_H
#define TMON_MONITOR_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "attest.h"
#include "config.h"
#include "entry.h"
#include "err.h"

/* What the fetch produced (a plain copy of what fetch.h reports). */
struct probe_fetch {
	enum tmon_rc	 rc;		/* TMON_OK if an HTTP answer came back */
	long		 status;	/* HTTP status, 0 if none */
	const uint8_t	*body;		/* raw bytes, NULL if none kept */
	size_t		 body_len;
	int64_t		 duration_ms;
	const char	*error;		/* fetch error text, "" if none */
	/*
	 * The attestation fetch only: a request the provider needs before
	 * it (provider.instances_path, Chutes /e2e/instances), made at
	 * instances_url; NULL: none.  Its body goes to attest_verify_ctx
	 * as attest_ctx.chutes_instances when it answered HTTP 200.
	 */
	const struct probe_fetch *instances;
	const char	*instances_url;
	/*
	 * The attestation fetch over https: SHA-256 of the served leaf's
	 * SubjectPublicKeyInfo (fetch_result.has_tls_spki), and the served
	 * chain (DER certificates, leaf first; NULL: none kept).  The hash
	 * goes to attest_verify_ctx as attest_ctx.tls_spki_sha256 unless
	 * the provider relays (provider.relays); both go into the entry.
	 */
	bool		 has_tls_spki;
	uint8_t		 tls_spki_sha256[32];
	const uint8_t	*tls_chain;
	size_t		 tls_chain_len;
	/*
	 * The attestation fetch only: NVIDIA NRAS's answer for its GPU
	 * evidence (POST nras_url), NULL: NRAS not asked; and the NRAS JWKS
	 * it is checked with (NULL: none fetched).  An HTTP 200 answer goes
	 * to attest_verify_ctx as attest_ctx.nras_eat with the JWKS; one
	 * that did not come makes gpu.nras an error.
	 */
	const struct probe_fetch *nras;
	const char	*nras_url;
	const uint8_t	*nras_jwks;
	size_t		 nras_jwks_len;
	/*
	 * The attestation fetch only: the code provenance checks
	 * (provenance_client.h prov_client_check), called with arg and the
	 * probe's measurement (has_quote and has_snp_report false when none
	 * verified) to set provenance.release and provenance.measurement in
	 * the probe's check list; NULL: none set.
	 */
	void		(*provenance)(void *arg,
			    const struct attest_measurement *m,
			    struct checklist *cl);
	void		*provenance_arg;
};

/* The canary completion of a probe and its signature lookup. */
struct probe_canary {
	bool			 attempted;	/* false: canary disabled */
	bool			 stream;
	const char		*url;		/* completions endpoint */
	const uint8_t		*request;	/* exact bytes sent */
	size_t			 request_len;
	struct probe_fetch	 completion;	/* what came back */
	const char		*completion_id;	/* "" if none was found */
	bool			 sig_attempted;
	struct probe_fetch	 signature;	/* the last signature answer */
	unsigned		 sig_tries;	/* requests made */
};

struct probe_outcome {
	struct attest_result	 res;		/* checks, verdict, measurement */
	uint8_t			*entry;		/* owned canonical JSON body */
	size_t			 entry_len;
	uint8_t			 body_sha256[32];
	bool			 has_body;	/* body_sha256 is set */
	/* canary blobs: request always, response and signature if any */
	uint8_t			 canary_req_sha256[32];
	uint8_t			 canary_resp_sha256[32];
	bool			 has_canary_resp;
	uint8_t			 canary_sig_sha256[32];
	bool			 has_canary_sig;
	/* the instances answer of f->instances, when it has a body */
	uint8_t			 instances_sha256[32];
	bool			 has_instances;
	/* the served TLS chain of f (f->tls_chain), when one was kept */
	uint8_t			 tls_chain_sha256[32];
	bool			 has_tls_chain;
	/* f->nras's answer and the JWKS, when they have bytes */
	uint8_t			 nras_sha256[32];
	bool			 has_nras;
	uint8_t			 nras_jwks_sha256[32];
	bool			 has_nras_jwks;
};

/* sig.* checks for a canary (README "Checks") into cl, binding the
 * signer to attested_address (NULL: not known).  Exposed for tests. */
void	probe_check_canary(const struct probe_canary *cn,
	    const char *attested_address, struct checklist *cl);

/*
 * Verify and build the entry of one probe of model m, whose request went
 * to url (which never contains the API key) with nonce, started at unix
 * time `time` and verified at `now`.  Check "http.fetch" records the
 * transport: pass for HTTP 200, fail when the body exceeded its cap
 * (TMON_E_LIMIT: the upstream misbehaved), error for network failures,
 * timeouts, non-200 statuses and an empty body (we could not check; the
 * detail names the status and the empty body, and an empty body is no
 * blob: has_body, has_canary_resp and has_canary_sig are false for it,
 * since the store keeps 1 byte or more).  With HTTP 200 the
 * body goes through attest_verify_ctx with ctx (NULL: pinned roots, no
 * collateral, no policy).  With a canary (cn->attempted), the sig.* checks
 * follow (probe_check_canary) with the attested signing address, then
 * the provenance checks (f->provenance) and the verdict over all.  Fills
 * *out; the caller frees it with probe_outcome_free.
 */
void	probe_evaluate(const struct model_cfg *m, const char *url,
	    const uint8_t nonce[32], int64_t time, int64_t now,
	    const struct attest_ctx *ctx, const struct probe_fetch *f,
	    const struct probe_canary *cn, struct probe_outcome *out);

void	probe_outcome_free(struct probe_outcome *out);

/*
 * Build the request URL for model m and nonce into a new string (caller
 * frees): the attestation route of m's provider (provider.h), e.g.
 * NanoGPT "/api/v1/tee/attestation?model=<m>&nonce=<hex>", NEAR
 * "/v1/attestation/report?model=<m>&nonce=<hex>&signing_algo=ecdsa",
 * with the model id percent-encoded.  Returns NULL if it would exceed
 * MAX_URL.  With provider.attestation_suffix the model id is part of
 * the path instead: Chutes "/chutes/<chute>/evidence?nonce=<hex>".
 */
char	*probe_url(const struct model_cfg *m, const uint8_t nonce[32]);

/*
 * The URL of the request m's provider makes before each attestation
 * request (provider.instances_path + the percent-encoded model id, e.g.
 * Chutes "/e2e/instances/<chute>") in a new string (caller frees), or
 * NULL when the provider makes none or it would exceed MAX_URL.
 */
char	*probe_instances_url(const struct model_cfg *m);

#endif /* TMON_MONITOR_PROBE_H */
