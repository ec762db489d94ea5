/*
 * rec.c: records.  Get, insert, update with revision check, archive,
 * restore, purge, referrers and counts, each with its audit entry in the
 * same transaction.  Every write here writes the record's changed keys
 * into the field and unique indexes (rec_index()) and queues its word
 * changes in the transaction (words.c).  Unique keys and references are
 * checked first, so a refusal names the field and the value.
 * A failure leaves the caller's record as it was.  Never prints.
 *
 * Key 0 of each primary holds the table's record count and, after it,
 * the count of its archived records (8 bytes each, big-endian): exact,
 * transactional and O(1) to read, so a list can say how many records
 * it shows (the records less the archived) at a million records
 * without a scan.  Inserts, purges, archives and restores add to
 * per-transaction deltas that store_txn_run() writes once, just before
 * the commit (rec_count_flush), so a batch of inserts costs one count
 * write, not one per record.  A store made before the archived count
 * had 8 bytes there; env.c counts its archived records once at open.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/*
 * Decode the record read (ret what reading it returned) into *recp; the
 * bytes freed.  0, STORE_NOTFOUND or -1 with a message.
 */
static int
rec_from(struct store_txn *t, struct store_table *st, uint64_t id, int ret,
    DBT *d, struct record **recp, struct buf *err)
{
	struct record	*rec;

	if (ret == 0) {
		rec = record_new_room(st->t, d->size);
		rec->id = id;
		if (record_decode(rec, d->data, d->size, err) == -1) {
			record_free(rec);
			ret = -1;
		} else
			*recp = rec;
	} else if (ret == DB_NOTFOUND)
		ret = STORE_NOTFOUND;
	else
		ret = store_fail(t, ret, err, _("cannot read table '%s': %s"),
		    st->t->name, store_strerror(ret));
	free(d->data);
	return (ret);
}

/*
 * Fetch and decode one record from the file; flags DB_RMW when it will
 * be written.
 */
int
rec_get_raw(struct store_txn *t, struct store_table *st, uint64_t id,
    struct record **recp, int flags, struct buf *err)
{
	unsigned char	 kb[8];
	DBT		 k, d;

	*recp = NULL;
	if (id == 0)
		return (STORE_NOTFOUND);
	store_id_key(kb, id);
	store_dbt(&k, kb, 8);
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_MALLOC;
	return (rec_from(t, st, id, DBCALL(st->db->get(st->db, t->txn, &k,
	    &d, (u_int32_t)flags)), &d, recp, err));
}

/* One record, through the records read lately (rcache.c). */
int
store_get(struct store_txn *t, const struct table *table, uint64_t id,
    struct record **recp, struct buf *err)
{
	struct store_table *st;
	DBT		 d;

	*recp = NULL;
	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if (id == 0)
		return (STORE_NOTFOUND);
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	return (rec_from(t, st, id, rcache_read(t, st, NULL, id, &d), &d,
	    recp, err));
}

/* Does record id exist in st?  1, 0, or -1. */
static int
rec_exists(struct store_txn *t, struct store_table *st, uint64_t id,
    struct buf *err)
{
	unsigned char	kb[8];
	DBT		k, d;
	int		ret;

	if (id == 0)
		return (0);
	store_id_key(kb, id);
	store_dbt(&k, kb, 8);
	memset(&d, 0, sizeof(d));
	/* Existence only: no bytes. */
	d.flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
	ret = DBCALL(st->db->get(st->db, t->txn, &k, &d, 0));
	if (ret == DB_NOTFOUND)
		return (0);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': "
		    "%s"), st->t->name, store_strerror(ret)));
	return (1);
}

/* "Organisation ('party'): Client #99 does not exist", in msg_lang. */
static void
rec_missing(const struct field *f, const struct table *target, uint64_t id,
    struct buf *err)
{
	struct buf	why = BUF_INIT, msg = BUF_INIT;

	record_ref_text(target, id, NULL, msg_lang, &why);
	/* TRANSLATORS: a reference to a record that is not there: the
	 * table's label and the record's number ("Client #99"). */
	buf_set(&msg, _("%s does not exist"), why.data);
	buf_reset(err);
	record_field_error(f, msg_lang, msg.data, err);
	buf_release(&why);
	buf_release(&msg);
}

/*
 * References must point at existing records (archived ones count: they
 * still exist).  old, when given, limits the check to changed fields.
 */
