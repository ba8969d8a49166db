"""Whereby: REST client (meetings, room sessions, logo) and webhooks."""
