/*
 * date.c: calendar dates as days since 1970-01-01 (proleptic Gregorian)
 * and datetimes as seconds since the epoch, their parsing and their
 * formatting.  Pure arithmetic except where local time is asked for
 * (datetime_parse without 'Z', datetime_format) and where date_parse
 * and datetime_parse ask clock.c for today, which a two-digit year and
 * the words (today, month start) are read against; the *_at variants
 * are given today instead.  It never prints.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util.h"

/* Days from 0001-01-01 to 1970-01-01 in the proleptic calendar. */
#define DAYS_TO_EPOCH	719162
#define DAYS_PER_400Y	146097
#define DAYS_PER_100Y	36524
#define DAYS_PER_4Y	1461

/* Days before the first of each month in a common year. */
static const int month_start[13] = {
	0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365
};

/*
 * One complete sentence per month, so a translation can put the month
 * in whatever case its grammar needs.  February names its year.
 */
static const char *const month_days_msg[12] = {
	N_("January has 31 days"),
	NULL,
	N_("March has 31 days"),
	N_("April has 30 days"),
	N_("May has 31 days"),
	N_("June has 30 days"),
	N_("July has 31 days"),
	N_("August has 31 days"),
	N_("September has 30 days"),
	N_("October has 31 days"),
	N_("November has 30 days"),
	N_("December has 31 days"),
};

/* Division rounding towards minus infinity, for dates before year 1. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return (q);
}

static int
is_leap(int64_t y)
{
	return (floor_div(y, 4) * 4 == y &&
	    (floor_div(y, 100) * 100 != y || floor_div(y, 400) * 400 == y));
}

static int
month_days(int64_t y, int m)
{
	if (m == 2 && is_leap(y))
		return (29);
	return (month_start[m] - month_start[m - 1]);
}

int
date_valid_ymd(int y, int m, int d)
{
	/* Years are what four digits can write: the formats and the
	 * parsers agree on that range. */
	if (y < 1 || y > 9999 || m < 1 || m > 12)
		return (0);
	return (d >= 1 && d <= month_days(y, m));
}

int32_t
date_from_ymd(int y, int m, int d)
{
	int64_t	py, days;

	/* Any year is computed, but the month and day must exist, and the
	 * result must fit (and not collide with DATE_NONE). */
	if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return (DATE_NONE);
	py = (int64_t)y - 1;
	days = 365 * py + floor_div(py, 4) - floor_div(py, 100) +
	    floor_div(py, 400);
	days += month_start[m - 1] + (m > 2 && is_leap(y)) + d - 1;
	days -= DAYS_TO_EPOCH;
	if (days <= INT32_MIN || days > INT32_MAX)
		return (DATE_NONE);
	return ((int32_t)days);
}

void
date_to_ymd(int32_t date, int *yp, int *mp, int *dp)
{
	int64_t	n, cycles, r, c100, c4, c1, y;
	int	m, leap;

	n = (int64_t)date + DAYS_TO_EPOCH;	/* days since 0001-01-01 */
	cycles = floor_div(n, DAYS_PER_400Y);
	r = n - cycles * DAYS_PER_400Y;
	/* The last day of a 400-year cycle and of a 4-year cycle fall
	 * in the fourth century and year; clamp so they are not a fifth. */
	if ((c100 = r / DAYS_PER_100Y) == 4)
		c100 = 3;
	r -= c100 * DAYS_PER_100Y;
	c4 = r / DAYS_PER_4Y;
	r -= c4 * DAYS_PER_4Y;
	if ((c1 = r / 365) == 4)
		c1 = 3;
	r -= c1 * 365;
	y = cycles * 400 + c100 * 100 + c4 * 4 + c1 + 1;

	leap = is_leap(y);
	for (m = 1; m < 12; m++) {
		if (r < month_start[m] + (m >= 2 && leap))
			break;
	}
	r -= month_start[m - 1] + (m > 2 && leap);
	*yp = (int)y;
	*mp = m;
	*dp = (int)r + 1;
}

