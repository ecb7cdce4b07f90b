"""The reference docs stay true: generated ones match the code, the CLI reference names every command."""

import importlib.util
from pathlib import Path

import typer.main

from silian.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _gen_docs():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_generated_docs_are_current() -> None:
    gen = _gen_docs()
    for name, render in gen.OUTPUTS.items():
        assert (ROOT / "docs" / name).read_text(encoding="utf-8") == render(), f"run python tools/gen_docs.py ({name})"


def _commands(group, prefix=""):  # type: ignore[no-untyped-def]
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if hasattr(command, "commands"):
            yield from _commands(command, full + " ")
        else:
            yield full, command


def test_cli_reference_names_every_command_and_option() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, command in _commands(typer.main.get_command(app)):
        assert f"silian {name}" in text, name
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"{name} {opt}"


def test_method_cards_are_indexed_and_name_real_code_and_tests() -> None:
    import re
    methods = ROOT / "docs" / "methods"
    index = (methods / "README.md").read_text(encoding="utf-8")
    cards = sorted(p.name for p in methods.glob("*.md") if p.name != "README.md")
    assert cards, "no method cards"
    for card in cards:
        assert f"]({card})" in index, f"{card} is not listed in docs/methods/README.md"
    for module in set(re.findall(r"`((?:analytics|services|ingest)(?:\.[a-z_]+)+)", index)):
        path = ROOT / "src" / "silian" / module.replace(".", "/")
        assert path.with_suffix(".py").exists() or (path / "__init__.py").exists(), module
    for test in set(re.findall(r"`(tests/[\w/]+\.py)", index)):
        assert (ROOT / test).exists(), test
    for name in set(re.findall(r"\(([a-z_]+\.md)", index)):
        assert (methods / name).exists(), name


def test_classifier_error_review_matches_the_data_and_the_card() -> None:
    """The hand-reviewed errors are real training titles with their real labels, each a wrong prediction
    with one of the card's verdicts, and the card's counts are the file's."""
    import csv
    import re
    from collections import Counter

    from silian.services.postings.classifier import occupation_reference, training_pairs

    rows = list(csv.DictReader((ROOT / "docs" / "methods" / "classifier_error_review.csv").open(encoding="utf-8")))
    pairs = set(zip(*training_pairs(), strict=True))
    names = dict(zip(occupation_reference().labels, occupation_reference().names, strict=True))
    for row in rows:
        assert (row["title"], row["label"]) in pairs, row
        assert row["predicted"] != row["label"], row
        assert names[row["label"]] == row["label_name"] and names[row["predicted"]] == row["predicted_name"], row
    counts = Counter(row["verdict"] for row in rows)
    assert set(counts) == {"judgement_call", "model_wrong", "label_implausible"}
    card = (ROOT / "docs" / "methods" / "occupation_classifier.md").read_text(encoding="utf-8")
    for verdict, n in counts.items():
        assert re.search(rf"\| `{verdict}` \| {n} \|", card), (verdict, n)
    assert f"draws {len(rows)} of" in card
