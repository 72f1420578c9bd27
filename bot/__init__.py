"""Clausewatch: watches platform terms and policy news, posts threaded updates to chat."""

__version__ = "0.1.0"
