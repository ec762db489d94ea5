/*
 * test-store-each: store_page_each() walks an index exactly as
 * store_page() does (the same records in the same order from every
 * kind of position, forward and backward, archived ones skipped unless
 * asked for), handing each record's key in the index and its encoded
 * bytes, and stops when its function says so; store_fetch_each() hands
 * the records of ids in the order given, skipping ids without a record
 * (and archived ones unless asked for).  On 600 records whose codes
 * repeat and are prefixes of each other ("k7", "k70"), some archived.
 * Many ids (or entries of a walk) in a read-only transaction are looked
 * up by a helper thread too (store/ahead.c): the same records in the
 * same order, handed on
 * in the caller's thread, stopped where its function stops, and a
 * failure of any lookup either thread makes (injected) is the caller's
 * clean error or costs nothing.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "tap.h"

#define NREC	600

static const char form[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field code text(20) required index folded \"Code\" \"Код\"\n"
    "field n money required index exact \"N\" \"Н\"\n";

static struct buf	 err = BUF_INIT;
static struct store	*st;
static const struct table *item;
static size_t		 pos_code, pos_n;

static int
fill_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct record	*r;
	char		 code[16];
	int		 i;

	(void)arg;
	for (i = 0; i < NREC; i++) {
		r = record_new(item);
		/* Codes of one and two digits: "K7" is a prefix of "k70". */
		snprintf(code, sizeof code, "%c%d", i % 3 ? 'k' : 'K',
		    (i * 7) % 97);
		if (record_parse(r, pos_code, code, e) != 0) {
			record_free(r);
			return (-1);
		}
		record_set_int(r, pos_n, (i * 13) % 200 - 100);
		if (store_insert(txn, r, "test", e) != 0) {
			record_free(r);
			return (-1);
		}
		record_free(r);
	}
	return (0);
}

static int
archive_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	uint64_t	id;

	(void)arg;
	for (id = 5; id <= NREC; id += 11)
		if (store_archive(txn, item, id, "test", e) != 0)
			return (-1);
	return (0);
}

/* One walk both ways: what store_page() gives, and what
 * store_page_each() hands (ids, keys, records decoded from the bytes). */
struct walk {
	const char	*ix;
	const void	*key;
	size_t		 keylen;
	uint64_t	 id;
	int		 flags;
	size_t		 n;
	size_t		 stop;		/* stop after this many (0: never) */
	struct record	**page;
	size_t		 npage;
	uint64_t	 ids[NREC + 1];
	struct buf	 keys[NREC + 1];
	int		 same[NREC + 1];	/* bytes decode to the page's */
	size_t		 nids;
	int		 rv;
};

static int
each_one(uint64_t id, const void *key, size_t keylen, const void *data,
    size_t len, void *arg)
{
	struct walk	*w = arg;
	struct record	*r;
	struct buf	 a = BUF_INIT, b = BUF_INIT;
	size_t		 i = w->nids;

	if (i >= NREC + 1)
		return (1);
	w->ids[i] = id;
	buf_reset(&w->keys[i]);
	buf_add(&w->keys[i], key, keylen);
	r = record_new(item);
	w->same[i] = 0;
	if (record_decode(r, data, len, &a) == 0 && i < w->npage &&
	    w->page[i]->id == id) {
		record_format(w->page[i], pos_code, 1, &a);
		buf_reset(&b);
		record_format(r, pos_code, 1, &b);
		w->same[i] = strcmp(a.data, b.data) == 0 &&
		    r->values[pos_n].i == w->page[i]->values[pos_n].i &&
		    r->flags == w->page[i]->flags;
	}
	record_free(r);
	buf_release(&a);
	buf_release(&b);
	w->nids++;
	return (w->stop != 0 && w->nids >= w->stop);
}

static int
walk_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct walk	*w = arg;

	store_records_free(w->page, w->npage);
	w->page = NULL;
	w->npage = 0;
	w->nids = 0;
	if (store_page(txn, item, w->ix, w->key, w->keylen, w->id, w->flags,
	    w->n, &w->page, &w->npage, e) != 0)
		return (-1);
	w->rv = store_page_each(txn, item, w->ix, w->key, w->keylen, w->id,
	    w->flags, w->n, each_one, w, e);
	return (w->rv < 0 ? -1 : 0);
}

/* Walk both ways and compare, without the helper thread and with it
 * (from 16 entries, ahead.c); the name says from where. */
