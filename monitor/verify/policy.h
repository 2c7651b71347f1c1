/*
 * policy.h: the measurement allow-lists of one scheduled model
 * (README "Checks", measurement.policy; the dstack measurements of
 * Phala-Network/dstack attestation.md).
 *
 * A list with n == 0 is "not configured" for that register.  The policy
 * is plain data owned by whoever built it (tmond: the loaded schedule);
 * verify only reads it.
 */
#ifndef TMON_VERIFY_POLICY_H
#define TMON_VERIFY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct policy_list48 {
	const uint8_t	(*v)[48];
	size_t		 n;
};

struct policy_list32 {
	const uint8_t	(*v)[32];
	size_t		 n;
};

struct measurement_policy {
	struct policy_list48	mrtd;
	struct policy_list48	rtmr0;
	struct policy_list48	rtmr1;
	struct policy_list48	rtmr2;
	struct policy_list32	compose_hash;	/* sha256(app_compose) */
	struct policy_list32	os_image_hash;	/* dstack os_image_hash */
};

/*
 * True if v (len bytes) equals one of the n entries of list (n entries
 * of len bytes each, back to back), compared in constant time per entry.
 * The one membership test of the allow-lists (measurement.policy and the
 * classification of a measurement change).
 */
bool	policy_list_has(const uint8_t *list, size_t n, size_t len,
	    const uint8_t *v);

#endif /* TMON_VERIFY_POLICY_H */
