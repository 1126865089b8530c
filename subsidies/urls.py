"""The subsidies app's URLs under /subsidies/, one `subsidies:` namespace for its parts.
Results (実績報告と額の確定) have their own `results:` namespace under /results/."""

from subsidies.applications.urls import urlpatterns as application_urls
from subsidies.catalogue.urls import urlpatterns as catalogue_urls

app_name = "subsidies"
urlpatterns = [*catalogue_urls, *application_urls]
