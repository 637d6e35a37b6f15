#!/bin/sh
# The Buildroot BR2_EXTERNAL tree (board/buildroot) against strict stubs of
# Buildroot's top level, generic-package and kconfig-package
# (tests/stubs/buildroot): its Config.in parses with the external tree's
# path expanded, and the package's commands really configure (through
# tether's own Kconfig), build and install tether from this tree with the
# host compiler standing in for Buildroot's, with the init-system hooks
# Buildroot calls.
# shellcheck source=tests/integ/lib.sh
. "$TETHER_SRC/tests/integ/lib.sh"
have make || skip_all "make is missing"
unset MAKEFLAGS MFLAGS MAKELEVEL  # this is not the outer make's build

stubs=$TETHER_SRC/tests/stubs/buildroot
version=$(sed -n 's/^#define TETHER_VERSION "\(.*\)"/\1/p' "$TETHER_SRC/src/version.h")
cc=cc
have musl-gcc && cc=musl-gcc
jobs=$(nproc 2>/dev/null || echo 2)

# brconfig EXTDIR OUT LINE...: a Buildroot .config from a defconfig fragment
brconfig() {
	_ext=$1 _out=$2; shift 2
	mkdir -p "$_out"
	printf '%s\n' "$@" >"$_out/frag"
	if have kconfig-conf; then
		CONFIG_='' BR2_EXTERNAL_TETHER_PATH=$_ext KCONFIG_CONFIG=$_out/br.config \
			kconfig-conf --defconfig="$_out/frag" "$stubs/Config.in" >"$_out/kconfig.log" 2>&1
	else  # the fragment, with the package's defaults filled in
		{ cat "$_out/frag"; echo 'BR2_PACKAGE_TETHER_USE_DEFCONFIG=y'
		  grep -q DEFCONFIG= "$_out/frag" || echo 'BR2_PACKAGE_TETHER_DEFCONFIG="host"'; } >"$_out/br.config"
	fi
}
# br EXTDIR OUT MAKEARGS...
br() {
	_ext=$1 _out=$2; shift 2
	make -f "$stubs/Makefile" --no-print-directory BR2_EXTERNAL="$_ext" \
		BR2_CONFIG="$_out/br.config" STUB_OUT="$_out" TARGET_CC="$cc" -j"$jobs" "$@"
}
ext=$TETHER_SRC/board/buildroot
warned() { grep "undefined variable 'TETHER_" "$1"; }
file_in() { [ -f "$1" ] && echo 0 || echo 1; }
none_in() { [ -e "$1" ] && echo 1 || echo 0; }

# --- Config.in, as Buildroot's menuconfig reads it ---
if have kconfig-conf; then
	brconfig "$ext" "$TMP/sysv" BR2_PACKAGE_TETHER=y BR2_PACKAGE_TETHER_DEMO=y BR2_INIT_SYSV=y
	is $? 0 "Config.in parses, sourced through \$BR2_EXTERNAL_TETHER_PATH"
	[ -s "$TMP/sysv/br.config" ] || sed 's/^/# /' "$TMP/sysv/kconfig.log"
	like "$(cat "$TMP/sysv/br.config")" '*BR2_PACKAGE_TETHER_DEFCONFIG="host"*' \
		"the default configuration is tether's host defconfig"
	brconfig "$ext" "$TMP/nommu" BR2_PACKAGE_TETHER=y '# BR2_USE_MMU is not set'
	ok "$(grep -q '^BR2_PACKAGE_TETHER=y' "$TMP/nommu/br.config"; echo $((!$?)))" \
		"tether needs an MMU (fork)"
else
	skip "Config.in parses" "kconfig-conf missing (kconfig-frontends)"
	brconfig "$ext" "$TMP/sysv" BR2_PACKAGE_TETHER=y BR2_PACKAGE_TETHER_DEMO=y BR2_INIT_SYSV=y
fi

# --- the commands, printed (MAKE=echo: no recursion) ---
br "$ext" "$TMP/sysv" -n --warn-undefined-variables MAKE='echo make' tether >"$TMP/cmds" 2>"$TMP/err"
is $? 0 "make -n tether runs"
is "$(warned "$TMP/err")" "" "no undefined TETHER_ variable is read"
like "$(cat "$TMP/cmds")" "*make *CC=\"$cc\"* -C */build/tether-$version ARCH=external *" \
	"the build hands TARGET_CONFIGURE_OPTS to tether's Makefile (ARCH=external)"

# --- the real thing: SysV (and BusyBox) init with the demo ---
br "$ext" "$TMP/sysv" tether >"$TMP/build" 2>&1
rc=$?
is "$rc" 0 "configure, build and install succeed with $cc"
[ "$rc" -eq 0 ] || tail -20 "$TMP/build" | sed 's/^/# /'
t=$TMP/sysv/target
is "$("$t/usr/sbin/tether" --version 2>&1)" "tether $version" "/usr/sbin/tether runs and reports the version"
like "$("$t/usr/sbin/tether" --help)" "*cbor-diag*" "built with the host defconfig (every part on)"
ok "$([ -x "$t/etc/init.d/S90tether-demo" ]; echo $?)" "BR2_INIT_SYSV: the SysV script is installed"
ok "$([ -x "$t/usr/libexec/tether/demo-daemon" ]; echo $?)" "with its demo daemon"
ok "$(none_in "$t/usr/lib/systemd")" "and no systemd unit"

