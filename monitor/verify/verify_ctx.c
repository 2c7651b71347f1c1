/*
 * verify_ctx.c: the caller-owned caches of the verify modules (see
 * verify_ctx.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "gpu_verify.h"
#include "log.h"
#include "tdx_verify.h"
#include "tmon_limits.h"
#include "verify_ctx.h"
#include "xmalloc.h"

struct verify_ctx {
	struct x509_anchor	 intel;
	bool			 intel_ok;
	struct x509_anchor	 nvidia;
	bool			 nvidia_ok;
	secp256k1_context	*secp;

	CRYPTO_RWLOCK		*lock;		/* everything below */
	struct verify_pck	 pck[MAX_PCK_CACHE];
	bool			 pck_used[MAX_PCK_CACHE];
	size_t			 pck_next;	/* round-robin victim */
	uint64_t		 hits, misses;	/* atomic, statistics only */
	uint8_t			 key_xy[MAX_PCK_CACHE][64];
	EVP_PKEY		*key[MAX_PCK_CACHE];
	size_t			 key_next;
};

struct verify_ctx *
verify_ctx_new(void)
{
	struct verify_ctx *vc;
	struct tmon_err err;

	vc = xcalloc(1, sizeof(*vc));
	if ((vc->lock = CRYPTO_THREAD_lock_new()) == NULL)
		fatalx("verify: cannot create a lock");
	tmon_err_clear(&err);
	if (x509_anchor_init(&vc->intel, tdx_intel_root_ca_der,
	    tdx_intel_root_ca_der_len, "Intel SGX Root CA", &err) == TMON_OK)
		vc->intel_ok = true;
	else
		log_warnx("verify: pinned Intel root: %s", err.msg);
	tmon_err_clear(&err);
	if (gpu_nvidia_anchor_init(&vc->nvidia, &err) == TMON_OK)
		vc->nvidia_ok = true;
	else
		log_warnx("verify: pinned NVIDIA root: %s", err.msg);
	/* aborts through the library's error callback if it is broken */
	secp256k1_selftest();
	if ((vc->secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE)) ==
	    NULL)
		fatalx("verify: cannot create a secp256k1 context");
	return vc;
}

void
verify_ctx_flush(struct verify_ctx *vc)
{
	EVP_PKEY *keys[2 * MAX_PCK_CACHE];
	size_t i, n = 0;

	if (vc == NULL || !CRYPTO_THREAD_write_lock(vc->lock))
		return;
	for (i = 0; i < MAX_PCK_CACHE; i++) {
		if (vc->pck_used[i])
			keys[n++] = vc->pck[i].leaf_key;
		if (vc->key[i] != NULL)
			keys[n++] = vc->key[i];
		vc->pck_used[i] = false;
		vc->key[i] = NULL;
	}
	memset(vc->pck, 0, sizeof(vc->pck));
	vc->pck_next = vc->key_next = 0;
	CRYPTO_THREAD_unlock(vc->lock);
	for (i = 0; i < n; i++)
		EVP_PKEY_free(keys[i]);
}

void
verify_ctx_free(struct verify_ctx *vc)
{
	if (vc == NULL)
		return;
	verify_ctx_flush(vc);
	CRYPTO_THREAD_lock_free(vc->lock);
	if (vc->intel_ok)
		x509_anchor_release(&vc->intel);
	if (vc->nvidia_ok)
		x509_anchor_release(&vc->nvidia);
	secp256k1_context_destroy(vc->secp);
	free(vc);
}

void
verify_ctx_stats(struct verify_ctx *vc, uint64_t *hits, uint64_t *misses)
{
	*hits = *misses = 0;
	if (vc == NULL)
		return;
	*hits = __atomic_load_n(&vc->hits, __ATOMIC_RELAXED);
	*misses = __atomic_load_n(&vc->misses, __ATOMIC_RELAXED);
}

const struct x509_anchor *
verify_ctx_intel_root(const struct verify_ctx *vc)
{
	return vc != NULL && vc->intel_ok ? &vc->intel : NULL;
}

