"""Documents (reference: Documents.md): upload a file to a record.

The API has no document list or get: documents come embedded in their parent records
(``work_order.documents``). The upload is JSON with the file's bytes in base64, a
polymorphic parent (``entity_id`` and one of 14 ``entity_type`` codes) and an optional
folder; the server answers ``{"success": true}``, without an id. The reference also
calls this endpoint to add a folder, but does not say how a folder request is told
apart from a file without content, so folders are not offered.

A file larger than ``max_bytes`` (25 MiB unless told) is refused before it is read. The
body is built in one buffer, base64 written in chunks as the file is read: the client
holds the encoded body and one chunk, never a second whole copy of the file.
"""

from __future__ import annotations

import base64
import io
import json
import mimetypes
import os
from typing import Any, BinaryIO, Required, Unpack

import attrs

from .._codecs import Id, invalid
from .._http import Request
from .._models import LenientIntEnum
from .._options import CallOptions
from .._resource import Collection
from .._spec import Action, ResourceSpec

__all__ = [
    "DocumentEntityType",
    "DocumentUploadFields",
    "DocumentUploaded",
    "Documents",
]

#: The largest file ``upload`` accepts unless told otherwise (the reference states none).
DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024
#: Bytes read and encoded at a time (a multiple of 3: base64 needs no padding between).
_CHUNK = 3 * 256 * 1024


class DocumentEntityType(LenientIntEnum):
    """The kinds of record a document can belong to (the reference's table)."""

    WORK_ORDER = 200
    INVOICE = 400
    PROJECT = 500
    EXPENSE = 600
    CUSTOMER = 1100
    QUOTE = 1400
    MACHINE = 1500
    OBJECT_ITEM = 1600
    SUPPLEMENT_ORDER = 1800
    PURCHASE_ORDER = 2300
    EDUCATION_LOG = 2400
    DEVIATION = 3100
    MACHINE_LOG = 3200
    SUPPLIER_INVOICE = 3300


@attrs.define(slots=True, eq=True)
class DocumentUploaded:
    """What the server answers for an upload: ``success`` (no id is returned)."""

    success: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class DocumentUploadFields(CallOptions, total=False):
    """Who uploads it, the parent record, the folder, the name and type of the file."""

    uploaded_by: Required[Id]
    entity_id: Required[Id]
    entity_type: Required[DocumentEntityType | int]
    folder_id: Id | None
    file_name: str
    content_type: str
    max_bytes: int


_OPTIONS = frozenset(CallOptions.__annotations__)

FileSource = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO


class Documents(Collection[DocumentUploaded]):
    """``st.documents``: upload a file to a record (documents have no list or get)."""

    async def upload(
        self, file: FileSource, **fields: Unpack[DocumentUploadFields]
    ) -> DocumentUploaded:
        """Upload ``file`` (a path, bytes, or a binary file object) to the record
        ``entity_id`` of ``entity_type``. ``file_name`` defaults to the path's name and
        ``content_type`` to a guess from the name. Sent once, never retried after it may
        have reached the server.
        """
        options = {k: v for k, v in fields.items() if k in _OPTIONS}
        given = {k: v for k, v in fields.items() if k not in _OPTIONS}
        request = upload_request(self.spec, file, given)
        uploaded: DocumentUploaded = await self._ops.call(request, DocumentUploaded, options)
        return uploaded


def upload_request(spec: ResourceSpec, file: FileSource, given: dict[str, Any]) -> Request:
    """The upload's POST, checked before the file is read (pure but for reading it)."""
    max_bytes = given.pop("max_bytes", DEFAULT_MAX_UPLOAD_BYTES)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise invalid("max_bytes", f"must be a whole number >= 1, got {max_bytes!r}")
    file_name = given.pop("file_name", None)
    content_type = given.pop("content_type", None)
    stream, size, default_name, owned = _open(file)
    name = file_name if file_name is not None else default_name
    if not isinstance(name, str) or not name:
        raise invalid("file_name", "is required when the file is not a path")
    if content_type is None:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if not isinstance(content_type, str) or "/" not in content_type:
        raise invalid("content_type", f"expected a MIME type, got {content_type!r}")
    if size is not None and size > max_bytes:
        raise invalid("file", f"{size} bytes is more than max_bytes={max_bytes}")
    wire = _fields(spec, given)
    options = json.dumps({"fileName": name, "contentType": content_type}, ensure_ascii=False)
    body = bytearray(json.dumps(wire, ensure_ascii=False)[:-1].encode())
    body += b',"file":{"fileContent":"'
    read = 0
    try:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > max_bytes:  # a stream whose size was not known up front
                raise invalid("file", f"more than max_bytes={max_bytes} bytes")
            body += base64.b64encode(chunk)
    finally:
        if owned:
            stream.close()
    body += f'","options":{options}}}}}'.encode()
    # The buffer itself is the body: a bytes() copy would double the memory.
    return Request("POST", spec.url(spec.actions["upload"].path), body=body)


def _fields(spec: ResourceSpec, given: dict[str, Any]) -> dict[str, Any]:
    known = {field.name: field for field in spec.fields("upload")}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise invalid(unknown[0], "is not a field of a document upload")
    wire: dict[str, Any] = {}
    for field in known.values():
        value = given.get(field.name)
        if value is None and field.required:
            raise invalid(field.name, "is required to upload a document")
        if field.name in given or field.name == "folder_id":
            wire[field.wire] = None if value is None else field.check(value, field.name)
    return wire


def _open(file: FileSource) -> tuple[BinaryIO, int | None, str | None, bool]:
    """(a stream, its size if known, the name it suggests, whether we opened it)."""
    if isinstance(file, bytes | bytearray | memoryview):
        return io.BytesIO(file), len(file), None, True
    if isinstance(file, str | os.PathLike):
        path = os.fspath(file)
        try:
            size = os.stat(path).st_size
            stream: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by upload_request
        except OSError as exc:
            raise invalid("file", f"cannot read {path}: {exc.strerror or exc}") from None
        return stream, size, os.path.basename(path), True
    if hasattr(file, "read"):
        remaining: int | None = None
        if file.seekable():
            here = file.tell()
            remaining = file.seek(0, os.SEEK_END) - here
            file.seek(here)
        name = getattr(file, "name", None)
        return file, remaining, os.path.basename(name) if isinstance(name, str) else None, False
    raise invalid("file", f"expected a path, bytes or a binary file, got {type(file).__name__}")


DOCUMENTS = ResourceSpec(
    path="documents",
    record=DocumentUploaded,
    facade=Documents,
    actions={
        "upload": Action(fields=DocumentUploadFields, path="documents", result=DocumentUploaded)
    },
    id_field="success",
    sort_field=None,
)
