// Writes received files into this browser's private storage (OPFS), from a dedicated worker.
//
// Why it exists: the only writer a page has, FileSystemWritableFileStream, hands every write to
// the browser process, into a swap file that is copied into place on close. For a peer-to-peer
// receiver that path, not the network, was what the transfer waited for. A worker may open an
// OPFS file with createSyncAccessHandle and write it in place, at an offset, with no swap file;
// what was written stays in the file when the page closes mid-way, so the next page resumes
// from the file's size (syncoxide_web.p2p_opfs).
//
// Messages in:  {seq, op: "open", id, handle}   {seq, op: "write", id, at, data: ArrayBuffer}
//               {seq, op: "close", id}
// Each is run in the order it came and answered with {seq, ok: true} or {seq, ok: false, error}.
"use strict";

const files = new Map(); // id -> FileSystemSyncAccessHandle
let queue = Promise.resolve();

async function run(message) {
  if (message.op === "open") {
    files.set(message.id, await message.handle.createSyncAccessHandle());
    return;
  }
  const file = files.get(message.id);
  if (!file) throw new Error("file " + message.id + " is not open");
  if (message.op === "write") {
    const data = new Uint8Array(message.data);
    const written = file.write(data, { at: message.at });
    if (written !== data.byteLength) {
      throw new Error("only " + written + " of " + data.byteLength + " bytes were written");
    }
  } else if (message.op === "close") {
    files.delete(message.id);
    file.flush();
    file.close();
  } else {
    throw new Error("unknown operation " + message.op);
  }
}

self.onmessage = (event) => {
  const message = event.data;
  queue = queue.then(() => run(message)).then(
    () => self.postMessage({ seq: message.seq, ok: true }),
    (error) => self.postMessage({ seq: message.seq, ok: false, error: String(error && error.message || error) }),
  );
};
