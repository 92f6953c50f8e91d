// Run the core's pytest suite inside Pyodide under Node, from the same test files CPython runs.
//
// usage: node run_core_tests.mjs VENDOR_PYODIDE_DIR TESTS_DIR WHEEL... -- PYTEST_ARGS...
// The Pyodide core and our syncoxide wheel come from the built vendor folder (the very files
// the browser gets); pytest and its dependencies are pure wheels passed by path. Nothing is
// fetched from the network: a package missing from our lock file fails the run.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [vendorDir, testsDir, ...rest] = process.argv.slice(2);
const split = rest.indexOf("--");
const wheels = split === -1 ? rest : rest.slice(0, split);
const pytestArgs = split === -1 ? [] : rest.slice(split + 1);

const { loadPyodide } = await import(pathToFileURL(path.join(vendorDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: vendorDir + path.sep,
});
// Raw writes keep pytest's progress dots on one line, as on CPython.
pyodide.setStdout({ write: (bytes) => { process.stdout.write(bytes); return bytes.length; } });
pyodide.setStderr({ write: (bytes) => { process.stderr.write(bytes); return bytes.length; } });
await pyodide.loadPackage(["syncoxide"], { errorCallback: (m) => { throw new Error(m); } });
await pyodide.loadPackage(wheels.map((w) => path.resolve(w)), {
  errorCallback: (m) => { throw new Error(m); },
});

pyodide.FS.mkdirTree("/project/tests");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: path.resolve(testsDir) }, "/project/tests");
pyodide.globals.set("pytest_args", pyodide.toPy(pytestArgs));
const exitCode = pyodide.runPython(`
import sys
sys.dont_write_bytecode = True
print(f"runtime: {sys.platform}, Python {sys.version.split()[0]}")
import pytest
int(pytest.main(list(pytest_args)))
`);
process.exit(exitCode);
