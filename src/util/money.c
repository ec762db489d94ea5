/*
 * money.c: parsing and formatting of money (int64_t kopecks) and
 * quantities (int64_t thousandths).  Integer arithmetic only: no
 * floating point ever touches an amount.  Parsing refuses anything it
 * would have to guess about ("12,345" could be twelve thousand or twelve
 * and a bit) rather than pick a meaning, and reads back everything the
 * formatters write in every style; it never prints.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

enum num_kind {
	NUM_MONEY,	/* 2 decimals, any thousands separator, ₽ suffix */
	NUM_QTY		/* 3 decimals, blanks only between thousands */
};

enum sep {
	SEP_NONE,
	SEP_THOUSANDS,
	SEP_COMMA,
	SEP_DOT
};

/* A run of digits and the separator in front of it. */
struct group {
	const char	*s;
	size_t		 n;
	enum sep	 before;
};

#define MAX_GROUPS	16

/* The currency suffixes money_parse() drops, longest first. */
static const char *const money_suffix[] = {
	"\xe2\x82\xbd",			/* ₽ */
	"\xd1\x80\xd1\x83\xd0\xb1.",	/* руб. */
	"\xd1\x80\xd1\x83\xd0\xb1",	/* руб */
	"\xd1\x80.",			/* р. */
	"\xd1\x80",			/* р */
};

/*
 * Length of the blank at s (a space, U+00A0, U+202F, or the thin space
 * U+2009 of typeset documents), or 0: what people and spreadsheets put
 * between thousands.
 */
static size_t
blank_len(const char *s, size_t len)
{
	if (len >= 1 && s[0] == ' ')
		return (1);
	if (len >= 2 && memcmp(s, "\xc2\xa0", 2) == 0)
		return (2);
	if (len >= 3 && (memcmp(s, "\xe2\x80\xaf", 3) == 0 ||
	    memcmp(s, "\xe2\x80\x89", 3) == 0))
		return (3);
	return (0);
}

/* Length of the blank (or tab or newline) at s, for trimming. */
static size_t
trim_len(const char *s, size_t len)
{
	if (len >= 1 && (s[0] == '\t' || s[0] == '\n' || s[0] == '\r'))
		return (1);
	return (blank_len(s, len));
}

/* Length of the blank that ends at s[len - 1], or 0. */
static size_t
trim_len_end(const char *s, size_t len)
{
	size_t	k;

	for (k = 1; k <= 3 && k <= len; k++) {
		if (trim_len(s + len - k, k) == k)
			return (k);
	}
	return (0);
}

static int
num_error(struct buf *err, enum num_kind kind, const char *what,
    const char *why)
{
	if (kind == NUM_MONEY)
		return (buf_error(err, _("invalid amount '%s': %s"), what,
		    why));
	return (buf_error(err, _("invalid quantity '%s': %s"), what, why));
}

/*
 * With both ',' and '.' present the number is "1,234.56" (English, as
 * MONEY_EN writes it) or "1.234,56" (continental): nothing is left to
 * guess, provided the last separator is the only decimal one and every
 * other is the other mark grouping thousands exactly by three.  Blanks
 * mixed in, or groups of another size, mean a typo, not a style.
 */
static int
mixed_grouped(const struct group *g, size_t ng, int nthou)
{
	enum sep	dec, thou;
	size_t		i;

	if (nthou != 0 || ng < 3 || g[0].before != SEP_NONE || g[0].n > 3)
		return (0);
	dec = g[ng - 1].before;
	if (dec != SEP_COMMA && dec != SEP_DOT)
		return (0);
	thou = dec == SEP_COMMA ? SEP_DOT : SEP_COMMA;
	for (i = 1; i < ng - 1; i++)
		if (g[i].before != thou || g[i].n != 3)
			return (0);
	return (1);
}

