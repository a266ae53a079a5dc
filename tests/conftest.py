"""Shared fixtures: the shipped catalogue and the made-up second territory."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from functools import cache
from pathlib import Path

import pytest

from bot.catalogue.loader import load_catalogue
from bot.catalogue.model import Catalogue
from bot.matching.engine import MatchingEngine
from bot.matching.semantic import Semantics, default_semantics

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "catalogue"
TESTVILLE = ROOT / "tests" / "fixtures" / "testville"
"""A made-up territory; its phones are in 04 65 71 xx xx, a range ARCEP keeps for fiction."""
FIXED_TODAY = dt.date(2026, 11, 28)
CACHE = Path(os.environ.get("CTAI_CACHE_DIR") or ROOT / ".cache")
"""The catalogue's vectors, built once (about a minute) and reused by every later run."""


@cache
def shared_semantics() -> Semantics:
    """One embedding model for the whole test run, as in the bot's process."""
    return default_semantics(CACHE)


@pytest.fixture(scope="session")
def poitiers() -> Catalogue:
    catalogue, problems = load_catalogue(SHIPPED)
    assert catalogue is not None, "\n".join(map(str, problems))
    return catalogue


@pytest.fixture(scope="session")
def testville() -> Catalogue:
    catalogue, problems = load_catalogue(TESTVILLE, today=FIXED_TODAY)
    assert catalogue is not None, "\n".join(map(str, problems))
    return catalogue


@pytest.fixture
def testville_copy(tmp_path: Path) -> Path:
    """A writable copy of the second territory, to break or edit in a test."""
    target = tmp_path / "catalogue"
    shutil.copytree(TESTVILLE, target)
    return target


@pytest.fixture(scope="session")
def hybrid(poitiers) -> MatchingEngine:
    """The engine the bot runs: keywords and the semantic stage."""
    return MatchingEngine(poitiers, shared_semantics().index(poitiers, SHIPPED))
