/*
 * probe-heap-stress.c: Berkeley DB's heap (DB_HEAP) under concurrent
 * transactions, with a cache much smaller than the data: a check of the
 * library, no clerk code, for the storage decision probe-heap.c and
 * probe-heap-update.c are evidence for.  Records live in a heap, an id
 * map (a B-tree, id -> RID) beside it, as a heap design of clerk's
 * tables would keep them.  Writer threads insert five records a
 * transaction (60 %), update one (30 %) or delete one (10 %); reader
 * threads read fifty by id a transaction, through the map; a deadlock
 * aborts the transaction and the thread goes on.  Each record holds its
 * id and a version and bytes made from both, so every read checks it
 * whole.  At the end every map entry's record is checked, the heap's
 * records counted against the map's entries, and both files verified
 * (DB->verify).
 *
 * An update is done one of two ways:
 *   move      the record deleted and appended anew, the map given its
 *             new RID (what probe-heap-update.c found safe);
 *   in-place  put again under its RID, at a new size (what it did not).
 * PROBE_SAME_SIZE=1 gives each record one size for its life (updates in
 * place then never resize); PROBE_NO_BIG=1 leaves out the records of 20
 * to 30 KB (split over several 16 KB pages) that 1 % have otherwise.
 *
 * With Berkeley DB 5.3.28 (Debian 12), 4 writers, 2 readers, 30-60 s,
 * an 8 MB cache: "move" reads every record back and both files verify;
 * "in-place" returns a record of a wrong length, loses one or panics
 * within seconds; "in-place" with PROBE_SAME_SIZE=1 holds with
 * PROBE_NO_BIG=1, and without it panics ("Incorrect record size in
 * header") or crashes even with one writer alone.  Exits 0 only when
 * every record read back and both files verify.
 *
 * Usage: probe-heap-stress DIR move|in-place [SECONDS [WRITERS
 * [READERS]]]   (DIR created; 60 s, 4 writers, 2 readers unless given;
 * PROBE_CACHE_MB sets the cache, 8 MB unless given).
 * `make tests/bench/probe-heap-stress`; not run by make bench.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <db.h>

#define PROBE_NAME	"probe-heap-stress"

#include "probe.h"

#define ROOM		40000	/* bytes, more than the largest record */
#define MAXTHREADS	64

static DB_ENV		*env;
static DB		*hp, *map;
static int		 move_records, same_size, no_big;
static atomic_int	 stop;
static atomic_ullong	 next_id = 1, commits, aborts, reads, bad_reads;

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (x);
}

/* Record id at version ver into p: its length. */
static size_t
record_make(unsigned char *p, uint64_t id, uint64_t ver, unsigned *seed)
{
	uint64_t	r = same_size ? mix(id) : (uint64_t)rand_r(seed);
	size_t		n, i;

	if (!no_big && r % 100 == 0)
		n = 16 + 20000 + (size_t)(mix(r) % 10000);
	else
		n = 16 + (size_t)(mix(r + 1) % 3000);
	memcpy(p, &id, 8);
	memcpy(p + 8, &ver, 8);
	for (i = 16; i < n; i++)
		p[i] = (unsigned char)mix(id * 131 + ver * 7 + i);
	return (n);
}

static int
record_good(const unsigned char *p, size_t n, uint64_t id)
{
	uint64_t	had, ver;
	size_t		i;

	if (n < 16)
		return (0);
	memcpy(&had, p, 8);
	memcpy(&ver, p + 8, 8);
	if (had != id)
		return (0);
	for (i = 16; i < n; i++)
		if (p[i] != (unsigned char)mix(id * 131 + ver * 7 + i))
			return (0);
	return (1);
}

static int
map_put(DB_TXN *t, uint64_t id, DB_HEAP_RID *rid, u_int32_t flags)
{
	uint64_t	be = htobe64(id);
	unsigned char	v[DB_HEAP_RID_SZ];
	DBT		k, d;

	memcpy(v, &rid->pgno, sizeof(rid->pgno));
	memcpy(v + sizeof(rid->pgno), &rid->indx, sizeof(rid->indx));
	probe_dbt(&k, &be, 8, 8);
	probe_dbt(&d, v, sizeof(v), sizeof(v));
	return (map->put(map, t, &k, &d, flags));
}

