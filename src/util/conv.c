/*
 * conv.c: character set conversion at the edges (imports, mail, PDF)
 * through glibc's iconv, in a streaming form.  It owns the iconv handle
 * and the few bytes of a multibyte sequence cut by a chunk boundary;
 * it reports every bad byte with its offset in the whole input and
 * never substitutes or drops characters (no //TRANSLIT or //IGNORE:
 * glibc's transliteration depends on the locale, and silently lost
 * text in a bank statement is worse than an error).
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct conv {
	iconv_t		 cd;
	iconv_t		 probe;		/* from -> UTF-8, opened on EILSEQ */
	char		*from;		/* upper-cased, for messages */
	char		*to;
	struct buf	 tail;		/* cut sequence kept for the next feed */
	struct buf	 scratch;	/* tail + next chunk */
	uint64_t	 offset;	/* input bytes converted so far */
	int		 failed;
};

static char *
upper_name(const char *s)
{
	char	*p, *u = xstrdup(s);

	for (p = u; *p != '\0'; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
	return (u);
}

struct conv *
conv_open(const char *from, const char *to, struct buf *err)
{
	struct conv	*c;
	iconv_t		 cd;

	if ((cd = iconv_open(to, from)) == (iconv_t)-1) {
		if (errno == EINVAL)
			buf_error(err, _("cannot convert from '%s' to '%s': "
			    "the system does not know one of them"), from, to);
		else
			buf_error(err, _("cannot convert from '%s' to '%s': "
			    "%s"), from, to, strerror(errno));
		return (NULL);
	}
	c = xcalloc(1, sizeof(*c));
	c->cd = cd;
	c->probe = (iconv_t)-1;
	c->from = upper_name(from);
	c->to = upper_name(to);
	buf_init(&c->tail);
	buf_init(&c->scratch);
	return (c);
}

void
conv_free(struct conv *c)
{
	if (c == NULL)
		return;
	iconv_close(c->cd);
	if (c->probe != (iconv_t)-1)
		iconv_close(c->probe);
	free(c->from);
	free(c->to);
	buf_release(&c->tail);
	buf_release(&c->scratch);
	free(c);
}

uint64_t
conv_offset(struct conv *c)
{
	return (c->offset);
}

/*
 * iconv says EILSEQ both for input that is not valid in the source
 * encoding and for a valid character the target cannot represent (a
 * Chinese letter into CP1251).  The user needs to know which, so
 * convert the offending character alone to UTF-8: if that works, the
 * input was fine and the target is to blame.
 */
static int
conv_bad(struct conv *c, const char *p, size_t left, uint64_t at,
    struct buf *err)
{
	char		 u8[16], *in = (char *)p, *out = u8;
	size_t		 inleft = left < 8 ? left : 8, outleft = sizeof(u8);
	uint32_t	 cp;

	c->failed = 1;
	if (c->probe == (iconv_t)-1)
		c->probe = iconv_open("UTF-8", c->from);
	if (c->probe != (iconv_t)-1) {
		iconv(c->probe, NULL, NULL, NULL, NULL);
		iconv(c->probe, &in, &inleft, &out, &outleft);
		if (out > u8 && utf8_decode(u8, (size_t)(out - u8), &cp) != 0)
			return (buf_error(err, _("character U+%04X at byte "
			    "%llu cannot be written in %s"), (unsigned)cp,
			    (unsigned long long)at, c->to));
	}
	return (buf_error(err, _("invalid %s input at byte %llu"), c->from,
	    (unsigned long long)at));
}

/* Make room for at least extra more bytes and point iconv at it. */
static void
out_room(struct buf *out, size_t extra, char **op, size_t *oleft)
{
	buf_grow(out, extra);
	*op = out->data + out->len;
	*oleft = out->alloc - out->len - 1;	/* keep the NUL's byte */
}

int
conv_feed(struct conv *c, const char *data, size_t len, struct buf *out,
    int final, struct buf *err)
{
	char	*in, *op;
	size_t	 inleft, oleft, r, before;

	if (c->failed)
		return (buf_error(err, _("conversion from %s to %s already "
		    "failed"), c->from, c->to));
	/* A sequence cut at the end of the last chunk is completed by the
	 * start of this one: convert them together. */
	if (c->tail.len > 0) {
		buf_reset(&c->scratch);
		buf_add(&c->scratch, c->tail.data, c->tail.len);
		buf_add(&c->scratch, data, len);
		buf_reset(&c->tail);
		data = c->scratch.data;
		len = c->scratch.len;
	}
	in = (char *)data;
	inleft = len;
	/* Room for the common cases (single-byte to UTF-8 doubles
	 * Cyrillic); E2BIG below grows it when that is not enough. */
	out_room(out, inleft + inleft / 2 + 16, &op, &oleft);
	while (inleft > 0) {
		before = inleft;
		r = iconv(c->cd, &in, &inleft, &op, &oleft);
		c->offset += before - inleft;
		out->len = (size_t)(op - out->data);
		out->data[out->len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			/* More than what is left, so it always grows. */
			out_room(out, out->alloc - out->len + inleft * 2 + 16,
			    &op, &oleft);
			continue;
		}
		if (errno == EINVAL) {
			/* An incomplete sequence at the end of the buffer:
			 * not an error unless no more input will come. */
			if (final) {
				c->failed = 1;
				return (buf_error(err, _("%s input ends inside "
				    "a multibyte sequence at byte %llu"),
				    c->from, (unsigned long long)c->offset));
			}
			buf_add(&c->tail, in, inleft);
			return (0);
		}
		if (errno == EILSEQ)
			return (conv_bad(c, in, inleft, c->offset, err));
		c->failed = 1;
		return (buf_error(err, _("cannot convert from %s to %s: %s"),
		    c->from, c->to, strerror(errno)));
	}
	if (final) {
		/* Stateful encodings (ISO-2022) may owe a reset sequence. */
		for (;;) {
			if (iconv(c->cd, NULL, NULL, &op, &oleft) !=
			    (size_t)-1)
				break;
			if (errno != E2BIG) {
				c->failed = 1;
				return (buf_error(err, _("cannot convert from "
				    "%s to %s: %s"), c->from, c->to,
				    strerror(errno)));
			}
			out->len = (size_t)(op - out->data);
			out_room(out, out->alloc - out->len + 64, &op,
			    &oleft);
		}
		out->len = (size_t)(op - out->data);
		out->data[out->len] = '\0';
	}
	return (0);
}

int
conv_string(const char *from, const char *to, const char *s, size_t len,
    struct buf *out, struct buf *err)
{
	struct conv	*c;
	int		 rc;

	if ((c = conv_open(from, to, err)) == NULL)
		return (-1);
	rc = conv_feed(c, s, len, out, 1, err);
	conv_free(c);
	return (rc);
}
