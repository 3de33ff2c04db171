"""The report of the day ("actes"): the organiser's introduction and conclusion, the
workshops' summaries written by their rapporteurs, assembled with the programme, the
projects, the attendance and the evaluation into a DOCX and a PDF with the funders' block."""
