/* The printf subset that keeps stdio out of the binary. */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fmt.h"
#include "tap.h"

static void check(const char *got, const char *want, const char *what)
{
	is_str(got, want, what);
}

/* A line built in pieces leaves in one write; one past OUT_CHUNK in
 * as many chunks, nothing lost. */
static void test_out(void)
{
	static char big[OUT_CHUNK + 100];
	char got[OUT_CHUNK + 1];
	struct out o;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) {
		tap_skip("out: one write per line", "no AF_UNIX datagram sockets");
		return;
	}
	int sndbuf = 4 * OUT_CHUNK;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	out_init(&o, sv[0]);
	out_fmt(&o, "{\"name\":");
	out_json_str(&o, "a\"b\\c\n\x01\x7f");
	out_fmt(&o, ",\"pid\":%d}\n", 42);
	is_int(out_flush(&o), 0, "out_flush: 0 after a good write");
	is_int(tap_datagrams(sv[1], got, sizeof got), 1, "a line built from five pieces leaves in one write");
	is_str(got, "{\"name\":\"a\\\"b\\\\c\\u000a\\u0001\\u007f\",\"pid\":42}\n",
	       "out_json_str: quote, backslash and control bytes escaped");

	memset(big, 'x', sizeof big - 1);
	out_init(&o, sv[0]);
	out_fmt(&o, "%s", big);
	out_flush(&o);
	is_int(tap_datagrams(sv[1], got, sizeof got), 2, "a line past OUT_CHUNK leaves in two writes");
	is_int((int)strlen(got), OUT_CHUNK, "the first is a whole chunk");

	/* Many lines marked whole: each write ends at a line's end. 150
	 * lines of 30 bytes are 4500, so a chunk holds 136 of them and the
	 * 137th is cut at the chunk's end: it must wait for the next write. */
	out_init(&o, sv[0]);
	for (int i = 0; i < 150; i++) {
		out_fmt(&o, "line %03d ", i);
		out_fmt(&o, "%s\n", "twenty bytes of it..");
		out_line(&o);
	}
	out_flush(&o);
	is_int(tap_datagrams(sv[1], got, sizeof got), 2, "150 whole lines of 30 bytes leave in two writes");
	is_int((int)strlen(got), 136 * 30, "the first holds 136 whole lines, not a cut 137th");
	ok(!strncmp(got + 135 * 30, "line 135 ", 9) && got[136 * 30 - 1] == '\n', "and ends at a line's end");
	close(sv[1]);
	out_init(&o, sv[0]);
	out_fmt(&o, "lost\n");
	is_int(out_flush(&o), -1, "out_flush: -1 when the write fails");
	close(sv[0]);
}

int main(void)
{
	char b[64];

	fmt(b, sizeof b, "%s=%d", "pid", -42);
	check(b, "pid=-42", "%s and negative %d");
	fmt(b, sizeof b, "%u %lu %llu %zu", 7u, 8ul, 18446744073709551615ull, (size_t)9);
	check(b, "7 8 18446744073709551615 9", "unsigned widths");
	fmt(b, sizeof b, "%lld", (long long)LLONG_MIN);
	check(b, "-9223372036854775808", "LLONG_MIN");
	fmt(b, sizeof b, "%lld", (long long)LLONG_MAX);
	check(b, "9223372036854775807", "LLONG_MAX");
	fmt(b, sizeof b, "%jd %jd %ji", INTMAX_MIN, INTMAX_MAX, (intmax_t)-1);
	check(b, "-9223372036854775808 9223372036854775807 -1", "%jd: INT64_MIN, INT64_MAX, -1");
	fmt(b, sizeof b, "%ju", UINTMAX_MAX);
	check(b, "18446744073709551615", "%ju: UINT64_MAX");
	fmt(b, sizeof b, "%llu %llu %llu", 4294967295ull, 4294967296ull, 10000000000000000000ull);
	check(b, "4294967295 4294967296 10000000000000000000", "2^32 - 1, 2^32, 10^19");
	fmt(b, sizeof b, "%llu %llu %lld", 0ull, 9ull, -10ll);
	check(b, "0 9 -10", "0, 9 and -10");
	fmt(b, sizeof b, "%x %o", 255u, 8u);
	check(b, "ff 10", "hex and octal");
	fmt(b, sizeof b, "%llx %llo", 18446744073709551615ull, 18446744073709551615ull);
	check(b, "ffffffffffffffff 1777777777777777777777", "hex and octal of UINT64_MAX");
	fmt(b, sizeof b, "%llx %llo", 0x123456789abcdef0ull, 01234567012345670ull);
	check(b, "123456789abcdef0 1234567012345670", "hex and octal digits above 32 bits");
	fmt(b, sizeof b, "[%5d|%-5s|%05u]", 42, "ab", 7u);
	check(b, "[   42|ab   |00007]", "width, left and zero padding");
	fmt(b, sizeof b, "[%05d|%5d|%-5d|%02d|%022lld]", -42, -42, -42, -42, (long long)INT64_MIN);
	check(b, "[-0042|  -42|-42  |-42|-009223372036854775808]", "a negative number zero-padded keeps its sign first");
	fmt(b, sizeof b, "%.*s!", 3, "abcdef");
	check(b, "abc!", "%.*s precision");
	fmt(b, sizeof b, "100%% %c", 'x');
	check(b, "100% x", "%% and %c");
	is_int(fmt(b, 4, "%s", "abcdef"), 6, "returns the untruncated length");
	check(b, "abc", "truncates and terminates");
	is_int(fmt(NULL, 0, "%d", 12345), 5, "measures with a NULL buffer");
	const char *odd = "%q %s";
	fmt(b, sizeof b, odd, "x");
	check(b, "%q x", "unknown conversion printed, consumes no argument");
	test_out();
	return tap_done();
}
