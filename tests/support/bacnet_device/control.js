// The test-control channel shared by device.js and bbmd.js: "READY <port>" on stdout, then one
// command per stdin line, each answered by exactly one line "OK [text]" or "ERR <why>". The process
// exits when stdin closes, so a test that dies never leaves a simulator behind.
'use strict';

const readline = require('node:readline');

// handle(words) returns the reply text (or '') or throws an Error whose message becomes "ERR ...".
function serveControl(port, handle, shutdown) {
  process.stdout.write(`READY ${port}\n`);
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  lines.on('line', (line) => {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) {
      process.stdout.write('ERR empty command\n');
      return;
    }
    if (words[0] === 'quit') {
      process.stdout.write('OK\n', () => shutdown(0));
      return;
    }
    let reply;
    try {
      const text = handle(words);
      reply = text === undefined || text === '' ? 'OK' : `OK ${text}`;
    } catch (err) {
      reply = `ERR ${err.message}`;
    }
    process.stdout.write(`${reply.replace(/\n/g, ' ')}\n`);
  });
  lines.on('close', () => shutdown(0));
}

// "--name value" / "--name=value" options with defaults; flags are listed in `flags`.
// Unknown options are an error: a typo must not silently give a different device.
function parseArgs(argv, defaults, flags = []) {
  const out = { ...defaults };
  for (const f of flags) out[f] = false;
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument "${argv[i]}"`);
    const [, name, inline] = m;
    if (flags.includes(name)) {
      if (inline !== undefined) throw new Error(`--${name} takes no value`);
      out[name] = true;
    } else if (name in defaults) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      out[name] = value;
    } else {
      throw new Error(`unknown option --${name}`);
    }
  }
  return out;
}

function integer(text, name, min, max) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer ${min}..${max}, not "${text}"`);
  return n;
}

module.exports = { serveControl, parseArgs, integer };
