#!/bin/sh
# 2110: the TUI's words in Russian (headless): help with its
# placeholders translated (ТАБЛИЦА, ИМЯ), the frequency table's shares
# as Russian writes them (32,2 %) and its keys by their labels, a
# command that needs a row saying so in words and not by its name, a
# record named by its table's label and number (Клиент #3009), never
# №, times as people read them (31.01.2026 12:30) in the card's footer
# and the draft's offer, and the phone extension's message.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! make_russian; then
	echo "1..0 # SKIP no msgfmt or no ru_RU.UTF-8 locale"
	exit 0
fi
export CLERK_LOCALEDIR="$T/locale" LC_ALL=ru_RU.UTF-8
export CLERK_NOW=2026-03-02

run admin init
run admin demo --scale 200
status 0 "a demo database of 200 clients"

# Help: the placeholders of the commands' arguments in Russian.
headless '<F1><dump><PgDn><dump><Esc><Down><Enter><F1><dump><PgDn><dump><PgDn><dump><PgDn><dump>' 100x30
help=$(screen 1; screen 2; screen 3; screen 4; screen 5; screen 6)
like "$help" "(или таблицы ТАБЛИЦА)" "the table's placeholder"
like "$help" "представления ИМЯ)" "the view's"
like "$help" "(с именем ИМЯ)" "the view's name to save as"
unlike "$help" "TABLE" "no TABLE left"
unlike "$help" "NAME" "no NAME left"
unlike "$help" "FILE" "no FILE left"

# The frequency table: 32,2 % and the field by its label.
headless '<Down><Enter><Tab><Tab><Tab><Tab>F<dump>' 100x30
likere "$(screen 1)" " [0-9]+,[0-9] %" "a share as 32,2 %"
unlike "$(screen 1)" "%%" "one per cent sign"
likere "$(screen 1)" "по Город" "the status line names the field by its label"

# A command that needs a row, where there is none.
headless '<Down><Enter>\city = Нигде<Enter><Enter><dump>'
like "$(screen 1)" "здесь нет записи, которую можно открыть" \
    "Enter on an empty list says so in words"
unlike "$(screen 1)" "list-open" "not by the command's name"

# A record by its table's label and number.
run show party 99999
like "$err" "Клиент #99999: запись не найдена" "not found: Клиент #99999"
rev=$(clerk show party 1 --format json | sed 's/.*"rev":\([0-9]*\).*/\1/')
run set party 1 city=Тверь
run set party 1 --rev "$rev" city=Омск
like "$err" "Клиент #1: запись изменена после ревизии $rev" \
    "a stale change: Клиент #1"
like "$err" ": Город" "the field changed by its label"

# The card's footer and the draft's offer: times as 02.03.2026 12:30,
# the record as Клиент #N.
headless '<Down><Enter><Enter><dump>' 100x30
likere "$(screen 1)" "создана [0-9]{2}\.[0-9]{2}\.[0-9]{4} [0-9]{2}:[0-9]{2} " \
    "the footer's times as people's dates"
unlike "$(screen 1)" "создана 20" "not ISO"
headless '<Down><Enter><Enter><Down>e<C-u>черновик' 100x30
headless '<dump>' 100x30
s=$(screen 1)
likere "$s" "Клиент #[0-9]+" "the draft's record as Клиент #N"
unlike "$s" "№" "no №"
likere "$s" "[0-9]{2}\.[0-9]{2}\.[0-9]{4} [0-9]{2}:[0-9]{2}" \
    "the time it was kept as people's dates"
unlike "$s" "$(date +%Y)-" "not ISO"
likere "$s" "сбережена [0-9]{2}\.[0-9]{2}\." \
    "kept 02.03.2026 12:30, not «в 02.03.2026 12:30»"
rm -rf "$XDG_STATE_HOME/clerk"

# A phone extension: kept in the notes, as the field is called.
run set party 1 phones='+7 495 123-45-67 доб. 12'
like "$err" "запишите его в заметки" "the extension's message names the notes"

done_testing
