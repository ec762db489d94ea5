/*
 * test-cmd-retry.c: the verbs that read and write records (show, card,
 * history, list, page (the walk, the order, a search, a filter and
 * groups), find, query, views, report, export, merge --dry-run, admin
 * user list; set, rm, restore, add, view save, merge, import row by row
 * and in bulk), run in this process as the server runs them (cmd_run),
 * and the opening of a session, with the n-th storage call failing,
 * for every n along their path:
 *
 * - with a deadlock, which store_txn_run() aborts and runs again: a
 *   read answers what it answers without the fault, byte for byte, and
 *   a write does what it does without it, once;
 * - with no space: the verb fails (CMD_FAILED, a message) or answers as
 *   without the fault, and a write is wholly done or not at all.
 *
 * First with no records kept in memory (every read goes to the store),
 * then with them as a server keeps them.  Each run's memory must come
 * back whatever the outcome: under the sanitizers (--enable-sanitizers)
 * a verb that keeps an allocation when its transaction is run again or
 * fails fails this test by its leak report (find did, in a server
 * under load).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "util/util.h"
#include "record/record.h"
#include "store/store.h"
#include "access/access.h"
#include "cmd/cmd.h"

#define MAXARGS	16

static struct store	*st;
static struct schema	*schema;
static struct session	*sess;
static const char	*bulk;		/* the requests' bulk data: an import's
					 * file (no other verb reads it) */

struct result {
	int	 status;
	char	*out;
	char	*error;
};

static void
result_free(struct result *res)
{
	free(res->out);
	free(res->error);
}

/* Run a command given as words, NULL-ended. */
static void
run_argv(struct result *res, char **words)
{
	struct cmd_ctx	 ctx;
	int		 argc;

	for (argc = 0; words[argc + 1] != NULL; argc++)
		;
	cmd_ctx_init(&ctx);
	ctx.session = sess;
	ctx.store = st;
	ctx.schema = schema;
	if (bulk != NULL) {
		ctx.bulk = bulk;
		ctx.bulklen = strlen(bulk);
	}
	res->status = cmd_run(&ctx, words[0], argc, words + 1);
	res->out = xstrdup(ctx.out.data != NULL ? ctx.out.data : "");
	res->error = xstrdup(ctx.error.data != NULL ? ctx.error.data : "");
	cmd_ctx_release(&ctx);
}

/* "^" in a command's word stands for a space: made one, in place. */
static char *
carets(char *s)
{
	char	*c;

	for (c = s; *c != '\0'; c++)
		if (*c == '^')
			*c = ' ';
	return (s);
}

/* Split line at single spaces and run it. */
static void
run(struct result *res, const char *line)
{
	char	*copy = xstrdup(line), *words[MAXARGS + 1], *p, *w;
	int	 n = 0;

	for (p = copy; (w = strsep(&p, " ")) != NULL && n < MAXARGS; )
		words[n++] = carets(w);
	words[n] = NULL;
	run_argv(res, words);
	free(copy);
}

/* A check's answer without the ids it starts its lines with, nor the
 * spaces that align them (an add gives another id each time). */
static void
check_run(struct result *res, const char *check)
{
	char	*p, *q;
	int	 bol = 1;

	run(res, check);
	for (p = q = res->out; *p != '\0'; p++) {
		if (bol && ((*p >= '0' && *p <= '9') || *p == ' '))
			continue;
		bol = *p == '\n';
		*q++ = *p;
	}
	*q = '\0';
}

/* The id an add printed. */
static uint64_t
added_id(const char *out)
{
	return (strtoull(out, NULL, 10));
}

/*
 * A read: with a deadlock at each of its calls it answers as without;
 * with no space it answers as without or fails saying why.
 */
