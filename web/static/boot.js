// Boot progress and loading errors, before Python is running.
//
// Progress is measured, not guessed: the server tells us how many bytes the runtime costs
// (data-boot-bytes) and a PerformanceObserver adds up what has arrived from /vendor/. Any error
// before Python takes over (a failed download, an error starting Python, reported by
// app-boot.mjs, a browser without WebAssembly) is shown on the page in plain words instead of
// only in the console.
(function () {
  "use strict";
  var script = document.currentScript;
  var bootBytes = Number(script && script.dataset.bootBytes) || 0;
  var received = 0;
  var failed = false;
  var WATCHDOG_MS = 60000;

  function $(id) {
    return document.getElementById(id);
  }
  function ready() {
    return document.documentElement.dataset.ready === "1";
  }

  function setStage(text, percent) {
    if (failed || ready()) return;
    var stage = $("boot-stage"),
      bar = $("boot-progress");
    if (stage && text) stage.textContent = text;
    if (bar && percent !== undefined) {
      bar.value = Math.max(bar.value, Math.min(99, percent));
      bar.textContent = Math.round(bar.value) + "%";
    }
  }

  function showError(message, details) {
    if (ready() || failed) return;
    failed = true;
    document.documentElement.dataset.ready = "error";
    if (document.readyState === "loading") {
      // Failed before the page's panel exists (a preloaded file): show it once it does.
      document.addEventListener("DOMContentLoaded", function () {
        renderError(message, details);
      });
      return;
    }
    renderError(message, details);
  }

  function renderError(message, details) {
    var boot = $("boot"),
      panel = $("boot-error");
    if (boot) boot.hidden = true;
    if (panel) panel.hidden = false;
    if ($("boot-error-text")) $("boot-error-text").textContent = message;
    if ($("boot-error-details")) $("boot-error-details").textContent = details || "";
    var badge = $("runtime-badge");
    if (badge) {
      badge.textContent = "Not started";
      badge.className = "badge badge-error";
    }
  }
  window.syncoxideBootError = showError;

  if (typeof WebAssembly !== "object") {
    document.addEventListener("DOMContentLoaded", function () {
      showError(
        "This browser cannot run WebAssembly, which syncoxide needs to run Python. " +
          "Use a current Chrome, Edge, Firefox or Safari.",
      );
    });
    return;
  }

  function onResource(entry) {
    if (entry.name.indexOf("/vendor/") === -1) return;
    received += entry.transferSize || entry.encodedBodySize || 0;
    var name = entry.name.split("/").pop();
    if (entry.responseStatus && entry.responseStatus >= 400) {
      showError(
        "A file the app needs could not be downloaded (" +
          name +
          ", HTTP " +
          entry.responseStatus +
          ").",
        entry.name,
      );
      return;
    }
    var share = bootBytes ? (received / bootBytes) * 80 : 0;
    if (name === "pyodide.asm.wasm") setStage("Starting Python…", Math.max(share, 80));
    else if (/\.whl$/.test(name)) setStage("Loading the syncoxide core…", Math.max(share, 90));
    else setStage(null, share);
  }

  if (window.PerformanceObserver) {
    try {
      new PerformanceObserver(function (list) {
        list.getEntries().forEach(onResource);
      }).observe({ type: "resource", buffered: true });
    } catch (_unsupported) {
      /* progress stays coarse; loading still works */
    }
  }

  window.addEventListener(
    "error",
    function (event) {
      var target = event.target;
      if (target && target !== window && (target.src || target.href)) {
        showError("A file the app needs could not be loaded: " + (target.src || target.href));
        return;
      }
      showError(
        "The app stopped while starting: " + (event.message || "unknown error") + ".",
        event.error && event.error.stack,
      );
    },
    true,
  );
  window.addEventListener("unhandledrejection", function (event) {
    var reason = event.reason || {};
    showError(
      "The app stopped while starting: " + (reason.message || String(reason)) + ".",
      reason.stack,
    );
  });

  setTimeout(function () {
    if (!ready() && !failed) {
      setStage(
        "Still loading after a minute. A slow connection can take this long; if nothing " +
          "changes, reload the page.",
      );
    }
  }, WATCHDOG_MS);
})();
