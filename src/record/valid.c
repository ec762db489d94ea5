/*
 * valid.c: the validators of Russian requisites (ИНН, КПП, ОГРН/ОГРНИП,
 * БИК, accounts, СНИЛС) and of e-mail addresses.  Each takes the stored
 * string and says yes or why not; none of them edits, trims or guesses
 * (record_parse() and the normalisers do that before).  Pure functions:
 * no state, no I/O, never prints.  The algorithms are the published ones
 * of the tax service, the Pension Fund and the Bank of Russia; keep them
 * exact: a lenient check is worse than none because people trust it.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "record/record_int.h"

/* See record_int.h. */
void
valid_quote_char(struct buf *b, const char *s)
{
	uint32_t	cp;
	size_t		n;

	n = utf8_decode(s, strnlen(s, 4), &cp);
	if (n == 0)
		buf_printf(b, "\\x%02X", (unsigned char)*s);
	else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		buf_printf(b, "U+%04X", (unsigned)cp);
	else
		buf_add(b, s, n);
}

#define DIGITS "0123456789"

/*
 * Whether s is a number as a spreadsheet shows it in exponent form
 * ("7,70708E+09", "4.07028E+19"): what an ИНН or an account becomes in
 * a cell formatted as a number, and then in the file it saves.
 */
static int
spreadsheet_number(const char *s)
{
	size_t	i = 0;

	if (s[i] < '0' || s[i] > '9')
		return (0);
	i++;
	if (s[i] == ',' || s[i] == '.') {
		i++;
		if (s[i] < '0' || s[i] > '9')
			return (0);
		i += strspn(s + i, DIGITS);
	}
	if (s[i] != 'E' && s[i] != 'e')
		return (0);
	i++;
	if (s[i] == '+')
		i++;
	if (s[i] < '0' || s[i] > '9')
		return (0);
	i += strspn(s + i, DIGITS);
	return (s[i] == '\0');
}

/*
 * The message for a value of the wrong shape: what it must be, and what
 * is wrong with this one (a non-digit, emptiness, or the length).
 */
static int
shape_error(const char *s, const char *shape, struct buf *err)
{
	struct buf	 c = BUF_INIT;
	size_t		 len;

	if (err == NULL)
		return (-1);
	if (s == NULL)
		s = "";
	if (spreadsheet_number(s))
		return (buf_error(err, _("%s; '%s' is how a spreadsheet shows a "
		    "long number, its last digits lost: format the column as "
		    "text and type them again"), shape, s));
	len = strspn(s, DIGITS);
	if (s[len] != '\0') {
		valid_quote_char(&c, s + len);
		buf_error(err, _("%s; '%s' is not a digit"), shape, c.data);
		buf_release(&c);
	} else if (len == 0)
		buf_error(err, _("%s; it is empty"), shape);
	else
		buf_error(err, _("%s, not %zu"), shape, len);
	return (-1);
}

/* Length of s when it is all digits, else 0. */
static size_t
ndigits(const char *s)
{
	size_t	len;

	if (s == NULL)
		return (0);
	len = strspn(s, DIGITS);
	return (s[len] == '\0' ? len : 0);
}

static int
digit(const char *s, size_t i)
{
	return (s[i] - '0');
}

/* Are the first n characters of s all zeros? */
static int
zeros(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] != '0')
			return (0);
	return (1);
}

/*
 * An ИНН's and a КПП's first four digits are the code of the tax office
 * that issued it; there is no office 0000, and all zeros passes the
 * ИНН's checksum (every weight times 0).
 */
static int
tax_office(const char *s, struct buf *err)
{
	if (zeros(s, 4))
		return (buf_error(err, _("the first four digits are the tax "
		    "office's code, and there is no office 0000")));
	return (0);
}

/* Σ dᵢ·wᵢ over the first n digits, taken mod 11 then mod 10: the ИНН key. */
static int
inn_key(const char *s, const int *w, size_t n)
{
	int	sum = 0;
	size_t	i;

	for (i = 0; i < n; i++)
		sum += digit(s, i) * w[i];
	return (sum % 11 % 10);
}

/*
 * A code one digit short whose leading 0 a spreadsheet dropped (a cell
 * formatted as a number): "0" + s when that is right by check (when
 * there is one), said so; 0 when it is not such a code.
 */
static int
lost_zero(const char *s, size_t want, int (*check)(const char *,
    struct buf *), const char *shape, struct buf *err)
{
	char	fixed[16];

