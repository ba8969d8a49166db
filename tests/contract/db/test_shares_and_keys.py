"""Sharing, uploads' owners and API-key listings on SQLite, PostgreSQL and the in-memory fake."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reflector_core.errors import NotFoundError
from reflector_core.model import Platform, Recording, RecordingKind, TranscriptFilter
from tests.contract.db.conftest import REPOSITORY_BACKENDS
from tests.contract.db.test_repositories import T0, UoW, seeded

pytestmark = pytest.mark.parametrize("backend", REPOSITORY_BACKENDS, indirect=True)


async def test_one_link_per_transcript_found_by_its_hash_and_gone_with_it(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    async with uow() as u:
        with pytest.raises(NotFoundError):
            await u.shares.set_link("missing", "h0", T0)
        await u.shares.set_link(tid, "h1", T0)
        await u.commit()
    async with uow() as u:
        assert await u.shares.by_link("h1") == tid and await u.shares.link_created(tid) == T0
        await u.shares.set_link(tid, "h2", T0 + timedelta(hours=1))  # replaces: the old hash opens nothing
        await u.commit()
    async with uow() as u:
        assert await u.shares.by_link("h1") is None and await u.shares.by_link("h2") == tid
        assert await u.shares.link_created(tid) == T0 + timedelta(hours=1)
        assert await u.shares.drop_link(tid) is True and await u.shares.drop_link(tid) is False
        await u.shares.set_link(tid, "h3", T0)
        await u.shares.add_user(tid, "bo", T0)
        await u.commit()
    async with uow() as u:
        assert await u.transcripts.delete(tid) is True
        await u.commit()
    async with uow() as u:
        assert await u.shares.by_link("h3") is None and await u.shares.users(tid) == []


async def test_named_readers_see_it_in_their_listing(uow: UoW) -> None:
    _, _, tid = await seeded(uow)  # ann's room
    async with uow() as u:
        await u.shares.add_user(tid, "bo", T0)
        await u.shares.add_user(tid, "bo", T0)  # idempotent
        await u.shares.add_user(tid, "al", T0)
        await u.commit()
    async with uow() as u:
        assert await u.shares.users(tid) == ["al", "bo"]
        assert await u.shares.shared_with(tid, "bo") and not await u.shares.shared_with(tid, "cy")
        assert [t.id for t in (await u.transcripts.list(TranscriptFilter(viewer="bo"))).items] == [tid]
        assert (await u.transcripts.list(TranscriptFilter(owner="bo"))).total == 0
        assert (await u.transcripts.list(TranscriptFilter(viewer="ann"))).total == 1
        assert await u.shares.drop_user(tid, "bo") is True and await u.shares.drop_user(tid, "bo") is False
        await u.commit()
    async with uow() as u:
        assert (await u.transcripts.list(TranscriptFilter(viewer="bo"))).total == 0


async def test_an_upload_belongs_to_its_uploader(uow: UoW) -> None:
    upload = Recording(
        platform=Platform.UPLOAD,
        platform_recording_id="u1",
        bucket="reflector-transcripts",
        kind=RecordingKind.CLOUD,
        object_key="uploads/u1/source",
        platform_room_name="Weekly sync",
        owner="bo",
    )
    async with uow() as u:
        rec, _ = await u.recordings.upsert(upload)
        t, _ = await u.transcripts.ensure(rec.id or "")
        await u.commit()
    async with uow() as u:
        got = await u.recordings.get(rec.id or "")
        assert got is not None and got.owner == "bo" and got.platform is Platform.UPLOAD
        assert [x.id for x in (await u.transcripts.list(TranscriptFilter(owner="bo"))).items] == [t.id]
        assert (await u.transcripts.list(TranscriptFilter(owner="ann"))).total == 0


async def test_api_keys_listed_per_owner_and_revoked_only_by_them(uow: UoW) -> None:
    async with uow() as u:
        await u.api_keys.add("k1", "hash1", "ann", T0)
        await u.api_keys.add("k2", "hash2", "ann", T0 + timedelta(minutes=1))
        await u.api_keys.add("k3", "hash3", "bo", T0)
        await u.commit()
    async with uow() as u:
        assert await u.api_keys.revoke("k3", owner="ann") is False
        assert await u.api_keys.revoke("k1", owner="ann") is True
        await u.commit()
    async with uow() as u:
        listed = await u.api_keys.for_owner("ann")
        assert [(k.key_id, k.revoked) for k in listed] == [("k2", False), ("k1", True)]
        assert listed[1].created_at == T0
        assert await u.api_keys.owner_of("hash3") == "bo"
