/*
 * scr-report.c: the report view.  The reports come from the server
 * ("report --format lines": each report's name, title and parameters);
 * the operator picks one, is asked its parameters on the status line
 * (each with its label, starting from its default or the value given
 * last), and reads the report as the server lays it out ("report NAME
 * param=value ..."), scrolled both ways, run again with other
 * parameters, or exported as CSV by the same verb.  The text is held
 * whole: a report is a summary, sized for reading, not a table's rows.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

#define REPORT_HSTEP	8	/* cells a Left or Right scrolls */

struct report_param {
	char		*name;
	char		*label;
	char		*value;		/* the last one given, else the default */
};

struct report {
	char			*name;
	char			*title;
	struct report_param	*params;
	size_t			 nparams;
	char			**lines;	/* the report as laid out */
	size_t			 n;
	size_t			 top;
	size_t			 left;		/* cells scrolled off at the left */
	size_t			 width;		/* of the widest line */
	char			*given;		/* "least=2", for the status */
	char			*why;		/* the server's last refusal */
};

static void
report_clear_lines(struct report *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		free(r->lines[i]);
	free(r->lines);
	r->lines = NULL;
	r->n = r->top = r->left = r->width = 0;
}

static void
report_free_one(struct report *r)
{
	size_t	i;

	report_clear_lines(r);
	for (i = 0; i < r->nparams; i++) {
		free(r->params[i].name);
		free(r->params[i].label);
		free(r->params[i].value);
	}
	free(r->params);
	free(r->name);
	free(r->title);
	free(r->given);
	free(r->why);
	free(r);
}

/* The reports the server has, each with its parameters. */
static int
report_list(struct tui *t, struct report ***vp, size_t *np)
{
	struct tui_lines	 ls;
	struct buf		 out = BUF_INIT, err = BUF_INIT;
	const struct tui_line	*l;
	struct report		**v = NULL, *r;
	struct report_param	*p;
	size_t			 i, j, n = 0;

	*vp = NULL;
	*np = 0;
	if (tui_call(t, &out, &err, "report", "--format", "lines",
	    (char *)NULL) != 0) {
		tui_error(t, "%s", err.data);
		buf_release(&out);
		buf_release(&err);
		return (-1);
	}
	tui_lines_parse(&ls, out.data, out.len, NULL);
	for (i = 0; i < ls.n; i++) {
		l = &ls.v[i];
		if (strcmp(tui_line_get(l, 0), "report") == 0) {
			r = xcalloc(1, sizeof *r);
			r->name = xstrdup(tui_line_get(l, 1));
			r->title = xstrdup(tui_line_get(l, 2));
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = r;
			continue;
		}
		if (strcmp(tui_line_get(l, 0), "param") != 0)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(v[j]->name, tui_line_get(l, 1)) == 0)
				break;
		if (j == n)
			continue;
		r = v[j];
		r->params = xreallocarray(r->params, r->nparams + 1,
		    sizeof *r->params);
		p = &r->params[r->nparams++];
		p->name = xstrdup(tui_line_get(l, 2));
		p->label = xstrdup(tui_line_get(l, 4));
		p->value = xstrdup(tui_line_get(l, 5));
	}
	tui_lines_release(&ls);
	buf_release(&out);
	buf_release(&err);
	*vp = v;
	*np = n;
	return (0);
}

/*
 * Ask every parameter on the status line, starting from its value.
 * 0 when all were given, 1 on Esc, -1 on a hang-up.
 */
static int
report_ask(struct tui *t, struct report *r)
{
	struct buf	 q = BUF_INIT, line = BUF_INIT;
	size_t		 i;
	int		 rc = 0;

	for (i = 0; i < r->nparams && rc == 0; i++) {
		buf_reset(&q);
		buf_printf(&q, "%s: ", r->params[i].label[0] != '\0' ?
		    r->params[i].label : r->params[i].name);
		buf_set(&line, "%s", r->params[i].value);
		/* After a refusal its message stays above the question. */
		/* The value offered, selected: a character typed replaces
		 * it (clerk(1)); after a refusal, kept to be corrected. */
		rc = tui_prompt_at(t, q.data, &line, NULL, r->why, r->why ==
		    NULL ? TUI_PROMPT_OFFER : 0, NULL, NULL);
		if (rc == 0 || rc == 1) {
			free(r->params[i].value);
			r->params[i].value = xstrdup(line.data != NULL ?
			    line.data : "");
		}
	}
	buf_release(&q);
	buf_release(&line);
	return (rc);
}

