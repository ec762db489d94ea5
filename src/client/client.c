/*
 * client.c: finding and reaching the server.  A personal server is
 * found by a socket named after the database folder; when none answers,
 * the client takes a lock beside the socket (so two clients starting at
 * once start one server), removes a stale socket, starts clerkd and
 * waits until it listens.  Then hellos, then verbs.  Must not print or
 * exit, and must not include anything of the server side (store, db.h):
 * the linker keeps clients apart from Berkeley DB.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

#define HELLO_TIMEOUT	30	/* seconds for the server's hello */
#define START_TRIES	3

/* hello(): the connection dropped before the server's hello (a server
 * exiting on idle as we came): worth another try. */
#define HELLO_DROPPED	(-2)

struct client {
	int		 fd;
	int64_t		 protocol;
	int		 stop_mid_request;
	char		*login;
	char		*server_version;
	char		*socket;	/* a server named by its socket, or NULL */
	struct client_hooks hooks;
	/* What client_open() was given, to connect again when the server
	 * went away (killed, restarted) between two calls. */
	struct client_options opts;
	char		*opt_dir, *opt_socket, *opt_clerkd;
};

static const char *
env(const char *name)
{
	const char	*s = getenv(name);

	return (s != NULL && *s != '\0' ? s : NULL);
}

static int
make_dirs(const char *path, struct buf *err)
{
	char	*p = xstrdup(path), *s, c;
	int	 r = 0;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			r = buf_error(err, _("cannot make the folder '%s': %s"),
			    p, strerror(errno));
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return (r);
}

int
client_data_dir(const char *opt, int make, struct buf *out, struct buf *err)
{
	struct buf	 path = BUF_INIT;
	struct passwd	 pw, *res = NULL;
	char		 pwbuf[4096], cwd[PATH_MAX], real[PATH_MAX];
	const char	*s;

	if ((s = opt) != NULL || (s = env("CLERK_DIR")) != NULL)
		buf_adds(&path, s);
	else if ((s = env("XDG_DATA_HOME")) != NULL && *s == '/')
		buf_printf(&path, "%s/clerk", s);
	else {
		if ((s = env("HOME")) == NULL) {
			if (getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf,
			    &res) != 0 || res == NULL)
				return (buf_error(err, _("cannot tell where "
				    "your home folder is; set HOME or "
				    "CLERK_DIR")));
			s = pw.pw_dir;
		}
		buf_printf(&path, "%s/.local/share/clerk", s);
	}
	if (path.data[0] != '/') {
		if (getcwd(cwd, sizeof cwd) == NULL) {
			buf_release(&path);
			return (buf_error(err, _("cannot tell the current "
			    "folder: %s"), strerror(errno)));
		}
		buf_set(&path, "%s/%s", cwd, opt != NULL ? opt :
		    env("CLERK_DIR"));
	}
	if (make && make_dirs(path.data, err) != 0) {
		buf_release(&path);
		return (-1);
	}
	buf_reset(out);
	/* One folder, one name, however it was spelled. */
	if (realpath(path.data, real) != NULL)
		buf_adds(out, real);
	else
		buf_add(out, path.data, path.len);
	buf_release(&path);
	return (0);
}

/* The private folder of our sockets: made 0700, and refused if it is
 * someone else's (a trap in a shared /tmp). */
static int
socket_folder(struct buf *out, struct buf *err)
{
	const char	*s;
	struct stat	 sb;

	buf_reset(out);
	if ((s = env("XDG_RUNTIME_DIR")) != NULL && *s == '/')
		buf_printf(out, "%s/clerk", s);
	else
		buf_printf(out, "%s/clerk-%ld", (s = env("TMPDIR")) != NULL ?
		    s : "/tmp", (long)getuid());
	if (mkdir(out->data, 0700) == -1 && errno != EEXIST)
		return (buf_error(err, _("cannot make the folder '%s': %s"),
		    out->data, strerror(errno)));
	if (lstat(out->data, &sb) == -1)
		return (buf_error(err, _("cannot use the folder '%s': %s"),
		    out->data, strerror(errno)));
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != getuid())
		return (buf_error(err, _("'%s' is not a folder of yours; "
		    "remove it or set XDG_RUNTIME_DIR"), out->data));
	if ((sb.st_mode & 077) != 0 && chmod(out->data, 0700) == -1)
		return (buf_error(err, _("cannot make '%s' private: %s"),
		    out->data, strerror(errno)));
	return (0);
}