int
rec_check_refs(struct store_txn *t, struct store_table *st,
    const struct record *rec, const struct record *old, struct buf *err)
{
	const struct field *f;
	struct store_table *target;
	size_t		 i;
	int		 r;

	for (i = 0; i < st->t->nfields; i++) {
		f = &st->t->fields[i];
		if (f->type != FT_REF || !rec->values[i].set)
			continue;
		if (old != NULL && record_value_equal(&old->values[i],
		    &rec->values[i], f->type))
			continue;
		target = NULL;
		if (f->ref_table != NULL)
			target = store_table_get(t->s,
			    schema_table(t->s->schema, f->ref_table));
		if (target == NULL)
			return (buf_error(err, _("field '%s': no table '%s' "
			    "in the database"), f->name,
			    f->ref_table != NULL ? f->ref_table : "?"));
		r = rec->values[i].i > 0 ? rec_exists(t, target,
		    (uint64_t)rec->values[i].i, err) : 0;
		if (r == -1)
			return (-1);
		if (r == 0) {
			rec_missing(f, target->t, (uint64_t)rec->values[i].i,
			    err);
			return (-1);
		}
	}
	return (0);
}

/* What a unique index is about, for people: "inn" or "inn, kpp" (what
 * may be NULL), and the record's values of it. */
void
rec_unique_describe(struct store_index *ix, const struct record *rec,
    const void *key, size_t keylen, struct buf *what, struct buf *val)
{
	const struct table *t = ix->st->t;
	size_t		 i, pos;

	if (ix->kind == SIX_FIELD) {
		if (what != NULL)
			buf_adds(what, ix->field->name);
		if (FT_IS_INT(ix->field->type) || !ix->field->multi)
			record_format(rec, ix->field->pos, 1, val);
		else
			buf_add(val, key, keylen);
		return;
	}
	for (i = 0; i < ix->uq->nfields; i++) {
		pos = ix->uq->fields[i];
		if (i != 0) {
			if (what != NULL)
				buf_adds(what, ", ");
			buf_adds(val, ", ");
		}
		if (what != NULL)
			buf_adds(what, t->fields[pos].name);
		record_format(rec, pos, 1, val);
	}
}

/*
 * A unique clash for people, in msg_lang, the fields as a refusal names
 * them (so the card marks them): "INN ('inn'), KPP ('kpp'): 7707083893,
 * 773601001 already belongs to Client #1 ООО «Альфа»".  The other
 * record's title is read when it can be; its number is enough.
 */
static void
rec_unique_clash(struct store_txn *t, struct store_table *st,
    struct store_index *ix, const struct record *rec, const void *key,
    size_t keylen, uint64_t other, struct buf *err)
{
	const struct field *f;
	struct record	*o = NULL;
	struct buf	 what = BUF_INIT, val = BUF_INIT, title = BUF_INIT;
	struct buf	 ref = BUF_INIT, scratch = BUF_INIT;
	size_t		 i, n;

	n = ix->kind == SIX_FIELD ? 1 : ix->uq->nfields;
	for (i = 0; i < n; i++) {
		f = ix->kind == SIX_FIELD ? ix->field :
		    &st->t->fields[ix->uq->fields[i]];
		buf_printf(&what, "%s%s ('%s')", i != 0 ? ", " : "",
		    field_label(f, msg_lang), f->name);
	}
	rec_unique_describe(ix, rec, key, keylen, NULL, &val);
	if (rec_get_raw(t, st, other, &o, 0, &scratch) == 0)
		record_title(o, &title);
	record_ref_text(st->t, other, title.data, msg_lang, &ref);
	/* Not in the lists: the user would look for it in vain. */
	if (o != NULL && (o->flags & REC_ARCHIVED))
		buf_adds(&ref, _(" (archived)"));
	/* TRANSLATORS: a value that must be unique: the fields ("INN
	 * ('inn'), KPP ('kpp')"), their values, the record that has them
	 * ("Client #1 ООО «Альфа»"). */
	buf_error(err, _("%s: %s already belongs to %s"), what.data, val.data,
	    ref.data);
	record_free(o);
	buf_release(&what);
	buf_release(&val);
	buf_release(&title);
	buf_release(&ref);
	buf_release(&scratch);
}

/*
 * Unique constraints, checked before the write: Berkeley DB would refuse
 * a duplicate in a unique secondary only with EINVAL, naming nothing.
 * The read locks taken here keep a concurrent writer from slipping the
 * same key in before this transaction commits.
 */
