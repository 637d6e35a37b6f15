# tether: one static multi-call binary.  See README.md for the targets.
#
#   make                      host build, static against musl (musl-gcc)
#   make ARCH=mips|mipsel|armhf|aarch64   cross build (cross/cross.mk)
#   make ARCH=<arch> check    unit tests + tests/cross/*.sh under qemu-user
#   make check-cross          that for every arch; make cross-sysroots
#   make size                 stripped size per built target and board
#   make check                unit + integration tests (TAP, summary line)
#   make SANITIZE=1 check     the same under ASan + UBSan (system compiler)
#   make valgrind-check       the same under valgrind memcheck
#   make <board>_defconfig | defconfig | menuconfig | oldconfig |
#        olddefconfig | savedefconfig
#   make install DESTDIR= PREFIX=
#   V=1 shows the commands.

ARCH ?= host
PREFIX ?= /usr
DESTDIR ?=
KCONFIG_CONFIG ?= .config
SANITIZE ?= 0
VALGRIND ?= 0

ifeq ($(V),1)
Q :=
say = @:
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

WARN := -Wall -Wextra -Werror
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -ffunction-sections -fdata-sections -MMD -MP
BASE_LDFLAGS := -Wl,--gc-sections

# Size: no unwind tables (nothing here unwinds: C, no exceptions), and no
# page padding between a static binary's segments.
SIZE_OPT := -Os -fno-asynchronous-unwind-tables -fno-unwind-tables
SIZE_LINK := -Wl,-z,noseparate-code

ifneq ($(ARCH)$(SANITIZE)$(VALGRIND),host00)
ifneq ($(ARCH),host)
ifneq ($(SANITIZE)$(VALGRIND),00)
$(error SANITIZE=1 and VALGRIND=1 build for the host only, not ARCH=$(ARCH))
endif
endif
endif

ifeq ($(SANITIZE),1)
O ?= build/sanitize
CC := gcc
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LINK := -fsanitize=address,undefined
else ifeq ($(VALGRIND),1)
O ?= build/valgrind
CC := gcc
OPT := -O1 -g
LINK :=
else ifeq ($(ARCH),external)
# Another build system's toolchain (board/openwrt, board/buildroot): CC,
# CFLAGS and LDFLAGS come from its command line; nothing is probed.
O ?= build/external
OPT := $(SIZE_OPT)
LINK := -static $(SIZE_LINK)
else ifeq ($(ARCH),host)
O ?= build/host
MUSL_GCC := $(shell command -v musl-gcc 2>/dev/null)
ifeq ($(MUSL_GCC),)
$(warning musl-gcc not found: building against the system libc instead. Install musl with: apt-get install musl-tools)
CC := cc
else
CC := $(MUSL_GCC)
endif
OPT := $(SIZE_OPT)
LINK := -static $(SIZE_LINK)
else
O ?= build/$(ARCH)
include cross/cross.mk
OPT := $(SIZE_OPT)
LINK := -static $(SIZE_LINK) $(CROSS_LDFLAGS)
endif

CFLAGS ?=
LDFLAGS ?=
ALL_CFLAGS := $(BASE_CFLAGS) $(OPT) -I$(O) -Isrc $(CFLAGS)
ALL_LDFLAGS := $(BASE_LDFLAGS) $(LINK) $(LDFLAGS)

KCONFIG_AWK := awk -f board/kconfig.awk
KCONFIG_CONF := $(shell command -v kconfig-conf 2>/dev/null)
KCONFIG_MCONF := $(shell command -v kconfig-mconf 2>/dev/null)
export KCONFIG_CONFIG

