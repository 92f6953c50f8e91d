// Files dropped anywhere on the app window go where the view on screen takes files in.
//
// Each view that takes files marks one file input with data-drop (Send: what to send; Files:
// upload into the folder shown; Share links: the files of a new link; Vault: the file to seal).
// A drop hands the files to that input and fires its "change", exactly as if they had been
// picked, so the view's own code (or, before Python runs, app-shell.js's waiting) takes over.
// A view with no such input (Home, Settings...) sends the drop to Send. Folders cannot be put
// into a file input; a dropped folder is named and the person is pointed to "Pick a folder".
(() => {
  "use strict";
  var SEND = "send";
  var depth = 0; // dragenter/dragleave pairs over nested elements

  function carriesFiles(event) {
    return Array.from(event.dataTransfer?.types || []).includes("Files");
  }

  function visibleView() {
    return document.querySelector("#views > section[data-view]:not([hidden])");
  }

  // The view that will take a drop now, and its input.
  function destination() {
    var view = visibleView();
    var input = view?.querySelector("input[type=file][data-drop]");
    if (input) return { view: view, input: input };
    var send = document.querySelector(`#views > section[data-view="${SEND}"]`);
    return { view: send, input: send.querySelector("input[type=file][data-drop]") };
  }

  function viewName(view) {
    return view.querySelector("h1")?.textContent.trim() || view.dataset.view;
  }

  function overlay(shown) {
    var box = document.getElementById("drop-overlay");
    if (!box) return;
    if (shown) {
      box.querySelector("p").textContent = `Drop to add to ${viewName(destination().view)}`;
    }
    box.hidden = !shown;
  }

  function tell(text) {
    var line = document.getElementById("drop-status");
    if (line) line.textContent = text;
  }

  function folderNames(items) {
    return Array.from(items || [])
      .map((item) => item.webkitGetAsEntry?.())
      .filter((entry) => entry?.isDirectory)
      .map((entry) => entry.name);
  }

  function onDrop(event) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth = 0;
    overlay(false);
    var place = destination();
    var folders = folderNames(event.dataTransfer.items);
    var files = Array.from(event.dataTransfer.files).filter(
      (file) => !folders.includes(file.name) || file.type !== "",
    );
    if (place.view.dataset.view !== visibleView()?.dataset.view) {
      location.hash = `#/${place.view.dataset.view}`;
    }
    var skipped = folders.length
      ? ` Folders (${folders.join(", ")}) cannot be dropped here: use “Pick a folder”.`
      : "";
    if (!files.length) {
      tell(`Nothing was added.${skipped}`);
      return;
    }
    var chosen = new DataTransfer();
    files.forEach((file) => {
      chosen.items.add(file);
    });
    place.input.files = chosen.files;
    place.input.dispatchEvent(new Event("change", { bubbles: true }));
    var count = files.length === 1 ? "1 file" : `${files.length} files`;
    tell(`${count} added to ${viewName(place.view)}.${skipped}`);
  }

  document.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth += 1;
    overlay(true);
  });
  document.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault(); // or the browser opens the file in place of the app
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("dragleave", (event) => {
    if (!carriesFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (!depth) overlay(false);
  });
  document.addEventListener("drop", onDrop);
})();
