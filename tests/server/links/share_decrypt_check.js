// Runs web/static/share-crypto.js under Node 20 (whose crypto.subtle is WebCrypto) on the
// cases in the JSON file named by argv[3]; prints one JSON result per case.
"use strict";
const fs = require("node:fs");
require(process.argv[2]);
const sx = globalThis.SyncoxideShareCrypto;
const hex = (text) => Uint8Array.from(Buffer.from(text, "hex"));

function pieces(data, size) {
  // A fetch body arrives in pieces of any size: feed odd-sized ones.
  let at = 0;
  return { read: async () => (at >= data.length ? { done: true } : { done: false, value: data.slice(at, (at += size)) }) };
}

function breaking(data, size, breakAt, reopened) {
  // A body whose connection drops once at `breakAt`; reopening serves the rest from an offset.
  const first = pieces(data.slice(0, breakAt), size);
  const reader = {
    read: async () => {
      const chunk = await first.read();
      if (chunk.done) throw new TypeError("network error");
      return chunk;
    },
  };
  return sx.resumingReader(reader, async (offset) => {
    reopened.push(offset);
    return pieces(data.slice(offset), size);
  });
}

async function openFile(master, ciphertext, piece, breakAt) {
  const keys = await sx.shareKeys(master);
  const out = [];
  const reopened = [];
  const body = breakAt ? breaking(ciphertext, piece, breakAt, reopened) : pieces(ciphertext, piece);
  try {
    await sx.decryptFile(keys, sx.byteReader(body), ciphertext.length, async (p) => out.push(Buffer.from(p)));
    if (breakAt) return { plaintext: Buffer.concat(out).toString("hex"), reopened };
    return { plaintext: Buffer.concat(out).toString("hex") };
  } catch (error) {
    return { error: error.kind || String(error), wrote: Buffer.concat(out).length };
  }
}

async function main() {
  const cases = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
  const results = [];
  for (const c of cases.files) {
    results.push(await openFile(hex(c.master), hex(c.ciphertext), c.piece || 7, c.break_at));
  }
  for (const c of cases.names) {
    try {
      const keys = c.share_key ? await sx.shareKeys(hex(c.share_key)) : sx.nameKeys(hex(c.names_key));
      const name = c.directory === undefined ? await sx.decryptPath(keys, c.stored) : await sx.decryptName(keys, c.directory, c.stored);
      results.push({ name });
    } catch (error) {
      results.push({ error: error.kind || String(error) });
    }
  }
  for (const fragment of cases.fragments) {
    try {
      results.push({ key: Buffer.from(sx.keyFromFragment(fragment)).toString("hex") });
    } catch (error) {
      results.push({ error: error.kind || String(error) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}
main();
