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

#endif /* TMON_VERIFY_POLICY_H */
