/*
 * env.c: opening and closing a store.  The Berkeley DB environment and
 * its settings, the meta and sequence databases, field ids, and every
 * table opened with ALL its indexes in one place (rec.c writes every
 * index of a table with each record), new or changed indexes rebuilt
 * from the data.  Also the small helpers the other files share (error
 * text, id keys, finding tables and indexes).
 * Never prints; one process owns an environment at a time.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

#define DIR_MODE	0700
/* Ids handed out per sequence refill: a crash skips the rest (a clean
 * close gives them back, seq_give_back()). */
#define SEQ_CACHE	100
#define AUDIT_SEQ_CACHE	1000
/*
 * Locks: a transaction holds one lock per page it touched until it
 * commits, and an import puts a whole file in one transaction: 300,000
 * parties touch some 400,000 pages across the table, its indexes and the
 * audit trail.  So the lock table may grow far (a lock and its object
 * cost about 70 bytes), but only as it is used: it starts small
 * (LOCKS_INIT), and a personal server that never imports stays at its
 * few megabytes.  Past LOCKS_MAX a transaction fails with a message and
 * changes nothing.
 */
#define LOCKS_MAX	4000000
#define LOCKS_INIT	20000
#define LOCKS_BUCKETS	131072
#define BUILD_BATCH	5000	/* records a transaction when building */
/* Mutexes made at open; more as the cache fills (env_open). */
#define MUTEX_INIT	20000

/* Helpers shared by store/. */

/* Big-endian 8 bytes: byte order is numeric order. */
void
store_id_key(unsigned char *p, uint64_t id)
{
	uint64_t	be = htobe64(id);

	memcpy(p, &be, 8);
}

uint64_t
store_id_unkey(const void *key)
{
	uint64_t	be;

	memcpy(&be, key, 8);
	return (be64toh(be));
}

void
store_dbt(DBT *d, const void *data, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)(uintptr_t)data;
	d->size = (u_int32_t)len;
}

int
store_bulk_get(DBC *c, DBT *k, DBT *d, u_int32_t op)
{
	int	ret;

	while ((ret = DBCALL(c->get(c, k, d, op | DB_MULTIPLE_KEY))) ==
	    DB_BUFFER_SMALL && d->size > d->ulen) {
		d->ulen = (d->size + 1023) & ~1023U;
		d->data = xrealloc(d->data, d->ulen);
	}
	return (ret);
}

int
store_is_deadlock(int ret)
{
	return (ret == DB_LOCK_DEADLOCK || ret == DB_LOCK_NOTGRANTED);
}

int
store_fail(struct store_txn *t, int ret, struct buf *err, const char *fmt,
    ...)
{
	va_list	ap;

	if (t != NULL && store_is_deadlock(ret))
		t->deadlocked = 1;
	if (err != NULL) {
		buf_reset(err);
		va_start(ap, fmt);
		buf_vprintf(err, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

int
store_writable(struct store_txn *t, const struct table *table,
    struct buf *err)
{
	if (t->flags & STORE_TXN_READONLY)
		return (buf_error(err, _("cannot write table '%s': the "
		    "transaction is read-only"), table->name));
	t->wrote = 1;
	return (0);
}

struct store_table *
store_table_get(struct store *s, const struct table *t)
{
	size_t	i;

	for (i = 0; i < s->ntables; i++)
		if (s->tables[i].t == t)
			return (&s->tables[i]);
	/* A table of another schema object with the same name. */
	for (i = 0; t != NULL && i < s->ntables; i++)
		if (strcmp(s->tables[i].t->name, t->name) == 0)
			return (&s->tables[i]);
	return (NULL);
}

struct store_table *
store_table_of(struct store_txn *t, const struct table *table, struct buf *err)
{
	struct store_table *st;

	st = table != NULL ? store_table_get(t->s, table) : NULL;
	if (st == NULL)
		buf_error(err, _("no table '%s' in the database"),
		    table != NULL ? table->name : "(null)");
	return (st);
}

struct store_index *
store_index_find(struct store_table *st, const char *name, int for_page)
{
	static const int page_order[] = { IX_FOLDED, IX_EXACT, IX_UNIQUE };
	static const int lookup_order[] = { IX_EXACT, IX_UNIQUE, IX_FOLDED };
	const int	*order = for_page ? page_order : lookup_order;
	const char	*colon;
	size_t		 len, i, k;
	int		 want = 0;

	colon = strchr(name, ':');
	len = colon != NULL ? (size_t)(colon - name) : strlen(name);
	if (colon != NULL) {
		if (strcmp(colon + 1, "exact") == 0)
			want = IX_EXACT;
		else if (strcmp(colon + 1, "folded") == 0)
			want = IX_FOLDED;
		else if (strcmp(colon + 1, "unique") == 0)
			want = IX_UNIQUE;
		else
			return (NULL);
	}
	for (k = 0; k < 3; k++) {
		if (want != 0 && order[k] != want)
			continue;
		for (i = 0; i < st->nix; i++) {
			struct store_index *ix = &st->ix[i];

			if (ix->kind == SIX_FIELD && ix->ixkind == order[k] &&
			    strlen(ix->field->name) == len &&
			    memcmp(ix->field->name, name, len) == 0)
				return (ix);
		}
	}
	return (NULL);
}

const struct schema *
store_schema(struct store *s)
{
	return (s->schema);
}

const char *
store_dir(struct store *s)
{
	return (s->dir);
}

/* Folders and files. */

static int
mkdir_parents(const char *dir, struct buf *err)
{
	char		*p, *path;
	struct stat	 sb;

	path = xstrdup(dir);
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (stat(path, &sb) == -1 && mkdir(path, DIR_MODE) == -1 &&
		    errno != EEXIST) {
			buf_error(err, _("cannot create folder '%s': %s"),
			    path, strerror(errno));
			free(path);
			return (-1);
		}
		*p = '/';
	}
	free(path);
	if (mkdir(dir, DIR_MODE) == -1) {
		if (errno == EEXIST)
			return (0);
		return (buf_error(err, _("cannot create folder '%s': %s"),
		    dir, strerror(errno)));
	}
	/* The umask may have taken bits the mode asked for, or left more. */
	if (chmod(dir, DIR_MODE) == -1)
		return (buf_error(err, _("cannot change the mode of '%s': %s"),
		    dir, strerror(errno)));
	return (0);
}

/*
 * Berkeley DB creates files with the mode given, filtered by the umask;
 * whatever the umask, the data is the server's alone.
 */
/*
 * Give every regular file of dir the store's file mode: Berkeley DB and
 * backups create files through the umask, which may be looser.
 */
void
store_chmod_files(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		*path;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (sb.st_mode & 07777) != FILE_MODE)
			(void)chmod(path, FILE_MODE);
		free(path);
	}
	closedir(d);
}

static int
file_exists(struct store *s, const char *file)
{
	struct stat	 sb;
	char		*path;
	int		 r;

	xasprintf(&path, "%s/%s", s->dir, file);
	r = stat(path, &sb) == 0;
	free(path);
	return (r);
}

/* Names of files "TABLE.*.db" in the folder: candidates for indexes. */
static char **
list_index_files(struct store *s, const char *table, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	size_t		 tl = strlen(table), l;

	*n = 0;
	if ((d = opendir(s->dir)) == NULL)
		return (NULL);
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l <= tl + 4 || strncmp(de->d_name, table, tl) != 0 ||
		    de->d_name[tl] != '.' ||
		    strcmp(de->d_name + l - 3, ".db") != 0 ||
		    l == tl + 3)
			continue;
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	return (v);
}

/* Opening databases. */

