"""The whole year in a real browser (issue 12): one test per step, run in file order on one live server.

1. 双随机办 imports targets from an .xlsx with two bad rows → Chinese error report → fixed file imports.
2. Publishes a new item of the list; fills, submits and files the annual plan; a joint plan with 文广旅局 and 医保局.
3. Creates a task, publishes its 工作方案, freezes the pool, enters the randomness, draws; a second user confirms.
4. Matches inspectors; a conflict of interest is declared → the slot is re-matched; the fairness report.
5. An inspector on a phone (390×844) fills the 一企一表 with a photo, the enterprise refuses to sign (拒签);
   another record ends in 行政处罚 and a follow-up case.
6. The 科室 head reviews; results are published; the logged-out portal shows them and the verification page
   confirms the draw.
6b. A 投诉举报 is recorded as a non-random task; its team is 指派; a 协助 specialist of the 监督所 is added (shown as
   指派 with the reason); samples sent to the CDC hold the entry deadline until the report is attached; the
   result is entered and reviewed, the task completes and its page shows the 总结报告 and 归档包 made for it.
7. The leader opens the dashboard and downloads the 月报表.

Every step screenshots into test-results/e2e/ and fails on a console error or an HTTP 5xx (see conftest.py).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.e2e.conftest import PHONE, Browsers, Session

pytestmark = pytest.mark.e2e

# the server's date (settings.TIME_ZONE), not the machine's: from 16:00 UTC they differ
TODAY = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def expect(session: Session, *texts: str) -> str:
    """The page shows every text (visible text of the body); returns the text."""
    body = session.text()
    missing = [t for t in texts if t not in body]
    assert not missing, f"{session.page.url} does not show {missing}:\n{body[:3000]}"
    return body


def click(session: Session, name: str, *, exact: bool = False) -> None:
    """Click the button (or submit input) called `name` and wait for the next page."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    button = session.page.get_by_role("button", name=name, exact=exact).first
    try:
        button.wait_for(state="visible", timeout=10_000)
    except PlaywrightTimeout as exc:  # the page text says why the button is missing
        raise AssertionError(f"no button {name!r} on {session.page.url}:\n{session.text()[:3000]}") from exc
    with session.page.expect_navigation():
        button.click()
    session.page.wait_for_load_state("load")


def flash(session: Session) -> str:
    alerts = session.page.locator(".alert")
    return " / ".join(alerts.all_inner_texts())


# ---------------------------------------------------------------- step 1: import targets


def _targets_xlsx(path: Path, *, bad: bool) -> tuple[Path, list[list[Any]]]:
    import xlsxwriter

    from shuangsuiji.demo.files import target_rows
    from shuangsuiji.directory.importers import TARGET_COLUMNS

    rows = target_rows(12, 20261225, ("130606",), TODAY)
    for row in rows:
        row[1] = f"{row[1]}（新开业）"
    if bad:
        rows[2] = list(rows[2])
        rows[2][0] = rows[2][0][:-1] + ("0" if rows[2][0][-1] != "0" else "1")  # wrong check digit
        rows[6] = list(rows[6])
        rows[6][9] = "营业中"  # not one of 在营 / 停业 / 注销
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("检查对象")
    sheet.write_row(0, 0, [c.header for c in TARGET_COLUMNS])
    for index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_string(index, col, value.isoformat())
            elif value:
                sheet.write_string(index, col, str(value))
    workbook.close()
    return path, rows


def _upload(session: Session, path: Path) -> str:
    session.go("/directory/targets/import/")
    expect(session, "导入检查对象", "下载 Excel 模板")
    session.page.set_input_files("input[type=file]", str(path))
    click(session, "上传并校验")
    session.page.wait_for_function(
        "() => !document.querySelector('#import-progress[hx-get]')", timeout=60_000
    )
    return session.text()


def test_step1_import_targets(browsers: Browsers, tmp_path: Path, walk: dict[str, Any]) -> None:
    admin = browsers.open("lianchi_admin")
    expect(admin, "工作台", "莲池区双随机办管理员")
    admin.shot("00-工作台")

    bad, rows = _targets_xlsx(tmp_path / "新增检查对象.xlsx", bad=True)
    text = _upload(admin, bad)
    assert "文件未导入：发现 2 处错误" in text, text[:3000]
    assert "数据库中的数据没有任何改变" in text
    # the report names the rows (header is row 1) and the columns, in Chinese
    table = admin.page.locator("#import-progress table").inner_text()
    assert re.search(r"^4\s+统一社会信用代码", table, re.M), table
    assert re.search(r"^8\s+经营状态\s+营业中", table, re.M), table
    admin.shot("01-导入错误报告")

    good, rows = _targets_xlsx(tmp_path / "新增检查对象（已改正）.xlsx", bad=False)
    text = _upload(admin, good)
    assert "状态：完成" in text or "已完成" in text, text[:2000]
    counts = re.search(r"共 12 行，已处理 12 行；新增 (\d+)，更新 (\d+)，未变化 0", text)
    assert counts and int(counts[1]) + int(counts[2]) == 12, text[:2000]
    admin.shot("02-导入完成")

    # the imported targets are in the library
    admin.go("/directory/targets/?q=" + str(rows[0][1]))
    expect(admin, str(rows[0][1]))
    walk["new_target"] = rows[0]


