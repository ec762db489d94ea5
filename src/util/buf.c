/*
 * buf.c: the growable string, its escaped-field form (util.h), and a
 * hash of bytes.  Owns nothing but its own memory; never returns NULL
 * (allocation failure is fatal in xmalloc).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char buf_empty[1];

void
buf_init(struct buf *b)
{
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
}

void
buf_release(struct buf *b)
{
	if (b->alloc != 0)
		free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t	need;

	if (extra > SIZE_MAX - b->len - 1)
		fatal("buffer too large");
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return;
	if (need < b->alloc + b->alloc / 2)
		need = b->alloc + b->alloc / 2;
	if (need < 32)
		need = 32;
	if (b->alloc == 0) {
		b->data = xmalloc(need);
		b->data[0] = '\0';
	} else
		b->data = xrealloc(b->data, need);
	b->alloc = need;
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len > b->len)
		BUG("buf_truncate past the end");
	if (b->alloc == 0)
		return;
	b->len = len;
	b->data[len] = '\0';
}

void
buf_add(struct buf *b, const void *p, size_t len)
{
	if (len == 0)
		return;
	/* Room for it and the NUL (alloc is 0 or more than len): most
	 * adds need no call. */
	if (len >= b->alloc - b->len)
		buf_grow(b, len);
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addch(struct buf *b, int c)
{
	if (b->alloc - b->len < 2)
		buf_grow(b, 1);
	b->data[b->len++] = (char)c;
	b->data[b->len] = '\0';
}

void
buf_addu64(struct buf *b, uint64_t v)
{
	char	tmp[20];
	size_t	n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	buf_add(b, tmp + n, sizeof(tmp) - n);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	ap2;
	int	n;

	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, b->alloc ? b->alloc - b->len : 0,
	    fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("vsnprintf failed");
	if (b->alloc == 0 || (size_t)n >= b->alloc - b->len) {
		buf_grow(b, (size_t)n);
		n = vsnprintf(b->data + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_set(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	buf_reset(b);
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *
buf_detach(struct buf *b, size_t *lenp)
{
	char	*p;

	if (lenp != NULL)
		*lenp = b->len;
	if (b->alloc == 0)
		p = xstrdup("");
	else
		p = b->data;
	buf_init(b);
	return (p);
}

void
buf_trim(struct buf *b)
{
	size_t	start = 0, end = b->len;

	while (start < end && (b->data[start] == ' ' ||
	    b->data[start] == '\t' || b->data[start] == '\n' ||
	    b->data[start] == '\r'))
		start++;
	while (end > start && (b->data[end - 1] == ' ' ||
	    b->data[end - 1] == '\t' || b->data[end - 1] == '\n' ||
	    b->data[end - 1] == '\r'))
		end--;
	if (b->alloc == 0)
		return;
	memmove(b->data, b->data + start, end - start);
	buf_truncate(b, end - start);
}

void
buf_addjson(struct buf *b, const char *s, size_t len)
{
	size_t		i;
	unsigned char	c;

	buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		default:
			if (c < 0x20)
				buf_printf(b, "\\u%04x", c);
			else
				buf_addch(b, c);
		}
	}
	buf_addch(b, '"');
}

void
buf_addesc(struct buf *b, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		default:
			buf_addch(b, (unsigned char)s[i]);
		}
	}
}

void
buf_addunesc(struct buf *b, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (s[i] != '\\' || i + 1 == len) {
			buf_addch(b, (unsigned char)s[i]);
			continue;
		}
		switch (s[++i]) {
		case 't':
			buf_addch(b, '\t');
			break;
		case 'n':
			buf_addch(b, '\n');
			break;
		case 'r':
			buf_addch(b, '\r');
			break;
		default:
			buf_addch(b, (unsigned char)s[i]);
		}
	}
}

int
buf_error(struct buf *err, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return (-1);
	buf_reset(err);
	va_start(ap, fmt);
	buf_vprintf(err, fmt, ap);
	va_end(ap);
	return (-1);
}

void
buf_prefix(struct buf *err, const char *fmt, ...)
{
	struct buf	pre = BUF_INIT;
	va_list		ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	buf_vprintf(&pre, fmt, ap);
	va_end(ap);
	buf_add(&pre, err->data, err->len);
	buf_release(err);
	*err = pre;
}

uint64_t
hash_fnv1a(const void *p, size_t len)
{
	const unsigned char	*s = p;
	uint64_t		 h = 0xcbf29ce484222325ull;
	size_t			 i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return (h);
}
