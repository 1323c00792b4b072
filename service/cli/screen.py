"""CLI commands: screen (one name, or a JSON-lines file of queries) and compare (one pair).

The index is built once per process from the store's active list versions; with no
list active the command refuses to screen (fail closed) instead of answering "clear".
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer
from pydantic import ValidationError

from service.validation import dob_problem, name_problem, quote_prefix

if TYPE_CHECKING:
    from screening.query import Query, ScreeningResult
    from screening.screener import Screener

NO_LISTS_MESSAGE = "no list loaded: run `sanctions lists load`"
# Query fields as the user typed them on the command line, for error messages.
CLI_NAMES = {
    "name": "NAME",
    "type": "--type",
    "dob": "--dob",
    "country": "--country",
    "nationality": "--nationality",
    "lists": "--list",
    "threshold": "--threshold",
    "limit": "--limit",
    "truncated": "--truncated/--whole",
}
# Stale-list warnings of the lists this process screens against (set by load_screener).
LIST_WARNINGS: list[dict[str, Any]] = []


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def load_screener() -> Screener:
    """A Screener over the store's active designations; exit non-zero if none or a required list is missing.

    Stale lists are named on stderr and kept in LIST_WARNINGS for the JSON answers
    (SANCTIONS_FAIL_ON_STALE=1: exit non-zero instead).
    """
    from lists.fetch.config import SourceConfigError
    from lists.store import Store
    from screening.heap import freeze_long_lived
    from screening.screener import Screener
    from service.config import database_url
    from service.freshness import ListsNotUsable, assess_store

    store = Store(database_url())
    versions = store.active_versions()
    designations = store.active_designations() if versions else []
    if not designations:
        raise _fail(NO_LISTS_MESSAGE)
    try:
        LIST_WARNINGS[:] = assess_store(store.engine, versions)
    except (ListsNotUsable, SourceConfigError) as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()
    for warning in LIST_WARNINGS:
        typer.echo(f"warning: {warning['message']}", err=True)
    labels = {code: info.label for code, info in versions.items()}
    screener = Screener(designations, labels)
    del designations
    freeze_long_lived()  # a JSON-lines run must not pause to walk the index
    return screener


def _validation_message(error: ValidationError) -> tuple[str, str]:
    """(field, message) of the first problem pydantic found, for a one-line error."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "(query)"
    return field, first.get("msg", str(error))


def screen_line(
    screener: Screener, line_number: int, line: str, algorithm: str | None = None
) -> tuple[dict[str, Any] | bytes, bool]:
    """Screen one JSON-lines query: (serialised result or error object, ok). Never raises for bad input."""
    from screening.query import Query

    if not line.strip():
        return {
            "line": line_number,
            "error": f"line {line_number}: empty line, expected a query object",
        }, False
    try:
        # Fast path: a valid query object parsed and validated in one pass by pydantic-core.
        query = Query.model_validate_json(line)
    except ValidationError:
        pass  # explained below, with the same one-line messages as ever
    else:
        return _checked_query(screener, line_number, query, algorithm)
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return {"line": line_number, "error": f"line {line_number}: invalid JSON: {exc}"}, False
    if not isinstance(data, dict):
        message = f"line {line_number}: expected a JSON object, got {type(data).__name__}"
        return {"line": line_number, "error": message}, False
    try:
        query = Query.model_validate(data)
    except ValidationError as exc:
        field, message = _validation_message(exc)
        return {
            "line": line_number,
            "field": field,
            "error": f"line {line_number}: {field}: {message}",
        }, False
    return _checked_query(screener, line_number, query, algorithm)


def query_problem(query: Query) -> tuple[str, str] | None:
    """(field, message) for a query the engine would take but the service refuses (see service.validation)."""
    problem = name_problem(query.name)
    if problem:
        return "name", problem
    if query.dob is not None and query.dob.strip():
        problem = dob_problem(query.dob)
        if problem:
            return "dob", problem
    return None


def _checked_query(
    screener: Screener, line_number: int, query: Query, algorithm: str | None = None
) -> tuple[dict[str, Any] | bytes, bool]:
    refused = query_problem(query)
    if refused is not None:
        field, message = refused
        return {
            "line": line_number,
            "field": field,
            "error": f"line {line_number}: {field}: {message}",
        }, False
    return _screen_query(screener, line_number, query, algorithm)


