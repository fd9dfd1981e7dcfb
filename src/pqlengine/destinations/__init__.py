"""Where PQL transitions go: a durable outbox and payloads for webhooks, Slack and CRMs."""
