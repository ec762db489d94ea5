/*
 * test-store-compact: store_compact() after 30,000 inserts in random
 * name order and a purge of two records in three, while another thread
 * keeps inserting: the files get smaller, store_check() and Berkeley
 * DB's verification pass, every record that was there reads the same
 * (by id, by index lookup, by word search, by page), the records the
 * other thread wrote are all there, and store_compact_pending() counts
 * the changes since.  A compaction its function stops returns 1 and
 * leaves everything whole.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "tap.h"

#define NREC	30000
#define BATCH	1000
#define NLIVE	3000	/* inserted by the other thread during compaction */

static const char form[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field name text(100) required index folded search \"Name\" \"Имя\"\n"
    "field code text(20) required index exact \"Code\" \"Код\"\n"
    "field n int index exact \"N\" \"Н\"\n";
/* The same with the code searched too: the word index is made anew. */
static const char form2[] =
    "table item \"Item\" \"Товар\" \"Items\" \"Товары\"\n"
    "field name text(100) required index folded search \"Name\" \"Имя\"\n"
    "field code text(20) required index exact search \"Code\" \"Код\"\n"
    "field n int index exact \"N\" \"Н\"\n";

static struct store	*st;
static const struct table *item;
static size_t		 pos_name, pos_code, pos_n;
static char		 dbdir[512];

/* A name and a code for record i, in an order unrelated to i. */
static void
name_of(size_t i, char *name, size_t size, char *code, size_t csize)
{
	uint64_t	h = (uint64_t)i * 2654435761u;

	snprintf(name, size, "w%05llu Иванов%llu торг",
	    (unsigned long long)(h % 99991),
	    (unsigned long long)(h % 997));
	snprintf(code, csize, "c%09llu", (unsigned long long)(h % 1000000007));
}

static int
make(struct record **out, size_t i, struct buf *e)
{
	struct record	*r = record_new(item);
	char		 name[64], code[32];

	name_of(i, name, sizeof name, code, sizeof code);
	if (record_parse(r, pos_name, name, e) != 0 ||
	    record_parse(r, pos_code, code, e) != 0) {
		record_free(r);
		return (-1);
	}
	record_set_int(r, pos_n, (int64_t)(i % 5000));
	*out = r;
	return (0);
}

struct fill {
	size_t	 from, to;
	uint64_t *ids;
};

static int
fill_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct fill	*f = arg;
	struct record	*r;
	size_t		 i;

	for (i = f->from; i < f->to; i++) {
		if (make(&r, i, e) != 0)
			return (-1);
		if (store_insert(txn, r, "test", e) != 0) {
			record_free(r);
			return (-1);
		}
		f->ids[i] = r->id;
		record_free(r);
	}
	return (0);
}

static int
purge_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct fill	*f = arg;
	size_t		 i;

	for (i = f->from; i < f->to; i++)
		if (i % 3 != 0 && store_purge(txn, item, f->ids[i], "test",
		    e) != 0)
			return (-1);
	return (0);
}

static uint64_t
data_bytes(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		 p[1024];
	size_t		 l;
	uint64_t	 n = 0;

	if ((d = opendir(dir)) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l < 3 || strcmp(de->d_name + l - 3, ".db") != 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		if (stat(p, &sb) == 0)
			n += (uint64_t)sb.st_size;
	}
	closedir(d);
	return (n);
}

static uint64_t
file_bytes(const char *dir, const char *name)
{
	struct stat	 sb;
	char		 p[1024];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return (stat(p, &sb) == 0 ? (uint64_t)sb.st_size : 0);
}

/* The other thread: small insert transactions while compaction runs. */
static volatile int	 live_stop;
/* Set at the compaction's first step: the inserts begin after its start,
 * so all of them are changes it did not see (on a loaded machine the
 * thread could run a few batches before store_compact() began). */
static volatile int	 live_go;
static uint64_t		 live_ids[NLIVE];
static size_t		 live_n;
static int		 live_failed;

