/*
 * keys.c: the keys of secondary indexes, computed from records: exact
 * and folded keys of one field, composite unique keys, word tokens for
 * search-as-you-type and the tokens of a typed query.  The store's key
 * callbacks call these, so a key depends on the record's bytes alone:
 * not on the locale, LC_*, TZ, record_lang or any other state of the
 * process (a key that changes between a write and a delete corrupts the
 * index: DB_SECONDARY_BAD).  Hence no record_format(), no MONEY_LOCALE,
 * no local time here.  Key sets never repeat a key (DB_DBT_MULTIPLE must
 * not).  Must not know Berkeley DB, and never prints.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"

/* Key sets. */

void
keyset_init(struct keyset *ks)
{
	buf_init(&ks->bytes);
	buf_init(&ks->spare);
	ks->off = ks->len = NULL;
	ks->n = ks->alloc = 0;
}

void
keyset_release(struct keyset *ks)
{
	buf_release(&ks->bytes);
	buf_release(&ks->spare);
	free(ks->off);
	free(ks->len);
	keyset_init(ks);
}

void
keyset_reset(struct keyset *ks)
{
	buf_reset(&ks->bytes);
	ks->n = 0;
}

/* The key of len bytes at off of the set's bytes (already there) is one
 * more key of the set. */
static void
keyset_note(struct keyset *ks, size_t off, size_t len)
{
	if (ks->n == ks->alloc) {
		ks->alloc = ks->alloc ? ks->alloc * 2 : 8;
		ks->off = xreallocarray(ks->off, ks->alloc, sizeof(*ks->off));
		ks->len = xreallocarray(ks->len, ks->alloc, sizeof(*ks->len));
	}
	ks->off[ks->n] = off;
	ks->len[ks->n] = len;
	ks->n++;
}

void
keyset_add(struct keyset *ks, const void *key, size_t len)
{
	uintptr_t	p = (uintptr_t)key, lo = (uintptr_t)ks->bytes.data;
	size_t		from, start = ks->bytes.len;

	/* A key copied from the set itself must survive the buffer moving. */
	if (ks->bytes.alloc != 0 && p >= lo && p < lo + ks->bytes.len) {
		from = (size_t)(p - lo);
		buf_grow(&ks->bytes, len);
		buf_add(&ks->bytes, ks->bytes.data + from, len);
	} else
		buf_add(&ks->bytes, key, len);
	keyset_note(ks, start, len);
}

/*
 * keyset_add() of the fold key of s, folded straight into the set's
 * bytes rather than into a buffer of its own and copied; nothing for an
 * empty key.  s must not be in the set's bytes (they may move).
 */
static void
keyset_add_fold(struct keyset *ks, const char *s, size_t len)
{
	size_t	start = ks->bytes.len;

	utf8_foldkey(&ks->bytes, s, len);
	if (ks->bytes.len != start)
		keyset_note(ks, start, ks->bytes.len - start);
}

/*
 * A key to sort, with its first 8 bytes as a big-endian number (zeros
 * past its end): heads that differ order their keys as memcmp() and
 * then length would, so most comparisons are one of two numbers (keys
 * are short and mostly differ early); equal heads compare the bytes.
 */
struct keyref {
	uint64_t	 head;
	const char	*p;
	size_t		 len;
};

static void
keyref_set(struct keyref *r, const char *p, size_t len)
{
	r->head = key_head(p, len);
	r->p = p;
	r->len = len;
}

static int
keyref_cmp(const struct keyref *a, const struct keyref *b)
{
	const unsigned char *x = (const unsigned char *)a->p;
	const unsigned char *y = (const unsigned char *)b->p;
	size_t		 n = a->len < b->len ? a->len : b->len, i;

	if (a->head != b->head)
		return (a->head < b->head ? -1 : 1);
	for (i = 8; i < n; i++)
		if (x[i] != y[i])
			return (x[i] < y[i] ? -1 : 1);
	return (a->len < b->len ? -1 : a->len > b->len);
}

#define KEYREFS_STACK	128

