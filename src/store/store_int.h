/*
 * store_int.h: private to store/.  The in-memory shape of an open store
 * (tables, their index descriptors, Berkeley DB handles), the one wrapper
 * every Berkeley DB call goes through (fault injection, error text), and
 * the helpers the files of the layer share.  Nothing outside store/
 * includes this or <db.h>.
 */
#ifndef CLERK_STORE_INT_H
#define CLERK_STORE_INT_H

#include <db.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "store/store.h"

/*
 * Every Berkeley DB call in store/ is written DBCALL(call): it counts the
 * call and, when the fault counter says so, returns the injected error
 * instead of making it.  Calls that release something (close, abort) are
 * DBCLOSE(call): made even when a fault is injected, so an injected
 * failure never leaks a handle or leaves a transaction open; the error
 * is still reported to exercise the caller's error path.
 */
int	 store_fault_hit(void);
extern _Thread_local int store_fault_ret;
/* Set in a thread whose calls are not counted (defer.c's indexer). */
extern _Thread_local int store_fault_exempt;
#define DBCALL(call)	(store_fault_hit() ? store_fault_ret : (call))
#define DBCLOSE(call)	(store_fault_hit() ?			\
			    ((void)(call), store_fault_ret) : (call))

/*
 * Berkeley DB's own text for the last failure in this thread: its
 * db_strerror() and, when the library said more through the error
 * callback, that too.  The returned string is thread-local.
 */
const char *store_strerror(int);
void	 store_errcall(const DB_ENV *, const char *, const char *);
/* Start collecting the library's messages of this thread in b (NULL
 * stops); store_verify_dir() uses it. */
void	 store_errcollect(struct buf *);

/* Kinds of secondary database. */
enum six_kind {
	SIX_FIELD,	/* exact, folded or unique index of one field */
	SIX_UNIQUE,	/* a composite unique constraint */
	SIX_SEARCH	/* the table's word-token index */
};

struct store_table;

/*
 * One secondary database: keys of one field (or of a unique constraint,
 * or the words of a table) to the ids of the records that have them.
 * Nothing is associated with the primary: rec.c writes the entries of a
 * record's changed keys itself, in the record's transaction, and the
 * word index's posting lists through words.c.
 *
 * Every put into a B-tree walks the cursors of every handle open on
 * its file under each handle's mutex (Berkeley DB adjusting their
 * positions: __bam_ca_di()), so each handle costs every write: one
 * handle a file, for reads and writes alike.
 */
struct store_index {
	struct store_table *st;
	enum six_kind	 kind;
	int		 ixkind;	/* SIX_FIELD: an IX_* kind */
	const struct field *field;	/* SIX_FIELD */
	const struct unique *uq;	/* SIX_UNIQUE */
	int		 unique;	/* one record per key */
	/* SIX_FIELD not unique: its entries packed many to a B-tree
	 * item, a `shared' field's ids in chunks, the word index's
	 * format (PACK_CHUNKS, pack.c), any other's pairs in runs
	 * (PACK_RUNS, runs.c); 0 for a unique index. */
	int		 packed;
	char		*file;		/* "party.name.folded.db" */
	char		*sig;		/* what keys are made of */
	DB		*db;
	int		 compact;	/* built in batches: to compact */
	int		 built;		/* built from the records at this open */
};

#define PACK_CHUNKS	1
#define PACK_RUNS	2

/* Is ix kept as posting lists (words.c's chunks): the word index, or a
 * field index packed in chunks? */
static inline int
index_chunked(const struct store_index *ix)
{
	return (ix->kind == SIX_SEARCH || ix->packed == PACK_CHUNKS);
}

/* Order of (a, aid) and (b, bid) in an index: B-tree (byte) order of the
 * keys, then the ids. */
static inline int
store_pair_cmp(const void *a, size_t alen, uint64_t aid, const void *b,
    size_t blen, uint64_t bid)
{
	size_t	n = alen < blen ? alen : blen;
	int	c;

	c = n != 0 ? memcmp(a, b, n) : 0;
	if (c == 0)
		c = alen < blen ? -1 : alen > blen;
	if (c == 0)
		c = aid < bid ? -1 : aid > bid;
	return (c);
}

/* The bytes key b (blen) shares with key a (alen) from the start: what
 * runs (runs.c) and pending items (defer.c) leave out of a key. */
