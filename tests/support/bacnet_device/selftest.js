#!/usr/bin/env node
// Self-test of the simulator (device.js, bbmd.js) from the other side of the wire: a client built
// on @bacnet-js/client's client API, on its own 127.0.0.x address, drives real UDP requests while
// the control channel checks the device's state. Registered with ctest (label "support").
// Exit 77 (ctest: skipped) when node_modules is missing.
'use strict';

const path = require('node:path');

try {
  require.resolve('@bacnet-js/client');
} catch {
  console.log(`SKIP: @bacnet-js/client is not installed; run npm ci --prefix ${__dirname}`);
  process.exit(77);
}

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const readline = require('node:readline');
const bac = require('@bacnet-js/client');
const { SimTransport } = require('./transport');

const { ObjectType: OT, PropertyIdentifier: P, ApplicationTag: T } = bac;
const AI1 = { type: OT.ANALOG_INPUT, instance: 1 };
const AI2 = { type: OT.ANALOG_INPUT, instance: 2 };
const AO1 = { type: OT.ANALOG_OUTPUT, instance: 1 };
const BI1 = { type: OT.BINARY_INPUT, instance: 1 };
const MSO1 = { type: OT.MULTI_STATE_OUTPUT, instance: 1 };

// Polls `predicate` every 10 ms until it holds; fails with `what` after `ms`.
async function waitFor(what, predicate, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// A simulator child process with its control channel (the JS twin of tests/support/bacnet_device.cpp).
async function startSim(script, args) {
  const child = spawn(process.execPath, [path.join(__dirname, script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = readline.createInterface({ input: child.stdout });
  const queue = [];
  const waiters = [];
  lines.on('line', (line) => (waiters.length ? waiters.shift()(line) : queue.push(line)));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const next = (ms) => new Promise((resolve, reject) => {
    if (queue.length) return resolve(queue.shift());
    const timer = setTimeout(() => reject(new Error(`${script} did not answer in ${ms} ms; stderr:\n${stderr}`)), ms);
    waiters.push((line) => { clearTimeout(timer); resolve(line); });
    return undefined;
  });
  const ready = await next(10000);
  assert.match(ready, /^READY \d+$/, `${script} said "${ready}"`);
  return {
    port: Number(ready.split(' ')[1]),
    async cmd(line) {
      child.stdin.write(`${line}\n`);
      const reply = await next(5000);
      if (!reply.startsWith('OK')) throw new Error(`${line}: ${reply}`);
      return reply.slice(3);
    },
    async json(line) {
      return JSON.parse(await this.cmd(line));
    },
    stop() {
      child.stdin.end();
      child.kill('SIGKILL');
    },
  };
}

function makeClient(address, broadcastAddress, listenBroadcast = false) {
  const transport = new SimTransport({ interface: address, port: 0, broadcastAddress, listenBroadcast });
  const client = new bac.default({ transport, apduTimeout: 1000 });
  return new Promise((resolve) => client.on('listening', () => resolve(client)));
}

const rejectsWith = (promise, text) => assert.rejects(promise, (err) => {
  assert.equal(err.message, text);
  return true;
});

let devA; // instance 1001 on 127.0.0.2:P (defaults)
let devB; // instance 2002 on 127.0.0.4:P, --max-apdu 480
let devC; // --no-rpm --no-cov --object-list-no-array --objects
let client; // 127.0.0.3, hears broadcasts to P
let A;
let C;
const iAms = [];
const covs = [];
let dropFirstOf = null; // process id whose first confirmed notification goes unanswered

before(async () => {
  devA = await startSim('device.js', ['--interface', '127.0.0.2', '--device-instance', '1001', '--apdu-timeout', '400']);
  devB = await startSim('device.js', ['--interface', '127.0.0.4', '--port', String(devA.port),
    '--device-instance', '2002', '--max-apdu', '480']);
  const objectsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bacnet-selftest-')), 'objects.json');
  fs.writeFileSync(objectsFile, JSON.stringify([{ id: 'AV:7', name: 'Custom', commandable: true, relinquishDefault: 5 }]));
  devC = await startSim('device.js', ['--interface', '127.0.0.6', '--device-instance', '3003', '--no-rpm',
    '--no-cov', '--object-list-no-array', '--objects', objectsFile]);
  A = { address: `127.0.0.2:${devA.port}` };
  C = { address: `127.0.0.6:${devC.port}` };
  client = await makeClient('127.0.0.3', `127.255.255.255:${devA.port}`, true);
  client.on('iAm', (msg) => iAms.push({ ...msg.payload, from: msg.header.sender.address }));
  client.on('covNotify', (msg) => {
    covs.push({ confirmed: true, ...msg.payload });
    if (dropFirstOf === msg.payload.subscriberProcessId) {
      dropFirstOf = null;
      return;
    }
    client.simpleAckResponse(msg.header.sender, msg.service, msg.invokeId);
  });
  client.on('covNotifyUnconfirmed', (msg) => covs.push({ confirmed: false, ...msg.payload }));
});

after(() => {
  client?.close();
  for (const d of [devA, devB, devC]) d?.stop();
});

const read = async (objectId, property, arrayIndex) =>
  (await client.readProperty(A, objectId, property, arrayIndex === undefined ? {} : { arrayIndex })).values;
const pv = async (objectId) => (await read(objectId, P.PRESENT_VALUE))[0].value;

test('Who-Is: broadcast honours the instance range, unicast works, I-Am carries max-APDU', async () => {
  client.whoIs({ lowLimit: 1000, highLimit: 1500 });
  const a = await waitFor('I-Am 1001', () => iAms.find((i) => i.deviceId === 1001));
  assert.equal(a.maxApdu, 1476);
  assert.equal(a.segmentation, bac.Segmentation.NO_SEGMENTATION);
  assert.equal(a.vendorId, 999);
  // B got the broadcast too but is out of range; a round trip to B flushes any I-Am it sent.
  await waitFor('B saw the Who-Is', async () => (await devB.json('stats')).requests.whoIs >= 1);
  await client.readProperty({ address: `127.0.0.4:${devA.port}` }, AI1, P.PRESENT_VALUE);
  assert.equal(iAms.filter((i) => i.deviceId === 2002).length, 0);
  client.whoIs({ address: `127.0.0.4:${devA.port}` }, { lowLimit: 2002, highLimit: 2002 });
  const b = await waitFor('I-Am 2002', () => iAms.find((i) => i.deviceId === 2002));
  assert.equal(b.maxApdu, 480);
  assert.equal(b.from, `127.0.0.4:${devA.port}`);
});

test('ReadProperty: values, units, device properties, errors', async () => {
  assert.equal(await pv(AI1), 21);
  assert.deepEqual((await read(AI1, P.UNITS))[0], { type: T.ENUMERATED, value: 62 });
  assert.equal((await read(AI1, P.OBJECT_NAME))[0].value, 'Room temperature');
  assert.equal((await read(MSO1, P.NUMBER_OF_STATES))[0].value, 3);
  assert.deepEqual((await read(MSO1, P.STATE_TEXT)).map((v) => v.value), ['Off', 'Low', 'High']);
  assert.equal((await read(MSO1, P.STATE_TEXT, 2))[0].value, 'Low');
  const dev = { type: OT.DEVICE, instance: 1001 };
  assert.equal((await read(dev, P.VENDOR_IDENTIFIER))[0].value, 999);
  assert.equal((await read(dev, P.MAX_APDU_LENGTH_ACCEPTED))[0].value, 1476);
  assert.equal((await read(dev, P.SEGMENTATION_SUPPORTED))[0].value, bac.Segmentation.NO_SEGMENTATION);
  const services = (await read(dev, P.PROTOCOL_SERVICES_SUPPORTED))[0].value;
  const bit = (n) => (services.value[n >> 3] >> (n & 7)) & 1;
  assert.equal(bit(bac.ServicesSupported.READ_PROPERTY_MULTIPLE), 1);
  assert.equal(bit(bac.ServicesSupported.SUBSCRIBE_COV), 1);
  await rejectsWith(read({ type: OT.ANALOG_INPUT, instance: 99 }, P.PRESENT_VALUE), 'BacnetError - Class:1 - Code:31');
  await rejectsWith(read(BI1, P.UNITS), 'BacnetError - Class:2 - Code:32');
  await rejectsWith(read(AI1, P.PRESENT_VALUE, 1), 'BacnetError - Class:2 - Code:50');
});

test('object-list: whole, length at index 0, elements by index, bad index', async () => {
  const dev = { type: OT.DEVICE, instance: 1001 };
  const whole = await read(dev, P.OBJECT_LIST);
  assert.equal(whole.length, 11);
  assert.deepEqual((await read(dev, P.OBJECT_LIST, 0))[0], { type: T.UNSIGNED_INTEGER, value: 11 });
  assert.deepEqual((await read(dev, P.OBJECT_LIST, 1))[0].value, dev);
  assert.deepEqual((await read(dev, P.OBJECT_LIST, 2))[0].value, AI1);
  await rejectsWith(read(dev, P.OBJECT_LIST, 12), 'BacnetError - Class:2 - Code:42');
});

test('ReadPropertyMultiple: several objects, ALL, embedded errors', async () => {
  const ack = await client.readPropertyMultiple(A, [
    { objectId: AI1, properties: [{ id: P.PRESENT_VALUE, index: bac.ASN1_ARRAY_ALL }, { id: P.STATUS_FLAGS, index: bac.ASN1_ARRAY_ALL }, { id: P.STATE_TEXT, index: bac.ASN1_ARRAY_ALL }] },
    { objectId: { type: OT.ANALOG_INPUT, instance: 42 }, properties: [{ id: P.PRESENT_VALUE, index: bac.ASN1_ARRAY_ALL }] },
    { objectId: AO1, properties: [{ id: P.ALL, index: bac.ASN1_ARRAY_ALL }] },
  ]);
  const [ai, missing, ao] = ack.values;
  assert.equal(ai.values[0].value[0].value, 21);
  assert.deepEqual(ai.values[1].value[0].value, { value: [0], bitsUsed: 4 });
  assert.deepEqual(ai.values[2].value[0].value, { errorClass: 2, errorCode: 32 });
  assert.deepEqual(missing.values[0].value[0].value, { errorClass: 1, errorCode: 31 });
  const ids = ao.values.map((v) => v.id);
  for (const id of [P.PRESENT_VALUE, P.PRIORITY_ARRAY, P.RELINQUISH_DEFAULT, P.UNITS, P.OBJECT_NAME]) {
    assert.ok(ids.includes(id), `ALL of AO:1 lacks ${id}`);
  }
  assert.equal(ao.values.find((v) => v.id === P.PRIORITY_ARRAY).value.length, 16);
});

test('--no-rpm / --no-cov / --object-list-no-array / --objects', async () => {
  // The library reports a Reject PDU as "BacnetAbort" (it decodes both alike): reason 9 is
  // unrecognized-service.
  await rejectsWith(client.readPropertyMultiple(C, [{ objectId: { type: OT.DEVICE, instance: 3003 },
    properties: [{ id: P.OBJECT_NAME, index: bac.ASN1_ARRAY_ALL }] }]), 'BacnetAbort - Reason:9');
  const dev = { type: OT.DEVICE, instance: 3003 };
  await rejectsWith(client.readProperty(C, dev, P.OBJECT_LIST), 'BacnetAbort - Reason:4');
  const count = (await client.readProperty(C, dev, P.OBJECT_LIST, { arrayIndex: 0 })).values[0].value;
  assert.equal(count, 2);
  const av7 = (await client.readProperty(C, dev, P.OBJECT_LIST, { arrayIndex: 2 })).values[0].value;
  assert.deepEqual(av7, { type: OT.ANALOG_VALUE, instance: 7 });
  assert.equal((await client.readProperty(C, av7, P.PRESENT_VALUE)).values[0].value, 5);
  await rejectsWith(client.subscribeCov(C, av7, 1, false, true, 60), 'BacnetError - Class:1 - Code:45');
  const services = (await client.readProperty(C, dev, P.PROTOCOL_SERVICES_SUPPORTED)).values[0].value;
  assert.equal((services.value[1] >> 6) & 1, 0); // bit 14: read-property-multiple
});

test('WriteProperty: priority array, relinquish, relinquish-default', async () => {
  await client.writeProperty(A, AO1, P.PRESENT_VALUE, [{ type: T.REAL, value: 42.5 }], { priority: 8 });
  assert.equal(await pv(AO1), 42.5);
  await client.writeProperty(A, AO1, P.PRESENT_VALUE, [{ type: T.REAL, value: 10 }], {}); // default 16
  assert.equal(await pv(AO1), 42.5);
  assert.deepEqual(await devA.json('priority AO:1'),
    [null, null, null, null, null, null, null, 42.5, null, null, null, null, null, null, null, 10]);
  const slots = await read(AO1, P.PRIORITY_ARRAY);
  assert.equal(slots[7].value, 42.5);
  assert.equal(slots[0].type, T.NULL);
  assert.equal((await read(AO1, P.CURRENT_COMMAND_PRIORITY))[0].value, 8);
  await client.writeProperty(A, AO1, P.PRESENT_VALUE, [{ type: T.NULL, value: null }], { priority: 8 });
  assert.equal(await pv(AO1), 10);
  await client.writeProperty(A, AO1, P.PRESENT_VALUE, [{ type: T.NULL, value: null }], { priority: 16 });
  assert.equal(await pv(AO1), 0); // relinquish-default
  await client.writeProperty(A, AO1, P.RELINQUISH_DEFAULT, [{ type: T.REAL, value: 7.5 }], {});
  assert.equal(await devA.cmd('get AO:1'), '7.5');
  await rejectsWith(client.writeProperty(A, AO1, P.PRESENT_VALUE, [{ type: T.ENUMERATED, value: 1 }], { priority: 9 }),
    'BacnetError - Class:2 - Code:9');
  await rejectsWith(client.writeProperty(A, MSO1, P.PRESENT_VALUE, [{ type: T.UNSIGNED_INTEGER, value: 4 }], { priority: 9 }),
    'BacnetError - Class:2 - Code:37');
});

test('non-commandable present-value: refused unless out-of-service', async () => {
  await rejectsWith(client.writeProperty(A, AI2, P.PRESENT_VALUE, [{ type: T.REAL, value: 1 }], {}),
    'BacnetError - Class:2 - Code:40');
  await client.writeProperty(A, AI2, P.OUT_OF_SERVICE, [{ type: T.BOOLEAN, value: true }], {});
  await client.writeProperty(A, AI2, P.PRESENT_VALUE, [{ type: T.REAL, value: 1 }], {});
  assert.equal(await pv(AI2), 1);
  assert.deepEqual((await read(AI2, P.STATUS_FLAGS))[0].value, { value: [8], bitsUsed: 4 });
  await client.writeProperty(A, AI2, P.OUT_OF_SERVICE, [{ type: T.BOOLEAN, value: false }], {});
});

test('SubscribeCOV confirmed: initial notification, notification on set, acks counted', async () => {
  await client.subscribeCov(A, AI1, 1, false, true, 60);
  await waitFor('initial notification', () => covs.find((c) => c.subscriberProcessId === 1));
  assert.equal(await devA.cmd('set AI:1 23.5'), '23.5');
  const n = await waitFor('notification of 23.5', () => covs.find((c) => c.subscriberProcessId === 1 &&
    c.values.find((v) => v.property.id === P.PRESENT_VALUE).value[0].value === 23.5));
  assert.equal(n.confirmed, true);
  assert.deepEqual(n.monitoredObjectId, AI1);
  assert.deepEqual(n.initiatingDeviceId, { type: OT.DEVICE, instance: 1001 });
  assert.ok(n.timeRemaining > 0 && n.timeRemaining <= 60, `time remaining ${n.timeRemaining}`);
  await waitFor('2 acks', async () => Number(await devA.cmd('acks')) >= 2);
  const [sub] = await devA.json('subs');
  assert.deepEqual({ ...sub, remaining: undefined }, { processId: 1, object: 'AI:1', confirmed: true,
    lifetime: 60, remaining: undefined, subscriber: '127.0.0.3:' + sub.subscriber.split(':')[1], sent: 2, acked: 2 });
  assert.ok(sub.remaining > 0 && sub.remaining <= 60);
});

test('a confirmed notification that is not acked is retried once', async () => {
  dropFirstOf = 2;
  await client.subscribeCov(A, AO1, 2, false, true, 0);
  // The initial notification goes unanswered; the retry (after --apdu-timeout 400 ms) is acked.
  await waitFor('retry', () => covs.filter((c) => c.subscriberProcessId === 2).length === 2);
  await waitFor('ack of the retry', async () =>
    (await devA.json('subs')).find((s) => s.processId === 2)?.acked === 1);
  assert.equal((await devA.json('stats')).unacked, 0);
  await client.subscribeCov(A, AO1, 2, true, false, 0);
});

test('SubscribeCOV unconfirmed; a write triggers it too', async () => {
  await client.subscribeCov(A, BI1, 5, false, false, 0);
  await devA.cmd('set BI:1 active');
  await waitFor('unconfirmed notification', () => covs.find((c) => !c.confirmed && c.subscriberProcessId === 5 &&
    c.values[0].value[0].value === 1));
  const [sub] = (await devA.json('subs')).filter((s) => s.processId === 5);
  assert.equal(sub.remaining, 0); // lifetime 0: indefinite
  await client.writeProperty(A, BI1, P.OUT_OF_SERVICE, [{ type: T.BOOLEAN, value: true }], {});
  await waitFor('notification of out-of-service', () => covs.find((c) => c.subscriberProcessId === 5 &&
    c.values[1].value[0].value.value[0] === 8));
  await client.writeProperty(A, BI1, P.OUT_OF_SERVICE, [{ type: T.BOOLEAN, value: false }], {});
});

test('a subscription expires at the end of its lifetime', async () => {
  await client.subscribeCov(A, AI2, 3, false, false, 1);
  assert.ok((await devA.json('subs')).some((s) => s.processId === 3));
  await waitFor('expiry', async () => !(await devA.json('subs')).some((s) => s.processId === 3), 4000);
});

test('cancellation removes the subscription', async () => {
  await client.subscribeCov(A, AI1, 1, true, false, 0);
  assert.ok(!(await devA.json('subs')).some((s) => s.processId === 1));
  await client.subscribeCov(A, AI1, 77, true, false, 0); // cancelling nothing still succeeds
});

test('restart forgets subscriptions, is silent for a while, then says I-Am', async () => {
  await client.subscribeCov(A, AI1, 9, false, false, 0);
  assert.ok((await devA.json('subs')).length > 0);
  const before = iAms.length;
  await devA.cmd('restart iam silent 2500'); // longer than the client's 1 s APDU timeout
  assert.deepEqual(await devA.json('subs'), []);
  await rejectsWith(client.readProperty(A, AI1, P.PRESENT_VALUE), 'ERR_TIMEOUT');
  const iam = await waitFor('I-Am after the restart', () => iAms.slice(before).find((i) => i.deviceId === 1001));
  assert.equal(iam.from, A.address); // broadcast, heard on 127.255.255.255
  assert.equal(await pv(AI1), 23.5);
});

test('BBMD stand-in: foreign-device registration, FDT, distributed Who-Is answered', async () => {
  const bbmd = await startSim('bbmd.js', ['--interface', '127.0.0.5', '--broadcast', `127.255.255.255:${devA.port}`]);
  const fd = await makeClient('127.0.0.7', '127.255.255.255:9'); // hears no broadcast: only what the BBMD sends
  try {
    const heard = [];
    fd.on('iAm', (msg) => heard.push({ id: msg.payload.deviceId, via: msg.header.sender }));
    const B = { address: `127.0.0.5:${bbmd.port}` };
    // Distribute-Broadcast-To-Network before registering is refused (BVLC-Result NAK).
    fd.whoIsThroughBBMD(B);
    await waitFor('NAK', async () => (await bbmd.json('stats')).naks === 1);
    await fd.registerForeignDevice(B, 60);
    const [entry] = await bbmd.json('fdt');
    assert.equal(entry.ttl, 60);
    assert.ok(entry.remaining > 60 && entry.remaining <= 90, `remaining ${entry.remaining}`); // TTL + 30 s grace
    fd.whoIsThroughBBMD(B, { lowLimit: 1000, highLimit: 2999 });
    await waitFor('I-Am of both devices through the BBMD', () => heard.length >= 2);
    const a = heard.find((h) => h.id === 1001);
    assert.equal(a.via.address, B.address);
    assert.equal(a.via.forwardedFrom, A.address);
    assert.ok(heard.some((h) => h.id === 2002));
  } finally {
    fd.close();
    bbmd.stop();
  }
});
