/*
 * cmd-rm.c: "rm TABLE ID [--purge]": archive a record (it leaves lists
 * but keeps its history and references), or with --purge delete it for
 * good, which the store refuses while anything refers to it.  Must not
 * print.
 */
#include "config.h"

#include "cmd.h"

struct rm_state {
	struct cmd_ctx		*ctx;
	const struct table	*table;
	uint64_t		 id;
	int			 purge;
};

static int
rm_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct rm_state	*st = arg;

	if (st->purge)
		return (access_purge(st->ctx->session, txn, st->table, st->id,
		    err));
	return (access_archive(st->ctx->session, txn, st->table, st->id,
	    err));
}

static int
rm_exec(struct cmd_ctx *ctx)
{
	struct rm_state	 st = { ctx, NULL, 0, 0 };
	struct buf	 err = BUF_INIT;
	int		 r;

	if ((st.table = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if ((r = cmd_parse_id(ctx, ctx->argv[1], &st.id)) != CMD_OK)
		return (r);
	st.purge = cmd_opt(ctx, "purge") != NULL;
	r = store_txn_run(ctx->store, 0, rm_txn, &st, &err);
	if (r == STORE_NOTFOUND)
		r = cmd_error(ctx, _("%s %llu not found"), st.table->name,
		    (unsigned long long)st.id);
	else if (r != 0)
		r = cmd_error(ctx, "%s", err.data);
	buf_release(&err);
	return (r);
}

const struct cmd_entry cmd_rm_entry = {
	"rm", "TABLE ID [--purge]",
	N_("archive a record (--purge: delete it for good)"),
	"purge", 2, 2, rm_exec
};
