/*
 * test-store-threads: the store under many threads of one process, as
 * the server runs it.  All at once: eight writers insert 10,000
 * realistic party records each (every index gets entries), eight racers
 * update the same few records from the same, soon stale, revision
 * (exactly one per round may win; the others get STORE_CONFLICT naming
 * the fields and the winner), and eight incrementers read-modify-write
 * one record (no update may be lost).  Afterwards ids, counts, index
 * lookups, search, revisions, histories and store_check must all agree.
 * Deadlocks must be retried inside the store: no call may fail with -1.
 * Only the public store API is used.
 * CLERK_SLOW=0 (the sanitizer build) scales the sizes down; for
 * experiments CLERK_STRESS_WRITERS, _PER_WRITER, _PER_TXN and _CACHE_MB
 * change the shape of the insert load.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "tap.h"
#include "party-gen.h"

#define USER_PREFIX	"thread"

static struct store	*st;
static struct table	*party;
static int		 slow = 1;	/* 0: CLERK_SLOW=0, scaled down */

static void
on_alarm(int sig)
{
	static const char msg[] = "Bail out! test-store-threads timed out "
	    "(a lock leaked or a deadlock was not resolved?)\n";

	(void)sig;
	(void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

static const char *surnames[] = { "Иванов", "Петров", "Сидоров",
    "Кузнецов", "Смирнов", "Попов", "Соколов", "Лебедев", "Козлов",
    "Новиков", "Морозов", "Волков", "Алексеев", "Фёдоров", "Ёлкин" };
static const char *firstnames[] = { "Пётр", "Иван", "Алексей", "Сергей",
    "Дмитрий", "Андрей", "Михаил", "Николай", "Юрий" };
static const char *patronymics[] = { "Сергеевич", "Иванович",
    "Петрович", "Алексеевич", "Николаевич", "Юрьевич" };
static const char *orgwords[] = { "Ромашка", "Вектор", "Альфа",
    "СтройМонтаж", "ТехноСервис", "Северный ветер", "Гранит", "Меридиан",
    "Ёлка", "Полюс" };
static const char *cities[] = { "Москва", "Санкт-Петербург",
    "Новосибирск", "Екатеринбург", "Казань", "Нижний Новгород", "Самара",
    "Ростов-на-Дону" };
static const char *managers[] = { "ivanova", "petrov", "smirnova",
    "kozlov" };
static const char *sources[] = { "сайт", "выставка", "рекомендация",
    "холодный звонок", "реклама" };
static const char *statuses[] = { "lead", "active", "inactive" };
static const char *tagsets[] = { "vip", "опт", "розница; vip", "новый",
    "" };

/*
 * Fill rec with a plausible client numbered k (unique: INN, ОГРН, phone
 * and e-mail derive from it); the rest is drawn from *rng.  The choices
 * of city and status are returned so counts can be checked later.
 */
static void
party_make(struct record *rec, unsigned k, uint32_t *rng, size_t *city,
    size_t *status)
{
	char		 inn[16], ogrn[16], s[256];
	unsigned	 n = k % 10000000;
	size_t		 c, st_;

	record_defaults(rec);
	switch (k % 3) {
	case 0:
		set(rec, "kind", "person");
		snprintf(s, sizeof(s), "%s %s %s",
		    surnames[rnd(rng) % nitems(surnames)],
		    firstnames[rnd(rng) % nitems(firstnames)],
		    patronymics[rnd(rng) % nitems(patronymics)]);
		set(rec, "name", s);
		make_inn12(inn, k);
		set(rec, "inn", inn);
		snprintf(s, sizeof(s), "%u-%02u-%02u", 1950 + k % 50,
		    1 + k % 12, 1 + k % 28);
		set(rec, "birthday", s);
		break;
	case 1:
		set(rec, "kind", "sole");
		snprintf(s, sizeof(s), "ИП %s %s %s",
		    surnames[rnd(rng) % nitems(surnames)],
		    firstnames[rnd(rng) % nitems(firstnames)],
		    patronymics[rnd(rng) % nitems(patronymics)]);
		set(rec, "name", s);
		make_inn12(inn, k);
		set(rec, "inn", inn);
		make_ogrn(ogrn, k, 1);
		set(rec, "ogrn", ogrn);
		break;
	default:
		set(rec, "kind", "org");
		snprintf(s, sizeof(s), "ООО «%s-%u»",
		    orgwords[rnd(rng) % nitems(orgwords)], k);
		set(rec, "name", s);
		snprintf(s, sizeof(s), "%s-%u",
		    orgwords[rnd(rng) % nitems(orgwords)], k);
		set(rec, "short_name", s);
		make_inn10(inn, k);
		set(rec, "inn", inn);
		set(rec, "kpp", "770101001");
		make_ogrn(ogrn, k, 0);
		set(rec, "ogrn", ogrn);
		set(rec, "legal_address", "г. Москва, ул. Тверская, д. 1");
		break;
	}
	c = rnd(rng) % nitems(cities);
	set(rec, "city", cities[c]);
	if (k % 2)
		snprintf(s, sizeof(s), "8 (916) %03u-%02u-%02u, "
		    "+7 495 %03u %02u %02u", n / 10000, n / 100 % 100, n % 100,
		    n / 10000, n / 100 % 100, n % 100);
	else
		snprintf(s, sizeof(s), "8 (916) %03u-%02u-%02u", n / 10000,
		    n / 100 % 100, n % 100);
	set(rec, "phones", s);
	snprintf(s, sizeof(s), "client%u@example.ru", k);
	set(rec, "emails", s);
	set(rec, "manager", managers[rnd(rng) % nitems(managers)]);
	set(rec, "source", sources[rnd(rng) % nitems(sources)]);
	st_ = rnd(rng) % nitems(statuses);
	set(rec, "status", statuses[st_]);
	set(rec, "tags", tagsets[rnd(rng) % nitems(tagsets)]);
	if (city != NULL)
		*city = c;
	if (status != NULL)
		*status = st_;
}

/* The index key of value in field name's index of kind ix (IX_*). */
static void
ix_key(const char *name, const char *value, int ix, struct buf *out)
{
	struct record	*rec = record_new(party);
	struct keyset	 ks;

	keyset_init(&ks);
	set(rec, name, value);
	index_field_keys(rec, (size_t)table_field_pos(party, name), ix, &ks);
	if (ks.n == 0)
		tap_bail("the record layer gave no index key");
	buf_reset(out);
	buf_add(out, ks.bytes.data + ks.off[0], ks.len[0]);
	keyset_release(&ks);
	record_free(rec);
}

/* Part 1: bulk inserts. */

struct batch {
	struct record	**recs;
	size_t		  n;
	const char	 *user;
	unsigned	  tries;
};

static int
batch_insert(struct store_txn *txn, void *arg, struct buf *err)
{
	struct batch	*b = arg;
	size_t		 i;
	int		 rc;

	/* A retry after a deadlock starts over: forget ids of the try. */
	b->tries++;
	for (i = 0; i < b->n; i++) {
		b->recs[i]->id = 0;
		b->recs[i]->rev = 0;
		if ((rc = store_insert(txn, b->recs[i], b->user, err)) != 0)
			return (rc == -1 ? -1 : -1000 - rc);
	}
	return (0);
}

struct inserter {
	pthread_t	 thread;
	int		 no;
	unsigned	 nrec, per_txn;
	uint64_t	*ids;
	unsigned	*ks;		/* the number each id was made from */
	size_t		 nids;
	size_t		 city_count[nitems(cities)];
	size_t		 status_count[nitems(statuses)];
	unsigned	 txns, tries, failures;
	char		 user[32];
	struct buf	 err;
};

static void *
inserter_main(void *arg)
{
	struct inserter	*w = arg;
	struct batch	 b;
	uint32_t	 rng = 0x9e3779b9u * (uint32_t)(w->no + 1);
	size_t		 i, *cs, *ss;
	unsigned	 done;
	int		 rc;

	b.recs = xcalloc(w->per_txn, sizeof(*b.recs));
	cs = xcalloc(w->per_txn, sizeof(*cs));
	ss = xcalloc(w->per_txn, sizeof(*ss));
	b.user = w->user;
	for (done = 0; done < w->nrec; done += (unsigned)b.n) {
		b.n = w->per_txn;
		if (b.n > w->nrec - done)
			b.n = w->nrec - done;
		for (i = 0; i < b.n; i++) {
			b.recs[i] = record_new(party);
			party_make(b.recs[i], (unsigned)w->no * 1000000 +
			    done + (unsigned)i, &rng, &cs[i], &ss[i]);
		}
		b.tries = 0;
		rc = store_txn_run(st, 0, batch_insert, &b, &w->err);
		w->txns++;
		w->tries += b.tries;
		if (rc != 0) {
			if (w->failures++ == 0)
				diag("thread %d: batch at %u: rc %d: %s", w->no,
				    done, rc, w->err.data);
		} else
			for (i = 0; i < b.n; i++) {
				w->ks[w->nids] = (unsigned)w->no * 1000000 +
				    done + (unsigned)i;
				w->ids[w->nids++] = b.recs[i]->id;
				w->city_count[cs[i]]++;
				w->status_count[ss[i]]++;
			}
		for (i = 0; i < b.n; i++)
			record_free(b.recs[i]);
	}
	free(b.recs);
	free(cs);
	free(ss);
	return (NULL);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

struct lookup {
	const char	*field;
	struct buf	 key;
	uint64_t	*ids;
	size_t		 max, n;
	int		 rc;
};

static int
do_lookup(struct store_txn *txn, void *arg, struct buf *err)
{
	struct lookup *l = arg;

	l->n = 0;
	l->rc = store_lookup(txn, party, l->field, l->key.data, l->key.len,
	    l->ids, l->max, &l->n, err);
	return (l->rc < 0 ? -1 : 0);
}

struct search {
	const char	*query;
	uint64_t	 ids[16];
	size_t		 n;
};

static int
do_search(struct store_txn *txn, void *arg, struct buf *err)
{
	struct search *s = arg;

	s->n = 0;
	return (store_search(txn, party, s->query, s->ids, nitems(s->ids),
	    &s->n, err) < 0 ? -1 : 0);
}

static int
do_count(struct store_txn *txn, void *arg, struct buf *err)
{
	return (store_count(txn, party, arg, err));
}

static int
do_get(struct store_txn *txn, void *arg, struct buf *err)
{
	struct record	**rec = arg;
	uint64_t	  id = (*rec)->id;
	struct record	 *got = NULL;
	int		  rc;

	if ((rc = store_get(txn, party, id, &got, err)) != 0)
		return (rc);
	record_free(*rec);
	*rec = got;
	return (0);
}

/* Lookup of (field, value) must give exactly the n ids wanted (or, with
 * want NULL, nwant ids). */
static void
check_lookup(const char *field, const char *value, int ix,
    const uint64_t *want, size_t nwant, size_t total)
{
	struct lookup	 l;
	struct buf	 err = BUF_INIT;
	int		 rc, match = 1;
	size_t		 i;

	l.field = field;
	buf_init(&l.key);
	ix_key(field, value, ix, &l.key);
	l.max = total + 1;
	l.ids = xcalloc(l.max, sizeof(*l.ids));
	rc = store_txn_run(st, STORE_TXN_READONLY, do_lookup, &l, &err);
	if (want != NULL) {
		qsort(l.ids, l.n, sizeof(*l.ids), cmp_u64);
		match = l.n == nwant;
		for (i = 0; match && i < nwant; i++)
			match = l.ids[i] == want[i];
	}
	if (!ok(rc == 0 && l.n == nwant && match,
	    "lookup %s = '%s' finds %zu record(s)", field, value, nwant))
		diag("rc %d, found %zu: %s", rc, l.n, err.data);
	free(l.ids);
	buf_release(&l.key);
	buf_release(&err);
}

/* Records inserted apart from the bulk (for the races), by city and
 * status, so the index counts can be checked. */
static size_t	 extra_n, extra_city[nitems(cities)];
static size_t	 extra_status[nitems(statuses)];

static struct inserter *bulk_w;
static size_t	 bulk_threads, bulk_per;
static uint64_t	 bulk_t0;

static void
bulk_start(void)
{
	struct inserter	*w;
	size_t		 nthreads = slow ? 8 : 2, per = slow ? 10000 : 2000;
	size_t		 i;
	unsigned	 per_txn = 100;
	const char	*env;

	/* For experiments: other shapes of the same load. */
	if ((env = getenv("CLERK_STRESS_WRITERS")) != NULL)
		nthreads = strtoul(env, NULL, 10);
	if ((env = getenv("CLERK_STRESS_PER_WRITER")) != NULL)
		per = strtoul(env, NULL, 10);
	if ((env = getenv("CLERK_STRESS_PER_TXN")) != NULL)
		per_txn = (unsigned)strtoul(env, NULL, 10);
	w = xcalloc(nthreads, sizeof(*w));
	bulk_w = w;
	bulk_threads = nthreads;
	bulk_per = per;
	bulk_t0 = clock_monotonic_ns();
	for (i = 0; i < nthreads; i++) {
		w[i].no = (int)i;
		w[i].nrec = (unsigned)per;
		w[i].per_txn = per_txn;
		w[i].ids = xcalloc(per, sizeof(*w[i].ids));
		w[i].ks = xcalloc(per, sizeof(*w[i].ks));
		buf_init(&w[i].err);
		snprintf(w[i].user, sizeof(w[i].user), USER_PREFIX "%zu", i);
		if (pthread_create(&w[i].thread, NULL, inserter_main, &w[i]))
			tap_bail("pthread_create failed");
	}
}

static void
bulk_finish(void)
{
	struct inserter	*w = bulk_w;
	struct buf	 err = BUF_INIT;
	uint64_t	*all, count = 0;
	size_t		 nthreads = bulk_threads, per = bulk_per;
	size_t		 i, j, n = 0, dups = 0, cities_n[nitems(cities)];
	size_t		 status_n[nitems(statuses)];
	unsigned	 txns = 0, tries = 0, failures = 0;
	uint64_t	 t0, t1;
	int		 rc;

	memcpy(cities_n, extra_city, sizeof(cities_n));
	memcpy(status_n, extra_status, sizeof(status_n));
	all = xcalloc(nthreads * per, sizeof(*all));
	t0 = bulk_t0;
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		memcpy(all + n, w[i].ids, w[i].nids * sizeof(*all));
		n += w[i].nids;
		txns += w[i].txns;
		tries += w[i].tries;
		failures += w[i].failures;
		for (j = 0; j < nitems(cities); j++)
			cities_n[j] += w[i].city_count[j];
		for (j = 0; j < nitems(statuses); j++)
			status_n[j] += w[i].status_count[j];
	}
	t1 = clock_monotonic_ns();
	diag("%zu threads x %zu inserts in %u transactions: %.2f s, %u "
	    "retries after deadlocks", nthreads, per, txns,
	    (double)(t1 - t0) / 1e9, tries - txns);
	is_int(failures, 0, "no insert transaction failed");
	is_int(n, nthreads * per, "every insert got an id");

	qsort(all, n, sizeof(*all), cmp_u64);
	for (i = 1; i < n; i++)
		if (all[i] == all[i - 1])
			dups++;
	is_int(dups, 0, "all ids are unique");
	ok(n == 0 || all[0] > 0, "no id is 0");

	rc = store_txn_run(st, STORE_TXN_READONLY, do_count, &count, &err);
	if (!ok(rc == 0 && count == nthreads * per + extra_n,
	    "store_count = %zu", nthreads * per + extra_n))
		diag("rc %d, count %" PRIu64 ": %s", rc, count, err.data);

	/* After the inserts and the races: one walk for everything. */
	t0 = clock_monotonic_ns();
	rc = store_check(st, party, &err);
	if (!ok(rc == 0, "store_check(party): every index consistent"))
		diag("%s", err.data);
	diag("store_check: %.2f s",
	    (double)(clock_monotonic_ns() - t0) / 1e9);

	/*
	 * Independent of store_check: counts through the folded city and
	 * exact status indexes, and single records through the unique
	 * ones.
	 */
	for (j = 0; j < nitems(cities); j++)
		check_lookup("city", cities[j], IX_FOLDED, NULL, cities_n[j],
		    n + extra_n);
	for (j = 0; j < nitems(statuses); j++)
		check_lookup("status", statuses[j], IX_EXACT, NULL, status_n[j],
		    n + extra_n);
	for (i = 0; i < nthreads; i++) {
		for (j = 0; j < 3 && j < w[i].nids; j++) {
			size_t		 k = (j * 7919 + 13) % w[i].nids;
			struct record	*rec = record_new(party), *want;
			uint32_t	 rng = 1;
			struct search	 s;
			char		 inn[16];
			struct buf	 v = BUF_INIT;

			/* Rebuild what thread i inserted as its k-th. */
			want = record_new(party);
			party_make(want, w[i].ks[k], &rng, NULL, NULL);
			rec->id = w[i].ids[k];
			rc = store_txn_run(st, STORE_TXN_READONLY, do_get, &rec,
			    &err);
			ok(rc == 0 && rec->id == w[i].ids[k] && rec->rev == 1,
			    "thread %zu record %zu reads back (rev 1)", i, k);
			record_format(want, (size_t)table_field_pos(party,
			    "inn"), 1, &v);
			snprintf(inn, sizeof(inn), "%s", v.data);
			is_str(rc == 0 ? rec->created_by : NULL, w[i].user,
			    "created_by is the inserting user");
			check_lookup("inn", inn, IX_EXACT, &w[i].ids[k], 1,
			    n + extra_n);
			buf_reset(&v);
			record_format(want, (size_t)table_field_pos(party,
			    "emails"), 1, &v);
			check_lookup("emails", v.data, IX_EXACT, &w[i].ids[k], 1,
			    n + extra_n);
			s.query = inn;
			rc = store_txn_run(st, STORE_TXN_READONLY, do_search, &s,
			    &err);
			ok(rc == 0 && s.n == 1 && s.ids[0] == w[i].ids[k],
			    "search '%s' finds the record", inn);
			buf_release(&v);
			record_free(rec);
			record_free(want);
		}
		free(w[i].ids);
		free(w[i].ks);
		buf_release(&w[i].err);
	}
	free(w);
	free(all);
	buf_release(&err);
}

/* Part 2: racing updates from the same revision. */

#define RACE_RECORDS	3

static pthread_barrier_t barrier;
static uint64_t	 race_ids[RACE_RECORDS];
static int	 race_rounds, race_threads;
static int	*race_rc;		/* [round * threads + thread] */
static char	**race_msg;		/* conflict messages, same layout */

struct updater {
	pthread_t	 thread;
	int		 no;
	char		 user[32];
	struct record	*prepared;	/* the update this thread wants */
	struct record	*work;		/* a fresh copy per try */
	uint32_t	 base;
	unsigned	 tries;
	int		 errors;
};

static int
try_update(struct store_txn *txn, void *arg, struct buf *err)
{
	struct updater *u = arg;

	u->tries++;
	record_free(u->work);
	u->work = record_dup(u->prepared);
	return (store_update(txn, u->work, u->base, u->user, err));
}

static void *
racer_main(void *arg)
{
	struct updater	*u = arg;
	struct buf	 err = BUF_INIT;
	char		 s[64];
	int		 r, rc;

	for (r = 0; r < race_rounds; r++) {
		struct record *rec = record_new(party);

		pthread_barrier_wait(&barrier);
		/* Everyone reads the same revision... */
		rec->id = race_ids[r % RACE_RECORDS];
		rc = store_txn_run(st, STORE_TXN_READONLY, do_get, &rec, &err);
		if (rc != 0) {
			diag("thread %d round %d: get: %s", u->no, r,
			    err.data);
			u->errors++;
		}
		u->base = rec->rev;
		snprintf(s, sizeof(s), "round %d by thread %d", r, u->no);
		set(rec, "notes", s);
		snprintf(s, sizeof(s), "m%d", u->no);
		set(rec, "manager", s);
		snprintf(s, sizeof(s), "t%d; round%d", u->no, r);
		set(rec, "tags", s);
		u->prepared = rec;
		/* ...then all try to write it: one wins, the rest conflict. */
		pthread_barrier_wait(&barrier);
		rc = store_txn_run(st, 0, try_update, u, &err);
		race_rc[r * race_threads + u->no] = rc;
		if (rc == STORE_CONFLICT)
			race_msg[r * race_threads + u->no] = xstrdup(err.data);
		else if (rc != 0)
			diag("thread %d round %d: update: rc %d: %s", u->no, r,
			    rc, err.data);
		record_free(u->work);
		u->work = NULL;
		record_free(u->prepared);
		u->prepared = NULL;
	}
	buf_release(&err);
	return (NULL);
}

struct history {
	uint64_t		 id;
	struct audit_entry	*e;
	size_t			 n;
};

static int
do_history(struct store_txn *txn, void *arg, struct buf *err)
{
	struct history *h = arg;

	store_history_free(h->e, h->n);
	h->e = NULL;
	h->n = 0;
	return (store_history(txn, party, h->id, &h->e, &h->n, err));
}

struct inserter1 {
	struct record	*rec;
	const char	*user;
};

static int
insert_one(struct store_txn *txn, void *arg, struct buf *err)
{
	struct inserter1 *a = arg;

	a->rec->id = 0;
	a->rec->rev = 0;
	return (store_insert(txn, a->rec, a->user, err));
}

static uint64_t
insert_party(unsigned k)
{
	struct inserter1 a;
	struct buf	 err = BUF_INIT;
	uint32_t	 rng = k;
	uint64_t	 id;
	size_t		 c, s;

	a.rec = record_new(party);
	a.user = "setup";
	party_make(a.rec, k, &rng, &c, &s);
	if (store_txn_run(st, 0, insert_one, &a, &err) != 0) {
		diag("%s", err.data);
		tap_bail("cannot insert a record");
	}
	id = a.rec->id;
	extra_n++;
	extra_city[c]++;
	extra_status[s]++;
	record_free(a.rec);
	buf_release(&err);
	return (id);
}

static struct updater *race_u;

/* The records to race on; before any thread starts. */
static void
race_setup(void)
{
	int	 i;

	race_threads = slow ? 8 : 4;
	race_rounds = slow ? 60 : 15;
	for (i = 0; i < RACE_RECORDS; i++)
		race_ids[i] = insert_party(9000000 + (unsigned)i);
}

static void
race_start(void)
{
	struct updater	*u;
	int		 t;

	race_rc = xcalloc((size_t)race_rounds * race_threads, sizeof(int));
	race_msg = xcalloc((size_t)race_rounds * race_threads, sizeof(char *));
	u = xcalloc((size_t)race_threads, sizeof(*u));
	race_u = u;
	pthread_barrier_init(&barrier, NULL, (unsigned)race_threads);
	for (t = 0; t < race_threads; t++) {
		u[t].no = t;
		snprintf(u[t].user, sizeof(u[t].user), "racer%d", t);
		if (pthread_create(&u[t].thread, NULL, racer_main, &u[t]))
			tap_bail("pthread_create failed");
	}
}

static void
race_finish(void)
{
	struct updater	*u = race_u;
	struct buf	 err = BUF_INIT;
	int		 r, t, i, wins, conflicts, errors, named;
	int		 bad_rounds = 0, bad_msgs = 0, *winner;
	int		 nrounds[RACE_RECORDS], lastwin[RACE_RECORDS];

	winner = xcalloc((size_t)race_rounds, sizeof(*winner));
	for (i = 0; i < RACE_RECORDS; i++) {
		nrounds[i] = 0;
		lastwin[i] = -1;
	}
	for (t = 0; t < race_threads; t++)
		pthread_join(u[t].thread, NULL);
	pthread_barrier_destroy(&barrier);

	errors = 0;
	for (r = 0; r < race_rounds; r++) {
		wins = conflicts = 0;
		winner[r] = -1;
		for (t = 0; t < race_threads; t++) {
			int rc = race_rc[r * race_threads + t];

			if (rc == 0) {
				wins++;
				winner[r] = t;
			} else if (rc == STORE_CONFLICT)
				conflicts++;
			else
				errors++;
		}
		if (wins != 1 || conflicts != race_threads - 1) {
			if (bad_rounds++ < 5)
				diag("round %d: %d won, %d conflicts", r, wins,
				    conflicts);
			continue;
		}
		nrounds[r % RACE_RECORDS]++;
		lastwin[r % RACE_RECORDS] = winner[r];
		/* The conflict names the changed fields and who changed them. */
		for (t = 0; t < race_threads; t++) {
			const char *m = race_msg[r * race_threads + t];
			char who[32];

			if (m == NULL)
				continue;
			snprintf(who, sizeof(who), "racer%d", winner[r]);
			/* (The manager may be the same as before.) */
			named = strcasestr(m, "notes") != NULL &&
			    strstr(m, who) != NULL;
			if (!named && bad_msgs++ < 3)
				diag("round %d thread %d: conflict message "
				    "'%s' does not name notes and %s",
				    r, t, m, who);
		}
	}
	is_int(errors, 0, "racing updates: no call failed with -1 "
	    "(deadlocks were retried)");
	is_int(bad_rounds, 0, "racing updates: exactly one winner and %d "
	    "conflicts in each of %d rounds", race_threads - 1, race_rounds);
	is_int(bad_msgs, 0, "conflict messages name the changed fields and "
	    "the user who changed them");

	for (i = 0; i < RACE_RECORDS; i++) {
		struct record	*rec = record_new(party);
		struct history	 h = { race_ids[i], NULL, 0 };
		struct buf	 v = BUF_INIT;
		char		 want[64];
		int		 rc, seq_ok = 1;
		size_t		 k;

		rec->id = race_ids[i];
		rc = store_txn_run(st, STORE_TXN_READONLY, do_get, &rec, &err);
		is_int(rc == 0 ? (int)rec->rev : -1, 1 + nrounds[i],
		    "record %d: one revision per round", i);
		if (lastwin[i] >= 0) {
			r = race_rounds - 1;
			while (r % RACE_RECORDS != i)
				r--;
			snprintf(want, sizeof(want), "round %d by thread %d", r,
			    lastwin[i]);
			record_format(rec, (size_t)table_field_pos(party,
			    "notes"), 1, &v);
			is_str(v.data, want, "record %d keeps the last winner's "
			    "notes", i);
		}
		rc = store_txn_run(st, STORE_TXN_READONLY, do_history, &h,
		    &err);
		is_int(rc == 0 ? (long long)h.n : -1, 1 + nrounds[i],
		    "record %d: history has the insert and one update per "
		    "round", i);
		/* In order, each update by that round's winner. */
		for (k = 1, r = i; rc == 0 && k < h.n && r < race_rounds;
		    r += RACE_RECORDS, k++) {
			char who[32];

			snprintf(who, sizeof(who), "racer%d", winner[r]);
			if (strcmp(h.e[k].user, who) != 0 ||
			    h.e[k].rev != k + 1 ||
			    strcmp(h.e[k].action, "update") != 0)
				seq_ok = 0;
		}
		ok(rc == 0 && seq_ok, "record %d: history lists the winners "
		    "in order", i);
		store_history_free(h.e, h.n);
		buf_release(&v);
		record_free(rec);
	}
	for (i = 0; i < race_rounds * race_threads; i++)
		free(race_msg[i]);
	free(race_msg);
	free(race_rc);
	free(winner);
	free(u);
	buf_release(&err);
}

/* Part 3: read-modify-write increments retried on conflict. */

static uint64_t	 counter_id;
static int	 counter_incs;

struct incr {
	pthread_t	 thread;
	int		 no;
	char		 user[32];
	unsigned	 conflicts, tries;
	int		 errors;
};

static int
increment(struct store_txn *txn, void *arg, struct buf *err)
{
	struct incr	*c = arg;
	struct record	*rec = NULL;
	struct buf	 v = BUF_INIT;
	char		 s[32];
	int		 rc;
	size_t		 pos = (size_t)table_field_pos(party, "notes");

	c->tries++;
	if ((rc = store_get(txn, party, counter_id, &rec, err)) != 0)
		return (rc == STORE_NOTFOUND ? -1 : rc);
	record_format(rec, pos, 1, &v);
	snprintf(s, sizeof(s), "%lld", strtoll(v.data, NULL, 10) + 1);
	record_parse(rec, pos, s, NULL);
	rc = store_update(txn, rec, rec->rev, c->user, err);
	record_free(rec);
	buf_release(&v);
	return (rc);
}

static void *
incr_main(void *arg)
{
	struct incr	*c = arg;
	struct buf	 err = BUF_INIT;
	int		 i, rc;

	for (i = 0; i < counter_incs; i++) {
		while ((rc = store_txn_run(st, 0, increment, c, &err)) ==
		    STORE_CONFLICT)
			c->conflicts++;
		if (rc != 0) {
			if (c->errors++ == 0)
				diag("incrementer %d: rc %d: %s", c->no, rc,
				    err.data);
		}
	}
	buf_release(&err);
	return (NULL);
}

static struct incr *incr_c;
static int	 incr_threads;
static uint64_t	 incr_t0;

static void
incr_setup(void)
{
	incr_threads = slow ? 8 : 4;
	counter_incs = slow ? 60 : 20;
	counter_id = insert_party(9100000);
}

static void
incr_start(void)
{
	struct incr	*c;
	int		 nthreads = incr_threads, t;

	incr_t0 = clock_monotonic_ns();
	c = xcalloc((size_t)nthreads, sizeof(*c));
	incr_c = c;
	for (t = 0; t < nthreads; t++) {
		c[t].no = t;
		snprintf(c[t].user, sizeof(c[t].user), "incr%d", t);
		if (pthread_create(&c[t].thread, NULL, incr_main, &c[t]))
			tap_bail("pthread_create failed");
	}
}

static void
incr_finish(void)
{
	struct incr	*c = incr_c;
	struct record	*rec;
	struct history	 h = { 0, NULL, 0 };
	struct buf	 err = BUF_INIT, v = BUF_INIT;
	int		 nthreads = incr_threads, t, errors = 0, rc;
	unsigned	 conflicts = 0, tries = 0;
	char		 want[32];
	uint64_t	 t0 = incr_t0;

	rec = record_new(party);
	rec->id = counter_id;
	for (t = 0; t < nthreads; t++) {
		pthread_join(c[t].thread, NULL);
		errors += c[t].errors;
		conflicts += c[t].conflicts;
		tries += c[t].tries;
	}
	diag("%d x %d increments: %.2f s, %u conflicts, %u tries in all",
	    nthreads, counter_incs,
	    (double)(clock_monotonic_ns() - t0) / 1e9, conflicts, tries);
	is_int(errors, 0, "increments: no call failed with -1");
	rc = store_txn_run(st, STORE_TXN_READONLY, do_get, &rec, &err);
	record_format(rec, (size_t)table_field_pos(party, "notes"), 1, &v);
	snprintf(want, sizeof(want), "%d", nthreads * counter_incs);
	is_str(rc == 0 ? v.data : err.data, want,
	    "no increment was lost");
	is_int(rc == 0 ? (long long)rec->rev : -1,
	    1 + nthreads * counter_incs, "one revision per increment");
	h.id = counter_id;
	rc = store_txn_run(st, STORE_TXN_READONLY, do_history, &h, &err);
	is_int(rc == 0 ? (long long)h.n : -1, 1 + nthreads * counter_incs,
	    "one audit entry per increment");
	store_history_free(h.e, h.n);
	record_free(rec);
	free(c);
	buf_release(&v);
	buf_release(&err);
}

/*
 * Writing transactions run one at a time (Berkeley DB 5.3 misplaces a
 * record now and then when several change one B-tree at once: see
 * probe-split-race.c), read-only ones beside them.  Four threads run
 * writing transactions that stay a while in fn and count who else is
 * in; a reader's transaction must finish while a writer waits in fn.
 */
#define SERIAL_THREADS	4
#define SERIAL_TXNS	25

static atomic_int	 serial_in, serial_max, serial_read;

static int
serial_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	atomic_int	*go = arg;
	int		 n, m, i;

	n = atomic_fetch_add(&serial_in, 1) + 1;
	while ((m = atomic_load(&serial_max)) < n &&
	    !atomic_compare_exchange_weak(&serial_max, &m, n))
		;
	/* The first one waits for the reader (5 s at most). */
	if (go != NULL)
		for (i = 0; i < 5000 && !atomic_load(go); i++)
			usleep(1000);
	else
		usleep(300);
	atomic_fetch_sub(&serial_in, 1);
	return (0);
}

static void *
serial_main(void *arg)
{
	struct buf	 err = BUF_INIT;
	int		 i;

	for (i = 0; i < SERIAL_TXNS; i++)
		if (store_txn_run(st, 0, serial_txn, NULL, &err) != 0)
			diag("a writing transaction failed: %s", err.data);
	buf_release(&err);
	return (NULL);
}

static void *
serial_waiter(void *arg)
{
	struct buf	 err = BUF_INIT;

	if (store_txn_run(st, 0, serial_txn, &serial_read, &err) != 0)
		diag("the waiting writer failed: %s", err.data);
	buf_release(&err);
	return (NULL);
}

static void
test_one_writer(void)
{
	pthread_t	 t[SERIAL_THREADS], w;
	struct buf	 err = BUF_INIT;
	uint64_t	 n = 0;
	int		 i, r;

	if (pthread_create(&w, NULL, serial_waiter, NULL) != 0)
		tap_bail("pthread_create");
	while (atomic_load(&serial_in) == 0)
		usleep(100);
	r = store_txn_run(st, STORE_TXN_READONLY, do_count, &n, &err);
	atomic_store(&serial_read, 1);
	ok(r == 0 && n > 0, "a read-only transaction runs while a writing "
	    "one is in progress (%" PRIu64 " records)", n);
	pthread_join(w, NULL);
	for (i = 0; i < SERIAL_THREADS; i++)
		if (pthread_create(&t[i], NULL, serial_main, NULL) != 0)
			tap_bail("pthread_create");
	for (i = 0; i < SERIAL_THREADS; i++)
		pthread_join(t[i], NULL);
	is_int(atomic_load(&serial_max), 1, "writing transactions of %d "
	    "threads run one at a time", SERIAL_THREADS);
	buf_release(&err);
}

int
main(void)
{
	struct store_options	 opt;
	struct schema		*schema;
	struct buf		 err = BUF_INIT;
	const char		*s;
	char			 dir[4096];
	uint64_t		 t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(240);
	/* A fixed clock: no dependence on the second a write happens in. */
	setenv("CLERK_NOW", "2026-03-02 10:00:00", 1);
	if ((s = getenv("CLERK_SLOW")) != NULL && strcmp(s, "0") == 0)
		slow = 0;
	tmp_folder(dir, sizeof(dir), "threads");

	schema = party_schema(&party);
	memset(&opt, 0, sizeof(opt));
	opt.flags = STORE_CREATE | STORE_NOSYNC;
	if ((s = getenv("CLERK_STRESS_CACHE_MB")) != NULL)
		opt.cache_mb = strtoul(s, NULL, 10);
	if (!ok(store_open(&st, dir, schema, &opt, &err) == 0,
	    "store_open %s", dir)) {
		diag("%s", err.data);
		rm_tree(dir);
		tap_bail("cannot open the store");
	}

	/*
	 * Everything at once: the bulk writers, the racers and the
	 * incrementers compete for the same table and its indexes.
	 */
	race_setup();
	incr_setup();
	bulk_start();
	race_start();
	incr_start();
	race_finish();
	incr_finish();
	bulk_finish();
	test_one_writer();

	store_close(st);
	/*
	 * Berkeley DB's own verification of every file: the damage writers
	 * at once used to leave (a record of the primary on the wrong page,
	 * db_verify's "last item on page sorted greater than parent entry",
	 * which the check met as a word of a record it had not seen) is
	 * named here directly.
	 */
	buf_reset(&err);
	t0 = clock_monotonic_ns();
	if (!ok(store_verify_dir(dir, &err) == 0, "Berkeley DB verifies "
	    "every file"))
		diag("%s", err.data);
	diag("verification: %.2f s",
	    (double)(clock_monotonic_ns() - t0) / 1e9);
	schema_free(schema);
	buf_release(&err);
	rm_tree(dir);
	return (tap_done());
}