int
date_weekday(int32_t date)
{
	/* 1970-01-01 was a Thursday. */
	return ((int)(((int64_t)date % 7 + 7 + 3) % 7) + 1);
}

int32_t
date_add_months(int32_t date, int months)
{
	int64_t	mi;
	int	y, m, d, dim;

	if (date == DATE_NONE)
		return (DATE_NONE);
	date_to_ymd(date, &y, &m, &d);
	mi = (int64_t)y * 12 + (m - 1) + months;
	if (floor_div(mi, 12) > 1000000 || floor_div(mi, 12) < -1000000)
		return (DATE_NONE);
	y = (int)floor_div(mi, 12);
	m = (int)(mi - (int64_t)y * 12) + 1;
	/* 31 January plus a month is the end of February, not March. */
	if (d > (dim = month_days(y, m)))
		d = dim;
	return (date_from_ymd(y, m, d));
}

void
date_format_iso(struct buf *b, int32_t date)
{
	int	y, m, d;

	if (date == DATE_NONE)
		return;
	date_to_ymd(date, &y, &m, &d);
	buf_printf(b, "%04d-%02d-%02d", y, m, d);
}

void
date_format_ru(struct buf *b, int32_t date)
{
	int	y, m, d;

	if (date == DATE_NONE)
		return;
	date_to_ymd(date, &y, &m, &d);
	buf_printf(b, "%02d.%02d.%04d", d, m, y);
}

static int
is_blank(int c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

/* Read up to max digits; returns how many were read (0 if none). */
static size_t
read_num(const char *s, size_t len, size_t max, int *vp)
{
	size_t	n = 0;
	int	v = 0;

	while (n < len && n < max + 1 && isdigit((unsigned char)s[n]))
		v = v * 10 + (s[n++] - '0');
	if (n > max)
		return (0);
	*vp = v;
	return (n);
}

/* Exactly two digits at s (whatever follows). */
static int
two_digits(const char *s, size_t len, int *vp)
{
	if (len < 2 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]))
		return (0);
	*vp = (s[0] - '0') * 10 + (s[1] - '0');
	return (1);
}

/*
 * Today as date_parse gives it: asked of the clock only when a
 * two-digit year or a word needs it, so reading 2026-01-31 never does.
 */
#define DATE_ASK	(INT32_MIN + 1)

static int32_t
today_of(int32_t today)
{
	return (today == DATE_ASK ? clock_today() : today);
}

/*
 * The century of a two-digit year: the year ending in those digits from
 * 80 years before today's to 19 after, so in 2026 a birthday typed 80 is
 * 1980 and a contract's end typed 45 is 2045.  Any fixed century is
 * wrong for one of the two.
 */
static int
two_digit_year(int yy, int32_t today)
{
	int	y, m, d, first;

	date_to_ymd(today, &y, &m, &d);
	first = y - 80;
	return (first + ((yy - first) % 100 + 100) % 100);
}

/* The year yy written in two digits means, in *y; refused (-1, what
 * quoted) when today is DATE_NONE. */
static int
short_year(int yy, int32_t today, const char *what, int *y, struct buf *err)
{
	if (today == DATE_NONE)
		return (buf_error(err, _("invalid date '%s': write the year "
		    "in four digits"), what));
	*y = two_digit_year(yy, today_of(today));
	return (0);
}

/*
 * The date y-m-d if there is one, else a message quoting what, the
 * whole input the user typed.
 */
