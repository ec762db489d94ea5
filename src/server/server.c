/*
 * server.c: clerkd's life: take the data folder's lock, load the forms,
 * open (and so recover) the store, listen, accept connections until a
 * signal or the idle time, then stop in order: no new connections,
 * running verbs finish and reply, the store is closed (checkpointed),
 * the socket removed.  The only mutex guards the list of connections
 * and is never held across I/O.  Must not run verbs itself (cmd does).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access/access.h"
#include "cmd/cmd.h"
#include "server_int.h"
#include "slog.h"

#define STOP_WAIT	30	/* seconds for running verbs to finish */
/* Compaction when idle: see compact_tick() and clerkd(8). */
#define COMPACT_QUIET	30	/* seconds without a client */
#define COMPACT_CHANGES	20000	/* changes since the last compaction */
#define COMPACT_LOOK	60	/* seconds between looks at the count */
#define PIDLOCK_WAIT	10	/* seconds to wait for a previous server to go */

static volatile sig_atomic_t got_signal;

static uint64_t	env_number(const char *, uint64_t);

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
syslog_sink(enum log_level level, const char *msg, void *arg)
{
	slog_write((int)level, msg);
}

static void
stderr_sink(enum log_level level, const char *msg, void *arg)
{
	static const char *const what[] = { N_("error: "), N_("warning: "),
	    "", N_("debug: ") };
	struct buf	 line = BUF_INIT;
	struct tm	 tm;
	time_t		 now = time(NULL);
	char		 stamp[32];

	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
	buf_printf(&line, "clerkd %s %s%s\n", stamp,
	    (unsigned)level < nitems(what) && *what[level] != '\0' ?
	    _(what[level]) : "", msg);
	/* One write per line, so lines of threads never mix. */
	if (write(STDERR_FILENO, line.data, line.len) == -1)
		line.len = 0;
	buf_release(&line);
}

void
server_log_syslog(void)
{
	slog_open("clerkd");
	log_set_sink(syslog_sink, NULL);
}

void
server_log_stderr(void)
{
	log_set_sink(stderr_sink, NULL);
}

/*
 * Berkeley DB gave up on the environment: every call would fail from now
 * on.  The server goes, as if killed: what was committed is in the log,
 * and the next start recovers the database (a personal server is
 * started by the next clerk, a shared one by its service manager);
 * clients see the connection end and say so.
 */
static void
server_panic(const char *msg)
{
	log_msg(LOG_ERR, _("the database needs recovery (%s); clerkd exits, "
	    "and its next start recovers it"), msg);
	_exit(EXIT_FAILURE);
}

/* mkdir -p with mode for the folders it makes. */
static int
make_dirs(const char *path, mode_t mode, struct buf *err)
{
	char	*p = xstrdup(path), *s;
	int	 r = 0;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		{
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) == -1 && errno != EEXIST) {
				r = buf_error(err, _("cannot make the folder "
				    "'%s': %s"), p, strerror(errno));
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return (r);
}

/*
 * Only one process may own an environment (DESIGN.md §3): a flock on
 * DIR/clerkd.pid says who.  A server that is just exiting on idle may
 * still hold it for a moment while a client starts the next one, so
 * wait a little before giving up.  The file is never removed: removing
 * it could let two servers lock two different files.  With nowait
 * (clerkd --init) a busy folder returns 1 at once, with the message.
 */
static int
pid_lock(struct server *srv, int nowait, struct buf *err)
{
	char		*path, pid[32];
	int		 fd, i, e;
	ssize_t		 n;

	xasprintf(&path, "%s/clerkd.pid", srv->opts->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		buf_error(err, _("cannot open '%s': %s"), path,
		    strerror(errno));
		free(path);
		return (-1);
	}
	for (i = 0; flock(fd, LOCK_EX | LOCK_NB) == -1; i++) {
		e = errno;
		if ((e != EWOULDBLOCK && e != EINTR) ||
		    i >= PIDLOCK_WAIT * 20 || (nowait && e != EINTR)) {
			n = pread(fd, pid, sizeof pid - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			buf_error(err, _("another clerkd (pid %s) is using "
			    "'%s'"), *pid ? pid : "?", srv->opts->dir);
			close(fd);
			free(path);
			return (nowait && e == EWOULDBLOCK ? 1 : -1);
		}
		usleep(50000);
	}
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, strlen(pid), 0) == -1)
		log_warn(_("cannot write '%s': %s"), path, strerror(errno));
	free(path);
	srv->pid_fd = fd;
	return (0);
}