# ---------------------------------------------------------------- step 2: items, annual plan, joint plan


def test_step2_items_and_plans(browsers: Browsers, walk: dict[str, Any]) -> None:
    admin = browsers.open("lianchi_admin")
    # a new item: saved as a draft, then published
    admin.go("/directory/items/new/")
    page = admin.page
    page.fill("#id_code", "WJ-GGCS-09")
    page.select_option("#id_specialty", label="公共场所卫生")
    page.fill("#id_name", "对游泳场所水质卫生的监督检查")
    page.fill("#id_legal_basis", "《公共场所卫生管理条例》第三条；《公共场所卫生管理条例实施细则》第十九条")
    page.fill("#id_subject", "卫生健康行政部门")
    page.fill("#id_target_type", "游泳场所")
    page.check("input[name=methods][value=on_site]")
    page.fill("#id_ratio_percent", "5")
    page.fill("#id_frequency", "每年不少于1次")
    page.fill("#id_sub_items_text", "游泳池水质检测情况\n浸脚消毒池余氯浓度")
    click(admin, "保存")
    expect(admin, "对游泳场所水质卫生的监督检查", "草稿", "未经合法性审查")
    # 合法性审查 before publication (莲池 has no 政策法规股: the 双随机办 administrator reviews)
    with page.expect_navigation():
        page.get_by_role("link", name="提交合法性审查").click()
    click(admin, "提交合法性审查")
    expect(admin, "已提交合法性审查", "待审查", "对游泳场所水质卫生的监督检查")
    page.fill("#opinion", "抽查依据、主体和比例符合规定")
    click(admin, "合法性审查通过")
    expect(admin, "审查通过", "抽查依据、主体和比例符合规定")
    click(admin, "公布审查通过的事项")
    expect(admin, "已公布 1 项抽查事项", "已公布")
    admin.shot("03-事项公布")

    # the annual plan: the 2027 draft exists already (a second one is refused in Chinese)
    admin.go("/planning/plans/new/")
    page.fill("#id_year", "2027")
    page.fill("#id_title", "莲池区2027年度抽查计划")
    click(admin, "保存")
    expect(admin, "本单位2027年度抽查计划已存在")
    admin.go("/planning/plans/")
    page.get_by_role("link", name=re.compile("2027年度")).first.click()
    page.wait_for_load_state("load")
    plan_url = page.url
    expect(admin, "起草", "尚有 18 项未处理")
    page.get_by_role("link", name="编辑计划事项").click()
    page.wait_for_load_state("load")
    form = page.locator("form", has=page.get_by_role("button", name=re.compile("纳入 18 个事项")))
    for letter, ratio in zip("ABCD", ("3", "5", "10", "30"), strict=True):
        form.locator(f"input[name$=ratio_{letter}]").fill(ratio)
    form.locator("input[name$=months][value='3']").check()
    form.locator("input[name$=months][value='9']").check()
    with page.expect_navigation():
        form.get_by_role("button").click()
    expect(admin, "计划事项（18）")
    plan_path = plan_url.removeprefix(admin.base)
    admin.go(plan_path)
    click(admin, "提交合法性审查")
    expect(admin, "计划状态：已提交审查")
    click(admin, "合法性审查通过")
    expect(admin, "计划状态：合法性审查通过")
    leader = browsers.open("lianchi_leader")
    leader.go(plan_path)
    click(leader, "批准")
    expect(leader, "计划状态：已批准")
    admin.go(plan_path)
    click(admin, "报上级备案")
    expect(admin, "计划状态：已备案")
    assert any("备案" in d for d in admin.dialogs), admin.dialogs
    admin.shot("04-年度计划备案")

    # a joint plan with 文广旅局 and 医保局
    admin.go("/planning/joint/new/")
    page.fill("#id_title", "2026年莲池区住宿场所部门联合抽查")
    page.fill("#id_year", str(TODAY.year))
    page.fill("#id_target_scope", "辖区内宾馆、酒店、招待所等住宿场所")
    page.fill("#id_ratio_percent", "5")
    page.fill("#id_window_start", TODAY.isoformat())
    page.fill("#id_window_end", (TODAY + datetime.timedelta(days=40)).isoformat())
    page.get_by_label(re.compile("文化广电和旅游局")).check()
    page.get_by_label(re.compile("医疗保障局")).check()
    page.get_by_label(re.compile("WJ-GGCS-01")).check()
    click(admin, "保存")
    joint_path = page.url.removeprefix(admin.base)
    expect(admin, "2026年莲池区住宿场所部门联合抽查", "发起部门")
    click(admin, "发送各部门确认")
    for username, items in (("lianchi_wenlv", "对娱乐场所的监督检查"), ("lianchi_yibao", "对定点医药机构的监督检查")):
        other = browsers.open(username)
        other.go(joint_path)
        other.page.fill("textarea[name=item_titles]", items)
        click(other, "确认本部门内容")
        expect(other, "已确认", items)
    admin.go(joint_path)
    click(admin, "公布")
    expect(admin, "已公布", "文化广电和旅游局", "医疗保障局", "对娱乐场所的监督检查")
    admin.shot("05-联合抽查计划")
    walk["joint_path"] = joint_path


