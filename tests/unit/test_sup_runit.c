/* runit for real: runsvdir, two runsv services, sup_* through supervise/control. */
#include "test_sup_real.h"

int main(void)
{
	static const char *const scan[] = { "runsvdir", NULL };
	const struct real_sup runit = { "runit", OWNER_RUNIT, scan, "runsv" };

	if (!CONFIG_SUP_RUNIT)
		tap_skip_all("CONFIG_SUP_RUNIT is off");
	return real_suite(&runit);
}
