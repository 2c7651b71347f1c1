/*
 * tz.c: TZif (RFC 8536) and POSIX TZ strings, read into memory; see tz.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cur.h"
#include "tz.h"
#include "util.h"
#include "xmalloc.h"

/* RFC 8536 section 3.2: bounds tmon accepts for one file. */
#define MAX_TZ_TRANS	4096
#define MAX_TZ_TYPES	256
#define MAX_TZ_CHARS	1024
#define MAX_TZ_FOOTER	128

/* A POSIX TZ rule date: Jn (1..365, no Feb 29), n (0..365), Mm.w.d. */
struct tz_date {
	char		 kind;		/* 'J', 'n' or 'M' */
	int		 day;		/* J, n */
	int		 m, w, d;	/* M */
	int32_t		 time;		/* seconds after local midnight */
};

struct tz_rule {
	bool		 has;		/* a footer was given */
	int32_t		 std_off;	/* seconds east of UTC */
	bool		 has_dst;
	int32_t		 dst_off;
	struct tz_date	 start, end;
};

struct tz {
	size_t		 n;		/* transitions */
	int64_t		*at;		/* ascending */
	int32_t		*off;		/* offset from at[i] on */
	int32_t		 first;		/* before at[0] (type 0) */
	struct tz_rule	 rule;
};

static bool
get_i64be(struct cur *c, int64_t *out)
{
	uint32_t hi, lo;

	if (!cur_get_u32be(c, &hi) || !cur_get_u32be(c, &lo))
		return false;
	*out = (int64_t)(((uint64_t)hi << 32) | lo);
	return true;
}

static bool
get_i32be(struct cur *c, int32_t *out)
{
	uint32_t u;

	if (!cur_get_u32be(c, &u))
		return false;
	*out = (int32_t)u;
	return true;
}

/* The six counts of a TZif header (RFC 8536 section 3.1). */
struct tzif_hdr {
	uint8_t		 version;
	uint32_t	 isut, isstd, leap, time, type, chars;
};

static bool
get_hdr(struct cur *c, struct tzif_hdr *h)
{
	uint8_t magic[4];

	if (!cur_copy(c, magic, 4) || memcmp(magic, "TZif", 4) != 0 ||
	    !cur_get_u8(c, &h->version) || !cur_skip(c, 15) ||
	    !cur_get_u32be(c, &h->isut) || !cur_get_u32be(c, &h->isstd) ||
	    !cur_get_u32be(c, &h->leap) || !cur_get_u32be(c, &h->time) ||
	    !cur_get_u32be(c, &h->type) || !cur_get_u32be(c, &h->chars))
		return false;
	return true;
}

/* "<...>" or 3+ letters: a zone abbreviation (POSIX 8.3). */
static bool
rule_name(const char **p)
{
	const char *s = *p;
	size_t n = 0;

	if (*s == '<') {
		for (s++; *s != '\0' && *s != '>'; s++, n++)
			if (!((*s >= 'A' && *s <= 'Z') ||
			    (*s >= 'a' && *s <= 'z') ||
			    (*s >= '0' && *s <= '9') || *s == '+' || *s == '-'))
				return false;
		if (*s != '>' || n < 3)
			return false;
		*p = s + 1;
		return true;
	}
	for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++)
		n++;
	if (n < 3)
		return false;
	*p = s;
	return true;
}

/* A decimal number of 1..3 digits at most max. */
static bool
rule_num(const char **p, int max, int *out)
{
	int v = 0, n = 0;

	while (**p >= '0' && **p <= '9' && n < 3) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n == 0 || v > max)
		return false;
	*out = v;
	return true;
}

/* [+-]hh[:mm[:ss]], hours up to maxh, in seconds. */
static bool
rule_time(const char **p, int maxh, int32_t *out)
{
	int h, m = 0, s = 0, sign = 1;

	if (**p == '+' || **p == '-') {
		sign = **p == '-' ? -1 : 1;
		(*p)++;
	}
	if (!rule_num(p, maxh, &h))
		return false;
	if (**p == ':') {
		(*p)++;
		if (!rule_num(p, 59, &m))
			return false;
		if (**p == ':') {
			(*p)++;
			if (!rule_num(p, 59, &s))
				return false;
		}
	}
	*out = (int32_t)(sign * (h * 3600 + m * 60 + s));
	return true;
}

