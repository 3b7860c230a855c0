"""Every operation of the OpenAPI document, fed hostile input: ids and numbers beyond every
integer column, NUL characters, impossible dates, wrong types, deep nesting. Whatever a
client sends, the answer is a problem+json 4xx (or a success), never a 500.

The previous generation answered much of this with a 500. The walk reads the operations and
their body properties from the app's own OpenAPI document, so a new route or field is walked
without touching this file."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client
from werkzeug.datastructures import FileStorage

from tests.support.factories import create_attributo, create_beamtime, create_chemical
from tests.support.media import upload
from tests.support.problems import problem_of

HUGE = 10**20  # beyond every engine's 64-bit integers
HOSTILE_VALUES: list[Any] = [
    HUGE,
    -HUGE,
    -1,
    0,
    1.5,
    True,
    "",
    "\x00",
    "a\x00b",
    "\ud800",
    "x" * 5000,
    str(HUGE),
    f"1-{HUGE}",
    "2026-13-45T99:00:00Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    [],
    [HUGE],
    [{"": HUGE}],
    {},
    {"": HUGE},
    None,
]
HOSTILE_QUERY = [
    str(HUGE),
    str(-HUGE),
    "-1",
    "",
    "\x00",
    "abc",
    f"1-{HUGE}",
    "0001-01-01",
    "9999-12-31T23:59:59+14:00",
    "2026-13-45",
]
HOSTILE_FILTERS = [
    f"number > {HUGE}",
    f"integer_value == {-HUGE}",
    "decimal_value < 1e400",
    'string_value == "\x00"',
    "(" * 300 + "number > 1" + ")" * 300,
    "not " * 300 + "number > 1",
    " or ".join(["number > 1"] * 500),
]
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Raw:
    """A body that no JSON encoder would write."""

    text: str | bytes


RAW_BODIES = [
    Raw('{"attributi": ' + "[" * 5000 + "]" * 5000 + "}"),
    Raw('{"attributi": {"list_value": ' + "[" * 900 + "]" * 900 + "}}"),
    Raw('{"attributi": {"decimal_value": NaN}, "name": Infinity}'),
    Raw('{"name": "\\ud800"}'),
    Raw("{" * 5000),
    Raw(b'{"name": "\xff\xfe"}'),  # not UTF-8
]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # with the ids of the fixture filled in
    query: tuple[str, ...]
    body: dict[str, Any] | None  # the JSON request body's schema, if any

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def operations(document: dict[str, Any], ids: dict[str, str]) -> Iterator[Operation]:
    # Deletions last, so that the things they remove are there for every other operation.
    ordered = sorted(
        ((path, method) for path, item in document["paths"].items() for method in item),
        key=lambda pair: pair[1] == "delete",
    )
    for template, method in ordered:
        if method not in METHODS or template.endswith("/stream"):
            continue
        spec = document["paths"][template][method]
        path = template
        for name, value in ids.items():
            path = path.replace(f"{{{name}}}", value)
        query = tuple(p["name"] for p in spec.get("parameters", ()) if p["in"] == "query")
        content = spec.get("requestBody", {}).get("content", {})
        body = content.get("application/json", {}).get("schema")
        yield Operation(method, path, query, None if body is None else _resolve(document, body))


def hostile_bodies(
    document: dict[str, Any], schema: dict[str, Any], names: list[str]
) -> Iterator[Any]:
    """Non-objects, then every property set to every hostile value on its own; `attributi`
    objects get every hostile value under every attributo name, and arrays of objects get
    hostile values inside their items."""
    yield from ([], "x", HUGE, None, {"": None})
    yield from RAW_BODIES
    for prop, prop_schema in schema.get("properties", {}).items():
        for value in HOSTILE_VALUES:
            yield {prop: value}
        if prop == "attributi":
            for name in names:
                for value in HOSTILE_VALUES:
                    yield {prop: {name: value}}
        item = _array_item(document, prop_schema)
        if item is not None:
            for inner in item.get("properties", {}):
                for value in HOSTILE_VALUES:
                    yield {prop: [{inner: value}]}


def _array_item(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any] | None:
    for option in [schema, *schema.get("anyOf", ())]:
        resolved = _resolve(document, option)
        if resolved.get("type") == "array" and "items" in resolved:
            return _resolve(document, resolved["items"])
    return None


@pytest.fixture
async def world(client: Client, app: Quart) -> dict[str, str]:
    """A beamtime with one of everything, for the ids in paths."""
    bt = (await create_beamtime(client))["id"]
    base = f"/api/beamtimes/{bt}"
    kinds = {
        "integer_value": {"kind": "integer"},
        "decimal_value": {"kind": "decimal", "unit": "mm", "minimum": 0, "maximum": 10},
        "string_value": {"kind": "string"},
        "boolean_value": {"kind": "boolean"},
        "datetime_value": {"kind": "datetime"},
        "choice_value": {"kind": "choice", "choices": ["a", "b"]},
        "list_value": {"kind": "list", "item_kind": "decimal", "min_items": 1},
        "chemical_value": {"kind": "chemical"},
    }
    attributo = None
    for name, type_ in kinds.items():
        attributo = await create_attributo(client, bt, name, type_)
    await create_attributo(client, bt, "purity", {"kind": "decimal"}, table="chemical")
    chemical = await create_chemical(client, bt, "lysozyme")
    run = await client.put(f"{base}/runs/7", json={"attributi": {"integer_value": 1}})
    assert run.status_code == 201
    event = await (await client.post(f"{base}/events", json={"text": "hello"})).get_json()
    kind = await (
        await client.post(f"{base}/experiment-types", json={"name": "plain", "attributi": []})
    ).get_json()
    data_set = await (
        await client.post(f"{base}/data-sets", json={"experiment_type_id": kind["id"]})
    ).get_json()
    file = await upload(client, bt, b"some bytes", "notes.txt")
    token = await (
        await client.post(f"{base}/tokens", json={"name": "daq", "role": "editor"})
    ).get_json()
    assert attributo is not None
    return {
        "bt": str(bt),
        "attributo_id": str(attributo["id"]),
        "chemical_id": str(chemical["id"]),
        "number": "7",
        "event_id": str(event["id"]),
        "type_id": str(kind["id"]),
        "data_set_id": str(data_set["id"]),
        "file_id": str(file["id"]),
        "token_id": str(token["id"]),
        "username": "nobody",
    }


def _failure(operation: Operation, sent: str, status: int, content_type: str) -> str | None:
    if status >= 500:
        return f"{operation} {sent}: {status}"
    if status >= 400 and content_type != "application/problem+json":
        return f"{operation} {sent}: {status} as {content_type}"
    return None


async def test_no_hostile_input_gets_a_500(
    client: Client, app: Quart, world: dict[str, str]
) -> None:
    document = await (await client.get("/openapi.json")).get_json()
    names = [
        "integer_value",
        "decimal_value",
        "string_value",
        "boolean_value",
        "datetime_value",
        "choice_value",
        "list_value",
        "chemical_value",
        "purity",
    ]
    failures: list[str] = []
    requests = 0
    for operation in operations(document, world):
        for name in operation.query:
            values = [*HOSTILE_QUERY, *(HOSTILE_FILTERS if name == "filter" else ())]
            for value in values:
                response = await client.open(
                    operation.path, method=operation.method.upper(), query_string={name: value}
                )
                requests += 1
                failure = _failure(
                    operation, f"?{name}={value[:40]!r}", response.status_code, response.mimetype
                )
                if failure:
                    failures.append(failure)
        if operation.body is None or operation.method == "delete":
            continue
        for body in hostile_bodies(document, operation.body, names):
            if isinstance(body, Raw):
                response = await client.open(
                    operation.path,
                    method=operation.method.upper(),
                    data=body.text,
                    headers={"Content-Type": "application/json"},
                )
            else:
                response = await client.open(
                    operation.path, method=operation.method.upper(), json=body
                )
            requests += 1
            failure = _failure(operation, repr(body)[:80], response.status_code, response.mimetype)
            if failure:
                failures.append(failure)
    assert requests > 1000
    assert not failures, "\n".join(failures)


# The cases the walk above found, each with the answer it gets now.


async def test_strings_no_database_can_store_are_422_at_their_field(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.patch(
        f"/api/beamtimes/{bt}",
        data='{"title": "a\\u0000b", "comment": "\\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    body = await problem_of(response, 422)
    assert [(e["loc"], e["msg"]) for e in body["errors"]] == [
        (["title"], "NUL characters (\\u0000) are not allowed"),
        (["comment"], "\\ud800 is half of a surrogate pair, not a character"),
    ]
    # A complete surrogate pair is one character (an emoji here) and is stored as such.
    response = await client.patch(
        f"/api/beamtimes/{bt}",
        data='{"title": "lysozyme \\ud83d\\udc8e"}',
        headers={"Content-Type": "application/json"},
    )
    assert (await response.get_json())["title"] == "lysozyme \U0001f48e"


@pytest.mark.parametrize("depth", [40, 5000])
async def test_bodies_nested_too_deeply_are_400(client: Client, depth: int) -> None:
    bt = (await create_beamtime(client))["id"]
    body = '{"attributi": {"x": ' + "[" * depth + "]" * depth + "}}"
    response = await client.put(
        f"/api/beamtimes/{bt}/runs/1", data=body, headers={"Content-Type": "application/json"}
    )
    assert "nested deeper than 32" in (await problem_of(response, 400))["detail"]


async def test_nul_characters_in_the_url(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    body = await problem_of(await client.get(f"/api/beamtimes/{bt}/events?q=a%00b"), 422)
    assert body["errors"][0]["loc"] == ["query", "q"]
    await problem_of(await client.delete(f"/api/beamtimes/{bt}/members/a%00b"), 404)


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        ("/runs?runs=1-99999999999", ["query", "runs"]),
        ("/runs?date=0001-01-01", ["query", "date"]),
        ("/events?run=99999999999", ["query", "run"]),
        ("/changes?after=99999999999999999999", ["query", "after"]),
        ("/data-sets?experiment_type_id=99999999999", ["query", "experiment_type_id"]),
    ],
)
async def test_numbers_beyond_the_columns_are_422_at_their_parameter(
    client: Client, path: str, loc: list[str]
) -> None:
    bt = (await create_beamtime(client))["id"]
    body = await problem_of(await client.get(f"/api/beamtimes/{bt}{path}"), 422)
    assert body["errors"][0]["loc"] == loc


async def test_ids_beyond_the_columns_in_a_body_are_422_at_their_field(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.post(
        f"/api/beamtimes/{bt}/events",
        json={"text": "x", "file_ids": [1, 99999999999], "run_number": 99999999999},
    )
    body = await problem_of(response, 422)
    assert sorted(e["loc"] for e in body["errors"]) == [["file_ids", 1], ["run_number"]]


async def test_a_file_description_with_a_nul_character_is_422(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.post(
        f"/api/beamtimes/{bt}/files",
        files={"file": FileStorage(io.BytesIO(b"notes"), filename="notes.txt")},
        form={"description": "a\x00b"},
    )
    body = await problem_of(response, 422)
    assert body["errors"][0]["loc"] == ["description"]


@pytest.mark.parametrize(
    ("path", "position"),
    [
        ("/runs?sort=name&limit=1", {"sort": "name", "value": "a\x00", "number": 1}),
        ("/chemicals?limit=1", {"name_key": "a\x00", "id": 1}),
    ],
)
async def test_a_cursor_with_a_nul_character_is_422(
    client: Client, path: str, position: dict[str, Any]
) -> None:
    bt = (await create_beamtime(client))["id"]
    await create_attributo(client, bt, "name", {"kind": "string"})
    cursor = base64.urlsafe_b64encode(json.dumps(position).encode()).decode()
    body = await problem_of(await client.get(f"/api/beamtimes/{bt}{path}&cursor={cursor}"), 422)
    assert body["errors"][0]["loc"] == ["query", "cursor"]


@pytest.mark.parametrize(("old", "value"), [("decimal", 1e300), ("string", "9" * 30)])
async def test_a_retype_to_integer_refuses_values_beyond_64_bits(
    client: Client, old: str, value: Any
) -> None:
    bt = (await create_beamtime(client))["id"]
    attributo = await create_attributo(client, bt, "x", {"kind": old})
    created = await client.put(f"/api/beamtimes/{bt}/runs/4", json={"attributi": {"x": value}})
    assert created.status_code == 201
    response = await client.patch(
        f"/api/beamtimes/{bt}/attributi/{attributo['id']}", json={"type": {"kind": "integer"}}
    )
    body = await problem_of(response, 422)
    assert body["errors"][0]["loc"] == ["runs", 4, "x"]
    assert "beyond the 64-bit integers" in body["errors"][0]["msg"]


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/json", b'{"title": "\xff\xfe"}'),
        ("application/json; charset=latin-1", b'{"title": "caf\xe9"}'),
    ],
)
async def test_a_body_that_is_not_utf8_is_400(
    client: Client, content_type: str, data: bytes
) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.patch(
        f"/api/beamtimes/{bt}", data=data, headers={"Content-Type": content_type}
    )
    assert "not UTF-8" in (await problem_of(response, 400))["detail"]
