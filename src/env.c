#include <errno.h>
#include <string.h>

#include "env.h"
#include "fmt.h"
#include "mem.h"

int env_init(struct env *e, char *const *base)
{
	size_t n = 0;

	e->n = e->used = 0;
	while (base && base[n])
		n++;
	e->cap = n + ENV_SET_MAX + 1;
	e->vars = mem_alloc(e->cap * sizeof *e->vars);
	if (!e->vars)
		return -1;
	if (n)
		memcpy(e->vars, base, n * sizeof *e->vars);
	e->n = n;
	return 0;
}

static void drop(struct env *e, const char *key, size_t k)
{
	size_t kept = 0;

	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->vars[i], key, k) || e->vars[i][k] != '=')
			e->vars[kept++] = e->vars[i];
	e->n = kept;
	e->vars[kept] = NULL;
}

int env_set(struct env *e, const char *key, const char *value)
{
	size_t k = strlen(key), len = fmt(NULL, 0, "%s=%s", key, value);
	char *s = e->text + e->used;

	if (!k || strchr(key, '=')) {
		errno = EINVAL;
		return -1;
	}
	if (e->n + 1 >= e->cap || len >= sizeof e->text - e->used) {
		errno = E2BIG;
		return -1;
	}
	drop(e, key, k);
	fmt(s, len + 1, "%s=%s", key, value);
	e->used += len + 1;
	e->vars[e->n++] = s;
	e->vars[e->n] = NULL;
	return 0;
}

void env_free(struct env *e)
{
	mem_free(e->vars);
	e->vars = NULL;
}
