/*
 * bulk.c: store_load(), many records into a table that holds none, in
 * the caller's one transaction (an import of a file: all or nothing).
 * The records, their ids, audit entries, index keys and word postings
 * are those store_insert() would write one by one; what differs is the
 * order of the writes.  store_insert() puts the record through the
 * associated primary, and Berkeley DB then opens a cursor on each of
 * the table's indexes and puts a key into each at a random place of its
 * B-tree: most of an insert's cost.  Here each index's (key, id) pairs
 * of a batch of rows are collected in memory, sorted and written in key
 * order, in bulk (pairs_write(), env.c, as index_build() fills a new
 * index), and the word index's postings of the batch once a key
 * (words_load(): a token new to the index as new chunks without a read,
 * others appended).
 *
 * So the records go through the primary's handle that is NOT associated
 * (st->w): a write through it leaves every index stale (DESIGN.md §11).
 * This function is the only one that writes through it, and it writes
 * every index of the table from the same records before it returns; a
 * failure anywhere returns -1 and the caller aborts the transaction.
 * tests/unit/test-store-load.c checks that every index, byte for byte,
 * equals what store_insert() writes.  Never prints.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

/*
 * The index keys of a batch of rows are gathered in memory, sorted and
 * written; the next batch's go into the same B-trees again.  The word
 * index alone has some 60 keys a party, about 3 KB of pairs a row with
 * the other indexes'.  A larger batch writes each page of an index and
 * each hot chunk of the word index fewer times, and each pass over an
 * index reads fewer pages back into a cache smaller than the indexes:
 * a million parties took 48 s of CPU in batches of 20,000 rows (40 MB
 * of keys), 39 s in batches of 256 MB or 512 MB of keys.  So a batch is
 * as many rows as fit a budget taken from the machine's memory, a 64th
 * of it, between 32 and 256 MB; the peak is about twice the budget (the
 * arrays grow by doubling, and the sort has its scratch).
 */
#define LOAD_BUDGET_MIN	((size_t)32 << 20)
#define LOAD_BUDGET_MAX	((size_t)256 << 20)

/*
 * The word tokens a load has written, as 64-bit hashes in an open
 * addressed set (0 marks a free slot): a token not in it is not in the
 * word index, which was empty when the load began (the table held no
 * record), so its chunks are written without a read (words_load()).
 * Two tokens with one hash only cost the second a read.
 */
struct tokset {
	uint64_t	*slot;
	size_t		 n, nslots;
};

static uint64_t *
tokset_find(struct tokset *ts, uint64_t h)
{
	size_t	i;

	for (i = h & (ts->nslots - 1); ts->slot[i] != 0 && ts->slot[i] != h;
	    i = (i + 1) & (ts->nslots - 1))
		;
	return (&ts->slot[i]);
}

/* words_load()'s question: 1 (and noted) when the token is new. */
static int
tokset_new(const void *key, size_t len, void *arg)
{
	struct tokset	*ts = arg;
	uint64_t	*old, *p, h;
	size_t		 i, nold;

	if ((h = hash_fnv1a(key, len)) == 0)
		h = 1;
	if (ts->n * 2 >= ts->nslots) {
		old = ts->slot;
		nold = ts->nslots;
		ts->nslots = nold ? nold * 2 : 65536;
		ts->slot = xcalloc(ts->nslots, sizeof(*ts->slot));
		for (i = 0; i < nold; i++)
			if (old[i] != 0)
				*tokset_find(ts, old[i]) = old[i];
		free(old);
	}
	p = tokset_find(ts, h);
	if (*p != 0)
		return (0);
	*p = h;
	ts->n++;
	return (1);
}

