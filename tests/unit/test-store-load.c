/*
 * test-store-load: store_load(), many parties into an empty table at
 * once.  The same rows go into one store by store_insert() one by one
 * and into another by store_load(), each in one transaction; then
 * store_check() passes on both, every database file of the two holds
 * the same key/data pairs byte for byte (records, every index, the word
 * index, the audit trail), Berkeley DB verifies them, and search, pages
 * by name and history find the loaded records.  A bad row anywhere (an
 * ИНН with a wrong check digit, two organisations with one ИНН and КПП,
 * a contact of a party that does not exist) fails the load naming the
 * row(s), and after the abort nothing is there.  A table with a record,
 * even archived, is refused (STORE_NOTEMPTY) without a write.  Loads
 * run in a bulk transaction (STORE_TXN_BULK), as an import's: it writes
 * a fraction of the log of the same load in a plain one, and rows added
 * one by one in it (a table that was not empty after all) are there and
 * consistent.  The word keys of the last third of a bulk load's rows are
 * made after its rows, and the files are the same; so they are with the
 * word index's puts in buffers of 4 KB, made beside the writer, and any
 * call failing as the producer waits for room fails the load cleanly.
 * Looks inside the files with Berkeley DB itself.
 */
#include "config.h"

#include <db.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "tap.h"
#include "party-gen.h"

#define NROWS	3000
/* Rows of the load in batches, and its budget: about 3 KB of keys a
 * row, so a batch of some 2,700 rows. */
#define NBIG	21000
#define NBIG_BUDGET	((size_t)8 << 20)

static struct buf err = BUF_INIT;
static struct table *party;
static const struct table *contact;

/* The rows, encoded, as an import keeps them. */
struct rows {
	const struct table *t;
	struct buf	 enc;
	size_t		 off[NBIG], len[NBIG];
	size_t		 n;
};

static void
rows_add(struct rows *r, const struct record *rec)
{
	r->off[r->n] = r->enc.len;
	record_encode(rec, &r->enc);
	r->len[r->n] = r->enc.len - r->off[r->n];
	r->n++;
}

static int
rows_row(void *arg, size_t i, struct record *rec, struct buf *e)
{
	struct rows	*r = arg;

	if (record_decode(rec, r->enc.data + r->off[i], r->len[i], e) != 0)
		return (-1);
	rec->id = 0;
	return (0);
}

/*
 * Party i: persons, sole proprietors and organisations with words that
 * many share (names, cities, tags) and that few do (ИНН, phones).
 */
static void
make_party(struct record *rec, unsigned i)
{
	static const char *fam[] = { "Иванов", "Петров", "Сидоров",
	    "Смирнов", "Кузнецов", "Попов", "Фёдоров" };
	static const char *city[] = { "Москва", "Тверь", "Казань", "Омск" };
	static const char *tag[] = { "опт", "розница", "vip", "отсрочка" };
	static const char *status[] = { "lead", "active", "inactive" };
	char		 inn[16], ogrn[16], v[200];

	record_reset(rec);
	switch (i % 3) {
	case 0:
		set(rec, "kind", "person");
		snprintf(v, sizeof(v), "%s Иван %u", fam[i % 7], i);
		set(rec, "name", v);
		make_inn12(inn, i);
		set(rec, "inn", inn);
		break;
	case 1:
		set(rec, "kind", "sole");
		snprintf(v, sizeof(v), "ИП %s Пётр %u", fam[i % 7], i);
		set(rec, "name", v);
		make_inn12(inn, i);
		set(rec, "inn", inn);
		make_ogrn(ogrn, i, 1);
		set(rec, "ogrn", ogrn);
		break;
	default:
		set(rec, "kind", "org");
		snprintf(v, sizeof(v), "ООО \"%s и партнёры %u\"", fam[i % 7],
		    i % 500);
		set(rec, "name", v);
		snprintf(v, sizeof(v), "%s и партнёры", fam[i % 7]);
		set(rec, "short_name", v);
		make_inn10(inn, i);
		set(rec, "inn", inn);
		set(rec, "kpp", "770101001");
		make_ogrn(ogrn, i, 0);
		set(rec, "ogrn", ogrn);
		break;
	}
	set(rec, "city", city[i % 4]);
	snprintf(v, sizeof(v), "+7495%07u, +7916%07u", i, i % 1000);
	set(rec, "phones", v);
	snprintf(v, sizeof(v), "p%u@example.ru", i);
	set(rec, "emails", v);
	set(rec, "manager", i % 2 ? "kuznetsov" : "morozov");
	set(rec, "status", status[i % 3]);
	snprintf(v, sizeof(v), "%s, %s", tag[i % 4], tag[(i / 4) % 4]);
	set(rec, "tags", v);
}

static struct store *
open_store(const char *dir, struct schema *sc)
{
	struct store_options o = { 16, STORE_NOSYNC | STORE_CREATE, 0 };
	struct store	*s;

	if (store_open(&s, dir, sc, &o, &err) == -1) {
		diag("store_open %s: %s", dir, err.data);
		tap_bail("cannot open the store");
	}
	return (s);
}

