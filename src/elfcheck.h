#ifndef TETHER_ELFCHECK_H
#define TETHER_ELFCHECK_H

#include <stddef.h>

/* Does the ELF header in buf describe a program this machine (the one
 * this tether was built for) can run? 0, or -1 with *why set. */
int elf_runs_here(const unsigned char *buf, size_t len, const char **why);
/* The same for a file; also requires a regular, executable file. */
int elf_check_file(const char *path, const char **why);

#endif