/*
 * Sorts by merging the runs already in order (ascending, equal keys
 * allowed), pairs of them a pass: the keys of a record come in a few
 * such runs (the sorted words, then their prefixes of each length),
 * which qsort() would sort again from nothing, a call of keyref_cmp()
 * through a pointer per comparison.  The runs are found once; a pass
 * keeps the ends of the runs it makes.
 */
static void
keyrefs_sort(struct keyref *a, size_t n)
{
	struct keyref	 tbuf[KEYREFS_STACK], *tmp, *src = a, *dst, *sw;
	size_t		 ebuf[KEYREFS_STACK], *end;
	size_t		 nruns = 0, r, k, i, m, e, x, y, o;

	if (n < 2)
		return;
	/* A record's keys fit on the stack: no malloc() for them. */
	end = n <= KEYREFS_STACK ? ebuf : xreallocarray(NULL, n, sizeof(*end));
	for (i = 1; i < n; i++)
		if (keyref_cmp(&a[i - 1], &a[i]) > 0)
			end[nruns++] = i;
	end[nruns++] = n;
	if (nruns == 1)
		goto out;
	tmp = n <= KEYREFS_STACK ? tbuf : xreallocarray(NULL, n, sizeof(*tmp));
	dst = tmp;
	while (nruns > 1) {
		for (r = k = 0, i = 0; r < nruns; r += 2, i = e) {
			m = end[r];
			e = r + 1 < nruns ? end[r + 1] : m;
			x = i;
			y = m;
			o = i;
			while (x < m && y < e)
				dst[o++] = keyref_cmp(&src[y], &src[x]) < 0 ?
				    src[y++] : src[x++];
			while (x < m)
				dst[o++] = src[x++];
			while (y < e)
				dst[o++] = src[y++];
			end[k++] = e;
		}
		nruns = k;
		sw = src;
		src = dst;
		dst = sw;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	if (tmp != tbuf)
		free(tmp);
out:
	if (end != ebuf)
		free(end);
}

int
keyset_cmp(const struct keyset *a, size_t i, const struct keyset *b,
    size_t j)
{
	size_t	l = a->len[i] < b->len[j] ? a->len[i] : b->len[j];
	int	c;

	c = l != 0 ? memcmp(a->bytes.data + a->off[i],
	    b->bytes.data + b->off[j], l) : 0;
	if (c == 0 && a->len[i] != b->len[j])
		c = a->len[i] < b->len[j] ? -1 : 1;
	return (c);
}

void
keyset_uniq(struct keyset *ks)
{
	struct keyref	 rbuf[KEYREFS_STACK], *refs;
	struct buf	 bytes;
	size_t		 i, k;

	if (ks->n < 2)
		return;
	refs = ks->n <= KEYREFS_STACK ? rbuf :
	    xreallocarray(NULL, ks->n, sizeof(*refs));
	for (i = 0; i < ks->n; i++)
		keyref_set(&refs[i], ks->bytes.data + ks->off[i], ks->len[i]);
	/* Byte order, the order of the B-tree: callers may rely on it. */
	keyrefs_sort(refs, ks->n);
	/* Into the spare buffer, which then swaps with the set's: a
	 * record's keys are uniqued several times, millions of records
	 * in an import. */
	bytes = ks->spare;
	buf_reset(&bytes);
	buf_grow(&bytes, ks->bytes.len);
	for (i = k = 0; i < ks->n; i++) {
		if (k != 0 && keyref_cmp(&refs[i], &refs[i - 1]) == 0)
			continue;
		ks->off[k] = bytes.len;
		ks->len[k] = refs[i].len;
		memcpy(bytes.data + bytes.len, refs[i].p, refs[i].len);
		bytes.len += refs[i].len;
		k++;
	}
	bytes.data[bytes.len] = '\0';
	if (refs != rbuf)
		free(refs);
	ks->spare = ks->bytes;
	ks->bytes = bytes;
	ks->n = k;
}

/* Exact and folded keys. */

void
index_int_key(struct buf *out, int64_t v)
{
	unsigned char	p[8];
	uint64_t	u = (uint64_t)v ^ UINT64_C(0x8000000000000000);
	int		i;

	/* Flipping the sign bit makes byte order numeric order. */
	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (56 - 8 * i));
	buf_add(out, p, 8);
}

