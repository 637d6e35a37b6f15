# Stub of Buildroot's package/pkg-kconfig.mk for pkg_buildroot.sh: the
# same commands as Buildroot's kconfig-package (defconfig or config file
# to .config, `make -pn config` to find olddefconfig, editors, savedefconfig
# and update-(def)config), no fragment merging. Strict: exactly one of
# KCONFIG_FILE and KCONFIG_DEFCONFIG.

PKG_KCONFIG_COMMON_OPTS=HOSTCC="$(HOSTCC_NOCCACHE)"

define stub-kconfig-regen
	[ -e $($(1)_DIR)/.br_regen_dot_config ] || \
		$($(1)_KCONFIG_MAKE) -pn config 2>/dev/null \
		| sed 's/^\([_0-9a-zA-Z]*config\):.*/\1/ p; d' >$($(1)_DIR)/.br_regen_dot_config
	if grep -q '\bolddefconfig\b' $($(1)_DIR)/.br_regen_dot_config; then \
		$($(1)_KCONFIG_MAKE) olddefconfig; \
	else \
		echo "stub: $(1): the package's Makefile has no olddefconfig target" >&2; exit 1; \
	fi
endef

define inner-kconfig-package
$(2)_MAKE ?= $$(MAKE)
$(2)_MAKE_ENV ?=
$(2)_KCONFIG_EDITORS ?= menuconfig
$(2)_KCONFIG_DOTCONFIG ?= .config
$(2)_KCONFIG_FILE ?=
$(2)_KCONFIG_DEFCONFIG ?=
$(2)_KCONFIG_OPTS ?=
$(if $(call stub_value,$(2)_KCONFIG_FRAGMENT_FILES),$(error the stub does not merge $(2)_KCONFIG_FRAGMENT_FILES))

$(call inner-generic-package,$(1),$(2))

$$(if $$(or $$($(2)_KCONFIG_FILE),$$($(2)_KCONFIG_DEFCONFIG)),,$$(error no value specified for $(2)_KCONFIG_FILE or $(2)_KCONFIG_DEFCONFIG))
$$(if $$(and $$($(2)_KCONFIG_FILE),$$($(2)_KCONFIG_DEFCONFIG)),$$(error $(2)_KCONFIG_FILE and $(2)_KCONFIG_DEFCONFIG are mutually exclusive but both are defined))

$(2)_KCONFIG_MAKE = $$($(2)_MAKE_ENV) $$($(2)_MAKE) -C $$($(2)_DIR) $$(PKG_KCONFIG_COMMON_OPTS) $$($(2)_KCONFIG_OPTS)

$$($(2)_DIR)/.stamp_dotconfig: $$($(2)_DIR)/.stamp_rsynced $$($(2)_KCONFIG_FILE)
	$$(if $$($(2)_KCONFIG_DEFCONFIG),\
		$$($(2)_KCONFIG_MAKE) $$($(2)_KCONFIG_DEFCONFIG),\
		$$(INSTALL) -m 0644 -D $$($(2)_KCONFIG_FILE) $$(@D)/$$($(2)_KCONFIG_DOTCONFIG))
	$$(call stub-kconfig-regen,$(2))
	touch $$@

$$($(2)_TARGET_CONFIGURE): $$($(2)_DIR)/.stamp_dotconfig

$$(addprefix $(1)-,$$($(2)_KCONFIG_EDITORS)): $(1)-%: $$($(2)_DIR)/.stamp_dotconfig
	$$($(2)_MAKE_ENV) $$($(2)_MAKE) -C $$($(2)_DIR) $$(PKG_KCONFIG_COMMON_OPTS) $$($(2)_KCONFIG_OPTS) $$(*)
	rm -f $$($(2)_DIR)/.stamp_configured $$($(2)_DIR)/.stamp_built $$($(2)_DIR)/.stamp_target_installed
	$$(call stub-kconfig-regen,$(2))

$(1)-savedefconfig: $$($(2)_DIR)/.stamp_dotconfig
	$$($(2)_MAKE_ENV) $$($(2)_MAKE) -C $$($(2)_DIR) $$(PKG_KCONFIG_COMMON_OPTS) $$($(2)_KCONFIG_OPTS) savedefconfig

$(1)-update-defconfig: $(1)-savedefconfig
	$$(if $$($(2)_KCONFIG_DEFCONFIG),$$(error $(1)-update-defconfig needs $(2)_KCONFIG_FILE))
	cp -f $$($(2)_DIR)/defconfig $$($(2)_KCONFIG_FILE)

.PHONY: $(1)-savedefconfig $(1)-update-defconfig $$(addprefix $(1)-,$$($(2)_KCONFIG_EDITORS))
endef

kconfig-package=$(call stub-check-vars,$(call UPPERCASE,$(pkgname)))$(call inner-kconfig-package,$(pkgname),$(call UPPERCASE,$(pkgname)))
