# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console: the skill knowledge base (技能知识库) — read each skill's words and add
to them; the matcher uses the additions from its next match on."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gonghui.core.console import console_page, paginate
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for

from ..domain.knowledge import KINDS, parse_words, skill_knowledge, update_skill_knowledge
from ..models import Skill


@console_page("demand")
def knowledge_list(request):
    q = request.GET.get("q", "").strip()
    skills = Skill.objects.order_by("category", "name")
    if q:
        skills = skills.filter(
            Q(name__icontains=q) | Q(category__icontains=q) | Q(synonyms__text__icontains=q)
        ).distinct()
    page, querystring = paginate(request, skills)
    context = {"page_obj": page, "querystring": querystring, "q": q}
    return render(request, "training/console/knowledge.html", context)


@console_page("demand")
def knowledge_edit(request, skill_id: int):
    skill = get_object_or_404(Skill, pk=skill_id)
    can_change = principal_for(request.user).may("demand", "change")
    error, status = None, 200
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        words = {kind: parse_words(request.POST.get(kind, "")) for kind in KINDS}
        try:
            update_skill_knowledge(skill, actor=request.user, words=words)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, _("已保存“%(skill)s”的知识库补充") % {"skill": skill.name})
            return redirect("training_console:knowledge_edit", skill_id=skill.pk)
    kb = skill_knowledge(skill)
    for kind in kb["kinds"]:
        kind["value"] = (
            request.POST.get(kind["key"], "") if status == 400 else "、".join(kind["added"])
        )
    context = {
        "skill": skill,
        "kb": kb,
        "synonyms": list(skill.synonyms.values_list("text", "source")),
        "can_change": can_change,
        "error": error,
    }
    return render(request, "training/console/knowledge_edit.html", context, status=status)
