/*
 * probe-split-race.c: Berkeley DB alone, no clerk code.  Reproduces the
 * damage test-store-threads met once in some 250 runs (session 23): a
 * record of a B-tree committed onto the wrong leaf page, so that a
 * lookup of it misses and db_verify says "last item on page sorted
 * greater than parent entry".
 *
 * The load is clerk's inserts reduced to what Berkeley DB sees: eight
 * threads, each putting records of 200-300 bytes under 8-byte
 * big-endian ids taken one at a time from a shared counter, 100 to a
 * transaction, with DB_NOOVERWRITE, and an audit-like entry into a
 * second B-tree after each; a deadlock aborts the transaction, which
 * starts again with new ids (the aborted ones are never used again).
 * Deadlock detection on every conflict, the youngest losing; commits
 * not flushed.  Then every file is verified.
 *
 * The cause (session 24, an instrumented build of Debian's 5.3.28): a
 * put that finds its leaf full calls __bam_split, which may find the
 * leaf split already by another transaction and return having released
 * every lock, the metadata page's too; the put then searches again from
 * the leaf's parent as __bam_split saw it.  When another transaction
 * splits that parent in between, the key sorts after all the parent
 * still holds and the search ends at its last child.  The damaged put
 * is the first write of its transaction (one that has allocated a page
 * keeps the metadata page locked to its end, so nobody else can split).
 * Deadlocks only make the timing likelier; so does a busy processor,
 * which stops a thread inside that window.
 *
 * Usage: probe-split-race [-1] [-p PAGESIZE] DIR [RUNS]
 *   Runs RUNS times (default 1) in fresh folders under DIR, and stops
 *   at the first run whose primary does not verify, leaving it there.
 *   -p: the files' page size (default 16384, the store's); smaller pages
 *   split more often.  -1: one transaction at a time (a mutex from begin
 *   to commit or abort), as the store's writers run since session 24.
 *   Run two at once beside a busy loop to see the damage.
 *   Exit 0 when every run verified, 2 when one did not, 1 on an error.
 * Seen on Debian 12's Berkeley DB 5.3.28, two runs at once on 2
 * processors: with 16 KB pages 1 run in some 160-250 fails; with 2 KB
 * pages it hangs on what else keeps the processors busy: 6 of 65 runs
 * one time, 2 of 114 beside a busy loop another, none of 100 on an
 * idle machine; with 2 KB pages and -1, none of 105.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROBE_NAME	"probe-split-race"
#include "probe.h"

#define THREADS		8
#define TXNS		100	/* a thread's transactions committed */
#define PER_TXN		100	/* records a transaction */

static DB_ENV		*env;
static DB		*prim, *aud;
static atomic_ulong	 next_id, next_aud, retries;
static int		 one;		/* -1 */
static pthread_mutex_t	 one_mtx = PTHREAD_MUTEX_INITIALIZER;
static u_int32_t	 pagesize = PROBE_PAGESIZE;

static void
key_be(unsigned char *k, unsigned long v)
{
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		k[i] = v & 0xff;
}

