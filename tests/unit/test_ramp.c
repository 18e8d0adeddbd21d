/*
 * test_ramp.c: scanner/ramp.c, the window of connections in flight,
 * against simulated servers: one whose rate grows with the window (remote
 * hosts: a fixed round trip each), ones that saturate (a loopback lab),
 * one that saturates, then frees up, and silent hosts that answer nothing
 * before the timeout.  The engine's 100 ms tick is simulated too, with
 * every window slot busy.  Then the ceiling moving (another loop started)
 * and grow_tick(), which starts loops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scanner/ramp.h"

/* Completions per second with w in flight: w / rtt, up to cap (0: none). */
struct server {
	double	 rtt;
	double	 cap;
};

static double
rate_of(const struct server *s, unsigned w)
{
	double r = w / s->rtt;

	return s->cap > 0 && r > s->cap ? s->cap : r;
}

/* Runs n completions; returns the largest window seen, *avg the mean. */
static unsigned
simulate(struct ramp *r, const struct server *s, unsigned n, double *now,
    double *avg)
{
	unsigned top = r->window;
	double sum = 0, tick = *now;

	for (unsigned i = 0; i < n; i++) {
		*now += 1.0 / rate_of(s, r->window);
		for (; tick + 0.1 <= *now; tick += 0.1)
			(void)ramp_tick(r, tick + 0.1, r->window);
		(void)ramp_done(r, *now);
		if (r->window > top)
			top = r->window;
		sum += r->window;
	}
	if (avg != NULL)
		*avg = sum / n;
	return top;
}

/* Remote hosts: twice the connections, twice the rate, up to --concurrency
 * within a few windows. */
static void
test_linear_reaches_ceiling(void **state)
{
	struct ramp r;
	struct server s = { .rtt = 0.1 };
	double now = 0;

	(void)state;
	ramp_init(&r, 1000, now);
	assert_int_equal(r.window, 64);
	(void)simulate(&r, &s, 64 + 128 + 256 + 512 + 1000, &now, NULL);
	assert_int_equal(r.window, 1000);
	(void)simulate(&r, &s, 100000, &now, NULL);
	assert_int_equal(r.window, 1000);	/* it keeps paying: stays */
}

/* A server saturated at 64 in flight: the first doubling does not pay and
 * is undone; the retries every few windows are short. */
static void
test_saturated_stays_low(void **state)
{
	struct ramp r;
	struct server s = { .rtt = 0.008, .cap = 8000 };
	double now = 0, avg;
	unsigned top;

	(void)state;
	ramp_init(&r, 1000, now);
	top = simulate(&r, &s, 100000, &now, &avg);
	assert_int_equal(top, 128);
	assert_int_equal(r.window, 64);
	assert_true(avg < 72);
}

/* Saturated at 256: settles there, never at the ceiling. */
static void
test_saturated_at_knee(void **state)
{
	struct ramp r;
	struct server s = { .rtt = 0.032, .cap = 8000 };
	double now = 0, avg;
	unsigned top;

	(void)state;
	ramp_init(&r, 1000, now);
	top = simulate(&r, &s, 100000, &now, &avg);
	assert_int_equal(top, 512);
	assert_int_equal(r.window, 256);
	assert_true(avg > 200 && avg < 300);
}

/* The servers free up mid-sweep: a later retry finds the larger window
 * pays again and climbs to the ceiling. */
static void
test_climbs_again(void **state)
{
	struct ramp r;
	struct server busy = { .rtt = 0.008, .cap = 8000 };
	struct server free = { .rtt = 0.008 };
	double now = 0;

	(void)state;
	ramp_init(&r, 1000, now);
	(void)simulate(&r, &busy, 20000, &now, NULL);
	assert_int_equal(r.window, 64);
	(void)simulate(&r, &free, 20000, &now, NULL);
	assert_int_equal(r.window, 1000);
}

/* Silent hosts: nothing finishes before the 5 s timeout, every slot is
 * taken; the window grows at every tick to the ceiling rather than
 * waiting a timeout per doubling.  A window with free slots (the targets
 * or --rate ran short) is not widened. */
static void
test_silent_widens_on_time(void **state)
{
	struct ramp r;
	double t;

	(void)state;
	ramp_init(&r, 5000, 0);
	for (t = 0.1; t < 0.45; t += 0.1)
		(void)ramp_tick(&r, t, r.window);
	assert_int_equal(r.window, 5000);
	ramp_init(&r, 5000, 0);
	for (t = 0.1; t < 3; t += 0.1)
		assert_false(ramp_tick(&r, t, r.window - 1));
	assert_int_equal(r.window, 64);
}

/* A ceiling below the first window is the window, and stays. */
static void
test_small_ceiling(void **state)
{
	struct ramp r;
	struct server s = { .rtt = 0.1 };
	double now = 0;

	(void)state;
	ramp_init(&r, 10, now);
	assert_int_equal(r.window, 10);
	assert_int_equal(simulate(&r, &s, 1000, &now, NULL), 10);
	assert_int_equal(r.window, 10);
	ramp_init(&r, 100, now);
	assert_int_equal(simulate(&r, &s, 1000, &now, NULL), 100);
}

/* Another ceiling (a second loop took half): the window follows. */
static void
test_set_max(void **state)
{
	struct ramp r;
	struct server s = { .rtt = 0.1 };
	double now = 0;

	(void)state;
	ramp_init(&r, 1000, now);
	(void)simulate(&r, &s, 5000, &now, NULL);
	assert_int_equal(r.window, 1000);
	ramp_set_max(&r, 500);
	assert_int_equal(r.window, 500);
	(void)simulate(&r, &s, 5000, &now, NULL);
	assert_int_equal(r.window, 500);
	ramp_set_max(&r, 0);
	assert_int_equal(r.window, 1);
}

/* Loops: another only after every running one was busy two ticks in a
 * row, never past the maximum; a loop that waits resets the count. */
static void
test_grow(void **state)
{
	struct grow g = { 0 };
	unsigned active = 1;

	(void)state;
	/* a loop waiting on its servers (the loopback lab: 0.4-0.63) */
	for (int i = 0; i < 50; i++)
		assert_false(grow_tick(&g, i % 2 ? 0.63 : 0.4, active, 2));
	/* busy, then waiting, then busy: the streak starts again */
	assert_false(grow_tick(&g, 0.9, active, 2));
	assert_false(grow_tick(&g, 0.5, active, 2));
	assert_false(grow_tick(&g, 0.9, active, 2));
	assert_true(grow_tick(&g, 0.95, active, 2));
	active++;
	/* at the maximum, however busy */
	for (int i = 0; i < 10; i++)
		assert_false(grow_tick(&g, 1.0, active, 2));
	/* with room, two busy ticks again (not at once) */
	assert_false(grow_tick(&g, 1.0, active, 4));
	assert_true(grow_tick(&g, 1.0, active, 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_reaches_ceiling),
		cmocka_unit_test(test_saturated_stays_low),
		cmocka_unit_test(test_saturated_at_knee),
		cmocka_unit_test(test_climbs_again),
		cmocka_unit_test(test_silent_widens_on_time),
		cmocka_unit_test(test_small_ceiling),
		cmocka_unit_test(test_set_max),
		cmocka_unit_test(test_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
