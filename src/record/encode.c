/*
 * encode.c: the versioned byte encoding of a record (DESIGN.md §3), the
 * value a table's B-tree stores under the record's id.  Owns the format
 * and its defensive decoding: whatever bytes arrive, decoding fails with
 * a message or succeeds, never reads out of bounds.  Must not know about
 * Berkeley DB, and never prints.
 *
 *   u8 format (1), u8 flags, u32 rev, i64 created, i64 updated,
 *   u8 len + created_by, u8 len + updated_by,
 *   then per set field: u16 id, u8 type, u32 len, bytes
 *   (ints as 8 bytes, texts as their bytes), all big-endian.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"

#define REC_FORMAT	1
#define HEAD_FIXED	22	/* format, flags, rev, created, updated */
#define ENTRY_HEAD	7	/* id, type, len */

/* Types this build knows; a newer build's types are kept opaque. */
#define TYPE_KNOWN(t)	((t) <= FT_EMAIL)
#define TYPE_INT(t)	(TYPE_KNOWN(t) && FT_IS_INT(t))

static void
put_u16(struct buf *b, uint16_t v)
{
	unsigned char	p[2];

	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
	buf_add(b, p, 2);
}

static void
put_u32(struct buf *b, uint32_t v)
{
	unsigned char	p[4];
	int		i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (24 - 8 * i));
	buf_add(b, p, 4);
}

static void
put_u64(struct buf *b, uint64_t v)
{
	unsigned char	p[8];
	int		i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
	buf_add(b, p, 8);
}

static uint16_t
get_u16(const unsigned char *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

static uint32_t
get_u32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (v);
}

/* A user name, cut to 255 bytes at a character boundary. */
static void
put_str8(struct buf *b, const char *s)
{
	size_t	len = s != NULL ? strlen(s) : 0;

	if (len > 255) {
		len = 255;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	buf_addch(b, (int)len);
	buf_add(b, s, len);
}

/* Position of the field with this id, trying the hint first (fields are
 * usually encoded in table order), or -1. */
static ssize_t
field_by_id(const struct table *t, uint16_t id, size_t *hint)
{
	size_t	i;

	if (id == 0)
		return (-1);
	if (*hint < t->nfields && t->fields[*hint].id == id)
		return ((ssize_t)(*hint)++);
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].id == id) {
			*hint = i + 1;
			return ((ssize_t)i);
		}
	return (-1);
}

void
record_encode(const struct record *rec, struct buf *out)
{
	const struct table *t = rec->table;
	const struct value *v;
	const unsigned char *p, *end;
	size_t		 i, hint = 0, elen;
	ssize_t		 pos;
	uint16_t	 id;

	buf_addch(out, REC_FORMAT);
	buf_addch(out, (int)(rec->flags & 0xff));
	put_u32(out, rec->rev);
	put_u64(out, (uint64_t)rec->created);
	put_u64(out, (uint64_t)rec->updated);
	put_str8(out, rec->created_by);
	put_str8(out, rec->updated_by);
	for (i = 0; i < t->nfields; i++) {
		v = &rec->values[i];
		if (!v->set || t->fields[i].id == 0)
			continue;
		put_u16(out, t->fields[i].id);
		buf_addch(out, (int)t->fields[i].type);
		if (FT_IS_INT(t->fields[i].type)) {
			put_u32(out, 8);
			put_u64(out, (uint64_t)v->i);
		} else {
			put_u32(out, (uint32_t)v->len);
			buf_add(out, v->s, v->len);
		}
	}
	/*
	 * Entries this form does not understand go back as they came,
	 * except an old-typed entry of a field that has a value again: the
	 * value supersedes it, and an id must not appear twice.
	 */
	p = (const unsigned char *)rec->extra.data;
	end = p + rec->extra.len;
	while ((size_t)(end - p) >= ENTRY_HEAD) {
		id = get_u16(p);
		elen = get_u32(p + 3);
		if (elen > (size_t)(end - p) - ENTRY_HEAD)
			break;	/* cannot happen: decode checked */
		pos = field_by_id(t, id, &hint);
		if (pos < 0 || !rec->values[pos].set)
			buf_add(out, p, ENTRY_HEAD + elen);
		p += ENTRY_HEAD + elen;
	}
}

/*
 * Walk the header; on success *off is the offset of the first entry.
 * Both the full decoder and record_decode_field() start here.
 */
static int
decode_head(const unsigned char *p, size_t len, size_t *off, struct buf *err)
{
	size_t	o;

	if (len < HEAD_FIXED + 2)
		return (buf_error(err, _("truncated at %zu bytes"),
		    len));
	if (p[0] != REC_FORMAT)
		return (buf_error(err, _("unsupported record format %u"),
		    (unsigned)p[0]));
	o = HEAD_FIXED;
	o += 1 + p[o];			/* created_by */
	if (o >= len)
		return (buf_error(err, _("truncated at %zu bytes"),
		    len));
	o += 1 + p[o];			/* updated_by */
	if (o > len)
		return (buf_error(err, _("truncated at %zu bytes"),
		    len));
	*off = o;
	return (0);
}

