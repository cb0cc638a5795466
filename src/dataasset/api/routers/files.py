"""Attachments: upload (checked by content and size), download what you may see."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, UploadFile
from fastapi.responses import Response

from dataasset.api.deps import CurrentActor, DbSession
from dataasset.core import files
from dataasset.core.workflow.schemas import FileRead

router = APIRouter(prefix="/api/files", tags=["files"])
Sha256Path = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="文件的 SHA-256")]


def _store(request: Request) -> files.FileStore:
    settings = request.app.state.settings
    return files.FileStore.under(settings.var_dir, settings.max_upload_bytes)


@router.post("", status_code=201)
def upload_file(request: Request, file: UploadFile, actor: CurrentActor, session: DbSession) -> FileRead:
    """PDF, PNG, JPEG, xlsx, docx, TXT or CSV up to the upload limit; the answer's ``sha256`` is
    what an approval's ``attachments`` name."""
    store = _store(request)
    content = file.file.read(store.max_bytes + 1)
    row = files.upload(session, actor, store, file.filename or "", content)
    return FileRead.model_validate(row)


@router.get(
    "/{sha256}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "文件内容"}},
)
def download_file(sha256: Sha256Path, request: Request, actor: CurrentActor, session: DbSession) -> Response:
    row = files.get_visible(session, actor, sha256)
    return Response(
        _store(request).read(row.sha256),
        media_type=row.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )
