// Encodes the reference datagrams of ../vectors.hpp with @bacnet-js/client's own encoders and
// prints them as hex, to cross-check lintel's BACnet encoders against a second implementation.
// Not part of the build. Install the library outside the repository and point NODE_PATH at it:
//   mkdir /tmp/bacnet-check && cd /tmp/bacnet-check && npm init -y && npm i @bacnet-js/client@3.3.2
//   NODE_PATH=/tmp/bacnet-check/node_modules node tests/unit/bacnet/crosscheck/vectors.js
const path = require('path');
const lib = path.join(path.dirname(require.resolve('@bacnet-js/client/package.json')), 'dist/lib');
const bvlc = require(lib + '/bvlc');
const npdu = require(lib + '/npdu');
const apdu = require(lib + '/apdu');
const asn1 = require(lib + '/asn1');
const S = require(lib + '/services');
const E = require(lib + '/enum');

function frame(func, body, originatingIP) {
  const buf = { buffer: Buffer.alloc(1500), offset: originatingIP ? 10 : 4 };
  body(buf);
  bvlc.encode(buf.buffer, func, buf.offset, originatingIP);
  return buf.buffer.subarray(0, buf.offset).toString('hex');
}
const UNI = E.BvlcResultPurpose.ORIGINAL_UNICAST_NPDU;
const BCAST = E.BvlcResultPurpose.ORIGINAL_BROADCAST_NPDU;
const REPLY = E.NpduControlBit.EXPECTING_REPLY;
const CONF = E.PduType.CONFIRMED_REQUEST;
const UNCONF = E.PduType.UNCONFIRMED_REQUEST;
const C = E.ConfirmedServiceChoice, U = E.UnconfirmedServiceChoice;
const OCTETS_1476 = E.MaxApduLengthAccepted.OCTETS_1476;
const T = E.ApplicationTag;
const out = {};

