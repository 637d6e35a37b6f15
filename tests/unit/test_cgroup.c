/* cgroup: picking the path from /proc/<pid>/cgroup and naming its owner. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "tap.h"

#define VERDICT_MAX 512
#define LONG_PATH (CGROUP_PATH_MAX + 100)

/* "nopath", "none", "systemd UNIT UID" or "procd SERVICE INSTANCE". */
static const char *verdict(const char *text, size_t len, char *out)
{
	char path[CGROUP_PATH_MAX];
	struct owner o;

	owner_clear(&o);
	if (cgroup_pick_path(text, len, path, sizeof path) < 0)
		snprintf(out, VERDICT_MAX, "nopath");
	else if (cgroup_systemd_owner(path, &o))
		snprintf(out, VERDICT_MAX, "systemd %s %d", o.unit, o.uid);
	else if (cgroup_procd_owner(path, &o))
		snprintf(out, VERDICT_MAX, "procd %s %s", o.service, o.instance);
	else
		snprintf(out, VERDICT_MAX, "none");
	return out;
}

static void owner_is(const char *text, const char *want, const char *name)
{
	char out[VERDICT_MAX];

	is_str(verdict(text, strlen(text), out), want, name);
}

static void file_is(const char *file, const char *want)
{
	char path[1024], buf[CGROUP_FILE_MAX], out[VERDICT_MAX];
	const char *src = getenv("TETHER_SRC");
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof path, "%s/tests/data/cgroup/%s", src ? src : ".", file);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof buf);
		close(fd);
	}
	if (!ok(n > 0, "saved file %s is readable", file))
		return;
	is_str(verdict(buf, (size_t)n, out), want, file);
}

static void path_is(const char *text, size_t len, const char *want, const char *name)
{
	char path[CGROUP_PATH_MAX];
	int r = cgroup_pick_path(text, len, path, sizeof path);

	is_str(r == 0 ? path : "(none)", want, name);
}

static void saved_files(void)
{
	file_is("v2-service", "systemd foo.service -1");
	file_is("v2-template", "systemd getty@tty1.service -1");
	file_is("v2-user-service", "systemd bar.service 1000");
	file_is("v2-user-service-old", "systemd pulseaudio.service 1000");
	file_is("v2-user-manager", "none");
	file_is("v2-session-scope", "none");
	file_is("v2-init-scope", "none");
	file_is("v2-subcgroup", "systemd foo.service -1");
	file_is("v2-escaped", "systemd openvpn-client@my\\x2dvpn.service -1");
	file_is("v2-container-payload", "systemd foo.service -1");
	file_is("v2-nspawn-from-host", "systemd nginx.service -1");
	file_is("v2-procd", "procd dnsmasq instance1");
	file_is("v1-legacy", "systemd foo.service -1");
	file_is("v1-docker", "none");
	file_is("hybrid", "systemd foo.service -1");
	file_is("hybrid-unified-root", "systemd foo.service -1");
	file_is("openwrt-v1-none", "nopath");
}

static void systemd_paths(void)
{
	owner_is("0::/system.slice/foo.service\n", "systemd foo.service -1", "system service");
	owner_is("0::/system.slice/foo.service", "systemd foo.service -1", "last line without newline");
	owner_is("0::/foo.service\n", "systemd foo.service -1", "service in the root slice");
	owner_is("0::/user.slice/user-1000.slice/user@1000.service\n", "none", "user manager itself: no owner");
	owner_is("0::/user.slice/user-0.slice/user@0.service/app.slice/app-x.slice/x.service\n",
		 "systemd x.service 0", "user unit of uid 0 in a nested app slice");
	owner_is("0::/user.slice/user-1000.slice/user@1000.service/app.slice/bar.service/sub\n",
		 "systemd bar.service 1000", "sub-cgroup of a user unit");
	owner_is("0::/system.slice/foo.service/x.service\n", "systemd foo.service -1",
		 "a *.service sub-cgroup inside a unit still belongs to the unit");
	owner_is("0::/system.slice/lxc@c1.service/lxc.payload.c1/system.slice/web.service\n",
		 "systemd web.service -1", "innermost unit of a delegated container tree");
	owner_is("0::/system.slice\n", "none", "a slice alone");
	owner_is("0::/\n", "none", "the root");
	owner_is("0::/system.slice/foo.socket\n", "none", "a socket unit is no service");
	owner_is("0::/system.slice/foo.mount\n", "none", "a mount unit is no service");
	owner_is("0::/payload\n", "none", "a non-unit top cgroup");
	owner_is("0::/system.slice/.service\n", "none", "a bare suffix is no unit");
	owner_is("0::/system.slice/foo bar.service\n", "none", "a blank in a unit name");
	owner_is("0::/system.slice/fo\"o.service\n", "none", "a quote in a unit name");
	owner_is("0::/system.slice/../foo.service\n", "none", "a dot-dot component");
	owner_is("0::/user.slice/user-1000.slice/user@1000.service/../x.service\n", "none",
		 "dot-dot under a user manager");
	owner_is("0::/user.slice/user-1000.slice/user@99999999999.service/app.slice/x.service\n",
		 "systemd x.service -1", "uid out of range: not a user manager");
	owner_is("0::/user.slice/user-1000.slice/user@1x0.service/app.slice/x.service\n",
		 "systemd x.service -1", "non-numeric uid: not a user manager");
	owner_is("0:://system.slice//foo.service//\n", "systemd foo.service -1", "doubled slashes");
}

