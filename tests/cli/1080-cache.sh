#!/bin/sh
# 1080: the database cache: sized to the database unless asked, asked by
# --cache or CLERK_CACHE_MB, refused below 64 MB or when not a number,
# and the size taken is in the server's log.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# serve ARGS: a foreground server on a socket of its own until it is
# ready, then stopped; its log in $T/clerkd.err.
serve() {
	rm -f "$T/c.sock"
	"$CLERKD" --foreground --dir "$T/c" --socket "$T/c.sock" "$@" \
	    2>"$T/clerkd.err" &
	spid=$!
	i=0
	while [ ! -S "$T/c.sock" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -TERM $spid
	wait $spid
}

serve
like "$(cat "$T/clerkd.err")" "database cache: 64 MB" \
    "a small database gets the smallest cache"
serve --cache 200
like "$(cat "$T/clerkd.err")" "database cache: 200 MB" "--cache 200"
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