static bool
rule_date(const char **p, struct tz_date *d)
{
	memset(d, 0, sizeof(*d));
	d->time = 7200;			/* 02:00:00 by default */
	if (**p == 'J') {
		(*p)++;
		d->kind = 'J';
		if (!rule_num(p, 365, &d->day) || d->day < 1)
			return false;
	} else if (**p == 'M') {
		(*p)++;
		d->kind = 'M';
		if (!rule_num(p, 12, &d->m) || d->m < 1 || *(*p)++ != '.' ||
		    !rule_num(p, 5, &d->w) || d->w < 1 || *(*p)++ != '.' ||
		    !rule_num(p, 6, &d->d))
			return false;
	} else {
		d->kind = 'n';
		if (!rule_num(p, 365, &d->day))
			return false;
	}
	if (**p == '/') {
		(*p)++;
		/* RFC 8536 section 3.3.1: -167..167 hours */
		if (!rule_time(p, 167, &d->time))
			return false;
	}
	return true;
}

/*
 * A POSIX TZ string: std offset [dst [offset] [,start[/time],end[/time]]].
 * An empty string (RFC 8536: no rule) leaves r->has false.
 */
static bool
parse_rule(const char *s, struct tz_rule *r)
{
	int32_t o;

	memset(r, 0, sizeof(*r));
	if (*s == '\0')
		return true;
	if (!rule_name(&s) || !rule_time(&s, 24, &o))
		return false;
	r->std_off = -o;		/* POSIX counts west as positive */
	r->has = true;
	if (*s == '\0')
		return true;
	if (!rule_name(&s))
		return false;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if (!rule_time(&s, 24, &o))
			return false;
		r->dst_off = -o;
	}
	if (*s == '\0') {
		/* No rule: POSIX leaves it to the implementation; the US
		 * rules of 2007 are what glibc assumes. */
		r->start = (struct tz_date){ 'M', 0, 3, 2, 0, 7200 };
		r->end = (struct tz_date){ 'M', 0, 11, 1, 0, 7200 };
		return true;
	}
	if (*s++ != ',' || !rule_date(&s, &r->start) || *s++ != ',' ||
	    !rule_date(&s, &r->end))
		return false;
	return *s == '\0';
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

static bool
leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The year of the day number days (days since 1970-01-01). */
static int64_t
year_of(int64_t days)
{
	int64_t y = 1970 + floor_div(days, 366), start;

	for (;;) {
		start = days_from_civil(y + 1, 1, 1);
		if (days < start)
			return y;
		y++;
	}
}

/* Day number of a rule date in year y, local midnight. */
static int64_t
rule_day(const struct tz_date *d, int64_t y)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int64_t first, day;
	unsigned len;
	int wd;

	switch (d->kind) {
	case 'J':
		day = days_from_civil(y, 1, 1) + d->day - 1;
		if (leap_year(y) && d->day >= 60)
			day++;			/* Feb 29 is never counted */
		return day;
	case 'n':
		return days_from_civil(y, 1, 1) + d->day;
	default:
		first = days_from_civil(y, (unsigned)d->m, 1);
		wd = (int)((first % 7 + 11) % 7);	/* 0 = Sunday */
		day = first + (d->d - wd + 7) % 7 + (int64_t)(d->w - 1) * 7;
		len = mdays[d->m - 1] + (d->m == 2 && leap_year(y) ? 1 : 0);
		while (day >= first + len)
			day -= 7;		/* w = 5: the last such day */
		return day;
	}
}

/* The offset the footer rule gives at t. */
static int32_t
rule_offset(const struct tz_rule *r, int64_t t)
{
	int64_t y, start, end;

	if (!r->has_dst)
		return r->std_off;
	y = year_of(floor_div(t + r->std_off, 86400));
	/* start is in standard time, end in summer time (POSIX 8.3) */
	start = rule_day(&r->start, y) * 86400 + r->start.time - r->std_off;
	end = rule_day(&r->end, y) * 86400 + r->end.time - r->dst_off;
	if (start < end)
		return (t >= start && t < end) ? r->dst_off : r->std_off;
	/* southern hemisphere: summer time spans the new year */
	return (t >= end && t < start) ? r->std_off : r->dst_off;
}

