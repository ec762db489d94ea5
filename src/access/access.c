/*
 * access.c: sessions and the door to the store.  Operators are kept in
 * the store's meta table as "operator:LOGIN" -> two bytes (admin,
 * disabled).  Every operation checks the session's right first and then
 * passes the operator's login to the store, so the audit trail names the
 * real Unix user.  Must not print or know about sockets.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"

#define OPERATOR_PREFIX "operator:"
/* A session reads its operator again at least this often (ns). */
#define RECHECK_NS	1000000000ull

/*
 * Record counts a session read for the planner, each with the store's
 * change journal number before it was read (access_count_cached()): a
 * few tables' worth, the oldest given up first.
 */
#define COUNTS_KEPT	8
/*
 * Records a session's queries decoded into and gave back
 * (access_records_take(), _keep()): the next query of the same table
 * decodes into them instead of allocating and freeing a record, its
 * texts and its author names for every row (a fifth of what a query of
 * 50 rows costs on top of its reads).  At most this many are kept.
 */
#define RECORDS_KEPT	256
/* A record whose texts took more room than this is not kept: the room
 * would stay taken as long as the session lives. */
#define RECORD_KEPT_ROOM 8192

struct session {
	struct store	*store;
	char		*user;
	int		 admin;
	uint64_t	 gen;		/* operators_gen when last read */
	uint64_t	 checked;	/* clock_monotonic_ns() then */
	/* The counts; a session's threads (a list's readers) share them. */
	pthread_mutex_t	 counts_lock;
	struct {
		const struct table *t;
		uint64_t	 seq, n;
	}		 counts[COUNTS_KEPT];
	unsigned	 counts_next;
	/* The records kept, all of one table. */
	pthread_mutex_t	 records_lock;
	struct record	*records[RECORDS_KEPT];
	size_t		 nrecords;
	/* And the arrays of their rows' values, all of one width. */
	struct value	*values[RECORDS_KEPT];
	size_t		 nvalues, values_width;
};

/*
 * Operators change while sessions live: an administrator disables one,
 * or makes one an administrator or no longer one.  Every write of an
 * operator bumps this number, and access_session_check() reads its
 * operator again only when the number moved (or a second passed), so a
 * request costs an atomic load.  The bump comes after the write, inside
 * the writer's transaction: a session that sees the new number reads
 * the operator after the write took its lock, and so waits for the
 * commit; one that saw the old number sees the new one next time.  The
 * second's bound covers a store that would read without waiting.
 */
static atomic_uint_fast64_t operators_gen = 1;

struct op_lookup {
	const char	*login;
	int		 found;
	int		 admin;
	int		 disabled;
};

int
access_login_valid(const char *login, struct buf *err)
{
	size_t	i, len = strlen(login);

	if (len == 0 || len > 32)
		return (buf_error(err,
		    _("login '%s' must be 1 to 32 characters"), login));
	for (i = 0; i < len; i++) {
		char c = login[i];

		if ((c >= 'a' && c <= 'z') || c == '_' ||
		    (i > 0 && ((c >= '0' && c <= '9') || c == '.' ||
		    c == '-')))
			continue;
		return (buf_error(err, _("login '%s' is not a valid Unix "
		    "login (lower-case letters, digits, '_', '.', '-')"),
		    login));
	}
	return (0);
}

static int
op_read(struct store_txn *txn, void *arg, struct buf *err)
{
	struct op_lookup	*op = arg;
	struct buf		 key = BUF_INIT, val = BUF_INIT;
	int			 r;

	op->found = 0;
	buf_printf(&key, "%s%s", OPERATOR_PREFIX, op->login);
	r = store_meta_get(txn, key.data, &val, err);
	if (r == 0 && val.len >= 2) {
		op->found = 1;
		op->admin = val.data[0] != 0;
		op->disabled = val.data[1] != 0;
	}
	buf_release(&key);
	buf_release(&val);
	return (r < 0 ? -1 : 0);
}

static int
op_write(struct store_txn *txn, const char *login, int admin, int disabled,
    struct buf *err)
{
	struct buf	key = BUF_INIT;
	char		val[2];
	int		r;

