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

/* How many event loops run: one, and another while all are CPU-bound. */
struct grow {
	unsigned	 streak;	/* ticks in a row with every loop busy */
};

/* A ramp for at most max connections, its first window starting now. */
void	ramp_init(struct ramp *, unsigned max, double now);
/* One connection finished at now.  True when the window changed. */
bool	ramp_done(struct ramp *, double now);
/* Called now and then with the connections in flight: true when a window
 * that stayed full too long was doubled. */
bool	ramp_tick(struct ramp *, double now, unsigned inflight);
/* A new ceiling (another loop took a share): the window shrinks to it. */
void	ramp_set_max(struct ramp *, unsigned max);
/* Called every tick with the CPU share (CPU time / wall time) of the least
 * busy of the active loops over that tick: true when one more loop, up to
 * max, should start. */
bool	grow_tick(struct grow *, double least_busy, unsigned active,
	    unsigned max);

#endif /* CERTSWEEP_RAMP_H */
