/*
 * test-record: records in memory (parse, format, defaults, validate,
 * diff), their encoding (round trips, unknown fields kept, garbage
 * refused without crashing) and index keys (order, multi, unique,
 * search tokens, query tokens).  Uses the real forms in $CLERK_FORMS.
 */
#include "config.h"

#include <inttypes.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "tap.h"

static struct schema *party_schema;
static struct table *party;

static size_t
fpos(const struct table *t, const char *name)
{
	ssize_t	pos = table_field_pos(t, name);

	if (pos < 0) {
		diag("no field '%s' in '%s'", name, t->name);
		tap_bail("form does not have the field the test needs");
	}
	return ((size_t)pos);
}

/* Ids as the store would assign them: 1, 2, 3... in form order. */
static void
assign_ids(struct table *t, uint16_t first)
{
	size_t	i;

	for (i = 0; i < t->nfields; i++)
		t->fields[i].id = (uint16_t)(first + i);
}

static const char *
fmt(const struct record *rec, const char *name, int plain)
{
	static struct buf out;

	buf_reset(&out);
	record_format(rec, fpos(rec->table, name), plain, &out);
	return (out.data);
}

static const char *
text(const struct record *rec, const char *name)
{
	const struct value *v = &rec->values[fpos(rec->table, name)];

	return (v->set && v->s != NULL ? v->s : "(unset)");
}

static int
parse(struct record *rec, const char *name, const char *s, struct buf *err)
{
	buf_reset(err);
	return (record_parse(rec, fpos(rec->table, name), s, err));
}

/*
 * ok(parse(..., &err) == -1, "%s", err.data): the order in which
 * arguments are evaluated is unspecified, so err.data may be read before
 * the parse writes the message.  Error buffers get room up front, so
 * their data pointer never moves and ok() prints the message.
 */
static void
err_room(struct buf *err)
{
	buf_grow(err, 4096);
}

/* Validate with a clean message buffer. */
static int
validate(const struct record *rec, size_t *bad, struct buf *err)
{
	buf_reset(err);
	return (record_validate(rec, bad, err));
}

static int
starts(const char *s, const char *prefix)
{
	return (strncmp(s, prefix, strlen(prefix)) == 0);
}

static void
load_party(void)
{
	struct buf	 err = BUF_INIT;
	const char	*dir = getenv("CLERK_FORMS");
	char		*path = NULL;

	err_room(&err);
	if (dir == NULL)
		dir = TOP_SRCDIR "/forms";
	party_schema = schema_new();
	if (xasprintf(&path, "%s/party.form", dir) == -1 ||
	    schema_load_file(party_schema, path, &err) == -1) {
		diag("%s", err.data);
		tap_bail("cannot load party.form");
	}
	party = schema_table(party_schema, "party");
	if (party == NULL)
		tap_bail("party.form has no table 'party'");
	assign_ids(party, 1);
	free(path);
	buf_release(&err);
}

static const char types_form[] =
    "table t \"T\" \"Т\" \"Ts\" \"Тт\"\n"
    "field name text(5) \"Name\" \"Имя\"\n"
    "field notes text \"Notes\" \"Заметки\"\n"
    "field n int \"N\" \"Н\"\n"
    "field sum money \"Sum\" \"Сумма\"\n"
    "field q qty \"Qty\" \"Кол-во\"\n"
    "field d date \"Date\" \"Дата\"\n"
    "field dt datetime \"When\" \"Когда\"\n"
    "field ok bool \"OK\" \"Да\"\n"
    "field who ref(t) \"Who\" \"Кто\"\n"
    "field code text(20) index unique search \"Code\" \"Код\"\n";

static void
test_types(void)
{
	struct schema	*s = schema_new();
	struct buf	 err = BUF_INIT;
	struct record	*rec;
	struct table	*t;

	err_room(&err);
	if (schema_load_string(s, "types.form", types_form, &err) == -1) {
		diag("%s", err.data);
		tap_bail("cannot load the test form");
	}
	t = schema_table(s, "t");
	rec = record_new(t);

	/* Text: trimmed, counted in characters, UTF-8 and no controls. */
	ok(parse(rec, "name", "  Приве \t", &err) == 0, "five Cyrillic "
	    "letters fit text(5)");
	is_str(text(rec, "name"), "Приве", "text is trimmed");
	is_int(rec->values[fpos(t, "name")].len, 10, "length in bytes");
	ok(parse(rec, "name", "Привет", &err) == -1 &&
	    starts(err.data, "field 'name': "), "six letters refused: %s",
	    err.data);
	is_str(text(rec, "name"), "Приве", "a refused value changes nothing");
	ok(parse(rec, "name", "ab\xff", &err) == -1 &&
	    starts(err.data, "field 'name': "), "invalid UTF-8 refused: %s",
	    err.data);
	ok(parse(rec, "notes", "a\x01z", &err) == -1, "control refused: %s",
	    err.data);
	ok(parse(rec, "notes", "a\x1b[2Jz", &err) == -1, "escape refused");
	ok(parse(rec, "notes", "line 1\r\n\tline 2", &err) == 0,
	    "tabs and line feeds allowed");
	is_str(text(rec, "notes"), "line 1\n\tline 2", "CR before LF dropped");
	ok(parse(rec, "notes", "   ", &err) == 0 &&
	    !rec->values[fpos(t, "notes")].set, "blank clears the value");
	/* record_validate() counts the characters of a text longer in
	 * bytes than its limit only. */
	{
		static const struct {
			const char	*s;
			int		 good;
		} v[] = {
			{ "abcde", 1 }, { "abcdef", 0 }, { "Приве", 1 },
			{ "Привет", 0 }, { "a中文€b", 1 }, { "\xff\xfe\xfd" "ab", 1 },
			{ "\xff\xfe\xfd" "abc", 0 },
		};
		size_t	i, bad;
		int	good = 1;

		for (i = 0; i < nitems(v); i++) {
			record_reset(rec);
			record_set_text(rec, fpos(t, "name"), v[i].s,
			    strlen(v[i].s));
			buf_reset(&err);
			if ((record_validate(rec, &bad, &err) == 0) !=
			    v[i].good || (!v[i].good &&
			    strstr(err.data, "characters long") == NULL)) {
				diag("'%s': %s", v[i].s, err.data);
				good = 0;
			}
		}
		ok(good, "record_validate: text(5) by characters, "
		    "invalid bytes one each");
		record_reset(rec);
	}
	/* The one pass over text: messages and runs as before. */
	ok(parse(rec, "notes", "Привет\xc2\x85мир", &err) == 0 ? 0 :
	    strcmp(err.data, "field 'notes': control character U+0085 not "
	    "allowed") == 0, "a C1 control between letters: %s", err.data);
	ok(parse(rec, "notes", "a\x01z\xff", &err) == -1 &&
	    strcmp(err.data, "field 'notes': not valid UTF-8") == 0,
	    "invalid UTF-8 after a control character: %s", err.data);
	ok(parse(rec, "notes", "\xd0\x9f\xc2\x85\xd0", &err) == -1 &&
	    strcmp(err.data, "field 'notes': not valid UTF-8") == 0,
	    "after a C1 control, a cut sequence: %s", err.data);
	ok(parse(rec, "notes", "ab\xc0\x80\x01", &err) == -1 &&
	    strcmp(err.data, "field 'notes': not valid UTF-8") == 0,
	    "an overlong NUL before a control character: %s", err.data);
	ok(parse(rec, "name", "Приве\xd1", &err) == -1 &&
	    strcmp(err.data, "field 'name': not valid UTF-8") == 0,
	    "a cut sequence after five letters: not a length error: %s",
	    err.data);
	ok(parse(rec, "notes", "ab\x7f", &err) == -1 &&
	    strstr(err.data, "U+007F") != NULL, "DEL refused: %s", err.data);
	ok(parse(rec, "notes", "a\rb", &err) == -1 &&
	    strstr(err.data, "U+000D") != NULL,
	    "a CR not before a LF refused: %s", err.data);
	ok(parse(rec, "notes", "а\r\nб\r\n\r\nв \xc2\xa0г", &err) == 0 &&
	    strcmp(text(rec, "notes"), "а\nб\n\nв \xc2\xa0г") == 0,
	    "every CR before a LF dropped, the rest kept");
	ok(parse(rec, "name", "Пр\r\nив", &err) == 0 &&
	    strcmp(text(rec, "name"), "Пр\nив") == 0,
	    "a dropped CR is not counted against text(5)");
	ok(parse(rec, "name", "a中文€b", &err) == 0 &&
	    parse(rec, "name", "a中文€bc", &err) == -1 &&
	    strcmp(err.data, "field 'name': 6 characters long, at most 5 "
	    "allowed") == 0, "three-byte characters counted one each: %s",
	    err.data);

	/* Numbers. */
	ok(parse(rec, "n", "-42", &err) == 0 &&
	    rec->values[fpos(t, "n")].i == -42, "int -42");
	is_str(fmt(rec, "n", 1), "-42", "int formats back");
	ok(parse(rec, "n", "12a", &err) == -1 &&
	    starts(err.data, "field 'n': "), "int garbage refused: %s",
	    err.data);
	ok(parse(rec, "n", "9223372036854775808", &err) == -1,
	    "int overflow refused: %s", err.data);
	ok(parse(rec, "n", "-9223372036854775808", &err) == 0 &&
	    rec->values[fpos(t, "n")].i == INT64_MIN, "INT64_MIN parses");
	ok(parse(rec, "sum", "1 234,56", &err) == 0, "money '1 234,56': %s",
	    err.data);
	is_int(rec->values[fpos(t, "sum")].i, 123456, "money in kopecks");
	is_str(fmt(rec, "sum", 1), "1234.56", "money plain");
	ok(parse(rec, "sum", fmt(rec, "sum", 0), &err) == 0 &&
	    rec->values[fpos(t, "sum")].i == 123456,
	    "money for people '%s' parses back", fmt(rec, "sum", 0));
	ok(parse(rec, "sum", "-1,234,567.5", &err) == 0 &&
	    rec->values[fpos(t, "sum")].i == -123456750,
	    "money grouped the English way");
	ok(parse(rec, "sum", "1,23.5", &err) == -1, "bad grouping refused");
	ok(parse(rec, "sum", "12,345", &err) == -1 &&
	    starts(err.data, "field 'sum': "), "ambiguous money refused: %s",
	    err.data);
	ok(parse(rec, "q", "1,5", &err) == 0 &&
	    rec->values[fpos(t, "q")].i == 1500, "qty in thousandths");
	ok(parse(rec, "q", fmt(rec, "q", 1), &err) == 0 &&
	    rec->values[fpos(t, "q")].i == 1500, "qty round trip '%s'",
	    fmt(rec, "q", 1));
	/* What people are shown (the C locale: English) saves back. */
	{
		static const int64_t vals[] = { 1234000, -1234567000, 1500,
		    INT64_MIN, INT64_MAX, 0 };
		size_t	 i, k;
		char	*shown;

		for (i = 0; i < nitems(vals); i++) {
			for (k = 0; k < 2; k++) {
				const char *f = k == 0 ? "sum" : "q";

				record_set_int(rec, fpos(t, f), vals[i]);
				shown = xstrdup(fmt(rec, f, 0));
				ok(parse(rec, f, shown, &err) == 0 &&
				    rec->values[fpos(t, f)].i == vals[i],
				    "%s shown as '%s' saves back", f, shown);
				free(shown);
			}
		}
	}

	/* Dates. */
	ok(parse(rec, "d", "31.01.2026", &err) == 0, "date 31.01.2026");
	is_int(rec->values[fpos(t, "d")].i, date_from_ymd(2026, 1, 31),
	    "days since the epoch");
	is_str(fmt(rec, "d", 1), "2026-01-31", "date plain is ISO");
	is_str(fmt(rec, "d", 0), "31.01.2026", "date for people");
	ok(parse(rec, "d", "2024-02-29", &err) == 0, "ISO date parses");
	ok(parse(rec, "d", "30.02.2026", &err) == -1 &&
	    starts(err.data, "field 'd': "), "30 February refused: %s",
	    err.data);
	ok(parse(rec, "d", "Today", &err) == 0 &&
	    rec->values[fpos(t, "d")].i == clock_today(), "'today'");
	ok(parse(rec, "d", "сегодня", &err) == 0 &&
	    rec->values[fpos(t, "d")].i == date_from_ymd(2026, 3, 15),
	    "'сегодня' under CLERK_NOW");
	ok(parse(rec, "dt", "now", &err) == 0 &&
	    rec->values[fpos(t, "dt")].i == clock_now(), "'now'");
	ok(parse(rec, "dt", "2026-01-31 12:30:45", &err) == 0, "datetime");
	{
		int64_t	 was = rec->values[fpos(t, "dt")].i;
		char	*plain = xstrdup(fmt(rec, "dt", 1));

		ok(parse(rec, "dt", plain, &err) == 0 &&
		    rec->values[fpos(t, "dt")].i == was,
		    "datetime round trip '%s'", plain);
		ok(parse(rec, "dt", fmt(rec, "dt", 0), &err) == 0 &&
		    rec->values[fpos(t, "dt")].i == was,
		    "datetime for people parses back");
		free(plain);
	}

	/* Booleans and references. */
	ok(parse(rec, "ok", "ДА", &err) == 0 &&
	    rec->values[fpos(t, "ok")].i == 1, "bool 'ДА'");
	record_lang = 1;
	is_str(fmt(rec, "ok", 0), "да", "bool for Russian people");
	record_lang = 0;
	is_str(fmt(rec, "ok", 0), "yes", "bool for English people");
	ok(parse(rec, "ok", "нет", &err) == 0 &&
	    rec->values[fpos(t, "ok")].i == 0, "bool 'нет'");
	is_str(fmt(rec, "ok", 1), "no", "bool plain");
	ok(parse(rec, "ok", "false", &err) == 0 &&
	    rec->values[fpos(t, "ok")].i == 0, "bool 'false'");
	ok(parse(rec, "ok", "1", &err) == 0 &&
	    rec->values[fpos(t, "ok")].i == 1, "bool '1'");
	ok(parse(rec, "ok", "н", &err) == -1, "bool 'н' refused (the Y key "
	    "in the Russian layout)");
	ok(parse(rec, "who", "#17", &err) == 0 &&
	    rec->values[fpos(t, "who")].i == 17, "ref '#17'");
	ok(parse(rec, "who", "0", &err) == -1 &&
	    starts(err.data, "field 'who': "), "ref 0 refused: %s", err.data);
	ok(parse(rec, "who", "-3", &err) == -1, "negative ref refused");

	record_free(rec);
	schema_free(s);
	buf_release(&err);
}

