/*
 * test-forms: the forms loader.  The real forms load with the tables,
 * fields, labels, values, constraint and screen they declare; every kind
 * of mistake in a form gives its exact "file:line: message" and leaves
 * the schema as it was; files and directories load like strings.
 */
#include "config.h"

#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"
#include "record/record.h"
#include "../unit/tap.h"

/* A table header for the small inline forms. */
#define T	"table t \"Thing\" \"Вещь\" \"Things\" \"Вещи\"\n"
#define NAME	"field name text(20) \"Name\" \"Имя\"\n"

static struct schema *base;	/* holds table 'base'; must never change */

static const struct screen_item *
item_at(const struct table *t, int row, int col)
{
	size_t	i;

	for (i = 0; i < t->screen.nitems; i++)
		if (t->screen.items[i].row == row &&
		    t->screen.items[i].col == col)
			return (&t->screen.items[i]);
	return (NULL);
}

static void
test_real_forms(void)
{
	struct schema	*s = schema_new();
	struct buf	 err = BUF_INIT;
	const char	*dir = getenv("CLERK_FORMS");
	struct table	*p, *c;
	struct field	*f;
	const struct screen_item *it;
	const struct unique *u;
	size_t		 i;

	if (dir == NULL)
		dir = TOP_SRCDIR "/forms";
	if (!ok(schema_load(s, dir, &err) == 0, "real forms load"))
		diag("%s", err.data);
	is_int(s->ntables, 2, "two tables");
	if (s->ntables != 2)
		tap_bail("cannot go on without the real forms");
	/* Name order: contact.form before party.form. */
	is_str(s->tables[0]->name, "contact", "contact first");
	is_str(s->tables[1]->name, "party", "party second");
	p = schema_table(s, "party");
	c = schema_table(s, "contact");
	ok(p != NULL && c != NULL, "lookup by name");
	ok(schema_table(s, "nope") == NULL, "unknown table is NULL");
	ok(strstr(p->file, "party.form") != NULL, "table keeps its file");
	is_str(p->label[0], "Client", "party label");
	is_str(p->label[1], "Клиент", "party Russian label");
	is_str(p->plural[0], "Clients", "party plural");
	is_str(p->plural[1], "Клиенты", "party Russian plural");
	is_int(p->nfields, 21, "party has 21 fields");
	is_int(c->nfields, 7, "contact has 7 fields");
	for (i = 0; i < p->nfields; i++)
		if (p->fields[i].pos != i)
			break;
	is_int(i, p->nfields, "pos is the index in fields");
	ok(p->has_search && c->has_search, "has_search");

	f = table_field(p, "kind");
	ok(f != NULL && f->type == FT_ENUM && f->required, "kind: enum");
	is_int(f->line, 7, "kind declared at line 7");
	is_str(f->deflt, "org", "kind default");
	is_int(f->nvalues, 3, "kind has 3 values");
	is_str(f->values[1].name, "sole", "second value");
	is_str(f->values[1].label[0], "Sole proprietor", "value label");
	is_str(f->values[1].label[1], "Индивидуальный предприниматель",
	    "value Russian label");
	ok(field_enum(f, "org") == &f->values[2], "field_enum finds org");
	ok(field_enum(f, "nope") == NULL, "field_enum: unknown is NULL");

	f = table_field(p, "name");
	ok(f->type == FT_TEXT && f->maxlen == 300 && f->required, "name");
	is_int(f->index, IX_FOLDED | IX_SEARCH, "name: folded, search");
	ok(!f->shared, "name: not shared");
	ok(table_field(p, "city")->shared && table_field(p, "status")->shared &&
	    table_field(p, "tags")->shared, "city, status, tags: shared");
	is_str(field_label(f, 0), "Name", "name label");
	is_str(field_label(f, 1), "Наименование", "name Russian label");
	f = table_field(p, "inn");
	is_int(f->validator, VAL_INN, "inn validator");
	ok(f->validator_arg != NULL && strcmp(f->validator_arg, "kind") == 0,
	    "inn: checked by the party's kind");
	f = table_field(p, "kpp");
	ok(f->validator == VAL_KPP && f->validator_arg != NULL &&
	    strcmp(f->validator_arg, "kind") == 0, "kpp: by the kind too");
	f = table_field(p, "ogrn");
	ok(f->validator == VAL_OGRN && f->validator_arg != NULL &&
	    strcmp(f->validator_arg, "kind") == 0, "ogrn: by the kind too");
	f = table_field(p, "inn");
	is_int(f->index, IX_EXACT | IX_SEARCH, "inn: exact, search");
	f = table_field(p, "bank_account");
	is_int(f->validator, VAL_ACCOUNT, "account validator");
	is_str(f->validator_arg, "bank_bik", "account against bank_bik");
	is_int(table_field(p, "bank_corr")->validator, VAL_CORR_ACCOUNT,
	    "corr_account validator");
	f = table_field(p, "phones");
	ok(f->type == FT_PHONE && f->multi, "phones: multi phone");
	is_str(field_type_name(f->type), "phone", "type name");
	ok(table_field(p, "emails")->type == FT_EMAIL, "emails");
	ok(table_field(p, "birthday")->type == FT_DATE, "birthday: date");
	is_str(table_field(p, "status")->deflt, "lead", "status default");
	is_int(table_field_pos(p, "notes"), 20, "notes is the last field");
	is_int(table_field_pos(p, "nope"), -1, "unknown field: -1");
	ok(table_field(p, "nope") == NULL, "unknown field: NULL");

	is_int(p->nlist_cols, 7, "party list columns");
	is_str(p->list_cols[2], "inn", "third list column");
	is_int(p->nuniques, 1, "one unique constraint");
	u = &p->uniques[0];
	is_str(u->name, "inn_kpp", "unique name");
	ok(u->nfields == 2 && u->fields[0] == 3 && u->fields[1] == 4,
	    "unique over inn, kpp");
	is_int(u->when_field, 0, "when kind");
	is_str(u->when_value, "org", "= org");
	is_int(u->line, 35, "unique at line 35");
	f = table_field(p, "kind");
	ok(f->nvalues == 3 && f->values[1].nalso == 2 &&
	    strcmp(f->values[1].also[0], "ИП") == 0 &&
	    f->values[0].nalso == 3 && f->values[2].nalso == 4,
	    "kind: the other words of each value");

	f = table_field(c, "party");
	ok(f->type == FT_REF && f->required, "contact.party: ref");
	is_str(f->ref_table, "party", "ref table");
	is_int(f->index, IX_EXACT, "ref has an exact index");

	/* Screen: " <kind            > [kind                 ]  <status..." */
	is_int(p->screen.nlines, 16, "party screen: 16 lines");
	is_int(p->screen.nitems, 42, "party screen: 42 items");
	it = item_at(p, 0, 1);
	ok(it != NULL && it->is_label && it->width == 18 && it->field == 0,
	    "label of kind at 0,1 width 18");
	it = item_at(p, 0, 20);
	ok(it != NULL && !it->is_label && it->width == 23 && it->field == 0,
	    "entry of kind at 0,20 width 23");
	it = item_at(p, 0, 45);
	ok(it != NULL && it->is_label && it->width == 13 &&
	    it->field == (size_t)table_field_pos(p, "status"),
	    "label of status at 0,45");
	it = item_at(p, 15, 20);
	ok(it != NULL && !it->is_label && it->width == 52 &&
	    it->field == 20, "entry of notes at 15,20 width 52");
	ok(strspn(p->screen.lines[0], " ") == strlen(p->screen.lines[0]) &&
	    strlen(p->screen.lines[0]) == 73, "items are blanked out");
	it = item_at(c, 5, 17);
	ok(it != NULL && !it->is_label && it->width == 12 &&
	    it->field == 5, "contact: birthday entry");

	is_int(schema_check(s, &err), 0, "check passes");
	buf_release(&err);
	schema_free(s);
}

