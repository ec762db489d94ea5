/*
 * maint.c: maintenance.  Hot backup through Berkeley DB's own
 * DB_ENV->backup (database files, then the logs, so the copy recovers to
 * a consistent state when opened), verification of every database file
 * of a closed environment, a consistency check of a table against its
 * indexes, checkpoints, and compaction of every file while the store is
 * in use (store_compact, see there).  Never prints; messages come back
 * in err.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

int
store_checkpoint(struct store *s, struct buf *err)
{
	int	ret;

	ret = DBCALL(s->env->txn_checkpoint(s->env, 0, 0, 0));
	if (ret != 0)
		return (store_fail(NULL, ret, err, _("cannot checkpoint '%s': "
		    "%s"), s->dir, store_strerror(ret)));
	return (0);
}

static int
dir_is_empty(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 empty = 1;

	if ((d = opendir(dir)) == NULL)
		return (1);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	closedir(d);
	return (empty);
}

int
store_backup(struct store *s, const char *dir, struct buf *err)
{
	struct stat	 sb;
	int		 ret;

	if (stat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return (buf_error(err, _("cannot back up to '%s': not "
			    "a folder"), dir));
		if (!dir_is_empty(dir))
			return (buf_error(err, _("cannot back up to '%s': the "
			    "folder is not empty"), dir));
	} else if (mkdir(dir, 0700) == -1)
		return (buf_error(err, _("cannot back up to '%s': %s"), dir,
		    strerror(errno)));
	(void)chmod(dir, 0700);
	/*
	 * Database files first, then every log they need.  A bulk
	 * transaction (STORE_TXN_BULK, an import's) does not log the pages
	 * it adds, so a copy made while one runs must first have them in
	 * the files, and the rest of it logged in full: that is what
	 * DB_HOTBACKUP_IN_PROGRESS does (a checkpoint, and no bulk logging
	 * while it is set).  DB_ENV->backup() sets it itself in 5.3 around
	 * the copy and clears it after, on failure too (__db_backup() calls
	 * __env_set_backup(), as the 5.3.28 library does), so it is not set
	 * here again; tests/cli/1160 backs up during a bulk load.
	 */
	ret = DBCALL(s->env->backup(s->env, dir, 0));
	if (ret != 0)
		return (store_fail(NULL, ret, err, _("cannot back up to '%s': "
		    "%s"), dir, store_strerror(ret)));
	store_chmod_files(dir);
	return (0);
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/*
 * Bring a copied or crashed environment to a consistent state (normal
 * recovery, as store_open() would) so the files verify as they will be
 * used.
 */
static int
recover_dir(const char *dir, struct buf *err)
{
	DB_ENV	*env;
	int	 ret;

	if ((ret = DBCALL(db_env_create(&env, 0))) != 0)
		return (store_fail(NULL, ret, err, _("cannot recover '%s': "
		    "%s"), dir, store_strerror(ret)));
	env->set_errcall(env, store_errcall);
	ret = DBCALL(env->open(env, dir, DB_CREATE | DB_INIT_TXN |
	    DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL | DB_RECOVER |
	    DB_PRIVATE, 0600));
	if (ret == 0)
		ret = DBCALL(env->txn_checkpoint(env, 0, 0, DB_FORCE));
	if (ret != 0) {
		store_fail(NULL, ret, err, _("cannot recover '%s': %s"), dir,
		    store_strerror(ret));
		(void)DBCLOSE(env->close(env, 0));
		return (-1);
	}
	if ((ret = DBCLOSE(env->close(env, 0))) != 0)
		return (store_fail(NULL, ret, err, _("cannot recover '%s': "
		    "%s"), dir, store_strerror(ret)));
	return (0);
}

int
store_verify_dir(const char *dir, struct buf *err)
{
	DIR		*d;
	struct dirent	*de;
	struct buf	 msgs = BUF_INIT, problems = BUF_INIT;
	char		**names = NULL, *path;
	size_t		 n = 0, i, l, bad = 0;
	DB		*db;
	int		 ret, rc = -1, lockfd = -1;

	if ((d = opendir(dir)) == NULL)
		return (buf_error(err, _("cannot verify '%s': %s"), dir,
		    strerror(errno)));
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l > 3 && strcmp(de->d_name + l - 3, ".db") == 0) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (n == 0) {
		free(names);
		return (buf_error(err, _("cannot verify '%s': no database "
		    "files there"), dir));
	}
	qsort(names, n, sizeof(*names), name_cmp);
	/* Recovery writes: never under a store that has it open. */
	if ((lockfd = store_lock_dir(dir, err)) == -1)
		goto out;
	if (recover_dir(dir, err) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]);
		buf_reset(&msgs);
		ret = DBCALL(db_create(&db, NULL, 0));
		if (ret == 0) {
			db->set_errcall(db, store_errcall);
			store_errcollect(&msgs);
			/* The handle is gone after verify, whatever it says. */
			ret = DBCALL(db->verify(db, path, NULL, NULL, 0));
			store_errcollect(NULL);
		}
		free(path);
		if (ret == 0)
			continue;
		if (bad++ != 0)
			buf_adds(&problems, "; ");
		buf_printf(&problems, "'%s': %s", names[i], msgs.len != 0 ?
		    msgs.data : db_strerror(ret));
	}
	if (bad != 0)
		buf_error(err, _("%zu of %zu database files in '%s' fail "
		    "verification: %s"), bad, n, dir, problems.data);
	else
		rc = 0;
