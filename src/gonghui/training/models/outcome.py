"""Outcomes database (成果库): certificates and skill-level results."""

from django.db import models

from gonghui.orgs.models import Person

from ..enums import Level
from .catalogue import Skill
from .plan import TrainingPlan


class Certificate(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates")
    plan = models.ForeignKey(
        TrainingPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="certificates")
    level = models.CharField("等级", max_length=4, choices=Level.choices)
    number = models.CharField("证书编号", max_length=50)
    issuer = models.CharField("发证机构", max_length=100)
    issued_on = models.DateField("发证日期")
    score = models.DecimalField("考核成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "证书"
        verbose_name_plural = "成果库"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="certificate_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.skill} {self.get_level_display()}"
