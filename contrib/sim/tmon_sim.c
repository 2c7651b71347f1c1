/*
 * tmon-sim: a SIMULATED TEE inference provider on loopback, for tests and
 * demos of the whole pass path with fresh nonces (README "The simulated
 * provider").
 *
 *	tmon-sim --listen 127.0.0.1:PORT --pki-dir DIR [--sig-misses K] [-v]
 *
 * At start it generates a TEST PKI with fresh keys (sim_pki.c), writes its
 * two trust anchors to DIR/intel_root.pem and DIR/nvidia_root.pem with a
 * README saying what they are, keeps every private key in memory only,
 * then prints "tmon-sim: listening on http://ADDR:PORT" on stdout (port 0:
 * the kernel picks one and the line names it).  Nothing it serves is
 * evidence of a real TEE: every response carries the header
 * "X-Tmon-Sim: SIMULATED provider, TEST PKI, not a real TEE", every
 * attestation a "tmon_sim" member saying so, every certificate "TEST" in
 * its subject, and tmond trusts the roots only when its schedule names
 * them (test_trust_anchors), and then marks every TDX/GPU check detail
 * "test PKI".
 *
 * Models are "sim/<mode>"; one sim serves every mode at once:
 *   sim/good                 everything verifies
 *   sim/wrong-key            completions are signed by a second secp256k1
 *                            key, not the attested one (the signature
 *                            response names that key's address):
 *                            sig.completion fails, the hashes pass
 *   sim/stale-nonce          the attestation is bound to a fixed old nonce
 *                            (request_nonce, REPORTDATA[32:64] and the GPU
 *                            SPDM nonce all equal it, internally
 *                            consistent): nonce.echo, tdx.reportdata and
 *                            gpu.nonce fail
 *   sim/changed-measurement  MRTD (quote and info.tcb_info.mrtd) changes
 *                            after the first attestation served for the
 *                            model: every check still passes, the
 *                            measurement-change alert fires (and
 *                            measurement.policy fails when the schedule
 *                            pins the first MRTD)
 *   sim/reserialised-stream  the response hash in the signed text is over
 *                            a re-serialised copy of the response (", " and
 *                            ": " separators), not the bytes sent:
 *                            sig.response_hash fails while sig.completion
 *                            and sig.request_hash pass
 *   sim/missing-signature    the signature endpoint always answers 404:
 *                            after its retries the client records
 *                            sig.completion as error (not fail)
 *   sim/replicas             two instances of one app behind the name,
 *                            attestations alternating A, B, A, ...: each
 *                            its own signing key, instance id and so
 *                            RTMR3, the same MRTD, RTMR0-2, compose and
 *                            app id; completions are signed by the key
 *                            of the instance that served the last
 *                            attestation.  Every check passes; tmond
 *                            logs one instance_added, no alert
 *   sim/rollout              the first SIM_ROLLOUT_AFTER (3)
 *                            attestations run the first compose, every
 *                            later one a new compose (another image) on
 *                            the same instance and key: a new compose
 *                            hash, MRCONFIGID and RTMR3, with an event
 *                            log that replays to them (tdx.event_log and
 *                            tdx.compose pass): one measurement-change
 *                            alert
 *   sim/flaky                as sim/good, but the completion that follows
 *                            every SIM_FLAKY_EVERY-th (4th) attestation is
 *                            signed by the wrong key (sim/wrong-key):
 *                            one failing probe in four, never two in a row
 *   sim/outage               as sim/good, but the completions that follow
 *                            the 2nd to the (1 + SIM_OUTAGE_LEN)-th (4th)
 *                            attestations are signed by the wrong key:
 *                            three failing probes, then it recovers
 *   sim/tinfoil              a Tinfoil-shaped v3 attestation document
 *                            (sim_tinfoil.c) instead of a dstack report:
 *                            cpu.platform "tdx", a TEST PKI quote whose
 *                            REPORTDATA is SHA-256(tls_key_fp ||
 *                            hpke_key || nonce) || 32 zero bytes for our
 *                            nonce, a TEST TLS certificate and signature;
 *                            no signing key and no GPU (schedule it with
 *                            "canary": false, as Tinfoil's completions are
 *                            end-to-end encrypted)
 *   sim/tinfoil-release      as sim/tinfoil for SIM_ROLLOUT_AFTER (3)
 *                            attestations, then SIM_TF_V2: new RTMR1 and
 *                            RTMR2 that release v0.2.0 of
 *                            tmon-sim/tinfoil-release attests; that
 *                            release is the latest once the first 3 have
 *                            been served, and the enclave rolls out to it
 *                            after releases/latest has answered it once
 *                            (published, then rolled out)
 *   sim/tinfoil-unattested   as sim/tinfoil for 3 attestations, then
 *                            SIM_TF_ROGUE: new RTMR1 and RTMR2 that no
 *                            release attests (the latest release of
 *                            tmon-sim/tinfoil-unattested stays v0.1.0)
 *
 * Routes (shapes of the real services: monitor/verify/gateway.h and sig.h,
 * Intel PCS v4 for the collateral):
 *   GET  /v1/attestation/report?model=M&nonce=HEX64[&signing_algo=ecdsa]
 *   GET  /api/v1/tee/attestation?model=M&nonce=HEX64      (NanoGPT shape)
 *        dstack flat report bound to the nonce: signing_address,
 *        signing_algo, request_nonce, intel_quote (TDX v4 TD10, REPORTDATA
 *        = address || 12 zero bytes || nonce), nvidia_payload (one GPU),
 *        info (tcb_info with app_compose and event_log), event_log
 *        (NanoGPT: a string whose imr 3 digests are empty), 
 *        signing_public_key, all_attestations, tmon_sim; for
 *        sim/tinfoil the Tinfoil v3 document instead
 *   GET  /.well-known/tinfoil-attestation?nonce=HEX64
 *        Tinfoil's own route: the sim/tinfoil document
 *   POST /v1/chat/completions, /api/v1/chat/completions
 *        OpenAI-style; id "chatcmpl-sim-<n>"; streaming as SSE
 *   GET  /v1/signature/ID?model=M&signing_algo=ecdsa
 *   GET  /api/v1/tee/signature/ID?model=M&signing_algo=ecdsa
 *        {"text","signature","signing_address","signing_algo"}; the first
 *        K requests (--sig-misses, default 1) of an id get 404
 *        {"error":"Chat id not found or expired"}
 *   GET  /tdx/certification/v4/tcb?fmspc=7e577e570000   TCB-Info-Issuer-Chain
 *   GET  /tdx/certification/v4/qe/identity  SGX-Enclave-Identity-Issuer-Chain
 *   GET  /sgx/certification/v4/pckcrl?ca=platform[&encoding=der]
 *                                           SGX-PCK-CRL-Issuer-Chain
 *   GET  /sgx/certification/v4/rootcacrl    Root CA CRL, hex text (PCCS)
 *   GET  /IntelSGXRootCA.der                Root CA CRL, DER (Intel's CDP)
 *   GET  /repos/tmon-sim/NAME/releases/latest       GitHub's release JSON
 *   GET  /tmon-sim/NAME/releases/download/TAG/tinfoil.hash
 *   GET  /repos/tmon-sim/NAME/attestations/sha256:HEX
 *        GitHub's shapes for the releases the TEST Sigstore signs
 *        (sim_sigstore.c); unknown ones answer GitHub's 404 JSON
 *
 * The TEST Sigstore's trusted root and every release's attestations body
 * and tinfoil.hash are written to DIR/sigstore/ at start;
 * `tmon-sim --write-sigstore DIR` writes them to DIR and exits.
 *
 * Robustness as tmon-replay: one thread per connection, a connection
 * limit, an idle timeout, a per-connection memory limit for the request
 * head, completion bodies capped at MAX_SIM_REQUEST_BODY (413 beyond),
 * loopback addresses only.  SIGTERM and SIGINT stop it cleanly.  Exit
 * status: 0 after a signal, 1 on a failure to start, 2 on a usage error.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "encode.h"
#include "log.h"
#include "sim.h"
#include "tjson.h"
#include "util.h"
#include "xmalloc.h"

#define NONCE_HEX_LEN	64
#define MAX_CHAT_ID	47

/* Per-connection state of a chat completion POST. */
struct conn_state {
	enum sim_flavour fl;
	struct buf	 upload;
	size_t		 seen;		/* body bytes received */
	bool		 too_big;
};

