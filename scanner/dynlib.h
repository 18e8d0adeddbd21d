/*
 * dynlib.h: libraries that one command or option needs, opened with
 * dlopen() on first use instead of being linked.  A linked library is
 * mapped and relocated at every start of certsweep, whatever the command:
 * ~0.1 ms for a small one, ~3.4 ms for libpcap and its dependencies.
 *
 * The caller keeps a struct of typed function pointers (types taken from
 * the library's own header with __typeof__, so a mismatch is a compile
 * error), describes it with DYNLIB_SYM in a struct dynlib (DYNLIB_INIT),
 * and calls dynlib_load() before each use: the first call opens the
 * library, later ones return what it found.
 */
#ifndef CERTSWEEP_DYNLIB_H
#define CERTSWEEP_DYNLIB_H

#include <pthread.h>
#include <stddef.h>

struct dynlib_sym {
	const char	*name;		/* the symbol, e.g. "pcap_activate" */
	size_t		 off;		/* of its pointer in the table */
};

/* Member f of table type T holds the address of symbol prefix##f. */
#define DYNLIB_SYM(T, prefix, f)	{ prefix #f, offsetof(T, f) }

struct dynlib {
	const char *const	*names;		/* sonames, the packaged first */
	size_t			 nnames;
	const struct dynlib_sym	*syms;
	size_t			 nsyms;
	void			*table;		/* the caller's pointers */
	pthread_mutex_t		 lock;
	int			 rc;		/* 0, -1; 1 before the first try */
	char			 err[256];	/* why rc is -1 */
};

#define DYNLIB_NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define DYNLIB_INIT(names, syms, table) {				\
	(names), DYNLIB_NELEM(names), (syms), DYNLIB_NELEM(syms),	\
	(table), PTHREAD_MUTEX_INITIALIZER, 1, ""			\
}

/*
 * The first call opens the first of names that loads and stores the
 * address of every syms[i].name at (char *)table + syms[i].off; the
 * library is never closed.  Returns 0, or -1 when no name loads or a
 * symbol is missing, with dlerror()'s words in err ("cannot load NAME:
 * ..." for the first name, or "NAME has no SYMBOL"); the table is then not
 * to be used.  Later calls return the same.
 */
int	dynlib_load(struct dynlib *);

#endif /* CERTSWEEP_DYNLIB_H */
