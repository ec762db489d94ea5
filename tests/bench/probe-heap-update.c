/*
 * probe-heap-update.c: does Berkeley DB's heap (DB_HEAP) keep records
 * that are updated in place?  A check of the library, no clerk code,
 * for the storage decision probe-heap.c is evidence for: 200,000
 * records of 16 to 3,015 bytes appended to a heap of 16 KB pages, then
 * updates of random records, each read back by its RID first.  Ways:
 *
 * same      put again under its RID at the size it had;
 * resize    put again under its RID at a new random size (up to MAX
 *           bytes, 3,015 unless given);
 * move      deleted and appended anew (a new RID).
 *
 * Prints the first record that does not read back, or that all did.
 * With Berkeley DB 5.3.28 (Debian 12), without transactions or with
 * them: "same" and "move" keep every record through 2,000,000 updates;
 * "resize" loses one within a few hundred thousand (DB_PAGE_NOTFOUND,
 * or a panic "Incorrect record size in header").
 *
 * Usage: probe-heap-update DIR same|resize|move [UPDATES [MAX]]
 * (DIR created anew; UPDATES 2,000,000 unless given).  Set
 * PROBE_NOTXN=1 for an environment without transactions.
 * `make tests/bench/probe-heap-update`; not run by make bench.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <db.h>

#define PROBE_NAME	"probe-heap-update"

#include "probe.h"

#define NRECS		200000
#define MINSIZE		16
#define MAXSIZE		3000
#define ROOM		40000

enum way { SAME, RESIZE, MOVE };

int
main(int argc, char **argv)
{
	static unsigned char buf[ROOM], out[ROOM];
	DB_ENV		*env;
	DB		*hp;
	DBT		 k, d;
	DB_HEAP_RID	*rids;
	size_t		*sizes, size;
	unsigned	 seed = 1, max = MAXSIZE;
	long		 i, op, ops = 2000000;
	enum way	 way;
	int		 ret, txn = getenv("PROBE_NOTXN") == NULL;

	if (argc < 3 || (strcmp(argv[2], "same") != 0 &&
	    strcmp(argv[2], "resize") != 0 && strcmp(argv[2], "move") != 0)) {
		fprintf(stderr, "usage: probe-heap-update DIR same|resize|move "
		    "[UPDATES [MAX]]\n");
		return (2);
	}
	way = strcmp(argv[2], "same") == 0 ? SAME :
	    strcmp(argv[2], "resize") == 0 ? RESIZE : MOVE;
	if (argc > 3)
		ops = atol(argv[3]);
	if (argc > 4 && (max = (unsigned)atoi(argv[4])) < 1)
		max = 1;
	if (mkdir(argv[1], 0700) != 0 && errno != EEXIST) {
		perror(argv[1]);
		return (1);
	}
	rids = calloc(NRECS, sizeof(*rids));
	sizes = calloc(NRECS, sizeof(*sizes));
	if (rids == NULL || sizes == NULL)
		probe_fatal("memory", ENOMEM);
	if ((ret = db_env_create(&env, 0)) != 0 ||
	    (ret = env->set_cachesize(env, 0, 512 * 1024 * 1024, 1)) != 0 ||
	    (ret = env->open(env, argv[1], DB_CREATE | DB_INIT_MPOOL |
	    (txn ? DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG : 0) |
	    DB_PRIVATE, 0600)) != 0)
		probe_fatal(argv[1], ret);
	if (txn && (ret = env->set_flags(env, DB_TXN_WRITE_NOSYNC, 1)) != 0)
		probe_fatal(argv[1], ret);
	if ((ret = db_create(&hp, env, 0)) != 0 ||
	    (ret = hp->set_pagesize(hp, 16 * 1024)) != 0 ||
	    (ret = hp->open(hp, NULL, "heap.db", NULL, DB_HEAP, DB_CREATE |
	    (txn ? DB_AUTO_COMMIT : 0), 0600)) != 0)
		probe_fatal("heap.db", ret);
	for (i = 0; i < NRECS; i++) {
		sizes[i] = MINSIZE + rand_r(&seed) % MAXSIZE;
		memset(buf, (int)(i & 0xff), sizes[i]);
		if ((ret = probe_heap_append(hp, NULL, &rids[i], buf,
		    sizes[i])) != 0)
			probe_fatal("append", ret);
	}
	for (op = 0; op < ops; op++) {
		i = rand_r(&seed) % NRECS;
		size = way == SAME ? sizes[i] : MINSIZE + rand_r(&seed) % max;
		probe_dbt(&k, &rids[i], DB_HEAP_RID_SZ, DB_HEAP_RID_SZ);
		probe_dbt(&d, out, 0, sizeof(out));
		if ((ret = hp->get(hp, NULL, &k, &d, 0)) != 0 ||
		    d.size != sizes[i] || out[0] != (unsigned char)(i & 0xff)) {
			printf("%s, update %ld: record %ld (RID %u.%u, %zu "
			    "bytes) does not read back: %s\n", argv[2], op, i,
			    rids[i].pgno, rids[i].indx, sizes[i], ret != 0 ?
			    db_strerror(ret) : "wrong bytes");
			return (1);
		}
		memset(buf, (int)(i & 0xff), size);
		if (way == MOVE) {
			if ((ret = hp->del(hp, NULL, &k, 0)) != 0)
				probe_fatal("delete", ret);
			if ((ret = probe_heap_append(hp, NULL, &rids[i], buf,
			    size)) != 0)
				probe_fatal("append", ret);
		} else {
			probe_dbt(&d, buf, size, size);
			if ((ret = hp->put(hp, NULL, &k, &d, 0)) != 0)
				probe_fatal("update", ret);
		}
		sizes[i] = size;
	}
	printf("%s: %ld updates of %d records (%s), every record read "
	    "back\n", argv[2], ops, NRECS, txn ? "transactional" :
	    "no transactions");
	(void)hp->close(hp, 0);
	(void)env->close(env, 0);
	free(rids);
	free(sizes);
	return (0);
}
