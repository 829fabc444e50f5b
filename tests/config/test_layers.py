"""The import contract (lint-imports in `make lint`) covers every package of the project, so
that a new app cannot sit outside the layers unnoticed."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_SHIPPED = {"tests", "bench"}


def import_linter_config() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["tool"]["importlinter"]


def project_packages() -> set[str]:
    return {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_SHIPPED
    }


def layered_packages(contract: dict) -> set[str]:
    """Every package named by a layers contract, optional ones (in parentheses) included."""
    return {
        name.strip().strip("()")
        for layer in contract["layers"]
        for name in layer.replace(":", "|").split("|")
    }


def test_every_package_of_the_project_is_checked_by_the_import_contract():
    assert set(import_linter_config()["root_packages"]) == project_packages()


def test_every_checked_package_has_its_place_in_the_layers():
    config = import_linter_config()
    (layers,) = [c for c in config["contracts"] if c["type"] == "layers"]

    assert set(config["root_packages"]) <= layered_packages(layers)
