#!/usr/bin/env node
// A BBMD stand-in for lintel's tests: just enough of a BACnet Broadcast Management Device
// (135-2016 Annex J) for a gateway registered as a foreign device to discover simulated devices.
// Not a BBMD: no broadcast distribution table, no peer BBMDs, no routing. Raw UDP, because
// @bacnet-js/client is a client library and has no BBMD side.
//
//   node bbmd.js [--interface 127.0.0.5] [--port 0] [--broadcast 127.255.255.255:<devices' port>]
//                [--devices 127.0.0.2:P,127.0.0.4:P]
//
// Handles Register-Foreign-Device (BVLC-Result success; the entry lives TTL + 30 s, J.5.2.3),
// Read-FDT, Delete-FDT-Entry, and Distribute-Broadcast-To-Network from a registered foreign device,
// which goes out as Forwarded-NPDU to --devices (unicast) or else to --broadcast. Whatever a
// device sends to us, or broadcasts when --broadcast is given, goes back to the foreign devices as
// Forwarded-NPDU. Prints "READY <port>"; stdin commands: fdt, stats, ping, quit.
'use strict';

const dgram = require('node:dgram');
const { serveControl, parseArgs } = require('./control');

const BVLC = {
  RESULT: 0x00, FORWARDED: 0x04, REGISTER: 0x05, READ_FDT: 0x06, READ_FDT_ACK: 0x07, DELETE_FDT: 0x08,
  DISTRIBUTE: 0x09, UNICAST: 0x0a, BROADCAST: 0x0b,
};
const NAK = { REGISTER: 0x0030, READ_FDT: 0x0040, DELETE_FDT: 0x0050, DISTRIBUTE: 0x0060 };
const GRACE_S = 30;

const a = parseArgs(process.argv.slice(2), { interface: '127.0.0.5', port: '0', broadcast: undefined, devices: '' });
const log = (text) => process.stderr.write(`[bbmd] ${text}\n`);
const fdt = new Map(); // "ip:port" → { ttl, expiresAt }
const stats = { registrations: 0, distributed: 0, relayed: 0, naks: 0 };
const devices = a.devices.split(',').filter(Boolean);
let self = '';

const encodeAddress = (address) => {
  const [ip, port] = address.split(':');
  return Buffer.from([...ip.split('.').map(Number), Number(port) >> 8, Number(port) & 0xff]);
};
const decodeAddress = (b) => `${b[0]}.${b[1]}.${b[2]}.${b[3]}:${(b[4] << 8) | b[5]}`;
const frame = (func, body) => {
  const out = Buffer.concat([Buffer.from([0x81, func, 0, 0]), body]);
  out.writeUInt16BE(out.length, 2);
  return out;
};
const result = (code) => frame(BVLC.RESULT, Buffer.from([code >> 8, code & 0xff]));
const forwarded = (origin, npdu) => frame(BVLC.FORWARDED, Buffer.concat([encodeAddress(origin), npdu]));
const remaining = (entry) => Math.max(0, Math.ceil((entry.expiresAt - Date.now()) / 1000));

function purge() {
  for (const [address, entry] of fdt) {
    if (entry.expiresAt <= Date.now()) {
      fdt.delete(address);
      log(`foreign device ${address} expired`);
    }
  }
}

const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
const send = (buffer, address) => {
  const [ip, port] = address.split(':');
  socket.send(buffer, Number(port), ip);
};

function receive(msg, rinfo) {
  const from = `${rinfo.address}:${rinfo.port}`;
  if (from === self || msg.length < 4 || msg[0] !== 0x81 || msg.readUInt16BE(2) !== msg.length) return;
  purge();
  const func = msg[1];
  const body = msg.subarray(4);
  if (func === BVLC.REGISTER && body.length >= 2) {
    const ttl = body.readUInt16BE(0);
    fdt.set(from, { ttl, expiresAt: Date.now() + (ttl + GRACE_S) * 1000 });
    stats.registrations++;
    log(`register-foreign-device from ${from}, ttl ${ttl}s`);
    send(result(0), from);
  } else if (func === BVLC.READ_FDT) {
    const rows = [...fdt].map(([address, e]) => Buffer.concat([encodeAddress(address),
      Buffer.from([e.ttl >> 8, e.ttl & 0xff, Math.min(remaining(e), 0xffff) >> 8, Math.min(remaining(e), 0xffff) & 0xff])]));
    send(frame(BVLC.READ_FDT_ACK, Buffer.concat(rows)), from);
  } else if (func === BVLC.DELETE_FDT && body.length >= 6) {
    const ok = fdt.delete(decodeAddress(body));
    send(result(ok ? 0 : NAK.DELETE_FDT), from);
  } else if (func === BVLC.DISTRIBUTE) {
    if (!fdt.has(from)) {
      stats.naks++;
      log(`distribute-broadcast-to-network from unregistered ${from}: NAK`);
      send(result(NAK.DISTRIBUTE), from);
      return;
    }
    stats.distributed++;
    const out = forwarded(from, body);
    const targets = devices.length ? devices : [a.broadcast].filter(Boolean);
    log(`distribute-broadcast-to-network from ${from} -> ${targets.join(', ') || 'nobody'}`);
    for (const t of targets) send(out, t);
    for (const fd of fdt.keys()) if (fd !== from) send(out, fd);
  } else if (!fdt.has(from) && [BVLC.UNICAST, BVLC.BROADCAST, BVLC.FORWARDED].includes(func)) {
    // A device's answer (or announcement). @bacnet-js/client answers a forwarded request with a
    // Forwarded-NPDU to us that names the foreign device as origin: send it there only.
    let npdu = body;
    let to = [...fdt.keys()];
    if (func === BVLC.FORWARDED) {
      const origin = decodeAddress(body);
      npdu = body.subarray(6);
      if (fdt.has(origin)) to = [origin];
    }
    if (to.length === 0) return;
    stats.relayed++;
    log(`relaying from ${from} to ${to.join(', ')}`);
    for (const fd of to) send(forwarded(from, npdu), fd);
  }
}

const commands = {
  ping: () => '',
  fdt: () => {
    purge();
    return JSON.stringify([...fdt].map(([address, e]) => ({ address, ttl: e.ttl, remaining: remaining(e) })));
  },
  stats: () => JSON.stringify(stats),
};

socket.on('message', receive);
socket.on('error', (err) => {
  log(`socket error: ${err.message}`);
  process.exit(2);
});
socket.bind(Number(a.port), a.interface, () => {
  socket.setBroadcast(true);
  self = `${a.interface}:${socket.address().port}`;
  const ready = () => {
    log(`listening on ${self}${a.broadcast ? `, local broadcast ${a.broadcast}` : ''}`);
    serveControl(socket.address().port, ([name, ...args]) => {
      if (!commands[name]) throw new Error(`unknown command ${name} (fdt, stats, ping, quit)`);
      return commands[name](args);
    }, (code) => process.exit(code));
  };
  if (!a.broadcast) return ready();
  // Hear the devices' local broadcasts (an I-Am after a restart) to pass them on.
  const [host, port] = a.broadcast.split(':');
  const listener = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  listener.on('message', receive);
  listener.bind(Number(port), host, ready);
  return undefined;
});