/* An SSE stream being sent, one event per chunk. */
struct stream {
	uint8_t	*data;
	size_t	 len;
};

static void
usage(void)
{
	fprintf(stderr, "usage: tmon-sim --listen 127.0.0.1:PORT --pki-dir "
	    "DIR [--sig-misses K] [-v]\n"
	    "       tmon-sim --write-sigstore DIR\n");
	exit(2);
}

/* ---- answering ----------------------------------------------------------- */

static enum MHD_Result
queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *resp,
    const char *ctype)
{
	enum MHD_Result ret;

	if (resp == NULL)
		return MHD_NO;
	if (MHD_add_response_header(resp, SIM_HEADER, SIM_HEADER_VALUE) !=
	    MHD_YES || (ctype != NULL && MHD_add_response_header(resp,
	    "Content-Type", ctype) != MHD_YES)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Send the NUL-terminated s and free it. */
static enum MHD_Result
send_owned(struct MHD_Connection *conn, unsigned status, char *s,
    const char *ctype)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(strlen(s), s,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(s);
		return MHD_NO;
	}
	return queue(conn, status, resp, ctype);
}

/* An OpenAI-style error {"error":{"message","type","param","code"}}. */
static enum MHD_Result
send_error(struct MHD_Connection *conn, unsigned status, const char *message,
    const char *param, const char *code)
{
	json_t *j = json_pack("{s:{s:s,s:s,s:s?,s:s?}}", "error", "message",
	    message, "type", status == 404 ? "not_found_error" :
	    "invalid_request_error", "param", param, "code", code);
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (s == NULL)
		return MHD_NO;
	return send_owned(conn, status, s, "application/json");
}

static enum MHD_Result
send_405(struct MHD_Connection *conn, const char *allow)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL,
	    MHD_RESPMEM_PERSISTENT);

	if (resp == NULL || MHD_add_response_header(resp,
	    MHD_HTTP_HEADER_ALLOW, allow) != MHD_YES) {
		if (resp != NULL)
			MHD_destroy_response(resp);
		return MHD_NO;
	}
	return queue(conn, 405, resp, NULL);
}

