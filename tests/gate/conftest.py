"""Fixtures: a real unprivileged service user, real Go programs (amd64, arm64, os/user), a world-readable dir."""

from tests.support.hostpytest import hello_amd64, hello_arm64, osuser_prog, svc_user, wd  # noqa: F401