static void
check_walk(struct walk *w, const char *name)
{
	struct buf	 k = BUF_INIT;
	size_t		 i, want;
	int		 good, mode;

	for (mode = -1; mode <= 1; mode += 2) {
		store_set_fetch_ahead(mode);
		if (store_txn_run(st, STORE_TXN_READONLY, walk_txn, w,
		    &err) != 0) {
			ok(0, "%s: %s", name, err.data);
			continue;
		}
		want = w->stop != 0 && w->stop < w->npage ? w->stop :
		    w->npage;
		good = w->nids == want && w->rv == (w->stop != 0 && want ==
		    w->stop);
		for (i = 0; good && i < want; i++) {
			store_page_key(w->page[i], w->ix, &k);
			good = w->ids[i] == w->page[i]->id && w->same[i] &&
			    k.len == w->keys[i].len && memcmp(k.data,
			    w->keys[i].data, k.len) == 0;
			if (!good)
				diag("entry %zu: id %llu against %llu", i,
				    (unsigned long long)w->ids[i],
				    (unsigned long long)w->page[i]->id);
		}
		ok(good, "%s%s: %zu records as store_page() gives them (%zu "
		    "handed, returned %d)", name, mode > 0 ? ", helper" : "",
		    want, w->nids, w->rv);
	}
	store_set_fetch_ahead(0);
	buf_release(&k);
}

struct fetch {
	const uint64_t	*ids;
	size_t		 n;
	int		 flags;
	size_t		 stop;
	uint64_t	 got[64];
	size_t		 ngot;
	int		 bad;
	int		 rv;
};

static int
fetch_one(uint64_t id, const void *data, size_t len, void *arg)
{
	struct fetch	*f = arg;
	struct record	*r = record_new(item);

	if (record_decode(r, data, len, &err) != 0 || r->values[pos_n].i !=
	    (int64_t)(((id - 1) * 13) % 200) - 100)
		f->bad = 1;
	record_free(r);
	if (f->ngot < 64)
		f->got[f->ngot++] = id;
	return (f->stop != 0 && f->ngot >= f->stop);
}

static int
fetch_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct fetch	*f = arg;

	f->ngot = 0;
	f->bad = 0;
	f->rv = store_fetch_each(txn, item, f->ids, f->n, f->flags,
	    fetch_one, f, e);
	return (f->rv < 0 ? -1 : 0);
}

/* Many ids for the helper: repeats, 0, absent and archived ones, in
 * no order. */
#define NMANY	1500
struct many {
	uint64_t	 ids[NMANY];
	uint64_t	 got[NMANY];
	size_t		 ngot, stop;
	pthread_t	 self;
	int		 bad, rv, flags;
};

static int
many_one(uint64_t id, const void *data, size_t len, void *arg)
{
	struct many	*m = arg;
	struct record	*r = record_new(item);

	if (record_decode(r, data, len, &err) != 0 || r->values[pos_n].i !=
	    (int64_t)(((id - 1) * 13) % 200) - 100 ||
	    !pthread_equal(pthread_self(), m->self))
		m->bad = 1;
	record_free(r);
	if (m->ngot < NMANY)
		m->got[m->ngot++] = id;
	return (m->stop != 0 && m->ngot >= m->stop);
}

static int
many_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct many	*m = arg;

	m->ngot = 0;
	m->bad = 0;
	m->rv = store_fetch_each(txn, item, m->ids, NMANY, m->flags,
	    many_one, m, e);
	return (m->rv < 0 ? -1 : 0);
}

