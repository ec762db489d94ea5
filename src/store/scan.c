/*
 * scan.c: every record of a table in id order, as fast as the pages can
 * be read.  The cursor reads in bulk (DB_MULTIPLE_KEY, many records per
 * call) with read-committed isolation, so a scan of a million records
 * neither holds a lock per page until its transaction ends nor blocks
 * writers behind it; the callback sees each record's encoded bytes and
 * reads the fields it needs in place (record_decode_field), decoding
 * nothing else.  This is the full-scan path of queries.  Never writes,
 * never prints.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* The bulk buffer: big enough for many records, a multiple of 1 KB. */
#define SCAN_BUF	(256 * 1024)

int
store_scan(struct store_txn *t, const struct table *table, uint64_t after,
    size_t max, int flags, store_scan_fn *fn, void *arg, uint64_t *last,
    struct buf *err)
{
	struct store_table *st;
	DBC		*c = NULL;
	DBT		 k, d, rk, rd;
	unsigned char	 kb[8];
	void		*p;
	uint64_t	 id = after;
	size_t		 seen = 0;
	u_int32_t	 op;
	int		 ret, r2, stop = 0;

	if (last != NULL)
		*last = after;
	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if (after == UINT64_MAX)
		return (0);
	ret = DBCALL(st->db->cursor(st->db, t->txn, &c, DB_READ_COMMITTED));
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	memset(&d, 0, sizeof(d));
	d.ulen = SCAN_BUF;
	d.data = xmalloc(d.ulen);
	d.flags = DB_DBT_USERMEM;
	store_id_key(kb, after + 1);
	memset(&k, 0, sizeof(k));
	k.data = kb;
	k.size = 8;
	k.ulen = 8;
	k.flags = DB_DBT_USERMEM;
	op = DB_SET_RANGE;
	while (!stop) {
		if ((ret = store_bulk_get(c, &k, &d, op)) != 0)
			break;
		op = DB_NEXT;
		DB_MULTIPLE_INIT(p, &d);
		for (;;) {
			memset(&rk, 0, sizeof(rk));
			memset(&rd, 0, sizeof(rd));
			DB_MULTIPLE_KEY_NEXT(p, &d, rk.data, rk.size, rd.data,
			    rd.size);
			if (p == NULL)
				break;
			if (rk.size != 8)
				continue;
			id = store_id_unkey(rk.data);
			/* Key 0 is the record count (rec.c). */
			if (id == 0)
				continue;
			if (last != NULL)
				*last = id;
			if (rd.size > 1 && (((unsigned char *)rd.data)[1] &
			    REC_ARCHIVED) && !(flags & STORE_PAGE_ARCHIVED))
				continue;
			seen++;
			if (fn(id, rd.data, rd.size, arg) != 0 ||
			    (max != 0 && seen >= max)) {
				stop = 1;
				break;
			}
		}
	}
	if (ret == DB_NOTFOUND) {
		ret = 0;
		if (last != NULL && !stop)
			*last = UINT64_MAX;
	}
	free(d.data);
	r2 = DBCLOSE(c->close(c));
	if (ret == 0)
		ret = r2;
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret)));
	return (0);
}
