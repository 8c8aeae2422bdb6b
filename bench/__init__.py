"""Benchmarks that print their figures (not tests). Run from the repo root: `.venv/bin/python bench/<name>.py`."""
