#!/usr/bin/env bash
# Install test: builds the .deb as Debian would (dpkg-buildpackage from a clean copy), holds it to
# lintian, installs it the way an operator does (apt, dependencies from the archive) into a
# throwaway Debian 12 root made by mmdebstrap, then checks files, owners, modes, accounts, the
# installed linteld and lintel-helper, a reinstall over a broken config, and what purge removes.
# Needs root and the Debian archive. Exit: 0 pass, 1 fail, 77 skipped (not root).
# LINTEL_KEEP_INSTALL_ROOT=1 keeps the work directory for a post-mortem; LINTEL_INSTALL_DEB_DIR=DIR
# takes lintel_*.deb and lintel_*.changes from DIR instead of building them (for iterating).
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: the install test needs root (dpkg-buildpackage, mmdebstrap, chroot)"
    exit 77
fi
for tool in dpkg-buildpackage lintian mmdebstrap socat systemd-socket-activate; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (apt-get build-dep ./)"; exit 1; }
done

work=$(mktemp -d /tmp/lintel-install.XXXXXX)
helper_pid=
cleanup() {
    [ -n "$helper_pid" ] && kill "$helper_pid" 2>/dev/null || true
    if [ "${LINTEL_KEEP_INSTALL_ROOT:-0}" = 1 ]; then
        echo "kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

failures=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() {  # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
root=$work/root
in_root() { chroot "$root" "$@"; }
# stat -c '%a %U:%G' of a path inside the root, names resolved by the root's own accounts.
mode_owner() { in_root stat -c '%a %U:%G' "$1" 2>/dev/null || echo missing; }

# --- 1. build -----------------------------------------------------------------------------------
echo "== building the package (dpkg-buildpackage, nocheck: the suite itself runs the tests)"
if [ -n "${LINTEL_INSTALL_DEB_DIR:-}" ]; then
    cp "$LINTEL_INSTALL_DEB_DIR"/lintel*.deb "$LINTEL_INSTALL_DEB_DIR"/lintel_*.changes \
        "$LINTEL_INSTALL_DEB_DIR"/lintel_*.buildinfo "$work/"
else
    mkdir "$work/src"
    tar -C "$src" --exclude=./build --exclude=./.git --exclude='./obj-*' --exclude=./debian/lintel \
        --exclude=./debian/.debhelper --exclude=./debian/tmp --exclude=./node_modules \
        --exclude=./tests/integration/node_modules --exclude=./tests/support/bacnet_device/node_modules \
        -cf - . | tar -C "$work/src" -xf -
    start=$SECONDS
    if ! (cd "$work/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
            dpkg-buildpackage -us -uc -b -Pnocheck) >"$work/build.log" 2>&1; then
        tail -80 "$work/build.log"
        echo "FAIL: dpkg-buildpackage"
        exit 1
    fi
    echo "built in $((SECONDS - start)) s"
fi
deb=$(ls "$work"/lintel_*_*.deb)
sign_deb=$(ls "$work"/lintel-sign_*_*.deb)
ok "dpkg-buildpackage produced $(basename "$deb") and $(basename "$sign_deb")"

# --- 2. lintian -----------------------------------------------------------------------------------
echo "== lintian"
if lintian --allow-root --fail-on error,warning --display-info "$work"/lintel_*.changes >"$work/lintian.log" 2>&1; then
    ok "lintian: no errors, no warnings"
else
    cat "$work/lintian.log"
    bad "lintian"
fi
grep -E '^[IP]: ' "$work/lintian.log" | sed 's/^/  lintian says: /' || true

# --- 3. install into a throwaway Debian 12 root -------------------------------------------------
echo "== installing into a fresh Debian 12 root (mmdebstrap + apt)"
mkdir -p "$work/debs"
cp "$deb" "$sign_deb" "$work/debs/"
deb_in=$work/debs/$(basename "$deb")
sign_in=$work/debs/$(basename "$sign_deb")
start=$SECONDS
# apt outside passes the .deb's path to dpkg inside: the same path must exist in the root.
# --verbose: the maintainer scripts' own output lands in the log, where it is checked below.
if ! mmdebstrap --verbose --variant=apt --include="$deb_in" --include="$sign_in" \
        --setup-hook="mkdir -p \"\$1$work/debs\" && cp $deb_in $sign_in \"\$1$work/debs/\"" \
        bookworm "$root" >"$work/mmdebstrap.log" 2>&1; then
    tail -60 "$work/mmdebstrap.log"
    echo "FAIL: mmdebstrap / apt install"
    exit 1
fi
echo "root made and package installed in $((SECONDS - start)) s"
check "postinst tells an unprovisioned operator what to do" \
    grep -q "not provisioned yet. Put the CA" "$work/mmdebstrap.log"

# --- 4. files, owners, modes ------------------------------------------------------------------------
echo "== files"
expect_mode() {  # PATH "MODE USER:GROUP"
    local got
    got=$(mode_owner "$1")
    if [ "$got" = "$2" ]; then ok "$1 is $2"; else bad "$1 is '$got', expected '$2'"; fi
}
expect_mode /usr/sbin/linteld "755 root:root"
expect_mode /usr/bin/lintelctl "755 root:root"
expect_mode /lib/systemd/system/lintel-control.socket "644 root:root"
expect_mode /usr/libexec/lintel/lintel-helper "755 root:root"
expect_mode /usr/lib/lintel/plugins/modbus.so "644 root:root"
expect_mode /usr/lib/lintel/plugins/bacnet.so "644 root:root"
expect_mode /usr/lib/lintel/plugins/http.so "644 root:root"
expect_mode /usr/lib/lintel/plugins/mqtt.so "644 root:root"
expect_mode /usr/bin/lintel-bacnet-discover "755 root:root"
for handler in deb file rauc script; do
    expect_mode "/usr/lib/lintel/plugins/ota-$handler.so" "644 root:root"
done
expect_mode /usr/lib/lintel/plugins "755 root:root"
expect_mode /etc/lintel/lintel.yaml "644 root:root"
expect_mode /etc/lintel/devices.d/modbus-meter.yaml.example "644 root:root"
expect_mode /etc/lintel/devices.d/bacnet-ahu.yaml.example "644 root:root"
expect_mode /etc/lintel/devices.d/http-plug.yaml.example "644 root:root"
expect_mode /etc/lintel/devices.d/mqtt-sensor.yaml.example "644 root:root"
expect_mode /etc/lintel/pki "750 root:lintel"
expect_mode /var/lib/lintel "750 lintel:lintel"
expect_mode /lib/systemd/system/lintel.service "644 root:root"
expect_mode /lib/systemd/system/lintel-helper.socket "644 root:root"
expect_mode "/lib/systemd/system/lintel-helper@.service" "644 root:root"
expect_mode /lib/systemd/system/lintel-ota-recover.service "644 root:root"
expect_mode /usr/lib/sysusers.d/lintel.conf "644 root:root"
expect_mode /usr/lib/tmpfiles.d/lintel.conf "644 root:root"
for f in /usr/share/man/man8/linteld.8.gz /usr/share/man/man8/lintel-helper.8.gz \
    /usr/share/man/man1/lintelctl.1.gz /usr/share/man/man1/lintel-sign.1.gz \
    /usr/share/man/man1/lintel-bacnet-discover.1.gz /usr/share/doc/lintel/bacnet.md.gz \
    /usr/share/man/man5/lintel.yaml.5.gz /usr/share/doc/lintel/copyright \
    /usr/share/doc/lintel/examples/serial-devices.conf; do
    check "$f is installed" test -f "$root$f"
done
check "lintel.yaml is a conffile" \
    sh -c "chroot '$root' dpkg-query -W -f='\${Conffiles}' lintel | grep -q ' /etc/lintel/lintel.yaml '"
check "the package ships no key, certificate or password file" \
    sh -c "! chroot '$root' dpkg -L lintel | grep -Ei '\\.(key|pem|crt|p12|pfx)\$|/pki/'"
check "unit enabled on install (multi-user.target.wants)" \
    test -L "$root/etc/systemd/system/multi-user.target.wants/lintel.service"
check "helper socket enabled on install (sockets.target.wants)" \
    test -L "$root/etc/systemd/system/sockets.target.wants/lintel-helper.socket"

echo "== accounts"
passwd_line=$(in_root getent passwd lintel || true)
check "system user lintel exists" test -n "$passwd_line"
uid=$(echo "$passwd_line" | cut -d: -f3)
check "lintel is a system uid (< 1000): $uid" test "${uid:-1000}" -lt 1000
check "lintel has no login shell" sh -c "echo '$passwd_line' | grep -q ':/usr/sbin/nologin\$'"
check "lintel's home is its state directory" sh -c "echo '$passwd_line' | cut -d: -f6 | grep -qx /var/lib/lintel"
check "group lintel-admin exists" sh -c "chroot '$root' getent group lintel-admin >/dev/null"

# --- 5. the installed programs -------------------------------------------------------------------
echo "== installed linteld"
check "linteld --version" sh -c "chroot '$root' /usr/sbin/linteld --version | grep -qx 'linteld 0.1.0'"
check "lintelctl says the daemon is not running (exit 69)" sh -c "
    chroot '$root' /usr/bin/lintelctl status >/dev/null 2>&1; test \$? -eq 69"
check "lintel-sign is its own package (cloud side)" sh -c "
    chroot '$root' dpkg -S /usr/bin/lintel-sign | grep -q '^lintel-sign:' &&
    ! chroot '$root' dpkg -L lintel | grep -q lintel-sign"
check "lintel-sign makes a key pair" sh -c "
    chroot '$root' /usr/bin/lintel-sign keygen --alg ed25519 --out /tmp/ops.key >/dev/null &&
    test \"\$(stat -c %a '$root/tmp/ops.key')\" = 600 && test -s '$root/tmp/ops.key.pub'"
if out=$(in_root runuser -u lintel -- /usr/sbin/linteld --check-config /etc/lintel/lintel.yaml 2>&1); then
    ok "installed linteld --check-config /etc/lintel/lintel.yaml passes as user lintel"
else
    echo "$out"
    bad "installed linteld --check-config /etc/lintel/lintel.yaml"
fi
check "check-config says the gateway is not provisioned yet" \
    sh -c "echo \"\$1\" | grep -q 'warning: not provisioned yet: missing /etc/lintel/pki/ca.pem'" _ "$out"
check "the shipped device example validates against the installed plugin" sh -c "
    cp '$root/etc/lintel/devices.d/modbus-meter.yaml.example' '$root/etc/lintel/devices.d/meter.yaml' &&
    chroot '$root' runuser -u lintel -- /usr/sbin/linteld --check-config /etc/lintel/lintel.yaml 2>/dev/null |
        grep -q 'configuration is valid (1 devices)'; rc=\$?; rm -f '$root/etc/lintel/devices.d/meter.yaml'; exit \$rc"
check "the shipped BACnet example validates against the installed bacnet.so" sh -c "
    cp '$root/etc/lintel/devices.d/bacnet-ahu.yaml.example' '$root/etc/lintel/devices.d/ahu-1.yaml' &&
    chroot '$root' runuser -u lintel -- /usr/sbin/linteld --check-config /etc/lintel/lintel.yaml 2>/dev/null |
        grep -q 'configuration is valid (1 devices)'; rc=\$?; rm -f '$root/etc/lintel/devices.d/ahu-1.yaml'; exit \$rc"
check "lintel-bacnet-discover runs and explains itself" sh -c "
    chroot '$root' /usr/bin/lintel-bacnet-discover --help | grep -q 'Sends Who-Is'"

echo "== installed lintel-helper (socket-activated as systemd would, inside the root)"
sock_dir=$root/run/lintel-helper-test
mkdir -p "$sock_dir"
chroot "$root" systemd-socket-activate --accept -l /run/lintel-helper-test/helper.sock \
    /usr/libexec/lintel/lintel-helper >"$work/helper.log" 2>&1 &
helper_pid=$!
for _ in $(seq 1 100); do [ -S "$sock_dir/helper.sock" ] && break; sleep 0.05; done
reply=$(printf '{"v":1,"action":"version"}\n' | timeout 10 socat - "UNIX-CONNECT:$sock_dir/helper.sock" || true)
check "helper reports the installed package version: $reply" \
    sh -c "echo '$reply' | grep -q '\"package_version\":\"0.1.0\"'"
# The update-handler plugins load in the installed helper (root-owned, not group-writable) and
# the deb handler reads dpkg's database. /var/lib/lintel-helper is the unit's StateDirectory=.
mkdir -p "$root/var/lib/lintel-helper" && chmod 0700 "$root/var/lib/lintel-helper"
reply=$(printf '{"v":1,"action":"ota-installed-version","params":{"handler":"deb","component":"lintel"}}\n' |
    timeout 30 socat - "UNIX-CONNECT:$sock_dir/helper.sock" || true)
check "the installed helper's deb handler reports lintel 0.1.0: $reply" \
    sh -c "echo '$reply' | grep -q '\"version\":\"0.1.0\"'"
check "the handler's state directory is private" \
    sh -c "test \"\$(stat -c '%a %U' '$root/var/lib/lintel-helper/ota/deb/lintel')\" = '700 root'"
kill "$helper_pid" 2>/dev/null || true
wait "$helper_pid" 2>/dev/null || true
helper_pid=

# --- 6. a reinstall over a configuration this version refuses ------------------------------------
echo "== reinstall with a broken configuration"
cp "$root/etc/lintel/lintel.yaml" "$work/lintel.yaml.orig"
echo "bogus_key: 1" >>"$root/etc/lintel/lintel.yaml"
mkdir -p "$root$work/debs"
cp "$deb" "$root$deb_in"
if in_root dpkg -i --force-confold "$deb_in" >"$work/reinstall.log" 2>&1; then
    ok "reinstall succeeds (a bad config does not break dpkg)"
else
    cat "$work/reinstall.log"
    bad "reinstall"
fi
check "postinst names the bad key loudly" grep -q "bogus_key: unknown key" "$work/reinstall.log"
check "postinst says linteld was not restarted" grep -q "linteld was NOT (re)started" "$work/reinstall.log"
check "the administrator's configuration is kept" grep -q "^bogus_key: 1" "$root/etc/lintel/lintel.yaml"
cp "$work/lintel.yaml.orig" "$root/etc/lintel/lintel.yaml"

# --- 7. purge ----------------------------------------------------------------------------------------
echo "== purge"
echo "not a real key" >"$root/etc/lintel/pki/gateway.key"
echo "buffer" >"$root/var/lib/lintel/buffer.db"
if in_root dpkg --purge lintel >"$work/purge.log" 2>&1; then ok "dpkg --purge lintel"; else cat "$work/purge.log"; bad "purge"; fi
for p in /usr/sbin/linteld /usr/libexec/lintel /usr/lib/lintel /etc/lintel /var/lib/lintel \
    /lib/systemd/system/lintel.service /etc/systemd/system/multi-user.target.wants/lintel.service \
    /etc/systemd/system/sockets.target.wants/lintel-helper.socket; do
    check "purge removed $p" test ! -e "$root$p"
done
check "purge keeps the system user (Debian practice)" sh -c "chroot '$root' getent passwd lintel >/dev/null"

echo
if [ "$failures" -eq 0 ]; then
    echo "install test: PASS"
else
    echo "install test: $failures check(s) FAILED"
    exit 1
fi
