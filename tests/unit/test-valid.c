/*
 * test-valid.c: the requisite validators, the e-mail check and phone
 * normalisation (src/record/valid.c, phone.c).  Known public numbers
 * must pass and every one-digit change of them must fail; values whose
 * check digits the algorithms treat specially (ОГРНИП remainders 10-12,
 * СНИЛС sums of 100 and 101) are literal, worked out by hand, so a
 * wrong implementation cannot agree with itself.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "record/record_int.h"
#include "../unit/tap.h"

static struct buf err = BUF_INIT;

/* Every message, to check their shape at the end. */
static char	*msgs[400];
static size_t	 nmsgs;

static void
keep_msg(void)
{
	if (nmsgs < nitems(msgs) && err.len > 0)
		msgs[nmsgs++] = xstrdup(err.data);
}

typedef int check1_fn(const char *, struct buf *);

/* s for a test name, control bytes (and the 0xFF used below as a broken
 * byte) escaped so a TAP line stays one readable line.  Two rotating
 * buffers. */
static const char *
shown(const char *s)
{
	static char	out[2][1024];
	static int	which;
	char		*o = out[which ^= 1];
	size_t		n = 0;

	if (s == NULL)
		return ("(null)");
	for (; *s != '\0' && n + 5 < sizeof(out[0]); s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0xFF)
			n += (size_t)snprintf(o + n, 5, "\\x%02X",
			    (unsigned char)*s);
		else
			o[n++] = *s;
	}
	o[n] = '\0';
	return (o);
}

/* The value passes. */
static void
pass1(check1_fn *fn, const char *fname, const char *s)
{
	buf_reset(&err);
	if (!ok(fn(s, &err) == 0, "%s('%s') passes", fname, shown(s)))
		diag("error: %s", err.data);
}

/* The value fails with a message containing want. */
static void
fail1(check1_fn *fn, const char *fname, const char *s, const char *want)
{
	int	r;

	buf_reset(&err);
	r = fn(s, &err);
	keep_msg();
	if (!ok(r == -1 && strstr(err.data, want) != NULL,
	    "%s('%s') fails: %s", fname, shown(s), want))
		diag("got %d '%s'", r, err.data);
}

/* Same, with the exact message. */
static void
fail1_is(check1_fn *fn, const char *fname, const char *s, const char *want)
{
	int	r;

	buf_reset(&err);
	r = fn(s, &err);
	keep_msg();
	if (!ok(r == -1 && strcmp(err.data, want) == 0,
	    "%s('%s') fails with '%s'", fname, shown(s), want))
		diag("got %d '%s'", r, err.data);
}

/*
 * Each digit of good at positions [from, to) replaced by each of the
 * nine others: all must fail (each with a message) if want_fail, else
 * all must pass.  One test point; the first escapee is named.
 */
static void
one_digit_off(check1_fn *fn, const char *fname, const char *good,
    size_t from, size_t to, int want_fail)
{
	char	v[64], first[64] = "";
	size_t	i, n = 0, esc = 0;
	char	d;

	for (i = from; i < to; i++) {
		for (d = '0'; d <= '9'; d++) {
			if (d == good[i])
				continue;
			snprintf(v, sizeof(v), "%s", good);
			v[i] = d;
			buf_reset(&err);
			n++;
			if (want_fail ? (fn(v, &err) == 0 || err.len == 0) :
			    fn(v, &err) != 0) {
				if (esc++ == 0)
					snprintf(first, sizeof(first), "%s", v);
			}
		}
	}
	if (!ok(esc == 0 && n == (to - from) * 9,
	    "%s: all %zu one-digit changes of %s at positions %zu-%zu %s",
	    fname, n, good, from + 1, to, want_fail ? "fail" : "pass"))
		diag("%zu escaped, the first %s", esc, first);
}

/* Adapters so the two-argument account checks fit the loops. */
static const char *cur_bik, *cur_acc;

/* The warning valid_account_warning() gives, or NULL when none. */
static const char *
warned(const char *acc, const char *bik)
{
	static struct buf	why = BUF_INIT;

	buf_reset(&why);
	if (valid_account_warning(acc, bik, &why) != 1)
		return (NULL);
	return (why.data);
}

static int
acc_at_bik(const char *acc, struct buf *e)
{
	return (valid_account(acc, cur_bik, e));
}

static int
corr_at_bik(const char *acc, struct buf *e)
{
	return (valid_corr_account(acc, cur_bik, e));
}

static int
bik_of_corr(const char *bik, struct buf *e)
{
	return (valid_corr_account(cur_acc, bik, e));
}

static int
bik_of_acc(const char *bik, struct buf *e)
{
	return (valid_account(cur_acc, bik, e));
}

static int
snils_norm(const char *s, struct buf *e)
{
	struct buf	out = BUF_INIT;
	int		r;

	r = snils_normalize(s, &out, e);
	buf_release(&out);
	return (r);
}

static int
phone_check(const char *s, struct buf *e)
{
	struct buf	out = BUF_INIT;
	int		r;

	r = phone_normalize(s, &out, e);
	buf_release(&out);
	return (r);
}

