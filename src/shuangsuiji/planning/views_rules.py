"""The 抽取规则 page: the rules a bureau's draws apply, where they come from, and the coverage floors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from shuangsuiji.accounts.models import Region, Role
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.planning import rule_services, selectors
from shuangsuiji.planning.forms_rules import CoverageFloorForm, DrawRulesForm, PlanRulesForm
from shuangsuiji.planning.rule_models import CoverageFloor, FloorLevel
from shuangsuiji.planning.rules import bureau_rules, coverage_floor, specialty_names


@login_required
def draw_rules(request: AuthedHttpRequest) -> HttpResponse:
    bureau = user_bureau(request.user)
    if bureau is None:
        raise PermissionDeniedError("您的账号未关联单位")
    year = timezone.localdate().year
    current = bureau_rules(bureau)
    can_edit = request.user.is_superuser or request.user.role == Role.PROGRAM_ADMIN
    form = DrawRulesForm(current=current, year=year)
    floor_form = CoverageFloorForm(bureau=bureau)
    if request.method == "POST" and can_edit:
        if request.POST.get("form") == "floor":
            floor_form = CoverageFloorForm(request.POST, bureau=bureau)
            if floor_form.is_valid():
                try:
                    rule_services.coverage_floor_set(actor=request.user, **floor_form.cleaned_data)
                except ApplicationError as error:
                    floor_form.add_error(None, error.message)
                else:
                    messages.success(request, "最低抽查比例已保存")
                    return redirect("planning:draw_rules")
        else:
            form = DrawRulesForm(request.POST, current=current, year=year)
            if form.is_valid():
                try:
                    rule_services.draw_rules_save(actor=request.user, organization=bureau, data=form.cleaned_data)
                except ApplicationError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, "抽取规则已保存，此后冻结的对象池按新规则抽取")
                    return redirect("planning:draw_rules")
    floors = CoverageFloor.objects.filter(region__path__startswith=bureau.region.path).select_related("region")
    effective = [(FloorLevel(level).label, coverage_floor(bureau.region, level).source) for level in FloorLevel.values]
    context = {
        "title": "抽取规则",
        "bureau": bureau,
        "current": current,
        "cycle_start": current.cycle_start(year),
        "key_names": specialty_names(current.key_specialties),
        "form": form,
        "floor_form": floor_form,
        "floors": floors,
        "effective_floors": effective,
        "can_edit": can_edit,
    }
    return render(request, "planning/draw_rules.html", context)


@login_required
def plan_rules(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    names = dict(Region.objects.filter(code__in=list(plan.region_weights or {})).values_list("code", "name"))
    initial = {
        "cycle_years": plan.cycle_years, "cycle_mode": plan.cycle_mode,
        "region_weights": "\n".join(f"{names.get(c, c)}:{w}" for c, w in (plan.region_weights or {}).items()),
    }
    form = PlanRulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            weights = rule_services.parse_region_weights(form.cleaned_data["region_weights"])
            rule_services.plan_rules_save(
                actor=request.user, plan=plan, cycle_years=form.cleaned_data["cycle_years"],
                cycle_mode=form.cleaned_data["cycle_mode"], region_weights=weights,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "本计划的抽取规则已保存")
            return redirect("planning:plan_detail", pk=plan.pk)
    return render(request, "form.html", {"form": form, "title": f"{plan}：抽取规则与地区比重"})
