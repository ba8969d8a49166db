"""Adapters: each implements one port of ``reflector_core.ports`` on a real technology."""
