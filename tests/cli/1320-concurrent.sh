#!/bin/sh
# 1320: 16 clients at once against one personal server, for 30 seconds
# (8 with CLERK_SLOW=0): adds, updates with --rev taken from a show just
# before (so two workers updating one record conflict), lists, finds
# and shows.  No command may fail except with a conflict message; then
# every add is in the table, every successful update made exactly one
# revision (none lost), and the indexes agree (admin verify).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

workers=16
seconds=30
[ "${CLERK_SLOW:-1}" = 0 ] && seconds=8
hot=8		# records every worker updates: conflicts on purpose

for i in $(seq 1 $hot); do
	clerk add party kind=org name="Общий клиент $i" >/dev/null
done
is "$(count_rows party)" "$hot" "the shared records are there"

# worker W: until the deadline, in turn: add, show+set, list, find,
# show.  Logs one line per outcome in $T/log.W: "add ID", "set ID",
# "conflict ...", "FAIL what: message".
worker() {
	w=$1
	log=$T/log.$w
	: >"$log"
	end=$(($(date +%s) + seconds))
	i=0
	while [ "$(date +%s)" -lt "$end" ]; do
		i=$((i + 1))
		o=$T/out.$w
		e=$T/err.$w
		case $((i % 5)) in
		1)
			if "$CLERK_BIN" add party kind=person \
			    name="Клиент $w-$i" city="Город $w" \
			    phones="+7 9$(printf '%02d%07d' "$w" "$i")" \
			    >"$o" 2>"$e"; then
				echo "add $(cat "$o")" >>"$log"
			else
				echo "FAIL add: $(cat "$e")" >>"$log"
			fi
			;;
		2)
			id=$(((i * 7 + w) % hot + 1))
			if ! "$CLERK_BIN" show party "$id" --format json \
			    >"$o" 2>"$e"; then
				echo "FAIL show: $(cat "$e")" >>"$log"
				continue
			fi
			rev=$(sed -n 's/.*"rev":\([0-9]*\).*/\1/p' "$o")
			if "$CLERK_BIN" set party "$id" \
			    city="Город $w-$i" --rev "$rev" >"$o" 2>"$e"; then
				echo "set $id" >>"$log"
			elif grep -q \
			    "^clerk: Client #$id was changed .*since revision $rev" \
			    "$e"; then
				echo "conflict $id" >>"$log"
			else
				echo "FAIL set: $(cat "$e")" >>"$log"
			fi
			;;
		3)
			"$CLERK_BIN" list party --sort name --limit 20 \
			    >"$o" 2>"$e" ||
			    echo "FAIL list: $(cat "$e")" >>"$log"
			;;
		4)
			# A miss (exit 1) is normal for a find; an error is not.
			"$CLERK_BIN" find "Клиент $w" --limit 5 >"$o" 2>"$e"
			case $? in
			0) ;;
			1) grep -q "no matches for" "$e" ||
			    echo "FAIL find: $(cat "$e")" >>"$log" ;;
			*) echo "FAIL find: $(cat "$e")" >>"$log" ;;
			esac
			;;
		0)
			"$CLERK_BIN" show party $((i % hot + 1)) >"$o" \
			    2>"$e" || echo "FAIL show: $(cat "$e")" >>"$log"
			;;
		esac
	done
}

pids=
for w in $(seq 1 $workers); do
	worker "$w" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p"
done

cat "$T"/log.* >"$T/all"
adds=$(grep -c '^add ' "$T/all")
sets=$(grep -c '^set ' "$T/all")
conflicts=$(grep -c '^conflict ' "$T/all")
fails=$(grep -c '^FAIL' "$T/all")
diag "$workers clients, $seconds s: $adds adds, $sets updates," \
    "$conflicts conflicts, $fails other failures"
is "$fails" "0" "no command failed except with a conflict"
[ "$fails" -eq 0 ] || diag "$(grep '^FAIL' "$T/all" | sort | uniq -c |
    sort -rn | head -n 20)"
if grep -q "gave up after" "$T/all"; then
	diag "the store gave up on deadlocks (see briefs/store-bugs.md)"
fi
ok "$([ "$adds" -gt 0 ] && [ "$sets" -gt 0 ] && echo 0 || echo 1)" \
    "work was done: adds and updates"
ok "$([ "$conflicts" -gt 0 ] && echo 0 || echo 1)" \
    "updates of the same records conflicted and were reported"

# Counts: every add is a row; no row came from nowhere.
is "$(count_rows party)" "$((hot + adds))" \
    "rows = shared records + successful adds"
clerk list party --format tsv | cut -f 1 | tail -n +2 | sort -n >"$T/ids"
{ seq 1 $hot; grep '^add ' "$T/all" | cut -d ' ' -f 2; } | sort -n \
    >"$T/want"
ok "$(cmp -s "$T/ids" "$T/want" && echo 0 || echo 1)" \
    "the ids listed are the ids the adds printed"

# No lost update: each successful set made one revision of its record.
revs=0
for id in $(seq 1 $hot); do
	r=$(clerk show party "$id" --format json |
	    sed -n 's/.*"rev":\([0-9]*\).*/\1/p')
	revs=$((revs + r - 1))
done
is "$revs" "$sets" "revisions made = successful updates"

run admin verify
status 0 "indexes consistent (admin verify)"
[ "$rc" -eq 0 ] || diag "$out" "$err"

done_testing
