/* daemontools for real: svscan, two supervise services. */
#include "test_sup_real.h"

int main(void)
{
	static const char *const scan[] = { "svscan", NULL };
	const struct real_sup dt = { "daemontools", OWNER_DAEMONTOOLS, scan, "supervise" };

	if (!CONFIG_SUP_DAEMONTOOLS)
		tap_skip_all("CONFIG_SUP_DAEMONTOOLS is off");
	return real_suite(&dt);
}