	val[0] = admin != 0;
	val[1] = disabled != 0;
	buf_printf(&key, "%s%s", OPERATOR_PREFIX, login);
	r = store_meta_put(txn, key.data, val, sizeof val, err);
	buf_release(&key);
	if (r == 0)
		atomic_fetch_add(&operators_gen, 1);
	return (r);
}

static int
count_one(const char *key, const void *val, size_t len, void *arg)
{
	(*(size_t *)arg)++;
	return (0);
}

struct init_arg {
	const char	*creator;
};

static int
init_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct init_arg	*ia = arg;
	size_t		 n = 0;

	if (store_meta_scan(txn, OPERATOR_PREFIX, count_one, &n, err) != 0)
		return (-1);
	if (n != 0)
		return (0);
	if (store_meta_put(txn, "creator", ia->creator, strlen(ia->creator),
	    err) != 0)
		return (-1);
	return (op_write(txn, ia->creator, 1, 0, err));
}

int
access_init(struct store *st, const char *creator, struct buf *err)
{
	struct init_arg	ia = { creator };

	if (access_login_valid(creator, err) != 0)
		return (-1);
	return (store_txn_run(st, 0, init_txn, &ia, err) < 0 ? -1 : 0);
}

static int
count_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	return (store_meta_scan(txn, OPERATOR_PREFIX, count_one, arg, err));
}

int
access_has_operators(struct store *st, struct buf *err)
{
	size_t	n = 0;

	if (store_txn_run(st, STORE_TXN_READONLY, count_txn, &n, err) < 0)
		return (-1);
	return (n > 0);
}

/* The operator of login as the store has it now: 0 and *admin, 1 when
 * refused (with the message), -1 when the store failed. */
static int
op_verdict(struct store *st, const char *login, int *admin,
    struct buf *err)
{
	struct op_lookup	 op = { login, 0, 0, 0 };

	if (store_txn_run(st, STORE_TXN_READONLY, op_read, &op, err) < 0)
		return (-1);
	if (!op.found) {
		buf_error(err, _("you are not a clerk operator on this "
		    "server; ask an administrator"));
		return (1);
	}
	if (op.disabled) {
		buf_error(err, _("operator '%s' is disabled on this server; "
		    "ask an administrator"), login);
		return (1);
	}
	*admin = op.admin;
	return (0);
}

int
access_session_open(struct store *st, const char *login, struct session **sp,
    struct buf *err)
{
	struct session		*s;
	uint64_t		 gen = atomic_load(&operators_gen);
	int			 admin = 0;

	*sp = NULL;
	if (op_verdict(st, login, &admin, err) != 0)
		return (-1);
	s = xcalloc(1, sizeof *s);
	s->store = st;
	s->user = xstrdup(login);
	s->admin = admin;
	s->gen = gen;
	s->checked = clock_monotonic_ns();
	pthread_mutex_init(&s->counts_lock, NULL);
	pthread_mutex_init(&s->records_lock, NULL);
	*sp = s;
	return (0);
}

int
access_session_check(struct session *s, struct buf *err)
{
	/* Loaded before the read: a change during it is seen next time. */
	uint64_t	gen = atomic_load(&operators_gen);
	uint64_t	now = clock_monotonic_ns();
	int		admin = 0, r;

	if (gen == s->gen && now - s->checked < RECHECK_NS)
		return (0);
	if ((r = op_verdict(s->store, s->user, &admin, err)) < 0)
		return (-1);
	s->gen = gen;
	s->checked = now;
	if (r == 0)
		s->admin = admin;
	return (r);
}

void
access_session_free(struct session *s)
{
	size_t	i;

	if (s == NULL)
		return;
	pthread_mutex_destroy(&s->counts_lock);
	for (i = 0; i < s->nrecords; i++)
		record_free(s->records[i]);
	for (i = 0; i < s->nvalues; i++)
		free(s->values[i]);
	pthread_mutex_destroy(&s->records_lock);
	free(s->user);
	free(s);
}

const char *
access_user(const struct session *s)
{
	return (s->user);
}

int
access_is_admin(const struct session *s)
{
	return (s->admin);
}

struct store *
access_store(const struct session *s)
{
	return (s->store);
}