static int
map_get(DB_TXN *t, uint64_t id, DB_HEAP_RID *rid, u_int32_t flags)
{
	uint64_t	be = htobe64(id);
	unsigned char	v[DB_HEAP_RID_SZ];
	DBT		k, d;
	int		ret;

	probe_dbt(&k, &be, 8, 8);
	probe_dbt(&d, v, 0, sizeof(v));
	if ((ret = map->get(map, t, &k, &d, flags)) != 0)
		return (ret);
	memcpy(&rid->pgno, v, sizeof(rid->pgno));
	memcpy(&rid->indx, v + sizeof(rid->pgno), sizeof(rid->indx));
	return (0);
}

/* One writer transaction's work; 0 or a Berkeley DB error. */
static int
write_one(DB_TXN *t, unsigned *seed, unsigned char *rec, unsigned char *old)
{
	DB_HEAP_RID	 rid;
	DBT		 k, d;
	uint64_t	 id, ver, be;
	size_t		 n;
	int		 op = rand_r(seed) % 10, ret, i;

	if (op < 6 || atomic_load(&next_id) < 100) {
		for (i = 0; i < 5; i++) {
			id = atomic_fetch_add(&next_id, 1);
			n = record_make(rec, id, 0, seed);
			ret = probe_heap_append(hp, t, &rid, rec, n);
			if (ret != 0 || (ret = map_put(t, id, &rid,
			    DB_NOOVERWRITE)) != 0)
				return (ret);
		}
		return (0);
	}
	id = 1 + (uint64_t)rand_r(seed) % (atomic_load(&next_id) - 1);
	if ((ret = map_get(t, id, &rid, DB_RMW)) != 0)
		return (ret);
	probe_dbt(&k, &rid, DB_HEAP_RID_SZ, DB_HEAP_RID_SZ);
	probe_dbt(&d, old, 0, ROOM);
	if ((ret = hp->get(hp, t, &k, &d, DB_RMW)) != 0)
		return (ret);
	if (!record_good(old, d.size, id)) {
		fprintf(stderr, "probe-heap-stress: record %llu is wrong\n",
		    (unsigned long long)id);
		exit(1);
	}
	if (op == 9) {
		if ((ret = hp->del(hp, t, &k, 0)) != 0)
			return (ret);
		be = htobe64(id);
		probe_dbt(&k, &be, 8, 8);
		return (map->del(map, t, &k, 0));
	}
	memcpy(&ver, old + 8, 8);
	n = record_make(rec, id, ver + 1, seed);
	if (!move_records) {
		probe_dbt(&d, rec, n, n);
		return (hp->put(hp, t, &k, &d, 0));
	}
	if ((ret = hp->del(hp, t, &k, 0)) != 0 ||
	    (ret = probe_heap_append(hp, t, &rid, rec, n)) != 0)
		return (ret);
	return (map_put(t, id, &rid, 0));
}

static void *
writer(void *arg)
{
	unsigned	 seed = (unsigned)(uintptr_t)arg;
	unsigned char	*rec = malloc(ROOM), *old = malloc(ROOM);
	DB_TXN		*t;
	int		 ret;

	if (rec == NULL || old == NULL)
		probe_fatal("memory", ENOMEM);
	while (!atomic_load(&stop)) {
		if ((ret = env->txn_begin(env, NULL, &t, 0)) != 0)
			probe_fatal("txn_begin", ret);
		ret = write_one(t, &seed, rec, old);
		if (ret == DB_NOTFOUND && atomic_load(&next_id) > 1) {
			/* A record deleted before: nothing to do. */
			(void)t->abort(t);
			continue;
		}
		if (ret == DB_LOCK_DEADLOCK || ret == DB_LOCK_NOTGRANTED) {
			(void)t->abort(t);
			atomic_fetch_add(&aborts, 1);
			continue;
		}
		if (ret != 0)
			probe_fatal("write", ret);
		if ((ret = t->commit(t, 0)) != 0)
			probe_fatal("commit", ret);
		atomic_fetch_add(&commits, 1);
	}
	free(rec);
	free(old);
	return (NULL);
}

