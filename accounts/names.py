"""Learners' names and class codes as people type them.

A child types "li wei" where the sheet says "Li Wei", or a code as "k7m 2qp": names are compared
without case or spaces, codes without case, spaces or dashes. NFKC first, so full-width letters and
digits from a Chinese keyboard match their ordinary forms.
"""

import unicodedata

MAX_NAME_LENGTH = 60


def clean_name(raw: str) -> str:
    """A name as stored and printed: outer spaces trimmed, inner runs of spaces made single."""
    return " ".join(raw.split())


def name_key(name: str) -> str:
    """What two spellings of one name have in common: no case, no spaces."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def code_key(code: str) -> str:
    """A class code as stored (upper case), whatever spaces or dashes were typed with it."""
    normalized = unicodedata.normalize("NFKC", code).upper()
    return "".join(character for character in normalized if character.isalnum())


def has_control_characters(text: str) -> bool:
    """Invisible characters (control, format, unassigned) have no place in a printed name."""
    return any(unicodedata.category(character).startswith("C") for character in text)


def distinct_names(names: list[str], taken: set[str]) -> list[str]:
    """`names` with a number added where a name is already taken in the class or repeats in the
    list: "Li Wei", "Li Wei (2)", "Li Wei (3)". `taken` holds name_key()s of current learners.

    Numbers rather than a refusal: a class often has two children of the same name, and the
    teacher can tell them apart on the printed sheet; signing in needs distinct names.
    """
    used = set(taken)
    result = []
    for name in names:
        candidate, number = name, 2
        while name_key(candidate) in used:
            candidate = f"{name} ({number})"
            number += 1
        used.add(name_key(candidate))
        result.append(candidate)
    return result