static inline size_t
store_shared_len(const void *a, size_t alen, const void *b, size_t blen)
{
	const unsigned char *pa = a, *pb = b;
	size_t	i, n = alen < blen ? alen : blen;

	for (i = 0; i < n && pa[i] == pb[i]; i++)
		;
	return (i);
}

/*
 * One table: its primary (key = 8-byte big-endian id; key 0 holds the
 * record count and the archived count, see rec.c), its sequence and all
 * its indexes.
 */
#define STORE_COUNT_LEN	16	/* key 0's value: the two counts */
struct store_table {
	struct store	*s;
	const struct table *t;
	size_t		 n;		/* position in s->tables */
	char		*file;
	/*
	 * Writes through it leave every index stale (DESIGN.md §11) unless
	 * the writer writes them too: rec.c and store_load() (bulk.c) do,
	 * in the same transaction.
	 */
	DB		*db;
	/*
	 * The primary again, read only, its keys compared by
	 * store_key_cmp(): in the default order, faster.  Records looked
	 * up by id (scan.c, page.c) are looked up through it.  It never
	 * writes, so every page split of the file is made in the default
	 * order by the handles above; and with its own comparison a get
	 * gives back the key it found, so the key's DBT must have room
	 * for it (DB_DBT_USERMEM, ulen 8: store_lookup_key()).
	 */
	DB		*rd;
	DB_SEQUENCE	*seq;
	/* An id the sequence is known to have gone past (store_id_reserve(),
	 * env.c): a reserve at or below it asks nothing. */
	_Atomic uint64_t reserved;
	struct store_index *ix;
	size_t		 nix;
	struct store_index *search;	/* or NULL */
};

#define STORE_JOURNAL_RING	8192	/* entries of the change journal */
#define STORE_JOURNAL_TXN	4096	/* ids a transaction lists */

struct store {
	char		*dir;
	struct schema	*schema;
	int		 flags;
	DB_ENV		*env;
	DB		*meta;		/* settings, ids, indexes */
	DB		*seqdb;		/* sequences, apart: env.c */
	DB		*audit;		/* seq -> entry */
	DB		*audit_rec;	/* table NUL id -> seq, audit.c's */
	DB_SEQUENCE	*audit_seq;
	struct store_table *tables;
	size_t		 ntables;
	atomic_uint	 commits;	/* for opportunistic checkpoints */
	_Atomic int64_t	 checkpointed;	/* when, in monotonic seconds */
	/*
	 * Every transaction holds the gate shared; one that keeps losing
	 * deadlocks takes it alone (txn.c).  Writer-preferring.
	 */
	pthread_rwlock_t gate;
	int		 gate_init;
	/*
	 * One writer at a time (txn.c): every transaction that may write
	 * holds it, after the gate, until its commit or abort, and so does
	 * each step of compaction (maint.c).  Berkeley DB 5.3 puts a record
	 * on the wrong leaf now and then under concurrent writers: a put
	 * that finds its leaf full calls the split, which may find the leaf
	 * split already by another transaction and return having released
	 * every lock, and the put then searches again from the leaf's
	 * parent as it was; another transaction splitting that parent in
	 * between leaves the key outside the parent's range, and the search
	 * ends at its last child (probe-split-race.c).  With one writer no
	 * two transactions split pages of one file.  The indexer (defer.c)
	 * does not take it, as a writer may wait for the indexer
	 * (defer_settle()): it writes the deferred indexes, which a writer
	 * writes itself only once the indexer is idle, and only deletes
	 * from pending.db, where writers insert.
	 */
	pthread_mutex_t	 writer;
	int		 lockfd;	/* flock on dir/lock while open */
	size_t		 cache_mb;	/* what the environment was given */
	void		(*panic)(const char *);	/* store_set_panic() */
	size_t		 load_budget;	/* store_set_load_budget() */
	struct store_ahead *ahead;	/* the lookup helper, ahead.c */
	struct rcache	*rc;		/* the records read lately, or NULL */
	DB		*pending;	/* index changes to write, defer.c */
	struct store_defer *defer;	/* its indexer, or NULL: at once */
	/*
	 * The change journal (pick.c): the ids written by each committed
	 * transaction, in a ring in commit order, under pick.c's lock.
	 */
	uint64_t	 jseq;		/* the last commit's number */
	uint64_t	 jhead;		/* entries ever appended */
	uint64_t	 jlost;		/* newest number overwritten */
	struct store_jent {
		uint64_t	 seq;
		uint64_t	 id;		/* 0: the table wholesale */
		uint32_t	 tab;		/* in tables */
	}		 jring[STORE_JOURNAL_RING];
};