static void
read_verb(const char *line)
{
	struct result	 want, got;
	uint64_t	 calls, n;
	size_t		 same = 0, fails = 0, eq = 0, nospace_bad = 0;
	char		 first[512] = "", *name;

	run(&want, line);		/* the record cache warm */
	result_free(&want);
	store_fault_set(0, 0);
	run(&want, line);
	calls = store_fault_calls();
	if (want.status != CMD_OK)
		diag("%s: %s", line, want.error);
	for (n = 1; n <= calls; n++) {
		store_fault_set(n, STORE_FAULT_DEADLOCK);
		run(&got, line);
		if (got.status == want.status &&
		    strcmp(got.out, want.out) == 0)
			same++;
		else if (first[0] == '\0')
			snprintf(first, sizeof first, "call %llu: status "
			    "%d, %s", (unsigned long long)n, got.status,
			    got.error);
		result_free(&got);

		store_fault_set(n, ENOSPC);
		run(&got, line);
		if (got.status == CMD_FAILED && got.error[0] != '\0')
			fails++;
		else if (got.status == want.status &&
		    strcmp(got.out, want.out) == 0)
			eq++;
		else
			nospace_bad++;
		result_free(&got);
	}
	store_fault_set(0, 0);
	name = carets(xstrdup(line));
	ok(want.status == CMD_OK && same == calls,
	    "%s: a deadlock at each of its %llu calls, the same answer%s%s",
	    name, (unsigned long long)calls, first[0] ? ": " : "", first);
	ok(nospace_bad == 0, "%s: no space at each call: %zu failed with a "
	    "message, %zu answered in full", name, fails, eq);
	free(name);
	result_free(&want);
}

/* The records of a table after id purged (the undo of an import); the
 * table's greatest id. */
static uint64_t
purge_after(const char *table, uint64_t after)
{
	struct result	 all, u;
	const char	*p;
	char		 line[256];
	uint64_t	 id, max = 0;

	snprintf(line, sizeof line, "export %s --format tsv --archived",
	    table);
	run(&all, line);
	for (p = strchr(all.out, '\n'); p != NULL; p = strchr(p, '\n')) {
		if ((id = strtoull(++p, NULL, 10)) > max)
			max = id;
		if (id <= after)
			continue;
		snprintf(line, sizeof line, "rm %s %llu --purge", table,
		    (unsigned long long)id);
		run(&u, line);
		if (u.status != CMD_OK)
			diag("%s: %s", line, u.error);
		result_free(&u);
	}
	result_free(&all);
	return (max);
}

/* Undo a write: the command given; NULL, a purge of the record an add
 * named; "*", a purge of the table's records after id had. */
static void
undo_write(const char *undo, const char *table, uint64_t had,
    const struct result *w)
{
	struct result	 u;
	char		 line[256];

	if (undo != NULL && strcmp(undo, "*") == 0) {
		(void)purge_after(table, had);
		return;
	}
	if (undo == NULL) {
		snprintf(line, sizeof line, "rm %s %llu --purge", table,
		    (unsigned long long)added_id(w->out));
		undo = line;
	}
	run(&u, undo);
	if (u.status != CMD_OK)
		diag("%s: %s", undo, u.error);
	result_free(&u);
}

/*
 * A write and the command that undoes it: with the fault at each call
 * of the write, a deadlock leaves it done once, no space done or not;
 * check is a read whose answer tells.
 */
