/*
 * keccak.c: the Keccak-256 sponge over nettle's Keccak-f[1600]
 * permutation.  See keccak.h for the construction and its sources.
 */
#include <string.h>

#include <nettle/sha3.h>

#include "keccak.h"

/* XOR one rate-sized block into the state, lanes little-endian. */
static void
absorb(struct sha3_state *st, const uint8_t *p)
{
	uint64_t lane;
	size_t i, j;

	for (i = 0; i < KECCAK256_RATE / 8; i++) {
		lane = 0;
		for (j = 0; j < 8; j++)
			lane |= (uint64_t)p[8 * i + j] << (8 * j);
		st->a[i] ^= lane;
	}
	nettle_sha3_permute(st);
}

void
keccak256_init(struct keccak256_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
}

void
keccak256_update(struct keccak256_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t take;

	if (len == 0)
		return;
	if (ctx->n > 0) {
		take = KECCAK256_RATE - ctx->n;
		if (take > len)
			take = len;
		memcpy(ctx->block + ctx->n, p, take);
		ctx->n += take;
		p += take;
		len -= take;
		if (ctx->n < KECCAK256_RATE)
			return;
		absorb(&ctx->st, ctx->block);
		ctx->n = 0;
	}
	while (len >= KECCAK256_RATE) {
		absorb(&ctx->st, p);
		p += KECCAK256_RATE;
		len -= KECCAK256_RATE;
	}
	if (len > 0) {
		memcpy(ctx->block, p, len);
		ctx->n = len;
	}
}

void
keccak256_final(struct keccak256_ctx *ctx, uint8_t out[32])
{
	size_t i, j;

	/* pad10*1 with the Keccak (not SHA-3) domain byte: n < rate here */
	memset(ctx->block + ctx->n, 0, KECCAK256_RATE - ctx->n);
	ctx->block[ctx->n] ^= 0x01;
	ctx->block[KECCAK256_RATE - 1] ^= 0x80;
	absorb(&ctx->st, ctx->block);
	for (i = 0; i < KECCAK256_DIGEST_SIZE / 8; i++)
		for (j = 0; j < 8; j++)
			out[8 * i + j] = (uint8_t)(ctx->st.a[i] >> (8 * j));
	explicit_bzero(ctx, sizeof(*ctx));
}

void
keccak256(const void *data, size_t len, uint8_t out[32])
{
	struct keccak256_ctx ctx;

	keccak256_init(&ctx);
	keccak256_update(&ctx, data, len);
	keccak256_final(&ctx, out);
}