out:
	if (lockfd != -1)
		close(lockfd);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_release(&msgs);
	buf_release(&problems);
	return (rc);
}

/* store_check(). */

/*
 * The word index is posting lists (words.c), checked both ways without
 * a look-up per word: each record's words are summed up (how many, and
 * the sum of their hashes) in id order, the postings are walked once
 * and taken off their record's sum, and every sum must end at zero.
 */
struct wsum {
	uint64_t	 id;
	uint64_t	 hash;
	int64_t		 n;
};

struct check {
	struct store_table *st;
	uint64_t	*expect;	/* entries each index should have */
	/* Each index's records' keys summed, ascending ids: the word
	 * index's and the packed ones' (pack.c), whose chunks are
	 * checked alike. */
	struct wsums {
		struct wsum	*v;
		size_t		 n, alloc;
	}		*ws;
};

static int
check_fail(struct store_txn *t, struct store_table *st, int ret,
    struct buf *err)
{
	return (store_fail(t, ret, err, _("cannot check table '%s': %s"),
	    st->t->name, store_strerror(ret)));
}

/* Is (key, id) in the index?  1, 0 or -1. */
static int
entry_present(struct store_txn *t, struct store_index *ix, DBC *c,
    const void *key, size_t len, uint64_t id, struct buf *err)
{
	unsigned char	 idb[8];
	DBT		 k, d;
	int		 ret;

	store_id_key(idb, id);
	store_dbt(&k, key, len);
	store_dbt(&d, idb, 8);
	d.ulen = 8;
	d.flags = DB_DBT_USERMEM;
	ret = DBCALL(c->get(c, &k, &d, DB_GET_BOTH));
	if (ret == DB_NOTFOUND)
		return (0);
	if (ret != 0)
		return (check_fail(t, ix->st, ret, err));
	return (1);
}

static void
wsum_add(struct wsums *ws, uint64_t id, const struct keyset *ks)
{
	struct wsum	*w;
	size_t		 j;

	if (ks->n == 0)
		return;
	if (ws->n == ws->alloc) {
		ws->alloc = ws->alloc ? ws->alloc * 2 : 1024;
		ws->v = xreallocarray(ws->v, ws->alloc, sizeof(*ws->v));
	}
	w = &ws->v[ws->n++];
	w->id = id;
	w->n = (int64_t)ks->n;
	w->hash = 0;
	for (j = 0; j < ks->n; j++)
		w->hash += hash_fnv1a(ks->bytes.data + ks->off[j], ks->len[j]);
}

static struct wsum *
wsum_find(struct wsums *ws, uint64_t id)
{
	size_t	lo = 0, hi = ws->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ws->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < ws->n && ws->v[lo].id == id ? &ws->v[lo] : NULL);
}

/* A word of the index as text, its mark bytes escaped. */
static void
word_text(struct buf *out, const void *tok, size_t len)
{
	const unsigned char *p = tok;
	size_t		 i;

	buf_reset(out);
	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			buf_printf(out, "\\x%02x", p[i]);
		else
			buf_addch(out, (char)p[i]);
}

/*
 * Record id has key (len bytes) in ix, under a chunk or run of bound
 * lo: -1 with err set when the record does not give it or it came
 * before (seen counts each of ks's keys met).
 */
static int
explain_key(struct store_index *ix, uint64_t id, const struct keyset *ks,
    size_t *seen, const void *key, size_t len, uint64_t lo, struct buf *w,
    struct buf *err)
{
	struct store_table *st = ix->st;
	size_t		 m;

	for (m = 0; m < ks->n; m++)
		if (ks->len[m] == len && memcmp(ks->bytes.data + ks->off[m],
		    key, len) == 0)
			break;
	word_text(w, key, len);
	if (m == ks->n)
		return (buf_error(err, ix->packed ? _("index '%s' has %s %llu "
		    "under the key '%s', which the record does not "
		    "give (bound %llu)") : _("index '%s' has %s %llu "
		    "under the word '%s', which the record does not "
		    "give (bound %llu)"), ix->file, st->t->name,
		    (unsigned long long)id, w->data,
		    (unsigned long long)lo));
	if (seen[m]++ != 0)
		return (buf_error(err, ix->packed ? _("index '%s' has %s %llu "
		    "twice under the key '%s' (bound %llu)") :
		    _("index '%s' has %s %llu twice under the word "
		    "'%s' (bound %llu)"), ix->file,
		    st->t->name, (unsigned long long)id, w->data,
		    (unsigned long long)lo));
	return (0);
}

/*
 * The sums said record id's words and postings differ: say which word,
 * for whoever must repair it (clerk admin verify) and for a test that
 * failed once in a hundred runs.  One more walk of the index, on this
 * failure only.  -1 with err always.
 */
