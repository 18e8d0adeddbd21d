/*
 * ramp.h: how many connections a worker keeps in flight (see ramp.c).
 */
#ifndef CERTSWEEP_RAMP_H
#define CERTSWEEP_RAMP_H

#include <stdbool.h>

struct ramp {
	unsigned	 window;	/* connections in flight now */
	unsigned	 max;		/* the ceiling: --concurrency's share */
	unsigned	 done;		/* finished in this window */
	double		 start;		/* when this window began, s */
	double		 prev_rate;	/* before the last doubling, 0 none */
	unsigned	 hold;		/* windows until a larger one is tried */
	double		 last;		/* rate of the window that just ended */
};

/* A ramp for at most max connections, its first window starting now. */
void	ramp_init(struct ramp *, unsigned max, double now);
/* One connection finished at now.  True when the window changed. */
bool	ramp_done(struct ramp *, double now);
/* Called now and then with the connections in flight: true when a window
 * that stayed full too long was doubled. */
bool	ramp_tick(struct ramp *, double now, unsigned inflight);

#endif /* CERTSWEEP_RAMP_H */
