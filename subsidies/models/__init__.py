"""The app's model registry: Django loads `subsidies.models`; each model lives in its part
(catalogue/, applications/, results/) and is listed here."""

from subsidies.applications.hospital_counts import HospitalMenuCount
from subsidies.applications.models import (
    Application,
    ApplicationAttachment,
    ApplicationComment,
    ApplicationStatus,
    ApplicationVersion,
    DeadlineReminder,
    Decision,
    DecisionLine,
    DiscontinuationRequest,
    MenuPlan,
    ReturnReason,
    Withdrawal,
)
from subsidies.budget.models import AllocationProposal, Budget
from subsidies.catalogue.models import (
    ExpenseCategory,
    FiscalYear,
    RecipientType,
    RequirementItem,
    SubsidyMenu,
)
from subsidies.payments.models import (
    PaymentRequest,
    RefundCause,
    RefundOrder,
    RefundReceipt,
    RefundReminder,
    RequestKind,
    RequestStatus,
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
from subsidies.results.report_advice import ReportAdvice
from subsidies.shared.approvals import Approval, ApprovalKind, ApprovalState
from subsidies.survey.models import Survey, SurveyAnswer, SurveyLine

__all__ = [
    "Activity",
    "ActivityKind",
    "AdvancePayment",
    "AllocationProposal",
    "Application",
    "ApplicationAttachment",
    "ApplicationComment",
    "ApplicationStatus",
    "ApplicationVersion",
    "Approval",
    "ApprovalKind",
    "ApprovalState",
    "Budget",
    "Confirmation",
    "ConfirmationRecipient",
    "DeadlineReminder",
    "Decision",
    "DecisionLine",
    "DiscontinuationRequest",
    "ExcludedSource",
    "ExpenseCategory",
    "FiscalYear",
    "HospitalMenuCount",
    "MenuPlan",
    "PaymentRequest",
    "RecipientType",
    "RefundCause",
    "RefundOrder",
    "RefundReceipt",
    "RefundReminder",
    "ReportAdvice",
    "RequestKind",
    "RequestStatus",
    "RequirementItem",
    "ResultExpense",
    "ResultReport",
    "ResultReportStatus",
    "ResultReportVersion",
    "ReturnReason",
    "SubsidyMenu",
    "Survey",
    "SurveyAnswer",
    "SurveyLine",
    "Withdrawal",
]