static void
test_party_parse(void)
{
	struct record	*rec = record_new(party);
	struct buf	 err = BUF_INIT;

	err_room(&err);
	ok(parse(rec, "kind", "Индивидуальный предприниматель", &err) == 0,
	    "enum by Russian label: %s", err.data);
	is_str(text(rec, "kind"), "sole", "stored as the value name");
	ok(parse(rec, "kind", "ОРГАНИЗАЦИЯ", &err) == 0 &&
	    strcmp(text(rec, "kind"), "org") == 0,
	    "Russian label, other case");
	ok(parse(rec, "kind", "private PERSON", &err) == 0 &&
	    strcmp(text(rec, "kind"), "person") == 0, "English label");
	ok(parse(rec, "kind", "Org", &err) == 0 &&
	    strcmp(text(rec, "kind"), "org") == 0, "value name");
	ok(parse(rec, "kind", "company", &err) == -1 &&
	    starts(err.data, "field 'kind': ") &&
	    strstr(err.data, "company") != NULL, "unknown enum: %s",
	    err.data);
	is_str(fmt(rec, "kind", 1), "org", "enum plain");
	record_lang = 1;
	is_str(fmt(rec, "kind", 0), "Организация", "enum in Russian");
	record_lang = 0;
	is_str(fmt(rec, "kind", 0), "Organisation", "enum in English");

	ok(parse(rec, "phones", "8 (916) 123-45-67; +7 916 123 45 67, "
	    "9161234568,, ", &err) == 0, "three phones: %s", err.data);
	is_str(text(rec, "phones"), "+79161234567\n+79161234568",
	    "normalised, de-duplicated, joined by newlines");
	is_str(fmt(rec, "phones", 1), "+79161234567, +79161234568",
	    "phones plain");
	is_str(fmt(rec, "phones", 0), "+7 916 123-45-67, +7 916 123-45-68",
	    "phones for people");
	ok(parse(rec, "phones", fmt(rec, "phones", 0), &err) == 0 &&
	    strcmp(text(rec, "phones"), "+79161234567\n+79161234568") == 0,
	    "people's phones parse back");
	ok(parse(rec, "phones", "+79161234567, call me", &err) == -1 &&
	    starts(err.data, "field 'phones': "), "a bad phone: %s",
	    err.data);
	is_str(text(rec, "phones"), "+79161234567\n+79161234568",
	    "a bad element changes nothing");

	ok(parse(rec, "emails", "Ivan@Mail.RU; ivan@mail.ru, "
	    "Sales@Example.COM", &err) == 0, "e-mails: %s", err.data);
	is_str(text(rec, "emails"), "Ivan@mail.ru\nSales@example.com",
	    "domains lower-cased, duplicates dropped");
	ok(parse(rec, "emails", "ivan@", &err) == -1 &&
	    starts(err.data, "field 'emails': "), "bad e-mail: %s",
	    err.data);
	ok(parse(rec, "tags", "VIP; опт, vip;Опт", &err) == 0 &&
	    strcmp(text(rec, "tags"), "VIP\nопт") == 0,
	    "tags de-duplicated by fold key");
	ok(parse(rec, "tags", "", &err) == 0 &&
	    !rec->values[fpos(party, "tags")].set, "empty clears a multi");
	record_free(rec);
	buf_release(&err);
}

/* A valid organisation: Сбербанк's public requisites. */
static struct record *
good_party(void)
{
	struct record	*rec = record_new(party);
	struct buf	 err = BUF_INIT;

	err_room(&err);
	record_defaults(rec);
	if (parse(rec, "name", "ООО \"Ромашка-Плюс\"", &err) ||
	    parse(rec, "inn", "7707083893", &err) ||
	    parse(rec, "kpp", "773601001", &err) ||
	    parse(rec, "ogrn", "1027700132195", &err) ||
	    parse(rec, "bank_bik", "044525225", &err) ||
	    parse(rec, "bank_corr", "30101810400000000225", &err) ||
	    parse(rec, "bank_account", "40702810700001234567", &err)) {
		diag("%s", err.data);
		tap_bail("cannot build a good party");
	}
	buf_release(&err);
	return (rec);
}

static void
expect_invalid(struct record *rec, const char *field, const char *value,
    const char *why)
{
	struct buf	err = BUF_INIT, want = BUF_INIT;
	size_t		bad = (size_t)-1;
	char		*was;

	err_room(&err);
	was = xstrdup(text(rec, field));
	if (parse(rec, field, value, &err) == -1) {
		ok(0, "%s: '%s' parses", why, value);
		diag("%s", err.data);
		free(was);
		return;
	}
	buf_printf(&want, "field '%s': ", field);
	ok(validate(rec, &bad, &err) == -1 &&
	    bad == fpos(party, field) && starts(err.data, want.data) &&
	    err.len > want.len, "%s: %s", why, err.data);
	if (strcmp(was, "(unset)") == 0)
		record_clear(rec, fpos(party, field));
	else
		parse(rec, field, was, &err);
	free(was);
	buf_release(&err);
	buf_release(&want);
}

