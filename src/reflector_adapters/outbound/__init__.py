"""Outbound webhooks: the HTTP sender behind the ``WebhookSender`` port."""
