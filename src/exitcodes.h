#ifndef TETHER_EXITCODES_H
#define TETHER_EXITCODES_H

/*
 * tether's exit codes: the one table (also in tether(8), EXIT STATUS).
 *
 * `status` follows LSB (0 running, 1 dead but record exists, 3 not
 * running, 4 unknown). Actions use 0 done, 1 failed, 2 usage. Outcomes a
 * script must tell apart get their own code in LSB's range reserved for
 * applications (150-199), so they never collide with LSB meanings.
 */
enum {
	EX_DONE = 0,            /* done; status: running */
	EX_FAIL = 1,            /* failed; status: dead, record exists */
	EX_USAGE = 2,           /* bad command line */
	EX_NOTRUNNING = 3,      /* status: not running, no record */
	EX_UNKNOWN = 4,         /* status: cannot tell */
	EX_SCHEDULED = 150,     /* self-restart handed off, will happen */
	EX_REUSED = 151,        /* recorded pid now belongs to another process */
	EX_RUNNING = 152,       /* already running (pid printed) */
	EX_ROLLEDBACK = 153,    /* update failed, old binary restored */
	EX_ROLLBACKFAIL = 154,  /* update and rollback both failed */
	EX_INSECURE = 155,      /* state file refused: symlink, owner, mode */
	EX_CORRUPT = 156,       /* state file corrupt or truncated */
	EX_TIMEOUT = 157,       /* gave up waiting */
	EX_NOTOOL = 158,        /* supervisor's tool missing or unreachable */
	EX_NOTREADY = 159,      /* up: not up within the budget (managed, or its socket silent) */
	EX_SUPPRESSED = 160,    /* up: spawn suppressed by backoff marker */
	EX_DOWN = 161,          /* up --no-spawn: not running */
	EX_STARTED = 162,       /* up: was down, spawned now */
	EX_NOMARKER = 163,      /* marker: no valid restart marker */
	EX_MANAGED = 164,       /* start: a supervisor owns the name, start it there */
};

#endif
