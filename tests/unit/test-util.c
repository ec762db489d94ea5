/*
 * test-util.c: the util layer (buf, xmalloc, log, utf8, dates, money,
 * clock).  conv has its own program, test-conv.c.  Cases come with
 * independent oracles where there is one (timegm() for dates, the
 * Unicode tables' own inverse property for case mapping).
 */
#include "config.h"

#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"
#include "../unit/tap.h"

#define NBSP	"\xc2\xa0"
#define NNBSP	"\xe2\x80\xaf"

static int
contains(const char *hay, const char *needle)
{
	return (strstr(hay, needle) != NULL);
}

/* ---- buf ---- */

/* Big arrays (huge pages asked for) and small ones, each written whole;
 * ids found in an ascending array. */
static void
test_arrays(void)
{
	static const uint64_t ids[] = { 2, 3, 7, 40, 41, 1000 };
	size_t		 sizes[] = { 1000, 5u << 20 }, k, j;
	uint64_t	*v;
	int		 good;

	for (k = 0; k < 2; k++) {
		v = xmallocarray_large(sizes[k] / 8, 8);
		for (j = 0; j < sizes[k] / 8; j++)
			v[j] = j;
		good = v[sizes[k] / 8 - 1] == sizes[k] / 8 - 1;
		free(v);
		ok(good, "xmallocarray_large: %zu bytes written and freed",
		    sizes[k]);
	}
	ok(ids_find(ids, 6, 2) == 0 && ids_find(ids, 6, 41) == 4 &&
	    ids_find(ids, 6, 1000) == 5, "ids_find: first, middle, last");
	ok(ids_find(ids, 6, 1) == SIZE_MAX &&
	    ids_find(ids, 6, 5) == SIZE_MAX &&
	    ids_find(ids, 6, 1001) == SIZE_MAX &&
	    ids_find(ids, 0, 2) == SIZE_MAX,
	    "ids_find: below, between, above, none");
	ok(ids_lower(ids, 6, 1) == 0 && ids_lower(ids, 6, 3) == 1 &&
	    ids_lower(ids, 6, 5) == 2 && ids_lower(ids, 6, 1000) == 5 &&
	    ids_lower(ids, 6, 1001) == 6 && ids_lower(ids, 0, 2) == 0,
	    "ids_lower: below, at, between, last, above, none");
}

static void
test_buf(void)
{
	struct buf	 b = BUF_INIT, e = BUF_INIT;
	char		*p;
	size_t		 len, i;

	ok(b.data == buf_empty && b.len == 0 && b.data[0] == '\0',
	    "buf: fresh buffer points at the shared empty string");
	buf_add(&b, "abc", 3);
	buf_addch(&b, 'd');
	buf_adds(&b, "ef");
	is_str(b.data, "abcdef", "buf: add, addch, adds append");
	is_int(b.len, 6, "buf: length follows");
	buf_add(&b, "x\0y", 3);
	ok(b.len == 9 && memcmp(b.data + 6, "x\0y", 3) == 0 &&
	    b.data[9] == '\0', "buf: binary-safe with a NUL inside");
	buf_reset(&b);
	ok(b.len == 0 && b.data[0] == '\0' && b.alloc != 0,
	    "buf: reset empties but keeps memory");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%zu,", i);
	ok(b.len > 3000 && strncmp(b.data, "0,1,2,", 6) == 0 &&
	    strcmp(b.data + b.len - 4, "999,") == 0,
	    "buf: printf grows across many reallocations");
	buf_set(&b, "%s-%d", "n", 42);
	is_str(b.data, "n-42", "buf: set replaces");
	buf_set(&b, "id ");
	buf_addu64(&b, 0);
	buf_addch(&b, ' ');
	buf_addu64(&b, 1234567);
	buf_addch(&b, ' ');
	buf_addu64(&b, UINT64_MAX);
	is_str(b.data, "id 0 1234567 18446744073709551615",
	    "buf: addu64 writes 0, a number and the largest in decimal");
	buf_set(&b, "n-42");
	buf_truncate(&b, 1);
	is_str(b.data, "n", "buf: truncate");
	buf_set(&b, " \t\r\n  mid dle \n\t ");
	buf_trim(&b);
	is_str(b.data, "mid dle", "buf: trim drops blanks on both sides");
	buf_set(&b, "   ");
	buf_trim(&b);
	ok(b.len == 0 && b.data[0] == '\0', "buf: trim of blanks only");
	buf_set(&b, "owned");
	p = buf_detach(&b, &len);
	ok(strcmp(p, "owned") == 0 && len == 5, "buf: detach hands over");
	ok(b.data == buf_empty && b.len == 0 && b.alloc == 0,
	    "buf: detached buffer is fresh again");
	free(p);
	p = buf_detach(&b, NULL);
	ok(p != buf_empty && p[0] == '\0',
	    "buf: detach of an empty buffer gives a freeable string");
	free(p);
	buf_trim(&b);
	buf_truncate(&b, 0);
	ok(b.data == buf_empty, "buf: trim and truncate of a fresh buffer");

	is_int(buf_error(&e, "cannot open '%s'", "x"), -1,
	    "buf_error returns -1");
	is_str(e.data, "cannot open 'x'", "buf_error sets the message");
	buf_prefix(&e, "%s:%d: ", "f.form", 7);
	is_str(e.data, "f.form:7: cannot open 'x'", "buf_prefix");
	is_int(buf_error(NULL, "ignored"), -1, "buf_error with no buffer");
	buf_prefix(NULL, "nothing");
	buf_release(&e);
	buf_release(&b);
	buf_release(&b);
	ok(b.data == buf_empty, "buf: release twice is harmless");
}

/* ---- xmalloc ---- */

static void
test_xmalloc(void)
{
	char	*s, *t;
	int	*a, i, sum = 0;
	void	*z;

	s = xstrdup("hello");
	is_str(s, "hello", "xstrdup");
	t = xstrndup("hello", 3);
	is_str(t, "hel", "xstrndup cuts");
	free(t);
	t = xstrndup("hi", 10);
	is_str(t, "hi", "xstrndup of a shorter string");
	free(t);
	t = xmemdup(s, 6);
	ok(memcmp(t, "hello", 6) == 0 && t != s, "xmemdup copies");
	free(t);
	free(s);
	a = xcalloc(100, sizeof(*a));
	for (i = 0; i < 100; i++)
		sum |= a[i];
	ok(sum == 0, "xcalloc zeroes");
	a = xreallocarray(a, 1000, sizeof(*a));
	a[999] = 7;
	ok(a[999] == 7 && a[0] == 0, "xreallocarray grows and keeps");
	free(a);
	z = xmalloc(0);
	ok(z != NULL, "xmalloc(0) is not NULL");
	free(z);
	is_int(xasprintf(&s, "%d-%s", 12, "ab"), 5, "xasprintf length");
	is_str(s, "12-ab", "xasprintf text");
	free(s);
}

/* ---- log ---- */

struct capture {
	int		n;
	enum log_level	level;
	char		msg[256];
};

