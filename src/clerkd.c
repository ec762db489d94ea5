/*
 * clerkd.c: main of the server.  Parses options, prepares a system
 * service (--system: its folders, then no more root), becomes a daemon
 * (the starting process waits until the server listens, so whoever
 * started it, a person, a clerk client, an init script or systemd,
 * learns of success or of the reason it failed), and runs server_run(),
 * or only server_init() for --init.  All the work is in src/server.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "proto/proto.h"
#include "store/store.h"
#include "server/server.h"

#define PERSONAL_IDLE	600
#define SYSTEM_DIR	"/var/lib/clerk"
#define SYSTEM_SOCKET	"/run/clerk/clerk.sock"
#define SYSTEM_USER	"clerk"

/* A message on standard error, after the program's name. */
static void PRINTFLIKE(1, 2)
say(const char *fmt, ...)
{
	va_list	ap;

	fputs("clerkd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The usage: asked for (--help) on standard output and status 0, as
 * clerk does; after a mistake on standard error and status 2. */
static NORETURN void
usage(int asked)
{
	fputs(_("usage: clerkd [--personal | --system [--user LOGIN]] "
	    "[--init] [--foreground]\n"
	    "              [--verbose] [--dir DIR] [--socket PATH] "
	    "[--forms DIR]\n"
	    "              [--idle SECONDS] [--cache MB] [--admin LOGIN]\n"),
	    asked ? stdout : stderr);
	exit(asked ? 0 : 2);
}

/* A whole number of s, or exit 2 with bad (a message with one %s, the
 * text): each option names itself in a sentence of its own. */
static int
number(const char *bad, const char *s)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < 0 ||
	    v > 1000000000) {
		say(bad, s);
		exit(2);
	}
	return ((int)v);
}

/*
 * Who started clerkd, for the first administrator of a database that
 * has none and no --admin (DESIGN: the creator of a database
 * administers it): under sudo the user who ran sudo, else the real
 * uid's login.  A server started as its own service user (systemd's
 * User=) was started by no person: root administers it then.  Taken
 * before --system gives up root.  NULL when there is none.  Kept in a
 * static buffer: the parent of the daemon exits in daemonise() while
 * the server it leaves needs it (a copy of the heap was reported as a
 * leak of every start by the sanitizer build).
 */
static const char *
creator(const char *service)
{
	static char	 who[256];
	struct passwd	*pw;
	struct buf	 err = BUF_INIT;
	const char	*s, *r = NULL;

	if (getuid() == 0 && (s = getenv("SUDO_USER")) != NULL &&
	    getpwnam(s) != NULL && access_login_valid(s, &err) == 0)
		r = s;
	else if ((pw = getpwuid(getuid())) != NULL) {
		if (service != NULL && strcmp(pw->pw_name, service) == 0)
			r = "root";
		else if (access_login_valid(pw->pw_name, &err) == 0)
			r = pw->pw_name;
	}
	buf_release(&err);
	if (r == NULL || strlen(r) >= sizeof(who))
		return (NULL);
	memcpy(who, r, strlen(r) + 1);
	return (who);
}

/*
 * Daemonise: the parent waits on a pipe for "ready\n" from the daemon
 * (or its error text, or EOF if it died) and exits 0 or 1 accordingly.
 * Returns the write end of the pipe in the daemon.
 */