static int
date_make(int y, int m, int d, const char *what, int32_t *out,
    struct buf *err)
{
	if (y < 1)
		return (buf_error(err, _("invalid date '%s': there is no "
		    "year 0"), what));
	if (m < 1 || m > 12)
		return (buf_error(err, _("invalid date '%s': there is no "
		    "month %d"), what, m));
	if (d < 1)
		return (buf_error(err, _("invalid date '%s': there is no "
		    "day 0"), what));
	if (d > month_days(y, m)) {
		if (m == 2) {
			struct buf	why = BUF_INIT;

			if (month_days(y, 2) == 29)
				buf_printf(&why, _("February %d has 29 days"),
				    y);
			else
				buf_printf(&why, _("February %d has 28 days"),
				    y);
			buf_error(err, _("invalid date '%s': %s"), what,
			    why.data);
			buf_release(&why);
			return (-1);
		}
		return (buf_error(err, _("invalid date '%s': %s"), what,
		    _(month_days_msg[m - 1])));
	}
	*out = date_from_ymd(y, m, d);
	return (0);
}

/*
 * Parse the date in s[0..len) (no blanks around it); messages quote
 * what, the whole input the user typed.  Returns 1 without a message
 * when s is not shaped like a date, so the caller can say what it would
 * have taken; a two-digit year is refused when today is DATE_NONE.
 */
static int
date_parse_part(const char *s, size_t len, const char *what, int32_t today,
    int32_t *out, struct buf *err)
{
	size_t	i = 0, n1, n2, n3;
	int	a, b, c, y, m, d;
	char	sep;

	if ((n1 = read_num(s, len, 4, &a)) == 0 || n1 >= len)
		return (1);
	sep = s[n1];
	if (sep != '-' && sep != '.')
		return (1);
	i = n1 + 1;
	if ((n2 = read_num(s + i, len - i, 2, &b)) == 0)
		return (1);
	i += n2;
	if (i >= len || s[i] != sep)
		return (1);
	i++;
	if ((n3 = read_num(s + i, len - i, 4, &c)) == 0 || i + n3 != len)
		return (1);
	if (sep == '-') {
		if (n1 != 4 || n3 > 2)
			return (1);
		y = a;
		m = b;
		d = c;
	} else {
		if (n1 > 2 || (n3 != 4 && n3 != 2))
			return (1);
		d = a;
		m = b;
		y = c;
		if (n3 == 2 && short_year(c, today, what, &y, err) == -1)
			return (-1);
	}

	return (date_make(y, m, d, what, out, err));
}

/*
 * Month names as a date is written in words ("15 марта 1980", "1 янв.
 * 2026", "15 March 1980"), folded as the input is: the Russian genitive
 * with the usual abbreviations, and English.  A trailing dot of an
 * abbreviation is dropped before the look-up.
 */
static const struct {
	const char	*word;
	int		 month;
} month_words[] = {
	{ "января", 1 }, { "янв", 1 }, { "january", 1 }, { "jan", 1 },
	{ "февраля", 2 }, { "фев", 2 }, { "февр", 2 }, { "february", 2 },
	{ "feb", 2 },
	{ "марта", 3 }, { "мар", 3 }, { "march", 3 }, { "mar", 3 },
	{ "апреля", 4 }, { "апр", 4 }, { "april", 4 }, { "apr", 4 },
	{ "мая", 5 }, { "май", 5 }, { "may", 5 },
	{ "июня", 6 }, { "июн", 6 }, { "june", 6 }, { "jun", 6 },
	{ "июля", 7 }, { "июл", 7 }, { "july", 7 }, { "jul", 7 },
	{ "августа", 8 }, { "авг", 8 }, { "august", 8 }, { "aug", 8 },
	{ "сентября", 9 }, { "сен", 9 }, { "сент", 9 }, { "september", 9 },
	{ "sep", 9 }, { "sept", 9 },
	{ "октября", 10 }, { "окт", 10 }, { "october", 10 }, { "oct", 10 },
	{ "ноября", 11 }, { "ноя", 11 }, { "нояб", 11 }, { "november", 11 },
	{ "nov", 11 },
	{ "декабря", 12 }, { "дек", 12 }, { "december", 12 }, { "dec", 12 },
};