static int
words_explain(struct store_txn *t, struct store_index *ix, uint64_t id,
    struct buf *err)
{
	struct store_table *st = ix->st;
	struct record	*rec = NULL;
	struct keyset	 ks;
	struct buf	 enc = BUF_INIT, w = BUF_INIT;
	struct runpairs	 rp;
	uint64_t	*ids = NULL, lo;
	size_t		*seen = NULL, nids, alloc = 0, tl, j, m;
	DBC		*c = NULL;
	DBT		 k, d;
	int		 r, ret;

	keyset_init(&ks);
	runs_init(&rp);
	r = rec_get_raw(t, st, id, &rec, 0, err);
	if (r == -1)
		goto out;
	if (r == STORE_NOTFOUND) {
		buf_error(err, _("index '%s' refers to %s %llu, which does "
		    "not exist"), ix->file, st->t->name,
		    (unsigned long long)id);
		goto out;
	}
	record_encode(rec, &enc);
	(void)sec_data_keys(ix, enc.data, enc.len, &ks);
	seen = xcalloc(ks.n + 1, sizeof(*seen));
	if ((ret = DBCALL(ix->db->cursor(ix->db, t->txn, &c,
	    DB_READ_COMMITTED))) != 0) {
		check_fail(t, st, ret, err);
		goto out;
	}
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	while ((ret = DBCALL(c->get(c, &k, &d, DB_NEXT))) == 0) {
		if (words_key_split(k.data, k.size, &tl, &lo) == -1)
			continue;
		if (ix->packed == PACK_RUNS) {
			/* Each pair of the record's, under its own key. */
			if (runs_decode(d.data, d.size, &rp) == -1)
				continue;
			for (j = 0; j < rp.n; j++)
				if (rp.ids[j] == id && explain_key(ix, id, &ks,
				    seen, rp.keys.data + rp.off[j],
				    rp.off[j + 1] - rp.off[j], lo, &w,
				    err) == -1)
					goto out;
			continue;
		}
		nids = 0;
		if (words_decode(d.data, d.size, &ids, &nids, &alloc) == -1)
			continue;
		for (j = 0; j < nids && ids[j] != id; j++)
			;
		if (j < nids && explain_key(ix, id, &ks, seen, k.data, tl, lo,
		    &w, err) == -1)
			goto out;
	}
	if (ret != DB_NOTFOUND) {
		check_fail(t, st, ret, err);
		goto out;
	}
	for (m = 0; m < ks.n; m++)
		if (seen[m] == 0) {
			word_text(&w, ks.bytes.data + ks.off[m], ks.len[m]);
			buf_error(err, ix->packed ? _("index '%s' lacks the "
			    "key '%s' of %s %llu") : _("index '%s' lacks the "
			    "word '%s' of %s %llu"), ix->file, w.data,
			    st->t->name, (unsigned long long)id);
			goto out;
		}
	buf_error(err, _("index '%s' has a key for %s %llu that the record "
	    "does not give"), ix->file, st->t->name, (unsigned long long)id);
out:
	if (c != NULL)
		(void)DBCLOSE(c->close(c));
	record_free(rec);
	keyset_release(&ks);
	buf_release(&enc);
	buf_release(&w);
	free(ids);
	free(seen);
	runs_release(&rp);
	return (-1);
}

/*
 * A packed index's items (the word index's chunks, a field index's
 * chunks or runs), each through fn(key, klen, data, dlen, arg), read in
 * bulk; fn returns -1 with err set to stop.  Then every record's sum
 * must have come to zero.  0, or -1 with err set.
 */
typedef int check_item_fn(const void *, size_t, const void *, size_t,
    void *);

static int
check_items(struct store_txn *t, struct check *ck, size_t i,
    check_item_fn *fn, void *arg, struct buf *err)
{
	struct store_table *st = ck->st;
	struct store_index *ix = &st->ix[i];
	struct wsum	*w;
	size_t		 j, kl, dl, bulk = 256 * 1024;
	void		*p, *kk, *dd, *mem;
	DBC		*c;
	DBT		 k, d;
	int		 ret, rc = -1;
	u_int32_t	 flag = DB_FIRST;

	if ((ret = DBCALL(ix->db->cursor(ix->db, t->txn, &c,
	    DB_READ_COMMITTED))) != 0)
		return (check_fail(t, st, ret, err));
	mem = xmalloc(bulk);
	for (;;) {
		memset(&k, 0, sizeof(k));
		memset(&d, 0, sizeof(d));
		d.data = mem;
		d.ulen = (u_int32_t)bulk;
		d.flags = DB_DBT_USERMEM;
		ret = DBCALL(c->get(c, &k, &d, flag | DB_MULTIPLE_KEY));
		flag = DB_NEXT;
		if (ret == DB_NOTFOUND)
			break;
		if (ret != 0) {
			check_fail(t, st, ret, err);
			goto out;
		}
		DB_MULTIPLE_INIT(p, &d);
		for (;;) {
			DB_MULTIPLE_KEY_NEXT(p, &d, kk, kl, dd, dl);
			if (p == NULL)
				break;
			if (fn(kk, kl, dd, dl, arg) == -1)
				goto out;
		}
	}
	for (j = 0; j < ck->ws[i].n; j++) {
		w = &ck->ws[i].v[j];
		if (w->n != 0 || w->hash != 0) {
			(void)words_explain(t, ix, w->id, err);
			goto out;
		}
	}
	rc = 0;
out:
	(void)DBCLOSE(c->close(c));
	free(mem);
	return (rc);
}

