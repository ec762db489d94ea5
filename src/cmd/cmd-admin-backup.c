/*
 * cmd-admin-backup.c: "admin backup DIR": a hot, consistent copy of the
 * whole database in DIR (which must be empty or absent), made by the
 * server while others keep working.  A relative DIR is taken from the
 * client's working folder.  Administrators only.  Must not print.
 */
#include "config.h"

#include <stdlib.h>

#include "cmd.h"

static int
admin_backup_exec(struct cmd_ctx *ctx)
{
	struct buf	 err = BUF_INIT;
	char		*path;
	int		 r = CMD_OK;

	if (access_check(ctx->session, NULL, ACCESS_ADMIN, &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (CMD_FAILED);
	}
	path = cmd_path(ctx, ctx->argv[0]);
	if (store_backup(ctx->store, path, &err) != 0)
		r = cmd_error(ctx, "%s", err.data);
	else
		buf_printf(&ctx->out, _("backed up to %s\n"), path);
	free(path);
	buf_release(&err);
	return (r);
}

const struct cmd_entry cmd_admin_backup_entry = {
	"admin backup", "DIR",
	N_("copy the database to DIR while it is in use"),
	NULL, 1, 1, admin_backup_exec
};
