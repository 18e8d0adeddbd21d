/*
 * registry.c: the table of output writers and the report lifecycle
 * (open, emit, close) shared by all of them, as zmap's output modules.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "scanner/xmem.h"

/* Add new writers here. */
static const struct report_ops *const writers[] = {
	&report_jsonl_ops,
	&report_text_ops,
};

const struct report_ops *
report_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(writers[i]->name, name) == 0)
			return writers[i];
	return NULL;
}

static void
report_free(struct report *r)
{
	if (r->ops->free != NULL)
		r->ops->free(r);
	free(r->state);
	free(r);
}

struct report *
report_open(const char *name, FILE *out)
{
	const struct report_ops *ops = report_find(name);
	struct report *r;

	if (ops == NULL || out == NULL)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->ops = ops;
	r->out = out;
	if (ops->state_size > 0)
		r->state = xcalloc(1, ops->state_size);
	if (ops->begin != NULL && ops->begin(r) == -1) {
		report_free(r);
		return NULL;
	}
	return r;
}

int
report_emit(struct report *r, const struct observation *obs)
{
	if (r->ops->observation(r, obs) == -1 || ferror(r->out))
		return -1;
	return 0;
}

int
report_flush(struct report *r)
{
	if (r == NULL)
		return 0;
	return fflush(r->out) == EOF || ferror(r->out) ? -1 : 0;
}

/* NULL is a no-op.  The stream is borrowed: flushed, not closed. */
int
report_close(struct report *r)
{
	int rc = 0;

	if (r == NULL)
		return 0;
	if (r->ops->end != NULL && r->ops->end(r) == -1)
		rc = -1;
	if (fflush(r->out) == EOF || ferror(r->out))
		rc = -1;
	report_free(r);
	return rc;
}
