/*
 * store: the only code that includes <db.h>.  A transactional Berkeley DB
 * environment, one B-tree per table keyed by a big-endian id from a
 * DB_SEQUENCE, secondary indexes from the schema written with every
 * record, optimistic revisions, archive and purge, and an audit entry in
 * the same transaction as every change.  Safe for many threads of one
 * process (the server); never for two processes at once.
 * Never prints: errors come back as -1 with a message in err.
 */
#ifndef CLERK_STORE_H
#define CLERK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"
#include "record/record.h"

/* Normal, non-error outcomes (positive returns). */
#define STORE_NOTFOUND	1
#define STORE_CONFLICT	2	/* the record changed since the revision given */

struct store;
struct store_txn;

/* store_open() flags. */
#define STORE_CREATE	0x01	/* create the folder and environment if missing */
#define STORE_NOSYNC	0x02	/* commits not flushed to disk (benchmarks, bulk tests) */
/* Index entries written in each transaction, not behind it by the
 * store's indexer (defer.c): for comparisons and a fallback. */
#define STORE_INDEX_NOW	0x04

struct store_options {
	size_t		 cache_mb;	/* 0 = sized by store_cache_auto() */
	int		 flags;		/* STORE_* */
	/* The records read lately, kept apart from the cache (rcache.c),
	 * in MB: 0 = a sixteenth of the cache, STORE_RCACHE_NONE none. */
	int		 rcache_mb;
};
#define STORE_RCACHE_NONE	(-1)

/*
 * The cache a store gets when none is asked for, in MB: room for the
 * whole database as it is (data bytes, the *.db files) and a quarter
 * more for growth, at least 64 MB, at most a quarter of the machine's
 * memory (ram bytes; 0 = unknown, then 1 GB at most).  A database read
 * through a cache smaller than itself reads from the kernel at every
 * miss: a million parties (2.5 GB) through the old fixed 64 MB made
 * every page of a list a system call.
 */
#define STORE_CACHE_MIN	64
size_t	 store_cache_auto(uint64_t, uint64_t);
/* The cache size the open store was given, in MB. */
size_t	 store_cache_mb(struct store *);
/*
 * Pages found in the cache and pages read into it from the files since
 * the store was opened (Berkeley DB's counters; 0 and 0 if it cannot
 * say).  A miss is a read from the kernel: what makes a lookup's 99th
 * percentile ten times its median.
 */
void	 store_cache_stats(struct store *, uint64_t *, uint64_t *);
/*
 * The records read lately (rcache.c): reads of records found there and
 * not, since the store was opened, and the bytes it holds (0, 0, 0
 * when it has none).
 */
void	 store_record_cache_stats(struct store *, uint64_t *, uint64_t *,
	     size_t *);
/* Its size in MB (0: none). */
size_t	 store_record_cache_mb(struct store *);
/* Empty it (for a benchmark: the time of reads from the files). */
void	 store_record_cache_clear(struct store *);

/*
 * Open (and recover) the environment in dir with the tables of the
 * schema.  Assigns field ids (kept per table and name in the meta
 * database; a field whose type changed is refused with a message naming
 * it), opens every table with all its indexes, building indexes that are
 * new.  The schema must outlive the store and not change while open.
 */
int	 store_open(struct store **, const char *, struct schema *,
	     const struct store_options *, struct buf *);
void	 store_close(struct store *);
/*
 * fn is called, in the thread that met it, when Berkeley DB finds the
 * environment unusable (DB_EVENT_PANIC; the message given): every call
 * fails from then on until the store is opened again, which recovers
 * it.  A known way there: aborting a bulk load (STORE_TXN_BULK) that
 * wrote its indexes in more than one batch (bulk.c).
 */
void	 store_set_panic(struct store *, void (*)(const char *));
/*
 * Index entries are written behind the commits by a thread of the
 * store's (defer.c); any read of an index waits for those committed
 * before it, so callers never see the difference.  store_settle() waits
 * for all of them (a benchmark timing inserts with their indexes): 0 or
 * -1 with a message when the writing keeps failing.  For tests:
 * store_defer_pause() holds the thread (reads then go on without the
 * entries not written), store_defer_stats() counts the items waiting,
 * the batches written and the entries in them.
 */