/* What check_items() hands each item to. */
struct check_walk {
	struct store_txn *t;
	struct check	*ck;
	size_t		 i;
	struct buf	*err;
	struct buf	 prev;		/* the chunk's key before; the run's
					 * last key before */
	uint64_t	 last;		/* its last id */
	int		 any;
	uint64_t	*ids;		/* a chunk's */
	size_t		 alloc;
	struct runpairs	 rp;		/* a run's */
};

/* Take (key, id) off its record's sum: -1 with err when it has none. */
static int
check_posting(struct check_walk *cw, uint64_t id, uint64_t h)
{
	struct wsum	*w;

	if ((w = wsum_find(&cw->ck->ws[cw->i], id)) == NULL)
		/* Not a record with keys here: which one it is, and what
		 * it gives, told. */
		return (words_explain(cw->t, &cw->ck->st->ix[cw->i], id,
		    cw->err));
	w->n--;
	w->hash -= h;
	return (0);
}

/* A chunk: its key, ids ascending from its bound and past the chunk's
 * before. */
static int
check_chunk(const void *kk, size_t kl, const void *dd, size_t dl, void *arg)
{
	struct check_walk *cw = arg;
	const char	*file = cw->ck->st->ix[cw->i].file;
	uint64_t	 lo, h;
	size_t		 nids = 0, tl, j;

	if (words_key_split(kk, kl, &tl, &lo) == -1 ||
	    words_decode(dd, dl, &cw->ids, &nids, &cw->alloc) == -1 ||
	    nids == 0)
		return (buf_error(cw->err, _("index '%s' has a damaged entry"),
		    file));
	/* After the previous chunk of the same token. */
	if (cw->prev.len == tl && memcmp(cw->prev.data, kk, tl) == 0 &&
	    cw->last >= lo)
		return (buf_error(cw->err, _("index '%s' has chunks out of "
		    "order"), file));
	buf_reset(&cw->prev);
	buf_add(&cw->prev, kk, tl);
	h = hash_fnv1a(kk, tl);
	for (j = 0; j < nids; j++) {
		if (cw->ids[j] < lo || (j != 0 && cw->ids[j] <= cw->ids[j -
		    1]))
			return (buf_error(cw->err, _("index '%s' has chunks "
			    "out of order"), file));
		if (check_posting(cw, cw->ids[j], h) == -1)
			return (-1);
	}
	cw->last = cw->ids[nids - 1];
	return (0);
}

/* A run: under its first pair, in order, after the run before. */
static int
check_run(const void *kk, size_t kl, const void *dd, size_t dl, void *arg)
{
	struct check_walk *cw = arg;
	struct runpairs	*rp = &cw->rp;
	const char	*file = cw->ck->st->ix[cw->i].file;
	uint64_t	 lo;
	size_t		 tl, j;

	if (words_key_split(kk, kl, &tl, &lo) == -1 ||
	    runs_decode(dd, dl, rp) == -1 || rp->off[1] != tl ||
	    lo != rp->ids[0] || memcmp(rp->keys.data, kk, tl) != 0)
		return (buf_error(cw->err, _("index '%s' has a damaged entry"),
		    file));
	if (cw->any && store_pair_cmp(cw->prev.data, cw->prev.len, cw->last,
	    kk, tl, lo) >= 0)
		return (buf_error(cw->err, _("index '%s' has runs out of "
		    "order"), file));
	cw->any = 1;
	for (j = 0; j < rp->n; j++)
		if (check_posting(cw, rp->ids[j], hash_fnv1a(rp->keys.data +
		    rp->off[j], rp->off[j + 1] - rp->off[j])) == -1)
			return (-1);
	buf_reset(&cw->prev);
	buf_add(&cw->prev, rp->keys.data + rp->off[rp->n - 1],
	    rp->off[rp->n] - rp->off[rp->n - 1]);
	cw->last = rp->ids[rp->n - 1];
	return (0);
}

/*
 * A packed index (the word index, a field index in chunks or in runs):
 * every item well formed, and its postings exactly the records' keys.
 */
static int
check_packed(struct store_txn *t, struct check *ck, size_t i,
    struct buf *err)
{
	struct check_walk cw;
	int		 rc;

	memset(&cw, 0, sizeof(cw));
	cw.t = t;
	cw.ck = ck;
	cw.i = i;
	cw.err = err;
	buf_init(&cw.prev);
	runs_init(&cw.rp);
	rc = check_items(t, ck, i, ck->st->ix[i].packed == PACK_RUNS ?
	    check_run : check_chunk, &cw, err);
	buf_release(&cw.prev);
	runs_release(&cw.rp);
	free(cw.ids);
	return (rc);
}

