"""Configuration that the sources, the sandbox and the orchestration all read.

It lives outside ``ingestion/`` so that the sandbox (which emulates the vendors for the same
brands) and the pipeline (which loads them) share it without one importing the other.
"""
