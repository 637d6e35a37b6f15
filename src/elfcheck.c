#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfcheck.h"

/* The machine this binary was compiled for: what an update must match. */
#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__arm__)
#define HOST_MACHINE EM_ARM
#elif defined(__mips__)
#define HOST_MACHINE EM_MIPS
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__powerpc__)
#define HOST_MACHINE EM_PPC
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#else
#error "add this architecture's EM_ constant"
#endif

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_DATA ELFDATA2MSB
#else
#define HOST_DATA ELFDATA2LSB
#endif
#define HOST_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)

static unsigned half(const unsigned char *p, int big)
{
	return big ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

int elf_runs_here(const unsigned char *buf, size_t len, const char **why)
{
	/* e_type and e_machine sit at the same offsets in ELF32 and ELF64 */
	if (len < EI_NIDENT + 4 || memcmp(buf, ELFMAG, SELFMAG))
		return *why = "not an ELF file", -1;
	if (buf[EI_CLASS] != HOST_CLASS)
		return *why = "ELF class (32/64-bit) differs from this machine's", -1;
	if (buf[EI_DATA] != HOST_DATA)
		return *why = "ELF byte order differs from this machine's", -1;
	int big = buf[EI_DATA] == ELFDATA2MSB;
	unsigned type = half(buf + EI_NIDENT, big), machine = half(buf + EI_NIDENT + 2, big);
	if (type != ET_EXEC && type != ET_DYN)
		return *why = "ELF file is not an executable", -1;
	if (machine != HOST_MACHINE)
		return *why = "ELF machine (e_machine) differs from this machine's", -1;
	return 0;
}

int elf_check_file(const char *path, const char **why)
{
	unsigned char hdr[EI_NIDENT + 4];
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return *why = "cannot open it", -1;
	ssize_t n = fstat(fd, &sb) < 0 ? -1 : read(fd, hdr, sizeof hdr);
	close(fd);
	if (n < 0)
		return *why = "cannot read it", -1;
	if (!S_ISREG(sb.st_mode))
		return *why = "not a regular file", -1;
	if (!(sb.st_mode & S_IXUSR))
		return *why = "not executable", -1;
	return elf_runs_here(hdr, (size_t)n, why);
}