static char *
uid_login(uid_t uid)
{
	struct passwd	 pw, *res = NULL;
	char		 b[4096];

	if (getpwuid_r(uid, &pw, b, sizeof b, &res) != 0 || res == NULL)
		return (NULL);
	return (xstrdup(pw.pw_name));
}

/*
 * A database without operators, and no --admin: its creator, the user
 * who started clerkd, administers it, so that somebody can get in.
 * Said in done (--init) or the log; a database nobody can use is said
 * in notes or the log too.
 */
static int
creator_admin(struct server *srv, struct buf *done, struct buf *notes,
    struct buf *err)
{
	const char	*who = srv->opts->creator;
	int		 r;

	if ((r = access_has_operators(srv->store, err)) != 0)
		return (r < 0 ? -1 : 0);
	if (who == NULL) {
		if (notes != NULL)
			buf_printf(notes, "%s\n", _("the database has no "
			    "operators, so no one can use it; name its "
			    "administrator with --admin LOGIN"));
		else
			log_warn("%s", _("the database has no operators, so "
			    "no one can use it; name its administrator with "
			    "clerkd --init --admin LOGIN"));
		return (0);
	}
	if (access_init(srv->store, who, err) != 0)
		return (-1);
	if (done != NULL)
		buf_printf(done, _("registered '%s', who ran clerkd, as the "
		    "first administrator (--admin LOGIN names another)\n"),
		    who);
	else
		log_info(_("registered '%s', who started clerkd, as the first "
		    "administrator"), who);
	return (0);
}

static int
open_store(struct server *srv, struct buf *err)
{
	struct store_options	so = { srv->opts->cache_mb, STORE_CREATE, 0 };

	srv->schema = schema_new();
	if (schema_load(srv->schema, srv->opts->forms, err) != 0 ||
	    schema_check(srv->schema, err) != 0)
		return (-1);
	if (srv->schema->ntables == 0)
		return (buf_error(err, _("no tables: '%s' has no *.form "
		    "files"), srv->opts->forms));
	if (store_open(&srv->store, srv->opts->dir, srv->schema, &so,
	    err) != 0) {
		buf_prefix(err, _("cannot open the database '%s': "),
		    srv->opts->dir);
		return (-1);
	}
	store_set_panic(srv->store, server_panic);
	/* Memory an import's keys may take (clerkd(8)). */
	store_set_load_budget(srv->store,
	    (size_t)env_number("CLERK_IMPORT_MB", 0) << 20);
	/* The person who starts their own server administers it; a shared
	 * one is given its first administrator by name, or else by who
	 * started it (DESIGN: the creator of a database administers it). */
	if (srv->opts->personal &&
	    access_init(srv->store, srv->login, err) != 0)
		return (-1);
	if (!srv->opts->personal && srv->opts->admin != NULL &&
	    (access_login_valid(srv->opts->admin, err) != 0 ||
	    access_init(srv->store, srv->opts->admin, err) != 0))
		return (-1);
	if (!srv->opts->personal && srv->opts->admin == NULL && !srv->init &&
	    creator_admin(srv, NULL, NULL, err) != 0)
		return (-1);
	return (0);
}

/*
 * Compaction when idle.  Random inserts leave the pages of the files
 * about two thirds full, and a purge leaves holes: after a big import
 * or purge the data is bigger than it need be and fits the cache less
 * well.  When no client has been connected for COMPACT_QUIET seconds
 * and at least COMPACT_CHANGES changes were committed since the last
 * compaction finished (the count is kept in the database: store.h), a
 * thread compacts every file (store_compact), a few megabytes at a
 * time.  It stops at the next step once a client connects or the
 * server stops; the next quiet spell starts it again.  A handful of
 * changes is not worth it: pages filled by compaction split again at
 * the next inserts into them, so compacting often rewrites the files
 * for little.  CLERK_COMPACT_QUIET and CLERK_COMPACT_CHANGES set the
 * two limits (tests); CLERK_COMPACT_CHANGES=0 turns it off.
 */
static int
compact_step(const char *file, uint64_t before, uint64_t now, int done,
    void *arg)
{
	struct server	*srv = arg;
	int		 busy;

	if (atomic_load(&srv->compact_stop))
		return (1);
	pthread_mutex_lock(&srv->lock);
	busy = srv->nconns > 0;
	pthread_mutex_unlock(&srv->lock);
	return (busy);
}

