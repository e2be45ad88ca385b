#!/usr/bin/python3
"""A real pymodbus 3.0 Modbus TCP or RTU server for lintel's tests and demo, controllable at runtime.

Run with Debian's interpreter (/usr/bin/python3; python3-pymodbus, python3-serial(-asyncio)):

    /usr/bin/python3 tests/support/modbus_peer.py --port 0 [--host 127.0.0.1] [--unit 1] [--meter]
    /usr/bin/python3 tests/support/modbus_peer.py --serial /dev/pts/N [--baud 9600] [--units 1,2]

Prints "READY <port>" on stdout once it accepts connections (port 0 picks a free port), or
"READY <path>" once the serial port is open (Modbus RTU, 8N1; unit 0 is broadcast). Exits when
stdin closes, so a test that dies never leaves a peer behind. All addresses are 0-based. --units lists the unit ids that
answer (they share one data store); requests to any other unit id get no answer at all, like a
dead slave on a serial bus or a dead device behind a TCP-to-RTU bridge.

Commands on stdin, one per line; each gets exactly one reply line, "OK ..." or "ERR <why>":
    set <table> <address> <v1> [v2 ...]   raw values (registers 0..65535, bits 0/1)
    get <table> <address> [count]         -> "OK v1 v2 ..."
    setf32 <table> <address> <float>      float32, big-endian word and byte order (2 registers)
    fault <table> <address> <mode>        mode: exception:<code> | silent | garbage | badcrc | none
                                          applies to any request covering that address; badcrc
                                          (RTU only) sends the right answer with a wrong CRC
    answers                               -> "OK unit:count ..." answers sent per unit id
    connections                           -> "OK <n>" TCP clients connected now (TCP only)
    requests                              -> "OK fc:address:count ..." received since last clear
    clear                                 forget recorded requests
    ping                                  -> "OK"
<table> is co|di|ir|hr (or coil|discrete_input|input_register|holding_register).

--meter simulates the energy meter of etc/lintel/devices.d/modbus-meter.yaml.example, its values
changing every second:
    ir 0-1  voltage  float32 V   (~230)        ir 2-3  current float32 A   (~5)
    ir 4-5  energy   uint32, 10 Wh steps       ir 6-7  power   float32 W
    ir 8    temperature int16, 0.1 degC        hr 2    frequency uint16, 0.01 Hz
    hr 10   setpoint int16, 0.1 degC (writable, starts at 215, never overwritten)
    co 0    relay (writable)                   di 0    door contact (toggles every 10 s)
"""

import argparse
import asyncio
import logging
import math
import struct
import sys
import time

from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
)
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer

TABLES = {
    "co": "c", "coil": "c",
    "di": "d", "discrete_input": "d",
    "ir": "i", "input_register": "i",
    "hr": "h", "holding_register": "h",
}


