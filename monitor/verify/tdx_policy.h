/*
 * tdx_policy.h: appraisal of a verified TDX quote against what tmon
 * requires of every TD (TD attributes) and against the measurement
 * allow-lists of one scheduled model (README "Checks",
 * measurement.policy; dcap-qvl validate_attrs for the TD attributes).
 *
 * These are policy, not Intel's quote verification: they run after the
 * quote has parsed (its signature is judged by tdx.quote.signature).
 * Pure: no I/O, no clock, no globals.
 */
#ifndef TMON_VERIFY_TDX_POLICY_H
#define TMON_VERIFY_TDX_POLICY_H

#include <jansson.h>

#include "checklist.h"
#include "policy.h"
#include "tdx_quote.h"

/*
 * TDATTRIBUTES, read as a little-endian u64 (Intel TDX Module ABI
 * specification, TD_ATTRIBUTES; the grouping as in dcap-qvl
 * src/quote.rs TDAttributes):
 *   bits 7:0   TUD group ("TD under debug"; any bit set makes the TD
 *              untrusted): bit 0 DEBUG, bits 7:1 reserved
 *   bits 31:8  SEC group: 27:8 reserved, 28 SEPT_VE_DISABLE, 29 reserved,
 *              30 PKS, 31 KL
 *   bits 63:32 OTHER group: 62:32 reserved, 63 PERFMON
 */
#define TDX_TDATTR_DEBUG		(1ull << 0)
#define TDX_TDATTR_TUD_RESERVED		0xfeull
#define TDX_TDATTR_SEC_RESERVED		(0x0fffff00ull | (1ull << 29))
#define TDX_TDATTR_SEPT_VE_DISABLE	(1ull << 28)
#define TDX_TDATTR_PKS			(1ull << 30)
#define TDX_TDATTR_KL			(1ull << 31)
#define TDX_TDATTR_OTHER_RESERVED	0x7fffffff00000000ull
#define TDX_TDATTR_PERFMON		(1ull << 63)

/*
 * Sets "tdx.td_attributes" in cl from the parsed quote q
 * (as dcap-qvl validate_attrs and the peer, npm @phala/dcap-qvl, apply
 * it):
 *   fail  naming every violation: "DEBUG bit set", "TD-under-debug bits
 *         7:1 set", "SEPT_VE_DISABLE clear" (the host can inject #VE on
 *         pending pages), "reserved bits set: 0x...", "MRSERVICETD is not
 *         zero (a service TD is bound to this TD): 0123abcd..." (TD15
 *         quotes; TD10 quotes have no MRSERVICETD), followed by the
 *         TDATTRIBUTES value
 *   pass  "DEBUG off, SEPT_VE_DISABLE on, no reserved bits
 *         (TDATTRIBUTES 0x0000000010000000)", plus ", MRSERVICETD zero"
 *         for TD15 and the optional features that are on (PKS, KL,
 *         PERFMON; allowed).
 */
void	tdx_check_td_attributes(const struct tdx_quote *q,
	    struct checklist *cl);

/*
 * Sets "measurement.policy" in cl: every configured allow-list of p
 * must contain the attested value.
 *   MRTD, RTMR0, RTMR1, RTMR2   from the quote q (signed)
 *   compose_hash                compose_hash_hex, the value
 *                               tdx_check_compose() attested (64 hex
 *                               digits; NULL or "" = not attested)
 *   os_image_hash               the os-image-hash event of att's event
 *                               log when the log replays to q's RTMR3
 *                               (tdx_event_log_system_value()); a served
 *                               info.os_image_hash or
 *                               info.tcb_info.os_image_hash must equal
 *                               it.  The served value alone is never
 *                               used: nothing signs it.
 *   fail  naming the first register that misses its list with its full
 *         value (to copy into the schedule when the change is expected),
 *         then the names of the other misses: "MRTD b24d...217 is not
 *         in the allow-list (1 entry); also RTMR1"; or why a configured
 *         value is not attested ("compose hash not attested (tdx.compose
 *         did not pass)", "os_image_hash not attested: <reason>")
 *   warn  "unpinned: no allow-list configured" when p is NULL or every
 *         list is empty
 *   pass  naming what was pinned and what was not: "pinned: MRTD, RTMR0,
 *         compose hash (not pinned: RTMR1, RTMR2, os_image_hash)"
 * q, att and p are borrowed; att may be NULL (then os_image_hash cannot
 * be attested).
 */
void	measurement_check_policy(const struct tdx_quote *q, const json_t *att,
	    const char *compose_hash_hex, const struct measurement_policy *p,
	    struct checklist *cl);

#endif /* TMON_VERIFY_TDX_POLICY_H */
