/*
 * test-store-rcache: the records read lately (store/rcache.c).  A record
 * read twice in read-only transactions is the second time found in the
 * cache, by id (store_get) and through an index (store_page,
 * store_page_each); an update, an archive, a purge and a transaction
 * of more records than the change journal lists one by one are seen at
 * once by the next read; what a transaction wrote and then aborted is
 * never read, nor what a writing transaction read of its own writes;
 * a store opened without the cache reads the same.  Then writers and
 * readers at once: a reader never reads a record older than the last
 * commit before its read began.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "tap.h"

#define NREC	5000		/* more than a transaction's journal lists */
#define NHOT	16		/* records the threads write and read */
#define WRITERS	2
#define READERS	3
#define SECONDS	2

static const char form[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field code text(20) required index folded \"Code\" \"Код\"\n"
    "field n money required index exact \"N\" \"Н\"\n";

static struct buf	 err = BUF_INIT;
static struct store	*st;
static const struct table *item;
static size_t		 pos_code, pos_n;

static void
code_of(char *code, size_t len, uint64_t id)
{
	snprintf(code, len, "c%05llu", (unsigned long long)id);
}

static int
fill_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct record	*r;
	char		 code[16];
	int		 i;

	(void)arg;
	for (i = 1; i <= NREC; i++) {
		r = record_new(item);
		code_of(code, sizeof code, (uint64_t)i);
		if (record_parse(r, pos_code, code, e) != 0) {
			record_free(r);
			return (-1);
		}
		record_set_int(r, pos_n, i);
		if (store_insert(txn, r, "test", e) != 0) {
			record_free(r);
			return (-1);
		}
		record_free(r);
	}
	return (0);
}

/* n of record id, read as asked: by id, by a page of the code index, or
 * by store_page_each() on it. */
struct rd {
	uint64_t	 id;
	int		 how;		/* 0 get, 1 page, 2 page_each */
	int64_t		 n;		/* -1: no such record */
	int		 same;		/* the bytes decoded, id right */
};

static int
rd_each(uint64_t id, const void *key, size_t keylen, const void *data,
    size_t len, void *arg)
{
	struct rd	*r = arg;
	struct record	*rec;
	struct buf	 e = BUF_INIT;

	(void)key;
	(void)keylen;
	rec = record_new(item);
	if (id == r->id && record_decode(rec, data, len, &e) == 0) {
		r->n = rec->values[pos_n].i;
		r->same = 1;
	}
	record_free(rec);
	buf_release(&e);
	return (1);
}

static int
rd_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct rd	*r = arg;
	struct record	*rec, **page = NULL;
	struct buf	 key = BUF_INIT;
	char		 code[16];
	size_t		 np = 0;
	int		 rv;

	r->n = -1;
	r->same = 0;
	if (r->how == 0) {
		rv = store_get(txn, item, r->id, &rec, e);
		if (rv == 0) {
			r->n = rec->values[pos_n].i;
			r->same = rec->id == r->id;
			record_free(rec);
		}
		return (rv < 0 ? -1 : 0);
	}
	code_of(code, sizeof code, r->id);
	utf8_foldkey(&key, code, strlen(code));
	if (r->how == 1) {
		rv = store_page(txn, item, "code", key.data, key.len, 0, 0, 1,
		    &page, &np, e);
		if (rv == 0 && np == 1 && page[0]->id == r->id) {
			r->n = page[0]->values[pos_n].i;
			r->same = 1;
		}
		store_records_free(page, np);
	} else
		rv = store_page_each(txn, item, "code", key.data, key.len, 0,
		    0, 1, rd_each, r, e) < 0 ? -1 : 0;
	buf_release(&key);
	return (rv);
}

static int64_t
read_n(uint64_t id, int how, int flags)
{
	struct rd	r = { id, how, -1, 0 };

	if (store_txn_run(st, flags, rd_txn, &r, &err) != 0)
		tap_bail(err.data);
	return (r.same ? r.n : -1);
}