/* Intel PCS errors: no body, Error-Code and Error-Message headers. */
static enum MHD_Result
send_pcs_error(struct MHD_Connection *conn, unsigned status,
    const char *code, const char *message)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL,
	    MHD_RESPMEM_PERSISTENT);

	if (resp == NULL || MHD_add_response_header(resp, "Error-Code",
	    code) != MHD_YES || MHD_add_response_header(resp,
	    "Error-Message", message) != MHD_YES) {
		if (resp != NULL)
			MHD_destroy_response(resp);
		return MHD_NO;
	}
	return queue(conn, status, resp, NULL);
}

/* Intel PCS success: body plus an issuer chain header (or none). */
static enum MHD_Result
send_pcs(struct MHD_Connection *conn, const void *body, size_t len,
    const char *ctype, const char *chain_hdr, const char *chain)
{
	struct MHD_Response *resp;
	uint8_t rid[16];
	char rhex[33];

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	sim_ossl_check(RAND_bytes(rid, sizeof(rid)) == 1, "RAND_bytes");
	hex_encode(rid, sizeof(rid), rhex);
	if (MHD_add_response_header(resp, "Request-ID", rhex) != MHD_YES ||
	    (chain_hdr != NULL && MHD_add_response_header(resp, chain_hdr,
	    chain) != MHD_YES)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	return queue(conn, 200, resp, ctype);
}

static ssize_t
stream_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *s = cls;
	const uint8_t *p, *end;
	size_t n;

	if (pos >= s->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* one SSE event ("...\n\n") per call, as a streaming server would */
	p = s->data + pos;
	end = memmem(p, s->len - pos, "\n\n", 2);
	n = end != NULL ? (size_t)(end - p) + 2 : s->len - pos;
	if (n > max)
		n = max;
	memcpy(out, p, n);
	return (ssize_t)n;
}

static void
stream_free(void *cls)
{
	struct stream *s = cls;

	free(s->data);
	free(s);
}

/* ---- query strings ------------------------------------------------------- */

#define NQ	6
static const char *const qnames[NQ] = { "model", "nonce", "signing_algo",
    "fmspc", "ca", "encoding" };
enum { Q_MODEL, Q_NONCE, Q_ALGO, Q_FMSPC, Q_CA, Q_ENCODING };

struct query {
	const char	*v[NQ];
	unsigned	 n[NQ];
	bool		 bad;		/* a NUL byte in a key or value */
};

static enum MHD_Result
query_iter(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct query *q = cls;
	size_t i;

	(void)kind;
	if (strlen(key) != key_size ||
	    (value != NULL && strlen(value) != value_size)) {
		q->bad = true;
		return MHD_YES;
	}
	for (i = 0; i < NQ; i++)
		if (strcmp(key, qnames[i]) == 0) {
			q->v[i] = value != NULL ? value : "";
			q->n[i]++;
		}
	return MHD_YES;
}

/* Parse the query; false (an answer queued in *ret) if it is unusable. */
static bool
get_query(struct MHD_Connection *conn, struct query *q, enum MHD_Result *ret)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, query_iter,
	    q);
	if (q->bad) {
		*ret = send_error(conn, 400, "query parameter with a NUL byte",
		    NULL, NULL);
		return false;
	}
	for (i = 0; i < NQ; i++)
		if (q->n[i] > 1) {
			*ret = send_error(conn, 400, "query parameter given "
			    "more than once", qnames[i], NULL);
			return false;
		}
	return true;
}

/* ---- routes ---------------------------------------------------------------- */