/* Every record's keys are in every index. */
static int
check_records(struct store_txn *t, struct check *ck, uint64_t *nrec,
    uint64_t *narchived, struct buf *err)
{
	struct store_table *st = ck->st;
	struct keyset	 ks;
	DBC		*c = NULL, **ic;
	DBT		 k, d;
	uint64_t	 id, prev = 0;
	size_t		 i, j;
	int		 ret, r, rc = -1;

	*nrec = *narchived = 0;
	keyset_init(&ks);
	ic = xcalloc(st->nix ? st->nix : 1, sizeof(*ic));
	if ((ret = DBCALL(st->db->cursor(st->db, t->txn, &c,
	    DB_READ_COMMITTED))) != 0)
		goto fail;
	for (i = 0; i < st->nix; i++)
		if ((ret = DBCALL(st->ix[i].db->cursor(st->ix[i].db, t->txn,
		    &ic[i], DB_READ_COMMITTED))) != 0)
			goto fail;
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	k.flags = d.flags = DB_DBT_REALLOC;
	while ((ret = DBCALL(c->get(c, &k, &d, DB_NEXT))) == 0) {
		id = k.size == 8 ? store_id_unkey(k.data) : 0;
		if (id == 0)
			continue;
		/*
		 * A walk of a sound B-tree gives its keys in order.  One
		 * that does not is damaged (a record put on the wrong page:
		 * a lookup of it fails), which every later check would
		 * only report as a stray entry somewhere.
		 */
		if (id <= prev) {
			buf_error(err, _("table '%s' has %s %llu after %llu: "
			    "its file '%s' is out of order; stop the server "
			    "and rebuild it (clerkd(8))"), st->t->name,
			    st->t->name,
			    (unsigned long long)id, (unsigned long long)prev,
			    st->file);
			goto out;
		}
		prev = id;
		(*nrec)++;
		if (d.size > 1 && (((unsigned char *)d.data)[1] &
		    REC_ARCHIVED))
			(*narchived)++;
		for (i = 0; i < st->nix; i++) {
			keyset_reset(&ks);
			if (sec_data_keys(&st->ix[i], d.data, d.size, &ks) ==
			    -1) {
				rec_undecodable(st->t, id, err);
				goto out;
			}
			ck->expect[i] += ks.n;
			if (st->ix[i].kind == SIX_SEARCH ||
			    st->ix[i].packed) {
				wsum_add(&ck->ws[i], id, &ks);
				continue;
			}
			for (j = 0; j < ks.n; j++) {
				r = entry_present(t, &st->ix[i], ic[i],
				    ks.bytes.data + ks.off[j], ks.len[j], id,
				    err);
				if (r == -1)
					goto out;
				if (r == 0) {
					buf_error(err, _("index '%s' lacks a "
					    "key of %s %llu"), st->ix[i].file,
					    st->t->name,
					    (unsigned long long)id);
					goto out;
				}
			}
		}
	}
	if (ret != DB_NOTFOUND)
		goto fail;
	rc = 0;
	goto out;
fail:
	check_fail(t, st, ret, err);
out:
	for (i = 0; i < st->nix; i++)
		if (ic[i] != NULL)
			(void)DBCLOSE(ic[i]->close(ic[i]));
	if (c != NULL)
		(void)DBCLOSE(c->close(c));
	free(ic);
	free(k.data);
	free(d.data);
	keyset_release(&ks);
	return (rc);
}

/*
 * An index with more entries than its records give has a stray one:
 * find it, for the message.
 */
static int
check_index(struct store_txn *t, struct check *ck, size_t i,
    struct buf *err)
{
	struct store_table *st = ck->st;
	struct store_index *ix = &st->ix[i];
	struct keyset	 ks;
	struct record	*rec;
	struct buf	 enc = BUF_INIT;
	unsigned char	 idb[8];
	uint64_t	 n = 0, id;
	DBC		*c;
	DBT		 k, d;
	size_t		 j;
	int		 ret, r, rc = -1;

	if ((ret = DBCALL(ix->db->cursor(ix->db, t->txn, &c,
	    DB_READ_COMMITTED))) != 0)
		return (check_fail(t, st, ret, err));
	memset(&k, 0, sizeof(k));
	k.flags = DB_DBT_REALLOC;
	memset(&d, 0, sizeof(d));
	d.data = idb;
	d.ulen = 8;
	d.flags = DB_DBT_USERMEM;
	while ((ret = DBCALL(c->get(c, &k, &d, DB_NEXT))) == 0)
		n++;
	if (ret != DB_NOTFOUND) {
		check_fail(t, st, ret, err);
		goto out;
	}
	if (n == ck->expect[i]) {
		rc = 0;
		goto out;
	}
	/* Find the stray entry. */
	keyset_init(&ks);
	while ((ret = DBCALL(c->get(c, &k, &d, DB_NEXT))) == 0) {
		id = d.size == 8 ? store_id_unkey(idb) : 0;
		r = rec_get_raw(t, st, id, &rec, 0, err);
		if (r == -1)
			break;
		if (r == STORE_NOTFOUND) {
			buf_error(err, _("index '%s' refers to %s %llu, which "
			    "does not exist"), ix->file, st->t->name,
			    (unsigned long long)id);
			break;
		}
		keyset_reset(&ks);
		buf_reset(&enc);
		record_encode(rec, &enc);
		record_free(rec);
		(void)sec_data_keys(ix, enc.data, enc.len, &ks);
		for (j = 0; j < ks.n; j++)
			if (ks.len[j] == k.size && memcmp(ks.bytes.data +
			    ks.off[j], k.data, k.size) == 0)
				break;
		if (j == ks.n) {
			buf_error(err, _("index '%s' has a key for %s %llu "
			    "that the record does not give"), ix->file,
			    st->t->name, (unsigned long long)id);
			break;
		}
	}
	keyset_release(&ks);
	if (ret != 0 && ret != DB_NOTFOUND)
		check_fail(t, st, ret, err);
	else if (ret == DB_NOTFOUND)
		buf_error(err, _("index '%s' has %llu entries where the "
		    "records give %llu"), ix->file, (unsigned long long)n,
		    (unsigned long long)ck->expect[i]);
out:
	(void)DBCLOSE(c->close(c));
	free(k.data);
	buf_release(&enc);
	return (rc);
}

