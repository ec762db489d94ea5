/*
 * test-page.c: "page --search" answered from the order of the list kept
 * in memory (page-order.c, struct page_order) gives what the walk that
 * decodes and tests every record gives (--archived takes that walk; no
 * record is archived here, so both see the same rows): every page read
 * forward and backward by name and by -city (a sixth of the rows have
 * no city), and from rows spread over the list (--at, --after, --before,
 * with --wrap) in sorts by name and city both ways, byte for byte,
 * counts and "more" included.  And a search whose 100 matches all
 * lie at the far end of 6,000 rows costs a few store calls once the
 * order is whole, not a walk of the index and a read of every match.
 * Writes after the order was read (renames that carry a match across
 * the cursor, inserts, an archive and a restore, a purge) are seen at
 * once, the pages still the walk's, and the order is not read again
 * for them (the store's change journal says which ids to place by
 * their keys); past PAGE_ORDER_DIRTY written ids it is, by its thread.
 * The journal itself: numbers, the ids since, an aborted transaction
 * leaving nothing, a bulk write and a ring gone round saying "cannot
 * say".  Runs the verb in this process (cmd_run), as the server does.
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

/* Store calls of a far search from the start by name (the order whole:
 * a few dozen; the walk or loading every match: over 100). */
static uint64_t
far_calls(void)
{
	uint64_t	 calls;
	int		 s;

	store_fault_set(0, 0);
	free(page(&s, "party", "--sort", "name", "--search", "Яхонт",
	    "--limit", "1", "--cols", "name", NULL));
	calls = store_fault_calls();
	return (s == CMD_OK ? calls : UINT64_MAX);
}

/* The order by name, once its thread has read it (up to 10 s). */
static uint64_t
far_calls_whole(void)
{
	uint64_t	calls = UINT64_MAX;
	int		i;

	for (i = 0; i < 500 && (calls = far_calls()) >= 60; i++)
		usleep(20000);
	return (calls);
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

static int
rename_to(uint64_t id, const char *name)
{
	struct buf	err = BUF_INIT;
	struct rename	rn;
	int		r;

	rn.id = id;
	rn.name = name;
	if ((r = store_txn_run(st, 0, rename_txn, &rn, &err)) != 0)
		diag("rename %llu: %s", (unsigned long long)id, err.data);
	buf_release(&err);
	return (r);
}

/* A rename, then a failure: the transaction is aborted. */
static int
abort_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	if (rename_txn(txn, arg, err) != 0)
		return (-1);
	return (buf_error(err, "given up"));
}

/* Every record of ids [from, to) written again, its notes changed. */
struct touch {
	uint64_t	from, to;
	char		note[32];
};

static size_t	 touched;	/* by the last touch() */

static int
touch_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct touch	*tc = arg;
	struct record	*rec;
	uint64_t	 id;
	int		 r;

	touched = 0;
	for (id = tc->from; id < tc->to; id++) {
		if ((r = access_get(sess, txn, party, id, &rec, err)) ==
		    STORE_NOTFOUND)
			continue;
		if (r != 0)
			return (-1);
		set(rec, "notes", tc->note);
		r = access_update(sess, txn, rec, rec->rev, err);
		record_free(rec);
		if (r != 0)
			return (-1);
		touched++;
	}
	return (0);
}

static int
touch(uint64_t from, uint64_t to)
{
	static int	times;
	struct buf	err = BUF_INIT;
	struct touch	tc;
	int		r;

	snprintf(tc.note, sizeof tc.note, "touched %d", ++times);
	tc.from = from;
	tc.to = to;
	if ((r = store_txn_run(st, 0, touch_txn, &tc, &err)) != 0)
		diag("touch: %s", err.data);
	buf_release(&err);
	return (r);
}

enum change { ARCHIVE, RESTORE, PURGE };

struct change_arg {
	enum change	what;
	uint64_t	id;
};

