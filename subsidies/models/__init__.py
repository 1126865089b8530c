"""The app's model registry: Django loads `subsidies.models`; each model lives in its part
(catalogue/, applications/, results/) and is listed here."""

from subsidies.applications.models import (
    Application,
    ApplicationAttachment,
    ApplicationComment,
    ApplicationStatus,
    ApplicationVersion,
    DeadlineReminder,
    Decision,
    DecisionLine,
    MenuPlan,
    ReturnReason,
)
from subsidies.catalogue.models import (
    ExpenseCategory,
    FiscalYear,
    RecipientType,
    RequirementItem,
    SubsidyMenu,
)
from subsidies.results.models import (
    Activity,
    ActivityKind,
    AdvancePayment,
    Confirmation,
    ConfirmationRecipient,
    ExcludedSource,
    ResultExpense,
    ResultReport,
    ResultReportStatus,
    ResultReportVersion,
)

__all__ = [
    "Activity",
    "ActivityKind",
    "AdvancePayment",
    "Application",
    "ApplicationAttachment",
    "ApplicationComment",
    "ApplicationStatus",
    "ApplicationVersion",
    "Confirmation",
    "ConfirmationRecipient",
    "DeadlineReminder",
    "Decision",
    "DecisionLine",
    "ExcludedSource",
    "ExpenseCategory",
    "FiscalYear",
    "MenuPlan",
    "RecipientType",
    "RequirementItem",
    "ResultExpense",
    "ResultReport",
    "ResultReportStatus",
    "ResultReportVersion",
    "ReturnReason",
    "SubsidyMenu",
]
