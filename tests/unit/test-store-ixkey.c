/*
 * test-store-ixkey.c: an index whose keys many records share holds no
 * duplicates; each entry's key is the field's key with the record's id
 * behind it, the id again its data (store_cmpkey(), store_int.h).
 * Checked: the file has no duplicates and its entries are made so; a
 * lookup gives a key's records in id order and none of a longer key
 * the key is a prefix of; walks forward and backward from a position
 * inside a key give the (key, id) pairs in order across the keys; a
 * page by the index likewise; an update moves the entry, a purge drops
 * it (test-store-load checks that a bulk load writes the same entries
 * as inserts do); and an index file of the old format
 * (sorted duplicates, under an old signature) is dropped at open and
 * rebuilt.  Looks inside the store (store_int.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "tap.h"

#define N	30

static struct buf err = BUF_INIT;

/* "ab" is a prefix of "abc": their entries must not mix. */
static const char *cities[] = { "ab", "abc", "b" };

static const char form_with[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field name text(50) required \"Name\" \"Имя\"\n"
    "field city text(50) index folded \"City\" \"Город\"\n";

static const char form_without[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field name text(50) required \"Name\" \"Имя\"\n"
    "field city text(50) \"City\" \"Город\"\n";

static struct schema *
inline_schema(const char *text)
{
	struct schema	*sc = schema_new();

	if (schema_load_string(sc, "item.form", text, &err) == -1 ||
	    schema_check(sc, &err) == -1) {
		diag("inline form: %s", err.data);
		tap_bail("cannot load the form");
	}
	return (sc);
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

/* The records: record i (ids[i]) in city i % 3. */
struct fill {
	const struct table *t;
	uint64_t	 ids[N];
};

static int
fill_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct fill	*f = arg;
	struct record	*rec;
	char		 name[32];
	int		 i;

	for (i = 0; i < N; i++) {
		rec = record_new(f->t);
		snprintf(name, sizeof name, "item %d", i);
		if (record_parse(rec, 0, name, e) == -1 ||
		    record_parse(rec, 1, cities[i % 3], e) == -1 ||
		    store_insert(txn, rec, "test", e) == -1) {
			record_free(rec);
			return (-1);
		}
		f->ids[i] = rec->id;
		record_free(rec);
	}
	return (0);
}

/* Every entry of the city index: key ‖ id with the id as data. */
static void
entries_made_so(struct store *s, const struct table *t, size_t want)
{
	struct store_table *st = store_table_get(s, t);
	struct store_index *ix = store_index_find(st, "city", 0);
	u_int32_t	 flags = 0;
	DBC		*c;
	DBT		 k, d;
	size_t		 n = 0, bad = 0;

	ok(ix != NULL && ix->cmp, "the city index is one of ids in keys");
	if (ix == NULL)
		return;
	ok(ix->db->get_flags(ix->db, &flags) == 0 &&
	    !(flags & (DB_DUP | DB_DUPSORT)), "its file has no duplicates");
	if (ix->db->cursor(ix->db, NULL, &c, 0) != 0)
		tap_bail("cannot read the index");
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	while (c->get(c, &k, &d, DB_NEXT) == 0) {
		n++;
		if (k.size < 9 || d.size != 8 || memcmp((char *)k.data +
		    k.size - 8, d.data, 8) != 0)
			bad++;
	}
	c->close(c);
	ok(n == want && bad == 0, "%zu entries, each the key and the id "
	    "behind it (%zu wrong)", n, bad);
}

struct look {
	const struct table *t;
	const char	*key;
	uint64_t	 ids[N];
	size_t		 n;
};

static int
look_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct look	*l = arg;

	return (store_lookup(txn, l->t, "city", l->key, strlen(l->key),
	    l->ids, N, &l->n, e) == -1 ? -1 : 0);
}

/* The ids of city, in id order, against records i % 3 == which. */
static void
lookup_is(struct store *s, const struct table *t, const char *city,
    const uint64_t *want, size_t nwant, const char *what)
{
	struct look	l;
	size_t		i, bad = 0;

	memset(&l, 0, sizeof(l));
	l.t = t;
	l.key = city;
	if (store_txn_run(s, STORE_TXN_READONLY, look_fn, &l, &err) != 0) {
		ok(0, "%s: %s", what, err.data);
		return;
	}
	for (i = 0; i < l.n && i < nwant; i++)
		bad += l.ids[i] != want[i];
	ok(l.n == nwant && bad == 0, "%s: %zu ids of %zu, %zu wrong", what,
	    l.n, nwant, bad);
}

/* The ids of city i % 3 == which among ids, in order. */
static size_t
ids_of(const uint64_t *ids, int which, int skip, uint64_t *out)
{
	size_t	n = 0;
	int	i;

	for (i = 0; i < N; i++)
		if (i % 3 == which && i != skip)
			out[n++] = ids[i];
	return (n);
}

/* A walk's pairs, as "key:id" words. */
struct walk {
	const struct table *t;
	const char	*key;
	uint64_t	 id;
	int		 flags;
	size_t		 max;
	struct buf	 got;
	size_t		 n;
};

static int
walk_key(const void *key, size_t len, uint64_t id, void *arg)
{
	struct walk	*w = arg;

	buf_printf(&w->got, "%.*s:%llu ", (int)len, (const char *)key,
	    (unsigned long long)id);
	return (++w->n == w->max);
}

static int
walk_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct walk	*w = arg;

	return (store_keys(txn, w->t, "city", w->key, w->key != NULL ?
	    strlen(w->key) : 0, w->id, w->flags, walk_key, w, e) == -1 ?
	    -1 : 0);
}

