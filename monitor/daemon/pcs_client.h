/*
 * pcs_client.h: Intel DCAP collateral for tmond, fetched from Intel PCS v4
 * (or any PCCS: the base URL is configurable), kept per (FMSPC, PCK CA),
 * logged, reused until its nextUpdate and refreshed before it
 * (Intel "SGX and TDX PCS API" v4).
 *
 * Per (FMSPC, CA) one refresh fetches four documents concurrently:
 *   GET {base}/tdx/certification/v4/tcb?fmspc=<12 hex>      TCB-Info-Issuer-Chain
 *   GET {base}/tdx/certification/v4/qe/identity             SGX-Enclave-Identity-Issuer-Chain
 *   GET {base}/sgx/certification/v4/pckcrl?ca=<ca>&encoding=der  SGX-PCK-CRL-Issuer-Chain
 *   GET {root_ca_crl_url}      (Intel: certificates.trustedservices.intel.com
 *                               /IntelSGXRootCA.der; a PCCS may serve hex)
 * Every non-empty body and response header block is stored as a blob
 * exactly as served, and one `collateral` entry records the fetch (the
 * FMSPC and CA asked for, URLs, statuses, body lengths, blob hashes,
 * issueDate, nextUpdate, verdict and error), failed fetches included.
 * Its verdict: "pass" when the four documents arrived, the collateral was
 * built by tdx_collateral_from_pcs(), every signature and chain verified
 * and the TCB Info and PCK CRL are for the FMSPC and CA asked for;
 * "error" when a document could not be had (transport failure, timeout,
 * a status other than 200, an empty or oversize body); "fail" otherwise
 * (malformed, unverified or mismatched collateral).  Only collateral
 * that passed is cached and used.
 *
 * Runs on tmond's main thread (the fetch loop), appending through the
 * one writer (store/writer.h).
 */
#ifndef TMON_MONITOR_PCS_CLIENT_H
#define TMON_MONITOR_PCS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fetch.h"
#include "writer.h"

struct entry_coll_doc;
struct store_blob_in;

struct tdx_collateral;
struct pcs_client;

/* The documents of one fetch, in this order: the members of a
 * `collateral` entry's "documents" (store/entry.h). */
#define PCS_NDOCS	4
extern const char *const pcs_doc_names[PCS_NDOCS];	/* "tcb_info",
				   "qe_identity", "pck_crl", "root_ca_crl" */

/* What one fetch of the four documents comes to (pcs_judge). */
struct pcs_judgement {
	enum tmon_rc		 rc;	/* TMON_OK: the collateral was built */
	bool			 wrong;	/* built, but not verified or not
					   for the FMSPC and CA asked for */
	const char		*verdict;	/* "pass", "fail", "error"
						   (static) */
	struct tdx_collateral	*col;	/* built (owned), or NULL */
	struct tmon_err		 err;	/* why, when the verdict is not pass */
};

struct pcs_client_cfg {
	const char	*pcs_base_url;		/* no trailing '/' */
	const char	*root_ca_crl_url;
	const uint8_t	*test_root_der;		/* test PKI root, or NULL */
	size_t		 test_root_der_len;
	long		 timeout_ms;
	size_t		 max_body;
};

/* A new, empty cache (strings copied).  Never NULL. */
struct pcs_client *pcs_client_new(const struct pcs_client_cfg *cfg);
/* Free the cache and every collateral in it; NULL is a no-op. */
void	pcs_client_free(struct pcs_client *c);

/*
 * The verified collateral for fmspc and pck_ca (enum tdx_pck_ca), or
 * NULL.  Usable as attest_ctx.collateral with arg = the cache.  The
 * result stays valid until the next pcs_client_refresh completes.
 */
const struct tdx_collateral *pcs_client_lookup(void *arg,
	    const uint8_t fmspc[6], int pck_ca);

/*
 * True when (fmspc, pck_ca) needs a fetch at time now: nothing cached, or
 * nextUpdate is less than a day away (or past), and no fetch for it is in
 * flight, and the last attempt is older than the retry interval (10 min
 * after a failure, 1 h when Intel's own copy was already stale).
 */
bool	pcs_client_wants(struct pcs_client *c, const uint8_t fmspc[6],
	    int pck_ca, int64_t now);

/*
 * Judge the four documents fetched for fmspc and pck_ca (enum
 * tdx_pck_ca): res[i] is what the request for pcs_doc_names[i] brought
 * (rc, status, body, headers; fetch.h).  The verdict is the one at the
 * top of this file: "error" when a document could not be had (rc not
 * TMON_OK, a status other than 200, an empty body), else the issuer
 * chains are read from the response headers (URL-decoded), the Root CA
 * CRL is decoded from hex text when a PCCS served it so, the collateral
 * is built with tdx_collateral_from_pcs(), or with
 * tdx_collateral_from_pcs_root() trusting test_root_der (test_root_der_len
 * bytes of DER) when it is not NULL, and it is "pass" only when it
 * verified and its TCB Info and PCK CRL are for fmspc and pck_ca; "fail"
 * otherwise (a missing issuer chain header, a malformed, unverified or
 * mismatched collateral).  Pure: the same documents give the same
 * judgement (tmond's fetch, tmonctl audit re-judging a logged one).
 * Fills *out; the caller frees it with pcs_judgement_free.
 */
void	pcs_judge(const struct fetch_result res[PCS_NDOCS],
	    const uint8_t fmspc[6], int pck_ca, const uint8_t *test_root_der,
	    size_t test_root_der_len, struct pcs_judgement *out);

/* Free j->col and zero *j; NULL is a no-op. */
void	pcs_judgement_free(struct pcs_judgement *j);

/*
 * Start fetching (fmspc, pck_ca) through f.  When all four documents are
 * in (or failed), the collateral is built and verified, the blobs and the
 * `collateral` entry are appended through w (store_writer_append), the new collateral replaces the
 * old one if it verified, and done(arg) is called exactly once (also
 * when no request could be started: that is logged and recorded as an
 * `error` collateral entry).  Returns TMON_OK; TMON_E_LIMIT when the
 * cache is full, TMON_E_INTERNAL when a fetch for the pair is already in
 * flight (done is not called then).
 */
enum tmon_rc pcs_client_refresh(struct pcs_client *c, struct fetch *f,
	    struct store_writer *w, const uint8_t fmspc[6], int pck_ca,
	    int64_t now,
	    void (*done)(void *), void *arg, struct tmon_err *err);

/*
 * One fetched document of a `collateral` entry (Intel PCS here, AMD KDS in
 * kds_client.h): fills *e (name and url borrowed, not copied; status,
 * error when r->rc is not TMON_OK, body length) and, for a non-empty body
 * and header block, their SHA-256 into h[0] and h[1] and a blob each at
 * b[*nb] (borrowing r's bytes), advancing *nb by 0 to 2.  b must have
 * room for two more.
 */
void	collateral_doc_entry(const struct fetch_result *r, const char *name,
	    const char *url, struct entry_coll_doc *e, uint8_t h[2][32],
	    struct store_blob_in *b, size_t *nb);

#endif /* TMON_MONITOR_PCS_CLIENT_H */