static int
daemonise(void)
{
	int		 p[2], fd, status;
	pid_t		 pid;
	char		 b[4096];
	const char	*s;
	ssize_t		 n;
	size_t		 got = 0;

	if (pipe2(p, O_CLOEXEC) == -1) {
		say("pipe: %s", strerror(errno));
		exit(1);
	}
	if ((pid = fork()) == -1) {
		say("fork: %s", strerror(errno));
		exit(1);
	}
	if (pid != 0) {
		close(p[1]);
		while (got < sizeof b - 1) {
			n = read(p[0], b + got, sizeof b - 1 - got);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += n;
		}
		b[got] = '\0';
		waitpid(pid, &status, 0);
		if (strcmp(b, "ready\n") == 0)
			exit(0);
		if (got > 0)
			say("%s", b);
		else
			say(_("the server exited before it was ready"));
		exit(1);
	}
	close(p[0]);
	/* Nothing of the starter's but the pipe: a descriptor it meant
	 * for itself (a shell's, make's) must not stay open for as long as
	 * the server lives. */
	if (p[1] > 3)
		close_range(3, p[1] - 1, 0);
	close_range(p[1] + 1, ~0U, 0);
	setsid();
	if ((pid = fork()) == -1)
		_exit(1);
	if (pid != 0)
		_exit(0);	/* the daemon is no session leader: no tty */
	/* Let go of the starter's terminal and pipes at once, so a
	 * "clerk list | less" does not wait for the server to exit. */
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	/*
	 * For the tests of a sanitizer build: the undefined-behaviour
	 * sanitizer writes to standard error whatever log_path says (GCC
	 * 12 with the address sanitizer), so a daemon's reports were lost
	 * and a server that died of one only showed as a closed connection.
	 */
	if ((s = getenv("CLERK_DAEMON_STDERR")) != NULL && *s == '/' &&
	    (fd = open(s, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) != -1) {
		dup2(fd, 2);
		close(fd);
	}
	if (chdir("/") == -1)
		_exit(1);
	return (p[1]);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "personal", no_argument, NULL, 'p' },
		{ "system", no_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "init", no_argument, NULL, 'I' },
		{ "admin", required_argument, NULL, 'a' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "dir", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 'S' },
		{ "forms", required_argument, NULL, 'F' },
		{ "idle", required_argument, NULL, 'i' },
		{ "cache", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "protocol-version", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	struct server_options	 opts;
	struct buf		 err = BUF_INIT, changes = BUF_INIT;
	struct buf		 done = BUF_INIT, notes = BUF_INIT;
	sigset_t		 block;
	const char		*s, *user = NULL;
	char			*line, *next;
	int			 c, foreground = 0, idle = -1, r;
	int64_t			 cache = -1;
	int			 verbose = 0, sys = 0, init = 0;

	setlocale(LC_ALL, "");
	/* CLERK_LOCALEDIR: tests read the translations before install. */
	bindtextdomain("clerk", (s = getenv("CLERK_LOCALEDIR")) != NULL &&
	    *s != '\0' ? s : LOCALEDIR);

	memset(&opts, 0, sizeof opts);
	opts.ready_fd = -1;
	while ((c = getopt_long(argc, argv, "pa:fd:S:F:i:c:vVh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'p':
			opts.personal = 1;
			break;
		case 's':
			sys = 1;
			break;
		case 'u':
			user = optarg;
			break;
		case 'I':
			init = 1;
			break;
		case 'a':
			opts.admin = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'd':
			opts.dir = optarg;
			break;
		case 'S':
			opts.socket = optarg;
			break;
		case 'F':
			opts.forms = optarg;
			break;
		case 'i':
			idle = number(_("bad idle time '%s': expected "
			    "seconds, a whole number"), optarg);
			break;
		case 'c':
			cache = number(_("bad cache size '%s': expected "
			    "megabytes, a whole number"), optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'P':
			/* Hidden: tests of the version handshake. */
			opts.protocol = number(_("bad protocol version '%s': "
			    "expected a whole number"), optarg);
			break;
		case 'V':
			printf(_("clerkd %s (protocol %d)\n"), PACKAGE_VERSION,
			    PROTO_VERSION);
			return (0);
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (optind != argc)
		usage(0);
	if (opts.personal && sys) {
		say(_("--personal and --system exclude each other"));
		return (2);
	}
	if (user != NULL && !sys) {
		say(_("--user goes with --system"));
		return (2);
	}
	if (opts.personal && (opts.dir == NULL || opts.socket == NULL)) {
		say(_("--personal needs --dir and --socket (clerk starts it "
		    "so)"));
		return (2);
	}
	if (opts.dir == NULL)
		opts.dir = SYSTEM_DIR;
	if (opts.socket == NULL)
		opts.socket = SYSTEM_SOCKET;
	if (opts.forms == NULL)
		opts.forms = (s = getenv("CLERK_FORMS")) != NULL && *s ?
		    s : FORMSDIR;
	if (idle < 0 && opts.personal)
		idle = (s = getenv("CLERK_IDLE")) != NULL && *s ?
		    number(_("bad CLERK_IDLE '%s': expected seconds, a whole "
		    "number"), s) : PERSONAL_IDLE;
	opts.idle = idle < 0 ? 0 : idle;
	if (cache < 0)
		cache = (s = getenv("CLERK_CACHE_MB")) != NULL && *s ?
		    number(_("bad CLERK_CACHE_MB '%s': expected megabytes, a "
		    "whole number"), s) : 0;
	if (cache != 0 && cache < STORE_CACHE_MIN) {
		say(_("the cache must be at least %d MB"), STORE_CACHE_MIN);
		return (2);
	}
	opts.cache_mb = (size_t)cache;
	if (opts.dir[0] != '/' || opts.socket[0] != '/' ||
	    opts.forms[0] != '/') {
		/* The daemon changes to /: relative paths would move. */
		say(_("--dir, --socket and --forms must be absolute paths"));
		return (2);
	}

	if (!opts.personal)
		opts.creator = creator(sys ? (user != NULL ? user :
		    SYSTEM_USER) : NULL);

	umask(077);
	/* Before the daemon forks, so a refusal reaches the terminal. */
	if (sys && server_system_prepare(user != NULL ? user : SYSTEM_USER,
	    opts.dir, opts.socket, &changes, &err) != 0) {
		say("%s", err.data);
		buf_release(&changes);
		buf_release(&err);
		return (1);
	}
	if (init) {
		/* clerk admin setup-shared reads what was done on standard
		 * output, and what was not on standard error. */
		server_log_stderr();
		r = server_init(&opts, &done, &notes, &err);
		fputs(changes.data, stdout);
		fputs(done.data, stdout);
		fflush(stdout);
		fputs(notes.data, stderr);
		if (r != 0)
			say("%s", err.data);
		buf_release(&changes);
		buf_release(&done);
		buf_release(&notes);
		buf_release(&err);
		return (r == 0 ? 0 : 1);
	}
	if (!foreground) {
		opts.ready_fd = daemonise();
		server_log_syslog();
	} else
		server_log_stderr();
	log_set_level(verbose ? LOG_DEBUG : LOG_INFO);
	for (line = changes.data; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next != '\0')
			*next++ = '\0';
		log_info("%s", line);
	}
	buf_release(&changes);
	/* Every thread inherits this; the server takes the signals only
	 * in its main loop. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, NULL);

	r = server_run(&opts, &err);
	if (r != 0) {
		if (foreground)
			say("%s", err.data);
		else
			log_msg(LOG_ERR, "%s", err.data);
	}
	buf_release(&err);
	return (r == 0 ? 0 : 1);
}
