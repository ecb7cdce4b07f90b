"""Draw a reproducible random sample of the classifier's cross-validation errors, for review by hand.

    python tools/sample_classifier_errors.py [--n 100] [--seed 20261129] [-o errors.csv]

Runs the same 5-fold cross-validation as ``silian classify evaluate`` (seed 0), takes the titles whose
out-of-fold 细类 prediction differs from the label, and writes ``n`` of them (sampled with ``--seed``,
in file order) with the label and the prediction and their names, plus an empty ``verdict`` column.
The reviewed sample is ``docs/methods/classifier_error_review.csv``; the verdicts are explained in the
method card (``docs/methods/occupation_classifier.md``, "What the errors are").
"""

from __future__ import annotations

import argparse
import csv
import random
import sys

from threadpoolctl import threadpool_limits

from silian.analytics.classify.evaluate import cross_validate
from silian.analytics.classify.model import OccupationClassifier
from silian.services.postings.classifier import occupation_reference, training_pairs

COLUMNS = ("title", "label", "label_name", "predicted", "predicted_name", "verdict")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("-o", "--output", default="-")
    args = parser.parse_args(argv)
    titles, labels = training_pairs()
    reference = occupation_reference()
    names = dict(zip(reference.labels, reference.names, strict=True))
    with threadpool_limits(limits=1):
        result = cross_validate(OccupationClassifier, titles, labels, reference, folds=5, seed=0)
    wrong = [i for i, (guess, label) in enumerate(zip(result["predicted"], labels, strict=True)) if guess != label]
    picked = sorted(random.Random(args.seed).sample(wrong, min(args.n, len(wrong))))
    rows = [[titles[i], labels[i], names[labels[i]], result["predicted"][i], names.get(result["predicted"][i], ""), ""]
            for i in picked]
    if args.output == "-":
        _write(sys.stdout, rows)
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            _write(out, rows)
    print(f"{len(wrong)} of {len(titles)} titles wrong at 细类; wrote {len(picked)}", file=sys.stderr)
    return 0


def _write(out, rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)


if __name__ == "__main__":
    raise SystemExit(main())
