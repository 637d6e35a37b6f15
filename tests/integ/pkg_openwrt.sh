#!/bin/sh
# The OpenWrt package (board/openwrt/tether/Makefile) against strict stubs
# of OpenWrt's rules.mk and package.mk (tests/stubs/openwrt): its metadata
# and menuconfig options parse, the options reach tether's own .config, and
# Build/Prepare, Build/Configure, Build/Compile and the install defines
# really build and install tether from this tree, with the host compiler
# standing in for OpenWrt's.
# shellcheck source=tests/integ/lib.sh
. "$TETHER_SRC/tests/integ/lib.sh"
have make || skip_all "make is missing"
unset MAKEFLAGS MFLAGS MAKELEVEL  # this is not the outer make's build

stubs=$TETHER_SRC/tests/stubs/openwrt
out=$TMP/owrt
mkdir -p "$out"
version=$(sed -n 's/^#define TETHER_VERSION "\(.*\)"/\1/p' "$TETHER_SRC/src/version.h")
cc=cc
have musl-gcc && cc=musl-gcc  # OpenWrt's toolchains are musl's
jobs=$(nproc 2>/dev/null || echo 2)

owrt() { # owrt PKGDIR ARGS...: the package Makefile under the stubs
	_d=$1; shift
	make -C "$_d" --no-print-directory -j"$jobs" TOPDIR="$stubs" STUB_OUT="$out" "$@"
}
pkg=$TETHER_SRC/board/openwrt/tether
# CONFIG_TETHER_* may be undefined (an option set to n); PKG_*, TETHER_* not.
warned() { grep "undefined variable '\(PKG_\|TETHER_\)" "$1"; }

# --- metadata, as OpenWrt's scan reads it ---
owrt "$pkg" --warn-undefined-variables stub-dump >"$TMP/meta" 2>"$TMP/err"
is $? 0 "the package Makefile parses; BuildPackage finds every field and define"
[ -s "$TMP/err" ] && sed 's/^/# /' "$TMP/err"
is "$(warned "$TMP/err")" "" "no undefined PKG_ or TETHER_ variable is read"
like "$(cat "$TMP/meta")" "*name=tether version=$version-r1 section=utils category=Utilities depends=*" \
	"tether: version from src/version.h, Utilities, no dependencies"
like "$(cat "$TMP/meta")" "*name=tether-demo version=$version-r1 *depends=+tether*" \
	"tether-demo (the example service) depends on tether"

bad=
for o in $(owrt "$pkg" -s stub-print-TETHER_OPTIONS); do
	grep -q "^config $o\$" "$TETHER_SRC/Kconfig" || bad="$bad $o"
done
is "$bad" "" "every package option sets a symbol of tether's Kconfig"

# --- menuconfig: the options as OpenWrt's Kconfig reads them ---
if have kconfig-conf; then
	printf 'mainmenu "stub"\nconfig PACKAGE_tether\n\tbool "tether"\n\tdefault y\nsource "%s"\n' \
		"$out/tether.Config.in" >"$out/Config.in"
	KCONFIG_CONFIG=$out/dotconfig kconfig-conf --olddefconfig "$out/Config.in" >"$TMP/kc" 2>&1
	is $? 0 "Package/tether/config is valid Kconfig"
	[ -s "$out/dotconfig" ] || sed 's/^/# /' "$TMP/kc"
else
	skip "Package/tether/config is valid Kconfig" "kconfig-conf missing (kconfig-frontends)"
	awk '$1 == "config" { s = $2 } $1 == "default" && $2 == "y" { print "CONFIG_" s "=y" }' \
		"$out/tether.Config.in" >"$out/dotconfig"
fi
like "$(cat "$out/dotconfig")" "*CONFIG_TETHER_SUP_PROCD=y*" "procd backend on by default"
ok "$(grep -q '^CONFIG_TETHER_SUP_SYSTEMD=y' "$out/dotconfig"; echo $((!$?)))" "systemd backend off by default"

# --- the build commands, printed (MAKE=echo: no recursion) ---
owrt "$pkg" -n --warn-undefined-variables MAKE='echo make' STUB_DOTCONFIG="$out/dotconfig" \
	TARGET_CC=target-cc compile install >"$TMP/cmds" 2>"$TMP/err"
is $? 0 "make -n compile install runs"
is "$(warned "$TMP/err")" "" "the build commands read no undefined PKG_ or TETHER_ variable"
like "$(cat "$TMP/cmds")" "*make -C */build_dir/tether-$version *ARCH=external*CC=\"target-cc\"*" \
	"Build/Compile hands OpenWrt's compiler to tether's Makefile (ARCH=external)"

# --- the real thing: prepare, configure, compile, install ---
owrt "$pkg" STUB_DOTCONFIG="$out/dotconfig" TARGET_CC="$cc" compile install >"$TMP/build" 2>&1
rc=$?
is "$rc" 0 "prepare, configure, compile and install succeed with $cc"
[ "$rc" -eq 0 ] || tail -20 "$TMP/build" | sed 's/^/# /'
bin=$out/ipkg/tether/usr/sbin/tether
ok "$([ -x "$bin" ]; echo $?)" "tether is installed as /usr/sbin/tether"
is "$("$bin" --version 2>&1)" "tether $version" "the installed binary runs and reports the package version"

