// COV subscriptions as a device keeps them (135-2016 13.1): keyed by subscriber address, process id
// and object; a lifetime in seconds (0 = until cancelled or the device restarts), expiring by
// timer; notifications to every live subscriber when present-value or status-flags change.
'use strict';

const bac = require('@bacnet-js/client');
const objects = require('./objects');

const P = bac.PropertyIdentifier;

class CovTable {
  // client: BACnetClient (sends notifications); db: the object database; log: (text) => void
  constructor(client, db, log) {
    this.client = client;
    this.db = db;
    this.log = log;
    this.subs = new Map();
    this.acks = 0; // SimpleAcks received for confirmed notifications
    this.unacked = 0; // confirmed notifications given up on after the retry
    this.generation = 0; // bumped by clear(): retries of a previous "boot" are dropped
    this.muted = () => false; // true while the device is "rebooting"
    this.notifying = true; // false: subscriptions acknowledged and kept, notifications never sent
    this.lastNotified = new Map(); // object → { value, oos } at its last notification round
  }

  static key(address, processId, objectId) {
    return `${address}|${processId}|${objectId.type}:${objectId.instance}`;
  }

  // SubscribeCOV payload (library decode): subscriberProcessId, monitoredObjectId,
  // cancellationRequest, issueConfirmedNotifications, lifetime. Returns the subscription or null.
  subscribe(sender, payload) {
    const k = CovTable.key(sender.address, payload.subscriberProcessId, payload.monitoredObjectId);
    this._drop(k);
    if (payload.cancellationRequest) return null;
    const lifetime = payload.lifetime ?? 0;
    const sub = {
      receiver: { address: sender.address }, // confirmedCOVNotification cannot send forwarded
      processId: payload.subscriberProcessId,
      objectId: payload.monitoredObjectId,
      confirmed: !!payload.issueConfirmedNotifications,
      lifetime,
      expiresAt: lifetime > 0 ? Date.now() + lifetime * 1000 : null,
      sent: 0,
      acked: 0,
      timer: null,
    };
    if (lifetime > 0) {
      sub.timer = setTimeout(() => {
        this.subs.delete(k);
        this.log(`cov: subscription ${this._describe(sub)} expired`);
      }, lifetime * 1000);
    }
    this.subs.set(k, sub);
    return sub;
  }

  _drop(k) {
    const old = this.subs.get(k);
    if (old?.timer) clearTimeout(old.timer);
    this.subs.delete(k);
  }

  // A device restart: every subscription is forgotten.
  clear() {
    for (const k of [...this.subs.keys()]) this._drop(k);
    this.generation++;
  }

  remaining(sub) {
    return sub.expiresAt === null ? 0 : Math.max(0, Math.ceil((sub.expiresAt - Date.now()) / 1000));
  }

  // Called after every write or "set" of `o`: notifies its subscribers when present-value moved
  // (by at least cov-increment, for analog objects) or out-of-service (status-flags) changed.
  changed(o) {
    const now = { value: objects.presentValue(o), oos: o.outOfService };
    const last = this.lastNotified.get(o) ?? now;
    const moved = o.kind === 'analog' && o.covIncrement > 0
      ? Math.abs(now.value - last.value) >= o.covIncrement
      : now.value !== last.value;
    if (this.lastNotified.has(o) && !moved && now.oos === last.oos) return;
    this.lastNotified.set(o, now);
    for (const sub of this.subs.values()) {
      if (sub.objectId.type === o.type && sub.objectId.instance === o.instance) this.notify(sub);
    }
  }

  notify(sub) {
    if (this.muted() || !this.notifying) return;
    const o = objects.find(this.db, sub.objectId);
    if (!this.lastNotified.has(o)) this.lastNotified.set(o, { value: objects.presentValue(o), oos: o.outOfService });
    // No property index and no priority: the library encodes those fields only when they are
    // ASN1_ARRAY_ALL / ASN1_NO_PRIORITY (an inverted test in CovNotify.encode), so leave them out.
    const values = [
      { property: { id: P.PRESENT_VALUE }, value: [objects.valueData(o, objects.presentValue(o))] },
      { property: { id: P.STATUS_FLAGS }, value: [objects.statusFlags(o)] },
    ];
    const device = this.db.device.instance;
    sub.sent++;
    if (!sub.confirmed) {
      this.client.unconfirmedCOVNotification(sub.receiver, sub.processId, device, sub.objectId,
        this.remaining(sub), values);
      return;
    }
    const generation = this.generation;
    const attempt = (retry) => {
      this.client.confirmedCOVNotification(sub.receiver, sub.objectId, sub.processId, device,
        this.remaining(sub), values).then(() => {
        this.acks++;
        sub.acked++;
      }, (err) => {
        if (generation !== this.generation || this.muted()) return;
        if (retry) {
          this.log(`cov: ${this._describe(sub)} did not ack (${err.message}); retrying once`);
          attempt(false);
        } else {
          this.unacked++;
          this.log(`cov: ${this._describe(sub)} did not ack the retry either (${err.message})`);
        }
      });
    };
    attempt(true);
  }

  _describe(sub) {
    return `${sub.receiver.address} pid ${sub.processId} ${objects.labelId(sub.objectId)}`;
  }

  // For the "subs" command.
  list() {
    return [...this.subs.values()].map((sub) => ({
      processId: sub.processId,
      object: objects.labelId(sub.objectId),
      confirmed: sub.confirmed,
      lifetime: sub.lifetime,
      remaining: this.remaining(sub),
      subscriber: sub.receiver.address,
      sent: sub.sent,
      acked: sub.acked,
    }));
  }
}

module.exports = { CovTable };
