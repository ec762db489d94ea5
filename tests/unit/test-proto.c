/*
 * test-proto.c: the wire protocol: items round-trip, malformed and cut
 * payloads are refused with a message (never read past the end), frames
 * over a socket pair including the size limit, and the messages.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/proto.h"
#include "tap.h"

/* The condition runs before the message's err.data is read. */
#define ok_err(cond, ...) do {						\
	int c_ = (cond);						\
	ok(c_, __VA_ARGS__);						\
} while (0)

static void
test_items(void)
{
	struct buf		 b = BUF_INIT, err = BUF_INIT;
	struct proto_reader	 r;
	int64_t			 v;
	const char		*s;
	char			*cs;
	size_t			 len, cut;
	uint32_t		 n;

	proto_put_int(&b, -5);
	proto_put_int(&b, INT64_MAX);
	proto_put_cstr(&b, "Иванов");
	proto_put_str(&b, "a\0b", 3);
	proto_put_list(&b, 2);
	proto_put_int(&b, 1);
	proto_put_cstr(&b, "x");

	proto_reader_init(&r, b.data, b.len);
	ok(proto_get_int(&r, &v, &err) == 0 && v == -5, "negative int");
	ok(proto_get_int(&r, &v, &err) == 0 && v == INT64_MAX, "max int");
	ok(proto_get_str(&r, &cs, &err) == 0 && strcmp(cs, "Иванов") == 0,
	    "utf-8 string");
	free(cs);
	{
		size_t at = r.off;

		ok_err(proto_get_str(&r, &cs, &err) == -1 &&
		    strstr(err.data, "NUL") != NULL && r.off == at,
		    "a string with a NUL is refused as a C string: %s",
		    err.data);
	}
	ok(proto_get_bytes(&r, &s, &len, &err) == 0 && len == 3 &&
	    memcmp(s, "a\0b", 3) == 0, "but read as bytes");
	ok(proto_get_list(&r, &n, &err) == 0 && n == 2, "list header");
	ok_err(proto_get_str(&r, &cs, &err) == -1 &&
	    strstr(err.data, "expected a string") != NULL,
	    "wrong type named: %s", err.data);
	ok(proto_skip(&r, &err) == 0 && proto_skip(&r, &err) == 0 &&
	    proto_at_end(&r), "skip both items to the end");
	ok_err(proto_get_int(&r, &v, &err) == -1 &&
	    strstr(err.data, "found the end") != NULL, "reading past the end: %s",
	    err.data);

	/*
	 * Every cut of the payload either ends at an item boundary (a
	 * shorter valid payload) or is refused; never read past the end
	 * (the copy is exactly cut bytes, so ASan would see it).
	 */
	{
		size_t	bounds[16], nb = 0, k, wrong = 0;
		int	failed, boundary;

		proto_reader_init(&r, b.data, b.len);
		bounds[nb++] = 0;
		while (!proto_at_end(&r) && proto_skip(&r, &err) == 0)
			bounds[nb++] = r.off;
		for (cut = 0; cut < b.len; cut++) {
			char *copy = xmalloc(cut + 1);

			memcpy(copy, b.data, cut);
			proto_reader_init(&r, copy, cut);
			failed = 0;
			while (!proto_at_end(&r))
				if (proto_skip(&r, &err) != 0) {
					failed = 1;
					break;
				}
			for (boundary = 0, k = 0; k < nb; k++)
				if (bounds[k] == cut)
					boundary = 1;
			if (failed == boundary)
				wrong++;
			free(copy);
		}
		ok(nb == 6 && wrong == 0, "every cut of the payload parses "
		    "only at an item boundary (%zu wrong)", wrong);
	}

	/* A list claiming more items than bytes is refused up front. */
	buf_reset(&b);
	proto_put_list(&b, 1000000);
	proto_reader_init(&r, b.data, b.len);
	ok_err(proto_get_list(&r, &n, &err) == -1 &&
	    strstr(err.data, "runs past the end") != NULL,
	    "lying list count: %s", err.data);
	/* A string length past the end. */
	buf_reset(&b);
	proto_put_cstr(&b, "hello");
	b.len -= 2;
	proto_reader_init(&r, b.data, b.len);
	ok(proto_get_bytes(&r, &s, &len, &err) == -1, "string cut short");
	/* Deep nesting is skipped without recursion. */
	buf_reset(&b);
	for (n = 0; n < 100000; n++)
		proto_put_list(&b, 1);
	proto_put_int(&b, 7);
	proto_reader_init(&r, b.data, b.len);
	ok(proto_skip(&r, &err) == 0 && proto_at_end(&r),
	    "100000 nested lists skipped");
	buf_release(&b);
	buf_release(&err);
}

