/*
 * clerk.c: main of the command line.  Parses the global options, sends
 * the verb and its arguments to the server (started on demand), prints
 * what comes back and exits with its status: 0 ok, 1 failed, 2 usage.
 * A client: must never include a server-side layer (store, access, cmd)
 * or Berkeley DB; it knows the verbs only by name.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/client.h"
#include "proto/proto.h"
#include "tui/tui.h"

/*
 * Verbs that read a file of the client's: its bytes go along as the
 * request's bulk data, since the server (perhaps another user's, in
 * shared mode) may not read the client's files.  This is all the
 * client knows of verbs: which positional argument is the file, and
 * which options take a value (to count positional arguments right).
 */
struct file_verb {
	const char	*verb;
	int		 arg;		/* 0-based among positional ones */
	const char	*valopts[4];	/* NULL-terminated */
};
static const struct file_verb file_verbs[] = {
	{ "import", 1, { "encoding", NULL } },
};

/* The index in argv of the file argument of verb, or -1. */
static int
file_arg(const char *verb, int argc, char **argv)
{
	const struct file_verb	*fv = NULL;
	size_t			 i, k;
	int			 a, pos = 0, opts = 1;

	for (i = 0; i < nitems(file_verbs); i++)
		if (strcmp(file_verbs[i].verb, verb) == 0)
			fv = &file_verbs[i];
	if (fv == NULL)
		return (-1);
	for (a = 0; a < argc; a++) {
		if (opts && strcmp(argv[a], "--") == 0) {
			opts = 0;
			continue;
		}
		if (opts && strncmp(argv[a], "--", 2) == 0) {
			if (strchr(argv[a], '=') != NULL)
				continue;
			for (k = 0; fv->valopts[k] != NULL; k++)
				if (strcmp(argv[a] + 2, fv->valopts[k]) == 0)
					a++;
			continue;
		}
		if (pos++ == fv->arg)
			return (a);
	}
	return (-1);
}

/*
 * The whole of a file ("-" for standard input) into out: 0, -1 with
 * errno, or 1 when it has more than max bytes (*size its size, or 0
 * when not known: a pipe), found before it is read where its size is
 * known, and else after max + 1 bytes: a file too big to send is not
 * read into memory.
 */
static int
read_file(const char *path, struct buf *out, size_t max, off_t *size)
{
	struct stat	 sb;
	ssize_t		 n = 0;
	size_t		 want;
	int		 fd, saved, big = 0;

	*size = 0;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (fd != STDIN_FILENO)
			close(fd);
		errno = EISDIR;
		return (-1);
	}
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
		if ((uintmax_t)sb.st_size > max) {
			*size = sb.st_size;
			big = 1;
		} else
			buf_grow(out, (size_t)sb.st_size);
	}
	while (!big) {
		buf_grow(out, 65536);
		want = out->alloc - out->len - 1;
		if (out->len + want > max + 1)
			want = max + 1 - out->len;
		n = read(fd, out->data + out->len, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		big = out->len > max;
	}
	saved = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	errno = saved;
	if (big)
		return (1);
	return (n == -1 ? -1 : 0);
}

/*
 * Progress on a terminal: one line on standard error, rewritten in
 * place at most a few times a second, and wiped before the answer.
 */
#define PROGRESS_EVERY	200000000	/* ns */

struct progress {
	const char	*file;
	uint64_t	 last;
	int		 shown;
};

static void
progress_sent(uint64_t done, uint64_t total, void *arg)
{
	struct progress	*p = arg;
	uint64_t	 now = clock_monotonic_ns();
	char		 d[32], t[32];

	if (done < total && p->last != 0 && now - p->last < PROGRESS_EVERY)
		return;
	p->last = now;
	p->shown = 1;
	/* Megabytes to a tenth, in whole numbers. */
	snprintf(d, sizeof d, "%llu.%llu", (unsigned long long)(done >> 20),
	    (unsigned long long)((done * 10 >> 20) % 10));
	snprintf(t, sizeof t, "%llu.%llu", (unsigned long long)(total >> 20),
	    (unsigned long long)((total * 10 >> 20) % 10));
	fputs("\rclerk: ", stderr);
	if (p->file != NULL)
		fprintf(stderr, _("sending '%s': %s of %s MB"), p->file, d, t);
	else
		fprintf(stderr, _("sending the request: %s of %s MB"), d, t);
	fputs("\033[K", stderr);
	fflush(stderr);
}

static void
progress_note(const char *text, void *arg)
{
	struct progress	*p = arg;

	p->shown = 1;
	fprintf(stderr, "\rclerk: %s\033[K", text);
	fflush(stderr);
}

static void
progress_end(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}

static int
write_out(const char *p, size_t len);

