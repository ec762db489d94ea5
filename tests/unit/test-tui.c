/*
 * test-tui.c: the TUI framework's parts that need no terminal: the
 * machine format and the schema read from it, key names and key
 * scripts, terminal sizes, and the fitting of list columns.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tui/tui_int.h"

static void
test_lines(void)
{
	struct tui_lines	 ls;
	struct buf		 b = BUF_INIT;
	const char		*odd = "a\tb\\c\nd\re";

	buf_adds(&b, "row");
	buf_addch(&b, '\t');
	buf_addesc(&b, odd, strlen(odd));
	buf_adds(&b, "\t\tИванов\n\nmore\t1");
	is_int(tui_lines_parse(&ls, b.data, b.len, NULL), 0, "lines parse");
	is_int((int)ls.n, 2, "two lines, the empty one skipped");
	is_int((int)ls.v[0].n, 4, "four fields");
	is_str(ls.v[0].f[1], odd, "tab, backslash, newline and CR survive");
	is_str(ls.v[0].f[2], "", "an empty field");
	is_str(ls.v[0].f[3], "Иванов", "Cyrillic as it was");
	is_str(tui_line_get(&ls.v[1], 1), "1", "the last line without \\n");
	is_str(tui_line_get(&ls.v[1], 7), "", "beyond the end is empty");
	tui_lines_release(&ls);
	buf_release(&b);
}

static void
test_schema(void)
{
	struct tui_schema	 sc;
	const struct tui_table	*t;
	struct buf		 err = BUF_INIT;
	const char		*text =
	    "table\tparty\tClient\tКлиент\tClients\tКлиенты\t1\n"
	    "field\tparty\tname\ttext\tName\tНаименование\tr\t300\tfs\t\t\t\n"
	    "field\tparty\tstatus\tenum\tStatus\tСтатус\tr\t0\te\t\t\tlead\n"
	    "value\tparty\tstatus\tlead\tLead\tЛид\n"
	    "value\tparty\tstatus\tactive\tActive\t\n"
	    "field\tparty\ttotal\tmoney\tTotal\tИтого\t\t0\t\t\t\t\n"
	    "field\tparty\tboss\tref\tBoss\t\t\t0\te\tparty\t\t\n"
	    "list\tparty\tname\tnope\tstatus\n"
	    "line\tparty\t name: \\t\n"
	    "item\tparty\t0\t1\t10\tentry\tname\n"
	    "future\tsomething new\n";

	is_int(tui_schema_parse(&sc, text, strlen(text), &err), 0,
	    "schema parses");
	t = tui_schema_table(&sc, "party");
	ok(t != NULL, "table party");
	if (t == NULL)
		return;
	is_str(tui_label(t->plural, 1), "Клиенты", "plural in Russian");
	is_str(tui_label(t->plural, 0), "Clients", "plural in English");
	is_int((int)t->nfields, 4, "four fields");
	ok(t->fields[0].required && t->fields[0].maxlen == 300,
	    "required, maxlen");
	ok((t->fields[0].index & (TUI_IX_FOLDED | TUI_IX_SEARCH)) ==
	    (TUI_IX_FOLDED | TUI_IX_SEARCH), "index kinds");
	is_int((int)t->fields[1].nvalues, 2, "enum values");
	is_str(tui_label(t->fields[1].values[1].label, 1), "Active",
	    "a missing Russian label falls back to English");
	is_str(t->fields[1].deflt, "lead", "default");
	ok(t->fields[2].right && !t->fields[0].right, "money right-aligned");
	is_str(t->fields[3].ref_table, "party", "ref table");
	is_int((int)t->nlist, 2, "list columns, unknown ones skipped");
	is_int((int)t->list[1], 1, "second list column is status");
	is_str(t->lines[0], " name: \t", "drawn line unescaped");
	ok(t->nitems == 1 && t->items[0].width == 10 && !t->items[0].is_label,
	    "item");
	ok(tui_table_field(t, "nope") == -1, "unknown field");
	tui_schema_release(&sc);

	ok(tui_schema_parse(&sc, "nothing\n", 8, &err) == -1,
	    "no tables is an error");
	buf_release(&err);
}

static void
test_keys(void)
{
	struct buf	b = BUF_INIT;
	static const struct {
		int		 key;
		const char	*name;
	} v[] = {
		{ TUI_KEY_F(2), "F2" },
		{ TUI_CTRL('s'), "Ctrl-S" },
		{ '\n', "Enter" },
		{ TUI_KEY_ESC, "Esc" },
		{ TUI_KEY_DOWN, "Down" },
		{ 'F', "Shift-F" },
		{ 'j', "j" },
		{ 0x439, "й" },
		{ TUI_KEY_BTAB, "Shift-Tab" },
	};
	size_t		i;

	for (i = 0; i < nitems(v); i++) {
		buf_reset(&b);
		tui_key_name(v[i].key, &b);
		is_str(b.data, v[i].name, "key name");
		is_int(tui_key_parse(v[i].name), v[i].key, "and back");
	}
	is_int(tui_key_parse("C-s"), TUI_CTRL('s'), "C-s");
	is_int(tui_key_parse("pgdn"), TUI_KEY_PGDN, "case-insensitive");
	is_int(tui_key_parse("F25"), -1, "no F25");
	is_int(tui_key_parse("Nope"), -1, "unknown");
	buf_release(&b);
}

static void
test_script(void)
{
	struct tui_script	 sc;
	struct buf		 err = BUF_INIT;
	const char		*s = "# a comment <F2>\n/ив<Enter><<<dump>\n"
	    "<resize 100x30><F10><hup>";
	int			 c, r;

	is_int(tui_script_parse(&sc, s, strlen(s), &err), 0, "script");
	is_int((int)sc.n, 9, "nine steps");
	ok(sc.steps[0].kind == TUI_STEP_KEY && sc.steps[0].key == '/',
	    "the comment line is skipped");
	is_int(sc.steps[1].key, 0x438, "и is one key");
	is_int(sc.steps[3].key, '\n', "<Enter>");
	is_int(sc.steps[4].key, '<', "<< types <");
	ok(sc.steps[5].kind == TUI_STEP_DUMP, "<dump>");
	ok(sc.steps[6].kind == TUI_STEP_RESIZE && sc.steps[6].cols == 100 &&
	    sc.steps[6].rows == 30, "<resize 100x30>");
	ok(sc.steps[7].key == TUI_KEY_F(10), "<F10>");
	tui_script_release(&sc);
	ok(tui_script_parse(&sc, "a\n<Bogus>", 9, &err) == -1 &&
	    strstr(err.data, "line 2") != NULL, "bad step named by line");
	ok(tui_script_parse(&sc, "<F2", 3, &err) == -1, "'<' without '>'");
	buf_release(&err);

	ok(tui_parse_size("80x24", &c, &r) == 0 && c == 80 && r == 24,
	    "80x24");
	ok(tui_parse_size("80", &c, &r) == -1, "no rows");
	ok(tui_parse_size("0x5", &c, &r) == -1, "zero columns");
}

static void
test_fit(void)
{
	int	want[] = { 30, 10, 20, 8 }, min[] = { 20, 6, 6, 6 }, w[4];
	size_t	n;

	n = tui_fit_columns(want, min, 4, 0, 80, 1, w);
	ok(n == 4 && w[0] == 30 && w[1] == 10 && w[2] == 20 && w[3] == 8,
	    "everything fits as wanted");
	n = tui_fit_columns(want, min, 4, 0, 60, 1, w);
	is_int(w[0] + w[1] + w[2] + w[3] + 3, 60, "cut to the width exactly");
	ok(n == 4 && w[0] >= 20 && w[3] == 8, "the widest cut first");
	n = tui_fit_columns(want, min, 4, 0, 30, 1, w);
	ok(w[3] == 0 && w[0] >= 20, "columns on the right dropped");
	ok(w[0] + (w[1] ? w[1] + 1 : 0) + (w[2] ? w[2] + 1 : 0) <= 30,
	    "and the rest fits");
	n = tui_fit_columns(want, min, 4, 2, 80, 1, w);
	ok(n == 2 && w[0] == 0 && w[1] == 0 && w[2] == 20, "scrolled");
	n = tui_fit_columns(want, min, 4, 0, 10, 1, w);
	ok(n == 1 && w[0] == 10, "one column takes what there is");
}

static void
test_view_split(void)
{
	char	*tb, *w, *so;
	int	 other;

	ok(tui_view_split("party where status = active and name ~ "
	    "\"a sort b\" sort name, - city", &tb, &w, &so, &other) == 0,
	    "a view splits");
	is_str(tb, "party", "its table");
	is_str(w, "status = active and name ~ \"a sort b\"",
	    "its condition, a quoted 'sort' inside");
	is_str(so, "name,-city", "its keys without blanks");
	is_int(other, 0, "nothing else");
	free(tb);
	free(w);
	free(so);
	tui_view_split("contact where (party.sort = 'x''where' or "
	    "lower(name) ^= 'a') limit 10 cols name", &tb, &w, &so, &other);
	is_str(w, "(party.sort = 'x''where' or lower(name) ^= 'a')",
	    "parentheses, a path and a doubled quote kept whole");
	ok(so == NULL, "no sort");
	is_int(other, TUI_VIEW_MORE, "limit and cols said");
	free(tb);
	free(w);
	tui_view_split("party sort -created", &tb, &w, &so, &other);
	ok(w == NULL && strcmp(so, "-created") == 0, "a sort alone");
	free(tb);
	free(so);
	tui_view_split("party where status = lead group city count()", &tb,
	    &w, &so, &other);
	is_int(other, TUI_VIEW_GROUP, "a group said");
	is_str(w, "status = lead", "the condition ends at 'group'");
	free(tb);
	free(w);
	ok(tui_view_split("  ", &tb, &w, &so, &other) == -1, "no table");
}

int
main(void)
{
	test_lines();
	test_schema();
	test_keys();
	test_script();
	test_fit();
	test_view_split();
	return (tap_done());
}
