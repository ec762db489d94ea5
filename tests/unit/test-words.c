/*
 * test-words.c: the word index as posting lists (src/store/words.c):
 * chunks cut when they grow, removals from the middle, an id below a
 * token's first chunk, a transaction that adds and removes the same
 * words, a search inside a writing transaction, an abort that drops the
 * queue, the rebuild of an index of the old format, store_check()
 * finding a missing and an extra posting, and a chunk's coding read
 * back.  Looks inside the store (store_int.h) to count chunks and to
 * damage the index on purpose.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"
#include "tap.h"

static struct buf err = BUF_INIT;

static const char form[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field name text(100) required index folded search \"Name\" \"Имя\"\n";

static struct schema *
inline_schema(void)
{
	struct schema	*sc = schema_new();

	if (schema_load_string(sc, "item.form", form, &err) == -1 ||
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

/* What a transaction of the tests does. */
struct job {
	const struct table *t;
	const char	*names[8];	/* inserted, in order */
	uint64_t	 ids[8];
	const char	*rename;	/* then ids[0] renamed to this... */
	const char	*back;		/* ...and back to this */
	int		 archive;	/* ids[0] archived and restored */
	const char	*query;		/* searched last, inside */
	uint64_t	 found[8];
	size_t		 nfound;
	int		 fail;		/* then the transaction fails */
};

static int
set_name(struct store_txn *txn, const struct table *t, uint64_t id,
    const char *name, struct buf *e)
{
	struct record	*rec;
	int		 r;

	if (store_get(txn, t, id, &rec, e) != 0)
		return (-1);
	record_set_text(rec, 0, name, strlen(name));
	r = store_update(txn, rec, rec->rev, "test", e);
	record_free(rec);
	return (r);
}

/* Of records ids[0..n), how many are out of order or have a name that
 * does not begin with prefix. */
struct named {
	const struct table *t;
	const uint64_t	*ids;
	size_t		 n;
	const char	*prefix;
	size_t		 bad;
};

static int
named_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct named	*nm = arg;
	struct record	*rec;
	const struct value *v;
	size_t		 i, plen = strlen(nm->prefix);

	nm->bad = 0;
	for (i = 0; i < nm->n; i++) {
		if (store_get(txn, nm->t, nm->ids[i], &rec, e) != 0)
			return (-1);
		v = &rec->values[0];
		if (!v->set || v->len < plen || memcmp(v->s, nm->prefix,
		    plen) != 0 || (i > 0 && nm->ids[i] <= nm->ids[i - 1]))
			nm->bad++;
		record_free(rec);
	}
	return (0);
}

static size_t
named(struct store *s, const struct table *t, const uint64_t *ids,
    size_t n, const char *prefix)
{
	struct named	 nm = { t, ids, n, prefix, 0 };

	if (store_txn_run(s, STORE_TXN_READONLY, named_fn, &nm, &err) < 0) {
		diag("named: %s", err.data);
		return (n + 1);
	}
	return (nm.bad);
}

/* How many of got[0..n) differ from want[0..n). */
static size_t
ids_differ(const uint64_t *got, const uint64_t *want, size_t n)
{
	size_t	i, bad = 0;

	for (i = 0; i < n; i++)
		bad += got[i] != want[i];
	return (bad);
}

static int
job_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct job	*j = arg;
	struct record	*rec;
	size_t		 i;

	for (i = 0; i < 8 && j->names[i] != NULL; i++) {
		rec = record_new(j->t);
		record_set_text(rec, 0, j->names[i], strlen(j->names[i]));
		if (store_insert(txn, rec, "test", e) == -1) {
			record_free(rec);
			return (-1);
		}
		j->ids[i] = rec->id;
		record_free(rec);
	}
	if (j->rename != NULL && (set_name(txn, j->t, j->ids[0], j->rename,
	    e) == -1 || set_name(txn, j->t, j->ids[0], j->back, e) == -1))
		return (-1);
	if (j->archive && (store_archive(txn, j->t, j->ids[0], "test",
	    e) == -1 || store_restore(txn, j->t, j->ids[0], "test", e) == -1))
		return (-1);
	if (j->query != NULL && store_search(txn, j->t, j->query, j->found,
	    8, &j->nfound, e) == -1)
		return (-1);
	if (j->fail)
		return (buf_error(e, "failed on purpose"));
	return (0);
}

/* Inserts count records named "prefix N" in transactions of batch. */
struct many {
	const struct table *t;
	const char	*prefix;
	size_t		 from, count;
	uint64_t	*ids;
};

