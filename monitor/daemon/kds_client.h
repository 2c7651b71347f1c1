/*
 * kds_client.h: AMD SEV-SNP collateral for tmond, fetched from the AMD Key
 * Distribution Service (KDS; the base URL is configurable, default
 * https://kdsintf.amd.com), kept per chip and TCB, logged, and reused by
 * every later probe of the same chip at the same TCB.
 *
 * AMD "Versioned Chip Endorsement Key (VCEK) Certificate and KDS Interface
 * Specification" (pub. 57230), chapter 4 (the KDS interface):
 *   GET {base}/vcek/v1/{product}/{hwid}?blSPL=B&teeSPL=T&snpSPL=S&ucodeSPL=U
 *        the VCEK of one chip at one TCB, DER
 *   GET {base}/vcek/v1/{product}/cert_chain
 *        the ASK then the ARK of the product, PEM
 * product is "Milan", "Genoa" or "Turin".  hwid is the report's CHIP_ID
 * in lowercase hex: all 64 bytes (Milan, Genoa), the first 8 (Turin).
 * The SPLs are the decimal components of the report's REPORTED_TCB
 * (snp_tcb_split, snp_verify.h); Turin adds fmcSPL.
 *
 * Per (product, CHIP_ID, REPORTED_TCB) one refresh fetches the VCEK, and
 * the product's cert_chain in the same refresh when none is cached yet.
 * Every non-empty body and response header block is stored as a blob
 * exactly as served, and one `collateral` entry (tee "sev-snp") records
 * the fetch: product, chip_id, reported_tcb, URLs, statuses, body
 * lengths, blob hashes, verdict and error, failed fetches included.  Its
 * verdict: "pass" when each document arrived (HTTP 200, a body of at most
 * max_body bytes) and is what was asked for (collateral_kind_detect: a
 * VCEK, or an ASK and ARK, of the product); "error" when a document could
 * not be had (transport failure, timeout, a status other than 200, an
 * empty or oversize body); "fail" otherwise.  The signatures are judged
 * by the probes that use it (snp.vcek_chain, snp.report.signature), not
 * here.  Only collateral that passed is cached and used.
 *
 * Runs on tmond's main thread (the fetch loop), appending through the
 * one writer (store/writer.h).
 */
#ifndef TMON_MONITOR_KDS_CLIENT_H
#define TMON_MONITOR_KDS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fetch.h"
#include "writer.h"

struct kds_client;

/* The documents of one fetch: the members of a `collateral` entry's
 * "documents" (store/entry.h), "vcek" and "cert_chain". */
#define KDS_NDOCS	2
#define KDS_DOC_VCEK	0
#define KDS_DOC_CHAIN	1

/* The VCEK URL is at most this long after the base URL. */
#define KDS_MAX_PATH	256

struct kds_client_cfg {
	const char	*base_url;	/* no trailing '/' */
	long		 timeout_ms;
	size_t		 max_body;
};

/*
 * The path and query of the VCEK of chip_id (64 bytes) at reported_tcb
 * for product ("Milan", "Genoa", "Turin") into out (outsz bytes, at least
 * KDS_MAX_PATH): "/vcek/v1/Genoa/<128 hex>?blSPL=10&teeSPL=0&snpSPL=23
 * &ucodeSPL=84" (above).  False for another product (KDS serves no
 * other) or a short out.
 */
bool	kds_vcek_path(const char *product, const uint8_t chip_id[64],
	    uint64_t reported_tcb, char *out, size_t outsz);

/*
 * What one fetch came to: for each document asked for (asked[i]) its
 * result res[i] (fetch.h).  "pass", "fail" or "error" as at the top of
 * this file, with the reason in why (whysz bytes) when not "pass".
 * Pure.
 */
const char *kds_judge(const struct fetch_result res[KDS_NDOCS],
	    const bool asked[KDS_NDOCS], const char *product, char *why,
	    size_t whysz);

/* A new, empty cache (strings copied).  Never NULL. */
struct kds_client *kds_client_new(const struct kds_client_cfg *cfg);
/* Free the cache and everything in it; NULL is a no-op. */
void	kds_client_free(struct kds_client *c);

/*
 * attest_ctx.amd_collateral with arg = the cache: the VCEK cached for
 * (product, chip_id, reported_tcb) and the product's cert_chain (NULL, 0
 * when none is cached).  False when no VCEK is cached.  The bytes stay
 * valid until the next kds_client_refresh completes.
 */
bool	kds_client_lookup(void *arg, const char *product,
	    const uint8_t chip_id[64], uint64_t reported_tcb,
	    const uint8_t **vcek, size_t *vcek_len,
	    const uint8_t **cert_chain, size_t *cert_chain_len);

/*
 * True when (product, chip_id, reported_tcb) needs a fetch at time now
 * (unix seconds): no VCEK or no cert_chain cached for it, no fetch for it
 * in flight, the product is one KDS serves, and the last attempt failed
 * more than 10 minutes ago (or there was none).  A VCEK does not change
 * for its chip and TCB: once cached it is not fetched again.
 */
bool	kds_client_wants(struct kds_client *c, const char *product,
	    const uint8_t chip_id[64], uint64_t reported_tcb, int64_t now);

/*
 * Start fetching the VCEK of (product, chip_id, reported_tcb), and the
 * product's cert_chain if none is cached, through f.  When the documents
 * are in (or failed) they are judged (kds_judge), the blobs and the
 * `collateral` entry are appended through w, what passed is cached, and
 * done(arg) is called exactly once.  Returns TMON_OK;
 * TMON_E_UNSUPPORTED for a product KDS does not serve, TMON_E_LIMIT when
 * the cache is full (MAX_COLLATERAL_SLOTS chips), TMON_E_INTERNAL when a
 * fetch for it is already in flight (done is not called then).
 */
enum tmon_rc kds_client_refresh(struct kds_client *c, struct fetch *f,
	    struct store_writer *w, const char *product,
	    const uint8_t chip_id[64], uint64_t reported_tcb, int64_t now,
	    void (*done)(void *), void *arg, struct tmon_err *err);

/* Fetches completed since kds_client_new (each appended one entry). */
unsigned	kds_client_fetches(const struct kds_client *c);

#endif /* TMON_MONITOR_KDS_CLIENT_H */
