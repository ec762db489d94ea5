/*
 * cmd-admin-backup.c: "admin backup DIR": a hot, consistent copy of the
 * whole database in DIR (which must be empty or absent), made by the
 * server while others keep working.  A relative DIR is taken from the
 * client's working folder.  Administrators only.  Must not print.
 *
 * The server writes the copy, as its own user: on an office server not
 * the operator who asked.  So the place is looked at first, and a folder
 * that is missing or that the server may not write in is named, with
 * the user that must be able to write there.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

/* The folder of path (absolute, no trailing slash), in a new string. */
static char *
parent_of(const char *path)
{
	char	*p = xstrdup(path), *slash;

	slash = strrchr(p, '/');
	if (slash == p)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	return (p);
}

/*
 * Refuse a place the server cannot write: the highest folder of path
 * that is missing (only the last is made: a mistyped path is not made
 * in full), or one the server's user may not write in, naming that user
 * when it is not the operator.
 */
static int
backup_place(struct cmd_ctx *ctx, const char *path, struct buf *err)
{
	struct passwd	 pw, *res = NULL;
	struct stat	 sb;
	char		 pwbuf[4096], *dir, *up;
	const char	*where;
	int		 e;

	if (stat(path, &sb) == 0) {
		where = path;
		dir = NULL;
		if (!S_ISDIR(sb.st_mode) || faccessat(AT_FDCWD, path,
		    W_OK | X_OK, AT_EACCESS) == 0)
			return (0);	/* store_backup() says the rest */
		e = errno;
	} else {
		dir = parent_of(path);
		if (errno == ENOENT && stat(dir, &sb) == -1 &&
		    errno == ENOENT) {
			/* Up to the last folder there is. */
			while (strcmp(dir, "/") != 0 &&
			    (up = parent_of(dir)) != NULL) {
				if (stat(up, &sb) == 0 || errno != ENOENT) {
					free(up);
					break;
				}
				free(dir);
				dir = up;
			}
			buf_error(err, _("cannot back up to '%s': there is no "
			    "folder '%s'; make it first"), path, dir);
			free(dir);
			return (-1);
		}
		where = dir;
		if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0) {
			free(dir);
			return (0);
		}
		e = errno;
	}
	if (e != EACCES && e != EPERM && e != EROFS) {
		free(dir);
		return (0);	/* store_backup() tells */
	}
	if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof pwbuf, &res) == 0 &&
	    res != NULL && strcmp(pw.pw_name, access_user(ctx->session)) != 0)
		buf_error(err, _("cannot back up to '%s': %s; the server "
		    "writes the backup as its user '%s', who must be able to "
		    "write in '%s'"), path, strerror(e), pw.pw_name, where);
	else
		buf_error(err, _("cannot back up to '%s': %s"), path,
		    strerror(e));
	free(dir);
	return (-1);
}

static int
admin_backup_exec(struct cmd_ctx *ctx)
{
	struct buf	 err = BUF_INIT;
	char		*path;
	size_t		 len;
	int		 r = CMD_OK;

	if (access_check(ctx->session, NULL, ACCESS_ADMIN, &err) != 0) {
		cmd_error(ctx, "%s", err.data);
		buf_release(&err);
		return (CMD_FAILED);
	}
	/* An empty name is no folder, not the current one. */
	if (ctx->argv[0][0] == '\0')
		return (cmd_usage(ctx, _("the backup folder's name is empty")));
	path = cmd_path(ctx, ctx->argv[0]);
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	if (backup_place(ctx, path, &err) != 0 ||
	    store_backup(ctx->store, path, &err) != 0)
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