/*
 * A transaction as store functions see it.  Lives on the stack of
 * store_txn_run().  deadlocked is set by store_fail() when any call
 * inside hit a deadlock, so the transaction is retried even when fn
 * turned the failure into -1.  delta holds count changes per table,
 * adelta those of its archived records, written once just before the
 * commit (rec.c).
 */
struct store_txn {
	struct store	*s;
	DB_TXN		*txn;
	int		 flags;
	int		 deadlocked;
	int		 wrote;
	int64_t		*delta;
	int64_t		*adelta;
	struct store_queue *words;	/* word index changes, words.c */
	struct store_queue *ixq;	/* index entries to write, rec.c */
	/* Deferred (defer.c): every entry of the transaction, for its
	 * item of pending.db, numbered dseq once put. */
	struct store_queue *dq;
	uint64_t	 dseq;
	int		 settled;	/* waited for the items before it */
	int		 immediate;	/* writes its entries itself */
	int		 again_alone;	/* to run again alone, immediate */
	int		 idem;		/* the indexer's: entries may be there */
	/* Records written, for the change journal (pick.c). */
	struct store_jent *jids;
	size_t		 njids, jcap;
	int		 jwhole;	/* past the cap: tables only */
};

/* rec.c */
/* Write the queued index entries of t now (before t reads an index,
 * and before it commits); forget them (an abort). */
int	 rec_index_flush(struct store_txn *, struct buf *);
void	 rec_index_drop(struct store_txn *);

/*
 * defer.c: index entries written behind the commit by the store's
 * indexer thread (see there).  defer_index_read() before any read of an
 * index in t (words: the word index too); defer_spill() when t's queues
 * outgrow their budget; defer_put() just before t's commit and
 * defer_end() after it or its abort; defer_settle() waits for every item
 * committed; defer_throttle() holds a writer back while the indexer is
 * far behind; defer_hold() keeps it from writing.  defer_on(t): t's
 * entries are deferred.
 */
struct store_defer;
int	 defer_open(struct store *, DB_TXN *, struct buf *);
int	 defer_start(struct store *, int, struct buf *);
void	 defer_stop(struct store *);
int	 defer_on(struct store_txn *);
int	 defer_index_read(struct store_txn *, int, struct buf *);
int	 defer_spill(struct store_txn *, struct buf *);
int	 defer_small(struct store_txn *);
int	 defer_put(struct store_txn *, struct buf *);
void	 defer_end(struct store_txn *, int);
int	 defer_settle(struct store *, struct buf *);
void	 defer_throttle(struct store *);
void	 defer_hold(struct store *, int);

/*
 * txn.c: into the store and out of it, around a transaction or anything
 * else that changes files (compaction): the gate, shared or alone, and
 * the writer lock when writes.
 */
void	 gate_enter(struct store *, int, int);
void	 gate_leave(struct store *, int);

/* env.c */
/* Lock the folder for this process: the descriptor, or -1. */
int	 store_lock_dir(const char *, struct buf *);
int	 store_db_open(struct store *, DB_TXN *, DB **, const char *, int,
	    int, struct buf *);
void	 store_db_close(DB **);
/* Berkeley DB's default key order, compared faster (store_table rd). */
/* The last key of db as an 8-byte id (0 when it has none, or its last
 * key is not 8 bytes): 0 or a Berkeley DB error. */
int	 store_last_id(DB *, DB_TXN *, uint64_t *);
/* "Client #1 does not decode" into err (a damaged record); -1. */
int	 rec_undecodable(const struct table *, uint64_t, struct buf *);
int	 store_key_cmp(DB *, const DBT *, const DBT *);
struct store_table *store_table_get(struct store *, const struct table *);
/* store_table_get for a call on table in t; NULL with "no table '%s' in
 * the database" in err. */
struct store_table *store_table_of(struct store_txn *, const struct table *,
	    struct buf *);
/* Resolve an index by field name ("name" or "name:exact", ":folded",
 * ":unique"); for_page prefers folded, else exact first.  NULL if none. */
struct store_index *store_index_find(struct store_table *, const char *,
	    int);
/* Set err from a failed Berkeley DB call and return -1; marks the
 * transaction for a retry when ret is a deadlock. */
