// The simulated device's objects: their properties as BACnet application data, the 16-slot priority
// array of commandable objects, and the write rules a real device enforces. No I/O here.
'use strict';

const bac = require('@bacnet-js/client');

const { ObjectType: OT, PropertyIdentifier: P, ApplicationTag: T, ErrorClass, ErrorCode } = bac;
const ARRAY_ALL = bac.ASN1_ARRAY_ALL;

// Short names used on the command line, in --objects files and in logs.
const TYPES = {
  AI: { type: OT.ANALOG_INPUT, kind: 'analog' },
  AO: { type: OT.ANALOG_OUTPUT, kind: 'analog', commandable: true },
  AV: { type: OT.ANALOG_VALUE, kind: 'analog' },
  BI: { type: OT.BINARY_INPUT, kind: 'binary' },
  BO: { type: OT.BINARY_OUTPUT, kind: 'binary', commandable: true },
  BV: { type: OT.BINARY_VALUE, kind: 'binary' },
  MSI: { type: OT.MULTI_STATE_INPUT, kind: 'multistate' },
  MSO: { type: OT.MULTI_STATE_OUTPUT, kind: 'multistate', commandable: true },
  MSV: { type: OT.MULTI_STATE_VALUE, kind: 'multistate' },
};
const SHORT_BY_TYPE = { ...Object.fromEntries(Object.entries(TYPES).map(([s, t]) => [t.type, s])), [OT.DEVICE]: 'DEV' };
// Inputs are never commandable; values may be (--objects "commandable": true); outputs always are.
const MAY_COMMAND = new Set(['AV', 'BV', 'MSV']);

const DEFAULT_OBJECTS = [
  { id: 'AI:1', name: 'Room temperature', value: 21.0, units: bac.EngineeringUnits.DEGREES_CELSIUS },
  { id: 'AI:2', name: 'Supply pressure', value: 101.3, units: bac.EngineeringUnits.KILOPASCALS },
  { id: 'AO:1', name: 'Valve position', relinquishDefault: 0, units: bac.EngineeringUnits.PERCENT },
  { id: 'AV:1', name: 'Setpoint', commandable: true, relinquishDefault: 21,
    units: bac.EngineeringUnits.DEGREES_CELSIUS },
  { id: 'BI:1', name: 'Door contact', value: 0 },
  { id: 'BO:1', name: 'Pump relay', relinquishDefault: 0 },
  { id: 'BV:1', name: 'Occupied', value: 0 },
  { id: 'MSI:1', name: 'Fan speed feedback', value: 1, states: ['Off', 'Low', 'High'] },
  { id: 'MSO:1', name: 'Fan speed command', relinquishDefault: 1, states: ['Off', 'Low', 'High'] },
  { id: 'MSV:1', name: 'Operating mode', value: 1, states: ['Auto', 'Heat', 'Cool', 'Off'] },
];

class BacnetError extends Error {
  constructor(errorClass, errorCode) {
    super(`${bac.getEnumName(ErrorClass, errorClass)}/${bac.getEnumName(ErrorCode, errorCode)}`);
    this.errorClass = errorClass;
    this.errorCode = errorCode;
  }
}
const fail = (cls, code) => {
  throw new BacnetError(cls, code);
};

const app = (type, value) => ({ type, value });
const text = (s) => app(T.CHARACTER_STRING, s);
const enumerated = (v) => app(T.ENUMERATED, v);
const unsigned = (v) => app(T.UNSIGNED_INTEGER, v);

function parseId(id) {
  const m = /^([A-Z]+):(\d+)$/.exec(String(id).trim().toUpperCase());
  if (!m || !TYPES[m[1]]) throw new Error(`bad object id "${id}" (like AI:1; types ${Object.keys(TYPES)})`);
  return { short: m[1], instance: Number(m[2]) };
}