static int
change_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct change_arg	*c = arg;

	switch (c->what) {
	case ARCHIVE:
		return (access_archive(sess, txn, party, c->id, err));
	case RESTORE:
		return (access_restore(sess, txn, party, c->id, err));
	default:
		return (access_purge(sess, txn, party, c->id, err));
	}
}

static int
change(enum change what, uint64_t id)
{
	struct buf		err = BUF_INIT;
	struct change_arg	c;
	int			r;

	c.what = what;
	c.id = id;
	if ((r = store_txn_run(st, 0, change_txn, &c, &err)) != 0)
		diag("change %llu: %s", (unsigned long long)id, err.data);
	buf_release(&err);
	return (r);
}

/* The id of the row at place k (from 1) of the list by sort. */
static uint64_t
id_at(const char *sort, int k, int last)
{
	char		 lim[16], *out, *p;
	uint64_t	 id;
	int		 s;

	snprintf(lim, sizeof lim, "%d", k);
	out = page(&s, "party", "--sort", sort, "--limit", lim, "--cols",
	    "name", last ? "--last" : NULL, NULL);
	p = row_field(out, !last, 0);
	id = p != NULL ? strtoull(p, NULL, 10) : 0;
	free(p);
	free(out);
	return (id);
}

/*
 * A whole list without a search, page by page (97 rows), forward from
 * the start or backward from the end: its ids in list order, and
 * whether each row has a city.  The rows with no city (not in the
 * index) are found by scanning the records' bytes (page_nulls_read).
 */
static size_t
walk_list(const char *sort, int backward, uint64_t *ids, int *hascity,
    size_t max)
{
	char		*out, *pos = NULL, *line, *p, *e;
	size_t		 n = 0, got, i, k, j;
	uint64_t	 tmp[97];
	int		 s, more, tcity[97];

	for (;;) {
		if (pos == NULL)
			out = page(&s, "party", "--sort", sort, "--limit", "97",
			    "--cols", "city", backward ? "--last" : NULL, NULL);
		else
			out = page(&s, "party", "--sort", sort, "--limit", "97",
			    "--cols", "city", backward ? "--before" : "--after",
			    pos, NULL);
		free(pos);
		pos = NULL;
		if (s != CMD_OK)
			return (0);
		got = 0;
		for (line = out; line != NULL && *line != '\0';
		    line = (e = strchr(line, '\n')) != NULL ? e + 1 : NULL) {
			if (strncmp(line, "row\t", 4) != 0 || got == 97)
				continue;
			tmp[got] = strtoull(line + 4, &p, 10);
			/* row ID POS CITY */
			p = strchr(p + 1, '\t');
			tcity[got++] = p != NULL && p[1] != '\n' &&
			    p[1] != '\0';
		}
		more = strstr(out, "\nmore\t1\n") != NULL;
		pos = row_field(out, !backward, 1);
		free(out);
		/* Backward pages come in list order: taken last first. */
		for (i = 0; i < got && n < max; i++) {
			k = backward ? got - 1 - i : i;
			ids[n] = tmp[k];
			hascity[n++] = tcity[k];
		}
		if (!more || pos == NULL || got == 0)
			break;
	}
	free(pos);
	if (backward)
		for (j = 0; j < n / 2; j++) {
			tmp[0] = ids[j];
			ids[j] = ids[n - 1 - j];
			ids[n - 1 - j] = tmp[0];
			s = hascity[j];
			hascity[j] = hascity[n - 1 - j];
			hascity[n - 1 - j] = s;
		}
	return (n);
}

/*
 * Every party once, the rows with a city first, then those without in
 * id order (descending for a descending sort), as many as have none;
 * backward the same list.
 */