static void
capture_sink(enum log_level level, const char *msg, void *arg)
{
	struct capture	*c = arg;

	c->n++;
	c->level = level;
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

static void
nested_sink(enum log_level level, const char *msg, void *arg)
{
	struct capture	*c = arg;

	c->n++;
	/* Must not deadlock: goes to stderr instead. */
	log_warn("nested from the sink: %s", msg);
}

/* Run fn with stderr sent to a file; return what it wrote. */
static char *
stderr_of(void (*fn)(void))
{
	char	 path[] = "/tmp/clerk-test-log-XXXXXX", *text;
	int	 fd, saved;
	FILE	*f;
	long	 n;

	if ((fd = mkstemp(path)) == -1)
		tap_bail("mkstemp failed");
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = xcalloc(1, (size_t)n + 1);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		tap_bail("short read");
	fclose(f);
	unlink(path);
	return (text);
}

static void
log_defaults(void)
{
	log_warn("disk %s is full", "'a'");
	log_info("this is dropped at the default level");
	log_msg(LOG_ERR, "broken\n");
}

static struct capture nested;

static void
log_nested_run(void)
{
	log_set_sink(nested_sink, &nested);
	log_warn("outer");
	log_set_sink(NULL, NULL);
}

static void
test_log(void)
{
	struct capture	 c;
	char		*out;

	out = stderr_of(log_defaults);
	is_str(out, "clerk: warning: disk 'a' is full\nclerk: error: broken\n",
	    "log: default sink writes to stderr, info dropped by default");
	free(out);

	memset(&c, 0, sizeof(c));
	log_set_sink(capture_sink, &c);
	log_warn("w %d", 1);
	ok(c.n == 1 && c.level == LOG_WARN && strcmp(c.msg, "w 1") == 0,
	    "log: installed sink receives the message");
	log_info("info");
	log_debug("debug");
	is_int(c.n, 1, "log: info and debug filtered at LOG_WARN");
	log_set_level(LOG_DEBUG);
	log_debug("d\n\n");
	ok(c.n == 2 && c.level == LOG_DEBUG && strcmp(c.msg, "d") == 0,
	    "log: debug passes at LOG_DEBUG, trailing newlines dropped");
	log_set_level(LOG_ERR);
	log_warn("dropped");
	log_msg(LOG_ERR, "kept");
	ok(c.n == 3 && strcmp(c.msg, "kept") == 0,
	    "log: only errors at LOG_ERR");
	log_set_level(LOG_WARN);

	memset(&nested, 0, sizeof(nested));
	out = stderr_of(log_nested_run);
	ok(nested.n == 1 &&
	    strcmp(out, "clerk: warning: nested from the sink: outer\n") == 0,
	    "log: a sink that logs falls back to stderr, no deadlock");
	free(out);
	log_set_sink(NULL, NULL);
	out = stderr_of(log_defaults);
	ok(contains(out, "clerk: warning: disk"),
	    "log: a NULL sink restores the default");
	free(out);
	log_set_sink(capture_sink, &c);
}

/* ---- UTF-8 ---- */

static void
test_utf8_codec(void)
{
	static const struct {
		const char	*s;
		size_t		 len;
		uint32_t	 cp;
	} good[] = {
		{ "A", 1, 0x41 },
		{ "\x7f", 1, 0x7F },
		{ "\xc2\x80", 2, 0x80 },
		{ "\xdf\xbf", 2, 0x7FF },
		{ "\xd0\x81", 2, 0x401 },		/* Ё */
		{ "\xe0\xa0\x80", 3, 0x800 },
		{ "\xed\x9f\xbf", 3, 0xD7FF },
		{ "\xee\x80\x80", 3, 0xE000 },
		{ "\xef\xbf\xbf", 3, 0xFFFF },
		{ "\xf0\x90\x80\x80", 4, 0x10000 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10FFFF },
	};
	static const struct {
		const char	*s;
		size_t		 len;
		const char	*why;
	} bad[] = {
		{ "\x80", 1, "lone continuation byte" },
		{ "\xbf", 1, "lone continuation byte 0xBF" },
		{ "\xc0\x80", 2, "overlong NUL" },
		{ "\xc1\xbf", 2, "overlong 2-byte" },
		{ "\xe0\x80\x80", 3, "overlong 3-byte" },
		{ "\xe0\x9f\xbf", 3, "overlong U+07FF in 3 bytes" },
		{ "\xf0\x8f\xbf\xbf", 4, "overlong U+FFFF in 4 bytes" },
		{ "\xed\xa0\x80", 3, "surrogate U+D800" },
		{ "\xed\xbf\xbf", 3, "surrogate U+DFFF" },
		{ "\xf4\x90\x80\x80", 4, "U+110000" },
		{ "\xf5\x80\x80\x80", 4, "lead byte 0xF5" },
		{ "\xff", 1, "byte 0xFF" },
		{ "\xd0", 1, "cut 2-byte sequence" },
		{ "\xe2\x82", 2, "cut 3-byte sequence" },
		{ "\xf0\x9f\x98", 3, "cut 4-byte sequence" },
		{ "\xd0\x41", 2, "lead byte then ASCII" },
		{ "\xe2\x28\xa1", 3, "bad second byte" },
	};
	struct buf	b = BUF_INIT;
	uint32_t	cp, got;
	size_t		i, n, off;
	int		fails = 0;

	for (i = 0; i < nitems(good); i++) {
		n = utf8_decode(good[i].s, good[i].len, &cp);
		ok(n == good[i].len && cp == good[i].cp,
		    "utf8_decode U+%04X", (unsigned)good[i].cp);
	}
	for (i = 0; i < nitems(bad); i++) {
		n = utf8_decode(bad[i].s, bad[i].len, &cp);
		ok(n == 0 && cp == 0xFFFD, "utf8_decode refuses %s",
		    bad[i].why);
		ok(!utf8_valid(bad[i].s, bad[i].len, &off) && off == 0,
		    "utf8_valid refuses %s", bad[i].why);
	}
	ok(utf8_decode("", 0, &cp) == 0 && cp == 0xFFFD,
	    "utf8_decode of nothing");
	ok(utf8_decode("\xd0\x96", 1, &cp) == 0,
	    "utf8_decode respects len (cut by the caller)");
	ok(utf8_valid("\xd0\x9f\xd1\x80\xd0\xb8", 6, &off),
	    "utf8_valid accepts Cyrillic");
	ok(!utf8_valid("ok \xd0\x9f\xd1\xff!", 8, &off) && off == 5,
	    "utf8_valid gives the offset of the first bad byte");
	ok(!utf8_valid("ab\xe2\x82", 4, &off) && off == 2,
	    "utf8_valid: a cut sequence at the end is bad at its start");

	/* Every scalar value round trips through encode and decode. */
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		buf_reset(&b);
		utf8_encode(&b, cp);
		n = utf8_decode(b.data, b.len, &got);
		if (n != b.len || got != cp || n != (cp < 0x80 ? 1 :
		    cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4))
			fails++;
	}
	is_int(fails, 0, "utf8: all 1 112 064 scalar values round trip");
	buf_reset(&b);
	utf8_encode(&b, 0xD800);
	utf8_encode(&b, 0x110000);
	is_str(b.data, "\xef\xbf\xbd\xef\xbf\xbd",
	    "utf8_encode writes U+FFFD for a surrogate or out of range");
	buf_set(&b, "x");
	utf8_encode(&b, 0x44F);
	is_str(b.data, "x\xd1\x8f", "utf8_encode appends");
	buf_release(&b);
}

static void
test_utf8_width(void)
{
	static const struct {
		uint32_t	cp;
		int		w;
		const char	*what;
	} w[] = {
		{ 'a', 1, "ASCII letter" },
		{ ' ', 1, "space" },
		{ 0x416, 1, "Cyrillic Ж" },
		{ 0xA0, 1, "no-break space" },
		{ 0xAD, 1, "soft hyphen (as glibc)" },
		{ 0x0, -1, "NUL" },
		{ 0x7, -1, "BEL (C0)" },
		{ 0x1B, -1, "ESC (C0)" },
		{ 0x7F, -1, "DEL" },
		{ 0x85, -1, "NEL (C1)" },
		{ 0x9F, -1, "APC (C1)" },
		{ 0x301, 0, "combining acute" },
		{ 0x483, 0, "combining Cyrillic titlo" },
		{ 0x200B, 0, "zero width space" },
		{ 0x200D, 0, "zero width joiner" },
		{ 0xFEFF, 0, "BOM" },
		{ 0xFE0F, 0, "variation selector 16" },
		{ 0x1160, 0, "Hangul medial vowel" },
		{ 0xE0100, 0, "variation selector 17" },
		{ 0x4E2D, 2, "CJK 中" },
		{ 0x3042, 2, "Hiragana あ" },
		{ 0xAC00, 2, "Hangul syllable 가" },
		{ 0xFF21, 2, "fullwidth A" },
		{ 0x3000, 2, "ideographic space" },
		{ 0x1F600, 2, "emoji 😀" },
		{ 0x20000, 2, "CJK extension B" },
		{ 0x2FFFD, 2, "plane 2 unassigned (wide by default)" },
		{ 0xFF61, 1, "halfwidth ideographic full stop" },
		{ 0x20AC, 1, "euro sign" },
		{ 0x20BD, 1, "rouble sign" },
		{ 0xD800, -1, "surrogate" },
		{ 0x110000, -1, "beyond Unicode" },
	};
	const char	*s;
	size_t		 i;

	for (i = 0; i < nitems(w); i++)
		is_int(utf8_cpwidth(w[i].cp), w[i].w, "utf8_cpwidth: %s",
		    w[i].what);

	is_int(utf8_width("Привет", strlen("Привет")), 6, "width of Привет");
	is_int(utf8_width("中文", 6), 4, "width of 中文");
	is_int(utf8_width("e\xcc\x81t\xc3\xa9", 6), 3,
	    "width with a combining accent");
	is_int(utf8_width("a\tb\x1b", 4), 2, "controls count 0");
	is_int(utf8_width("a\xffz", 3), 3, "an invalid byte counts as U+FFFD");
	is_int(utf8_width("", 0), 0, "width of nothing");
	{
		/* The two-byte Cyrillic shortcut agrees with the code
		 * points' widths, and a lead byte cut off or followed by no
		 * continuation is still one invalid byte. */
		char		 enc[4];
		uint32_t	 cp;
		int		 same = 1;

		for (cp = 0x400; cp <= 0x4FF; cp++) {
			enc[0] = (char)(0xC0 | (cp >> 6));
			enc[1] = (char)(0x80 | (cp & 0x3F));
			if ((int)utf8_width(enc, 2) != (utf8_cpwidth(cp) > 0 ?
			    utf8_cpwidth(cp) : 0))
				same = 0;
		}
		ok(same, "utf8_width of each of U+0400..U+04FF is its "
		    "utf8_cpwidth");
		is_int(utf8_width("\xd0", 1), 1, "a lone Cyrillic lead byte "
		    "counts as U+FFFD");
		is_int(utf8_width("\xd0z\xd1", 3), 3, "so does one before an "
		    "ASCII letter, and one at the end");
	}
	is_int(utf8_length("Привет, 中文!", strlen("Привет, 中文!")), 11,
	    "utf8_length counts code points");
	is_int(utf8_length("\xff\xfe" "a", 3), 3,
	    "utf8_length counts invalid bytes one each");

	s = "中文字";
	is_int(utf8_fit(s, 9, 0), 0, "fit 0 cells");
	is_int(utf8_fit(s, 9, 1), 0, "a wide char does not fit in 1 cell");
	is_int(utf8_fit(s, 9, 3), 3, "fit 3 cells: one wide char");
	is_int(utf8_fit(s, 9, 4), 6, "fit 4 cells: two wide chars");
	is_int(utf8_fit(s, 9, 100), 9, "fit: all when room");
	s = "e\xcc\x81xyz";
	is_int(utf8_fit(s, 6, 1), 3, "fit keeps the combining accent");
	s = "Жук";
	is_int(utf8_fit(s, 6, 2), 4, "fit never cuts a Cyrillic letter");
}

