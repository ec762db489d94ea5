/*
 * probe-defer.c: a probe of Berkeley DB itself, no clerk code, for the
 * storage decision of issue 2 (inserts at 50,000 records/s, twice
 * SQLite's rate): what inserting N party-like records costs when every
 * index entry is put at once, as clerk's store_insert() does today,
 * against index entries kept aside and merged into the indexes later in
 * sorted batches (the deferred maintenance of session 13's note).
 *
 * A record is put as clerk puts a party: the record under its id (ids
 * ascending), two audit entries (ascending keys), and 24 index entries:
 * six into indexes of few values (city, manager, source, status, tags,
 * КПП: 12, 40, 20, 3, 50 and 400 values), eight into indexes of many
 * (name, short name, ИНН, ОГРН, two phones, two e-mails: random keys of
 * 10 to 24 bytes), all sorted duplicates of (key, id), and ten word
 * tokens (random keys of 4 to 10 bytes, id appended) into one more
 * B-tree.  27 puts a record, each logged.
 *
 * now:      every put in the record's transaction, 1,000 records to a
 *           transaction.
 * chunks:   as now, but the six indexes of few values hold posting
 *           lists, as clerk's word index does (words.c): a value's ids
 *           in chunks of up to 960 bytes of varint deltas, keyed by the
 *           value, a 0 byte and the chunk's first id; a transaction's
 *           ids are queued and appended at commit, one read and one put
 *           of the last chunk per value and transaction.
 * deferred: the record, its audit entries and one put of all its index
 *           entries packed (into a pending B-tree, ascending keys) in
 *           the transaction; every BATCH records the pending entries of
 *           each index are sorted and put in key order through one
 *           cursor, and the pending ones deleted, in transactions of
 *           MERGE_TXN puts.  What a reader would pay to merge the pending
 *           entries into every index read is not measured here.
 *
 * The environment is opened as clerk's store opens it (transactions,
 * locking, logging without sync at commit, a private 1 GB cache, 16 KB
 * pages, 4 MB log buffer).  Records/s over the whole load, the merges
 * included.
 *
 * Usage: probe-defer DIR [N]   (N 1,000,000 by default; DIR created
 * anew for each way).  `make tests/bench/probe-defer`; not run by make
 * bench.  Not a test: it times things.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <db.h>

#define PROBE_NAME	"probe-defer"

#include "bench.h"
#include "probe.h"


#define RECSIZE		380	/* a party's encoded bytes, about */
#define TXN_RECS	1000
#define BATCH		100000	/* records between merges */
#define MERGE_TXN	10000	/* puts a merge's transaction */
#define NLOW		6
#define NHIGH		8
#define NWORDS		10
#define NIX		(NLOW + NHIGH + 1)	/* the last: words */
#define KEYMAX		32

static const int	 low_values[NLOW] = { 12, 40, 20, 3, 50, 400 };

static DB_ENV		*env;
static DB		*prim, *audit, *audit_rec, *pending, *ix[NIX];

/* One index entry: which index, its key; the id is the record's. */
struct entry {
	uint8_t		 ix;
	uint8_t		 len;
	unsigned char	 key[KEYMAX + 8];	/* key, then the id for words */
	uint64_t	 id;
};

enum way { NOW, CHUNKS, DEFERRED };

#define CHUNK_MAX	960	/* bytes of ids in a chunk, as words.c's */

static struct entry	*batch;		/* deferred: the entries set aside;
					   chunks: a transaction's queue */
static size_t		 nbatch, abatch;
static uint64_t		 merge_ns;	/* time in merge() */

static uint64_t	rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

static void
env_open(const char *dir, enum way way)
{
	char	 name[32];
	int	 i;

	env = probe_env_open(dir, 1024);
	prim = probe_db_open(env, "record.db", DB_BTREE, 0, NULL);
	audit = probe_db_open(env, "audit.db", DB_BTREE, 0, NULL);
	audit_rec = probe_db_open(env, "audit.record.db", DB_BTREE, 1, NULL);
	pending = probe_db_open(env, "pending.db", DB_BTREE, 0, NULL);
	for (i = 0; i < NIX; i++) {
		snprintf(name, sizeof(name), "index%d.db", i);
		ix[i] = probe_db_open(env, name, DB_BTREE, i < NLOW + NHIGH &&
		    !(way == CHUNKS && i < NLOW), NULL);
	}
}

static void
env_close(void)
{
	int	i;

	for (i = 0; i < NIX; i++)
		(void)ix[i]->close(ix[i], 0);
	(void)pending->close(pending, 0);
	(void)audit_rec->close(audit_rec, 0);
	(void)audit->close(audit, 0);
	(void)prim->close(prim, 0);
	(void)env->close(env, 0);
}

