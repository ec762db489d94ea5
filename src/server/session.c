/*
 * session.c: one connection, in its own thread.  Learns who the client
 * is from SO_PEERCRED only, exchanges hellos (refusing a different
 * protocol, an unknown uid, a stranger to a personal server, or an
 * operator the access layer refuses), then reads whole requests, runs
 * them through cmd and writes whole responses.  Nothing shared is held
 * while reading or writing: a verb's transactions are over before its
 * reply is sent, and writes time out so a stopped client ties up only
 * this thread.  Must not touch the store except through cmd and access.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "cmd/cmd.h"
#include "proto/proto.h"
#include "server_int.h"

/* A frame buffer that grew past this is given back after the request. */
#define KEEP_BUFFER	(1024 * 1024)

static void
set_timeout(int fd, int opt, int seconds)
{
	struct timeval	tv = { seconds, 0 };

	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
}

static int64_t
our_protocol(const struct server *srv)
{
	return (srv->opts->protocol != 0 ? srv->opts->protocol :
	    PROTO_VERSION);
}

static int
send_hello(struct conn *c, int status, const char *message,
    const char *login)
{
	struct proto_hello	h;
	struct buf		b = BUF_INIT, err = BUF_INIT;
	int			r;

	memset(&h, 0, sizeof h);
	h.server = 1;
	h.protocol = our_protocol(c->srv);
	h.version = (char *)PACKAGE_VERSION;
	h.status = status;
	h.message = (char *)message;
	h.login = (char *)login;
	proto_hello_encode(&h, &b);
	r = proto_write_frame(c->fd, b.data, b.len, &err);
	if (r != 0)
		log_debug("pid %ld: %s", (long)c->pid, err.data);
	buf_release(&b);
	buf_release(&err);
	return (r);
}

/*
 * The client's locale for this thread's messages (gettext follows
 * uselocale), so each operator of a shared server reads the server's
 * messages in their own language.  Kept per connection; a locale this
 * machine lacks leaves the server's own.
 */
struct conn_locale {
	char		*name;
	locale_t	 loc;
};

static void
use_client_locale(struct conn_locale *cl, const char *name)
{
	if (name == NULL || *name == '\0') {
		uselocale(LC_GLOBAL_LOCALE);
		return;
	}
	if (cl->name == NULL || strcmp(cl->name, name) != 0) {
		if (cl->loc != (locale_t)0)
			freelocale(cl->loc);
		free(cl->name);
		cl->name = xstrdup(name);
		/* Messages and the character set they are converted to;
		 * nothing else of the server depends on the locale. */
		cl->loc = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, name,
		    (locale_t)0);
	}
	uselocale(cl->loc != (locale_t)0 ? cl->loc : LC_GLOBAL_LOCALE);
}

static void
conn_locale_release(struct conn_locale *cl)
{
	uselocale(LC_GLOBAL_LOCALE);
	if (cl->loc != (locale_t)0)
		freelocale(cl->loc);
	free(cl->name);
}

static char *
peer_login(uid_t uid)
{
	struct passwd	 pw, *res = NULL;
	char		 b[4096];

	if (getpwuid_r(uid, &pw, b, sizeof b, &res) != 0 || res == NULL)
		return (NULL);
	return (xstrdup(pw.pw_name));
}

/*
 * The hello exchange.  Returns the session, or NULL when the client was
 * refused (and told why) or went away.
 */
