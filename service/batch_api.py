"""HTTP batch jobs (POST /v1/batches ...). Filled in by the batch work; included by the app."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
