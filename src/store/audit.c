/*
 * audit.c: the audit trail.  Every change appends one entry (who, when,
 * table, id, revision after it, action, fields old -> new) in the same
 * transaction as the change, so the trail and the data never disagree.
 * audit.db is keyed by an 8-byte big-endian sequence; the secondary
 * audit.record.db, keyed by table NUL id, makes one record's history an
 * index range, oldest first.  Entries are our own versioned encoding,
 * never raw structs.  Never prints.
 *
 * Entry, big-endian:
 *   u8 format, str table, u64 id, i64 when, u32 rev, str user,
 *   str action, u32 n, then n times str field, str old, str new;
 *   str = u32 length + bytes.
 * Format 1 writes every value of an insert.  Format 2 writes none: the
 * values an insert gave are those of the record now with every later
 * change undone, and store_history() works them out that way (a purge
 * writes every value the record had, so a purged record's insert comes
 * back too).  An insert's copy of the record was the larger half of the
 * trail and a third of the data at a million parties, and a tenth of an
 * insert's cost.  Both formats are read.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define AUDIT_FORMAT	2
#define AUDIT_FORMAT_OLD 1	/* inserts with their values */

static void
put_u32(struct buf *b, uint32_t v)
{
	unsigned char	p[4];

	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	buf_add(b, p, 4);
}

static void
put_u64(struct buf *b, uint64_t v)
{
	unsigned char	p[8];

	store_id_key(p, v);
	buf_add(b, p, 8);
}

static void
put_str(struct buf *b, const char *s, size_t len)
{
	put_u32(b, (uint32_t)len);
	buf_add(b, s, len);
}

/* A reader over an entry that never runs past its end. */
struct rd {
	const unsigned char *p, *end;
	int		 bad;
};

static uint64_t
get_n(struct rd *r, size_t n)
{
	uint64_t	v = 0;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return (0);
	}
	while (n-- > 0)
		v = v << 8 | *r->p++;
	return (v);
}

static const char *
get_str(struct rd *r, size_t *len)
{
	const char	*s;

	*len = (size_t)get_n(r, 4);
	if (r->bad || (size_t)(r->end - r->p) < *len) {
		r->bad = 1;
		*len = 0;
		return ("");
	}
	s = (const char *)r->p;
	r->p += *len;
	return (s);
}

static char *
get_dup(struct rd *r)
{
	const char	*s;
	size_t		 len;

	s = get_str(r, &len);
	return (xstrndup(s, len));
}

static int
audit_format_known(uint64_t format)
{
	return (format == AUDIT_FORMAT || format == AUDIT_FORMAT_OLD);
}

/* The key of a record's history in audit.record.db into k: table NUL
 * id, the id as its 8 big-endian bytes. */
static void
history_key(struct buf *k, const char *table, size_t tlen,
    const unsigned char *idb)
{
	buf_reset(k);
	buf_add(k, table, tlen);
	buf_addch(k, '\0');
	buf_add(k, idb, 8);
}

/*
 * The key of an entry in audit.record.db made from the entry's bytes
 * into k: 0, or -1 for bytes that are no entry.
 */
static int
entry_rec_key(const void *data, size_t len, struct buf *k)
{
	struct rd	 r;
	const char	*table;
	size_t		 tlen;

	r.p = data;
	r.end = r.p + len;
	r.bad = 0;
	if (!audit_format_known(get_n(&r, 1)))
		return (-1);
	table = get_str(&r, &tlen);
	if (r.bad || r.end - r.p < 8)
		return (-1);
	history_key(k, table, tlen, (const unsigned char *)r.p);
	return (0);
}

/*
 * The largest id of table the trail knows: the key before "table \001",
 * which sorts after every key of the table ("table NUL id") and before
 * those of any other table whose name begins with it.
 */