/* What may follow a written date: the year's word, as in "1980 г.". */
static const char *const year_words[] = { "г", "г.", "год", "года" };

/* A spreadsheet's midnight after a date cell ("15.03.1980 0:00:00"). */
static const char *const midnight_words[] = {
	"0:00", "00:00", "0:00:00", "00:00:00"
};

/* The length of a "г" or "г." written onto the year ("1980г."), with
 * the end of the date after it, or 0. */
static size_t
glued_year_word(const char *s)
{
	size_t	n;

	if (strncmp(s, "г", strlen("г")) != 0)
		return (0);
	n = strlen("г");
	if (s[n] == '.')
		n++;
	return (s[n] == '\0' || s[n] == ' ' || s[n] == '+' ? n : 0);
}

static int
word_in(const char *s, size_t len, const char *const *words, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strlen(words[i]) == len && strncmp(words[i], s, len) == 0)
			return (1);
	return (0);
}

/*
 * A date in words at s, folded ("15 марта 1980"): day, month name and a
 * year of four digits (or two, read as date_parse_part reads them).
 * Sets *ep past the year.  Returns 1 without a message when s is not
 * shaped like one.
 */
static int
date_parse_month(const char *s, const char **ep, const char *what,
    int32_t today, int32_t *out, struct buf *err)
{
	const char	*p, *w;
	size_t		 n, wlen, i;
	int		 d, m = 0, y;

	if ((n = read_num(s, strlen(s), 2, &d)) == 0 || s[n] != ' ')
		return (1);
	w = s + n + 1;
	for (p = w; *p != '\0' && *p != ' '; p++)
		;
	wlen = (size_t)(p - w);
	if (wlen > 1 && w[wlen - 1] == '.')
		wlen--;
	for (i = 0; i < nitems(month_words); i++)
		if (strlen(month_words[i].word) == wlen &&
		    strncmp(month_words[i].word, w, wlen) == 0)
			m = month_words[i].month;
	if (m == 0 || *p != ' ')
		return (1);
	p++;
	if ((n = read_num(p, strlen(p), 4, &y)) == 0 || (n != 4 && n != 2) ||
	    (p[n] != '\0' && p[n] != ' ' && p[n] != '+' && p[n] != '-' &&
	    glued_year_word(p + n) == 0))
		return (1);
	if (n == 2 && short_year(y, today, what, &y, err) == -1)
		return (-1);
	*ep = p + n + glued_year_word(p + n);
	return (date_make(y, m, d, what, out, err));
}

/*
 * Past what may follow a date without changing it: the year's word and
 * then a midnight, each after a space.
 */
static const char *
date_skip_tail(const char *e)
{
	size_t	len;

	if (*e == ' ') {
		len = strcspn(e + 1, " ");
		if (word_in(e + 1, len, year_words, nitems(year_words)))
			e += 1 + len;
	}
	if (*e == ' ') {
		len = strcspn(e + 1, " ");
		if (word_in(e + 1, len, midnight_words,
		    nitems(midnight_words)))
			e += 1 + len;
	}
	return (e);
}

static const struct {
	const char	*word;
	enum date_unit	 unit;
} date_units[] = {
	{ "day", DATE_DAY },
	{ "days", DATE_DAY },
	{ "week", DATE_WEEK },
	{ "weeks", DATE_WEEK },
	{ "month", DATE_MONTH },
	{ "months", DATE_MONTH },
	{ "quarter", DATE_QUARTER },
	{ "quarters", DATE_QUARTER },
	{ "year", DATE_YEAR },
	{ "years", DATE_YEAR },
};

int
date_unit_word(const char *s, size_t len, enum date_unit *up)
{
	size_t	i;

	for (i = 0; i < nitems(date_units); i++) {
		if (strlen(date_units[i].word) == len &&
		    strncasecmp(date_units[i].word, s, len) == 0) {
			*up = date_units[i].unit;
			return (1);
		}
	}
	return (0);
}

