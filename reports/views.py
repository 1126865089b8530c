from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from reports.batches import start_batch
from reports.models import BatchJob
from zaitaku_portal import audit
from zaitaku_portal.access import (
    ALL_ROLES,
    STAFF_ROLES,
    areas_for,
    designations_for,
    health_centers_for,
    hubs_for,
    require_roles,
)
from zaitaku_portal.models import Role


@require_roles(Role.HEALTH_CENTER, *STAFF_ROLES)
def my_areas(request):
    """A health center's home: its areas, each with its hubs and active hospitals."""
    user = request.user
    areas = areas_for(user).prefetch_related(
        "municipalities",
        Prefetch("hubs", queryset=hubs_for(user), to_attr="scoped_hubs"),
        Prefetch(
            "designations",
            queryset=designations_for(user)
            .filter(status="active")
            .select_related("institution", "hub"),
            to_attr="active_designations",
        ),
    )
    return render(
        request,
        "reports/my_areas.html",
        {"areas": areas, "health_centers": health_centers_for(user)},
    )


def decisions_for(user):
    from subsidies.models import Decision

    return Decision.objects.filter(application__hub__in=hubs_for(user)).select_related(
        "application__hub", "application__fiscal_year", "version"
    )


@require_roles(*ALL_ROLES)
def decision_notice(request, pk: int):
    from reports.documents import decision_notice_filename, decision_notice_pdf

    decision = get_object_or_404(decisions_for(request.user), pk=pk)
    response = HttpResponse(decision_notice_pdf(decision), content_type="application/pdf")
    name = decision_notice_filename(decision)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    audit.record(request.user, "交付決定通知書のダウンロード", decision)
    return response


class BatchForm(forms.Form):
    kind = forms.ChoiceField(label="種類", choices=BatchJob.Kind.choices)
    year = forms.TypedChoiceField(label="年度", coerce=int)
    hub = forms.ModelChoiceField(
        label="拠点（監査用一式のみ）", queryset=None, required=False, empty_label="—"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from subsidies.models import FiscalYear

        self.fields["year"].choices = [(fy.year, str(fy)) for fy in FiscalYear.objects.all()]
        self.fields["hub"].queryset = hubs_for(user)

    def clean(self):
        data = super().clean()
        if data.get("kind") == BatchJob.Kind.DOSSIER and not data.get("hub"):
            self.add_error("hub", "監査用一式を作成する拠点を選んでください。")
        return data


@require_roles(*STAFF_ROLES)
def batch_list(request):
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        from subsidies.models import FiscalYear

        fiscal_year = FiscalYear.objects.get(year=form.cleaned_data["year"])
        kind = form.cleaned_data["kind"]
        if kind == BatchJob.Kind.DOSSIER:
            hub = form.cleaned_data["hub"]
            params = {"year": fiscal_year.year, "hub": hub.pk}
            label = f"監査用一式_{hub.name}_{fiscal_year}"
        else:
            params = {"year": fiscal_year.year}
            label = f"交付決定通知書_{fiscal_year}"
        job = start_batch(kind, params, label, request.user)
        messages.success(request, f"「{job.label}」の作成を開始しました。")
        return redirect("reports:batch_detail", pk=job.pk)
    jobs = BatchJob.objects.select_related("created_by")[:50]
    return render(request, "reports/batch_list.html", {"form": form, "jobs": jobs})


@require_roles(*STAFF_ROLES)
def batch_detail(request, pk: int):
    job = get_object_or_404(BatchJob, pk=pk)
    return render(request, "reports/batch_detail.html", {"job": job})


@require_roles(*STAFF_ROLES)
def batch_download(request, pk: int):
    job = get_object_or_404(BatchJob, pk=pk, status=BatchJob.Status.DONE)
    audit.record(request.user, "一括作成のダウンロード", job)
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