int	 store_fail(struct store_txn *, int, struct buf *, const char *, ...)
	    PRINTFLIKE(4, 5);
int	 store_is_deadlock(int);
/* Read-only transactions must not write. */
int	 store_writable(struct store_txn *, const struct table *,
	    struct buf *);

/* An unsigned LEB128 varint of v appended to b (words.c). */
void	 store_varint_put(struct buf *, uint64_t);
/*
 * The varint at *p, below end, into *v, *p moved past it: 0, or -1 when
 * it is cut short or over 64 bits.  Inline, for the loops that read
 * runs and chunks, where most varints are one byte (a lookup in runs
 * reads some 35 pairs', pack.c).
 */
static inline int
store_varint_get(const unsigned char **pp, const unsigned char *end,
    uint64_t *v)
{
	const unsigned char *p = *pp;
	unsigned	 shift = 0;

	if (p < end && *p < 0x80) {
		*v = *p;
		*pp = p + 1;
		return (0);
	}
	for (*v = 0;; shift += 7) {
		if (p == end || shift > 63)
			return (-1);
		*v |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80))
			break;
	}
	*pp = p;
	return (0);
}

/* 8-byte big-endian ids. */
void	 store_id_key(unsigned char *, uint64_t);
uint64_t store_id_unkey(const void *);
void	 store_dbt(DBT *, const void *, size_t);
/* A bulk read (op | DB_MULTIPLE_KEY) into d, a DB_DBT_USERMEM buffer of
 * d->ulen bytes from xmalloc, made bigger when one entry does not fit. */
int	 store_bulk_get(DBC *, DBT *, DBT *, u_int32_t);

/*
 * (key, id) pairs of one index, kept in memory to be written sorted
 * (env.c).  pairs_write() sorts them and puts them through the index's
 * handle in txn (the word index's and the packed ones' through
 * words_load() when isnew is given, else words_apply()): 0, a Berkeley
 * DB error, or
 * DB_KEYEXIST for
 * a key of a unique index that was there already, with the id that had
 * it in dup[0] and the one that came in dup[1].
 */
struct store_pairs {
	struct buf	 keys;
	struct store_pair {
		uint64_t	 head;	/* the key's first 8 bytes */
		size_t		 off, len;
		uint64_t	 id;
	}		*v;
	size_t		 n, alloc;
	int		 sorted;	/* by pairs_sort(), since the last add */
	int		 grouped;	/* by pairs_group(): head is 1 for a key
					 * equal to the one before, else 0 */
	/* A bulk load's word index: its short-prefix keys, kept here
	 * instead of in v (prefix.c); NULL in any other. */
	struct store_prefixes *pre;
};
/*
 * A bulk load's short-prefix keys of the word index (prefix.c): each
 * distinct key once, numbered, and a (key number, row) a key of a row,
 * in row order; grouped (prefixes_group()), the keys in byte order,
 * key order[i]'s rows at rows[start[i]] to rows[start[i + 1]],
 * ascending.  ids, when set, gives the id of each row (words_load()).
 */
struct store_prefixes {
	struct buf	 keys;		/* the distinct keys, end to end */
	size_t		*off, *len;	/* key k's place in keys */
	size_t		 nkeys, kalloc;
	uint32_t	*slot;		/* 1 + a key's number; 0: free */
	size_t		 nslots;
	struct prefix_row {
		uint32_t	 key, row;
	}		*v;
	size_t		 n, alloc;
	int		 grouped;
	uint32_t	*order;
	size_t		*start;
	uint32_t	*rows;
	const uint64_t	*ids;
};
struct store_prefixes *prefixes_new(void);
void	 prefixes_reset(struct store_prefixes *);
void	 prefixes_free(struct store_prefixes *);
void	 prefixes_add(struct store_prefixes *, const void *, size_t, uint32_t);
void	 prefixes_merge(struct store_prefixes *, struct store_prefixes *);
void	 prefixes_group(struct store_prefixes *);
/*
 * Puts in bulk (DB_MULTIPLE_KEY) into db in txn: bulk_put() adds a
 * pair, writing the buffer first when it is full, bulk_flush() writes
 * what is left; both 0 or a Berkeley DB error.  For writes that cannot
 * fail but on the store's own failure (new keys, no unique index).
 */