# ---------------------------------------------------------------- step 3: task, 工作方案, draw, 双人确认

# published after the pool is frozen (fixed numbers: the same demo data give the same draw and teams)
DRAW_RANDOMNESS = f"{TODAY.isoformat()} 福彩3D 5 0 7"
MATCH_RANDOMNESS = f"{TODAY.isoformat()} 双色球 02 11 17 23 28 31 + 06"


def test_step3_task_scheme_draw(browsers: Browsers, walk: dict[str, Any]) -> None:
    admin = browsers.open("lianchi_admin")
    page = admin.page
    admin.go("/planning/plans/")
    page.get_by_role("link", name=re.compile(f"{TODAY.year}年度")).first.click()
    page.wait_for_load_state("load")
    row = page.locator("tr", has_text="WJ-TY-01")
    with page.expect_navigation():
        row.get_by_role("link", name="创建任务").click()
    expect(admin, "新建抽查任务")
    page.fill("#id_title", "2026年托育机构卫生“双随机”抽查（走查）")
    for letter in "ABCD":
        page.fill(f"#id_ratio_{letter}", "1")
    page.fill("#id_min_per_stratum", "1")
    page.fill("#id_window_start", TODAY.isoformat())
    page.fill("#id_window_end", (TODAY + datetime.timedelta(days=45)).isoformat())
    click(admin, "保存")
    expect(admin, "请生成并公布工作方案", "托育机构卫生")
    task_path = page.url.removeprefix(admin.base)
    walk["task_path"] = task_path
    walk["task_id"] = int(re.findall(r"\d+", task_path)[-1])
    task_code = re.search(r"任务(\S+?)已创建", flash(admin))
    assert task_code, flash(admin)
    walk["task_code"] = task_code[1]

    click(admin, "按模板生成工作方案")
    admin.go(task_path)
    leader = browsers.open("lianchi_leader")
    leader.go(task_path)
    click(leader, "审批通过")
    admin.go(task_path)
    click(admin, "公布")
    expect(admin, "方案已公布")
    assert any("公布后方案不能再修改" in d for d in admin.dialogs), admin.dialogs
    admin.shot("06-工作方案公布")

    # the draw: freeze the pool, then the randomness published after the freeze, then draw
    admin.go(f"/draws/tasks/{walk['task_id']}/")
    expect(admin, "第一步：冻结对象池")
    page.select_option("#id_randomness_kind", "announced")
    page.fill("#id_randomness_source", f"{cn_date(TODAY)} 冻结之后开奖的福彩3D")
    click(admin, "冻结对象池并公布摘要")
    assert any("冻结后对象池不可更改" in d for d in admin.dialogs), admin.dialogs
    body = expect(admin, "第二、三步：公布随机数并抽取", "对象池摘要")
    pool = re.search(r"对象池\s*(\d+) 户", body)
    assert pool and int(pool[1]) > 100, body[:2000]
    page.fill("#id_randomness", DRAW_RANDOMNESS)
    click(admin, "抽取", exact=True)
    body = expect(admin, "抽取完成，请由另一人在2个工作日内进行双人确认", "抽取基准日：" + cn_date(TODAY))
    drawn = re.search(r"抽中对象（(\d+) 户）", body)
    assert drawn and int(drawn[1]) >= 3, body[:2000]
    walk["drawn"] = int(drawn[1])
    admin.shot("07-抽取待确认")

    # the operator cannot confirm his own draw; the 科室 colleague does
    admin.go(f"/draws/tasks/{walk['task_id']}/")
    expect(admin, "第四步：双人确认", "您是本次抽取的操作人，须由另一人确认")
    staff = browsers.open("lianchi_staff")
    staff.go(f"/draws/tasks/{walk['task_id']}/")
    click(staff, "确认抽取结果")
    expect(staff, "抽取结果已确认并锁定", "莲池公卫股科员")
    assert any("确认后抽取结果生效" in d for d in staff.dialogs), staff.dialogs
    staff.shot("08-抽取已确认")
    walk["draw_path"] = staff.page.url.removeprefix(staff.base)