static void *
writer(void *arg)
{
	unsigned	 seed = (unsigned)(uintptr_t)arg * 7919;
	unsigned char	 kb[8], ab[8];
	char		 data[300];
	DB_TXN		*txn;
	DBT		 k, d;
	int		 n, i, ret;

	memset(data, 'x', sizeof(data));
	for (n = 0; n < TXNS;) {
		if (one)
			pthread_mutex_lock(&one_mtx);
		if ((ret = env->txn_begin(env, NULL, &txn, 0)) != 0)
			probe_fatal("txn_begin", ret);
		for (i = 0, ret = 0; i < PER_TXN && ret == 0; i++) {
			key_be(kb, atomic_fetch_add(&next_id, 1));
			probe_dbt(&k, kb, 8, 8);
			probe_dbt(&d, data, 200 + rand_r(&seed) % 100,
			    sizeof(data));
			ret = prim->put(prim, txn, &k, &d, DB_NOOVERWRITE);
			if (ret == 0) {
				key_be(ab, atomic_fetch_add(&next_aud, 1));
				probe_dbt(&k, ab, 8, 8);
				probe_dbt(&d, data, 60, sizeof(data));
				ret = aud->put(aud, txn, &k, &d, 0);
			}
			/* Some writers fall behind the others. */
			if (ret == 0 && rand_r(&seed) % 4 == 0)
				usleep(rand_r(&seed) % 200);
		}
		if (ret == DB_LOCK_DEADLOCK) {
			if ((ret = txn->abort(txn)) != 0)
				probe_fatal("abort", ret);
			if (one)
				pthread_mutex_unlock(&one_mtx);
			retries++;
			continue;
		}
		if (ret != 0)
			probe_fatal("put", ret);
		if ((ret = txn->commit(txn, 0)) != 0)
			probe_fatal("commit", ret);
		if (one)
			pthread_mutex_unlock(&one_mtx);
		n++;
	}
	return (NULL);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

/* One run in dir: 0 when the primary verifies, 1 when not. */
static int
run(const char *dir)
{
	pthread_t	 t[THREADS];
	char		 path[4200];
	DB		*v;
	int		 i, ret;

	atomic_store(&next_id, 1);
	atomic_store(&next_aud, 1);
	atomic_store(&retries, 0);
	/* Not probe_env_open(): the environment the damage was seen in
	 * here (shared regions, default log buffer, logs kept). */
	if ((ret = db_env_create(&env, 0)) != 0)
		probe_fatal("db_env_create", ret);
	if ((ret = env->set_cachesize(env, 0, 64 << 20, 1)) != 0 ||
	    (ret = env->set_lk_detect(env, DB_LOCK_YOUNGEST)) != 0 ||
	    (ret = env->set_lk_max_locks(env, 200000)) != 0 ||
	    (ret = env->set_lk_max_objects(env, 200000)) != 0 ||
	    (ret = env->set_lk_max_lockers(env, 20000)) != 0 ||
	    (ret = env->set_flags(env, DB_TXN_WRITE_NOSYNC, 1)) != 0 ||
	    (ret = env->open(env, dir, DB_CREATE | DB_INIT_LOCK |
	    DB_INIT_LOG | DB_INIT_MPOOL | DB_INIT_TXN | DB_THREAD, 0600)) != 0)
		probe_fatal(dir, ret);
	prim = probe_db_open_pages(env, "p.db", DB_BTREE, 0, NULL, pagesize);
	aud = probe_db_open_pages(env, "a.db", DB_BTREE, 0, NULL, pagesize);
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, writer,
		    (void *)(uintptr_t)(i + 1)) != 0)
			probe_fatal("pthread_create", EAGAIN);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	(void)prim->close(prim, 0);
	(void)aud->close(aud, 0);
	(void)env->txn_checkpoint(env, 0, 0, DB_FORCE);
	(void)env->close(env, 0);

	snprintf(path, sizeof(path), "%s/p.db", dir);
	if ((ret = db_create(&v, NULL, 0)) != 0)
		probe_fatal("db_create", ret);
	ret = v->verify(v, path, NULL, NULL, 0);
	printf("%s: %lu retries after deadlocks; %s\n", dir,
	    (unsigned long)atomic_load(&retries),
	    ret == 0 ? "verifies" : "DOES NOT VERIFY");
	return (ret == 0 ? 0 : 1);
}

int
main(int argc, char **argv)
{
	const char *top;
	char	 dir[4096], *end;
	long	 runs, i, v;
	int	 ch;

	while ((ch = getopt(argc, argv, "1p:")) != -1) {
		switch (ch) {
		case '1':
			one = 1;
			break;
		case 'p':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 512 || v > 65536 ||
			    (v & (v - 1)) != 0) {
				fprintf(stderr, "probe-split-race: -p %s: a "
				    "page size is a power of two from 512 "
				    "to 65536\n", optarg);
				return (1);
			}
			pagesize = (u_int32_t)v;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2) {
usage:
		fprintf(stderr, "usage: probe-split-race [-1] [-p pagesize] "
		    "DIR [RUNS]\n");
		return (1);
	}
	top = argv[0];
	runs = argc == 2 ? strtol(argv[1], NULL, 10) : 1;
	if (mkdir(top, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "probe-split-race: %s: %s\n", top,
		    strerror(errno));
		return (1);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < runs; i++) {
		snprintf(dir, sizeof(dir), "%s/run-%ld", top, i);
		if (mkdir(dir, 0700) == -1) {
			fprintf(stderr, "probe-split-race: %s: %s\n", dir,
			    strerror(errno));
			return (1);
		}
		if (run(dir) != 0)
			return (2);
		if (nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS) == -1) {
			fprintf(stderr, "probe-split-race: cannot remove %s\n",
			    dir);
			return (1);
		}
	}
	return (0);
}
