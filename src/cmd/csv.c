/*
 * csv.c: the text of a file sent for import.  Finds its character set
 * (a byte order mark, else valid UTF-8, else the single-byte Cyrillic
 * charset that makes the most likely Russian text), converts it to
 * UTF-8 through util's conv with the line and byte of anything bad, and
 * reads RFC 4180 records from it.  Knows nothing of tables or records;
 * must not print or touch the store.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

static const struct {
	enum csv_charset	 cs;
	const char		*name;		/* for people */
	const char		*iconv;
} charsets[] = {
	{ CSV_UTF8, "utf-8", "UTF-8" },
	{ CSV_UTF8_BOM, "utf-8 with BOM", "UTF-8" },
	{ CSV_UTF16LE, "utf-16le", "UTF-16LE" },
	{ CSV_UTF16BE, "utf-16be", "UTF-16BE" },
	{ CSV_CP1251, "cp1251", "CP1251" },
	{ CSV_CP866, "cp866", "CP866" },
	{ CSV_KOI8R, "koi8-r", "KOI8-R" },
};

const char *
csv_charset_name(enum csv_charset cs)
{
	size_t	i;

	for (i = 0; i < nitems(charsets); i++)
		if (charsets[i].cs == cs)
			return (charsets[i].name);
	return ("?");
}

static const char *
charset_iconv(enum csv_charset cs)
{
	size_t	i;

	for (i = 0; i < nitems(charsets); i++)
		if (charsets[i].cs == cs)
			return (charsets[i].iconv);
	return ("UTF-8");
}

int
csv_charset_parse(const char *s, enum csv_charset *cs)
{
	static const struct {
		const char		*name;
		enum csv_charset	 cs;
	} names[] = {
		{ "utf-8", CSV_UTF8 }, { "utf8", CSV_UTF8 },
		{ "cp1251", CSV_CP1251 }, { "windows-1251", CSV_CP1251 },
		{ "cp866", CSV_CP866 }, { "ibm866", CSV_CP866 },
		{ "koi8-r", CSV_KOI8R }, { "koi8r", CSV_KOI8R },
	};
	size_t	i;

	if (strcasecmp(s, "auto") == 0)
		return (1);
	for (i = 0; i < nitems(names); i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*cs = names[i].cs;
			return (0);
		}
	}
	return (-1);
}

/*
 * Telling cp1251, cp866 and KOI8-R apart.  The same bytes make Cyrillic
 * letters in all three, but different ones: lower-case Russian is
 * 0xe0-0xff in cp1251, upper case in KOI8-R, and 0xa0-0xaf and
 * 0xe0-0xef in cp866, whose 0xb0-0xdf are box-drawing lines.  So cp1251
 * text read as KOI8-R comes out in capitals with lower-case letters
 * inside words («тысяч» as «РШЯЪВ»), and read as cp866 full of box
 * lines.  Each reading is scored: every letter by how common it is in
 * Russian; against it, anything that is not a letter, a capital right
 * after a small letter, a word all in capitals (a little) and one
 * starting with ъ, ы or ь; the best reading wins.  A few letters may fool it; a file's worth does not.
 */
#define NSINGLE	3
static const enum csv_charset single[NSINGLE] = {
	CSV_CP1251, CSV_CP866, CSV_KOI8R
};
/* The code point of each byte 0x80-0xff in each, 0 where undefined. */
static uint32_t		 hightab[NSINGLE][128];
static pthread_once_t	 hightab_once = PTHREAD_ONCE_INIT;

static void
hightab_make(void)
{
	struct buf	out = BUF_INIT, err = BUF_INIT;
	size_t		k, b;
	char		c;
	uint32_t	cp;

	for (k = 0; k < NSINGLE; k++) {
		for (b = 0; b < 128; b++) {
			c = (char)(b + 0x80);
			buf_reset(&out);
			hightab[k][b] = 0;
			if (conv_string(charset_iconv(single[k]), "UTF-8", &c, 1,
			    &out, &err) == 0 && out.len > 0 &&
			    utf8_decode(out.data, out.len, &cp) == out.len)
				hightab[k][b] = cp;
		}
	}
	buf_release(&out);
	buf_release(&err);
}

/* How common each letter а..я is in Russian text, per thousand letters
 * (rounded, at least 1); ё apart. */