static int
num_parse(const char *s, enum num_kind kind, int64_t *out, struct buf *err)
{
	struct group	 g[MAX_GROUPS];
	struct buf	 what = BUF_INIT, why = BUF_INIT;
	const char	*end;
	size_t		 len, n, ng = 0, i, k, nfrac = 0, ndec;
	size_t		 maxdec = kind == NUM_MONEY ? 2 : 3;
	uint64_t	 v = 0, scale = kind == NUM_MONEY ? 100 : 1000, limit;
	uint32_t	 cp;
	enum sep	 pending = SEP_NONE;
	int		 neg = 0, ncomma = 0, ndot = 0, nthou = 0, rc = -1;

	len = strlen(s);
	while ((n = trim_len(s, len)) != 0) {
		s += n;
		len -= n;
	}
	while ((n = trim_len_end(s, len)) != 0)
		len -= n;
	buf_add(&what, s, len);
	end = s + len;

	if (len == 0) {
		if (kind == NUM_MONEY)
			buf_error(err, _("empty amount"));
		else
			buf_error(err, _("empty quantity"));
		goto out;
	}
	for (i = 0; kind == NUM_MONEY && i < nitems(money_suffix); i++) {
		k = strlen(money_suffix[i]);
		if (len >= k && memcmp(end - k, money_suffix[i], k) == 0) {
			end -= k;
			while ((n = trim_len_end(s, end - s)) != 0)
				end -= n;
			break;
		}
	}

	/* The sign: ASCII, or the minus sign U+2212 word processors use. */
	if (s < end && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
	} else if (end - s >= 3 && memcmp(s, "\xe2\x88\x92", 3) == 0) {
		neg = 1;
		s += 3;
	}

	/* Split into digit groups, remembering what separated them. */
	while (s < end) {
		if (*s >= '0' && *s <= '9') {
			if (pending == SEP_NONE && ng > 0) {
				g[ng - 1].n++;
				s++;
				continue;
			}
			if (ng == MAX_GROUPS) {
				num_error(err, kind, what.data,
				    _("the number is too large"));
				goto out;
			}
			g[ng].s = s++;
			g[ng].n = 1;
			g[ng].before = pending;
			ng++;
			pending = SEP_NONE;
			continue;
		}
		if (*s == ',' || *s == '.') {
			if (pending != SEP_NONE)
				goto misplaced;
			pending = *s == ',' ? SEP_COMMA : SEP_DOT;
			if (pending == SEP_COMMA)
				ncomma++;
			else
				ndot++;
			s++;
			continue;
		}
		n = blank_len(s, end - s);
		if (n == 0 && kind == NUM_MONEY && *s == '\'')
			n = 1;
		if (n != 0) {
			if (pending != SEP_NONE || ng == 0)
				goto misplaced;
			pending = SEP_THOUSANDS;
			nthou++;
			s += n;
			continue;
		}
		n = utf8_decode(s, end - s, &cp);
		buf_printf(&why, _("unexpected character '%.*s'"),
		    (int)(n ? n : 1), s);
		num_error(err, kind, what.data, why.data);
		goto out;
	}
	if (ng == 0) {
		num_error(err, kind, what.data, _("no digits"));
		goto out;
	}
	if (pending == SEP_COMMA || pending == SEP_DOT) {
		num_error(err, kind, what.data,
		    _("digits must follow the decimal separator"));
		goto out;
	}
	if (pending != SEP_NONE)
		goto misplaced;

	if (ncomma > 0 && ndot > 0) {
		if (!mixed_grouped(g, ng, nthou)) {
			num_error(err, kind, what.data, kind == NUM_MONEY ?
			    _("both ',' and '.' are used; write one decimal "
			    "separator and blanks between thousands, as in "
			    "'1 234,56'") :
			    _("both ',' and '.' are used; write one decimal "
			    "separator and blanks between thousands, as in "
			    "'1 234,5'"));
			goto out;
		}
		ndec = 1;
	} else if (ncomma > 1 || ndot > 1) {
		/* "1,234,567" stays refused, like "12,345": where only
		 * one kind of mark is used, it is the decimal one. */
		buf_printf(&why, _("'%c' appears more than once; separate "
		    "thousands with blanks, as in '1 234 567'"),
		    ncomma > 1 ? ',' : '.');
		num_error(err, kind, what.data, why.data);
		goto out;
	} else
		ndec = ncomma + ndot;
	if (ndec == 1) {
		/* The decimal separator must stand before the last group:
		 * "1,5 000" has thousands after the fraction. */
		if (g[ng - 1].before != SEP_COMMA &&
		    g[ng - 1].before != SEP_DOT) {
			num_error(err, kind, what.data,
			    _("blanks cannot separate the digits after the "
			    "decimal separator"));
			goto out;
		}
		nfrac = g[ng - 1].n;
		if (kind == NUM_MONEY && nfrac == 3 && nthou == 0 && ng == 2 &&
		    g[0].n <= 3 && g[0].s[0] != '0') {
			/* Twelve thousand or twelve and a bit: refuse to
			 * guess, and show both unambiguous spellings.  With
			 * four digits in front ("1234,567") or a leading zero
			 * it cannot be thousands, so it is too many decimals. */
			buf_error(err, _("ambiguous amount '%s': write "
			    "'%.*s %.*s' for a whole number or '%.*s%c%.*s' "
			    "for rubles and kopecks"), what.data,
			    (int)g[0].n, g[0].s, 3, g[1].s, (int)g[0].n,
			    g[0].s, g[1].before == SEP_COMMA ? ',' : '.', 2,
			    g[1].s);
			goto out;
		}
		if (nfrac > maxdec) {
			num_error(err, kind, what.data, kind == NUM_MONEY ?
			    _("at most 2 digits may follow the decimal "
			    "separator") :
			    _("at most 3 digits may follow the decimal "
			    "separator"));
			goto out;
		}
	}

	/* Thousands groups: the first 1 to 3 digits, every later one 3. */
	for (i = 1; i < ng - ndec; i++) {
		if (g[i].n != 3 || (i == 1 && g[0].n > 3))
			goto grouping;
	}

	/* A negative amount may reach INT64_MIN: the formatters write it. */
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (i = 0; i < ng - ndec; i++) {
		for (k = 0; k < g[i].n; k++) {
			if (v > (UINT64_MAX - 9) / 10)
				goto overflow;
			v = v * 10 + (uint64_t)(g[i].s[k] - '0');
		}
	}
	if (v > limit / scale)
		goto overflow;
	v *= scale;
	if (ndec == 1) {
		uint64_t	f = 0, mul = scale;

		for (k = 0; k < nfrac; k++) {
			mul /= 10;
			f += (uint64_t)(g[ng - 1].s[k] - '0') * mul;
		}
		if (v > limit - f)
			goto overflow;
		v += f;
	}
	if (!neg)
		*out = (int64_t)v;
	else if (v == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)v;
	rc = 0;
	goto out;

misplaced:
	num_error(err, kind, what.data, _("a separator is out of place"));
	goto out;
grouping:
	num_error(err, kind, what.data, _("thousands must be grouped by "
	    "three digits, as in '1 234 567'"));
	goto out;
overflow:
	num_error(err, kind, what.data, _("the number is too large"));
out:
	buf_release(&what);
	buf_release(&why);
	return (rc);
}

