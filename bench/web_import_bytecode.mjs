// Time of the app's first import inside Pyodide under Node, with and without shipped bytecode.
//
//     node bench/web_import_bytecode.mjs SOURCE_ONLY_DIR WITH_BYTECODE_DIR [RUNS]
//
// Both folders are Pyodide vendor folders made by `syncoxide build-web` (the first from a build
// before the wheels carried bytecode, or with the .pyc files stripped). Each run starts a fresh
// interpreter per folder, alternating which goes first, loads our packages, and times
// `from syncoxide_web.app import start` (what app-boot.mjs imports first). The source-only
// folder is the anchor; prints medians and the share of import time the bytecode saves.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [sourceOnly, withBytecode, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 3);
// Two figures per interpreter: the first import (the app module, what "ready" waits for beside
// the view on screen), then every other module of the app (the views it starts in the
// background, each of which imports its feature's modules when started). Each is given as wall
// time and as the Node process's CPU time, which other processes on a loaded machine disturb
// far less than the wall clock.
const IMPORT = `
import importlib, pkgutil, sys, time
from js import process
sys.dont_write_bytecode = True
def cpu_ms():
    usage = process.cpuUsage()
    return (usage.user + usage.system) / 1000
started, started_cpu = time.perf_counter(), cpu_ms()
from syncoxide_web.app import start
first, first_cpu = time.perf_counter(), cpu_ms()
import syncoxide_web
for module in pkgutil.walk_packages(syncoxide_web.__path__, "syncoxide_web."):
    importlib.import_module(module.name)
[
    (first - started) * 1000, (time.perf_counter() - started) * 1000,
    first_cpu - started_cpu, cpu_ms() - started_cpu,
]
`;

async function importMs(folder) {
  const indexURL = path.resolve(folder) + path.sep;
  const { loadPyodide } = await import(pathToFileURL(path.join(indexURL, "pyodide.mjs")).href);
  const pyodide = await loadPyodide({ indexURL });
  await pyodide.loadPackage(["syncoxide", "syncoxide-web"], { messageCallback: () => {} });
  return pyodide.runPython(IMPORT).toJs();
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
// per run: [first import, whole app] wall ms, then the same as CPU ms
const times = { source: [], bytecode: [] };
for (let run = 0; run < runs; run += 1) {
  const order = run % 2 ? ["bytecode", "source"] : ["source", "bytecode"];
  for (const kind of order) {
    times[kind].push(await importMs(kind === "source" ? sourceOnly : withBytecode));
  }
}
function report(label, index) {
  const source = median(times.source.map((t) => t[index]));
  const bytecode = median(times.bytecode.map((t) => t[index]));
  const all = (kind) => times[kind].map((t) => t[index].toFixed(0)).join(" ");
  console.log(`${label}, median of ${runs} (Pyodide under Node):`);
  console.log(`  source only (anchor): ${source.toFixed(0)} ms  [${all("source")}]`);
  console.log(`  with bytecode:        ${bytecode.toFixed(0)} ms  [${all("bytecode")}]`);
  console.log(`  saved: ${(100 * (1 - bytecode / source)).toFixed(0)}% of import time`);
}
report("from syncoxide_web.app import start, wall", 0);
report("every module of the app (all views), wall", 1);
report("from syncoxide_web.app import start, CPU", 2);
report("every module of the app (all views), CPU", 3);
