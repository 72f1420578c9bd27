"""Slack: the Bolt bridge (posting, threads, slash commands), rendering of neutral messages to Block Kit."""