int64_t
index_int_unkey(const void *key)
{
	const unsigned char *p = key;
	uint64_t	u = 0;
	int		i;

	for (i = 0; i < 8; i++)
		u = u << 8 | p[i];
	u ^= UINT64_C(0x8000000000000000);
	/* Back to two's complement without an implementation-defined cast. */
	if (u > (uint64_t)INT64_MAX)
		return (-(int64_t)(UINT64_MAX - u) - 1);
	return ((int64_t)u);
}

/* Call fn for each element of a text value ('\n'-separated when multi). */
static void
each_element(const struct field *f, const struct value *v,
    void (*fn)(const struct field *, const char *, size_t, void *),
    void *arg)
{
	const char	*p = v->s, *end = v->s + v->len, *nl;

	while (p < end) {
		nl = f->multi ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (nl == NULL)
			nl = end;
		if (nl > p)
			fn(f, p, (size_t)(nl - p), arg);
		p = nl + 1;
	}
}

struct keyargs {
	struct keyset	*ks;
	struct buf	 tmp;
	int		 kind;
};

static void
element_key(const struct field *f, const char *s, size_t len, void *arg)
{
	struct keyargs	*ka = arg;

	(void)f;
	if (ka->kind & IX_FOLDED)
		keyset_add_fold(ka->ks, s, len);
	else
		keyset_add(ka->ks, s, len);
}

void
index_value_keys(const struct field *f, const struct value *v, int kind,
    struct keyset *ks)
{
	struct keyargs	ka;
	size_t		n0 = ks->n;

	if (!v->set)
		return;
	if (FT_IS_INT(f->type)) {
		ka.tmp = (struct buf)BUF_INIT;
		index_int_key(&ka.tmp, v->i);
		keyset_add(ks, ka.tmp.data, ka.tmp.len);
		buf_release(&ka.tmp);
		return;
	}
	if (v->s == NULL)
		return;
	ka.ks = ks;
	ka.kind = kind;
	buf_init(&ka.tmp);
	each_element(f, v, element_key, &ka);
	buf_release(&ka.tmp);
	if (ks->n > n0 + 1)
		keyset_uniq(ks);
}

void
index_field_keys(const struct record *rec, size_t pos, int kind,
    struct keyset *ks)
{
	if (pos >= rec->table->nfields)
		BUG("index_field_keys: no field %zu in '%s'", pos,
		    rec->table->name);
	index_value_keys(&rec->table->fields[pos], &rec->values[pos], kind,
	    ks);
}

/* The exact bytes of a whole value, as a unique key part. */
static void
exact_bytes(struct buf *out, const struct field *f, const struct value *v)
{
	if (FT_IS_INT(f->type))
		index_int_key(out, v->i);
	else
		buf_add(out, v->s, v->len);
}

/*
 * "when kind = org": the stored bytes of the field (an enum's name, a
 * text as kept) against the value, never a formatted form of them.
 */
static int
when_holds(const struct record *rec, const struct unique *u)
{
	const struct value *v;

	if ((size_t)u->when_field >= rec->table->nfields ||
	    u->when_value == NULL)
		return (0);
	v = &rec->values[u->when_field];
	if (!v->set || v->s == NULL)
		return (u->when_value[0] == '\0');
	return (strlen(u->when_value) == v->len &&
	    memcmp(u->when_value, v->s, v->len) == 0);
}

void
index_unique_keys(const struct record *rec, const struct unique *u,
    struct keyset *ks)
{
	const struct table *t = rec->table;
	struct buf	key = BUF_INIT;
	const struct value *v;
	size_t		i;

	if (u->when_field >= 0 && !when_holds(rec, u))
		return;
	for (i = 0; i < u->nfields; i++) {
		if (u->fields[i] >= t->nfields)
			goto out;
		v = &rec->values[u->fields[i]];
		/* Records with an empty part are not constrained. */
		if (!v->set || (!FT_IS_INT(t->fields[u->fields[i]].type) &&
		    v->len == 0))
			goto out;
		/* Text never holds a NUL byte, ints are fixed-length. */
		if (i != 0)
			buf_addch(&key, '\0');
		exact_bytes(&key, &t->fields[u->fields[i]], v);
	}
	keyset_add(ks, key.data, key.len);
out:
	buf_release(&key);
}

