/*
 * encode.c: the versioned byte encoding of a record (DESIGN.md §3), the
 * value a table's B-tree stores under the record's id.  Owns the format
 * and its defensive decoding: whatever bytes arrive, decoding fails with
 * a message or succeeds, never reads out of bounds.  Must not know about
 * Berkeley DB, and never prints.
 *
 * Format 2, written since session 7:
 *   u8 2, u8 flags, var rev, zvar created, zvar updated,
 *   u8 len + created_by, u8 len + updated_by,
 *   then per set field: var id, u8 type, var len, bytes
 *   (an int as the zvar of its value, len its 1-10 bytes; a text as its
 *   bytes).  var: unsigned LEB128; zvar: var of the zigzag of a signed
 *   value, so small negative numbers (dates before 1970) stay short.
 * Format 1, still read:
 *   u8 1, u8 flags, u32 rev, i64 created, i64 updated, the two users as
 *   above, then per set field: u16 id, u8 type, u32 len, bytes (ints as
 *   8 bytes), all big-endian.
 * Format 2 is format 1 with its seven-byte entry heads and eight-byte
 * numbers cut to what they need: a party took 527 bytes, about 150 of
 * them heads and zeros, and the table is most of what a page of a list
 * or a card reads from disk.  Both formats keep the format in byte 0 and
 * the flags in byte 1, where the store looks for an archived record
 * without decoding it.  Entries a form does not know are kept
 * (rec->extra) in format 2 whatever they came in, so writing a record
 * back always gives format 2.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "record/record_int.h"

#define REC_FORMAT	2
#define REC_FORMAT_1	1
#define HEAD_FIXED_1	22	/* format 1: format, flags, rev, created,
				 * updated */
#define ENTRY_HEAD_1	7	/* format 1: id, type, len */
#define VAR_MAX		10	/* bytes of the longest var */

/* Types this build knows; a newer build's types are kept opaque. */
#define TYPE_KNOWN(t)	((t) <= FT_EMAIL)
#define TYPE_INT(t)	(TYPE_KNOWN(t) && FT_IS_INT(t))

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

/* v as a var into p (VAR_MAX bytes of room): its length. */
static size_t
var_enc(unsigned char *p, uint64_t v)
{
	size_t	n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return (n);
}

static void
var_put(struct buf *b, uint64_t v)
{
	unsigned char	p[VAR_MAX];

	buf_add(b, p, var_enc(p, v));
}

/* A var from at most avail bytes: its length, or 0 when cut short or
 * longer than a 64-bit number takes. */
static inline size_t
var_get(const unsigned char *p, size_t avail, uint64_t *v)
{
	uint64_t	x = 0, b;
	size_t		i, n = avail < VAR_MAX ? avail : VAR_MAX;

	for (i = 0; i < n; i++) {
		b = p[i];
		x |= (b & 0x7f) << (7 * i);
		if (b < 0x80) {
			if (i == VAR_MAX - 1 && b > 1)
				break;		/* past 64 bits */
			*v = x;
			return (i + 1);
		}
	}
	*v = 0;
	return (0);
}

/* 0, -1, 1, -2, ... as 0, 1, 2, 3, ... */
static uint64_t
zigzag(int64_t v)
{
	return (v < 0 ? ~((uint64_t)v << 1) : (uint64_t)v << 1);
}

static int64_t
unzigzag(uint64_t u)
{
	return ((int64_t)(u >> 1) ^ -(int64_t)(u & 1));
}

/* A record's header, either format. */
struct head {
	unsigned	 format, flags;
	uint32_t	 rev;
	int64_t		 created, updated;
	const char	*created_by, *updated_by;
	size_t		 created_len, updated_len;
	size_t		 off;		/* of the first entry */
};

/* One field entry, either format; val points into the record. */
struct entry {
	uint16_t	 id;
	unsigned	 type;
	uint64_t	 len;
	const unsigned char *val;
	int64_t		 i;		/* an int type's value */
	size_t		 start;		/* offset of the entry */
};

