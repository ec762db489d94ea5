/*
 * test-store-defer: index entries written behind the commits by the
 * store's indexer (store/defer.c).  A record is found through every
 * kind of index (exact, folded, words, a reference) by the very next
 * read, from another thread too; a transaction finds its own writes;
 * a purge sees a reference committed a moment before; entries go into
 * pending.db and out of it; items a killed process left are written at
 * the next open, even when the forms dropped an index or changed one
 * meanwhile, and by a store that writes its indexes at once; a failure
 * at each of the indexer's calls in turn (a deadlock; and one that is not)
 * aborts its batch, which is written again; store_check agrees
 * throughout.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "tap.h"

#define NREC	3000
#define ROUNDS	400

static const char form_party[] =
    "table party \"Client\" \"Клиент\" \"Clients\" \"Клиенты\"\n"
    "field name text(100) required index folded search \"Name\" \"Имя\"\n"
    "field code text(20) index exact \"Code\" \"Код\"\n";
static const char form_contact[] =
    "table contact \"Contact\" \"Контакт\" \"Contacts\" \"Контакты\"\n"
    "field name text(100) required \"Name\" \"Имя\"\n"
    "field party ref(party) required index exact \"Client\" \"Клиент\"\n";
/* The code's index dropped, the name's made differently. */
static const char form_party2[] =
    "table party \"Client\" \"Клиент\" \"Clients\" \"Клиенты\"\n"
    "field name text(100) required index exact search \"Name\" \"Имя\"\n"
    "field code text(20) \"Code\" \"Код\"\n";

static char		 dbdir[256];
static struct buf	 err = BUF_INIT;

struct db {
	struct schema	*schema;
	struct store	*st;
	const struct table *party, *contact;
};

static void
db_open(struct db *d, const char *pform, int flags)
{
	struct store_options opt = { 0, STORE_CREATE | STORE_NOSYNC | flags,
	    0 };

	d->schema = schema_new();
	if (schema_load_string(d->schema, "party.form", pform, &err) != 0 ||
	    schema_load_string(d->schema, "contact.form", form_contact,
	    &err) != 0 || schema_check(d->schema, &err) != 0)
		tap_bail(err.data);
	d->party = schema_table(d->schema, "party");
	d->contact = schema_table(d->schema, "contact");
	if (store_open(&d->st, dbdir, d->schema, &opt, &err) != 0)
		tap_bail(err.data);
}

static void
db_close(struct db *d)
{
	store_close(d->st);
	schema_free(d->schema);
}

/* Inserts: parties "Name N" with code "cN", N from..to-1. */
struct ins {
	struct db	*d;
	int		 from, to;
	uint64_t	*ids;
	/* Then read in the same transaction: the code's index. */
	int		 lookup_own;
	size_t		 own_found;
};

static int
code_key(const struct table *t, const char *code, struct buf *key)
{
	struct record	*r = record_new(t);
	struct keyset	 ks;
	struct buf	 e = BUF_INIT;
	size_t		 pos = (size_t)table_field_pos(t, "code");
	int		 rv = -1;

	keyset_init(&ks);
	if (record_parse(r, pos, code, &e) == 0) {
		index_field_keys(r, pos, IX_EXACT, &ks);
		if (ks.n == 1) {
			buf_reset(key);
			buf_add(key, ks.bytes.data + ks.off[0], ks.len[0]);
			rv = 0;
		}
	}
	keyset_release(&ks);
	buf_release(&e);
	record_free(r);
	return (rv);
}

static int
ins_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct ins	*a = arg;
	struct record	*r;
	struct buf	 key = BUF_INIT;
	char		 v[64];
	uint64_t	 ids[4];
	size_t		 n;
	int		 i;

	a->own_found = 0;
	for (i = a->from; i < a->to; i++) {
		r = record_new(a->d->party);
		snprintf(v, sizeof v, "Name%d Word%d", i, i % 7);
		if (record_parse(r, 0, v, e) != 0)
			goto fail;
		snprintf(v, sizeof v, "c%d", i);
		if (record_parse(r, 1, v, e) != 0 ||
		    store_insert(t, r, "test", e) != 0)
			goto fail;
		if (a->ids != NULL)
			a->ids[i] = r->id;
		record_free(r);
	}
	if (a->lookup_own) {
		for (i = a->from; i < a->to; i++) {
			snprintf(v, sizeof v, "c%d", i);
			if (code_key(a->d->party, v, &key) == -1 ||
			    store_lookup(t, a->d->party, "code", key.data,
			    key.len, ids, 4, &n, e) < 0) {
				buf_release(&key);
				return (-1);
			}
			a->own_found += n == 1;
		}
	}
	buf_release(&key);
	return (0);