static void
test_utf8_case(void)
{
	static const struct {
		uint32_t	up, lo;
		const char	*what;
	} pairs[] = {
		{ 'A', 'a', "A" }, { 'Z', 'z', "Z" },
		{ 0xC0, 0xE0, "À" }, { 0xDE, 0xFE, "Þ" }, { 0xC9, 0xE9, "É" },
		{ 0x178, 0xFF, "Ÿ" }, { 0x100, 0x101, "Ā" },
		{ 0x141, 0x142, "Ł" }, { 0x160, 0x161, "Š" },
		{ 0x17D, 0x17E, "Ž" }, { 0x152, 0x153, "Œ" },
		{ 0x391, 0x3B1, "Α" }, { 0x3A9, 0x3C9, "Ω" },
		{ 0x386, 0x3AC, "Ά" }, { 0x38F, 0x3CE, "Ώ" },
		{ 0x410, 0x430, "А" }, { 0x42F, 0x44F, "Я" },
		{ 0x401, 0x451, "Ё" }, { 0x419, 0x439, "Й" },
		{ 0x42A, 0x44A, "Ъ" }, { 0x42C, 0x44C, "Ь" },
		{ 0x406, 0x456, "І" }, { 0x407, 0x457, "Ї" },
		{ 0x404, 0x454, "Є" }, { 0x40E, 0x45E, "Ў" },
		{ 0x490, 0x491, "Ґ" }, { 0x49A, 0x49B, "Қ" },
		{ 0x4E8, 0x4E9, "Ө" },
	};
	static const uint32_t same[] = {
		'1', '@', '[', 0xD7, 0xF7, 0xDF, 0xB5, 0x138, 0x149, 0x3A2,
		0x4E2D, 0x20BD,
	};
	uint32_t	c;
	size_t		i;
	int		fails = 0;

	for (i = 0; i < nitems(pairs); i++) {
		ok(utf8_lower(pairs[i].up) == pairs[i].lo &&
		    utf8_upper(pairs[i].lo) == pairs[i].up &&
		    utf8_lower(pairs[i].lo) == pairs[i].lo &&
		    utf8_upper(pairs[i].up) == pairs[i].up,
		    "case pair %s", pairs[i].what);
	}
	for (i = 0; i < nitems(same); i++)
		ok(utf8_lower(same[i]) == same[i] &&
		    utf8_upper(same[i]) == same[i],
		    "no case for U+%04X", (unsigned)same[i]);
	is_int(utf8_upper(0x3C2), 0x3A3, "final sigma upper-cases to Σ");
	/* Every mapping is undone by the other direction. */
	for (c = 0; c < 0x2000; c++) {
		if (utf8_lower(c) != c && utf8_upper(utf8_lower(c)) != c)
			fails++;
		if (utf8_upper(c) != c && c != 0x3C2 &&
		    utf8_lower(utf8_upper(c)) != c)
			fails++;
	}
	is_int(fails, 0, "lower and upper invert each other");
}

static int
cmp_keys(const void *a, const void *b)
{
	const struct buf	*x = *(struct buf *const *)a;
	const struct buf	*y = *(struct buf *const *)b;
	size_t			 n = x->len < y->len ? x->len : y->len;
	int			 r = memcmp(x->data, y->data, n);

	if (r != 0)
		return (r);
	return (x->len < y->len ? -1 : x->len > y->len);
}