static int
many_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct many	*m = arg;
	struct record	*rec;
	char		 name[64];
	size_t		 i;

	for (i = 0; i < m->count; i++) {
		rec = record_new(m->t);
		snprintf(name, sizeof(name), "%s %zu", m->prefix, m->from + i);
		record_set_text(rec, 0, name, strlen(name));
		if (store_insert(txn, rec, "test", e) == -1) {
			record_free(rec);
			return (-1);
		}
		m->ids[m->from + i] = rec->id;
		record_free(rec);
	}
	return (0);
}

struct q {
	const struct table *t;
	const char	*text;
	uint64_t	*ids;
	size_t		 max, n;
};

static int
search_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct q	*q = arg;

	return (store_search(txn, q->t, q->text, q->ids, q->max, &q->n, e));
}

static size_t
search(struct store *s, const struct table *t, const char *text,
    uint64_t *ids, size_t max)
{
	struct q	 q = { t, text, ids, max, 0 };

	if (store_txn_run(s, STORE_TXN_READONLY, search_fn, &q, &err) < 0) {
		diag("search '%s': %s", text, err.data);
		return ((size_t)-1);
	}
	return (q.n);
}

static int
simple_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	uint64_t	*a = arg;

	switch (a[0]) {
	case 0:
		return (store_archive(txn, (const struct table *)(uintptr_t)
		    a[2], a[1], "test", e));
	case 1:
		return (store_restore(txn, (const struct table *)(uintptr_t)
		    a[2], a[1], "test", e));
	default:
		return (store_purge(txn, (const struct table *)(uintptr_t)
		    a[2], a[1], "test", e));
	}
}

static int
simple(struct store *s, int what, const struct table *t, uint64_t id)
{
	uint64_t	 a[3] = { (uint64_t)what, id, (uint64_t)(uintptr_t)t };

	return (store_txn_run(s, 0, simple_fn, a, &err));
}

static int
rename_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct job	*j = arg;

	return (set_name(txn, j->t, j->ids[0], j->rename, e));
}

static int
rename_one(struct store *s, const struct table *t, uint64_t id,
    const char *name)
{
	struct job	 j;

	memset(&j, 0, sizeof(j));
	j.t = t;
	j.ids[0] = id;
	j.rename = name;
	return (store_txn_run(s, 0, rename_fn, &j, &err));
}

/*
 * Renames the records of ids, in the order given, in one transaction,
 * then the first one away and back: one word's changes come out of id
 * order and twice for one id.
 */
struct scatter {
	const struct table *t;
	const uint64_t	*ids;
	size_t		 n;
	const char	*name, *away;
};

static int
scatter_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct scatter	*sc = arg;
	size_t		 i;

	for (i = 0; i < sc->n; i++)
		if (set_name(txn, sc->t, sc->ids[i], sc->name, e) == -1)
			return (-1);
	if (set_name(txn, sc->t, sc->ids[0], sc->away, e) == -1 ||
	    set_name(txn, sc->t, sc->ids[0], sc->name, e) == -1)
		return (-1);
	return (0);
}

/* Chunks of a token in the word index, and whether they are in order. */
static size_t
chunks(struct store *s, const struct table *t, const char *tok)
{
	struct store_table *st = store_table_get(s, t);
	struct buf	 key = BUF_INIT;
	size_t		 n = 0, tl, len = strlen(tok);
	uint64_t	 lo;
	DBC		*c;
	DBT		 k, d;
	int		 ret;

	/* Read from the file itself: first everything the store's indexer
	 * writes behind the commits (store/defer.c). */
	if (store_settle(s, &key) != 0)
		tap_bail(key.data);
	if (st->search->db->cursor(st->search->db, NULL, &c, 0) != 0)
		return (0);
	buf_add(&key, tok, len);
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	k.flags = d.flags = DB_DBT_REALLOC;
	k.data = xmemdup(key.data, key.len);
	k.size = (u_int32_t)key.len;
	for (ret = c->get(c, &k, &d, DB_SET_RANGE); ret == 0;
	    ret = c->get(c, &k, &d, DB_NEXT)) {
		if (words_key_split(k.data, k.size, &tl, &lo) == -1 ||
		    tl != len || memcmp(k.data, tok, len) != 0)
			break;
		n++;
	}
	c->close(c);
	free(k.data);
	free(d.data);
	buf_release(&key);
	return (n);
}