out.who_is_range = frame(BCAST, (b) => {
  npdu.encode(b, 0, { net: 0xffff }, null, 255);
  apdu.encodeUnconfirmedServiceRequest(b, UNCONF, U.WHO_IS);
  S.WhoIs.encode(b, 100, 200);
});
out.i_am = frame(UNI, (b) => {
  npdu.encode(b, 0);
  apdu.encodeUnconfirmedServiceRequest(b, UNCONF, U.I_AM);
  S.IAm.encode(b, 1234, 1476, E.Segmentation.NO_SEGMENTATION, 260);
});
out.read_property = frame(UNI, (b) => {
  npdu.encode(b, REPLY);
  apdu.encodeConfirmedServiceRequest(b, CONF, C.READ_PROPERTY, 0, OCTETS_1476, 1);
  S.ReadProperty.encode(b, E.ObjectType.ANALOG_INPUT, 1, E.PropertyIdentifier.PRESENT_VALUE, E.ASN1_ARRAY_ALL);
});
out.read_property_ack = frame(UNI, (b) => {
  npdu.encode(b, 0);
  apdu.encodeComplexAck(b, E.PduType.COMPLEX_ACK, C.READ_PROPERTY, 1);
  S.ReadProperty.encodeAcknowledge(b, { type: E.ObjectType.ANALOG_INPUT, instance: 1 },
    E.PropertyIdentifier.PRESENT_VALUE, E.ASN1_ARRAY_ALL, [{ type: T.REAL, value: 21.5 }]);
});
out.read_property_multiple = frame(UNI, (b) => {
  npdu.encode(b, REPLY);
  apdu.encodeConfirmedServiceRequest(b, CONF, C.READ_PROPERTY_MULTIPLE, 0, OCTETS_1476, 2);
  const P = E.PropertyIdentifier;
  const props = [{ id: P.PRESENT_VALUE, index: E.ASN1_ARRAY_ALL }, { id: P.STATUS_FLAGS, index: E.ASN1_ARRAY_ALL }, { id: P.UNITS, index: E.ASN1_ARRAY_ALL }];
  S.ReadPropertyMultiple.encode(b, [
    { objectId: { type: E.ObjectType.ANALOG_INPUT, instance: 1 }, properties: props },
    { objectId: { type: E.ObjectType.BINARY_VALUE, instance: 7 }, properties: [
      { id: P.PRESENT_VALUE, index: E.ASN1_ARRAY_ALL }, { id: P.OBJECT_NAME, index: E.ASN1_ARRAY_ALL }, { id: P.PRIORITY_ARRAY, index: 8 }] },
  ]);
});
out.read_property_multiple_ack = frame(UNI, (b) => {
  npdu.encode(b, 0);
  apdu.encodeComplexAck(b, E.PduType.COMPLEX_ACK, C.READ_PROPERTY_MULTIPLE, 2);
  const P = E.PropertyIdentifier;
  S.ReadPropertyMultiple.encodeAcknowledge(b, [
    { objectId: { type: E.ObjectType.ANALOG_INPUT, instance: 1 }, values: [
      { property: { id: P.PRESENT_VALUE, index: E.ASN1_ARRAY_ALL }, value: [{ type: T.REAL, value: 21.5 }] },
      { property: { id: P.UNITS, index: E.ASN1_ARRAY_ALL }, value: [{ type: T.ENUMERATED, value: 62 }] },
      { property: { id: P.DESCRIPTION, index: E.ASN1_ARRAY_ALL }, value: [{ type: T.ERROR, value: { type: 'BacnetError', errorClass: E.ErrorClass.PROPERTY, errorCode: E.ErrorCode.UNKNOWN_PROPERTY } }] },
    ] },
  ]);
});
out.write_property_priority_8 = frame(UNI, (b) => {
  npdu.encode(b, REPLY);
  apdu.encodeConfirmedServiceRequest(b, CONF, C.WRITE_PROPERTY, 0, OCTETS_1476, 3);
  S.WriteProperty.encode(b, E.ObjectType.ANALOG_VALUE, 3, E.PropertyIdentifier.PRESENT_VALUE, E.ASN1_ARRAY_ALL, 8, [{ type: T.REAL, value: 22.5 }]);
});
out.write_property_relinquish = frame(UNI, (b) => {
  npdu.encode(b, REPLY);
  apdu.encodeConfirmedServiceRequest(b, CONF, C.WRITE_PROPERTY, 0, OCTETS_1476, 4);
  S.WriteProperty.encode(b, E.ObjectType.ANALOG_VALUE, 3, E.PropertyIdentifier.PRESENT_VALUE, E.ASN1_ARRAY_ALL, 8, [{ type: T.NULL, value: null }]);
});
out.subscribe_cov = frame(UNI, (b) => {
  npdu.encode(b, REPLY);
  apdu.encodeConfirmedServiceRequest(b, CONF, C.SUBSCRIBE_COV, 0, OCTETS_1476, 5);
  S.SubscribeCov.encode(b, 18, { type: E.ObjectType.ANALOG_INPUT, instance: 1 }, false, true, 300);
});
out.subscribe_cov_cancel = frame(UNI, (b) => {
  npdu.encode(b, REPLY);
  apdu.encodeConfirmedServiceRequest(b, CONF, C.SUBSCRIBE_COV, 0, OCTETS_1476, 6);
  S.SubscribeCov.encode(b, 18, { type: E.ObjectType.ANALOG_INPUT, instance: 1 }, true);
});
out.unconfirmed_cov_notification = frame(UNI, (b) => {
  npdu.encode(b, 0);
  apdu.encodeUnconfirmedServiceRequest(b, UNCONF, U.UNCONFIRMED_COV_NOTIFICATION);
  const P = E.PropertyIdentifier;
  S.CovNotify.encode(b, 18, 1234, { type: E.ObjectType.ANALOG_INPUT, instance: 1 }, 240, [
    { property: { id: P.PRESENT_VALUE }, value: [{ type: T.REAL, value: 21.5 }] },
    { property: { id: P.STATUS_FLAGS }, value: [{ type: T.BIT_STRING, value: { bitsUsed: 4, value: [0x02] } }] },
  ]);
});
out.error_pdu = frame(UNI, (b) => {
  npdu.encode(b, 0);
  apdu.encodeError(b, E.PduType.ERROR, C.READ_PROPERTY, 1);
  S.ErrorService.encode(b, E.ErrorClass.PROPERTY, E.ErrorCode.UNKNOWN_PROPERTY);
});
out.abort_pdu = frame(UNI, (b) => {
  npdu.encode(b, 0);
  apdu.encodeAbort(b, E.PduType.ABORT | 1, 2, E.AbortReason.SEGMENTATION_NOT_SUPPORTED);
});
out.routed_i_am = frame(UNI, (b) => {
  npdu.encode(b, 0, undefined, { net: 5, adr: [0x0a] });
  apdu.encodeUnconfirmedServiceRequest(b, UNCONF, U.I_AM);
  S.IAm.encode(b, 20005, 480, E.Segmentation.NO_SEGMENTATION, 8);
});
out.routed_read_property = frame(UNI, (b) => {
  npdu.encode(b, REPLY, { net: 5, adr: [0x0a] }, undefined, 255);
  apdu.encodeConfirmedServiceRequest(b, CONF, C.READ_PROPERTY, 0, OCTETS_1476, 9);
  S.ReadProperty.encode(b, E.ObjectType.ANALOG_INPUT, 1, E.PropertyIdentifier.PRESENT_VALUE, E.ASN1_ARRAY_ALL);
});
out.forwarded_who_is = frame(E.BvlcResultPurpose.FORWARDED_NPDU, (b) => {
  npdu.encode(b, 0);
  apdu.encodeUnconfirmedServiceRequest(b, UNCONF, U.WHO_IS);
  S.WhoIs.encode(b);
}, '192.168.1.20:47808');
{
  const b = { buffer: Buffer.alloc(10), offset: 4 };
  S.RegisterForeignDevice.encode(b, 600);
  bvlc.encode(b.buffer, E.BvlcResultPurpose.REGISTER_FOREIGN_DEVICE, b.offset);
  out.register_foreign_device = b.buffer.subarray(0, b.offset).toString('hex');
}
for (const [k, v] of Object.entries(out)) console.log(k + ' ' + v);