static void
test_validate(void)
{
	struct record	*rec;
	struct buf	 err = BUF_INIT;
	size_t		 bad = (size_t)-1;
	int		 rc;

	err_room(&err);
	rec = record_new(party);
	record_defaults(rec);
	is_str(text(rec, "kind"), "org", "default kind");
	is_str(text(rec, "status"), "lead", "default status");
	ok(validate(rec, &bad, &err) == -1 &&
	    bad == fpos(party, "name") &&
	    starts(err.data, "field 'name': "), "name required: %s",
	    err.data);
	record_free(rec);

	rec = good_party();
	rc = validate(rec, &bad, &err);
	ok(rc == 0, "a good organisation validates %s", err.data);
	expect_invalid(rec, "inn", "7707083894", "bad ИНН");
	expect_invalid(rec, "inn", "77070838", "short ИНН");
	expect_invalid(rec, "kpp", "77AB", "bad КПП");
	expect_invalid(rec, "ogrn", "1027700132196", "bad ОГРН");
	expect_invalid(rec, "bank_bik", "04452522", "short БИК");
	expect_invalid(rec, "bank_account", "40702810700001234568",
	    "account not matching its БИК");
	expect_invalid(rec, "bank_corr", "30101810400000000226",
	    "bad correspondent account");
	rc = validate(rec, &bad, &err);
	ok(rc == 0, "good again after the checks %s", err.data);

	/* Without the БИК the account's shape is all that can be checked. */
	record_clear(rec, fpos(party, "bank_bik"));
	record_clear(rec, fpos(party, "bank_corr"));
	parse(rec, "bank_account", "40702810700001234568", &err);
	rc = validate(rec, &bad, &err);
	ok(rc == 0, "no БИК: any 20 digits %s", err.data);
	expect_invalid(rec, "bank_account", "4070281070000123456",
	    "no БИК, 19 digits");
	expect_invalid(rec, "bank_account", "4070281070000123456x",
	    "no БИК, a letter");
	record_free(rec);
	buf_release(&err);
}

/*
 * The pieces of a refusal that names every wrong field for people: the
 * card's order, one field's check and reason alone, the reason of a
 * value that does not parse alone, and the label with the name.
 */
static void
test_refusal_parts(void)
{
	struct record	*rec;
	struct buf	 why = BUF_INIT, msg = BUF_INIT;
	size_t		 order[64], n, i, inn = 0, birthday = 0, phones = 0;

	err_room(&why);
	n = table_screen_order(party, order);
	is_int(n, party->nfields, "the card's order has every field");
	for (i = 0; i < n; i++) {
		if (order[i] == fpos(party, "inn"))
			inn = i;
		if (order[i] == fpos(party, "birthday"))
			birthday = i;
		if (order[i] == fpos(party, "phones"))
			phones = i;
	}
	ok(order[0] == fpos(party, "kind") && inn < birthday &&
	    birthday < phones, "kind first, then ИНН, birthday (beside the "
	    "city), phones: as the screen draws them");

	rec = good_party();
	is_int(record_validate_field(rec, fpos(party, "inn"), &why), 0,
	    "a good ИНН");
	parse(rec, "inn", "7707083894", &why);
	ok(record_validate_field(rec, fpos(party, "inn"), &why) == -1 &&
	    strcmp(why.data, "check digit should be 3, not 4") == 0,
	    "a wrong one, the reason alone: %s", why.data);
	record_clear(rec, fpos(party, "name"));
	ok(record_validate_field(rec, fpos(party, "name"), &why) == -1 &&
	    strcmp(why.data, "a value is required") == 0,
	    "a required field empty: %s", why.data);
	ok(record_parse_why(rec, fpos(party, "birthday"), "31.02.2020",
	    &why) == -1 && strcmp(why.data, "invalid date '31.02.2020': "
	    "February 2020 has 29 days") == 0, "a value that does not parse, "
	    "the reason alone: %s", why.data);
	parse(rec, "phones", "+7 495 123-45-67", &why);
	ok(record_parse_why(rec, fpos(party, "phones"), "abc", &why) == -1 &&
	    strcmp(text(rec, "phones"), "+74951234567") == 0, "and the field "
	    "is left as it was");
	record_field_error(&party->fields[fpos(party, "inn")], 1,
	    "контрольная цифра", &msg);
	is_str(msg.data, "ИНН ('inn'): контрольная цифра", "the label in "
	    "Russian, then the name");
	buf_reset(&msg);
	record_field_error(&party->fields[fpos(party, "inn")], 0, "why",
	    &msg);
	is_str(msg.data, "INN ('inn'): why", "in English");
	record_free(rec);
	buf_release(&why);
	buf_release(&msg);
}

static void
test_diff(void)
{
	struct record	*a = good_party(), *b;
	struct buf	 err = BUF_INIT;
	size_t		 pos[64], n;

	err_room(&err);
	b = record_dup(a);
	is_int(record_diff(a, b, pos, nitems(pos)), 0, "a copy equals");
	parse(b, "inn", "500100732259", &err);
	parse(b, "phones", "+79161234567", &err);
	record_clear(b, fpos(party, "kpp"));
	n = record_diff(a, b, pos, nitems(pos));
	ok(n == 3 && pos[0] == fpos(party, "inn") &&
	    pos[1] == fpos(party, "kpp") && pos[2] == fpos(party, "phones"),
	    "diff names inn, kpp, phones in order (%zu)", n);
	is_int(record_diff(a, b, pos, 1), 1, "diff stops at the room given");
	ok(!record_value_equal(&a->values[fpos(party, "kpp")],
	    &b->values[fpos(party, "kpp")], FT_TEXT), "set != unset");
	ok(record_value_equal(&b->values[fpos(party, "kpp")],
	    &b->values[fpos(party, "kpp")], FT_TEXT), "unset == unset");
	record_free(a);
	record_free(b);
	buf_release(&err);
}

static void
test_encode(void)
{
	struct record	*a = good_party(), *b = record_new(party);
	struct buf	 enc = BUF_INIT, enc2 = BUF_INIT, err = BUF_INIT;
	struct value	 v;
	size_t		 pos[64], i;

	err_room(&err);
	parse(a, "phones", "+79161234567, +442079460958", &err);
	parse(a, "birthday", "01.02.1990", &err);
	parse(a, "notes", "Первая строка\nвторая", &err);
	a->rev = 7;
	a->flags = REC_ARCHIVED;
	a->created = 1700000000;
	a->updated = -5;
	a->created_by = record_name("ivanov", 6);
	a->updated_by = record_name("петров", strlen("петров"));
	record_encode(a, &enc);
	ok(enc.len > 24 && enc.data[0] == 2, "format byte 2 (%zu bytes)",
	    enc.len);
	b->id = 42;
	ok(record_decode(b, enc.data, enc.len, &err) == 0, "decodes %s",
	    err.data);
	is_int(b->id, 42, "decode keeps the id");
	is_int(record_diff(a, b, pos, nitems(pos)), 0, "same values");
	ok(b->rev == 7 && b->flags == REC_ARCHIVED && b->created ==
	    1700000000 && b->updated == -5, "header round trip");
	ok(b->created_by && b->updated_by &&
	    strcmp(b->created_by, "ivanov") == 0 &&
	    strcmp(b->updated_by, "петров") == 0, "users round trip");
	record_encode(b, &enc2);
	ok(enc.len == enc2.len && memcmp(enc.data, enc2.data, enc.len) == 0,
	    "re-encoding gives the same bytes");
	is_str(text(b, "notes"), "Первая строка\nвторая",
	    "decoded texts are NUL-terminated");
	/* Decoded values are replaced like any other. */
	parse(b, "notes", "new", &err);
	record_set_text(b, fpos(party, "name"), b->values[fpos(party,
	    "name")].s + 7, 7);
	is_str(text(b, "name"), "\"Ром", "set_text from its own value");
	ok(record_decode(b, enc.data, enc.len, &err) == 0 &&
	    record_diff(a, b, pos, nitems(pos)) == 0,
	    "decode again into the same record");
	{
		/* Authors' names are kept once (record_name()): a decode
		 * points at that copy, whatever the record held. */
		const char *cby = b->created_by;
		struct buf enc3 = BUF_INIT;

		ok(record_decode(b, enc.data, enc.len, &err) == 0 &&
		    b->created_by == cby && cby == record_name("ivanov", 6),
		    "the same name is the same copy, not copied again");
		a->created_by = record_name("ivanova", 7);
		a->updated_by = NULL;
		record_encode(a, &enc3);
		ok(record_decode(b, enc3.data, enc3.len, &err) == 0 &&
		    b->created_by != NULL && strcmp(b->created_by,
		    "ivanova") == 0 && b->updated_by == NULL,
		    "other names, or none, replace them");
		a->created_by = record_name("ivanova", 6);
		buf_reset(&enc3);
		record_encode(a, &enc3);
		ok(record_decode(b, enc3.data, enc3.len, &err) == 0 &&
		    b->created_by == cby, "a shorter name is its own");
		ok(record_decode(b, enc.data, enc.len, &err) == 0 &&
		    strcmp(b->created_by, "ivanov") == 0 &&
		    b->updated_by != NULL && strcmp(b->updated_by,
		    "петров") == 0, "and back");
		ok(record_name("", 0) == NULL &&
		    record_name("iv\0anov", 7) == record_name("iv", 2) &&
		    record_name("ivan", 4) != cby, "a name ends at its NUL");
		buf_release(&enc3);
		a->created_by = record_name("ivanov", 6);
		a->updated_by = record_name("петров", strlen("петров"));
	}
	{
		/* Room for the texts in the record's own allocation
		 * (record_new_room()); a larger record decoded over it
		 * moves them to a buffer of their own. */
		struct record *small = record_new(party), *r;
		struct buf encs = BUF_INIT;
		const char *at;

		parse(small, "name", "Ок", &err);
		record_encode(small, &encs);
		r = record_new_room(party, encs.len);
		at = r->texts.data;
		ok(at > (const char *)r && r->texts.alloc == encs.len + 1 &&
		    record_decode(r, encs.data, encs.len, &err) == 0 &&
		    strcmp(text(r, "name"), "Ок") == 0 && r->texts.data == at,
		    "a record decodes into its own room");
		ok(record_decode(r, enc.data, enc.len, &err) == 0 &&
		    r->texts.data != at && record_diff(a, r, pos,
		    nitems(pos)) == 0, "a larger one moves its texts out");
		parse(r, "notes", "своя", &err);
		ok(record_decode(r, encs.data, encs.len, &err) == 0 &&
		    strcmp(text(r, "name"), "Ок") == 0 &&
		    !r->values[fpos(party, "notes")].set,
		    "and decodes a smaller one again");
		record_free(r);
		r = record_new_room(party, encs.len);
		parse(r, "inn", "7707083893", &err);
		ok(record_decode(r, enc.data, enc.len, &err) == 0 &&
		    record_diff(a, r, pos, nitems(pos)) == 0,
		    "a value set before a decode is let go");
		record_free(r);
		record_free(small);
		buf_release(&encs);
	}

	/* One field without decoding the record. */
	ok(record_decode_field(enc.data, enc.len, party->fields[fpos(party,
	    "inn")].id, &v) == 1 && v.len == 10 &&
	    memcmp(v.s, "7707083893", 10) == 0, "decode_field finds inn");
	ok(record_decode_field(enc.data, enc.len, party->fields[fpos(party,
	    "birthday")].id, &v) == 1 && v.i == date_from_ymd(1990, 2, 1),
	    "decode_field finds a date");
	is_int(record_decode_field(enc.data, enc.len, party->fields[fpos(
	    party, "city")].id, &v), 0, "decode_field: absent");
	is_int(record_decode_field(enc.data, enc.len - 1, party->fields[fpos(
	    party, "city")].id, &v), -1, "decode_field: truncated");

	/* Fields with id 0 (not yet known to the store) are not written. */
	buf_reset(&enc2);
	party->fields[fpos(party, "inn")].id = 0;
	record_encode(a, &enc2);
	party->fields[fpos(party, "inn")].id = (uint16_t)(fpos(party, "inn") +
	    1);
	/* inn's entry: id, type and length a byte each, 10 digits. */
	ok(enc2.len == enc.len - 13, "id 0 is skipped");

	/* Bad input. */
	ok(record_decode(b, enc.data, 10, &err) == -1, "truncated header: %s",
	    err.data);
	for (i = 0; i < party->nfields; i++)
		if (b->values[i].set)
			break;
	ok(i == party->nfields && b->id == 42,
	    "a failed decode leaves the record reset, id kept");
	enc.data[0] = 3;
	ok(record_decode(b, enc.data, enc.len, &err) == -1 &&
	    strstr(err.data, "format 3") != NULL, "format 3 refused: %s",
	    err.data);
	enc.data[0] = 2;

	record_free(a);
	record_free(b);
	buf_release(&enc);
	buf_release(&enc2);
	buf_release(&err);
}