/* Transactions of the tests. */
struct job {
	struct rows	*rows;
	struct store_load l;
	size_t		 budget;
	int		 ret;		/* store_load()'s */
	const char	*user;
};

static int
insert_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct job	*j = arg;
	struct record	*rec = record_new(j->rows->t);
	size_t		 i;
	int		 r = 0;

	for (i = 0; i < j->rows->n && r == 0; i++)
		if ((r = rows_row(j->rows, i, rec, e)) == 0)
			r = store_insert(t, rec, j->user, e);
	record_free(rec);
	return (r);
}

/* Rows a block of the key thread's, when the loads have one (0: no
 * peek(), so no key thread). */
static size_t	 key_rows;

/* Bytes of a buffer of the word index's puts (0: store_load()'s). */
static size_t	 put_bytes;

/* A producer slower than the key thread: row() waits this long a row. */
static unsigned	 row_wait_us;

static int
rows_row_slow(void *arg, size_t i, struct record *rec, struct buf *e)
{
	usleep(row_wait_us);
	return (rows_row(arg, i, rec, e));
}

static int
load_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct job	*j = arg;

	memset(&j->l, 0, sizeof(j->l));
	j->l.table = j->rows->t;
	j->l.n = j->rows->n;
	j->l.row = row_wait_us != 0 ? rows_row_slow : rows_row;
	if (key_rows != 0) {
		j->l.peek = rows_row;
		j->l.key_rows = key_rows;
	}
	j->l.arg = j->rows;
	j->l.budget = j->budget;
	j->l.put_bytes = put_bytes;
	j->ret = store_load(t, &j->l, j->user, e);
	/* Too big: aborted, as store.h asks. */
	return (j->ret == STORE_TOOBIG ? -1 : j->ret);
}

static int
load_budget(struct store *s, struct rows *rows, struct job *j,
    size_t budget, int flags)
{
	int	ret;

	memset(j, 0, sizeof(*j));
	j->rows = rows;
	j->user = "ivanov";
	j->budget = budget;
	buf_reset(&err);
	ret = store_txn_run(s, flags, load_txn, j, &err);
	return (j->ret == STORE_TOOBIG ? STORE_TOOBIG : ret);
}

/* A bulk transaction, as an import's, with store_load()'s own budget. */
static int
load(struct store *s, struct rows *rows, struct job *j)
{
	return (load_budget(s, rows, j, 0, STORE_TXN_BULK));
}

/* Bytes of log the store's environment has written. */
static uint64_t
log_bytes(struct store *s)
{
	DB_LOG_STAT	*st;
	uint64_t	 n;

	if (s->env->log_stat(s->env, &st, 0) != 0)
		tap_bail("cannot read the log statistics");
	n = (uint64_t)st->st_w_mbytes * 1024 * 1024 + st->st_w_bytes;
	free(st);
	return (n);
}

struct cnt {
	const struct table *t;
	uint64_t	 n;
};

static int
count_txn(struct store_txn *tx, void *arg, struct buf *e)
{
	struct cnt	*c = arg;

	return (store_count(tx, c->t, &c->n, e));
}

static uint64_t
count(struct store *s, const struct table *t)
{
	struct cnt	c = { t, 0 };

	if (store_txn_run(s, STORE_TXN_READONLY, count_txn, &c, &err) != 0)
		diag("count: %s", err.data);
	return (c.n);
}

/* Every .db file of a against the same of b. */
static void
compare_dirs(const char *a, const char *b)
{
	DIR		*dir;
	struct dirent	*de;
	struct buf	 x = BUF_INIT, y = BUF_INIT;
	char		*pa, *pb;
	size_t		 n, files = 0, bad = 0, len;

	if ((dir = opendir(a)) == NULL)
		tap_bail("cannot read the folder");
	while ((de = readdir(dir)) != NULL) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".db") != 0)
			continue;
		xasprintf(&pa, "%s/%s", a, de->d_name);
		xasprintf(&pb, "%s/%s", b, de->d_name);
		buf_reset(&x);
		buf_reset(&y);
		if (dump_file(pa, &x) != 0 || dump_file(pb, &y) != 0) {
			diag("cannot read %s", de->d_name);
			bad++;
		} else if (x.len != y.len || (x.len != 0 &&
		    memcmp(x.data, y.data, x.len) != 0)) {
			for (n = 0; n < x.len && n < y.len &&
			    x.data[n] == y.data[n]; n++)
				;
			diag("%s differs (%zu against %zu bytes, from byte "
			    "%zu)", de->d_name, x.len, y.len, n);
			bad++;
		}
		files++;
		free(pa);
		free(pb);
	}
	closedir(dir);
	ok(files >= 15, "the files compared: %zu", files);
	ok(bad == 0, "every file the same, key/data pairs byte for byte");
	buf_release(&x);
	buf_release(&y);
}

