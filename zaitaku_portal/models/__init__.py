from .audit import AuditEntry
from .geography import HealthCenter, HomeCareArea, Municipality, SecondaryMedicalArea
from .user import Role, User

__all__ = [
    "AuditEntry",
    "HealthCenter",
    "HomeCareArea",
    "Municipality",
    "Role",
    "SecondaryMedicalArea",
    "User",
]
