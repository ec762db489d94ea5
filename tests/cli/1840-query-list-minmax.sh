#!/bin/sh
# 1840: min() and max() of a field holding a list (phones, tags) are its
# least and greatest element, not the least or greatest list: a record's
# second phone can be a group's greatest.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party name='ООО «Ромашка»' city=Москва \
    phones='+7 495 100-00-00, +7 999 999-99-99' tags='b, я' >/dev/null
clerk add party name='ООО «Лютик»' city=Москва \
    phones='+7 916 000-00-00' tags='в' >/dev/null
clerk add party name='ИП Петров' kind=sole city=Тверь \
    phones='+7 482 000-00-00, +7 300 000-00-00' >/dev/null

run query 'party group city min(phones) max(phones) min(tags) max(tags)' \
    --format tsv
status 0 "min and max of lists"
is "$out" "city	min(phones)	max(phones)	min(tags)	max(tags)	level
Москва	+74951000000	+79999999999	b	я	0
Тверь	+73000000000	+74820000000			0
	+73000000000	+79999999999	b	я	1" \
    "each the least or greatest element, in a group and in the total"
run query 'party where city = москва group max(phones)' --format json
is "$out" '[
{"max(phones)":"+79999999999","level":0}
]' "JSON: one phone, a string"

done_testing