build=$out/build_dir/tether-$version
make -C "$build" --no-print-directory KCONFIG_CONFIG="$TMP/ath79.config" openwrt-ath79_defconfig >/dev/null 2>&1
norm() { grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$1" | sort; }
is "$(norm "$build/build/openwrt.config")" "$(norm "$TMP/ath79.config")" \
	"with default options, tether's config equals board/openwrt-ath79/defconfig's"
help=$("$bin" --help)
like "$help" "*detect*" "an option on by default (detect) is in the binary"
case $help in *cbor-diag*) ok 1 "an option off by default (cbor-diag) is not" ;; *) ok 0 "an option off by default (cbor-diag) is not" ;; esac
ok "$([ -f "$out/ipkg/tether/lib/upgrade/keep.d/tether" ]; echo $?)" "keep.d file installed"
ok "$([ -f "$out/ipkg/tether/etc/uci-defaults/90-tether" ]; echo $?)" "uci-defaults script installed"
ok "$([ ! -e "$out/ipkg/tether/etc/init.d" ]; echo $?)" "tether itself installs no init script (none starts by itself)"
ok "$([ -x "$out/ipkg/tether-demo/etc/init.d/tether-demo" ]; echo $?)" "tether-demo installs /etc/init.d/tether-demo"
ok "$([ -x "$out/ipkg/tether-demo/usr/libexec/tether/demo-daemon" ]; echo $?)" "and its demo daemon"

# An option changed in menuconfig reaches the binary.
sed 's/^# CONFIG_TETHER_CMD_CBOR_DIAG is not set/CONFIG_TETHER_CMD_CBOR_DIAG=y/' "$out/dotconfig" >"$out/dotconfig2"
rm -f "$build/.configured" "$build/.built"
owrt "$pkg" STUB_DOTCONFIG="$out/dotconfig2" TARGET_CC="$cc" compile install >"$TMP/build" 2>&1
is $? 0 "rebuild with TETHER_CMD_CBOR_DIAG=y"
like "$("$bin" --help)" "*cbor-diag*" "cbor-diag is now in the binary"

# --- as OpenWrt's ath79 target: a MIPS cross compiler against musl ---
row=$(awk '$1 == "mips"' "$TETHER_SRC/cross/targets")
triplet=$(echo "$row" | awk '{ print $2 }')
sysroot=$TETHER_SRC/build/sysroot/mips
if [ -n "$row" ] && have "$triplet-gcc" && [ -f "$sysroot/lib/musl-gcc.specs" ]; then
	mout=$TMP/owrt-mips
	mkdir -p "$mout"
	owrt "$pkg" STUB_OUT="$mout" STUB_DOTCONFIG="$out/dotconfig" \
		TARGET_CC="$triplet-gcc -specs $sysroot/lib/musl-gcc.specs" \
		TARGET_CFLAGS="-Os -pipe $(echo "$row" | awk '{ for (i = 5; i <= NF; i++) printf "%s ", $i }')" \
		compile install >"$TMP/build" 2>&1
	is $? 0 "the package cross-builds with a MIPS toolchain (TARGET_CC, TARGET_CFLAGS)"
	mbin=$mout/ipkg/tether/usr/sbin/tether
	# shellcheck disable=SC2254 # the pattern comes from cross/targets
	case $(file -b "$mbin" 2>/dev/null) in
	$(echo "$row" | awk '{ print $4 }')) ok 0 "the installed binary is a MIPS32 executable" ;;
	*) ok 1 "the installed binary is a MIPS32 executable"; diag "$(file -b "$mbin")" ;;
	esac
	if have qemu-mips-static; then
		is "$(qemu-mips-static "$mbin" --version 2>&1)" "tether $version" "and runs under qemu-mips"
	else
		skip "and runs under qemu-mips" "qemu-user-static missing"
	fi
else
	skip "the package cross-builds with a MIPS toolchain" \
		"needs $triplet-gcc and build/sysroot/mips (make cross-sysroots)"
fi

# --- the stubs are strict: typos fail ---
typo() { # typo SED DESCRIPTION PATTERN
	rm -rf "$TMP/tree"
	mkdir -p "$TMP/tree/board/openwrt/tether" "$TMP/tree/src"
	cp "$TETHER_SRC/src/version.h" "$TMP/tree/src/"
	sed "$1" "$pkg/Makefile" >"$TMP/tree/board/openwrt/tether/Makefile"
	rm -rf "$TMP/typo-out" && mkdir "$TMP/typo-out"
	owrt "$TMP/tree/board/openwrt/tether" STUB_OUT="$TMP/typo-out" --warn-undefined-variables \
		stub-dump >/dev/null 2>"$TMP/err" &&
		owrt "$TMP/tree/board/openwrt/tether" STUB_OUT="$TMP/typo-out" -n --warn-undefined-variables \
			MAKE='echo make' compile >/dev/null 2>>"$TMP/err" && ! warned "$TMP/err" >/dev/null
	rc=$?
	ok "$([ "$rc" -ne 0 ] && grep -q "$3" "$TMP/err"; echo $?)" "$2"
	[ "$rc" -ne 0 ] || diag "stub accepted: $1"
}
typo 's|define Package/tether/install|define Package/tether/instal|' \
	"a misspelt install define fails" "Package/tether/install is missing"
typo 's|^PKG_RELEASE:=|PKG_RELASE:=|' "a misspelt PKG_ variable fails" "PKG_RELEASE must be set"
typo 's|^PKG_MAINTAINER:=|PKG_MAINTAINR:=|' "an unknown PKG_ variable fails" "PKG_MAINTAINR is not"
typo 's|CMD_DETECT CMD_CBOR_DIAG|CMD_DETCT CMD_CBOR_DIAG|' \
	"an option no Package/*/config declares fails" "CONFIG_TETHER_CMD_DETCT in PKG_CONFIG_DEPENDS"
typo 's|^  TITLE:=Keep|  TITEL:=Keep|' "a package without TITLE fails" "missing the TITLE field"
typo 's|^TETHER_MAKE_FLAGS:=|TETHER_MAKE_FLAG:=|' "a misspelt helper variable is caught" "TETHER_MAKE_FLAGS'"

done_testing