static void
test_utf8_fold(void)
{
	/* In Russian dictionary order (ё = е, й its own letter after и,
	 * ъ < ы < ь), Latin first, mixed case. */
	static const char *const words[] = {
		"Apple", "zebra", "абажур", "Абрикос", "баня", "белка",
		"берёза", "Берет", "вьюга", "гусь", "дом", "ёж", "ЁЛКА",
		"Ель", "ерш", "жёлудь", "зима", "иволга", "Иней", "йогурт",
		"Йод", "кит", "лес", "мёд", "медведь", "нос", "объём",
		"объявление", "обычай", "Обь", "осень", "подъезд", "подъём",
		"семья", "съезд", "Тюльпан", "утро", "фонарь", "хлеб",
		"цапля", "чай", "шкаф", "щука", "эхо", "юла", "Яблоко",
		"ящик",
	};
	struct buf	 keys[nitems(words)], *order[nitems(words)], *t;
	struct buf	 b = BUF_INIT, k = BUF_INIT;
	const char	*t0;
	size_t		 i, j, n, off;
	uint32_t	 cp;
	int		 inorder = 1, prefix_ok = 1;
	unsigned	 seed = 12345;

	t0 = "  Ёлка\t\t  ЗЕЛЁНАЯ \n";
	utf8_foldkey(&b, t0, strlen(t0));
	is_str(b.data, "елка зеленая", "foldkey: lower, ё->е, blanks");
	buf_reset(&b);
	utf8_foldkey(&b, "Йод" NBSP NNBSP "Ё", strlen("Йод" NBSP NNBSP "Ё"));
	is_str(b.data, "йод е", "foldkey: й kept, no-break spaces collapse");
	buf_reset(&b);
	utf8_foldkey(&b, "a\xff" "B", 3);
	is_str(b.data, "a\xef\xbf\xbd" "b", "foldkey: bad byte -> U+FFFD");
	buf_reset(&b);
	utf8_foldkey(&b, " \t ", 3);
	is_int(b.len, 0, "foldkey of blanks is empty");
	buf_set(&b, "pre|");
	utf8_foldkey(&b, " X ", 3);
	is_str(b.data, "pre|x", "foldkey appends, trimming its own part");
	buf_reset(&b);
	utf8_foldkey(&b, "ΟΔΟΣ Straße", strlen("ΟΔΟΣ Straße"));
	buf_reset(&k);
	utf8_foldkey(&k, "οδος STRAßE", strlen("οδος STRAßE"));
	is_str(b.data, k.data, "foldkey: Greek final sigma, ß kept");

	for (i = 0; i < nitems(words); i++) {
		buf_init(&keys[i]);
		utf8_foldkey(&keys[i], words[i], strlen(words[i]));
		order[i] = &keys[i];
	}
	/* Shuffle, sort by plain bytes, expect the dictionary order. */
	for (i = nitems(words) - 1; i > 0; i--) {
		seed = seed * 1103515245 + 12345;
		j = (seed >> 8) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	qsort(order, nitems(words), sizeof(order[0]), cmp_keys);
	for (i = 0; i < nitems(words); i++) {
		if (order[i] != &keys[i]) {
			inorder = 0;
			diag("position %zu: got '%s', want '%s'", i,
			    order[i]->data, keys[i].data);
		}
	}
	ok(inorder, "foldkey: byte order of %zu keys is Russian "
	    "alphabetical order", nitems(words));
	is_str(keys[11].data, "еж", "foldkey: ёж");
	is_str(keys[12].data, "елка", "foldkey: ЁЛКА");

	/* The key of every prefix is a prefix of the word's key. */
	for (i = 0; i < nitems(words); i++) {
		for (off = 0; off <= strlen(words[i]); off += n) {
			buf_reset(&b);
			utf8_foldkey(&b, words[i], off);
			if (b.len > keys[i].len ||
			    memcmp(b.data, keys[i].data, b.len) != 0)
				prefix_ok = 0;
			n = utf8_decode(words[i] + off,
			    strlen(words[i]) - off, &cp);
			if (n == 0)
				break;
		}
	}
	ok(prefix_ok, "foldkey: the key of a prefix is a prefix of the key");
	for (i = 0; i < nitems(words); i++)
		buf_release(&keys[i]);

	ok(utf8_contains("Зелёная ЁЛКА", "елк"), "contains: ё = е, any case");
	ok(utf8_contains("Москва", "МОСК"), "contains: upper needle");
	ok(utf8_contains("ООО «Ромашка»", "ромаш"), "contains: inside");
	ok(utf8_contains("Иван  Петров", "иван петров"),
	    "contains: blank runs match one blank");
	ok(utf8_contains("Ёжик", "ЕЖ"), "contains: Е matches Ё");
	ok(!utf8_contains("Москва", "ёж"), "contains: no match");
	ok(!utf8_contains("Йошкар-Ола", "иош"), "contains: й is not и");
	ok(utf8_contains("anything", ""), "contains: empty needle");
	ok(!utf8_contains("", "a"), "contains: empty haystack");
	buf_release(&b);
	buf_release(&k);
}

static void
test_utf8_layout(void)
{
	static const char ru[] =
	    "йцукенгшщзхъфывапролджэячсмитьбюё";
	static const char en[] =
	    "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
	static const char ruu[] =
	    "ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ";
	static const char enu[] =
	    "QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~";
	const char	*p = ru, *q = ruu;
	uint32_t	 cp;
	size_t		 i, n;
	int		 bad = 0, badu = 0;

	for (i = 0; i < strlen(en); i++) {
		n = utf8_decode(p, strlen(p), &cp);
		if (utf8_layout_latin(cp) != (unsigned char)en[i]) {
			bad++;
			diag("key %zu maps to '%c'", i,
			    (int)utf8_layout_latin(cp));
		}
		p += n;
		n = utf8_decode(q, strlen(q), &cp);
		if (utf8_layout_latin(cp) != (unsigned char)enu[i])
			badu++;
		q += n;
	}
	is_int(bad, 0, "layout: all 33 lower-case letters on their keys");
	is_int(badu, 0, "layout: upper case gives the shifted key");
	is_int(utf8_layout_latin('q'), 'q', "layout: Latin unchanged");
	is_int(utf8_layout_latin('5'), '5', "layout: digits unchanged");
	is_int(utf8_layout_latin(0x456), 0x456, "layout: і unchanged");
	is_int(utf8_layout_latin(0x43D), 'y',
	    "layout: н is the Y key (the y/n trap)");
}

/* ---- dates ---- */

static void
test_dates(void)
{
	static const struct {
		int	y, m, d;
		int32_t	days;
		int	wd;
	} known[] = {
		{ 1970, 1, 1, 0, 4 },
		{ 1969, 12, 31, -1, 3 },
		{ 2026, 1, 31, 20484, 6 },
		{ 2000, 3, 1, 11017, 3 },
		{ 1900, 3, 1, -25508, 4 },
		{ 1, 1, 1, -719162, 1 },
		{ 9999, 12, 31, 2932896, 5 },
		{ 1600, 2, 29, -135081, 2 },
		{ 2024, 2, 29, 19782, 4 },
	};
	struct buf	b = BUF_INIT;
	struct tm	tm;
	int32_t		d, lo, hi;
	int		y, m, dd, py, pm, pd, fails = 0, tfails = 0;
	size_t		i;

	for (i = 0; i < nitems(known); i++) {
		is_int(date_from_ymd(known[i].y, known[i].m, known[i].d),
		    known[i].days, "date_from_ymd %04d-%02d-%02d", known[i].y,
		    known[i].m, known[i].d);
		date_to_ymd(known[i].days, &y, &m, &dd);
		ok(y == known[i].y && m == known[i].m && dd == known[i].d,
		    "date_to_ymd %d", (int)known[i].days);
		is_int(date_weekday(known[i].days), known[i].wd,
		    "date_weekday %04d-%02d-%02d", known[i].y, known[i].m,
		    known[i].d);
	}
	ok(date_valid_ymd(2024, 2, 29), "2024 is a leap year");
	ok(!date_valid_ymd(2026, 2, 29), "2026 is not");
	ok(!date_valid_ymd(1900, 2, 29), "1900 is not (century)");
	ok(date_valid_ymd(2000, 2, 29), "2000 is (400 years)");
	ok(!date_valid_ymd(2100, 2, 29), "2100 is not");
	ok(!date_valid_ymd(2026, 4, 31), "30 days in April");
	ok(!date_valid_ymd(2026, 13, 1) && !date_valid_ymd(2026, 0, 1),
	    "months 1 to 12");
	ok(!date_valid_ymd(0, 1, 1) && !date_valid_ymd(10000, 1, 1),
	    "years 1 to 9999");
	is_int(date_from_ymd(2026, 2, 30), DATE_NONE,
	    "date_from_ymd of 30 February is DATE_NONE");

	/* Every day from year 1 to 9999: to_ymd and back, and each day is
	 * the calendar successor of the one before. */
	lo = date_from_ymd(1, 1, 1);
	hi = date_from_ymd(9999, 12, 31);
	py = 0, pm = 12, pd = 31;
	for (d = lo; d <= hi; d++) {
		date_to_ymd(d, &y, &m, &dd);
		if (date_from_ymd(y, m, dd) != d || !date_valid_ymd(y, m, dd))
			fails++;
		if (!((y == py && m == pm && dd == pd + 1) ||
		    (y == py && m == pm + 1 && dd == 1) ||
		    (y == py + 1 && m == 1 && dd == 1 && pm == 12)))
			fails++;
		if (date_weekday(d) != (date_weekday(d - 1) % 7) + 1)
			fails++;
		py = y, pm = m, pd = dd;
	}
	is_int(fails, 0, "every day of years 1..9999 round trips in order");
	/* An independent oracle: glibc's timegm(). */
	for (d = date_from_ymd(1800, 1, 1); d < date_from_ymd(2300, 1, 1);
	    d += 7) {
		date_to_ymd(d, &y, &m, &dd);
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = dd;
		if (timegm(&tm) != (time_t)d * 86400 ||
		    tm.tm_wday != date_weekday(d) % 7)
			tfails++;
	}
	is_int(tfails, 0, "dates 1800..2300 agree with timegm()");
	fails = 0;
	for (d = -2000000000; d < 2000000000; d += 999983) {
		date_to_ymd(d, &y, &m, &dd);
		if (date_from_ymd(y, m, dd) != d)
			fails++;
	}
	is_int(fails, 0, "round trips far outside years 1..9999");
	date_to_ymd(date_from_ymd(-1, 12, 31) + 1, &y, &m, &dd);
	ok(y == 0 && m == 1 && dd == 1, "the day after 31.12.-1 is 1.1.0");

	d = date_from_ymd(2026, 1, 31);
	is_int(date_add_months(d, 1), date_from_ymd(2026, 2, 28),
	    "31 Jan + 1 month = 28 Feb");
	is_int(date_add_months(date_from_ymd(2024, 1, 31), 1),
	    date_from_ymd(2024, 2, 29), "31 Jan 2024 + 1 month = 29 Feb");
	is_int(date_add_months(date_from_ymd(2026, 3, 31), -1),
	    date_from_ymd(2026, 2, 28), "31 Mar - 1 month = 28 Feb");
	is_int(date_add_months(d, 12), date_from_ymd(2027, 1, 31),
	    "+12 months");
	is_int(date_add_months(d, -13), date_from_ymd(2024, 12, 31),
	    "-13 months");
	is_int(date_add_months(date_from_ymd(2026, 8, 31), 1),
	    date_from_ymd(2026, 9, 30), "31 Aug + 1 month = 30 Sep");
	is_int(date_add_months(d, 0), d, "+0 months");
	is_int(date_add_months(DATE_NONE, 1), DATE_NONE, "DATE_NONE stays");

	date_format_iso(&b, d);
	is_str(b.data, "2026-01-31", "date_format_iso");
	buf_reset(&b);
	date_format_ru(&b, date_from_ymd(2026, 3, 5));
	is_str(b.data, "05.03.2026", "date_format_ru");
	buf_set(&b, "due ");
	date_format_iso(&b, date_from_ymd(1, 1, 1));
	is_str(b.data, "due 0001-01-01", "date_format_iso appends, pads");
	buf_reset(&b);
	date_format_iso(&b, DATE_NONE);
	is_int(b.len, 0, "DATE_NONE formats as nothing");
	buf_release(&b);
}

/* Nothing here may read the clock: the clock tests below need a process
 * that has not (two-digit years and words are test_date_parse_at's). */
static void
test_date_parse(void)
{
	static const struct {
		const char	*s;
		int		 y, m, d;
	} good[] = {
		{ "2026-01-31", 2026, 1, 31 },
		{ "  31.01.2026\t", 2026, 1, 31 },
		{ "1.2.2026", 2026, 2, 1 },
		{ "2026-2-3", 2026, 2, 3 },
		{ "29.02.2024", 2024, 2, 29 },
		{ "2000-02-29", 2000, 2, 29 },
		{ "0001-01-01", 1, 1, 1 },
		{ "31.12.9999", 9999, 12, 31 },
		/* As people and spreadsheets write dates in Russian. */
		{ "15 марта 1980", 1980, 3, 15 },
		{ "1 Января 2000 г.", 2000, 1, 1 },
		{ "31 декабря 2025 года", 2025, 12, 31 },
		{ "5 сент. 2026", 2026, 9, 5 },
		{ "5 мая 2026 г", 2026, 5, 5 },
		{ "15  Ноя  2026", 2026, 11, 15 },
		{ "15 March 1980", 1980, 3, 15 },
		{ "15.03.1980 г.", 1980, 3, 15 },
		{ "2026-01-31 год", 2026, 1, 31 },
		{ "15.03.1980 0:00:00", 1980, 3, 15 },
		{ "15.03.1980 00:00", 1980, 3, 15 },
		{ "15 марта 1980 г. 0:00", 1980, 3, 15 },
		{ "15.03.1980г.", 1980, 3, 15 },
		{ "15.03.1980г", 1980, 3, 15 },
		{ "15 марта 1980г.", 1980, 3, 15 },
		{ "2026-01-31г.", 2026, 1, 31 },
	};
	static const struct {
		const char	*s;
		const char	*msg;
	} bad[] = {
		{ "31.04.2026", "invalid date '31.04.2026': April has 30 days" },
		{ "2026-02-30",
		  "invalid date '2026-02-30': February 2026 has 28 days" },
		{ "30.02.2024",
		  "invalid date '30.02.2024': February 2024 has 29 days" },
		{ "29.02.1900",
		  "invalid date '29.02.1900': February 1900 has 28 days" },
		{ "31.06.2026", "invalid date '31.06.2026': June has 30 days" },
		{ "32.01.2026",
		  "invalid date '32.01.2026': January has 31 days" },
		{ "2026-13-01", "invalid date '2026-13-01': there is no month 13" },
		{ "01.00.2026", "invalid date '01.00.2026': there is no month 0" },
		{ "00.01.2026", "invalid date '00.01.2026': there is no day 0" },
		{ "0000-01-01", "invalid date '0000-01-01': there is no year 0" },
		{ "x", "invalid date 'x': expected a date (2026-01-31, "
		  "2026-1-5, 31.01.2026, 1.2.2026, 31.01.26, 31 января 2026), "
		  "today, yesterday, "
		  "tomorrow, or week, month, quarter or year start or end, "
		  "maybe followed by + or - a number of days, weeks, months or "
		  "years" },
		{ "", "invalid date '': expected a date (2026-01-31" },
		{ " 31/01/2026 ",
		  "invalid date '31/01/2026': expected a date (2026-01-31" },
		{ "2026.01.31", "expected a date (2026-01-31" },
		{ "26-01-31", "expected a date (2026-01-31" },
		{ "31.01.202", "expected a date (2026-01-31" },
		{ "31-01-2026", "expected a date (2026-01-31" },
		{ "2026-01-31x", "expected a date (2026-01-31" },
		{ "2026-01-031", "expected a date (2026-01-31" },
		{ "20260-01-31", "expected a date (2026-01-31" },
		{ "31.01", "expected a date (2026-01-31" },
		{ "31.01.2026 12:00", "expected a date (2026-01-31" },
		{ "31.01.2026 0:00:01", "expected a date (2026-01-31" },
		{ "31 февраля 2026",
		  "invalid date '31 февраля 2026': February 2026 has 28 days" },
		{ "31 апреля 2026", "April has 30 days" },
		{ "32 января 2026", "January has 31 days" },
		{ "15 мартобря 2026", "expected a date (2026-01-31" },
		{ "15 марта", "expected a date (2026-01-31" },
		{ "марта 2026", "expected a date (2026-01-31" },
		{ "15 марта 202", "expected a date (2026-01-31" },
		{ "15 марта 2026 г. г.", "expected a date (2026-01-31" },
		{ "2026 г.", "expected a date (2026-01-31" },
		{ "15.03.1980гг", "expected a date (2026-01-31" },
		{ "15.03.1980г.г.", "expected a date (2026-01-31" },
		{ "15 марта 1980гx", "expected a date (2026-01-31" },
	};
	struct buf	err = BUF_INIT;
	int32_t		d, keep;
	size_t		i;

	for (i = 0; i < nitems(good); i++) {
		d = DATE_NONE;
		ok(date_parse(good[i].s, &d, &err) == 0 &&
		    d == date_from_ymd(good[i].y, good[i].m, good[i].d),
		    "date_parse '%s'", good[i].s);
	}
	for (i = 0; i < nitems(bad); i++) {
		keep = d = 12345;
		buf_reset(&err);
		if (!ok(date_parse(bad[i].s, &d, &err) == -1 && d == keep &&
		    contains(err.data, bad[i].msg), "date_parse refuses '%s'",
		    bad[i].s))
			diag("message: %s", err.data);
	}
	ok(date_parse("bad", &d, NULL) == -1, "date_parse with no err buf");
	buf_release(&err);
}

/* Two-digit years and the words, against a fixed today. */
static void
test_date_parse_at(void)
{
	static const struct {
		const char	*s;
		int		 ty, y, m, d;
	} good[] = {
		{ "15.03.80", 2026, 1980, 3, 15 },
		{ "31.12.99", 2026, 1999, 12, 31 },
		{ "31.01.26", 2026, 2026, 1, 31 },
		{ "01.01.45", 2026, 2045, 1, 1 },
		{ "01.01.46", 2026, 1946, 1, 1 },
		{ "01.01.00", 2026, 2000, 1, 1 },
		{ "01.01.46", 2027, 2046, 1, 1 },
		{ "01.01.47", 2027, 1947, 1, 1 },
		{ "01.03.00", 2090, 2100, 3, 1 },
		{ "01.01.09", 2090, 2109, 1, 1 },
		{ "01.01.10", 2090, 2010, 1, 1 },
		{ "today", 2026, 2026, 3, 18 },
		{ "Сегодня", 2026, 2026, 3, 18 },
		{ "yesterday", 2026, 2026, 3, 17 },
		{ "завтра", 2026, 2026, 3, 19 },
		{ "today - 7", 2026, 2026, 3, 11 },
		{ "today-7", 2026, 2026, 3, 11 },
		{ "week start", 2026, 2026, 3, 16 },
		{ "week end", 2026, 2026, 3, 22 },
		{ " Month  Start ", 2026, 2026, 3, 1 },
		{ "month end", 2026, 2026, 3, 31 },
		{ "quarter start", 2026, 2026, 1, 1 },
		{ "quarter end", 2026, 2026, 3, 31 },
		{ "year end", 2026, 2026, 12, 31 },
		{ "month start - 1 month", 2026, 2026, 2, 1 },
		{ "month start - 1", 2026, 2026, 2, 28 },
		{ "today + 2 weeks - 1 day", 2026, 2026, 3, 31 },
		{ "31.01.2026 + 1 month", 2026, 2026, 2, 28 },
		{ "2026-01-31 - 1 year", 2026, 2025, 1, 31 },
		{ "01.01.26 + 1 quarter", 2026, 2026, 4, 1 },
		{ "15 марта 80", 2026, 1980, 3, 15 },
		{ "15 марта 1980 г. + 1 day", 2026, 1980, 3, 16 },
	};
	static const char *const bad[] = {
		"month", "month begin", "today -", "today - x", "today 7",
		"today - 7 fortnights", "sometime", "weekstart", "day start",
		"0001-01-01 - 1", "9999-12-31 + 1 year",
	};
	struct buf	err = BUF_INIT;
	int32_t		d, today;
	size_t		i;

	for (i = 0; i < nitems(good); i++) {
		/* 18 March, a Wednesday, in the year given. */
		today = date_from_ymd(good[i].ty, 3, 18);
		d = DATE_NONE;
		buf_reset(&err);
		if (!ok(date_parse_at(good[i].s, today, &d, &err) == 0 &&
		    d == date_from_ymd(good[i].y, good[i].m, good[i].d),
		    "date_parse_at '%s' in %d", good[i].s, good[i].ty))
			diag("message: %s", err.data);
	}
	today = date_from_ymd(2026, 3, 18);
	for (i = 0; i < nitems(bad); i++) {
		d = 12345;
		buf_reset(&err);
		if (!ok(date_parse_at(bad[i], today, &d, &err) == -1 &&
		    d == 12345 && contains(err.data, bad[i]),
		    "date_parse_at refuses '%s'", bad[i]))
			diag("message: %s", err.data);
	}
	/* CLERK_NOW has no today to read a two-digit year against. */
	buf_reset(&err);
	ok(datetime_parse_at("31.01.26 12:00", DATE_NONE, &(int64_t){ 0 },
	    &err) == -1 && contains(err.data, "four digits"),
	    "datetime_parse_at without today refuses a two-digit year");
	buf_release(&err);
}

static void
test_datetime(void)
{
	struct buf	b = BUF_INIT, err = BUF_INIT;
	int64_t		t, base;

	base = (int64_t)date_from_ymd(2026, 1, 31) * 86400;
	setenv("TZ", "MSK-3", 1);
	tzset();
	ok(datetime_parse("2026-01-31T12:30:45Z", &t, &err) == 0 &&
	    t == base + 12 * 3600 + 30 * 60 + 45, "datetime: ISO with Z");
	ok(datetime_parse("2026-01-31 12:30", &t, &err) == 0 &&
	    t == base + 9 * 3600 + 30 * 60, "datetime: local (MSK) HH:MM");
	ok(datetime_parse(" 31.01.2026 12:30:01 ", &t, &err) == 0 &&
	    t == base + 9 * 3600 + 30 * 60 + 1, "datetime: Russian date");
	ok(datetime_parse("2026-01-31", &t, &err) == 0 &&
	    t == base - 3 * 3600, "datetime: a plain date is local midnight");
	ok(datetime_parse("2026-01-31T12:30:45+03:00", &t, &err) == 0 &&
	    t == base + 9 * 3600 + 30 * 60 + 45, "datetime: +03:00 offset");
	ok(datetime_parse("2026-01-31T12:30-0530", &t, &err) == 0 &&
	    t == base + 18 * 3600, "datetime: -0530 offset");
	ok(datetime_parse("1970-01-01 02:59:59", &t, &err) == 0 && t == -1,
	    "datetime: one second before the epoch is not an error");
	buf_reset(&b);
	datetime_format(&b, 0);
	is_str(b.data, "1970-01-01 03:00:00", "datetime_format in MSK");
	buf_reset(&b);
	datetime_format(&b, base + 45296);
	is_str(b.data, "2026-01-31 15:34:56", "datetime_format");

	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	base = (int64_t)date_from_ymd(2026, 7, 1) * 86400;
	ok(datetime_parse("2026-07-01 12:00", &t, &err) == 0 &&
	    t == base + 10 * 3600, "datetime: summer time applied");
	buf_reset(&b);
	datetime_format(&b, base);
	is_str(b.data, "2026-07-01 02:00:00", "datetime_format in summer");

	buf_reset(&err);
	ok(datetime_parse("2026-01-31 25:00", &t, &err) == -1 &&
	    contains(err.data, "'2026-01-31 25:00'") &&
	    contains(err.data, "hour"), "datetime: hour 25 refused");
	ok(datetime_parse("2026-01-31 12:60", &t, &err) == -1 &&
	    contains(err.data, "minutes"), "datetime: minute 60 refused");
	ok(datetime_parse("2026-01-31 12:00:60", &t, &err) == -1 &&
	    contains(err.data, "seconds"), "datetime: second 60 refused");
	ok(datetime_parse("2026-01-31 12:3", &t, &err) == -1 &&
	    contains(err.data, "expected HH:MM"), "datetime: 12:3 refused");
	ok(datetime_parse("2026-01-31 noon", &t, &err) == -1 &&
	    contains(err.data, "expected HH:MM"), "datetime: words refused");
	ok(datetime_parse("2026-01-31T12:00+3", &t, &err) == -1,
	    "datetime: a one-digit offset refused");
	ok(datetime_parse("2026-01-31T12:00+03:", &t, &err) == -1,
	    "datetime: an offset cut after the colon refused");
	ok(datetime_parse("2026-02-30 10:00", &t, &err) == -1 &&
	    strcmp(err.data, "invalid date '2026-02-30 10:00': February "
	    "2026 has 28 days") == 0, "datetime: bad date quotes the input");
	ok(datetime_parse("T12:00", &t, &err) == -1,
	    "datetime: a time alone refused");
	setenv("TZ", "UTC0", 1);
	tzset();
	buf_release(&b);
	buf_release(&err);
}

/* ---- money ---- */

static void
test_money(void)
{
	static const struct {
		const char	*s;
		int64_t		 v;
	} good[] = {
		{ "1 234,56", 123456 },
		{ "1234.56", 123456 },
		{ "1234", 123400 },
		{ "-5,5", -550 },
		{ "+5", 500 },
		{ "\xe2\x88\x92" "5,50", -550 },
		{ "1" NBSP "234,56", 123456 },
		{ "1" NNBSP "234,56", 123456 },
		{ "1'234.56", 123456 },
		{ "1 234 567,89", 123456789 },
		{ "12 345", 1234500 },
		{ "0,01", 1 },
		{ ",5", 50 },
		{ "007", 700 },
		{ "12,34", 1234 },
		{ "12.3", 1230 },
		{ "  7 \t", 700 },
		{ "-0", 0 },
		{ "1 234,50 \xe2\x82\xbd", 123450 },
		{ "1234\xe2\x82\xbd", 123400 },
		{ "100 \xd1\x80\xd1\x83\xd0\xb1.", 10000 },
		{ "100\xd1\x80.", 10000 },
		{ "5 \xd1\x80", 500 },
		{ "92233720368547758.07", INT64_MAX },
		{ "-92 233 720 368 547 758,07", -INT64_MAX },
		{ "-92233720368547758.08", INT64_MIN },
		/* Both marks, grouping exact: what MONEY_EN writes. */
		{ "1,234.56", 123456 },
		{ "12,345.00", 1234500 },
		{ "123,456.7", 12345670 },
		{ "1,234,567.89", 123456789 },
		{ "-1,234.5", -123450 },
		{ "1,234.56 \xe2\x82\xbd", 123456 },
		{ "1.234,56", 123456 },
		{ "1.234.567,8", 123456780 },
		/* A thin space, as typeset documents group thousands. */
		{ "1\xe2\x80\x89" "234\xe2\x80\x89" "567,89", 123456789 },
	};
	static const struct {
		const char	*s;
		const char	*msg;
		const char	*msg2;
	} bad[] = {
		{ "", "empty amount", NULL },
		{ "  ", "empty amount", NULL },
		{ "12,345", "ambiguous amount '12,345'", "'12 345' for a whole "
		  "number or '12,34' for rubles and kopecks" },
		{ "1.234", "ambiguous amount '1.234'", "'1 234'" },
		{ "-12,345 \xe2\x82\xbd", "ambiguous", "'12,34'" },
		{ "1,23.45", "both ',' and '.'", "'1 234,56'" },
		{ "1.234.5,6", "both ',' and '.'", NULL },
		{ "1234,567.89", "both ',' and '.'", NULL },
		{ "1,2345.6", "both ',' and '.'", NULL },
		{ ",234.56", "both ',' and '.'", NULL },
		{ "1 234,567.89", "both ',' and '.'", NULL },
		{ "1,234.56.7", "both ',' and '.'", NULL },
		{ "1.234,5,6", "both ',' and '.'", NULL },
		{ "1,234.567", "at most 2 digits", NULL },
		{ "1,234,567", "',' appears more than once", "'1 234 567'" },
		{ "1.234.567", "'.' appears more than once", NULL },
		{ "1 2345", "grouped by three", NULL },
		{ "12345 678", "grouped by three", NULL },
		{ "1 23", "grouped by three", NULL },
		{ "1,23 4", "blanks cannot separate the digits after", NULL },
		{ "12,3456", "at most 2 digits", NULL },
		{ "1 234,567", "at most 2 digits", NULL },
		{ ",123", "at most 2 digits", NULL },
		{ "1234,567", "at most 2 digits", NULL },
		{ "0,123", "at most 2 digits", NULL },
		{ "12,", "digits must follow the decimal separator", NULL },
		{ "12.", "digits must follow", NULL },
		{ "1  234", "out of place", NULL },
		{ "1 ,5", "out of place", NULL },
		{ "'5", "out of place", NULL },
		{ "abc", "unexpected character 'a'", NULL },
		{ "12$", "unexpected character '$'", NULL },
		{ "5 \xd0\xb5\xd0\xb2\xd1\x80\xd0\xbe",
		  "unexpected character '\xd0\xb5'", NULL },
		{ "--5", "unexpected character '-'", NULL },
		{ "-", "no digits", NULL },
		{ "\xe2\x82\xbd", "no digits", NULL },
		{ "92233720368547758.08", "too large", NULL },
		{ "-92233720368547758.09", "too large", NULL },
		{ "99999999999999999999", "too large", NULL },
		{ "1 000 000 000 000 000 000 000", "too large", NULL },
	};
	struct buf	err = BUF_INIT;
	int64_t		v, keep = 424242;
	size_t		i;

	for (i = 0; i < nitems(good); i++) {
		v = keep;
		buf_reset(&err);
		if (!ok(money_parse(good[i].s, &v, &err) == 0 &&
		    v == good[i].v, "money_parse '%s'", good[i].s))
			diag("got %lld: %s", (long long)v, err.data);
	}
	for (i = 0; i < nitems(bad); i++) {
		v = keep;
		buf_reset(&err);
		if (!ok(money_parse(bad[i].s, &v, &err) == -1 && v == keep &&
		    contains(err.data, bad[i].msg) && (bad[i].msg2 == NULL ||
		    contains(err.data, bad[i].msg2)),
		    "money_parse refuses '%s'", bad[i].s))
			diag("message: %s", err.data);
	}
	buf_reset(&err);
	money_parse("12,3x", &v, &err);
	is_str(err.data, "invalid amount '12,3x': unexpected character 'x'",
	    "money_parse: the message names the amount");
	buf_release(&err);
}

/*
 * Whatever any style writes reads back to the same value: a value shown
 * to a person can be saved back unchanged.
 */
static void
test_money_roundtrip(void)
{
	static const enum money_style styles[] = {
		MONEY_PLAIN, MONEY_RU, MONEY_EN, MONEY_LOCALE
	};
	static const int64_t vals[] = {
		0, 5, -5, 1, -1, 99, 100, 999, 1000, 123456, -123456, 100000,
		999999, 1000000, 1234567, 12345678, -12345600,
		INT64_C(1000000000000000), -INT64_C(1000000000000000),
		INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
	};
	struct buf	b = BUF_INIT, err = BUF_INIT;
	int64_t		got, v;
	size_t		i, j;
	int		m, fails;

	for (j = 0; j < nitems(styles); j++) {
		for (m = 0; m < 2; m++) {
			fails = 0;
			for (i = 0; i < nitems(vals); i++) {
				buf_reset(&b);
				buf_reset(&err);
				got = 424242;
				if (m == 0)
					money_format(&b, vals[i], styles[j]);
				else
					qty_format(&b, vals[i], styles[j]);
				if ((m == 0 ? money_parse(b.data, &got, &err) :
				    qty_parse(b.data, &got, &err)) == -1 ||
				    got != vals[i]) {
					fails++;
					diag("'%s' read back as %lld: %s",
					    b.data, (long long)got, err.data);
				}
			}
			is_int(fails, 0, "%s_format style %d parses back",
			    m == 0 ? "money" : "qty", (int)styles[j]);
		}
	}
	/* A sweep over every length of the whole part, both kinds. */
	fails = 0;
	for (v = 1; v < INT64_MAX / 7; v = v * 7 + 3) {
		for (j = 0; j < nitems(styles); j++) {
			for (m = 0; m < 4; m++) {
				int64_t w = m & 1 ? -v : v;

				buf_reset(&b);
				if (m < 2)
					money_format(&b, w, styles[j]);
				else
					qty_format(&b, w, styles[j]);
				if ((m < 2 ? money_parse(b.data, &got, &err) :
				    qty_parse(b.data, &got, &err)) == -1 ||
				    got != w) {
					fails++;
					diag("'%s' read back wrong", b.data);
				}
			}
		}
	}
	is_int(fails, 0, "every style of every magnitude parses back");
	buf_release(&b);
	buf_release(&err);
}

static void
test_money_format(void)
{
	static const struct {
		int64_t			v;
		enum money_style	style;
		const char		*want;
	} f[] = {
		{ 123456, MONEY_RU, "1" NBSP "234,56" },
		{ 123456, MONEY_EN, "1,234.56" },
		{ 123456, MONEY_PLAIN, "1234.56" },
		{ -5, MONEY_PLAIN, "-0.05" },
		{ -5, MONEY_RU, "-0,05" },
		{ 0, MONEY_RU, "0,00" },
		{ 100, MONEY_EN, "1.00" },
		{ 99999, MONEY_RU, "999,99" },
		{ 100000, MONEY_RU, "1" NBSP "000,00" },
		{ 100000000, MONEY_RU, "1" NBSP "000" NBSP "000,00" },
		{ -123456789, MONEY_EN, "-1,234,567.89" },
		{ INT64_MAX, MONEY_PLAIN, "92233720368547758.07" },
		{ INT64_MIN, MONEY_PLAIN, "-92233720368547758.08" },
		{ INT64_MIN, MONEY_RU, "-92" NBSP "233" NBSP "720" NBSP "368"
		  NBSP "547" NBSP "758,08" },
		{ 123456, MONEY_LOCALE, "1,234.56" },	/* C locale: '.' */
	};
	static const struct {
		int64_t			v;
		enum money_style	style;
		const char		*want;
	} q[] = {
		{ 1500, MONEY_RU, "1,5" },
		{ 2000, MONEY_RU, "2" },
		{ 1234, MONEY_PLAIN, "1.234" },
		{ 1000500, MONEY_RU, "1" NBSP "000,5" },
		{ 1000500, MONEY_EN, "1,000.5" },
		{ 1000500, MONEY_PLAIN, "1000.5" },
		{ 1234000, MONEY_EN, "1,234.0" },
		{ 1234000, MONEY_RU, "1" NBSP "234" },
		{ 999000, MONEY_EN, "999" },
		{ -2500, MONEY_RU, "-2,5" },
		{ 10, MONEY_RU, "0,01" },
		{ 1, MONEY_PLAIN, "0.001" },
		{ 0, MONEY_RU, "0" },
	};
	struct buf	b = BUF_INIT, err = BUF_INIT;
	int64_t		v, got;
	size_t		i;
	int		fails = 0;

	for (i = 0; i < nitems(f); i++) {
		buf_reset(&b);
		money_format(&b, f[i].v, f[i].style);
		is_str(b.data, f[i].want, "money_format %lld style %d",
		    (long long)f[i].v, (int)f[i].style);
	}
	for (i = 0; i < nitems(q); i++) {
		buf_reset(&b);
		qty_format(&b, q[i].v, q[i].style);
		is_str(b.data, q[i].want, "qty_format %lld style %d",
		    (long long)q[i].v, (int)q[i].style);
	}
	buf_set(&b, "total: ");
	money_format(&b, 5, MONEY_PLAIN);
	is_str(b.data, "total: 0.05", "money_format appends");

	/* What RU and PLAIN write, money_parse reads back. */
	for (v = -3000000; v <= 3000000; v += 997) {
		buf_reset(&b);
		money_format(&b, v * 1009, MONEY_RU);
		if (money_parse(b.data, &got, &err) == -1 || got != v * 1009)
			fails++;
		buf_reset(&b);
		money_format(&b, v, MONEY_PLAIN);
		if (money_parse(b.data, &got, &err) == -1 || got != v)
			fails++;
		buf_reset(&b);
		qty_format(&b, v * 7, MONEY_RU);
		if (qty_parse(b.data, &got, &err) == -1 || got != v * 7)
			fails++;
	}
	is_int(fails, 0, "format then parse round trips");
	buf_release(&b);
	buf_release(&err);
	test_money_roundtrip();
}

static void
test_qty(void)
{
	static const struct {
		const char	*s;
		int64_t		 v;
	} good[] = {
		{ "1,5", 1500 },
		{ "2", 2000 },
		{ "1.234", 1234 },
		{ "1,234", 1234 },
		{ "1 000,5", 1000500 },
		{ "1" NBSP "000", 1000000 },
		{ "0,001", 1 },
		{ "-2,5", -2500 },
		{ " 3 ", 3000 },
		{ "9223372036854775.807", INT64_MAX },
		{ "-9223372036854775.808", INT64_MIN },
		{ "1,000.5", 1000500 },
		{ "1,234.0", 1234000 },
		{ "1.234,567", 1234567 },
	};
	static const struct {
		const char	*s;
		const char	*msg;
	} bad[] = {
		{ "", "empty quantity" },
		{ "1,2345", "at most 3 digits" },
		{ "1'000", "unexpected character '''" },
		{ "1,00.5", "both ',' and '.'" },
		{ "1.000.0,5", "both ',' and '.'" },
		{ "1,234.5678", "at most 3 digits" },
		{ "1,000,000", "appears more than once" },
		{ "1 0000", "grouped by three" },
		{ "5 \xd1\x88\xd1\x82", "unexpected character" },
		{ "5 \xe2\x82\xbd", "unexpected character" },
		{ "9223372036854775.808", "too large" },
	};
	struct buf	err = BUF_INIT;
	int64_t		v;
	size_t		i;

	for (i = 0; i < nitems(good); i++) {
		v = -1;
		ok(qty_parse(good[i].s, &v, &err) == 0 && v == good[i].v,
		    "qty_parse '%s'", good[i].s);
	}
	for (i = 0; i < nitems(bad); i++) {
		buf_reset(&err);
		if (!ok(qty_parse(bad[i].s, &v, &err) == -1 &&
		    contains(err.data, bad[i].msg) &&
		    contains(err.data, "quantity"),
		    "qty_parse refuses '%s'", bad[i].s))
			diag("message: %s", err.data);
	}
	buf_release(&err);
}

/* ---- clock ---- */

static void *
clock_thread(void *arg)
{
	*(int64_t *)arg = clock_now();
	return (NULL);
}

/*
 * The clock is read once per process, so each other CLERK_NOW value
 * runs in a child that reports back through a pipe.
 */
static void
clock_case(const char *now, const char *tz, int64_t want, int32_t today)
{
	int64_t	got[2] = { 0, 0 };
	int	fd[2], status;
	pid_t	pid;

	if (pipe(fd) == -1 || (pid = fork()) == -1)
		tap_bail("pipe or fork failed");
	if (pid == 0) {
		close(fd[0]);
		setenv("CLERK_NOW", now, 1);
		setenv("TZ", tz, 1);
		tzset();
		got[0] = clock_now();
		got[1] = clock_today();
		if (write(fd[1], got, sizeof(got)) != sizeof(got))
			_exit(2);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], got, sizeof(got)) != sizeof(got))
		got[0] = got[1] = -1;
	close(fd[0]);
	waitpid(pid, &status, 0);
	ok(got[0] == want && got[1] == today,
	    "CLERK_NOW='%s' TZ=%s: now %lld, today %lld", now, tz,
	    (long long)got[0], (long long)got[1]);
}

