from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shuangsuiji.accounts.navigation import office
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.exceptions import PermissionDeniedError
from shuangsuiji.oversight.home import home_sections, stats_context


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    sections = home_sections(request.user, timezone.localdate())
    return render(request, "home.html", {"title": "工作台", "sections": sections})


@login_required
def stats(request: AuthedHttpRequest) -> HttpResponse:
    if not office(request.user):
        raise PermissionDeniedError("工作统计供双随机办、科室、领导和上级监督人员查看")
    context = stats_context(request.user, timezone.localdate())
    return render(request, "stats.html", {"title": "工作统计", **context})