static void
write_verb(const char *line, const char *undo, const char *check)
{
	struct result	 before, after, got, now;
	char		 table[64];
	uint64_t	 calls, n, had = 0;
	size_t		 once = 0, whole = 0, bad = 0;
	char		 first[512] = "", *name;

	snprintf(table, sizeof table, "%s", strchr(line, ' ') + 1);
	table[strcspn(table, " ")] = '\0';
	if (undo != NULL && strcmp(undo, "*") == 0)
		had = purge_after(table, UINT64_MAX);
	check_run(&before, check);
	store_fault_set(0, 0);
	run(&got, line);
	calls = store_fault_calls();
	if (got.status != CMD_OK)
		diag("%s: %s", line, got.error);
	check_run(&after, check);
	undo_write(undo, table, had, &got);
	result_free(&got);
	for (n = 1; n <= calls; n++) {
		store_fault_set(n, STORE_FAULT_DEADLOCK);
		run(&got, line);
		store_fault_set(0, 0);
		check_run(&now, check);
		if (got.status == CMD_OK && strcmp(now.out, after.out) == 0)
			once++;
		else if (first[0] == '\0')
			snprintf(first, sizeof first, "call %llu: status "
			    "%d, %s", (unsigned long long)n, got.status,
			    got.error);
		if (got.status == CMD_OK)
			undo_write(undo, table, had, &got);
		result_free(&got);
		result_free(&now);

		store_fault_set(n, ENOSPC);
		run(&got, line);
		store_fault_set(0, 0);
		check_run(&now, check);
		if (got.status == CMD_OK && strcmp(now.out, after.out) == 0) {
			whole++;
			undo_write(undo, table, had, &got);
		} else if (got.status == CMD_FAILED && got.error[0] != '\0' &&
		    strcmp(now.out, before.out) == 0)
			whole++;
		else {
			bad++;
			diag("no space at call %llu: status %d, %s; now:\n%s",
			    (unsigned long long)n, got.status, got.error,
			    now.out);
		}
		result_free(&got);
		result_free(&now);
	}
	name = carets(xstrdup(line));
	ok(after.status == CMD_OK && strcmp(after.out, before.out) != 0 &&
	    calls > 0 && once == calls, "%s: a deadlock at each of its %llu "
	    "calls, done once%s%s", name, (unsigned long long)calls,
	    first[0] ? ": " : "", first);
	ok(bad == 0, "%s: no space at each call, done wholly or not at all "
	    "(%zu of %llu)", name, whole, (unsigned long long)calls);
	free(name);
	result_free(&before);
	result_free(&after);
}

/* Run line, which must go through, and give the id it printed. */
static uint64_t
must_add(const char *line)
{
	struct result	 res;
	uint64_t	 id;

	run(&res, line);
	if (res.status != CMD_OK)
		tap_bail(res.error);
	id = added_id(res.out);
	result_free(&res);
	return (id);
}

/*
 * Where a merge of b into a, with c a contact of b's, stands: 1 done
 * (c is a's, b archived), 0 not begun (c is b's, b not archived), -1
 * anything else.
 */
static int
merged(uint64_t a, uint64_t b, uint64_t c)
{
	struct result	 who, bb;
	char		 line[256], ta[32], tb[32];
	int		 ofa, ofb, live, r;

	snprintf(line, sizeof line, "query contact^where^id^=^%llu^"
	    "cols^party", (unsigned long long)c);
	run(&who, line);
	snprintf(line, sizeof line, "query party^where^id^=^%llu^"
	    "cols^name", (unsigned long long)b);
	run(&bb, line);
	snprintf(ta, sizeof ta, "#%llu ", (unsigned long long)a);
	snprintf(tb, sizeof tb, "#%llu ", (unsigned long long)b);
	ofa = strstr(who.out, ta) != NULL;
	ofb = strstr(who.out, tb) != NULL;
	live = strstr(bb.out, "Слияев") != NULL;
	r = ofa && !ofb && !live ? 1 : !ofa && ofb && live ? 0 : -1;
	result_free(&who);
	result_free(&bb);
	return (r);
}

/*
 * A merge (what refers to B moves to A, B is archived) of a fresh pair,
 * with the at-th call failing with error (at 0: none); where it stands
 * after, as merged() says, and in *calls (unless NULL) the calls it
 * made.
 */
static int
merge_fresh(uint64_t at, int error, struct result *res, uint64_t *calls)
{
	uint64_t	 a, b, c;
	char		 line[256];

	a = must_add("add party kind=org name=ООО^Слияев^А");
	b = must_add("add party kind=org name=ООО^Слияев^Б");
	snprintf(line, sizeof line, "add contact party=%llu "
	    "name=Слияева^Анна", (unsigned long long)b);
	c = must_add(line);
	snprintf(line, sizeof line, "merge party %llu %llu",
	    (unsigned long long)a, (unsigned long long)b);
	store_fault_set(at, error);
	run(res, line);
	if (calls != NULL)
		*calls = store_fault_calls();
	store_fault_set(0, 0);
	return (merged(a, b, c));
}

/* Merges with a deadlock at each of their calls, done; with no space,
 * done or not begun. */
