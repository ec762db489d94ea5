/*
 * ids.c: arrays of record ids kept in ascending order (a search's
 * matches, the ids a load gave its rows, the records written since a
 * list was read).  Only finds; owns nothing.
 */
#include "config.h"

#include "util.h"

size_t
ids_lower(const uint64_t *v, size_t n, uint64_t id)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

size_t
ids_find(const uint64_t *v, size_t n, uint64_t id)
{
	size_t	lo = ids_lower(v, n, id);

	return (lo < n && v[lo] == id ? lo : SIZE_MAX);
}
