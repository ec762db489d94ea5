#!/bin/sh
# 1930: a data folder removed, renamed or replaced under a running
# server stops it at once, so that nothing is written to files nobody
# will find again, and the next clerk reaches what is at the path now.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# Removed: the next clerk gets a server of a new, empty folder (before,
# the old server took the record into the deleted files, and said 0).
run add party name='ООО «Первое»'
status 0 "a record in the first folder"
pid1=$(server_pid)
rm -rf "$CLERK_DIR"
wait_gone "$pid1" 30
ok $? "the server stops when its folder is removed"
run add party name='ООО «Второе»'
status 0 "the next clerk adds"
run list party --format tsv
is "$(printf '%s\n' "$out" | tail -n +2 | cut -f2)" "ООО «Второе»" \
    "into a folder that is there, where it stays"
ok "$([ -d "$CLERK_DIR" ]; echo $?)" "the folder made again"

# Replaced by a backup while the server runs: the server of the old
# folder stops, and what is added goes into the folder at the path.
run admin backup "$T/copy"
status 0 "a backup"
run add party name='ООО «Третье»'
pid2=$(server_pid)
mv "$CLERK_DIR" "$T/old"
mv "$T/copy" "$CLERK_DIR"
wait_gone "$pid2" 30
ok $? "the server stops when its folder is replaced"
run add party name='ООО «Четвёртое»'
status 0 "the next clerk adds"
run list party --format tsv
is "$(printf '%s\n' "$out" | tail -n +2 | cut -f2 | sort | tr '\n' ' ')" \
    "ООО «Второе» ООО «Четвёртое» " \
    "to the backup now in place, the old folder's last record not in it"
pid3=$(server_pid "$T/old")
is "$pid3" "" "no server left on the renamed folder"

# A server of its own, in the foreground: it says why it stopped, with
# status 1, and removes its socket.
"$CLERKD" --foreground --dir "$T/fg" --socket "$T/fg.sock" \
    2>"$T/fg.err" &
fpid=$!
wait_socket "$T/fg.sock"
run -S "$T/fg.sock" add party name='ООО «Пятое»'
status 0 "a shared server serves"
mv "$T/fg" "$T/fg.moved"
if wait_gone "$fpid" 30; then
	wait $fpid
	is "$?" "1" "and exits with status 1 when its folder is renamed"
else
	kill "$fpid"
	ok 1 "and exits with status 1 when its folder is renamed"
fi
like "$(cat "$T/fg.err")" \
    "the data folder '$T/fg' was removed, renamed or replaced; stopped" \
    "saying why"
ok "$([ ! -e "$T/fg.sock" ]; echo $?)" "its socket removed"
done_testing