static struct session *
greet(struct conn *c, char **loginp)
{
	struct server		*srv = c->srv;
	struct proto_hello	 h;
	struct buf		 frame = BUF_INIT, err = BUF_INIT, msg = BUF_INIT;
	struct conn_locale	 cl = { NULL, (locale_t)0 };
	struct session		*s = NULL;
	char			*login = NULL;

	*loginp = NULL;
	/* Before the hello, a peer is a stranger: it gets little room. */
	if (proto_read_frame_max(c->fd, &frame, PROTO_MAX_HELLO, &err) != 0)
		goto out;
	if (proto_hello_decode(&h, 0, frame.data, frame.len, &err) != 0) {
		send_hello(c, 1, err.data, "");
		goto out;
	}
	/* A refusal is the first thing an unregistered user reads: in
	 * their language, as every later message. */
	use_client_locale(&cl, h.locale);
	if (h.protocol != our_protocol(srv)) {
		proto_mismatch_message(&msg, h.version, h.protocol,
		    PACKAGE_VERSION, our_protocol(srv));
		log_info(_("refused pid %ld: %s"), (long)c->pid, msg.data);
		send_hello(c, 1, msg.data, "");
		proto_hello_release(&h);
		goto out;
	}
	proto_hello_release(&h);

	if ((login = peer_login(c->uid)) == NULL) {
		buf_set(&msg, _("your uid %ld has no login name on this "
		    "machine"), (long)c->uid);
		send_hello(c, 1, msg.data, "");
		goto out;
	}
	if (srv->opts->personal && c->uid != srv->uid) {
		buf_set(&msg, _("this is the personal clerk server of '%s'"),
		    srv->login);
		log_info(_("refused '%s': %s"), login, msg.data);
		send_hello(c, 1, msg.data, "");
		goto out;
	}
	if (access_session_open(srv->store, login, &s, &err) != 0) {
		log_info(_("refused '%s': %s"), login, err.data);
		send_hello(c, 1, err.data, "");
		s = NULL;
		goto out;
	}
	if (send_hello(c, 0, "", login) != 0) {
		access_session_free(s);
		s = NULL;
		goto out;
	}
	*loginp = login;
	login = NULL;
out:
	conn_locale_release(&cl);
	free(login);
	buf_release(&frame);
	buf_release(&err);
	buf_release(&msg);
	return (s);
}

static int
env_int(const struct proto_request *q, const char *name)
{
	const char	*v = proto_request_env(q, name);

	return (v != NULL ? atoi(v) : 0);
}

/*
 * Partial responses (proto.h) for a client that asked: progress notes
 * go only when the socket takes them at once, since a verb sends them
 * inside its transaction and a stopped client must not hold that up;
 * output parts go between a verb's transactions and may wait.
 */
static void
io_progress(void *arg, const char *text)
{
	struct conn		*c = arg;
	struct proto_response	 r;
	struct buf		 b = BUF_INIT, err = BUF_INIT;

	proto_response_init(&r);
	r.status = PROTO_PROGRESS;
	buf_adds(&r.out, text);
	proto_response_encode(&r, &b);
	if (proto_try_write_frame(c->fd, b.data, b.len, &err) == -1)
		log_debug("pid %ld: %s", (long)c->pid, err.data);
	proto_response_release(&r);
	buf_release(&b);
	buf_release(&err);
}

static int
io_flush(void *arg, struct buf *out)
{
	struct conn		*c = arg;
	struct proto_response	 r;
	struct buf		 b = BUF_INIT, err = BUF_INIT;
	int			 rc;

	proto_response_init(&r);
	r.status = PROTO_PART;
	r.out = *out;		/* borrowed */
	proto_response_encode(&r, &b);
	rc = proto_write_frame(c->fd, b.data, b.len, &err);
	if (rc != 0)
		log_debug("pid %ld: %s", (long)c->pid, err.data);
	buf_reset(out);
	buf_release(&b);
	buf_release(&err);
	return (rc);
}

/* A client that hung up has nothing more to send: a request is answered
 * before the next is read, so any readable byte now means EOF. */
static int
io_gone(void *arg)
{
	struct conn	*c = arg;
	struct pollfd	 pfd;

	pfd.fd = c->fd;
	pfd.events = POLLIN | POLLRDHUP;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) <= 0)
		return (0);
	return ((pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0);
}

