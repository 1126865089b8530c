"""The WSGI application gunicorn serves (docs/operations.md).

A web process's first requests load what every later one reuses: the URL patterns, the
compiled templates, the apps' module caches, some 150,000 objects at national scale. Python's
collector walks all of them at each full collection, 60-90 ms of one request every few dozen
(benchmarks/README.md, issue 21). Once the process has served its first requests, one
collection clears what is garbage and gc.freeze() moves the rest out of the collector's
reach; what later requests make is collected as before."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaitaku_portal.settings")

# PORTAL_GC_FREEZE_AFTER=0: never (the alternative benchmarks/load_dashboards.py --compare gc runs)
WARM_AFTER_REQUESTS = int(os.environ.get("PORTAL_GC_FREEZE_AFTER", "100"))


class FreezeWhenWarm:
    """Calls the application; after its `after`-th request, gc.collect() then gc.freeze()."""

    def __init__(self, application, after: int = WARM_AFTER_REQUESTS):
        self.application, self.after, self.served, self.frozen = application, after, 0, False

    def __call__(self, environ, start_response):
        try:
            return self.application(environ, start_response)
        finally:
            self.served += 1
            if not self.frozen and 0 < self.after <= self.served:
                self.frozen = True
                gc.collect()
                gc.freeze()


application = FreezeWhenWarm(get_wsgi_application())
