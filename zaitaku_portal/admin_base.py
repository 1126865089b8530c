from django.contrib import admin

from zaitaku_portal.access import can_manage_master_data


class PortalModelAdmin(admin.ModelAdmin):
    """Admin pages ask zaitaku_portal.access, not Django's per-model permission rows."""

    list_per_page = 50

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


class ReadOnlyAdmin(PortalModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