	if (want > sizeof fixed - 1 || ndigits(s) != want - 1)
		return (0);
	fixed[0] = '0';
	memcpy(fixed + 1, s, want);	/* with its NUL */
	if (check != NULL && check(fixed, NULL) != 0)
		return (0);
	buf_error(err, _("%s, not %zu; a spreadsheet drops a leading 0: is "
	    "it %s?"), shape, want - 1, fixed);
	return (-1);
}

static const int inn_w10[] = { 2, 4, 10, 3, 5, 9, 4, 6, 8 };
static const int inn_w11[] = { 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
static const int inn_w12[] = { 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };

static int
inn_org_key(const char *s, struct buf *err)
{
	int	k;

	if (tax_office(s, err) == -1)
		return (-1);
	k = inn_key(s, inn_w10, 9);
	if (k != digit(s, 9))
		return (buf_error(err, _("check digit should be %d, not %d"),
		    k, digit(s, 9)));
	return (0);
}

static int
inn_person_key(const char *s, struct buf *err)
{
	char	fixed[12];
	int	k11, k12;

	if (tax_office(s, err) == -1)
		return (-1);
	k11 = inn_key(s, inn_w11, 10);
	/*
	 * The 12th digit's sum includes the 11th digit; using the right
	 * 11th here makes the message name the pair that would pass.
	 */
	memcpy(fixed, s, 10);
	fixed[10] = (char)('0' + k11);
	k12 = inn_key(fixed, inn_w12, 11);
	if (k11 != digit(s, 10) || k12 != digit(s, 11))
		return (buf_error(err,
		    _("check digits should be %d%d, not %d%d"), k11, k12,
		    digit(s, 10), digit(s, 11)));
	return (0);
}

int
valid_inn(const char *s, struct buf *err)
{
	switch (ndigits(s)) {
	case 10:
		return (inn_org_key(s, err));
	case 12:
		return (inn_person_key(s, err));
	}
	if (lost_zero(s, 10, inn_org_key, _("must be 10 digits "
	    "(organisation) or 12 digits (person)"), err) == -1 ||
	    lost_zero(s, 12, inn_person_key, _("must be 10 digits "
	    "(organisation) or 12 digits (person)"), err) == -1)
		return (-1);
	return (shape_error(s,
	    _("must be 10 digits (organisation) or 12 digits (person)"), err));
}

int
valid_inn_org(const char *s, struct buf *err)
{
	if (ndigits(s) != 10) {
		if (lost_zero(s, 10, inn_org_key,
		    _("must be 10 digits (an organisation's INN)"), err) == -1)
			return (-1);
		return (shape_error(s,
		    _("must be 10 digits (an organisation's INN)"), err));
	}
	return (inn_org_key(s, err));
}

int
valid_inn_person(const char *s, struct buf *err)
{
	if (ndigits(s) != 12) {
		if (lost_zero(s, 12, inn_person_key,
		    _("must be 12 digits (a person's INN)"), err) == -1)
			return (-1);
		return (shape_error(s,
		    _("must be 12 digits (a person's INN)"), err));
	}
	return (inn_person_key(s, err));
}

int
valid_kpp(const char *s, struct buf *err)
{
	struct buf	 c = BUF_INIT;
	size_t		 i, len;
	int		 bad;

	/* Translated when it is needed only: a good КПП costs no lookup
	 * in the catalogue (an import checks hundreds of thousands). */
#define KPP_SHAPE	_("must be 9 characters: 4 digits, 2 digits or " \
	    "capital Latin letters, 3 digits")
	if (s == NULL || *s == '\0')
		return (buf_error(err, _("%s; it is empty"), KPP_SHAPE));
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 9)
			break;
		if (i == 4 || i == 5)
			bad = !((s[i] >= '0' && s[i] <= '9') ||
			    (s[i] >= 'A' && s[i] <= 'Z'));
		else
			bad = s[i] < '0' || s[i] > '9';
		if (bad) {
			if (err == NULL)
				return (-1);
			valid_quote_char(&c, s + i);
			buf_error(err, _("%s; '%s' cannot be character %zu"),
			    KPP_SHAPE, c.data, i + 1);
			buf_release(&c);
			return (-1);
		}
	}
	len = strlen(s);
	if (len != 9)
		return (buf_error(err, _("%s, not %zu characters"), KPP_SHAPE,
		    len));
	return (tax_office(s, err));
#undef KPP_SHAPE
}

/* The first n digits of s as a number, mod m; reduced digit by digit so
 * no integer width limits n. */