int	 store_settle(struct store *, struct buf *);
void	 store_defer_pause(struct store *, int);
void	 store_defer_stats(struct store *, uint64_t *, uint64_t *,
	     uint64_t *);
const struct schema *store_schema(struct store *);
const char *store_dir(struct store *);

/*
 * Transactions.  store_txn_run() begins a transaction, calls fn, commits
 * if fn returns 0 (or a positive code) and aborts otherwise.  When any
 * store call inside hit a deadlock, it aborts and runs fn again (a
 * bounded number of times, with a short random back-off), so fn must not
 * keep state across tries except through its argument, which it should
 * reset at its start; what a try left in it the caller frees, whether
 * the transaction committed or not.  Returns what fn returned, or -1; a
 * message is in err only from the last try (one run again leaves none
 * there).  fn must not call store_txn_run() itself.  Transactions that
 * may write (any without STORE_TXN_READONLY) run one at a time,
 * read-only ones beside them and each other: Berkeley DB 5.3 misplaces
 * records when several threads change one B-tree at once (store_int.h).
 */
#define STORE_TXN_READONLY 0x01
/*
 * With STORE_TXN_READONLY: fn makes one read of the store (a store_get()
 * or a store_lookup(), not a page, a scan or several reads that must
 * agree), run outside any Berkeley DB transaction.  The read is atomic
 * and sees committed data only, as in a transaction; nothing is begun or
 * committed for it (a transaction's begin and commit cost several times
 * a lookup).  A deadlock runs fn again as usual.
 */
#define STORE_TXN_ONEREAD 0x02
/*
 * A transaction that loads many records into a table that holds none
 * (store_load()): Berkeley DB's bulk insert optimization (DB_TXN_BULK).
 * The pages it adds to a file are not logged with their contents; the
 * commit writes them to the files instead, so the log is a fraction and
 * the commit takes longer.  Anything else may run in it as usual (it
 * still aborts and recovers all or nothing), but its records cannot be
 * redone from the log alone: catastrophic recovery over an older backup
 * lacks them, so back up again after such a load.  store_backup() stays
 * consistent while one runs (Berkeley DB then logs in full).
 */
#define STORE_TXN_BULK	0x04
/*
 * The transaction runs alone (no other begins until it ends) after every
 * index entry written behind a commit is written (defer.c): indexes and
 * records then agree throughout, as store_check() wants them.
 */
#define STORE_TXN_ALONE	0x08
typedef int store_txn_fn(struct store_txn *, void *, struct buf *);
int	 store_txn_run(struct store *, int, store_txn_fn *, void *,
	     struct buf *);
struct store *store_txn_store(struct store_txn *);

/* Records.  A record returned is the caller's to record_free(). */
int	 store_get(struct store_txn *, const struct table *, uint64_t,
	     struct record **, struct buf *);
/*
 * Insert: validates (record_validate), checks references exist and
 * unique constraints, assigns id, rev 1, times and user, writes the
 * record and its audit entry.  rec->id and friends are filled in.
 */
int	 store_insert(struct store_txn *, struct record *, const char *,
	     struct buf *);
/*
 * The same with the id given (an import keeping the ids of an export,
 * so that the references of other tables' files stay right), or 0 for
 * the next of the sequence as store_insert().  An id that a record of
 * the table has (archived too), or that a purged one had (its audit
 * trail is there: an id is never given twice), is refused; one above
 * STORE_ID_MAX too.  The table's sequence then goes on after it, so a
 * later insert never meets it.
 */
#define STORE_ID_MAX	((uint64_t)9007199254740991)	/* 2^53 - 1 */
int	 store_insert_id(struct store_txn *, struct record *, uint64_t,
	     const char *, struct buf *);
/*
 * Whether id of the table is in use: 0 free, STORE_ID_TAKEN when a
 * record has it (archived too), STORE_ID_PURGED when none has it but
 * the audit trail knows it (a purged record's), or -1.
 */
#define STORE_ID_TAKEN	5
#define STORE_ID_PURGED	6
int	 store_id_used(struct store_txn *, const struct table *, uint64_t,
	     struct buf *);