/* FNV-1a's published values: socket names must not change between
 * versions, or a new clerk would not find the running server. */
static void
test_hash(void)
{
	ok(hash_fnv1a("", 0) == 0xcbf29ce484222325ull, "hash of nothing");
	ok(hash_fnv1a("a", 1) == 0xaf63dc4c8601ec8cull, "hash of 'a'");
	ok(hash_fnv1a("foobar", 6) == 0x85944171f73967e8ull,
	    "hash of 'foobar'");
}

static void
test_clock(void)
{
	pthread_t	th[4];
	int64_t		seen[4], base;
	uint64_t	m1, m2;
	struct timespec	ts = { 0, 2000000 };
	int		i, same = 1, status, devnull;
	pid_t		pid;

	base = (int64_t)date_from_ymd(2026, 1, 31) * 86400;
	/* Children first: a child forked after this process has read the
	 * clock would inherit the value read. */
	clock_case("2026-01-31", "UTC0", base, date_from_ymd(2026, 1, 31));
	clock_case("2026-01-31", "MSK-3", base - 3 * 3600,
	    date_from_ymd(2026, 1, 31));
	clock_case("1769860800", "UTC0", 1769860800,
	    date_from_ymd(2026, 1, 31));
	/* 22:30 UTC is already the next day in Moscow. */
	clock_case("2026-01-31T22:30:00Z", "MSK-3", base + 22 * 3600 + 1800,
	    date_from_ymd(2026, 2, 1));
	clock_case("-86400", "UTC0", -86400, -1);

	/* A malformed CLERK_NOW is fatal, not silently the real time. */
	if ((pid = fork()) == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 2);
		setenv("CLERK_NOW", "tomorrow", 1);
		clock_now();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "a malformed CLERK_NOW aborts");

	/* The first use in this process: four threads at once. */
	setenv("TZ", "MSK-3", 1);
	tzset();
	setenv("CLERK_NOW", "2026-01-31 12:00:00", 1);
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, clock_thread, &seen[i]);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 4; i++)
		same &= seen[i] == base + 9 * 3600;
	ok(same, "clock_now: threads agree on CLERK_NOW (local 12:00 MSK)");
	is_int(clock_today(), date_from_ymd(2026, 1, 31), "clock_today");
	setenv("CLERK_NOW", "2030-01-01", 1);
	is_int(clock_now(), base + 9 * 3600, "CLERK_NOW is read once");

	m1 = clock_monotonic_ns();
	nanosleep(&ts, NULL);
	m2 = clock_monotonic_ns();
	ok(m2 >= m1 + 2000000, "clock_monotonic_ns advances with time");
	setenv("TZ", "UTC0", 1);
	tzset();
}

