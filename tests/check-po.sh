#!/bin/sh
# Checks that po/POTFILES.in names every source file with messages, and
# that po/ru.po translates every message of the sources (none missing,
# none fuzzy).  TAP output.
top=${top_srcdir:-$(dirname "$0")/..}
cd "$top" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! command -v xgettext >/dev/null 2>&1; then
	echo "1..0 # SKIP xgettext not installed"
	exit 0
fi

n=0
fail=0
n=$((n + 1))
ls src/*.c src/*/*.c 2>/dev/null | LC_ALL=C sort > "$tmp/have"
grep -v '^#' po/POTFILES.in | sed '/^$/d' | LC_ALL=C sort > "$tmp/listed"
missing=$(comm -23 "$tmp/have" "$tmp/listed")
gone=$(comm -13 "$tmp/have" "$tmp/listed")
if [ -z "$missing$gone" ]; then
	echo "ok $n - po/POTFILES.in lists every source file"
else
	echo "not ok $n - po/POTFILES.in is out of date"
	for f in $missing; do echo "# missing: $f"; done
	for f in $gone; do echo "# no longer exists: $f"; done
	fail=1
fi

n=$((n + 1))
xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 --add-comments=TRANSLATORS: \
	-o "$tmp/clerk.pot" -f "$tmp/have" 2>"$tmp/xg.err"
msgmerge -q --no-fuzzy-matching -o "$tmp/merged.po" po/ru.po "$tmp/clerk.pot" 2>/dev/null
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/merged.po" 2>&1)
case $stats in
*untranslated*|*fuzzy*)
	echo "not ok $n - po/ru.po is incomplete: $stats"
	msgattrib --untranslated --no-obsolete "$tmp/merged.po" 2>/dev/null |
		sed -n 's/^msgid "\(..*\)"$/# untranslated: \1/p' | head -n 20
	fail=1 ;;
*)
	echo "ok $n - po/ru.po translates every message ($stats)" ;;
esac

n=$((n + 1))
if LC_ALL=C msgfmt -c -o /dev/null po/ru.po 2>"$tmp/fmt.err"; then
	echo "ok $n - po/ru.po passes msgfmt -c (format strings agree)"
else
	echo "not ok $n - msgfmt -c po/ru.po"
	sed 's/^/# /' "$tmp/fmt.err" | head -n 20
	fail=1
fi
echo "1..$n"
exit $fail