static int
plain_list_right(const char *sort, size_t nocity)
{
	uint64_t	*a, *b;
	int		*ca, *cb, ok1 = 1, desc = sort[0] == '-';
	char		*seen;
	size_t		 na, nb, i, nulls = 0;

	a = xcalloc(NPARTY + 10, sizeof *a);
	b = xcalloc(NPARTY + 10, sizeof *b);
	ca = xcalloc(NPARTY + 10, sizeof *ca);
	cb = xcalloc(NPARTY + 10, sizeof *cb);
	seen = xcalloc(NPARTY + 10, 1);
	na = walk_list(sort, 0, a, ca, NPARTY + 10);
	nb = walk_list(sort, 1, b, cb, NPARTY + 10);
	if (na != NPARTY || nb != NPARTY) {
		diag("%s: %zu rows forward, %zu backward", sort, na, nb);
		ok1 = 0;
	}
	for (i = 0; ok1 && i < na; i++) {
		if (a[i] == 0 || a[i] > NPARTY || seen[a[i]]++) {
			diag("%s: row %zu: id %llu twice or unknown", sort, i,
			    (unsigned long long)a[i]);
			ok1 = 0;
		}
		if (!ca[i])
			nulls++;
		if (i > 0 && ca[i] && !ca[i - 1]) {
			diag("%s: a city after the rows without", sort);
			ok1 = 0;
		}
		if (i > 0 && !ca[i] && !ca[i - 1] &&
		    (desc ? a[i] > a[i - 1] : a[i] < a[i - 1])) {
			diag("%s: the rows without a city out of id order",
			    sort);
			ok1 = 0;
		}
		if (a[i] != b[i] || ca[i] != cb[i]) {
			diag("%s: row %zu differs backward", sort, i);
			ok1 = 0;
		}
	}
	if (ok1 && nulls != nocity) {
		diag("%s: %zu rows without a city, %zu expected", sort, nulls,
		    nocity);
		ok1 = 0;
	}
	free(a);
	free(b);
	free(ca);
	free(cb);
	free(seen);
	return (ok1);
}

/* The parties without a city, counted on the records. */
static int
nocity_fn(uint64_t id, const void *data, size_t len, void *arg)
{
	struct value	 v;

	(void)id;
	if (record_decode_field(data, len, table_field(party,
	    "city")->id, &v) != 1 || v.len == 0)
		(*(size_t *)arg)++;
	return (0);
}

static int
nocity_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	uint64_t	last;

	*(size_t *)arg = 0;
	return (store_scan(txn, party, 0, 0, 0, nocity_fn, arg, &last, err));
}

/* Every search from rows spread over the list, as the walk's. */
static int
spread_same(const char *sort, const char *const *queries, size_t nq)
{
	char	*pos[8], *pg, at[32];
	size_t	 j, k;
	int	 all = 1, s;

	for (k = 0; k < nitems(pos); k++) {
		/* The k-th eighth of the list, and the row there. */
		snprintf(at, sizeof at, "%zu", (k * 997) % 500 + 1);
		pg = page(&s, "party", "--sort", sort, "--limit", at, "--cols",
		    "name", k % 2 ? "--last" : NULL, NULL);
		pos[k] = row_field(pg, !(k % 2), 1);
		free(pg);
	}
	for (k = 0; k < nitems(pos); k++) {
		for (j = 0; pos[k] != NULL && j < nq; j++)
			all &= same_call(sort, queries[j], "3", "--at", pos[k],
			    NULL) & same_call(sort, queries[j], "3", "--after",
			    pos[k], NULL) & same_call(sort, queries[j], "3",
			    "--before", pos[k], NULL);
		free(pos[k]);
	}
	return (all);
}

