/*
 * record.c: records in memory.  Owns the values of a record, parsing
 * what a person typed or a file held into them, formatting them back for
 * people and files, defaults, validation and comparison.  The encoding
 * is in encode.c, index keys in keys.c.  Must not know about storage or
 * the terminal, and never prints.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "record/record_int.h"

int record_lang;

/*
 * A text value is either owned (malloc'ed on its own) or points into
 * rec->texts, where record_decode() packs every text of the record.
 */
static int
value_in_texts(const struct record *rec, const struct value *v)
{
	uintptr_t p = (uintptr_t)v->s, lo = (uintptr_t)rec->texts.data;

	return (rec->texts.alloc != 0 && p >= lo && p < lo + rec->texts.alloc);
}

static void
value_release(struct record *rec, struct value *v)
{
	if (v->s != NULL && !value_in_texts(rec, v))
		free(v->s);
	memset(v, 0, sizeof(*v));
}

/*
 * The names, in an open-addressed set under a lock, found first among
 * the few a thread looked up last without it.
 */
#define NAME_RECENT	4

static pthread_mutex_t	 names_lock = PTHREAD_MUTEX_INITIALIZER;
static const char	**names_set;
static size_t		 names_n, names_size;
static _Thread_local const char *names_recent[NAME_RECENT];
static _Thread_local unsigned	 names_next;

static int
name_is(const char *name, const char *s, size_t len)
{
	return (strnlen(name, len + 1) == len && memcmp(name, s, len) == 0);
}

static size_t
name_hash(const char *s, size_t len)
{
	size_t	h = 5381, i;

	for (i = 0; i < len; i++)
		h = h * 33 + (unsigned char)s[i];
	return (h);
}

/* Where name s is in a set of size slots, or the empty slot it goes in. */
static size_t
names_slot(const char **set, size_t size, const char *s, size_t len)
{
	size_t	i;

	for (i = name_hash(s, len) & (size - 1); set[i] != NULL &&
	    !name_is(set[i], s, len); i = (i + 1) & (size - 1))
		;
	return (i);
}

/* Under names_lock: the one copy of s, made the first time. */
static const char *
names_find(const char *s, size_t len)
{
	const char	**old;
	size_t		  i, oldsize;

	if (names_size != 0 && names_set[i = names_slot(names_set,
	    names_size, s, len)] != NULL)
		return (names_set[i]);
	if ((names_n + 1) * 2 > names_size) {
		old = names_set;
		oldsize = names_size;
		names_size = oldsize != 0 ? oldsize * 2 : 64;
		names_set = xcalloc(names_size, sizeof(*names_set));
		for (i = 0; i < oldsize; i++)
			if (old[i] != NULL)
				names_set[names_slot(names_set, names_size,
				    old[i], strlen(old[i]))] = old[i];
		free(old);
	}
	i = names_slot(names_set, names_size, s, len);
	names_n++;
	return (names_set[i] = xstrndup(s, len));
}

const char *
record_name(const char *s, size_t len)
{
	const char	*name;
	unsigned	 i;

	if (s == NULL || (len = strnlen(s, len)) == 0)
		return (NULL);
	for (i = 0; i < NAME_RECENT; i++) {
		name = names_recent[i];
		if (name != NULL && name_is(name, s, len))
			return (name);
	}
	pthread_mutex_lock(&names_lock);
	name = names_find(s, len);
	pthread_mutex_unlock(&names_lock);
	names_recent[names_next++ % NAME_RECENT] = name;
	return (name);
}

/*
 * One allocation for the record, its values and, with room, its texts:
 * pages of records are built in loops.  sizeof(struct record) is a
 * multiple of its alignment, which is at least that of struct value.
 */
struct record *
record_new_room(const struct table *t, size_t room)
{
	struct record	*rec;
	size_t		 head;

	if (t == NULL)
		BUG("record_new without a table");
	head = sizeof(*rec) + t->nfields * sizeof(struct value);
	if (room != 0)
		room++;		/* the NUL a buf keeps after its bytes */
	if (room > SIZE_MAX - head)
		fatal("record too large");
	rec = xmalloc(head + room);
	memset(rec, 0, head);
	rec->table = t;
	rec->values = (struct value *)(void *)(rec + 1);
	buf_init(&rec->extra);
	buf_init(&rec->texts);
	if (room != 0) {
		rec->texts.data = (char *)rec + head;
		rec->texts.alloc = room;
		rec->texts.data[0] = '\0';
	}
	return (rec);
}

struct record *
record_new(const struct table *t)
{
	return (record_new_room(t, 0));
}

