from __future__ import annotations

import asyncio
import hashlib
import io

import pytest
from PIL import Image
from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.api.downloads import content_disposition
from amarcord.config import Settings
from amarcord.db.models import File, FileChunk
from tests.support.factories import create_beamtime
from tests.support.media import (
    count_rows,
    feed_of,
    files_form,
    jpeg,
    noisy_jpeg,
    oversized_png,
    png,
    upload,
)


async def test_upload_records_metadata_detected_from_the_content(
    client: Client, app: Quart
) -> None:
    bt = (await create_beamtime(client))["id"]
    content = b'{"detector": "Eiger 16M"}'
    body = await upload(client, bt, content, "../data/setup.txt", description="geometry")
    assert body["name"] == "setup.txt"
    assert body["description"] == "geometry"
    assert body["mime_type"] == "application/json"
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["width"] is None and body["height"] is None
    assert body["created_at"].endswith("Z")
    feed = await feed_of(app, bt, "file")
    assert [(c.action, c.entity_id) for c in feed] == [("created", body["id"])]


async def test_the_client_content_type_is_ignored(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    from werkzeug.datastructures import FileStorage

    fake = FileStorage(io.BytesIO(b"\x00\x01binary"), filename="x.png", content_type="image/png")
    response = await client.post(f"/api/beamtimes/{bt}/files", files={"file": fake})
    assert (await response.get_json())["mime_type"] == "application/octet-stream"


async def test_image_upload_has_size_and_thumbnail(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    body = await upload(client, bt, noisy_jpeg((800, 600)), "crystal.jpg")
    assert (body["mime_type"], body["width"], body["height"]) == ("image/jpeg", 800, 600)
    response = await client.get(f"/api/files/{body['id']}/thumbnail")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(await response.get_data())) as thumb:
        assert max(thumb.size) <= 256


async def test_identical_content_is_stored_once_per_beamtime(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    other = (await create_beamtime(client, external_id="other"))["id"]
    first = await upload(client, bt, b"same bytes", "a.txt", description="first")
    again = await upload(client, bt, b"same bytes", "b.txt", description="second", expect=200)
    assert again == first  # name and description unchanged
    elsewhere = await upload(client, other, b"same bytes", "c.txt")
    assert elsewhere["id"] != first["id"]
    assert await count_rows(app, File) == 2
    assert len(await feed_of(app, bt, "file")) == 1


async def test_concurrent_uploads_of_the_same_content_make_one_file(
    client: Client, app: Quart
) -> None:
    bt = (await create_beamtime(client))["id"]
    content = noisy_jpeg((320, 240))
    responses = await asyncio.gather(
        *(
            client.post(f"/api/beamtimes/{bt}/files", files=files_form(content, f"{i}.jpg"))
            for i in range(8)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 7 + [201]
    ids = {(await r.get_json())["id"] for r in responses}
    assert len(ids) == 1
    assert await count_rows(app, File) == 1


async def test_download_streams_the_content_with_headers(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    content = bytes(range(256)) * 10_000  # crosses chunk boundaries
    body = await upload(client, bt, content, "raw.bin")
    response = await client.get(f"/api/files/{body['id']}")
    assert response.status_code == 200
    assert await response.get_data() == content
    assert response.headers["Content-Length"] == str(len(content))
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["ETag"] == f'"{body["sha256"]}"'
    assert response.headers["Content-Disposition"] == 'attachment; filename="raw.bin"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_large_content_is_split_into_chunks(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    content = bytes(range(256)) * (3 * 4096 + 1)  # a little more than 3 MiB
    body = await upload(client, bt, content)
    assert await count_rows(app, FileChunk) == 4
    response = await client.get(f"/api/files/{body['id']}")
    assert hashlib.sha256(await response.get_data()).hexdigest() == body["sha256"]


async def test_empty_file(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    body = await upload(client, bt, b"", "empty.dat")
    assert body["size"] == 0
    response = await client.get(f"/api/files/{body['id']}")
    assert response.status_code == 200
    assert await response.get_data() == b""


async def test_if_none_match_gives_304(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    body = await upload(client, bt, png(), "p.png")
    tag = f'"{body["sha256"]}"'
    response = await client.get(f"/api/files/{body['id']}", headers={"If-None-Match": tag})
    assert response.status_code == 304
    assert response.headers["ETag"] == tag
    assert await response.get_data() == b""
    listed = f'"other", W/{tag}'
    response = await client.get(f"/api/files/{body['id']}", headers={"If-None-Match": listed})
    assert response.status_code == 304
    thumb = await client.get(f"/api/files/{body['id']}/thumbnail")
    response = await client.get(
        f"/api/files/{body['id']}/thumbnail", headers={"If-None-Match": thumb.headers["ETag"]}
    )
    assert response.status_code == 304


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("photo.jpg", jpeg(), 'inline; filename="photo.jpg"'),
        ("notes.txt", b"plain text", 'inline; filename="notes.txt"'),
        ("paper.pdf", b"%PDF-1.7\n", 'inline; filename="paper.pdf"'),
        (
            "Größe 20°.txt",
            b"text",
            "inline; filename=\"Gr__e 20_.txt\"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%2020%C2%B0.txt",
        ),
    ],
)
async def test_content_disposition(
    client: Client, name: str, content: bytes, expected: str
) -> None:
    bt = (await create_beamtime(client))["id"]
    body = await upload(client, bt, content, name)
    response = await client.get(f"/api/files/{body['id']}")
    assert response.headers["Content-Disposition"] == expected


def test_quotes_and_backslashes_never_reach_the_quoted_filename() -> None:
    assert content_disposition('say "hi"\\.bin', "application/zip") == (
        "attachment; filename=\"say _hi__.bin\"; filename*=UTF-8''say%20%22hi%22%5C.bin"
    )


async def test_thumbnail_of_a_non_image_is_404(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    body = await upload(client, bt, b"text", "a.txt")
    response = await client.get(f"/api/files/{body['id']}/thumbnail")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


async def test_meta(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    body = await upload(client, bt, png(), "p.png")
    response = await client.get(f"/api/files/{body['id']}/meta")
    assert await response.get_json() == body


async def test_unknown_file_is_404(client: Client) -> None:
    for suffix in ("", "/thumbnail", "/meta"):
        response = await client.get(f"/api/files/999999{suffix}")
        assert response.status_code == 404
    assert (await client.delete("/api/files/999999")).status_code == 404


async def test_upload_to_unknown_beamtime_is_404(client: Client) -> None:
    response = await client.post("/api/beamtimes/999999/files", files=files_form(b"x"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(noisy_jpeg((640, 480))[:20_000], id="truncated-jpeg"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, id="random-bytes-png-header"),
        pytest.param(oversized_png(100_000, 100_000), id="decompression-bomb"),
    ],
)
async def test_broken_images_are_422_and_not_stored(
    client: Client, app: Quart, content: bytes
) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.post(f"/api/beamtimes/{bt}/files", files=files_form(content, "x.img"))
    assert response.status_code == 422
    problem = await response.get_json()
    assert problem["errors"][0]["loc"] == ["file"]
    assert await count_rows(app, File) == 0
    assert await count_rows(app, FileChunk) == 0


async def test_missing_file_part_is_422(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.post(f"/api/beamtimes/{bt}/files", form={"description": "x"})
    # A urlencoded form is not multipart at all.
    assert response.status_code == 415
    response = await client.post(
        f"/api/beamtimes/{bt}/files",
        data=b'--b\r\nContent-Disposition: form-data; name="description"\r\n\r\nx\r\n--b--\r\n',
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 422
    assert (await response.get_json())["errors"][0]["loc"] == ["file"]


async def test_malformed_multipart_is_400(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.post(
        f"/api/beamtimes/{bt}/files",
        data=b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nunfinished',
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400
    response = await client.post(
        f"/api/beamtimes/{bt}/files",
        data=b"whatever",
        headers={"Content-Type": "multipart/form-data"},
    )
    assert response.status_code == 400


class TestUploadLimit:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"max_upload_bytes": 100_000})

    async def test_oversize_upload_is_413_and_not_stored(self, client: Client, app: Quart) -> None:
        bt = (await create_beamtime(client))["id"]
        response = await client.post(
            f"/api/beamtimes/{bt}/files", files=files_form(b"x" * 200_000, "big.bin")
        )
        assert response.status_code == 413
        assert response.headers["Content-Type"] == "application/problem+json"
        assert await count_rows(app, File) == 0


async def test_delete_file(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    body = await upload(client, bt, b"bytes", "a.txt")
    response = await client.delete(f"/api/files/{body['id']}", headers={"If-Match": '"nope"'})
    assert response.status_code == 412
    response = await client.delete(
        f"/api/files/{body['id']}", headers={"If-Match": f'"{body["sha256"]}"'}
    )
    assert response.status_code == 204
    assert (await client.get(f"/api/files/{body['id']}")).status_code == 404
    assert await count_rows(app, FileChunk) == 0
    feed = await feed_of(app, bt, "file")
    assert [c.action for c in feed] == ["created", "deleted"]
    assert feed[-1].before is not None and feed[-1].before["name"] == "a.txt"