/* Set record id's n, then return ret (an abort when -1). */
struct set {
	uint64_t	 id;
	int64_t		 n;
	int		 ret;
	int64_t		 seen;		/* n read back in the transaction */
};

static int
set_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct set	*s = arg;
	struct record	*rec;

	if (store_get(txn, item, s->id, &rec, e) != 0)
		return (-1);
	record_set_int(rec, pos_n, s->n);
	if (store_update(txn, rec, rec->rev, "test", e) != 0) {
		record_free(rec);
		return (-1);
	}
	record_free(rec);
	if (store_get(txn, item, s->id, &rec, e) != 0)
		return (-1);
	s->seen = rec->values[pos_n].i;
	record_free(rec);
	return (s->ret);
}

static int
set_n(uint64_t id, int64_t n, int ret)
{
	struct set	s = { id, n, ret, -1 };
	struct buf	e = BUF_INIT;
	int		r;

	r = store_txn_run(st, 0, set_txn, &s, &e);
	buf_release(&e);
	return (r == ret && s.seen == n ? 0 : -1);
}

/* Every record's n += add, in one transaction. */
static int
all_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct record	*rec;
	int64_t		 add = *(int64_t *)arg;
	uint64_t	 id;

	for (id = 1; id <= NREC; id++) {
		if (id == 30 || id == 31)	/* archived, purged */
			continue;
		if (store_get(txn, item, id, &rec, e) != 0)
			return (-1);
		record_set_int(rec, pos_n, rec->values[pos_n].i + add);
		if (store_update(txn, rec, rec->rev, "test", e) != 0) {
			record_free(rec);
			return (-1);
		}
		record_free(rec);
	}
	return (0);
}

static int
archive_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	return (store_archive(txn, item, *(uint64_t *)arg, "test", e));
}

static int
purge_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	return (store_purge(txn, item, *(uint64_t *)arg, "test", e));
}

static void
hits(uint64_t *h, uint64_t *m)
{
	size_t	bytes;

	store_record_cache_stats(st, h, m, &bytes);
}

/* Writers and readers at once. */
static atomic_int	 stop;
static _Atomic int64_t	 committed[NHOT + 1];
static atomic_int	 stale, failed;
static atomic_long	 nreads, nwrites;

static void *
writer(void *arg)
{
	uint64_t	 w = (uint64_t)(uintptr_t)arg, id;
	int64_t		 v = 1000000;

	while (!atomic_load(&stop)) {
		for (id = 1 + w; id <= NHOT; id += WRITERS) {
			v++;
			if (set_n(id, v, 0) != 0) {
				atomic_fetch_add(&failed, 1);
				continue;
			}
			atomic_store(&committed[id], v);
			atomic_fetch_add(&nwrites, 1);
		}
	}
	return (NULL);
}

static void *
reader(void *arg)
{
	struct rd	 r;
	struct buf	 e = BUF_INIT;
	uint64_t	 k = (uint64_t)(uintptr_t)arg;
	int64_t		 before;

	while (!atomic_load(&stop)) {
		k = k * 6364136223846793005ULL + 1442695040888963407ULL;
		r.id = 1 + (k >> 33) % NHOT;
		r.how = (int)((k >> 20) % 3);
		before = atomic_load(&committed[r.id]);
		buf_reset(&e);
		if (store_txn_run(st, r.how == 0 ? STORE_TXN_READONLY |
		    STORE_TXN_ONEREAD : STORE_TXN_READONLY, rd_txn, &r,
		    &e) != 0 || !r.same) {
			atomic_fetch_add(&failed, 1);
			continue;
		}
		if (r.n < before) {
			if (atomic_fetch_add(&stale, 1) == 0)
				diag("record %llu read %lld after %lld was "
				    "committed", (unsigned long long)r.id,
				    (long long)r.n, (long long)before);
		}
		atomic_fetch_add(&nreads, 1);
	}
	buf_release(&e);
	return (NULL);
}

