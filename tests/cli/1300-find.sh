#!/bin/sh
# 1300: clerk find: search as you type across tables, best matches
# first (exact value, then whole words, then starts of words, the name
# before other fields, then by name), whatever the case, ё or е, the
# phone's notation; grep's exit status 1 when nothing matches.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# ids of find's answer, "table:id" in order (TSV: table, id, ...).
found() {
	"$CLERK_BIN" find "$@" --format tsv 2>/dev/null | awk -F '\t' 'NR > 1 {
	    printf "%s%s:%s", sep, $1, $2; sep = " " }'
}

clerk add party kind=org name='ООО «Ромашка»' inn=7707083893 \
    kpp=773601001 phones='+7 495 123-45-67' emails=info@romashka.ru \
    city=Москва tags=цветы >/dev/null                              # 1
clerk add party kind=person name='Ромашкина Анна' \
    phones='8 916 111 22 33' >/dev/null                            # 2
clerk add party kind=sole name='ИП Ёлкин Семён' tags=ромашка \
    inn=500100732259 >/dev/null                                    # 3
clerk add party kind=org name='Ромашково ЗАО' >/dev/null          # 4
clerk add party kind=org name='Ромашка' >/dev/null                # 5
clerk add contact party=1 name='Иванов Пётр' \
    emails=petr.ivanov@romashka.ru phones='+7 903 555-66-77' >/dev/null
clerk add contact party=4 name='Ромашкин Олег' >/dev/null         # c2
run list party --format tsv
is "$(printf '%s\n' "$out" | wc -l)" "6" "five parties to search"

# Ranking: an exact name (5), the word whole in a name (1), the word
# whole in tags (3); "ромашка" starts no word of "Ромашкина".
is "$(found ромашка)" "party:5 party:1 party:3" \
    "exact name, then a whole word of a name, then a tag"
# The start of a word in names (alphabetical among equals) before a
# whole word elsewhere; contacts too, ranked with the parties.
is "$(found ромашк)" \
    "party:1 party:5 contact:2 party:2 party:4 party:3" \
    "starts of names in name order, then a tag"
run find ромашка
status 0 "find exits 0 with matches"
like "$(printf '%s\n' "$out" | head -n 1)" "Matched" "a header names the columns"
like "$out" "ИП Ёлкин Семён  Tags: ромашка" "says a tag matched"
like "$out" "Name: Ромашка (exact)" "says the name matched exactly"

# Case and ё are folded both ways.
is "$(found РОМАШКА)" "party:5 party:1 party:3" "upper case finds the same"
is "$(found ёлкин)" "party:3" "ё in the text"
is "$(found ЕЛКИН)" "party:3" "е for ё, in capitals"
is "$(found семен)" "party:3" "е for ё in another word"
is "$(found 'ип елкин')" "party:3" "two words, both must match"
is "$(found Иван Пётр)" "contact:1" "words as separate arguments"
is "$(found иванов петр)" "contact:1" "in any case, е for ё"

# Phones in any notation, whole or in part.
for p in '+7 495 123-45-67' '8 (495) 123-45-67' '84951234567' \
    '495 123 45 67' '74951234567'; do
	run find "$p"
	like "$out" "+7 495 123-45-67 (exact)" "phone written as '$p' is exact"
done
is "$(found 495 123)" "party:1" "a phone's start in groups"
is "$(found 8 916 111)" "party:2" "a phone's start with the trunk 8"
is "$(found 903-555)" "contact:1" "a contact's phone"

# ИНН whole is exact and first; its start matches too.
run find 7707083893
like "$out" "INN: 7707083893 (exact)" "an ИНН typed whole is exact"
is "$(found 770708)" "party:1" "the start of an ИНН"
is "$(found 500100732259)" "party:3" "a 12-digit ИНН"

# E-mails: whole (any case), local part, domain, words of them.
run find INFO@Romashka.RU
like "$out" "E-mails: info@romashka.ru (exact)" "an e-mail whole, any case"
is "$(found petr.ivanov)" "contact:1" "the local part of an e-mail"
is "$(found romashka.ru)" "contact:1 party:1" \
    "an e-mail's domain, in both tables, by name"
is "$(found ivanov)" "contact:1" "a word of an e-mail"

# Exact beats partial: a phone whose digits start with the ИНН of 1,
# on a party whose name comes first.
clerk add party kind=person name='Абв Где' phones='+7 707 083-89-31' \
    >/dev/null                                                      # 6
is "$(found 7707083893)" "party:1 party:6" "exact ИНН before a phone it starts"

# A whole word beats the start of one, whatever the names' order.
clerk add party kind=org name='Аннаполис ООО' >/dev/null           # 7
is "$(found анна)" "party:2 party:7" "a whole word before a word's start"

# Options and formats.
is "$(found ромашк --limit 2)" "party:1 party:5" "--limit"
is "$(found ромашк --table contact)" "contact:2" "--table"
run find ромашка --format json
status 0 "JSON"
is "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d), d[0]["table"], d[0]["id"], d[0]["name"], d[0]["exact"],
      d[1]["exact"], d[0]["score"] > d[1]["score"] > d[2]["score"])')" \
    "3 party 5 Ромашка True False True" "JSON is a list, best first"
run find ромашка --format csv
like "$out" "table,id,name,matched,score" "CSV header"
like "$out" "party,1,ООО «Ромашка»,name," "CSV rows with field names"

# Archived records are not found.
clerk rm party 4
is "$(found ромашково)" "" "an archived party is not found"

# No match: grep's convention, exit 1 with a message.
run find zzzzz
status 1 "no match exits 1"
is "$err" "clerk: no matches for 'zzzzz'" "and says so"
is "$out" "" "nothing on standard output"
run find ромашково
status 1 "only an archived match: exit 1"

# Usage errors.
run find
status 2 "no text is a usage error"
run find '...'
status 2 "punctuation only is a usage error"
like "$err" "nothing to find in '...'" "says there is nothing to find"
run find ромашка --limit 0
status 2 "--limit 0"
run find ромашка --limit x
status 2 "--limit x"
run find ромашка --table parti
status 1 "unknown table"
like "$err" "did you mean 'party'" "with a suggestion"
run find ромашка --format xml
status 2 "unknown format"

# More candidates than are ranked (2,000 a table): a warning, and a
# whole value at a high id is still found and first, through its index.
{
	echo name,inn
	i=1
	while [ "$i" -lt 2500 ]; do
		echo "Иваненко Тест $i,"
		i=$((i + 1))
	done
	echo "Иваненко,7736207543"
} >"$T/many.csv"
big() { "$CLERK_BIN" -d "$T/big" "$@"; }
big import party "$T/many.csv" >/dev/null 2>&1
is "$(big list party --format tsv | wc -l)" "2501" "2,500 parties imported"
big find иваненко --limit 2 --format tsv >"$T/stdout" 2>"$T/stderr"
rc=$?
is "$rc" "0" "a very common word"
like "$(cat "$T/stderr")" \
    "more than 2000 party records match 'иваненко'; the first 2000 found were ranked" \
    "warns that only the first candidates were ranked"
is "$(cut -f 3 "$T/stdout" | sed -n 2p)" "Иваненко" \
    "the exact name, beyond the first 2,000, comes first"
is "$(big find 7736207543 --format tsv | cut -f 3 | sed -n 2p)" "Иваненко" \
    "its ИНН finds it"

done_testing
