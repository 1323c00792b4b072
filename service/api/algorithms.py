"""GET /v1/algorithms: the scoring algorithms a screening can name, with their versions."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from screening.algorithms import ALGORITHMS
from service.api import openapi_examples as ex
from service.api.deps import require_screen
from service.auth import Principal

router = APIRouter(tags=["screening"])


class AlgorithmOut(BaseModel):
    name: str = Field(description="What a request's `algorithm` field names", examples=["balanced-v1"])
    version: str = Field(description="Changes whenever the algorithm's scores can change", examples=["1.0.0"])
    purpose: str
    default_threshold: float = Field(description="The threshold used when a request gives none")
    default: bool = Field(description="Used when a request names no algorithm")


class AlgorithmsOut(BaseModel):
    algorithms: list[AlgorithmOut]


@router.get(
    "/v1/algorithms",
    response_model=AlgorithmsOut,
    responses={
        200: ex.ok(
            {"algorithms": [a.describe() for a in ALGORITHMS.values()]},
            "Each algorithm a screening may name in its `algorithm` field",
        ),
        **ex.errors(401, 403),
    },
    summary="The scoring algorithms, their versions and default thresholds",
)
def algorithms(_: Principal = Depends(require_screen)) -> AlgorithmsOut:
    return AlgorithmsOut(algorithms=[AlgorithmOut(**a.describe()) for a in ALGORITHMS.values()])  # type: ignore[arg-type]