static void
test_inn(void)
{
	pass1(valid_inn, "valid_inn", "7707083893");
	/* A spreadsheet's doings: a leading 0 dropped (said only when the
	 * ИНН with it is right), a number in exponent form. */
	pass1(valid_inn_org, "valid_inn_org", "0274062111");
	fail1_is(valid_inn_org, "valid_inn_org", "274062111", "must be 10 "
	    "digits (an organisation's INN), not 9; a spreadsheet drops a "
	    "leading 0: is it 0274062111?");
	fail1_is(valid_inn, "valid_inn", "274062111", "must be 10 digits "
	    "(organisation) or 12 digits (person), not 9; a spreadsheet "
	    "drops a leading 0: is it 0274062111?");
	fail1_is(valid_inn_org, "valid_inn_org", "274062112", "must be 10 "
	    "digits (an organisation's INN), not 9");
	fail1_is(valid_inn_org, "valid_inn_org", "7,70708E+09", "must be 10 "
	    "digits (an organisation's INN); '7,70708E+09' is how a "
	    "spreadsheet shows a long number, its last digits lost: format "
	    "the column as text and type them again");
	fail1(valid_inn, "valid_inn", "7.70708e9", "how a spreadsheet shows");
	fail1(valid_inn, "valid_inn", "7E", "'E' is not a digit");
	pass1(valid_inn_org, "valid_inn_org", "7707083893");
	one_digit_off(valid_inn, "valid_inn", "7707083893", 0, 10, 1);
	one_digit_off(valid_inn_org, "valid_inn_org", "7707083893", 0, 10, 1);
	fail1_is(valid_inn, "valid_inn", "7707083894",
	    "check digit should be 3, not 4");
	fail1_is(valid_inn, "valid_inn", "7707083993",
	    "check digit should be 9, not 3");
	fail1(valid_inn_person, "valid_inn_person", "7707083893",
	    "must be 12 digits");

	/* Other organisations' ИНН from public registers. */
	pass1(valid_inn, "valid_inn", "7736050003");	/* Газпром */
	pass1(valid_inn, "valid_inn", "7728168971");	/* Альфа-Банк */
	pass1(valid_inn, "valid_inn", "7702070139");	/* ВТБ */

	pass1(valid_inn, "valid_inn", "500100732259");
	pass1(valid_inn_person, "valid_inn_person", "500100732259");
	one_digit_off(valid_inn, "valid_inn", "500100732259", 0, 12, 1);
	fail1_is(valid_inn, "valid_inn", "500100732258",
	    "check digits should be 59, not 58");
	/* The 12th is computed with the right 11th, so the pair is
	 * what would pass. */
	fail1_is(valid_inn, "valid_inn", "500100732249",
	    "check digits should be 59, not 49");
	fail1(valid_inn_org, "valid_inn_org", "500100732259",
	    "must be 10 digits");

	fail1_is(valid_inn, "valid_inn", "",
	    "must be 10 digits (organisation) or 12 digits (person); "
	    "it is empty");
	fail1_is(valid_inn, "valid_inn", "77070838931",
	    "must be 10 digits (organisation) or 12 digits (person), not 11");
	fail1_is(valid_inn, "valid_inn", "770708389",
	    "must be 10 digits (organisation) or 12 digits (person), not 9");
	fail1_is(valid_inn, "valid_inn", "7707-83893",
	    "must be 10 digits (organisation) or 12 digits (person); "
	    "'-' is not a digit");
	fail1(valid_inn, "valid_inn", " 7707083893", "' ' is not a digit");
	fail1(valid_inn, "valid_inn", "7707083893 ", "' ' is not a digit");
	fail1(valid_inn, "valid_inn", "77О7083893", "'О' is not a digit");
	fail1(valid_inn, "valid_inn", "7707\t83893", "'U+0009' is not");
	fail1(valid_inn, "valid_inn", "7707\xff" "83893", "'\\xFF' is not");
	fail1(valid_inn, "valid_inn", "1234567890123", "not 13");
	fail1(valid_inn, "valid_inn", NULL, "it is empty");
	/* All zeros passes both checksums; no tax office is 0000. */
	fail1(valid_inn, "valid_inn", "0000000000", "no office 0000");
	fail1(valid_inn, "valid_inn", "000000000000", "no office 0000");
	fail1(valid_inn_org, "valid_inn_org", "0000000000", "no office 0000");
	fail1(valid_inn_person, "valid_inn_person", "000000000000",
	    "no office 0000");
	fail1(valid_kpp, "valid_kpp", "000000000", "no office 0000");
	fail1(valid_kpp, "valid_kpp", "000001001", "no office 0000");
	fail1(valid_bik, "valid_bik", "000000000", "cannot be all zeros");
	cur_bik = "044525225";
	fail1(acc_at_bik, "valid_account", "00000000000000000000",
	    "cannot be all zeros");
	fail1(valid_snils, "valid_snils", "00000000000",
	    "cannot be all zeros");
	ok(valid_inn("123", NULL) == -1 && valid_inn("7707083894", NULL) == -1 &&
	    valid_inn("7707083893", NULL) == 0, "valid_inn with no err buffer");
}

