/*
 * test-conv.c: streaming iconv.  The expected bytes of the pangram in
 * each encoding were produced independently (Python's codecs, not
 * glibc), so a wrong table or a lost byte at a chunk boundary shows.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "../unit/tap.h"

/* "Съешь же ещё этих мягких французских булок" */
static const char pangram_utf8[] =
    "\xd0\xa1\xd1\x8a\xd0\xb5\xd1\x88\xd1\x8c\x20\xd0\xb6\xd0\xb5\x20"
    "\xd0\xb5\xd1\x89\xd1\x91\x20\xd1\x8d\xd1\x82\xd0\xb8\xd1\x85\x20"
    "\xd0\xbc\xd1\x8f\xd0\xb3\xd0\xba\xd0\xb8\xd1\x85\x20\xd1\x84\xd1"
    "\x80\xd0\xb0\xd0\xbd\xd1\x86\xd1\x83\xd0\xb7\xd1\x81\xd0\xba\xd0"
    "\xb8\xd1\x85\x20\xd0\xb1\xd1\x83\xd0\xbb\xd0\xbe\xd0\xba";
static const char pangram_cp1251[] =
    "\xd1\xfa\xe5\xf8\xfc\x20\xe6\xe5\x20\xe5\xf9\xb8\x20\xfd\xf2\xe8"
    "\xf5\x20\xec\xff\xe3\xea\xe8\xf5\x20\xf4\xf0\xe0\xed\xf6\xf3\xe7"
    "\xf1\xea\xe8\xf5\x20\xe1\xf3\xeb\xee\xea";
static const char pangram_cp866[] =
    "\x91\xea\xa5\xe8\xec\x20\xa6\xa5\x20\xa5\xe9\xf1\x20\xed\xe2\xa8"
    "\xe5\x20\xac\xef\xa3\xaa\xa8\xe5\x20\xe4\xe0\xa0\xad\xe6\xe3\xa7"
    "\xe1\xaa\xa8\xe5\x20\xa1\xe3\xab\xae\xaa";
static const char pangram_koi8r[] =
    "\xf3\xdf\xc5\xdb\xd8\x20\xd6\xc5\x20\xc5\xdd\xa3\x20\xdc\xd4\xc9"
    "\xc8\x20\xcd\xd1\xc7\xcb\xc9\xc8\x20\xc6\xd2\xc1\xce\xc3\xd5\xda"
    "\xd3\xcb\xc9\xc8\x20\xc2\xd5\xcc\xcf\xcb";

static const struct {
	const char	*name;
	const char	*bytes;
} enc[] = {
	{ "CP1251", pangram_cp1251 },
	{ "CP866", pangram_cp866 },
	{ "KOI8-R", pangram_koi8r },
};

static unsigned	rng = 20260131;

static size_t
rnd(size_t n)
{
	rng = rng * 1103515245u + 12345u;
	return ((rng >> 8) % n);
}

static int
same(const struct buf *b, const char *want, size_t len)
{
	return (b->len == len && memcmp(b->data, want, len) == 0 &&
	    b->data[len] == '\0');
}

/*
 * Feed s in chunks (1 byte each if step is 1, else random sizes up to
 * step, some of them empty); returns conv_feed's result.
 */
static int
feed_chunks(const char *from, const char *to, const char *s, size_t len,
    size_t step, struct buf *out, struct buf *err, uint64_t *offp)
{
	struct conv	*c;
	size_t		 i = 0, n;
	int		 rc = 0;

	if ((c = conv_open(from, to, err)) == NULL)
		return (-1);
	while (i < len && rc == 0) {
		n = step == 1 ? 1 : rnd(step + 1);
		if (n > len - i)
			n = len - i;
		rc = conv_feed(c, s + i, n, out, 0, err);
		i += n;
	}
	if (rc == 0)
		rc = conv_feed(c, NULL, 0, out, 1, err);
	if (offp != NULL)
		*offp = conv_offset(c);
	conv_free(c);
	return (rc);
}