static int
check_uniques(struct store_txn *t, struct store_table *st,
    const struct record *rec, struct buf *err)
{
	struct store_index *ix;
	struct keyset	 ks;
	unsigned char	 pk[8];
	uint64_t	 other;
	DBT		 k, d;
	size_t		 i, j;
	int		 ret, rc = 0;

	keyset_init(&ks);
	for (i = 0; i < st->nix && rc == 0; i++) {
		ix = &st->ix[i];
		if (!ix->unique)
			continue;
		keyset_reset(&ks);
		sec_record_keys(ix, rec, &ks);
		for (j = 0; j < ks.n; j++) {
			store_dbt(&k, ks.bytes.data + ks.off[j], ks.len[j]);
			memset(&d, 0, sizeof(d));
			d.data = pk;
			d.ulen = 8;
			d.flags = DB_DBT_USERMEM;
			ret = DBCALL(ix->db->get(ix->db, t->txn, &k, &d, 0));
			if (ret == DB_NOTFOUND)
				continue;
			if (ret != 0) {
				rc = store_fail(t, ret, err, _("cannot read "
				    "table '%s': %s"), st->t->name,
				    store_strerror(ret));
				break;
			}
			other = d.size == 8 ? store_id_unkey(pk) : 0;
			if (other == rec->id)
				continue;
			rec_unique_clash(t, st, ix, rec, ks.bytes.data +
			    ks.off[j], ks.len[j], other, err);
			rc = -1;
			break;
		}
	}
	keyset_release(&ks);
	return (rc);
}

/* The header of a record, saved so a failed write can put it back. */
struct head {
	uint64_t	 id;
	uint32_t	 rev, flags;
	int64_t		 created, updated;
	const char	*created_by, *updated_by;
};

static void
head_save(const struct record *rec, struct head *h)
{
	h->id = rec->id;
	h->rev = rec->rev;
	h->flags = rec->flags;
	h->created = rec->created;
	h->updated = rec->updated;
	h->created_by = rec->created_by;
	h->updated_by = rec->updated_by;
}

/* Undo: the saved header comes back. */
static void
head_restore(struct record *rec, struct head *h)
{
	rec->id = h->id;
	rec->rev = h->rev;
	rec->flags = h->flags;
	rec->created = h->created;
	rec->updated = h->updated;
	rec->created_by = h->created_by;
	rec->updated_by = h->updated_by;
}

/*
 * One entry (key, id) of a unique index in or out (the others are
 * packed: words.c, runs.c); a new key through DB->put, which refuses it
 * if taken.  A removal is made on a cursor of its own, closed at once.
 * An entry to remove that is not there is the index's fault, not the
 * write's: the checker reports it, the write goes on.
 */
static int
entry_write(struct store_txn *t, struct store_index *ix, const void *key,
    size_t len, const unsigned char *idb, int add)
{
	DBC	*c;
	DBT	 k, d;
	int	 ret, t_ret;

	store_dbt(&k, key, len);
	store_dbt(&d, idb, 8);
	if (add)
		return (DBCALL(ix->db->put(ix->db, t->txn, &k, &d,
		    DB_NOOVERWRITE)));
	if ((ret = DBCALL(ix->db->cursor(ix->db, t->txn, &c, 0))) != 0)
		return (ret);
	ret = DBCALL(c->get(c, &k, &d, DB_GET_BOTH));
	if (ret == 0)
		ret = DBCALL(c->del(c, 0));
	else if (ret == DB_NOTFOUND)
		ret = 0;
	if ((t_ret = DBCLOSE(c->close(c))) != 0 && ret == 0)
		ret = t_ret;
	return (ret);
}

/*
 * The entries of the indexes that are not unique are queued in the
 * transaction (queue.c, an index a group) and written at its end, or
 * before it reads an index, in key order: a transaction of many records
 * then writes each index from one end to the other, not at random.
 * Unique ones are written at once, as check_uniques() reads them.
 */
#define IXQ_BUDGET	(4 * 1024 * 1024)	/* bytes held, then written */

static uint32_t
ixq_group(const struct store_index *ix)
{
	return ((uint32_t)(ix->st->n << 16 | (size_t)(ix - ix->st->ix)));
}

/*
 * The change the run of one (key, id) from q's op i makes, its last, or
 * NULL when it makes none; *next is the op after the run.  A pair's
 * changes alternate (one can only remove what is there and add what is
 * not): the first and the last say what changes, nothing when they
 * differ.  The indexer's (defer.c) may come again over changes written
 * already: the last one holds.
 */
static const struct store_qop *
ixq_net(const struct store_txn *t, const struct store_queue *q, size_t i,
    size_t *next)
{
	const struct store_qop *last;

	*next = queue_run(q, i);
	last = &q->ops[*next - 1];
	if (q->ops[i].add != last->add && !t->idem)
		return (NULL);
	return (last);
}

/*
 * The changes of a packed index (pack.c), q's ops from i on that are
 * its: its chunks rewritten by words_apply(), once a key, or its runs
 * by runs_apply(), once a run.  *next is the op after them.
 */