/* A change made behind the store's back, in its own transaction. */
static int
poke(struct store *s, const struct table *t, const char *tok, uint64_t id,
    int add)
{
	struct store_table *st = store_table_get(s, t);
	struct words_put p = { tok, strlen(tok), id, add };
	DB_TXN		*txn;
	int		 ret;

	/* After what the indexer has yet to write, or it would undo it. */
	if (store_settle(s, &err) != 0)
		return (-1);
	if (s->env->txn_begin(s->env, NULL, &txn, 0) != 0)
		return (-1);
	ret = words_apply(st->search->db, txn, &p, 1);
	if (ret != 0) {
		txn->abort(txn);
		return (-1);
	}
	return (txn->commit(txn, 0) == 0 ? 0 : -1);
}

static int
check(struct store *s, const struct table *t)
{
	buf_reset(&err);
	return (store_check(s, t, &err));
}

static int
file_there(const char *dir, const char *file)
{
	struct stat	 sb;
	char		 path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return (stat(path, &sb) == 0);
}

/*
 * A chunk's coding read back: differences of one byte (the loop's fast
 * path) and of several, up to a cap, and a zero difference refused.
 */
static void
test_decode(void)
{
	static const uint64_t want[] = { 5, 6, 133, 134, 20000, 20127,
	    20128, (uint64_t)1 << 40, ((uint64_t)1 << 40) + 1 };
	const size_t	 nw = sizeof(want) / sizeof(want[0]);
	const unsigned char zero[] = { 5, 1, 0 };
	struct buf	 b = BUF_INIT;
	uint64_t	 out[16], *ids = NULL;
	size_t		 i, n = 0, alloc = 0, same = 0;
	unsigned char	 tmp[10];
	uint64_t	 v;
	size_t		 k;

	for (i = 0; i < nw; i++) {
		v = i == 0 ? want[0] : want[i] - want[i - 1];
		for (k = 0; v >= 0x80; v >>= 7)
			tmp[k++] = (unsigned char)(v | 0x80);
		tmp[k++] = (unsigned char)v;
		buf_add(&b, tmp, k);
	}
	ok(words_decode_cap(b.data, b.len, out, 16, &n) == 0 && n == nw,
	    "a chunk of one- and many-byte differences decodes");
	for (i = 0; i < n && i < nw; i++)
		same += out[i] == want[i];
	is_int((int)same, (int)nw, "every id as written");
	n = 0;
	ok(words_decode_cap(b.data, b.len, out, 3, &n) == 0 && n == 3 &&
	    out[2] == 133, "decoding stops at the cap");
	n = 0;
	ok(words_decode(b.data, b.len, &ids, &n, &alloc) == 0 && n == nw &&
	    ids[nw - 1] == want[nw - 1], "words_decode appends them all");
	ok(words_decode(b.data, b.len, &ids, &n, &alloc) == 0 &&
	    n == 2 * nw && ids[nw] == want[0], "and appends again after them");
	n = 0;
	ok(words_decode_cap(zero, sizeof(zero), out, 16, &n) == -1,
	    "a difference of zero is a damaged chunk");
	/* Near the largest id: two steps of one fit, a step of five not. */
	buf_reset(&b);
	for (v = UINT64_MAX - 3, k = 0; v >= 0x80; v >>= 7)
		tmp[k++] = (unsigned char)(v | 0x80);
	tmp[k++] = (unsigned char)v;
	buf_add(&b, tmp, k);
	buf_add(&b, "\1\1", 2);
	n = 0;
	ok(words_decode_cap(b.data, b.len, out, 16, &n) == 0 && n == 3 &&
	    out[2] == UINT64_MAX - 1, "ids up to the largest decode");
	buf_addch(&b, 5);
	n = 0;
	ok(words_decode_cap(b.data, b.len, out, 16, &n) == -1,
	    "a difference past the largest id is a damaged chunk");
	free(ids);
	buf_release(&b);
}

/*
 * Section 13: names of two or three words drawn from words that begin
 * one another, and queries of such words' beginnings, answered by the
 * store and by index_search_match() over every record.
 */
static const char *nestwords[] = { "Сидор", "Сидоров", "Сидорова",
    "Сидорович", "Сидоровна", "Сидоренко", "Карп", "Карпов", "Карпова",
    "Карпович", "Карповна", "Карпенко" };
#define NEST_RECORDS	6000

struct nestload {
	const struct table *t;
	char		(*names)[96];
	uint64_t	*ids;
	size_t		 from, count;
};

static uint32_t
nest_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return (*x);
}

