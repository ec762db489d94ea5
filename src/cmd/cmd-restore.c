/*
 * cmd-restore.c: "restore TABLE ID": bring an archived record back into
 * lists (the undo of "rm" without --purge; the TUI's card undoes its
 * last archive with it).  One transaction, audited by the store.  Must
 * not print.
 */
#include "config.h"

#include "cmd.h"

struct restore_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	uint64_t		 id;
};

static int
restore_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct restore_state	*st = arg;

	return (access_restore(st->ctx->session, txn, st->table, st->id,
	    err));
}

static int
restore_exec(struct cmd_ctx *ctx)
{
	struct restore_state	 st = { ctx, NULL, 0 };
	struct buf		 err = BUF_INIT;
	int			 r;

	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if ((r = cmd_parse_id(ctx, ctx->argv[1], &st.id)) != CMD_OK)
		return (r);
	r = store_txn_run(ctx->store, 0, restore_txn, &st, &err);
	if (r == STORE_NOTFOUND)
		r = cmd_error(ctx, _("%s %llu not found"), st.table->name,
		    (unsigned long long)st.id);
	else if (r != 0)
		r = cmd_error(ctx, "%s", err.data);
	buf_release(&err);
	return (r);
}

const struct cmd_entry cmd_restore_entry = {
	"restore", "TABLE ID",
	N_("bring an archived record back"),
	NULL, 2, 2, restore_exec
};