/* Reads of a loaded store: search, a page by name, history. */
struct reads {
	uint64_t	 ids[8];
	size_t		 nids;
	struct record	**page;
	size_t		 npage;
	struct audit_entry *h;
	size_t		 nh;
};

static int
reads_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct reads	*r = arg;
	static const char key[] = "кузнецов";

	if (store_search(t, party, "Петров Иван 2997", r->ids, 8, &r->nids,
	    e) < 0)
		return (-1);
	if (store_page(t, party, "name", key, strlen(key), 0,
	    STORE_PAGE_FROM, 5, &r->page, &r->npage, e) < 0)
		return (-1);
	return (store_history(t, party, 1000, &r->h, &r->nh, e) < 0 ? -1 : 0);
}

static void
test_same(struct schema *sc, const char *top, struct rows *rows)
{
	struct store	*sa, *sb;
	struct job	 j;
	struct reads	 r;
	char		*da, *db;
	char		 name[300];
	size_t		 i;
	int		 ret;

	xasprintf(&da, "%s/one-by-one", top);
	xasprintf(&db, "%s/loaded", top);
	sa = open_store(da, sc);
	sb = open_store(db, sc);
	memset(&j, 0, sizeof(j));
	j.rows = rows;
	j.user = "ivanov";
	ok(store_txn_run(sa, 0, insert_txn, &j, &err) == 0,
	    "%zu parties inserted one by one", rows->n);
	ret = load(sb, rows, &j);
	ok(ret == 0, "the same parties loaded at once");
	if (ret != 0)
		diag("%s", err.data);
	is_int((int)count(sb, party), NROWS, "the count of the loaded table");
	/* Rows 2,000 to 2,999 their word keys after the rows; the files
	 * are compared with those of the inserts below. */
	is_int((int)j.l.late, NROWS / 3, "the word keys of the last third "
	    "made after the rows");
	ok(store_check(sa, party, &err) == 0, "store_check, one by one");
	ret = store_check(sb, party, &err);
	ok(ret == 0, "store_check, loaded: every index equals the records");
	if (ret != 0)
		diag("%s", err.data);

	memset(&r, 0, sizeof(r));
	ret = store_txn_run(sb, STORE_TXN_READONLY, reads_txn, &r, &err);
	ok(ret == 0, "search, page and history of the loaded table");
	if (ret != 0)
		diag("%s", err.data);
	ok(r.nids == 1 && r.ids[0] == 2998, "search finds a loaded party "
	    "by its name and number");
	ok(r.npage == 5, "a page of 5 by name from 'кузнецов'");
	for (i = 0; i < r.npage; i++) {
		snprintf(name, sizeof(name), "%s",
		    r.page[i]->values[table_field_pos(party, "name")].s);
		diag("page: %llu %s", (unsigned long long)r.page[i]->id, name);
		if (strncmp(name, "Кузнецов", strlen("Кузнецов")) != 0)
			break;
	}
	ok(i == r.npage, "the page holds the Кузнецовs");
	ok(r.nh == 1 && strcmp(r.h[0].action, "insert") == 0 &&
	    strcmp(r.h[0].user, "ivanov") == 0,
	    "the history of a loaded party is its insert");
	for (i = 0; i < r.npage; i++)
		record_free(r.page[i]);
	free(r.page);
	store_history_free(r.h, r.nh);

	store_close(sa);
	store_close(sb);
	compare_dirs(da, db);
	ret = store_verify_dir(db, &err);
	ok(ret == 0, "Berkeley DB verifies every file of the loaded store");
	if (ret != 0)
		diag("%s", err.data);
	free(da);
	free(db);
}

/*
 * A bulk load whose keys a second thread makes for the blocks of rows it
 * takes first (blocks of 7 rows, of 256, and of 1,000: the first one
 * always the producer's) leaves files the same, pair for pair, as a load
 * whose producer makes them all; and a load of 3,000 rows in blocks of
 * 1,501 has no key thread (too few for two blocks), the same too.  With
 * a producer slower than it, the key thread takes most blocks, not
 * every other one.  The word index's puts in buffers of 4 KB, which
 * the producer makes faster than the writer writes them, and so waits
 * for room: the same files again.
 */