# ---------------------------------------------------------------- step 4: teams, 回避, fairness report

# the demo inspector whose login is lianchi_inspector (fixed seed of the demo data)
INSPECTOR_NAME = "彭梅子"


def _teams(session: Session) -> list[tuple[str, str]]:
    """(target name, inspector name) of the active rows of the 检查组 table on a match page."""
    rows = session.page.evaluate(
        """() => {
          const card = [...document.querySelectorAll('.card')].find(c => c.querySelector('.card-title')?.innerText.trim() === '检查组');
          let target = '';
          return [...card.querySelectorAll('tbody tr')].map(tr => {
            const cells = [...tr.children];
            if (cells[0].hasAttribute('rowspan') || cells.length >= 6) { target = cells[0].innerText.split('\\n')[0]; cells.shift(); }
            return [target, cells[0].innerText.split('\\n')[0], cells[3] ? cells[3].innerText : ''];
          });
        }"""
    )
    return [(t, i) for t, i, state in rows if state.startswith("有效")]


def test_step4_match_conflict_fairness(browsers: Browsers, walk: dict[str, Any]) -> None:
    admin = browsers.open("lianchi_admin")
    page = admin.page
    admin.go(f"/draws/tasks/{walk['task_id']}/")
    expect(admin, "第五步：随机匹配执法检查人员")
    page.fill("#id_randomness", MATCH_RANDOMNESS)
    page.select_option("#id_fallback", "adjacent")
    click(admin, "随机匹配")
    expect(admin, "公平性报告", "最大单对概率", "检查组")
    match_path = page.url.removeprefix(admin.base)
    teams = _teams(admin)
    assert len({t for t, _ in teams}) == walk["drawn"], teams
    assert any(name == INSPECTOR_NAME for _, name in teams), (INSPECTOR_NAME, teams)
    admin.shot("09-人员匹配与公平性报告")

    # an inspector declares a conflict of interest with one of the drawn targets: registered in the library,
    # then only that slot is drawn again with new public randomness
    target, conflicted = next((t, i) for t, i in teams if i != INSPECTOR_NAME)
    target_code = page.locator("tr", has_text=target).first.locator(".text-secondary").first.inner_text().strip()
    admin.go("/directory/inspectors/?q=" + conflicted)
    with page.expect_navigation():
        page.get_by_role("link", name=conflicted).first.click()
    page.fill("#id_target_code", target_code)
    page.fill("#id_reason", "配偶在该单位任职")
    page.fill("#id_valid_from", TODAY.isoformat())
    click(admin, "登记回避申报")
    expect(admin, "回避申报已登记", "配偶在该单位任职")

    admin.go(match_path)
    row = page.locator("tr", has_text=conflicted).filter(has_text="有效").first
    row.locator("summary", has_text="替换").click()
    row.locator("input[name=reason]").fill(f"{conflicted}申报回避：配偶在该单位任职")
    row.locator("textarea[name=randomness]").fill(f"{TODAY.isoformat()} 福彩3D 9 2 6")
    with page.expect_navigation():
        row.get_by_role("button", name="只重抽该位置").click()
    expect(admin, "已重新抽取该位置的检查人员", "人员替换记录", "申报回避")
    assert any("只重新抽取该位置" in d for d in admin.dialogs), admin.dialogs
    new_teams = _teams(admin)
    assert (target, conflicted) not in new_teams, new_teams
    assert len([1 for t, _ in new_teams if t == target]) == len([1 for t, _ in teams if t == target])
    admin.shot("10-回避替换")
    walk["match_path"] = page.url.removeprefix(admin.base)

    # a second person confirms the teams
    staff = browsers.open("lianchi_staff")
    staff.go(walk["match_path"])
    click(staff, "确认人员匹配")
    expect(staff, "莲池公卫股科员")
    staff.go(f"/draws/tasks/{walk['task_id']}/")
    expect(staff, "全部步骤已完成")
    staff.shot("11-匹配已确认")


# ---------------------------------------------------------------- step 5: the 一企一表 on a phone


def _photo(path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), (60, 120, 80))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 760, 560), outline=(255, 255, 255), width=8)
    draw.text((80, 80), "scene photo", fill=(255, 255, 255))
    image.save(path, "JPEG", quality=85)
    return path