/* 1 when st holds no record (key 0 is the count), 0, or -1. */
static int
load_empty(struct store_txn *t, struct store_table *st, struct buf *err)
{
	unsigned char	 kb[8];
	DBT		 k, d;
	DBC		*c;
	int		 ret, r2;

	if ((ret = DBCALL(st->db->cursor(st->db, t->txn, &c, 0))) != 0)
		goto fail;
	store_id_key(kb, 1);
	store_dbt(&k, kb, 8);
	k.ulen = 8;
	k.flags = DB_DBT_USERMEM;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
	/* The read lock kept to the commit keeps others from adding. */
	ret = DBCALL(c->get(c, &k, &d, DB_SET_RANGE));
	r2 = DBCLOSE(c->close(c));
	if (ret == DB_NOTFOUND && r2 == 0)
		return (1);
	if (ret == 0 && r2 == 0)
		return (0);
	if (ret == 0 || ret == DB_NOTFOUND)
		ret = r2;
fail:
	return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
	    st->t->name, store_strerror(ret)));
}

/*
 * Two rows with one key of a unique index: "two records would have inn
 * '7707083893'", the rows in l->bad (the later) and l->other.
 */
static int
load_duplicate(struct store_load *l, struct store_index *ix,
    const uint64_t *ids, size_t n, const uint64_t *dup, struct record *rec,
    struct buf *err)
{
	struct keyset	 a, b;
	struct buf	 what = BUF_INIT, val = BUF_INIT;
	size_t		 ra, rb, i, j;
	int		 c;

	ra = ids_find(ids, n, dup[0]);
	rb = ids_find(ids, n, dup[1]);
	l->bad = rb;
	l->other = ra;
	keyset_init(&a);
	keyset_init(&b);
	if (ra != SIZE_MAX && l->row(l->arg, ra, rec, err) == 0)
		sec_record_keys(ix, rec, &a);
	if (rb != SIZE_MAX && l->row(l->arg, rb, rec, err) == 0)
		sec_record_keys(ix, rec, &b);
	/* The key both have (sorted sets), for a field of many values. */
	for (i = j = 0; i < a.n && j < b.n;) {
		c = a.len[i] == b.len[j] ? memcmp(a.bytes.data + a.off[i],
		    b.bytes.data + b.off[j], a.len[i]) :
		    a.len[i] < b.len[j] ? -1 : 1;
		if (c == 0)
			break;
		if (c < 0)
			i++;
		else
			j++;
	}
	if (j < b.n)
		rec_unique_describe(ix, rec, b.bytes.data + b.off[j],
		    b.len[j], &what, &val);
	else
		rec_unique_describe(ix, rec, "", 0, &what, &val);
	buf_error(err, _("two records would have %s '%s'"), what.data,
	    val.data);
	keyset_release(&a);
	keyset_release(&b);
	buf_release(&what);
	buf_release(&val);
	return (-1);
}

size_t
store_load_budget(void)
{
	long	pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	size_t	b;

	b = pages > 0 && size > 0 ? (size_t)pages / 64 * (size_t)size : 0;
	if (b < LOAD_BUDGET_MIN)
		b = LOAD_BUDGET_MIN;
	if (b > LOAD_BUDGET_MAX)
		b = LOAD_BUDGET_MAX;
	return (b);
}

int
store_load(struct store_txn *t, struct store_load *l, const char *user,
    struct buf *err)
{
	struct store_table *st;
	struct store_index *ix;
	struct store_pairs *pairs = NULL;
	struct store_bulk pb;
	struct tokset	 ts;
	struct record	*rec = NULL;
	struct keyset	 ks;
	struct buf	 val = BUF_INIT;
	unsigned char	 kb[8];
	uint64_t	*ids = NULL, dup[2];
	size_t		 from, to, i, j, x, bad, used, budget;
	db_seq_t	 id;
	int64_t		 now;
	int		 r, ret, rc = -1;