int32_t
date_period(int32_t date, enum date_unit u, int at_end)
{
	int	y, m, d;

	if (date == DATE_NONE)
		return (DATE_NONE);
	date_to_ymd(date, &y, &m, &d);
	switch (u) {
	case DATE_DAY:
		return (date);
	case DATE_WEEK:
		date -= date_weekday(date) - 1;
		return (at_end ? date + 6 : date);
	case DATE_MONTH:
		date = date_from_ymd(y, m, 1);
		return (at_end ? date_add_months(date, 1) - 1 : date);
	case DATE_QUARTER:
		date = date_from_ymd(y, (m - 1) / 3 * 3 + 1, 1);
		return (at_end ? date_add_months(date, 3) - 1 : date);
	case DATE_YEAR:
		return (at_end ? date_from_ymd(y, 12, 31) :
		    date_from_ymd(y, 1, 1));
	}
	return (DATE_NONE);
}

int32_t
date_shift(int32_t date, long n, enum date_unit u)
{
	int64_t	days;

	/* Further than any four-digit year: refused, not wrapped. */
	if (date == DATE_NONE || n > 4000000 || n < -4000000)
		return (DATE_NONE);
	switch (u) {
	case DATE_DAY:
	case DATE_WEEK:
		days = (int64_t)date + n * (u == DATE_WEEK ? 7 : 1);
		if (days <= INT32_MIN || days > INT32_MAX)
			return (DATE_NONE);
		return ((int32_t)days);
	case DATE_MONTH:
		return (date_add_months(date, (int)n));
	case DATE_QUARTER:
		return (date_add_months(date, (int)n * 3));
	case DATE_YEAR:
		return (date_add_months(date, (int)n * 12));
	}
	return (DATE_NONE);
}

/* The words for a day, folded (utf8_foldkey) as the input is. */
static const struct {
	const char	*word;
	int		 days;
} day_words[] = {
	{ "today", 0 },
	{ "сегодня", 0 },
	{ "yesterday", -1 },
	{ "вчера", -1 },
	{ "tomorrow", 1 },
	{ "завтра", 1 },
};

static int
is_word_byte(int c)
{
	return (c != '\0' && c != ' ' && c != '+' && c != '-' &&
	    !isdigit((unsigned char)c));
}

/*
 * A date or date words in the folded text s (single spaces, no blanks
 * around it), read against today; 1 when s is not shaped like either.
 */