def _enter(inspector: Session, record_path: str, *, code: str, fail: str, photo: Path | None,
           refused: bool, rectify: int | None = None, shot: str = "") -> str:
    page = inspector.page
    inspector.go(record_path)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("录入")).first.click()
    expect(inspector, "1 基本情况", "5 被检查单位签字")
    page.fill("#id_inspected_on", TODAY.isoformat())
    page.locator("input[name=methods][value=on_site]").check()
    for box in page.locator("input[name=present]").all():
        box.check()
    radios = page.locator(".ssj-choice")
    for index in range(radios.count()):
        value = "fail" if index == 0 else "pass"
        radios.nth(index).locator(f"input[value={value}]").check()
    page.locator("textarea[name^=note_]").first.fill(fail)
    page.locator(f"input[name=codes][value='{code}']").check()
    if rectify is not None:
        page.fill("#id_rectify_workdays", str(rectify))
    page.fill("#id_situation", "现场查看经营场所、查阅相关证照和台账，询问负责人。")
    if refused:
        page.locator("input[name=signature_kind][value=refused]").check()
        page.fill("#id_refusal_reason", "负责人以需请示总部为由拒绝签字")
        page.fill("#id_refusal_witness", "社区网格员 刘芳")
    else:
        page.locator("input[name=signature_kind][value=pad]").check()
        pad = page.locator("#ssj-signature-pad").bounding_box()
        page.mouse.move(pad["x"] + 20, pad["y"] + 40)
        page.mouse.down()
        for step in range(12):
            page.mouse.move(pad["x"] + 30 + step * 20, pad["y"] + 40 + (step % 3) * 25)
        page.mouse.up()
        page.fill("#id_signer_name", "负责人 张经理")
    if photo is not None:
        page.set_input_files("input[name=evidence]", str(photo))
    if shot:  # the screen as the inspector sees it before submitting: the signature section
        page.locator("input[name=signature_kind]").first.scroll_into_view_if_needed()
        page.evaluate("() => window.scrollBy(0, -120)")
        inspector.shot(shot, full_page=False)
    with page.expect_navigation():
        page.get_by_role("button", name="提交审核").click()
    return expect(inspector, "检查结果已提交，等待科室审核")


def test_step5_inspection_on_a_phone(browsers: Browsers, tmp_path: Path, walk: dict[str, Any]) -> None:
    admin = browsers.open("lianchi_admin")
    admin.go(f"/inspections/tasks/{walk['task_id']}/")
    click(admin, "生成/更新一企一表")
    body = expect(admin, INSPECTOR_NAME)
    assert body.count("待录入") >= walk["drawn"] or "未录入" in body, body[:3000]
    admin.shot("12-一企一表已生成")

    inspector = browsers.open("lianchi_inspector", viewport=PHONE)
    page = inspector.page
    inspector.go("/inspections/")
    expect(inspector, "我的待录入", walk["task_code"], "待检查")
    inspector.shot("13-手机-我的检查")
    # her records of this task (she may be on teams of the demo's tasks too): numbered <task code>-NNN
    inspector.go("/inspections/?q=" + walk["task_code"])
    links = page.locator("tbody a[href*='/inspections/records/']", has_text=walk["task_code"] + "-")
    record_paths = sorted({str(links.nth(i).get_attribute("href")) for i in range(links.count())})
    record_paths = [p for p in record_paths if re.fullmatch(r"/inspections/records/\d+/", p)]
    assert record_paths, inspector.text()[:2000]
    # the phone layout: nothing wider than the screen
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"

    photo = _photo(tmp_path / "现场照片.jpg")
    body = _enter(inspector, record_paths[0], code="21", fail="2名从业人员未取得有效健康合格证明", photo=photo,
                  refused=True, rectify=10, shot="14-手机-录入拒签")
    assert "拒签" in body or "拒绝签字" in body, body[:3000]
    inspector.shot("14b-手机-拒签已提交")
    walk["refused_record"] = record_paths[0]

    # the second record: by the inspector too when she is on two teams, else by the 双随机办 for the team
    second = record_paths[1] if len(record_paths) > 1 else None
    enterer = inspector
    if second is None:
        admin.go(f"/inspections/tasks/{walk['task_id']}/")
        hrefs = admin.page.locator("a[href*='/inspections/records/']").evaluate_all("l => l.map(a => a.getAttribute('href'))")
        second = next(h for h in hrefs if re.fullmatch(r"/inspections/records/\d+/", h) and h != record_paths[0])
        enterer = admin
    body = _enter(enterer, second, code="23", fail="未取得卫生许可擅自开展托育服务", photo=photo, refused=False)
    enterer.shot("15-行政处罚结果已提交")
    walk["penalty_record"] = second


# ---------------------------------------------------------------- step 6: 科室 review, 公示, the public portal


def _review(reviewer: Session, record_path: str, *, approve: bool, comment: str) -> str:
    page = reviewer.page
    reviewer.go(record_path)  # (not "#review": from the same page that would not reload it)
    card = page.locator("#review")
    card.locator("input[name=decision][value=%s]" % ("approve" if approve else "return")).check()
    card.locator("textarea[name=comment]").fill(comment)
    with page.expect_navigation():
        card.get_by_role("button", name="提交审核意见").click()
    return expect(reviewer, "审核通过，结果可以公示" if approve else "已退回录入人修改")