static const char form_a[] =
    "table t \"T\" \"Т\" \"Ts\" \"Тт\"\n"
    "field a text \"A\" \"А\"\n"
    "field b text \"B\" \"Б\"\n"
    "field c int \"C\" \"В\"\n";
static const char form_b[] =
    "table t \"T\" \"Т\" \"Ts\" \"Тт\"\n"
    "field a text \"A\" \"А\"\n"
    "field c int \"C\" \"В\"\n";
/* b comes back as an int: a changed type the store would refuse. */
static const char form_c[] =
    "table t \"T\" \"Т\" \"Ts\" \"Тт\"\n"
    "field a text \"A\" \"А\"\n"
    "field b int \"B\" \"Б\"\n"
    "field c int \"C\" \"В\"\n";

static struct table *
load_t(struct schema **sp, const char *form, const uint16_t *ids)
{
	struct buf	 err = BUF_INIT;
	struct table	*t;
	size_t		 i;

	err_room(&err);
	*sp = schema_new();
	if (schema_load_string(*sp, "t.form", form, &err) == -1) {
		diag("%s", err.data);
		tap_bail("cannot load a test form");
	}
	t = schema_table(*sp, "t");
	for (i = 0; i < t->nfields; i++)
		t->fields[i].id = ids[i];
	buf_release(&err);
	return (t);
}

static void
test_unknown_fields(void)
{
	static const uint16_t ids_a[] = { 1, 2, 3 }, ids_b[] = { 1, 3 };
	struct schema	*sa, *sb, *sc;
	struct table	*ta, *tb, *tc;
	struct record	*ra, *rb, *rc;
	struct buf	 enc = BUF_INIT, err = BUF_INIT;

	err_room(&err);
	ta = load_t(&sa, form_a, ids_a);
	tb = load_t(&sb, form_b, ids_b);
	tc = load_t(&sc, form_c, ids_a);
	ra = record_new(ta);
	parse(ra, "a", "alpha", &err);
	parse(ra, "b", "beta", &err);
	parse(ra, "c", "3", &err);
	record_encode(ra, &enc);

	rb = record_new(tb);
	ok(record_decode(rb, enc.data, enc.len, &err) == 0 &&
	    rb->extra.len == 3 + 4, "older form: b kept in extra");
	parse(rb, "a", "alpha 2", &err);
	parse(rb, "c", "4", &err);
	buf_reset(&enc);
	record_encode(rb, &enc);
	record_reset(ra);
	ok(record_decode(ra, enc.data, enc.len, &err) == 0, "decode with A");
	is_str(text(ra, "b"), "beta", "b survived a form without it");
	is_str(text(ra, "a"), "alpha 2", "a changed by the older form");
	is_int(ra->values[fpos(ta, "c")].i, 4, "c changed by the older form");
	is_int(ra->extra.len, 0, "nothing unknown to A");

	/* A type change keeps the old entry too, until b has a value. */
	rc = record_new(tc);
	ok(record_decode(rc, enc.data, enc.len, &err) == 0 &&
	    !rc->values[fpos(tc, "b")].set && rc->extra.len == 7,
	    "text b under an int form goes to extra");
	buf_reset(&enc);
	record_encode(rc, &enc);
	ok(record_decode(ra, enc.data, enc.len, &err) == 0 &&
	    strcmp(text(ra, "b"), "beta") == 0, "and comes back as text");
	parse(rc, "b", "5", &err);
	buf_reset(&enc);
	record_encode(rc, &enc);
	ok(record_decode(rc, enc.data, enc.len, &err) == 0 &&
	    rc->values[fpos(tc, "b")].i == 5 && rc->extra.len == 0,
	    "a new value supersedes the old entry, no id twice %s",
	    err.data);

	record_free(ra);
	record_free(rb);
	record_free(rc);
	schema_free(sa);
	schema_free(sb);
	schema_free(sc);
	buf_release(&enc);
	buf_release(&err);
}

/* Format 1, as records written before format 2 are: built by hand. */
static void
v1_u(struct buf *b, uint64_t v, int n)
{
	while (n-- > 0)
		buf_addch(b, (int)(v >> (8 * n) & 0xff));
}

static void
v1_entry(struct buf *b, uint16_t id, unsigned type, const void *p,
    size_t len)
{
	v1_u(b, id, 2);
	buf_addch(b, (int)type);
	v1_u(b, len, 4);
	buf_add(b, p, len);
}

static void
v1_int(struct buf *b, uint16_t id, unsigned type, int64_t i)
{
	v1_u(b, id, 2);
	buf_addch(b, (int)type);
	v1_u(b, 8, 4);
	v1_u(b, (uint64_t)i, 8);
}

static void
test_format1(void)
{
	static const uint16_t ids_a[] = { 1, 2, 3 }, ids_b[] = { 1, 3 };
	struct schema	*sa, *sb;
	struct table	*ta, *tb;
	struct record	*ra, *rb;
	struct buf	 v1 = BUF_INIT, enc = BUF_INIT, err = BUF_INIT;
	struct value	 v;

	err_room(&err);
	ta = load_t(&sa, form_a, ids_a);
	tb = load_t(&sb, form_b, ids_b);
	buf_addch(&v1, 1);
	buf_addch(&v1, REC_ARCHIVED);
	v1_u(&v1, 5, 4);
	v1_u(&v1, (uint64_t)1700000000, 8);
	v1_u(&v1, (uint64_t)(int64_t)-7, 8);
	buf_addch(&v1, 4);
	buf_add(&v1, "anna", 4);
	buf_addch(&v1, 0);
	v1_entry(&v1, 1, FT_TEXT, "альфа", strlen("альфа"));
	v1_entry(&v1, 2, FT_TEXT, "beta", 4);
	v1_int(&v1, 3, FT_INT, -123456789012LL);

	ra = record_new(ta);
	ok(record_decode(ra, v1.data, v1.len, &err) == 0, "a format 1 record "
	    "decodes: %s", err.data);
	ok(ra->rev == 5 && ra->flags == REC_ARCHIVED && ra->created ==
	    1700000000 && ra->updated == -7 && ra->created_by != NULL &&
	    strcmp(ra->created_by, "anna") == 0 && ra->updated_by == NULL,
	    "with its header");
	is_str(text(ra, "a"), "альфа", "its text");
	is_int(ra->values[fpos(ta, "c")].i, -123456789012LL,
	    "its number, negative");
	ok(record_decode_field(v1.data, v1.len, 3, &v) == 1 &&
	    v.i == -123456789012LL, "decode_field reads format 1");
	ok(record_decode_field(v1.data, v1.len, 2, &v) == 1 && v.len == 4 &&
	    memcmp(v.s, "beta", 4) == 0, "a text too");
	record_encode(ra, &enc);
	ok(enc.data[0] == 2 && enc.len < v1.len, "written back as format 2, "
	    "shorter (%zu < %zu bytes)", enc.len, v1.len);
	record_reset(ra);
	ok(record_decode(ra, enc.data, enc.len, &err) == 0 &&
	    ra->values[fpos(ta, "c")].i == -123456789012LL &&
	    strcmp(text(ra, "b"), "beta") == 0 && ra->updated == -7,
	    "and reads back the same");

	/* A field the form does not know, from format 1: kept, as format
	 * 2, through a write by that form. */
	buf_reset(&v1);
	buf_addch(&v1, 1);
	buf_addch(&v1, 0);
	v1_u(&v1, 1, 4);
	v1_u(&v1, 0, 8);
	v1_u(&v1, 0, 8);
	buf_addch(&v1, 0);
	buf_addch(&v1, 0);
	v1_entry(&v1, 1, FT_TEXT, "a", 1);
	v1_int(&v1, 2, FT_INT, -1);	/* b, an int in an older form */
	v1_int(&v1, 3, FT_INT, 300);
	rb = record_new(tb);
	ok(record_decode(rb, v1.data, v1.len, &err) == 0 &&
	    rb->extra.len == 3 + 1, "an unknown number of format 1 kept in "
	    "format 2: %s", err.data);
	buf_reset(&enc);
	record_encode(rb, &enc);
	ok(record_decode_field(enc.data, enc.len, 2, &v) == 1 && v.i == -1,
	    "and written back with its value");
	ok(record_decode_field(enc.data, enc.len, 3, &v) == 1 && v.i == 300,
	    "beside the known ones");

	/* Numbers at the ends of their range. */
	{
		static const int64_t nums[] = { 0, 1, -1, 63, -64, 64,
		    INT64_MAX, INT64_MIN };
		size_t	 i;
		int	 bad = 0;

		for (i = 0; i < nitems(nums); i++) {
			record_reset(ra);
			ra->values[fpos(ta, "c")].set = 1;
			ra->values[fpos(ta, "c")].i = nums[i];
			ra->created = nums[i];
			buf_reset(&enc);
			record_encode(ra, &enc);
			if (record_decode(ra, enc.data, enc.len, &err) != 0 ||
			    ra->values[fpos(ta, "c")].i != nums[i] ||
			    ra->created != nums[i])
				bad++;
		}
		is_int(bad, 0, "64-bit numbers round trip, both ends");
	}

	record_free(ra);
	record_free(rb);
	schema_free(sa);
	schema_free(sb);
	buf_release(&v1);
	buf_release(&enc);
	buf_release(&err);
}

