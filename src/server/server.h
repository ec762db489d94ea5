/*
 * server: clerkd's body.  Listens on a Unix socket, learns each
 * client's Unix user from SO_PEERCRED (never from the client), opens an
 * access session for it, and runs its requests through cmd, one thread
 * per connection.  No transaction, lock or mutex is held while a thread
 * reads from or writes to a client, so a client killed or stopped costs
 * only its own connection.
 */
#ifndef CLERK_SERVER_H
#define CLERK_SERVER_H

#include <stdint.h>

#include "util/util.h"

struct server_options {
	const char	*dir;		/* the database folder */
	const char	*socket;	/* the socket's path */
	const char	*forms;		/* folder of *.form files */
	int		 personal;	/* one user's own server (see below) */
	const char	*admin;		/* first administrator of a new database, or NULL */
	const char	*creator;	/* who started it: the first administrator without admin */
	int		 idle;		/* exit after this many idle seconds; 0 never */
	size_t		 cache_mb;	/* the store's cache; 0 = sized to the data */
	int64_t		 protocol;	/* 0 = PROTO_VERSION; tests only */
	int		 ready_fd;	/* "ready\n" (or the error) written here, then closed; -1 none */
};

/*
 * Run the server until SIGTERM or SIGINT (or, with idle, until no
 * client has been connected for that long): open the store (creating
 * and recovering it), listen, serve, then stop accepting, let running
 * verbs finish, close the store and remove the socket.  The caller must
 * block SIGTERM, SIGINT and SIGHUP in every thread before calling; the
 * server takes them itself.  A personal server creates the folder and
 * the database, makes its user the first administrator, and serves only
 * connections from its own uid; otherwise the admin login, or else the
 * creator, becomes the first administrator of a database that has no
 * operators yet.  Only one server at a time may use a
 * folder: a lock file "clerkd.pid" in it says which.  Returns 0 after a
 * clean stop, or -1 with a message (not started, or the store failed).
 */
int	 server_run(const struct server_options *, struct buf *);

/*
 * clerkd --init: create or open the database of opts as server_run
 * would (forms, store, recovery, the admin login, or else the creator,
 * as first administrator of a database without operators), but do not
 * listen, and close it.
 * What it changed goes in done, what it found as it should be or could
 * not change in notes, a line each.  A server already using the folder
 * is not waited for: that is a note.  Returns 0, or -1 with a message
 * when the database cannot be opened or set up.
 */
int	 server_init(const struct server_options *, struct buf *,
	     struct buf *, struct buf *);

/*
 * clerkd --system, before anything else (system.c).  The service user
 * (user, normally "clerk") must exist and not be root.  Started by root,
 * it makes the data folder dir (0700) and the socket's folder (0755)
 * when missing, gives them to the user and sets their modes (it takes a
 * folder that belongs to someone else only when empty), then gives up
 * root for good: supplementary groups, group and user ids become the
 * user's, and that root cannot be taken back is checked.  Started by
 * the user itself (a systemd unit's User=), it makes what is missing
 * and checks the rest.  Started by anyone else it refuses.  Each change
 * is a line in changes.  Returns 0, or -1 with a message.
 */
int	 server_system_prepare(const char *, const char *, const char *,
	     struct buf *, struct buf *);

/* Send the log to syslog (a daemon), or to standard error with the
 * time on each line (--foreground). */
void	 server_log_syslog(void);
void	 server_log_stderr(void);

#endif
