/*
 * clock.c: the one place clerk asks what time it is.  CLERK_NOW fixes
 * the wall clock for tests (read once, under pthread_once, so threads
 * agree); the monotonic clock is for measuring intervals only and is
 * never fixed.  It must not be used for anything stored.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static pthread_once_t	clock_once = PTHREAD_ONCE_INIT;
static int		clock_fixed;
static int64_t		clock_fixed_value;

static void
clock_init(void)
{
	struct buf	 err = BUF_INIT;
	const char	*s;
	char		*end;
	long long	 v;

	if ((s = getenv("CLERK_NOW")) == NULL || *s == '\0')
		return;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end == '\0' && errno == 0 && end != s) {
		clock_fixed_value = v;
		clock_fixed = 1;
		return;
	}
	/* A test that asked for a fixed clock and silently got the real one
	 * would pass or fail by the calendar: refuse to go on instead. */
	/* There is no today yet to read a two-digit year against. */
	if (datetime_parse_at(s, DATE_NONE, &clock_fixed_value, &err) == -1)
		fatal("CLERK_NOW: %s", err.data);
	buf_release(&err);
	clock_fixed = 1;
}

int64_t
clock_now(void)
{
	struct timespec	ts;

	pthread_once(&clock_once, clock_init);
	if (clock_fixed)
		return (clock_fixed_value);
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		fatal("clock_gettime(CLOCK_REALTIME): %s", strerror(errno));
	return ((int64_t)ts.tv_sec);
}

int32_t
clock_today(void)
{
	struct tm	tm;
	time_t		t = (time_t)clock_now();

	if (localtime_r(&t, &tm) == NULL)
		fatal("localtime_r failed for %lld", (long long)t);
	return (date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday));
}

uint64_t
clock_monotonic_ns(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime(CLOCK_MONOTONIC): %s", strerror(errno));
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}
