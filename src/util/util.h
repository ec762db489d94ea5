/*
 * util: the leaf library every part of clerk stands on.  Buffers,
 * allocation, UTF-8, dates, money, the clock, the log sink and iconv.
 * Nothing here knows about records, storage or the terminal; nothing
 * here prints except fatal() and the default log sink.
 */
#ifndef CLERK_UTIL_H
#define CLERK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))
#define NORETURN __attribute__((noreturn))
#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* gettext: lower layers mark messages, the programs bind the domain. */
#include <libintl.h>
#define _(s) dgettext("clerk", s)
#define N_(s) (s)

/*
 * The language of this thread's messages, as gettext's follows
 * uselocale(): 0 English, 1 Russian.  Messages that name fields and
 * tables by their labels take it (the store's refusals); the server
 * sets it for each request from the client's language, as it sets the
 * locale.  0 unless set.
 */
extern _Thread_local int msg_lang;

/*
 * struct buf: a binary-safe growable string.
 * Invariants: data is never NULL and always NUL-terminated (data[len] == 0);
 * a released or fresh buffer points at a shared empty string and owns
 * nothing.  buf_detach() hands the memory to the caller.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 alloc;
};
extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0 }

void	 buf_init(struct buf *);
void	 buf_release(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_grow(struct buf *, size_t);
void	 buf_truncate(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addch(struct buf *, int);
/* An unsigned number in decimal, without printf's parsing of a format. */
void	 buf_addu64(struct buf *, uint64_t);
void	 buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
void	 buf_vprintf(struct buf *, const char *, va_list);
void	 buf_set(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
char	*buf_detach(struct buf *, size_t *);
void	 buf_trim(struct buf *);

/*
 * The line format of the TUI's machine output and of drafts: a text
 * field with backslash, TAB, LF and CR written as \\ \t \n \r, so a
 * field never holds a TAB or a line end.  buf_addesc() appends len
 * bytes of s escaped; buf_addunesc() appends len bytes of escaped text
 * read back (an unknown escape stands for the character after the
 * backslash; a lone backslash at the end stays).
 */
void	 buf_addesc(struct buf *, const char *, size_t);
void	 buf_addunesc(struct buf *, const char *, size_t);
/* len bytes of s as a JSON string, quotes included. */
void	 buf_addjson(struct buf *, const char *, size_t);

/* FNV-1a of len bytes: a stable short name (a socket's, a draft's) or a
 * hash table's slot; not for anything an adversary chooses. */
uint64_t hash_fnv1a(const void *, size_t);
/*
 * The first 8 bytes of a key as a big-endian number, zeros past its
 * end: keys whose heads differ are in the order of memcmp() and then
 * length as their heads are (equal heads say nothing).  Inline: sorts
 * of millions of keys take one per key.
 */
static inline uint64_t
key_head(const void *key, size_t len)
{
	const unsigned char	*k = key;
	uint64_t		 h = 0;
	size_t			 i;

	for (i = 0; i < 8; i++)
		h = h << 8 | (i < len ? k[i] : 0);
	return (h);
}
/* Keys a (la bytes) and b (lb) with their key_head()s ha and hb, in the
 * order of memcmp() and then length: <0, 0 or >0. */
static inline int
key_cmp_headed(uint64_t ha, const char *a, size_t la, uint64_t hb,
    const char *b, size_t lb)
{
	size_t	n = la < lb ? la : lb;
	int	c;

	if (ha != hb)
		return (ha < hb ? -1 : 1);
	c = n > 8 ? memcmp(a + 8, b + 8, n - 8) : 0;
	if (c != 0)
		return (c);
	return (la < lb ? -1 : la > lb);
}
/* Where id is among n ascending ids, or SIZE_MAX. */
size_t	 ids_find(const uint64_t *, size_t, uint64_t);
/* The first of v[0, n) >= id (n when none is). */
size_t	 ids_lower(const uint64_t *, size_t, uint64_t);

/*
 * Error reporting: functions take a struct buf *err last (may be NULL)
 * and return -1 after setting a complete, lower-case message in it.
 * buf_error() replaces the message and returns -1, so
 * "return buf_error(err, ...)" is the idiom.  buf_prefix() puts context
 * in front of an existing message ("file:line: ").
 */
int	 buf_error(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
void	 buf_prefix(struct buf *, const char *, ...) PRINTFLIKE(2, 3);

/* Allocation: never returns NULL; out of memory is fatal. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
/* n elements of size, for a big array filled at once: huge pages when
 * it is big and the kernel has them.  Freed with free(). */
void	*xmallocarray_large(size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	*xmemdup(const void *, size_t);
int	 xasprintf(char **, const char *, ...) PRINTFLIKE(2, 3);

/* Fatal errors: the hook (the TUI restores the terminal) runs first. */
void	 fatal(const char *, ...) PRINTFLIKE(1, 2) NORETURN;
void	 fatal_set_hook(void (*)(void));
#define BUG(...) fatal("BUG: " __VA_ARGS__)

/*
 * Log sink: messages go to whatever the program installed (a queue
 * before the UI is up, the status line in the UI, stderr in cron, nothing
 * in tests).  The default writes to stderr.
 */
enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };
typedef void log_sink_fn(enum log_level, const char *, void *);
void	 log_set_sink(log_sink_fn *, void *);
void	 log_set_level(enum log_level);
void	 log_msg(enum log_level, const char *, ...) PRINTFLIKE(2, 3);
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * Everything below that writes text into a struct buf (utf8_encode,
 * utf8_foldkey, the *_format functions, conv_feed) appends to it and
 * never resets it first.
 */

/*
 * UTF-8.  All text inside clerk is UTF-8; none of these depend on the
 * locale.
 */
/* Decode one code point at s (at most len bytes); returns its length,
 * or 0 (and *cp = 0xFFFD) on an invalid or cut sequence. */
size_t	 utf8_decode(const char *, size_t, uint32_t *);
/*
 * utf8_decode() with the common cases, ASCII and two-byte sequences
 * (Cyrillic), taken inline: for loops over every character of a text
 * on a hot path (a row's keys, a parsed value).  len must be at least 1.
 */
static inline size_t
utf8_decode_fast(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*p = (const unsigned char *)s;

	if (p[0] < 0x80) {
		*cp = p[0];
		return (1);
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF && len > 1 &&
	    (p[1] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
		return (2);
	}
	return (utf8_decode(s, len, cp));
}
/* Append the encoding of cp (1 to 4 bytes). */
void	 utf8_encode(struct buf *, uint32_t);
/* 1 if valid; else 0 with the byte offset of the first bad byte. */
int	 utf8_valid(const char *, size_t, size_t *);
/* Display width of one code point (0 combining, 2 wide, -1 control). */
int	 utf8_cpwidth(uint32_t);
/* Display width in terminal cells of a string (controls count 0). */
size_t	 utf8_width(const char *, size_t);
/* Number of code points. */
size_t	 utf8_length(const char *, size_t);
/* Longest prefix of s, in bytes, whose display width is <= cells. */
size_t	 utf8_fit(const char *, size_t, size_t);
/* Lower-case a code point: Latin, Latin-1, Cyrillic (incl. Ё, Ukrainian). */
uint32_t utf8_lower(uint32_t);
/* Upper-case a code point (the inverse for the same ranges). */
uint32_t utf8_upper(uint32_t);
/*
 * Fold key (DESIGN.md §3): lower case, ё -> е, й kept, runs of white
 * space collapsed to one blank, leading and trailing blanks dropped.
 * Plain byte order of fold keys is Russian alphabetical order, and the
 * key of a prefix of a word is a prefix of the word's key.
 */
void	 utf8_foldkey(struct buf *, const char *, size_t);
/* Case-insensitive (folded) substring test, ё = е. */
int	 utf8_contains(const char *, const char *);
/* Map a Cyrillic letter to the Latin letter on the same key (йцукен ->
 * qwerty); others unchanged. */
uint32_t utf8_layout_latin(uint32_t);

/*
 * Dates are days since 1970-01-01 (int32_t, proleptic Gregorian);
 * datetimes are seconds since the epoch, UTC (int64_t).
 */
#define DATE_NONE INT32_MIN
int32_t	 date_from_ymd(int, int, int);
void	 date_to_ymd(int32_t, int *, int *, int *);
int	 date_valid_ymd(int, int, int);
/*
 * Reads a date as typed anywhere: 2026-01-31, 2026-1-5, 31.01.2026,
 * 1.2.2026 or 31.01.26, whose two-digit year is the one ending in those
 * digits from 80 years before today's year to 19 after (in 2026, 80 is
 * 1980 and 45 is 2045); or today, yesterday, tomorrow (сегодня, вчера,
 * завтра), or week, month, quarter or year followed by start or end;
 * either followed by any number of "+ N" or "- N" and a unit (days,
 * the default, weeks, months, quarters, years).  Words in any case.
 * date_parse takes today from the clock; date_parse_at is given it.
 * -1 with a message naming every accepted form; *out unchanged.
 */
int	 date_parse(const char *, int32_t *, struct buf *);
int	 date_parse_at(const char *, int32_t, int32_t *, struct buf *);
enum date_unit {
	DATE_DAY,
	DATE_WEEK,
	DATE_MONTH,
	DATE_QUARTER,
	DATE_YEAR
};
/* 1 if s[0..len) names a unit ("day", "months"; any case), else 0. */
int	 date_unit_word(const char *, size_t, enum date_unit *);
/* The first (or, at_end, the last) day of the week (from Monday),
 * month, quarter or year holding the date. */
int32_t	 date_period(int32_t, enum date_unit, int);
/* The date moved by n units; a month on from 31 January is the end of
 * February.  DATE_NONE when it leaves what int32_t holds. */
int32_t	 date_shift(int32_t, long, enum date_unit);
void	 date_format_iso(struct buf *, int32_t);	/* 2026-01-31 */
void	 date_format_ru(struct buf *, int32_t);		/* 31.01.2026 */
int	 date_weekday(int32_t);				/* 1 Monday .. 7 Sunday */
int32_t	 date_add_months(int32_t, int);
/* Accepts ISO "2026-01-31 12:30[:45]", "2026-01-31T12:30:45[Z]" and
 * "31.01.2026 12:30"; local time unless Z; or a plain date at 00:00.
 * The date is one of date_parse's dates, not its words. */
int	 datetime_parse(const char *, int64_t *, struct buf *);
/* The same with today given: a two-digit year is read against it, or
 * refused when it is DATE_NONE (for CLERK_NOW, which sets the clock). */
int	 datetime_parse_at(const char *, int32_t, int64_t *, struct buf *);
void	 datetime_format(struct buf *, int64_t);	/* local "2026-01-31 12:30:45" */
/* For people, as their dates (clerk(1)): local "31.01.2026 12:30". */
void	 datetime_format_ru(struct buf *, int64_t);

/*
 * Money is int64_t kopecks; quantities are int64_t thousandths.
 * money_parse accepts "1 234,56", "1234.56", "1234", "-5,5", with
 * blanks, no-break and thin spaces or apostrophes as thousands
 * separators, and refuses an ambiguous "12,345" or "1.234" (a separator
 * followed by exactly three digits) with a message saying so.  Both
 * marks together are read when they leave nothing to guess: "1,234.56"
 * and "1.234,56", the last mark the decimal one and the other grouping
 * thousands exactly by three; "1,23.45" is refused.  Whatever
 * money_format and qty_format write, in any style, parses back to the
 * same value (INT64_MIN included).
 */
int	 money_parse(const char *, int64_t *, struct buf *);
int	 qty_parse(const char *, int64_t *, struct buf *);
enum money_style {
	MONEY_PLAIN,	/* 1234.56: files, CSV, JSON */
	MONEY_RU,	/* 1 234,56 (no-break space) */
	MONEY_EN,	/* 1,234.56 */
	MONEY_LOCALE	/* RU or EN by LC_NUMERIC's decimal point */
};
void	 money_format(struct buf *, int64_t, enum money_style);
/* Trailing zeros dropped, but MONEY_EN writes a whole quantity from
 * 1000 up as "1,234.0": "1,234" would read back as 1.234. */
void	 qty_format(struct buf *, int64_t, enum money_style);

/*
 * The clock.  CLERK_NOW (an ISO date or datetime, or seconds since the
 * epoch) fixes it for tests; it is read once.
 */
int64_t	 clock_now(void);
int32_t	 clock_today(void);		/* local date of clock_now() */
uint64_t clock_monotonic_ns(void);

/*
 * Character set conversion through glibc iconv, streaming: a multibyte
 * sequence cut at the end of one chunk is kept for the next; an invalid
 * sequence is reported with its byte offset from the start of the whole
 * input.  Encoding names are iconv's (UTF-8, CP1251, CP866, KOI8-R).
 */
struct conv;
struct conv *conv_open(const char *, const char *, struct buf *);
/* Convert len bytes, appending to out; final = 1 on the last chunk (a
 * leftover tail is then an error).  -1 with "invalid CP1251 sequence at
 * byte 1234" style messages. */
int	 conv_feed(struct conv *, const char *, size_t, struct buf *, int,
	     struct buf *);
uint64_t conv_offset(struct conv *);	/* input bytes consumed so far */
void	 conv_free(struct conv *);
/* One-shot helper. */
int	 conv_string(const char *, const char *, const char *, size_t,
	     struct buf *, struct buf *);

/*
 * A lock file its holder may remove (lockfile.c): lockfile_take() opens
 * or makes path and takes an exclusive flock on it, waiting, and checks
 * the path still names the file locked (else takes it again); returns
 * the descriptor, or -1 with errno.  lockfile_drop() releases it,
 * removing the file first when path is not NULL.
 */
int	 lockfile_take(const char *);
void	 lockfile_drop(const char *, int);

#endif
