from django.contrib import admin
from django.db import models

from zaitaku_portal.access import can_manage_master_data, can_manage_users
from zaitaku_portal.bounds import BoundedModelMultipleChoiceField, single_line


class PortalModelAdmin(admin.ModelAdmin):
    """Admin pages ask zaitaku_portal.access, not Django's per-model permission rows."""

    list_per_page = 50

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """A one-line text (a name, an address, a code) holds no line break or other control
        character, in every model, the shared ones (geography, users) included (issue 12,
        point 10: a hub name with CR/LF broke every e-mail about the hub)."""
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        one_line = isinstance(db_field, models.CharField) and not db_field.choices
        if formfield is not None and one_line:
            formfield.validators.append(single_line)
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)  # no 2**70 in IN ()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return bool(can_manage_master_data(request.user))

    def has_view_permission(self, request, obj=None):
        return bool(can_manage_master_data(request.user))

    def has_add_permission(self, request):
        return bool(can_manage_master_data(request.user))

    def has_change_permission(self, request, obj=None):
        return bool(can_manage_master_data(request.user))

    def has_delete_permission(self, request, obj=None):
        return bool(can_manage_master_data(request.user))


class ParentRightsInline(admin.TabularInline):
    """A row edited only inside its parent's page (a hub's coordinators, an institution's
    hospital contacts): the parent admin has already asked zaitaku_portal.access, so the
    inline asks no per-model permission rows of its own."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return True

    def has_change_permission(self, request, obj=None):
        return True

    def has_delete_permission(self, request, obj=None):
        return True


class ReadOnlyAdmin(PortalModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UserManagementAdmin(PortalModelAdmin):
    """Users, roles and two-factor devices: administrators only (issue 12). Superuser rows
    count for nothing here either: only the role does, through zaitaku_portal.access."""

    def has_module_permission(self, request):
        return bool(can_manage_users(request.user))

    def has_view_permission(self, request, obj=None):
        return bool(can_manage_users(request.user))

    def has_add_permission(self, request):
        return bool(can_manage_users(request.user))

    def has_change_permission(self, request, obj=None):
        return bool(can_manage_users(request.user))

    def has_delete_permission(self, request, obj=None):
        return bool(can_manage_users(request.user))