static void
bad(const char *text, const char *want)
{
	struct buf	 err = BUF_INIT;
	struct table	*t0 = base->tables[0];
	size_t		 n = base->ntables, nf = t0->nfields;

	is_int(schema_load_string(base, "e.form", text, &err), -1,
	    "refused: %s", want);
	is_str(err.data, want, "message");
	ok(base->ntables == n && base->tables[0] == t0 &&
	    t0->nfields == nf && schema_table(base, "t") == NULL,
	    "schema unchanged");
	buf_release(&err);
}

static void
bad_default(const char *type, const char *value, const char *why)
{
	struct buf	 form = BUF_INIT, want = BUF_INIT;

	buf_printf(&form, T "field d %s default %s \"D\" \"Д\"\n", type,
	    value);
	buf_printf(&want, "e.form:2: field 'd': bad default '%s': %s", value,
	    why);
	bad(form.data, want.data);
	buf_release(&form);
	buf_release(&want);
}

static void
test_errors(void)
{
	struct buf	why = BUF_INIT, form = BUF_INIT, want = BUF_INIT;
	int32_t		d;
	int64_t		i;

	/* Syntax. */
	bad("tabel t\n", "e.form:1: unknown keyword 'tabel' (expected table, "
	    "list, field, value, unique or screen)");
	bad("# x\n\"table\" t\n", "e.form:2: unknown keyword 'table' "
	    "(expected table, list, field, value, unique or screen)");
	bad(T NAME "end\n", "e.form:3: 'end' without 'screen'");
	bad(T NAME "  field b int \"B\" \"Б\"\n", "e.form:3: only 'value' "
	    "lines may be indented (they continue an enum field)");
	bad(T "field a text \"A \\q\" \"А\"\n", "e.form:2: bad escape in a "
	    "quoted string (only \\\" and \\\\ are allowed)");
	bad(T "field a text \"A\"\"А\"\n", "e.form:2: expected a blank after "
	    "the closing quote");
	bad(T "field a te\"xt \"A\" \"А\"\n", "e.form:2: unexpected '\"' "
	    "after 'te' (quote the whole token)");
	bad(T "field a text \"A\" \"А\n", "e.form:2: unterminated quote");
	bad(T NAME "bad\xff\n", "e.form:3: invalid UTF-8");

	/* Tables. */
	bad("field a text \"A\" \"А\"\n", "e.form:1: 'field' outside a table "
	    "(a 'table' line must come first)");
	bad("\n\nvalue a \"A\" \"А\"\n", "e.form:3: 'value' outside a table "
	    "(a 'table' line must come first)");
	bad("table\n", "e.form:1: 'table' needs a name");
	bad("table Thing \"A\" \"А\" \"As\" \"Аs\"\n", "e.form:1: bad table "
	    "name 'Thing' (a name is a-z, 0-9 and _, starts with a letter and "
	    "has at most 32 bytes)");
	bad("table t \"Thing\" \"Вещь\"\n", "e.form:1: table 't': missing "
	    "labels (expected \"English\" \"Russian\" \"English plural\" "
	    "\"Russian plural\")");
	bad("table t Thing \"Вещь\"\n", "e.form:1: unexpected 'Thing' "
	    "(expected a quoted label)");
	bad(T "\n", "e.form:1: table 't' has no fields");
	bad(T NAME T NAME, "e.form:3: duplicate table 't' (already declared "
	    "in e.form)");
	bad("table base \"B\" \"Б\" \"Bs\" \"Бs\"\n" NAME, "e.form:1: duplicate "
	    "table 'base' (already declared in base.form)");

	/* Fields. */
	bad(T "field\n", "e.form:2: 'field' needs a name");
	bad(T "field Name text \"A\" \"А\"\n", "e.form:2: bad field name "
	    "'Name' (a name is a-z, 0-9 and _, starts with a letter and has "
	    "at most 32 bytes)");
	bad(T "field a23456789012345678901234567890123 text \"A\" \"А\"\n",
	    "e.form:2: bad field name 'a23456789012345678901234567890123' (a "
	    "name is a-z, 0-9 and _, starts with a letter and has at most 32 "
	    "bytes)");
	bad(T NAME "\n" NAME, "e.form:4: duplicate field 'name' (first "
	    "declared at line 2)");
	bad(T "field a \"A\" \"А\"\n", "e.form:2: field 'a' needs a type");
	bad(T "field a txt \"A\" \"А\"\n", "e.form:2: unknown type 'txt' "
	    "(expected text, int, money, qty, date, datetime, bool, enum, "
	    "ref, phone, email)");
	bad(T "field a text(0) \"A\" \"А\"\n", "e.form:2: bad length in "
	    "'text(0)' (expected text(N) with N from 1 to 100000)");
	bad(T "field a text(100001) \"A\" \"А\"\n", "e.form:2: bad length in "
	    "'text(100001)' (expected text(N) with N from 1 to 100000)");
	bad(T "field a text(x) \"A\" \"А\"\n", "e.form:2: bad length in "
	    "'text(x)' (expected text(N) with N from 1 to 100000)");
	bad(T "field a text(5 \"A\" \"А\"\n", "e.form:2: bad length in "
	    "'text(5' (expected text(N) with N from 1 to 100000)");
	bad(T "field a ref \"A\" \"А\"\n", "e.form:2: 'ref' needs a table: "
	    "ref(TABLE)");
	bad(T "field a ref() \"A\" \"А\"\n", "e.form:2: 'ref()' needs a "
	    "table: ref(TABLE)");
	bad(T "field a ref(Party) \"A\" \"А\"\n", "e.form:2: bad table name "
	    "'Party' in 'ref(Party)'");
	bad(T "field a int(5) \"A\" \"А\"\n", "e.form:2: type 'int' takes no "
	    "argument");
	bad(T "field a text requierd \"A\" \"А\"\n", "e.form:2: unknown "
	    "attribute 'requierd' (expected required, multi, search, index, "
	    "shared, validator or default)");
	bad(T "field a text required required \"A\" \"А\"\n", "e.form:2: "
	    "attribute 'required' given twice");
	bad(T "field a text index folded shared shared \"A\" \"А\"\n",
	    "e.form:2: attribute 'shared' given twice");
	bad(T NAME "field a text shared \"A\" \"А\"\n", "e.form:3: 'shared' "
	    "needs an exact or folded index on the field");
	bad(T "field a text index unique shared \"A\" \"А\"\n", "e.form:2: "
	    "'shared' needs an exact or folded index on the field");
	bad(T "field a text search shared \"A\" \"А\"\n", "e.form:2: "
	    "'shared' needs an exact or folded index on the field");
	bad(T "field a text index \"A\" \"А\"\n", "e.form:2: 'index' needs a "
	    "kind: exact, folded or unique");
	bad(T "field a text index fold \"A\" \"А\"\n", "e.form:2: unknown "
	    "index kind 'fold' (expected exact, folded or unique)");
	bad(T "field a int index folded \"A\" \"А\"\n", "e.form:2: 'index "
	    "folded' is only for text, phone and email fields, not int");
	bad(T "field a date multi \"A\" \"А\"\n", "e.form:2: 'multi' is only "
	    "for text, phone and email fields, not date");
	bad(T "field a text \"A\"\n", "e.form:2: field 'a': missing Russian "
	    "label");
	bad(T "field a text required\n", "e.form:2: field 'a': missing labels "
	    "(expected \"English\" \"Russian\")");
	bad(T "field a text \"A\" \"А\" \"X\"\n", "e.form:2: field 'a': too "
	    "many labels (expected 2)");
	bad(T "field a text \"A\" \"\"\n", "e.form:2: field 'a': empty label");
	bad(T "field a text \"A\" \"А\" required\n", "e.form:2: unexpected "
	    "'required' after the labels");

	/* Validators. */
	bad(T "field a text validator \"A\" \"А\"\n", "e.form:2: 'validator' "
	    "needs a name");
	bad(T "field a text validator okpo \"A\" \"А\"\n", "e.form:2: unknown "
	    "validator 'okpo' (expected inn, inn_org, inn_person, kpp, ogrn, "
	    "bik, account, corr_account, snils or birthday)");
	bad(T "field a text validator account \"A\" \"А\"\n", "e.form:2: "
	    "validator 'account' needs the field that holds the BIK: "
	    "account(FIELD)");
	bad(T "field a text validator corr_account() \"A\" \"А\"\n",
	    "e.form:2: bad field name in validator 'corr_account()' (expected "
	    "corr_account(FIELD))");
	bad(T "field a text validator inn_org(b) \"A\" \"А\"\n", "e.form:2: "
	    "validator 'inn_org' takes no argument");
	bad(T NAME "field a text validator inn(b) \"A\" \"А\"\n"
	    "field b text \"B\" \"Б\"\n", "e.form:3: field 'a': the "
	    "validator's field 'b' must be an enum with the values org, sole "
	    "and person");
	bad(T NAME "field a text validator ogrn(b) \"A\" \"А\"\n"
	    "field b enum \"B\" \"Б\"\n\tvalue org \"O\" \"О\"\n"
	    "\tvalue person \"P\" \"П\"\n", "e.form:3: field 'a': the "
	    "validator's field 'b' must be an enum with the values org, sole "
	    "and person");
	bad(T "field a int validator inn \"A\" \"А\"\n", "e.form:2: validator "
	    "'inn' is only for text fields, not int");
	bad(T "field a text validator birthday \"A\" \"А\"\n", "e.form:2: "
	    "validator 'birthday' is only for date fields, not text");
	bad(T "field a date validator inn \"A\" \"А\"\n", "e.form:2: validator "
	    "'inn' is only for text fields, not date");
	bad(T NAME "field a text validator account(bik) \"A\" \"А\"\n"
	    "field b text \"B\" \"Б\"\n", "e.form:3: field 'a': unknown field "
	    "'bik' in the validator");

	/* Defaults. */
	/* The value of default may be quoted: here the first label is. */
	bad(T "field a int default \"A\" \"А\"\n", "e.form:2: field 'a': "
	    "bad default 'A': not an integer");
	bad(T "field a int default\n", "e.form:2: 'default' needs a value");
	bad_default("int", "12x", "not an integer");
	bad_default("int", "99999999999999999999", "not an integer");
	bad_default("text(3)", "abcd", "longer than 3 characters");
	bad_default("bool", "maybe", "expected yes, no, true, false, 1 or 0");
	date_parse("31.02.2026", &d, &why);
	bad_default("date", "31.02.2026", why.data);
	buf_reset(&why);
	datetime_parse("yesterday", &i, &why);
	bad_default("datetime", "yesterday", why.data);
	buf_reset(&why);
	money_parse("12,345", &i, &why);
	bad_default("money", "12,345", why.data);
	buf_reset(&why);
	qty_parse("x", &i, &why);
	bad_default("qty", "x", why.data);
	buf_reset(&why);
	phone_normalize("12", &form, &why);
	buf_reset(&form);
	bad_default("phone", "12", why.data);
	buf_reset(&why);
	valid_email("nobody", &why);
	bad_default("email", "nobody", why.data);
	buf_reset(&why);
	valid_email("bad@", &why);
	buf_printf(&form, T "field d email multi default \"a@b.ru, bad@\" "
	    "\"D\" \"Д\"\n");
	buf_printf(&want, "e.form:2: field 'd': bad default 'a@b.ru, bad@': "
	    "%s", why.data);
	bad(form.data, want.data);
	buf_release(&form);
	buf_release(&want);
	buf_release(&why);
	bad(T "field a ref(t) default 1 \"A\" \"А\"\n", "e.form:2: field 'a': "
	    "a ref field cannot have a default");
	bad(T "field a enum default b \"A\" \"А\"\n\tvalue a \"A\" \"А\"\n"
	    NAME, "e.form:2: field 'a': default 'b' is not one of its values");

	/* Enums. */
	bad(T "field a enum \"A\" \"А\"\n" NAME, "e.form:2: enum field 'a' has "
	    "no values (add indented 'value NAME \"English\" \"Russian\"' "
	    "lines after it)");
	bad(T "value a \"A\" \"А\"\n", "e.form:2: 'value' outside an enum "
	    "field (it must follow a field of type enum)");
	bad(T NAME "\tvalue a \"A\" \"А\"\n", "e.form:3: 'value' outside an "
	    "enum field (it must follow a field of type enum)");
	bad(T "field a enum \"A\" \"А\"\n\tvalue b \"B\" \"Б\"\n" NAME
	    "\tvalue c \"C\" \"Ц\"\n", "e.form:5: 'value' outside an enum "
	    "field (it must follow a field of type enum)");
	bad(T "field a enum \"A\" \"А\"\n\tvalue b \"B\" \"Б\"\n"
	    "\tvalue b \"C\" \"Ц\"\n", "e.form:4: duplicate value 'b' in field "
	    "'a'");
	bad(T "field a enum \"A\" \"А\"\n\tvalue b \"B\" \"Б\" also\n",
	    "e.form:3: value 'b': 'also' needs quoted words");
	bad(T "field a enum \"A\" \"А\"\n\tvalue b \"B\" \"Б\" also \"x\" y\n",
	    "e.form:3: unexpected 'y' (expected a quoted word after 'also')");
	bad(T "field a enum \"A\" \"А\"\n\tvalue b \"B\" \"Б\" also \"\"\n",
	    "e.form:3: value 'b': an empty word after 'also'");
	bad(T "field a enum \"A\" \"А\"\n\tvalue b \"B\" also \"x\"\n",
	    "e.form:3: value 'b': missing Russian label");
	bad(T "field a enum \"A\" \"А\"\n\tvalue B \"B\" \"Б\"\n", "e.form:3: "
	    "bad value name 'B' (a name is a-z, 0-9 and _, starts with a "
	    "letter and has at most 32 bytes)");
	bad(T "field a enum \"A\" \"А\"\n\tvalue b\n", "e.form:3: value 'b': "
	    "missing labels (expected \"English\" \"Russian\")");

	/* list and unique. */
	bad(T "list name nmae\n" NAME, "e.form:2: unknown field 'nmae' in "
	    "'list'");
	bad(T "list name name\n" NAME, "e.form:2: field 'name' given twice "
	    "in 'list'");
	bad(T "list\n", "e.form:2: 'list' needs at least one field");
	bad(T "list name\nlist name\n", "e.form:3: duplicate 'list' line "
	    "(first at line 2)");
	bad(T NAME "unique name nope\n", "e.form:3: unknown field 'nope' in "
	    "'unique'");
	bad(T NAME "unique\n", "e.form:3: 'unique' needs at least one field");
	bad(T NAME "unique name when\n", "e.form:3: bad 'when' clause "
	    "(expected when FIELD = VALUE)");
	bad(T NAME "unique name when name org\n", "e.form:3: bad 'when' "
	    "clause (expected when FIELD = VALUE)");
	bad(T NAME "unique name when kind = org\n", "e.form:3: unknown field "
	    "'kind' in the 'when' clause");
	bad(T NAME "field k enum \"K\" \"В\"\n\tvalue a \"A\" \"А\"\n"
	    "unique name when k = org\n", "e.form:5: 'org' is not a value of "
	    "field 'k' in the 'when' clause");
	bad(T NAME "field n int \"N\" \"Н\"\nunique name when n = 1\n",
	    "e.form:4: 'when' field 'n' must be an enum or text field, not "
	    "int");
	bad(T NAME "field p phone multi \"P\" \"Т\"\nunique name p\n",
	    "e.form:4: 'unique' cannot use multi field 'p'");
	bad(T NAME "unique name name\n", "e.form:3: field 'name' given twice "
	    "in 'unique'");
	bad(T NAME "unique name\nunique name\n", "e.form:4: duplicate unique "
	    "constraint 'name'");

	/* Screens. */
	bad(T NAME "screen\n [name]\n", "e.form:3: 'screen' without 'end'");
	bad(T NAME "screen x\n [name]\nend\n", "e.form:3: unexpected 'x' "
	    "after 'screen' (the drawing starts on the next line)");
	bad(T NAME "screen\n [name]\nend\nscreen\nend\n", "e.form:6: "
	    "duplicate 'screen' (first at line 3)");
	bad(T NAME "screen\n Имя: [nmae    ]\nend\n", "e.form:4: unknown "
	    "field 'nmae' in the screen (column 7)");
	bad(T NAME "screen\n <nmae> [name]\nend\n", "e.form:4: unknown field "
	    "'nmae' in the screen (column 2)");
	bad(T NAME "screen\n [name]\n\n\t[name ]\nend\n", "e.form:6: field "
	    "'name' is entered twice in the screen (first at line 4)");
	bad(T NAME "screen\n Имя [name\nend\n", "e.form:4: unclosed '[' in "
	    "the screen (column 6)");
	bad(T NAME "screen\n <name [name] >\nend\n", "e.form:4: bad screen "
	    "item '<name [name] >' at column 2 (expected [name   ] or "
	    "<name   >)");
	bad(T NAME "screen\n [name]  <name\nend\n", "e.form:4: unclosed '<' "
	    "in the screen (column 10)");
	bad(T NAME "screen\n [ name]\nend\n", "e.form:4: bad screen item "
	    "'[ name]' at column 2 (expected [name   ] or <name   >)");
	bad(T NAME "screen\n [Name]\nend\n", "e.form:4: bad screen item "
	    "'[Name]' at column 2 (expected [name   ] or <name   >)");

	/* A good table before the bad one is not kept either. */
	bad(T NAME "table u \"U\" \"У\" \"Us\" \"Уs\"\n" "field x txt\n",
	    "e.form:4: unknown type 'txt' (expected text, int, money, qty, "
	    "date, datetime, bool, enum, ref, phone, email)");
}

