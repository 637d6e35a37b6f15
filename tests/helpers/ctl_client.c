/*
 * ctl_client SOCK hold
 *     Connect once; for every line on stdin send a status request on that
 *     same connection and print "ok pid=N" (or "closed", "timeout").
 *     Prints "connected" first. Exits at EOF on stdin.
 * ctl_client SOCK raw HEX
 *     Send the bytes HEX (e.g. 0000000ea2...), print the reply as
 *     "reply ok=1 pid=N err=TEXT" (or "closed"/"timeout"), then "closed"
 *     if the server hung up within a second, else "open". "sent" goes
 *     to stderr once the bytes are written.
 *
 * Independent of tether's codec on purpose: it sends the status request
 * bytes from ctl.h verbatim and picks the reply apart by its known keys.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const unsigned char status_req[] = {
	0x00, 0x00, 0x00, 0x0e, 0xa2, 0x61, 0x76, 0x01, 0x62, 0x6f, 0x70, 0x66, 0x73, 0x74, 0x61, 0x74, 0x75, 0x73,
};

static int wait_in(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	return poll(&p, 1, ms) > 0;
}

/* 0 reply read, 1 closed, 2 timeout. */
static int read_frame(int fd, unsigned char *buf, size_t cap, size_t *len, int ms)
{
	size_t have = 0, need = 4;

	while (have < need) {
		if (!wait_in(fd, ms))
			return 2;
		ssize_t k = read(fd, buf + have, need - have);
		if (k <= 0)
			return 1;
		have += (size_t)k;
		if (have == 4) {
			need = 4 + ((size_t)buf[0] << 24 | (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3]);
			if (need > cap)
				return 1;
		}
	}
	*len = have;
	return 0;
}

static const unsigned char *find(const unsigned char *p, size_t n, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = 0; i + k + 1 < n; i++)
		if (p[i] == 0x60 + k && !memcmp(p + i + 1, key, k))
			return p + i + 1 + k;
	return NULL;
}

static long uint_at(const unsigned char *p)
{
	if (*p < 0x18)
		return *p;
	if (*p == 0x18)
		return p[1];
	if (*p == 0x19)
		return p[1] << 8 | p[2];
	if (*p == 0x1a)
		return (long)p[1] << 24 | p[2] << 16 | p[3] << 8 | p[4];
	return -1;
}

static void describe(const unsigned char *buf, size_t len)
{
	const unsigned char *ok = find(buf + 4, len - 4, "ok"), *pid = find(buf + 4, len - 4, "pid"),
			    *err = find(buf + 4, len - 4, "err");

	printf("reply ok=%d pid=%ld", ok && *ok == 0xf5, pid ? uint_at(pid) : -1L);
	if (err && *err >= 0x60 && *err < 0x78)
		printf(" err=%.*s", *err - 0x60, err + 1);
	else if (err && *err == 0x78)
		printf(" err=%.*s", err[1], err + 2);
	printf("\n");
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	unsigned char buf[16384];
	size_t len;
	int fd;

	if (argc < 3 || strlen(argv[1]) >= sizeof a.sun_path) {
		fprintf(stderr, "usage: ctl_client SOCK hold | SOCK raw HEX\n");
		return 2;
	}
	strcpy(a.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("connect");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[2], "hold")) {
		char line[256];
		printf("connected\n");
		while (fgets(line, sizeof line, stdin)) {
			if (write(fd, status_req, sizeof status_req) != (ssize_t)sizeof status_req) {
				printf("closed\n");
				continue;
			}
			int r = read_frame(fd, buf, sizeof buf, &len, 5000);
			if (r == 0) {
				const unsigned char *pid = find(buf + 4, len - 4, "pid");
				printf("ok pid=%ld\n", pid ? uint_at(pid) : -1L);
			} else {
				printf("%s\n", r == 1 ? "closed" : "timeout");
			}
		}
		return 0;
	}
	if (!strcmp(argv[2], "raw") && argc == 4) {
		size_t n = 0;
		for (const char *h = argv[3]; h[0] && h[1] && n < sizeof buf; h += 2) {
			int hi = hexval(h[0]), lo = hexval(h[1]);
			if (hi < 0 || lo < 0)
				return 2;
			buf[n++] = (unsigned char)(hi << 4 | lo);
		}
		if (write(fd, buf, n) != (ssize_t)n)
			return 1;
		fprintf(stderr, "sent\n");
		int r = read_frame(fd, buf, sizeof buf, &len, 5000);
		if (r == 0)
			describe(buf, len);
		else
			printf("%s\n", r == 1 ? "closed" : "timeout");
		if (r == 0)
			printf("%s\n", !wait_in(fd, 1000) ? "open" : read(fd, buf, 1) <= 0 ? "closed" : "open");
		return 0;
	}
	return 2;
}
