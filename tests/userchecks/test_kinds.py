"""The kinds registry: every module of userchecks/kinds/ is a kind, named once (its msgspec tag)."""

from __future__ import annotations

import pkgutil
import textwrap
from pathlib import Path

from gomedic.userchecks import kinds
from gomedic.userchecks.compile import doc_of
from gomedic.userchecks.kinds import KINDS, evaluator
from gomedic.userchecks.loader import load


def test_every_kind_module_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(kinds.__path__)}
    assert {k.SCHEMA.__module__.rsplit(".", 1)[1] for k in KINDS.values()} == modules


def test_a_kind_is_named_by_its_tag() -> None:
    for name, kind in KINDS.items():
        assert kind.SCHEMA.__struct_config__.tag == name
        assert "KIND" not in vars(kind.SCHEMA)  # not written a second time


def test_a_loaded_check_knows_its_kind(tmp_path: Path) -> None:
    p = tmp_path / "checks.yaml"
    p.write_text(textwrap.dedent("""\
        version: 1
        checks:
          - name: path-set
            kind: env
            var: PATH
          - name: listens
            kind: tcp
            address: 127.0.0.1:1
        """))
    env, tcp = load([p], env={})
    assert (env.check.KIND, tcp.check.KIND) == ("env", "tcp")
    assert env.check.default_title() == "$PATH is present"
    assert "(kind: tcp, rollout: enforce)" in doc_of(tcp)
    assert evaluator(tcp.check) == KINDS["tcp"].evaluate