static int
ixq_apply_packed(struct store_txn *t, struct store_index *ix,
    struct store_queue *q, size_t i, size_t *next)
{
	const struct store_qop *o;
	struct words_put *v;
	uint32_t	 group = q->ops[i].group;
	size_t		 n = 0;
	int		 ret;

	v = xreallocarray(NULL, q->n - i, sizeof(*v));
	for (; i < q->n && q->ops[i].group == group; i = *next) {
		if ((o = ixq_net(t, q, i, next)) == NULL)
			continue;
		v[n].key = q->keys.data + o->off;
		v[n].len = o->len;
		v[n].id = o->id;
		v[n++].add = o->add;
	}
	*next = i;
	if (ix->packed == PACK_RUNS)
		ret = runs_apply(ix->db, t->txn, v, n);
	else
		ret = words_apply(ix->db, t->txn, v, n);
	free(v);
	return (ret);
}

/* Write the changes of q, and empty it. */
static int
ixq_apply(struct store_txn *t, struct store_queue *q, struct buf *err)
{
	const struct store_qop *o;
	struct store_index *ix = NULL;
	unsigned char	 idb[8];
	size_t		 i, j;
	int		 ret = 0;

	queue_sort(q);
	for (i = 0; i < q->n && ret == 0; i = j) {
		o = &q->ops[i];
		ix = &t->s->tables[o->group >> 16].ix[o->group & 0xffff];
		if (ix->packed) {
			ret = ixq_apply_packed(t, ix, q, i, &j);
			continue;
		}
		if ((o = ixq_net(t, q, i, &j)) == NULL)
			continue;
		store_id_key(idb, o->id);
		ret = entry_write(t, ix, q->keys.data + o->off, o->len, idb,
		    o->add);
		/* The indexer may write an entry twice (defer.c). */
		if (ret == DB_KEYEXIST && t->idem)
			ret = 0;
	}
	queue_reset(q);
	if (ret == DB_KEYEXIST)
		/* check_uniques() looked first: only a broken index. */
		return (buf_error(err, _("cannot write table '%s': the "
		    "index '%s' has the entry already"), ix->st->t->name,
		    ix->file));
	if (ret == EBADMSG && ix->packed)
		return (buf_error(err, _("the index '%s' is damaged; run "
		    "clerk admin verify"), ix->file));
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot write the index "
		    "'%s': %s"), ix->file, store_strerror(ret)));
	return (0);
}

int
rec_index_flush(struct store_txn *t, struct buf *err)
{
	if (t->ixq == NULL || t->ixq->n == 0)
		return (0);
	return (ixq_apply(t, t->ixq, err));
}

void
rec_index_drop(struct store_txn *t)
{
	queue_free(&t->ixq);
}

/*
 * The field and unique indexes follow a record from old to new (either
 * NULL: an insert, a purge): the entries of keys only old has go, the
 * ones only new has come, the keys both have stay untouched.  Written
 * here rather than by Berkeley DB through associate(): it would read
 * the record it replaces again (we have it), recompute every key of
 * both from the bytes, and open a cursor and a copy of it on each index
 * for every key.  The word index is words.c's.
 */
static int
rec_index(struct store_txn *t, struct store_table *st,
    const struct record *old, const struct record *new, uint64_t id,
    struct buf *err)
{
	struct store_index *ix;
	struct store_queue now;
	struct keyset	 a, b;
	size_t		 n;
	int		 rc = 0;

	/* Archived or restored: the same keys. */
	if (old == new)
		return (0);
	queue_init(&now);
	keyset_init(&a);
	keyset_init(&b);
	for (n = 0; n < st->nix && rc == 0; n++) {
		ix = &st->ix[n];
		if (ix->kind == SIX_SEARCH)
			continue;
		keyset_reset(&a);
		keyset_reset(&b);
		if (old != NULL)
			sec_record_keys(ix, old, &a);
		if (new != NULL)
			sec_record_keys(ix, new, &b);
		if (!ix->unique) {
			queue_diff(queue_get(&t->ixq), ixq_group(ix), &a, &b,
			    id);
			continue;
		}
		queue_diff(&now, ixq_group(ix), &a, &b, id);
		rc = ixq_apply(t, &now, err);
	}
	keyset_release(&a);
	keyset_release(&b);
	queue_release(&now);
	/* A transaction of very many writes writes as it goes. */
	if (rc == 0 && t->ixq != NULL && queue_bytes(t->ixq) > IXQ_BUDGET)
		rc = defer_on(t) ? defer_spill(t, err) :
		    rec_index_flush(t, err);
	return (rc);
}

