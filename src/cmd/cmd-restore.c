/*
 * cmd-restore.c: "restore TABLE ID": bring an archived record back into
 * lists (the undo of "rm" without --purge; the TUI's card undoes its
 * last archive with it).  One transaction, audited by the store.  Must
 * not print.
 */
#include "config.h"

#include "cmd.h"

static int
restore_exec(struct cmd_ctx *ctx)
{
	return (cmd_record_run(ctx, access_restore));
}

const struct cmd_entry cmd_restore_entry = {
	"restore", "TABLE ID",
	N_("bring an archived record back"),
	NULL, 2, 2, restore_exec
};