/*
 * The deployment a Tinfoil-shaped mode serves as its n-th (from 0)
 * attestation; seen: release v0.2.0 of tmon-sim/tinfoil-release has been
 * answered as the latest release (sim/tinfoil-release rolls out only
 * then, as an operator rolls out a published release).
 */
static int
tinfoil_deploy(int mode, unsigned n, bool seen)
{
	if (mode == SIM_TINFOIL || n < SIM_ROLLOUT_AFTER)
		return SIM_TF_V1;
	if (mode == SIM_TINFOIL_RELEASE)
		return seen ? SIM_TF_V2 : SIM_TF_V1;
	return SIM_TF_ROGUE;
}

/* The Tinfoil document of mode for nonce (Tinfoil's route and the
 * relays'). */
static enum MHD_Result
send_tinfoil(struct MHD_Connection *conn, struct sim *sim, int mode,
    const uint8_t nonce[32], const char *nonce_hex)
{
	unsigned n;
	int deploy;
	char esc[64];

	pthread_mutex_lock(&sim->st.lock);
	n = sim->st.attestations[mode]++;
	deploy = tinfoil_deploy(mode, n, sim->st.release_seen);
	pthread_mutex_unlock(&sim->st.lock);
	if (log_verbosity() > 0)
		log_info("tmon-sim: SIMULATED Tinfoil attestation #%u for %s "
		    "(TEST PKI, nonce %s..., deployment %d)", n + 1,
		    sim_mode_names[mode], log_esc(esc, sizeof(esc), nonce_hex,
		    16), deploy);
	return send_owned(conn, 200, sim_tinfoil_report(&sim->pki, nonce,
	    deploy), "application/json");
}

/* ---- GitHub's routes (the TEST Sigstore's releases) ---------------------- */

/* GitHub's JSON error body. */
static enum MHD_Result
send_gh_404(struct MHD_Connection *conn)
{
	return send_owned(conn, 404, xstrdup("{\"message\":\"Not Found\","
	    "\"documentation_url\":\"https://docs.github.com/rest\","
	    "\"status\":\"404\"}"), "application/json; charset=utf-8");
}

/*
 * The latest release of repo: the only one of the repository, but for
 * tmon-sim/tinfoil-release v0.2.0 once sim/tinfoil-release has served
 * SIM_ROLLOUT_AFTER attestations (published before the roll-out), v0.1.0
 * before.  answer: this is GET /repos/{repo}/releases/latest answering
 * (the roll-out waits for v0.2.0 to have been answered once).
 */
static const struct sim_release *
latest_release(struct sim *sim, const char *repo, bool answer)
{
	bool v2;

	if (strcmp(repo, "tmon-sim/tinfoil-release") != 0)
		return sim_sigstore_find(&sim->pki.sg, repo, NULL);
	pthread_mutex_lock(&sim->st.lock);
	v2 = sim->st.attestations[SIM_TINFOIL_RELEASE] >= SIM_ROLLOUT_AFTER;
	if (v2 && answer)
		sim->st.release_seen = true;
	pthread_mutex_unlock(&sim->st.lock);
	return &sim->pki.sg.rel[v2 ? SIM_REL_ROLL_V2 : SIM_REL_ROLL_V1];
}

/* Whether release r is published (visible through its tag). */
static bool
published(struct sim *sim, const struct sim_release *r)
{
	return r->index != SIM_REL_ROLL_V2 ||
	    latest_release(sim, r->repo, false) == r;
}

/*
 * Copy the "owner/name" that starts p (each part [A-Za-z0-9._-], 1..100
 * characters) into out; the rest of the path after it in *rest.  False if
 * p does not start so.
 */
