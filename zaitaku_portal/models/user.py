from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """The five kinds of user; what each may see is decided in zaitaku_portal.access."""

    PREFECTURE_STAFF = "prefecture_staff", "県職員"
    HUB_COORDINATOR = "hub_coordinator", "拠点コーディネーター"
    HEALTH_CENTER = "health_center", "保健所職員"
    ADMINISTRATOR = "administrator", "システム管理者"
    # issue 18: speaks for one or more active hospitals (hospitals.HospitalContact)
    HOSPITAL = "hospital", "積極的医療機関の担当者"


class User(AbstractUser):
    role = models.CharField("役割", max_length=32, choices=Role.choices)
    full_name = models.CharField("氏名", max_length=100, blank=True)
    health_center = models.ForeignKey(
        "zaitaku_portal.HealthCenter",
        verbose_name="所属保健所",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="保健所職員のみ。閲覧できるのはこの保健所の管轄区域です。",
    )
    # 決裁権者 (issue 15): a prefecture staff member who approves what others draft (起案).
    is_approver = models.BooleanField(
        "決裁権者",
        default=False,
        help_text="県職員のみ。起案された交付決定・不交付決定・額の確定等を決裁できます。",
    )

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"

    def __str__(self) -> str:
        return self.full_name or self.username

    def audited_values(self) -> dict:
        """What the audit log compares before and after an administrator's change (issue 12):
        the role, whether the account may log in, and the scope of a health-center user."""
        return {
            "役割": self.get_role_display() or None,
            "有効": self.is_active,
            "所属保健所": str(self.health_center) if self.health_center_id else None,
            "決裁権者": self.is_approver,
        }

    def save(self, *args, **kwargs):
        # The admin site is for the prefecture's own staff; the role decides, not a checkbox.
        self.is_staff = self.role in {Role.PREFECTURE_STAFF, Role.ADMINISTRATOR}
        self.is_superuser = self.role == Role.ADMINISTRATOR
        super().save(*args, **kwargs)
