// Writes received files into this browser's private storage (OPFS), from a dedicated worker,
// and hashes them on the way when asked.
//
// Why it exists: the only writer a page has, FileSystemWritableFileStream, hands every write to
// the browser process, into a swap file that is copied into place on close. For a peer-to-peer
// receiver that path, not the network, was what the transfer waited for. A worker may open an
// OPFS file with createSyncAccessHandle and write it in place, at an offset, with no swap file;
// what was written stays in the file when the page closes mid-way, so the next page resumes
// from the file's size (syncoxide_web.p2p_opfs). Hashing here (hash-wasm's SHA-256) keeps the
// payloads out of the page's Python entirely and off the page's thread.
//
// Messages in, each run in the order it came and answered with {seq, ok: true, ...} or
// {seq, ok: false, error}:
//   {op: "hasher", url}                     load hash-wasm's SHA-256 script (once)
//   {op: "open", id, handle, hash}          open a file; with hash, hash what it already holds
//                                           and answer {size}
//   {op: "write", id, at, data}             write an ArrayBuffer at an offset
//   {op: "writes", parts: [{id, at, data, start, length}]}   several writes, one answer
//   {op: "digest", id}                      answer {digest: hex} of a hashed file's bytes
//   {op: "close", id}
// A hashed file is written in order: a write must start where the hashed bytes end (or at 0,
// which starts the file over).
"use strict";

const READ_SIZE = 4 * 1024 * 1024;
const files = new Map(); // id -> {handle: FileSystemSyncAccessHandle, hasher, hashed}
let queue = Promise.resolve();

async function open(message) {
  const old = files.get(message.id);
  if (old) { // opened again (a new connection): start from what the file holds now
    files.delete(message.id);
    old.handle.close();
  }
  const file = { handle: await message.handle.createSyncAccessHandle(), hasher: null, hashed: 0 };
  files.set(message.id, file);
  if (!message.hash) return {};
  if (typeof hashwasm === "undefined") throw new Error("the SHA-256 script is not loaded");
  file.hasher = await hashwasm.createSHA256();
  file.hasher.init();
  const size = file.handle.getSize();
  const buffer = new Uint8Array(Math.min(READ_SIZE, size));
  while (file.hashed < size) {
    const read = file.handle.read(buffer.subarray(0, Math.min(READ_SIZE, size - file.hashed)),
                                  { at: file.hashed });
    if (read <= 0) break;
    file.hasher.update(buffer.subarray(0, read));
    file.hashed += read;
  }
  return { size: file.hashed };
}

function write(id, at, data) {
  const file = files.get(id);
  if (!file) throw new Error("file " + id + " is not open");
  if (file.hasher) {
    if (at === 0 && file.hashed !== 0) { // the file starts over
      file.handle.truncate(0);
      file.hasher.init();
      file.hashed = 0;
    }
    if (at !== file.hashed) {
      throw new Error("a write at " + at + " after " + file.hashed + " hashed bytes");
    }
    file.hasher.update(data);
    file.hashed += data.byteLength;
  }
  const written = file.handle.write(data, { at });
  if (written !== data.byteLength) {
    throw new Error("only " + written + " of " + data.byteLength + " bytes were written");
  }
}

async function run(message) {
  switch (message.op) {
    case "hasher":
      if (typeof hashwasm === "undefined") importScripts(message.url);
      return {};
    case "open":
      return open(message);
    case "write":
      write(message.id, message.at, new Uint8Array(message.data));
      return {};
    case "writes":
      for (const part of message.parts) {
        write(part.id, part.at, new Uint8Array(part.data, part.start, part.length));
      }
      return {};
  }
  const file = files.get(message.id);
  if (!file) throw new Error("file " + message.id + " is not open");
  if (message.op === "digest") {
    if (!file.hasher) throw new Error("file " + message.id + " is not being hashed");
    return { digest: file.hasher.digest("hex") };
  }
  if (message.op === "close") {
    files.delete(message.id);
    file.handle.flush();
    file.handle.close();
    return {};
  }
  throw new Error("unknown operation " + message.op);
}

self.onmessage = (event) => {
  const message = event.data;
  queue = queue.then(() => run(message)).then(
    (answer) => self.postMessage(Object.assign({ seq: message.seq, ok: true }, answer)),
    (error) => self.postMessage({ seq: message.seq, ok: false, error: String(error && error.message || error) }),
  );
};
