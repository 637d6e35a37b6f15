# Cross builds, included by the Makefile when ARCH is not host.
# cross/targets names each ARCH's Debian toolchain, qemu and CPU flags;
# cross/musl-sysroot.sh builds the musl sysroot it links against, as
# musl-gcc does on the host: the cross gcc with musl's specs file.

CROSS_ROW := $(shell awk -v a='$(ARCH)' '$$1 == a' cross/targets)
ifeq ($(CROSS_ROW),)
$(error ARCH=$(ARCH) is not a target; use host or one of: $(shell awk '/^[a-z]/ { print $$1 }' cross/targets))
endif
CROSS_TRIPLET := $(word 2,$(CROSS_ROW))
CROSS_QEMU := qemu-$(word 3,$(CROSS_ROW))-static
CROSS_CFLAGS := $(wordlist 5,$(words $(CROSS_ROW)),$(CROSS_ROW))
SYSROOT := build/sysroot/$(ARCH)

# MIPS16=1: tether's own code (src/) in the 16-bit MIPS16e encoding, about
# 30% less code, as OpenWrt builds packages when USE_MIPS16 is set; the
# 24Kc, 24KEc and 74Kc cores of ath79 and ramips routers all run it. musl
# and the unit tests stay MIPS32 (interlinked): a call from MIPS16 code to
# a MIPS32 function that returns a double (the tests' strtod) comes back
# wrong with this hard-float toolchain, and tether calls no such function.
MIPS16 ?= 0
ifeq ($(MIPS16),1)
ifeq ($(filter mips mipsel,$(ARCH)),)
$(error MIPS16=1 is for ARCH=mips or mipsel, not ARCH=$(ARCH))
endif
SRC_CFLAGS := -mips16
CROSS_CFLAGS += -minterlink-mips16
else ifneq ($(MIPS16),0)
$(error MIPS16=$(MIPS16): use MIPS16=1 or leave it unset)
endif

ifeq ($(filter-out clean distclean help,$(or $(MAKECMDGOALS),all)),)
else ifeq ($(shell command -v $(CROSS_TRIPLET)-gcc 2>/dev/null),)
$(error ARCH=$(ARCH) needs $(CROSS_TRIPLET)-gcc: apt-get install gcc-$(CROSS_TRIPLET))
endif

CC := $(CROSS_TRIPLET)-gcc -specs $(SYSROOT)/lib/musl-gcc.specs $(CROSS_CFLAGS)
# Only musl's dynamic linker applies RELRO; in a static binary it does
# nothing but pad the file to a page boundary (60 KiB on aarch64).
CROSS_LDFLAGS := -Wl,-z,norelro

# The Makefile's build/sysroot/%/.stamp rule runs cross/musl-sysroot.sh
# every time; the script rewrites the stamp only when it rebuilt the
# sysroot, so a rebuilt libc recompiles tether and nothing else does.
$(O)/config.h: $(SYSROOT)/.stamp

# make ARCH=... check: the unit tests, tests/cross/*.sh and the integration
# tests named in CROSS_INTEG, with TETHER_WRAP=qemu-ARCH-static. Most
# integration tests exec $$TETHER directly (no binfmt here), hand it to init
# systems or swap the binary, or test process identities that qemu-user
# fakes for the emulated program; those belong to the host. detect.sh runs
# tether only through T() and reads other processes' real /proc entries.
TETHER_WRAP := $(CROSS_QEMU)
ifneq ($(filter check,$(MAKECMDGOALS)),)
ifeq ($(shell command -v $(CROSS_QEMU) 2>/dev/null),)
$(error make ARCH=$(ARCH) check runs the tests under $(CROSS_QEMU): apt-get install qemu-user-static)
endif
endif
CROSS_INTEG ?= detect.sh
CHECK_SCRIPTS := $(sort $(wildcard tests/cross/*.sh)) \
	$(filter-out tests/integ/cross.sh,$(addprefix tests/integ/,$(CROSS_INTEG)))
