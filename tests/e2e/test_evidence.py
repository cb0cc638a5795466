"""The evidence explorer: the signed checkpoint verifies in the browser (Ed25519), and an entry's
inclusion proof is recomputed step by step with Web Crypto up to the signed root."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_console import login

pytestmark = pytest.mark.e2e


def test_checkpoint_signature_and_inclusion_proof_verify_in_the_browser(page: Any) -> None:
    login(page, "xn_admin")
    page.goto("/evidence")
    page.locator('[data-test="evidence-checkpoint"]').wait_for()
    assert int(page.locator('[data-test="tree-size"]').inner_text()) > 0
    page.locator('[data-test="signature-ok"]').wait_for()
    page.locator('[data-test="verify-button"]').first.click()
    result = page.locator('[data-test="proof-result"]')
    result.wait_for()
    assert "验证通过" in result.inner_text()
    assert page.locator('[data-test="proof-step"]').count() >= 1