static void
test_key_thread(struct schema *sc, const char *top, struct rows *rows)
{
	static const size_t blocks[] = { 7, 256, 1000, 1501, 50, 256 };
	struct store	*s;
	struct job	 j;
	char		*ref, *dir;
	size_t		 b;
	int		 ret;

	xasprintf(&ref, "%s/keys-one", top);
	s = open_store(ref, sc);
	key_rows = 0;
	ok(load(s, rows, &j) == 0, "loaded with the producer's keys only");
	store_close(s);
	for (b = 0; b < nitems(blocks); b++) {
		xasprintf(&dir, "%s/keys-%zu", top, blocks[b]);
		s = open_store(dir, sc);
		key_rows = blocks[b];
		/* The fifth: a producer waiting 200 µs a row; the last:
		 * puts in buffers of 4 KB. */
		row_wait_us = b == 4 ? 200 : 0;
		put_bytes = b == 5 ? 4096 : 0;
		ret = load(s, rows, &j);
		key_rows = 0;
		row_wait_us = 0;
		put_bytes = 0;
		ok(ret == 0, "loaded with a key thread, blocks of %zu rows%s",
		    blocks[b], b == 5 ? ", puts in buffers of 4 KB" : "");
		if (ret != 0)
			diag("%s", err.data);
		is_int((int)count(s, party), NROWS, "blocks of %zu: all of "
		    "them", blocks[b]);
		/* Any block but the first; most with a slow producer. */
		if (blocks[b] > NROWS / 2)
			ok(j.l.keyed == 0, "blocks of %zu: no key thread",
			    blocks[b]);
		else if (b == 4)
			/* More than every other block could be: a margin
			 * for a key thread the scheduler holds back. */
			ok(j.l.keyed > NROWS / 2 + blocks[b] && j.l.keyed <=
			    NROWS - blocks[b], "blocks of %zu, the producer "
			    "slow: the key thread made the keys of %zu rows of "
			    "%d", blocks[b], j.l.keyed, NROWS);
		else
			ok(j.l.keyed <= NROWS - blocks[b], "blocks of %zu: the "
			    "key thread made the keys of %zu rows of %d",
			    blocks[b], j.l.keyed, NROWS);
		ret = store_check(s, party, &err);
		ok(ret == 0, "blocks of %zu: every index equals the records",
		    blocks[b]);
		if (ret != 0)
			diag("%s", err.data);
		store_close(s);
		compare_dirs(ref, dir);
		rm_tree(dir);
		free(dir);
	}
	rm_tree(ref);
	free(ref);
}

/*
 * A load of several batches: each index written once a batch, the word
 * index's tokens new in a batch written without a read and the others
 * appended to; store_check() compares every index with the records.
 */
struct words_count {
	const char	*text;
	uint64_t	 ids[NBIG / 2];
	size_t		 n;
};

static int
search_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct words_count *w = arg;

	return (store_search(t, party, w->text, w->ids, nitems(w->ids),
	    &w->n, e) < 0 ? -1 : 0);
}

static void
test_batches(struct schema *sc, const char *top, struct record *rec)
{
	struct rows	*big;
	struct store	*s;
	struct job	 j;
	struct words_count *w;
	char		*dir;
	unsigned	 i;
	size_t		 k;
	int		 ret;

	big = xcalloc(1, sizeof(*big));
	big->t = party;
	buf_init(&big->enc);
	for (i = 0; i < NBIG; i++) {
		make_party(rec, i);
		rows_add(big, rec);
	}
	xasprintf(&dir, "%s/batches", top);
	s = open_store(dir, sc);
	ret = load_budget(s, big, &j, NBIG_BUDGET, STORE_TXN_BULK);
	ok(ret == STORE_TOOBIG, "in a bulk transaction, more than %zu MB "
	    "of keys is refused as too big", NBIG_BUDGET >> 20);
	is_int((int)count(s, party), 0, "and nothing written");
	ret = load_budget(s, big, &j, NBIG_BUDGET, 0);
	ok(ret == 0, "%d parties loaded in a plain one", NBIG);
	if (ret != 0)
		diag("%s", err.data);
	ok(j.l.batches >= 4 && j.l.batches <= 20, "in batches of about "
	    "%zu MB of keys (%zu)", NBIG_BUDGET >> 20, j.l.batches);
	is_int((int)count(s, party), NBIG, "the count");
	ret = store_check(s, party, &err);
	ok(ret == 0, "store_check: every index, the word index too, equals "
	    "the records");
	if (ret != 0)
		diag("%s", err.data);
	/* "Иванов": the name of every seventh party, in every batch. */
	w = xcalloc(1, sizeof(*w));
	w->text = "Иванов";
	buf_reset(&err);
	ret = store_txn_run(s, STORE_TXN_READONLY, search_txn, w, &err);
	for (k = 0; k < w->n && w->ids[k] == 7 * k + 1; k++)
		;
	ok(ret == 0 && w->n == (NBIG + 6) / 7 && k == w->n, "search finds "
	    "the %d parties of a word in every batch (%zu)", (NBIG + 6) / 7,
	    w->n);
	/* A party's own number, in the last batch. */
	w->text = "Кузнецов Иван 20997";
	ret = store_txn_run(s, STORE_TXN_READONLY, search_txn, w, &err);
	ok(ret == 0 && w->n == 1 && w->ids[0] == 20998, "and a party of "
	    "the last batch by its name and number");
	free(w);
	store_close(s);
	ret = store_verify_dir(dir, &err);
	ok(ret == 0, "Berkeley DB verifies every file");
	if (ret != 0)
		diag("%s", err.data);
	free(dir);
	buf_release(&big->enc);
	free(big);
}

