/*
 * clerk.c: main of the command line.  Parses the global options, sends
 * the verb and its arguments to the server (started on demand), prints
 * what comes back and exits with its status: 0 ok, 1 failed, 2 usage.
 * A client: must never include a server-side layer (store, access, cmd)
 * or Berkeley DB; it knows the verbs only by name.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/client.h"
#include "proto/proto.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: clerk [--personal] [-d DIR] [-S SOCKET] COMMAND "
	    "[ARGUMENTS]\n"
	    "       clerk help      (lists the commands)\n"
	    "       clerk admin setup-shared [--admin LOGIN]   (as root)\n"
	    "       clerk --version\n");
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
	const char	*nl;
	int		 first = 1;

	while (*u != '\0') {
		nl = strchr(u, '\n');
		fprintf(stderr, "%s clerk %.*s\n", first ? "usage:" : "      ",
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
		fprintf(stderr, "clerk: %s\n", err.data);
	else if (write_out(out.data, out.len) != 0) {
		fprintf(stderr, "clerk: cannot write the output: %s\n",
		    strerror(errno));
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
		{ NULL, 0, NULL, 0 }
	};
	struct client_options	 o;
	struct client		*c;
	struct proto_response	 resp;
	struct buf		 err = BUF_INIT;
	size_t			 i;
	int			 ch, status;

	setlocale(LC_ALL, "");
	bindtextdomain("clerk", LOCALEDIR);
	textdomain("clerk");

	memset(&o, 0, sizeof o);
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
		case 'V':
			printf("clerk %s (protocol %d)\n", PACKAGE_VERSION,
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
		fprintf(stderr, "clerk: --personal and -S exclude each other\n");
		return (2);
	}
	if (argc >= 2 && strcmp(argv[0], "admin") == 0 &&
	    strcmp(argv[1], "setup-shared") == 0)
		return (setup_shared(argc - 2, argv + 2, &o));
	if (argc == 0) {
		fprintf(stderr, "clerk: the terminal interface is not there "
		    "yet; 'clerk help' lists the commands\n");
		return (1);
	}

	if (client_open(&c, &o, &err) != 0) {
		fprintf(stderr, "clerk: %s\n", err.data);
		buf_release(&err);
		return (1);
	}
	if (client_call(c, argv[0], argc - 1, argv + 1, NULL, 0, &resp,
	    &err) != 0) {
		fprintf(stderr, "clerk: %s\n", err.data);
		proto_response_release(&resp);
		client_close(c);
		buf_release(&err);
		return (1);
	}
	client_close(c);
	buf_release(&err);

	status = (int)resp.status;
	if (status < 0 || status > 2)
		status = 1;
	if (write_out(resp.out.data, resp.out.len) != 0) {
		fprintf(stderr, "clerk: cannot write the output: %s\n",
		    strerror(errno));
		status = 1;
	}
	for (i = 0; i < resp.nwarnings; i++)
		fprintf(stderr, "clerk: warning: %s\n", resp.warnings[i]);
	if (resp.error != NULL && *resp.error != '\0')
		fprintf(stderr, "clerk: %s\n", resp.error);
	if (resp.usage != NULL && *resp.usage != '\0')
		print_usage(resp.usage);
	proto_response_release(&resp);
	return (status);
}
