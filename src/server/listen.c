/*
 * listen.c: the server's socket: replace a stale one, bind, listen, and
 * at the end remove it only if it is still ours (a newer server may have
 * taken the path).  The lock file beside the socket serialises a client
 * starting a server against a server giving up its socket on idle exit;
 * a server that leaves removes it (lockfile.c says why that is safe).
 * Must not touch the store or the connections.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_int.h"

int
listen_lock(const char *sock)
{
	char	*path;
	int	 fd;

	xasprintf(&path, "%s.lock", sock);
	fd = lockfile_take(path);
	free(path);
	return (fd);
}

/*
 * Release the lock; remove the lock file too when the server leaves
 * (gone), so a folder of sockets does not keep one for every database
 * ever served: the next to start makes it again (lockfile.c).
 */
void
listen_unlock(const char *sock, int fd, int gone)
{
	char	*path = NULL;

	if (gone)
		xasprintf(&path, "%s.lock", sock);
	lockfile_drop(path, fd);
	free(path);
}

/* 1 if something answers on path, 0 if not (stale or absent). */
static int
socket_alive(const char *path)
{
	struct sockaddr_un	sa;
	int			fd, r;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	close(fd);
	return (r == 0);
}

int
listen_open(struct server *srv, struct buf *err)
{
	const char		*path = srv->opts->socket;
	struct sockaddr_un	 sa;
	struct stat		 sb;
	mode_t			 old;
	int			 fd;

	if (strlen(path) >= sizeof sa.sun_path)
		return (buf_error(err, _("socket path '%s' is too long (at "
		    "most %zu bytes)"), path, sizeof sa.sun_path - 1));
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode))
			return (buf_error(err, _("'%s' exists and is not a "
			    "socket"), path));
		if (socket_alive(path))
			return (buf_error(err, _("another clerkd is already "
			    "listening on '%s'"), path));
		/* Left by a server that was killed: replace it. */
		if (unlink(path) == -1 && errno != ENOENT)
			return (buf_error(err, _("cannot remove the stale "
			    "socket '%s': %s"), path, strerror(errno)));
		log_info(_("removed the stale socket '%s'"), path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (buf_error(err, _("cannot make a socket: %s"),
		    strerror(errno)));
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	/* A personal socket is for its owner only; a shared one for all,
	 * since access decides who gets in. */
	old = umask(srv->opts->personal ? 0177 : 0111);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		umask(old);
		buf_error(err, _("cannot bind the socket '%s': %s"), path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	umask(old);
	if (listen(fd, 128) == -1) {
		buf_error(err, _("cannot listen on '%s': %s"), path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return (-1);
	}
	if (stat(path, &sb) == 0)
		srv->sock_ino = sb.st_ino;
	srv->listen_fd = fd;
	return (0);
}

void
listen_close(struct server *srv)
{
	struct stat	sb;
	int		lock;

	if (srv->listen_fd == -1)
		return;
	/* Under the lock, so a client starting a new server cannot have
	 * its socket removed by us. */
	lock = listen_lock(srv->opts->socket);
	if (lstat(srv->opts->socket, &sb) == 0 && sb.st_ino == srv->sock_ino)
		unlink(srv->opts->socket);
	close(srv->listen_fd);
	srv->listen_fd = -1;
	listen_unlock(srv->opts->socket, lock, 1);
}

int
listen_close_idle(struct server *srv)
{
	struct pollfd	pfd;
	struct stat	sb;
	int		lock;

	lock = listen_lock(srv->opts->socket);
	/* A client that connected just now is served, not dropped. */
	pfd.fd = srv->listen_fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) > 0) {
		listen_unlock(srv->opts->socket, lock, 0);
		return (0);
	}
	if (lstat(srv->opts->socket, &sb) == 0 && sb.st_ino == srv->sock_ino)
		unlink(srv->opts->socket);
	close(srv->listen_fd);
	srv->listen_fd = -1;
	listen_unlock(srv->opts->socket, lock, 1);
	return (1);
}
