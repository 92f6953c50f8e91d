// Starts Python for a page that runs it (the app, the receive page): Pyodide straight from our
// vendor folder, then the page's own Python, `start()` of the module named by data-start.
//
// Why not PyScript: no page needs its features (our Python runs through runPythonAsync),
// PyScript builds its plugin hooks with Function(...), which our Content-Security-Policy
// forbids (only WebAssembly may be compiled), and a page that calls loadPyodide itself can pass
// a memory snapshot. Starting the Python interpreter is most of Pyodide's start-up (seconds on
// a slow machine); a snapshot of a started interpreter, with the core already imported,
// restores in a fraction of that. So:
// - with a snapshot for this exact build in Cache Storage (a warm start): restore it;
// - without one (the first visit, or a new build), on a page marked data-make-snapshot (the
//   app): start Python as usual, and once the page is ready and idle, a worker
//   (python-snapshot-worker.mjs) starts a second interpreter off the main thread, imports what
//   the page imported, and stores its snapshot for next time. The receive page only restores
//   one: it is mostly opened once, and a second interpreter would compete with the transfer.
// A snapshot that cannot be made or restored is skipped: the page starts the usual way.
//
// A page of ours names its start module in <script id="python-boot" data-...> (templates'
// _python_boot.html) and this module starts it. The browser tests' and benchmarks' own pages
// import startPython() instead, with the same settings, and run their code on the result.
const SNAPSHOTS = "syncoxide-python-snapshots";
// Runs in its own namespace, given START_MODULE; the app's start() is a coroutine, the receive
// page's is not.
const START = `
import importlib, inspect
try:
    page = importlib.import_module(START_MODULE)
except ImportError as error:
    import js
    js.window.syncoxideBootError(
        "Part of this page could not be downloaded, so it cannot start. "
        "Check your connection and reload the page.", repr(error))
else:
    started = page.start()
    if inspect.isawaitable(started):
        await started
`;
// What the page imported that a snapshot may hold: no module that touches the page (js).
const IMPORTED = `
import sys
_page = ("js", "pyodide", "_pyodide", "pyodide_js", "syncoxide_web", "__main__")
",".join(sorted(n for n in sys.modules if not n.startswith(_page)))
`;

function snapshotKeyOf(build) {
  return new URL(`/__python-snapshot/${build}`, location.origin).href;
}

async function storedSnapshot(snapshotKey) {
  if (!("caches" in self)) return null; // not a secure context: no Cache Storage
  try {
    const stored = await (await caches.open(SNAPSHOTS)).match(snapshotKey);
    return stored ? new Uint8Array(await stored.arrayBuffer()) : null;
  } catch (error) {
    return null;
  }
}

/** Pyodide from our vendor folder with our wheels loaded, from a stored snapshot when there is
 * one for this build. settings: { indexUrl, packages (comma-separated), build }, the
 * data-index-url, data-packages and data-build of the page's #python-boot. */
export async function startPython(settings) {
  const indexURL = settings.indexUrl;
  const packages = settings.packages.split(",");
  const { loadPyodide } = await import(`${indexURL}pyodide.mjs`);
  const snapshot = await storedSnapshot(snapshotKeyOf(settings.build));
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

async function startPage(pyodide, config) {
  const namespace = pyodide.toPy({ START_MODULE: config.start });
  try {
    await pyodide.runPythonAsync(START, { globals: namespace });
  } finally {
    namespace.destroy();
  }
}

function storeSnapshotLater(pyodide, config) {
  const indexURL = config.indexUrl;
  const packages = config.packages.split(",");
  const key = snapshotKeyOf(config.build);
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
    worker.postMessage({ indexURL, packages, modules, key, cache: SNAPSHOTS });
  }, { timeout: 10000 });
}

async function bootPage(config) {
  try {
    const { pyodide, restored } = await startPython(config);
    document.documentElement.dataset.pythonStart = restored ? "snapshot" : "fresh";
    performance.mark("syncoxide:python-started"); // the rest is the page's own start
    await startPage(pyodide, config);
    performance.mark("syncoxide:app-started");
    const ready = document.documentElement.dataset.ready === "1";
    if (!restored && ready && "makeSnapshot" in config) storeSnapshotLater(pyodide, config);
  } catch (error) {
    window.syncoxideBootError(
      "The page stopped while starting Python.", (error && (error.stack || error.message)) || "");
  }
}

const boot = document.getElementById("python-boot");
if (boot) await bootPage(boot.dataset);
