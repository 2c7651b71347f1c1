/*
 * tmon_limits.h: every bound tmon places on untrusted input, in one place.
 *
 * A network value never reaches malloc, memcpy or a loop bound without
 * first being checked against one of these.
 */
#ifndef TMON_CORE_LIMITS_H
#define TMON_CORE_LIMITS_H

/* HTTP bodies from upstream (attestation reports reach ~530 KiB). */
#define MAX_UPSTREAM_BODY	(8u * 1024 * 1024)
/* A TDX quote: header + TD15 body + signature data + PEM chain. */
#define MAX_QUOTE_LEN		(64u * 1024)
/* PEM certificate chain inside a quote or in GPU evidence. */
#define MAX_PEM_CHAIN_LEN	(32u * 1024)
/*
 * Certificates in one PEM chain (monitor/verify/x509.c): the longest
 * chain served is NVIDIA's device chain, 5; MAX_GPU_CERTS <= this.
 */
#define MAX_X509_CHAIN		8
/* One SPDM GET_MEASUREMENTS request + response. */
#define MAX_SPDM_LEN		(64u * 1024)
/* GPUs in one nvidia_payload / gpu_evidence list. */
#define MAX_GPUS		16
/* Attestations in one response (all_attestations, model_attestations). */
#define MAX_ATTESTATIONS	16
/* Events in one event log. */
#define MAX_EVENTS		1024
/* Checks in one check list. */
#define MAX_CHECKS		48
/* Length of a check detail line, including the NUL. */
#define MAX_CHECK_DETAIL	256
/* Length of a check id, including the NUL. */
#define MAX_CHECK_ID		32
/* Models in one schedule. */
#define MAX_MODELS		256
/* Sets of published reference values (config "reference_values"), and
 * the length of a set's name with its NUL. */
#define MAX_REFERENCE_SETS	64
#define MAX_REFERENCE_NAME	64
/* Witnesses a log sends its checkpoints to (config "log.witnesses"). */
#define MAX_WITNESSES		16
/* Length of a model id. */
#define MAX_MODEL_ID		128
/* Length of a URL. */
#define MAX_URL			2048
/*
 * Length of a configured base URL (models[].base_url, pcs.base_url): the
 * rest of MAX_URL holds the path and query tmon appends (at most ~810
 * bytes: a signature path with a completion id and a model id, both
 * percent-encoded).
 */
#define MAX_BASE_URL		1024
/* JSON nesting accepted from the network (jansson allows 2048). */
#define MAX_JSON_DEPTH		64
/* A JSON path named in a message ("models[0].policy.mrtd[2]"), NUL included. */
#define MAX_JSON_PATH		160

/* store/: one entry body (canonical JSON bytes) in the log: an entry of a
 * C2SP tlog-tiles entry bundle has a big-endian uint16 length prefix. */
#define MAX_ENTRY_BODY		65535u
/* store/: one signed checkpoint note as stored (the log's signature). */
#define MAX_CHECKPOINT_NOTE	16384
/* tlog/: one signature line as stored ("— name base64\n"). */
#define MAX_NOTE_SIG_LINE	1024
/* store/: one content-addressed blob (a raw upstream body). */
#define MAX_BLOB_LEN		(16u * 1024 * 1024)
/* store/: a blob's media type, including the NUL. */
#define MAX_MEDIA_TYPE		128
/* store/: entries, and blobs, in one store_append transaction. */
#define MAX_APPEND_ENTRIES	256
#define MAX_APPEND_BLOBS	64
/* store/: requests waiting for the writer thread (writer.h), and the
   bytes of blobs and bodies it commits in one transaction. */
#define MAX_WRITER_QUEUE	1024
#define MAX_WRITER_BATCH_BYTES	(64u * 1024 * 1024)
/* store/: idle read-only handles one pool keeps (pool.h). */
#define MAX_STORE_POOL		4096
/* api/: items in one page of a list (the default page is 50). */
#define MAX_API_PAGE		500
/* api/: entry body bytes rendered into one list answer before it is cut. */
#define MAX_API_PAGE_BYTES	(8u * 1024 * 1024)
/* api/: one rendered answer kept in the render cache (api.h). */
#define MAX_API_CACHE_BODY	(1024u * 1024)
/* api/: query arguments in one request. */
#define MAX_API_QUERY_ARGS	16
/* api/: concurrent connections: the most the schedule's
   "http.max_connections" may allow (api.h has the defaults). */