/* Runs one request and encodes its response into out. */
static void
run_request(struct conn *c, struct session *s, const struct proto_request *q,
    struct buf *out)
{
	struct cmd_ctx		 ctx;
	struct cmd_io		 io;
	struct proto_response	 resp;
	const char		*lang, *v;
	int			 status;

	cmd_ctx_init(&ctx);
	memset(&io, 0, sizeof io);
	io.arg = c;
	io.gone = io_gone;
	if ((v = proto_request_env(q, "progress")) != NULL &&
	    strcmp(v, "1") == 0)
		io.progress = io_progress;
	if ((v = proto_request_env(q, "parts")) != NULL && strcmp(v, "1") == 0)
		io.flush = io_flush;
	ctx.io = &io;
	ctx.session = s;
	ctx.store = c->srv->store;
	ctx.schema = c->srv->schema;
	ctx.personal = c->srv->opts->personal;
	ctx.cwd = proto_request_env(q, "cwd");
	lang = proto_request_env(q, "lang");
	ctx.lang = lang != NULL && strcmp(lang, "ru") == 0;
	ctx.cols = env_int(q, "cols");
	ctx.bulk = q->bulk;
	ctx.bulklen = q->bulklen;
	msg_lang = ctx.lang;
	status = cmd_run(&ctx, q->verb, (int)q->argc, q->argv);
	msg_lang = 0;

	proto_response_init(&resp);
	resp.status = status;
	/* The response borrows the context's results. */
	resp.out = ctx.out;
	resp.warnings = ctx.warnings;
	resp.nwarnings = ctx.nwarnings;
	resp.error = ctx.error.data;
	resp.usage = ctx.usage.data;
	proto_response_encode(&resp, out);
	if (out->len > PROTO_MAX_FRAME) {
		buf_reset(out);
		proto_response_init(&resp);
		resp.status = PROTO_FAILED;
		resp.error = (char *)_("the answer is over the 1 GB limit of "
		    "one message; ask for less (--limit)");
		proto_response_encode(&resp, out);
	}
	log_debug("pid %ld: %s -> %d", (long)c->pid, q->verb, status);
	cmd_ctx_release(&ctx);
}

static void
serve_requests(struct conn *c, struct session *s)
{
	struct proto_request	 q;
	struct proto_response	 bad;
	struct conn_locale	 cl = { NULL, (locale_t)0 };
	struct buf		 frame = BUF_INIT, out = BUF_INIT;
	struct buf		 err = BUF_INIT;
	int			 r, refused;

	for (;;) {
		/* No timeout: a client may think as long as it likes, and
		 * this thread holds nothing while it waits. */
		r = proto_read_frame(c->fd, &frame, &err);
		if (r != 0) {
			if (r == -1)
				log_debug("pid %ld: %s", (long)c->pid,
				    err.data);
			break;
		}
		if (proto_request_decode(&q, frame.data, frame.len,
		    &err) != 0) {
			proto_response_init(&bad);
			bad.status = PROTO_FAILED;
			bad.error = err.data;
			proto_response_encode(&bad, &out);
			proto_write_frame(c->fd, out.data, out.len, &err);
			break;
		}
		use_client_locale(&cl, proto_request_env(&q, "locale"));
		/* The hello let this operator in; an administrator may have
		 * disabled them since. */
		refused = access_session_check(s, &err);
		if (refused != 0) {
			proto_response_init(&bad);
			bad.status = PROTO_FAILED;
			bad.error = err.data;
			proto_response_encode(&bad, &out);
			if (refused > 0)
				log_info(_("refused '%s': %s"), access_user(s),
				    err.data);
		} else
			run_request(c, s, &q, &out);
		uselocale(LC_GLOBAL_LOCALE);
		proto_request_release(&q);
		if (frame.alloc > KEEP_BUFFER)
			buf_release(&frame);
		r = proto_write_frame(c->fd, out.data, out.len, &err);
		if (out.alloc > KEEP_BUFFER)
			buf_release(&out);
		if (refused > 0)
			break;		/* told why; nothing more for them */
		if (r != 0) {
			log_info(_("pid %ld: %s; dropping the connection"),
			    (long)c->pid, err.data);
			break;
		}
	}
	conn_locale_release(&cl);
	buf_release(&frame);
	buf_release(&out);
	buf_release(&err);
}