/* A random key of lo to hi bytes of letters and digits. */
static size_t
random_key(unsigned char *k, size_t lo, size_t hi)
{
	size_t	n = lo + (size_t)(rnd() % (hi - lo + 1)), i;

	for (i = 0; i < n; i++)
		k[i] = (unsigned char)('0' + rnd() % 43);
	return (n);
}

/* The 24 index entries of record id. */
static void
entries_of(uint64_t id, struct entry *e)
{
	uint64_t	be = htobe64(id);
	int		i, n = 0;

	for (i = 0; i < NLOW; i++, n++) {
		e[n].ix = (uint8_t)i;
		e[n].len = (uint8_t)snprintf((char *)e[n].key, KEYMAX,
		    "v%d-%llu", i, (unsigned long long)(rnd() %
		    (uint64_t)low_values[i]));
		e[n].id = id;
	}
	for (i = 0; i < NHIGH; i++, n++) {
		e[n].ix = (uint8_t)(NLOW + i);
		e[n].len = (uint8_t)random_key(e[n].key, 10, 24);
		e[n].id = id;
	}
	for (i = 0; i < NWORDS; i++, n++) {
		/* A word key: the token and the id, unique. */
		e[n].ix = NLOW + NHIGH;
		e[n].len = (uint8_t)random_key(e[n].key, 4, 10);
		memcpy(e[n].key + e[n].len, &be, 8);
		e[n].len += 8;
		e[n].id = id;
	}
}

static void
put_entry(DBC *c, DB_TXN *txn, const struct entry *e)
{
	DBT	 k, d;
	uint64_t be = htobe64(e->id);
	int	 ret;

	probe_dbt(&k, e->key, e->len, e->len);
	if (e->ix == NLOW + NHIGH)
		probe_dbt(&d, "", 0, 0);
	else
		probe_dbt(&d, &be, 8, 8);
	if (c != NULL)
		ret = c->put(c, &k, &d, DB_KEYLAST);
	else
		ret = ix[e->ix]->put(ix[e->ix], txn, &k, &d, 0);
	if (ret != 0)
		probe_fatal("index put", ret);
}

/* The record, its audit entries, and its index entries now or aside. */
static void
queue(const struct entry *e)
{
	if (nbatch == abatch) {
		abatch = abatch ? abatch * 2 : 1 << 20;
		if ((batch = realloc(batch, abatch * sizeof(*batch))) == NULL)
			probe_fatal("memory", ENOMEM);
	}
	batch[nbatch++] = *e;
}

static void
put_record(DB_TXN *txn, uint64_t id, enum way way)
{
	struct entry	 e[NLOW + NHIGH + NWORDS];
	unsigned char	 rec[RECSIZE], packed[sizeof(e)];
	uint64_t	 be = htobe64(id), seq;
	size_t		 i, n = 0;
	DBT		 k, d;
	int		 ret;

	for (i = 0; i < RECSIZE; i++)
		rec[i] = (unsigned char)rnd();
	probe_dbt(&k, &be, 8, 8);
	probe_dbt(&d, rec, RECSIZE, RECSIZE);
	if ((ret = prim->put(prim, txn, &k, &d, 0)) != 0)
		probe_fatal("record put", ret);
	seq = htobe64(id * 2);
	probe_dbt(&k, &seq, 8, 8);
	probe_dbt(&d, rec, 48, 48);
	if ((ret = audit->put(audit, txn, &k, &d, 0)) != 0)
		probe_fatal("audit put", ret);
	probe_dbt(&k, &be, 8, 8);
	probe_dbt(&d, &seq, 8, 8);
	if ((ret = audit_rec->put(audit_rec, txn, &k, &d, 0)) != 0)
		probe_fatal("audit put", ret);
	entries_of(id, e);
	if (way != DEFERRED) {
		for (i = 0; i < NLOW + NHIGH + NWORDS; i++)
			if (way == CHUNKS && e[i].ix < NLOW)
				queue(&e[i]);
			else
				put_entry(NULL, txn, &e[i]);
		return;
	}
	for (i = 0; i < NLOW + NHIGH + NWORDS; i++) {
		packed[n++] = e[i].ix;
		packed[n++] = e[i].len;
		memcpy(packed + n, e[i].key, e[i].len);
		n += e[i].len;
		queue(&e[i]);
	}
	probe_dbt(&k, &be, 8, 8);
	probe_dbt(&d, packed, n, n);
	if ((ret = pending->put(pending, txn, &k, &d, 0)) != 0)
		probe_fatal("pending put", ret);
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	size_t	n = x->len < y->len ? x->len : y->len;
	int	c;

	if (x->ix != y->ix)
		return (x->ix < y->ix ? -1 : 1);
	if ((c = memcmp(x->key, y->key, n)) != 0)
		return (c);
	if (x->len != y->len)
		return (x->len < y->len ? -1 : 1);
	return (x->id < y->id ? -1 : x->id > y->id);
}