int
main(void)
{
	static const char *const sorts[] = { "name", "-name", "city", "-city" };
	static const char *const queries[] = { "Яхонт", "ив пе", "орё",
		"сидоров ир" };
	static const char *const dense[] = { "а" };
	struct store_options	 opt = { 0, STORE_CREATE | STORE_NOSYNC, 0 };
	struct buf		 err = BUF_INIT;
	struct load		 l;
	struct rename		 rn;
	char			 dir[512], path[600], *out, *p;
	uint64_t		 calls, seq0, seq1, id1, id2, *ids;
	size_t			 i, j, n;
	int			 s, r, all;

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
	ids = xcalloc(16384, sizeof *ids);

	/* The first call of each list starts its order's thread. */
	for (i = 0; i < nitems(sorts); i++)
		free(page(&s, "party", "--sort", sorts[i], "--limit", "1",
		    "--cols", "name", NULL));
	calls = far_calls_whole();
	out = page(&s, "party", "--sort", "name", "--search", "Яхонт",
	    "--limit", "1", "--cols", "name", NULL);
	ok(s == CMD_OK && strstr(out, "shown\t100\n") != NULL,
	    "100 far matches");
	p = row_field(out, 0, 2);
	ok(s == CMD_OK && p != NULL && strncmp(p, "Яхонтов", 14) == 0,
	    "the first of them comes from the start by name");
	free(p);
	free(out);
	ok(calls < 60, "in %llu store calls once the order is read (the "
	    "walk and a read of each match: over 100)",
	    (unsigned long long)calls);
	/* The others whole too, for the comparisons below. */
	usleep(300000);

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
	/* Matches that dense are found by walking the order from the
	 * cursor (page_order_walk): from rows spread over each list. */
	for (i = 0; i < nitems(sorts); i++)
		ok(spread_same(sorts[i], dense, nitems(dense)),
		    "'а' from rows spread over the list by %s", sorts[i]);
	/* Whole lists without a search, across the rows with no city. */
	if (store_txn_run(st, STORE_TXN_READONLY, nocity_txn, &n, &err) != 0)
		tap_bail(err.data);
	ok(n > 0 && plain_list_right("city", n), "by city: every party once, "
	    "the %zu without a city last in id order, backward the same", n);
	ok(plain_list_right("-city", n), "by -city: the same, those without "
	    "a city last in descending id order");
	/* From rows spread over the unsearched list, rows with no city
	 * among them. */
	for (i = 0; i < nitems(sorts); i++)
		ok(spread_same(sorts[i], queries, nitems(queries)),
		    "by %s: --at, --after and --before rows spread over the "
		    "list, with --wrap, as the walk's", sorts[i]);

	/* The journal: a commit, the ids since, an abort. */
	seq0 = store_journal_seq(st);
	id1 = id_at("name", 1, 0);
	ok(rename_to(id1, "Яхонтова Агата Петровна") == 0,
	    "rename the first row by name into the far cluster");
	seq1 = store_journal_seq(st);
	r = store_journal_since(st, party, seq0, ids, 16, &n);
	ok(seq1 == seq0 + 1 && r == 0 && n == 1 && ids[0] == id1,
	    "the journal: the next number, and the id written since");
	r = store_journal_since(st, party, seq1, ids, 16, &n);
	ok(r == 0 && n == 0, "nothing since the last number");
	ok(store_journal_since(st, party, seq0, ids, 0, &n) == 1,
	    "more ids than asked for: cannot say");
	rn.id = id_at("name", 2, 0);
	rn.name = "Ъ";
	ok(store_txn_run(st, 0, abort_txn, &rn, &err) != 0 &&
	    store_journal_seq(st) == seq1 &&
	    store_journal_since(st, party, seq1, ids, 16, &n) == 0 && n == 0,
	    "an aborted transaction leaves nothing in the journal");
	buf_reset(&err);

	/* A rename after the order was read: seen at once. */
	out = page(&s, "party", "--sort", "name", "--search", "Яхонт",
	    "--last", "--limit", "1", "--cols", "name", NULL);
	p = row_field(out, 0, 2);
	ok(strstr(out, "shown\t101\n") != NULL && p != NULL &&
	    strcmp(p, "Яхонтова Агата Петровна") == 0,
	    "it counts, and comes last by name");
	free(out);
	free(p);
	ok(same_pages("name", "Яхонт", "7", 0) && same_pages("-name",
	    "Яхонт", "7", 1), "and the pages are the walk's");
	calls = far_calls();
	ok(calls < 60, "the order is not read again for it: %llu store "
	    "calls", (unsigned long long)calls);

	/* Matches carried across a cursor in the middle, both ways;
	 * inserts (ids past the order's end); an archive, a restore, a
	 * purge. */
	id2 = id_at("name", 5, 0);
	all = rename_to(id2, "Яхонтов Борис Олегович") == 0;
	out = page(&s, "party", "--sort", "-name", "--search", "Яхонтов",
	    "--limit", "3", "--cols", "name", NULL);
	p = row_field(out, 0, 0);
	all &= p != NULL && rename_to(strtoull(p, NULL, 10),
	    "Абрамова Яхонта Ивановна") == 0;
	free(p);
	free(out);
	all &= rename_to(id_at("name", 500, 0), "Мартынов Яхонт Ильич") == 0;
	l.from = NPARTY;
	l.to = NPARTY + 3;
	all &= store_txn_run(st, 0, load_txn, &l, &err) == 0;
	out = page(&s, "party", "--sort", "name", "--search", "Яхонтов",
	    "--limit", "3", "--cols", "name", NULL);
	p = row_field(out, 0, 0);
	id2 = p != NULL ? strtoull(p, NULL, 10) : 0;
	free(p);
	free(out);
	all &= change(ARCHIVE, id2) == 0;
	ok(all, "more renames, inserts and an archive");
	out = page(&s, "party", "--sort", "name", "--search", "Яхонтов",
	    "--limit", "500", "--cols", "name", NULL);
	snprintf(path, sizeof path, "row\t%llu\t", (unsigned long long)id2);
	ok(strstr(out, path) == NULL, "the archived match is gone at once");
	free(out);
	ok(change(RESTORE, id2) == 0 && change(PURGE, id_at("name", 7, 1)) ==
	    0 && change(PURGE, id_at("-city", 2, 0)) == 0,
	    "restore it, purge two");
	all = 1;
	for (i = 0; i < nitems(sorts); i++)
		for (j = 0; j < nitems(queries); j++)
			all &= same_pages(sorts[i], queries[j], "7", i % 2);
	ok(all, "after those writes every page of every search is the "
	    "walk's");
	for (i = 0; i < nitems(sorts); i++)
		ok(spread_same(sorts[i], queries, nitems(queries)),
		    "by %s after the writes: from rows spread over the list "
		    "as the walk's", sorts[i]);
	calls = far_calls();
	ok(calls < 60, "and the order is still not read again: %llu store "
	    "calls", (unsigned long long)calls);

	/* Too much written: the order is read again by its thread. */
	seq0 = store_journal_seq(st);
	ok(touch(1, 2200) == 0 && store_journal_since(st, party, seq0, ids,
	    16384, &n) == 0 && n == 2199, "write 2,199 records");
	ok(same_pages("name", "Яхонт", "7", 0) && same_pages("-name",
	    "Яхонт", "7", 1), "the pages are the walk's");
	calls = far_calls_whole();
	ok(calls < 60, "the order read again: %llu store calls",
	    (unsigned long long)calls);
	ok(same_pages("name", "Яхонт", "7", 0) && spread_same("name", queries,
	    nitems(queries)), "and its pages the walk's");

	/* The journal cannot say after a bulk write, or once its ring has
	 * gone round. */
	seq0 = store_journal_seq(st);
	ok(touch(1, 4200) == 0 && store_journal_since(st, party, seq0, ids,
	    16384, &n) == 1, "a transaction writing 4,199: cannot say");
	seq0 = store_journal_seq(st);
	ok(touch(1, 4000) == 0 && touch(1, 4000) == 0 &&
	    (seq1 = store_journal_seq(st)) != 0 && touch(1, 4000) == 0 &&
	    store_journal_since(st, party, seq0, ids, 16384, &n) == 1,
	    "three of 3,999: the ring no longer reaches back");
	r = store_journal_since(st, party, seq1, ids, 16384, &n);
	ok(r == 0 && n == touched, "but it has the last one's: %zu ids",
	    n);

	cmd_page_stop(st);
	free(ids);
	access_session_free(sess);
	store_close(st);
	schema_free(schema);
	rm_tree(dir);
	buf_release(&err);
	return (tap_done());
}
