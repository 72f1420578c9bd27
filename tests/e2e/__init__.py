"""Tests of whole processes: the CLI, the container, chat end to end."""