#define MAX_API_CONNECTIONS	4096
/* api/: libmicrohttpd memory pool per connection (request line, headers). */
#define MAX_API_CONN_MEMORY	(64u * 1024)
/* api/: one dashboard file, and the length of its name (with the NUL). */
#define MAX_DASHBOARD_FILE	(2u * 1024 * 1024)
#define MAX_DASHBOARD_NAME	64

/*
 * GPU evidence (monitor/verify/nvspdm.c, gpu_verify.c).  Measurement blocks
 * in one SPDM MEASUREMENTS response (NumberOfBlocks is a u8); OpaqueLength
 * (DSP0274 1.1.0, MEASUREMENTS: "shall be <= 1024"); certificates read
 * from one GPU chain (NVIDIA's chains have exactly 5); nvidia_payload text.
 */
#define MAX_SPDM_BLOCKS		255
#define MAX_SPDM_OPAQUE_LEN	1024
#define MAX_GPU_CERTS		8
#define MAX_GPU_PAYLOAD_LEN	(2u * 1024 * 1024)

/*
 * NRAS (monitor/verify/nras.h): an answer as served (8 GPUs: 7.5 KiB), a
 * JWKS as served (36 keys with x5c: 90 KiB), its keys, and one decoded
 * JWT header or claims set (a GPU's claims: 1.5 KiB).
 */
#define MAX_NRAS_ANSWER		(256u * 1024)
#define MAX_NRAS_JWKS		(1024u * 1024)
#define MAX_NRAS_KEYS		256
#define MAX_JWT_PART		(32u * 1024)

/*
 * fetch/ (monitor/fetch/fetch.c): a request body we POST (canary prompts,
 * receipts); a bearer token (API key) from the config; transfers in
 * flight in one struct fetch.
 */
#define MAX_FETCH_REQUEST_BODY	(1024u * 1024)
#define MAX_BEARER_TOKEN	1024
#define MAX_FETCH_INFLIGHT	256

/* api/: probe entries one history request reads before it pages. */
#define MAX_API_HISTORY_SCAN	2000
/* api/: entries one list answer with since= or until= walks (api.h). */
#define MAX_API_TIME_SCAN	100000

/*
 * core/metrics.c: families and series in the process-wide registry
 * (each model has a few series: 256 models fit), the label text of one
 * series with its NUL (two escaped MAX_MODEL_ID values and a short third
 * label), and the rendered GET /metrics text.
 */
#define MAX_METRIC_FAMILIES	128
#define MAX_METRIC_SERIES	4096
#define MAX_METRIC_LABELS	640
#define MAX_METRICS_TEXT	(16u * 1024 * 1024)

/* Response header block kept by fetch (Intel PCS issuer chains ~4 KiB). */
#define MAX_FETCH_HEADERS	(64u * 1024)

/*
 * Completion signatures (monitor/verify/sig.h): a signature endpoint
 * answer; its "text" ("[model:]<64 hex>:<64 hex>", so MAX_MODEL_ID + 130
 * with room to spare); the signature hex (0x + 65 bytes ECDSA, 64 bytes
 * Ed25519); signing_address (0x + 40 hex, or 64 hex for Ed25519);
 * signing_algo and signature_kind names.
 */
#define MAX_SIG_RESPONSE	(64u * 1024)
#define MAX_SIG_TEXT		1024
#define MAX_SIG_HEX		256
#define MAX_SIG_ADDRESS		128
#define MAX_SIG_NAME		32

/*
 * TDX event log and app_compose (monitor/verify/tdx_eventlog.c).  Name
 * and decoded payload of one event (real dstack logs: names <= 16 bytes,
 * payloads <= 204 bytes; CCEL firmware events carry EFI variable data of
 * a few KiB); an event log served as a JSON string (real: <= 8 KiB);
 * info.tcb_info served as a JSON string; the app_compose text (real:
 * <= 30 KiB).
 */
#define MAX_EVENT_NAME		256
#define MAX_EVENT_PAYLOAD	(64u * 1024)
#define MAX_EVENT_LOG_TEXT	(1024u * 1024)
#define MAX_TCB_INFO_TEXT	(2u * 1024 * 1024)
#define MAX_APP_COMPOSE		(1024u * 1024)