static void
test_kpp(void)
{
	pass1(valid_kpp, "valid_kpp", "773601001");
	pass1(valid_kpp, "valid_kpp", "7736AB001");
	pass1(valid_kpp, "valid_kpp", "77360Z001");
	pass1(valid_kpp, "valid_kpp", "010001001");
	fail1(valid_kpp, "valid_kpp", "7736ab001", "'a' cannot be character 5");
	fail1(valid_kpp, "valid_kpp", "7736AБ001", "'Б' cannot be character 6");
	fail1(valid_kpp, "valid_kpp", "A73601001", "'A' cannot be character 1");
	fail1(valid_kpp, "valid_kpp", "773601A01", "'A' cannot be character 7");
	fail1(valid_kpp, "valid_kpp", "7736 1001", "' ' cannot be character 5");
	fail1_is(valid_kpp, "valid_kpp", "77360100",
	    "must be 9 characters: 4 digits, 2 digits or capital Latin "
	    "letters, 3 digits, not 8 characters");
	fail1(valid_kpp, "valid_kpp", "7736010011", "not 10 characters");
	fail1(valid_kpp, "valid_kpp", "", "it is empty");
	fail1(valid_kpp, "valid_kpp", NULL, "it is empty");
}

/* The requisites of a party by its kind (validator inn(kind) etc.). */
static const char *kind_now;

static int
inn_k(const char *s, struct buf *e)
{
	return (valid_inn_kind(s, kind_now, e));
}

static int
kpp_k(const char *s, struct buf *e)
{
	return (valid_kpp_kind(s, kind_now, e));
}

static int
ogrn_k(const char *s, struct buf *e)
{
	return (valid_ogrn_kind(s, kind_now, e));
}

static void
test_kinds(void)
{
	kind_now = "org";
	pass1(inn_k, "valid_inn_kind(org)", "7707083893");
	fail1(inn_k, "valid_inn_kind(org)", "500100732259",
	    "must be 10 digits (an organisation's INN), not 12");
	pass1(kpp_k, "valid_kpp_kind(org)", "773601001");
	fail1(kpp_k, "valid_kpp_kind(org)", "77360100", "must be 9");
	pass1(ogrn_k, "valid_ogrn_kind(org)", "1027700132195");
	fail1_is(ogrn_k, "valid_ogrn_kind(org)", "304500116000157",
	    "15 digits is a sole proprietor's OGRNIP; an organisation's "
	    "OGRN has 13");

	kind_now = "sole";
	pass1(inn_k, "valid_inn_kind(sole)", "500100732259");
	fail1(inn_k, "valid_inn_kind(sole)", "7707083893",
	    "must be 12 digits (a person's INN), not 10");
	fail1_is(kpp_k, "valid_kpp_kind(sole)", "773601001",
	    "only an organisation has a KPP, not a sole proprietor");
	pass1(ogrn_k, "valid_ogrn_kind(sole)", "304500116000157");
	fail1_is(ogrn_k, "valid_ogrn_kind(sole)", "1027700132195",
	    "13 digits is an organisation's OGRN; a sole proprietor's "
	    "OGRNIP has 15");
	fail1(ogrn_k, "valid_ogrn_kind(sole)", "304500116000158",
	    "check digit");

	kind_now = "person";
	pass1(inn_k, "valid_inn_kind(person)", "500100732259");
	fail1(inn_k, "valid_inn_kind(person)", "7707083893", "12 digits");
	fail1_is(kpp_k, "valid_kpp_kind(person)", "773601001",
	    "only an organisation has a KPP, not a private person");
	fail1_is(ogrn_k, "valid_ogrn_kind(person)", "1027700132195",
	    "a private person has no OGRN or OGRNIP (a sole proprietor has "
	    "an OGRNIP)");

	/* No kind (or another): as the kind-blind validators. */
	kind_now = NULL;
	pass1(inn_k, "valid_inn_kind(none)", "7707083893");
	pass1(inn_k, "valid_inn_kind(none)", "500100732259");
	pass1(kpp_k, "valid_kpp_kind(none)", "773601001");
	pass1(ogrn_k, "valid_ogrn_kind(none)", "304500116000157");
	kind_now = "branch";
	pass1(ogrn_k, "valid_ogrn_kind(branch)", "1027700132195");
	fail1(inn_k, "valid_inn_kind(branch)", "7707083894", "check digit");
}

/* The first 14 digits of s mod 13, done here by long division. */
static unsigned
mod13(const char *s)
{
	unsigned	r = 0;
	int		i;

	for (i = 0; i < 14; i++)
		r = (r * 10 + (unsigned)(s[i] - '0')) % 13;
	return (r);
}

