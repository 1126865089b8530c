"""意向調査 (intention survey) of a fiscal year (issue 19)."""