/*
 * The n-th Berkeley DB call of a load failing, for n spread over all of
 * them: the load fails and, the transaction aborted, nothing is there;
 * a deadlock is retried and the load then done.
 */
static void
test_faults(struct schema *sc, const char *top, struct rows *rows)
{
	struct store	*s;
	struct job	 j;
	char		*dir;
	uint64_t	 calls, n, step;
	size_t		 saved = rows->n, bad = 0, tries = 0;
	int		 ret;

	rows->n = 300;
	/* The word index's puts in many buffers: a failure may come as
	 * the producer waits for room for more. */
	put_bytes = 4096;
	xasprintf(&dir, "%s/faults", top);
	s = open_store(dir, sc);
	store_fault_set(UINT64_MAX, ENOSPC);
	ret = load(s, rows, &j);
	calls = store_fault_calls();
	store_fault_set(0, 0);
	ok(ret == 0 && calls > 60, "a load of 300 makes %llu calls",
	    (unsigned long long)calls);
	store_close(s);
	rm_tree(dir);
	s = open_store(dir, sc);
	step = calls / 60 + 1;
	for (n = 1; n <= calls; n += n < 30 || n > calls - 30 ? 1 : step) {
		store_fault_set(n, ENOSPC);
		ret = load(s, rows, &j);
		store_fault_set(0, 0);
		tries++;
		/* The last calls come after the commit (a checkpoint):
		 * then all of it is there. */
		if (ret == 0 && n + 2 >= calls && count(s, party) == 300 &&
		    store_check(s, party, &err) == 0)
			break;
		if (ret != -1 || count(s, party) != 0 ||
		    store_check(s, party, &err) != 0) {
			diag("call %llu failing: load %d, %llu records, %s",
			    (unsigned long long)n, ret,
			    (unsigned long long)count(s, party), err.data);
			bad++;
			break;
		}
	}
	ok(bad == 0, "any of them failing (%zu tried): the load fails, "
	    "nothing is written", tries);
	store_close(s);
	rm_tree(dir);
	s = open_store(dir, sc);
	store_fault_set(calls / 2, STORE_FAULT_DEADLOCK);
	ret = load(s, rows, &j);
	store_fault_set(0, 0);
	ok(ret == 0 && count(s, party) == 300 &&
	    store_check(s, party, &err) == 0, "a deadlock half-way: "
	    "retried, all loaded");
	store_close(s);
	rows->n = saved;
	put_bytes = 0;
	free(dir);
}

/*
 * The same load in a plain transaction and in a bulk one: the bulk one
 * logs a fraction (the pages it adds are written at the commit, not
 * logged), and the two stores hold the same.
 */
static void
test_bulk_log(struct schema *sc, const char *top, struct rows *rows)
{
	struct store	*sa, *sb;
	struct job	 j;
	char		*da, *db;
	uint64_t	 la, lb;
	int		 ra, rb;

	xasprintf(&da, "%s/plain-txn", top);
	xasprintf(&db, "%s/bulk-txn", top);
	sa = open_store(da, sc);
	sb = open_store(db, sc);
	memset(&j, 0, sizeof(j));
	j.rows = rows;
	j.user = "ivanov";
	la = log_bytes(sa);
	ra = store_txn_run(sa, 0, load_txn, &j, &err);
	la = log_bytes(sa) - la;
	lb = log_bytes(sb);
	rb = load(sb, rows, &j);
	lb = log_bytes(sb) - lb;
	ok(ra == 0 && rb == 0, "%zu parties loaded in a plain transaction "
	    "and in a bulk one", rows->n);
	diag("log bytes: plain %llu, bulk %llu", (unsigned long long)la,
	    (unsigned long long)lb);
	ok(lb * 2 < la, "the bulk transaction logs less than half (%llu of "
	    "%llu bytes)", (unsigned long long)lb, (unsigned long long)la);
	store_close(sa);
	store_close(sb);
	compare_dirs(da, db);
	rm_tree(da);
	rm_tree(db);
	free(da);
	free(db);
}

/*
 * A load that must fail at row bad (and other): nothing written.  Once
 * in one batch of a bulk transaction, once in batches of some 80 rows of
 * a plain one, where the row to blame is in a later batch than the
 * first, found by the thread that prepares the rows or by the one that
 * writes them.
 */
