#!/usr/bin/env python3
"""Scores records with pypmml (PMML4S on Java): the reference engine of pmml_conformance.rs.

Usage: score_with_pypmml.py MODEL.pmml RECORDS.json

RECORDS.json is a list of objects (feature -> value; null or an absent key is missing). Prints
a JSON list with one entry per record:
  {"score": "<repr of the predicted value>", "reasons": ["RC", ...]}  ranked reason codes
  {"invalid": "no_match"}   no Attribute of some Characteristic matched (PMML4S fails so when
                            reason codes are on)
  {"invalid": "no_value"}   the engine returned no value (NaN or null): an invalid or missing
                            input it returns invalid, or, without reason codes, no match

The models name their outputs: `predicted_score` first, then `reason_code_N` with rank N for
every reason code (PMML4S's default outputs, without an Output element, give the top code at
every rank). PMML4S fills every rank asked for, padding with the last code that cost points
(or nulls); the padding is removed here so the list is the ranking itself.
Exits 3 when pypmml or Java is missing.
"""
import json
import math
import sys

try:
    from pypmml import Model
except ImportError as error:  # pragma: no cover - the Rust test reports this
    print(f"pypmml is not importable ({error}): pip install pypmml (it needs Java)", file=sys.stderr)
    sys.exit(3)


def main() -> None:
    model = Model.fromFile(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        records = json.load(f)
    names = list(model.outputNames)
    score_name = names[0]
    rank_names = sorted(
        (n for n in names if n.startswith("reason_code_")),
        key=lambda n: int(n.rsplit("_", 1)[1]),
    )
    answers = []
    for record in records:
        try:
            result = model.predict(record)
        except Exception as error:  # py4j's Py4JJavaError
            # PMML4S fails this way when a Characteristic has no matching Attribute.
            if "key not found: None" in str(error):
                answers.append({"invalid": "no_match"})
                continue
            raise
        score = result.get(score_name)
        if score is None or (isinstance(score, float) and math.isnan(score)):
            answers.append({"invalid": "no_value"})
            continue
        reasons = []
        for name in rank_names:
            code = result.get(name)
            if code is not None and code not in reasons:
                reasons.append(code)
        answers.append({"score": repr(float(score)), "reasons": reasons})
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