const struct x509_anchor *
verify_ctx_nvidia_root(const struct verify_ctx *vc)
{
	return vc != NULL && vc->nvidia_ok ? &vc->nvidia : NULL;
}

const secp256k1_context *
verify_ctx_secp(const struct verify_ctx *vc)
{
	if (vc != NULL)
		return vc->secp;
	secp256k1_selftest();
	return secp256k1_context_static;
}

bool
verify_ctx_pck_get(struct verify_ctx *vc, const uint8_t key[32],
    const uint8_t root[32], int64_t now, struct verify_pck *out)
{
	const struct verify_pck *e;
	size_t i;
	bool hit = false;

	if (vc == NULL || !CRYPTO_THREAD_read_lock(vc->lock))
		return false;
	for (i = 0; i < MAX_PCK_CACHE; i++) {
		e = &vc->pck[i];
		if (!vc->pck_used[i] || memcmp(e->key, key, 32) != 0 ||
		    memcmp(e->root, root, 32) != 0)
			continue;
		if (now < e->from || now > e->to ||
		    EVP_PKEY_up_ref(e->leaf_key) != 1)
			break;
		*out = *e;
		hit = true;
		break;
	}
	CRYPTO_THREAD_unlock(vc->lock);
	if (hit)
		__atomic_add_fetch(&vc->hits, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&vc->misses, 1, __ATOMIC_RELAXED);
	return hit;
}

void
verify_ctx_pck_put(struct verify_ctx *vc, const struct verify_pck *in)
{
	EVP_PKEY *old = NULL;
	size_t i;

	if (vc == NULL || EVP_PKEY_up_ref(in->leaf_key) != 1)
		return;
	if (!CRYPTO_THREAD_write_lock(vc->lock)) {
		EVP_PKEY_free(in->leaf_key);
		return;
	}
	for (i = 0; i < MAX_PCK_CACHE; i++)
		if (vc->pck_used[i] && memcmp(vc->pck[i].key, in->key, 32) == 0 &&
		    memcmp(vc->pck[i].root, in->root, 32) == 0)
			break;
	if (i == MAX_PCK_CACHE) {
		i = vc->pck_next;
		vc->pck_next = (vc->pck_next + 1) % MAX_PCK_CACHE;
	}
	if (vc->pck_used[i])
		old = vc->pck[i].leaf_key;
	vc->pck[i] = *in;
	vc->pck_used[i] = true;
	CRYPTO_THREAD_unlock(vc->lock);
	EVP_PKEY_free(old);
}

EVP_PKEY *
verify_ctx_key_get(struct verify_ctx *vc, const uint8_t xy[64])
{
	EVP_PKEY *k = NULL;
	size_t i;

	if (vc == NULL || !CRYPTO_THREAD_read_lock(vc->lock))
		return NULL;
	for (i = 0; i < MAX_PCK_CACHE; i++)
		if (vc->key[i] != NULL && memcmp(vc->key_xy[i], xy, 64) == 0 &&
		    EVP_PKEY_up_ref(vc->key[i]) == 1) {
			k = vc->key[i];
			break;
		}
	CRYPTO_THREAD_unlock(vc->lock);
	return k;
}

void
verify_ctx_key_put(struct verify_ctx *vc, const uint8_t xy[64], EVP_PKEY *key)
{
	EVP_PKEY *old;
	size_t i;

	if (vc == NULL || EVP_PKEY_up_ref(key) != 1)
		return;
	if (!CRYPTO_THREAD_write_lock(vc->lock)) {
		EVP_PKEY_free(key);
		return;
	}
	i = vc->key_next;
	vc->key_next = (vc->key_next + 1) % MAX_PCK_CACHE;
	old = vc->key[i];
	memcpy(vc->key_xy[i], xy, 64);
	vc->key[i] = key;
	CRYPTO_THREAD_unlock(vc->lock);
	EVP_PKEY_free(old);
}