static void
test_bad(struct schema *sc, const char *dir, const struct table *t,
    struct rows *rows, size_t bad, size_t other, const char *what,
    const char *want)
{
	static const size_t budgets[] = { 0, 256 * 1024 };
	struct store	*s;
	struct job	 j;
	char		*how;
	size_t		 b;
	int		 ret;

	s = open_store(dir, sc);
	for (b = 0; b < nitems(budgets); b++) {
		xasprintf(&how, "%s%s", what, budgets[b] != 0 ?
		    " (small batches)" : "");
		ret = load_budget(s, rows, &j, budgets[b], budgets[b] != 0 ?
		    0 : STORE_TXN_BULK);
		ok(ret == -1, "%s: refused", how);
		diag("%s", err.data);
		ok(budgets[b] == 0 || j.l.batches >= 2, "%s: in %zu batches",
		    how, j.l.batches);
		ok(j.l.bad == bad && j.l.other == other, "%s: row %zu named "
		    "(%zu, %zu)", how, bad, j.l.bad, j.l.other);
		ok(strstr(err.data, want) != NULL, "%s: the message says "
		    "'%s'", how, want);
		if (strstr(err.data, want) == NULL)
			diag("%s", err.data);
		is_int((int)count(s, t), 0, "%s: nothing written", how);
		ok(store_check(s, t, &err) == 0, "%s: the indexes are empty "
		    "too", how);
		free(how);
	}
	store_close(s);
}

/*
 * Loads failing late: in a plain transaction of several batches, a call
 * failing a quarter, half, three quarters and nine tenths of the way
 * (in the indexes of a later batch); in a bulk transaction, which is
 * one batch, a fifth and nine tenths of the way.  Each is refused and leaves
 * nothing, and the environment never panics: Berkeley DB 5.3 could not
 * undo a bulk transaction that wrote its indexes in several batches
 * (bulk.c), and store_load() no longer makes one.
 */
static int	panicked;

static void
on_panic(const char *msg)
{
	(void)msg;
	panicked++;
}

static void
late_failure(struct schema *sc, const char *dir, struct rows *big,
    size_t budget, int flags, unsigned tenths)
{
	struct store	*s;
	struct job	 j;
	uint64_t	 calls;
	const char	*how = flags & STORE_TXN_BULK ? "bulk" : "plain";
	int		 ret;

	s = open_store(dir, sc);
	store_fault_set(UINT64_MAX, ENOSPC);
	ret = load_budget(s, big, &j, budget, flags);
	calls = store_fault_calls();
	store_fault_set(0, 0);
	store_close(s);
	rm_tree(dir);
	if (ret != 0) {
		ok(0, "%s: the load without a failure: %s", how, err.data);
		return;
	}
	s = open_store(dir, sc);
	store_set_panic(s, on_panic);
	panicked = 0;
	store_fault_set(calls / 10 * tenths, ENOSPC);
	ret = load_budget(s, big, &j, budget, flags);
	store_fault_set(0, 0);
	ok(ret == -1 && panicked == 0, "%s, %zu batches, call %llu of %llu "
	    "failing: refused, no panic (%s)", how, j.l.batches,
	    (unsigned long long)(calls / 10 * tenths),
	    (unsigned long long)calls, err.data);
	if (panicked) {
		store_close(s);
		s = open_store(dir, sc);
	}
	is_int((int)count(s, party), 0, "%s: nothing written", how);
	ok(store_check(s, party, &err) == 0, "%s: the indexes are empty too",
	    how);
	store_close(s);
	ret = store_verify_dir(dir, &err);
	ok(ret == 0, "%s: Berkeley DB verifies every file", how);
	if (ret != 0)
		diag("%s", err.data);
	rm_tree(dir);
}

/*
 * A bulk load whose first rows say it fits its budget, and whose last
 * 4,000 rows, with 400 tags each, then take it past twice the budget:
 * refused as too big after its first records were written, and aborted,
 * nothing is left and nothing panics.  (Its first rows' keys say some
 * 50 MB for all; the tags make them some 230 MB.)
 */
static void
test_grows(struct schema *sc, const char *top, struct rows *big,
    struct record *rec)
{
	struct store	*s;
	struct job	 j;
	struct buf	 tags = BUF_INIT;
	char		*dir;
	unsigned	 i, k;
	int		 ret;

	big->n = 0;
	buf_reset(&big->enc);
	for (i = 0; i < NBIG; i++) {
		make_party(rec, i);
		if (i >= NBIG - 4000) {
			buf_reset(&tags);
			for (k = 0; k < 400; k++)
				buf_printf(&tags, "%sметка %u для %u "
				    "длиннее обычной", k ? ", " : "", k, i);
			record_parse(rec, table_field_pos(party, "tags"),
			    tags.data, &err);
		}
		rows_add(big, rec);
	}
	xasprintf(&dir, "%s/grows", top);
	s = open_store(dir, sc);
	store_set_panic(s, on_panic);
	panicked = 0;
	ret = load_budget(s, big, &j, (size_t)60 << 20, STORE_TXN_BULK);
	ok(ret == STORE_TOOBIG && panicked == 0, "a bulk load that grows "
	    "past twice its budget: refused as too big, no panic (%d)", ret);
	ok(j.l.bad == SIZE_MAX, "no row blamed");
	is_int((int)count(s, party), 0, "nothing written (the records it "
	    "had appended undone)");
	ok(store_check(s, party, &err) == 0, "the indexes are empty too");
	store_close(s);
	ret = store_verify_dir(dir, &err);
	ok(ret == 0, "Berkeley DB verifies every file");
	rm_tree(dir);
	free(dir);
	buf_release(&tags);
}