/* The escaped-field form shared by the TUI's machine lines and drafts. */
static void
test_escape(void)
{
	struct buf	 e = BUF_INIT, u = BUF_INIT;
	const char	 odd[] = "a\tb\\c\nd\re\0f";

	buf_addesc(&e, odd, sizeof odd - 1);
	is_str(e.data, "a\\tb\\\\c\\nd\\re", "esc: four characters escaped");
	ok(e.len == 15 && e.data[13] == '\0' && e.data[14] == 'f',
	    "esc: other bytes, NUL too, as they are");
	buf_addunesc(&u, e.data, e.len);
	ok(u.len == sizeof odd - 1 && memcmp(u.data, odd, u.len) == 0,
	    "esc: read back as it was");
	buf_reset(&u);
	buf_addunesc(&u, "x\\q\\", 4);
	is_str(u.data, "xq\\", "esc: unknown escape and a trailing backslash");
	buf_release(&e);
	buf_release(&u);
}

/*
 * The ASCII and two-byte shortcuts of utf8_valid(), utf8_length() and
 * utf8_foldkey() against the same done a code point at a time with
 * utf8_decode(): every bad sequence at every position of Russian text.
 */
static int
ref_space(uint32_t c)
{
	return (c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 ||
	    c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
	    c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000);
}

