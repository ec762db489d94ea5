/*
 * cmd-rm.c: "rm TABLE ID [--purge]": archive a record (it leaves lists
 * but keeps its history and references), or with --purge delete it for
 * good, which the store refuses while anything refers to it.  Also home
 * of cmd_record_run(), the one-record transaction that "restore" shares.
 * Must not print.
 */
#include "config.h"

#include "cmd.h"

struct record_run {
	struct cmd_ctx		*ctx;
	cmd_record_fn		*fn;
	const struct table	*table;
	uint64_t		 id;
};

static int
record_run_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct record_run	*st = arg;

	return (st->fn(st->ctx->session, txn, st->table, st->id, err));
}

int
cmd_record_run(struct cmd_ctx *ctx, cmd_record_fn *fn)
{
	struct record_run	 st = { ctx, fn, NULL, 0 };
	struct buf		 err = BUF_INIT;
	int			 r;

	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if ((r = cmd_parse_id(ctx, ctx->argv[1], &st.id)) != CMD_OK)
		return (r);
	r = store_txn_run(ctx->store, 0, record_run_txn, &st, &err);
	if (r == STORE_NOTFOUND)
		r = cmd_not_found(ctx, st.table, st.id);
	else if (r != 0)
		r = cmd_error(ctx, "%s", err.data);
	buf_release(&err);
	return (r);
}

static int
rm_exec(struct cmd_ctx *ctx)
{
	return (cmd_record_run(ctx, cmd_opt(ctx, "purge") != NULL ?
	    access_purge : access_archive));
}

const struct cmd_entry cmd_rm_entry = {
	"rm", "TABLE ID [--purge]",
	N_("archive a record (--purge: delete it for good)"),
	"purge", 2, 2, rm_exec
};
