/* Tool-driven routes (systemctl, init scripts, rc-service) and sup_print. */
#include "test_sup_real.h"

#define SCRIPT_LOG "calls"

struct initd {
	char dir[PATH_MAX - 64];
	char log[PATH_MAX];
};

static int call(int (*fn)(struct tether_ctx *, const struct owner *), const struct owner *o, char *msg, size_t cap)
{
	struct tether_ctx ctx;
	struct real_capture cap_;
	int r;

	ctx_init(&ctx);
	real_capture_begin(&cap_);
	r = fn(&ctx, o);
	snprintf(msg, cap, "%s", real_capture_end(&cap_));
	return r;
}

static void owner_of(struct owner *o, enum owner_type type, const char *unit, int uid, const char *service)
{
	owner_clear(o);
	o->type = type;
	o->uid = uid;
	snprintf(o->unit, sizeof o->unit, "%s", unit);
	snprintf(o->service, sizeof o->service, "%s", service);
}

static void with_path(const char *path, const char *name, enum owner_type type, const char *tool)
{
	struct owner o;
	char msg[REAL_LINE_MAX], want[64];
	char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	owner_of(&o, type, "foo.service", -1, "foo");
	setenv("PATH", path, 1);
	int r = call(sup_restart, &o, msg, sizeof msg);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	is_int(r, EX_NOTOOL, name);
	snprintf(want, sizeof want, "%s not found in PATH", tool);
	ok(strstr(msg, want) != NULL, "the message says \"%s\"", want);
}

static void systemd_routes(void)
{
	struct owner o;
	char msg[REAL_LINE_MAX];

	if (!CONFIG_SUP_SYSTEMD) {
		owner_of(&o, OWNER_SYSTEMD, "foo.service", -1, "");
		is_int(call(sup_restart, &o, msg, sizeof msg), EX_FAIL, "systemd compiled out: refused");
		ok(strstr(msg, "not supported by this build") != NULL, "the message says the build lacks it");
		return;
	}
	with_path("/nonexistent", "systemd without systemctl: EX_NOTOOL", OWNER_SYSTEMD, "systemctl");
	owner_of(&o, OWNER_SYSTEMD, "", -1, "");
	is_int(call(sup_restart, &o, msg, sizeof msg), EX_FAIL, "systemd without a unit: refused");
	if (system("command -v systemctl >/dev/null && ! test -d /run/systemd/system") != 0) {
		tap_skip("systemctl refuses here", "needs systemctl installed and systemd not running");
		return;
	}
	owner_of(&o, OWNER_SYSTEMD, "tether-test-nonexistent.service", -1, "");
	is_int(call(sup_restart, &o, msg, sizeof msg), EX_FAIL, "real systemctl without systemd: refused");
	ok(strstr(msg, "systemctl restart -- tether-test-nonexistent.service failed") != NULL,
	   "the message names the command line");
	owner_of(&o, OWNER_SYSTEMD, "tether-test-nonexistent.service", 1000, "");
	is_int(call(sup_stop, &o, msg, sizeof msg), EX_FAIL, "real systemctl, user unit: refused");
	ok(strstr(msg, "systemctl --user -M 1000@ stop -- tether-test-nonexistent.service") != NULL,
	   "user units go through the user's manager");
}

static void initd_script(struct initd *d, const char *name, const char *body)
{
	char path[PATH_MAX + 32], text[PATH_MAX + 512];

	snprintf(path, sizeof path, "%s/%s", d->dir, name);
	snprintf(text, sizeof text, "#!/bin/sh\necho \"%s $*\" >> '%s'\n%s\n", name, d->log, body);
	real_write_file(path, text, 0755);
}

static void procd_routes(void)
{
	struct initd d;
	struct owner o;
	char msg[REAL_LINE_MAX], calls[REAL_LINE_MAX], cmd[PATH_MAX + 16];

	if (!CONFIG_SUP_PROCD) {
		tap_skip("procd routes", "CONFIG_SUP_PROCD is off");
		return;
	}
	snprintf(d.dir, sizeof d.dir, "/tmp/tether-initd.XXXXXX");
	if (!mkdtemp(d.dir))
		return;
	snprintf(d.log, sizeof d.log, "%s/%s", d.dir, SCRIPT_LOG);
	setenv("TETHER_INITD_DIR", d.dir, 1);
	initd_script(&d, "dnsmasq", "exit 0");
	initd_script(&d, "broken", "exit 3");
	initd_script(&d, "crashing", "kill -KILL $$");

	owner_of(&o, OWNER_PROCD, "", -1, "dnsmasq");
	snprintf(o.instance, sizeof o.instance, "instance1");
	is_int(call(sup_restart, &o, msg, sizeof msg), EX_DONE, "procd restart: init script accepted");
	is_int(call(sup_stop, &o, msg, sizeof msg), EX_DONE, "procd stop: init script accepted");
	real_read(d.log, calls, sizeof calls);
	is_str(calls, "dnsmasq restart\ndnsmasq stop\n", "the init script ran with restart, then stop");

	owner_of(&o, OWNER_PROCD, "", -1, "broken");
	is_int(call(sup_restart, &o, msg, sizeof msg), EX_FAIL, "an init script that fails: refused");
	ok(strstr(msg, "/broken restart failed (exit 3)") != NULL, "the message gives its exit status");
	owner_of(&o, OWNER_PROCD, "", -1, "crashing");
	is_int(call(sup_restart, &o, msg, sizeof msg), EX_FAIL, "an init script killed by a signal: refused");
	owner_of(&o, OWNER_PROCD, "", -1, "missing");
	is_int(call(sup_restart, &o, msg, sizeof msg), EX_NOTOOL, "no init script: EX_NOTOOL");
	ok(strstr(msg, "/missing not found") != NULL, "the message names the script");
	owner_of(&o, OWNER_PROCD, "", -1, "");
	is_int(call(sup_restart, &o, msg, sizeof msg), EX_FAIL, "procd service unknown: refused");
	owner_of(&o, OWNER_PROCD, "", -1, "../dnsmasq");
	is_int(call(sup_restart, &o, msg, sizeof msg), EX_FAIL, "a service name with '/': refused");
	real_read(d.log, calls, sizeof calls);
	is_str(calls, "dnsmasq restart\ndnsmasq stop\nbroken restart\ncrashing restart\n",
	       "nothing else was run");

	unsetenv("TETHER_INITD_DIR");
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d.dir);
	ok(system(cmd) == 0, "init.d dir removed");
}

