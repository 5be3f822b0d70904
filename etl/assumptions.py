"""Every assumption behind the synthetic demo, in one place, each with its source.

The demo is *synthetic*: generated, not collected. Its base rates come from published UK
figures so that the dashboard looks like real use; the pilot's effect is a stated, adjustable
assumption of this demo, not a finding about any real scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Assumption:
    name: str
    value: object
    source: str

    @property
    def shown(self) -> str:
        """The value as a person reads it: shares as percentages, pairs by period, never Python's repr."""
        value = self.value
        if isinstance(value, tuple) and len(value) == 2:
            return f"{value[0]:g} before the scheme, {value[1]:g} during it"
        if isinstance(value, float) and 0 < value < 1 and "relative risk" not in self.name:
            return f"{value * 100:g}%"
        return str(value)


CHILDREN_PER_YEAR = Assumption(
    "unaccompanied children first met by a county force in a year",
    60,
    "Demo assumption: about 60 a year for a county force, the scale of the Hertfordshire pilot.",
)
MISSING_SHARE_BASELINE = Assumption(
    "share of unaccompanied children in care who go missing, before a scheme",
    0.22,
    "ECPAT UK and Missing People, 'Heading back to harm' (2016): 28% of trafficked and 13% of "
    "unaccompanied children in care went missing at least once; 'Still in Harm's Way' (2018): "
    "about one in six unaccompanied children. The demo takes 22%, inside the 15-28% range.",
)
MISSING_EARLY_SHARE = Assumption(
    "share of first missing episodes that start within 72 hours of placement",
    0.6,
    "ECPAT UK and Missing People (2016) report that many go missing within 24-72 hours of "
    "being placed, often before a full assessment; the demo takes 60%.",
)
EPISODES_ENDING_IN_48H = Assumption(
    "share of missing incidents that end within two days",
    0.9,
    "Department for Education, 'Children looked after in England' missing-episode tables: "
    "about 90% of missing incidents end within two days.",
)
NEVER_FOUND_SHARE = Assumption(
    "share of children who go missing and are still missing at the extract",
    0.15,
    "'Heading back to harm' (2016): of unaccompanied children who went missing, a large "
    "minority were not found; the demo takes 15%.",
)
PLACED_SHARE = Assumption(
    "share of children placed in accommodation by the local authority",
    0.93,
    "Demo assumption: nearly every unaccompanied child is accommodated under section 20; the "
    "rest are age-disputed or moved on before placement.",
)
PILOT_EARLY_MISSING_RELATIVE_RISK = Assumption(
    "pilot effect: relative risk of going missing in the scheme period",
    0.55,
    "A stated, adjustable assumption of this demo (not a claim): the pack's victim-centred first "
    "engagement is assumed to cut the risk of going missing by 45%, mostly early.",
)
ENGAGEMENT_MEDIAN_HOURS = Assumption(
    "median hours from first contact to first welfare engagement (baseline, pilot)",
    (30.0, 5.0),
    "A stated, adjustable assumption of this demo: before the scheme a welfare conversation "
    "waited for a social worker and interpreter (about a day); the pack brings it to the first "
    "hours.",
)

SECULAR_TREND = Assumption(
    "change everywhere: relative risk of going missing, per year, in every force, with a scheme or not",
    0.9,
    "A stated, adjustable assumption of this demo (not a claim): practice improves everywhere over time (better "
    "placements, national guidance), so the risk of going missing falls by 10% a year from April 2016 in every "
    "force. A before-and-after gain in the demo is therefore partly national, and the attribution page has "
    "something to separate from the scheme's own effect.",
)
TREND_FROM = date(2016, 4, 1)

LEAD_FORCE = {
    "force_code": "ELMSHIRE",
    "force_name": "Elmshire Constabulary (fictional)",
    "scheme_name": "First Contact Pack pilot",
    "pilot_start": date(2017, 8, 1),
    "baseline_start": date(2016, 8, 1),
    "extract_date": date(2018, 7, 31),
}
OTHER_PILOT_FORCES = (
    ("FENWICK", "Fenwick Police (fictional)", None, 45),
    ("MARSHCOTE", "Marshcote Constabulary (fictional)", date(2018, 1, 1), 80),
    ("OAKVALE", "Oakvale Police (fictional)", None, 30),
    # Generated after the four above, so that theirs stay as they were: six forces, four schemes
    # that started at different dates, for a benchmark worth looking at.
    ("HOLLINGTON", "Hollington Police (fictional)", date(2017, 11, 1), 50),
    ("RAVENSMOOR", "Ravensmoor Constabulary (fictional)", date(2018, 3, 1), 35),
)

ALL = (
    CHILDREN_PER_YEAR,
    MISSING_SHARE_BASELINE,
    MISSING_EARLY_SHARE,
    EPISODES_ENDING_IN_48H,
    NEVER_FOUND_SHARE,
    PLACED_SHARE,
    PILOT_EARLY_MISSING_RELATIVE_RISK,
    SECULAR_TREND,
    ENGAGEMENT_MEDIAN_HOURS,
)

NATIONALITY_WEIGHTS = {
    "ERI": 18,
    "AFG": 17,
    "SDN": 12,
    "VNM": 10,
    "ALB": 9,
    "IRQ": 9,
    "IRN": 8,
    "SYR": 5,
    "ETH": 5,
    "KWT": 2,
    "EGY": 2,
    "UNK": 3,
}
ROUTE_WEIGHTS = {
    "VEHICLE": 35,
    "PORT": 20,
    "POLICE_ENCOUNTER": 18,
    "SELF_PRESENTED": 10,
    "AGENCY_REFERRAL": 12,
    "OTHER": 3,
    "UNKNOWN": 2,
}