/* The largest id the table has had (0: none), purged records' too: an
 * id above it is free. */
int	 store_id_max(struct store_txn *, const struct table *, uint64_t *,
	     struct buf *);
/*
 * The table's sequence goes on after max: no later insert takes an id
 * at or below it (a few numbers may be skipped; outside the
 * transaction, like every taking of ids).  0 or -1.
 */
int	 store_id_reserve(struct store_txn *, const struct table *, uint64_t,
	     struct buf *);
/*
 * Insert many records into a table that holds none (archived ones
 * included), as store_insert() would one by one in this transaction:
 * the same records, ids from the sequence in row order, the same audit
 * entries, index keys and word postings.  But each index is written
 * once per batch of rows from its keys sorted in memory, and unique
 * values are checked on those sorted keys.  row(arg, i, rec, err) puts
 * row i (from 0, in order) into rec, a record of the table that is
 * reused: 0, or -1 to stop with err.  Returns 0 when all are written;
 * STORE_NOTEMPTY, nothing written, when the table holds a record (use
 * store_insert()); STORE_TOOBIG in a bulk transaction (STORE_TXN_BULK)
 * when the keys of all rows would take more than the budget: abort it
 * (records may have been appended, no index written, which a bulk
 * transaction can undo) and load them in a plain one (bulk.c); -1 with
 * err, and with bad (and other, for a unique value two rows share) set
 * to the row at fault or SIZE_MAX, when a row or the store failed.  The
 * transaction must then be aborted.
 */
#define STORE_NOTEMPTY	3
#define STORE_TOOBIG	4
struct store_load {
	const struct table *table;
	size_t		 n;		/* rows */
	int		(*row)(void *, size_t, struct record *, struct buf *);
	/*
	 * Rows keep the id row() leaves in rec->id (0: a new one from the
	 * sequence, which first goes past maxid, the largest given).  The
	 * ids given must differ and be free (store_id_used()); in a bulk
	 * transaction they must ascend, and every row give one, or none.
	 */
	int		 keep_ids;
	uint64_t	 maxid;
	/* Row i decoded as row() gives it, without counting it taken,
	 * and safe to call in another thread beside row(): with it, a
	 * bulk load's index keys are made by two threads (NULL: one). */
	int		(*peek)(void *, size_t, struct record *, struct buf *);
	void		*arg;
	/* Rows a thread making keys takes at a time (0: LOAD_KEY_ROWS,
	 * bulk.c); tests set small ones. */
	size_t		 key_rows;
	/* Bytes of index keys gathered before they are written, about
	 * (0: store_load_budget()); tests set small ones. */
	size_t		 budget;
	/* Bytes of each buffer of a bulk load's puts into the word index,
	 * made beside the writer (0: 1 MB, bulk_init()); tests set small
	 * ones. */
	size_t		 put_bytes;
	size_t		 bad, other;	/* set by store_load() */
	size_t		 batches;	/* set by store_load() */
	size_t		 keyed;		/* set by store_load(): rows whose
					 * keys the key thread made */
	size_t		 late;		/* set by store_load(): rows whose
					 * word keys came after the rows */
};
/* The memory a load's batch of keys may take: in a bulk transaction
 * (bulk), the whole load's; else each batch's. */
size_t	 store_load_budget(int);
/* Both, for loads through this store (0: store_load_budget()'s). */
void	 store_set_load_budget(struct store *, size_t);
int	 store_load(struct store_txn *, struct store_load *, const char *,
	     struct buf *);
/*
 * Update rec (rec->id) if the stored revision is still base_rev; else
 * STORE_CONFLICT with err naming the fields changed since base_rev and by
 * whom.  On success rec->rev is the new revision (unchanged, and nothing
 * written, when no value changed); on failure rec is as it was.  Keep
 * base_rev apart from rec->rev: store_txn_run() may run fn again.
 * STORE_NOTFOUND if the record is gone.
 */
int	 store_update(struct store_txn *, struct record *, uint32_t,
	     const char *, struct buf *);
/* Archive (hide from lists) or bring back; both audited. */
int	 store_archive(struct store_txn *, const struct table *, uint64_t,
	     const char *, struct buf *);
