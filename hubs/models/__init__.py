from .coordinator import HubCoordinator
from .hub import Hub

__all__ = ["Hub", "HubCoordinator"]
