"""The versioned store against real SQLite and PostgreSQL databases (the `db_url` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from lists.model import (
    Alias,
    AliasStrength,
    DateOfBirth,
    Designation,
    EntityType,
    Identifier,
    IdentifierType,
    ListCode,
)
from lists.parsed import ParsedList, SourceFile
from lists.store import INSERT_CHUNK, MIGRATIONS_DIR, LoadRefused, Store, StoreError, VersionNotFound
from lists.store_models import DesignationRow, ListVersion


def make_designation(list_code: ListCode, number: int, name: str | None = None) -> Designation:
    kind = EntityType.PERSON if number % 2 else EntityType.ENTITY
    return Designation(
        entity_id=f"{list_code.value}:{number}",
        list=list_code,
        source_id=str(number),
        type=kind,
        primary_name=name or f"NAME {number}",
        aliases=(Alias(name=f"ALIAS {number}", strength=AliasStrength.WEAK),),
        dates_of_birth=(DateOfBirth(text="1986", date_from="1986"),) if kind is EntityType.PERSON else (),
        identifiers=(Identifier(type=IdentifierType.USCC, value=f"9111{number:06d}", country="CN"),),
        programs=("CYBER2",),
    )


def make_parsed(
    list_code: ListCode = ListCode.OFAC,
    numbers: range | list[int] = range(1, 11),
    publish_date: str | None = "2024-06-19",
    renamed: dict[int, str] | None = None,
) -> ParsedList:
    renamed = renamed or {}
    return ParsedList(
        list_code=list_code,
        designations=[make_designation(list_code, n, renamed.get(n)) for n in numbers],
        source_files=[SourceFile(path=f"/data/{list_code.value}/list.csv", sha256="ab" * 32, size=123)],
        publish_date=publish_date,
        warnings=["alt.csv: 3 alias rows name ent_nums missing from sdn.csv"],
        stats={"orphan_alias_ent_nums": 3},
    )


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store(db_url)
    yield opened
    opened.close()


def designation_rows(store: Store, version_id: int) -> int:
    with store.engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(DesignationRow).where(DesignationRow.version_id == version_id)
        ).scalar_one()


def test_load_makes_a_complete_active_version(store: Store) -> None:
    parsed = make_parsed()
    info = store.load(parsed)

    assert info.active and info.state == "active"
    assert info.record_count == 10
    assert info.counts_by_type == {"entity": 5, "person": 5}
    assert info.publish_date == date(2024, 6, 19)
    assert info.label == f"ofac@{info.id}:2024-06-19"
    assert info.loaded_at.tzinfo is not None and info.loaded_at.utcoffset() == UTC.utcoffset(None)
    assert info.warnings == parsed.warnings
    assert info.stats == {"orphan_alias_ent_nums": 3}
    assert info.files[0].sha256 == "ab" * 32
    assert store.active_versions() == {"ofac": info}
    assert store.get_entity("ofac:3") == parsed.designations[2]
    assert store.get_entity("ofac:999") is None
    assert sorted(store.active_designations(), key=lambda d: d.entity_id) == sorted(
        parsed.designations, key=lambda d: d.entity_id
    )


def test_lists_are_independent_and_filterable(store: Store) -> None:
    store.load(make_parsed(ListCode.OFAC, range(1, 6)))
    un = store.load(make_parsed(ListCode.UN, range(1, 4), publish_date=None))

    assert list(store.active_versions()) == ["ofac", "un"]
    assert un.label == f"un@{un.id}"
    assert {d.entity_id for d in store.active_designations(["un"])} == {"un:1", "un:2", "un:3"}
    assert len(store.active_designations()) == 8
    versions, designations = store.active_snapshot(["ofac"])
    assert list(versions) == ["ofac"] and len(designations) == 5


def test_new_version_supersedes_and_diff_reports_changes(store: Store) -> None:
    first = store.load(make_parsed(numbers=range(1, 11)))
    second = store.load(make_parsed(numbers=range(2, 12), renamed={5: "RENAMED FIVE"}))

    assert store.active_versions()["ofac"].id == second.id
    assert [v.id for v in store.versions("ofac")] == [second.id, first.id]
    assert store.version(first.id).state == "superseded" and not store.version(first.id).active
    assert store.get_entity("ofac:1") is None
    assert store.get_entity("ofac:5").primary_name == "RENAMED FIVE"

    diff = store.diff(first.id, second.id)
    assert (diff.added, diff.removed, diff.changed) == (["ofac:11"], ["ofac:1"], ["ofac:5"])
    reverse = store.diff(second.id, first.id)
    assert (reverse.added, reverse.removed, reverse.changed) == (["ofac:1"], ["ofac:11"], ["ofac:5"])


def test_diff_refuses_versions_of_different_lists_and_unknown_ids(store: Store) -> None:
    ofac = store.load(make_parsed(ListCode.OFAC))
    un = store.load(make_parsed(ListCode.UN))
    with pytest.raises(StoreError, match="different lists"):
        store.diff(ofac.id, un.id)
    with pytest.raises(VersionNotFound, match="no list version with id 999"):
        store.diff(ofac.id, 999)


def test_shrink_over_twenty_percent_is_refused_unless_forced(store: Store) -> None:
    first = store.load(make_parsed(numbers=range(1, 101)))

    with pytest.raises(LoadRefused, match=r"79 records is 21\.0% fewer .*100 records"):
        store.load(make_parsed(numbers=range(1, 80)))
    assert store.active_versions()["ofac"].id == first.id
    assert len(store.active_designations()) == 100

    exactly_twenty = store.load(make_parsed(numbers=range(1, 81)))
    assert exactly_twenty.record_count == 80

    forced = store.load(make_parsed(numbers=range(1, 11)), force=True)
    assert store.active_versions()["ofac"].id == forced.id
    assert len(store.active_designations()) == 10


def test_retention_keeps_newest_versions_and_drops_their_rows(db_url: str) -> None:
    store = Store(db_url, retention=2)
    try:
        loaded = [store.load(make_parsed(numbers=range(1, 11 + i))) for i in range(4)]
        kept = [v.id for v in store.versions("ofac")]
        assert kept == [loaded[3].id, loaded[2].id]
        assert designation_rows(store, loaded[0].id) == 0
        assert designation_rows(store, loaded[1].id) == 0
        assert designation_rows(store, loaded[3].id) == 13
        with pytest.raises(VersionNotFound):
            store.version(loaded[0].id)
    finally:
        store.close()


class ExplodingDesignations(list[Designation]):
    """Parsed data that fails part-way through iteration, after whole chunks were inserted.

    Before failing it looks at the database from a second connection, to prove
    nothing of the half-inserted version is visible to readers.
    """

    def __init__(self, items: list[Designation], fail_after: int, observer: Store) -> None:
        super().__init__(items)
        self.fail_after = fail_after
        self.observer = observer
        self.seen_by_observer: dict[str, object] = {}

    def __iter__(self) -> Iterator[Designation]:
        for index, item in enumerate(super().__iter__()):
            if index == self.fail_after:
                with self.observer.engine.connect() as conn:
                    loading = conn.execute(
                        select(ListVersion.id).where(ListVersion.state == "loading")
                    ).scalar_one()
                self.seen_by_observer = {
                    "active": self.observer.active_versions()["ofac"].id,
                    "rows_of_loading_version": designation_rows(self.observer, loading),
                    "active_count": len(self.observer.active_designations()),
                }
                raise RuntimeError("source file vanished mid-read")
            yield item


def test_load_failing_midway_leaves_previous_version_active(db_url: str) -> None:
    store, observer = Store(db_url), Store(db_url)
    try:
        first = store.load(make_parsed(numbers=range(1, 2 * INSERT_CHUNK + 501)))
        parsed = make_parsed(numbers=range(1, 2 * INSERT_CHUNK + 601))
        exploding = ExplodingDesignations(parsed.designations, INSERT_CHUNK + 500, observer)
        parsed.designations = exploding

        with pytest.raises(RuntimeError, match="vanished"):
            store.load(parsed)

        assert exploding.seen_by_observer == {
            "active": first.id,
            "rows_of_loading_version": 0,
            "active_count": 2 * INSERT_CHUNK + 500,
        }
        failed = store.versions("ofac")[0]
        assert failed.state == "failed" and not failed.active
        assert "vanished" in (failed.error or "")
        assert designation_rows(store, failed.id) == 0
        assert store.active_versions()["ofac"].id == first.id
        assert len(store.active_designations()) == 2 * INSERT_CHUNK + 500
    finally:
        store.close()
        observer.close()


def install_failing_trigger(store: Store, entity_id: str) -> None:
    """A real database error on one insert, like a constraint the data breaks."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER boom BEFORE INSERT ON designations "
                f"WHEN NEW.entity_id = '{entity_id}' BEGIN SELECT RAISE(ABORT, 'row rejected'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.entity_id = '{entity_id}' THEN RAISE EXCEPTION 'row rejected'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER boom BEFORE INSERT ON designations FOR EACH ROW EXECUTE FUNCTION boom()"
            )