/* Random input, every truncation and every byte changed: -1 or 0, no
 * crash, no read outside (run under ASan). */
static void
test_decode_garbage(void)
{
	struct record	*a = good_party(), *b = record_new(party);
	struct buf	 enc = BUF_INIT, err = BUF_INIT;
	struct value	 v;
	unsigned char	*p;
	size_t		 i, len, fails = 0, oks = 0, pos[64];
	int		 j;

	err_room(&err);
	parse(a, "phones", "+79161234567", &err);
	parse(a, "birthday", "01.02.1990", &err);
	record_encode(a, &enc);
	for (len = 0; len < enc.len; len++) {
		p = xmalloc(len + 1);		/* exact size for ASan */
		memcpy(p, enc.data, len);
		/* Cut at an entry boundary, it is a record with fewer
		 * fields; anywhere else, refused. */
		if (record_decode(b, p, len, &err) == 0 &&
		    record_diff(a, b, pos, nitems(pos)) == 0)
			fails++;
		if (record_decode_field(p, len, 9999, &v) == 1)
			fails++;
		free(p);
	}
	ok(fails == 0, "no truncation decodes to the whole record");
	p = xmalloc(enc.len);
	for (i = 0; i < enc.len; i++)
		for (j = 0; j < 8; j++) {
			memcpy(p, enc.data, enc.len);
			p[i] ^= (unsigned char)(1 << j);
			if (record_decode(b, p, enc.len, &err) == 0) {
				oks++;
				buf_reset(&err);
				record_encode(b, &err);
			}
			(void)record_decode_field(p, enc.len, 3, &v);
		}
	free(p);
	ok(1, "every bit flipped: no crash (%zu still decode)", oks);
	srand(12345);
	for (i = oks = 0; i < 20000; i++) {
		len = (size_t)rand() % 160;
		p = xmalloc(len + 1);
		for (j = 0; j < (int)len; j++)
			p[j] = (unsigned char)rand();
		if (len > 0 && i % 2 == 0)	/* past the format check */
			p[0] = (unsigned char)(1 + i / 2 % 2);
		if (record_decode(b, p, len, &err) == 0)
			oks++;
		(void)record_decode_field(p, len, (uint16_t)(i % 30), &v);
		free(p);
	}
	ok(1, "random bytes: no crash (%zu decoded)", oks);
	record_free(a);
	record_free(b);
	buf_release(&enc);
	buf_release(&err);
}

/*
 * record_decode() reads the common record (format 2, small entries,
 * decoded into a record whose texts are all its own buffer's) in one
 * quick pass, anything else the long way.  A record holding a text set
 * by hand always goes the long way, so decoding the same bytes into it
 * and into a fresh record must agree on everything: the outcome, the
 * message, the header, the values and the entries kept aside.
 */
static int
same_decoded(const struct record *x, const struct record *y)
{
	size_t	pos[64];

	return (record_diff(x, y, pos, nitems(pos)) == 0 &&
	    x->flags == y->flags && x->rev == y->rev &&
	    x->created == y->created && x->updated == y->updated &&
	    (x->created_by == NULL) == (y->created_by == NULL) &&
	    (x->created_by == NULL || strcmp(x->created_by,
	    y->created_by) == 0) && (x->updated_by == NULL) ==
	    (y->updated_by == NULL) && (x->updated_by == NULL ||
	    strcmp(x->updated_by, y->updated_by) == 0) &&
	    x->extra.len == y->extra.len && (x->extra.len == 0 ||
	    memcmp(x->extra.data, y->extra.data, x->extra.len) == 0));
}

static void
test_decode_both_ways(void)
{
	struct record	*a = good_party(), *quick = record_new(party);
	struct record	*slow = record_new(party);
	struct buf	 enc = BUF_INIT, e1 = BUF_INIT, e2 = BUF_INIT;
	unsigned char	*p;
	size_t		 i, n = 0, differ = 0, good = 0, pname;
	int		 r1, r2;

	err_room(&e1);
	parse(a, "phones", "+79161234567", &e1);
	a->created_by = record_name("ivanov", 6);
	a->updated_by = record_name("petrov", 6);
	a->rev = 300;
	a->created = 1790000000;
	a->updated = -5;
	record_encode(a, &enc);
	pname = (size_t)table_field_pos(party, "name");
	p = xmalloc(enc.len + 1);
	srand(4242);
	for (i = 0; i < 6000; i++) {
		size_t	len = enc.len;

		memcpy(p, enc.data, enc.len);
		if (i % 3 == 1)
			p[(size_t)rand() % enc.len] ^=
			    (unsigned char)(1 << rand() % 8);
		else if (i % 3 == 2)
			p[(size_t)rand() % enc.len] = (unsigned char)rand();
		if (i % 5 == 4)
			len = (size_t)rand() % enc.len;
		/* The one by hand sends it the long way. */
		record_set_text(slow, pname, "x", 1);
		buf_reset(&e1);
		buf_reset(&e2);
		r1 = record_decode(quick, p, len, &e1);
		r2 = record_decode(slow, p, len, &e2);
		n++;
		if (r1 != r2 || (r1 == 0 && !same_decoded(quick, slow)) ||
		    (r1 != 0 && strcmp(e1.data, e2.data) != 0)) {
			if (differ++ == 0)
				diag("bytes %zu: %d '%s' against %d '%s'", i,
				    r1, e1.data, r2, e2.data);
		} else if (r1 == 0)
			good++;
	}
	ok(differ == 0 && good > 2000, "a record decoded the quick way and "
	    "the long way agree: %zu of %zu differ (%zu decoded)", differ,
	    n, good);
	/* And the whole, unchanged: every field, the authors, the times. */
	ok(record_decode(quick, enc.data, enc.len, &e1) == 0 &&
	    same_decoded(a, quick), "the quick way gives the record encoded");
	free(p);
	record_free(a);
	record_free(quick);
	record_free(slow);
	buf_release(&enc);
	buf_release(&e1);
	buf_release(&e2);
}

static int
has_key(const struct keyset *ks, const char *key)
{
	size_t	i, len = strlen(key);

	for (i = 0; i < ks->n; i++)
		if (ks->len[i] == len &&
		    memcmp(ks->bytes.data + ks->off[i], key, len) == 0)
			return (1);
	return (0);
}

static int
sorted_unique(const struct keyset *ks)
{
	size_t	i, n;
	int	c;

	for (i = 1; i < ks->n; i++) {
		n = ks->len[i] < ks->len[i - 1] ? ks->len[i] : ks->len[i - 1];
		c = memcmp(ks->bytes.data + ks->off[i - 1],
		    ks->bytes.data + ks->off[i], n);
		if (c > 0 || (c == 0 && ks->len[i - 1] >= ks->len[i]))
			return (0);
	}
	return (1);
}

static void
dump_keys(const struct keyset *ks)
{
	struct buf	line = BUF_INIT;
	size_t		i;

	for (i = 0; i < ks->n; i++)
		buf_printf(&line, "%s'%.*s'", i ? " " : "", (int)ks->len[i],
		    ks->bytes.data + ks->off[i]);
	diag("keys: %s", line.data);
	buf_release(&line);
}

static void
test_int_keys(void)
{
	static const int64_t vals[] = { INT64_MIN, -300, -1, 0, 1, 255, 256,
	    INT64_MAX };
	struct buf	a = BUF_INIT, b = BUF_INIT;
	size_t		i;
	int		good = 1;

	for (i = 0; i < nitems(vals); i++) {
		buf_reset(&a);
		index_int_key(&a, vals[i]);
		if (a.len != 8 || index_int_unkey(a.data) != vals[i])
			good = 0;
		if (i > 0 && memcmp(b.data, a.data, 8) >= 0)
			good = 0;
		buf_reset(&b);
		buf_add(&b, a.data, a.len);
	}
	ok(good, "int keys: 8 bytes, byte order is numeric order, unkey");
	buf_reset(&a);
	index_int_key(&a, 0);
	ok(memcmp(a.data, "\x80\0\0\0\0\0\0\0", 8) == 0, "0 is 80 00 ..");
	buf_release(&a);
	buf_release(&b);
}

