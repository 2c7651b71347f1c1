/*
 * keccak.h: Keccak-256, the hash Ethereum uses (EIP-191 message digests,
 * addresses).  It is NOT FIPS 202 SHA3-256: the two differ only in the
 * padding byte (Keccak pads with 0x01 ... 0x80, SHA-3 with 0x06 ... 0x80),
 * so OpenSSL 3.0's SHA3-256 cannot be used and OpenSSL 3.0 has no
 * Keccak-256 (it arrived as KECCAK-256 in 3.2).
 *
 * Construction (The Keccak reference, version 3.0, section 5.1 and the
 * sponge of section 1; as used by the Ethereum Yellow Paper, appendix
 * "Keccak-256"): Keccak-f[1600] with rate r = 1088 bits (136 bytes),
 * capacity 512 bits, multi-rate padding pad10*1 written as the byte 0x01
 * after the message and 0x80 in the last byte of the block (one byte 0x81
 * when they coincide), output the first 32 bytes of the state.  Lanes are
 * read and written little-endian.  The permutation is nettle's
 * nettle_sha3_permute (nettle/sha3.h), the same Keccak-f[1600] nettle
 * uses for its SHA-3; only the sponge around it is ours.
 *
 * No function here can fail and none allocates.
 */
#ifndef TMON_VERIFY_KECCAK_H
#define TMON_VERIFY_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha3.h>

#define KECCAK256_RATE		136	/* bytes absorbed per permutation */
#define KECCAK256_DIGEST_SIZE	32

/* Incremental Keccak-256 state; initialise with keccak256_init. */
struct keccak256_ctx {
	struct sha3_state	st;
	uint8_t			block[KECCAK256_RATE];
	size_t			n;	/* bytes buffered in block */
};

/* Start a new hash in ctx. */
void	keccak256_init(struct keccak256_ctx *ctx);

/*
 * Absorb len bytes of data (data may be NULL when len is 0).  May be
 * called any number of times with any split of the input.
 */
void	keccak256_update(struct keccak256_ctx *ctx, const void *data,
	    size_t len);

/*
 * Pad, squeeze the 32-byte digest into out and wipe ctx.  ctx must be
 * initialised again before reuse.
 */
void	keccak256_final(struct keccak256_ctx *ctx, uint8_t out[32]);

/*
 * One-shot Keccak-256 of len bytes of data (data may be NULL when len is
 * 0) into out[32].  keccak256("", 0) is c5d24601...5d85a470.
 */
void	keccak256(const void *data, size_t len, uint8_t out[32]);

#endif /* TMON_VERIFY_KECCAK_H */
