/*
 * config.h: the schedule file (README "Configuration: the schedule").
 *
 * JSON, read with tjson_load() (a repeated key is an error, nesting at
 * most MAX_JSON_DEPTH) and validated strictly: an unknown key, a wrong
 * type or an out-of-range value is an error that names the file, line
 * and column and the JSON path
 * ("schedules/x.json:4:7: models[0].intervall: unknown key"); a syntax
 * error names the innermost object or array it is in, and a value that
 * defaults from another key (name from model) names that key.  Only
 * "models" is required.  A loaded config is immutable.
 * Every URL is checked by fetch_url_check() (fetch.h): http(s), a host,
 * port 1..65535, RFC 3986 characters only, no userinfo, no fragment; the
 * base URLs (FETCH_URL_BASE) also no query and at most MAX_BASE_URL bytes.
 *
 * Top level:
 *   models           array (required; may be empty: archive-only mode)
 *   max_concurrent   integer 1..64, default 4: probes in flight at once
 *   max_body_bytes   integer 1024..MAX_BLOB_LEN (16 MiB: every body is
 *                    archived as one store blob), default 8 MiB: cap on
 *                    every upstream body, enforced while receiving
 * Per model:
 *   provider         a provider of provider.h: "nanogpt" | "near" |
 *                    "phala" | "redpill" (required)
 *   model            model id as the provider names it (required)
 *   name             the id tmon shows and logs it under, unique in the
 *                    schedule (default: model); lets one schedule watch
 *                    the same model id behind two base URLs
 *   base_url         http(s) URL, optionally with a path prefix (required;
 *                    a trailing '/' is dropped)
 *   api_key_env      name of the environment variable holding the API key
 *                    (optional; the key is never logged or stored)
 *   interval_s       seconds between probes, 1..86400, default 300
 *   jitter_s         random extra delay 0..jitter_s before each probe,
 *                    default interval_s / 10
 *   timeout_s        whole-request timeout, 1..600, default 60
 *   policy           measurement allow-lists (verify/policy.h):
 *                    {"mrtd": [96 hex], "rtmr0": [...], "rtmr1": [...],
 *                     "rtmr2": [...], "compose_hash": [64 hex],
 *                     "os_image_hash": [64 hex]}; absent: unpinned
 *   provenance       code provenance (provenance_client.h, README "Code
 *                    provenance"): {"repo": "OWNER/NAME" (required; GitHub
 *                    spelling: owner 1..39 of [A-Za-z0-9-], name 1..100 of
 *                    [A-Za-z0-9._-], not "." or ".."), "workflow": fnmatch
 *                    pattern of the signing workflow's path (default: any
 *                    workflow of the repository), "ref": fnmatch pattern of
 *                    the source ref (default SIGSTORE_DEFAULT_REF:
 *                    any tag), "issuer": the OIDC issuer
 *                    (default SIGSTORE_GITHUB_ISSUER, GitHub Actions),
 *                    "digest_asset": the release asset holding the
 *                    digest (default "tinfoil.hash"), "hardware_repo":
 *                    "OWNER/NAME" of the hardware-measurements/v1
 *                    releases a TDX enclave's MRTD and RTMR0 are checked
 *                    against (optional; e.g. tinfoilsh/hardware-
 *                    measurements)}; patterns and the
 *                    issuer 1..MAX_PROV_PATTERN-1 printable ASCII bytes.
 *                    Absent: provenance.* checks are skip
 *   canary           the canary completion sent with every probe, or
 *                    false to send none: {"prompt": text (default "Reply
 *                    with the single word: ok"), "max_tokens": 1..4096
 *                    (default 8), "stream": true | false | "alternate"
 *                    (default), "signature_retries": 0..20 (default 6),
 *                    "signature_backoff_ms": 10..60000 (default 500,
 *                    doubled after every retry)}
 * Top level, optional:
 *   pcs              Intel collateral source: {"base_url": URL (default
 *                    https://api.trustedservices.intel.com; a PCCS works
 *                    too), "root_ca_crl_url": URL (default https://
 *                    certificates.trustedservices.intel.com/IntelSGXRootCA.der)},
 *                    or false to fetch no collateral (tdx.tcb is then an
 *                    error: "no collateral")
 *   nras             NVIDIA's Remote Attestation Service for gpu.nras:
 *                    {"base_url": URL} (e.g. https://nras.attestation.
 *                    nvidia.com); the GPU evidence of every probe is
 *                    posted to base_url/v3/attest/gpu with our nonce, and
 *                    NRAS's keys are read from base_url/.well-known/
 *                    jwks.json.  Absent: none (gpu.nras is skip)
 *   kds              AMD SEV-SNP collateral source (kds_client.h):
 *                    {"base_url": URL (default https://kdsintf.amd.com)},
 *                    or false to fetch no VCEK (snp.report.signature is
 *                    then an error: "no collateral")
 *   test_trust_anchors  {"intel_root_ca": FILE, "nvidia_root_ca": FILE}
 *                    (PEM or DER): trust a TEST PKI instead of the pinned
 *                    Intel and NVIDIA roots, for the simulated provider
 *                    only.  Every check detail then says "test PKI".
 *   http             the API server's limits against slow and many
 *                    clients (api.h): {"max_connections": 1..4096
 *                    (default 256), "max_connections_per_address":
 *                    1..max_connections (default 128, at most
 *                    max_connections), "request_deadline_s": 1..3600
 *                    (default 30: a request's headers and body must be in
 *                    by then), "idle_timeout_s": 1..3600 (default 15)}
 *   receipts         who may submit receipts (POST /api/v1/receipts) and
 *                    how many: {"token_env": NAME (optional: the
 *                    environment variable holding the bearer token every
 *                    submission must carry, 16..MAX_BEARER_TOKEN
 *                    characters of RFC 6750 b64token; never logged or
 *                    stored), "per_client": QUOTA, "global": QUOTA}, QUOTA
 *                    being {"count": 1..10^9, "bytes": MAX_RECEIPT_BODY..
 *                    2^40, "window_s": 1..86400} (quota.h); defaults: per
 *                    client 60 receipts and 8 MiB per 60 s, global 600
 *                    receipts and 64 MiB per 60 s
 *   log              the verifiable log (README "The log"): {"origin":
 *                    the checkpoints' origin line, a schema-less URL-like
 *                    key name (default "<listen host>:<port>/tmon", see
 *                    config_log_origin), "key_file": the log's Ed25519
 *                    signing key (default "<db>.key"; created mode 0600
 *                    with the log, never logged), "checkpoint_file": the
 *                    latest signed checkpoint, kept outside the database
 *                    to detect a rolled-back log (default
 *                    "<db>.checkpoint"), "checkpoint_interval_s": 1..3600
 *                    (default 2: at most one checkpoint per interval),
 *                    "witnesses": up to MAX_WITNESSES of {"name": the
 *                    witness's key name, "url": its submission prefix
 *                    (http or https, add-checkpoint is appended), "key":
 *                    its verifier key (C2SP tlog-cosignature Ed25519,
 *                    type 0x04, or a note key, 0x01)}}
 *   reference_values up to MAX_REFERENCE_SETS sets of measurements a
 *                    provider publishes (README "What counts as a
 *                    change"): {"name": 1..MAX_REFERENCE_NAME-1 printable
 *                    characters, unique, not "policy" (required),
 *                    "source": URL where they are published (optional,
 *                    shown only), "models": [names of the schedule]
 *                    (absent: every model), and the lists of "policy"}.
 *                    A measurement change whose every changed identity
 *                    value is in a set (or the model's policy) is
 *                    classed upgrade_endorsed, not unexplained.
 *   github           {"api_url": URL (default https://api.github.com),
 *                    "download_url": URL (default https://github.com)}:
 *                    base URLs of the release look-ups (a test server
 *                    such as tmon-replay or tmon-sim stands in)
 *   provenance       {"trusted_root": FILE (default: the installed
 *                    share/tmon/trust/sigstore-trusted-root.json; read at
 *                    start when a model has "provenance", never fetched),
 *                    "recheck_s": 60..86400 (default 900): how often the
 *                    latest release is looked up again}
 *   alerts           webhook delivery of alerts (notify.h, README
 *                    "Alerts"): {"dashboard_url": URL (links in bodies),
 *                    "webhooks": up to MAX_WEBHOOKS of {"name": 1..64 of
 *                    [A-Za-z0-9_.-], unique, "url": URL, "format": "json"
 *                    (default) | "slack" | "ntfy", "headers": {NAME:
 *                    VALUE} (at most MAX_WEBHOOK_HEADERS; an RFC 9110
 *                    token and printable ASCII; not Content-Type,
 *                    Content-Length, Host, Transfer-Encoding, Expect,
 *                    Authorization), "token_env": NAME (sent as
 *                    "Authorization: Bearer"), "failure_threshold":
 *                    1..100 (default 3), "success_threshold": 1..100
 *                    (default 2), "send_on_resolved": bool (default
 *                    true), "minimum_reminder_interval_s": 0..604800
 *                    (default 0: no reminder), "models": [names of
 *                    models[]] (absent: all), "reasons": [alert reasons]
 *                    (absent: all), "retries": 0..10 (default 3),
 *                    "timeout_s": 1..60 (default 10)}, "maintenance": up
 *                    to MAX_MAINTENANCE of {"name" (as a webhook's),
 *                    "start": "HH:MM" local, "duration_s": 60..604800,
 *                    "days": ["mon".."sun"] (absent: every day),
 *                    "timezone": "UTC" (default) or an IANA zone of the
 *                    system database (tz.h), "models": [names] (absent:
 *                    all)}}
 */
