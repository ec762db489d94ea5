/*
 * slog: the syslog sink, kept apart because <syslog.h> defines LOG_ERR
 * and friends as macros that clash with util.h's log levels.  Neither
 * slog.c nor this header may include util.h.
 */
#ifndef CLERK_SLOG_H
#define CLERK_SLOG_H

void	 slog_open(const char *);
/* level: util.h's enum log_level as an int (0 error .. 3 debug). */
void	 slog_write(int, const char *);

#endif