struct store_bulk {
	DB		*db;
	DB_TXN		*txn;
	DBT		 k;
	void		*p;
	size_t		 n;
	/* With it, a full buffer goes to full() rather than into db: it
	 * takes k.data, puts another of k.ulen bytes in its place and
	 * calls bulk_reset(); 0, or an error bulk_put() returns. */
	int		(*full)(struct store_bulk *, void *);
	void		*farg;
};
void	 bulk_init(struct store_bulk *, DB *, DB_TXN *);
int	 bulk_put(struct store_bulk *, const void *, size_t, const void *,
	    size_t);
int	 bulk_flush(struct store_bulk *);
/* Empty again, its buffer (k.data, of k.ulen bytes) reused. */
void	 bulk_reset(struct store_bulk *);
void	 bulk_release(struct store_bulk *);
void	 pairs_add(struct store_pairs *, const void *, size_t, uint64_t);
/* The pairs of the second added to the first's, both in id order and
 * the result too (pairs_sort() wants them so); the second released. */
void	 pairs_merge(struct store_pairs *, struct store_pairs *);
void	 pairs_reset(struct store_pairs *);
void	 pairs_release(struct store_pairs *);
/* Sorted now (pairs_write() then does not sort them again); a million
 * pairs and more in two threads, on a machine of two processors or more. */
void	 pairs_sort(struct store_pairs *);
/* Sorted, and each marked when its key is the one before's: the word
 * index's grouping done ahead, by whoever has the time (bulk.c). */
void	 pairs_group(struct store_pairs *);
/* The machine's memory in bytes, 0 when unknown. */
uint64_t store_ram_bytes(void);
/* The processors online, at least 1. */
int	 store_ncpu(void);
int	 pairs_write(struct store_index *, DB_TXN *, struct store_pairs *,
	    int (*)(const void *, size_t, void *), void *, uint64_t *);

/* sec.c: keys of one index. */
/* Keys of ix for an encoded record (-1 if it does not decode) or for a
 * record in memory; appended to ks, sorted and unique. */
int	 sec_data_keys(struct store_index *, const void *, size_t,
	    struct keyset *);
void	 sec_record_keys(struct store_index *, const struct record *,
	    struct keyset *);
char	*sec_signature(struct store_index *);

/*
 * queue.c: index changes kept in a transaction to be written sorted,
 * by words.c (a table's word index a group) and rec.c (an index a
 * group).  queue_init() and queue_release() are for a queue of the
 * caller's own; queue_get() makes *qp when there is none; queue_run(q, i)
 * is the end of the run of changes from i that have i's group, key and
 * id, after queue_sort(); queue_bytes() what the changes held take.
 */
struct store_queue {
	struct buf	 keys;
	struct store_qop {
		uint64_t	 head;		/* the key's first 8 bytes */
		size_t		 off;		/* key bytes in keys */
		uint32_t	 len;
		uint32_t	 group;
		uint64_t	 id;
		int		 add;
	}		*ops;
	size_t		 n, alloc;
	int		 sorted;	/* in queue_sort()'s order already */
};
void	 queue_init(struct store_queue *);
/* The order of queue_sort(), for changes of two queues. */
int	 queue_cmp(const struct store_qop *, const char *,
	    const struct store_qop *, const char *);
void	 queue_release(struct store_queue *);
struct store_queue *queue_get(struct store_queue **);
void	 queue_add(struct store_queue *, uint32_t, const void *, size_t,
	    uint64_t, int);
size_t	 queue_bytes(const struct store_queue *);
void	 queue_sort(struct store_queue *);
size_t	 queue_run(const struct store_queue *, size_t);
void	 queue_reset(struct store_queue *);
void	 queue_free(struct store_queue **);
/* Queue what takes a record id's keys from the first set to the
 * second (sorted and unique). */
void	 queue_diff(struct store_queue *, uint32_t, const struct keyset *,
	    const struct keyset *, uint64_t);

/*
 * words.c: the word index as posting lists (see there).  A change of a
 * record's words is queued in the transaction and applied by
 * words_flush(): at commit, before a search, or when the queue grows
 * big; words_drop() forgets the queue of an aborted transaction.
 */
struct words_put {
	const void	*key;
	size_t		 len;
	uint64_t	 id;
	int		 add;
};
int	 words_queue_record(struct store_txn *, struct store_table *,
	    const struct record *, const struct record *, uint64_t,
	    struct buf *);
