/*
 * client-lines: a long-lived client for the CLI tests.  Opens one
 * connection (the options of clerk: -d DIR, -S SOCKET, from the
 * environment otherwise) and runs a verb per line of standard input,
 * words separated by blanks, on that same connection, as the terminal
 * interface will.  After each it writes its output, then "error: ..."
 * when there is one, then "status N" (N = -1 when the connection
 * failed), and flushes, so a test can wait for each answer.  Exits 1
 * when the connection cannot be opened or fails.  A test tool only:
 * never installed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/client.h"
#include "proto/proto.h"

#define MAXWORDS	64

int
main(int argc, char **argv)
{
	struct client_options	 o;
	struct client		*c;
	struct proto_response	 resp;
	struct buf		 err = BUF_INIT;
	char			*line = NULL, *words[MAXWORDS], *w, *save;
	size_t			 cap = 0;
	int			 ch, n, r = 0;

	memset(&o, 0, sizeof o);
	while ((ch = getopt(argc, argv, "d:S:")) != -1) {
		switch (ch) {
		case 'd':
			o.dir = optarg;
			break;
		case 'S':
			o.socket = optarg;
			break;
		default:
			fprintf(stderr, "usage: client-lines [-d DIR] "
			    "[-S SOCKET] <commands\n");
			return (2);
		}
	}
	if (client_open(&c, &o, &err) != 0) {
		printf("error: %s\nstatus -1\n", err.data);
		buf_release(&err);
		return (1);
	}
	printf("connected as %s\n", client_login(c));
	fflush(stdout);
	while (getline(&line, &cap, stdin) != -1) {
		n = 0;
		for (w = strtok_r(line, " \t\n", &save); w != NULL &&
		    n < MAXWORDS; w = strtok_r(NULL, " \t\n", &save))
			words[n++] = w;
		if (n == 0)
			continue;
		if (client_call(c, words[0], n - 1, words + 1, NULL, 0, &resp,
		    &err) != 0) {
			printf("error: %s\nstatus -1\n", err.data);
			proto_response_release(&resp);
			r = 1;
			break;
		}
		fwrite(resp.out.data, 1, resp.out.len, stdout);
		if (resp.error != NULL && *resp.error != '\0')
			printf("error: %s\n", resp.error);
		printf("status %d\n", (int)resp.status);
		fflush(stdout);
		proto_response_release(&resp);
	}
	fflush(stdout);
	free(line);
	client_close(c);
	buf_release(&err);
	return (r);
}