/* Texts in the record's own allocation (record_new_room()). */
static int
texts_inline(const struct record *rec)
{
	return (rec->texts.alloc != 0 && rec->texts.data ==
	    (const char *)(rec->values + rec->table->nfields));
}

void
record_texts_room(struct record *rec, size_t len)
{
	if (rec->texts.alloc >= len + 1)
		return;
	if (texts_inline(rec))
		buf_init(&rec->texts);	/* not freed: part of rec */
	buf_grow(&rec->texts, len);
}

void
record_reset(struct record *rec)
{
	size_t	i;

	for (i = 0; i < rec->table->nfields; i++)
		value_release(rec, &rec->values[i]);
	buf_reset(&rec->extra);
	buf_reset(&rec->texts);
	rec->created_by = rec->updated_by = NULL;
	rec->id = 0;
	rec->rev = 0;
	rec->flags = 0;
	rec->created = rec->updated = 0;
}

void
record_free(struct record *rec)
{
	if (rec == NULL)
		return;
	record_reset(rec);
	buf_release(&rec->extra);
	if (!texts_inline(rec))
		buf_release(&rec->texts);
	free(rec);
}

struct record *
record_dup(const struct record *rec)
{
	struct record	*copy;
	size_t		 i;

	copy = record_new(rec->table);
	copy->id = rec->id;
	copy->rev = rec->rev;
	copy->flags = rec->flags;
	copy->created = rec->created;
	copy->updated = rec->updated;
	copy->created_by = rec->created_by;
	copy->updated_by = rec->updated_by;
	for (i = 0; i < rec->table->nfields; i++) {
		const struct value *v = &rec->values[i];

		if (!v->set)
			continue;
		if (v->s != NULL)
			record_set_text(copy, i, v->s, v->len);
		else
			record_set_int(copy, i, v->i);
	}
	buf_add(&copy->extra, rec->extra.data, rec->extra.len);
	return (copy);
}

void
record_clear(struct record *rec, size_t pos)
{
	if (pos >= rec->table->nfields)
		BUG("record_clear: no field %zu in '%s'", pos,
		    rec->table->name);
	value_release(rec, &rec->values[pos]);
}

void
record_set_int(struct record *rec, size_t pos, int64_t i)
{
	record_clear(rec, pos);
	rec->values[pos].set = 1;
	rec->values[pos].i = i;
}

void
record_set_text(struct record *rec, size_t pos, const char *s, size_t len)
{
	char	*copy;

	/* Copy first: s may be the value being replaced. */
	copy = len != 0 ? xstrndup(s, len) : NULL;
	record_clear(rec, pos);
	if (copy == NULL)
		return;
	rec->values[pos].set = 1;
	rec->values[pos].s = copy;
	rec->values[pos].len = len;
}

/* Parsing. */

/* The bytes buf_trim() drops at either end. */
static int
is_trimmed(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

/* Fold a short string into a fresh key, for comparing words. */
static void
fold(struct buf *out, const char *s)
{
	buf_reset(out);
	utf8_foldkey(out, s, strlen(s));
}

/*
 * Whether s, whose fold key is in fs (folded by the caller once for
 * all its words), is one of words: a word is folded only when it is
 * not s itself (equal strings fold alike), into fw.
 */
static int
fold_among(const char *s, const struct buf *fs, const char *const *words,
    struct buf *fw)
{
	for (; *words != NULL; words++) {
		if (strcmp(s, *words) == 0)
			return (1);
		fold(fw, *words);
		if (fw->len == fs->len &&
		    memcmp(fw->data, fs->data, fs->len) == 0)
			return (1);
	}
	return (0);
}

/* The same among n words (an enum value's 'also' words). */
static int
fold_among_n(const char *s, const struct buf *fs, char *const *words,
    size_t n, struct buf *fw)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(s, words[i]) == 0)
			return (1);
		fold(fw, words[i]);
		if (fw->len == fs->len &&
		    memcmp(fw->data, fs->data, fs->len) == 0)
			return (1);
	}
	return (0);
}

static int
fold_is(const char *s, const char *const *words)
{
	struct buf	fs = BUF_INIT, fw = BUF_INIT;
	int		eq;

	fold(&fs, s);
	eq = fold_among(s, &fs, words, &fw);
	buf_release(&fs);
	buf_release(&fw);
	return (eq);
}

