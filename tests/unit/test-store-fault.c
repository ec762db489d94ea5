/*
 * test-store-fault: every Berkeley DB call of every write path may fail.
 * For insert, update (of indexed fields), archive, restore and purge,
 * the n-th call of the operation is made to fail, for n = 1, 2, ... until
 * the operation runs clean:
 *  - with ENOSPC the operation must return -1 with a message naming the
 *    cause, and the database must be exactly as before (record,
 *    revision, history, count, every index lookup, search, store_check);
 *    the same operation run again without the fault must then succeed;
 *  - with a deadlock the store's retry must make it succeed exactly once.
 * "As after one clean success" is judged against a twin record that the
 * same operation was applied to without any fault.  Twins differ only in
 * the КПП (so the unique constraint on ИНН + КПП holds), which the twin
 * comparisons leave out.  Only the public store API is used.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "tap.h"
#include "party-gen.h"

#define KPP_A	"771001001"	/* the clean twin */
#define KPP_B	"770101001"	/* the faulted twin */
#define USER	"fault"

static struct store	*st;
static struct table	*party;

static void
on_alarm(int sig)
{
	static const char msg[] = "Bail out! test-store-fault timed out "
	    "(a failed operation left a lock or transaction behind?)\n";

	(void)sig;
	(void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

static const char *orgwords[] = { "Ромашка", "Вектор", "Альфа",
    "СтройМонтаж", "ТехноСервис", "Северный ветер", "Гранит", "Ёлка" };
static const char *cities[] = { "Москва", "Санкт-Петербург", "Казань",
    "Нижний Новгород" };
static const char *managers[] = { "ivanova", "petrov", "smirnova" };
static const char *sources[] = { "сайт", "выставка", "рекомендация" };
static const char *statuses[] = { "lead", "active", "inactive" };
/* Two tags each: every record of a run then makes as many calls. */
static const char *tagsets[] = { "vip; опт", "опт; розница", "новый; vip" };

/*
 * An organisation numbered k with every indexed field set: unique ИНН,
 * ОГРН, phones and e-mails from k, the rest drawn from k.
 */
static struct record *
party_make(unsigned k, const char *kpp)
{
	struct record	*rec = record_new(party);
	/*
	 * k + 5000000 is k's update: the same draws, each moved on to the
	 * next item, so every indexed field changes and an update writes
	 * as many index entries whatever was drawn.
	 */
	unsigned	 up = k >= 5000000;
	uint32_t	 rng = (k % 5000000) * 2654435761u + 1;
	unsigned	 n = k % 10000000;
	char		 s[256], inn[16], ogrn[16];
	const char	*w;

	record_defaults(rec);
	set(rec, "kind", "org");
	w = orgwords[(rnd(&rng) + up) % nitems(orgwords)];
	snprintf(s, sizeof(s), "ООО «%s %u»", w, k);
	set(rec, "name", s);
	snprintf(s, sizeof(s), "%s %u", w, k);
	set(rec, "short_name", s);
	make_inn10(inn, k);
	set(rec, "inn", inn);
	set(rec, "kpp", kpp);
	make_ogrn(ogrn, k, 0);
	set(rec, "ogrn", ogrn);
	set(rec, "city", cities[(rnd(&rng) + up) % nitems(cities)]);
	snprintf(s, sizeof(s), "8 (916) %03u-%02u-%02u; +7 495 %03u-%02u-%02u",
	    n / 10000, n / 100 % 100, n % 100, n / 10000, n / 100 % 100,
	    n % 100);
	set(rec, "phones", s);
	snprintf(s, sizeof(s), "info%u@romashka.ru, buh%u@romashka.ru", k, k);
	set(rec, "emails", s);
	set(rec, "manager", managers[(rnd(&rng) + up) % nitems(managers)]);
	set(rec, "source", sources[(rnd(&rng) + up) % nitems(sources)]);
	set(rec, "status", statuses[(rnd(&rng) + up) % nitems(statuses)]);
	/* An update's tags share none with the record's. */
	set(rec, "tags", up ? "дилер; регион" :
	    tagsets[rnd(&rng) % nitems(tagsets)]);
	snprintf(s, sizeof(s), "client %u, created by the fault test", k);
	set(rec, "notes", s);
	return (rec);
}

static int
do_count(struct store_txn *txn, void *arg, struct buf *err)
{
	return (store_count(txn, party, arg, err));
}

static uint64_t
count(void)
{
	struct buf	 err = BUF_INIT;
	uint64_t	 n = 0;

	if (store_txn_run(st, STORE_TXN_READONLY, do_count, &n, &err) != 0) {
		diag("store_count: %s", err.data);
		n = UINT64_MAX;
	}
	buf_release(&err);
	return (n);
}

/*
 * Dumps of the database as plain text, so that "exactly as before" is a
 * string comparison and a difference shows in the diagnostics.
 */
struct dump {
	uint64_t		 id;		/* record to dump, or 0 */
	const struct record	*keys[2];	/* whose index keys to look up */
	int			 twin;		/* leave out kpp and ids */
	uint64_t		 self;		/* twin: the id printed as "self" */
	struct buf		*out;
};

static int
dump_fn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct dump	*d = arg;
	struct record	*rec = NULL;
	struct audit_entry *e = NULL;
	struct keyset	 ks;
	uint64_t	 ids[4096];
	size_t		 i, j, k, n, ne = 0;
	struct buf	 v = BUF_INIT;
	int		 rc;

	buf_reset(d->out);
	if (d->id != 0) {
		rc = store_get(txn, party, d->id, &rec, err);
		if (rc == -1)
			return (-1);
		if (rc == STORE_NOTFOUND)
			buf_printf(d->out, "record: not found\n");
		else {
			buf_printf(d->out, "record: rev %" PRIu32 " flags %"
			    PRIu32 " created %" PRId64 " by %s updated %" PRId64
			    " by %s\n", rec->rev, rec->flags, rec->created,
			    rec->created_by ? rec->created_by : "(null)",
			    rec->updated, rec->updated_by ? rec->updated_by :
			    "(null)");
			for (i = 0; i < party->nfields; i++) {
				if (d->twin && strcmp(party->fields[i].name,
				    "kpp") == 0)
					continue;
				buf_reset(&v);
				record_format(rec, i, 1, &v);
				buf_printf(d->out, "  %s = %s\n",
				    party->fields[i].name, v.data);
			}
			record_free(rec);
		}
		if (store_history(txn, party, d->id, &e, &ne, err) == -1)
			return (-1);
		for (i = 0; i < ne; i++) {
			buf_printf(d->out, "audit: %s rev %" PRIu32 " by %s at %"
			    PRId64 " table %s id %s\n", e[i].action, e[i].rev,
			    e[i].user, e[i].when, e[i].table,
			    e[i].id == d->id ? "self" : "OTHER");
			for (j = 0; j < e[i].nchanges; j++) {
				if (d->twin && strcmp(e[i].changes[j].field,
				    "kpp") == 0)
					continue;
				buf_printf(d->out, "  %s: '%s' -> '%s'\n",
				    e[i].changes[j].field, e[i].changes[j].old,
				    e[i].changes[j].new);
			}
		}
		store_history_free(e, ne);
	}
	/* Every index key the record has (or had, or will have). */
	keyset_init(&ks);
	for (k = 0; k < nitems(d->keys) && d->keys[k] != NULL; k++) {
		for (i = 0; i < party->nfields; i++) {
			const struct field *f = &party->fields[i];
			int kinds[] = { IX_EXACT, IX_FOLDED, IX_UNIQUE }, x;

			if (d->twin && strcmp(f->name, "kpp") == 0)
				continue;
			for (x = 0; x < 3; x++) {
				if (!(f->index & kinds[x]))
					continue;
				keyset_reset(&ks);
				index_field_keys(d->keys[k], i, kinds[x], &ks);
				for (j = 0; j < ks.n; j++) {
					n = 0;
					rc = store_lookup(txn, party, f->name,
					    ks.bytes.data + ks.off[j], ks.len[j],
					    ids, nitems(ids), &n, err);
					if (rc < 0) {
						keyset_release(&ks);
						return (-1);
					}
					buf_printf(d->out, "lookup %s #%zu:",
					    f->name, j);
					for (rc = 0; rc < (int)n; rc++)
						if (!d->twin)
							buf_printf(d->out,
							    " %" PRIu64,
							    ids[rc]);
						else if (ids[rc] == d->self)
							buf_printf(d->out,
							    " self");
					buf_printf(d->out, "\n");
				}
			}
		}
		/* The ИНН as a search token. */
		buf_reset(&v);
		record_format(d->keys[k], (size_t)table_field_pos(party, "inn"),
		    1, &v);
		n = 0;
		if (store_search(txn, party, v.data, ids, nitems(ids), &n,
		    err) < 0) {
			keyset_release(&ks);
			return (-1);
		}
		buf_printf(d->out, "search %s:", v.data);
		for (j = 0; j < n; j++)
			if (!d->twin)
				buf_printf(d->out, " %" PRIu64, ids[j]);
			else if (ids[j] == d->self)
				buf_printf(d->out, " self");
		buf_printf(d->out, "\n");
	}
	keyset_release(&ks);
	buf_release(&v);
	return (0);
}

/* The whole observable state around one record. */
static void
snapshot(uint64_t id, const struct record *k1, const struct record *k2,
    struct buf *out)
{
	struct dump	 d;
	struct buf	 err = BUF_INIT, part = BUF_INIT;

	memset(&d, 0, sizeof(d));
	d.id = id;
	d.keys[0] = k1;
	d.keys[1] = k2;
	d.out = &part;
	buf_reset(out);
	buf_printf(out, "count %" PRIu64 "\n", count());
	if (store_check(st, party, &err) != 0)
		buf_printf(out, "store_check: %s\n", err.data);
	else
		buf_printf(out, "store_check: ok\n");
	if (store_txn_run(st, STORE_TXN_READONLY, dump_fn, &d, &err) != 0)
		buf_printf(out, "dump failed: %s\n", err.data);
	else
		buf_add(out, part.data, part.len);
	buf_release(&part);
	buf_release(&err);
}

/* The state of one twin, with its own id shown as "self". */
static void
twin_dump(uint64_t id, const struct record *k1, const struct record *k2,
    struct buf *out)
{
	struct dump	 d;
	struct buf	 err = BUF_INIT;

	memset(&d, 0, sizeof(d));
	d.id = id;
	d.keys[0] = k1;
	d.keys[1] = k2;
	d.twin = 1;
	d.self = id;
	d.out = out;
	if (store_txn_run(st, STORE_TXN_READONLY, dump_fn, &d, &err) != 0)
		buf_set(out, "dump failed: %s\n", err.data);
	buf_release(&err);
}

/* The operations under test. */

enum op { OP_INSERT, OP_UPDATE, OP_ARCHIVE, OP_RESTORE, OP_PURGE };
static const char *op_names[] = { "insert", "update", "archive", "restore",
    "purge" };

struct opctx {
	enum op			 op;
	const struct record	*tmpl;	/* insert: the record; update: the
					 * new values */
	uint64_t		 id;	/* the target; insert: the new id */
	uint32_t		 base;	/* update: the revision it read */
	struct record		*work;
	unsigned		 tries;
};

static int
op_fn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct opctx	*o = arg;
	int		 rc = -1;

	/* Start over on every try: a retry must not see the last one. */
	o->tries++;
	record_free(o->work);
	o->work = NULL;
	switch (o->op) {
	case OP_INSERT:
		o->work = record_dup(o->tmpl);
		o->work->id = 0;
		if ((rc = store_insert(txn, o->work, USER, err)) == 0)
			o->id = o->work->id;
		break;
	case OP_UPDATE:
		o->work = record_dup(o->tmpl);
		o->work->id = o->id;
		rc = store_update(txn, o->work, o->base, USER, err);
		break;
	case OP_ARCHIVE:
		rc = store_archive(txn, party, o->id, USER, err);
		break;
	case OP_RESTORE:
		rc = store_restore(txn, party, o->id, USER, err);
		break;
	case OP_PURGE:
		rc = store_purge(txn, party, o->id, USER, err);
		break;
	}
	return (rc);
}

