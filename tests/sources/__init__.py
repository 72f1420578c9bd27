"""Tests of fetching and parsing."""
