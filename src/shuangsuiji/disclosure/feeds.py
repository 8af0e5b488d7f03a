"""Atom feed of new announcements (事项、计划、工作方案、抽取公告、抽查结果)."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from shuangsuiji.disclosure.selectors import Announcement, recent_announcements


class AnnouncementFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed
    title = "双随机、一公开 信息公示"
    link = "/gs/"
    subtitle = "抽查事项清单、抽查计划、抽查任务工作方案、随机抽取公告和抽查结果的最新公示"
    author_name = "双随机、一公开 卫生健康监督抽查平台"
    item_guid_is_permalink = False

    def items(self) -> list[Announcement]:
        return recent_announcements(limit=50)

    def item_title(self, item: Announcement) -> str:
        return f"【{item.kind}】{item.title}"

    def item_description(self, item: Announcement) -> str:
        return f"{item.organization}：{item.summary}"

    def item_link(self, item: Announcement) -> str:
        return item.url

    def item_guid(self, item: Announcement) -> str:
        return f"{item.url}#{item.kind}-{item.published_at.isoformat()}"

    def item_pubdate(self, item: Announcement) -> datetime.datetime:
        return item.published_at

    def item_updateddate(self, item: Announcement) -> datetime.datetime:
        return item.published_at

    def item_author_name(self, item: Announcement) -> str:
        return item.organization
