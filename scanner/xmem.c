/* xmem.c: abort-on-OOM allocation wrappers (the only raw malloc callers). */
#include "scanner/xmem.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void
oom(size_t n)
{
	fprintf(stderr, "certsweep: out of memory allocating %zu bytes\n", n);
	abort();
}

/* What the heap is grown by at first: a sweep of the 1024-endpoint lab
 * peaks at ~4 MiB (1000 connections in flight, SQLite's page cache). */
#define HEAP_FIRST	((size_t)6 << 20)
#define HUGE_PAGE	((uintptr_t)2 << 20)
#define PAGE		((uintptr_t)4096)
#define HEAP_SLACK	((size_t)8 << 20)	/* M_TOP_PAD and rounding */

/* Never used nor freed; see xmem_heap_init().  volatile: else the compiler
 * drops a malloc() whose result nothing reads. */
static void *volatile heap_filler;

/*
 * Every endpoint allocates and frees the same few hundred kilobytes
 * (SQLite's page-cache batches among them).  With glibc's defaults the heap
 * top went back to the kernel and was faulted in again each time: sysmalloc()
 * and page faults were ~4% of a sweep's CPU.  So the heap is kept, and grown
 * 4 MiB at a time.
 *
 * Each first touch of a 4 KiB page is a fault, and faults are dear (~11 us
 * each on the paravirtualised VMs we measure on): a sweep of the lab took
 * ~1000 of them, a tenth of its CPU.  So the heap's first HEAP_FIRST bytes
 * are made at once and marked for transparent huge pages, which the kernel
 * gives where THP is "madvise" or "always": one fault per 2 MiB.  Where THP
 * is off, madvise() fails or does nothing and pages fault in one by one, as
 * before.  Only the main arena: the first event loop and SQLite run on the
 * main thread.  Later growth of the heap is a new mapping, not marked.
 */
void
xmem_heap_init(void)
{
	uintptr_t from, huge;
	char *p, *end;

	(void)mallopt(M_TOP_PAD, 4 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 64 << 20);
	/* Blocks this big from the heap, not from mmap(), for a moment. */
	(void)mallopt(M_MMAP_THRESHOLD, 2 * HEAP_FIRST);
	if ((p = malloc(HEAP_FIRST)) == NULL)
		goto out;
	end = sbrk(0);
	from = ((uintptr_t)p + PAGE - 1) & ~(PAGE - 1);
	huge = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	/* Only a block at the top of the brk heap (not one from mmap(), as
	 * under ASan or when the heap cannot grow): from p to the break. */
	if (end == (void *)-1 || end < p + HEAP_FIRST ||
	    (size_t)(end - p) > HEAP_FIRST + (HEAP_SLACK) ||
	    (uintptr_t)end < huge + HUGE_PAGE ||
	    madvise((void *)from, (uintptr_t)end - from, MADV_HUGEPAGE) == -1) {
		free(p);
		goto out;
	}
	free(p);
	/*
	 * Only whole aligned 2 MiB ranges get a huge page, and the heap
	 * starts anywhere.  A block that ends at the first boundary keeps the
	 * 4 KiB pages before it out of use, so that what comes next (the
	 * connections, SQLite's cache) starts on a huge page.  It is never
	 * touched, so it costs address space only.  glibc carves it from the
	 * top where p was, as n + 8 bytes rounded up to 16, which for n =
	 * huge - p - 8 ends exactly at the boundary.
	 */
	if (huge - (uintptr_t)p >= 32)
		heap_filler = malloc(huge - (uintptr_t)p - 8);
out:
	(void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom(n * size);
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	p = realloc(old, n * size != 0 ? n * size : 1);
	if (p == NULL)
		oom(n * size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

char *
xstrndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *
xmemdup(const void *src, size_t n)
{
	void *p = xmalloc(n);

	if (n)
		memcpy(p, src, n);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return p;
}