static void *
compact_main(void *arg)
{
	struct server	*srv = arg;
	struct buf	 err = BUF_INIT;
	uint64_t	 t0 = clock_monotonic_ns();
	int		 r;

	r = store_compact(srv->store, compact_step, srv, &err);
	if (r == 0)
		log_info(_("compacted the database in %llu s"),
		    (unsigned long long)((clock_monotonic_ns() - t0) /
		    1000000000ull));
	else if (r == 1)
		log_info("%s", _("compaction paused: a client came"));
	else
		log_warn(_("cannot compact: %s"), err.data);
	buf_release(&err);
	atomic_store(&srv->compact_done, 1);
	return (NULL);
}

static uint64_t
env_number(const char *name, uint64_t def)
{
	const char	*s = getenv(name);
	char		*end;
	unsigned long long v;

	if (s == NULL || *s == '\0')
		return (def);
	v = strtoull(s, &end, 10);
	return (*end == '\0' ? (uint64_t)v : def);
}

static void
compact_tick(struct server *srv)
{
	struct buf	 err = BUF_INIT;
	uint64_t	 now = clock_monotonic_ns(), pending;
	int		 quiet;

	if (srv->compact_on) {
		if (!atomic_load(&srv->compact_done))
			return;
		pthread_join(srv->compact_thr, NULL);
		srv->compact_on = 0;
		srv->compact_looked = now;
		return;
	}
	if (srv->compact_changes == 0 ||
	    now - srv->compact_looked < COMPACT_LOOK * 1000000000ull)
		return;
	pthread_mutex_lock(&srv->lock);
	quiet = srv->nconns == 0 && now - srv->idle_since >=
	    srv->compact_quiet;
	pthread_mutex_unlock(&srv->lock);
	if (!quiet)
		return;
	srv->compact_looked = now;
	if (store_compact_pending(srv->store, &pending, &err) != 0) {
		log_warn(_("cannot compact: %s"), err.data);
		buf_release(&err);
		return;
	}
	buf_release(&err);
	if (pending < srv->compact_changes)
		return;
	log_info(_("compacting the database: %llu changes since the last "
	    "compaction"), (unsigned long long)pending);
	atomic_store(&srv->compact_stop, 0);
	atomic_store(&srv->compact_done, 0);
	if (pthread_create(&srv->compact_thr, NULL, compact_main, srv) != 0) {
		log_warn("%s", _("cannot start the compaction"));
		return;
	}
	srv->compact_on = 1;
}

/* Stop a compaction under way and wait for its thread. */
static void
compact_end(struct server *srv)
{
	if (!srv->compact_on)
		return;
	atomic_store(&srv->compact_stop, 1);
	pthread_join(srv->compact_thr, NULL);
	srv->compact_on = 0;
}

/*
 * 1 when the data folder is no longer the one the store was opened in:
 * removed (rm -r), renamed or replaced (a backup copied in its place).
 * The store's files stay open, so the server would go on answering from
 * files that nobody will find again, and every change made meanwhile
 * would go with them when it exits; a client naming the folder would
 * never reach what is there now.  Looked at every tick and before every
 * connection is taken: a stat, nothing to the store.
 */
static int
dir_lost(struct server *srv)
{
	struct stat	sb;

	if (stat(srv->opts->dir, &sb) == -1)
		return (errno == ENOENT || errno == ENOTDIR);
	return (sb.st_dev != srv->dir_dev || sb.st_ino != srv->dir_ino);
}

static void
serve(struct server *srv, const sigset_t *waitmask)
{
	struct pollfd	 pfd;
	struct timespec	 ts = { 0, 250 * 1000 * 1000 };
	struct buf	 err = BUF_INIT;
	uint64_t	 idle_ns = (uint64_t)srv->opts->idle * 1000000000ull;
	int		 fd, idle, r;

	while (!got_signal) {
		pfd.fd = srv->listen_fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		/* Signals are blocked everywhere but here, so they are
		 * taken only inside ppoll and never interrupt a verb. */
		r = ppoll(&pfd, 1, &ts, waitmask);
		if (r == -1 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (dir_lost(srv)) {
			srv->dir_lost = 1;
			break;
		}
		if (r > 0 && (pfd.revents & POLLIN)) {
			fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd == -1) {
				if (errno == EMFILE || errno == ENFILE ||
				    errno == ENOMEM) {
					log_msg(LOG_ERR, "accept: %s",
					    strerror(errno));
					usleep(100000);
				}
			} else if (session_start(srv, fd, &err) != 0)
				log_msg(LOG_ERR, "%s", err.data);
		}
		compact_tick(srv);
		if (idle_ns == 0)
			continue;
		pthread_mutex_lock(&srv->lock);
		idle = srv->nconns == 0 &&
		    clock_monotonic_ns() - srv->idle_since >= idle_ns;
		pthread_mutex_unlock(&srv->lock);
		/* A compaction under way finishes first. */
		if (srv->compact_on)
			idle = 0;
		if (idle && listen_close_idle(srv)) {
			log_info(_("idle for %d seconds; exiting"),
			    srv->opts->idle);
			break;
		}
	}
	if (got_signal)
		log_info(_("signal %d; stopping"), (int)got_signal);
	buf_release(&err);
}