static unsigned
number_mod(const char *s, size_t n, unsigned m)
{
	unsigned	r = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		r = (r * 10 + (unsigned)digit(s, i)) % m;
	return (r);
}

int
valid_ogrn(const char *s, struct buf *err)
{
	unsigned	k;

	switch (ndigits(s)) {
	case 13:
		if (s[0] != '1' && s[0] != '5')
			return (buf_error(err,
			    _("a 13-digit OGRN must start with 1 or 5, not %c"),
			    s[0]));
		k = number_mod(s, 12, 11) % 10;
		if ((int)k != digit(s, 12))
			return (buf_error(err,
			    _("check digit should be %d, not %d"), (int)k,
			    digit(s, 12)));
		return (0);
	case 15:
		if (s[0] != '3')
			return (buf_error(err,
			    _("a 15-digit OGRNIP must start with 3, not %c"),
			    s[0]));
		/*
		 * The check digit is the last digit of the remainder: 10, 11
		 * and 12 give 0, 1 and 2.  Mapping all three to 0 (as some
		 * code does) refuses real ОГРНИПs.
		 */
		k = number_mod(s, 14, 13) % 10;
		if ((int)k != digit(s, 14))
			return (buf_error(err,
			    _("check digit should be %d, not %d"), (int)k,
			    digit(s, 14)));
		return (0);
	}
	return (shape_error(s,
	    _("must be 13 digits (OGRN) or 15 digits (OGRNIP)"), err));
}

/*
 * The requisites a party of a kind has (RU-BUSINESS.md): an
 * organisation a 10-digit ИНН, a КПП and a 13-digit ОГРН; a sole
 * proprietor a 12-digit ИНН and a 15-digit ОГРНИП, no КПП; a private
 * person a 12-digit ИНН, neither a КПП nor an ОГРН.  kind is the kind
 * field's value (org, sole, person); anything else, or NULL, checks the
 * value as the kind-blind validator does.
 */
const char *const valid_kinds[3] = { KIND_ORG, KIND_SOLE, KIND_PERSON };

static int
kind_is(const char *kind, const char *k)
{
	return (kind != NULL && strcmp(kind, k) == 0);
}

int
valid_inn_kind(const char *s, const char *kind, struct buf *err)
{
	if (kind_is(kind, KIND_ORG))
		return (valid_inn_org(s, err));
	if (kind_is(kind, KIND_SOLE) || kind_is(kind, KIND_PERSON))
		return (valid_inn_person(s, err));
	return (valid_inn(s, err));
}

int
valid_kpp_kind(const char *s, const char *kind, struct buf *err)
{
	if (kind_is(kind, KIND_SOLE))
		return (buf_error(err, _("only an organisation has a KPP, "
		    "not a sole proprietor")));
	if (kind_is(kind, KIND_PERSON))
		return (buf_error(err, _("only an organisation has a KPP, "
		    "not a private person")));
	return (valid_kpp(s, err));
}

int
valid_ogrn_kind(const char *s, const char *kind, struct buf *err)
{
	if (kind_is(kind, KIND_PERSON))
		return (buf_error(err, _("a private person has no OGRN or "
		    "OGRNIP (a sole proprietor has an OGRNIP)")));
	if (kind_is(kind, KIND_ORG) && ndigits(s) == 15)
		return (buf_error(err, _("15 digits is a sole proprietor's "
		    "OGRNIP; an organisation's OGRN has 13")));
	if (kind_is(kind, KIND_SOLE) && ndigits(s) == 13)
		return (buf_error(err, _("13 digits is an organisation's "
		    "OGRN; a sole proprietor's OGRNIP has 15")));
	return (valid_ogrn(s, err));
}

/* Every БИК starts with 0: one of 8 digits that does not had its 0
 * dropped by a spreadsheet (one that does lost another digit). */
static int
bik_lost_zero(const char *fixed, struct buf *err)
{
	return (fixed[1] != '0' ? 0 : buf_error(err, "%s", fixed));
}

/* БИК: no checksum.  Treasury БИКs start with 01 and older ones with
 * 00, so no prefix is required. */
int
valid_bik(const char *s, struct buf *err)
{
	if (ndigits(s) != 9) {
		if (lost_zero(s, 9, bik_lost_zero, _("must be 9 digits"),
		    err) == -1)
			return (-1);
		return (shape_error(s, _("must be 9 digits"), err));
	}
	if (zeros(s, 9))
		return (buf_error(err, _("cannot be all zeros")));
	return (0);
}

