# Which objects make up tether. lib-* are library modules (unit tests link
# them); cmd-* are commands. A Kconfig symbol that is off drops its files.

lib-y := fmt.o msg.o ctx.o opt.o sys.o procfs.o owner.o cbor.o ident.o state.o lock.o \
	spawn.o report.o lifecycle.o marker.o route.o mem.o sort.o env.o

cmd-y := cmd_exec.o cmd_start.o cmd_status.o cmd_stop.o cmd_list.o cmd_marker.o cmd_restart.o
lib-$(CONFIG_CMD_CBOR_DIAG) += cbor_diag.o
cmd-$(CONFIG_CMD_CBOR_DIAG) += cmd_cbor_diag.o
lib-y += cgroup.o
lib-y += run.o
lib-y += sup.o
lib-$(CONFIG_SUP_SYSTEMD) += sup_systemd.o
lib-$(CONFIG_SUP_PROCD) += sup_procd.o
lib-$(CONFIG_SUP_RUNIT) += sup_runit.o
lib-$(CONFIG_SUP_S6) += sup_s6.o
lib-$(CONFIG_SUP_DAEMONTOOLS) += sup_daemontools.o
lib-$(CONFIG_SUP_OPENRC) += sup_openrc.o
cmd-$(CONFIG_CMD_DETECT) += cmd_detect.o
lib-$(CONFIG_CMD_UPDATE) += elfcheck.o swap.o
cmd-$(CONFIG_CMD_UPDATE) += cmd_update.o
lib-$(CONFIG_CTL) += ctl.o bindguard.o
lib-$(CONFIG_CMD_SUPERVISE) += sup_tether.o supervise.o supervise_cfg.o
cmd-$(CONFIG_CMD_SUPERVISE) += cmd_supervise.o
cmd-$(CONFIG_CMD_UP) += cmd_up.o
