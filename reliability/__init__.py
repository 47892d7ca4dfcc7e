"""The fault matrix: every source of the catalogue against every sandbox fault, compared with
the world's ground truth (``python -m reliability``; RELIABILITY.md says how to read it)."""
