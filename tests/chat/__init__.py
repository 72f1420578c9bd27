"""Tests of the Slack and Discord adapters."""