static void
walk_is(struct store *s, struct walk *w, const char *want, const char *what)
{
	buf_reset(&w->got);
	w->n = 0;
	if (store_txn_run(s, STORE_TXN_READONLY, walk_fn, w, &err) != 0) {
		ok(0, "%s: %s", what, err.data);
		return;
	}
	if (!ok(w->got.len == strlen(want) && memcmp(w->got.data, want,
	    w->got.len) == 0, "%s", what))
		diag("got \"%.*s\", want \"%s\"", (int)w->got.len,
		    w->got.data, want);
}

/* A page of 3 by the city index from (key, id). */
struct pg {
	const struct table *t;
	const char	*key;
	uint64_t	 id;
	int		 flags;
	struct record	**recs;
	size_t		 n;
};

static int
page_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct pg	*p = arg;

	return (store_page(txn, p->t, "city", p->key, strlen(p->key), p->id,
	    p->flags, 3, &p->recs, &p->n, e));
}

struct upd {
	const struct table *t;
	uint64_t	 id;
	const char	*city;
	int		 purge;
};

static int
upd_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct upd	*u = arg;
	struct record	*rec;
	int		 r;

	if (u->purge)
		return (store_archive(txn, u->t, u->id, "test", e) == -1 ||
		    store_purge(txn, u->t, u->id, "test", e) == -1 ? -1 : 0);
	if (store_get(txn, u->t, u->id, &rec, e) != 0)
		return (-1);
	r = record_parse(rec, 1, u->city, e) == -1 ? -1 :
	    store_update(txn, rec, rec->rev, "test", e);
	record_free(rec);
	return (r == -1 ? -1 : 0);
}

/* The walk's expected words: "city:id " for the ids given. */
static void
words(struct buf *b, const char *city, const uint64_t *ids, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%s:%llu ", city, (unsigned long long)ids[i]);
}