def _screen_query(
    screener: Screener, line_number: int, query: Query, algorithm: str | None = None
) -> tuple[dict[str, Any] | bytes, bool]:
    from screening.screener import NoListsLoaded

    if algorithm is not None and query.algorithm is None:  # a line's own algorithm wins over --algorithm
        query = query.model_copy(update={"algorithm": algorithm})

    try:
        result = screener.screen(query)
    except NoListsLoaded as exc:
        return {"line": line_number, "field": "lists", "error": f"line {line_number}: {exc}"}, False
    return result_json(result), True


def result_json(result: ScreeningResult) -> bytes:
    """`result.model_dump_json()`, byte for byte, at a third of the cost (orjson walks the models' fields)."""
    from screening.explanation import json_fields  # loaded with the result's own models

    return orjson.dumps(result, default=json_fields)


def screen_jsonl(
    screener: Screener, lines: Iterable[str], write: Callable[[bytes], Any], algorithm: str | None = None
) -> int:
    """Screen each line in order, writing one result (or error object) per line; returns the error count.

    `algorithm` applies to lines that name none (`screening.algorithms`).
    """
    errors = 0
    # each result line carries the stale-list warnings: `{...}` becomes `{..., "warnings": [...]}`
    tail = b',"warnings":' + orjson.dumps(LIST_WARNINGS) + b"}" if LIST_WARNINGS else None
    for number, line in enumerate(lines, start=1):
        output, ok = screen_line(screener, number, line, algorithm)
        errors += not ok
        data = output if isinstance(output, bytes) else orjson.dumps(output)
        if tail is not None and ok:
            data = data[:-1] + tail
        write(data + b"\n")
    return errors


def _print_result(result: ScreeningResult) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    versions = ", ".join(result.list_versions.values()) or "(unlabelled lists)"
    if result.decision == "hit":
        console.print(
            f"[bold red]HIT[/] {len(result.matches)} match(es) at or above {result.threshold:.2f} ({versions})"
        )
    else:
        console.print(f"[bold green]CLEAR[/] nothing at or above {result.threshold:.2f} ({versions})")
        return
    table = Table(show_lines=False)
    for column in ("score", "entity", "type", "name", "matched name", "kind", "programs"):
        table.add_column(column, overflow="fold")
    for match in result.matches:
        table.add_row(
            f"{match.score:.3f}",
            match.entity_id,
            match.type,
            match.name,
            match.matched_name,
            match.matched_name_kind,
            ", ".join(match.programs),
        )
    console.print(table)
    for match in result.matches:
        console.print(f"[bold]{match.entity_id}[/]: {match.explanation.summary}", highlight=False)