/* Accounts at the Bank of Russia: correspondent accounts of banks and
 * the Treasury's single accounts (ЕКС). */
static int
account_is_corr(const char *acc)
{
	return (strncmp(acc, "30101", 5) == 0);
}

static int
account_is_eks(const char *acc)
{
	return (strncmp(acc, "40102", 5) == 0);
}

static int
account_is_treasury(const char *acc)
{
	return (acc[0] == '0' && acc[1] == '3');
}

/*
 * The key of a 20-digit account: 3 digits of prefix from the БИК then
 * the account, weights 7 1 3 repeated, the sum ≡ 0 mod 10.  The key is
 * the account's 9th digit (the 12th of the 23, weight 3); the message
 * names the digit that would pass, which is −S·7 mod 10 (7 being the
 * inverse of 3 mod 10) where S is the sum without the key.
 */
static int
account_key(const char *acc, const char *bik, struct buf *err)
{
	static const int w[] = { 7, 1, 3 };
	char		 d[23];
	int		 sum = 0, want;
	size_t		 i;

	/*
	 * Whose books hold the account decides the prefix: the Bank of
	 * Russia's (a bank's correspondent account, the Treasury's ЕКС, any
	 * account at a division whose БИК ends 000/001/002) use "0" and the
	 * БИК's digits 5–6; a bank's client accounts use the БИК's last 3.
	 */
	if (account_is_corr(acc) || account_is_eks(acc) ||
	    (bik[6] == '0' && bik[7] == '0' && bik[8] <= '2')) {
		d[0] = '0';
		d[1] = bik[4];
		d[2] = bik[5];
	} else
		memcpy(d, bik + 6, 3);
	memcpy(d + 3, acc, 20);
	for (i = 0; i < 23; i++)
		if (i != 11)
			sum += (d[i] - '0') * w[i % 3];
	want = (10 - sum % 10) * 7 % 10;
	if (want != digit(acc, 8))
		return (buf_error(err, _("check digit (the 9th) should be "
		    "%d, not %d for the BIK '%s'"), want, digit(acc, 8), bik));
	return (0);
}

static int
account_shape(const char *acc, const char *bik, struct buf *err)
{
	if (ndigits(acc) != 20)
		return (shape_error(acc, _("must be 20 digits"), err));
	if (zeros(acc, 20))
		return (buf_error(err, _("cannot be all zeros")));
	if (bik != NULL && *bik != '\0' && ndigits(bik) != 9)
		return (buf_error(err, _("cannot be checked: the BIK '%s' "
		    "is not 9 digits"), bik));
	return (0);
}

int
valid_account(const char *acc, const char *bik, struct buf *err)
{
	if (account_shape(acc, bik, err) == -1)
		return (-1);
	/* No БИК yet, or a Treasury account (no key): nothing to check;
	 * valid_account_warning() tells the caller so. */
	if (bik == NULL || *bik == '\0' || account_is_treasury(acc))
		return (0);
	return (account_key(acc, bik, err));
}

/* БИКs of the Treasury's divisions (ТОФК): 01, and 00 before 2021. */
static int
bik_is_treasury(const char *bik)
{
	return (bik[0] == '0' && (bik[1] == '0' || bik[1] == '1'));
}

int
valid_account_warning(const char *acc, const char *bik, struct buf *why)
{
	if (ndigits(acc) != 20)
		return (0);
	if (bik == NULL || *bik == '\0') {
		buf_error(why, _("not checked: no BIK to check it against"));
		return (1);
	}
	if (!account_is_treasury(acc))
		return (0);
	/*
	 * Kept, as RU-BUSINESS.md says: the account may be right, and a
	 * refusal would leave no way to record it; but a person should
	 * compare it with the document it came from.
	 */
	if (ndigits(bik) == 9 && !bik_is_treasury(bik))
		buf_error(why, _("not checked: a Treasury account (starting "
		    "03) carries no check digit, and the BIK '%s' is not a "
		    "Treasury one (starting 01)"), bik);
	else
		buf_error(why, _("not checked: a Treasury account (starting "
		    "03) carries no check digit"));
	return (1);
}