static int
check_txn(struct store_txn *t, void *arg, struct buf *err)
{
	struct check	*ck = arg;
	struct store_table *st = ck->st;
	uint64_t	 nrec, narchived, counted;
	size_t		 i;

	memset(ck->expect, 0, (st->nix ? st->nix : 1) * sizeof(*ck->expect));
	for (i = 0; i < st->nix; i++)
		ck->ws[i].n = 0;
	if (check_records(t, ck, &nrec, &narchived, err) == -1)
		return (-1);
	if (store_count(t, st->t, &counted, err) == -1)
		return (-1);
	if (counted != nrec)
		return (buf_error(err, _("table '%s' counts %llu records but "
		    "has %llu"), st->t->name, (unsigned long long)counted,
		    (unsigned long long)nrec));
	if (store_count_archived(t, st->t, &counted, err) == -1)
		return (-1);
	if (counted != narchived)
		return (buf_error(err, _("table '%s' counts %llu archived "
		    "records but has %llu"), st->t->name,
		    (unsigned long long)counted,
		    (unsigned long long)narchived));
	for (i = 0; i < st->nix; i++)
		if ((st->ix[i].kind == SIX_SEARCH || st->ix[i].packed ?
		    check_packed(t, ck, i, err) : check_index(t, ck, i,
		    err)) == -1)
			return (-1);
	return (0);
}

int
store_check(struct store *s, const struct table *table, struct buf *err)
{
	struct check	 ck;
	size_t		 i;
	int		 r;

	ck.st = store_table_get(s, table);
	if (ck.st == NULL)
		return (buf_error(err, _("no table '%s' in the database"),
		    table->name));
	ck.expect = xcalloc(ck.st->nix ? ck.st->nix : 1, sizeof(*ck.expect));
	ck.ws = xcalloc(ck.st->nix ? ck.st->nix : 1, sizeof(*ck.ws));
	/* Alone: the indexes must have every entry written behind the
	 * commits (defer.c) and no writer adding more meanwhile. */
	r = store_txn_run(s, STORE_TXN_READONLY | STORE_TXN_ALONE, check_txn,
	    &ck, err);
	free(ck.expect);
	for (i = 0; i < ck.st->nix; i++)
		free(ck.ws[i].v);
	free(ck.ws);
	return (r);
}

/*
 * Compaction.  Random inserts leave B-tree pages about two thirds full,
 * so the data is half as big again as it need be, and reads at the
 * high percentiles are cache misses on pages that are a third air.
 * DB->compact packs neighbouring pages together and, with
 * DB_FREE_SPACE, moves pages from the end of the file into the holes
 * and truncates the file.
 *
 * DB->compact keeps its locks until its transaction commits, and given
 * a whole file it walks the whole file before committing: it read-locks
 * every leaf (measured: 5,490 locks for a packed 90 MB primary), which
 * would stall every writer for seconds.  So each call is given a range
 * of keys of about COMPACT_STEP bytes, found by a bulk read in a
 * read-only transaction of our own (store_txn_run, which retries it on
 * deadlock), and no transaction: Berkeley DB then runs the step in its
 * own short transactions and retries those itself on deadlock; one that
 * still fails on a lock is run again here after a pause.  Each step
 * holds the store's gate shared, like every transaction, so a
 * transaction that must run alone (txn.c) keeps compaction out too, and
 * the writer lock and the indexer's batch lock: pages merged and freed
 * under a writer's split is the kind of change Berkeley DB gets wrong
 * (store_int.h), and writers wait one step at most.
 *
 * The first pass over a file merges pages and leaves the pages it frees
 * on the free list, scattered through the file; the next pass, which
 * starts from the sorted free list, moves pages from the end into them
 * and truncates.  Passes repeat while they still give pages back.
 *
 * Files are done in the order: audit, settings, then for each table its
 * indexes and last the table itself, so the pages most reads need are
 * the last ones through the cache.
 */

#define COMPACT_STEP	(4 * 1024 * 1024)	/* bytes of entries a step */
#define COMPACT_PASSES	4
#define COMPACT_TRIES	50		/* of one step that hits locks */
#define COMPACT_WAIT	(200 * 1000)	/* µs a step waits for a lock */
#define COMPACT_BULK	(256 * 1024)
#define COMPACT_META	"store.compacted"	/* audit seq at the last */
#define COMPACT_LOG	(64 * 1024)	/* KB of log between checkpoints */

struct compact_range {
	DB		*db;
	struct buf	 start;		/* empty: the beginning */
	struct buf	 stop;
	int		 last;		/* no stop: to the end */
	DBT		 bd;
};

