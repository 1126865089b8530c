"""What the applications part does when another app says something changed (connected in
subsidies/apps.py)."""

from hospitals.signals import designation_changed
from subsidies.applications.services import ensure_lines_for_area


def write_lines_for_designation(sender, *, area, hub=None, **kwargs) -> None:
    """A designation began or ended: the editable applications of the area's hubs (and of
    the designation's own hub) get the lines of its hospital, inside the same transaction."""
    ensure_lines_for_area(area, hub)


def connect() -> None:
    designation_changed.connect(
        write_lines_for_designation, dispatch_uid="subsidies.applications.designation_lines"
    )
