/*
 * cmd-admin-user.c: "admin user add LOGIN [--admin]", "admin user list",
 * "admin user disable LOGIN", "admin user enable LOGIN": the operators,
 * Unix logins that may use this server.  The access layer refuses all
 * of these to non-administrators.  Four small verbs of one family in one
 * file.  Must not print.
 */
#include "config.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

struct user_state {
	struct cmd_ctx		*ctx;
	const char		*login;
	int			 flag;		/* admin, or disabled */
	int			 was;		/* ACCESS_WAS_* before */
	struct access_operator	*ops;
	size_t			 nops;
};

static int
user_add_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct user_state	*st = arg;

	return (access_operator_add(st->ctx->session, txn, st->login,
	    st->flag, &st->was, err));
}

static int
user_disable_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct user_state	*st = arg;

	return (access_operator_disable(st->ctx->session, txn, st->login,
	    st->flag, &st->was, err));
}

static int
user_list_txn(struct store_txn *txn, void *arg, struct buf *err)
{
	struct user_state	*st = arg;

	access_operators_free(st->ops, st->nops);
	st->ops = NULL;
	st->nops = 0;
	return (access_operator_list(st->ctx->session, txn, &st->ops,
	    &st->nops, err));
}

static int
run(struct cmd_ctx *ctx, int flags, store_txn_fn *fn, struct user_state *st)
{
	struct buf	err = BUF_INIT;
	int		r;

	r = store_txn_run(ctx->store, flags, fn, st, &err);
	if (r != 0)
		r = cmd_error(ctx, "%s", err.data);
	buf_release(&err);
	return (r);
}

static int
user_add_exec(struct cmd_ctx *ctx)
{
	struct user_state	 st = { ctx, ctx->argv[0], 0, 0, NULL, 0 };
	struct buf		 err = BUF_INIT;
	struct passwd		 pw, *res = NULL;
	char			 pwbuf[4096];
	int			 r;

	if (access_login_valid(st.login, &err) != 0) {
		r = cmd_usage(ctx, "%s", err.data);
		buf_release(&err);
		return (r);
	}
	buf_release(&err);
	/* A personal server lets in its own user alone (clerkd(8)): any
	 * other operator of its database could never connect. */
	if (ctx->personal && strcmp(st.login, access_user(ctx->session)) != 0)
		return (cmd_error(ctx, _("this is the personal database of "
		    "'%s': its server lets no one else in, so '%s' could never "
		    "connect; an office server shares a database (see 'clerk "
		    "admin setup-shared')"), access_user(ctx->session),
		    st.login));
	st.flag = cmd_opt(ctx, "admin") != NULL;
	if ((r = run(ctx, 0, user_add_txn, &st)) != CMD_OK)
		return (r);
	if (st.was != 0) {
		if (!(st.was & ACCESS_WAS_ADMIN) == !st.flag)
			buf_printf(&ctx->out, st.flag ?
			    _("'%s' is an administrator already; nothing "
			    "changed\n") : _("'%s' is an operator already; "
			    "nothing changed\n"), st.login);
		else
			buf_printf(&ctx->out, st.flag ?
			    _("'%s' is an administrator now\n") :
			    _("'%s' is no longer an administrator\n"),
			    st.login);
		if (st.was & ACCESS_WAS_DISABLED)
			buf_printf(&ctx->out, _("'%s' is disabled: 'clerk "
			    "admin user enable %s' lets them in\n"), st.login,
			    st.login);
		return (CMD_OK);
	}
	/* Registering before the account exists is allowed (an office
	 * may prepare), but is worth a word. */
	if (getpwnam_r(st.login, &pw, pwbuf, sizeof pwbuf, &res) != 0 ||
	    res == NULL)
		cmd_warn(ctx, _("there is no Unix user '%s' on this machine "
		    "yet"), st.login);
	return (CMD_OK);
}

/* Disable (flag 1) or enable an operator; one so already is said. */
static int
user_switch(struct cmd_ctx *ctx, int disable)
{
	struct user_state	st = { ctx, ctx->argv[0], disable, 0, NULL, 0 };
	int			r;

	if ((r = run(ctx, 0, user_disable_txn, &st)) != CMD_OK)
		return (r);
	if (!(st.was & ACCESS_WAS_DISABLED) == !disable)
		buf_printf(&ctx->out, disable ? _("'%s' is disabled already; "
		    "nothing changed\n") : _("'%s' is enabled already; "
		    "nothing changed\n"), st.login);
	return (CMD_OK);
}

static int
user_disable_exec(struct cmd_ctx *ctx)
{
	return (user_switch(ctx, 1));
}

static int
user_enable_exec(struct cmd_ctx *ctx)
{
	return (user_switch(ctx, 0));
}

static int
user_list_exec(struct cmd_ctx *ctx)
{
	struct user_state	 st = { ctx, NULL, 0, 0, NULL, 0 };
	struct cmd_grid		 g;
	enum cmd_format		 fmt;
	size_t			 i;
	int			 r;

	if ((r = cmd_format_get(ctx, &fmt)) != CMD_OK)
		return (r);
	if ((r = run(ctx, STORE_TXN_READONLY, user_list_txn, &st)) != CMD_OK) {
		/* The list of a try that went through, before a failed
		 * commit. */
		access_operators_free(st.ops, st.nops);
		return (r);
	}
	if (fmt == FMT_JSON) {
		buf_adds(&ctx->out, "[");
		for (i = 0; i < st.nops; i++) {
			buf_adds(&ctx->out, i > 0 ? ",\n{\"login\":" :
			    "\n{\"login\":");
			buf_addjson(&ctx->out, st.ops[i].login,
			    strlen(st.ops[i].login));
			buf_printf(&ctx->out, ",\"admin\":%s,\"disabled\":%s}",
			    st.ops[i].admin ? "true" : "false",
			    st.ops[i].disabled ? "true" : "false");
		}
		buf_adds(&ctx->out, st.nops > 0 ? "\n]\n" : "]\n");
	} else {
		cmd_grid_init(&g, 3);
		cmd_grid_adds(&g, "login");
		cmd_grid_adds(&g, "admin");
		cmd_grid_adds(&g, "disabled");
		for (i = 0; i < st.nops; i++) {
			cmd_grid_adds(&g, st.ops[i].login);
			cmd_grid_adds(&g, st.ops[i].admin ? "yes" : "no");
			cmd_grid_adds(&g, st.ops[i].disabled ? "yes" : "no");
		}
		cmd_grid_render(&g, fmt, 0, 0, &ctx->out);
		cmd_grid_release(&g);
	}
	access_operators_free(st.ops, st.nops);
	return (CMD_OK);
}

const struct cmd_entry cmd_admin_user_add_entry = {
	"admin user add", "LOGIN [--admin]",
	N_("register a Unix login as an operator (--admin: an administrator)"),
	"admin", 1, 1, user_add_exec
};

const struct cmd_entry cmd_admin_user_list_entry = {
	"admin user list", "[--format table|csv|tsv|json]",
	N_("list the operators"),
	"format=", 0, 0, user_list_exec
};

const struct cmd_entry cmd_admin_user_disable_entry = {
	"admin user disable", "LOGIN",
	N_("refuse an operator from now on"),
	NULL, 1, 1, user_disable_exec
};

const struct cmd_entry cmd_admin_user_enable_entry = {
	"admin user enable", "LOGIN",
	N_("let a disabled operator in again"),
	NULL, 1, 1, user_enable_exec
};