/*
 * Intel DCAP collateral (monitor/verify/tdx_collateral.c, tdx_tcb.c).
 * One collateral document (a PCS TCB Info / QE Identity body, or a whole
 * dcap-qvl JSON file; real: <= 20 KiB); one CRL in DER (real PCK
 * Platform CRL: 3.3 KiB) and the revoked entries read from it; TCB levels
 * in one TCB Info (real: <= 12), TDX module identities (real: 1-2) and
 * the levels of one identity; advisory ids in one level (real: <= 30)
 * and the length of one id with its NUL ("INTEL-SA-01313"); advisory ids
 * in one TCB result; verified PCK chains kept in memory (one per
 * platform seen; tdx_verify.c); a certificate serial number (RFC 5280
 * 4.1.2.2: at most 20 octets).
 */
#define MAX_COLLATERAL_JSON	(1024u * 1024)
/* A collateral file of any kind (collateral_kind.h): the largest of
 * MAX_COLLATERAL_JSON, MAX_NRAS_JWKS and MAX_PEM_CHAIN_LEN. */
#define MAX_COLLATERAL_FILE	(1024u * 1024)
#define MAX_CRL_LEN		(4u * 1024 * 1024)
#define MAX_CRL_ENTRIES		100000
#define MAX_TCB_LEVELS		128
#define MAX_TDX_MODULE_IDS	16
#define MAX_ADVISORY_IDS	128
#define MAX_ADVISORY_ID_LEN	32
#define MAX_TCB_RESULT_ADVISORIES 256
#define MAX_PCK_CACHE		256
#define MAX_X509_SERIAL_LEN	32

/*
 * Receipts (POST /api/v1/receipts; api/api.c, monitor/receipt.c).  One
 * submitted body (a signature triple with base64 request and response
 * bytes, or a NanoGPT Private Mode receipt); one string of a Private Mode
 * receipt; measurement registers in one receipt measurement; top-level
 * members of a receipt scanned for an embedded verification document.
 * Receipts waiting to be committed are bounded by MAX_WRITER_QUEUE.
 */
#define MAX_RECEIPT_BODY	(2u * 1024 * 1024)
#define MAX_RECEIPT_FIELD	1024
#define MAX_RECEIPT_REGISTERS	8
#define MAX_RECEIPT_MEMBERS	64
/* Events in one ACI receipt's event_log; receipt signing keys in one ACI
 * workload keyset (aci_receipt.h). */
#define MAX_ACI_EVENTS		64
#define MAX_ACI_KEYS		16
/* Clients whose receipt quota windows are remembered (quota.h). */
#define MAX_QUOTA_CLIENTS	1024

/* (FMSPC, PCK CA) pairs whose collateral tmond keeps. */
#define MAX_COLLATERAL_SLOTS	64

/* Threads of tmonctl audit -j (a plain number: its help prints it). */
#define MAX_AUDIT_THREADS	256

/*
 * Measurement identity (store/entry.c, README "What counts as a change").
 * Advisory ids kept in one probe's measurement (real: <= 30); bytes of a
 * dstack system event value kept (app-id, instance-id: 20; key-provider:
 * a short JSON text); instances of one model remembered (the replicas
 * behind one name; least recently seen dropped first); the window: an
 * instance not seen in the model's last MAX_STATE_PROBES probes that
 * carry a measurement is forgotten; probe entries read back (newest
 * first) to rebuild a model's state at tmond's start and for the API;
 * fields one change names.
 */
#define MAX_MEAS_ADVISORIES	64
#define MAX_MEAS_EVENT_VALUE	256
#define MAX_INSTANCES		16
#define MAX_STATE_PROBES	64
#define MAX_STATE_SCAN		256
#define MAX_CHANGED_FIELDS	32

/*
 * Signed notes and the C2SP formats around the log (tlog/note.h).  A key
 * name (a log origin, a witness name) in bytes; the decoded type and key
 * of a key text (an ML-DSA-44 key has 1 + 1312 bytes: read, then
 * refused as unsupported); a whole signed note;
 * signature lines in one note (C2SP signed-note: "MUST accept at least
 * up to 16"; Go's golang.org/x/mod/sumdb/note stops at 100); the decoded
 * extra data of a tlog-proof, and a whole proof (a note, at most 64 hash
 * lines, the extra line); a witness add-checkpoint answer (200: signature
 * lines, at most MAX_WITNESS_SIGS; 409: a decimal size).
 */