static void
test_pangram(void)
{
	struct buf	out = BUF_INIT, err = BUF_INIT;
	size_t		ulen = strlen(pangram_utf8), blen, i, k;
	uint64_t	off;
	int		good;

	for (i = 0; i < nitems(enc); i++) {
		blen = strlen(enc[i].bytes);
		buf_reset(&out);
		ok(conv_string(enc[i].name, "UTF-8", enc[i].bytes, blen, &out,
		    &err) == 0 && same(&out, pangram_utf8, ulen),
		    "%s -> UTF-8 in one piece", enc[i].name);
		buf_reset(&out);
		ok(conv_string("UTF-8", enc[i].name, pangram_utf8, ulen, &out,
		    &err) == 0 && same(&out, enc[i].bytes, blen),
		    "UTF-8 -> %s in one piece", enc[i].name);

		buf_reset(&out);
		ok(feed_chunks("UTF-8", enc[i].name, pangram_utf8, ulen, 1,
		    &out, &err, &off) == 0 && same(&out, enc[i].bytes, blen) &&
		    off == ulen, "UTF-8 -> %s one byte at a time",
		    enc[i].name);
		buf_reset(&out);
		ok(feed_chunks(enc[i].name, "UTF-8", enc[i].bytes, blen, 1,
		    &out, &err, &off) == 0 && same(&out, pangram_utf8, ulen) &&
		    off == blen, "%s -> UTF-8 one byte at a time",
		    enc[i].name);

		good = 1;
		for (k = 0; k < 200; k++) {
			buf_reset(&out);
			if (feed_chunks("UTF-8", enc[i].name, pangram_utf8,
			    ulen, 1 + k % 9, &out, &err, NULL) != 0 ||
			    !same(&out, enc[i].bytes, blen))
				good = 0;
			buf_reset(&out);
			if (feed_chunks(enc[i].name, "UTF-8", enc[i].bytes,
			    blen, 1 + k % 9, &out, &err, NULL) != 0 ||
			    !same(&out, pangram_utf8, ulen))
				good = 0;
		}
		ok(good, "%s both ways in 200 random chunkings", enc[i].name);
	}

	/* Between two single-byte encodings, through glibc's UCS-4. */
	buf_reset(&out);
	ok(conv_string("CP866", "KOI8-R", pangram_cp866, strlen(pangram_cp866),
	    &out, &err) == 0 && same(&out, pangram_koi8r,
	    strlen(pangram_koi8r)), "CP866 -> KOI8-R");
	/* Lower-case names work too. */
	buf_reset(&out);
	ok(conv_string("cp1251", "utf-8", "\xb8", 1, &out, &err) == 0 &&
	    strcmp(out.data, "\xd1\x91") == 0, "cp1251 0xB8 is ё");
	buf_set(&out, "kept:");
	ok(conv_string("CP1251", "UTF-8", "\xc0", 1, &out, &err) == 0 &&
	    strcmp(out.data, "kept:\xd0\x90") == 0, "conv appends to out");
	buf_release(&out);
	buf_release(&err);
}

static void
test_errors(void)
{
	struct buf	 out = BUF_INIT, err = BUF_INIT, big = BUF_INIT;
	struct conv	*c;
	uint64_t	 off;
	size_t		 i;
	const char	*s;

	/* "Привет" is 12 bytes, then a byte no UTF-8 has. */
	s = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\xff\xd0\xbc";
	ok(conv_string("UTF-8", "CP1251", s, strlen(s), &out, &err) == -1 &&
	    strcmp(err.data, "invalid UTF-8 input at byte 12") == 0,
	    "invalid UTF-8: offset of the bad byte");
	buf_reset(&err);
	ok(feed_chunks("UTF-8", "CP1251", s, strlen(s), 1, &out, &err,
	    &off) == -1 && strcmp(err.data, "invalid UTF-8 input at byte 12")
	    == 0 && off == 12, "invalid UTF-8 fed byte by byte: same offset");
	/* A lead byte cut at a chunk end, then a byte that does not
	 * continue it: the error is at the lead byte. */
	buf_reset(&err);
	ok(feed_chunks("UTF-8", "CP1251", "ab\xd0" "A", 4, 1, &out, &err,
	    NULL) == -1 && strcmp(err.data, "invalid UTF-8 input at byte 2")
	    == 0, "invalid continuation across chunks");
	buf_reset(&err);
	ok(feed_chunks("UTF-8", "CP1251", "\xed\xa0\x80", 3, 1, &out, &err,
	    NULL) == -1 && strcmp(err.data, "invalid UTF-8 input at byte 0") == 0,
	    "UTF-8 surrogate refused");
	buf_reset(&err);
	ok(conv_string("UTF-8", "UTF-16LE", "x\xc0\xaf", 3, &out, &err) ==
	    -1 && strcmp(err.data, "invalid UTF-8 input at byte 1") == 0,
	    "overlong UTF-8 refused");

	/* Input that stops inside a sequence. */
	buf_reset(&err);
	s = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\xd0";
	ok(conv_string("UTF-8", "CP1251", s, 13, &out, &err) == -1 &&
	    strcmp(err.data, "UTF-8 input ends inside a multibyte sequence "
	    "at byte 12") == 0, "cut sequence at the end (one piece)");
	buf_reset(&err);
	ok(feed_chunks("UTF-8", "CP1251", "ok\xf0\x9f\x98", 5, 1, &out, &err,
	    NULL) == -1 && strcmp(err.data, "UTF-8 input ends inside a "
	    "multibyte sequence at byte 2") == 0,
	    "cut 4-byte sequence at the end (byte by byte)");

	/* CP1251 has no character at 0x98. */
	buf_reset(&out);
	buf_reset(&err);
	ok(conv_string("CP1251", "UTF-8", "ab\x98" "cd", 5, &out, &err) ==
	    -1 && strcmp(err.data, "invalid CP1251 input at byte 2") == 0,
	    "CP1251 0x98 is invalid, not mapped");
	ok(out.len == 2 && strcmp(out.data, "ab") == 0,
	    "what came before the error was converted");
	/* Far into a stream: the offset counts every chunk. */
	for (i = 0; i < 5000; i++)
		buf_addch(&big, (char)(0xC0 + i % 64));
	buf_addch(&big, (char)0x98);
	buf_add(&big, pangram_cp1251, 10);
	buf_reset(&out);
	buf_reset(&err);
	ok(feed_chunks("cp1251", "UTF-8", big.data, big.len, 700, &out, &err,
	    &off) == -1 && strcmp(err.data, "invalid CP1251 input at byte "
	    "5000") == 0 && off == 5000 && out.len == 10000,
	    "0x98 after 5000 bytes in random chunks: absolute offset");

	/* Valid input the target cannot hold is a different message. */
	buf_reset(&err);
	s = "ok \xe4\xb8\xad";		/* 中 */
	ok(conv_string("UTF-8", "CP1251", s, strlen(s), &out, &err) == -1 &&
	    strcmp(err.data, "character U+4E2D at byte 3 cannot be written "
	    "in CP1251") == 0, "unrepresentable character named");
	buf_reset(&err);
	ok(conv_string("CP1251", "KOI8-R", "\x88", 1, &out, &err) == -1 &&
	    strcmp(err.data, "character U+20AC at byte 0 cannot be written "
	    "in KOI8-R") == 0, "euro sign has no KOI8-R byte");

	/* After an error the converter stays failed. */
	c = conv_open("CP1251", "UTF-8", &err);
	ok(c != NULL, "conv_open CP1251 -> UTF-8");
	ok(conv_feed(c, "\x98", 1, &out, 0, &err) == -1, "first error");
	buf_reset(&err);
	ok(conv_feed(c, "a", 1, &out, 1, &err) == -1 &&
	    strstr(err.data, "already failed") != NULL,
	    "later feeds refuse");
	conv_free(c);
	conv_free(NULL);

	buf_reset(&err);
	ok(conv_open("UTF-8", "NO-SUCH-CHARSET", &err) == NULL &&
	    strstr(err.data, "'NO-SUCH-CHARSET'") != NULL,
	    "unknown encoding: NULL with a message naming it");
	buf_release(&big);
	buf_release(&out);
	buf_release(&err);
}

