#ifndef TETHER_TAP_H
#define TETHER_TAP_H

/* Minimal TAP producer for the C unit tests. */

int tap_ok(int pass, const char *name, ...);
int tap_is_int(long long got, long long want, const char *name);
int tap_is_str(const char *got, const char *want, const char *name);
void tap_skip(const char *name, const char *why);
void tap_diag(const char *f, ...);
void tap_skip_all(const char *why);  /* prints 1..0 # SKIP, exits 0 */
int tap_done(void);                  /* prints the plan; exit status */

/* 1 on the host; n when the tests run under $TETHER_WRAP (qemu-user,
 * valgrind), which is 10 to 50 times slower: an exhaustive loop checks
 * every tap_sample(n)-th value there. */
int tap_sample(int n);

/* Catch what is written to fd: tap_catch points fd into a pipe, and
 * tap_caught puts fd back and returns what arrived, NUL-terminated in out
 * (at most cap - 1 bytes; keep it under a pipe's 64 KiB). "pipe" if the
 * catch could not be set up. */
struct tap_catch { int fd, saved, pipe[2]; };
void tap_catch(struct tap_catch *c, int fd);
const char *tap_caught(struct tap_catch *c, char *out, unsigned long cap);

/* Receive every datagram waiting on fd (a datagram socket keeps each
 * write(2) apart, as a pipe would not): how many, the first one's bytes
 * NUL-terminated in first (at most cap - 1). */
int tap_datagrams(int fd, char *first, unsigned long cap);

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)
#define is_int(got, want, name) tap_is_int((long long)(got), (long long)(want), name)
#define is_str(got, want, name) tap_is_str(got, want, name)

#endif
