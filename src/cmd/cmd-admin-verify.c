/*
 * cmd-admin-verify.c: "admin verify": check every table against its
 * indexes (store_check), then make a hot backup into a temporary folder
 * and run Berkeley DB's verification on every file of it, so a damaged
 * page anywhere is found without stopping the server.  Administrators
 * only.  Must not print; removes its temporary folder whatever happens.
 */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

struct count_state {
	const struct table	*table;
	uint64_t		 n;
};

static int
count_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct count_state	*st = arg;

	return (store_count(txn, st->table, &st->n, err));
}

static int
rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	if (type == FTW_DP)
		return (rmdir(path) == -1 ? 0 : 0);
	unlink(path);
	return (0);
}

/*
 * A table's line: its name, then the problem, unless the message names
 * the table already ("table 'party' counts 3 records but has 2").
 */
static void
table_problem(struct buf *out, const char *table, const char *msg)
{
	char	*quoted;

	xasprintf(&quoted, "'%s'", table);
	if (strstr(msg, quoted) != NULL)
		buf_printf(out, "%s\n", msg);
	else
		buf_printf(out, _("table '%s': %s\n"), table, msg);
	free(quoted);
}

static int
admin_verify_exec(struct cmd_ctx *ctx)
{
	const struct schema	*sc = ctx->schema;
	struct count_state	 cs;
	struct buf		 err = BUF_INIT;
	const char		*tmp;
	char			*dir = NULL, *copy = NULL;
	size_t			 i;
	int			 bad = 0;

	if (access_check(ctx->session, NULL, ACCESS_ADMIN, &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (CMD_FAILED);
	}
	for (i = 0; i < sc->ntables; i++) {
		cs.table = sc->tables[i];
		cs.n = 0;
		if (store_txn_run(ctx->store, STORE_TXN_READONLY, count_txn,
		    &cs, &err) != 0 ||
		    store_check(ctx->store, cs.table, &err) != 0) {
			table_problem(&ctx->out, cs.table->name, err.data);
			bad++;
			continue;
		}
		buf_printf(&ctx->out, dngettext("clerk",
		    "table '%s': %llu record, ok\n",
		    "table '%s': %llu records, ok\n", cs.n),
		    cs.table->name, (unsigned long long)cs.n);
	}

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	xasprintf(&dir, "%s/clerk-verify-XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		buf_set(&err, _("cannot make a temporary folder in '%s': %m"),
		    tmp);
		goto fail;
	}
	xasprintf(&copy, "%s/backup", dir);
	if (store_backup(ctx->store, copy, &err) != 0 ||
	    store_verify_dir(copy, &err) != 0) {
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		goto fail;
	}
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	buf_adds(&ctx->out, _("backup: made and verified, ok\n"));
	free(dir);
	free(copy);
	buf_release(&err);
	if (bad > 0)
		return (cmd_error(ctx, dngettext("clerk",
		    "%d table failed the check", "%d tables failed the check",
		    bad), bad));
	return (CMD_OK);

fail:
	buf_printf(&ctx->out, _("backup: %s\n"), err.data);
	cmd_error(ctx, _("verification failed: %s"), err.data);
	free(dir);
	free(copy);
	buf_release(&err);
	return (CMD_FAILED);
}

const struct cmd_entry cmd_admin_verify_entry = {
	"admin verify", "",
	N_("check every table and index, and a backup made now"),
	NULL, 0, 0, admin_verify_exec
};
