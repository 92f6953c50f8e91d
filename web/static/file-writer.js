// Writes received files from a dedicated worker, and hashes them on the way when asked: into
// this browser's private storage (OPFS) in place, or into a folder the user picked as committed
// segments.
//
// Why it exists: the only writer a page has, FileSystemWritableFileStream, hands every write to
// the browser process, into a swap file that is copied into place on close. For a peer-to-peer
// receiver that path, not the network, was what the transfer waited for. A worker may open an
// OPFS file with createSyncAccessHandle and write it in place, at an offset, with no swap file;
// what was written stays in the file when the page closes mid-way, so the next page resumes
// from the file's size (syncoxide_web.p2p.opfs_destination). A picked folder allows only writable streams,
// here as in the page, so there a file is written as segments (below), but from this worker:
// hashing here (hash-wasm's SHA-256) keeps the payloads out of the page's Python entirely and
// off the page's thread, for both kinds of folder.
//
// Messages in, each run in the order it came and answered with {seq, ok: true, ...} or
// {seq, ok: false, error}:
//   {op: "hasher", url}                     load hash-wasm's SHA-256 script (once)
//   {op: "open", id, handle, hash}          open an OPFS file; with hash, hash what it already
//                                           holds and answer {size}
//   {op: "open", id, folder, kept}          open a file written as segments into `folder` (a
//                                           picked folder's hidden segment folder), always
//                                           hashed: the `kept` segments (Files, in order, each
//                                           named by its offset) are hashed first; answers {size}
//   {op: "probe", folder}                   create, write and remove a file in `folder` through a
//                                           writable stream: can this worker write there?
//   {op: "write", id, at, data}             write an ArrayBuffer at an offset
//   {op: "writes", parts: [{id, at, data, start, length}]}   several writes, one answer
//   {op: "digest", id}                      answer {digest: hex} of a hashed file's bytes
//   {op: "close", id}                       (a segment file: its last segment is committed)
// A hashed file is written in order: a write must start where the hashed bytes end (or, in
// OPFS, at 0, which starts the file over).
//
// Segments: a writable stream commits only on close(), so a page closed mid-file would lose the
// whole file. Each segment holds at most SEGMENT bytes, in a file named by its offset as 16
// digits, and is committed (closed) when the next one starts; syncoxide_web.p2p.destination
// reads them back after a reload and joins them when the file is verified.
"use strict";

const READ_SIZE = 4 * 1024 * 1024;
const SEGMENT = 16 * 1024 * 1024;
const files = new Map(); // id -> an OPFS file or a segment file, below
let queue = Promise.resolve();

function newHasher() {
  if (typeof hashwasm === "undefined") throw new Error("the SHA-256 script is not loaded");
  return hashwasm.createSHA256().then((hasher) => {
    hasher.init();
    return hasher;
  });
}

async function open(message) {
  const old = files.get(message.id);
  if (old) {
    // opened again (a new connection): start from what the file holds now
    files.delete(message.id);
    await closeFile(old);
  }
  if (message.folder) return openSegments(message);
  const file = { handle: await message.handle.createSyncAccessHandle(), hasher: null, hashed: 0 };
  files.set(message.id, file);
  if (!message.hash) return {};
  file.hasher = await newHasher();
  const size = file.handle.getSize();
  const buffer = new Uint8Array(Math.min(READ_SIZE, size));
  while (file.hashed < size) {
    const read = file.handle.read(buffer.subarray(0, Math.min(READ_SIZE, size - file.hashed)), {
      at: file.hashed,
    });
    if (read <= 0) break;
    file.hasher.update(buffer.subarray(0, read));
    file.hashed += read;
  }
  return { size: file.hashed };
}

async function openSegments(message) {
  const file = {
    folder: message.folder,
    stream: null,
    inSegment: 0,
    hasher: await newHasher(),
    hashed: 0,
  };
  for (const segment of message.kept || []) {
    for (let start = 0; start < segment.size; start += READ_SIZE) {
      const bytes = await segment.slice(start, start + READ_SIZE).arrayBuffer();
      file.hasher.update(new Uint8Array(bytes));
      file.hashed += bytes.byteLength;
    }
  }
  files.set(message.id, file);
  return { size: file.hashed };
}

function segmentName(offset) {
  return String(offset).padStart(16, "0");
}

async function probe(folder) {
  const name = ".syncoxide-probe";
  const stream = await (await folder.getFileHandle(name, { create: true })).createWritable();
  await stream.write(new Uint8Array(1));
  await stream.close();
  await folder.removeEntry(name);
  return {};
}