int
audit_max_id(struct store *s, DB_TXN *txn, const struct table *table,
    uint64_t *id)
{
	struct buf	 key = BUF_INIT;
	size_t		 tlen = strlen(table->name);
	DBC		*c;
	DBT		 k, d;
	int		 ret, r2;

	*id = 0;
	buf_add(&key, table->name, tlen);
	buf_addch(&key, '\1');
	if ((ret = DBCALL(s->audit_rec->cursor(s->audit_rec, txn, &c,
	    0))) != 0) {
		buf_release(&key);
		return (ret);
	}
	memset(&k, 0, sizeof(k));
	k.data = key.data;
	k.size = (u_int32_t)key.len;
	k.flags = DB_DBT_MALLOC;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	ret = DBCALL(c->get(c, &k, &d, DB_SET_RANGE));
	if (k.data != key.data)
		free(k.data);
	k.data = NULL;
	k.size = 0;
	if (ret == 0)
		ret = DBCALL(c->get(c, &k, &d, DB_PREV));
	else if (ret == DB_NOTFOUND)
		ret = DBCALL(c->get(c, &k, &d, DB_LAST));
	if (ret == 0 && k.size == tlen + 9 &&
	    memcmp(k.data, table->name, tlen) == 0 &&
	    ((const char *)k.data)[tlen] == '\0')
		*id = store_id_unkey((const char *)k.data + tlen + 1);
	if (ret == DB_NOTFOUND)
		ret = 0;
	free(k.data);
	r2 = DBCLOSE(c->close(c));
	buf_release(&key);
	return (ret != 0 ? ret : r2);
}

int
audit_knows(struct store *s, DB_TXN *txn, const struct table *table,
    uint64_t id, int *known)
{
	struct buf	 key = BUF_INIT;
	unsigned char	 ib[8];
	DBT		 k, d;
	int		 ret;

	*known = 0;
	store_id_key(ib, id);
	history_key(&key, table->name, strlen(table->name), ib);
	store_dbt(&k, key.data, key.len);
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	ret = DBCALL(s->audit_rec->get(s->audit_rec, txn, &k, &d, 0));
	buf_release(&key);
	if (ret == 0)
		*known = 1;
	return (ret == DB_NOTFOUND ? 0 : ret);
}

/*
 * audit.record.db made again from every entry, when it is empty and the
 * trail is not (the file was lost, or the store is older than it): in
 * the open's transaction, as Berkeley DB's associate(DB_CREATE) built it
 * before audit_add() wrote it itself.
 */
static int
audit_rec_fill(struct store *s, DB_TXN *txn, struct buf *err)
{
	struct store_bulk bk;
	struct buf	 rk = BUF_INIT;
	DBC		*c = NULL;
	DBT		 k, d;
	int		 ret, r2;

	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_PARTIAL;
	if ((ret = DBCALL(s->audit_rec->cursor(s->audit_rec, txn, &c,
	    0))) != 0)
		goto out;
	ret = DBCALL(c->get(c, &k, &d, DB_FIRST));
	r2 = DBCLOSE(c->close(c));
	c = NULL;
	if (ret == DB_NOTFOUND)
		ret = r2;		/* empty: to be filled */
	else if (ret == 0)
		goto out;		/* not empty */
	if (ret != 0)
		goto out;
	if ((ret = DBCALL(s->audit->cursor(s->audit, txn, &c, 0))) != 0)
		goto out;
	bulk_init(&bk, s->audit_rec, txn);
	memset(&d, 0, sizeof(d));
	for (;;) {
		if ((ret = DBCALL(c->get(c, &k, &d, DB_NEXT))) != 0)
			break;
		if (entry_rec_key(d.data, d.size, &rk) == -1) {
			ret = EBADMSG;
			break;
		}
		if ((ret = bulk_put(&bk, rk.data, rk.len, k.data,
		    k.size)) != 0)
			break;
	}
	if (ret == DB_NOTFOUND)
		ret = bulk_flush(&bk);
	bulk_release(&bk);
out:
	if (c != NULL && (r2 = DBCLOSE(c->close(c))) != 0 && ret == 0)
		ret = r2;
	buf_release(&rk);
	if (ret != 0 && ret != DB_NOTFOUND)
		return (store_fail(NULL, ret, err, _("cannot build the index "
		    "'%s': %s"), "audit.record.db", store_strerror(ret)));
	return (0);
}

/*
 * audit.record.db is written by audit_add() and audit_load() with each
 * entry, not associated with audit.db: Berkeley DB would look for an
 * entry to replace before every put and make the key through a callback
 * with a cursor of its own.  One handle a file (store_int.h).
 */
int
audit_open(struct store *s, DB_TXN *txn, struct buf *err)
{
	if (store_db_open(s, txn, &s->audit, "audit.db", 0, 0, err) == -1 ||
	    store_db_open(s, txn, &s->audit_rec, "audit.record.db", 1, 0,
	    err) == -1)
		return (-1);
	return (audit_rec_fill(s, txn, err));
}