int
client_socket_path(const char *dir, struct buf *sock, struct buf *lock,
    struct buf *err)
{
	struct sockaddr_un	sa;
	struct buf		folder = BUF_INIT;
	uint64_t		h = hash_fnv1a(dir, strlen(dir));

	if (socket_folder(&folder, err) != 0) {
		buf_release(&folder);
		return (-1);
	}
	buf_set(sock, "%s/%016llx.sock", folder.data, (unsigned long long)h);
	if (lock != NULL)
		buf_set(lock, "%s/%016llx.sock.lock", folder.data,
		    (unsigned long long)h);
	buf_release(&folder);
	if (sock->len >= sizeof sa.sun_path)
		return (buf_error(err, _("socket path '%s' is too long; set "
		    "XDG_RUNTIME_DIR or TMPDIR to a shorter folder"),
		    sock->data));
	return (0);
}

/* A connected socket, or -1 with errno set. */
static int
connect_to(const char *path)
{
	struct sockaddr_un	sa;
	int			fd, e;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	while (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		if (errno == EINTR)
			continue;
		e = errno;
		close(fd);
		errno = e;
		return (-1);
	}
	return (fd);
}

static void
set_rcvtimeo(int fd, int seconds)
{
	struct timeval	tv = { seconds, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/* The locale messages are in, as POSIX picks it; "" for none. */
static const char *
client_locale(void)
{
	const char	*s;

	if ((s = env("LC_ALL")) == NULL && (s = env("LC_MESSAGES")) == NULL &&
	    (s = env("LANG")) == NULL)
		s = "";
	return (s);
}

static int
hello(struct client *c, struct buf *err)
{
	struct proto_hello	h;
	struct buf		b = BUF_INIT;
	int			r;

	memset(&h, 0, sizeof h);
	h.protocol = c->protocol;
	h.version = (char *)PACKAGE_VERSION;
	/* So that a refusal comes in our language. */
	h.locale = (char *)client_locale();
	proto_hello_encode(&h, &b);
	if (proto_write_frame(c->fd, b.data, b.len, err) != 0) {
		buf_release(&b);
		return (HELLO_DROPPED);
	}
	set_rcvtimeo(c->fd, HELLO_TIMEOUT);
	r = proto_read_frame_max(c->fd, &b, PROTO_MAX_HELLO, err);
	set_rcvtimeo(c->fd, 0);
	if (r != 0) {
		buf_release(&b);
		if (r == PROTO_EOF)
			buf_set(err, _("the server closed the connection "
			    "before answering (it stopped or was killed)"));
		return (HELLO_DROPPED);
	}
	r = proto_hello_decode(&h, 1, b.data, b.len, err);
	buf_release(&b);
	if (r != 0)
		return (-1);
	if (h.status != 0)
		r = buf_error(err, "%s", h.message);
	else if (h.protocol != c->protocol) {
		/* A server that did not check: refuse on our side too. */
		proto_mismatch_message(err, PACKAGE_VERSION, c->protocol,
		    h.version, h.protocol);
		r = -1;
	} else {
		c->login = h.login;
		c->server_version = h.version;
		h.login = h.version = NULL;
	}
	proto_hello_release(&h);
	return (r);
}

/* Also used by setup.c for "clerkd --system". */
char *
client_find_clerkd(const char *opt)
{
	char	 self[PATH_MAX], *slash, *path;
	ssize_t	 n;

	if (opt != NULL)
		return (xstrdup(opt));
	if (env("CLERKD") != NULL)
		return (xstrdup(env("CLERKD")));
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			xasprintf(&path, "%s/clerkd", self);
			if (access(path, X_OK) == 0)
				return (path);
			free(path);
		}
	}
	return (xstrdup("clerkd"));	/* from PATH */
}

/*
 * Start clerkd for dir on sock and wait until it listens (its first
 * process exits only then, or with the reason on standard error).
 */
static int
spawn(const char *clerkd, const char *dir, const char *sock,
    struct buf *err)
{
	char	*path = client_find_clerkd(clerkd);
	char	*argv[] = { path, (char *)"--personal", (char *)"--dir",
		    (char *)dir, (char *)"--socket", (char *)sock, NULL };
	int	 p[2], status, e = 0, r = -1;
	pid_t	 pid;
	ssize_t	 n;