/* The entries set aside into their indexes, in key order; the pending
 * records of ids [from, to] deleted. */
static void
merge(uint64_t from, uint64_t to)
{
	DB_TXN	*txn = NULL;
	DBC	*c = NULL;
	DBT	 k;
	uint64_t be;
	size_t	 i, done = 0;
	int	 ret, cur = -1;
	uint64_t t0 = bench_now_ns();

	qsort(batch, nbatch, sizeof(*batch), entry_cmp);
	for (i = 0; i < nbatch; i++) {
		if (txn == NULL && (ret = env->txn_begin(env, NULL, &txn,
		    0)) != 0)
			probe_fatal("txn_begin", ret);
		if (c == NULL || batch[i].ix != cur) {
			if (c != NULL && (ret = c->close(c)) != 0)
				probe_fatal("cursor close", ret);
			cur = batch[i].ix;
			if ((ret = ix[cur]->cursor(ix[cur], txn, &c, 0)) != 0)
				probe_fatal("cursor", ret);
		}
		put_entry(c, txn, &batch[i]);
		if (++done % MERGE_TXN == 0 || i + 1 == nbatch) {
			if ((ret = c->close(c)) != 0)
				probe_fatal("cursor close", ret);
			c = NULL;
			if ((ret = txn->commit(txn, 0)) != 0)
				probe_fatal("commit", ret);
			txn = NULL;
		}
	}
	nbatch = 0;
	if ((ret = env->txn_begin(env, NULL, &txn, 0)) != 0)
		probe_fatal("txn_begin", ret);
	for (; from <= to; from++) {
		be = htobe64(from);
		probe_dbt(&k, &be, 8, 8);
		if ((ret = pending->del(pending, txn, &k, 0)) != 0)
			probe_fatal("pending del", ret);
	}
	if ((ret = txn->commit(txn, 0)) != 0)
		probe_fatal("commit", ret);
	merge_ns += bench_now_ns() - t0;
}

static size_t
var_put(unsigned char *p, uint64_t v)
{
	size_t	n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return (n);
}

/* The last id of a chunk of varint deltas. */
static uint64_t
chunk_last(const unsigned char *p, size_t len)
{
	uint64_t	id = 0, v;
	size_t		i = 0;
	int		sh;

	while (i < len) {
		for (v = 0, sh = 0; i < len; sh += 7) {
			v |= (uint64_t)(p[i] & 0x7f) << sh;
			if (p[i++] < 0x80)
				break;
		}
		id += v;
	}
	return (id);
}

/* A transaction's queued ids of the indexes of few values appended to
 * their last chunks, a value at a time (the queue sorted by value). */
static void
chunks_flush(DB_TXN *txn)
{
	unsigned char	 key[KEYMAX + 9], chunk[CHUNK_MAX + 16];
	unsigned char	 kbuf[KEYMAX + 9], dbuf[CHUNK_MAX + 16];
	DBT		 k, d;
	DBC		*c;
	uint64_t	 last, be;
	size_t		 i, j, klen, clen;
	int		 ret;

	qsort(batch, nbatch, sizeof(*batch), entry_cmp);
	for (i = 0; i < nbatch; i = j) {
		for (j = i + 1; j < nbatch && batch[j].ix == batch[i].ix &&
		    batch[j].len == batch[i].len && memcmp(batch[j].key,
		    batch[i].key, batch[i].len) == 0; j++)
			;
		/* The value's last chunk: the one before the key past
		 * all its chunks. */
		memcpy(key, batch[i].key, batch[i].len);
		key[batch[i].len] = 0;
		memset(key + batch[i].len + 1, 0xff, 8);
		klen = batch[i].len + 9;
		if ((ret = ix[batch[i].ix]->cursor(ix[batch[i].ix], txn, &c,
		    0)) != 0)
			probe_fatal("cursor", ret);
		memcpy(kbuf, key, klen);
		probe_dbt(&k, kbuf, klen, sizeof(kbuf));
		probe_dbt(&d, dbuf, 0, sizeof(dbuf));
		ret = c->get(c, &k, &d, DB_SET_RANGE);
		if (ret == 0 || ret == DB_NOTFOUND)
			ret = c->get(c, &k, &d, ret == 0 ? DB_PREV : DB_LAST);
		clen = 0;
		last = 0;
		if (ret == 0 && k.size == klen && memcmp(k.data, key,
		    batch[i].len + 1) == 0 && d.size <= CHUNK_MAX) {
			memcpy(key, k.data, klen);
			memcpy(chunk, d.data, d.size);
			clen = d.size;
			last = chunk_last(chunk, clen);
		} else if (ret != 0 && ret != DB_NOTFOUND)
			probe_fatal("chunk read", ret);
		if (clen == 0) {
			be = htobe64(batch[i].id);
			memcpy(key + batch[i].len + 1, &be, 8);
		}
		for (; i < j; i++) {
			if (clen > CHUNK_MAX) {
				probe_dbt(&k, key, klen, klen);
				probe_dbt(&d, chunk, clen, clen);
				if ((ret = c->put(c, &k, &d, DB_KEYLAST)) != 0)
					probe_fatal("chunk put", ret);
				be = htobe64(batch[i].id);
				memcpy(key + batch[i].len + 1, &be, 8);
				clen = 0;
				last = 0;
			}
			clen += var_put(chunk + clen, batch[i].id - last);
			last = batch[i].id;
		}
		probe_dbt(&k, key, klen, klen);
		probe_dbt(&d, chunk, clen, clen);
		if ((ret = c->put(c, &k, &d, DB_KEYLAST)) != 0)
			probe_fatal("chunk put", ret);
		if ((ret = c->close(c)) != 0)
			probe_fatal("cursor close", ret);
	}
	nbatch = 0;
}

