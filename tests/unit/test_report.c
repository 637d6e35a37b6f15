/* report_view's uptime: human (1d5h), shell and JSON, from a record's since. */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "report.h"
#include "tap.h"

#define OUT_MAX 1024
#define DAY 86400
#define HOUR 3600
#define MINUTE 60

static struct view v;

/* What report_view prints for a record up for `up` seconds, or "race"
 * if the clock ticked while it printed (the caller tries again). */
static const char *report_up(long long up, enum report_mode mode)
{
	static char out[OUT_MAX];
	struct tap_catch c;
	time_t t0 = time(NULL);
	const char *got;

	v.res = STATE_OK;
	v.verdict = IDENT_ALIVE;
	v.rec.id.pid = 42;
	v.rec.id.start = UINT64_MAX;
	v.rec.owner.type = OWNER_NONE;
	v.rec.since = (long long)t0 - up;
	tap_catch(&c, 1);
	report_view("web", &v, mode);
	got = tap_caught(&c, out, sizeof out);
	return time(NULL) == t0 ? got : "race";
}

static const char *report_steady(long long up, enum report_mode mode)
{
	const char *out;

	while (!strcmp(out = report_up(up, mode), "race"))
		;
	return out;
}

static void human(long long up, const char *want, const char *what)
{
	is_str(report_steady(up, REPORT_HUMAN), want, what);
}

/* report_view with fd 1 a datagram socket: how many write(2)s it made,
 * the first one's bytes in buf. */
static int writes_of(const char *name, enum report_mode mode, char *buf, size_t cap)
{
	int sv[2], saved, count;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return -1;
	saved = dup(1);
	dup2(sv[0], 1);
	report_view(name, &v, mode);
	dup2(saved, 1);
	close(saved);
	count = tap_datagrams(sv[1], buf, cap);
	close(sv[0]);
	close(sv[1]);
	return count;
}

/* Lines appended by several tethers to one log or pipe must not
 * interleave: each line leaves in one write. */
static void test_one_write(void)
{
	char buf[2 * OUT_MAX];

	v.res = STATE_OK;
	v.verdict = IDENT_ALIVE;
	v.rec.since = (long long)time(NULL);
	is_int(writes_of("web", REPORT_HUMAN, buf, sizeof buf), 1, "human: one write per line");
	const char *quoted = "TETHER_NAME='it'\\''s' TETHER_STATE='running' ";
	is_int(writes_of("it's", REPORT_SHELL, buf, sizeof buf), 1, "shell: the six assignments in one write");
	is_int(strncmp(buf, quoted, strlen(quoted)), 0, "shell: a quote in a value closed, escaped and reopened");
#if CONFIG_JSON
	is_int(writes_of("web", REPORT_JSON, buf, sizeof buf), 1, "json: the object in one write");
#else
	tap_skip("json: the object in one write", "CONFIG_JSON is off");
#endif
}

int main(void)
{
	human(0, "web running pid=42 up=0s owner=none\n", "up 0 s");
	human(59, "web running pid=42 up=59s owner=none\n", "59 s: seconds only");
	human(MINUTE, "web running pid=42 up=1m0s owner=none\n", "a minute: minutes and seconds");
	human(HOUR - 1, "web running pid=42 up=59m59s owner=none\n", "an hour less a second");
	human(HOUR, "web running pid=42 up=1h0m owner=none\n", "an hour: hours and minutes");
	human(DAY - 1, "web running pid=42 up=23h59m owner=none\n", "a day less a second");
	human(DAY + 5 * HOUR + 59, "web running pid=42 up=1d5h owner=none\n", "a day and 5 h: days and hours");
	human(-HOUR, "web running pid=42 up=0s owner=none\n", "since in the future: 0 s");
	human(UINT32_MAX, "web running pid=42 up=49710d6h owner=none\n", "2^32 - 1 s, the most shown");
	human((long long)UINT32_MAX + DAY, "web running pid=42 up=49710d6h owner=none\n",
	      "past 2^32 s (a clock past 2106): clamped");
	is_str(report_steady(10000000000LL, REPORT_SHELL),
	       "TETHER_NAME='web' TETHER_STATE='running' TETHER_PID='42' TETHER_START='18446744073709551615' "
	       "TETHER_UPTIME='10000000000' TETHER_OWNER='none'\n",
	       "shell: uptime past 32 bits unclamped, start UINT64_MAX");
	is_str(report_steady(-5, REPORT_SHELL),
	       "TETHER_NAME='web' TETHER_STATE='running' TETHER_PID='42' TETHER_START='18446744073709551615' "
	       "TETHER_UPTIME='-5' TETHER_OWNER='none'\n",
	       "shell: a negative uptime as it is");
#if CONFIG_JSON
	is_str(report_steady(10000000000LL, REPORT_JSON),
	       "{\"name\":\"web\",\"state\":\"running\",\"code\":0,\"pid\":42,\"start\":18446744073709551615,"
	       "\"uptime\":10000000000,\"restarts\":0,\"boot\":\"\",\"owner\":\"none\"}\n",
	       "json: uptime past 32 bits unclamped");
#else
	tap_skip("json: uptime past 32 bits unclamped", "CONFIG_JSON is off");
#endif
	test_one_write();
	return tap_done();
}
