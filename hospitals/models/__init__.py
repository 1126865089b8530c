from .designation import ActiveHospitalDesignation
from .import_run import RegistryImportRun
from .institution import MedicalInstitution

__all__ = ["ActiveHospitalDesignation", "MedicalInstitution", "RegistryImportRun"]
