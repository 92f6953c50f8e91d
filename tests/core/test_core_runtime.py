import sys

import syncoxide
from syncoxide.runtime import current_runtime


def test_runtime_reports_this_interpreter() -> None:
    runtime = current_runtime()
    assert runtime.core_version == syncoxide.__version__
    assert runtime.python_version.split(".")[:2] == [str(part) for part in sys.version_info[:2]]
    assert runtime.in_browser == (sys.platform == "emscripten")


def test_description_names_the_place_it_runs() -> None:
    text = current_runtime().describe()
    assert text.startswith(f"syncoxide {syncoxide.__version__}, ")
    expected = "in the browser (Pyodide)" if sys.platform == "emscripten" else f"on {sys.platform}"
    assert text.endswith(expected)


def test_version_is_a_release_number() -> None:
    parts = syncoxide.__version__.split(".")
    assert len(parts) == 3 and all(part.isdigit() for part in parts)
