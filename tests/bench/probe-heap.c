/*
 * probe-heap.c: a probe of Berkeley DB itself, no clerk code, for the
 * storage decision of issues 2 and 4: what fifty record reads cost in a
 * B-tree keyed by id (clerk's tables), against a heap (DB_HEAP) read by
 * record id (RID), the address a heap gives each record when it is put,
 * and against a B-tree from id to RID followed by the heap read (a get
 * by id if the records lived in a heap).
 *
 * The environment is opened as clerk's store opens it (transactions,
 * locking, logging, a private 1 GB cache, 16 KB pages, ids compared as
 * 8-byte big-endian keys, cursors marked transient as
 * store_lookup_cursor() marks them); N records of 60 bytes (an invoice
 * of bench-query) go into all three files in id order.  Then the same
 * fifty ids are read in one transaction each round, as a query run
 * again (bench-query): ids at random (a range of dates: each record on
 * a leaf of its own) and every 40th id (manager = m07: about five to a
 * leaf).  Medians of ROUNDS rounds, each way in turn.
 *
 * Usage: probe-heap DIR [N]   (N 5,000,000 by default; DIR created,
 * reused when a run before loaded it).  `make tests/bench/probe-heap`;
 * not run by make bench.  Not a test: it times things.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <db.h>

#define PROBE_NAME	"probe-heap"

#include "bench.h"
#include "probe.h"

#define ROUNDS		3000
#define WARMUP		5
#define ROWS		50
#define RECSIZE		60
#define TXN_PUTS	10000

enum way { WAY_BTREE, WAY_HEAP, WAY_ID_HEAP, NWAYS };

static DB_ENV		*env;
static DB		*bt, *hp, *ix;
static DB_HEAP_RID	*rids;		/* rids[id] */

static int
id_cmp(DB *db, const DBT *a, const DBT *b)
{
	uint64_t	x, y;

	(void)db;
	if (a->size == 8 && b->size == 8) {
		memcpy(&x, a->data, 8);
		memcpy(&y, b->data, 8);
		if (x == y)
			return (0);
		return (be64toh(x) < be64toh(y) ? -1 : 1);
	}
	return (a->size < b->size ? -1 : a->size > b->size);
}

/* N records into the B-tree, the heap and the id index, in id order. */
static void
load(uint64_t n)
{
	DB_TXN		*txn;
	DBT		 k, d;
	unsigned char	 rec[RECSIZE];
	uint64_t	 id, be, t0 = bench_now_ns();
	size_t		 i;
	int		 ret;

	srand(1);
	for (id = 1; id <= n; id++) {
		if ((id - 1) % TXN_PUTS == 0 &&
		    (ret = env->txn_begin(env, NULL, &txn, 0)) != 0)
			probe_fatal("txn_begin", ret);
		for (i = 0; i < RECSIZE; i++)
			rec[i] = (unsigned char)rand();
		be = htobe64(id);
		probe_dbt(&k, &be, 8, 8);
		probe_dbt(&d, rec, RECSIZE, RECSIZE);
		if ((ret = bt->put(bt, txn, &k, &d, 0)) != 0)
			probe_fatal("put into the B-tree", ret);
		if ((ret = probe_heap_append(hp, txn, &rids[id], rec,
		    RECSIZE)) != 0)
			probe_fatal("put into the heap", ret);
		probe_dbt(&k, &be, 8, 8);
		probe_dbt(&d, &rids[id], DB_HEAP_RID_SZ, DB_HEAP_RID_SZ);
		if ((ret = ix->put(ix, txn, &k, &d, 0)) != 0)
			probe_fatal("put into the id index", ret);
		if ((id % TXN_PUTS == 0 || id == n) &&
		    (ret = txn->commit(txn, 0)) != 0)
			probe_fatal("commit", ret);
	}
	if ((ret = env->txn_checkpoint(env, 0, 0, DB_FORCE)) != 0)
		probe_fatal("checkpoint", ret);
	fprintf(stderr, "probe-heap: %llu records loaded in %.1f s\n",
	    (unsigned long long)n, bench_secs(bench_now_ns() - t0));
}

/* The rid of id, read back from the id index (a loaded folder). */
static void
rids_read(uint64_t n)
{
	DBC		*c;
	DBT		 k, d;
	uint64_t	 be;
	int		 ret;

	if ((ret = ix->cursor(ix, NULL, &c, 0)) != 0)
		probe_fatal("cursor", ret);
	for (;;) {
		probe_dbt(&k, &be, 0, 8);
		memset(&d, 0, sizeof(d));
		if ((ret = c->get(c, &k, &d, DB_NEXT)) == DB_NOTFOUND)
			break;
		if (ret != 0)
			probe_fatal("reading the id index", ret);
		if (be64toh(be) <= n && d.size == DB_HEAP_RID_SZ)
			memcpy(&rids[be64toh(be)], d.data, DB_HEAP_RID_SZ);
	}
	(void)c->close(c);
}

