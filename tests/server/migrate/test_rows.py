"""The migration's row checksum: the documented vector, order-free, and it tells apart a
lost, duplicated or altered row while PostgreSQL's booleans and byte views match SQLite's."""

from __future__ import annotations

from syncoxide.server.migrate.rows import Tally, row_digest

ROW = (7, "é", None, b"\x00\xff", True, 2.5)


def _sum(*rows: tuple[object, ...]) -> Tally:
    tally = Tally()
    tally.add(rows)
    return tally


def test_the_documented_vector() -> None:
    digest = "96d746ba46cd92ba91b94f70b97e6d60574546974d81bb72b71c7e1ca06e676e"
    assert f"{row_digest(ROW):064x}" == digest
    both = _sum(ROW, (1,))
    assert both.hex == "bfa24a6ab2f621435861d05f73a7a95a2100e63cd39440f8fcb6c686f18dea9d"
    assert (both.rows, both.bytes) == (2, 36 + 4)  # the canonical texts' UTF-8 lengths


def test_postgresql_values_hash_as_sqlite_ones() -> None:
    from_sqlite = (7, "é", None, b"\x00\xff", 1, 2.5)
    from_postgres = (7, "é", None, memoryview(b"\x00\xff"), True, 2.5)
    assert row_digest(from_sqlite) == row_digest(from_postgres) == row_digest(ROW)


def test_order_does_not_matter_but_every_row_does() -> None:
    rows = [(1, "a"), (2, "b"), (3, "c")]
    whole = _sum(*rows)
    assert _sum(*reversed(rows)).checksum == whole.checksum
    assert _sum(*rows[:2]).checksum != whole.checksum  # one lost
    assert _sum(*rows, rows[0]).checksum != whole.checksum  # one twice
    assert _sum((1, "a"), (2, "B"), (3, "c")).checksum != whole.checksum  # one altered
    assert _sum((1, None)).checksum != _sum((1, "")).checksum  # NULL is not empty text