# Configuration targets must not need (or build) a config first.
CONFIG_GOALS := defconfig %_defconfig menuconfig oldconfig olddefconfig savedefconfig clean distclean help
ifeq ($(filter-out $(CONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
NEED_CONFIG := 0
else
NEED_CONFIG := 1
-include $(KCONFIG_CONFIG)
endif

include src/Objs.mk

# Rebuild everything when the compiler or its flags change (V=1 shows them).
ifeq ($(NEED_CONFIG),1)
BUILD_FLAGS := $(CC) $(ALL_CFLAGS) $(SRC_CFLAGS) $(ALL_LDFLAGS)
ifneq ($(BUILD_FLAGS),$(file <$(O)/.flags))
$(shell mkdir -p $(O))
$(file >$(O)/.flags,$(BUILD_FLAGS))
endif
endif

LIB_OBJS := $(addprefix $(O)/,$(lib-y))
CMD_OBJS := $(addprefix $(O)/,$(cmd-y))
TETHER := $(O)/tether
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRCS))
TEST_HELPERS := $(patsubst tests/helpers/%.c,$(O)/helpers/%,$(wildcard tests/helpers/*.c))

.PHONY: all check valgrind-check tests install clean distclean size demo help \
	check-cross cross-sysroots \
	defconfig menuconfig oldconfig olddefconfig savedefconfig
.DEFAULT_GOAL := all
# Keep intermediate objects: make would delete them after check, printing
# "rm ..." after the summary line.
.SECONDARY:

all: $(TETHER)

$(KCONFIG_CONFIG):
	@echo "  CONFIG $@ (defaults from Kconfig)"
	$(Q)$(KCONFIG_AWK) -v mode=config Kconfig board/host/defconfig > $@.tmp && mv $@.tmp $@

$(O)/config.h: $(KCONFIG_CONFIG) Kconfig board/kconfig.awk
	@mkdir -p $(O)
	$(Q)$(KCONFIG_AWK) -v mode=header Kconfig $(KCONFIG_CONFIG) > $@.tmp && mv $@.tmp $@

# What the C library offers, probed with the build's own compiler and
# flags: _Fork (musl 1.2.2, glibc 2.34), which sys.c prefers to fork().
$(O)/libc.h: $(O)/.flags
	@mkdir -p $(O)
	$(Q)printf '#include <unistd.h>\nint main(void) { return _Fork(); }\n' > $(O)/probe_fork.c; \
	if $(CC) $(ALL_CFLAGS) -o $(O)/probe_fork $(O)/probe_fork.c $(ALL_LDFLAGS) >/dev/null 2>&1; \
	then echo '#define HAVE__FORK 1'; else echo '#define HAVE__FORK 0'; fi > $@.tmp && mv $@.tmp $@; \
	rm -f $(O)/probe_fork $(O)/probe_fork.c $(O)/probe_fork.d
$(O)/sys.o: $(O)/libc.h

$(O)/%.o: src/%.c $(O)/config.h $(O)/.flags
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(SRC_CFLAGS) -c -o $@ $<

$(TETHER): $(O)/tether.o $(CMD_OBJS) $(LIB_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS)

$(O)/tests/%.o: tests/unit/%.c $(O)/config.h $(O)/.flags
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<

$(O)/tests/tap.o: tests/unit/tap.c
$(O)/tests/test_%: $(O)/tests/test_%.o $(O)/tests/tap.o $(LIB_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS)

# Programs the integration tests drive (not tests themselves).
$(O)/helpers/%: tests/helpers/%.c
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BASE_CFLAGS) $(OPT) $(CFLAGS) -o $@ $< $(ALL_LDFLAGS)

tests: $(TETHER) $(UNIT_BINS) $(TEST_HELPERS)

TEST_ENV = TETHER=$(abspath $(TETHER)) TETHER_BUILD=$(abspath $(O)) \
	TETHER_SRC=$(CURDIR) TETHER_WRAP="$(TETHER_WRAP)" \
	TETHER_HELPERS=$(abspath $(O))/helpers

CHECK_SCRIPTS ?= $(sort $(filter-out tests/integ/lib.sh,$(wildcard tests/integ/*.sh)))
check: tests
	$(Q)$(TEST_ENV) sh tests/run.sh $(UNIT_BINS) $(CHECK_SCRIPTS)

valgrind-check:
	$(Q)$(MAKE) --no-print-directory VALGRIND=1 \
		TETHER_WRAP="valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no" check

install: $(TETHER)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(TETHER) $(DESTDIR)$(PREFIX)/sbin/tether
	install -m 0644 man/tether.8 $(DESTDIR)$(PREFIX)/share/man/man8/tether.8
	install -d $(DESTDIR)$(PREFIX)/share/tether/hooks
	install -m 0755 rootfs-overlay/usr/share/tether/hooks/post-install $(DESTDIR)$(PREFIX)/share/tether/hooks/post-install

# --- cross builds (cross/): sysroots, checks under qemu, sizes ---

CROSS_ARCHES := $(shell awk '/^[a-z]/ { print $$1 }' cross/targets)

cross-sysroots: $(addprefix build/sysroot/,$(addsuffix /.stamp,$(CROSS_ARCHES)))
build/sysroot/%/.stamp: FORCE
	$(Q)sh cross/musl-sysroot.sh $*

check-cross:
	$(Q)failed=; for a in $(CROSS_ARCHES); do \
		echo "  CHECK  ARCH=$$a"; \
		$(MAKE) --no-print-directory ARCH=$$a O=build/$$a check || failed="$$failed $$a"; \
	done; \
	if [ -n "$$failed" ]; then echo "check-cross failed for:$$failed"; exit 1; fi

size:
	+$(Q)MAKE="$(MAKE)" sh cross/size.sh

.PHONY: FORCE
FORCE:

demo: $(TETHER)
	$(Q)TETHER=$(abspath $(TETHER)) sh tests/demo.sh

# libFuzzer (clang) on the CBOR codec and on the other parsers of untrusted
# bytes: `make fuzz [FUZZ_SECONDS=60]`, that long per target; the 15 s
# fuzz-smoke also runs in `make check` (tests/integ/fuzz.sh).
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-smoke
fuzz:
	$(Q)sh tests/fuzz/fuzz.sh $(FUZZ_SECONDS) build/fuzz
fuzz-smoke:
	$(Q)sh tests/fuzz/fuzz.sh 15 build/fuzz

# The benchmark suite (bench/README.md): `make bench` builds what it
# measures itself, takes minutes and writes bench/RESULTS.md; it is never
# part of check. bench-smoke runs every benchmark once with tiny sizes
# against this build; make check runs it too (tests/integ/bench_smoke.sh).
.PHONY: bench bench-smoke
bench:
	+$(Q)MAKE="$(MAKE)" sh bench/run
bench-smoke: $(TETHER)
	+$(Q)MAKE="$(MAKE)" TETHER=$(abspath $(TETHER)) sh bench/run --smoke --out $(O)/bench-smoke.md

clean:
	rm -rf build/host build/sanitize build/valgrind $(filter-out build/sysroot%,$(wildcard build/*))

distclean:
	rm -rf build $(KCONFIG_CONFIG) $(KCONFIG_CONFIG).old

# --- configuration (names and behaviour as in Linux, BusyBox, Buildroot) ---

define use_defconfig
	@test -f $(1) || { echo "no such defconfig: $(1) (boards: $(patsubst board/%/defconfig,%,$(wildcard board/*/defconfig)))" >&2; exit 2; }
	$(if $(KCONFIG_CONF),$(Q)kconfig-conf --defconfig=$(1) Kconfig >/dev/null,$(Q)$(KCONFIG_AWK) -v mode=config Kconfig $(1) > $(KCONFIG_CONFIG).tmp && mv $(KCONFIG_CONFIG).tmp $(KCONFIG_CONFIG))
	$(Q)$(KCONFIG_AWK) -v mode=header Kconfig $(KCONFIG_CONFIG) > /dev/null
	@echo "  CONFIG $(KCONFIG_CONFIG) from $(1)"
