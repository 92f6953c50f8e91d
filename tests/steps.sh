# Steps shared by tests/run-check (`./dev check`) and tests/run-all (`./dev test`); sourced.
PY=.venv/bin/python

lint() {
  echo "==> ruff"
  # Each step returns on its own failure: under `timed` (an `||` list) set -e does not apply.
  $PY -m ruff check . || return
  $PY -m ruff format --check . >/dev/null || { $PY -m ruff format --check . ; return 1; }
}

javascript() {
  echo "==> biome (our JavaScript in web/static; vendor/ is generated)"
  node_modules/.bin/biome ci --error-on-warnings --colors=off web/static
}

clients() {
  echo "==> generated API clients match the OpenAPI document (./dev generate remakes them)"
  $PY clients/generate.py --check
}

types() {
  echo "==> mypy"
  $PY -m mypy
}

# timed NAME COMMAND...: run COMMAND with its output kept in $logs/NAME.out (the caller makes
# $logs), then write "EXIT-CODE SECONDS" to $logs/NAME.status. Meant to run in the background.
timed() {
  local name=$1 begun status=0
  shift
  begun=$EPOCHREALTIME
  "$@" >"$logs/$name.out" 2>&1 || status=$?
  awk -v s="$status" -v a="$begun" -v b="$EPOCHREALTIME" 'BEGIN { printf "%s %.1f\n", s, b - a }' \
    >"$logs/$name.status"
}

# pytest_layer LAYER [pytest options...]: one layer's tests (see tests/conftest.py). Its exit
# code, except that "no tests collected" (pytest's 5) is 5 here too and never a pass.
pytest_layer() {
  local layer=$1 status
  shift
  echo "==> pytest -m $layer $*"
  set +e
  # The slowest tests are printed: where the suite's minutes go, for keeping it under budget.
  $PY -m pytest -m "$layer" --durations=12 "$@"
  status=$?
  set -e
  return $status
}

# layer_has_tests LAYER: whether pytest collects any test of LAYER when given no options.
layer_has_tests() {
  $PY -m pytest -m "$1" --collect-only -q >/dev/null 2>&1
}

no_tests_is_a_failure() {
  echo "pytest collected no tests: that is a failure, not a pass" >&2
  return 1
}
