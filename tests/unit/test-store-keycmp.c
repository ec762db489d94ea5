/*
 * test-store-keycmp: store_key_cmp(), the comparison of the read-only
 * handle records are looked up through, orders keys exactly as Berkeley
 * DB's default does (bytes as unsigned, then the shorter first) on keys
 * of every length up to 12 bytes made of the bytes where the two could
 * differ (0, 1, 0x7f, 0x80, 0xff), and on ids.  Then on a table deep
 * enough for pages above its leaves (whose keys a split shortened to a
 * few bytes), every lookup through that handle finds what the bulk
 * reads find: store_fetch_each() in any order, with ids missing and
 * archived, store_fetch() on sparse ids (each looked up alone) and
 * dense ones, and store_page_each() both ways.
 */
#include "config.h"

#include <db.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "tap.h"

#define NREC	20000
#define NGIVE	(NREC + 200)

static const char form[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field code text(20) required \"Code\" \"Код\"\n"
    "field n money required index exact \"N\" \"Н\"\n";

static struct buf	 err = BUF_INIT;
static struct store	*st;
static const struct table *item;
static size_t		 pos_code, pos_n;

/* The default order, as Berkeley DB documents it. */
static int
ref_cmp(const unsigned char *a, size_t la, const unsigned char *b, size_t lb)
{
	size_t	i, n = la < lb ? la : lb;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return (a[i] < b[i] ? -1 : 1);
	return (la < lb ? -1 : la > lb);
}

static int
sign(int v)
{
	return (v < 0 ? -1 : v > 0);
}

static uint64_t	 rnd = 88172645463325252ULL;

static uint64_t
next_rnd(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return (rnd);
}

static void
test_order(void)
{
	static const unsigned char alpha[] = { 0, 1, 0x7f, 0x80, 0xff };
	unsigned char	 a[12], b[12];
	DBT		 da, db;
	size_t		 la, lb, i, bad = 0, tries = 200000;
	uint64_t	 x, y;

	for (i = 0; i < tries; i++) {
		size_t	j;

		la = next_rnd() % 13;
		lb = next_rnd() % 13;
		for (j = 0; j < la; j++)
			a[j] = alpha[next_rnd() % nitems(alpha)];
		/* Often b starts as a does. */
		for (j = 0; j < lb; j++)
			b[j] = j < la && next_rnd() % 4 != 0 ? a[j] :
			    alpha[next_rnd() % nitems(alpha)];
		memset(&da, 0, sizeof da);
		memset(&db, 0, sizeof db);
		da.data = a;
		da.size = (u_int32_t)la;
		db.data = b;
		db.size = (u_int32_t)lb;
		if (sign(store_key_cmp(NULL, &da, &db)) !=
		    ref_cmp(a, la, b, lb) ||
		    sign(store_key_cmp(NULL, &db, &da)) !=
		    ref_cmp(b, lb, a, la)) {
			if (bad++ == 0)
				diag("lengths %zu and %zu differ", la, lb);
		}
	}
	ok(bad == 0, "%zu pairs of keys of 0 to 12 bytes in the default "
	    "order (%zu not)", tries, bad);
	bad = 0;
	for (i = 0; i < tries; i++) {
		x = next_rnd() >> (next_rnd() % 64);
		y = i % 3 == 0 ? x : next_rnd() >> (next_rnd() % 64);
		store_id_key(a, x);
		store_id_key(b, y);
		memset(&da, 0, sizeof da);
		memset(&db, 0, sizeof db);
		da.data = a;
		da.size = 8;
		db.data = b;
		db.size = 8;
		if (sign(store_key_cmp(NULL, &da, &db)) != (x < y ? -1 : x > y))
			bad++;
	}
	ok(bad == 0, "%zu pairs of ids in numeric order (%zu not)", tries, bad);
}

static int64_t
n_of(uint64_t id)
{
	return ((int64_t)((id * 7919) % 100000) - 50000);
}

static int
fill_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct record	*r;
	char		 code[32];
	size_t		*from = arg, i;

	for (i = *from; i < *from + 5000 && i < NREC; i++) {
		r = record_new(item);
		snprintf(code, sizeof code, "c%zu", i + 1);
		if (record_parse(r, pos_code, code, e) != 0) {
			record_free(r);
			return (-1);
		}
		record_set_int(r, pos_n, n_of(i + 1));
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
	for (id = 3; id <= NREC; id += 97)
		if (store_archive(txn, item, id, "test", e) != 0)
			return (-1);
	return (0);
}

static int
archived(uint64_t id)
{
	return (id >= 3 && id <= NREC && (id - 3) % 97 == 0);
}

/* What came, in order; a record whose bytes are not its own is bad. */
struct got {
	uint64_t	*ids;
	size_t		 n;
	int		 bad;
	struct record	*r;
};

static int
got_one(uint64_t id, const void *data, size_t len, void *arg)
{
	struct got	*g = arg;

	if (record_decode(g->r, data, len, &err) != 0 ||
	    g->r->values[pos_n].i != n_of(id))
		g->bad = 1;
	if (g->n < NGIVE)
		g->ids[g->n++] = id;
	return (0);
}

static int
got_entry(uint64_t id, const void *key, size_t keylen, const void *data,
    size_t len, void *arg)
{
	(void)key;
	(void)keylen;
	return (got_one(id, data, len, arg));
}

struct run {
	const uint64_t	*ids;
	size_t		 n;
	int		 how;		/* 0 each, 1 fetch, 2/3 page fwd/back */
	struct got	 g;
};

static int
run_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct run	*ru = arg;
	int		 rv;

	ru->g.n = 0;
	ru->g.bad = 0;
	if (ru->how == 0)
		rv = store_fetch_each(txn, item, ru->ids, ru->n, 0, got_one,
		    &ru->g, e);
	else if (ru->how == 1)
		rv = store_fetch(txn, item, ru->ids, ru->n, 0, got_one,
		    &ru->g, e);
	else
		rv = store_page_each(txn, item, "n", NULL, 0, 0,
		    ru->how == 3 ? STORE_PAGE_BACKWARD : 0, NREC, got_entry,
		    &ru->g, e);
	return (rv < 0 ? -1 : 0);
}