/* A message on standard error, after the program's name. */
static void PRINTFLIKE(1, 2)
say(const char *fmt, ...)
{
	va_list	ap;

	fputs("clerk: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Output that comes ahead of the response (export, page by page). */
static int
output_part(const char *p, size_t len, void *arg)
{
	progress_end(arg);
	return (write_out(p, len));
}

static void
usage(FILE *f)
{
	fputs(_("usage: clerk [--personal] [-d DIR] [-S SOCKET] COMMAND "
	    "[ARGUMENTS]\n"
	    "       clerk help [COMMAND]   (lists the commands)\n"
	    "       clerk admin setup-shared [--admin LOGIN]   (as root)\n"
	    "       clerk --version\n"), f);
}

static int
write_out(const char *p, size_t len)
{
	if (len > 0 && fwrite(p, 1, len, stdout) != len)
		return (-1);
	return (fflush(stdout) == 0 ? 0 : -1);
}

/* Usage lines: "usage: clerk X", then "       clerk Y" under it. */
static void
print_usage(const char *u)
{
	const char	*nl, *word = _("usage:");
	int		 first = 1, pad;

	/* The lines under the first start where its "clerk" does. */
	pad = (int)utf8_width(word, strlen(word));
	while (*u != '\0') {
		nl = strchr(u, '\n');
		fprintf(stderr, "%*s clerk %.*s\n", first ? 0 : pad,
		    first ? word : "",
		    (int)(nl != NULL ? nl - u : (ptrdiff_t)strlen(u)), u);
		first = 0;
		if (nl == NULL)
			break;
		u = nl + 1;
	}
}

/*
 * "admin setup-shared [--admin LOGIN]": done here, by root, before any
 * server is reached (there is none yet the first time); the work is in
 * client_setup_shared().  --user is for tests only.
 */
static int
setup_shared(int argc, char **argv, const struct client_options *o)
{
	static const char *const names[] = { "admin", "user" };
	struct client_setup	 cs;
	struct buf		 out = BUF_INIT, err = BUF_INIT;
	const char		*val[2] = { NULL, NULL }, *eq;
	size_t			 j, len;
	int			 i, r;

	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0)
			goto usage;
		eq = strchr(argv[i], '=');
		len = eq != NULL ? (size_t)(eq - argv[i] - 2) :
		    strlen(argv[i] + 2);
		for (j = 0; j < nitems(names); j++)
			if (strlen(names[j]) == len &&
			    strncmp(argv[i] + 2, names[j], len) == 0)
				break;
		if (j == nitems(names) || (eq == NULL && i + 1 == argc))
			goto usage;
		val[j] = eq != NULL ? eq + 1 : argv[++i];
	}
	memset(&cs, 0, sizeof cs);
	cs.admin = val[0];
	cs.user = val[1];
	cs.clerkd = o->clerkd;
	if ((r = client_setup_shared(&cs, &out, &err)) != 0)
		say("%s", err.data);
	else if (write_out(out.data, out.len) != 0) {
		say(_("cannot write the output: %s"), strerror(errno));
		r = -1;
	}
	buf_release(&out);
	buf_release(&err);
	return (r == 0 ? 0 : 1);
usage:
	print_usage("admin setup-shared [--admin LOGIN]");
	return (2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "personal", no_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		/* Hidden, for tests. */
		{ "protocol-version", required_argument, NULL, 'P' },
		{ "stop-mid-request", no_argument, NULL, 'T' },
		/* Hidden: the TUI's headless mode (tests, benchmarks). */
		{ "headless", required_argument, NULL, 'H' },
		{ "keys", required_argument, NULL, 'K' },
		{ "dump", required_argument, NULL, 'U' },
		{ "key-stats", required_argument, NULL, 'k' },
		{ "tui-keys-man", no_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 }
	};
	struct client_options	 o;
	struct tui_options	 to;
	struct client		*c;
	struct client_hooks	 hooks;
	struct progress		 prog;
	struct proto_response	 resp;
	struct buf		 err = BUF_INIT, bulk = BUF_INIT;
	const char		*s;
	size_t			 i;
	off_t			 size;
	int			 ch, status, fa, r;

	setlocale(LC_ALL, "");
	/* CLERK_LOCALEDIR: tests read the translations before install. */
	bindtextdomain("clerk", (s = getenv("CLERK_LOCALEDIR")) != NULL &&
	    *s != '\0' ? s : LOCALEDIR);
	textdomain("clerk");

	memset(&o, 0, sizeof o);
	memset(&to, 0, sizeof to);
	/* "+": options end at the command; its own options are its own. */
	while ((ch = getopt_long(argc, argv, "+d:S:Vh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			o.dir = optarg;
			break;
		case 'S':
			o.socket = optarg;
			break;
		case 'p':
			o.personal = 1;
			break;
		case 'P':
			o.protocol = strtoll(optarg, NULL, 10);
			break;
		case 'T':
			o.stop_mid_request = 1;
			break;
		case 'H':
			if (tui_parse_size(optarg, &to.cols, &to.rows) != 0) {
				fprintf(stderr, "clerk: bad --headless '%s': "
				    "give COLSxROWS, e.g. 80x24\n", optarg);
				return (2);
			}
			to.headless = 1;
			break;
		case 'K':
			to.keys = optarg;
			break;
		case 'U':
			to.dump = optarg;
			break;
		case 'k':
			to.stats = optarg;
			break;
		case 'M':
			/* The key list of clerk(1), from the command table. */
			tui_keys_man(&bulk);
			fputs(bulk.data, stdout);
			buf_release(&bulk);
			return (0);
		case 'V':
			printf(_("clerk %s (protocol %d)\n"), PACKAGE_VERSION,
			    PROTO_VERSION);
			return (0);
		case 'h':
			usage(stdout);
			return (0);
		default:
			usage(stderr);
			return (2);
		}
	}
	argc -= optind;
	argv += optind;
	if (o.personal && o.socket != NULL) {
		say(_("--personal and -S exclude each other"));
		return (2);
	}
	if (argc >= 2 && strcmp(argv[0], "admin") == 0 &&
	    strcmp(argv[1], "setup-shared") == 0)
		return (setup_shared(argc - 2, argv + 2, &o));
	if (argc == 0 || to.headless) {
		/* No command: the terminal interface. */
		to.client = &o;
		return (tui_main(&to));
	}

	memset(&prog, 0, sizeof prog);
	if ((fa = file_arg(argv[0], argc - 1, argv + 1)) != -1) {
		prog.file = argv[1 + fa];
		/* The file goes in one message, with room for the rest. */
		r = read_file(prog.file, &bulk, PROTO_MAX_FRAME - (1u << 20),
		    &size);
		if (r == -1)
			say(_("cannot read '%s': %s"), prog.file,
			    strerror(errno));
		else if (r == 1 && size > 0)
			say(_("'%s' is %ju MB; one request takes at most %u "
			    "MB: split the file"), prog.file,
			    (uintmax_t)size >> 20, (PROTO_MAX_FRAME >> 20) - 1);
		else if (r == 1)
			say(_("'%s' is more than %u MB; one request takes at "
			    "most that: split the file"), prog.file,
			    (PROTO_MAX_FRAME >> 20) - 1);
		if (r != 0) {
			buf_release(&bulk);
			return (1);
		}
	}

	if (client_open(&c, &o, &err) != 0) {
		say("%s", err.data);
		buf_release(&err);
		buf_release(&bulk);
		return (1);
	}
	memset(&hooks, 0, sizeof hooks);
	hooks.arg = &prog;
	hooks.part = output_part;
	if (isatty(STDERR_FILENO)) {
		hooks.sent = progress_sent;
		hooks.note = progress_note;
	}
	client_set_hooks(c, &hooks);
	if (client_call(c, argv[0], argc - 1, argv + 1, fa != -1 ?
	    bulk.data : NULL, bulk.len, &resp, &err) != 0) {
		progress_end(&prog);
		say("%s", err.data);
		proto_response_release(&resp);
		client_close(c);
		buf_release(&err);
		buf_release(&bulk);
		return (1);
	}
	progress_end(&prog);
	client_close(c);
	buf_release(&err);
	buf_release(&bulk);

	status = (int)resp.status;
	if (status < 0 || status > 2)
		status = 1;
	if (write_out(resp.out.data, resp.out.len) != 0) {
		say(_("cannot write the output: %s"), strerror(errno));
		status = 1;
	}
	/* The server knows its verbs; the options before them are ours. */
	if (status == 0 && argc == 1 && strcmp(argv[0], "help") == 0)
		fputs(_("\nOptions before the command:\n"
		    "  -d DIR, --dir DIR\n"
		    "    the database folder and its personal server (also "
		    "CLERK_DIR)\n"
		    "  -S PATH, --socket PATH\n"
		    "    the socket of a server to use, such as an office "
		    "server's (also CLERK_SOCKET)\n"
		    "  --personal\n"
		    "    the personal server, even where an office server "
		    "runs\n"
		    "  --version\n"
		    "    the versions of clerk and of its protocol\n"), stdout);
	for (i = 0; i < resp.nwarnings; i++)
		say(_("warning: %s"), resp.warnings[i]);
	if (resp.error != NULL && *resp.error != '\0')
		say("%s", resp.error);
	if (resp.usage != NULL && *resp.usage != '\0')
		print_usage(resp.usage);
	proto_response_release(&resp);
	return (status);
}