static void *
live_main(void *arg)
{
	struct buf	 e = BUF_INIT;
	struct fill	 f;

	(void)arg;
	f.ids = live_ids;
	while (!live_go && !live_stop)
		usleep(1000);
	for (live_n = 0; live_n < NLIVE;) {
		f.from = live_n;
		f.to = live_n + 10;
		/* The names and codes of the first records again. */
		if (store_txn_run(st, 0, fill_txn, &f, &e) != 0) {
			diag("live insert: %s", e.data);
			live_failed = 1;
			break;
		}
		live_n += 10;
		usleep(2000);
		if (live_stop && live_n >= 100)
			break;
	}
	buf_release(&e);
	return (NULL);
}

/* Every survivor as the text of its fields, to compare after. */
static char	**snap;

static void
snap_text(const struct record *r, struct buf *b)
{
	buf_reset(b);
	record_format(r, pos_name, 1, b);
	buf_adds(b, "|");
	record_format(r, pos_code, 1, b);
	buf_printf(b, "|%lld|%u", (long long)r->values[pos_n].i,
	    (unsigned)r->rev);
}

static int
snap_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct fill	*f = arg;
	struct record	*r;
	struct buf	 b = BUF_INIT;
	size_t		 i;
	int		 rv;

	for (i = f->from; i < f->to; i++) {
		free(snap[i]);
		snap[i] = NULL;
		if (i % 3 != 0)
			continue;
		if ((rv = store_get(txn, item, f->ids[i], &r, e)) != 0) {
			buf_release(&b);
			return (rv < 0 ? -1 : 0);
		}
		snap_text(r, &b);
		snap[i] = xstrdup(b.data);
		record_free(r);
	}
	buf_release(&b);
	return (0);
}

struct probe {
	uint64_t	*ids;
	size_t		 bad_get, bad_lookup, bad_search, checked;
	size_t		 paged;
};

static int
probe_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct probe	*p = arg;
	struct record	*r;
	struct buf	 b = BUF_INIT, key = BUF_INIT;
	uint64_t	 found[64];
	char		 name[64], code[32], q[16];
	size_t		 i, j, n;
	int		 hit;

	for (i = 0; i < NREC; i += 3) {
		if (store_get(txn, item, p->ids[i], &r, e) != 0) {
			p->bad_get++;
			continue;
		}
		snap_text(r, &b);
		if (snap[i] == NULL || strcmp(snap[i], b.data) != 0)
			p->bad_get++;
		record_free(r);
		p->checked++;
		if (i % 30 != 0)
			continue;
		/* By the code index, and by a word of the name. */
		name_of(i, name, sizeof name, code, sizeof code);
		if (store_lookup(txn, item, "code", code, strlen(code), found,
		    nitems(found), &n, e) < 0)
			return (-1);
		for (hit = 0, j = 0; j < n; j++)
			hit |= found[j] == p->ids[i];
		if (!hit)
			p->bad_lookup++;
		snprintf(q, sizeof q, "%.6s", name);
		if (store_search(txn, item, q, found, nitems(found), &n,
		    e) < 0)
			return (-1);
		for (hit = 0, j = 0; j < n; j++)
			hit |= found[j] == p->ids[i];
		if (!hit && n < nitems(found))
			p->bad_search++;
	}
	buf_release(&b);
	buf_release(&key);
	return (0);
}

/* Records in name order, all of them, a page at a time. */
static int
page_txn(struct store_txn *txn, void *arg, struct buf *e)
{
	struct probe	*p = arg;
	struct record	**page = NULL, *last = NULL;
	struct buf	 key = BUF_INIT;
	uint64_t	 id = 0;
	size_t		 n;
	int		 first = 1;

	p->paged = 0;
	for (;;) {
		if (store_page(txn, item, "name", first ? NULL : key.data,
		    key.len, id, 0, 500, &page, &n, e) != 0) {
			buf_release(&key);
			return (-1);
		}
		p->paged += n;
		if (n == 0) {
			store_records_free(page, n);
			break;
		}
		last = page[n - 1];
		buf_reset(&key);
		store_page_key(last, "name", &key);
		id = last->id;
		first = 0;
		store_records_free(page, n);
	}
	buf_release(&key);
	return (0);
}