static const int letter_freq[32] = {
	80, 16, 45, 17, 30, 85, 9, 17, 74, 12, 35, 44, 32, 67, 110, 28,
	47, 55, 63, 26, 3, 10, 5, 14, 7, 4, 1, 19, 17, 3, 6, 20
};
#define FREQ_YO		1
#define SCORE_OTHER	(-60)	/* a non-letter above 0x7f */
#define SCORE_UNDEF	(-200)	/* a byte the charset does not have */
#define SCORE_CASE	(-40)	/* a capital right after a small letter */
#define SCORE_CAPS	(-8)	/* per letter of a word all in capitals */
#define SCORE_START	(-40)	/* a word starting with ъ, ы or ь */

enum kind { K_NONE, K_LOWER, K_UPPER };

/* The kind of a code point as a letter, and its weight. */
static enum kind
letter(uint32_t cp, int *w)
{
	if (cp >= 0x430 && cp <= 0x44f) {
		*w = letter_freq[cp - 0x430];
		return (K_LOWER);
	}
	if (cp >= 0x410 && cp <= 0x42f) {
		*w = letter_freq[cp - 0x410];
		return (K_UPPER);
	}
	if (cp == 0x451 || cp == 0x401) {
		*w = FREQ_YO;
		return (cp == 0x451 ? K_LOWER : K_UPPER);
	}
	*w = 0;
	if (cp >= 'a' && cp <= 'z')
		return (K_LOWER);
	if (cp >= 'A' && cp <= 'Z')
		return (K_UPPER);
	return (K_NONE);
}

/* A reading's running state: the score, and the word being read. */
struct reading {
	int64_t		 score;
	enum kind	 prev;
	size_t		 word, small;	/* Cyrillic letters, small ones */
};

/* At the end of a word: one all in capitals is a little unlikely (it
 * is how small letters read in the wrong one of cp1251 and KOI8-R). */
static void
word_end(struct reading *r)
{
	if (r->word >= 2 && r->small == 0)
		r->score += SCORE_CAPS * (int64_t)r->word;
	r->word = r->small = 0;
}

void
csv_score(const char *data, size_t len, struct csv_scores *sc)
{
	struct reading	 rd[NSINGLE], *r;
	const unsigned char *p = (const unsigned char *)data;
	enum kind	 k;
	size_t		 i, j;
	uint32_t	 cp;
	int		 w;

	pthread_once(&hightab_once, hightab_make);
	memset(rd, 0, sizeof rd);
	sc->letters = 0;
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x80)
			sc->letters++;
		for (j = 0; j < NSINGLE; j++) {
			r = &rd[j];
			cp = p[i] < 0x80 ? p[i] : hightab[j][p[i] - 0x80];
			k = letter(cp, &w);
			if (k == K_NONE)
				word_end(r);
			if (p[i] >= 0x80) {
				if (cp == 0)
					r->score += SCORE_UNDEF;
				else if (k == K_NONE)
					r->score += SCORE_OTHER;
				else {
					r->score += w;
					r->word++;
					if (k == K_LOWER)
						r->small++;
					/* ъ, ы and ь start no word. */
					if (r->prev == K_NONE &&
					    (cp == 0x44a || cp == 0x44b ||
					    cp == 0x44c || cp == 0x42a ||
					    cp == 0x42b || cp == 0x42c))
						r->score += SCORE_START;
				}
				if (k == K_UPPER && r->prev == K_LOWER)
					r->score += SCORE_CASE;
			}
			r->prev = k;
		}
	}
	for (j = 0; j < NSINGLE; j++)
		word_end(&rd[j]);
	sc->cp1251 = rd[0].score;
	sc->cp866 = rd[1].score;
	sc->koi8r = rd[2].score;
}

enum csv_charset
csv_best(const struct csv_scores *sc)
{
	/* On a tie the commonest: cp1251, then cp866. */
	if (sc->cp1251 >= sc->cp866 && sc->cp1251 >= sc->koi8r)
		return (CSV_CP1251);
	if (sc->cp866 >= sc->koi8r)
		return (CSV_CP866);
	return (CSV_KOI8R);
}

int64_t
csv_score_of(const struct csv_scores *sc, enum csv_charset cs)
{
	switch (cs) {
	case CSV_CP1251:
		return (sc->cp1251);
	case CSV_CP866:
		return (sc->cp866);
	case CSV_KOI8R:
		return (sc->koi8r);
	default:
		return (0);
	}
}