/* Up to 8 bytes as a big-endian integer, zeros after them. */
static uint64_t
key_word(const unsigned char *p, size_t len)
{
	uint64_t	v = 0, be;
	size_t		i;

	if (len == 8) {
		memcpy(&be, p, 8);
		return (be64toh(be));
	}
	for (i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (56 - 8 * i);
	return (v);
}

/*
 * Keys in EXACTLY Berkeley DB's default order (bytes as unsigned, then
 * the shorter first), compared faster.  A lookup by id compares some
 * thirty keys on its way down the tree, and the default compares them
 * a byte at a time (12 % of a query's instructions that looks its rows
 * up by id).  Keys of up to 8 bytes (ids, and the keys a split
 * shortened in the pages above) are compared as one integer each: the
 * zeros after a shorter key's bytes tell it from a longer one only
 * where the longer one has a byte other than zero, and where they do
 * not, the shorter is first, as by default.  Only a table's read-only
 * handle (st->rd) has it: the handles that write keep the default, and
 * its shortening of keys in the pages above, so every file is made as
 * before.
 */
int
store_key_cmp(DB *db, const DBT *a, const DBT *b)
{
	const unsigned char *pa = a->data, *pb = b->data;
	uint64_t	 wa, wb;
	size_t		 n;
	int		 r;

	(void)db;
	/* Two whole ids, most of the compares of a lookup: a load each,
	 * no loop over the bytes (a third of what the compare cost). */
	if (a->size == 8 && b->size == 8) {
		memcpy(&wa, pa, 8);
		memcpy(&wb, pb, 8);
		if (wa == wb)
			return (0);
		return (be64toh(wa) < be64toh(wb) ? -1 : 1);
	}
	if (a->size <= 8 && b->size <= 8) {
		wa = key_word(pa, a->size);
		wb = key_word(pb, b->size);
		if (wa != wb)
			return (wa < wb ? -1 : 1);
	} else {
		n = a->size < b->size ? a->size : b->size;
		if (n != 0 && (r = memcmp(pa, pb, n)) != 0)
			return (r < 0 ? -1 : 1);
	}
	return (a->size < b->size ? -1 : a->size > b->size);
}

static int
db_open(struct store *s, DB_TXN *txn, DB **dbp, const char *file, int dup,
    int rdonly, int keycmp, struct buf *err)
{
	DB	*db;
	int	 ret;

	*dbp = NULL;
	if ((ret = DBCALL(db_create(&db, s->env, 0))) != 0)
		return (store_fail(NULL, ret, err, _("cannot open '%s': %s"),
		    file, store_strerror(ret)));
	if (dup && (ret = DBCALL(db->set_flags(db, DB_DUPSORT))) != 0)
		goto fail;
	if (keycmp && (ret = DBCALL(db->set_bt_compare(db, store_key_cmp))) !=
	    0)
		goto fail;
	/* For a file created now; an existing one keeps its own. */
	if (!rdonly && (ret = DBCALL(db->set_pagesize(db, STORE_PAGESIZE))) !=
	    0)
		goto fail;
	ret = DBCALL(db->open(db, txn, file, NULL, DB_BTREE,
	    DB_THREAD | (rdonly ? DB_RDONLY : DB_CREATE), FILE_MODE));
	if (ret != 0)
		goto fail;
	*dbp = db;
	return (0);
fail:
	store_fail(NULL, ret, err, _("cannot open '%s' in '%s': %s"), file,
	    s->dir, store_strerror(ret));
	(void)DBCLOSE(db->close(db, 0));
	return (-1);
}

int
store_db_open(struct store *s, DB_TXN *txn, DB **dbp, const char *file,
    int dup, int rdonly, struct buf *err)
{
	return (db_open(s, txn, dbp, file, dup, rdonly, 0, err));
}

void
store_db_close(DB **dbp)
{
	if (*dbp != NULL) {
		(void)DBCLOSE((*dbp)->close(*dbp, 0));
		*dbp = NULL;
	}
}

static int
txn_begin(struct store *s, DB_TXN **txn, struct buf *err)
{
	int	ret;

	if ((ret = DBCALL(s->env->txn_begin(s->env, NULL, txn, 0))) != 0)
		return (store_fail(NULL, ret, err, _("cannot begin a "
		    "transaction in '%s': %s"), s->dir, store_strerror(ret)));
	return (0);
}

static int
txn_commit(struct store *s, DB_TXN *txn, struct buf *err)
{
	int	ret;

	if (store_fault_hit()) {
		ret = store_fault_ret;
		(void)txn->abort(txn);
	} else
		ret = txn->commit(txn, 0);
	if (ret != 0)
		return (store_fail(NULL, ret, err, _("cannot commit in '%s': "
		    "%s"), s->dir, store_strerror(ret)));
	return (0);
}

static void
txn_abort(DB_TXN *txn)
{
	if (txn != NULL)
		(void)DBCLOSE(txn->abort(txn));
}

/* Meta helpers used while opening (transaction given). */

static int
meta_get(struct store *s, DB_TXN *txn, const char *key, struct buf *out,
    struct buf *err)
{
	DBT	k, d;
	int	ret;

	store_dbt(&k, key, strlen(key));
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_MALLOC;
	ret = DBCALL(s->meta->get(s->meta, txn, &k, &d, DB_RMW));
	if (ret == DB_NOTFOUND)
		return (STORE_NOTFOUND);
	if (ret != 0)
		return (store_fail(NULL, ret, err, _("cannot read '%s' in "
		    "'%s': %s"), "meta.db", s->dir, store_strerror(ret)));
	buf_reset(out);
	buf_add(out, d.data, d.size);
	free(d.data);
	return (0);
}

static int
meta_put(struct store *s, DB_TXN *txn, const char *key, const void *val,
    size_t len, struct buf *err)
{
	DBT	k, d;
	int	ret;

	store_dbt(&k, key, strlen(key));
	store_dbt(&d, val, len);
	if ((ret = DBCALL(s->meta->put(s->meta, txn, &k, &d, 0))) != 0)
		return (store_fail(NULL, ret, err, _("cannot write '%s' in "
		    "'%s': %s"), "meta.db", s->dir, store_strerror(ret)));
	return (0);
}

static int
meta_del(struct store *s, DB_TXN *txn, const char *key, struct buf *err)
{
	DBT	k;
	int	ret;

	store_dbt(&k, key, strlen(key));
	ret = DBCALL(s->meta->del(s->meta, txn, &k, 0));
	if (ret != 0 && ret != DB_NOTFOUND)
		return (store_fail(NULL, ret, err, _("cannot write '%s' in "
		    "'%s': %s"), "meta.db", s->dir, store_strerror(ret)));
	return (0);
}

/*
 * Field ids: "field:TABLE:NAME" -> u16 id, then the type's name, a NUL
 * and 'A' when the field is set in every record (f->always) or 'N'.  An
 * id is given once per name and never reused, so a field removed from a
 * form and added back finds its data again, and records never need
 * rewriting when a form changes.
 */
static int
assign_field_ids(struct store *s, DB_TXN *txn, struct buf *err)
{
	struct buf	 key = BUF_INIT, val = BUF_INIT, next = BUF_INIT;
	struct table	*t;
	struct field	*f;
	const char	*tn;
	unsigned	 nextid, id;
	size_t		 i, j, tl;
	int		 r, rc = -1, fresh, flag;

	for (i = 0; i < s->schema->ntables; i++) {
		t = s->schema->tables[i];
		buf_set(&key, "fieldnext:%s", t->name);
		r = meta_get(s, txn, key.data, &next, err);
		if (r == -1)
			goto out;
		/* A table seen for the first time has no records yet. */
		fresh = r == STORE_NOTFOUND;
		nextid = r == STORE_NOTFOUND || next.len != 2 ? 1 :
		    (unsigned)((unsigned char)next.data[0] << 8 |
		    (unsigned char)next.data[1]);
		for (j = 0; j < t->nfields; j++) {
			f = &t->fields[j];
			tn = field_type_name(f->type);
			buf_set(&key, "field:%s:%s", t->name, f->name);
			r = meta_get(s, txn, key.data, &val, err);
			if (r == -1)
				goto out;
			if (r == 0 && val.len >= 2) {
				id = (unsigned)((unsigned char)val.data[0] <<
				    8 | (unsigned char)val.data[1]);
				if (strcmp(val.data + 2, tn) != 0) {
					buf_error(err, _("field '%s' of table "
					    "'%s' changed type from %s to %s "
					    "in %s:%d; migrate the data "
					    "first"), f->name, t->name,
					    val.data + 2, tn,
					    t->file != NULL ? t->file : "?",
					    f->line);
					goto out;
				}
				f->id = (uint16_t)id;
				/*
				 * Set in every record only if required since
				 * the table began: 'A' after the type, 'N'
				 * once not so (added later, or optional at
				 * some start), for good.  Files from before
				 * the flag are taken as their forms say.
				 */
				tl = 2 + strlen(tn);
				flag = val.len > tl + 1 ? val.data[tl + 1] :
				    f->required ? 'A' : 'N';
				if (flag == 'A' && !f->required)
					flag = 'N';
				f->always = f->required && flag == 'A';
				if (val.len != tl + 2 || val.data[tl + 1] !=
				    flag) {
					buf_truncate(&val, tl);
					buf_addch(&val, '\0');
					buf_addch(&val, flag);
					if (meta_put(s, txn, key.data, val.data,
					    val.len, err) == -1)
						goto out;
				}
				continue;
			}
			if (nextid > 0xffff) {
				buf_error(err, _("table '%s' has run out of "
				    "field ids"), t->name);
				goto out;
			}
			f->id = (uint16_t)nextid++;
			/* A field added to a table with records is missing
			 * from them, required or not. */
			f->always = f->required && fresh;
			buf_reset(&val);
			buf_addch(&val, f->id >> 8);
			buf_addch(&val, f->id & 0xff);
			buf_adds(&val, tn);
			buf_addch(&val, '\0');
			buf_addch(&val, f->always ? 'A' : 'N');
			if (meta_put(s, txn, key.data, val.data, val.len,
			    err) == -1)
				goto out;
		}
		buf_reset(&next);
		buf_addch(&next, (int)(nextid >> 8));
		buf_addch(&next, (int)(nextid & 0xff));
		buf_set(&key, "fieldnext:%s", t->name);
		if (meta_put(s, txn, key.data, next.data, next.len, err) == -1)
			goto out;
	}
	rc = 0;
out:
	buf_release(&key);
	buf_release(&val);
	buf_release(&next);
	return (rc);
}

/* The index descriptors of a table, from its fields and constraints. */
static void
index_add(struct store_table *st, enum six_kind kind, int ixkind,
    const struct field *f, const struct unique *u)
{
	struct store_index *ix;
	static const char *kinds[] = { "", "exact", "folded", "", "unique" };

	st->ix = xreallocarray(st->ix, st->nix + 1, sizeof(*st->ix));
	ix = &st->ix[st->nix++];
	memset(ix, 0, sizeof(*ix));
	ix->kind = kind;
	ix->ixkind = ixkind;
	ix->field = f;
	ix->uq = u;
	switch (kind) {
	case SIX_FIELD:
		ix->unique = ixkind == IX_UNIQUE;
		ix->packed = ix->unique ? 0 : f->shared ? PACK_CHUNKS :
		    PACK_RUNS;
		xasprintf(&ix->file, "%s.%s.%s.db", st->t->name, f->name,
		    kinds[ixkind]);
		break;
	case SIX_UNIQUE:
		ix->unique = 1;
		xasprintf(&ix->file, "%s.unique.%s.db", st->t->name, u->name);
		break;
	case SIX_SEARCH:
		/* Posting lists (words.c); "TABLE.search.db" was the
		 * associated index of before, removed on open. */
		xasprintf(&ix->file, "%s.words.db", st->t->name);
		break;
	}
}

static void
table_indexes(struct store_table *st)
{
	const struct table *t = st->t;
	const struct field *f;
	size_t		 i;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		if ((f->index & IX_EXACT) || f->type == FT_REF)
			index_add(st, SIX_FIELD, IX_EXACT, f, NULL);
		if (f->index & IX_FOLDED)
			index_add(st, SIX_FIELD, IX_FOLDED, f, NULL);
		if (f->index & IX_UNIQUE)
			index_add(st, SIX_FIELD, IX_UNIQUE, f, NULL);
	}
	for (i = 0; i < t->nuniques; i++)
		index_add(st, SIX_UNIQUE, 0, NULL, &t->uniques[i]);
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].index & IX_SEARCH) {
			index_add(st, SIX_SEARCH, 0, NULL, NULL);
			break;
		}
	/* Pointers into st->ix only once it stops moving. */
	for (i = 0; i < st->nix; i++) {
		st->ix[i].st = st;
		st->ix[i].sig = sec_signature(&st->ix[i]);
		if (st->ix[i].kind == SIX_SEARCH)
			st->search = &st->ix[i];
	}
}