/* A decimal integer, optionally signed; the whole string. */
static int
parse_int64(const char *s, int64_t *out, struct buf *why)
{
	const char	*p = s;
	uint64_t	 n = 0, limit;
	int		 neg = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p == '\0')
		return (buf_error(why, _("'%s' is not a number"), s));
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (buf_error(why, _("'%s' is not a number"), s));
		if (n > (limit - (uint64_t)(*p - '0')) / 10)
			return (buf_error(why, _("'%s' is too large"), s));
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (neg)
		*out = n == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)n;
	else
		*out = (int64_t)n;
	return (0);
}

/*
 * Text must be valid UTF-8 without control characters other than line
 * feeds and tabs: they would corrupt screens, files and index keys.
 * A carriage return before a line feed (a pasted Windows text) is
 * dropped rather than refused.
 */
static int
parse_text(const struct field *f, const char *s, size_t len, struct buf *out,
    struct buf *why)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, run = 0, nchars = 0;
	uint32_t		 cp;

	/*
	 * One pass: the bytes are checked and counted as they go, and
	 * copied a run at a time (a run ends only at a dropped carriage
	 * return).  Printable ASCII without a call, the rest by
	 * utf8_decode_fast().
	 */
	buf_reset(out);
	while (i < len) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			i++;
			nchars++;
			continue;
		}
		if ((n = utf8_decode_fast(s + i, len - i, &cp)) == 0)
			return (buf_error(why, _("not valid UTF-8")));
		if (cp == '\r' && i + 1 < len && s[i + 1] == '\n') {
			buf_add(out, s + run, i - run);
			run = ++i;
			continue;
		}
		/* Invalid UTF-8 anywhere is the error to give first. */
		if ((cp < 0x20 && cp != '\n' && cp != '\t') ||
		    (cp >= 0x7f && cp < 0xa0))
			return (!utf8_valid(s + i, len - i, NULL) ?
			    buf_error(why, _("not valid UTF-8")) :
			    buf_error(why,
			    _("control character U+%04X not allowed"),
			    (unsigned)cp));
		i += n;
		nchars++;
	}
	buf_add(out, s + run, len - run);
	if (f->maxlen != 0 && nchars > f->maxlen)
		return (buf_error(why,
		    _("%zu characters long, at most %zu allowed"), nchars,
		    f->maxlen));
	return (0);
}

static int
parse_enum(const struct field *f, const char *s, struct buf *out,
    struct buf *why)
{
	struct buf	names = BUF_INIT, fs = BUF_INIT, fw = BUF_INIT;
	size_t		i;

	fold(&fs, s);
	for (i = 0; i < f->nvalues; i++) {
		const struct enum_value *ev = &f->values[i];
		const char *const words[] = { ev->name, ev->label[0] != NULL ?
		    ev->label[0] : ev->name, ev->label[1] != NULL ?
		    ev->label[1] : ev->name, NULL };

		if (!fold_among(s, &fs, words, &fw) && !fold_among_n(s, &fs,
		    ev->also, ev->nalso, &fw))
			continue;
		buf_reset(out);
		buf_adds(out, ev->name);
		buf_release(&fs);
		buf_release(&fw);
		return (0);
	}
	buf_release(&fs);
	buf_release(&fw);
	/* Each as the card shows it and as a command line types it, in
	 * the language of the request: a file headed in Russian takes the
	 * Russian labels. */
	for (i = 0; i < f->nvalues; i++) {
		const struct enum_value *ev = &f->values[i];
		const char *label = ev->label[msg_lang ? 1 : 0] != NULL ?
		    ev->label[msg_lang ? 1 : 0] : ev->label[0];

		if (label != NULL && strcmp(label, ev->name) != 0)
			buf_printf(&names, "%s%s ('%s')", i ? ", " : "",
			    label, ev->name);
		else
			buf_printf(&names, "%s%s", i ? ", " : "", ev->name);
	}
	buf_error(why, _("unknown value '%s' (expected %s)"), s, names.data);
	buf_release(&names);
	return (-1);
}

static int
parse_email(const char *s, struct buf *out, struct buf *why)
{
	const char	*at;
	size_t		 i, n;
	uint32_t	 cp;

	if (valid_email(s, why) == -1)
		return (-1);
	/* The domain is case-insensitive; the local part, strictly, not. */
	at = strrchr(s, '@');
	buf_reset(out);
	if (at == NULL) {
		buf_adds(out, s);
		return (0);
	}
	buf_add(out, s, (size_t)(at - s) + 1);
	for (i = (size_t)(at - s) + 1; s[i] != '\0'; i += n) {
		n = utf8_decode(s + i, strlen(s + i), &cp);
		if (n == 0)
			return (buf_error(why, _("invalid UTF-8 in '%s'"), s));
		utf8_encode(out, utf8_lower(cp));
	}
	return (0);
}

