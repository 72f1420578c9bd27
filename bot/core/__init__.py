"""Pure domain of Clausewatch: configuration model, entries, documents, events and messages.

Nothing in this package performs I/O; a test enforces that it imports no network or database code.
"""
