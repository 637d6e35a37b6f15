# Which objects make up tether. lib-* are library modules (unit tests link
# them); cmd-* are commands. A Kconfig symbol that is off drops its files.

lib-y := fmt.o msg.o ctx.o opt.o procfs.o owner.o cbor.o

cmd-y := cmd_exec.o cmd_start.o cmd_status.o cmd_stop.o cmd_list.o
lib-$(CONFIG_CMD_CBOR_DIAG) += cbor_diag.o
cmd-$(CONFIG_CMD_CBOR_DIAG) += cmd_cbor_diag.o
