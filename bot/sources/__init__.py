"""Fetching and parsing of remote and local sources."""
