/*
 * gateway.h: decode the attestation reports that TEE inference gateways
 * serve into one normalised shape, without verifying anything.
 *
 * Formats (nearai/private-ml-sdk vllm-proxy, nearai/inference-proxy
 * src/types.rs, nearai/cloud-api, redpill-ai/redpill-gateway):
 *   GW_FORMAT_DSTACK        flat dstack / Phala vllm-proxy report
 *                           {signing_address, signing_algo, request_nonce,
 *                            intel_quote (hex), nvidia_payload (JSON text),
 *                            event_log, info, [all_attestations]}
 *                           (nearai/private-ml-sdk vllm-proxy quote.py)
 *   GW_FORMAT_NEAR_GATEWAY  NEAR cloud-api {gateway_attestation,
 *                           model_attestations[...]} (nearai/cloud-api)
 *   GW_FORMAT_CHUTES        {attestation_type:"chutes", nonce,
 *                           all_attestations[{instance_id, nonce,
 *                            e2e_pubkey, intel_quote (base64),
 *                            gpu_evidence[]}]}
 *                           (redpill-ai/redpill-gateway chutesService.ts)
 *   GW_FORMAT_TINFOIL       a Tinfoil attestation document
 *                           {format:"https://tinfoil.sh/predicate/...",
 *                            ...}: v2 (body: base64 of gzip) and v3
 *                           (report_data, cpu, gpu; gateway_tinfoil.h)
 *   GW_FORMAT_CHUTES_DIRECT the Chutes API's own {evidence[{instance_id,
 *                           quote (base64), gpu_evidence[]}],
 *                           failed_instance_ids} (gateway_chutes.h)
 * NanoGPT relays any of these and may add a top-level "nonce" echo.
 *
 * All input is untrusted: the body is read with tjson_load() (at most
 * MAX_BLOB_LEN bytes, nesting at most MAX_JSON_DEPTH, a repeated key is
 * an error), every field is type-checked (errors name its JSON path), and
 * hex/base64 sizes are bounded by MAX_QUOTE_LEN.  A report that cannot be decoded is an error with a
 * message; the caller turns that into a failed check.
 */
#ifndef TMON_VERIFY_GATEWAY_H
#define TMON_VERIFY_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "gateway_tinfoil.h"
#include "tmon_limits.h"

enum gw_format {
	GW_FORMAT_UNKNOWN = 0,
	GW_FORMAT_DSTACK,
	GW_FORMAT_NEAR_GATEWAY,
	GW_FORMAT_CHUTES,
	GW_FORMAT_TINFOIL,
	GW_FORMAT_CHUTES_DIRECT
};

enum gw_role {
	GW_ROLE_MODEL,		/* the inference server's TEE */
	GW_ROLE_GATEWAY,	/* the NEAR cloud-api gateway's TEE */
	GW_ROLE_INSTANCE,	/* one Chutes instance */
	GW_ROLE_COMPOSE_MANAGER	/* a NEAR AI model's compose manager
				   (gateway_near.h) */
};

enum gw_algo {
	GW_ALGO_NONE = 0,
	GW_ALGO_ECDSA,		/* secp256k1, 20-byte Ethereum address */
	GW_ALGO_ED25519		/* 32-byte public key */
};

/* One TEE's attestation inside a report.  Pointers borrow from root. */
struct gw_attestation {
	enum gw_role	 role;
	size_t		 index;		/* position in its array */
	json_t		*obj;		/* borrowed: the attestation object */

	uint8_t		*quote;		/* owned: decoded intel_quote */
	size_t		 quote_len;

	enum gw_algo	 algo;
	/* signing key as bound in REPORTDATA: 20-byte address or 32-byte
	 * Ed25519 key; key_len 0 if the report names none */
	uint8_t		 signing_key[32];
	size_t		 signing_key_len;
	char		 signing_address[80];	/* as served, "" if none */

	bool		 has_request_nonce;
	uint8_t		 request_nonce[32];

	bool		 has_tls_fingerprint;
	uint8_t		 tls_fingerprint[32];

	/* GPU evidence: nvidia_payload text, or a Chutes gpu_evidence
	 * array; both NULL when the TEE has no GPU evidence */
	const char	*nvidia_payload;
	size_t		 nvidia_payload_len;
	json_t		*gpu_evidence;

	/* Chutes: instance nonce text and e2e_pubkey text as served */
	const char	*chutes_nonce;
	const char	*chutes_e2e_pubkey;
	/* dstack info.compose_hash as served, NULL if none */
	const char	*compose_hash;
	/* NEAR AI compose manager: actions_hash and the actions array
	 * (borrowed) as served */
	bool		 has_actions_hash;
	uint8_t		 actions_hash[32];
	json_t		*actions;
	/* a Tinfoil document (gateway_tinfoil.h): quote is its hardware
	 * report, a TDX quote or a SEV-SNP report as tinfoil.platform
	 * says */
	bool		 is_tinfoil;
	struct gw_tinfoil tinfoil;
};

struct gw_report {
	enum gw_format		 format;
	json_t			*root;		/* owned */
	const char		*format_name;	/* static */
	/* top-level "nonce" (NanoGPT echo, Chutes gateway nonce) */
	bool			 has_echo_nonce;
	uint8_t			 echo_nonce[32];
	struct gw_attestation	 att[MAX_ATTESTATIONS];
	size_t			 n_att;
	size_t			 primary;	/* index in att of the model TEE */
};

/*
 * Decode len bytes of an attestation response into *rep.
 * On success the caller owns *rep and releases it with gw_report_free.
 * Errors (rep is left empty and needs no free):
 *   TMON_E_PARSE        not JSON, duplicate keys, a field of the wrong type
 *                       or bad hex/base64 (err names the field)
 *   TMON_E_LIMIT        more than MAX_ATTESTATIONS attestations, or a
 *                       quote over MAX_QUOTE_LEN
 *   TMON_E_UNSUPPORTED  the JSON matches no known format, or a Tinfoil
 *                       format or platform tmon does not verify
 * GW_FORMAT_TINFOIL has one attestation (gw_tinfoil_decode).
 */
enum tmon_rc	gw_report_decode(const uint8_t *body, size_t len,
		    struct gw_report *rep, struct tmon_err *err);

/* Free what gw_report_decode allocated; rep may be zeroed or NULL. */
void		gw_report_free(struct gw_report *rep);

/* "dstack", "near-gateway", "chutes", "tinfoil", "chutes-direct",
 * "unknown". */
const char	*gw_format_str(enum gw_format f);
/* "model", "gateway", "instance", "compose-manager". */
const char	*gw_role_str(enum gw_role r);

#endif /* TMON_VERIFY_GATEWAY_H */
