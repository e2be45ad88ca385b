#!/usr/bin/env node
// A BACnet/IP device simulator for lintel's tests, written on @bacnet-js/client: the library
// decodes requests and raises events, this script answers them like a small real controller
// (no segmentation, 16-slot priority arrays, COV subscriptions with lifetimes).
//
//   node device.js [--interface 127.0.0.2] [--port 0] [--device-instance 1234]
//                  [--broadcast 127.255.255.255:<port>|none] [--vendor-id 999] [--max-apdu 1476]
//                  [--apdu-timeout 3000] [--name NAME] [--objects FILE]
//                  [--no-rpm] [--rpm-refusal reject|error] [--no-cov] [--object-list-no-array]
//
// Prints "READY <port>" once bound (port 0 picks a free UDP port). Control commands on stdin,
// one per line, each answered "OK ..." or "ERR <why>" (see README.md for the list). Requests are
// logged to stderr. Exits when stdin closes.
'use strict';

// Before anything loads the library: say plainly what is missing.
if (Number(process.versions.node.split('.')[0]) < 20) {
  process.stderr.write(`bacnet-device: needs node >= 20 (@bacnet-js/client), this is ${process.version}\n`);
  process.exit(3);
}
try {
  require.resolve('@bacnet-js/client');
} catch {
  process.stderr.write(`bacnet-device: @bacnet-js/client is not installed: run npm ci --prefix ${__dirname}\n`);
  process.exit(3);
}

const fs = require('node:fs');
const bac = require('@bacnet-js/client');
const services = require('@bacnet-js/client/dist/lib/services');
const { SimTransport } = require('./transport');
const { Wire, MAX_APDU_OCTETS } = require('./wire');
const { CovTable } = require('./cov');
const { serveControl, parseArgs, integer } = require('./control');
const objects = require('./objects');

const { ErrorClass, ErrorCode, PropertyIdentifier: P } = bac;
const BACnetClient = bac.default;

function options() {
  const a = parseArgs(process.argv.slice(2), {
    interface: '127.0.0.2', port: '0', 'device-instance': '1234', broadcast: '127.255.255.255:0',
    'vendor-id': '999', 'max-apdu': '1476', 'apdu-timeout': '3000', name: undefined, objects: undefined,
    'rpm-refusal': 'reject',
  }, ['no-rpm', 'no-cov', 'object-list-no-array']);
  const maxApdu = integer(a['max-apdu'], '--max-apdu', 50, 1476);
  if (!MAX_APDU_OCTETS.includes(maxApdu)) throw new Error(`--max-apdu is one of ${MAX_APDU_OCTETS}`);
  if (!['reject', 'error'].includes(a['rpm-refusal'])) throw new Error('--rpm-refusal is reject or error');
  let specs;
  if (a.objects) {
    const json = JSON.parse(fs.readFileSync(a.objects, 'utf8'));
    specs = Array.isArray(json) ? json : json.objects;
    if (!Array.isArray(specs)) throw new Error(`${a.objects}: expected a list of objects or {"objects": [...]}`);
  }
  return {
    interface: a.interface,
    port: integer(a.port, '--port', 0, 65535),
    broadcast: a.broadcast === 'none' ? null : a.broadcast,
    instance: integer(a['device-instance'], '--device-instance', 0, bac.ASN1_MAX_INSTANCE - 1),
    vendorId: integer(a['vendor-id'], '--vendor-id', 0, 65535),
    maxApdu,
    apduTimeout: integer(a['apdu-timeout'], '--apdu-timeout', 100, 60000),
    name: a.name,
    rpm: !a['no-rpm'],
    rpmRefusal: a['rpm-refusal'],
    cov: !a['no-cov'],
    objectListNoArray: a['object-list-no-array'],
    objects: specs,
  };
}

