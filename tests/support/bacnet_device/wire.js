// Replies the device sends, built with @bacnet-js/client's own encoders. We build them here instead
// of calling the client's *Response helpers because a device needs what those lack: I-Am with our
// max-APDU (iAmResponse always says 1482), Reject PDUs, and an Abort when an answer would need
// segmentation (this device supports none, like many small controllers).
'use strict';

const bac = require('@bacnet-js/client');
const npdu = require('@bacnet-js/client/dist/lib/npdu');
const apdu = require('@bacnet-js/client/dist/lib/apdu');
const services = require('@bacnet-js/client/dist/lib/services');

const { PduType, NpduControlPriority } = bac;
const MAX_APDU_OCTETS = [50, 128, 206, 480, 1024, 1476]; // by the request's 4-bit code
const BVLC_HEADER = 4;
const BVLC_FORWARDED_HEADER = 10;
const SERVER = 1; // the SRV bit of an Abort PDU: sent by the server

class Wire {
  // client: a BACnetClient (for sendBvlc); maxApdu: what this device accepts and sends.
  constructor(client, maxApdu) {
    this.client = client;
    this.maxApdu = maxApdu;
  }

  _start(receiver) {
    // Room for any APDU we might build; an oversized one is caught in complexAck.
    const offset = receiver?.forwardedFrom ? BVLC_FORWARDED_HEADER : BVLC_HEADER;
    const buffer = { buffer: Buffer.alloc(16384), offset };
    npdu.encode(buffer, NpduControlPriority.NORMAL_MESSAGE, receiver);
    return buffer;
  }

  // request: the library's decoded confirmed request (invokeId, service, maxApdu code, header).
  // encodeBody(buffer) writes the service ack. Too big for either side → Abort, as a device
  // without segmentation must answer.
  complexAck(request, encodeBody) {
    const receiver = request.header.sender;
    const buffer = this._start(receiver);
    const apduStart = buffer.offset;
    apdu.encodeComplexAck(buffer, PduType.COMPLEX_ACK, request.service, request.invokeId);
    encodeBody(buffer);
    const limit = Math.min(this.maxApdu, MAX_APDU_OCTETS[request.maxApdu] ?? 1476);
    if (buffer.offset - apduStart > limit) {
      this.abort(request, bac.AbortReason.SEGMENTATION_NOT_SUPPORTED);
      return false;
    }
    this.client.sendBvlc(receiver, buffer);
    return true;
  }

  simpleAck(request) {
    const buffer = this._start(request.header.sender);
    apdu.encodeSimpleAck(buffer, PduType.SIMPLE_ACK, request.service, request.invokeId);
    this.client.sendBvlc(request.header.sender, buffer);
  }

  error(request, errorClass, errorCode) {
    const buffer = this._start(request.header.sender);
    apdu.encodeError(buffer, PduType.ERROR, request.service, request.invokeId);
    services.ErrorService.encode(buffer, errorClass, errorCode);
    this.client.sendBvlc(request.header.sender, buffer);
  }

  // Reject and Abort share a layout (type, invoke id, reason).
  reject(request, reason) {
    const buffer = this._start(request.header.sender);
    apdu.encodeAbort(buffer, PduType.REJECT, request.invokeId, reason);
    this.client.sendBvlc(request.header.sender, buffer);
  }

  abort(request, reason) {
    const buffer = this._start(request.header.sender);
    apdu.encodeAbort(buffer, PduType.ABORT | SERVER, request.invokeId, reason);
    this.client.sendBvlc(request.header.sender, buffer);
  }

  // receiver undefined: broadcast to the transport's broadcast address.
  iAm(receiver, deviceInstance, vendorId) {
    const buffer = this._start(receiver);
    apdu.encodeUnconfirmedServiceRequest(buffer, PduType.UNCONFIRMED_REQUEST, bac.UnconfirmedServiceChoice.I_AM);
    services.IAm.encode(buffer, deviceInstance, this.maxApdu, bac.Segmentation.NO_SEGMENTATION, vendorId);
    this.client.sendBvlc(receiver, buffer);
  }
}

module.exports = { Wire, MAX_APDU_OCTETS };
