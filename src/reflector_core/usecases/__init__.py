"""Use cases: the steps of the system, written against ports only."""
