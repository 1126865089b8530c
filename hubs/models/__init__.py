from .area import (
    ActionProgress,
    AreaProfile,
    AreaResource,
    HomeCareCouncil,
    PlanAction,
    ResourceKind,
)
from .coordinator import HubCoordinator
from .hub import Hub
from .selection import HubCandidate, MunicipalProgramAgreement
from .year_record import CoordinatorMeetingAttendance, HubYearPlan

__all__ = [
    "ActionProgress",
    "AreaProfile",
    "AreaResource",
    "CoordinatorMeetingAttendance",
    "HomeCareCouncil",
    "Hub",
    "HubCandidate",
    "HubCoordinator",
    "HubYearPlan",
    "MunicipalProgramAgreement",
    "PlanAction",
    "ResourceKind",
]