// The checks before a run of writes to a hashed file starting at `at`.
function startWrite(file, at) {
  if (!file.hasher) return;
  if (at === 0 && file.hashed !== 0 && file.handle) {
    // the file starts over
    file.handle.truncate(0);
    file.hasher.init();
    file.hashed = 0;
  }
  if (at !== file.hashed) {
    throw new Error(`a write at ${at} after ${file.hashed} hashed bytes`);
  }
}

// parts: [{id, at, data: Uint8Array}], in order. Consecutive bytes of one file are hashed and
// written as one run: one write call in place, one stream write per segment, not one per
// 128 KiB frame (measured: a receiver's 4 MiB batch written at once left the channel a few
// percent more of the CPU than 32 writes did).
async function writeAll(parts) {
  let run = null; // {file, at, end, pieces}
  for (const part of parts) {
    const file = files.get(part.id);
    if (!file) throw new Error(`file ${part.id} is not open`);
    if (run && (run.file !== file || run.end !== part.at)) {
      await writeRun(run);
      run = null;
    }
    if (!run) {
      startWrite(file, part.at);
      run = { file, at: part.at, end: part.at, pieces: [] };
    }
    run.pieces.push(part.data);
    run.end += part.data.byteLength;
  }
  if (run) await writeRun(run);
}

async function writeRun(run) {
  const file = run.file;
  if (file.hasher) {
    for (const piece of run.pieces) file.hasher.update(piece);
    file.hashed = run.end;
  }
  if (!file.handle) {
    await writeSegments(file, run.at, run.pieces);
    return;
  }
  const data = joined(run.pieces, run.end - run.at);
  const written = file.handle.write(data, { at: run.at });
  if (written !== data.byteLength) {
    throw new Error(`only ${written} of ${data.byteLength} bytes were written`);
  }
}

function joined(pieces, size) {
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(size);
  let into = 0;
  for (const piece of pieces) {
    out.set(piece, into);
    into += piece.byteLength;
  }
  return out;
}

// A run of a segment file from `at`: into its open segment, a new one started (the one before
// committed) every SEGMENT bytes, one stream write per segment (each is a trip to the browser
// process).
async function writeSegments(file, at, pieces) {
  let run = [],
    runBytes = 0;
  const flush = async () => {
    if (!runBytes) return;
    await file.stream.write(joined(run, runBytes));
    file.inSegment += runBytes;
    at += runBytes;
    run = [];
    runBytes = 0;
  };
  for (let piece of pieces) {
    while (piece.byteLength) {
      if (!file.stream || file.inSegment + runBytes >= SEGMENT) {
        await flush();
        await startSegment(file, at);
      }
      const part = piece.subarray(0, SEGMENT - file.inSegment - runBytes);
      run.push(part);
      runBytes += part.byteLength;
      piece = piece.subarray(part.byteLength);
    }
  }
  await flush();
}

async function startSegment(file, offset) {
  if (file.stream) await file.stream.close(); // commits the segment before
  const handle = await file.folder.getFileHandle(segmentName(offset), { create: true });
  file.stream = await handle.createWritable();
  file.inSegment = 0;
}

async function closeFile(file) {
  if (file.handle) {
    file.handle.flush();
    file.handle.close();
  } else if (file.stream) {
    const stream = file.stream;
    file.stream = null;
    await stream.close();
  }
}

async function run(message) {
  switch (message.op) {
    case "hasher":
      if (typeof hashwasm === "undefined") importScripts(message.url);
      return {};
    case "open":
      return open(message);
    case "probe":
      return probe(message.folder);
    case "write":
      await writeAll([{ id: message.id, at: message.at, data: new Uint8Array(message.data) }]);
      return {};
    case "writes":
      await writeAll(
        message.parts.map((part) => ({
          id: part.id,
          at: part.at,
          data: new Uint8Array(part.data, part.start, part.length),
        })),
      );
      return {};
  }
  const file = files.get(message.id);
  if (!file) throw new Error(`file ${message.id} is not open`);
  if (message.op === "digest") {
    if (!file.hasher) throw new Error(`file ${message.id} is not being hashed`);
    return { digest: file.hasher.digest("hex") };
  }
  if (message.op === "close") {
    files.delete(message.id);
    await closeFile(file);
    return {};
  }
  throw new Error(`unknown operation ${message.op}`);
}

self.onmessage = (event) => {
  const message = event.data;
  queue = queue
    .then(() => run(message))
    .then(
      (answer) => self.postMessage(Object.assign({ seq: message.seq, ok: true }, answer)),
      (error) =>
        self.postMessage({
          seq: message.seq,
          ok: false,
          error: String(error?.message || error),
        }),
    );
};
