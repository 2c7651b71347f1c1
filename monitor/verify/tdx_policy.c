/*
 * tdx_policy.c: TD attribute policy and measurement allow-lists
 * (tdx_policy.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "encode.h"
#include "tdx_eventlog.h"
#include "tdx_policy.h"

/* Append ", "-separated text to a detail buffer, truncating safely. */
static void
add(char *buf, size_t bufsz, const char *text)
{
	size_t n = strlen(buf);

	if (n >= bufsz - 1)
		return;
	snprintf(buf + n, bufsz - n, "%s%s", n > 0 ? ", " : "", text);
}

void
tdx_check_td_attributes(const struct tdx_quote *q, struct checklist *cl)
{
	static const uint8_t zero[48];
	const uint8_t *b = q->report.td_attributes;
	char why[MAX_CHECK_DETAIL], tmp[96], hex[17];
	uint64_t a = 0;
	int i;

	for (i = 7; i >= 0; i--)
		a = a << 8 | b[i];
	why[0] = '\0';
	if (a & TDX_TDATTR_DEBUG)
		add(why, sizeof(why), "DEBUG bit set (the host can read and "
		    "change the TD)");
	if (a & TDX_TDATTR_TUD_RESERVED)
		add(why, sizeof(why), "TD-under-debug bits 7:1 set");
	if (!(a & TDX_TDATTR_SEPT_VE_DISABLE))
		add(why, sizeof(why), "SEPT_VE_DISABLE clear");
	if (a & (TDX_TDATTR_SEC_RESERVED | TDX_TDATTR_OTHER_RESERVED)) {
		snprintf(tmp, sizeof(tmp), "reserved bits set: 0x%016llx",
		    (unsigned long long)(a & (TDX_TDATTR_SEC_RESERVED |
		    TDX_TDATTR_OTHER_RESERVED)));
		add(why, sizeof(why), tmp);
	}
	if (CRYPTO_memcmp(q->report.mr_servicetd, zero, 48) != 0) {
		snprintf(tmp, sizeof(tmp), "MRSERVICETD is not zero (a service "
		    "TD is bound to this TD): %s...",
		    hex_encode(q->report.mr_servicetd, 8, hex));
		add(why, sizeof(why), tmp);
	}
	if (why[0] != '\0') {
		checklist_set(cl, "tdx.td_attributes", CHECK_FAIL,
		    "%s (TDATTRIBUTES 0x%016llx)", why, (unsigned long long)a);
		return;
	}
	tmp[0] = '\0';
	if (a & TDX_TDATTR_PKS)
		add(tmp, sizeof(tmp), "PKS");
	if (a & TDX_TDATTR_KL)
		add(tmp, sizeof(tmp), "KL");
	if (a & TDX_TDATTR_PERFMON)
		add(tmp, sizeof(tmp), "PERFMON");
	checklist_set(cl, "tdx.td_attributes", CHECK_PASS,
	    "DEBUG off, SEPT_VE_DISABLE on, no reserved bits (TDATTRIBUTES "
	    "0x%016llx)%s%s%s", (unsigned long long)a,
	    q->body_type == TDX_BODY_TD15 ? ", MRSERVICETD zero" : "",
	    tmp[0] != '\0' ? "; allowed features on: " : "", tmp);
}

bool
policy_list_has(const uint8_t *list, size_t n, size_t len, const uint8_t *v)
{
	size_t i;
	bool hit = false;

	for (i = 0; i < n; i++)
		if (CRYPTO_memcmp(v, list + i * len, len) == 0)
			hit = true;
	return hit;
}

struct policy_state {
	char	first[MAX_CHECK_DETAIL];	/* first miss, full */
	char	others[MAX_CHECK_DETAIL];	/* names of later misses */
	char	pinned[MAX_CHECK_DETAIL];
	char	unpinned[MAX_CHECK_DETAIL];
	size_t	misses;
};

static void
miss(struct policy_state *s, const char *name, const char *text)
{
	if (s->misses++ == 0)
		snprintf(s->first, sizeof(s->first), "%s", text);
	else
		add(s->others, sizeof(s->others), name);
}

