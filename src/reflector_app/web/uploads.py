"""``/upload``: drop in an audio or video file. The page's script sends it to ``POST /v1/uploads`` (the
documented JSON route, with the session and the CSRF header) and opens the new transcript's reader,
which follows its processing live; errors are shown on the page as the API words them."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template

from reflector_app.settings import Settings
from reflector_app.web.pages import HTML, PAGE
from reflector_core.languages import Languages
from reflector_core.usecases.uploads import MAX_SPEAKERS, MAX_TITLE

COMMON_LANGUAGES = [
    ("en", "English"), ("de", "German"), ("fr", "French"), ("es", "Spanish"), ("it", "Italian"),
    ("pt", "Portuguese"), ("nl", "Dutch"), ("pl", "Polish"), ("sv", "Swedish"), ("ja", "Japanese"),
]  # fmt: skip
"""The upload page's short list; the API takes any code Whisper knows."""


def size_text(n: int) -> str:
    """``2147483648`` → ``2 GiB``."""
    if n < 1024:
        return f"{n} bytes"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.3g} {unit}"


@get("/upload", opt=PAGE, include_in_schema=False)
async def upload_page(
    settings: NamedDependency[Settings], languages: NamedDependency[Languages], viewer: NamedDependency[str]
) -> Template:
    # Only what this server's model can transcribe (an English-only model: English alone).
    offered = [("en", "English")] if languages.english_only_model else [("auto", "Detect"), *COMMON_LANGUAGES]
    context = {
        "languages": offered,
        "default_language": languages.default,
        "title": "Upload",
        "viewer": viewer,
        "limit": settings.http.upload_max_bytes,
        "limit_text": size_text(settings.http.upload_max_bytes),
        "max_title": MAX_TITLE,
        "max_speakers": MAX_SPEAKERS,
    }
    return Template(template_name="upload.html", context=context, media_type=HTML)


handlers = [upload_page]