endef

defconfig:
	$(call use_defconfig,board/host/defconfig)

%_defconfig:
	$(call use_defconfig,board/$*/defconfig)

olddefconfig:
	@test -f $(KCONFIG_CONFIG) || touch $(KCONFIG_CONFIG)
	$(if $(KCONFIG_CONF),$(Q)kconfig-conf --olddefconfig Kconfig >/dev/null,$(Q)$(KCONFIG_AWK) -v mode=config Kconfig $(KCONFIG_CONFIG) > $(KCONFIG_CONFIG).tmp && mv $(KCONFIG_CONFIG).tmp $(KCONFIG_CONFIG))
	$(Q)$(KCONFIG_AWK) -v mode=header Kconfig $(KCONFIG_CONFIG) > /dev/null

savedefconfig:
	$(if $(KCONFIG_CONF),$(Q)kconfig-conf --savedefconfig=defconfig Kconfig,$(Q)$(KCONFIG_AWK) -v mode=savedefconfig Kconfig $(KCONFIG_CONFIG) > defconfig)
	@echo "  CONFIG defconfig (differences from the defaults)"

oldconfig:
	@test -n "$(KCONFIG_CONF)" || { echo "oldconfig is interactive and needs kconfig-conf: apt-get install kconfig-frontends (or use olddefconfig)" >&2; exit 2; }
	$(Q)kconfig-conf --oldconfig Kconfig

menuconfig:
	@test -n "$(KCONFIG_MCONF)" || { echo "menuconfig needs kconfig-mconf: apt-get install kconfig-frontends" >&2; exit 2; }
	$(Q)kconfig-mconf Kconfig

help:
	@sed -n '2,16s/^# \{0,1\}//p' Makefile

-include $(wildcard $(O)/*.d $(O)/tests/*.d)