int
valid_corr_account(const char *acc, const char *bik, struct buf *err)
{
	if (account_shape(acc, bik, err) == -1)
		return (-1);
	if (!account_is_corr(acc) && !account_is_eks(acc))
		return (buf_error(err, _("must start with 30101 (a bank's "
		    "correspondent account) or 40102 (the Treasury's single "
		    "account)")));
	if (bik == NULL || *bik == '\0')
		return (0);
	/* A bank's correspondent account ends with its БИК's last 3. */
	if (account_is_corr(acc) && memcmp(acc + 17, bik + 6, 3) != 0)
		return (buf_error(err, _("must end with %s, the last 3 digits "
		    "of the BIK '%s', not %s"), bik + 6, bik, acc + 17));
	return (account_key(acc, bik, err));
}

int
valid_snils(const char *s, struct buf *err)
{
	unsigned long	num;
	int		sum = 0, want, have;
	size_t		i;

	if (ndigits(s) != 11)
		return (shape_error(s,
		    _("must be 11 digits (XXXXXXXXXYY)"), err));
	if (zeros(s, 11))
		return (buf_error(err, _("cannot be all zeros")));
	num = 0;
	for (i = 0; i < 9; i++) {
		num = num * 10 + (unsigned long)digit(s, i);
		sum += digit(s, i) * (int)(9 - i);
	}
	/* Numbers up to 001-001-998 were issued before the check number. */
	if (num <= 1001998)
		return (0);
	if (sum < 100)
		want = sum;
	else if (sum == 100 || sum == 101)
		want = 0;
	else {
		want = sum % 101;
		if (want == 100)
			want = 0;
	}
	have = digit(s, 9) * 10 + digit(s, 10);
	if (want != have)
		return (buf_error(err, _("check number should be %02d, not %02d"),
		    want, have));
	return (0);
}

int
snils_normalize(const char *in, struct buf *out, struct buf *err)
{
	struct buf	 d = BUF_INIT, c = BUF_INIT;
	const char	*p;
	uint32_t	 cp;
	size_t		 n;

	for (p = in; *p != '\0'; p += n) {
		n = utf8_decode(p, strnlen(p, 4), &cp);
		if (n != 0 && cp >= '0' && cp <= '9')
			buf_addch(&d, (int)cp);
		else if (n != 0 && (cp == ' ' || cp == '\t' || cp == '-' ||
		    cp == 0xA0 || cp == 0x2009 || cp == 0x202F ||
		    (cp >= 0x2010 && cp <= 0x2015)))
			continue;
		else {
			valid_quote_char(&c, p);
			buf_error(err, _("unexpected character '%s'"), c.data);
			buf_release(&c);
			buf_release(&d);
			return (-1);
		}
	}
	if (d.len != 11) {
		buf_error(err, _("must be 11 digits (XXX-XXX-XXX YY), not %zu"),
		    d.len);
		buf_release(&d);
		return (-1);
	}
	buf_reset(out);
	buf_add(out, d.data, d.len);
	buf_release(&d);
	return (0);
}

/* Blanks, including those word processors put in pasted text. */
static int
email_blank(uint32_t cp)
{
	return (cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x2009 ||
	    cp == 0x202F || cp == 0x3000);
}

/*
 * E-mail: a practical subset of RFC 5322 (no quoted local parts, no
 * comments, no address literals), with internationalised domains
 * allowed as UTF-8.  The aim is to catch typing mistakes, not to accept
 * every address the RFC allows.
 */
static int
email_atext(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL));
}

/* A code point that may be part of an internationalised domain label:
 * anything beyond ASCII except blanks, punctuation, symbols, controls
 * and private use (IDNA would refuse them or map them to a dot). */
static int
email_idn_letter(uint32_t cp)
{
	if (cp < 0xA0)
		return (0);
	if ((cp <= 0xBF && cp != 0xAA && cp != 0xB5 && cp != 0xBA) ||
	    cp == 0xD7 || cp == 0xF7)
		return (0);
	if ((cp >= 0x2000 && cp <= 0x2BFF) ||	/* punctuation, symbols */
	    (cp >= 0x3000 && cp <= 0x303F) ||	/* CJK punctuation */
	    (cp >= 0xD800 && cp <= 0xF8FF) ||	/* surrogates, private */
	    (cp >= 0xFE00 && cp <= 0xFE0F) ||	/* variation selectors */
	    (cp >= 0xFF00 && cp <= 0xFF20) ||	/* fullwidth punctuation */
	    cp == 0xFF61 || cp == 0xFEFF ||	/* halfwidth dot, BOM */
	    (cp >= 0xFFF0 && cp <= 0xFFFF) ||	/* specials */
	    (cp >= 0x1F000 && cp <= 0x1FAFF) ||	/* emoji, symbols */
	    cp >= 0xE0000)			/* tags, private planes */
		return (0);
	return (utf8_cpwidth(cp) >= 0);
}

