/*
 * client: the server as a client program sees it.  Finds the database
 * folder and its server's socket, connects (starting a personal server
 * on demand, DESIGN.md §3), exchanges hellos and calls verbs.  Used by
 * the CLI now, the TUI and clerk-remind later.  Never prints: errors
 * come back as -1 with a message in err.
 */
#ifndef CLERK_CLIENT_H
#define CLERK_CLIENT_H

#include <stdint.h>

#include "util/util.h"
#include "proto/proto.h"

struct client_options {
	/*
	 * The database folder (-d): NULL for $CLERK_DIR, else
	 * $XDG_DATA_HOME/clerk, else ~/.local/share/clerk.
	 */
	const char	*dir;
	/*
	 * A server's socket (-S) to connect to as it is (shared mode): NULL
	 * for $CLERK_SOCKET, else the personal server of dir, started on
	 * demand.
	 */
	const char	*socket;
	/*
	 * Which server, in this order: socket; the personal server of dir
	 * when personal is set or dir given; $CLERK_SOCKET; the personal
	 * server of $CLERK_DIR; the office server when its socket or its
	 * data folder is there (CLIENT_SYSTEM_SOCKET, CLIENT_SYSTEM_DIR:
	 * a stopped office server is reported, never silently replaced by
	 * a personal database); else the personal server of the default
	 * folder.
	 */
	int		 personal;	/* --personal */
	/* clerkd to start: NULL for $CLERKD, else beside this program,
	 * else from PATH. */
	const char	*clerkd;
	int64_t		 protocol;	/* 0 = PROTO_VERSION; tests only */
	/* Tests only: stop (SIGSTOP) ourselves halfway through sending
	 * each request. */
	int		 stop_mid_request;
};

struct client;

/* Connect and say hello; -1 with a message ("clerk 0.1.0 cannot talk to
 * clerkd ...", "you are not a clerk operator ...", "cannot start the
 * personal server: ..."). */
int	 client_open(struct client **, const struct client_options *,
	     struct buf *);
void	 client_close(struct client *);
/* The login the server knows us by. */
const char *client_login(const struct client *);
const char *client_server_version(const struct client *);
/* The clerkd program to start: opt, else $CLERKD, else clerkd beside
 * this program, else "clerkd" from PATH.  Never NULL; free it. */
char	*client_find_clerkd(const char *);

/*
 * What a client may follow while a call is on (all optional): sent
 * (bytes of the request sent so far, of total) while a big request
 * goes out; note (a progress note from the server, one line) while the
 * server works, asked for only when note is set; part (output that
 * comes ahead of the response, to be written out at once; -1 stops the
 * call) for verbs that stream, such as export.
 */
struct client_hooks {
	void	(*sent)(uint64_t, uint64_t, void *);
	void	(*note)(const char *, void *);
	int	(*part)(const char *, size_t, void *);
	void	*arg;
};
void	 client_set_hooks(struct client *, const struct client_hooks *);

/*
 * Call a verb: verb and argc words of arguments, and bulk data (NULL
 * for none).  The client's working folder, language and terminal width
 * go along.  resp is filled (proto_response_release it); -1 only when
 * the connection failed, with a message.
 */
int	 client_call(struct client *, const char *, int, char **,
	     const void *, size_t, struct proto_response *, struct buf *);

/*
 * Where things are, for the CLI's messages and the tests: the database
 * folder (absolute, made if missing when make is set), and the personal
 * socket and its lock file for a folder.
 */
int	 client_data_dir(const char *, int, struct buf *, struct buf *);
int	 client_socket_path(const char *, struct buf *, struct buf *,
	     struct buf *);

/*
 * The office server (shared mode), as "clerkd --system" has it: its data
 * folder (the service user's, 0700) and its socket.  Tests put them
 * under another folder with $CLERK_SYSTEM_ROOT.
 */
#define CLIENT_SYSTEM_DIR	"/var/lib/clerk"
#define CLIENT_SYSTEM_SOCKET	"/run/clerk/clerk.sock"

/*
 * "clerk admin setup-shared", for root: the system user (made with
 * useradd if missing), a backup folder, and, through "clerkd --system
 * --init" as that user, the folders, the database and its first
 * administrator.  out says what changed, or that nothing did, and what
 * to do next.  -1 with a message (not root, no administrator named, a
 * step failed).
 */
struct client_setup {
	const char	*admin;		/* first administrator; NULL: $SUDO_USER */
	const char	*clerkd;	/* as in client_options */
	/* Tests only: the service user (NULL: "clerk"); the system paths
	 * are put under $CLERK_SYSTEM_ROOT as for clients. */
	const char	*user;
};
int	 client_setup_shared(const struct client_setup *, struct buf *,
	     struct buf *);

#endif