static void
ref_fold(struct buf *b, const char *s, size_t len)
{
	size_t		i = 0, n, start = b->len;
	uint32_t	c;
	int		blank = 0;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &c)) == 0)
			n = 1;
		i += n;
		if (ref_space(c)) {
			blank = 1;
			continue;
		}
		if (blank && b->len > start)
			buf_addch(b, ' ');
		blank = 0;
		c = utf8_lower(c);
		if (c == 0x451)
			c = 0x435;
		else if (c == 0x3C2)
			c = 0x3C3;
		utf8_encode(b, c);
	}
}

static void
test_utf8_fast(void)
{
	static const struct {
		const char	*s;
		size_t		 len;
	} bad[] = {
		{ "\xd0", 1 },			/* a lead byte alone */
		{ "\xd0z", 2 },			/* before ASCII */
		{ "\xc1\x81", 2 },		/* overlong */
		{ "\xc0\x80", 2 },		/* overlong NUL */
		{ "\xc2\x7f", 2 },		/* no continuation */
		{ "\xdf\xc0", 2 },		/* a lead after a lead */
		{ "\xdf\xd0\x9f", 3 },		/* lead, then a good pair */
		{ "\x80", 1 },			/* a continuation alone */
		{ "\xbf\xbf", 2 },
		{ "\xe2\x82", 2 },		/* a cut three-byte one */
		{ "\xed\xa0\x80", 3 },		/* a surrogate */
		{ "\xf4\x90\x80\x80", 4 },	/* past U+10FFFF */
		{ "\xff", 1 },
	};
	const char	*text = "Привет, Ёлка\t ЁЖ  ok \xc2\xa0x\xe2\x80\x83y"
	    " a run of ASCII, eight bytes at a time: 0123456789!Я";
	struct buf	 s = BUF_INIT, f = BUF_INIT, r = BUF_INIT;
	size_t		 tl = strlen(text), i, k, off, roff, n, rn;
	int		 valid_ok = 1, length_ok = 1, fold_ok = 1, rv;
	uint32_t	 cp;

	for (k = 0; k < nitems(bad); k++) {
		for (i = 0; i <= tl; i++) {
			buf_reset(&s);
			buf_add(&s, text, i);
			buf_add(&s, bad[k].s, bad[k].len);
			buf_add(&s, text + i, tl - i);
			/* The reference: a code point at a time. */
			rv = 1;
			roff = 0;
			for (off = 0, rn = 0; off < s.len; off += n, rn++) {
				if ((n = utf8_decode(s.data + off, s.len - off,
				    &cp)) == 0) {
					if (rv) {
						rv = 0;
						roff = off;
					}
					n = 1;
				}
			}
			off = SIZE_MAX;
			if (utf8_valid(s.data, s.len, &off) != rv ||
			    (!rv && off != roff))
				valid_ok = 0;
			if (utf8_length(s.data, s.len) != rn)
				length_ok = 0;
			buf_set(&f, "pre");
			buf_set(&r, "pre");
			utf8_foldkey(&f, s.data, s.len);
			ref_fold(&r, s.data, s.len);
			if (f.len != r.len || memcmp(f.data, r.data, f.len) != 0 ||
			    f.data[f.len] != '\0')
				fold_ok = 0;
			if (!valid_ok || !length_ok || !fold_ok) {
				diag("bad sequence %zu at byte %zu", k, i);
				goto out;
			}
		}
	}
out:
	ok(valid_ok, "utf8_valid: a bad sequence at every position is "
	    "found where utf8_decode finds it");
	ok(length_ok, "utf8_length: the same count as a code point at a "
	    "time");
	ok(fold_ok, "utf8_foldkey: the same key as a code point at a time");
	/* Every two-byte code point folds as utf8_lower() says. */
	fold_ok = 1;
	for (cp = 0x80; cp < 0x800; cp++) {
		buf_reset(&s);
		utf8_encode(&s, cp);
		buf_reset(&f);
		buf_reset(&r);
		utf8_foldkey(&f, s.data, s.len);
		ref_fold(&r, s.data, s.len);
		if (strcmp(f.data, r.data) != 0 ||
		    utf8_length(s.data, s.len) != 1 ||
		    !utf8_valid(s.data, s.len, NULL))
			fold_ok = 0;
	}
	ok(fold_ok, "U+0080..U+07FF: valid, one long, folded as utf8_lower "
	    "says");
	/* Invalid bytes grow three times: runs of them, blanks between. */
	buf_reset(&s);
	for (k = 0; k < 200; k++)
		buf_add(&s, k % 3 == 0 ? " " : "\xff", 1);
	for (i = 0; i <= s.len; i += 7) {
		buf_set(&f, "x");
		buf_set(&r, "x");
		utf8_foldkey(&f, s.data + i, s.len - i);
		ref_fold(&r, s.data + i, s.len - i);
		if (strcmp(f.data, r.data) != 0)
			break;
	}
	ok(i > s.len, "utf8_foldkey: runs of invalid bytes and blanks");
	buf_release(&s);
	buf_release(&f);
	buf_release(&r);
}

int
main(void)
{
	setlocale(LC_ALL, "C");
	setenv("TZ", "UTC0", 1);
	tzset();
	test_buf();
	test_arrays();
	test_xmalloc();
	test_log();
	test_utf8_codec();
	test_utf8_width();
	test_utf8_case();
	test_utf8_fold();
	test_utf8_fast();
	test_utf8_layout();
	test_dates();
	test_date_parse();
	test_date_parse_at();
	test_datetime();
	test_money();
	test_money_format();
	test_qty();
	test_hash();
	test_escape();
	test_clock();
	return (tap_done());
}
