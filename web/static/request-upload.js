// The request-files page: files and whole folders go to the server over tus 1.0.0 with fetch.
//
// How resume works: each file's upload URL is kept in localStorage under a key made of the
// link, the file's relative path, size and modification time. After a reload (or a lost
// connection) choosing the same files again finds the URL, asks the server for the offset with
// HEAD and sends only the rest; files already sent are remembered and skipped. Chunks are
// 8 MiB so a cut connection loses little.
//
// On an end-to-end encrypted request (data-public-key on #drop) each file is sealed in the page
// by request-seal.js: the server gets only ciphertext under a random name, and the real path
// travels sealed inside the file.
"use strict";

(() => {
  const CHUNK = 8 * 1024 * 1024;
  const PARALLEL = 3;
  const drop = document.getElementById("drop");
  const list = document.getElementById("uploads");
  if (!drop || !list) return;
  const linkId = drop.dataset.request;
  const publicKey = drop.dataset.publicKey || "";
  const endpoint = `/api/v1/drop/${encodeURIComponent(linkId)}/`; // the link's own tus URL
  const tusHeaders = { "Tus-Resumable": "1.0.0", "Syncoxide-Link": linkId };
  const queue = [];
  let running = 0;

  const b64 = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
  const storageKey = (item) =>
    `sxo-upload:${linkId}:${item.path}:${item.file.size}:${item.file.lastModified}`;

  function row(item) {
    const li = document.createElement("li");
    li.className = "upload";
    const name = document.createElement("span");
    name.textContent = item.path;
    const bar = document.createElement("progress");
    bar.max = Math.max(item.file.size, 1);
    bar.value = 0;
    const state = document.createElement("span");
    state.className = "muted";
    state.textContent = "waiting";
    li.append(name, " ", bar, " ", state);
    list.append(li);
    return { li, bar, state };
  }

  async function refusal(response) {
    try {
      return (await response.json()).message;
    } catch {
      return `The server answered ${response.status}.`;
    }
  }

  // What goes over the wire: the file itself, or its sealed form (same interface).
  const plainSource = (file) => ({
    size: file.size,
    bytes: async (start, end) => file.slice(start, end),
  });

  async function create(item) {
    const metadata = item.sealed
      ? `path ${b64(globalThis.syncoxideSeal.opaqueName())}`
      : `path ${b64(item.path)},filename ${b64(item.file.name)}`;
    const post = () =>
      fetch(endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          ...tusHeaders,
          "Upload-Length": String(item.source.size),
          "Upload-Metadata": metadata,
        },
      });
    let response = await post();
    // A big folder can go over the server's rate of new uploads: wait as told, then go on.
    while (response.status === 429) {
      item.view.state.textContent = "waiting for the server";
      const seconds = Number(response.headers.get("Retry-After")) || 5;
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      response = await post();
    }
    if (response.status !== 201) throw new Error(await refusal(response));
    const url = response.headers.get("Location");
    const saved = item.sealed ? { url, ...item.source.saved() } : { url };
    localStorage.setItem(storageKey(item), JSON.stringify(saved));
    return url;
  }

  function savedUpload(item) {
    const text = localStorage.getItem(storageKey(item));
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      return { url: text };
    }
  }

  async function offsetOf(url) {
    const response = await fetch(url, { method: "HEAD", headers: tusHeaders });
    return response.ok ? Number(response.headers.get("Upload-Offset")) : null;
  }

  // The next piece is prepared (sealed, for an encrypted link) while the current one is on
  // the wire, so encryption and upload overlap; at most two pieces are in memory.
  async function send(item, url, offset) {
    const size = item.source.size;
    const piece = (at) => (at < size ? item.source.bytes(at, at + CHUNK) : null);
    let next = piece(offset);
    while (offset < size) {
      const chunk = await next;
      const planned = offset + chunk.size;
      const sending = fetch(url, {
        method: "PATCH",
        credentials: "same-origin",
        headers: {
          ...tusHeaders,
          "Upload-Offset": String(offset),
          "Content-Type": "application/offset+octet-stream",
        },
        body: chunk,
      });
      next = piece(planned);
      const response = await sending;
      if (response.status !== 204) throw new Error(await refusal(response));
      offset = Number(response.headers.get("Upload-Offset"));
      if (offset !== planned) next = piece(offset); // the server kept less: go on from there
      item.view.bar.value = (offset / Math.max(size, 1)) * item.view.bar.max;
      item.view.state.textContent = `${Math.round((100 * offset) / Math.max(size, 1))}%`;
    }
  }

  async function upload(item) {
    item.view.state.textContent = publicKey ? "encrypting" : "starting";
    const saved = savedUpload(item);
    if (saved?.done) {
      // Choosing a folder again after a reload sends only what is missing.
      item.view.state.textContent = "already sent";
      item.view.li.dataset.done = "true";
      return;
    }
    let url = saved?.url;
    let offset = url && (!publicKey || saved.header) ? await offsetOf(url) : null;
    item.sealed = Boolean(publicKey);
    if (!item.sealed) item.source = plainSource(item.file);
    else if (offset !== null)
      item.source = globalThis.syncoxideSeal.SealedFile.restore(item.file, saved);
    else
      item.source = await globalThis.syncoxideSeal.SealedFile.create(
        item.file,
        item.path,
        publicKey,
      );
    if (offset === null) {
      url = await create(item);
      offset = 0;
    } else {
      item.view.state.textContent = "resuming";
    }
    await send(item, url, offset);
    // Remember only that it was sent: a sealed file's keys are dropped here.
    localStorage.setItem(storageKey(item), JSON.stringify({ done: true }));
    item.view.state.textContent = "done";
    item.view.li.dataset.done = "true";
  }

  function pump() {
    while (running < PARALLEL && queue.length) {
      const item = queue.shift();
      running += 1;
      upload(item)
        .catch((error) => {
          item.view.state.textContent = `failed: ${error.message} Choose the file again to retry.`;
          item.view.li.dataset.failed = "true";
        })
        .finally(() => {
          running -= 1;
          pump();
        });
    }
  }

  function add(file, path) {
    const item = { file, path: path || file.name };
    item.view = row(item);
    queue.push(item);
    pump();
  }

  // Dropped folders arrive as entries; walk them so the tree's relative paths are kept.
  async function walk(entry, prefix) {
    if (entry.isFile) {
      const file = await new Promise((ok, fail) => entry.file(ok, fail));
      add(file, prefix + entry.name);
      return;
    }
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
      if (!batch.length) return;
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
    }
  }

  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    for (const entry of [...event.dataTransfer.items].map((i) => i.webkitGetAsEntry())) {
      if (entry) walk(entry, "");
    }
  });
  for (const id of ["pick-files", "pick-folder"]) {
    document.getElementById(id).addEventListener("change", (event) => {
      for (const file of event.target.files) add(file, file.webkitRelativePath || file.name);
      event.target.value = "";
    });
  }
})();