static int
nestload_fn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct nestload	*nl = arg;
	struct record	*rec;
	size_t		 i;

	for (i = nl->from; i < nl->from + nl->count; i++) {
		rec = record_new(nl->t);
		record_set_text(rec, 0, nl->names[i], strlen(nl->names[i]));
		if (store_insert(txn, rec, "test", e) == -1) {
			record_free(rec);
			return (-1);
		}
		nl->ids[i] = rec->id;
		record_free(rec);
	}
	return (0);
}

/* The first max of the records whose names match q, by the rule. */
static size_t
nest_expect(const struct table *t, char (*names)[96], const uint64_t *ids,
    size_t n, const char *q, uint64_t *out, size_t max)
{
	struct keyset	 qt, rt;
	struct record	*rec;
	size_t		 i, got = 0;

	keyset_init(&qt);
	index_query_tokens(q, &qt);
	for (i = 0; i < n && got < max; i++) {
		rec = record_new(t);
		record_set_text(rec, 0, names[i], strlen(names[i]));
		keyset_init(&rt);
		index_search_keys(rec, &rt);
		if (index_search_match(&rt, &qt))
			out[got++] = ids[i];
		keyset_release(&rt);
		record_free(rec);
	}
	keyset_release(&qt);
	return (got);
}

#define N	3000

