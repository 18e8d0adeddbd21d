/*
 * dynlib.h: libraries that one command or option needs, opened with
 * dlopen() on first use instead of being linked.  A linked library is
 * mapped and relocated at every start of certsweep, whatever the command:
 * ~0.1 ms for a small one, ~3.4 ms for libpcap and its dependencies.
 *
 * The caller keeps a struct of typed function pointers (types taken from
 * the library's own header with __typeof__, so a mismatch is a compile
 * error), describes it with DYNLIB_SYM, and calls dynlib_open() once
 * (pthread_once) before the first use.
 */
#ifndef CERTSWEEP_DYNLIB_H
#define CERTSWEEP_DYNLIB_H

#include <stddef.h>

struct dynlib_sym {
	const char	*name;		/* the symbol, e.g. "pcap_activate" */
	size_t		 off;		/* of its pointer in the table */
};

/* Member f of table type T holds the address of symbol prefix##f. */
#define DYNLIB_SYM(T, prefix, f)	{ prefix #f, offsetof(T, f) }

/*
 * Opens the first of names[0..nnames) that loads, then stores the address
 * of every syms[i].name at (char *)table + syms[i].off.  The library is
 * never closed.  Returns -1 when no name loads or a symbol is missing,
 * with dlerror()'s words in err ("cannot load NAME: ..." for the first
 * name, or "NAME has no SYMBOL"); the table is then not to be used.
 */
int	dynlib_open(const char *const *names, size_t nnames,
	    const struct dynlib_sym *syms, size_t nsyms, void *table,
	    char *err, size_t errlen);

#endif /* CERTSWEEP_DYNLIB_H */
