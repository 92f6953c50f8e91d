// The formats of an end-to-end encrypted share, read with WebCrypto: keys, names and files.
//
// Formats (docs/crypto.md): files are "SYNCOXF" v1 (64 KiB AES-256-GCM chunks, file key
// wrapped by the share key, key commitment); each path component is a names-scheme-1 name
// (HMAC-SHA256 synthetic IV + AES-CTR) bound to its plaintext parent folder. The same bytes
// as syncoxide/crypto in Python: tests/server/test_share_encrypted.py runs this file under
// Node on the known-answer vectors and on shares made by Python. Defines one global,
// SyncoxideShareCrypto, used by share-decrypt.js.
"use strict";

(() => {
  const subtle = globalThis.crypto.subtle;
  const utf8 = new TextEncoder();
  const HEADER = 116;
  const TAG = 16;
  const BATCH = 64;

  class ShareError extends Error {
    constructor(kind, message) {
      super(message);
      this.kind = kind; // wrong-key, tampered, truncated, malformed, foreign, refused
    }
  }

  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  };
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const bytes = (text) => utf8.encode(text);

  async function hkdf(ikm, info, length = 32) {
    const key = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
    const params = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info };
    return new Uint8Array(await subtle.deriveBits(params, key, length * 8));
  }

  async function hmac(key, message) {
    const params = { name: "HMAC", hash: "SHA-256" };
    const handle = await subtle.importKey("raw", key, params, false, ["sign"]);
    return new Uint8Array(await subtle.sign("HMAC", handle, message));
  }

  function keyFromFragment(fragment) {
    const encoded = new URLSearchParams(fragment.replace(/^#/, "")).get("k");
    if (!encoded) {
      throw new ShareError(
        "no-key",
        "This link has no key: the part after '#k=' is missing. Copy the whole link, " +
          "including everything after '#'. Nothing was downloaded.",
      );
    }
    let raw = null;
    try {
      const b64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
      raw = Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) =>
        c.charCodeAt(0),
      );
    } catch {
      raw = null;
    }
    if (raw?.length !== 32) {
      throw new ShareError(
        "no-key",
        "The key in this link is damaged. Copy the whole link again. Nothing was downloaded.",
      );
    }
    return raw;
  }

  function nameKeys(namesKey) {
    return { namesKey, dirs: new Map() };
  }

  async function shareKeys(master) {
    const keys = nameKeys(await hkdf(master, bytes("syncoxide/v1/names")));
    keys.keyId = await hkdf(master, bytes("syncoxide/v1/key-id"), 8);
    keys.wrap = await subtle.importKey("raw", master, "AES-GCM", false, ["decrypt"]);
    return keys;
  }

  async function dirKeys(keys, directory) {
    if (!keys.dirs.has(directory)) {
      const info = concat(bytes("syncoxide/v1/dir\0"), bytes(directory));
      const okm = await hkdf(keys.namesKey, info, 64);
      const ctr = await subtle.importKey("raw", okm.slice(32), "AES-CTR", false, ["decrypt"]);
      keys.dirs.set(directory, { mac: okm.slice(0, 32), ctr });
    }
    return keys.dirs.get(directory);
  }

  function base32Decode(text) {
    const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    const out = [];
    let value = 0;
    let bits = 0;
    for (const char of text.toLowerCase()) {
      const digit = alphabet.indexOf(char);
      if (digit < 0) return null;
      value = (value << 5) | digit;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out.push((value >> bits) & 0xff);
      }
    }
    return new Uint8Array(out);
  }

  const wrongKey = () =>
    new ShareError(
      "wrong-key",
      "The key in this link does not open these files: the link was changed or cut. " +
        "Copy the whole link again. Nothing was downloaded.",
    );

  async function decryptName(keys, directory, stored) {
    const blob = base32Decode(stored);
    if (!blob || blob.length <= 16) {
      throw new ShareError("malformed", "A file name in this share is not an encrypted name.");
    }
    const siv = blob.slice(0, 16);
    const { mac, ctr } = await dirKeys(keys, directory);
    const params = { name: "AES-CTR", counter: siv, length: 128 };
    const plain = new Uint8Array(await subtle.decrypt(params, ctr, blob.slice(16)));
    if (!same((await hmac(mac, plain)).slice(0, 16), siv)) throw wrongKey();
    let name = "";
    try {
      name = new TextDecoder("utf-8", { fatal: true }).decode(plain);
    } catch {
      name = "";
    }
    if (!name || name === "." || name === ".." || /[/\\\0]/.test(name)) {
      throw new ShareError("malformed", "An encrypted name decrypts to an unsafe file name.");
    }
    return name;
  }

  // What a page shows and saves a decrypted name as: the sender chose it, so control
  // characters and bidirectional controls go (an RLO makes "invoice\u202efdp.exe" read
  // "invoiceexe.pdf"), the same set syncoxide/safe_names.py drops from every stranger's name.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const UNSHOWN = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

  function shownPath(path) {
    return path
      .split("/")
      .map((part) => part.replace(UNSHOWN, "") || "_")
      .join("/");
  }

  async function decryptPath(keys, stored) {
    const plain = [];
    for (const part of stored.split("/"))
      plain.push(await decryptName(keys, plain.join("/"), part));
    return plain.join("/");
  }

  async function openHeader(keys, head) {
    if (head.length < HEADER) throw new ShareError("truncated", "The file ends inside its header.");
    if (String.fromCharCode(...head.slice(0, 7)) !== "SYNCOXF") {
      throw new ShareError("foreign", "This file is not in syncoxide's encrypted format.");
    }
    if (head[7] !== 1) throw new ShareError("foreign", "This file uses a newer format version.");
    const log2 = head[8];
    if (log2 < 6 || log2 > 24) throw new ShareError("malformed", "The file header is invalid.");
    if (!same(head.slice(48, 56), keys.keyId)) throw wrongKey();
    const tampered = new ShareError(
      "tampered",
      "The file header failed authentication: the file was altered on the server or on the way.",
    );
    let fileKey = null;
    try {
      const params = { name: "AES-GCM", iv: head.slice(56, 68), additionalData: head.slice(0, 56) };
      fileKey = new Uint8Array(await subtle.decrypt(params, keys.wrap, head.slice(68, 116)));
    } catch {
      throw tampered;
    }
    const commitKey = await hkdf(fileKey, bytes("syncoxide/v1/commit"));
    const commitment = await hmac(
      commitKey,
      concat(bytes("syncoxide/v1/commitment"), head.slice(0, 16)),
    );
    if (!same(commitment, head.slice(16, 48))) throw tampered;
    const raw = await hkdf(fileKey, bytes("syncoxide/v1/payload"));
    const payload = await subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
    return { chunkSize: 2 ** log2, aad: head.slice(0, 16), prefix: head.slice(9, 16), payload };
  }

  function chunkCount(ciphertextSize, record) {
    const body = ciphertextSize - HEADER;
    const count = Math.ceil(body / record);
    const final = body - (count - 1) * record;
    if (body < TAG || final < TAG) throw new ShareError("truncated", "The file was cut short.");
    if (final === TAG && count > 1) {
      throw new ShareError(
        "malformed",
        "The file ends with an empty chunk, never written by syncoxide.",
      );
    }
    return count;
  }

  function nonce(prefix, index, last) {
    const out = new Uint8Array(12);
    out.set(prefix);
    new DataView(out.buffer).setUint32(7, index);
    out[11] = last ? 1 : 0;
    return out;
  }

  async function openChunk(file, index, last, sealed) {
    const attempt = (flag) =>
      subtle.decrypt(
        { name: "AES-GCM", iv: nonce(file.prefix, index, flag), additionalData: file.aad },
        file.payload,
        sealed,
      );
    try {
      return new Uint8Array(await attempt(last));
    } catch {
      const cut =
        last &&
        (await attempt(false).then(
          () => true,
          () => false,
        ));
      throw cut
        ? new ShareError("truncated", `The file was cut short after chunk ${index}.`)
        : new ShareError(
            "tampered",
            `Chunk ${index} failed authentication: the file was altered on the server or on the way.`,
          );
    }
  }

  // Exact-size reads from a stream of Uint8Arrays (a fetch body).
  function byteReader(reader) {
    const parts = [];
    let held = 0;
    let ended = false;
    return async (size) => {
      while (held < size && !ended) {
        const { done, value } = await reader.read();
        if (done) ended = true;
        else if (value.length) {
          parts.push(value);
          held += value.length;
        }
      }
      const out = new Uint8Array(Math.min(size, held));
      let at = 0;
      while (at < out.length) {
        const part = parts[0];
        const take = Math.min(part.length, out.length - at);
        out.set(part.subarray(0, take), at);
        at += take;
        if (take === part.length) parts.shift();
        else parts[0] = part.subarray(take);
      }
      held -= out.length;
      return out;
    };
  }

  // A fetch body that picks up where it broke off: after a network error the rest is asked
  // for with `reopen(offset)` (a Range request, which a share does not count again).
  function resumingReader(reader, reopen, attempts = 5) {
    let received = 0;
    return {
      async read() {
        for (;;) {
          try {
            const chunk = await reader.read();
            if (!chunk.done) received += chunk.value.length;
            return chunk;
          } catch (error) {
            if (error instanceof ShareError || attempts-- <= 0) {
              throw new ShareError(
                "refused",
                `The download broke off and could not resume: ${error.message}`,
              );
            }
            await new Promise((resolve) => setTimeout(resolve, 500));
            try {
              reader = await reopen(received);
            } catch (refused) {
              if (refused instanceof ShareError) throw refused; // else the network: try again
            }
          }
        }
      },
    };
  }

  // Decrypt a whole file from `read` (exact-size reads) into `write`; returns plaintext bytes.
  // Batches of 64 chunks: all 64 decrypt at once, are written as one 4 MiB piece, and the next
  // batch is already being fetched meanwhile.
  async function decryptFile(keys, read, ciphertextSize, write, progress = () => {}) {
    const file = await openHeader(keys, await read(HEADER));
    const record = file.chunkSize + TAG;
    const count = chunkCount(ciphertextSize, record);
    const sizesFrom = (first) => {
      const sizes = [];
      for (let i = first; i < Math.min(first + BATCH, count); i++) {
        sizes.push(i === count - 1 ? ciphertextSize - HEADER - i * record : record);
      }
      return sizes;
    };
    const fetchBatch = async (sizes) => {
      const wanted = sizes.reduce((a, b) => a + b, 0);
      const sealed = await read(wanted);
      if (sealed.length < wanted) {
        throw new ShareError("truncated", "The download was cut short before the end of the file.");
      }
      return sealed;
    };
    let index = 0;
    let written = 0;
    let sizes = sizesFrom(0);
    let pending = fetchBatch(sizes);
    while (index < count) {
      const sealed = await pending;
      const nextSizes = sizesFrom(index + sizes.length);
      pending = nextSizes.length ? fetchBatch(nextSizes) : null;
      if (pending) pending.catch(() => {}); // its failure is reported when it is awaited
      let at = 0;
      const opened = sizes.map((size, n) => {
        const piece = sealed.subarray(at, at + size);
        at += size;
        return openChunk(file, index + n, index + n === count - 1, piece);
      });
      const plain = concat(...(await Promise.all(opened)));
      await write(plain);
      written += plain.length;
      index += sizes.length;
      sizes = nextSizes;
      progress(written);
    }
    return written;
  }

  globalThis.SyncoxideShareCrypto = {
    ShareError,
    keyFromFragment,
    shareKeys,
    nameKeys,
    decryptName,
    decryptPath,
    shownPath,
    decryptFile,
    byteReader,
    resumingReader,
  };
})();