static double
load(const char *dir, uint64_t n, enum way way)
{
	DB_TXN		*txn = NULL;
	uint64_t	 id, t0, merged = 0;
	int		 ret;

	merge_ns = 0;
	env_open(dir, way);
	rng = 88172645463325252ULL;
	t0 = bench_now_ns();
	for (id = 1; id <= n; id++) {
		if (txn == NULL && (ret = env->txn_begin(env, NULL, &txn,
		    0)) != 0)
			probe_fatal("txn_begin", ret);
		put_record(txn, id, way);
		if (id % TXN_RECS == 0 || id == n) {
			if (way == CHUNKS)
				chunks_flush(txn);
			if ((ret = txn->commit(txn, 0)) != 0)
				probe_fatal("commit", ret);
			txn = NULL;
			/* As the store's (txn.c): every 256 commits, one
			 * when 64 MB of log or 5 minutes passed since the
			 * last (and the log before it goes). */
			if ((id / TXN_RECS) % 256 == 0 &&
			    (ret = env->txn_checkpoint(env, 64 * 1024, 5,
			    0)) != 0)
				probe_fatal("checkpoint", ret);
		}
		if (way == DEFERRED && (id % BATCH == 0 || id == n)) {
			merge(merged + 1, id);
			merged = id;
		}
		if (id % 100000 == 0)
			fprintf(stderr, "probe-defer: %s: %llu records, %.1f "
			    "s\n", way == DEFERRED ? "deferred" : way == CHUNKS ?
			    "chunks" : "now",
			    (unsigned long long)id,
			    bench_secs(bench_now_ns() - t0));
	}
	t0 = bench_now_ns() - t0;
	env_close();
	return ((double)n / bench_secs(t0));
}

int
main(int argc, char **argv)
{
	uint64_t	 n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	char		 dir[4096];
	double		 now, chunked, later, merging;

	if (argc < 2 || n == 0) {
		fprintf(stderr, "usage: probe-defer DIR [N]\n");
		return (2);
	}
	if (mkdir(argv[1], 0700) != 0 && errno != EEXIST) {
		perror(argv[1]);
		return (1);
	}
	snprintf(dir, sizeof(dir), "%s/now", argv[1]);
	now = load(dir, n, NOW);
	snprintf(dir, sizeof(dir), "%s/chunks", argv[1]);
	chunked = load(dir, n, CHUNKS);
	snprintf(dir, sizeof(dir), "%s/deferred", argv[1]);
	later = load(dir, n, DEFERRED);
	merging = bench_secs(merge_ns);
	printf("%llu records of 27 puts (Berkeley DB %d.%d, %d KB pages, "
	    "transactions of %d), records/s:\n\n", (unsigned long long)n,
	    DB_VERSION_MAJOR, DB_VERSION_MINOR, PROBE_PAGESIZE / 1024, TXN_RECS);
	printf("| index entries | records/s | of the time, merging |\n"
	    "|---|---:|---:|\n");
	printf("| put at once | %.0f | — |\n", now);
	printf("| put at once, the six indexes of few values as posting "
	    "chunks | %.0f | — |\n", chunked);
	printf("| set aside, merged every %d records in key order | %.0f | "
	    "%.1f s of %.1f |\n", BATCH, later, merging, (double)n / later);
	free(batch);
	return (0);
}
