/*
 * bench.h: what the benchmarks share to measure and to print: a
 * monotonic clock, p50/p99 of a series, and numbers as the result
 * tables show them.  Header-only (static inline), so each bench links
 * nothing more.  Measuring only: nothing here touches clerk.
 */
#ifndef CLERK_BENCH_H
#define CLERK_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The monotonic clock in nanoseconds. */
static inline uint64_t
bench_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

static inline double
bench_secs(uint64_t ns)
{
	return ((double)ns / 1e9);
}

static inline int
bench_cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/* p50 and p99 of a series in µs (sorted in place); 0 when empty. */
static inline void
bench_percentiles(uint64_t *ns, size_t n, double out[2])
{
	out[0] = out[1] = 0;
	if (n == 0)
		return;
	qsort(ns, n, sizeof(*ns), bench_cmp_u64);
	out[0] = (double)ns[n * 50 / 100] / 1e3;
	out[1] = (double)ns[n * 99 / 100] / 1e3;
}

/*
 * v into out (size bytes): from 1000 on whole, with thousands separators;
 * below, to 3 significant digits, or as it is when whole is set and v
 * is a whole number.  Returns out.
 */
static inline const char *
bench_num(char *out, size_t size, double v, int whole)
{
	char		 tmp[64];
	unsigned long long u;
	size_t		 len, i, o = 0;

	if (v >= 1000) {
		u = (unsigned long long)(v + 0.5);
		len = (size_t)snprintf(tmp, sizeof(tmp), "%llu", u);
		for (i = 0; i < len && o + 2 < size; i++) {
			if (i > 0 && (len - i) % 3 == 0)
				out[o++] = ',';
			out[o++] = tmp[i];
		}
		out[o] = '\0';
	} else if (v >= 100 || (whole && v == (double)(int)v))
		snprintf(out, size, "%.0f", v);
	else if (v >= 10)
		snprintf(out, size, "%.1f", v);
	else
		snprintf(out, size, "%.2f", v);
	return (out);
}

#endif