void
audit_close(struct store *s)
{
	store_db_close(&s->audit_rec);
	store_db_close(&s->audit);
}

static void
add_change(struct buf *b, const char *field, const struct record *a,
    const struct record *bb, size_t pos, struct buf *tmp)
{
	put_str(b, field, strlen(field));
	buf_reset(tmp);
	if (a != NULL)
		record_format(a, pos, 1, tmp);
	put_str(b, tmp->data, tmp->len);
	buf_reset(tmp);
	if (bb != NULL)
		record_format(bb, pos, 1, tmp);
	put_str(b, tmp->data, tmp->len);
}

/* An entry up to its changes: who, when, what. */
static void
entry_head(struct buf *val, const struct table *table, uint64_t id,
    uint32_t rev, const char *user, const char *action)
{
	buf_addch(val, AUDIT_FORMAT);
	put_str(val, table->name, strlen(table->name));
	put_u64(val, id);
	put_u64(val, (uint64_t)clock_now());
	put_u32(val, rev);
	put_str(val, user, strlen(user));
	put_str(val, action, strlen(action));
}

int
audit_add(struct store_txn *t, const char *action, const struct record *a,
    const struct record *b, const char *user, uint64_t id, uint32_t rev,
    struct buf *err)
{
	const struct table *table = a != NULL ? a->table : b->table;
	struct store	*s = t->s;
	struct buf	 val = BUF_INIT, tmp = BUF_INIT;
	unsigned char	 kb[8], ib[8];
	size_t		*pos, n = 0, i, at;
	db_seq_t	 seq;
	DBT		 k, d;
	int		 ret;

	entry_head(&val, table, id, rev, user, action);
	at = val.len;
	put_u32(&val, 0);
	pos = xreallocarray(NULL, table->nfields + 1, sizeof(*pos));
	if (a == NULL) {
		/* Insert: the values are the record's (format 2). */
	} else if (b == NULL) {
		/* Purge: every value there was, to "". */
		for (i = 0; i < table->nfields; i++)
			if (a->values[i].set)
				pos[n++] = i;
	} else if (a != b)
		n = record_diff(a, b, pos, table->nfields);
	for (i = 0; i < n; i++)
		add_change(&val, table->fields[pos[i]].name, a, b, pos[i],
		    &tmp);
	free(pos);
	val.data[at] = (char)(n >> 24);
	val.data[at + 1] = (char)(n >> 16);
	val.data[at + 2] = (char)(n >> 8);
	val.data[at + 3] = (char)n;

	ret = DBCALL(s->audit_seq->get(s->audit_seq, NULL, 1, &seq,
	    DB_TXN_NOSYNC));
	if (ret == 0) {
		store_id_key(kb, (uint64_t)seq);
		store_dbt(&k, kb, 8);
		store_dbt(&d, val.data, val.len);
		ret = DBCALL(s->audit->put(s->audit, t->txn, &k, &d,
		    DB_NOOVERWRITE));
	}
	if (ret == 0) {
		/* The record's history: its key -> the entry. */
		store_id_key(ib, id);
		history_key(&tmp, table->name, strlen(table->name), ib);
		store_dbt(&k, tmp.data, tmp.len);
		store_dbt(&d, kb, 8);
		ret = DBCALL(s->audit_rec->put(s->audit_rec, t->txn, &k, &d,
		    0));
	}
	buf_release(&tmp);
	buf_release(&val);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot write the audit "
		    "trail of %s %llu: %s"), table->name,
		    (unsigned long long)id, store_strerror(ret)));
	return (0);
}

/*
 * Whether an entry numbered from first to first + n - 1 is there: 0 (no),
 * DB_KEYEXIST (yes) or a Berkeley DB error.  (Entries of other writers
 * may follow: the sequence gives numbers after these meanwhile.)
 */
