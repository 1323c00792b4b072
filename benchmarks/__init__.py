"""Match-quality and speed benchmarks, runnable locally and in CI."""
