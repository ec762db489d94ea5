/*
 * setup.c: "clerk admin setup-shared", run by root on the office
 * server's machine (DESIGN.md §3, shared mode).  Makes the system user
 * and the backup folder, then has clerkd itself do the rest
 * ("clerkd --system --init": the data and socket folders, giving up
 * root, the database and its first administrator), because a client
 * never opens the store.  Every step looks before it changes anything,
 * so a second run changes nothing and says so.  Must not print or
 * exit; the only programs it runs are useradd and clerkd.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

#define SYSTEM_USER	"clerk"
#define BACKUP_DIR	"/var/backups/clerk"

static const char *
env(const char *name)
{
	const char	*s = getenv(name);

	return (s != NULL && *s != '\0' ? s : NULL);
}

/* The first of paths that exists, else the last. */
static const char *
first_of(const char *const *paths, size_t n)
{
	size_t	i;

	for (i = 0; i + 1 < n; i++)
		if (access(paths[i], X_OK) == 0)
			return (paths[i]);
	return (paths[n - 1]);
}

/*
 * Run argv (a path, or a name looked up in PATH), its standard output
 * into out and its standard error into errs.  Returns its exit status,
 * or -1 with a message when it could not run or was killed.
 */
static int
run(char *const *argv, struct buf *out, struct buf *errs, struct buf *err)
{
	struct pollfd	 pfd[2];
	struct buf	*to[2] = { out, errs };
	int		 po[2], pe[2], status, i, open_fds = 2, fd;
	char		 b[4096];
	ssize_t		 n;
	pid_t		 pid;

	if (pipe2(po, O_CLOEXEC) == -1)
		return (buf_error(err, "pipe: %s", strerror(errno)));
	if (pipe2(pe, O_CLOEXEC) == -1) {
		close(po[0]);
		close(po[1]);
		return (buf_error(err, "pipe: %s", strerror(errno)));
	}
	if ((pid = fork()) == -1) {
		buf_error(err, "fork: %s", strerror(errno));
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		return (-1);
	}
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(fd, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (strchr(argv[0], '/') != NULL)
			execv(argv[0], argv);
		else
			execvp(argv[0], argv);
		n = snprintf(b, sizeof b, _("cannot run '%s': %s"), argv[0],
		    strerror(errno));
		if (n < 0 || n >= (ssize_t)sizeof b)
			n = n < 0 ? 0 : (ssize_t)sizeof b - 1;
		if (write(2, b, n) == -1)
			_exit(126);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	pfd[0].fd = po[0];
	pfd[1].fd = pe[0];
	while (open_fds > 0) {
		for (i = 0; i < 2; i++) {
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, b, sizeof b);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;	/* poll skips it */
				open_fds--;
			} else
				buf_add(to[i], b, n);
		}
	}
	for (i = 0; i < 2; i++)
		if (pfd[i].fd != -1)
			close(pfd[i].fd);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return (buf_error(err, "waitpid: %s", strerror(errno)));
	if (!WIFEXITED(status))
		return (buf_error(err, _("'%s' was killed by signal %d"),
		    argv[0], WTERMSIG(status)));
	return (WEXITSTATUS(status));
}

/* Text from a program for one message: trailing newlines cut. */
static const char *
trimmed(struct buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] == '\n')
		b->data[--b->len] = '\0';
	return (b->data);
}

/* The service user: looked up, or made with useradd. */
static int
service_user(const char *user, const char *home, struct buf *done,
    struct buf *notes, struct buf *err)
{
	static const char *const useradd[] = { "/usr/sbin/useradd",
	    "/sbin/useradd", "useradd" };
	static const char *const nologin[] = { "/usr/sbin/nologin",
	    "/sbin/nologin", "/bin/false" };
	struct passwd	*pw;
	struct buf	 o = BUF_INIT, e = BUF_INIT;
	char		*argv[16];
	int		 n = 0, r;

	if ((pw = getpwnam(user)) != NULL) {
		if (pw->pw_uid == 0 || pw->pw_gid == 0)
			return (buf_error(err, _("the user '%s' is root or in "
			    "the group root; clerk's server must not run so"),
			    user));
		buf_printf(notes, _("the system user '%s' is there (uid "
		    "%ld)\n"), user, (long)pw->pw_uid);
		return (0);
	}
	argv[n++] = (char *)first_of(useradd, nitems(useradd));
	argv[n++] = (char *)"--system";
	argv[n++] = (char *)"--home-dir";
	argv[n++] = (char *)home;
	argv[n++] = (char *)"--no-create-home";
	argv[n++] = (char *)"--shell";
	argv[n++] = (char *)first_of(nologin, nitems(nologin));
	argv[n++] = (char *)"--comment";
	argv[n++] = (char *)"clerk server";
	/* A group of that name left behind is taken, not an error. */
	if (getgrnam(user) != NULL) {
		argv[n++] = (char *)"--gid";
		argv[n++] = (char *)user;
	} else
		argv[n++] = (char *)"--user-group";
	argv[n++] = (char *)user;
	argv[n] = NULL;
	r = run(argv, &o, &e, err);
	if (r > 0)
		buf_error(err, _("cannot make the system user '%s': %s"), user,
		    e.len > 0 ? trimmed(&e) : trimmed(&o));
	buf_release(&o);
	buf_release(&e);
	if (r != 0)
		return (-1);
	if ((pw = getpwnam(user)) == NULL)
		return (buf_error(err, _("useradd made no user '%s'"), user));
	buf_printf(done, _("made the system user '%s' (uid %ld)\n"), user,
	    (long)pw->pw_uid);
	return (0);
}

