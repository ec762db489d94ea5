/*
 * test-key-share: store_key_share(), the planner's estimate of how much
 * of an index a key range holds, on a table of known distribution:
 * 20,000 records, their n 0..9999 twice each and their codes
 * "c0000".."c9999" likewise (indexes of many keys, kept in runs: their
 * shares estimated from the B-tree's shape, the run at each end of a
 * range weighed by its pairs, so checked within a tolerance), a grade
 * of four values in 10, 20, 30 and 40 % of them (`shared', an index of
 * few keys, each with many ids in chunks: counted, so exact), and a
 * field no record sets (an empty index).  Ranges at the ends, in the
 * middle, empty, open, reversed, equalities, an unknown index; then an
 * index added to the form, built from the records at the next open.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "tap.h"

#define NALL	20000
#define SLACK	(STORE_SHARE_ONE / 20)	/* 5 % of the index */

static const char form[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field code text(20) required index folded \"Code\" \"Код\"\n"
    "field n money required index exact \"N\" \"Н\"\n"
    "field grade money required index exact shared \"Grade\" "
    "\"Сорт\"\n"
    "field spare money index exact \"Spare\" \"Запас\"\n";

/* The same with code indexed exactly too: built at the next open. */
static const char form2[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field code text(20) required index folded index exact \"Code\" "
    "\"Код\"\n"
    "field n money required index exact \"N\" \"Н\"\n"
    "field grade money required index exact shared \"Grade\" "
    "\"Сорт\"\n"
    "field spare money index exact \"Spare\" \"Запас\"\n";

static struct buf	 err = BUF_INIT;
static struct store	*st;
static const struct table *item;

struct fill {
	int	 from, to;
};

static int
fill_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	const struct fill *f = arg;
	struct record	*r;
	char		 code[16];
	int		 i;

	for (i = f->from; i < f->to; i++) {
		r = record_new(item);
		snprintf(code, sizeof code, "c%04d", i / 2);
		if (record_parse(r, (size_t)table_field_pos(item, "code"),
		    code, e) != 0) {
			record_free(r);
			return (-1);
		}
		record_set_int(r, (size_t)table_field_pos(item, "n"), i / 2);
		record_set_int(r, (size_t)table_field_pos(item, "grade"),
		    i % 10 < 1 ? 1 : i % 10 < 3 ? 2 : i % 10 < 6 ? 3 : 4);
		if (store_insert(txn, r, "test", e) != 0) {
			record_free(r);
			return (-1);
		}
		record_free(r);
	}
	return (0);
}

struct ask {
	const char	*ix;
	const void	*lo, *hi;
	size_t		 lolen, hilen;
	uint64_t	 share;
	uint64_t	 entries;	/* counted, or UINT64_MAX */
};

/* The entries the last share() counted, or UINT64_MAX (estimated). */
static uint64_t	last_entries;

static int
ask_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct ask	*a = arg;

	return (store_key_share(txn, item, a->ix, a->lo, a->lolen, a->hi,
	    a->hilen, &a->share, &a->entries, e));
}

/* The share of [lo, hi) of index ix; -1 on failure. */
static int
share(const char *ix, const struct buf *lo, const struct buf *hi,
    uint64_t *out)
{
	struct ask	a;

	memset(&a, 0, sizeof a);
	a.ix = ix;
	if (lo != NULL) {
		a.lo = lo->data;
		a.lolen = lo->len;
	}
	if (hi != NULL) {
		a.hi = hi->data;
		a.hilen = hi->len;
	}
	buf_reset(&err);
	if (store_txn_run(st, STORE_TXN_READONLY, ask_txn, &a, &err) != 0)
		return (-1);
	*out = a.share;
	last_entries = a.entries;
	return (0);
}

static void
num_key(struct buf *b, int64_t v, int past)
{
	buf_reset(b);
	index_int_key(b, v);
	if (past)
		buf_addch(b, (char)0xFF);
}

/* The range's share is want records of NALL, give or take slack. */
static void
near_by(const char *ix, const struct buf *lo, const struct buf *hi,
    uint64_t want, uint64_t slack, const char *what)
{
	uint64_t	got = 0, exp = want * STORE_SHARE_ONE / NALL;

	if (share(ix, lo, hi, &got) != 0) {
		ok(0, "%s", what);
		diag("%s", err.data);
		return;
	}
	if (!ok(got + slack >= exp && got <= exp + slack, "%s", what))
		diag("share %llu, want about %llu (of %u)",
		    (unsigned long long)got, (unsigned long long)exp,
		    STORE_SHARE_ONE);
}

static void
near(const char *ix, const struct buf *lo, const struct buf *hi,
    uint64_t want, const char *what)
{
	near_by(ix, lo, hi, want, SLACK, what);
}

/* A range of an index of few keys: counted, and said to be. */
static void
exact(const char *ix, const struct buf *lo, const struct buf *hi,
    uint64_t want, const char *what)
{
	near_by(ix, lo, hi, want, 1, what);
	if (!ok(last_entries == want, "%s: %llu entries, counted", what,
	    (unsigned long long)want))
		diag("entries %llu", (unsigned long long)last_entries);
}