def test_step6_review_publish_portal(browsers: Browsers, walk: dict[str, Any]) -> None:
    refused, penalty = walk["refused_record"], walk["penalty_record"]
    head = browsers.open("lianchi_staff")
    page = head.page
    head.go("/inspections/review/")
    body = expect(head, "待审核的检查结果", "审核")
    assert page.locator(f"a[href^='{refused}']").count() and page.locator(f"a[href^='{penalty}']").count(), body[:2000]
    head.shot("16-科室待审核")

    # 退回 with a reason → the inspector corrects on her phone and submits again → 通过
    reason = "拒签见证人须写明身份和联系电话，请补充后重新提交"
    _review(head, refused, approve=False, comment=reason)
    expect(head, "已退回修改", reason)
    inspector = browsers.open("lianchi_inspector", viewport=PHONE)
    inspector.go("/inspections/")
    inspector.go(refused)
    expect(inspector, "已退回修改", reason)
    with inspector.page.expect_navigation():
        inspector.page.get_by_role("link", name=re.compile("录入")).first.click()
    assert inspector.page.input_value("#id_refusal_reason") == "负责人以需请示总部为由拒绝签字"
    inspector.page.fill("#id_refusal_witness", "社区网格员 刘芳（电话 0312-5551234）")
    with inspector.page.expect_navigation():
        inspector.page.get_by_role("button", name="提交审核").click()
    expect(inspector, "检查结果已提交，等待科室审核")
    inspector.shot("17-手机-退回后重新提交")

    _review(head, refused, approve=True, comment="同意")
    expect(head, "审核通过（待公示）", "公示分类")
    body = _review(head, penalty, approve=True, comment="同意，转立案查处")
    expect(head, "审核通过（待公示）")
    head.shot("18-审核通过-后续处置已登记")
    # approval opened the follow-up case: 立案 and the 行政处罚 decision
    with page.expect_navigation():
        page.locator(".list-group a[href*='/inspections/cases/']", has_text="-CZ").first.click()
    case_path = page.url.removeprefix(head.base)
    admin = browsers.open("lianchi_admin")
    admin.go(case_path)
    expect(admin, "处置中", "未取得卫生许可擅自开展托育服务")
    apage = admin.page
    apage.locator("summary", has_text="立案查处").click()
    apage.fill("#id_file-case_number", f"莲卫立〔{TODAY.year}〕118号")
    apage.fill("#id_file-filed_on", TODAY.isoformat())
    click(admin, "保存：立案查处")
    expect(admin, "已登记：立案查处", f"莲卫立〔{TODAY.year}〕118号")
    apage.locator("summary", has_text="行政处罚决定").click()
    decision = f"莲卫罚〔{TODAY.year}〕76号"
    apage.fill("#id_penalty-decision_number", decision)
    apage.fill("#id_penalty-decided_on", TODAY.isoformat())
    apage.fill("#id_penalty-content", "警告，罚款人民币伍仟元")
    apage.fill("#id_penalty-amount", "5000")
    click(admin, "保存：行政处罚决定")
    expect(admin, "已登记：行政处罚决定", decision, "处罚信息应于", "罚没款 5,000.00 元",
           "莲池区双随机办管理员 · 立案查处", "莲池区双随机办管理员 · 行政处罚决定")
    admin.shot("19-行政处罚决定")

    # 公示: the reviewed results, then the penalty decision
    admin.go(f"/disclosure/tasks/{walk['task_id']}/publish/")
    body = expect(admin, "待公示的抽查结果（审核通过）", "行政处罚")
    click(admin, "公示以上结果")
    body = expect(admin, "已公示 2 户，依法不予公开 0 户", decision)
    click(admin, "公示")
    expect(admin, "行政处罚信息已公示", "公开 2 户")
    admin.shot("20-结果公示")

    # the public portal, logged out
    public = browsers.open(None)
    public.go(f"/gs/tasks/{walk['task_id']}/results/")
    body = expect(public, "抽查结果公示", "已公示 2 户", "行政处罚", "发现问题已责令改正")
    names = re.findall(r"^(\S+)\t", body, re.M)
    assert names, body[:2000]
    public.shot("21-公开-抽查结果")
    # the 抽取核验 link printed on every 一企一表 opens the public verification page
    draw_id = int(re.findall(r"\d+", walk["draw_path"])[0])
    verify_url = f"{public.base}/gs/draws/{draw_id}/verify/"
    head.go(penalty)
    assert page.locator(f"a[href='{verify_url}']").count(), (verify_url, head.text()[:2000])
    public.go(f"/gs/draws/{draw_id}/verify/")
    verdict = public.page.locator("#verdict").inner_text()
    assert "一致" in verdict and "不一致" not in verdict, verdict
    expect(public, "结果与公布的抽中名单一致", "透明日志", "自行验证的步骤", "ssj audit proof verify")
    # the offline commands are readable (dark text on the light box, not the theme's light <pre> colour)
    rgb = public.page.eval_on_selector("pre.json", "e => getComputedStyle(e).color")
    red, green, blue = (int(v) for v in re.findall(r"\d+", rgb)[:3])
    assert 0.2126 * red + 0.7152 * green + 0.0722 * blue < 128, rgb
    public.shot("22-公开-抽取验证一致")