static int
date_parse_words(const char *s, const char *what, int32_t today,
    int32_t *out, struct buf *err)
{
	const char	*p = s, *e, *g;
	enum date_unit	 u;
	int32_t		 d = DATE_NONE;
	size_t		 i;
	long		 n;
	int		 r, sign, y, m, dd;

	if (isdigit((unsigned char)*p)) {
		/* A date runs to the first space or plus. */
		e = p + strcspn(p, " +");
		for (g = p; g < e && (isdigit((unsigned char)*g) ||
		    *g == '.' || *g == '-'); g++)
			;
		/* "15.03.1980г.": the year's word written onto it. */
		if (g == p || !isdigit((unsigned char)g[-1]) ||
		    glued_year_word(g) != (size_t)(e - g))
			g = e;
		r = date_parse_part(p, (size_t)(g - p), what, today, &d, err);
		if (r == 1)
			r = date_parse_month(p, &e, what, today, &d, err);
		if (r != 0)
			return (r);
		e = date_skip_tail(e);
	} else {
		e = p;
		while (is_word_byte((unsigned char)*e))
			e++;
		for (i = 0; i < nitems(day_words); i++)
			if (strlen(day_words[i].word) == (size_t)(e - p) &&
			    strncmp(day_words[i].word, p, e - p) == 0)
				d = today_of(today) + day_words[i].days;
		if (d == DATE_NONE) {
			/* week, month, quarter or year, then start or end */
			if (!date_unit_word(p, (size_t)(e - p), &u) ||
			    u == DATE_DAY || *e != ' ')
				return (1);
			p = e + 1;
			e = p;
			while (is_word_byte((unsigned char)*e))
				e++;
			if (e - p == 5 && strncmp(p, "start", 5) == 0)
				d = date_period(today_of(today), u, 0);
			else if (e - p == 3 && strncmp(p, "end", 3) == 0)
				d = date_period(today_of(today), u, 1);
			else
				return (1);
		}
	}
	/* Then "- 7", "+ 1 month", as often as written. */
	for (p = e;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p != '+' && *p != '-')
			return (1);
		sign = *p++ == '-' ? -1 : 1;
		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			return (1);
		for (n = 0; isdigit((unsigned char)*p); p++)
			if ((n = n * 10 + (*p - '0')) > 4000000)
				return (1);
		while (*p == ' ')
			p++;
		e = p;
		while (is_word_byte((unsigned char)*e))
			e++;
		u = DATE_DAY;
		if (e != p && !date_unit_word(p, (size_t)(e - p), &u))
			return (1);
		d = date_shift(d, sign * n, u);
		p = e;
	}
	if (d != DATE_NONE)
		date_to_ymd(d, &y, &m, &dd);
	if (d == DATE_NONE || y < 1 || y > 9999)
		return (buf_error(err, _("invalid date '%s': outside the years "
		    "1 to 9999"), what));
	*out = d;
	return (0);
}