/* The verb's arguments: NAME, then param=value for each parameter
 * given (an empty one takes the report's default), then extra. */
static char **
report_args(struct report *r, const char *extra1, const char *extra2,
    int *argc)
{
	char	**argv;
	size_t	  i;
	int	  n = 0;

	argv = xcalloc(r->nparams + 4, sizeof *argv);
	argv[n++] = xstrdup(r->name);
	for (i = 0; i < r->nparams; i++)
		if (r->params[i].value[0] != '\0')
			xasprintf(&argv[n++], "%s=%s", r->params[i].name,
			    r->params[i].value);
	if (extra1 != NULL)
		argv[n++] = xstrdup(extra1);
	if (extra2 != NULL)
		argv[n++] = xstrdup(extra2);
	*argc = n;
	return (argv);
}

static void
report_args_free(char **argv, int argc)
{
	int	i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* Run the report with its parameters into its lines; -1 with the
 * server's message on the status line (the lines as they were). */
static int
report_run(struct tui *t, struct report *r)
{
	struct buf	 out = BUF_INIT, err = BUF_INIT, given = BUF_INIT;
	char		**argv, *p, *nl;
	size_t		 i, w;
	int		 argc, rc;

	argv = report_args(r, NULL, NULL, &argc);
	rc = tui_callv(t, "report", argc, argv, &out, &err);
	report_args_free(argv, argc);
	free(r->why);
	r->why = NULL;
	if (rc != 0) {
		tui_error(t, "%s", err.data);
		r->why = xstrdup(err.data != NULL ? err.data : "");
		buf_release(&out);
		buf_release(&err);
		return (-1);
	}
	report_clear_lines(r);
	for (p = out.data != NULL ? out.data : ""; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		r->lines = xreallocarray(r->lines, r->n + 1,
		    sizeof *r->lines);
		r->lines[r->n] = xstrndup(p, (size_t)(nl - p));
		w = utf8_width(r->lines[r->n], (size_t)(nl - p));
		if (w > r->width)
			r->width = w;
		r->n++;
		if (*nl == '\0')
			break;
	}
	for (i = 0; i < r->nparams; i++)
		buf_printf(&given, "%s%s=%s", given.len > 0 ? " " : "",
		    r->params[i].name, r->params[i].value);
	free(r->given);
	r->given = given.len > 0 ? buf_detach(&given, NULL) : NULL;
	buf_release(&out);
	buf_release(&err);
	buf_release(&given);
	return (0);
}

/*
 * Ask the parameters and run, again after a refusal (a parameter
 * that is not a number, a date that is no date: the server's message
 * is on the status line while the question is asked again).  0 when
 * the report ran, 1 when the operator gave up (Esc), -1 on a hang-up.
 */
static int
report_ask_run(struct tui *t, struct report *r)
{
	char	**was;
	size_t	  i;
	int	  rc;

	/* Given up, the report keeps the values it was run with: an
	 * export or a rerun must not pick up a refused one. */
	was = xcalloc(r->nparams + 1, sizeof *was);
	for (i = 0; i < r->nparams; i++)
		was[i] = xstrdup(r->params[i].value);
	for (;;) {
		if ((rc = report_ask(t, r)) != 0)
			break;
		if (report_run(t, r) == 0)
			break;
		if (r->nparams == 0) {
			rc = 1;
			break;
		}
	}
	for (i = 0; i < r->nparams; i++) {
		if (rc != 0) {
			free(r->params[i].value);
			r->params[i].value = was[i];
		} else
			free(was[i]);
	}
	free(was);
	return (rc);
}

static void
report_draw(struct tui *t, struct tui_screen *s)
{
	struct report	*r = s->data;
	const char	*line;
	size_t		 skip, len;
	int		 top, rows, cols, i;

	tui_body(t, &top, &rows, &cols);
	if (r->n > (size_t)rows && r->top > r->n - (size_t)rows)
		r->top = r->n - (size_t)rows;
	for (i = 0; i < rows && r->top + (size_t)i < r->n; i++) {
		line = r->lines[r->top + (size_t)i];
		len = strlen(line);
		/* The cells scrolled off: whole characters only. */
		skip = r->left > 0 ? utf8_fit(line, len, r->left) : 0;
		tui_text(t, top + i, 1, cols - 2, line + skip, TUI_NORMAL, 0,
		    0);
	}
	if (r->n == 0)
		tui_text(t, top + 1, 2, cols - 4, _("The report has no rows."),
		    TUI_DIM, 0, 0);
}

static void
report_status(struct tui *t, struct tui_screen *s, struct tui_status *st)
{
	struct report	*r = s->data;
	static char	 pos[64];

	(void)t;
	st->title = r->title;
	st->filter = r->given;
	if (r->n > 0) {
		if (r->left > 0)
			snprintf(pos, sizeof pos, _("line %zu of %zu, "
			    "column %zu"), r->top + 1, r->n, r->left + 1);
		else
			snprintf(pos, sizeof pos, _("line %zu of %zu"),
			    r->top + 1, r->n);
		st->position = pos;
	}
}

static void
report_screen_free(struct tui_screen *s)
{
	report_free_one(s->data);
}

static int
report_move(struct tui *t, struct tui_screen *s, long by)
{
	struct report	*r = s->data;

	tui_scroll(t, &r->top, r->n, by);
	return (0);
}

static int
report_down(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (report_move(t, s, 1));
}

static int
report_up(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (report_move(t, s, -1));
}

static int
report_pgdn(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (report_move(t, s, t->rows - 4));
}

static int
report_pgup(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (report_move(t, s, -(long)(t->rows - 4)));
}

static int
report_first(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)t;
	(void)arg;
	((struct report *)s->data)->top = 0;
	return (0);
}

