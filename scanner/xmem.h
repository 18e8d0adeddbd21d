/*
 * xmem.h: allocators that abort on exhaustion.  Running out of memory in a
 * scanner is not a per-target condition we can report, so, as in zmap and
 * the OpenBSD tools, the process stops with a message.
 */
#ifndef CERTSWEEP_XMEM_H
#define CERTSWEEP_XMEM_H

#include <stddef.h>
#include <string.h>

/* Shape the heap for a scanner: keep it, and back it by huge pages. */
void	 xmem_heap_init(void);
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	*xmemdup(const void *, size_t);
/* printf into a new string. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* src into dst[size], cut to fit and terminated: snprintf(dst, size, "%s",
 * src) without parsing a format, for the fields filled per endpoint. */
static inline void
str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

#endif /* CERTSWEEP_XMEM_H */
