"""The audio engine: PyAV (FFmpeg) behind ``reflector_core.ports.AudioEngine``."""

from reflector_adapters.audio.pyav import PyAVAudioEngine

__all__ = ["PyAVAudioEngine"]
