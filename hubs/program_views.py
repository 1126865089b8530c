"""The hub's 推進事業 page: whether its operator runs the municipal program, and the
municipalities it agreed with and their items (seed 001)."""

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render

from hubs import program
from hubs.area.forms import AgreementForm, HubProgramForm
from hubs.models import MunicipalProgramAgreement
from zaitaku_portal.access import STAFF_ROLES, require_roles
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import hubs_for

WRITERS = (*STAFF_ROLES, Role.HUB_COORDINATOR)


def _page(request, hub, agreement):
    runs_form = HubProgramForm(initial={"runs_municipal_program": hub.runs_municipal_program})
    form = AgreementForm(instance=agreement, municipalities=program.municipalities_of(hub))
    if request.method == "POST":
        try:
            if request.POST.get("part") == "runs":
                runs_form = HubProgramForm(request.POST)
                runs_form.is_valid()
                program.set_runs_program(
                    request.user, hub, runs_form.cleaned_data["runs_municipal_program"]
                )
                messages.success(request, "推進事業の実施の有無を保存しました。")
                return redirect("hubs:program", pk=hub.pk)
            form = AgreementForm(
                request.POST, instance=agreement, municipalities=program.municipalities_of(hub)
            )
            if form.is_valid():
                saved = program.save_agreement(request.user, hub, form)
                messages.success(request, f"{saved.municipality}との協議を保存しました。")
                return redirect("hubs:program", pk=hub.pk)
        except program.ProgramError as error:
            form.add_error(None, error.message)
        except IntegrityError:
            form.add_error(None, "この市区町村との協議は既に登録されています。")
    return render(
        request,
        "hubs/program.html",
        {
            "hub": hub,
            "runs_form": runs_form,
            "form": form,
            "agreement": agreement,
            "agreements": hub.program_agreements.select_related("municipality__parent"),
            "excluded": program.excluded_items(hub),
        },
    )


@require_roles(*WRITERS)
def hub_program(request, pk: int):
    hub = get_object_or_404(hubs_for(request.user), pk=pk)
    return _page(request, hub, MunicipalProgramAgreement(hub=hub))


@require_roles(*WRITERS)
def agreement_edit(request, pk: int):
    agreement = get_object_or_404(
        MunicipalProgramAgreement.objects.filter(hub__in=hubs_for(request.user)), pk=pk
    )
    return _page(request, agreement.hub, agreement)
