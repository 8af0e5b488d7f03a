"""No personal data in the logs: the configured handlers mask ID-card and mobile numbers."""

from __future__ import annotations

import io
import logging

from django.conf import settings

from shuangsuiji.common.log_masking import MaskingFormatter, mask_personal_data

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


def test_masks_id_numbers_and_mobiles_but_not_codes() -> None:
    text = mask_personal_data(f"身份证 {ID_NUMBER} 电话{PHONE} +86 13912345678 USCC 91130606MA0X00012K 证号 冀13060625001")
    assert ID_NUMBER not in text and "1101**********002X" in text
    assert PHONE not in text and "138****5678" in text and "13912345678" not in text
    assert "91130606MA0X00012K" in text and "冀13060625001" in text


def test_every_configured_handler_masks(caplog: object) -> None:
    formatters = settings.LOGGING["formatters"]
    for name in settings.LOGGING["handlers"].values():
        assert formatters[name["formatter"]]["()"].endswith("MaskingFormatter")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter("%(message)s"))
    logger = logging.getLogger("ssj.test.masking")
    logger.addHandler(handler)
    try:
        logger.warning("导入失败：%s 的手机号 %s", ID_NUMBER, PHONE)
        try:
            raise ValueError(f"bad phone {PHONE}")
        except ValueError:
            logger.exception("traceback")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert PHONE not in out and ID_NUMBER not in out and "138****5678" in out and "ValueError" in out
