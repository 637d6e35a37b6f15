/* BusyBox's runit applets for real (`busybox runsvdir`), when this
 * BusyBox has them; detection of `busybox runsv` parents is also covered
 * on a prepared /proc tree in test_sup_detect. */
#include "test_sup_real.h"

static int has_applets(void)
{
	FILE *f = popen("busybox --list 2>/dev/null", "r");
	char line[64];
	int found = 0;

	while (f && fgets(line, sizeof line, f))
		found += !strcmp(line, "runsv\n") || !strcmp(line, "runsvdir\n");
	if (f)
		pclose(f);
	return found == 2;
}

int main(void)
{
	static const char *const scan[] = { "busybox", "runsvdir", NULL };
	const struct real_sup bb = { "busybox-runit", OWNER_RUNIT, scan, "runsv" };

	if (!CONFIG_SUP_RUNIT)
		tap_skip_all("CONFIG_SUP_RUNIT is off");
	if (!has_applets())
		tap_skip_all("this busybox has no runsv/runsvdir applets (Debian's busybox-static lacks them)");
	return real_suite(&bb);
}
