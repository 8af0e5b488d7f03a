"""Scope rules: own bureau read/write; upper level reads subordinates; other counties see nothing."""

from __future__ import annotations

import pytest

from shuangsuiji.accounts.scope import Perm, readable_owner_ids, writable_owner_id
from shuangsuiji.directory import selectors
from shuangsuiji.directory.models import Target
from tests.conftest import World


def test_county_user_reads_only_own_bureau(world: World) -> None:
    assert readable_owner_ids(world.users["a_admin"]) == [world.orgs["a"].pk]
    names = set(selectors.target_list(actor=world.users["a_admin"]).values_list("owner_id", flat=True))
    assert names == {world.orgs["a"].pk}


def test_section_and_institute_users_belong_to_their_bureau(world: World) -> None:
    assert readable_owner_ids(world.users["a_staff"]) == [world.orgs["a"].pk]
    assert readable_owner_ids(world.users["a_inspector"]) == [world.orgs["a"].pk]


def test_city_reads_subordinate_health_bureaus_but_not_other_lines(world: World) -> None:
    ids = set(readable_owner_ids(world.users["city_supervisor"]) or [])
    assert ids == {world.orgs["city"].pk, world.orgs["a"].pk, world.orgs["b"].pk}
    assert world.orgs["a_culture"].pk not in ids


def test_city_cannot_write_subordinate_data(world: World) -> None:
    assert writable_owner_id(world.users["city_admin"], Perm.LIBRARY_EDIT) == world.orgs["city"].pk
    assert writable_owner_id(world.users["city_supervisor"], Perm.LIBRARY_EDIT) is None
    assert writable_owner_id(world.users["a_leader"], Perm.LIBRARY_EDIT) is None


def test_other_department_sees_only_itself(world: World) -> None:
    assert readable_owner_ids(world.users["a_culture"]) == [world.orgs["a_culture"].pk]
    assert not Target.objects.visible_to(world.users["a_culture"]).exists()


@pytest.mark.parametrize("user_key", ["a_admin", "a_staff", "a_leader"])
def test_other_county_target_is_not_found(world: World, user_key: str) -> None:
    from shuangsuiji.common.exceptions import NotFoundError

    with pytest.raises(NotFoundError):
        selectors.target_get(actor=world.users[user_key], pk=world.targets["b"].pk)