// Validates one --objects entry and fills in defaults.
function makeObject(spec) {
  const { short, instance } = parseId(spec.id);
  const t = TYPES[short];
  const commandable = t.commandable || (MAY_COMMAND.has(short) && !!spec.commandable);
  const o = {
    short, instance, type: t.type, kind: t.kind, commandable,
    name: spec.name ?? `${short}:${instance}`,
    description: spec.description ?? '',
    outOfService: !!spec.outOfService,
    writable: !!spec.writable, // present-value writable without out-of-service (non-commandable)
    units: spec.units ?? bac.EngineeringUnits.NO_UNITS,
    covIncrement: spec.covIncrement ?? 0,
    states: spec.states ?? ['One', 'Two', 'Three'],
    activeText: spec.activeText ?? 'Active',
    inactiveText: spec.inactiveText ?? 'Inactive',
    priority: new Array(16).fill(null),
  };
  const fallback = t.kind === 'analog' ? 0 : t.kind === 'binary' ? 0 : 1;
  o.relinquishDefault = checkValue(o, spec.relinquishDefault ?? spec.value ?? fallback);
  o.value = checkValue(o, spec.value ?? o.relinquishDefault);
  return o;
}

// A present-value in the object's domain (number), or a thrown BacnetError like a device gives.
function checkValue(o, v) {
  if (typeof v !== 'number' || Number.isNaN(v)) fail(ErrorClass.PROPERTY, ErrorCode.INVALID_DATA_TYPE);
  if (o.kind === 'binary' && v !== 0 && v !== 1) fail(ErrorClass.PROPERTY, ErrorCode.VALUE_OUT_OF_RANGE);
  if (o.kind === 'multistate' && (!Number.isInteger(v) || v < 1 || v > o.states.length)) {
    fail(ErrorClass.PROPERTY, ErrorCode.VALUE_OUT_OF_RANGE);
  }
  return o.kind === 'analog' ? Math.fround(v) : v;
}

// The application tag a present-value of this kind must arrive in.
const VALUE_TAG = { analog: T.REAL, binary: T.ENUMERATED, multistate: T.UNSIGNED_INTEGER };

function presentValue(o) {
  if (!o.commandable) return o.value;
  const slot = o.priority.findIndex((v) => v !== null);
  return slot < 0 ? o.relinquishDefault : o.priority[slot];
}

function activePriority(o) {
  const slot = o.priority.findIndex((v) => v !== null);
  return slot < 0 ? null : slot + 1;
}

const valueData = (o, v) => app(VALUE_TAG[o.kind], v);
const statusFlags = (o) => app(T.BIT_STRING, new bac.StatusFlagsBitString(
  ...(o.outOfService ? [bac.StatusFlags.OUT_OF_SERVICE] : [])));

