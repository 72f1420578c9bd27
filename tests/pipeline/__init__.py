"""Tests of the pipeline with a local remote side."""