static int
email_domain(const char *dom, size_t len, struct buf *err)
{
	struct buf	 c = BUF_INIT;
	const char	*p, *end = dom + len, *label;
	uint32_t	 cp;
	size_t		 n, chars = 0, dots = 0;
	int		 alldigits = 1;

	if (len == 0)
		return (buf_error(err, _("nothing after the '@'")));
	if (*dom == '.')
		return (buf_error(err, _("the domain starts with a dot")));
	label = dom;
	for (p = dom; p < end; p += n) {
		/* Valid UTF-8 already, but never loop on a 0. */
		if ((n = utf8_decode(p, (size_t)(end - p), &cp)) == 0)
			n = 1;
		if (cp == '.') {
			if (p + 1 == end)
				return (buf_error(err,
				    _("the domain ends with a dot")));
			if (p[1] == '.')
				return (buf_error(err, _("the domain has two "
				    "dots in a row")));
			if (p[-1] == '-')
				return (buf_error(err, _("a part of the domain "
				    "ends with a hyphen")));
			dots++;
			label = p + 1;
			chars = 0;
			alldigits = 1;
			continue;
		}
		if (cp == '-' && p == label)
			return (buf_error(err,
			    _("a part of the domain starts with a hyphen")));
		if (!(cp < 0x80 && (cp == '-' || (cp >= '0' && cp <= '9') ||
		    (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))) &&
		    !email_idn_letter(cp)) {
			if (err == NULL)
				return (-1);
			valid_quote_char(&c, p);
			buf_error(err, email_blank(cp) ?
			    _("must not contain blanks") :
			    _("unexpected character '%s' in the domain"),
			    c.data);
			buf_release(&c);
			return (-1);
		}
		if (cp < '0' || cp > '9')
			alldigits = 0;
		if (++chars > 63)
			return (buf_error(err, _("a part of the domain is "
			    "longer than 63 characters")));
	}
	if (end[-1] == '-')
		return (buf_error(err,
		    _("a part of the domain ends with a hyphen")));
	if (dots == 0)
		return (buf_error(err, _("the domain '%.*s' needs a dot, "
		    "as in example.ru"), (int)len, dom));
	if (chars < 2)
		return (buf_error(err, _("the top-level domain '%s' is "
		    "shorter than 2 characters"), label));
	if (alldigits)
		return (buf_error(err, _("the top-level domain '%s' cannot "
		    "be all digits"), label));
	return (0);
}

int
valid_email(const char *s, struct buf *err)
{
	struct buf	 c = BUF_INIT;
	const char	*at, *p;
	uint32_t	 cp;
	size_t		 len, bad;

	if (s == NULL || *s == '\0')
		return (buf_error(err, _("is empty; an e-mail address looks "
		    "like name@example.ru")));
	len = strlen(s);
	if (!utf8_valid(s, len, &bad))
		return (buf_error(err, _("is not valid UTF-8 (byte %zu)"),
		    bad + 1));
	if (len > 254)
		return (buf_error(err, _("is longer than 254 bytes")));
	if ((at = strchr(s, '@')) == NULL)
		return (buf_error(err, _("has no '@'; an e-mail address looks "
		    "like name@example.ru")));
	if (strchr(at + 1, '@') != NULL)
		return (buf_error(err, _("has more than one '@'")));
	if (at == s)
		return (buf_error(err, _("nothing before the '@'")));
	if (at - s > 64)
		return (buf_error(err, _("the part before the '@' is longer "
		    "than 64 bytes")));
	if (*s == '.')
		return (buf_error(err, _("the part before the '@' starts "
		    "with a dot")));
	if (at[-1] == '.')
		return (buf_error(err, _("the part before the '@' ends with "
		    "a dot")));
	for (p = s; p < at; p++) {
		if (*p == '.' && p[1] == '.')
			return (buf_error(err, _("the part before the '@' has "
			    "two dots in a row")));
		if (*p == '.' || email_atext((unsigned char)*p))
			continue;
		(void)utf8_decode(p, strnlen(p, 4), &cp);
		if (email_blank(cp))
			return (buf_error(err, _("must not contain blanks")));
		if (err == NULL)
			return (-1);
		valid_quote_char(&c, p);
		buf_error(err, _("unexpected character '%s' before the '@'"),
		    c.data);
		buf_release(&c);
		return (-1);
	}
	return (email_domain(at + 1, len - (size_t)(at + 1 - s), err));
}
