"""The loader: every problem of every check with file:line:column, includes, variables, hostile input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gomedic.userchecks.errors import CheckFileError
from gomedic.userchecks.loader import load, validate
from gomedic.userchecks.yamldoc import parse_text

BROKEN = """\
version: 1
vars:
  port: 8443
checks:
  - name: api-listens
    kind: tcp
    address: "127.0.0.1:${port}"
  - name: Bad_Name
    kind: tcp
    address: nowhere
  - name: typo
    kind: htp
  - name: unknown-field
    kind: file
    path: /etc/passwd
    colour: red
  - name: mode-int
    kind: file
    path: /etc/passwd
    mode: 0640
  - name: no-key
    kind: sysctl
    value: 1
  - name: two-errors
    kind: command
    run: [true]
    stdout: {matches: "(("}
  - name: unknown-var
    kind: env
    var: "${nope}"
  - name: api-listens
    kind: tcp
    address: 127.0.0.1:1
  - name: slow
    kind: tcp
    address: 127.0.0.1:1
    timeout: 5 minutes
  - name: dup-key
    kind: tcp
    kind: tcp
    address: 127.0.0.1:1
  - name: labels
    kind: metric
    url: http://127.0.0.1:1/metrics
    metric: up
    labels: {a: {between: [5, 1]}}
  - name: severity
    kind: env
    var: HOME
    severity: catastrophic
