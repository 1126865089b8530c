from .audit import AuditEntry
from .geography import HealthCenter, HomeCareArea, Municipality, SecondaryMedicalArea
from .notification import Notification
from .user import Role, User

__all__ = [
    "AuditEntry",
    "HealthCenter",
    "HomeCareArea",
    "Municipality",
    "Notification",
    "Role",
    "SecondaryMedicalArea",
    "User",
]
