// The page of an end-to-end encrypted share: decrypts names and files on this device.
//
// The key is in the link's fragment (#k=...), which the browser never sends to the server;
// the formats are read by share-crypto.js (loaded first).
//
// How saving works: the download is fetched as a stream and decrypted 64 chunks (4 MiB) at a
// time while the next batch downloads, so memory stays flat. Where the browser has the File
// System Access pickers, the plaintext goes straight to the file or folder the user chose;
// elsewhere it goes to the origin-private file system (on disk) and is then handed to the
// browser as a download. Any failure aborts the write and removes the partial file.
"use strict";

(() => {
  const { ShareError, keyFromFragment, shareKeys, decryptPath, shownPath, decryptFile } =
    globalThis.SyncoxideShareCrypto;
  const { byteReader, resumingReader } = globalThis.SyncoxideShareCrypto;
  const SCRATCH = "share-downloads";

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
    return text?.textContent || `The server answered ${response.status}.`;
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
    const exists = (candidate) =>
      dir.getFileHandle(candidate).then(
        () => true,
        () => false,
      );
    const dot = name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    let candidate = name;
    for (let n = 1; await exists(candidate); n++) candidate = `${stem} (${n})${ext}`;
    return candidate;
  }

  async function folderTarget(root, path) {
    const parts = path.split("/");
    let dir = root;
    for (const part of parts.slice(0, -1))
      dir = await dir.getDirectoryHandle(part, { create: true });
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
    const bar =
      row.querySelector("progress") || row.appendChild(document.createElement("progress"));
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
    if (saved === rows.length)
      say(`Saved ${saved} file${saved === 1 ? "" : "s"}, decrypted and verified.`);
  }

  async function saveSingle(keys, row) {
    let target = downloadTarget;
    if (window.showSaveFilePicker) {
      try {
        const handle = await window.showSaveFilePicker({
          suggestedName: row.dataset.name.split("/").pop(),
        });
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
        row.dataset.name = shownPath(await decryptPath(keys, row.dataset.path));
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
