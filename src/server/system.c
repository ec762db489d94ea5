/*
 * system.c: what makes "clerkd --system" a system service (DESIGN.md
 * §3).  The service user (normally "clerk") owns the data folder, 0700,
 * so no operator can read or damage the files except through the
 * server; the socket's folder is 0755 so operators reach the socket,
 * whose own mode is 0666 because SO_PEERCRED and the operator registry
 * decide who gets in.  Started by root, clerkd makes and fixes those
 * folders and then gives up root for good, before the store is opened,
 * so every file of the database is the service user's.  Runs before
 * the server starts and before it becomes a daemon, so a refusal
 * reaches the terminal.  Must not touch the store or the sockets.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

#define DATA_MODE	0700
#define SOCKET_DIR_MODE	0755

struct service {
	const char	*user;
	uid_t		 uid;
	gid_t		 gid;
	int		 root;		/* started by root: may create and give */
};

/* 1 if the open folder fd has nothing in it. */
static int
folder_empty(int fd)
{
	DIR		*d;
	struct dirent	*de;
	int		 dfd, r = 1;

	if ((dfd = dup(fd)) == -1)
		return (0);
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return (0);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			r = 0;
			break;
		}
	}
	closedir(d);
	return (r);
}

/* The parents of path, made root's and 0755 (like /var/lib) if missing. */
static int
make_parents(const char *path, struct buf *err)
{
	char	*p = xstrdup(path), *s;
	int	 r = 0;

	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		/* chmod: the umask (077 in clerkd) must not close the
		 * way to the folder for its user. */
		if (mkdir(p, 0755) == 0)
			chmod(p, 0755);
		else if (errno != EEXIST) {
			r = buf_error(err, _("cannot make the folder '%s': %s"),
			    p, strerror(errno));
			break;
		}
		*s = '/';
	}
	free(p);
	return (r);
}

/*
 * Make or check one folder of the service: the user's, with mode.  The
 * folder is opened once and changed through the descriptor, so what is
 * checked is what is changed.  A folder of someone else is taken only
 * when empty, not a shared one (sticky or writable by all, like /tmp)
 * and not reached through a symbolic link: never chown a folder that
 * holds another's files.  A link to a folder that is the user's already
 * (/var/lib/clerk moved to a bigger disk) is fine.
 */
static int
own_folder(const struct service *sv, const char *path, mode_t mode,
    struct buf *changes, struct buf *err)
{
	struct stat	sb;
	int		fd, made = 0, link = 0, r = -1;

	if (lstat(path, &sb) == -1) {
		if (errno != ENOENT)
			return (buf_error(err, _("cannot use the folder '%s': "
			    "%s"), path, strerror(errno)));
		if (sv->root && make_parents(path, err) != 0)
			return (-1);
		if (mkdir(path, mode) == -1 && errno != EEXIST) {
			if (errno == EACCES && !sv->root)
				return (buf_error(err, _("cannot make the "
				    "folder '%s': %s; set the server up with "
				    "'clerk admin setup-shared' (as root)"),
				    path, strerror(errno)));
			return (buf_error(err, _("cannot make the folder '%s': "
			    "%s"), path, strerror(errno)));
		}
		made = 1;
	} else
		link = S_ISLNK(sb.st_mode);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOTDIR)
			return (buf_error(err, _("'%s' is not a folder"), path));
		return (buf_error(err, _("cannot open the folder '%s': %s"),
		    path, strerror(errno)));
	}
	if (fstat(fd, &sb) == -1) {
		buf_error(err, _("cannot use the folder '%s': %s"), path,
		    strerror(errno));
		goto out;
	}
	if (sb.st_uid != sv->uid) {
		if ((sb.st_mode & (S_ISVTX | S_IWOTH)) != 0) {
			buf_error(err, _("the folder '%s' is shared by all; "
			    "clerkd --system needs a folder of its own"), path);
			goto out;
		}
		if (!sv->root || link || !folder_empty(fd)) {
			buf_error(err, _("the folder '%s' belongs to uid %ld, "
			    "not to '%s'; give it to '%s' (chown -R) or choose "
			    "another folder"), path, (long)sb.st_uid, sv->user,
			    sv->user);
			goto out;
		}
		if (fchown(fd, sv->uid, sv->gid) == -1) {
			buf_error(err, _("cannot give the folder '%s' to "
			    "'%s': %s"), path, sv->user, strerror(errno));
			goto out;
		}
		if (!made)
			buf_printf(changes, _("gave the folder '%s' to '%s'\n"),
			    path, sv->user);
	}
	if (made || (sb.st_mode & 07777) != mode) {
		/* A new folder too: mkdir's mode went through the umask. */
		if (fchmod(fd, mode) == -1) {
			buf_error(err, _("cannot set the mode of '%s': %s"),
			    path, strerror(errno));
			goto out;
		}
		if (!made)
			buf_printf(changes, _("set the mode of '%s' to %04o\n"),
			    path, (unsigned)mode);
	}
	if (made)
		buf_printf(changes, _("made the folder '%s' (%04o, owner "
		    "'%s')\n"), path, (unsigned)mode, sv->user);
	r = 0;
