/* env_dup ENTRY... -- PROG [ARG]...: run PROG (PATH searched) with our
 * environment plus each KEY=VALUE ENTRY appended as it is, so that a key
 * can come twice, which env(1) and the shells never pass on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ENV_MAX 4096

int main(int argc, char **argv)
{
	static char *env[ENV_MAX];
	int n = 0, i = 1;

	for (char **e = environ; *e && n < ENV_MAX - argc; e++)
		env[n++] = *e;
	for (; i < argc && strcmp(argv[i], "--"); i++)
		env[n++] = argv[i];
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: env_dup KEY=VALUE... -- PROG [ARG]...\n");
		return 2;
	}
	env[n] = NULL;
	environ = env;
	execvp(argv[i + 1], argv + i + 1);
	perror(argv[i + 1]);
	return 127;
}
