"""Attachments: type checked by content, size-limited, content-addressed and deduplicated, visible
to the uploading organisation and to those who see what they are attached to."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataasset.core.errors import Forbidden, Invalid, NotFound, TooLarge
from dataasset.core.files import FileStore, StoredFile, get_visible, upload
from dataasset.core.filetypes import DOCX, XLSX, FileTypeRejected, clean_name, detect
from dataasset.core.models import EvidenceEntry

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office(kind: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml" if kind == "xlsx" else "word/document.xml", "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("申请函.pdf", PDF, "application/pdf"),
        ("截图.PNG", PNG, "image/png"),
        ("照片.jpg", JPEG, "image/jpeg"),
        ("照片.jpeg", JPEG, "image/jpeg"),
        ("字段清单.xlsx", office("xlsx"), XLSX),
        ("协议.docx", office("docx"), DOCX),
        ("说明.txt", "使用说明\n第二行".encode(), "text/plain; charset=utf-8"),
        ("字段.csv", "字段,说明\n电量,月度\n".encode("gb18030"), "text/csv; charset=gb18030"),
        ("bom.csv", "\ufeffa,b\n".encode(), "text/csv; charset=utf-8"),
    ],
)
def test_allowed_types_are_recognised_by_content(name: str, content: bytes, media_type: str) -> None:
    assert detect(name, content)[1] == media_type


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("程序.exe", b"MZ\x90\x00\x03\x00\x00\x00", "file_type_not_allowed"),
        ("伪装.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "file_type_not_allowed"),
        ("脚本.sh", b"#!/bin/sh\necho hi\n", "file_type_not_allowed"),
        ("图片.png", PDF, "file_type_mismatch"),
        ("表格.xlsx", office("docx"), "file_type_mismatch"),
        ("压缩包.zip", b"PK\x03\x04" + b"\x00" * 40, "file_type_not_allowed"),
        ("文本.txt", b"abc\x00def", "file_type_not_allowed"),
        ("无扩展名", PDF, "file_type_not_allowed"),
    ],
)
def test_other_types_and_mismatches_are_refused_in_chinese(name: str, content: bytes, code: str) -> None:
    with pytest.raises(FileTypeRejected) as err:
        detect(name, content)
    assert err.value.code == code and ("不支持" in err.value.message or "不符" in err.value.message)


def test_names_lose_their_paths_and_control_characters() -> None:
    assert clean_name("../../etc/passwd.txt") == "passwd.txt"
    assert clean_name("C:\\Users\\张三\\申请\x07函.pdf") == "申请函.pdf"
    long = "长" * 300 + ".pdf"
    assert len(clean_name(long)) == 200 and clean_name(long).endswith(".pdf")


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore.under(tmp_path, 1024)


def _evidence(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(EvidenceEntry)) or 0


def test_upload_stores_by_hash_once_and_records_evidence(db: Session, actor: Any, store: FileStore) -> None:
    me = actor("ss_merchant")
    before = _evidence(db)
    row = upload(db, me, store, "申请函.pdf", PDF)
    sha = hashlib.sha256(PDF).hexdigest()
    assert row.sha256 == sha and row.size == len(PDF) and row.organisation_id == me.organisation_id
    assert store.path_for(sha) == store.root / sha[:2] / sha and store.read(sha) == PDF
    assert _evidence(db) == before + 1
    again = upload(db, me, store, "重复上传.pdf", PDF)
    assert again.id == row.id and _evidence(db) == before + 1  # same org, same content: nothing new
    other = upload(db, actor("xn_admin"), store, "另一份.pdf", PDF)
    assert other.id != row.id and other.sha256 == sha  # another organisation's row, same bytes
    assert len(list(store.root.rglob("*"))) == 2  # one directory, one blob


def test_limits_and_types_are_enforced(db: Session, actor: Any, store: FileStore) -> None:
    me = actor("ss_merchant")
    with pytest.raises(TooLarge) as big:
        upload(db, me, store, "大文件.txt", b"a" * 1025)
    assert big.value.status == 413 and "文件过大" in big.value.message
    with pytest.raises(Invalid) as empty:
        upload(db, me, store, "空.txt", b"")
    assert empty.value.code == "file_empty"
    with pytest.raises(Invalid) as bad:
        upload(db, me, store, "程序.exe", b"MZ\x90\x00")
    assert bad.value.status == 422 and bad.value.code == "file_type_not_allowed"
    with pytest.raises(Forbidden):
        upload(db, actor("cssjj"), store, "监管.pdf", PDF)  # regulators upload nothing


def test_only_the_uploading_organisation_and_admins_see_an_unattached_file(
    db: Session, actor: Any, store: FileStore
) -> None:
    row = upload(db, actor("ss_merchant"), store, "申请函.pdf", PDF)
    assert get_visible(db, actor("ss_merchant"), row.sha256).id == row.id
    assert get_visible(db, actor("admin"), row.sha256).id == row.id
    for outsider in ("xn_admin", "cssjj"):
        with pytest.raises(NotFound):
            get_visible(db, actor(outsider), row.sha256)
    assert db.scalar(select(func.count()).select_from(StoredFile).where(StoredFile.sha256 == row.sha256)) == 1