brconfig "$ext" "$TMP/systemd" BR2_PACKAGE_TETHER=y BR2_PACKAGE_TETHER_DEMO=y BR2_INIT_SYSTEMD=y
br "$ext" "$TMP/systemd" tether >"$TMP/build" 2>&1
is $? 0 "build with systemd as init"
t=$TMP/systemd/target
ok "$(file_in "$t/usr/lib/systemd/system/tether-demo.service")" "BR2_INIT_SYSTEMD: the unit is installed"
ok "$(none_in "$t/etc/init.d")" "and no SysV script"

brconfig "$ext" "$TMP/nodemo" BR2_PACKAGE_TETHER=y BR2_INIT_SYSV=y
br "$ext" "$TMP/nodemo" tether >"$TMP/build" 2>&1
is $? 0 "build without the demo"
ok "$(none_in "$TMP/nodemo/target/etc/init.d")$(none_in "$TMP/nodemo/target/usr/libexec")" \
	"no demo: no init script, no demo daemon" 2>/dev/null

# --- a custom tether config file, menuconfig and update-defconfig ---
cp "$TETHER_SRC/board/minimal/defconfig" "$TMP/my_defconfig"
brconfig "$ext" "$TMP/custom" BR2_PACKAGE_TETHER=y BR2_PACKAGE_TETHER_USE_CUSTOM_CONFIG=y \
	"BR2_PACKAGE_TETHER_CUSTOM_CONFIG_FILE=\"$TMP/my_defconfig\"" BR2_INIT_NONE=y
br "$ext" "$TMP/custom" tether >"$TMP/build" 2>&1
is $? 0 "build with a custom config file (board/minimal's)"
help=$("$TMP/custom/target/usr/sbin/tether" --help)
case $help in *detect*) ok 1 "the custom config is used (no detect)" ;; *) ok 0 "the custom config is used (no detect)" ;; esac

# tether-menuconfig runs tether's own menuconfig on the package's .config;
# a stand-in kconfig-mconf switches detect on, as a user would.
mkdir -p "$TMP/bin"
cat >"$TMP/bin/kconfig-mconf" <<'MCONF'
#!/bin/sh
[ "$1" = Kconfig ] && [ -f Kconfig ] || exit 9
sed -i 's/^# CONFIG_CMD_DETECT is not set/CONFIG_CMD_DETECT=y/' "${KCONFIG_CONFIG:-.config}"
MCONF
chmod +x "$TMP/bin/kconfig-mconf"
PATH=$TMP/bin:$PATH br "$ext" "$TMP/custom" tether-menuconfig >"$TMP/build" 2>&1
is $? 0 "make tether-menuconfig runs tether's menuconfig"
br "$ext" "$TMP/custom" tether-update-defconfig >>"$TMP/build" 2>&1
is $? 0 "make tether-update-defconfig"
# savedefconfig keeps only what differs from the defaults: detect (default
# y) is on again when the file no longer turns it off.
ok "$(grep -q 'CONFIG_CMD_DETECT is not set' "$TMP/my_defconfig"; echo $((!$?)))" \
	"saves the change back to the custom file"
ok "$(grep -q 'CONFIG_CMD_UP is not set' "$TMP/my_defconfig"; echo $?)" "and keeps the rest of it"
br "$ext" "$TMP/custom" tether >>"$TMP/build" 2>&1
like "$("$TMP/custom/target/usr/sbin/tether" --help)" "*detect*" "the rebuilt binary has it"

# --- the stubs are strict: typos fail ---
typo() { # typo FILE SED DESCRIPTION PATTERN
	rm -rf "$TMP/tree" "$TMP/typo"
	mkdir -p "$TMP/tree/src" "$TMP/tree/board"
	cp "$TETHER_SRC/src/version.h" "$TMP/tree/src/"
	cp -R "$ext" "$TMP/tree/board/"
	sed -i "$2" "$TMP/tree/board/buildroot/$1"
	brconfig "$TMP/tree/board/buildroot" "$TMP/typo" BR2_PACKAGE_TETHER=y BR2_INIT_SYSV=y &&
		br "$TMP/tree/board/buildroot" "$TMP/typo" -n --warn-undefined-variables MAKE='echo make' \
			tether >/dev/null 2>"$TMP/err" && ! warned "$TMP/err" >/dev/null
	rc=$?
	cat "$TMP/typo/kconfig.log" >>"$TMP/err" 2>/dev/null
	ok "$([ "$rc" -ne 0 ] && grep -q "$4" "$TMP/err"; echo $?)" "$3"
	[ "$rc" -ne 0 ] || diag "stub accepted: $2 in $1"
}
typo package/tether/tether.mk 's/^define TETHER_INSTALL_TARGET_CMDS/define TETHER_INSTAL_TARGET_CMDS/' \
	"a misspelt command variable fails" "TETHER_INSTAL_TARGET_CMDS is neither"
typo package/tether/tether.mk 's/^TETHER_SITE_METHOD =/TETHER_SITE_METOD =/' \
	"a misspelt site method fails" "TETHER_SITE_METOD"
typo package/tether/tether.mk 's/(TETHER_MAKE_OPTS)/(TETHER_MAKE_OTPS)/' \
	"a misspelt reference fails" "TETHER_MAKE_O"
typo external.desc 's/^name: TETHER/name: TETHR/' "a wrong external name fails" "name must be TETHER"
if have kconfig-conf; then
	typo Config.in 's|package/tether|package/tethr|' "a wrong Config.in source path fails" "tethr"
else
	skip "a wrong Config.in source path fails" "kconfig-conf missing"
fi

done_testing