int
money_parse(const char *s, int64_t *out, struct buf *err)
{
	return (num_parse(s, NUM_MONEY, out, err));
}

int
qty_parse(const char *s, int64_t *out, struct buf *err)
{
	return (num_parse(s, NUM_QTY, out, err));
}

/*
 * Append sign, grouped whole part and the fraction (nfrac digits of
 * frac, already trimmed by the caller).
 */
static void
num_format(struct buf *b, int neg, uint64_t whole, unsigned frac, int nfrac,
    enum money_style style)
{
	const char	*thou = "", *dec = ".";
	char		 digits[32];
	int		 n, i;

	if (style == MONEY_LOCALE) {
		struct lconv	*lc = localeconv();

		style = lc->decimal_point[0] == ',' ? MONEY_RU : MONEY_EN;
	}
	if (style == MONEY_RU) {
		thou = "\xc2\xa0";
		dec = ",";
	} else if (style == MONEY_EN)
		thou = ",";

	if (neg)
		buf_addch(b, '-');
	n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)whole);
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf_adds(b, thou);
		buf_addch(b, digits[i]);
	}
	if (nfrac > 0) {
		buf_adds(b, dec);
		buf_printf(b, "%0*u", nfrac, frac);
	} else if (style == MONEY_EN && n > 3) {
		/*
		 * A whole quantity: "1,234" alone would read back as one and
		 * a bit (RU writes that), and "1,234,567" is refused; the
		 * decimal part makes the commas thousands.
		 */
		buf_adds(b, ".0");
	}
}

/* Magnitude without overflow, INT64_MIN included. */
static uint64_t
magnitude(int64_t v)
{
	return (v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

void
money_format(struct buf *b, int64_t v, enum money_style style)
{
	uint64_t	m = magnitude(v);

	num_format(b, v < 0, m / 100, (unsigned)(m % 100), 2, style);
}

void
qty_format(struct buf *b, int64_t v, enum money_style style)
{
	uint64_t	m = magnitude(v);
	unsigned	frac = (unsigned)(m % 1000);
	int		nfrac = 3;

	while (nfrac > 0 && frac % 10 == 0) {
		frac /= 10;
		nfrac--;
	}
	if (frac == 0)
		nfrac = 0;
	num_format(b, v < 0, m / 1000, frac, nfrac, style);
}