enum tmon_rc
tz_parse(const uint8_t *data, size_t len, struct tz **out,
    struct tmon_err *err)
{
	struct cur c;
	struct tzif_hdr h;
	struct tz *z = NULL;
	uint8_t *idx = NULL, isdst, abbr;
	int32_t *types = NULL;
	size_t i, tsz, skip;
	char footer[MAX_TZ_FOOTER + 1];
	const uint8_t *nl;
	int64_t t;
	enum tmon_rc rc = TMON_E_PARSE;

	*out = NULL;
	cur_init(&c, data, len);
	if (!get_hdr(&c, &h))
		return tmon_err_set(err, TMON_E_PARSE, "tz: not a TZif file");
	tsz = 4;
	if (h.version >= '2') {
		/* skip the version 1 block: the 64-bit one follows */
		skip = (size_t)h.time * 5 + (size_t)h.type * 6 + h.chars +
		    (size_t)h.leap * 8 + h.isstd + h.isut;
		if (h.time > MAX_TZ_TRANS || h.type > MAX_TZ_TYPES ||
		    h.chars > MAX_TZ_CHARS || h.leap > MAX_TZ_TRANS ||
		    h.isstd > MAX_TZ_TYPES || h.isut > MAX_TZ_TYPES ||
		    !cur_skip(&c, skip) || !get_hdr(&c, &h))
			return tmon_err_set(err, TMON_E_PARSE, "tz: TZif "
			    "version 1 block truncated or too large");
		tsz = 8;
	} else if (h.version != 0)
		return tmon_err_set(err, TMON_E_PARSE, "tz: unknown TZif "
		    "version");
	if (h.leap != 0)
		return tmon_err_set(err, TMON_E_PARSE, "tz: a zone with leap "
		    "seconds (\"right/\") is not POSIX time");
	if (h.type == 0 || h.type > MAX_TZ_TYPES || h.time > MAX_TZ_TRANS ||
	    h.chars == 0 || h.chars > MAX_TZ_CHARS ||
	    (h.isstd != 0 && h.isstd != h.type) ||
	    (h.isut != 0 && h.isut != h.type))
		return tmon_err_set(err, TMON_E_PARSE, "tz: TZif counts out "
		    "of range (RFC 8536 section 3.1)");
	z = xcalloc(1, sizeof(*z));
	z->n = h.time;
	z->at = xcalloc(h.time + 1, sizeof(*z->at));
	z->off = xcalloc(h.time + 1, sizeof(*z->off));
	idx = xcalloc(h.time + 1, 1);
	types = xcalloc(h.type, sizeof(*types));
	for (i = 0; i < h.time; i++) {
		if (tsz == 8) {
			if (!get_i64be(&c, &t))
				goto trunc;
		} else {
			int32_t t32;

			if (!get_i32be(&c, &t32))
				goto trunc;
			t = t32;
		}
		if (i > 0 && t <= z->at[i - 1]) {
			tmon_err_set(err, TMON_E_PARSE, "tz: transition times "
			    "not ascending");
			goto out;
		}
		z->at[i] = t;
	}
	if (!cur_copy(&c, idx, h.time))
		goto trunc;
	for (i = 0; i < h.type; i++)
		if (!get_i32be(&c, &types[i]) || !cur_get_u8(&c, &isdst) ||
		    !cur_get_u8(&c, &abbr))
			goto trunc;
		else if (types[i] < -89999 || types[i] > 93599 || isdst > 1 ||
		    abbr >= h.chars) {
			tmon_err_set(err, TMON_E_PARSE, "tz: local time type "
			    "%zu out of range", i);
			goto out;
		}
	for (i = 0; i < h.time; i++) {
		if (idx[i] >= h.type) {
			tmon_err_set(err, TMON_E_PARSE, "tz: transition %zu "
			    "names no local time type", i);
			goto out;
		}
		z->off[i] = types[idx[i]];
	}
	z->first = types[0];
	if (!cur_skip(&c, (size_t)h.chars + h.isstd + h.isut))
		goto trunc;
	if (tsz == 8) {
		/* footer: "\n" TZ string "\n" */
		if (cur_len(&c) < 2 || cur_data(&c)[0] != '\n' ||
		    (nl = memchr(cur_data(&c) + 1, '\n', cur_len(&c) - 1)) ==
		    NULL || (size_t)(nl - cur_data(&c) - 1) > MAX_TZ_FOOTER) {
			tmon_err_set(err, TMON_E_PARSE, "tz: TZif footer missing "
			    "or longer than %d bytes", MAX_TZ_FOOTER);
			goto out;
		}
		memcpy(footer, cur_data(&c) + 1, (size_t)(nl - cur_data(&c) - 1));
		footer[nl - cur_data(&c) - 1] = '\0';
		if (!parse_rule(footer, &z->rule)) {
			tmon_err_set(err, TMON_E_PARSE, "tz: TZif footer is not "
			    "a POSIX TZ string");
			goto out;
		}
	}
	*out = z;
	z = NULL;
	rc = TMON_OK;
	goto out;
trunc:
	tmon_err_set(err, TMON_E_PARSE, "tz: TZif data truncated");
out:
	free(idx);
	free(types);
	tz_free(z);
	return rc;
}

