/*
 * cmd-admin-compact.c: "admin compact": pack the pages of every table,
 * index and the audit and give the space freed back to the file system
 * (store_compact), while others keep working; prints each file that
 * shrank and the sizes of the whole before and after.  clerkd does the
 * same by itself when idle after many changes (server.c); this is for
 * an administrator who wants it now, e.g. after a big purge.
 * Administrators only.  Must not print.
 */
#include "config.h"

#include <stdio.h>

#include "cmd.h"

struct compact_out {
	struct cmd_ctx	*ctx;
	uint64_t	 before, after;
	size_t		 files;
};

/* A size in kilobytes below 10 MB, else in megabytes with a decimal;
 * integers only. */
static void
size_text(char *out, size_t size, uint64_t n)
{
	uint64_t	 t;

	if (n < 10000000) {
		snprintf(out, size, _("%llu KB"),
		    (unsigned long long)((n + 500) / 1000));
		return;
	}
	t = (n + 50000) / 100000;
	snprintf(out, size, _("%llu.%llu MB"), (unsigned long long)(t / 10),
	    (unsigned long long)(t % 10));
}

static int
compact_step(const char *file, uint64_t before, uint64_t now, int done,
    void *arg)
{
	struct compact_out *o = arg;
	char		 a[32], b[32];

	if (!done) {
		cmd_progress(o->ctx, _("compacting %s"), file);
		/* A client that hung up no longer waits for it. */
		return (cmd_gone(o->ctx));
	}
	o->before += before;
	o->after += now;
	o->files++;
	if (now < before) {
		size_text(a, sizeof(a), before);
		size_text(b, sizeof(b), now);
		buf_printf(&o->ctx->out, _("%s: %s -> %s\n"), file, a, b);
	}
	return (cmd_gone(o->ctx));
}

static int
admin_compact_exec(struct cmd_ctx *ctx)
{
	struct compact_out o;
	struct buf	 err = BUF_INIT;
	char		 a[32], b[32];
	int		 r;

	if (access_check(ctx->session, NULL, ACCESS_ADMIN, &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (CMD_FAILED);
	}
	o.ctx = ctx;
	o.before = o.after = 0;
	o.files = 0;
	r = store_compact(ctx->store, compact_step, &o, &err);
	if (r == -1) {
		cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (CMD_FAILED);
	}
	buf_release(&err);
	if (r == 1)
		return (cmd_error(ctx, "%s", _("compaction stopped: the "
		    "client hung up")));
	size_text(a, sizeof(a), o.before);
	size_text(b, sizeof(b), o.after);
	buf_printf(&ctx->out, dngettext("clerk",
	    "compacted %zu file: %s -> %s\n",
	    "compacted %zu files: %s -> %s\n", o.files), o.files, a, b);
	return (CMD_OK);
}

const struct cmd_entry cmd_admin_compact_entry = {
	"admin compact", "",
	N_("pack the database files and give free space back"),
	NULL, 0, 0, admin_compact_exec
};