static int
audit_taken(struct store *s, DB_TXN *txn, uint64_t first, size_t n)
{
	DBC		*c;
	DBT		 k, d;
	unsigned char	 kb[8];
	int		 ret, r2;

	if ((ret = DBCALL(s->audit->cursor(s->audit, txn, &c, 0))) != 0)
		return (ret);
	store_id_key(kb, first);
	memset(&k, 0, sizeof(k));
	k.data = kb;
	k.size = sizeof(kb);
	k.ulen = sizeof(kb);
	k.flags = DB_DBT_USERMEM;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_PARTIAL;	/* the key is all it needs */
	ret = DBCALL(c->get(c, &k, &d, DB_SET_RANGE));
	if (ret == 0)
		ret = k.size == 8 && store_id_unkey(kb) - first < n ?
		    DB_KEYEXIST : 0;
	else if (ret == DB_NOTFOUND)
		ret = 0;
	r2 = DBCLOSE(c->close(c));
	return (ret != 0 ? ret : r2);
}

/*
 * The entries audit_add() would write for the inserts of a bulk load's
 * records, ids[0] to ids[n - 1] (ascending), in bulk: their sequence
 * numbers taken at once, and the entries and their audit.record.db keys
 * put in bulk.  When audit.record.db was associated, every entry was a
 * put of its own, and one more of its key that Berkeley DB made from
 * the callback: most of what appending an import's records cost
 * (callgrind, 200,000 parties: 6.8 of 9.3 billion instructions; 2.7 in
 * bulk).
 */
int
audit_load(struct store_txn *t, const struct table *table, const char *user,
    const uint64_t *ids, size_t n, struct buf *err)
{
	struct store	*s = t->s;
	struct store_bulk be, bk;
	struct buf	 val = BUF_INIT, rk = BUF_INIT;
	unsigned char	 kb[8], ib[8];
	db_seq_t	 first;
	size_t		 i = 0, tlen = strlen(table->name);
	int		 ret;

	if (n == 0)
		return (0);
	ret = DBCALL(s->audit_seq->get(s->audit_seq, NULL, (u_int32_t)n,
	    &first, DB_TXN_NOSYNC));
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot write the audit "
		    "trail of %s %llu: %s"), table->name,
		    (unsigned long long)ids[0], store_strerror(ret)));
	/* As audit_add()'s DB_NOOVERWRITE: no entry takes the place of
	 * another (bulk puts would write over it). */
	if ((ret = audit_taken(s, t->txn, (uint64_t)first, n)) != 0)
		return (store_fail(t, ret, err, _("cannot write the audit "
		    "trail of %s %llu: %s"), table->name,
		    (unsigned long long)ids[0], store_strerror(ret)));
	bulk_init(&be, s->audit, t->txn);
	bulk_init(&bk, s->audit_rec, t->txn);
	for (i = 0; i < n && ret == 0; i++) {
		buf_reset(&val);
		entry_head(&val, table, ids[i], 1, user, "insert");
		put_u32(&val, 0);
		store_id_key(kb, (uint64_t)first + i);
		if ((ret = bulk_put(&be, kb, 8, val.data, val.len)) != 0)
			break;
		store_id_key(ib, ids[i]);
		history_key(&rk, table->name, tlen, ib);
		ret = bulk_put(&bk, rk.data, rk.len, kb, 8);
	}
	if (ret == 0 && (ret = bulk_flush(&be)) == 0)
		ret = bulk_flush(&bk);
	bulk_release(&be);
	bulk_release(&bk);
	buf_release(&val);
	buf_release(&rk);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot write the audit "
		    "trail of %s %llu: %s"), table->name,
		    (unsigned long long)ids[i < n ? i : n - 1],
		    store_strerror(ret)));
	return (0);
}

/* Decode an entry; *values is set when an insert's values are to be
 * worked out from the record (format 2). */
static int
entry_decode(struct audit_entry *e, uint64_t seq, const void *data,
    size_t len, int *values)
{
	struct rd	 r;
	uint64_t	 format;
	size_t		 i, n;

	memset(e, 0, sizeof(*e));
	*values = 0;
	e->seq = seq;
	r.p = data;
	r.end = r.p + len;
	r.bad = 0;
	format = get_n(&r, 1);
	if (!audit_format_known(format))
		return (-1);
	e->table = get_dup(&r);
	e->id = get_n(&r, 8);
	e->when = (int64_t)get_n(&r, 8);
	e->rev = (uint32_t)get_n(&r, 4);
	e->user = get_dup(&r);
	e->action = get_dup(&r);
	n = (size_t)get_n(&r, 4);
	/* Each change takes at least 12 bytes: a count past that lies. */
	if (r.bad || n > (size_t)(r.end - r.p) / 12)
		return (-1);
	e->changes = xcalloc(n ? n : 1, sizeof(*e->changes));
	for (i = 0; i < n && !r.bad; i++) {
		e->changes[i].field = get_dup(&r);
		e->changes[i].old = get_dup(&r);
		e->changes[i].new = get_dup(&r);
		e->nchanges = i + 1;
	}
	if (format == AUDIT_FORMAT && strcmp(e->action, "insert") == 0) {
		if (n != 0)
			return (-1);
		*values = 1;
	}
	return (r.bad ? -1 : 0);
}