static int	entry_next(const unsigned char *, size_t, unsigned, size_t *,
		    struct entry *, struct buf *, int);

/* Field entries in format 2. */
static void
put_int_entry(struct buf *b, uint16_t id, unsigned type, int64_t i)
{
	unsigned char	z[VAR_MAX];
	size_t		n = var_enc(z, zigzag(i));

	var_put(b, id);
	buf_addch(b, (int)type);
	buf_addch(b, (int)n);
	buf_add(b, z, n);
}

static void
put_text_entry(struct buf *b, uint16_t id, unsigned type, const void *s,
    size_t len)
{
	var_put(b, id);
	buf_addch(b, (int)type);
	var_put(b, len);
	buf_add(b, s, len);
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
	struct entry	 e;
	size_t		 i, off, hint = 0;
	ssize_t		 pos;

	buf_addch(out, REC_FORMAT);
	buf_addch(out, (int)(rec->flags & 0xff));
	var_put(out, rec->rev);
	var_put(out, zigzag(rec->created));
	var_put(out, zigzag(rec->updated));
	put_str8(out, rec->created_by);
	put_str8(out, rec->updated_by);
	for (i = 0; i < t->nfields; i++) {
		v = &rec->values[i];
		if (!v->set || t->fields[i].id == 0)
			continue;
		if (FT_IS_INT(t->fields[i].type))
			put_int_entry(out, t->fields[i].id,
			    (unsigned)t->fields[i].type, v->i);
		else
			put_text_entry(out, t->fields[i].id,
			    (unsigned)t->fields[i].type, v->s, v->len);
	}
	/*
	 * Entries this form does not understand go back as they came (in
	 * format 2: decode made them so), except an old-typed entry of a
	 * field that has a value again: the value supersedes it, and an id
	 * must not appear twice.
	 */
	off = 0;
	while (entry_next((const unsigned char *)rec->extra.data,
	    rec->extra.len, REC_FORMAT, &off, &e, NULL, 0) == 1) {
		pos = field_by_id(t, e.id, &hint);
		if (pos < 0 || !rec->values[pos].set)
			buf_add(out, rec->extra.data + e.start, off - e.start);
	}
}

/*
 * Walk the header of either format into h; on success h->off is the
 * offset of the first entry.  Both the full decoder and
 * record_decode_field() start here.
 */
static int
decode_head(const unsigned char *p, size_t len, struct head *h,
    struct buf *err)
{
	uint64_t	v;
	size_t		o, n;

	memset(h, 0, sizeof(*h));
	if (len < 2)
		return (buf_error(err, _("truncated at %zu bytes"), len));
	h->format = p[0];
	h->flags = p[1];
	if (h->format == REC_FORMAT_1) {
		if (len < HEAD_FIXED_1 + 2)
			return (buf_error(err, _("truncated at %zu bytes"),
			    len));
		h->rev = get_u32(p + 2);
		h->created = (int64_t)get_u64(p + 6);
		h->updated = (int64_t)get_u64(p + 14);
		o = HEAD_FIXED_1;
	} else if (h->format == REC_FORMAT) {
		o = 2;
		if ((n = var_get(p + o, len - o, &v)) == 0 || v > UINT32_MAX)
			return (buf_error(err, _("truncated at %zu bytes"),
			    len));
		h->rev = (uint32_t)v;
		o += n;
		if ((n = var_get(p + o, len - o, &v)) == 0)
			return (buf_error(err, _("truncated at %zu bytes"),
			    len));
		h->created = unzigzag(v);
		o += n;
		if ((n = var_get(p + o, len - o, &v)) == 0)
			return (buf_error(err, _("truncated at %zu bytes"),
			    len));
		h->updated = unzigzag(v);
		o += n;
	} else
		return (buf_error(err, _("unsupported record format %u"),
		    h->format));
	/* The two users, each a length byte and its bytes. */
	if (o >= len)
		return (buf_error(err, _("truncated at %zu bytes"), len));
	h->created_by = (const char *)p + o + 1;
	h->created_len = p[o];
	o += 1 + p[o];
	if (o >= len)
		return (buf_error(err, _("truncated at %zu bytes"), len));
	h->updated_by = (const char *)p + o + 1;
	h->updated_len = p[o];
	o += 1 + p[o];
	if (o > len)
		return (buf_error(err, _("truncated at %zu bytes"), len));
	h->off = o;
	return (0);
}

