#ifndef TETHER_FUZZ_PARSERS_H
#define TETHER_FUZZ_PARSERS_H

/*
 * The input format of tests/fuzz/fuzz_parsers.c, shared with its seed
 * writer (seeds_parsers.c): the first byte, modulo FT_COUNT, picks the
 * parser; the rest is that parser's input. FT_DETECT's input starts with
 * one more byte, modulo FD_COUNT: the $INVOCATION_ID it is given.
 */
enum fuzz_target {
	FT_STATE,        /* state_decode: a record file */
	FT_CTL_REQUEST,  /* ctl_decode_request: a frame's payload */
	FT_CTL_REPLY,    /* ctl_decode_reply */
	FT_MARKER,       /* marker_decode, for FUZZ_MARKER_NAME */
	FT_SV_CONFIG,    /* sv_config_parse: a supervise config file */
	FT_STAT,         /* procfs_parse_stat: /proc/PID/stat */
	FT_BOOT_ID,      /* procfs_parse_boot_id */
	FT_CGROUP,       /* cgroup_pick_path, then both owners of the path */
	FT_SYSTEMD,      /* cgroup_systemd_owner: a path (to its first NUL) */
	FT_PROCD,        /* cgroup_procd_owner: the same */
	FT_DETECT,       /* sup_detect_cgroup: a saved cgroup file */
	FT_ELF,          /* elf_runs_here: the head of an update's binary */
	FT_ENVIRON,      /* procfs_env_scan: /proc/PID/environ, see below */
	FT_CMDLINE,      /* procfs_arg_next: /proc/PID/cmdline, see below */
	FT_CTL_STREAM,   /* ctl_service: a client's bytes, in chunks, see below */
	FT_CTL_CALL,     /* ctl_call: a server's bytes after a request */
	FT_COUNT
};

enum fuzz_detect_id {
	FD_UNKNOWN,      /* NULL: not known */
	FD_NONE,         /* "": the process has none */
	FD_VALID,        /* FUZZ_INVOCATION_ID */
	FD_BAD,          /* not 32 lowercase hex digits */
	FD_COUNT
};

/* FT_ENVIRON: one byte, modulo FE_NAMES, picks the name looked up; in
 * the rest FUZZ_ENV_RUN and a count byte c stand for 32 * c bytes of 'x'
 * (so entries longer than a read chunk fit in -max_len). */
#define FE_NAMES 3
#define FUZZ_ENV_RUN 0xff
#define FUZZ_ENV_RUN_UNIT 32

/* FT_CMDLINE: one byte b picks the buffer's size for the n bytes after
 * it: n - 1 + b % FC_CAPS, so n - 1 (past cap), n (n == cap), n + 1 (a
 * read that filled it, as procfs_read's), n + 2 and n + 3 (room). */
#define FC_CAPS 5
#define FC_PAST_CAP 0
#define FC_AT_CAP 1
#define FC_FILLED 2
#define FC_ROOM 3

/* FT_CTL_STREAM: a flags byte (FS_*), a count k, k chunk sizes (each
 * byte b means b + 1 bytes), then the bytes a client sends: written in
 * chunks of those sizes in turn (FS_CHUNK_MAX each when k is 0), the
 * server serving each before the next is written. */
#define FS_PEER_OWNER 0x01   /* the client has the server's uid */
#define FS_PEER_CLOSES 0x02  /* and shuts its writing side at the end */
#define FS_CHUNK_MAX 256
#define FS_SERVER_UID 1000

#define FUZZ_MARKER_NAME "app"
#define FUZZ_INVOCATION_ID "0123456789abcdef0123456789abcdef"
#define FUZZ_INVOCATION_BAD "0123456789ABCDEF0123456789ABCDEF"

#endif
