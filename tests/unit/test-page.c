/*
 * test-page.c: "page --search" answered from the order of the list kept
 * in memory (cmd-page.c, struct page_order) gives what the walk that
 * decodes and tests every record gives (--archived takes that walk; no
 * record is archived here, so both see the same rows): every page read
 * forward and backward by name and by -city (a sixth of the rows have
 * no city), and from rows spread over the list (--at, --after, --before,
 * with --wrap) in sorts by name and city both ways, byte for byte,
 * counts and "more" included.  A rename after the order was read is
 * seen at once (the older way answers), and once the store has been
 * quiet the order is read again.  And a search whose 100 matches all
 * lie at the far end of 6,000 rows costs a few store calls once the
 * order is whole, not a walk of the index and a read of every match.
 * Runs the verb in this process (cmd_run), as the server does.
 */
#include "config.h"

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
#include "party-gen.h"

#define NPARTY	6000
#define NFAR	100		/* "Яхонтов ...": last by name */

static struct store	*st;
static struct schema	*schema;
static struct session	*sess;
static struct table	*party;

/* Run "page ARGS..." and return its output (the caller frees). */
static char *
page(int *status, const char *first, ...)
{
	struct cmd_ctx	 ctx;
	va_list		 ap;
	char		*argv[24], *out;
	int		 argc = 0;
	const char	*a;

	va_start(ap, first);
	for (a = first; a != NULL && argc < 23; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	cmd_ctx_init(&ctx);
	ctx.session = sess;
	ctx.store = st;
	ctx.schema = schema;
	*status = cmd_run(&ctx, "page", argc, argv);
	if (*status != CMD_OK)
		diag("page: %s", ctx.error.data);
	out = xstrdup(ctx.out.data != NULL ? ctx.out.data : "");
	cmd_ctx_release(&ctx);
	return (out);
}

/* Field k (from 0) of the first (or last) "row" line of out. */
static char *
row_field(const char *out, int last, int k)
{
	const char	*p = NULL, *q, *e;
	int		 i;

	for (q = out; (q = strstr(q, "row\t")) != NULL; q++)
		if (q == out || q[-1] == '\n') {
			p = q;
			if (!last)
				break;
		}
	if (p == NULL)
		return (NULL);
	for (i = 0; i <= k; i++)
		p = strchr(p, '\t') + 1;
	for (e = p; *e != '\t' && *e != '\n' && *e != '\0'; e++)
		;
	return (xstrndup(p, (size_t)(e - p)));
}

static int
more_of(const char *out)
{
	return (strstr(out, "\nmore\t1\n") != NULL);
}

/* The order's answer and the oracle's (--archived) to one call. */
static int
same_call(const char *sort, const char *q, const char *lim,
    const char *mode, const char *pos, char **outp)
{
	char	*a, *b;
	int	 sa, sb, same;

	if (pos != NULL) {
		a = page(&sa, "party", "--sort", sort, "--search", q, "--cols",
		    "name,city", "--limit", lim, "--wrap", mode, pos, NULL);
		b = page(&sb, "party", "--sort", sort, "--search", q, "--cols",
		    "name,city", "--limit", lim, "--wrap", "--archived", mode,
		    pos, NULL);
	} else {
		a = page(&sa, "party", "--sort", sort, "--search", q, "--cols",
		    "name,city", "--limit", lim, mode, NULL);
		b = page(&sb, "party", "--sort", sort, "--search", q, "--cols",
		    "name,city", "--limit", lim, "--archived", mode, NULL);
	}
	same = sa == CMD_OK && sb == CMD_OK && strcmp(a, b) == 0;
	if (!same)
		diag("'%s' by %s %s %s differs:\n%.400s---\n%.400s", q, sort,
		    mode != NULL ? mode : "", pos != NULL ? pos : "", a, b);
	free(b);
	if (outp != NULL)
		*outp = a;
	else
		free(a);
	return (same);
}

/*
 * Every page of a search read forward from the start (backward from the
 * end); 1 when the order's and the oracle's are all the same.
 */
static int
same_pages(const char *sort, const char *q, const char *lim, int backward)
{
	char	*a, *pos = NULL;
	int	 same, more;

	same = same_call(sort, q, lim, backward ? "--last" : NULL, NULL, &a);
	for (;;) {
		free(pos);
		pos = row_field(a, !backward, 1);
		more = more_of(a);
		free(a);
		if (!same || !more || pos == NULL)
			break;
		same = same_call(sort, q, lim, backward ? "--before" :
		    "--after", pos, &a);
	}
	free(pos);
	return (same);
}

struct load {
	uint32_t	seed;
	int		from, to;
};

static int
load_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	static const char *const sur[] = { "Иванов", "Петров", "Сидоров",
		"Кузнецов", "Орлов", "Морозов", "Волков", "Лебедев",
		"Соколов", "Попов", "Абрамов", "Жуков", "Фёдоров", "Ершов" };
	static const char *const first[] = { "Иван", "Пётр", "Сергей",
		"Алексей", "Ирина", "Анна", "Олег", "Мария" };
	static const char *const pat[] = { "Иванович", "Петрович",
		"Сергеевич", "Алексеевна", "Олеговна", "Андреевич" };
	static const char *const city[] = { "Москва", "Казань", "Омск",
		"Тверь", "Самара", "Пермь", "Орёл" };
	struct load	*l = arg;
	struct record	*rec;
	char		 name[256];
	uint32_t	 s = l->seed;
	int		 i, r;

	for (i = l->from; i < l->to; i++) {
		rec = record_new(party);
		if (i % (NPARTY / NFAR) == 1)
			snprintf(name, sizeof name, "Яхонтов %s %s",
			    first[rnd(&s) % nitems(first)],
			    pat[rnd(&s) % nitems(pat)]);
		else
			snprintf(name, sizeof name, "%s %s %s",
			    sur[rnd(&s) % nitems(sur)],
			    first[rnd(&s) % nitems(first)],
			    pat[rnd(&s) % nitems(pat)]);
		set(rec, "kind", "person");
		set(rec, "status", "lead");
		set(rec, "name", name);
		if (i % 6 != 0)
			set(rec, "city", city[rnd(&s) % nitems(city)]);
		r = access_insert(sess, txn, rec, err);
		record_free(rec);
		if (r != 0)
			return (-1);
	}
	return (0);
}