int
access_check(const struct session *s, const struct table *t,
    enum access_action action, struct buf *err)
{
	/*
	 * Every registered operator may work with the client base; only
	 * administrators manage operators and the database.  Finer rights
	 * (per table, field and row) will be decided here.
	 */
	if (action == ACCESS_ADMIN && !s->admin)
		return (buf_error(err, _("only an administrator may do "
		    "that; '%s' is not one"), s->user));
	return (0);
}

int
access_get(struct session *s, struct store_txn *txn, const struct table *t,
    uint64_t id, struct record **out, struct buf *err)
{
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_get(txn, t, id, out, err));
}

int
access_insert(struct session *s, struct store_txn *txn, struct record *rec,
    struct buf *err)
{
	if (access_check(s, rec->table, ACCESS_CREATE, err) != 0)
		return (-1);
	return (store_insert(txn, rec, s->user, err));
}

int
access_insert_id(struct session *s, struct store_txn *txn, struct record *rec,
    uint64_t id, struct buf *err)
{
	if (access_check(s, rec->table, ACCESS_CREATE, err) != 0)
		return (-1);
	return (store_insert_id(txn, rec, id, s->user, err));
}

int
access_load(struct session *s, struct store_txn *txn, struct store_load *l,
    struct buf *err)
{
	if (access_check(s, l->table, ACCESS_CREATE, err) != 0)
		return (-1);
	return (store_load(txn, l, s->user, err));
}

int
access_update(struct session *s, struct store_txn *txn, struct record *rec,
    uint32_t base_rev, struct buf *err)
{
	if (access_check(s, rec->table, ACCESS_EDIT, err) != 0)
		return (-1);
	return (store_update(txn, rec, base_rev, s->user, err));
}

int
access_archive(struct session *s, struct store_txn *txn,
    const struct table *t, uint64_t id, struct buf *err)
{
	if (access_check(s, t, ACCESS_DELETE, err) != 0)
		return (-1);
	return (store_archive(txn, t, id, s->user, err));
}

int
access_restore(struct session *s, struct store_txn *txn,
    const struct table *t, uint64_t id, struct buf *err)
{
	if (access_check(s, t, ACCESS_DELETE, err) != 0)
		return (-1);
	return (store_restore(txn, t, id, s->user, err));
}

int
access_purge(struct session *s, struct store_txn *txn, const struct table *t,
    uint64_t id, struct buf *err)
{
	if (access_check(s, t, ACCESS_DELETE, err) != 0)
		return (-1);
	return (store_purge(txn, t, id, s->user, err));
}

int
access_page(struct session *s, struct store_txn *txn, const struct table *t,
    const char *ix, const void *key, size_t keylen, uint64_t after,
    int flags, size_t n, struct record ***out, size_t *nout,
    struct buf *err)
{
	*out = NULL;
	*nout = 0;
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_page(txn, t, ix, key, keylen, after, flags, n, out,
	    nout, err));
}

int
access_search(struct session *s, struct store_txn *txn,
    const struct table *t, const char *query, uint64_t *ids, size_t max,
    size_t *n, struct buf *err)
{
	*n = 0;
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_search(txn, t, query, ids, max, n, err));
}

int
access_history(struct session *s, struct store_txn *txn,
    const struct table *t, uint64_t id, struct audit_entry **out, size_t *n,
    struct buf *err)
{
	*out = NULL;
	*n = 0;
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_history(txn, t, id, out, n, err));
}

static int
op_was(const struct op_lookup *op)
{
	if (!op->found)
		return (0);
	return (ACCESS_WAS_OPERATOR | (op->admin ? ACCESS_WAS_ADMIN : 0) |
	    (op->disabled ? ACCESS_WAS_DISABLED : 0));
}

int
access_operator_add(struct session *s, struct store_txn *txn,
    const char *login, int admin, int *was, struct buf *err)
{
	struct op_lookup	op = { login, 0, 0, 0 };

	if (was != NULL)
		*was = 0;
	if (access_check(s, NULL, ACCESS_ADMIN, err) != 0)
		return (-1);
	if (access_login_valid(login, err) != 0)
		return (-1);
	if (op_read(txn, &op, err) != 0)
		return (-1);
	if (was != NULL)
		*was = op_was(&op);
	if (op.found && !op.admin == !admin)
		return (0);
	/* As with disabling: on a personal database nobody else could
	 * ever give it back. */
	if (op.found && op.admin && !admin && strcmp(login, s->user) == 0)
		return (buf_error(err, _("you cannot give up your own "
		    "administration; another administrator can take it "
		    "away")));
	return (op_write(txn, login, admin, op.found && op.disabled, err));
}

