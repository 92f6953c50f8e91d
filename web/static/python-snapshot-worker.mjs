// Makes a memory snapshot of a started Python for the app's next start (see app-boot.mjs).
//
// Runs in a worker, off the page's thread, after the app is ready: a second interpreter starts,
// gets the same wheels, imports the modules the app imported (those that never touch the
// page), and its memory is stored in Cache Storage under a key naming this exact build. Older
// builds' snapshots are removed. Any failure is reported and nothing is stored.
self.onmessage = async (event) => {
  const { indexURL, packages, modules, key, cache } = event.data;
  try {
    const { loadPyodide } = await import(`${indexURL}pyodide.mjs`);
    const pyodide = await loadPyodide({ indexURL, _makeSnapshot: true });
    const lock = await (await fetch(`${indexURL}pyodide-lock.json`)).json();
    for (const name of packages) {
      const wheel = await fetch(indexURL + lock.packages[name].file_name);
      if (!wheel.ok) throw new Error(`${name}: HTTP ${wheel.status}`);
      pyodide.unpackArchive(new Uint8Array(await wheel.arrayBuffer()), "wheel", {
        extractDir: pyodide.runPython("import site; site.getsitepackages()[0]"),
      });
    }
    pyodide.globals.set("wanted", modules);
    pyodide.runPython(`
import importlib
for name in wanted.split(","):
    try:
        importlib.import_module(name)
    except Exception:
        pass  # not importable outside the page: it is simply imported at start, as before
del wanted, importlib, name
`);
    const snapshot = pyodide.makeMemorySnapshot();
    const store = await caches.open(cache);
    for (const old of await store.keys()) await store.delete(old);
    await store.put(key, new Response(snapshot, {
      headers: { "Content-Type": "application/octet-stream" },
    }));
    self.postMessage({ stored: snapshot.byteLength });
  } catch (error) {
    self.postMessage({ error: String((error && error.message) || error) });
  }
};