static void openrc_routes(void)
{
	struct owner o;
	char msg[REAL_LINE_MAX];

	if (!CONFIG_SUP_OPENRC) {
		tap_skip("openrc routes", "CONFIG_SUP_OPENRC is off");
		return;
	}
	with_path("/nonexistent", "openrc without rc-service: EX_NOTOOL", OWNER_OPENRC, "rc-service");
	owner_of(&o, OWNER_OPENRC, "", -1, "-x");
	is_int(call(sup_restart, &o, msg, sizeof msg), EX_FAIL, "an option as service name: refused");
}

static void unsupervised(void)
{
	struct owner o;
	char msg[REAL_LINE_MAX];

	owner_of(&o, OWNER_NONE, "", -1, "");
	is_int(call(sup_restart, &o, msg, sizeof msg), EX_FAIL, "owner none: nothing to restart through");
	ok(strstr(msg, "not supervised") != NULL, "the message says so");
	owner_of(&o, OWNER_UNKNOWN, "", -1, "");
	is_int(call(sup_stop, &o, msg, sizeof msg), EX_FAIL, "owner unknown: refused");
}

static const char *json_of(const struct owner *o)
{
	static char buf[REAL_LINE_MAX];
	int p[2];
	ssize_t n;

	if (pipe(p) < 0)
		return "";
	sup_print(o, 1, p[1]);
	close(p[1]);
	n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static void printing(void)
{
	struct owner o;

	owner_of(&o, OWNER_SYSTEMD, "foo.service", -1, "");
	is_str(real_line(&o), "owner=systemd unit=foo.service scope=system", "print: system unit");
	owner_of(&o, OWNER_SYSTEMD, "bar.service", 1000, "");
	is_str(real_line(&o), "owner=systemd unit=bar.service scope=user uid=1000", "print: user unit");
	owner_of(&o, OWNER_PROCD, "", -1, "dnsmasq");
	snprintf(o.instance, sizeof o.instance, "instance1");
	is_str(real_line(&o), "owner=procd service=dnsmasq instance=instance1", "print: procd");
	owner_of(&o, OWNER_OPENRC, "", -1, "sshd");
	is_str(real_line(&o), "owner=openrc service=sshd", "print: openrc");
	owner_of(&o, OWNER_RUNIT, "", -1, "");
	snprintf(o.dir, sizeof o.dir, "/etc/sv/a b\nc\\x2d");
	is_str(real_line(&o), "owner=runit dir=/etc/sv/a\\x20b\\x0ac\\x2d", "print: blanks and newlines escaped");
	owner_of(&o, OWNER_NONE, "", -1, "");
	is_str(real_line(&o), "owner=none", "print: none");
	if (!CONFIG_JSON) {
		tap_skip("print --json", "CONFIG_JSON is off");
		return;
	}
	owner_of(&o, OWNER_SYSTEMD, "bar.service", 1000, "");
	is_str(json_of(&o), "{\"owner\":\"systemd\",\"unit\":\"bar.service\",\"scope\":\"user\",\"uid\":1000}\n",
	       "json: user unit, uid a number");
	owner_of(&o, OWNER_S6, "", -1, "");
	snprintf(o.dir, sizeof o.dir, "/run/s\"6\n");
	is_str(json_of(&o), "{\"owner\":\"s6\",\"dir\":\"/run/s\\\"6\\u000a\"}\n", "json: strings escaped");
	owner_of(&o, OWNER_NONE, "", -1, "");
	is_str(json_of(&o), "{\"owner\":\"none\"}\n", "json: none");
}

int main(void)
{
	systemd_routes();
	procd_routes();
	openrc_routes();
	unsupervised();
	printing();
	return tap_done();
}