struct rename {
	uint64_t	id;
	const char	*name;
};

static int
rename_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct rename	*rn = arg;
	struct record	*rec;
	int		 r;

	if ((r = access_get(sess, txn, party, rn->id, &rec, err)) != 0)
		return (r == STORE_NOTFOUND ? buf_error(err, "no record") : -1);
	set(rec, "name", rn->name);
	r = access_update(sess, txn, rec, rec->rev, err);
	record_free(rec);
	return (r);
}

int
main(void)
{
	static const char *const sorts[] = { "name", "-name", "city", "-city" };
	static const char *const queries[] = { "Яхонт", "ив пе", "орё",
		"сидоров ир" };
	struct store_options	 opt = { 0, STORE_CREATE | STORE_NOSYNC };
	struct buf		 err = BUF_INIT;
	struct load		 l;
	struct rename		 rn;
	char			 dir[512], path[600], *out, *pos[8], *p;
	uint64_t		 calls;
	size_t			 i, j, k;
	int			 s, all;

	tmp_folder(dir, sizeof dir, "page");
	schema = party_schema(&party);
	snprintf(path, sizeof path, "%s/db", dir);
	if (store_open(&st, path, schema, &opt, &err) != 0 ||
	    access_init(st, "tester", &err) != 0 ||
	    access_session_open(st, "tester", &sess, &err) != 0)
		tap_bail(err.data);
	l.seed = 2026;
	for (l.from = 0; l.from < NPARTY; l.from += 1000) {
		l.to = l.from + 1000;
		if (store_txn_run(st, 0, load_txn, &l, &err) != 0)
			tap_bail(err.data);
	}

	/* The orders of the lists are read a slice a call: make them whole. */
	for (i = 0; i < nitems(sorts); i++)
		for (k = 0; k < 40; k++)
			free(page(&s, "party", "--sort", sorts[i], "--limit",
			    "1", "--cols", "name", NULL));

	out = page(&s, "party", "--sort", "name", "--search", "Яхонт",
	    "--limit", "1", "--cols", "name", NULL);
	ok(s == CMD_OK && strstr(out, "shown\t100\n") != NULL,
	    "100 far matches");
	free(out);
	/* From the start by name, where none of them is near. */
	store_fault_set(0, 0);
	out = page(&s, "party", "--sort", "name", "--search", "Яхонт",
	    "--limit", "1", "--cols", "name", NULL);
	calls = store_fault_calls();
	p = row_field(out, 0, 2);
	ok(s == CMD_OK && p != NULL && strncmp(p, "Яхонтов", 14) == 0,
	    "the first of them comes");
	free(p);
	free(out);
	ok(calls < 60, "in %llu store calls (the walk and a read of each "
	    "match: over 100)", (unsigned long long)calls);

	for (i = 0; i < nitems(sorts); i += 3)
		for (j = 0; j < nitems(queries); j++) {
			ok(same_pages(sorts[i], queries[j], "7", 0),
			    "'%s' by %s: every page forward as the walk's",
			    queries[j], sorts[i]);
			ok(same_pages(sorts[i], queries[j], "7", 1),
			    "'%s' by %s: every page backward as the walk's",
			    queries[j], sorts[i]);
		}
	ok(same_pages("name", "а", "50", 0) && same_pages("-city", "а", "50",
	    1), "'а' (most rows) by name forward and by -city backward");

	/* From rows spread over the unsearched list, rows with no city
	 * among them. */
	for (i = 0; i < nitems(sorts); i++) {
		all = 1;
		for (k = 0; k < nitems(pos); k++) {
			char	 at[32];
			char	*pg;

			/* The k-th eighth of the list, and the row there. */
			snprintf(at, sizeof at, "%zu", (k * 997) % 500 + 1);
			pg = page(&s, "party", "--sort", sorts[i], "--limit",
			    at, "--cols", "name", k % 2 ? "--last" : NULL,
			    NULL);
			pos[k] = row_field(pg, !(k % 2), 1);
			free(pg);
		}
		for (k = 0; k < nitems(pos); k++) {
			for (j = 0; pos[k] != NULL && j < nitems(queries); j++)
				all &= same_call(sorts[i], queries[j], "3",
				    "--at", pos[k], NULL) & same_call(sorts[i],
				    queries[j], "3", "--after", pos[k], NULL) &
				    same_call(sorts[i], queries[j], "3",
				    "--before", pos[k], NULL);
			free(pos[k]);
		}
		ok(all, "by %s: --at, --after and --before rows spread over "
		    "the list, with --wrap, as the walk's", sorts[i]);
	}

	/* A rename moves a row into the far cluster: seen at once. */
	out = page(&s, "party", "--sort", "name", "--limit", "1", "--cols",
	    "name", NULL);
	p = row_field(out, 0, 0);
	free(out);
	rn.id = p != NULL ? strtoull(p, NULL, 10) : 0;
	rn.name = "Яхонтова Агата Петровна";
	free(p);
	ok(store_txn_run(st, 0, rename_txn, &rn, &err) == 0,
	    "rename the first row by name");
	out = page(&s, "party", "--sort", "name", "--search", "Яхонт",
	    "--last", "--limit", "1", "--cols", "name", NULL);
	p = row_field(out, 0, 2);
	ok(strstr(out, "shown\t101\n") != NULL && p != NULL &&
	    strcmp(p, rn.name) == 0, "it counts, and comes last by name");
	free(out);
	free(p);
	ok(same_pages("name", "Яхонт", "7", 0) && same_pages("-name",
	    "Яхонт", "7", 1), "and the pages are the walk's");
	/* The order is read again once the store has been quiet. */
	sleep(2);
	for (k = 0; k < 40; k++)
		free(page(&s, "party", "--sort", "name", "--limit", "1",
		    "--cols", "name", NULL));
	store_fault_set(0, 0);
	out = page(&s, "party", "--sort", "name", "--search", "Яхонт",
	    "--limit", "1", "--cols", "name", NULL);
	calls = store_fault_calls();
	free(out);
	ok(calls < 60, "read again after the write: %llu store calls",
	    (unsigned long long)calls);

	access_session_free(sess);
	store_close(st);
	schema_free(schema);
	rm_tree(dir);
	buf_release(&err);
	return (tap_done());
}
