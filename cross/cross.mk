# Cross builds, included by the Makefile when ARCH is not host.
# cross/targets names each ARCH's Debian toolchain, qemu and CPU flags;
# cross/musl-sysroot.sh builds the musl sysroot it links against, as
# musl-gcc does on the host: the cross gcc with musl's specs file.

CROSS_ROW := $(shell awk -v a='$(ARCH)' '$$1 == a' cross/targets)
ifeq ($(CROSS_ROW),)
$(error ARCH=$(ARCH) is not a target; use host or one of: $(shell awk '!/^\#/ && NF { print $$1 }' cross/targets))
endif
CROSS_TRIPLET := $(word 2,$(CROSS_ROW))
CROSS_QEMU := qemu-$(word 3,$(CROSS_ROW))-static
CROSS_CFLAGS := $(wordlist 5,$(words $(CROSS_ROW)),$(CROSS_ROW))
SYSROOT := build/sysroot/$(ARCH)

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

# make ARCH=... check: the unit tests and tests/cross/*.sh under qemu-user.
# Integration tests that test real process identities, signals between
# processes and binary swaps belong to the host; name the ones that are
# meaningful under qemu in CROSS_INTEG (file names in tests/integ/).
TETHER_WRAP := $(CROSS_QEMU)
ifneq ($(filter check,$(MAKECMDGOALS)),)
ifeq ($(shell command -v $(CROSS_QEMU) 2>/dev/null),)
$(error make ARCH=$(ARCH) check runs the tests under $(CROSS_QEMU): apt-get install qemu-user-static)
endif
endif
CROSS_INTEG ?=
CHECK_SCRIPTS := $(sort $(wildcard tests/cross/*.sh)) \
	$(filter-out tests/integ/cross.sh,$(addprefix tests/integ/,$(CROSS_INTEG)))
