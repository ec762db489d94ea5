/*
 * xmalloc.c: allocation that never returns NULL, and fatal().  Out of
 * memory is not an error a caller can handle usefully, so it ends the
 * process after the registered hook has restored the terminal.
 */
#include "config.h"

#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void (*fatal_hook)(void);

void
fatal_set_hook(void (*fn)(void))
{
	fatal_hook = fn;
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	if (fatal_hook != NULL) {
		void (*fn)(void) = fatal_hook;

		fatal_hook = NULL;
		fn();
	}
	fputs("clerk: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		fatal("out of memory allocating %zu bytes", size);
	return (p);
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = calloc(n, size)) == NULL)
		fatal("out of memory allocating %zu x %zu bytes", n, size);
	return (p);
}

void *
xrealloc(void *p, size_t size)
{
	if (size == 0)
		size = 1;
	if ((p = realloc(p, size)) == NULL)
		fatal("out of memory allocating %zu bytes", size);
	return (p);
}

/*
 * A big array filled once by a request (the ids of every match of a
 * search: 4 MB at 1,000,000 records).  Fresh memory is faulted in a
 * page at a time; a 2 MB page where the kernel gives transparent huge
 * pages on request takes a fault where 512 small ones did (the first
 * search of "о" at 1,000,000 parties: 1,450 faults in the server, 500
 * with it).  Smaller arrays, or a kernel without it, get malloc()'s
 * memory.  Freed with free().
 */
#define LARGE_MIN	(4u << 20)
#define LARGE_ALIGN	(2u << 20)

void *
xmallocarray_large(size_t n, size_t size)
{
	void	*p;

	if (size != 0 && n > SIZE_MAX / size)
		fatal("allocation overflow: %zu x %zu", n, size);
#ifdef MADV_HUGEPAGE
	if (n * size >= LARGE_MIN) {
		if (posix_memalign(&p, LARGE_ALIGN, n * size) != 0)
			fatal("out of memory allocating %zu x %zu bytes", n,
			    size);
		/* Only advice: without it the memory is the same. */
		(void)madvise(p, n * size, MADV_HUGEPAGE);
		return (p);
	}
#endif
	return (xreallocarray(NULL, n, size));
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatal("allocation overflow: %zu x %zu", n, size);
	return (xrealloc(p, n * size));
}

char *
xstrdup(const char *s)
{
	return (xmemdup(s, strlen(s) + 1));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len = strnlen(s, n);

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

void *
xmemdup(const void *s, size_t n)
{
	void	*p = xmalloc(n);

	memcpy(p, s, n);
	return (p);
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("out of memory formatting a string");
	return (n);
}
