/*
 * access: the door every read and write of an operator goes through.
 * A session carries the operator (a Unix login, as the server learned it
 * from the socket, never from what a client says) and may refuse.  For
 * now an operator is either an administrator or not, and only registered,
 * enabled operators get a session; rights per table, field and row come
 * later, here and nowhere else.  Never prints.
 */
#ifndef CLERK_ACCESS_H
#define CLERK_ACCESS_H

#include "util/util.h"
#include "record/record.h"
#include "store/store.h"

struct session;

enum access_action {
	ACCESS_READ,
	ACCESS_CREATE,
	ACCESS_EDIT,
	ACCESS_DELETE,		/* archive, restore and purge */
	ACCESS_EXPORT,
	ACCESS_ADMIN		/* operators, backup, schema */
};

struct access_operator {
	char	*login;
	int	 admin;
	int	 disabled;
};

/*
 * Make the creator of a new database its first administrator.  Does
 * nothing (returns 0) when operators exist already.
 */
int	 access_init(struct store *, const char *, struct buf *);
/* Whether the database has any operator: 1, 0, or -1 on failure. */
int	 access_has_operators(struct store *, struct buf *);

/*
 * A session for login, or -1 with "you are not a clerk operator on this
 * server; ask an administrator" (unregistered) or "... is disabled".
 */
int	 access_session_open(struct store *, const char *, struct session **,
	     struct buf *);
void	 access_session_free(struct session *);
/*
 * Before each request of a long-lived session: whether its operator may
 * still work, as an administrator or not, after changes made by others
 * since it opened (access_operator_add(), _disable()).  Cheap when
 * nothing changed.  0 yes (access_is_admin() follows the change), 1
 * refused with the message of access_session_open(), -1 when the store
 * failed.
 */
int	 access_session_check(struct session *, struct buf *);
const char *access_user(const struct session *);
int	 access_is_admin(const struct session *);
struct store *access_store(const struct session *);

/* 0 if the session may do action on table (NULL = no table), else -1. */
int	 access_check(const struct session *, const struct table *,
	     enum access_action, struct buf *);

/*
 * The store's operations through the door: each checks the right first,
 * then acts as the session's operator.  Arguments and returns as the
 * store_* function of the same name.
 */
int	 access_get(struct session *, struct store_txn *, const struct table *,
	     uint64_t, struct record **, struct buf *);
int	 access_insert(struct session *, struct store_txn *, struct record *,
	     struct buf *);
int	 access_insert_id(struct session *, struct store_txn *,
	     struct record *, uint64_t, struct buf *);
int	 access_load(struct session *, struct store_txn *, struct store_load *,
	     struct buf *);
int	 access_update(struct session *, struct store_txn *, struct record *,
	     uint32_t, struct buf *);
int	 access_archive(struct session *, struct store_txn *,
	     const struct table *, uint64_t, struct buf *);
int	 access_restore(struct session *, struct store_txn *,
	     const struct table *, uint64_t, struct buf *);
int	 access_purge(struct session *, struct store_txn *,
	     const struct table *, uint64_t, struct buf *);
int	 access_page(struct session *, struct store_txn *, const struct table *,
	     const char *, const void *, size_t, uint64_t, int, size_t,
	     struct record ***, size_t *, struct buf *);
int	 access_search(struct session *, struct store_txn *,
	     const struct table *, const char *, uint64_t *, size_t, size_t *,
	     struct buf *);
int	 access_history(struct session *, struct store_txn *,
	     const struct table *, uint64_t, struct audit_entry **, size_t *,
	     struct buf *);

/*
 * Operators: administrators only.  access_operator_add() registers
 * login, an administrator or not, or makes an operator one or no longer
 * one, keeping whether they are disabled; access_operator_disable() disables an
 * operator (not oneself) or enables one again.  Each sets *was (when
 * not NULL) to what the operator was before, ACCESS_WAS_* bits, 0 for
 * none, and writes nothing when it was so already.
 */
#define ACCESS_WAS_OPERATOR	0x1
#define ACCESS_WAS_ADMIN	0x2
#define ACCESS_WAS_DISABLED	0x4
int	 access_operator_add(struct session *, struct store_txn *,
	     const char *, int, int *, struct buf *);
int	 access_operator_disable(struct session *, struct store_txn *,
	     const char *, int, int *, struct buf *);
int	 access_operator_list(struct session *, struct store_txn *,
	     struct access_operator **, size_t *, struct buf *);
void	 access_operators_free(struct access_operator *, size_t);
/* A Unix login as clerk accepts it: [a-z_][a-z0-9_.-]*, up to 32 bytes. */
int	 access_login_valid(const char *, struct buf *);

/*
 * Reads for the query engine (src/query/), through the same door:
 * arguments and returns as store_lookup(), store_count() and
 * store_referrers().
 */
int	 access_lookup(struct session *, struct store_txn *,
	     const struct table *, const char *, const void *, size_t,
	     uint64_t *, size_t, size_t *, struct buf *);
int	 access_count(struct session *, struct store_txn *,
	     const struct table *, uint64_t *, struct buf *);
int	 access_referrers(struct session *, struct store_txn *,
	     const struct table *, uint64_t, struct store_ref *, size_t,
	     size_t *, struct buf *);
/*
 * access_count() remembered by the session while no record has been
 * written since (the store's change journal, store_journal_seq()), so
 * planning a query reads no count most of the time.  For read-only
 * transactions only: a transaction's own inserts and purges are not in
 * a count remembered.
 */
int	 access_count_cached(struct session *, struct store_txn *,
	     const struct table *, uint64_t *, struct buf *);
/* A bulk scan in id order, as store_scan(). */
int	 access_scan(struct session *, struct store_txn *,
	     const struct table *, uint64_t, size_t, int, store_scan_fn *,
	     void *, uint64_t *, struct buf *);
/* Records by ascending ids, as store_fetch(). */
int	 access_fetch(struct session *, struct store_txn *,
	     const struct table *, const uint64_t *, size_t, int,
	     store_scan_fn *, void *, struct buf *);
/* Records by ids in any order, a lookup each, as store_fetch_each(). */
int	 access_fetch_each(struct session *, struct store_txn *,
	     const struct table *, const uint64_t *, size_t, int,
	     store_scan_fn *, void *, struct buf *);
/* An index walk handing each record's bytes, as store_page_each(). */
int	 access_page_each(struct session *, struct store_txn *,
	     const struct table *, const char *, const void *, size_t,
	     uint64_t, int, size_t, store_entry_fn *, void *, struct buf *);
/*
 * Records to decode into, kept by the session between queries (a
 * session's threads share them): access_records_take() moves up to max
 * records of table t into out and returns how many (their values are
 * stale: decode over them, or record_reset()); access_records_keep()
 * takes records back (owning them: some are kept, the rest freed), all
 * of one table.  A session must be freed before its store's schema.
 */
size_t	 access_records_take(struct session *, const struct table *,
	     struct record **, size_t);
void	 access_records_keep(struct session *, struct record **, size_t);
/* The same for arrays of width values, each value unset (zeroed) and
 * owning nothing: access_values_keep() frees what it does not keep. */
size_t	 access_values_take(struct session *, size_t, struct value **,
	     size_t);
void	 access_values_keep(struct session *, size_t, struct value **,
	     size_t);

#endif