int	 words_flush(struct store_txn *, struct buf *);
void	 words_drop(struct store_txn *);
/*
 * A cursor applying changes to a packed index (words.c's chunks, runs.c's
 * runs): transient, its key and data DB_DBT_REALLOC, its gets with
 * DB_RMW, its calls not counted by the fault injection but its open and
 * close (words.c says why); acur_del() deletes the item it stands on
 * and opens it anew.  0 or a Berkeley DB error.
 */
struct acur {
	DB		*db;
	DB_TXN		*txn;
	DBC		*c;
	DBT		 k, d;
};
int	 acur_open(struct acur *, DB *, DB_TXN *);
int	 acur_close(struct acur *);
int	 acur_get(struct acur *, u_int32_t);
void	 acur_setkey(struct acur *, const void *, size_t);
int	 acur_del(struct acur *);
/* Apply changes sorted by (key, id), one per pair: 0 or a Berkeley DB
 * error (EBADMSG for a chunk that does not decode). */
int	 words_apply(DB *, DB_TXN *, const struct words_put *, size_t);
/* The same for a bulk load (bulk.c): every change an add, every id above
 * the index's; tokens isnew(key, len, arg) says are not in the index are
 * written as new chunks without reading. */
int	 words_load(DB *, DB_TXN *, const struct store_pairs *,
	    int (*)(const void *, size_t, void *), void *);
/* words_load()'s puts of a bulk load, every token new, made into b and
 * handed to its full() hook; the last, partial buffer left in b. */
int	 words_encode(struct store_bulk *, const struct store_pairs *);
/* words_load()'s isnew that says every token is new: a load of one batch
 * (a bulk one) into an empty table, where each token comes once. */
int	 words_token_new(const void *, size_t, void *);
/*
 * runs.c: a field index packed in runs (PACK_RUNS): its pairs in order,
 * many to a B-tree item.  runs_decode() reads a run's pairs into rp (0,
 * or -1 when it is damaged: out of order, empty, cut short): pair i's
 * key is keys.data + off[i], off[i + 1] - off[i] bytes, its id ids[i].
 * runs_apply() applies changes sorted by (key, id), one per pair, as
 * words_apply() does chunks; runs_load() a bulk load's or an index
 * build's sorted pairs, all added.  0 or a Berkeley DB error (EBADMSG
 * for a run that does not decode).
 */
struct runpairs {
	struct buf	 keys;
	size_t		*off;		/* n + 1 of them */
	uint64_t	*ids;
	size_t		 n, alloc;
};
void	 runs_init(struct runpairs *);
void	 runs_release(struct runpairs *);
int	 runs_decode(const void *, size_t, struct runpairs *);
/* The key of the pair at *p of a run, *p moved past it to the pair's
 * id: the bytes it shares with the key before, and the rest (rest,
 * rlen bytes).  0, or -1 when it is cut short. */
static inline int
runs_head(const unsigned char **p, const unsigned char *end, size_t *shared,
    const unsigned char **rest, size_t *rlen)
{
	uint64_t	 sh, rl;

	if (store_varint_get(p, end, &sh) == -1 ||
	    (uint64_t)(size_t)sh != sh ||
	    store_varint_get(p, end, &rl) == -1 || rl > (uint64_t)(end - *p))
		return (-1);
	*rest = *p;
	*p += rl;
	*shared = (size_t)sh;
	*rlen = (size_t)rl;
	return (0);
}

/* The same, and its id: the whole pair. */
static inline int
runs_next(const unsigned char **p, const unsigned char *end, size_t *shared,
    const unsigned char **rest, size_t *rlen, uint64_t *id)
{
	if (runs_head(p, end, shared, rest, rlen) == -1 ||
	    store_varint_get(p, end, id) == -1)
		return (-1);
	return (0);
}
int	 runs_apply(DB *, DB_TXN *, const struct words_put *, size_t);
int	 runs_load(DB *, DB_TXN *, const struct store_pairs *);

/*
 * pack.c: a packed index (store_index.packed: words.c's chunks or
 * runs.c's runs) read as (key, id) pairs in index order.  pcur_seek()
 * goes to the first pair >= (key, id), pcur_move() to DB_FIRST,
 * DB_LAST, DB_NEXT or DB_PREV; 0 with key and id set, DB_NOTFOUND,
 * EBADMSG for a damaged chunk or run, or a Berkeley DB error.  The
 * cursor is the caller's.
 */
