/* sys: the working directory without musl's getcwd (which links malloc). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"
#include "tap.h"

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
	return tap_done();
}
