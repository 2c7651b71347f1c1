/*
 * verify_ctx.h: what the verify modules keep between verifications,
 * owned by the caller (tmond's daemon loop, its receipt path, a tmonctl
 * command, a test): the pinned Intel SGX and NVIDIA roots decoded once,
 * the PCK chains and attestation keys that verified (tdx_verify.c), and
 * a secp256k1 context (sig.c).  monitor/verify/ itself keeps no state
 * between calls.
 *
 * Everything kept is a function of the bytes it was computed from, so a
 * ctx changes no result, only the cost: a NULL ctx is accepted wherever
 * one is, and then everything is decoded for the one call.
 *
 * Threads: every function that takes a struct verify_ctx (here and in
 * tdx_verify.h, gpu_verify.h, sig.h, attest.h) may run in several
 * threads at once with the same ctx; the caches sit behind a read-write
 * lock inside it.  verify_ctx_free must not run while any of them does.
 */
#ifndef TMON_VERIFY_VERIFY_CTX_H
#define TMON_VERIFY_VERIFY_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <secp256k1.h>

#include "tdx_quote.h"
#include "x509.h"

struct verify_ctx;

/*
 * A new context: decodes the pinned Intel SGX Root CA and NVIDIA Device
 * Identity CA (a root that does not decode, impossible for the bytes
 * built in, is logged and its chains are CHECK_ERROR) and creates a
 * secp256k1 context, which self-tests the library.  Running out of
 * memory is fatal, as with xmalloc.  Free with verify_ctx_free.
 */
struct verify_ctx	*verify_ctx_new(void);

/* Free vc and everything it keeps; NULL is a no-op. */
void	verify_ctx_free(struct verify_ctx *vc);

/*
 * Forget the verified PCK chains and attestation keys (tmonctl
 * bench-quote --cold, tests).  Never needed for correctness.
 */
void	verify_ctx_flush(struct verify_ctx *vc);

/*
 * Lookups of the PCK chain cache that hit and missed since vc was made
 * (for tests and benchmarks; approximate under concurrency).  Zero for
 * a NULL vc.
 */
void	verify_ctx_stats(struct verify_ctx *vc, uint64_t *hits,
	    uint64_t *misses);

/* ---- for the verify modules ---- */

/*
 * The pinned Intel SGX Root CA (tdx_intel_root_ca_der) and NVIDIA Device
 * Identity CA (gpu_nvidia_root_der) as decoded anchors, borrowed from
 * vc; NULL when vc is NULL or the root did not decode.
 */
const struct x509_anchor	*verify_ctx_intel_root(
				    const struct verify_ctx *vc);
const struct x509_anchor	*verify_ctx_nvidia_root(
				    const struct verify_ctx *vc);

/*
 * The secp256k1 context to verify with: vc's, or for a NULL vc the
 * library's static context after secp256k1_selftest().
 */
const secp256k1_context	*verify_ctx_secp(const struct verify_ctx *vc);

/*
 * A PCK chain that verified (tdx_verify.c), keyed by SHA-256 of the
 * chain bytes in the quote and of the trusted root.  Everything in it
 * is computed from those bytes alone; from..to is the intersection of
 * the three certificates' validity.
 */
struct verify_pck {
	uint8_t			key[32];
	uint8_t			root[32];
	int64_t			from, to;
	enum tdx_pck_ca		ca;
	EVP_PKEY		*leaf_key;
	bool			pck_ok;
	struct tdx_pck_info	pck;
	bool			ids_ok;
	struct tdx_pck_ids	ids;
};

/*
 * The entry for key and root valid at now into *out, its leaf_key a new
 * reference the caller frees; false (a miss) otherwise or for a NULL vc.
 */
bool	verify_ctx_pck_get(struct verify_ctx *vc, const uint8_t key[32],
	    const uint8_t root[32], int64_t now, struct verify_pck *out);

/*
 * Remember e (its leaf_key gets a reference of its own), replacing the
 * entry of the same key and root, else the oldest of MAX_PCK_CACHE.
 */
void	verify_ctx_pck_put(struct verify_ctx *vc, const struct verify_pck *e);

/*
 * The P-256 attestation key x||y decoded before, as a new reference, or
 * NULL.  verify_ctx_key_put remembers one (a reference of its own; at
 * most MAX_PCK_CACHE, the oldest replaced).
 */
EVP_PKEY	*verify_ctx_key_get(struct verify_ctx *vc, const uint8_t xy[64]);
void		 verify_ctx_key_put(struct verify_ctx *vc, const uint8_t xy[64],
		    EVP_PKEY *key);

#endif /* TMON_VERIFY_VERIFY_CTX_H */
