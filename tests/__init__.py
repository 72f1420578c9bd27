"""Clausewatch tests, laid out like the package: core, sources, store, chat, pipeline, e2e."""
