/*
 * keys.c: names of keys (for help, the key bar, clerk(1) and the key
 * scripts of the headless mode) and those scripts' parser.  No curses
 * here: keys are the TUI_KEY_* codes of tui.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui.h"

static const struct {
	int		 key;
	const char	*name;
} key_names[] = {
	{ TUI_KEY_UP, "Up" },
	{ TUI_KEY_DOWN, "Down" },
	{ TUI_KEY_LEFT, "Left" },
	{ TUI_KEY_RIGHT, "Right" },
	{ TUI_KEY_HOME, "Home" },
	{ TUI_KEY_END, "End" },
	{ TUI_KEY_PGUP, "PgUp" },
	{ TUI_KEY_PGDN, "PgDn" },
	{ TUI_KEY_INS, "Ins" },
	{ TUI_KEY_DEL, "Del" },
	{ TUI_KEY_BACKSPACE, "Backspace" },
	{ TUI_KEY_BTAB, "Shift-Tab" },
	{ TUI_KEY_RESIZE, "Resize" },
	{ TUI_KEY_HUP, "Hangup" },
	{ '\n', "Enter" },
	{ '\t', "Tab" },
	{ TUI_KEY_ESC, "Esc" },
	{ ' ', "Space" },
};

/* Other spellings accepted in scripts. */
static const struct {
	int		 key;
	const char	*name;
} key_aliases[] = {
	{ TUI_KEY_BTAB, "BTab" },
	{ TUI_KEY_PGUP, "PageUp" },
	{ TUI_KEY_PGDN, "PageDown" },
	{ TUI_KEY_INS, "Insert" },
	{ TUI_KEY_DEL, "Delete" },
	{ TUI_KEY_BACKSPACE, "BS" },
	{ '\n', "Return" },
	{ '\n', "CR" },
	{ TUI_KEY_ESC, "Escape" },
	{ '<', "lt" },
	{ '>', "gt" },
};

void
tui_key_name(int key, struct buf *out)
{
	size_t	i;

	for (i = 0; i < nitems(key_names); i++)
		if (key_names[i].key == key) {
			buf_adds(out, key_names[i].name);
			return;
		}
	if (key > TUI_KEY_F0 && key <= TUI_KEY_F(24)) {
		buf_printf(out, "F%d", key - TUI_KEY_F0);
		return;
	}
	if (key > 0 && key < 0x20) {
		buf_printf(out, "Ctrl-%c", key + '@');
		return;
	}
	if (key >= 'A' && key <= 'Z') {
		buf_printf(out, "Shift-%c", key);
		return;
	}
	if (key > 0 && key < TUI_KEY_BASE) {
		utf8_encode(out, (uint32_t)key);
		return;
	}
	buf_printf(out, "#%x", key);
}

int
tui_key_parse(const char *s)
{
	uint32_t	 cp;
	size_t		 i, len = strlen(s), n;
	char		*end;
	long		 f;

	for (i = 0; i < nitems(key_names); i++)
		if (strcasecmp(key_names[i].name, s) == 0)
			return (key_names[i].key);
	for (i = 0; i < nitems(key_aliases); i++)
		if (strcasecmp(key_aliases[i].name, s) == 0)
			return (key_aliases[i].key);
	if ((s[0] == 'F' || s[0] == 'f') && s[1] >= '1' && s[1] <= '9') {
		f = strtol(s + 1, &end, 10);
		if (*end == '\0' && f >= 1 && f <= 24)
			return (TUI_KEY_F((int)f));
	}
	if ((strncasecmp(s, "C-", 2) == 0 && len == 3) ||
	    (strncasecmp(s, "Ctrl-", 5) == 0 && len == 6)) {
		cp = (unsigned char)s[len - 1];
		if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		    cp == '[' || cp == '\\' || cp == ']' || cp == '@')
			return (TUI_CTRL((int)cp));
		return (-1);
	}
	if ((strncasecmp(s, "S-", 2) == 0 && len == 3) ||
	    (strncasecmp(s, "Shift-", 6) == 0 && len == 7)) {
		cp = (unsigned char)s[len - 1];
		if (cp >= 'a' && cp <= 'z')
			return ((int)cp - 'a' + 'A');
		if (cp >= 'A' && cp <= 'Z')
			return ((int)cp);
		return (-1);
	}
	/* A single character, e.g. <й>. */
	if (len > 0 && (n = utf8_decode(s, len, &cp)) == len && cp >= 0x20)
		return ((int)cp);
	return (-1);
}