/* The key about COMPACT_STEP bytes of entries after start. */
static int
compact_range_txn(struct store_txn *t, void *arg, struct buf *err)
{
	struct compact_range *r = arg;
	DBC		*c;
	DBT		 k, d;
	void		*p, *kk, *dd;
	u_int32_t	 kl, dl;
	size_t		 bytes = 0;
	int		 ret, op, t_ret;

	r->last = 0;
	buf_reset(&r->stop);
	ret = DBCALL(r->db->cursor(r->db, t->txn, &c, 0));
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot compact: %s"),
		    store_strerror(ret)));
	if (r->start.len > 0) {
		store_dbt(&k, r->start.data, r->start.len);
		op = DB_SET_RANGE;
	} else {
		memset(&k, 0, sizeof(k));
		op = DB_FIRST;
	}
	while (bytes < COMPACT_STEP) {
		r->bd.ulen = COMPACT_BULK;
		r->bd.flags = DB_DBT_USERMEM;
		if ((ret = store_bulk_get(c, &k, &r->bd, op)) != 0)
			break;
		op = DB_NEXT;
		DB_MULTIPLE_INIT(p, &r->bd);
		for (;;) {
			DB_MULTIPLE_KEY_NEXT(p, &r->bd, kk, kl, dd, dl);
			if (p == NULL)
				break;
			(void)dd;
			bytes += kl + dl;
			buf_reset(&r->stop);
			buf_add(&r->stop, kk, kl);
		}
	}
	/*
	 * A key whose duplicates fill the step (a city every third party
	 * lives in) would stop where it started, again and again: the
	 * step then takes that key whole, up to the next key.
	 */
	if (ret == 0 && r->stop.len == r->start.len &&
	    memcmp(r->stop.data, r->start.data, r->start.len) == 0) {
		store_dbt(&k, r->start.data, r->start.len);
		k.flags = DB_DBT_MALLOC;
		memset(&d, 0, sizeof(d));
		d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
		/* The key may have gone meanwhile: the first one from it. */
		ret = DBCALL(c->get(c, &k, &d, DB_SET_RANGE));
		if (ret == 0 && k.size == r->start.len &&
		    memcmp(k.data, r->start.data, k.size) == 0) {
			if (k.data != r->start.data)
				free(k.data);
			memset(&k, 0, sizeof(k));
			k.flags = DB_DBT_MALLOC;
			ret = DBCALL(c->get(c, &k, &d, DB_NEXT_NODUP));
		}
		if (ret == 0) {
			buf_reset(&r->stop);
			buf_add(&r->stop, k.data, k.size);
		}
		if (ret == 0 && k.data != r->start.data)
			free(k.data);
	}
	t_ret = DBCLOSE(c->close(c));
	if (ret == DB_NOTFOUND) {
		r->last = 1;
		ret = 0;
	}
	if (ret == 0)
		ret = t_ret;
	if (ret != 0)
		return (store_fail(t, ret, err, _("cannot compact: %s"),
		    store_strerror(ret)));
	return (0);
}

static uint64_t
compact_file_size(struct store *s, const char *name)
{
	struct stat	 sb;
	char		*path;
	uint64_t	 n = 0;

	xasprintf(&path, "%s/%s", s->dir, name);
	if (stat(path, &sb) == 0)
		n = (uint64_t)sb.st_size;
	free(path);
	return (n);
}

/* One pass over a file; *gave is set when it freed or truncated pages. */
static int
compact_pass(struct store *s, DB *db, const char *name,
    uint64_t before, store_compact_fn *fn, void *arg, int *gave,
    struct buf *err)
{
	struct compact_range r;
	DB_COMPACT	 c;
	DBT		 start, stop, end;
	int		 ret, tries, rc = -1;

	memset(&r, 0, sizeof(r));
	r.db = db;
	r.bd.data = xmalloc(COMPACT_BULK);
	buf_init(&r.start);
	buf_init(&r.stop);
	memset(&end, 0, sizeof(end));
	end.flags = DB_DBT_REALLOC;
	*gave = 0;
	for (;;) {
		if (store_txn_run(s, STORE_TXN_READONLY, compact_range_txn, &r,
		    err) != 0)
			goto out;
		store_dbt(&start, r.start.data, r.start.len);
		store_dbt(&stop, r.stop.data, r.stop.len);
		for (tries = 0;; tries++) {
			memset(&c, 0, sizeof(c));
			c.compact_timeout = COMPACT_WAIT;
			gate_enter(s, 0, 1);
			defer_hold(s, 1);
			ret = DBCALL(db->compact(db, NULL,
			    r.start.len > 0 ? &start : NULL,
			    r.last ? NULL : &stop, &c, DB_FREE_SPACE, &end));
			defer_hold(s, 0);
			gate_leave(s, 1);
			if (!store_is_deadlock(ret) || tries >= COMPACT_TRIES)
				break;
			usleep(1000 + 1000 * (tries < 20 ? tries : 20));
		}
		if (ret != 0) {
			store_fail(NULL, ret, err, _("cannot compact '%s': %s"),
			    name, store_strerror(ret));
			goto out;
		}
		if (c.compact_pages_free > 0 || c.compact_pages_truncated > 0)
			*gave = 1;
		if (r.last)
			break;
		/* A pass logs about twice the pages it moves: let the log
		 * go every COMPACT_LOG of it, not only at the file's end. */
		ret = DBCALL(s->env->txn_checkpoint(s->env, COMPACT_LOG, 0, 0));
		if (ret != 0) {
			store_fail(NULL, ret, err, _("cannot checkpoint '%s': "
			    "%s"), s->dir, store_strerror(ret));
			goto out;
		}
		/* On from the stop key (the end key Berkeley DB gives may
		 * lie before it when the step stopped early). */
		buf_reset(&r.start);
		buf_add(&r.start, r.stop.data, r.stop.len);
		if (fn != NULL && fn(name, before, compact_file_size(s, name),
		    0, arg) != 0) {
			rc = 1;
			goto out;
		}
	}
	rc = 0;
out:
	free(r.bd.data);
	free(end.data);
	buf_release(&r.start);
	buf_release(&r.stop);
	return (rc);
}

