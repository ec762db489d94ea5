/*
 * report: report forms, forms/NAME.report (clerk-forms(5), REPORTS): a
 * title, parameters asked on run, a query of the query language with
 * $name where a parameter's value goes, the columns shown with their
 * headings, widths, formats and totals, and grouping levels with
 * subtotals.  This part loads and checks the files against the schema
 * and binds parameters; the cmd layer runs the query and lays the
 * report out.  Never prints: errors are "file:line: message".
 */
#ifndef CLERK_REPORT_H
#define CLERK_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"
#include "record/record.h"
#include "query/query.h"

/* A parameter: "param since date default "month start" "From" "С"". */
struct report_param {
	char		*name;
	enum field_type	 type;		/* text, int, money, qty, date, bool */
	char		*deflt;		/* as written, or NULL = must be given */
	char		*label[2];	/* English, Russian */
	int		 line;
};

/* What a column sums up in subtotals and the grand total. */
enum report_total {
	RT_NONE,
	RT_SUM,
	RT_COUNT,
	RT_AVG,
	RT_MIN,
	RT_MAX
};

/* How a column shows its values; RF_DEFAULT by type and language. */
enum report_fmt {
	RF_DEFAULT,
	RF_ISO,		/* dates 2026-01-31 */
	RF_RU,		/* dates 31.01.2026, money 1 234,56 */
	RF_EN,		/* money 1,234.56 */
	RF_PLAIN,	/* money 1234.56 */
	RF_MONTH,	/* dates 2026-01 */
	RF_YEAR		/* dates 2026 */
};

struct report_column {
	char		*name;		/* a column of the query: "party.city" */
	size_t		 col;		/* its position among the query's */
	size_t		 width;		/* display cells; 0 = as wide as needed */
	int		 right;		/* aligned right (numbers by default) */
	enum report_fmt	 fmt;
	enum report_total total;
	char		*label[2];	/* the heading, English and Russian */
	int		 line;
};

/* A grouping level of a record query, outermost first. */
struct report_group {
	char		*name;
	size_t		 col;
	char		*label[2];
	int		 line;
};

struct report {
	char		*name;
	char		*title[2];
	char		*file;
	int		 line;
	struct report_param *params;
	size_t		 nparams;
	char		*query;		/* as written, lines joined by '\n' */
	int		 query_line;	/* where it starts */
	int		 query_col;	/* characters before it on that line */
	int		*qlines;	/* the file's line of each query line */
	size_t		 nqlines;
	struct report_column *cols;
	size_t		 ncols;
	struct report_group *groups;
	size_t		 ngroups;
	int		 is_group;	/* the query groups (rows are groups) */
	size_t		 nqcols;	/* columns of the query */
};

struct report_set {
	struct report	**v;
	size_t		  n;
};

void	 report_set_init(struct report_set *);
void	 report_set_release(struct report_set *);
/*
 * Load every *.report file of dir in name order (none is fine), checking
 * each report's query against the schema with its parameters' defaults
 * (or a neutral value of the type) and its columns and groups against
 * the query's columns.  The first mistake stops the load: -1 with
 * "file:line: message" (a query's mistake with its column too), and the
 * set left as it was.
 */
int	 report_load(struct report_set *, const char *,
	     const struct schema *, struct buf *);
/* The same for one file's text (tests). */
int	 report_load_string(struct report_set *, const struct schema *,
	     const char *, const char *, struct buf *);
const struct report *report_find(const struct report_set *, const char *);

/*
 * Bind parameters and parse the report's query: args are "name=value"
 * (a parameter not given takes its default, evaluated against today;
 * one without a default must be given).  Each value is read as its
 * parameter's type and bound to its $name in the query (query_parse_bound),
 * never pasted in as text.  vals gets one value per parameter (texts
 * owned by the caller: free with report_values_free()).  -1 with
 * "parameter 'since': ..." style messages.
 */
int	 report_prepare(const struct report *, const struct schema *,
	     char *const *, size_t, int32_t, struct query **,
	     struct value **, struct buf *);
void	 report_values_free(struct value *, size_t);
/* A parameter's value for people (lang) or plainly (ISO dates), as
 * record_value_format() gives values of its type. */
void	 report_param_text(const struct report_param *, const struct value *,
	     int, int, struct buf *);

#endif
