from .catalogue import ExpenseCategory, RecipientType, RequirementItem, SubsidyMenu
from .fiscal_year import FiscalYear

__all__ = ["ExpenseCategory", "FiscalYear", "RecipientType", "RequirementItem", "SubsidyMenu"]