def test_database_error_midway_rolls_back_the_whole_version(store: Store) -> None:
    first = store.load(make_parsed(numbers=range(1, INSERT_CHUNK + 11)))
    install_failing_trigger(store, f"ofac:{INSERT_CHUNK + 5}")

    with pytest.raises(StoreError, match=r"could not store the new ofac version.*row rejected"):
        store.load(make_parsed(numbers=range(1, INSERT_CHUNK + 21)))

    failed = store.versions("ofac")[0]
    assert failed.state == "failed" and "row rejected" in (failed.error or "")
    assert designation_rows(store, failed.id) == 0
    assert store.active_versions()["ofac"].id == first.id
    assert store.get_entity("ofac:1") is not None


def test_duplicate_or_foreign_entity_ids_are_refused_clearly(store: Store) -> None:
    good = store.load(make_parsed())
    duplicated = make_parsed()
    duplicated.designations.append(make_designation(ListCode.OFAC, 4))
    with pytest.raises(StoreError, match="entity id ofac:4 occurs twice"):
        store.load(duplicated)

    foreign = make_parsed()
    foreign.designations.append(make_designation(ListCode.UN, 77))
    with pytest.raises(StoreError, match="un:77 belongs to list un, not ofac"):
        store.load(foreign)
    assert store.active_versions()["ofac"].id == good.id


def test_reopening_applies_migrations_once(db_url: str) -> None:
    Store(db_url).close()
    store = Store(db_url)
    try:
        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        scripts = ScriptDirectory.from_config(config)
        with store.engine.connect() as conn:
            applied = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        assert applied == set(scripts.get_heads())
        assert "0001_lists" in {rev.revision for rev in scripts.iterate_revisions(applied, "base")}
        assert store.active_versions() == {}
        assert store.active_designations() == []
    finally:
        store.close()


def test_older_publish_date_is_loaded_with_a_warning(store: Store) -> None:
    store.load(make_parsed(publish_date="2024-06-19"))
    older = store.load(make_parsed(publish_date="2023-01-01"))
    assert older.active
    assert any("older than the previously active version" in w for w in older.warnings)