static void
check_many(void)
{
	struct many	*alone, *m;
	size_t		 i, n, fine = 0, failed = 0;
	int		 r, flags, same;

	alone = calloc(1, sizeof *alone);
	m = calloc(1, sizeof *m);
	if (alone == NULL || m == NULL)
		tap_bail("calloc");
	for (i = 0; i < NMANY; i++)
		alone->ids[i] = m->ids[i] = (i * 7919) % 700;
	alone->self = m->self = pthread_self();
	/* (Archived ones first: the runs below compare with flags 0.) */
	for (flags = STORE_PAGE_ARCHIVED; flags >= 0;
	    flags -= STORE_PAGE_ARCHIVED) {
		alone->flags = m->flags = flags;
		store_set_fetch_ahead(-1);
		r = store_txn_run(st, STORE_TXN_READONLY, many_txn, alone,
		    &err);
		ok(r == 0 && alone->rv == 0 && !alone->bad &&
		    alone->ngot > NMANY / 2, "%zu ids alone, flags %d: %zu "
		    "records", (size_t)NMANY, flags, alone->ngot);
		store_set_fetch_ahead(1);
		for (r = 0; r < 3; r++) {
			ok(store_txn_run(st, STORE_TXN_READONLY, many_txn, m,
			    &err) == 0 && m->rv == 0 && !m->bad &&
			    m->ngot == alone->ngot && memcmp(m->got,
			    alone->got, m->ngot * sizeof m->got[0]) == 0,
			    "with the helper, flags %d, run %d: the same "
			    "records in the same order, in this thread",
			    flags, r + 1);
		}
	}
	/* Stopped by its function, mid-block and on a block's end. */
	m->flags = 0;
	for (n = 1; n < 300; n += 97) {
		m->stop = n;
		ok(store_txn_run(st, STORE_TXN_READONLY, many_txn, m,
		    &err) == 0 && m->rv == 1 && m->ngot == n && !m->bad &&
		    memcmp(m->got, alone->got, n * sizeof m->got[0]) == 0,
		    "with the helper, stopped after %zu", n);
	}
	m->stop = 0;
	/* Every lookup of the caller's or the helper's failing in turn:
	 * the caller's clean error, or (the helper's) the same records. */
	for (n = 1; n <= 120; n++) {
		buf_reset(&err);
		store_fault_set(n, 0);
		r = store_txn_run(st, STORE_TXN_READONLY, many_txn, m, &err);
		store_fault_set(0, 0);
		same = r == 0 && m->rv == 0 && !m->bad &&
		    m->ngot == alone->ngot && memcmp(m->got, alone->got,
		    m->ngot * sizeof m->got[0]) == 0;
		if (same)
			fine++;
		else if (r == -1 && strstr(err.data, "cannot") != NULL)
			failed++;
		else {
			ok(0, "fault at call %zu: neither the records nor an "
			    "error: %d %s", n, r, err.data);
			break;
		}
	}
	ok(fine + failed == 120, "a failed lookup in either thread: %zu "
	    "clean errors, %zu runs with every record", failed, fine);
	/* A deadlock is retried: every record. */
	for (n = 1; n <= 60; n += 7) {
		store_fault_set(n, STORE_FAULT_DEADLOCK);
		r = store_txn_run(st, STORE_TXN_READONLY, many_txn, m, &err);
		store_fault_set(0, 0);
		ok(r == 0 && m->rv == 0 && m->ngot == alone->ngot &&
		    memcmp(m->got, alone->got, m->ngot * sizeof m->got[0]) ==
		    0, "a deadlock at call %zu: every record after all", n);
	}
	ok(store_txn_run(st, STORE_TXN_READONLY, many_txn, m, &err) == 0 &&
	    m->ngot == alone->ngot, "and the store works on");
	store_set_fetch_ahead(0);
	free(alone);
	free(m);
}