/* Trim blanks; returns the start and sets *lenp. */
static const char *
trim(const char *s, size_t *lenp)
{
	size_t	len = strlen(s);

	while (len > 0 && is_blank((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_blank((unsigned char)s[len - 1]))
		len--;
	*lenp = len;
	return (s);
}

int
date_parse_at(const char *s, int32_t today, int32_t *out, struct buf *err)
{
	struct buf	 what = BUF_INIT, folded = BUF_INIT;
	const char	*p;
	size_t		 len;
	int		 rc;

	p = trim(s, &len);
	buf_add(&what, p, len);
	/* Words in any case, blanks as one space: "Month  Start". */
	utf8_foldkey(&folded, p, len);
	if ((rc = date_parse_words(folded.data, what.data, today, out,
	    err)) == 1)
		rc = buf_error(err, _("invalid date '%s': expected a date "
		    "(2026-01-31, 2026-1-5, 31.01.2026, 1.2.2026, 31.01.26, "
		    "31 января 2026), today, yesterday, tomorrow, or week, "
		    "month, quarter or year start or end, maybe followed by + "
		    "or - a number of days, weeks, months or years"),
		    what.data);
	buf_release(&folded);
	buf_release(&what);
	return (rc);
}

int
date_parse(const char *s, int32_t *out, struct buf *err)
{
	return (date_parse_at(s, DATE_ASK, out, err));
}

/*
 * The time after the date: HH:MM[:SS], then optionally Z or an offset
 * +HH:MM / +HHMM / +HH (ISO 8601).  *offp is the offset in seconds east
 * of UTC, or INT32_MIN for local time.
 */
static int
time_parse_part(const char *s, size_t len, const char *what, int *secp,
    int *offp, struct buf *err)
{
	size_t	i = 0, n;
	int	h, m, sec = 0, oh, om = 0, sign;

	*offp = INT32_MIN;
	if ((n = read_num(s, len, 2, &h)) == 0)
		goto bad;
	i = n;
	if (i >= len || s[i] != ':')
		goto bad;
	i++;
	if ((n = read_num(s + i, len - i, 2, &m)) != 2)
		goto bad;
	i += n;
	if (i < len && s[i] == ':') {
		i++;
		if ((n = read_num(s + i, len - i, 2, &sec)) != 2)
			goto bad;
		i += n;
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		*offp = 0;
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		sign = s[i++] == '-' ? -1 : 1;
		if (!two_digits(s + i, len - i, &oh))
			goto bad;
		i += 2;
		/* Minutes are optional, but not after a colon. */
		if (i < len && s[i] == ':' && ++i == len)
			goto bad;
		if (i < len) {
			if (!two_digits(s + i, len - i, &om))
				goto bad;
			i += 2;
		}
		if (oh > 23 || om > 59)
			goto bad;
		*offp = sign * (oh * 3600 + om * 60);
	}
	if (i != len)
		goto bad;
	if (h > 23)
		return (buf_error(err, _("invalid time in '%s': the hour must "
		    "be 0 to 23"), what));
	if (m > 59)
		return (buf_error(err, _("invalid time in '%s': the minutes "
		    "must be 0 to 59"), what));
	if (sec > 59)
		return (buf_error(err, _("invalid time in '%s': the seconds "
		    "must be 0 to 59"), what));
	*secp = h * 3600 + m * 60 + sec;
	return (0);

bad:
	return (buf_error(err, _("invalid time in '%s': expected HH:MM or "
	    "HH:MM:SS"), what));
}

int
datetime_parse(const char *s, int64_t *out, struct buf *err)
{
	return (datetime_parse_at(s, DATE_ASK, out, err));
}

int
datetime_parse_at(const char *s, int32_t today, int64_t *out,
    struct buf *err)
{
	struct buf	 what = BUF_INIT;
	const char	*p;
	size_t		 len, dlen, t;
	int32_t		 date;
	int		 secs = 0, off = INT32_MIN, y, m, d, rc = -1;
	struct tm	 tm;
	time_t		 tt;

	p = trim(s, &len);
	buf_add(&what, p, len);
	for (dlen = 0; dlen < len; dlen++) {
		if (p[dlen] == 'T' || p[dlen] == 't' || is_blank(p[dlen]))
			break;
	}
	if ((rc = date_parse_part(p, dlen, what.data, today, &date,
	    err)) != 0) {
		if (rc == 1)
			buf_error(err, _("invalid date '%s': expected a date "
			    "(2026-01-31, 2026-1-5, 31.01.2026, 1.2.2026, "
			    "31.01.26), maybe followed by a time"), what.data);
		rc = -1;
		goto out;
	}
	rc = -1;
	if (dlen < len) {
		t = dlen + 1;
		while (t < len && is_blank(p[t]))
			t++;
		if (time_parse_part(p + t, len - t, what.data, &secs, &off,
		    err) == -1)
			goto out;
	}

	if (off != INT32_MIN) {
		*out = (int64_t)date * 86400 + secs - off;
		rc = 0;
		goto out;
	}
	/* Local time: let mktime() apply the zone and its DST rules.  A
	 * time inside a spring-forward gap comes out normalised. */
	date_to_ymd(date, &y, &m, &d);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = secs / 3600;
	tm.tm_min = secs / 60 % 60;
	tm.tm_sec = secs % 60;
	tm.tm_isdst = -1;
	tm.tm_wday = -1;
	/* -1 is also a valid result (one second before the epoch), so
	 * failure is told by mktime() not having filled in tm_wday. */
	if ((tt = mktime(&tm)) == (time_t)-1 && tm.tm_wday == -1) {
		buf_error(err, _("invalid date '%s': outside the range of "
		    "local time"), what.data);
		goto out;
	}
	*out = (int64_t)tt;
	rc = 0;
out:
	buf_release(&what);
	return (rc);
}

void
datetime_format(struct buf *b, int64_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL) {
		buf_printf(b, "@%lld", (long long)t);
		return;
	}
	buf_printf(b, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
datetime_format_ru(struct buf *b, int64_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL) {
		buf_printf(b, "@%lld", (long long)t);
		return;
	}
	buf_printf(b, "%02d.%02d.%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}