// Property readers: scalar → { value: [appdata] }, array → { array: [appdata per element] }.
const COMMON = {
  [P.OBJECT_IDENTIFIER]: (o) => ({ value: [app(T.OBJECTIDENTIFIER, { type: o.type, instance: o.instance })] }),
  [P.OBJECT_NAME]: (o) => ({ value: [text(o.name)] }),
  [P.OBJECT_TYPE]: (o) => ({ value: [enumerated(o.type)] }),
  [P.DESCRIPTION]: (o) => ({ value: [text(o.description)] }),
};
const POINT = {
  ...COMMON,
  [P.PRESENT_VALUE]: (o) => ({ value: [valueData(o, presentValue(o))] }),
  [P.STATUS_FLAGS]: (o) => ({ value: [statusFlags(o)] }),
  [P.EVENT_STATE]: () => ({ value: [enumerated(0)] }),
  [P.OUT_OF_SERVICE]: (o) => ({ value: [app(T.BOOLEAN, o.outOfService)] }),
};
const BY_KIND = {
  analog: {
    [P.UNITS]: (o) => ({ value: [enumerated(o.units)] }),
    [P.COV_INCREMENT]: (o) => ({ value: [app(T.REAL, o.covIncrement)] }),
  },
  binary: {
    [P.POLARITY]: () => ({ value: [enumerated(0)] }),
    [P.ACTIVE_TEXT]: (o) => ({ value: [text(o.activeText)] }),
    [P.INACTIVE_TEXT]: (o) => ({ value: [text(o.inactiveText)] }),
  },
  multistate: {
    [P.NUMBER_OF_STATES]: (o) => ({ value: [unsigned(o.states.length)] }),
    [P.STATE_TEXT]: (o) => ({ array: o.states.map(text) }),
  },
};
const COMMANDABLE = {
  [P.PRIORITY_ARRAY]: (o) => ({ array: o.priority.map((v) => (v === null ? app(T.NULL, null) : valueData(o, v))) }),
  [P.RELINQUISH_DEFAULT]: (o) => ({ value: [valueData(o, o.relinquishDefault)] }),
  [P.CURRENT_COMMAND_PRIORITY]: (o) => {
    const p = activePriority(o);
    return { value: [p === null ? app(T.NULL, null) : unsigned(p)] };
  },
};
// Not in property-list (135-2016 12.1.1.4.1), but readable.
const NOT_LISTED = new Set([P.OBJECT_IDENTIFIER, P.OBJECT_NAME, P.OBJECT_TYPE, P.PROPERTY_LIST]);
const OPTIONAL = new Set([P.DESCRIPTION, P.COV_INCREMENT, P.STATE_TEXT, P.ACTIVE_TEXT, P.INACTIVE_TEXT,
  P.CURRENT_COMMAND_PRIORITY]);

function readersOf(o, db) {
  let readers;
  if (o.kind === 'device') {
    readers = deviceReaders(db);
  } else {
    readers = { ...POINT, ...BY_KIND[o.kind], ...(o.commandable ? COMMANDABLE : {}) };
    if (o.short === 'BV') delete readers[P.POLARITY]; // polarity is for inputs and outputs only
  }
  readers[P.PROPERTY_LIST] = (obj) => ({
    array: Object.keys(readersOf(obj, db)).map(Number).filter((id) => !NOT_LISTED.has(id)).map(enumerated),
  });
  return readers;
}

function deviceReaders(db) {
  const d = db.device;
  const services = [bac.ServicesSupported.READ_PROPERTY, bac.ServicesSupported.WRITE_PROPERTY,
    bac.ServicesSupported.WHO_IS, bac.ServicesSupported.I_AM];
  if (d.rpm) services.push(bac.ServicesSupported.READ_PROPERTY_MULTIPLE);
  if (d.cov) services.push(bac.ServicesSupported.SUBSCRIBE_COV, bac.ServicesSupported.CONFIRMED_COV_NOTIFICATION,
    bac.ServicesSupported.UNCONFIRMED_COV_NOTIFICATION);
  const types = [OT.DEVICE, ...Object.values(TYPES).map((t) => t.type)];
  return {
    ...COMMON,
    [P.SYSTEM_STATUS]: () => ({ value: [enumerated(bac.DeviceStatus.OPERATIONAL)] }),
    [P.VENDOR_NAME]: () => ({ value: [text('lintel test suite')] }),
    [P.VENDOR_IDENTIFIER]: () => ({ value: [unsigned(d.vendorId)] }),
    [P.MODEL_NAME]: () => ({ value: [text('bacnet-device-sim')] }),
    [P.FIRMWARE_REVISION]: () => ({ value: [text('1.0')] }),
    [P.APPLICATION_SOFTWARE_VERSION]: () => ({ value: [text('1.0')] }),
    [P.PROTOCOL_VERSION]: () => ({ value: [unsigned(1)] }),
    [P.PROTOCOL_REVISION]: () => ({ value: [unsigned(14)] }),
    // 41 bits: protocol revision 14 knows services up to write-group (bit 40).
    [P.PROTOCOL_SERVICES_SUPPORTED]: () => ({ value: [app(T.BIT_STRING, new bac.GenericBitString(41, services))] }),
    [P.PROTOCOL_OBJECT_TYPES_SUPPORTED]: () => ({ value: [app(T.BIT_STRING, new bac.ObjectTypesSupportedBitString(...types))] }),
    [P.OBJECT_LIST]: () => ({ array: [...db.objects.values()].map((o) => app(T.OBJECTIDENTIFIER, { type: o.type, instance: o.instance })) }),
    [P.MAX_APDU_LENGTH_ACCEPTED]: () => ({ value: [unsigned(d.maxApdu)] }),
    [P.SEGMENTATION_SUPPORTED]: () => ({ value: [enumerated(bac.Segmentation.NO_SEGMENTATION)] }),
    [P.APDU_TIMEOUT]: () => ({ value: [unsigned(d.apduTimeout)] }),
    [P.NUMBER_OF_APDU_RETRIES]: () => ({ value: [unsigned(1)] }),
    [P.DEVICE_ADDRESS_BINDING]: () => ({ value: [] }),
    [P.DATABASE_REVISION]: () => ({ value: [unsigned(1)] }),
  };
}

