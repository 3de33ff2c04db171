"""The participant's own pages ("Mon programme"), opened by their personal link."""