/* Things that load: the details of what they make. */
static void
test_good(void)
{
	struct schema	*s = schema_new();
	struct buf	 err = BUF_INIT;
	struct table	*t;
	struct field	*f;
	const struct screen_item *it;

	if (!ok(schema_load_string(s, "g.form",
	    "# comment line\n"
	    "table t \"Thing\" \"Вещь\" \"Things\" \"Вещи\" # trailing\n"
	    "field b bool default yes \"Done\" \"Готово\"\n"
	    "field q qty default \"1,5\" \"Quantity\" \"Количество\"\n"
	    "field m money default \"1 234,56\" \"Sum\" \"Сумма \\\"x\\\"\"\n"
	    "field d date required default today \"Date\" \"Дата\"\n"
	    "field w datetime default now \"When\" \"Когда\"\n"
	    "field k enum default b \"Kind\" \"Вид\"\n"
	    "  value a \"A\" \"А\"\n"
	    "\tvalue b \"B\" \"Б\"   # indented with a tab\n"
	    "field tags text(10) multi index folded index exact search "
	    "default \"x, y\" \"Tags\" \"Метки\"\n"
	    "field code text index unique \"Code\" \"Код\"\n"
	    "field r ref(t) index unique \"Parent\" \"Родитель\"\n"
	    "field n int default -5 \"N\" \"Н\"\r\n"
	    "field ph phone multi default \"8 916 123-45-67; +44 20 7946 0958\" "
	    "\"Phone\" \"Телефон\"\n"
	    "unique code when k = a\n"
	    "screen\n"
	    "Вид: [k   ]\tКод:<code >[code    ]\n"
	    "\n"
	    "  漢字[n ]\n"
	    "  end  \n", &err) == 0, "good form loads"))
		diag("%s", err.data);
	t = schema_table(s, "t");
	if (t == NULL)
		tap_bail("no table t");
	is_int(t->nfields, 11, "eleven fields");
	is_str(table_field(t, "ph")->deflt, "8 916 123-45-67; +44 20 7946 0958",
	    "phone default checked, kept as written");
	is_str(table_field(t, "b")->deflt, "1", "bool default normalised");
	is_str(table_field(t, "q")->deflt, "1,5", "qty default as written");
	is_str(table_field(t, "m")->label[1], "Сумма \"x\"", "escapes");
	f = table_field(t, "d");
	ok(f->required && f->line == 6, "date field, line 6");
	is_str(f->deflt, "today", "today");
	is_str(table_field(t, "w")->deflt, "now", "now");
	f = table_field(t, "k");
	ok(f->nvalues == 2 && strcmp(f->values[1].label[1], "Б") == 0,
	    "values with blanks and tab indents");
	f = table_field(t, "tags");
	ok(f->multi && f->maxlen == 10, "multi text(10)");
	is_int(f->index, IX_FOLDED | IX_EXACT | IX_SEARCH, "several indexes");
	is_int(table_field(t, "code")->index, IX_UNIQUE, "index unique");
	is_int(table_field(t, "r")->index, IX_UNIQUE | IX_EXACT,
	    "ref: unique and exact");
	is_str(table_field(t, "n")->deflt, "-5", "int default, CRLF line");
	ok(t->has_search, "has_search");
	ok(t->list_cols == NULL && t->nlist_cols == 0, "no list: all");
	is_int(t->nuniques, 1, "one unique");
	is_int(t->uniques[0].when_field, 5, "when k");
	is_str(t->uniques[0].when_value, "a", "= a");
	is_str(t->uniques[0].name, "code", "unique name");

	is_int(t->screen.nlines, 3, "screen lines");
	is_int(t->screen.nitems, 4, "screen items");
	it = &t->screen.items[0];
	ok(it->row == 0 && it->col == 5 && it->width == 6 && !it->is_label &&
	    it->field == 5, "Cyrillic before an entry counts cells");
	it = &t->screen.items[1];
	ok(it->row == 0 && it->col == 20 && it->width == 7 && it->is_label &&
	    it->field == 7, "after a tab: column 20 (tab to 16, 'Код:')");
	it = &t->screen.items[2];
	ok(it->col == 27 && it->width == 10 && !it->is_label, "code entry");
	it = &t->screen.items[3];
	ok(it->row == 2 && it->col == 6 && it->width == 4 && it->field == 9,
	    "wide characters count two cells");
	is_str(t->screen.lines[0], "Вид:            Код:"
	    "                 ", "line with items blanked, tab expanded");
	is_str(t->screen.lines[1], "", "empty line kept");
	is_str(t->screen.lines[2], "  漢字    ", "wide line");

	is_int(schema_check(s, &err), 0, "self reference checks");
	schema_free(s);

	/* No screen: one label and entry per field. */
	s = schema_new();
	if (!ok(schema_load_string(s, "d.form", T NAME
	    "field longer_name int \"A rather long label\" \"Метка\"\n",
	    &err) == 0, "form without a screen"))
		diag("%s", err.data);
	t = s->tables[0];
	is_int(t->screen.nlines, 2, "default screen: a line per field");
	is_int(t->screen.nitems, 4, "default screen: label and entry each");
	it = &t->screen.items[0];
	ok(it->is_label && it->row == 0 && it->col == 1 && it->width == 19,
	    "label as wide as the widest label");
	it = &t->screen.items[1];
	ok(!it->is_label && it->row == 0 && it->col == 21 && it->width == 22 &&
	    it->field == 0, "text(20) entry: 22 cells");
	it = &t->screen.items[3];
	ok(!it->is_label && it->row == 1 && it->field == 1, "second entry");
	is_int(strlen(t->screen.lines[0]), 43, "default line length");
	is_str(table_field(t, "longer_name")->label[1], "Метка",
	    "Russian label");
	is_str(field_label(table_field(t, "longer_name"), 1), "Метка",
	    "field_label ru");
	schema_free(s);

	/* 'shared' before or after its index; a ref's own index will do. */
	s = schema_new();
	if (!ok(schema_load_string(s, "s.form", T NAME
	    "field city text(40) shared index folded \"City\" \"Город\"\n"
	    "field st int index exact index unique shared \"St\" \"Ст\"\n"
	    "field up ref(t) shared \"Up\" \"Выше\"\n", &err) == 0,
	    "form with shared fields"))
		diag("%s", err.data);
	t = s->tables[0];
	f = table_field(t, "city");
	ok(f->shared && f->index == IX_FOLDED, "shared folded text field");
	ok(table_field(t, "st")->shared, "shared beside a unique index");
	f = table_field(t, "up");
	ok(f->shared && f->index == IX_EXACT, "shared ref");
	ok(!table_field(t, "name")->shared, "not shared unless said");
	schema_free(s);
	buf_release(&err);

	is_str(field_type_name(FT_TEXT), "text", "text");
	is_str(field_type_name(FT_DATETIME), "datetime", "datetime");
	is_str(field_type_name(FT_REF), "ref", "ref");
}