/* Write rec, which was old (NULL for an insert), and its indexes. */
static int
rec_put(struct store_txn *t, struct store_table *st, struct record *rec,
    const struct record *old, struct buf *err)
{
	unsigned char	 kb[8];
	struct buf	 val = BUF_INIT;
	DBT		 k, d;
	int		 ret;

	record_encode(rec, &val);
	store_id_key(kb, rec->id);
	store_dbt(&k, kb, 8);
	store_dbt(&d, val.data, val.len);
	ret = DBCALL(st->db->put(st->db, t->txn, &k, &d,
	    old == NULL ? DB_NOOVERWRITE : 0));
	buf_release(&val);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot write table '%s': "
		    "%s"), st->t->name, store_strerror(ret)));
	if (rec_index(t, st, old, rec, rec->id, err) == -1)
		return (-1);
	journal_note(t, st, rec->id);
	return (0);
}

const char *
user_or_empty(const char *user)
{
	return (user != NULL ? user : "");
}

const char *
user_name(const char *user)
{
	return (record_name(user, user != NULL ? strlen(user) : 0));
}

int
store_id_used(struct store_txn *t, const struct table *table, uint64_t id,
    struct buf *err)
{
	struct store_table *st;
	unsigned char	 kb[8];
	DBT		 k, d;
	int		 ret, known;

	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	store_id_key(kb, id);
	store_dbt(&k, kb, 8);
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	ret = DBCALL(st->db->get(st->db, t->txn, &k, &d, 0));
	if (ret == 0)
		return (STORE_ID_TAKEN);
	if (ret == DB_NOTFOUND)
		ret = audit_knows(t->s, t->txn, table, id, &known);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': "
		    "%s"), table->name, store_strerror(ret)));
	return (known ? STORE_ID_PURGED : 0);
}

/* The refusal of id for a new record of table: -1 with err, or 0 when
 * it is free. */
int
rec_undecodable(const struct table *table, uint64_t id, struct buf *err)
{
	struct buf	ref = BUF_INIT;

	record_ref_text(table, id, NULL, msg_lang, &ref);
	buf_error(err, _("%s does not decode"), ref.data);
	buf_release(&ref);
	return (-1);
}

static int
id_refused(struct store_txn *t, const struct table *table, uint64_t id,
    struct buf *err)
{
	struct buf	ref = BUF_INIT;
	int		r;

	if (id > STORE_ID_MAX)
		return (buf_error(err, _("%s id %llu is too big (at most "
		    "%llu)"), table->name, (unsigned long long)id,
		    (unsigned long long)STORE_ID_MAX));
	r = store_id_used(t, table, id, err);
	if (r == STORE_ID_TAKEN || r == STORE_ID_PURGED) {
		/* "Client #50", as a list names it. */
		record_ref_text(table, id, NULL, msg_lang, &ref);
		if (r == STORE_ID_TAKEN)
			buf_error(err, _("%s exists already"), ref.data);
		else
			buf_error(err, _("%s was purged, and an id is never "
			    "given twice"), ref.data);
		buf_release(&ref);
		return (-1);
	}
	return (r);
}

int
store_insert(struct store_txn *t, struct record *rec, const char *user,
    struct buf *err)
{
	return (store_insert_id(t, rec, 0, user, err));
}

int
store_insert_id(struct store_txn *t, struct record *rec, uint64_t given,
    const char *user, struct buf *err)
{
	struct store_table *st;
	struct head	 h;
	size_t		 bad;
	db_seq_t	 id;
	int64_t		 now;
	int		 ret;

	if ((st = store_table_of(t, rec->table, err)) == NULL ||
	    store_writable(t, rec->table, err) == -1)
		return (-1);
	if (record_validate(rec, &bad, err) == -1)
		return (-1);
	head_save(rec, &h);
	rec->id = 0;
	if (rec_check_refs(t, st, rec, NULL, err) == -1 ||
	    check_uniques(t, st, rec, err) == -1)
		goto fail;
	if (given != 0) {
		/* The sequence past it first: a later insert of another
		 * writer cannot take it before this one commits. */
		if (id_refused(t, rec->table, given, err) != 0 ||
		    store_id_reserve(t, rec->table, given, err) != 0)
			goto fail;
		id = (db_seq_t)given;
	} else {
		/*
		 * A cached sequence must be read outside the transaction:
		 * ids are never reused, and an aborted insert only leaves
		 * a gap (until the next open, seq_settle()).
		 */
		ret = DBCALL(st->seq->get(st->seq, NULL, 1, &id,
		    DB_TXN_NOSYNC));
		if (ret != 0) {
			store_fail(t, ret, err, _("cannot write table '%s': "
			    "%s"), st->t->name, store_strerror(ret));
			goto fail;
		}
	}
	now = clock_now();
	rec->id = (uint64_t)id;
	rec->rev = 1;
	rec->flags = 0;
	rec->created = rec->updated = now;
	rec->created_by = user_name(user);
	rec->updated_by = user_name(user);
	if (rec_put(t, st, rec, NULL, err) == -1 ||
	    audit_add(t, "insert", NULL, rec, user_or_empty(user), rec->id, 1,
	    err) == -1 ||
	    words_queue_record(t, st, NULL, rec, rec->id, err) == -1)
		goto fail;
	t->delta[st->n]++;
	return (0);
fail:
	head_restore(rec, &h);
	return (-1);
}

