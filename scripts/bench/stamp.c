/*
 * stamp: the trivial supervised child of scripts/compare-supervisors.sh.
 *
 * First thing at start it takes CLOCK_MONOTONIC, then appends one line
 * "PID NS\n" to <its own executable>.log (one write(2) on an O_APPEND
 * descriptor), then waits for a signal forever. Built with -DCRASH it
 * exits at once after the line instead, to make a crash loop. Built with
 * -DNOTIFY_FD=N it then writes a newline to descriptor N: s6's readiness
 * notification (the service directory's notification-fd file says N).
 *
 * The log is named after /proc/self/exe so that the same binary can be
 * copied in as a service's ./run (runit, daemontools, s6) or named in a
 * config (supervisord, sensord's [light] exec) without arguments or
 * environment: sensord passes its own argv, which this ignores.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct timespec ts;
	char exe[4000], path[4100], line[64];
	ssize_t n;
	int fd, len;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		return 111;
	exe[n] = 0;
	snprintf(path, sizeof path, "%s.log", exe);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return 111;
	len = snprintf(line, sizeof line, "%d %lld\n", (int)getpid(),
		       (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	if (write(fd, line, len) != len)
		return 111;
	close(fd);
#ifdef NOTIFY_FD
	if (write(NOTIFY_FD, "\n", 1) == 1)
		close(NOTIFY_FD);
#endif
#ifdef CRASH
	return 1;
#else
	for (;;)
		pause();
#endif
}
