"""Daily.co: REST client (rooms, tokens, presence, recordings, participants) and webhooks."""