// The device's object database. options: { instance, name, vendorId, maxApdu, apduTimeout, rpm, cov, objects }
function createDatabase(options) {
  const db = { objects: new Map(), device: null };
  db.device = {
    short: 'DEV', kind: 'device', type: OT.DEVICE, instance: options.instance,
    name: options.name ?? `lintel-sim-${options.instance}`, description: 'lintel BACnet device simulator',
    vendorId: options.vendorId, maxApdu: options.maxApdu, apduTimeout: options.apduTimeout,
    rpm: options.rpm, cov: options.cov,
  };
  db.objects.set(key(OT.DEVICE, options.instance), db.device);
  for (const spec of options.objects ?? DEFAULT_OBJECTS) {
    const o = makeObject(spec);
    if (db.objects.has(key(o.type, o.instance))) throw new Error(`object ${spec.id} defined twice`);
    db.objects.set(key(o.type, o.instance), o);
  }
  return db;
}

const key = (type, instance) => `${type}:${instance}`;

function find(db, objectId) {
  return db.objects.get(key(objectId.type, objectId.instance));
}

// "AI:1" (or "DEV") → object, or a thrown Error for the control channel.
function lookup(db, id) {
  if (/^DEV(:\d+)?$/i.test(String(id))) return db.device;
  const { short, instance } = parseId(id);
  const o = db.objects.get(key(TYPES[short].type, instance));
  if (!o) throw new Error(`no object ${id}`);
  return o;
}

function labelId(objectId) {
  return `${SHORT_BY_TYPE[objectId.type] ?? `type${objectId.type}`}:${objectId.instance}`;
}

// ReadProperty semantics: application data list, or a thrown BacnetError.
function readProperty(db, o, propertyId, index = ARRAY_ALL) {
  const reader = readersOf(o, db)[propertyId];
  if (!reader) fail(ErrorClass.PROPERTY, ErrorCode.UNKNOWN_PROPERTY);
  const r = reader(o);
  if (!r.array) {
    if (index !== ARRAY_ALL) fail(ErrorClass.PROPERTY, ErrorCode.PROPERTY_IS_NOT_AN_ARRAY);
    return r.value;
  }
  if (index === ARRAY_ALL) return r.array;
  if (index === 0) return [unsigned(r.array.length)];
  if (index > r.array.length) fail(ErrorClass.PROPERTY, ErrorCode.INVALID_ARRAY_INDEX);
  return [r.array[index - 1]];
}

// Property ids that ALL / REQUIRED / OPTIONAL stand for in ReadPropertyMultiple.
function propertyIds(db, o, which) {
  const ids = Object.keys(readersOf(o, db)).map(Number);
  if (which === P.REQUIRED) return ids.filter((id) => !OPTIONAL.has(id));
  if (which === P.OPTIONAL) return ids.filter((id) => OPTIONAL.has(id));
  return ids;
}