/* Refs between tables are checked on the whole schema. */
static void
test_check(void)
{
	struct schema	*s = schema_new(), *s2;
	struct buf	 err = BUF_INIT;

	is_int(schema_load_string(s, "c.form", T NAME
	    "\nfield p ref(nope) \"P\" \"П\"\n", &err), 0,
	    "a ref to a table not yet loaded is fine for one file");
	is_int(schema_check(s, &err), -1, "check refuses it");
	is_str(err.data, "c.form:4: field 'p' refers to unknown table 'nope'",
	    "check message");
	is_int(schema_load_string(s, "nope.form",
	    "table nope \"N\" \"Н\" \"Ns\" \"Нs\"\n" NAME, &err), 0,
	    "then the table comes");
	is_int(schema_check(s, &err), 0, "and check passes");

	/* A schema put together by hand gets the loader's rule too. */
	s2 = schema_new();
	is_int(schema_load_string(s2, "n2.form",
	    "table nope \"N\" \"Н\" \"Ns\" \"Нs\"\n" NAME, &err), 0,
	    "the same table in another schema");
	s->tables = xreallocarray(s->tables, s->ntables + 1,
	    sizeof(*s->tables));
	s->tables[s->ntables++] = s2->tables[0];
	s2->ntables = 0;
	is_int(schema_check(s, &err), -1, "check refuses duplicate tables");
	is_str(err.data, "n2.form: duplicate table 'nope' (also in nope.form)",
	    "duplicate table message");
	schema_free(s2);
	schema_free(s);
	buf_release(&err);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[4096];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		tap_bail("cannot write a temporary file");
	fputs(text, fp);
	fclose(fp);
}