int
csv_mostly_utf8(const char *data, size_t len)
{
	size_t		i, k, good = 0, bad = 0;
	uint32_t	cp;

	for (i = 0; i < len; i++) {
		if ((unsigned char)data[i] < 0x80)
			continue;
		if ((k = utf8_decode(data + i, len - i, &cp)) >= 2) {
			good++;
			i += k - 1;
		} else
			bad++;
	}
	/* Single-byte Cyrillic makes a valid pair now and then (cp1251
	 * «Рё»), never mostly. */
	return (good > 0 && good >= 4 * bad);
}

enum csv_charset
csv_detect(const char *data, size_t len, int *valid)
{
	const unsigned char	*p = (const unsigned char *)data;
	struct csv_scores	 sc;

	if (valid != NULL)
		*valid = 0;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return (CSV_UTF8_BOM);
	if (len >= 2 && p[0] == 0xff && p[1] == 0xfe)
		return (CSV_UTF16LE);
	if (len >= 2 && p[0] == 0xfe && p[1] == 0xff)
		return (CSV_UTF16BE);
	/* A UTF-8 file with a stray bad byte is UTF-8 with an error, not
	 * cp1251: read as such it would import as «РџРѕ...». */
	if (utf8_valid(data, len, NULL)) {
		if (valid != NULL)
			*valid = 1;
		return (CSV_UTF8);
	}
	if (csv_mostly_utf8(data, len))
		return (CSV_UTF8);
	csv_score(data, len, &sc);
	return (csv_best(&sc));
}

/* Line (1-based) of byte off. */
static size_t
line_of(const char *data, size_t off)
{
	const char	*p = data, *end = data + off, *nl;
	size_t		 line = 1;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p = nl + 1;
	}
	return (line);
}

/* See csv.h. */
size_t
csv_column(const char *data, size_t off)
{
	size_t	i = off;

	while (i > 0 && data[i - 1] != '\n')
		i--;
	return (off - i + 1);
}

/* Line of a byte in UTF-16 text: counts the code units of LF. */
static size_t
line_of16(const char *data, size_t off, int be)
{
	const unsigned char	*p = (const unsigned char *)data;
	size_t			 i, line = 1;

	for (i = 0; i + 1 < off; i += 2)
		if ((be ? (p[i] << 8 | p[i + 1]) : (p[i + 1] << 8 | p[i])) ==
		    '\n')
			line++;
	return (line);
}

int
csv_decode(const char *data, size_t len, enum csv_charset cs,
    struct buf *out, size_t *line, size_t *offset, struct buf *err)
{
	struct conv	*c;
	size_t		 skip = 0, bad;
	int		 r;

	*line = *offset = 0;
	if (cs == CSV_UTF8_BOM)
		skip = 3;
	else if (cs == CSV_UTF16LE || cs == CSV_UTF16BE)
		skip = 2;
	if (skip > len)
		skip = len;
	if (cs == CSV_UTF8 || cs == CSV_UTF8_BOM) {
		if (!utf8_valid(data + skip, len - skip, &bad)) {
			*offset = skip + bad;
			*line = line_of(data, *offset);
			return (buf_error(err, _("invalid UTF-8 byte 0x%02x at "
			    "byte %zu of the line (offset %zu in the file)"),
			    (unsigned char)data[*offset],
			    csv_column(data, *offset), *offset));
		}
		buf_add(out, data + skip, len - skip);
		return (0);
	}
	if ((c = conv_open(charset_iconv(cs), "UTF-8", err)) == NULL)
		return (-1);
	r = conv_feed(c, data + skip, len - skip, out, 1, err);
	if (r != 0) {
		*offset = skip + (size_t)conv_offset(c);
		if (cs == CSV_UTF16LE || cs == CSV_UTF16BE)
			*line = line_of16(data, *offset, cs == CSV_UTF16BE);
		else
			*line = line_of(data, *offset);
		if (*offset < len && cs != CSV_UTF16LE && cs != CSV_UTF16BE)
			buf_error(err, _("invalid %s byte 0x%02x at byte %zu "
			    "of the line (offset %zu in the file)"),
			    csv_charset_name(cs), (unsigned char)data[*offset],
			    csv_column(data, *offset), *offset);
		else
			buf_error(err, _("invalid %s text at byte %zu"),
			    csv_charset_name(cs), *offset);
	}
	conv_free(c);
	return (r);
}