static int
notfound(const struct table *table, uint64_t id, struct buf *err)
{
	buf_error(err, _("%s %llu does not exist"), table->name,
	    (unsigned long long)id);
	return (STORE_NOTFOUND);
}

int
store_update(struct store_txn *t, struct record *rec, uint32_t base_rev,
    const char *user, struct buf *err)
{
	struct store_table *st;
	struct record	*old = NULL;
	struct head	 h;
	size_t		 bad, *changed;
	size_t		 nchanged;
	int		 r;

	if ((st = store_table_of(t, rec->table, err)) == NULL ||
	    store_writable(t, rec->table, err) == -1)
		return (-1);
	r = rec_get_raw(t, st, rec->id, &old, DB_RMW, err);
	if (r == STORE_NOTFOUND)
		return (notfound(rec->table, rec->id, err));
	if (r != 0)
		return (r);
	if (old->rev != base_rev) {
		audit_conflict(t, rec->table, rec->id, base_rev, err);
		record_free(old);
		return (t->deadlocked ? -1 : STORE_CONFLICT);
	}
	if (record_validate(rec, &bad, err) == -1) {
		record_free(old);
		return (-1);
	}
	changed = xreallocarray(NULL, st->t->nfields + 1, sizeof(*changed));
	nchanged = record_diff(old, rec, changed, st->t->nfields);
	free(changed);
	head_save(rec, &h);
	if (nchanged == 0) {
		/* Nothing to write; the caller sees the stored header. */
		rec->rev = old->rev;
		rec->flags = old->flags;
		rec->created = old->created;
		rec->updated = old->updated;
		rec->created_by = old->created_by;
		rec->updated_by = old->updated_by;
		record_free(old);
		return (0);
	}
	if (rec_check_refs(t, st, rec, old, err) == -1 ||
	    check_uniques(t, st, rec, err) == -1)
		goto fail;
	rec->rev = old->rev + 1;
	rec->flags = old->flags;
	rec->created = old->created;
	rec->updated = clock_now();
	rec->created_by = old->created_by;
	rec->updated_by = user_name(user);
	/* A record built afresh must not drop fields this form lacks. */
	if (rec->extra.len == 0 && old->extra.len != 0)
		buf_add(&rec->extra, old->extra.data, old->extra.len);
	if (rec_put(t, st, rec, old, err) == -1 ||
	    audit_add(t, "update", old, rec, user_or_empty(user), rec->id,
	    rec->rev, err) == -1 ||
	    words_queue_record(t, st, old, rec, rec->id, err) == -1)
		goto fail;
	record_free(old);
	return (0);
fail:
	head_restore(rec, &h);
	record_free(old);
	return (-1);
}

static int
set_archived(struct store_txn *t, const struct table *table, uint64_t id,
    int on, const char *user, struct buf *err)
{
	struct store_table *st;
	struct record	*rec;
	uint32_t	 flags;
	int		 r;

	if ((st = store_table_of(t, table, err)) == NULL ||
	    store_writable(t, table, err) == -1)
		return (-1);
	r = rec_get_raw(t, st, id, &rec, DB_RMW, err);
	if (r == STORE_NOTFOUND)
		return (notfound(table, id, err));
	if (r != 0)
		return (r);
	if (!(rec->flags & REC_ARCHIVED) == !on) {
		record_free(rec);
		return (0);
	}
	rec->flags = on ? rec->flags | REC_ARCHIVED :
	    rec->flags & ~(uint32_t)REC_ARCHIVED;
	rec->rev++;
	rec->updated = clock_now();
	rec->updated_by = user_name(user);
	r = rec_put(t, st, rec, rec, err);
	if (r == 0)
		r = audit_add(t, on ? "archive" : "restore", rec, rec,
		    user_or_empty(user), id, rec->rev, err);
	if (r == 0)
		t->adelta[st->n] += on ? 1 : -1;
	if (r == 0) {
		/*
		 * Archived records leave the word index: the words of the
		 * record as it is when not archived go (archive) or come
		 * back (restore).
		 */
		flags = rec->flags;
		rec->flags &= ~(uint32_t)REC_ARCHIVED;
		r = words_queue_record(t, st, on ? rec : NULL, on ? NULL : rec,
		    id, err);
		rec->flags = flags;
	}
	record_free(rec);
	return (r);
}

