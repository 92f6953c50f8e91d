// Check the WebCrypto backend against the known-answer vectors, inside Pyodide under Node 20.
//
// usage: node run_webcrypto_vectors.mjs VENDOR_PYODIDE_DIR PROJECT_DIR [HASH_WASM_DIR]
// Node's globalThis.crypto.subtle is WebCrypto, so web/py/syncoxide_web/platform/webcrypto.py runs here
// exactly as in the page. Top-level await (runPythonAsync) stands in for asyncio.run, which
// Pyodide cannot do under Node.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [vendorDir, projectDir, hashWasmDir] = process.argv.slice(2);
if (hashWasmDir) {
  globalThis.hashwasm = await import(pathToFileURL(path.join(hashWasmDir, "dist", "index.esm.js")).href);
}
// The page loads this helper with a <script> tag; here it is imported for the same global.
await import(pathToFileURL(path.join(projectDir, "web", "static", "crypto-batch.js")).href);
const { loadPyodide } = await import(pathToFileURL(path.join(vendorDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: vendorDir + path.sep });
await pyodide.loadPackage(["syncoxide"], { errorCallback: (m) => { throw new Error(m); } });
for (const [mountPoint, hostDir] of [["/project/tests", "tests"], ["/project/webpy", "web/py"]]) {
  pyodide.FS.mkdirTree(mountPoint);
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: path.join(projectDir, hostDir) }, mountPoint);
}
const check = fs.readFileSync(new URL("./webcrypto_vector_check.py", import.meta.url), "utf8");
try {
  await pyodide.runPythonAsync(check);
} catch (error) {
  console.error(String(error));
  process.exit(1);
}
