"""Accuracy, per-intent precision/recall and out_of_scope recall of the parser on a JSONL set."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from intents.models import ParseContext
from intents.parser import OUT_OF_SCOPE, parse

# Code-switched messages are written by Thai speakers: they count with Thai.
LANGUAGE_GROUPS = {"thai": ("th", "mix"), "en": ("en",)}
_GROUP_NAMES = {"thai": "Thai (th+mix)", "en": "English"}


@dataclass
class EvalReport:
    """Scores of one evaluation run."""

    total: int
    correct: int
    per_intent: dict[str, tuple[float, float, int]]
    in_scope_accuracy: float
    oos_recall: float | None
    confusion: Counter[tuple[str, str]]
    by_lang: dict[str, float] = field(default_factory=dict)
    # the two language groups: Thai (th + mix) and English (en)
    by_group: dict[str, float] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        """Share of rows whose predicted intent equals the label."""
        return self.correct / self.total if self.total else 0.0

    def render(self) -> str:
        """A plain-text table of the scores."""
        lines = [
            f"rows {self.total}  accuracy {self.accuracy:.3f}  "
            f"in-scope accuracy {self.in_scope_accuracy:.3f}  "
            + (
                f"out_of_scope recall {self.oos_recall:.3f}"
                if self.oos_recall is not None
                else "out_of_scope recall n/a"
            ),
        ]
        if self.by_lang:
            lines.append(
                "by language: "
                + "  ".join(f"{lang} {acc:.3f}" for lang, acc in sorted(self.by_lang.items()))
            )
            lines.append(
                "by language group: "
                + "  ".join(f"{_GROUP_NAMES[g]} {acc:.3f}" for g, acc in self.by_group.items())
            )
        lines.append(f"{'intent':<18}{'precision':>10}{'recall':>8}{'support':>9}")
        for name, (precision, recall, support) in sorted(self.per_intent.items()):
            lines.append(f"{name:<18}{precision:>10.3f}{recall:>8.3f}{support:>9}")
        lines.append("most frequent confusions (label -> predicted):")
        for (gold, pred), count in self.confusion.most_common(12):
            lines.append(f"  {gold} -> {pred}: {count}")
        return "\n".join(lines)


def evaluate(path: str | Path, context: ParseContext | None = None) -> EvalReport:
    """Parse every row of a JSONL file ({"text", "intent"[, "lang"]}) and score it."""
    rows = [
        json.loads(line)
        for line in Path(path).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    predicted_count: Counter[str] = Counter()
    gold_count: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    lang_total: Counter[str] = Counter()
    lang_hits: Counter[str] = Counter()
    for row in rows:
        gold = row["intent"]
        pred = parse(row["text"], context).intent
        gold_count[gold] += 1
        predicted_count[pred] += 1
        lang = row.get("lang")
        if lang:
            lang_total[lang] += 1
        if pred == gold:
            hits[gold] += 1
            if lang:
                lang_hits[lang] += 1
        else:
            confusion[(gold, pred)] += 1
    per_intent: dict[str, tuple[float, float, int]] = {}
    for name in sorted(set(gold_count) | set(predicted_count)):
        precision = hits[name] / predicted_count[name] if predicted_count[name] else 0.0
        recall = hits[name] / gold_count[name] if gold_count[name] else 0.0
        per_intent[name] = (precision, recall, gold_count[name])
    in_scope = sum(n for g, n in gold_count.items() if g != OUT_OF_SCOPE)
    in_scope_hits = sum(n for g, n in hits.items() if g != OUT_OF_SCOPE)
    oos_total = gold_count[OUT_OF_SCOPE]
    by_lang: defaultdict[str, float] = defaultdict(float)
    for lang, count in lang_total.items():
        by_lang[lang] = lang_hits[lang] / count
    by_group: dict[str, float] = {}
    for group, langs in LANGUAGE_GROUPS.items():
        count = sum(lang_total[lang] for lang in langs)
        if count:
            by_group[group] = sum(lang_hits[lang] for lang in langs) / count
    return EvalReport(
        total=len(rows),
        correct=sum(hits.values()),
        per_intent=per_intent,
        in_scope_accuracy=in_scope_hits / in_scope if in_scope else 0.0,
        oos_recall=hits[OUT_OF_SCOPE] / oos_total if oos_total else None,
        confusion=confusion,
        by_lang=dict(by_lang),
        by_group=by_group,
    )


def main(argv: list[str] | None = None) -> None:
    """Print the report of each JSONL file given on the command line."""
    import sys

    for arg in argv if argv is not None else sys.argv[1:]:
        print(f"== {arg}")
        print(evaluate(arg).render())


if __name__ == "__main__":
    main()
