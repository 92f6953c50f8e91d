// Seals files to a request link's X25519 public key in the page, before any byte is uploaded.
//
// The format is syncoxide.crypto.recipient (byte diagram in docs/links.md): a header with a
// one-time X25519 key and the sealed relative path, then the vault's 64 KiB AES-256-GCM chunks.
// Chunk i depends only on the file's keys and plaintext chunk i, so any byte range of the
// ciphertext can be produced on demand: a tus PATCH (or a resume after a cut at any offset)
// encrypts just the chunks it covers, and a big file is never held in memory.
//
// To resume after a reload the page keeps the file's header and payload key in localStorage
// next to its upload URL (they open only this one file, which the uploader has anyway) and
// removes them once the upload is complete.
"use strict";

(() => {
  const CHUNK_LOG2 = 16;
  const CHUNK = 1 << CHUNK_LOG2;
  const TAG = 16;
  const RECORD = CHUNK + TAG;
  const MAGIC = new TextEncoder().encode("SYNCOXR");
  const INFO = new TextEncoder().encode("syncoxide/v1/recipient");
  const subtle = globalThis.crypto?.subtle;

  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  };
  const u16 = (n) => new Uint8Array([n >> 8, n & 255]);
  const u32 = (n) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
  const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const gcm = (raw) => subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);

  async function fileKeys(ownerPublic) {
    let pair;
    try {
      pair = await subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
    } catch {
      throw new Error(
        "This browser cannot encrypt for this link (no X25519): update it. Nothing was sent.",
      );
    }
    const ephemeral = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
    const owner = await subtle.importKey("raw", ownerPublic, { name: "X25519" }, false, []);
    const shared = await subtle.deriveBits({ name: "X25519", public: owner }, pair.privateKey, 256);
    if (new Uint8Array(shared).every((b) => b === 0))
      throw new Error("The link's key is unusable.");
    const hkdf = await subtle.importKey("raw", shared, "HKDF", false, ["deriveBits"]);
    const salt = concat(ephemeral, ownerPublic);
    const params = { name: "HKDF", hash: "SHA-256", salt, info: INFO };
    const okm = new Uint8Array(await subtle.deriveBits(params, hkdf, 512));
    return { ephemeral, payload: okm.slice(0, 32), name: okm.slice(32) };
  }

  // One file sealed to the link's key: its header, and ciphertext bytes by range.
  class SealedFile {
    constructor(file, header, payloadRaw) {
      this.file = file;
      this.header = header;
      this.payloadRaw = payloadRaw;
      this.key = null; // imported on first use
      this.prefix = header.slice(9, 16);
      this.fixed = header.slice(0, 16);
      this.chunks = Math.max(1, Math.ceil(file.size / CHUNK));
      this.size = header.length + file.size + this.chunks * TAG;
    }

    static async create(file, path, ownerPublicB64) {
      if (!subtle)
        throw new Error("This browser cannot encrypt here (no WebCrypto); nothing was sent.");
      const ownerPublic = unb64(ownerPublicB64);
      const keys = await fileKeys(ownerPublic);
      const recipientId = new Uint8Array(await subtle.digest("SHA-256", ownerPublic)).slice(0, 8);
      const name = new TextEncoder().encode(path);
      const fixed = concat(
        MAGIC,
        new Uint8Array([1, CHUNK_LOG2]),
        crypto.getRandomValues(new Uint8Array(7)),
      );
      const aad = concat(fixed, keys.ephemeral, recipientId, u16(name.length + TAG));
      const nameKey = await gcm(keys.name);
      const iv = new Uint8Array(12);
      const sealed = new Uint8Array(
        await subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, nameKey, name),
      );
      return new SealedFile(file, concat(aad, sealed), keys.payload);
    }

    static restore(file, saved) {
      return new SealedFile(file, unb64(saved.header), unb64(saved.payload));
    }

    saved() {
      return { header: b64(this.header), payload: b64(this.payloadRaw) };
    }

    async seal(index, key, plain) {
      const last = index === this.chunks - 1 ? 1 : 0;
      const iv = concat(this.prefix, u32(index), new Uint8Array([last]));
      const algorithm = { name: "AES-GCM", iv, additionalData: this.fixed };
      return new Uint8Array(await subtle.encrypt(algorithm, key, plain));
    }

    // Ciphertext bytes [start, end) as a Blob. The plaintext they cover is read in one go and
    // its chunks are sealed concurrently (WebCrypto runs them off the main thread).
    async bytes(start, end) {
      end = Math.min(end, this.size);
      const h = this.header.length;
      const parts = [];
      if (start < h) parts.push(this.header.subarray(start, Math.min(end, h)));
      if (end > h) {
        if (!this.key) this.key = await gcm(this.payloadRaw);
        const key = this.key;
        const from = Math.max(start, h) - h;
        const first = Math.floor(from / RECORD);
        const last = Math.floor((end - h - 1) / RECORD);
        const plain = new Uint8Array(
          await this.file.slice(first * CHUNK, (last + 1) * CHUNK).arrayBuffer(),
        );
        const sealing = [];
        for (let i = first; i <= last; i += 1) {
          const at = (i - first) * CHUNK;
          sealing.push(this.seal(i, key, plain.subarray(at, at + CHUNK)));
        }
        const records = await Promise.all(sealing);
        records.forEach((record, n) => {
          const base = (first + n) * RECORD;
          parts.push(
            record.subarray(Math.max(from - base, 0), Math.min(end - h - base, record.length)),
          );
        });
      }
      return new Blob(parts);
    }
  }

  globalThis.syncoxideSeal = {
    SealedFile,
    opaqueName: () => {
      const random = crypto.getRandomValues(new Uint8Array(16));
      return `${[...random].map((b) => b.toString(16).padStart(2, "0")).join("")}.sxor`;
    },
  };
})();
