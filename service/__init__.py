"""HTTP API, CLI, authentication, audit trail and batch jobs."""
