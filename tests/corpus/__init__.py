"""A real-world corpus: notebooks answered in the styles real learners write (see learners.py)."""
