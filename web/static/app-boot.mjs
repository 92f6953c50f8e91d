// Starts Python for the app page: Pyodide straight from our vendor folder, then the app.
//
// Why not PyScript here: the app needs none of its features (its own Python runs through
// runPythonAsync), and a page that calls loadPyodide itself can pass a memory snapshot.
// Starting the Python interpreter is most of Pyodide's start-up (seconds on a slow machine); a
// snapshot of a started interpreter, with the core already imported, restores in a fraction of
// that. So:
// - with a snapshot for this exact build in Cache Storage (a warm start): restore it;
// - without one (the first visit, or a new build): start Python as usual, and once the app is
//   ready and the page idle, a worker (python-snapshot-worker.mjs) starts a second interpreter
//   off the main thread, imports what the app imported, and stores its snapshot for next time.
// A snapshot that cannot be made or restored is skipped: the app starts the usual way.
const config = document.getElementById("python-boot").dataset;
const indexURL = config.indexUrl;
const packages = config.packages.split(",");
const snapshotKey = new URL(`/__python-snapshot/${config.build}`, location.origin).href;
const SNAPSHOTS = "syncoxide-python-snapshots";
const START = `
try:
    from syncoxide_web.app import start
except ImportError as error:
    import js
    js.window.syncoxideBootError(
        "Part of the app could not be downloaded, so it cannot start. "
        "Check your connection and reload the page.", repr(error))
else:
    await start()
`;
// What the app imported that a snapshot may hold: no module that touches the page (js).
const IMPORTED = `
import sys
_page = ("js", "pyodide", "_pyodide", "pyodide_js", "syncoxide_web", "__main__")
",".join(sorted(n for n in sys.modules if not n.startswith(_page)))
`;

async function storedSnapshot() {
  if (!("caches" in self)) return null;  // not a secure context: no Cache Storage
  try {
    const stored = await (await caches.open(SNAPSHOTS)).match(snapshotKey);
    return stored ? new Uint8Array(await stored.arrayBuffer()) : null;
  } catch (error) {
    return null;
  }
}

async function startPython() {
  const { loadPyodide } = await import(`${indexURL}pyodide.mjs`);
  const snapshot = await storedSnapshot();
  if (snapshot) {
    try {
      const pyodide = await loadPyodide({ indexURL, _loadSnapshot: snapshot });
      await pyodide.loadPackage(packages, { messageCallback: () => {} });
      return { pyodide, restored: true };
    } catch (error) {
      console.info("syncoxide: the stored Python snapshot could not be used", error);
      await caches.delete(SNAPSHOTS);
    }
  }
  const pyodide = await loadPyodide({ indexURL, packages });
  return { pyodide, restored: false };
}

function storeSnapshotLater(pyodide) {
  if (!("caches" in self) || !window.Worker) return;
  const modules = pyodide.runPython(IMPORTED);
  const idle = window.requestIdleCallback || ((callback) => setTimeout(callback, 2000));
  idle(() => {
    const worker = new Worker(new URL("./python-snapshot-worker.mjs", import.meta.url), {
      type: "module",
    });
    worker.onmessage = (event) => {
      if (event.data.error) console.info("syncoxide: no Python snapshot:", event.data.error);
      document.documentElement.dataset.pythonSnapshot = event.data.error ? "failed" : "stored";
      worker.terminate();
    };
    worker.postMessage({ indexURL, packages, modules, key: snapshotKey, cache: SNAPSHOTS });
  }, { timeout: 10000 });
}

try {
  const { pyodide, restored } = await startPython();
  document.documentElement.dataset.pythonStart = restored ? "snapshot" : "fresh";
  performance.mark("syncoxide:python-started");  // the rest is the app's own start
  await pyodide.runPythonAsync(START);
  performance.mark("syncoxide:app-started");
  if (!restored && document.documentElement.dataset.ready === "1") storeSnapshotLater(pyodide);
} catch (error) {
  window.syncoxideBootError(
    "The app stopped while starting Python.", (error && (error.stack || error.message)) || "");
}
