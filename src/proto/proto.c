/*
 * proto.c: frames on a socket and the item encoding of proto.h, and the
 * four messages built from it.  Owns the byte layout of the wire and the
 * limits on it.  Must not know what a verb means, print, or keep any
 * state between calls (both the server's threads and clients use it).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"

/* Sanity cap on a list's count before anything is allocated for it:
 * every item takes at least one byte, so a count above the bytes left
 * is a lie. */
#define LIST_FITS(r, n) ((uint64_t)(n) <= (r)->len - (r)->off)

static void
put_u32(struct buf *b, uint32_t v)
{
	unsigned char	p[4];

	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	buf_add(b, p, 4);
}

static uint32_t
get_u32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static ssize_t
send_some(int fd, const void *p, size_t len)
{
	ssize_t	n;

	n = send(fd, p, len, MSG_NOSIGNAL);
	if (n == -1 && errno == ENOTSOCK)
		n = write(fd, p, len);
	return (n);
}

static int
write_all(int fd, const void *p, size_t len, struct buf *err)
{
	const char	*s = p;
	ssize_t		 n;

	while (len > 0) {
		n = send_some(fd, s, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (buf_error(err, _("timed out sending to the "
			    "other side (it is stopped or not reading)")));
		if (n == -1)
			return (buf_error(err, _("cannot send: %s"),
			    strerror(errno)));
		s += n;
		len -= n;
	}
	return (0);
}

/* Reads exactly len bytes; returns the count read before EOF (< len at
 * EOF) or -1 with a message.  A reset is an EOF: the peer closed with
 * bytes of ours unread (a server killed before it read a request), and
 * nothing more will come either way. */
static ssize_t
read_all(int fd, void *p, size_t len, struct buf *err)
{
	char	*s = p;
	size_t	 got = 0;
	ssize_t	 n;

	while (got < len) {
		n = read(fd, s + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (buf_error(err, _("timed out waiting for the "
			    "other side")));
		if (n == -1 && errno == ECONNRESET)
			break;
		if (n == -1)
			return (buf_error(err, _("cannot receive: %s"),
			    strerror(errno)));
		if (n == 0)
			break;
		got += n;
	}
	return (got);
}

static int
frame_header(size_t len, unsigned char *hdr, struct buf *err)
{
	if (len > PROTO_MAX_FRAME)
		return (buf_error(err, _("message of %zu bytes is over the "
		    "limit of %u MB"), len, PROTO_MAX_FRAME >> 20));
	hdr[0] = len >> 24;
	hdr[1] = len >> 16;
	hdr[2] = len >> 8;
	hdr[3] = len;
	return (0);
}

int
proto_write_frame(int fd, const void *p, size_t len, struct buf *err)
{
	unsigned char	hdr[4];

	if (frame_header(len, hdr, err) != 0)
		return (-1);
	/* Small frames go out in one send so the peer never sees a bare
	 * header; big ones are not copied. */
	if (len <= 65536) {
		struct buf	b = BUF_INIT;
		int		r;

		buf_add(&b, hdr, 4);
		buf_add(&b, p, len);
		r = write_all(fd, b.data, b.len, err);
		buf_release(&b);
		return (r);
	}
	if (write_all(fd, hdr, 4, err) != 0)
		return (-1);
	return (write_all(fd, p, len, err));
}

int
proto_write_part(int fd, const void *p, size_t len, size_t n,
    struct buf *err)
{
	unsigned char	hdr[4];
	struct buf	b = BUF_INIT;
	int		r;

	if (frame_header(len, hdr, err) != 0)
		return (-1);
	buf_add(&b, hdr, 4);
	buf_add(&b, p, len);
	if (n > b.len)
		n = b.len;
	r = write_all(fd, b.data, n, err);
	buf_release(&b);
	return (r);
}

int
proto_write_rest(int fd, const void *p, size_t len, size_t n,
    struct buf *err)
{
	unsigned char	hdr[4];
	struct buf	b = BUF_INIT;
	int		r = 0;

	if (frame_header(len, hdr, err) != 0)
		return (-1);
	buf_add(&b, hdr, 4);
	buf_add(&b, p, len);
	if (n < b.len)
		r = write_all(fd, b.data + n, b.len - n, err);
	buf_release(&b);
	return (r);
}

#define WRITE_CHUNK	(256 * 1024)

int
proto_write_frame_progress(int fd, const void *head, size_t hlen,
    const void *tail, size_t tlen, void (*fn)(uint64_t, uint64_t, void *),
    void *arg, struct buf *err)
{
	unsigned char	 hdr[4];
	const char	*s;
	size_t		 len, off, n, seglen;
	int		 seg;

	if (tail == NULL)
		tlen = 0;
	len = hlen + tlen;
	if (frame_header(len, hdr, err) != 0)
		return (-1);
	if (write_all(fd, hdr, 4, err) != 0)
		return (-1);
	/* Two segments, so a big request's bulk is sent from where it
	 * lies instead of being copied behind its head. */
	off = 0;
	for (seg = 0; seg < 2; seg++) {
		s = seg == 0 ? head : tail;
		seglen = seg == 0 ? hlen : tlen;
		for (; seglen > 0; seglen -= n, s += n) {
			n = seglen < WRITE_CHUNK ? seglen : WRITE_CHUNK;
			if (write_all(fd, s, n, err) != 0)
				return (-1);
			off += n;
			if (fn != NULL)
				fn(4 + off, 4 + (uint64_t)len, arg);
		}
	}
	if (len == 0 && fn != NULL)
		fn(4, 4, arg);
	return (0);
}

int
proto_try_write_frame(int fd, const void *p, size_t len, struct buf *err)
{
	unsigned char	hdr[4];
	struct buf	b = BUF_INIT;
	ssize_t		n;
	int		r = 0;

	if (frame_header(len, hdr, err) != 0)
		return (-1);
	buf_add(&b, hdr, 4);
	buf_add(&b, p, len);
	do
		n = send(fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		r = 1;
	else if (n == -1)
		r = buf_error(err, _("cannot send: %s"), strerror(errno));
	else if ((size_t)n < b.len)
		/*
		 * A stream socket with room for part of a small frame: the
		 * rest must follow or the stream is out of step; it is
		 * little, and the send timeout bounds the wait.
		 */
		r = write_all(fd, b.data + n, b.len - n, err);
	buf_release(&b);
	return (r);
}

int
proto_read_frame(int fd, struct buf *out, struct buf *err)
{
	return (proto_read_frame_max(fd, out, PROTO_MAX_FRAME, err));
}

/* Memory grows with the bytes that arrive, not with the length a peer
 * claims: a header saying 256 MB costs nothing until the data comes. */
#define READ_CHUNK	(1024 * 1024)

int
proto_read_frame_max(int fd, struct buf *out, size_t max, struct buf *err)
{
	unsigned char	hdr[4];
	ssize_t		n;
	uint32_t	len;
	size_t		got = 0, want;

	buf_reset(out);
	n = read_all(fd, hdr, 4, err);
	if (n == -1)
		return (-1);
	if (n == 0)
		return (PROTO_EOF);
	if (n < 4)
		return (buf_error(err, _("connection closed in the middle "
		    "of a message")));
	len = get_u32(hdr);
	if (len > max) {
		if (max >= (1u << 20))
			return (buf_error(err, _("message of %lu bytes is "
			    "over the limit of %zu MB"), (unsigned long)len,
			    max >> 20));
		return (buf_error(err, _("message of %lu bytes is over the "
		    "limit of %zu bytes"), (unsigned long)len, max));
	}
	while (got < len) {
		want = len - got < READ_CHUNK ? len - got : READ_CHUNK;
		buf_grow(out, want);
		n = read_all(fd, out->data + got, want, err);
		if (n == -1) {
			buf_reset(out);
			return (-1);
		}
		got += n;
		out->len = got;
		out->data[got] = '\0';
		if ((size_t)n < want) {
			buf_reset(out);
			return (buf_error(err, _("connection closed in the "
			    "middle of a message")));
		}
	}
	return (0);
}

void
proto_put_int(struct buf *b, int64_t v)
{
	unsigned char	p[9];
	uint64_t	u = (uint64_t)v;
	int		i;

	p[0] = 'i';
	for (i = 0; i < 8; i++)
		p[1 + i] = u >> (56 - 8 * i);
	buf_add(b, p, sizeof p);
}

void
proto_put_str(struct buf *b, const void *s, size_t len)
{
	if (len > PROTO_MAX_FRAME)
		BUG("proto_put_str: %zu bytes", len);
	buf_addch(b, 's');
	put_u32(b, len);
	buf_add(b, s, len);
}

void
proto_put_cstr(struct buf *b, const char *s)
{
	if (s == NULL)
		s = "";
	proto_put_str(b, s, strlen(s));
}

void
proto_put_list(struct buf *b, uint32_t n)
{
	buf_addch(b, 'l');
	put_u32(b, n);
}

void
proto_reader_init(struct proto_reader *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

int
proto_at_end(const struct proto_reader *r)
{
	return (r->off >= r->len);
}

static const char *
tag_name(int tag)
{
	switch (tag) {
	case 'i':
		return (_("an integer"));
	case 's':
		return (_("a string"));
	case 'l':
		return (_("a list"));
	}
	return ("?");
}

/* Checks the next item's tag and that its fixed part fits. */
static int
expect(struct proto_reader *r, int tag, size_t fixed, struct buf *err)
{
	if (r->off >= r->len)
		return (buf_error(err, _("malformed message: expected %s at "
		    "byte %zu, found the end"), tag_name(tag), r->off));
	if (r->p[r->off] != tag)
		return (buf_error(err, _("malformed message: expected %s at "
		    "byte %zu"), tag_name(tag), r->off));
	if (r->len - r->off - 1 < fixed)
		return (buf_error(err, _("malformed message: %s cut short at "
		    "byte %zu"), tag_name(tag), r->off));
	r->off++;
	return (0);
}

int
proto_get_int(struct proto_reader *r, int64_t *v, struct buf *err)
{
	uint64_t	u = 0;
	int		i;

	if (expect(r, 'i', 8, err) != 0)
		return (-1);
	for (i = 0; i < 8; i++)
		u = u << 8 | r->p[r->off + i];
	r->off += 8;
	*v = (int64_t)u;
	return (0);
}

int
proto_get_bytes(struct proto_reader *r, const char **s, size_t *len,
    struct buf *err)
{
	uint32_t	n;
	size_t		at = r->off;

	if (expect(r, 's', 4, err) != 0)
		return (-1);
	n = get_u32(r->p + r->off);
	r->off += 4;
	if (n > r->len - r->off) {
		r->off = at;
		return (buf_error(err, _("malformed message: a string of %lu "
		    "bytes at byte %zu runs past the end"), (unsigned long)n,
		    at));
	}
	*s = (const char *)r->p + r->off;
	*len = n;
	r->off += n;
	return (0);
}

int
proto_get_str(struct proto_reader *r, char **s, struct buf *err)
{
	const char	*p;
	size_t		 len, at = r->off;

	if (proto_get_bytes(r, &p, &len, err) != 0)
		return (-1);
	if (memchr(p, '\0', len) != NULL) {
		r->off = at;
		return (buf_error(err, _("malformed message: a string at "
		    "byte %zu has a NUL byte inside"), at));
	}
	*s = xstrndup(p, len);
	return (0);
}

int
proto_get_list(struct proto_reader *r, uint32_t *n, struct buf *err)
{
	size_t	at = r->off;

	if (expect(r, 'l', 4, err) != 0)
		return (-1);
	*n = get_u32(r->p + r->off);
	r->off += 4;
	if (!LIST_FITS(r, *n)) {
		r->off = at;
		return (buf_error(err, _("malformed message: a list of %lu "
		    "items at byte %zu runs past the end"),
		    (unsigned long)*n, at));
	}
	return (0);
}

int
proto_skip(struct proto_reader *r, struct buf *err)
{
	const char	*s;
	size_t		 len;
	int64_t		 v;
	uint32_t	 n;
	uint64_t	 pending = 1;

	/* Iterative: a frame of nested lists must not exhaust the stack. */
	while (pending > 0) {
		pending--;
		if (r->off >= r->len)
			return (buf_error(err, _("malformed message: nothing "
			    "to skip at byte %zu"), r->off));
		switch (r->p[r->off]) {
		case 'i':
			if (proto_get_int(r, &v, err) != 0)
				return (-1);
			break;
		case 's':
			if (proto_get_bytes(r, &s, &len, err) != 0)
				return (-1);
			break;
		case 'l':
			if (proto_get_list(r, &n, err) != 0)
				return (-1);
			pending += n;
			break;
		default:
			return (buf_error(err, _("malformed message: unknown "
			    "item type 0x%02x at byte %zu"), r->p[r->off],
			    r->off));
		}
	}
	return (0);
}

/* A list of strings into a NULL-terminated array. */
static int
get_strlist(struct proto_reader *r, char ***out, size_t *count,
    struct buf *err)
{
	uint32_t	 n, i;
	char		**v;

	*out = NULL;
	*count = 0;
	if (proto_get_list(r, &n, err) != 0)
		return (-1);
	v = xcalloc((size_t)n + 1, sizeof *v);
	for (i = 0; i < n; i++) {
		if (proto_get_str(r, &v[i], err) != 0) {
			while (i > 0)
				free(v[--i]);
			free(v);
			return (-1);
		}
	}
	*out = v;
	*count = n;
	return (0);
}

static void
free_strlist(char **v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
proto_hello_encode(const struct proto_hello *h, struct buf *b)
{
	buf_reset(b);
	proto_put_cstr(b, h->server ? "clerkd" : "clerk");
	proto_put_int(b, h->protocol);
	proto_put_cstr(b, h->version);
	if (h->server) {
		proto_put_int(b, h->status);
		proto_put_cstr(b, h->message);
		proto_put_cstr(b, h->login);
	} else
		proto_put_cstr(b, h->locale);
}

int
proto_hello_decode(struct proto_hello *h, int server, const void *p,
    size_t len, struct buf *err)
{
	struct proto_reader	 r;
	char			*who = NULL;
	const char		*want = server ? "clerkd" : "clerk";

	memset(h, 0, sizeof *h);
	h->server = server;
	proto_reader_init(&r, p, len);
	if (proto_get_str(&r, &who, err) != 0)
		goto bad;
	if (strcmp(who, want) != 0) {
		buf_error(err, _("the other side is not %s (it says '%s')"),
		    want, who);
		goto bad;
	}
	if (proto_get_int(&r, &h->protocol, err) != 0 ||
	    proto_get_str(&r, &h->version, err) != 0)
		goto bad;
	if (server && (proto_get_int(&r, &h->status, err) != 0 ||
	    proto_get_str(&r, &h->message, err) != 0 ||
	    proto_get_str(&r, &h->login, err) != 0))
		goto bad;
	/* A client of before the locale sends none. */
	if (!server && !proto_at_end(&r) &&
	    proto_get_str(&r, &h->locale, err) != 0)
		goto bad;
	free(who);
	return (0);
bad:
	free(who);
	proto_hello_release(h);
	return (-1);
}

void
proto_hello_release(struct proto_hello *h)
{
	free(h->version);
	free(h->message);
	free(h->login);
	free(h->locale);
	h->version = h->message = h->login = h->locale = NULL;
}

void
proto_mismatch_message(struct buf *b, const char *client_version,
    int64_t client_proto, const char *server_version, int64_t server_proto)
{
	buf_set(b, _("clerk %s cannot talk to clerkd %s (protocol %lld vs "
	    "%lld); restart the server"), client_version, server_version,
	    (long long)client_proto, (long long)server_proto);
}

void
proto_request_encode(const struct proto_request *q, struct buf *b)
{
	proto_request_encode_head(q, b);
	if (q->bulk != NULL)
		buf_add(b, q->bulk, q->bulklen);
}

void
proto_request_encode_head(const struct proto_request *q, struct buf *b)
{
	size_t	i;

	buf_reset(b);
	proto_put_cstr(b, q->verb);
	proto_put_list(b, q->argc);
	for (i = 0; i < q->argc; i++)
		proto_put_cstr(b, q->argv[i]);
	proto_put_list(b, q->nenv);
	for (i = 0; i < q->nenv; i++)
		proto_put_cstr(b, q->env[i]);
	/* The bulk's length; its bytes follow the head. */
	if (q->bulklen > PROTO_MAX_FRAME)
		BUG("proto_request_encode_head: %zu bytes", q->bulklen);
	buf_addch(b, 's');
	put_u32(b, q->bulk != NULL ? q->bulklen : 0);
}

int
proto_request_decode(struct proto_request *q, const void *p, size_t len,
    struct buf *err)
{
	struct proto_reader	r;

	memset(q, 0, sizeof *q);
	proto_reader_init(&r, p, len);
	if (proto_get_str(&r, &q->verb, err) != 0 ||
	    get_strlist(&r, &q->argv, &q->argc, err) != 0 ||
	    get_strlist(&r, &q->env, &q->nenv, err) != 0 ||
	    proto_get_bytes(&r, &q->bulk, &q->bulklen, err) != 0) {
		proto_request_release(q);
		return (-1);
	}
	return (0);
}

void
proto_request_release(struct proto_request *q)
{
	free(q->verb);
	free_strlist(q->argv, q->argc);
	free_strlist(q->env, q->nenv);
	memset(q, 0, sizeof *q);
}

const char *
proto_request_env(const struct proto_request *q, const char *name)
{
	size_t	i, n = strlen(name);

	for (i = 0; i < q->nenv; i++)
		if (strncmp(q->env[i], name, n) == 0 && q->env[i][n] == '=')
			return (q->env[i] + n + 1);
	return (NULL);
}

void
proto_response_init(struct proto_response *s)
{
	memset(s, 0, sizeof *s);
	buf_init(&s->out);
}

void
proto_response_encode(const struct proto_response *s, struct buf *b)
{
	size_t	i;

	buf_reset(b);
	proto_put_int(b, s->status);
	proto_put_str(b, s->out.data, s->out.len);
	proto_put_list(b, s->nwarnings);
	for (i = 0; i < s->nwarnings; i++)
		proto_put_cstr(b, s->warnings[i]);
	proto_put_cstr(b, s->error);
	proto_put_cstr(b, s->usage);
}

int
proto_response_decode(struct proto_response *s, const void *p, size_t len,
    struct buf *err)
{
	struct proto_reader	 r;
	const char		*out;
	size_t			 outlen;

	proto_response_init(s);
	proto_reader_init(&r, p, len);
	if (proto_get_int(&r, &s->status, err) != 0 ||
	    proto_get_bytes(&r, &out, &outlen, err) != 0 ||
	    get_strlist(&r, &s->warnings, &s->nwarnings, err) != 0 ||
	    proto_get_str(&r, &s->error, err) != 0 ||
	    proto_get_str(&r, &s->usage, err) != 0) {
		proto_response_release(s);
		return (-1);
	}
	buf_add(&s->out, out, outlen);
	return (0);
}

void
proto_response_release(struct proto_response *s)
{
	buf_release(&s->out);
	free_strlist(s->warnings, s->nwarnings);
	free(s->error);
	free(s->usage);
	s->warnings = NULL;
	s->nwarnings = 0;
	s->error = s->usage = NULL;
}
