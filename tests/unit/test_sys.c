/* sys: the working directory without musl's getcwd (which links malloc),
 * and sleep_ms without nanosleep. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"
#include "tap.h"

#define SLEEP_MS 60
#define TICK_US 5000

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static void test_sleep(void)
{
	struct sigaction sa = { .sa_handler = on_tick };  /* no SA_RESTART */
	struct itimerval every = { { 0, TICK_US }, { 0, TICK_US } }, off = { { 0, 0 }, { 0, 0 } };
	long long t0 = now_ms();

	sleep_ms(0);
	sleep_ms(-5);
	ok(now_ms() - t0 < SLEEP_MS, "sleep_ms(0) and sleep_ms(-5) return at once");
	t0 = now_ms();
	sleep_ms(SLEEP_MS);
	ok(now_ms() - t0 >= SLEEP_MS, "sleep_ms(%d) sleeps at least that long", SLEEP_MS);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &every, NULL);
	t0 = now_ms();
	sleep_ms(SLEEP_MS);
	long long took = now_ms() - t0;
	setitimer(ITIMER_REAL, &off, NULL);
	ok(took >= SLEEP_MS && ticks > 1, "interrupted by SIGALRM every %d us, it still sleeps %d ms",
	   TICK_US, SLEEP_MS);
	if (took < SLEEP_MS || ticks <= 1)
		tap_diag("slept %lld ms through %d signals", took, (int)ticks);
}

/* The naps a poll loop takes: doubling from 1 ms, then max each time. */
static void test_backoff(void)
{
	char seq[64] = "";
	size_t n = 0;

	for (int i = 0, nap = 1; i < 7; i++) {
		n += (size_t)snprintf(seq + n, sizeof seq - n, "%s%d", i ? " " : "", nap);
		sleep_backoff(&nap, 20, now_ms() + 1000);
	}
	is_str(seq, "1 2 4 8 16 20 20", "sleep_backoff: 1, 2, 4, 8, 16 ms, then the 20 ms cap");
	n = 0;
	for (int i = 0, nap = 1; i < 6; i++) {
		n += (size_t)snprintf(seq + n, sizeof seq - n, "%s%d", i ? " " : "", nap);
		sleep_backoff(&nap, 10, now_ms() + 1000);
	}
	is_str(seq, "1 2 4 8 10 10", "a cap that is not a power of two is reached, not passed");
	int nap = 400;
	long long t0 = now_ms();
	sleep_backoff(&nap, 400, t0 + 30);
	long long took = now_ms() - t0;
	ok(took >= 29 && took < 300, "a nap ends at the deadline, not after it (%lld ms of 400, deadline 30)", took);
	t0 = now_ms();
	sleep_backoff(&nap, 400, t0 - 1);
	ok(now_ms() - t0 < 20, "and is skipped when the deadline has passed");
}

int main(void)
{
	char want[PATH_MAX], got[PATH_MAX], dir[] = "/tmp/tether-test-sys-XXXXXX";

	ok(getcwd(want, sizeof want) && sys_getcwd(got, sizeof got) == got, "sys_getcwd fills the buffer");
	is_str(got, want, "and says what libc's getcwd says");

	if (!mkdtemp(dir) || chdir(dir) < 0)
		tap_diag("cannot make or enter %s", dir);
	ok(sys_getcwd(got, sizeof got) && !strcmp(got, dir), "after chdir it names the new directory");
	errno = 0;
	ok(sys_getcwd(got, strlen(dir)) == NULL && errno == ERANGE, "a buffer one byte short: NULL, ERANGE");
	ok(sys_getcwd(got, strlen(dir) + 1) == got, "the exact size, NUL included, is enough");
	if (chdir("/") < 0 || rmdir(dir) < 0)
		tap_diag("cannot remove %s", dir);
	test_sleep();
	test_backoff();
	return tap_done();
}
