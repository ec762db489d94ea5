/*
 * server_int.h: what the files of the server share.  Private to
 * src/server.
 */
#ifndef CLERK_SERVER_INT_H
#define CLERK_SERVER_INT_H

#include <sys/types.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "util/util.h"
#include "record/record.h"
#include "store/store.h"
#include "server.h"

#define SERVER_MAX_CONNS	512
#define SERVER_SEND_TIMEOUT	30	/* seconds a client may stall a reply */
#define SERVER_HELLO_TIMEOUT	10	/* seconds to say hello after connecting */

struct conn {
	struct server	*srv;
	int		 fd;
	uid_t		 uid;
	pid_t		 pid;
	struct conn	*prev, *next;
};

struct server {
	const struct server_options *opts;
	struct schema	*schema;
	struct store	*store;
	int		 listen_fd;
	ino_t		 sock_ino;	/* of the socket we bound, to remove only ours */
	int		 pid_fd;	/* DIR/clerkd.pid, locked while we run */
	uid_t		 uid;		/* our own (personal mode serves only it) */
	char		*login;		/* our own login */
	int		 init;		/* server_init(): it says who administers */
	/*
	 * The data folder as it was opened: a folder removed, renamed or
	 * replaced under a running server must stop it (server.c).
	 */
	dev_t		 dir_dev;
	ino_t		 dir_ino;
	int		 dir_lost;

	/* Guarded by lock; never held across I/O with a client. */
	pthread_mutex_t	 lock;
	pthread_cond_t	 gone;		/* a connection ended */
	struct conn	*conns;
	size_t		 nconns;
	uint64_t	 idle_since;	/* monotonic ns when nconns became 0 */

	/* Compaction when idle (server.c); the main thread's but for the
	 * two flags. */
	pthread_t	 compact_thr;
	int		 compact_on;	/* the thread was started */
	atomic_int	 compact_stop;	/* asks it to stop */
	atomic_int	 compact_done;	/* it has finished */
	uint64_t	 compact_looked; /* monotonic ns of the last look */
	uint64_t	 compact_quiet;	/* ns without clients before one */
	uint64_t	 compact_changes; /* changes that make one worth it */
};

/* listen.c */
int	 listen_open(struct server *, struct buf *);
void	 listen_close(struct server *);
/* On idle exit: close unless a client is waiting to be accepted; 1 if
 * closed. */
int	 listen_close_idle(struct server *);
/* Take the lock file beside the socket (flock), -1 if it cannot be
 * opened; listen_unlock() releases it, removing the file when the
 * server is leaving (its third argument). */
int	 listen_lock(const char *);
void	 listen_unlock(const char *, int, int);

/* session.c: serve one accepted connection in a new thread; the
 * descriptor is the session's from now on, closed by it even on
 * failure. */
int	 session_start(struct server *, int, struct buf *);

#endif