out:
	close(fd);
	return (r);
}

/*
 * Become the service user for good and check it: every user and group
 * id, real, effective and saved, is the user's, no supplementary group
 * is root's, and root cannot be taken back.
 */
static int
drop_root(const struct service *sv, struct buf *err)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg, groups[256];
	int	 n, i;

	if (initgroups(sv->user, sv->gid) == -1 || setgid(sv->gid) == -1 ||
	    setuid(sv->uid) == -1)
		return (buf_error(err, _("cannot become the user '%s': %s"),
		    sv->user, strerror(errno)));
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != sv->uid || eu != sv->uid || su != sv->uid ||
	    rg != sv->gid || eg != sv->gid || sg != sv->gid)
		return (buf_error(err, _("could not give up root for the user "
		    "'%s'"), sv->user));
	if ((n = getgroups(nitems(groups), groups)) == -1)
		return (buf_error(err, _("cannot read the groups of '%s': %s"),
		    sv->user, strerror(errno)));
	for (i = 0; i < n; i++)
		if (groups[i] == 0)
			return (buf_error(err, _("the user '%s' is in the "
			    "group root; clerkd will not run so"), sv->user));
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1)
		return (buf_error(err, _("root could be taken back after "
		    "becoming '%s'; refusing to run"), sv->user));
	return (0);
}

int
server_system_prepare(const char *user, const char *dir, const char *sock,
    struct buf *changes, struct buf *err)
{
	struct service	 sv;
	struct passwd	 pw, *res = NULL;
	char		 b[4096], *sockdir, *slash;
	uid_t		 me = geteuid();
	int		 r;

	if ((r = getpwnam_r(user, &pw, b, sizeof b, &res)) != 0 ||
	    res == NULL) {
		if (r != 0)
			return (buf_error(err, _("cannot look up the user "
			    "'%s': %s"), user, strerror(r)));
		return (buf_error(err, _("there is no user '%s' on this "
		    "machine; set the server up with 'clerk admin "
		    "setup-shared' (as root)"), user));
	}
	if (pw.pw_uid == 0 || pw.pw_gid == 0)
		return (buf_error(err, _("the service user '%s' must not be "
		    "root or in the group root"), user));
	sv.user = user;
	sv.uid = pw.pw_uid;
	sv.gid = pw.pw_gid;
	sv.root = me == 0;
	if (!sv.root && me != sv.uid) {
		res = NULL;
		if (getpwuid_r(me, &pw, b, sizeof b, &res) != 0 || res == NULL)
			snprintf(b, sizeof b, "uid %ld", (long)me);
		else
			memmove(b, pw.pw_name, strlen(pw.pw_name) + 1);
		return (buf_error(err, _("clerkd --system runs as the user "
		    "'%s': start it as root (it becomes '%s' itself) or as "
		    "'%s', not as '%s'"), user, user, user, b));
	}

	sockdir = xstrdup(sock);
	slash = strrchr(sockdir, '/');
	if (slash == NULL || slash == sockdir) {
		free(sockdir);
		return (buf_error(err, _("the socket '%s' needs a folder of "
		    "its own"), sock));
	}
	*slash = '\0';
	/* Operators must reach the socket and never the data. */
	if (strncmp(sockdir, dir, strlen(dir)) == 0 &&
	    (sockdir[strlen(dir)] == '\0' || sockdir[strlen(dir)] == '/')) {
		free(sockdir);
		return (buf_error(err, _("the socket '%s' must not be in the "
		    "data folder '%s'"), sock, dir));
	}
	r = own_folder(&sv, dir, DATA_MODE, changes, err);
	if (r == 0)
		r = own_folder(&sv, sockdir, SOCKET_DIR_MODE, changes, err);
	free(sockdir);
	if (r != 0)
		return (-1);
	if (sv.root)
		return (drop_root(&sv, err));
	return (0);
}
