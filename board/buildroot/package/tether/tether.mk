################################################################################
#
# tether
#
################################################################################

# Built from the tether tree this BR2_EXTERNAL lives in (board/buildroot),
# copied by rsync at each `make tether-rebuild`; the tree's own build
# products and .config stay out of the copy.
TETHER_SITE = $(realpath $(BR2_EXTERNAL_TETHER_PATH)/../..)
TETHER_SITE_METHOD = local
TETHER_VERSION := $(shell sed -n 's/^\#define TETHER_VERSION "\(.*\)"/\1/p' $(TETHER_SITE)/src/version.h)
TETHER_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--exclude /build --exclude /.config --exclude /.config.old --exclude /defconfig
# No LICENSE file in the tree yet: set TETHER_LICENSE and
# TETHER_LICENSE_FILES once there is one.

# tether's Makefile: ARCH=external takes CC, CFLAGS and LDFLAGS from
# TARGET_CONFIGURE_OPTS; WARN drops -Werror, so a newer compiler's new
# warning does not break an image build.
TETHER_MAKE_OPTS = \
	ARCH=external \
	O=build/buildroot \
	KCONFIG_CONFIG=.config \
	WARN="-Wall -Wextra"

ifeq ($(BR2_PACKAGE_TETHER_USE_CUSTOM_CONFIG),y)
TETHER_KCONFIG_FILE = $(call qstrip,$(BR2_PACKAGE_TETHER_CUSTOM_CONFIG_FILE))
else
TETHER_KCONFIG_DEFCONFIG = $(call qstrip,$(BR2_PACKAGE_TETHER_DEFCONFIG))_defconfig
endif
TETHER_KCONFIG_EDITORS = menuconfig
TETHER_KCONFIG_OPTS = ARCH=external KCONFIG_CONFIG=.config

define TETHER_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) $(TARGET_CONFIGURE_OPTS) -C $(@D) $(TETHER_MAKE_OPTS)
endef

ifeq ($(BR2_PACKAGE_TETHER_DEMO),y)
define TETHER_INSTALL_DEMO_DAEMON
	$(INSTALL) -D -m 0755 $(@D)/rootfs-overlay/usr/libexec/tether/demo-daemon \
		$(TARGET_DIR)/usr/libexec/tether/demo-daemon
endef
TETHER_POST_INSTALL_TARGET_HOOKS += TETHER_INSTALL_DEMO_DAEMON

define TETHER_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/rootfs-overlay/etc/init.d/S90tether-demo \
		$(TARGET_DIR)/etc/init.d/S90tether-demo
endef

define TETHER_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(@D)/rootfs-overlay/usr/lib/systemd/system/tether-demo.service \
		$(TARGET_DIR)/usr/lib/systemd/system/tether-demo.service
endef
endif

define TETHER_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/build/buildroot/tether $(TARGET_DIR)/usr/sbin/tether
endef

$(eval $(kconfig-package))
