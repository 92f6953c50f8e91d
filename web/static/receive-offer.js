// The receive page before Python: what is coming, and the save choices, at once.
//
// The link is /p/<room>#<token>. This script asks the room (GET /signal/rooms/<room>, token
// in X-Room-Token) for the summary the sender put there (syncoxide.protocol.offer_summary):
// file count, total size, folders and the first files with their sizes, shown as a tree. It
// asks again every few seconds until the sender has said (a sender may still be hashing).
// Python, when it starts, verifies the files themselves against the sender's manifest.
//
// A click on "Save to a folder" before Python runs opens the folder picker at once (it needs
// the click's user gesture) and keeps the chosen folder for Python (window.syncoxideEarlyFolder);
// either button then waits, marked, until Python is ready and runs it (app-shell.js).
(() => {
  "use strict";
  var ASK_EVERY_MS = 3000;
  var ASK_AT_MOST = 40;
  var UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

  function $(id) {
    return document.getElementById(id);
  }

  // As syncoxide.units.format_bytes: decimal SI units, one decimal from kB up.
  function formatBytes(count) {
    let size = Math.abs(count);
    for (let i = 0; i < UNITS.length; i++) {
      if (size < 999.95 || i === UNITS.length - 1) {
        return i === 0 ? `${size.toFixed(0)} B` : `${size.toFixed(1)} ${UNITS[i]}`;
      }
      size /= 1000;
    }
    return `${String(count)} B`;
  }

  function plural(count, one, many) {
    return `${count} ${count === 1 ? one : many}`;
  }

  function element(tag, text, className) {
    var made = document.createElement(tag);
    if (text !== undefined) made.textContent = text;
    if (className) made.className = className;
    return made;
  }

  // {name: {folders: {...}, files: [[name, size]]}} from the listed paths and folders.
  function treeOf(summary) {
    var root = { folders: {}, files: [] };
    function folderAt(parts) {
      var node = root;
      parts.forEach((part) => {
        node.folders[part] = node.folders[part] || { folders: {}, files: [] };
        node = node.folders[part];
      });
      return node;
    }
    summary.folders.forEach((path) => {
      folderAt(path.split("/"));
    });
    summary.files.forEach((file) => {
      var parts = file.path.split("/");
      folderAt(parts.slice(0, -1)).files.push([parts[parts.length - 1], file.size]);
    });
    return root;
  }

  function renderTree(node) {
    var list = element("ul", undefined, "offer-tree");
    Object.keys(node.folders)
      .sort()
      .forEach((name) => {
        var item = element("li", undefined, "offer-folder");
        item.appendChild(element("span", `${name}/`, "offer-name"));
        item.appendChild(renderTree(node.folders[name]));
        list.appendChild(item);
      });
    node.files.forEach((file) => {
      var item = element("li", undefined, "offer-file");
      item.appendChild(element("span", file[0], "offer-name"));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("span", formatBytes(file[1]), "muted"));
      list.appendChild(item);
    });
    return list;
  }

  function show(summary) {
    var folders = summary.folders.length;
    var line =
      plural(summary.count, "file", "files") +
      ", " +
      formatBytes(summary.bytes) +
      (folders ? ` in ${plural(folders, "folder", "folders")}` : "");
    $("offer-summary").textContent = line;
    var listing = $("offer-list");
    listing.textContent = "";
    listing.appendChild(renderTree(treeOf(summary)));
    var more = summary.count - summary.files.length;
    if (more > 0)
      listing.appendChild(element("p", `and ${plural(more, "more file", "more files")}.`, "muted"));
    $("offer").dataset.state = "known";
  }

  function roomAndToken() {
    var room = location.pathname.split("/").pop();
    var token = location.hash.replace(/^#/, "");
    return room && token ? { room: room, token: token } : null;
  }

  function ask(address, asked) {
    fetch(`/signal/rooms/${encodeURIComponent(address.room)}`, {
      headers: { "X-Room-Token": address.token },
    })
      .then((response) => {
        if (response.status === 401) throw new Error("token");
        return response.ok ? response.json() : null;
      })
      .then((state) => {
        if (state?.summary) {
          show(state.summary);
          return;
        }
        if (asked + 1 < ASK_AT_MOST)
          setTimeout(() => {
            ask(address, asked + 1);
          }, ASK_EVERY_MS);
      })
      .catch((error) => {
        if (String(error?.message) === "token") {
          $("offer-summary").textContent =
            "This link is incomplete: open the whole link again, " +
            "including the part after '#'.";
          $("offer").dataset.state = "bad-link";
        } else if (asked + 1 < ASK_AT_MOST) {
          setTimeout(() => {
            ask(address, asked + 1);
          }, ASK_EVERY_MS);
        }
      });
  }

  // The folder picker needs the click's gesture, which a click replayed later no longer has.
  function pickFolderEarly() {
    if (document.documentElement.dataset.ready === "1" || !window.showDirectoryPicker) return;
    if (window.syncoxideEarlyFolder) return;
    window.syncoxideEarlyFolder = window.showDirectoryPicker({ mode: "readwrite" });
    window.syncoxideEarlyFolder.catch(() => {
      window.syncoxideEarlyFolder = null;
    });
  }

  // On window, in the capture phase: before app-shell.js (on document) holds the click.
  window.addEventListener(
    "click",
    (event) => {
      if (event.target.closest?.("#save-to-folder")) pickFolderEarly();
    },
    true,
  );

  function start() {
    var picker = $("save-to-folder");
    if (picker) picker.hidden = !window.showDirectoryPicker;
    var address = roomAndToken();
    if (address) ask(address, 0);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