"""


def _write(tmp_path: Path, text: str, name: str = "checks.yaml") -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(text))
    return p


def test_every_broken_check_is_reported_with_line_and_column(tmp_path: Path) -> None:
    f = _write(tmp_path, BROKEN)
    loaded = validate([f])
    got = [(i.line, i.column, i.check, i.message) for i in loaded.issues]
    where = {(line, col) for line, col, _, _ in got}
    expected = {
        (8, 11): "name: expected `str` matching regex",   # Bad_Name (the value)
        (10, 14): "'nowhere' is not host:port",           # same check, second problem
        (12, 11): "kind: 'htp' is not a kind",
        (16, 5): "unknown field 'colour'",                # the key itself
        (20, 11): 'quoted octal string, e.g. "0640"',
        (21, 5): "missing required field 'key'",          # the entry
        (26, 11): "run.0: expected `str`, got `bool`",
        (27, 23): "invalid regular expression '(('",      # same check, second problem
        (30, 10): "variable 'nope' is not set (known: port)",
        (31, 11): "duplicate check name 'api-listens' (first at",
        (37, 14): "'5 minutes' is not a duration",
        (40, 5): "duplicate key 'kind' (first at line 39)",
        (46, 27): "between [5, 1]: the low end is above the high end",
        (50, 15): "severity: invalid enum value 'catastrophic'",
    }
    for pos, text in expected.items():
        msgs = [m for line, col, _, m in got if (line, col) == pos]
        assert any(text in m for m in msgs), f"{pos}: want {text!r}, got {msgs} (all: {got})"
    assert where == set(expected), got
    assert all(i.file == str(f) for i in loaded.issues)
    assert [i.check for i in loaded.issues if (i.line, i.column) == (26, 11)] == ["two-errors"]
    with pytest.raises(CheckFileError) as e:
        load([f])
    assert e.value.exit_code == 2
    assert f"{f}:12:11: typo: kind:" in str(e.value)


def test_valid_file_compiles_to_specs(tmp_path: Path) -> None:
    from gomedic.model import Category, Severity
    from gomedic.userchecks import load_specs, retry_policy

    f = _write(tmp_path, """\
        checks:
          - name: web.tls-port
            kind: tcp
            address: 127.0.0.1:8443
            severity: critical
            timeout: 500ms
            retries: 3
            interval: 2s
            tags: [web, net]
            rollout: shadow
          - name: config
            kind: file
            path: /etc/passwd
            category: custom
        """)
    a, b = load_specs([f], retry=True)
    assert (a.id, a.area, a.category, a.severity, a.shadow, a.tags) == (
        "custom.web.tls-port", "custom", Category.NETWORK, Severity.CRITICAL, True, frozenset({"web", "net"}))
    assert retry_policy(a) == (3, 2.0)
    assert a.timeout_s == pytest.approx(4 * 0.5 + 3 * 2.0 + 2.0)
    assert (b.id, b.category, b.severity, b.shadow) == ("custom.config", Category.CUSTOM, Severity.MEDIUM, False)
    assert "Declared in" in b.doc and str(f) in b.doc


def test_variables_from_file_vars_and_environment(tmp_path: Path) -> None:
    f = _write(tmp_path, """\
        vars: {port: "1", host: 127.0.0.1}
        checks:
          - name: a
            kind: tcp
            address: "${host}:${port}"
          - name: b
            kind: env
            var: "${env:GM_TEST_VAR}"
          - name: c
            kind: env
            var: "${env:GM_UNSET:-FALLBACK}$${literal}"
        """)
    varsfile = _write(tmp_path, "port: 9443\n", "prod.yaml")
    loaded = validate([f], vars_files=[varsfile], env={"GM_TEST_VAR": "HOME"})
    assert not loaded.issues, loaded.issues
    checks = {d.check.name: d.check for d in loaded.checks}
    assert checks["a"].address == "127.0.0.1:9443"  # --vars wins over the file's own default
    assert checks["b"].var == "HOME"
    assert checks["c"].var == "FALLBACK${literal}"
    loaded = validate([f], variables={"port": "7"}, vars_files=[varsfile], env={})
    assert [i.message for i in loaded.issues] == ["environment variable 'GM_TEST_VAR' is not set"]
    assert (loaded.issues[0].line, loaded.issues[0].column) == (8, 10)


def test_includes_globs_diamonds_and_cycles(tmp_path: Path) -> None:
    _write(tmp_path, "include: [b.yaml]\nchecks:\n  - {name: from-a, kind: env, var: A}\n", "a.yaml")
    _write(tmp_path, "include: [a.yaml]\nchecks:\n  - {name: from-b, kind: env, var: B}\n", "b.yaml")
    _write(tmp_path, "checks:\n  - {name: shared, kind: env, var: S}\n", "teams/shared.yaml")
    _write(tmp_path, "include: [shared.yaml]\nchecks:\n  - {name: web, kind: env, var: W}\n", "teams/web.yaml")
    top = _write(tmp_path, "include: [a.yaml, 'teams/*.yaml', missing.yaml]\nchecks: []\n", "top.yaml")
    loaded = validate([top])
    names = [d.check.name for d in loaded.checks]
    assert names == ["from-b", "from-a", "shared", "web"]  # includes first; shared.yaml only once
    msgs = [(Path(i.file).name, i.line, i.column, i.message) for i in loaded.issues]
    assert ("b.yaml", 1, 11, "include cycle: a.yaml -> b.yaml -> a.yaml") in msgs
    assert any(m[0] == "top.yaml" and m[1:3] == (1, 35) and "missing.yaml does not exist" in m[3] for m in msgs), msgs
    assert len(msgs) == 2


def test_top_level_problems(tmp_path: Path) -> None:
    cases = {
        "- a\n- b\n": (1, 1, "a check file is a mapping"),
        "version: 2\nchecks: []\n": (1, 10, "version 2 is not supported"),
        "chekcs: []\n": (1, 1, "unknown top-level key 'chekcs'"),
        "checks: {a: 1}\n": (1, 9, "checks: a list of checks"),
        "checks:\n  - just a string\n": (2, 5, "a check must be a mapping"),
        "checks: [\n": (2, 1, "not valid YAML"),
        "checks:\n  - !!python/object:os.system {}\n": (2, 5, "unsupported YAML tag"),
        "checks:\n  - !!python/name:os.system x\n": (2, 5, "cannot read value"),
        "a: &x [*x]\n": (1, 1, "document too large"),
    }
    for text, (line, col, msg) in cases.items():
        f = tmp_path / "c.yaml"
        f.write_text(text)
        issues = validate([f]).issues
        assert issues, text
        assert any((i.line, i.column) == (line, col) and msg in i.message for i in issues), (text, issues)


def test_unreadable_and_binary_files(tmp_path: Path) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"checks: []\n\xff\xfe\x00")
    (tmp_path / "huge.yaml").write_bytes(b"#" * (4 << 20) + b"\n")
    issues = validate([tmp_path / "bin.yaml", tmp_path / "absent.yaml", tmp_path / "huge.yaml"]).issues
    assert [(Path(i.file).name, i.line, i.message) for i in issues] == [
        ("bin.yaml", 2, "not UTF-8 text"), ("absent.yaml", 1, "cannot read: No such file or directory"),
        ("huge.yaml", 1, "file larger than 4 MiB")]


def test_billion_laughs_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    tree = parse_text("\n".join(lines) + "\n", "lol.yaml")
    assert tree.value is None
    assert "document too large" in tree.issues[0].message


def test_merge_keys(tmp_path: Path) -> None:
    f = _write(tmp_path, """\
        defaults: &d {kind: tcp, severity: high}
        """)
    f.write_text("checks:\n  - &base {name: one, kind: tcp, address: '127.0.0.1:1', severity: high}\n"
                 "  - {<<: *base, name: two}\n")
    loaded = validate([f])
    assert not loaded.issues
    assert [(d.check.name, d.check.address, d.check.severity.value) for d in loaded.checks] == [
        ("one", "127.0.0.1:1", "high"), ("two", "127.0.0.1:1", "high")]


# ---- hostile input never crashes the loader ------------------------------------------------------------

VALID = BROKEN.split("  - name: Bad_Name")[0] + """\
  - name: web
    kind: http
    url: http://127.0.0.1:8080/healthz
    status: {between: [200, 299]}
    headers: {Content-Type: {contains: json}}
