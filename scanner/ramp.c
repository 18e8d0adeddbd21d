/*
 * ramp.c: --concurrency is a ceiling, not a goal.  A worker starts with
 * RAMP_START connections in flight and doubles its window while that
 * raises its completion rate by at least RAMP_GAIN.  A wide sweep, whose
 * answers take round trips and whose silent hosts hold a slot until
 * --timeout, gets about twice the rate from twice the connections and
 * reaches the ceiling in a few windows; a sweep that has saturated its
 * servers (or our CPU) stops where more connections would only queue.  On
 * loopback 1000 connections in flight cost the kernel about twice the CPU
 * per handshake of 256, for no gain.  A doubling that did not pay is
 * undone, and every RAMP_HOLD windows a larger one is tried again.
 *
 * A window ends when as many connections finished as it holds, so a
 * decision rests on a whole window's worth of answers; or, when its
 * connections are all still waiting after RAMP_PATIENCE (silent hosts
 * holding their slots until --timeout), it is made RAMP_WAIT_GROWTH times
 * larger without one: the sweep is bound by waiting, not by the servers
 * or the CPU, and a silent /16 at --rate 5000 needs thousands in flight
 * within a fraction of a second.
 *
 * The same holds for event loops (--threads): a sweep starts with one, and
 * one more starts only while every running loop is CPU-bound, GROW_BUSY of
 * its wall time on the CPU for GROW_TICKS ticks in a row.  A loop that
 * waits for its servers or for round trips would not finish sooner with a
 * second one; on a loopback lab a second loop competes with the servers
 * for the cores and cost a fifth more CPU per endpoint for no gain, while
 * full OpenSSL handshakes keep a loop busy and get the cores they need.
 */
#include "scanner/ramp.h"

#define RAMP_START	64	/* the first window */
#define RAMP_GAIN	1.125	/* what a doubled window must add to the rate */
#define RAMP_HOLD	16	/* windows before a larger one is tried again */
#define RAMP_PATIENCE	0.08	/* s: a full window that long is too small
				   (the engine looks every 0.1 s) */
#define RAMP_WAIT_GROWTH 4
#define GROW_BUSY	0.75	/* a loop this busy is CPU-bound */
#define GROW_TICKS	2	/* for this many ticks in a row */

static unsigned
umin(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

void
ramp_init(struct ramp *r, unsigned max, double now)
{
	*r = (struct ramp){ .window = umin(RAMP_START, max), .max = max,
	    .start = now };
}

bool
ramp_done(struct ramp *r, double now)
{
	unsigned was = r->window;
	double rate;

	if (++r->done < r->window)
		return false;
	rate = r->done / (now > r->start ? now - r->start : 1e-6);
	r->done = 0;
	r->start = now;
	r->last = rate;
	if (r->hold > 0) {
		r->hold--;
		return false;
	}
	if (r->prev_rate > 0 && rate < r->prev_rate * RAMP_GAIN) {
		r->window = umin(r->max, r->window / 2 > RAMP_START ?
		    r->window / 2 : RAMP_START);
		r->prev_rate = 0;
		r->hold = RAMP_HOLD;
	} else if (r->window < r->max) {
		r->prev_rate = rate;
		r->window = umin(r->max, r->window * 2);
	} else {
		r->prev_rate = 0;	/* at the ceiling, and it paid */
		r->hold = RAMP_HOLD;
	}
	return r->window != was;
}

bool
ramp_tick(struct ramp *r, double now, unsigned inflight)
{
	if (inflight < r->window || r->window >= r->max ||
	    now - r->start < RAMP_PATIENCE)
		return false;
	r->last = r->done / (now - r->start);
	r->prev_rate = 0;	/* no answers to judge it by */
	r->hold = 0;
	r->done = 0;
	r->start = now;
	r->window = umin(r->max, r->window * RAMP_WAIT_GROWTH);
	return true;
}

void
ramp_set_max(struct ramp *r, unsigned max)
{
	r->max = max > 0 ? max : 1;
	if (r->window > r->max)
		r->window = r->max;
}

bool
grow_tick(struct grow *g, double least_busy, unsigned active, unsigned max)
{
	if (active >= max || least_busy < GROW_BUSY) {
		g->streak = 0;
		return false;
	}
	if (++g->streak < GROW_TICKS)
		return false;
	g->streak = 0;
	return true;
}
