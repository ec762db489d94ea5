/*
 * cmd-set.c: "set TABLE ID field=value ... [--rev N]": change fields of
 * a record.  The assignments are parsed first into a scratch record;
 * the transaction reads the stored record, applies them, refuses the
 * result naming every wrong value (those that did not parse too), and
 * updates it against the revision given (or the one just read), so a
 * change made by someone else since --rev N is a conflict reported
 * with the store's message, never a lost update.  Must not print.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"

struct set_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	uint64_t		 id;
	const struct record	*changes;	/* parsed values */
	const char		*set;		/* which fields were given */
	const struct cmd_problems *problems;	/* values that did not parse */
	uint32_t		 base;		/* 0 = the revision read */
	struct record		*rec;
	int			 unchanged;
	char			**warnings;
	size_t			 nwarnings;
};

static int
set_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct set_state	*st = arg;
	struct record		*old;
	size_t			 pos, *diff;
	int			 r;

	record_free(st->rec);
	st->rec = NULL;
	st->unchanged = 0;

	r = access_get(st->ctx->session, txn, st->table, st->id, &st->rec,
	    err);
	if (r != 0)
		return (r);
	/* A revision it never had is a mistake, not a conflict: the store
	 * would say the record "changed since" it. */
	if (st->base > st->rec->rev)
		return (buf_error(err, _("%s %llu has no revision %lu; it is "
		    "at revision %lu"), st->table->name,
		    (unsigned long long)st->id, (unsigned long)st->base,
		    (unsigned long)st->rec->rev));
	old = record_dup(st->rec);
	for (pos = 0; pos < st->table->nfields; pos++)
		if (st->set[pos])
			cmd_copy_value(st->rec, st->changes, pos);
	/*
	 * Every wrong value at once, by the labels of the card: those that
	 * did not parse and the fields the record would be refused for.
	 * Against a revision it is no longer at, the store's conflict says
	 * more.
	 */
	if (st->base == 0 || st->base == old->rev) {
		buf_reset(err);
		if (cmd_problems_text(st->problems, st->rec, st->ctx->lang,
		    err) != 0) {
			record_free(old);
			return (-1);
		}
	}
	diff = xcalloc(st->table->nfields + 1, sizeof *diff);
	if (record_diff(old, st->rec, diff, st->table->nfields) == 0 &&
	    (st->base == 0 || st->base == old->rev)) {
		/* Nothing to write: not even a new revision. */
		st->unchanged = 1;
		r = 0;
	} else
		r = access_update(st->ctx->session, txn, st->rec,
		    st->base != 0 ? st->base : old->rev, err);
	free(diff);
	record_free(old);
	return (r);
}

/* After the update, in a read-only transaction of its own (see
 * cmd-add.c): warnings for the values just set. */
static int
dup_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct set_state	*st = arg;

	cmd_strings_free(st->warnings, st->nwarnings);
	st->warnings = NULL;
	st->nwarnings = 0;
	return (cmd_duplicates(st->ctx, txn, st->rec, st->set, 1,
	    &st->warnings, &st->nwarnings, err));
}

static int
set_exec(struct cmd_ctx *ctx)
{
	struct set_state	 st;
	struct cmd_problems	 problems;
	struct record		*changes;
	struct buf		 err = BUF_INIT;
	const char		*rev = cmd_opt(ctx, "rev");
	uint64_t		 n;
	char			*set;
	int			 i, r;
	size_t			 j;

	memset(&st, 0, sizeof st);
	st.ctx = ctx;
	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if ((r = cmd_parse_id(ctx, ctx->argv[1], &st.id)) != CMD_OK)
		return (r);
	if (rev != NULL) {
		if ((r = cmd_parse_count(ctx, N_("bad --rev "
		    "'%s': expected a whole number"), rev, &n)) != CMD_OK)
			return (r);
		if (n == 0 || n > UINT32_MAX)
			return (cmd_usage(ctx, _("bad --rev '%s': revisions "
			    "count from 1"), rev));
		st.base = n;
	}
	if (ctx->argc < 3)
		return (cmd_usage(ctx, _("nothing to set: give field=value "
		    "pairs")));
	changes = record_new(st.table);
	set = xcalloc(st.table->nfields + 1, 1);
	cmd_problems_init(&problems, st.table);
	for (i = 2; i < ctx->argc; i++) {
		r = cmd_assign(ctx, changes, ctx->argv[i], set, &problems);
		if (r != CMD_OK)
			goto out;
	}
	st.changes = changes;
	st.set = set;
	st.problems = &problems;
	r = store_txn_run(ctx->store, 0, set_txn, &st, &err);
	if (r == STORE_NOTFOUND)
		r = cmd_not_found(ctx, st.table, st.id);
	else if (r != 0)
		r = cmd_error(ctx, "%s", err.data);
	else {
		/* The change is made; a failed check only loses warnings. */
		if (!st.unchanged)
			cmd_notes(ctx, st.rec, st.set);
		if (!st.unchanged && store_txn_run(ctx->store,
		    STORE_TXN_READONLY, dup_txn, &st, &err) == 0)
			for (j = 0; j < st.nwarnings; j++)
				cmd_warn(ctx, "%s", st.warnings[j]);
		r = CMD_OK;
	}
out:
	cmd_problems_release(&problems);
	cmd_strings_free(st.warnings, st.nwarnings);
	record_free(st.rec);
	record_free(changes);
	free(set);
	buf_release(&err);
	return (r);
}

const struct cmd_entry cmd_set_entry = {
	"set", "TABLE ID field=value ... [--rev N]",
	N_("change fields of a record (--rev N: only if still at revision N)"),
	"rev=", 2, -1, set_exec
};