/* The folder for "clerk admin backup": the user's, 0700, if missing. */
static int
backup_folder(const char *path, const char *user, struct buf *done,
    struct buf *err)
{
	struct passwd	*pw;
	struct stat	 sb;
	char		*p, *s;

	if (lstat(path, &sb) == 0)
		return (0);	/* there: the administrator's choice */
	if ((pw = getpwnam(user)) == NULL)
		return (buf_error(err, _("there is no user '%s'"), user));
	p = xstrdup(path);
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		/* chmod: root's umask must not close the way. */
		if (mkdir(p, 0755) == 0)
			chmod(p, 0755);
		else if (errno != EEXIST) {
			buf_error(err, _("cannot make the folder '%s': %s"), p,
			    strerror(errno));
			free(p);
			return (-1);
		}
		*s = '/';
	}
	free(p);
	if (mkdir(path, 0700) == -1 || chown(path, pw->pw_uid,
	    pw->pw_gid) == -1 || chmod(path, 0700) == -1)
		return (buf_error(err, _("cannot make the folder '%s': %s"),
		    path, strerror(errno)));
	buf_printf(done, _("made the folder '%s' (0700, owner '%s')\n"),
	    path, user);
	return (0);
}

/* 1 if a server answers on path. */
static int
answers(const char *path)
{
	struct sockaddr_un	sa;
	int			fd, r;

	if (strlen(path) >= sizeof sa.sun_path)
		return (0);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	r = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return (r);
}

int
client_setup_shared(const struct client_setup *o, struct buf *out,
    struct buf *err)
{
	struct buf	 done = BUF_INIT, notes = BUF_INIT, e = BUF_INIT;
	const char	*admin, *user, *root;
	char		*dir, *sock, *backups, *clerkd;
	char		*argv[16];
	int		 n = 0, r = -1;

	if (geteuid() != 0)
		return (buf_error(err, _("'clerk admin setup-shared' must be "
		    "run as root (for example with sudo)")));
	if ((admin = o->admin) == NULL && (admin = env("SUDO_USER")) != NULL &&
	    strcmp(admin, "root") == 0)
		admin = NULL;
	if (admin == NULL)
		return (buf_error(err, _("name the first administrator: clerk "
		    "admin setup-shared --admin LOGIN")));
	if (getpwnam(admin) == NULL)
		return (buf_error(err, _("'%s' is not a user of this machine; "
		    "the first administrator must be one"), admin));
	user = o->user != NULL ? o->user : SYSTEM_USER;
	if ((root = env("CLERK_SYSTEM_ROOT")) == NULL)
		root = "";
	xasprintf(&dir, "%s%s", root, CLIENT_SYSTEM_DIR);
	xasprintf(&sock, "%s%s", root, CLIENT_SYSTEM_SOCKET);
	xasprintf(&backups, "%s%s", root, BACKUP_DIR);
	clerkd = client_find_clerkd(o->clerkd);

	if (service_user(user, dir, &done, &notes, err) != 0 ||
	    backup_folder(backups, user, &done, err) != 0)
		goto out;

	/* clerkd makes its folders as root, then opens the store as the
	 * service user: the files are that user's from the start. */
	argv[n++] = clerkd;
	argv[n++] = (char *)"--system";
	argv[n++] = (char *)"--init";
	argv[n++] = (char *)"--user";
	argv[n++] = (char *)user;
	argv[n++] = (char *)"--dir";
	argv[n++] = dir;
	argv[n++] = (char *)"--socket";
	argv[n++] = sock;
	argv[n++] = (char *)"--admin";
	argv[n++] = (char *)admin;
	argv[n] = NULL;
	if ((r = run(argv, &done, &e, err)) != 0) {
		if (r > 0)
			buf_error(err, _("'%s' could not set up the database: "
			    "%s"), clerkd, trimmed(&e));
		r = -1;
		goto out;
	}
	buf_add(&notes, e.data, e.len);

	buf_reset(out);
	if (done.len == 0)
		buf_adds(out, _("clerk is set up for shared use already; "
		    "nothing changed.\n"));
	else
		buf_add(out, done.data, done.len);
	buf_add(out, notes.data, notes.len);
	if (answers(sock))
		buf_printf(out, _("The server is running on '%s'.\n"), sock);
	else
		buf_printf(out, _("\nNext steps:\n"
		    "  start the server, with systemd:\n"
		    "    systemctl daemon-reload; systemctl enable --now "
		    "clerkd\n"
		    "  or with the init script:\n"
		    "    update-rc.d clerkd defaults; /etc/init.d/clerkd "
		    "start\n"
		    "  then, as %s, register each operator:\n"
		    "    clerk admin user add LOGIN\n"), admin);
	r = 0;
out:
	free(dir);
	free(sock);
	free(backups);
	free(clerkd);
	buf_release(&done);
	buf_release(&notes);
	buf_release(&e);
	return (r);
}