static void *
reader(void *arg)
{
	unsigned	 seed = (unsigned)(uintptr_t)arg;
	unsigned char	*buf = malloc(ROOM);
	DB_HEAP_RID	 rid;
	DB_TXN		*t;
	DBT		 k, d;
	uint64_t	 id;
	int		 ret, i;

	if (buf == NULL)
		probe_fatal("memory", ENOMEM);
	while (!atomic_load(&stop)) {
		if (atomic_load(&next_id) < 100) {
			usleep(1000);
			continue;
		}
		if ((ret = env->txn_begin(env, NULL, &t, 0)) != 0)
			probe_fatal("txn_begin", ret);
		for (i = 0; i < 50; i++) {
			id = 1 + (uint64_t)rand_r(&seed) %
			    (atomic_load(&next_id) - 1);
			if ((ret = map_get(t, id, &rid, 0)) == DB_NOTFOUND)
				continue;
			if (ret != 0)
				break;
			probe_dbt(&k, &rid, DB_HEAP_RID_SZ, DB_HEAP_RID_SZ);
			probe_dbt(&d, buf, 0, ROOM);
			if ((ret = hp->get(hp, t, &k, &d, 0)) != 0)
				break;
			atomic_fetch_add(&reads, 1);
			if (!record_good(buf, d.size, id))
				atomic_fetch_add(&bad_reads, 1);
		}
		if (ret == DB_LOCK_DEADLOCK || ret == DB_LOCK_NOTGRANTED) {
			(void)t->abort(t);
			continue;
		}
		if (ret != 0 && ret != DB_NOTFOUND) {
			fprintf(stderr, "probe-heap-stress: record %llu, RID "
			    "%u.%u: %s\n", (unsigned long long)id, rid.pgno,
			    rid.indx, db_strerror(ret));
			exit(1);
		}
		if ((ret = t->commit(t, 0)) != 0)
			probe_fatal("commit", ret);
	}
	free(buf);
	return (NULL);
}

/* Every map entry's record, and the heap's records counted. */
static int
check(void)
{
	unsigned char	*buf = malloc(ROOM);
	DB_HEAP_RID	 rid;
	DBC		*c;
	DBT		 k, d, hk, hd;
	uint64_t	 be, nmap = 0, nheap = 0, bad = 0;
	unsigned char	 v[DB_HEAP_RID_SZ];
	int		 ret;

	if (buf == NULL)
		probe_fatal("memory", ENOMEM);
	if ((ret = map->cursor(map, NULL, &c, 0)) != 0)
		probe_fatal("cursor", ret);
	for (;;) {
		probe_dbt(&k, &be, 0, 8);
		probe_dbt(&d, v, 0, sizeof(v));
		if ((ret = c->get(c, &k, &d, DB_NEXT)) == DB_NOTFOUND)
			break;
		if (ret != 0)
			probe_fatal("reading the map", ret);
		memcpy(&rid.pgno, v, sizeof(rid.pgno));
		memcpy(&rid.indx, v + sizeof(rid.pgno), sizeof(rid.indx));
		probe_dbt(&hk, &rid, DB_HEAP_RID_SZ, DB_HEAP_RID_SZ);
		probe_dbt(&hd, buf, 0, ROOM);
		if (hp->get(hp, NULL, &hk, &hd, 0) != 0 ||
		    !record_good(buf, hd.size, be64toh(be)))
			bad++;
		nmap++;
	}
	(void)c->close(c);
	if ((ret = hp->cursor(hp, NULL, &c, 0)) != 0)
		probe_fatal("cursor", ret);
	for (;;) {
		probe_dbt(&k, &rid, 0, sizeof(rid));
		probe_dbt(&d, buf, 0, ROOM);
		if ((ret = c->get(c, &k, &d, DB_NEXT)) == DB_NOTFOUND)
			break;
		if (ret != 0)
			probe_fatal("reading the heap", ret);
		nheap++;
	}
	(void)c->close(c);
	free(buf);
	printf("%llu commits, %llu aborted on deadlocks, %llu records read "
	    "(%llu wrong); at the end %llu in the map, %llu in the heap, "
	    "%llu of the map's wrong or missing\n",
	    (unsigned long long)commits, (unsigned long long)aborts,
	    (unsigned long long)reads, (unsigned long long)bad_reads,
	    (unsigned long long)nmap, (unsigned long long)nheap,
	    (unsigned long long)bad);
	return (bad_reads == 0 && bad == 0 && nmap == nheap ? 0 : 1);
}

