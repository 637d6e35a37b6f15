/* s6 for real: s6-svscan, two s6-supervise services. */
#include "test_sup_real.h"

int main(void)
{
	static const char *const scan[] = { "s6-svscan", NULL };
	const struct real_sup s6 = { "s6", OWNER_S6, scan, "s6-supervise" };

	if (!CONFIG_SUP_S6)
		tap_skip_all("CONFIG_SUP_S6 is off");
	return real_suite(&s6);
}
