"""Public pages: reachable without login, show what is published (with its date), hide everything else."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.disclosure.factories import Portal

pytestmark = pytest.mark.django_db


def get(url: str, status: int = 200) -> str:
    response = Client().get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode("utf-8") if hasattr(response, "content") else ""


def test_index_lists_every_kind_of_announcement(portal: Portal) -> None:
    html = get("/gs/")
    for kind in ("抽查事项", "年度抽查计划", "联合抽查计划", "工作方案", "抽取公告", "抽取结果", "抽查结果"):
        assert kind in html, kind
    assert "发布日期：2026年" in html
    assert "<script" not in html  # works without JavaScript


def test_item_list_shows_items_in_force_with_versions(portal: Portal) -> None:
    html = get("/gs/items/")
    assert portal.item.name in html
    assert portal.item_v1.name in html  # v2 is still a draft: v1 stays in force
    assert "草稿修订中的饮用水事项" not in html
    for hidden in portal.hidden_items:
        assert hidden.name not in html
    detail = get(f"/gs/items/{portal.item.pk}/")
    assert "《公共场所卫生管理条例》第三条、第四条" in detail and "发布日期：2026年1月5日" in detail


def test_item_filters_by_organization_and_specialty(portal: Portal) -> None:
    html = get(f"/gs/items/?org={portal.world.orgs['b'].pk}")
    assert portal.item.name not in html or "涞源县卫生健康局" in html
    assert "对生活饮用水供水单位的监督检查" not in html
    html = get(f"/gs/items/?org={portal.world.orgs['a'].pk}&specialty={portal.item.specialty_id}")
    assert portal.item_v1.name in html


def test_unpublished_things_are_never_visible(portal: Portal) -> None:
    for hidden in portal.hidden_items:
        get(f"/gs/items/{hidden.pk}/", 404)
    get(f"/gs/plans/{portal.draft_plan.pk}/", 404)
    get(f"/gs/joint-plans/{portal.draft_joint.pk}/", 404)
    get(f"/gs/tasks/{portal.draft_task.pk}/", 404)
    get(f"/gs/tasks/{portal.draft_task.pk}/results/", 404)
    assert portal.withheld is not None
    get(f"/gs/results/{portal.withheld.pk}/", 404)
    for url in ("/gs/plans/", "/gs/tasks/", "/gs/", "/gs/feed/"):
        html = get(url)
        assert "未公布" not in html, url
    assert portal.withheld.enterprise_name not in get(f"/gs/tasks/{portal.task.pk}/results/")
    assert portal.withheld.enterprise_name not in get(f"/gs/results/?q={portal.withheld.uscc}")
    assert portal.withheld.withheld_reason not in get(f"/gs/tasks/{portal.task.pk}/results/")


def test_plans_show_adjusted_versions_and_reasons(portal: Portal) -> None:
    html = get("/gs/plans/")
    assert "已被调整后的计划取代" in html and "根据省卫生健康委通知增加托育机构专项抽查" in html
    detail = get(f"/gs/plans/{portal.plan_v2.pk}/")
    assert "第2版" in detail and "调整原因" in detail and "B 3%" in detail
    assert f"/gs/plans/{portal.plan_v1.pk}/" in detail
    old = get(f"/gs/plans/{portal.plan_v1.pk}/")
    assert "已被调整后的计划取代" in old
    joint = get(f"/gs/joint-plans/{portal.joint.pk}/")
    assert "娱乐场所“双随机”抽查" in joint and "莲池区文化广电和旅游局" in joint


def test_task_announcement_shows_scheme_draws_and_results(portal: Portal) -> None:
    html = get(f"/gs/tasks/{portal.task.pk}/")
    assert "莲卫监〔2026〕3号" in html and "发布日期：2026年2月20日" in html
    assert f"/gs/draws/{portal.draw.pk}/" in html and "验证本次抽取" in html
    assert f"/gs/tasks/{portal.task.pk}/results/" in html


def test_frozen_draw_publishes_digest_and_parameters_before_randomness(portal: Portal) -> None:
    draw = portal.frozen_draw
    from shuangsuiji.draws import commitments

    html = get(f"/gs/draws/{draw.pk}/")
    public_digest = commitments.draw_public_pool(draw).digest
    assert public_digest in html and "随机数尚未公布" in html and "抽取参数" in html
    assert draw.pool_digest not in html  # the internal digest (over the risk classes) stays internal
    assert "2026年4月1日 福彩3D开奖号码" in html  # the announced source of the future randomness
    get(f"/gs/draws/{draw.pk}/record.json", 404)
    pool = Client().get(f"/gs/draws/{draw.pk}/pool.csv")
    assert pool.status_code == 200 and pool.content.startswith(b"id,region,specialties,last_inspected_on,risk_commitment")
    assert "暂无可验证的结果" in get(f"/gs/draws/{draw.pk}/verify/")


def test_drawn_draw_shows_result_randomness_and_teams_without_personal_data(portal: Portal) -> None:
    draw = portal.draw
    html = get(f"/gs/draws/{draw.pk}/")
    from shuangsuiji.draws import commitments

    assert draw.randomness[0] in html and commitments.draw_leaf_digest(draw) in html
    first = draw.selections.select_related("target").first()
    assert first is not None and first.target.name in html
    inspector = portal.world.inspectors["a"]
    team_member = draw.matches.first().assignments.select_related("inspector").first().inspector  # type: ignore[union-attr]
    assert team_member.name in html and team_member.licence_no in html
    assert "13912345678" not in html and "110101199003071234" not in html
    del inspector


def test_result_pages_show_category_date_and_penalty(portal: Portal) -> None:
    html = get(f"/gs/tasks/{portal.task.pk}/results/")
    assert "按期公示" in html and "依法不宜公开" in html and "发布日期：2026年4月20日" in html
    penalized = next(r for r in portal.results if r.result_group == "penalty")
    detail = get(f"/gs/results/{penalized.pk}/")
    assert "莲卫公罚〔2026〕12号" in detail and "警告，罚款人民币贰仟元" in detail and "行政处罚" in detail
    enterprise = get(f"/gs/results/e/{penalized.uscc}/")
    assert penalized.enterprise_name in enterprise
    get("/gs/results/e/91000000MA00000000/", 404)


def test_result_search_by_fragment_uscc_and_filters(portal: Portal) -> None:
    some = portal.results[0]
    assert some.enterprise_name in get("/gs/results/?q=测试宾馆")  # 4 characters: trigram index
    assert some.enterprise_name in get("/gs/results/?q=宾馆")  # 2 characters: ordered scan
    assert some.enterprise_name in get(f"/gs/results/?q={some.uscc.lower()}")
    assert "请至少输入2个字" in get("/gs/results/?q=宾")
    assert some.enterprise_name in get(f"/gs/results/?region={portal.world.regions['city'].pk}&year=2026")
    assert some.enterprise_name not in get(f"/gs/results/?region={portal.world.regions['b'].pk}")
    html = get("/gs/results/?result=penalty")
    assert "发现问题待后续处理（立案查处）" in html and "未发现问题</span>" not in html
    assert "没有符合条件的抽查结果" in get("/gs/results/?q=不存在的名称片段")
    assert "没有符合条件的抽查结果" in get("/gs/results/?year=abc&result=bogus&q=%25%25%25")


def test_search_is_rate_limited(portal: Portal, settings: object) -> None:
    settings.SSJ_PUBLIC_SEARCH_RATE = (3, 60)  # type: ignore[attr-defined]
    client = Client()
    codes = [client.get("/gs/results/?q=宾馆").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429
    assert client.get("/gs/results/").status_code == 200  # browsing without a query is not limited


def test_portal_needs_no_login_and_sets_no_session(portal: Portal) -> None:
    response = Client().get("/gs/tasks/")
    assert response.status_code == 200 and "sessionid" not in response.cookies


def test_mobile_viewport_and_local_assets(portal: Portal) -> None:
    html = get("/gs/")
    assert 'name="viewport"' in html and "/static/vendor/tabler.min.css" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_staff_deadline_page_needs_login_and_shows_states(portal: Portal) -> None:
    assert Client().get("/disclosure/deadlines/").status_code == 302
    html = portal.world.client("a_admin").get("/disclosure/deadlines/").content.decode()
    assert "抽查结果（20个工作日）" in html and "按期公示" in html and "莲卫公罚〔2026〕12号" in html
    other = portal.world.client("b_admin").get("/disclosure/deadlines/").content.decode()
    assert "莲卫公罚〔2026〕12号" not in other


@pytest.mark.parametrize("fragment", ["宾馆", "测试宾馆", "宾馆00"])
def test_name_and_filter_search_gives_the_same_rows_by_fts_and_by_like(
    portal: Portal, fragment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite picks LIKE over the filtered rows for a common fragment (selectors_results._sqlite_prefers_like)."""
    from django.db import connection

    from shuangsuiji.disclosure import selectors_results as sr

    filters = sr.ResultFilters(q=fragment, region_id=portal.world.regions["a"].pk, year=portal.results[0].year)
    qs, _ = sr.filtered_results(filters)
    by_index = list(qs.values_list("pk", flat=True))
    monkeypatch.setattr(sr, "SQLITE_COMMON_FRAGMENT", 0)  # every fragment is "common" now
    if connection.vendor == "sqlite":
        assert sr._sqlite_prefers_like(sr.public_results(), filters, fragment)
        monkeypatch.setattr(sr, "SQLITE_LIKE_SCAN_LIMIT", 0)
        assert not sr._sqlite_prefers_like(sr.public_results(), filters, fragment)  # too many rows left: FTS
        monkeypatch.setattr(sr, "SQLITE_LIKE_SCAN_LIMIT", 20_000)
    qs, _ = sr.filtered_results(filters)
    by_like = list(qs.values_list("pk", flat=True))
    assert by_index == by_like and len(by_index) >= 2
    assert not sr._sqlite_prefers_like(sr.public_results(), sr.ResultFilters(q=fragment), fragment)  # no filter