/* Word tokens. */

/*
 * Letters and digits of the scripts clerk's users write; everything else
 * (punctuation, symbols, blanks, "№") separates words.  A fixed table,
 * not iswalnum(): keys must not depend on the locale.
 */
static int
is_word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z'));
	if (cp >= 0xc0 && cp <= 0x24f)	/* Latin-1, Extended A, B */
		return (cp != 0xd7 && cp != 0xf7);
	return ((cp >= 0x300 && cp <= 0x36f) ||	/* combining marks */
	    (cp >= 0x370 && cp <= 0x3ff && cp != 0x37e && cp != 0x387) ||
	    (cp >= 0x400 && cp <= 0x52f && cp != 0x482) ||	/* Cyrillic */
	    (cp >= 0x531 && cp <= 0x587) ||	/* Armenian */
	    (cp >= 0x5d0 && cp <= 0x5ea) ||	/* Hebrew */
	    (cp >= 0x620 && cp <= 0x64a) ||	/* Arabic */
	    (cp >= 0x10a0 && cp <= 0x10ff) ||	/* Georgian */
	    (cp >= 0x1e00 && cp <= 0x1fff) ||	/* more Latin, Greek */
	    (cp >= 0x3040 && cp <= 0x30ff) ||	/* kana */
	    (cp >= 0x3400 && cp <= 0x9fff) ||	/* CJK */
	    (cp >= 0xac00 && cp <= 0xd7a3));	/* Hangul */
}

/*
 * Add the folded words of s.  With short = 0 (records), one-letter words
 * are dropped: they would match every query beginning with that letter.
 * One-digit numbers stay (a house number, a category).
 */
static void
add_words(struct keyset *ks, const char *s, size_t len,
    int keep_short)
{
	size_t		i = 0, n, start, nchars;
	uint32_t	cp;
	int		digits;

	while (i < len) {
		n = utf8_decode_fast(s + i, len - i, &cp);
		if (n == 0)
			n = 1;
		if (!is_word_cp(cp)) {
			i += n;
			continue;
		}
		start = i;
		nchars = 0;
		digits = 1;
		while (i < len) {
			n = utf8_decode_fast(s + i, len - i, &cp);
			if (n == 0 || !is_word_cp(cp))
				break;
			if (cp < '0' || cp > '9')
				digits = 0;
			nchars++;
			i += n;
		}
		if (nchars < 2 && !digits && !keep_short)
			continue;
		keyset_add_fold(ks, s + start, i - start);
	}
}

/*
 * Length of the country code at the start of an E.164 number's digits:
 * the ITU plan gives 1 and 7 one digit, these zones two, the rest three.
 */
static size_t
country_code_len(const char *d, size_t len)
{
	static const char two[] = "20 27 30 31 32 33 34 36 39 40 41 43 44 "
	    "45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 "
	    "81 82 84 86 90 91 92 93 94 95 98 ";
	char	cc[4];

	if (len == 0)
		return (0);
	if (d[0] == '1' || d[0] == '7')
		return (1);
	if (len < 2)
		return (len);
	cc[0] = d[0];
	cc[1] = d[1];
	cc[2] = ' ';
	cc[3] = '\0';
	return (strstr(two, cc) != NULL ? 2 : 3);
}

struct searchargs {
	struct keyset	*ks;
	/* Set for the store's tokens: a Russian phone goes there. */
	struct keyset	*marked;
	struct buf	 tmp, tmp2;
};

/*
 * A phone "+79161234567" gives "79161234567", the national number
 * "9161234567" and, for Russian numbers, the domestic "89161234567" that
 * people still type.  The store keeps a Russian number as one token
 * instead, its national number behind SEARCH_PHONE_MARK_S, and a query
 * of digits looks there too (index_query_forms()): three distinct keys
 * a phone were most of the word index's writes.
 */
