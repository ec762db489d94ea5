#!/bin/sh
# Checks that every #include "x/..." in src/ goes down the layers of
# DESIGN.md §2, never up or sideways into another side.  TAP output.
top=${top_srcdir:-$(dirname "$0")/..}
cd "$top/src" || exit 1

# What each layer may include, besides itself.
allowed() {
	case $1 in
	util)	echo "" ;;
	record)	echo "util" ;;
	store)	echo "util record" ;;
	access)	echo "util record store" ;;
	query)	echo "util record store access" ;;
	biz)	echo "util record store access query" ;;
	doc|mail) echo "util record store access query biz" ;;
	cmd)	echo "util record store access query biz doc mail proto" ;;
	server)	echo "util record store access query biz doc mail cmd proto" ;;
	proto)	echo "util" ;;
	client)	echo "util proto" ;;
	tui)	echo "util proto client" ;;
	*)	echo "" ;;
	esac
}

n=0
bad=0
for dir in */; do
	layer=${dir%/}
	ok_list=$(allowed "$layer")
	for f in "$layer"/*.[ch]; do
		[ -f "$f" ] || continue
		for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f"); do
			[ "$inc" = "$layer" ] && continue
			case " $ok_list " in
			*" $inc "*) ;;
			*) echo "# $f includes $inc/, which layer $layer may not use"
			   bad=$((bad + 1)) ;;
			esac
		done
		# Only store/ may know Berkeley DB, only tui/ curses.
		if grep -q '#include <db.h>' "$f" && [ "$layer" != store ]; then
			echo "# $f includes <db.h> outside store/"; bad=$((bad + 1))
		fi
		if grep -qE '#include <(n?curses|form|menu|panel)' "$f" && [ "$layer" != tui ]; then
			echo "# $f includes curses outside tui/"; bad=$((bad + 1))
		fi
	done
done
for f in clerk.c clerkd.c clerk-remind.c; do
	[ -f "$f" ] || continue
	if grep -qE '#include "(store|record|access|query|biz|cmd|server)/' "$f" && [ "$f" != clerkd.c ]; then
		echo "# $f is a client but includes server layers"; bad=$((bad + 1))
	fi
done
n=$((n + 1))
if [ "$bad" -eq 0 ]; then
	echo "ok $n - include directions follow the layers"
else
	echo "not ok $n - $bad include(s) against the layers"
fi
echo "1..$n"
[ "$bad" -eq 0 ]