/*
 * Count the records of a primary that has no count yet, or their
 * archived ones where a store from before that count kept the record
 * count alone (rec.c keeps both from then on).  The archived flag is
 * byte 1 of a record (encode.c), so two bytes of each are read: once,
 * at the first open by a program that keeps the count, a read of the
 * whole table.
 */
static int
count_init(struct store_table *st, DB_TXN *txn, struct buf *err)
{
	unsigned char	 zero[8] = { 0 }, cnt[STORE_COUNT_LEN], head[2];
	uint64_t	 n = 0, archived = 0;
	DBT		 k, d;
	DBC		*c;
	int		 ret, r2, have = 0;

	store_dbt(&k, zero, 8);
	memset(&d, 0, sizeof(d));
	d.data = cnt;
	d.ulen = sizeof(cnt);
	d.flags = DB_DBT_USERMEM;
	ret = DBCALL(st->db->get(st->db, txn, &k, &d, 0));
	if (ret == 0 && d.size == STORE_COUNT_LEN)
		return (0);
	if (ret == 0 && d.size == 8)
		have = 1;	/* the records counted; the archived not */
	else if (ret != DB_NOTFOUND && ret != 0)
		goto fail;
	if ((ret = DBCALL(st->db->cursor(st->db, txn, &c,
	    DB_READ_COMMITTED))) != 0)
		goto fail;
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	d.data = head;
	d.ulen = sizeof(head);
	d.dlen = sizeof(head);
	d.flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
	while ((ret = DBCALL(c->get(c, &k, &d, DB_NEXT))) == 0) {
		if (k.size != 8 || store_id_unkey(k.data) == 0)
			continue;
		n++;
		if (d.size > 1 && (head[1] & REC_ARCHIVED))
			archived++;
	}
	r2 = DBCLOSE(c->close(c));
	if (ret == DB_NOTFOUND)
		ret = r2;
	if (ret != 0)
		goto fail;
	/* The count kept so far stays the count: store_check() says so
	 * when it is wrong. */
	if (!have)
		store_id_key(cnt, n);
	store_id_key(cnt + 8, archived);
	store_dbt(&k, zero, 8);
	store_dbt(&d, cnt, sizeof(cnt));
	if ((ret = DBCALL(st->db->put(st->db, txn, &k, &d, 0))) != 0)
		goto fail;
	return (0);
fail:
	return (store_fail(NULL, ret, err, _("cannot open table '%s': %s"),
	    st->t->name, store_strerror(ret)));
}

static int
seq_open(struct store *s, DB_TXN *txn, DB_SEQUENCE **seqp, const char *name,
    int32_t cache, struct buf *err)
{
	DB_SEQUENCE	*seq;
	char		*key;
	DBT		 k;
	int		 ret;

	*seqp = NULL;
	if ((ret = DBCALL(db_sequence_create(&seq, s->seqdb, 0))) != 0)
		return (store_fail(NULL, ret, err, _("cannot open the "
		    "sequence of '%s': %s"), name, store_strerror(ret)));
	xasprintf(&key, "seq:%s", name);
	store_dbt(&k, key, strlen(key));
	if ((ret = DBCALL(seq->initial_value(seq, 1))) != 0 ||
	    (ret = DBCALL(seq->set_cachesize(seq, cache))) != 0 ||
	    (ret = DBCALL(seq->set_flags(seq, DB_SEQ_INC))) != 0 ||
	    (ret = DBCALL(seq->open(seq, txn, &k, DB_CREATE | DB_THREAD))) !=
	    0) {
		free(key);
		store_fail(NULL, ret, err, _("cannot open the sequence of "
		    "'%s': %s"), name, store_strerror(ret));
		(void)DBCLOSE(seq->close(seq, 0));
		return (-1);
	}
	free(key);
	*seqp = seq;
	return (0);
}

/*
 * Make the sequence name anew at next, in one transaction: Berkeley DB
 * has no call to set a sequence back, so it is removed and created
 * again.  Nothing may use the sequence meanwhile (the store is opening
 * or closing).  The new handle goes into *seqp when keep is set, else
 * it is closed.  On any failure the old value stays, *seqp NULL: -1.
 */
static int
seq_set(struct store *s, DB_SEQUENCE **seqp, const char *name,
    int32_t cache, db_seq_t next, int keep)
{
	DB_SEQUENCE	*seq = *seqp;
	DB_TXN		*txn = NULL;
	char		*key = NULL;
	DBT		 k;
	int		 ret;

	if (DBCALL(s->env->txn_begin(s->env, NULL, &txn, 0)) != 0)
		return (-1);
	*seqp = NULL;
	if ((ret = DBCALL(seq->remove(seq, txn, 0))) != 0)
		goto fail;
	if ((ret = DBCALL(db_sequence_create(&seq, s->seqdb, 0))) != 0)
		goto fail;
	xasprintf(&key, "seq:%s", name);
	store_dbt(&k, key, strlen(key));
	if ((ret = DBCALL(seq->initial_value(seq, next))) != 0 ||
	    (ret = DBCALL(seq->set_cachesize(seq, cache))) != 0 ||
	    (ret = DBCALL(seq->set_flags(seq, DB_SEQ_INC))) != 0 ||
	    (ret = DBCALL(seq->open(seq, txn, &k, DB_CREATE | DB_EXCL |
	    DB_THREAD))) != 0) {
		(void)seq->close(seq, 0);
		goto fail;
	}
	free(key);
	if ((ret = DBCLOSE(txn->commit(txn, 0))) != 0) {
		(void)seq->close(seq, 0);
		return (-1);
	}
	/* An open takes no block yet: the first get does. */
	if (keep)
		*seqp = seq;
	else
		(void)DBCLOSE(seq->close(seq, 0));
	return (0);
fail:
	free(key);
	(void)txn->abort(txn);
	return (-1);
}

/*
 * Give back the ids a sequence took for its cache and did not hand out,
 * at a clean close: the stored value is the end of the cached block, so
 * without this the next open would start there, and a personal server
 * (which ends when idle) would number a client 101 after clients 1 and
 * 2.  On any failure the old value stays: a gap, which the next open
 * closes (seq_settle()).
 */
static void
seq_give_back(struct store *s, DB_SEQUENCE **seqp, const char *name,
    int32_t cache)
{
	DB_SEQUENCE_STAT *sp = NULL;
	DB_SEQUENCE	*seq = *seqp;
	db_seq_t	 next;
	int		 behind;

	if (seq == NULL || s->seqdb == NULL)
		return;
	if (DBCALL(seq->stat(seq, &sp, 0)) != 0)
		return;
	next = sp->st_value;
	behind = sp->st_value < sp->st_current;
	free(sp);
	if (behind)
		(void)seq_set(s, seqp, name, cache, next, 0);
}

/*
 * The largest id a table has had, committed: its primary's last key, or
 * if larger the last id its audit trail knows (a record purged since:
 * its id is never given again).  Every insert writes its audit entry in
 * its own transaction, so after recovery this is exact.  0 when none.
 */
int
store_last_id(DB *db, DB_TXN *txn, uint64_t *id)
{
	unsigned char	 kb[8];
	DBC		*c;
	DBT		 k, d;
	int		 ret, r2;

	*id = 0;
	if ((ret = DBCALL(db->cursor(db, txn, &c, 0))) != 0)
		return (ret);
	memset(&k, 0, sizeof(k));
	k.data = kb;
	k.ulen = sizeof(kb);
	k.flags = DB_DBT_USERMEM;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	ret = DBCALL(c->get(c, &k, &d, DB_LAST));
	r2 = DBCLOSE(c->close(c));
	if (ret == 0 && k.size == sizeof(kb))
		*id = store_id_unkey(kb);
	else if (ret == DB_NOTFOUND)
		ret = 0;
	return (ret != 0 ? ret : r2);
}

static int
table_max_id(struct store_txn *t, struct store_table *st, DB_TXN *txn,
    uint64_t *max, struct buf *err)
{
	uint64_t	 id = 0;
	int		 ret;

	/* (A primary's key 0, the count, is not 8 bytes: none.) */
	ret = store_last_id(st->db, txn, max);
	if (ret == 0)
		ret = audit_max_id(st->s, txn, st->t, &id);
	if (ret != 0)
		goto fail;
	if (id > *max)
		*max = id;
	return (0);
fail:
	return (store_fail(t, ret, err, _("cannot read table '%s': %s"),
	    st->t->name, store_strerror(ret)));
}