/* The ids of give that have a record not archived, in their order. */
static size_t
expect(const uint64_t *give, size_t n, uint64_t *out)
{
	size_t	i, m = 0;

	for (i = 0; i < n; i++)
		if (give[i] >= 1 && give[i] <= NREC && !archived(give[i]))
			out[m++] = give[i];
	return (m);
}

static void
check(struct run *ru, const uint64_t *want, size_t nwant, const char *name)
{
	if (store_txn_run(st, STORE_TXN_READONLY, run_txn, ru, &err) != 0) {
		ok(0, "%s: %s", name, err.data);
		return;
	}
	ok(!ru->g.bad && ru->g.n == nwant && memcmp(ru->g.ids, want,
	    nwant * sizeof *want) == 0, "%s: %zu records, each its own (%zu "
	    "came)", name, nwant, ru->g.n);
}

static int
by_n(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	int64_t		nx = n_of(x), ny = n_of(y);

	if (nx != ny)
		return (nx < ny ? -1 : 1);
	return (x < y ? -1 : x > y);
}

int
main(void)
{
	struct store_options opt = { 0, STORE_CREATE | STORE_NOSYNC, 0 };
	struct schema	*schema = schema_new();
	struct store_table *stt;
	DB_BTREE_STAT	*bs = NULL;
	char		 dir[] = "/tmp/clerk-test-store-keycmp.XXXXXX";
	char		 path[512];
	uint64_t	*give, *want, t;
	size_t		 i, j, n, nwant, from;
	struct run	 ru;

	test_order();

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
	for (from = 0; from < NREC; from += 5000)
		if (store_txn_run(st, 0, fill_txn, &from, &err) != 0)
			tap_bail(err.data);
	if (store_txn_run(st, 0, archive_txn, NULL, &err) != 0)
		tap_bail(err.data);

	/* Pages above the leaves, or the shortened keys go untested. */
	stt = store_table_get(st, item);
	i = stt != NULL && stt->rd != NULL ? (size_t)stt->rd->stat(stt->rd,
	    NULL, &bs, 0) : 1;
	ok(i == 0 && bs != NULL && bs->bt_levels >= 2, "the table's tree "
	    "has %u levels%s%s", bs != NULL ? bs->bt_levels : 0,
	    i == 0 ? "" : ": ", i == 0 ? "" : db_strerror((int)i));
	free(bs);

	give = calloc(NGIVE, sizeof *give);
	want = calloc(NGIVE, sizeof *want);
	memset(&ru, 0, sizeof ru);
	ru.g.ids = calloc(NGIVE, sizeof *ru.g.ids);
	ru.g.r = record_new(item);
	if (give == NULL || want == NULL || ru.g.ids == NULL)
		tap_bail("calloc");
	ru.ids = give;

	/* Every id and some past the end, ascending. */
	for (i = 0; i < NGIVE; i++)
		give[i] = i;
	n = NGIVE;
	nwant = expect(give, n, want);
	ru.n = n;
	ru.how = 0;
	check(&ru, want, nwant, "every id looked up alone");
	ru.how = 1;
	check(&ru, want, nwant, "every id read through");
	/* Shuffled, some twice, some far past the end. */
	for (i = 0; i < NGIVE; i++)
		give[i] = i % 50 == 0 ? UINT64_MAX - i : next_rnd() % (NREC + 5);
	nwant = expect(give, n, want);
	ru.how = 0;
	check(&ru, want, nwant, "ids in any order looked up alone");
	/* Sparse ascending (each looked up alone by store_fetch too), then
	 * dense. */
	for (i = 0, j = 1; j <= NREC + 100; j += 173)
		give[i++] = j;
	n = i;
	nwant = expect(give, n, want);
	ru.n = n;
	ru.how = 0;
	check(&ru, want, nwant, "ids 173 apart looked up alone");
	ru.how = 1;
	check(&ru, want, nwant, "ids 173 apart by store_fetch");
	for (i = 0, j = 2; j <= NREC; j += 3)
		give[i++] = j;
	n = i;
	nwant = expect(give, n, want);
	ru.n = n;
	ru.how = 0;
	check(&ru, want, nwant, "ids 3 apart looked up alone");
	ru.how = 1;
	check(&ru, want, nwant, "ids 3 apart by store_fetch");

	/* A walk of the index n, both ways. */
	for (i = 1, n = 0; i <= NREC; i++)
		if (!archived(i))
			want[n++] = i;
	qsort(want, n, sizeof *want, by_n);
	ru.how = 2;
	check(&ru, want, n, "a walk of n forward");
	for (i = 0; i < n / 2; i++) {
		t = want[i];
		want[i] = want[n - 1 - i];
		want[n - 1 - i] = t;
	}
	ru.how = 3;
	check(&ru, want, n, "a walk of n backward");

	record_free(ru.g.r);
	free(ru.g.ids);
	free(give);
	free(want);
	store_close(st);
	schema_free(schema);
	buf_release(&err);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		diag("could not remove %s", dir);
	return (tap_done());
}