function main() {
  const opts = options();
  const db = objects.createDatabase(opts);
  const log = (text) => process.stderr.write(`[bacnet-device ${opts.instance}] ${text}\n`);
  const transport = new SimTransport({
    interface: opts.interface, port: opts.port,
    broadcastAddress: opts.broadcast ?? '127.255.255.255:0', listenBroadcast: opts.broadcast !== null,
  });
  const client = new BACnetClient({ transport, apduTimeout: opts.apduTimeout });
  const wire = new Wire(client, opts.maxApdu);
  const cov = new CovTable(client, db, log);
  cov.muted = () => transport.muted;
  const stats = {};
  const count = (name) => { stats[name] = (stats[name] ?? 0) + 1; };

  // Turns a thrown BacnetError into the Error PDU a device sends; anything else is our bug.
  const answer = (req, fn) => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof objects.BacnetError)) throw err;
      log(`  -> error ${err.message}`);
      wire.error(req, err.errorClass, err.errorCode);
    }
  };
  const target = (req) => {
    const o = objects.find(db, req.payload.objectId ?? req.payload.monitoredObjectId);
    if (!o) throw new objects.BacnetError(ErrorClass.OBJECT, ErrorCode.UNKNOWN_OBJECT);
    return o;
  };
  const prop = (id, index) => `${bac.getEnumName(P, id, false)}${index === objects.ARRAY_ALL ? '' : `[${index}]`}`;
  // Without segmentation a whole object-list may not fit: --object-list-no-array makes it never fit.
  const tooBig = (o, ref) => opts.objectListNoArray && o === db.device && ref.id === P.OBJECT_LIST &&
    ref.index === objects.ARRAY_ALL;

  client.on('whoIs', (req) => {
    count('whoIs');
    const { lowLimit, highLimit } = req.payload;
    const inRange = lowLimit === undefined || (opts.instance >= lowLimit && opts.instance <= highLimit);
    log(`who-is from ${req.header.sender.address} ${lowLimit ?? '*'}..${highLimit ?? '*'}${inRange ? '' : ' (not us)'}`);
    if (inRange) wire.iAm(req.header.sender, opts.instance, opts.vendorId);
  });

  client.on('readProperty', (req) => answer(req, () => {
    count('readProperty');
    const { objectId, property } = req.payload;
    log(`read-property from ${req.header.sender.address} ${objects.labelId(objectId)} ${prop(property.id, property.index)}`);
    const o = target(req);
    if (tooBig(o, property)) {
      log('  -> abort segmentation-not-supported (--object-list-no-array)');
      wire.abort(req, bac.AbortReason.SEGMENTATION_NOT_SUPPORTED);
      return;
    }
    const values = objects.readProperty(db, o, property.id, property.index);
    const sent = wire.complexAck(req, (buffer) =>
      services.ReadProperty.encodeAcknowledge(buffer, objectId, property.id, property.index, values));
    if (!sent) log('  -> abort segmentation-not-supported (answer too long)');
  }));

  client.on('readPropertyMultiple', (req) => {
    count('readPropertyMultiple');
    log(`read-property-multiple from ${req.header.sender.address} ${req.payload.properties.map((s) =>
      `${objects.labelId(s.objectId)}(${s.properties.map((r) => prop(r.id, r.index)).join(',')})`).join(' ')}`);
    if (!opts.rpm) {
      log(`  -> ${opts.rpmRefusal} unrecognized-service (--no-rpm)`);
      if (opts.rpmRefusal === 'reject') wire.reject(req, bac.RejectReason.UNRECOGNIZED_SERVICE);
      else wire.error(req, ErrorClass.SERVICES, ErrorCode.REJECT_UNRECOGNIZED_SERVICE);
      return;
    }
    const results = [];
    for (const spec of req.payload.properties) {
      const o = objects.find(db, spec.objectId);
      const values = [];
      for (const ref of spec.properties) {
        const special = [P.ALL, P.REQUIRED, P.OPTIONAL].includes(ref.id);
        const refs = o && special
          ? objects.propertyIds(db, o, ref.id).map((id) => ({ id, index: objects.ARRAY_ALL }))
          : [ref];
        for (const r of refs) {
          if (!o) {
            values.push(errorEntry(r, ErrorClass.OBJECT, ErrorCode.UNKNOWN_OBJECT));
            continue;
          }
          if (tooBig(o, r)) {
            log('  -> abort segmentation-not-supported (--object-list-no-array)');
            wire.abort(req, bac.AbortReason.SEGMENTATION_NOT_SUPPORTED);
            return;
          }
          try {
            values.push({ property: r, value: objects.readProperty(db, o, r.id, r.index) });
          } catch (err) {
            if (!(err instanceof objects.BacnetError)) throw err;
            values.push(errorEntry(r, err.errorClass, err.errorCode));
          }
        }
      }
      results.push({ objectId: spec.objectId, values });
    }
    if (!wire.complexAck(req, (buffer) => services.ReadPropertyMultiple.encodeAcknowledge(buffer, results))) {
      log('  -> abort segmentation-not-supported (answer too long)');
    }
  });

  client.on('writeProperty', (req) => answer(req, () => {
    count('writeProperty');
    const { objectId, value: { property, value: values, priority } } = req.payload;
    log(`write-property from ${req.header.sender.address} ${objects.labelId(objectId)} ${prop(property.id, property.index)} = ${
      JSON.stringify(values.map((v) => v.value))} @${priority}`);
    const o = target(req);
    objects.writeProperty(db, o, property.id, property.index, values, priority);
    wire.simpleAck(req);
    cov.changed(o);
  }));

  client.on('subscribeCov', (req) => answer(req, () => {
    count('subscribeCov');
    const p = req.payload;
    log(`subscribe-cov from ${req.header.sender.address} pid ${p.subscriberProcessId} ${objects.labelId(p.monitoredObjectId)} ${
      p.cancellationRequest ? 'cancel' : `${p.issueConfirmedNotifications ? 'confirmed' : 'unconfirmed'} lifetime ${p.lifetime}s`}`);
    if (!opts.cov) {
      throw new objects.BacnetError(ErrorClass.OBJECT, ErrorCode.OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED);
    }
    const o = target(req);
    if (o === db.device) throw new objects.BacnetError(ErrorClass.OBJECT, ErrorCode.OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED);
    const sub = cov.subscribe(req.header.sender, p);
    wire.simpleAck(req);
    if (sub) cov.notify(sub); // 135-2016 13.14.1.1.5: an initial notification follows the ack
  }));

  // Confirmed services we do not implement get the Reject a real device sends (the library's
  // default would be an Error PDU).
  for (const name of ['writePropertyMultiple', 'readRange', 'subscribeProperty', 'deviceCommunicationControl',
    'reinitializeDevice', 'createObject', 'deleteObject', 'atomicReadFile', 'atomicWriteFile', 'addListElement',
    'removeListElement', 'getEventInformation', 'getAlarmSummary', 'getEnrollmentSummary', 'alarmAcknowledge']) {
    client.on(name, (req) => {
      count(name);
      log(`${name} from ${req.header.sender.address}: not supported, reject`);
      if (req.header.expectingReply) wire.reject(req, bac.RejectReason.UNRECOGNIZED_SERVICE);
    });
  }
  for (const name of ['iAm', 'whoHas', 'timeSync', 'timeSyncUTC', 'covNotifyUnconfirmed']) client.on(name, () => count(name));
  client.on('error', (err) => log(`socket error: ${err.message}`));

  const commands = controlCommands({ opts, db, transport, wire, cov, stats, log });
  client.on('listening', () => {
    const address = transport.ownAddress; // the client re-emits 'listening' without it
    log(`listening on ${address.address}:${address.port}, broadcast ${transport.getBroadcastAddress()}${
      opts.broadcast === null ? ' (not listening)' : ''}, ${db.objects.size - 1} objects`);
    serveControl(address.port, commands, (code) => {
      client.close();
      process.exit(code);
    });
  });
}

