"""The pipeline: poll sources into events (poller), drain the outbox into outputs (delivery), report."""
