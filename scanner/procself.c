/*
 * procself.c: process_* metrics from /proc/self/stat, /proc/stat (boot
 * time), /proc/self/fd and the open-files limit.
 */
#include "scanner/procself.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* The boot time, Unix seconds, from /proc/stat; -1 when unknown. */
static int64_t
boot_time(void)
{
	char line[256];
	long long bt = -1;
	FILE *f = fopen("/proc/stat", "re");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "btime %lld", &bt) == 1)
			break;
	fclose(f);
	return bt;
}

/*
 * /proc/self/stat: fields after the command name, which is in parentheses
 * and may hold spaces or ')' itself, so parsing starts after the last ')'.
 */
static void
read_stat(struct mrow_process *pr)
{
	char buf[1024], *p;
	unsigned long long utime, stime, start, vsize;
	long long rss;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	int64_t bt = boot_time();
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n;

	if (f == NULL)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || tck <= 0)
		return;
	/* field 3 is the state; 14 utime, 15 stime, 22 starttime, 23 vsize,
	 * 24 rss (pages) */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu %*d %*d %*d %*d %*d %*d %llu %llu %lld", &utime,
	    &stime, &start, &vsize, &rss) != 5)
		return;
	pr->cpu_seconds = (double)(utime + stime) / (double)tck;
	if (bt >= 0)
		pr->start_time = (double)bt + (double)start / (double)tck;
	pr->virtual_bytes = (int64_t)vsize;
	if (page > 0)
		pr->resident_bytes = (int64_t)rss * page;
}

static int64_t
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int64_t n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

void
procself_read(struct mrow_process *pr)
{
	struct rlimit rl;

	*pr = (struct mrow_process){
		.start_time = -1, .cpu_seconds = -1, .resident_bytes = -1,
		.virtual_bytes = -1, .open_fds = open_fds(), .max_fds = -1,
	};
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		pr->max_fds = (int64_t)rl.rlim_cur;
	read_stat(pr);
}