static bool
name_ok(const char *name)
{
	const char *p;
	bool start = true;

	if (strlen(name) == 0 || strlen(name) > MAX_TZ_NAME)
		return false;
	for (p = name; *p != '\0'; p++) {
		if (*p == '/') {
			if (start)
				return false;	/* empty component */
			start = true;
			continue;
		}
		if (start && *p == '.')
			return false;		/* ".", "..", hidden */
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '+' ||
		    *p == '-' || *p == '.'))
			return false;
		start = false;
	}
	return !start;
}

enum tmon_rc
tz_load(const char *name, struct tz **out, struct tmon_err *err)
{
	struct tmon_err ferr;
	uint8_t *data = NULL;
	size_t len;
	char path[sizeof(TZ_DIR) + MAX_TZ_NAME + 2];
	enum tmon_rc rc;

	*out = NULL;
	if (strcmp(name, "UTC") == 0) {
		*out = xcalloc(1, sizeof(**out));
		return TMON_OK;
	}
	if (!name_ok(name))
		return tmon_err_set(err, TMON_E_CONFIG, "tz: not a time zone "
		    "name (\"Area/City\" of the IANA database, or \"UTC\")");
	snprintf(path, sizeof(path), "%s/%s", TZ_DIR, name);
	tmon_err_clear(&ferr);
	if ((rc = read_file(path, MAX_TZIF_LEN, &data, &len, &ferr)) !=
	    TMON_OK)
		return tmon_err_set(err, rc, "tz: no such time zone in "
		    "%s, or unreadable: %s", TZ_DIR, ferr.msg);
	rc = tz_parse(data, len, out, err);
	free(data);
	return rc;
}

int32_t
tz_offset(const struct tz *z, int64_t t)
{
	size_t lo, hi, mid;

	if (z->n == 0 || t < z->at[0])
		return z->n == 0 && z->rule.has ? rule_offset(&z->rule, t) :
		    z->first;
	if (t >= z->at[z->n - 1] && z->rule.has)
		return rule_offset(&z->rule, t);
	lo = 0;
	hi = z->n;		/* at[lo] <= t < at[hi] */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[lo];
}

int64_t
tz_local_to_utc(const struct tz *z, int64_t local)
{
	int32_t before, after;
	int64_t a, b;

	/* at most one transition within a day of any instant */
	before = tz_offset(z, local - 86400);
	after = tz_offset(z, local + 86400);
	a = local - before;
	b = local - after;
	if (tz_offset(z, a) == before && tz_offset(z, b) == after)
		return a < b ? a : b;	/* twice: the first */
	if (tz_offset(z, a) == before)
		return a;
	if (tz_offset(z, b) == after)
		return b;
	return a;			/* never: after the skip */
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->at);
	free(z->off);
	free(z);
}