static bool
gh_repo(const char *p, char out[208], const char **rest)
{
	size_t i = 0, part = 0;
	int slashes = 0;

	for (; p[i] != '\0'; i++) {
		char c = p[i];

		if (c == '/') {
			if (part == 0 || ++slashes == 2)
				break;
			part = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-') || ++part > 100)
			return false;
	}
	if (slashes == 0 || part == 0 || i >= 207)
		return false;
	memcpy(out, p, i);
	out[i] = '\0';
	*rest = p + i;
	return true;
}

static enum MHD_Result
do_github(struct MHD_Connection *conn, struct sim *sim, const char *url)
{
	const struct sim_release *r = NULL;
	const char *rest;
	char repo[208], tag[64], esc[64];
	uint8_t digest[32];
	size_t tl;
	int i;

	if (strncmp(url, "/repos/", 7) == 0 && gh_repo(url + 7, repo, &rest)) {
		if (strcmp(rest, "/releases/latest") == 0) {
			if ((r = latest_release(sim, repo, true)) == NULL)
				return send_gh_404(conn);
			return send_owned(conn, 200, xstrdup(r->release_json),
			    "application/json; charset=utf-8");
		}
		if (strncmp(rest, "/attestations/sha256:", 21) == 0 &&
		    strlen(rest + 21) == 64 && hex_decode_exact(rest + 21, 64,
		    digest, 32, false)) {
			for (i = 0; i < SIM_NRELEASES; i++)
				if (strcmp(sim->pki.sg.rel[i].repo, repo) == 0 &&
				    memcmp(sim->pki.sg.rel[i].digest, digest,
				    32) == 0)
					r = &sim->pki.sg.rel[i];
			if (r == NULL)
				return send_gh_404(conn);
			if (log_verbosity() > 0)
				log_info("tmon-sim: SIMULATED attestation of "
				    "%s %s (TEST Sigstore)", r->repo, r->tag);
			return send_owned(conn, 200, xstrdup(r->attestations),
			    "application/json; charset=utf-8");
		}
		return send_gh_404(conn);
	}
	/* /{owner}/{repo}/releases/download/{tag}/tinfoil.hash */
	if (!gh_repo(url + 1, repo, &rest) ||
	    strncmp(rest, "/releases/download/", 19) != 0)
		return send_gh_404(conn);
	rest += 19;
	tl = strcspn(rest, "/");
	if (tl == 0 || tl >= sizeof(tag) ||
	    strcmp(rest + tl, "/tinfoil.hash") != 0)
		return send_gh_404(conn);
	memcpy(tag, rest, tl);
	tag[tl] = '\0';
	r = sim_sigstore_find(&sim->pki.sg, repo, tag);
	if (r == NULL || !published(sim, r))
		return send_gh_404(conn);
	if (log_verbosity() > 0)
		log_info("tmon-sim: SIMULATED tinfoil.hash of %s %s", r->repo,
		    log_esc(esc, sizeof(esc), tag, tl));
	return send_owned(conn, 200, xstrdup(r->hash_text),
	    "application/octet-stream");
}

/* The nonce query parameter as 32 bytes; false if it is not 64 hex. */
static bool
query_nonce(const struct query *q, uint8_t nonce[32])
{
	return q->v[Q_NONCE] != NULL && strlen(q->v[Q_NONCE]) ==
	    NONCE_HEX_LEN && hex_decode_exact(q->v[Q_NONCE], NONCE_HEX_LEN,
	    nonce, 32, false);
}

static enum MHD_Result
do_tinfoil(struct MHD_Connection *conn, struct sim *sim)
{
	struct query q;
	enum MHD_Result ret;
	uint8_t nonce[32];

	if (!get_query(conn, &q, &ret))
		return ret;
	if (!query_nonce(&q, nonce))
		return send_error(conn, 400, "nonce must be given once, as 64 "
		    "hex digits (32 bytes)", "nonce", "invalid_nonce");
	return send_tinfoil(conn, sim, SIM_TINFOIL, nonce, q.v[Q_NONCE]);
}

static enum MHD_Result
do_attestation(struct MHD_Connection *conn, struct sim *sim,
    enum sim_flavour fl)
{
	struct query q;
	enum MHD_Result ret;
	uint8_t nonce[32];
	int mode, mrtd_idx = 0, app_idx = SIM_APP_A;
	unsigned n;
	char esc[64];

	if (!get_query(conn, &q, &ret))
		return ret;
	if (!query_nonce(&q, nonce))
		return send_error(conn, 400, "nonce must be given once, as 64 "
		    "hex digits (32 bytes)", "nonce", "invalid_nonce");
	if (q.v[Q_ALGO] != NULL && strcmp(q.v[Q_ALGO], "ecdsa") != 0)
		return send_error(conn, 400, "signing_algo: tmon-sim signs "
		    "with ecdsa only", "signing_algo", NULL);
	if (q.v[Q_MODEL] == NULL || *q.v[Q_MODEL] == '\0')
		return send_error(conn, 400, "model must be given once",
		    "model", "missing_required_parameter");
	if ((mode = sim_mode_of(q.v[Q_MODEL])) < 0)
		return send_error(conn, 404, "model not found: tmon-sim serves "
		    "sim/<mode> only", "model", "model_not_found");
	if (mode == SIM_TINFOIL || mode == SIM_TINFOIL_RELEASE ||
	    mode == SIM_TINFOIL_UNATTESTED)
		return send_tinfoil(conn, sim, mode, nonce, q.v[Q_NONCE]);

	pthread_mutex_lock(&sim->st.lock);
	n = sim->st.attestations[mode]++;
	if (mode == SIM_REPLICAS && n % 2 == 1)
		app_idx = SIM_APP_B;
	else if (mode == SIM_ROLLOUT && n >= SIM_ROLLOUT_AFTER)
		app_idx = SIM_APP_ROLLED;
	sim->st.last_app[mode] = app_idx;
	pthread_mutex_unlock(&sim->st.lock);
	if (mode == SIM_CHANGED_MEASUREMENT && n > 0)
		mrtd_idx = 1;
	if (mode == SIM_STALE_NONCE)
		memcpy(nonce, sim->pki.stale_nonce, 32);
	if (log_verbosity() > 0)
		log_info("tmon-sim: SIMULATED attestation #%u for %s (TEST "
		    "PKI, nonce %s..., MRTD %d, deployment %d)", n + 1,
		    sim_mode_names[mode], log_esc(esc, sizeof(esc),
		    q.v[Q_NONCE], 16), mrtd_idx + 1, app_idx);
	return send_owned(conn, 200, sim_tdx_report(&sim->pki, fl, nonce,
	    mrtd_idx, app_idx), "application/json");
}

static bool
valid_chat_id(const char *id)
{
	size_t n = strlen(id), i;

	if (n == 0 || n > MAX_CHAT_ID)
		return false;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '-' ||
		    id[i] == '_' || id[i] == '.'))
			return false;
	return true;
}

