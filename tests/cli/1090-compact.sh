#!/bin/sh
# 1090: admin compact packs the files and says by how much, the data
# reads the same after it; a personal server compacts by itself when
# idle after many changes (here: 1 second and 100 changes).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

db_bytes() {
	cat "$1"/*.db | wc -c
}

# Sizes are read with the server stopped: it writes pages out lazily.
export CLERK_COMPACT_CHANGES=0
run admin init
run admin demo --scale 3000
status 0 "admin demo --scale 3000"
clerk export party >"$T/before.csv"
stop_servers
loaded=$(db_bytes "$CLERK_DIR")

run admin compact
status 0 "admin compact"
like "$out" "party.words.db: " "names a file that shrank"
like "$out" "compacted " "and says how much"
stop_servers
packed=$(db_bytes "$CLERK_DIR")
ok "$([ "$packed" -lt "$loaded" ]; echo $?)" \
    "the files are smaller ($loaded -> $packed bytes)"
clerk export party >"$T/after.csv"
cmp -s "$T/before.csv" "$T/after.csv"
ok $? "every party reads the same"
run admin verify
status 0 "admin verify passes after it"
run admin compact extra
status 2 "admin compact takes no argument"

# The server by itself, in another folder: the same demo (same seed).
stop_servers
export CLERK_DIR="$T/data2" CLERK_COMPACT_QUIET=1 CLERK_COMPACT_CHANGES=100
run admin init
run admin demo --scale 3000
status 0 "a second demo"
sleep 8
stop_servers
idle=$(db_bytes "$CLERK_DIR")
ok "$([ "$idle" -lt "$loaded" ]; echo $?)" \
    "an idle server compacted ($loaded -> $idle bytes)"
run admin verify
status 0 "admin verify passes after it"
is "$(count_rows party)" 3000 "3000 parties"

done_testing