/*
 * The entry at *off of a record in format: 1 with e set and *off past
 * it, 0 at the end, -1 when the bytes are not an entry (why says so
 * when not NULL).  A format 2 number is read only when ints is set
 * (else entry_int() reads it): a search for one field passes over the
 * others, and a scan of a million records does that for each.
 */
static int
entry_next(const unsigned char *p, size_t len, unsigned format, size_t *off,
    struct entry *e, struct buf *why, int ints)
{
	size_t		 o = *off, n;
	uint64_t	 v;

	if (o >= len)
		return (0);
	e->start = o;
	if (format == REC_FORMAT_1) {
		if (len - o < ENTRY_HEAD_1)
			goto cut;
		e->id = get_u16(p + o);
		e->type = p[o + 2];
		e->len = get_u32(p + o + 3);
		o += ENTRY_HEAD_1;
	} else if (len - o >= 3 && p[o] < 0x80 && p[o + 2] < 0x80) {
		/* Id and length of a byte each: most fields. */
		e->id = p[o];
		e->type = p[o + 1];
		e->len = p[o + 2];
		o += 3;
	} else {
		if ((n = var_get(p + o, len - o, &v)) == 0 || v > UINT16_MAX)
			goto cut;
		e->id = (uint16_t)v;
		o += n;
		if (o >= len)
			goto cut;
		e->type = p[o++];
		if ((n = var_get(p + o, len - o, &v)) == 0)
			goto cut;
		e->len = v;
		o += n;
	}
	if (e->len > len - o) {
		if (why != NULL)
			buf_error(why, _("the entry at byte %zu runs past the "
			    "end"), e->start);
		return (-1);
	}
	e->val = p + o;
	if (TYPE_INT(e->type)) {
		if (format == REC_FORMAT_1 && e->len == 8)
			e->i = (int64_t)get_u64(e->val);
		else if (format != REC_FORMAT_1 && !ints && e->len != 0 &&
		    e->len <= VAR_MAX)
			e->i = 0;	/* not read: entry_int() when wanted */
		else if (format != REC_FORMAT_1 && e->len != 0 &&
		    var_get(e->val, e->len, &v) == e->len)
			e->i = unzigzag(v);
		else {
			if (why != NULL)
				buf_error(why, _("the entry at byte %zu is a "
				    "number of %zu bytes"), e->start,
				    (size_t)e->len);
			return (-1);
		}
	}
	*off = o + e->len;
	return (1);
cut:
	if (why != NULL)
		buf_error(why, _("truncated in the entry at byte %zu"),
		    e->start);
	return (-1);
}

/* The number of an entry entry_next() passed over without reading. */
static int
entry_int(struct entry *e, unsigned format)
{
	uint64_t	v;

	if (format == REC_FORMAT_1)
		return (0);	/* always read */
	if (var_get(e->val, e->len, &v) != e->len)
		return (-1);
	e->i = unzigzag(v);
	return (0);
}

/* A var at p + *o of at most len - *o bytes: 0 with *o past it, or -1. */
static inline int
var_at(const unsigned char *p, size_t len, size_t *o, uint64_t *v)
{
	size_t	n;

	if (*o < len && p[*o] < 0x80) {
		*v = p[(*o)++];
		return (0);
	}
	if (*o >= len || (n = var_get(p + *o, len - *o, v)) == 0)
		return (-1);
	*o += n;
	return (0);
}