static enum MHD_Result
do_signature(struct MHD_Connection *conn, struct sim *sim, const char *id)
{
	struct query q;
	enum MHD_Result ret;
	char *body, esc[64];
	int status;

	if (!get_query(conn, &q, &ret))
		return ret;
	if (q.v[Q_ALGO] != NULL && strcmp(q.v[Q_ALGO], "ecdsa") != 0)
		return send_error(conn, 400, "signing_algo: tmon-sim signs "
		    "with ecdsa only", "signing_algo", NULL);
	status = valid_chat_id(id) ? sim_chat_signature(sim, id, q.v[Q_MODEL],
	    &body) : sim_chat_signature(sim, "", NULL, &body);
	if (log_verbosity() > 0)
		log_info("tmon-sim: SIMULATED signature %s: %d", log_esc(esc,
		    sizeof(esc), id, strlen(id)), status);
	return send_owned(conn, (unsigned)status, body, "application/json");
}

static enum MHD_Result
do_pcs(struct MHD_Connection *conn, struct sim *sim, const char *path)
{
	const struct sim_pki *pki = &sim->pki;
	struct query q;
	enum MHD_Result ret;
	uint8_t fmspc[6];
	char *hex;

	if (!get_query(conn, &q, &ret))
		return ret;
	if (strcmp(path, "/tdx/certification/v4/tcb") == 0) {
		if (q.v[Q_FMSPC] == NULL || strlen(q.v[Q_FMSPC]) != 12 ||
		    !hex_decode_exact(q.v[Q_FMSPC], 12, fmspc, 6, false))
			return send_pcs_error(conn, 400, "InvalidParameter",
			    "fmspc must be 12 hex digits");
		if (CRYPTO_memcmp(fmspc, pki->fmspc, 6) != 0)
			return send_pcs_error(conn, 404, "NotFound",
			    "no TCB info for this FMSPC (tmon-sim TEST PKI)");
		return send_pcs(conn, pki->tcb_info_body,
		    strlen(pki->tcb_info_body), "application/json",
		    "TCB-Info-Issuer-Chain", pki->tcb_chain_hdr);
	}
	if (strcmp(path, "/tdx/certification/v4/qe/identity") == 0)
		return send_pcs(conn, pki->qe_identity_body,
		    strlen(pki->qe_identity_body), "application/json",
		    "SGX-Enclave-Identity-Issuer-Chain", pki->tcb_chain_hdr);
	if (strcmp(path, "/sgx/certification/v4/pckcrl") == 0) {
		if (q.v[Q_CA] == NULL || (strcmp(q.v[Q_CA], "platform") != 0 &&
		    strcmp(q.v[Q_CA], "processor") != 0))
			return send_pcs_error(conn, 400, "InvalidParameter",
			    "ca must be platform or processor");
		if (strcmp(q.v[Q_CA], "processor") == 0)
			return send_pcs_error(conn, 404, "NotFound",
			    "the tmon-sim TEST PKI has no PCK Processor CA");
		if (q.v[Q_ENCODING] != NULL &&
		    strcmp(q.v[Q_ENCODING], "der") == 0)
			return send_pcs(conn, pki->pck_crl_der,
			    pki->pck_crl_der_len, "application/pkix-crl",
			    "SGX-PCK-CRL-Issuer-Chain", pki->pck_crl_chain_hdr);
		if (q.v[Q_ENCODING] != NULL &&
		    strcmp(q.v[Q_ENCODING], "pem") != 0)
			return send_pcs_error(conn, 400, "InvalidParameter",
			    "encoding must be der or pem");
		return send_pcs(conn, pki->pck_crl_pem,
		    strlen(pki->pck_crl_pem), "application/x-pem-file",
		    "SGX-PCK-CRL-Issuer-Chain", pki->pck_crl_chain_hdr);
	}
	if (strcmp(path, "/sgx/certification/v4/rootcacrl") == 0) {
		hex = sim_hex(pki->root_crl_der, pki->root_crl_der_len);
		ret = send_pcs(conn, hex, strlen(hex), "application/x-pem-file",
		    NULL, NULL);
		free(hex);
		return ret;
	}
	/* /IntelSGXRootCA.der */
	return send_pcs(conn, pki->root_crl_der, pki->root_crl_der_len,
	    "binary/octet-stream", NULL, NULL);
}

