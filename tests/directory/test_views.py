"""Pages: anonymous → login, other county → 404, own scope → 200, writes only with the right role."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.conftest import World

from shuangsuiji.directory.models import Target

LIST_URLS = ["/", "/directory/items/", "/directory/targets/", "/directory/inspectors/", "/directory/imports/"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_anonymous_is_sent_to_login(world: World, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_lists_render_in_chinese(world: World, url: str) -> None:
    response = world.client("a_admin").get(url)
    assert response.status_code == 200
    assert "双随机" in response.content.decode()


def _detail_urls(world: World, key: str) -> list[str]:
    item, target, inspector = world.items[key], world.targets[key], world.inspectors[key]
    return [
        f"/directory/items/{item.pk}/", f"/directory/items/{item.pk}/edit/",
        f"/directory/targets/{target.pk}/", f"/directory/targets/{target.pk}/edit/",
        f"/directory/inspectors/{inspector.pk}/", f"/directory/inspectors/{inspector.pk}/edit/",
    ]


def test_other_county_objects_are_404_on_every_page(world: World) -> None:
    client = world.client("b_admin")
    for url in _detail_urls(world, "a"):
        assert client.get(url).status_code == 404, url
    item, target, inspector = world.items["a"], world.targets["a"], world.inspectors["a"]
    for url in (
        f"/directory/items/{item.pk}/retire/", f"/directory/targets/{target.pk}/retire/",
        f"/directory/inspectors/{inspector.pk}/retire/", f"/directory/inspectors/{inspector.pk}/conflicts/",
    ):
        assert client.post(url, {"reason": "x"}).status_code == 404, url


def test_own_and_supervised_objects_render(world: World) -> None:
    for url in _detail_urls(world, "a")[::2]:
        assert world.client("a_staff").get(url).status_code == 200, url
        assert world.client("city_supervisor").get(url).status_code == 200, url


def test_list_does_not_show_other_county(world: World) -> None:
    body = world.client("a_admin").get("/directory/targets/").content.decode()
    assert world.targets["a"].name in body and world.targets["b"].name not in body


def test_supervisor_cannot_retire_subordinate_target(world: World) -> None:
    target = world.targets["a"]
    response = world.client("city_supervisor").post(f"/directory/targets/{target.pk}/retire/", {"reason": "注销"})
    assert response.status_code == 302
    assert not Target.objects.get(pk=target.pk).is_retired


def test_staff_creates_target_through_form(world: World) -> None:
    from shuangsuiji.core.uscc import complete_uscc
    from shuangsuiji.directory.models import Specialty

    uscc = complete_uscc("92130606MA0QWERT1")
    response = world.client("a_staff").post(
        "/directory/targets/new/",
        {
            "uscc": uscc, "name": "莲池区第三中学", "region": world.regions["a"].pk,
            "specialties": [Specialty.objects.get(code="school").pk], "status": "operating", "risk_class": "A",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Target.objects.filter(code=uscc, owner=world.orgs["a"]).exists()


def test_form_error_is_chinese_and_nothing_saved(world: World) -> None:
    response = world.client("a_staff").post(
        "/directory/targets/new/",
        {"uscc": "91110000600037341X", "name": "坏代码单位", "region": world.regions["a"].pk, "status": "operating",
         "risk_class": "A", "specialties": [1]},
    )
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Target.objects.filter(name="坏代码单位").exists()


def test_personal_data_masked_for_staff_visible_for_admin(world: World) -> None:
    url = f"/directory/inspectors/{world.inspectors['a'].pk}/"
    staff_body = world.client("a_staff").get(url).content.decode()
    assert "139****5678" in staff_body and "13912345678" not in staff_body
    assert "1101**********1234" in staff_body
    assert "13912345678" in world.client("a_admin").get(url).content.decode()


def test_list_query_count_is_constant(world: World, django_assert_max_num_queries: object) -> None:
    client = world.client("a_admin")
    client.get("/directory/targets/")
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        client.get("/directory/targets/")


def test_list_search_by_name_finds_the_target_and_inspector(world: World) -> None:
    # regression: the filters were copied with dict(request.GET), which makes every value a list
    client = world.client("a_admin")
    target, inspector = world.targets["a"], world.inspectors["a"]
    page = client.get("/directory/targets/", {"q": target.name[:4]}).content.decode()
    assert target.name in page and "共 0 条" not in page
    page = client.get("/directory/inspectors/", {"q": inspector.name}).content.decode()
    assert inspector.name in page and "共 0 条" not in page
    page = client.get("/directory/targets/", {"q": "没有这个名称的单位"}).content.decode()
    assert target.name not in page
    assert "没有符合条件的检查对象" in page and "导入 Excel/CSV" in page  # the empty state says what to do


@pytest.mark.parametrize(("url", "text"), [("/directory/items/", "没有符合条件的抽查事项"),
                                           ("/directory/inspectors/", "没有符合条件的执法检查人员")])
def test_empty_lists_say_what_to_do_next(world: World, url: str, text: str) -> None:
    page = world.client("a_admin").get(url, {"q": "没有这个名称"}).content.decode()
    assert text in page and "新增" in page
