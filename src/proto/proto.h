/*
 * proto: the wire protocol between clerk's clients (the CLI, the TUI,
 * clerk-remind) and the server clerkd, over a Unix stream socket.
 * Framing, a small self-describing encoding, and the four messages.
 * Knows nothing of records or storage; never prints.
 *
 * Framing.  Every message is one frame: a u32 big-endian length, then
 * that many bytes of payload.  A length above PROTO_MAX_FRAME is refused
 * by the reader before anything is allocated.
 *
 * Encoding.  A payload is a sequence of typed items, each a one-byte tag
 * and its body (all integers big-endian):
 *   'i'  int: 8 bytes, two's complement
 *   's'  string: u32 length, then the bytes (UTF-8 by convention, any
 *        bytes allowed: bulk data travels as a string)
 *   'l'  list: u32 count, then that many items
 * A reader takes the items it knows in order and ignores any that
 * follow, so a message may grow new trailing items without a protocol
 * bump; anything else (a new item in the middle, a changed type) bumps
 * PROTO_VERSION.
 *
 * The conversation.  The client sends a hello, the server answers with
 * its hello; then the client sends requests, each answered by exactly
 * one response.  Either side may close at any time.
 *
 *   client hello:  s "clerk"  i protocol  s program version
 *                  s the client's messages locale (added later: a
 *                  server that does not know it ignores it, and one
 *                  that misses it speaks its own)
 *   server hello:  s "clerkd" i protocol  s program version
 *                  i status (0 accepted, 1 refused)  s message
 *                  s the operator's login as the server knows it
 *   request:       s verb  l (s argument)...  l (s "name=value")...
 *                  s bulk data (a file's bytes; "" when none)
 *   response:      i status (0 ok, 1 failed, 2 usage)  s output text
 *                  l (s warning)...  s error  s usage
 *
 * Partial responses.  A client that sends progress=1 in the request's
 * environment may get, before the response, any number of progress
 * notes: responses of status PROTO_PROGRESS whose output text is one
 * line for a person ("applied 45000 of 100000 rows").  One that sends
 * parts=1 may get output parts: responses of status PROTO_PART whose
 * output text comes before the final response's (an export streamed
 * page by page).  Other items of these are empty.  A client that does
 * not ask never gets them, so neither needs a protocol bump.
 *
 * The hellos are frozen: they must keep this shape in every protocol
 * version, so two versions can always tell each other why they refuse.
 * The request's name=value list is the client's environment as it
 * matters to the server: cwd (to resolve relative paths), lang (en or
 * ru, for labels), cols (terminal width, 0 when not a terminal),
 * locale (the client's messages locale, e.g. ru_RU.UTF-8, for the
 * server's messages to it), progress and parts (1 when the client takes
 * partial responses, below).
 */
#ifndef CLERK_PROTO_H
#define CLERK_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define PROTO_VERSION	1
/*
 * An import's whole file travels in one message (the server applies it
 * in one transaction): a million demo parties as CSV are 365 MB.
 */
#define PROTO_MAX_FRAME	(1024u * 1024 * 1024)

/* Normal outcome of proto_read_frame(): the peer closed between frames. */
#define PROTO_EOF	1

/* Response status, also the CLI's exit status. */
#define PROTO_OK	0
#define PROTO_FAILED	1
#define PROTO_USAGE	2
/* Partial responses (see above), never a final status. */
#define PROTO_PROGRESS	3
#define PROTO_PART	4

/*
 * Frames on a file descriptor.  Both retry on EINTR and report EOF in
 * the middle of a frame, a timeout (EAGAIN from SO_SNDTIMEO/SO_RCVTIMEO)
 * and a frame over the limit as errors.  Writes use MSG_NOSIGNAL when fd
 * is a socket, so a vanished peer is an error, not a SIGPIPE.
 * proto_read_frame() replaces out's contents; returns 0, PROTO_EOF when
 * the peer closed before the first byte, or -1.
 */
int	 proto_write_frame(int, const void *, size_t, struct buf *);
int	 proto_read_frame(int, struct buf *, struct buf *);
/* The same with a lower limit (a hello needs little). */
int	 proto_read_frame_max(int, struct buf *, size_t, struct buf *);
#define PROTO_MAX_HELLO	4096
/*
 * Write only the first n bytes of a frame (length prefix included) and
 * return; for tests that stop a client in the middle of a request.
 * proto_write_rest() writes the bytes from n on.
 */