def screen(
    name: str | None = typer.Argument(None, metavar="NAME", help="Name to screen (omit with --input)."),
    type: str = typer.Option("any", "--type", help="person, entity, vessel, aircraft or any."),
    dob: str | None = typer.Option(None, "--dob", help="Date or year of birth, e.g. 1986-12-08 or 1986."),
    country: str | None = typer.Option(None, "--country", help="Country name or ISO code."),
    nationality: str | None = typer.Option(None, "--nationality", help="Nationality (country name or code)."),
    lists: list[str] | None = typer.Option(None, "--list", help="Only these lists (repeatable), e.g. ofac."),
    threshold: float | None = typer.Option(None, "--threshold", help="Alert threshold in [0, 1]."),
    limit: int = typer.Option(10, "--limit", help="At most this many matches."),
    truncated: bool | None = typer.Option(
        None,
        "--truncated/--whole",
        help="The name was cut by a field's length limit (default: judged from its length: 35, 70, 140).",
    ),
    input: Path | None = typer.Option(None, "--input", help="JSON-lines file of queries ('-' for stdin)."),
    algorithm: str | None = typer.Option(
        None,
        "--algorithm",
        help="Scoring algorithm: balanced-v1 (default) or ofac-sls; a JSON line's own wins.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Screen a name (or every query in a JSON-lines file) against the loaded lists."""
    from screening.algorithms import UnknownAlgorithm, get_algorithm
    from screening.query import Query
    from screening.screener import NoListsLoaded

    try:
        algorithm = None if algorithm is None else get_algorithm(algorithm).name
    except UnknownAlgorithm as exc:
        raise _fail(f"--algorithm: {exc}") from None
    if input is not None:
        if name is not None:
            raise _fail("give either a NAME or --input, not both")
        if str(input) != "-" and not input.is_file():
            raise _fail(f"{input}: no such file")
        screener = load_screener()
        handle = sys.stdin if str(input) == "-" else input.open(encoding="utf-8")
        with handle:
            lines = (line.rstrip("\r\n") for line in handle)
            errors = screen_jsonl(screener, lines, sys.stdout.buffer.write, algorithm)
        sys.stdout.flush()
        if errors:
            raise _fail(f"{errors} line(s) of {input} could not be screened (see their error objects)", 1)
        return
    if name is None:
        raise _fail("give a NAME to screen, or --input FILE")
    problem = name_problem(name)
    if problem is not None:
        raise _fail(f"NAME {quote_prefix(name)}: {problem}")
    try:
        query = Query(
            name=name,
            type=type,  # type: ignore[arg-type]
            dob=dob,
            country=country,
            nationality=nationality,
            lists=lists or None,
            threshold=threshold,
            limit=limit,
            truncated=truncated,
            algorithm=algorithm,
        )
    except ValidationError as exc:
        field, message = _validation_message(exc)
        raise _fail(f"{CLI_NAMES.get(field.split('.')[0], field)}: {message}") from None
    refused = query_problem(query)
    if refused is not None:
        field, message = refused
        raise _fail(f"{CLI_NAMES[field]}: {message}")
    screener = load_screener()
    try:
        result = screener.screen(query)
    except NoListsLoaded as exc:
        raise _fail(str(exc)) from None
    if json_output:
        sys.stdout.buffer.write(
            orjson.dumps(
                {**result.model_dump(mode="json"), "warnings": LIST_WARNINGS}, option=orjson.OPT_INDENT_2
            )
            + b"\n"
        )
        sys.stdout.flush()
    else:
        _print_result(result)


def compare(
    name_a: str = typer.Argument(..., metavar="NAME_A", help="First name."),
    name_b: str = typer.Argument(..., metavar="NAME_B", help="Second name."),
    type: str = typer.Option("any", "--type", help="person, entity, vessel, aircraft or any."),
    json_output: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Score one pair of names and explain the score."""
    from screening.compare import compare as compare_names

    if type not in {"person", "entity", "vessel", "aircraft", "any"}:
        raise _fail(f"--type: expected person, entity, vessel, aircraft or any, got {type!r}")
    for argument, value in (("NAME_A", name_a), ("NAME_B", name_b)):
        problem = name_problem(value)
        if problem is not None:
            raise _fail(f"{argument} {quote_prefix(value)}: {problem}")
    comparison = compare_names(name_a, name_b, type)
    data = comparison.model_dump(mode="json")
    if json_output:
        sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
        return
    _print_comparison(data)


def _print_comparison(data: dict[str, Any]) -> None:
    """The comparison for people: verdict, the words each name was read as, and how each word matched."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    explanation = data.get("explanation", {})
    verdict = "[bold red]MATCH[/]" if data.get("decision") == "match" else "[bold green]NO MATCH[/]"
    console.print(
        f"{verdict} score {data['score']:.3f} (threshold {data['threshold']:.2f}, type {data['type']})",
        highlight=False,
    )
    names = Table(show_header=True, box=None, pad_edge=False)
    for column in ("", "name", "words", "legal forms"):
        names.add_column(column, overflow="fold")
    for side, key in (("A", "a"), ("B", "b")):
        names.add_row(
            side,
            data[f"name_{key}"],
            " ".join(explanation.get(f"tokens_{key}", [])) or "-",
            " ".join(explanation.get(f"legal_forms_{key}", [])) or "-",
        )
    console.print(names)
    words = Table(title="word matches", title_justify="left")
    for column in ("word of A", "word of B", "how", "score", "weight"):
        words.add_column(column, overflow="fold")
    for match in explanation.get("token_matches", []):
        words.add_row(
            str(match.get("query_token") or "-"),
            str(match.get("list_token") or "-"),
            str(match.get("how", "")),
            f"{match.get('score', 0.0):.3f}",
            f"{match.get('weight', 0.0):.3f}",
        )
    console.print(words)
    for note in explanation.get("notes", []):
        console.print(f"note: {note}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("screen")(screen)
    app.command("compare")(compare)
