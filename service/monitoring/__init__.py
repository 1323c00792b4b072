"""Ongoing monitoring: the party register, rescreens on every list change, the list watcher."""
