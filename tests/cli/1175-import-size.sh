#!/bin/sh
# 1175: the size limit of an imported file, as clerk(1) states it: a
# file over 1023 MB (a sparse one here) is refused by the client with
# its size before any of it is read or sent: nothing reaches the
# server.  (More than that on standard input is refused after 1023 MB
# are read, not all of it; too much memory for a test.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

like "$(sed -n '/^\.It Cm import /,/^\.It Cm export /p' \
    "$top_srcdir/man/clerk.1")" "at most 1023 MB" \
    "clerk(1) states the limit the client keeps"
truncate -s 1100M "$T/huge.csv" ||
    { echo "1..0 # SKIP truncate cannot make a sparse file"; exit 0; }
run import party "$T/huge.csv"
status 1 "a file of 1100 MB is refused"
is "$err" "clerk: '$T/huge.csv' is 1100 MB; one request takes at most 1023 MB: split the file" \
    "with its size and the limit"
if [ -d "$CLERK_DIR" ]; then
	ok 1 "before a server was started"
else
	ok 0 "before a server was started"
fi
rm -f "$T/huge.csv"
printf 'kind,name\norg,Small\n' | "$CLERK_BIN" import party - \
    >"$T/stdout" 2>"$T/stderr"
rc=$?
out=$(cat "$T/stdout")
err=$(cat "$T/stderr")
status 0 "a small file on standard input is read as before"
like "$out" "imported 1 party record from -" "and imported"

done_testing