// WriteProperty from the network (values: application data list); throws BacnetError.
// The caller asks cov.changed() whether a notification is due.
function writeProperty(db, o, propertyId, index, values, priority) {
  const readers = readersOf(o, db);
  if (!readers[propertyId]) fail(ErrorClass.PROPERTY, ErrorCode.UNKNOWN_PROPERTY);
  if (index !== ARRAY_ALL) {
    if (readers[propertyId](o).array) fail(ErrorClass.PROPERTY, ErrorCode.WRITE_ACCESS_DENIED);
    fail(ErrorClass.PROPERTY, ErrorCode.PROPERTY_IS_NOT_AN_ARRAY);
  }
  if (values.length !== 1) fail(ErrorClass.PROPERTY, ErrorCode.INVALID_DATA_TYPE);
  const [v] = values;
  switch (o.kind === 'device' ? -1 : propertyId) {
    case P.PRESENT_VALUE:
      if (o.commandable) {
        if (v.type === T.NULL) o.priority[priority - 1] = null;
        else o.priority[priority - 1] = checkTyped(o, v);
      } else {
        // Inputs and plain values follow the field unless taken out of service.
        if (!o.outOfService && !o.writable) fail(ErrorClass.PROPERTY, ErrorCode.WRITE_ACCESS_DENIED);
        o.value = checkTyped(o, v);
      }
      break;
    case P.RELINQUISH_DEFAULT:
      if (!o.commandable) fail(ErrorClass.PROPERTY, ErrorCode.WRITE_ACCESS_DENIED);
      o.relinquishDefault = checkTyped(o, v);
      break;
    case P.OUT_OF_SERVICE:
      if (v.type !== T.BOOLEAN) fail(ErrorClass.PROPERTY, ErrorCode.INVALID_DATA_TYPE);
      o.outOfService = !!v.value;
      break;
    case P.DESCRIPTION:
      if (v.type !== T.CHARACTER_STRING) fail(ErrorClass.PROPERTY, ErrorCode.INVALID_DATA_TYPE);
      o.description = v.value;
      break;
    default:
      fail(ErrorClass.PROPERTY, ErrorCode.WRITE_ACCESS_DENIED);
  }
}

function checkTyped(o, v) {
  if (v.type !== VALUE_TAG[o.kind]) fail(ErrorClass.PROPERTY, ErrorCode.INVALID_DATA_TYPE);
  return checkValue(o, v.value);
}

// The control channel's "set": the field changes an input, or a program commands an output (slot
// `priority`, NULL relinquishes).
function setPresentValue(o, v, priority = 16) {
  if (o.commandable) o.priority[priority - 1] = v.type === T.NULL ? null : checkTyped(o, v);
  else if (v.type === T.NULL) fail(ErrorClass.PROPERTY, ErrorCode.INVALID_DATA_TYPE);
  else o.value = checkTyped(o, v);
}

// Parses a present-value typed on the control channel ("21.5", "1", "active", "null").
function parseValue(o, textValue) {
  const t = String(textValue).toLowerCase();
  if (t === 'null') return app(T.NULL, null);
  if (o.kind === 'binary') {
    const map = { active: 1, inactive: 0, on: 1, off: 0, 1: 1, 0: 0 };
    if (!(t in map)) throw new Error(`binary value is 0/1/active/inactive, not "${textValue}"`);
    return app(T.ENUMERATED, map[t]);
  }
  const n = Number(t);
  if (t === '' || Number.isNaN(n)) throw new Error(`not a number: "${textValue}"`);
  return app(VALUE_TAG[o.kind], n);
}

module.exports = {
  BacnetError, DEFAULT_OBJECTS, TYPES, ARRAY_ALL,
  createDatabase, find, lookup, labelId, readProperty, propertyIds, writeProperty, setPresentValue,
  presentValue, activePriority, statusFlags, valueData, parseValue,
};
