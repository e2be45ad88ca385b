// A UDP transport for @bacnet-js/client that the stock one cannot replace in tests (see README.md):
//  - binds port 0 (the stock transport turns 0 into 47808), so parallel runs never collide;
//  - optionally listens on the broadcast address too: on loopback a socket bound to 127.0.0.x never
//    sees datagrams sent to 127.255.255.255, a second socket bound to that address does;
//  - always names a peer "ip:port" (the stock one drops ":47808", and the library then ignores
//    every request from "127.0.0.1");
//  - can drop everything it receives ("silent") and everything it would send ("muted"): a device
//    that is off or rebooting.
'use strict';

const dgram = require('node:dgram');
const { EventEmitter } = require('node:events');

// The largest BVLC frame: 1476 octets of APDU plus BVLC (up to 10) and NPDU headers.
const MAX_FRAME = 1497;

class SimTransport extends EventEmitter {
  // options: { interface, port, broadcastAddress: 'a.b.c.d:port', listenBroadcast: bool }
  constructor(options) {
    super();
    this.options = options;
    this.silent = false;
    this.muted = false;
    this.received = 0;
    this.dropped = 0;
    this.sockets = [];
    this.ownAddress = { address: options.interface, port: 0 };
  }

  getBroadcastAddress() {
    return this.options.broadcastAddress;
  }

  getMaxPayload() {
    return MAX_FRAME;
  }

  open() {
    const unicast = this._socket();
    unicast.bind(this.options.port, this.options.interface, () => {
      unicast.setBroadcast(true);
      this.ownAddress = unicast.address();
      if (!this.options.listenBroadcast) {
        this.emit('listening', this.ownAddress);
        return;
      }
      // Broadcast port: the one in broadcastAddress, or ours when it says 0.
      const [host, portText] = this.options.broadcastAddress.split(':');
      const port = Number(portText) || this.ownAddress.port;
      this.options.broadcastAddress = `${host}:${port}`;
      const listener = this._socket();
      listener.bind(port, host, () => this.emit('listening', this.ownAddress));
    });
  }

  _socket() {
    // reuseAddr: several simulated devices (other 127.0.0.x) share one broadcast address:port.
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    socket.on('message', (msg, rinfo) => this._receive(msg, rinfo));
    socket.on('error', (err) => this.emit('error', err));
    this.sockets.push(socket);
    return socket;
  }

  _receive(msg, rinfo) {
    // Our own broadcasts come back through the listener socket.
    if (rinfo.address === this.ownAddress.address && rinfo.port === this.ownAddress.port) return;
    this.received++;
    if (this.silent) {
      this.dropped++;
      return;
    }
    this.emit('message', msg, `${rinfo.address}:${rinfo.port}`);
  }

  // Called by the library: receiver is "ip[:port]" or undefined for a broadcast.
  send(buffer, offset, receiver) {
    const target = receiver || this.getBroadcastAddress();
    const [address, port] = target.split(':');
    if (this.muted || this.sockets.length === 0) return;
    this.sockets[0].send(buffer, 0, offset, Number(port) || 47808, address);
  }

  close() {
    for (const socket of this.sockets) socket.close();
    this.sockets = [];
  }
}

module.exports = { SimTransport };
