/*
 * probe.h: what the probes of Berkeley DB share (probe-*.c): a fatal
 * error, a DBT over memory of the caller's, and an environment and its
 * files opened as clerk's store opens them (src/store/env.c).  Header
 * only (static inline), like bench.h; links no clerk code, as the probes
 * do not.  A probe defines PROBE_NAME, its name in messages, first.
 */
#ifndef CLERK_PROBE_H
#define CLERK_PROBE_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <db.h>

#define PROBE_PAGESIZE	(16 * 1024)	/* STORE_PAGESIZE */

static inline void
probe_fatal(const char *what, int ret)
{
	fprintf(stderr, "%s: %s: %s\n", PROBE_NAME, what, db_strerror(ret));
	exit(1);
}

/* d over size bytes at data, in room bytes that Berkeley DB may fill. */
static inline void
probe_dbt(DBT *d, const void *data, size_t size, size_t room)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)(uintptr_t)data;
	d->size = (u_int32_t)size;
	d->ulen = (u_int32_t)room;
	d->flags = DB_DBT_USERMEM;
}

/* Append n bytes at p to heap hp in txn (NULL: none); the new record's
 * RID in *rid.  0 or a Berkeley DB error. */
static inline int
probe_heap_append(DB *hp, DB_TXN *txn, DB_HEAP_RID *rid, const void *p,
    size_t n)
{
	DBT	k, d;

	probe_dbt(&k, rid, 0, DB_HEAP_RID_SZ);
	probe_dbt(&d, p, n, n);
	return (hp->put(hp, txn, &k, &d, DB_APPEND));
}

/*
 * An environment in dir (made when missing) as the store's: private,
 * threaded, transactions, locking with the youngest of a deadlock
 * aborted, logging with a 4 MB buffer into files of 32 MB removed once
 * a checkpoint covers them, no sync at commit; a cache of cache_mb.
 */
static inline DB_ENV *
probe_env_open(const char *dir, size_t cache_mb)
{
	DB_ENV	*env;
	int	 ret;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		perror(dir);
		exit(1);
	}
	if ((ret = db_env_create(&env, 0)) != 0 ||
	    (ret = env->set_cachesize(env, (u_int32_t)(cache_mb / 1024),
	    (u_int32_t)(cache_mb % 1024) * 1024 * 1024, 1)) != 0 ||
	    (ret = env->set_lg_bsize(env, 4 * 1024 * 1024)) != 0 ||
	    (ret = env->set_lg_max(env, 32 * 1024 * 1024)) != 0 ||
	    (ret = env->log_set_config(env, DB_LOG_AUTO_REMOVE, 1)) != 0 ||
	    (ret = env->set_lk_detect(env, DB_LOCK_YOUNGEST)) != 0 ||
	    (ret = env->set_lk_max_locks(env, 200000)) != 0 ||
	    (ret = env->set_lk_max_objects(env, 200000)) != 0 ||
	    (ret = env->set_lk_max_lockers(env, 20000)) != 0 ||
	    (ret = env->open(env, dir, DB_CREATE | DB_INIT_TXN |
	    DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL | DB_THREAD |
	    DB_RECOVER | DB_PRIVATE, 0600)) != 0 ||
	    (ret = env->set_flags(env, DB_TXN_WRITE_NOSYNC, 1)) != 0)
		probe_fatal(dir, ret);
	return (env);
}

/* A file of env of pages of pagesize bytes, sorted duplicates when dup,
 * keys compared by cmp when given. */
static inline DB *
probe_db_open_pages(DB_ENV *env, const char *file, DBTYPE type, int dup,
    int (*cmp)(DB *, const DBT *, const DBT *), u_int32_t pagesize)
{
	DB	*db;
	int	 ret;

	if ((ret = db_create(&db, env, 0)) != 0 ||
	    (dup && (ret = db->set_flags(db, DB_DUPSORT)) != 0) ||
	    (cmp != NULL && (ret = db->set_bt_compare(db, cmp)) != 0) ||
	    (ret = db->set_pagesize(db, pagesize)) != 0 ||
	    (ret = db->open(db, NULL, file, NULL, type, DB_CREATE |
	    DB_THREAD | DB_AUTO_COMMIT, 0600)) != 0)
		probe_fatal(file, ret);
	return (db);
}

/* The same of 16 KB pages, as the store's. */
static inline DB *
probe_db_open(DB_ENV *env, const char *file, DBTYPE type, int dup,
    int (*cmp)(DB *, const DBT *, const DBT *))
{
	return (probe_db_open_pages(env, file, type, dup, cmp,
	    PROBE_PAGESIZE));
}

#endif /* CLERK_PROBE_H */