int	 proto_write_part(int, const void *, size_t, size_t, struct buf *);
int	 proto_write_rest(int, const void *, size_t, size_t, struct buf *);
/*
 * A frame of two parts (head, then tail; tail may be NULL) written a
 * chunk at a time, calling fn (may be NULL) with (sent, total, arg)
 * after each (total counts the length prefix too): a big request, its
 * progress, and its bulk sent without a copy.
 */
int	 proto_write_frame_progress(int, const void *, size_t, const void *,
	     size_t, void (*)(uint64_t, uint64_t, void *), void *,
	     struct buf *);
/*
 * A small frame sent only if the socket takes it at once: 0 sent, 1 not
 * sent because the peer is not reading (a full socket buffer), -1 on
 * error.  For notes sent while holding something a stopped client must
 * not hold up.
 */
int	 proto_try_write_frame(int, const void *, size_t, struct buf *);

/* Writing items: append to a payload being built. */
void	 proto_put_int(struct buf *, int64_t);
void	 proto_put_str(struct buf *, const void *, size_t);
void	 proto_put_cstr(struct buf *, const char *);	/* NULL as "" */
void	 proto_put_list(struct buf *, uint32_t);	/* then count items */

/*
 * Reading items from a payload.  Each returns 0, or -1 with a message
 * naming what was expected ("malformed message: expected a string at
 * byte 12") when the next item is missing or of another type.
 * proto_get_bytes() borrows a pointer into the payload; proto_get_str()
 * returns a NUL-terminated copy (caller frees) and refuses a string with
 * a NUL byte inside.  proto_skip() passes over one item of any type.
 */
struct proto_reader {
	const unsigned char	*p;
	size_t			 len;
	size_t			 off;
};
void	 proto_reader_init(struct proto_reader *, const void *, size_t);
int	 proto_get_int(struct proto_reader *, int64_t *, struct buf *);
int	 proto_get_bytes(struct proto_reader *, const char **, size_t *,
	     struct buf *);
int	 proto_get_str(struct proto_reader *, char **, struct buf *);
int	 proto_get_list(struct proto_reader *, uint32_t *, struct buf *);
int	 proto_skip(struct proto_reader *, struct buf *);
int	 proto_at_end(const struct proto_reader *);

/* The messages.  Strings are owned by the struct; *_release frees them. */
struct proto_hello {
	int		 server;	/* 0 client hello, 1 server hello */
	int64_t		 protocol;
	char		*version;
	int64_t		 status;	/* server only */
	char		*message;	/* server only */
	char		*login;		/* server only */
	char		*locale;	/* client only; "" or NULL none */
};
void	 proto_hello_encode(const struct proto_hello *, struct buf *);
int	 proto_hello_decode(struct proto_hello *, int, const void *, size_t,
	     struct buf *);
void	 proto_hello_release(struct proto_hello *);
/*
 * The message both sides give when protocols differ:
 * "clerk 0.1.0 cannot talk to clerkd 0.2.0 (protocol 1 vs 2); restart
 * the server".
 */
void	 proto_mismatch_message(struct buf *, const char *, int64_t,
	     const char *, int64_t);

struct proto_request {
	char		 *verb;
	char		**argv;		/* argc strings, NULL-terminated */
	size_t		  argc;
	char		**env;		/* "name=value", NULL-terminated */
	size_t		  nenv;
	const char	 *bulk;		/* borrowed from the frame on decode */
	size_t		  bulklen;
};
void	 proto_request_encode(const struct proto_request *, struct buf *);
/* All of it but the bulk's bytes: the frame is this, then the bulk. */
void	 proto_request_encode_head(const struct proto_request *,
	     struct buf *);
int	 proto_request_decode(struct proto_request *, const void *, size_t,
	     struct buf *);
void	 proto_request_release(struct proto_request *);
/* The value of name in the request's environment, or NULL. */
const char *proto_request_env(const struct proto_request *, const char *);

struct proto_response {
	int64_t		  status;
	struct buf	  out;
	char		**warnings;
	size_t		  nwarnings;
	char		 *error;	/* "" when none */
	char		 *usage;	/* "" when none */
};
void	 proto_response_init(struct proto_response *);
void	 proto_response_encode(const struct proto_response *, struct buf *);
int	 proto_response_decode(struct proto_response *, const void *, size_t,
	     struct buf *);
void	 proto_response_release(struct proto_response *);

#endif