int
access_operator_disable(struct session *s, struct store_txn *txn,
    const char *login, int disabled, int *was, struct buf *err)
{
	struct op_lookup	op = { login, 0, 0, 0 };

	if (was != NULL)
		*was = 0;
	if (access_check(s, NULL, ACCESS_ADMIN, err) != 0)
		return (-1);
	if (disabled && strcmp(login, s->user) == 0)
		return (buf_error(err, _("you cannot disable yourself")));
	if (op_read(txn, &op, err) != 0)
		return (-1);
	if (!op.found)
		return (buf_error(err, _("'%s' is not a clerk operator"),
		    login));
	if (was != NULL)
		*was = op_was(&op);
	if (!op.disabled == !disabled)
		return (0);
	return (op_write(txn, login, op.admin, disabled, err));
}

struct list_arg {
	struct access_operator	*ops;
	size_t			 n;
};

static int
list_one(const char *key, const void *val, size_t len, void *arg)
{
	struct list_arg		*la = arg;
	struct access_operator	*op;
	const unsigned char	*v = val;

	la->ops = xreallocarray(la->ops, la->n + 1, sizeof *la->ops);
	op = &la->ops[la->n++];
	op->login = xstrdup(key + strlen(OPERATOR_PREFIX));
	op->admin = len >= 1 && v[0] != 0;
	op->disabled = len >= 2 && v[1] != 0;
	return (0);
}

int
access_operator_list(struct session *s, struct store_txn *txn,
    struct access_operator **out, size_t *n, struct buf *err)
{
	struct list_arg	la = { NULL, 0 };

	*out = NULL;
	*n = 0;
	if (access_check(s, NULL, ACCESS_ADMIN, err) != 0)
		return (-1);
	if (store_meta_scan(txn, OPERATOR_PREFIX, list_one, &la, err) != 0) {
		access_operators_free(la.ops, la.n);
		return (-1);
	}
	*out = la.ops;
	*n = la.n;
	return (0);
}

void
access_operators_free(struct access_operator *ops, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(ops[i].login);
	free(ops);
}

int
access_lookup(struct session *s, struct store_txn *txn, const struct table *t,
    const char *ix, const void *key, size_t keylen, uint64_t *ids,
    size_t max, size_t *n, struct buf *err)
{
	*n = 0;
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_lookup(txn, t, ix, key, keylen, ids, max, n, err));
}

int
access_count(struct session *s, struct store_txn *txn, const struct table *t,
    uint64_t *count, struct buf *err)
{
	*count = 0;
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_count(txn, t, count, err));
}

/*
 * Every commit that changes a count (an insert, a purge) gets a new
 * journal number, so a count read after number seq is still right
 * while the number is seq.  The number is taken before the count is
 * read: a commit between the two makes it older than the count, which
 * is then read again next time, never kept wrong.
 */
int
access_count_cached(struct session *s, struct store_txn *txn,
    const struct table *t, uint64_t *count, struct buf *err)
{
	uint64_t	seq;
	unsigned	i;
	int		hit = 0;

	*count = 0;
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	seq = store_journal_seq(s->store);
	pthread_mutex_lock(&s->counts_lock);
	for (i = 0; i < COUNTS_KEPT && !hit; i++)
		if (s->counts[i].t == t && s->counts[i].seq == seq) {
			*count = s->counts[i].n;
			hit = 1;
		}
	pthread_mutex_unlock(&s->counts_lock);
	if (hit)
		return (0);
	if (store_count(txn, t, count, err) != 0)
		return (-1);
	pthread_mutex_lock(&s->counts_lock);
	for (i = 0; i < COUNTS_KEPT && s->counts[i].t != t; i++)
		;
	if (i == COUNTS_KEPT)
		i = s->counts_next++ % COUNTS_KEPT;
	s->counts[i].t = t;
	s->counts[i].seq = seq;
	s->counts[i].n = *count;
	pthread_mutex_unlock(&s->counts_lock);
	return (0);
}