int
store_archive(struct store_txn *t, const struct table *table, uint64_t id,
    const char *user, struct buf *err)
{
	return (set_archived(t, table, id, 1, user, err));
}

int
store_restore(struct store_txn *t, const struct table *table, uint64_t id,
    const char *user, struct buf *err)
{
	return (set_archived(t, table, id, 0, user, err));
}

/* referrers_scan()'s walk of one packed index (pack.c). */
static int
referrers_packed(DBC *c, int runs, struct store_table *st,
    const struct table *table, uint64_t id, const struct buf *key,
    struct store_ref *out, size_t max, size_t *nout, uint64_t *total)
{
	struct pcur	 pc;
	int		 ret;

	pcur_init(&pc, c, runs);
	for (ret = pcur_seek(&pc, key->data, key->len, 0); ret == 0;
	    ret = pcur_move(&pc, DB_NEXT)) {
		if (!pcur_on(&pc, key->data, key->len))
			break;
		if (st->t == table && pc.id == id)
			continue;
		if (*nout < max) {
			out[*nout].table = st->t;
			out[*nout].id = pc.id;
			(*nout)++;
		}
		(*total)++;
	}
	pcur_release(&pc);
	return (ret == DB_NOTFOUND ? 0 : ret);
}

/*
 * Every record of every table whose ref field points at (table, id),
 * found through the ref fields' exact indexes.  Stores up to max, counts
 * all in *total (a record referring to itself is not counted).
 */
static int
referrers_scan(struct store_txn *t, const struct table *table, uint64_t id,
    struct store_ref *out, size_t max, size_t *nout, size_t *total,
    struct buf *err)
{
	struct store	*s = t->s;
	struct store_table *st;
	struct store_index *ix;
	struct buf	 key = BUF_INIT;
	DBC		*c;
	size_t		 i, j;
	int		 ret, r2;

	*nout = *total = 0;
	/* The references this transaction wrote count too. */
	if (defer_index_read(t, 0, err) == -1)
		return (-1);
	index_int_key(&key, (int64_t)id);
	for (i = 0; i < s->ntables; i++) {
		st = &s->tables[i];
		for (j = 0; j < st->nix; j++) {
			ix = &st->ix[j];
			if (ix->kind != SIX_FIELD || ix->ixkind != IX_EXACT ||
			    ix->field->type != FT_REF ||
			    ix->field->ref_table == NULL ||
			    strcmp(ix->field->ref_table, table->name) != 0)
				continue;
			ret = DBCALL(ix->db->cursor(ix->db, t->txn, &c, 0));
			if (ret != 0)
				goto fail;
			/* A ref's exact index is never unique: packed. */
			ret = referrers_packed(c, ix->packed == PACK_RUNS, st,
			    table, id, &key, out, max, nout, total);
			r2 = DBCLOSE(c->close(c));
			if (ret == 0)
				ret = r2;
			if (ret != 0)
				goto fail;
		}
	}
	buf_release(&key);
	return (0);
fail:
	buf_release(&key);
	return (store_fail(t, ret, err, _("cannot read the references to %s "
	    "%llu: %s"), table->name, (unsigned long long)id,
	    store_strerror(ret)));
}

int
store_referrers(struct store_txn *t, const struct table *table, uint64_t id,
    struct store_ref *out, size_t max, size_t *n, struct buf *err)
{
	size_t	total;

	*n = 0;
	if (store_table_of(t, table, err) == NULL)
		return (-1);
	if (referrers_scan(t, table, id, out, max, n, &total, err) == -1)
		return (-1);
	return ((int)*n);
}