static void
search_phone(const struct field *f, const char *s, size_t len, void *arg)
{
	struct searchargs *sa = arg;
	size_t		 i, cc;

	(void)f;
	buf_reset(&sa->tmp);
	for (i = 0; i < len; i++)
		if (s[i] >= '0' && s[i] <= '9')
			buf_addch(&sa->tmp, s[i]);
	if (sa->tmp.len == 0)
		return;
	if (sa->marked != NULL && len != 0 && s[0] == '+' &&
	    sa->tmp.len > 1 && sa->tmp.data[0] == '7') {
		sa->tmp.data[0] = SEARCH_PHONE_MARK_S[0];
		keyset_add(sa->marked, sa->tmp.data, sa->tmp.len);
		return;
	}
	keyset_add(sa->ks, sa->tmp.data, sa->tmp.len);
	if (len == 0 || s[0] != '+')
		return;
	cc = country_code_len(sa->tmp.data, sa->tmp.len);
	if (cc >= sa->tmp.len)
		return;
	keyset_add(sa->ks, sa->tmp.data + cc, sa->tmp.len - cc);
	if (cc == 1 && sa->tmp.data[0] == '7') {
		sa->tmp.data[0] = '8';
		keyset_add(sa->ks, sa->tmp.data, sa->tmp.len);
	}
}

/*
 * An e-mail gives the whole address, its local part and its domain
 * (folded), and its words, so that a query split into words finds it.
 */
static void
search_email(const struct field *f, const char *s, size_t len, void *arg)
{
	struct searchargs *sa = arg;
	const char	*at;

	(void)f;
	buf_reset(&sa->tmp);
	utf8_foldkey(&sa->tmp, s, len);
	if (sa->tmp.len != 0)
		keyset_add(sa->ks, sa->tmp.data, sa->tmp.len);
	at = memchr(s, '@', len);
	if (at != NULL) {
		buf_reset(&sa->tmp);
		utf8_foldkey(&sa->tmp, s, (size_t)(at - s));
		if (sa->tmp.len != 0)
			keyset_add(sa->ks, sa->tmp.data, sa->tmp.len);
		buf_reset(&sa->tmp);
		utf8_foldkey(&sa->tmp, at + 1, len - (size_t)(at - s) - 1);
		if (sa->tmp.len != 0)
			keyset_add(sa->ks, sa->tmp.data, sa->tmp.len);
	}
	add_words(sa->ks, s, len, 0);
}

static void
search_text(const struct field *f, const char *s, size_t len, void *arg)
{
	struct searchargs *sa = arg;

	(void)f;
	add_words(sa->ks, s, len, 0);
}

/*
 * A datetime as "2026-01-31 09:30:45" in UTC: datetime_format() writes
 * local time, and TZ differs between processes.  Beyond the dates four
 * digits can write, the seconds themselves.
 */
