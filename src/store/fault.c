/*
 * fault.c: fault injection and the library's error text.  Every Berkeley
 * DB call of store/ passes through store_fault_hit() (the DBCALL macro),
 * which counts it and makes the n-th one fail with a chosen error, so
 * tests can check that a failure anywhere leaves nothing half-written.
 * It also keeps, per thread, what Berkeley DB said through its error
 * callback, so messages carry the library's own words.  Must not make
 * Berkeley DB calls of its own.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

static atomic_uint_fast64_t	fault_calls;	/* since the last set */
static atomic_uint_fast64_t	fault_at;	/* 0 = off */
static atomic_int		fault_error;
/*
 * Whether anything set a fault, ever (a test): only then are calls
 * counted.  Counting is an atomic add on one word that every thread
 * of the server shares, at every Berkeley DB call: a query of fifty
 * rows makes over a hundred (1 % of its time, alone; more with other
 * threads adding too).  A word only ever read stays in each
 * processor's cache.
 */
static atomic_bool		fault_counting;

_Thread_local int		store_fault_ret;
_Thread_local int		store_fault_exempt;

/* The library's last message in this thread, cleared before each call. */
static _Thread_local char	lastmsg[512];
static _Thread_local struct buf	*collect;

void
store_fault_set(uint64_t n, int error)
{
	atomic_store(&fault_error, error);
	atomic_store(&fault_calls, 0);
	atomic_store(&fault_at, n);
	atomic_store(&fault_counting, 1);
}

uint64_t
store_fault_calls(void)
{
	return (atomic_load(&fault_calls));
}

/*
 * The indexer's calls (defer.c) apart: they come whenever it runs, so
 * they have a count and a failure of their own, counted only while one
 * is set.
 */
static atomic_uint_fast64_t	ifault_calls;
static atomic_uint_fast64_t	ifault_at;	/* 0 = off */
static atomic_int		ifault_error;

void
store_fault_indexer_set(uint64_t n, int error)
{
	atomic_store(&ifault_error, error);
	atomic_store(&ifault_calls, 0);
	atomic_store(&ifault_at, n);
}

uint64_t
store_fault_indexer_calls(void)
{
	return (atomic_load(&ifault_calls));
}

static int
fault_ret(int e)
{
	store_fault_ret = e == STORE_FAULT_DEADLOCK ? DB_LOCK_DEADLOCK :
	    e == 0 ? EIO : e;
	return (1);
}

int
store_fault_hit(void)
{
	uint_fast64_t	n, at;
	int		e;

	lastmsg[0] = '\0';
	if (store_fault_exempt) {
		if ((at = atomic_load_explicit(&ifault_at,
		    memory_order_relaxed)) == 0)
			return (0);
		n = atomic_fetch_add(&ifault_calls, 1) + 1;
		if (n != at)
			return (0);
		return (fault_ret(atomic_load(&ifault_error)));
	}
	if (!atomic_load_explicit(&fault_counting, memory_order_relaxed))
		return (0);
	n = atomic_fetch_add_explicit(&fault_calls, 1,
	    memory_order_relaxed) + 1;
	at = atomic_load_explicit(&fault_at, memory_order_relaxed);
	if (at == 0 || n != at)
		return (0);
	e = atomic_load(&fault_error);
	return (fault_ret(e));
}

void
store_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	(void)env;
	(void)pfx;
	if (collect != NULL) {
		if (collect->len != 0)
			buf_adds(collect, "; ");
		buf_adds(collect, msg);
	}
	snprintf(lastmsg, sizeof(lastmsg), "%s", msg);
}

void
store_errcollect(struct buf *b)
{
	collect = b;
}

const char *
store_strerror(int ret)
{
	static _Thread_local char text[768];
	const char	*s = db_strerror(ret);

	/* The callback often repeats the error text; say it once. */
	if (lastmsg[0] == '\0' || strstr(lastmsg, s) != NULL)
		snprintf(text, sizeof(text), "%s", lastmsg[0] != '\0' ?
		    lastmsg : s);
	else
		snprintf(text, sizeof(text), "%s (%s)", s, lastmsg);
	return (text);
}