static void
test_ogrn(void)
{
	/* ОГРНИПs whose remainders are 10, 11 and 12. */
	static const char *tricky[] = {
		"304770000000020", "304770000000031", "304770000000042"
	};
	char		 v[16];
	unsigned	 i, r, bad;
	unsigned long long p;
	char		 d;

	pass1(valid_ogrn, "valid_ogrn", "1027700132195");
	one_digit_off(valid_ogrn, "valid_ogrn", "1027700132195", 0, 13, 1);
	fail1_is(valid_ogrn, "valid_ogrn", "1027700132196",
	    "check digit should be 5, not 6");
	fail1_is(valid_ogrn, "valid_ogrn", "2027700132195",
	    "a 13-digit OGRN must start with 1 or 5, not 2");
	pass1(valid_ogrn, "valid_ogrn", "1027700070518");	/* Газпром */
	pass1(valid_ogrn, "valid_ogrn", "1027739609391");	/* ВТБ */

	pass1(valid_ogrn, "valid_ogrn", "304500116000157");
	one_digit_off(valid_ogrn, "valid_ogrn", "304500116000157", 0, 15, 1);
	fail1_is(valid_ogrn, "valid_ogrn", "304500116000158",
	    "check digit should be 7, not 8");
	fail1_is(valid_ogrn, "valid_ogrn", "504500116000157",
	    "a 15-digit OGRNIP must start with 3, not 5");

	for (i = 0; i < nitems(tricky); i++) {
		r = mod13(tricky[i]);
		ok(r == 10 + i, "%s: first 14 digits mod 13 = %u", tricky[i],
		    r);
		pass1(valid_ogrn, "valid_ogrn", tricky[i]);
		one_digit_off(valid_ogrn, "valid_ogrn", tricky[i], 14, 15, 1);
	}
	fail1_is(valid_ogrn, "valid_ogrn", "304770000000030",
	    "check digit should be 1, not 0");
	fail1_is(valid_ogrn, "valid_ogrn", "304770000000040",
	    "check digit should be 2, not 0");
	fail1_is(valid_ogrn, "valid_ogrn", "304770000000021",
	    "check digit should be 0, not 1");

	/* A sweep of 14-digit stems: exactly one last digit passes. */
	bad = 0;
	for (p = 30477000000000ULL; p < 30477000002000ULL; p++) {
		snprintf(v, sizeof(v), "%llu0", p);
		r = mod13(v) % 10;
		for (d = '0'; d <= '9'; d++) {
			v[14] = d;
			if ((valid_ogrn(v, NULL) == 0) != ((unsigned)(d - '0') == r))
				bad++;
		}
	}
	ok(bad == 0, "2000 OGRNIP stems: exactly the last digit of the "
	    "remainder passes (%u wrong)", bad);

	fail1_is(valid_ogrn, "valid_ogrn", "10277001321",
	    "must be 13 digits (OGRN) or 15 digits (OGRNIP), not 11");
	fail1(valid_ogrn, "valid_ogrn", "10277001321950", "not 14");
	fail1(valid_ogrn, "valid_ogrn", "1027700 132195", "' ' is not a digit");
	fail1(valid_ogrn, "valid_ogrn", "", "it is empty");
}

