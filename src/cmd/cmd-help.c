/*
 * cmd-help.c: "help [VERB ...]": the verbs with their usage and one
 * line each, made from the command table so it cannot drift from what
 * the server accepts.  Also the entry of "admin setup-shared", which
 * the clerk program does itself as root with no server to ask, so
 * that help and the usage of "admin" list it too.  Must not print.
 */
#include "config.h"

#include <string.h>

#include "cmd.h"

static int
help_exec(struct cmd_ctx *ctx)
{
	const struct cmd_entry	*const *ep;
	struct buf		 want = BUF_INIT;
	int			 i, found = 0;

	for (i = 0; i < ctx->argc; i++)
		buf_printf(&want, "%s%s", i > 0 ? " " : "", ctx->argv[i]);
	for (ep = cmd_table; *ep != NULL; ep++) {
		if (want.len > 0 && strncmp((*ep)->name, want.data,
		    want.len) != 0)
			continue;
		if (want.len > 0 && (*ep)->name[want.len] != '\0' &&
		    (*ep)->name[want.len] != ' ')
			continue;
		/* Usages are long: each on its own line, help below. */
		buf_printf(&ctx->out, "clerk %s%s%s\n    %s\n", (*ep)->name,
		    *(*ep)->usage ? " " : "", (*ep)->usage, _((*ep)->help));
		found++;
	}
	buf_release(&want);
	/* A usage error, as the unknown command itself is (clerk(1),
	 * EXIT STATUS). */
	if (found == 0)
		return (cmd_unknown(ctx, ctx->argv[0], ctx->argc - 1,
		    ctx->argv + 1));
	return (CMD_OK);
}

/* Only a client that does not know the verb gets here (clerk never
 * sends it): say where it is done. */
static int
setup_shared_exec(struct cmd_ctx *ctx)
{
	return (cmd_error(ctx, _("'admin setup-shared' is not done by a "
	    "server: run 'clerk admin setup-shared' as root on the office "
	    "server's machine")));
}

const struct cmd_entry cmd_admin_setup_shared_entry = {
	"admin setup-shared", "[--admin LOGIN]",
	N_("as root: set this machine up as an office server, with LOGIN "
	    "its first administrator"),
	"admin=", 0, 0, setup_shared_exec
};

const struct cmd_entry cmd_help_entry = {
	"help", "[COMMAND]",
	N_("list the commands, or those of COMMAND"),
	NULL, 0, -1, help_exec
};
