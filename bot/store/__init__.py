"""The only package that touches the SQLite database (via sqlite-utils)."""