int
access_referrers(struct session *s, struct store_txn *txn,
    const struct table *t, uint64_t id, struct store_ref *out, size_t max,
    size_t *n, struct buf *err)
{
	*n = 0;
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_referrers(txn, t, id, out, max, n, err));
}

int
access_scan(struct session *s, struct store_txn *txn, const struct table *t,
    uint64_t after, size_t max, int flags, store_scan_fn *fn, void *arg,
    uint64_t *last, struct buf *err)
{
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_scan(txn, t, after, max, flags, fn, arg, last, err));
}

int
access_fetch(struct session *s, struct store_txn *txn, const struct table *t,
    const uint64_t *ids, size_t n, int flags, store_scan_fn *fn, void *arg,
    struct buf *err)
{
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_fetch(txn, t, ids, n, flags, fn, arg, err));
}

int
access_fetch_each(struct session *s, struct store_txn *txn,
    const struct table *t, const uint64_t *ids, size_t n, int flags,
    store_scan_fn *fn, void *arg, struct buf *err)
{
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_fetch_each(txn, t, ids, n, flags, fn, arg, err));
}

int
access_page_each(struct session *s, struct store_txn *txn,
    const struct table *t, const char *ix, const void *key, size_t keylen,
    uint64_t after, int flags, size_t n, store_entry_fn *fn, void *arg,
    struct buf *err)
{
	if (access_check(s, t, ACCESS_READ, err) != 0)
		return (-1);
	return (store_page_each(txn, t, ix, key, keylen, after, flags, n, fn,
	    arg, err));
}

size_t
access_records_take(struct session *s, const struct table *t,
    struct record **out, size_t max)
{
	size_t	n = 0;

	pthread_mutex_lock(&s->records_lock);
	if (s->nrecords > 0 && s->records[0]->table == t)
		while (n < max && s->nrecords > 0)
			out[n++] = s->records[--s->nrecords];
	pthread_mutex_unlock(&s->records_lock);
	return (n);
}

void
access_records_keep(struct session *s, struct record **recs, size_t n)
{
	struct record	*old[RECORDS_KEPT];
	const struct table *t;
	size_t		 nold = 0, i;

	if (n == 0)
		return;
	t = recs[0]->table;
	pthread_mutex_lock(&s->records_lock);
	/* Another table's records make room for these. */
	if (s->nrecords > 0 && s->records[0]->table != t) {
		memcpy(old, s->records, s->nrecords * sizeof *old);
		nold = s->nrecords;
		s->nrecords = 0;
	}
	for (i = 0; i < n; i++) {
		if (s->nrecords < RECORDS_KEPT && recs[i]->table == t &&
		    recs[i]->texts.alloc <= RECORD_KEPT_ROOM &&
		    recs[i]->extra.alloc <= RECORD_KEPT_ROOM) {
			s->records[s->nrecords++] = recs[i];
			recs[i] = NULL;
		}
	}
	pthread_mutex_unlock(&s->records_lock);
	for (i = 0; i < nold; i++)
		record_free(old[i]);
	for (i = 0; i < n; i++)
		record_free(recs[i]);
}

size_t
access_values_take(struct session *s, size_t width, struct value **out,
    size_t max)
{
	size_t	n = 0;

	pthread_mutex_lock(&s->records_lock);
	if (s->values_width == width)
		while (n < max && s->nvalues > 0)
			out[n++] = s->values[--s->nvalues];
	pthread_mutex_unlock(&s->records_lock);
	return (n);
}

void
access_values_keep(struct session *s, size_t width, struct value **arrays,
    size_t n)
{
	struct value	*old[RECORDS_KEPT];
	size_t		 nold = 0, i;

	if (n == 0)
		return;
	pthread_mutex_lock(&s->records_lock);
	if (s->values_width != width) {
		memcpy(old, s->values, s->nvalues * sizeof *old);
		nold = s->nvalues;
		s->nvalues = 0;
		s->values_width = width;
	}
	while (n > 0 && s->nvalues < RECORDS_KEPT)
		s->values[s->nvalues++] = arrays[--n];
	pthread_mutex_unlock(&s->records_lock);
	for (i = 0; i < nold; i++)
		free(old[i]);
	for (i = 0; i < n; i++)
		free(arrays[i]);
}
