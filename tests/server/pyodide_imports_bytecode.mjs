// Load our wheels from a built vendor folder into Pyodide under Node, import every module of
// the app, and print (JSON) Pyodide's .pyc magic number and which of our modules it had to
// compile from source (none, when the shipped bytecode is used), and which kept a docstring.
//
// usage: node pyodide_imports_bytecode.mjs VENDOR_PYODIDE_DIR
import path from "node:path";
import { pathToFileURL } from "node:url";

const indexURL = path.resolve(process.argv[2]) + path.sep;
const { loadPyodide } = await import(pathToFileURL(path.join(indexURL, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL });
await pyodide.loadPackage(["syncoxide", "syncoxide-web"], { messageCallback: () => {} });
console.log(pyodide.runPython(`
import importlib, importlib.util, json, pkgutil, sys
import importlib._bootstrap_external as external
sys.dont_write_bytecode = True
compiled = []
_source_to_code = external.SourceLoader.source_to_code
def recording_source_to_code(self, data, path, **options):
    compiled.append(path)
    return _source_to_code(self, data, path, **options)
external.SourceLoader.source_to_code = recording_source_to_code
import syncoxide, syncoxide_web
imported = 0
documented = []
for package in (syncoxide, syncoxide_web):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        loaded = importlib.import_module(module.name)
        imported += 1
        if loaded.__doc__ is not None:
            documented.append(module.name)
json.dumps({
    "magic": importlib.util.MAGIC_NUMBER.hex(),
    "imported": imported,
    "compiled_from_source": [p for p in compiled if "/site-packages/syncoxide" in p],
    "with_docstrings": documented,
})
`));
