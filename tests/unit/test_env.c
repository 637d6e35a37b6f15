/* env: a child's environment, built without setenv. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctx.h"
#include "env.h"
#include "run.h"
#include "tap.h"

static int count_key(char *const *vars, const char *key)
{
	size_t k = strlen(key);
	int n = 0;

	for (; *vars; vars++)
		n += !strncmp(*vars, key, k) && (*vars)[k] == '=';
	return n;
}

static const char *value_of(char *const *vars, const char *key)
{
	size_t k = strlen(key);

	for (; *vars; vars++)
		if (!strncmp(*vars, key, k) && (*vars)[k] == '=')
			return *vars + k + 1;
	return NULL;
}

static size_t length(char *const *vars)
{
	size_t n = 0;

	while (vars[n])
		n++;
	return n;
}

static void test_replace(void)
{
	char *base[] = { "PATH=/bin", "TETHER_NAME=old", "HOME=/root", "TETHER_NAME=older", "TETHER_NAMES=x",
			 "NOEQUALS", NULL };
	struct env e;

	ok(env_init(&e, base) == 0 && length(e.vars) == 6, "env_init copies the base");
	ok(env_set(&e, "TETHER_NAME", "web") == 0, "env_set TETHER_NAME");
	is_int(count_key(e.vars, "TETHER_NAME"), 1, "both earlier TETHER_NAME= are gone: the key appears once");
	is_str(value_of(e.vars, "TETHER_NAME"), "web", "and has the new value");
	is_str(value_of(e.vars, "TETHER_NAMES"), "x", "a key that only starts the same is kept");
	ok(value_of(e.vars, "PATH") && value_of(e.vars, "HOME") && count_key(e.vars, "PATH") == 1,
	   "other variables are kept, once");
	ok(length(e.vars) == 5 && !strcmp(e.vars[3], "NOEQUALS"), "an entry without '=' passes through");
	ok(env_set(&e, "TETHER_PID", "4242") == 0 && env_set(&e, "TETHER_PID", "4243") == 0,
	   "setting a key twice works");
	is_int(count_key(e.vars, "TETHER_PID"), 1, "a key set twice appears once");
	is_str(value_of(e.vars, "TETHER_PID"), "4243", "with the last value");
	ok(env_set(&e, "OPTS", "a=b=c") == 0, "a value may contain '='");
	is_str(value_of(e.vars, "OPTS"), "a=b=c", "and comes through whole");
	is_str(base[1], "TETHER_NAME=old", "the base is not changed");
	env_free(&e);
}

static void test_errors(void)
{
	static char big[ENV_TEXT_MAX];
	struct env e;

	ok(env_init(&e, NULL) == 0 && e.vars && !e.vars[0], "a NULL base is an empty environment");
	errno = 0;
	ok(env_set(&e, "A=B", "c") < 0 && errno == EINVAL, "a key with '=' is refused (EINVAL)");
	errno = 0;
	ok(env_set(&e, "", "c") < 0 && errno == EINVAL, "an empty key is refused (EINVAL)");
	memset(big, 'v', sizeof big - 1);
	errno = 0;
	ok(env_set(&e, "BIG", big) < 0 && errno == E2BIG && !e.vars[0], "a value past ENV_TEXT_MAX is refused (E2BIG)");
	int set = 0;
	char key[16];
	for (int i = 0; i < ENV_SET_MAX + 1; i++) {
		key[0] = 'K';
		key[1] = (char)('a' + i);
		key[2] = 0;
		set += env_set(&e, key, "1") == 0;
	}
	is_int(set, ENV_SET_MAX, "ENV_SET_MAX new keys fit, one more does not");
	is_int(length(e.vars), ENV_SET_MAX, "the list stays NULL-terminated");
	env_free(&e);
	env_free(&e);
	ok(1, "env_free twice is harmless");
}

/* A real child gets e (run_wait's env), and ours stays as it was. */
static void test_child(void)
{
	struct tether_ctx ctx;
	struct env e;
	char *argv[] = { "sh", "-c", "test \"$TETHER_ENV_TEST\" = child", NULL };
	char **ours;
	int status = -1;

	ctx_init(&ctx);
	setenv("TETHER_ENV_TEST", "ours", 1);
	ours = environ;
	ok(env_init(&e, environ) == 0 && env_set(&e, "TETHER_ENV_TEST", "child") == 0, "env built from environ");
	ok(run_wait(&ctx, argv, e.vars, 5000, &status) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "run_wait with e: the child sees TETHER_ENV_TEST=child");
	ok(run_wait(&ctx, argv, NULL, 5000, &status) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 1,
	   "run_wait with NULL: the child gets ours");
	ok(environ == ours, "our environ is the same array");
	is_str(getenv("TETHER_ENV_TEST"), "ours", "and our value is unchanged");
	env_free(&e);
}

int main(void)
{
	test_replace();
	test_errors();
	test_child();
	return tap_done();
}
