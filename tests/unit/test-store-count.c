/*
 * test-store-count: the count of archived records the store keeps
 * beside the record count (key 0 of the primary, rec.c).  It follows
 * archive, restore and purge, a transaction sees its own changes before
 * they are written, an aborted one leaves it as it was, store_check()
 * finds it wrong, and a store from before it (key 0 of 8 bytes, the
 * record count alone) gets it counted at open.
 */
#include "config.h"

#include <db.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "tap.h"

#define NREC	50

static const char form[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field code text(20) required index exact \"Code\" \"Код\"\n";

static struct buf	 err = BUF_INIT;
static struct store	*st;
static const struct table *item;

struct op {
	int		 what;		/* insert archive restore purge */
	uint64_t	 id;
	uint64_t	 n, archived;	/* the counts read after it */
	int		 fail;		/* fail after it: an abort */
};

static int
op_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct op	*o = arg;
	struct record	*rec;
	int		 r = 0;

	switch (o->what) {
	case 'i':
		rec = record_new(item);
		record_parse(rec, 0, "x", NULL);
		r = store_insert(t, rec, "test", e);
		o->id = rec->id;
		record_free(rec);
		break;
	case 'a':
		r = store_archive(t, item, o->id, "test", e);
		break;
	case 'r':
		r = store_restore(t, item, o->id, "test", e);
		break;
	case 'p':
		r = store_purge(t, item, o->id, "test", e);
		break;
	}
	if (r != 0 || store_count(t, item, &o->n, e) != 0 ||
	    store_count_archived(t, item, &o->archived, e) != 0)
		return (-1);
	return (o->fail ? buf_error(e, "failed on purpose") : 0);
}

static int
op(int what, uint64_t id, int fail, uint64_t *n, uint64_t *archived)
{
	struct op	o = { what, id, 0, 0, fail };
	int		r;

	buf_reset(&err);
	r = store_txn_run(st, 0, op_txn, &o, &err);
	if (n != NULL)
		*n = o.n;
	if (archived != NULL)
		*archived = o.archived;
	return (r);
}

struct counts {
	uint64_t	n, archived;
};

static int
counts_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct counts	*c = arg;

	if (store_count(t, item, &c->n, e) != 0 ||
	    store_count_archived(t, item, &c->archived, e) != 0)
		return (-1);
	return (0);
}

static struct counts
counts(void)
{
	struct counts	c = { UINT64_MAX, UINT64_MAX };

	if (store_txn_run(st, STORE_TXN_READONLY, counts_txn, &c, &err) != 0)
		diag("counts: %s", err.data);
	return (c);
}

/* Key 0 as given: len 8 is a store from before the archived count. */
struct raw {
	uint64_t	n, archived;
	size_t		len;
};

static int
raw_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct raw		*w = arg;
	struct store_table	*stt = store_table_get(t->s, item);
	unsigned char		 zero[8] = { 0 }, cnt[16];
	DBT			 k, d;
	int			 ret;

	store_id_key(cnt, w->n);
	store_id_key(cnt + 8, w->archived);
	store_dbt(&k, zero, 8);
	store_dbt(&d, cnt, w->len);
	if ((ret = stt->db->put(stt->db, t->txn, &k, &d, 0)) != 0)
		return (buf_error(e, "%s", db_strerror(ret)));
	return (0);
}

/* The message is read after the call (buf may move). */
static int
check(void)
{
	buf_reset(&err);
	return (store_check(st, item, &err));
}

static void
reopen(const char *path, struct schema *schema)
{
	struct store_options opt = { 0, STORE_NOSYNC, 0 };

	store_close(st);
	if (store_open(&st, path, schema, &opt, &err) != 0)
		tap_bail(err.data);
}

