"""The SSDA903 return's columns and code lists, as the DfE's guidance and its rule validator give them."""

from __future__ import annotations

import re

from harbour.etl.spec import PLACEMENT_TYPES

TABLES = ("header", "episodes", "uasc", "missing")
# What is read of each table; everything else is dropped as it is read.
COLUMNS = {
    "header": ("CHILD",),
    "episodes": ("CHILD", "DECOM", "RNE", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE"),
    "uasc": ("CHILD",),
    "missing": ("CHILD", "MISSING", "MIS_START", "MIS_END"),
}
REQUIRED = {
    "header": ("CHILD",),
    "episodes": ("CHILD", "DECOM", "RNE", "PLACE", "DEC", "REC"),
    "uasc": ("CHILD",),
    "missing": ("CHILD", "MISSING", "MIS_START"),
}
LA_CODE = re.compile(r"^[EWSN][0-9]{8}$")

# PLACE: the standard's placement types and the adoption placements of the return (A3-A6).
PLACE_CODES = PLACEMENT_TYPES | {"A3", "A4", "A5", "A6"}
RNE_CODES = frozenset({"S", "P", "L", "T", "U", "B"})
MISSING_CODES = frozenset({"M", "A"})

# REC, reason episode ceased (every code of the current return), to the standard's end_reason.
# X1 is not here: it is a new episode the same day (a move, or a change of legal status only).
REC_END_REASONS = {
    "E11": ("OTHER", "adopted: application for an adoption order unopposed"),
    "E12": ("OTHER", "adopted: consent dispensed with by the court"),
    "E13": (
        "RETURNED_FAMILY",
        "left care to live with parent(s), relative(s) or other person(s) with no parental responsibility",
    ),
    "E14": ("OTHER", "accommodation on remand ended"),
    "E15": ("AGE_ASSESSED_ADULT", "age assessment determined the child is 18 or over"),
    "E16": ("OTHER", "child moved abroad"),
    "E17": ("REACHED_18", "aged 18 or over and remained with current carers (including staying put)"),
    "E2": ("OTHER", "died"),
    "E3": ("TRANSFERRED_LA", "care taken over by another local authority in the UK"),
    "E41": ("OTHER", "residence order or child arrangement order granted"),
    "E45": ("OTHER", "special guardianship order made to former foster carer(s), relative(s) or friend(s)"),
    "E46": ("OTHER", "special guardianship order made to former foster carer(s), not relatives or friends"),
    "E47": ("OTHER", "special guardianship order made to other carer(s), relative(s) or friend(s)"),
    "E48": ("OTHER", "special guardianship order made to other carer(s), not relatives or friends"),
    "E4A": ("RETURNED_FAMILY", "returned home to parent(s) or others with parental responsibility, as planned"),
    "E4B": ("RETURNED_FAMILY", "returned home to parent(s) or others with parental responsibility, not as planned"),
    "E5": ("OTHER", "moved to independent living with formal advice or support"),
    "E6": ("OTHER", "moved to independent living without formal advice or support"),
    "E7": ("OTHER", "transferred to residential care funded by adult social care"),
    "E8": ("OTHER", "ceased to be looked after for any other reason"),
    "E9": ("OTHER", "sentenced to custody"),
}
REC_CODES = frozenset(REC_END_REASONS) | {"X1"}
# REASON_PLACE_CHANGE, on the episode that begins with a new placement: planned or unplanned move.
PLANNED = {
    "CARPL": "change to, or carrying out of, the care plan",
    "PLACE": "change in the placement's status only",
    "LAREQ": "the responsible authority asked for the placement to end",
    "CUSTOD": "custody arrangement",
}
UNPLANNED = {
    "ALLEG": "allegation (section 47)",
    "STAND": "concerns about standards of care",
    "APPRR": "the carer's approval was removed",
    "CLOSE": "the provision closed or the carer resigned",
    "CREQB": "the carer asked for the placement to end: the child's behaviour",
    "CREQO": "the carer asked for the placement to end: other reasons",
    "CHILD": "the child asked for the placement to end",
    "OTHER": "other reason",
}
REASON_CODES = frozenset(PLANNED) | frozenset(UNPLANNED)


def move_reason(reason: str | None) -> str:
    """The end_reason of a placement left for another the same day (X1, the new episode's RNE not L).
    A reason the return does not give is counted unplanned: nobody recorded a plan."""
    return "PLANNED_MOVE" if reason in PLANNED else "UNPLANNED_MOVE"
