from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.directory import selectors


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    targets = selectors.target_list(actor=request.user)
    inspectors = selectors.inspector_list(actor=request.user)
    cards = [
        {"label": "已公布抽查事项", "value": selectors.item_list(actor=request.user, filters={"status": "published"}).count(),
         "url": "/directory/items/?status=published"},
        {"label": "检查对象（在营）", "value": targets.filter(status="operating").count(),
         "url": "/directory/targets/?status=operating"},
        {"label": "执法检查人员（在岗）", "value": inspectors.filter(status="on_duty").count(),
         "url": "/directory/inspectors/?status=on_duty"},
        {"label": "执法证已过期", "value": inspectors.filter(licence_valid_to__lt=today).count(),
         "url": "/directory/inspectors/?licence_expired=true", "note": "过期人员不参与随机匹配"},
    ]
    return render(request, "home.html", {"title": "工作台", "cards": cards})
