"""What every function shares: observability, settings, HTTP problems, auth, events, idempotency."""