static int
compact_file(struct store *s, DB *db, store_compact_fn *fn, void *arg,
    struct buf *err)
{
	const char	*name, *dname;
	uint64_t	 before;
	int		 pass, gave, r;

	if (db == NULL)
		return (0);
	if (db->get_dbname(db, &name, &dname) != 0 || name == NULL)
		return (0);
	before = compact_file_size(s, name);
	for (pass = 0; pass < COMPACT_PASSES; pass++) {
		if ((r = compact_pass(s, db, name, before, fn, arg,
		    &gave, err)) != 0)
			return (r);
		if (!gave)
			break;
	}
	/* The log the passes wrote can go once a checkpoint covers it. */
	if (store_checkpoint(s, err) != 0)
		return (-1);
	if (fn != NULL && fn(name, before, compact_file_size(s, name), 1,
	    arg) != 0)
		return (1);
	return (0);
}

int
store_compact_index(struct store *s, DB *db, struct buf *err)
{
	return (compact_file(s, db, NULL, NULL, err) == 0 ? 0 : -1);
}

/* The audit's last sequence number: it grows with every change. */
static int
compact_seq_txn(struct store_txn *t, void *arg, struct buf *err)
{
	uint64_t	*seq = arg;
	int		 ret;

	if ((ret = store_last_id(t->s->audit, t->txn, seq)) != 0)
		return (store_fail(t, ret, err, _("cannot read the audit: %s"),
		    store_strerror(ret)));
	return (0);
}

struct compact_mark {
	uint64_t	 seq;
	int		 found;
};

static int
compact_mark_get_txn(struct store_txn *t, void *arg, struct buf *err)
{
	struct compact_mark *m = arg;
	struct buf	 v = BUF_INIT;
	int		 r;

	m->seq = 0;
	m->found = 0;
	r = store_meta_get(t, COMPACT_META, &v, err);
	if (r == 0 && v.len == 8) {
		m->seq = store_id_unkey(v.data);
		m->found = 1;
	}
	buf_release(&v);
	return (r < 0 ? -1 : 0);
}

static int
compact_mark_put_txn(struct store_txn *t, void *arg, struct buf *err)
{
	unsigned char	 v[8];

	store_id_key(v, *(uint64_t *)arg);
	return (store_meta_put(t, COMPACT_META, v, sizeof(v), err));
}

int
store_compact_pending(struct store *s, uint64_t *n, struct buf *err)
{
	struct compact_mark m;
	uint64_t	 seq;

	*n = 0;
	if (store_txn_run(s, STORE_TXN_READONLY, compact_seq_txn, &seq,
	    err) != 0 ||
	    store_txn_run(s, STORE_TXN_READONLY, compact_mark_get_txn, &m,
	    err) != 0)
		return (-1);
	*n = seq > m.seq ? seq - m.seq : 0;
	return (0);
}

int
store_compact(struct store *s, store_compact_fn *fn, void *arg,
    struct buf *err)
{
	struct store_table *st;
	uint64_t	 seq;
	size_t		 i, j;
	int		 r;

	/* Changes from here on count towards the next compaction. */
	if (store_txn_run(s, STORE_TXN_READONLY, compact_seq_txn, &seq,
	    err) != 0)
		return (-1);
	/* The index changes behind the commits written (defer.c): their
	 * items' pages then give back too. */
	if (defer_settle(s, err) == -1)
		return (-1);
	if ((r = compact_file(s, s->audit, fn, arg, err)) != 0 ||
	    (r = compact_file(s, s->audit_rec, fn, arg, err)) != 0 ||
	    (r = compact_file(s, s->meta, fn, arg, err)) != 0 ||
	    (r = compact_file(s, s->seqdb, fn, arg, err)) != 0 ||
	    (r = compact_file(s, s->pending, fn, arg, err)) != 0)
		return (r);
	for (i = 0; i < s->ntables; i++) {
		st = &s->tables[i];
		for (j = 0; j < st->nix; j++)
			if ((r = compact_file(s, st->ix[j].db, fn, arg,
			    err)) != 0)
				return (r);
		if ((r = compact_file(s, st->db, fn, arg, err)) != 0)
			return (r);
	}
	if (store_txn_run(s, 0, compact_mark_put_txn, &seq, err) != 0)
		return (-1);
	return (0);
}
