"""Forms of the oversight pages."""

from __future__ import annotations

from typing import Any

from django import forms

from shuangsuiji.common.exceptions import ApplicationError


class DateInput(forms.DateInput):
    input_type = "date"


class SupervisionAnswerForm(forms.Form):
    reason = forms.CharField(label="逾期原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    promised_date = forms.DateField(label="承诺完成日期", widget=DateInput())


class AccountabilityConclusionForm(forms.Form):
    conclusion = forms.CharField(
        label="处理意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text="如：已谈话提醒，责令作出书面说明；通报批评；纳入年度考核等",
    )


class NoticeImportForm(forms.Form):
    text = forms.CharField(
        label="放假安排", required=False, widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text="每行一条：“日期,类型,名称”（类型为 休 或 班）或“名称,起始日期,结束日期”。详见下方说明。",
    )
    file = forms.FileField(label="或上传 CSV/TXT 文件（UTF-8）", required=False)
    notice_title = forms.CharField(
        label="通知名称", required=False, max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "国务院办公厅关于2027年部分节假日安排的通知"}),
    )
    note = forms.CharField(label="备注", required=False, max_length=1000)

    def notice_text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            if upload.size > 200_000:
                raise ApplicationError("文件过大：放假安排文件不应超过 200 KB")
            try:
                return str(upload.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                raise ApplicationError("文件不是 UTF-8 编码，请另存为 UTF-8 后重试") from None
        text = str(self.cleaned_data.get("text") or "")
        if not text.strip():
            raise ApplicationError("请粘贴放假安排或上传文件")
        return text

    def hidden_data(self, text: str) -> dict[str, Any]:
        return {"text": text, "notice_title": self.cleaned_data.get("notice_title", ""),
                "note": self.cleaned_data.get("note", "")}
