#!/bin/sh
# 1080: the database cache: sized to the database unless asked, asked by
# --cache or CLERK_CACHE_MB, refused below 64 MB or when not a number,
# and the size taken is in the server's log, with the records read lately
# (store/rcache.c) kept in a sixteenth of it; an idle server on a new
# database holds little memory whatever its cache.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# serve ARGS: a foreground server on a socket of its own until it is
# ready, then stopped; its log in $T/clerkd.err.
serve() {
	rm -f "$T/c.sock"
	"$CLERKD" --foreground --dir "$T/c" --socket "$T/c.sock" "$@" \
	    2>"$T/clerkd.err" &
	spid=$!
	wait_socket "$T/c.sock"
	kill -TERM $spid
	wait $spid
}

serve
like "$(cat "$T/clerkd.err")" "database cache: 64 MB" \
    "a small database gets the smallest cache"

# The cache costs the pages it holds: buffers and their mutexes are made
# as pages come in (a 4 GB cache made all its mutexes at start, 260 MB).
rm -f "$T/c.sock"
"$CLERKD" --foreground --dir "$T/c" --socket "$T/c.sock" --cache 4096 \
    2>"$T/clerkd.err" &
spid=$!
wait_socket "$T/c.sock"
rss=$(awk '/^VmRSS:/ { print int($2 / 1024) }' /proc/$spid/status)
kill -TERM $spid
wait $spid
[ "${rss:-0}" -gt 0 ] && [ "$rss" -lt 64 ]
ok $? "an idle server with a 4 GB cache holds little memory (${rss:-?} MB)"
serve --cache 200
like "$(cat "$T/clerkd.err")" "database cache: 200 MB" "--cache 200"
like "$(cat "$T/clerkd.err")" "records read lately: 12 MB" \
    "and a sixteenth of it for the records read lately"
CLERK_CACHE_MB=96 serve
like "$(cat "$T/clerkd.err")" "database cache: 96 MB" "CLERK_CACHE_MB=96"

"$CLERKD" --foreground --dir "$T/c" --socket "$T/c.sock" --cache 10 \
    >"$T/stdout" 2>"$T/stderr"
rc=$?
err=$(cat "$T/stderr")
status 2 "--cache 10 is a usage error"
is "$err" "clerkd: the cache must be at least 64 MB" "saying the least"
"$CLERKD" --foreground --dir "$T/c" --socket "$T/c.sock" --cache lots \
    >"$T/stdout" 2>"$T/stderr"
rc=$?
err=$(cat "$T/stderr")
status 2 "--cache lots is a usage error"
is "$err" "clerkd: bad cache size 'lots': expected megabytes, a whole number" \
    "naming what is wrong"

done_testing