static void
test_bik_accounts(void)
{
	struct buf	e = BUF_INIT;

	pass1(valid_bik, "valid_bik", "044525225");
	pass1(valid_bik, "valid_bik", "017003983");	/* Treasury (Тула) */
	pass1(valid_bik, "valid_bik", "004525988");	/* Treasury (Москва) */
	pass1(valid_bik, "valid_bik", "040349602");
	fail1_is(valid_bik, "valid_bik", "04452522", "must be 9 digits, not 8");
	fail1(valid_bik, "valid_bik", "0445252250", "not 10");
	fail1(valid_bik, "valid_bik", "04452522O", "'O' is not a digit");
	fail1(valid_bik, "valid_bik", "", "it is empty");
	/* Its 0 dropped by a spreadsheet. */
	fail1_is(valid_bik, "valid_bik", "44525225", "must be 9 digits, not "
	    "8; a spreadsheet drops a leading 0: is it 044525225?");

	/* Сбербанк's correspondent account. */
	cur_bik = "044525225";
	cur_acc = "30101810400000000225";
	pass1(corr_at_bik, "valid_corr_account", cur_acc);
	one_digit_off(corr_at_bik, "valid_corr_account", cur_acc, 0, 20, 1);
	/* The БИК's digits 5-9 take part (prefix, last 3); 1-4 do not,
	 * so changing them cannot be caught. */
	one_digit_off(bik_of_corr, "valid_corr_account(БИК)", cur_bik, 4, 9, 1);
	one_digit_off(bik_of_corr, "valid_corr_account(БИК)", cur_bik, 0, 4, 0);
	fail1_is(corr_at_bik, "valid_corr_account", "30101810500000000225",
	    "check digit (the 9th) should be 4, not 5 for the BIK "
	    "'044525225'");
	fail1_is(corr_at_bik, "valid_corr_account", "30101810400000000226",
	    "must end with 225, the last 3 digits of the BIK '044525225', "
	    "not 226");
	fail1(corr_at_bik, "valid_corr_account", "40702810938000000001",
	    "must start with 30101");
	fail1(corr_at_bik, "valid_corr_account", "3010181040000000022",
	    "must be 20 digits, not 19");
	fail1(corr_at_bik, "valid_corr_account", "301018104000000002250",
	    "not 21");
	fail1(corr_at_bik, "valid_corr_account", "30101 810400000000225",
	    "' ' is not a digit");
	cur_bik = "0445252";
	fail1_is(corr_at_bik, "valid_corr_account", "30101810400000000225",
	    "cannot be checked: the BIK '0445252' is not 9 digits");
	ok(valid_corr_account("30101810400000000225", NULL, NULL) == 0 &&
	    valid_corr_account("30101810400000000225", "", NULL) == 0,
	    "valid_corr_account without a BIK checks only the shape");

	/* Treasury single accounts (ЕКС) sit at the Bank of Russia. */
	cur_bik = "004525988";
	pass1(corr_at_bik, "valid_corr_account", "40102810545370000003");
	one_digit_off(corr_at_bik, "valid_corr_account", "40102810545370000003",
	    5, 20, 1);
	cur_bik = "004525987";
	pass1(corr_at_bik, "valid_corr_account", "40102810845370000004");
	cur_bik = "017003983";
	pass1(corr_at_bik, "valid_corr_account", "40102810445370000059");
	fail1_is(corr_at_bik, "valid_corr_account", "40102810445370000058",
	    "check digit (the 9th) should be 1, not 4 for the BIK "
	    "'017003983'");

	/* A settlement account at Сбербанк. */
	cur_bik = "044525225";
	cur_acc = "40702810938000000001";
	pass1(acc_at_bik, "valid_account", cur_acc);
	ok(valid_account_warning(cur_acc, cur_bik, NULL) == 0,
	    "no warning for a checked account");
	one_digit_off(acc_at_bik, "valid_account", cur_acc, 0, 20, 1);
	/* A client account's prefix is the БИК's last 3 digits. */
	one_digit_off(bik_of_acc, "valid_account(БИК)", cur_bik, 6, 9, 1);
	one_digit_off(bik_of_acc, "valid_account(БИК)", cur_bik, 0, 6, 0);
	fail1_is(acc_at_bik, "valid_account", "40702810400000000001",
	    "check digit (the 9th) should be 2, not 4 for the BIK "
	    "'044525225'");
	pass1(acc_at_bik, "valid_account", "40702810200000000001");
	pass1(acc_at_bik, "valid_account", "30101810400000000225");
	fail1(acc_at_bik, "valid_account", "4070281093800000000",
	    "must be 20 digits, not 19");
	fail1(acc_at_bik, "valid_account", "407028109380000000011", "not 21");
	fail1(acc_at_bik, "valid_account", "40702.810938000000001",
	    "'.' is not a digit");
	fail1(acc_at_bik, "valid_account", "", "must be 20 digits; it is empty");

	/* At a Bank of Russia division (БИК ends 000, 001, 002) the prefix
	 * is "0" and digits 5-6. */
	cur_bik = "044525000";
	pass1(acc_at_bik, "valid_account", "40501810900000000001");
	fail1(acc_at_bik, "valid_account", "40501810800000000001",
	    "should be 9, not 8");
	cur_bik = "044525001";
	pass1(acc_at_bik, "valid_account", "40501810900000000001");
	cur_bik = "044525002";
	pass1(acc_at_bik, "valid_account", "40501810900000000001");
	cur_bik = "044525003";
	fail1(acc_at_bik, "valid_account", "40501810900000000001",
	    "check digit");

	/* Treasury accounts carry no key: accepted, with a warning. */
	cur_bik = "004525988";
	pass1(acc_at_bik, "valid_account", "03100643000000017300");
	pass1(acc_at_bik, "valid_account", "03100643000000017301");
	is_str(warned("03100643000000017300", "004525988"), "not checked: "
	    "a Treasury account (starting 03) carries no check digit",
	    "warning for a Treasury account");
	cur_bik = "017003983";
	pass1(acc_at_bik, "valid_account", "03100643000000016600");
	is_str(warned("03100643000000016600", "017003983"), "not checked: "
	    "a Treasury account (starting 03) carries no check digit",
	    "warning for a Treasury account at a 01 БИК");
	is_str(warned("03100643000000017300", "014525000"), "not checked: "
	    "a Treasury account (starting 03) carries no check digit",
	    "warning for the Treasury account of the QA report");
	cur_bik = "044525225";
	pass1(acc_at_bik, "valid_account", "03100643000000017300");
	is_str(warned("03100643000000017300", "044525225"), "not checked: "
	    "a Treasury account (starting 03) carries no check digit, and the "
	    "BIK '044525225' is not a Treasury one (starting 01)",
	    "at a bank's БИК, accepted with a warning that says so");
	cur_bik = "017003983";
	fail1(acc_at_bik, "valid_account", "0310064300000001730",
	    "must be 20 digits");
	fail1(corr_at_bik, "valid_corr_account", "03100643000000016600",
	    "must start with 30101");
	ok(valid_account_warning("0310064300000001730", "004525988", NULL) == 0,
	    "no warning for a malformed account");

	/* No БИК yet: the shape only, and a warning. */
	ok(valid_account("40702810400000000001", NULL, &e) == 0 &&
	    valid_account("40702810400000000001", "", &e) == 0,
	    "valid_account without a BIK checks only the shape");
	ok(valid_account_warning("40702810400000000001", NULL, NULL) == 1,
	    "and warns");
	is_str(warned("40702810400000000001", ""), "not checked: no BIK to "
	    "check it against", "saying why");
	ok(valid_account("407028104", NULL, &e) == -1,
	    "valid_account without a BIK still checks the length");
	buf_release(&e);
}