/*
 * A requisite as documents print it, in groups ("4070 2810 7380 0001
 * 0000", "7707 083 893", with no-break or thin spaces from a PDF): the
 * blanks are dropped before it is checked, so it is kept as the digits
 * the validators, indexes and duplicate checks compare.  Anything else
 * stays for the validator to name.
 */
void
record_requisite_compact(const char *s, struct buf *out)
{
	uint32_t	cp;
	size_t		n;

	buf_reset(out);
	for (; *s != '\0'; s += n) {
		if ((n = utf8_decode(s, strnlen(s, 4), &cp)) == 0) {
			buf_addch(out, *s);
			n = 1;
			continue;
		}
		if (cp == ' ' || cp == '\t' || cp == 0xA0 ||
		    (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F)
			continue;
		buf_add(out, s, n);
	}
}

/* No one-letter Russian words: the physical Y key types «н». */
static const char *const yes_words[] = { "yes", "true", "1", "y", "да",
	NULL };
static const char *const no_words[] = { "no", "false", "0", "n", "нет",
	NULL };
static const char *const now_words[] = { "now", "сейчас", NULL };

/*
 * Parse one element (s is trimmed, NUL-terminated, not empty) into either
 * *ip (int types) or out (text types).
 */
static int
parse_one(const struct field *f, const char *s, int64_t *ip, struct buf *out,
    struct buf *why)
{
	int32_t	d;

	switch (f->type) {
	case FT_TEXT:
		if (f->validator != VAL_NONE) {
			struct buf	c = BUF_INIT;
			int		rc;

			record_requisite_compact(s, &c);
			rc = parse_text(f, c.data, c.len, out, why);
			buf_release(&c);
			return (rc);
		}
		return (parse_text(f, s, strlen(s), out, why));
	case FT_INT:
		return (parse_int64(s, ip, why));
	case FT_MONEY:
		return (money_parse(s, ip, why));
	case FT_QTY:
		return (qty_parse(s, ip, why));
	case FT_DATE:
		/* today, month start - 1 as well: the words are util's. */
		if (date_parse(s, &d, why) == -1)
			return (-1);
		*ip = d;
		return (0);
	case FT_DATETIME:
		if (fold_is(s, now_words)) {
			*ip = clock_now();
			return (0);
		}
		return (datetime_parse(s, ip, why));
	case FT_BOOL:
		if (fold_is(s, yes_words))
			*ip = 1;
		else if (fold_is(s, no_words))
			*ip = 0;
		else
			return (buf_error(why,
			    _("'%s' is neither yes nor no"), s));
		return (0);
	case FT_ENUM:
		return (parse_enum(f, s, out, why));
	case FT_REF:
		if (*s == '#')
			s++;
		if (*s == '+' || *s == '-' || parse_int64(s, ip, NULL) == -1 ||
		    *ip <= 0)
			return (buf_error(why,
			    _("'%s' is not a record number"), s));
		return (0);
	case FT_PHONE:
		buf_reset(out);
		return (phone_normalize(s, out, why));
	case FT_EMAIL:
		return (parse_email(s, out, why));
	}
	return (buf_error(why, _("unknown field type %d"), (int)f->type));
}

/* Elements of a multi value are equal when their fold keys are: tags
 * "VIP" and "vip" are one tag, as are two spellings of one address. */
static int
multi_seen(const struct buf *joined, const char *elem, size_t len)
{
	struct buf	 key = BUF_INIT, k2 = BUF_INIT;
	const char	*p = joined->data, *end = joined->data + joined->len;
	const char	*nl;
	int		 seen = 0;

	if (joined->len == 0)
		return (0);
	utf8_foldkey(&key, elem, len);
	while (p <= end && !seen) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		buf_reset(&k2);
		utf8_foldkey(&k2, p, (size_t)(nl - p));
		seen = k2.len == key.len &&
		    memcmp(k2.data, key.data, key.len) == 0;
		p = nl + 1;
	}
	buf_release(&key);
	buf_release(&k2);
	return (seen);
}

static int
parse_multi(const struct field *f, const char *s, struct buf *out,
    struct buf *why)
{
	struct buf	 elem = BUF_INIT, one = BUF_INIT;
	const char	*p = s, *end;
	int64_t		 dummy;
	int		 rc = 0;