int
csv_sniff(const char *p, size_t len)
{
	size_t	i, comma = 0, semi = 0, tab = 0;
	int	quoted = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (p[i] == '\n' || p[i] == '\r')
			break;
		else if (p[i] == ',')
			comma++;
		else if (p[i] == ';')
			semi++;
		else if (p[i] == '\t')
			tab++;
	}
	if (tab > comma && tab >= semi)
		return ('\t');
	if (semi > comma)
		return (';');
	return (',');
}

void
csv_init(struct csv *c, const char *p, size_t len, int delim)
{
	c->p = p;
	c->len = len;
	c->off = 0;
	c->delim = delim;
	c->line = 1;
}

void
csv_row_init(struct csv_row *row)
{
	memset(row, 0, sizeof *row);
	buf_init(&row->text);
	buf_init(&row->error);
}

void
csv_row_release(struct csv_row *row)
{
	buf_release(&row->text);
	buf_release(&row->error);
	free(row->off);
	row->off = NULL;
	row->n = row->alloc = 0;
}

static void
row_start_field(struct csv_row *row)
{
	if (row->n == row->alloc) {
		row->alloc = row->alloc ? row->alloc * 2 : 32;
		row->off = xreallocarray(row->off, row->alloc,
		    sizeof *row->off);
	}
	row->off[row->n++] = row->text.len;
}

static void
row_error(struct csv_row *row, const char *msg)
{
	/* The first one is the one to fix. */
	if (row->error.len == 0) {
		buf_adds(&row->error, msg);
		row->error_field = row->n > 0 ? row->n - 1 : 0;
	}
}

/*
 * One record: fields up to an unquoted line end.  A quote opens a
 * quoted field only at its start; elsewhere it is a plain character
 * (many programs write them so), but text after a closing quote is an
 * error: it usually means a quote inside was not doubled.
 */
int
csv_next(struct csv *c, struct csv_row *row)
{
	const char	*p = c->p;
	size_t		 i = c->off, len = c->len, j;
	int		 ch;

	buf_reset(&row->text);
	buf_reset(&row->error);
	row->n = 0;
	row->error_field = 0;
	for (;;) {
		if (i >= len)
			return (0);
		/* Skip empty lines between records. */
		if (p[i] == '\n') {
			c->line++;
			i++;
			continue;
		}
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
			c->line++;
			i += 2;
			continue;
		}
		break;
	}
	row->line = c->line;
	row_start_field(row);
	for (;;) {
		if (i >= len)
			break;
		ch = (unsigned char)p[i];
		if (ch == '"' && row->text.len == row->off[row->n - 1]) {
			/* A quoted field. */
			i++;
			for (;;) {
				if (i >= len) {
					row_error(row, _("a quoted field is "
					    "not closed"));
					goto end;
				}
				if (p[i] == '"') {
					if (i + 1 < len && p[i + 1] == '"') {
						buf_addch(&row->text, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (p[i] == '\n')
					c->line++;
				/* Up to the next quote or line end at once. */
				for (j = i + 1; j < len && p[j] != '"' &&
				    p[j] != '\n'; j++)
					;
				buf_add(&row->text, p + i, j - i);
				i = j;
			}
			/* After the closing quote: a delimiter or line end. */
			if (i < len && p[i] != c->delim && p[i] != '\n' &&
			    !(p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') &&
			    !(p[i] == '\r' && i + 1 == len)) {
				row_error(row, _("text after the closing quote "
				    "(a quote inside a quoted field must be "
				    "doubled)"));
				while (i < len && p[i] != c->delim &&
				    p[i] != '\n' && p[i] != '\r')
					buf_addch(&row->text, p[i++]);
			}
			continue;
		}
		if (ch == c->delim) {
			buf_addch(&row->text, '\0');
			row_start_field(row);
			i++;
			continue;
		}
		if (ch == '\n') {
			c->line++;
			i++;
			break;
		}
		if (ch == '\r' && (i + 1 == len || p[i + 1] == '\n')) {
			i++;
			continue;
		}
		/* Up to the next delimiter or line end at once (a quote
		 * after the field's first byte is a plain one). */
		for (j = i + 1; j < len && p[j] != c->delim && p[j] != '\n' &&
		    p[j] != '\r'; j++)
			;
		buf_add(&row->text, p + i, j - i);
		i = j;
	}
end:
	buf_addch(&row->text, '\0');
	c->off = i;
	return (1);
}