/*
 * The sequence of a table set at one past the largest id it has had, at
 * every open.  A sequence stores the end of the block of ids it took
 * (SEQ_CACHE, or all the rows of a bulk load at once), outside any
 * transaction: after a crash, or a server killed during an import,
 * those never written would be skipped (tens of thousands after an
 * import), and clerkd(8) promises no gap.  An id is never given twice:
 * table_max_id() counts the purged ones.  Two reads a table.
 */
static int
seq_settle(struct store_table *st, struct buf *err)
{
	struct store	*s = st->s;
	DB_SEQUENCE_STAT *sp = NULL;
	DB_TXN		*txn;
	uint64_t	 max;
	db_seq_t	 cur;
	int		 ret;

	if (txn_begin(s, &txn, err) == -1)
		return (-1);
	if (table_max_id(NULL, st, txn, &max, err) == -1) {
		txn_abort(txn);
		return (-1);
	}
	if (txn_commit(s, txn, err) == -1)
		return (-1);
	if ((ret = DBCALL(st->seq->stat(st->seq, &sp, 0))) != 0)
		return (store_fail(NULL, ret, err, _("cannot open the "
		    "sequence of '%s': %s"), st->t->name,
		    store_strerror(ret)));
	cur = sp->st_value;
	free(sp);
	atomic_store(&st->reserved, max);
	if ((uint64_t)cur == max + 1)
		return (0);
	/* Failed before the old sequence went, it stays: a gap. */
	if (seq_set(s, &st->seq, st->t->name, SEQ_CACHE, (db_seq_t)max + 1,
	    1) == -1 && st->seq == NULL)
		return (buf_error(err, _("cannot open the sequence of '%s': "
		    "it could not be set at %llu"), st->t->name,
		    (unsigned long long)max + 1));
	return (0);
}

int
store_id_max(struct store_txn *t, const struct table *table, uint64_t *max,
    struct buf *err)
{
	struct store_table *st;

	*max = 0;
	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	return (table_max_id(t, st, t->txn, max, err));
}

int
store_id_reserve(struct store_txn *t, const struct table *table,
    uint64_t max, struct buf *err)
{
	struct store_table *st;
	DB_SEQUENCE_STAT *sp;
	db_seq_t	 next, got;
	uint64_t	 r;
	int		 ret;

	if ((st = store_table_of(t, table, err)) == NULL)
		return (-1);
	/*
	 * Until the sequence's next is past max, take the ids between:
	 * other writers may take some meanwhile, which only makes the
	 * step overshoot.  Outside the transaction, as every take.
	 */
	while ((r = atomic_load(&st->reserved)) < max) {
		sp = NULL;
		if ((ret = DBCALL(st->seq->stat(st->seq, &sp, 0))) != 0)
			goto fail;
		next = sp->st_value;
		free(sp);
		if ((uint64_t)next <= max) {
			ret = DBCALL(st->seq->get(st->seq, NULL,
			    (u_int32_t)(max + 1 - (uint64_t)next), &got,
			    DB_TXN_NOSYNC));
			if (ret != 0)
				goto fail;
			continue;
		}
		/* Past it: no later take comes at or below next - 1. */
		while (r < (uint64_t)next - 1 &&
		    !atomic_compare_exchange_weak(&st->reserved, &r,
		    (uint64_t)next - 1))
			;
	}
	return (0);
fail:
	return (store_fail(t, ret, err, _("cannot write table '%s': %s"),
	    table->name, store_strerror(ret)));
}

static void
st_close(struct store_table *st)
{
	size_t	i;

	if (st->seq != NULL) {
		(void)DBCLOSE(st->seq->close(st->seq, 0));
		st->seq = NULL;
	}
	for (i = 0; i < st->nix; i++)
		store_db_close(&st->ix[i].db);
	store_db_close(&st->rd);
	store_db_close(&st->db);
}

static void
st_release(struct store_table *st)
{
	size_t	i;

	for (i = 0; i < st->nix; i++) {
		free(st->ix[i].file);
		free(st->ix[i].sig);
	}
	free(st->ix);
	free(st->file);
}

/*
 * (key, id) pairs of an index, collected in memory and written sorted:
 * the index's B-tree is then written in key order, each page once,
 * instead of a put at a random place per key.  index_build() fills a
 * new index this way, store_load() (bulk.c) every index of a table
 * loaded empty.
 */
void
pairs_add(struct store_pairs *p, const void *key, size_t len, uint64_t id)
{
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 4096;
		p->v = xreallocarray(p->v, p->alloc, sizeof(*p->v));
	}
	p->v[p->n].head = key_head(key, len);
	p->v[p->n].off = p->keys.len;
	p->v[p->n].len = len;
	p->v[p->n++].id = id;
	p->sorted = p->grouped = 0;
	buf_add(&p->keys, key, len);
}

void
pairs_merge(struct store_pairs *p, struct store_pairs *q)
{
	size_t	n = p->n, m = q->n, i, j = 0, o = 0, base = p->keys.len;

	if (q->pre != NULL) {
		if (p->pre == NULL)
			BUG("prefix keys merged into pairs without them");
		prefixes_merge(p->pre, q->pre);
	}
	if (m == 0) {
		pairs_release(q);
		return;
	}
	/*
	 * In place, no second array (the word index's are a gigabyte): p's
	 * pairs moved to the end, then both merged from the front, which
	 * never overtakes p's (o = taken of p's + taken of q's, the next
	 * of p's at m + taken of p's).
	 */
	if (n + m > p->alloc) {
		p->alloc = n + m;
		p->v = xreallocarray(p->v, p->alloc, sizeof(*p->v));
	}
	memmove(p->v + m, p->v, n * sizeof(*p->v));
	for (i = m; i < n + m || j < m; o++) {
		if (j == m || (i < n + m && p->v[i].id < q->v[j].id))
			p->v[o] = p->v[i++];
		else {
			p->v[o] = q->v[j++];
			p->v[o].off += base;
		}
	}
	p->n = n + m;
	buf_add(&p->keys, q->keys.data, q->keys.len);
	p->sorted = p->grouped = 0;
	pairs_release(q);
}

void
pairs_reset(struct store_pairs *p)
{
	p->n = 0;
	p->sorted = p->grouped = 0;
	buf_reset(&p->keys);
	if (p->pre != NULL)
		prefixes_reset(p->pre);
}

void
pairs_release(struct store_pairs *p)
{
	free(p->v);
	buf_release(&p->keys);
	prefixes_free(p->pre);
	memset(p, 0, sizeof(*p));
}

/*
 * The first 8 bytes as a number decide most comparisons without going
 * to the key bytes (a sort of a million pairs spent most of its time
 * waiting for them to come into the cache).
 */
static int
pair_cmp(const void *va, const void *vb, void *arg)
{
	const struct store_pair *a = va, *b = vb;
	const char	*keys = arg;
	int		 c;

	if ((c = key_cmp_headed(a->head, keys + a->off, a->len, b->head,
	    keys + b->off, b->len)) != 0)
		return (c);
	return (a->id < b->id ? -1 : a->id > b->id);
}

/* Bytes [at, at + 8) of a key, big-endian, zero-padded past its end. */
static uint64_t
key_chunk(const char *keys, const struct store_pair *p, size_t at)
{
	return (p->len > at ? key_head(keys + p->off + at, p->len - at) : 0);
}

/* Is a in pair_cmp() order? */
static int
pairs_sorted(const struct store_pair *a, size_t n, const char *keys)
{
	size_t	i;

	for (i = 1; i < n; i++)
		if (pair_cmp(&a[i - 1], &a[i], (void *)keys) > 0)
			return (0);
	return (1);
}

/*
 * Sort the n pairs at d by bytes b to 7 of their heads (byte 0 the most
 * significant), stably, s as many pairs of room; the result in s if
 * to_s, else in d.  The most significant byte first, each bucket then
 * on its own, down to buckets small enough for the cache, which are
 * sorted from their least significant byte up: a large array goes
 * through memory a few times, where a pass a byte over all of it went
 * through it eight times.  The word index's 28.6 million pairs of a
 * million parties: 4.5 and 3.9 s, against 4.9 and 5.3 s by passes over
 * all of them (two loads each, alternating).
 */
#define HEADS_SMALL	8192

/* The n pairs at x into y by the byte of their heads at shift, stably,
 * and 1, with count[i] where byte value i's end; 0, nothing moved, when
 * every pair has the same byte there. */