static void
test_snils(void)
{
	struct buf	out = BUF_INIT, e = BUF_INIT;

	pass1(valid_snils, "valid_snils", "11223344595");
	one_digit_off(valid_snils, "valid_snils", "11223344595", 0, 11, 1);
	fail1_is(valid_snils, "valid_snils", "11223344594",
	    "check number should be 95, not 94");
	/* Sum < 100, = 100, = 101, > 101, and a remainder of 100. */
	pass1(valid_snils, "valid_snils", "00100199965");
	pass1(valid_snils, "valid_snils", "00132667900");
	pass1(valid_snils, "valid_snils", "00150881600");
	pass1(valid_snils, "valid_snils", "00116829907");
	pass1(valid_snils, "valid_snils", "01799617400");
	one_digit_off(valid_snils, "valid_snils", "00132667900", 9, 11, 1);
	one_digit_off(valid_snils, "valid_snils", "00150881600", 9, 11, 1);
	one_digit_off(valid_snils, "valid_snils", "01799617400", 9, 11, 1);
	fail1_is(valid_snils, "valid_snils", "00116829970",
	    "check number should be 07, not 70");
	/* Up to 001-001-998 no check number was computed. */
	pass1(valid_snils, "valid_snils", "00100199800");
	pass1(valid_snils, "valid_snils", "00100199899");
	pass1(valid_snils, "valid_snils", "00100100000");
	fail1(valid_snils, "valid_snils", "00100199900",
	    "check number should be 65, not 00");
	fail1_is(valid_snils, "valid_snils", "112-233-445 95",
	    "must be 11 digits (XXXXXXXXXYY); '-' is not a digit");
	fail1(valid_snils, "valid_snils", "1122334459", "not 10");
	fail1(valid_snils, "valid_snils", "", "it is empty");

	buf_adds(&out, "junk");
	ok(snils_normalize("112-233-445 95", &out, &e) == 0 &&
	    strcmp(out.data, "11223344595") == 0,
	    "snils_normalize('112-233-445 95') = '%s'", out.data);
	ok(snils_normalize("112 233 445 95", &out, &e) == 0 &&
	    strcmp(out.data, "11223344595") == 0, "with blanks");
	ok(snils_normalize("112\xc2\xa0" "233\xc2\xa0" "445\xc2\xa0" "95", &out,
	    &e) == 0 && strcmp(out.data, "11223344595") == 0,
	    "with no-break spaces");
	ok(snils_normalize("11223344595", &out, &e) == 0 &&
	    strcmp(out.data, "11223344595") == 0, "digits only");
	fail1_is(snils_norm, "snils_normalize", "112-233-445",
	    "must be 11 digits (XXX-XXX-XXX YY), not 9");
	fail1_is(snils_norm, "snils_normalize", "112-233-445 9x",
	    "unexpected character 'x'");
	fail1(snils_norm, "snils_normalize", "112/233/445 95",
	    "unexpected character '/'");
	buf_set(&out, "keep");
	ok(snils_normalize("1", &out, &e) == -1 && strcmp(out.data, "keep") == 0,
	    "snils_normalize leaves out alone on error");
	buf_release(&out);
	buf_release(&e);
}

static void
test_email(void)
{
	static const char *good[] = {
		"user@example.ru",
		"first.last@example.com",
		"a@b.co",
		"user+tag@sub.example.org",
		"o'brien@example.ie",
		"x_y-z@ex-ample.com",
		"1234@example.ru",
		"USER@EXAMPLE.RU",
		"user@mail.example.co.uk",
		"user@b2b.ru",
		"user@example.c1",
		"!#$%&'*+-/=?^_`{|}~@example.com",
		"user@пример.рф",
		"info@xn--d1acufc.xn--p1ai",
		"user@例え.テスト",
		"user@müller.de",
		"user@1c.ru",
		"a.b.c.d@e-f.g-h.ij",
	};
	static const struct {
		const char *s, *msg;
	} bad[] = {
		{ "", "is empty" },
		{ "user", "has no '@'" },
		{ "user@", "nothing after the '@'" },
		{ "@example.ru", "nothing before the '@'" },
		{ "user@@example.ru", "more than one '@'" },
		{ "us@er@example.ru", "more than one '@'" },
		{ "user@example", "the domain 'example' needs a dot" },
		{ "user@example.", "the domain ends with a dot" },
		{ "user@.example.ru", "the domain starts with a dot" },
		{ "user@example..ru", "the domain has two dots in a row" },
		{ ".user@example.ru", "the part before the '@' starts with a dot" },
		{ "user.@example.ru", "the part before the '@' ends with a dot" },
		{ "us..er@example.ru", "two dots in a row" },
		{ "us er@example.ru", "must not contain blanks" },
		{ "user@exa mple.ru", "must not contain blanks" },
		{ " user@example.ru", "must not contain blanks" },
		{ "user@example.ru ", "must not contain blanks" },
		{ "user@example.r", "the top-level domain 'r' is shorter" },
		{ "user@example.123", "the top-level domain '123' cannot be all "
		    "digits" },
		{ "user@1.2.3.45", "cannot be all digits" },
		{ "user@1.2.3.4", "shorter than 2 characters" },
		{ "user@-example.ru", "starts with a hyphen" },
		{ "user@example-.ru", "ends with a hyphen" },
		{ "user@example.ru-", "ends with a hyphen" },
		{ "user@ex_ample.ru", "unexpected character '_' in the domain" },
		{ "user@[192.168.0.1]", "unexpected character '['" },
		{ "\"quoted\"@example.ru", "unexpected character '\"' before" },
		{ "user(comment)@example.ru", "unexpected character '('" },
		{ "user,name@example.ru", "unexpected character ','" },
		{ "user;other@example.ru", "unexpected character ';'" },
		{ "иван@почта.рф", "unexpected character 'и' before the '@'" },
		{ "user@exa\xff" "mple.ru", "is not valid UTF-8 (byte 9)" },
		{ "user@exa\xf0\x9f\x98\x80mple.ru", "unexpected character" },
		{ "user@example\xe3\x80\x82ru", "unexpected character" },
		{ "user@example\xef\xbc\x8eru", "unexpected character" },
		{ "user@exa\xc2\xa0mple.ru", "must not contain blanks" },
		{ "user\xc2\xa0@example.ru", "must not contain blanks" },
		{ "user\xe3\x80\x80@example.ru", "must not contain blanks" },
		{ "user@example.ru\n", "unexpected character 'U+000A'" },
		{ "user@example.ru.", "ends with a dot" },
	};
	char		 s[400], c61[62];
	size_t		 i;

	for (i = 0; i < nitems(good); i++)
		pass1(valid_email, "valid_email", good[i]);
	for (i = 0; i < nitems(bad); i++)
		fail1(valid_email, "valid_email", bad[i].s, bad[i].msg);

	/* Limits: 64 bytes before the '@', 63 characters a label, 254 in
	 * all. */
	memset(s, 'a', 64);
	strcpy(s + 64, "@example.ru");
	pass1(valid_email, "valid_email", s);
	memset(s, 'a', 65);
	strcpy(s + 65, "@example.ru");
	fail1(valid_email, "valid_email", s, "the part before the '@' is "
	    "longer than 64 bytes");
	strcpy(s, "user@");
	memset(s + 5, 'b', 63);
	strcpy(s + 68, ".ru");
	pass1(valid_email, "valid_email", s);
	strcpy(s, "user@");
	memset(s + 5, 'b', 64);
	strcpy(s + 69, ".ru");
	fail1(valid_email, "valid_email", s, "longer than 63 characters");
	/* 63 Cyrillic letters are 126 bytes but still 63 characters. */
	strcpy(s, "user@");
	for (i = 0; i < 63; i++)
		memcpy(s + 5 + 2 * i, "я", 2);
	strcpy(s + 5 + 126, ".рф");
	pass1(valid_email, "valid_email", s);
	/* 254 bytes: "user@", labels of 61, 61, 61 and 60, dots, "ru". */
	memset(c61, 'c', 61);
	c61[61] = '\0';
	snprintf(s, sizeof(s), "user@%s.%s.%s.%s.ru", c61, c61, c61, c61 + 1);
	is_int(strlen(s), 254, "the 254-byte address is 254 bytes");
	pass1(valid_email, "valid_email", s);
	s[0] = 'u';
	memmove(s + 1, s, strlen(s) + 1);
	is_int(strlen(s), 255, "the 255-byte address is 255 bytes");
	fail1(valid_email, "valid_email", s, "is longer than 254 bytes");
	ok(valid_email("a@b", NULL) == -1 && valid_email("a@b.ru", NULL) == 0,
	    "valid_email with no err buffer");
}