int
main(void)
{
	struct store_options opt = { 0, STORE_CREATE | STORE_NOSYNC, 0 };
	struct schema	*schema = schema_new();
	struct counts	 c;
	struct raw	 w;
	char		 dir[] = "/tmp/clerk-test-store-count.XXXXXX";
	char		 path[512];
	uint64_t	 ids[NREC], n, a;
	size_t		 i;
	int		 r;

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	if (schema_load_string(schema, "item.form", form, &err) != 0 ||
	    schema_check(schema, &err) != 0)
		tap_bail(err.data);
	item = schema_table(schema, "item");
	snprintf(path, sizeof path, "%s/db", dir);
	if (store_open(&st, path, schema, &opt, &err) != 0)
		tap_bail(err.data);

	c = counts();
	ok(c.n == 0 && c.archived == 0, "an empty table counts 0 and 0");
	for (i = 0; i < NREC; i++)
		if (op('i', 0, 0, NULL, NULL) != 0)
			tap_bail(err.data);
	for (i = 0; i < NREC; i++)
		ids[i] = i + 1;
	for (i = 0; i < NREC; i += 5)
		if (op('a', ids[i], 0, NULL, NULL) != 0)
			tap_bail(err.data);
	c = counts();
	ok(c.n == NREC && c.archived == NREC / 5, "%d records, every fifth "
	    "archived: %llu and %llu", NREC, (unsigned long long)c.n,
	    (unsigned long long)c.archived);
	is_int(op('a', ids[0], 0, NULL, &a), 0, "archiving an archived "
	    "record again");
	is_int(a, NREC / 5, "counts it once");
	is_int(op('r', ids[5], 0, NULL, &a), 0, "a restore");
	is_int(a, NREC / 5 - 1, "seen by its own transaction");
	is_int(counts().archived, NREC / 5 - 1, "and after the commit");
	is_int(op('r', ids[1], 0, NULL, &a), 0, "restoring one in use");
	is_int(counts().archived, NREC / 5 - 1, "changes nothing");
	is_int(op('p', ids[10], 0, &n, &a), 0, "purging an archived record");
	ok(n == NREC - 1 && a == NREC / 5 - 2, "takes it from both counts: "
	    "%llu and %llu", (unsigned long long)n, (unsigned long long)a);
	is_int(op('p', ids[11], 0, &n, &a), 0, "purging one in use");
	ok(n == NREC - 2 && a == NREC / 5 - 2, "from the record count alone: "
	    "%llu and %llu", (unsigned long long)n, (unsigned long long)a);
	ok(op('a', ids[12], 1, NULL, &a) == -1 && a == NREC / 5 - 1,
	    "an archive its transaction saw");
	c = counts();
	ok(c.n == NREC - 2 && c.archived == NREC / 5 - 2, "is gone with its "
	    "abort");
	r = check();
	ok(r == 0, "the table checks%s%s", *err.data ? ": " : "", err.data);

	/* A wrong count is found. */
	w.n = NREC - 2;
	w.archived = 3;
	w.len = 16;
	if (store_txn_run(st, 0, raw_txn, &w, &err) != 0)
		tap_bail(err.data);
	r = check();
	ok(r == -1 && strstr(err.data,
	    "counts 3 archived records but has 8") != NULL,
	    "a wrong archived count is reported: %s", err.data);

	/* A store from before: the record count alone, counted again at
	 * open; a store with both is left as it is. */
	w.len = 8;
	if (store_txn_run(st, 0, raw_txn, &w, &err) != 0)
		tap_bail(err.data);
	reopen(path, schema);
	c = counts();
	ok(c.n == NREC - 2 && c.archived == NREC / 5 - 2, "a count of 8 "
	    "bytes gets the archived counted at open: %llu and %llu",
	    (unsigned long long)c.n, (unsigned long long)c.archived);
	r = check();
	ok(r == 0, "the table checks%s%s", *err.data ? ": " : "", err.data);
	is_int(op('a', ids[13], 0, NULL, NULL), 0, "an archive after it");
	reopen(path, schema);
	is_int(counts().archived, NREC / 5 - 1, "is kept across an open");

	store_close(st);
	schema_free(schema);
	buf_release(&err);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		diag("cannot remove %s", dir);
	return (tap_done());
}