fail:
	record_free(r);
	return (-1);
}

static void
insert(struct db *d, int from, int to, uint64_t *ids)
{
	struct ins	 a = { d, from, to, ids, 0, 0 };

	if (store_txn_run(d->st, 0, ins_txn, &a, &err) != 0)
		tap_bail(err.data);
}

/* How many of parties from..to-1 each kind of index finds. */
struct find {
	struct db	*d;
	int		 from, to;
	size_t		 by_code, by_name, by_word;
};

static int
find_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct find	*f = arg;
	struct buf	 key = BUF_INIT;
	struct record	**page;
	uint64_t	 ids[8];
	char		 v[64];
	size_t		 n, np;
	int		 i, rv = -1;

	f->by_code = f->by_name = f->by_word = 0;
	for (i = f->from; i < f->to; i++) {
		snprintf(v, sizeof v, "c%d", i);
		if (code_key(f->d->party, v, &key) == -1 ||
		    store_lookup(t, f->d->party, "code", key.data, key.len,
		    ids, 8, &n, e) < 0)
			goto out;
		f->by_code += n == 1;
		snprintf(v, sizeof v, "Name%d Word%d", i, i % 7);
		buf_reset(&key);
		utf8_foldkey(&key, v, strlen(v));
		page = NULL;
		np = 0;
		if (store_page(t, f->d->party, "name", key.data, key.len, 0,
		    STORE_PAGE_FROM, 1, &page, &np, e) != 0)
			goto out;
		if (np == 1) {
			f->by_name += strcmp(page[0]->values[0].s, v) == 0;
			record_free(page[0]);
		}
		free(page);
		snprintf(v, sizeof v, "name%d", i);
		if (store_search(t, f->d->party, v, ids, 8, &n, e) < 0)
			goto out;
		f->by_word += n >= 1;
	}
	rv = 0;
out:
	buf_release(&key);
	return (rv);
}

static void
find(struct db *d, int from, int to, struct find *f)
{
	f->d = d;
	f->from = from;
	f->to = to;
	if (store_txn_run(d->st, STORE_TXN_READONLY, find_txn, f, &err) != 0)
		tap_bail(err.data);
}

/* One thread inserts one record at a time; the other looks each up as
 * soon as the insert returned. */
static struct db	*race_db;
static _Atomic int	 race_done = -1;	/* the last inserted */
static _Atomic int	 race_stop;

static void *
race_reader(void *arg)
{
	size_t		*missed = arg;
	struct find	 f;
	int		 seen = -1, last;

	while (!atomic_load(&race_stop) || seen < atomic_load(&race_done)) {
		last = atomic_load(&race_done);
		if (last == seen)
			continue;
		find(race_db, last, last + 1, &f);
		if (f.by_code != 1 || f.by_name != 1 || f.by_word != 1)
			(*missed)++;
		seen = last;
	}
	return (NULL);
}

/* A contact of party pid, and the party purged at once after. */
struct pc {
	struct db	*d;
	uint64_t	 party, contact;
};

static int
contact_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct pc	*a = arg;
	struct record	*r = record_new(a->d->contact);

	if (record_parse(r, 0, "Someone", e) != 0) {
		record_free(r);
		return (-1);
	}
	record_set_int(r, 1, (int64_t)a->party);
	if (store_insert(t, r, "test", e) != 0) {
		record_free(r);
		return (-1);
	}
	a->contact = r->id;
	record_free(r);
	return (0);
}

static int
purge_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct pc	*a = arg;

	return (store_purge(t, a->d->party, a->party, "test", e));
}

