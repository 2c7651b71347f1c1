#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "checklist.h"
#include "log.h"

void
checklist_init(struct checklist *cl)
{
	memset(cl, 0, sizeof(*cl));
}

int
check_severity(enum check_status s)
{
	switch (s) {
	case CHECK_FAIL:
		return 0;
	case CHECK_ERROR:
		return 1;
	case CHECK_WARN:
		return 2;
	case CHECK_PASS:
		return 3;
	case CHECK_SKIP:
		return 4;
	}
	return 0;
}

void
checklist_set(struct checklist *cl, const char *id, enum check_status status,
    const char *fmt, ...)
{
	struct check *c = NULL;
	va_list ap;
	size_t i;

	for (i = 0; i < cl->n; i++) {
		if (strcmp(cl->items[i].id, id) == 0) {
			c = &cl->items[i];
			break;
		}
	}
	if (c != NULL) {
		if (check_severity(status) >= check_severity(c->status))
			return;
	} else {
		TMON_ASSERT(cl->n < MAX_CHECKS);
		TMON_ASSERT(strlen(id) < sizeof(c->id));
		c = &cl->items[cl->n++];
		snprintf(c->id, sizeof(c->id), "%s", id);
	}
	c->status = status;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

const struct check *
checklist_get(const struct checklist *cl, const char *id)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (strcmp(cl->items[i].id, id) == 0)
			return &cl->items[i];
	return NULL;
}

enum check_status
checklist_verdict(const struct checklist *cl)
{
	bool fail = false, warn = false, pass = false, error = false;
	size_t i;

	for (i = 0; i < cl->n; i++) {
		switch (cl->items[i].status) {
		case CHECK_FAIL:
			fail = true;
			break;
		case CHECK_WARN:
			warn = true;
			break;
		case CHECK_PASS:
			pass = true;
			break;
		case CHECK_ERROR:
			error = true;
			break;
		case CHECK_SKIP:
			break;
		}
	}
	if (fail)
		return CHECK_FAIL;
	if (warn)
		return CHECK_WARN;
	if (pass)
		return error ? CHECK_WARN : CHECK_PASS;
	return CHECK_ERROR;
}

const char *
check_status_str(enum check_status s)
{
	switch (s) {
	case CHECK_PASS:
		return "pass";
	case CHECK_FAIL:
		return "fail";
	case CHECK_WARN:
		return "warn";
	case CHECK_SKIP:
		return "skip";
	case CHECK_ERROR:
		return "error";
	}
	return "error";
}

bool
check_status_parse(const char *s, enum check_status *out)
{
	static const enum check_status all[] = { CHECK_ERROR, CHECK_FAIL,
	    CHECK_WARN, CHECK_SKIP, CHECK_PASS };
	size_t i;

	*out = CHECK_ERROR;
	for (i = 0; s != NULL && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, check_status_str(all[i])) == 0) {
			*out = all[i];
			return true;
		}
	return false;
}

enum check_status
verdict_check(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		return CHECK_PASS;
	case VERDICT_FAIL:
		return CHECK_FAIL;
	case VERDICT_ERROR:
	case VERDICT_UNCHECKED:
		break;
	}
	return CHECK_ERROR;
}
