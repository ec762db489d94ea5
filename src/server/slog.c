/*
 * slog.c: writes clerkd's log to syslog.  Only maps levels; must not
 * include util.h (see slog.h) or do anything else.
 */
#include "config.h"

#include <syslog.h>

#include "slog.h"

void
slog_open(const char *ident)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
slog_write(int level, const char *msg)
{
	static const int map[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

	if (level < 0 || level > 3)
		level = 3;
	syslog(map[level], "%s", msg);
}