static void
check_all(struct db *d, const char *what)
{
	buf_reset(&err);
	ok(store_check(d->st, d->party, &err) == 0 &&
	    store_check(d->st, d->contact, &err) == 0,
	    "store_check %s%s%s", what, err.len ? ": " : "",
	    err.len ? err.data : "");
}

/* In a child: insert from..to-1 with the indexer held, then die. */
static void
killed_with_pending(const char *pform, int from, int to)
{
	struct db	 d;
	uint64_t	 pend, b, w;
	pid_t		 pid;
	int		 status;

	fflush(stdout);
	if ((pid = fork()) == -1)
		tap_bail("fork failed");
	if (pid == 0) {
		db_open(&d, pform, 0);
		store_defer_pause(d.st, 1);
		insert(&d, from, to, NULL);
		store_defer_stats(d.st, &pend, &b, &w);
		_exit(pend >= 1 ? 9 : 1);	/* no close: a crash */
	}
	if (waitpid(pid, &status, 0) != pid)
		tap_bail("waitpid failed");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 9,
	    "a process dies with index changes pending (%d..%d)", from,
	    to - 1);
}

int
main(void)
{
	char		 dir[] = "/tmp/clerk-test-store-defer.XXXXXX";
	char		 cmd[600];
	struct db	 d;
	struct find	 f;
	struct ins	 a;
	struct pc	 pc;
	pthread_t	 th;
	uint64_t	*ids, pend, batches, written, calls, k;
	size_t		 missed = 0, refused = 0;
	int		 i, r;

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	snprintf(dbdir, sizeof dbdir, "%s/db", dir);
	ids = xcalloc(NREC + 100, sizeof(*ids));

	/* Seen by the next read. */
	db_open(&d, form_party, 0);
	for (i = 0; i < NREC; i += 500)
		insert(&d, i, i + 500, ids);
	find(&d, 0, NREC, &f);
	is_int(f.by_code, NREC, "every record found by its exact key at once");
	is_int(f.by_name, NREC, "and by its folded name, in a page");
	is_int(f.by_word, NREC, "and by a word");
	store_defer_stats(d.st, &pend, &batches, &written);
	ok(batches >= 1 && written >= NREC * 2, "written behind the commits "
	    "(%llu batches, %llu entries)", (unsigned long long)batches,
	    (unsigned long long)written);
	check_all(&d, "after the inserts");

	/* A transaction reads its own writes. */
	a.d = &d;
	a.from = NREC;
	a.to = NREC + 20;
	a.ids = ids;
	a.lookup_own = 1;
	if (store_txn_run(d.st, 0, ins_txn, &a, &err) != 0)
		tap_bail(err.data);
	is_int(a.own_found, 20, "a transaction finds the records it inserted "
	    "through their index");
	find(&d, NREC, NREC + 20, &f);
	is_int(f.by_code + f.by_name + f.by_word, 60, "and so does the next "
	    "read, after its commit");

	/* From another thread, as soon as each insert returns. */
	race_db = &d;
	if (pthread_create(&th, NULL, race_reader, &missed) != 0)
		tap_bail("pthread_create");
	/* Odd rounds insert 30 (behind the commit), even ones one (at
	 * once, the indexer being idle). */
	for (i = 0; i < ROUNDS; i++) {
		insert(&d, 100000 + 40 * i, 100000 + 40 * i + (i % 2 ? 30 : 1),
		    NULL);
		atomic_store(&race_done, 100000 + 40 * i + (i % 2 ? 29 : 0));
	}
	atomic_store(&race_stop, 1);
	pthread_join(th, NULL);
	is_int(missed, 0, "another thread finds every record the moment its "
	    "insert returned (%d inserts)", ROUNDS);

	/* A reference committed a moment before stops a purge. */
	pc.d = &d;
	for (i = 0; i < ROUNDS / 4; i++) {
		pc.party = ids[i];
		if (store_txn_run(d.st, 0, contact_txn, &pc, &err) != 0)
			tap_bail(err.data);
		buf_reset(&err);
		r = store_txn_run(d.st, 0, purge_txn, &pc, &err);
		refused += r != 0 && strstr(err.data, "refers to it") != NULL;
	}
	is_int(refused, ROUNDS / 4, "a purge right after a contact of the "
	    "client was added is refused every time");
	check_all(&d, "after the race");

	/* A small change while the indexer is idle: written at once. */
	if (store_settle(d.st, &err) != 0)
		tap_bail(err.data);
	store_defer_stats(d.st, &pend, &batches, &written);
	insert(&d, 29000, 29001, NULL);
	store_defer_stats(d.st, &pend, &k, &calls);
	find(&d, 29000, 29001, &f);
	ok(k == batches && f.by_code + f.by_name + f.by_word == 3,
	    "one record inserted while the indexer is idle: its entries "
	    "written in its transaction, no batch");

	/* The indexer's calls failed one after another. */
	store_fault_indexer_set(UINT64_MAX, 0);
	insert(&d, 30000, 30040, NULL);
	if (store_settle(d.st, &err) != 0)
		tap_bail(err.data);
	calls = store_fault_indexer_calls();
	ok(calls >= 5, "the indexer's batch of 40 inserts makes %llu calls",
	    (unsigned long long)calls);
	missed = 0;
	for (k = 1; k <= calls; k++) {
		store_fault_indexer_set(k, STORE_FAULT_DEADLOCK);
		i = 30040 + 40 * (int)k;
		insert(&d, i, i + 40, NULL);
		find(&d, i, i + 40, &f);
		missed += f.by_code + f.by_name + f.by_word != 120;
	}
	is_int(missed, 0, "a deadlock at each of them: the batch is written "
	    "again, and the next read finds its records");
	store_fault_indexer_set(2, EIO);
	insert(&d, 50000, 50040, NULL);
	find(&d, 50000, 50040, &f);
	store_defer_stats(d.st, &pend, &batches, &written);
	ok(f.by_code + f.by_name + f.by_word == 120 && pend == 0,
	    "a failure that is no deadlock: written at the next try");
	store_fault_indexer_set(0, 0);
	check_all(&d, "after the indexer's failures");
	db_close(&d);

	/* Items a killed process left. */
	killed_with_pending(form_party, 20000, 20300);
	db_open(&d, form_party, 0);
	find(&d, 20000, 20300, &f);
	ok(f.by_code == 300 && f.by_name == 300 && f.by_word == 300,
	    "written at the next open: %zu %zu %zu of 300", f.by_code,
	    f.by_name, f.by_word);
	store_defer_stats(d.st, &pend, &batches, &written);
	is_int(pend, 0, "nothing pending after");
	check_all(&d, "after the reopen");
	db_close(&d);

	/* A store writing its indexes at once writes them too. */
	killed_with_pending(form_party, 21000, 21100);
	db_open(&d, form_party, STORE_INDEX_NOW);
	find(&d, 21000, 21100, &f);
	ok(f.by_code == 100 && f.by_name == 100 && f.by_word == 100,
	    "and by a store that writes its indexes at once");
	insert(&d, 21100, 21200, NULL);
	find(&d, 21100, 21200, &f);
	ok(f.by_code == 100 && f.by_name == 100 && f.by_word == 100,
	    "whose own writes are indexed in their transactions");
	check_all(&d, "with indexes written at once");
	db_close(&d);

	/* The forms changed between the crash and the open. */
	killed_with_pending(form_party, 22000, 22200);
	db_open(&d, form_party2, 0);
	check_all(&d, "after an open with an index dropped and one made "
	    "anew, changes of both pending");
	db_close(&d);
	db_open(&d, form_party, 0);
	find(&d, 22000, 22200, &f);
	ok(f.by_code == 200 && f.by_name == 200 && f.by_word == 200,
	    "the indexes built again find those records");
	check_all(&d, "back to the first forms");
	db_close(&d);

	snprintf(cmd, sizeof cmd, "db5.3_verify -h %s pending.db >/dev/null "
	    "2>&1", dbdir);
	ok(system(cmd) == 0, "Berkeley DB verifies pending.db");
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	(void)system(cmd);
	free(ids);
	buf_release(&err);
	return (tap_done());
}