	buf_reset(out);
	for (;;) {
		/* Phones also by '/', as spreadsheets put two in a cell
		 * ("8 495 123-45-67 / 8 916 000-00-00"): no number has
		 * one. */
		end = p + strcspn(p, f->type == FT_PHONE ? ",;\n/" : ",;\n");
		buf_reset(&elem);
		buf_add(&elem, p, (size_t)(end - p));
		buf_trim(&elem);
		if (elem.len != 0) {
			if (parse_one(f, elem.data, &dummy, &one, why) == -1) {
				rc = -1;
				break;
			}
			if (one.len != 0 && !multi_seen(out, one.data,
			    one.len)) {
				if (out->len != 0)
					buf_addch(out, '\n');
				buf_add(out, one.data, one.len);
			}
		}
		if (*end == '\0')
			break;
		p = end + 1;
	}
	buf_release(&elem);
	buf_release(&one);
	return (rc);
}

int
record_parse(struct record *rec, size_t pos, const char *text,
    struct buf *err)
{
	struct buf	why = BUF_INIT;
	int		rc;

	if ((rc = record_parse_why(rec, pos, text, &why)) == -1)
		buf_error(err, _("field '%s': %s"),
		    rec->table->fields[pos].name, why.data);
	buf_release(&why);
	return (rc);
}

int
record_parse_why(struct record *rec, size_t pos, const char *text,
    struct buf *why)
{
	const struct field *f;
	struct buf	in = BUF_INIT, out = BUF_INIT;
	const char	*s = text;
	size_t		len = strlen(text);
	int64_t		i = 0;
	int		rc;

	if (pos >= rec->table->nfields)
		BUG("record_parse_why: no field %zu in '%s'", pos,
		    rec->table->name);
	f = &rec->table->fields[pos];
	/* Copied only to be trimmed: most text comes trimmed already. */
	if (len > 0 && (is_trimmed(s[0]) || is_trimmed(s[len - 1]))) {
		buf_add(&in, text, len);
		buf_trim(&in);
		s = in.data;
		len = in.len;
	}
	if (len == 0) {
		record_clear(rec, pos);
		rc = 0;
	} else if ((f->type != FT_TEXT || f->multi) &&
	    !utf8_valid(s, len, NULL))	/* a text: in parse_text()'s pass */
		rc = buf_error(why, _("not valid UTF-8"));
	else if (f->multi && !FT_IS_INT(f->type))
		rc = parse_multi(f, s, &out, why);
	else
		rc = parse_one(f, s, &i, &out, why);
	/* A wrong value leaves the field as it was. */
	if (rc == 0 && len != 0 && FT_IS_INT(f->type))
		record_set_int(rec, pos, i);
	else if (rc == 0 && len != 0) {
		/* The parsed text itself becomes the value, not a copy. */
		record_clear(rec, pos);
		if (out.len != 0) {
			rec->values[pos].set = 1;
			rec->values[pos].len = out.len;
			rec->values[pos].s = buf_detach(&out, NULL);
		}
	}
	buf_release(&in);
	buf_release(&out);
	return (rc);
}

/* Formatting. */

/* "+7 916 123-45-67" for Russian numbers; others stay E.164. */
static void
format_phone(struct buf *out, const char *s, size_t len)
{
	size_t	i;

	if (len != 12 || s[0] != '+' || s[1] != '7') {
		buf_add(out, s, len);
		return;
	}
	for (i = 2; i < 12; i++)
		if (s[i] < '0' || s[i] > '9') {
			buf_add(out, s, len);
			return;
		}
	/* By hand: a list of 50 parties formats some 75 phones, and
	 * printf's parsing of the format was 7 % of the server's work. */
	buf_add(out, "+7 ", 3);
	buf_add(out, s + 2, 3);
	buf_addch(out, ' ');
	buf_add(out, s + 5, 3);
	buf_addch(out, '-');
	buf_add(out, s + 8, 2);
	buf_addch(out, '-');
	buf_add(out, s + 10, 2);
}

/* One element of a text value (a choice, a phone or a text). */
static void
format_elem(const struct field *f, enum field_type type, const char *s,
    size_t len, int style, int lang, struct buf *out)
{
	const struct enum_value *ev;
	char		*name;

	if (type == FT_PHONE && style == VALUE_PEOPLE) {
		format_phone(out, s, len);
		return;
	}
	if (type == FT_ENUM && style == VALUE_PEOPLE && f != NULL) {
		/* A value ends in a NUL, an element of a list in '\n'. */
		if (s[len] == '\0')
			ev = field_enum(f, s);
		else {
			name = xstrndup(s, len);
			ev = field_enum(f, name);
			free(name);
		}
		if (ev != NULL && ev->label[lang] != NULL) {
			buf_adds(out, ev->label[lang]);
			return;
		}
		if (ev != NULL && ev->label[0] != NULL) {
			buf_adds(out, ev->label[0]);
			return;
		}
	}
	buf_add(out, s, len);
}