static void
test_field_keys(void)
{
	static const char *const names[] = { "Яблоко", "абрикос", "Жук",
	    "ёлка", "Ель", "ЕЛЬНИК" };
	static const char *const order[] = { "абрикос", "ёлка", "Ель",
	    "ЕЛЬНИК", "Жук", "Яблоко" };
	struct record	*rec = record_new(party);
	struct keyset	 ks, all;
	struct buf	 err = BUF_INIT;
	size_t		 i, j, name = fpos(party, "name");
	int		 good = 1;

	err_room(&err);
	keyset_init(&ks);
	keyset_init(&all);
	/* Folded keys of the names, sorted by bytes = alphabetical. */
	for (i = 0; i < nitems(names); i++) {
		parse(rec, "name", names[i], &err);
		index_field_keys(rec, name, IX_FOLDED, &all);
	}
	keyset_uniq(&all);
	for (i = 0; i < nitems(order); i++) {
		keyset_reset(&ks);
		parse(rec, "name", order[i], &err);
		index_field_keys(rec, name, IX_FOLDED, &ks);
		if (ks.n != 1 || all.len[i] != ks.len[0] ||
		    memcmp(all.bytes.data + all.off[i], ks.bytes.data,
		    ks.len[0]) != 0)
			good = 0;
	}
	ok(good && all.n == nitems(order), "folded keys sort in Russian "
	    "alphabetical order, ё as е");
	keyset_reset(&ks);
	parse(rec, "name", "  Пётр   ИВАНОВ ", &err);
	index_field_keys(rec, name, IX_FOLDED, &ks);
	ok(ks.n == 1 && has_key(&ks, "петр иванов"), "fold key of a name");
	keyset_reset(&ks);
	index_field_keys(rec, name, IX_EXACT, &ks);
	ok(ks.n == 1 && has_key(&ks, "Пётр   ИВАНОВ"), "exact key as is");

	keyset_reset(&ks);
	parse(rec, "phones", "+79161234567, 8 916 765 43 21", &err);
	index_field_keys(rec, fpos(party, "phones"), IX_EXACT, &ks);
	ok(ks.n == 2 && has_key(&ks, "+79161234567") &&
	    has_key(&ks, "+79167654321") && sorted_unique(&ks),
	    "a key per phone");
	keyset_reset(&ks);
	parse(rec, "tags", "VIP, опт", &err);
	index_field_keys(rec, fpos(party, "tags"), IX_FOLDED, &ks);
	ok(ks.n == 2 && has_key(&ks, "vip") && has_key(&ks, "опт"),
	    "folded key per tag");
	keyset_reset(&ks);
	index_field_keys(rec, fpos(party, "city"), IX_FOLDED, &ks);
	is_int(ks.n, 0, "no key for an empty value");
	parse(rec, "birthday", "2000-01-01", &err);
	index_field_keys(rec, fpos(party, "birthday"), IX_EXACT, &ks);
	ok(ks.n == 1 && ks.len[0] == 8 &&
	    index_int_unkey(ks.bytes.data) == date_from_ymd(2000, 1, 1),
	    "a date's key is its int key");

	/* Duplicates out, order by bytes, keys back to back. */
	keyset_reset(&ks);
	keyset_add(&ks, "b", 1);
	keyset_add(&ks, "ab", 2);
	keyset_add(&ks, "b", 1);
	keyset_add(&ks, "a", 1);
	keyset_add(&ks, ks.bytes.data + 2, 2);	/* from itself: "bb" */
	keyset_uniq(&ks);
	ok(ks.n == 4 && sorted_unique(&ks) && ks.bytes.len == 6 &&
	    memcmp(ks.bytes.data, "aabbbb", 6) == 0, "keyset_uniq");
	for (j = 0; j < 1000; j++)
		keyset_add(&ks, "x", 1);
	keyset_uniq(&ks);
	is_int(ks.n, 5, "a thousand repeats are one key");

	record_free(rec);
	keyset_release(&ks);
	keyset_release(&all);
	buf_release(&err);
}

static void
test_unique_keys(void)
{
	struct record	*rec = good_party();
	struct keyset	 ks;
	struct buf	 err = BUF_INIT;
	const struct unique *u = NULL;
	struct unique	 always;
	size_t		 i;

	err_room(&err);
	for (i = 0; i < party->nuniques; i++)
		if (party->uniques[i].nfields == 2)
			u = &party->uniques[i];
	if (u == NULL)
		tap_bail("party.form lost its unique inn kpp");
	keyset_init(&ks);
	index_unique_keys(rec, u, &ks);
	ok(ks.n == 1 && ks.len[0] == 20 &&
	    memcmp(ks.bytes.data, "7707083893\0" "773601001", 20) == 0,
	    "unique inn kpp: the two joined by a NUL byte");
	keyset_reset(&ks);
	parse(rec, "kind", "person", &err);
	index_unique_keys(rec, u, &ks);
	is_int(ks.n, 0, "no key when 'when kind = org' fails");
	always = *u;
	always.when_field = -1;
	index_unique_keys(rec, &always, &ks);
	is_int(ks.n, 1, "a constraint without 'when' always has a key");
	keyset_reset(&ks);
	parse(rec, "kind", "org", &err);
	record_clear(rec, fpos(party, "kpp"));
	index_unique_keys(rec, u, &ks);
	is_int(ks.n, 0, "no key when a part is empty");
	record_free(rec);
	keyset_release(&ks);
	buf_release(&err);
}

/* Does some key of ks begin with the n bytes at p (marked keys too)? */
static int
begins_some(const struct keyset *ks, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < ks->n; i++)
		if (ks->len[i] >= n &&
		    memcmp(ks->bytes.data + ks->off[i], p, n) == 0)
			return (1);
	return (0);
}

/*
 * Whether the store's search finds a record for query token q, as
 * store_search() looks: a short one by its prefix key, any other as
 * every stored token one of its forms begins.  With full set, over the
 * record's whole search tokens and their prefix keys, the way it looked
 * before the store left tokens out.
 */
static int
finds(const struct keyset *ks, const char *q, size_t n, int full)
{
	struct keyset	 forms;
	struct buf	 pk = BUF_INIT;
	size_t		 i;
	int		 r = 0;

	if (index_search_prefix_key(q, n, &pk)) {
		for (i = 0; i < ks->n && !r; i++)
			r = ks->len[i] == pk.len && memcmp(ks->bytes.data +
			    ks->off[i], pk.data, pk.len) == 0;
		buf_release(&pk);
		return (r);
	}
	if (full)
		return (begins_some(ks, q, n));
	keyset_init(&forms);
	index_query_forms(q, n, &forms);
	for (i = 0; i < forms.n && !r; i++)
		r = begins_some(ks, forms.bytes.data + forms.off[i],
		    forms.len[i]);
	keyset_release(&forms);
	return (r);
}

/*
 * The word index keeps fewer tokens than a record's search tokens (an
 * e-mail's whole address, local part and domain are left out; a Russian
 * phone is one marked token), and a search finds the same records as
 * over all of them: every prefix of every token, typed phones in their
 * forms and every number of one or two digits are tried on records made
 * to catch the edge cases (one-letter first words, a name holding a
 * phone's digits, foreign numbers).
 */
static void
test_search_stored(void)
{
	static const char *const emails[] = {
	    "Info@Romashka.RU, i.petrov@x.ru", "5ivan@mail.ru",
	    "ivan@ivan.ru, _x@a-b.рф", "почта@пример.рф" };
	static const char *const phones[] = {
	    "+79161234567, +44 20 7946 0958", "8 (495) 123-45-67",
	    "+1 212 555 0100", "+7 701 123 4567" };
	static const char *const names[] = { "ООО Ромашка",
	    "ИП 89161234567 и К", "Ё-мобиль 7", "a b" };
	static const char *const typed[] = { "+7 916", "8916", "916123",
	    "7916", "7", "8", "89", "79", "+44 20", "4420", "2079", "1212",
	    "212", "info", "romashka", "ro", "r", "i", "ru", "petrov", "x",
	    "5ivan", "ivan", "почта", "пример", "рф", "ab", "a-b", "7701",
	    "701", "8701", "1", "0100", "ромашка", "ёмоб", "емобиль" };
	struct record	*rec = good_party();
	struct keyset	 full, stored, qs;
	struct buf	 err = BUF_INIT, q = BUF_INIT;
	size_t		 r, i, k, tried = 0, bad = 0;
	const char	*t;

	err_room(&err);
	keyset_init(&full);
	keyset_init(&stored);
	keyset_init(&qs);
	for (r = 0; r < nitems(emails); r++) {
		parse(rec, "emails", emails[r], &err);
		parse(rec, "phones", phones[r], &err);
		parse(rec, "name", names[r], &err);
		keyset_reset(&full);
		keyset_reset(&stored);
		index_search_keys(rec, &full);
		index_search_prefixes(&full);
		index_search_stored_keys(rec, &stored);
		ok(stored.n < full.n && sorted_unique(&stored),
		    "record %zu: %zu keys stored of %zu", r, stored.n, full.n);
		/*
		 * Query tokens: of every prefix of every token typed (as
		 * index_query_tokens() splits it), and of typed queries.
		 */
		keyset_reset(&qs);
		for (i = 0; i < full.n; i++) {
			t = full.bytes.data + full.off[i];
			if (t[0] == SEARCH_PREFIX_MARK_S[0])
				continue;
			for (k = 1; k <= full.len[i]; k++) {
				buf_reset(&q);
				buf_add(&q, t, k);
				buf_addch(&q, '\0');
				index_query_tokens(q.data, &qs);
			}
		}
		for (i = 0; i < nitems(typed); i++)
			index_query_tokens(typed[i], &qs);
		for (i = 0; i < 110; i++) {
			buf_reset(&q);
			buf_printf(&q, i < 10 ? "%zu" : "%02zu", i < 10 ? i :
			    i - 10);
			keyset_add(&qs, q.data, q.len);
		}
		for (i = 0; i < qs.n; i++) {
			tried++;
			if (finds(&full, qs.bytes.data + qs.off[i], qs.len[i],
			    1) != finds(&stored, qs.bytes.data + qs.off[i],
			    qs.len[i], 0)) {
				bad++;
				diag("record %zu: '%.*s' found %s", r,
				    (int)qs.len[i], qs.bytes.data + qs.off[i],
				    finds(&full, qs.bytes.data + qs.off[i],
				    qs.len[i], 1) ? "before, not now" :
				    "now, not before");
			}
		}
	}
	ok(bad == 0 && tried > 500, "a search finds what it found before "
	    "(%zu query tokens)", tried);

	/* What is left out, and what stays. */
	parse(rec, "emails", "Info@Romashka.RU, ivan@ivan.ru", &err);
	parse(rec, "phones", "+79161234567, +44 20 7946 0958", &err);
	parse(rec, "name", "ООО Ромашка", &err);
	keyset_reset(&stored);
	index_search_stored_keys(rec, &stored);
	ok(!has_key(&stored, "info@romashka.ru") &&
	    !has_key(&stored, "romashka.ru") &&
	    !has_key(&stored, "ivan@ivan.ru") &&
	    !has_key(&stored, "79161234567") &&
	    !has_key(&stored, "9161234567") &&
	    !has_key(&stored, "89161234567"),
	    "whole addresses, domains and a Russian phone's forms left out");
	ok(has_key(&stored, "info") && has_key(&stored, "romashka") &&
	    has_key(&stored, "ivan") && has_key(&stored, "ru") &&
	    has_key(&stored, SEARCH_PHONE_MARK_S "9161234567") &&
	    has_key(&stored, "442079460958") &&
	    has_key(&stored, "2079460958") &&
	    has_key(&stored, SEARCH_PREFIX_MARK_S "inf") &&
	    has_key(&stored, SEARCH_PREFIX_MARK_S "ром"),
	    "words, a foreign phone's forms, the marked national number "
	    "and prefix keys kept (a local part that is a word too stays)");
	keyset_reset(&qs);
	index_query_forms("8916", 4, &qs);
	ok(qs.n == 3 && has_key(&qs, "8916") &&
	    has_key(&qs, SEARCH_PHONE_MARK_S "8916") &&
	    has_key(&qs, SEARCH_PHONE_MARK_S "916"),
	    "forms of a query of digits");
	keyset_reset(&qs);
	index_query_forms("иван", 8, &qs);
	ok(qs.n == 1 && has_key(&qs, "иван"), "a word is its own form");
	record_free(rec);
	keyset_release(&full);
	keyset_release(&stored);
	keyset_release(&qs);
	buf_release(&err);
	buf_release(&q);
}