static int
report_last(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)arg;
	return (report_move(t, s, (long)((struct report *)s->data)->n));
}

static int
report_right(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct report	*r = s->data;
	int		 top, rows, cols;

	(void)arg;
	tui_body(t, &top, &rows, &cols);
	/* Only while the widest line goes on past the right edge. */
	if (r->left + (size_t)(cols - 2) < r->width)
		r->left += REPORT_HSTEP;
	return (0);
}

static int
report_left(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct report	*r = s->data;

	(void)t;
	(void)arg;
	r->left = r->left > REPORT_HSTEP ? r->left - REPORT_HSTEP : 0;
	return (0);
}

static int
report_again(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct report	*r = s->data;

	(void)arg;
	if (r->nparams == 0)
		return (report_run(t, r) == 0 ? 0 : -1);
	return (report_ask_run(t, r) < 0 ? -1 : 0);
}

static int
report_refresh(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct report	*r = s->data;
	size_t		 top = r->top, left = r->left;

	(void)arg;
	if (report_run(t, r) != 0)
		return (-1);
	r->top = top;
	r->left = left;
	tui_message(t, "%s", _("the report is run again"));
	return (0);
}

static int
report_export(struct tui *t, struct tui_screen *s, const char *arg)
{
	struct report	*r = s->data;
	struct buf	 out = BUF_INIT, err = BUF_INIT, name = BUF_INIT;
	char		**argv;
	FILE		*f;
	int		 argc, rc = 0;

	if (arg == NULL) {
		buf_printf(&name, "%s.csv", r->name);
		if (tui_prompt_at(t, _("Export the report as CSV to: "), &name,
		    NULL, NULL, TUI_PROMPT_OFFER, NULL, NULL) != 0 ||
		    name.len == 0) {
			buf_release(&name);
			return (0);
		}
		arg = name.data;
	}
	/* The same parameters, the rows as data: the server's CSV. */
	argv = report_args(r, "--format", "csv", &argc);
	rc = tui_callv(t, "report", argc, argv, &out, &err);
	report_args_free(argv, argc);
	if (rc != 0) {
		rc = tui_error(t, "%s", err.data);
		goto out;
	}
	if ((f = fopen(arg, "w")) == NULL) {
		rc = tui_error(t, _("cannot write '%s': %s"), arg,
		    strerror(errno));
		goto out;
	}
	if (out.len > 0 && fwrite(out.data, 1, out.len, f) != out.len)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc != 0)
		rc = tui_error(t, _("cannot write '%s': %s"), arg,
		    strerror(errno));
	else
		tui_message(t, _("the report is written to '%s'"), arg);