static void
merge_verb(void)
{
	struct result	 res;
	uint64_t	 calls, n;
	size_t		 done = 0, whole = 0;
	int		 m;

	m = merge_fresh(0, 0, &res, &calls);
	if (res.status != CMD_OK || m != 1)
		tap_bail(res.error);
	result_free(&res);
	for (n = 1; n <= calls; n++) {
		m = merge_fresh(n, STORE_FAULT_DEADLOCK, &res, NULL);
		if (res.status == CMD_OK && m == 1)
			done++;
		result_free(&res);

		m = merge_fresh(n, ENOSPC, &res, NULL);
		if ((res.status == CMD_OK && m == 1) ||
		    (res.status == CMD_FAILED && res.error[0] != '\0' &&
		    m == 0))
			whole++;
		else
			diag("merge, no space at call %llu: status %d, %s; "
			    "merged %d", (unsigned long long)n, res.status,
			    res.error, m);
		result_free(&res);
	}
	ok(calls > 0 && done == calls, "merge party A B: a deadlock at each "
	    "of its %llu calls, merged (%zu)", (unsigned long long)calls,
	    done);
	ok(whole == calls, "merge party A B: no space at each call, merged "
	    "or not begun (%zu of %llu)", whole, (unsigned long long)calls);
}

/* Every verb, reads and writes, on the store open now. */
static void
verbs(void)
{
	static const char *const reads[] = {
		"show party 3",
		"show party 3 --format json",
		"card party 3",
		"history party 3",
		"list party --sort name --limit 20",
		"list party kind^=^org --sort -name --limit 10",
		"page party --sort name --limit 15 --archived",
		"page party --sort name --limit 15",
		"page party --sort -city --search ив --limit 10",
		"page party --where kind^=^person --sort name --limit 10",
		"page party --group city --limit 10",
		"find Иван",
		"find 77",
		"find ооо --table party --limit 5",
		"query party^where^kind^=^org^cols^name",
		"view run persons",
		"report clients_by_source",
		"export contact --format json",
		"export party --archived",
		"merge party 3 4 --dry-run",
		"schema party",
		"admin user list",
	};
	size_t	i;

	for (i = 0; i < nitems(reads); i++)
		read_verb(reads[i]);

	write_verb("set party 5 notes=changed", "set party 5 notes=",
	    "query party^where^id^=^5^cols^name,notes");
	write_verb("rm party 7", "restore party 7",
	    "query party^where^id^=^7^cols^name");
	write_verb("restore party 8", "rm party 8",
	    "query party^where^id^=^8^cols^name");
	write_verb("view save orgs party^where^kind^=^org",
	    "view rm orgs", "view list");
	/* Adds, undone by a purge of what they added. */
	write_verb("add party kind=person name=Петров^Пётр", NULL,
	    "query party^where^name^=^'Петров^Пётр'^cols^name,kind");
	write_verb("add contact party=4 name=Сидорова^Анна", NULL,
	    "query contact^where^name^=^'Сидорова^Анна'^cols^name");
	/* An import into a table with records: rows one by one. */
	bulk = "party,name,phones\n"
	    "4,Алексеев Борис,+7 495 123-45-67\n"
	    "4,Борисова Вера,\n"
	    "5,Ромашкин Олег,8 (812) 555-12-12\n";
	write_verb("import contact new.csv", "*",
	    "query contact^where^party^<=^5^cols^party,name,phones");
	bulk = NULL;
	merge_verb();
}

/*
 * A session opened (what the server does for each connection) with
 * each of its calls failing: after a deadlock it opens as without it,
 * after no space it is refused with a message and nothing held.
 */
