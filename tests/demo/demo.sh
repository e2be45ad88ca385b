#!/usr/bin/env bash
# The demo (README): a simulated Modbus TCP meter -> linteld -> a local mosquitto with mutual TLS
# standing in for the cloud, with the telemetry shown as it arrives at the broker. Ctrl-C stops
# linteld gracefully and cleans everything up. Run as root on Debian 12 (installs dependencies).
# Env: LINTEL_SKIP_DEPS=1 skips apt; LINTEL_DEMO_SECONDS=N stops by itself after N seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=$root/build/demo

if [ "${LINTEL_SKIP_DEPS:-0}" != 1 ]; then
    if [ "$(id -u)" -ne 0 ]; then echo "run as root (installs dependencies with apt-get)" >&2; exit 2; fi
    export DEBIAN_FRONTEND=noninteractive
    echo "== installing build dependencies (apt-get build-dep ./)"
    apt-get update -q >/dev/null
    apt-get build-dep -y -q ./ >/dev/null
fi

echo "== building linteld and the modbus plugin"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLINTEL_BUILD_TESTS=OFF -DLINTEL_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target linteld lintel_plugin_modbus >/dev/null

work=$(mktemp -d /tmp/lintel-demo.XXXXXX)
pids=()
cleanup() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    # Every child of this script, pipeline members included (the peer's stdin keeper).
    pkill -P $$ 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
    echo "== demo stopped and cleaned up"
}
trap cleanup EXIT
trap 'exit 130' TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # wait_for SECONDS CMD...: poll with a deadline, never a blind sleep
    local deadline=$((SECONDS + $1)); shift
    until "$@" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || { echo "timed out waiting for: $*" >&2; return 1; }
        sleep 0.1
    done
}

gw=demo-gateway
echo "== generating a throwaway PKI in $work/pki"
sh tests/support/gen_pki.sh "$work/pki" "$gw" >/dev/null

broker_port=$(free_port)
cat > "$work/acl" <<ACL
pattern readwrite lintel/v1/%u/#
user observer
topic read lintel/v1/#
ACL
cat > "$work/mosquitto.conf" <<CONF
user $(id -un)
per_listener_settings false
allow_anonymous false
acl_file $work/acl
persistence false
log_dest stderr
listener $broker_port 127.0.0.1
cafile $work/pki/ca.crt
certfile $work/pki/server.crt
keyfile $work/pki/server.key
crlfile $work/pki/ca.crl
require_certificate true
use_identity_as_username true
tls_version tlsv1.2
CONF
echo "== starting mosquitto (mutual TLS, ACL per gateway, CRL) on 127.0.0.1:$broker_port"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" 2>"$work/broker.log" &
pids+=($!)
wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$broker_port"

echo "== starting a simulated Modbus TCP energy meter (pymodbus)"
sleep infinity | /usr/bin/python3 tests/support/modbus_peer.py --port 0 --meter >"$work/peer.out" 2>"$work/peer.log" &
pids+=($!)
wait_for 10 grep -q READY "$work/peer.out"
modbus_port=$(awk '/READY/ {print $2}' "$work/peer.out")

mkdir -p "$work/etc/devices.d"
cat > "$work/etc/lintel.yaml" <<YAML
gateway:
  id: $gw
plugins:
  dir: $build/plugins
devices_dir: $work/etc/devices.d
buffer:
  path: $work/buffer.db
uplink:
  host: localhost
  port: $broker_port
  tls:
    ca_file: $work/pki/ca.crt
    cert_file: $work/pki/gateway.crt
    key_file: $work/pki/gateway.key
    crl_file: $work/pki/ca.crl
  status_interval: 10s
YAML
cat > "$work/etc/devices.d/meter.yaml" <<YAML
devices:
  - name: demo-meter
    driver: modbus
    host: 127.0.0.1
    port: $modbus_port
    unit_id: 1
    poll_interval: 2s
    points:
      - {name: voltage, table: input_register, address: 0, type: float32, unit: V}
      - {name: current, table: input_register, address: 2, type: float32, unit: A}
      - {name: energy, table: input_register, address: 4, type: uint32, scale: 0.01, unit: kWh}
      - {name: power, table: input_register, address: 6, type: float32, unit: W}
      - {name: temperature, table: input_register, address: 8, type: int16, scale: 0.1, unit: degC}
      - {name: frequency, table: holding_register, address: 2, type: uint16, scale: 0.01, unit: Hz}
      - {name: setpoint, table: holding_register, address: 10, type: int16, scale: 0.1, unit: degC, writable: true, min: 5, max: 30}
      - {name: relay, table: coil, address: 0, type: bool, writable: true}
      - {name: door, table: discrete_input, address: 0, type: bool}
YAML

echo "== watching the broker as the cloud would (subscriber 'observer' on lintel/v1/#)"
mosquitto_sub -h localhost -p "$broker_port" --cafile "$work/pki/ca.crt" --cert "$work/pki/observer.crt" \
    --key "$work/pki/observer.key" -V mqttv5 -t 'lintel/v1/#' -v \
    | /usr/bin/python3 -u tests/demo/show_telemetry.py &
pids+=($!)

"$build/bin/linteld" --check-config "$work/etc/lintel.yaml"
echo "== running linteld in the foreground; Ctrl-C stops it (graceful: flush, offline status, disconnect)"
if [ -n "${LINTEL_DEMO_SECONDS:-}" ]; then
    "$build/bin/linteld" --config "$work/etc/lintel.yaml" &
    linteld=$!
    sleep "$LINTEL_DEMO_SECONDS"   # the demo's own run time, not a readiness wait
    kill -INT "$linteld"
    wait "$linteld"
else
    "$build/bin/linteld" --config "$work/etc/lintel.yaml" || true
fi
