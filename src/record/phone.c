/*
 * phone.c: phone numbers typed by people, normalised to E.164
 * ("+79161234567"), the one form clerk stores and indexes.  Knows the
 * Russian habits (a leading 8 instead of +7, ten digits without any
 * prefix, 8-10 or 00 before an international number) and nothing else
 * of numbering plans: a number with '+' is taken as it is if its length
 * is plausible.  Never stores what it cannot normalise, never prints.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "record/record_int.h"

/* Separators people put in numbers: blanks (including the no-break and
 * thin ones word processors insert), hyphens and dashes, dots and
 * parentheses. */
static int
phone_separator(uint32_t cp)
{
	return (cp == ' ' || cp == '\t' || cp == '-' || cp == '.' ||
	    cp == '(' || cp == ')' || cp == 0xA0 || cp == 0x2009 ||
	    cp == 0x202F || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212);
}

/*
 * Whether s starts an extension ("ext. 12", "x12", "доб. 12", "вн. 12",
 * "#12"): ASCII or Cyrillic words compared case-insensitively.
 */
static int
phone_extension(const char *s)
{
	static const char *words[] = { "ext", "x", "#", "доб", "вн" };
	struct buf	 low = BUF_INIT;
	const char	*p;
	uint32_t	 cp;
	size_t		 i, n;
	int		 found = 0;

	/* Lower-case the next few characters; the words are short. */
	for (p = s, i = 0; *p != '\0' && i < 3; p += n, i++) {
		if ((n = utf8_decode(p, strnlen(p, 4), &cp)) == 0)
			break;
		utf8_encode(&low, utf8_lower(cp));
	}
	for (i = 0; i < nitems(words) && !found; i++)
		found = strncmp(low.data, words[i], strlen(words[i])) == 0;
	buf_release(&low);
	return (found);
}

/*
 * The international digits (country code first) of a number written
 * with '+', "00" or "8 10": checked for length and, for Russia, for the
 * ten national digits.
 */
static int
phone_international(const char *d, size_t n, struct buf *out,
    struct buf *err)
{
	if (n == 0)
		return (buf_error(err, _("no digits after '+'")));
	if (d[0] == '0')
		return (buf_error(err, _("a country code cannot start with 0")));
	if (d[0] == '7' && n != 11)
		return (buf_error(err, _("a Russian number has 10 digits "
		    "after +7, not %zu"), n - 1));
	if (n < 8)
		return (buf_error(err, _("too short: %zu digits after '+'; an "
		    "international number has 8 to 15"), n));
	if (n > 15)
		return (buf_error(err, _("too long: %zu digits after '+'; an "
		    "international number has 8 to 15"), n));
	buf_reset(out);
	buf_addch(out, '+');
	buf_add(out, d, n);
	return (0);
}

/*
 * Replaces out with the E.164 form of in; on error out is unchanged.
 * Blanks, hyphens, dots and parentheses are dropped; any other
 * character (letters, an extension, a second '+') refuses the number,
 * since guessing would store a wrong one.
 */
int
phone_normalize(const char *in, struct buf *out, struct buf *err)
{
	struct buf	 d = BUF_INIT, c = BUF_INIT;
	const char	*p;
	uint32_t	 cp;
	size_t		 n;
	int		 plus = 0, ret = -1;

	for (p = in; *p != '\0'; p += n) {
		n = utf8_decode(p, strnlen(p, 4), &cp);
		if (n != 0 && cp >= '0' && cp <= '9') {
			buf_addch(&d, (int)cp);
			continue;
		}
		if (n != 0 && phone_separator(cp))
			continue;
		if (n != 0 && cp == '+' && d.len == 0 && !plus) {
			plus = 1;
			continue;
		}
		if (n != 0 && d.len > 0 && phone_extension(p)) {
			buf_error(err, _("cannot store an extension ('ext.', "
			    "'доб.'): keep it in the notes"));
			goto done;
		}
		if (err != NULL) {
			valid_quote_char(&c, p);
			buf_error(err, _("unexpected character '%s'"), c.data);
		}
		goto done;
	}

	n = d.len;
	if (n == 0) {
		buf_error(err, plus ? _("no digits after '+'") :
		    _("has no digits"));
		goto done;
	}
	if (plus)
		ret = phone_international(d.data, n, out, err);
	else if (n > 2 && strncmp(d.data, "00", 2) == 0)
		ret = phone_international(d.data + 2, n - 2, out, err);
	else if (n > 11 && strncmp(d.data, "810", 3) == 0)
		/* Russian trunk prefix 8, international prefix 10. */
		ret = phone_international(d.data + 3, n - 3, out, err);
	else if (n == 11 && (d.data[0] == '8' || d.data[0] == '7')) {
		buf_reset(out);
		buf_adds(out, "+7");
		buf_add(out, d.data + 1, 10);
		ret = 0;
	} else if (n == 10 && strchr("3489", d.data[0]) != NULL) {
		/* Area codes and mobile codes in Russia start so. */
		buf_reset(out);
		buf_adds(out, "+7");
		buf_add(out, d.data, 10);
		ret = 0;
	} else if (n == 10)
		buf_error(err, _("10 digits starting with %c are not a Russian "
		    "number; write '+' and the country code before a foreign "
		    "one"), d.data[0]);
	else if (n == 11)
		buf_error(err, _("11 digits must start with 7 or 8; write '+' "
		    "before a foreign number"));
	else if (n < 10)
		buf_error(err, _("too short: %zu digits; a Russian number has "
		    "10 after +7 or 8 (with the area code)"), n);
	else
		buf_error(err, _("too long: %zu digits; write '+' before an "
		    "international number"), n);
done:
	buf_release(&c);
	buf_release(&d);
	return (ret);
}

int
phone_part(const char *in, int start, struct buf *out)
{
	struct buf	 d = BUF_INIT;
	const char	*p;
	uint32_t	 cp;
	size_t		 n;
	int		 plus = 0, ret = -1;

	for (p = in; *p != '\0'; p += n) {
		n = utf8_decode(p, strnlen(p, 4), &cp);
		if (n == 0)
			goto done;
		if (cp >= '0' && cp <= '9')
			buf_addch(&d, (int)cp);
		else if (cp == '+' && d.len == 0 && !plus)
			plus = 1;
		else if (!phone_separator(cp))
			goto done;
	}
	if (d.len == 0)
		goto done;
	buf_reset(out);
	if (plus)
		buf_addch(out, '+');
	else if (start) {
		/* As a whole number without '+' reads: the trunk prefix
		 * 8, or 7, is +7; else the number is Russian. */
		buf_adds(out, "+7");
		if (d.data[0] == '8' || d.data[0] == '7') {
			buf_add(out, d.data + 1, d.len - 1);
			ret = 0;
			goto done;
		}
	}
	buf_add(out, d.data, d.len);
	ret = 0;
done:
	buf_release(&d);
	return (ret);
}
