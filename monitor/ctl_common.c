/*
 * ctl_common.c: pieces every tmonctl subcommand shares (ctl.h).
 */
#include <stdio.h>

#include "checklist.h"
#include "ctl.h"
#include "util.h"

void
ctl_print_checks(const struct checklist *cl)
{
	const struct check *c;
	size_t i;

	printf("%-20s %-6s %s\n", "CHECK", "STATUS", "DETAIL");
	for (i = 0; i < cl->n; i++) {
		c = &cl->items[i];
		printf("%-20s %-6s %s\n", c->id, check_status_str(c->status),
		    c->detail);
	}
}

bool
ctl_parse_at(const char *s, int64_t *at)
{
	if (parse_i64(s, 0, INT64_MAX / 2, at))
		return true;
	fprintf(stderr, "tmonctl: --at: not a unix time: \"%s\"\n", s);
	return false;
}
