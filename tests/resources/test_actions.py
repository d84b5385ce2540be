"""The actions: timers start and stop, document upload. Each is sent once, never twice."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest

from seventime_async import (
    APITimeoutError,
    DocumentEntityType,
    InvalidRequestError,
    ServerError,
    SevenTime,
    TimeLog,
    Timer,
)
from seventime_async.testing import MockResponse, MockTransport, Sandbox

UPLOAD = {"uploaded_by": "u1", "entity_id": "w1", "entity_type": DocumentEntityType.WORK_ORDER}


async def test_a_timer_starts_lists_and_stops_into_a_time_log() -> None:
    async with (
        Sandbox(rate_limit=False, collection_records=0) as sb,
        SevenTime(sb.client_secret, base_url=sb.url) as st,
    ):
        timer = await st.timers.start(user="u7", project="p1")
        assert isinstance(timer, Timer)
        assert (timer.user, timer.project) == ("u7", "p1")
        assert [t.id async for t in st.timers.list(user="u7")] == [timer.id]
        log = await st.timers.stop(user="u7")
        assert isinstance(log, TimeLog)
        assert log.user == "u7"
        assert [t async for t in st.timers.list()] == []
        with pytest.raises(InvalidRequestError) as caught:
            await st.timers.stop()
        assert caught.value.field == "timer_id"
    sent = [(r.method, r.path) for r in sb.requests]
    assert ("POST", "/api/2/startTimer/") in sent
    assert ("POST", "/api/2/stopTimer/") in sent


@pytest.mark.parametrize("failure", ["500", "timeout"])
async def test_an_action_that_fails_after_being_sent_is_not_sent_again(failure: str) -> None:
    def answer(request: Any) -> MockResponse:
        if failure == "timeout":
            raise APITimeoutError("timed out", method=request.method, path=request.path)
        return MockResponse(status=500, json={"errorMessage": "boom"})

    transport = MockTransport(answer)
    async with SevenTime("k", transport=transport, rate_limit=None) as st:
        with pytest.raises((ServerError, APITimeoutError)) as caught:
            await st.timers.start(user="u7")
        with pytest.raises((ServerError, APITimeoutError)):
            await st.documents.upload(b"%PDF", file_name="a.pdf", **UPLOAD)
    assert caught.value.attempts == 1
    assert len(transport.requests) == 2  # one each: the server may have acted already


def _upload_body(transport: MockTransport) -> dict[str, Any]:
    body: dict[str, Any] = transport.requests[-1].json()
    return body


@pytest.mark.parametrize("source", ["path", "bytes", "file"])
async def test_a_document_is_uploaded_as_base64_json_from_any_source(
    source: str, tmp_path: Path
) -> None:
    content = bytes(range(256)) * 5000  # 1.28 MB, more than one chunk
    path = tmp_path / "plan.pdf"
    path.write_bytes(content)
    given: Any = {"path": str(path), "bytes": content}.get(source) or path.open("rb")
    transport = MockTransport(lambda request: MockResponse(json={"success": True}))
    names = {} if source != "bytes" else {"file_name": "plan.pdf"}
    async with SevenTime("k", transport=transport) as st:
        result = await st.documents.upload(given, **UPLOAD, **names)
    assert result.success is True
    body = _upload_body(transport)
    assert base64.b64decode(body["file"]["fileContent"]) == content
    assert body["file"]["options"] == {"fileName": "plan.pdf", "contentType": "application/pdf"}
    assert (body["uploadedBy"], body["entityId"], body["entityType"]) == ("u1", "w1", 200)
    assert body["folderId"] is None
    assert transport.requests[-1].path == "/api/2/documents/"
    if source == "file":
        assert not given.closed  # the caller's file stays the caller's
        given.close()


async def test_a_file_over_the_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    class Unreadable(io.BytesIO):
        def read(self, *_: Any) -> bytes:
            raise AssertionError("read although the size was known to be too large")

    transport = MockTransport(lambda request: MockResponse(json={"success": True}))
    async with SevenTime("k", transport=transport) as st:
        with pytest.raises(InvalidRequestError) as caught:
            await st.documents.upload(
                Unreadable(b"x" * 2048), file_name="a.bin", max_bytes=1024, **UPLOAD
            )
        assert caught.value.field == "file"
        for bad, field in (
            ({"entity_type": 999}, "entity_type"),
            ({"uploaded_by": None}, "uploaded_by"),
            ({"folder": "f"}, "folder"),
        ):
            with pytest.raises(InvalidRequestError) as caught:
                await st.documents.upload(b"x", file_name="a.txt", **{**UPLOAD, **bad})
            assert caught.value.field == field
        with pytest.raises(InvalidRequestError) as caught:
            await st.documents.upload(b"x", **UPLOAD)
        assert caught.value.field == "file_name"
    assert transport.requests == []


async def test_the_sandbox_takes_an_upload_and_checks_its_required_fields() -> None:
    async with (
        Sandbox(rate_limit=False) as sb,
        SevenTime(sb.client_secret, base_url=sb.url) as st,
    ):
        uploaded = await st.documents.upload(b"hello", file_name="hello.txt", **UPLOAD)
    assert uploaded.success is True
    assert json.loads(json.dumps(uploaded.extra)) == {}