int	 store_restore(struct store_txn *, const struct table *, uint64_t,
	     const char *, struct buf *);
/* Delete for good: refused while any record (archived too) refers to it. */
int	 store_purge(struct store_txn *, const struct table *, uint64_t,
	     const char *, struct buf *);

/*
 * Pages: up to n records in the order of an index (field name of an
 * exact or folded index) or of ids (ix NULL), starting after the position
 * (key, id); key NULL starts at the beginning (or the end, backward).
 * STORE_PAGE_FROM: include the position itself and start at the first
 * key >= key (prefix positioning).  Archived records are skipped unless
 * STORE_PAGE_ARCHIVED.  *out is an array of n records, caller frees.
 * Backward pages come nearest first (descending).  In id order (ix
 * NULL) the position is id alone, 0 = the start (or the end).  ix may
 * name the kind when a field has several: "name:exact", "name:folded",
 * "name:unique"; a bare name prefers folded for pages, exact for lookups.
 * An empty page is *out NULL, *n 0.
 */
#define STORE_PAGE_BACKWARD	0x01
#define STORE_PAGE_FROM		0x02
#define STORE_PAGE_ARCHIVED	0x04
int	 store_page(struct store_txn *, const struct table *, const char *,
	     const void *, size_t, uint64_t, int, size_t, struct record ***,
	     size_t *, struct buf *);
/* The index key of rec in the index of field ix (the first key of a
 * multi field), for positioning the next page. */
void	 store_page_key(const struct record *, const char *, struct buf *);
void	 store_records_free(struct record **, size_t);
/*
 * The entries of index ix in its order from a position, as store_page()
 * takes them (key, id, STORE_PAGE_BACKWARD and STORE_PAGE_FROM), but
 * keys and ids only: no record is read, so archived records come too.
 * fn(key, len, id, arg) sees each (the key valid during the call) and
 * returns non-zero to stop.  Forward reads in bulk.  Returns 1 when fn
 * stopped the walk, 0 at the end of the index, or -1.
 */
typedef int store_key_fn(const void *, size_t, uint64_t, void *);
int	 store_keys(struct store_txn *, const struct table *, const char *,
	     const void *, size_t, uint64_t, int, store_key_fn *, void *,
	     struct buf *);

/*
 * An estimate of the share of index ix's entries whose keys lie in
 * [lo, hi) in byte order (lo NULL: from the first entry; hi NULL: past
 * the last), in parts of STORE_SHARE_ONE, from the shape of the B-tree
 * (Berkeley DB's key_range: one descent per bound, O(its height), no
 * entry read); a small index (a unique one of at most 16 keys, one
 * in chunks of at most 256 chunks, one in runs of at most 64 runs) is
 * counted instead, exactly, and then *entries (unless NULL) is the
 * count of entries in the range, else UINT64_MAX, so the planner can
 * say which figure is exact.  The planner sizes a range with it before
 * choosing a walk or a scan.  The entries of a key count each, so [k,
 * k + 0xFF) sizes an equality; an empty index gives 0.
 * ix as for store_keys().
 */
#define STORE_SHARE_ONE	1000000000u
int	 store_key_share(struct store_txn *, const struct table *,
	     const char *, const void *, size_t, const void *, size_t,
	     uint64_t *, uint64_t *, struct buf *);

/*
 * A scan: the records of a table in id order after id `after` (0 = from
 * the start), each handed to fn as its id and encoded bytes (read the
 * fields with record_decode_field(), or record_decode() the whole); the
 * bytes are valid only during the call.  Archived records are skipped
 * unless STORE_PAGE_ARCHIVED.  Stops after max records (0 = no limit) or
 * when fn returns non-zero.  *last (may be NULL) is where to go on from:
 * the last id looked at, or UINT64_MAX when the table is done.  Reads in
 * bulk with read-committed isolation: no page stays locked behind it.
 */
typedef int store_scan_fn(uint64_t, const void *, size_t, void *);
int	 store_scan(struct store_txn *, const struct table *, uint64_t,
	     size_t, int, store_scan_fn *, void *, uint64_t *, struct buf *);

