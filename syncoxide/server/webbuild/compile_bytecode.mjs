// Compile Python sources to bytecode with Pyodide's own interpreter, under Node.
//
// usage: node compile_bytecode.mjs PYODIDE_DIR TREE_DIR
// TREE_DIR holds one folder per package (e.g. TREE_DIR/syncoxide/...). Each NAME.py gets a
// NAME.pyc beside it (the "legacy" place, which the import system loads when no source is
// present), written by Pyodide's CPython, so the magic number and the marshal format are exactly
// those the browser's interpreter reads. They are "unchecked hash" .pyc files: no source mtime
// or hash is checked, so the bytes depend on the sources alone.
// Paths recorded inside the bytecode are relative to TREE_DIR, so the output does not depend
// on where the tree was put.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, treeDir] = process.argv.slice(2);
if (!pyodideDir || !treeDir) {
  console.error("usage: node compile_bytecode.mjs PYODIDE_DIR TREE_DIR");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + path.sep });
pyodide.setStdout({ batched: (line) => console.log(line) });
pyodide.setStderr({ batched: (line) => console.error(line) });
pyodide.FS.mkdirTree("/tree");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: path.resolve(treeDir) }, "/tree");
const failed = pyodide.runPython(`
import compileall, os, py_compile, sys
failed = 0
for package in sorted(os.listdir("/tree")):
    ok = compileall.compile_dir(
        f"/tree/{package}", ddir=package, quiet=1, force=True, workers=1, legacy=True,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    failed += not ok
print(f"compiled with Python {sys.version.split()[0]} ({sys.implementation.cache_tag})")
failed
`);
process.exit(failed ? 1 : 0);
