"""Request and response models of files and of the live-stream image."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field

from amarcord.schemas.common import OutModel
from amarcord.store.live_stream import LiveStreamInfo


class FileUpload(BaseModel):
    """The multipart/form-data fields of an upload (documentation only: the body is parsed
    as a stream, never through this model)."""

    file: bytes = Field(description="The content; its MIME type is detected from the bytes.")
    description: str = Field(default="", description="Free text shown with the file.")


class FrameUpload(BaseModel):
    """A live-stream frame sent as multipart/form-data (or send the raw JPEG/PNG body)."""

    file: bytes = Field(description="A JPEG or PNG image.")


class FileOut(OutModel):
    id: int
    name: str
    description: str
    mime_type: str = Field(description="Detected from the content, not from the client.")
    size: int
    sha256: str
    width: int | None = Field(description="Pixels, for images (EXIF orientation applied).")
    height: int | None
    created_at: AwareDatetime


class FileSummary(OutModel):
    """A file as events list it."""

    id: int
    name: str
    mime_type: str
    size: int
    width: int | None
    height: int | None


class SnapshotOut(BaseModel):
    file_id: int


def live_stream_url(beamtime_id: int) -> str:
    return f"/api/beamtimes/{beamtime_id}/live-stream"


class LiveStreamOverview(BaseModel):
    """The live-stream part of the overview; `url` serves the image itself."""

    updated_at: AwareDatetime
    size: int
    width: int
    height: int
    url: str

    @classmethod
    def of(cls, info: LiveStreamInfo) -> LiveStreamOverview:
        return cls(
            updated_at=info.updated_at,
            size=info.size,
            width=info.width,
            height=info.height,
            url=live_stream_url(info.beamtime_id),
        )


class LiveStreamOut(LiveStreamOverview):
    mime_type: str
    sha256: str

    @classmethod
    def of(cls, info: LiveStreamInfo) -> LiveStreamOut:
        return cls(
            **LiveStreamOverview.of(info).model_dump(), mime_type=info.mime_type, sha256=info.sha256
        )