static void
test_late_failure(struct schema *sc, const char *top, struct record *rec)
{
	static const unsigned tenths[] = { 2, 5, 7, 9 };
	struct rows	*big;
	char		*dir, inn[16];
	size_t		 i;

	big = xcalloc(1, sizeof(*big));
	big->t = party;
	buf_init(&big->enc);
	for (i = 0; i < NBIG; i++) {
		make_party(rec, (unsigned)i);
		rows_add(big, rec);
	}
	xasprintf(&dir, "%s/late", top);
	for (i = 0; i < nitems(tenths); i++)
		late_failure(sc, dir, big, NBIG_BUDGET, 0, tenths[i]);
	/* In a bulk load: while the records stream (the thread preparing
	 * them told to stop), and in its indexes. */
	late_failure(sc, dir, big, 0, STORE_TXN_BULK, 2);
	late_failure(sc, dir, big, 0, STORE_TXN_BULK, 9);
	free(dir);

	/* A bad row late in a bulk load, its first rows written already
	 * as they came (load_stream()). */
	big->n = 0;
	buf_reset(&big->enc);
	for (i = 0; i < NBIG; i++) {
		make_party(rec, (unsigned)i);
		if (i == NBIG - 1000) {
			make_inn12(inn, (unsigned)i);
			inn[11] = inn[11] == '0' ? '1' : '0';
			record_parse(rec, table_field_pos(party, "inn"), inn,
			    &err);
		}
		rows_add(big, rec);
	}
	xasprintf(&dir, "%s/late-row", top);
	test_bad(sc, dir, party, big, NBIG - 1000, SIZE_MAX,
	    "a wrong ИНН late in a bulk load", "inn");
	rm_tree(dir);
	free(dir);
	test_grows(sc, top, big, rec);
	buf_release(&big->enc);
	free(big);
}

/*
 * An audit trail that already holds an entry of a number the audit
 * sequence has not given yet (as a sequence gone back would leave it):
 * a bulk load, which takes its entries' numbers at once and puts them in
 * bulk, is refused rather than write over it, and leaves nothing.  (A
 * fresh store's sequence begins at 1: the load's 3,000 entries would be
 * 1 to 3,000.)
 */
static void
be32(struct buf *b, uint32_t v)
{
	unsigned char	p[4] = { v >> 24, v >> 16, v >> 8, v };

	buf_add(b, p, 4);
}

static void
test_audit_taken(struct schema *sc, const char *top, struct rows *rows)
{
	struct store	*s;
	struct job	 j;
	struct buf	 e = BUF_INIT;
	unsigned char	 kb[8];
	char		*dir;
	DBT		 k, d;
	int		 ret;

	xasprintf(&dir, "%s/audit-taken", top);
	s = open_store(dir, sc);
	/* Entry 100: an insert of party 999 by "ivanov". */
	buf_addch(&e, 2);
	be32(&e, 5);
	buf_add(&e, "party", 5);
	store_id_key(kb, 999);
	buf_add(&e, kb, 8);
	store_id_key(kb, 1);
	buf_add(&e, kb, 8);
	be32(&e, 1);
	be32(&e, 6);
	buf_add(&e, "ivanov", 6);
	be32(&e, 6);
	buf_add(&e, "insert", 6);
	be32(&e, 0);
	store_id_key(kb, 100);
	memset(&k, 0, sizeof(k));
	k.data = kb;
	k.size = 8;
	memset(&d, 0, sizeof(d));
	d.data = e.data;
	d.size = (u_int32_t)e.len;
	ok(s->audit->put(s->audit, NULL, &k, &d, DB_AUTO_COMMIT) == 0,
	    "an audit entry numbered 100");
	ret = load(s, rows, &j);
	ok(ret == -1 && strstr(err.data, "audit trail") != NULL,
	    "a load whose entries' numbers are taken: refused (%s)",
	    err.data);
	is_int((int)count(s, party), 0, "the load refused: nothing written");
	ok(store_check(s, party, &err) == 0, "the load refused: the indexes "
	    "are empty too");
	store_close(s);
	rm_tree(dir);
	free(dir);
	buf_release(&e);
}

/* One party, archived: the table is not empty. */
static int
one_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct record	*rec = arg;

	if (store_insert(t, rec, "ivanov", e) != 0)
		return (-1);
	return (store_archive(t, party, rec->id, "ivanov", e));
}