static int
stop_at_once(const char *file, uint64_t before, uint64_t now, int done,
    void *arg)
{
	(*(int *)arg)++;
	return (1);
}

struct seen {
	size_t	 steps, files, shrank;
};

static int
count_steps(const char *file, uint64_t before, uint64_t now, int done,
    void *arg)
{
	struct seen	*s = arg;

	live_go = 1;
	if (done) {
		s->files++;
		if (now < before)
			s->shrank++;
	} else
		s->steps++;
	return (0);
}

int
main(void)
{
	struct store_options opt = { 0, STORE_CREATE | STORE_NOSYNC, 0 };
	struct schema	*schema = schema_new(), *schema2;
	struct buf	 err = BUF_INIT;
	char		 dir[] = "/tmp/clerk-test-store-compact.XXXXXX";
	char		 cmd[1200];
	struct fill	 f;
	struct probe	 p;
	struct seen	 seen;
	pthread_t	 th;
	uint64_t	*ids, before, after, pending, pending2;
	size_t		 i, survivors;
	int		 r, calls;

	if (mkdtemp(dir) == NULL)
		tap_bail("mkdtemp");
	if (schema_load_string(schema, "item.form", form, &err) != 0 ||
	    schema_check(schema, &err) != 0)
		tap_bail(err.data);
	item = schema_table(schema, "item");
	pos_name = (size_t)table_field_pos(item, "name");
	pos_code = (size_t)table_field_pos(item, "code");
	pos_n = (size_t)table_field_pos(item, "n");
	snprintf(dbdir, sizeof dbdir, "%s/db", dir);
	if (store_open(&st, dbdir, schema, &opt, &err) != 0)
		tap_bail(err.data);

	ids = xcalloc(NREC, sizeof(*ids));
	snap = xcalloc(NREC, sizeof(*snap));
	f.ids = ids;
	for (i = 0; i < NREC; i += BATCH) {
		f.from = i;
		f.to = i + BATCH;
		if (store_txn_run(st, 0, fill_txn, &f, &err) != 0)
			tap_bail(err.data);
	}
	for (i = 0; i < NREC; i += BATCH) {
		f.from = i;
		f.to = i + BATCH;
		if (store_txn_run(st, 0, purge_txn, &f, &err) != 0 ||
		    store_txn_run(st, STORE_TXN_READONLY, snap_txn, &f,
		    &err) != 0)
			tap_bail(err.data);
	}
	survivors = (NREC + 2) / 3;
	if (store_checkpoint(st, &err) != 0)
		tap_bail(err.data);

	r = store_compact_pending(st, &pending, &err);
	ok(r == 0 && pending >= NREC + NREC / 3 * 2, "changes pending "
	    "before: %llu", (unsigned long long)pending);

	/* Stopped at the first step: 1, and nothing is broken. */
	calls = 0;
	buf_reset(&err);
	r = store_compact(st, stop_at_once, &calls, &err);
	is_int(r, 1, "a compaction its function stops returns 1");
	is_int(calls, 1, "and stops at the first call");
	ok(store_check(st, item, &err) == 0, "store_check after a stopped "
	    "compaction%s%s", err.len ? ": " : "", err.data ? err.data : "");
	ok(store_compact_pending(st, &pending2, &err) == 0 &&
	    pending2 == pending, "a stopped compaction leaves the count");

	before = data_bytes(dbdir);
	memset(&seen, 0, sizeof(seen));
	if (pthread_create(&th, NULL, live_main, NULL) != 0)
		tap_bail("pthread_create");
	r = store_compact(st, count_steps, &seen, &err);
	live_stop = 1;
	pthread_join(th, NULL);
	is_int(r, 0, "store_compact%s%s", r ? ": " : "", r ? err.data : "");
	ok(!live_failed, "the other thread's inserts all went in (%zu)",
	    live_n);
	after = data_bytes(dbdir);
	ok(after * 10 < before * 8, "the files shrank by a fifth or more: "
	    "%llu -> %llu bytes", (unsigned long long)before,
	    (unsigned long long)after);
	ok(seen.files >= 5 && seen.shrank >= 3, "each file reported (%zu, "
	    "%zu smaller, %zu steps)", seen.files, seen.shrank, seen.steps);

	buf_reset(&err);
	ok(store_check(st, item, &err) == 0, "store_check after compaction"
	    "%s%s", err.len ? ": " : "", err.data ? err.data : "");
	memset(&p, 0, sizeof(p));
	p.ids = ids;
	if (store_txn_run(st, STORE_TXN_READONLY, probe_txn, &p, &err) != 0 ||
	    store_txn_run(st, STORE_TXN_READONLY, page_txn, &p, &err) != 0)
		tap_bail(err.data);
	is_int(p.checked, survivors, "every survivor read by id");
	is_int(p.bad_get, 0, "each reads as before");
	is_int(p.bad_lookup, 0, "each found by its code");
	is_int(p.bad_search, 0, "each found by a word of its name");
	is_int(p.paged, survivors + live_n, "pages by name give every "
	    "record, the new ones too");
	r = store_compact_pending(st, &pending2, &err);
	ok(r == 0 && pending2 >= live_n && pending2 < pending,
	    "changes pending after: %llu (the other thread's, %zu, or more)",
	    (unsigned long long)pending2, live_n);

	/* A storage call failing anywhere along a compaction (sampled,
	 * until the call is past its last): an error, nothing broken. */
	for (i = 1, r = 0, calls = 0;; i += i / 4 + 1) {
		buf_reset(&err);
		store_fault_set(i, ENOSPC);
		pending2 = (uint64_t)store_compact(st, NULL, NULL, &err);
		store_fault_set(0, 0);
		if (pending2 == 0)
			break;
		calls++;
		if (pending2 != (uint64_t)-1 || err.len == 0) {
			diag("failing call %zu: no error", i);
			r++;
		}
		buf_reset(&err);
		if (store_check(st, item, &err) != 0) {
			diag("after failing call %zu: %s", i, err.data);
			r++;
		}
	}
	ok(r == 0 && calls >= 10, "a storage call failing at %d places "
	    "along a compaction fails it with a message and breaks nothing",
	    calls);

	/* Again with nothing happening: nothing left to count. */
	ok(store_compact(st, NULL, NULL, &err) == 0 &&
	    store_compact_pending(st, &pending2, &err) == 0 && pending2 == 0,
	    "after a quiet compaction nothing is pending");

	/*
	 * An index made anew at open from more records than one batch
	 * takes (the word index, once code is searched too) is compacted
	 * there: compacting it again gives back little.  Built batch by
	 * batch and left so, it was three quarters larger here.
	 */
	store_close(st);
	schema2 = schema_new();
	if (schema_load_string(schema2, "item.form", form2, &err) != 0 ||
	    schema_check(schema2, &err) != 0)
		tap_bail(err.data);
	if (store_open(&st, dbdir, schema2, &opt, &err) != 0)
		tap_bail(err.data);
	item = schema_table(schema2, "item");
	if (store_checkpoint(st, &err) != 0)
		tap_bail(err.data);
	before = file_bytes(dbdir, "item.words.db");
	ok(store_compact(st, NULL, NULL, &err) == 0, "compact again");
	after = file_bytes(dbdir, "item.words.db");
	ok(before > 0 && after * 100 > before * 95, "the word index made "
	    "anew was compacted when built: %llu -> %llu bytes",
	    (unsigned long long)before, (unsigned long long)after);
	buf_reset(&err);
	ok(store_check(st, item, &err) == 0, "store_check after the rebuild"
	    "%s%s", err.len ? ": " : "", err.data ? err.data : "");

	store_close(st);
	buf_reset(&err);
	ok(store_verify_dir(dbdir, &err) == 0, "every file verifies%s%s",
	    err.len ? ": " : "", err.data ? err.data : "");

	for (i = 0; i < NREC; i++)
		free(snap[i]);
	free(snap);
	free(ids);
	schema_free(schema);
	schema_free(schema2);
	buf_release(&err);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (getenv("TEST_KEEP") == NULL && system(cmd) != 0)
		diag("cannot remove %s", dir);
	return (tap_done());
}