static void
remove_file(const char *dir, const char *name)
{
	char	path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static void
test_files(void)
{
	struct schema	*s;
	struct buf	 err = BUF_INIT, want = BUF_INIT;
	const char	*tmp = getenv("TMPDIR");
	char		 dir[4096], path[4096 + 16];
	struct table	*t;

	snprintf(dir, sizeof(dir), "%s/test-forms.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");

	/* One file round-trips through schema_load_file. */
	write_file(dir, "b.form", "table b \"B\" \"Б\" \"Bs\" \"Бs\"\n"
	    "field a ref(a) required \"A\" \"А\"\n"
	    "field n text(40) index folded search \"Name\" \"Имя\"\n"
	    "field s enum default y \"S\" \"С\"\n"
	    "\tvalue y \"Yes\" \"Да\"\n"
	    "screen\n"
	    " <n   > [n     ]\n"
	    "end\n");
	snprintf(path, sizeof(path), "%s/b.form", dir);
	s = schema_new();
	if (!ok(schema_load_file(s, path, &err) == 0, "schema_load_file"))
		diag("%s", err.data);
	t = schema_table(s, "b");
	ok(t != NULL && t->nfields == 3, "table from the file");
	is_str(t->file, path, "the table keeps the path");
	is_str(t->fields[1].label[1], "Имя", "Russian label from the file");
	ok(t->fields[2].nvalues == 1 && t->screen.nitems == 2,
	    "values and screen from the file");
	is_int(schema_check(s, &err), -1, "ref(a) is still unknown");
	buf_printf(&want, "%s:2: field 'a' refers to unknown table 'a'",
	    path);
	is_str(err.data, want.data, "check names the file and line");
	is_int(schema_load_file(s, path, &err), -1, "loading it twice fails");
	buf_reset(&want);
	buf_printf(&want, "%s:1: duplicate table 'b' (already declared in "
	    "%s)", path, path);
	is_str(err.data, want.data, "duplicate table across loads");
	is_int(s->ntables, 1, "still one table");
	schema_free(s);

	/* A directory: name order, only *.form, refs across files. */
	write_file(dir, "a.form", "table a \"A\" \"А\" \"As\" \"Аs\"\n"
	    "field b ref(b) \"B\" \"Б\"\n");
	write_file(dir, "notes.txt", "not a form\n");
	write_file(dir, ".hidden.form", "garbage\n");
	s = schema_new();
	if (!ok(schema_load(s, dir, &err) == 0, "directory loads"))
		diag("%s", err.data);
	ok(s->ntables == 2 && strcmp(s->tables[0]->name, "a") == 0 &&
	    strcmp(s->tables[1]->name, "b") == 0, "in name order");
	schema_free(s);

	/* A bad second file: nothing of the first is kept. */
	write_file(dir, "c.form", "table c \"C\" \"Ц\" \"Cs\" \"Цs\"\n"
	    "field x text \"X\"\n");
	s = schema_new();
	is_int(schema_load(s, dir, &err), -1, "a bad file fails the load");
	buf_reset(&want);
	buf_printf(&want, "%s/c.form:2: field 'x': missing Russian label",
	    dir);
	is_str(err.data, want.data, "message names the file");
	is_int(s->ntables, 0, "nothing loaded");
	remove_file(dir, "c.form");

	/* A ref to a table no file declares: refused as a whole. */
	write_file(dir, "c.form", "table c \"C\" \"Ц\" \"Cs\" \"Цs\"\n"
	    "field x ref(zz) \"X\" \"Икс\"\n");
	is_int(schema_load(s, dir, &err), -1, "unknown ref fails the load");
	buf_reset(&want);
	buf_printf(&want, "%s/c.form:2: field 'x' refers to unknown table "
	    "'zz'", dir);
	is_str(err.data, want.data, "check message with the path");
	is_int(s->ntables, 0, "nothing loaded");
	schema_free(s);

	remove_file(dir, "a.form");
	remove_file(dir, "b.form");
	remove_file(dir, "c.form");
	remove_file(dir, "notes.txt");
	remove_file(dir, ".hidden.form");
	s = schema_new();
	is_int(schema_load(s, dir, &err), -1, "an empty directory fails");
	buf_reset(&want);
	buf_printf(&want, "no .form files in '%s'", dir);
	is_str(err.data, want.data, "empty directory message");
	schema_free(s);
	rmdir(dir);

	s = schema_new();
	is_int(schema_load_file(s, "/nonexistent/x.form", &err), -1,
	    "missing file");
	is_str(err.data, "cannot open '/nonexistent/x.form': No such file or "
	    "directory", "missing file message");
	schema_free(s);
	buf_release(&err);
	buf_release(&want);
}

int
main(void)
{
	struct buf	err = BUF_INIT;

	test_real_forms();
	base = schema_new();
	if (schema_load_string(base, "base.form", "table base \"Base\" "
	    "\"База\" \"Bases\" \"Базы\"\n" NAME, &err) == -1)
		tap_bail(err.data);
	test_errors();
	schema_free(base);
	test_good();
	test_check();
	test_files();
	buf_release(&err);
	return (tap_done());
}