int
main(void)
{
	char		 tmpl[] = "/tmp/test-words.XXXXXX", cmd[1100];
	const char	*dir;
	struct schema	*sc;
	struct store	*s;
	const struct table *t;
	struct store_table *st;
	struct many	 m;
	struct job	 j;
	static const char *gaika[] = { "Гайка", "Гайковёрт", "Гайкорез",
	    "Гайкан", "Гайками" };
	uint64_t	*ids, got[N + 10], sparse[50];
	size_t		 i, n, bad, nwant;
	int		 r;
	DB		*old;
	DB_TXN		*txn;
	DBT		 k, d;

	test_decode();
	if ((dir = mkdtemp(tmpl)) == NULL)
		tap_bail("mkdtemp failed");
	sc = inline_schema();
	t = schema_table(sc, "item");
	s = open_store(dir, sc);
	ids = xcalloc(N, sizeof(*ids));

	/* 1. One word in N records: its list is cut into chunks. */
	for (i = 0; i < N; i += 500) {
		m.t = t;
		m.prefix = "Болт";
		m.from = i;
		m.count = 500;
		m.ids = ids;
		if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
			tap_bail(err.data);
	}
	n = chunks(s, t, "болт");
	ok(n > 2, "%d ids of one word make several chunks (%zu)", N, n);
	n = search(s, t, "болт", got, N + 10);
	for (i = 0, bad = 0; i < N && n == N; i++)
		bad += got[i] != ids[i];
	ok(n == N && bad == 0, "a search gives all %d of them in order (%zu)",
	    N, n);
	n = search(s, t, "бол", got, 50);
	ok(n == 50 && got[0] == ids[0] && got[49] == ids[49],
	    "a prefix key gives the first 50");
	n = search(s, t, "бол 2999", got, 10);
	ok(n == 1 && got[0] == ids[2999], "two words: the last record");
	r = check(s, t);
	is_int(r, 0, "check passes: %s", err.data);

	/* 2. Removed from the middle of a list, and put back. */
	is_int(simple(s, 0, t, ids[1500]), 0, "archive one in the middle");
	is_int(simple(s, 2, t, ids[1700]), 0, "purge another");
	n = search(s, t, "болт", got, N + 10);
	for (i = 0, bad = 0; i < n; i++)
		bad += got[i] == ids[1500] || got[i] == ids[1700] ||
		    (i != 0 && got[i] <= got[i - 1]);
	ok(n == N - 2 && bad == 0, "both leave the list (%zu)", n);
	r = check(s, t);
	is_int(r, 0, "check passes: %s", err.data);
	is_int(simple(s, 1, t, ids[1500]), 0, "restore the archived one");
	n = search(s, t, "болт 1500", got, 10);
	ok(n == 1 && got[0] == ids[1500], "it is found again");
	r = check(s, t);
	is_int(r, 0, "check passes: %s", err.data);

	/* 3. An id below the first chunk of a word. */
	is_int(rename_one(s, t, ids[2500], "Шпилька"), 0, "a new word");
	is_int(rename_one(s, t, ids[3], "Шпилька длинная"), 0,
	    "the same word on an older record");
	n = search(s, t, "шпилька", got, 10);
	ok(n == 2 && got[0] == ids[3] && got[1] == ids[2500],
	    "both found, in order");
	n = search(s, t, "болт", got, N + 10);
	ok(n == N - 3, "and both left the old word (%zu)", n);
	r = check(s, t);
	is_int(r, 0, "check passes: %s", err.data);

	/* 4. One transaction adds and removes the same words. */
	memset(&j, 0, sizeof(j));
	j.t = t;
	j.names[0] = "Винт";
	j.names[1] = "Винт малый";
	j.rename = "Шайба";
	j.back = "Винт";
	j.archive = 1;
	r = store_txn_run(s, 0, job_fn, &j, &err);
	is_int(r, 0, "insert, rename away and back, archive and restore: %s",
	    err.data);
	n = search(s, t, "винт", got, 10);
	ok(n == 2 && got[0] == j.ids[0] && got[1] == j.ids[1],
	    "the word is there once for each");
	ok(search(s, t, "шайба", got, 10) == 0, "the passing word is not");
	r = check(s, t);
	is_int(r, 0, "check passes: %s", err.data);

	/* 5. A search inside a writing transaction sees its writes. */
	memset(&j, 0, sizeof(j));
	j.t = t;
	j.names[0] = "Заклёпка";
	j.names[1] = "Болт заклёпочный";
	j.query = "заклеп";
	is_int(store_txn_run(s, 0, job_fn, &j, &err), 0, "insert and search");
	ok(j.nfound == 2 && j.found[0] == j.ids[0] && j.found[1] == j.ids[1],
	    "the search in the transaction finds both (%zu)", j.nfound);
	r = check(s, t);
	is_int(r, 0, "check passes: %s", err.data);

	/* 5b. Changes queued out of id order, one id twice. */
	{
		struct scatter	 sw;
		uint64_t	 moved[4];
		size_t		 before;

		before = search(s, t, "болт", got, N + 10);
		moved[0] = ids[2900];
		moved[1] = ids[40];
		moved[2] = ids[1200];
		moved[3] = ids[7];
		sw.t = t;
		sw.ids = moved;
		sw.n = 4;
		sw.name = "Гвоздь";
		sw.away = "Анкер";
		r = store_txn_run(s, 0, scatter_fn, &sw, &err);
		is_int(r, 0, "four renamed out of id order, one twice: %s",
		    err.data);
		n = search(s, t, "гвоздь", got, 10);
		ok(n == 4 && got[0] == ids[7] && got[1] == ids[40] &&
		    got[2] == ids[1200] && got[3] == ids[2900],
		    "the new word has all four in id order (%zu)", n);
		ok(search(s, t, "анкер", got, 10) == 0,
		    "the word passed through is not there");
		n = search(s, t, "болт", got, N + 10);
		for (i = 1, bad = 0; i < n; i++)
			bad += got[i] <= got[i - 1];
		ok(n == before - 4 && bad == 0,
		    "the old word lost the four (%zu of %zu), in order", n,
		    before);
		r = check(s, t);
		is_int(r, 0, "check passes: %s", err.data);
		/* Back as they were, for the counts further on. */
		for (i = 0, bad = 0; i < 4; i++) {
			char	 name[32];

			snprintf(name, sizeof(name), "Болт %d",
			    i == 0 ? 2900 : i == 1 ? 40 : i == 2 ? 1200 : 7);
			bad += rename_one(s, t, moved[i], name) != 0;
		}
		ok(bad == 0 && search(s, t, "болт", got, N + 10) == before &&
		    search(s, t, "гвоздь", got, 10) == 0, "and back");
	}

	/* 5c. Many small commits append to a word's last chunk. */
	{
		uint64_t	*few = xcalloc(2100, sizeof(*few));

		for (i = 0; i < 2100; i += 7) {
			m.t = t;
			m.prefix = "Шплинт";
			m.from = i;
			m.count = 7;
			m.ids = few;
			if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
				tap_bail(err.data);
		}
		n = search(s, t, "шплинт", got, N + 10);
		for (i = 0, bad = 0; i < 2100 && n == 2100; i++)
			bad += got[i] != few[i];
		ok(n == 2100 && bad == 0, "2,100 ids in 300 commits read back "
		    "exactly (%zu, %zu wrong)", n, bad);
		n = chunks(s, t, "шплинт");
		ok(n >= 2, "in %zu chunks", n);
		r = check(s, t);
		is_int(r, 0, "check passes: %s", err.data);
		free(few);
	}

	/* 6. An abort drops the queue, flushed or not. */
	memset(&j, 0, sizeof(j));
	j.t = t;
	j.names[0] = "Дюбель";
	j.fail = 1;
	ok(store_txn_run(s, 0, job_fn, &j, &err) == -1, "a failed insert");
	j.query = "дюбель";
	j.names[0] = "Дюбель распорный";
	ok(store_txn_run(s, 0, job_fn, &j, &err) == -1 && j.nfound == 1,
	    "a failed insert that searched (and so wrote its words)");
	ok(search(s, t, "дюбель", got, 10) == 0, "neither left a word");
	r = check(s, t);
	is_int(r, 0, "check passes: %s", err.data);

	/* 7. store_check finds a missing and an extra posting. */
	ok(poke(s, t, "болт", ids[10], 0) == 0, "take a posting away");
	r = check(s, t);
	ok(r == -1 && strstr(err.data, "lacks the word 'болт' of") != NULL,
	    "check finds it missing, and names the word: %s", err.data);
	ok(poke(s, t, "болт", ids[10], 1) == 0, "put it back");
	r = check(s, t);
	is_int(r, 0, "check passes: %s", err.data);
	ok(poke(s, t, "гайка", ids[20], 1) == 0, "add a word a record lacks");
	r = check(s, t);
	ok(r == -1 && strstr(err.data, "under the word 'гайка', which the "
	    "record does not give") != NULL,
	    "check finds the extra one, and names the word: %s", err.data);
	ok(poke(s, t, "гайка", ids[20], 0) == 0, "take it away");
	ok(poke(s, t, "болт", ids[N - 1] + 1000000, 1) == 0,
	    "add a posting of no record");
	r = check(s, t);
	ok(r == -1 && strstr(err.data, "which does not exist") != NULL,
	    "check finds that too, a record that is not: %s", err.data);
	ok(poke(s, t, "болт", ids[N - 1] + 1000000, 0) == 0, "take it away");
	r = check(s, t);
	is_int(r, 0, "check passes: %s", err.data);

	/*
	 * 8. An index of the old format (the associated "item.search.db"
	 * under another signature) is dropped and the postings rebuilt.
	 * The postings are damaged first, so only a rebuild mends them.
	 */
	ok(poke(s, t, "болт", ids[10], 0) == 0, "damage the postings");
	st = store_table_get(s, t);
	ok(s->env->txn_begin(s->env, NULL, &txn, 0) == 0 &&
	    store_db_open(s, txn, &old, "item.search.db", 1, 0, &err) == 0,
	    "make an index file of the old format");
	store_dbt(&k, "болт", strlen("болт"));
	store_dbt(&d, "\0\0\0\0\0\0\0\1", 8);
	ok(old->put(old, txn, &k, &d, 0) == 0, "with an entry");
	store_db_close(&old);
	store_dbt(&k, "index:item.search.db", strlen("index:item.search.db"));
	store_dbt(&d, "v4 search", 9);
	ok(s->meta->put(s->meta, txn, &k, &d, 0) == 0, "and its signature");
	store_dbt(&k, "index:item.words.db", strlen("index:item.words.db"));
	store_dbt(&d, "v4 search", 9);
	ok(s->meta->put(s->meta, txn, &k, &d, 0) == 0 &&
	    txn->commit(txn, 0) == 0, "the postings' signature made old");
	(void)st;
	store_close(s);
	ok(file_there(dir, "item.search.db"), "the old file is there");
	s = open_store(dir, sc);
	ok(!file_there(dir, "item.search.db"), "the reopen dropped it");
	r = check(s, t);
	is_int(r, 0, "the rebuilt postings check: %s", err.data);
	n = search(s, t, "болт", got, N + 10);
	ok(n == N - 2, "and search finds every record again (%zu)", n);
	ok(chunks(s, t, "болт") > 2, "in chunks");

	/*
	 * 9. A word longer than the prefix keys is the union of every
	 * word it starts ("шуруп": "шуруп", "шурупчик"), in id order
	 * without repeats: dense lists through a bit set, sparse ones
	 * merged (and section 10).
	 */
	for (i = 0; i < 8; i++) {
		m.t = t;
		m.prefix = i % 2 == 0 ? "Шуруп" : "Шурупчик";
		m.from = i * 50;
		m.count = 50;
		m.ids = ids;
		if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
			tap_bail(err.data);
	}
	m.prefix = "Шуруп Шурупчик";
	m.from = 400;
	m.count = 1;
	if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
		tap_bail(err.data);
	n = search(s, t, "шуруп", got, N + 10);
	for (i = 0, bad = 0; i < n && n == 401; i++)
		bad += got[i] != ids[i];
	ok(n == 401 && bad == 0, "two dense words: 401 ids in order, the "
	    "record with both once (%zu, %zu wrong)", n, bad);
	/* The first few: the words' lists merged a chunk at a time. */
	n = search(s, t, "шуруп", got, 60);
	for (i = 0, bad = 0; i < n && n == 60; i++)
		bad += got[i] != ids[i];
	ok(n == 60 && bad == 0, "the first 60 of them, merged (%zu, %zu "
	    "wrong)", n, bad);
	n = search(s, t, "шуруп", got, 1024);
	for (i = 0, bad = 0; i < n && n == 401; i++)
		bad += got[i] != ids[i];
	ok(n == 401 && bad == 0, "all 401 merged, the one with both words "
	    "once (%zu, %zu wrong)", n, bad);
	m.prefix = "Саморез";
	m.from = 0;
	m.count = 2;
	if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
		tap_bail(err.data);
	m.prefix = "Саморезик";
	m.from = 2;
	m.count = 1;
	if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
		tap_bail(err.data);
	m.prefix = "Саморез";
	m.from = 3;
	m.count = 1;
	if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
		tap_bail(err.data);
	n = search(s, t, "самор", got, N + 10);
	ok(n == 4 && got[0] == ids[0] && got[1] == ids[1] &&
	    got[2] == ids[2] && got[3] == ids[3],
	    "two sparse words: 4 ids in order (%zu)", n);
	n = search(s, t, "самор", got, 3);
	ok(n == 3 && got[0] == ids[0] && got[1] == ids[1] &&
	    got[2] == ids[2], "merged, the first 3 (%zu)", n);

	/*
	 * 10. Five words one token begins, their records far apart (400
	 * others between each two): the union of their lists is merged
	 * list by list (three passes for five lists), not set in bits,
	 * and some records hold two of the words, so the passes drop the
	 * repeats.
	 */
	for (i = 0, n = 0; i < 50; i++) {
		m.t = t;
		m.prefix = "Заглушка";
		m.from = 0;
		m.count = 400;
		m.ids = ids;
		if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
			tap_bail(err.data);
		m.prefix = gaika[i % 5];
		if (i % 7 == 3)
			m.prefix = i % 2 ? "Гайка Гайкорез" : "Гайкан Гайками";
		m.from = 0;
		m.count = 1;
		m.ids = sparse + i;
		if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
			tap_bail(err.data);
	}
	n = search(s, t, "гайк", got, N + 10);
	bad = n == 50 ? ids_differ(got, sparse, n) : 0;
	ok(n == 50 && bad == 0, "five sparse words: 50 ids in order, each "
	    "once (%zu, %zu wrong)", n, bad);
	n = search(s, t, "гайко", got, N + 10);
	for (i = 0, bad = 0, nwant = 0; i < 50; i++)
		if (i % 7 == 3 ? i % 2 == 1 : i % 5 == 1 || i % 5 == 2) {
			bad += nwant >= n || got[nwant] != sparse[i];
			nwant++;
		}
	ok(n == nwant && bad == 0, "two of them and a pair: %zu ids in "
	    "order (%zu, %zu wrong)", nwant, n, bad);
	n = search(s, t, "гайк 0", got, N + 10);
	ok(n == 50 && got[0] == sparse[0] && got[49] == sparse[49],
	    "with a second token, all 50 (%zu)", n);
	n = search(s, t, "гайк", got, 10);
	bad = n == 10 ? ids_differ(got, sparse, n) : 0;
	ok(n == 10 && bad == 0, "the first 10, merged (%zu, %zu wrong)", n,
	    bad);

	/*
	 * 11. Two tokens, one the beginning of eleven sparse words ("39":
	 * "39", "390" to "399" in 50 blocks of "Заглушка 0" to "Заглушка
	 * 399"), their answers taken window after window of ids: 550, the
	 * same first ones whatever the number asked for; and two tokens
	 * of which one begins the other, each needing a word of its own.
	 */
	n = search(s, t, "заглушка 39", got, N + 10);
	ok(n == 550 && named(s, t, got, n, "Заглушка 39") == 0,
	    "two tokens, one of eleven words: 550 answers in order (%zu)", n);
	memcpy(sparse, got, sizeof(sparse));
	n = search(s, t, "заглушка 39", got, 50);
	bad = ids_differ(got, sparse, n);
	ok(n == 50 && bad == 0, "the first 50 of them the same (%zu, %zu "
	    "wrong)", n, bad);
	n = search(s, t, "39 заг", got, 7);
	bad = ids_differ(got, sparse, n);
	ok(n == 7 && bad == 0, "and with a short prefix, the first 7 (%zu, "
	    "%zu wrong)", n, bad);
	n = search(s, t, "гайк гайкорез", got, N + 10);
	ok(n == 4 && named(s, t, got, n, "Гайка Гайкорез") == 0,
	    "a token that begins the other: each its own word, 4 (%zu)", n);

	/*
	 * 12. Such tokens whose first 700 answers all fail the check (one
	 * word, "Шпунтовка", for both) before the ones that pass, over
	 * several windows of ids: the ones that pass, in order, and the
	 * first few of them.
	 */
	for (i = 0; i < 4; i++) {
		m.t = t;
		m.prefix = "Шпунтовка";
		m.from = 0;
		m.count = i < 2 ? 350 : 10;
		m.ids = ids;
		if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
			tap_bail(err.data);
		m.prefix = "Шпунт Шпунтовка";
		m.count = i + 1;
		m.ids = sparse + i * (i + 1) / 2;
		if (store_txn_run(s, 0, many_fn, &m, &err) == -1)
			tap_bail(err.data);
	}
	n = search(s, t, "шпунт шпунтовка", got, 50);
	bad = n == 10 ? ids_differ(got, sparse, n) : 0;
	ok(n == 10 && bad == 0, "past 700 that fail, the 10 that pass (%zu, "
	    "%zu wrong)", n, bad);
	n = search(s, t, "шпунтовка шпунт", got, 4);
	bad = n == 4 ? ids_differ(got, sparse, n) : 0;
	ok(n == 4 && bad == 0, "the first 4 of them (%zu, %zu wrong)", n,
	    bad);

	/*
	 * 13. Names of words that begin one another, over several windows
	 * of ids and batches of answers: every query the store answers as
	 * the rule does, for the first 50 and for the first 7.
	 */
	{
		static char	 names[NEST_RECORDS][96];
		static uint64_t	 nids[NEST_RECORDS];
		struct nestload	 nl;
		uint64_t	 want[50];
		uint32_t	 x = 20261203;
		size_t		 w, qi, nw, len, at, nq = 0, wrong = 0, max;
		size_t		 nrule;
		char		 q[128];
		const char	*word;

		for (i = 0; i < NEST_RECORDS; i++) {
			nw = 2 + nest_rand(&x) % 2;
			for (w = 0, at = 0; w < nw; w++) {
				word = nestwords[nest_rand(&x) %
				    nitems(nestwords)];
				at += (size_t)snprintf(names[i] + at,
				    sizeof(names[i]) - at, "%s%s", w > 0 ?
				    " " : "", word);
			}
		}
		nl.t = t;
		nl.names = names;
		nl.ids = nids;
		for (i = 0; i < NEST_RECORDS; i += 500) {
			nl.from = i;
			nl.count = 500;
			if (store_txn_run(s, 0, nestload_fn, &nl, &err) == -1)
				tap_bail(err.data);
		}
		for (qi = 0; qi < 60; qi++) {
			/* Two or three beginnings of 4 letters or more. */
			nw = 2 + nest_rand(&x) % 2;
			for (w = 0, at = 0; w < nw; w++) {
				word = nestwords[nest_rand(&x) %
				    nitems(nestwords)];
				len = strlen(word) / 2;	/* letters */
				len = 4 + nest_rand(&x) % (len - 3);
				at += (size_t)snprintf(q + at, sizeof(q) - at,
				    "%s%.*s", w > 0 ? " " : "", (int)len * 2,
				    word);
			}
			for (max = 50; max >= 7; max = max == 50 ? 7 : 0) {
				n = search(s, t, q, got, max);
				nrule = nest_expect(t, names, nids,
				    NEST_RECORDS, q, want, max);
				nq++;
				if ((n != nrule || ids_differ(got, want, n)) &&
				    wrong++ < 3)
					diag("'%s' (first %zu): %zu answers, "
					    "%zu by the rule", q, max, n,
					    nrule);
			}
		}
		ok(wrong == 0, "%zu searches of nesting words as the rule "
		    "answers them (%zu differ)", nq, wrong);
	}
	store_close(s);
	buf_reset(&err);
	r = store_verify_dir(dir, &err);
	ok(r == 0, "db_verify accepts every file: %s", err.data);

	free(ids);
	schema_free(sc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("cannot remove %s", dir);
	buf_release(&err);
	return (tap_done());
}
