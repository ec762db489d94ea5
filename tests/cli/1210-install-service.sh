#!/bin/sh
# 1210: "make install" puts the office server's systemd unit and init
# script in place, made from their templates with the configured paths:
# the unit runs the installed clerkd --system as clerk in its runtime
# and state folders, hardened; the init script is an LSB script that
# starts the same clerkd; the man pages name them, and the forms, where
# they are installed.  Installs into a DESTDIR, so it needs the
# configured build folder and make.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if [ ! -f "$top_builddir/Makefile" ] || ! command -v make >/dev/null 2>&1
then
	echo "1..0 # SKIP needs the configured build folder and make"
	trap - EXIT
	rm -rf "$T"
	exit 77
fi

# make, free of the make check that runs us (its jobserver is not ours).
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory \
	    -C "$top_builddir" "$@"
}
# The value of a make variable, expanded.
mkvar() {
	printf 'print-var:\n\t@echo $(%s)\n' "$1" | mk -f Makefile -f - print-var
}
bindir=$(mkvar bindir)
unitdir=$(mkvar systemdsystemunitdir)
initdir=$(mkvar sysconfdir)/init.d
inst=$T/inst

mk install DESTDIR="$inst" >"$T/install.out" 2>&1
ok $? "make install DESTDIR=... succeeds"
[ $? -eq 0 ] || diag "$(tail -n 20 "$T/install.out")"

unit=$inst$unitdir/clerkd.service
init=$inst$initdir/clerkd
ok "$([ -f "$unit" ]; echo $?)" "the unit is in $unitdir"
ok "$([ -f "$init" ] && [ -x "$init" ]; echo $?)" \
    "the init script is in $initdir, executable"
ok "$([ -x "$inst$bindir/clerkd" ]; echo $?)" "beside the installed clerkd"

u=$(cat "$unit" 2>/dev/null)
i=$(cat "$init" 2>/dev/null)
unlike "$u$i" "@bindir@" "no template placeholder is left"

# The pages that name installed files name them where they went.
mandir=$(mkvar mandir)
formsdir=$(mkvar formsdir)
m8=$(cat "$inst$mandir/man8/clerkd.8" 2>/dev/null)
m5=$(cat "$inst$mandir/man5/clerk-forms.5" 2>/dev/null)
like "$m8" ".Pa $unitdir/clerkd.service" "clerkd(8) names the unit where it is"
like "$m8" ".Pa $initdir/clerkd" "and the init script"
like "$m5" "Pa $formsdir/party.form" "clerk-forms(5) names the forms' folder"
unlike "$m8$m5" "@" "no placeholder left in the pages"
like "$u" "
ExecStart=$bindir/clerkd --system
" "the unit runs the installed clerkd --system"
like "$u" "
Type=forking
" "which forks once it listens"
like "$u" "
PIDFile=/var/lib/clerk/clerkd.pid
" "with its lock file as the pid file"
like "$u" "
User=clerk
" "as the user clerk"
like "$u" "
RuntimeDirectory=clerk
RuntimeDirectoryMode=0755
" "with /run/clerk open to operators"
like "$u" "
StateDirectory=clerk
StateDirectoryMode=0700
" "and /var/lib/clerk closed to them"
for h in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes \
    ProtectHome=yes 'ReadWritePaths=/var/lib/clerk -/var/backups/clerk'; do
	like "$u" "
$h
" "hardened: $h"
done
like "$u" "
WantedBy=multi-user.target" "enabled for multi-user"

if command -v systemd-analyze >/dev/null 2>&1; then
	# Against the installed clerkd, since it is not in $bindir.
	sed "s|^ExecStart=$bindir/|ExecStart=$inst$bindir/|" "$unit" \
	    >"$T/clerkd.service"
	systemd-analyze verify --man=no "$T/clerkd.service" >"$T/verify" 2>&1
	ok $? "systemd-analyze verify accepts the unit"
	[ -s "$T/verify" ] && diag "$(cat "$T/verify")"
else
	echo "ok $((tap_n + 1)) # SKIP no systemd-analyze"
	tap_n=$((tap_n + 1))
fi

sh -n "$init"
ok $? "the init script is valid sh"
like "$i" "### BEGIN INIT INFO
# Provides:          clerkd
# Required-Start:    \$local_fs \$remote_fs \$syslog" "with LSB headers"
like "$i" "# Default-Start:     2 3 4 5" "started in runlevels 2-5"
like "$i" "
DAEMON=$bindir/clerkd
" "it starts the installed clerkd"
like "$i" "--system --user \"\$CLERKD_USER\"" "with --system"
for a in 'start)' 'stop)' 'restart|force-reload)' 'status)'; do
	like "$i" "
$a" "it has $a"
done

done_testing
