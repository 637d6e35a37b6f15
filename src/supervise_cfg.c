#include <string.h>

#include "cbor.h"
#include "fmt.h"
#include "supervise.h"

#define WORD_BUF (ARGV_BYTES + 9)  /* one word and its CBOR head */

static void config_init(struct sv_config *c)
{
	c->count = 0;
	c->nptrs = 0;
	c->used = 0;
}

static int fail(char *err, size_t cap, int line, const char *why, const char *arg)
{
	if (line)
		fmt(err, cap, "line %d: %s%s%s", line, why, arg ? ": " : "", arg ? arg : "");
	else
		fmt(err, cap, "%s%s%s", why, arg ? ": " : "", arg ? arg : "");
	return -1;
}

/* Add a child whose words are ptrs[first..nptrs). */
static int add_child(struct sv_config *c, int first, int line, char *err, size_t cap)
{
	struct sv_child_cfg *ch;
	int words = c->nptrs - first;
	size_t bytes = 0;

	if (words < 2)
		return fail(err, cap, line, words ? "no command for child" : "empty child", words ? c->ptrs[first] : NULL);
	if (!name_valid(c->ptrs[first]))
		return fail(err, cap, line, "bad child name", c->ptrs[first]);
	for (int i = 0; i < c->count; i++)
		if (!strcmp(c->child[i].name, c->ptrs[first]))
			return fail(err, cap, line, "duplicate child name", c->ptrs[first]);
	for (int i = first + 1; i < c->nptrs; i++)
		bytes += strlen(c->ptrs[i]) + 1;
	if (c->count == SV_CHILDREN_MAX || c->nptrs == SV_WORDS_MAX || words - 1 > ARGV_MAX || bytes > ARGV_BYTES)
		return fail(err, cap, line, "too many children, or a command too long", c->ptrs[first]);
	ch = &c->child[c->count++];
	fmt(ch->name, sizeof ch->name, "%s", c->ptrs[first]);
	ch->argc = words - 1;
	ch->argv = &c->ptrs[first + 1];
	c->ptrs[c->nptrs++] = NULL;
	return 0;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* One word starting at *p (not blank, not end of line) into c->words. */
static const char *word(struct sv_config *c, const char *p, const char *end, const char **why)
{
	char quote = 0;

	while (p < end && *p != '\n' && (quote || !is_blank(*p))) {
		char ch = *p++;
		if (quote == '\'' && ch == '\'') {
			quote = 0;
			continue;
		}
		if (quote != '\'' && ch == '"') {
			quote = quote ? 0 : '"';
			continue;
		}
		if (!quote && ch == '\'') {
			quote = '\'';
			continue;
		}
		if (quote != '\'' && ch == '\\') {
			if (p == end || *p == '\n')
				return *why = "backslash at end of line", NULL;
			ch = *p++;
		}
		if (!ch)
			return *why = "NUL byte", NULL;
		if (c->used + 1 >= sizeof c->words)
			return *why = "config too large", NULL;
		c->words[c->used++] = ch;
	}
	if (quote)
		return *why = "unterminated quote", NULL;
	c->words[c->used++] = 0;
	return p;
}

int sv_config_parse(struct sv_config *c, const char *text, size_t len, char *err, size_t cap)
{
	const char *p = text, *end = text + len;
	int line = 0;

	config_init(c);
	if (len >= SV_CONFIG_MAX)
		return fail(err, cap, 0, "config file too large", NULL);
	while (p < end) {
		int first = c->nptrs;
		line++;
		while (p < end && is_blank(*p))
			p++;
		if (p < end && *p == '#')
			while (p < end && *p != '\n')
				p++;
		while (p < end && *p != '\n') {
			const char *why = NULL, *w = c->words + c->used;
			if (c->nptrs == SV_WORDS_MAX - 1)
				return fail(err, cap, line, "too many words", NULL);
			if (!(p = word(c, p, end, &why)))
				return fail(err, cap, line, why, NULL);
			c->ptrs[c->nptrs++] = (char *)w;
			while (p < end && is_blank(*p))
				p++;
		}
		if (c->nptrs > first && add_child(c, first, line, err, cap) < 0)
			return -1;
		if (p < end)
			p++;
	}
	if (!c->count)
		return fail(err, cap, 0, "no children configured", NULL);
	return 0;
}

int sv_config_args(struct sv_config *c, int argc, char **argv, char *err, size_t cap)
{
	config_init(c);
	for (int i = 0; i <= argc; i++) {
		int first = c->nptrs;
		for (; i < argc && strcmp(argv[i], "--"); i++) {
			if (c->nptrs == SV_WORDS_MAX - 1)
				return fail(err, cap, 0, "too many words", NULL);
			c->ptrs[c->nptrs++] = argv[i];
		}
		if (add_child(c, first, 0, err, cap) < 0)
			return -1;
	}
	if (!c->count)
		return fail(err, cap, 0, "no children configured", NULL);
	return 0;
}

/* Hash the canonical form item by item, so no buffer holds it whole. */
static unsigned long long feed(unsigned long long h, struct cbor_enc *e)
{
	h = ctl_cfg_update(h, e->buf, e->len);
	e->len = 0;
	return h;
}

void sv_config_hash(const struct sv_config *c, char out[CTL_CFG_HEX + 1])
{
	uint8_t buf[WORD_BUF];
	struct cbor_enc e;
	unsigned long long h;

	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_array(&e, (uint64_t)c->count);
	h = feed(CTL_CFG_SEED, &e);
	for (int i = 0; i < c->count; i++) {
		cbor_put_array(&e, (uint64_t)c->child[i].argc + 1);
		cbor_put_str(&e, c->child[i].name);
		h = feed(h, &e);
		for (int j = 0; j < c->child[i].argc; j++) {
			cbor_put_str(&e, c->child[i].argv[j]);
			h = feed(h, &e);
		}
	}
	ctl_cfg_text(h, out);
}

int sv_backoff(const struct sv_policy *p, struct sv_deaths *d, long long now_ms, long long ran_ms)
{
	int kept = 0;

	if (ran_ms >= p->window_ms) {
		d->n = 0;
		d->delay_ms = 0;
	}
	for (int i = 0; i < d->n; i++)
		if (now_ms - d->at[i] < p->window_ms)
			d->at[kept++] = d->at[i];
	d->n = kept;
	if (d->n == SV_GIVEUP_MAX)
		d->n--;
	d->at[d->n++] = now_ms;
	if (d->n >= p->give_up)
		return -1;
	if (!d->delay_ms)
		d->delay_ms = p->delay_min_ms;
	else
		d->delay_ms = d->delay_ms > p->delay_max_ms / 2 ? p->delay_max_ms : d->delay_ms * 2;
	if (d->delay_ms > p->delay_max_ms)
		d->delay_ms = p->delay_max_ms;
	return d->delay_ms;
}
