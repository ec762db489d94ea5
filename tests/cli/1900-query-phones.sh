#!/bin/sh
# 1900: a phone number written as people write it is one value in a
# query, as if quoted: "8 (916) 171-97-07" and "+7 916 171-97-07" found
# the client as bare search words and after 'phones =' (before, the
# brackets opened a group and the dashes subtracted: a syntax error in
# the terminal's filter), beside other search words too; dates, money,
# "in (1, 2)" and date arithmetic are read as before.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run add party kind=person name='Абрамов Александр' phones='+7 916 171-97-07'
status 0 "a client with a phone"
run add party kind=person name='Абрамов Борис' phones='+7 495 000-00-01'
status 0 "another"

ids() {
	run list party "$1" --format tsv
	printf '%s\n' "$out" | sed 1d | cut -f 1 | tr '\n' ' '
}
for q in '8 (916) 171-97-07' '+7 916 171-97-07' '+7 (916) 171 97 07' \
    '8-916-171-97-07' '+7(916)171-97-07' '(8 (916) 171-97-07)' \
    'phones = 8 (916) 171-97-07' 'абрамов 8 (916) 171-97-07' \
    '8 (916) 171-97-07 абрамов'; do
	is "$(ids "$q")" "1 " "$q finds the client"
done
is "$(ids 'борис 8 (916) 171-97-07')" "" "and'ed with the words beside it"
is "$(ids 'phones != 8 (916) 171-97-07')" "2 " "!= too"

# What is not a phone is read as before.
is "$(ids 'id in (1,2)')" "1 2 " "in (1,2)"
is "$(ids 'id in (2)')" "2 " "in (2)"
is "$(ids 'created >= 2026-01-01 - 7')" "1 2 " "a date less 7 days"
run list party 'created >= 2020-01-01 - 7 and 8 (916) 171-97-07' \
    --format tsv
is "$(printf '%s\n' "$out" | sed 1d | cut -f 1)" "1" "a date, then a phone"
run list party '171-97-07'
status 1 "seven digits with dashes are no phone: subtraction, refused"

done_testing
