"""The subsidies app's URLs under /subsidies/, one `subsidies:` namespace for its parts.
Results (実績報告と額の確定) have their own `results:` namespace under /results/."""

from subsidies.applications.urls import urlpatterns as application_urls
from subsidies.approvals.urls import urlpatterns as approval_urls
from subsidies.budget.urls import urlpatterns as budget_urls
from subsidies.catalogue.urls import urlpatterns as catalogue_urls
from subsidies.payments.urls import urlpatterns as payment_urls
from subsidies.survey.urls import urlpatterns as survey_urls

app_name = "subsidies"
urlpatterns = [
    *catalogue_urls,
    *application_urls,
    *approval_urls,
    *budget_urls,
    *payment_urls,
    *survey_urls,
]
