/*
 * provider.h: the providers tmond can probe, one row each: the routes of
 * its attestation report, canary completion and completion signature
 * (README "Configuration: the schedule", models[].provider).
 *
 *   nanogpt   GET  /api/v1/tee/attestation?model=M&nonce=N
 *             POST /api/v1/chat/completions
 *             GET  /api/v1/tee/signature/ID?model=M&signing_algo=ecdsa
 *   near, phala, redpill
 *             GET  /v1/attestation/report?model=M&nonce=N&signing_algo=ecdsa
 *             POST /v1/chat/completions
 *             GET  /v1/signature/ID?model=M&signing_algo=ecdsa
 *   chutes   GET  /e2e/instances/M, then
 *             GET  /chutes/M/evidence?nonce=N
 *             (no canary: Chutes completions are end-to-end encrypted)
 * (as recorded in tests/data/replay; nearai/private-ml-sdk
 * vllm-proxy/src/app/api/v1/openai.py; for Chutes, M is the chute id
 * and the two answers are read together, gateway_chutes.h.)  M is the
 * model id and ID the
 * completion id, both percent-encoded (RFC 3986), N our fresh nonce as 64
 * lowercase hex digits.  Every route is appended to the model's base_url.
 *
 * The report's format (dstack, NEAR gateway, Chutes, Tinfoil; gateway.h)
 * is not a property of the provider: NanoGPT relays each of them,
 * depending on the model, so every answer is decoded by what it is
 * (gw_report_decode).
 */
#ifndef TMON_MONITOR_PROVIDER_H
#define TMON_MONITOR_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

struct provider {
	const char	*name;			/* models[].provider */
	/* GET path + "?model=M&nonce=N", then "&signing_algo=ecdsa" when
	 * attestation_ecdsa; with attestation_suffix (not NULL) instead
	 * path + M + suffix + "?nonce=N" */
	const char	*attestation_path;
	bool		 attestation_ecdsa;
	const char	*attestation_suffix;
	/* NULL, or GET path + M before every attestation request: its
	 * answer goes with the attestation (attest_ctx.chutes_instances) */
	const char	*instances_path;
	const char	*completion_path;	/* POST path; NULL: no canary */
	/* GET path + "/ID?model=M&signing_algo=ecdsa" */
	const char	*signature_path;
	/*
	 * The provider relays attestations of TEEs behind it (NanoGPT,
	 * RedPill's gateway): our TLS connection ends in the relay, so the
	 * served certificate is not the attested TEE's and tls.binding is
	 * not judged with it (tls_binding.h).
	 */
	bool		 relays;
};

/* The provider called name (exactly), or NULL when there is none. */
const struct provider	*provider_find(const char *name);

/*
 * The providers' names in table order, separated by ", ", into buf
 * (bufsz bytes, NUL-terminated, cut short when it does not fit): for
 * messages.
 */
void	provider_names(char *buf, size_t bufsz);

#endif /* TMON_MONITOR_PROVIDER_H */
