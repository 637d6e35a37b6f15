/* state_each: every record name in the state dir, sorted, for state dirs
 * of 20,000 records (the benchmark sweeps 10,000), without readdir. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "sys.h"
#include "tap.h"

#define RECORDS 20000

struct seen {
	int count, unsorted, stop_at;
	char last[NAME_MAX_LEN + 1];
	char odd[8][NAME_MAX_LEN + 1];
	int nodd;
};

static int see(const char *name, void *arg)
{
	struct seen *s = arg;

	if (s->count && strcmp(s->last, name) >= 0)
		s->unsorted++;
	snprintf(s->last, sizeof s->last, "%s", name);
	if (name[0] != 'd' && s->nodd < 8)
		snprintf(s->odd[s->nodd++], sizeof s->odd[0], "%s", name);
	s->count++;
	return s->count == s->stop_at ? 77 : 0;
}

static int touch(int dirfd, const char *file)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* RECORDS names, created out of order, and files that are no records. */
static int populate(int dirfd)
{
	static const char *const others[] = {
		".hidden.cbor", "-dash.cbor", "x.cbor.corrupt", "notes.txt", ".cbor", "cbor",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.cbor",  /* 65 */
		"bad name.cbor", "web.cbor", "Z@1.cbor",
	};
	char file[32];

	for (int i = 0; i < RECORDS; i++) {
		snprintf(file, sizeof file, "d%05d.cbor", (int)((i * 7919L) % RECORDS));
		if (touch(dirfd, file) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof others / sizeof *others; i++)
		if (touch(dirfd, others[i]) < 0)
			return -1;
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/tether-each.XXXXXX", path[64], cmd[128];
	struct tether_ctx ctx;
	struct seen s;
	int dirfd;

	if (!mkdtemp(dir))
		tap_skip_all("mkdtemp failed");
	ctx_init(&ctx);
	snprintf(path, sizeof path, "%s/state", dir);
	ctx.state_dir = path;
	dirfd = state_dir_open(&ctx, 1);
	ok(dirfd >= 0, "state dir opened");

	memset(&s, 0, sizeof s);
	ok(state_each(&ctx, dirfd, see, &s) == 0 && s.count == 0, "an empty dir: fn is never called, 0");

	ok(populate(dirfd) == 0, "%d record files and 10 others created", RECORDS);
	memset(&s, 0, sizeof s);
	long long t0 = now_ms();
	is_int(state_each(&ctx, dirfd, see, &s), 0, "state_each over them returns 0");
	tap_diag("state_each over %d names: %lld ms", RECORDS, now_ms() - t0);
	is_int(s.count, RECORDS + 2, "every record name comes, and only record names");
	is_int(s.unsorted, 0, "in strcmp order, each once");
	ok(s.nodd == 2 && !strcmp(s.odd[0], "Z@1") && !strcmp(s.odd[1], "web"),
	   "the others are Z@1 and web: hidden, '-', too long, blank, bare suffix and .corrupt are no records");

	memset(&s, 0, sizeof s);
	s.stop_at = 5;
	is_int(state_each(&ctx, dirfd, see, &s), 77, "fn's non-zero return stops the walk and is passed on");
	is_int(s.count, 5, "after the fifth name");

	memset(&s, 0, sizeof s);
	lseek(dirfd, 0, SEEK_END);
	state_each(&ctx, dirfd, see, &s);
	is_int(s.count, RECORDS + 2, "a dir fd already read to the end is read from the start");
	close(dirfd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