static void
session_faults(void)
{
	struct session	*s;
	struct buf	 err = BUF_INIT;
	uint64_t	 calls, n;
	size_t		 opened = 0, refused = 0;
	int		 r;

	store_fault_set(0, 0);
	if (access_session_open(st, "tester", &s, &err) != 0)
		tap_bail(err.data);
	calls = store_fault_calls();
	access_session_free(s);
	for (n = 1; n <= calls; n++) {
		store_fault_set(n, STORE_FAULT_DEADLOCK);
		r = access_session_open(st, "tester", &s, &err);
		store_fault_set(0, 0);
		if (r == 0 && access_is_admin(s))
			opened++;
		if (r == 0)
			access_session_free(s);
		store_fault_set(n, ENOSPC);
		r = access_session_open(st, "tester", &s, &err);
		store_fault_set(0, 0);
		if (r == 0)
			access_session_free(s);
		else if (err.len > 0)
			refused++;
		buf_reset(&err);
	}
	ok(calls > 0 && opened == calls, "a session opens with a deadlock at "
	    "each of its %llu calls", (unsigned long long)calls);
	ok(refused == calls, "and is refused with a message with no space "
	    "at each (%zu)", refused);
	buf_release(&err);
}

/* An import into an empty table, a bulk load (store_load()). */
static void
bulk_import(const char *path)
{
	struct store_options	 opt = { 0, STORE_CREATE | STORE_NOSYNC,
				    STORE_RCACHE_NONE };
	struct buf		 err = BUF_INIT;

	if (store_open(&st, path, schema, &opt, &err) != 0 ||
	    access_init(st, "tester", &err) != 0 ||
	    access_session_open(st, "tester", &sess, &err) != 0)
		tap_bail(err.data);
	bulk = "kind,name,inn,phones\n"
	    "person,Алексеев Борис,,+7 495 123-45-67\n"
	    "org,ООО Ромашка,7707083893,\n"
	    "sole,Борисова Вера Ильинична,,8 (812) 555-12-12\n";
	write_verb("import party new.csv", "*",
	    "query party^cols^name,kind,inn,phones");
	bulk = NULL;
	access_session_free(sess);
	store_close(st);
	buf_release(&err);
}

int
main(void)
{
	struct store_options	 opt = { 0, STORE_CREATE | STORE_NOSYNC,
				    STORE_RCACHE_NONE };
	struct buf		 err = BUF_INIT;
	struct result		 res;
	const char		*forms = getenv("CLERK_FORMS");
	char			 dir[] = "/tmp/clerk-test-cmd-retry.XXXXXX";
	char			 path[512], line[512];
	size_t			 i;

	if (forms == NULL)
		forms = TOP_SRCDIR "/forms";
	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	schema = schema_new();
	if (schema_load(schema, forms, &err) != 0)
		tap_bail(err.data);
	snprintf(path, sizeof path, "%s/db", dir);
	if (store_open(&st, path, schema, &opt, &err) != 0 ||
	    access_init(st, "tester", &err) != 0 ||
	    access_session_open(st, "tester", &sess, &err) != 0)
		tap_bail(err.data);
	run(&res, "admin demo --scale 60");
	if (res.status != CMD_OK)
		tap_bail(res.error);
	result_free(&res);
	/* A history to show, an archived party, a view to run. */
	for (i = 0; i < 4; i++) {
		run(&res, i == 0 ? "set party 3 notes=first" :
		    i == 1 ? "set party 3 notes=second" :
		    i == 2 ? "rm party 8" :
		    "view save persons party^where^kind^=^person^cols^name");
		if (res.status != CMD_OK)
			tap_bail(res.error);
		result_free(&res);
	}

	/*
	 * First with no records kept in memory, so every read is the
	 * store's; then as a server runs, with the records read lately
	 * kept (the store then calls less).
	 */
	verbs();
	access_session_free(sess);
	store_close(st);
	opt.flags &= ~STORE_CREATE;
	opt.rcache_mb = 0;
	if (store_open(&st, path, schema, &opt, &err) != 0 ||
	    access_session_open(st, "tester", &sess, &err) != 0)
		tap_bail(err.data);
	verbs();
	session_faults();
	access_session_free(sess);
	store_close(st);

	snprintf(path, sizeof path, "%s/db2", dir);
	bulk_import(path);

	schema_free(schema);
	buf_release(&err);
	snprintf(line, sizeof line, "rm -rf %s", dir);
	if (system(line) != 0)
		diag("cannot remove %s", dir);
	return (tap_done());
}