# ---------------------------------------------------------------- step 6b: a non-random task with 协助 and testing


def _report_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Test report JC-E2E-001")
    path.write_bytes(bytes(pdf.output()))
    return path


def test_step6b_nonrandom_assist_testing(browsers: Browsers, tmp_path: Path, walk: dict[str, Any]) -> None:
    """A 投诉举报 recorded as a non-random task; its team 指派; a 协助 specialist sent by the 监督所 (shown as
    指派 with the reason); samples sent to the CDC hold the entry deadline until the report is attached."""
    admin = browsers.open("lianchi_admin")
    page = admin.page
    admin.go("/directory/targets/")
    uscc = re.findall(r"\b[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\b", admin.text())[0]
    admin.go("/planning/tasks/")
    with page.expect_navigation():
        page.get_by_role("link", name="登记非随机检查").click()
    page.fill("#id_title", "投诉举报核查（浏览器走查）")
    page.select_option("#id_source", label="投诉举报")
    page.fill("#id_reference", "12345-E2E-0001")
    page.fill("#id_received_on", (TODAY - datetime.timedelta(days=5)).isoformat())
    page.fill("#id_summary", "12345热线：群众反映公共用品用具未清洗消毒")
    page.select_option("#id_items", index=0)
    page.fill("#id_targets", uscc)
    page.fill("#id_window_start", (TODAY - datetime.timedelta(days=4)).isoformat())
    page.fill("#id_window_end", TODAY.isoformat())
    page.locator("input[name=methods][value=on_site]").check()
    page.locator("input[name=methods][value=testing]").check()
    click(admin, "登记任务")
    expect(admin, "已登记非随机检查任务", "非随机检查", "投诉举报（12345-E2E-0001）", uscc)
    page.select_option("#id_leader", index=1)
    page.select_option("#id_members", index=2)
    click(admin, "指派并生成一企一表")
    expect(admin, "已指派检查组并生成 1 份一企一表")
    admin.shot("22b-非随机检查-一企一表")
    with page.expect_navigation():
        page.locator("a[href*='/inspections/records/']").first.click()
    record_path = page.url.removeprefix(admin.base)
    expect(admin, "指派", "非随机检查（投诉举报，12345-E2E-0001）指派")

    # a 协助 specialist sent by the 监督所, with the reason
    form = page.locator("#member-assign")
    form.locator("select[name=role]").select_option("assist")
    options = form.locator("select[name=inspector] option").all_inner_texts()
    on_team = set(re.findall(r"^(\S+)\t", admin.text(), re.M))
    choice = next(i for i in reversed(range(len(options)))
                  if "执法人员" in options[i] and options[i].split("（")[0] not in on_team)
    form.locator("select[name=inspector]").select_option(index=choice)
    form.locator("select[name=sent_by]").select_option(label="保定市莲池区卫生监督所")
    form.locator("input[name=reason]").fill("抽中人员不具备公共用品用具消毒效果检测经验，由监督所派员协助")
    click(admin, "指派到检查组")
    expect(admin, "已指派协助", "派出单位：保定市莲池区卫生监督所；原因：抽中人员不具备公共用品用具消毒效果检测经验")

    # samples to the CDC: the entry deadline is held
    page.locator("summary", has_text="登记送检").click()
    testing = page.locator("#testing-form")
    testing.locator("input[name=agency_name]").fill("保定市莲池区疾病预防控制中心")
    testing.locator("select[name=agency_kind]").select_option("cdc")
    testing.locator("input[name=sample]").fill("毛巾 3 条、茶具 2 套")
    testing.locator("input[name=test_items]").fill("细菌总数、大肠菌群")
    testing.locator("input[name=sampled_on]").fill((TODAY - datetime.timedelta(days=2)).isoformat())
    testing.locator("input[name=sent_on]").fill((TODAY - datetime.timedelta(days=1)).isoformat())
    click(admin, "登记送检（中止结果录入期限）")
    expect(admin, "已登记送检", "结果录入期限中止中", "等待保定市莲池区疾病预防控制中心出具检验检测报告")
    admin.shot("22c-送检-录入期限中止")
    report = page.locator(".testing-report-form").first
    report.locator("input[name=report_number]").fill("LCJK-2026-0458")
    report.locator("input[name=report_on]").fill(TODAY.isoformat())
    report.locator("select[name=conclusion]").select_option("pass")
    report.locator("input[name=file]").set_input_files(str(_report_pdf(tmp_path / "检测报告.pdf")))
    click(admin, "登记检测报告")
    expect(admin, "已登记检测报告 LCJK-2026-0458", "LCJK-2026-0458", "报告文件")
    admin.shot("22d-检测报告已登记")
    walk["nonrandom_record"] = record_path

    # the result entered and reviewed: the task completes, and its 总结报告 and 归档包 are made by the background
    # job (run inline here, SSJ_HUEY_IMMEDIATE) and shown on the task page
    _enter(admin, record_path, code="21", fail="毛巾细菌总数超标（检测报告 LCJK-2026-0458）", photo=None,
           refused=False, rectify=10)
    head = browsers.open("lianchi_staff")
    _review(head, record_path, approve=True, comment="同意")
    admin.go("/planning/tasks/?state=completed")
    with page.expect_navigation():
        page.get_by_role("link", name="投诉举报核查（浏览器走查）").first.click()
    expect(admin, "已完成", "总结报告与归档", "任务检查完成时自动生成", "总结报告 PDF", "归档包（ZIP）", "ssj archive verify")
    admin.shot("22e-检查完成-总结报告与归档")
    card = page.locator("#task-archive")
    for name, kind in (("总结报告 PDF", "application/pdf"), ("归档包（ZIP）", "application/zip")):
        href = str(card.get_by_role("link", name=name).get_attribute("href"))
        reply = page.request.get(admin.base + href)
        assert reply.status == 200 and reply.headers["content-type"].startswith(kind), (href, reply.status)
    with page.expect_navigation():
        card.get_by_role("link", name="全部版本").click()
    expect(admin, "已自动生成总结报告和归档包（第1版", "非随机检查", "重新生成归档包")


