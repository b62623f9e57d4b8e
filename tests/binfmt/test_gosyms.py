"""Function names from the pclntab: what binary.runtime-files uses to know what a binary links."""

from __future__ import annotations

import pytest

from gomedic.binfmt import gosyms
from tests.support.gobuild import CORPUS, NETPROG, corpus

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", [n for n in CORPUS if not n.startswith("windows")])
def test_every_go_binary_has_runtime_main(name: str) -> None:
    found = gosyms.uses(corpus(name), ["runtime.main", "main.main", "crypto/x509.", "no/such/pkg."])
    assert found is not None
    assert found["runtime.main"] and found["main.main"] and not found["no/such/pkg."]
    assert found["crypto/x509."] == (CORPUS[name][0] == NETPROG)


def test_unknown_for_pe_and_non_go() -> None:
    assert gosyms.uses(corpus("windows-amd64"), ["runtime.main"]) is None
    assert gosyms.uses("/usr/bin/ls", ["runtime.main"]) is None