int
main(void)
{
	struct store_options o = { 16, STORE_CREATE | STORE_NOSYNC, 0 };
	struct schema	*sc = schema_new();
	struct buf	 lo = BUF_INIT, hi = BUF_INIT;
	struct fill	 f;
	char		 dir[256], *cmd;
	const char	*tmp = getenv("TMPDIR");
	uint64_t	 got;

	snprintf(dir, sizeof dir, "%s/clerk-share.XXXXXX", tmp != NULL ?
	    tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		tap_bail("cannot make a temporary folder");
	if (schema_load_string(sc, "item.form", form, &err) != 0 ||
	    schema_check(sc, &err) != 0 ||
	    store_open(&st, dir, sc, &o, &err) != 0) {
		diag("%s", err.data);
		tap_bail("cannot open the store");
	}
	item = schema_table(sc, "item");
	for (f.from = 0; f.from < NALL; f.from = f.to) {
		f.to = f.from + 500;
		if (store_txn_run(st, 0, fill_txn, &f, &err) != 0) {
			diag("%s", err.data);
			tap_bail("cannot fill the table");
		}
	}

	/* Many keys: the B-tree's shape. */
	near("n:exact", NULL, NULL, NALL, "the whole index is all of it");
	ok(last_entries == UINT64_MAX, "an index of many keys is estimated, "
	    "not counted");
	num_key(&hi, 1000, 0);
	near("n:exact", NULL, &hi, 2000, "from the start: n < 1000");
	num_key(&lo, 1000, 0);
	num_key(&hi, 1250, 0);
	near("n:exact", &lo, &hi, 500, "in the middle: 1000 <= n < 1250");
	num_key(&lo, 2000, 0);
	near("n:exact", &lo, NULL, NALL - 4000, "to the end: n >= 2000");
	num_key(&lo, 17, 0);
	num_key(&hi, 17, 1);
	near("n:exact", &lo, &hi, 2, "n = 17: two records, about nothing");
	num_key(&lo, 1000, 1);
	num_key(&hi, 1001, 0);
	near("n:exact", &lo, &hi, 0, "nothing between two keys");
	num_key(&lo, NALL, 0);
	near("n:exact", &lo, NULL, 0, "past the last key");
	num_key(&hi, -1, 0);
	near("n:exact", NULL, &hi, 0, "before the first key");
	num_key(&lo, 2000, 0);
	num_key(&hi, 1000, 0);
	ok(share("n:exact", &lo, &hi, &got) == 0 && got == 0,
	    "a range whose low end is past its high end is empty");
	buf_reset(&lo);
	buf_adds(&lo, "c1");
	buf_reset(&hi);
	buf_adds(&hi, "c2");
	near("code:folded", &lo, &hi, 2000, "a text range: c1 <= code < c2");
	buf_addch(&lo, (char)0xFF);
	buf_reset(&hi);
	buf_adds(&hi, "c1");
	near("code", &hi, &lo, 2000, "a prefix: code ^= c1");

	/* Few keys of many duplicates each: counted. */
	num_key(&lo, 3, 0);
	num_key(&hi, 3, 1);
	exact("grade", &lo, &hi, NALL / 10 * 3, "grade = 3: 30 %, exactly");
	num_key(&hi, 3, 0);
	exact("grade", NULL, &hi, NALL / 10 * 3, "grade < 3: 10 + 20 %");
	exact("grade", &hi, NULL, NALL / 10 * 7, "grade >= 3: 30 + 40 %");
	num_key(&lo, 4, 1);
	exact("grade", &lo, NULL, 0, "grade > 4: none");
	num_key(&lo, 2, 0);
	num_key(&hi, 3, 1);
	exact("grade", &lo, &hi, NALL / 2, "2 <= grade <= 3");

	num_key(&hi, 100, 0);
	ok(share("spare", NULL, &hi, &got) == 0 && got == 0,
	    "an empty index holds nothing from its start");
	ok(share("spare", NULL, NULL, &got) == 0 && got == 0,
	    "nor in the whole of it");
	ok(share("nope", NULL, NULL, &got) == -1 &&
	    strstr(err.data, "'nope'") != NULL,
	    "an unknown index is an error naming it");

	/*
	 * An index added to a form over the 20,000 records is built at the
	 * next open, its batches of 5,000 records gathered and written as
	 * one load of runs (env.c's index_build()): it holds what the
	 * records give and sizes a range as the others do.
	 */
	store_close(st);
	schema_free(sc);
	sc = schema_new();
	if (schema_load_string(sc, "item.form", form2, &err) != 0 ||
	    schema_check(sc, &err) != 0 ||
	    store_open(&st, dir, sc, &o, &err) != 0) {
		diag("%s", err.data);
		tap_bail("cannot open the store with the index added");
	}
	item = schema_table(sc, "item");
	buf_reset(&err);
	if (!ok(store_check(st, item, &err) == 0, "an index added over "
	    "%d records is built, every entry there", NALL))
		diag("%s", err.data);
	buf_reset(&lo);
	buf_adds(&lo, "c1");
	buf_reset(&hi);
	buf_adds(&hi, "c2");
	near("code:exact", &lo, &hi, 2000, "the built index: c1 <= code < c2");

	store_close(st);
	schema_free(sc);
	xasprintf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	free(cmd);
	buf_release(&lo);
	buf_release(&hi);
	buf_release(&err);
	return (tap_done());
}