static void
test_search_keys(void)
{
	static const char *const want[] = { "ооо", "ромашка", "плюс",
	    "7707083893", "1027700132195", "79161234567", "9161234567",
	    "89161234567", "442079460958", "2079460958", "info@romashka.ru",
	    "info", "romashka.ru", "romashka", "ru", "vip", "опт" };
	static const char *const not[] = { "и", "к", "773601001",
	    "+79161234567", "ООО", "\"ромашка", "44" };
	struct record	*rec = good_party();
	struct keyset	 ks;
	struct buf	 err = BUF_INIT;
	size_t		 i;
	int		 good = 1;

	err_room(&err);
	parse(rec, "short_name", "Ромашка и К", &err);
	parse(rec, "phones", "+79161234567, +44 20 7946 0958", &err);
	parse(rec, "emails", "Info@Romashka.RU", &err);
	parse(rec, "tags", "VIP, Опт", &err);
	keyset_init(&ks);
	index_search_keys(rec, &ks);
	for (i = 0; i < nitems(want); i++)
		if (!has_key(&ks, want[i])) {
			diag("missing '%s'", want[i]);
			good = 0;
		}
	for (i = 0; i < nitems(not); i++)
		if (has_key(&ks, not[i])) {
			diag("unwanted '%s'", not[i]);
			good = 0;
		}
	ok(good, "search tokens of a party");
	ok(sorted_unique(&ks), "search tokens sorted and de-duplicated "
	    "(%zu)", ks.n);
	if (!good)
		dump_keys(&ks);
	/* Short prefixes: one, two and three characters of each token
	 * with a letter, behind the mark; none of digits only, none of
	 * four. */
	ok(!has_key(&ks, SEARCH_PREFIX_MARK_S "ро"), "tokens alone have "
	    "no prefix keys");
	index_search_prefixes(&ks);
	ok(sorted_unique(&ks) && has_key(&ks, SEARCH_PREFIX_MARK_S "ро") &&
	    has_key(&ks, SEARCH_PREFIX_MARK_S "in") &&
	    has_key(&ks, SEARCH_PREFIX_MARK_S "ru") &&
	    has_key(&ks, SEARCH_PREFIX_MARK_S "оп") &&
	    has_key(&ks, SEARCH_PREFIX_MARK_S "ром") &&
	    has_key(&ks, SEARCH_PREFIX_MARK_S "inf") &&
	    has_key(&ks, SEARCH_PREFIX_MARK_S "р") &&
	    has_key(&ks, SEARCH_PREFIX_MARK_S "i") &&
	    !has_key(&ks, SEARCH_PREFIX_MARK_S "7") &&
	    !has_key(&ks, SEARCH_PREFIX_MARK_S "79") &&
	    !has_key(&ks, SEARCH_PREFIX_MARK_S "791") &&
	    !has_key(&ks, SEARCH_PREFIX_MARK_S "рома"),
	    "short prefix keys of the tokens with letters");
	{
		struct buf	pk = BUF_INIT;

		ok(index_search_prefix_key("ив", 4, &pk) == 1 &&
		    pk.len == 5 && pk.data[0] == 1 &&
		    memcmp(pk.data + 1, "ив", 4) == 0,
		    "a two-letter query token is its prefix key");
		buf_reset(&pk);
		ok(index_search_prefix_key("ива", 6, &pk) == 1 &&
		    pk.len == 7, "so is a three-letter one");
		buf_reset(&pk);
		ok(index_search_prefix_key("и", 2, &pk) == 1 &&
		    pk.len == 3, "and a one-letter one");
		buf_reset(&pk);
		ok(index_search_prefix_key("иван", 8, &pk) == 0 &&
		    index_search_prefix_key("91", 2, &pk) == 0 &&
		    index_search_prefix_key("9", 1, &pk) == 0 && pk.len == 0,
		    "four letters or digits are not");
		buf_release(&pk);
	}
	keyset_reset(&ks);
	record_reset(rec);
	index_search_keys(rec, &ks);
	is_int(ks.n, 0, "an empty record has no tokens");

	keyset_reset(&ks);
	index_query_tokens("  Ив, ПЁТ  и ", &ks);
	ok(ks.n == 3 && has_key(&ks, "ив") && has_key(&ks, "пет") &&
	    has_key(&ks, "и"), "query: folded words, short ones kept");
	keyset_reset(&ks);
	index_query_tokens("+7 (916) 123-45", &ks);
	ok(ks.n == 1 && has_key(&ks, "791612345"), "query: a phone is one "
	    "digit string");
	keyset_reset(&ks);
	index_query_tokens("8 916 123", &ks);
	ok(ks.n == 1 && has_key(&ks, "8916123"), "query: '8 916 123'");
	keyset_reset(&ks);
	index_query_tokens("2026-01-31", &ks);
	ok(ks.n == 3 && has_key(&ks, "2026") && has_key(&ks, "01"),
	    "query: an ISO date is words");
	keyset_reset(&ks);
	index_query_tokens("ромашка ромашка", &ks);
	is_int(ks.n, 1, "query tokens de-duplicated");
	keyset_reset(&ks);
	index_query_tokens("  ", &ks);
	is_int(ks.n, 0, "blank query: no tokens");
	record_free(rec);
	keyset_release(&ks);
	buf_release(&err);
}

static const char env_form[] =
    "table e \"E\" \"Е\" \"Es\" \"Ее\"\n"
    "field kind enum index exact search \"Kind\" \"Вид\"\n"
    "\tvalue org \"Organisation\" \"Организация\"\n"
    "\tvalue person \"Private person\" \"Частное лицо\"\n"
    "field name text(50) index folded search \"Name\" \"Имя\"\n"
    "field code text(20) index unique search \"Code\" \"Код\"\n"
    "field tags text(20) multi index folded search \"Tags\" \"Метки\"\n"
    "field n int index exact search \"N\" \"Н\"\n"
    "field sum money index exact search \"Sum\" \"Сумма\"\n"
    "field q qty index exact search \"Qty\" \"Кол-во\"\n"
    "field d date index exact search \"Date\" \"Дата\"\n"
    "field dt datetime index exact search \"When\" \"Когда\"\n"
    "field ok bool index exact search \"OK\" \"Да\"\n"
    "field who ref(e) index exact search \"Who\" \"Кто\"\n"
    "field tel phone multi index exact search \"Phone\" \"Телефон\"\n"
    "field mail email index folded search \"Mail\" \"Почта\"\n"
    "unique code n when kind = org\n";

/* Every key the index callbacks would give for rec, length-prefixed. */
static void
all_keys(const struct record *rec, struct buf *out)
{
	const struct table *t = rec->table;
	struct keyset	ks;
	size_t		i, k;

	buf_reset(out);
	keyset_init(&ks);
	for (i = 0; i < t->nfields; i++) {
		keyset_reset(&ks);
		if (t->fields[i].index & (IX_EXACT | IX_FOLDED | IX_UNIQUE))
			index_field_keys(rec, i, t->fields[i].index &
			    (IX_EXACT | IX_FOLDED | IX_UNIQUE), &ks);
		for (k = 0; k < ks.n; k++) {
			buf_printf(out, "%zu:%zu:", i, ks.len[k]);
			buf_add(out, ks.bytes.data + ks.off[k], ks.len[k]);
		}
	}
	for (i = 0; i < t->nuniques; i++) {
		keyset_reset(&ks);
		index_unique_keys(rec, &t->uniques[i], &ks);
		for (k = 0; k < ks.n; k++) {
			buf_printf(out, "u%zu:%zu:", i, ks.len[k]);
			buf_add(out, ks.bytes.data + ks.off[k], ks.len[k]);
		}
	}
	keyset_reset(&ks);
	index_search_keys(rec, &ks);
	for (k = 0; k < ks.n; k++) {
		buf_printf(out, "s:%zu:", ks.len[k]);
		buf_add(out, ks.bytes.data + ks.off[k], ks.len[k]);
	}
	keyset_release(&ks);
}

/*
 * DESIGN.md §11: a key callback must give the same keys for the same
 * bytes in every process, or Berkeley DB reports DB_SECONDARY_BAD on
 * delete.  Processes differ in TZ, locale and the language of the
 * operator: none of them may show in a key.
 */