static int
verify(const char *dir, const char *file)
{
	DB	*v;
	char	 path[4096];
	int	 ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((ret = db_create(&v, NULL, 0)) != 0)
		probe_fatal("db_create", ret);
	ret = v->verify(v, path, NULL, NULL, 0);
	printf("verify %s: %s\n", file, ret == 0 ? "ok" : db_strerror(ret));
	return (ret != 0);
}

int
main(int argc, char **argv)
{
	pthread_t	 th[2 * MAXTHREADS];
	const char	*s;
	int		 secs = 60, writers = 4, readers = 2, n = 0, i, ret;
	int		 failed;
	size_t		 cache_mb = 8;

	if (argc < 3 || (strcmp(argv[2], "move") != 0 &&
	    strcmp(argv[2], "in-place") != 0)) {
		fprintf(stderr, "usage: probe-heap-stress DIR move|in-place "
		    "[SECONDS [WRITERS [READERS]]]\n");
		return (2);
	}
	move_records = strcmp(argv[2], "move") == 0;
	if (argc > 3)
		secs = atoi(argv[3]);
	if (argc > 4)
		writers = atoi(argv[4]);
	if (argc > 5)
		readers = atoi(argv[5]);
	if (writers < 1 || writers > MAXTHREADS || readers < 0 ||
	    readers > MAXTHREADS) {
		fprintf(stderr, "probe-heap-stress: 1 to %d writers, 0 to %d "
		    "readers\n", MAXTHREADS, MAXTHREADS);
		return (2);
	}
	same_size = getenv("PROBE_SAME_SIZE") != NULL;
	no_big = getenv("PROBE_NO_BIG") != NULL;
	if ((s = getenv("PROBE_CACHE_MB")) != NULL && atoi(s) > 0)
		cache_mb = (size_t)atoi(s);
	env = probe_env_open(argv[1], cache_mb);
	hp = probe_db_open(env, "heap.db", DB_HEAP, 0, NULL);
	map = probe_db_open(env, "map.db", DB_BTREE, 0, NULL);
	for (i = 0; i < writers; i++)
		if (pthread_create(&th[n++], NULL, writer,
		    (void *)(uintptr_t)(i + 1)) != 0)
			probe_fatal("pthread_create", errno);
	for (i = 0; i < readers; i++)
		if (pthread_create(&th[n++], NULL, reader,
		    (void *)(uintptr_t)(i + 101)) != 0)
			probe_fatal("pthread_create", errno);
	for (i = 0; i < secs; i++) {
		sleep(1);
		if (i % 10 == 9 && (ret = env->txn_checkpoint(env, 0, 0,
		    0)) != 0)
			probe_fatal("checkpoint", ret);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("%s, %d s, %d writers, %d readers, %zu MB cache:\n", argv[2],
	    secs, writers, readers, cache_mb);
	failed = check();
	(void)hp->close(hp, 0);
	(void)map->close(map, 0);
	if ((ret = env->txn_checkpoint(env, 0, 0, DB_FORCE)) != 0)
		probe_fatal("checkpoint", ret);
	(void)env->close(env, 0);
	failed |= verify(argv[1], "heap.db");
	failed |= verify(argv[1], "map.db");
	return (failed);
}
