// The data plane of a browser peer-to-peer transfer: DATA frames are built, sent, received and
// peeled off here, so file bytes never pass through Python (Pyodide).
//
// Why it exists: with every payload going through Python, both pages spent about as much CPU on
// their own bookkeeping as the data channel itself needs (copies in and out of WebAssembly
// memory, a Python call per message), and on a two-core machine that extra CPU is what capped
// the transfer. Python (syncoxide/protocol) stays the authority: the sender sends only the spans
// its session hands out (take_span), and the receiver writes a payload only after its session
// has accepted the frame's header (accept_data). This file only carries bytes.
//
// Frame layout (docs/protocol.md, syncoxide/protocol/frames.py), integers big-endian:
//   type u8 | body length u32 | body          DATA (type 0x05) body: file u32 | offset u64 | payload
(() => {
  "use strict";
  const DATA = 0x05;
  const HEADER = 5;
  const DATA_HEADER = 12;
  const MAX_BODY = 256 * 1024 - HEADER;
  const READ_AHEAD = 4 * 1024 * 1024; // one blob read in flight while the one before is sent

  // A DATA frame, written at the start of `into` (a Uint8Array large enough) or a new buffer.
  function dataFrame(fileIndex, offset, payload, into) {
    const size = HEADER + DATA_HEADER + payload.byteLength;
    const frame = into ? into.subarray(0, size) : new Uint8Array(size);
    const view = new DataView(frame.buffer, frame.byteOffset);
    view.setUint8(0, DATA);
    view.setUint32(1, DATA_HEADER + payload.byteLength);
    view.setUint32(5, fileIndex);
    view.setBigUint64(9, BigInt(offset));
    frame.set(payload, HEADER + DATA_HEADER);
    return frame;
  }

  class SendFailure extends Error {
    constructor(kind, message) {
      super(message);
      this.kind = kind; // "gone": the channel closed; "changed": a file could not be read as hashed
    }
  }

  // Reads a file in READ_AHEAD slices, the next one already being read while this one is sent
  // (the browser reads blobs in another process).
  class BlobReader {
    constructor() {
      this.cache = null; // {blob, start, bytes}
      this.ahead = null; // {blob, start, promise}
    }

    async read(blob, offset, end) {
      let cache = this.cache;
      if (
        !cache ||
        cache.blob !== blob ||
        offset < cache.start ||
        offset >= cache.start + cache.bytes.byteLength
      ) {
        const ahead = this.ahead;
        const promise =
          ahead && ahead.blob === blob && ahead.start === offset
            ? ahead.promise
            : this.slice(blob, offset);
        cache = this.cache = { blob, start: offset, bytes: await promise };
        const next = offset + cache.bytes.byteLength;
        this.ahead =
          next < blob.size ? { blob, start: next, promise: this.slice(blob, next) } : null;
      }
      return cache.bytes.subarray(
        offset - cache.start,
        Math.min(cache.bytes.byteLength, end - cache.start),
      );
    }

    slice(blob, start) {
      const end = Math.min(blob.size, start + READ_AHEAD);
      const promise = (async () => {
        if (start >= end)
          throw new SendFailure("changed", "the file is shorter than when it was hashed");
        let buffer;
        try {
          buffer = await blob.slice(start, end).arrayBuffer();
        } catch (error) {
          throw new SendFailure("changed", String(error?.message || error));
        }
        if (buffer.byteLength !== end - start) {
          throw new SendFailure("changed", "the file is shorter than when it was hashed");
        }
        return new Uint8Array(buffer);
      })();
      promise.catch(() => {}); // a read ahead that is never used must not report as unhandled
      return promise;
    }
  }

  // The sender's side: frames (MANIFEST, FAILURE) and spans of files, sent in the order given,
  // in messages of at most one frame, waiting while bufferedAmount is above highWater.
  class DataSender {
    constructor(channel, highWater, chunkSize) {
      this.channel = channel;
      this.highWater = highWater;
      this.chunkSize = chunkSize;
      this.queue = [];
      this.sent = 0; // payload bytes handed to the channel
      this.failure = null; // the SendFailure that stopped it
      this.onfail = null; // called once with (kind, message)
      this.running = false;
      this.stopped = false;
      this.reader = new BlobReader();
      this.buffer = null; // see frame()
      this.wake = null;
      const wake = () => {
        if (this.wake) {
          const w = this.wake;
          this.wake = null;
          w();
        }
      };
      channel.addEventListener("bufferedamountlow", wake);
      channel.addEventListener("close", wake);
      this.wakeNow = wake;
    }

    pushFrame(bytes) {
      this.queue.push({ frame: bytes });
      this.run();
    }

    pushSpan(blob, fileIndex, offset, length) {
      this.queue.push({ blob, fileIndex, offset, length });
      this.run();
    }

    stop() {
      this.stopped = true;
      this.queue = [];
      this.wakeNow();
    }

    get idle() {
      return !this.running && this.queue.length === 0;
    }

    async run() {
      if (this.running || this.failure) return;
      this.running = true;
      try {
        while (this.queue.length && !this.stopped) {
          const item = this.queue.shift();
          if (item.frame) await this.send(item.frame);
          else await this.sendSpan(item);
        }
      } catch (error) {
        this.failure =
          error instanceof SendFailure ? error : new SendFailure("gone", String(error));
        this.queue = [];
        if (this.onfail) this.onfail(this.failure.kind, this.failure.message);
      } finally {
        this.running = false;
      }
    }

    async sendSpan(span) {
      const end = span.offset + span.length;
      let offset = span.offset;
      while (offset < end && !this.stopped) {
        const bytes = await this.reader.read(span.blob, offset, end);
        for (let at = 0; at < bytes.byteLength && !this.stopped; at += this.chunkSize) {
          const payload = bytes.subarray(at, Math.min(at + this.chunkSize, bytes.byteLength));
          await this.send(this.frame(span.fileIndex, offset + at, payload));
          this.sent += payload.byteLength;
        }
        offset += bytes.byteLength;
      }
    }

    // The DATA frame in one buffer reused for every frame: send() copies a message before it
    // returns, and a fresh 128 KiB buffer per frame cost an allocation, its zeroing and its
    // garbage collection each time.
    frame(fileIndex, offset, payload) {
      this.buffer = this.buffer || new Uint8Array(HEADER + DATA_HEADER + this.chunkSize);
      return dataFrame(fileIndex, offset, payload, this.buffer);
    }

    async send(frame) {
      while (
        this.channel.bufferedAmount > this.highWater &&
        this.channel.readyState === "open" &&
        !this.stopped
      ) {
        await new Promise((resolve) => {
          this.wake = resolve;
        });
      }
      if (this.stopped) return;
      if (this.channel.readyState !== "open") {
        throw new SendFailure("gone", "The data channel to the other peer closed.");
      }
      this.channel.send(frame);
    }
  }

  // The receiving side of a channel: every message is split into whole frames (a frame may
  // span messages). Each is an item {data, frame} where frame views the whole frame; a DATA
  // item also has its header read out ({file, offset, length}) so Python can check it without
  // its payload. Python awaits wait() and then take()s what has arrived, as one batch.
  class DataInbox {
    // whole: each message is one item as it came (JSON messages, as device pairing trades),
    // not a stream of frames.
    constructor(channel, whole = false) {
      this.whole = whole;
      this.items = [];
      this.bytes = 0; // in items
      this.closed = false;
      this.broken = false; // a frame header announced too much: pass the rest on unparsed
      this.rest = null; // the start of a frame that continues in the next message
      this.waiting = null; // {resolve, minBytes}
      this.timer = null;
      channel.binaryType = "arraybuffer";
      channel.addEventListener("message", (event) => this.arrived(new Uint8Array(event.data)));
      channel.addEventListener("close", () => this.close());
    }

    arrived(bytes) {
      if (this.rest) {
        const joined = new Uint8Array(this.rest.byteLength + bytes.byteLength);
        joined.set(this.rest);
        joined.set(bytes, this.rest.byteLength);
        bytes = joined;
        this.rest = null;
      }
      if (this.whole) {
        this.items.push({ data: false, frame: bytes });
        this.bytes += bytes.byteLength;
        if (this.waiting && this.bytes >= this.waiting.minBytes) this.wakeUp();
        return;
      }
      let at = 0;
      while (!this.broken && bytes.byteLength - at >= HEADER) {
        const view = new DataView(bytes.buffer, bytes.byteOffset + at);
        const length = view.getUint32(1);
        if (length > MAX_BODY) {
          this.broken = true;
          break;
        } // Python's parser says why
        if (bytes.byteLength - at < HEADER + length) break;
        const frame = bytes.subarray(at, at + HEADER + length);
        if (view.getUint8(0) === DATA && length >= DATA_HEADER) {
          this.items.push({
            data: true,
            frame,
            file: view.getUint32(5),
            offset: Number(view.getBigUint64(9)),
            length: length - DATA_HEADER,
          });
        } else {
          this.items.push({ data: false, frame });
        }
        at += HEADER + length;
      }
      if (this.broken) {
        if (at < bytes.byteLength) this.items.push({ data: false, frame: bytes.subarray(at) });
        at = bytes.byteLength;
      } else if (at < bytes.byteLength) {
        this.rest = bytes.slice(at);
      }
      this.bytes += at;
      if (this.waiting && this.bytes >= this.waiting.minBytes) this.wakeUp();
    }

    wakeUp() {
      clearTimeout(this.timer);
      this.timer = null;
      if (this.waiting) {
        const w = this.waiting.resolve;
        this.waiting = null;
        w();
      }
    }

    close() {
      this.closed = true;
      this.wakeUp();
    }

    get empty() {
      return this.items.length === 0;
    }

    // Resolves once minBytes have arrived, or maxWait ms after this call when anything has (or
    // when the channel closed). Each wake-up of a Pyodide task costs a trip through its event
    // loop: a receiver that keeps up would otherwise wake for every single message.
    wait(minBytes, maxWait) {
      if (this.bytes >= minBytes || this.closed) return Promise.resolve();
      return new Promise((resolve) => {
        this.waiting = { resolve, minBytes };
        this.timer = setTimeout(() => {
          if (this.items.length) this.wakeUp();
          else if (this.waiting) this.waiting.minBytes = 1; // then the first frame wakes it
        }, maxWait);
      });
    }

    // The items that arrived, about limit bytes (at least one, if any).
    take(limit) {
      let count = 0,
        size = 0;
      while (count < this.items.length && (count === 0 || size < limit)) {
        size += this.items[count].frame.byteLength;
        count += 1;
      }
      this.bytes -= size;
      return this.items.splice(0, count);
    }

    // The items' headers in one array, for Python to read in one call instead of four per item:
    // per item [is DATA (1/0), file, offset, payload length].
    headers(items) {
      const out = new Float64Array(items.length * 4);
      items.forEach((item, i) => {
        if (item.data) out.set([1, item.file, item.offset, item.length], i * 4);
      });
      return out;
    }
  }

  // The page's side of the OPFS writer worker (/static/file-writer.js). Its answers are
  // handled here, not in Python: a receiver posts a write message every wake-up, and routing
  // each answer through Python would cost a Pyodide call per message. Python posts operations,
  // asks for answers only where it needs one (request), and bounds what is queued (settled).
  class WriterClient {
    constructor(url) {
      this.worker = new Worker(url);
      this.sequence = 0;
      this.pending = 0; // operations posted and not answered yet
      this.answers = new Map(); // seq -> {resolve, reject} of a request
      this.waiters = []; // {most, resolve, reject} of settled()
      this.error = null; // the first failure: every later wait fails with it
      this.worker.onmessage = (event) => this.answered(event.data);
      this.worker.onerror = (event) =>
        this.failed(new Error(event.message || "the writer stopped"));
    }

    post(message, transfer) {
      message.seq = ++this.sequence;
      this.pending += 1;
      this.worker.postMessage(message, transfer || []);
      return message.seq;
    }

    request(message, transfer) {
      if (this.error) return Promise.reject(this.error);
      const seq = this.post(message, transfer);
      return new Promise((resolve, reject) => this.answers.set(seq, { resolve, reject }));
    }

    // Resolves once at most `most` operations are unanswered; rejects if any failed.
    settled(most) {
      if (this.error) return Promise.reject(this.error);
      if (this.pending <= most) return Promise.resolve();
      return new Promise((resolve, reject) => this.waiters.push({ most, resolve, reject }));
    }

    answered(answer) {
      this.pending -= 1;
      const waiting = this.answers.get(answer.seq);
      this.answers.delete(answer.seq);
      if (!answer.ok) {
        const error = new Error(answer.error);
        if (waiting) waiting.reject(error);
        this.failed(error);
        return;
      }
      if (waiting) waiting.resolve(answer);
      this.waiters = this.waiters.filter((w) => {
        if (this.pending > w.most) return true;
        w.resolve();
        return false;
      });
    }

    failed(error) {
      this.error = this.error || error;
      for (const waiting of this.answers.values()) waiting.reject(this.error);
      for (const waiter of this.waiters) waiter.reject(this.error);
      this.answers.clear();
      this.waiters = [];
    }

    // Posts the DATA payloads of items[start..end) (a take() of the inbox, accepted by the
    // session) as one operation. A payload that is the only frame of its message travels by
    // transfer (its buffer moves to the worker, no copy); one sharing a message is copied.
    postWrites(items, start, end) {
      const parts = [],
        moved = [];
      for (let i = start; i < end; i++) {
        const item = items[i];
        if (!item.data) continue;
        const frame = item.frame,
          skip = HEADER + DATA_HEADER;
        let data = frame.buffer,
          from = frame.byteOffset + skip;
        if (frame.byteOffset !== 0 || frame.byteLength !== frame.buffer.byteLength) {
          data = frame.slice(skip).buffer;
          from = 0;
        }
        parts.push({ id: item.file, at: item.offset, data, start: from, length: item.length });
        moved.push(data);
      }
      if (parts.length) this.post({ op: "writes", parts }, moved);
    }

    terminate() {
      this.worker.terminate();
      this.failed(new Error("the writer was stopped"));
    }
  }

  self.syncoxideP2P = { DataSender, DataInbox, WriterClient };
})();
