// Compile Python sources to bytecode with Pyodide's own interpreter, under Node.
//
// usage: node compile_bytecode.mjs PYODIDE_DIR TREE_DIR
// TREE_DIR holds one folder per package (e.g. TREE_DIR/syncoxide/...). Each NAME.py gets a
// NAME.pyc beside it (the "legacy" place, which the import system loads when no source is
// present), written by Pyodide's CPython, so the magic number and the marshal format are exactly
// those the browser's interpreter reads. They are "unchecked hash" .pyc files: no source mtime
// or hash is checked, so the bytes depend on the sources alone.
// Paths recorded inside the bytecode are relative to TREE_DIR, so the output does not depend
// on where the tree was put. Docstrings are left out (the browser never reads them, and they
// were a large part of the wheels' bytes); every other statement keeps its line, so line
// numbers in tracebacks still match the sources. Asserts are kept (unlike python -OO).
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
import ast, importlib.util, os, sys
from importlib._bootstrap_external import _code_to_hash_pyc

DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def without_docstrings(tree):
    for node in ast.walk(tree):
        if not isinstance(node, DOCUMENTED) or not node.body:
            continue
        first = node.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            if isinstance(first.value.value, str):
                del node.body[0]
                if not node.body:  # a function that is only its docstring
                    node.body.append(ast.copy_location(ast.Pass(), first))
    return tree


failed = 0
for package in sorted(os.listdir("/tree")):
    for folder, _, names in sorted(os.walk(f"/tree/{package}")):
        for name in sorted(n for n in names if n.endswith(".py")):
            path = os.path.join(folder, name)
            shown = os.path.relpath(path, "/tree")
            with open(path, "rb") as handle:
                source = handle.read()
            try:
                tree = without_docstrings(ast.parse(source, shown))
                code = compile(tree, shown, "exec", dont_inherit=True)
            except SyntaxError as error:
                print(f"cannot compile {shown}: {error}", file=sys.stderr)
                failed += 1
                continue
            pyc = _code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False)
            with open(path[:-3] + ".pyc", "wb") as handle:
                handle.write(pyc)
print(f"compiled with Python {sys.version.split()[0]} ({sys.implementation.cache_tag})")
failed
`);
process.exit(failed ? 1 : 0);
