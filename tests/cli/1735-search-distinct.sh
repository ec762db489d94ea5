#!/bin/sh
# 1735: a search's longer words (four letters and more) each match a
# word of the record of their own: a full name whose patronymic is made
# of the first name ("Иванов Иван Иванович") finds that person, not
# everyone whose patronymic all three words begin.  A shorter word (a
# first letter typed on the way) stays free.  The word index's answer
# (query, find, page --search) and the record-by-record one (page
# --search --archived) agree.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party kind=person name='Иванов Иван Иванович' >/dev/null   # 1
clerk add party kind=person name='Беляев Пётр Иванович' >/dev/null   # 2
clerk add party kind=person name='Иванова Ирина Петровна' >/dev/null # 3
clerk add party kind=person name='Сидоров Иван Петрович' >/dev/null  # 4

ids() {
	clerk query "party where '$1' cols name" --format csv |
	    sed 1d | cut -d, -f1 | tr -d '\r' | tr '\n' ' '
}
is "$(ids 'иванов иван иванович')" "1 " "the full name finds that person only"
is "$(ids 'Иван Иванович')" "1 " "a name and a patronymic: a word each"
is "$(ids 'иванович')" "1 2 " "one word alone finds every record it begins"
is "$(ids 'иванов и')" "1 2 3 " "a first letter stays free"
is "$(ids 'петр иван')" "2 3 4 " \
    "words that do not begin each other as before (Пётр Иванович too)"

shown() {
	clerk page party --search "$@" --limit 10 --cols name |
	    sed -n 's/^shown	//p'
}
is "$(shown 'иванов иван иванович')" 1 "page --search counts the same"
is "$(shown 'иванов иван иванович' --archived)" 1 \
    "and so does the search that tests each record (--archived)"
is "$(shown 'иван иванович' --archived)" 1 "for a name and patronymic too"
run find 'Иванов Иван Иванович'
like "$out" "Иванов Иван Иванович" "find finds the person"
unlike "$out" "Беляев" "and not one whose patronymic all three begin"

done_testing
