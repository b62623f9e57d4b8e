from tests.support.goenv import GoEnv


def test_healthy_toolchain(goenv: GoEnv) -> None:
    run = goenv.check("--area", "toolchain")
    assert run.returncode == 0, run.stdout + run.stderr
    statuses = {r["id"]: r["status"] for r in run.report["results"]}
    assert statuses["toolchain.go-on-path"] == "ok"
