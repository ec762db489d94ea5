/*
 * cmd-admin-init.c: "admin init": make sure the database is set up and
 * say where it is, its tables and who administers it.  The store was
 * created when the server opened it; this registers the caller as the
 * first administrator if there is none yet (access_init does nothing
 * otherwise).  Must not print.
 */
#include "config.h"

#include "cmd.h"

static int
admin_init_exec(struct cmd_ctx *ctx)
{
	struct buf	err = BUF_INIT;
	size_t		i;

	if (access_init(ctx->store, access_user(ctx->session), &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (CMD_FAILED);
	}
	buf_printf(&ctx->out, _("database: %s\n"), store_dir(ctx->store));
	buf_adds(&ctx->out, _("tables:"));
	for (i = 0; i < ctx->schema->ntables; i++)
		buf_printf(&ctx->out, "%s %s", i > 0 ? "," : "",
		    ctx->schema->tables[i]->name);
	buf_addch(&ctx->out, '\n');
	buf_printf(&ctx->out, _("operator: %s%s\n"), access_user(ctx->session),
	    access_is_admin(ctx->session) ? _(" (administrator)") : "");
	buf_release(&err);
	return (CMD_OK);
}

const struct cmd_entry cmd_admin_init_entry = {
	"admin init", "",
	N_("set up the database and show where it is"),
	NULL, 0, 0, admin_init_exec
};