int
main(void)
{
	struct schema	*sc;
	struct store	*s;
	struct record	*rec;
	struct rows	*rows, *bad;
	struct job	 j;
	char		 top[256], *dir;
	char		 inn[16];
	unsigned	 i;
	int		 ret;

	setenv("CLERK_NOW", "2026-03-01T10:00:00", 1);
	sc = party_schema(&party);
	contact = schema_table(sc, "contact");
	tmp_folder(top, sizeof(top), "load");
	/* Field ids come from a store's meta (the same in every new one):
	 * rows are encoded with them. */
	xasprintf(&dir, "%s/ids", top);
	store_close(open_store(dir, sc));
	free(dir);
	rows = xcalloc(1, sizeof(*rows));
	bad = xcalloc(1, sizeof(*bad));
	rows->t = party;
	buf_init(&rows->enc);
	rec = record_new(party);
	for (i = 0; i < NROWS; i++) {
		make_party(rec, i);
		rows_add(rows, rec);
	}
	test_same(sc, top, rows);
	test_audit_taken(sc, top, rows);
	test_key_thread(sc, top, rows);
	test_bulk_log(sc, top, rows);
	test_batches(sc, top, rec);
	test_late_failure(sc, top, rec);
	test_faults(sc, top, rows);

	/* An ИНН whose check digit is wrong, at row 2000. */
	bad->t = party;
	buf_init(&bad->enc);
	for (i = 0; i < NROWS; i++) {
		make_party(rec, i);
		if (i == 2000) {
			make_inn12(inn, i);
			inn[11] = inn[11] == '0' ? '1' : '0';
			record_parse(rec, table_field_pos(party, "inn"), inn,
			    &err);
		}
		rows_add(bad, rec);
	}
	xasprintf(&dir, "%s/bad-inn", top);
	test_bad(sc, dir, party, bad, 2000, SIZE_MAX, "a wrong ИНН", "inn");
	free(dir);
	/* The same with a key thread, which made keys past row 2000
	 * (blocks of 300: 2,100 to 2,399 are its) before the load failed. */
	xasprintf(&dir, "%s/bad-inn-keys", top);
	key_rows = 300;
	test_bad(sc, dir, party, bad, 2000, SIZE_MAX, "a wrong ИНН, key "
	    "thread", "inn");
	key_rows = 0;
	free(dir);

	/* Two organisations with one ИНН and КПП, rows 11 and 2600. */
	bad->n = 0;
	buf_reset(&bad->enc);
	for (i = 0; i < NROWS; i++) {
		make_party(rec, i == 2600 ? 11 : i);
		rows_add(bad, rec);
	}
	xasprintf(&dir, "%s/bad-unique", top);
	test_bad(sc, dir, party, bad, 2600, 11, "one ИНН and КПП twice",
	    "two records would have inn, kpp '");
	free(dir);

	/* A contact of a party that is not there: party 1 is, 7 is not. */
	xasprintf(&dir, "%s/bad-ref", top);
	s = open_store(dir, sc);
	make_party(rec, 0);
	ok(store_txn_run(s, 0, one_txn, rec, &err) == 0, "party 1");
	store_close(s);
	record_free(rec);
	rec = record_new(contact);
	bad->n = 0;
	bad->t = contact;
	buf_reset(&bad->enc);
	for (i = 0; i < 1500; i++) {
		record_reset(rec);
		set(rec, "party", i == 1234 ? "7" : "1");
		set(rec, "name", "Смирнова Анна");
		rows_add(bad, rec);
	}
	test_bad(sc, dir, contact, bad, 1234, SIZE_MAX,
	    "a contact of no party",
	    "Organisation ('party'): Client #7 does not exist");
	free(dir);
	record_free(rec);

	/* A table that holds a record, even an archived one. */
	xasprintf(&dir, "%s/not-empty", top);
	s = open_store(dir, sc);
	rec = record_new(party);
	make_party(rec, 0);
	ok(store_txn_run(s, 0, one_txn, rec, &err) == 0,
	    "one party, archived");
	ret = load(s, rows, &j);
	is_int(ret, STORE_NOTEMPTY, "a load into a table with a record is "
	    "refused as not empty");
	is_int((int)count(s, party), 1, "and writes nothing");
	ok(store_check(s, party, &err) == 0, "store_check after it");
	/* The import then adds the rows one by one, in the same bulk
	 * transaction. */
	memset(&j, 0, sizeof(j));
	j.rows = rows;
	j.user = "ivanov";
	ret = store_txn_run(s, STORE_TXN_BULK, insert_txn, &j, &err);
	ok(ret == 0 && count(s, party) == NROWS + 1, "rows added one by "
	    "one in a bulk transaction are all there");
	ret = store_check(s, party, &err);
	ok(ret == 0, "store_check after them");
	if (ret != 0)
		diag("%s", err.data);
	store_close(s);
	ret = store_verify_dir(dir, &err);
	ok(ret == 0, "Berkeley DB verifies every file");
	if (ret != 0)
		diag("%s", err.data);
	record_free(rec);
	free(dir);

	buf_release(&rows->enc);
	buf_release(&bad->enc);
	free(rows);
	free(bad);
	schema_free(sc);
	rm_tree(top);
	buf_release(&err);
	return (tap_done());
}