static int
op_run(enum op op, const struct record *tmpl, uint64_t *id, uint32_t base,
    unsigned *tries, struct buf *err)
{
	struct opctx	 o;
	int		 rc;

	memset(&o, 0, sizeof(o));
	o.op = op;
	o.tmpl = tmpl;
	o.id = *id;
	o.base = base;
	rc = store_txn_run(st, 0, op_fn, &o, err);
	if (op == OP_INSERT && rc == 0)
		*id = o.id;
	record_free(o.work);
	if (tries != NULL)
		*tries = o.tries;
	return (rc);
}

/* Set up a record for the operation without faults; bail out if not. */
static uint64_t
prepare(enum op op, const struct record *tmpl)
{
	struct buf	 err = BUF_INIT;
	uint64_t	 id = 0;

	if (op_run(OP_INSERT, tmpl, &id, 0, NULL, &err) != 0 ||
	    (op == OP_RESTORE &&
	    op_run(OP_ARCHIVE, NULL, &id, 0, NULL, &err) != 0)) {
		diag("%s", err.data);
		tap_bail("cannot prepare a record without faults");
	}
	buf_release(&err);
	return (id);
}

static long long
count_delta(enum op op)
{
	return (op == OP_INSERT ? 1 : op == OP_PURGE ? -1 : 0);
}