/* One register against its list; value is attested (len bytes). */
static void
check_reg(struct policy_state *s, const char *name, const uint8_t *value,
    const uint8_t *list, size_t n, size_t len)
{
	char hex[97], text[MAX_CHECK_DETAIL];

	if (n == 0) {
		add(s->unpinned, sizeof(s->unpinned), name);
		return;
	}
	if (policy_list_has(list, n, len, value)) {
		add(s->pinned, sizeof(s->pinned), name);
		return;
	}
	snprintf(text, sizeof(text), "%s %s is not in the allow-list "
	    "(%zu entr%s)", name, hex_encode(value, len, hex), n,
	    n == 1 ? "y" : "ies");
	miss(s, name, text);
}

/* The os_image_hash the quote attests (through RTMR3), or a miss. */
static bool
os_image_hash(const struct tdx_quote *q, const json_t *att,
    struct policy_state *s, uint8_t out[32])
{
	static const char keys[][16] = { "info", "tcb_info" };
	struct tmon_err err;
	const json_t *o, *v;
	uint8_t served[32];
	char text[MAX_CHECK_DETAIL];
	size_t i;

	tmon_err_clear(&err);
	if (att == NULL) {
		miss(s, "os_image_hash", "os_image_hash not attested: no "
		    "attestation object");
		return false;
	}
	if (tdx_event_log_system_value(q, att, "os-image-hash", out, 32,
	    &err) != TMON_OK) {
		snprintf(text, sizeof(text), "os_image_hash not attested: "
		    "%.200s", err.msg);
		miss(s, "os_image_hash", text);
		return false;
	}
	/* info.os_image_hash, info.tcb_info.os_image_hash (object form). */
	o = att;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		o = json_object_get(o, keys[i]);
		if (!json_is_object(o))
			break;
		v = json_object_get(o, "os_image_hash");
		if (v == NULL || json_is_null(v))
			continue;
		if (!json_is_string(v) || !hex_decode_exact(
		    json_string_value(v), json_string_length(v), served, 32,
		    true) || CRYPTO_memcmp(served, out, 32) != 0) {
			snprintf(text, sizeof(text), "served %s.os_image_hash "
			    "differs from the os-image-hash event",
			    i == 0 ? "info" : "info.tcb_info");
			miss(s, "os_image_hash", text);
			return false;
		}
	}
	return true;
}

/* A policy list as (bytes, count); never indexes a NULL array. */
#define LIST(l)	(const uint8_t *)(l).v, (l).n

void
measurement_check_policy(const struct tdx_quote *q, const json_t *att,
    const char *compose_hash_hex, const struct measurement_policy *p,
    struct checklist *cl)
{
	struct policy_state s;
	uint8_t v[32];

	if (p == NULL || (p->mrtd.n == 0 && p->rtmr0.n == 0 &&
	    p->rtmr1.n == 0 && p->rtmr2.n == 0 && p->compose_hash.n == 0 &&
	    p->os_image_hash.n == 0)) {
		checklist_set(cl, "measurement.policy", CHECK_WARN,
		    "unpinned: no allow-list configured");
		return;
	}
	memset(&s, 0, sizeof(s));
	check_reg(&s, "MRTD", q->report.mrtd, LIST(p->mrtd), 48);
	check_reg(&s, "RTMR0", q->report.rtmr[0], LIST(p->rtmr0), 48);
	check_reg(&s, "RTMR1", q->report.rtmr[1], LIST(p->rtmr1), 48);
	check_reg(&s, "RTMR2", q->report.rtmr[2], LIST(p->rtmr2), 48);
	if (p->compose_hash.n == 0)
		add(s.unpinned, sizeof(s.unpinned), "compose hash");
	else if (compose_hash_hex == NULL || !hex_decode_exact(
	    compose_hash_hex, strlen(compose_hash_hex), v, 32, false))
		miss(&s, "compose hash", "compose hash not attested "
		    "(tdx.compose did not pass)");
	else
		check_reg(&s, "compose hash", v, LIST(p->compose_hash), 32);
	if (p->os_image_hash.n == 0)
		add(s.unpinned, sizeof(s.unpinned), "os_image_hash");
	else if (os_image_hash(q, att, &s, v))
		check_reg(&s, "os_image_hash", v, LIST(p->os_image_hash), 32);
	if (s.misses > 0) {
		checklist_set(cl, "measurement.policy", CHECK_FAIL, "%s%s%s",
		    s.first, s.others[0] != '\0' ? "; also " : "", s.others);
		return;
	}
	checklist_set(cl, "measurement.policy", CHECK_PASS, "pinned: %s%s%s%s",
	    s.pinned, s.unpinned[0] != '\0' ? " (not pinned: " : "",
	    s.unpinned, s.unpinned[0] != '\0' ? ")" : "");
}
