"""``waveform.json`` for the player: the one serialiser, used by the service and by ``reflector process``."""

from __future__ import annotations

import json

from reflector_core.model import Waveform


def render(waveform: Waveform) -> str:
    """Duration to the millisecond, peaks to 4 decimals (finer is invisible and only makes the file bigger)."""
    return json.dumps(
        {
            "duration": round(waveform.duration, 3),
            "peaks_per_second": waveform.peaks_per_second,
            "peaks": [round(p, 4) for p in waveform.peaks],
        }
    )