static int
heads_scatter(const struct store_pair *x, struct store_pair *y, size_t n,
    unsigned shift, size_t *count)
{
	size_t	i, sum, c;

	memset(count, 0, 256 * sizeof(*count));
	for (i = 0; i < n; i++)
		count[(x[i].head >> shift) & 0xff]++;
	if (count[(x[0].head >> shift) & 0xff] == n)
		return (0);
	for (i = 0, sum = 0; i < 256; i++) {
		c = count[i];
		count[i] = sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		y[count[(x[i].head >> shift) & 0xff]++] = x[i];
	return (1);
}

static void
heads_sort(struct store_pair *d, struct store_pair *s, size_t n, unsigned b,
    int to_s)
{
	struct store_pair *x = d, *y = s, *t;
	size_t		 count[256], i, from;
	unsigned	 k;

	if (b == 8 || n < 2) {
		if (to_s)
			memcpy(s, d, n * sizeof(*d));
		return;
	}
	if (n <= HEADS_SMALL) {
		for (k = 8; k-- > b;) {
			if (!heads_scatter(x, y, n, 8 * (7 - k), count))
				continue;
			t = x;
			x = y;
			y = t;
		}
		if ((x == s) != to_s)
			memcpy(to_s ? s : d, x, n * sizeof(*d));
		return;
	}
	if (!heads_scatter(d, s, n, 8 * (7 - b), count)) {
		heads_sort(d, s, n, b + 1, to_s);
		return;
	}
	for (i = 0, from = 0; i < 256; from = count[i++])
		if (count[i] > from)
			heads_sort(s + from, d + from, count[i] - from, b + 1,
			    !to_s);
}

/*
 * Sort pairs that share their first at bytes as pair_cmp() orders them:
 * a stable radix sort on the next 8 bytes (in head; pairs come in id
 * order, which it keeps), then the same on the 8 after them within each
 * run of equal bytes that is not in order yet.  tmp holds n pairs.
 */
static void
pairs_radix(struct store_pair *a, size_t n, size_t at, const char *keys,
    struct store_pair *tmp)
{
	size_t		 i, j, maxlen = 0;

	if (n < 64) {
		qsort_r(a, n, sizeof(*a), pair_cmp, (void *)keys);
		return;
	}
	for (i = 0; i < n; i++) {
		if (at != 0)
			a[i].head = key_chunk(keys, &a[i], at);
		if (a[i].len > maxlen)
			maxlen = a[i].len;
	}
	if (maxlen <= at) {
		/* The keys are equal but for their lengths. */
		qsort_r(a, n, sizeof(*a), pair_cmp, (void *)keys);
		return;
	}
	heads_sort(a, tmp, n, 0, 0);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && a[j].head == a[i].head; j++)
			;
		if (j - i > 1 && !pairs_sorted(a + i, j - i, keys))
			pairs_radix(a + i, j - i, at + 8, keys, tmp);
	}
}

/* The processors online, asked once. */
int
store_ncpu(void)
{
	static atomic_int ncpu;
	int		 c;

	if ((c = atomic_load(&ncpu)) == 0) {
		c = (int)sysconf(_SC_NPROCESSORS_ONLN);
		atomic_store(&ncpu, c < 1 ? 1 : c);
	}
	return (c);
}

/*
 * A sort of many pairs in two threads.  Its largest parts are scattered
 * by the next byte of their heads until none holds more than an eighth
 * of the pairs: the parts are then in order of one another, and each
 * is sorted on its own (pairs_radix()), the largest first, by whichever
 * thread has sorted fewer pairs so far.  Word keys of one alphabet
 * share their first byte, so an even split takes a byte or two.
 */
#define SORT_SPLIT_MIN	((size_t)1 << 20)	/* pairs */
#define SORT_PARTS	512

struct sort_part {
	size_t		 lo, n;
	unsigned	 b;		/* bytes of the heads all share */
	unsigned	 who;		/* the thread that sorts it, 0 or 1 */
};

struct sort_half {
	struct store_pair *v, *tmp;
	const char	*keys;
	struct sort_part *part;
	size_t		 npart;
	unsigned	 mine;		/* the parts of which who is this */
};

static void *
sort_half(void *arg)
{
	struct sort_half *h = arg;
	struct sort_part *q;
	size_t		 i;

	for (i = 0; i < h->npart; i++) {
		q = &h->part[i];
		if (q->who == h->mine)
			pairs_radix(h->v + q->lo, q->n, 0, h->keys,
			    h->tmp + q->lo);
	}
	return (NULL);
}

static int
part_size_cmp(const void *va, const void *vb)
{
	const struct sort_part *a = va, *b = vb;

	return (a->n < b->n ? 1 : a->n > b->n ? -1 : 0);
}

static void
pairs_sort_two(struct store_pair *v, size_t n, const char *keys,
    struct store_pair *tmp)
{
	struct sort_part part[SORT_PARTS], *q;
	struct sort_half h[2];
	size_t		 count[256], npart = 1, big, i, from, lo;
	size_t		 done[2] = { 0, 0 };
	pthread_t	 th;
	unsigned	 b;
	int		 first;

	part[0].lo = 0;
	part[0].n = n;
	part[0].b = 0;
	for (;;) {
		for (big = 0, i = 1; i < npart; i++)
			if (part[i].n > part[big].n)
				big = i;
		q = &part[big];
		if (q->n <= n / 8 || q->b == 8 || npart + 256 > SORT_PARTS)
			break;
		if (!heads_scatter(v + q->lo, tmp + q->lo, q->n,
		    8 * (7 - q->b), count)) {
			q->b++;
			continue;
		}
		memcpy(v + q->lo, tmp + q->lo, q->n * sizeof(*v));
		/* The part replaced by its first bucket, the others added. */
		lo = q->lo;
		b = q->b + 1;
		first = 1;
		for (i = 0, from = 0; i < 256; from = count[i++]) {
			if (count[i] == from)
				continue;
			q = first ? &part[big] : &part[npart++];
			first = 0;
			q->lo = lo + from;
			q->n = count[i] - from;
			q->b = b;
		}
	}
	qsort(part, npart, sizeof(*part), part_size_cmp);
	for (i = 0; i < npart; i++) {
		part[i].who = done[1] < done[0];
		done[part[i].who] += part[i].n;
	}
	h[0].v = v;
	h[0].tmp = tmp;
	h[0].keys = keys;
	h[0].part = part;
	h[0].npart = npart;
	h[0].mine = 0;
	h[1] = h[0];
	h[1].mine = 1;
	if (pthread_create(&th, NULL, sort_half, &h[1]) != 0) {
		/* Then alone, every part. */
		for (i = 0; i < npart; i++)
			part[i].who = 0;
		(void)sort_half(&h[0]);
		return;
	}
	(void)sort_half(&h[0]);
	pthread_join(th, NULL);
}

/*
 * Sort pairs as pair_cmp() orders them.  A load's batch has a million
 * pairs and more (the word index's), and qsort_r() spent 1,500
 * instructions a pair on them; a radix sort on 8 bytes of the keys at a
 * time, most of it on the heads that are in the pairs, spends a third.
 * The heads are spoilt (pairs_write() needs them no more).
 */
void
pairs_sort(struct store_pairs *p)
{
	struct store_pair *tmp;

	if (p->sorted)
		return;
	p->sorted = 1;
	if (p->n < 2)
		return;
	tmp = xreallocarray(NULL, p->n, sizeof(*tmp));
	if (p->n >= SORT_SPLIT_MIN && store_ncpu() > 1)
		pairs_sort_two(p->v, p->n, p->keys.data, tmp);
	else
		pairs_radix(p->v, p->n, 0, p->keys.data, tmp);
	free(tmp);
}

/*
 * Each pair of the sorted keys marked (head) when its key is the one
 * before's, for words_load(): the keys, scattered in memory in sorted
 * order, compared once here, by whoever has the time (bulk.c).
 */
void
pairs_group(struct store_pairs *p)
{
	const char	*keys;
	size_t		 i;

	if (p->pre != NULL)
		prefixes_group(p->pre);
	pairs_sort(p);
	if (p->grouped)
		return;
	keys = p->keys.data;
	for (i = p->n; i-- > 1;)
		p->v[i].head = p->v[i].len == p->v[i - 1].len &&
		    memcmp(keys + p->v[i].off, keys + p->v[i - 1].off,
		    p->v[i].len) == 0;
	if (p->n > 0)
		p->v[0].head = 0;
	p->grouped = 1;
}

/*
 * Puts of many key/data pairs, gathered in a buffer as DB_MULTIPLE_KEY
 * lays them out, then written on one cursor marked transient (as
 * store_lookup_cursor() marks its own): Berkeley DB then puts each on
 * the cursor itself, where DB->put(DB_MULTIPLE_KEY) duplicated its
 * cursor for every pair and closed one of the two after it, so that a
 * failed put would leave it where it was (8 % of an import's index
 * writes, callgrind).  A failed put fails the whole load here, the
 * cursor's position is of no use after it, and the cursor is closed
 * at the end of each buffer.  The same B-tree inserts and log records.
 */
#define BULK_BYTES	(1024 * 1024)

void
bulk_init(struct store_bulk *b, DB *db, DB_TXN *txn)
{
	void	*mem;

	memset(b, 0, sizeof(*b));
	b->db = db;
	b->txn = txn;
	mem = xmalloc(BULK_BYTES);
	b->k.data = mem;
	b->k.ulen = BULK_BYTES;
	b->k.flags = DB_DBT_USERMEM;
	DB_MULTIPLE_WRITE_INIT(b->p, &b->k);
}

int
bulk_flush(struct store_bulk *b)
{
	DBC	*c;
	DBT	 k, d;
	void	*it, *kp, *dp;
	size_t	 klen, dlen;
	int	 ret, t_ret;

	if (b->n == 0)
		return (0);
	if ((ret = DBCALL(b->db->cursor(b->db, b->txn, &c, 0))) != 0)
		goto out;
	c->flags |= DBC_TRANSIENT;
	DB_MULTIPLE_INIT(it, &b->k);
	for (;;) {
		DB_MULTIPLE_KEY_NEXT(it, &b->k, kp, klen, dp, dlen);
		if (it == NULL)
			break;
		store_dbt(&k, kp, klen);
		store_dbt(&d, dp, dlen);
		if ((ret = DBCALL(c->put(c, &k, &d, DB_KEYLAST))) != 0)
			break;
	}
	if ((t_ret = DBCLOSE(c->close(c))) != 0 && ret == 0)
		ret = t_ret;
out:
	bulk_reset(b);
	return (ret);
}

void
bulk_reset(struct store_bulk *b)
{
	b->n = 0;
	b->k.flags = DB_DBT_USERMEM;
	DB_MULTIPLE_WRITE_INIT(b->p, &b->k);
}

