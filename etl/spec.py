"""The data standard (docs/data-standard.md, version 2) as data: tables, columns, code lists."""

from __future__ import annotations

from dataclasses import dataclass

STANDARD_VERSION = 2

TABLES = ("forces", "contacts", "placements", "missing_episodes")
# A header with no rows is an empty table, valid where none is a real answer: no child went missing (the best a
# scheme can do), or none was placed yet. Forces and contacts need rows (data standard, E01).
MAY_BE_EMPTY = ("placements", "missing_episodes")

YN = frozenset({"Y", "N"})
YNU = frozenset({"Y", "N", "U"})
RISK = frozenset({"LOW", "MEDIUM", "HIGH", "U"})
SEX = frozenset({"M", "F", "U"})
CONTACT_ROUTES = frozenset(
    {"PORT", "VEHICLE", "SELF_PRESENTED", "POLICE_ENCOUNTER", "AGENCY_REFERRAL", "OTHER", "UNKNOWN"}
)
PLACEMENT_TYPES = frozenset(
    [f"U{i}" for i in range(1, 7)]
    + ["K1", "K2", "K3", "H5", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "Z1"]
    + [f"T{i}" for i in range(0, 5)]
)
PROVIDERS = frozenset(f"PR{i}" for i in range(0, 6))
END_REASONS = frozenset(
    {
        "MISSING",
        "PLANNED_MOVE",
        "UNPLANNED_MOVE",
        "AGE_ASSESSED_ADULT",
        "TRANSFERRED_LA",
        "RETURNED_FAMILY",
        "REACHED_18",
        "OTHER",
    }
)
# End reasons after which a child has left the force's care other than by going missing.
EXIT_REASONS = frozenset({"AGE_ASSESSED_ADULT", "TRANSFERRED_LA", "RETURNED_FAMILY", "REACHED_18"})
EPISODE_TYPES = frozenset({"M", "A"})
OUTCOMES = frozenset({"SAFE", "HARMED", "U"})


@dataclass(frozen=True)
class Col:
    """One column: its name, its type, whether it is required, and (for codes) its list.

    ``kind`` is one of: force_code, text, date, datetime, id, child_id, la_child_id, la_code, code, int_age.
    child_id and la_child_id are pseudonymised as they are read (stored as child_key, la_child_key).
    ``blank`` is the stored value of a blank optional flag (``U`` for Y/N/U flags).
    """

    name: str
    kind: str
    required: bool = False
    codes: frozenset[str] | None = None
    max_len: int | None = None
    blank: str | None = None


SPEC: dict[str, tuple[Col, ...]] = {
    "forces": (
        Col("force_code", "force_code", True),
        Col("force_name", "text", True, max_len=80),
        Col("scheme_name", "text", max_len=120),
        Col("pilot_start", "date"),
        Col("baseline_start", "date"),
        Col("extract_date", "date", True),
        Col("synthetic", "code", codes=YN, blank="N"),
    ),
    "contacts": (
        Col("contact_id", "id", True),
        Col("child_id", "child_id", True),
        Col("force_code", "force_code", True),
        Col("first_contact_at", "datetime", True),
        Col("first_engagement_at", "datetime"),
        Col("pack_completed", "code", True, codes=YN),
        Col("pack_submitted_at", "datetime"),
        Col("age_at_contact", "int_age"),
        Col("age_disputed", "code", codes=YNU, blank="U"),
        Col("sex", "code", True, codes=SEX),
        Col("nationality", "nationality", True),
        Col("contact_route", "code", True, codes=CONTACT_ROUTES),
        Col("interpreter_used", "code", codes=YNU, blank="U"),
        Col("trafficking_indicators", "code", codes=YNU, blank="U"),
        Col("nrm_referral", "code", codes=YNU, blank="U"),
        Col("missing_risk", "code", codes=RISK, blank="U"),
        Col("la_code", "la_code"),
        Col("la_child_id", "la_child_id"),
    ),
    "placements": (
        Col("placement_id", "id", True),
        Col("child_id", "child_id", True),
        Col("force_code", "force_code", True),
        Col("start_at", "datetime", True),
        Col("end_at", "datetime"),
        Col("placement_type", "code", True, codes=PLACEMENT_TYPES),
        Col("provider", "code", codes=PROVIDERS),
        Col("end_reason", "code", codes=END_REASONS),
    ),
    "missing_episodes": (
        Col("episode_id", "id", True),
        Col("child_id", "child_id", True),
        Col("force_code", "force_code", True),
        Col("episode_type", "code", True, codes=EPISODE_TYPES),
        Col("start_at", "datetime", True),
        Col("end_at", "datetime"),
        Col("risk_grading", "code", codes=RISK, blank="U"),
        Col("outcome", "code", codes=OUTCOMES),
        Col("return_interview_offered", "code", codes=YNU, blank="U"),
        Col("return_interview_accepted", "code", codes=YNU, blank="U"),
    ),
}

# Identifier columns: their values are never echoed in a message.
ID_KINDS = frozenset({"id", "child_id", "la_child_id"})
# Identifier columns replaced by their keyed pseudonym as they are read, and the names they are kept under.
PSEUDONYMISED = {"child_id": "child_key", "la_child_id": "la_child_key"}


def stored_name(col: Col) -> str:
    """The column's name in the validated frame: a pseudonymised identifier is kept as its key."""
    return PSEUDONYMISED.get(col.kind, col.name)
