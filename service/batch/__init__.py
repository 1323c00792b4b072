"""Batch screening of customer files (CSV/XLSX): reading, running, results and their audit trail."""