void
record_value_format(const struct field *f, enum field_type type,
    const struct value *v, int style, int lang, struct buf *out)
{
	struct buf	 tmp = BUF_INIT;
	const char	*p, *end, *nl;

	lang = lang == 1 ? 1 : 0;
	if (!v->set)
		return;
	/* Formatters of util may replace or append: give them their own. */
	switch (type) {
	case FT_TEXT:
	case FT_PHONE:
	case FT_EMAIL:
	case FT_ENUM:
		if (v->s == NULL)
			break;
		/* A list's elements are kept joined by '\n' (record.h); a
		 * text's line breaks are its own. */
		p = v->s;
		end = v->s + v->len;
		while (p < end) {
			nl = f != NULL && f->multi ?
			    memchr(p, '\n', (size_t)(end - p)) : NULL;
			if (nl == NULL)
				nl = end;
			if (p != v->s)
				buf_adds(out, style == VALUE_FILE ? "; " :
				    ", ");
			format_elem(f, type, p, (size_t)(nl - p), style, lang,
			    out);
			p = nl + 1;
		}
		break;
	case FT_INT:
	case FT_REF:
		buf_printf(out, "%" PRId64, v->i);
		break;
	case FT_MONEY:
		money_format(&tmp, v->i, style != VALUE_PEOPLE ? MONEY_PLAIN :
		    lang ? MONEY_RU : MONEY_EN);
		break;
	case FT_QTY:
		qty_format(&tmp, v->i, style != VALUE_PEOPLE ? MONEY_PLAIN :
		    lang ? MONEY_RU : MONEY_EN);
		break;
	case FT_DATE:
		if (v->i < INT32_MIN + 1 || v->i > INT32_MAX)
			buf_printf(out, "%" PRId64, v->i);
		else if (style != VALUE_PEOPLE)
			date_format_iso(&tmp, (int32_t)v->i);
		else
			date_format_ru(&tmp, (int32_t)v->i);
		break;
	case FT_DATETIME:
		/* The same for people and files: it parses back exactly. */
		datetime_format(&tmp, v->i);
		break;
	case FT_BOOL:
		if (style != VALUE_PEOPLE || lang == 0)
			buf_adds(out, v->i ? "yes" : "no");
		else
			buf_adds(out, v->i ? "да" : "нет");
		break;
	}
	buf_add(out, tmp.data, tmp.len);
	buf_release(&tmp);
}

void
record_format(const struct record *rec, size_t pos, int plain,
    struct buf *out)
{
	const struct field *f;

	if (pos >= rec->table->nfields)
		BUG("record_format: no field %zu in '%s'", pos,
		    rec->table->name);
	f = &rec->table->fields[pos];
	record_value_format(f, f->type, &rec->values[pos], plain ?
	    VALUE_NOTE : VALUE_PEOPLE, record_lang, out);
}

void
record_value_json(const struct field *f, enum field_type type,
    const struct value *v, int list, struct buf *out)
{
	struct buf	 t = BUF_INIT;
	const char	*p, *end, *nl;

	if (!v->set || (!FT_IS_INT(type) && v->s == NULL)) {
		buf_adds(out, "null");
		return;
	}
	switch (type) {
	case FT_INT:
	case FT_REF:
		buf_printf(out, "%" PRId64, v->i);
		break;
	case FT_MONEY:
	case FT_QTY:
		/* Exact decimal text, never through a double. */
		record_value_format(f, type, v, VALUE_FILE, 0, out);
		break;
	case FT_BOOL:
		buf_adds(out, v->i ? "true" : "false");
		break;
	default:
		if (!list) {
			record_value_format(f, type, v, VALUE_FILE, 0, &t);
			buf_addjson(out, t.data, t.len);
			break;
		}
		/* Elements are kept joined by '\n' (record.h). */
		buf_addch(out, '[');
		for (p = v->s, end = v->s + v->len; p < end; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			if (p != v->s)
				buf_addch(out, ',');
			buf_addjson(out, p, (size_t)(nl - p));
		}
		buf_addch(out, ']');
		break;
	}
	buf_release(&t);
}

void
record_defaults(struct record *rec)
{
	size_t	i;

	/* The forms loader checked that every default parses. */
	for (i = 0; i < rec->table->nfields; i++)
		if (!rec->values[i].set && rec->table->fields[i].deflt != NULL)
			(void)record_parse(rec, i, rec->table->fields[i].deflt,
			    NULL);
}