"""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_documents_never_crash(tmp_path: Path, data: st.DataObject) -> None:
    text = VALID
    op = data.draw(st.sampled_from(["truncate", "mutate", "insert", "junk"]))
    if op == "truncate":
        text = text[: data.draw(st.integers(0, len(text)))]
    elif op == "mutate":
        i = data.draw(st.integers(0, len(text) - 1))
        text = text[:i] + data.draw(st.characters()) + text[i + 1:]
    elif op == "insert":
        i = data.draw(st.integers(0, len(text)))
        text = text[:i] + data.draw(st.text(max_size=20)) + text[i:]
    else:
        text = data.draw(st.text(max_size=300))
    f = tmp_path / "fuzz.yaml"
    f.write_text(text, encoding="utf-8", errors="surrogatepass")
    loaded = validate([f], env={})
    for i in loaded.issues:
        assert i.line >= 1 and i.column >= 1 and i.message
    assert bool(loaded.issues) or all(d.check.check_id.startswith("custom.") for d in loaded.checks)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(checks=st.lists(st.dictionaries(
    st.sampled_from(["name", "kind", "address", "url", "path", "status", "value", "timeout", "labels", "mode",
                     "run", "exit", "vars", "retries", "rollout", "key", "var", "process", "go"]),
    yaml_values, max_size=6), max_size=4), kinds=st.lists(st.sampled_from(
    ["tcp", "http", "file", "sysctl", "env", "command", "process", "metric", "binary", "service", "dns"]), max_size=4))
def test_generated_documents_never_crash(tmp_path: Path, checks: list[dict[str, object]], kinds: list[str]) -> None:
    import yaml

    for c, k in zip(checks, kinds, strict=False):
        c["kind"] = k
    f = tmp_path / "gen.yaml"
    f.write_text(yaml.safe_dump({"checks": checks}))
    loaded = validate([f], env={})
    for i in loaded.issues:
        assert i.line >= 1 and i.column >= 1 and i.message
    if loaded.issues:  # load() refuses exactly what validate() reports
        with pytest.raises(CheckFileError):
            load([f], env={})
    else:
        assert len(loaded.checks) == len(checks)