int
record_decode(struct record *rec, const void *data, size_t len,
    struct buf *err)
{
	const struct table *t = rec->table;
	const unsigned char *p = data;
	struct value	*v;
	struct buf	 why = BUF_INIT;
	uint64_t	 id_keep = rec->id;
	size_t		 off, elen, hint = 0;
	ssize_t		 pos;
	uint16_t	 id;
	unsigned	 type;
	size_t		 ulen;

	record_reset(rec);
	rec->id = id_keep;
	if (decode_head(p, len, &off, &why) == -1)
		goto bad;
	rec->flags = p[1];
	rec->rev = get_u32(p + 2);
	rec->created = (int64_t)get_u64(p + 6);
	rec->updated = (int64_t)get_u64(p + 14);
	ulen = p[HEAD_FIXED];
	if (ulen != 0)
		rec->created_by = xstrndup((const char *)p + HEAD_FIXED + 1,
		    ulen);
	if (p[HEAD_FIXED + 1 + ulen] != 0)
		rec->updated_by = xstrndup((const char *)p + HEAD_FIXED + 2 +
		    ulen, p[HEAD_FIXED + 1 + ulen]);
	/*
	 * Every text and its NUL fit in len bytes (each entry has a 7-byte
	 * head), so growing texts once means it never moves while values
	 * point into it.
	 */
	buf_grow(&rec->texts, len);
	while (off < len) {
		if (len - off < ENTRY_HEAD) {
			buf_error(&why, _("truncated in the entry at byte "
			    "%zu"), off);
			goto bad;
		}
		id = get_u16(p + off);
		type = p[off + 2];
		elen = get_u32(p + off + 3);
		if (elen > len - off - ENTRY_HEAD) {
			buf_error(&why, _("the entry at byte %zu runs past "
			    "the end"), off);
			goto bad;
		}
		if (TYPE_INT(type) && elen != 8) {
			buf_error(&why, _("the entry at byte %zu is a number "
			    "of %zu bytes"), off, elen);
			goto bad;
		}
		pos = field_by_id(t, id, &hint);
		if (pos < 0 || type != (unsigned)t->fields[pos].type) {
			/* Unknown to this form, or of another type now. */
			buf_add(&rec->extra, p + off, ENTRY_HEAD + elen);
			off += ENTRY_HEAD + elen;
			continue;
		}
		v = &rec->values[pos];
		if (v->set) {
			buf_error(&why, _("field '%s' appears twice"),
			    t->fields[pos].name);
			goto bad;
		}
		if (TYPE_INT(type)) {
			v->set = 1;
			v->i = (int64_t)get_u64(p + off + ENTRY_HEAD);
		} else if (elen != 0) {
			/* Room was made above: copied in place. */
			v->set = 1;
			v->s = rec->texts.data + rec->texts.len;
			v->len = elen;
			memcpy(v->s, p + off + ENTRY_HEAD, elen);
			v->s[elen] = '\0';
			rec->texts.len += elen + 1;
		}
		off += ENTRY_HEAD + elen;
	}
	rec->texts.data[rec->texts.len] = '\0';	/* as a buf keeps it */
	return (0);
bad:
	buf_error(err, _("record %llu of '%s': %s"),
	    (unsigned long long)id_keep, t->name, why.data);
	buf_release(&why);
	record_reset(rec);
	rec->id = id_keep;
	return (-1);
}

int
record_decode_field(const void *data, size_t len, uint16_t id,
    struct value *v)
{
	const unsigned char *p = data;
	size_t		 off, elen;
	unsigned	 type;

	memset(v, 0, sizeof(*v));
	if (decode_head(p, len, &off, NULL) == -1)
		return (-1);
	while (off < len) {
		if (len - off < ENTRY_HEAD)
			return (-1);
		type = p[off + 2];
		elen = get_u32(p + off + 3);
		if (elen > len - off - ENTRY_HEAD ||
		    (TYPE_INT(type) && elen != 8))
			return (-1);
		if (get_u16(p + off) == id) {
			v->set = 1;
			if (TYPE_INT(type))
				v->i = (int64_t)get_u64(p + off + ENTRY_HEAD);
			else {
				v->s = (char *)(uintptr_t)(p + off +
				    ENTRY_HEAD);
				v->len = elen;
				v->set = elen != 0;
			}
			return (v->set);
		}
		off += ENTRY_HEAD + elen;
	}
	return (0);
}
