"""Reflector's pure domain: model, ports, parsers, timelines, turns, exports and use cases.

Nothing in this package performs I/O or imports a framework; adapters live in
``reflector_adapters`` and are wired together in ``reflector_app``.
"""

__all__: list[str] = []