int
tui_parse_size(const char *s, int *cols, int *rows)
{
	char	*end;
	long	 c, r;

	c = strtol(s, &end, 10);
	if (end == s || (*end != 'x' && *end != 'X'))
		return (-1);
	s = end + 1;
	r = strtol(s, &end, 10);
	if (end == s || *end != '\0' || c < 1 || r < 1 || c > 1000 ||
	    r > 1000)
		return (-1);
	*cols = (int)c;
	*rows = (int)r;
	return (0);
}

static void
script_add(struct tui_script *sc, size_t *alloc, enum tui_step_kind kind,
    int key)
{
	if (sc->n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 64;
		sc->steps = xreallocarray(sc->steps, *alloc,
		    sizeof *sc->steps);
	}
	memset(&sc->steps[sc->n], 0, sizeof sc->steps[sc->n]);
	sc->steps[sc->n].kind = kind;
	sc->steps[sc->n].key = key;
	sc->n++;
}

int
tui_script_parse(struct tui_script *sc, const char *s, size_t len,
    struct buf *err)
{
	const char	*end = s + len, *gt, *nl;
	char		*name;
	uint32_t	 cp;
	size_t		 alloc = 0, n;
	int		 line = 1, bol = 1, key, c, r;

	memset(sc, 0, sizeof *sc);
	while (s < end) {
		if (bol && *s == '#') {
			if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
				break;
			s = nl;
		}
		bol = 0;
		if (*s == '\n') {
			line++;
			bol = 1;
			s++;
			continue;
		}
		if (*s == '<' && s + 1 < end && s[1] == '<') {
			script_add(sc, &alloc, TUI_STEP_KEY, '<');
			s += 2;
			continue;
		}
		if (*s == '<') {
			gt = memchr(s, '>', (size_t)(end - s));
			nl = memchr(s, '\n', (size_t)(end - s));
			if (gt == NULL || (nl != NULL && nl < gt)) {
				tui_script_release(sc);
				return (buf_error(err, _("key script line %d: "
				    "'<' without '>' (type '<<' for '<')"),
				    line));
			}
			name = xstrndup(s + 1, (size_t)(gt - s - 1));
			if (strcmp(name, "dump") == 0)
				script_add(sc, &alloc, TUI_STEP_DUMP, 0);
			else if (strcmp(name, "hup") == 0)
				script_add(sc, &alloc, TUI_STEP_HUP, 0);
			else if (strcmp(name, "wait") == 0)
				script_add(sc, &alloc, TUI_STEP_WAIT, 0);
			else if (strcmp(name, "peek") == 0)
				script_add(sc, &alloc, TUI_STEP_PEEK, 0);
			else if (strcmp(name, "sleep") == 0)
				;
			else if (strncmp(name, "resize ", 7) == 0) {
				if (tui_parse_size(name + 7, &c, &r) != 0)
					goto bad;
				script_add(sc, &alloc, TUI_STEP_RESIZE, 0);
				sc->steps[sc->n - 1].cols = c;
				sc->steps[sc->n - 1].rows = r;
			} else if ((key = tui_key_parse(name)) != -1)
				script_add(sc, &alloc, TUI_STEP_KEY, key);
			else
				goto bad;
			free(name);
			s = gt + 1;
			continue;
bad:
			buf_error(err, _("key script line %d: unknown step "
			    "'<%s>'"), line, name);
			free(name);
			tui_script_release(sc);
			return (-1);
		}
		if ((n = utf8_decode(s, (size_t)(end - s), &cp)) == 0) {
			tui_script_release(sc);
			return (buf_error(err, _("key script line %d: not "
			    "UTF-8"), line));
		}
		script_add(sc, &alloc, TUI_STEP_KEY, (int)cp);
		s += n;
	}
	return (0);
}

void
tui_script_release(struct tui_script *sc)
{
	free(sc->steps);
	memset(sc, 0, sizeof *sc);
}
