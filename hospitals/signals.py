"""What the hospitals app tells the apps above it, without importing them.

`designation_changed` is sent (with `area` and `hub`, the designation's hub or None) inside
the transaction of designate() and end_designation(), so a receiver's writes commit or roll
back with the designation. subsidies connects a receiver that writes the plan lines the
change calls for (subsidies/apps.py)."""

from django.dispatch import Signal

designation_changed = Signal()
