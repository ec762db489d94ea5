/*
 * test-tui-draft.c: drafts of unsaved cards (src/tui/draft.c): kept in
 * $XDG_STATE_HOME/clerk with mode 0600, any text back as it was typed,
 * the newest draft of the same database found, others left alone, and
 * files that are not drafts skipped.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/draft.h"
#include "tap.h"

static char	tmpl[256];

static void
cleanup(void)
{
	char	cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmpl);
}

int
main(void)
{
	struct draft	 d, e;
	struct buf	 err = BUF_INIT, dir = BUF_INIT;
	struct stat	 sb;
	const char	*tmp = getenv("TMPDIR");
	const char	*odd = "ООО «Ромашка»\tс табом\nи строкой \\ обратной";
	FILE		*f;

	snprintf(tmpl, sizeof tmpl, "%s/test-draft.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(tmpl) == NULL) {
		ok(0, "mkdtemp");
		return (tap_done());
	}
	/* $XDG_STATE_HOME/clerk is not there yet: draft_save makes it. */
	setenv("XDG_STATE_HOME", tmpl, 1);

	ok(draft_find(&d, "/db", &err) == 1, "no drafts at first");
	draft_release(&d);

	draft_init(&d);
	d.where = xstrdup("/db");
	d.table = xstrdup("party");
	d.id = 42;
	d.rev = 3;
	d.saved = 1000;
	draft_add(&d, "name", odd, "ПАО «Ромашка»\tкак было");
	draft_add(&d, "inn", "", "7707083893");
	draft_add_read(&d, "city", "Москва");
	ok(draft_save(&d, &err) == 0, "save: %s", err.data);
	ok(d.path != NULL && strstr(d.path, "/clerk/draft-party-42") != NULL,
	    "file named after table and id: %s", d.path ? d.path : "");
	ok(stat(d.path, &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "mode 0600");
	draft_dir(&dir, 0, &err);
	ok(stat(dir.data, &sb) == 0 && (sb.st_mode & 0777) == 0700,
	    "folder made with mode 0700");
	draft_release(&d);

	/* A newer draft of a new record, and one of another database. */
	draft_init(&d);
	d.where = xstrdup("/db");
	d.table = xstrdup("contact");
	d.saved = 2000;
	draft_add(&d, "name", "Петров", NULL);
	ok(draft_save(&d, &err) == 0, "save a new record's draft");
	ok(strstr(d.path, "draft-contact-new") != NULL, "named -new");
	draft_release(&d);
	draft_init(&d);
	d.where = xstrdup("/other");
	d.table = xstrdup("party");
	d.id = 1;
	d.saved = 3000;
	ok(draft_save(&d, &err) == 0, "save another database's draft");
	draft_release(&d);
	/* The same card (party #42) in another database: both kept. */
	draft_init(&d);
	d.where = xstrdup("/other");
	d.table = xstrdup("party");
	d.id = 42;
	d.saved = 500;
	draft_add(&d, "name", "other's", NULL);
	ok(draft_save(&d, &err) == 0, "save party #42 of another database");
	draft_release(&d);
	/* Junk beside them is skipped. */
	{
		struct buf p = BUF_INIT;

		buf_printf(&p, "%s/draft-junk", dir.data);
		if ((f = fopen(p.data, "w")) != NULL) {
			fputs("not a draft\n", f);
			fclose(f);
		}
		buf_release(&p);
	}

	/* Every draft of a database, newest first: each can be offered. */
	{
		struct draft	*v;
		size_t		 n;

		ok(draft_list(&v, &n, "/db", &err) == 0 && n == 2 &&
		    strcmp(v[0].table, "contact") == 0 &&
		    strcmp(v[1].table, "party") == 0 && v[1].id == 42,
		    "both drafts of /db listed, newest first");
		draft_list_free(v, n);
		ok(draft_list(&v, &n, "/none", &err) == 0 && n == 0,
		    "none of a database without drafts");
		draft_list_free(v, n);
	}

	ok(draft_find(&e, "/db", &err) == 0, "a draft found");
	is_str(e.table, "contact", "the newest of this database");
	is_int(e.id, 0, "a new record");
	is_int(e.n, 1, "one value");
	is_str(e.values[0], "Петров", "its value");
	ok(e.bases[0] == NULL, "no text as read: not known");
	draft_remove(&e);
	draft_release(&e);

	ok(draft_find(&e, "/db", &err) == 0, "after removing, the older");
	is_str(e.table, "party", "party");
	is_int(e.id, 42, "id 42");
	is_int(e.rev, 3, "rev 3");
	is_int(e.saved, 1000, "saved time");
	is_int(e.n, 2, "two values");
	is_str(e.names[0], "name", "name");
	is_str(e.values[0], odd, "text with tab, newline and backslash "
	    "back as typed");
	is_str(e.values[1], "", "an emptied field kept as empty");
	is_str(e.bases[0], "ПАО «Ромашка»\tкак было",
	    "the text as read comes back too");
	is_str(e.bases[1], "7707083893", "each field's own");
	ok(e.nreads == 1 && strcmp(e.rnames[0], "city") == 0 &&
	    strcmp(e.reads[0], "Москва") == 0,
	    "a field not edited comes back with its text as read");
	draft_remove(&e);
	draft_release(&e);
	ok(draft_find(&e, "/db", &err) == 1, "none left for /db");
	draft_release(&e);
	ok(draft_find(&e, "/other", &err) == 0, "the other database's stays");
	is_int(e.id, 1, "its newest first");
	draft_remove(&e);
	draft_release(&e);
	ok(draft_find(&e, "/other", &err) == 0 && e.id == 42 && e.n == 1 &&
	    strcmp(e.values[0], "other's") == 0,
	    "its party #42 was not overwritten by /db's party #42");
	draft_remove(&e);
	draft_release(&e);

	/* Two new cards of one table in one process (a new card, then Ins
	 * on it), both unsaved at a hang-up: two drafts, neither lost. */
	{
		struct draft	a, b;

		draft_init(&a);
		a.where = xstrdup("/two");
		a.table = xstrdup("party");
		a.saved = 4000;
		draft_add(&a, "name", "first", NULL);
		draft_init(&b);
		b.where = xstrdup("/two");
		b.table = xstrdup("party");
		b.saved = 4000;
		draft_add(&b, "name", "second", NULL);
		ok(draft_save(&a, &err) == 0 && draft_save(&b, &err) == 0,
		    "two new cards of one table saved");
		ok(strcmp(a.path, b.path) != 0, "in two files: %s, %s",
		    a.path, b.path);
		ok(draft_find(&e, "/two", &err) == 0, "one found");
		draft_remove(&e);
		draft_release(&e);
		ok(draft_find(&e, "/two", &err) == 0, "and then the other");
		draft_remove(&e);
		draft_release(&e);
		ok(draft_find(&e, "/two", &err) == 1, "none left for /two");
		draft_release(&e);
		draft_release(&a);
		draft_release(&b);
	}

	ok(draft_load(&e, "/nonexistent/draft-x", &err) == -1 &&
	    strstr(err.data, "cannot read draft") != NULL,
	    "a missing file: %s", err.data);
	buf_release(&err);
	buf_release(&dir);
	cleanup();
	return (tap_done());
}