int
main(void)
{
	struct store_options opt = { 0, STORE_CREATE | STORE_NOSYNC, 0 };
	struct schema	*schema = schema_new();
	char		 dir[] = "/tmp/clerk-test-store-each.XXXXXX";
	char		 path[512], name[256];
	struct walk	*w;
	struct fetch	 f;
	struct buf	 key = BUF_INIT;
	static const char *const codes[] = { "k7", "k70", "k96", "k", "a",
	    "z" };
	static const int64_t nums[] = { -100, -3, 0, 42, 99, 100 };
	static const uint64_t ids[] = { 0, 1, 7, 300, 599, 600, UINT64_MAX };
	static const size_t ns[] = { 1, 7, 50, 1000 };
	uint64_t	 want_ids[] = { 600, 3, 5, 9999, 0, 1, 16, 300, 3 };
	size_t		 i, j, k, m;
	int		 flags;

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
	if (store_txn_run(st, 0, fill_txn, NULL, &err) != 0 ||
	    store_txn_run(st, 0, archive_txn, NULL, &err) != 0)
		tap_bail(err.data);

	w = calloc(1, sizeof *w);
	if (w == NULL)
		tap_bail("calloc");
	for (i = 0; i <= NREC; i++)
		buf_init(&w->keys[i]);
	/* From either end, both directions, archived or not, by size. */
	for (flags = 0; flags < 8; flags++)
		for (m = 0; m < 4; m++) {
			w->ix = flags & 1 ? "n" : "code";
			w->key = NULL;
			w->keylen = 0;
			w->id = 0;
			w->flags = flags & STORE_PAGE_BACKWARD ? flags : flags &
			    ~STORE_PAGE_FROM;
			w->n = ns[m];
			w->stop = 0;
			snprintf(name, sizeof name, "%s from the %s, flags %d, "
			    "%zu", w->ix, flags & STORE_PAGE_BACKWARD ? "end" :
			    "start", w->flags, w->n);
			check_walk(w, name);
		}
	/* From keys (some absent, some prefixes of others) and ids. */
	for (i = 0; i < nitems(codes); i++)
		for (j = 0; j < nitems(ids); j++)
			for (flags = 0; flags < 8; flags++) {
				w->ix = "code";
				buf_reset(&key);
				utf8_foldkey(&key, codes[i], strlen(codes[i]));
				w->key = key.data;
				w->keylen = key.len;
				w->id = ids[j];
				w->flags = flags;
				w->n = ns[(i + j + (size_t)flags) % 4];
				w->stop = 0;
				snprintf(name, sizeof name, "code from '%s' "
				    "and id %llu, flags %d, %zu", codes[i],
				    (unsigned long long)ids[j], flags, w->n);
				check_walk(w, name);
			}
	for (i = 0; i < nitems(nums); i++)
		for (k = 0; k < 2; k++)
			for (flags = 0; flags < 4; flags++) {
				buf_reset(&key);
				index_int_key(&key, nums[i]);
				w->ix = "n";
				w->key = key.data;
				w->keylen = key.len;
				w->id = k ? UINT64_MAX : 250;
				w->flags = flags;
				w->n = 1000;
				w->stop = 0;
				snprintf(name, sizeof name, "n from %lld and "
				    "id %llu, flags %d", (long long)nums[i],
				    (unsigned long long)w->id, flags);
				check_walk(w, name);
			}
	/* From positions on entries, as a walk goes on from its last. */
	for (k = 0; k < 2; k++) {
		struct record	**all = NULL;
		size_t		 nall = 0;

		w->ix = k ? "n" : "code";
		w->key = NULL;
		w->keylen = 0;
		w->id = 0;
		w->flags = STORE_PAGE_ARCHIVED;
		w->n = NREC;
		w->stop = 0;
		check_walk(w, k ? "every n" : "every code");
		all = w->page;
		nall = w->npage;
		w->page = NULL;
		w->npage = 0;
		for (i = 0; i < nall; i += 37)
			for (flags = 0; flags < 8; flags++) {
				store_page_key(all[i], w->ix, &key);
				w->key = key.data;
				w->keylen = key.len;
				w->id = all[i]->id + (uint64_t)(flags >> 2);
				w->flags = flags & 3;
				w->n = ns[(i + (size_t)flags) % 4];
				snprintf(name, sizeof name, "%s from entry %zu "
				    "(id %llu), flags %d, %zu", w->ix, i,
				    (unsigned long long)w->id, w->flags, w->n);
				check_walk(w, name);
			}
		store_records_free(all, nall);
	}
	/* Its function stops it. */
	w->ix = "code";
	w->key = NULL;
	w->keylen = 0;
	w->id = 0;
	w->flags = 0;
	w->n = 100;
	w->stop = 17;
	check_walk(w, "stopped after 17 forward");
	w->flags = STORE_PAGE_BACKWARD;
	w->stop = 1;
	check_walk(w, "stopped after 1 backward");
	w->ix = "nothing";
	w->stop = 0;
	ok(store_txn_run(st, STORE_TXN_READONLY, walk_txn, w, &err) == -1 &&
	    strstr(err.data, "'nothing'") != NULL, "an unknown index: %s",
	    err.data);

	/* Records by ids in the order given. */
	memset(&f, 0, sizeof f);
	f.ids = want_ids;
	f.n = nitems(want_ids);
	ok(store_txn_run(st, STORE_TXN_READONLY, fetch_txn, &f, &err) == 0 &&
	    f.rv == 0 && !f.bad && f.ngot == 5 && f.got[0] == 600 &&
	    f.got[1] == 3 && f.got[2] == 1 && f.got[3] == 300 &&
	    f.got[4] == 3, "records in the order given (3 twice), none for "
	    "0, 9999 or the archived 5 and 16");
	f.flags = STORE_PAGE_ARCHIVED;
	ok(store_txn_run(st, STORE_TXN_READONLY, fetch_txn, &f, &err) == 0 &&
	    !f.bad && f.ngot == 7 && f.got[2] == 5 && f.got[4] == 16,
	    "with archived ones: 5 and 16 come too");
	f.flags = 0;
	f.stop = 2;
	ok(store_txn_run(st, STORE_TXN_READONLY, fetch_txn, &f, &err) == 0 &&
	    f.rv == 1 && f.ngot == 2, "its function stops it");
	f.stop = 0;
	f.n = 0;
	ok(store_txn_run(st, STORE_TXN_READONLY, fetch_txn, &f, &err) == 0 &&
	    f.rv == 0 && f.ngot == 0, "no ids, no records");
	check_many();

	store_records_free(w->page, w->npage);
	for (i = 0; i <= NREC; i++)
		buf_release(&w->keys[i]);
	free(w);
	buf_release(&key);
	store_close(st);
	schema_free(schema);
	buf_release(&err);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		diag("could not remove %s", dir);
	return (tap_done());
}