struct pcur {
	DBC		*c;
	DBT		 k, d;		/* DB_DBT_REALLOC */
	struct buf	 seek;		/* the B-tree key sought */
	struct buf	 key;		/* the pair's key */
	uint64_t	 id;		/* the pair's id */
	uint64_t	 lo;		/* the chunk's bound */
	uint64_t	*ids;		/* the chunk's ids */
	size_t		 nids, at, alloc;	/* nids: a run's pairs */
	int		 runs;		/* reading runs, not chunks */
	struct runpairs	 rp;		/* the run's pairs */
};
/* A cursor over chunks, or over runs when runs is set. */
void	 pcur_init(struct pcur *, DBC *, int);
void	 pcur_release(struct pcur *);
int	 pcur_seek(struct pcur *, const void *, size_t, uint64_t);
int	 pcur_move(struct pcur *, u_int32_t);
/* Is the pair's key key? */
int	 pcur_on(const struct pcur *, const void *, size_t);
/* The ids of a key (runs: the index is in runs), up to max of them
 * (*n), and how many in all into *total unless NULL. */
int	 pack_lookup(DBC *, int, const void *, size_t, uint64_t *, size_t,
	    size_t *, uint64_t *);

/* The next id of a chunk at *p (first set: the chunk's first, absolute;
 * then each a difference from *id): 0, or -1 when damaged. */
int	 words_next(const unsigned char **, const unsigned char *, uint64_t *,
	     int *);
/* Append the ids of a chunk to *ids; -1 if it does not decode. */
int	 words_decode(const void *, size_t, uint64_t **, size_t *, size_t *);
/* A chunk's ids into out, up to cap in all (*n counts them); the rest
 * of the chunk is left.  -1 if it does not decode. */
int	 words_decode_cap(const void *, size_t, uint64_t *, size_t, size_t *);
/* The key of a chunk of token tok with lower bound lo, appended. */
void	 words_key(struct buf *, const void *, size_t, uint64_t);
/* Split a chunk's key: token length and bound; -1 if malformed. */
int	 words_key_split(const void *, size_t, size_t *, uint64_t *);

/*
 * scan.c: records by ids in ascending order (no two the same) through
 * one cursor: fn(i, id, bytes, len, arg) for each ids[i], bytes NULL
 * when there is no such record (archived ones come too).  fn returns
 * non-zero to stop, that value in *stopped.  0 or a Berkeley DB error.
 */
typedef int rec_fetch_fn(size_t, uint64_t, const void *, size_t, void *);
int	 rec_fetch(struct store_txn *, struct store_table *, const uint64_t *,
	    size_t, rec_fetch_fn *, void *, int *);
/* A key DBT for a get through a table's rd (scan.c): the id's 8 bytes
 * in kb, with room for the key the get gives back. */
void	 store_lookup_key(DBT *, unsigned char *, uint64_t);
/*
 * rcache.c: the records read lately.  rcache_new() of a size in bytes
 * (NULL for 0); rcache_evict() lets record (tab, id) go, id 0 every
 * record of the table, and must be called for every record written,
 * when written and again after its transaction ends (pick.c).
 * rcache_read() reads record id of st into d (a DB_DBT_REALLOC DBT):
 * through lookup cursor c (store_lookup_cursor()) or, when c is NULL,
 * st->db, from the cache when t may use it and filling it: 0,
 * DB_NOTFOUND or a Berkeley DB error.
 */
struct rcache;
struct rcache *rcache_new(size_t);
void	 rcache_free(struct rcache *);
void	 rcache_evict(struct rcache *, uint32_t, uint64_t);
int	 rcache_read(struct store_txn *, struct store_table *, DBC *,
	    uint64_t, DBT *);
/*
 * A cursor on a table's rd for lookups by id (DB_SET) alone, in t's
 * transaction, with the cursor flags given (DB_READ_COMMITTED or 0).
 * 0 or a Berkeley DB error.
 */
int	 store_lookup_cursor(struct store_txn *, struct store_table *, DBC **,
	    u_int32_t);
/*
 * ahead.c: lookups of many ids in order.  store_ahead_ids() looks up
 * ids[from, to) through a lookup cursor c (d a DB_DBT_REALLOC DBT),
 * each record to fn(i, bytes, len, arg) (bytes NULL: no record of
 * ids[i]; archived ones passed over unless flags has
 * STORE_PAGE_ARCHIVED): 0 or a Berkeley DB error, *stopped when fn
 * returned non-zero.  store_ahead_run() does the same for all n with a
 * helper thread looking blocks of them up ahead (block ids a block, 0:
 * the most), when store_fetch_ahead_fits() says so for n ids (min the
 * fewest it pays for on its own).
 */