int
main(void)
{
	struct store_options opt = { 0, STORE_CREATE | STORE_NOSYNC, 0 };
	struct schema	*schema = schema_new();
	char		 dir[] = "/tmp/clerk-test-store-rcache.XXXXXX";
	char		 path[512];
	pthread_t	 th[WRITERS + READERS];
	uint64_t	 h0, m0, h1, m1, id;
	int64_t		 add = 100000;
	size_t		 i, bad;
	int		 how;

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	if (schema_load_string(schema, "item.form", form, &err) != 0 ||
	    schema_check(schema, &err) != 0)
		tap_bail(err.data);
	item = schema_table(schema, "item");
	pos_code = (size_t)table_field_pos(item, "code");
	pos_n = (size_t)table_field_pos(item, "n");
	snprintf(path, sizeof path, "%s/db", dir);
	if (store_open(&st, path, schema, &opt, &err) != 0)
		tap_bail(err.data);
	if (store_txn_run(st, 0, fill_txn, NULL, &err) != 0)
		tap_bail(err.data);

	/* Read thrice: kept at the second read, read from the cache at
	 * the third, each way. */
	for (how = 0; how < 3; how++) {
		id = 10 + (uint64_t)how;
		hits(&h0, &m0);
		ok(read_n(id, how, STORE_TXN_READONLY) == (int64_t)id,
		    "way %d: the record read", how);
		hits(&h1, &m1);
		ok(h1 == h0 && m1 == m0 + 1, "way %d: first a miss", how);
		ok(read_n(id, how, STORE_TXN_READONLY) == (int64_t)id,
		    "way %d: the same record read again", how);
		hits(&h0, &m0);
		ok(h0 == h1 && m0 == m1 + 1, "way %d: a miss again, kept",
		    how);
		ok(read_n(id, how, STORE_TXN_READONLY) == (int64_t)id,
		    "way %d: and a third time", how);
		hits(&h1, &m1);
		ok(h1 == h0 + 1 && m1 == m0, "way %d: then from the cache",
		    how);
		h0 = h1;
		m0 = m1;
	}
	ok(read_n(10, 0, STORE_TXN_READONLY | STORE_TXN_ONEREAD) == 10,
	    "a single read outside a transaction reads it too");
	hits(&h1, &m1);
	ok(h1 == h0 + 1, "from the cache");

	/* A read that fails keeps nothing. */
	for (how = 0; how < 3; how++) {
		struct rd	r = { 40 + (uint64_t)how, how, -1, 0 };
		int		rv;

		buf_reset(&err);
		store_fault_set(1, ENOSPC);
		rv = store_txn_run(st, how == 0 ? STORE_TXN_READONLY |
		    STORE_TXN_ONEREAD : STORE_TXN_READONLY, rd_txn, &r, &err);
		store_fault_set(0, 0);
		ok(rv == -1 && err.len > 0, "way %d: a failed read is an "
		    "error: %s", how, err.data);
		hits(&h0, &m0);
		is_int(read_n(r.id, how, STORE_TXN_READONLY), 40 + how,
		    "way %d: then read", how);
		hits(&h1, &m1);
		ok(h1 == h0 && m1 == m0 + 1, "way %d: from the file", how);
	}

	/* Writes are seen at once, whichever way the record is read. */
	for (how = 0; how < 3; how++) {
		id = 10 + (uint64_t)how;
		ok(set_n(id, 7000 + how, 0) == 0, "way %d: an update", how);
		is_int(read_n(id, how, STORE_TXN_READONLY), 7000 + how,
		    "way %d: the update read", how);
		is_int(read_n(id, how, STORE_TXN_READONLY), 7000 + how,
		    "way %d: and read again", how);
		ok(set_n(id, 9999, -1) == 0, "way %d: an update aborted, "
		    "seen in its transaction", how);
		is_int(read_n(id, how, STORE_TXN_READONLY), 7000 + how,
		    "way %d: never read after", how);
	}
	/* A writing transaction reads its own writes, and keeps none. */
	read_n(20, 0, STORE_TXN_READONLY);
	read_n(20, 0, STORE_TXN_READONLY);
	ok(set_n(20, 12345, -1) == 0, "a transaction reads its own update");
	is_int(read_n(20, 0, STORE_TXN_READONLY), 20,
	    "and the update aborted is not kept");

	/* Archived and purged records. */
	read_n(30, 1, STORE_TXN_READONLY);	/* twice: kept */
	read_n(30, 1, STORE_TXN_READONLY);
	id = 30;
	ok(store_txn_run(st, 0, archive_txn, &id, &err) == 0, "archive");
	is_int(read_n(30, 1, STORE_TXN_READONLY), -1,
	    "an archived record leaves the page at once");
	read_n(31, 0, STORE_TXN_READONLY);
	read_n(31, 0, STORE_TXN_READONLY);
	id = 31;
	ok(store_txn_run(st, 0, purge_txn, &id, &err) == 0, "purge");
	is_int(read_n(31, 0, STORE_TXN_READONLY), -1,
	    "a purged record is not found");

	/* More records written in one transaction than the journal lists
	 * one by one (the table wholesale). */
	for (id = 1; id <= NREC; id++)
		if (id != 31) {
			read_n(id, (int)(id % 3), STORE_TXN_READONLY);
			read_n(id, (int)(id % 3), STORE_TXN_READONLY);
		}
	ok(store_txn_run(st, 0, all_txn, &add, &err) == 0,
	    "every record updated in one transaction");
	for (bad = 0, id = 1; id <= NREC; id++) {
		int64_t want = id == 31 ? -1 : id == 30 ? 30 :
		    id >= 10 && id <= 12 ? 7000 + (int64_t)id - 10 + add :
		    (int64_t)id + add;
		int64_t got = read_n(id, id == 30 ? 0 : (int)(id % 3),
		    STORE_TXN_READONLY);

		if (got != want && bad++ == 0)
			diag("record %llu: %lld, not %lld",
			    (unsigned long long)id, (long long)got,
			    (long long)want);
	}
	ok(bad == 0, "every record read as written (%zu not)", bad);

	/* Writers and readers at once. */
	for (id = 1; id <= NHOT; id++)
		atomic_store(&committed[id], read_n(id, 0,
		    STORE_TXN_READONLY));
	for (i = 0; i < WRITERS; i++)
		pthread_create(&th[i], NULL, writer, (void *)(uintptr_t)i);
	for (i = 0; i < READERS; i++)
		pthread_create(&th[WRITERS + i], NULL, reader,
		    (void *)(uintptr_t)(i + 1));
	{
		struct timespec ts = { SECONDS, 0 };

		nanosleep(&ts, NULL);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < WRITERS + READERS; i++)
		pthread_join(th[i], NULL);
	diag("%ld reads, %ld writes", atomic_load(&nreads),
	    atomic_load(&nwrites));
	ok(atomic_load(&nreads) > 100 && atomic_load(&nwrites) > 100,
	    "readers and writers both at work");
	is_int(atomic_load(&failed), 0, "no read or write failed");
	is_int(atomic_load(&stale), 0,
	    "no read older than the commit before it");
	store_close(st);

	/* Without the cache: the same records, no hits. */
	opt.flags = STORE_NOSYNC;
	opt.rcache_mb = STORE_RCACHE_NONE;
	if (store_open(&st, path, schema, &opt, &err) != 0)
		tap_bail(err.data);
	is_int(read_n(11, 1, STORE_TXN_READONLY), atomic_load(&committed[11]),
	    "without the cache: read");
	is_int(read_n(11, 1, STORE_TXN_READONLY), atomic_load(&committed[11]),
	    "and read again");
	hits(&h0, &m0);
	ok(h0 == 0 && m0 == 0, "nothing from a cache");
	store_close(st);

	schema_free(schema);
	buf_release(&err);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		diag("could not remove %s", dir);
	return (tap_done());
}
