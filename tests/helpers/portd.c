/*
 * portd PORT [TAG]: the smallest daemon that owns a TCP port. Binds
 * 127.0.0.1:PORT without SO_REUSEADDR's help for live listeners and exits
 * 1 if the port is taken, as real daemons do: a second copy started
 * beside a running one dies, and under a supervisor crash-loops.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	int one = 1, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: portd PORT [TAG]\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 8) < 0) {
		fprintf(stderr, "portd: port %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c >= 0)
			close(c);
	}
}