/* Stop reading from every client; wait for their threads to end. */
static int
drain(struct server *srv)
{
	struct conn	*c;
	struct timespec	 deadline;
	int		 round, r = 0;

	for (round = 0; round < 2; round++) {
		pthread_mutex_lock(&srv->lock);
		/* First round: SHUT_RD lets a running verb still send its
		 * reply; the second also cuts writes to stalled clients. */
		for (c = srv->conns; c != NULL; c = c->next)
			shutdown(c->fd, round == 0 ? SHUT_RD : SHUT_RDWR);
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += STOP_WAIT;
		r = 0;
		while (srv->nconns > 0 && r == 0)
			r = pthread_cond_timedwait(&srv->gone, &srv->lock,
			    &deadline);
		r = srv->nconns == 0 ? 0 : -1;
		if (r != 0)
			log_warn(dngettext("clerk", "%zu connection still "
			    "busy after %d seconds", "%zu connections still "
			    "busy after %d seconds", srv->nconns),
			    srv->nconns, STOP_WAIT);
		pthread_mutex_unlock(&srv->lock);
		if (r == 0)
			break;
	}
	return (r);
}

int
server_run(const struct server_options *opts, struct buf *err)
{
	struct server		 srv;
	struct sigaction	 sa;
	struct stat		 sb;
	sigset_t		 cur, waitmask;
	int			 r = -1, ready = 0;

	memset(&srv, 0, sizeof srv);
	srv.opts = opts;
	srv.listen_fd = -1;
	srv.pid_fd = -1;
	srv.uid = geteuid();
	pthread_mutex_init(&srv.lock, NULL);
	pthread_cond_init(&srv.gone, NULL);
	srv.idle_since = clock_monotonic_ns();
	srv.compact_quiet = env_number("CLERK_COMPACT_QUIET", COMPACT_QUIET) *
	    1000000000ull;
	srv.compact_changes = env_number("CLERK_COMPACT_CHANGES",
	    COMPACT_CHANGES);
	/* The first look comes after a quiet spell, not a minute. */
	srv.compact_looked = srv.idle_since - COMPACT_LOOK * 1000000000ull;
	got_signal = 0;

	if ((srv.login = uid_login(srv.uid)) == NULL) {
		buf_error(err, _("uid %ld has no login name"),
		    (long)srv.uid);
		goto out;
	}
	if (make_dirs(opts->dir, 0700, err) != 0 ||
	    pid_lock(&srv, 0, err) != 0)
		goto out;
	if (open_store(&srv, err) != 0)
		goto out;
	if (stat(opts->dir, &sb) == -1) {
		buf_error(err, _("cannot read the folder '%s': %s"), opts->dir,
		    strerror(errno));
		goto out;
	}
	srv.dir_dev = sb.st_dev;
	srv.dir_ino = sb.st_ino;
	if (listen_open(&srv, err) != 0)
		goto out;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	waitmask = cur;
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);

	if (opts->ready_fd != -1) {
		if (write(opts->ready_fd, "ready\n", 6) == -1)
			log_warn(_("cannot tell the starter we are ready: %s"),
			    strerror(errno));
		close(opts->ready_fd);
		ready = 1;
	}
	log_info(opts->personal ? _("clerkd %s: serving '%s' on '%s' "
	    "(personal)") : _("clerkd %s: serving '%s' on '%s'"),
	    PACKAGE_VERSION, opts->dir, opts->socket);
	log_info(_("database cache: %zu MB; records read lately: %zu MB"),
	    store_cache_mb(srv.store), store_record_cache_mb(srv.store));

	serve(&srv, &waitmask);
	compact_end(&srv);
	listen_close(&srv);
	if (drain(&srv) != 0) {
		/* A verb still runs in the store: leave it to recovery at
		 * the next start rather than close the store under it. */
		log_msg(LOG_ERR, "%s", _("exiting with verbs still running; "
		    "the next start recovers"));
		_exit(1);
	}
	if (srv.dir_lost) {
		buf_error(err, _("the data folder '%s' was removed, renamed or "
		    "replaced; stopped, so that nothing more is written to "
		    "files nobody will find"), opts->dir);
		goto out;
	}
	r = 0;
