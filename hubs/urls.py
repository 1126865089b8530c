from django.urls import path

from hubs import program_views, views, year_views
from hubs.area import views as area

app_name = "hubs"
urlpatterns = [
    path("", views.hub_list, name="list"),
    path("mine/", views.my_hubs, name="my_hubs"),
    path("<int:pk>/", views.hub_detail, name="detail"),
    path("<int:pk>/program/", program_views.hub_program, name="program"),
    path("<int:pk>/year/", year_views.year_record_page, name="year_record"),
    path("agreements/<int:pk>/", program_views.agreement_edit, name="agreement_edit"),
    path("areas/", area.area_list, name="areas"),
    path("areas/<int:pk>/", area.area_detail, name="area_detail"),
    path("areas/<int:pk>/figures/", area.profile_edit, name="profile_edit"),
    path("areas/figures/import/", area.figures_import, name="figures_import"),
    path("areas/figures/template.xlsx", area.figures_template, name="figures_template"),
    path("areas/<int:pk>/actions/new/", area.action_new, name="action_new"),
    path("actions/<int:pk>/", area.action_edit, name="action_edit"),
    path("areas/<int:pk>/councils/new/", area.council_new, name="council_new"),
    path("councils/<int:pk>/", area.council_edit, name="council_edit"),
    path("councils/<int:pk>/minutes/", area.council_minutes, name="council_minutes"),
    path("areas/<int:pk>/candidates/new/", area.candidate_new, name="candidate_new"),
    path("candidates/<int:pk>/", area.candidate_edit, name="candidate_edit"),
]