static void
phone_is(const char *in, const char *want)
{
	struct buf	out = BUF_INIT;

	buf_adds(&out, "junk");
	buf_reset(&err);
	if (!ok(phone_normalize(in, &out, &err) == 0 &&
	    strcmp(out.data, want) == 0, "phone '%s' -> %s", shown(in), want))
		diag("got '%s', error '%s'", out.data, err.data);
	buf_release(&out);
}

static void
test_phone(void)
{
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "+7 (916) 123-45-67", "+79161234567" },
		{ "8 916 123 45 67", "+79161234567" },
		{ "8-916-1234567", "+79161234567" },
		{ "89161234567", "+79161234567" },
		{ "79161234567", "+79161234567" },
		{ "9161234567", "+79161234567" },
		{ "+79161234567", "+79161234567" },
		{ "8 (916) 123-45-67", "+79161234567" },
		{ "+7 916 123 45 67", "+79161234567" },
		{ "(916) 123-45-67", "+79161234567" },
		{ "8.916.123.45.67", "+79161234567" },
		{ "  +7 916 1234567  ", "+79161234567" },
		{ "+7\xc2\xa0" "916\xc2\xa0" "123\xc2\xa0" "45\xc2\xa0" "67",
		    "+79161234567" },
		{ "+7 916 123\xe2\x80\x93" "45\xe2\x80\x93" "67", "+79161234567" },
		{ "8 (495) 123-45-67", "+74951234567" },
		{ "4951234567", "+74951234567" },
		{ "3012123456", "+73012123456" },
		{ "8 800 555-35-35", "+78005553535" },
		{ "8005553535", "+78005553535" },
		{ "+7 (727) 123-45-67", "+77271234567" },
		{ "+44 20 7946 0958", "+442079460958" },
		{ "+1-202-555-0143", "+12025550143" },
		{ "+1 (202) 555-0143", "+12025550143" },
		{ "+49 30 12345678", "+493012345678" },
		{ "+375 29 123-45-67", "+375291234567" },
		{ "+86 10 1234 5678", "+861012345678" },
		{ "00 44 20 7946 0958", "+442079460958" },
		{ "0079161234567", "+79161234567" },
		{ "8 10 44 20 7946 0958", "+442079460958" },
		{ "8-10-1-202-555-0143", "+12025550143" },
		{ "+12345678", "+12345678" },
		{ "+123456789012345", "+123456789012345" },
	};
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "", "has no digits" },
		{ "  - ", "has no digits" },
		{ "+", "no digits after '+'" },
		{ "abc", "unexpected character 'a'" },
		{ "тел. 8 916 123 45 67", "unexpected character 'т'" },
		{ "8 916 123 45 6a", "unexpected character 'a'" },
		{ "8/916/1234567", "unexpected character '/'" },
		{ "+7+9161234567", "unexpected character '+'" },
		{ "89161234567+", "unexpected character '+'" },
		{ "8 916 123 45 67, 8 916 765 43 21", "unexpected character ','" },
		{ "\xef\xbc\x98\xef\xbc\x99", "unexpected character '８'" },
		{ "8916\x01" "1234567", "unexpected character 'U+0001'" },
		{ "8916\xff" "1234567", "unexpected character '\\xFF'" },
		{ "+7 916 123 45 67 доб. 123", "cannot store an extension" },
		{ "+7 916 123 45 67 Доб 123", "cannot store an extension" },
		{ "+7 495 123 45 67 вн. 12", "cannot store an extension" },
		{ "+1 202 555 0143 ext. 12", "cannot store an extension" },
		{ "+1 202 555 0143 EXT 12", "cannot store an extension" },
		{ "+1 202 555 0143 x12", "cannot store an extension" },
		{ "89161234567#12", "cannot store an extension" },
		{ "123-45-67", "too short: 7 digits" },
		{ "916123456", "too short: 9 digits" },
		{ "+7 916 123 45 6", "a Russian number has 10 digits after +7, "
		    "not 9" },
		{ "+7 916 123 45 678", "10 digits after +7, not 11" },
		{ "+7 8 916 123 45 67", "10 digits after +7, not 11" },
		{ "+1234567", "too short: 7 digits after '+'" },
		{ "+1234567890123456", "too long: 16 digits after '+'" },
		{ "+0 123 4567890", "a country code cannot start with 0" },
		{ "1234567890", "10 digits starting with 1 are not a Russian" },
		{ "6123456789", "10 digits starting with 6" },
		{ "19161234567", "11 digits must start with 7 or 8" },
		{ "891612345678", "too long: 12 digits" },
		{ "00", "too short: 2 digits" },
	};
	struct buf	out = BUF_INIT, e = BUF_INIT;
	size_t		i;

	for (i = 0; i < nitems(good); i++)
		phone_is(good[i].in, good[i].out);
	for (i = 0; i < nitems(bad); i++)
		fail1(phone_check, "phone_normalize", bad[i].in, bad[i].msg);

	buf_set(&out, "keep");
	ok(phone_normalize("8 916", &out, &e) == -1 &&
	    strcmp(out.data, "keep") == 0, "out is left alone on error");
	ok(phone_normalize("+7 916", &out, NULL) == -1 &&
	    phone_normalize("abc", &out, NULL) == -1 &&
	    phone_normalize("89161234567", &out, NULL) == 0,
	    "phone_normalize with no err buffer");
	/* Normalising a normalised number changes nothing. */
	for (i = 0; i < nitems(good); i++) {
		if (phone_normalize(good[i].out, &out, &e) != 0 ||
		    strcmp(out.data, good[i].out) != 0)
			break;
	}
	ok(i == nitems(good), "every normalised number normalises to itself");
	buf_release(&out);
	buf_release(&e);
}