static void
test_env_keys(void)
{
	static const char *const zones[] = { "UTC", "Asia/Vladivostok",
	    "VLAT-10", "America/Los_Angeles" };
	static const char *const locales[] = { "C", "C.UTF-8" };
	static const struct {
		const char	*field, *text;
	} values[] = {
		{ "kind", "org" }, { "name", "Пётр Иванов" },
		{ "code", "A-17" }, { "tags", "VIP, опт" }, { "n", "-42" },
		{ "sum", "1 234,56" }, { "q", "1234,5" }, { "d", "31.01.2026" },
		{ "dt", "2026-01-31T23:30:00Z" }, { "ok", "yes" },
		{ "who", "#7" }, { "tel", "+79161234567, 8 916 765 43 21" },
		{ "mail", "Info@Romashka.RU" },
	};
	struct schema	*s = schema_new();
	struct buf	 err = BUF_INIT, first = BUF_INIT, keys = BUF_INIT;
	struct buf	 local[2] = { BUF_INIT, BUF_INIT };
	struct keyset	 ks;
	struct record	*rec;
	const struct table *t;
	char		*tz;
	size_t		 z, l, lang, i;
	int		 same = 1, parsed = 1;

	err_room(&err);
	tz = getenv("TZ") != NULL ? xstrdup(getenv("TZ")) : NULL;
	if (schema_load_string(s, "env.form", env_form, &err) == -1) {
		diag("%s", err.data);
		tap_bail("cannot load the key environment form");
	}
	t = schema_table(s, "e");
	rec = record_new(t);
	for (i = 0; i < nitems(values); i++)
		if (parse(rec, values[i].field, values[i].text, &err) == -1) {
			diag("%s", err.data);
			parsed = 0;
		}
	ok(parsed, "a record with every type");

	for (z = 0; z < nitems(zones); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		if (z < 2)
			datetime_format(&local[z],
			    rec->values[fpos(t, "dt")].i);
		for (l = 0; l < nitems(locales); l++) {
			if (setlocale(LC_ALL, locales[l]) == NULL)
				continue;
			for (lang = 0; lang < 2; lang++) {
				record_lang = (int)lang;
				all_keys(rec, &keys);
				if (first.len == 0)
					buf_add(&first, keys.data, keys.len);
				else if (keys.len != first.len ||
				    memcmp(keys.data, first.data,
				    keys.len) != 0) {
					diag("keys differ under TZ=%s, "
					    "LC_ALL=%s, record_lang %zu",
					    zones[z], locales[l], lang);
					same = 0;
				}
			}
		}
	}
	record_lang = 0;
	setlocale(LC_ALL, "C");
	ok(strcmp(local[0].data, local[1].data) != 0,
	    "the zones differ in local time ('%s', '%s')", local[0].data,
	    local[1].data);
	ok(same && first.len != 0, "index keys are the same under every TZ, "
	    "locale and record_lang");
	ok(memmem(first.data, first.len, "u0:", 3) != NULL,
	    "the compared keys include the unique constraint's");

	/* The datetime's tokens are UTC: 23:30 on the 31st, not 09:30. */
	setenv("TZ", "Asia/Vladivostok", 1);
	tzset();
	keyset_init(&ks);
	index_search_keys(rec, &ks);
	ok(has_key(&ks, "23") && has_key(&ks, "31") && !has_key(&ks, "09"),
	    "a datetime's search tokens are its UTC date and time");
	/* Enum labels of both languages, whatever the operator's. */
	ok(has_key(&ks, "organisation") && has_key(&ks, "организация") &&
	    has_key(&ks, "org"), "an enum's tokens: name and both labels");
	record_set_int(rec, fpos(t, "dt"), -1);
	keyset_reset(&ks);
	index_search_keys(rec, &ks);
	ok(has_key(&ks, "1969") && has_key(&ks, "12") && has_key(&ks, "59"),
	    "a second before the epoch is 1969-12-31 23:59:59 UTC");
	record_set_int(rec, fpos(t, "dt"), INT64_MIN);
	keyset_reset(&ks);
	index_search_keys(rec, &ks);
	ok(has_key(&ks, "9223372036854775808"), "a datetime beyond year "
	    "9999 gives its seconds");
	if (tz != NULL)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();

	free(tz);
	keyset_release(&ks);
	record_free(rec);
	schema_free(s);
	buf_release(&err);
	buf_release(&first);
	buf_release(&keys);
	buf_release(&local[0]);
	buf_release(&local[1]);
}

/* keyset_uniq() against qsort() and a plain walk: sets of short random
 * keys of every size to 300, in order, reversed, in runs and shuffled,
 * with repeats and keys that are prefixes of others. */
static int
uniq_cmp(const void *va, const void *vb)
{
	const char *const *a = va, *const *b = vb;
	size_t	la = strlen(*a), lb = strlen(*b);
	int	c = memcmp(*a, *b, la < lb ? la : lb);

	return (c != 0 ? c : (la > lb) - (la < lb));
}

static void
test_keyset_uniq(void)
{
	static char	 words[300][4];
	const char	*w[300];
	struct keyset	 ks;
	unsigned	 seed = 4242;
	size_t		 n, i, j, k, shape;
	int		 good = 1;

	keyset_init(&ks);
	for (n = 0; n <= 300 && good; n += n < 20 ? 1 : 23) {
		for (shape = 0; shape < 4 && good; shape++) {
			for (i = 0; i < n; i++) {
				seed = seed * 1103515245 + 12345;
				/* "a".."ccc": short, many repeats, prefixes */
				k = 1 + (seed >> 16) % 3;
				for (j = 0; j < k; j++) {
					seed = seed * 1103515245 + 12345;
					words[i][j] = (char)('a' +
					    (seed >> 16) % 3);
				}
				words[i][k] = '\0';
				w[i] = words[i];
			}
			if (shape == 1 || shape == 2)
				qsort(w, n, sizeof(*w), uniq_cmp);
			if (shape == 2)	/* reversed */
				for (i = 0; i < n / 2; i++) {
					const char *t = w[i];

					w[i] = w[n - 1 - i];
					w[n - 1 - i] = t;
				}
			if (shape == 3)	/* three runs in order */
				for (i = 0; i < 3; i++)
					qsort(w + i * n / 3, (i + 1) * n / 3 -
					    i * n / 3, sizeof(*w), uniq_cmp);
			keyset_reset(&ks);
			for (i = 0; i < n; i++)
				keyset_add(&ks, w[i], strlen(w[i]));
			keyset_uniq(&ks);
			qsort(w, n, sizeof(*w), uniq_cmp);
			for (i = j = 0; i < n; i++) {
				if (i > 0 && strcmp(w[i], w[i - 1]) == 0)
					continue;
				if (j >= ks.n || ks.len[j] != strlen(w[i]) ||
				    memcmp(ks.bytes.data + ks.off[j], w[i],
				    ks.len[j]) != 0)
					good = 0;
				j++;
			}
			if (j != ks.n)
				good = 0;
			if (!good)
				diag("%zu keys, shape %zu", n, shape);
		}
	}
	ok(good, "keyset_uniq: sorted and unique as qsort and a walk make "
	    "them, for sets in order, reversed, in runs and shuffled");
	keyset_release(&ks);
}

/* The same with keys to 12 bytes of 0x00, 'a' and 0xff: first eight
 * bytes alike, keys ending in zero bytes that are prefixes of others,
 * empty keys; against qsort() by memcmp() and length. */
struct bkey {
	unsigned char	 b[12];
	size_t		 len;
};

static int
bkey_cmp(const void *va, const void *vb)
{
	const struct bkey *a = va, *b = vb;
	int	c = memcmp(a->b, b->b, a->len < b->len ? a->len : b->len);

	return (c != 0 ? c : (a->len > b->len) - (a->len < b->len));
}

static void
test_keyset_uniq_bytes(void)
{
	static const unsigned char alpha[] = { 0x00, 'a', 0xff };
	static struct bkey k[400];
	struct keyset	 ks;
	unsigned	 seed = 777;
	size_t		 n, i, j, round;
	int		 good = 1;

	keyset_init(&ks);
	for (round = 0; round < 200 && good; round++) {
		n = round % 2 ? 400 : 1 + round;
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			k[i].len = (seed >> 16) % 13;
			for (j = 0; j < k[i].len; j++) {
				seed = seed * 1103515245 + 12345;
				/* Mostly alike: an 'a' but one time in 8. */
				k[i].b[j] = (seed >> 16) % 8 ? 'a' :
				    alpha[(seed >> 20) % 3];
			}
		}
		keyset_reset(&ks);
		for (i = 0; i < n; i++)
			keyset_add(&ks, k[i].b, k[i].len);
		keyset_uniq(&ks);
		qsort(k, n, sizeof(*k), bkey_cmp);
		for (i = j = 0; i < n; i++) {
			if (i > 0 && bkey_cmp(&k[i], &k[i - 1]) == 0)
				continue;
			if (j >= ks.n || ks.len[j] != k[i].len ||
			    memcmp(ks.bytes.data + ks.off[j], k[i].b,
			    k[i].len) != 0)
				good = 0;
			j++;
		}
		if (j != ks.n || ks.bytes.data[ks.bytes.len] != '\0')
			good = 0;
		if (!good)
			diag("round %zu, %zu keys", round, n);
	}
	ok(good, "keyset_uniq: keys of zero bytes, alike in their first "
	    "eight bytes, prefixes of others, sorted and unique as qsort "
	    "makes them");
	keyset_release(&ks);
}

int
main(void)
{
	/* The clock is read once: fix it before anything asks. */
	setenv("CLERK_NOW", "2026-03-15 10:00:00", 1);
	load_party();
	test_types();
	test_party_parse();
	test_validate();
	test_refusal_parts();
	test_diff();
	test_encode();
	test_unknown_fields();
	test_format1();
	test_decode_garbage();
	test_decode_both_ways();
	test_int_keys();
	test_field_keys();
	test_unique_keys();
	test_search_keys();
	test_search_stored();
	test_keyset_uniq();
	test_keyset_uniq_bytes();
	test_env_keys();
	schema_free(party_schema);
	return (tap_done());
}