class PeerContext(ModbusSlaveContext):
    """A slave context that records requests and injects faults per address."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.faults = {}  # (store key, address) -> mode
        self.requests = []
        self.pending_fault = None
        self.answers = {}  # unit id -> answers sent

    def validate(self, fc_as_hex, address, count=1):
        self.requests.append(f"{fc_as_hex}:{address}:{count}")
        key = self.decode(fc_as_hex)
        self.pending_fault = None
        for (table, fault_address), mode in self.faults.items():
            if table == key and address <= fault_address < address + count:
                self.pending_fault = mode
                break
        return super().validate(fc_as_hex, address, count)


def rtu_crc(data):
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return struct.pack("<H", crc)


def make_manipulator(context, rtu):
    """Rewrites the response for a faulted request: an exception, nothing, or a bad frame."""

    def frame(tid, unit, pdu):
        if rtu:
            return bytes([unit]) + pdu + rtu_crc(bytes([unit]) + pdu)
        return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu

    def manipulate(response):
        mode = context.pending_fault
        context.pending_fault = None
        tid, unit, fc = response.transaction_id, response.unit_id, response.function_code & 0x7F
        context.answers[unit] = context.answers.get(unit, 0) + 1
        if mode is None:
            return response, False
        if mode == "silent":
            return b"", True
        if mode == "garbage":
            # Well framed, wrong content: a byte count with no data behind it.
            return frame(tid, unit, struct.pack(">BB", fc, 7)), True
        if mode == "badcrc":
            good = frame(tid, unit, struct.pack(">B", response.function_code) + response.encode())
            return good[:-1] + bytes([good[-1] ^ 0x5A]), True
        code = int(mode.split(":", 1)[1])
        return frame(tid, unit, struct.pack(">BB", fc | 0x80, code)), True

    return manipulate


def float_registers(value):
    hi, lo = struct.unpack(">HH", struct.pack(">f", value))
    return [hi, lo]


class Meter:
    """Values of a plausible single-phase meter, refreshed every second."""

    def __init__(self, context):
        self.context = context
        self.energy_wh = 1234560.0
        self.start = time.monotonic()
        self.last = self.start
        context.setValues(3, 10, [215])

    def tick(self):
        now = time.monotonic()
        t = now - self.start
        voltage = 230.0 + 2.0 * math.sin(t / 7.0)
        current = 5.0 + 1.5 * math.sin(t / 3.0)
        power = voltage * current
        # At least one 10 Wh step per tick, so a demo sees the counter move.
        self.energy_wh += max(power * (now - self.last) / 3600.0, 10.0)
        self.last = now
        steps = int(self.energy_wh // 10) & 0xFFFFFFFF
        ctx = self.context
        ctx.setValues(4, 0, float_registers(voltage) + float_registers(current))
        ctx.setValues(4, 4, [steps >> 16, steps & 0xFFFF])
        ctx.setValues(4, 6, float_registers(power))
        ctx.setValues(4, 8, [int(round(215 + 10 * math.sin(t / 30.0))) & 0xFFFF])
        ctx.setValues(3, 2, [5000 + int(round(5 * math.sin(t)))])
        ctx.setValues(2, 0, [int(t) % 20 < 10])

    async def run(self):
        while True:
            self.tick()
            await asyncio.sleep(1.0)


def handle(context, line):
    words = line.split()
    if not words:
        return "ERR empty command"
    cmd, args = words[0], words[1:]
    if cmd == "ping":
        return "OK"
    if cmd == "connections":
        server = getattr(context, "server", None)
        if server is None or not hasattr(server, "active_connections"):
            return "ERR connections is for TCP only"
        return f"OK {len(server.active_connections)}"
    if cmd == "answers":
        return "OK " + " ".join(f"{u}:{n}" for u, n in sorted(context.answers.items()))
    if cmd == "requests":
        return "OK " + " ".join(context.requests)
    if cmd == "clear":
        context.requests.clear()
        return "OK"
    if len(args) < 2 or args[0] not in TABLES:
        return f"ERR usage: {cmd} <co|di|ir|hr> <address> ..."
    key = TABLES[args[0]]
    address = int(args[1], 0)
    store = context.store[key]
    if cmd == "set":
        values = [int(v, 0) for v in args[2:]]
        if not values:
            return "ERR set needs values"
        store.setValues(address, [bool(v) for v in values] if key in "cd" else values)
        return "OK"
    if cmd == "setf32":
        store.setValues(address, float_registers(float(args[2])))
        return "OK"
    if cmd == "get":
        count = int(args[2]) if len(args) > 2 else 1
        return "OK " + " ".join(str(int(v)) for v in store.getValues(address, count))
    if cmd == "fault":
        mode = args[2] if len(args) > 2 else "none"
        if mode == "none":
            context.faults.pop((key, address), None)
        elif mode in ("silent", "garbage", "badcrc") or mode.startswith("exception:"):
            context.faults[(key, address)] = mode
        else:
            return "ERR fault mode is exception:<code>, silent, garbage, badcrc or none"
        return "OK"
    return f"ERR unknown command {cmd}"


async def serve(args):
    context = PeerContext(
        di=ModbusSequentialDataBlock.create(),
        co=ModbusSequentialDataBlock.create(),
        hr=ModbusSequentialDataBlock.create(),
        ir=ModbusSequentialDataBlock.create(),
        zero_mode=True,
    )
    units = [int(u) for u in args.units.split(",")] if args.units else [args.unit]
    slaves = ModbusServerContext(slaves={u: context for u in units}, single=False)
    if args.serial:
        server = await StartAsyncSerialServer(
            context=slaves,
            framer=ModbusRtuFramer,
            port=args.serial,
            baudrate=args.baud,
            bytesize=8,
            parity="N",
            stopbits=1,
            defer_start=True,
            ignore_missing_slaves=True,
            broadcast_enable=True,
            response_manipulator=make_manipulator(context, True),
        )
        await server.start()
        where = args.serial
    else:
        server = await StartAsyncTcpServer(
            context=slaves,
            address=(args.host, args.port),
            defer_start=True,
            allow_reuse_address=True,
            ignore_missing_slaves=True,
            response_manipulator=make_manipulator(context, False),
        )
        serving = asyncio.create_task(server.serve_forever())
        await asyncio.wait([server.serving, serving], return_when=asyncio.FIRST_COMPLETED)
        if serving.done():
            serving.result()  # raises the bind error
        where = server.server.sockets[0].getsockname()[1]

    context.server = server
    if args.meter:
        meter = Meter(context)
        meter.tick()
        asyncio.create_task(meter.run())

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print(f"READY {where}", flush=True)
    while True:
        line = await reader.readline()
        if not line:
            break  # stdin closed: our test is gone
        text = line.decode().strip()
        if text == "quit":
            print("OK", flush=True)
            break
        try:
            reply = handle(context, text)
        except Exception as exc:  # pylint: disable=broad-except
            reply = f"ERR {exc}"
        print(reply, flush=True)
    if args.serial:
        await server.shutdown()
    else:
        await server.server_close()
        serving.cancel()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--unit", type=int, default=1)
    parser.add_argument("--units", default="", help="comma-separated unit ids that answer (default: --unit)")
    parser.add_argument("--serial", default="", help="serve Modbus RTU on this serial port (8N1) instead of TCP")
    parser.add_argument("--baud", type=int, default=9600)
    parser.add_argument("--meter", action="store_true", help="simulate a meter (values change every second)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.CRITICAL, stream=sys.stderr)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
