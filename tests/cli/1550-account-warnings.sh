#!/bin/sh
# 1550: a settlement account the checks accept without its key is kept,
# with a warning the server sends along with the answer (RU-BUSINESS.md:
# a Treasury account, starting 03, carries no key: warn, do not refuse).
# add, set and import warn; an account checked by its key does not.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# The translations, for the server this test starts.
russian=
if make_russian; then
	export CLERK_LOCALEDIR="$T/locale"
	russian=yes
else
	diag "no msgfmt or no ru_RU.UTF-8 locale: Russian is not checked"
fi

treasury="Settlement account ('bank_account'): not checked: a Treasury account (starting 03) carries no check digit"

run add party name=Tr bank_bik=014525000 bank_account=03100643000000017300
status 0 "a Treasury account at a Treasury BIK is taken"
is "$out" 1 "the party is added"
is "$err" "clerk: warning: $treasury" "with a warning on stderr"
run show party 1 --format json
like "$out" '"bank_account":"03100643000000017300"' "stored as given"

run add party name=Tr2 bank_bik=044525225 bank_account=03100643000000017300
status 0 "a Treasury account at a bank's BIK is taken too"
is "$err" "clerk: warning: $treasury, and the BIK '044525225' is not a Treasury one (starting 01)" \
    "with a warning that says the BIK is not the Treasury's"

run add party name=Bank bank_bik=044525225 bank_account=40702810938000000001
status 0 "an account checked by its key"
is "$err" "" "gets no warning"
run add party name=Bad bank_bik=044525225 bank_account=40702810938000000002
status 1 "a wrong key is refused as ever"

run add party name=NoBik bank_account=40702810938000000001
status 0 "an account without a BIK is taken"
is "$err" "clerk: warning: Settlement account ('bank_account'): not checked: no BIK to check it against" \
    "with a warning that it was not checked"

run set party 3 bank_account=03100643000000017300
status 0 "set to a Treasury account"
like "$err" "warning: $treasury" "warns"
run set party 1 name='УФК по г. Москве'
status 0 "set of another field"
is "$err" "" "does not warn about the account again"
run set party 1 bank_bik=004525988
status 0 "a new BIK for the Treasury account"
is "$err" "clerk: warning: $treasury" "warns about the account it checks"

printf 'name,bank_bik,bank_account\nA,014525000,03100643000000017300\nB,044525225,40702810938000000001\n' >"$T/p.csv"
run import party "$T/p.csv"
status 0 "an import with a Treasury account"
like "$err" "warning: $T/p.csv:2: bank_account: not checked: a Treasury account (starting 03) carries no check digit" \
    "warns, naming the line and the column"
unlike "$err" "p.csv:3" "and not about the account checked"

if [ -n "$russian" ]; then
	LC_ALL=ru_RU.UTF-8 LANG=ru_RU.UTF-8 run add party name=Tr3 \
	    bank_bik=014525000 bank_account=03100643000000017300
	status 0 "in Russian"
	is "$err" "clerk: предупреждение: Расчётный счёт ('bank_account'): не проверен: казначейский счёт (начинается с 03) не имеет контрольного разряда" \
	    "the warning in Russian, by the card's label"
fi

done_testing
