from .designation import ActiveHospitalDesignation
from .institution import MedicalInstitution

__all__ = ["ActiveHospitalDesignation", "MedicalInstitution"]
