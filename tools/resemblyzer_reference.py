"""Reference embeddings from resemblyzer itself (torch), for the NumPy encoder's contract test.

Run in a separate environment that has torch: ``pip install "setuptools<81" resemblyzer==0.1.4 av``
(about 6 GB with torch's CUDA wheels), then

    python tools/resemblyzer_reference.py tests/fixtures/audio/voices/three.mp4 OUT.npy

It embeds fixed segments of the file (16 kHz mono as PyAV decodes it, level raised to -30 dBFS
like resemblyzer's ``preprocess_wav``) with ``VoiceEncoder`` and saves one row per segment;
``tests/contract/diarization`` compares ``SpeakerEncoder`` with them.
"""

from __future__ import annotations

import sys

import av
import numpy as np
import torch
from resemblyzer import VoiceEncoder
from resemblyzer.audio import wav_to_mel_spectrogram

SEGMENTS = [(8.0, 9.5), (15.0, 16.6), (19.0, 19.6), (25.1, 28.0), (30.0, 31.5)]
SR = 16_000


def main() -> None:
    src, out = sys.argv[1], sys.argv[2]
    with av.open(src) as c:
        rs = av.AudioResampler(format="flt", layout="mono", rate=SR)
        audio = np.concatenate([r.to_ndarray()[0] for f in c.decode(audio=0) for r in rs.resample(f)])
    encoder = VoiceEncoder("cpu", verbose=False)
    rows = []
    for a, b in SEGMENTS:
        wav = audio[int(a * SR) : int(b * SR)]
        change = -30 - 20 * np.log10(np.sqrt(np.mean(wav**2)))
        if change > 0:
            wav = wav * 10 ** (change / 20)
        with torch.no_grad():
            rows.append(encoder(torch.from_numpy(wav_to_mel_spectrogram(wav)[None])).numpy()[0])
    np.save(out, np.array(rows))


if __name__ == "__main__":
    main()