/* One round: the records of ids read the given way in a transaction. */
static uint64_t
round_of(enum way w, const uint64_t *ids)
{
	DB_TXN		*txn;
	DBC		*c, *ci = NULL;
	DBT		 k, d, ik, iv;
	DB_HEAP_RID	 rid;
	unsigned char	 out[256];
	uint64_t	 be, t0 = bench_now_ns();
	size_t		 i;
	int		 ret;

	if ((ret = env->txn_begin(env, NULL, &txn, 0)) != 0)
		probe_fatal("txn_begin", ret);
	if ((ret = (w == WAY_BTREE ? bt : hp)->cursor(w == WAY_BTREE ? bt :
	    hp, txn, &c, 0)) != 0)
		probe_fatal("cursor", ret);
	c->flags |= DBC_TRANSIENT;
	if (w == WAY_ID_HEAP) {
		if ((ret = ix->cursor(ix, txn, &ci, 0)) != 0)
			probe_fatal("cursor", ret);
		ci->flags |= DBC_TRANSIENT;
	}
	for (i = 0; i < ROWS; i++) {
		be = htobe64(ids[i]);
		probe_dbt(&d, out, 0, sizeof(out));
		if (w == WAY_BTREE)
			probe_dbt(&k, &be, 8, 8);
		else {
			if (w == WAY_HEAP)
				rid = rids[ids[i]];
			else {
				probe_dbt(&ik, &be, 8, 8);
				probe_dbt(&iv, &rid, 0, sizeof(rid));
				if ((ret = ci->get(ci, &ik, &iv, DB_SET)) != 0)
					probe_fatal("get from the id index", ret);
			}
			probe_dbt(&k, &rid, DB_HEAP_RID_SZ, DB_HEAP_RID_SZ);
		}
		if ((ret = c->get(c, &k, &d, DB_SET)) != 0)
			probe_fatal("get", ret);
	}
	if (ci != NULL && (ret = ci->close(ci)) != 0)
		probe_fatal("cursor close", ret);
	if ((ret = c->close(c)) != 0)
		probe_fatal("cursor close", ret);
	if ((ret = txn->commit(txn, 0)) != 0)
		probe_fatal("commit", ret);
	return (bench_now_ns() - t0);
}

static void
pattern(const char *name, const uint64_t *ids)
{
	uint64_t	*ns[NWAYS];
	double		 med[NWAYS], pc[2];
	int		 r, w;

	for (w = 0; w < NWAYS; w++)
		ns[w] = calloc(ROUNDS, sizeof(*ns[w]));
	for (r = -WARMUP; r < ROUNDS; r++)
		for (w = 0; w < NWAYS; w++) {
			uint64_t t = round_of((enum way)w, ids);

			if (r >= 0)
				ns[w][r] = t;
		}
	for (w = 0; w < NWAYS; w++) {
		bench_percentiles(ns[w], ROUNDS, pc);
		med[w] = pc[0];
		free(ns[w]);
	}
	printf("| %s | %.1f | %.1f | %.1f |\n", name, med[WAY_BTREE],
	    med[WAY_HEAP], med[WAY_ID_HEAP]);
}

int
main(int argc, char **argv)
{
	uint64_t	 n = argc > 2 ? strtoull(argv[2], NULL, 10) : 5000000;
	uint64_t	 ids[ROWS];
	char		 path[4096];
	FILE		*f;
	int		 loaded, i;

	if (argc < 2 || n < 40 * ROWS + 1) {
		fprintf(stderr, "usage: probe-heap DIR [N >= %d]\n",
		    40 * ROWS + 1);
		return (2);
	}
	snprintf(path, sizeof(path), "%s/loaded-%llu", argv[1],
	    (unsigned long long)n);
	loaded = (f = fopen(path, "r")) != NULL;
	if (f != NULL)
		fclose(f);
	env = probe_env_open(argv[1], 1024);
	bt = probe_db_open(env, "btree.db", DB_BTREE, 0, id_cmp);
	hp = probe_db_open(env, "heap.db", DB_HEAP, 0, NULL);
	ix = probe_db_open(env, "id-rid.db", DB_BTREE, 0, id_cmp);
	if ((rids = calloc(n + 1, sizeof(*rids))) == NULL)
		probe_fatal("memory", ENOMEM);
	if (!loaded) {
		load(n);
		if ((f = fopen(path, "w")) != NULL)
			fclose(f);
	} else
		rids_read(n);

	printf("Fifty records of %d bytes read in a transaction, of %llu, "
	    "median of %d rounds, µs (Berkeley DB %d.%d, %d KB pages, "
	    "transient cursors):\n\n", RECSIZE, (unsigned long long)n, ROUNDS,
	    DB_VERSION_MAJOR, DB_VERSION_MINOR, PROBE_PAGESIZE / 1024);
	printf("| ids | B-tree by id | heap by RID | id → RID B-tree, "
	    "then heap |\n|---|---:|---:|---:|\n");
	srand(7);
	for (i = 0; i < ROWS; i++)
		ids[i] = 1 + (uint64_t)rand() % n;
	qsort(ids, ROWS, sizeof(*ids), bench_cmp_u64);
	pattern("at random (a range of dates)", ids);
	for (i = 0; i < ROWS; i++)
		ids[i] = n / 5 + 40 * (uint64_t)i + (uint64_t)rand() % 40;
	pattern("every 40th (manager = m07)", ids);

	(void)ix->close(ix, 0);
	(void)hp->close(hp, 0);
	(void)bt->close(bt, 0);
	(void)env->close(env, 0);
	free(rids);
	return (0);
}
