from __future__ import annotations

import string
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_core.errors import InvalidInputError, RecordingFilenameError, RoomNameError, TrackKeyError
from reflector_core.model import Meeting, Platform, Track, TrackKind
from reflector_core.naming import (
    daily_room_name,
    match_recording_to_meeting,
    parse_daily_room_name,
    parse_daily_track_key,
    parse_whereby_recording_key,
    speech_tracks,
    track_from_key,
    validate_room_name,
)

P1 = "4d9c2a1e-7b3f-4e85-a0d2-6f1b8c3e5a97"
P2 = "b82f0e6c-1d47-4a3b-9c5e-3e7a2d9f1b04"
AUDIO_1 = f"acmecare/intake-20260312140000/1773324125512-{P1}-cam-audio-1773324125947"
VIDEO_2 = f"acmecare/intake-20260312140000/1773324125512-{P2}-cam-video-1773324126118"
AUDIO_2 = f"acmecare/intake-20260312140000/1773324125512-{P2}-cam-audio-1773324126402"


class TestDailyTrackKeys:
    def test_recorded_key_parses(self) -> None:
        k = parse_daily_track_key(AUDIO_1)
        assert k.prefix == "acmecare/intake-20260312140000"
        assert k.room_name == "intake-20260312140000"
        assert k.participant_id == P1
        assert k.recording_start_ms == 1773324125512
        assert k.track_start_ms == 1773324125947
        assert k.is_speech_audio
        assert k.filename_offset == pytest.approx(0.435)

    def test_extension_is_accepted(self) -> None:
        assert parse_daily_track_key(AUDIO_1 + ".webm").participant_id == P1

    def test_key_without_folder(self) -> None:
        k = parse_daily_track_key(AUDIO_1.rsplit("/", 1)[1])
        assert k.prefix == "" and k.room_name is None

    @pytest.mark.parametrize(
        ("key", "speech"),
        [
            (VIDEO_2, False),
            (AUDIO_2.replace("cam-audio", "screen-audio"), False),
            (AUDIO_2.replace("cam-audio", "screen-video"), False),
            (AUDIO_2, True),
        ],
    )
    def test_only_camera_audio_is_speech(self, key: str, speech: bool) -> None:
        assert parse_daily_track_key(key).is_speech_audio is speech

    @pytest.mark.parametrize(
        "key",
        [
            "",
            "acmecare/intake/1773324125512",
            f"acmecare/x/1773324125512-{P1}-cam-audio-1773324125947.mp4",
            f"acmecare/x/1773324125512-{P1}-mic-audio-1773324125947",
            "acmecare/x/1773324125512-not-a-uuid-cam-audio-1773324125947",
            f"acmecare/x/17733-{P1}-cam-audio-1773324125947",
            f"acmecare/x/1773324125947-{P1}-cam-audio-1773324125512",  # track before recording
        ],
    )
    def test_malformed_keys_raise_a_clear_value_error(self, key: str) -> None:
        with pytest.raises(TrackKeyError) as info:
            parse_daily_track_key(key)
        assert isinstance(info.value, ValueError)
        assert repr(key) in str(info.value)

    @given(
        rec=st.integers(10**12, 10**13),
        delay=st.integers(0, 10**7),
        pid=st.uuids(),
        source=st.sampled_from(["cam", "screen"]),
        media=st.sampled_from(["audio", "video"]),
        prefix=st.lists(st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=12), max_size=3),
        ext=st.sampled_from(["", ".webm"]),
    )
    def test_generated_keys_round_trip(
        self, rec: int, delay: int, pid: uuid.UUID, source: str, media: str, prefix: list[str], ext: str
    ) -> None:
        name = f"{rec}-{pid}-{source}-{media}-{rec + delay}{ext}"
        key = "/".join([*prefix, name])
        k = parse_daily_track_key(key)
        assert (k.recording_start_ms, k.track_start_ms, k.participant_id) == (rec, rec + delay, str(pid))
        assert k.filename_offset == pytest.approx(delay / 1000)
        assert k.is_speech_audio is (source == "cam" and media == "audio")

    @given(st.text())
    def test_arbitrary_text_only_raises_track_key_errors(self, key: str) -> None:
        try:
            parse_daily_track_key(key)
        except TrackKeyError:
            pass

    def test_speech_tracks_filters_and_orders_stably(self) -> None:
        tracks = [
            Track(AUDIO_2, TrackKind.AUDIO),
            Track(VIDEO_2, TrackKind.VIDEO),
            Track(AUDIO_2.replace("cam-audio", "screen-audio"), TrackKind.AUDIO),
            Track("acmecare/intake/garbage", TrackKind.AUDIO),
            Track(AUDIO_1, TrackKind.AUDIO),
        ]
        kept = speech_tracks(tracks)
        assert [t.key for t, _ in kept] == [AUDIO_1, AUDIO_2]
        assert [t.key for t, _ in speech_tracks(reversed(tracks))] == [AUDIO_1, AUDIO_2]

    def test_track_from_key(self) -> None:
        t = track_from_key(AUDIO_2, size=10)
        assert (t.kind, t.participant_id, t.size) == (TrackKind.AUDIO, P2, 10)
        assert t.offset == pytest.approx(0.89)