static const char *const pcs_paths[] = {
	"/tdx/certification/v4/tcb", "/tdx/certification/v4/qe/identity",
	"/sgx/certification/v4/pckcrl", "/sgx/certification/v4/rootcacrl",
	"/IntelSGXRootCA.der"
};

static enum MHD_Result
do_completion(struct MHD_Connection *conn, struct sim *sim,
    struct conn_state *st)
{
	struct buf out;
	struct stream *s;
	struct MHD_Response *resp;
	const char *field;
	char why[128];
	bool stream;
	int status;

	if (st->too_big)
		return send_error(conn, 413, "request body too large", NULL,
		    NULL);
	buf_init(&out, MAX_SIM_BUILD);
	status = sim_chat_complete(sim, st->fl, st->upload.data != NULL ?
	    st->upload.data : (const uint8_t *)"", st->upload.len, &out,
	    &stream, why, sizeof(why), &field);
	if (status != 200) {
		buf_free(&out);
		return send_error(conn, (unsigned)status, why, field,
		    status == 404 ? "model_not_found" : NULL);
	}
	if (!stream) {
		resp = MHD_create_response_from_buffer(out.len, out.data,
		    MHD_RESPMEM_MUST_FREE);
		if (resp == NULL) {
			buf_free(&out);
			return MHD_NO;
		}
		return queue(conn, 200, resp, "application/json");
	}
	s = xcalloc(1, sizeof(*s));
	s->data = buf_release(&out, &s->len);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024,
	    stream_reader, s, stream_free);
	if (resp == NULL) {
		stream_free(s);
		return MHD_NO;
	}
	if (MHD_add_response_header(resp, "Cache-Control", "no-cache") !=
	    MHD_YES) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	return queue(conn, 200, resp, "text/event-stream");
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct sim *sim = cls;
	struct conn_state *st = *con_cls;
	const char *cl, *id = NULL;
	bool get, post;
	uint64_t clen;
	size_t i;
	char esc[128];

	(void)version;
	if (st != NULL) {
		/* A completion POST: collect the body, then answer. */
		if (*upload_size > 0) {
			st->seen += *upload_size;
			if (!st->too_big && !buf_append(&st->upload, upload,
			    *upload_size))
				st->too_big = true;
			*upload_size = 0;
			/* past four times the cap, stop listening */
			return st->seen > 4 * (size_t)MAX_SIM_REQUEST_BODY ?
			    MHD_NO : MHD_YES;
		}
		return do_completion(conn, sim, st);
	}
	if (log_verbosity() > 0)
		log_info("tmon-sim: %s %s", method, log_esc(esc, sizeof(esc),
		    url, strlen(url)));
	get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;

	if (strcmp(url, "/v1/chat/completions") == 0 ||
	    strcmp(url, "/api/v1/chat/completions") == 0) {
		if (!post)
			return send_405(conn, "POST");
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && (!parse_u64(cl, 0, UINT64_MAX, &clen) ||
		    clen > MAX_SIM_REQUEST_BODY))
			return send_error(conn, 413, "request body too large",
			    NULL, NULL);
		st = xcalloc(1, sizeof(*st));
		st->fl = url[1] == 'a' ? SIM_FLAVOUR_NANOGPT :
		    SIM_FLAVOUR_DIRECT;
		buf_init(&st->upload, MAX_SIM_REQUEST_BODY);
		*con_cls = st;
		return MHD_YES;
	}
	if (strcmp(url, "/v1/attestation/report") == 0 ||
	    strcmp(url, "/api/v1/tee/attestation") == 0) {
		if (!get)
			return send_405(conn, "GET, HEAD");
		return do_attestation(conn, sim, url[1] == 'a' ?
		    SIM_FLAVOUR_NANOGPT : SIM_FLAVOUR_DIRECT);
	}
	if (strcmp(url, "/.well-known/tinfoil-attestation") == 0) {
		if (!get)
			return send_405(conn, "GET, HEAD");
		return do_tinfoil(conn, sim);
	}
	if (strncmp(url, "/v1/signature/", 14) == 0)
		id = url + 14;
	else if (strncmp(url, "/api/v1/tee/signature/", 22) == 0)
		id = url + 22;
	if (id != NULL) {
		if (!get)
			return send_405(conn, "GET, HEAD");
		return do_signature(conn, sim, id);
	}
	for (i = 0; i < sizeof(pcs_paths) / sizeof(pcs_paths[0]); i++)
		if (strcmp(url, pcs_paths[i]) == 0) {
			if (!get)
				return send_405(conn, "GET, HEAD");
			return do_pcs(conn, sim, url);
		}
	if (strncmp(url, "/repos/tmon-sim/", 16) == 0 ||
	    strncmp(url, "/tmon-sim/", 10) == 0) {
		if (!get)
			return send_405(conn, "GET, HEAD");
		return do_github(conn, sim, url);
	}
	return send_error(conn, 404, "no such route", NULL, NULL);
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn_state *st = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (st != NULL) {
		buf_free(&st->upload);
		free(st);
		*con_cls = NULL;
	}
}