/* Validation. */

/*
 * A birthday is not ahead of today (a slip of the year: 2062 for 1962,
 * or "tomorrow"), nor more than 150 years back (1873 for 1973): nobody
 * whose birthday a business keeps.  Said with the date as written.
 */
#define BIRTHDAY_YEARS	150
static int
valid_birthday(int64_t d, struct buf *why)
{
	struct buf	 t = BUF_INIT;
	int32_t		 today = clock_today(), oldest;
	int		 y, m, dd;

	date_to_ymd(today, &y, &m, &dd);
	oldest = date_from_ymd(y - BIRTHDAY_YEARS, m, dd == 29 && m == 2 ?
	    28 : dd);
	if (d <= today && d >= oldest)
		return (0);
	date_format_ru(&t, (int32_t)d);
	if (d > today)
		buf_error(why, _("%s is still to come; a birthday is a day "
		    "that has been"), t.data);
	else
		buf_error(why, _("%s is more than %d years ago; is the year "
		    "right?"), t.data, BIRTHDAY_YEARS);
	buf_release(&t);
	return (-1);
}

/* Run the field's validator on one element (NUL-terminated). */
static int
validate_one(const struct record *rec, const struct field *f, const char *s,
    struct buf *why)
{
	const char	*arg = NULL;
	ssize_t		 apos;

	if (f->validator == VAL_ACCOUNT || f->validator == VAL_CORR_ACCOUNT) {
		apos = f->validator_arg != NULL ?
		    table_field_pos(rec->table, f->validator_arg) : -1;
		if (apos >= 0 && rec->values[apos].set &&
		    rec->values[apos].s != NULL)
			arg = rec->values[apos].s;
		/* Without the БИК only the shape can be checked (and
		 * why it is wrong said, as with one). */
		if (arg == NULL)
			return (valid_account(s, NULL, why));
	}
	/* The kind of party, for validators given its field. */
	if (f->validator_arg != NULL && (f->validator == VAL_INN ||
	    f->validator == VAL_KPP || f->validator == VAL_OGRN)) {
		apos = table_field_pos(rec->table, f->validator_arg);
		if (apos >= 0 && rec->values[apos].set &&
		    rec->values[apos].s != NULL)
			arg = rec->values[apos].s;
	}
	switch (f->validator) {
	case VAL_NONE:
		return (0);
	case VAL_INN:
		return (valid_inn_kind(s, arg, why));
	case VAL_INN_ORG:
		return (valid_inn_org(s, why));
	case VAL_INN_PERSON:
		return (valid_inn_person(s, why));
	case VAL_KPP:
		return (valid_kpp_kind(s, arg, why));
	case VAL_OGRN:
		return (valid_ogrn_kind(s, arg, why));
	case VAL_BIK:
		return (valid_bik(s, why));
	case VAL_ACCOUNT:
		return (valid_account(s, arg, why));
	case VAL_CORR_ACCOUNT:
		return (valid_corr_account(s, arg, why));
	case VAL_SNILS:
		return (valid_snils(s, why));
	case VAL_BIRTHDAY:
		/* Of a date: record_validate_field(). */
		break;
	}
	return (0);
}

/* Lengths and validators of a text value, element by element. */
static int
validate_text(const struct record *rec, const struct field *f,
    const struct value *v, struct buf *why)
{
	struct buf	 elem = BUF_INIT;
	const char	*p = v->s, *end = v->s + v->len, *nl;
	size_t		 n;
	int		 rc = 0;

	while (p < end && rc == 0) {
		nl = f->multi ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (nl == NULL)
			nl = end;
		/* No more characters than bytes: a text no longer than
		 * maxlen bytes is not counted. */
		if (f->type == FT_TEXT && f->maxlen != 0 &&
		    (size_t)(nl - p) > f->maxlen &&
		    (n = utf8_length(p, (size_t)(nl - p))) > f->maxlen)
			rc = buf_error(why,
			    _("%zu characters long, at most %zu allowed"), n,
			    f->maxlen);
		else if (f->validator != VAL_NONE) {
			buf_reset(&elem);
			buf_add(&elem, p, (size_t)(nl - p));
			rc = validate_one(rec, f, elem.data, why);
		}
		p = nl + 1;
	}
	buf_release(&elem);
	return (rc);
}

