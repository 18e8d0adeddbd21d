/* log.c: "certsweep: message" lines on stderr, filtered by level. */
#include "scanner/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum log_level level = LOG_LVL_WARN;

void
log_set_level(enum log_level l)
{
	level = l;
}

enum log_level
log_get_level(void)
{
	return level;
}

static void	vlog(enum log_level, const char *, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

static void
vlog(enum log_level l, const char *tag, const char *fmt, va_list ap)
{
	char line[1024];

	if (l > level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "certsweep: %s%s\n", tag, line);
}

#define LOG_FN(fn, lvl, tag)						\
	void fn(const char *fmt, ...)					\
	{								\
		va_list ap;						\
		va_start(ap, fmt);					\
		vlog(lvl, tag, fmt, ap);				\
		va_end(ap);						\
	}

LOG_FN(log_error, LOG_LVL_QUIET, "")
LOG_FN(log_warn, LOG_LVL_WARN, "warning: ")
LOG_FN(log_info, LOG_LVL_INFO, "")
LOG_FN(log_debug, LOG_LVL_DEBUG, "debug: ")