/*
 * Records by id: ids[0..n) in ascending order, no two the same, each
 * handed to fn as store_scan() does (its id and encoded bytes, valid
 * only during the call); an id with no record is skipped, an archived
 * record too unless STORE_PAGE_ARCHIVED.  Read in id order through one
 * cursor, in bulk where the ids lie close together, so a few thousand
 * ids from an index cost less than a lookup each.  Returns 1 when fn
 * stopped (returned non-zero), 0 after the last id, or -1.
 */
int	 store_fetch(struct store_txn *, const struct table *,
	     const uint64_t *, size_t, int, store_scan_fn *, void *,
	     struct buf *);
/*
 * Records by id in the order given (any order), each looked up alone
 * through one cursor, handed to fn as store_fetch() does; an id with no
 * record is skipped, an archived record too unless STORE_PAGE_ARCHIVED.
 * For ids far apart (fewer than one in about twenty), or in an index's
 * order, where store_fetch()'s bulk reads would copy the records
 * between them too.  Returns 1 when fn stopped, 0 after the last id,
 * or -1.
 */
int	 store_fetch_each(struct store_txn *, const struct table *,
	     const uint64_t *, size_t, int, store_scan_fn *, void *,
	     struct buf *);
/*
 * Whether store_fetch_each() (256 ids or more) and store_page_each()
 * (256 entries or more) in a read-only transaction have a second thread
 * look records up ahead of them (store/ahead.c; the records and their
 * order are the same either way): 0 when the machine has more than one
 * processor (the default), 1 always (for tests: from two ids, or 16
 * entries, on), -1 never.
 */
void	 store_set_fetch_ahead(int);
/*
 * store_page()'s walk of index ix (the same positions, flags and order,
 * up to n records), but no record is decoded: fn(id, key, keylen,
 * bytes, len, arg) gets each record's entry key in the index and its
 * encoded bytes (both valid during the call only; read the fields with
 * record_decode_field(), or record_decode() the whole) and returns
 * non-zero to stop.  Archived records are skipped (and not counted)
 * unless STORE_PAGE_ARCHIVED.  Returns 1 when fn stopped, 0 otherwise,
 * or -1.
 */
typedef int store_entry_fn(uint64_t, const void *, size_t, const void *,
	     size_t, void *);
int	 store_page_each(struct store_txn *, const struct table *,
	     const char *, const void *, size_t, uint64_t, int, size_t,
	     store_entry_fn *, void *, struct buf *);

/* Ids of records whose index ix (exact, folded or unique) has exactly
 * this key; up to max, archived ones too.  Returns the count found (also
 * in *n), or -1. */
int	 store_lookup(struct store_txn *, const struct table *, const char *,
	     const void *, size_t, uint64_t *, size_t, size_t *,
	     struct buf *);
/*
 * Word-token search: every token of the query must match a token of the
 * record as a prefix ("ив пет" finds "Иванов Пётр").  Ids in id order,
 * at most max; archived records skipped.  Returns the count (also in
 * *n), or -1.
 */
int	 store_search(struct store_txn *, const struct table *, const char *,
	     uint64_t *, size_t, size_t *, struct buf *);
/* Records of other tables that refer to (table, id): up to max
 * (table, id) pairs; returns the count (also in *n), or -1. */
struct store_ref {
	const struct table *table;
	uint64_t	 id;
};
int	 store_referrers(struct store_txn *, const struct table *, uint64_t,
	     struct store_ref *, size_t, size_t *, struct buf *);
/*
 * The change journal (pick.c), for caches that stay right across
 * writes: each committed transaction that wrote records gets the next
 * number, and the ids it wrote (inserted, updated, archived, restored,
 * purged) are kept for a while.  store_journal_seq() is the last
 * commit's number: whatever a transaction begun before the call saw was
 * committed at or before it.  store_journal_since() puts in ids (at
 * most max, in no order, maybe repeated; *n of them) the ids of table
 * written by the commits after seq; 1 when it cannot say which (the
 * journal no longer reaches back to seq, a transaction wrote too many
 * of the table to list, or more than max): the cache reads again.
 * Neither begins a transaction.
 */
uint64_t store_journal_seq(struct store *);
int	 store_journal_since(struct store *, const struct table *, uint64_t,
	     uint64_t *, size_t, size_t *);
