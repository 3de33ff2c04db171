"""The import direction of docs/architecture.md, checked by import-linter's contracts.

``.importlinter`` lists the app's layers (areas depend downwards only), keeps the solver
library free of the app and the web, and forbids import cycles between the modules of a
package; it lists no exception. Function-level (lazy) imports count like the others.
"""

from __future__ import annotations

import configparser
import pkgutil
from pathlib import Path

from importlinter import configuration
from importlinter.application.use_cases import lint_imports

import eventapp

CONFIG = Path(__file__).resolve().parents[2] / ".importlinter"


def _contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser


def test_import_contracts_are_kept():
    configuration.configure()  # what the lint-imports command does first
    assert lint_imports(config_filename=str(CONFIG), cache_dir=None, no_logo=True), \
        "an import breaks a contract of .importlinter (its report is printed above)"


def test_contracts_list_no_exception():
    for section in _contracts().sections():
        assert not _contracts()[section].get("ignore_imports"), section


def test_every_module_of_the_app_has_a_layer():
    """A new area or shared module must be placed in the order, not left unconstrained."""
    layers = _contracts()["importlinter:contract:areas"]["layers"]
    placed = {name.strip() for line in layers.splitlines()
              for name in line.replace("|", ":").split(":") if name.strip()}
    modules = {info.name for info in pkgutil.iter_modules(eventapp.__path__)}
    assert modules - placed == set()
    assert placed - modules == set()
