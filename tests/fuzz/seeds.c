/* Write the fuzzer's seed corpus into DIR: every RFC 8949 Appendix A
 * example, one file each, plus a few items that exercise the limits and
 * the printer's corners. Usage: seeds DIR */
#include <stdio.h>
#include <string.h>

#include "cbor_test.h"

static const char *const extra[] = {
	"d9d9f7a3616101616282f93c00fb3ff199999999999a6163bf61645f4101ff7f6161ffff",
	("c35840ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	 "ffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	"818181818181818181818181818181818101",
	"a2a0a08001",
	"6a01091f7f225c2f0a0d08",
	"fb0000000000000001",
	"5f40ff",
	"7fff",
};

static int write_hex(const char *dir, const char *name, const char *hex)
{
	char path[4096];
	uint8_t bytes[4096];
	size_t n = unhex(hex, bytes, sizeof bytes);
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	if (fwrite(bytes, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	char name[32];

	if (argc != 2) {
		fputs("usage: seeds DIR\n", stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof appendix_a / sizeof *appendix_a; i++) {
		snprintf(name, sizeof name, "appendix-a-%02zu", i);
		if (write_hex(argv[1], name, appendix_a[i].hex))
			return perror(argv[1]), 1;
	}
	for (size_t i = 0; i < sizeof extra / sizeof *extra; i++) {
		snprintf(name, sizeof name, "extra-%02zu", i);
		if (write_hex(argv[1], name, extra[i]))
			return perror(argv[1]), 1;
	}
	return 0;
}
