#!/usr/bin/env bash
# An OTA update of lintel itself runs inside lintel-helper (ota-install, deb handler): dpkg runs
# lintel's prerm, postinst and postrm while the helper instance that started dpkg is still
# serving. This test runs the maintainer scripts exactly as the package ships them (#DEBHELPER#
# filled by dh_installsystemd with debian/rules' flags, then dh_installdeb) through an upgrade,
# with systemctl, deb-systemd-invoke, deb-systemd-helper and runuser replaced by stubs that log
# their arguments, and checks that nothing stops, restarts or reloads lintel-helper.socket, a
# lintel-helper@ instance or lintel-ota-recover.service (which runs dpkg the same way when it
# rolls a failed update back), while lintel.service is try-restarted (the new linteld starts).
# Needs root (a private mount namespace with /run/systemd/system and an overlay on /etc, so the
# host is never touched). Exit: 0 pass, 1 fail, 77 skipped.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root (mount namespace)"
    exit 77
fi
for tool in dh_installsystemd dh_installdeb unshare; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (apt-get build-dep ./)"; exit 1; }
done

work=$(mktemp -d /tmp/lintel-maintscripts.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The scripts as built: debian/ plus the units where dh_installsystemd finds them.
mkdir -p "$work/pkg/debian/lintel/lib/systemd/system"
cp -r "$src/debian/." "$work/pkg/debian/"
cp "$src"/systemd/*.service "$src"/systemd/*.socket "$work/pkg/debian/lintel/lib/systemd/system/"
flags=$(sed -n 's/^[[:space:]]*dh_installsystemd[[:space:]]\+//p' "$src/debian/rules")
(cd "$work/pkg" && dh_installsystemd $flags -plintel && dh_installdeb -plintel) >"$work/dh.log" 2>&1 || {
    cat "$work/dh.log"; echo "FAIL: dh_installsystemd/dh_installdeb"; exit 1; }
scripts=$work/pkg/debian/lintel/DEBIAN

# Stubs first on PATH: they only record how they were called.
mkdir -p "$work/stubs"
for stub in systemctl deb-systemd-invoke deb-systemd-helper runuser; do
    printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\nexit 0\n' "$stub" "$work" >"$work/stubs/$stub"
    chmod 755 "$work/stubs/$stub"
done
: >"$work/calls"

# An upgrade from 0.1.0 to 0.1.1, in dpkg's order (the scripts of both versions are these).
mkdir -p "$work/upper" "$work/overlay-work"
unshare -m --propagation private bash -euo pipefail -c '
    mount -t tmpfs tmpfs /run/systemd 2>/dev/null || { mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd; }
    mkdir -p /run/systemd/system
    mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/upper,workdir=$1/overlay-work" /etc
    mkdir -p /etc/lintel/pki
    export PATH="$1/stubs:/usr/sbin:/usr/bin:/sbin:/bin"
    sh "$2/prerm" upgrade 0.1.1
    sh "$2/postinst" configure 0.1.0
    sh "$2/postrm" upgrade 0.1.1
' _ "$work" "$scripts" >"$work/run.log" 2>&1 || { cat "$work/run.log"; echo "FAIL: a maintainer script failed"; exit 1; }

echo "calls made during the upgrade:"
sed 's/^/  /' "$work/calls"
failures=0
if grep -E '(stop|restart|try-restart|reload|kill|disable|mask)[^ ]* .*(lintel-helper|lintel-ota-recover)' "$work/calls" |
        grep -v -E '^deb-systemd-helper (unmask|was-enabled|enable|update-state)'; then
    echo "FAIL: an upgrade stops, restarts or reloads the helper that runs it"
    failures=1
fi
if ! grep -q '^deb-systemd-invoke try-restart lintel.service' "$work/calls"; then
    echo "FAIL: an upgrade does not try-restart lintel.service"
    failures=1
fi
# The removal path does stop the helper socket (that is not an upgrade): the check above must
# be able to fail.
: >"$work/calls"
unshare -m --propagation private bash -euo pipefail -c '
    mount -t tmpfs tmpfs /run/systemd; mkdir -p /run/systemd/system
    export PATH="$1/stubs:/usr/sbin:/usr/bin:/sbin:/bin"
    sh "$2/prerm" remove
' _ "$work" "$scripts" >>"$work/run.log" 2>&1
if ! grep -q 'stop .*lintel-helper.socket' "$work/calls"; then
    echo "FAIL: the removal path no longer stops the helper socket (is the check above blind?)"
    failures=1
fi
[ "$failures" -eq 0 ] && echo "maintainer scripts: PASS"
exit "$failures"
