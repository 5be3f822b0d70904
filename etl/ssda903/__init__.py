"""Placement outcomes from a local authority's SSDA903 return (docs/data-standard.md, version 2).

A bundle may carry, instead of placements.csv and missing_episodes.csv, each authority's own
children-looked-after return: ``ssda903/<la_code>/`` holding header.csv, episodes.csv, uasc.csv and
missing.csv, or one XML file of the return (``<EXPSSDA903>``); in an XLSX bundle, sheets named
``ssda903 <la_code> episodes`` and so on.

Only the columns the standard names are read. Every other column of the return (UPN, DOB,
HOME_POST, PL_POST, URN, MOTHER, MC_DOB, ...) is dropped as the file is read: it is never held,
stored, logged or echoed, and is not an error here.

Codes are those of the DfE's SSDA903 guidance as the open-source DfE rule validator
(csc-validator-be-903, lac_validator/rules) checks them: rule 149 for REC, 143 for RNE, 388 for
X1 ("episode ceases and a new one begins on the same day").

The slice reads as its steps: ``codes`` (the return's columns and code lists), ``read`` (a folder, an XML
file or workbook sheets into raw return tables, identifying columns dropped), ``check`` (each value against
the codes) and ``derive`` (placements and missing episodes for the children a contact links to).
"""