static void
test_growth(void)
{
	struct buf	 in = BUF_INIT, out = BUF_INIT, want = BUF_INIT;
	struct buf	 err = BUF_INIT;
	struct conv	*c;
	size_t		 i;
	int		 rc;

	/* 200 kB of CP1251 Cyrillic and euro signs triples in UTF-8: the
	 * first guess at the output size is too small, E2BIG must grow. */
	for (i = 0; i < 5000; i++) {
		buf_add(&in, pangram_cp1251, strlen(pangram_cp1251));
		buf_add(&want, pangram_utf8, strlen(pangram_utf8));
		buf_addch(&in, (char)0x88);
		buf_add(&want, "\xe2\x82\xac", 3);
	}
	ok(conv_string("CP1251", "UTF-8", in.data, in.len, &out, &err) == 0 &&
	    same(&out, want.data, want.len),
	    "one 215 kB feed grows the output (%zu -> %zu bytes)", in.len,
	    out.len);

	/* UTF-8 to UTF-16: 4-byte sequences cut anywhere. */
	buf_reset(&out);
	ok(feed_chunks("UTF-8", "UTF-16LE", "\xf0\x9f\x98\x80z", 5, 1, &out,
	    &err, NULL) == 0 && same(&out, "\x3d\xd8\x00\xdez\0", 6),
	    "emoji fed byte by byte into UTF-16LE");

	/* A stateful target owes a reset sequence at the end. */
	buf_reset(&out);
	c = conv_open("UTF-8", "ISO-2022-JP", &err);
	if (c == NULL) {
		ok(1, "# SKIP ISO-2022-JP not available: %s", err.data);
	} else {
		rc = conv_feed(c, "\xe6\x97\xa5", 3, &out, 0, &err);
		rc |= conv_feed(c, "\xe6\x9c\xac", 3, &out, 1, &err);
		ok(rc == 0 && same(&out, "\x1b$BF|K\\\x1b(B", 10),
		    "ISO-2022-JP ends with its return to ASCII");
		conv_free(c);
	}
	buf_release(&in);
	buf_release(&out);
	buf_release(&want);
	buf_release(&err);
}

int
main(void)
{
	test_pangram();
	test_errors();
	test_growth();
	return (tap_done());
}