#define MAX_NOTE_NAME		255
#define MAX_NOTE_KEY_BYTES	4096
#define MAX_NOTE_LEN		(256u * 1024)
#define MAX_NOTE_SIGS		100
#define MAX_TLOG_PROOF_EXTRA	(16u * 1024)
#define MAX_TLOG_PROOF_LEN	(MAX_NOTE_LEN + 64u * 1024)
#define MAX_WITNESS_RESPONSE	(64u * 1024)
#define MAX_WITNESS_SIGS	16

/*
 * Alert delivery (monitor/daemon/notify.h): webhooks and maintenance
 * windows in a schedule, extra headers of one webhook, probes and
 * alerts waiting for the delivery thread, and the largest body sent.
 */
#define MAX_WEBHOOKS		16
#define MAX_MAINTENANCE		32
#define MAX_WEBHOOK_HEADERS	16
#define MAX_NOTIFY_QUEUE	256
#define MAX_NOTIFY_BODY		(64u * 1024)

/*
 * Code provenance (monitor/verify/provenance.h): hardware platforms in one
 * hardware-measurements predicate; a platform name, release tag or image
 * version with its NUL; a GitHub repository "owner/name" with its NUL
 * (GitHub: owner at most 39, name at most 100 characters); verified
 * releases held for one model.
 */
#define MAX_PROV_PLATFORMS	64
#define MAX_PROV_NAME		64
#define MAX_PROV_REPO		144
#define MAX_PROV_RELEASES	16
/* A provenance file (provenance.h prov_file_parse): the releases'
 * attestations API bodies and the hardware release's, in one object. */
#define MAX_PROV_FILE		(4u * 1024 * 1024)

/*
 * Sigstore bundles (monitor/verify/sigstore.h): one bundle as JSON text;
 * a GitHub attestations API body (several bundles); a decoded DSSE
 * payload (an in-toto statement); one DER certificate or RFC 3161
 * TimeStampResponse of a bundle; tlog entries and RFC 3161 timestamps
 * per bundle; subjects of one statement; one Fulcio extension's text.
 */
#define MAX_SIGSTORE_BUNDLE	(2u * 1024 * 1024)
#define MAX_SIGSTORE_API_BODY	(8u * 1024 * 1024)
#define MAX_DSSE_PAYLOAD	(1024u * 1024)
#define MAX_SIGSTORE_CERT_DER	(16u * 1024)
#define MAX_SIGSTORE_TST_DER	(16u * 1024)
#define MAX_SIGSTORE_TLOG	8
#define MAX_SIGSTORE_TIMESTAMPS	8
#define MAX_SIGSTORE_ATTESTATIONS	32
#define MAX_INTOTO_SUBJECTS	1024
#define MAX_FULCIO_EXT		1024

/*
 * Sigstore (monitor/verify/sigstore_root.h): a trusted root
 * file; logs (tlogs or ctlogs) and authorities (certificateAuthorities or
 * timestampAuthorities) in it; a URL and a name or keyDetails text; a DER
 * public key; one DER certificate.
 */
#define MAX_SIGSTORE_ROOT_LEN	(1024u * 1024)
#define MAX_SIGSTORE_LOGS	32
#define MAX_SIGSTORE_CAS	32
#define MAX_SIGSTORE_URL	256
#define MAX_SIGSTORE_NAME	128
#define MAX_SIGSTORE_KEY_LEN	2048
#define MAX_SIGSTORE_CERT_LEN	(16u * 1024)
/* A Rekor entry's kind or version text; its canonicalizedBody. */
#define MAX_REKOR_KIND		32
#define MAX_REKOR_BODY		(256u * 1024)

/*
 * Code provenance look-ups (monitor/daemon/provenance_client.h): a
 * model's "provenance" patterns and issuer with their NUL; the bodies
 * read: GitHub's latest release and the digest asset (the attestations
 * answer is bounded by MAX_SIGSTORE_API_BODY).
 */
#define MAX_PROV_PATTERN	256
#define MAX_GITHUB_RELEASE	(1024u * 1024)
#define MAX_DIGEST_ASSET	1024

#endif /* TMON_CORE_LIMITS_H */