	if (pipe2(p, O_CLOEXEC) == -1) {
		buf_error(err, "pipe: %s", strerror(errno));
		free(path);
		return (-1);
	}
	if ((pid = fork()) == -1) {
		buf_error(err, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		free(path);
		return (-1);
	}
	if (pid == 0) {
		close(p[0]);
		if (strchr(path, '/') != NULL)
			execv(path, argv);
		else
			execvp(path, argv);
		/* The pipe closes on a successful exec; else say why. */
		e = errno;
		if (write(p[1], &e, sizeof e) != sizeof e)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], &e, sizeof e)) == -1 && errno == EINTR)
		;
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (n == sizeof e)
		buf_error(err, _("cannot run '%s' to start the server: %s; "
		    "set CLERKD to its path"), path, strerror(e));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		buf_error(err, _("could not start the server '%s' (its "
		    "message is above)"), path);
	else
		r = 0;
	free(path);
	return (r);
}

/* Under the lock: connect, or clear a stale socket and start a server. */
static int
start_personal(const struct client_options *o, const char *dir,
    const char *sock, const char *lockpath, struct buf *err)
{
	struct stat	sb;
	int		lock, fd, e;

	/* The server removes the lock file when it leaves: taken so, a
	 * file removed while we waited is not locked in vain. */
	if ((lock = lockfile_take(lockpath)) == -1)
		return (buf_error(err, _("cannot open '%s': %s"), lockpath,
		    strerror(errno)));
	/* Someone else may have started it while we waited. */
	if ((fd = connect_to(sock)) != -1)
		goto out;
	e = errno;
	if (e != ECONNREFUSED && e != ENOENT) {
		buf_error(err, _("cannot connect to '%s': %s"), sock,
		    strerror(e));
		goto out;
	}
	if (lstat(sock, &sb) == 0 && S_ISSOCK(sb.st_mode))
		unlink(sock);	/* a server was killed and left it */
	if (spawn(o->clerkd, dir, sock, err) != 0)
		goto out;
	if ((fd = connect_to(sock)) == -1)
		buf_error(err, _("the server started but does not answer on "
		    "'%s': %s"), sock, strerror(errno));
out:
	/* No server to remove it later: remove it now. */
	lockfile_drop(fd == -1 ? lockpath : NULL, lock);
	return (fd);
}

/*
 * The socket of a running server to use as it is (set in path; returns
 * 1), or 0 for a personal server: the order told at
 * client_options.personal.  *office is set when it is the office
 * server's, found by its socket, or by its data folder when it is
 * stopped (systemd removes /run/clerk then).  $CLERK_SYSTEM_ROOT, for
 * tests, is put before the office server's paths.
 */
static int
server_socket(const struct client_options *o, struct buf *path, int *office)
{
	struct stat	 sb;
	struct buf	 dir = BUF_INIT;
	const char	*s, *root;
	int		 r = 0;

	*office = 0;
	if (o->socket != NULL) {
		buf_set(path, "%s", o->socket);
		return (1);
	}
	if (o->personal || o->dir != NULL)
		return (0);
	if ((s = env("CLERK_SOCKET")) != NULL) {
		buf_set(path, "%s", s);
		return (1);
	}
	if (env("CLERK_DIR") != NULL)
		return (0);
	if ((root = env("CLERK_SYSTEM_ROOT")) == NULL)
		root = "";
	buf_set(path, "%s%s", root, CLIENT_SYSTEM_SOCKET);
	buf_set(&dir, "%s%s", root, CLIENT_SYSTEM_DIR);
	if ((lstat(path->data, &sb) == 0 && S_ISSOCK(sb.st_mode)) ||
	    (lstat(dir.data, &sb) == 0 && S_ISDIR(sb.st_mode)))
		*office = r = 1;
	buf_release(&dir);
	return (r);
}

/* Connect c to the server o names and say hello: 0, or -1 with a
 * message. */
static int
client_connect(struct client *c, const struct client_options *o,
    struct buf *err)
{
	struct buf	 dir = BUF_INIT, sock = BUF_INIT, lock = BUF_INIT;
	struct buf	 shared = BUF_INIT;
	const char	*explicit = NULL;
	int		 tries, r = -1, office;

