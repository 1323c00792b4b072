"""The matching engine: pure functions and an in-memory index, no I/O."""