/*
 * One quoting of an odd character for every message of the layer: the
 * validators and the phone normaliser name it the same way.
 */
static void
test_quote_char(void)
{
	static const struct {
		const char *s, *want;
	} q[] = {
		{ "a", "a" },
		{ "\xd0\xb6z", "\xd0\xb6" },		/* ж */
		{ "\xe2\x82\xac", "\xe2\x82\xac" },	/* € */
		{ "\x01", "U+0001" },
		{ "\x1b", "U+001B" },
		{ "\x7f", "U+007F" },
		{ "\xc2\x85", "U+0085" },
		{ "\xff", "\\xFF" },
		{ "\xd0", "\\xD0" },			/* cut sequence */
		{ "\xd0z", "\\xD0" },
	};
	struct buf	b = BUF_INIT, want = BUF_INIT, in = BUF_INIT;
	size_t		i;
	int		same = 1;

	for (i = 0; i < nitems(q); i++) {
		buf_reset(&b);
		valid_quote_char(&b, q[i].s);
		is_str(b.data, q[i].want, "valid_quote_char gives '%s' (%zu)",
		    q[i].want, i);
		buf_reset(&want);
		buf_printf(&want, "'%s'", q[i].want);
		if (q[i].s[0] == 'a')
			continue;
		buf_set(&in, "8916");
		buf_adds(&in, q[i].s);
		buf_adds(&in, "1234567");
		buf_reset(&err);
		if (phone_normalize(in.data, &b, &err) != -1 ||
		    strstr(err.data, want.data) == NULL) {
			diag("phone: %s", err.data);
			same = 0;
		}
		buf_set(&in, "7707");
		buf_adds(&in, q[i].s);
		buf_adds(&in, "83893");
		buf_reset(&err);
		if (valid_inn(in.data, &err) != -1 ||
		    strstr(err.data, want.data) == NULL) {
			diag("inn: %s", err.data);
			same = 0;
		}
	}
	ok(same, "phone_normalize and valid_inn quote characters alike");
	buf_release(&b);
	buf_release(&want);
	buf_release(&in);
}

/* Messages: lower case, no field name, no full stop at the end. */
static void
test_messages(void)
{
	size_t	i, bad = 0;
	char	*m;

	for (i = 0; i < nmsgs; i++) {
		m = msgs[i];
		if ((m[0] >= 'A' && m[0] <= 'Z') || strncmp(m, "field", 5) == 0 ||
		    m[strlen(m) - 1] == '.' || strchr(m, '\n') != NULL) {
			if (bad++ == 0)
				diag("first bad message: '%s'", m);
		}
	}
	ok(nmsgs > 100 && bad == 0, "%zu messages are lower case, without "
	    "a field name or a full stop", nmsgs);
	for (i = 0; i < nmsgs; i++)
		free(msgs[i]);
}

int
main(void)
{
	test_inn();
	test_kpp();
	test_ogrn();
	test_kinds();
	test_bik_accounts();
	test_snils();
	test_email();
	test_phone();
	test_quote_char();
	test_messages();
	buf_release(&err);
	return (tap_done());
}
