"""Outputs: adapt neutral messages to console, JSONL (and later Slack and Discord). No business logic."""