int
bulk_put(struct store_bulk *b, const void *key, size_t klen,
    const void *data, size_t dlen)
{
	int	ret;

	DB_MULTIPLE_KEY_WRITE_NEXT(b->p, &b->k, key, klen, data, dlen);
	if (b->p != NULL) {
		b->n++;
		return (0);
	}
	/* Full: written, and the pair again into the empty buffer. */
	if (b->n == 0)
		return (EINVAL);
	if ((ret = b->full != NULL ? b->full(b, b->farg) : bulk_flush(b)) != 0)
		return (ret);
	DB_MULTIPLE_KEY_WRITE_NEXT(b->p, &b->k, key, klen, data, dlen);
	if (b->p == NULL)
		return (EINVAL);
	b->n++;
	return (0);
}

void
bulk_release(struct store_bulk *b)
{
	free(b->k.data);
	b->k.data = NULL;
}

/* words_load()'s question when nothing is known: not new. */
static int
token_known(const void *key, size_t len, void *arg)
{
	(void)key;
	(void)len;
	(void)arg;
	return (0);
}

int
pairs_write(struct store_index *ix, DB_TXN *txn, struct store_pairs *p,
    int (*isnew)(const void *, size_t, void *), void *arg, uint64_t *dup)
{
	unsigned char	 idb[8];
	DB		*w = ix->db;
	DBT		 k, d;
	size_t		 i;
	int		 ret = 0;

	pairs_sort(p);
	if (index_chunked(ix)) {
		/* Every posting an add, ids above the index's; without
		 * isnew (index_build()) every token is taken to be there,
		 * and appended to. */
		pairs_group(p);
		return (words_load(w, txn, p, isnew != NULL ? isnew :
		    token_known, arg));
	}
	if (ix->packed == PACK_RUNS)
		return (runs_load(w, txn, p));
	/* Unique: each put refuses a key taken. */
	for (i = 0; i < p->n; i++) {
		store_dbt(&k, p->keys.data + p->v[i].off, p->v[i].len);
		store_id_key(idb, p->v[i].id);
		store_dbt(&d, idb, 8);
		ret = DBCALL(w->put(w, txn, &k, &d, DB_NOOVERWRITE));
		if (ret == DB_KEYEXIST) {
			/* Whose key it is already. */
			dup[1] = p->v[i].id;
			store_dbt(&d, idb, 8);
			d.ulen = 8;
			d.flags = DB_DBT_USERMEM;
			ret = DBCALL(w->get(w, txn, &k, &d, 0));
			if (ret != 0)
				return (ret);
			dup[0] = d.size == 8 ? store_id_unkey(idb) : 0;
			return (DB_KEYEXIST);
		}
		if (ret != 0)
			return (ret);
	}
	return (0);
}

/* Records of a batch: from id after, up to BUILD_BATCH of them, their
 * pairs added to pairs. */
static int
build_collect(struct store_table *st, struct store_index *ix, DB_TXN *txn,
    uint64_t *after, struct store_pairs *pairs, size_t *nrec,
    struct buf *err)
{
	struct keyset	 one;
	unsigned char	 kb[8];
	size_t		 j;
	uint64_t	 id;
	DBT		 k, d;
	DBC		*c;
	int		 ret, r2;

	*nrec = 0;
	if ((ret = DBCALL(st->db->cursor(st->db, txn, &c, 0))) != 0)
		goto fail;
	keyset_init(&one);
	store_id_key(kb, *after + 1);
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	k.flags = d.flags = DB_DBT_REALLOC;
	k.data = xmemdup(kb, 8);
	k.size = 8;
	for (ret = DBCALL(c->get(c, &k, &d, DB_SET_RANGE));
	    ret == 0 && *nrec < BUILD_BATCH;
	    ret = DBCALL(c->get(c, &k, &d, DB_NEXT))) {
		id = k.size == 8 ? store_id_unkey(k.data) : 0;
		if (id == 0)
			continue;
		(*nrec)++;
		*after = id;
		/* One record's keys at a time: the index_* functions sort
		 * and de-duplicate the whole key set they are given. */
		keyset_reset(&one);
		if (sec_data_keys(ix, d.data, d.size, &one) == -1) {
			free(k.data);
			free(d.data);
			keyset_release(&one);
			(void)DBCLOSE(c->close(c));
			return (rec_undecodable(st->t, id, err));
		}
		for (j = 0; j < one.n; j++)
			pairs_add(pairs, one.bytes.data + one.off[j],
			    one.len[j], id);
	}
	free(k.data);
	free(d.data);
	keyset_release(&one);
	r2 = DBCLOSE(c->close(c));
	if (ret == DB_NOTFOUND || ret == 0)
		ret = r2;
	if (ret == 0)
		return (0);
fail:
	return (store_fail(NULL, ret, err, _("cannot build the index '%s': "
	    "%s"), ix->file, store_strerror(ret)));
}

/*
 * Fill a new, empty index from the records, a batch per transaction, so
 * a table of any size never needs more locks than a batch takes.  Its
 * signature is written only at the end: a build cut short is redone at
 * the next open.  Runs in store_open(), before any other thread can use
 * the store (whose writes maintain the index from then on).
 *
 * An index in runs gathers the pairs of its batches, up to BUILD_GATHER
 * bytes, and writes them at once: written a batch at a time, each batch
 * merged into runs all over the index, a million parties' six such
 * indexes took 36 s to build, where once gathered they go in as one
 * bulk load of sorted runs (the writes in the last batch's transaction:
 * a put a run, some 25,000 for a million names).
 */
#define BUILD_GATHER	((size_t)128 << 20)
static int
index_build(struct store_table *st, struct store_index *ix, struct buf *err)
{
	struct store	*s = st->s;
	struct store_pairs pairs;
	size_t		 nrec;
	uint64_t	 after = 0, dup[2];
	DB_TXN		*txn = NULL;
	int		 ret, rc = -1, batches = 0;

	memset(&pairs, 0, sizeof(pairs));
	buf_init(&pairs.keys);
	do {
		if (txn_begin(s, &txn, err) == -1)
			goto out;
		if (build_collect(st, ix, txn, &after, &pairs, &nrec,
		    err) == -1)
			goto out;
		ret = 0;
		if (ix->packed != PACK_RUNS || nrec < BUILD_BATCH ||
		    pairs.keys.len + pairs.n * sizeof(*pairs.v) >=
		    BUILD_GATHER) {
			ret = pairs_write(ix, txn, &pairs, NULL, NULL, dup);
			pairs_reset(&pairs);
		}
		if (ret == DB_KEYEXIST) {
			/* The data already breaks the constraint. */
			buf_error(err, _("cannot build the unique index '%s': "
			    "%s %llu and %s %llu have the same key; fix the "
			    "data first"), ix->file, st->t->name,
			    (unsigned long long)dup[0], st->t->name,
			    (unsigned long long)dup[1]);
			goto out;
		}
		if (ret != 0) {
			store_fail(NULL, ret, err, _("cannot build the index "
			    "'%s': %s"), ix->file, store_strerror(ret));
			goto out;
		}
		ret = txn_commit(s, txn, err);
		txn = NULL;
		if (ret == -1)
			goto out;
		batches++;
	} while (nrec == BUILD_BATCH);
	/*
	 * Each batch appended to the lists of the keys it shares with the
	 * batches before (every short prefix of the word index), splitting
	 * their pages: the word index of a million parties built so took
	 * 200 MB, 141 MB once compacted, and nothing compacts a store that
	 * is only read.  store_open() compacts it.
	 */
	ix->compact = batches > 1;
	rc = 0;
out:
	if (txn != NULL)
		txn_abort(txn);
	pairs_release(&pairs);
	return (rc);
}

/*
 * Open one table with all its indexes, in one transaction: an index whose
 * file is missing, or whose signature (what its keys are made of)
 * changed, is made anew and then built from the records (index_build);
 * index files the form no longer declares are removed, so adding the
 * index back later rebuilds it instead of trusting stale keys.
 */
