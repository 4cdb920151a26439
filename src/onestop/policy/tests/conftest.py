from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture
def policy_loaded(db: None) -> None:
    call_command("policy_load", verbosity=0)