static void
entry_release(struct audit_entry *e)
{
	size_t	i;

	free(e->user);
	free(e->table);
	free(e->action);
	for (i = 0; i < e->nchanges; i++) {
		free(e->changes[i].field);
		free(e->changes[i].old);
		free(e->changes[i].new);
	}
	free(e->changes);
}

/* A field's plain text in the values being worked out. */
static void
values_set(struct audit_change **vals, size_t *n, const char *field,
    const char *text)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (strcmp((*vals)[i].field, field) == 0)
			break;
	if (i == *n) {
		*vals = xreallocarray(*vals, *n + 1, sizeof(**vals));
		(*vals)[i].field = xstrdup(field);
		(*vals)[i].old = xstrdup("");
		(*vals)[i].new = NULL;
		(*n)++;
	}
	free((*vals)[i].new);
	(*vals)[i].new = xstrdup(text);
}

/*
 * The values the insert v[ins] (format 2) gave: the record as it is now,
 * formatted as audit_add() formats a value, with the old value of every
 * change after the insert put back, newest first.  A purged record has
 * no record left, but its purge entry holds every value it had.  The
 * fields come in the form's order, then any the form no longer has.
 */
static int
insert_values(struct store_txn *t, const struct table *table, uint64_t id,
    struct audit_entry *v, size_t n, size_t ins, struct buf *err)
{
	struct audit_change *vals = NULL, *ch;
	struct record	*rec;
	struct buf	 tmp = BUF_INIT;
	size_t		 nv = 0, i, j, k;
	int		 r;

	/* Every field of the form first, so they keep its order. */
	for (i = 0; i < table->nfields; i++)
		values_set(&vals, &nv, table->fields[i].name, "");
	if ((r = store_get(t, table, id, &rec, err)) == -1) {
		for (i = 0; i < nv; i++) {
			free(vals[i].field);
			free(vals[i].old);
			free(vals[i].new);
		}
		free(vals);
		buf_release(&tmp);
		return (-1);
	}
	if (r == 0) {
		for (i = 0; i < table->nfields; i++) {
			if (!rec->values[i].set)
				continue;
			buf_reset(&tmp);
			record_format(rec, i, 1, &tmp);
			values_set(&vals, &nv, table->fields[i].name,
			    tmp.data != NULL ? tmp.data : "");
		}
		record_free(rec);
	}
	for (i = n; i-- > ins + 1;)
		for (j = 0; j < v[i].nchanges; j++)
			values_set(&vals, &nv, v[i].changes[j].field,
			    v[i].changes[j].old);
	/* Keep the fields with a value, in order. */
	for (i = k = 0; i < nv; i++) {
		ch = &vals[i];
		if (ch->new[0] == '\0') {
			free(ch->field);
			free(ch->old);
			free(ch->new);
		} else
			vals[k++] = *ch;
	}
	free(v[ins].changes);
	v[ins].changes = vals;
	v[ins].nchanges = k;
	buf_release(&tmp);
	return (0);
}

void
store_history_free(struct audit_entry *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		entry_release(&v[i]);
	free(v);
}

int
store_history(struct store_txn *t, const struct table *table, uint64_t id,
    struct audit_entry **out, size_t *nout, struct buf *err)
{
	struct store	*s = t->s;
	struct audit_entry *v = NULL;
	struct buf	 key = BUF_INIT;
	unsigned char	 kb[8], sb[8];
	size_t		 n = 0, alloc = 0;
	uint64_t	 seq;
	DBT		 k, d, ak, ad;
	DBC		*c;
	size_t		 insert = SIZE_MAX;
	int		 ret, r2, flag, values;

