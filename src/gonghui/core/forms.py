# SPDX-License-Identifier: AGPL-3.0-or-later
"""Form pieces shared by the apps' pages."""

from django import forms


class UnitChoiceField(forms.ModelChoiceField):
    """Org units shown indented by depth, so a long select still reads as a tree."""

    def label_from_instance(self, obj) -> str:
        return "\u3000" * max(obj.depth, 0) + obj.name