static void
conn_remove(struct conn *c)
{
	struct server	*srv = c->srv;

	pthread_mutex_lock(&srv->lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (--srv->nconns == 0)
		srv->idle_since = clock_monotonic_ns();
	pthread_cond_broadcast(&srv->gone);
	pthread_mutex_unlock(&srv->lock);
	/* Closed only once out of the list, so the stopping main thread
	 * never shuts down a descriptor number reused by someone else. */
	close(c->fd);
	free(c);
}

static void *
session_main(void *arg)
{
	struct conn	*c = arg;
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
	struct session	*s;
	char		*login;

	set_timeout(c->fd, SO_SNDTIMEO, SERVER_SEND_TIMEOUT);
	set_timeout(c->fd, SO_RCVTIMEO, SERVER_HELLO_TIMEOUT);
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_msg(LOG_ERR, "SO_PEERCRED: %s", strerror(errno));
		conn_remove(c);
		return (NULL);
	}
	c->uid = cred.uid;
	c->pid = cred.pid;
	if ((s = greet(c, &login)) != NULL) {
		set_timeout(c->fd, SO_RCVTIMEO, 0);
		log_debug("%s (pid %ld) connected", login, (long)c->pid);
		serve_requests(c, s);
		log_debug("%s (pid %ld) left", login, (long)c->pid);
		access_session_free(s);
		free(login);
	}
	conn_remove(c);
	return (NULL);
}

/* Over the limit: refuse at once, without a thread.  The client's hello
 * is not read; the refusal waits in the socket for its first read. */
static void
refuse_busy(struct server *srv, int fd)
{
	struct proto_hello	h;
	struct buf		b = BUF_INIT, msg = BUF_INIT, frame = BUF_INIT;
	unsigned char		hdr[4];

	memset(&h, 0, sizeof h);
	h.server = 1;
	h.protocol = our_protocol(srv);
	h.version = (char *)PACKAGE_VERSION;
	h.status = 1;
	buf_set(&msg, _("the server has too many connections (%d); try "
	    "again later"), SERVER_MAX_CONNS);
	h.message = msg.data;
	h.login = (char *)"";
	proto_hello_encode(&h, &b);
	hdr[0] = b.len >> 24;
	hdr[1] = b.len >> 16;
	hdr[2] = b.len >> 8;
	hdr[3] = b.len;
	buf_add(&frame, hdr, 4);
	buf_add(&frame, b.data, b.len);
	/* A fresh socket's buffer is empty: this never blocks. */
	if (send(fd, frame.data, frame.len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
	    -1)
		log_debug("cannot refuse a connection: %s", strerror(errno));
	close(fd);
	buf_release(&b);
	buf_release(&msg);
	buf_release(&frame);
}

int
session_start(struct server *srv, int fd, struct buf *err)
{
	struct conn	*c;
	pthread_attr_t	 attr;
	pthread_t	 t;
	int		 r;

	pthread_mutex_lock(&srv->lock);
	if (srv->nconns >= SERVER_MAX_CONNS) {
		pthread_mutex_unlock(&srv->lock);
		log_warn(_("%d connections: refusing another"),
		    SERVER_MAX_CONNS);
		refuse_busy(srv, fd);
		return (0);
	}
	c = xcalloc(1, sizeof *c);
	c->srv = srv;
	c->fd = fd;
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	pthread_mutex_unlock(&srv->lock);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, session_main, c);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		conn_remove(c);		/* closes fd */
		return (buf_error(err, _("cannot start a thread for a "
		    "client: %s"), strerror(r)));
	}
	return (0);
}