static int
table_open(struct store_table *st, struct buf *err)
{
	struct store	*s = st->s;
	struct store_index *ix;
	struct buf	 key = BUF_INIT, val = BUF_INIT;
	DB_TXN		*txn = NULL;
	char		**files;
	size_t		 nfiles, i, j;
	int		 r, ret, rc = -1, *build;

	files = list_index_files(s, st->t->name, &nfiles);
	build = xcalloc(st->nix ? st->nix : 1, sizeof(*build));
	if (txn_begin(s, &txn, err) == -1)
		goto out;
	if (store_db_open(s, txn, &st->db, st->file, 0, 0, err) == -1 ||
	    db_open(s, txn, &st->rd, st->file, 0, 1, 1, err) == -1)
		goto out;
	for (i = 0; i < st->nix; i++) {
		ix = &st->ix[i];
		buf_set(&key, "index:%s", ix->file);
		if ((r = meta_get(s, txn, key.data, &val, err)) == -1)
			goto out;
		if (r == 0 && strcmp(val.data, ix->sig) == 0 &&
		    file_exists(s, ix->file))
			goto open;
		/* New, or its keys are made differently now: rebuild. */
		build[i] = 1;
		ix->built = 1;
		if (file_exists(s, ix->file)) {
			ret = DBCALL(s->env->dbremove(s->env, txn, ix->file,
			    NULL, 0));
			if (ret != 0) {
				store_fail(NULL, ret, err, _("cannot remove "
				    "the old index '%s': %s"), ix->file,
				    store_strerror(ret));
				goto out;
			}
		}
		if (meta_del(s, txn, key.data, err) == -1)
			goto out;
open:
		/* Unique, or packed: one item a key. */
		if (store_db_open(s, txn, &ix->db, ix->file, 0, 0, err) == -1)
			goto out;
		ix->db->app_private = ix;
	}
	/* Index files of this table that the form no longer declares. */
	for (j = 0; j < nfiles; j++) {
		for (i = 0; i < st->nix; i++)
			if (strcmp(files[j], st->ix[i].file) == 0)
				break;
		if (i < st->nix)
			continue;
		ret = DBCALL(s->env->dbremove(s->env, txn, files[j], NULL, 0));
		if (ret != 0) {
			store_fail(NULL, ret, err, _("cannot remove the old "
			    "index '%s': %s"), files[j], store_strerror(ret));
			goto out;
		}
		buf_set(&key, "index:%s", files[j]);
		if (meta_del(s, txn, key.data, err) == -1)
			goto out;
	}
	if (count_init(st, txn, err) == -1)
		goto out;
	if (seq_open(s, txn, &st->seq, st->t->name, SEQ_CACHE, err) == -1)
		goto out;
	r = txn_commit(s, txn, err);
	txn = NULL;
	if (r == -1)
		goto out;
	for (i = 0; i < st->nix; i++) {
		if (!build[i])
			continue;
		ix = &st->ix[i];
		if (index_build(st, ix, err) == -1 ||
		    txn_begin(s, &txn, err) == -1)
			goto out;
		buf_set(&key, "index:%s", ix->file);
		if (meta_put(s, txn, key.data, ix->sig, strlen(ix->sig),
		    err) == -1)
			goto out;
		r = txn_commit(s, txn, err);
		txn = NULL;
		if (r == -1)
			goto out;
	}
	rc = 0;
out:
	if (txn != NULL)
		txn_abort(txn);
	free(build);
	if (rc == -1) {
		buf_prefix(err, _("table '%s': "), st->t->name);
		st_close(st);
	}
	for (j = 0; j < nfiles; j++)
		free(files[j]);
	free(files);
	buf_release(&key);
	buf_release(&val);
	return (rc);
}

/*
 * Sized to the data as it is at open.  Sizing from the machine instead
 * (a quarter of memory, at most 4 GB, tried in cf3c5f5, since the cache
 * of a private environment cannot grow once open) did not make the
 * import of a million parties any faster (it is CPU-bound in the word
 * index and the inserts) and made the server slower through clients: at
 * 200,000 parties a page of 50 took p50 345 / p99 848 us against
 * 201 / 422 with 64 MB, the import 3,892 rows/s against 4,505.
 */
size_t
store_cache_auto(uint64_t data, uint64_t ram)
{
	uint64_t	mb, most;

	mb = (data + data / 4) >> 20;
	most = ram != 0 ? (ram / 4) >> 20 : 1024;
	if (mb > most)
		mb = most;
	if (mb < STORE_CACHE_MIN)
		mb = STORE_CACHE_MIN;
	return ((size_t)mb);
}

size_t
store_cache_mb(struct store *s)
{
	return (s->cache_mb);
}

void
store_cache_stats(struct store *s, uint64_t *hits, uint64_t *misses)
{
	DB_MPOOL_STAT	*gsp;

	*hits = *misses = 0;
	if (s->env->memp_stat(s->env, &gsp, NULL, 0) != 0)
		return;
	*hits = gsp->st_cache_hit;
	*misses = gsp->st_cache_miss;
	free(gsp);
}

/* Bytes of the database files in dir (0 for a new folder). */
static uint64_t
data_bytes(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	uint64_t	 total = 0;
	size_t		 len;
	int		 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return (0);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return (0);
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".db") != 0)
			continue;
		if (fstatat(fd, de->d_name, &sb, 0) == 0 &&
		    S_ISREG(sb.st_mode))
			total += (uint64_t)sb.st_size;
	}
	closedir(d);
	return (total);
}

uint64_t
store_ram_bytes(void)
{
	long	pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	return (pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size :
	    0);
}

void
store_set_panic(struct store *s, void (*fn)(const char *))
{
	s->panic = fn;
}

/* Berkeley DB's events: a panic goes to the store's owner. */
static void
store_event(DB_ENV *env, u_int32_t event, void *info)
{
	struct store	*s = env->app_private;

	(void)info;
	if (event == DB_EVENT_PANIC && s != NULL && s->panic != NULL)
		s->panic(store_strerror(DB_RUNRECOVERY));
}

static int
env_open(struct store *s, const struct store_options *o, struct buf *err)
{
	DB_ENV		*env;
	size_t		 mb;
	int		 ret;
	u_int32_t	 flags;

	mb = o != NULL && o->cache_mb != 0 ? o->cache_mb :
	    store_cache_auto(data_bytes(s->dir), store_ram_bytes());
	s->cache_mb = mb;
	/* The records read lately: a sixteenth of the cache again. */
	if (o == NULL || o->rcache_mb == 0)
		s->rc = rcache_new((mb < 64 ? 64 : mb) * 1024 * 1024 / 16);
	else if (o->rcache_mb > 0)
		s->rc = rcache_new((size_t)o->rcache_mb * 1024 * 1024);
	if ((ret = DBCALL(db_env_create(&env, 0))) != 0)
		return (store_fail(NULL, ret, err, _("cannot open the "
		    "database in '%s': %s"), s->dir, store_strerror(ret)));
	s->env = env;
	env->set_errcall(env, store_errcall);
	env->app_private = s;
	env->set_event_notify(env, store_event);
	/*
	 * The cache costs only what it holds (store_cache_auto): the
	 * buffers of a private environment are allocated as pages come in,
	 * and the mutexes, one per buffer and per hash bucket, as they are
	 * needed from MUTEX_INIT on rather than all at open.  Berkeley DB
	 * counts them for 4 KB pages unless told the page size: a 1 GB cache
	 * then made 370,000 mutexes at open, 55 MB of memory more than a
	 * 64 MB cache for an empty database (12 MB with the page size
	 * told, 2 MB with both; a 4 GB cache 7 MB).
	 *
	 * The detector runs whenever a lock would block, so a deadlock
	 * comes back at once as DB_LOCK_DEADLOCK and store_txn_run()
	 * retries.  The youngest transaction is the one aborted: the
	 * oldest always goes on, so a big transaction retried among many
	 * writers cannot starve (a random victim let 1-2 % of 100-insert
	 * batches among 8 writers fail 50 times in a row).
	 */
	if ((ret = DBCALL(env->set_cachesize(env, (u_int32_t)(mb / 1024),
	    (u_int32_t)((mb % 1024) * 1024 * 1024), 1))) != 0 ||
	    (ret = DBCALL(env->set_mp_pagesize(env, STORE_PAGESIZE))) != 0 ||
	    (ret = DBCALL(env->mutex_set_init(env, MUTEX_INIT))) != 0 ||
	    (ret = DBCALL(env->set_lg_bsize(env, 4 * 1024 * 1024))) != 0 ||
	    (ret = DBCALL(env->set_lg_max(env, 32 * 1024 * 1024))) != 0 ||
	    (ret = DBCALL(env->set_lg_filemode(env, FILE_MODE))) != 0 ||
	    (ret = DBCALL(env->set_lk_detect(env, DB_LOCK_YOUNGEST))) != 0 ||
	    (ret = DBCALL(env->set_lk_max_locks(env, LOCKS_MAX))) != 0 ||
	    (ret = DBCALL(env->set_lk_max_objects(env, LOCKS_MAX))) != 0 ||
	    (ret = DBCALL(env->set_memory_init(env, DB_MEM_LOCK,
	    LOCKS_INIT))) != 0 ||
	    (ret = DBCALL(env->set_memory_init(env, DB_MEM_LOCKOBJECT,
	    LOCKS_INIT))) != 0 ||
	    (ret = DBCALL(env->set_lk_tablesize(env, LOCKS_BUCKETS))) != 0 ||
	    (ret = DBCALL(env->set_lk_max_lockers(env, 20000))) != 0 ||
	    (ret = DBCALL(env->set_tx_max(env, 2000))) != 0 ||
	    (ret = DBCALL(env->log_set_config(env, DB_LOG_AUTO_REMOVE, 1))) !=
	    0)
		goto fail;
	if ((s->flags & STORE_NOSYNC) &&
	    (ret = DBCALL(env->set_flags(env, DB_TXN_WRITE_NOSYNC, 1))) != 0)
		goto fail;
	flags = DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG |
	    DB_INIT_MPOOL | DB_THREAD | DB_RECOVER | DB_PRIVATE;
	if ((ret = DBCALL(env->open(env, s->dir, flags, FILE_MODE))) != 0)
		goto fail;
	return (0);
fail:
	store_fail(NULL, ret, err, _("cannot open the database in '%s': %s"),
	    s->dir, store_strerror(ret));
	(void)DBCLOSE(env->close(env, 0));
	s->env = NULL;
	return (-1);
}

static int
base_open(struct store *s, struct buf *err)
{
	DB_TXN	*txn;
	int	 r;

	if (txn_begin(s, &txn, err) == -1)
		return (-1);
	if (store_db_open(s, txn, &s->meta, "meta.db", 0, 0, err) == -1 ||
	    store_db_open(s, txn, &s->seqdb, "seq.db", 0, 0, err) == -1 ||
	    defer_open(s, txn, err) == -1 ||
	    assign_field_ids(s, txn, err) == -1 ||
	    audit_open(s, txn, err) == -1 ||
	    seq_open(s, txn, &s->audit_seq, "audit", AUDIT_SEQ_CACHE,
	    err) == -1) {
		txn_abort(txn);
		return (-1);
	}
	r = txn_commit(s, txn, err);
	return (r);
}