/* Number of records in a table (archived included). */
int	 store_count(struct store_txn *, const struct table *, uint64_t *,
	     struct buf *);
/*
 * Number of archived records in a table, kept beside the count in the
 * same transactions as archive, restore and purge: a list of the
 * records in use counts store_count() less this, in O(1).
 */
int	 store_count_archived(struct store_txn *, const struct table *,
	     uint64_t *, struct buf *);

/* The audit trail of one record, oldest first. */
struct audit_change {
	char	*field;
	char	*old;		/* formatted plainly; "" when unset */
	char	*new;
};
struct audit_entry {
	uint64_t	 seq;
	int64_t		 when;
	char		*user;
	char		*table;
	uint64_t	 id;
	uint32_t	 rev;		/* revision after the change */
	char		*action;	/* insert update archive restore purge */
	struct audit_change *changes;
	size_t		 nchanges;
};
int	 store_history(struct store_txn *, const struct table *, uint64_t,
	     struct audit_entry **, size_t *, struct buf *);
void	 store_history_free(struct audit_entry *, size_t);

/* A small key-value table for settings and the access layer; get and
 * del return STORE_NOTFOUND for a key that is not there. */
int	 store_meta_get(struct store_txn *, const char *, struct buf *,
	     struct buf *);
int	 store_meta_put(struct store_txn *, const char *, const void *,
	     size_t, struct buf *);
int	 store_meta_del(struct store_txn *, const char *, struct buf *);
/* Keys starting with prefix, in order: fn(key, value, len, arg). */
int	 store_meta_scan(struct store_txn *, const char *,
	     int (*)(const char *, const void *, size_t, void *), void *,
	     struct buf *);

/*
 * Maintenance.  store_backup() makes a hot, consistent copy of the
 * environment in dir (created; must be empty or absent).
 * store_verify_dir() runs Berkeley DB's verification on every database
 * file of a closed environment (a backup, or after a crash and
 * recovery).  store_check() walks a table and each of its indexes and
 * reports the first inconsistency (an index key without its record, a
 * record missing from an index, a wrong count).
 */
int	 store_backup(struct store *, const char *, struct buf *);
int	 store_verify_dir(const char *, struct buf *);
int	 store_check(struct store *, const struct table *, struct buf *);
int	 store_checkpoint(struct store *, struct buf *);

/*
 * Compaction.  store_compact() packs the pages of every table, index and
 * the audit (random inserts leave B-tree pages about two thirds full) and
 * gives the pages freed back to the file system, so more of the data
 * fits the cache.  It works a few megabytes of one file at a time, each
 * step its own short transactions, so a live server keeps answering.
 * fn (may be NULL) is called after every step with the file, its size
 * before and now in bytes, and done set when the file is finished; a
 * non-zero return stops the compaction (store_compact returns 1; what
 * was packed stays packed).  0 when every file was done, -1 on error.
 * store_compact_pending() says how many changes (inserts, updates,
 * archives, restores, purges) were committed since the last compaction
 * that finished, or since the database was made.
 */
typedef int store_compact_fn(const char *, uint64_t, uint64_t, int, void *);
int	 store_compact(struct store *, store_compact_fn *, void *,
	     struct buf *);
int	 store_compact_pending(struct store *, uint64_t *, struct buf *);

/*
 * Fault injection for tests: after store_fault_set(n, error), the n-th
 * Berkeley DB call from now fails with error (ENOSPC, DB_LOCK_DEADLOCK
 * as STORE_FAULT_DEADLOCK); n = 0 disables.  store_fault_calls() counts
 * calls since the last set; until a first set nothing is counted (it
 * stays 0: a server never pays for the count).
 */
#define STORE_FAULT_DEADLOCK	(-1)
void	 store_fault_set(uint64_t, int);
uint64_t store_fault_calls(void);
/*
 * The same for the calls of the store's indexer thread (defer.c), which
 * the above never counts nor fails: its n-th call from now fails (n =
 * UINT64_MAX only counts them).  A failed batch is written again later.
 */
void	 store_fault_indexer_set(uint64_t, int);
uint64_t store_fault_indexer_calls(void);

#endif