out:
	/* Before ready, the starter waits for our word: give it the error. */
	if (r != 0 && !ready && opts->ready_fd != -1) {
		if (write(opts->ready_fd, err->data, err->len) == -1)
			log_warn(_("cannot tell the starter why: %s"),
			    strerror(errno));
		close(opts->ready_fd);
	}
	if (srv.listen_fd != -1)
		listen_close(&srv);
	if (srv.store != NULL)
		cmd_page_stop(srv.store);
	if (srv.store != NULL)
		store_close(srv.store);
	if (srv.schema != NULL)
		schema_free(srv.schema);
	if (srv.pid_fd != -1)
		close(srv.pid_fd);
	free(srv.login);
	pthread_cond_destroy(&srv.gone);
	pthread_mutex_destroy(&srv.lock);
	if (r == 0)
		log_info("%s", _("stopped"));
	return (r);
}

/* 1 if the folder holds anything but the lock file: a database is there. */
static int
dir_has_data(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 r = 0;

	if ((d = opendir(dir)) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, "clerkd.pid") != 0) {
			r = 1;
			break;
		}
	}
	closedir(d);
	return (r);
}

/*
 * The first administrator of --init, told apart from one who was there
 * already or who could not be made one: access_init() alone does not
 * say, and sessions are what the access layer shows of operators.
 */
static int
init_admin(struct server *srv, const char *admin, struct buf *done,
    struct buf *notes, struct buf *err)
{
	struct session	*s = NULL;
	struct buf	 why = BUF_INIT;

	if (access_login_valid(admin, err) != 0)
		return (-1);
	if (access_session_open(srv->store, admin, &s, &why) == 0) {
		buf_printf(notes, access_is_admin(s) ?
		    _("'%s' is an administrator already\n") :
		    _("'%s' is an operator already, not an administrator\n"),
		    admin);
		access_session_free(s);
		buf_release(&why);
		return (0);
	}
	buf_release(&why);
	if (access_init(srv->store, admin, err) != 0)
		return (-1);
	if (access_session_open(srv->store, admin, &s, &why) == 0) {
		buf_printf(done, _("registered '%s' as the first "
		    "administrator\n"), admin);
		access_session_free(s);
	} else
		buf_printf(notes, _("'%s' was not registered: the database "
		    "has operators already (an administrator adds others with "
		    "'clerk admin user add')\n"), admin);
	buf_release(&why);
	return (0);
}

int
server_init(const struct server_options *opts, struct buf *done,
    struct buf *notes, struct buf *err)
{
	struct server_options	 o = *opts;
	struct server		 srv;
	int			 existed, r = -1;

	/* The admin is seen to here, to say what became of it. */
	o.admin = NULL;
	memset(&srv, 0, sizeof srv);
	srv.init = 1;
	srv.opts = &o;
	srv.listen_fd = -1;
	srv.pid_fd = -1;
	srv.uid = geteuid();
	if ((srv.login = uid_login(srv.uid)) == NULL) {
		buf_error(err, _("uid %ld has no login name"),
		    (long)srv.uid);
		goto out;
	}
	if (make_dirs(o.dir, 0700, err) != 0)
		goto out;
	if ((r = pid_lock(&srv, 1, err)) != 0) {
		if (r == 1) {
			/* It opened the database: it is there. */
			buf_printf(notes, _("%s; the database is in place\n"),
			    err->data);
			buf_reset(err);
			r = 0;
		}
		goto out;
	}
	r = -1;
	existed = dir_has_data(o.dir);
	if (open_store(&srv, err) != 0)
		goto out;
	if (existed)
		buf_printf(notes, _("the database '%s' is in place\n"), o.dir);
	else
		buf_printf(done, _("created the database in '%s'\n"), o.dir);
	if (opts->admin != NULL && !opts->personal &&
	    init_admin(&srv, opts->admin, done, notes, err) != 0)
		goto out;
	if (opts->admin == NULL && !opts->personal &&
	    creator_admin(&srv, done, notes, err) != 0)
		goto out;
	r = 0;
out:
	if (srv.store != NULL)
		store_close(srv.store);
	if (srv.schema != NULL)
		schema_free(srv.schema);
	if (srv.pid_fd != -1)
		close(srv.pid_fd);
	free(srv.login);
	return (r);
}