static void
datetime_utc(struct buf *out, int64_t t)
{
	int64_t	days, secs;
	int	y, m, d;

	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	if (days < -719162 || days > 2932896) {	/* 0001-01-01, 9999-12-31 */
		buf_printf(out, "%" PRId64, t);
		return;
	}
	date_to_ymd((int32_t)days, &y, &m, &d);
	buf_printf(out, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/*
 * Search tokens of one value, not yet de-duplicated.  An enum gives the
 * words of both languages' labels, whatever record_lang is.
 */
static void
search_value(const struct field *f, const struct value *v,
    struct searchargs *sa)
{
	const struct enum_value *ev;
	size_t		 j;

	if (!v->set)
		return;
	buf_reset(&sa->tmp2);
	switch (f->type) {
	case FT_TEXT:
		if (v->s != NULL)
			each_element(f, v, search_text, sa);
		return;
	case FT_PHONE:
		if (v->s != NULL)
			each_element(f, v, search_phone, sa);
		return;
	case FT_EMAIL:
		if (v->s != NULL)
			each_element(f, v, search_email, sa);
		return;
	case FT_ENUM:
		if (v->s == NULL)
			return;
		add_words(sa->ks, v->s, v->len, 0);
		buf_add(&sa->tmp2, v->s, v->len);
		ev = field_enum(f, sa->tmp2.data);
		for (j = 0; ev != NULL && j < 2; j++)
			if (ev->label[j] != NULL)
				add_words(sa->ks, ev->label[j],
				    strlen(ev->label[j]), 0);
		return;
	case FT_INT:
	case FT_REF:
		buf_printf(&sa->tmp2, "%" PRId64, v->i);
		break;
	case FT_MONEY:
		money_format(&sa->tmp2, v->i, MONEY_PLAIN);
		break;
	case FT_QTY:
		qty_format(&sa->tmp2, v->i, MONEY_PLAIN);
		break;
	case FT_DATE:
		if (v->i >= INT32_MIN + 1 && v->i <= INT32_MAX) {
			date_format_iso(&sa->tmp2, (int32_t)v->i);
			buf_addch(&sa->tmp2, ' ');
			date_format_ru(&sa->tmp2, (int32_t)v->i);
		}
		break;
	case FT_DATETIME:
		datetime_utc(&sa->tmp2, v->i);
		break;
	case FT_BOOL:
		return;
	}
	add_words(sa->ks, sa->tmp2.data, sa->tmp2.len, 0);
}

/*
 * Short prefixes.  The first one, two or three letters typed match
 * every word that begins with them, thousands of distinct words in a
 * big table, and merging their id lists costs milliseconds.  So each
 * token with a letter in it also goes in under its first one, two and
 * three characters behind a mark byte (SEARCH_PREFIX_MARK, which no
 * token begins with), and a query token that short is looked up as that
 * one key: a single list of ids in id order.  Tokens of digits only
 * (phones, ИНН) are left out: they would add five keys a record and are
 * rarely typed two digits at a time.  Measured on 200,000 parties
 * with a cache smaller than the data: the 99th percentile of 2-4
 * letter searches went from 365 to 133 µs, of "ива пе" from 1.7 to 0.5
 * ms; inserts cost a fifth more.  The first letter typed in a list's
 * search (every match gathered, a fifth of the table or more) went
 * from 17-28 ms to 1-3 ms with its own key.  Returns the byte length
 * of the first n characters of a folded token, 0 if it has fewer.
 */
static size_t
prefix_bytes(const char *s, size_t len, size_t n)
{
	size_t		i = 0, k, step;
	uint32_t	cp;

	for (k = 0; k < n; k++) {
		if (i >= len)
			return (0);
		step = utf8_decode_fast(s + i, len - i, &cp);
		i += step != 0 ? step : 1;
	}
	return (i);
}

static int
has_letter(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return (1);
	return (0);
}

void
index_search_prefixes(struct keyset *ks)
{
	size_t		 i, n = ks->n, k, b, last;
	const size_t	 mark = sizeof(SEARCH_PREFIX_MARK_S) - 1;

	/*
	 * A length at a time: the prefixes of one length of keys in order
	 * are in order too, so keyset_uniq() finds the set in a few runs,
	 * and a prefix the key before gave already (their first letters
	 * alike) is not added again.  Each is the mark and the first
	 * bytes of a key of the set itself, written behind the set's
	 * bytes (room made first, as they may move).
	 */
	for (k = SEARCH_PREFIX_MIN; k <= SEARCH_PREFIX_MAX; k++) {
		last = n;
		for (i = 0; i < n; i++) {
			if (!has_letter(ks->bytes.data + ks->off[i],
			    ks->len[i]))
				continue;
			b = prefix_bytes(ks->bytes.data + ks->off[i],
			    ks->len[i], k);
			if (b == 0)
				continue;
			if (last < n && ks->len[ks->n - 1] == mark + b &&
			    memcmp(ks->bytes.data + ks->off[last],
			    ks->bytes.data + ks->off[i], b) == 0)
				continue;
			last = i;
			if (ks->n == ks->alloc) {
				ks->alloc *= 2;
				ks->off = xreallocarray(ks->off, ks->alloc,
				    sizeof(*ks->off));
				ks->len = xreallocarray(ks->len, ks->alloc,
				    sizeof(*ks->len));
			}
			buf_grow(&ks->bytes, mark + b);
			ks->off[ks->n] = ks->bytes.len;
			ks->len[ks->n] = mark + b;
			ks->n++;
			buf_add(&ks->bytes, SEARCH_PREFIX_MARK_S, mark);
			buf_add(&ks->bytes, ks->bytes.data + ks->off[i], b);
		}
	}
	keyset_uniq(ks);
}

int
index_search_prefix_key(const char *tok, size_t len, struct buf *out)
{
	size_t	chars = utf8_length(tok, len);

	if (chars < SEARCH_PREFIX_MIN || chars > SEARCH_PREFIX_MAX ||
	    !has_letter(tok, len))
		return (0);
	buf_adds(out, SEARCH_PREFIX_MARK_S);
	buf_add(out, tok, len);
	return (1);
}

int
index_search_weighed(const char *tok, size_t len)
{
	return (utf8_length(tok, len) > SEARCH_PREFIX_MAX &&
	    has_letter(tok, len));
}

/* Kuhn's augmenting path: token t to a word of its own (owner[w]: the
 * token word w is taken by, or -1). */
static int
assign_try(uint32_t t, const uint32_t *mask, size_t nw, int *owner,
    uint64_t *seen)
{
	size_t	w;

	for (w = 0; w < nw; w++) {
		if (!(mask[w] & ((uint32_t)1 << t)) ||
		    (*seen & ((uint64_t)1 << w)))
			continue;
		*seen |= (uint64_t)1 << w;
		if (owner[w] < 0 || assign_try((uint32_t)owner[w], mask, nw,
		    owner, seen)) {
			owner[w] = (int)t;
			return (1);
		}
	}
	return (0);
}

int
index_tokens_assign(const uint32_t *mask, size_t nw, uint32_t want)
{
	int		owner[SEARCH_ASSIGN_WORDS];
	uint64_t	seen;
	uint32_t	t;
	size_t		w;

	if (nw > SEARCH_ASSIGN_WORDS)
		nw = SEARCH_ASSIGN_WORDS;
	for (w = 0; w < nw; w++)
		owner[w] = -1;
	for (t = 0; t < SEARCH_WEIGHED_MAX; t++) {
		if (!(want & ((uint32_t)1 << t)))
			continue;
		seen = 0;
		if (!assign_try(t, mask, nw, owner, &seen))
			return (0);
	}
	return (1);
}

/* Does record token k begin with query token t? */
static int
token_begins(const struct keyset *rt, size_t k, const struct keyset *q,
    size_t t)
{
	return (rt->len[k] >= q->len[t] && memcmp(rt->bytes.data +
	    rt->off[k], q->bytes.data + q->off[t], q->len[t]) == 0);
}

int
index_search_match(const struct keyset *rt, const struct keyset *q)
{
	uint32_t	 mask[SEARCH_ASSIGN_WORDS], want = 0, m;
	size_t		 t, k, nw = 0;
	int		 ok = 1;

	/* Every token begins one of the record's. */
	for (t = 0; ok && t < q->n; t++) {
		ok = 0;
		for (k = 0; !ok && k < rt->n; k++)
			ok = token_begins(rt, k, q, t);
		if (t < SEARCH_WEIGHED_MAX && index_search_weighed(
		    q->bytes.data + q->off[t], q->len[t]))
			want |= (uint32_t)1 << t;
	}
	if (!ok || (want & (want - 1)) == 0)
		return (ok);
	/* The weighed ones each a token of their own. */
	for (k = 0; k < rt->n && nw < SEARCH_ASSIGN_WORDS; k++) {
		for (m = 0, t = 0; t < q->n && t < SEARCH_WEIGHED_MAX; t++)
			if ((want & ((uint32_t)1 << t)) &&
			    token_begins(rt, k, q, t))
				m |= (uint32_t)1 << t;
		if (m != 0)
			mask[nw++] = m;
	}
	return (index_tokens_assign(mask, nw, want));
}

static void
search_fields(const struct record *rec, struct searchargs *sa)
{
	const struct table *t = rec->table;
	size_t		 i;

	buf_init(&sa->tmp);
	buf_init(&sa->tmp2);
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].index & IX_SEARCH)
			search_value(&t->fields[i], &rec->values[i], sa);
	buf_release(&sa->tmp);
	buf_release(&sa->tmp2);
}