	if (server_socket(o, &shared, &office)) {
		explicit = shared.data;
		if ((c->fd = connect_to(explicit)) == -1 && office &&
		    (errno == ECONNREFUSED || errno == ENOENT))
			buf_error(err, _("the office clerk server (%s) is "
			    "not running; ask an administrator, or use "
			    "'clerk --personal' for a database of your own"),
			    explicit);
		else if (c->fd == -1)
			buf_error(err, _("cannot connect to the clerk server "
			    "at '%s': %s"), explicit, strerror(errno));
		if (c->fd == -1)
			goto out;
		r = hello(c, err);
		if (r == HELLO_DROPPED)
			buf_prefix(err, _("server at '%s': "), explicit);
		free(c->socket);
		c->socket = xstrdup(explicit);
		goto out;
	}

	if (client_data_dir(o->dir, 1, &dir, err) != 0 ||
	    client_socket_path(dir.data, &sock, &lock, err) != 0)
		goto out;
	for (tries = 0; tries < START_TRIES; tries++) {
		if ((c->fd = connect_to(sock.data)) == -1 &&
		    (c->fd = start_personal(o, dir.data, sock.data, lock.data,
		    err)) == -1)
			goto out;
		r = hello(c, err);
		if (r != HELLO_DROPPED)
			break;
		/* It was going away on idle as we came: again. */
		close(c->fd);
		c->fd = -1;
	}
	if (r == HELLO_DROPPED)
		buf_prefix(err, _("personal server for '%s': "), dir.data);
out:
	buf_release(&dir);
	buf_release(&sock);
	buf_release(&lock);
	buf_release(&shared);
	if (r != 0 && c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
	return (r != 0 ? -1 : 0);
}

static char *
dup_or_null(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

int
client_open(struct client **cp, const struct client_options *o,
    struct buf *err)
{
	struct client	*c;

	*cp = NULL;
	c = xcalloc(1, sizeof *c);
	c->fd = -1;
	c->protocol = o->protocol != 0 ? o->protocol : PROTO_VERSION;
	c->stop_mid_request = o->stop_mid_request;
	c->opts = *o;
	c->opts.dir = c->opt_dir = dup_or_null(o->dir);
	c->opts.socket = c->opt_socket = dup_or_null(o->socket);
	c->opts.clerkd = c->opt_clerkd = dup_or_null(o->clerkd);
	if (client_connect(c, &c->opts, err) != 0) {
		client_close(c);
		return (-1);
	}
	*cp = c;
	return (0);
}

/*
 * Before a call: a connection the server closed since the last answer
 * (it never writes between calls, so anything readable is its end) is
 * connected again, starting a personal server as client_open() does,
 * so a server killed or restarted under a terminal that stayed open
 * costs nothing.  Nothing of the call is sent yet, so nothing can be
 * done twice.  -1 with a message when the server cannot be reached.
 */
static int
client_reconnect(struct client *c, struct buf *err)
{
	struct pollfd	 pfd;
	char		*login = c->login, *version = c->server_version;
	int		 n, r;

	if (c->fd != -1) {
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		while ((n = poll(&pfd, 1, 0)) == -1 && errno == EINTR)
			;
		if (n == 0)
			return (0);
		close(c->fd);
		c->fd = -1;
	}
	/* client_login() and client_server_version() stay those of the
	 * first hello: callers keep the pointers (the login is the same
	 * Unix user's anyway). */
	c->login = c->server_version = NULL;
	r = client_connect(c, &c->opts, err);
	free(c->login);
	free(c->server_version);
	c->login = login;
	c->server_version = version;
	return (r);
}

void
client_close(struct client *c)
{
	if (c == NULL)
		return;
	if (c->fd != -1)
		close(c->fd);
	free(c->login);
	free(c->server_version);
	free(c->socket);
	free(c->opt_dir);
	free(c->opt_socket);
	free(c->opt_clerkd);
	free(c);
}

const char *
client_login(const struct client *c)
{
	return (c->login);
}

const char *
client_server_version(const struct client *c)
{
	return (c->server_version);
}

/* "ru" when the messages locale is Russian, else "en". */
static const char *
client_lang(void)
{
	return (strncmp(client_locale(), "ru", 2) == 0 ? "ru" : "en");
}

void
client_set_hooks(struct client *c, const struct client_hooks *h)
{
	if (h != NULL)
		c->hooks = *h;
	else
		memset(&c->hooks, 0, sizeof c->hooks);
}

int
client_call(struct client *c, const char *verb, int argc, char **argv,
    const void *bulk, size_t bulklen, struct proto_response *resp,
    struct buf *err)
{
	struct proto_request	 q;
	struct winsize		 ws;
	struct buf		 b = BUF_INIT;
	char			 cwd[PATH_MAX], *envv[7];
	const char		*s;
	int			 cols = 0, r;
	size_t			 i, nenv;

	proto_response_init(resp);
	if (client_reconnect(c, err) != 0)
		return (-1);
	/* The width tables are fitted to: $COLUMNS, like ls, else the
	 * terminal's; none when writing to a pipe or file. */
	if ((s = env("COLUMNS")) != NULL && atoi(s) > 0)
		cols = atoi(s);
	else if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		cols = ws.ws_col;
	xasprintf(&envv[0], "cwd=%s", getcwd(cwd, sizeof cwd) != NULL ?
	    cwd : "");
	xasprintf(&envv[1], "lang=%s", client_lang());
	xasprintf(&envv[2], "cols=%d", cols);
	xasprintf(&envv[3], "locale=%s", client_locale());
	nenv = 4;
	/* Partial responses only for a client that follows them. */
	if (c->hooks.note != NULL)
		envv[nenv++] = xstrdup("progress=1");
	if (c->hooks.part != NULL)
		envv[nenv++] = xstrdup("parts=1");
	envv[nenv] = NULL;

	memset(&q, 0, sizeof q);
	q.verb = (char *)verb;
	q.argv = argv;
	q.argc = argc;
	q.env = envv;
	q.nenv = nenv;
	q.bulk = bulk;
	q.bulklen = bulklen;
	/* A big bulk (an import's file) is sent from the caller's buffer:
	 * a copy behind the head would double the client's memory. */
	if (bulk != NULL && bulklen > 65536 && !c->stop_mid_request)
		proto_request_encode_head(&q, &b);
	else {
		proto_request_encode(&q, &b);
		bulk = NULL;
		bulklen = 0;
	}
	for (i = 0; i < nenv; i++)
		free(envv[i]);

	if (c->stop_mid_request) {
		/* Tests: leave the server with half a request. */
		r = proto_write_part(c->fd, b.data, b.len, b.len / 2 + 2, err);
		if (r == 0) {
			raise(SIGSTOP);
			r = proto_write_rest(c->fd, b.data, b.len,
			    b.len / 2 + 2, err);
		}
	} else if (c->hooks.sent != NULL || bulk != NULL)
		r = proto_write_frame_progress(c->fd, b.data, b.len, bulk,
		    bulklen, c->hooks.sent, c->hooks.arg, err);
	else
		r = proto_write_frame(c->fd, b.data, b.len, err);
	if (r != 0) {
		buf_prefix(err, _("the server went away (stopped or "
		    "killed): "));
		if (c->socket != NULL)
			buf_prefix(err, _("server at '%s': "), c->socket);
		goto out;
	}
	/* Progress notes and output parts, then the response. */
	for (;;) {
		r = proto_read_frame(c->fd, &b, err);
		if (r == PROTO_EOF)
			r = buf_error(err, _("the server closed the connection "
			    "before answering (it stopped or was killed)"));
		if (r != 0) {
			if (c->socket != NULL)
				buf_prefix(err, _("server at '%s': "),
				    c->socket);
			goto out;
		}
		proto_response_release(resp);
		r = proto_response_decode(resp, b.data, b.len, err);
		if (r != 0)
			goto out;
		if (resp->status == PROTO_PROGRESS) {
			if (c->hooks.note != NULL)
				c->hooks.note(resp->out.data, c->hooks.arg);
		} else if (resp->status == PROTO_PART) {
			if (c->hooks.part != NULL && c->hooks.part(
			    resp->out.data, resp->out.len, c->hooks.arg) != 0) {
				r = buf_error(err, _("cannot write the "
				    "output"));
				goto out;
			}
		} else
			break;
	}
out:
	/* A call that failed (a server gone, a stream stopped or
	 * garbled) leaves the connection out of step: the next call
	 * connects anew. */
	if (r != 0 && c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
	buf_release(&b);
	return (r);
}
