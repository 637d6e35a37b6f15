# Stub of OpenWrt's rules.mk for tests/integ/pkg_openwrt.sh: just the
# variables a package Makefile uses, with host tools standing in for the
# target's. STUB_OUT is where builds and installs go; STUB_DOTCONFIG, an
# OpenWrt .config (CONFIG_TETHER_...=y lines), plays the tree's .config.
ifeq ($(STUB_OUT),)
$(error STUB_OUT is not set: the directory the stub builds in)
endif
INCLUDE_DIR:=$(TOPDIR)/include
BUILD_DIR:=$(STUB_OUT)/build_dir
STAGING_DIR:=$(STUB_OUT)/staging_dir
TARGET_CC?=cc
TARGET_CFLAGS?=-Os -pipe
TARGET_LDFLAGS?=
INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
INSTALL_DATA:=install -m0644
INSTALL_CONF:=install -m0600
CP:=cp -fpR
ifneq ($(filter-out undefined,$(origin STUB_DOTCONFIG)),)
include $(STUB_DOTCONFIG)
endif