/*
 * One process owns an environment (DESIGN.md §3), and a private one at
 * that: two owners would each run recovery over the other's work.  An
 * exclusive flock on "lock" in the folder makes that a clear refusal;
 * the kernel drops it when the owner dies, however it dies.
 */
int
store_lock_dir(const char *dir, struct buf *err)
{
	char	*path;
	int	 fd;

	xasprintf(&path, "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, FILE_MODE);
	free(path);
	if (fd == -1)
		return (buf_error(err, _("cannot lock the database in '%s': "
		    "%s"), dir, strerror(errno)));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		if (errno == EWOULDBLOCK)
			return (buf_error(err, _("the database in '%s' is "
			    "already in use (open in another process or "
			    "here)"), dir));
		return (buf_error(err, _("cannot lock the database in '%s': "
		    "%s"), dir, strerror(errno)));
	}
	return (fd);
}

int
store_open(struct store **sp, const char *dir, struct schema *schema,
    const struct store_options *o, struct buf *err)
{
	struct store	*s;
	struct stat	 sb;
	size_t		 i, j;

	*sp = NULL;
	if (o != NULL && (o->flags & STORE_CREATE)) {
		if (mkdir_parents(dir, err) == -1)
			return (-1);
	} else if (stat(dir, &sb) == -1)
		return (buf_error(err, _("no database in '%s': %s"), dir,
		    strerror(errno)));
	else if (!S_ISDIR(sb.st_mode))
		return (buf_error(err, _("no database in '%s': not a "
		    "folder"), dir));
	else {
		/* Without STORE_CREATE, never make a database anywhere. */
		char	*meta;
		int	 there;

		xasprintf(&meta, "%s/meta.db", dir);
		there = stat(meta, &sb) == 0;
		free(meta);
		if (!there)
			return (buf_error(err, _("no database in '%s'"), dir));
	}
	/* The store's own files would clash with these tables' files. */
	for (i = 0; i < schema->ntables; i++)
		if (strcmp(schema->tables[i]->name, "meta") == 0 ||
		    strcmp(schema->tables[i]->name, "seq") == 0 ||
		    strcmp(schema->tables[i]->name, "audit") == 0)
			return (buf_error(err, _("%s: the table name '%s' is "
			    "reserved"), schema->tables[i]->file != NULL ?
			    schema->tables[i]->file : "?",
			    schema->tables[i]->name));
	s = xcalloc(1, sizeof(*s));
	s->lockfd = -1;
	s->dir = xstrdup(dir);
	{
		pthread_rwlockattr_t a;

		pthread_rwlockattr_init(&a);
		pthread_rwlockattr_setkind_np(&a,
		    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		if (pthread_rwlock_init(&s->gate, &a) != 0)
			fatal("pthread_rwlock_init failed");
		pthread_rwlockattr_destroy(&a);
		pthread_mutex_init(&s->writer, NULL);
		s->gate_init = 1;
	}
	store_ahead_init(s);
	s->schema = schema;
	s->flags = o != NULL ? o->flags : 0;
	if ((s->lockfd = store_lock_dir(dir, err)) == -1)
		goto fail;
	if (env_open(s, o, err) == -1)
		goto fail;
	if (base_open(s, err) == -1)
		goto fail;
	s->ntables = schema->ntables;
	s->tables = xcalloc(s->ntables, sizeof(*s->tables));
	for (i = 0; i < s->ntables; i++) {
		s->tables[i].s = s;
		s->tables[i].t = schema->tables[i];
		s->tables[i].n = i;
		xasprintf(&s->tables[i].file, "%s.db", schema->tables[i]->name);
		table_indexes(&s->tables[i]);
	}
	for (i = 0; i < s->ntables; i++)
		if (table_open(&s->tables[i], err) == -1 ||
		    seq_settle(&s->tables[i], err) == -1)
			goto fail;
	for (i = 0; i < s->ntables; i++)
		for (j = 0; j < s->tables[i].nix; j++)
			if (s->tables[i].ix[j].compact) {
				if (store_compact_index(s,
				    s->tables[i].ix[j].db, err) != 0)
					goto fail;
				s->tables[i].ix[j].compact = 0;
			}
	/* What a crash left unwritten in the indexes, then the indexer. */
	if (defer_start(s, (s->flags & STORE_INDEX_NOW) != 0, err) == -1)
		goto fail;
	store_chmod_files(s->dir);
	*sp = s;
	return (0);
fail:
	store_close(s);
	return (-1);
}

void
store_close(struct store *s)
{
	size_t	i;

	if (s == NULL)
		return;
	store_ahead_free(s);
	defer_stop(s);
	if (s->env != NULL && s->meta != NULL)
		for (i = 0; i < s->ntables; i++)
			seq_give_back(s, &s->tables[i].seq,
			    s->tables[i].t->name, SEQ_CACHE);
	if (s->env != NULL && s->meta != NULL)
		(void)DBCLOSE(s->env->txn_checkpoint(s->env, 0, 0, 0));
	for (i = 0; i < s->ntables; i++) {
		st_close(&s->tables[i]);
		st_release(&s->tables[i]);
	}
	free(s->tables);
	if (s->audit_seq != NULL)
		(void)DBCLOSE(s->audit_seq->close(s->audit_seq, 0));
	audit_close(s);
	store_db_close(&s->pending);
	store_db_close(&s->seqdb);
	store_db_close(&s->meta);
	if (s->env != NULL)
		(void)DBCLOSE(s->env->close(s->env, 0));
	if (s->gate_init) {
		pthread_rwlock_destroy(&s->gate);
		pthread_mutex_destroy(&s->writer);
	}
	if (s->lockfd != -1)
		close(s->lockfd);
	rcache_free(s->rc);
	free(s->dir);
	free(s);
}

/*
 * The meta table as others see it: their keys live under "app:", apart
 * from the store's own (field ids, index signatures), so no setting can
 * clobber them.
 */
static char *
meta_key(const char *key)
{
	char	*k;

	xasprintf(&k, "app:%s", key);
	return (k);
}

int
store_meta_get(struct store_txn *t, const char *key, struct buf *out,
    struct buf *err)
{
	char	*k = meta_key(key);
	DBT	 kd, d;
	int	 ret;

	store_dbt(&kd, k, strlen(k));
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_MALLOC;
	ret = DBCALL(t->s->meta->get(t->s->meta, t->txn, &kd, &d, 0));
	free(k);
	if (ret == DB_NOTFOUND)
		return (STORE_NOTFOUND);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read the setting "
		    "'%s': %s"), key, store_strerror(ret)));
	buf_reset(out);
	buf_add(out, d.data, d.size);
	free(d.data);
	return (0);
}

int
store_meta_put(struct store_txn *t, const char *key, const void *val,
    size_t len, struct buf *err)
{
	char	*k;
	DBT	 kd, d;
	int	 ret;

	if (t->flags & STORE_TXN_READONLY)
		return (buf_error(err, _("cannot write the setting '%s': the "
		    "transaction is read-only"), key));
	t->wrote = 1;
	k = meta_key(key);
	store_dbt(&kd, k, strlen(k));
	store_dbt(&d, val, len);
	ret = DBCALL(t->s->meta->put(t->s->meta, t->txn, &kd, &d, 0));
	free(k);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot write the setting "
		    "'%s': %s"), key, store_strerror(ret)));
	return (0);
}

int
store_meta_del(struct store_txn *t, const char *key, struct buf *err)
{
	char	*k;
	DBT	 kd;
	int	 ret;

	if (t->flags & STORE_TXN_READONLY)
		return (buf_error(err, _("cannot write the setting '%s': the "
		    "transaction is read-only"), key));
	t->wrote = 1;
	k = meta_key(key);
	store_dbt(&kd, k, strlen(k));
	ret = DBCALL(t->s->meta->del(t->s->meta, t->txn, &kd, 0));
	free(k);
	if (ret == DB_NOTFOUND)
		return (STORE_NOTFOUND);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot write the setting "
		    "'%s': %s"), key, store_strerror(ret)));
	return (0);
}

int
store_meta_scan(struct store_txn *t, const char *prefix,
    int (*fn)(const char *, const void *, size_t, void *), void *arg,
    struct buf *err)
{
	struct buf	 key = BUF_INIT;
	char		*k = meta_key(prefix);
	size_t		 plen = strlen(k);
	DBC		*c;
	DBT		 kd, d;
	int		 ret, r2, r = 0;

	if ((ret = DBCALL(t->s->meta->cursor(t->s->meta, t->txn, &c, 0))) !=
	    0) {
		free(k);
		return (store_fail(t, ret, err, _("cannot read the settings: "
		    "%s"), store_strerror(ret)));
	}
	memset(&kd, 0, sizeof(kd));
	memset(&d, 0, sizeof(d));
	kd.flags = d.flags = DB_DBT_REALLOC;
	kd.data = xstrdup(k);
	kd.size = (u_int32_t)plen;
	for (ret = DBCALL(c->get(c, &kd, &d, DB_SET_RANGE)); ret == 0;
	    ret = DBCALL(c->get(c, &kd, &d, DB_NEXT))) {
		if (kd.size < plen || memcmp(kd.data, k, plen) != 0)
			break;
		buf_reset(&key);
		buf_add(&key, (char *)kd.data + 4, kd.size - 4);
		/* The callback may stop the scan with its own answer. */
		if ((r = fn(key.data, d.data, d.size, arg)) != 0)
			break;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
	r2 = DBCLOSE(c->close(c));
	if (ret == 0)
		ret = r2;
	free(kd.data);
	free(d.data);
	free(k);
	buf_release(&key);
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot read the settings: "
		    "%s"), store_strerror(ret)));
	return (r);
}