int
main(void)
{
	struct schema	*sc = inline_schema(form_with), *sc0;
	const struct table *t = schema_table(sc, "item");
	struct store	*s;
	struct store_table *st;
	struct fill	 f;
	struct walk	 w;
	struct pg	 p;
	struct upd	 u;
	struct buf	 want = BUF_INIT;
	uint64_t	 ab[N], abc[N], b[N];
	size_t		 nab, nabc, nb;
	char		 dir[256], *cmd;
	const char	*tmp = getenv("TMPDIR");
	DB_TXN		*txn;
	DB		*old;
	DBT		 k, d;
	unsigned char	 idb[8];
	int		 i;

	snprintf(dir, sizeof dir, "%s/clerk-ixkey.XXXXXX", tmp != NULL ?
	    tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		tap_bail("cannot make a temporary folder");
	s = open_store(dir, sc);
	memset(&f, 0, sizeof(f));
	f.t = t;
	if (store_txn_run(s, 0, fill_fn, &f, &err) != 0)
		tap_bail(err.data);

	/* 1. The entries. */
	entries_made_so(s, t, N);

	/* 2. Lookups: "ab" gives none of "abc". */
	nab = ids_of(f.ids, 0, -1, ab);
	nabc = ids_of(f.ids, 1, -1, abc);
	nb = ids_of(f.ids, 2, -1, b);
	lookup_is(s, t, "ab", ab, nab, "lookup of ab");
	lookup_is(s, t, "abc", abc, nabc, "lookup of abc");
	lookup_is(s, t, "b", b, nb, "lookup of b");
	lookup_is(s, t, "a", NULL, 0, "lookup of a, a prefix of keys");
	lookup_is(s, t, "abcd", NULL, 0, "lookup of abcd, past them");

	/* 3. Walks from inside a key, across the next. */
	memset(&w, 0, sizeof(w));
	w.t = t;
	w.key = "ab";
	w.id = ab[nab - 2];
	w.max = 4;
	words(&want, "ab", ab + nab - 1, 1);
	words(&want, "abc", abc, 3);
	walk_is(s, &w, want.data, "forward after (ab, its last id but one)");
	w.flags = STORE_PAGE_FROM;
	buf_reset(&want);
	words(&want, "ab", ab + nab - 2, 2);
	words(&want, "abc", abc, 2);
	walk_is(s, &w, want.data, "and from it");
	w.key = "abc";
	w.id = abc[1];
	w.flags = STORE_PAGE_BACKWARD;
	buf_reset(&want);
	words(&want, "abc", abc, 1);
	for (i = (int)nab - 1; i >= (int)nab - 3; i--)
		words(&want, "ab", ab + i, 1);
	walk_is(s, &w, want.data, "backward before (abc, its second id)");
	w.key = "ab";
	w.id = UINT64_MAX;
	w.flags = STORE_PAGE_BACKWARD | STORE_PAGE_FROM;
	w.max = 2;
	buf_reset(&want);
	words(&want, "ab", ab + nab - 1, 1);
	words(&want, "ab", ab + nab - 2, 1);
	walk_is(s, &w, want.data, "backward from the end of ab");
	w.key = "ab";
	w.id = UINT64_MAX;
	w.flags = 0;
	w.max = 1;
	buf_reset(&want);
	words(&want, "abc", abc, 1);
	walk_is(s, &w, want.data, "forward past the whole of ab");
	w.key = NULL;
	w.id = 0;
	w.flags = STORE_PAGE_BACKWARD;
	buf_reset(&want);
	words(&want, "b", b + nb - 1, 1);
	walk_is(s, &w, want.data, "backward from the end of the index");

	/* 4. A page by the index from inside a key. */
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.key = "ab";
	p.id = ab[nab - 1];
	p.flags = STORE_PAGE_FROM;
	ok(store_txn_run(s, STORE_TXN_READONLY, page_fn, &p, &err) == 0 &&
	    p.n == 3 && p.recs[0]->id == ab[nab - 1] &&
	    p.recs[1]->id == abc[0] && p.recs[2]->id == abc[1],
	    "a page from (ab, its last id): it, then abc's first two");
	store_records_free(p.recs, p.n);
	p.key = "abc";
	p.id = abc[0];
	p.flags = STORE_PAGE_BACKWARD;
	ok(store_txn_run(s, STORE_TXN_READONLY, page_fn, &p, &err) == 0 &&
	    p.n == 3 && p.recs[0]->id == ab[nab - 1] &&
	    p.recs[1]->id == ab[nab - 2] && p.recs[2]->id == ab[nab - 3],
	    "a page backward from (abc, its first id): ab's last three");
	store_records_free(p.recs, p.n);

	/* 5. An update moves the entry; a purge drops it. */
	memset(&u, 0, sizeof(u));
	u.t = t;
	u.id = f.ids[0];
	u.city = "b";
	ok(store_txn_run(s, 0, upd_fn, &u, &err) == 0, "record 0 to b: %s",
	    err.data);
	nab = ids_of(f.ids, 0, 0, ab);
	lookup_is(s, t, "ab", ab, nab, "ab without it");
	nb = ids_of(f.ids, 2, -1, b + 1);
	b[0] = f.ids[0];
	lookup_is(s, t, "b", b, nb + 1, "b with it, first");
	u.id = f.ids[1];
	u.purge = 1;
	ok(store_txn_run(s, 0, upd_fn, &u, &err) == 0, "record 1 purged: %s",
	    err.data);
	nabc = ids_of(f.ids, 1, 1, abc);
	lookup_is(s, t, "abc", abc, nabc, "abc without it");
	entries_made_so(s, t, N - 1);
	is_int(store_check(s, t, &err), 0, "check passes: %s", err.data);
	store_close(s);

	/*
	 * 6. The old format: a form without the index drops its file;
	 * then a file of sorted duplicates under an old signature, with
	 * an entry no record gives, is what an older clerk left.  The
	 * reopen with the index rebuilds it.
	 */
	sc0 = inline_schema(form_without);
	s = open_store(dir, sc0);
	ok(s->env->txn_begin(s->env, NULL, &txn, 0) == 0 &&
	    store_db_open(s, txn, &old, "item.city.folded.db", 1, 0,
	    &err) == 0, "make an index file of the old format");
	for (i = 2; i < N; i++) {
		store_dbt(&k, cities[i % 3], strlen(cities[i % 3]));
		store_id_key(idb, f.ids[i]);
		store_dbt(&d, idb, 8);
		if (old->put(old, txn, &k, &d, 0) != 0)
			break;
	}
	store_dbt(&k, "zz", 2);
	store_id_key(idb, 999999);
	store_dbt(&d, idb, 8);
	ok(i == N && old->put(old, txn, &k, &d, 0) == 0,
	    "with its entries and a stray one");
	store_db_close(&old);
	store_dbt(&k, "index:item.city.folded.db",
	    strlen("index:item.city.folded.db"));
	store_dbt(&d, "v1 field 2 2 text", 17);
	ok(s->meta->put(s->meta, txn, &k, &d, 0) == 0 &&
	    txn->commit(txn, 0) == 0, "and the signature of before");
	store_close(s);
	schema_free(sc0);
	s = open_store(dir, sc);
	st = store_table_get(s, t);
	ok(st != NULL, "the reopen with the index");
	entries_made_so(s, t, N - 1);
	lookup_is(s, t, "zz", NULL, 0, "the stray entry is gone");
	lookup_is(s, t, "ab", ab, nab, "ab rebuilt");
	is_int(store_check(s, t, &err), 0, "check passes: %s", err.data);
	store_close(s);
	buf_reset(&err);
	ok(store_verify_dir(dir, &err) == 0, "db_verify accepts every file: "
	    "%s", err.data);

	schema_free(sc);
	buf_release(&want);
	buf_release(&w.got);
	buf_release(&err);
	xasprintf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	free(cmd);
	return (tap_done());
}