/*
 * record_decode() of the common record in one pass: format 2, every
 * entry of an id and a length of a byte each, of a field of the form
 * with its type, once, and a record whose texts are all in rec->texts
 * (one decoded before, or a new one).  0 when it was such a record and
 * rec holds it; -1 (rec half made, the names kept in it) for anything
 * else, which record_decode() then decodes the long way with its
 * checks and messages.  The general path read the header, each entry
 * and each number through calls of their own and cleared the record
 * field by field: a record of a query's fifty took 1,250 instructions.
 */
static int
decode_fast(struct record *rec, const unsigned char *p, size_t len)
{
	const struct table *t = rec->table;
	struct value	*v;
	uintptr_t	 lo = (uintptr_t)rec->texts.data;
	uint64_t	 rev, cr, up, x;
	size_t		 o = 2, i, hint = 0, nf = t->nfields, n, pos;
	unsigned	 id, type;

	for (i = 0; i < nf; i++) {
		v = &rec->values[i];
		if (v->s != NULL && (rec->texts.alloc == 0 ||
		    (uintptr_t)v->s - lo >= rec->texts.alloc))
			return (-1);	/* a text of its own, to free */
		v->set = 0;
		v->i = 0;
		v->s = NULL;
		v->len = 0;
	}
	buf_reset(&rec->extra);
	rec->texts.len = 0;
	if (var_at(p, len, &o, &rev) != 0 || rev > UINT32_MAX ||
	    var_at(p, len, &o, &cr) != 0 || var_at(p, len, &o, &up) != 0)
		return (-1);
	if (o >= len || (n = p[o]) >= len - o)
		return (-1);
	rec->created_by = record_name((const char *)p + o + 1, n);
	o += 1 + n;
	if (o >= len || (n = p[o]) > len - o - 1)
		return (-1);
	rec->updated_by = record_name((const char *)p + o + 1, n);
	o += 1 + n;
	/* Every text and its NUL fit in len bytes, as record_decode()
	 * says. */
	record_texts_room(rec, len);
	while (o < len) {
		if (len - o < 3 || p[o] >= 0x80 || p[o + 2] >= 0x80)
			return (-1);
		id = p[o];
		type = p[o + 1];
		n = p[o + 2];
		o += 3;
		if (n > len - o || id == 0)
			return (-1);	/* (id 0: no field's, kept aside) */
		if (hint < nf && t->fields[hint].id == id)
			pos = hint++;
		else {
			for (pos = 0; pos < nf && t->fields[pos].id != id;
			    pos++)
				;
			if (pos == nf)
				return (-1);
			hint = pos + 1;
		}
		v = &rec->values[pos];
		if (type != (unsigned)t->fields[pos].type || v->set)
			return (-1);
		if (TYPE_INT(type)) {
			if (n == 0 || n > VAR_MAX || var_get(p + o, n,
			    &x) != n)
				return (-1);
			v->set = 1;
			v->i = unzigzag(x);
		} else if (n != 0) {
			v->set = 1;
			v->s = rec->texts.data + rec->texts.len;
			v->len = n;
			memcpy(v->s, p + o, n);
			v->s[n] = '\0';
			rec->texts.len += n + 1;
		}
		o += n;
	}
	rec->texts.data[rec->texts.len] = '\0';
	rec->flags = p[1];
	rec->rev = (uint32_t)rev;
	rec->created = unzigzag(cr);
	rec->updated = unzigzag(up);
	return (0);
}

int
record_decode(struct record *rec, const void *data, size_t len,
    struct buf *err)
{
	const struct table *t = rec->table;
	const unsigned char *p = data;
	struct value	*v;
	struct head	 h;
	struct entry	 e;
	struct buf	 why = BUF_INIT;
	uint64_t	 id_keep = rec->id;
	size_t		 off, hint = 0;
	ssize_t		 pos;
	int		 r;