/* ---- main ------------------------------------------------------------------ */

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "pki-dir", required_argument, NULL, 'p' },
		{ "sig-misses", required_argument, NULL, 'm' },
		{ "write-sigstore", required_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sim *sim;
	struct sockaddr_in sin;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	const char *listen_s = NULL, *dir = NULL, *sg_dir = NULL;
	char addr[INET_ADDRSTRLEN], sg_path[4096];
	sigset_t set;
	uint64_t u;
	unsigned misses = 1;
	int ch, sig, verbose = 0, status = 1;

	tjson_init();
	while ((ch = getopt_long(argc, argv, "l:p:m:w:vh", opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'w':
			sg_dir = optarg;
			break;
		case 'l':
			listen_s = optarg;
			break;
		case 'p':
			dir = optarg;
			break;
		case 'm':
			if (!parse_u64(optarg, 0, MAX_SIM_SIG_MISSES, &u))
				usage();
			misses = (unsigned)u;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (sg_dir != NULL && optind == argc && listen_s == NULL &&
	    dir == NULL) {
		log_init(verbose);
		sim = xcalloc(1, sizeof(*sim));
		sim_pki_generate(&sim->pki);
		status = sim_sigstore_write(&sim->pki.sg, sg_dir) ? 0 : 1;
		sim_pki_free(&sim->pki);
		free(sim);
		return status;
	}
	if (optind != argc || listen_s == NULL || dir == NULL || sg_dir != NULL)
		usage();
	if (!parse_loopback_listen(listen_s, &sin)) {
		fprintf(stderr, "tmon-sim: --listen wants 127.x.y.z:PORT\n");
		return 2;
	}
	log_init(verbose);
	fprintf(stderr, "tmon-sim: SIMULATED provider: every attestation, "
	    "completion signature and collateral it serves is signed by a "
	    "TEST PKI generated now; none of it is evidence of a real TEE\n");

	sim = xcalloc(1, sizeof(*sim));
	if (pthread_mutex_init(&sim->st.lock, NULL) != 0)
		fatalx("pthread_mutex_init failed");
	sim->st.sig_misses = misses;
	sim_pki_generate(&sim->pki);
	snprintf(sg_path, sizeof(sg_path), "%s/sigstore", dir);
	if (!sim_pki_write(&sim->pki, dir) ||
	    !sim_sigstore_write(&sim->pki.sg, sg_path))
		goto out;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		fatalx("pthread_sigmask failed");
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    (verbose > 1 ? MHD_USE_ERROR_LOG : 0), 0, NULL, NULL, access_cb, sim,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_SIM_CONNS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SIM_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SIM_CONN_MEMORY,
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		log_warnx("tmon-sim: cannot listen on %s", listen_s);
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0) {
		log_warnx("tmon-sim: cannot learn the bound port");
		goto out;
	}
	inet_ntop(AF_INET, &sin.sin_addr, addr, sizeof(addr));
	printf("tmon-sim: listening on http://%s:%u\n", addr,
	    (unsigned)info->port);
	fflush(stdout);
	log_info("tmon-sim: TEST PKI trust anchors in %s; signing address "
	    "%s (wrong-key: %s)", dir, sim->pki.address[0],
	    sim->pki.address[1]);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			fatalx("sigwait failed");
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	log_info("tmon-sim: signal %d, stopping", sig);
	status = 0;
out:
	if (d != NULL)
		MHD_stop_daemon(d);
	sim_chat_free(sim);
	sim_pki_free(&sim->pki);
	pthread_mutex_destroy(&sim->st.lock);
	free(sim);
	return status;
}