	l->bad = l->other = SIZE_MAX;
	l->batches = 0;
	if ((st = store_table_of(t, l->table, err)) == NULL ||
	    store_writable(t, l->table, err) == -1)
		return (-1);
	if ((r = load_empty(t, st, err)) != 1)
		return (r == 0 ? STORE_NOTEMPTY : -1);
	rec = record_new(st->t);
	memset(&ts, 0, sizeof(ts));
	keyset_init(&ks);
	pairs = xcalloc(st->nix ? st->nix : 1, sizeof(*pairs));
	for (x = 0; x < st->nix; x++)
		buf_init(&pairs[x].keys);
	ids = xreallocarray(NULL, l->n ? l->n : 1, sizeof(*ids));
	/* Ids ascend: records are appended to the primary, in bulk. */
	bulk_init(&pb, st->w, t->txn);
	budget = l->budget != 0 ? l->budget : store_load_budget();
	for (from = 0; from < l->n; from = to) {
		used = 0;
		for (i = from; i < l->n && used < budget; i++) {
			/* As store_insert(), in the same order. */
			if (l->row(l->arg, i, rec, err) == -1 ||
			    record_validate(rec, &bad, err) == -1) {
				l->bad = i;
				goto out;
			}
			rec->id = 0;
			if (rec_check_refs(t, st, rec, NULL, err) == -1) {
				l->bad = i;
				goto out;
			}
			ret = DBCALL(st->seq->get(st->seq, NULL, 1, &id,
			    DB_TXN_NOSYNC));
			if (ret != 0) {
				store_fail(t, ret, err, _("cannot write table "
				    "'%s': %s"), st->t->name,
				    store_strerror(ret));
				goto out;
			}
			now = clock_now();
			ids[i] = rec->id = (uint64_t)id;
			rec->rev = 1;
			rec->flags = 0;
			rec->created = rec->updated = now;
			free(rec->created_by);
			free(rec->updated_by);
			rec->created_by = xstrdup(user_or_empty(user));
			rec->updated_by = xstrdup(user_or_empty(user));
			buf_reset(&val);
			record_encode(rec, &val);
			store_id_key(kb, rec->id);
			ret = bulk_put(&pb, kb, 8, val.data, val.len);
			if (ret != 0) {
				store_fail(t, ret, err, _("cannot write table "
				    "'%s': %s"), st->t->name,
				    store_strerror(ret));
				goto out;
			}
			journal_note(t, st, rec->id);
			if (audit_add(t, "insert", NULL, rec,
			    user_or_empty(user), rec->id, 1, err) == -1)
				goto out;
			/* The keys the key callback would give, and the
			 * words words_queue_record() would queue. */
			for (x = 0; x < st->nix; x++) {
				keyset_reset(&ks);
				sec_record_keys(&st->ix[x], rec, &ks);
				for (j = 0; j < ks.n; j++)
					pairs_add(&pairs[x], ks.bytes.data +
					    ks.off[j], ks.len[j], rec->id);
				used += ks.bytes.len +
				    ks.n * sizeof(struct store_pair);
			}
		}
		to = i;
		l->batches++;
		if ((ret = bulk_flush(&pb)) != 0) {
			store_fail(t, ret, err, _("cannot write table '%s': %s"),
			    st->t->name, store_strerror(ret));
			goto out;
		}
		for (x = 0; x < st->nix; x++) {
			ix = &st->ix[x];
			ret = pairs_write(ix, t->txn, &pairs[x], tokset_new,
			    &ts, dup);
			pairs_reset(&pairs[x]);
			if (ret == DB_KEYEXIST) {
				load_duplicate(l, ix, ids, to, dup, rec, err);
				goto out;
			}
			if (ret == EBADMSG) {
				buf_error(err, _("the word index of table '%s' "
				    "is damaged; run clerk admin verify"),
				    st->t->name);
				goto out;
			}
			if (ret != 0) {
				store_fail(t, ret, err, _("cannot write the "
				    "index '%s': %s"), ix->file,
				    store_strerror(ret));
				goto out;
			}
		}
	}
	t->delta[st->n] += (int64_t)l->n;
	rc = 0;
out:
	bulk_release(&pb);
	free(ts.slot);
	for (x = 0; x < st->nix; x++)
		pairs_release(&pairs[x]);
	free(pairs);
	free(ids);
	keyset_release(&ks);
	buf_release(&val);
	record_free(rec);
	return (rc);
}
