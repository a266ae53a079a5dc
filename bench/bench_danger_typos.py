"""How many danger phrases still raise their number when typed with one typo.

Run: ``.venv/bin/python bench/bench_danger_typos.py [CATALOGUE_DIR]`` (a few seconds;
the keywords only, no model). For every danger phrase of every emergency contact, each word of
five letters or more is typed wrong once, in three ways a phone makes typos: a letter
dropped, two neighbours swapped, a letter doubled (the first letter is kept: a typo rarely
hits both ends of a word). A variant counts as found when the phrase's contact is among the
message's emergency contacts. The exact phrases are counted too: a phrase the engine does not
find as written is a catalogue error. Per language, then overall.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalogue.loader import load_or_raise  # noqa: E402
from bot.matching.engine import MatchingEngine  # noqa: E402
from bot.matching.index import CONJUNCTION  # noqa: E402


def typos(word: str) -> list[str]:
    """One dropped, one swapped and one doubled letter, at positions spread over the word."""
    inner = range(1, len(word) - 1)
    middle = len(word) // 2
    dropped = word[:middle] + word[middle + 1 :]
    swap = max(1, middle - 1)
    swapped = word[:swap] + word[swap + 1] + word[swap] + word[swap + 2 :]
    doubled = word[: inner[-1]] + word[inner[-1]] + word[inner[-1] :]
    return [v for v in dict.fromkeys((dropped, swapped, doubled)) if v != word]


def variants(phrase: str) -> list[str]:
    """The phrase with one of its long words mistyped; "a + b" is typed as "a b"."""
    words = phrase.replace(CONJUNCTION, " ").split()
    found = []
    for i, word in enumerate(words):
        if len(word) >= 5:
            found += [" ".join([*words[:i], typo, *words[i + 1 :]]) for typo in typos(word)]
    return found


def main() -> None:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "catalogue"
    catalogue = load_or_raise(directory)
    engine = MatchingEngine(catalogue)
    exact, exact_found = Counter(), Counter()
    typed, typed_found = Counter(), Counter()
    missed_exact: list[str] = []
    for contact in catalogue.territory.emergency:
        for lang, phrases in contact.words.items():
            for phrase in phrases:
                written = phrase.replace(CONJUNCTION, " ")
                exact[lang] += 1
                if contact.id in engine.keyword_evidence(written).emergency:
                    exact_found[lang] += 1
                else:
                    missed_exact.append(f"{contact.id} {lang}: {phrase}")
                for variant in variants(phrase):
                    typed[lang] += 1
                    typed_found[lang] += contact.id in engine.keyword_evidence(variant).emergency
    print("| lang | phrases | found as written | one-typo variants | found |")
    print("|---|---|---|---|---|")
    for lang in sorted(exact):
        share = 100 * typed_found[lang] / max(1, typed[lang])
        print(
            f"| {lang} | {exact[lang]} | {exact_found[lang]} | {typed[lang]} | "
            f"{typed_found[lang]} ({share:.1f} %) |"
        )
    total, found = sum(typed.values()), sum(typed_found.values())
    print(
        f"| **all** | {sum(exact.values())} | {sum(exact_found.values())} | {total} | "
        f"{found} ({100 * found / max(1, total):.1f} %) |"
    )
    if missed_exact:
        print("\nnot found as written:")
        print("\n".join(missed_exact))


if __name__ == "__main__":
    main()
