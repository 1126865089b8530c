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

__all__ = [
    "ActionProgress",
    "AreaProfile",
    "AreaResource",
    "HomeCareCouncil",
    "Hub",
    "HubCandidate",
    "HubCoordinator",
    "MunicipalProgramAgreement",
    "PlanAction",
    "ResourceKind",
]