int
record_validate_field(const struct record *rec, size_t pos, struct buf *why)
{
	const struct field *f;
	const struct value *v;

	if (pos >= rec->table->nfields)
		BUG("record_validate_field: no field %zu in '%s'", pos,
		    rec->table->name);
	f = &rec->table->fields[pos];
	v = &rec->values[pos];
	if (!v->set)
		return (f->required ? buf_error(why, _("a value is required")) :
		    0);
	if (FT_IS_INT(f->type)) {
		if (f->type == FT_REF && v->i <= 0)
			return (buf_error(why,
			    _("'%" PRId64 "' is not a record number"), v->i));
		if (f->validator == VAL_BIRTHDAY)
			return (valid_birthday(v->i, why));
		return (0);
	}
	if (v->s == NULL)
		return (buf_error(why, _("a number where text belongs")));
	if (f->type == FT_ENUM && field_enum(f, v->s) == NULL)
		return (buf_error(why, _("unknown value '%s'"), v->s));
	return (validate_text(rec, f, v, why));
}

int
record_validate_note(const struct record *rec, size_t pos, struct buf *why)
{
	const struct field *f;
	const struct value *v;
	ssize_t		 apos;
	const char	*bik = NULL;
	char		*acc;
	int		 r;

	if (pos >= rec->table->nfields)
		BUG("record_validate_note: no field %zu in '%s'", pos,
		    rec->table->name);
	f = &rec->table->fields[pos];
	v = &rec->values[pos];
	if (f->validator != VAL_ACCOUNT || f->multi || !v->set ||
	    v->s == NULL)
		return (0);
	apos = f->validator_arg != NULL ?
	    table_field_pos(rec->table, f->validator_arg) : -1;
	if (apos >= 0 && rec->values[apos].set && rec->values[apos].s != NULL)
		bik = rec->values[apos].s;
	acc = xstrndup(v->s, v->len);
	r = valid_account_warning(acc, bik, why);
	free(acc);
	return (r);
}

int
record_validate(const struct record *rec, size_t *badpos, struct buf *err)
{
	struct buf	why = BUF_INIT;
	size_t		i;
	int		rc = 0;

	for (i = 0; i < rec->table->nfields && rc == 0; i++) {
		rc = record_validate_field(rec, i, &why);
		if (rc == -1) {
			if (badpos != NULL)
				*badpos = i;
			buf_error(err, _("field '%s': %s"),
			    rec->table->fields[i].name, why.data);
		}
	}
	buf_release(&why);
	return (rc);
}

void
record_field_error(const struct field *f, int lang, const char *why,
    struct buf *out)
{
	/* TRANSLATORS: a wrong value: the field's label as the card shows
	 * it, the name a command line types it by, and why. */
	buf_printf(out, _("%s ('%s'): %s"), field_label(f, lang), f->name,
	    why);
}

void
record_title(const struct record *rec, struct buf *out)
{
	const struct table *t = rec->table;
	ssize_t		 pos;
	size_t		 i;

	buf_reset(out);
	pos = table_field_pos(t, "name");
	if (pos >= 0 && rec->values[pos].set && rec->values[pos].len > 0) {
		buf_add(out, rec->values[pos].s, rec->values[pos].len);
		return;
	}
	for (i = 0; i < t->nfields; i++) {
		if (t->fields[i].type == FT_TEXT && rec->values[i].set &&
		    rec->values[i].len > 0) {
			buf_add(out, rec->values[i].s, rec->values[i].len);
			return;
		}
	}
	buf_printf(out, "#%llu", (unsigned long long)rec->id);
}

void
record_ref_text(const struct table *t, uint64_t id, const char *title,
    int lang, struct buf *out)
{
	buf_printf(out, "%s #%llu", table_label(t, lang),
	    (unsigned long long)id);
	if (title != NULL && *title != '\0' && *title != '#')
		buf_printf(out, " %s", title);
}

/* Comparison. */

int
record_value_equal(const struct value *a, const struct value *b,
    enum field_type type)
{
	if (!a->set || !b->set)
		return (a->set == b->set);
	if (FT_IS_INT(type))
		return (a->i == b->i);
	if (a->s == NULL || b->s == NULL)
		return (a->s == b->s && a->i == b->i);
	return (a->len == b->len && memcmp(a->s, b->s, a->len) == 0);
}

size_t
record_diff(const struct record *a, const struct record *b, size_t *out,
    size_t n)
{
	size_t	i, k = 0, nf;

	nf = a->table->nfields;
	if (b->table->nfields < nf)
		nf = b->table->nfields;
	for (i = 0; i < nf && k < n; i++)
		if (!record_value_equal(&a->values[i], &b->values[i],
		    a->table->fields[i].type))
			out[k++] = i;
	return (k);
}
