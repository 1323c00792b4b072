"""Keeping the lists current: sources (config), downloads (http), fetch state and lock (state), the update run (update)."""