int
store_purge(struct store_txn *t, const struct table *table, uint64_t id,
    const char *user, struct buf *err)
{
	struct store_table *st;
	struct store_ref ref;
	struct record	*rec;
	unsigned char	 kb[8];
	size_t		 n, total;
	DBT		 k;
	int		 r, ret;

	if ((st = store_table_of(t, table, err)) == NULL ||
	    store_writable(t, table, err) == -1)
		return (-1);
	r = rec_get_raw(t, st, id, &rec, DB_RMW, err);
	if (r == STORE_NOTFOUND)
		return (notfound(table, id, err));
	if (r != 0)
		return (r);
	if (referrers_scan(t, table, id, &ref, 1, &n, &total, err) == -1)
		goto fail;
	if (total != 0) {
		buf_error(err, _("cannot purge %s %llu: %s %llu refers to it"),
		    table->name, (unsigned long long)id, ref.table->name,
		    (unsigned long long)ref.id);
		if (total > 1)
			buf_printf(err, _(" and %zu more"), total - 1);
		goto fail;
	}
	store_id_key(kb, id);
	store_dbt(&k, kb, 8);
	if ((ret = DBCALL(st->db->del(st->db, t->txn, &k, 0))) != 0) {
		store_fail(t, ret, err, _("cannot write table '%s': %s"),
		    st->t->name, store_strerror(ret));
		goto fail;
	}
	if (rec_index(t, st, rec, NULL, id, err) == -1)
		goto fail;
	journal_note(t, st, id);
	if (audit_add(t, "purge", rec, NULL, user_or_empty(user), id,
	    rec->rev, err) == -1 ||
	    words_queue_record(t, st, rec, NULL, id, err) == -1)
		goto fail;
	t->delta[st->n]--;
	if (rec->flags & REC_ARCHIVED)
		t->adelta[st->n]--;
	record_free(rec);
	return (0);
fail:
	record_free(rec);
	return (-1);
}

/*
 * Key 0's counts: the records (archived included) and the archived
 * ones.  A count of 8 bytes (a store from before the archived count
 * whose open has not counted them yet) gives 0 archived.
 */
static int
count_read(struct store_txn *t, struct store_table *st, uint64_t *n,
    uint64_t *archived, u_int32_t flags, struct buf *err)
{
	unsigned char	 zero[8] = { 0 }, cnt[STORE_COUNT_LEN];
	DBT		 k, d;
	int		 ret;

	*n = *archived = 0;
	store_dbt(&k, zero, 8);
	memset(&d, 0, sizeof(d));
	d.data = cnt;
	d.ulen = sizeof(cnt);
	d.flags = DB_DBT_USERMEM;
	ret = DBCALL(st->db->get(st->db, t->txn, &k, &d, flags));
	if (ret == DB_NOTFOUND || (ret == 0 && d.size != 8 &&
	    d.size != STORE_COUNT_LEN))
		return (0);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read table '%s': "
		    "%s"), st->t->name, store_strerror(ret)));
	*n = store_id_unkey(cnt);
	if (d.size == STORE_COUNT_LEN)
		*archived = store_id_unkey(cnt + 8);
	return (0);
}

int
store_count(struct store_txn *t, const struct table *table, uint64_t *n,
    struct buf *err)
{
	struct store_table *st;
	uint64_t	 archived;

	*n = 0;
	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if (count_read(t, st, n, &archived, 0, err) == -1)
		return (-1);
	/* This transaction's own inserts and purges, not yet written. */
	*n = (uint64_t)((int64_t)*n + t->delta[st->n]);
	return (0);
}

int
store_count_archived(struct store_txn *t, const struct table *table,
    uint64_t *archived, struct buf *err)
{
	struct store_table *st;
	uint64_t	 n;

	*archived = 0;
	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	if (count_read(t, st, &n, archived, 0, err) == -1)
		return (-1);
	*archived = (uint64_t)((int64_t)*archived + t->adelta[st->n]);
	return (0);
}

int
rec_count_flush(struct store_txn *t, struct buf *err)
{
	struct store_table *st;
	unsigned char	 zero[8] = { 0 }, cnt[STORE_COUNT_LEN];
	uint64_t	 n, archived;
	DBT		 k, d;
	size_t		 i;
	int		 ret;

	for (i = 0; i < t->s->ntables; i++) {
		if (t->delta[i] == 0 && t->adelta[i] == 0)
			continue;
		st = &t->s->tables[i];
		if (count_read(t, st, &n, &archived, DB_RMW, err) == -1)
			return (-1);
		n = (uint64_t)((int64_t)n + t->delta[i]);
		archived = (uint64_t)((int64_t)archived + t->adelta[i]);
		store_id_key(cnt, n);
		store_id_key(cnt + 8, archived);
		store_dbt(&k, zero, 8);
		store_dbt(&d, cnt, sizeof(cnt));
		ret = DBCALL(st->db->put(st->db, t->txn, &k, &d, 0));
		if (ret != 0)
			return (store_fail(t, ret, err, _("cannot write table "
			    "'%s': %s"), st->t->name, store_strerror(ret)));
		t->delta[i] = 0;
		t->adelta[i] = 0;
	}
	return (0);
}
