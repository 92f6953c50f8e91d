// The page of an end-to-end encrypted share: decrypts names and files on this device.
//
// The key is in the link's fragment (#k=...), which the browser never sends to the server.
// Formats (docs/crypto.md): files are "SYNCOXF" v1 (64 KiB AES-256-GCM chunks, file key
// wrapped by the share key, key commitment); each path component is a names-scheme-1 name
// (HMAC-SHA256 synthetic IV + AES-CTR) bound to its plaintext parent folder. The same bytes
// as syncoxide/crypto in Python: tests/server/test_share_decrypt_js.py checks the vectors.
//
// How saving works: the download is fetched as a stream and decrypted 64 chunks (4 MiB) at a
// time, each batch written before the next is read, so memory stays flat. Where the browser has
// the File System Access pickers, the plaintext goes straight to the file or folder the user
// chose; elsewhere it goes to the origin-private file system (on disk) and is then handed to
// the browser as a download. Any failure aborts the write and removes the partial file.
"use strict";

(() => {
  const subtle = globalThis.crypto.subtle;
  const utf8 = new TextEncoder();
  const HEADER = 116;
  const TAG = 16;
  const BATCH = 64;
  const SCRATCH = "share-downloads";

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
    if (!raw || raw.length !== 32) {
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

  async function decryptPath(keys, stored) {
    const plain = [];
    for (const part of stored.split("/")) plain.push(await decryptName(keys, plain.join("/"), part));
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
    const commitment = await hmac(commitKey, concat(bytes("syncoxide/v1/commitment"), head.slice(0, 16)));
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
      throw new ShareError("malformed", "The file ends with an empty chunk, never written by syncoxide.");
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
      const cut = last && (await attempt(false).then(() => true, () => false));
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
              throw new ShareError("refused", `The download broke off and could not resume: ${error.message}`);
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
        const piece = sealed.subarray(at, (at += size));
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
    decryptFile,
    byteReader,
    resumingReader,
  };

  if (typeof document === "undefined") return;
  const passwordForm = document.querySelector('form[method="post"]');
  if (passwordForm && location.hash) {
    // The unlocked page must get the key too; the redirect after the post keeps this fragment.
    passwordForm.action = passwordForm.getAttribute("action") + location.hash;
  }
  const section = document.getElementById("e2e-share");
  if (!section) return;
  const shareId = section.dataset.share;
  const status = document.getElementById("e2e-status");
  const saveAll = document.getElementById("e2e-save-all");
  const rows = [...section.querySelectorAll("li[data-file]")];

  function say(message, failed = false) {
    status.textContent = message;
    status.className = failed ? "error" : "";
    status.setAttribute("role", failed ? "alert" : "status");
  }

  async function refusalText(response) {
    const html = await response.text();
    const text = new DOMParser().parseFromString(html, "text/html").querySelector("main p");
    return (text && text.textContent) || `The server answered ${response.status}.`;
  }

  // Where decrypted bytes go: { write(bytes), done(), fail() }.
  async function writableTarget(fileHandle, onDone = async () => {}, onFail = async () => {}) {
    const stream = await fileHandle.createWritable();
    return {
      write: (plain) => stream.write(plain),
      done: async () => {
        await stream.close();
        await onDone();
      },
      fail: async () => {
        await stream.abort().catch(() => {});
        await onFail();
      },
    };
  }

  async function freeName(dir, name) {
    const exists = (candidate) => dir.getFileHandle(candidate).then(() => true, () => false);
    const dot = name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    let candidate = name;
    for (let n = 1; await exists(candidate); n++) candidate = `${stem} (${n})${ext}`;
    return candidate;
  }

  async function folderTarget(root, path) {
    const parts = path.split("/");
    let dir = root;
    for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true });
    const name = await freeName(dir, parts[parts.length - 1]); // never overwrite a file there
    const handle = await dir.getFileHandle(name, { create: true });
    return writableTarget(handle, undefined, () => dir.removeEntry(name).catch(() => {}));
  }

  function offerDownload(blob, path, cleanUp = () => {}) {
    const url = URL.createObjectURL(blob);
    const anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = path.split("/").pop();
    anchor.click();
    setTimeout(() => {
      URL.revokeObjectURL(url);
      cleanUp();
    }, 60_000);
  }

  // Browsers that cannot write the private file system from a page (Safari, some others):
  // the plaintext is gathered in memory, which holds files up to the tab's memory.
  function memoryTarget(path) {
    const parts = [];
    return {
      write: async (plain) => parts.push(plain),
      done: async () => offerDownload(new Blob(parts), path),
      fail: async () => parts.splice(0),
    };
  }

  async function downloadTarget(path) {
    const root = navigator.storage && (await navigator.storage.getDirectory().catch(() => null));
    if (!root) return memoryTarget(path);
    const scratch = await root.getDirectoryHandle(SCRATCH, { create: true });
    const temp = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const handle = await scratch.getFileHandle(temp, { create: true });
    const drop = () => scratch.removeEntry(temp).catch(() => {});
    if (typeof handle.createWritable !== "function") {
      await drop();
      return memoryTarget(path);
    }
    // A disk-backed File: the browser copies it to Downloads without reading it into memory.
    const offer = async () => offerDownload(await handle.getFile(), path, drop);
    return writableTarget(handle, offer, drop);
  }

  async function saveOne(keys, row, target) {
    const bar = row.querySelector("progress") || row.appendChild(document.createElement("progress"));
    const size = Number(row.dataset.size);
    bar.max = Math.max(size, 1);
    row.dataset.state = "saving";
    try {
      const url = `/s/${shareId}/files/${row.dataset.file}`;
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.status !== 200) throw new ShareError("refused", await refusalText(response));
      const etag = response.headers.get("ETag") || "";
      const reopen = async (offset) => {
        const headers = { Range: `bytes=${offset}-`, "If-Range": etag };
        const rest = await fetch(url, { credentials: "same-origin", headers });
        if (rest.status !== 206) throw new ShareError("refused", await refusalText(rest));
        return rest.body.getReader();
      };
      const sink = await target(row.dataset.name);
      try {
        const read = byteReader(resumingReader(response.body.getReader(), reopen));
        await decryptFile(keys, read, size, sink.write, (done) => (bar.value = done));
      } catch (error) {
        await sink.fail();
        throw error;
      }
      await sink.done();
      row.dataset.state = "saved";
      return true;
    } catch (error) {
      row.dataset.state = "failed";
      const kept = error.kind ? " The partial file was removed." : "";
      say(`${row.dataset.name}: ${error.message}${kept}`, true);
      return false;
    }
  }

  async function saveAllFiles(keys) {
    let target = downloadTarget;
    if (window.showDirectoryPicker) {
      try {
        const root = await window.showDirectoryPicker({ mode: "readwrite" });
        target = (path) => folderTarget(root, path);
      } catch {
        say("No folder was chosen; nothing was saved.");
        return;
      }
    }
    let saved = 0;
    for (const row of rows) if (await saveOne(keys, row, target)) saved++;
    if (saved === rows.length) say(`Saved ${saved} file${saved === 1 ? "" : "s"}, decrypted and verified.`);
  }

  async function saveSingle(keys, row) {
    let target = downloadTarget;
    if (window.showSaveFilePicker) {
      try {
        const handle = await window.showSaveFilePicker({ suggestedName: row.dataset.name.split("/").pop() });
        target = () => writableTarget(handle);
      } catch {
        say("No file was chosen; nothing was saved.");
        return;
      }
    }
    if (await saveOne(keys, row, target)) say(`Saved ${row.dataset.name}, decrypted and verified.`);
  }

  async function start() {
    // Leftovers of an earlier visit's fallback downloads: the scratch folder is ours alone.
    await navigator.storage
      .getDirectory()
      .then((root) => root.removeEntry(SCRATCH, { recursive: true }))
      .catch(() => {});
    let keys;
    try {
      keys = await shareKeys(keyFromFragment(location.hash));
      for (const row of rows) {
        row.dataset.name = await decryptPath(keys, row.dataset.path);
        row.querySelector(".name").textContent = row.dataset.name;
        row.querySelector(".name").classList.remove("muted");
      }
    } catch (error) {
      say(error.message, true);
      return;
    }
    for (const row of rows) {
      const button = row.querySelector("button.save");
      button.disabled = false;
      button.addEventListener("click", () => saveSingle(keys, row));
    }
    saveAll.disabled = rows.length === 0;
    saveAll.addEventListener("click", () => saveAllFiles(keys));
    say(`${rows.length} file${rows.length === 1 ? "" : "s"}, ready to decrypt and save.`);
    section.dataset.ready = "1";
  }

  start();
})();
