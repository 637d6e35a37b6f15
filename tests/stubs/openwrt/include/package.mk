# Stub of OpenWrt's include/package.mk for tests/integ/pkg_openwrt.sh.
# Strict where OpenWrt is lenient or checks late, so a typo in a package
# variable or define fails here:
#  - PKG_NAME, PKG_VERSION, PKG_RELEASE set before this include;
#  - every PKG_* the Makefile sets is one OpenWrt knows;
#  - BuildPackage: TITLE, CATEGORY, SECTION, VERSION set; description and
#    install defined and not empty; Build/Prepare, Build/Configure and
#    Build/Compile overridden (there is no PKG_SOURCE to fall back on);
#  - each PKG_CONFIG_DEPENDS symbol is declared by a Package/*/config.
# Targets: stub-dump (writes NAME.Config.in and NAME.meta under
# STUB_OUT), prepare, configure, compile, install (into
# STUB_OUT/ipkg/NAME, as OpenWrt's ipkg-install dir).

stub_defined=$(filter-out undefined,$(origin $(1)))
stub_value=$(if $(call stub_defined,$(1)),$($(1)))

$(foreach v,PKG_NAME PKG_VERSION PKG_RELEASE,\
  $(if $(call stub_value,$(v)),,$(error $(v) must be set before including package.mk)))

STUB_PKG_KNOWN:=PKG_NAME PKG_VERSION PKG_RELEASE PKG_LICENSE PKG_LICENSE_FILES \
	PKG_MAINTAINER PKG_CPE_ID PKG_SOURCE PKG_SOURCE_URL PKG_SOURCE_PROTO \
	PKG_SOURCE_VERSION PKG_SOURCE_DATE PKG_SOURCE_SUBDIR PKG_MIRROR_HASH PKG_HASH \
	PKG_BUILD_DIR PKG_INSTALL_DIR PKG_INSTALL PKG_BUILD_DEPENDS PKG_BUILD_PARALLEL \
	PKG_CONFIG_DEPENDS PKG_FLAGS PKG_FIXUP PKG_USE_MIPS16 PKG_BUILD_FLAGS \
	PKG_ABI_VERSION PKG_UNPACK

PKG_BUILD_DIR?=$(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
PKG_INSTALL_DIR?=$(PKG_BUILD_DIR)/ipkg-install
PKG_CONFIG_DEPENDS?=

define Package/Default
  SECTION:=opt
  CATEGORY:=Extra packages
  DEPENDS:=
  TITLE:=
  URL:=
  MAINTAINER:=$(call stub_value,PKG_MAINTAINER)
  LICENSE:=$(call stub_value,PKG_LICENSE)
  VERSION:=$(PKG_VERSION)-r$(PKG_RELEASE)
endef

define stub_unset
$(error the package Makefile does not define $(1))
endef
Build/Prepare=$(call stub_unset,Build/Prepare)
Build/Configure=$(call stub_unset,Build/Configure)
Build/Compile=$(call stub_unset,Build/Compile)

STUB_PACKAGES:=

define stub_check_package
  $(foreach f,TITLE CATEGORY SECTION VERSION,\
    $(if $(strip $($(f))),,$(error Package/$(1) is missing the $(f) field)))
  $(foreach d,Package/$(1)/description Package/$(1)/install,\
    $(if $(strip $(call stub_value,$(d))),,$(error $(d) is missing or empty)))
  $(foreach v,$(.VARIABLES),$(if $(filter PKG_%,$(v)),$(if $(filter file override,$(origin $(v))),\
    $(if $(filter $(v),$(STUB_PKG_KNOWN)),,$(error $(v) is not an OpenWrt package variable)))))
endef

define BuildPackage
  $(eval $(Package/Default))
  $(eval $(Package/$(1)))
  $(call stub_check_package,$(1))
  $(eval STUB_PACKAGES+=$(1))
  $(file >$(STUB_OUT)/$(1).Config.in,$(call stub_value,Package/$(1)/config))
  $(file >$(STUB_OUT)/$(1).meta,name=$(1) version=$(VERSION) section=$(SECTION) category=$(CATEGORY) depends=$(strip $(DEPENDS)))
  $(eval $(call stub_rules,$(1)))
endef

# Run at stub-dump, once every BuildPackage has written its config.
stub_config_words=$(subst config ,config_,$(foreach p,$(STUB_PACKAGES),$(file <$(STUB_OUT)/$(p).Config.in)))
define stub_check_config_depends
  $(foreach d,$(PKG_CONFIG_DEPENDS),\
    $(if $(filter config_$(patsubst CONFIG_%,%,$(d)),$(stub_config_words)),,\
      $(error $(d) in PKG_CONFIG_DEPENDS is declared by no Package/*/config)))
endef

STAMP_PREPARED=$(PKG_BUILD_DIR)/.prepared
STAMP_CONFIGURED=$(PKG_BUILD_DIR)/.configured
STAMP_BUILT=$(PKG_BUILD_DIR)/.built

define stub_rules
stub-dump: stub-dump-$(1)
stub-dump-$(1):
	@cat $(STUB_OUT)/$(1).meta

install: stub-install-$(1)
stub-install-$(1): $$(STAMP_BUILT)
	rm -rf $(STUB_OUT)/ipkg/$(1)
	mkdir -p $(STUB_OUT)/ipkg/$(1)
	$$(call Package/$(1)/install,$(STUB_OUT)/ipkg/$(1))
endef

.PHONY: stub-dump prepare configure compile install
stub-dump:
	@:$(call stub_check_config_depends)

$(STAMP_PREPARED):
	rm -rf $(PKG_BUILD_DIR)
	mkdir -p $(PKG_BUILD_DIR)
	$(Build/Prepare)
	touch $@

$(STAMP_CONFIGURED): $(STAMP_PREPARED)
	$(Build/Configure)
	touch $@

$(STAMP_BUILT): $(STAMP_CONFIGURED)
	$(Build/Compile)
	touch $@

prepare: $(STAMP_PREPARED)
configure: $(STAMP_CONFIGURED)
compile: $(STAMP_BUILT)

# stub-print-VAR: a variable's value, for the test's own checks.
stub-print-%:
	@echo '$($*)'