	if (len > 2 && p[0] == REC_FORMAT && decode_fast(rec, p, len) == 0)
		return (0);
	record_reset(rec);
	rec->id = id_keep;
	if (decode_head(p, len, &h, &why) == -1)
		goto bad;
	rec->flags = h.flags;
	rec->rev = h.rev;
	rec->created = h.created;
	rec->updated = h.updated;
	rec->created_by = record_name(h.created_by, h.created_len);
	rec->updated_by = record_name(h.updated_by, h.updated_len);
	/*
	 * Every text and its NUL fit in len bytes (each entry has a head
	 * of three bytes or more), so growing texts once means it never
	 * moves while values point into it.
	 */
	record_texts_room(rec, len);
	off = h.off;
	while ((r = entry_next(p, len, h.format, &off, &e, &why, 1)) == 1) {
		pos = field_by_id(t, e.id, &hint);
		if (pos < 0 || e.type != (unsigned)t->fields[pos].type) {
			/* Unknown to this form, or of another type now:
			 * kept, in format 2. */
			if (TYPE_INT(e.type))
				put_int_entry(&rec->extra, e.id, e.type, e.i);
			else
				put_text_entry(&rec->extra, e.id, e.type,
				    e.val, e.len);
			continue;
		}
		v = &rec->values[pos];
		if (v->set) {
			buf_error(&why, _("field '%s' appears twice"),
			    t->fields[pos].name);
			goto bad;
		}
		if (TYPE_INT(e.type)) {
			v->set = 1;
			v->i = e.i;
		} else if (e.len != 0) {
			/* Room was made above: copied in place. */
			v->set = 1;
			v->s = rec->texts.data + rec->texts.len;
			v->len = e.len;
			memcpy(v->s, e.val, e.len);
			v->s[e.len] = '\0';
			rec->texts.len += e.len + 1;
		}
	}
	if (r == -1)
		goto bad;
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
	struct head	 h;
	struct entry	 e;
	size_t		 off;
	int		 r;

	memset(v, 0, sizeof(*v));
	if (len > 2 && p[0] == REC_FORMAT) {
		/*
		 * Format 2: the header passed over, not read, and entries
		 * with a one-byte id and length passed over without a call
		 * each: a scan asks this of every record, for each field
		 * it tests.
		 */
		for (off = 2, r = 0; r < 3; r++) {
			while (off < len && (p[off] & 0x80))
				off++;
			off++;
		}
		if (off >= len)
			return (-1);
		off += 1 + p[off];
		if (off >= len)
			return (-1);
		off += 1 + p[off];
		if (off > len)
			return (-1);
		h.format = REC_FORMAT;
	} else if (decode_head(p, len, &h, NULL) == -1)
		return (-1);
	else
		off = h.off;
	while (h.format == REC_FORMAT && len - off >= 3 && p[off] < 0x80 &&
	    p[off + 2] < 0x80 && p[off] != id) {
		if (p[off + 2] > len - off - 3)
			return (-1);
		off += 3 + p[off + 2];
	}
	while ((r = entry_next(p, len, h.format, &off, &e, NULL, 0)) == 1) {
		if (e.id != id)
			continue;
		if (TYPE_INT(e.type)) {
			if (entry_int(&e, h.format) == -1)
				return (-1);
			v->set = 1;
			v->i = e.i;
		} else {
			v->s = (char *)(uintptr_t)e.val;
			v->len = e.len;
			v->set = e.len != 0;
		}
		return (v->set);
	}
	return (r == -1 ? -1 : 0);
}

int
record_decode_times(const void *data, size_t len, int64_t *created,
    int64_t *updated)
{
	struct head	 h;

	if (decode_head(data, len, &h, NULL) == -1)
		return (-1);
	*created = h.created;
	*updated = h.updated;
	return (0);
}