static void unit_name_lengths(void)
{
	char text[600], want[600];
	int base = OWNER_UNIT_MAX - 1 - (int)strlen(".service");

	snprintf(text, sizeof text, "0::/system.slice/%0*d.service\n", base, 0);
	snprintf(want, sizeof want, "systemd %0*d.service -1", base, 0);
	owner_is(text, want, "a 255-byte unit name fits");
	snprintf(text, sizeof text, "0::/system.slice/%0*d.service\n", base + 1, 0);
	owner_is(text, "none", "a 256-byte unit name does not");
}

static void procd_paths(void)
{
	owner_is("0::/services/dnsmasq/cfg01411c\n", "procd dnsmasq cfg01411c", "procd instance");
	owner_is("0::/services/dnsmasq/instance1/child\n", "procd dnsmasq instance1", "procd sub-cgroup");
	owner_is("0::/services/dnsmasq\n", "procd dnsmasq ", "procd service without instance");
	owner_is("0::/services\n", "none", "procd root alone");
	owner_is("0::/services/\n", "none", "procd root with a slash");
	owner_is("0::/services/..\n", "none", "procd dot-dot service");
	owner_is("0::/services/x/..\n", "none", "procd dot-dot instance");
	owner_is("0::/other/services/x/y\n", "none", "services not at the root");
}

static void picking(void)
{
	const char hybrid[] = "1:name=systemd:/system.slice/a.service\n0::/system.slice/b.service\n";
	const char legacy_unified[] = "1:name=systemd:/system.slice/a.service\n0::/\n";
	const char named_list[] = "2:cpu,name=systemd,memory:/x.service\n";
	const char not_systemd[] = "1:name=systemdx:/x.service\n3:xname=systemd:/y.service\n";
	const char two_v2[] = "0::/first.service\n0::/second.service\n";
	const char v2_root_only[] = "3:cpu:/x\n0::/\n";
	const char crlf[] = "0::/system.slice/foo.service\r\n";
	const char colon[] = "0::/system.slice/a:b/c\n";
	const char deleted[] = "1:name=systemd:/system.slice/a.service\n0::/system.slice/b.service (deleted)\n";

	path_is(hybrid, sizeof hybrid - 1, "/system.slice/b.service", "hybrid: the 0:: line wins");
	path_is(legacy_unified, sizeof legacy_unified - 1, "/system.slice/a.service",
		"hybrid with 0::/ falls back to name=systemd");
	path_is(named_list, sizeof named_list - 1, "/x.service", "name=systemd inside a controller list");
	path_is(not_systemd, sizeof not_systemd - 1, "(none)", "only the exact name=systemd counts");
	path_is(two_v2, sizeof two_v2 - 1, "/first.service", "the first 0:: line wins");
	path_is(v2_root_only, sizeof v2_root_only - 1, "/", "0::/ alone is still a path");
	path_is(crlf, sizeof crlf - 1, "/system.slice/foo.service", "a CR before the newline is dropped");
	path_is(colon, sizeof colon - 1, "/system.slice/a:b/c", "a path may hold ':'");
	path_is(deleted, sizeof deleted - 1, "/system.slice/a.service", "a (deleted) cgroup is skipped");
}

static void hostile(void)
{
	const char nul_line[] = "0::/system.slice/fo\0o.service\n1:name=systemd:/system.slice/ok.service\n";
	const char nul_only[] = "0::/system.slice/fo\0o.service\n";
	const char garbage[] = "hello\nworld:\n::\n:::/x\nabc:def:/x\n-1::/x\n0:/x\n0::x\n\n\n";
	char out[VERDICT_MAX];

	owner_is("", "nopath", "empty text");
	owner_is("\n\n\n", "nopath", "only empty lines");
	owner_is(garbage, "nopath", "garbage lines are skipped");
	is_str(verdict(nul_line, sizeof nul_line - 1, out), "systemd ok.service -1",
	       "a line with a NUL byte is skipped, the next one used");
	is_str(verdict(nul_only, sizeof nul_only - 1, out), "nopath", "a NUL byte never truncates a unit");
	is_str(verdict("0::/a.service", 0, out), "nopath", "length 0 reads nothing");
	is_str(verdict("0::/a.service\n", 9, out), "none", "the length bounds the text, not the NUL");

	char *big = malloc(LONG_PATH + 64);
	size_t n = (size_t)snprintf(big, 64, "0::/system.slice/");
	memset(big + n, 'a', LONG_PATH);
	n += LONG_PATH;
	n += (size_t)snprintf(big + n, 64, ".service\n1:name=systemd:/short.service\n");
	is_str(verdict(big, n, out), "systemd short.service -1", "a path longer than the bound is skipped");
	char small[16];
	ok(cgroup_pick_path("0::/system.slice/foo.service\n", 29, small, sizeof small) < 0,
	   "a path longer than the caller's buffer is skipped, never cut");
	free(big);

	size_t huge_len = 1 << 20;
	char *huge = malloc(huge_len + 64);
	for (size_t i = 0; i < huge_len; i++)
		huge[i] = i % 97 == 96 ? '\n' : (char)(i * 31 + 7);
	n = huge_len + (size_t)snprintf(huge + huge_len, 64, "\n0::/system.slice/late.service\n");
	is_str(verdict(huge, n, out), "systemd late.service -1", "a megabyte of binary noise before the line");
	free(huge);
}

int main(void)
{
	saved_files();
	systemd_paths();
	unit_name_lengths();
	procd_paths();
	picking();
	hostile();
	return tap_done();
}
