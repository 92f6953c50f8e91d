"""A one-word search read from the name runs (server/catalog/name_runs.py) answers exactly as
the words index ranks it, on SQLite and PostgreSQL: the same entries in the same order, for
ties in name length across folders and sources, case, accents and other scripts, prefixes that
start several indexed words, a word twice in one name, filters, and every page size (a smaller
page is the start of a larger one). The runs follow moves, removals and dropped sources, and a
database indexed before the runs had them filled by its migration."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import DIR, FILE, CatalogEntry
from syncoxide.catalog.search import parse_search
from syncoxide.server import datadir
from syncoxide.server.catalog.name_runs import MAX_RUNS
from syncoxide.server.catalog.postgres import PostgresCatalogStore
from syncoxide.server.catalog.schema import NAME_WORDS_MIGRATION
from syncoxide.server.catalog.sql_store import SqlCatalogStore
from syncoxide.server.catalog.sqlite import SqliteCatalogStore
from syncoxide.server.storage import postgres as postgres_storage
from syncoxide.server.storage.database import Database, sqlite_at
from syncoxide.server.storage.postgres_database import PostgresDatabase
from syncoxide.server.storage.postgres_schema import CATALOG_NAME_WORDS
from tests.server.databases import LANGUAGE_ORDER
from tests.server.scale.services import Postgres

_names = itertools.count()
_WORDS = ("plan", "Plan", "PLÄN", "planet", "plans", "pl", "beach", "bé", "ünï", "2024", "x_y")
_SEPARATORS = (" ", ".", "-", "_", "")
_QUERIES = ("plan", "pla", "pl", "p", "PLAN", "plän", "planet", "be", "bé", "beach", "ünï",
            "un", "2024", "20", "x", "y", "zzz", "plan ext:txt", "plan in:nas", "plan -beach",
            "plan is:folder", "plan size:>100", "plan path:a", "pla type:image", "plan beach",
            "pla plan", "plan plan", "bé 20", "ünï x y", "y x_y", "zzz plan", "txt plan",
            "plan -x", '"plan" beach', "a-b plan")  # fmt: skip


class Store:
    """A catalog store on a fresh database of one dialect, at the current schema or the one
    before the name runs (``upgrade`` then migrates it)."""

    def __init__(self, dialect: str, directory: Path, postgres: Postgres | None, *,
                 before_runs: bool = False) -> None:  # fmt: skip
        self.dialect = dialect
        with pytest.MonkeyPatch.context() as patch:
            if dialect == "sqlite":
                if before_runs:
                    before = datadir.MIGRATIONS.index(NAME_WORDS_MIGRATION)
                    patch.setattr(datadir, "MIGRATIONS", datadir.MIGRATIONS[:before])
                lite = sqlite_at(directory / f"runs-{next(_names)}.sqlite3")
                datadir.migrate(lite.connection)
                self.db: Database = lite
                self.store: SqlCatalogStore = SqliteCatalogStore(lite)
            else:
                assert postgres is not None
                self.url = postgres.create_database(f"runs_{next(_names)}", LANGUAGE_ORDER)
                if before_runs:
                    migrations = postgres_storage.PG_MIGRATIONS
                    before = migrations.index(CATALOG_NAME_WORDS)
                    patch.setattr(postgres_storage, "PG_MIGRATIONS", migrations[:before])
                asyncio.run(postgres_storage.migrate_postgres(self.url))
                self.db = PostgresDatabase(self.url)
                self.store = PostgresCatalogStore(self.db)
        self.store.name_runs = not before_runs
        self.user = self.db.insert(
            "INSERT INTO users (name, display_name, created_at) VALUES ('u', 'u', 0)"
        )

    def upgrade(self) -> None:
        if self.dialect == "sqlite":
            datadir.migrate(self.db.connection)  # type: ignore[attr-defined]
        else:
            asyncio.run(postgres_storage.migrate_postgres(self.url))
        self.store.name_runs = True

    def apply(self, source: str, entries: list[CatalogEntry]) -> None:
        asyncio.run(self.store.apply(self.user, source, IndexChanges(upserts=tuple(entries))))

    def search(self, text: str, limit: int, *, runs: bool = True) -> list[CatalogEntry]:
        self.store.name_runs = runs
        try:
            found = asyncio.run(self.store.search(self.user, parse_search(text), limit))
        finally:
            self.store.name_runs = True
        return list(found)

    def assert_runs_rank_as_the_words_index(self, queries: tuple[str, ...]) -> None:
        for text in queries:
            want = self.search(text, 1000, runs=False)
            for limit in (1, 3, 50, 1000):
                got = self.search(text, limit)
                assert got == want[:limit], (self.dialect, text, limit)

    def close(self) -> None:
        self.store.close()
        self.db.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_store(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[type[Store]]:
    postgres = request.getfixturevalue("postgres") if dialect == "postgresql" else None
    made: list[Store] = []

    def make(*, before_runs: bool = False) -> Store:
        made.append(Store(dialect, tmp_path, postgres, before_runs=before_runs))
        return made[-1]

    yield make  # type: ignore[misc]
    for store in made:
        store.close()


_name = st.builds(
    lambda words, seps, ext: "".join(w + s for w, s in zip(words, seps, strict=False)) + ext,
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3),
    st.lists(st.sampled_from(_SEPARATORS), min_size=3, max_size=3),
    st.sampled_from((".txt", ".jpg", "", ".TXT")),
).filter(lambda name: name.strip() != "")
_entry = st.builds(
    lambda folder, name, kind, size: CatalogEntry(
        "home", f"{folder}/{name}" if folder else name, kind, size, 0, "",
        "image/jpeg" if name.endswith(".jpg") else "text/plain",
    ),
    st.sampled_from(("", "a", "b", "a/plan", "B", "é")), _name,
    st.sampled_from((FILE, FILE, DIR)), st.integers(0, 200),
)  # fmt: skip


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=st.lists(_entry, min_size=1, max_size=30, unique_by=lambda e: e.path))
def test_the_runs_rank_every_page_as_the_words_index(
    make_store: type[Store], entries: list[CatalogEntry]
) -> None:
    store = make_store()
    store.apply("home", entries)
    # the same paths in a second place: ties in name length and path, apart by source
    store.apply("nas", [CatalogEntry("nas", e.path, e.kind, e.size) for e in entries[::2]])
    store.assert_runs_rank_as_the_words_index(_QUERIES)


def test_ties_in_length_keep_path_then_source_order(make_store: type[Store]) -> None:
    store = make_store()
    names = ["b/plan 2.txt", "a/plan 9.txt", "a/plan 1.txt", "plan planet.txt", "Plän 3.txt"]
    store.apply("home", [CatalogEntry("home", path, FILE) for path in names])
    store.apply("nas", [CatalogEntry("nas", "a/plan 1.txt", FILE)])
    found = [(e.source, e.path) for e in store.search("plan", 100)]
    assert found == [
        ("home", "Plän 3.txt"), ("home", "a/plan 1.txt"), ("nas", "a/plan 1.txt"),
        ("home", "a/plan 9.txt"), ("home", "b/plan 2.txt"), ("home", "plan planet.txt"),
    ]  # fmt: skip
    store.assert_runs_rank_as_the_words_index(("plan", "pla", "planet"))


def test_a_prefix_of_many_words_keeps_to_the_words_index(make_store: type[Store]) -> None:
    store = make_store()
    words = [f"w{n:03d}" for n in range(MAX_RUNS + 5)]
    store.apply("home", [CatalogEntry("home", f"{w} report.txt", FILE) for w in words])
    assert len(store.search("w", 1000)) == len(words)
    store.assert_runs_rank_as_the_words_index(("w", "w00", "w0", "report"))


def test_the_runs_follow_moves_removals_and_dropped_sources(make_store: type[Store]) -> None:
    store = make_store()
    paths = ["trip/plan.txt", "trip/sub/plan b.txt", "trip2/plan.txt", "plans.txt"]
    store.apply("home", [CatalogEntry("home", p, FILE) for p in paths])
    store.apply("nas", [CatalogEntry("nas", "plan x.txt", FILE)])
    user, source = store.user, "home"
    asyncio.run(store.store.move_subtree(user, source, "trip", "voyage/planning"))
    asyncio.run(store.store.move_subtree(user, source, "plans.txt", "agenda.txt"))
    asyncio.run(store.store.remove_subtree(user, source, "trip2"))
    asyncio.run(store.store.drop_source(user, "nas"))
    found = [e.path for e in store.search("plan", 10)]
    assert found == ["voyage/planning/plan.txt", "voyage/planning/sub/plan b.txt"]
    store.assert_runs_rank_as_the_words_index(("plan", "agenda", "voyage", "trip", "plans"))
    left = store.db.execute("SELECT path FROM catalog_name_words ORDER BY path").rows
    assert {path for (path,) in left} == {
        "agenda.txt",
        "voyage/planning/plan.txt",
        "voyage/planning/sub/plan b.txt",
    }


def test_an_index_from_before_the_runs_has_them_filled_by_its_migration(
    make_store: type[Store],
) -> None:
    old = make_store(before_runs=True)
    entries = [CatalogEntry("home", f"{f}/{n}", FILE) for f in ("a", "b/plän") for n in
               ("Plan 1.txt", "planet.jpg", "ünï plan plan.txt", "x_y.txt")]  # fmt: skip
    old.apply("home", entries)
    old.apply("nas", [CatalogEntry("nas", "a/Plan 1.txt", FILE)])
    old.upgrade()
    rows = old.db.execute("SELECT COUNT(*) FROM catalog_name_words").rows[0][0]
    assert rows == 2 * (3 + 2 + 3 + 3) + 3  # distinct words of each name
    old.assert_runs_rank_as_the_words_index(("plan", "pla", "unï", "x", "y", "planet", "b"))
    # and a fresh index of the same entries holds the same runs
    new = make_store()
    new.apply("home", entries)
    new.apply("nas", [CatalogEntry("nas", "a/Plan 1.txt", FILE)])
    runs = "SELECT word, name_len, path, source FROM catalog_name_words ORDER BY 1, 2, 3, 4"
    assert old.db.execute(runs).rows == new.db.execute(runs).rows


def test_an_entry_written_again_over_runs_left_behind_is_found(make_store: type[Store]) -> None:
    store = make_store()
    entry = CatalogEntry("home", "a/plan.txt", FILE)
    store.apply("home", [entry])
    # gone by a way that did not go through the store (SQLite keeps its runs' rows)
    store.db.execute("DELETE FROM catalog_entries WHERE path = 'a/plan.txt'")
    assert store.search("plan", 10) == []
    store.apply("home", [entry])
    assert [e.path for e in store.search("plan", 10)] == ["a/plan.txt"]
    store.assert_runs_rank_as_the_words_index(("plan", "a", "txt"))


def test_deleting_an_account_deletes_its_runs(make_store: type[Store]) -> None:
    store = make_store()
    store.apply("home", [CatalogEntry("home", "plan.txt", FILE)])
    store.db.execute("DELETE FROM users WHERE id = ?", (store.user,))
    assert store.db.execute("SELECT COUNT(*) FROM catalog_name_words").rows[0][0] == 0
