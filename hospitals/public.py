"""What the prefecture publishes in its medical plan: the hubs and active hospitals per area.

Public data needs no login; the querysets live with every other scope in
zaitaku_portal.access (published_*), and the public pages read only from them."""

from zaitaku_portal.scopes import published_areas, published_designations, published_hubs

__all__ = ["published_areas", "published_designations", "published_hubs"]
