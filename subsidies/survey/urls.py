"""The survey's pages (意向調査)."""

from django.urls import path

from subsidies.survey import views

urlpatterns = [
    path("survey/", views.survey_latest, name="survey_latest"),
    path("survey/<int:year>/", views.survey_home, name="survey"),
    path("survey/<int:year>/period/", views.survey_period, name="survey_period"),
    path("survey/<int:year>/close/", views.survey_close, name="survey_close"),
    path(
        "survey/<int:year>/open-applications/",
        views.survey_open_applications,
        name="survey_open_applications",
    ),
    path("survey/<int:year>/demand/", views.survey_demand, name="survey_demand"),
    path("survey/<int:year>/demand.xlsx", views.survey_demand_xlsx, name="survey_demand_xlsx"),
    path("survey/<int:year>/hubs/<int:hub_pk>/", views.survey_answer, name="survey_answer"),
    path("survey/<int:year>/hubs/<int:hub_pk>/excel/", views.survey_excel, name="survey_excel"),
    path("survey/<int:year>/hubs/<int:hub_pk>/upload/", views.survey_upload, name="survey_upload"),
    path("survey/<int:year>/hubs/<int:hub_pk>/apply/", views.survey_apply, name="survey_apply"),
]
