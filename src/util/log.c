/*
 * log.c: the swappable log sink.  Lower layers report warnings and
 * progress here instead of printing; the program decides where they go
 * (a queue before the UI is up, the status line, stderr under cron,
 * nowhere in tests).  This file owns the sink and the level filter; the
 * default sink is the only thing in util besides fatal() that writes to
 * a terminal.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>

#include "util.h"

static void	log_sink_stderr(enum log_level, const char *, void *);

static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static log_sink_fn	*log_sink = log_sink_stderr;
static void		*log_arg;
static enum log_level	 log_level = LOG_WARN;
/* Set while this thread is inside a sink, so a sink that logs does not
 * deadlock on log_lock. */
_Thread_local int msg_lang;

static _Thread_local int log_nested;

static void
log_sink_stderr(enum log_level level, const char *msg, void *arg)
{
	const char	*what;

	switch (level) {
	case LOG_ERR:
		what = _("error: ");
		break;
	case LOG_WARN:
		what = _("warning: ");
		break;
	case LOG_DEBUG:
		what = _("debug: ");
		break;
	default:
		what = "";
		break;
	}
	/* One fprintf so that lines from different threads do not mix. */
	fprintf(stderr, "clerk: %s%s\n", what, msg);
}

/* A NULL sink puts the default (stderr) back. */
void
log_set_sink(log_sink_fn *fn, void *arg)
{
	pthread_mutex_lock(&log_lock);
	log_sink = fn != NULL ? fn : log_sink_stderr;
	log_arg = fn != NULL ? arg : NULL;
	pthread_mutex_unlock(&log_lock);
}

/* Messages less severe than level are dropped; LOG_WARN by default so a
 * cron job stays quiet unless something is wrong. */
void
log_set_level(enum log_level level)
{
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	struct buf	msg = BUF_INIT;
	va_list		ap;

	/* Read without the lock: a stale level only lets one message
	 * through or drops one, and saves formatting dropped messages. */
	if (level > __atomic_load_n(&log_level, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	while (msg.len > 0 && msg.data[msg.len - 1] == '\n')
		buf_truncate(&msg, msg.len - 1);

	if (log_nested) {
		log_sink_stderr(level, msg.data, NULL);
		buf_release(&msg);
		return;
	}
	/* The sink runs under the lock: log_set_sink() cannot free the
	 * sink's argument while a message is being delivered to it. */
	pthread_mutex_lock(&log_lock);
	log_nested = 1;
	log_sink(level, msg.data, log_arg);
	log_nested = 0;
	pthread_mutex_unlock(&log_lock);
	buf_release(&msg);
}