# ---------------------------------------------------------------- step 7: the leader's dashboard and the 月报表


def test_step7_dashboard_monthly_report(browsers: Browsers, tmp_path: Path, walk: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    month = f"{TODAY.year}年{TODAY.month}月"
    # the 双随机办 opens this month's 月报表 (generated from the system's data, the walk's task included) and fills
    # its header; it is submitted after the month ends, the leader reads the draft
    admin = browsers.open("lianchi_admin")
    page = admin.page
    admin.go("/oversight/reports/")
    form = page.locator("form", has=page.locator("#new-m-month"))
    form.locator("#new-m-year").fill(str(TODAY.year))
    form.locator("#new-m-month").select_option(str(TODAY.month))
    with page.expect_navigation():
        form.get_by_role("button", name="打开").click()
    expect(admin, "“双随机、一公开”监管工作月报表", "保定市莲池区卫生健康局", walk["task_code"])
    page.fill("#id_contact_person", "王晓燕")
    page.fill("#id_contact_phone", "0312-5021234")
    page.fill("#id_filled_on", TODAY.isoformat())
    page.fill("#id_website", "莲池区人民政府网站“双随机、一公开”专栏")
    click(admin, "保存", exact=True)
    expect(admin, "月报表已保存（尚未报送）", "联系人：王晓燕")

    leader = browsers.open("lianchi_leader")
    page = leader.page
    leader.go("/oversight/dashboard/")
    body = expect(leader, "覆盖率、完结率、公示率", "抽查任务状态", "抽查结果分类", "后续处置（按时长）", "行政处罚")
    assert re.search(r"公示率\s+\d+(\.\d)?%", body), body[:3000]
    assert re.search(r"行政处罚\s+[1-9]\d*\s*件", body), body[:3000]
    leader.shot("23-领导-统计看板")

    leader.go(f"/oversight/reports/?year={TODAY.year}")
    expect(leader, "月报表与情况报告", month, "保定市莲池区卫生健康局")
    with page.expect_navigation():
        page.get_by_role("link", name=month, exact=True).first.click()
    expect(leader, "“双随机、一公开”监管工作月报表", "保定市莲池区卫生健康局", "联系人：王晓燕", walk["task_code"])
    leader.shot("24-领导-月报表")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Excel").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    assert path.read_bytes()[:2] == b"PK"
    workbook = load_workbook(path)
    sheet = workbook.active
    assert sheet is not None and sheet.title == month, workbook.sheetnames
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "“双随机、一公开”监管工作月报表" in cells, cells[:10]
    assert "保定市莲池区卫生健康局" in cells, cells[:10]
    assert any("随机抽查" in c for c in cells[5:]), cells  # the headings of the rows
    assert any(walk["task_code"] in c for c in cells), cells  # the walk's task is counted this month
    walk["monthly_xlsx"] = path.name
