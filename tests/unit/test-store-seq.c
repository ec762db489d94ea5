/*
 * test-store-seq: the ids a table gives.  A writer killed (SIGKILL)
 * inside a transaction that took ids, by inserts and by a bulk load of
 * thousands, leaves no gap: the next open sets each table's sequence at
 * one past the largest id committed, a purged record's included (its
 * audit trail is there, and an id is never given twice).  And
 * store_insert_id(): a given id is kept, one in use or purged is
 * refused, and the sequence goes on after it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "tap.h"

#define NLOAD	5000	/* rows of the load killed */

static const char form[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field code text(20) required index exact \"Code\" \"Код\"\n"
    "table thing \"Thing\" \"Вещь\" \"Things\" \"Вещи\"\n"
    "field code text(20) required index exact \"Code\" \"Код\"\n";

static struct buf	 err = BUF_INIT;
static struct store	*st;
static const struct table *item, *thing;

struct ins {
	const struct table *t;
	uint64_t	 given;		/* 0: the sequence's */
	uint64_t	 id;		/* what it got */
	int		 n;		/* inserts */
	int		 die;		/* killed inside, before the commit */
};

static int
load_row(void *arg, size_t i, struct record *rec, struct buf *e)
{
	char	code[32];

	(void)arg;
	record_reset(rec);
	snprintf(code, sizeof code, "L%zu", i);
	return (record_parse(rec, 0, code, e));
}

static int
ins_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct ins		*o = arg;
	struct store_load	 l;
	struct record		*rec;
	char			 code[32];
	int			 i, r = 0;

	for (i = 0; i < o->n && r == 0; i++) {
		rec = record_new(o->t);
		snprintf(code, sizeof code, "c%d", i);
		record_parse(rec, 0, code, NULL);
		r = store_insert_id(t, rec, o->given, "test", e);
		o->id = rec->id;
		record_free(rec);
	}
	if (r == 0 && o->die) {
		/* A bulk load into the empty table too: it takes all its
		 * ids at once. */
		memset(&l, 0, sizeof l);
		l.table = thing;
		l.n = NLOAD;
		l.row = load_row;
		if (store_load(t, &l, "test", e) != 0)
			return (-1);
		kill(getpid(), SIGKILL);
	}
	return (r);
}

static int
ins(const struct table *t, uint64_t given, int n, int die, uint64_t *id)
{
	struct ins	o = { t, given, 0, n, die };
	int		r;

	buf_reset(&err);
	r = store_txn_run(st, 0, ins_txn, &o, &err);
	if (id != NULL)
		*id = o.id;
	return (r);
}

static int
purge_txn(struct store_txn *t, void *arg, struct buf *e)
{
	return (store_purge(t, item, *(uint64_t *)arg, "test", e));
}

struct used {
	uint64_t	 id;
	int		 r;
};

static int
used_txn(struct store_txn *t, void *arg, struct buf *e)
{
	struct used	*u = arg;

	u->r = store_id_used(t, item, u->id, e);
	return (u->r < 0 ? -1 : 0);
}

static int
used(uint64_t id)
{
	struct used	u = { id, -1 };

	if (store_txn_run(st, STORE_TXN_READONLY, used_txn, &u, &err) != 0)
		return (-1);
	return (u.r);
}

static void
open_store(const char *path, struct schema *schema, int flags)
{
	struct store_options opt = { 0, flags, 0 };

	if (store_open(&st, path, schema, &opt, &err) != 0)
		tap_bail(err.data);
}

int
main(void)
{
	struct schema	*schema = schema_new();
	char		 dir[] = "/tmp/clerk-test-store-seq.XXXXXX";
	char		 path[512];
	uint64_t	 id, three = 3;
	pid_t		 pid;
	int		 status, r;

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	if (schema_load_string(schema, "item.form", form, &err) != 0 ||
	    schema_check(schema, &err) != 0)
		tap_bail(err.data);
	item = schema_table(schema, "item");
	thing = schema_table(schema, "thing");
	snprintf(path, sizeof path, "%s/db", dir);

	/* The writer: three items, the third purged, then a transaction of
	 * inserts and a load that is killed before its commit. */
	fflush(stdout);
	if ((pid = fork()) == -1)
		tap_bail("fork");
	if (pid == 0) {
		open_store(path, schema, STORE_CREATE);
		if (ins(item, 0, 3, 0, NULL) != 0 ||
		    store_txn_run(st, 0, purge_txn, &three, &err) != 0 ||
		    ins(item, 0, 500, 1, NULL) != 0)
			fprintf(stderr, "writer: %s\n", err.data);
		_exit(1);
	}
	if (waitpid(pid, &status, 0) != pid)
		tap_bail("waitpid");
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "the writer was killed inside its transaction");

	open_store(path, schema, 0);
	is_int(ins(item, 0, 1, 0, &id), 0, "an insert after the crash");
	is_int(id, 4, "takes the id after the largest committed, a purged "
	    "record's (got %llu)", (unsigned long long)id);
	is_int(ins(thing, 0, 1, 0, &id), 0, "an insert into the table whose "
	    "load was killed");
	is_int(id, 1, "takes its first id (got %llu)",
	    (unsigned long long)id);

	/* Given ids. */
	is_int(ins(item, 50, 1, 0, &id), 0, "an insert with id 50");
	is_int(id, 50, "keeps it");
	is_int(ins(item, 0, 1, 0, &id), 0, "the next insert");
	is_int(id, 51, "goes on after it (got %llu)", (unsigned long long)id);
	is_int(used(50), STORE_ID_TAKEN, "id 50 is taken");
	is_int(used(3), STORE_ID_PURGED, "id 3 was purged");
	is_int(used(30), 0, "id 30 is free");
	/* The insert before ok(): its message is read after it (an
	 * argument's order of evaluation is not the call's). */
	r = ins(item, 50, 1, 0, NULL);
	ok(r == -1 && strstr(err.data, "Item #50 exists already") != NULL,
	    "id 50 again is refused: %s", err.data);
	r = ins(item, 3, 1, 0, NULL);
	ok(r == -1 && strstr(err.data, "Item #3 was purged") != NULL,
	    "a purged record's id is refused: %s", err.data);
	r = ins(item, STORE_ID_MAX + 1, 1, 0, NULL);
	ok(r == -1 && strstr(err.data, "too big") != NULL,
	    "an id above STORE_ID_MAX is refused: %s", err.data);
	is_int(ins(item, 30, 1, 0, &id), 0, "a free id below the largest");
	is_int(id, 30, "is kept");
	store_close(st);
	open_store(path, schema, 0);
	is_int(ins(item, 0, 1, 0, &id), 0, "after a clean close and open");
	is_int(id, 52, "the ids go on without a gap (got %llu)",
	    (unsigned long long)id);

	store_close(st);
	schema_free(schema);
	buf_release(&err);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		diag("cannot remove %s", dir);
	return (tap_done());
}
