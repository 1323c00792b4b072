"""Index snapshots: the screening index of a set of active list versions, written once, mapped by every process.

`format` writes and checks the file, `locate` says where it lives, `build` makes one when a
list version is activated (or when a process finds it missing, stale or corrupt) and opens it.
"""
