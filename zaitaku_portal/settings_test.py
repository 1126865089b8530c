"""Settings for the test suite: the development settings (`DJANGO_DEBUG=1`: the development
secret key, no HTTPS redirect), so `pytest` runs on a fresh machine without exporting
anything. pytest-django still runs every test with `DEBUG = False`. Production never loads
this module (manage.py and wsgi.py name `zaitaku_portal.settings`, which is off by default).

The variable is set in the environment, not only here, so the processes a test starts
(`manage.py task_worker`, `runserver`) inherit it with this module's name."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from zaitaku_portal.settings import *  # noqa: F403