#ifndef TMON_MONITOR_CONFIG_H
#define TMON_MONITOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "policy.h"
#include "provider.h"
#include "quota.h"

struct tz;

enum canary_stream {
	CANARY_STREAM_NO,
	CANARY_STREAM_YES,
	CANARY_STREAM_ALTERNATE		/* non-streaming first, then switch */
};

struct canary_cfg {
	bool			 enabled;
	char			*prompt;
	uint32_t		 max_tokens;
	enum canary_stream	 stream;
	uint32_t		 signature_retries;
	uint32_t		 signature_backoff_ms;
};

/*
 * "provenance": where a model's releases are published and who must have
 * signed them (provenance_client.h, sigstore.h struct sigstore_policy).
 */
struct provenance_cfg {
	bool		 enabled;
	char		*repo;		/* "OWNER/NAME" */
	char		*workflow;	/* fnmatch pattern; NULL: any */
	char		*ref;		/* fnmatch pattern */
	char		*issuer;	/* the OIDC issuer */
	char		*digest_asset;	/* the release asset holding the
					   digest */
	char		*hardware_repo;	/* "OWNER/NAME"; NULL: none */
};

struct model_cfg {
	char		*provider;
	const struct provider *prov;	/* the provider's row (provider.h) */
	char		*model;
	char		*name;		/* unique; defaults to model */
	char		*base_url;	/* without a trailing '/' */
	char		*api_key_env;	/* NULL if none */
	uint32_t	 interval_s;
	uint32_t	 jitter_s;
	uint32_t	 timeout_s;
	struct measurement_policy policy;	/* lists point into policy_mem */
	bool		 has_policy;
	uint8_t		*policy_mem;
	struct canary_cfg canary;
	struct provenance_cfg provenance;	/* enabled false: none */
};

