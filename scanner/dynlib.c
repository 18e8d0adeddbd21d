/*
 * dynlib.c: dlopen() and a table of dlsym() results (see dynlib.h).
 */
#include "scanner/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* POSIX: dlsym()'s object pointer can be stored as a function pointer. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
    "function pointers are not the size of dlsym()'s result");

static int
dynlib_open(const char *const *names, size_t nnames,
    const struct dynlib_sym *syms, size_t nsyms, void *table, char *err,
    size_t errlen)
{
	void *h = NULL, *sym;
	const char *e, *name;
	size_t i;

	snprintf(err, errlen, "no library name");
	for (i = 0; h == NULL && i < nnames; i++) {
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		/* the first name is the packaged one: its reason counts */
		if (h == NULL && i == 0) {
			e = dlerror();
			snprintf(err, errlen, "cannot load %s: %s", names[0],
			    e != NULL ? e : "unknown error");
		}
	}
	if (h == NULL)
		return -1;
	name = names[i - 1];
	for (i = 0; i < nsyms; i++) {
		if ((sym = dlsym(h, syms[i].name)) == NULL) {
			snprintf(err, errlen, "%s has no %s", name,
			    syms[i].name);
			return -1;
		}
		memcpy((char *)table + syms[i].off, &sym, sizeof(sym));
	}
	if (errlen > 0)
		err[0] = '\0';
	return 0;
}

int
dynlib_load(struct dynlib *d)
{
	int rc;

	pthread_mutex_lock(&d->lock);
	if (d->rc == 1)
		d->rc = dynlib_open(d->names, d->nnames, d->syms, d->nsyms,
		    d->table, d->err, sizeof(d->err));
	rc = d->rc;
	pthread_mutex_unlock(&d->lock);
	return rc;
}
