// Runs web/static/share-decrypt.js under Node 20 (whose crypto.subtle is WebCrypto) on the
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

async function openFile(master, ciphertext, piece) {
  const keys = await sx.shareKeys(master);
  const out = [];
  try {
    await sx.decryptFile(keys, sx.byteReader(pieces(ciphertext, piece)), ciphertext.length, async (p) => out.push(Buffer.from(p)));
    return { plaintext: Buffer.concat(out).toString("hex") };
  } catch (error) {
    return { error: error.kind || String(error), wrote: Buffer.concat(out).length };
  }
}

async function main() {
  const cases = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
  const results = [];
  for (const c of cases.files) results.push(await openFile(hex(c.master), hex(c.ciphertext), c.piece || 7));
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
