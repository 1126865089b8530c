"""Records that are never changed: a correction is a new row that supersedes the old one."""

from django.db import models


class SupersedingQuerySet(models.QuerySet):
    def current(self):
        """The rows nothing supersedes. NOT EXISTS, not a LEFT JOIN … IS NULL through the
        reverse one-to-one: PostgreSQL plans it as an anti-join and estimates its rows,
        where the join form was estimated at one row and summed 62,000 decision lines by
        nested loop and an on-disk sort (reports/dashboard.py, 120 ms against 35 ms)."""
        newer = self.model._base_manager.filter(supersedes=models.OuterRef("pk"))
        return self.filter(~models.Exists(newer))