function errorEntry(property, errorClass, errorCode) {
  // encodeReadAccessResult embeds a property error when the first value looks like this.
  return { property, value: [{ type: bac.ApplicationTag.ERROR, value: { type: 'BacnetError', errorClass, errorCode } }] };
}

const formatValue = (o, v) => (o.kind === 'analog' ? Number(v.toPrecision(7)) : v);

// The stdin commands (README.md). Each returns the text after "OK" or throws.
function controlCommands({ opts, db, transport, wire, cov, stats, log }) {
  let restartTimer = null;
  // An object with a present-value (not the device object).
  const point = (id) => {
    const o = objects.lookup(db, id);
    if (o.kind === 'device') throw new Error('the device object has no present-value');
    return o;
  };
  const handlers = {
    ping: () => '',
    // set OBJ VALUE [PRIORITY]: the field changes an input, or a program commands an output.
    set: ([id, value, priority]) => {
      const o = point(id);
      if (value === undefined) throw new Error('usage: set OBJ VALUE [PRIORITY]');
      const slot = priority === undefined ? 16 : integer(priority, 'priority', 1, 16);
      objects.setPresentValue(o, objects.parseValue(o, value), slot);
      cov.changed(o);
      return String(formatValue(o, objects.presentValue(o)));
    },
    get: ([id, property]) => {
      if (property === undefined) return String(formatValue(point(id), objects.presentValue(point(id))));
      const o = objects.lookup(db, id);
      const pid = /^\d+$/.test(property) ? Number(property) : P[property.toUpperCase().replace(/-/g, '_')];
      if (pid === undefined) throw new Error(`unknown property ${property}`);
      return JSON.stringify(objects.readProperty(db, o, pid).map((v) => v.value));
    },
    priority: ([id]) => {
      const o = point(id);
      if (!o.commandable) throw new Error(`${id} is not commandable`);
      return JSON.stringify(o.priority.map((v) => (v === null ? null : formatValue(o, v))));
    },
    oos: ([id, state]) => {
      const o = point(id);
      if (!['on', 'off'].includes(state)) throw new Error('usage: oos OBJ on|off');
      o.outOfService = state === 'on';
      cov.changed(o);
      return '';
    },
    subs: () => JSON.stringify(cov.list()),
    acks: () => String(cov.acks),
    stats: () => JSON.stringify({ requests: stats, received: transport.received, dropped: transport.dropped,
      acks: cov.acks, unacked: cov.unacked }),
    clear: () => {
      for (const k of Object.keys(stats)) delete stats[k];
      transport.received = transport.dropped = cov.acks = cov.unacked = 0;
      return '';
    },
    silent: ([state]) => {
      if (!['on', 'off'].includes(state)) throw new Error('usage: silent on|off');
      transport.silent = state === 'on';
      return '';
    },
    // A device that acknowledges SubscribeCOV but whose notifications never come (a firmware
    // bug seen in the field, or a firewall that lets only replies through).
    'cov-notify': ([state]) => {
      if (!['on', 'off'].includes(state)) throw new Error('usage: cov-notify on|off');
      cov.notifying = state === 'on';
      return '';
    },
    iam: () => {
      wire.iAm(undefined, opts.instance, opts.vendorId);
      return '';
    },
    // restart [iam] [silent MS]: subscriptions are lost; MS of deafness and muteness first.
    restart: (args) => {
      const iam = args.includes('iam');
      const at = args.indexOf('silent');
      const ms = at < 0 ? 0 : integer(args[at + 1], 'silent MS', 0, 600000);
      cov.clear();
      clearTimeout(restartTimer);
      const back = () => {
        transport.silent = transport.muted = false;
        log(`restart: back${iam ? ', I-Am broadcast' : ''}`);
        if (iam) wire.iAm(undefined, opts.instance, opts.vendorId);
      };
      log(`restart: subscriptions forgotten${ms ? `, silent for ${ms} ms` : ''}`);
      if (ms > 0) {
        transport.silent = transport.muted = true;
        restartTimer = setTimeout(back, ms);
      } else {
        back();
      }
      return '';
    },
  };
  return ([name, ...args]) => {
    const handler = handlers[name];
    if (!handler) throw new Error(`unknown command ${name} (${Object.keys(handlers).join(', ')}, quit)`);
    return handler(args);
  };
}

try {
  main();
} catch (err) {
  process.stderr.write(`bacnet-device: ${err.message}\n`);
  process.exit(2);
}
