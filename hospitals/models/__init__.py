from .contact import HospitalContact
from .designation import ActiveHospitalDesignation
from .group import FacilityGroup, FacilityGroupMember
from .import_run import RegistryImportRun
from .institution import MedicalInstitution

__all__ = [
    "ActiveHospitalDesignation",
    "FacilityGroup",
    "FacilityGroupMember",
    "HospitalContact",
    "MedicalInstitution",
    "RegistryImportRun",
]