static unsigned	 serial = 100;

/*
 * One operation, one fault mode, one n.  Returns 1 when the fault did
 * not fire (the operation is shorter than n calls), else 0; *calls is
 * what store_fault_calls() said.
 */
static int
fault_one(enum op op, int mode, uint64_t n, uint64_t *calls)
{
	struct record	*a, *b, *a2 = NULL, *b2 = NULL;
	struct buf	 err = BUF_INIT, why = BUF_INIT;
	struct buf	 before = BUF_INIT, after = BUF_INIT;
	struct buf	 ta = BUF_INIT, tb = BUF_INIT;
	uint64_t	 ida = 0, idb = 0, c0, c1;
	unsigned	 k = serial++, tries = 0;
	int		 rc, fired, absorbed;
	const char	*modename = mode == ENOSPC ? "ENOSPC" : "deadlock";

	a = party_make(k, KPP_A);
	b = party_make(k, KPP_B);
	if (op == OP_UPDATE) {
		/* New values for every indexed field but the КПП. */
		a2 = party_make(k + 5000000, KPP_A);
		b2 = party_make(k + 5000000, KPP_B);
	}
	if (op != OP_INSERT) {
		ida = prepare(op, a);
		idb = prepare(op, b);
	}
	c0 = count();
	snapshot(idb, b, b2, &before);

	store_fault_set(n, mode);
	buf_reset(&err);
	rc = op_run(op, op == OP_UPDATE ? b2 : b, &idb, 1, &tries, &err);
	*calls = store_fault_calls();
	store_fault_set(0, 0);
	fired = *calls >= n;
	/*
	 * A failure of the very last call, after the commit (an
	 * opportunistic checkpoint), may be ignored: the operation is done.
	 * Anywhere else a swallowed error is a bug.
	 */
	absorbed = fired && mode == ENOSPC && rc == 0 && *calls == n;
	if (absorbed)
		diag("%s: ENOSPC at call %" PRIu64 ", the last one, was "
		    "ignored", op_names[op], n);

	if (!fired || mode != ENOSPC || absorbed) {
		if (rc != 0)
			buf_printf(&why, "returned %d, not 0: %s\n", rc,
			    err.data);
	} else {
		if (rc != -1)
			buf_printf(&why, "returned %d, not -1 (the failure "
			    "was swallowed)\n", rc);
		else if (err.len == 0)
			buf_printf(&why, "returned -1 with no message\n");
		else if (strstr(err.data, strerror(ENOSPC)) == NULL)
			buf_printf(&why, "message '%s' does not name the "
			    "cause ('%s')\n", err.data, strerror(ENOSPC));
		if (op == OP_INSERT && rc == -1)
			idb = 0;
		snapshot(idb, b, b2, &after);
		if (strcmp(before.data, after.data) != 0)
			buf_printf(&why, "the database changed:\n--- before\n"
			    "%s--- after\n%s", before.data, after.data);
		/* Nothing left behind may stop the same operation now. */
		buf_reset(&err);
		if ((rc = op_run(op, op == OP_UPDATE ? b2 : b, &idb, 1, NULL,
		    &err)) != 0)
			buf_printf(&why, "run again without the fault: "
			    "returned %d: %s\n", rc, err.data);
	}

	/* The twin gets the same operation without any fault. */
	buf_reset(&err);
	if ((rc = op_run(op, op == OP_UPDATE ? a2 : a, &ida, 1, NULL,
	    &err)) != 0)
		buf_printf(&why, "the clean twin: returned %d: %s\n", rc,
		    err.data);
	c1 = count();
	if ((long long)(c1 - c0) != 2 * count_delta(op))
		buf_printf(&why, "count went from %" PRIu64 " to %" PRIu64
		    ", want a change of %lld\n", c0, c1, 2 * count_delta(op));
	if (store_check(st, party, &err) != 0)
		buf_printf(&why, "store_check: %s\n", err.data);
	twin_dump(ida, a, a2, &ta);
	twin_dump(idb, b, b2, &tb);
	if (strcmp(ta.data, tb.data) != 0)
		buf_printf(&why, "not as after one clean %s:\n--- clean twin\n"
		    "%s--- faulted\n%s", op_names[op], ta.data, tb.data);

	if (fired || why.len > 0) {
		if (!ok(why.len == 0, "%s, %s at call %" PRIu64 " (%" PRIu64
		    " made): %s", op_names[op], modename, n, *calls,
		    mode == ENOSPC ? "fails cleanly, changes nothing" :
		    "retried, done exactly once"))
			diag("%s", why.data);
		else if (mode != ENOSPC && tries < 2)
			diag("%s, deadlock at call %" PRIu64 ": fn ran %u "
			    "time(s)", op_names[op], n, tries);
	}
	record_free(a);
	record_free(b);
	record_free(a2);
	record_free(b2);
	buf_release(&err);
	buf_release(&why);
	buf_release(&before);
	buf_release(&after);
	buf_release(&ta);
	buf_release(&tb);
	return (!fired);
}