class TestWherebyFilenames:
    def test_room_name_with_dashes_and_folder(self) -> None:
        key = "raw/consult-3f9a1c2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c-2026-03-12T14:03:21Z.mp4"
        n = parse_whereby_recording_key(key)
        assert n.prefix == "raw"
        assert n.room_name == "consult-3f9a1c2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c"
        assert n.platform_room_name == "/consult-3f9a1c2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c"
        assert n.recorded_at == datetime(2026, 3, 12, 14, 3, 21, tzinfo=UTC)
        assert n.extension == ".mp4"

    def test_mkv_and_folder_with_spaces(self) -> None:
        n = parse_whereby_recording_key("raw/Clinic A+B (Berlin)/room-2026-03-12T15:10:02Z.mkv")
        assert (n.prefix, n.room_name, n.extension) == ("raw/Clinic A+B (Berlin)", "room", ".mkv")

    def test_room_name_that_looks_like_a_date(self) -> None:
        n = parse_whereby_recording_key("team-2025-01-01T00:00:00Z-2026-03-12T15:10:02Z.mp4")
        assert n.room_name == "team-2025-01-01T00:00:00Z"

    @pytest.mark.parametrize(
        "key",
        [
            "",
            "room-2026-03-12T15:10:02Z.webm",
            "room-2026-03-12T15:10:02Z",
            "room-2026-03-12T15%3A10%3A02Z.mp4",
            "2026-03-12T15:10:02Z.mp4",
            "-2026-03-12T15:10:02Z.mp4",
            "room2026-03-12T15:10:02Z.mp4",
            "room-2026-13-45T15:10:02Z.mp4",
            "room-2026-03-12T15:10:02Z-extra.mp4",
        ],
    )
    def test_malformed_names(self, key: str) -> None:
        with pytest.raises(RecordingFilenameError):
            parse_whereby_recording_key(key)

    @given(
        room=st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=40),
        at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1)),
        folder=st.lists(st.text(string.ascii_letters + " +()", min_size=1, max_size=8), max_size=2),
        ext=st.sampled_from([".mp4", ".mkv", ".MP4"]),
    )
    def test_generated_names_round_trip(self, room: str, at: datetime, folder: list[str], ext: str) -> None:
        at = at.replace(microsecond=0, tzinfo=UTC)
        key = "/".join([*folder, f"{room}-{at:%Y-%m-%dT%H:%M:%SZ}{ext}"])
        n = parse_whereby_recording_key(key)
        assert (n.room_name, n.recorded_at, n.prefix) == (room, at, "/".join(folder))

    @given(st.text())
    def test_arbitrary_text_only_raises_filename_errors(self, key: str) -> None:
        try:
            parse_whereby_recording_key(key)
        except RecordingFilenameError:
            pass


class TestRoomNames:
    def test_daily_name_is_utc(self) -> None:
        at = datetime(2026, 3, 12, 15, 0, 0, tzinfo=timezone(timedelta(hours=1)))
        assert daily_room_name("intake", at) == "intake-20260312140000"

    def test_naive_time_is_refused(self) -> None:
        with pytest.raises(RoomNameError):
            daily_room_name("intake", datetime(2026, 3, 12, 14))

    @given(
        room=st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=113),
        at=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 1, 1), timezones=st.timezones()),
    )
    def test_daily_names_round_trip(self, room: str, at: datetime) -> None:
        name = daily_room_name(room, at)
        assert len(name) <= 128
        base, when = parse_daily_room_name(name)
        assert base == room
        assert when == at.astimezone(UTC).replace(microsecond=0)

    @pytest.mark.parametrize("name", ["", "a b", "ümlaut", "x" * 114, "semi;colon", "slash/room"])
    def test_invalid_room_names(self, name: str) -> None:
        with pytest.raises(RoomNameError):
            validate_room_name(name)

    @pytest.mark.parametrize("name", ["intake", "intake-2026031214000", "intake-20261312140000", "-20260312140000"])
    def test_unparseable_platform_names(self, name: str) -> None:
        with pytest.raises(InvalidInputError):
            parse_daily_room_name(name)


def _meeting(mid: str, platform_room: str, start: datetime, hours: float = 1, room: str = "intake") -> Meeting:
    return Meeting(
        platform=Platform.DAILY,
        platform_meeting_id=mid,
        platform_room_name=platform_room,
        room_url=f"https://x.daily.co/{platform_room}",
        host_room_url=f"https://x.daily.co/{platform_room}",
        start=start,
        end=start + timedelta(hours=hours),
        room_name=room,
    )


class TestMatching:
    T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)

    def test_exact_platform_room_name_wins_over_a_closer_meeting(self) -> None:
        exact = _meeting("a", "intake-20260312140000", self.T0)
        closer = _meeting("b", "intake-20260312150000", self.T0 + timedelta(hours=1))
        m = match_recording_to_meeting(
            "intake-20260312140000", self.T0 + timedelta(hours=1, minutes=5), [closer, exact]
        )
        assert m is not None and m.meeting is exact and not m.by_time

    def test_whereby_slash_is_ignored(self) -> None:
        wb = _meeting("w", "/consult-abc", self.T0)
        m = match_recording_to_meeting("consult-abc", self.T0, [wb])
        assert m is not None and m.meeting is wb

    def test_time_fallback_is_flagged(self) -> None:
        a = _meeting("a", "intake-20260312140000", self.T0)
        b = _meeting("b", "intake-20260312170000", self.T0 + timedelta(hours=3))
        m = match_recording_to_meeting(
            "intake-20260312165900", self.T0 + timedelta(hours=3, minutes=1), [a, b], room_name="intake"
        )
        assert m is not None and m.meeting is b and m.by_time and m.distance == 0

    def test_no_match_outside_the_window_or_other_room(self) -> None:
        a = _meeting("a", "intake-20260312140000", self.T0, room="other")
        assert match_recording_to_meeting("intake-x", self.T0, [a], room_name="intake") is None
        far = _meeting("f", "intake-20260101000000", self.T0 - timedelta(days=30))
        assert match_recording_to_meeting("intake-x", self.T0, [far], room_name="intake") is None
        assert match_recording_to_meeting("intake-x", None, [far], room_name="intake") is None
