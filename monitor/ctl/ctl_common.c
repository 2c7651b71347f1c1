/*
 * ctl_common.c: pieces every tmonctl subcommand shares (ctl.h).
 */
#include <stdio.h>
#include <time.h>

#include "checklist.h"
#include "ctl.h"
#include "tjson.h"
#include "util.h"

void
ctl_usage(const struct ctl_cmd *c, FILE *f)
{
	fprintf(f, "usage: tmonctl %s %s\n"
	    "(tmonctl help %s lists the options)\n", c->name, c->args,
	    c->name);
}

void
ctl_help(const struct ctl_cmd *c, FILE *f)
{
	fprintf(f, "usage: tmonctl %s %s\n\n%s\n", c->name, c->args,
	    c->summary);
	if (c->options[0] != '\0')
		fprintf(f, "\n%s", c->options);
	fprintf(f, "\n%s", c->exits != NULL ? c->exits : CTL_EXIT_RULE);
}

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

/* The first check in cl with status st, or NULL. */
static const struct check *
first_with(const struct checklist *cl, enum check_status st)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (cl->items[i].status == st)
			return &cl->items[i];
	return NULL;
}

int
ctl_result(const struct checklist *cl, enum check_status verdict, FILE *f)
{
	const struct check *c;

	if ((c = first_with(cl, CHECK_FAIL)) != NULL ||
	    verdict == CHECK_FAIL) {
		if (f != NULL)
			fprintf(f, "result: failed: %s\n", c != NULL ? c->id :
			    "the evidence is wrong");
		return CTL_EXIT_FAILED;
	}
	if ((c = first_with(cl, CHECK_ERROR)) != NULL ||
	    verdict == CHECK_ERROR || verdict == CHECK_SKIP) {
		if (f != NULL)
			fprintf(f, "result: not verified: %s could not be "
			    "checked\n", c != NULL ? c->id : "the evidence");
		return CTL_EXIT_UNCHECKED;
	}
	if (f != NULL)
		fprintf(f, "result: verified\n");
	return CTL_EXIT_OK;
}

bool
ctl_parse_at(const char *s, int64_t *at)
{
	if (parse_i64(s, 0, INT64_MAX / 2, at))
		return true;
	fprintf(stderr, "tmonctl: --at: not a unix time: \"%s\"\n", s);
	return false;
}

json_t *
ctl_text_json(const char *s)
{
	json_t *j;

	if ((j = json_string(s)) == NULL)
		j = tjson_chk(json_string("(not UTF-8)"));
	return j;
}

double
ctl_clock_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
