# Stub of Buildroot's package/pkg-generic.mk for pkg_buildroot.sh: the
# generic-package steps (local rsync-like extract, configure, build,
# install to TARGET_DIR with the init-system hooks) as stamp-file rules,
# so $(@D) is the package's build dir as in Buildroot. Strict where
# Buildroot is lenient, so a typo fails here:
#  - VERSION and SITE set; SITE_METHOD local needs SITE to be a directory;
#  - BUILD_CMDS and INSTALL_TARGET_CMDS defined and not empty;
#  - every PKG_* variable the .mk sets is one Buildroot knows, or a helper
#    that a known variable or a hook list refers to.

stub_value=$(if $(filter-out undefined,$(origin $(1))),$($(1)))

define sep


endef

STUB_BR_KNOWN:=VERSION SOURCE PATCH SITE SUBDIR STRIP_COMPONENTS EXCLUDES \
	EXTRA_DOWNLOADS SITE_METHOD GIT_SUBMODULES GIT_LFS SVN_EXTERNALS \
	DEPENDENCIES EXTRACT_DEPENDENCIES PATCH_DEPENDENCIES PROVIDES \
	INSTALL_STAGING INSTALL_TARGET INSTALL_IMAGES CONFIG_SCRIPTS DEVICES \
	PERMISSIONS USERS LICENSE LICENSE_FILES REDISTRIBUTE FLAT_STACKSIZE \
	BIN_ARCH_EXCLUDE IGNORE_CVES CPE_ID_VENDOR CPE_ID_PRODUCT CPE_ID_VERSION \
	CPE_ID_UPDATE CPE_ID_VALID DL_OPTS DL_SUBDIR OVERRIDE_SRCDIR \
	OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS MAKE MAKE_ENV MAKE_OPTS \
	EXTRACT_CMDS CONFIGURE_CMDS BUILD_CMDS INSTALL_STAGING_CMDS \
	INSTALL_TARGET_CMDS INSTALL_IMAGES_CMDS INSTALL_INIT_SYSV \
	INSTALL_INIT_SYSTEMD INSTALL_INIT_OPENRC HELP_CMDS LINUX_CONFIG_FIXUPS \
	KCONFIG_FILE KCONFIG_FRAGMENT_FILES KCONFIG_DEFCONFIG KCONFIG_OPTS \
	KCONFIG_FIXUP_CMDS KCONFIG_EDITORS KCONFIG_DOTCONFIG KCONFIG_DEPENDENCIES \
	KCONFIG_SUPPORTS_DEFCONFIG \
	$(foreach s,DOWNLOAD EXTRACT RSYNC PATCH CONFIGURE BUILD INSTALL \
		INSTALL_STAGING INSTALL_TARGET INSTALL_IMAGES LEGAL_INFO,\
		PRE_$(s)_HOOKS POST_$(s)_HOOKS) \
	TARGET_FINALIZE_HOOKS ROOTFS_PRE_CMD_HOOKS

STUB_BR_HOOK_LISTS=$(filter %_HOOKS,$(STUB_BR_KNOWN))

# $(1): upper-case package name. Run before the stub defines its own.
define stub-check-vars
  $(foreach v,$(filter $(1)_%,$(.VARIABLES)),$(if $(filter file override,$(origin $(v))),\
    $(if $(filter $(patsubst $(1)_%,%,$(v)),$(STUB_BR_KNOWN)),,\
      $(if $(or $(filter $(v),$(foreach h,$(STUB_BR_HOOK_LISTS),$(call stub_value,$(1)_$(h)))),\
                $(findstring $$($(v)),$(foreach k,$(STUB_BR_KNOWN),$(value $(1)_$(k))))),,\
        $(error $(v) is neither a Buildroot package variable nor used by one)))))
endef

# $(1) lower-case name, $(2) upper-case name
define inner-generic-package
$(if $(strip $($(2)_VERSION)),,$(error $(2)_VERSION is empty))
$(if $(strip $($(2)_SITE)),,$(error $(2)_SITE is empty))
$(if $(filter local,$(call stub_value,$(2)_SITE_METHOD)),\
  $(if $(wildcard $($(2)_SITE)/.),,$(error $(2)_SITE_METHOD is local but $(2)_SITE ($($(2)_SITE)) is not a directory)),\
  $(error this stub only implements $(2)_SITE_METHOD = local))
$(foreach c,BUILD_CMDS INSTALL_TARGET_CMDS,\
  $(if $(strip $(call stub_value,$(2)_$(c))),,$(error $(2)_$(c) is missing or empty)))

$(2)_DIR = $$(BUILD_DIR)/$(1)-$$($(2)_VERSION)
$(2)_KCONFIG_VAR = BR2_PACKAGE_$(2)
$(2)_TARGET_CONFIGURE = $$($(2)_DIR)/.stamp_configured

$$($(2)_DIR)/.stamp_rsynced:
	rm -rf $$(@D)
	mkdir -p $$(@D)
	tar -C $$($(2)_SITE) --exclude-vcs \
		$$(foreach x,$$(filter-out --exclude,$$(call stub_value,$(2)_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS)),--exclude=$$(patsubst /%,./%,$$(x))) \
		-cf - . | tar -C $$(@D) -xf -
	touch $$@

$$($(2)_DIR)/.stamp_configured: $$($(2)_DIR)/.stamp_rsynced
	$$(call stub_value,$(2)_CONFIGURE_CMDS)
	touch $$@

$$($(2)_DIR)/.stamp_built: $$($(2)_DIR)/.stamp_configured
	$$($(2)_BUILD_CMDS)
	touch $$@

$$($(2)_DIR)/.stamp_target_installed: PKG=$(2)
$$($(2)_DIR)/.stamp_target_installed: $$($(2)_DIR)/.stamp_built
	mkdir -p $$(TARGET_DIR)
	$$($(2)_INSTALL_TARGET_CMDS)
	$$(if $$(BR2_INIT_SYSTEMD),$$(call stub_value,$(2)_INSTALL_INIT_SYSTEMD))
	$$(if $$(call stub_value,BR2_INIT_SYSV)$$(call stub_value,BR2_INIT_BUSYBOX),$$(call stub_value,$(2)_INSTALL_INIT_SYSV))
	$$(if $$(call stub_value,BR2_INIT_OPENRC),$$(or $$(call stub_value,$(2)_INSTALL_INIT_OPENRC),$$(call stub_value,$(2)_INSTALL_INIT_SYSV)))
	$$(foreach hook,$$(call stub_value,$(2)_POST_INSTALL_TARGET_HOOKS),$$(call $$(hook))$$(sep))
	touch $$@

.PHONY: $(1) $(1)-extract $(1)-configure $(1)-build $(1)-install-target $(1)-rebuild
$(1)-extract: $$($(2)_DIR)/.stamp_rsynced
$(1)-configure: $$($(2)_DIR)/.stamp_configured
$(1)-build: $$($(2)_DIR)/.stamp_built
$(1)-install-target: $$($(2)_DIR)/.stamp_target_installed
$(1): $(1)-install-target
$(1)-rebuild:
	rm -f $$($(2)_DIR)/.stamp_built $$($(2)_DIR)/.stamp_target_installed
	$$(MAKE) -f $$(firstword $$(MAKEFILE_LIST)) $(1)
endef

generic-package=$(call stub-check-vars,$(call UPPERCASE,$(pkgname)))$(call inner-generic-package,$(pkgname),$(call UPPERCASE,$(pkgname)))
