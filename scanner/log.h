/*
 * log.h: levelled, printf-checked logging to stderr.  The level is the only
 * process-wide mutable state.  Per-target failures are data (a status and a
 * reason in the observation), never log lines.
 */
#ifndef CERTSWEEP_LOG_H
#define CERTSWEEP_LOG_H

enum log_level {
	LOG_LVL_QUIET,		/* -q: errors only */
	LOG_LVL_WARN,		/* default: errors and warnings */
	LOG_LVL_INFO,		/* -v */
	LOG_LVL_DEBUG,		/* -vv */
};

void	log_set_level(enum log_level);
enum log_level log_get_level(void);
void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif /* CERTSWEEP_LOG_H */