static void
fault_all(enum op op, int mode)
{
	uint64_t	 n, calls = 0, t0 = clock_monotonic_ns();

	for (n = 1; n < 100000; n++)
		if (fault_one(op, mode, n, &calls))
			break;
	if (!ok(calls >= 3 && n <= calls + 2, "%s, %s: a clean run makes %"
	    PRIu64 " Berkeley DB calls, each one failed in turn",
	    op_names[op], mode == ENOSPC ? "ENOSPC" : "deadlock", calls))
		diag("stopped at n = %" PRIu64 " with %" PRIu64 " calls", n,
		    calls);
	diag("%s, %s: %.2f s", op_names[op], mode == ENOSPC ? "ENOSPC" :
	    "deadlock", (double)(clock_monotonic_ns() - t0) / 1e9);
}

int
main(void)
{
	struct store_options	 opt;
	struct schema		*schema;
	struct buf		 err = BUF_INIT;
	char			 dir[4096];
	int			 op;
	unsigned		 i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(240);
	setenv("CLERK_NOW", "2026-03-02 10:00:00", 1);
	tmp_folder(dir, sizeof(dir), "fault");

	schema = party_schema(&party);
	memset(&opt, 0, sizeof(opt));
	opt.flags = STORE_CREATE | STORE_NOSYNC;
	if (!ok(store_open(&st, dir, schema, &opt, &err) == 0,
	    "store_open %s", dir)) {
		diag("%s", err.data);
		rm_tree(dir);
		tap_bail("cannot open the store");
	}
	/* Some neighbours, so lookups of shared keys list other ids too. */
	for (i = 0; i < 20; i++) {
		struct record *r = party_make(1000000 + i, KPP_B);

		prepare(OP_INSERT, r);
		record_free(r);
	}

	for (op = OP_INSERT; op <= OP_PURGE; op++) {
		fault_all(op, ENOSPC);
		fault_all(op, STORE_FAULT_DEADLOCK);
	}

	store_close(st);
	schema_free(schema);
	buf_release(&err);
	rm_tree(dir);
	return (tap_done());
}