/* "http": the API server's connection limits (api_config). */
struct http_cfg {
	uint32_t		 max_connections;
	uint32_t		 max_per_address;
	uint32_t		 request_deadline_s;
	uint32_t		 idle_timeout_s;
};

/* "log": one witness (C2SP tlog-witness). */
struct witness_cfg {
	char			*name;
	char			*url;		/* submission prefix, no '/' */
	char			*key;		/* verifier key text */
};

struct log_cfg {
	char			*origin;	/* NULL: config_log_origin */
	char			*key_file;	/* NULL: "<db>.key" */
	char			*checkpoint_file; /* NULL: "<db>.checkpoint" */
	uint32_t		 checkpoint_interval_s;
	struct witness_cfg	*witnesses;
	size_t			 n_witnesses;
};

/* "reference_values": one set of published measurements. */
struct refval_cfg {
	char			*name;
	char			*source;	/* NULL: none */
	char			**models;	/* n_models == 0: every model */
	size_t			 n_models;
	struct measurement_policy values;	/* lists point into mem */
	uint8_t			*mem;
};

/* "alerts": one webhook (notify.h). */
enum webhook_format {
	WEBHOOK_JSON,
	WEBHOOK_SLACK,
	WEBHOOK_NTFY
};

struct webhook_cfg {
	char			*name;
	char			*url;
	enum webhook_format	 format;
	char			**headers;	/* "Name: value" lines */
	size_t			 n_headers;
	char			*token_env;	/* NULL: none */
	uint32_t		 failure_threshold;
	uint32_t		 success_threshold;
	bool			 send_on_resolved;
	uint32_t		 reminder_s;	/* 0: no reminder */
	char			**models;	/* NULL: every model */
	size_t			 n_models;
	char			**reasons;	/* NULL: every reason */
	size_t			 n_reasons;
	uint32_t		 retries;
	uint32_t		 timeout_s;
};