void
index_search_keys(const struct record *rec, struct keyset *ks)
{
	struct searchargs sa;

	sa.ks = ks;
	sa.marked = NULL;
	search_fields(rec, &sa);
	keyset_uniq(ks);
}

/* Is every character of the n bytes at s a letter or a digit? */
static int
all_word(const char *s, size_t n)
{
	size_t		i = 0, step;
	uint32_t	cp;

	while (i < n) {
		step = utf8_decode_fast(s + i, n - i, &cp);
		if (step == 0 || !is_word_cp(cp))
			return (0);
		i += step;
	}
	return (1);
}

/*
 * A query token is letters and digits, so a token with anything else in
 * it (an e-mail's whole address, its local part or domain when they have
 * a dot or a dash) is found only by a query token that begins its first
 * word, a token too, or that is one letter long, a short prefix.  Those
 * are left out; their short prefixes stay.
 */
void
index_search_stored_keys(const struct record *rec, struct keyset *ks)
{
	struct searchargs sa;
	struct keyset	 marked;
	size_t		 i, n;
	const char	*k;

	keyset_init(&marked);
	sa.ks = ks;
	sa.marked = &marked;
	search_fields(rec, &sa);
	keyset_uniq(ks);	/* index_search_prefixes() wants them in order */
	index_search_prefixes(ks);
	for (i = n = 0; i < ks->n; i++) {
		k = ks->bytes.data + ks->off[i];
		if (k[0] != SEARCH_PREFIX_MARK_S[0] && !all_word(k, ks->len[i]))
			continue;
		ks->off[n] = ks->off[i];
		ks->len[n] = ks->len[i];
		n++;
	}
	ks->n = n;
	if (marked.n != 0) {
		for (i = 0; i < marked.n; i++)
			keyset_add(ks, marked.bytes.data + marked.off[i],
			    marked.len[i]);
		keyset_uniq(ks);
	}
	keyset_release(&marked);
}