typedef int store_ahead_fn(size_t, const void *, size_t, void *);
int	 store_ahead_ids(struct store_txn *, struct store_table *, DBC *,
	    DBT *, const uint64_t *, size_t, size_t, int, store_ahead_fn *,
	    void *, int *);
int	 store_fetch_ahead_fits(const struct store_txn *, size_t, size_t);
int	 store_ahead_run(struct store_txn *, struct store_table *, DBC *,
	    DBT *, const uint64_t *, size_t, size_t, int, store_ahead_fn *,
	    void *, int *);
/* The store's helper, made at open; its thread ends at close. */
void	 store_ahead_init(struct store *);
void	 store_ahead_free(struct store *);

/*
 * pick.c: the change journal.  journal_note() lists a record written in
 * the transaction; journal_begin() before the commit takes the
 * journal's lock when anything is listed, journal_end() after it adds
 * the list to the ring (when committed), forgets it and lets the lock
 * go; journal_drop() forgets the list of a transaction aborted.
 */
void	 journal_note(struct store_txn *, struct store_table *, uint64_t);
void	 journal_begin(struct store_txn *);
void	 journal_end(struct store_txn *, int);
void	 journal_drop(struct store_txn *);

/* rec.c */
int	 rec_count_flush(struct store_txn *, struct buf *);
/* References of rec must exist (old given: only the fields that changed
 * from it); -1 with err naming the field. */
int	 rec_check_refs(struct store_txn *, struct store_table *,
	    const struct record *, const struct record *, struct buf *);
/* What a unique index is about and the value of rec in it, for people:
 * "inn, kpp" and "7707083893, 773601001". */
void	 rec_unique_describe(struct store_index *, const struct record *,
	    const void *, size_t, struct buf *, struct buf *);
const char *user_or_empty(const char *);
/* The operator's name as records keep it (record_name()), NULL for none. */
const char *user_name(const char *);
int	 rec_get_raw(struct store_txn *, struct store_table *, uint64_t,
	    struct record **, int, struct buf *);

/* audit.c */
int	 audit_open(struct store *, DB_TXN *, struct buf *);
/* The largest id of table the audit trail has an entry of (0: none):
 * 0 or a Berkeley DB error. */
int	 audit_max_id(struct store *, DB_TXN *, const struct table *,
	    uint64_t *);
/* Whether the trail has an entry of (table, id), in *known: 0 or a
 * Berkeley DB error. */
int	 audit_knows(struct store *, DB_TXN *, const struct table *,
	    uint64_t, int *);
void	 audit_close(struct store *);
/* Append an entry: changes old -> new between a and b (either may be
 * NULL: an insert or a purge), only the fields that differ. */
int	 audit_add(struct store_txn *, const char *, const struct record *,
	    const struct record *, const char *, uint64_t, uint32_t,
	    struct buf *);
/* The insert entries of a bulk load's records (the ids, ascending). */
int	 audit_load(struct store_txn *, const struct table *, const char *,
	    const uint64_t *, size_t, struct buf *);
/* The message of a conflict: who changed which fields since rev. */
void	 audit_conflict(struct store_txn *, const struct table *, uint64_t,
	    uint32_t, struct buf *);

/* Compact one index file as store_compact() does (maint.c): 0 or -1. */
int	 store_compact_index(struct store *, DB *, struct buf *);

/* The mode of every file the store writes (owner only). */
#define FILE_MODE	0600
/*
 * The page size of every database file created (one made before keeps
 * its own).  16 KB rather than Berkeley DB's 4 KB default: at a million
 * parties a primary of 4 levels becomes 3, a record up to 4 KB stays on
 * its leaf page instead of going to overflow pages, and fewer, fuller
 * pages are latched and copied into the cache.  Measured at 300,000
 * parties (bench-store): a page of 50 by name p50/p99 407/1,406 µs ->
 * 213/310, get by id p99 40 -> 13.5 µs, the scan 121 -> 52 ms, the files
 * 736 -> 646 MB, inserts no slower.  32 and 64 KB were no better.
 * Bulk read buffers must hold a page: at least this.
 */
#define STORE_PAGESIZE	(16 * 1024)
void	 store_chmod_files(const char *);

#endif