	*out = NULL;
	*nout = 0;
	store_id_key(kb, id);
	history_key(&key, table->name, strlen(table->name), kb);
	ret = DBCALL(s->audit_rec->cursor(s->audit_rec, t->txn, &c,
	    0));
	if (ret != 0)
		goto fail;
	for (flag = DB_SET;; flag = DB_NEXT_DUP) {
		store_dbt(&k, key.data, key.len);
		memset(&d, 0, sizeof(d));
		d.data = sb;
		d.ulen = 8;
		d.flags = DB_DBT_USERMEM;
		if ((ret = DBCALL(c->get(c, &k, &d, (u_int32_t)flag))) != 0)
			break;
		if (d.size != 8)
			continue;
		seq = store_id_unkey(sb);
		store_dbt(&ak, sb, 8);
		memset(&ad, 0, sizeof(ad));
		ad.flags = DB_DBT_MALLOC;
		ret = DBCALL(s->audit->get(s->audit, t->txn, &ak, &ad, 0));
		if (ret == DB_NOTFOUND)
			continue;
		if (ret != 0)
			break;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			v = xreallocarray(v, alloc, sizeof(*v));
		}
		if (entry_decode(&v[n], seq, ad.data, ad.size, &values) ==
		    -1) {
			entry_release(&v[n]);
			free(ad.data);
			(void)DBCLOSE(c->close(c));
			store_history_free(v, n);
			buf_release(&key);
			return (buf_error(err, _("the audit entry %llu is "
			    "damaged"), (unsigned long long)seq));
		}
		free(ad.data);
		if (values)
			insert = n;
		n++;
	}
	r2 = DBCLOSE(c->close(c));
	if (ret == DB_NOTFOUND)
		ret = r2;
	if (ret != 0) {
		store_history_free(v, n);
		goto fail;
	}
	buf_release(&key);
	if (insert != SIZE_MAX &&
	    insert_values(t, table, id, v, n, insert, err) == -1) {
		store_history_free(v, n);
		return (-1);
	}
	*out = v;
	*nout = n;
	return (0);
fail:
	buf_release(&key);
	return (store_fail(t, ret, err, _("cannot read the audit trail of %s "
	    "%llu: %s"), table->name, (unsigned long long)id,
	    store_strerror(ret)));
}

/* Add s to a ", "-separated list unless it is there already. */
static void
list_add(struct buf *list, const char *s)
{
	const char	*p = list->data;
	size_t		 len = strlen(s);

	while ((p = strstr(p, s)) != NULL) {
		if ((p == list->data || p[-1] == ' ') &&
		    (p[len] == ',' || p[len] == '\0'))
			return;
		p += len;
	}
	if (list->len != 0)
		buf_adds(list, ", ");
	buf_adds(list, s);
}

void
audit_conflict(struct store_txn *t, const struct table *table, uint64_t id,
    uint32_t base_rev, struct buf *err)
{
	struct audit_entry *v;
	const struct field *f;
	struct buf	 users = BUF_INIT, fields = BUF_INIT, ref = BUF_INIT;
	size_t		 n, i, j;

	/* "Client #42", the fields by their labels: as people read them
	 * (the refusal reaches the terminal interface as it is). */
	record_ref_text(table, id, NULL, msg_lang, &ref);
	if (store_history(t, table, id, &v, &n, err) == -1) {
		/* A deadlock here is retried; anything else still tells. */
		buf_error(err, _("%s was changed since revision %u"),
		    ref.data, base_rev);
		buf_release(&ref);
		return;
	}
	for (i = 0; i < n; i++) {
		if (v[i].rev <= base_rev)
			continue;
		list_add(&users, v[i].user[0] != '\0' ? v[i].user : "?");
		if (strcmp(v[i].action, "archive") == 0)
			list_add(&fields, _("archived"));
		else if (strcmp(v[i].action, "restore") == 0)
			list_add(&fields, _("restored"));
		for (j = 0; j < v[i].nchanges; j++) {
			f = table_field(table, v[i].changes[j].field);
			list_add(&fields, f != NULL ? field_label(f,
			    msg_lang) : v[i].changes[j].field);
		}
	}
	store_history_free(v, n);
	if (users.len == 0)
		buf_error(err, _("%s was changed since revision %u"),
		    ref.data, base_rev);
	else if (fields.len == 0)
		buf_error(err, _("%s was changed by %s since revision %u"),
		    ref.data, users.data, base_rev);
	else
		buf_error(err, _("%s was changed by %s since revision %u: %s"),
		    ref.data, users.data, base_rev, fields.data);
	buf_release(&ref);
	buf_release(&users);
	buf_release(&fields);
}