out:
	buf_release(&out);
	buf_release(&err);
	buf_release(&name);
	return (rc);
}

static int
report_back(struct tui *t, struct tui_screen *s, const char *arg)
{
	(void)s;
	(void)arg;
	tui_pop(t);
	return (0);
}

const struct tui_cmd tui_report_cmds[] = {
	{ "report-down", { TUI_KEY_DOWN, 'j' }, NULL, N_("scroll down a line"),
	    0, report_down },
	{ "report-up", { TUI_KEY_UP, 'k' }, NULL, N_("scroll up a line"), 0,
	    report_up },
	{ "report-page-down", { TUI_KEY_PGDN, ' ', TUI_CTRL('f') }, NULL,
	    N_("scroll down a page"), 0, report_pgdn },
	{ "report-page-up", { TUI_KEY_PGUP, TUI_CTRL('b') }, NULL,
	    N_("scroll up a page"), 0, report_pgup },
	{ "report-first", { TUI_KEY_HOME, 'g' }, NULL, N_("to the top"), 0,
	    report_first },
	{ "report-last", { TUI_KEY_END, 'G' }, NULL, N_("to the end"), 0,
	    report_last },
	{ "report-right", { TUI_KEY_RIGHT, 'l' }, NULL,
	    N_("scroll right (a wide report)"), 0, report_right },
	{ "report-left", { TUI_KEY_LEFT, 'h' }, NULL, N_("scroll left"), 0,
	    report_left },
	{ "report-params", { TUI_KEY_F(4), 'p' }, N_("Params"),
	    N_("run again with other parameters"), 0, report_again },
	{ "report-refresh", { TUI_KEY_F(5), 'r' }, N_("Rerun"),
	    N_("run again with the same parameters (the data changed)"), 0,
	    report_refresh },
	{ "report-export", { TUI_KEY_F(7), 'x' }, N_("Export"),
	    N_("write the report as CSV to a file (named FILE)"), TUI_CMD_ARG,
	    report_export },
	{ "report-close", { TUI_KEY_ESC, 'q', TUI_KEY_F(3) }, N_("Close"),
	    N_("close the report"), 0, report_back },
	{ NULL, { 0 }, NULL, NULL, 0, NULL }
};

static const struct tui_screen_ops report_ops = {
	"report", tui_report_cmds, report_draw, NULL, NULL, NULL,
	report_status, NULL, NULL, NULL, report_screen_free, NULL, NULL,
	NULL, NULL, NULL, NULL
};

/*
 * The report NAME (NULL: a menu of them) asked for its parameters, run
 * and pushed.  0 also when the operator gave up; -1 after a message.
 */
int
tui_report_open(struct tui *t, const char *name)
{
	struct report	**v;
	const char	**titles;
	struct report	*r = NULL;
	ssize_t		  k = -1;
	size_t		  n, i;
	int		  rc = 0;

	if (report_list(t, &v, &n) != 0)
		return (-1);
	if (n == 0) {
		free(v);
		return (tui_error(t, "%s", _("there are no reports: put "
		    "NAME.report files beside the forms")));
	}
	if (name != NULL) {
		for (i = 0; i < n; i++)
			if (strcmp(v[i]->name, name) == 0)
				k = (ssize_t)i;
		if (k < 0)
			rc = tui_error(t, _("no report '%s'"), name);
	} else {
		titles = xcalloc(n, sizeof *titles);
		for (i = 0; i < n; i++)
			titles[i] = v[i]->title;
		k = tui_choose(t, _("Reports"), titles, n, 0);
		free(titles);
	}
	if (k >= 0) {
		r = v[k];
		v[k] = NULL;
	}
	for (i = 0; i < n; i++)
		if (v[i] != NULL)
			report_free_one(v[i]);
	free(v);
	if (r == NULL)
		return (rc);
	if ((rc = report_ask_run(t, r)) != 0) {
		report_free_one(r);
		return (rc < 0 ? -1 : 0);
	}
	tui_push(t, tui_screen_new(&report_ops, r));
	return (0);
}