static void
test_frames(void)
{
	struct buf	 b = BUF_INIT, err = BUF_INIT, big = BUF_INIT;
	int		 sv[2];
	unsigned char	 hdr[4] = { 0x60, 0, 0, 0 };	/* 1.5 GB */

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		tap_bail("socketpair");
	ok(proto_write_frame(sv[0], "abc", 3, &err) == 0, "write a frame");
	ok(proto_read_frame(sv[1], &b, &err) == 0 && b.len == 3 &&
	    strcmp(b.data, "abc") == 0, "read it back");
	ok(proto_write_frame(sv[0], "", 0, &err) == 0 &&
	    proto_read_frame(sv[1], &b, &err) == 0 && b.len == 0,
	    "empty frame");

	/* Over the limit: the reader refuses before allocating. */
	ok(write(sv[0], hdr, 4) == 4, "send a 1.5 GB header");
	ok_err(proto_read_frame(sv[1], &b, &err) == -1 &&
	    strstr(err.data, "over the limit of 1024 MB") != NULL,
	    "oversized frame refused: %s", err.data);
	/* The length is refused before any byte is read. */
	buf_grow(&big, 16);
	ok_err(proto_write_frame(sv[0], big.data, (size_t)PROTO_MAX_FRAME + 1,
	    &err) == -1 && strstr(err.data, "over the limit") != NULL,
	    "writer refuses too: %s", err.data);

	/* A frame bigger than the socket buffer and the read chunk,
	 * written by another process, arrives whole. */
	{
		size_t	 blen = 3 * 1024 * 1024 + 17, i, bad = 0;
		pid_t	 pid;

		buf_reset(&big);
		for (i = 0; i < blen; i++)
			buf_addch(&big, 'a' + i % 23);
		if ((pid = fork()) == 0) {
			close(sv[1]);
			_exit(proto_write_frame(sv[0], big.data, blen,
			    NULL) == 0 ? 0 : 1);
		}
		ok(proto_read_frame(sv[1], &b, &err) == 0 && b.len == blen,
		    "a 3 MB frame arrives");
		for (i = 0; i < b.len; i++)
			bad += b.data[i] != 'a' + (int)(i % 23);
		ok(bad == 0, "byte for byte");
		waitpid(pid, NULL, 0);
	}

	/* A lower limit, as for a hello. */
	ok(proto_write_frame(sv[0], big.data, 5000, &err) == 0,
	    "send 5000 bytes");
	ok_err(proto_read_frame_max(sv[1], &b, PROTO_MAX_HELLO, &err) == -1 &&
	    strstr(err.data, "over the limit of 4096 bytes") != NULL,
	    "refused under a 4096-byte limit: %s", err.data);
	close(sv[0]);
	close(sv[1]);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		tap_bail("socketpair");

	/* Cut in the middle of a frame, then clean EOF. */
	ok(proto_write_part(sv[0], "abcdef", 6, 7, &err) == 0,
	    "half a frame");
	close(sv[0]);
	ok_err(proto_read_frame(sv[1], &b, &err) == -1 &&
	    strstr(err.data, "middle") != NULL, "EOF mid-frame: %s",
	    err.data);
	ok(proto_read_frame(sv[1], &b, &err) == PROTO_EOF,
	    "then EOF between frames");
	close(sv[1]);

	/* A frame in two parts arrives whole. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		tap_bail("socketpair");
	ok(proto_write_part(sv[0], "0123456789", 10, 6, &err) == 0 &&
	    proto_write_rest(sv[0], "0123456789", 10, 6, &err) == 0 &&
	    proto_read_frame(sv[1], &b, &err) == 0 &&
	    strcmp(b.data, "0123456789") == 0, "part and rest make a frame");
	/* Writing to a closed peer is an error, not SIGPIPE. */
	close(sv[1]);
	ok_err(proto_write_frame(sv[0], "x", 1, &err) == -1,
	    "write to a closed peer fails: %s", err.data);
	close(sv[0]);

	/* A peer that closes with our request unread (a server killed
	 * before it read it) resets the connection: that is its end as
	 * much as a plain close, and is told the same way. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		tap_bail("socketpair");
	ok(proto_write_frame(sv[1], "request", 7, &err) == 0,
	    "a request the peer never reads");
	close(sv[0]);
	ok_err(proto_read_frame(sv[1], &b, &err) == PROTO_EOF,
	    "a reset before the answer is EOF: %s", err.data);
	close(sv[1]);

	buf_release(&b);
	buf_release(&big);
	buf_release(&err);
}

/* Progress of a write: the last (sent, total). */
static void
progress_seen(uint64_t sent, uint64_t total, void *arg)
{
	uint64_t	*seen = arg;

	seen[0] = sent;
	seen[1] = total;
}

static void
test_messages(void)
{
	int			 i_status;
	struct proto_hello	 h, g;
	struct proto_request	 q, p;
	struct proto_response	 s, t;
	struct buf		 b = BUF_INIT, err = BUF_INIT;
	char			*argv[] = { (char *)"party", (char *)"name=ООО Ромашка", NULL };
	char			*env[] = { (char *)"cwd=/tmp", (char *)"lang=ru", NULL };
	char			*warn[] = { (char *)"w1" };

	memset(&h, 0, sizeof h);
	h.server = 1;
	h.protocol = 1;
	h.version = (char *)"0.1.0";
	h.status = 1;
	h.message = (char *)"no";
	h.login = (char *)"alice";
	proto_hello_encode(&h, &b);
	ok(proto_hello_decode(&g, 1, b.data, b.len, &err) == 0 &&
	    g.status == 1 && strcmp(g.message, "no") == 0 &&
	    strcmp(g.login, "alice") == 0, "server hello round trip");
	proto_hello_release(&g);
	ok_err(proto_hello_decode(&g, 0, b.data, b.len, &err) == -1 &&
	    strstr(err.data, "not clerk") != NULL,
	    "a server hello is not a client hello: %s", err.data);

	/* The client's hello carries its locale, for the server's first
	 * words (a refusal) in the client's language; an older client's,
	 * without it, still decodes. */
	memset(&h, 0, sizeof h);
	h.protocol = 1;
	h.version = (char *)"0.1.0";
	h.locale = (char *)"ru_RU.UTF-8";
	proto_hello_encode(&h, &b);
	ok(proto_hello_decode(&g, 0, b.data, b.len, &err) == 0 &&
	    g.locale != NULL && strcmp(g.locale, "ru_RU.UTF-8") == 0,
	    "client hello round trip, with the locale");
	proto_hello_release(&g);
	buf_reset(&b);
	proto_put_cstr(&b, "clerk");
	proto_put_int(&b, 1);
	proto_put_cstr(&b, "0.1.0");
	ok(proto_hello_decode(&g, 0, b.data, b.len, &err) == 0 &&
	    g.locale == NULL, "a client hello without a locale decodes");
	proto_hello_release(&g);

	proto_mismatch_message(&b, "0.1.0", 1, "0.2.0", 2);
	is_str(b.data, "clerk 0.1.0 cannot talk to clerkd 0.2.0 (protocol 1 "
	    "vs 2); restart the server", "mismatch message");

	memset(&q, 0, sizeof q);
	q.verb = (char *)"add";
	q.argv = argv;
	q.argc = 2;
	q.env = env;
	q.nenv = 2;
	q.bulk = "x\0y";
	q.bulklen = 3;
	proto_request_encode(&q, &b);
	ok(proto_request_decode(&p, b.data, b.len, &err) == 0 &&
	    strcmp(p.verb, "add") == 0 && p.argc == 2 &&
	    strcmp(p.argv[1], "name=ООО Ромашка") == 0 && p.argv[2] == NULL &&
	    p.bulklen == 3 && memcmp(p.bulk, "x\0y", 3) == 0,
	    "request round trip");
	is_str(proto_request_env(&p, "lang"), "ru", "request env");
	ok(proto_request_env(&p, "cw") == NULL, "env names match whole");
	proto_request_release(&p);
	/* Trailing items a newer peer added are ignored. */
	proto_put_int(&b, 42);
	ok(proto_request_decode(&p, b.data, b.len, &err) == 0,
	    "a trailing item is ignored");
	proto_request_release(&p);
	ok_err(proto_request_decode(&p, b.data, 10, &err) == -1,
	    "a cut request is refused: %s", err.data);

	/* A big bulk goes out behind its head, not copied: the frame is
	 * the same bytes, and fn hears the progress up to the total. */
	{
		struct buf	 big = BUF_INIT, head = BUF_INIT, whole = BUF_INIT;
		uint64_t	 seen[2] = { 0, 0 };
		size_t		 i, blen = 2 * 1024 * 1024 + 5;
		pid_t		 pid;
		int		 sv[2];

		for (i = 0; i < blen; i++)
			buf_addch(&big, 'a' + i % 19);
		q.bulk = big.data;
		q.bulklen = blen;
		proto_request_encode(&q, &whole);
		proto_request_encode_head(&q, &head);
		ok(head.len + blen == whole.len &&
		    memcmp(head.data, whole.data, head.len) == 0,
		    "the head is the request's start");
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
			tap_bail("socketpair");
		if ((pid = fork()) == 0) {
			close(sv[1]);
			_exit(proto_write_frame_progress(sv[0], head.data,
			    head.len, big.data, blen, progress_seen, seen,
			    NULL) == 0 && seen[0] == seen[1] &&
			    seen[1] == 4 + whole.len ? 0 : 1);
		}
		close(sv[0]);
		ok(proto_read_frame(sv[1], &b, &err) == 0 &&
		    b.len == whole.len &&
		    memcmp(b.data, whole.data, whole.len) == 0,
		    "head and bulk arrive as one frame, byte for byte");
		ok(proto_request_decode(&p, b.data, b.len, &err) == 0 &&
		    p.bulklen == blen && memcmp(p.bulk, big.data, blen) == 0,
		    "and decode to the bulk");
		proto_request_release(&p);
		ok(waitpid(pid, &i_status, 0) == pid && WIFEXITED(i_status) &&
		    WEXITSTATUS(i_status) == 0,
		    "the writer's progress reached the total");
		close(sv[1]);
		buf_release(&big);
		buf_release(&head);
		buf_release(&whole);
	}

	proto_response_init(&s);
	s.status = 2;
	buf_adds(&s.out, "1\n");
	s.warnings = warn;
	s.nwarnings = 1;
	s.error = (char *)"bad";
	s.usage = (char *)"add TABLE";
	proto_response_encode(&s, &b);
	buf_release(&s.out);
	ok(proto_response_decode(&t, b.data, b.len, &err) == 0 &&
	    t.status == 2 && strcmp(t.out.data, "1\n") == 0 &&
	    t.nwarnings == 1 && strcmp(t.warnings[0], "w1") == 0 &&
	    strcmp(t.error, "bad") == 0 && strcmp(t.usage, "add TABLE") == 0,
	    "response round trip");
	proto_response_release(&t);
	buf_release(&b);
	buf_release(&err);
}

int
main(void)
{
	test_items();
	test_frames();
	test_messages();
	return (tap_done());
}