/* "alerts": one maintenance window. */
struct maint_cfg {
	char			*name;
	uint32_t		 start_s;	/* after local midnight */
	uint32_t		 duration_s;
	uint8_t			 days;		/* bit 0 Sunday .. 6 Saturday */
	char			*timezone;
	struct tz		*tz;		/* loaded (tz.h) */
	char			**models;	/* NULL: every model */
	size_t			 n_models;
};

struct alerts_cfg {
	char			*dashboard_url;	/* NULL: no links; no '/' at
						   the end */
	struct webhook_cfg	*webhooks;
	size_t			 n_webhooks;
	struct maint_cfg	*maint;
	size_t			 n_maint;
};

struct config {
	struct model_cfg	*models;
	size_t			 n_models;
	uint32_t		 max_concurrent;
	size_t			 max_body_bytes;
	/* Intel PCS / PCCS; NULL when "pcs": false */
	char			*pcs_base_url;
	char			*pcs_root_ca_crl_url;
	/* NVIDIA NRAS base URL (no trailing '/'); NULL: none configured */
	char			*nras_base_url;
	/* AMD KDS (kds_client.h); NULL when "kds": false */
	char			*kds_base_url;
	/* test trust anchors (DER), NULL unless test_trust_anchors is set */
	uint8_t			*test_intel_root_der;
	size_t			 test_intel_root_der_len;
	uint8_t			*test_nvidia_root_der;
	size_t			 test_nvidia_root_der_len;
	struct http_cfg		 http;
	/* receipts: token variable (NULL: none) and quotas */
	char			*receipts_token_env;
	struct quota_limit	 receipts_per_client;
	struct quota_limit	 receipts_global;
	struct log_cfg		 log;
	struct refval_cfg	*refvals;
	size_t			 n_refvals;
	struct alerts_cfg	 alerts;
	/* GitHub (provenance_client.h): the REST API and the release
	 * download base URLs, no trailing '/' */
	char			*github_api_url;
	char			*github_download_url;
	/* "provenance": the trusted root file (NULL: the installed one,
	 * daemon_opts.sigstore_root_path) and the re-check interval */
	char			*provenance_trusted_root;
	uint32_t		 provenance_recheck_s;
};

/*
 * Load and validate the schedule at path.  On success the caller owns
 * *out (free with config_free).  The schedule and the trust anchor files
 * are read with read_file() (util.h): regular files only, so a FIFO fails
 * at once.  Errors: TMON_E_IO (cannot read, or not a regular file),
 * TMON_E_LIMIT (file over 1 MiB), TMON_E_CONFIG (syntax or validation,
 * with "path:line:column: json.path: problem" in err->msg).
 */
enum tmon_rc	config_load(const char *path, struct config **out,
		    struct tmon_err *err);

/* As config_load, from len bytes of text; name is used in messages. */
enum tmon_rc	config_parse(const char *text, size_t len, const char *name,
		    struct config **out, struct tmon_err *err);

/* Free a config; NULL is a no-op. */
void		config_free(struct config *cfg);

#endif /* TMON_MONITOR_CONFIG_H */