/*
 * A query token longer than a short prefix, or of digits, is looked up
 * as every stored token it begins; one of digits also among the Russian
 * phones kept behind SEARCH_PHONE_MARK_S by their national number: as
 * that number ("916..."), and as the international or domestic form
 * ("7916...", "8916...") without its first digit.
 */
void
index_query_forms(const char *tok, size_t len, struct keyset *out)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	keyset_add(out, tok, len);
	for (i = 0; i < len; i++)
		if (tok[i] < '0' || tok[i] > '9')
			return;
	if (len == 0)
		return;
	buf_adds(&b, SEARCH_PHONE_MARK_S);
	buf_add(&b, tok, len);
	keyset_add(out, b.data, b.len);
	if (tok[0] == '7' || tok[0] == '8') {
		buf_reset(&b);
		buf_adds(&b, SEARCH_PHONE_MARK_S);
		buf_add(&b, tok + 1, len - 1);
		keyset_add(out, b.data, b.len);
	}
	buf_release(&b);
}

/* "2026-01-31": a date, not a phone, though made of digits and dashes. */
static int
looks_iso_date(const char *s, size_t len)
{
	static const char shape[] = "dddd-dd-dd";
	size_t	i;

	if (len != sizeof(shape) - 1)
		return (0);
	for (i = 0; i < len; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != '-')
			return (0);
	return (1);
}

void
index_query_tokens(const char *q, struct keyset *ks)
{
	struct buf	 tmp = BUF_INIT, trimmed = BUF_INIT;
	size_t		 i;
	int		 phone = 0;

	buf_adds(&trimmed, q);
	buf_trim(&trimmed);
	/*
	 * People type phones in groups ("8 916 123-45"); split into words
	 * the groups would each have to begin a token and match nothing.
	 */
	for (i = 0; i < trimmed.len; i++) {
		if (trimmed.data[i] >= '0' && trimmed.data[i] <= '9')
			phone = 1;
		else if (strchr("+-() \t", trimmed.data[i]) == NULL) {
			phone = 0;
			break;
		}
	}
	if (phone && looks_iso_date(trimmed.data, trimmed.len))
		phone = 0;
	if (phone) {
		for (i = 0; i < trimmed.len; i++)
			if (trimmed.data[i] >= '0' && trimmed.data[i] <= '9')
				buf_addch(&tmp, trimmed.data[i]);
		keyset_add(ks, tmp.data, tmp.len);
	} else
		add_words(ks, trimmed.data, trimmed.len, 1);
	buf_release(&tmp);
	buf_release(&trimmed);
	keyset_uniq(ks);
}
