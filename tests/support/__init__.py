"""Helpers shared by the tests, the benchmark and the load test (not collected as tests)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
