/*
 * cmd-add.c: "add TABLE field=value ...": a new record.  Parses every
 * assignment and validates the record before touching the store, so a
 * refusal names every wrong value by its label; inserts in one
 * transaction (the store validates again and checks uniqueness and
 * references), prints the new id, and warns, without failing, when a
 * value could not be checked in full (a Treasury account) or another
 * record has the same phone, e-mail or ИНН.  Must not print or keep
 * anything between tries.
 */
#include "config.h"

#include <stdlib.h>

#include "cmd.h"

struct add_state {
	struct cmd_ctx		*ctx;
	const struct record	*proto;		/* as parsed, never inserted */
	struct record		*rec;		/* this try's copy */
	char			**warnings;
	size_t			 nwarnings;
};

/*
 * The duplicate check runs in a read-only transaction of its own before
 * the insert: it only warns, so a record added in between may go
 * unmentioned, and keeping its index reads out of the writing
 * transaction spares that one read locks that would turn into
 * deadlocks with other writers.
 */
static int
dup_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct add_state	*st = arg;

	cmd_strings_free(st->warnings, st->nwarnings);
	st->warnings = NULL;
	st->nwarnings = 0;
	return (cmd_duplicates(st->ctx, txn, st->proto, NULL, 1,
	    &st->warnings, &st->nwarnings, err));
}

static int
add_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct add_state	*st = arg;

	/* A deadlock runs this again: start from the parsed record. */
	record_free(st->rec);
	st->rec = record_dup(st->proto);
	return (access_insert(st->ctx->session, txn, st->rec, err));
}

static int
add_exec(struct cmd_ctx *ctx)
{
	const struct table	*t;
	struct record		*rec;
	struct add_state	 st = { ctx, NULL, NULL, NULL, 0 };
	struct cmd_problems	 problems;
	struct buf		 err = BUF_INIT;
	int			 i, r;
	size_t			 j;

	if ((t = cmd_table_get(ctx, ctx->argv[0])) == NULL)
		return (CMD_FAILED);
	if (ctx->argc < 2)
		return (cmd_usage(ctx, _("nothing to add: give field=value "
		    "pairs")));
	rec = record_new(t);
	record_defaults(rec);
	cmd_problems_init(&problems, t);
	for (i = 1; i < ctx->argc; i++) {
		if ((r = cmd_assign(ctx, rec, ctx->argv[i], NULL,
		    &problems)) != CMD_OK) {
			cmd_problems_release(&problems);
			record_free(rec);
			return (r);
		}
	}
	/* Every wrong value at once, by the labels of the card. */
	r = cmd_problems_text(&problems, rec, ctx->lang, &ctx->error) != 0;
	cmd_problems_release(&problems);
	if (r) {
		record_free(rec);
		return (CMD_FAILED);
	}
	st.proto = rec;
	r = store_txn_run(ctx->store, STORE_TXN_READONLY, dup_txn, &st, &err);
	if (r == 0)
		r = store_txn_run(ctx->store, 0, add_txn, &st, &err);
	if (r == 0) {
		cmd_notes(ctx, st.rec, NULL);
		for (j = 0; j < st.nwarnings; j++)
			cmd_warn(ctx, "%s", st.warnings[j]);
		buf_printf(&ctx->out, "%llu\n",
		    (unsigned long long)st.rec->id);
	} else
		r = cmd_error(ctx, "%s", err.data);
	cmd_strings_free(st.warnings, st.nwarnings);
	record_free(st.rec);
	record_free(rec);
	buf_release(&err);
	return (r == 0 ? CMD_OK : CMD_FAILED);
}

const struct cmd_entry cmd_add_entry = {
	"add", "TABLE field=value ...",
	N_("add a record and print its id"),
	NULL, 1, -1, add_exec
};
